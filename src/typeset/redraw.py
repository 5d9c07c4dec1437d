"""What a warm process need not draw or compress again when it writes a PDF.

A warm preview (`--watch`) takes most of its pages from the last render
(`resume.converged`, `resume.ahead`): the very page boxes, unchanged.  Drawing a page
(WeasyPrint's ``Page.paint``: a Pango layout and a loop over the glyphs of every text
box) and compressing the PDF's streams at zlib level 9 (pydyf) then cost more than
laying out the pages that did change: 20-30 ms a page, 15 ms for each face's subset.

In: the pages of a document being written.  Out, for the duration of
:func:`kept_drawings`:

- a page whose page box was drawn in the last write that kept drawings is not drawn
  again: its drawing is replayed: the operators of its content stream, the fonts and
  glyphs it uses (each added where drawing would add it, in the same order, so the
  fonts, their subsets and the PDF are those a fresh drawing gives), the alpha states
  it names and its marked content (the tagged PDF's structure).  A page that uses
  anything else of the document (an image, a pattern, a shading, a group, a blend
  mode, a glyph missing from its font, a colour font) is always drawn;
- a stream's compressed content is taken from the streams a preview compressed
  before in the process when its bytes are the same (a digest of them,
  `kept_stream`, which `pdf._write_chunked` asks): the faces' subsets, which
  `pdf.kept_subsets` keeps, and the pages replayed.

Only writes with `keep=True` (previews) record their drawings and keep compressed
streams, and only the last such write's drawings are kept (they hold its page
boxes).  `tests/test_warm.py` compares warm previews whose pages are replayed with
the same previews drawn again, byte for byte.  The same recording and replay let a
build's last pages be drawn by another process (`typeset.aside`: `only`, `given`).
"""

from __future__ import annotations

import copy
import hashlib
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

#: The drawings of the last write that kept them: (id of the page box, scale, PDF
#: variant, tagged): Drawing.
_DRAWN: dict[tuple, Drawing] = {}
#: How many pages the last write replayed and drew (for tests and `-v`).
last_write = {"replayed": 0, "drawn": 0}
#: A copy of each font as WeasyPrint made it, before any glyph was drawn with it (font
#: key: Font), to add a font a replayed page uses to a document that lacks it.
_FACES: dict[tuple, object] = {}
#: Compressed stream contents: digest of the bytes: what zlib made of them.
_COMPRESSED: OrderedDict[bytes, bytes] = OrderedDict()
#: Bytes of compressed contents kept at most.
COMPRESSED_LIMIT = 64 * 1024 * 1024
#: Streams shorter than this are compressed each time (the digest would cost as much).
COMPRESSED_MIN = 2048

_page = None  # while a page is drawn for the record: its _Record


@dataclass
class Drawing:
    """What drawing one page did: its operators, the fonts and glyphs it used, the
    alpha states it named, and the marked content it opened."""

    box: object  # the page box drawn (held, so that its id is not reused)
    before: int  # operators in the stream before the page was drawn
    tags_before: int  # marked contents in the page's tags before
    operators: list
    fonts: list  # [(font key, [(glyph, text, width), ...])] in order of first use
    alphas: list  # [(ExtGState name, its dictionary's items)] in order of first use
    tags: list  # [(box, {"tag": …, "mcid": …})]

    def joined(self) -> list:
        """The operators as one item, joined as pydyf joins a stream's items (the
        stream's bytes are the same; the next write need not join them again)."""
        if len(self.operators) > 1:
            import pydyf

            self.operators = [b"\n".join(pydyf._to_bytes(op) for op in self.operators)]
        return self.operators


class _Record:
    def __init__(self) -> None:
        self.fonts: dict[tuple, dict] = {}  # font key: {glyph: None}, in use order
        self.alphas: dict[str, tuple] = {}
        self.impure = False  # the page used something a replay cannot give back


class _Used(dict):
    """A font's glyph-to-text map that notes the glyphs the page being recorded asks
    about: WeasyPrint asks it about every glyph it draws."""

    __slots__ = ("key",)

    def __contains__(self, glyph) -> bool:
        if _page is not None:
            _page.fonts.setdefault(self.key, {})[glyph] = None
        return dict.__contains__(self, glyph)


def _pristine(font):
    """A copy of `font` with nothing drawn with it yet."""
    clean = copy.copy(font)
    clean.widths, clean.missing = {}, {}
    clean.to_unicode = _Used()
    clean.to_unicode.key = font.to_unicode.key
    clean.variations = dict(font.variations)
    clean.used_in_forms = False
    return clean


@contextmanager
def kept_drawings(keep: bool, variant: str | None = None, *, pages: list = (),
                  only: range | None = None, given=None):
    """For the duration: pages drawn in the last write that kept drawings are replayed
    rather than drawn, and compressed streams are reused (see the module's
    docstring); with `keep`, this write's drawings are kept for the next.  `variant`
    (the PDF variant written) tells drawings apart besides the page box.

    Drawn aside (`typeset.aside`), `pages` being the document's pages: with `only`, a
    range of their indexes, this write draws and records those pages alone, put in
    :data:`handed_out` with their compressed streams, and raises `AllDrawn` after the
    last; with `given` (an `aside.Aside`), the pages from `given.first` on are
    replayed from the drawings the other process handed out, and their streams'
    compressed contents taken from it."""
    import pydyf
    from weasyprint.document import Page
    from weasyprint.pdf.stream import Stream
    from weasyprint.text.fonts import get_pango_font_key

    global _DRAWN
    originals = {name: getattr(Stream, name) for name in (
        "add_font", "set_alpha", "set_state", "add_group", "add_image", "add_pattern",
        "add_shading")}
    original_paint = Page.paint
    drawn: dict[tuple, Drawing] = {}
    last_write.update(replayed=0, drawn=0)
    keep = keep or only is not None  # drawing aside records what it draws
    index = {id(page): number for number, page in enumerate(pages)}

    def add_font(self, pango_font):
        font, size = originals["add_font"](self, pango_font)
        if keep and not isinstance(font.to_unicode, _Used):  # just made: not drawn with
            key = get_pango_font_key(pango_font)[0]
            used = _Used(font.to_unicode)
            used.key = key
            font.to_unicode = used
            _FACES[key] = _pristine(font)
        if _page is not None:
            if not isinstance(font.to_unicode, _Used):  # its glyphs cannot be noted
                _page.impure = True
            else:
                _page.fonts.setdefault(font.to_unicode.key, {})
            if font.missing or font.png or font.svg or font.colr:
                _page.impure = True
        return font, size

    def set_alpha(self, alpha, stroke=False, fill=None):
        if _page is not None:
            fill = not stroke if fill is None else fill
            if stroke:
                _page.alphas.setdefault(f"A{alpha}", (("CA", alpha),))
            if fill:
                _page.alphas.setdefault(f"a{alpha}", (("ca", alpha),))
        return originals["set_alpha"](self, alpha, stroke, fill)

    def impure(name):
        def method(self, *args, **kwargs):
            if _page is not None:
                _page.impure = True
            return originals[name](self, *args, **kwargs)
        return method

    def paint(page, stream, scale=1):
        tags = stream._tags
        number = index.get(id(page))
        if only is not None:
            if number in only:
                _hand_out(number, page, stream, scale)
            if number is None or number >= only[-1]:
                raise AllDrawn
            return
        if given is not None and number is not None and number >= given.first:
            drawing = given.drawing(number, page, stream)
            if drawing is not None:
                _replay(drawing, stream)
                last_write["replayed"] += 1
                return
        key = (id(page._page_box), scale, variant, tags is not None)
        kept = _DRAWN.get(key)
        if (kept is not None and kept.box is page._page_box
                and kept.before == len(stream.stream)
                and kept.tags_before == len(tags or ())):
            _replay(kept, stream)
            drawn[key] = kept
            last_write["replayed"] += 1
            return
        last_write["drawn"] += 1
        if not keep:  # nothing to record this drawing for
            original_paint(page, stream, scale)
            return
        drawing = recorded(page, stream, scale)
        if drawing is not None:
            drawn[key] = drawing

    def recorded(page, stream, scale) -> Drawing | None:
        """Draw `page` into `stream`; return what drawing did, or None if a replay
        could not do it again."""
        global _page
        tags = stream._tags
        record, before, tags_before = _Record(), len(stream.stream), len(tags or ())
        outer, _page = _page, record
        try:
            original_paint(page, stream, scale)
        finally:
            _page = outer
        if record.impure:
            return None
        fonts = []
        for font_key, glyphs in record.fonts.items():
            font = stream._fonts[font_key]
            fonts.append((font_key, [(glyph, font.to_unicode[glyph], font.widths[glyph])
                                     for glyph in glyphs]))
        return Drawing(
            page._page_box, before, tags_before, stream.stream[before:], fonts,
            list(record.alphas.items()),
            [(box, dict(mark)) for box, mark in list((tags or {}).items())[tags_before:]])

    def _hand_out(number, page, stream, scale) -> None:
        """Draw page `number` and put what a replay needs in :data:`handed_out`."""
        drawing = recorded(page, stream, scale)
        if drawing is None:  # the other process draws it
            return
        operators = drawing.joined()
        compressed = {}
        if stream.compress:  # the stream as pydyf joins it: what came before, then these
            content = b"\n".join(pydyf._to_bytes(item) for item in
                                 [*stream.stream[:drawing.before], *operators])
            if len(content) >= COMPRESSED_MIN:
                compressed[_digest(content)] = _compressed(content)
        handed_out[number] = Handed(
            drawing.before, drawing.tags_before, operators, drawing.fonts, drawing.alphas,
            [(id(box), mark) for box, mark in drawing.tags], compressed)

    Stream.add_font = add_font
    Stream.set_alpha = set_alpha
    for name in ("set_state", "add_group", "add_image", "add_pattern", "add_shading"):
        setattr(Stream, name, impure(name))
    Page.paint = paint
    # a build's streams are never written again: only a preview's are kept, and
    # looked up with a build's whose pages were drawn aside (`kept_stream`)
    global _streams, _keep_streams
    outer_streams = _streams, _keep_streams
    if given is not None:
        _streams, _keep_streams = given.compressed, False
    elif keep and only is None:
        _streams, _keep_streams = _COMPRESSED, True
    try:
        yield
    finally:
        for name, method in originals.items():
            setattr(Stream, name, method)
        Page.paint = original_paint
        _streams, _keep_streams = outer_streams
        if keep and only is None:
            _DRAWN = drawn


class Handed(NamedTuple):
    """What a write with `only` (drawing aside) hands over of a page it drew:
    picklable, a `Drawing` whose boxes are told by their ids, and the page's whole
    stream compressed."""

    before: int
    tags_before: int
    operators: list  # one item: the operators joined as pydyf joins them
    fonts: list
    alphas: list
    tags: list  # [(id of the box, {"tag": …, "mcid": …})]
    compressed: dict  # digest of the stream's content: its compressed bytes


#: The pages drawn by a write with `only`: page index: `Handed`, for
#: `aside.Aside.drawing` to replay in the other process.
handed_out: dict[int, Handed] = {}


class AllDrawn(Exception):
    """Raised by a write with `only` when its last page is drawn: the rest of the
    write is the other process's."""


#: While a write may take compressed stream contents (digest: compressed bytes) and
#: whether it keeps the ones it makes (see `kept_drawings`).
_streams: dict | None = None
_keep_streams = False


def kept_stream(content: bytes) -> tuple[bytes | None, bytes | None]:
    """What the write under way knows of a stream's `content`: (its digest, its
    compressed bytes), either None; (None, None) when it keeps no streams."""
    if _streams is None or len(content) < COMPRESSED_MIN:
        return None, None
    digest = _digest(content)
    compressed = _streams.get(digest)
    if compressed is not None and _keep_streams:
        _COMPRESSED.move_to_end(digest)
    return digest, compressed


def stream_compressed(digest: bytes | None, compressed: bytes) -> None:
    """Note what a stream of digest `digest` (from `kept_stream`) compressed to."""
    if digest is not None and _keep_streams:
        _remember_compressed(digest, compressed)


def _digest(content: bytes) -> bytes:
    return hashlib.blake2b(content, digest_size=20).digest()


def _compressed(content: bytes) -> bytes:
    """`content` compressed as pydyf 0.13 compresses a stream (zlib level 9)."""
    import zlib

    compressor = zlib.compressobj(level=9)
    return compressor.compress(content) + compressor.flush()


def _replay(drawing: Drawing, stream) -> None:
    """Do to `stream` and its document what drawing `drawing`'s page did."""
    import pydyf

    stream.stream.extend(drawing.joined())
    fonts = stream._fonts
    for key, glyphs in drawing.fonts:
        font = fonts.get(key)
        if font is None:
            font = fonts[key] = _pristine(_FACES[key])
        to_unicode, widths = font.to_unicode, font.widths
        for glyph, text, width in glyphs:
            if glyph not in to_unicode:
                dict.__setitem__(to_unicode, glyph, text)
            if glyph not in widths:
                widths[glyph] = width
    states = stream._resources["ExtGState"]
    for name, items in drawing.alphas:
        if name not in states:
            states[name] = pydyf.Dictionary(dict(items))
    if stream._tags is not None:
        for box, mark in drawing.tags:
            stream._tags[box] = dict(mark)


def _remember_compressed(digest: bytes, compressed: bytes) -> None:
    _COMPRESSED[digest] = compressed
    total = sum(len(value) for value in _COMPRESSED.values())
    while total > COMPRESSED_LIMIT and len(_COMPRESSED) > 1:
        _, dropped = _COMPRESSED.popitem(last=False)
        total -= len(dropped)
