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

from typeset.parse import parse_issue

from .conftest import SAMPLE, SEED

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
