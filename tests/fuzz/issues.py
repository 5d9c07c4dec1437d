"""Hypothesis strategies that turn the schema's elements into hostile issue files.

In: nothing but the schema's shape (src/typeset/schema/issue.rng, docs/format.md), written
out here element by element.  Out: `Case`s: the bytes of an issue file, mostly of valid
structure, with hostile strings in every text and attribute slot (quotes, backslashes,
`</style>`, `<script>`, Jinja, CSS `url()` and `@import`, control characters, U+2028,
bidi marks, long unbreakable strings, astral characters without glyphs, huge and negative
numbers, dates with time zones), or broken by mutations (truncation, swapped or renamed
elements, flipped bytes, DOCTYPEs, XInclude, other encodings).

Three modes decide how hostile a case is:
- ``clean``: valid and printable (ordinary Chinese text); the base of mutations;
- ``renderable``: valid structure and values, hostile text made only of characters the
  layout's faces have, so the build reaches WeasyPrint and the PDF can be read back;
- ``wild``: anything in any slot, valid for the schema or not.

Two placeholders are substituted when the file is written (see `harness.materialise`):
``CANARY`` becomes ``127.0.0.1:<port>`` of a local HTTP server that records every
request, and ``SECRETDIR`` the folder holding files outside the issue's folder.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass, field

from hypothesis import strategies as st

# ----------------------------------------------------------------------------- strings

CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过"
    "子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体"
    "制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内"
    "数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提"
)
FULLWIDTH = "，。、；：？！（）《》〔〕【】“”‘’—…·　"
PRINTABLE_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
#: Characters the layout's faces all have (checked by test_fuzz.test_renderable_alphabet).
RENDERABLE = frozenset(CJK + FULLWIDTH + PRINTABLE_ASCII + "\n\t\u00a0\u00ad")

JINJA_SENTINEL = "94011"        # what {{ 31337*3 }} renders to
LOOP_SENTINEL = "Q7ZQ7Z"        # what the {% for %} payload renders to (the text has Q7Z once)
SECRET_TEXT = "CANARY-SECRET-fz0"

#: Hostile strings made only of printable characters: they reach WeasyPrint.
RENDERABLE_PAYLOADS = [
    '"', "'", "\\", '\\"', "\\A ", "\\0", "\\27", "\\\n",
    '"; } @page { size: 100mm 100mm; margin: 0 } .x { content: "',
    "'; } @page { size: 40mm } /*",
    "*/ @page { size: 10mm 10mm } /*",
    "</style><style>@page { size: 50mm 50mm } body { display: none }</style>",
    '</style><link rel="attachment" href="file:///etc/passwd">',
    '</style><link rel="attachment" href="file://SECRETDIR/secret.txt">',
    '<link rel="stylesheet" href="http://CANARY/link.css">',
    "</title><script>alert(1)</script>",
    "<script>document.write('x')</script>",
    '<img src="http://CANARY/inline-img.png">',
    '<img src="file://SECRETDIR/secret.png">',
    '<object data="file://SECRETDIR/secret.txt"></object>',
    '<iframe src="http://CANARY/frame"></iframe>',
    "{{ 31337*3 }}",
    "{% for x in 'abc' %}Q7Z{% endfor %}",
    "{{ config }}{{ self }}",
    "{# comment #}", "{%", "%}", "{{", "}}", "${7*7}", "#{7*7}",
    "{{ ''.__class__.__mro__ }}",
    "url(file:///etc/passwd)",
    "url(http://CANARY/url)",
    '@import url("http://CANARY/import.css");',
    "@import 'file:///etc/passwd';",
    "@font-face { src: url(http://CANARY/font.otf) }",
    "counter(page) attr(id) string(running-title)",
    "content: url(http://CANARY/content)",
    "&amp;", "&lt;b&gt;", "&#x4E00;", "]]>", "<!--", "-->", "<![CDATA[x]]>",
    "<?php echo 1; ?>", "%s%n%x", "%(name)s", "{0}", "\\u0041",
    "javascript:alert(1)", "data:text/html,<b>x</b>",
    "\n", "\t", "  ", "\u00a0", "\u00ad",
    "x" * 300,
    "https://example.org/" + "a/b-c_d" * 40,
    "Donaudampfschifffahrtsgesellschaftskapitän".encode("ascii", "replace").decode() * 6,
    "9" * 120,
    "年第期", "（一）", "〔2021〕", "——", "……", "：", "《", "》",
    "0" * 40 + "1",
    "-1", "1e308", "NaN",
]

#: Hostile strings with characters no face has, or that XML 1.0 forbids.
WILD_PAYLOADS = [
    "\u2028", "\u2029", "\u200f", "\u200e", "\u202e", "\u2066", "\u061c", "\u200b", "\ufeff",
    "\u0301", "\u3000\u200d",
    "\U0001f600", "\U00020000", "\U0010fffd", "\U000e0001", "\U0001d400",
    "\ufffd", "\ufffe", "\uffff",
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b[31m", "\x1f", "\x7f", "\x85", "\x9f",
    "\r", "\r\n", "\x1a",
    "אבג", "مرحبا", "\u202eevil\u202c", "Ω≈ç√∫", "ＡＢＣ",
    "\u0000\u0001",
]

# Characters a hypothesis text() may draw: all of Unicode but surrogates, weighted
# by a short list of troublemakers.
_TROUBLE = "".join(RENDERABLE_PAYLOADS[:4]) + "".join(WILD_PAYLOADS[:20]) + "<>&\"'\\{}%#;:()"


_WORDS = [CJK[i:i + n] for i, n in zip(range(0, len(CJK) - 12, 7), [2, 3, 4, 6, 9, 12] * 40,
                                         strict=False)]
POOL_SIZE = 3000


def _random_text(rng: random.Random, alphabet: str) -> str:
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))


@functools.cache
def text_pool(mode: str) -> tuple[str, ...]:
    """Strings for text slots, made once from a fixed seed: each slot then costs hypothesis
    one draw (an index), so an issue of a hundred slots is generated in milliseconds, and
    shrinking moves towards the pool's first, plainest entries."""
    rng = random.Random(f"typeset-fuzz-{mode}")
    renderable = "".join(sorted(RENDERABLE))
    wild = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)

    def piece() -> str:
        roll = rng.random()
        if mode == "clean" or roll < 0.35:
            return rng.choice(_WORDS)
        if roll < 0.55:
            return rng.choice(RENDERABLE_PAYLOADS)
        if roll < 0.65 or mode == "renderable":
            return _random_text(rng, renderable)
        if roll < 0.8:
            return rng.choice(WILD_PAYLOADS)
        if roll < 0.9:
            return _random_text(rng, _TROUBLE)
        return "".join(rng.choice(wild) for _ in range(rng.randint(1, 6)))

    pool = list(_WORDS[:20])
    while len(pool) < POOL_SIZE:
        text = "".join(piece() for _ in range(rng.choice([1, 1, 2, 3])))
        if mode == "wild" or not is_blank(text):  # valid modes: text the schema accepts
            pool.append(text)
    return tuple(pool)


def is_blank(text: str) -> bool:
    """Nothing printable: only white space, separators, controls and format characters."""
    return all(c.isspace() or unicodedata.category(c)[0] in "ZC" for c in text)


@functools.cache
def text_strategy(mode: str):
    """A non-empty string for a text slot, one draw from the mode's pool."""
    return st.sampled_from(text_pool(mode))


# ----------------------------------------------------------------------------- values

VALID = {
    "year": ["2021", "2022", "1999"],
    "positive": ["1", "2", "3", "10", "672"],
    "date": ["2021-01-15", "2022-02-28", "2020-02-29"],
    "issn": ["1008-0783", "0317-8471", "2049-3630"],
    "decimal": ["1", "2", "3.5", "10"],
    "length": ["30%", "60mm", "2cm", "100pt", "50.5%"],
    "nonneg": ["0", "1", "2"],
}

#: Extremes the schema accepts: the build must cope with them (or refuse them in one line).
EXTREME = {
    "year": ["1000", "9999"],
    "positive": ["999999", "1"],
    "date": ["1000-01-01", "9999-12-31", "2024-02-29"],
    "issn": ["0000-0000"],
    "decimal": ["9999.999", "0.001", "0001"],
    "length": ["100%", "1%", "9999.99mm", "1pt", "9999cm"],
    "nonneg": ["0", "2"],
}

#: Traps: values the first schema (XML Schema datatypes) accepted that an unwary parser
#: or layout does not (time zones, signs, five-digit years, huge numbers).
EDGE = {
    "year": ["2021Z", "2021+08:00", "2021-14:00", "-2021", "12021", "0001", "99999999999999999999"],
    "positive": ["+3", " 7 ", "00001", "99999999999999999999999", "4294967297", "100000000",
                 "9223372036854775808"],
    "date": ["2021-02-15+08:00", "2021-01-05Z", "2021-01-05-14:00", "12021-01-01",
             "-2021-01-01", "0001-01-01", " 2021-01-05 ", "2021-02-15+14:00"],
    "issn": ["9999-999X", "1008-0783 "],
    "decimal": ["0.0000000000000000000001", "1" + "0" * 400, "+2", "007.50"],
    "length": ["99999999999mm", "0%", "100000%", "0.0000001pt", "00000000000000000000%"],
    "nonneg": ["99999999999999999999", "100000000", "+0"],
}

#: Values the schema refuses: validation must report them, in one line each.
SCHEMA_INVALID = ["", " ", "0", "-1", "1.5", "1e3", "NaN", "INF", "١٢", "x", "2021-13-01",
                  "2021/01/05", "2021-01-05T00:00:00", "1008-0784", "tomorrow", "1;2",
                  '"><script>', "10px", "-5mm", "\u00a0"]

ENUMS = {
    "p-align": ["left", "center", "right"],
    "cell-align": ["left", "center", "right", "justify"],
    "p-indent": ["0", "2"],
    "runin-level": ["2", "3", "4"],
}
ENUM_HOSTILE = ["LEFT", " left", "center ", "0; color: red", '" onload="x', "1", "",
                "justify\n", "right\u200f"]

ID_EDGE = ["中文", "ａｂｃ", "x" * 200, "a-b_c.d", "é", "_x", "a\u0301", "x" * 63]
ID_INVALID = ["1abc", "a b", 'a"b', "a:b", "-x", "", "a/../b", "<x>", "a&b"]

FIGURE_SOURCES_OK = ["dot.svg", "sub/dot.svg"]
#: Figure sources the format refuses (issue 8, point 1): a successful build is a failure.
FIGURE_SOURCES_REFUSED = [
    "missing.png", "./dot.svg", "sub//dot.svg", "../secret.png", "../secret.txt",
    "SECRETDIR/secret.png",
    "file://SECRETDIR/secret.png", "file:///etc/passwd", "/etc/passwd",
    "http://CANARY/figure.png", "https://CANARY/figure.png", "javascript:alert(1)",
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E",
    "sub/../../secret.png", "dot.svg/../../secret.png", "\\\\CANARY\\share\\x.png",
    "broken.png", "notimage.png", "dir.png",
]
#: An SVG in the issue folder whose own references point outside: nothing may be fetched.
FIGURE_SOURCES_SUBRESOURCE = ["evil.svg"]


@functools.cache
def value_strategy(kind: str, mode: str):
    """A value of datatype `kind` ("year", "positive", "date", ...) for the mode."""
    valid = st.sampled_from(VALID[kind])
    if mode == "clean":
        return valid
    extreme = st.sampled_from(EXTREME[kind])
    if mode == "renderable":
        return st.one_of(valid, valid, valid, extreme)
    return st.one_of(valid, extreme, st.sampled_from(EDGE[kind]),
                     st.sampled_from(SCHEMA_INVALID), text_strategy("wild"))


@functools.cache
def enum_strategy(kind: str, mode: str):
    valid = st.sampled_from(ENUMS[kind])
    if mode != "wild":
        return valid
    return st.one_of(valid, valid, st.sampled_from(ENUM_HOSTILE))


# ----------------------------------------------------------------------------- the tree


@dataclass
class Node:
    """One element: tag, attributes in order, children (nodes and strings)."""

    tag: str
    attrs: list[tuple[str, str]] = field(default_factory=list)
    children: list = field(default_factory=list)

    def iter(self):
        yield self
        if self.tag == "#deep":
            return
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def text(self) -> str:
        """All text and attribute values, for sizing the checks' bounds."""
        if self.tag == "#deep":
            return self.children[0]
        return "".join(c if isinstance(c, str) else c.text() for c in self.children) + "".join(
            v for _, v in self.attrs)


def _escape_text(text: str, charrefs: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _refs(text) if charrefs else text


def _escape_attr(text: str, charrefs: bool) -> str:
    text = _escape_text(text, False).replace('"', "&quot;")
    text = text.replace("\n", "&#10;").replace("\t", "&#9;").replace("\r", "&#13;")
    return _refs(text) if charrefs else text


def _refs(text: str) -> str:
    """Non-ASCII and control characters as numeric character references."""
    return "".join(c if 0x20 <= ord(c) < 0x7F or c in "\n\t" else f"&#x{ord(c):X};"
                   for c in text)


def serialise(node: Node, charrefs: bool = False, indent: int = 0) -> str:
    """The element as XML text, one element per line where it holds only elements."""
    if node.tag == "#deep":  # <em> nested `depth` times around one text
        depth = int(dict(node.attrs)["depth"])
        return "<em>" * depth + _escape_text(node.children[0], charrefs) + "</em>" * depth
    attrs = "".join(f' {k}="{_escape_attr(v, charrefs)}"' for k, v in node.attrs)
    if not node.children:
        return f"<{node.tag}{attrs}/>"
    if all(isinstance(c, Node) for c in node.children):
        pad = "\n" + "  " * (indent + 1)
        inner = "".join(pad + serialise(c, charrefs, indent + 1) for c in node.children)
        return f"<{node.tag}{attrs}>{inner}\n{'  ' * indent}</{node.tag}>"
    inner = "".join(_escape_text(c, charrefs) if isinstance(c, str)
                    else serialise(c, charrefs, indent + 1) for c in node.children)
    return f"<{node.tag}{attrs}>{inner}</{node.tag}>"


@dataclass
class Case:
    """One fuzz case: the issue file's bytes and what the checks need to know of it."""

    xml: bytes
    mode: str
    documents: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()
    text_chars: int = 0
    blocks: int = 0
    cells: int = 0
    mutations: tuple[str, ...] = ()

    def _repr_pretty_(self, printer, cycle) -> None:
        """What hypothesis prints for a falsifying example: the issue file as text."""
        text = self.xml.decode("utf-8", "backslashreplace")
        printer.text(f"Case(mode={self.mode!r}, mutations={self.mutations!r}, "
                     f"figures={self.figures!r}), issue file ({len(self.xml)} bytes):\n"
                     f"{text}")


class _Ids:
    def __init__(self, draw, mode: str):
        self.draw, self.mode, self.n = draw, mode, 0
        self.used: list[str] = []

    def __call__(self, prefix: str) -> str:
        self.n += 1
        plain = f"{prefix}{self.n}"
        if self.mode == "clean":
            value = plain
        elif self.mode == "renderable":
            value = self.draw(st.sampled_from([plain, plain, plain, "x" * 58 + str(self.n),
                                               f"{prefix}-{self.n}_a", f"Z{self.n}"]))
        else:
            choices = [plain, plain, plain] + [v + str(self.n) for v in ID_EDGE]
            choices += ID_INVALID + self.used[:2]  # duplicates too
            value = self.draw(st.sampled_from(choices))
        self.used.append(value)
        return value


@functools.cache
def inline_nodes(mode: str, depth: int = 0, title: bool = False):
    """Inline content: mostly one text run (one draw), else runs with em, nobr, sup, sub,
    wbr (and br in titles)."""
    return st.one_of(text_strategy(mode).map(lambda t: [t]), _rich_inline(mode, depth, title))


@st.composite
def _rich_inline(draw, mode: str, depth: int = 0, title: bool = False, plain_only: bool = False):
    kinds = ["text", "text", "text", "em", "nobr", "wbr"]
    if not title:
        kinds += ["sup", "sub", "kai"]
    else:
        kinds += ["br"]
    if depth >= 2 or plain_only:
        kinds = ["text"]
    n = draw(st.integers(1 if title else 0, 3))
    out: list = []
    for _ in range(n):
        kind = draw(st.sampled_from(kinds))
        if kind == "text":
            out.append(draw(text_strategy(mode)))
        elif kind in ("wbr", "br"):
            out.append(Node(kind))
        elif kind in ("em", "kai"):
            out.append(Node(kind, children=draw(inline_nodes(mode, depth + 1))))
        else:
            out.append(Node(kind, children=[draw(text_strategy(mode))]))
    if (title or mode != "wild") and not any(isinstance(c, str) and not is_blank(c)
                                              for c in out):
        out.append(draw(text_strategy(mode)))  # labels and titles must not be blank
    if mode == "wild" and depth == 0 and draw(st.integers(0, 30)) == 0:
        deep = draw(st.sampled_from([40, 200, 240, 255, 300, 1200]))
        out.append(Node("#deep", [("depth", str(deep))], [draw(text_strategy(mode))]))
    return out



def _text_el(draw, tag: str, mode: str, attrs=None) -> Node:
    return Node(tag, attrs or [], [draw(text_strategy(mode))])


@st.composite
def paragraph(draw, mode: str) -> Node:
    attrs = []
    if draw(st.booleans()):
        attrs.append(("align", draw(enum_strategy("p-align", mode))))
    if draw(st.integers(0, 3)) == 0:
        attrs.append(("indent", draw(enum_strategy("p-indent", mode))))
    children = []
    if draw(st.integers(0, 3)) == 0:
        children.append(Node("runin", [("level", draw(enum_strategy("runin-level", mode)))],
                             draw(inline_nodes(mode))))
    children += draw(inline_nodes(mode))
    if not children:
        children = [draw(text_strategy(mode))]
    return Node("p", attrs, children)


paragraph = functools.cache(paragraph)  # one strategy object per argument tuple


@st.composite
def table(draw, mode: str, ids: _Ids) -> Node:
    """A table whose rows fill its columns (counting colspan and rowspan), then perhaps not."""
    ncols = draw(st.sampled_from([2, 1, 3, 4]))
    children: list = []
    attrs = [("id", ids("t"))] if draw(st.booleans()) else []
    if draw(st.booleans()):
        children.append(Node("caption", children=draw(inline_nodes(mode))))
    if draw(st.booleans()):
        cols = []
        for _ in range(ncols):
            col_attrs = [("width", draw(value_strategy("decimal", mode)))]
            if draw(st.booleans()):
                col_attrs.append(("align", draw(enum_strategy("cell-align", mode))))
            cols.append(Node("col", col_attrs))
        children.append(Node("cols", children=cols))
    if draw(st.booleans()):
        children.append(Node("thead", children=draw(_row_block(mode, ncols, 1))))
    body: list = []
    for _ in range(draw(st.integers(1, 2))):
        if draw(st.booleans()):
            body.append(Node("group", children=draw(inline_nodes(mode)) or ["文"]))
        body += draw(_row_block(mode, ncols, 3))
    children.append(Node("tbody", children=body))
    node = Node("table", attrs, children)
    if mode == "wild" and draw(st.integers(0, 6)) == 0:
        # a huge span: the rows may even fill the columns it claims
        big = draw(st.sampled_from(EDGE["positive"] + EXTREME["positive"]))
        which = draw(st.sampled_from(["colspan", "rowspan"]))
        cells = [n for n in node.iter() if n.tag == "cell"]
        cell = cells[draw(st.integers(0, len(cells) - 1))]
        cell.attrs = [(k, v) for k, v in cell.attrs if k != which] + [(which, big)]
    return node


@st.composite
def _row_block(draw, mode: str, ncols: int, max_rows: int) -> list[Node]:
    """Rows that fill `ncols` columns, with colspan and rowspan; one draw decides a cell's
    attributes (shrinking towards plain cells)."""
    nrows = draw(st.integers(1, max_rows))
    taken: set[tuple[int, int]] = set()
    rows = []
    for r in range(nrows):
        cells = []
        c = 0
        while c < ncols:
            if (r, c) in taken:
                c += 1
                continue
            free = 0
            while c + free < ncols and (r, c + free) not in taken:
                free += 1
            style = draw(st.integers(0, 15))
            colspan = draw(st.integers(1, free)) if style & 1 and free > 1 else 1
            # a row must keep a cell of its own (the schema wants one): span down only
            # while the rows below keep a free column
            deepest = 1
            while r + deepest < nrows and any(
                    (r + deepest, k) not in taken and not c <= k < c + colspan
                    for k in range(ncols)):
                deepest += 1
            rowspan = draw(st.integers(2, deepest)) if style & 2 and deepest > 1 else 1
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            attrs = []
            if colspan > 1:
                attrs.append(("colspan", str(colspan)))
            if rowspan > 1:
                attrs.append(("rowspan", str(rowspan)))
            if style & 4:
                attrs.append(("align", draw(enum_strategy("cell-align", mode))))
            if style & 8 and style & 1:
                attrs.append(("indent", draw(value_strategy("nonneg", mode))))
            cells.append(Node("cell", attrs, draw(cell_text(mode))))
            c += colspan
        if mode == "wild" and draw(st.integers(0, 8)) == 0:
            cells.append(Node("cell", children=["多余"]))  # a row too wide
        rows.append(Node("row", children=cells or [Node("cell")]))
    return rows


@functools.cache
def cell_text(mode: str):
    """A cell's content: nothing, a text, or inline nodes."""
    return st.one_of(st.just([]), text_strategy(mode).map(lambda t: [t]), inline_nodes(mode))


@st.composite
def figure(draw, mode: str, ids: _Ids) -> Node:
    sources = FIGURE_SOURCES_OK
    if mode != "clean":
        sources = sources * 3 + FIGURE_SOURCES_REFUSED + FIGURE_SOURCES_SUBRESOURCE
    src = draw(st.sampled_from(sources))
    if mode == "wild" and draw(st.integers(0, 3)) == 0:
        src = draw(text_strategy("wild"))
    img_attrs = [("src", src), ("alt", draw(text_strategy(mode)))]
    if draw(st.booleans()):
        img_attrs.append(("width", draw(value_strategy("length", mode))))
    children = [Node("img", img_attrs)]
    if draw(st.booleans()):
        children.append(Node("caption", children=draw(inline_nodes(mode))))
    attrs = [("id", ids("f"))] if draw(st.booleans()) else []
    return Node("figure", attrs, children)


@st.composite
def article(draw, mode: str) -> Node:
    clauses = []
    for _ in range(draw(st.integers(1, 2))):
        content = draw(inline_nodes(mode))
        items = [Node("item", children=draw(inline_nodes(mode)))
                 for _ in range(draw(st.integers(0, 2)))]
        clauses.append(Node("clause", children=content + items))
    return Node("article", children=[_text_el(draw, "num", mode), *clauses])


article = functools.cache(article)  # one strategy object per argument tuple


@st.composite
def chapter(draw, mode: str) -> Node:
    children: list = [Node("heading", children=draw(inline_nodes(mode)))]
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["article", "division", "p"]))
        if kind == "article":
            children.append(draw(article(mode)))
        elif kind == "p":
            children.append(draw(paragraph(mode)))
        else:
            children.append(Node("division", children=[
                Node("heading", children=draw(inline_nodes(mode))),
                *[draw(article(mode)) for _ in range(draw(st.integers(1, 2)))]]))
    return Node("chapter", children=children)


chapter = functools.cache(chapter)  # one strategy object per argument tuple


#: Tables at and past the limits: spans of a million, more columns than a page holds.
GIANT_TABLES = [
    '<cell colspan="999999">跨</cell>',
    '<cell rowspan="999999">跨</cell>',
    '<cell colspan="65">跨</cell>',
    '<cell colspan="64">跨</cell>',
    '<cell colspan="999998">跨</cell><cell>x</cell>',
]


def _giant_table(draw) -> Node:
    kind = draw(st.integers(0, len(GIANT_TABLES)))
    if kind == len(GIANT_TABLES):  # 65 columns declared, one row filling them
        cols = Node("cols", children=[Node("col", [("width", "1")]) for _ in range(65)])
        row = Node("row", children=[Node("cell", children=["格"]) for _ in range(65)])
        return Node("table", children=[cols, Node("tbody", children=[row])])
    cells = re.findall(r'<cell( (\w+)="(\d+)")?>([^<]*)</cell>', GIANT_TABLES[kind])
    row = Node("row", children=[Node("cell", [(a, v)] if a else [], [t])
                                for _, a, v, t in cells])
    return Node("table", children=[Node("tbody", children=[row])])


@st.composite
def block(draw, mode: str, ids: _Ids) -> Node:
    kinds = ["p", "p", "h", "table", "list", "figure", "chapter", "article"]
    kind = draw(st.sampled_from(kinds + (["giant"] if mode != "clean" else [])))
    if kind == "giant":
        return _giant_table(draw)
    if kind == "p":
        return draw(paragraph(mode))
    if kind == "h":
        return Node(draw(st.sampled_from(["h1", "h2", "h3", "h4"])),
                    children=draw(inline_nodes(mode)))
    if kind == "table":
        return draw(table(mode, ids))
    if kind == "list":
        items = []
        for _ in range(draw(st.integers(1, 3))):
            if draw(st.booleans()):
                items.append(Node("item", children=draw(inline_nodes(mode))))
            else:
                items.append(Node("item", children=[draw(paragraph(mode))
                                                    for _ in range(draw(st.integers(1, 2)))]))
        return Node("list", children=items)
    if kind == "figure":
        return draw(figure(mode, ids))
    if kind == "chapter":
        return draw(chapter(mode))
    return draw(article(mode))


@st.composite
def document_parts(draw, mode: str, ids: _Ids, appendix: bool) -> list[Node]:
    """The decree, head (title … doc-number), addressee and tail of a document or appendix."""
    out: list[Node] = []
    if not appendix and draw(st.integers(0, 4)) == 0:
        name = [_text_el(draw, "name", mode)] if draw(st.booleans()) else []
        out.append(Node("decree", children=[
            *name,
            _text_el(draw, "number", mode),
            *[draw(paragraph(mode)) for _ in range(draw(st.integers(1, 2)))],
            _text_el(draw, "signatory", mode, [("title", draw(text_strategy(mode)))]),
            Node("date", children=[draw(value_strategy("date", mode))]),
        ]))
    if not appendix or draw(st.booleans()):
        out.append(Node("title", children=draw(inline_nodes(mode, title=True))))
        if draw(st.integers(0, 3)) == 0:
            out.append(Node("toc-title", children=draw(inline_nodes(mode))))
        if draw(st.integers(0, 3)) == 0:
            out.append(Node("title-note", children=draw(inline_nodes(mode))))
        if draw(st.integers(0, 2)) == 0:
            out.append(Node("date-line", children=[draw(value_strategy("date", mode))]))
        if draw(st.booleans()):
            out.append(_text_el(draw, "doc-number", mode))
    if draw(st.booleans()):
        out.append(Node("addressee", children=draw(inline_nodes(mode))))
    out.append(Node("body", children=[draw(block(mode, ids))
                                      for _ in range(draw(st.integers(1, 3)))]))
    if draw(st.integers(0, 3)) == 0:
        out.append(Node("attachments", children=[
            Node("attachment", children=draw(inline_nodes(mode)))
            for _ in range(draw(st.integers(1, 3)))]))
    if draw(st.booleans()):
        issuers = [_text_el(draw, "issuer", mode) for _ in range(draw(st.integers(1, 2)))]
        out.append(Node("signature", children=[
            *issuers, Node("date", children=[draw(value_strategy("date", mode))])]))
    for _ in range(draw(st.integers(0, 2))):
        out.append(Node("note", children=draw(inline_nodes(mode))))
    return out


@st.composite
def document(draw, mode: str, ids: _Ids) -> Node:
    attrs = [("id", ids("d"))]
    if draw(st.integers(0, 3)) == 0:
        attrs.append(("kind", draw(text_strategy(mode))))
    children = draw(document_parts(mode, ids, appendix=False))
    for _ in range(draw(st.integers(0, 1))):
        app_attrs = [("id", ids("a"))] if draw(st.booleans()) else []
        if draw(st.booleans()):
            app_attrs.append(("label", draw(text_strategy(mode))))
        children.append(Node("appendix", app_attrs, draw(document_parts(mode, ids, True))))
    return Node("document", attrs, children)


@st.composite
def meta(draw, mode: str) -> Node:
    children = [Node("gazette", children=draw(inline_nodes(mode, title=True)))]
    if draw(st.booleans()):
        children.append(_text_el(draw, "overline", mode))
    if draw(st.booleans()):
        children.append(Node("slogans", children=[_text_el(draw, "slogan", mode)
                                                  for _ in range(draw(st.integers(1, 3)))]))
    if draw(st.booleans()):
        children.append(_text_el(draw, "frequency", mode))
    children.append(Node("year", children=[draw(value_strategy("year", mode))]))
    children.append(Node("number", children=[draw(value_strategy("positive", mode))]))
    if draw(st.booleans()):
        children.append(Node("cumulative", children=[draw(value_strategy("positive", mode))]))
    children.append(Node("published", children=[draw(value_strategy("date", mode))]))
    if draw(st.booleans()):
        children.append(Node("issn", children=[draw(value_strategy("issn", mode))]))
    if draw(st.booleans()):
        children.append(_text_el(draw, "cn", mode))
    if draw(st.booleans()):
        children.append(Node("contents-slogans", children=[
            _text_el(draw, "line", mode) for _ in range(draw(st.integers(1, 2)))]))
    return Node("meta", children=children)


meta = functools.cache(meta)  # one strategy object per argument tuple


@st.composite
def board(draw, mode: str) -> Node:
    children = []
    if draw(st.booleans()):
        children.append(_text_el(draw, "title", mode))
    for _ in range(draw(st.integers(1, 3))):
        attrs = [("title", draw(text_strategy(mode)))]
        if draw(st.booleans()):
            attrs.append(("note", draw(text_strategy(mode))))
        people = [_text_el(draw, "person", mode) for _ in range(draw(st.integers(1, 3)))]
        children.append(Node("role", attrs, people))
    return Node("board", children=children)


board = functools.cache(board)  # one strategy object per argument tuple


COLOPHON = ["editor-in-chief", "editors", "supervisor", "sponsor", "publisher", "address",
            "postcode", "phone", "fax", "email", "web", "printer"]
WEB = ["http://www.example.org", "https://gb.example.org/a?b=c&d=e", "javascript:alert(1)",
       "file:///etc/passwd", "http://CANARY/web", "data:text/html,<script>alert(1)</script>",
       '"><script>alert(1)</script>', "http://exa mple.org/\"onmouseover=x"]


@st.composite
def colophon(draw, mode: str) -> Node:
    children = []
    for name in COLOPHON:
        if not draw(st.booleans()):
            continue
        if name == "editors":
            children.append(Node("editors", children=[
                _text_el(draw, "person", mode) for _ in range(draw(st.integers(1, 2)))]))
        elif name == "web":
            web = WEB[:2] if mode == "clean" else WEB
            children.append(Node("web", children=[draw(st.sampled_from(web))]))
        else:
            children.append(_text_el(draw, name, mode))
    return Node("colophon", children=children)


colophon = functools.cache(colophon)  # one strategy object per argument tuple


@st.composite
def issue_tree(draw, mode: str, max_documents: int = 2) -> Node:
    """An <issue> tree: meta, perhaps board and colophon, sections of documents."""
    ids = _Ids(draw, mode)
    children = [draw(meta(mode))]
    if draw(st.booleans()):
        children.append(draw(board(mode)))
    if draw(st.booleans()):
        children.append(draw(colophon(mode)))
    left = max_documents
    for _ in range(draw(st.integers(1, 2)) if max_documents > 1 else 1):
        if left <= 0:
            break
        n = draw(st.integers(1, left))
        left -= n
        children.append(Node("section", [("id", ids("s"))], [
            _text_el(draw, "title", mode), *[draw(document(mode, ids)) for _ in range(n)]]))
    version = "1" if mode != "wild" or draw(st.integers(0, 20)) else draw(
        st.sampled_from(["2", "", "1 ", "01"]))
    return Node("issue", [("version", version)], children)


def case_of(tree: Node, mode: str, charrefs: bool = False, mutations: tuple = (),
            xml: bytes | None = None) -> Case:
    """Serialise `tree` (unless `xml` is given) and record what the checks need."""
    if xml is None:
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n' + serialise(tree, charrefs) +
               "\n").encode("utf-8", "surrogatepass")
    nodes = list(tree.iter())
    documents = tuple(dict(n.attrs).get("id", "") for n in nodes if n.tag == "document")
    # after a mutation the tree no longer says which figures the file has
    figures = () if mutations else tuple(
        dict(n.attrs).get("src", "") for n in nodes if n.tag == "img")
    blocks = sum(1 for n in nodes if n.tag in {"p", "h1", "h2", "h3", "h4", "table", "list",
                                              "figure", "chapter", "article", "item", "clause"})
    cells = sum(1 for n in nodes if n.tag in {"cell", "group"})
    return Case(xml, mode, documents, figures, len(tree.text()), blocks, cells, mutations)


@st.composite
def issues(draw, modes=("clean", "renderable", "wild"), max_documents: int = 2) -> Case:
    """A whole issue file in one of `modes`, sometimes with characters as references."""
    mode = draw(st.sampled_from(modes))
    tree = draw(issue_tree(mode, max_documents))
    charrefs = mode != "clean" and draw(st.integers(0, 4)) == 0
    return case_of(tree, mode, charrefs)


# ----------------------------------------------------------------------------- mutations

JUNK = [
    b"\x00", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"<", b"&", b"]]>",
    b"&x;", b"&#0;", b"&#xD800;", b"&#1114112;", b"&#x1;", b"\x1b", b"\r", b"</issue>",
    b"<!ENTITY x 'y'>",
    b"<!DOCTYPE issue [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>",
    b"<!DOCTYPE issue SYSTEM 'http://CANARY/issue.dtd'>",
    b"<?xml-stylesheet type='text/xsl' href='http://CANARY/x.xsl'?>",
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"'
    b' parse="text"/>',
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="http://CANARY/xi"/>',
    b"<![CDATA[</style>{{ 31337*3 }}]]>", b"<!-- -- -->", b"<?pi x?>",
    b'<p xmlns="http://www.w3.org/1999/xhtml">x</p>', b' xml:base="http://CANARY/"',
    b' xmlns:h="http://www.w3.org/1999/xhtml"', b"<h:script>1</h:script>",
]
ELEMENT_NAMES = ["issue", "meta", "gazette", "year", "number", "published", "section", "title",
                 "document", "body", "p", "h1", "table", "tbody", "row", "cell", "list", "item",
                 "figure", "img", "em", "br", "wbr", "signature", "date", "note", "appendix",
                 "chapter", "article", "clause", "runin", "script", "style", "html"]


def _mutate(draw, data: bytes) -> tuple[bytes, str]:
    kind = draw(st.sampled_from(["truncate", "delete", "duplicate", "flip", "insert", "swap",
                                 "rename", "encoding", "doctype-late", "attr-dup"]))
    n = len(data)
    if kind == "truncate":
        return data[:draw(st.integers(0, n))], kind
    if kind == "delete":
        i = draw(st.integers(0, n))
        return data[:i] + data[i + draw(st.integers(1, 40)):], kind
    if kind == "duplicate":
        i, j = sorted(draw(st.tuples(st.integers(0, n), st.integers(0, n))))
        k = draw(st.integers(0, n))
        return data[:k] + data[i:j][:2000] + data[k:], kind
    if kind == "flip":
        i = draw(st.integers(0, max(n - 1, 0)))
        if not data:
            return b"\x00", kind
        return data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1:], kind
    if kind == "insert":
        k = draw(st.integers(0, n))
        return data[:k] + draw(st.sampled_from(JUNK)) + data[k:], kind
    if kind in ("swap", "rename"):
        names = sorted(set(re.findall(rb"<([a-z][\w-]*)", data)))
        if not names:
            return data, kind
        a = draw(st.sampled_from(names))
        if kind == "swap":
            b = draw(st.sampled_from(names))
            tmp = b"\x00SWAP\x00"
            out = re.sub(rb"(</?)" + a + rb"\b", rb"\1" + tmp, data)
            out = re.sub(rb"(</?)" + b + rb"\b", rb"\1" + a, out)
            return out.replace(tmp, b), kind
        new = draw(st.sampled_from(ELEMENT_NAMES)).encode()
        occurrences = [m.start() for m in re.finditer(rb"<" + a + rb"\b", data)]
        at = occurrences[draw(st.integers(0, len(occurrences) - 1))]
        return data[:at + 1] + new + data[at + 1 + len(a):], kind
    if kind == "encoding":
        text = data.decode("utf-8", "replace")
        codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "gb18030", "latin-1",
                                      "utf-8-sig"]))
        return text.encode(codec, "replace"), f"{kind}:{codec}"
    if kind == "doctype-late":
        body = data.split(b"?>", 1)[-1]
        return (b'<?xml version="1.0" encoding="UTF-8"?>\n<!--' + b" " * 5000 + b"-->\n"
                b'<!DOCTYPE issue [<!ENTITY e "boom">]>' + body.replace(b"</gazette>",
                                                                      b"&e;</gazette>", 1)), kind
    # attr-dup: an attribute twice on the root
    return data.replace(b'version="1"', b'version="1" version="1"', 1), kind


@st.composite
def broken_issues(draw) -> Case:
    """A valid issue broken by one to three mutations."""
    mode = draw(st.sampled_from(["clean", "renderable"]))
    tree = draw(issue_tree(mode, 2))
    data = case_of(tree, mode).xml
    done = []
    for _ in range(draw(st.integers(1, 3))):
        data, kind = _mutate(draw, data)
        done.append(kind)
    return case_of(tree, mode, mutations=tuple(done), xml=data)


# ----------------------------------------------------------------------------- baselines

#: Page labels: digits of other scripts that str.isdigit() accepts and int() refuses, and
#: the like.
LABELS = ["1", "3", "4", "0", "-1", "²", "①", "٣", "０", "𝟙", "ⅳ", "iv", "", " 3", "3\n",
          "1e3", "99999999999", "9" * 5000, "?", "封面"]


@st.composite
def baselines(draw, documents: tuple[str, ...]) -> bytes | None:
    """A page baseline beside the issue: none, one of typeset's shape with odd page labels
    or with hostile values anywhere, or hostile JSON."""
    import json

    kind = draw(st.sampled_from(["none", "labels", "labels", "shaped", "raw"]))
    if kind == "none":
        return None
    if kind == "raw":
        return draw(st.sampled_from([
            b"", b"{", b"[" * 100_000, b"\xff\xfe{\x00}\x00", b"\xef\xbb\xbf{}", b"NaN", b"null",
            b'{"pages": 1e999}', b'"x"', b"9" * 5000, b'{"layout": "gazette", "pages": 4, '
            b'"documents": {}, "documents": []}', b"\x00" * 64]))
    values = st.one_of(st.sampled_from([4, 1, 0, -1, 10**30, 1.5, "4", True, None, [], {}]),
                       text_strategy("wild"))
    if kind == "labels":  # typeset's own shape and types; only the page labels are odd
        values = st.nothing()
    label = st.one_of(st.sampled_from(LABELS), values)
    docs = {}
    for doc_id in documents or ("d1",):
        docs[doc_id] = {"title": draw(st.one_of(text_strategy("renderable"), values)),
                        "start": draw(label), "end": draw(label)}
    data = {"layout": draw(st.one_of(st.just("gazette"), values)),
            "pages": draw(st.one_of(st.just(4), values)), "documents": docs}
    if kind == "shaped" and draw(st.integers(0, 5)) == 0:
        data[draw(text_strategy("wild"))] = draw(values)
    return json.dumps(data, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


# ----------------------------------------------------------------------------- PDFs


@st.composite
def damaged_pdfs(draw, reference: bytes, encrypted: bytes | None) -> tuple[str, bytes]:
    """The reference PDF as built, or damaged: truncated, flipped, emptied, encrypted."""
    kind = draw(st.sampled_from(["as-built", "truncate", "flip", "insert", "empty", "text",
                                 "header", "encrypted", "count", "noroot"]))
    n = len(reference)
    if kind == "as-built":
        return kind, reference
    if kind == "truncate":
        return kind, reference[:draw(st.integers(0, n - 1))]
    if kind == "flip":
        out = bytearray(reference)
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, n - 1))
            out[i] ^= 1 << draw(st.integers(0, 7))
        return kind, bytes(out)
    if kind == "insert":
        k = draw(st.integers(0, n))
        return kind, reference[:k] + draw(st.sampled_from(JUNK + [b"endobj", b"%%EOF"])) + (
            reference[k:])
    if kind == "empty":
        return kind, b""
    if kind == "text":
        return kind, "这不是PDF文件\n".encode()
    if kind == "header":
        return kind, b"%PDF-1.7\n"
    if kind == "encrypted" and encrypted:
        return kind, encrypted
    if kind == "count":
        return kind, re.sub(rb"/Count \d+", b"/Count 99999999999999999999", reference)
    return kind, reference.replace(b"/Root", b"/Rout")


def case_from_xml(xml: str, mode: str = "renderable") -> Case:
    """A case written by hand (explicit examples): what the checks need is read from it."""
    from lxml import etree

    root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False))

    def node(el) -> Node:
        children = [el.text] if el.text else []
        for child in el:
            children.append(node(child))
            if child.tail:
                children.append(child.tail)
        return Node(el.tag, list(el.attrib.items()), children)

    return case_of(node(root), mode, xml=b'<?xml version="1.0" encoding="UTF-8"?>\n' +
                   xml.encode())
