"""Building PDFs: the sample issue and fixture issues, read back with pypdf."""

import re
from collections import Counter
from pathlib import Path

import pytest

from typeset import atomic, pdf
from typeset import build as build_module
from typeset.build import Options, build
from typeset.check import A4, findings, issue_pages, read_pdf
from typeset.cli import main
from typeset.errors import InputError

from .conftest import FIXTURES, SAMPLE, minimal_variant

FIRST_P = "<p>现将有关事项通知如下。</p>"  # the first paragraph of minimal.xml

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
FACES = {"TS-Serif", "TS-Serif-Bold", "TS-Sans-Medium", "TS-Kai"}


@pytest.fixture(scope="session")
def features(tmp_path_factory):
    out = tmp_path_factory.mktemp("features") / "features.pdf"
    result = build(FIXTURES / "features.xml", Options(output=out))
    return result, read_pdf(out)


def test_sample_builds_without_warnings(sample):
    result, facts = sample
    assert result.warnings == []
    assert facts.pages == result.pages
    assert findings(facts, result.issue) == []


def test_sample_page_labels_and_size(sample):
    _, facts = sample
    assert facts.labels[:3] == ["封面", "封二", "1"]
    assert facts.labels[2:] == [str(n) for n in range(1, facts.pages - 1)]
    assert all(size == A4 for size in facts.sizes)


def test_contents_numbers_are_the_pages_of_the_titles(sample):
    result, facts = sample
    located = issue_pages(facts, result.issue)
    ids = [d.id for d in result.issue.documents]
    assert sorted(located.contents) == sorted(ids)
    assert located.contents == located.title_pages == located.starts
    # documents follow each other: each starts where the previous one ended
    for before, after in zip(ids, ids[1:], strict=False):
        assert int(located.starts[after]) in (int(located.ends[before]),
                                              int(located.ends[before]) + 1)


def test_outline_holds_every_section_and_document(sample):
    result, facts = sample
    expected = []
    for section in result.issue.sections:
        expected.append((1, section.title))
        expected.extend((2, d.title_text) for d in section.documents)
    assert [(level, title) for level, title, _ in facts.outline] == expected


def test_only_our_faces_embedded_and_subset(sample):
    _, facts = sample
    names = {re.sub(r"^[A-Z]{6}\+", "", n) for n in facts.fonts}
    assert names == FACES
    assert all(f.embedded and f.subset for f in facts.fonts.values())


def test_metadata(sample):
    _, facts = sample
    assert facts.lang == "zh-CN"
    assert facts.metadata["Title"] == "宁夏回族自治区人民政府公报 2021年第10期"
    assert "总第672期" in facts.metadata["Subject"]


def test_no_character_of_the_xml_is_missing_from_the_pdf(sample):
    result, facts = sample
    pdf_text = "".join(facts.text(i) for i in range(facts.pages))
    ours = Counter(HAN.findall("".join(d.text() for d in result.issue.documents)))
    theirs = Counter(HAN.findall(pdf_text))
    missing = {c: n - theirs[c] for c, n in ours.items() if theirs[c] < n}
    assert not missing
    # no inserted spaces inside words: a long sentence is found whole
    assert "医保治理现代化水平显著提升，实现更好保障病有所医的目标。" in re.sub(r"\s", "", pdf_text)


def test_cover_and_contents_pages(sample):
    _, facts = sample
    cover = re.sub(r"\s", "", facts.text(0))
    for text in ("宁夏回族自治区人民政府公报", "2021年第10期", "总第672期", "2021年7月15日出版",
                 "编辑委员会", "房全忠", "淮宁民", "●权威性"):
        assert text in cover
    assert facts.text(1).strip() == ""  # 封二
    contents = re.sub(r"\s", "", facts.text(2) + facts.text(3))
    assert "【自治区经济数据】" in contents and "（宁政办函〔2021〕24号）" in contents
    assert "ISSN1008-0783" in re.sub(r"\s", "", facts.text(3))  # colophon beside page 2


def test_features_fixture(features):
    result, facts = features
    assert result.warnings == []
    # the appended part's title is followed by all of its text (one line): not stranded;
    # （1）突出重点, followed by a one-line paragraph, keeps a second line with it
    assert result.typography.stranded_headings == 0
    assert findings(facts, result.issue) == []
    text = re.sub(r"\s", "", "".join(facts.text(i) for i in range(facts.pages)))
    for piece in ("测试自治区人民政府令第120号", "（2022年1月20日测试自治区人民政府令第120号公布",
                  "第一章总则", "第一节一般规定", "第二条",
                  "（二）居住区绿地。", "附件：1.测试实施方案", "2.测试任务分工表",
                  "（2022年1月5日）", "表1测试表格", "图1示意图", "合计"):
        assert piece in text, piece


def test_bad_input_leaves_existing_pdf_untouched(tmp_path, capsys):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"%PDF-previous")
    code = main(["build", str(FIXTURES / "broken" / "bad-year.xml"), "-o", str(out)])
    assert code == 2
    assert out.read_bytes() == b"%PDF-previous"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "x.pdf"
    out.write_bytes(b"%PDF-previous")

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", boom)
    with pytest.raises(Exception, match="cannot write"):
        build(FIXTURES / "minimal.xml", Options(output=out))
    assert out.read_bytes() == b"%PDF-previous"
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_missing_glyph_is_named_before_rendering(tmp_path):
    with pytest.raises(InputError) as info:
        build(FIXTURES / "missing-glyph.xml", Options(output=tmp_path / "x.pdf"))
    message = str(info.value)
    assert "document ceshi-1, <p>: no glyph for '𠀁' U+20001" in message
    assert ":21:" in message
    assert not (tmp_path / "x.pdf").exists()


def test_a_warm_process_checks_only_characters_not_found_before(tmp_path, monkeypatch):
    """The characters the faces were found to have are not looked up again in the
    same process; one they lack is named at every build."""
    from typeset import preflight

    monkeypatch.setattr(preflight, "_COVERED", {})
    looked_up = []
    cmap = preflight._cmap
    monkeypatch.setattr(preflight, "_cmap", lambda path: looked_up.append(path) or cmap(path))
    reads = []
    for _ in range(2):
        looked_up.clear()
        with pytest.raises(InputError, match="no glyph for '𠀁' U\\+20001"):
            build(FIXTURES / "missing-glyph.xml", Options(output=tmp_path / "x.pdf"))
        covered = set().union(*preflight._COVERED.values())
        assert "的" in covered and "𠀁" not in covered
        reads.append(len(looked_up))
    first, second = reads
    assert 0 < second < first  # the second time only the missing character's faces


def test_cli_build_in_process(tmp_path, capsys):
    out = tmp_path / "m.pdf"
    assert main(["build", str(FIXTURES / "minimal.xml"), "-o", str(out), "-v"]) == 0
    captured = capsys.readouterr()
    assert f"{out}: " in captured.out
    steps = [line[:3] for line in captured.err.splitlines()]
    assert steps == ["1/6", "2/6", "3/6", "4/6", "5/6", "6/6"]


def test_same_input_same_pdf(tmp_path):
    one, two = tmp_path / "1.pdf", tmp_path / "2.pdf"
    build(FIXTURES / "minimal.xml", Options(output=one))
    build(FIXTURES / "minimal.xml", Options(output=two))
    assert one.read_bytes() == two.read_bytes()


def test_warns_once_without_harfbuzz_subset(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "has_harfbuzz_subset", lambda: False)
    monkeypatch.setattr(build_module, "_warned_harfbuzz", False)
    messages = []
    for _ in range(2):
        build(FIXTURES / "minimal.xml", Options(output=tmp_path / "m.pdf"), log=messages.append)
    assert sum("libharfbuzz-subset" in m for m in messages) == 1


def test_default_output_is_under_out(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = build(FIXTURES / "minimal.xml")
    assert result.output == Path("out/minimal.pdf") and result.output.is_file()


LONG_TITLE = ("自治区人民政府关于印发宁夏回族自治区全面深化医疗保障制度改革"
              "和完善多层次医疗保障体系实施方案的通知")


def test_long_title_without_hints_is_balanced(tmp_path):
    """49 characters at 24 a line: greedy breaking would leave 通知's 知 alone."""
    assert len(LONG_TITLE) == 49
    src = (FIXTURES / "minimal.xml").read_text(encoding="utf-8")
    old = "<title>自治区人民政府关于<br/>测试排版的通知</title>"
    src = src.replace(old, f"<title>{LONG_TITLE}</title>")
    path = tmp_path / "long.xml"
    path.write_text(src, encoding="utf-8")
    out = tmp_path / "long.pdf"
    build(path, Options(output=out))
    facts = read_pdf(out)
    page = facts.dests["ceshi-1"]
    lines, joined = [], ""
    for line in facts.text(page).splitlines():
        if joined == LONG_TITLE:
            break
        if LONG_TITLE.startswith(joined + line.strip()):
            lines.append(line.strip())
            joined += line.strip()
    assert joined == LONG_TITLE, facts.text(page)
    lengths = [len(line) for line in lines]
    assert len(lengths) == 3 and max(lengths) - min(lengths) <= 2, lines


def test_han_latin_space_is_a_layout_option_off_by_default(tmp_path):
    default, spaced = tmp_path / "default.pdf", tmp_path / "spaced.pdf"
    assert main(["build", str(FIXTURES / "minimal.xml"), "-o", str(default)]) == 0
    assert main(["build", str(FIXTURES / "minimal.xml"), "-o", str(spaced),
                 "--han-latin-space"]) == 0
    assert "2021年1月5日" in read_pdf(default).text(3)
    # the ¼ em gap is wide enough for text extraction to read it as a space
    assert "2021 年 1 月 5 日" in read_pdf(spaced).text(3)


def test_numbering_scheme_comes_from_the_issue_or_the_layout(tmp_path):
    """第N号 with 总号 for a State Council style gazette, given in the issue; the cover, the
    running heads and the PDF's title all follow it (the layout's default is 第N期)."""
    from pypdf import PdfReader

    source = minimal_variant(
        tmp_path, ("<number>1</number>", '<number format="{year}年第{number}号">35</number>'),
        ("<cumulative>663</cumulative>",
         '<cumulative format="总号：{cumulative}">1639</cumulative>'))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    reader = PdfReader(result.output)
    pages = ["".join(p.extract_text().split()) for p in reader.pages]
    assert "2021年第35号" in pages[0] and "总号：1639" in pages[0]
    assert "第35号" in pages[-1] or "第35号" in pages[-2]  # the verso running head
    assert not any("期" in p for p in pages[:1])
    assert "2021年第35号" in reader.metadata.title


def test_chinese_numeral_date_prints(tmp_path):
    from pypdf import PdfReader

    source = minimal_variant(
        tmp_path, ("<date>2021-01-05</date>", '<date style="chinese">2006-12-30</date>'))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    page = "".join(PdfReader(result.output).pages[-1].extract_text().split())
    assert "二〇〇六年十二月三十日" in page


def test_appended_parts_with_labels_and_their_own_addressee_and_signature(tmp_path):
    """附件1 above an appended part, which may carry its own addressee, body, signature
    and date (a forwarded 报告 inside a 通知); a label with no title stands alone."""
    from pypdf import PdfReader

    appendix = """</document>"""
    parts = """
      <appendix label="附件1">
        <title>关于测试工作情况的报告</title>
        <addressee>国务院：</addressee>
        <body><p>现将测试工作情况报告如下。</p></body>
        <signature><issuer>测试部</issuer><date style="chinese">1996-05-31</date></signature>
      </appendix>
      <appendix label="附件2">
        <body><p>坐标系统为深圳独立坐标系统。</p></body>
      </appendix>
    </document>"""
    source = minimal_variant(tmp_path, (appendix, parts))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    whole = "".join("".join(p.extract_text().split()) for p in PdfReader(result.output).pages)
    first, second = whole.index("附件1关于测试工作情况的报告"), whole.index("附件2坐标系统")
    assert first < whole.index("国务院：现将测试工作情况报告如下。") < second
    assert "测试部一九九六年五月三十一日" in whole
    assert "附件1" in result.issue.documents[0].text()


def test_table_notes_and_line_breaks_in_cells(tmp_path):
    """<br/> in a cell breaks its line where the print does (坐标/编号); a table's
    <note>s (注：1、…, 2、…) print under it, each on its own line, the later ones
    indented to stand under the first one's text, after 注：."""
    from pypdf import PdfReader

    table = """<table>
          <thead><row><cell>坐标<br/>编号</cell><cell>X坐标</cell><cell>Y坐标</cell></row></thead>
          <tbody><row><cell>1</cell><cell>15172.500</cell><cell>103655.000</cell></row></tbody>
          <note>注：1、坐标系统为深圳独立坐标系统。</note>
          <note>2、L为弧长，R为半径。</note>
        </table>"""
    source = minimal_variant(tmp_path, (FIRST_P, FIRST_P + table))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    page = PdfReader(result.output).pages[-1].extract_text()
    flat = "".join(page.split())
    assert flat.index("103655.000") < flat.index("注：1、坐标系统为深圳独立坐标系统。2、L为弧长")
    assert "坐标\n编号" in page or "坐标 \n编号" in page
    notes = "注：1、坐标系统为深圳独立坐标系统。2、L为弧长，R为半径。"
    assert notes in result.issue.documents[0].text()
    starts = {}
    for box in _text_boxes(result):
        if box.text.startswith(("注：", "2、")):
            starts[box.text[:2]] = box.position_x
    size = 10.5 * 4 / 3  # px: the table face is 10.5 pt
    assert starts["2、"] - starts["注："] == pytest.approx(2 * size, abs=0.5)


def _text_boxes(result):
    """Every text box of the rendered document, page by page, in order."""
    from weasyprint.formatting_structure import boxes

    def walk(box):
        if isinstance(box, boxes.TextBox):
            yield box
        for child in getattr(box, "children", ()):
            yield from walk(child)

    for page in result.document.pages:
        yield from walk(page._page_box)


def test_attachments_label_is_the_documents_word(tmp_path):
    """附件 by default; label= prints another word where the document does (附：…)."""
    from pypdf import PdfReader

    source = minimal_variant(tmp_path, (
        "<signature>",
        '<attachments label="附"><attachment>内地西藏初中班（校）扩大招生计划表</attachment>'
        "</attachments><signature>"))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    flat = "".join(PdfReader(result.output).pages[-1].extract_text().split())
    assert "附：内地西藏初中班（校）扩大招生计划表" in flat
    assert "附件" not in flat
    assert "附：内地西藏初中班（校）扩大招生计划表" in result.issue.documents[0].text()


def test_level_one_run_in_heading_is_set_in_hei(tmp_path):
    """<runin level="1">: a 一、 heading sentence that runs into its paragraph, in 黑体."""
    source = minimal_variant(tmp_path, (
        FIRST_P, '<p><runin level="1">一、牢固树立安全思想。</runin>煤矿安全生产。</p>'))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    faces = {b.text: b.style["font_family"][0] for b in _text_boxes(result)
             if b.text in ("一、牢固树立安全思想。", "煤矿安全生产。")}
    assert faces == {"一、牢固树立安全思想。": "TS Sans", "煤矿安全生产。": "TS Serif"}


def test_inline_kai_run_is_set_in_the_kai_face(tmp_path):
    """<kai> sets a run in 楷体 inside any text: the rendered boxes of the run use TS Kai,
    the text around it TS Serif."""
    source = minimal_variant(tmp_path, (FIRST_P, "<p>现将<kai>有关事项</kai>通知如下。</p>"))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    faces = {b.text: b.style["font_family"][0] for b in _text_boxes(result)
             if b.text in ("有关事项", "现将")}
    assert faces == {"有关事项": "TS Kai", "现将": "TS Serif"}


MEMBERS = """<members>
          <position title="主任">
            <member><name>孙春兰</name><post>国务院副总理</post></member>
          </position>
          <position title="副主任">
            <member><name>陈宝生</name><post>教育部部长</post></member>
            <member><name>王晓晖</name><post>中央宣传部副部长、中央政研室副主任</post></member>
          </position>
          <position title="委员">
            <group>（一）部门委员</group>
            <member><name>黄卫</name><post>科技部副部长</post></member>
          </position>
        </members>"""


def test_member_list_in_aligned_columns(tmp_path):
    """A 组成人员名单: the role on its first line, names and posts each in a column of
    their own, two-character names spread like three (黄卫 prints as 黄　卫)."""
    from pypdf import PdfReader
    from weasyprint.formatting_structure import boxes

    source = minimal_variant(tmp_path, (FIRST_P, FIRST_P + MEMBERS))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    flat = "".join(PdfReader(result.output).pages[-1].extract_text().split())
    assert "主任：孙春兰国务院副总理" in flat and "（一）部门委员" in flat
    assert "副主任：陈宝生教育部部长王晓晖" in flat

    starts: dict[str, list[float]] = {"name": [], "post": []}
    widths = {}

    def walk(box, table_x=0.0):
        cls = (box.element.get("class") or "") if box.element is not None else ""
        if isinstance(box, boxes.TableBox):
            table_x = box.position_x  # the list may go on in the next column
        if isinstance(box, boxes.TableCellBox) and cls in ("member-name", "member-post"):
            text_boxes = [b for b in box.descendants() if isinstance(b, boxes.TextBox)]
            starts[cls.split("-")[1]].append(min(b.position_x for b in text_boxes) - table_x)
            if cls == "member-name":
                line = [b for b in text_boxes]
                widths["".join(b.text for b in line)] = (
                    max(b.position_x + b.width for b in line) - min(b.position_x for b in line))
        for child in getattr(box, "children", ()):
            walk(child, table_x)

    for page in result.document.pages:
        walk(page._page_box)
    assert len(starts["name"]) == 4
    assert len(set(round(x, 1) for x in starts["name"])) == 1  # names in one column
    assert len(set(round(x, 1) for x in starts["post"])) == 1  # posts in one column
    assert abs(widths["黄卫"] - widths["孙春兰"]) < 1  # 黄卫 spread over three characters


def test_articles_print_each_clause_and_item_once(tmp_path):
    """A regulation's 条 > 款 > 项: the number in Hei, each 款 a paragraph, each 项 on a
    line of its own, every text once (an item is not also part of its clause's text)."""
    from pypdf import PdfReader

    rules = """<chapter>
          <heading>第一章　总则</heading>
          <article>
            <num>第一条</num>
            <clause>下列所得，为来源于境内的所得：
              <item>（一）因任职取得的所得；</item>
              <item>（二）将财产出租取得的所得。</item>
            </clause>
            <clause>其他所得，由主管部门确定。</clause>
          </article>
        </chapter>"""
    source = minimal_variant(tmp_path, (FIRST_P, rules))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    text = result.issue.documents[0].text()
    page = PdfReader(result.output).pages[-1].extract_text()
    flat = "".join(page.split())
    for piece in ("第一条下列所得，为来源于境内的所得：", "（一）因任职取得的所得；",
                  "（二）将财产出租取得的所得。", "其他所得，由主管部门确定。"):
        assert text.count(piece) == 1, piece
        assert flat.count(piece) == 1, piece
    order = [flat.index(piece) for piece in ("所得：", "（一）", "（二）", "其他所得")]
    assert order == sorted(order)
    lines = [line.strip() for line in page.splitlines()]
    assert any(line.startswith("（一）因任职") for line in lines)
    faces = {b.text: b.style["font_family"][0] for b in _text_boxes(result) if b.text == "第一条"}
    assert faces == {"第一条": "TS Sans"}


def test_joint_decree_prints_each_signatory_on_its_own_line(tmp_path):
    """A joint 令 (国务院 中央军事委员会令) is signed by both heads: each signatory on a
    line of its own, right-aligned like one, in the order given, then the date."""
    from pypdf import PdfReader

    source = tmp_path / "features.xml"
    text = (FIXTURES / "features.xml").read_text(encoding="utf-8")
    one = '<signatory title="自治区主席">某某某</signatory>'
    assert one in text
    source.write_text(text.replace(one, '<signatory title="国务院总理">李某某</signatory>'
                                        '<signatory title="中央军委主席">张某某</signatory>'),
                      encoding="utf-8")
    (tmp_path / "dot.svg").write_bytes((FIXTURES / "dot.svg").read_bytes())
    result = build(source, Options(output=tmp_path / "x.pdf"))
    lines = [line.strip() for p in PdfReader(result.output).pages
             for line in p.extract_text().splitlines()]
    first = next(i for i, line in enumerate(lines) if line.replace(" ", "") == "国务院总理　李某某")
    assert lines[first + 1].replace(" ", "") == "中央军委主席　张某某"
    assert lines[first + 2].startswith("20")  # the date follows
    rights = {b.text: b.position_x + b.width for b in _text_boxes(result)
              if b.text in ("国务院总理　李某某", "中央军委主席　张某某")}
    assert len(rights) == 2
    assert abs(rights["国务院总理　李某某"] - rights["中央军委主席　张某某"]) < 0.5


def test_table_cells_numbers_right_text_justified_and_spans_never_cross_a_page(tmp_path):
    """A column of numbers (without <col align>) is set flush right, so the numbers'
    last digits line up; text that wraps in a cell is justified; a long table breaks
    only between rows that spanning cells do not tie together, keeps two rows after
    its header and two at its end, and every page's part is closed by its rules."""
    rows = []
    for i in range(1, 61):
        if i % 7 == 3 and i <= 58:  # a cell spanning three rows, then two rows under it
            rows.append(f'<row><cell>{i}</cell><cell rowspan="3">跨越三行的说明文字</cell>'
                        f"<cell>{i * 1234.5:,.1f}</cell></row>")
        elif i % 7 in (4, 5) and i <= 60 and (i - (i % 7 - 3)) <= 58:
            rows.append(f"<row><cell>{i}</cell><cell>{i * 37}</cell></row>")
        else:
            rows.append(f"<row><cell>{i}</cell><cell>宁夏天净沙文化创意产业有限公司第{i}项</cell>"
                        f"<cell>{i * 37}</cell></row>")
    table = ("<table><caption>表1　测试</caption><thead><row><cell>序号</cell><cell>名称</cell>"
             "<cell>金额</cell></row></thead><tbody>" + "".join(rows) + "</tbody></table>")
    source = minimal_variant(tmp_path, (FIRST_P, FIRST_P + table))
    result = build(source, Options(output=tmp_path / "x.pdf"))
    assert result.typography.ragged_lines == 0 and result.typography.loose_lines == 0
    from weasyprint.formatting_structure import boxes

    pages_of_row: dict[int, set[int]] = {}
    amount_right_edges: dict[int, set[float]] = {}  # page → right edges of the amounts
    for number, page in enumerate(result.document.pages):
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableRowBox):
                first = box.children[0] if box.children else None
                text = "".join(t.text for t in first.descendants()
                               if isinstance(t, boxes.TextBox)) if first else ""
                if text.isdigit():
                    pages_of_row.setdefault(int(text), set()).add(number)
            if isinstance(box, boxes.TableRowBox) and box.children:
                cell = box.children[-1]  # the amounts' column
                lines = [b for b in cell.descendants() if isinstance(b, boxes.TextBox)]
                text = "".join(b.text for b in lines)
                if text.replace(",", "").replace(".", "").isdigit():
                    assert cell.element.get("class") == "align-right"
                    amount_right_edges.setdefault(number, set()).add(
                        round(max(b.position_x + b.width for b in lines), 1))
    assert len({min(p) for p in pages_of_row.values()}) > 1, "the table should cross pages"
    page = {row: min(p) for row, p in pages_of_row.items()}
    for i in range(1, 61):
        if i % 7 == 3 and i + 2 <= 60:  # a spanning cell's rows share one page
            assert page[i] == page[i + 1] == page[i + 2], i
    first_page = [r for r in page if page[r] == page[1]]
    assert len(first_page) >= 2 and page[59] == page[60]
    assert all(len(edges) == 1 for edges in amount_right_edges.values()), amount_right_edges


def test_the_front_done_aside_is_the_front_done_here(tmp_path, two_cores, monkeypatch):
    """In a command's process that has still to load WeasyPrint, a forked child reads
    and composes the issue meanwhile: it hands back the issue, layout, output path,
    documents shown and HTML the build makes itself, and the times of its steps."""
    import sys

    monkeypatch.setattr(build_module, "FRONT_ASIDE", True)
    monkeypatch.delitem(sys.modules, "weasyprint")  # as in a new process
    options = Options(output=tmp_path / "p.pdf", only="ndf-2021-13")
    child = build_module._front_aside(SAMPLE, options)
    assert child is not None
    issue, layout, output, shown, html, steps = child.value()
    assert child._status == 0
    here = build_module._front(SAMPLE, options, lambda name, message: None)
    assert (issue, layout, output, shown, html) == here
    assert "ndf-2021-13" in html and len(shown) < len(issue.documents)
    assert [name for name, _, _ in steps] == ["parse", "layout", "compose"]
    assert all(seconds > 0 for _, _, seconds in steps)
    # not forked: in a library caller's process, or once WeasyPrint is loaded
    monkeypatch.setattr(build_module, "FRONT_ASIDE", False)
    assert build_module._front_aside(SAMPLE, options) is None
    monkeypatch.setattr(build_module, "FRONT_ASIDE", True)
    monkeypatch.setitem(sys.modules, "weasyprint", object())
    assert build_module._front_aside(SAMPLE, options) is None


def test_a_front_failing_aside_fails_here_with_its_own_error(tmp_path, two_cores,
                                                             monkeypatch):
    """Bad input: the child hands nothing back, the build reads the issue itself and
    raises the error it would raise without the child; no PDF is written."""
    import sys

    bad = FIXTURES / "broken" / "bad-year.xml"
    out = tmp_path / "x.pdf"
    with pytest.raises(InputError) as plain:
        build(bad, Options(output=out))
    monkeypatch.setattr(build_module, "FRONT_ASIDE", True)
    monkeypatch.delitem(sys.modules, "weasyprint")
    child = build_module._front_aside(bad, Options(output=out))
    assert child is not None and child.value() is None and child._status != 0
    forks = []
    original = build_module._front_aside
    monkeypatch.setattr(build_module, "_front_aside",
                        lambda *args: forks.append(original(*args)) or forks[-1])
    with pytest.raises(InputError) as aside:
        build(bad, Options(output=out))
    assert forks and forks[0] is not None
    assert str(aside.value) == str(plain.value) and ":" in str(plain.value)
    assert not out.exists()


def test_a_command_builds_the_same_pdf_with_its_front_aside(tmp_path):
    """`python -m typeset build -v` (a command's process, which forks its front where
    it has two cores): the steps in order, the PDF of an in-process build."""
    import os
    import subprocess
    import sys

    here, there = tmp_path / "here.pdf", tmp_path / "there.pdf"
    build(FIXTURES / "features.xml", Options(output=here))
    run = subprocess.run([sys.executable, "-m", "typeset", "build",
                          str(FIXTURES / "features.xml"), "-o", str(there), "-v"],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, TYPESET_SERVER="0"))
    assert [line[:3] for line in run.stderr.splitlines()] == \
        ["1/6", "2/6", "3/6", "4/6", "5/6", "6/6"]
    assert there.read_bytes() == here.read_bytes()


def test_the_faces_character_maps_kept_are_bounded(tmp_path, monkeypatch):
    """Each copy of a face is keyed apart (its path); the oldest maps go beyond
    CMAPS_KEPT, and a map read from the cache is the face's."""
    import shutil

    from typeset import preflight
    from typeset.layout import data_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(preflight, "CMAPS_KEPT", 2)
    face = sorted(data_dir("fonts").glob("*.ttf"))[0]
    maps = []
    for copy in range(4):
        (tmp_path / str(copy)).mkdir()
        path = Path(shutil.copy(face, tmp_path / str(copy)))
        preflight._cmap.cache_clear()
        maps.append(preflight._cmap(path))
    kept = sorted((tmp_path / "cache").rglob("cmap-*.bin"))
    assert len(kept) == 2 and len(set(maps)) == 1 and ord("的") in maps[0]
    preflight._cmap.cache_clear()
    assert preflight._cmap(path) == maps[0]  # from the cache
    preflight._cmap.cache_clear()
