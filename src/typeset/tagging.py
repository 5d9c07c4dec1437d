"""Extend WeasyPrint 70's PDF tagging for the screen edition: what the margins hold.

In: a rendered `weasyprint.Document` about to be written with tags (PDF/UA-1).  Out:
for the duration of `margins_tagged(document)`, a tagging in which

- running heads and folios (margin boxes whose content is generated: counters,
  `string()`) are marked content `/Artifact <</Type /Pagination>>`, outside the
  structure tree, as PDF/UA-1 asks of pagination;
- running elements (`position: running()`, shown by `element()` in a margin box: the
  contents pages' colophon and slogans) are in the structure tree, after the page's
  other content.

WeasyPrint 70 tags the text of every margin box as marked content with an MCID and
builds structure elements for it that no parent holds ("only allowed in PDF 2.0", its
comment says of artifacts), so running heads are neither content nor artifacts, and
the colophon is lost to a screen reader.  Two functions are wrapped while the PDF is
written, and restored after: `pdf.stream.Stream.marked` (how a box's text is marked)
and `pdf.tags._build_box_tree` (which boxes become structure elements).  Written for
WeasyPrint 70; `margins_tagged` fails loudly if either is missing.
"""

from __future__ import annotations

from contextlib import contextmanager

import pydyf


@contextmanager
def margins_tagged(document):
    """Tag `document`'s margin boxes as described above while it is written."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import stream as wstream
    from weasyprint.pdf import tags as wtags

    original_marked = getattr(wstream.Stream, "marked", None)
    original_build = getattr(wtags, "_build_box_tree", None)
    if original_marked is None or original_build is None:
        raise RuntimeError("typeset.tagging: WeasyPrint's Stream.marked or "
                           "tags._build_box_tree is gone; this extension was written "
                           "for WeasyPrint 70")
    pagination: set[int] = set()  # ids of the boxes of generated margin content
    running: set[int] = set()  # ids of margin boxes that show a running element
    for page in document.pages:
        for margin in page._page_box.children:
            if not isinstance(margin, boxes.MarginBox):
                continue
            inside = list(margin.descendants())
            if any(box is not margin and box.element is not None for box in inside):
                running.add(id(margin))
            else:
                pagination.update(id(box) for box in inside)

    @contextmanager
    def marked(self, box, tag):
        if id(box) not in pagination or self._tags is None:
            with original_marked(self, box, tag):
                yield
            return
        pydyf.Stream.begin_marked_content(
            self, "Artifact", pydyf.Dictionary({"Type": "/Pagination"}))
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(self)

    def build_box_tree(box, parent, pdf, page_number, nums, annotations, tags):
        if isinstance(box, boxes.MarginBox):
            if id(box) in running:  # its content, in the page's flow of elements
                for child in box.children:
                    yield from original_build(child, parent, pdf, page_number, nums,
                                              annotations, tags)
            return  # pagination: artifacts, never structure
        yield from original_build(box, parent, pdf, page_number, nums, annotations, tags)

    wstream.Stream.marked = marked
    wtags._build_box_tree = build_box_tree
    try:
        yield
    finally:
        wstream.Stream.marked = original_marked
        wtags._build_box_tree = original_build
