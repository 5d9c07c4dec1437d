"""The issue model: typed, immutable dataclasses for one gazette issue.

`typeset.parse` turns an issue XML file into an `Issue`; the layouts read it through
Jinja.  Every node keeps the source line it came from (`line`) so later stages
(glyph preflight, checks) can point back into the XML; nodes whose fields come from
child elements on lines of their own (meta, board, colophon, a document's head) also
keep those lines (`lines`, read with `line_of`).  Lines are 0 where unknown (a model
built in code).

Inline content is a tuple of `Inline` nodes: text, emphasis, no-break runs,
super/subscripts, break hints (`wbr`) and forced title breaks (`br`).  Block nodes
carry a `kind` string that the templates dispatch on.

Text that the print adds around the XML's content (dates spelled 2021年2月28日,
"附件：" labels, 【】 around section titles) is produced by the helpers here and in
the layout, never stored in the XML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# ----------------------------------------------------------------------------- lines


class FieldLines:
    """A node whose fields come from child elements: `lines` maps field names to lines."""

    line: int
    lines: tuple[tuple[str, int], ...]

    def line_of(self, name: str) -> int:
        """The source line of field `name`: its own element's, else the node's."""
        for field_name, line in self.lines:
            if field_name == name:
                return line
        return self.line


# ----------------------------------------------------------------------------- inline


@dataclass(frozen=True)
class Inline:
    """One inline node: kind is text, em, kai, nobr, sup, sub, wbr or br."""

    kind: str
    text: str = ""
    children: tuple[Inline, ...] = ()


def plain(nodes: tuple[Inline, ...], *, breaks: str = "") -> str:
    """Return the characters of inline `nodes`; a `br` becomes `breaks` (default nothing)."""
    out: list[str] = []
    for node in nodes:
        if node.kind == "br":
            out.append(breaks)
        elif node.children:
            out.append(plain(node.children, breaks=breaks))
        else:
            out.append(node.text)
    return "".join(out)


#: How a date may print: Arabic figures (2021年2月28日) or Chinese numerals
#: (二〇〇六年十二月三十日), as the document itself prints it.
DATE_STYLES = ("arabic", "chinese")
_CN_DIGITS = "〇一二三四五六七八九"


def cn_date(value: dt.date, style: str = "arabic") -> str:
    """Spell a date the way official documents print it: 2021年2月28日 (no leading zeros),
    or with `style` "chinese" 二〇〇六年十二月三十日 (year digit by digit, 〇 for zero)."""
    if style == "chinese":
        year = "".join(_CN_DIGITS[int(d)] for d in str(value.year))
        return f"{year}年{_cn_number(value.month)}月{_cn_number(value.day)}日"
    return f"{value.year}年{value.month}月{value.day}日"


def _cn_number(n: int) -> str:
    """1 to 31 in Chinese numerals: 一, 十, 十二, 二十, 三十一."""
    tens, units = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens] + "十")
    return head + (_CN_DIGITS[units] if units else "")


# ----------------------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    """A paragraph, optionally opening with a run-in heading (level 2, 3 or 4)."""

    content: tuple[Inline, ...]
    line: int = 0
    runin: tuple[Inline, ...] = ()
    runin_level: int = 0
    align: str = ""
    indent: int | None = None
    kind: str = "p"

    def text(self) -> str:
        return plain(self.runin) + plain(self.content)


@dataclass(frozen=True)
class Heading:
    """A standalone heading: level 1 一、 (黑体), 2 （一） (楷体), 3 1. and 4 （1）."""

    level: int
    content: tuple[Inline, ...]
    line: int = 0
    kind: str = "heading"

    def text(self) -> str:
        return plain(self.content)


@dataclass(frozen=True)
class Cell:
    content: tuple[Inline, ...]
    colspan: int = 1
    rowspan: int = 1
    align: str = ""
    indent: int = 0
    line: int = 0

    def text(self) -> str:
        return plain(self.content)


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    line: int = 0
    kind: str = "row"

    def text(self) -> str:
        return "".join(c.text() for c in self.cells)


@dataclass(frozen=True)
class GroupRow:
    """A row spanning all columns that heads the rows below it (民间文学, 传统技艺 …)."""

    content: tuple[Inline, ...]
    line: int = 0
    kind: str = "group"

    def text(self) -> str:
        return plain(self.content)


@dataclass(frozen=True)
class Column:
    width: float
    align: str = ""


#: A number as tables print them: digits with thousands commas, a decimal point, a sign
#: and a percent sign.
_NUMBER = re.compile(r"[-+−]?[0-9][0-9,]*(\.[0-9]+)?%?")


@dataclass(frozen=True)
class Table:
    cols: tuple[Column, ...]
    head: tuple[Row, ...]
    body: tuple[Row | GroupRow, ...]
    caption: tuple[Inline, ...] = ()
    id: str = ""
    line: int = 0
    kind: str = "table"
    notes: tuple[tuple[Inline, ...], ...] = ()  # 注：… under the table, one per line
    unit: tuple[Inline, ...] = ()  # 单位：人, at the table's right edge above it

    @property
    def ncols(self) -> int:
        """The number of columns: from <cols>, else from the widest row."""
        if self.cols:
            return len(self.cols)
        rows = [r for r in (*self.head, *self.body) if isinstance(r, Row)]
        return max((sum(c.colspan for c in r.cells) for r in rows), default=1)

    def widths(self) -> list[float]:
        """Column widths as percentages of the table width."""
        if not self.cols:
            return [100 / self.ncols] * self.ncols
        total = sum(c.width for c in self.cols)
        return [round(100 * c.width / total, 3) for c in self.cols]

    def columns_of(self, rows: tuple[Row | GroupRow, ...]) -> list[list[int]]:
        """For each row, the column index where each of its cells starts.

        Cells spanned down from rows above (rowspan) and across (colspan) are
        skipped, so the index is the one whose <col> settings apply to the cell.
        """
        taken: dict[int, int] = {}  # column → rows still covered from above
        out: list[list[int]] = []
        for row in rows:
            starts: list[int] = []
            if isinstance(row, Row):
                column = 0
                for cell in row.cells:
                    while taken.get(column, 0) > 0:
                        column += 1
                    starts.append(column)
                    for c in range(column, column + cell.colspan):
                        taken[c] = cell.rowspan
                    column += cell.colspan
            taken = {c: n - 1 for c, n in taken.items() if n > 1}
            out.append(starts)
        return out

    def numeric_columns(self) -> frozenset[int]:
        """Columns whose body cells are all numbers (1445, 13725.5845, -3.5%, 1,200),
        empty cells aside: the layout aligns them as numbers unless <col> says how."""
        numeric: dict[int, bool] = {}
        for row, starts in zip(self.body, self.columns_of(self.body), strict=True):
            if isinstance(row, GroupRow):
                continue
            for cell, column in zip(row.cells, starts, strict=True):
                if cell.colspan > 1:
                    continue
                text = plain(cell.content).strip()
                if text:
                    numeric[column] = numeric.get(column, True) and bool(_NUMBER.fullmatch(text))
        return frozenset(column for column, ok in numeric.items() if ok)

    def break_groups(self, keep_rows: int = 2) -> list[tuple[bool, list[int]]]:
        """The body rows (by index) cut into groups a page may only break between.

        Out: [(keep, [row index, …]), …] in order.  A `keep` group must not be parted
        by a page break: rows that row-spanning cells tie together (so a spanning
        cell never crosses a break, and every page's part of the table is closed by
        its rules), a group row (民间文学) with the `keep_rows` rows under it, the
        first `keep_rows` rows (the caption and header never end a page alone) and
        the last `keep_rows` (no row left alone on the next page).  Rows between
        groups break freely (a group of rows that are not `keep`).
        """
        n = len(self.body)
        if not n:
            return []
        tied = list(range(n))  # tied[i]: the last row row i must stay with
        for i, row in enumerate(self.body):
            if isinstance(row, GroupRow):
                tied[i] = max(tied[i], min(n - 1, i + keep_rows))
            else:
                for cell in row.cells:
                    tied[i] = max(tied[i], min(n - 1, i + cell.rowspan - 1))
        tied[0] = max(tied[0], min(n - 1, keep_rows - 1))
        for i in range(max(0, n - keep_rows), n):
            tied[i] = n - 1
        last_start = max(0, n - keep_rows)
        groups: list[tuple[bool, list[int]]] = []
        i = 0
        while i < n:
            end = tied[i]
            j = i
            while j <= end:  # a row inside the group may tie further down
                end = max(end, tied[j])
                j += 1
            if i < last_start <= end or end == n - 1 and i >= last_start:
                end = n - 1
            rows = list(range(i, end + 1))
            groups.append((len(rows) > 1, rows))
            i = end + 1
        # merge consecutive single free rows into one breakable group
        merged: list[tuple[bool, list[int]]] = []
        for keep, rows in groups:
            if not keep and merged and not merged[-1][0]:
                merged[-1][1].extend(rows)
            else:
                merged.append((keep, list(rows)))
        return merged

    def text(self) -> str:
        rows = (*self.head, *self.body)
        notes = "".join(plain(n) for n in self.notes)
        return plain(self.caption) + plain(self.unit) + "".join(r.text() for r in rows) + notes


@dataclass(frozen=True)
class ListBlock:
    """A list; each item is inline content or a tuple of paragraphs."""

    items: tuple[tuple[Inline, ...] | tuple[Paragraph, ...], ...]
    line: int = 0
    kind: str = "list"

    def text(self) -> str:
        out = []
        for item in self.items:
            if item and isinstance(item[0], Paragraph):
                out.extend(p.text() for p in item)
            else:
                out.append(plain(item))
        return "".join(out)


@dataclass(frozen=True)
class Member:
    """One member of a list: the name as written (no padding) and the post."""

    name: str
    post: str = ""
    line: int = 0


@dataclass(frozen=True)
class MemberRole:
    """A role of a member list (主任, 委员) with its members and group headings."""

    title: str
    items: tuple[Member | tuple[Inline, ...], ...]  # a tuple of Inline is a group heading
    line: int = 0


@dataclass(frozen=True)
class Members:
    """A member list (组成人员名单) printed as aligned columns: role, name, post."""

    roles: tuple[MemberRole, ...]
    line: int = 0
    kind: str = "members"

    def text(self) -> str:
        out = []
        for role in self.roles:
            out.append(role.title + "：")
            for item in role.items:
                out.append(item.name + item.post if isinstance(item, Member) else plain(item))
        return "".join(out)


@dataclass(frozen=True)
class Figure:
    src: str
    width: str = ""
    caption: tuple[Inline, ...] = ()
    id: str = ""
    line: int = 0
    kind: str = "figure"
    alt: str = ""  # what the image shows, in words: the screen edition's alternative text

    def text(self) -> str:
        return plain(self.caption)


@dataclass(frozen=True)
class Clause:
    """款: a paragraph of an article, possibly followed by its 项 (items)."""

    content: tuple[Inline, ...]
    items: tuple[tuple[Inline, ...], ...] = ()
    line: int = 0

    def text(self) -> str:
        return plain(self.content) + "".join(plain(i) for i in self.items)


@dataclass(frozen=True)
class Article:
    """条: 第一条 with its clauses."""

    num: str
    clauses: tuple[Clause, ...]
    line: int = 0
    kind: str = "article"

    def text(self) -> str:
        return self.num + "".join(c.text() for c in self.clauses)


@dataclass(frozen=True)
class Division:
    """节 within a chapter."""

    heading: tuple[Inline, ...]
    articles: tuple[Article, ...]
    line: int = 0
    kind: str = "division"

    def text(self) -> str:
        return plain(self.heading) + "".join(a.text() for a in self.articles)


@dataclass(frozen=True)
class Chapter:
    """章: a heading and its divisions, articles or paragraphs."""

    heading: tuple[Inline, ...]
    children: tuple[Division | Article | Paragraph, ...]
    line: int = 0
    kind: str = "chapter"

    def text(self) -> str:
        return plain(self.heading) + "".join(c.text() for c in self.children)


Block = Paragraph | Heading | Table | ListBlock | Figure | Chapter | Article | Members


# ----------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class Signature:
    issuers: tuple[str, ...]
    date: dt.date
    line: int = 0
    date_style: str = "arabic"

    @property
    def printed_date(self) -> str:
        return cn_date(self.date, self.date_style)


@dataclass(frozen=True)
class Signatory:
    """Who signs a decree: the office as printed (总理) and the name (李克强)."""

    title: str
    name: str
    line: int = 0


@dataclass(frozen=True)
class Decree:
    """The 令 header of a government decree: number, text, signatories and date.

    A joint decree (国务院 中央军事委员会令) has one signatory per issuing body, each
    printed on a line of its own."""

    number: str
    paragraphs: tuple[Paragraph, ...]
    signatories: tuple[Signatory, ...]
    date: dt.date
    line: int = 0
    date_style: str = "arabic"
    name: str = ""  # 中华人民共和国国务院令, on its own line above the number

    @property
    def printed_date(self) -> str:
        return cn_date(self.date, self.date_style)


@dataclass(frozen=True)
class Part(FieldLines):
    """What a document and each of its appendices share: head, body and tail."""

    title: tuple[Inline, ...] = ()
    toc_title: tuple[Inline, ...] = ()
    label: str = ""  # an appended part's label as printed above it: 附件1
    title_note: tuple[Inline, ...] = ()  # 题注 under the title: （…公布…）
    date_line: dt.date | None = None
    date_line_style: str = "arabic"
    doc_number: str = ""
    addressee: tuple[Inline, ...] = ()
    body: tuple[Block, ...] = ()
    attachments: tuple[tuple[Inline, ...], ...] = ()
    attachments_label: str = "附件"  # printed before the names, with a colon: 附件：, 附：
    signature: Signature | None = None
    notes: tuple[tuple[Inline, ...], ...] = ()
    decree: Decree | None = None
    id: str = ""
    line: int = 0
    lines: tuple[tuple[str, int], ...] = ()

    @property
    def title_text(self) -> str:
        """The title on one line, as the contents print it."""
        return plain(self.toc_title) if self.toc_title else plain(self.title)

    @property
    def printed_date_line(self) -> str:
        return f"（{cn_date(self.date_line, self.date_line_style)}）" if self.date_line else ""

    def texts(self) -> Iterator[str]:
        """Yield every piece of text this part prints, in print order, labels included."""
        yield self.label
        if self.decree:
            yield self.decree.name + self.decree.number
            yield from (p.text() for p in self.decree.paragraphs)
            yield from (s.title + s.name for s in self.decree.signatories)
            yield self.decree.printed_date
        yield plain(self.title)
        yield plain(self.title_note)
        yield self.printed_date_line
        yield self.doc_number
        yield plain(self.addressee)
        yield from (b.text() for b in self.body)
        for i, attachment in enumerate(self.attachments, 1):
            number = f"{i}." if len(self.attachments) > 1 else ""
            label = f"{self.attachments_label}：" if i == 1 else ""
            yield label + number + plain(attachment)
        if self.signature:
            yield from self.signature.issuers
            yield self.signature.printed_date
        yield from (plain(n) for n in self.notes)


#: The word GB/T 9704 prints before an attachment's name, unless the document says another.
ATTACHMENT_LABEL = "附件"


@dataclass(frozen=True)
class Document(Part):
    """A document of the issue: its own part plus appended parts (附), in print order."""

    kind: str = ""
    appendices: tuple[Part, ...] = ()
    section_id: str = ""

    def text(self) -> str:
        """All the text the document prints, labels and dates included."""
        parts = [*self.texts()]
        for appendix in self.appendices:
            parts.extend(appendix.texts())
        return "".join(parts)


@dataclass(frozen=True)
class Section(FieldLines):
    """A 栏目 such as 【自治区党委 人民政府文件】 with its documents in order."""

    id: str
    title: str
    documents: tuple[Document, ...]
    line: int = 0
    lines: tuple[tuple[str, int], ...] = ()


# ----------------------------------------------------------------------------- front matter


@dataclass(frozen=True)
class Role:
    title: str
    people: tuple[str, ...]
    note: str = ""
    line: int = 0


@dataclass(frozen=True)
class Board(FieldLines):
    """The editorial board (编辑委员会): roles with ordered names."""

    roles: tuple[Role, ...]
    title: str = "编辑委员会"
    line: int = 0
    lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Colophon(FieldLines):
    """The colophon (版权页 entries); empty strings where the issue gives nothing."""

    editor_in_chief: str = ""
    editors: tuple[str, ...] = ()
    supervisor: str = ""
    sponsor: str = ""
    publisher: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    web: str = ""
    printer: str = ""
    line: int = 0
    lines: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Meta(FieldLines):
    gazette: tuple[Inline, ...]
    year: int
    number: int
    published: dt.date
    overline: str = ""
    slogans: tuple[str, ...] = ()
    frequency: str = ""
    cumulative: int | None = None
    issn: str = ""
    cn: str = ""
    contents_slogans: tuple[str, ...] = ()
    #: How this gazette prints its number and cumulative number ({year}年第{number}号,
    #: 总号：{cumulative}); empty: the layout's [numbering] default.
    number_format: str = ""
    cumulative_format: str = ""
    published_style: str = "arabic"
    line: int = 0
    lines: tuple[tuple[str, int], ...] = ()

    @property
    def name(self) -> str:
        """The gazette's name on one line."""
        return plain(self.gazette)

    @property
    def printed_published(self) -> str:
        return cn_date(self.published, self.published_style)

    def number_line(self, default_format: str) -> str:
        """The issue's number as printed, e.g. 2021年第10期 (the format from the issue,
        else `default_format`, the layout's)."""
        return fill_format(self.number_format or default_format,
                           year=self.year, number=self.number)

    def cumulative_line(self, default_format: str) -> str:
        """The cumulative number as printed, e.g. （总第672期）; empty when there is none."""
        if self.cumulative is None:
            return ""
        return fill_format(self.cumulative_format or default_format,
                           cumulative=self.cumulative)


def fill_format(pattern: str, **values: int) -> str:
    """`pattern` with each {name} of `values` replaced by its value; nothing else is
    interpreted (unlike str.format, no attribute or index look-ups: the pattern is
    untrusted text of the issue)."""
    return re.sub(r"\{([a-z]+)\}",
                  lambda found: str(values[found[1]]) if found[1] in values else found[0],
                  pattern)


@dataclass(frozen=True)
class Issue:
    """One issue: metadata, front matter and the sections in print order."""

    meta: Meta
    sections: tuple[Section, ...]
    board: Board | None = None
    colophon: Colophon | None = None
    source: Path = field(default_factory=lambda: Path("<memory>"))

    @property
    def slug(self) -> str:
        """The file stem used for outputs and baselines, e.g. 2021-10."""
        return self.source.stem

    @property
    def documents(self) -> tuple[Document, ...]:
        return tuple(d for s in self.sections for d in s.documents)

    def document(self, doc_id: str) -> Document:
        """Return the document with `doc_id`; KeyError lists the valid ids."""
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        valid = ", ".join(d.id for d in self.documents)
        raise KeyError(f"no document {doc_id!r} in {self.source}; valid ids: {valid}")
