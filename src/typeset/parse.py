"""Turn an issue XML file into an `Issue` model, or report every problem in it.

In: a path to an issue file.  Out: `typeset.model.Issue`, or `InputError` holding
every problem found as `path:line:col: message`.

Order of checks, all of them collected before anything is raised:
1. well-formedness, with a parser that never resolves entities, never loads a DTD and
   never touches the network; any DOCTYPE is refused (no entity tricks, no bombs);
2. structure, element by element, against the content models read from the schema,
   so each message says what was expected where;
3. the RELAX NG schema itself (datatypes, values: whatever step 2 did not catch);
4. rules a schema cannot say: unique ids, table rows that fill their columns, ISSN
   check digit.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from lxml import etree

from . import model as m
from .errors import InputError, Problem
from .schema import element_models, validator

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "table", "list", "figure", "chapter", "article"}


def parse_issue(path: str | Path) -> m.Issue:
    """Read, validate and model the issue at `path`; raise `InputError` listing all problems."""
    path = Path(path)
    label = _label(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(label, 0, 0, f"cannot read file: {exc.strerror}")]) from None
    root = _parse_xml(data, label)
    lines = data.decode("utf-8", errors="replace").splitlines()
    problems = _check_structure(root, label, lines)
    if not problems:
        problems = _check_schema(root, label, lines)
    if problems:
        raise InputError(problems)
    builder = _Builder(label, lines)
    issue = builder.issue(root, path)
    if builder.problems:
        raise InputError(builder.problems)
    return issue


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# ----------------------------------------------------------------------------- step 1


def _parse_xml(data: bytes, label: str) -> etree._Element:
    doctype = re.search(rb"<!DOCTYPE", data[:4096])
    if doctype:
        line = data.count(b"\n", 0, doctype.start()) + 1
        col = doctype.start() - data.rfind(b"\n", 0, doctype.start())
        raise InputError(
            [
                Problem(
                    label,
                    line,
                    col,
                    "a DOCTYPE is not allowed in an issue file "
                    "(DTDs and entities are refused); expected <issue> to follow "
                    "the XML declaration",
                )
            ]
        )
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        problems = [
            Problem(label, e.line, e.column, _syntax_message(e.message))
            for e in parser.error_log
            if e.level_name in ("ERROR", "FATAL")
        ] or [Problem(label, exc.lineno or 0, exc.offset or 0, _syntax_message(exc.msg))]
        raise InputError(problems[:1] if _is_entity_problem(problems) else problems) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # past the first 4 KiB
        raise InputError([Problem(label, 1, 1, "a DOCTYPE is not allowed in an issue file")])
    return tree.getroot()


def _is_entity_problem(problems: list[Problem]) -> bool:
    return any("entity" in p.message.lower() for p in problems)


def _syntax_message(message: str) -> str:
    message = message.strip()
    found = re.match(r"Opening and ending tag mismatch: (\S+) line \d+ and (\S+)", message)
    if found:
        return f"expected </{found[1]}>, found </{found[2]}>"
    if "Entity" in message or "entity" in message:
        return f"entity references are not allowed in an issue file ({message})"
    return f"not well-formed XML: {message}"


# ----------------------------------------------------------------------------- step 2


def _col(lines: list[str], line: int, name: str) -> int:
    """The 1-based column of `<name` on `line`, or 1 when it cannot be found there."""
    if 0 < line <= len(lines):
        index = lines[line - 1].find(f"<{name}")
        if index >= 0:
            return index + 1
    return 1


def _where(label: str, lines: list[str], el: etree._Element) -> tuple[str, int, int]:
    line = el.sourceline or 0
    return label, line, _col(lines, line, etree.QName(el).localname)


def _names(names) -> str:
    return " or ".join(f"<{n}>" for n in sorted(names))


def _check_structure(root: etree._Element, label: str, lines: list[str]) -> list[Problem]:
    """Check every element's children and attributes against the schema's content models."""
    models = element_models()
    problems: list[Problem] = []
    if root.tag != "issue":
        return [
            Problem(
                *_where(label, lines, root),
                f"expected <issue> as the root element, found <{root.tag}>",
            )
        ]
    for el in root.iter(etree.Element):
        name = el.tag
        model = models.get(name)
        if model is None:
            continue  # reported by its parent
        for attr in el.attrib:
            if attr not in model.required_attrs | model.optional_attrs:
                allowed = ", ".join(sorted(model.required_attrs | model.optional_attrs)) or "none"
                problems.append(
                    Problem(
                        *_where(label, lines, el),
                        f"unexpected attribute {attr}= on <{name}> (allowed: {allowed})",
                    )
                )
            elif attr in model.attr_values and el.get(attr) not in model.attr_values[attr]:
                values = ", ".join(repr(v) for v in sorted(model.attr_values[attr]))
                problems.append(
                    Problem(
                        *_where(label, lines, el),
                        f"{attr}= on <{name}> must be one of {values}, found {el.get(attr)!r}",
                    )
                )
        for attr in sorted(model.required_attrs - set(el.attrib)):
            problems.append(
                Problem(*_where(label, lines, el), f"expected attribute {attr}= on <{name}>")
            )
        if not model.mixed and (el.text or "").strip():
            problems.append(
                Problem(
                    *_where(label, lines, el),
                    f"expected elements in <{name}>, found text {(el.text or '').strip()[:20]!r}",
                )
            )
        problems.extend(_match_children(el, model.particles, label, lines))
    return problems


def _match_children(el, particles, label, lines) -> list[Problem]:
    children = [c for c in el if isinstance(c.tag, str)]
    index = 0
    for particle in particles:
        count = 0
        while (
            index < len(children)
            and children[index].tag in particle.names
            and count < particle.high
        ):
            index += 1
            count += 1
        if count < particle.low:
            if index < len(children):
                child = children[index]
                return [
                    Problem(
                        *_where(label, lines, child),
                        f"expected {_names(particle.names)} in <{el.tag}>, found <{child.tag}>",
                    )
                ]
            where = children[-1] if children else el
            after = f" after <{children[-1].tag}>" if children else ""
            return [
                Problem(
                    *_where(label, lines, where),
                    f"expected {_names(particle.names)} "
                    f"in <{el.tag}>{after}, found the end of <{el.tag}>",
                )
            ]
    if index < len(children):
        child = children[index]
        allowed = set().union(*(p.names for p in particles)) if particles else set()
        hint = (
            f" (allowed in <{el.tag}>: {_names(allowed)}, in the schema's order)" if allowed else ""
        )
        return [
            Problem(*_where(label, lines, child), f"unexpected <{child.tag}> in <{el.tag}>{hint}")
        ]
    return []


# ----------------------------------------------------------------------------- step 3

_TYPE_HINTS = {
    "gYear": "a year such as 2021",
    "positiveInteger": "a whole number such as 10",
    "nonNegativeInteger": "a whole number such as 0",
    "date": "a date written YYYY-MM-DD, such as 2021-07-15",
    "decimal": "a positive number such as 3 or 2.5",
    "NCName": "an id: letters, digits, - and _, starting with a letter",
    "string": "some text",
    "token": "a value of the documented form",
    "anyURI": "a web address",
}


def _check_schema(root: etree._Element, label: str, lines: list[str]) -> list[Problem]:
    schema = validator()
    if schema.validate(root.getroottree()):
        return []
    problems = []
    tree = root.getroottree()
    for entry in schema.error_log:
        found = tree.xpath(entry.path) if entry.path else []
        el = found[0] if found and isinstance(found[0], etree._Element) else root
        name = etree.QName(el).localname
        type_match = re.search(r"Type (\w+) doesn't allow value '(.*)'", entry.message, re.S)
        if type_match:
            kind, value = type_match.groups()
            message = f"<{name}>: expected {_TYPE_HINTS.get(kind, kind)}, found {value!r}"
        elif entry.type_name in ("RELAXNG_ERR_DATATYPE", "RELAXNG_ERR_CONTENTVALID") and problems:
            continue  # the follow-up lines of a datatype error already reported
        else:
            message = f"<{name}> does not match the schema: {entry.message}"
        problems.append(
            Problem(
                label, el.sourceline or entry.line, _col(lines, el.sourceline or 0, name), message
            )
        )
    return problems


# ----------------------------------------------------------------------------- step 4


class _Builder:
    """Build model objects from a schema-valid tree, collecting semantic problems."""

    def __init__(self, label: str, lines: list[str]):
        self.label = label
        self.lines = lines
        self.problems: list[Problem] = []
        self.ids: dict[str, int] = {}

    def problem(self, el, message: str) -> None:
        self.problems.append(Problem(*_where(self.label, self.lines, el), message))

    def check_id(self, el) -> str:
        value = el.get("id", "")
        if value:
            if value in self.ids:
                self.problem(el, f"duplicate id {value!r} (first used on line {self.ids[value]})")
            else:
                self.ids[value] = el.sourceline or 0
        return value

    # -- helpers
    @staticmethod
    def text(el) -> str:
        return " ".join((el.text or "").split()) if el is not None else ""

    def date(self, el) -> dt.date | None:
        return dt.date.fromisoformat(el.text.strip()) if el is not None else None

    def inline(self, el) -> tuple[m.Inline, ...]:
        """Inline content of `el`: runs of text with XML line breaks and indentation removed."""
        if el is None:
            return ()
        nodes: list[m.Inline] = []
        if el.text:
            nodes.append(m.Inline("text", el.text))
        for child in el:
            if not isinstance(child.tag, str):
                pass
            elif child.tag in ("wbr", "br"):
                nodes.append(m.Inline(child.tag))
            elif child.tag == "runin":
                pass  # taken by the paragraph
            else:
                kids = self.inline(child)
                nodes.append(m.Inline(child.tag, "", kids))
            if child.tail:
                nodes.append(m.Inline("text", child.tail))
        return _strip(_squeeze(nodes))

    # -- issue
    def issue(self, root, path: Path) -> m.Issue:
        meta = self.meta(root.find("meta"))
        board = root.find("board")
        colophon = root.find("colophon")
        sections = tuple(self.section(s) for s in root.findall("section"))
        return m.Issue(
            meta=meta,
            sections=sections,
            board=self.board(board) if board is not None else None,
            colophon=self.colophon(colophon) if colophon is not None else None,
            source=path,
        )

    def meta(self, el) -> m.Meta:
        issn = self.text(el.find("issn"))
        if issn and not _issn_ok(issn):
            self.problem(el.find("issn"), f"ISSN {issn} has a wrong check digit")
        return m.Meta(
            gazette=self.inline(el.find("gazette")),
            year=int(self.text(el.find("year"))),
            number=int(self.text(el.find("number"))),
            published=self.date(el.find("published")),
            overline=self.text(el.find("overline")),
            slogans=tuple(self.text(s) for s in el.iterfind("slogans/slogan")),
            frequency=self.text(el.find("frequency")),
            cumulative=int(self.text(el.find("cumulative")))
            if el.find("cumulative") is not None
            else None,
            issn=issn,
            cn=self.text(el.find("cn")),
            contents_slogans=tuple(self.text(s) for s in el.iterfind("contents-slogans/line")),
        )

    def board(self, el) -> m.Board:
        roles = tuple(
            m.Role(
                r.get("title"), tuple(self.text(p) for p in r.iterfind("person")), r.get("note", "")
            )
            for r in el.iterfind("role")
        )
        title = el.find("title")
        return m.Board(roles=roles, title=self.text(title) if title is not None else "编辑委员会")

    def colophon(self, el) -> m.Colophon:
        fields = {}
        for child in el:
            if child.tag == "editors":
                fields["editors"] = tuple(self.text(p) for p in child.iterfind("person"))
            else:
                fields[child.tag.replace("-", "_")] = self.text(child)
        return m.Colophon(**fields)

    def section(self, el) -> m.Section:
        sid = self.check_id(el)
        docs = tuple(self.document(d, sid) for d in el.iterfind("document"))
        return m.Section(
            id=sid, title=self.text(el.find("title")), documents=docs, line=el.sourceline
        )

    def part_fields(self, el) -> dict:
        signature = el.find("signature")
        decree = el.find("decree")
        return dict(
            title=self.inline(el.find("title")),
            toc_title=self.inline(el.find("toc-title")),
            date_line=self.date(el.find("date-line")),
            doc_number=self.text(el.find("doc-number")),
            addressee=self.inline(el.find("addressee")),
            body=tuple(self.block(b) for b in el.find("body")),
            attachments=tuple(self.inline(a) for a in el.iterfind("attachments/attachment")),
            signature=m.Signature(
                tuple(self.text(i) for i in signature.iterfind("issuer")),
                self.date(signature.find("date")),
                signature.sourceline,
            )
            if signature is not None
            else None,
            notes=tuple(self.inline(n) for n in el.iterfind("note")),
            decree=self.decree(decree) if decree is not None else None,
            id=self.check_id(el),
            line=el.sourceline,
        )

    def document(self, el, section_id: str) -> m.Document:
        return m.Document(
            **self.part_fields(el),
            kind=el.get("kind", ""),
            appendices=tuple(m.Part(**self.part_fields(a)) for a in el.iterfind("appendix")),
            section_id=section_id,
        )

    def decree(self, el) -> m.Decree:
        signatory = el.find("signatory")
        return m.Decree(
            number=self.text(el.find("number")),
            paragraphs=tuple(self.paragraph(p) for p in el.iterfind("p")),
            signatory_title=signatory.get("title"),
            signatory=self.text(signatory),
            date=self.date(el.find("date")),
            line=el.sourceline,
        )

    # -- blocks
    def block(self, el):
        tag = el.tag
        if tag == "p":
            return self.paragraph(el)
        if tag in ("h1", "h2", "h3", "h4"):
            return m.Heading(int(tag[1]), self.inline(el), el.sourceline)
        if tag == "table":
            return self.table(el)
        if tag == "list":
            items = []
            for item in el.iterfind("item"):
                paras = item.findall("p")
                items.append(
                    tuple(self.paragraph(p) for p in paras) if paras else self.inline(item)
                )
            return m.ListBlock(tuple(items), el.sourceline)
        if tag == "figure":
            img = el.find("img")
            return m.Figure(
                img.get("src"),
                img.get("width", ""),
                self.inline(el.find("caption")),
                self.check_id(el),
                el.sourceline,
            )
        if tag == "chapter":
            children = []
            for child in el:
                if child.tag == "division":
                    children.append(
                        m.Division(
                            self.inline(child.find("heading")),
                            tuple(self.article(a) for a in child.iterfind("article")),
                            child.sourceline,
                        )
                    )
                elif child.tag in ("article", "p"):
                    children.append(self.block(child))
            return m.Chapter(self.inline(el.find("heading")), tuple(children), el.sourceline)
        if tag == "article":
            return self.article(el)
        raise AssertionError(f"unhandled block <{tag}>")  # the schema admits no other

    def paragraph(self, el) -> m.Paragraph:
        runin = el.find("runin")
        content = self.inline(el)
        indent = el.get("indent")
        return m.Paragraph(
            content=content,
            line=el.sourceline,
            runin=self.inline(runin) if runin is not None else (),
            runin_level=int(runin.get("level")) if runin is not None else 0,
            align=el.get("align", ""),
            indent=int(indent) if indent is not None else None,
        )

    def article(self, el) -> m.Article:
        clauses = tuple(
            m.Clause(
                self.inline(c), tuple(self.inline(i) for i in c.iterfind("item")), c.sourceline
            )
            for c in el.iterfind("clause")
        )
        return m.Article(self.text(el.find("num")), clauses, el.sourceline)

    def table(self, el) -> m.Table:
        cols = tuple(
            m.Column(float(c.get("width")), c.get("align", "")) for c in el.iterfind("cols/col")
        )
        head = tuple(self.row(r) for r in el.iterfind("thead/row"))
        body = tuple(
            self.row(r) if r.tag == "row" else m.GroupRow(self.inline(r), r.sourceline)
            for r in el.find("tbody")
        )
        table = m.Table(
            cols, head, body, self.inline(el.find("caption")), self.check_id(el), el.sourceline
        )
        self.check_table(el, table)
        return table

    def row(self, el) -> m.Row:
        cells = tuple(
            m.Cell(
                self.inline(c),
                int(c.get("colspan", 1)),
                int(c.get("rowspan", 1)),
                c.get("align", ""),
                int(c.get("indent", 0)),
                c.sourceline,
            )
            for c in el.iterfind("cell")
        )
        return m.Row(cells, el.sourceline)

    def check_table(self, el, table: m.Table) -> None:
        """Every row must fill the table's columns, counting cells spanned from rows above."""
        ncols = table.ncols
        for part in ("thead", "tbody"):
            pending: list[int] = []  # remaining row spans per extra column occupied
            for row_el in el.iterfind(f"{part}/row"):
                row = self.row(row_el)
                carried = len([p for p in pending if p > 0])
                width = sum(c.colspan for c in row.cells) + carried
                if width != ncols:
                    self.problem(
                        row_el, f"expected cells filling {ncols} columns in <row>, found {width}"
                    )
                pending = [p - 1 for p in pending if p > 1]
                for cell in row.cells:
                    pending.extend([cell.rowspan - 1] * cell.colspan if cell.rowspan > 1 else [])


def _squeeze(nodes: list[m.Inline]) -> tuple[m.Inline, ...]:
    """Drop the XML's line breaks and indentation from text runs.

    A newline with its surrounding white space vanishes between two Chinese
    characters and becomes one space between Latin words; other spaces are kept
    (the space between joint issuers, 自治区党委 人民政府, is real).
    """
    out: list[m.Inline] = []
    for node in nodes:
        if node.kind == "text":
            text = re.sub(r"[ \t]*\n\s*", _newline, node.text)
            if text:
                out.append(m.Inline("text", text))
        else:
            out.append(node)
    return tuple(out)


def _strip(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """Remove white space at the start and end of a block's inline content."""
    out = list(nodes)
    if out and out[0].kind == "text":
        out[0] = m.Inline("text", out[0].text.lstrip())
    if out and out[-1].kind == "text":
        out[-1] = m.Inline("text", out[-1].text.rstrip())
    return tuple(n for n in out if n.kind != "text" or n.text)


def _newline(match: re.Match) -> str:
    before = match.string[match.start() - 1] if match.start() > 0 else ""
    after = match.string[match.end()] if match.end() < len(match.string) else ""
    if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
        return " "
    return ""


def _issn_ok(issn: str) -> bool:
    digits = issn.replace("-", "")
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))
