"""Measure the Chinese typography of a rendered WeasyPrint document.

In:  a ``weasyprint.Document`` (``HTML(...).render()``), optionally a CSS
     selector for headings (default ``h1,h2,h3,h4,.heading``).
Out: a :class:`TypoReport`: counts and examples (page number, line text) of

* ``justified_lines``: lines of ``text-align: justify`` blocks (with
  collapsing white space) that are not a paragraph's last line (nor before a
  forced break), and ``ragged_lines``:
  those ending more than 0.5 pt short of the block's content edge;
* ``overfull_lines``: lines ending more than 0.5 pt beyond that edge;
* ``line_start_violations``: a line (not a paragraph's first) starting with a
  closing mark, middle dot, —— or ……;
* ``line_end_violations``: a line (not a paragraph's last) ending with an
  opening mark;
* ``uncompressed_pairs``: two adjacent full-width marks whose blank halves face each
  other (。” ）、 ，“ ...) both advancing 0.9 em or more (an empty pair （） or “” is
  not one: the engine rightly leaves it);
* ``loose_lines``: justified lines of running text (not a paragraph's last line,
  even one spread by ``text-align-last``) with more than ``LOOSE_EM`` (0.15 em) of added
  space after some character (the widest gap of the line: a Han character's
  advance beyond 1 em, or the gap between two text boxes), and ``max_gap_em``, the
  widest such gap of all justified lines;
* ``one_char_last_lines``: a paragraph's last line (of two or more) holding a
  single character, punctuation not counted;
* ``stranded_headings``: a heading followed by fewer than two lines of text in
  its column before the column or page ends (text following elsewhere).

Everything is read from the page box trees: ``LineBox``/``TextBox`` positions
and widths are WeasyPrint's own numbers, glyph advances come from the Pango
layouts that draw the text. Page margin boxes (running headers) are skipped.
Works with or without :mod:`typeset.cjk` enabled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import repeat

from weasyprint.formatting_structure import boxes

from .clreq import (
    CLOSE_LIKE,
    DASHES,
    ELLIPSES,
    NO_LINE_END,
    NO_LINE_START,
    OPEN_LIKE,
    content_length,
    is_han,
    is_latin_alnum,
    is_wide,
    no_break_between,
)

PT = 4 / 3  # CSS px per pt
RAGGED_TOLERANCE_PT = 0.5
FULL_ADVANCE_EM = 0.9
LOOSE_EM = 0.15  # clreq: spacing a justified line opens between characters, at most
KINDS = (
    "ragged", "overfull", "loose", "line_start", "line_end", "uncompressed_pair",
    "one_char_last_line", "stranded_heading")
_PAIRABLE = CLOSE_LIKE | OPEN_LIKE
_OBJECT = "\ufffc"
#: Where two full-width marks face each other (a lookahead: pairs may overlap).
_FACING = re.compile("(?=[{}][{}]|[{}][{}])".format(*(
    re.escape("".join(sorted(chars)))
    for chars in (CLOSE_LIKE, _PAIRABLE, _PAIRABLE, OPEN_LIKE))))


@dataclass
class Example:
    page: int  # 1-based
    text: str


@dataclass
class TypoReport:
    lines: int = 0
    justified_lines: int = 0
    ragged_lines: int = 0
    overfull_lines: int = 0
    loose_lines: int = 0
    loose_unbreakable: int = 0  # loose, but the next line's first unit could not fit
    max_gap_em: float = 0.0
    line_start_violations: int = 0
    line_end_violations: int = 0
    uncompressed_pairs: int = 0
    one_char_last_lines: int = 0
    stranded_headings: int = 0
    pages: int = 0
    examples: dict[str, list[Example]] = field(
        default_factory=lambda: {kind: [] for kind in KINDS})

    @property
    def ragged_share(self) -> float:
        return self.ragged_lines / self.justified_lines if self.justified_lines else 0.0

    def summary(self) -> str:
        return (
            f"pages {self.pages}, lines {self.lines}, justified {self.justified_lines}, "
            f"ragged {self.ragged_lines} ({self.ragged_share:.1%}), "
            f"overfull {self.overfull_lines}, "
            f"loose {self.loose_lines} (+{self.loose_unbreakable} with no better break; "
            f"widest gap {self.max_gap_em:.2f} em), "
            f"line-start {self.line_start_violations}, "
            f"line-end {self.line_end_violations}, "
            f"uncompressed pairs {self.uncompressed_pairs}, "
            f"one-char last lines {self.one_char_last_lines}, "
            f"stranded headings {self.stranded_headings}")


@dataclass
class _Line:
    page: int
    box: object
    block: object
    heading: object  # heading element the line belongs to, or None
    text: str = ""
    chars: list = field(default_factory=list)  # (char, TextBox or None, index)
    first: bool = False
    final: bool = False
    forced: bool = False
    gap: float = 0.0  # widest space justification opened after a character (em)
    facts: dict = field(default_factory=dict)  # what is measured of its box, kept


#: What was measured of each line box in the last check (id of the box: the box, its
#: facts; "engine": the Chinese extension's settings then): a warm preview shows again
#: most pages of the last render, the very line boxes, and their characters, glyph
#: advances and gaps are not measured again.
_MEASURED: dict[int, tuple] = {}


def _measured(line, known: dict, now: dict) -> dict:
    """The facts of `line`'s box measured so far (a dict filled as they are asked)."""
    entry = known.get(id(line.box))
    facts = entry[1] if entry is not None and entry[0] is line.box else {}
    now[id(line.box)] = (line.box, facts)
    return facts


def _fact(line, name: str, measure):
    """`measure(line)`, measured once per line box (see :data:`_MEASURED`)."""
    if name not in line.facts:
        line.facts[name] = measure(line)
    return line.facts[name]


def check_document(document, heading_selector: str = "h1,h2,h3,h4,.heading",
                   max_examples: int = 20, keep: bool = False) -> TypoReport:
    """Walk the rendered ``document`` and count typography problems.  With `keep` (a
    preview, whose next render shows most of these lines again), what is measured of
    each line box is kept for the next check; a line box kept from the last check
    that kept its measures is not measured again."""
    global _MEASURED
    from dataclasses import astuple

    from .cjk.options import OPTIONS

    # glyph advances are the engine's: measured with another setting, they do not hold
    state = astuple(OPTIONS)
    known = _MEASURED if _MEASURED.get("engine") == state else {}
    now = {"engine": state}
    report = TypoReport(pages=len(document.pages))
    headings = _heading_elements(document, heading_selector)
    lines: list[_Line] = []
    for number, page in enumerate(document.pages, 1):
        _collect(page._page_box, number, None, headings, lines)

    def add(kind, line, text=None):
        if len(report.examples[kind]) < max_examples:
            report.examples[kind].append(Example(line.page, text or line.text))

    groups: dict[tuple, list[_Line]] = {}
    for line in lines:
        line.facts = _measured(line, known, now)
        line.chars = _fact(line, "chars", lambda line: _line_chars(line.box))
        line.text = _fact(line, "text", lambda line: "".join(
            [char for char, _, _ in line.chars]))
        line.forced = _ends_with_forced_break(line.box)
        # Fragments of one block (pages, columns) share element and style;
        # anonymous blocks of one element have their own style.
        # A header cell repeated on each page a table crosses is a new block there.
        key = (id(line.block.element), line.block.element_tag, id(line.block.style),
               line.page if line.block.element_tag == "th" else 0)
        groups.setdefault(key, []).append(line)
    for group in groups.values():
        group[0].first = True
        group[-1].final = True

    report.lines = len(lines)
    for line in lines:
        text = line.text.strip(" ")
        style = line.block.style
        # WeasyPrint, like CSS 2, justifies only where white space collapses.
        justified = style["white_space"] in ("normal", "nowrap", "pre-line") and (
            style["text_align_all"] == "justify" and not (line.final or line.forced)
            or style["text_align_last"] == "justify")
        right = line.block.content_box_x() + line.block.width
        end = _line_end(line.box)
        if justified and text:
            report.justified_lines += 1
            if right - end > RAGGED_TOLERANCE_PT * PT:
                report.ragged_lines += 1
                add("ragged", line)
            # running text only: a last line spread on purpose (text-align-last:
            # justify, names padded to three characters) is not loose
            running = style["text_align_all"] == "justify" and not (line.final or line.forced)
            line.gap = (_fact(line, "gap", _widest_gap)
                        if running and _fact(line, "may be loose", _may_be_loose) else 0.0)
            report.max_gap_em = max(report.max_gap_em, line.gap)
        if text and end - right > RAGGED_TOLERANCE_PT * PT:
            report.overfull_lines += 1
            add("overfull", line)
        if text and not line.first and (
                text[0] in NO_LINE_START or text[0] in DASHES or text[0] in ELLIPSES):
            report.line_start_violations += 1
            add("line_start", line)
        if text and not line.final and text[-1] in NO_LINE_END:
            report.line_end_violations += 1
            add("line_end", line)
        pairs = _fact(line, "pairs", _uncompressed_pairs)
        if pairs:
            report.uncompressed_pairs += pairs
            add("uncompressed_pair", line)

    for group in groups.values():
        for line, following in zip(group, group[1:], strict=False):
            if line.gap > LOOSE_EM:
                if _next_unit_fits(line, following):
                    report.loose_lines += 1
                    add("loose", line, f"{line.text} ({line.gap:.2f} em)")
                else:
                    report.loose_unbreakable += 1
        last = group[-1]
        if len(group) > 1 and last.heading is None and content_length(last.text) == 1:
            report.one_char_last_lines += 1
            add("one_char_last_line", last, group[-2].text + " / " + last.text)

    _check_headings(lines, report, add)
    _MEASURED = now if keep else {}
    return report


def _heading_elements(document, selector):
    import cssselect2

    root = None
    for page in document.pages:
        for box in page._page_box.descendants():
            if getattr(box, "is_for_root_element", False):
                root = box.element
                break
        if root is not None:
            break
    if root is None or not selector:
        return set()
    compiled = cssselect2.compile_selector_list(selector)
    wrapper = cssselect2.ElementWrapper.from_html_root(root)
    return {
        id(element.etree_element) for element in wrapper.iter_subtree()
        if any(selector.test(element) for selector in compiled)}


def _collect(box, page, heading, headings, lines, block=None):
    if isinstance(box, boxes.MarginBox):
        return
    element = getattr(box, "element", None)
    if element is not None and id(element) in headings and isinstance(
            box, boxes.BlockContainerBox) and heading is None:
        heading = element
    if isinstance(box, boxes.LineBox):
        lines.append(_Line(page, box, block, heading))
    for child in getattr(box, "children", ()):
        if isinstance(child, boxes.Box):
            _collect(
                child, page, heading, headings, lines,
                box if isinstance(box, boxes.BlockContainerBox) else block)


def _line_chars(box, chars=None):
    """Characters of a line: (char, TextBox, index in its text)."""
    chars = [] if chars is None else chars
    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, boxes.TextBox):
            text = child.text
            chars.extend(zip(text, repeat(child, len(text)), range(len(text)), strict=True))
        elif isinstance(child, boxes.InlineBox):
            _line_chars(child, chars)
        else:
            chars.append((_OBJECT, None, -1))
    return chars


def _ends_with_forced_break(line):
    box = line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        if box.element_tag == "br":
            return True
        box = box.children[-1]
    return box.element_tag == "br" or (
        isinstance(box, boxes.TextBox) and box.text.endswith("\n"))


def _line_end(box):
    """Right edge of the in-flow content of a line."""
    end = box.position_x
    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, boxes.InlineBox):
            end = max(end, _line_end(child), child.position_x + child.margin_width())
        else:
            end = max(end, child.position_x + child.margin_width())
    return end


def glyph_advances(textbox) -> list[float]:
    """Advance (px) of each character of ``textbox`` as drawn.

    The advance of a cluster goes to its first character; letter-spacing and
    OpenType positioning (``halt``) are included.
    """
    return [advance for advance, _ in glyph_geometry(textbox)]


def glyph_geometry(textbox) -> list[tuple[float, float]]:
    """``(advance, x_offset)`` in px of each character of ``textbox``.

    The glyph of character i is drawn at the pen position (``position_x`` plus
    the advances before it) plus ``x_offset``; Pango puts the left half of a
    character's letter-spacing in its offset.
    """
    from weasyprint.text.ffi import FROM_UNITS, ffi

    layout = textbox.pango_layout
    layout.reactivate(textbox.style)
    try:
        text = layout.text
        byte_to_char = {}
        offset = 0
        for i, char in enumerate(text):
            byte_to_char[offset] = i
            offset += len(char.encode())
        geometry = [[0.0, 0.0] for _ in text]
        first_line, _ = layout.get_first_line()
        run = first_line.runs
        while run != ffi.NULL:
            glyph_item = run.data
            run = run.next
            glyphs = glyph_item.glyphs
            for i in range(glyphs.num_glyphs):
                start = glyph_item.item.offset + glyphs.log_clusters[i]
                index = byte_to_char.get(start)
                if index is not None:
                    info = glyphs.glyphs[i].geometry
                    if not geometry[index][0]:
                        geometry[index][1] = info.x_offset * FROM_UNITS
                    geometry[index][0] += info.width * FROM_UNITS
    finally:
        layout.deactivate()
    if len(geometry) != len(textbox.text):
        return [(0.0, 0.0)] * len(textbox.text)
    return [tuple(item) for item in geometry]


def _may_be_loose(line) -> bool:
    """False when the line cannot be loose, from box widths alone (no glyph look-up):
    with every Han character at its natural 1 em, every mark at its narrowest (½ em)
    and everything else at nothing, the space left over, shared by the gaps after its
    wide characters, is at most LOOSE_EM each."""
    if any(box is None for _, box, _ in line.chars):
        return True  # an inline block: measure exactly
    extra = 0.0
    wide = 0
    size = 0.0
    for box in {id(b): b for _, b, _ in line.chars}.values():
        size = box.style["font_size"]
        natural = 0.0
        for char in box.text:
            if char in _PAIRABLE:
                natural += size / 2
                wide += 1
            elif is_wide(char):
                natural += size
                wide += 1
        extra += box.width - natural
    if not size or wide < 2:
        return wide >= 2
    return extra / (wide - 1) > LOOSE_EM * size


def _widest_gap(line) -> float:
    """The widest space (em) justification opened after a character of `line`: a Han
    character's advance beyond its 1 em, or the gap between two text boxes (the space
    put between Han text and a run of digits or Latin letters; an inline box's own
    margins and padding, such as after 第一条, are the layout's, not a gap).  The
    line's last character does not count (its advance is the line's end)."""
    widest = 0.0
    chars: list[tuple[str, float]] = []
    end: float | None = None  # where the previous text ended, or an inline box's edge

    def walk(box) -> None:
        nonlocal widest, end
        for child in box.children:
            if not child.is_in_normal_flow():
                continue
            if isinstance(child, boxes.TextBox):
                size = child.style["font_size"]
                if not size or not child.text:
                    continue
                if end is not None and child.text.strip():
                    widest = max(widest, (child.position_x - end) / size)
                chars.extend((char, advance / size) for char, advance in
                             zip(child.text, glyph_advances(child), strict=False))
                end = child.position_x + child.width
            elif isinstance(child, boxes.InlineBox):
                if end is not None and child.style["font_size"]:
                    widest = max(widest, (child.position_x - end) / child.style["font_size"])
                end = child.content_box_x()
                walk(child)
                end = child.position_x + child.margin_width()
            else:
                end = child.position_x + child.margin_width()

    walk(line.box)
    for char, advance_em in chars[:-1]:
        if is_han(char):
            widest = max(widest, advance_em - 1)
    return widest


def _next_unit_fits(line, following) -> bool:
    """Could the first unbreakable unit of the next line (a number with its unit,
    2021年; a Latin word; a mark that may not start a line with what it follows) have
    come up onto `line`, in the room its spacing and its still full-width punctuation
    (which clreq halves before expanding) would give?  If not, no legal break makes
    the line tighter, and it is not counted as loose."""
    text = following.text
    end = len(text)
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if not (no_break_between(a, b) or (is_latin_alnum(a) and is_latin_alnum(b))
                or a in "“‘" or b in "”’" or (a in ".,:" and b.isdigit())
                or (a.isdigit() and b in ".,%")):
            end = i
            break
    if following.final and content_length(text) - content_length(text[:end]) < 2:
        return False  # the unit would leave one character on the paragraph's last line
    size = line.block.style["font_size"]
    unit = 0.0
    advances = {}
    for char, box, index in following.chars[:end]:
        if box is None:
            return False  # an inline block: leave it
        if is_wide(char):
            unit += size * (0.5 if char in CLOSE_LIKE and index == end - 1 else 1)
        else:
            if id(box) not in advances:
                advances[id(box)] = glyph_advances(box)
            unit += advances[id(box)][index]

    room = 0.0
    full = 0
    for char, box, index in line.chars:
        if box is None:
            continue
        if id(box) not in advances:
            advances[id(box)] = glyph_advances(box)
        advance = advances[id(box)][index]
        font_size = box.style["font_size"]
        if char in _PAIRABLE and advance >= FULL_ADVANCE_EM * font_size:
            full += 1
            room += max(0.0, advance - font_size)
        elif is_wide(char):
            room += max(0.0, advance - font_size)
    room += full * size / 2
    return unit <= room + 0.05 * size


def _uncompressed_pairs(line):
    cache = {}

    def advance(box, index):
        if id(box) not in cache:
            cache[id(box)] = glyph_advances(box)
        return cache[id(box)][index]

    count = 0
    chars = line.chars
    # a pair whose blank halves face each other (。” ）、 ，“): an empty pair （） or “”
    # has its blank halves outside and is rightly left alone
    for match in _FACING.finditer(line.text):
        k = match.start()
        (_, box_a, i), (_, box_b, j) = chars[k], chars[k + 1]
        if box_a is not None and box_b is not None:
            full_a = advance(box_a, i) >= FULL_ADVANCE_EM * box_a.style["font_size"]
            full_b = advance(box_b, j) >= FULL_ADVANCE_EM * box_b.style["font_size"]
            if full_a and full_b:
                count += 1
    return count


def _check_headings(lines, report, add):
    last_of_heading = {}
    for index, line in enumerate(lines):
        if line.heading is not None:
            last_of_heading[id(line.heading)] = index
    for index in sorted(last_of_heading.values()):
        line = lines[index]
        left = line.block.content_box_x()
        right = left + line.block.width
        bottom = line.box.position_y + line.box.height
        following = []  # the heading's own text: the lines up to the next heading
        for other in (lines[k] for k in range(index + 1, len(lines))):  # no copy of lines
            if other.heading is not None:
                break
            following.append(other)
        if not following:
            continue  # nothing after it before the next heading
        count = 0
        for other in following:
            if other.page != line.page:
                break
            other_left = other.block.content_box_x()
            other_right = other_left + other.block.width
            if (other.box.position_y >= bottom - 0.01
                    and other_left < right and other_right > left):
                count += 1
        if count < min(2, len(following)):  # its text (or 2 lines of it) went elsewhere
            report.stranded_headings += 1
            add("stranded_heading", line)


@dataclass
class Overflow:
    """A run of text printed outside where it belongs."""

    page: int  # 1-based
    where: str  # "off the page" or "past its column or box by N pt"
    text: str


def overflows(document, tolerance_pt: float = 1.0) -> list[Overflow]:
    """Text of ``document`` that leaves the page, or runs past the right edge of its block.

    In: a rendered ``weasyprint.Document``.  Out: one `Overflow` per text box that
    lies partly off the page (the cover pushed up by a tall board, a vertical slogan
    longer than the page) or ends more than ``tolerance_pt`` past its block's content
    box (a ``<nobr>`` wider than its column, a string with no break at all), in page
    order.  Every block counts, not only justified text: columns, table cells, the
    cover's boxes, margin boxes.  A hanging indent (negative text-indent) is allowed.
    """
    tolerance = tolerance_pt * PT
    found: list[Overflow] = []

    def walk(box, block, page_number, width, height):
        if isinstance(box, boxes.TextBox):
            x0, x1 = box.position_x, box.position_x + box.width
            y0, y1 = box.position_y, box.position_y + box.height
            if (x0 < -tolerance or y0 < -tolerance or x1 > width + tolerance
                    or y1 > height + tolerance):
                found.append(Overflow(page_number, "off the page", box.text))
            elif block is not None:
                right = block.content_box_x() + block.width
                if x1 > right + tolerance:
                    found.append(Overflow(page_number, f"past its column or box by "
                                          f"{(x1 - right) / PT:.1f} pt", box.text))
            return
        if isinstance(box, boxes.BlockContainerBox) and not isinstance(box, boxes.PageBox):
            block = box
        for child in getattr(box, "children", ()):
            walk(child, block, page_number, width, height)

    for number, page in enumerate(document.pages, 1):
        walk(page._page_box, None, number, page.width, page.height)
    return found
