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
"""

from __future__ import annotations

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

_ANSWERS: dict = {}
_ORIGINAL = {}


def install(patch) -> None:
    """Answer `layout.preferred`'s questions from :data:`_ANSWERS`, through `patch`."""
    from weasyprint.layout import preferred

    _ORIGINAL["split_first_line"] = preferred.split_first_line
    patch("weasyprint.layout.preferred.split_first_line", split_first_line)


def forget() -> None:
    """Drop every answer."""
    _ANSWERS.clear()


def split_first_line(text, style, context, max_width, justification_spacing,
                     is_line_start=True, minimum=False):
    """WeasyPrint's ``split_first_line`` without its Pango layout (None)."""
    key = (text, repr(tuple(style[name] for name in STYLE_KEYS)), context.font_config,
           OPTIONS.han_latin_space, OPTIONS.han_latin_em, max_width,
           justification_spacing, is_line_start, minimum)
    answer = _ANSWERS.get(key)
    if answer is None:
        if len(_ANSWERS) >= LIMIT:
            _ANSWERS.clear()
        _, *rest = _ORIGINAL["split_first_line"](
            text, style, context, max_width, justification_spacing, is_line_start,
            minimum)
        answer = _ANSWERS[key] = (None, *rest)
    return answer
