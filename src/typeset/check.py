"""Turn a built PDF (and its issue) into facts and findings, read back with pypdf.

In: a PDF path and the `Issue` it was built from.  Out: `PdfFacts` (pages, labels,
sizes, outline, named destinations, fonts, metadata, text) and, from those,
`IssuePages` (where each document starts and ends, what the contents print) and a
list of findings: human-readable problems, empty when the PDF is right.

Nothing here renders: reading a 30-page issue takes a fraction of a second, so
`typeset check --pdf` is cheap enough to run on every commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import IndirectObject, NameObject

from .model import Issue

A4 = (595.28, 841.89)
_SUBSET = re.compile(r"^[A-Z]{6}\+")
_LEADER_NUMBER = re.compile(r"[.·…]+\s*（(\d+)）")
_SPACE = re.compile(r"\s+")


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
    sizes: list[tuple[float, float]]
    outline: list[tuple[int, str, int]]  # (level, title, page index)
    dests: dict[str, int]  # named destination → page index
    fonts: dict[str, FontFact]
    metadata: dict[str, str]
    lang: str
    reader: PdfReader = field(repr=False)
    _texts: dict[int, str] = field(default_factory=dict, repr=False)

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else str(index + 1)

    def text(self, index: int) -> str:
        """The extracted text of page `index` (extracted once, on demand: it is slow)."""
        if index not in self._texts:
            self._texts[index] = self.reader.pages[index].extract_text() or ""
        return self._texts[index]


def read_pdf(path: str | Path) -> PdfFacts:
    """Read the facts of the PDF at `path`."""
    reader = PdfReader(str(path))
    pages = reader.pages
    outline: list[tuple[int, str, int]] = []

    def walk(items, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                outline.append((level, str(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    dests = {
        str(name): reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }
    fonts: dict[str, FontFact] = {}
    for page in pages:
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object() if isinstance(ref, IndirectObject) else ref
            for leaf in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                descriptor = leaf.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                name = str(leaf.get("/BaseFont", "")).lstrip("/")
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts[name] = FontFact(name, embedded, bool(_SUBSET.match(name)))
    info = reader.metadata or {}
    metadata = {str(k).lstrip("/"): str(v) for k, v in info.items()}
    lang = str(reader.trailer["/Root"].get("/Lang", ""))
    return PdfFacts(
        path=Path(path),
        pages=len(pages),
        labels=list(reader.page_labels),
        sizes=[(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2))
               for p in pages],
        outline=outline,
        dests=dests,
        fonts=fonts,
        metadata=metadata,
        lang=lang,
        reader=reader,
    )


def notdef_pages(facts: PdfFacts) -> list[int]:
    """Indexes of pages that show a .notdef glyph (the tofu box of a missing character).

    When WeasyPrint has to draw a character no font has, it maps it to .notdef through
    a font-specific encoding CMap (WP-Encod-…) instead of Identity-H: a font with such
    an encoding on a page means that page shows a missing character.
    """
    found = []
    for index, page in enumerate(facts.reader.pages):
        resources = page.get("/Resources") or {}
        for ref in (resources.get("/Font") or {}).values():
            encoding = ref.get_object().get("/Encoding")
            if encoding is not None and not isinstance(encoding.get_object(), NameObject):
                found.append(index)
                break
    return found


def squeeze(text: str) -> str:
    """Text without any white space: what a search for a title should match."""
    return _SPACE.sub("", text)


@dataclass
class IssuePages:
    """Where each document is, and what the contents say, in printed page numbers."""

    starts: dict[str, str]  # document id → label of the page its title is on
    ends: dict[str, str]  # document id → label of the page it ends on
    contents: dict[str, str]  # document id → number the contents print
    title_pages: dict[str, str]  # document id → start page, if its text holds the title


def issue_pages(facts: PdfFacts, issue: Issue, *, read_titles: bool = True) -> IssuePages:
    """Locate every document of `issue` in the PDF described by `facts`.

    Starts and ends come from the named destinations the layout puts on each
    document's head (its id) and end (end-<id>); the contents are the numbered pages
    before the first document.  With `read_titles`, the text of each start page is
    read to confirm the title is printed there (the slow part: pypdf's text
    extraction).
    """
    docs = [d for d in issue.documents if d.id in facts.dests]
    starts = {d.id: facts.label(facts.dests[d.id]) for d in docs}
    ends = {d.id: facts.label(facts.dests[f"end-{d.id}"]) for d in docs
            if f"end-{d.id}" in facts.dests}
    first = min((facts.dests[d.id] for d in docs), default=0)
    contents_pages = [i for i in range(first) if facts.label(i).isdigit()]
    numbers = _LEADER_NUMBER.findall("\n".join(facts.text(i) for i in contents_pages))
    contents = dict(zip([d.id for d in issue.documents], numbers, strict=False))
    title_pages: dict[str, str] = {}
    for doc in docs:
        index = facts.dests[doc.id]
        if not read_titles or squeeze(doc.title_text) in squeeze(facts.text(index)):
            title_pages[doc.id] = facts.label(index)
    return IssuePages(starts, ends, contents, title_pages)


def findings(facts: PdfFacts, issue: Issue, *, page_size=A4, preview: str | None = None,
             located: IssuePages | None = None) -> list[str]:
    """Every way the PDF differs from what the issue and the layout promise."""
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
    if facts.lang.lower() != "zh-cn":
        problems.append(f"document language is {facts.lang or 'missing'}, expected zh-CN")
    if not facts.metadata.get("Title"):
        problems.append("the PDF has no title in its metadata")
    for index in notdef_pages(facts):
        problems.append(f"page {facts.label(index)}: shows a .notdef glyph (a missing character)")
    docs = [issue.document(preview)] if preview else list(issue.documents)
    located = located or issue_pages(facts, issue)
    outline_titles = {title for _level, title, _page in facts.outline}
    for doc in docs:
        if doc.title_text not in outline_titles:
            problems.append(f"outline: no entry for document {doc.id} 《{doc.title_text}》")
        if doc.id not in located.title_pages:
            problems.append(f"document {doc.id}: title not found in the PDF's text")
    if preview:
        return problems
    for section in issue.sections:
        if section.title not in outline_titles:
            problems.append(f"outline: no entry for section 【{section.title}】")
    for doc in docs:
        printed = located.contents.get(doc.id)
        actual = located.title_pages.get(doc.id)
        if printed is None:
            problems.append(f"contents: no page number for document {doc.id}")
        elif actual is not None and printed != actual:
            problems.append(f"contents: 《{doc.title_text}》 says page {printed}, "
                            f"but its title is on page {actual}")
    return problems
