"""Check, before layout, that every character the pages will hold has a glyph.

In: the box tree WeasyPrint built from the composed HTML and the layout's style sheet
(before any line is laid out), the @font-face rules of that style sheet, and the
`Issue`.  Out: nothing when all is well, else `InputError` listing, for each missing
character, where it comes from in the issue (document, element, line), the character
and its code point (`U+XXXX`): never a tofu box on paper.

Which faces print which text is read from the layout, never written here: each text
box carries the `font-family` list and weight its CSS gives it, and each family is
resolved to a file through the style sheet's own @font-face rules, as WeasyPrint
resolves it.  A character is missing when no face of its box's list has it (the
layout's lists end with its widest face; nothing falls back to a system font).  The
page margins (running heads, folios) are checked the same way: their style for each
kind of page, the strings their `content` holds and the values of the named strings
(`string-set`) they print.  So text the layout adds (目　录, 【】, 附件：, the
numbering patterns) is checked like the issue's own.

To say where a character comes from, the model is walked field by field (not by
naming fields: a field added to the model is found without anyone remembering to; only
the fields in `NOT_PRINTED` are skipped), and a missing character is reported at the
model text its box prints, or else at every model text that holds it; a character
only the layout prints is reported as the layout's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from array import array
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import model as m
from .errors import InputError, Problem, display_path
from .startup import cache_dir, write_kept

# Characters that need no glyph: white space and format controls.
_INVISIBLE = set(" \t\n\u00a0\u200b\u200c\u200d\u2060\ufeff")
#: The characters a list of faces was found to have (faces: characters), as their
#: character maps (`_cmap`, read once a process) say: not looked up again.
_COVERED: dict[tuple, set[str]] = {}


#: The faces' character maps kept in the cache folder at most (a layout has four to
#: six faces; each checkout or copy of them is keyed apart).
CMAPS_KEPT = 64


@functools.cache
def _cmap(path: Path) -> frozenset[int]:
    """The code points `path` maps, cached on disk: fontTools takes ~0.2 s a face."""
    stat = path.stat()
    key = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    cache = cache_dir() / f"cmap-{key}.bin"
    try:
        return frozenset(array("I", cache.read_bytes()))
    except OSError:
        pass
    from fontTools.ttLib import TTFont  # 25 ms to import: only when not cached

    font = TTFont(str(path), lazy=True, fontNumber=0)
    try:
        codepoints = frozenset(font.getBestCmap())
    finally:
        font.close()
    # no cache: slower, not wrong; a face's copy elsewhere is another file, so the
    # oldest go beyond CMAPS_KEPT
    write_kept(cache, array("I", sorted(codepoints)).tobytes(), "cmap-*.bin", CMAPS_KEPT)
    return codepoints


#: The page-margin boxes a layout may fill (CSS Paged Media).
_MARGINS = tuple(f"@{edge}-{place}" for edge in ("top", "bottom")
                 for place in ("left-corner", "left", "center", "right", "right-corner")) + tuple(
    f"@{edge}-{place}" for edge in ("left", "right") for place in ("top", "middle", "bottom"))


class FontFaces:
    """The @font-face rules of a style sheet, as WeasyPrint reads them: family → faces.

    `add(descriptors)` is called with each rule's descriptors (WeasyPrint's
    `FontConfiguration.add_font_face`); `files(families, weight, style)` resolves a
    `font-family` list to the files that print it, in order, matching weight and style
    as CSS does (the nearest weight, preferring lighter below 500 and heavier above).
    """

    def __init__(self) -> None:
        self._faces: dict[str, list[tuple[int, str, Path]]] = {}
        self._files: dict[tuple, tuple[Path, ...]] = {}

    def add(self, descriptors: dict) -> None:
        family = descriptors.get("font_family")
        for kind, url in descriptors.get("src", ()):
            if kind == "external" and url and urlsplit(url).scheme == "file":
                path = Path(unquote(urlsplit(url).path))
                face = (int(descriptors.get("font_weight", 400)) if str(
                    descriptors.get("font_weight", 400)).isdigit() else 400,
                        str(descriptors.get("font_style", "normal")), path)
                faces = self._faces.setdefault(family, [])
                if face not in faces:
                    faces.append(face)
                return

    def files(self, families: tuple[str, ...], weight: int, style: str) -> tuple[Path, ...]:
        key = (families, weight, style)
        if key not in self._files:
            self._files[key] = self._match(families, weight, style)
        return self._files[key]

    def _match(self, families: tuple[str, ...], weight: int, style: str) -> tuple[Path, ...]:
        out = []
        for family in families:
            faces = [f for f in self._faces.get(family, ()) if f[1] == style] or \
                self._faces.get(family, [])
            if faces:
                out.append(min(faces, key=lambda f: (abs(f[0] - weight),
                                                     f[0] > weight if weight < 500
                                                     else f[0] < weight))[2])
        return tuple(out)


def glyph_check(issue: m.Issue, roles: dict[str, Path]):
    """The check `pdf.render` runs before layout (`before_layout`) for `issue`."""

    def check(root_box, style_for, font_face_rules: list[dict]) -> None:
        faces = FontFaces()
        for rule in font_face_rules:
            faces.add(rule)
        check_boxes(root_box, style_for, faces, issue, roles)

    return check


def check_boxes(root_box, style_for, faces: FontFaces, issue: m.Issue,
                roles: dict[str, Path]) -> None:
    """Raise InputError naming every character of the box tree no face of its list has.

    `root_box`: WeasyPrint's box tree, before layout; `style_for`: its style lookup
    (for the page margins); `faces`: the style sheet's @font-face rules; `roles`: the
    layout's font files by role, to name faces in messages as layout.toml does.
    """
    from weasyprint.formatting_structure import boxes

    needed: dict[tuple[Path, ...], dict[str, object]] = {}  # faces → char → a box

    def need(files: tuple[Path, ...], text: str, box) -> None:
        chars = needed.setdefault(files, {})
        # each character once (a set), but those the faces were found to have; the
        # first box that holds a character kept
        for char in set(text).difference(_COVERED.get(files, ())):
            if char not in chars and char not in _INVISIBLE:
                chars[char] = box

    def files_of(style) -> tuple[Path, ...]:
        weight = style["font_weight"]
        weight = weight if isinstance(weight, int) else {"bold": 700}.get(weight, 400)
        return faces.files(tuple(style["font_family"]), weight, style["font_style"])

    strings: dict[str, set[str]] = {}
    for box in root_box.descendants():
        if isinstance(box, boxes.TextBox):
            need(files_of(box.style), box.text, box)
        for name, value in getattr(box, "string_set", None) or ():
            strings.setdefault(name, set()).add(value)
    _check_margins(style_for, files_of, strings, need)

    located = _Locator(issue)
    names = {path: role for role, path in roles.items()}
    found: dict[tuple, list[str]] = {}  # (line, where, element, char) → faces lists tried
    for files, chars in needed.items():
        if not chars:  # every character found before
            continue
        cmaps = [_cmap(path) for path in files]
        faces_tried = ", ".join(names.get(path, path.name) for path in files) or "none"
        covered = _COVERED.setdefault(files, set())
        for char, box in chars.items():
            if any(ord(char) in cmap for cmap in cmaps):
                covered.add(char)
                continue
            for where, element, line in located(char, box):
                tried = found.setdefault((line, where, element, char), [])
                if faces_tried not in tried:
                    tried.append(faces_tried)
    if found:
        # one problem per place and character, however many faces print that text
        raise InputError([
            Problem(display_path(issue.source), line, 0,
                    f"{where}, <{element}>: no glyph for {char!r} U+{ord(char):04X} "
                    f"in the faces {'; '.join(sorted(tried))}")
            for (line, where, element, char), tried in sorted(found.items())])


def _check_margins(style_for, files_of, strings: dict[str, set[str]], need) -> None:
    """What the page margins print, in the style each kind of page gives them."""
    from weasyprint.layout.page import PageType

    for index in (0, 1):
        for side in ("left", "right"):
            for blank in (False, True):
                page_type = PageType(side, blank, "", index, ())
                style_for.add_page_declarations(page_type)
                for at_keyword in _MARGINS:
                    style = style_for(page_type, at_keyword)
                    content = style["content"] if style else "normal"
                    if content in ("normal", "none"):
                        continue
                    files = files_of(style)
                    for kind, value in content:
                        if kind == "string":
                            need(files, value, None)
                        elif kind in ("counter()", "counters()"):
                            need(files, "0123456789", None)
                        elif kind == "string()":
                            for text in strings.get(value[0], ()):
                                need(files, text, None)


class _Locator:
    """Where a character of a text box comes from: the model texts that print it."""

    def __init__(self, issue: m.Issue) -> None:
        self.issue = issue
        self._texts: list[_Text] | None = None

    @property
    def texts(self) -> list[_Text]:
        # walked only when a character is missing: a sound build never pays for it
        if self._texts is None:
            self._texts = list(_texts(self.issue))
        return self._texts

    def __call__(self, char: str, box) -> list[tuple[str, str, int]]:
        text = "".join(getattr(box, "text", "").split()) if box is not None else ""
        holding = [t for t in self.texts if char in t[3]]
        exact = [t for t in holding if text and text in "".join(t[3].split())]
        found = exact or holding
        if found:
            return [(where, element, line) for where, element, line, _ in found]
        tag = box.element_tag if box is not None and box.element_tag else "page"
        return [("the layout", tag, 0)]


#: Fields of the model that never reach the page: ids, kinds, settings, file names.
#: (Numbers, paths and lines are not text and are skipped by type.)
NOT_PRINTED = frozenset({"id", "kind", "section_id", "align", "src", "width", "date_style",
                         "date_line_style", "published_style"})

#: The element a field's text comes from, where it is not the field's own name.
_ELEMENTS = {
    "attachments": "attachment",
    "notes": "note",
    "issuers": "issuer",
    "people": "person",
    "editors": "person",
    "slogans": "slogan",
    "contents_slogans": "line",
    "items": "item",
}

#: The element of a node's `content` field: the node's own.
_CONTENT = {"Paragraph": "p", "Cell": "cell", "GroupRow": "group", "Clause": "clause"}

_Text = tuple[str, str, int, str]


def _texts(issue: m.Issue) -> Iterator[_Text]:
    """Yield (where, element, line, text) for every text of `issue` that is printed."""
    yield from _node(issue, "the issue", 0)


def _node(node, where: str, line: int) -> Iterator[_Text]:
    """The printed texts of dataclass `node`, field by field, and of the nodes inside it."""
    if isinstance(node, (m.Meta, m.Board)):
        where = "the cover"
    elif isinstance(node, m.Colophon):
        where = "the contents"
    elif isinstance(node, m.Section):
        where = f"section {node.id}"
    elif isinstance(node, m.Document):
        where = f"document {node.id}"
    line = getattr(node, "line", 0) or line
    for f in dataclasses.fields(node):
        if f.name in NOT_PRINTED:
            continue
        field_line = (node.line_of(f.name) if isinstance(node, m.FieldLines) else 0) or line
        yield from _value(getattr(node, f.name), where, _element(node, f.name), field_line)


def _value(value, where: str, element: str, line: int) -> Iterator[_Text]:
    if isinstance(value, str):
        yield where, element, line, value
    elif isinstance(value, dt.date):
        yield where, element, line, m.cn_date(value)
    elif isinstance(value, m.Inline):
        yield from _value(value.text, where, element, line)
        for child in value.children:
            yield from _value(child, where, element, line)
    elif dataclasses.is_dataclass(value):
        yield from _node(value, where, line)
    elif isinstance(value, tuple):
        for item in value:
            yield from _value(item, where, element, line)
    # numbers, None and paths are not text


def _element(node, name: str) -> str:
    if name == "content":
        if isinstance(node, m.Heading):
            return f"h{node.level}"
        return _CONTENT.get(type(node).__name__, type(node).__name__.lower())
    if isinstance(node, m.Signatory):
        return "signatory"
    if isinstance(node, m.Role):
        return "role" if name in ("title", "note") else _ELEMENTS.get(name, name)
    return _ELEMENTS.get(name, name.replace("_", "-"))
