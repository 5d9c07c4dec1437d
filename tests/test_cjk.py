"""Tests for typeset.cjk (Chinese justification, punctuation, line breaking)
and typeset.typocheck (the measurements), rendered in-process with WeasyPrint."""

import io
import logging
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from typeset import cjk, clreq, typocheck

FONTS = Path(__file__).resolve().parents[1] / "fonts"
SERIF = sorted(FONTS.glob("*Serif*Regular*.otf"))
if SERIF:
    FONT_FACE = f'@font-face {{ font-family: Body; src: url("{SERIF[0].as_uri()}"); }}'
    FAMILY = "Body"
else:
    FONT_FACE = ""
    FAMILY = '"Noto Serif CJK SC"'

EM = 20  # px, font size of the fixtures: widths below are multiples of it

# Real gazette text (宁夏回族自治区人民政府公报), with digits, 、，。（） and pairs.
PARAGRAPHS = [
    "以习近平新时代中国特色社会主义思想为指导，深入贯彻党的十九大和十九届二中、三中、"
    "四中全会精神，认真落实自治区党委和人民政府关于深化全区医疗保障制度改革的部署要求，"
    "坚持以人民健康为中心，加快建成覆盖全民、城乡统筹、权责清晰、保障适度、可持续的多层次"
    "医疗保障体系。到2025年，全区医疗保障制度更加成熟定型，基本完成待遇保障、筹资运行、"
    "医保支付、基金监管等重要机制和医药服务供给、医保管理服务等关键领域的改革任务。",
    "（一）健全基本医疗保险制度。合理设置各级医疗机构起付标准和报销比例。改革职工医保"
    "个人账户，拓展个人账户支付范围，建立健全门诊费用共济保障机制。在2021年底前完善基本"
    "医保门诊大病政策，建立动态调整和差异化医保支付机制。修订自治区职工生育保险办法，推进"
    "生育保险和职工医保合并实施。（自治区医保局牵头，财政厅、司法厅、卫生健康委、宁夏银保"
    "监局配合，2022年完成）",
    "（二）落实国家医疗保障待遇清单制度。全面规范和完善我区基本医疗保险制度和政策，严格"
    "执行基本支付范围和标准，推进公平适度保障。规范政府决策权限，未经批准各地不得出台超出"
    "待遇清单范围的政策。对以往出台的与清单不相符的政策，由制定部门牵头完成清理。（自治区"
    "医保局牵头，财政厅配合，2022年完成）",
]


@pytest.fixture(autouse=True)
def no_weasyprint_warnings():
    """Fail on any warning WeasyPrint logs (Python warnings fail via pyproject)."""
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record)

    handler = Collect(level=logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not records, [record.getMessage() for record in records]


@pytest.fixture(autouse=True)
def enabled():
    cjk.enable()
    yield
    cjk.enable()  # restore default options for the next test


def render(body, css=""):
    html = f"""<html lang="zh-CN"><head><style>{FONT_FACE}
        @page {{ size: 400mm 600mm; margin: 10mm }}
        body {{ font-family: {FAMILY}; font-size: {EM}px; line-height: 1.6 }}
        p {{ margin: 0 }}
        {css}</style></head><body>{body}</body></html>"""
    return HTML(string=html).render()


def paragraphs(texts, tag="p"):
    return "".join(f"<{tag}>{text}</{tag}>" for text in texts)


def line_boxes(document):
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                yield box


def line_texts(document):
    texts = []
    for line in line_boxes(document):
        text = "".join(
            box.text for box in line.descendants() if isinstance(box, boxes.TextBox))
        texts.append(text)
    return texts


def text_boxes(document):
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TextBox):
                yield box


def char_positions(document):
    """(char, x of its em box, advance, font size) of every character, in order.

    The em box is where the glyph is drawn: pen position plus x offset.
    """
    result = []
    for box in text_boxes(document):
        pen = box.position_x
        for char, (advance, offset) in zip(
                box.text, typocheck.glyph_geometry(box), strict=True):
            result.append((char, pen + offset, advance, box.style["font_size"]))
            pen += advance
    return result


def extracted_text(document):
    pdf = document.write_pdf()
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# -- Justification ----------------------------------------------------------

TWO_COLUMNS = "body { columns: 2; column-gap: 1.3em; width: 31.7em } " \
              "p { text-align: justify; text-indent: 2em }"
ONE_COLUMN = "body { width: 15.4em } p { text-align: justify; text-indent: 2em }"


@pytest.mark.parametrize("css", [TWO_COLUMNS, ONE_COLUMN], ids=["two-column", "one-column"])
def test_justified_lines_end_flush(css):
    report = typocheck.check_document(render(paragraphs(PARAGRAPHS), css))
    assert report.justified_lines > 20
    assert report.ragged_lines == 0, report.examples["ragged"]


@pytest.mark.parametrize("css", [TWO_COLUMNS, ONE_COLUMN], ids=["two-column", "one-column"])
def test_ragged_without_cjk(css):
    cjk.disable()
    try:
        report = typocheck.check_document(render(paragraphs(PARAGRAPHS), css))
    finally:
        cjk.enable()
    assert report.ragged_lines > 0
    assert report.ragged_share > 0.2


def test_justified_with_spans_and_latin():
    text = (
        "各地要<b>严格执行</b>基本支付范围和标准，推进<em>公平适度</em>保障，"
        "运用DRG和PM2.5等指标，2021年起按COVID-19防控要求执行，规范政府决策权限，"
        "未经批准各地不得出台超出待遇清单范围的政策。对以往出台的政策，由制定部门牵头清理。")
    report = typocheck.check_document(render(
        f"<p>{text}</p>", "p { width: 12.3em; text-align: justify }"))
    assert report.justified_lines >= 5
    assert report.ragged_lines == 0, report.examples["ragged"]


def test_no_spacing_inside_latin_words_and_numbers():
    body = (
        "<p>推进公平适度保障，运用DRG和PM2.5等指标，2021年起按COVID-19防控要求执行，"
        "规范政府决策权限，未经批准各地不得出台政策。</p>")
    css = "p { width: 12.3em; text-align: justify }"
    cjk.disable()
    try:
        natural = char_positions(render(body, css))
    finally:
        cjk.enable()
    justified = char_positions(render(body, css))
    assert len(natural) == len(justified)
    inside_words = 0
    for i in range(len(justified) - 1):
        char, following = justified[i][0], justified[i + 1][0]
        if char in "0123456789PMDRGCOVI.-" and following in "0123456789PMDRGCOVI.-":
            inside_words += 1
            assert justified[i][2] == pytest.approx(natural[i][2], abs=0.01), char
    assert inside_words >= 12


def test_justified_table_cells_and_inline_blocks():
    text = PARAGRAPHS[1][:90]
    document = render(
        f"<table><tr><td>{text}</td><td>{text}</td></tr></table>"
        f"<p><span class=entry>{text}</span> <span class=entry>{text}</span></p>",
        "td { width: 9.5em; text-align: justify; vertical-align: top } "
        ".entry { display: inline-block; width: 9.3em; text-align: justify }")
    report = typocheck.check_document(document)
    assert report.justified_lines >= 16
    assert report.ragged_lines == 0, report.examples["ragged"]


# -- Line breaking ---------------------------------------------------------------

WIDTH_5 = "p { width: 5em; text-align: justify }"


@pytest.mark.parametrize("mark", sorted(cjk.NO_LINE_START))
def test_no_closing_mark_at_line_start(mark):
    # Five characters fill the line; a naive break puts the mark first on line 2.
    document = render(f"<p>中国人民政{mark}府工作报告文件</p>", WIDTH_5)
    lines = line_texts(document)
    assert len(lines) >= 2
    assert not any(line[0] in cjk.NO_LINE_START for line in lines[1:]), lines
    report = typocheck.check_document(document)
    assert report.line_start_violations == 0
    assert report.ragged_lines == 0


@pytest.mark.parametrize("mark", sorted(cjk.NO_LINE_END))
def test_no_opening_mark_at_line_end(mark):
    # The mark would be the fifth character, the last one of line 1.
    document = render(f"<p>中国人民{mark}政府工作报告文件</p>", WIDTH_5)
    lines = line_texts(document)
    assert not any(line[-1] in cjk.NO_LINE_END for line in lines[:-1]), lines
    report = typocheck.check_document(document)
    assert report.line_end_violations == 0
    assert report.ragged_lines == 0


@pytest.mark.parametrize("dash", ["——", "……"])
@pytest.mark.parametrize("before", ["中国人民政", "中国人民"])
def test_dash_and_ellipsis_never_split_nor_at_line_start(dash, before):
    document = render(f"<p>{before}{dash}府工作报告文件</p>", WIDTH_5)
    lines = line_texts(document)
    assert dash in "".join(lines)
    assert any(dash in line for line in lines), lines  # not split
    assert not any(line[0] in dash for line in lines), lines
    assert typocheck.check_document(document).line_start_violations == 0


def test_dash_between_boxes_not_at_line_start():
    document = render("<p>中国人民政<b>——</b>府工作报告文件</p>", WIDTH_5)
    lines = line_texts(document)
    assert not any(line[0] == "—" for line in lines), lines


def test_middle_dot_between_boxes_not_at_line_start():
    document = render("<p>中国人民<b>政</b>·府工作报告文件</p>", WIDTH_5)
    lines = line_texts(document)
    assert not any(line[0] == "·" for line in lines), lines


@pytest.mark.parametrize("dot", ["·", "•", "・"])
def test_interpunct_never_starts_a_line(dot):
    """间隔号 in its forms, the bullet • included (大连重工•起重集团): it stays with the
    name before it, wherever the line would break."""
    for position in range(1, 9):
        text = "中国人民政府工作报告"
        document = render(f"<p>{text[:position]}{dot}{text[position:]}</p>", WIDTH_5)
        lines = line_texts(document)
        assert not any(line.startswith(dot) for line in lines), lines


def test_number_and_following_unit_kept_together():
    # Without the rule Pango breaks 2021|年.
    document = render("<p>中国人2021年度报告文件</p>", "p { width: 6em }")
    lines = line_texts(document)
    assert any("2021年" in line for line in lines), lines


@pytest.mark.parametrize("word", ["COVID", "12345", "PM2.5"])
def test_latin_words_and_numbers_kept_whole(word):
    document = render(f"<p>中国人民{word}政府工作报告</p>", WIDTH_5)
    lines = line_texts(document)
    assert any(word in line for line in lines), lines


def test_pango_breaks_unchanged_elsewhere():
    # Han characters still break anywhere.
    document = render("<p>中国人民政府工作报告文件</p>", WIDTH_5)
    assert line_texts(document) == ["中国人民政", "府工作报告", "文件"]


# -- Punctuation compression --------------------------------------------------

@pytest.mark.parametrize("pair", ["。”", "）、", "》，", "，“", "“（", "：“"])
def test_adjacent_marks_take_one_and_a_half_em(pair):
    document = render(f"<p>中文{pair}中文</p>")
    positions = char_positions(document)
    # From the em box of 文 before the pair to the one of 中 after it.
    assert positions[4][1] - positions[1][1] == pytest.approx(2.5 * EM, abs=0.05)
    assert typocheck.check_document(document).uncompressed_pairs == 0


def test_adjacent_marks_across_boxes():
    document = render("<p>中文<b>。</b>”中文</p>")
    positions = char_positions(document)
    assert "".join(char for char, *_ in positions) == "中文。”中文"
    assert positions[4][1] - positions[1][1] == pytest.approx(2.5 * EM, abs=0.05)


def test_uncompressed_pairs_counted_without_cjk():
    cjk.disable()
    try:
        report = typocheck.check_document(render("<p>中文。”中文（“中文”）。</p>"))
    finally:
        cjk.enable()
    assert report.uncompressed_pairs == 4


def test_line_end_mark_is_half_width_and_line_justified():
    # Line 1 is 中国人民， (5 em natural): the comma is set half-width and the
    # freed half em is spread between the characters.
    document = render("<p>中国人民，政府工作报告文件</p>", WIDTH_5)
    assert line_texts(document)[0] == "中国人民，"
    positions = char_positions(document)[:5]
    left = positions[0][1]
    spacing = 0.5 * EM / 4  # four gaps
    for i, (_, x, _, _) in enumerate(positions):
        assert x == pytest.approx(left + i * (EM + spacing), abs=0.05)
    # The comma's em box is half an em and ends flush with the column.
    assert positions[4][1] + 0.5 * EM == pytest.approx(left + 5 * EM, abs=0.05)
    assert typocheck.check_document(document).ragged_lines == 0


def test_push_in_line_end_mark():
    # 中国人民政府。 is 7 em, 6.5 em with the 。 half-width: it fits 6.6 em,
    # where Pango alone would move 府。 down and leave a line 1.6 em short.
    css = "p { width: 6.6em; text-align: justify }"
    body = "<p>中国人民政府。工作报告文件</p>"
    cjk.disable()
    try:
        assert line_texts(render(body, css))[0] == "中国人民政"
    finally:
        cjk.enable()
    document = render(body, css)
    assert line_texts(document)[0] == "中国人民政府。"
    assert typocheck.check_document(document).ragged_lines == 0


def test_last_line_mark_keeps_full_width():
    document = render("<p>中国人民政府，工作。</p>", WIDTH_5)
    positions = char_positions(document)
    assert positions[-1][0] == "。"
    assert positions[-1][2] == pytest.approx(EM, abs=0.01)


# -- Han–Latin spacing ---------------------------------------------------------

def _gap_after(document, text_before, natural):
    """Space between the em box of a character and the next one, beyond the
    character's natural advance (from the ``natural`` positions)."""
    positions = char_positions(document)
    text = "".join(char for char, *_ in positions)
    i = text.index(text_before) + len(text_before) - 1
    return positions[i + 1][1] - positions[i][1] - natural[i][2]


HAN_LATIN = "<p>中文ABC中文2021年</p>"


def test_han_latin_space_off_by_default():
    natural = char_positions(render(HAN_LATIN))
    document = render(HAN_LATIN)
    for before in ("中文", "中文A", "中文AB", "中文ABC", "2021"):
        assert _gap_after(document, before, natural) == pytest.approx(0, abs=0.01)


def test_han_latin_space_on():
    natural = char_positions(render(HAN_LATIN))
    cjk.enable(han_latin_space=True)
    document = render(HAN_LATIN)
    quarter = 0.25 * EM
    assert _gap_after(document, "中文", natural) == pytest.approx(quarter, abs=0.05)
    assert _gap_after(document, "ABC", natural) == pytest.approx(quarter, abs=0.05)
    assert _gap_after(document, "C中文", natural) == pytest.approx(quarter, abs=0.05)
    assert _gap_after(document, "2021", natural) == pytest.approx(quarter, abs=0.05)
    # Nothing inside the Latin word or the number, nothing between Han.
    for before in ("中", "A", "AB", "C中", "C中文2", "C中文20", "C中文202"):
        assert _gap_after(document, before, natural) == pytest.approx(0, abs=0.05)


def test_han_latin_space_never_at_line_edges():
    cjk.enable(han_latin_space=True)
    document = render(
        "<p>中国人民政府ABCD工作报告文件2021年度</p>",
        "p { width: 6em; text-align: justify }")
    for line in line_boxes(document):
        leaves = [box for box in line.descendants() if isinstance(box, boxes.TextBox)]
        assert leaves[0].position_x == pytest.approx(line.position_x, abs=0.01)
    assert typocheck.check_document(document).ragged_lines == 0


# -- Copy and search -----------------------------------------------------------

def test_extracted_text_is_source_text():
    document = render(paragraphs(PARAGRAPHS), TWO_COLUMNS)
    text = extracted_text(document).replace("\n", "")
    assert " " not in text
    assert text == "".join(PARAGRAPHS)


def test_extracted_text_with_spans_and_compression():
    source = (
        "落实国家医疗保障待遇清单制度<b>。</b>”全面规范和完善我区基本医疗保险制度和政策（“引号”）、"
        "严格执行基本支付范围和标准，“推进公平适度保障”。规范政府决策权限<b>，</b>未经批准"
        "各地不得出台超出待遇清单范围的政策。")
    document = render(f"<p>{source}</p>", "p { width: 12.3em; text-align: justify }")
    text = extracted_text(document).replace("\n", "")
    assert text == source.replace("<b>", "").replace("</b>", "")


def test_no_character_added_to_boxes():
    document = render(paragraphs(PARAGRAPHS), TWO_COLUMNS)
    assert "".join(line_texts(document)) == "".join(PARAGRAPHS)


# -- Paragraph shape -------------------------------------------------------------

def test_last_line_holds_two_characters():
    # 5 + 5 + 1 characters: the last line would hold 了。 alone.
    document = render("<p>中国人民政府工作报告了。</p>", WIDTH_5)
    lines = line_texts(document)
    assert cjk.content_length(lines[-1]) >= 2, lines
    report = typocheck.check_document(document)
    assert report.one_char_last_lines == 0
    assert report.ragged_lines == 0


def test_last_line_rule_sees_past_markup_white_space():
    """A paragraph whose last word is in a span followed by white space and a block
    (a contents entry: title span, newline, 文号 block) still gets two characters on
    its last line: the collapsible space is not the paragraph's end."""
    body = ('<div><span>中国人民政府工作报告了。</span>\n'
            '  <span style="display: block">（1）</span></div>')
    lines = [t.strip() for t in line_texts(render(body, "div { width: 5em; text-align: justify }"))]
    assert lines[-1] == "（1）", lines
    assert cjk.content_length(lines[-2]) >= 2, lines


def test_repeated_table_header_is_not_a_one_char_last_line():
    """A header cell repeated on each page a table crosses is not a paragraph whose
    last line holds one character."""
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(200))
    document = render(f"<table><thead><tr><th>X</th></tr></thead><tbody>{rows}</tbody></table>",
                      "@page { size: 100mm 100mm }")
    assert len(document.pages) > 2
    assert typocheck.check_document(document).one_char_last_lines == 0


def test_one_char_last_line_counted_without_cjk():
    cjk.disable()
    try:
        report = typocheck.check_document(render("<p>中国人民政府工作报告了。</p>", WIDTH_5))
    finally:
        cjk.enable()
    assert report.one_char_last_lines == 1


# -- Long paragraphs ---------------------------------------------------------------

def test_char_index_is_the_character_at_a_utf8_offset():
    # Han, ASCII, Latin-1 and 4-byte characters; short texts and indexed ones.
    for text in ("中a", "中é𠀀。a" * 3, "中国a𠀀é，" * 400):
        for i in range(len(text) + 1):
            assert cjk.char_index(text, len(text[:i].encode())) == i


def test_content_length_from_start_up_to_limit():
    text = "，“中国”、1。a"  # content: 中 国 1 a
    assert cjk.content_length(text) == 4
    assert cjk.content_length(text, 4) == 2
    assert cjk.content_length(text, 0, limit=2) == 2
    assert cjk.content_length(text, 7, limit=2) == 1
    assert cjk.content_length(text, 9, limit=2) == 0


def test_last_line_rule_in_a_long_paragraph():
    # 1,502 characters in lines of 5: the last line would hold 了。 alone.
    text = "中国人民政府工作报告" * 150 + "了。"
    document = render(f"<p>{text}</p>", WIDTH_5)
    lines = line_texts(document)
    assert "".join(lines) == text
    assert cjk.content_length(lines[-1]) >= 2, lines[-3:]
    assert typocheck.check_document(document).one_char_last_lines == 0


def test_push_in_at_the_start_of_a_long_paragraph():
    text = "中国人民政府。工作报告文件" + "中国人民政府工作报告" * 110
    document = render(f"<p>{text}</p>", "p { width: 6.6em; text-align: justify }")
    lines = line_texts(document)
    assert "".join(lines) == text
    assert lines[0] == "中国人民政府。"


def test_rest_of_a_paragraph_is_not_read_on_every_line(monkeypatch):
    """Each line reads a few characters of the rest of its paragraph, not all of
    it (which made a build quadratic in the length of a paragraph)."""
    read = []
    content_re = clreq._CONTENT_RE

    class Counting:
        def findall(self, text, pos=0):
            read.append(len(text) - pos)
            return content_re.findall(text, pos)

        def finditer(self, text, pos=0):
            for match in content_re.finditer(text, pos):
                read.append(match.end() - pos)
                pos = match.end()
                yield match

    monkeypatch.setattr(clreq, "_CONTENT_RE", Counting())
    text = "".join(PARAGRAPHS) * 8  # about 4,000 characters in 260 lines
    document = render(f"<p>{text}</p>", ONE_COLUMN)
    assert len(list(line_boxes(document))) > 200
    assert 0 < sum(read) < 2 * len(text)


# -- typocheck --------------------------------------------------------------------

def test_stranded_heading_found():
    filler = "<p>" + "中" * 40 + "</p>"
    document = render(
        # 8 lines a column: 14 lines, the heading, then 1 of 4 lines fits.
        filler * 3 + "<p>" + "中" * 20 + "</p><h2>二、标题</h2>" + filler,
        "body { columns: 2; column-gap: 1em; width: 21em; height: 12.8em; "
        "column-fill: auto } p { orphans: 1; widows: 1 } "
        # WeasyPrint's own h2 { break-after: avoid } would move the heading.
        "h2 { margin: 0; font-size: 1em; break-after: auto }")
    report = typocheck.check_document(document)
    assert report.stranded_headings == 1
    assert report.examples["stranded_heading"][0].text == "二、标题"


def test_heading_with_text_after_is_fine():
    filler = "<p>" + "中" * 40 + "</p>"
    report = typocheck.check_document(render(
        "<h2>二、标题</h2>" + filler, "body { width: 10em } h2 { margin: 0; font-size: 1em }"))
    assert report.stranded_headings == 0


def test_report_examples_have_pages():
    cjk.disable()
    try:
        report = typocheck.check_document(render(paragraphs(PARAGRAPHS), TWO_COLUMNS))
    finally:
        cjk.enable()
    assert report.examples["ragged"]
    assert all(example.page == 1 for example in report.examples["ragged"])


# -- Internals ----------------------------------------------------------------------

def test_check_internals_passes():
    cjk.check_internals()


def test_enable_is_idempotent_and_updates_options():
    cjk.enable()
    cjk.enable()
    assert cjk.is_enabled()
    cjk.enable(han_latin_space=True)
    assert cjk._OPTIONS.han_latin_space
    cjk.enable()
    assert not cjk._OPTIONS.han_latin_space


def test_check_internals_fails_loudly_on_changed_signature(monkeypatch):
    from weasyprint.layout import inline

    cjk.disable()
    try:
        monkeypatch.setattr(inline, "text_align", lambda context, line, width: 0)
        with pytest.raises(RuntimeError, match="text_align"):
            cjk.check_internals()
        with pytest.raises(RuntimeError, match="text_align"):
            cjk.enable()
    finally:
        monkeypatch.undo()
        cjk.enable()


def test_check_internals_fails_on_other_version(monkeypatch):
    import weasyprint

    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(RuntimeError, match="71.0"):
        cjk.check_internals()


def test_han_latin_space_never_pushes_a_line_past_its_column(tmp_path):
    """The ¼ em added between Han and Latin after Pango broke a line could make it 3.6 pt
    wider than its column (the sample's 医疗保障 document, '年完成）'): such a line is
    tightened evenly instead, and the build's overflow check finds nothing."""
    from typeset.build import Options, build
    from typeset.typocheck import overflows

    from .conftest import SAMPLE

    result = build(SAMPLE, Options(output=tmp_path / "x.pdf", only="ndf-2021-13",
                                   han_latin_space=True))
    assert overflows(result.document) == []
    assert result.typography.overfull_lines == 0


# -- Reduce before expanding: loose lines ---------------------------------------------

GAZETTE_COLUMN = ("p { width: 82mm; font-size: 10.5pt; line-height: 1.72; "
                  "text-align: justify; text-indent: 2em; }")
#: Paragraphs of the sample issue, set in its column, that had a loose line (0.17 to
#: 0.20 em between characters) before punctuation was halved to take the next unit in.
LOOSE_PARAGRAPHS = [
    ('你厅《关于建立自治区公共法律服务体系建设部门联席会议制度的请示》（宁司发〔202'
    '1〕20号）收悉。经自治区人民政府研究，现函复如下：'),
    ('（十二）集中支持乡村振兴重点帮扶地区发展。原州区、西吉县、海原县、同心县、红寺堡'
    '区为国家乡村振兴重点帮扶县，盐池县、隆德县、泾源县、彭阳县为自治区乡村振兴重点帮'
    '扶县。对国家、自治区乡村振兴重点帮扶县，在财政、金融、土地、人才、基础设施建设、'
    '公共服务等方面给予差异化帮扶支持，增强其区域发展能力。川区县（市、区）确定100'
    '个左右自治区乡村振兴重点帮扶村（移民安置区），支持集中解决产业、就业、基础设施和'
    '公共服务等问题。各地培育树立一批乡村振兴示范乡村，为全面推进乡村振兴发挥示范引领'
    '作用。自治区、县（市、区）建立跟踪监测机制，对乡村振兴重点帮扶县、重点帮扶村（移'
    '民安置区）进行定期监测评估。〔责任单位：自治区扶贫办、党委组织部、发展改革委、教'
    '育厅、财政厅、人力资源社会保障厅、自然资源厅、住房城乡建设厅、交通运输厅、水利厅'
    '、卫生健康委、文化和旅游厅、地方金融监管局、统计局、医保局、人行银川中心支行、宁'
    '夏银保监局等，各市、县（区）〕'),
]
#: A paragraph whose loose line (…参考值 / 5000元）…) has no better break.
UNBREAKABLE = ('2.脱贫不稳定人口界定参考标准：脱贫不稳定人口要紧盯“两不愁三保障”实现程度，重'
    '点排查上一年度（界定月份的上月月份至当年上一月为一个年收入计算周期）家庭人均可支'
    '配收入低于国家扶贫标准1.5倍左右（2019年—2020年参考值5000元）的脱'
    '贫户且存在①内生动力不足、就业不稳增收乏力的；②因大病重病；③因突发事件（重大变'
    '故、疫情影响）；④因重大灾害；⑤因经营亏损（产业失败）等引发的刚性支出明显超过上'
    '年度收入和收入大幅缩减的；⑥或家庭主要劳动力因残完全丧失或部分丧失劳动力的，影响'
    '到“两不愁三保障”稳定实现等返贫风险。')


@pytest.mark.parametrize("text", LOOSE_PARAGRAPHS, ids=["20号", "县（区）"])
def test_punctuation_is_halved_before_a_line_is_spaced_out(text):
    """clreq: a line reduces before it expands.  Where the next unit (20号）, the
    paragraph's last 县（区）〕) fits once some of the line's marks are set half-width,
    it comes up, and no line opens more than 0.15 em between characters; without the
    rule these lines do."""
    loose = []
    for squeeze in (False, True):
        cjk.enable(squeeze=squeeze)
        report = typocheck.check_document(render(f"<p>{text}</p>", GAZETTE_COLUMN))
        loose.append(report.loose_lines + report.loose_unbreakable)
        assert (report.ragged_lines, report.overfull_lines) == (0, 0)
        assert report.line_start_violations == report.line_end_violations == 0
        assert report.one_char_last_lines == 0
    cjk.enable()
    assert loose[0] >= 1, "the fixture no longer has a loose line to fix"
    assert loose[1] == 0


def test_a_line_with_no_better_break_is_not_counted_loose():
    """A line loose because the next unit (5000元） cannot come up even with its marks
    halved is reported apart: no legal break would make it tighter."""
    document = render(f"<p>{UNBREAKABLE}</p>", GAZETTE_COLUMN)
    report = typocheck.check_document(document)
    lines = line_texts(document)
    assert any(line.endswith("参考值") for line in lines), lines
    assert report.loose_lines == 0
    assert report.loose_unbreakable == 1


def test_empty_bracket_pair_is_not_an_uncompressed_pair():
    """（） and “” have their blank halves outside: the engine leaves them full width
    and the typography check agrees; 。” (facing halves) is still compressed."""
    report = typocheck.check_document(render("<p>填写（）栏，见“”处。”</p>"))
    assert report.uncompressed_pairs == 0
    cjk.disable()
    try:
        report = typocheck.check_document(render("<p>填写（）栏，见“”处。”</p>"))
    finally:
        cjk.enable()
    assert report.uncompressed_pairs == 1  # only 。” without the engine


# -- Behaviour chosen by CSS: a layout or one element opts out ---------------------

@pytest.mark.parametrize("value", ["inter-word", "none"])
def test_text_justify_opts_out_of_inter_character_justification(value):
    css = f"{ONE_COLUMN} p.out {{ text-justify: {value} }}"
    ours = typocheck.check_document(render(paragraphs(PARAGRAPHS), css))
    out = typocheck.check_document(render(paragraphs(PARAGRAPHS, 'p class="out"'), css))
    assert ours.ragged_lines == 0 and ours.justified_lines > 20
    assert out.ragged_share > 0.2


def test_text_justify_inter_character_is_the_engine_default():
    css = f"{ONE_COLUMN} p {{ text-justify: inter-character }}"
    assert line_texts(render(paragraphs(PARAGRAPHS), css)) == line_texts(
        render(paragraphs(PARAGRAPHS), ONE_COLUMN))


@pytest.mark.parametrize("pair", ["。”", "）、", "，“"])
def test_text_spacing_trim_space_all_keeps_marks_full_width(pair):
    document = render(f'<p>中文{pair}中文<span style="text-spacing-trim: space-all">'
                      f'中文{pair}中文</span></p>')
    positions = char_positions(document)
    assert positions[4][1] - positions[1][1] == pytest.approx(2.5 * EM, abs=0.05)
    assert positions[10][1] - positions[7][1] == pytest.approx(3 * EM, abs=0.05)
    # the check reports the pair the element chose not to compress
    assert typocheck.check_document(document).uncompressed_pairs == 1


def test_line_break_loose_leaves_breaking_to_pango():
    strict = line_texts(render("<p>中国人2021年度报告文件</p>", "p { width: 6em }"))
    loose = line_texts(render("<p>中国人2021年度报告文件</p>",
                              "p { width: 6em; line-break: loose }"))
    assert any("2021年" in line for line in strict), strict
    assert not any("2021年" in line for line in loose), loose


def test_properties_unknown_to_weasyprint_outside_typeset_renders():
    from weasyprint.css.validation.properties import PROPERTIES

    names = ("text-justify", "text-spacing-trim", "line-break")
    assert all(name in PROPERTIES for name in names)  # enabled by the fixture
    cjk.disable()
    try:
        assert not any(name in PROPERTIES for name in names)
    finally:
        cjk.enable()


def test_gazette_layout_declares_the_engine_behaviour():
    css = (Path(__file__).resolve().parents[1] / "layouts" / "gazette"
           / "style.css.j2").read_text(encoding="utf-8")
    for declaration in ("text-justify: inter-character", "text-spacing-trim: trim-both",
                        "line-break: strict"):
        assert declaration in css
