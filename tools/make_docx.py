#!/usr/bin/env python3
"""Make .docx test material from an issue: each `<document>` as an office writes it in Word.

In: an issue file.  Out: one .docx per document (`<id>.docx`), laid out after GB/T 9704
(党政机关公文格式) the way Word and WPS files of 公文 are: A4 with 37/35/28/26 mm
margins, exact 28.95 pt lines, 方正小标宋简体 2号 (22 pt) titles, 仿宋_GB2312 3号 (16 pt)
text, 黑体 一、 and 楷体_GB2312 （一） headings, the 文号 centred, the signature and date
at the right, a page-number footer.  The habits of real files are mixed in, varied
from one document to the next so that each is met several times:

- "word" files set the faces in the Normal style and indent with firstLineChars;
  "wps" files repeat every property on every run and indent in twips only;
- a 红头 banner in the page header, or in the body (red, large, with a rule below);
- the 文号 above the title (the red-head layout) or under it, once in a text box
  (with Word's VML fallback copy beside it);
- title lines split by soft breaks (w:br) or typed as separate paragraphs;
- empty paragraphs for spacing, paragraphs indented by typed U+3000 instead of
  indentation, runs cut at arbitrary places (as editing leaves them);
- names and roles of member lists letter-spaced (黄　卫, 主　任), a tab between
  name and post; chapter names letter-spaced (第一章　总　则);
- signatures right-aligned with a right indent, padded with typed spaces, or
  right-aligned with trailing spaces; a date held in a field (CREATEDATE);
- numbered paragraphs (1. 2. 3. …) written with Word's automatic numbering;
- tables with merged cells (gridSpan, vMerge), header rows marked (w:tblHeader)
  or not, sub-items indented by indentation or typed spaces.

With `plain=True` the same documents are typed the way a careless office types them,
without GB/T 9704's faces and sizes: everything in 仿宋 3号, the title and the
headings only in bold, no 楷体 run-in headings, indents typed as two U+3000 (the
recognition figures of docs/import.md are given on both kinds).

The output is deterministic: fixed zip dates and document properties, so the same
issue gives the same bytes.  tests/test_import.py builds the fixtures with it at
test time.

    .venv/bin/python tools/make_docx.py issues/2021-10.xml OUTDIR
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm

from typeset import model as m
from typeset.parse import parse_issue

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEI_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
TITLE_SIZE = 22  # 2号
BODY_SIZE = 16  # 3号
TABLE_SIZE = 14  # 4号
LINE_TWIPS = 579  # 28.95 pt, exact
TEXT_WIDTH_TWIPS = round((210 - 28 - 26) / 25.4 * 1440)
RED = "FF0000"
IDEOSPACE = "\u3000"

_FIXED_TIME = (2021, 1, 1, 0, 0, 0)


def make_fixtures(issue_path: Path, folder: Path, plain: bool = False) -> dict[str, Path]:
    """Write one .docx per document of the issue into `folder`; return {id: path}."""
    issue = parse_issue(issue_path)
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for index, (section, document) in enumerate(
            (s, d) for s in issue.sections for d in s.documents):
        path = folder / f"{document.id}.docx"
        path.write_bytes(make_docx(document, index, section.title, plain))
        out[document.id] = path
    return out


def make_docx(document: m.Document, index: int, section_title: str = "",
              plain: bool = False) -> bytes:
    """The .docx bytes of one document, with the habits chosen by `index`."""
    writer = _Writer(index, plain)
    writer.document(document, section_title)
    return writer.save()


class _Writer:
    def __init__(self, index: int, plain: bool = False):
        self.index = index
        self.plain = plain
        self.wps = index % 2 == 1
        self.doc = docx.Document()
        self.body = self.doc.element.body
        self.count = 0  # paragraphs written, for the per-paragraph habits
        self.next_page = False
        self._setup()

    # ---------------------------------------------------------------- set-up

    def _setup(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(25)
        props = self.doc.core_properties
        props.author = "办公室"
        props.title = ""
        props.created = props.modified = dt.datetime(2021, 1, 1)
        props.last_modified_by = "办公室"
        props.revision = 1
        normal = self.doc.styles["Normal"].element
        ppr = normal.get_or_add_pPr()
        _spacing(ppr, line=True)
        if not self.wps:  # Word: the faces and sizes live in the Normal style
            rpr = normal.get_or_add_rPr()
            _fonts(rpr, BODY_FONT)
            _size(rpr, BODY_SIZE)
        self._numbering()
        self._footer()

    def _numbering(self) -> None:
        part = self.doc.part.numbering_part.element
        for xml in (
            '<w:abstractNum w:abstractNumId="90"><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:suff w:val="nothing"/><w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
            '<w:pPr><w:ind w:firstLine="640"/></w:pPr></w:lvl></w:abstractNum>',
            '<w:abstractNum w:abstractNumId="91"><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
            '<w:lvlText w:val="●"/><w:lvlJc w:val="left"/></w:lvl></w:abstractNum>',
        ):
            element = docx.oxml.parse_xml(xml.replace("<w:abstractNum ",
                                                      f"<w:abstractNum {_DECL} ", 1))
            first_num = part.find(qn("w:num"))
            if first_num is not None:
                first_num.addprevious(element)
            else:
                part.append(element)
        self.numbered = 0

    def _new_num(self, abstract: int) -> str:
        part = self.doc.part.numbering_part.element
        self.numbered += 1
        num_id = str(900 + self.numbered)
        part.append(docx.oxml.parse_xml(
            f'<w:num {_DECL} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/></w:num>'))
        return num_id

    def _footer(self) -> None:
        """A page number, — 1 —, in the footer: a simple field (Word) or a complex one (WPS)."""
        footer = self.doc.sections[0].footer
        p = footer.paragraphs[0]._p
        _align(p.get_or_add_pPr(), "center")
        p.append(self._run("— ", {}))
        if self.wps:
            self._field(p, " PAGE ", "1")
        else:
            field = OxmlElement("w:fldSimple")
            field.set(qn("w:instr"), " PAGE   \\* MERGEFORMAT ")
            field.append(self._run("1", {}))
            p.append(field)
        p.append(self._run(" —", {}))

    def banner_header(self, text: str) -> None:
        header = self.doc.sections[0].header
        p = header.paragraphs[0]._p
        _align(p.get_or_add_pPr(), "center")
        p.append(self._run(text, {"font": TITLE_FONT, "size": 30, "color": RED}))

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _fixed_zip(buffer.getvalue())

    # ---------------------------------------------------------------- runs and paragraphs

    def _run(self, text: str, style: dict, *, split: bool = False) -> OxmlElement:
        if self.plain:  # one face, one size; headings only in bold
            style = {"bold": style.get("bold") or style.get("font") in (TITLE_FONT, HEI_FONT),
                     "vert": style.get("vert")}
        r = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        font = style.get("font") or (BODY_FONT if self.wps else None)
        if font:
            _fonts(rpr, font, hint=self.wps)
        if style.get("bold"):
            rpr.append(OxmlElement("w:b"))
        if style.get("color"):
            color = OxmlElement("w:color")
            color.set(qn("w:val"), style["color"])
            rpr.append(color)
        size = style.get("size") or (BODY_SIZE if self.wps else None)
        if size and (self.wps or size != BODY_SIZE):
            _size(rpr, size)
        if style.get("vert"):
            vert = OxmlElement("w:vertAlign")
            vert.set(qn("w:val"), {"sup": "superscript", "sub": "subscript"}[style["vert"]])
            rpr.append(vert)
        if len(rpr):
            r.append(rpr)
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
        return r

    def _runs(self, p, pieces: list[tuple[str, dict]]) -> None:
        """Append (text, style) pieces; "\\n" is a soft break.  Long texts are cut into
        two runs of the same formatting, as editing leaves them."""
        for text, style in pieces:
            if text == "\n":
                r = OxmlElement("w:r")
                r.append(OxmlElement("w:br"))
                p.append(r)
                continue
            if text == "\t":
                r = OxmlElement("w:r")
                r.append(OxmlElement("w:tab"))
                p.append(r)
                continue
            if len(text) > 40:
                cut = 17 + self.count % 11
                p.append(self._run(text[:cut], style))
                p.append(self._run(text[cut:], style))
            else:
                p.append(self._run(text, style))

    def para(self, pieces: list[tuple[str, dict]], *, align: str = "", indent: float = 0,
             left: float = 0, right: float = 0, container=None, size: float = 0,
             manual_indent_ok: bool = False, numbering: str = "", border: bool = False):
        """Add a paragraph.  `indent`, `left`, `right` in characters."""
        self.count += 1
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        if numbering:
            num = OxmlElement("w:numPr")
            ilvl = OxmlElement("w:ilvl")
            ilvl.set(qn("w:val"), "0")
            num_id = OxmlElement("w:numId")
            num_id.set(qn("w:val"), numbering)
            num.append(ilvl)
            num.append(num_id)
            ppr.append(num)
        if self.next_page:
            ppr.append(OxmlElement("w:pageBreakBefore"))
            self.next_page = False
        if border:
            borders = OxmlElement("w:pBdr")
            bottom = OxmlElement("w:bottom")
            for key, value in (("val", "single"), ("sz", "12"), ("space", "1"), ("color", RED)):
                bottom.set(qn(f"w:{key}"), value)
            borders.append(bottom)
            ppr.append(borders)
        if self.wps:
            _spacing(ppr, line=True)
        typed = indent == 2 and not numbering and (
            self.plain or manual_indent_ok and self.count % 7 == 3)
        if typed:  # two ideographic spaces typed instead of an indent
            pieces = [(IDEOSPACE * 2, pieces[0][1] if pieces else {}), *pieces]
            indent = 0
        if indent or left or right:
            _indent(ppr, indent, left, right, size or BODY_SIZE, chars=not self.wps)
        if align:
            _align(ppr, align)
        if size and size != BODY_SIZE and not self.plain:
            rpr = OxmlElement("w:rPr")
            _size(rpr, size)
            ppr.append(rpr)
        if len(ppr):
            p.append(ppr)
        self._runs(p, pieces)
        (container if container is not None else self.body_target()).append(p)
        return p

    def body_target(self):
        return _BodyAppender(self.body)

    def empty(self, n: int = 1) -> None:
        for _ in range(n):
            self.para([])

    def page_break(self) -> None:
        """The next part starts on a new page: a page-break paragraph (Word) or
        "page break before" on its first paragraph (WPS)."""
        if self.wps:
            self.next_page = True
        else:
            p = OxmlElement("w:p")
            r = OxmlElement("w:r")
            br = OxmlElement("w:br")
            br.set(qn("w:type"), "page")
            r.append(br)
            p.append(r)
            self.body_target().append(p)

    # ---------------------------------------------------------------- inline content

    def inline(self, nodes: tuple[m.Inline, ...], style: dict) -> list[tuple[str, dict]]:
        out: list[tuple[str, dict]] = []
        for node in nodes:
            if node.kind == "text":
                out.append((node.text, style))
            elif node.kind == "br":
                out.append(("\n", style))
            elif node.kind == "em":
                out.extend(self.inline(node.children, {**style, "font": HEI_FONT}))
            elif node.kind == "kai":
                out.extend(self.inline(node.children, {**style, "font": KAI_FONT}))
            elif node.kind in ("sup", "sub"):
                out.append((node.text or m.plain(node.children), {**style, "vert": node.kind}))
            elif node.kind == "nobr":
                out.append((node.text or m.plain(node.children), style))
            # wbr: Word has no such mark that offices use
        return out

    # ---------------------------------------------------------------- the document

    def document(self, document: m.Document, section_title: str) -> None:
        i = self.index
        if document.decree is None and section_title.endswith("文件"):
            if i % 3 == 0:
                self.banner_header(section_title)
            elif i % 3 == 1:
                self.para([(section_title, {"font": TITLE_FONT, "size": 30, "color": RED})],
                          align="center", size=30)
                self.para([], border=True)
        self.part(document, main=True)
        for appendix in document.appendices:
            self.page_break()
            self.part(appendix, main=False)

    def part(self, part: m.Part, *, main: bool) -> None:
        i = self.index
        if part.decree is not None:
            self.decree(part.decree)
            self.page_break()
        if part.label:
            self.para([(part.label, {"font": HEI_FONT})])
            self.empty()
        number_first = main and i % 2 == 0 and part.doc_number
        if number_first:
            self.doc_number(part.doc_number)
            self.empty()
        if part.title:
            self.title(part.title)
        if part.title_note:
            self.para(self.inline(part.title_note, {"font": KAI_FONT}), align="center")
        if part.date_line:
            self.para([(part.printed_date_line, {"font": KAI_FONT})], align="center")
        if part.doc_number and not number_first:
            self.doc_number(part.doc_number)
        self.empty()
        if part.addressee:
            self.para(self.inline(part.addressee, {}))
        self.blocks(part.body)
        if part.attachments:
            self.empty()
            self.attachments(part)
        if part.signature:
            self.signature(part.signature)
        for note in part.notes:
            self.para(self.inline(note, {}), indent=2)

    def doc_number(self, text: str) -> None:
        if self.index % 5 == 3:
            self.text_box(text)
        else:
            self.para([(text, {})], align="center")

    def text_box(self, text: str) -> None:
        """The 文号 in a floating text box anchored in an empty paragraph, as the DrawingML
        shape Word writes with its VML fallback copy (the same text twice in the file)."""
        inner = self.para([(text, {})], align="center", container=[])
        inner_xml = _xml(inner)
        anchor = (
            f'<w:p {_DECL}><w:r><mc:AlternateContent><mc:Choice Requires="wps">'
            '<w:drawing><wp:anchor distT="0" distB="0" distL="114300" distR="114300" '
            'simplePos="0" relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" '
            'allowOverlap="1"><wp:simplePos x="0" y="0"/>'
            '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
            '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
            '<wp:extent cx="5600000" cy="400000"/><wp:wrapNone/>'
            '<wp:docPr id="1" name="文本框 1"/>'
            '<a:graphic><a:graphicData '
            'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr/><wps:txbx><w:txbxContent>'
            f'{inner_xml}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>'
            '</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>'
            '<mc:Fallback><w:pict><v:shape style="width:441pt;height:31.5pt">'
            f'<v:textbox><w:txbxContent>{inner_xml}</w:txbxContent></v:textbox>'
            '</v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>')
        self.body_target().append(docx.oxml.parse_xml(anchor))

    def title(self, title: tuple[m.Inline, ...]) -> None:
        style = {"font": TITLE_FONT, "size": TITLE_SIZE}
        pieces = self.inline(title, style)
        if (self.index // 2) % 2 == 0:  # one paragraph, lines parted by soft breaks
            self.para(pieces, align="center", size=TITLE_SIZE)
            return
        line: list[tuple[str, dict]] = []
        for piece in [*pieces, ("\n", style)]:
            if piece[0] == "\n":
                self.para(line, align="center", size=TITLE_SIZE)
                line = []
            else:
                line.append(piece)

    def decree(self, decree: m.Decree) -> None:
        if decree.name:
            self.para([(decree.name, {"font": TITLE_FONT, "size": 26, "color": RED})],
                      align="center", size=26)
        self.para([(decree.number, {})], align="center")
        self.empty()
        for p in decree.paragraphs:
            self.paragraph(p)
        self.empty()
        for signatory in decree.signatories:
            self.para([(f"{signatory.title}{IDEOSPACE}{signatory.name}", {})], align="right",
                      right=4)
        self.para([(decree.printed_date, {})], align="right", right=4)

    def signature(self, signature: m.Signature) -> None:
        self.empty(2)  # room for the seal
        lines = [*signature.issuers, signature.printed_date]
        habit = self.index % 3
        for n, line in enumerate(lines):
            is_date = n == len(lines) - 1
            pieces: list[tuple[str, dict]] = [(line, {})]
            if is_date and self.index % 4 == 1:
                self.date_field(line)
                continue
            if habit == 0:
                self.para(pieces, align="right", right=4)
            elif habit == 1:  # pushed right with typed spaces
                pad = max(2, 27 - len(line) - 4)
                self.para([(IDEOSPACE * pad + line, {})])
            else:
                self.para([(line + IDEOSPACE * 4, {})], align="right")

    def date_field(self, text: str) -> None:
        """The date as the result of a CREATEDATE field, as templates write it."""
        p = self.para([], align="right", right=4)
        self._field(p, ' CREATEDATE \\@ "yyyy年M月d日" ', text)

    def _field(self, p, instruction: str, result: str) -> None:
        """A complex field (begin, instruction, separate, result, end runs) in `p`."""
        for piece in ("begin", "instr", "separate", "result", "end"):
            r = OxmlElement("w:r")
            if piece == "instr":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = instruction
                r.append(instr)
            elif piece == "result":
                r = self._run(result, {})
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), piece)
                r.append(char)
            p.append(r)

    def attachments(self, part: m.Part) -> None:
        label = f"{part.attachments_label}："
        several = len(part.attachments) > 1
        for n, name in enumerate(part.attachments, 1):
            number = f"{n}." if several else ""
            pieces = self.inline(name, {})
            if n == 1:
                self.para([(label + number, {}), *pieces], indent=2)
            elif self.wps:
                self.para([(IDEOSPACE * 5 + number, {}), *pieces])
            else:
                self.para([(number, {}), *pieces], left=5)

    # ---------------------------------------------------------------- body blocks

    def blocks(self, blocks: tuple[m.Block, ...]) -> None:
        numbered = _auto_numbered(blocks)
        num_id = self._new_num(90) if numbered else ""
        for n, block in enumerate(blocks):
            if n in numbered:
                self.paragraph(block, numbering=num_id, strip=numbered[n])
            else:
                self.block(block)

    def block(self, block) -> None:
        if isinstance(block, m.Paragraph):
            self.paragraph(block)
        elif isinstance(block, m.Heading):
            font = {1: HEI_FONT, 2: KAI_FONT}.get(block.level, BODY_FONT)
            self.para(self.inline(block.content, {"font": font, "bold": block.level > 2}),
                      indent=2)
        elif isinstance(block, m.Table):
            self.table(block)
        elif isinstance(block, m.ListBlock):
            num_id = self._new_num(91)
            for item in block.items:
                if item and isinstance(item[0], m.Paragraph):
                    for k, p in enumerate(item):
                        self.paragraph(p, numbering=num_id if k == 0 else "")
                else:
                    self.para(self.inline(item, {}), indent=2, numbering=num_id)
        elif isinstance(block, m.Members):
            self.members(block)
        elif isinstance(block, m.Chapter):
            self.chapter(block)
        elif isinstance(block, m.Article):
            self.article(block)
        elif isinstance(block, m.Figure):
            raise SystemExit("make_docx: figures are not in the sample issues")

    def paragraph(self, p: m.Paragraph, numbering: str = "", strip: int = 0) -> None:
        pieces: list[tuple[str, dict]] = []
        if p.runin:
            font = {1: HEI_FONT, 2: KAI_FONT}.get(p.runin_level, BODY_FONT)
            pieces.extend(self.inline(p.runin, {"font": font, "bold": p.runin_level > 2}))
        pieces.extend(self.inline(p.content, {}))
        if strip:
            pieces[0] = (pieces[0][0][strip:], pieces[0][1])
        align = p.align if p.align in ("center", "right") else ""
        indent = 0 if (align or p.indent == 0) else 2
        self.para(pieces, align=align or ("left" if p.align == "left" else ""),
                  indent=indent, manual_indent_ok=not numbering, numbering=numbering)

    def chapter(self, chapter: m.Chapter) -> None:
        self.para(self.inline(_spaced_heading(chapter.heading), {"font": HEI_FONT}),
                  align="center")
        for child in chapter.children:
            if isinstance(child, m.Division):
                self.para(self.inline(child.heading, {"font": KAI_FONT}), align="center")
                for article in child.articles:
                    self.article(article)
            elif isinstance(child, m.Article):
                self.article(child)
            else:
                self.paragraph(child)

    def article(self, article: m.Article) -> None:
        for n, clause in enumerate(article.clauses):
            pieces = self.inline(clause.content, {})
            if n == 0:
                pieces = [(article.num, {"font": HEI_FONT}), (IDEOSPACE, {}), *pieces]
            self.para(pieces, indent=2, manual_indent_ok=n > 0)
            for item in clause.items:
                self.para(self.inline(item, {}), indent=2)

    def members(self, members: m.Members) -> None:
        for r, role in enumerate(members.roles):
            head = _pad(role.title) + "："
            first = True
            for item in role.items:
                lead = head if first else IDEOSPACE * len(head)
                first = False
                if isinstance(item, m.Member):
                    sep = "\t" if r % 2 else IDEOSPACE
                    pieces = [(lead + _pad(item.name), {})]
                    if item.post:
                        pieces += [(sep, {}), (item.post, {})]
                    self.para(pieces)
                else:
                    self.para([(lead, {}), *self.inline(item, {})])

    def table(self, table: m.Table) -> None:
        if table.caption:
            self.para(self.inline(table.caption, {"bold": True}), align="center")
        if table.unit:
            self.para(self.inline(table.unit, {"size": TABLE_SIZE}), align="right",
                      size=TABLE_SIZE)
        ncols = table.ncols
        weights = [c.width for c in table.cols] or [1.0] * ncols
        total = sum(weights)
        widths = [round(w / total * TEXT_WIDTH_TWIPS) for w in weights]
        tbl = docx.oxml.parse_xml(
            f'<w:tbl {_DECL}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
            '<w:jc w:val="center"/><w:tblBorders>'
            + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
            + '</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>'
            + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid></w:tbl>")
        aligns = [c.align for c in table.cols] or [""] * ncols
        rows = [(row, True) for row in table.head] + [(row, False) for row in table.body]
        covered: dict[int, list[int]] = {}  # start column → [rows still covered, colspan]
        for row, head in rows:
            tr = OxmlElement("w:tr")
            if head and not self.wps:
                trpr = OxmlElement("w:trPr")
                trpr.append(OxmlElement("w:tblHeader"))
                tr.append(trpr)
            if isinstance(row, m.GroupRow):
                tr.append(self.cell(self.inline(row.content, {"bold": True}), sum(widths),
                                    ncols, "", "", 0))
                covered = {}
                tbl.append(tr)
                continue
            column = 0
            cells = list(row.cells)
            while column < ncols:
                if covered.get(column, [0])[0] > 0:  # covered from above: vMerge continues
                    span = covered[column][1]
                    tr.append(self.cell([], sum(widths[column:column + span]), span,
                                        "continue", "", 0))
                    column += span
                    continue
                if not cells:
                    break
                cell = cells.pop(0)
                align = "center" if head else (cell.align or aligns[column] or "")
                pieces = self.inline(cell.content, {"font": HEI_FONT} if head else {})
                merge = "restart" if cell.rowspan > 1 else ""
                tr.append(self.cell(pieces, sum(widths[column:column + cell.colspan]),
                                    cell.colspan, merge, align, cell.indent))
                if cell.rowspan > 1:
                    covered[column] = [cell.rowspan, cell.colspan]
                column += cell.colspan
            tbl.append(tr)
            covered = {c: [n - 1, span] for c, (n, span) in covered.items() if n > 1}
        self.body_target().append(tbl)
        for note in table.notes:
            self.para(self.inline(note, {"size": TABLE_SIZE}), size=TABLE_SIZE)

    def cell(self, pieces, width: int, span: int, merge: str, align: str, indent: int):
        tc = OxmlElement("w:tc")
        tcpr = OxmlElement("w:tcPr")
        tcw = OxmlElement("w:tcW")
        tcw.set(qn("w:w"), str(width))
        tcw.set(qn("w:type"), "dxa")
        tcpr.append(tcw)
        if span > 1:
            grid = OxmlElement("w:gridSpan")
            grid.set(qn("w:val"), str(span))
            tcpr.append(grid)
        if merge:
            vmerge = OxmlElement("w:vMerge")
            if merge == "restart":
                vmerge.set(qn("w:val"), "restart")
            tcpr.append(vmerge)
        valign = OxmlElement("w:vAlign")
        valign.set(qn("w:val"), "center")
        tcpr.append(valign)
        tc.append(tcpr)
        sized = [(t, {**s, "size": TABLE_SIZE}) for t, s in pieces]
        left = 0
        if indent:
            if self.wps:
                sized = [(IDEOSPACE * indent, {"size": TABLE_SIZE}), *sized]
            else:
                left = indent
        p = self.para(sized, align=align if align not in ("", "left") else "", left=left,
                      container=[], size=TABLE_SIZE)
        tc.append(p)
        return tc


class _BodyAppender:
    """Append before the body's final sectPr."""

    def __init__(self, body):
        self.body = body

    def append(self, el) -> None:
        sect = self.body.find(qn("w:sectPr"))
        if sect is not None:
            sect.addprevious(el)
        else:
            self.body.append(el)


_DECL = " ".join(f'xmlns:{k}="{v}"' for k, v in {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}.items())


def _xml(el) -> str:
    from lxml import etree

    text = etree.tostring(el, encoding="unicode")
    return re.sub(r' xmlns:\w+="[^"]*"', "", text)


def _fonts(rpr, face: str, hint: bool = False) -> None:
    fonts = OxmlElement("w:rFonts")
    for key in ("ascii", "hAnsi", "eastAsia"):
        fonts.set(qn(f"w:{key}"), face)
    if hint:
        fonts.set(qn("w:hint"), "eastAsia")
    rpr.insert(0, fonts)


def _size(rpr, points: float) -> None:
    for name in ("w:sz", "w:szCs"):
        sz = OxmlElement(name)
        sz.set(qn("w:val"), str(int(points * 2)))
        rpr.append(sz)


def _spacing(ppr, line: bool) -> None:
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), "0")
    spacing.set(qn("w:after"), "0")
    if line:
        spacing.set(qn("w:line"), str(LINE_TWIPS))
        spacing.set(qn("w:lineRule"), "exact")
    ppr.append(spacing)


def _align(ppr, align: str) -> None:
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), align)
    ppr.append(jc)


def _indent(ppr, first: float, left: float, right: float, size: float, chars: bool) -> None:
    ind = OxmlElement("w:ind")
    for name, value in (("firstLine", first), ("left", left), ("right", right)):
        if value:
            if chars:
                ind.set(qn(f"w:{name}Chars"), str(int(value * 100)))
            ind.set(qn(f"w:{name}"), str(int(value * size * 20)))
    ppr.append(ind)


def _pad(name: str) -> str:
    """Names and roles of two characters letter-spaced to the width of three: 黄　卫."""
    return IDEOSPACE.join(name) if len(name) == 2 else name


def _spaced_heading(heading: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """第一章　总则 → 第一章　总　则: a two-character chapter name letter-spaced."""
    text = m.plain(heading)
    found = re.fullmatch(r"(第[一二三四五六七八九十百零〇]+章)(\s*)(\S{2})", text)
    if not found:
        return heading
    return (m.Inline("text", found[1] + (found[2] or IDEOSPACE) + IDEOSPACE.join(found[3])),)


def _auto_numbered(blocks: tuple[m.Block, ...]) -> dict[int, int]:
    """Runs of three or more paragraphs typed 1. 2. 3. …: {block index: prefix length},
    to be written with Word's automatic numbering instead of the typed numbers."""
    found: dict[int, int] = {}
    run: list[tuple[int, int]] = []
    for n, block in enumerate([*blocks, None]):
        text = block.text() if isinstance(block, m.Paragraph) and not block.runin else ""
        match = re.match(r"([0-9]+)\.", text)
        if match and int(match[1]) == len(run) + 1:
            run.append((n, len(match[0])))
            continue
        if len(run) >= 3:
            found.update(run)
        run = [(n, len(match[0]))] if match and match[1] == "1" else []
    return found


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with fixed entry dates: the same document gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, _FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    written = make_fixtures(Path(argv[0]), Path(argv[1]))
    for doc_id, path in written.items():
        print(f"{path}: {doc_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
