"""The text patterns of GB/T 9704 公文 and of the issue format, as pure functions.

In: strings.  Out: what the string is (a heading number and its level, a 文号, a date
in Arabic or Chinese numerals, a 第X条 …) and the text with the spacing offices type
for alignment taken out.  No formatting and no DOCX here; `recognise` combines these
with what the formatting says.
"""

from __future__ import annotations

import datetime as dt
import re

#: White space typed in Word files: spaces, ideographic spaces, tabs, no-break spaces.
WS = " \t\u3000\u00a0"
_WS_RUN = re.compile(f"[{WS}]+")

_CN_NUM = "〇○零一二三四五六七八九十百千"
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

#: Heading numbers by level, as GB/T 9704 gives them: 一、 （一） 1. （1）
_LEVELS = (
    (1, re.compile(r"[一二三四五六七八九十百]+、")),
    (2, re.compile(r"[（(][一二三四五六七八九十百]+[）)]")),
    (3, re.compile(r"[0-9０-９]+[.．](?![0-9０-９])")),
    (4, re.compile(r"[（(][0-9０-９]+[）)]")),
)
#: 1、 is common for the third level too (and in notes: 注：1、…).
_LEVEL3_COMMA = re.compile(r"[0-9０-９]+、")

DOC_NUMBER = re.compile(rf"[{_HAN}A-Za-z]{{1,16}}[〔［\[（(][0-9]{{4}}[〕］\]）)][0-9]{{1,5}}号")
CHAPTER = re.compile(rf"第[{_CN_NUM}0-9]+章")
DIVISION = re.compile(rf"第[{_CN_NUM}0-9]+节")
ARTICLE = re.compile(rf"第[{_CN_NUM}0-9]+条")
DECREE_NUMBER = re.compile(rf"第[{WS}]*[{_CN_NUM}0-9]+[{WS}]*号")
APPENDIX_LABEL = re.compile(r"附[件]?[0-9０-９一二三四五六七八九十]{0,3}")
ATTACHMENT = re.compile(rf"(附件|附)[{WS}]*[：:][{WS}]*(.*)", re.S)
ATTACHMENT_NUMBER = re.compile(r"([0-9０-９]{1,2})[.．、]")
NOTE = re.compile(r"[（(][^（）()]{1,60}[）)]")
TABLE_NOTE = re.compile(r"注[：:]")
UNIT = re.compile(r"单位[：:].{1,20}")
CAPTION_FIGURE = re.compile(r"图[0-9０-９一二三四五六七八九十]*")
BULLETS = "●•·▪■◆◇○□-–—※"
SENTENCE_END = "。；！？：，"

_DATE_ARABIC = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日")
_DATE_CHINESE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                           r"([一二三四五六七八九十]{1,3})日")
_CN_DIGIT = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


def strip(text: str) -> str:
    return text.strip(WS + "\n")


def squash(text: str) -> str:
    """The text without any typed white space: for matching patterns."""
    return _WS_RUN.sub("", text).replace("\n", "")


def lead(text: str) -> float:
    """How far typed white space pushes the text in, in ems: U+3000 is one, a space
    half, a tab two (Word's default tab stops are two characters apart in 公文)."""
    width = 0.0
    for char in text:
        if char == "\u3000":
            width += 1
        elif char in " \u00a0":
            width += 0.5
        elif char == "\t":
            width += 2
        else:
            break
    return width


def unspaced(text: str) -> str:
    """Undo letter-spacing typed with spaces: 主　任 → 主任, 国 务 院 工 作 规 则 →
    国务院工作规则.  Text whose words are longer than one character keeps its spaces
    (自治区党委 人民政府 is two names)."""
    text = strip(text)
    tokens = [t for t in _WS_RUN.split(text) if t]
    if len(tokens) >= 2 and all(len(t) == 1 for t in tokens):
        return "".join(tokens)
    return text


def heading_number(text: str) -> tuple[int, str]:
    """(level, number) when `text` opens with a heading number, else (0, "")."""
    text = text.lstrip(WS)
    for level, pattern in _LEVELS:
        found = pattern.match(text)
        if found:
            return level, found[0]
    found = _LEVEL3_COMMA.match(text)
    if found:
        return 3, found[0]
    return 0, ""


def parse_date(text: str) -> tuple[dt.date, str] | None:
    """(date, style) for 2021年2月28日 ("arabic") or 二〇〇六年十二月三十日 ("chinese")."""
    text = squash(text)
    found = _DATE_ARABIC.fullmatch(text)
    if found:
        year, month, day = int(found[1]), int(found[2]), int(found[3])
        style = "arabic"
    else:
        found = _DATE_CHINESE.fullmatch(text)
        if not found:
            return None
        year = int("".join(str(_CN_DIGIT[c]) for c in found[1]))
        month, day = _cn_small(found[2]), _cn_small(found[3])
        style = "chinese"
    try:
        return dt.date(year, month, day), style
    except ValueError:
        return None


def _cn_small(text: str) -> int:
    """一 … 三十一 → 1 … 31."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[units] if units else 0)
    return _CN_DIGIT.get(text, 0) if len(text) == 1 else 0


def is_date(text: str) -> bool:
    return parse_date(text) is not None


def name_and_post(text: str) -> tuple[str, str] | None:
    """A line of a member list: 黄　卫　科技部副部长 → ("黄卫", "科技部副部长"),
    孙春兰\\t国务院副总理 → ("孙春兰", "国务院副总理"); a name alone → (name, "").
    None when the line does not read as a name and a post."""
    tokens = [t for t in _WS_RUN.split(strip(text)) if t]
    if not tokens:
        return None
    if len(tokens) >= 2 and len(tokens[0]) == 1 and len(tokens[1]) == 1:
        name, rest = tokens[0] + tokens[1], tokens[2:]
    else:
        name, rest = tokens[0], tokens[1:]
    if not re.fullmatch(rf"[{_HAN}·•]{{2,6}}", name):
        return None
    post = "".join(rest) if all(re.search(rf"[{_HAN}]", t) for t in rest) else " ".join(rest)
    if post and post[-1] in "。；":
        return None
    return name, post


def role_line(text: str) -> tuple[str, str] | None:
    """The first line of a member list's position: 主　任：孙春兰　国务院副总理 →
    ("主任", "孙春兰　国务院副总理")."""
    found = re.match(rf"([{_HAN}{WS}]{{1,9}}?)[{WS}]*[：:](.*)", strip(text), re.S)
    if not found:
        return None
    role = squash(found[1])
    if not 1 <= len(role) <= 6:
        return None
    return role, found[2]


def signatory(text: str) -> tuple[str, str] | None:
    """A decree's signatory line: 总理　李克强 → ("总理", "李克强"); 国务院总理　李　强 →
    ("国务院总理", "李强")."""
    tokens = [t for t in _WS_RUN.split(strip(text)) if t]
    if len(tokens) < 2:
        return None
    if len(tokens) >= 3 and len(tokens[-1]) == 1 and len(tokens[-2]) == 1:
        name, title = tokens[-2] + tokens[-1], tokens[:-2]
    else:
        name, title = tokens[-1], tokens[:-1]
    if not re.fullmatch(rf"[{_HAN}·]{{2,6}}", name) or len("".join(title)) > 16:
        return None
    return "".join(title), name


def chapter_heading(text: str) -> str:
    """第一章　总　则 → 第一章　总则: one ideographic space after the number, the name's
    letter-spacing taken out (the gazette prints it so)."""
    text = strip(text)
    found = re.match(rf"(第[{_CN_NUM}0-9]+[章节])[{WS}]*(.*)", text, re.S)
    if not found:
        return text
    name = unspaced(found[2])
    return found[1] + ("\u3000" + name if name else "")


def is_han(char: str) -> bool:
    return bool(re.match(f"[{_HAN}]", char))
