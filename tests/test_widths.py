"""typeset.cjk.widths: table cells' intrinsic widths measured once per distinct text
and style, with the same result as measuring each."""

from weasyprint.formatting_structure import boxes

from typeset import cjk
from typeset.cjk import widths

from .test_columns import render

ROWS = [("1", "野狐岭的传说", "吴忠市盐池县", "盐池县文化馆"),
        ("2", "王氏古传道乐", "银川市永宁县", "永宁县文化旅游广电局"),
        ("3", "古琴艺术", "吴忠市利通区", "宁夏辅贤堂科技有限公司"),
        ("4", "贺兰民间方言小戏", "银川市贺兰县", "贺兰县文化馆"),
        ("5", "绳镖（武术）", "石嘴山市惠农区", "惠农区文化馆")]
TABLE = "<table>" + "".join(
    "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in ROWS * 4
) + "</table>"
CSS = "td { border: 0.5pt solid; padding: 1mm } table { border-collapse: collapse }"


def cells(document):
    return [(round(box.position_x, 3), round(box.width, 3), box.element.text)
            for page in document.pages for box in page._page_box.descendants()
            if isinstance(box, boxes.TableCellBox)]


def test_same_cell_widths_with_fewer_measurements():
    html = render(TABLE, CSS)
    calls = [0]
    original = widths._ORIGINAL

    with cjk.active():
        measure = original["split_first_line"]

        def counting(*args, **kwargs):
            calls[0] += 1
            return measure(*args, **kwargs)

        original["split_first_line"] = counting
        try:
            widths.forget()
            ours = cells(html.render())
            measured = calls[0]
            from weasyprint.layout import preferred
            cached = preferred.split_first_line
            preferred.split_first_line = counting  # every question to Pango
            try:
                calls[0] = 0
                theirs = cells(html.render())
            finally:
                preferred.split_first_line = cached
        finally:
            original["split_first_line"] = measure
    assert ours == theirs and len(ours) == 4 * len(ROWS) * 4
    assert measured < calls[0] / 3  # each distinct cell measured once, not four times


def test_answers_outlive_a_render_and_stay_bounded(monkeypatch):
    widths.forget()
    with cjk.active():
        render(TABLE, CSS).render()
    kept = len(widths._ANSWERS)
    assert kept  # a warm preview lays out the same tables again
    monkeypatch.setattr(widths, "LIMIT", kept)
    with cjk.active():
        render(TABLE.replace("县", "市"), CSS).render()
    assert len(widths._ANSWERS) <= kept


def _chunks(count: int) -> list[str]:
    """`count` pieces of the two sample issues' text, 1 to 24 characters, from places
    drawn with a fixed seed: Han text with its punctuation, numbers and Latin."""
    import random

    from lxml import etree

    from .conftest import ROOT

    text = "".join("".join(etree.parse(str(ROOT / "issues" / name)).getroot().itertext())
                   for name in ("2021-10.xml", "guowuyuan-2018-36.xml"))
    text = " ".join(text.split())
    draw = random.Random(11)
    chunks = []
    while len(chunks) < count:
        start = draw.randrange(len(text) - 30)
        chunk = text[start:start + draw.randint(1, 24)].strip()
        if chunk:
            chunks.append(chunk.replace("&", "&amp;").replace("<", "&lt;"))
    return chunks


def test_min_content_from_one_layout_is_weasyprint_s():
    """A cell's min- and max-content widths, with the rest-by-rest questions of a
    min-content width answered from one layout of the text (`_segmented`), equal
    WeasyPrint's, asking Pango each question: for 480 pieces of real text, where
    lines break at words, anywhere, and after an inline box."""
    from weasyprint.layout import preferred

    chunks = _chunks(480)
    rows = []
    for i in range(0, len(chunks), 4):
        a, b, c, d = chunks[i:i + 4]
        rows.append(f'<tr class="{"anywhere" if i % 8 else "word"}"><td>{a}</td>'
                    f"<td><b>一</b>{b}</td><td>{c}</td><td>{d}<i>二</i></td></tr>")
    html = render("<table>" + "".join(rows) + "</table>",
                  CSS + " .anywhere td { overflow-wrap: anywhere }")
    measured = []
    cell_widths = preferred.table_cell_min_max_content_width

    def recording(context, box, outer=True):
        widths_ = cell_widths(context, box, outer)
        measured.append(("".join(box.element.itertext()), widths_))
        return widths_

    segmented = [0]
    original_segmented = widths._segmented

    def counting(*args):
        segmented[0] += 1
        return original_segmented(*args)

    preferred.table_cell_min_max_content_width = recording
    widths._segmented = counting
    try:
        with cjk.active():
            widths.forget()
            html.render()
            ours, measured[:] = list(measured), []
            cached = preferred.split_first_line
            preferred.split_first_line = widths._ORIGINAL["split_first_line"]
            try:
                html.render()  # WeasyPrint's questions, each to Pango
            finally:
                preferred.split_first_line = cached
    finally:
        preferred.table_cell_min_max_content_width = cell_widths
        widths._segmented = original_segmented
    assert segmented[0] > 200  # most cells' text measured from one layout
    assert len(ours) >= 480 and ours == measured
