#!/usr/bin/env python3
"""One-off converter: the ten State Council seed texts -> issues/guowuyuan-2018-36.xml.

The seeds (../shared/seeds/govcn/*.txt, format in their README) are the web edition
of ten documents.  This script reads their structure from the text (<C>/<R> lines,
tables with spans, 第X条 articles, 第X章 chapters, 一、 headings, the member list) with
one function per document where a document has a shape of its own, and writes the
issue with the meta and colophon assumed in issues/README.md.  The committed XML is
the source of truth; this script documents how it was made, and
tests/test_completeness.py checks that it holds every character of every seed.

    .venv/bin/python tools/govcn2xml.py [SEEDS] [OUT]
"""

import html
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared" / "seeds" / "govcn")
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else ROOT / "issues" / "guowuyuan-2018-36.xml")

HEAD_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- A sample issue in the style of 中华人民共和国国务院公报, made of the ten real State
     Council documents in ../shared/seeds/govcn (1996-2018, as published on the
     central government's website).  The documents are real and complete; the issue
     that holds them is not: no printed number of the gazette held these ten together.
     Its number, date and colophon are modelled on the real gazette and are
     assumptions, listed in issues/README.md. -->
<issue version="1">
  <meta>
    <gazette>中华人民共和国<br/>国务院公报</gazette>
    <frequency>旬刊</frequency>
    <year>2018</year>
    <number format="{year}年第{number}号">36</number>
    <published>2018-12-30</published>
    <issn>1004-3438</issn>
  </meta>
  <colophon>
    <supervisor>国务院办公厅</supervisor>
    <sponsor>国务院办公厅</sponsor>
    <publisher>中华人民共和国国务院公报编辑部</publisher>
    <web>http://www.gov.cn</web>
  </colophon>
"""


CN = "〇○零一二三四五六七八九十"


def esc(s):
    return html.escape(s, quote=False)


def cn_date(s):
    s = s.strip()
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", s)
    if m:
        return f"<date>{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}</date>"
    m = re.fullmatch(
        r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]+)月([一二三四五六七八九十]+)日", s
    )
    if m:
        d = {c: i for i, c in enumerate("〇一二三四五六七八九")}
        d["○"] = 0
        d["零"] = 0
        y = "".join(str(d[c]) for c in m[1])

        def n(t):
            if t == "十":
                return 10
            if t.startswith("十"):
                return 10 + d[t[1]]
            if t.endswith("十"):
                return 10 * d[t[0]]
            if "十" in t:
                return 10 * d[t[0]] + d[t[2]]
            return d[t]

        return f'<date style="chinese">{y}-{n(m[2]):02d}-{n(m[3]):02d}</date>'
    return None


def cell(c):
    attrs = ""
    while True:
        m = re.match(r"\{([cr])(\d+)\}", c)
        if not m:
            break
        attrs += f' {"colspan" if m[1] == "c" else "rowspan"}="{m[2]}"'
        c = c[m.end() :]
    c = c.strip()
    return (
        f"<cell{attrs}>" + "<br/>".join(esc(x) for x in c.split("/")) + "</cell>"
        if c
        else f"<cell{attrs}/>"
    )


def ncols(first):
    n = 0
    for c in first:
        m = re.search(r"\{c(\d+)\}", c)
        n += int(m[1]) if m else 1
    return n


def colspec(cells):
    """Column widths and alignment: numbers centred, a trailing 说明 column left."""
    n = ncols(cells[0])
    last_is_text = "说" in cells[0][-1]
    specs = []
    for i in range(n):
        if i == 0:
            specs.append((2, "center"))
        elif last_is_text and i == n - 1:
            specs.append((4 if n <= 4 else 3, None))
        else:
            specs.append((3 if n <= 4 else 2.6, "center"))
    return "".join(f'<col width="{w}"' + (f' align="{a}"' if a else "") + "/>" for w, a in specs)


def table(rows, ind, unit=None):
    cells = [r.split(" | ") for r in rows]
    head = 2 if any("{r2}" in c for c in cells[0]) else 1
    out = [f"{ind}<table>"]
    if unit:
        out.append(f"{ind}  <unit>{esc(unit)}</unit>")
    out.append(f"{ind}  <cols>{colspec(cells)}</cols>")
    out.append(f"{ind}  <thead>")
    for r in cells[:head]:
        out.append(f"{ind}    <row>" + "".join(cell(c) for c in r) + "</row>")
    out.append(f"{ind}  </thead>\n{ind}  <tbody>")
    for r in cells[head:]:
        out.append(f"{ind}    <row>" + "".join(cell(c) for c in r) + "</row>")
    out.append(f"{ind}  </tbody>\n{ind}</table>")
    return out


IND = "      "  # document child indent


def seed(name):
    f = next(SEEDS.glob(name + "*.txt"))
    return f.read_text(encoding="utf-8").split("# ----\n", 1)[1].rstrip("\n").split("\n")


def strip(line):
    return line[3:].strip() if line[:3] in ("<C>", "<R>") else line.strip()


def title(lines):
    """Title lines joined by <br/>; the spaces the web edition uses to spread a short
    line (土 地 使 用) are presentation, not text."""
    return "<br/>".join(
        esc(re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", strip(line))) for line in lines
    )


RUNIN1 = re.compile(r"^([一二三四五六七八九十]+、[^。]{2,40}?。)(.+)$")
RUNIN2 = re.compile(r"^(（[一二三四五六七八九十]+）[^。，；]{2,30}?。)(.+)$")


def para(line, ind, runin=0):
    line = line.strip()
    if runin >= 1:
        m = RUNIN1.match(line)
        if m:
            return f'{ind}<p><runin level="1">{esc(m[1])}</runin>{esc(m[2])}</p>'
    if runin >= 2:
        m = RUNIN2.match(line)
        if m:
            return f'{ind}<p><runin level="2">{esc(m[1])}</runin>{esc(m[2])}</p>'
    return f"{ind}<p>{esc(line)}</p>"


def body(lines, ind=IND + "  ", runin=0, h1=False):
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line == "[表格开始]":
            j = lines.index("[表格结束]", i)
            out += table(lines[i + 1 : j], ind)
            i = j + 1
            continue
        if h1 and re.match(r"^[一二三四五六七八九十]+、[^。]{2,20}$", line):
            out.append(f"{ind}<h1>{esc(line)}</h1>")
        else:
            out.append(para(line, ind, runin))
        i += 1
    return out


def signature(issuers, date, ind=IND):
    out = [f"{ind}<signature>"]
    out += [f"{ind}  <issuer>{esc(strip(x))}</issuer>" for x in issuers]
    out.append(f"{ind}  {cn_date(strip(date))}")
    out.append(f"{ind}</signature>")
    return out


def doc_head(src, id, kind, ntitle):
    """A document's opening lines: its title (the first `ntitle` lines of `src`), its
    文号 (the next) and its addressee (the one after)."""
    return [
        f'    <document id="{id}" kind="{kind}">',
        f"{IND}<title>{title(src[0:ntitle])}</title>",
        f"{IND}<doc-number>{esc(strip(src[ntitle]))}</doc-number>",
        f"{IND}<addressee>{esc(src[ntitle + 1])}</addressee>",
    ]


def simple(name, id, kind, ntitle, runin=0, h1=False):
    src = seed(name)
    t, src = src[:ntitle], src[ntitle:]
    num, src = strip(src[0]), src[1:]
    out = [
        f'    <document id="{id}" kind="{kind}">',
        f"{IND}<title>{title(t)}</title>",
        f"{IND}<doc-number>{esc(num)}</doc-number>",
    ]
    if src[0].endswith("："):
        out.append(f"{IND}<addressee>{esc(src[0])}</addressee>")
        src = src[1:]
    r = next(i for i, line in enumerate(src) if line.startswith("<R>"))
    out += [f"{IND}<body>"] + body(src[:r], runin=runin, h1=h1) + [f"{IND}</body>"]
    out += signature([src[r]], src[r + 1])
    for n in src[r + 2 :]:
        out.append(f"{IND}<note>{esc(n)}</note>")
    out.append("    </document>")
    return out


def articles(lines, ind):
    """第X条 lines open an article; （一） and 1. lines are items of the last clause;
    any other line is a new clause (款)."""
    out = []
    clause_open = False

    def close():
        nonlocal clause_open
        if clause_open:
            out.append(f"{ind}    </clause>")
            clause_open = False

    art_open = False
    for line in lines:
        m = re.match(r"^(第[一二三四五六七八九十百]+条)　(.*)$", line)
        if m:
            close()
            if art_open:
                out.append(f"{ind}</article>")
            out.append(f"{ind}<article>")
            art_open = True
            out.append(f"{ind}  <num>{m[1]}</num>")
            out.append(f"{ind}  <clause>{esc(m[2])}")
            clause_open = True
            continue
        if re.match(r"^(（[一二三四五六七八九十]+）|\d+\.)", line):
            assert clause_open, line
            out.append(f"{ind}    <item>{esc(line)}</item>")
            continue
        close()
        out.append(f"{ind}  <clause>{esc(line)}")
        clause_open = True
    close()
    out.append(f"{ind}</article>")
    # single-line clauses without items: join
    text = "\n".join(out)
    text = re.sub(r"<clause>([^\n]*)\n\s*</clause>", r"<clause>\1</clause>", text)
    return text.split("\n")


def doc33():
    src = seed("33_")
    sig = strip(src[3]).split("　　")
    out = [
        '    <document id="guoling-707" kind="国务院令">',
        f"{IND}<decree>",
        f"{IND}  <name>{esc(strip(src[0]))}</name>",
        f"{IND}  <number>{esc(strip(src[1]))}</number>",
        f"{IND}  <p>{esc(src[2])}</p>",
        f'{IND}  <signatory title="{sig[0]}">{sig[1]}</signatory>',
        f"{IND}  {cn_date(strip(src[4]))}",
        f"{IND}</decree>",
        f"{IND}<title>{esc(strip(src[5]))}</title>",
        f"{IND}<title-note>{esc(src[6])}</title-note>",
        f"{IND}<body>",
    ]
    out += articles(src[7:], IND + "  ")
    out += [f"{IND}</body>", "    </document>"]
    return out


def captioned_tables(lines, ind):
    """Lines of an appendix: a caption line (with or without <C>) before each table,
    注 lines after it."""
    out = []
    i = 0
    pending_caption = None
    while i < len(lines):
        line = lines[i]
        if line == "[表格开始]":
            j = lines.index("[表格结束]", i)
            t = table(lines[i + 1 : j], ind)
            if pending_caption:
                t.insert(1, f"{ind}  <caption>{esc(pending_caption)}</caption>")
                pending_caption = None
            i = j + 1
            notes = []
            while i < len(lines) and (lines[i].startswith("注：") or re.match(r"^\d、", lines[i])):
                notes.append(lines[i])
                i += 1
            if notes:
                t[-1] = f"{ind}  </tbody>"
                t += [f"{ind}  <note>{esc(n)}</note>" for n in notes] + [f"{ind}</table>"]
            out += t
            continue
        pending_caption = strip(line)
        i += 1
    assert pending_caption is None
    return out


def doc44():
    src = seed("44_")
    out = (
        doc_head(src, "guohan-2006-132", "批复", 3)
        + [f"{IND}<body>"]
        + body(src[5:11])
        + [f"{IND}</body>"]
    )
    assert src[11].startswith("附件1.") and src[12].startswith("2.")
    out += [
        f"{IND}<attachments>",
        f"{IND}  <attachment>{esc(src[11][4:])}</attachment>",
        f"{IND}  <attachment>{esc(src[12][2:])}</attachment>",
        f"{IND}</attachments>",
    ]
    out += signature([src[13]], src[14])
    assert src[15] == "附件1."
    a2 = src.index("附件2：")
    out += [
        f'{IND}<appendix label="附件1">',
        f"{IND}  <title>{title(src[16:18])}</title>",
        f"{IND}  <body>",
    ]
    out += captioned_tables(src[18:a2], IND + "    ")
    out += [f"{IND}  </body>", f"{IND}</appendix>"]
    out += [
        f'{IND}<appendix label="附件2">',
        f"{IND}  <title>{esc(strip(src[a2 + 1]))}</title>",
        f"{IND}  <body>",
    ]
    out += captioned_tables(src[a2 + 2 :], IND + "    ")
    out += [f"{IND}  </body>", f"{IND}</appendix>", "    </document>"]
    return out


def doc47():
    src = seed("47_")
    out = (
        doc_head(src, "guofa-2004-18", "通知", 2)
        + [f"{IND}<body>"]
        + body(src[4:5])
        + [f"{IND}</body>"]
    )
    out += signature([src[5]], src[6])
    out += [
        f"{IND}<appendix>",
        f"{IND}  <title>{esc(strip(src[7]).replace(' ', ''))}</title>",
        f"{IND}  <title-note>{esc(strip(src[8]) + strip(src[9]))}</title-note>",
        f"{IND}  <body>",
    ]
    ind = IND + "    "
    chapter = False
    for line in src[10:]:
        if line.startswith("<C>第"):
            if chapter:
                out.append(f"{ind}</chapter>")
            head = strip(line).replace("总 则", "总则")
            out += [f"{ind}<chapter>", f"{ind}  <heading>{esc(head)}</heading>"]
            chapter = True
        else:
            out.append(para(line, ind + "  "))
    out += [f"{ind}</chapter>", f"{IND}  </body>", f"{IND}</appendix>", "    </document>"]
    return out


def doc52():
    src = seed("52_")
    out = (
        doc_head(src, "guobanfa-1996-32", "通知", 3)
        + [f"{IND}<body>"]
        + body(src[5:6])
        + [f"{IND}</body>"]
    )
    out += signature([src[6]], src[7])
    att = src.index("附：")
    r = next(i for i in range(8, att) if src[i].startswith("<R>"))
    assert src[r - 1].startswith("附：")
    out += [
        f"{IND}<appendix>",
        f"{IND}  <title>{title(src[8:10])}</title>",
        f"{IND}  <addressee>{esc(src[10])}</addressee>",
        f"{IND}  <body>",
    ]
    out += body(src[11 : r - 1], ind=IND + "    ", runin=2, h1=True)
    out += [
        f"{IND}  </body>",
        f'{IND}  <attachments label="附">',
        f"{IND}    <attachment>{esc(src[r - 1][2:])}</attachment>",
        f"{IND}  </attachments>",
    ]
    out += signature([src[r]], src[r + 1], ind=IND + "  ")
    out += [f"{IND}</appendix>"]
    out += [
        f'{IND}<appendix label="附">',
        f"{IND}  <title>{esc(strip(src[att + 1]))}</title>",
        f"{IND}  <body>",
    ]
    assert src[att + 2] == "单位：人" and src[att + 3] == "[表格开始]"
    out += table(src[att + 4 : -1], IND + "    ", unit=src[att + 2])
    out += [f"{IND}  </body>", f"{IND}</appendix>", "    </document>"]
    return out


def doc54():
    src = seed("54_")
    out = doc_head(src, "guobanfa-2018-109", "通知", 2) + [
        f"{IND}<body>",
        f"{IND}  <p>{esc(src[4])}</p>",
        f"{IND}  <members>",
    ]
    ind = IND + "    "
    pos = False
    for line in src[5:]:
        if line.startswith("国家教材委员会办公室"):
            break
        m = re.match(r"^(.+?)：(.*)$", line)
        if m and "　　" not in m[1]:
            if pos:
                out.append(f"{ind}</position>")
            out.append(f'{ind}<position title="{m[1].replace(" ", "")}">')
            pos = True
            line = m[2]
            if not line:
                continue
        if line.startswith("（"):
            out.append(f"{ind}  <group>{esc(line)}</group>")
            continue
        name, post = line.split("　　", 1)
        out.append(
            f"{ind}  <member><name>{name.replace('　', '')}</name><post>{esc(post)}</post></member>"
        )
    out += [f"{ind}</position>", f"{IND}  </members>"]
    rest = src[src.index(next(line for line in src if line.startswith("国家教材委员会办公室"))) :]
    out += [f"{IND}  <p>{esc(rest[0])}</p>", f"{IND}</body>"]
    out += signature([rest[1]], rest[2])
    out += [f"{IND}<note>{esc(rest[3])}</note>", "    </document>"]
    assert len(rest) == 4
    return out


def section(id, t, docs):
    return [f'  <section id="{id}">', f"    <title>{t}</title>"] + docs + ["  </section>"]


def main():
    HEAD = HEAD_XML.rstrip("\n").split("\n")
    out = HEAD
    out += section("guowuyuan-ling", "国务院令", doc33())
    out += section(
        "guowuyuan-wenjian",
        "国务院文件",
        simple("11_", "guofa-2018-44", "决定", 2)
        + simple("16_", "guofa-2018-43", "决定", 3)
        + doc47()
        + doc44(),
    )
    out += section(
        "bangongting-wenjian",
        "国务院办公厅文件",
        doc52()
        + simple("49_", "guobanfa-2004-7", "通报", 3, runin=1)
        + simple("21_", "guobanhan-2004-57", "函", 3, runin=1)
        + simple("26_", "guobanhan-2006-82", "答复", 2),
    )
    out += section("renshi", "人事", doc54())
    out += ["</issue>"]
    OUT.write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(out)} lines")


if __name__ == "__main__":
    main()
