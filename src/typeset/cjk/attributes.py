"""Pango attributes: what every WeasyPrint text layout gets from the engine.

In:  a WeasyPrint ``text.line_break.Layout`` being set up or given its text.
Out: the same layout with the ``halt`` font feature on compressed punctuation
pairs, letter-spacing (justification, Han–Latin spacing) and allow-breaks
attributes for the clreq line-breaking rules; and the tailored log attributes
(``get_log_attrs``) WeasyPrint uses where it decides between two boxes.  Like
WeasyPrint's own ``text/line_break.py``: text in, Pango state out, no boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

from ..clreq import (
    _HAN_CLASS,
    _SPACES,
    DASHES,
    ELLIPSES,
    NO_LINE_END,
    NO_LINE_START,
    _char_class,
    han_latin_boundaries,
    is_latin_alnum,
    no_break_between,
    pair_halts,
)
from .internals import pango_extra
from .options import OPTIONS
from .properties import strict_breaks, trims_spacing

# -- Pango attributes ---------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    """Final attributes of a one-line layout, set when its line is finished."""
    text: str
    halts: frozenset
    spacing: tuple | None  # letter-spacing per character, Pango units


def remember_base_attributes(layout) -> None:
    from weasyprint.text.ffi import ffi, pango

    extra_ffi, extra = pango_extra()
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        layout._cjk_base = None
    else:
        layout._cjk_base = ffi.gc(
            extra.pango_attr_list_copy(attributes), pango.pango_attr_list_unref)
    layout._cjk_dirty = False


def restore_base_attributes(layout) -> None:
    """Drop the attributes added for the previous text of this layout."""
    if not getattr(layout, "_cjk_dirty", False):
        return
    from weasyprint.text.ffi import ffi, pango

    _, extra = pango_extra()
    base = getattr(layout, "_cjk_base", None)
    if base is None:
        pango.pango_layout_set_attributes(layout.layout, ffi.NULL)
    else:
        pango.pango_layout_set_attributes(
            layout.layout,
            ffi.gc(extra.pango_attr_list_copy(base), pango.pango_attr_list_unref))
    layout._cjk_dirty = False


def _style_spacing(style, char: str) -> float:
    letter_spacing = style["letter_spacing"]
    spacing = 0 if letter_spacing == "normal" else letter_spacing
    if char in _SPACES:
        spacing += style["word_spacing"]
    return spacing


def _pango_spacing(value: float) -> int:
    from weasyprint.text.ffi import TO_UNITS

    units = round(value * TO_UNITS)
    # Pango puts all of a whole-pixel letter-spacing before the glyph (hinting
    # rounding); one unit more keeps both halves equal.
    if units and units % TO_UNITS == 0:
        units += 1
    return units


def _measure_spacing(layout, text: str):
    """Letter-spacing used while breaking lines: Han–Latin spacing estimate.

    Each Han–Latin boundary adds ``han_latin_em`` to the Latin character next
    to it, so the width of the text is right; the exact placement is done when
    the line is finished (see :func:`finish_line`).
    """
    if not OPTIONS.han_latin_space:
        return None
    boundaries = han_latin_boundaries(text)
    if not boundaries:
        return None
    style = layout.style
    amount = OPTIONS.han_latin_em * style["font_size"]
    spacing = [None] * len(text)
    for i in boundaries:
        latin = i if is_latin_alnum(text[i]) else i + 1
        spacing[latin] = (spacing[latin] or _style_spacing(style, text[latin])) + amount
    return [None if value is None else _pango_spacing(value) for value in spacing]


def add_attributes(layout, native_log_attrs) -> None:
    """Add the CJK attributes to a Pango layout whose text was just set."""
    if not OPTIONS.enabled:
        return
    from weasyprint.text.ffi import ffi, pango

    text = layout.text
    if not text:
        return
    spec = getattr(layout, "_cjk_spec", None)
    if spec is not None and spec.text == text:
        halts = spec.halts
        spacing = spec.spacing or _measure_spacing(layout, text)
    else:
        halts = pair_halts(text) if trims_spacing(layout.style) else set()
        spacing = _measure_spacing(layout, text)

    nobreaks = []
    gaps = _pango_gaps_re(native_log_attrs)
    if strict_breaks(layout.style) and gaps.search(text):
        # Where Pango (UAX #14) may break but clreq does not: each attribute
        # splits Pango's runs, so only where Pango would really break.
        log_attrs = native_log_attrs(text, layout.style["lang"])
        nobreaks = [
            match.start() + 1 for match in gaps.finditer(text)
            if log_attrs[match.start() + 1].is_line_break]

    if not (halts or spacing or nobreaks):
        return

    offsets = _utf8_offsets(text)
    if "\x00" in text:  # removed by WeasyPrint before Pango sees the text
        return

    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)

    for start, end in _ranges(sorted(halts)):
        attribute = pango.pango_attr_font_features_new(b"halt 1")
        attribute.start_index, attribute.end_index = offsets[start], offsets[end]
        pango.pango_attr_list_insert(attributes, attribute)

    if spacing:
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or spacing[i] != spacing[start]:
                if spacing[start] is not None:
                    attribute = pango.pango_attr_letter_spacing_new(spacing[start])
                    attribute.start_index = offsets[start]
                    attribute.end_index = offsets[i]
                    pango.pango_attr_list_change(attributes, attribute)
                start = i

    if nobreaks:
        _, extra = pango_extra()
        for i in nobreaks:
            attribute = extra.pango_attr_allow_breaks_new(False)
            attribute.start_index, attribute.end_index = offsets[i - 1], offsets[i + 1]
            pango.pango_attr_list_insert(attributes, attribute)

    pango.pango_layout_set_attributes(layout.layout, attributes)
    layout._cjk_dirty = True


_GAPS_RE = None


def _pango_gaps_re(native_log_attrs):
    """Regex matching the character before each position where Pango's line
    breaking (UAX #14) allows a break that clreq forbids.

    Found once by asking Pango about every mark after and before a Han
    character, so a Pango with different rules is handled too; a number
    followed by a Han character is always included.
    """
    global _GAPS_RE
    if _GAPS_RE is None:
        starts = sorted(
            char for char in NO_LINE_START | DASHES | ELLIPSES
            if native_log_attrs(f"中{char}中", "zh")[1].is_line_break)
        ends = sorted(
            char for char in NO_LINE_END
            if native_log_attrs(f"中{char}中", "zh")[2].is_line_break)
        alternatives = ["[0-9０-９](?=" + _HAN_CLASS + ")"]
        if starts:
            alternatives.append(".(?=" + _char_class(starts) + ")")
        if ends:
            alternatives.append(_char_class(ends) + "(?=.)")
        _GAPS_RE = re.compile("|".join(alternatives), re.DOTALL)
    return _GAPS_RE


_NOT_THREE_BYTES_RE = re.compile("[^\u0800-\uffff]")


def _utf8_offsets(text: str):
    """UTF-8 byte offset of each character of ``text``, and of its end."""
    if not _NOT_THREE_BYTES_RE.search(text):  # all Han and full-width: 3 bytes each
        return range(0, 3 * len(text) + 1, 3)
    return [0, *accumulate(
        1 if char < "\x80" else 2 if char < "\u0800" else 3 if char < "\U00010000" else 4
        for char in text)]


def _ranges(indexes):
    """Group sorted integers into ``(start, end)`` ranges of consecutive ones."""
    ranges = []
    for index in indexes:
        if ranges and ranges[-1][1] == index:
            ranges[-1][1] = index + 1
        else:
            ranges.append([index, index + 1])
    return ranges


def tailor_log_attrs(text: str, log_attrs) -> None:
    for i in range(1, len(text)):
        if log_attrs[i].is_line_break and no_break_between(text[i - 1], text[i]):
            log_attrs[i].is_line_break = 0
