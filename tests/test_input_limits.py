"""Trust nothing in the input (issue 8): limits, values, nesting, files, figure paths, glyphs.

Every bad input is one line `path:line:col: message` and exit code 2, never a
traceback; every limit is a constant of `typeset.parse` (documented in docs/format.md,
"Limits") and is tested on both sides of its edge.
"""

import os
import re
import time
from pathlib import Path

import pytest
from lxml import etree

from typeset import model as m
from typeset import parse
from typeset.cli import main
from typeset.errors import InputError
from typeset.layout import load_layout
from typeset.parse import parse_issue
from typeset.preflight import NOT_PRINTED, _cmap
from typeset.schema import DATATYPES, datatype_defines, validator, value_rules

from .conftest import FIXTURES, GOVCN, SAMPLE

MINIMAL = (FIXTURES / "minimal.xml").read_text(encoding="utf-8")
FEATURES = (FIXTURES / "features.xml").read_text(encoding="utf-8")
PARAGRAPH = "<p>现将有关事项通知如下。</p>"  # line 20 of minimal.xml, at column 9


def write(tmp_path: Path, text: str, name: str = "issue.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def replaced(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


def one_error(path, capsys) -> str:
    """Validate `path` through the CLI in process: exit 2 and exactly one line, returned."""
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


def label(path) -> str:
    return parse._label(Path(path))


# ----------------------------------------------------------------------------- the file


def test_file_over_the_size_limit_is_refused_after_reading_limit_plus_one(
    tmp_path, capsys, monkeypatch
):
    path = tmp_path / "huge.xml"
    with open(path, "wb") as f:
        f.truncate(1 << 30)  # a sparse GiB: reading it all would take seconds and memory
    reads: list[int] = []
    real_read = os.read

    def counting_read(fd, n):
        data = real_read(fd, n)
        reads.append(len(data))
        return data

    monkeypatch.setattr(parse.os, "read", counting_read)
    started = time.monotonic()
    line = one_error(path, capsys)
    assert line == (f"{label(path)}:0:0: the file is larger than 16 MiB (16,777,216 bytes), "
                    "the most an issue file may be")
    assert sum(reads) == parse.MAX_FILE_BYTES + 1
    assert time.monotonic() - started < 5


def test_file_of_exactly_the_size_limit_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(parse, "MAX_FILE_BYTES", len(MINIMAL.encode()))
    assert parse.parse_issue(write(tmp_path, MINIMAL)).meta.year == 2021
    monkeypatch.setattr(parse, "MAX_FILE_BYTES", len(MINIMAL.encode()) - 1)
    with pytest.raises(InputError, match="the file is larger than"):
        parse.parse_issue(write(tmp_path, MINIMAL))


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_not_a_regular_file(capsys):
    assert one_error("/dev/zero", capsys) == (
        "/dev/zero:0:0: not a regular file (a character device); expected an issue file"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path, capsys):
    fifo = tmp_path / "pipe.xml"
    os.mkfifo(fifo)
    assert one_error(fifo, capsys) == (
        f"{label(fifo)}:0:0: not a regular file (a FIFO); expected an issue file"
    )


def test_directory_is_not_a_regular_file(tmp_path, capsys):
    folder = tmp_path / "folder.xml"
    folder.mkdir()
    assert one_error(folder, capsys) == (
        f"{label(folder)}:0:0: not a regular file (a directory); expected an issue file"
    )


def test_utf8_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.xml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert parse.parse_issue(path).meta.year == 2021


@pytest.mark.parametrize(
    "encoding, found",
    [
        ("utf-16", "this one is UTF-16 (byte order mark)"),
        ("utf-16-le", "this one looks like UTF-16"),
        ("utf-16-be", "this one looks like UTF-16"),
        ("utf-32", "this one is UTF-32 (byte order mark)"),
    ],
)
def test_utf16_and_utf32_files_are_refused_plainly(tmp_path, capsys, encoding, found):
    path = tmp_path / "wide.xml"
    path.write_bytes(MINIMAL.replace("UTF-8", encoding.upper()).encode(encoding))
    assert one_error(path, capsys) == (
        f"{label(path)}:1:1: issue files are UTF-8; {found}: save it as UTF-8"
    )


def test_utf16_doctype_is_refused_as_utf16_not_misplaced(tmp_path, capsys):
    text = replaced(MINIMAL, "<issue ", "<!DOCTYPE issue>\n<issue ")
    path = tmp_path / "wide.xml"
    path.write_bytes(text.replace("UTF-8", "UTF-16").encode("utf-16"))
    assert "issue files are UTF-8" in one_error(path, capsys)


@pytest.mark.parametrize(
    "prolog, line, col",
    [
        ("<!DOCTYPE issue>\n", 2, 1),
        ("\n\n      <!DOCTYPE issue>", 4, 7),
        ("<!--" + "注释" * 4000 + "-->\n<?pi x?>\n  <!DOCTYPE issue [<!ENTITY e 'x'>]>", 4, 3),
        ("<!-- <!DOCTYPE in a comment> -->\n<!DOCTYPE issue>", 3, 1),
    ],
)
def test_doctype_is_reported_where_it_stands(tmp_path, capsys, prolog, line, col):
    text = replaced(MINIMAL, '<?xml version="1.0" encoding="UTF-8"?>\n',
                    '<?xml version="1.0" encoding="UTF-8"?>\n' + prolog + "\n")
    path = write(tmp_path, text)
    assert one_error(path, capsys) == f"{label(path)}:{line}:{col}: {_doctype()}"


def test_doctype_word_in_a_comment_is_not_a_doctype(tmp_path):
    text = replaced(MINIMAL, "<issue ", "<!-- <!DOCTYPE is refused -->\n<issue ")
    assert parse.parse_issue(write(tmp_path, text)).meta.year == 2021


def _doctype() -> str:
    return ("a DOCTYPE is not allowed in an issue file (DTDs and entities are refused); "
            "expected <issue> to follow the XML declaration")


# ----------------------------------------------------------------------------- nesting


def nested(depth_of_p_content: int) -> str:
    """minimal.xml with its first paragraph holding <em> nested `depth_of_p_content` deep."""
    inner = "<em>" * depth_of_p_content + "深" + "</em>" * depth_of_p_content
    return replaced(MINIMAL, PARAGRAPH, f"<p>{inner}</p>")


def test_nesting_up_to_the_limit_is_fine(tmp_path):
    # issue › section › document › body › p is 5 deep: 27 <em> reach depth 32
    issue = parse.parse_issue(write(tmp_path, nested(parse.MAX_DEPTH - 5)))
    node = issue.documents[0].body[0].content[0]
    depth = 1
    while node.children:
        node, depth = node.children[0], depth + 1
    assert depth == parse.MAX_DEPTH - 5 + 1  # the innermost text run


def test_nesting_past_the_limit_names_the_first_too_deep_element(tmp_path, capsys):
    path = write(tmp_path, nested(parse.MAX_DEPTH - 4))
    col = 9 + len("<p>") + (parse.MAX_DEPTH - 5) * len("<em>")
    assert one_error(path, capsys) == (
        f"{label(path)}:20:{col}: <em> is nested 33 deep; elements may nest at most 32 deep"
    )


def test_nesting_check_runs_before_any_recursive_code(tmp_path, monkeypatch):
    def boom(*args):
        raise AssertionError("recursive model building ran on a too-deep tree")

    monkeypatch.setattr(parse._Builder, "inline", boom)
    monkeypatch.setattr(parse, "_check_structure", boom)
    with pytest.raises(InputError, match="nested 33 deep"):
        parse.parse_issue(write(tmp_path, nested(240)))


def test_nesting_past_libxml2s_own_limit_is_one_line(tmp_path, capsys):
    path = write(tmp_path, nested(300))
    line = one_error(path, capsys)
    assert re.fullmatch(rf"{re.escape(label(path))}:20:\d+: elements nested too deep: the most "
                        r"is 32 levels", line), line


def test_deep_nesting_on_several_lines_is_placed_exactly(tmp_path, capsys):
    inner = "\n".join(["<em>"] * 40) + "深" + "</em>" * 40
    path = write(tmp_path, replaced(MINIMAL, PARAGRAPH, f"<p>{inner}</p>"))
    # the 28th <em> is at depth 33; the first sits on line 20 after <p>
    assert one_error(path, capsys) == (
        f"{label(path)}:47:1: <em> is nested 33 deep; elements may nest at most 32 deep"
    )


def test_elements_past_the_limit_are_refused_at_the_first_too_many(tmp_path, capsys):
    wbrs = "<wbr/>" * parse.MAX_ELEMENTS
    path = write(tmp_path, replaced(MINIMAL, PARAGRAPH, f"<p>现{wbrs}</p>"))
    root = etree.parse(str(path)).getroot()
    elements = list(root.iter())
    first_wbr = next(i for i, el in enumerate(elements) if el.tag == "wbr")
    nth = parse.MAX_ELEMENTS - first_wbr  # 0-based among the <wbr/>s: the 200,001st element
    col = 9 + len("<p>现") + nth * len("<wbr/>")
    assert one_error(path, capsys) == (
        f"{label(path)}:20:{col}: the issue has {len(elements):,} elements; an issue may have "
        "at most 200,000"
    )


def test_every_limit_is_documented_with_its_value():
    docs = (FIXTURES.parents[1] / "docs" / "format.md").read_text(encoding="utf-8")
    limits = docs[docs.index("\n## Limits\n"):]
    assert "16 MiB (16,777,216 bytes)" in limits and parse.MAX_FILE_BYTES == 16 * 1024 * 1024
    for name in ("MAX_DEPTH", "MAX_ELEMENTS", "MAX_TEXT_CHARS", "MAX_DOCUMENTS",
                 "MAX_TABLE_COLUMNS", "MAX_TABLE_ROWS", "MAX_FILE_BYTES"):
        row = next(line for line in limits.splitlines() if f"`{name}`" in line)
        if name != "MAX_FILE_BYTES":
            assert re.search(rf"\| {getattr(parse, name):,}\b", row), row


# ----------------------------------------------------------------------------- text size


def test_text_up_to_the_limit_is_fine(tmp_path):
    text = "字" * (parse.MAX_TEXT_CHARS - 10) + "<em>" + "重" * 10 + "</em>"
    issue = parse.parse_issue(write(tmp_path, replaced(MINIMAL, PARAGRAPH, f"<p>{text}</p>")))
    assert len(issue.documents[0].body[0].text()) == parse.MAX_TEXT_CHARS


@pytest.mark.parametrize(
    "element, content",
    [
        ("p", "字" * 50_000 + "<em>" + "重" * 50_001 + "</em>"),  # inline text counts
        ("p", "<runin level=\"2\">（一）</runin>" + "字" * 99_998),  # so does the run-in
    ],
)
def test_text_over_the_limit_is_refused_at_its_element(tmp_path, capsys, element, content):
    path = write(tmp_path, replaced(MINIMAL, PARAGRAPH, f"<p>{content}</p>"))
    assert one_error(path, capsys) == (
        f"{label(path)}:20:9: <p> holds 100,001 characters of text; one element may hold at "
        "most 100,000 (split it)"
    )


def test_title_over_the_limit_is_refused(tmp_path, capsys):
    old = "<title>自治区人民政府文件</title>"
    path = write(tmp_path, replaced(MINIMAL, old, f"<title>{'题' * 100_001}</title>"))
    assert one_error(path, capsys) == (
        f"{label(path)}:14:5: <title> holds 100,001 characters of text; one element may hold "
        "at most 100,000 (split it)"
    )


def test_attribute_over_the_limit_is_refused(tmp_path, capsys):
    old = '<document id="ceshi-1">'
    new = f'<document id="ceshi-1" kind="{"类" * 100_001}">'
    path = write(tmp_path, replaced(MINIMAL, old, new))
    assert one_error(path, capsys) == (
        f"{label(path)}:15:5: kind= on <document> holds 100,001 characters; an attribute may "
        "hold at most 100,000"
    )


# ----------------------------------------------------------------------------- documents


def with_documents(count: int) -> str:
    start = MINIMAL.index('    <document id="ceshi-1">')
    end = MINIMAL.index("    </document>") + len("    </document>\n")
    document = MINIMAL[start:end]
    copies = "".join(document.replace("ceshi-1", f"d{i}") for i in range(count))
    return MINIMAL[:start] + copies + MINIMAL[end:]


def test_documents_up_to_the_limit_are_fine(tmp_path):
    issue = parse.parse_issue(write(tmp_path, with_documents(parse.MAX_DOCUMENTS)))
    assert len(issue.documents) == parse.MAX_DOCUMENTS


def test_documents_over_the_limit_are_refused_at_the_first_too_many(tmp_path, capsys):
    path = write(tmp_path, with_documents(parse.MAX_DOCUMENTS + 1))
    start = MINIMAL.index('    <document id="ceshi-1">')
    end = MINIMAL.index("    </document>") + len("    </document>\n")
    first_line = 15 + MINIMAL[start:end].count("\n") * parse.MAX_DOCUMENTS
    assert one_error(path, capsys) == (
        f"{label(path)}:{first_line}:5: the issue has 1,001 documents; an issue may have at "
        "most 1,000"
    )


# ----------------------------------------------------------------------------- tables

TABLE_AT = '        <p>现将有关事项通知如下。</p>\n'


def with_table(table: str) -> str:
    return replaced(MINIMAL, TABLE_AT, TABLE_AT + table + "\n")


def test_columns_over_the_limit_are_refused(tmp_path, capsys):
    cols = '<col width="1"/>' * (parse.MAX_TABLE_COLUMNS + 1)
    cells = "<cell>x</cell>" * (parse.MAX_TABLE_COLUMNS + 1)
    table = f"<table><cols>{cols}</cols><tbody><row>{cells}</row></tbody></table>"
    path = write(tmp_path, with_table(table))
    col = 1 + len("<table><cols>") + parse.MAX_TABLE_COLUMNS * len('<col width="1"/>')
    assert one_error(path, capsys) == (
        f"{label(path)}:21:{col}: <table> has 65 columns; a table may have at most 64"
    )


def test_columns_up_to_the_limit_are_fine(tmp_path):
    cols = '<col width="1"/>' * parse.MAX_TABLE_COLUMNS
    cells = "<cell>x</cell>" * parse.MAX_TABLE_COLUMNS
    table = f"<table><cols>{cols}</cols><tbody><row>{cells}</row></tbody></table>"
    issue = parse.parse_issue(write(tmp_path, with_table(table)))
    assert issue.documents[0].body[1].ncols == parse.MAX_TABLE_COLUMNS


def test_row_wider_than_the_limit_without_cols_is_refused(tmp_path, capsys):
    cells = '<cell colspan="60">x</cell><cell colspan="5">y</cell>'
    path = write(tmp_path, with_table(f"<table><tbody><row>{cells}</row></tbody></table>"))
    assert one_error(path, capsys) == (
        f"{label(path)}:21:15: <row> spans 65 columns; a table may have at most 64"
    )


def test_rows_over_the_limit_are_refused_at_the_first_too_many(tmp_path, capsys):
    rows = "\n".join("<row><cell>x</cell></row>" for _ in range(parse.MAX_TABLE_ROWS + 1))
    path = write(tmp_path, with_table(f"<table><tbody>\n{rows}\n</tbody></table>"))
    line = 21 + 1 + parse.MAX_TABLE_ROWS
    assert one_error(path, capsys) == (
        f"{label(path)}:{line}:1: <table> has 10,001 rows; a table may have at most 10,000"
    )


def test_rows_up_to_the_limit_are_fine(tmp_path):
    rows = "".join("<row><cell>x</cell></row>" for _ in range(parse.MAX_TABLE_ROWS))
    issue = parse.parse_issue(write(tmp_path, with_table(f"<table><tbody>{rows}</tbody></table>")))
    assert len(issue.documents[0].body[1].body) == parse.MAX_TABLE_ROWS


@pytest.mark.parametrize(
    "cells, message",
    [
        ('<cell colspan="100000000">x</cell>',
         'colspan="100000000" on <cell> is more than 64 columns, the most a table may have'),
        ('<cell colspan="' + "1" * 5000 + '">x</cell>',  # past int()'s 4300 digits
         'colspan="111111111111…" on <cell> is more than 64 columns, the most a table may have'),
        ('<cell rowspan="2">x</cell>',
         'rowspan="2" on <cell> is more than the 1 row from its own to the end of its <tbody>'),
        ('<cell rowspan="100000000">x</cell>',
         'rowspan="100000000" on <cell> is more than the 1 row from its own to the end of its '
         "<tbody>"),
    ],
)
def test_spans_beyond_the_table_are_refused_before_anything_is_allocated(
    tmp_path, capsys, cells, message
):
    path = write(tmp_path, with_table(f"<table><tbody><row>{cells}</row></tbody></table>"))
    assert one_error(path, capsys) == f"{label(path)}:21:20: {message}"


def test_rowspan_may_not_reach_past_a_group_row(tmp_path, capsys):
    table = ("<table><tbody>\n<row><cell rowspan=\"2\">x</cell></row>\n<group>组</group>\n"
             "<row><cell>y</cell></row>\n</tbody></table>")
    path = write(tmp_path, with_table(table))
    assert one_error(path, capsys) == (
        f'{label(path)}:22:6: rowspan="2" on <cell> is more than the 1 row from its own to the '
        "next <group>"
    )


def test_the_cell_is_placed_exactly_among_cells_of_one_line(tmp_path, capsys):
    cells = '<cell>a</cell><cell>b</cell><cell colspan="9">c</cell>'
    cols = '<col width="1"/>' * 3
    table = f"<table><cols>{cols}</cols><tbody><row>{cells}</row></tbody></table>"
    path = write(tmp_path, with_table(table))
    col = table.index('<cell colspan="9">') + 1
    assert one_error(path, capsys) == (
        f"{label(path)}:21:{col}: colspan=\"9\" on <cell> is more than the table's 3 columns"
    )


# ----------------------------------------------------------------------------- values


def carrier(kind: str) -> tuple[str, str, str | None]:
    """(fixture text, XPath of an element holding a value of `kind`, attribute or None)."""
    return {
        "text": (MINIMAL, "//document/doc-number", None),
        "date": (MINIMAL, "//signature/date", None),
        "year": (MINIMAL, "//meta/year", None),
        "count": (MINIMAL, "//meta/number", None),
        "weight": (FEATURES, "//cols/col", "width"),
        "length": (FEATURES, "//img", "width"),
        "id": (MINIMAL, "//document", "id"),
        "issn": (MINIMAL, "//meta/issn", None),
        "url": (FEATURES, "//colophon/web", None),
        "figure-path": (FEATURES, "//img", "src"),
        "number-format": (MINIMAL, "//meta/number", "format"),
        "cumulative-format": (MINIMAL, "//meta/cumulative", "format"),
    }[kind]


HOSTILE = {
    "number-format": ["{year}年第{number}号", "第{number}期", "{number}", "{year}", "",
                      "{year}年第{number}号{cumulative}", "{number.__class__}", "{number!r}",
                      "{0}", "{{number}}", "{number}}", "{numbers}", "第{number}期{year}"],
    "cumulative-format": ["总号：{cumulative}", "（总第{cumulative}期）", "{cumulative}",
                          "总第期", "{cumulative.real}", "{cumulative}{cumulative}", "{x}", ""],
    "text": ["x", " x ", "", " ", "\u3000", "\u200b", "\u3000\u200b\n\t", "\u00a0", "a\u200b"],
    "date": ["2021-02-15", "2021-02-15+08:00", "2021-01-05Z", " 2021-01-05", "2021-01-05\n",
             "2021-02-29", "2020-02-29", "0000-01-01", "0001-01-01", "-2021-01-01",
             "12021-01-01", "2021-1-5", "２０２１-01-05", "٢٠٢١-٠١-٠٥", "2021-13-01", ""],
    "year": ["2021", "2021Z", "-2021", "0", "0000", "0999", "1000", "9999", "12021", " 2021",
             "2021+08:00", "+2021", "２０２１", "二〇二一", ""],
    "count": ["1", "10", "999999", "1000000", "0", "-1", "+1", " 1", "01", "1.0", "1e3",
              "٣", "1" * 5000, ""],
    "weight": ["3", "2.5", "0", "0.0", "0.001", "9999.999", "10000", "+3", " 3", "3.", ".5",
               "1e3", "NaN", "INF", "-1", "1" * 400, ""],
    "length": ["60%", "100%", "100.5%", "101%", "0%", "45mm", "4.5cm", "120pt", "0mm", "1px",
               "60 %", "+60%", "9999.99mm", "10000mm", "٣٠%", "calc(1%)", ""],
    "id": ["ceshi-1", "a", "a_b", " a", "a ", "1a", "-a", "a.b", "a:b", "中文", "a" * 64,
           "a" * 65, ""],
    "issn": ["1008-0783", "1008-078X", "1008 0783", "10080783", "١٠٠٨-٠٧٨٣", " 1008-0783", ""],
    "url": ["http://www.nx.gov.cn", "https://x", "ftp://x", "http://a b", "javascript:x",
            " http://x", "http://", ""],
    "figure-path": ["dot.svg", "figs/图1.png", "a..b.png", ".hidden/x.png", "...",
                    "file:///etc/passwd", "http://127.0.0.1/x.png", "data:image/png;base64,AA",
                    "javascript:alert(1)", "C:/x.png", "/etc/passwd", "../x.png", "a/../x.png",
                    "a/./x.png", "./x.png", "a\\x.png", "a//x.png", "a/", "x.png?v=1",
                    "x.png#f", "%2e%2e/x.png", "", " ", " x.png", "x .png", "x\u200b.png",
                    "x\u3000.png", "a:b.png", "~/x.png"],
}


def test_every_value_type_of_the_schema_has_a_rule_and_hostile_values():
    assert datatype_defines() == set(DATATYPES) == set(HOSTILE)


@pytest.mark.parametrize(
    "kind, value", [(kind, value) for kind, values in HOSTILE.items() for value in values]
)
def test_schema_and_parser_agree_on_every_value(tmp_path, kind, value):
    """What the schema accepts the parser models; what it refuses is one plain problem."""
    text, xpath, attr = carrier(kind)
    tree = etree.ElementTree(etree.fromstring(text.encode()))
    el = tree.xpath(xpath)[0]
    if attr:
        el.set(attr, value)
    else:
        el.text = value
    by_schema = validator().validate(tree)
    assert DATATYPES[kind].accepts(value) == by_schema, validator().error_log
    path = tmp_path / "v.xml"
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    try:
        parse.parse_issue(path)
    except InputError as exc:
        assert not by_schema or kind == "issn", exc  # an accepted ISSN may fail its check digit
        (problem,) = exc.problems
        assert problem.line > 0 and problem.col > 0
    else:
        assert by_schema


@pytest.mark.parametrize(
    "src",
    ["file:///etc/passwd", "http://127.0.0.1/x.png", "data:image/png;base64,AA",
     "javascript:alert(1)", "/etc/passwd", "../x.png", "figs/../../x.png", "a\\x.png",
     "a//x.png", "x.png?v=1", "x.png#f", "%2e%2e/x.png", " "],
)
def test_figure_src_outside_the_issue_folder_is_refused_at_the_img(tmp_path, capsys, src):
    path = write(tmp_path, replaced(FEATURES, 'src="dot.svg"', f'src="{src}"'))
    assert one_error(path, capsys) == (
        f"{label(path)}:93:11: src= on <img>: expected a relative path inside the issue's "
        f"folder, found {src!r}"
    )


def test_figure_src_is_kept_as_written(tmp_path):
    path = write(tmp_path, replaced(FEATURES, 'src="dot.svg"', 'src="图/示意图..1.svg"'))
    (figure,) = [b for d in parse.parse_issue(path).documents for b in d.body
                 if b.kind == "figure"]
    assert figure.src == "图/示意图..1.svg"


LABELS = {
    ("meta", "gazette"), ("document", "title"), ("appendix", "title"), ("board", "title"),
    ("section", "title"), ("document", "toc-title"), ("appendix", "toc-title"),
    ("document", "doc-number"), ("appendix", "doc-number"), ("signature", "issuer"),
    ("decree", "number"), ("decree", "signatory"), ("table", "caption"),
    ("figure", "caption"), ("chapter", "heading"), ("division", "heading"), ("body", "h1"),
    ("body", "h4"), ("tbody", "group"), ("attachments", "attachment"), ("document", "note"),
    ("p", "runin"), ("article", "num"), ("role", "person"), ("colophon", "printer"),
}


def test_every_printed_label_must_not_be_blank():
    rules = value_rules()
    for key in LABELS:
        assert rules[key].nonblank or rules[key].text_type == "text", key
    assert rules["board", "role"].attr_types == {"title": "text", "note": "text"}


@pytest.mark.parametrize(
    "old, new, line, col, message",
    [
        ("<gazette>测试自治区<br/>人民政府公报</gazette>", "<gazette><br/></gazette>", 4, 5,
         "expected text in <gazette>, found nothing"),
        ("<issuer>测试自治区人民政府</issuer>", "<issuer>\u3000</issuer>", 25, 9,
         "expected text in <issuer>, found only white space"),
        ("<note>（此件公开发布）</note>", "<note><em> </em></note>", 28, 7,
         "expected text in <note>, found only white space"),
        ("<h1>一、总体要求</h1>", "<h1>\u200b</h1>", 21, 9,
         "expected text in <h1>, found only white space"),
        ('<runin level="2">（一）指导思想。</runin>', '<runin level="2"/>', 22, 12,
         "expected text in <runin>, found nothing"),
    ],
    ids=["gazette", "issuer", "note", "h1", "runin"],
)
def test_blank_labels_are_refused_where_they_stand(tmp_path, capsys, old, new, line, col,
                                                   message):
    path = write(tmp_path, replaced(MINIMAL, old, new))
    assert one_error(path, capsys) == f"{label(path)}:{line}:{col}: {message}"


def test_blank_paragraphs_and_cells_stay_allowed(tmp_path):
    text = replaced(FEATURES, "<cell>2</cell>", "<cell> </cell>")
    para = "<p>为推进测试工作，制定本方案。</p>"
    text = replaced(text, para, para + "<p/>")
    assert parse.parse_issue(write(tmp_path, text))


# ----------------------------------------------------------------------------- glyphs


@pytest.fixture(scope="module")
def faces():
    return load_layout("gazette").faces


@pytest.fixture(scope="module")
def no_glyph(faces) -> list[str]:
    """Characters no face of the layout has (CJK Extension B, beyond the subsets)."""
    present = set().union(*(_cmap(path) for path in faces.values()))
    return [chr(c) for c in range(0x20001, 0x20800) if c not in present]


def glyph_problems(path: Path, faces) -> list:
    """The glyph check's problems for the issue at `path`: it runs inside the build,
    on the boxes WeasyPrint made from the layout's CSS, before any layout."""
    from typeset.build import Options, build

    with pytest.raises(InputError) as info:
        build(path, Options(output=path.with_suffix(".pdf")))
    assert not path.with_suffix(".pdf").exists()
    return info.value.problems


@pytest.mark.parametrize(
    "old, new, line, where",
    [
        ("<doc-number>测政发", "<toc-title>目录𠀁标题</toc-title>\n      <doc-number>测政发", 17,
         "document ceshi-1, <toc-title>"),
        ("  <section id=", "  <board>\n    <title>编委𠀁会</title>\n"
         '    <role title="主任"><person>甲乙丙</person></role>\n  </board>\n  <section id=', 14,
         "the cover, <title>"),
        ("<gazette>测试自治区<br/>", "<gazette>测试𠀁自治区<br/>", 4, "the cover, <gazette>"),
        ("<cn>64-1062/D</cn>", "<cn>64-1062/D𠀁</cn>", 11, "the cover, <cn>"),  # + colophon
        ("  <section id=", '  <colophon>\n    <printer>印刷厂𠀁</printer>\n  </colophon>\n'
         "  <section id=", 14, "the contents, <printer>"),
        ("<title>自治区人民政府文件</title>", "<title>自治区𠀁文件</title>", 14,
         "section wenjian, <title>"),
        ("<title>自治区人民政府关于<br/>", "<title>自治区人民政府关于<br/><em>𠀁</em>", 16,
         "document ceshi-1, <title>"),
    ],
    ids=["toc-title", "board-title", "gazette", "cn", "colophon", "section-title", "title-em"],
)
def test_preflight_names_missing_glyphs_of_the_front_matter_at_their_lines(
    tmp_path, faces, old, new, line, where
):
    text = replaced(MINIMAL, old, new)
    if old.startswith("<cn>"):  # the CN number prints in the colophon
        text = replaced(text, "  <section id=", "  <colophon><printer>印刷厂</printer></colophon>\n"
                        "  <section id=")
    path = write(tmp_path, text)
    problems = glyph_problems(path, faces)
    assert [(p.line, p.message.split(": no glyph")[0]) for p in problems] == [(line, where)]
    assert "'𠀁' U+20001" in problems[0].message


def test_glyph_check_is_about_what_prints(tmp_path, faces):
    """The check reads the boxes the layout makes: a glyphless character in a value the
    layout does not print (the CN number of an issue without colophon) is no error, and
    one in text the layout sets in a face without it is, named with that face."""
    from typeset.build import Options, build

    path = write(tmp_path, replaced(MINIMAL, "<cn>64-1062/D</cn>", "<cn>64-1062/D𠀁</cn>"))
    build(path, Options(output=tmp_path / "ok.pdf"))
    assert (tmp_path / "ok.pdf").exists()
    # 〚 is in the serif, not in the Kai: inside <kai> the CSS list (Kai, then serif)
    # prints it from the serif, so it is no error either
    assert 0x301A in _cmap(faces["serif"]) and 0x301A not in _cmap(faces["kai"])
    path = write(tmp_path, replaced(MINIMAL, "<p>现将有关事项通知如下。</p>",
                                    "<p><kai>现将〚有关〛事项</kai>通知如下。</p>"))
    build(path, Options(output=tmp_path / "kai.pdf"))
    # a character no face has is named with the faces its CSS lists, in their order
    path = write(tmp_path, replaced(MINIMAL, "<p>现将有关事项通知如下。</p>",
                                    "<p><kai>现将𠀁有关事项</kai><em>通知𠀂</em>如下。</p>"))
    with pytest.raises(InputError) as info:
        build(path, Options(output=tmp_path / "missing.pdf"))
    messages = [p.message.split(": ", 1)[1] for p in info.value.problems]
    assert messages == ["no glyph for '𠀁' U+20001 in the faces kai, serif",
                        "no glyph for '𠀂' U+20002 in the faces sans, serif"]


def test_preflight_through_the_cli_is_one_line_and_exit_2(tmp_path, capsys):
    path = write(tmp_path, replaced(MINIMAL, "<doc-number>测政发",
                                    "<toc-title>目录𠀁标题</toc-title>\n      <doc-number>测政发"))
    assert main(["build", str(path), "-o", str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"{path}:17:0: document ceshi-1, <toc-title>: no glyph for '𠀁' U+20001 "
                   "in the faces serif")
    assert not (tmp_path / "x.pdf").exists()


PRINTED_ATTRIBUTES = {("role", "title"), ("role", "note"), ("signatory", "title")}


def test_preflight_checks_every_printed_text_of_the_file(tmp_path, faces, no_glyph):
    """Each text of features.xml gets its own glyphless character: each is reported.

    The file is read independently of the model (every text node and every printed
    attribute), so a model field that preflight forgot would leave its character out.
    """
    text = replaced(FEATURES, "<board>", "<board><title>编辑委员会</title>")
    text = replaced(text, "<date-line>", "<toc-title>目录标题</toc-title><date-line>")
    root = etree.fromstring(text.encode())
    marks: dict[str, tuple[str, int]] = {}
    chars = iter(no_glyph)
    rules = value_rules()
    for el in root.iter(etree.Element):
        parent = el.getparent()
        kind = rules[parent.tag if parent is not None else None, el.tag].text_type
        if kind not in (None, "text"):
            continue  # a date, number or address: a glyphless character would make it invalid
        if el.text and el.text.strip():
            marks[char := next(chars)] = (el.tag, el.sourceline)
            el.text = char + el.text
        if el.tail and el.tail.strip():
            marks[char := next(chars)] = (el.getparent().tag, el.sourceline)
            el.tail = char + el.tail
        for attr in el.attrib:
            if (el.tag, attr) in PRINTED_ATTRIBUTES:
                marks[char := next(chars)] = (el.tag, el.sourceline)
                el.set(attr, char + el.get(attr))
    path = tmp_path / "features.xml"
    etree.ElementTree(root).write(str(path), encoding="UTF-8", xml_declaration=True)
    (tmp_path / "dot.svg").write_bytes((FIXTURES / "dot.svg").read_bytes())  # its figure
    problems = glyph_problems(path, faces)
    assert all(re.search(r" U\+([0-9A-F]+) ", p.message) for p in problems), problems
    reported = {chr(int(re.search(r" U\+([0-9A-F]+) ", p.message)[1], 16)): p for p in problems}
    assert set(marks) - set(reported) == set(), {marks[c] for c in set(marks) - set(reported)}
    assert all(p.line > 0 for p in problems)
    assert len(marks) > 60


def test_preflight_skips_only_fields_that_are_not_printed():
    """A new field is printed, and checked, unless someone decides otherwise here."""
    assert {"id", "kind", "section_id", "align", "src", "width", "date_style",
            "date_line_style", "published_style"} == NOT_PRINTED


def _every_figure(node):
    """Figures found by walking every field of every dataclass (no annotations read)."""
    import dataclasses

    if isinstance(node, m.Figure):
        yield node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            yield from _every_figure(getattr(node, f.name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from _every_figure(item)


@pytest.mark.parametrize("source", [*sorted(FIXTURES.glob("*.xml")), SAMPLE, GOVCN],
                         ids=lambda p: p.name)
def test_figures_skips_only_fields_that_cannot_hold_one(source):
    """check_figures walks the model by its annotations, skipping text runs: it finds
    every figure a walk of every field finds."""
    from typeset.resources import figures

    issue = parse_issue(source)
    assert list(figures(issue.sections)) == list(_every_figure(issue.sections))


def test_figures_walks_a_field_whose_annotation_does_not_say():
    """A container annotated loosely (object, a bare tuple) is walked."""
    import dataclasses

    from typeset.resources import figures

    figure = m.Figure("a.png", "", (), "", 3)

    @dataclasses.dataclass(frozen=True)
    class Loose:
        anything: object
        text: str = ""

    assert list(figures(Loose((figure,)))) == [figure]
