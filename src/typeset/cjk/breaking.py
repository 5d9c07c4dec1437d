"""Where a line ends: the engine's choices on top of Pango's line breaking.

In:  WeasyPrint's ``split_text_box`` result for a text box and a width.
Out: the same or a longer/shorter split: push-in of a line-end closing mark,
"reduce before expanding" (take more text with marks set half-width rather than
open wide gaps), and the paragraph-shape rule (no single character on a
paragraph's last line); :func:`mark_paragraph_end` marks which box ends a
paragraph.
"""

from __future__ import annotations

from ..clreq import (
    CLOSE_LIKE,
    OPEN_LIKE,
    char_index,
    content_length,
    is_wide,
    pair_halts,
    squeeze,
)
from .lines import _layout_text
from .options import _HALF, OPTIONS, SQUEEZE_FROM_EM
from .properties import inter_character, trims_spacing

# -- Push-in: reduce before expanding -------------------------------------------

def push_in(original, result, context, box, available_width, skip, is_line_start):
    """Keep a chunk ending with a closing mark on a loose justified line.

    Pango breaks before 比例。 when the full-width 。 does not fit; set
    half-width at the line end it may fit, and the line needs far less
    spacing. Tried only on lines at least 1 em short.
    """
    new_box, resume, preserved = result
    style = box.style
    if (not OPTIONS.enabled or resume is None or preserved or new_box is None
            or available_width is None or style["text_align_all"] != "justify"
            or style["white_space"] not in ("normal", "nowrap", "pre-line")
            or not (inter_character(style) and trims_spacing(style))
            or available_width - new_box.width < style["font_size"]):
        return result
    start = char_index(box.text, resume)
    if not any(char in CLOSE_LIKE for char in box.text[start:start + 4]):
        return result
    retry = original(
        context, box, available_width + style["font_size"] / 2, skip, is_line_start)
    retry_box, retry_resume, retry_preserved = retry
    if (retry_box is None or retry_preserved
            or len(retry_box.text) <= len(new_box.text)
            or retry_box.text[-1] not in CLOSE_LIKE):
        return result
    text = retry_box.text
    layout, width = _layout_text(
        retry_box, text, frozenset(pair_halts(text) | {len(text) - 1}), None)
    if width > available_width + 0.01:
        return result
    retry_box.pango_layout = layout
    retry_box.width = width
    return retry


def squeeze_in(original, result, context, box, available_width, skip, is_line_start,
                shorter_than: int | None = None):
    """Take more text on a loose justified line when halving its punctuation makes
    room for it (clreq: reduce before expanding).

    Tried only where the line as broken would open more than `SQUEEZE_FROM_EM` on
    average between its wide characters (its widest gap is then near `LOOSE_EM`).
    Pango is asked for a line as much wider as the line's marks could give back; the
    longest such line (of up to four tries, one chunk shorter each) is kept if, with
    marks set half-width in `squeeze_order`, it fits the column (and, asked by the
    last-line rule, is still shorter than the line it refused).  `finish_line` sets
    the same marks.
    """
    new_box, resume, preserved = result
    style = box.style
    if (not (OPTIONS.enabled and OPTIONS.squeeze) or resume is None or preserved
            or new_box is None or available_width is None
            or style["text_align_all"] != "justify"
            or style["white_space"] not in ("normal", "nowrap", "pre-line")
            or not (inter_character(style) and trims_spacing(style))):
        return result
    size = style["font_size"]
    # the gaps that take justification: between wide characters (digits and Latin
    # words do not open up)
    gaps = max(sum(is_wide(char) for char in new_box.text) - 1, 1)
    # (the widest gap exceeds the mean: halved marks and digits take less spacing)
    if available_width - new_box.width <= SQUEEZE_FROM_EM * size * gaps:
        return result
    start = char_index(box.text, resume)
    ahead = box.text[start:start + 12]
    marks = sum(char in CLOSE_LIKE or char in OPEN_LIKE for char in new_box.text + ahead)
    if not marks:
        return result
    ask = available_width + marks * size / 2 * _HALF
    for _ in range(4):  # the longest line that fits, one chunk shorter at each try
        retry, natural = _squeezed(original, context, box, available_width, ask, skip,
                                   is_line_start)
        if retry is None or len(retry[0].text) <= len(new_box.text):
            return result
        if retry[0].width <= available_width + 0.01 and (
                shorter_than is None or len(retry[0].text) < shorter_than):
            return retry
        ask = natural - 0.01  # ask again for less than that line
    return result


def _squeezed(original, context, box, available_width, ask, skip, is_line_start):
    """The line Pango breaks in the width `ask`, laid out with as many of its marks set
    half-width as it needs to fit `available_width` (its width may still exceed it),
    and the width Pango measured it at; (None, 0) when there is no such line."""
    half = box.style["font_size"] / 2 * _HALF
    retry = original(context, box, ask, skip, is_line_start)
    retry_box, retry_resume, retry_preserved = retry
    if retry_box is None or retry_preserved:
        return None, 0.0
    natural = retry_box.width
    text = retry_box.text
    halts = pair_halts(text)
    if text[-1] in CLOSE_LIKE and retry_resume is not None:
        halts.add(len(text) - 1)
    layout, width = _layout_text(retry_box, text, frozenset(halts), None)
    squeezed = squeeze(text, halts, width - available_width, half)
    if squeezed is not None and squeezed != halts:
        layout, width = _layout_text(retry_box, text, frozenset(squeezed), None)
    retry_box.pango_layout = layout
    retry_box.width = width if squeezed is not None else max(width, ask + 1)
    return retry, natural


def squeeze_rest(original, result, context, box, available_width, skip, is_line_start):
    """A paragraph whose last line would hold one character ends on this line instead
    when halving punctuation makes the rest fit (before the last-line rule moves a
    character down and leaves this line loose).  None when it does not fit."""
    new_box, resume, preserved = result
    style = box.style
    if (not (OPTIONS.enabled and OPTIONS.squeeze and OPTIONS.last_line_min_chars)
            or resume is None or preserved or new_box is None or available_width is None
            or not getattr(box, "_cjk_paragraph_end", False)
            or style["text_align_all"] != "justify"
            or not (inter_character(style) and trims_spacing(style))):
        return None
    start = char_index(box.text, resume)
    if content_length(box.text, start, limit=2) != 1:
        return None
    rest = box.text[start:]
    if len(rest) > 8:
        return None
    marks = sum(char in CLOSE_LIKE or char in OPEN_LIKE for char in new_box.text + rest)
    ask = available_width + marks * style["font_size"] / 2 * _HALF
    retry, _ = _squeezed(original, context, box, available_width, ask, skip, is_line_start)
    if retry is None or retry[1] is not None or retry[0].width > available_width + 0.01:
        return None
    return retry


# -- Paragraph shape: no single character on a last line -----------------------

def mark_paragraph_end(linebox) -> None:
    """Mark the last text box of a block's inline content."""
    from weasyprint.formatting_structure import boxes

    def counts(child) -> bool:
        # white space that collapses away (markup between the last word and the end
        # of the block) does not end the paragraph: the word before it does
        return child.is_in_normal_flow() and not (
            isinstance(child, boxes.TextBox) and not child.text.strip(" \t\n")
            and child.style["white_space"] in ("normal", "nowrap", "pre-line"))

    box = linebox
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        children = [child for child in box.children if counts(child)]
        if not children:
            return
        box = children[-1]
    if isinstance(box, boxes.TextBox):
        box._cjk_paragraph_end = True


def last_line_shape(original, result, context, box, available_width, skip,
                     is_line_start):
    """Break one opportunity earlier when only one character would be left."""
    new_box, resume, preserved = result
    if (not (OPTIONS.enabled and OPTIONS.last_line_min_chars)
            or resume is None or preserved or new_box is None
            or available_width is None
            or not getattr(box, "_cjk_paragraph_end", False)):
        return result
    # The rest of the paragraph can be most of a long one: read only up to its
    # second content character, and all of it only when it holds just one.
    start = char_index(box.text, resume)
    if content_length(box.text, start, limit=2) != 1:
        return result
    rest = box.text[start:]
    if ("\n" in rest
            or not any(is_wide(char) for char in rest)
            or content_length(new_box.text) < 4):
        return result
    retry = original(context, box, new_box.width - 0.01, skip, is_line_start)
    retry_box, retry_resume, retry_preserved = retry
    if retry_box is None or retry_resume is None or retry_preserved:
        return result
    retry_rest = box.text[char_index(box.text, retry_resume):]
    if (content_length(retry_rest) < 2
            or retry_box.width < 0.6 * new_box.width
            or content_length(retry_rest) > content_length(new_box.text)):
        return result
    return retry
