"""The rules of Chinese text layout that typeset applies (W3C clreq, GB/T 15834),
as data and pure functions: character classes, where a line may break, which marks
pair up and are compressed, the order in which a tight line halves its marks, how
loose a justified line may be.

In: characters and strings.  Out: classes, indexes, booleans.  No WeasyPrint (or any
layout) import: the layout engine (`typeset.cjk`), the composer (`typeset.compose`,
title balancing) and the typography check (`typeset.typocheck`) share these rules,
so what the engine does and what the check measures cannot drift apart.
"""

from __future__ import annotations

import re
from bisect import bisect_right

# -- Character classes --------------------------------------------------------

#: Full-width marks whose blank half is on the right (GB style, zh-Hans fonts).
CLOSE_LIKE = frozenset("、，。．：；！？）］｝〕〗】》〉」』”’｠")
#: Full-width marks whose blank half is on the left.
OPEN_LIKE = frozenset("（［｛〔〖【《〈「『“‘｟")
#: Never at a line start: closing marks and the 间隔号 (interpunct) in its forms,
#: including the bullet • that web texts use for it (大连重工•起重集团).
NO_LINE_START = CLOSE_LIKE | frozenset("·・‧•")
#: Never at a line end.
NO_LINE_END = OPEN_LIKE
#: Two-em dashes and ellipses: never split, never at a line start.
DASHES = frozenset("—―⸺⸻")
ELLIPSES = frozenset("…⋯")
_PAIRABLE = CLOSE_LIKE | OPEN_LIKE


def _char_class(chars) -> str:
    return "[" + "".join(re.escape(char) for char in sorted(chars)) + "]"


_PAIR_RE = re.compile(
    f"(?={_char_class(CLOSE_LIKE)}{_char_class(_PAIRABLE)}"
    f"|{_char_class(_PAIRABLE)}{_char_class(OPEN_LIKE)})")
_HAN_CLASS = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3007\U00020000-\U0003ffff]"
_SPACES = frozenset(" \u00a0")
_OBJECT = "\ufffc"  # stands for an atomic inline box in a line


def is_han(char: str) -> bool:
    """Han ideograph (or kana), the "Han" side of Han–Latin spacing."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x3FFFF or 0xF900 <= code <= 0xFAFF
        or 0x3040 <= code <= 0x30FF or code == 0x3007)


def is_wide(char: str) -> bool:
    """Character set on the CJK em grid (ideographs, kana, full-width marks)."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0xA4CF or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF or 0xFE30 <= code <= 0xFE4F
        or 0xFF01 <= code <= 0xFF60 or 0xFFE0 <= code <= 0xFFE6
        or 0x20000 <= code <= 0x3FFFF or char in "“”‘’—―…⋯⸺⸻")


def is_latin_alnum(char: str) -> bool:
    """Latin (or Greek, Cyrillic) letter or digit: the "Latin" side."""
    return char.isalnum() and ord(char) < 0x0530


def _is_digit(char: str) -> bool:
    return "0" <= char <= "9" or "０" <= char <= "９"


def no_break_between(before: str, after: str) -> bool:
    """True when clreq (GB style) forbids a line break between two characters."""
    return (
        after in NO_LINE_START or before in NO_LINE_END
        or after in DASHES or after in ELLIPSES
        or (_is_digit(before) and is_han(after)))


def justification_weight(char: str) -> int:
    """1 if the character takes justification spacing on both sides, else 0."""
    if char in _SPACES or char == _OBJECT:
        return 1
    if char in DASHES or char in ELLIPSES:
        return 0
    return 1 if is_wide(char) else 0


def pair_halts(text: str) -> set[int]:
    """Indexes of the marks to set half-width in adjacent full-width pairs.

    Of two adjacent marks, the first loses its blank half if that half is on
    its right (。” ）、 ，“), otherwise the second if its blank half is on its
    left (“（): the blank halves that face each other are removed.
    """
    halts = set()
    for match in _PAIR_RE.finditer(text):
        i = match.start()
        halts.add(i if text[i] in CLOSE_LIKE else i + 1)
    return halts


#: Justification may reduce before it expands: a line that is loose by more than this
#: (em between two characters) takes more text if halving its punctuation makes it fit.
LOOSE_EM = 0.15


def squeeze_order(text: str, halts: set[int]) -> list[int]:
    """The marks of `text` that may still be set half-width to make room in a line, in
    the order clreq takes them: closing marks (、，。：；）》” …) from the line's end
    backwards, then opening marks (（《“ …) from the end backwards.  A mark already in
    `halts` (an adjacent pair, the line-end mark) is not taken twice."""
    closing = [i for i in range(len(text) - 1, -1, -1)
               if text[i] in CLOSE_LIKE and i not in halts]
    opening = [i for i in range(len(text) - 1, -1, -1)
               if text[i] in OPEN_LIKE and i not in halts]
    return closing + opening


def squeeze(text: str, halts: set[int], over: float, half: float) -> set[int] | None:
    """`halts` with enough more marks of `text` (in `squeeze_order`) to take back
    `over` px, each giving `half` px; None when the marks cannot give that much."""
    if over <= 0:
        return set(halts)
    order = squeeze_order(text, halts)
    needed = int(over // half) + 1
    if needed > len(order):
        return None
    return set(halts) | set(order[:needed])


def han_latin_boundaries(text: str) -> list[int]:
    """Indexes i where text[i] and text[i + 1] are Han and Latin (any order)."""
    return [
        i for i in range(len(text) - 1)
        if (is_han(text[i]) and is_latin_alnum(text[i + 1]))
        or (is_latin_alnum(text[i]) and is_han(text[i + 1]))]


_CONTENT_RE = re.compile(r"[\w\u3400-\u9fff\U00020000-\U0003ffff]")


def content_length(text: str, start: int = 0, limit: int | None = None) -> int:
    """Number of characters that are not punctuation or spaces.

    Counts from ``text[start]`` on without copying the text, and stops at
    ``limit`` when given (so asking whether the rest of a long paragraph holds
    exactly one such character costs a few characters, not the paragraph).
    """
    if limit is None:
        return len(_CONTENT_RE.findall(text, start))
    count = 0
    for _ in _CONTENT_RE.finditer(text, start):
        count += 1
        if count >= limit:
            break
    return count


#: Texts at least this long get a byte-offset index (see :func:`char_index`).
_INDEXED_LENGTH = 1024
_INDEX_BLOCK = 256  # characters between two checkpoints of the index
_INDEXES: dict[int, tuple[str, bytes, list[int]]] = {}


def char_index(text: str, byte_index: int) -> int:
    """Index in ``text`` of the character at UTF-8 byte offset ``byte_index``.

    WeasyPrint counts the text of a box already set in bytes (``skip``,
    ``resume_at``). Encoding the whole text to convert costs its length on
    every line of a paragraph, so long texts get a reusable index: their
    encoding and the byte offset of every 256th character (for the last few
    texts asked about). ``byte_index`` must fall between two characters.
    """
    if len(text) < _INDEXED_LENGTH:
        return len(text.encode()[:byte_index].decode())
    entry = _INDEXES.get(id(text))
    if entry is None or entry[0] is not text:
        if len(_INDEXES) >= 8:
            _INDEXES.clear()
        checkpoints = [0]
        for start in range(0, len(text), _INDEX_BLOCK):
            checkpoints.append(
                checkpoints[-1] + len(text[start:start + _INDEX_BLOCK].encode()))
        entry = _INDEXES[id(text)] = (text, text.encode(), checkpoints)
    _, encoded, checkpoints = entry
    block = min(bisect_right(checkpoints, byte_index) - 1, len(checkpoints) - 2)
    start = checkpoints[block]
    return block * _INDEX_BLOCK + len(encoded[start:byte_index].decode())


# -- State and WeasyPrint internals --------------------------------------------
