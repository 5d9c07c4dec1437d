"""Intrinsic widths: a table cell's text measured once per distinct text and style.

In:  WeasyPrint's ``layout.preferred`` asking ``split_first_line`` for the first
     line of a text at a width (0 for the min-content width of a table cell: one
     call per break opportunity, each laying out the rest of the text again).
Out: the same widths and break positions, each distinct question answered by Pango
     once: a table whose cells repeat their words (县文化馆, 银川市) asks far fewer.

The answer depends on the text and on nothing but the style values that WeasyPrint
and this engine read when they build a Pango layout (fonts, size, spacing, white
space and wrapping, hyphenation, language, the engine's CSS properties and
options), so those values are the key, with the font configuration itself (held,
so that its identity cannot be reused).  Only the widths are kept, not the Pango
layouts (``layout.preferred`` reads widths and break positions only).  Answers
outlive a render: a warm preview (``--watch``) lays out the same tables again.

A min-content width asks for the first line at width 0 of the cell's text, then of
what follows that line, and so on: one Pango layout of the rest of the text for each
break opportunity, plus one of the line alone to measure it.  For text whose answers
do not depend on what :func:`_segmented` leaves out (no space, soft hyphen, tab or
newline; wrapping at word boundaries only), the text is laid out at width 0 once:
its lines are the answers' lines, each measured alone as WeasyPrint measures a
first line (in a layout of its own, without a width), and a line of the same text
and style is measured once.  The answers are the same (tests/test_widths.py
compares them with WeasyPrint's for the text of the real documents).
"""

from __future__ import annotations

import operator

from .options import OPTIONS

#: Style values a text layout depends on (WeasyPrint 70's text/line_break.py and
#: text/fonts.py, and typeset.cjk's attributes).
STYLE_KEYS = (
    "direction", "font_family", "font_feature_settings", "font_kerning",
    "font_language_override", "font_size", "font_stretch", "font_style",
    "font_variant_alternates", "font_variant_caps", "font_variant_east_asian",
    "font_variant_ligatures", "font_variant_numeric", "font_variant_position",
    "font_variation_settings", "font_weight", "hyphenate_character",
    "hyphenate_limit_chars", "hyphenate_limit_zone", "hyphens", "lang",
    "letter_spacing", "line_height", "overflow_wrap", "tab_size", "text_decoration_line",
    "white_space", "word_break", "word_spacing",
    "text_spacing_trim", "line_break", "text_justify",
)
#: Answers kept at most (a long-running `--watch` keeps measuring new text).
LIMIT = 100_000

_STYLE_VALUES = operator.itemgetter(*STYLE_KEYS)
_ANSWERS: dict = {}
_ORIGINAL = {}
#: While a render uses the answers of earlier processes (`typeset.measured`): those
#: answers, by their key without the font configuration; and the answers this
#: process made meanwhile, likewise.
_KEPT: dict | None = None
_NEW: dict = {}

#: Characters for which :func:`split_first_line` of WeasyPrint 70 does more than
#: break where Pango breaks at width 0 (spaces, soft hyphens, tabs, newlines), or
#: which it removes (NUL), or which may make a line of no width.
_NOT_SEGMENTED = frozenset(" \t\n\r\f\x00\xad\u200b")


def install(patch) -> None:
    """Answer `layout.preferred`'s questions from :data:`_ANSWERS`, through `patch`."""
    from weasyprint.layout import preferred

    _ORIGINAL["split_first_line"] = preferred.split_first_line
    patch("weasyprint.layout.preferred.split_first_line", split_first_line)


def forget() -> None:
    """Drop every answer."""
    _ANSWERS.clear()


def use_kept(kept: dict | None) -> dict:
    """Answer from `kept` (answers of earlier processes for the fonts, style sheet
    and engine of the renders to come, by their key without the font configuration)
    what the process has not answered yet; None: from nothing.  Returns the answers
    made since the last call, by the same keys."""
    global _KEPT, _NEW
    made, _KEPT, _NEW = _NEW, kept, {}
    return made


def _portable(key: tuple) -> tuple:
    """`key` without its font configuration (an object of this process)."""
    return key[:2] + key[3:]


def split_first_line(text, style, context, max_width, justification_spacing,
                     is_line_start=True, minimum=False):
    """WeasyPrint's ``split_first_line`` without its Pango layout (None)."""
    key = (text, _style_key(style), context.font_config,
           OPTIONS.han_latin_space, OPTIONS.han_latin_em, max_width,
           justification_spacing, is_line_start, minimum)
    answer = _ANSWERS.get(key)
    if answer is None:
        if len(_ANSWERS) >= LIMIT:
            _ANSWERS.clear()
        if _KEPT is not None:
            answer = _KEPT.get(_portable(key))
            if answer is not None:
                _ANSWERS[key] = answer
                return answer
        wrap = max_width == 0 and minimum and _wrap_at_width_0(text, style, is_line_start)
        if wrap:
            answers = _segmented(text, style, context, justification_spacing, wrap)
            if answers is not None:
                for rest, line_answer in answers:
                    _answered((rest, *key[1:]), line_answer)
                return answers[0][1]
        _, *rest = _ORIGINAL["split_first_line"](
            text, style, context, max_width, justification_spacing, is_line_start,
            minimum)
        answer = _answered(key, (None, *rest))
    return answer


def _answered(key: tuple, answer: tuple) -> tuple:
    _ANSWERS[key] = answer
    if _KEPT is not None:
        _NEW[_portable(key)] = answer
    return answer


def _style_key(style):
    """The values of :data:`STYLE_KEYS` in `style`, hashable (their repr where one
    is not)."""
    values = _STYLE_VALUES(style)
    try:
        hash(values)
    except TypeError:
        return repr(values)
    return values


def _wrap_at_width_0(text: str, style, is_line_start: bool) -> str | None:
    """How WeasyPrint's first line of `text` at width 0 breaks, where it is Pango's
    first line at width 0 and nothing more: at word boundaries ("WRAP_WORD"), or
    anywhere (``overflow-wrap: anywhere`` at a line start, "WRAP_CHAR"); None for
    text or styles it treats otherwise (spaces, soft hyphens, hyphenation, ...)."""
    if not text or not _NOT_SEGMENTED.isdisjoint(text) or \
            style["white_space"] != "normal" or style["word_break"] != "normal" or \
            style["hyphens"] == "auto":
        return None
    if style["overflow_wrap"] == "anywhere":
        return "WRAP_CHAR" if is_line_start else "WRAP_WORD"
    # break-word does not break for a min-content width
    return "WRAP_WORD" if style["overflow_wrap"] in ("normal", "break-word") else None


def _segmented(text: str, style, context, justification_spacing, wrap: str) -> list | None:
    """[(rest, answer)]: the answers at width 0 for `text` and for each rest of it
    that a line of it leaves, from its lines in one layout wrapping as `wrap` says
    (a Pango wrap mode), each measured alone;
    None where a line measures 0 or less (WeasyPrint then looks for more text to
    put on it)."""
    from weasyprint.text.constants import PANGO_WRAP_MODE
    from weasyprint.text.ffi import ffi, pango
    from weasyprint.text.line_break import create_layout

    layout = create_layout(text, style, context, 0, justification_spacing)
    pango.pango_layout_set_wrap(layout.layout, PANGO_WRAP_MODE[wrap])
    starts = []
    while (line := pango.pango_layout_get_line_readonly(layout.layout, len(starts))) \
            != ffi.NULL:
        starts.append(line.start_index)
    layout.deactivate()
    encoded = text.encode()
    answers = []
    for start, end in zip(starts, [*starts[1:], len(encoded)], strict=True):
        # the line as WeasyPrint measures a first line: in a layout of its own,
        # without a width (the question of a max-content width, so answered once)
        _, length, _, width, height, baseline = split_first_line(
            encoded[start:end].decode(), style, context, None, justification_spacing)
        if width <= 0 or length != end - start:
            return None
        rest = None if end == len(encoded) else end - start
        answers.append((encoded[start:].decode(),
                        (None, length, rest, width, height, baseline)))
    return answers
