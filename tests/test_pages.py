"""Pages an editor signs off: rules that hold on every page of both sample issues.

Read from the rendered boxes of the full builds (the session fixtures): where a title
stands on a page it starts, and what the running heads say on a page where one
section ends and the next begins (docs/pages.md states the conventions).
"""

import pytest
from weasyprint.formatting_structure import boxes

from typeset.check import issue_pages

PT = 4 / 3  # CSS px per pt

ISSUES = ["sample", "govcn"]


@pytest.mark.parametrize("issue, justified", [("sample", 1000), ("govcn", 700)])
def test_typography_is_clean(request, issue, justified):
    """Justified to the edge, no loose lines where a break could help, clreq breaks,
    compressed pairs, no one-character last lines, no stranded headings."""
    report = request.getfixturevalue(issue)[0].typography
    assert report.justified_lines > justified
    assert (report.ragged_lines, report.overfull_lines) == (0, 0)
    assert report.loose_lines == 0  # none wider than 0.15 em where a break could help
    assert (report.line_start_violations, report.line_end_violations) == (0, 0)
    assert report.uncompressed_pairs == 0
    assert report.one_char_last_lines == 0
    assert report.stranded_headings == 0


def first_line(page):
    """The first line box laid out on `page` (page margins are not in the tree walked)."""
    return next((b for b in page._page_box.descendants() if isinstance(b, boxes.LineBox)),
                None)


@pytest.mark.parametrize("issue", ISSUES)
def test_a_title_that_starts_a_page_stands_at_the_top_of_the_text(request, issue):
    """One vertical rhythm: the first document after the contents (a forced break)
    and a document that starts a page after another (an unforced one) put their
    title at the same place: the top of the text area, under the running head."""
    result, _ = request.getfixturevalue(issue)
    tops = []
    for page in result.document.pages:
        line = first_line(page)
        if line is None or line.element is None:
            continue
        if "doc-title" in (line.element.get("class") or ""):
            tops.append((line.position_y - page._page_box.content_box_y()) / PT)
    assert tops, "no page starts with a title"
    assert max(tops) < 0.5, tops


def test_running_head_names_the_section_that_starts_on_the_page(govcn):
    """A recto page holding the end of one section and the start of the next names the
    new one: the running head follows the first document whose title is on the page
    (the reader looking for a section finds the page it starts on)."""
    result, facts = govcn
    located = issue_pages(facts, result.issue)
    checked = 0
    for before, after in zip(result.issue.sections, result.issue.sections[1:], strict=False):
        ends = located.ends[before.documents[-1].id]
        starts = located.title_pages[after.documents[0].id]
        if ends != starts or int(starts) % 2 == 0:  # not shared, or a verso page
            continue
        index = facts.labels.index(starts)
        text = "".join(facts.text(index).split())
        assert f"【{after.title}】{starts}" in text
        assert f"【{before.title}】" not in text
        checked += 1
    assert checked >= 1


def test_table_break_groups():
    """Where a page may break a table: not inside rows a spanning cell ties together,
    not after a group row (民间文学) without two rows under it, not before two rows
    after the header, not inside the last two rows; anywhere else."""
    from typeset.model import Cell, GroupRow, Row, Table

    def row(*spans):
        return Row(tuple(Cell((), rowspan=r) for r in spans))

    body = ([row(1, 1)] * 3 + [row(3, 1), row(1), row(1), row(1, 1), GroupRow(())]
            + [row(1, 1)] * 5)
    groups = Table((), (), tuple(body)).break_groups(2)
    assert groups == [(True, [0, 1]), (False, [2]), (True, [3, 4, 5]), (False, [6]),
                      (True, [7, 8, 9]), (False, [10]), (True, [11, 12])]
    assert Table((), (), (row(1),)).break_groups(2) == [(False, [0])]
    assert Table((), (), (row(2), row())).break_groups(2) == [(True, [0, 1])]


def test_numeric_columns():
    from typeset.model import Cell, Inline, Row, Table

    def row(*texts):
        return Row(tuple(Cell((Inline("text", t),) if t else ()) for t in texts))

    table = Table((), (), (row("1", "广东", "1,445", "13725.5845"),
                           row("2", "江苏", "", "-3.5%"), row("3", "上海", "120（扩招）", "0")))
    assert table.numeric_columns() == {0, 3}


def _cells(result):
    """(page index, cell box) of every body cell of a bordered table (member lists,
    which align names with the first line of their post, are not bordered tables)."""
    for number, page in enumerate(result.document.pages):
        for table in page._page_box.descendants():
            if isinstance(table, boxes.TableBox) and "members" not in (
                    table.element.get("class") or ""):
                for cell in table.descendants():
                    if isinstance(cell, boxes.TableCellBox) and cell.element_tag == "td":
                        yield number, cell


@pytest.mark.parametrize("issue", ISSUES)
def test_tables_of_the_issues_pass_the_page_rules(request, issue):
    """In both issues: no row-spanning cell is parted by a page break, every cell's
    text is centred between its rules (one rule on every page), and a page before a
    page that opens with a table is not left with more than two lines of space."""
    result, _ = request.getfixturevalue(issue)
    pages_of: dict[int, set[int]] = {}
    for number, cell in _cells(result):
        if cell.element.get("rowspan"):
            pages_of.setdefault(id(cell.element), set()).add(number)
        lines = [b for b in cell.descendants() if isinstance(b, boxes.LineBox)]
        if lines:
            top = min(b.position_y for b in lines) - cell.border_box_y()
            bottom = (cell.border_box_y() + cell.border_height()
                      - max(b.position_y + b.height for b in lines))
            assert abs(top - bottom) / PT < 1, (number, [b.text for b in cell.descendants()
                                                         if isinstance(b, boxes.TextBox)])
    assert all(len(pages) == 1 for pages in pages_of.values())
    line_height = 10.5 * 1.72  # pt: a body line
    pages = result.document.pages
    for number, page in enumerate(pages[:-1]):
        first = next((b for b in pages[number + 1]._page_box.descendants()
                      if isinstance(b, (boxes.TableBox, boxes.LineBox))), None)
        if isinstance(first, boxes.TableBox):
            box = page._page_box
            end = max(b.position_y + b.height for b in box.descendants()
                      if isinstance(b, boxes.LineBox))
            assert (box.content_box_y() + box.height - end) / PT < 2 * line_height, number


@pytest.mark.parametrize("issue", ISSUES)
def test_every_column_starts_at_its_top(request, issue):
    """A heading (第一章 总则), a note or a table that starts a column stands at the
    column's top, level with the first line of the column beside it: margins that meet
    a column break or the top of the columns are discarded, as at a page break."""
    result, _ = request.getfixturevalue(issue)
    columns = 0
    for number, page in enumerate(result.document.pages):
        for column in page._page_box.descendants():
            if getattr(column, "is_column", False) and column.children:
                first = column.children[0]
                offset = (first.border_box_y() - column.content_box_y()) / PT
                assert abs(offset) < 0.5, (number, first.element_tag, offset)
                columns += 1
    assert columns > 20
