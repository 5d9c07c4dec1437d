"""Not a character lost: the sample issue's XML holds every Han character of the seed.

The seed is the text extracted from the printed issue.  Its document text runs from
line 111 (the first document's title) to the end; before it stand the cover, the
contents and the colophon, which the XML keeps as metadata, not as document text.
The only page furniture inside the document text is the table header row that the
printed heritage lists repeat on each new page; those lines are excluded here by
number, and each is checked to be exactly that header.
"""

import re
from collections import Counter

import pytest

from typeset.model import Signatory
from typeset.parse import parse_issue

from .conftest import GOVCN, GOVCN_SEEDS, SAMPLE, SEED

FIRST_DOCUMENT_LINE = 111
REPEATED_HEADER = "序号\t项目名称\t申报地区或单位\t保护责任单位"
REPEATED_HEADER_LINES = (542, 579, 609)  # printed again where the two lists cross pages
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

pytestmark = pytest.mark.skipif(not SEED.exists(), reason="the seed text is in ../shared/seeds")


def seed_document_text() -> str:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert lines[FIRST_DOCUMENT_LINE - 1].startswith("自治区党委 人民政府 印发《关于深化医疗保障")
    for number in REPEATED_HEADER_LINES:
        assert lines[number - 1] == REPEATED_HEADER, number
    keep = [
        line
        for number, line in enumerate(lines, 1)
        if number >= FIRST_DOCUMENT_LINE and number not in REPEATED_HEADER_LINES
    ]
    return "\n".join(keep)


def test_every_han_character_of_the_seed_is_in_the_model():
    issue = parse_issue(SAMPLE)
    model_text = "".join(doc.text() for doc in issue.documents)
    seed = Counter(HAN.findall(seed_document_text()))
    ours = Counter(HAN.findall(model_text))
    missing = seed - ours
    extra = ours - seed
    assert not missing, f"lost from the seed: {dict(missing)}"
    assert not extra, f"not in the seed: {dict(extra)}"
    assert sum(seed.values()) > 30_000


def test_sample_issue_shape():
    issue = parse_issue(SAMPLE)
    assert [s.title for s in issue.sections] == [
        "自治区党委 人民政府文件",
        "自治区人民政府文件",
        "自治区人民政府办公厅文件",
        "自治区经济数据",
    ]
    assert len(issue.documents) == 8
    heritage = issue.document("nzf-2021-18")
    lists = [b for a in heritage.appendices for b in a.body if b.kind == "table"]
    numbered = [[r for r in t.body if r.kind == "row"] for t in lists]
    assert [len(rows) for rows in numbered] == [60, 22]
    assert [r.cells[0].text() for r in numbered[0]] == [str(i) for i in range(1, 61)]
    assert issue.meta.cumulative == 672 and issue.meta.published.isoformat() == "2021-07-15"
    assert issue.board.roles[2].people[-1] == "淮宁民"
    assert issue.colophon.editors == ("张伟", "徐胜利", "李宝全", "马春", "马晓菲", "申劭侃")


# -- The second sample: ten State Council documents, one seed file each -------------

#: Seed file prefix → the document's id in issues/guowuyuan-2018-36.xml.
GOVCN_IDS = {
    "11_": "guofa-2018-44", "16_": "guofa-2018-43", "21_": "guobanhan-2004-57",
    "26_": "guobanhan-2006-82", "33_": "guoling-707", "44_": "guohan-2006-132",
    "47_": "guofa-2004-18", "49_": "guobanfa-2004-7", "52_": "guobanfa-1996-32",
    "54_": "guobanfa-2018-109",
}

#: What the issue prints differently from the web text, on purpose: the labels above
#: appended parts are printed as GB/T 9704 sets them (附件1, not the web's 附件1. and
#: 附件2：; 附, not 附：).
GOVCN_LABEL_PUNCTUATION = {"guohan-2006-132": Counter("."), "guobanfa-1996-32": Counter("：")}


def govcn_seed_text(path) -> str:
    """The document text of one seed file: its lines below `# ----`, without the
    format's markers (<C>, <R>, table brackets, cell separators, {cN}/{rN} spans and the
    / that breaks a cell's line)."""
    body = path.read_text(encoding="utf-8").split("# ----\n", 1)[1]
    out = []
    for line in body.splitlines():
        if line in ("[表格开始]", "[表格结束]"):
            continue
        line = re.sub(r"^<[CR]>", "", line)
        if " | " in line:
            line = re.sub(r"\{[cr]\d+\}", "", line).replace(" | ", "").replace("/", "")
        out.append(line)
    return "".join(out)


@pytest.mark.skipif(not GOVCN_SEEDS.exists(), reason="the seeds are in ../shared/seeds/govcn")
def test_every_character_of_each_state_council_document_is_in_the_model():
    """Per document, every character of the seed but white space is in the model, and
    the model adds none: Han characters, digits, Latin letters and punctuation alike."""
    issue = parse_issue(GOVCN)
    seeds = sorted(GOVCN_SEEDS.glob("*.txt"))
    assert sorted(p.name[:3] for p in seeds) == sorted(GOVCN_IDS)
    for path in seeds:
        doc_id = GOVCN_IDS[path.name[:3]]
        seed = Counter(c for c in govcn_seed_text(path) if not c.isspace())
        ours = Counter(c for c in issue.document(doc_id).text() if not c.isspace())
        assert seed - ours == GOVCN_LABEL_PUNCTUATION.get(doc_id, Counter()), path.name
        assert not ours - seed, (path.name, ours - seed)
        assert len(HAN.findall(govcn_seed_text(path))) > 300


def test_state_council_issue_shape():
    issue = parse_issue(GOVCN)
    assert [s.title for s in issue.sections] == [
        "国务院令", "国务院文件", "国务院办公厅文件", "人事"]
    assert len(issue.documents) == 10
    decree = issue.document("guoling-707")
    assert decree.decree.number == "第707号" and decree.decree.signatories == (
        Signatory("总理", "李克强", decree.decree.signatories[0].line),)
    assert len([b for b in decree.body if b.kind == "article"]) == 36
    assert [a.label for a in issue.document("guohan-2006-132").appendices] == ["附件1", "附件2"]
    assert issue.meta.number_format == "{year}年第{number}号"
