"""Turn a built PDF (and its issue) into facts and findings, read back with pypdf.

In: a PDF path and the `Issue` it was built from.  Out: `PdfFacts` (pages, labels,
sizes, outline, named destinations, links, fonts, metadata, text) and, from those,
`IssuePages` (where each document's head is, where its title is printed, what the
contents print) and a list of findings: human-readable problems, empty when the PDF
is right.

Every check compares two independent readings.  A contents number is compared with
the page where the document's title is printed, found by reading each page's text,
never with the link or named destination the number was computed from.  Contents
entries are matched to documents by the title they print (and their links checked
against the documents' ids), never by position.

The PDF is untrusted.  `read_pdf` and `PdfFacts.text`/`links` are the only places
pypdf touches it: whatever pypdf raises there becomes a one-line `PdfError` naming
the file; pypdf's log warnings are kept off stderr and reported as findings; what is
read is bounded (file size, page count, font entries, content whose text is read),
so a hostile PDF can neither hang `typeset check` nor exhaust its memory.

Nothing here renders: reading a 30-page issue, text included, takes about two seconds
(pypdf's text extraction), so `typeset check --pdf` is cheap enough for every commit.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import IndirectObject, NameObject

from .errors import TypesetError
from .model import Issue, plain

#: ISO A4 in points, for tests and tools that make PDFs; the check itself reads the
#: expected size from the layout (`Layout.page_size_pt`).
A4 = (595.28, 841.89)

# Bounds on what is read, far above any issue's PDF (the 30-page sample is 0.9 MB
# with at most 48 kB of page content a page, 1 MB in all; text is read at about
# 0.4 MB/s, so the content bound is also a bound of about 80 s on the reading).
MAX_PDF_BYTES = 200_000_000  # the file: pypdf holds it in memory
MAX_PAGES = 2_000
MAX_FONT_ENTRIES = 100_000  # font resources looked at, over all pages
MAX_PAGE_CONTENT = 2_000_000  # decoded content (and forms) of one page whose text is read
MAX_CONTENT = 32_000_000  # decoded content of all the pages whose text is read

_SUBSET = re.compile(r"^[A-Z]{6}\+")
_LEADER_NUMBER = re.compile(r"[.·…]+\s*（(\d+)）")
_SPACE = re.compile(r"\s+")


class PdfError(TypesetError):
    """A PDF that cannot be read as one typeset built (exit code 2: the user's file)."""

    exit_code = 2


@dataclass
class FontFact:
    name: str
    embedded: bool
    subset: bool


@dataclass
class PdfFacts:
    """What a PDF holds, as pypdf reads it."""

    path: Path
    pages: int
    labels: list[str]
    sizes: list[tuple[float, float]]  # each page's trim size (TrimBox), in pt
    outline: list[tuple[int, str, int]]  # (level, title, page index; -1 if unknown)
    dests: dict[str, int]  # named destination → page index
    fonts: dict[str, FontFact]
    metadata: dict[str, str]
    lang: str
    reader: PdfReader = field(repr=False)
    notdef: list[int] = field(default_factory=list)  # pages showing a .notdef glyph
    warnings: list[str] = field(default_factory=list)  # what pypdf logged while reading
    _texts: dict[int, str] = field(default_factory=dict, repr=False)
    _content_read: int = field(default=0, repr=False)
    _pdfium: object = field(default=None, repr=False)

    def label(self, index: int) -> str:
        return self.labels[index] if 0 <= index < len(self.labels) else str(index + 1)

    def text(self, index: int) -> str:
        """The extracted text of page `index` (extracted once, on demand: it is slow).

        Raises `PdfError` when pypdf fails or the page holds more content than
        `MAX_PAGE_CONTENT` (or all pages read so far more than `MAX_CONTENT`).
        """
        if index not in self._texts:
            with _reading(self.path, self.warnings):
                page = self.reader.pages[index]
                size = _content_size(page)
                if size > MAX_PAGE_CONTENT:
                    raise PdfError(f"{self.path}: page {self.label(index)} holds "
                                   f"{size / 1e6:.1f} MB of content, more than the "
                                   f"{MAX_PAGE_CONTENT / 1e6:.0f} MB typeset reads on a page")
                self._content_read += size
                if self._content_read > MAX_CONTENT:
                    raise PdfError(f"{self.path}: more than {MAX_CONTENT / 1e6:.0f} MB of page "
                                   f"content by page {self.label(index)}; typeset reads no more")
                self._texts[index] = self._pdfium_text(index)
        return self._texts[index]

    def _pdfium_text(self, index: int) -> str:
        """Page text through PDFium: the same text as pypdf's extract_text, ~30× faster
        (pypdf took 0.3 s a page, most of `check --pdf`).  PDFium is the PDF engine of a
        browser, hardened for hostile files; pypdf has already vetted this one."""
        import pypdfium2

        if self._pdfium is None:
            self._pdfium = pypdfium2.PdfDocument(self.path.read_bytes())
        try:
            page = self._pdfium[index]
            textpage = page.get_textpage()
            try:
                return textpage.get_text_range() or ""
            finally:
                textpage.close()
                page.close()
        except pypdfium2.PdfiumError as exc:
            raise PdfError(f"{self.path}: page {self.label(index)}: not readable ({exc})") \
                from None

    def links(self, index: int) -> list[str]:
        """The named destinations that the links on page `index` go to, in order."""
        with _reading(self.path, self.warnings):
            out = []
            for annot in _resolve(self.reader.pages[index].get("/Annots")) or []:
                annot = _resolve(annot)
                dest = annot.get("/Dest")
                action = _resolve(annot.get("/A"))
                if dest is None and action is not None and action.get("/S") == "/GoTo":
                    dest = action.get("/D")
                if isinstance(_resolve(dest), str):
                    out.append(str(_resolve(dest)))
            return out


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


_MAX_WARNINGS = 10  # distinct pypdf warnings kept; a hostile file may cause millions


def _keep(messages: list[str], message: str) -> None:
    """Add `message` (on one line, cut short) to `messages`, once, up to `_MAX_WARNINGS`."""
    message = " ".join(message.split())[:200]
    if message in messages or len(messages) > _MAX_WARNINGS:
        return
    messages.append(message if len(messages) < _MAX_WARNINGS else "more warnings not shown")


class _Collect(logging.Handler):
    def __init__(self, messages: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        _keep(self.messages, record.getMessage())


@contextmanager
def _reading(path: Path, messages: list[str]) -> Iterator[None]:
    """Where pypdf reads: its log warnings and Python warnings go to `messages`, not
    stderr; any exception it raises becomes a one-line `PdfError` naming `path`."""
    logger = logging.getLogger("pypdf")
    handler, propagate = _Collect(messages), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
        for warning in caught:
            _keep(messages, str(warning.message))
    except TypesetError:
        raise
    except Exception as exc:  # pypdf raises many types on a damaged or hostile file
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PdfError(f"{path}: not a readable PDF ({reason[:200]}); is it truncated "
                       "or damaged?") from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _open(path: Path) -> bytes:
    """The bytes of the PDF at `path`, or `PdfError` saying why it is not a PDF file."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise PdfError(f"{path}: no such PDF") from None
    except OSError as exc:
        raise PdfError(f"{path}: cannot read the PDF: {exc.strerror}") from None
    if path.is_dir():
        raise PdfError(f"{path}: expected a PDF file, found a directory")
    if not path.is_file():
        raise PdfError(f"{path}: expected a PDF file, found a device, pipe or socket")
    if info.st_size > MAX_PDF_BYTES:
        raise PdfError(f"{path}: expected a PDF of at most {MAX_PDF_BYTES / 1e6:.0f} MB, "
                       f"found {info.st_size / 1e6:.0f} MB")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PdfError(f"{path}: cannot read the PDF: {exc.strerror}") from None
    if not data:
        raise PdfError(f"{path}: expected a PDF, found an empty file")
    if not data.startswith(b"%PDF-"):
        raise PdfError(f"{path}: expected a PDF (a file starting %PDF-), found {_head(data)}")
    return data


def _head(data: bytes) -> str:
    """How a message shows the start of a file: as text if it is text, else in hex."""
    text = data[:60].decode("utf-8", errors="replace").rstrip("\ufffd")
    if text and "\ufffd" not in text and all(c.isprintable() or c in "\n\r\t" for c in text):
        return f"text starting {text[:20]!r}"
    return f"binary data starting {data[:8].hex(' ')}"


def read_pdf(path: str | Path) -> PdfFacts:
    """Read the facts of the PDF at `path`; raise `PdfError` when it cannot be read."""
    path = Path(path)
    data = _open(path)
    messages: list[str] = []
    with _reading(path, messages):
        reader = PdfReader(BytesIO(data), strict=True)
        if reader.is_encrypted:
            raise PdfError(f"{path}: the PDF is encrypted; typeset checks only the "
                           "unencrypted PDFs it builds")
        pages = reader.pages
        if len(pages) > MAX_PAGES:
            raise PdfError(f"{path}: expected at most {MAX_PAGES} pages, found {len(pages)}")
        outline: list[tuple[int, str, int]] = []

        def walk(items, level: int) -> None:
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    page = reader.get_destination_page_number(item)
                    outline.append((level, str(item.title), -1 if page is None else page))

        walk(reader.outline, 1)
        dests = {}
        for name, dest in reader.named_destinations.items():
            page = reader.get_destination_page_number(dest)
            if page is not None and page >= 0:
                dests[str(name)] = page
        fonts, notdef = _fonts(path, pages)
        info = reader.metadata or {}
        metadata = {str(k).lstrip("/"): str(v) for k, v in info.items()}
        lang = str(_resolve(reader.trailer["/Root"]).get("/Lang", ""))
        labels = list(reader.page_labels)
        # the trim size: the page itself, without the print edition's bleed and marks
        # (pypdf falls back to the MediaBox where a page has no TrimBox)
        sizes = [(round(float(p.trimbox.width), 2), round(float(p.trimbox.height), 2))
                 for p in pages]
    return PdfFacts(path=path, pages=len(pages), labels=labels, sizes=sizes, outline=outline,
                    dests=dests, fonts=fonts, metadata=metadata, lang=lang, reader=reader,
                    notdef=notdef, warnings=messages)


def _fonts(path: Path, pages) -> tuple[dict[str, FontFact], list[int]]:
    """Every font the pages use, and the pages that show a .notdef glyph.

    When WeasyPrint has to draw a character no font has, it maps it to .notdef through
    a font-specific encoding CMap (WP-Encod-…) instead of Identity-H: a font with such
    an encoding on a page means that page shows a missing character.
    """
    fonts: dict[str, FontFact] = {}
    notdef: list[int] = []
    seen = 0
    for index, page in enumerate(pages):
        resources = _resolve(page.get("/Resources")) or {}
        for ref in (_resolve(resources.get("/Font")) or {}).values():
            seen += 1
            if seen > MAX_FONT_ENTRIES:
                raise PdfError(f"{path}: more than {MAX_FONT_ENTRIES} font resources; "
                               "typeset reads no more")
            font = _resolve(ref)
            encoding = font.get("/Encoding")
            custom = encoding is not None and not isinstance(_resolve(encoding), NameObject)
            if custom and (not notdef or notdef[-1] != index):
                notdef.append(index)
            for leaf in [font, *[_resolve(d) for d in _resolve(font.get("/DescendantFonts", []))]]:
                descriptor = leaf.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = _resolve(descriptor)
                name = str(leaf.get("/BaseFont", "")).lstrip("/")
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts[name] = FontFact(name, embedded, bool(_SUBSET.match(name)))
    return fonts, notdef


def _content_size(page) -> int:
    """Decoded bytes of a page's content streams and of the forms its resources hold."""
    total, seen = 0, set()
    streams = _resolve(page.get("/Contents"))
    for stream in streams if isinstance(streams, list) else [streams]:
        if _resolve(stream) is not None:
            total += len(_resolve(stream).get_data())
    todo = [_resolve(page.get("/Resources"))]
    while todo and total <= MAX_PAGE_CONTENT:
        resources = todo.pop() or {}
        for ref in (_resolve(resources.get("/XObject")) or {}).values():
            form = _resolve(ref)
            if id(form) in seen or form.get("/Subtype") != "/Form":
                continue
            seen.add(id(form))
            total += len(form.get_data())
            todo.append(_resolve(form.get("/Resources")))
    return total


def notdef_pages(facts: PdfFacts) -> list[int]:
    """Indexes of pages that show a .notdef glyph (the tofu box of a missing character)."""
    return list(facts.notdef)


def squeeze(text: str) -> str:
    """Text without any white space: what a search for a title should match."""
    return _SPACE.sub("", text)


@dataclass
class IssuePages:
    """Where each document is, and what the contents say, in printed page numbers."""

    starts: dict[str, str]  # document id → label of the page its head (named dest.) is on
    ends: dict[str, str]  # document id → label of the page it ends on
    contents: dict[str, str]  # document id → number its contents entry prints
    title_pages: dict[str, str]  # document id → label of the page its title is printed on
    contents_order: list[str] = field(default_factory=list)  # ids, as the entries are listed
    contents_links: list[str] = field(default_factory=list)  # what the entries link to


def issue_pages(facts: PdfFacts, issue: Issue, *, only: str | None = None) -> IssuePages:
    """Locate every document of `issue` (or only document `only`) in the PDF of `facts`.

    Starts and ends come from the named destinations the layout puts on each
    document's head (its id) and end (end-<id>).  The contents are the numbered pages
    from the first that end in a run of leaders and a number (……（3）); each entry is
    matched to the document whose title it prints.  Title pages come from reading
    the text after the contents, never from a link or a destination: each document's
    printed title is looked for on the page its contents entry names (one page read
    per document when the PDF is right) and, when it is not there, on every page
    from the previous document's title on, so the finding can say where it is.
    Reading the text is the slow part (pypdf's extraction, about 70 ms a page).
    """
    docs = [issue.document(only)] if only else list(issue.documents)
    starts = {d.id: facts.label(facts.dests[d.id]) for d in docs if d.id in facts.dests}
    ends = {d.id: facts.label(facts.dests[f"end-{d.id}"]) for d in docs
            if f"end-{d.id}" in facts.dests}
    numbered = [i for i in range(facts.pages) if facts.label(i).isdigit()]
    contents_pages = []
    if not only:
        for index in numbered:
            if not _LEADER_NUMBER.search(facts.text(index)):
                break
            contents_pages.append(index)
    text = squeeze("\n".join(facts.text(i) for i in contents_pages))
    order, contents = _contents_entries(text, docs)
    links: list[str] = []
    for index in contents_pages:
        for dest in facts.links(index):
            if not links or links[-1] != dest:
                links.append(dest)
    title_pages: dict[str, str] = {}
    body = contents_pages[-1] + 1 if contents_pages else (numbered or [0])[0]
    index_of = {facts.label(i): i for i in range(body, facts.pages)}
    cursor = body
    for doc in docs:
        title = squeeze(plain(doc.title))
        claimed = index_of.get(contents.get(doc.id, ""))
        pages = ([claimed] if claimed is not None else []) + list(range(cursor, facts.pages))
        found = next((i for i in pages if title and title in squeeze(facts.text(i))), None)
        if found is not None:
            title_pages[doc.id] = facts.label(found)
            cursor = found
    return IssuePages(starts, ends, contents, title_pages, order, links)


def _contents_entries(text: str, docs) -> tuple[list[str], dict[str, str]]:
    """The ids of the contents entries in `text` (squeezed), in order, and their numbers.

    The text is cut after each leader and number; a piece belongs to the documents
    whose contents titles it holds (a title inside a longer one that also matches
    does not count), and the number to the last of them.
    """
    titles = {d.id: squeeze(d.title_text) for d in docs if squeeze(d.title_text)}
    order: list[str] = []
    numbers: dict[str, str] = {}
    pieces, start = [], 0
    for match in _LEADER_NUMBER.finditer(text):
        pieces.append((text[start:match.start()], match.group(1)))
        start = match.end()
    pieces.append((text[start:], None))
    for piece, number in pieces:
        spans = sorted((piece.rfind(t), piece.rfind(t) + len(t), doc_id)
                       for doc_id, t in titles.items() if t in piece)
        found = [s for s in spans
                 if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]
        for _start, _end, doc_id in found:
            order.append(doc_id)
        if found and number is not None:
            numbers.setdefault(found[-1][2], number)
    return order, numbers


def findings(facts: PdfFacts, issue: Issue, *, layout=None, preview: str | None = None,
             located: IssuePages | None = None) -> list[str]:
    """Every way the PDF differs from what the issue and the layout promise.

    The page size and the language expected are the layout's (`[page] size`,
    `[document] lang`; default: the reference layout's), never a copy of them here.
    """
    if layout is None:
        from .layout import load_layout

        layout = load_layout()
    page_size, lang = layout.page_size_pt(), layout.settings["document"]["lang"]
    problems: list[str] = []
    for index, size in enumerate(facts.sizes):
        if abs(size[0] - page_size[0]) > 0.5 or abs(size[1] - page_size[1]) > 0.5:
            problems.append(f"page {facts.label(index)}: size {size[0]}×{size[1]} pt, "
                            f"expected {page_size[0]}×{page_size[1]}")
    for font in facts.fonts.values():
        if not font.embedded:
            problems.append(f"font {font.name} is not embedded")
        elif not font.subset:
            problems.append(f"font {font.name} is embedded whole, not subset")
    if facts.lang.lower() != lang.lower():
        problems.append(f"document language is {facts.lang or 'missing'}, expected {lang}")
    if not facts.metadata.get("Title"):
        problems.append("the PDF has no title in its metadata")
    for index in notdef_pages(facts):
        problems.append(f"page {facts.label(index)}: shows a .notdef glyph (a missing character)")
    docs = [issue.document(preview)] if preview else list(issue.documents)
    located = located or issue_pages(facts, issue, only=preview)
    outline_titles = {title for _level, title, _page in facts.outline}
    for doc in docs:
        if doc.title_text not in outline_titles:
            problems.append(f"outline: no entry for document {doc.id} 《{doc.title_text}》")
        printed = located.title_pages.get(doc.id)
        head = located.starts.get(doc.id)
        if printed is None:
            problems.append(f"document {doc.id}: title not found in the PDF's text")
        elif head is None:
            problems.append(f"document {doc.id}: no named destination at its head")
        elif head != printed:
            problems.append(f"document {doc.id}: its head (named destination) is on page "
                            f"{head}, but its title is printed on page {printed}")
    if not preview:
        for section in issue.sections:
            if section.title not in outline_titles:
                problems.append(f"outline: no entry for section 【{section.title}】")
        problems += _contents_findings(docs, located)
    problems += [f"pypdf: {message}" for message in facts.warnings]
    return problems


def _contents_findings(docs, located: IssuePages) -> list[str]:
    """The contents' entries against the documents: each there once, in order, linking
    to its document, with the number of the page its title is printed on."""
    problems: list[str] = []
    titles = {d.id: d.title_text for d in docs}
    for doc in docs:
        listed = located.contents_order.count(doc.id)
        printed = located.contents.get(doc.id)
        actual = located.title_pages.get(doc.id)
        if not listed:
            problems.append(f"contents: no entry for document {doc.id} 《{doc.title_text}》")
        elif listed > 1:
            problems.append(f"contents: 《{doc.title_text}》 is listed {listed} times")
        if listed and printed is None:
            problems.append(f"contents: no page number for document {doc.id}")
        elif printed is not None and actual is not None and printed != actual:
            problems.append(f"contents: 《{doc.title_text}》 says page {printed}, "
                            f"but its title is printed on page {actual}")
    listed = list(dict.fromkeys(located.contents_order))
    expected = [d.id for d in docs if d.id in listed]
    for position, (found, wanted) in enumerate(zip(listed, expected, strict=True), 1):
        if found != wanted:
            problems.append(f"contents: entry {position} is 《{titles[found]}》, "
                            f"expected 《{titles[wanted]}》 (the issue's order)")
            break
    links = [d for i, d in enumerate(located.contents_order)
             if i == 0 or located.contents_order[i - 1] != d]  # as links are read: runs
    if located.contents_links != links:
        problems.append(f"contents: the entries link to {', '.join(located.contents_links)}; "
                        f"expected {', '.join(links)}")
    return problems
