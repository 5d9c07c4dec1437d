"""Check, before rendering, that every character of the issue has a glyph to print it.

In: an `Issue` and the layout's font files by role.  Out: nothing when all is well,
else `InputError` listing, for each missing character, the document, the element,
the character and its code point (`U+XXXX`): never a tofu box on paper.

Each kind of text is printed by a chain of faces (the layout's CSS falls back the same
way): titles by the bold serif, level-1 headings and table heads by the sans, level-2
headings and run-ins by the Kai and then the serif, everything else by the serif.  A
character is missing when no face of its chain has it.
"""

from __future__ import annotations

import functools
import hashlib
import os
from array import array
from collections.abc import Iterator
from pathlib import Path

from fontTools.ttLib import TTFont

from . import model as m
from .atomic import write_atomic
from .errors import InputError, Problem, TypesetError

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


def preflight(issue: m.Issue, faces: dict[str, Path]) -> None:
    """Raise InputError naming every character that no face of its chain can print."""
    cmaps = {role: _cmap(path) for role, path in faces.items()}
    problems: list[Problem] = []
    seen: set[tuple[str, str, str]] = set()
    label = str(issue.source)
    for doc, element, line, chain, text in _texts(issue):
        for char in text:
            if char in _INVISIBLE:
                continue
            if any(ord(char) in cmaps[r] for r in CHAINS[chain] if r in cmaps):
                continue
            key = (doc, element, char)
            if key in seen:
                continue
            seen.add(key)
            faces_tried = ", ".join(CHAINS[chain])
            problems.append(Problem(label, line, 0, f"document {doc}, <{element}>: no glyph "
                                    f"for {char!r} U+{ord(char):04X} in the faces "
                                    f"{faces_tried}"))
    if problems:
        raise InputError(problems)


def _texts(issue: m.Issue) -> Iterator[tuple[str, str, int, str, str]]:
    """Yield (document id, element, line, chain, text) for all printed text."""
    meta = issue.meta
    yield "cover", "gazette", 0, "title", meta.name
    for text in (meta.overline, meta.frequency, meta.cn, *meta.slogans, *meta.contents_slogans):
        yield "cover", "meta", 0, "body", text
    yield "cover", "meta", 0, "sans", "0123456789年第期总出版目录【】（）●"
    if issue.board:
        for role in issue.board.roles:
            yield "cover", "board", 0, "body", role.title + role.note + "".join(role.people)
    if issue.colophon:
        c = issue.colophon
        yield "contents", "colophon", 0, "body", "".join(
            [c.editor_in_chief, *c.editors, c.supervisor, c.sponsor, c.publisher, c.address,
             c.postcode, c.phone, c.fax, c.email, c.web, c.printer])
    for section in issue.sections:
        yield section.id, "section", section.line, "sans", section.title
        for doc in section.documents:
            for part in (doc, *doc.appendices):
                yield from _part_texts(doc.id, part)


def _part_texts(doc_id: str, part: m.Part) -> Iterator[tuple[str, str, int, str, str]]:
    line = part.line
    yield doc_id, "title", line, "title", m.plain(part.title)
    yield doc_id, "title", line, "body", m.plain(part.title)  # the contents print it in serif
    yield doc_id, "doc-number", line, "body", part.doc_number + part.printed_date_line
    yield doc_id, "addressee", line, "body", m.plain(part.addressee)
    if part.decree:
        d = part.decree
        yield doc_id, "decree", d.line, "sans", d.number
        for p in d.paragraphs:
            yield doc_id, "p", p.line, "body", p.text()
        yield doc_id, "decree", d.line, "body", d.signatory_title + d.signatory + d.printed_date
    for block in part.body:
        yield from _block_texts(doc_id, block)
    for a in part.attachments:
        yield doc_id, "attachment", line, "body", m.ATTACHMENT_LABEL + m.plain(a)
    if part.signature:
        s = part.signature
        yield doc_id, "signature", s.line, "body", "".join(s.issuers) + s.printed_date
    for n in part.notes:
        yield doc_id, "note", line, "body", m.plain(n)


def _block_texts(doc_id: str, block) -> Iterator[tuple[str, str, int, str, str]]:
    kind = block.kind
    if kind == "p":
        yield doc_id, "runin", block.line, "kai", m.plain(block.runin)
        yield doc_id, "p", block.line, "body", m.plain(block.content)
    elif kind == "heading":
        chain = {1: "sans", 2: "kai"}.get(block.level, "body")
        yield doc_id, f"h{block.level}", block.line, chain, block.text()
    elif kind == "table":
        yield doc_id, "caption", block.line, "sans", m.plain(block.caption)
        for row in block.head:
            yield doc_id, "thead", row.line, "sans", row.text()
        for row in block.body:
            chain = "sans" if row.kind == "group" else "body"
            yield doc_id, row.kind, row.line, chain, row.text()
    elif kind in ("chapter", "division"):
        yield doc_id, "heading", block.line, "sans", m.plain(block.heading)
        for child in getattr(block, "children", getattr(block, "articles", ())):
            yield from _block_texts(doc_id, child)
    elif kind == "article":
        yield doc_id, "num", block.line, "sans", block.num
        for clause in block.clauses:
            yield doc_id, "clause", clause.line, "body", clause.text()
    else:  # list, figure
        yield doc_id, kind, block.line, "body", block.text()
