"""Turn an issue XML file into an `Issue` model, or report every problem in it.

In: a path to an issue file.  Out: `typeset.model.Issue`, or `InputError` holding
every problem found as `path:line:col: message`.

Order of checks; each step runs only when the ones before found nothing, so no
step ever sees input that could make it crash, recurse or allocate without bound:
1. the file: a regular file of at most `MAX_FILE_BYTES`, UTF-8, no DOCTYPE (found
   wherever it stands in the prolog), well-formed, read by a parser that never
   resolves entities, never loads a DTD and never touches the network;
2. nesting and count: no element deeper than `MAX_DEPTH`, at most `MAX_ELEMENTS`
   elements (both found by XPath, before any Python code visits the elements);
3. structure, element by element, against the content models read from the schema,
   so each message says what was expected where; and, in the same pass, the limits
   on text, documents, tables and spans (see the constants below);
4. values: dates, numbers, ids, widths, figure paths and non-blank labels, each by
   the rule of its type in `typeset.schema.DATATYPES` (the same verdict as the
   schema, with a plain message); then the RELAX NG schema itself as a backstop;
5. rules a schema cannot say: unique ids, table rows that fill their columns, ISSN
   check digit.

The limits (documented in docs/format.md, "Limits") are far above any real gazette
issue and keep a hostile file from costing more than its size in time and memory.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import os
import re
import stat
from pathlib import Path

from lxml import etree

from . import model as m
from .errors import InputError, Problem, display_path
from .schema import DATATYPES, element_models, is_blank, validator, value_rules

#: Largest issue file, in bytes (the sample issue is 130 KB).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Deepest element, counting <issue> as depth 1.  The format itself needs 10 (issue ›
#: section › document › appendix › body › chapter › division › article › clause ›
#: item); the rest is room for inline elements such as <em> nested in <em>.
MAX_DEPTH = 32
#: Most elements in one issue file.  The sample issue has 980 (8 documents); a file of
#: MAX_FILE_BYTES written like it would have about 120,000.  Bounds the time of every
#: check that visits each element (about 10 µs an element).
MAX_ELEMENTS = 200_000
#: Most characters of text in one element that holds text (a paragraph, cell, title,
#: heading …, its inline elements included), and in one attribute value.  Real
#: gazette paragraphs are under 5,000.
MAX_TEXT_CHARS = 100_000
#: Most documents in one issue (a gazette issue has 5 to 50).
MAX_DOCUMENTS = 1_000
#: Most columns in one table (from <cols>, or the widest row without it).
MAX_TABLE_COLUMNS = 64
#: Most rows in one table, <thead> and <tbody> together, group rows included.
MAX_TABLE_ROWS = 10_000

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
    remove_pis=True,
)

#: XML's white space (str.split() and \s would also take U+3000, which is text here).
_XML_WS = " \t\r\n"
_XML_SPACE = re.compile(r"[ \t\r\n]+")

#: Inline elements: their text counts towards the element holding them.
_INLINE = {"em", "kai", "nobr", "sup", "sub", "wbr", "br", "runin"}


def parse_issue(path: str | Path) -> m.Issue:
    """Read, validate and model the issue at `path`; raise `InputError` listing all problems."""
    path = Path(path)
    label = _label(path)
    data = _read(path, label)
    source = _Source(label, _decode(data, label))
    root = _parse_xml(data, source)
    _check_depth(root, source)
    problems = _check_structure(root, source) + _check_limits(root, source)
    if not problems:
        problems = _check_values(root, source)
    if not problems:
        problems = _check_schema(root, source)
    if problems:
        raise InputError(problems)
    builder = _Builder(source)
    issue = builder.issue(root, path)
    if builder.problems:
        raise InputError(builder.problems)
    _DOCUMENTS.clear()
    _DOCUMENTS.update(builder.documents)
    return issue


def _label(path: Path) -> str:
    return display_path(path)


def _shown(value: str, limit: int = 40) -> str:
    """`value` quoted for a message, cut to `limit` characters."""
    return repr(value[:limit] + "…" if len(value) > limit else value)


class _Source:
    """The decoded issue text, to say where things are as (path, line, col).

    Columns count characters from 1.  An element's place is its start tag's `<`,
    found as the k-th start tag of its name in the text (comments, CDATA and
    processing instructions skipped): libxml2 gives only the line where a start tag
    ends, and no column.  The index is built on the first question, so a valid file
    never pays for it.
    """

    _SKIP = r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>"

    def __init__(self, label: str, text: str):
        self.label = label
        self.text = text
        self._line_starts: list[int] | None = None
        self._starts: dict[str, list[int]] = {}
        self._ordinals: dict[str, dict[etree._Element, int]] = {}
        self._asked: dict[str, int] = {}

    def at(self, offset: int) -> tuple[str, int, int]:
        """Where the character at `offset` of the text stands."""
        if self._line_starts is None:
            self._line_starts = [0, *(nl.end() for nl in re.finditer("\n", self.text))]
        line = bisect.bisect_right(self._line_starts, offset)
        return self.label, line, offset - self._line_starts[line - 1] + 1

    def where(self, el: etree._Element) -> tuple[str, int, int]:
        """Where the start tag of element `el` stands."""
        name = _raw_name(el)
        if name not in self._starts:
            tags = re.compile(rf"{self._SKIP}|(<){re.escape(name)}(?=[\s/>])", re.S)
            self._starts[name] = [t.start() for t in tags.finditer(self.text) if t[1]]
        starts = self._starts[name]
        index = self._ordinal(el, name)
        if index is None or index >= len(starts):
            return self.label, el.sourceline or 0, 1
        return self.at(starts[index])

    def _ordinal(self, el: etree._Element, name: str) -> int | None:
        """How many elements named `name` come before `el` in document order.

        A few questions are answered by XPath (fast, no Python object per element);
        past that, one table for the name answers the rest.
        """
        if name not in self._ordinals:
            self._asked[name] = self._asked.get(name, 0) + 1
            if self._asked[name] <= 8:
                before = "count(preceding::*[name()=$n]) + count(ancestor::*[name()=$n])"
                return int(el.xpath(before, n=name))
            same = (e for e in el.getroottree().getroot().iter(el.tag) if _raw_name(e) == name)
            self._ordinals[name] = {e: i for i, e in enumerate(same)}
        return self._ordinals[name].get(el)


def _raw_name(el: etree._Element) -> str:
    """The element's name as written in the file (with its prefix, if any)."""
    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


# ----------------------------------------------------------------------------- step 1


def _read(path: Path, label: str) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES; never more is read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)  # O_NONBLOCK: opening a FIFO must not wait for a writer
    except OSError as exc:
        raise InputError([Problem(label, 0, 0, f"cannot read file: {exc.strerror}")]) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputError([Problem(label, 0, 0, f"not a regular file ({_kind(mode)}); "
                                                    "expected an issue file")])
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError([Problem(label, 0, 0, f"cannot read file: {exc.strerror}")]) from None
    finally:
        os.close(fd)
    if size > MAX_FILE_BYTES:
        raise InputError([Problem(label, 0, 0, f"the file is larger than {_mib(MAX_FILE_BYTES)}, "
                                                "the most an issue file may be")])
    return b"".join(chunks)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def _mib(size: int) -> str:
    return f"{size // (1024 * 1024)} MiB ({size:,} bytes)"


_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


def _decode(data: bytes, label: str) -> str:
    """The file's text: issue files are UTF-8 (a UTF-8 byte order mark is allowed)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise InputError([Problem(label, 1, 1, f"issue files are UTF-8; this one is {name} "
                                                    "(byte order mark): save it as UTF-8")])
    if data[:2] in (b"<\x00", b"\x00<"):
        raise InputError([Problem(label, 1, 1, "issue files are UTF-8; this one looks like "
                                                "UTF-16: save it as UTF-8")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8-sig")) + 1
        raise InputError([Problem(label, line, col, f"issue files are UTF-8; found the byte "
                                                     f"0x{data[exc.start]:02X}, which is not "
                                                     "UTF-8 here")]) from None
    declared = re.match(r"<\?xml[^>]*?\bencoding\s*=\s*([\"'])(.*?)\1", text)
    if declared and declared[2].lower() not in ("utf-8", "utf8"):
        _, line, col = _Source(label, text).at(declared.start(2))
        raise InputError([Problem(label, line, col, f"issue files are UTF-8; found "
                                                     f"encoding={_shown(declared[2])}")])
    return text


#: The prolog up to where a DOCTYPE would stand: XML declaration, space, comments, PIs.
_PROLOG = re.compile(r"(?:<\?xml[^>]*\?>)?(?:\s+|<!--.*?-->|<\?.*?\?>)*", re.S)


def _parse_xml(data: bytes, source: _Source) -> etree._Element:
    doctype = _PROLOG.match(source.text).end()
    if source.text.startswith("<!DOCTYPE", doctype):
        raise InputError([_doctype_problem(source, doctype)])
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        label = source.label
        problems = [
            Problem(label, e.line, e.column, _syntax_message(e.message))
            for e in parser.error_log
            if e.level_name in ("ERROR", "FATAL")
        ] or [Problem(label, exc.lineno or 0, exc.offset or 0, _syntax_message(exc.msg))]
        raise InputError(problems[:1] if _is_entity_problem(problems) else problems) from None
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # defence in depth
        raise InputError([_doctype_problem(source, max(source.text.find("<!DOCTYPE"), 0))])
    return tree.getroot()


def _doctype_problem(source: _Source, offset: int) -> Problem:
    return Problem(
        *source.at(offset),
        "a DOCTYPE is not allowed in an issue file (DTDs and entities are refused); "
        "expected <issue> to follow the XML declaration",
    )


def _is_entity_problem(problems: list[Problem]) -> bool:
    return any("entity" in p.message.lower() for p in problems)


def _syntax_message(message: str) -> str:
    message = message.strip()
    found = re.match(r"Opening and ending tag mismatch: (\S+) line \d+ and (\S+)", message)
    if found:
        return f"expected </{found[1]}>, found </{found[2]}>"
    if "Excessive depth" in message:
        return f"elements nested too deep: the most is {MAX_DEPTH} levels"
    if "Entity" in message or "entity" in message:
        return f"entity references are not allowed in an issue file ({message})"
    return f"not well-formed XML: {message}"


# ----------------------------------------------------------------------------- step 2


def _check_depth(root: etree._Element, source: _Source) -> None:
    """Raise at the first element nested deeper than MAX_DEPTH, or past MAX_ELEMENTS.

    The first element at depth MAX_DEPTH + 1 in document order comes before any deeper
    one (its ancestor at that depth precedes it), so one XPath step list finds it.
    """
    too_deep = root.getroottree().xpath(f"({'/*' * (MAX_DEPTH + 1)})[1]")
    if too_deep:
        el = too_deep[0]
        name = etree.QName(el).localname
        raise InputError([Problem(*source.where(el), f"<{name}> is nested {MAX_DEPTH + 1} deep; "
                                                      f"elements may nest at most {MAX_DEPTH} "
                                                      "deep")])
    too_many = root.xpath(f"(//*)[{MAX_ELEMENTS + 1}]")
    if too_many:
        count = int(root.xpath("count(//*)"))
        raise InputError([Problem(*source.where(too_many[0]), f"the issue has {count:,} "
                                  f"elements; an issue may have at most {MAX_ELEMENTS:,}")])


# ----------------------------------------------------------------------------- step 3


def _names(names) -> str:
    return " or ".join(f"<{n}>" for n in sorted(names))


def _check_structure(root: etree._Element, source: _Source) -> list[Problem]:
    """Check every element's children and attributes against the schema's content models."""
    models = element_models()
    problems: list[Problem] = []
    if root.tag != "issue":
        return [
            Problem(
                *source.where(root),
                f"expected <issue> as the root element, found <{root.tag}>",
            )
        ]
    needs_children = {name: any(p.low for p in m.particles) for name, m in models.items()}
    for el in root.iter(etree.Element):
        name = el.tag
        model = models.get(name)
        if model is None:
            continue  # reported by its parent
        attrs = el.keys()
        for attr in attrs:
            if attr not in model.required_attrs | model.optional_attrs:
                allowed = ", ".join(sorted(model.required_attrs | model.optional_attrs)) or "none"
                problems.append(
                    Problem(
                        *source.where(el),
                        f"unexpected attribute {attr}= on <{name}> (allowed: {allowed})",
                    )
                )
            elif attr in model.attr_values and el.get(attr) not in model.attr_values[attr]:
                values = ", ".join(repr(v) for v in sorted(model.attr_values[attr]))
                problems.append(
                    Problem(
                        *source.where(el),
                        f"{attr}= on <{name}> must be one of {values}, "
                        f"found {_shown(el.get(attr))}",
                    )
                )
        for attr in sorted(model.required_attrs - set(attrs)) if model.required_attrs else ():
            problems.append(
                Problem(*source.where(el), f"expected attribute {attr}= on <{name}>")
            )
        if not model.mixed and (el.text or "").strip():
            problems.append(
                Problem(
                    *source.where(el),
                    f"expected elements in <{name}>, found text {(el.text or '').strip()[:20]!r}",
                )
            )
        if len(el) or needs_children[name]:
            problems.extend(_match_children(el, model.particles, source))
    return problems


def _match_children(el, particles, source: _Source) -> list[Problem]:
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
                        *source.where(child),
                        f"expected {_names(particle.names)} in <{el.tag}>, found <{child.tag}>",
                    )
                ]
            where = children[-1] if children else el
            after = f" after <{children[-1].tag}>" if children else ""
            return [
                Problem(
                    *source.where(where),
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
            Problem(*source.where(child), f"unexpected <{child.tag}> in <{el.tag}>{hint}")
        ]
    return []


def _check_limits(root: etree._Element, source: _Source) -> list[Problem]:
    """Text per element, documents per issue, table size and spans, within the limits.

    Only counts and compares: nothing here allocates by a number the file states.
    Values that are not numbers are left to step 4.
    """
    models = element_models()
    problems: list[Problem] = []
    for el in root.iter(etree.Element):
        for attr, value in el.items():
            if len(value) > MAX_TEXT_CHARS:
                name = etree.QName(el).localname
                problems.append(Problem(*source.where(el), f"{attr}= on <{name}> holds "
                                        f"{len(value):,} characters; an attribute may hold at "
                                        f"most {MAX_TEXT_CHARS:,}"))
        model = models.get(el.tag)
        if model is None or not model.mixed or el.tag in _INLINE:
            continue
        size = sum(map(len, el.itertext()))  # all inside it: <p>s of an <item> count too
        if size > MAX_TEXT_CHARS:
            name = etree.QName(el).localname
            problems.append(Problem(*source.where(el), f"<{name}> holds {size:,} characters of "
                                    f"text; one element may hold at most {MAX_TEXT_CHARS:,} "
                                    "(split it)"))
    documents = root.findall("section/document")
    if len(documents) > MAX_DOCUMENTS:
        problems.append(Problem(*source.where(documents[MAX_DOCUMENTS]), f"the issue has "
                                f"{len(documents):,} documents; an issue may have at most "
                                f"{MAX_DOCUMENTS:,}"))
    for table in root.iter("table"):
        problems.extend(_check_table_size(table, source))
    return problems


def _count(value: str | None) -> int | None:
    """A span as a number (huge ones capped, never parsed in full); None if not digits."""
    if value is None:
        return 1
    if not re.fullmatch(r"[0-9]+", value):
        return None
    return int(value) if len(value) <= 12 else 10**12


def _attr_shown(value: str) -> str:
    """A number as written in an attribute, cut to 12 digits: "100000000"."""
    return f'"{value[:12]}…"' if len(value) > 12 else f'"{value}"'


def _check_table_size(table: etree._Element, source: _Source) -> list[Problem]:
    cols = table.findall("cols/col")
    if len(cols) > MAX_TABLE_COLUMNS:
        return [Problem(*source.where(cols[MAX_TABLE_COLUMNS]), f"<table> has {len(cols):,} "
                        f"columns; a table may have at most {MAX_TABLE_COLUMNS}")]
    parts = [p for p in (table.find("thead"), table.find("tbody")) if p is not None]
    rows = [r for part in parts for r in part if isinstance(r.tag, str)]
    if len(rows) > MAX_TABLE_ROWS:
        return [Problem(*source.where(rows[MAX_TABLE_ROWS]), f"<table> has {len(rows):,} rows; "
                        f"a table may have at most {MAX_TABLE_ROWS:,}")]
    ncols = len(cols)
    problems: list[Problem] = []
    for part in parts:
        children = [r for r in part if isinstance(r.tag, str)]
        left = [0] * len(children)  # rows from each one to the next <group> or the end
        run = 0
        for i in range(len(children) - 1, -1, -1):
            run = run + 1 if children[i].tag == "row" else 0
            left[i] = run
        for i, row in enumerate(children):
            rows_left = left[i]
            if row.tag != "row":
                continue
            width = 0
            for cell in row.iterfind("cell"):
                colspan = _count(cell.get("colspan"))
                rowspan = _count(cell.get("rowspan"))
                if colspan is not None and colspan > (ncols or MAX_TABLE_COLUMNS):
                    most = (f"the table's {ncols} columns" if ncols
                            else f"{MAX_TABLE_COLUMNS} columns, the most a table may have")
                    problems.append(Problem(*source.where(cell), f"colspan="
                                            f"{_attr_shown(cell.get('colspan'))} on <cell> is "
                                            f"more than {most}"))
                elif colspan is not None:
                    width += colspan
                if rowspan is not None and rowspan > rows_left:
                    end = ("the next <group>" if rows_left < len(children) - i
                           else f"the end of its <{part.tag}>")
                    rows_text = "1 row" if rows_left == 1 else f"{rows_left} rows"
                    problems.append(Problem(*source.where(cell), f"rowspan="
                                            f"{_attr_shown(cell.get('rowspan'))} on <cell> is "
                                            f"more than the {rows_text} from its own to {end}"))
            if not ncols and width > MAX_TABLE_COLUMNS:
                problems.append(Problem(*source.where(row), f"<row> spans {width:,} columns; a "
                                        f"table may have at most {MAX_TABLE_COLUMNS}"))
    return problems


# ----------------------------------------------------------------------------- step 4


def _check_values(root: etree._Element, source: _Source) -> list[Problem]:
    """Every typed value and every label, by the rules of `typeset.schema.DATATYPES`."""
    rules = value_rules()
    problems: list[Problem] = []
    for el in root.iter(etree.Element):
        parent = el.getparent()
        rule = rules.get((parent.tag if parent is not None else None, el.tag))
        if rule is None:
            continue
        name = el.tag
        if rule.text_type:
            value = el.text or ""
            if not DATATYPES[rule.text_type].accepts(value):
                problems.append(Problem(*source.where(el),
                                        _expected(f"<{name}>", rule.text_type, value)))
        elif rule.nonblank:
            text = "".join(el.itertext())
            if is_blank(text):
                problems.append(Problem(*source.where(el), _expected(f"<{name}>", "text", text)))
        for attr, kind in rule.attr_types.items():
            value = el.get(attr)
            if value is not None and not DATATYPES[kind].accepts(value):
                problems.append(Problem(*source.where(el),
                                        _expected(f"{attr}= on <{name}>", kind, value)))
    return problems


def _expected(what: str, kind: str, value: str) -> str:
    """The message for `value` of `what` (an element or attribute) not being of `kind`."""
    if kind == "text":
        found = "nothing" if not value else "only white space"
        return f"expected text in {what}, found {found}"
    return f"{what}: expected {DATATYPES[kind].hint}, found {_shown(value)}"


def _check_schema(root: etree._Element, source: _Source) -> list[Problem]:
    """The RELAX NG schema, for anything the steps before did not catch."""
    schema = validator()
    if schema.validate(root.getroottree()):
        return []
    problems = []
    tree = root.getroottree()
    for entry in schema.error_log:
        found = tree.xpath(entry.path) if entry.path else []
        el = found[0] if found and isinstance(found[0], etree._Element) else root
        name = etree.QName(el).localname
        if entry.type_name in ("RELAXNG_ERR_DATATYPE", "RELAXNG_ERR_CONTENTVALID") and problems:
            continue  # the follow-up lines of a datatype error already reported
        problems.append(
            Problem(*source.where(el), f"<{name}> does not match the schema: {entry.message}")
        )
    return problems


# ----------------------------------------------------------------------------- step 5


#: Model fields named otherwise than the child elements they come from.
_FIELD_NAMES = {"note": "notes", "role": "roles", "appendix": "appendices"}


#: The documents of the last issue parsed without a problem in this process: (a hash
#: of their XML, the line of each of their elements, their section's id): (the
#: model, the ids they hold with their lines).  The model is immutable; a document
#: whose XML and lines are the same is the same document.  Only the last parse's are
#: kept, so a long `--watch` holds one issue's worth, whatever the edits.
_DOCUMENTS: dict[tuple, tuple] = {}


class _Builder:
    """Build model objects from a schema-valid tree, collecting semantic problems."""

    def __init__(self, source: _Source):
        self.source = source
        self.problems: list[Problem] = []
        self.ids: dict[str, int] = {}
        self.documents: dict[tuple, tuple] = {}  # this parse's, for _DOCUMENTS

    def problem(self, el, message: str) -> None:
        self.problems.append(Problem(*self.source.where(el), message))

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
        # XML white space only: a full-width space (U+3000) is text, never collapsed
        return " ".join(_XML_SPACE.split((el.text or "").strip(_XML_WS))) if el is not None else ""

    @staticmethod
    def date_style(el) -> str:
        """How the date of `el` prints: its style= (checked by the schema), else arabic."""
        return el.get("style", "arabic") if el is not None else "arabic"

    def date(self, el) -> dt.date | None:
        return dt.date.fromisoformat(el.text.strip()) if el is not None else None

    @staticmethod
    def lines(el) -> tuple[tuple[str, int], ...]:
        """The line of each child element of `el`, by field name (the first of each name)."""
        out: dict[str, int] = {}
        for child in el:
            if isinstance(child.tag, str):
                name = _FIELD_NAMES.get(child.tag, child.tag.replace("-", "_"))
                out.setdefault(name, child.sourceline or 0)
        return tuple(out.items())

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
            elif child.tag in ("runin", "item"):
                pass  # taken by the paragraph (runin) and the clause (its 项)
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
            published_style=self.date_style(el.find("published")),
            overline=self.text(el.find("overline")),
            slogans=tuple(self.text(s) for s in el.iterfind("slogans/slogan")),
            frequency=self.text(el.find("frequency")),
            cumulative=int(self.text(el.find("cumulative")))
            if el.find("cumulative") is not None
            else None,
            issn=issn,
            cn=self.text(el.find("cn")),
            contents_slogans=tuple(self.text(s) for s in el.iterfind("contents-slogans/line")),
            number_format=el.find("number").get("format", ""),
            cumulative_format=el.find("cumulative").get("format", "")
            if el.find("cumulative") is not None else "",
            line=el.sourceline or 0,
            lines=self.lines(el),
        )

    def board(self, el) -> m.Board:
        roles = tuple(
            m.Role(
                r.get("title"),
                tuple(self.text(p) for p in r.iterfind("person")),
                r.get("note", ""),
                r.sourceline or 0,
            )
            for r in el.iterfind("role")
        )
        title = el.find("title")
        return m.Board(
            roles=roles,
            title=self.text(title) if title is not None else "编辑委员会",
            line=el.sourceline or 0,
            lines=self.lines(el),
        )

    def colophon(self, el) -> m.Colophon:
        fields = {}
        for child in el:
            if child.tag == "editors":
                fields["editors"] = tuple(self.text(p) for p in child.iterfind("person"))
            else:
                fields[child.tag.replace("-", "_")] = self.text(child)
        return m.Colophon(**fields, line=el.sourceline or 0, lines=self.lines(el))

    def section(self, el) -> m.Section:
        sid = self.check_id(el)
        docs = tuple(self.document(d, sid) for d in el.iterfind("document"))
        return m.Section(
            id=sid,
            title=self.text(el.find("title")),
            documents=docs,
            line=el.sourceline,
            lines=self.lines(el),
        )

    def part_fields(self, el) -> dict:
        signature = el.find("signature")
        decree = el.find("decree")
        return dict(
            title=self.inline(el.find("title")),
            toc_title=self.inline(el.find("toc-title")),
            title_note=self.inline(el.find("title-note")),
            label=el.get("label", "").strip(_XML_WS),
            date_line=self.date(el.find("date-line")),
            date_line_style=self.date_style(el.find("date-line")),
            doc_number=self.text(el.find("doc-number")),
            addressee=self.inline(el.find("addressee")),
            body=tuple(self.block(b) for b in el.find("body")),
            attachments=tuple(self.inline(a) for a in el.iterfind("attachments/attachment")),
            attachments_label=self.attachments_label(el.find("attachments")),
            signature=m.Signature(
                tuple(self.text(i) for i in signature.iterfind("issuer")),
                self.date(signature.find("date")),
                signature.sourceline,
                date_style=self.date_style(signature.find("date")),
            )
            if signature is not None
            else None,
            notes=tuple(self.inline(n) for n in el.iterfind("note")),
            decree=self.decree(decree) if decree is not None else None,
            id=self.check_id(el),
            line=el.sourceline,
            lines=self.lines(el),
        )

    @staticmethod
    def attachments_label(el) -> str:
        """The word before an attachment's name: label= as given, else 附件 (GB/T 9704)."""
        if el is None or el.get("label") is None:
            return m.ATTACHMENT_LABEL
        return el.get("label").strip(_XML_WS)

    def document(self, el, section_id: str) -> m.Document:
        """The document of `el`; the one the last parse built when `el` is the same
        XML at the same lines (an edit elsewhere in the issue: `--watch`), its ids
        registered again."""
        key = (hashlib.blake2b(etree.tostring(el, with_tail=False), digest_size=16).digest(),
               tuple(child.sourceline for child in el.iter()), section_id)
        kept = _DOCUMENTS.get(key)
        if kept is not None and not any(value in self.ids for value, _ in kept[1]):
            self.ids.update(kept[1])
            self.documents[key] = kept
            return kept[0]
        ids, problems = set(self.ids), len(self.problems)
        document = m.Document(
            **self.part_fields(el),
            kind=el.get("kind", ""),
            appendices=tuple(m.Part(**self.part_fields(a)) for a in el.iterfind("appendix")),
            section_id=section_id,
        )
        if len(self.problems) == problems:  # not one with problems
            self.documents[key] = (document, [(value, line) for value, line
                                              in self.ids.items() if value not in ids])
        return document

    def decree(self, el) -> m.Decree:
        return m.Decree(
            number=self.text(el.find("number")),
            paragraphs=tuple(self.paragraph(p) for p in el.iterfind("p")),
            signatories=tuple(m.Signatory(s.get("title").strip(_XML_WS), self.text(s),
                                          s.sourceline) for s in el.iterfind("signatory")),
            date=self.date(el.find("date")),
            line=el.sourceline,
            date_style=self.date_style(el.find("date")),
            name=self.text(el.find("name")),
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
        if tag == "members":
            roles = []
            for role in el.iterfind("position"):
                items = [m.Member(self.text(c.find("name")), self.text(c.find("post")),
                                  c.sourceline or 0) if c.tag == "member" else self.inline(c)
                         for c in role if isinstance(c.tag, str)]
                roles.append(m.MemberRole(role.get("title", "").strip(_XML_WS), tuple(items),
                                          role.sourceline or 0))
            return m.Members(tuple(roles), el.sourceline)
        if tag == "figure":
            img = el.find("img")
            return m.Figure(
                img.get("src"),
                img.get("width", ""),
                self.inline(el.find("caption")),
                self.check_id(el),
                el.sourceline,
                alt=" ".join(_XML_SPACE.split(img.get("alt", "").strip(_XML_WS))),
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
            cols, head, body, self.inline(el.find("caption")), self.check_id(el), el.sourceline,
            notes=tuple(self.inline(n) for n in el.iterfind("note")),
            unit=self.inline(el.find("unit")),
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
                # the spans only (as `row` reads them), not the cells' text again
                spans = [(int(c.get("colspan", 1)), int(c.get("rowspan", 1)))
                         for c in row_el.iterfind("cell")]
                carried = len([p for p in pending if p > 0])
                width = sum(colspan for colspan, _ in spans) + carried
                if width != ncols:
                    self.problem(
                        row_el, f"expected cells filling {ncols} columns in <row>, found {width}"
                    )
                pending = [p - 1 for p in pending if p > 1]
                for colspan, rowspan in spans:
                    pending.extend([rowspan - 1] * colspan if rowspan > 1 else [])


_LINE_BREAK = re.compile(r"[ \t\r]*\n[ \t\r\n]*")


def _squeeze(nodes: list[m.Inline]) -> tuple[m.Inline, ...]:
    """Drop the XML's line breaks and indentation from text runs.

    A newline with its surrounding white space vanishes between two Chinese
    characters and becomes one space between Latin words; other spaces are kept
    (the space between joint issuers, 自治区党委 人民政府, is real).
    """
    out: list[m.Inline] = []
    for node in nodes:
        if node.kind == "text":
            text = (_LINE_BREAK.sub(_newline, node.text) if "\n" in node.text
                    else node.text)
            if text:
                out.append(m.Inline("text", text))
        else:
            out.append(node)
    return tuple(out)


def _strip(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """Remove white space at the start and end of a block's inline content."""
    out = list(nodes)
    if out and out[0].kind == "text":
        out[0] = m.Inline("text", out[0].text.lstrip(_XML_WS))
    if out and out[-1].kind == "text":
        out[-1] = m.Inline("text", out[-1].text.rstrip(_XML_WS))
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
