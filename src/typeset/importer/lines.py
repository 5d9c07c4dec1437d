"""The recogniser's view of a Word paragraph: `Para` → `Line` (text and cues in ems).

In: reader records.  Out: `Line`s, each with the paragraph's text (Word's automatic
number in front), its cues measured the way 公文 are laid out (indents in ems of the
text size, typed white space counted as indentation, the face class of its text:
hei, kai, fang, song, title) and `inlines`, which turns a line's runs into the
model's inline nodes (黑体 runs in a 仿宋 paragraph → em, 楷体 → kai, superscripts).
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

from .. import model as m
from .records import Para
from .textrules import WS, lead, strip

#: Face classes by the names offices use (Chinese and English, Founder and Windows).
_FACES = (
    ("title", ("小标宋", "标宋", "大标宋", "XBS", "BiaoSong", "Xiaobiaosong")),
    ("hei", ("黑体", "黑", "Hei", "SimHei")),
    ("kai", ("楷", "Kai")),
    ("fang", ("仿宋", "FangSong", "Fangsong")),
    ("song", ("宋", "Song", "Ming")),
)


@functools.cache
def face(font: str) -> str:
    """The class of a face name: title, hei, kai, fang, song, or "" when unknown."""
    for name, needles in _FACES:
        if any(needle in font for needle in needles):
            return name
    return ""


def _red(color: str) -> bool:
    try:
        r, g, b = int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)
    except (ValueError, IndexError):
        return False
    return r >= 0xB0 and g < 0x70 and b < 0x70


@dataclass
class Line:
    """One paragraph as the recogniser sees it."""

    para: Para
    text: str  # the number Word adds, then the text; "\n" for soft breaks
    body: str  # `text` without the white space around it
    lead: float  # typed white space before the text, in ems
    indent: float  # first-line position in ems (indents plus typed white space)
    left: float  # left indent in ems
    align: str  # left, center, right
    size: float
    face: str  # class of the face of most of its text
    first_face: str  # class of the face of its first character
    bold: bool
    red: bool

    @property
    def index(self) -> int:
        return self.para.index

    @property
    def empty(self) -> bool:
        return not self.body and not self.para.images

    @property
    def pushed_right(self) -> bool:
        """Right-aligned, or pushed towards the right margin with typed spaces."""
        return self.align == "right" or (self.align == "left" and self.lead >= 6
                                          and len(self.body) <= 30)

    @property
    def page_break(self) -> bool:
        return self.para.page_break


def make_line(para: Para) -> Line:
    # white space typed after Word's number aligns the text: not text
    text = para.numbering + (para.text.lstrip(WS) if para.numbering else para.text)
    visible = [r for r in para.runs if r.kind == "text" and r.text.strip(WS)]
    size = para.size or 16.0
    weight: Counter = Counter()
    sizes: Counter = Counter()
    for run in visible:
        weight[face(run.font)] += len(run.text.strip(WS))
        sizes[run.size] += len(run.text.strip(WS))
    if sizes:
        size = sizes.most_common(1)[0][0] or size
    main_face = weight.most_common(1)[0][0] if weight else ""
    first_face = face(visible[0].font) if visible else ""
    if para.numbering and visible:
        first_face = face(visible[0].font)
    typed = lead(text)
    em = size or 16.0
    align = {"both": "left", "distribute": "left"}.get(para.align, para.align)
    return Line(
        para=para, text=text, body=strip(text), lead=typed,
        indent=(para.first_line + para.left) / em + typed, left=para.left / em,
        align=align, size=size, face=main_face, first_face=first_face,
        bold=bool(visible) and all(r.bold for r in visible),
        red=any(_red(r.color) for r in visible))


def segments(line: Line) -> list[tuple[str, str, bool, str]]:
    """(text, face class, bold, vertical alignment) pieces of the line, numbering first,
    soft breaks as "\\n", with the white space around the whole line removed."""
    pieces: list[tuple[str, str, bool, str]] = []
    runs = line.para.runs
    first = next((r for r in runs if r.kind == "text"), None)
    if line.para.numbering:
        pieces.append((line.para.numbering, face(first.font) if first else "",
                       first.bold if first else False, ""))
    after_number = bool(line.para.numbering)
    for run in runs:
        if run.kind == "text":
            text = run.text.lstrip(WS) if after_number else run.text
            after_number = after_number and not text
            if text:
                pieces.append((text, face(run.font), run.bold, run.vert))
        elif run.kind == "br":
            pieces.append(("\n", "", False, ""))
    # strip the white space around the whole line
    while pieces and not pieces[0][0].lstrip(WS + "\n"):
        pieces.pop(0)
    while pieces and not pieces[-1][0].rstrip(WS + "\n"):
        pieces.pop()
    if pieces:
        pieces[0] = (pieces[0][0].lstrip(WS + "\n"), *pieces[0][1:])
        pieces[-1] = (pieces[-1][0].rstrip(WS + "\n"), *pieces[-1][1:])
    return pieces


def inlines(line: Line, *, skip: int = 0, stop: int | None = None, breaks: bool = False,
            base: str | None = None, base_bold: bool | None = None) -> tuple[m.Inline, ...]:
    """The line's text as model inline nodes, from its `skip`-th character on.

    Runs in 黑体 (or bold) where the line's own face is not become `em`, runs in 楷体
    `kai`; superscripts and subscripts `sup`/`sub`.  Soft breaks become `br` when
    `breaks` (titles, cells), else they are dropped (a space between Latin words).
    Tabs are dropped the same way.
    """
    base = line.face if base is None else base
    base_bold = line.bold if base_bold is None else base_bold
    out: list[m.Inline] = []
    pieces = segments(line)
    if stop is not None:
        pieces = _cut(pieces, stop)
    for text, cls, bold, vert in _skipped(pieces, skip):
        kind = "text"
        if vert:
            kind = vert
        elif cls == "hei" and base != "hei" or (bold and not base_bold and cls != "kai"):
            kind = "em"
        elif cls == "kai" and base != "kai":
            kind = "kai"
        for part in re.split(r"(\n)", text):
            if part == "\n":
                if breaks:
                    out.append(m.Inline("br"))
                else:
                    out.append(m.Inline("text", "\n"))
            elif part:
                _append(out, kind, part)
    return _joined(out)


def _cut(pieces, stop: int):
    out = []
    for text, *rest in pieces:
        if stop <= 0:
            break
        out.append((text[:stop], *rest))
        stop -= len(text)
    return out


def _skipped(pieces, skip: int):
    for text, *rest in pieces:
        if skip >= len(text):
            skip -= len(text)
            continue
        yield (text[skip:], *rest)
        skip = 0


def _append(out: list[m.Inline], kind: str, text: str) -> None:
    if kind == "text":
        if out and out[-1].kind == "text" and out[-1].text != "\n":
            out[-1] = m.Inline("text", out[-1].text + text)
        else:
            out.append(m.Inline("text", text))
        return
    last = out[-1] if out else None
    if last is not None and last.kind == kind:
        out[-1] = m.Inline(kind, "", (m.Inline("text", m.plain(last.children) + text),))
    else:
        out.append(m.Inline(kind, "", (m.Inline("text", text),)))


def _joined(nodes: list[m.Inline]) -> tuple[m.Inline, ...]:
    """Drop soft breaks kept as "\\n" text and tabs: nothing between Chinese, a space
    between Latin letters or digits; then merge neighbouring text nodes."""
    flat: list[m.Inline] = []
    for node in nodes:
        if node.kind == "text" and ("\n" in node.text or "\t" in node.text):
            flat.append(m.Inline("text", node.text))
        else:
            flat.append(node)
    text_of = [n.text if n.kind == "text" else m.plain(n.children) or "x" for n in flat]
    out: list[m.Inline] = []
    for i, node in enumerate(flat):
        if node.kind == "text":
            before = "".join(text_of[:i])[-1:] if i else ""
            after = "".join(text_of[i + 1:])[:1]
            value = re.sub(r"[\n\t]+", functools.partial(_gap, before=before, after=after),
                           node.text)
            if not value:
                continue
            if out and out[-1].kind == "text":
                out[-1] = m.Inline("text", out[-1].text + value)
                continue
            node = m.Inline("text", value)
        out.append(node)
    return tuple(out)


def _gap(found: re.Match, before: str, after: str) -> str:
    text = found.string
    left = text[found.start() - 1] if found.start() > 0 else before
    right = text[found.end()] if found.end() < len(text) else after
    if left.isascii() and left.isalnum() and right.isascii() and right.isalnum():
        return " "
    return ""
