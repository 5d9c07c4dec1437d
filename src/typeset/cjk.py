"""Chinese typesetting for WeasyPrint: justification, punctuation, line breaking.

WeasyPrint justifies only at spaces, so a Chinese line (which has none) stays
ragged; it also has no punctuation compression and leaves some clreq
line-breaking rules to Pango. This module patches WeasyPrint *in process*:

In:  nothing but a call to :func:`enable` before ``HTML(...).render()`` /
     ``write_pdf()``; the HTML/CSS is unchanged (``text-align: justify``,
     ``lang="zh-CN"``, a CJK font with the OpenType ``halt`` feature, such as
     Noto Serif/Sans CJK).
Out: the same WeasyPrint boxes and PDF, with

1. inter-character justification: on justified lines containing CJK the spare
   width goes between characters (Pango letter-spacing on CJK characters and
   spaces, never inside a Latin word, a number, —— or ……), so every line but a
   paragraph's last ends flush with the column (also in table cells and
   inline blocks);
2. punctuation compression: of two adjacent full-width marks (。” ）、 》，
   ，“ ...) the one whose blank half faces the other gets the font's ``halt``
   feature (1.5 em for the pair), and a closing mark ending a justified line is
   set half-width, the line still justified; "reduce before expanding": a line
   that would open more than 0.15 em between characters takes more text when
   setting some of its marks half-width (closing marks from the line's end, then
   opening ones) makes it fit, also where the paragraph's last line would
   otherwise hold one character;
3. clreq "GB" line breaking on top of Pango's UAX #14: no closing mark or
   middle dot at a line start, no opening mark at a line end, —— and ……
   never split nor at a line start, a number kept with the Han character
   that follows it (2021年, 18号);
4. optional Han–Latin spacing (``enable(han_latin_space=True)``): 1/4 em
   between a Han character and a Latin letter or digit, never at a line edge;
5. no character is inserted: spacing is Pango letter-spacing or box
   positioning, so text extracted from the PDF is the source text;
6. paragraph shape: the last line of a paragraph gets at least two
   characters where the line before can give one up.

Hooks (all in WeasyPrint 70.x; :func:`check_internals` verifies them):

* ``text.line_break.Layout.setup`` / ``Layout.set_text``: add Pango attributes
  (``halt`` font feature, letter-spacing, allow-breaks) to every layout, used
  for measuring and, via ``Layout.reactivate``, for drawing;
* ``text.line_break.get_log_attrs``: the same break rules where WeasyPrint
  decides between two boxes (``can_break_text``);
* ``layout.inline.text_align``: per finished line, before its alignment:
  compression across boxes, line-end half-width mark, justification;
* ``layout.inline.split_text_box``: push-in of a line-end mark, reduce before
  expanding, and with ``layout.block.iter_line_boxes`` (which marks a
  paragraph's last text box) the last-line rule;
* ``layout.block.columns_layout`` (with ``block_box_layout`` and
  ``resolve_percentages``): :mod:`typeset.columns`, multi-column layout that lays
  each column out once where it can, and where a block starting a column loses
  its top margin (``margin-break: discard``), as at a page break.

Cost: this module's own work on a line is in proportion to the line, never to
the rest of its paragraph (WeasyPrint gives positions in a paragraph as UTF-8
byte offsets; :func:`char_index` converts them without encoding the
paragraph). WeasyPrint itself re-encodes the rest of a paragraph for each line
(also when the push-in asks it for a line again), so a huge paragraph's time
grows as WeasyPrint's own does, about quadratically (``bench/run.py --huge``).

Known limits: justification is computed per line after Pango chose the breaks
(no paragraph-wide optimisation); right-to-left lines, lines with leaders,
tabs or preserved newlines are left to WeasyPrint; a gap of 0.1 em or more
(Han–Latin spacing, very loose lines) is read as a word space by PDF text
extractors such as pypdf and poppler; Pango's UAX #14 forbids breaks on both
sides of “” ‘’, which clreq allows next to Han characters.

Written for WeasyPrint 70.0 with Pango 1.50 (:data:`SUPPORTED_WEASYPRINT`).
:func:`enable` refuses other versions and raises :class:`RuntimeError` when
a patched function or attribute is missing or its signature changed.
"""

from __future__ import annotations

import functools
import inspect
import re
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate

from . import columns
from .clreq import (  # noqa: F401 -- the engine's vocabulary, re-exported
    _CONTENT_RE,
    _HAN_CLASS,
    _OBJECT,
    _PAIR_RE,
    _PAIRABLE,
    _SPACES,
    CLOSE_LIKE,
    DASHES,
    ELLIPSES,
    LOOSE_EM,
    NO_LINE_END,
    NO_LINE_START,
    OPEN_LIKE,
    _char_class,
    _is_digit,
    char_index,
    content_length,
    han_latin_boundaries,
    is_han,
    is_latin_alnum,
    is_wide,
    justification_weight,
    no_break_between,
    pair_halts,
    squeeze,
    squeeze_order,
)

SUPPORTED_WEASYPRINT = ("70.",)

#: Space added between Han and Latin letters/digits when enabled, in em.
HAN_LATIN_SPACE_EM = 0.25

#: Gaps put between two boxes are kept below this (in em) when the spare
#: width allows it: PDF text extractors (pypdf, poppler) read a positioning gap
#: of about 0.1 em or more as a word space.
_MAX_BOX_GAP_EM = 0.09
#: A line wider than its column by more than this (CSS px) is tightened evenly.
_OVERFULL_TOLERANCE = 0.05

#: A line is tried longer once its mean gap would exceed this (em).
SQUEEZE_FROM_EM = 0.1
#: What halving a mark gives back, as a share of its half em (a safety margin for
#: fonts whose halt forms are not exactly half).
_HALF = 0.98


@dataclass
class _Options:
    enabled: bool = False
    han_latin_space: bool = False
    han_latin_em: float = HAN_LATIN_SPACE_EM
    last_line_min_chars: bool = True
    squeeze: bool = True  # reduce before expanding: halve marks to take more text


_OPTIONS = _Options()
_ORIGINALS: dict[str, object] = {}
_PANGO_EXTRA = None  # (ffi, lib) for Pango functions WeasyPrint does not declare

# (dotted path, expected parameter names) of everything patched or relied on.
_EXPECTED_SIGNATURES = {
    "weasyprint.text.line_break.Layout.__init__":
        ["self", "style", "justification_spacing", "max_width"],
    "weasyprint.text.line_break.Layout.setup": ["self", "style"],
    "weasyprint.text.line_break.Layout.set_text": ["self", "text", "justify"],
    "weasyprint.text.line_break.Layout.get_first_line": ["self"],
    "weasyprint.text.line_break.Layout.deactivate": ["self"],
    "weasyprint.text.line_break.Layout.reactivate": ["self", "style"],
    "weasyprint.text.line_break.get_log_attrs": ["text", "lang"],
    "weasyprint.text.line_break.line_size": ["line", "style"],
    "weasyprint.layout.inline.text_align":
        ["context", "line", "available_width", "last"],
    "weasyprint.layout.inline.split_text_box":
        ["context", "box", "available_width", "skip", "is_line_start"],
    "weasyprint.layout.block.iter_line_boxes":
        ["context", "box", "position_y", "bottom_space", "skip_stack",
         "containing_block", "absolute_boxes", "fixed_boxes",
         "first_letter_style", "first_line_style"],
    "weasyprint.layout.block.block_box_layout":
        ["context", "box", "bottom_space", "skip_stack", "containing_block",
         "page_is_empty", "absolute_boxes", "fixed_boxes", "adjoining_margins",
         "first_letter_style", "first_line_style", "discard", "max_lines"],
    "weasyprint.layout.block.resolve_percentages": ["box", "containing_block"],
    "weasyprint.layout.block.columns_layout":
        ["context", "box", "bottom_space", "skip_stack", "containing_block",
         "page_is_empty", "absolute_boxes", "fixed_boxes", "adjoining_margins",
         "first_letter_style", "first_line_style"],
    "weasyprint.layout.column._create_column_box":
        ["box", "containing_block", "children", "width", "position_y"],
    "weasyprint.layout.block.remove_placeholders":
        ["context", "box_list", "absolute_boxes", "fixed_boxes"],
}
_PANGO_FUNCTIONS = (
    "pango_attr_font_features_new", "pango_attr_letter_spacing_new",
    "pango_attr_list_new", "pango_attr_list_insert", "pango_attr_list_change",
    "pango_layout_get_attributes", "pango_layout_set_attributes",
)


def _resolve(path: str):
    import importlib

    parts = path.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def _original(path: str):
    return _ORIGINALS.get(path) or _resolve(path)


def check_internals() -> None:
    """Check that the WeasyPrint internals this module patches are as expected.

    Raises :class:`RuntimeError` naming what is missing or changed (WeasyPrint
    version, function, signature, box attribute, Pango function).
    """
    problems = []
    try:
        import weasyprint
    except ImportError as exception:  # pragma: no cover
        raise RuntimeError(
            f"typeset.cjk: WeasyPrint cannot be imported: {exception}") from exception
    version = getattr(weasyprint, "__version__", "?")
    if not version.startswith(SUPPORTED_WEASYPRINT):
        problems.append(
            f"WeasyPrint {version} is not a supported version "
            f"{SUPPORTED_WEASYPRINT}")
    for path, expected in _EXPECTED_SIGNATURES.items():
        try:
            function = _original(path)
        except (ImportError, AttributeError):
            problems.append(f"{path} is missing")
            continue
        try:
            parameters = list(inspect.signature(function).parameters)
        except (TypeError, ValueError):  # pragma: no cover
            problems.append(f"{path} has no inspectable signature")
            continue
        if parameters != expected:
            problems.append(f"{path}{tuple(parameters)} is not {tuple(expected)}")
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.text import ffi as ffi_module

        for name in ("TextBox", "LineBox", "InlineBox", "AtomicInlineLevelBox"):
            if not hasattr(boxes, name):
                problems.append(f"weasyprint.formatting_structure.boxes.{name} is missing")
        if not hasattr(boxes.TextBox, "justification_spacing"):
            problems.append("TextBox.justification_spacing is missing")
        if not hasattr(boxes.TextBox, "copy_with_text"):
            problems.append("TextBox.copy_with_text is missing")
        for name in ("ffi", "pango", "TO_UNITS", "FROM_UNITS"):
            if not hasattr(ffi_module, name):
                problems.append(f"weasyprint.text.ffi.{name} is missing")
        for name in _PANGO_FUNCTIONS:
            try:
                getattr(ffi_module.pango, name)
            except AttributeError:
                problems.append(f"Pango function {name} is not declared by WeasyPrint")
        ffi_module.ffi.typeof("PangoAttribute *")
        ffi_module.ffi.typeof("PangoGlyphItem *")
        _pango_extra()
        if ffi_module.pango.pango_version() < 14400:
            problems.append("Pango >= 1.44 is needed (allow-breaks attribute)")
    except Exception as exception:  # noqa: BLE001
        problems.append(f"WeasyPrint text internals unusable: {exception!r}")
    if problems:
        raise RuntimeError(
            "typeset.cjk cannot patch this WeasyPrint (written for "
            f"{', '.join(SUPPORTED_WEASYPRINT)}x): " + "; ".join(problems))


def _pango_extra():
    """Pango functions that WeasyPrint's cffi declarations lack."""
    global _PANGO_EXTRA
    if _PANGO_EXTRA is None:
        import cffi
        from weasyprint.text.ffi import ffi

        extra_ffi = cffi.FFI()
        extra_ffi.include(ffi)  # share PangoAttribute, PangoAttrList types
        extra_ffi.cdef("""
            PangoAttribute * pango_attr_allow_breaks_new (gboolean allow_breaks);
            PangoAttrList * pango_attr_list_copy (PangoAttrList *list);
        """)
        lib = None
        for name in ("libpango-1.0.so.0", "libpango-1.0-0", "pango-1.0",
                     "libpango-1.0.dylib", "libpango-1.0-0.dll"):
            try:
                lib = extra_ffi.dlopen(name)
                break
            except OSError:
                continue
        if lib is None:
            raise RuntimeError("typeset.cjk: cannot open the Pango library")
        _PANGO_EXTRA = (extra_ffi, lib)
    return _PANGO_EXTRA


# -- Public API ---------------------------------------------------------------

def enable(han_latin_space: bool = False, *, han_latin_em: float = HAN_LATIN_SPACE_EM,
           last_line_min_chars: bool = True, squeeze: bool = True) -> None:
    """Patch WeasyPrint for Chinese text (idempotent; later calls update options).

    ``han_latin_space``: put ``han_latin_em`` (default 1/4 em) between Han and
    Latin letters or digits. PDF text extractors read such a gap (0.1 em or
    more) as a word space, so extracted text then has spaces there.
    ``last_line_min_chars``: give a paragraph's last line at least two
    characters where possible.
    ``squeeze``: reduce before expanding: a line that would be loose (more than
    ``LOOSE_EM`` between characters) takes more text when setting some of its
    punctuation half-width makes it fit.
    """
    check_internals()
    _OPTIONS.han_latin_space = bool(han_latin_space)
    _OPTIONS.han_latin_em = float(han_latin_em)
    _OPTIONS.last_line_min_chars = bool(last_line_min_chars)
    _OPTIONS.squeeze = bool(squeeze)
    if not _OPTIONS.enabled:
        _install()
    _OPTIONS.enabled = True


def disable() -> None:
    """Undo :func:`enable`: restore WeasyPrint's own functions."""
    if not _OPTIONS.enabled:
        return
    for path, function in _ORIGINALS.items():
        owner_path, name = path.rsplit(".", 1)
        setattr(_resolve(owner_path), name, function)
    _ORIGINALS.clear()
    _OPTIONS.enabled = False


def is_enabled() -> bool:
    return _OPTIONS.enabled


@contextmanager
def active(han_latin_space: bool = False, **options):
    """:func:`enable` for the duration of a block (typeset's own render), then leave
    WeasyPrint as it was found: unpatched, unless it was enabled before (with the
    options it had).  Another WeasyPrint user in the same process is unaffected
    outside the block."""
    was = _OPTIONS.enabled
    before = (_OPTIONS.han_latin_space, _OPTIONS.han_latin_em, _OPTIONS.last_line_min_chars,
              _OPTIONS.squeeze)
    enable(han_latin_space, **options)
    try:
        yield
    finally:
        if not was:
            disable()
        else:
            (_OPTIONS.han_latin_space, _OPTIONS.han_latin_em, _OPTIONS.last_line_min_chars,
             _OPTIONS.squeeze) = before


def _patch(path: str, replacement) -> None:
    owner_path, name = path.rsplit(".", 1)
    owner = _resolve(owner_path)
    original = getattr(owner, name)
    _ORIGINALS[path] = original
    functools.update_wrapper(replacement, original)
    setattr(owner, name, replacement)


def _install() -> None:
    from weasyprint.layout import block, inline
    from weasyprint.text import line_break

    original_setup = line_break.Layout.setup
    original_set_text = line_break.Layout.set_text
    original_get_log_attrs = line_break.get_log_attrs
    original_text_align = inline.text_align
    original_split_text_box = inline.split_text_box
    original_iter_line_boxes = block.iter_line_boxes

    def setup(self, style):
        original_setup(self, style)
        _remember_base_attributes(self)

    def set_text(self, text, justify=False):
        _restore_base_attributes(self)
        original_set_text(self, text, justify)
        _add_attributes(self, original_get_log_attrs)

    def get_log_attrs(text, lang):
        log_attrs = original_get_log_attrs(text, lang)
        _tailor_log_attrs(text, log_attrs)
        return log_attrs

    def text_align(context, line, available_width, last):
        if _finish_line(context, line, available_width, last):
            return original_text_align(context, line, available_width, last)
        return 0

    def split_text_box(context, box, available_width, skip, is_line_start=True):
        result = original_split_text_box(
            context, box, available_width, skip, is_line_start)
        result = _push_in(
            original_split_text_box, result, context, box, available_width, skip,
            is_line_start)
        result = _squeeze_in(
            original_split_text_box, result, context, box, available_width, skip,
            is_line_start)
        whole = _squeeze_rest(
            original_split_text_box, result, context, box, available_width, skip,
            is_line_start)
        if whole is not None:
            return whole
        longest = len(result[0].text) if result[0] is not None else 0
        column = available_width

        def shorter_split(context, box, width, skip, is_line_start=True):
            # the last-line rule asks for the line one chunk shorter: that line may
            # reduce before expanding too, within the column, if still shorter
            return _squeeze_in(
                original_split_text_box,
                original_split_text_box(context, box, width, skip, is_line_start),
                context, box, column, skip, is_line_start, shorter_than=longest)

        return _last_line_shape(
            shorter_split, result, context, box, available_width, skip, is_line_start)

    def iter_line_boxes(context, box, position_y, bottom_space, skip_stack,
                        containing_block, absolute_boxes, fixed_boxes,
                        first_letter_style, first_line_style):
        _mark_paragraph_end(box)
        return original_iter_line_boxes(
            context, box, position_y, bottom_space, skip_stack, containing_block,
            absolute_boxes, fixed_boxes, first_letter_style, first_line_style)

    _patch("weasyprint.text.line_break.Layout.setup", setup)
    _patch("weasyprint.text.line_break.Layout.set_text", set_text)
    _patch("weasyprint.text.line_break.get_log_attrs", get_log_attrs)
    _patch("weasyprint.layout.inline.text_align", text_align)
    _patch("weasyprint.layout.inline.split_text_box", split_text_box)
    _patch("weasyprint.layout.block.iter_line_boxes", iter_line_boxes)
    columns.install(_patch)



# -- Pango attributes ---------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    """Final attributes of a one-line layout, set when its line is finished."""
    text: str
    halts: frozenset
    spacing: tuple | None  # letter-spacing per character, Pango units


def _remember_base_attributes(layout) -> None:
    from weasyprint.text.ffi import ffi, pango

    extra_ffi, extra = _pango_extra()
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        layout._cjk_base = None
    else:
        layout._cjk_base = ffi.gc(
            extra.pango_attr_list_copy(attributes), pango.pango_attr_list_unref)
    layout._cjk_dirty = False


def _restore_base_attributes(layout) -> None:
    """Drop the attributes added for the previous text of this layout."""
    if not getattr(layout, "_cjk_dirty", False):
        return
    from weasyprint.text.ffi import ffi, pango

    _, extra = _pango_extra()
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
    the line is finished (see :func:`_finish_line`).
    """
    if not _OPTIONS.han_latin_space:
        return None
    boundaries = han_latin_boundaries(text)
    if not boundaries:
        return None
    style = layout.style
    amount = _OPTIONS.han_latin_em * style["font_size"]
    spacing = [None] * len(text)
    for i in boundaries:
        latin = i if is_latin_alnum(text[i]) else i + 1
        spacing[latin] = (spacing[latin] or _style_spacing(style, text[latin])) + amount
    return [None if value is None else _pango_spacing(value) for value in spacing]


def _add_attributes(layout, native_log_attrs) -> None:
    """Add the CJK attributes to a Pango layout whose text was just set."""
    if not _OPTIONS.enabled:
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
        halts, spacing = pair_halts(text), _measure_spacing(layout, text)

    nobreaks = []
    gaps = _pango_gaps_re(native_log_attrs)
    if gaps.search(text):
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
        _, extra = _pango_extra()
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


def _tailor_log_attrs(text: str, log_attrs) -> None:
    for i in range(1, len(text)):
        if log_attrs[i].is_line_break and no_break_between(text[i - 1], text[i]):
            log_attrs[i].is_line_break = 0


# -- Finishing a line: compression, Han–Latin spacing, justification ----------

class _Weights(dict):
    """Justification weight of each character met, computed once."""

    def __missing__(self, char):
        weight = self[char] = justification_weight(char)
        return weight


_WEIGHTS = _Weights()


@dataclass
class _Plan:
    box: object
    old_x: float
    old_width: float
    segments: list  # (start, end, halts) character ranges of box.text
    start: int  # index of the box's first unit in the line
    measured: bool  # laid out as Pango measured it while breaking the line
    results: list | None = None  # (layout, width) per segment, once laid out again


def _leaves(box, leaves):
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, boxes.TextBox):
            leaves.append(child)
        elif isinstance(child, boxes.InlineBox):
            _leaves(child, leaves)
        else:
            leaves.append(child)
    return leaves


def _has_leader(box) -> bool:
    return any(getattr(child, "is_leader", False) or (
        hasattr(child, "children") and _has_leader(child)) for child in box.children)


def _finish_line(context, line, available_width, last) -> bool:
    """Adjust a laid-out line; return True when WeasyPrint should align it."""
    from weasyprint.formatting_structure import boxes

    if not _OPTIONS.enabled or line.style["direction"] != "ltr":
        return True
    leaves = _leaves(line, [])
    texts = [leaf.text for leaf in leaves if isinstance(leaf, boxes.TextBox)]
    if not any(is_wide(char) for text in texts for char in text):
        return True
    if any("\n" in text or "\t" in text for text in texts) or _has_leader(line):
        return True

    align = line.style["text_align_all"]
    if last:
        align_last = line.style["text_align_last"]
        align = align if align_last == "auto" else align_last
    justify = align == "justify" and line.style["white_space"] in (
        "normal", "nowrap", "pre-line")

    # One unit per character of the line (an atomic inline box is one unit,
    # _OBJECT): its text, the leaf it belongs to and its justification weight.
    texts, owners, first_unit = [], [], {}
    for leaf in leaves:
        text = leaf.text if isinstance(leaf, boxes.TextBox) else _OBJECT
        if text:
            first_unit[id(leaf)] = len(owners)
        texts.append(text)
        owners.extend([leaf] * len(text))
    if not owners:
        return True
    line_text = "".join(texts)
    weights = list(map(_WEIGHTS.__getitem__, line_text))
    count = len(owners)

    halts = pair_halts(line_text)
    if justify and line_text[-1] in CLOSE_LIKE:
        halts.add(count - 1)
    han_latin = set(han_latin_boundaries(line_text)) if _OPTIONS.han_latin_space else set()

    # Is anything different from what Pango measured while breaking the line?
    changed = justify or bool(han_latin)
    if not changed:
        for box in {id(owners[j]): owners[j] for j in range(count)
                    if line_text[j] != _OBJECT}.values():
            start = first_unit[id(box)]
            own = {j - start for j in halts if owners[j] is box}
            if own != pair_halts(box.text):
                changed = True
                break
    if not changed:
        return True

    # Cut text boxes at the Han–Latin boundaries inside them: the space there
    # is positioning between boxes, so Latin words keep their own shaping.
    plans = {}
    start = 0
    for leaf in leaves:
        if not isinstance(leaf, boxes.TextBox):
            start += 1
            continue
        length = len(leaf.text)
        cuts = [0, *sorted(
            j - start + 1 for j in han_latin if start <= j < start + length - 1), length]
        segments = [
            (begin, end, frozenset(
                i - start - begin for i in halts if start + begin <= i < start + end))
            for begin, end in zip(cuts, cuts[1:], strict=False)]
        # Unchanged boxes keep the width Pango measured when breaking the line.
        measured = len(segments) == 1 and segments[0][2] == frozenset(pair_halts(leaf.text))
        plans[id(leaf)] = _Plan(leaf, leaf.position_x, leaf.width, segments, start, measured)
        start += length

    def layout_plan(plan, spacing):
        # Letter-spacing of a character: its weight's share of the spacing,
        # plus the style's letter- and word-spacing (word-spacing on spaces).
        style = plan.box.style
        values = {}
        plan.results = []
        for begin, end, own_halts in plan.segments:
            own_spacing = []
            for j in range(plan.start + begin, plan.start + end):
                key = (weights[j], line_text[j] in _SPACES)
                value = values.get(key)
                if value is None:
                    value = values[key] = _pango_spacing(
                        spacing * weights[j] + _style_spacing(style, line_text[j]))
                own_spacing.append(value)
            plan.results.append(_layout_text(
                plan.box, plan.box.text[begin:end], own_halts, tuple(own_spacing)))

    # Gaps between boxes (and box segments): Han–Latin space, plus
    # justification for the two half-gaps Pango trims at the edges of a layout.
    boundaries = []  # (unit index before the gap, Han–Latin space)
    for j in sorted({index - 1 for index in first_unit.values() if index} | han_latin):
        font_size = owners[j].style["font_size"]
        space = (_OPTIONS.han_latin_em * font_size) if j in han_latin else 0
        boundaries.append((j, space))

    natural_width = line.width + sum(space for _, space in boundaries)
    for plan in plans.values():
        if not plan.measured:
            layout_plan(plan, 0)
            natural_width += sum(width for _, width in plan.results) - plan.old_width

    # Reduce before expanding: a justified line wider than its column (one that took
    # more text in split_text_box because its punctuation can give the room back)
    # sets marks half-width, in clreq's order, before anything is tightened evenly.
    over = natural_width - available_width
    if justify and over > _OVERFULL_TOLERANCE and _OPTIONS.squeeze:
        half = owners[-1].style["font_size"] / 2 * _HALF
        squeezed = squeeze(line_text, halts, over, half)
        if squeezed is not None:
            halts = squeezed
            natural_width = line.width + sum(space for _, space in boundaries)
            for leaf in leaves:
                if not isinstance(leaf, boxes.TextBox):
                    continue
                plan = plans[id(leaf)]
                plan.segments = [
                    (begin, end, frozenset(
                        i - plan.start - begin for i in halts
                        if plan.start + begin <= i < plan.start + end))
                    for begin, end, _ in plan.segments]
                plan.measured = False
                layout_plan(plan, 0)
                natural_width += sum(width for _, width in plan.results) - plan.old_width

    spacing = 0
    capped = {}
    overfull = natural_width - available_width > _OVERFULL_TOLERANCE
    if overfull and not justify:
        # Only what this extension added (Han–Latin space, a re-laid-out box) can make
        # a line Pango broke wider than its column: take it back evenly, never print
        # past the edge.
        weight = sum(weights) - (weights[0] + weights[-1]) / 2
        if weight > 0:
            spacing = (available_width - natural_width) / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)
    if justify:
        spare = available_width - natural_width
        weight = sum(weights) - (weights[0] + weights[-1]) / 2
        if overfull and weight > 0:  # tighten evenly rather than run past the edge
            spacing = spare / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)
        elif spare > 0 and weight > 0:
            spacing = spare / weight
            # Keep gaps between boxes small if the gaps inside boxes can
            # take the rest (extractors read a wide gap as a space).
            while True:
                over = [
                    (j, cap) for j, _ in boundaries if j not in capped
                    for cap in [_MAX_BOX_GAP_EM * owners[j].style["font_size"]]
                    if spacing * (weights[j] + weights[j + 1]) / 2 > cap]
                if not over:
                    break
                for j, cap in over:
                    capped[j] = cap
                    spare -= cap
                    weight -= (weights[j] + weights[j + 1]) / 2
                if weight <= 0 or spare <= 0:
                    capped = {}
                    spacing = (available_width - natural_width) / (
                        sum(weights) - (weights[0] + weights[-1]) / 2)
                    break
                spacing = spare / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)

    def gaps_for(spacing):
        return {j + 1: capped.get(j, spacing * (weights[j] + weights[j + 1]) / 2) + space
                for j, space in boundaries}

    gaps = gaps_for(spacing)
    if justify or overfull:
        # Pango's measure of the spaced layouts can differ from the linear estimate
        # (letter-spacing on few expandable characters, spaces): correct once so the
        # line never ends past its column.
        width = line.width + sum(gaps.values()) + sum(
            sum(w for _, w in plan.results) - plan.old_width
            for plan in plans.values() if plan.results is not None)
        weight = sum(weights) - (weights[0] + weights[-1]) / 2
        over = width - available_width
        if over > _OVERFULL_TOLERANCE and weight > 0:
            spacing -= over / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)
            gaps = gaps_for(spacing)
    _place(line, plans, first_unit, gaps)
    return not justify


def _layout_text(box, text, halts, spacing):
    """Lay out ``text`` of ``box`` on one line with final attributes."""
    from weasyprint.text.line_break import Layout, line_size

    old_layout = getattr(box, "pango_layout", None)
    layout = Layout(box.style, 0, getattr(old_layout, "max_width", None))
    layout._cjk_spec = _Spec(text, halts, spacing)
    layout.set_text(text, justify=True)
    first_line, _ = layout.get_first_line()
    width, _ = line_size(first_line, box.style)
    layout.deactivate()
    return layout, width


def _place(line, plans, first_unit, gaps):
    """Put the new layouts in the line and move boxes to their new places.

    ``first_unit``: index in the line of each leaf's first unit (by ``id``),
    for the gap before it.
    """
    from weasyprint.formatting_structure import boxes

    def first_leaf(box):
        if isinstance(box, boxes.InlineBox):
            for child in box.children:
                if child.is_in_normal_flow():
                    leaf = first_leaf(child)
                    if leaf is not None:
                        return leaf
            return None
        return box

    advance = 0

    def walk(parent):
        nonlocal advance
        parent.position_x += advance
        before = advance
        children = []
        for child in parent.children:
            if not child.is_in_normal_flow():
                children.append(child)
                continue
            leaf = first_leaf(child)
            if leaf is not None and id(leaf) in first_unit:
                advance += gaps.pop(first_unit[id(leaf)], 0)
            plan = plans.get(id(child)) if isinstance(child, boxes.TextBox) else None
            if plan is not None and plan.results is not None:
                x = plan.old_x + advance
                for k, ((begin, end, _), (layout, width)) in enumerate(
                        zip(plan.segments, plan.results, strict=True)):
                    if k:
                        x += gaps.pop(first_unit[id(child)] + begin, 0)
                    segment = child if len(plan.segments) == 1 else child.copy_with_text(
                        child.text[begin:end])
                    segment.position_x = x
                    segment.width = width
                    segment.pango_layout = layout
                    segment.justification_spacing = 0
                    children.append(segment)
                    x += width
                advance = x - (plan.old_x + plan.old_width)
            elif isinstance(child, boxes.InlineBox):
                walk(child)
                children.append(child)
            elif isinstance(child, boxes.TextBox):
                child.position_x += advance
                children.append(child)
            else:
                child.translate(advance, 0, ignore_floats=True)
                children.append(child)
        parent.children = type(parent.children)(children)
        parent.width += advance - before

    walk(line)


# -- Push-in: reduce before expanding -------------------------------------------

def _push_in(original, result, context, box, available_width, skip, is_line_start):
    """Keep a chunk ending with a closing mark on a loose justified line.

    Pango breaks before 比例。 when the full-width 。 does not fit; set
    half-width at the line end it may fit, and the line needs far less
    spacing. Tried only on lines at least 1 em short.
    """
    new_box, resume, preserved = result
    style = box.style
    if (not _OPTIONS.enabled or resume is None or preserved or new_box is None
            or available_width is None or style["text_align_all"] != "justify"
            or style["white_space"] not in ("normal", "nowrap", "pre-line")
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


def _squeeze_in(original, result, context, box, available_width, skip, is_line_start,
                shorter_than: int | None = None):
    """Take more text on a loose justified line when halving its punctuation makes
    room for it (clreq: reduce before expanding).

    Tried only where the line as broken would open more than `SQUEEZE_FROM_EM` on
    average between its wide characters (its widest gap is then near `LOOSE_EM`).
    Pango is asked for a line as much wider as the line's marks could give back; the
    longest such line (of up to four tries, one chunk shorter each) is kept if, with
    marks set half-width in `squeeze_order`, it fits the column (and, asked by the
    last-line rule, is still shorter than the line it refused).  `_finish_line` sets
    the same marks.
    """
    new_box, resume, preserved = result
    style = box.style
    if (not (_OPTIONS.enabled and _OPTIONS.squeeze) or resume is None or preserved
            or new_box is None or available_width is None
            or style["text_align_all"] != "justify"
            or style["white_space"] not in ("normal", "nowrap", "pre-line")):
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


def _squeeze_rest(original, result, context, box, available_width, skip, is_line_start):
    """A paragraph whose last line would hold one character ends on this line instead
    when halving punctuation makes the rest fit (before the last-line rule moves a
    character down and leaves this line loose).  None when it does not fit."""
    new_box, resume, preserved = result
    style = box.style
    if (not (_OPTIONS.enabled and _OPTIONS.squeeze and _OPTIONS.last_line_min_chars)
            or resume is None or preserved or new_box is None or available_width is None
            or not getattr(box, "_cjk_paragraph_end", False)
            or style["text_align_all"] != "justify"):
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

def _mark_paragraph_end(linebox) -> None:
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


def _last_line_shape(original, result, context, box, available_width, skip,
                     is_line_start):
    """Break one opportunity earlier when only one character would be left."""
    new_box, resume, preserved = result
    if (not (_OPTIONS.enabled and _OPTIONS.last_line_min_chars)
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
