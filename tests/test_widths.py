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
