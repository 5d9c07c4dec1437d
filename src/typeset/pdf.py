"""Turn composed HTML into a PDF with WeasyPrint, and write it atomically.

In: an HTML string and the folder that relative URLs resolve against.  Out: a
rendered `weasyprint.Document` (pages and their boxes, for checks that need exact
geometry) and, from it, PDF bytes written to a temporary file and renamed over the
target, so a failed build never leaves a damaged or half-written PDF in `out/`.

Two editions, one layout: the same pages written as the PDF each reader needs
(`VARIANTS`).  The screen edition is PDF/UA-1 as WeasyPrint writes it: tagged, with
its language, its title in the window's title bar and the outline
(`typeset.tagging` puts the margins in order); the print edition is PDF/X-4 with a
CMYK output intent, bleed and printer's marks (`typeset.press`).

Both are written with their objects in object streams of a hundred
(`object_streams_in_chunks`), so that `typeset check` finds the pages without
parsing the structure tree, and with each face's subset made once per glyph set in
a process (`kept_subsets`).

Fonts: `typeset/__init__.py` points fontconfig at a configuration with no font
directories, so the only faces are the layout's @font-face files.  WeasyPrint's log
warnings are collected and returned to the caller, which decides what they mean.
"""

from __future__ import annotations

import logging
import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pydyf
import weasyprint
from weasyprint.text import ffi as _weasyprint_ffi
from weasyprint.text.fonts import FontConfiguration

LOGGER = logging.getLogger("weasyprint")

#: Each edition's PDF (`build.EDITIONS`), as WeasyPrint 70 names the variant it writes.
#: Print: PDF/X-4, not X-1a: X-4 carries the OpenType (CFF) font programs WeasyPrint
#: embeds, an ICC output intent with device-independent RGB for figures, and
#: transparency should a figure have any; X-1a (PDF 1.3 level) allows none of these.
VARIANTS = {"screen": "pdf/ua-1", "print": "pdf/x-4"}


def has_harfbuzz_subset() -> bool:
    """True when WeasyPrint found libharfbuzz-subset (fast font subsetting)."""
    return _weasyprint_ffi.harfbuzz_subset is not None


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def collected_warnings():
    """Collect WeasyPrint's warnings (and keep them off stderr) for the duration."""
    handler = _Collect()
    LOGGER.addHandler(handler)
    propagate = LOGGER.propagate
    LOGGER.propagate = False
    try:
        yield handler.messages
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.propagate = propagate


class _SharedFonts(FontConfiguration):
    """A font configuration that loads each @font-face once per process.

    WeasyPrint copies every @font-face file into fontconfig on each render (about
    0.2 s for our four faces); a warm process (`typeset preview --watch`, the tests)
    keeps them instead.  Faces are keyed by their full descriptors, so a changed
    rule loads again.
    """

    def __init__(self) -> None:
        super().__init__()
        self._loaded: dict[str, object] = {}
        self.seen: list[dict] = []  # the rules of the current render, for the glyph check

    def add_font_face(self, rule_descriptors, url_fetcher):
        self.seen.append(dict(rule_descriptors))
        key = repr(sorted(rule_descriptors.items(), key=lambda item: item[0]))
        if key not in self._loaded:
            with _font_files_linked(url_fetcher) as fetcher:
                self._loaded[key] = super().add_font_face(rule_descriptors, fetcher)
        return self._loaded[key]


#: What stands in for a font file's bytes in `_font_files_linked`: its first four
#: bytes, this tag and 16 random bytes.
_LINK_TAG = b"typeset: a link to the font file, not its bytes:"


@contextmanager
def _font_files_linked(url_fetcher):
    """For the duration (one call of WeasyPrint 70's ``FontConfiguration.add_font_face``):
    a font that `url_fetcher` (a `resources.Fetcher`) would read from a file, other
    than a WOFF one, reaches fontconfig as a symbolic link to that file, in
    WeasyPrint's temporary folder, where WeasyPrint reads the file and writes a copy
    of it (20-25 ms for a CJK face, four faces at each start of a process).

    WeasyPrint is given a stand-in for the bytes (:data:`_LINK_TAG`); the one thing it
    does with them, after looking at their first bytes for WOFF, is write them to its
    copy's path, and that write makes the link instead.  The file is checked as a
    fetch checks it (`Fetcher.local_file`: inside the roots, a regular file, within
    the size limit).  Another fetcher, or another WeasyPrint, fetches and copies as
    shipped."""
    import pathlib

    from weasyprint.urls import URLFetcherResponse

    local_file = getattr(url_fetcher, "local_file", None)
    if local_file is None or not weasyprint.__version__.startswith("70."):
        yield url_fetcher
        return
    stand_ins: dict[bytes, str] = {}
    size = 4 + len(_LINK_TAG) + 16

    def fetcher(url):
        path = local_file(url)
        if path is not None:
            with open(path, "rb") as stream:
                head = stream.read(4)
            if len(head) == 4 and head[:3] != b"wOF":
                stand_in = head + _LINK_TAG + os.urandom(16)
                stand_ins[stand_in] = str(path)
                return URLFetcherResponse(url, stand_in)
        return url_fetcher(url)

    fetcher._fail_on_errors = getattr(url_fetcher, "_fail_on_errors", False)
    original = pathlib.Path.write_bytes

    def write_bytes(path, data):
        target = stand_ins.get(data) if isinstance(data, bytes) and len(data) == size \
            else None
        if target is None:
            return original(path, data)
        os.symlink(target, path)
        return len(data)

    pathlib.Path.write_bytes = write_bytes
    try:
        yield fetcher
    finally:
        pathlib.Path.write_bytes = original


_fonts: _SharedFonts | None = None


@contextmanager
def _nothing():
    yield


#: Allocations between two young-generation collections while rendering (Python's
#: default is 700).  A render allocates millions of short-lived boxes and layouts;
#: with the default, collections took 6-8% of a build's CPU time on the sample
#: (bench, in-process, medians of 5).  Collections still run, so memory stays bounded.
RENDER_GC_THRESHOLD = (50_000, 20, 100)


@contextmanager
def tuned_gc():
    """Collect garbage less often for the duration: what was allocated before (modules,
    the model, the fonts) is frozen out of the collector's scans, and the young
    generation is collected every RENDER_GC_THRESHOLD[0] allocations."""
    import gc

    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*RENDER_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


@contextmanager
def _layout_hook(check, start, laid_out: list, until=frozenset(), previous=None,
                 source: str = ""):
    """While WeasyPrint renders: call `check(root_box, style_for)` once the box tree is
    built, before a line is laid out (whatever it raises ends the render there); lay
    out from the checkpoint `start` (`typeset.resume`) if given, up to the page that
    shows a document of `until`, else from the first page to the last; append
    WeasyPrint's layout context to `laid_out`."""
    import weasyprint.document as wdocument

    original = wdocument.layout_document

    def layout_document(html, root_box, context, *args, **kwargs):
        if check is not None:
            check(root_box, context.style_for)
        laid_out.append(context)
        if start is not None:
            from .resume import layout_from

            context.typeset_root = root_box
            return layout_from(html, root_box, context, start, until, previous, source)
        return original(html, root_box, context, *args, **kwargs)

    wdocument.layout_document = layout_document
    try:
        yield
    finally:
        wdocument.layout_document = original


@contextmanager
def _sheets_parsed_once():
    """For the duration, the sheets of the HTML's ``<style>`` elements (the layout's)
    are parsed once and kept in the cache folder (`typeset.sheets`)."""
    import weasyprint.css as wcss

    from .sheets import document_sheets

    real = wcss.CSS
    wcss.CSS = document_sheets(real)
    try:
        yield
    finally:
        wcss.CSS = real


def render(html: str, base_url: Path, roots: tuple[Path, ...] | None = None,
           before_layout=None, start=None, until=frozenset(), previous=None,
           ) -> tuple[weasyprint.Document, list[str]]:
    """Lay out `html` into pages; return the document and WeasyPrint's warnings.

    Every URL goes through one `resources.Fetcher` that reads files under `roots`
    (default: layouts/ and fonts/; the issue's folder `base_url` is always added)
    and nothing else; a refused URL fails the render with `TypesetError` naming it,
    where WeasyPrint alone would only log a warning and leave the resource out.

    `before_layout(root_box, style_for, font_faces)`, if given, is called when the
    styles are computed and the boxes built, before layout (the glyph check): with
    WeasyPrint's box tree, its style lookup and the @font-face rules it read.

    `start`, a `resume.Checkpoint` of this HTML, lays out from its page on: the
    document then holds the pages from there (the checkpoint's `index` is the first's
    index in the whole render); with `until` (document ids), it ends with the first
    page that shows one of them, unless the content ends first
    (`layout_context.unfinished` holds those it stopped in); with `previous` (a
    `resume.Previous` from the same checkpoint), it stops where the pages become the
    previous render's again, and takes those (`layout_context.reused`).  The
    document's `layout_context` is WeasyPrint's context of the render (for
    `resume.capture`).
    """
    global _fonts
    from . import borders
    from .errors import TypesetError
    from .resources import Fetcher
    from .restyle import recorded_and_reused

    if roots is None:
        from .layout import data_dir

        roots = (data_dir("layouts"), data_dir("fonts"))
    fetcher = Fetcher((Path(base_url), *roots))
    if _fonts is None:
        _fonts = _SharedFonts()
    fonts = _fonts
    fonts.seen = []

    def check(root_box, style_for):
        if fetcher.refused:  # a refused @font-face: say so, not that glyphs are missing
            raise TypesetError("typeset: refused to read " + "; ".join(fetcher.refused))
        before_layout(root_box, style_for, fonts.seen)

    laid_out: list = []
    # after an edit of text only, the styles of the last render from this checkpoint
    styles = getattr(previous.context, "typeset_styles", None) if previous else None
    with collected_warnings() as warnings, tuned_gc(), \
            _layout_hook(check if before_layout else None, start, laid_out, until,
                         previous, html), recorded_and_reused(styles, fonts.seen), \
            _sheets_parsed_once(), borders.resolved_once():
        document = _html(html, str(base_url) + os.sep, fetcher).render(font_config=fonts)
    document.layout_context = laid_out[0] if laid_out else None
    if fetcher.refused:
        raise TypesetError("typeset: refused to read " + "; ".join(fetcher.refused))
    return document, warnings


def _html(markup: str, base_url: str, fetcher) -> weasyprint.HTML:
    """WeasyPrint's HTML of `markup`: its element tree built by `typeset.htmltree`
    when it can promise HTML5's tree (five times faster than WeasyPrint's parser),
    else parsed by WeasyPrint."""
    from .htmltree import parsed

    root = parsed(markup) if weasyprint.__version__.startswith("70.") else None
    if root is None:
        return weasyprint.HTML(string=markup, base_url=base_url, url_fetcher=fetcher)
    import cssselect2
    from weasyprint.urls import ensure_url

    # what WeasyPrint 70's HTML.__init__ sets after parsing (select_source makes the
    # base a URL)
    document = weasyprint.HTML.__new__(weasyprint.HTML)
    document.base_url = weasyprint._find_base_url(root, ensure_url(base_url))
    document.url_fetcher = fetcher
    document.media_type = "print"
    document.wrapper_element = cssselect2.ElementWrapper.from_html_root(
        root, content_language=None)
    document.etree_element = document.wrapper_element.etree_element
    return document


#: Font subsets made in this process: (face, its size, face index, glyph ids kept,
#: hinting, outline for missing glyphs): the subset font's bytes.  A warm preview
#: (`--watch`) writes the same glyphs of the same faces again after most edits.
_SUBSETS: dict[tuple, bytes] = {}
#: Subsets kept at most (each a few hundred KB of a CJK face).
SUBSET_LIMIT = 32
#: Each face's font file, which WeasyPrint copies out of HarfBuzz for every write
#: (face, its size in bytes): a view of HarfBuzz's memory (no copy: 20 ms and
#: 30 MB for the faces of a one-page preview).  The process's font map keeps its faces.
_FACE_DATA: dict[tuple, object] = {}
#: Set (``.active``) in a thread while it makes a subset: the subset's own face is
#: freed afterwards, and a later one may get its address, so its bytes are never kept.
_SUBSETTING = threading.local()


@contextmanager
def kept_subsets():
    """For the duration: each font's HarfBuzz subset (WeasyPrint's
    ``Font._harfbuzz_subset``, 20-45 ms for a CJK face) made once per face and glyph
    set in the process, and taken from :data:`_SUBSETS` when asked for again.  The
    face is told by its HarfBuzz face (the process's shared font map keeps one per
    font) and its size in bytes.  So is the whole font file WeasyPrint copies out of
    each face it writes (2 ms for a CJK face, four faces in every write); never the
    file of a subset's face, which lives only while it is copied.

    A subset the process has not made may have been made by an earlier one: it is
    then taken from the cache folder (`typeset.subsets`), and one made is kept there.
    The subsets a write needs that neither has are made side by side, one thread per
    core (HarfBuzz lets go of Python's lock): a build's six faces, 0.15 s one after
    another."""
    import copy
    from concurrent.futures import ThreadPoolExecutor

    import weasyprint.pdf as weasyprint_pdf
    from weasyprint.pdf import fonts as fonts_module
    from weasyprint.pdf.fonts import Font
    from weasyprint.text.ffi import ffi, harfbuzz

    from . import subsets

    original = Font._harfbuzz_subset

    def key_of(font, to_unicode, hinting) -> tuple:
        return (int(ffi.cast("uintptr_t", font.hb_face)), len(font.file_content),
                font.index, tuple(sorted(to_unicode)), bool(hinting), bool(font.missing))

    def made(font, to_unicode, hinting) -> None:
        _SUBSETTING.active = True
        try:
            original(font, to_unicode, hinting)
        finally:
            _SUBSETTING.active = False

    def keep(key, data: bytes) -> None:
        if len(_SUBSETS) >= SUBSET_LIMIT:
            del _SUBSETS[next(iter(_SUBSETS))]
        _SUBSETS[key] = data

    def from_disk(key, font, to_unicode, hinting) -> str | None:
        """Keep the subset of an earlier process, when there is one; the name it is
        (or would be) kept under in the cache folder."""
        name = subsets.key(font.file_content, font.index, to_unicode, hinting,
                           font.missing)
        data = subsets.load(name) if name is not None else None
        if data is not None:
            keep(key, data)
        return name

    def subset(font, to_unicode, hinting):
        key = key_of(font, to_unicode, hinting)
        kept = _SUBSETS.get(key)
        if kept is None:
            name = from_disk(key, font, to_unicode, hinting)
            kept = _SUBSETS.get(key)
        if kept is not None:
            font.file_content = kept
            return
        whole = font.file_content
        made(font, to_unicode, hinting)
        keep(key, font.file_content)
        if name is not None and font.file_content is not whole:
            subsets.keep(name, font.file_content)

    def ahead(fonts: dict, hinting) -> None:
        """The subsets `build_fonts_dictionary` will ask for and the process has not
        made yet, made side by side (HarfBuzz runs without Python's lock) on a copy
        of each font, and kept; that function then finds them kept."""
        groups: dict = {}
        for font in fonts.values():  # as build_fonts_dictionary groups and merges them
            groups.setdefault(font.hash, []).append(font)
        jobs = []
        for file_fonts in groups.values():
            font = file_fonts[0]
            if font.bitmap or font.used_in_forms:
                continue
            to_unicode: dict = {}
            for file_font in file_fonts:
                to_unicode = {**to_unicode, **file_font.to_unicode}
            key = key_of(font, to_unicode, hinting) if to_unicode else None
            if key is not None and key not in _SUBSETS:
                name = from_disk(key, font, to_unicode, hinting)
                if key not in _SUBSETS:
                    jobs.append((key, name, font, to_unicode))
        if len(jobs) < 2 or not fonts_module.harfbuzz_subset or \
                not harfbuzz.hb_version_atleast(4, 1, 0):
            return

        def make(job):
            key, name, font, to_unicode = job
            twin = copy.copy(font)  # its file_content becomes the subset's
            made(twin, to_unicode, hinting)
            return key, name, twin.file_content, twin.file_content is not font.file_content

        with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
            for key, name, data, changed in pool.map(make, jobs):
                if changed:  # else HarfBuzz failed: the write tries again and says so
                    keep(key, data)
                    if name is not None:
                        subsets.keep(name, data)

    original_dictionary = weasyprint_pdf.build_fonts_dictionary

    def fonts_dictionary(pdf, fonts, compress, subset_fonts, options):
        if subset_fonts:
            ahead(fonts, options["hinting"])
        return original_dictionary(pdf, fonts, compress, subset_fonts, options)

    Font._harfbuzz_subset = subset
    weasyprint_pdf.build_fonts_dictionary = fonts_dictionary
    original_data = fonts_module.get_hb_object_data

    def face_data(hb_object, ot_color=None, glyph=None):
        if ot_color is not None or getattr(_SUBSETTING, "active", False):
            return original_data(hb_object, ot_color, glyph)
        blob = harfbuzz.hb_face_reference_blob(hb_object)
        try:
            key = (int(ffi.cast("uintptr_t", hb_object)), harfbuzz.hb_blob_get_length(blob))
        finally:
            harfbuzz.hb_blob_destroy(blob)
        data = _FACE_DATA.get(key)
        if data is None:
            data = _FACE_DATA[key] = face_memory(hb_object) or original_data(hb_object)
        return data

    def face_memory(hb_object):
        """The face's font file as HarfBuzz holds it (the file mapped into memory),
        not a copy: a view whose slices are bytes.  Its blob stays referenced for the
        process, as the copy stayed kept."""
        blob = harfbuzz.hb_face_reference_blob(hb_object)
        with ffi.new("unsigned int *") as length:
            pointer = harfbuzz.hb_blob_get_data(blob, length)
            size = int(length[0])
        if pointer == ffi.NULL or not size:
            harfbuzz.hb_blob_destroy(blob)
            return None
        return ffi.buffer(pointer, size)

    original_clean = Font.clean

    def clean(font, to_unicode, hinting):
        # the font file goes into the PDF after this: as bytes, when it is still the
        # face's whole file (not subset: no glyphs to keep, HarfBuzz failed)
        original_clean(font, to_unicode, hinting)
        if not isinstance(font.file_content, bytes):
            font.file_content = bytes(font.file_content)

    fonts_module.get_hb_object_data = face_data
    Font.clean = clean
    try:
        yield
    finally:
        Font._harfbuzz_subset = original
        Font.clean = original_clean
        weasyprint_pdf.build_fonts_dictionary = original_dictionary
        fonts_module.get_hb_object_data = original_data


#: Objects per object stream in the PDFs typeset writes (pydyf writes one stream of all).
OBJECTS_PER_STREAM = 100


@contextmanager
def object_streams_in_chunks():
    """For the duration: pydyf writes compressed PDFs with their objects in object
    streams of :data:`OBJECTS_PER_STREAM` each, not all in one.

    A reader (pypdf, for `typeset check`) parses a whole object stream to get one
    object of it; in one stream, the catalog came with the thousands of structure
    elements of the tagged PDF (0.6 s of a 0.8 s check).  In chunks it parses the
    catalog's, the pages' and the fonts' streams only.  The file grows by 0.7%."""
    original = pydyf.PDF.write
    if not pydyf.__version__.startswith("0.13."):  # written for its internals
        yield
        return

    def write(pdf, output, version=b"1.7", identifier=False, compress=False):
        if not compress or pydyf._to_bytes(version or b"1.7") < b"1.5":
            return original(pdf, output, version, identifier, compress)
        return _write_chunked(pdf, output, version, identifier)

    pydyf.PDF.write = write
    try:
        yield
    finally:
        pydyf.PDF.write = original


@contextmanager
def page_references_kept():
    """For the duration: pydyf's ``PDF.page_references`` (the reference of every page,
    built anew at each ask) is built once per number of pages.  WeasyPrint's tagged
    PDF asks it for each structure element: 3,900 times for the sample's 31 pages."""
    original = pydyf.PDF.page_references

    def page_references(pdf):
        pages = len(pdf.pages["Kids"])
        kept = pdf.__dict__.get("_typeset_page_references")
        if kept is None or kept[0] != pages:
            kept = pdf._typeset_page_references = (pages, original.fget(pdf))
        return kept[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


#: Threads that compress a PDF's streams while the writing thread serialises its
#: objects (zlib lets go of Python's lock while it compresses).
COMPRESSING_THREADS = 2


def _write_chunked(pdf, output, version, identifier) -> None:
    """pydyf 0.13's ``PDF.write`` with ``compress``, the compressible objects put in
    object streams of :data:`OBJECTS_PER_STREAM` (derived from pydyf, BSD-3-Clause,
    © Kozea).  Each stream is compressed in one of :data:`COMPRESSING_THREADS`
    threads, or taken from a preview's last write (`redraw.kept_stream`) or, for a
    large one (a font), from an earlier process's (`typeset.streams`), while this
    thread joins the next one's content and serialises the other objects; the bytes
    are pydyf's."""
    from concurrent.futures import ThreadPoolExecutor
    from hashlib import md5
    from math import ceil, log

    from pydyf import Array, Dictionary, Stream, String, _to_bytes

    from . import streams
    from .redraw import _compressed, kept_stream, stream_compressed

    version = _to_bytes(version or b"1.7")
    if identifier not in (False, True, None):
        identifier = _to_bytes(identifier)
    if pdf.info:
        pdf.add_object(pdf.info)
    pdf.write_line(b"%PDF-" + version, output)
    pdf.write_line(b"%\xf0\x9f\x96\xa4", output)

    with ThreadPoolExecutor(COMPRESSING_THREADS) as pool:
        def compressed(stream):  # (digest, compressed bytes or their future)
            content = b"\n".join(_to_bytes(item) for item in stream.stream)
            digest, known = kept_stream(content)
            if known is None:
                name = streams.name(content)  # a large one (a font) an earlier write kept
                known = streams.load(name, content)
                if known is None:
                    return digest, pool.submit(compressed_kept, content, name)
                stream_compressed(digest, known)
            return digest, known

        def compressed_kept(content: bytes, name: str | None) -> bytes:
            data = _compressed(content)
            streams.keep(name, data)
            return data

        def written(stream, digest, body) -> bytes:
            if not isinstance(body, bytes):
                body = body.result()
                stream_compressed(digest, body)
            extra = Dictionary(stream.extra.copy())
            extra["Filter"] = "/FlateDecode"
            extra["Length"] = len(body)
            return (f"{stream.number} {stream.generation} obj\n".encode() + b"\n".join(
                (extra.data, b"stream", body, b"endstream")) + b"\nendobj")

        compressible, direct = [], []
        for object_ in pdf.objects:
            if object_.free == "f":
                continue
            if object_.compressible:
                compressible.append(object_)
            elif isinstance(object_, Stream) and object_.compress:
                direct.append((object_, *compressed(object_)))
            else:
                direct.append((object_, None, None))

        where = {}  # object number: (its object stream's number, index in it)
        object_streams = []  # numbered in this order, as pydyf numbers them
        for start in range(0, len(compressible), OBJECTS_PER_STREAM):
            chunk = compressible[start:start + OBJECTS_PER_STREAM]
            header, parts, position = [], [], 0
            for object_ in chunk:
                data = object_.data
                parts.append(data)
                header.extend((object_.number, position))
                position += len(data) + 1
            header = " ".join(str(number) for number in header)
            stream = Stream([header, *parts], {
                "Type": "/ObjStm", "N": len(chunk), "First": len(header) + 1}, True)
            object_streams.append((stream, chunk, *compressed(stream)))

        for object_, digest, body in direct:
            object_.offset = pdf.current_position
            pdf.write_line(object_.indirect if body is None
                           else written(object_, digest, body), output)
        for stream, chunk, digest, body in object_streams:
            stream.offset = pdf.current_position
            pdf.add_object(stream)
            pdf.write_line(written(stream, digest, body), output)
            where.update((object_.number, (stream.number, index))
                         for index, object_ in enumerate(chunk))
    xref = [(2, *where[object_.number]) if object_.number in where
            else (bool(object_.number), object_.offset, object_.generation)
            for object_ in pdf.objects]
    xref.append((1, pdf.current_position, 0))
    widths = (1, ceil(log(pdf.current_position + 1, 256)), ceil(log(max(
        max(object_.generation for object_ in pdf.objects), OBJECTS_PER_STREAM) + 1, 256)))
    extra = {
        "Type": "/XRef",
        "Index": Array((0, len(pdf.objects) + 1)),
        "W": Array(widths),
        "Size": len(pdf.objects) + 1,
        "Root": pdf.catalog.reference,
    }
    if pdf.info:
        extra["Info"] = pdf.info.reference
    if identifier:
        data_hash = md5(b"".join(
            obj.data for obj in pdf.objects if obj.free != "f")).hexdigest().encode()
        if identifier is True:
            identifier = data_hash
        extra["ID"] = Array((String(identifier).data, String(data_hash).data))
    xref_stream = Stream([b"".join(value.to_bytes(width, "big") for line in xref
                                   for width, value in zip(widths, line, strict=True))],
                         extra, True)
    pdf.xref_position = xref_stream.offset = pdf.current_position
    pdf.add_object(xref_stream)
    pdf.write_line(xref_stream.indirect, output)
    pdf.write_line(b"startxref", output)
    pdf.write_line(f"{pdf.xref_position}".encode(), output)
    pdf.write_line(b"%%EOF", output)


def pdf_bytes(document: weasyprint.Document, front: tuple[str, ...] = (),
              first_number: int = 1, edition: str = "screen", press=None,
              keep_drawings: bool = False, aside=None, only: range | None = None) -> bytes:
    """Serialise a rendered document to the PDF of `edition`, fonts embedded and subset.

    Page labels say what the printed pages say: the `front` pages by name (封面, 封二),
    then numbers from `first_number`, so a viewer's page box and `typeset check` both
    use the printed numbers.  The print edition needs `press` (`typeset.press.Press`).
    Whatever WeasyPrint logs while writing (an image without alternative text, for
    one) fails the write with `TypesetError`: a PDF that misses its variant's rules is
    never written.  A page drawn in the last write with `keep_drawings` (a preview's)
    whose page box this document shows again is not drawn again (`typeset.redraw`).
    With `aside` (from :func:`drawn_aside`), the pages another process drew are
    replayed; `only` is that process's own write, which draws those pages alone.
    """
    from .errors import TypesetError
    from .redraw import kept_drawings

    def finish(_document, pdf) -> None:
        nums = pydyf.Array()
        for index, name in enumerate(front):
            nums.extend([index, pydyf.Dictionary({"P": pydyf.String(name)})])
        nums.extend([len(front), pydyf.Dictionary({"S": "/D", "St": first_number})])
        pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": nums})
        if edition == "print":
            from .press import finish as finish_for_press

            finish_for_press(pdf, press, document.metadata.title or "")

    if edition == "screen":
        from .tagging import margins_tagged

        tagging = margins_tagged(document)
    else:
        tagging = _nothing()
    with tuned_gc(), collected_warnings() as warnings, tagging, kept_subsets(), \
            object_streams_in_chunks(), page_references_kept(), kept_drawings(
                keep_drawings, VARIANTS[edition], pages=document.pages, only=only,
                given=aside):
        data = document.write_pdf(finisher=finish, pdf_variant=VARIANTS[edition])
    if warnings:
        raise TypesetError(f"typeset: the {edition} edition's PDF ({VARIANTS[edition]}): "
                           f"{warnings[0]}")
    return data


def drawn_aside(document: weasyprint.Document, front: tuple[str, ...] = (),
                first_number: int = 1, edition: str = "screen", press=None):
    """Start drawing the last pages of `document`'s PDF in another process
    (`typeset.aside`); return what to give `pdf_bytes` as `aside` (and close when
    done), or None when they are all drawn here.  The arguments are `pdf_bytes`'s."""
    from .aside import started

    return started(document.pages, lambda only: pdf_bytes(
        document, front, first_number, edition=edition, press=press, only=only))
