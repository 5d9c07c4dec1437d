"""Layout checkpoints: a preview laid out from the page its document starts on.

A preview shows a document's pages as the issue prints them, so it lays out
everything before the document (issue 10).  Once an issue has been laid out, each
document's first page is known, with WeasyPrint's state at the top of that page:
where the content resumes (its skip stack), the page's side, the counters, and the
named strings and running elements of the pages before it (running heads).  When
the HTML before a document is unchanged (an edit inside the document, or in a later
one), the pages before it are unchanged too, and a re-render can start from there.

In:  a render's LayoutContext and its HTML (:func:`capture`); later, new HTML and a
     checkpoint: the HTML without the documents that end before the checkpoint
     (:func:`prune`), laid out by :func:`layout_from` in place of WeasyPrint's
     ``layout_document``.
Out: per document, a :class:`Checkpoint`; the pages from the checkpoint on, laid
     out as the whole render would lay them out (tests/test_preview.py compares
     them page by page), and ``context.resumable``, False when they cannot be (a
     page shows the page count, which only a whole render knows).

The HTML before a document is compared whole (its hash), the document title in
<title> excepted: the contents, the cover, the style sheet and every earlier
document are in it, so a change there lays the issue out from its start again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

#: Where a document's HTML starts (layouts/*/document.html.j2).
MARKER = '<article class="document" data-doc="{}"'
#: The attribute of an element of front matter (the cover, the contents): the layout
#: places it before every document (layouts/*/cover.html.j2, contents.html.j2).
FRONT = "data-front"
#: A start tag with that attribute (the text is escaped: every < is a tag's).
_FRONT_TAG = re.compile(rf"<([A-Za-z][\w-]*)\s[^>]*?\b{FRONT}(?=[\s=/>])[^>]*>")


@dataclass(frozen=True)
class Checkpoint:
    """WeasyPrint's state at the top of the page a document starts on."""

    doc_id: str
    index: int  # the page's index in the render (0 for the cover)
    prefix: str  # hash of the HTML before the document
    entry: tuple  # WeasyPrint's page_maker entry for that page
    strings: dict = field(default_factory=dict)  # name: {page number: values} before it
    elements: dict = field(default_factory=dict)  # running elements, likewise
    anchors: tuple = ()  # anchors placed on the pages before it
    pages: int = 0  # the document's page count when captured (0: not known)
    before: tuple = ()  # the documents that end before its page
    # running elements the pages before it had, when `elements` could not be kept
    # (a checkpoint read from disk: they are boxes); a page that asks for one of them
    # makes the render unresumable
    lost_elements: tuple = ()


def prefix_hash(html: str, doc_id: str) -> str | None:
    """Hash of the HTML before document `doc_id` (its <title> left out); None when
    the document is not in `html`."""
    end = html.find(MARKER.format(doc_id))
    if end < 0:
        return None
    before = html[:end]
    start, stop = before.find("<title>"), before.find("</title>")
    if 0 <= start < stop:
        before = before[:start] + before[stop:]
    return hashlib.sha256(before.encode("utf-8")).hexdigest()


def capture(html: str, context, spans: dict[str, tuple[int, int]],
            unfinished=frozenset()) -> dict[str, Checkpoint]:
    """A checkpoint for each document of `spans` (doc id: first and last page index)
    from the finished layout `context` of `html`; the page count of those
    `unfinished` (laid out only in part) is unknown (0)."""
    found = {}
    for doc_id, (first, last) in spans.items():
        prefix = prefix_hash(html, doc_id)
        if prefix is None or first >= len(context.page_maker):
            continue
        resume_at, next_page, right_page, page_state, remake_state = \
            context.page_maker[first]
        # what remaking the page needs of its remake state: the anchors it placed
        entry = (copy.deepcopy(resume_at), dict(next_page), right_page,
                 copy.deepcopy(page_state),
                 {"content_changed": False, "pages_wanted": False,
                  "anchors": list(remake_state.get("anchors", ())), "content_lookups": []})
        found[doc_id] = Checkpoint(
            doc_id, first, prefix, entry,
            _before(context.string_set, first), _before(context.running_elements, first),
            tuple(anchor for earlier in context.page_maker[:first]
                  for anchor in earlier[-1].get("anchors", ())),
            0 if doc_id in unfinished else last - first + 1,
            tuple(other for other, (_, end) in spans.items() if end < first))
    return found


def shown(page) -> tuple:
    """The ids of the documents the page box `page` holds a fragment of (of their
    <article data-doc>), in the order they stand on it."""
    return tuple(dict.fromkeys(
        box.element.get("data-doc") for box in page.descendants()
        if box.element_tag == "article" and box.element is not None
        and box.element.get("data-doc")))


def prune(html: str, checkpoint: Checkpoint) -> str:
    """`html` with the documents that end before `checkpoint`'s page emptied (each
    keeps its element, so WeasyPrint's skip stacks still count its boxes, and its
    anchor): a render from the checkpoint never lays them out, so their styles and
    boxes need not be built.  Once a document ends before the page, so does the front
    matter before it: the elements marked :data:`FRONT` are emptied too (their
    running elements and named strings are the checkpoint's)."""
    for doc_id in checkpoint.before:
        start = html.find(MARKER.format(doc_id))
        if start < 0:
            continue
        open_end = html.index(">", start) + 1
        close = html.index("</article>", open_end)  # text is escaped: no tag inside
        html = f'{html[:open_end]}<div class="unshown" id="{doc_id}"></div>{html[close:]}'
    if checkpoint.before:
        html = _without_front(html)
    return html


def _without_front(html: str) -> str:
    """`html` with the content of each element marked :data:`FRONT` left out (its
    tags kept)."""
    at = 0
    while tag := _FRONT_TAG.search(html, at):
        name = tag.group(1)
        at = tag.end()
        close = _end_tag(html, name, at)
        if close is not None:
            html = html[:at] + html[close:]
    return html


def _end_tag(html: str, name: str, start: int) -> int | None:
    """Where the end tag of the element `name` whose content begins at `start` is
    (elements of the same name inside it counted); None when it has none."""
    tags = re.compile(rf"<(/?){re.escape(name)}[\s>/]")
    depth = 1
    for tag in tags.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if not depth:
            return tag.start()
    return None


def _before(store, index: int) -> dict:
    """The values of `store` (name: {page number: values}) on pages before `index`."""
    return {name: {number: list(values) for number, values in pages.items()
                   if number <= index}
            for name, pages in store.items()}


def layout_from(html, root_box, context, checkpoint: Checkpoint,
                until=frozenset(), previous: Previous | None = None,
                source: str = "") -> list:
    """WeasyPrint's ``layout_document`` from `checkpoint`'s page on: the page boxes
    of that page and the following ones, with their margin boxes; up to the first
    page that shows a document of `until` (document ids), when there is one
    (``context.unfinished``: those of them the render stopped in): a preview needs
    the pages of its document, the last of which may show the start of the next
    one, and none after it.

    With `previous` (the last render from the same checkpoint, in this process) and
    `source` (the HTML text of `html`), the render also stops at the first page whose
    top is where the previous render's was, after the one block whose text the edit
    changed: the rest are the previous render's pages (``context.reused``: their
    indexes), as :func:`converged` says; and it starts at the last page before the
    edited block (``context.kept``: the previous render's pages before it, taken
    too), as :func:`ahead` says.  The lines of the previous render's paragraphs that
    the edit left as they were are taken too (`cjk.reuse.record`)."""
    from weasyprint.layout import initialize_page_maker, layout_fixed_boxes
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.layout.page import make_margin_boxes, remake_page

    from .cjk import reuse

    initialize_page_maker(context, root_box)
    start = checkpoint.index
    entry = copy.deepcopy(checkpoint.entry)
    # the pages before are not laid out again; WeasyPrint reads only which anchors
    # they placed (a target's page is cached where it is first seen)
    before = (None, entry[1], entry[2], entry[3],
              {"anchors": list(checkpoint.anchors), "content_lookups": []})
    context.page_maker = [before] + [
        (None, entry[1], entry[2], entry[3], {"anchors": [], "content_lookups": []})
        for _ in range(start - 1)] + [entry] if start else [entry]
    for store, saved in ((context.string_set, checkpoint.strings),
                         (context.running_elements, checkpoint.elements)):
        for name, pages in saved.items():
            for number, values in pages.items():
                store[name][number] = list(values)
    context.rendered_notes = []
    lost = set(checkpoint.lost_elements)
    context.resumable = True
    if lost:
        asked = context.get_running_element_for

        def get_running_element_for(page, name, keyword="first"):
            if name in lost:
                context.resumable = False
            return asked(page, name, keyword)

        context.get_running_element_for = get_running_element_for

    context.unfinished = frozenset()
    context.reused = ()
    pairs = []
    edited = previous.edited(source, root_box, pairs) if previous is not None else None
    # the lines of the previous render, for the paragraphs the edit left as they were
    reuse.record(context, getattr(previous.context, "typeset_record", None)
                 if edited is not None else None, pairs)
    kept = ahead(context, previous, edited, start) if edited is not None else ()
    context.kept = kept
    start = index = start + len(kept)
    pages = []
    while True:
        page, resume_at = remake_page(index, context, root_box, html)
        pages.append(page)
        index += 1
        if resume_at is None and not context.reported_footnotes:
            break
        context.unfinished = until.intersection(shown(page)) if until else frozenset()
        if context.unfinished:
            break
        if edited is not None and converged(context, previous, edited, start, index, pages):
            break
    # a page that shows the page count (counter(pages)) would need the whole issue's:
    # the caller lays it out from the cover instead
    if any(entry[-1].get("pages_wanted") for entry in context.page_maker[start:]):
        context.resumable = False

    # named strings of the new pages (WeasyPrint collects them once paginated)
    _collect_strings(context.string_set, pages, start)

    laid_out = []
    for offset, page in enumerate(pages):
        root, footnote_area, note_area = page.children
        root.children = [
            *layout_fixed_boxes(context, pages[:offset], page), *root.children,
            *layout_fixed_boxes(context, pages[offset + 1:], page)]
        context.current_page = start + offset + 1
        state = context.page_maker[context.current_page][3]
        children = [root]
        if footnote_area.children:
            children.append(footnote_area)
        if note_area.children:
            children.append(note_area)
        children.extend(make_margin_boxes(context, page, state))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)
        laid_out.append(page)
    return ([previous.pages[i] for i in kept] + laid_out
            + [previous.pages[i] for i in context.reused])


def _collect_strings(store, pages, start: int) -> None:
    """Add the named strings (string-set) of `pages`, the first of them page index
    `start`, to `store` (name: {page number: values})."""
    for offset, page in enumerate(pages):
        number = start + offset + 1
        for child in page.descendants():
            if child.string_set and child.string_set != "none":
                for name, text in child.string_set:
                    store[name][number].append(text)


@dataclass
class Previous:
    """A render from a checkpoint, kept in the process for the next one from it: its
    box tree before layout, its layout context and its finished page boxes (by page
    index)."""

    html: str
    root: object
    context: object
    pages: dict

    def edited(self, html: str, root, pairs: list | None = None) -> tuple | None:
        """The path (child indexes from the root) of the one block whose text differs
        between this render's box tree and `root`, the new one of `html`; None unless
        the two HTML differ in one stretch of text outside any tag (the style sheet,
        attributes and tags the same) and the trees differ in the text of one block.
        Each line box of this render's tree and its counterpart in `root` are added
        to `pairs`, when given (their blocks have the same boxes, tags and styles)."""
        from weasyprint.formatting_structure import boxes

        if not text_only_edit(self.html, html):
            return None

        found = set()
        lines = []

        def walk(old, new, path) -> bool:
            if type(old) is not type(new) or old.element_tag != new.element_tag:
                return False
            if isinstance(old, boxes.TextBox):
                if old.text != new.text:
                    found.add(path[:-2])  # the block holding the line box
                return True
            if isinstance(old, boxes.LineBox):
                lines.append((old, new))
            if isinstance(old, boxes.ParentBox):
                if len(old.children) != len(new.children):
                    return False
                return all(walk(a, b, (*path, i))
                           for i, (a, b) in enumerate(zip(old.children, new.children, strict=True)))
            return True

        if not walk(self.root, root, ()) or len(found) != 1:
            return None
        if pairs is not None:
            pairs.extend(lines)
        return found.pop()


def text_only_edit(old: str, new: str) -> bool:
    """Whether `new` is `old` with one stretch of text changed: the same before and
    after it, no tag delimiter in either version of it, and not inside a tag."""
    if old == new:
        return False
    size = min(len(old), len(new))
    head = _common_prefix(old, new, size)
    tail = _common_prefix(old[::-1], new[::-1], size - head)
    changed = (old[head:len(old) - tail], new[head:len(new) - tail])
    inside_tag = old.rfind("<", 0, head) > old.rfind(">", 0, head)
    return not inside_tag and not any("<" in part or ">" in part for part in changed)


def _common_prefix(old: str, new: str, size: int) -> int:
    """How many first characters, at most `size`, `old` and `new` have in common:
    compared a block at a time (a string comparison is C's), then a character at a
    time in the block that differs."""
    block = 4096
    same = 0
    while same < size and old[same:min(same + block, size)] == new[same:min(same + block, size)]:
        same = min(same + block, size)
    while same < size and old[same] == new[same]:
        same += 1
    return same


def _path(skip_stack) -> tuple:
    """The child indexes a skip stack goes down through."""
    path = []
    while skip_stack:
        (index, skip_stack), = skip_stack.items()
        path.append(index)
    return tuple(path)


def converged(context, previous: Previous, edited: tuple, start: int, index: int,
              pages: list) -> bool:
    """Whether page `index`, about to be laid out, is the previous render's page
    `index`, and so are the pages after it; if so, take over their state into
    `context` and set ``context.reused`` to their indexes.

    It is when the page starts where the previous one did (skip stack, side, counters),
    after the edited block (so what is left to lay out is the same boxes with the same
    text), and the pages before it set the same named strings and running elements as
    the previous render's (the running heads of the pages after)."""
    old = previous.context
    if (index not in previous.pages or index >= len(old.page_maker)
            or context.footnotes or context.reported_footnotes
            or any(page.fixed_boxes for page in pages)):
        return False
    if tuple(context.page_maker[index][:4]) != tuple(old.page_maker[index][:4]):
        return False
    here = _path(context.page_maker[index][0])
    after = next((a > b for a, b in zip(here, edited, strict=False) if a != b),
                 False)
    if not after:
        return False
    strings = defaultdict(lambda: defaultdict(list))
    _collect_strings(strings, pages, start)
    for name in set(strings) | set(old.string_set):
        for number in range(start + 1, index + 1):
            if (strings.get(name, {}).get(number, [])
                    != old.string_set.get(name, {}).get(number, [])):
                return False
    for name in set(context.running_elements) | set(old.running_elements):
        for number in range(start + 1, index + 1):
            if (len(context.running_elements.get(name, {}).get(number, ()))
                    != len(old.running_elements.get(name, {}).get(number, ()))):
                return False
    # the previous render's pages from here on, with their state
    last = max(previous.pages)
    _take_state(context, old, range(index, last + 2), range(index, last + 1))
    context.unfinished = old.unfinished
    context.reused = tuple(range(index, last + 1))
    return True


def ahead(context, previous: Previous, edited: tuple, start: int) -> tuple:
    """The previous render's pages from `start` that come before the edited block, and
    the state at the top of the page after them put into `context`: the layout starts
    there.  A page is taken when the next one starts at least two blocks before the
    edited one (at the level where their paths part): laying a page out reads, past
    its end, the block it breaks in and at most the one after it (keeps, widows)."""
    old = previous.context
    if context.footnotes or context.reported_footnotes:
        return ()
    first = start
    for index in range(start + 1, len(old.page_maker)):
        if index not in previous.pages:
            break
        here = _path(old.page_maker[index][0])
        parted = next(((a, b) for a, b in zip(here, edited, strict=False) if a != b), None)
        if parted is None or parted[1] - parted[0] < 2:
            break
        first = index
    if first == start:
        return ()
    _take_state(context, old, range(start + 1, first + 1), range(start, first))
    return tuple(range(start, first))


def _take_state(context, old, entries: range, pages: range) -> None:
    """Put into `context` the previous render's (`old`) page-maker `entries` (the
    state at the top of those pages; from the first on, the rest dropped) and the
    named strings and running elements of its `pages` (indexes)."""
    context.page_maker[entries.start:] = copy.deepcopy(
        old.page_maker[entries.start:entries.stop])
    for store, saved in ((context.string_set, old.string_set),
                         (context.running_elements, old.running_elements)):
        for name, numbered in saved.items():
            for number in (index + 1 for index in pages):
                if number in numbered:
                    store[name][number] = list(numbered[number])


# -- On disk: a cold preview after a build -------------------------------------------

#: The largest checkpoint file read (an issue of a few hundred pages needs < 1 MB).
MAX_FILE_BYTES = 16 * 1024 * 1024


def save(path: Path, stamp: str, checkpoints: dict[str, Checkpoint]) -> None:
    """Write `checkpoints` to `path` (JSON, atomically), marked with `stamp` (what
    they depend on besides the HTML: typeset's and WeasyPrint's versions, the
    fonts).  Running elements are boxes and are not written: their names are."""
    from .atomic import write_atomic

    data = {"stamp": stamp, "checkpoints": [
        {"doc": c.doc_id, "index": c.index, "prefix": c.prefix, "entry": _encode(c.entry),
         "strings": _encode(c.strings), "anchors": list(c.anchors), "pages": c.pages,
         "before": list(c.before),
         "lost_elements": sorted(_named(c.elements) | set(c.lost_elements))}
        for c in checkpoints.values()]}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(json.dumps(data, ensure_ascii=False).encode("utf-8"), path)


def load(path: Path, stamp: str) -> dict[str, Checkpoint]:
    """The checkpoints saved at `path` with the same `stamp`; none when the file is
    missing, too large, of another stamp or not as :func:`save` writes it (the file
    is in the output folder: it is read as untrusted data, never as code)."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("stamp") != stamp:
            return {}
        found = {}
        for item in data["checkpoints"]:
            entry = _decode(item["entry"])
            if not (isinstance(entry, tuple) and len(entry) == 5
                    and isinstance(item["index"], int) and item["index"] >= 0):
                return {}
            checkpoint = Checkpoint(
                str(item["doc"]), item["index"], str(item["prefix"]), entry,
                _decode(item["strings"]), {}, tuple(map(str, item["anchors"])),
                int(item["pages"]), tuple(map(str, item["before"])),
                tuple(map(str, item["lost_elements"])))
            found[checkpoint.doc_id] = checkpoint
        return found
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return {}


def without_elements(checkpoint: Checkpoint) -> Checkpoint:
    """`checkpoint` as :func:`load` gives it back."""
    return replace(checkpoint, elements={},
                   lost_elements=tuple(sorted(_named(checkpoint.elements)
                                              | set(checkpoint.lost_elements))))


def _named(elements: dict) -> set:
    """The names of running elements that a page before had a value of (WeasyPrint's
    store also holds every name a page merely asked for)."""
    return {name for name, pages in elements.items() if any(pages.values())}


def _encode(value):
    """JSON for WeasyPrint's page states: dicts with int keys, sets, tuples."""
    if isinstance(value, dict):
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"$set": sorted((_encode(v) for v in value), key=repr)}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot save a {type(value).__name__} in a checkpoint")


def _decode(value):
    """The value :func:`_encode` wrote."""
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        (tag, items), = value.items()
        if tag == "$dict":
            return {_hashable(_decode(k)): _decode(v) for k, v in items}
        if tag == "$set":
            return {_hashable(_decode(v)) for v in items}
        if tag == "$tuple":
            return tuple(_decode(v) for v in items)
        raise ValueError(f"unknown tag {tag!r}")
    return value


def _hashable(value):
    if isinstance(value, (list, dict, set)):
        raise TypeError("a key must be a plain value")
    return value
