"""Check, before rendering, that every character of the issue has a glyph to print it.

In: an `Issue` and the layout's font files by role.  Out: nothing when all is well,
else `InputError` listing, for each missing character, the document, the element,
the character and its code point (`U+XXXX`): never a tofu box on paper.

Each kind of text is printed by a chain of faces (the layout's CSS falls back the same
way): titles by the bold serif, level-1 headings and table heads by the sans, level-2
headings and run-ins by the Kai and then the serif, everything else by the serif.  A
character is missing when no face of its chain has it.

The texts are found by walking the model's dataclass fields, not by naming them: a
field added to the model is checked (in the serif, unless `_CHAINS` says otherwise)
without anyone remembering to; only the fields in `NOT_PRINTED` are skipped.  Each
problem carries the line of the element the text came from (cover and colophon
included).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import os
from array import array
from collections.abc import Iterator
from pathlib import Path

from fontTools.ttLib import TTFont

from . import model as m
from .atomic import write_atomic
from .errors import InputError, Problem, TypesetError, display_path

#: Which faces print which text, in fallback order (roles as in layout.toml [faces]).
CHAINS = {
    "title": ("serif_bold", "serif"),
    "sans": ("sans", "serif"),
    "kai": ("kai", "serif"),
    "body": ("serif",),
}

# Characters that need no glyph: white space and format controls.
_INVISIBLE = set(" \t\n\u00a0\u200b\u200c\u200d\u2060\ufeff")


@functools.cache
def _cmap(path: Path) -> frozenset[int]:
    """The code points `path` maps, cached on disk: fontTools takes ~0.2 s a face."""
    stat = path.stat()
    key = hashlib.sha1(f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    cache = _cache_dir() / f"cmap-{key}.bin"
    try:
        return frozenset(array("I", cache.read_bytes()))
    except OSError:
        pass
    font = TTFont(str(path), lazy=True, fontNumber=0)
    try:
        codepoints = frozenset(font.getBestCmap())
    finally:
        font.close()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(array("I", sorted(codepoints)).tobytes(), cache)
    except (OSError, TypesetError):
        pass  # no cache: slower, not wrong
    return codepoints


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "typeset"


def preflight(issue: m.Issue, faces: dict[str, Path], layout_text: str = "") -> None:
    """Raise InputError naming every character that no face of its chain can print.

    `layout_text`: text the layout's settings add to the page (its numbering formats),
    checked in the faces that print the cover's and running heads' numbers.
    """
    cmaps = {role: _cmap(path) for role, path in faces.items()}
    problems: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    label = display_path(issue.source)
    texts = [*_texts(issue), *(("the layout", "numbering", issue.meta.line, chain,
                                layout_text) for chain in ("sans", "body") if layout_text)]
    for where, element, line, chain, text in texts:
        for char in text:
            if char in _INVISIBLE:
                continue
            if any(ord(char) in cmaps[r] for r in CHAINS[chain] if r in cmaps):
                continue
            key = (where, element, char)
            if key in seen:
                continue
            seen.add(key)
            faces_tried = ", ".join(CHAINS[chain])
            problems.append(Problem(label, line, 0, f"{where}, <{element}>: no glyph "
                                    f"for {char!r} U+{ord(char):04X} in the faces "
                                    f"{faces_tried}"))
    if problems:
        raise InputError(problems)


#: Fields of the model that never reach the page: ids, kinds, settings, file names.
#: (Numbers, paths and lines are not text and are skipped by type.)
NOT_PRINTED = frozenset({"id", "kind", "section_id", "align", "src", "width", "date_style",
                         "date_line_style", "published_style"})

#: Text the layout prints around the issue's own (labels, numbering, brackets).
_FURNITURE = {
    "sans": "0123456789出版目录【】（）●",
    "body": m.ATTACHMENT_LABEL + "0123456789.年月日（）〇一二三四五六七八九十",
}

#: Chains of fields printed in another face than the serif (by class, then field).  A
#: field not listed takes the chain of the node around it.
_CHAINS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Meta", "gazette"): ("title", "body"),  # the masthead; the running head
    ("Meta", "overline"): ("sans",),
    ("Meta", "number_format"): ("sans", "body"),  # the cover; the running head
    ("Meta", "cumulative_format"): ("sans", "body"),
    ("Meta", "contents_slogans"): ("title",),
    ("Board", "title"): ("sans",),
    ("Section", "title"): ("sans", "body"),  # the contents; the running head
    ("Part", "title"): ("title", "body"),  # the document's head; contents and outline
    ("Part", "label"): ("sans",),  # 附件1 above an appended part
    ("Decree", "number"): ("sans",),
    ("Decree", "name"): ("title",),
    ("Part", "title_note"): ("kai",),
    ("Table", "caption"): ("sans",),
    ("Table", "head"): ("sans",),
    ("GroupRow", "content"): ("sans",),
    ("Chapter", "heading"): ("sans",),
    ("Division", "heading"): ("sans",),
    ("Article", "num"): ("sans",),
}

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
    "signatory_title": "signatory",
}

#: The element of a node's `content` field: the node's own.
_CONTENT = {"Paragraph": "p", "Cell": "cell", "GroupRow": "group", "Clause": "clause"}

_Text = tuple[str, str, int, str, str]


def _texts(issue: m.Issue) -> Iterator[_Text]:
    """Yield (where, element, line, chain, text) for every text of `issue` that is printed."""
    for chain, text in _FURNITURE.items():
        yield "the cover", "meta", issue.meta.line, chain, text
    yield from _node(issue, "the issue", 0, ("body",))


def _node(node, where: str, line: int, chains: tuple[str, ...]) -> Iterator[_Text]:
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
        yield from _value(getattr(node, f.name), where, _element(node, f.name), field_line,
                          _field_chains(node, f.name) or chains)


def _value(value, where: str, element: str, line: int, chains: tuple[str, ...]
           ) -> Iterator[_Text]:
    if isinstance(value, str):
        for chain in chains:
            yield where, element, line, chain, value
    elif isinstance(value, dt.date):
        for chain in chains:
            yield where, element, line, chain, m.cn_date(value)
    elif isinstance(value, m.Inline):
        # em is set in the sans, kai in the Kai (then the serif)
        inner = {"em": ("sans",), "kai": ("kai",)}.get(value.kind, chains)
        yield from _value(value.text, where, element, line, inner)
        for child in value.children:
            yield from _value(child, where, element, line, inner)
    elif dataclasses.is_dataclass(value):
        yield from _node(value, where, line, chains)
    elif isinstance(value, tuple):
        for item in value:
            yield from _value(item, where, element, line, chains)
    # numbers, None and paths are not text


def _field_chains(node, name: str) -> tuple[str, ...] | None:
    if isinstance(node, m.Heading) and name == "content":
        return {1: ("sans",), 2: ("kai",)}.get(node.level, ("body",))
    if isinstance(node, m.Paragraph) and name == "runin":
        return ("kai",) if node.runin_level == 2 else ("body",)
    for cls in type(node).__mro__:
        if (cls.__name__, name) in _CHAINS:
            return _CHAINS[cls.__name__, name]
    return None


def _element(node, name: str) -> str:
    if name == "content":
        if isinstance(node, m.Heading):
            return f"h{node.level}"
        return _CONTENT.get(type(node).__name__, type(node).__name__.lower())
    if isinstance(node, m.Role):
        return "role" if name in ("title", "note") else _ELEMENTS.get(name, name)
    return _ELEMENTS.get(name, name.replace("_", "-"))
