"""What the DOCX reader hands the recogniser: plain records of paragraphs and tables.

In: nothing (these are the types).  Out: `Docx` holding `Para` and `TableRec` records
in reading order, each with the formatting Word resolves for it (styles and defaults
applied), and nothing recognised yet.  The recogniser reads only these types, so it
never imports python-docx.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Run:
    """A piece of a paragraph with one formatting.

    kind: "text", "br" (a soft line break, w:br), or "image" (`image` indexes
    `Docx.images`).  `font` is the East Asian face Word uses for Chinese text
    (仿宋_GB2312, 黑体, …; "" when the file does not say), `size` in points.
    """

    kind: str
    text: str = ""
    font: str = ""
    size: float = 0.0
    bold: bool = False
    color: str = ""  # RRGGBB, "" for automatic
    vert: str = ""  # "", "sup" or "sub"
    image: int = -1


@dataclass(frozen=True)
class Para:
    """One Word paragraph: its runs and the paragraph formatting Word applies to it.

    index:       the paragraph's number in the file, 1-based, in document order,
                 counting paragraphs in tables and text boxes too (messages name it).
    align:       "left", "center", "right", "both" (justified) or "distribute".
    first_line:  first-line indent in points (negative for a hanging indent).
    left, right: paragraph indents in points.
    size:        the paragraph's main font size in points (its mark's, else its first
                 run's).
    numbering:   the text of Word's automatic number or bullet ("1.", "一、", "●"), "" when
                 none; `bullet` says it is a bullet.
    page_break:  a page or section break comes before this paragraph.
    outline:     the outline level Word gives it (0 for Heading 1), None when none.
    where:       "body", "table" or "textbox".
    """

    index: int
    runs: tuple[Run, ...]
    align: str = "left"
    first_line: float = 0.0
    left: float = 0.0
    right: float = 0.0
    size: float = 0.0
    style: str = ""
    outline: int | None = None
    numbering: str = ""
    bullet: bool = False
    page_break: bool = False
    where: str = "body"
    border_below: bool = False

    @property
    def text(self) -> str:
        """The paragraph's characters with soft breaks as "\\n" (numbering not included)."""
        return "".join(r.text if r.kind == "text" else "\n" if r.kind == "br" else ""
                       for r in self.runs)

    @property
    def images(self) -> tuple[int, ...]:
        return tuple(r.image for r in self.runs if r.kind == "image")


@dataclass(frozen=True)
class Cell:
    """A table cell as laid out on Word's grid: first column, spans, paragraphs."""

    column: int
    colspan: int
    rowspan: int
    paras: tuple[Para, ...]


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell, ...]
    header: bool = False  # Word repeats it at the top of each page (w:tblHeader)


@dataclass(frozen=True)
class TableRec:
    """A Word table: its grid's column widths (points) and its rows.

    index: the table's number in the file, 1-based; `first_para` the number of its
    first paragraph.  Cells covered by a vertical merge are not in `rows`: the cell
    that starts the merge carries the rowspan.
    """

    index: int
    first_para: int
    widths: tuple[float, ...]
    rows: tuple[Row, ...]
    page_break: bool = False


@dataclass(frozen=True)
class Image:
    """An embedded picture: its bytes, the kind found by its signature (png, jpeg, gif,
    webp; "" when none of these), its printed width in points (0 when unknown) and the
    alternative text Word keeps for it (Alt Text: the drawing's description or title)."""

    data: bytes
    kind: str
    width: float = 0.0
    alt: str = ""


@dataclass
class Docx:
    """Everything read from one file, in reading order, with what was left aside."""

    blocks: list[Para | TableRec] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # header and footer texts, not content
    text_width: float = 0.0  # points between the margins of the first section
    paragraphs: int = 0
    notes: list[str] = field(default_factory=list)  # what the reader left out, and why
