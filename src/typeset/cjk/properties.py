"""The CSS properties that choose the engine's behaviour, element by element.

In:  the style sheets of a render (while :func:`typeset.cjk.active` holds).
Out: three properties of CSS Text that WeasyPrint 70 does not know, spelled as
     CSS spells them, inherited, with their initial values, and the questions
     the engine asks of a computed style:

``text-justify``      ``auto`` (initial) | ``inter-character``: justified lines
                      take their spare width between characters;
                      ``inter-word`` | ``none``: WeasyPrint's own justification
                      (at spaces only).
``text-spacing-trim`` ``normal`` (initial) | ``trim-start`` | ``trim-both`` |
                      ``space-first`` | ``auto``: adjacent marks compressed and a
                      closing mark at a justified line's end set half-width;
                      ``space-all``: every mark keeps its full width.
``line-break``        ``auto`` (initial) | ``normal`` | ``strict``: clreq line
                      breaking on top of Pango's (no closing mark at a line
                      start, no opening mark at a line end, —— and …… whole);
                      ``loose`` | ``anywhere``: Pango's breaking only.

So a layout, or one element of it, opts out in its CSS, e.g. a table of Latin
codes with ``text-justify: inter-word`` or a quotation set with
``text-spacing-trim: space-all``.  Outside typeset's renders the properties are
unknown to WeasyPrint again, as for any other user of it in the process.
"""

from __future__ import annotations

#: property (WeasyPrint's spelling): (initial value, accepted keywords)
PROPERTIES = {
    "text_justify": ("auto", ("auto", "none", "inter-word", "inter-character")),
    "text_spacing_trim": ("normal", ("normal", "space-all", "space-first", "trim-start",
                                     "trim-both", "auto")),
    "line_break": ("auto", ("auto", "loose", "normal", "strict", "anywhere")),
}


def register() -> None:
    """Make the properties known to WeasyPrint's CSS validation and cascade."""
    from weasyprint.css import properties
    from weasyprint.css.validation import properties as validation
    from weasyprint.css.validation.properties import get_single_keyword

    for name, (initial, keywords) in PROPERTIES.items():
        css_name = name.replace("_", "-")
        if css_name in validation.PROPERTIES:
            continue  # a WeasyPrint that knows it: its own validation stands

        def validate(tokens, keywords=keywords):
            keyword = get_single_keyword(tokens)
            return keyword if keyword in keywords else None

        validate.wants_base_url = False
        properties.INITIAL_VALUES[name] = initial
        properties.INHERITED.add(name)
        properties.KNOWN_PROPERTIES.add(css_name)
        validation.PROPERTIES[css_name] = validate
        _REGISTERED.append((name, css_name))


def unregister() -> None:
    """Undo :func:`register`."""
    from weasyprint.css import properties
    from weasyprint.css.validation import properties as validation

    while _REGISTERED:
        name, css_name = _REGISTERED.pop()
        properties.INITIAL_VALUES.pop(name, None)
        properties.INHERITED.discard(name)
        properties.KNOWN_PROPERTIES.discard(css_name)
        validation.PROPERTIES.pop(css_name, None)


_REGISTERED: list[tuple[str, str]] = []


def inter_character(style) -> bool:
    """Justified lines of this style take their spare width between characters."""
    return style["text_justify"] in ("auto", "inter-character")


def trims_spacing(style) -> bool:
    """Marks of this style are compressed (adjacent pairs, a justified line's end)."""
    return style["text_spacing_trim"] != "space-all"


def strict_breaks(style) -> bool:
    """Lines of this style follow clreq's line-breaking rules on top of Pango's."""
    return style["line_break"] in ("auto", "normal", "strict")
