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

Modules, like WeasyPrint's own (all hooks in WeasyPrint 70.x;
:func:`check_internals` verifies them):

* :mod:`typeset.clreq` (outside this package, no WeasyPrint import): the rules,
  character classes, break rules and compression pairs, shared with the composer
  and the typography check;
* :mod:`.attributes` on ``text.line_break.Layout.setup`` / ``Layout.set_text``
  and ``text.line_break.get_log_attrs``: Pango attributes (``halt`` font
  feature, letter-spacing, allow-breaks) on every layout, used for measuring
  and, via ``Layout.reactivate``, for drawing; the same break rules where
  WeasyPrint decides between two boxes (``can_break_text``);
* :mod:`.breaking` on ``layout.inline.split_text_box`` and
  ``layout.block.iter_line_boxes``: push-in of a line-end mark, reduce before
  expanding, the last-line rule;
* :mod:`.lines` on ``layout.inline.text_align``: per finished line, before its
  alignment: compression across boxes, line-end half-width mark, justification;
* :mod:`.columns` on ``layout.block.columns_layout`` (with ``block_box_layout``
  and ``resolve_percentages``): multi-column layout that lays each column out
  once where it can, and where a block starting a column loses its top margin
  (``margin-break: discard``), as at a page break;
* :mod:`.reuse` on ``layout.inline.get_next_linebox``: a line laid out again in
  the same render (balancing, a refused break) taken from the lines kept, moved;
* :mod:`.widths` on ``layout.preferred.split_first_line``: a table cell's
  min- and max-content widths measured once per distinct text and style;
* :mod:`.properties`: ``text-justify``, ``text-spacing-trim`` and ``line-break``,
  by which a layout or one element chooses the behaviour above;
* :mod:`.options` and :mod:`.internals`: the options :func:`enable` sets, the
  internals relied on.

Cost: the engine's own work on a line is in proportion to the line, never to
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
from contextlib import contextmanager

from ..clreq import (  # noqa: F401 -- the engine's vocabulary, re-exported
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
    squeeze_order,
)
from . import columns, properties, reuse, widths
from .attributes import (
    add_attributes,
    remember_base_attributes,
    restore_base_attributes,
    tailor_log_attrs,
)
from .breaking import last_line_shape, mark_paragraph_end, push_in, squeeze_in, squeeze_rest
from .internals import _ORIGINALS, _resolve, check_internals
from .lines import finish_line
from .options import (  # noqa: F401
    HAN_LATIN_SPACE_EM,
    OPTIONS,
    SQUEEZE_FROM_EM,
    SUPPORTED_WEASYPRINT,
    _Options,
)

_OPTIONS = OPTIONS  # the name tests and older callers use


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
    OPTIONS.han_latin_space = bool(han_latin_space)
    OPTIONS.han_latin_em = float(han_latin_em)
    OPTIONS.last_line_min_chars = bool(last_line_min_chars)
    OPTIONS.squeeze = bool(squeeze)
    if not OPTIONS.enabled:
        _install()
    OPTIONS.enabled = True


def disable() -> None:
    """Undo :func:`enable`: restore WeasyPrint's own functions."""
    if not OPTIONS.enabled:
        return
    for path, function in _ORIGINALS.items():
        owner_path, name = path.rsplit(".", 1)
        setattr(_resolve(owner_path), name, function)
    _ORIGINALS.clear()
    properties.unregister()
    OPTIONS.enabled = False


def is_enabled() -> bool:
    return OPTIONS.enabled


@contextmanager
def active(han_latin_space: bool = False, **options):
    """:func:`enable` for the duration of a block (typeset's own render), then leave
    WeasyPrint as it was found: unpatched, unless it was enabled before (with the
    options it had).  Another WeasyPrint user in the same process is unaffected
    outside the block."""
    was = OPTIONS.enabled
    before = (OPTIONS.han_latin_space, OPTIONS.han_latin_em, OPTIONS.last_line_min_chars,
              OPTIONS.squeeze)
    enable(han_latin_space, **options)
    try:
        yield
    finally:
        if not was:
            disable()
        else:
            (OPTIONS.han_latin_space, OPTIONS.han_latin_em, OPTIONS.last_line_min_chars,
             OPTIONS.squeeze) = before


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

    properties.register()

    original_setup = line_break.Layout.setup
    original_set_text = line_break.Layout.set_text
    original_get_log_attrs = line_break.get_log_attrs
    original_text_align = inline.text_align
    original_split_text_box = inline.split_text_box
    original_iter_line_boxes = block.iter_line_boxes

    def setup(self, style):
        original_setup(self, style)
        remember_base_attributes(self)

    def set_text(self, text, justify=False):
        restore_base_attributes(self)
        original_set_text(self, text, justify)
        add_attributes(self, original_get_log_attrs)

    def get_log_attrs(text, lang):
        log_attrs = original_get_log_attrs(text, lang)
        tailor_log_attrs(text, log_attrs)
        return log_attrs

    def text_align(context, line, available_width, last):
        if finish_line(context, line, available_width, last):
            return original_text_align(context, line, available_width, last)
        return 0

    def split_text_box(context, box, available_width, skip, is_line_start=True):
        result = original_split_text_box(
            context, box, available_width, skip, is_line_start)
        result = push_in(
            original_split_text_box, result, context, box, available_width, skip,
            is_line_start)
        result = squeeze_in(
            original_split_text_box, result, context, box, available_width, skip,
            is_line_start)
        whole = squeeze_rest(
            original_split_text_box, result, context, box, available_width, skip,
            is_line_start)
        if whole is not None:
            return whole
        longest = len(result[0].text) if result[0] is not None else 0
        column = available_width

        def shorter_split(context, box, width, skip, is_line_start=True):
            # the last-line rule asks for the line one chunk shorter: that line may
            # reduce before expanding too, within the column, if still shorter
            return squeeze_in(
                original_split_text_box,
                original_split_text_box(context, box, width, skip, is_line_start),
                context, box, column, skip, is_line_start, shorter_than=longest)

        return last_line_shape(
            shorter_split, result, context, box, available_width, skip, is_line_start)

    def iter_line_boxes(context, box, position_y, bottom_space, skip_stack,
                        containing_block, absolute_boxes, fixed_boxes,
                        first_letter_style, first_line_style):
        mark_paragraph_end(box)
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
    reuse.install(_patch)
    widths.install(_patch)
