"""Recognise a part's body: `Line`s and tables → the model's body blocks.

In: the lines and tables between a part's head and its tail.  Out: a tuple of
`model` blocks, the findings added to the report.  What each block is read from:

- 第X章 / 第X节 lines (centred or 黑体) open a chapter or division; 第X条 opens an
  article, its first 款 after the number; the paragraphs after it are further 款,
  those opening with （一） or 1. its 项; a chapter without articles holds paragraphs;
- a standalone heading is a paragraph wholly in a heading face with a heading number:
  黑体 一、 (h1), 楷体 （一） (h2), bold 1. (h3), bold （1） (h4); a run-in heading is
  such a run at the start of a paragraph followed by text in the body face.  A number
  in the body face is text (the gazette stores it so);
- a member list (组成人员名单): a role line 主　任：孙春兰　国务院副总理 followed by
  lines set in under it (name, post, or a group （一）部门委员), names unspaced;
- a table from Word's table, with the centred line above it as caption, 单位：… as
  unit, and 注：… lines under it (smaller or not indented) as notes;
- a list from Word bullets or typed ●, •; a figure from a paragraph holding only
  pictures, with the centred line under it as caption;
- anything else is a paragraph, centred or right-aligned as in Word.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from .. import model as m
from .lines import Line, inlines, segments
from .records import Cell, TableRec
from .report import Report
from .textrules import (
    ARTICLE,
    BULLETS,
    CAPTION_FIGURE,
    CHAPTER,
    DIVISION,
    SENTENCE_END,
    TABLE_NOTE,
    UNIT,
    WS,
    chapter_heading,
    heading_number,
    lead,
    name_and_post,
    role_line,
    squash,
    strip,
)

Item = Line | TableRec
_FACE_LEVEL = {"hei": 1, "kai": 2}


class BodyReader:
    """Body blocks from lines and tables (one instance per document)."""

    def __init__(self, report: Report, body_size: float, body_face: str,
                 figure_name: Callable[[int], str], pictures: list,
                 text_width: float):
        self.report = report
        self.body_size = body_size
        self.body_face = body_face
        self.figure_name = figure_name
        self.pictures = pictures
        self.text_width = text_width
        self.out: list = []

    # ------------------------------------------------------------------ driver

    def blocks(self, items: list[Item]) -> tuple[m.Block, ...]:
        out: list[m.Block] = []
        self.out = out
        self.chapter: list | None = None  # [heading, line, children]
        self.division: list | None = None
        self.article: list | None = None  # [num, line, clauses [[content, items]]]
        i = 0
        while i < len(items):
            item = items[i]
            if isinstance(item, TableRec):
                self._close(out, chapter=True)
                table, i = self._table(items, i, caption=None, unit=None)
                out.append(table)
                continue
            taken = self._regulation(item, out)
            if taken:
                i += 1
                continue
            caption, unit, at = self._table_head(items, i)
            if at is not None:
                self._close(out, chapter=True)
                table, i = self._table(items, at, caption, unit)
                out.append(table)
                continue
            block, i = self._block(items, i)
            if isinstance(block, list):
                for one in block:
                    self._put(out, one)
            else:
                self._put(out, block)
        self._close(out, chapter=True)
        return tuple(out)

    def _put(self, out: list, block: m.Block) -> None:
        if self.chapter is not None and isinstance(block, m.Paragraph):
            self._close_article()
            self.chapter[2].append(block)
        else:
            self._close(out, chapter=True)
            out.append(block)

    # ------------------------------------------------------------------ regulations

    def _regulation(self, line: Line, out: list) -> bool:
        """Take `line` when it is part of 章 > 节 > 条 > 款 > 项; return whether taken."""
        text = squash(line.body)
        is_heading_face = line.face in ("hei", "kai") or line.bold or line.align == "center"
        if CHAPTER.match(text) and len(text) <= 40 and is_heading_face:
            self._close(out, chapter=True)
            heading = chapter_heading(line.body)
            self.chapter = [heading, line.index, []]
            self.report.add("chapter", [line.index], "sure" if line.align == "center" else "likely",
                            heading)
            return True
        if DIVISION.match(text) and len(text) <= 40 and is_heading_face and self.chapter:
            self._close_article()
            heading = chapter_heading(line.body)
            self.division = [heading, line.index, []]
            self.chapter[2].append(self.division)
            self.report.add("division", [line.index], "likely", heading)
            return True
        found = ARTICLE.match(strip(line.body))
        if found and line.align != "center":
            self._close_article()
            number = found[0]
            flat = strip(line.body)
            rest = flat[len(number):]
            skip = len(number) + (len(rest) - len(rest.lstrip(WS)))
            content = inlines(line, skip=skip, base=self.body_face)
            self.article = [number, line.index, [[content, []]]]
            sure = segments(line)[0][1] == "hei" or segments(line)[0][2]
            self.report.add("article", [line.index], "sure" if sure else "likely", number)
            return True
        if self.article is not None:
            if self._heading(line, quiet=True) is not None or line.align != "left":
                self._close_article()
                return False
            level, _ = heading_number(line.body)
            content = inlines(line, base=self.body_face)
            if level in (2, 3, 4):
                self.article[2][-1][1].append(content)
                self.report.add("item", [line.index], "likely", line.body)
            else:
                self.article[2].append([content, []])
                self.report.add("clause", [line.index], "likely", line.body)
            return True
        return False

    def _close_article(self) -> None:
        if self.article is None:
            return
        num, where, clauses = self.article
        article = m.Article(num, tuple(m.Clause(c, tuple(items)) for c, items in clauses),
                            line=where)
        self.article = None
        if self.division is not None:
            self.division[2].append(article)
        elif self.chapter is not None:
            self.chapter[2].append(article)
        else:
            self.out.append(article)

    def _close(self, out: list, chapter: bool) -> None:
        self._close_article()
        if chapter and self.chapter is not None:
            heading, where, children = self.chapter
            built = []
            for child in children:
                if isinstance(child, list):  # a division
                    if child[2]:
                        built.append(m.Division((m.Inline("text", child[0]),), tuple(child[2])))
                    else:
                        self.report.warn(child[1], child[0], "a 节 heading with no article "
                                         "under it: kept as a paragraph")
                        built.append(m.Paragraph((m.Inline("text", child[0]),)))
                else:
                    built.append(child)
            if not built:
                self.report.warn(where, heading, "a 章 heading with nothing under it: kept "
                                 "as a centred paragraph")
                out.append(m.Paragraph((m.Inline("text", heading),), align="center"))
            else:
                out.append(m.Chapter((m.Inline("text", heading),), tuple(built), line=where))
            self.chapter = None
            self.division = None

    # ------------------------------------------------------------------ one block

    def _block(self, items: list[Item], i: int) -> tuple[m.Block | list, int]:
        line = items[i]
        if line.para.images:
            return self._figures(items, i)
        members = self._members(items, i)
        if members is not None:
            return members
        if line.para.bullet or (line.body[:1] in BULLETS and len(line.body) > 1
                                and line.body[:1] not in "-—–"):
            return self._list(items, i)
        heading = self._heading(line)
        if heading is not None:
            return heading, i + 1
        return self._paragraph(line), i + 1

    def _heading(self, line: Line, quiet: bool = False) -> m.Heading | m.Paragraph | None:
        """A standalone or run-in heading, None when `line` is not one."""
        text = strip(line.body)
        level, number = heading_number(text)
        pieces = [p for p in segments(line) if p[0].strip(WS)]
        if not pieces:
            return None
        whole_face = line.face if line.face in ("hei", "kai") else ""
        whole = (whole_face and all(p[1] == whole_face for p in pieces)) or (
            line.bold and line.face == self.body_face)
        if whole and line.align != "center" and len(text) <= 80:
            expected = _FACE_LEVEL.get(whole_face, 3 if level in (3, 4) else 0)
            if level:
                sure = expected == level or (level == 4 and expected == 3)
                if not quiet:
                    self.report.add(f"h{level}", [line.index], "sure" if sure else "likely", text)
                return m.Heading(level, inlines(line, base=line.face, base_bold=line.bold))
            if expected and text[-1:] not in SENTENCE_END and len(text) <= 40:
                if not quiet:
                    self.report.add(f"h{expected}", [line.index], "likely", text)
                return m.Heading(expected, inlines(line, base=line.face, base_bold=line.bold))
        if line.para.outline is not None and len(text) <= 60 and text[-1:] not in "。；":
            outline_level = min(line.para.outline + 1, 4)
            if not quiet:
                self.report.add(f"h{outline_level}", [line.index],
                                "sure" if level == outline_level else "likely", text)
            return m.Heading(outline_level, inlines(line))
        return self._runin(line, pieces, quiet)

    def _runin(self, line: Line, pieces, quiet: bool) -> m.Paragraph | None:
        """A paragraph opening with a heading run: 黑体 一、…。, 楷体 （一）…。, bold 1.…"""
        first_face, first_bold = pieces[0][1], pieces[0][2]
        if first_face not in ("hei", "kai") and not first_bold:
            return None
        if first_face == self.body_face and not first_bold:
            return None
        joined = "".join(p[0] for p in segments(line))
        length = 0
        for text, face_, bold, _vert in segments(line):
            if (face_ == first_face and bold == first_bold) or not text.strip(WS):
                length += len(text)
            else:
                break
        head = joined[:length].rstrip(WS)
        rest = joined[length:]
        if not rest.strip(WS):
            return None
        level, _ = heading_number(head)
        if not level:
            return None
        expected = _FACE_LEVEL.get(first_face, 3 if first_bold else 0)
        if not quiet:
            self.report.add(f"runin {level}", [line.index],
                            "sure" if expected == level or (level == 4 and expected == 3)
                            else "likely", head)
        skip = length + (len(rest) - len(rest.lstrip(WS)))
        return m.Paragraph(inlines(line, skip=skip, base=self.body_face, base_bold=False),
                           runin=inlines(line, stop=len(head), base=first_face,
                                         base_bold=first_bold),
                           runin_level=level)

    def _paragraph(self, line: Line) -> m.Paragraph:
        align = line.align if line.align in ("center", "right") else ""
        indent = 0 if not align and line.indent < 0.5 else None
        content = inlines(line, base=self.body_face, base_bold=False)
        if "\n" in line.body:
            self.report.warn(line.index, line.body, "soft line breaks in a paragraph: "
                             "joined (the print breaks lines itself)")
        if align and not self.report.warned(line.index):
            how = "centred" if align == "center" else "right-aligned"
            self.report.warn(line.index, line.body, f"a {how} line that is no title, heading, "
                             "caption or signature: kept as a paragraph aligned so")
        return m.Paragraph(content, align=align, indent=indent)

    # ------------------------------------------------------------------ member lists

    def _members(self, items: list[Item], i: int) -> tuple[m.Members, int] | None:
        first = items[i]
        role = role_line(first.body)
        if role is None or first.indent >= 1:
            return None
        positions: list[tuple[str, list, int]] = []
        j = i
        lines_used = []
        while j < len(items) and isinstance(items[j], Line):
            line = items[j]
            found = role_line(line.body) if line.indent < 1 else None
            entry = self._member(found[1]) if found else None
            if found and entry is not None:
                positions.append((found[0], [entry], line.index))
            elif positions and line.indent >= 1.5:
                entry = self._member(line.body)
                if entry is None:
                    break
                positions[-1][1].append(entry)
            else:
                break
            lines_used.append(line.index)
            j += 1
        if len(lines_used) < 2 or sum(len(p[1]) for p in positions) < 2:
            return None
        roles = tuple(m.MemberRole(title, tuple(entries), line=where)
                      for title, entries, where in positions)
        members = sum(1 for p in positions for e in p[1] if isinstance(e, m.Member))
        self.report.add("members", lines_used, "sure",
                        f"{len(roles)} positions, {members} members")
        return m.Members(roles), j

    @staticmethod
    def _member(text: str) -> m.Member | tuple | None:
        text = strip(text)
        level, _ = heading_number(text)
        if level == 2:
            return (m.Inline("text", text),)
        found = name_and_post(text)
        if found is None:
            return None
        return m.Member(found[0], found[1])

    # ------------------------------------------------------------------ lists and figures

    def _list(self, items: list[Item], i: int) -> tuple[m.ListBlock, int]:
        entries = []
        start = i
        while i < len(items) and isinstance(items[i], Line):
            line = items[i]
            bulleted = line.para.bullet or (line.body[:1] in BULLETS and len(line.body) > 1
                                            and line.body[:1] not in "-—–")
            if not bulleted:
                break
            entries.append(inlines(line, base=self.body_face))
            i += 1
        self.report.add("list", [items[k].index for k in range(start, i)], "sure",
                        f"{len(entries)} items")
        return m.ListBlock(tuple(entries)), i

    def _figures(self, items: list[Item], i: int) -> tuple[list, int]:
        line = items[i]
        out: list = []
        if line.body:
            out.append(self._paragraph(line))
            self.report.warn(line.index, line.body, "text and a picture in one paragraph: "
                             "the text is a paragraph, the picture a figure after it")
        caption = ()
        following = items[i + 1] if i + 1 < len(items) else None
        taken = 1
        if (isinstance(following, Line) and following.align == "center"
                and len(following.body) <= 60 and not following.para.images
                and (CAPTION_FIGURE.match(squash(following.body))
                     or following.body[-1:] not in SENTENCE_END)):
            caption = inlines(following, base=following.face)
            taken = 2
        pictures = list(dict.fromkeys(line.para.images))
        for n, image in enumerate(pictures):
            name = self.figure_name(image)
            if not name:
                self.report.warn(line.index, line.body, "a picture in a format the build "
                                 "cannot print (EMF, WMF, TIFF …): left out; save it as PNG")
                continue
            width = ""
            picture = self.pictures[image]
            if picture.width and self.text_width:
                percent = min(100, max(1, round(100 * picture.width / self.text_width)))
                width = f"{percent}%"
            own_caption = caption if n == len(pictures) - 1 else ()
            alt = picture.alt or m.plain(own_caption).strip()
            if not alt:
                alt = "图片"
                self.report.warn(line.index, line.body or name, "a picture without Alt Text "
                                 "or caption: alt=\"图片\" stands in; say what it shows")
            # `alt` came into the format with the screen edition (img/@alt, required)
            extra = {"alt": alt} if "alt" in m.Figure.__dataclass_fields__ else {}
            out.append(m.Figure(name, width, own_caption, **extra))
            self.report.add("figure", [line.index], "sure", name)
        return out, i + taken

    # ------------------------------------------------------------------ tables

    def _table_head(self, items: list[Item], i: int):
        """(caption, unit, index of the table) when `items[i]` is a caption or unit line
        directly above a table; else (None, None, None)."""
        caption = unit = None
        j = i
        line = items[j]
        if (isinstance(line, Line) and line.align == "center" and len(line.body) <= 60
                and line.body[-1:] not in SENTENCE_END and not heading_number(line.body)[0]
                and not line.para.images):
            caption = line
            j += 1
        if j < len(items) and isinstance(items[j], Line) and UNIT.fullmatch(squash(items[j].body)):
            unit = items[j]
            j += 1
        if j < len(items) and isinstance(items[j], TableRec) and (caption or unit) and j > i:
            return caption, unit, j
        return None, None, None

    def _table(self, items: list[Item], i: int, caption: Line | None, unit: Line | None):
        table_rec: TableRec = items[i]
        rows = list(table_rec.rows)
        ncols = max(len(table_rec.widths), _width_needed(rows), 1)
        head_count = 0
        while head_count < len(rows) and rows[head_count].header:
            head_count += 1
        guessed = False
        if head_count == 0 and len(rows) >= 3 and self._looks_like_head(rows[0]):
            head_count = max(c.rowspan for c in rows[0].cells)
            guessed = True
        columns = self._column_aligns(rows[head_count:], ncols)
        head = [(self._row(r, ncols, columns, head=True), r) for r in rows[:head_count]]
        body: list = []
        groups = 0
        for row in rows[head_count:]:
            cells = row.cells
            if (len(cells) == 1 and cells[0].colspan >= ncols and ncols > 1
                    and m.plain(self._cell_inlines(cells[0])).strip(WS)):
                body.append((m.GroupRow(self._cell_inlines(cells[0])), row))
                groups += 1
            else:
                body.append((self._row(row, ncols, columns, head=False), row))
        if not body:  # a table of header rows only: they are its body
            body, head = head, []
        head = tuple(self._fitted(head, ncols))
        body = self._fitted(body, ncols)
        widths = table_rec.widths
        if len(widths) != ncols:
            self.report.warn(table_rec.first_para, "", f"table {table_rec.index}: its rows "
                             f"fill {ncols} columns, its grid has {len(widths)}: column "
                             "widths left out")
        cols = tuple(m.Column(round(w * 25.4 / 72, 1) or 0.1, columns[n])
                     for n, w in enumerate(widths)) if len(widths) == ncols else ()
        notes, j = self._table_notes(items, i + 1)
        spans = sum(1 for r in rows for c in r.cells if c.colspan > 1 or c.rowspan > 1)
        where = [table_rec.first_para, *(x.index for x in (caption, unit) if x)]
        self.report.add("table", where, "likely" if guessed else "sure",
                        f"{len(rows)} rows × {ncols} columns, {head_count} header rows, "
                        f"{spans} merged cells, {groups} group rows")
        if caption is not None:
            self.report.add("caption", [caption.index], "sure", caption.body)
        table = m.Table(
            cols=cols, head=head, body=tuple(body),
            caption=inlines(caption, base=caption.face, base_bold=caption.bold)
            if caption else (),
            unit=inlines(unit, base=unit.face) if unit else (),
            notes=tuple(inlines(n, base=n.face) for n in notes))
        return table, j

    @staticmethod
    def _fitted(pairs: list, ncols: int) -> list:
        """Rows that fill the grid as the format requires: spans kept inside the table
        and inside their part (thead, tbody up to a group row), missing cells added
        empty (Word allows ragged rows)."""
        out: list = []
        rows = [row for row, _ in pairs]
        above: dict[int, int] = {}  # column → rows still covered from above
        for k, (row, record) in enumerate(pairs):
            if isinstance(row, m.GroupRow):
                above = {}
                out.append(row)
                continue
            left = next((j for j in range(k + 1, len(rows))
                         if isinstance(rows[j], m.GroupRow)), len(rows)) - k
            placed: list[tuple[int, m.Cell]] = []
            column = 0
            for cell, read in zip(row.cells, record.cells, strict=True):
                column = max(column, read.column)  # where Word's grid puts it
                while above.get(column, 0) > 0:
                    column += 1
                span = 1
                while (span < cell.colspan and column + span < ncols
                       and above.get(column + span, 0) == 0):
                    span += 1
                fitted = replace(cell, colspan=span, rowspan=max(1, min(cell.rowspan, left)))
                placed.append((column, fitted))
                column += span
            taken = {c for start, cell in placed for c in range(start, start + cell.colspan)}
            for c in range(ncols):
                if c not in taken and above.get(c, 0) == 0:
                    placed.append((c, m.Cell(())))
            placed.sort(key=lambda pair: pair[0])
            out.append(m.Row(tuple(cell for _, cell in placed)))
            above = _rows_below(above, placed)
        return out

    def _looks_like_head(self, row) -> bool:
        texts = ["".join(p.text for p in c.paras) for c in row.cells]
        if not any(t.strip() for t in texts):
            return False
        numeric = any(re.fullmatch(r"[-+−]?[0-9][0-9,.]*%?", t.strip()) for t in texts)
        styled = all(all(p.align == "center" for p in c.paras if p.text.strip())
                     for c in row.cells)
        bold = all(any(r.bold or "黑" in r.font for r in p.runs if r.kind == "text")
                   for c in row.cells for p in c.paras if p.text.strip())
        return not numeric and (styled or bold)

    @staticmethod
    def _column_aligns(rows, ncols: int) -> list[str]:
        seen: list[Counter] = [Counter() for _ in range(ncols)]
        for row in rows:
            if len(row.cells) == 1 and row.cells[0].colspan >= ncols:
                continue
            for cell in row.cells:
                if cell.colspan == 1 and cell.column < ncols:
                    for para in cell.paras:
                        if para.text.strip(WS):
                            seen[cell.column][_align(para.align)] += 1
        out = []
        for counter in seen:
            if len(counter) == 1:
                (only,) = counter
                out.append(only if only in ("center", "right") else "")
            else:
                out.append("")
        return out

    def _row(self, row, ncols: int, columns: list[str], head: bool) -> m.Row:
        cells = []
        for cell in row.cells:
            align = ""
            indent = 0
            visible = [p for p in cell.paras if p.text.strip(WS)]
            if visible and not head:
                own = _align(visible[0].align)
                column = columns[cell.column] if cell.column < ncols else ""
                if own != (column or "left") and not (own == "left" and not column):
                    align = own if own in ("center", "right") else "left"
                first = visible[0]
                em = first.size or 14
                ems = first.left / em + first.first_line / em + lead(first.text)
                indent = min(2, round(ems)) if ems >= 0.75 else 0
            cells.append(m.Cell(self._cell_inlines(cell), colspan=cell.colspan,
                                rowspan=cell.rowspan, align=align, indent=indent))
        return m.Row(tuple(cells))

    def _cell_inlines(self, cell: Cell) -> tuple[m.Inline, ...]:
        from .lines import make_line

        out: list[m.Inline] = []
        for para in cell.paras:
            line = make_line(para)
            if not line.body and not para.images:
                continue
            if out:
                out.append(m.Inline("br"))
            out.extend(inlines(line, breaks=True, base=line.face, base_bold=line.bold))
        return tuple(out)

    def _table_notes(self, items: list[Item], j: int) -> tuple[list[Line], int]:
        """注：… lines right under a table, smaller than the text or not indented, and the
        numbered lines that go on from them (2、…)."""
        notes: list[Line] = []
        while j < len(items) and isinstance(items[j], Line):
            line = items[j]
            small = line.size < self.body_size - 0.5 or line.indent < 0.5
            opens = not notes and TABLE_NOTE.match(strip(line.body))
            goes_on = notes and line.size == notes[0].size and (
                heading_number(line.body)[0] == 3 or line.indent >= notes[0].indent + 1.5)
            if not (small and (opens or goes_on)):
                break
            notes.append(line)
            j += 1
        for note in notes:
            self.report.add("table note", [note.index], "likely", note.body)
        return notes, j


def _width_needed(rows) -> int:
    """The columns the rows fill, counting cells covered by row spans from above."""
    widest = 0
    above: dict[int, int] = {}
    for row in rows:
        column = 0
        starts = []
        for cell in row.cells:
            column = max(column, cell.column)
            while above.get(column, 0) > 0:
                column += 1
            starts.append((column, cell))
            column += cell.colspan
        widest = max(widest, column, *(c + 1 for c, n in above.items() if n > 0))
        above = _rows_below(above, starts)
    return widest


def _rows_below(above: dict[int, int], starts) -> dict[int, int]:
    """Grid columns still covered by a rowspan after this row: `above` (column: rows it
    stays covered) one row on, plus the cells of this row (start column, cell) that
    reach further down."""
    below = {c: n - 1 for c, n in above.items() if n > 1}
    for start, cell in starts:
        if cell.rowspan > 1:
            for c in range(start, start + cell.colspan):
                below[c] = cell.rowspan - 1
    return below


def _align(value: str) -> str:
    return {"both": "left", "distribute": "left", "": "left"}.get(value, value)
