"""Word's XML vocabulary and cascade: styles, resolved properties, automatic numbering.

In: the lxml elements of a .docx's styles and numbering parts (through python-docx).
Out: for a paragraph or run, the properties Word applies once the document defaults,
the paragraph and character style chains (basedOn) and direct formatting are laid
over each other (`Styles`, `ParaProps`, `RunProps`); for a numbered paragraph, the
text of its number as Word prints it (`Numbering`: 1. 一、 （1） ① 甲 …, or a bullet).
Used by `docx_reader` only.
"""

from __future__ import annotations

import contextlib
import re

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "v": "urn:schemas-microsoft-com:vml",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
}
W = f"{{{NS['w']}}}"
R_EMBED = f"{{{NS['r']}}}embed"
R_ID = f"{{{NS['r']}}}id"
EMU_PER_PT = 12700


def local(el) -> str:
    tag = el.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def w_attr(el, name: str) -> str | None:
    return el.get(W + name)


def toggle_on(el) -> bool:
    """A toggle property (w:b, w:i …) is on unless its w:val says 0/false/off."""
    return (w_attr(el, "val") or "true").lower() not in ("0", "false", "off", "none")


def twips(value: str | None) -> float:
    try:
        return int(float(value)) / 20 if value else 0.0
    except ValueError:
        return 0.0


class Styles:
    """Word's style cascade for the properties the recogniser reads."""

    def __init__(self, document):
        self.by_id: dict[str, object] = {}
        self.default_para = ""
        self.default_rpr = None
        self.default_ppr = None
        try:
            root = document.styles.element
        except Exception:  # no styles part: Word's built-in defaults
            return
        for style in root.findall(W + "style"):
            sid = w_attr(style, "styleId") or ""
            self.by_id[sid] = style
            if w_attr(style, "type") == "paragraph" and _on_default(style):
                self.default_para = sid
        defaults = root.find(W + "docDefaults")
        if defaults is not None:
            self.default_rpr = defaults.find(f"{W}rPrDefault/{W}rPr")
            self.default_ppr = defaults.find(f"{W}pPrDefault/{W}pPr")

    def chain(self, sid: str) -> list:
        """The style and the styles it is based on, base first."""
        out = []
        seen = set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            style = self.by_id[sid]
            out.append(style)
            based = style.find(W + "basedOn")
            sid = w_attr(based, "val") if based is not None else ""
        return out[::-1]

    def name(self, sid: str) -> str:
        style = self.by_id.get(sid)
        if style is None:
            return ""
        name = style.find(W + "name")
        return (w_attr(name, "val") or "") if name is not None else ""


def _on_default(style) -> bool:
    return (w_attr(style, "default") or "").lower() in ("1", "true", "on")


class RunProps:
    """Resolved run properties, merged layer by layer."""

    __slots__ = ("font", "size", "bold", "color", "vert", "hidden")

    def __init__(self):
        self.font = ""
        self.size = 10.0  # Word's default when nothing says otherwise
        self.bold = False
        self.color = ""
        self.vert = ""
        self.hidden = False

    def copy(self) -> RunProps:
        other = RunProps()
        for slot in self.__slots__:
            setattr(other, slot, getattr(self, slot))
        return other

    def apply(self, rpr) -> None:
        if rpr is None:
            return
        for child in rpr:
            name = local(child)
            if name == "rFonts":
                face = w_attr(child, "eastAsia")
                if face:
                    self.font = face
                elif w_attr(child, "eastAsiaTheme"):
                    self.font = ""
            elif name == "sz":
                with contextlib.suppress(ValueError):
                    self.size = int(w_attr(child, "val") or "20") / 2
            elif name == "b":
                self.bold = toggle_on(child)
            elif name == "color":
                value = (w_attr(child, "val") or "").upper()
                self.color = "" if value in ("AUTO", "000000") else value
            elif name == "vertAlign":
                value = w_attr(child, "val") or ""
                self.vert = {"superscript": "sup", "subscript": "sub"}.get(value, "")
            elif name in ("vanish", "specVanish", "webHidden"):
                self.hidden = toggle_on(child)


class ParaProps:
    __slots__ = ("align", "first_line", "first_chars", "left", "left_chars", "right",
                 "right_chars", "outline", "num", "page_break", "border_below")

    def __init__(self):
        self.align = "left"
        self.first_line = 0.0
        self.first_chars: float | None = None
        self.left = 0.0
        self.left_chars: float | None = None
        self.right = 0.0
        self.right_chars: float | None = None
        self.outline: int | None = None
        self.num: tuple[str, int] | None = None
        self.page_break = False
        self.border_below = False

    def apply(self, ppr) -> None:
        if ppr is None:
            return
        for child in ppr:
            name = local(child)
            if name == "jc":
                value = w_attr(child, "val") or "left"
                self.align = {"start": "left", "end": "right", "both": "both",
                              "distribute": "distribute", "center": "center",
                              "right": "right"}.get(value, "left")
            elif name == "ind":
                self._indent(child)
            elif name == "outlineLvl":
                try:
                    level = int(w_attr(child, "val") or "9")
                    self.outline = level if level < 9 else None
                except ValueError:
                    pass
            elif name == "numPr":
                num = child.find(W + "numId")
                lvl = child.find(W + "ilvl")
                if num is not None:
                    num_id = w_attr(num, "val") or "0"
                    level = int(w_attr(lvl, "val") or "0") if lvl is not None else 0
                    self.num = None if num_id == "0" else (num_id, level)
            elif name == "pageBreakBefore":
                self.page_break = toggle_on(child)
            elif name == "pBdr":
                self.border_below = child.find(W + "bottom") is not None

    def _indent(self, ind) -> None:
        for attr in ("firstLine", "hanging"):
            value = w_attr(ind, attr)
            if value is not None:
                self.first_line = twips(value) * (-1 if attr == "hanging" else 1)
                self.first_chars = None
        for attr in ("firstLineChars", "hangingChars"):
            number = _hundredths(w_attr(ind, attr))
            if number:
                self.first_chars = -number if attr == "hangingChars" else number
        for names, target in ((("left", "start"), "left"), (("right", "end"), "right")):
            for attr in names:
                value = w_attr(ind, attr)
                if value is not None:
                    setattr(self, target, twips(value))
                    setattr(self, target + "_chars", None)
            for attr in (names[0] + "Chars", names[1] + "Chars"):
                number = _hundredths(w_attr(ind, attr))
                if number:
                    setattr(self, target + "_chars", number)


def _hundredths(value: str | None) -> float | None:
    """An indent in hundredths of a character (w:firstLineChars="200": 2 characters);
    None when absent or not a number."""
    if value is None:
        return None
    try:
        return int(value) / 100
    except ValueError:
        return None


_CN = "〇一二三四五六七八九"


def _chinese(n: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五 (counting style)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN[n]
    if n < 20:
        return "十" + (_CN[n - 10] if n > 10 else "")
    if n < 100:
        return _CN[n // 10] + "十" + (_CN[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if not rest else ("零" + _CN[rest] if rest < 10 else
                                    ("一十" + (_CN[rest - 10] if rest > 10 else "")
                                     if rest < 20 else _chinese(rest)))
        return _CN[n // 100] + "百" + tail
    return str(n)


def _roman(n: int) -> str:
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting",
               "taiwaneseCounting", "ideographLegalTraditional"):
        return _chinese(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return "甲乙丙丁戊己庚辛壬癸"[(n - 1) % 10]
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalEnclosedCircle" or fmt == "decimalEnclosedCircleChinese":
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return f"({n})"
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "none":
        return ""
    return str(n)


class Numbering:
    """Word's automatic numbering: the text of each numbered paragraph's number."""

    def __init__(self, document):
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.levels: dict[str, dict[int, tuple[int, str, str]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            part = document.part.part_related_by(
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering")
            root = part.element
        except Exception:  # no numbering part
            return
        for abstract in root.findall(W + "abstractNum"):
            aid = w_attr(abstract, "abstractNumId") or ""
            levels = {}
            for lvl in abstract.findall(W + "lvl"):
                levels[int(w_attr(lvl, "ilvl") or "0")] = self._level(lvl)
            self.levels[aid] = levels
        for num in root.findall(W + "num"):
            abstract = num.find(W + "abstractNumId")
            overrides = {}
            for override in num.findall(W + "lvlOverride"):
                start = override.find(W + "startOverride")
                if start is not None:
                    level = int(w_attr(override, "ilvl") or "0")
                    overrides[level] = int(w_attr(start, "val") or "1")
            self.nums[w_attr(num, "numId") or ""] = (
                (w_attr(abstract, "val") or "") if abstract is not None else "", overrides)

    @staticmethod
    def _level(lvl) -> tuple[int, str, str]:
        def val(name, default):
            el = lvl.find(W + name)
            return (w_attr(el, "val") if el is not None else None) or default
        try:
            start = int(val("start", "1"))
        except ValueError:
            start = 1
        return start, val("numFmt", "decimal"), val("lvlText", "")

    def text(self, num: tuple[str, int]) -> tuple[str, bool]:
        """The number or bullet of the next paragraph numbered `num` (numId, level)."""
        num_id, level = num
        if num_id not in self.nums:
            return "", False
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        if level not in levels:
            return "", False
        start, fmt, pattern = levels[level]
        if fmt == "bullet":
            return pattern, True
        counters = self.counters.setdefault(num_id, {})
        counters[level] = counters.get(level, overrides.get(level, start) - 1) + 1
        for deeper in [k for k in counters if k > level]:
            del counters[deeper]

        def number(found: re.Match) -> str:
            at = int(found[1]) - 1
            if at not in levels:
                return ""
            value = counters.get(at, overrides.get(at, levels[at][0]))
            return _format_number(value, levels[at][1] if at != level else fmt)
        return re.sub(r"%([1-9])", number, pattern), False


