"""The parse stage: valid issues become models; every broken fixture fails precisely."""

from pathlib import Path

import pytest
from lxml import etree

from typeset import parse
from typeset.cli import main
from typeset.errors import InputError
from typeset.model import Heading, Paragraph, cn_date

from .conftest import FIXTURES

BROKEN = FIXTURES / "broken"

# fixture file → (line, col, what the message must say)
EXPECTED = {
    "mismatched-tag.xml": (20, 31, "expected </p>, found </title>"),
    "missing-title.xml": (16, 7, "expected <title> in <document>, found <doc-number>"),
    "unexpected-element.xml": (20, 9, "in <body>, found <para>"),
    "wrong-order.xml": (18, 7, "expected <body> in <document>, found <doc-number>"),
    "bad-year.xml": (6, 5, "<year>: expected a year such as 2021, found '二〇二一'"),
    "bad-date.xml": (26, 9, "<date>: expected a date written YYYY-MM-DD"),
    "bad-runin-level.xml": (22, 12, "level= on <runin> must be one of '2', '3', '4', found '5'"),
    "unknown-attribute.xml": (21, 9, "unexpected attribute style= on <h1>"),
    "duplicate-id.xml": (15, 5, "duplicate id 'ceshi-1' (first used on line 13)"),
    "bad-issn.xml": (10, 5, "ISSN 1008-0784 has a wrong check digit"),
    "wrong-root.xml": (2, 1, "expected <issue> as the root element, found <gazette>"),
    "table-row-width.xml": (26, 13, "expected cells filling 3 columns in <row>, found 2"),
    "external-entity.xml": (2, 1, "a DOCTYPE is not allowed"),
    "entity-bomb.xml": (2, 1, "a DOCTYPE is not allowed"),
    "external-dtd.xml": (2, 1, "a DOCTYPE is not allowed"),
}


def test_every_broken_fixture_is_listed():
    assert sorted(p.name for p in BROKEN.glob("*.xml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_reports_path_line_col(name, capsys):
    line, col, text = EXPECTED[name]
    path = BROKEN / name
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith(f"{parse._label(path)}:{line}:{col}: "), err[0]
    assert text in err[0]
    assert "Traceback" not in err[0]


def test_minimal_issue_model(minimal_path):
    issue = parse.parse_issue(minimal_path)
    assert issue.meta.name == "测试自治区人民政府公报"
    assert issue.meta.year == 2021 and issue.meta.cumulative == 663
    (doc,) = issue.documents
    assert doc.id == "ceshi-1" and doc.section_id == "wenjian"
    assert doc.title_text == "自治区人民政府关于测试排版的通知"
    assert doc.doc_number == "测政发〔2021〕1号"
    assert isinstance(doc.body[1], Heading) and doc.body[1].level == 1
    para = doc.body[2]
    assert isinstance(para, Paragraph) and para.runin_level == 2
    assert para.text() == "（一）指导思想。以习近平新时代中国特色社会主义思想为指导。"
    assert doc.signature.printed_date == "2021年1月5日"
    assert "2021年1月5日" in doc.text() and "（此件公开发布）" in doc.text()


def test_cn_date_has_no_leading_zeros():
    import datetime as dt

    assert cn_date(dt.date(2021, 5, 7)) == "2021年5月7日"


def test_all_problems_are_collected(tmp_path):
    src = (FIXTURES / "minimal.xml").read_text()
    bad = src.replace('<section id="wenjian">', '<section id="ceshi-1">').replace(
        "<issn>1008-0783</issn>", "<issn>1008-0784</issn>"
    )
    path = tmp_path / "two.xml"
    path.write_text(bad)
    with pytest.raises(InputError) as info:
        parse.parse_issue(path)
    assert len(info.value.problems) == 2


def test_validate_many_files_reports_all(capsys):
    code = main(
        [
            "validate",
            str(BROKEN / "bad-issn.xml"),
            str(BROKEN / "bad-year.xml"),
            str(FIXTURES / "minimal.xml"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2
    assert "bad-issn.xml:10:5" in err and "bad-year.xml:6:5" in err
    assert "minimal.xml: valid" in out


def test_parser_never_resolves_entities_nor_reads_files():
    """Defence in depth: even past the DOCTYPE refusal the parser expands nothing."""
    xml = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    root = etree.fromstring(xml, etree.XMLParser(**parse._PARSER_OPTIONS))
    assert "root:" not in etree.tostring(root, encoding="unicode")


def test_parser_does_not_expand_entity_bomb():
    levels = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<!DOCTYPE r [<!ENTITY e0 "aaaaaaaaaa">{levels}]><r>&e9;</r>'.encode()
    try:
        root = etree.fromstring(xml, etree.XMLParser(**parse._PARSER_OPTIONS))
    except etree.XMLSyntaxError:
        return  # refused outright: fine
    assert len(etree.tostring(root)) < 10_000


def test_parser_has_no_network(tmp_path):
    path = tmp_path / "net.xml"
    path.write_text('<!DOCTYPE r SYSTEM "http://192.0.2.1/x.dtd"><r/>')
    parser = etree.XMLParser(**parse._PARSER_OPTIONS)
    root = etree.parse(str(path), parser).getroot()  # returns at once: nothing fetched
    assert root.tag == "r"


def test_unreadable_file_is_one_line(capsys, tmp_path):
    assert main(["validate", str(tmp_path / "missing.xml")]) == 2
    assert "cannot read file" in capsys.readouterr().err


def test_module_entry_point():
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "typeset", "validate", str(BROKEN / "bad-year.xml")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_text_runs_drop_xml_indentation(tmp_path):
    src = (
        (FIXTURES / "minimal.xml")
        .read_text()
        .replace(
            "<p>现将有关事项通知如下。</p>",
            "<p>现将有关\n          事项通知 ISSN\n   number 如下。</p>",
        )
    )
    path = tmp_path / "wrapped.xml"
    path.write_text(src)
    para = parse.parse_issue(path).documents[0].body[0]
    assert para.text() == "现将有关事项通知 ISSN number 如下。"


def test_relative_paths_are_reported_as_given(monkeypatch):
    monkeypatch.chdir(FIXTURES)
    with pytest.raises(InputError) as info:
        parse.parse_issue(Path("broken/bad-year.xml"))
    assert str(info.value).startswith("broken/bad-year.xml:6:5:")
