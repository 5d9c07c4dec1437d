"""Read a .docx into plain records: DOCX → `records.Docx` (paragraphs and tables).

In: a path to a .docx.  Out: `Docx`, the paragraphs and tables of the main text in
reading order, each with the formatting Word resolves for it (direct formatting over
character and paragraph styles over the document defaults): East Asian font, size,
bold, colour, superscript; alignment, indents, outline level, the text of Word's
automatic numbering, page breaks.  Nothing is recognised here.

python-docx opens the package, gives the styles, numbering and image parts; the text
is walked on its lxml elements, because python-docx's paragraph API skips what real
files hold: fields (instruction text dropped, result kept), text boxes (their
paragraphs follow the paragraph that anchors them; Word's VML fallback copy is
skipped), soft and page breaks, tracked insertions and deletions, content controls,
symbols, and table cells merged across (gridSpan) and down (vMerge).  Headers and
footers (page numbers, a 红头 banner) are kept apart, never as content.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import display_path
from .package import DocxError, open_docx
from .records import Cell, Docx, Image, Para, Row, Run, TableRec
from .word_xml import (
    EMU_PER_PT,
    NS,
    R_EMBED,
    R_ID,
    Numbering,
    ParaProps,
    RunProps,
    Styles,
    W,
    local,
    toggle_on,
    twips,
    w_attr,
)

#: Paragraphs and table cells read from one file; a 500-page document has ~15,000.
MAX_PARAGRAPHS = 200_000



def read_docx(path: str | Path) -> Docx:
    """Read the .docx at `path` into records; raise `DocxError` (one line) on bad input."""
    path = Path(path)
    label = display_path(path)
    document = open_docx(path, label)
    reader = _Reader(document, label)
    return reader.read()


class _Reader:
    def __init__(self, document, label: str):
        self.document = document
        self.label = label
        self.styles = Styles(document)
        self.numbering = Numbering(document)
        self.out = Docx()
        self.count = 0  # paragraphs numbered so far
        self.tables = 0
        self.pending_break = False
        self.field_depth: list[bool] = []  # for each open field: in its result part?
        self.image_ids: dict[str, int] = {}
        self.para_cache: dict[str, tuple[ParaProps, RunProps]] = {}

    # ------------------------------------------------------------------ document

    def read(self) -> Docx:
        body = self.document.element.body
        self.out.text_width = self._text_width(body)
        self._headers()
        for el in body:
            self._block(el, self.out.blocks, "body")
        self.out.paragraphs = self.count
        return self.out

    def _text_width(self, body) -> float:
        sect = body.find(f".//{W}sectPr")
        if sect is None:
            return 0.0
        size = sect.find(W + "pgSz")
        margins = sect.find(W + "pgMar")
        if size is None or margins is None:
            return 0.0
        return max(0.0, twips(w_attr(size, "w")) - twips(w_attr(margins, "left"))
                   - twips(w_attr(margins, "right")))

    def _headers(self) -> None:
        seen = set()
        for section in self.document.sections:
            for part in (section.header, section.first_page_header, section.even_page_header,
                         section.footer, section.first_page_footer, section.even_page_footer):
                try:
                    if part.is_linked_to_previous:
                        continue
                    element = part._element
                except Exception:
                    continue
                if id(element) in seen:
                    continue
                seen.add(id(element))
                texts = ["".join(t.text or "" for t in p.iter(W + "t"))
                         for p in element.iter(W + "p")]
                text = " ".join(t.strip() for t in texts if t.strip())
                if text:
                    self.out.headers.append(text)

    def _block(self, el, out: list, where: str) -> None:
        name = local(el)
        if name == "p":
            self._paragraph(el, out, where)
        elif name == "tbl":
            self._table(el, out, where)
        elif name in ("sdt", "customXml", "ins", "smartTag"):
            content = el.find(W + "sdtContent") if name == "sdt" else el
            for child in (content if content is not None else ()):
                self._block(child, out, where)
        elif name == "AlternateContent":
            choice = el.find(f"{{{NS['mc']}}}Choice")
            for child in (choice if choice is not None else ()):
                self._block(child, out, where)
        # sectPr, bookmarks, w:del at block level: nothing to read

    # ------------------------------------------------------------------ paragraphs

    def _para_props(self, el) -> tuple[ParaProps, RunProps]:
        ppr = el.find(W + "pPr")
        style_el = ppr.find(W + "pStyle") if ppr is not None else None
        sid = (w_attr(style_el, "val") or "") if style_el is not None else self.styles.default_para
        if sid not in self.para_cache:
            props = ParaProps()
            run = RunProps()
            props.apply(self.styles.default_ppr)
            run.apply(self.styles.default_rpr)
            for style in self.styles.chain(sid):
                props.apply(style.find(W + "pPr"))
                run.apply(style.find(W + "rPr"))
            self.para_cache[sid] = (props, run)
        base, run = self.para_cache[sid]
        props = ParaProps()
        for slot in ParaProps.__slots__:
            setattr(props, slot, getattr(base, slot))
        props.apply(ppr)
        return props, run

    def _paragraph(self, el, out: list, where: str) -> None:
        self.count += 1
        if self.count > MAX_PARAGRAPHS:
            raise DocxError(f"{self.label}: more than {MAX_PARAGRAPHS:,} paragraphs; "
                            "split the file")
        index = self.count
        props, base_run = self._para_props(el)
        ppr = el.find(W + "pPr")
        mark = base_run.copy()
        if ppr is not None:
            mark.apply(ppr.find(W + "rPr"))
        runs: list[Run] = []
        boxes: list = []  # text boxes anchored here: read after the paragraph
        self._inline(el, base_run, runs, boxes)
        numbering, bullet = ("", False)
        if props.num is not None:
            numbering, bullet = self.numbering.text(props.num)
        size = mark.size
        first_text = next((r for r in runs if r.kind == "text" and r.text.strip()), None)
        if first_text is not None and not any(r.kind == "text" and r.text.strip() and
                                              r.size == size for r in runs):
            size = first_text.size
        style_name = self.styles.name(
            w_attr(ppr.find(W + "pStyle"), "val") or "" if ppr is not None and
            ppr.find(W + "pStyle") is not None else self.styles.default_para)

        def measure(points: float, chars: float | None) -> float:
            return chars * size if chars is not None else points

        pieces = _split_pages(runs)
        for number, piece in enumerate(pieces):
            page_break = (self.pending_break or props.page_break) if number == 0 else True
            self.pending_break = False
            out.append(Para(
                index=index, runs=tuple(piece), align=props.align,
                first_line=measure(props.first_line, props.first_chars),
                left=measure(props.left, props.left_chars),
                right=measure(props.right, props.right_chars),
                size=size, style=style_name, outline=props.outline,
                numbering=numbering if number == 0 else "", bullet=bullet,
                page_break=page_break, where=where, border_below=props.border_below))
        if runs and runs[-1].kind == "page":
            self.pending_break = True
        if ppr is not None and ppr.find(W + "sectPr") is not None:
            sect_type = ppr.find(f"{W}sectPr/{W}type")
            if sect_type is None or (w_attr(sect_type, "val") or "nextPage") != "continuous":
                self.pending_break = True
        for box in boxes:
            for child in box:
                self._block(child, out, "textbox")

    def _inline(self, parent, base: RunProps, runs: list[Run], boxes: list) -> None:
        """Walk a paragraph's content (runs, hyperlinks, fields, content controls …)."""
        for el in parent:
            name = local(el)
            if name == "r":
                self._run(el, base, runs, boxes)
            elif name in ("hyperlink", "smartTag", "customXml", "ins", "fldSimple", "dir",
                          "bdo"):
                self._inline(el, base, runs, boxes)
            elif name == "sdt":
                content = el.find(W + "sdtContent")
                if content is not None:
                    self._inline(content, base, runs, boxes)
            elif name == "AlternateContent":
                choice = el.find(f"{{{NS['mc']}}}Choice")
                if choice is not None:
                    self._inline(choice, base, runs, boxes)
            elif name in ("oMath", "oMathPara"):
                text = "".join(t.text or "" for t in el.iter(f"{{{NS['m']}}}t"))
                if text and not self._in_instruction():
                    runs.append(Run("text", text, base.font, base.size, base.bold))
            # w:del (deleted text), bookmarks, proofErr, permStart …: not text

    def _in_instruction(self) -> bool:
        return bool(self.field_depth) and not self.field_depth[-1]

    def _run(self, el, base: RunProps, runs: list[Run], boxes: list) -> None:
        props = base.copy()
        rpr = el.find(W + "rPr")
        if rpr is not None:
            style = rpr.find(W + "rStyle")
            if style is not None:
                for layer in self.styles.chain(w_attr(style, "val") or ""):
                    props.apply(layer.find(W + "rPr"))
            props.apply(rpr)
        for child in el:
            name = local(child)
            if name == "fldChar":
                kind = w_attr(child, "fldCharType")
                if kind == "begin":
                    self.field_depth.append(False)
                elif kind == "separate" and self.field_depth:
                    self.field_depth[-1] = True
                elif kind == "end" and self.field_depth:
                    self.field_depth.pop()
                continue
            if self._in_instruction() or props.hidden:
                continue
            if name == "t":
                self._text(runs, child.text or "", props)
            elif name == "tab" or name == "ptab":
                self._text(runs, "\t", props)
            elif name == "br":
                kind = w_attr(child, "type") or "textWrapping"
                if kind == "page":
                    runs.append(Run("page"))
                elif kind == "textWrapping":
                    runs.append(Run("br"))
            elif name == "cr":
                runs.append(Run("br"))
            elif name == "noBreakHyphen":
                self._text(runs, "\u2011", props)
            elif name == "sym":
                code = w_attr(child, "char") or ""
                try:
                    char = chr(int(code, 16))
                except ValueError:
                    continue
                if not 0xE000 <= ord(char) <= 0xF8FF:  # a Symbol/Wingdings glyph: no text
                    self._text(runs, char, props)
                else:
                    self.out.notes.append(f"¶{self.count}: a symbol of the font "
                                          f"{w_attr(child, 'font') or '?'} ({code}) has no "
                                          "character; left out")
            elif name in ("drawing", "pict", "object", "AlternateContent"):
                self._drawing(child, runs, boxes)

    @staticmethod
    def _text(runs: list[Run], text: str, props: RunProps) -> None:
        last = runs[-1] if runs else None
        if (last is not None and last.kind == "text" and last.font == props.font
                and last.size == props.size and last.bold == props.bold
                and last.color == props.color and last.vert == props.vert):
            runs[-1] = Run("text", last.text + text, last.font, last.size, last.bold,
                           last.color, last.vert)
        else:
            runs.append(Run("text", text, props.font, props.size, props.bold, props.color,
                            props.vert))

    def _drawing(self, el, runs: list[Run], boxes: list) -> None:
        """Pictures become image runs; text boxes are read after the paragraph."""
        if local(el) == "AlternateContent":
            choice = el.find(f"{{{NS['mc']}}}Choice")
            if choice is None:
                return
            for child in choice:
                self._drawing(child, runs, boxes)
            return
        for box in el.iter(W + "txbxContent"):
            boxes.append(box)
        if local(el) == "object":
            self.out.notes.append(f"¶{self.count}: an embedded object (OLE) was left out")
            return
        doc_pr = next(el.iter(f"{{{NS['wp']}}}docPr"), None)
        alt = ""
        if doc_pr is not None:
            alt = (doc_pr.get("descr") or doc_pr.get("title") or "").strip()
        for blip in el.iter(f"{{{NS['a']}}}blip"):
            self._image(blip.get(R_EMBED), self._extent(el), alt, runs)
        for data in el.iter(f"{{{NS['v']}}}imagedata"):
            shape = data.getparent()
            self._image(data.get(R_ID), 0.0, (shape.get("alt") or "").strip()
                        if shape is not None else "", runs)

    @staticmethod
    def _extent(el) -> float:
        extent = next(el.iter(f"{{{NS['wp']}}}extent"), None)
        try:
            return int(extent.get("cx")) / EMU_PER_PT if extent is not None else 0.0
        except (TypeError, ValueError):
            return 0.0

    def _image(self, rid: str | None, width: float, alt: str, runs: list[Run]) -> None:
        if not rid:
            return
        if rid not in self.image_ids:
            try:
                part = self.document.part.related_parts[rid]
                data = part.blob
            except Exception:
                self.out.notes.append(f"¶{self.count}: a picture whose data is missing "
                                      "(a linked file?) was left out")
                return
            self.image_ids[rid] = len(self.out.images)
            self.out.images.append(Image(data, _image_kind(data), width, alt))
        runs.append(Run("image", image=self.image_ids[rid]))

    # ------------------------------------------------------------------ tables

    def _table(self, el, out: list, where: str) -> None:
        self.tables += 1
        index = self.tables
        first_para = self.count + 1
        page_break = self.pending_break
        self.pending_break = False
        widths = tuple(twips(w_attr(col, "w")) for col in el.findall(f"{W}tblGrid/{W}gridCol"))
        grid: list[list[dict]] = []  # per row: cells with column, span, merge, paras
        headers: list[bool] = []
        for tr in _children(el, "tr"):
            trpr = tr.find(W + "trPr")
            header = trpr is not None and any(toggle_on(h) for h in trpr.findall(W + "tblHeader"))
            column = 0
            before = trpr.find(W + "gridBefore") if trpr is not None else None
            if before is not None:
                column += int(w_attr(before, "val") or "0")
            cells = []
            for tc in _children(tr, "tc"):
                tcpr = tc.find(W + "tcPr")
                span = 1
                merge = None
                if tcpr is not None:
                    grid_span = tcpr.find(W + "gridSpan")
                    if grid_span is not None:
                        try:
                            span = max(1, int(w_attr(grid_span, "val") or "1"))
                        except ValueError:
                            span = 1
                    vmerge = tcpr.find(W + "vMerge")
                    if vmerge is not None:
                        merge = w_attr(vmerge, "val") or "continue"
                    if tcpr.find(W + "hMerge") is not None:  # old-style horizontal merge
                        hmerge = w_attr(tcpr.find(W + "hMerge"), "val") or "continue"
                        if hmerge == "continue" and cells:
                            cells[-1]["span"] += 1
                            column += 1
                            continue
                paras: list = []
                for child in tc:
                    if local(child) == "tbl":
                        self.out.notes.append(
                            f"¶{self.count + 1}: a table inside a table cell was read as "
                            "the cell's paragraphs")
                        self._flatten(child, paras)
                    else:
                        self._block(child, paras, "table")
                cells.append({"column": column, "span": span, "merge": merge,
                              "paras": [p for p in paras if isinstance(p, Para)]})
                column += span
            grid.append(cells)
            headers.append(header)
        rows = []
        for r, cells in enumerate(grid):
            kept = []
            for cell in cells:
                if cell["merge"] == "continue":
                    continue
                rowspan = 1
                if cell["merge"] == "restart":
                    for below in grid[r + 1:]:
                        match = next((c for c in below if c["column"] == cell["column"]), None)
                        if match is None or match["merge"] != "continue":
                            break
                        cell["paras"].extend(p for p in match["paras"] if p.text.strip())
                        rowspan += 1
                kept.append(Cell(cell["column"], cell["span"], rowspan, tuple(cell["paras"])))
            rows.append(Row(tuple(kept), headers[r]))
        out.append(TableRec(index, first_para, widths, tuple(rows), page_break))

    def _flatten(self, table, paras: list) -> None:
        for p in table.iter(W + "p"):
            self._paragraph(p, paras, "table")


def _children(el, name: str):
    """Direct children called `name`, looking through content controls (w:sdt)."""
    for child in el:
        tag = local(child)
        if tag == name:
            yield child
        elif tag in ("sdt", "customXml"):
            content = child.find(W + "sdtContent") if tag == "sdt" else child
            if content is not None:
                yield from _children(content, name)


def _split_pages(runs: list[Run]) -> list[list[Run]]:
    """Cut a paragraph's runs at page breaks: the text after a break is a paragraph of
    its own, on the next page."""
    pieces: list[list[Run]] = [[]]
    for run in runs:
        if run.kind == "page":
            pieces.append([])
        else:
            pieces[-1].append(run)
    return [p for i, p in enumerate(pieces) if p or i == 0]


def _image_kind(data: bytes) -> str:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return ""
