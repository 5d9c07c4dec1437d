"""Recognise a 公文's structure: reader records → a `model.Document` and a report.

In: the `Docx` records of one file and the document's id.  Out: `Recognised`, the
document in the typeset model (the same model `typeset.parse` builds from XML), the
pictures it refers to with the names they will be written under, and the `Report`.

Steps, each on what the one before left:
1. lines    paragraphs → `Line`s; empty paragraphs (spacing) and a 红头 banner in the
            body (red, large, …文件) are set aside, a page break is kept as a cue
2. decree   a 令 head at the top: …令, 第N号, the promulgation text, the signatory
            and the date at the right
3. parts    the document and its appended parts: a part starts at a label (附件1, 附)
            above a title or table, or at a second title (centred, 2号 or 小标宋)
            after a body
4. head     per part: 文号 (…〔2021〕15号), the title (its lines joined with <br/>),
            题注 and date line (centred, in brackets), 主送 (ends with ：, no indent)
5. tail     per part, from its end: notes ((此件公开发布)), the signature (issuers and
            a date at the right), 附件 notes (附件：1.…, continuation lines)
6. body     what is between: `blocks.BodyReader`
Anything placed by position alone is reported as a guess; what is not placed stays a
plain paragraph, with a warning naming the Word paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .. import model as m
from .blocks import BodyReader
from .lines import Line, inlines, make_line
from .records import Docx, Image, Para, TableRec
from .report import Report
from .textrules import (
    APPENDIX_LABEL,
    ATTACHMENT,
    ATTACHMENT_NUMBER,
    CHAPTER,
    DECREE_NUMBER,
    DIVISION,
    DOC_NUMBER,
    NOTE,
    SENTENCE_END,
    UNIT,
    WS,
    heading_number,
    parse_date,
    signatory,
    squash,
    strip,
    unspaced,
)

Item = Line | TableRec

_NOTE_WORDS = ("此件", "本件", "本文", "公开", "删减", "发布", "印发", "存档", "联系人")


@dataclass
class Recognised:
    """A recognised document, the pictures to write beside it, and the report."""

    document: m.Document
    figures: list[tuple[str, Image]] = field(default_factory=list)
    report: Report = field(default_factory=Report)


def recognise(docx: Docx, doc_id: str) -> Recognised:
    """Recognise the document held by `docx`; `doc_id` becomes its id (and names its
    pictures: <id>-1.png …)."""
    return _Recogniser(docx, doc_id).run()


class _Recogniser:
    def __init__(self, docx: Docx, doc_id: str):
        self.docx = docx
        self.doc_id = doc_id
        self.report = Report()
        self.figures: list[tuple[str, Image]] = []
        self.names: dict[int, str] = {}
        self.items: list[Item] = []
        self.body_size = 16.0
        self.body_face = "fang"

    # ------------------------------------------------------------------ 1. lines

    def run(self) -> Recognised:
        self._lines()
        decree, start = self._decree()
        parts = self._parts(start, main_has_title=False)
        body_reader = BodyReader(self.report, self.body_size, self.body_face, self._figure,
                                 self.docx.images, self.docx.text_width)
        built = [self._part(items, body_reader, main=n == 0) for n, items in enumerate(parts)]
        main, appendices = built[0], built[1:]
        document = m.Document(**{k: v for k, v in main.items() if k != "kind"},
                              decree=decree, id=self.doc_id,
                              appendices=tuple(m.Part(**p) for p in appendices))
        for note in self.docx.notes:
            self.report.warn(0, "", note)
        return Recognised(document, self.figures, self.report)

    def _lines(self) -> None:
        empties = 0
        page_break = False
        for block in self.docx.blocks:
            if isinstance(block, Para):
                line = make_line(block)
                if line.empty:
                    empties += 1
                    page_break = page_break or block.page_break
                    continue
                if page_break and not block.page_break:
                    line.para = _with_break(block)
                self.items.append(line)
            else:
                if page_break and not block.page_break:
                    block = TableRec(block.index, block.first_para, block.widths, block.rows,
                                     True)
                self.items.append(block)
            page_break = False
        sizes: Counter = Counter()
        faces: Counter = Counter()
        for line in self.items:
            if isinstance(line, Line):
                sizes[line.size] += len(line.body)
                faces[line.face] += len(line.body)
        if sizes:
            self.body_size = sizes.most_common(1)[0][0]
            self.body_face = faces.most_common(1)[0][0]
        if self.docx.headers:
            self.report.aside.append("headers and footers (" + ", ".join(
                repr(h[:20]) for h in self.docx.headers) + ")")
        if empties:
            self.report.aside.append(f"{empties} empty paragraphs (spacing)")
        while self.items and isinstance(self.items[0], Line) and self._banner(self.items[0]):
            banner = self.items.pop(0)
            self.report.aside.append(f"红头 banner ¶{banner.index} {banner.body[:20]!r}")

    def _banner(self, line: Line) -> bool:
        """The 发文机关标志 at the top of the first page: …文件, centred (red and large
        when set as GB/T 9704 sets it; a title never ends in 文件)."""
        text = squash(line.body)
        return (line.align == "center" and len(text) <= 40
                and (text.endswith("文件") or text.endswith("文件)")))

    def title_like(self, item: Item) -> bool:
        """Set as GB/T 9704 sets a title: centred, 2号 or 小标宋."""
        return (isinstance(item, Line) and item.align == "center" and len(item.body) <= 120
                and not item.red and (item.size >= self.body_size + 3 or item.face == "title"))

    def title_at(self, items: list[Item], i: int) -> str:
        """"strong" for a line set as a title, "weak" for a short centred line in bold
        or a little larger (as offices that skip GB/T 9704 set titles) that is not a
        heading nor the caption of a table below it, else ""."""
        item = items[i]
        if self.title_like(item):
            return "strong"
        if not isinstance(item, Line) or item.align != "center" or item.red:
            return ""
        text = strip(item.body)
        if (len(text) > 60 or text[-1:] in SENTENCE_END or heading_number(text)[0]
                or CHAPTER.match(squash(text)) or DIVISION.match(squash(text))
                or not (item.bold or item.size >= self.body_size + 1)):
            return ""
        above = items[i - 1] if i else None
        opens_part = item.page_break or (isinstance(above, Line) and self.is_label(above))
        below = items[i + 1:i + 3]
        if not opens_part and below and (isinstance(below[0], TableRec) or (
                len(below) == 2 and isinstance(below[1], TableRec)
                and UNIT.fullmatch(squash(getattr(below[0], "body", ""))))):
            return ""
        return "weak"

    # ------------------------------------------------------------------ 2. decree

    def _decree(self) -> tuple[m.Decree | None, int]:
        items = self.items
        i = 0
        name = ""
        if not items or not isinstance(items[0], Line):
            return None, 0
        first = items[0]
        if squash(first.body).endswith("令") and len(squash(first.body)) <= 30 and (
                first.align == "center" or first.red):
            name = squash(first.body)
            i = 1
        if i >= len(items) or not isinstance(items[i], Line):
            return None, 0
        number_line = items[i]
        if not DECREE_NUMBER.fullmatch(squash(number_line.body)):
            return None, 0
        number = squash(number_line.body)
        i += 1
        paragraphs: list[m.Paragraph] = []
        signatories: list[m.Signatory] = []
        used = [first.index, number_line.index] if name else [number_line.index]
        while i < len(items) and isinstance(items[i], Line):
            line = items[i]
            if line.pushed_right and parse_date(line.body):
                date, style = parse_date(line.body)
                if not paragraphs or not signatories:
                    break
                self.report.add("decree", [*used, line.index], "sure" if name else "likely",
                                f"{name}{number}")
                self.report.add("signatory", [s.line for s in signatories], "sure",
                                "; ".join(f"{s.title} {s.name}" for s in signatories))
                decree = m.Decree(number=number, paragraphs=tuple(paragraphs),
                                  signatories=tuple(signatories), date=date, date_style=style,
                                  name=name)
                return decree, i + 1
            found = signatory(line.body) if line.pushed_right else None
            if found:
                signatories.append(m.Signatory(found[0], found[1], line.index))
            elif not signatories and not self.title_like(line):
                paragraphs.append(m.Paragraph(inlines(line, base=self.body_face)))
            else:
                break
            used.append(line.index)
            i += 1
        self.report.warn(number_line.index, number_line.body,
                         "looks like a 令 number, but no promulgation text, signatory and "
                         "date follow at the right; read as ordinary text")
        return None, 0

    # ------------------------------------------------------------------ 3. parts

    def _parts(self, start: int, main_has_title: bool) -> list[list[Item]]:
        parts: list[list[Item]] = [[]]
        has_title = main_has_title
        has_body = False
        items = self.items
        i = start
        while i < len(items):
            item = items[i]
            following = items[i + 1] if i + 1 < len(items) else None
            if (isinstance(item, Line) and self.is_label(item) and following is not None
                    and (self.title_at(items, i + 1) or isinstance(following, TableRec))
                    and (has_body or has_title)):
                parts.append([item])
                has_title, has_body = False, False
                i += 1
                continue
            kind = self.title_at(items, i)
            if kind == "strong" or kind == "weak" and (item.page_break or not has_title):
                if has_title and has_body and (kind == "strong" or item.page_break):
                    parts.append([])
                    has_body = False
                has_title = True
                while i < len(items) and self.title_at(items, i) == kind:
                    parts[-1].append(items[i])
                    i += 1
                continue
            parts[-1].append(item)
            if has_title:
                has_body = True
            i += 1
        return [p for p in parts if p] or [[]]

    @staticmethod
    def is_label(line: Line) -> bool:
        text = squash(line.body)
        return (len(text) <= 5 and bool(APPENDIX_LABEL.fullmatch(text))
                and line.align in ("left", "right") and line.indent < 1.5)

    # ------------------------------------------------------------------ 4. head

    def _part(self, items: list[Item], body_reader: BodyReader, *, main: bool) -> dict:
        fields: dict = {}
        pos = 0
        if items and isinstance(items[0], Line) and self.is_label(items[0]) and not main:
            fields["label"] = squash(items[0].body)
            self.report.add("label", [items[0].index], "sure", fields["label"])
            pos = 1
        pos = self._head(items, pos, fields, main)
        end = self._tail(items, pos, fields)
        body = body_reader.blocks(items[pos:end])
        if "title" not in fields:  # a head without a title: its lines stay text
            head = []
            if "doc_number" in fields:
                head.append(fields.pop("doc_number"))
            if "title_note" in fields:
                head.append(m.plain(fields.pop("title_note")))
            if "date_line" in fields:
                date = fields.pop("date_line")
                head.append(f"（{m.cn_date(date, fields.pop('date_line_style', 'arabic'))}）")
            body = (*(m.Paragraph((m.Inline("text", t),), align="center") for t in head), *body)
        if not body:
            body = (m.Paragraph(()),)
            where = items[pos].index if pos < len(items) and isinstance(items[pos], Line) else 0
            self.report.warn(where, "", "a part without body text: an empty paragraph "
                             "stands for it")
        fields["body"] = body
        return fields

    def _head(self, items: list[Item], pos: int, fields: dict, main: bool) -> int:
        title_lines: list[Line] = []
        kind = ""
        while pos < len(items) and isinstance(items[pos], Line):
            line = items[pos]
            text = squash(line.body)
            if DOC_NUMBER.fullmatch(text) and "doc_number" not in fields:
                fields["doc_number"] = text
                self.report.add("doc-number", [line.index],
                                "sure" if line.align == "center" else "likely", text)
                pos += 1
            elif not title_lines and (kind := self.title_at(items, pos)):
                while pos < len(items) and self.title_at(items, pos) == kind:
                    title_lines.append(items[pos])
                    pos += 1
            elif title_lines and line.align == "center" and _bracketed(strip(line.body)):
                inner = strip(line.body)[1:-1]
                date = parse_date(inner)
                if date and "date_line" not in fields:
                    fields["date_line"], fields["date_line_style"] = date
                    self.report.add("date-line", [line.index], "sure", line.body)
                elif not date and "title_note" not in fields:
                    fields["title_note"] = inlines(line, base=line.face)
                    self.report.add("title-note", [line.index], "sure", line.body)
                else:
                    break
                pos += 1
            else:
                break
        guessed = False
        if not title_lines:
            title_lines = self._title_fallback(items, pos, main)
            pos += len(title_lines)
            guessed = True
        if title_lines:
            fields["title"] = self._title(title_lines, main, guessed, kind == "weak")
        elif main:
            fields["title"] = (m.Inline("text", self.doc_id),)
            self.report.warn(0, "", "no title found: the document's id stands for it; "
                             "write the title in")
        if pos < len(items) and isinstance(items[pos], Line):
            line = items[pos]
            text = strip(line.body)
            if (text and text[-1] in "：:" and line.indent < 1 and line.align == "left"
                    and not heading_number(text)[0] and not ATTACHMENT.match(text)
                    and len(text) <= 400):
                fields["addressee"] = inlines(line, base=self.body_face)
                self.report.add("addressee", [line.index], "sure", text)
                pos += 1
        return pos

    def _title_fallback(self, items: list[Item], pos: int, main: bool) -> list[Line]:
        """No centred large line: a short centred line at the start stands for the title."""
        if pos < len(items) and isinstance(items[pos], Line):
            line = items[pos]
            if line.align == "center" and len(line.body) <= 60 and line.body[-1:] not in "。；":
                return [line]
        return []

    def _title(self, lines: list[Line], main: bool, guessed: bool,
               weak: bool) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        for n, line in enumerate(lines):
            if n:
                out.append(m.Inline("br"))
            for node in inlines(line, breaks=True, base=line.face, base_bold=line.bold):
                if node.kind == "text":
                    node = m.Inline("text", _title_text(node.text))
                out.append(node)
        sure = not weak and all(ln.face == "title" and ln.size >= self.body_size + 3
                                for ln in lines)
        breaks = sum(1 for n in out if n.kind == "br")
        text = m.plain(tuple(out), breaks="\n")
        self.report.add("title" if main else "appendix", [ln.index for ln in lines],
                        "guess" if guessed else "sure" if sure else "likely",
                        f"{text} ({breaks + 1} lines)" if breaks else text)
        return tuple(out)

    # ------------------------------------------------------------------ 5. tail

    def _tail(self, items: list[Item], pos: int, fields: dict) -> int:
        end = len(items)
        notes: list[Line] = []
        while end > pos and self._is_note(items[end - 1]):
            notes.insert(0, items[end - 1])
            end -= 1
        end = self._signature(items, pos, end, fields)
        end = self._attachments(items, pos, end, fields)
        if notes:
            fields["notes"] = tuple(inlines(n, base=self.body_face) for n in notes)
            for note in notes:
                sure = any(word in note.body for word in _NOTE_WORDS)
                self.report.add("note", [note.index], "sure" if sure else "likely", note.body)
        return end

    @staticmethod
    def _is_note(item: Item) -> bool:
        if not isinstance(item, Line):
            return False
        text = strip(item.body)
        return (bool(NOTE.fullmatch(text)) and len(text) <= 40 and item.align != "center"
                and not parse_date(text[1:-1]))

    def _signature(self, items: list[Item], pos: int, end: int, fields: dict) -> int:
        if end <= pos or not isinstance(items[end - 1], Line):
            return end
        last = items[end - 1]
        date = parse_date(last.body)
        if not date or not (last.pushed_right or last.align == "right"):
            return end
        issuers: list[Line] = []
        k = end - 1
        while k > pos and len(issuers) < 6:
            line = items[k - 1]
            if not (isinstance(line, Line) and line.pushed_right and len(squash(line.body)) <= 40
                    and line.body[-1:] not in SENTENCE_END and not parse_date(line.body)):
                break
            issuers.insert(0, line)
            k -= 1
        if not issuers:
            self.report.warn(last.index, last.body, "a date at the right with no issuer above "
                             "it: kept as a right-aligned paragraph")
            return end
        names = tuple(unspaced(line.body) for line in issuers)
        fields["signature"] = m.Signature(issuers=names, date=date[0], date_style=date[1])
        when = date[0].isoformat() + (" (Chinese numerals)" if date[1] == "chinese" else "")
        self.report.add("signature", [ln.index for ln in [*issuers, last]], "sure",
                        "; ".join([*names, when]))
        return k

    def _attachments(self, items: list[Item], pos: int, end: int, fields: dict) -> int:
        for k in range(end - 1, max(pos, end - 30) - 1, -1):
            line = items[k]
            if not isinstance(line, Line):
                return end
            found = ATTACHMENT.match(strip(line.body))
            if found:
                break
            if not self._continues(line):
                return end
        else:
            return end
        lines = items[k:end]
        names = [strip(found[2])] + [strip(line.body) for line in lines[1:]]
        if len(names) > 1:  # the print numbers several names: the typed numbers go
            names = [ATTACHMENT_NUMBER.sub("", name, count=1) for name in names]
        kept = [(line, name) for line, name in zip(lines, names, strict=True) if name]
        if not kept:  # 附件： alone, with nothing after it
            return end
        names = [name for _, name in kept]
        nodes = []
        for line, name in kept:
            skip = len(strip(line.body)) - len(name)
            nodes.append(inlines(line, skip=skip, base=self.body_face))
        fields["attachments"] = tuple(nodes)
        if found[1] != m.ATTACHMENT_LABEL:
            fields["attachments_label"] = found[1]
        self.report.add("attachments", [ln.index for ln in items[k:end]],
                        "sure" if items[k].indent >= 1 else "likely",
                        f"{found[1]}: " + "; ".join(names))
        return k

    @staticmethod
    def _continues(line: Line) -> bool:
        """A continuation line of the 附件 note: numbered (2.…), or set in under the name."""
        text = strip(line.body)
        return bool(ATTACHMENT_NUMBER.match(text)) and line.indent >= 1.5 and len(text) <= 80

    # ------------------------------------------------------------------ pictures

    def _figure(self, image: int) -> str:
        """The file name a picture is written under: <id>-<n>.<kind>, "" when the picture
        is in a format the build cannot print (EMF, WMF, TIFF …)."""
        if image in self.names:
            return self.names[image]
        picture = self.docx.images[image]
        if not picture.kind:
            self.names[image] = ""
            return ""
        suffix = "jpg" if picture.kind == "jpeg" else picture.kind
        name = f"{self.doc_id}-{len(self.figures) + 1}.{suffix}"
        self.figures.append((name, picture))
        self.names[image] = name
        return name


def _bracketed(text: str) -> bool:
    """（…） as a whole: a 题注 or a date line under the title."""
    return len(text) >= 3 and text[0] in "（(" and text[-1] in "）)"


def _with_break(para: Para) -> Para:
    from dataclasses import replace

    return replace(para, page_break=True)


def _title_text(text: str) -> str:
    """A title line's text: letter-spacing typed into a short line taken out
    (国 务 院 工 作 规 则 → 国务院工作规则), real spaces kept (自治区党委 人民政府)."""
    return unspaced(text) if re.search(f"[{WS}]", text) else text
