#!/usr/bin/env python3
"""One-off converter: seed text of 宁夏回族自治区人民政府公报 2021年第10期 -> issues/2021-10.xml.

The seed (/work/shared/seeds/000_a3db119026864abb.txt) is the text extracted from
the printed issue.  This script applies heuristics (paragraph joins across printed
column/page breaks, spacing and punctuation normalisation) plus an explicit list of
manual decisions, writes the XML, validates it against the RELAX NG schema and
checks that no wording was lost (Han character counts and the full text, seed vs XML).

The committed XML is the source of truth; this script documents how it was made.

    .venv/bin/python tools/seed2xml.py [SEED] [OUT]
"""

import collections
import re
import sys
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SEED = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/seeds/000_a3db119026864abb.txt")
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "issues" / "2021-10.xml")
SCHEMA = ROOT / "src" / "typeset" / "schema" / "issue.rng"

DOC_START = 111  # first line of document text (1-based)
REPEATED_HEADER_LINES = {542, 579, 609}  # table header rows repeated on a new printed page

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

# ---------------------------------------------------------------- text normalisation
PUNCT = str.maketrans(
    {
        "(": "（",
        ")": "）",
        ",": "，",
        ":": "：",
        ";": "；",
        "!": "！",
        "?": "？",
        "[": "〔",
        "]": "〕",
    }
)
# Real spaces kept: between joint issuers, and around the Latin word in the table note.
PROTECTED_SPACES = ["自治区党委 人民政府", "自治区党委办公厅 人民政府办公厅", "部门 and 人民银行"]


def norm(s):
    """Full-width punctuation, no stray spaces (except the protected real ones)."""
    s = s.replace("\t", " ").strip()
    keep = {}
    for i, p in enumerate(PROTECTED_SPACES):
        if p in s:
            key = f"\x00{i}\x00"
            keep[key] = p
            s = s.replace(p, key)
    s = s.translate(PUNCT)
    s = re.sub(r" +", "", s)
    for key, p in keep.items():
        s = s.replace(key, p)
    return s


def cn_date(s):
    m = re.fullmatch(r"[（(]?\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*[）)]?", s.strip())
    assert m, s
    return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"


# ---------------------------------------------------------------- paragraph joins
TERMINAL = re.compile(r"[。；：！？）〕]$")
H1 = re.compile(r"^[一二三四五六七八九十]+、")
NUMBERED = re.compile(r"^(（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+\.)")

# Lines that end a sentence but whose paragraph continues on the next printed page
# (the continuation line carries no item number and belongs to the item before).
# Keyed by the first characters of the continuation line.
FORCE_JOIN = {
    "落实国家职工医保基准费率制度",  # ndf-2021-13 （六）: its responsibility note follows
}
# Unnumbered lines that really are paragraphs of their own (checked by hand).
NO_JOIN = {
    "现将《关于深化医疗保障制度改革",
    "为认真贯彻落实",
    "为深入贯彻落实",
    "以习近平新时代",
    # sub-paragraphs of ndf-2021-15 （十三）, each with its own 〔责任单位〕
    "发展壮大脱贫地区乡村特色产业。",
    "大力支持脱贫人口稳定就业。",
    "自治区人民政府决定：",
    "聘任",
    "对自治区文史研究馆",
    "自治区人民政府批准",
    "各地、各部门要按照",
    "你厅《",
    "自治区人民政府同意",
    "为进一步加强",
    "为了加强",
    "在自治区人民政府领导下",
    "在自治区党委和人民政府领导下",
    "联席会议由",
    "联席会议设总召集",
    "联席会议根据",
    "联席会议办公室设在",
    "联席会议研究审议",
    "各成员单位要按照",
    "联席会议成员单位要按照",
}

JOINS = []  # (doc id, end of first part, start of second part)


def paragraphs(doc_id, lines):
    """Join printed lines into paragraphs; record every join."""
    out = []
    for ln in lines:
        t = norm(ln)
        if not t:
            continue
        if out:
            prev = out[-1]
            broken = not TERMINAL.search(prev) and not H1.match(prev)
            forced = any(t.startswith(k) for k in FORCE_JOIN)
            if forced or (broken and not NUMBERED.match(t)):
                JOINS.append((doc_id, prev[-12:], t[:12]))
                out[-1] = prev + t
                continue
            if broken:
                raise SystemExit(
                    f"{doc_id}: unterminated line before numbered line: {prev[-20:]} | {t[:20]}"
                )
            if not NUMBERED.match(t) and not any(t.startswith(k) for k in NO_JOIN):
                raise SystemExit(f"{doc_id}: unnumbered paragraph not reviewed: {t[:30]}")
        out.append(t)
    return out


RUNIN = re.compile(r"^(（[一二三四五六七八九十]+）[^。，；：]{1,30}。)")


def add_blocks(body, doc_id, lines):
    for t in paragraphs(doc_id, lines):
        if H1.match(t) and not t.endswith("。") and len(t) < 50:
            etree.SubElement(body, "h1").text = t
            continue
        p = etree.SubElement(body, "p")
        m = RUNIN.match(t)
        if m:
            r = etree.SubElement(p, "runin", level="2")
            r.text = m[1]
            r.tail = t[m.end() :]
        else:
            p.text = t


# ---------------------------------------------------------------- tables
def add_table(body, rows, widths, aligns, indent_rule=None):
    tbl = etree.SubElement(body, "table")
    cols = etree.SubElement(tbl, "cols")
    for w, a in zip(widths, aligns, strict=True):
        c = etree.SubElement(cols, "col", width=str(w))
        if a:
            c.set("align", a)
    thead = etree.SubElement(tbl, "thead")
    tbody = etree.SubElement(tbl, "tbody")
    ncols = len(widths)
    for i, raw in enumerate(rows):
        cells = [norm(c) for c in raw.split("\t")]
        cells += [""] * (ncols - len(cells))
        assert len(cells) == ncols, raw
        if i == 0:
            target = etree.SubElement(thead, "row")
        elif indent_rule is None and all(not c for c in cells[1:]):
            etree.SubElement(tbody, "group").text = cells[0]
            continue
        else:
            target = etree.SubElement(tbody, "row")
        for j, c in enumerate(cells):
            cell = etree.SubElement(target, "cell")
            if c:
                cell.text = c
            if j == 0 and i > 0 and indent_rule and indent_rule(c):
                cell.set("indent", "1")


# ---------------------------------------------------------------- assembly
def sub(parent, tag, text=None, **attrs):
    e = etree.SubElement(parent, tag, **attrs)
    if text is not None:
        e.text = text
    return e


def title(parent, parts, tag="title"):
    """parts: printed lines of the title; joined with <br/>."""
    e = etree.SubElement(parent, tag)
    e.text = parts[0]
    for part in parts[1:]:
        br = etree.SubElement(e, "br")
        br.tail = part
    return e


def main():
    L = SEED.read_text(encoding="utf-8").split("\n")

    def ln(n):
        return L[n - 1]

    def rng(a, b):
        return [L[i - 1] for i in range(a, b + 1)]

    def table_rows(a, b):
        """Printed rows a..b, without blank lines and repeated page headers."""
        return [ln(n) for n in range(a, b + 1) if ln(n).strip() and n not in REPEATED_HEADER_LINES]

    def title_parts(*nums):
        """Split title lines on stray spaces (printed line breaks), keeping protected spaces."""
        parts = []
        for n in nums:
            s = ln(n).strip()
            for i, p in enumerate(PROTECTED_SPACES):
                s = s.replace(p, f"\x00{i}\x00")
            for piece in s.split(" "):
                for i, p in enumerate(PROTECTED_SPACES):
                    piece = piece.replace(f"\x00{i}\x00", p)
                parts.append(norm(piece))
        return parts

    issue = etree.Element("issue", version="1")

    meta = sub(issue, "meta")
    g = sub(meta, "gazette", "宁夏回族自治区")
    sub(g, "br").tail = "人民政府公报"
    sub(meta, "overline", "宁夏回族自治区人民政府规章标准文本")
    sl = sub(meta, "slogans")
    for s in ["权威性", "法规性", "政策性", "指导性"]:
        sub(sl, "slogan", s)
    sub(meta, "frequency", "半月刊")
    sub(meta, "year", "2021")
    sub(meta, "number", "10")
    sub(meta, "cumulative", "672")
    sub(meta, "published", "2021-07-15")
    sub(meta, "issn", "1008-0783")
    sub(meta, "cn", "64-1062/D")
    cs = sub(meta, "contents-slogans")
    sub(cs, "line", "发布政令 宣传政策")
    sub(cs, "line", "指导工作 服务社会")

    board = sub(issue, "board")
    sub(board, "title", "编辑委员会")
    for role, names, note in [
        ("主任", ["房全忠"], None),
        ("副主任", ["马金元", "李英旭"], None),
        (
            "委员",
            [
                "王振家",
                "王耀武",
                "刘俊峰",
                "刘林",
                "李明",
                "杨武",
                "陆生宏",
                "陆国辉",
                "陈栋楠",
                "赵大勇",
                "姚刚",
                "淮宁民",
            ],
            "按姓氏笔画排列",
        ),
    ]:
        r = sub(board, "role", title=role)
        if note:
            r.set("note", note)
        for n in names:
            sub(r, "person", n)

    col = sub(issue, "colophon")
    sub(col, "editor-in-chief", "李明")
    eds = sub(col, "editors")
    for n in ["张伟", "徐胜利", "李宝全", "马春", "马晓菲", "申劭侃"]:
        sub(eds, "person", n)
    sub(col, "supervisor", "宁夏回族自治区人民政府办公厅")
    sub(col, "sponsor", "宁夏回族自治区人民政府办公厅")
    sub(col, "publisher", "宁夏回族自治区人民政府公报室")
    sub(col, "address", "银川市兴庆区解放西路361号自治区政府大楼10楼A1003室")
    sub(col, "postcode", "750001")
    sub(col, "phone", "（0951）6363835")
    sub(col, "fax", "（0951）6363831")
    sub(col, "email", "nxgb@nx.gov.cn")
    sub(col, "web", "http://www.nx.gov.cn")
    sub(col, "printer", "宁夏区政府办公厅机要印刷厂（有限公司）")

    def document(
        section,
        doc_id,
        title_lines,
        body_range,
        date_line=None,
        doc_number=None,
        addressee=None,
        issuers=(),
        sig_date=None,
        note=None,
    ):
        d = sub(section, "document", id=doc_id)
        title(d, title_parts(*title_lines))
        if date_line:
            sub(d, "date-line", cn_date(ln(date_line)))
        if doc_number:
            sub(d, "doc-number", norm(ln(doc_number)))
        if addressee:
            sub(d, "addressee", norm(ln(addressee)))
        body = sub(d, "body")
        if body_range:
            add_blocks(body, doc_id, rng(*body_range))
        if issuers:
            sg = sub(d, "signature")
            for n in issuers:
                sub(sg, "issuer", norm(ln(n)))
            sub(sg, "date", cn_date(ln(sig_date)))
        if note:
            sub(d, "note", norm(ln(note)))
        return d, body

    def appendix(d, title_lines, body_range=None, attachment=None):
        a = sub(d, "appendix")
        title(a, title_parts(*title_lines))
        body = sub(a, "body")
        if body_range:
            add_blocks(body, d.get("id") + "/appendix", rng(*body_range))
        if attachment:
            t = norm(ln(attachment))
            assert t.startswith("附件：")
            att = sub(a, "attachments")
            sub(att, "attachment", t[len("附件：") :])
        return a, body

    # 自治区党委 人民政府文件
    s1 = sub(issue, "section", id="dangwei-zhengfu")
    sub(s1, "title", "自治区党委 人民政府文件")
    d, _ = document(
        s1,
        "ndf-2021-13",
        [111],
        (117, 117),
        doc_number=113,
        addressee=115,
        issuers=(119, 120),
        sig_date=121,
        note=123,
    )
    appendix(d, [125], (127, 213))
    d, _ = document(
        s1, "ndf-2021-15", [215, 217], (223, 317), date_line=219, doc_number=221, note=319
    )
    appendix(d, [321], (323, 337))
    document(s1, "ndf-2021-20", [339, 341], (347, 457), date_line=343, doc_number=345, note=459)

    # 自治区人民政府文件 (heading lost in extraction; printed in the issue)
    s2 = sub(issue, "section", id="zhengfu")
    sub(s2, "title", "自治区人民政府文件")
    document(
        s2,
        "nzf-2021-15",
        [461],
        (467, 485),
        doc_number=463,
        addressee=465,
        issuers=(487,),
        sig_date=489,
        note=491,
    )
    d, _ = document(
        s2,
        "nzf-2021-18",
        [493],
        (499, 503),
        doc_number=495,
        addressee=497,
        issuers=(505,),
        sig_date=507,
        note=509,
    )
    heritage_widths, heritage_aligns = [3, 10, 9, 10], ["center", None, None, None]
    _, body = appendix(d, [511])
    add_table(body, table_rows(513, 584), heritage_widths, heritage_aligns)
    _, body = appendix(d, [586])
    add_table(body, table_rows(588, 617), heritage_widths, heritage_aligns)

    # 自治区人民政府办公厅文件
    s3 = sub(issue, "section", id="zhengfu-bangongting")
    sub(s3, "title", "自治区人民政府办公厅文件")
    d, _ = document(
        s3,
        "nzbh-2021-22",
        [619],
        (625, 627),
        doc_number=621,
        addressee=623,
        issuers=(629,),
        sig_date=630,
        note=632,
    )
    appendix(d, [634], (636, 658), attachment=660)
    d, _ = document(
        s3,
        "nzbh-2021-24",
        [662],
        (668, 670),
        doc_number=664,
        addressee=666,
        issuers=(672,),
        sig_date=674,
        note=676,
    )
    appendix(d, [678], (680, 704), attachment=706)

    # 自治区经济数据
    s4 = sub(issue, "section", id="jingji-shuju")
    sub(s4, "title", "自治区经济数据")
    d, body = document(s4, "jjzb-2021-04", [708], None)
    add_table(
        body,
        [ln(n) for n in range(710, 731)],
        [13, 5, 5, 7],
        [None, "center", "right", "right"],
        indent_rule=lambda c: not H1.match(c),
    )
    sub(body, "p", norm(ln(732)))  # 注：… printed under the table

    for e in issue.iter():
        for attr in ("text", "tail"):
            v = getattr(e, attr)
            if v and "\t" in v:
                raise SystemExit(f"tab in XML text: {v!r}")

    etree.indent(issue, space="  ")
    xml = etree.tostring(issue, encoding="UTF-8", xml_declaration=False, pretty_print=True).decode()
    OUT.write_text('<?xml version="1.0" encoding="UTF-8"?>\n' + xml, encoding="utf-8")

    check(L)


# ---------------------------------------------------------------- checks
GENERATED = ("年", "月", "日")


def render(doc_root):
    """Text of the sections' documents as printed, including layout-generated text."""
    out = []

    def walk(e):
        if e.tag == "date":
            y, m, d = e.text.split("-")
            out.append(f"{int(y)}年{int(m)}月{int(d)}日")
        elif e.tag == "date-line":
            y, m, d = e.text.split("-")
            out.append(f"（{int(y)}年{int(m)}月{int(d)}日）")
        else:
            if e.tag == "attachment":
                out.append("附件：")
            if e.text:
                out.append(e.text)
            for c in e:
                walk(c)
                if c.tail:
                    out.append(c.tail)

    for sec in doc_root.iter("section"):
        for d in sec.iter("document"):
            walk(d)
    return "".join(out)


def check(L):
    rng = etree.RelaxNG(etree.parse(str(SCHEMA)))
    doc = etree.parse(str(OUT))
    ok = rng.validate(doc)
    print("RelaxNG valid:", ok, rng.error_log if not ok else "")

    seed_lines = [L[i - 1] for i in range(DOC_START, len(L) + 1) if i not in REPEATED_HEADER_LINES]
    seed_text = "\n".join(seed_lines)
    xml_text = render(doc.getroot())
    cs = collections.Counter(HAN.findall(seed_text))
    cx = collections.Counter(HAN.findall(xml_text))
    print(
        "Han chars: seed",
        sum(cs.values()),
        "xml+generated",
        sum(cx.values()),
        "match" if cs == cx else f"MISMATCH seed-xml={cs - cx} xml-seed={cx - cs}",
    )
    # Stronger: the whole text, in order, modulo whitespace and the punctuation map.
    a = re.sub(r"\s+", "", seed_text.translate(PUNCT))
    b = re.sub(r"\s+", "", xml_text)
    if a == b:
        print("Full text (order, digits, punctuation): identical modulo whitespace/punctuation map")
    else:
        n = min(len(a), len(b))
        i = next((i for i in range(n) if a[i] != b[i]), n)
        print("Full text differs at", i, "seed:", a[i - 20 : i + 20], "xml:", b[i - 20 : i + 20])
    print(len(JOINS), "paragraph joins:")
    for j in JOINS:
        print("  {}: …{} | {}…".format(*j))


if __name__ == "__main__":
    main()
