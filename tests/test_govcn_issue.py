"""The second sample issue: 国务院公报 style, ten real State Council documents.

Built once (the `govcn` fixture) and read back from the PDF: what a State Council
gazette needs that the Ningxia sample does not (第N号 numbering, a 令 head before the
regulation, 题注, 附件1/附件2 with their own addressee and signature, Chinese-numeral
dates, coordinate tables with notes, a member list) prints, in order, and every
contents number is the page where the document's title is printed.
"""

import re
from collections import Counter

from typeset.check import A4, findings, issue_pages

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def flat(facts, first=0, last=None):
    last = facts.pages if last is None else last
    return re.sub(r"\s", "", "".join(facts.text(i) for i in range(first, last)))


def page_of(facts, piece: str) -> int:
    """The index of the first page whose text holds `piece` (white space ignored)."""
    return next(i for i in range(facts.pages) if piece in flat(facts, i, i + 1))


def test_builds_clean(govcn):
    result, facts = govcn
    assert result.warnings == []
    assert facts.pages == result.pages
    assert findings(facts, result.issue) == []
    assert all(size == A4 for size in facts.sizes)
    assert facts.labels[:3] == ["封面", "封二", "1"]


def test_contents_numbers_are_the_pages_of_the_titles(govcn):
    result, facts = govcn
    located = issue_pages(facts, result.issue)
    ids = [d.id for d in result.issue.documents]
    assert len(ids) == 10
    assert sorted(located.contents) == sorted(ids)
    assert located.contents == located.title_pages == located.starts


def test_numbering_is_the_gazettes_own(govcn):
    """第N号, not 第N期: cover, running heads and PDF metadata all say 2018年第36号."""
    _, facts = govcn
    cover = flat(facts, 0, 1)
    for piece in ("中华人民共和国国务院公报", "旬刊", "2018年第36号", "2018年12月30日出版"):
        assert piece in cover, piece
    assert "期" not in cover
    assert facts.metadata["Title"] == "中华人民共和国国务院公报 2018年第36号"
    verso = flat(facts, 5, 6)  # printed page 4: the running head names the issue
    assert "中华人民共和国国务院公报2018年第36号" in verso
    assert facts.lang == "zh-CN"


def test_contents_list_the_decree_by_its_number(govcn):
    _, facts = govcn
    contents = flat(facts, 2, 4)
    assert ("【国务院令】中华人民共和国个人所得税法实施条例"
            "（中华人民共和国国务院令第707号）") in contents
    sections = [contents.index(f"【{s}】") for s in ("国务院文件", "国务院办公厅文件", "人事")]
    assert sections == sorted(sections)
    assert "（国函〔2006〕132号）" in contents


def test_decree_head_prints_before_the_regulation(govcn):
    """令 name and number, the promulgation text, 总理 李克强 and the date, then the
    regulation's title and its 题注, then 第一条."""
    _, facts = govcn
    page = flat(facts, 4, 5)
    order = ["中华人民共和国国务院令", "第707号",
             "现公布修订后的《中华人民共和国个人所得税法实施条例》",
             "总理李克强2018年12月18日",
             "中华人民共和国个人所得税法实施条例（1994年1月28日中华人民共和国国务院令第142号发布",
             "第一条"]
    positions = [page.index(re.sub(r"\s", "", piece)) for piece in order]
    assert positions == sorted(positions)


def test_appended_parts_and_chinese_numeral_dates(govcn):
    """The 批复's 附件1/附件2 with their tables and notes; the forwarded 请示 with its own
    addressee, 附： list, signature and date; dates spelled as each document prints them."""
    _, facts = govcn
    text = flat(facts)
    assert ("附件：1.深圳湾口岸港方口岸区的查验区界址点坐标"
            "2.深圳湾公路大桥部分桥面界址点坐标国务院二〇〇六年十二月三十日") in text
    first = text.index("附件1深圳湾口岸港方口岸区的查验区界址点坐标")
    assert first < text.index("附件2深圳湾公路大桥部分桥面界址点坐标")
    assert ("注：1、坐标系统为深圳独立坐标系统。"
            "2、L为弧长，R为半径，A为回旋线参数；单位均为米。") in text
    assert "扩大规模有关问题的请示国务院：" in text
    assert "附：内地西藏初中班（校）扩大招生计划表国家教委一九九六年五月十三日" in text
    assert "单位：人" in text
    assert "国务院2018年12月28日" in text and "国务院办公厅二〇〇四年八月十二日" in text


def test_member_list_prints_roles_names_and_posts_in_order(govcn):
    """The list's columns (and the padding of 黄卫 to three characters' width) are
    measured on the rendered boxes in test_build; here: all of it, in order."""
    _, facts = govcn
    text = flat(facts)
    order = ["主任：孙春兰国务院副总理", "副主任：陈宝生教育部部长王晓晖",
             "秘书长：朱之文教育部副部长", "委员：（一）部门委员梁言顺", "黄卫科技部副部长",
             "（二）专家委员（按姓氏笔划为序）马敏",
             "潘云鹤院士、工程院原副院长国家教材委员会办公室设在教育部"]
    positions = [text.index(piece) for piece in order]
    assert positions == sorted(positions)


def test_no_character_of_the_xml_is_missing_from_the_pdf(govcn):
    result, facts = govcn
    pdf = Counter(c for c in flat(facts) if HAN.match(c) or c.isascii() and c.isalnum())
    ours = "".join(d.text() for d in result.issue.documents)
    model = Counter(c for c in ours if HAN.match(c) or c.isascii() and c.isalnum())
    missing = {c: n - pdf[c] for c, n in model.items() if pdf[c] < n}
    assert not missing
