"""The parse stage: valid issues become models; every broken fixture fails precisely."""

import contextlib
from pathlib import Path

import pytest
from lxml import etree

from typeset import parse
from typeset.cli import main
from typeset.errors import InputError
from typeset.model import Heading, Paragraph, cn_date

from .conftest import FIXTURES, SAMPLE

BROKEN = FIXTURES / "broken"

DOCTYPE = (
    "a DOCTYPE is not allowed in an issue file (DTDs and entities are refused); "
    "expected <issue> to follow the XML declaration"
)

# fixture file → (line, col, the whole message)
EXPECTED = {
    "mismatched-tag.xml": (20, 31, "expected </p>, found </title>"),
    "missing-title.xml": (16, 7, "expected <title> in <document>, found <doc-number>"),
    "unexpected-element.xml": (20, 9, "expected <article> or <chapter> or <figure> or <h1> or "
                               "<h2> or <h3> or <h4> or <list> or <members> or <p> or "
                               "<table> in <body>, found <para>"),
    "wrong-order.xml": (18, 7, "expected <body> in <document>, found <doc-number>"),
    "bad-year.xml": (6, 5, "<year>: expected a year as four digits, such as 2021, "
                     "found '二〇二一'"),
    "bad-date.xml": (26, 9, "<date>: expected a date as YYYY-MM-DD, such as 2021-07-15, found "
                     "'2021-1-5'"),
    "bad-runin-level.xml": (22, 12,
                            "level= on <runin> must be one of '1', '2', '3', '4', found '5'"),
    "unknown-attribute.xml": (21, 9, "unexpected attribute style= on <h1> (allowed: none)"),
    "duplicate-id.xml": (15, 5, "duplicate id 'ceshi-1' (first used on line 13)"),
    "bad-issn.xml": (10, 5, "ISSN 1008-0784 has a wrong check digit"),
    "wrong-root.xml": (2, 1, "expected <issue> as the root element, found <gazette>"),
    "table-row-width.xml": (26, 13, "expected cells filling 3 columns in <row>, found 2"),
    "external-entity.xml": (2, 1, DOCTYPE),
    "entity-bomb.xml": (2, 1, DOCTYPE),
    "external-dtd.xml": (2, 1, DOCTYPE),
    # issue 8: values the schema used to accept and the parser crashed on, or printed as nonsense
    "date-with-zone.xml": (9, 5, "<published>: expected a date as YYYY-MM-DD, such as "
                           "2021-07-15, found '2021-02-15+08:00'"),
    "date-utc.xml": (26, 9, "<date>: expected a date as YYYY-MM-DD, such as 2021-07-15, "
                     "found '2021-01-05Z'"),
    "date-not-in-calendar.xml": (26, 9, "<date>: expected a date as YYYY-MM-DD, such as "
                                 "2021-07-15, found '2021-02-29'"),
    "year-with-zone.xml": (6, 5, "<year>: expected a year as four digits, such as 2021, "
                           "found '2021Z'"),
    "year-negative.xml": (6, 5, "<year>: expected a year as four digits, such as 2021, "
                          "found '-2021'"),
    "year-zero.xml": (6, 5, "<year>: expected a year as four digits, such as 2021, found '0'"),
    "number-signed.xml": (7, 5, "<number>: expected a whole number from 1 to 999999, such as "
                          "10, found '+1'"),
    "col-width-zero.xml": (96, 17, "width= on <col>: expected a relative width: a number above "
                           "0 such as 3 or 2.5 (at most 4 digits, 3 decimals), found '0'"),
    "id-with-spaces.xml": (15, 5, "id= on <document>: expected an id: an ASCII letter, then "
                           "letters, digits, - and _ (64 characters at most), found ' ceshi-1 '"),
    # labels that print as nothing
    "blank-title.xml": (16, 7, "expected text in <title>, found only white space"),
    "empty-toc-title.xml": (17, 7, "expected text in <toc-title>, found nothing"),
    "blank-section-title.xml": (14, 5, "expected text in <title>, found only white space"),
    "blank-board-title.xml": (14, 5, "expected text in <title>, found only white space"),
    "blank-role-title.xml": (14, 5, "expected text in title= on <role>, found only white space"),
    # nesting, spans, figure paths
    "deep-inline.xml": (20, 120, "<em> is nested 33 deep; elements may nest at most 32 deep"),
    "colspan-huge.xml": (102, 18, 'colspan="100000000" on <cell> is more than the table\'s 4 '
                         "columns"),
    "rowspan-past-end.xml": (100, 48, 'rowspan="4" on <cell> is more than the 3 rows from its '
                             "own to the end of its <tbody>"),
    "figure-src-file-url.xml": (91, 11, "src= on <img>: expected a relative path inside the "
                                "issue's folder, found 'file:///etc/passwd'"),
    # the file itself
    "doctype-late.xml": (44, 3, DOCTYPE),  # past the first 4 KiB
    "utf16.xml": (1, 1, "issue files are UTF-8; this one is UTF-16 (byte order mark): "
                  "save it as UTF-8"),
    "encoding-latin1.xml": (1, 31, "issue files are UTF-8; found encoding='ISO-8859-1'"),
    "not-utf8.xml": (20, 16, "issue files are UTF-8; found the byte 0xD3, which is not UTF-8 "
                     "here"),
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
    assert err[0] == f"{parse._label(path)}:{line}:{col}: {text}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_fixture_raises_input_error_only(name):
    """In process too: every broken fixture is an InputError, never another exception."""
    with pytest.raises(InputError) as info:
        parse.parse_issue(BROKEN / name)
    assert len(info.value.problems) == 1


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


def test_parser_keeps_entity_references_unexpanded():
    """Defence in depth past the DOCTYPE refusal; the control shows this check can fail."""
    xml = b'<!DOCTYPE r [<!ENTITY x "EXPANDED">]><r>&x;</r>'
    ours = etree.fromstring(xml, etree.XMLParser(**parse._PARSER_OPTIONS))
    assert "EXPANDED" not in "".join(ours.itertext())
    expanding = etree.fromstring(xml, etree.XMLParser(resolve_entities=True))
    assert "EXPANDED" in "".join(expanding.itertext())


def test_parser_refuses_an_entity_bomb_even_unexpanded():
    levels = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10))
    xml = f'<!DOCTYPE r [<!ENTITY e0 "aaaaaaaaaa">{levels}]><r>&e9;</r>'.encode()
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):
        etree.fromstring(xml, etree.XMLParser(**parse._PARSER_OPTIONS))


@pytest.fixture
def http_server():
    """A local HTTP server; yields (base URL, list of paths requested)."""
    import http.server
    import threading

    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "FETCHED">')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()
    thread.join()


def test_parsing_fetches_nothing(tmp_path, http_server):
    import urllib.request

    base, hits = http_server
    minimal = (FIXTURES / "minimal.xml").read_text()
    variants = {
        "dtd.xml": minimal.replace("<issue ", f'<!DOCTYPE issue SYSTEM "{base}/dtd">\n<issue '),
        "xinclude.xml": minimal.replace(
            "<p>现将有关事项通知如下。</p>",
            f'<p><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{base}/xi"/></p>'),
        "stylesheet.xml": minimal.replace(
            "<issue ", f'<?xml-stylesheet href="{base}/xsl"?>\n<issue '),
        "location.xml": minimal.replace(
            '<issue version="1">',
            '<issue version="1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:noNamespaceSchemaLocation="{base}/xsd">'),
    }
    for name, text in variants.items():
        path = tmp_path / name
        path.write_text(text)
        with contextlib.suppress(InputError):  # refused (DOCTYPE, unknown element) or a PI
            parse.parse_issue(path)
    assert hits == []
    with urllib.request.urlopen(f"{base}/control") as response:  # the control: a fetch is seen
        response.read()
    assert hits == ["/control"]


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


class _Asked(etree.Resolver):
    """Records every external resource libxml2 asks for (DTD, entity; any scheme), then
    lets libxml2 carry on as it would: it sees a fetch even where libxml2 has no HTTP
    client (2.14 has none), so the test does not depend on a network being there."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def resolve(self, url, pubid, context):
        self.urls.append(url)
        return None


def _asks(xml: bytes, **options) -> tuple[list[str], str]:
    """What a parser with `options` asks for while parsing `xml`, and the text it keeps."""
    parser = etree.XMLParser(**options)
    asked = _Asked()
    parser.resolvers.add(asked)
    try:
        text = "".join(etree.fromstring(xml, parser).itertext())
    except etree.XMLSyntaxError:
        text = ""
    return asked.urls, text


def test_parser_asks_for_no_external_resource(tmp_path):
    """Past the DOCTYPE refusal, the parser itself asks for nothing: DTDs and external
    entities, file: or http:.  The control (a loading parser) shows this can fail."""
    (tmp_path / "x.dtd").write_text('<!ENTITY x "FETCHED">')
    (tmp_path / "x.txt").write_text("FETCHED")
    documents = [
        f'<!DOCTYPE r SYSTEM "{(tmp_path / "x.dtd").as_uri()}"><r>&x;</r>',
        '<!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>',
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{(tmp_path / "x.txt").as_uri()}">]><r>&x;</r>',
        '<!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x.txt">]><r>&x;</r>',
    ]
    for xml in documents:
        asked, text = _asks(xml.encode(), **parse._PARSER_OPTIONS)
        assert asked == [] and "FETCHED" not in text
    loading = dict(load_dtd=True, resolve_entities=True, no_network=False)
    assert all(_asks(xml.encode(), **loading)[0] for xml in documents)


def test_parser_does_not_expand_a_bomb_libxml2_lets_through():
    """10^5 characters from 5 levels of entities: libxml2's own amplification guard lets
    this one through (it refuses 10^6), so only our options keep it unexpanded."""
    levels = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 5))
    xml = f'<!DOCTYPE r [<!ENTITY e0 "aaaaaaaaaa">{levels}]><r>&e4;</r>'.encode()
    ours = etree.fromstring(xml, etree.XMLParser(**parse._PARSER_OPTIONS))
    assert len("".join(ours.itertext())) < 100  # the reference kept, not its expansion
    expanding = etree.fromstring(xml, etree.XMLParser(resolve_entities=True))
    assert "".join(expanding.itertext()) == "a" * 100_000  # the control


def test_full_width_spaces_are_text(tmp_path):
    """U+3000 is never stripped, collapsed or made an ASCII space (Python's split() and
    \\s would take it): leading, trailing, after an XML line break, in a plain field."""
    text = (FIXTURES / "minimal.xml").read_text(encoding="utf-8")
    text = text.replace("<p>现将有关事项通知如下。</p>",
                        "<p>　　现将有关事项\n            　通知如下。　</p>")
    text = text.replace("<issuer>测试自治区人民政府</issuer>", "<issuer>主　　任 黄　卫</issuer>")
    path = tmp_path / "x.xml"
    path.write_text(text, encoding="utf-8")
    issue = parse.parse_issue(path)
    doc = issue.documents[0]
    assert doc.body[0].text() == "　　现将有关事项　通知如下。　"
    assert doc.signature.issuers == ("主　　任 黄　卫",)


@pytest.mark.parametrize("iso, printed", [
    ("2006-12-30", "二〇〇六年十二月三十日"), ("2021-02-28", "二〇二一年二月二十八日"),
    ("2018-10-01", "二〇一八年十月一日"), ("2004-01-20", "二〇〇四年一月二十日"),
    ("2020-11-11", "二〇二〇年十一月十一日"), ("1996-05-31", "一九九六年五月三十一日")])
def test_chinese_numeral_dates(iso, printed):
    import datetime as dt

    assert cn_date(dt.date.fromisoformat(iso), "chinese") == printed


def test_dates_print_in_the_style_the_document_uses(tmp_path):
    """A date is stored once as ISO plus a style, never retyped: style="chinese" on
    <date>, <date-line> and <published>; arabic without it."""
    text = (FIXTURES / "minimal.xml").read_text(encoding="utf-8")
    text = text.replace("<date>2021-01-05</date>", '<date style="chinese">2006-12-30</date>')
    text = text.replace("<published>2021-01-15</published>",
                        '<published style="arabic">2021-01-15</published>')
    path = tmp_path / "x.xml"
    path.write_text(text, encoding="utf-8")
    issue = parse.parse_issue(path)
    assert issue.documents[0].signature.printed_date == "二〇〇六年十二月三十日"
    assert issue.meta.printed_published == "2021年1月15日"
    assert "二〇〇六年十二月三十日" in issue.documents[0].text()
    path.write_text(text.replace('style="chinese"', 'style="roman"'), encoding="utf-8")
    with pytest.raises(InputError, match=r"style= on <date> must be one of 'arabic', 'chinese'"):
        parse.parse_issue(path)


def test_a_document_parsed_again_unchanged_is_the_model_built_before(tmp_path):
    """`--watch` parses the issue at each save: the documents whose XML and lines are
    the same as before are the models built then; an edited document, and one
    whose lines moved, is built again, and ids are still checked across all."""
    text = SAMPLE.read_text(encoding="utf-8")
    copy = tmp_path / SAMPLE.name
    copy.write_text(text, encoding="utf-8")
    first = parse.parse_issue(copy)
    anchor = "为深入贯彻落实中共中央、国务院关于实现巩固拓展脱贫攻坚成果"  # in ndf-2021-15
    copy.write_text(text.replace(anchor, anchor + "一"), encoding="utf-8")
    second = parse.parse_issue(copy)
    same = [a is b for a, b in zip(first.documents, second.documents, strict=True)]
    assert same == [d.id != "ndf-2021-15" for d in first.documents]
    edited = second.document("ndf-2021-15")
    assert anchor + "一" in repr(edited) and anchor + "一" not in repr(first.documents)
    # a line added before a document moves its lines: built again, with the new ones
    copy.write_text(text.replace(anchor, anchor + "\n"), encoding="utf-8")
    moved = parse.parse_issue(copy)
    for old, new in zip(first.documents, moved.documents, strict=True):
        assert (old is new) == (old.line < first.document("ndf-2021-15").line)
        assert new.line == old.line + (old.line > first.document("ndf-2021-15").line)
    # a kept document's id given to an earlier element is still a duplicate
    section = '<section id="dangwei-zhengfu">'
    assert text.count(section) == 1
    copy.write_text(text.replace(section, '<section id="nzf-2021-18">'), encoding="utf-8")
    with pytest.raises(InputError, match="duplicate id 'nzf-2021-18'"):
        parse.parse_issue(copy)
