"""`typeset import`: Word files (.docx) → `<document>`s of the issue format.

The round trip: every document of both sample issues is written as a .docx by
tools/make_docx.py, the way Word and WPS files of 公文 are laid out (GB/T 9704 faces,
sizes and margins, with the habits of real files mixed in), generated at test time
into a session folder (nothing binary is committed), then imported back and compared
with the document in the sample issue:

- text: both are wrapped into a minimal issue and read by `typeset.parse`; the
  documents' text (`Document.text()`: every character the document prints, labels
  and dates included) must be equal, character for character.  White space rule:
  that of the format (docs/format.md): a line break in the XML with its indentation
  is layout and vanishes; every other character counts, U+3000 and ASCII spaces
  included (说　明, 自治区党委 人民政府);
- structure: the structural diff (tools/import_figures.py: every element, attribute,
  text and tail at its path; column widths compared as proportions) must be empty
  but for the differences listed in ACCEPTED, each with its reason.

The same documents typed "plain" (one face and size, headings only in bold, as
offices that skip GB/T 9704 type them) must keep every character too; their
structure may differ only where the face was the one cue (PLAIN_ACCEPTED).
"""

from __future__ import annotations

import copy
import importlib.util
import io
import time
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from typeset.build import Options, build
from typeset.check import read_pdf
from typeset.cli import main
from typeset.importer import docx_reader, import_docx, package
from typeset.parse import parse_issue
from typeset.resources import check_figures

from .conftest import FIXTURES, GOVCN, SAMPLE

ROOT = Path(__file__).resolve().parents[1]
ISSUES = (SAMPLE, GOVCN)


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_docx = _tool("make_docx")
figures = _tool("import_figures")

ORIGINALS = {d.get("id"): d for issue in ISSUES for d in etree.parse(str(issue)).iter("document")}

#: Differences between a sample document and its import that are accepted, with why.
ACCEPTED = {
    "document/@kind": "the document's type (通知, 决定, 国务院令 …) is the editor's "
                      "classification for the layout; a Word file does not state it",
}


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory) -> dict[str, Path]:
    """id → .docx of every document of both sample issues."""
    folder = tmp_path_factory.mktemp("docx")
    out: dict[str, Path] = {}
    for issue in ISSUES:
        out.update(make_docx.make_fixtures(issue, folder / issue.stem))
    return out


@pytest.fixture(scope="session")
def imported(fixtures):
    return {doc_id: import_docx(path, doc_id) for doc_id, path in fixtures.items()}


@pytest.fixture(scope="session")
def imported_plain(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plain")
    out = {}
    for issue in ISSUES:
        for doc_id, path in make_docx.make_fixtures(issue, folder / issue.stem,
                                                    plain=True).items():
            out[doc_id] = import_docx(path, doc_id)
    return out


def wrap(document: etree._Element | str, path: Path) -> Path:
    """tests/fixtures/minimal.xml with its one document replaced by `document`."""
    root = etree.parse(str(FIXTURES / "minimal.xml")).getroot()
    section = root.find("section")
    for old in section.findall("document"):
        section.remove(old)
    el = etree.fromstring(document) if isinstance(document, str) else copy.deepcopy(document)
    section.append(el)
    path.write_bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
    return path


# ---------------------------------------------------------------------- round trip


@pytest.mark.parametrize("plain", [False, True], ids=["gb", "plain"])
@pytest.mark.parametrize("doc_id", list(ORIGINALS))
def test_round_trip_text(doc_id, plain, request, tmp_path):
    imported = request.getfixturevalue("imported_plain" if plain else "imported")
    original = parse_issue(wrap(ORIGINALS[doc_id], tmp_path / "a.xml")).documents[0]
    result = parse_issue(wrap(imported[doc_id].xml, tmp_path / "b.xml")).documents[0]
    assert result.text() == original.text()
    assert result.id == doc_id


#: Differences accepted for the plain fixtures, beyond ACCEPTED: inside a paragraph
#: that opens with a level-2 run-in heading.
PLAIN_ACCEPTED = (
    "楷体 is the one cue of a （一）…。 run-in heading: typed in the body face it is "
    "text, as the gazette stores the （一） paragraphs of 仿宋 (国务院工作规则)")


@pytest.mark.parametrize("doc_id", list(ORIGINALS))
def test_round_trip_structure_plain(doc_id, imported_plain):
    original = ORIGINALS[doc_id]
    runins = [key.removesuffix("/runin[1]/@level")
              for key, value in figures.canon(original).items()
              if key.endswith("/runin[1]/@level") and value == "2"]
    diff = figures.structural_diff(original, etree.fromstring(imported_plain[doc_id].xml))
    unexpected = [d for d in diff if not d.startswith(tuple(ACCEPTED))
                  and not any(d.startswith((p + "/runin[1]", p + "/#text:")) for p in runins)]
    assert unexpected == []


@pytest.mark.parametrize("doc_id", list(ORIGINALS))
def test_round_trip_structure(doc_id, imported):
    diff = figures.structural_diff(ORIGINALS[doc_id], etree.fromstring(imported[doc_id].xml))
    unexpected = [d for d in diff if not d.startswith(tuple(ACCEPTED))]
    assert unexpected == []


def test_accepted_differences_occur(imported):
    """Each accepted difference is met: the list does not outlive the importer."""
    seen = set()
    for doc_id, result in imported.items():
        for line in figures.structural_diff(ORIGINALS[doc_id], etree.fromstring(result.xml)):
            seen.update(key for key in ACCEPTED if line.startswith(key))
    assert seen == set(ACCEPTED)


def test_structural_diff_sees_a_difference():
    """The diff the round trip relies on can fail: two sample documents differ, a
    changed cell span and a changed character are reported."""
    ndf13, ndf15 = ORIGINALS["ndf-2021-13"], ORIGINALS["ndf-2021-15"]
    assert figures.structural_diff(ndf13, ndf15)
    changed = copy.deepcopy(ORIGINALS["guohan-2006-132"])
    changed.find(".//cell[@rowspan]").set("rowspan", "1")
    changed.find(".//addressee").text += "。"
    diff = figures.structural_diff(ORIGINALS["guohan-2006-132"], changed)
    assert len(diff) == 2 and "addressee" in diff[0] and "@rowspan" in diff[1]


@pytest.mark.parametrize("doc_id", ["guoling-707", "nzf-2021-18"])
def test_imported_document_prints_the_same_pages(doc_id, imported, tmp_path):
    """The imported document typesets to the same pages as the hand-written one: the
    same count and the same text on each page."""
    pages = []
    for name, document in (("original", ORIGINALS[doc_id]), ("imported", imported[doc_id].xml)):
        issue = wrap(document, tmp_path / f"{name}.xml")
        result = build(issue, Options(output=tmp_path / f"{name}.pdf"))
        assert result.warnings == []
        facts = read_pdf(tmp_path / f"{name}.pdf")
        pages.append([facts.text(i) for i in range(facts.pages)])
    assert len(pages[1]) == len(pages[0]) > 1
    assert pages[1] == pages[0]


@pytest.mark.parametrize("issue_path", [SAMPLE, GOVCN], ids=["2021-10", "guowuyuan-2018-36"])
def test_issue_of_imported_documents_prints_the_same_pages(issue_path, imported, request,
                                                           tmp_path):
    """Every document of a sample issue replaced by its import (with the kind= the
    editor adds, the one accepted difference): the issue prints the same pages, each
    with the same text, as the hand-written one."""
    tree = etree.parse(str(issue_path))
    for original in list(tree.iter("document")):
        new = etree.fromstring(imported[original.get("id")].xml) \
            if isinstance(imported[original.get("id")].xml, str) \
            else copy.deepcopy(imported[original.get("id")].xml)
        if original.get("kind") is not None:
            new.set("kind", original.get("kind"))
        original.getparent().replace(original, new)
    path = tmp_path / issue_path.name
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    result = build(path, Options(output=tmp_path / "imported.pdf"))
    assert result.warnings == []
    ours = read_pdf(tmp_path / "imported.pdf")
    _, theirs = request.getfixturevalue("sample" if issue_path == SAMPLE else "govcn")
    assert ours.pages == theirs.pages
    for i in range(ours.pages):
        assert ours.text(i) == theirs.text(i), f"page {theirs.labels[i]}"


def test_recognition_figures_on_the_fixtures(fixtures, imported):
    """Every element kind of the samples is recognised in full on the fixtures (the
    figures printed by tools/import_figures.py and given in docs/import.md)."""
    totals: dict[str, list[int]] = {}
    for doc_id, result in imported.items():
        for kind, (hit, total) in figures.tally(ORIGINALS[doc_id],
                                                etree.fromstring(result.xml)).items():
            entry = totals.setdefault(kind, [0, 0])
            entry[0] += hit
            entry[1] += total
    assert totals["title"] == [18, 18]
    assert totals["merged cell"][1] == 40 and totals["条 article"][1] == 36
    assert {kind for kind, (hit, total) in totals.items() if hit != total} == set()


def test_fixtures_import_without_warnings_and_say_how_sure(imported, imported_plain):
    """Every line of the fixtures is placed (no warning); the GB/T 9704 files are read
    with certainty, the plain ones' titles (bold, body size) only as likely."""
    for results in (imported, imported_plain):
        for doc_id, result in results.items():
            assert result.recognised.report.warnings == [], doc_id
    gb = [f for r in imported.values() for f in r.recognised.report.findings]
    assert {f.confidence for f in gb if f.kind in ("title", "appendix", "signature",
                                                   "doc-number", "h1", "runin 2")} == {"sure"}
    plain = imported_plain["guofa-2018-44"].recognised.report
    assert [f.confidence for f in plain.findings if f.kind == "title"] == ["likely"]


def test_fixtures_are_deterministic(tmp_path):
    document = parse_issue(GOVCN).documents[4]
    assert make_docx.make_docx(document, 4, "国务院文件") == \
        make_docx.make_docx(document, 4, "国务院文件")


def test_fixtures_carry_the_habits(fixtures):
    """The habits the importer must cope with are in the fixtures' Word XML."""
    def part(doc_id, name="word/document.xml"):
        return zipfile.ZipFile(fixtures[doc_id]).read(name).decode()
    everything = "".join(part(d) for d in fixtures)
    for habit in ("w:gridSpan", 'w:vMerge w:val="restart"', "<w:vMerge/>", "w:tblHeader",
                  "<w:br/>", 'w:type="page"', "w:pageBreakBefore", "w:txbxContent",
                  "mc:Fallback", "CREATEDATE", "<w:tab/>", "w:numPr", "黄\u3000卫",
                  "主\u3000任", "总\u3000则", "w:firstLineChars", 'w:hint="eastAsia"',
                  'w:line="579"', 'w:eastAsia="方正小标宋简体"', 'w:eastAsia="楷体_GB2312"'):
        assert habit in everything, habit
    headers = "".join(part(d, n) for d in fixtures for n in zipfile.ZipFile(fixtures[d]).namelist()
                      if n.startswith("word/header") or n.startswith("word/footer"))
    assert "PAGE" in headers and "人民政府文件" in headers


# ---------------------------------------------------------------------- the report


def test_report_says_what_was_found_and_how_sure(imported):
    lines = imported["guohan-2006-132"].report_lines()
    text = "\n".join(lines)
    assert lines[0].startswith(str(imported["guohan-2006-132"].label))
    assert "0 warnings" in lines[0] and "0 guess" in lines[0]
    for expected in ("doc-number    sure   ¶3           国函〔2006〕132号",
                     "signature     sure", "国务院; 2006-12-30",
                     "attachments   sure", "label         ×2", "table         ×7",
                     "title         sure", "(3 lines)", "红头 banner ¶1 '国务院文件'",
                     "headers and footers ('— 1 —')"):
        assert expected in text, expected


def test_report_counts_headings_by_level(imported):
    text = "\n".join(imported["ndf-2021-20"].report_lines())
    assert "h1            ×10    10 sure" in text
    assert "runin 2       ×34    34 sure" in text
    assert "note          sure" in text and "date-line     sure" in text
    decree = "\n".join(imported["guoling-707"].report_lines())
    assert "decree        sure   ¶1-7         中华人民共和国国务院令第707号" in decree
    assert "signatory     sure" in decree and "article       ×36" in decree


def _docx(path: Path, build_body) -> Path:
    """A .docx written with python-docx: `build_body(document)` adds the content."""
    document = docx.Document()
    build_body(document)
    document.save(path)
    return path


def _para(document, text: str = "", *, align=None, font=None, size=None, bold=False,
          indent=False, style=None):
    p = document.add_paragraph(style=style)
    if align:
        p.alignment = {"center": 1, "right": 2}[align]
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)
    if text:
        run = p.add_run(text)
        if font:
            run._r.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
        run.font.size = Pt(size or 16)
        run.bold = bold
    return p


def test_report_warns_naming_the_word_paragraph(tmp_path):
    def body(document):
        _para(document, "关于测试导入的通知", align="center", font="方正小标宋简体", size=22)
        _para(document, "各有关单位：")
        p = _para(document, "第一行", indent=True, font="仿宋_GB2312")
        p.add_run().add_break()
        p.add_run("第二行").font.size = Pt(16)
        _para(document, "2021年5月6日", align="right", font="仿宋_GB2312")
    result = import_docx(_docx(tmp_path / "w.docx", body), "ceshi")
    lines = result.report_lines()
    warnings = [line for line in lines if "warning:" in line]
    assert len(warnings) == 2
    assert "¶3 '第一行 / 第二行': soft line breaks in a paragraph: joined" in warnings[0]
    assert "¶4 '2021年5月6日': a date at the right with no issuer" in warnings[1]
    xml = result.xml
    assert "<p>第一行第二行</p>" in xml and '<p align="right">2021年5月6日</p>' in xml
    assert "2 warnings" in lines[0]


def test_title_placed_by_position_is_a_guess(tmp_path):
    def body(document):
        _para(document, "关于测试的通知", align="center", font="仿宋_GB2312")
        _para(document, "正文。", indent=True, font="仿宋_GB2312")
    result = import_docx(_docx(tmp_path / "g.docx", body), "ceshi")
    assert "title         guess  ¶1           关于测试的通知" in "\n".join(result.report_lines())
    assert "<title>关于测试的通知</title>" in result.xml


# ---------------------------------------------------------------------- recognition


def test_word_heading_styles_lists_and_numbering(tmp_path):
    """Word's own structure: Heading styles (outline levels), bullets, automatic
    numbering in Chinese counting (一、 二、), tracked changes and fields."""
    def body(document):
        _para(document, "关于测试的通知", align="center", font="方正小标宋简体", size=22)
        _para(document, "总体要求", style="Heading 1")
        _para(document, "● 第一项", indent=True)
        _para(document, "● 第二项", indent=True)
        numbering = document.part.numbering_part.element
        numbering.append(docx.oxml.parse_xml(
            '<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            'main" w:abstractNumId="70"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
            '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
            '</w:abstractNum>'))
        numbering.append(docx.oxml.parse_xml(
            '<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:numId="70"><w:abstractNumId w:val="70"/></w:num>'))
        for text in ("主要任务", "保障措施"):
            p = _para(document, text, font="黑体", indent=True)
            num = docx.oxml.parse_xml(
                '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                'main"><w:ilvl w:val="0"/><w:numId w:val="70"/></w:numPr>')
            p._p.get_or_add_pPr().insert(0, num)
        p = _para(document, "保留", indent=True, font="仿宋_GB2312")
        deleted = docx.oxml.parse_xml(
            '<w:del xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:id="1" w:author="a"><w:r><w:delText>删去</w:delText></w:r></w:del>')
        p._p.append(deleted)
        inserted = docx.oxml.parse_xml(
            '<w:ins xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
            'w:id="2" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>')
        p._p.append(inserted)
        field = docx.oxml.parse_xml(
            '<w:fldSimple xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            'main" w:instr=" PAGE "><w:r><w:t>7</w:t></w:r></w:fldSimple>')
        p._p.append(field)
    xml = import_docx(_docx(tmp_path / "h.docx", body), "ceshi").xml
    assert "<h1>总体要求</h1>" in xml
    assert "<list>\n      <item>● 第一项</item>\n      <item>● 第二项</item>\n    </list>" in xml
    assert "<h1>一、主要任务</h1>" in xml and "<h1>二、保障措施</h1>" in xml
    assert "<p>保留插入7</p>" in xml and "删去" not in xml and "PAGE" not in xml


def test_letter_spacing_and_alignment_spaces(tmp_path):
    """Spaces typed to letter-space a short title line go; real spaces between names
    stay; a signature pushed right with typed spaces is a signature."""
    def body(document):
        _para(document, "国 务 院 工 作 规 则", align="center", font="方正小标宋简体", size=22)
        _para(document, "自治区党委 人民政府", align="center", font="方正小标宋简体", size=22)
        _para(document, "正文。", indent=True, font="仿宋_GB2312")
        _para(document, "\u3000" * 14 + "测试厅", font="仿宋_GB2312")
        _para(document, "\u3000" * 12 + "2021年5月6日", font="仿宋_GB2312")
    xml = import_docx(_docx(tmp_path / "s.docx", body), "ceshi").xml
    assert "<title>国务院工作规则<br/>自治区党委 人民政府</title>" in xml
    assert "<issuer>测试厅</issuer>" in xml and "<date>2021-05-06</date>" in xml


def test_ragged_tables_are_made_to_fill_the_grid(tmp_path):
    """Word allows rows with fewer cells than the grid, a vertical merge running from
    the header row into the body, a cell past the grid: the import fills, clamps and
    widens so that `typeset validate` takes the table, and keeps every cell's text."""
    def body(document):
        _para(document, "关于测试的通知", align="center", font="方正小标宋简体", size=22)
        table = document.add_table(rows=3, cols=3)
        for r, texts in enumerate((["甲", "乙", "丙"], ["1", "2", "3"], ["4", "5", "6"])):
            for c, text in enumerate(texts):
                table.cell(r, c).text = text
        rows = table._tbl.tr_lst
        head = rows[0].find(qn("w:trPr"))
        if head is None:
            head = OxmlElement("w:trPr")
            rows[0].insert(0, head)
        head.append(OxmlElement("w:tblHeader"))
        for r, kind in ((0, "restart"), (1, None)):  # header cell merged into the body
            tcpr = rows[r].tc_lst[0].get_or_add_tcPr()
            merge = OxmlElement("w:vMerge")
            if kind:
                merge.set(qn("w:val"), kind)
            tcpr.append(merge)
        rows[1].tc_lst[0].clear_content()
        rows[1].tc_lst[0].append(OxmlElement("w:p"))
        rows[1].remove(rows[1].tc_lst[2])  # a ragged row
        extra = copy.deepcopy(rows[2].tc_lst[2])  # a cell past the grid
        for t in extra.iter(qn("w:t")):
            t.text = "7"
        rows[2].append(extra)
    result = import_docx(_docx(tmp_path / "t.docx", body), "ceshi")
    issue = parse_issue(wrap(result.xml, tmp_path / "t.xml"))
    table = issue.documents[0].body[0]
    assert [[c.text() for c in row.cells] for row in (*table.head, *table.body)] == [
        ["甲", "乙", "丙", ""], ["", "2", "", ""], ["4", "5", "6", "7"]]
    assert table.head[0].cells[0].rowspan == 1 and table.cols == ()
    assert any("its rows fill 4 columns, its grid has 3" in w
               for w in result.recognised.report.warnings)


def test_text_never_becomes_markup(tmp_path):
    text = '<em>注意</em> & ]]> "引号" <!-- x -->'
    def body(document):
        _para(document, "关于测试的通知", align="center", font="方正小标宋简体", size=22)
        _para(document, text, indent=True, font="仿宋_GB2312")
    result = import_docx(_docx(tmp_path / "e.docx", body), "ceshi")
    issue = parse_issue(wrap(result.xml, tmp_path / "e.xml"))
    assert issue.documents[0].body[0].text() == text
    assert "<em>" not in etree.tostring(etree.fromstring(result.xml).find("body"),
                                        encoding="unicode").replace("&lt;em&gt;", "")


def test_pictures_are_extracted_with_safe_names(tmp_path):
    """A picture is written beside the output as <id>-1.png whatever its name in the
    .docx (here a hostile one), referenced by <figure>, and passes the build's checks."""
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 0, 0)).save(png, "PNG")
    source = tmp_path / "p.docx"

    def body(document):
        _para(document, "关于测试的通知", align="center", font="方正小标宋简体", size=22)
        _para(document, "正文。", indent=True, font="仿宋_GB2312")
        document.add_picture(io.BytesIO(png.getvalue()))
        document.paragraphs[-1].alignment = 1
        _para(document, "图1　示意图", align="center", font="仿宋_GB2312")
    _docx(source, body)
    _rename_part(source, "word/media/image1.png", "media/../../etc/x y;$(id).png")
    out = tmp_path / "out" / "ceshi.xml"
    assert main(["import", str(source), "--id", "ceshi", "-o", str(out)]) == 0
    assert sorted(p.name for p in out.parent.iterdir()) == ["ceshi-1.png", "ceshi.xml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p.docx"]
    document = etree.fromstring(out.read_bytes())
    figure = document.find("body/figure")
    assert figure.find("img").get("src") == "ceshi-1.png"
    assert figure.findtext("caption") == "图1　示意图"
    issue = out.parent / "issue.xml"
    wrap(out.read_text(encoding="utf-8"), issue)
    check_figures(parse_issue(issue))  # a sound image inside the issue's folder


def _rename_part(path: Path, old: str, target: str) -> None:
    """Move the part `old` to where the relationship target `target` (relative to
    word/) leads, and point the relationship there."""
    import posixpath

    new = posixpath.normpath(posixpath.join("word", target))
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".rels"):
                data = data.replace(old.removeprefix("word/").encode(), target.encode())
            zipped.writestr(new if info.filename == old else info.filename, data)
    path.write_bytes(out.getvalue())


# ---------------------------------------------------------------------- the command


def test_cli_writes_the_document_and_the_report(fixtures, tmp_path, capsys):
    out = tmp_path / "doc.xml"
    assert main(["import", str(fixtures["nzbh-2021-22"]), "--id", "nzbh-2021-22",
                 "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "nzbh-2021-22.docx:" in err and f"{out}: written" in err
    assert "appendix      sure" in err
    assert etree.fromstring(out.read_bytes()).get("id") == "nzbh-2021-22"


def test_cli_assembles_an_issue(fixtures, tmp_path, capsys):
    out = tmp_path / "new.xml"
    files = [str(fixtures[d]) for d in ("nzf-2021-15", "guofa-2018-44", "jjzb-2021-04")]
    assert main(["import", "--issue", str(out), *files]) == 0
    issue = parse_issue(out)
    assert [d.id for d in issue.documents] == ["nzf-2021-15", "guofa-2018-44", "jjzb-2021-04"]
    assert issue.meta.year == 2021 and issue.meta.name == "（公报名称）"
    assert "fill in meta" in out.read_text(encoding="utf-8")
    assert main(["import", "--issue", str(tmp_path / "twice.xml"), files[0], files[0]]) == 2
    assert "id 'nzf-2021-15' is taken" in capsys.readouterr().err
    assert not (tmp_path / "twice.xml").exists()


@pytest.mark.parametrize("argv, message", [
    (["--id", "1bad"], "--id '1bad': expected an ASCII letter"),
    (["-o", "{src}"], "is the Word file being imported"),
    (["{src}"], "several files go with --issue"),
])
def test_cli_usage_errors(argv, message, fixtures, capsys):
    src = str(fixtures["nzf-2021-15"])
    args = ["import", src, *[a.format(src=src) for a in argv]]
    before = Path(src).read_bytes()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert Path(src).read_bytes() == before


# ---------------------------------------------------------------------- bad input


def _zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as target:
        for name, data in entries.items():
            target.writestr(name, data)
    return out.getvalue()


def _entries(path: Path) -> dict[str, bytes]:
    source = zipfile.ZipFile(path)
    return {name: source.read(name) for name in source.namelist()}


def _lying_sizes(fixture: Path) -> bytes:
    """document.xml padded with 5 MB of spaces, its declared size set to 1,000 bytes."""
    entries = _entries(fixture)
    entries["word/document.xml"] += b" " * 5_000_000
    data = bytearray(_zip(entries))
    source = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = source.getinfo("word/document.xml")
    real = info.file_size.to_bytes(4, "little")
    fake = (1000).to_bytes(4, "little")
    assert data.count(real) >= 2
    return bytes(data.replace(real, fake))


def _bad_inputs(fixture: Path) -> dict[str, tuple[bytes, str]]:
    entries = _entries(fixture)
    macro = dict(entries)
    macro["[Content_Types].xml"] = macro["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.document.main+xml\"/>"
        b"<Override PartName=\"/word/vbaProject.bin\" ContentType=\"application/"
        b"vnd.ms-office.vbaProject")
    macro["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0" + b"\0" * 60
    docm = dict(entries)
    docm["[Content_Types].xml"] = docm["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        b"application/vnd.ms-word.document.macroEnabled.main+xml")
    dtd = dict(entries)
    dtd["word/document.xml"] = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                + dtd["word/document.xml"].split(b"?>", 1)[1])
    bomb = dict(entries)
    bomb["word/document.xml"] = b"<" + b"a" * 50_000_000
    many = {f"x/{n}": b"" for n in range(package.MAX_ENTRIES + 1)}
    broken = dict(entries)
    broken["word/document.xml"] = b"<w:document><w:body><w:p></w:body>"
    return {
        "random": (bytes(range(256)) * 40, "not a .docx file (no zip signature)"),
        "pdf": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a PDF, not a Word file"),
        "ole": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
                "encrypted or old .doc"),
        "empty": (b"", "empty file"),
        "docm": (_zip(docm), "a Word file with macros (.docm), refused"),
        "vba": (_zip(macro), "a Word file with macros (.docm), refused"),
        "dtd": (_zip(dtd), "has a DTD; a .docx has none"),
        "bomb": (_zip(bomb), "times; a zip bomb, not a document"),
        "lying": (_lying_sizes(fixture), "damaged zip entry 'word/document.xml'"),
        "entries": (_zip(many, zipfile.ZIP_STORED), "zip entries; a .docx has at most"),
        "xlsx": (_zip({"[Content_Types].xml": b"<Types/>"}), "not a Word document"),
        "broken": (_zip(broken), "not a readable Word file"),
    }


@pytest.fixture(scope="module")
def bad_inputs(fixtures):
    return _bad_inputs(fixtures["nzf-2021-15"])


@pytest.mark.parametrize("name", ["random", "pdf", "ole", "empty", "docm", "vba", "dtd",
                                  "bomb", "lying", "entries", "xlsx", "broken"])
def test_bad_input_is_one_line_and_writes_nothing(name, bad_inputs, tmp_path, capsys):
    data, message = bad_inputs[name]
    source = tmp_path / f"{name}.docx"
    source.write_bytes(data)
    out = tmp_path / "out" / "x.xml"
    started = time.perf_counter()
    assert main(["import", str(source), "-o", str(out)]) == 2
    assert time.perf_counter() - started < 5
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err
    assert err.startswith(str(source)) and message in err, err
    assert not out.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


def test_a_folder_is_not_a_docx(tmp_path, capsys):
    assert main(["import", str(tmp_path)]) == 2
    assert "not a regular file" in capsys.readouterr().err


def test_a_500_page_file_is_read_in_bounded_time(fixtures, tmp_path):
    """~500 pages (A4, 3号 text: ~600 characters a page) import in a few seconds; past
    MAX_PARAGRAPHS a file is refused in one line."""
    entries = _entries(fixtures["ndf-2021-20"])
    xml = entries["word/document.xml"].decode()
    start = xml.index("<w:body>") + len("<w:body>")
    end = xml.index("<w:sectPr")
    body = xml[start:end]
    copies = 32
    entries["word/document.xml"] = (xml[:start] + body * copies + xml[end:]).encode()
    big = tmp_path / "big.docx"
    big.write_bytes(_zip(entries))
    started = time.perf_counter()
    result = import_docx(big, "big")
    seconds = time.perf_counter() - started
    characters = len(result.document.text())
    assert characters > 500 * 600
    assert seconds < 8, f"{characters} characters took {seconds:.1f} s"


def test_paragraph_limit(fixtures, monkeypatch, capsys):
    monkeypatch.setattr(docx_reader, "MAX_PARAGRAPHS", 10)
    assert main(["import", str(fixtures["nzf-2021-15"])]) == 2
    assert "more than 10 paragraphs" in capsys.readouterr().err


def test_picture_in_an_unprintable_format_is_reported(tmp_path):
    """An EMF picture (Word's clip art) cannot be typeset: a warning, no figure."""
    def body(document):
        _para(document, "关于测试的通知", align="center", font="方正小标宋简体", size=22)
        p = _para(document, "正文。", indent=True, font="仿宋_GB2312")
        r = OxmlElement("w:r")
        p._p.append(r)
    source = _docx(tmp_path / "emf.docx", body)
    record = docx_reader.Image(b"\x01\x00\x00\x00EMF", docx_reader._image_kind(b"\x01EMF"), 10)
    assert record.kind == ""
    from typeset.importer.recognise import recognise

    read = docx_reader.read_docx(source)
    read.images.append(record)
    para = read.blocks[-1]
    read.blocks[-1] = type(para)(**{**para.__dict__,
                                    "runs": (*para.runs, docx_reader.Run("image", image=0))})
    result = recognise(read, "ceshi")
    assert result.figures == []
    assert any("a picture in a format the build cannot print" in w
               for w in result.report.warnings)
