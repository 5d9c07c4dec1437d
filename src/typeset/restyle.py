"""The styles of the last render, taken again after an edit of text only.

A warm preview (`--watch`) after an edit of a paragraph renders HTML that differs
from the last render's in one stretch of text outside any tag (`resume.text_only_edit`):
the same elements, in the same order, with the same attributes and the same style
sheet.  WeasyPrint would parse the style sheet again and compute the cascade of every
element again (40-110 ms of a re-render, most of it for the document after the
previewed one and the cover and contents, which the preview never shows).

In: a render's WeasyPrint layout context, whose styles :func:`recorded` keeps
(``context.typeset_styles``: the computed styles, the element tree they belong to,
the anchors, counter styles and colour profiles the style sheet gave, the
@font-face rules it read).  Out: for the duration of :func:`reused`, WeasyPrint's
``Document._build_layout_context`` makes the layout context of a render whose
element tree is that tree's twin (checked element by element: tag, attributes and
whether it has text, which `:empty` sees) from those styles, moved onto the new
elements; the boxes are built from the new tree, its text included.  When the trees
are not twins, WeasyPrint computes the styles as always.

With the styles come the intrinsic widths of table cells (WeasyPrint's
``table_cell_min_max_content_width``, 30 ms a render for nzf-2021-18's tables): a
cell laid out with the very style object it had in the last render, whose text and
its descendants' is unchanged, has the widths it had (its tags and attributes, and
every other element's, are the last render's: the trees are twins).
"""

from __future__ import annotations

import copy
import functools
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Styles:
    """What WeasyPrint's style computation gave a render (see the module)."""

    root: object  # the root element (xml.etree) the computed styles are keyed by
    style_for: object  # css.StyleFor
    anchors: list
    counter_style: dict
    color_profiles: dict
    faces: list  # the @font-face rules read, as pdf._SharedFonts.seen has them
    #: the intrinsic widths of the table cells laid out with these styles:
    #: (id of the cell's style, outer, its elements' text): (the style, widths)
    cell_widths: dict = field(default_factory=dict)


def _twins(old_root, new_root) -> dict | None:
    """{id(old element): new element} when the two trees hold the same elements in the
    same order with the same attributes, each with text or none as its twin; else
    None."""
    mapping = {}
    old_elements, new_elements = list(old_root.iter()), list(new_root.iter())
    if len(old_elements) != len(new_elements):
        return None
    for old, new in zip(old_elements, new_elements, strict=True):
        if (old.tag != new.tag or old.attrib != new.attrib
                or bool(old.text) != bool(new.text) or bool(old.tail) != bool(new.tail)):
            return None
        if isinstance(old.tag, str) and old.tag.rpartition("}")[2] == "style" and \
                old.text != new.text:  # the style sheet itself
            return None
        mapping[id(old)] = new
    return mapping


@contextmanager
def recorded_and_reused(previous: Styles | None, faces: list):
    """For the duration: each layout context WeasyPrint builds gets
    ``typeset_styles`` (:class:`Styles`); with `previous`, a render whose tree is its
    twin takes its styles (see the module).  `faces` is the list the process's font
    configuration fills with the @font-face rules a render reads: a render that
    takes the styles reads none, so it gets the last render's."""
    import weasyprint.document as wdocument
    from weasyprint.css.targets import TargetCollector
    from weasyprint.images import get_image_from_uri
    from weasyprint.layout import LayoutContext, preferred

    saved = wdocument.Document.__dict__["_build_layout_context"]
    original = wdocument.Document._build_layout_context  # bound to the class

    def build_layout_context(cls, html, font_config, counter_style, color_profiles,
                             options):
        mapping = None
        if previous is not None and not options["stylesheets"] and \
                not options["presentational_hints"] and not options["pdf_forms"] and \
                isinstance(options["cache"], (dict, type(None))):
            mapping = _twins(previous.root, html.etree_element)
        if mapping is None:
            context = original(html, font_config, counter_style, color_profiles,
                               options)
            context.typeset_styles = Styles(
                html.etree_element, context.style_for,
                list(context.target_collector.target_lookup_items),
                dict(counter_style), dict(color_profiles), list(faces))
            return context
        style_for = copy.copy(previous.style_for)
        style_for._computed_styles = {
            (mapping.get(id(key), key), pseudo): style
            for (key, pseudo), style in previous.style_for._computed_styles.items()}
        style_for._cascaded_styles = dict(previous.style_for._cascaded_styles)
        target_collector = TargetCollector()
        for anchor in previous.anchors:
            target_collector.collect_anchor(anchor)
        counter_style.update(previous.counter_style)
        color_profiles.update(previous.color_profiles)
        faces[:] = previous.faces
        cache = {} if options["cache"] is None else options["cache"]
        context = LayoutContext(
            style_for, functools.partial(get_image_from_uri, cache=cache,
                                         url_fetcher=html.url_fetcher, options=options),
            font_config, counter_style, target_collector)
        context.typeset_styles = Styles(
            html.etree_element, style_for, previous.anchors, previous.counter_style,
            previous.color_profiles, previous.faces)
        context.typeset_restyled = True
        return context

    original_widths = preferred.table_cell_min_max_content_width

    def cell_widths(context, box, outer=True):
        styles = getattr(context, "typeset_styles", None)
        if styles is None or box.element is None:
            return original_widths(context, box, outer)
        # the cell's own text and its descendants' (their tags and attributes are
        # the last render's when the styles were taken: `_twins`)
        key = (id(box.style), outer,
               tuple((e.text, e.tail) for e in box.element.iter()))
        if getattr(context, "typeset_restyled", False):
            kept = previous.cell_widths.get(key)
            if kept is not None and kept[0] is box.style:
                styles.cell_widths[key] = kept
                return kept[1]
        widths = original_widths(context, box, outer)
        styles.cell_widths[key] = (box.style, widths)
        return widths

    wdocument.Document._build_layout_context = classmethod(build_layout_context)
    preferred.table_cell_min_max_content_width = cell_widths
    try:
        yield
    finally:
        wdocument.Document._build_layout_context = saved
        preferred.table_cell_min_max_content_width = original_widths
