"""typeset.cjk.reuse: a line laid out again in the same render (column balancing,
a refused page break, the line that overflows a page) is taken from the lines
kept, and stands exactly where a fresh layout would put it."""

from contextlib import contextmanager

import pytest
from weasyprint.formatting_structure import boxes

from typeset import cjk
from typeset.cjk import reuse

from .test_cjk import PARAGRAPHS
from .test_columns import CASES, TEXT, render


@pytest.fixture(autouse=True)
def enabled():
    with cjk.active():
        yield


@contextmanager
def fresh_layouts(limit=reuse.LIMIT):
    """Count the lines WeasyPrint lays out afresh (`calls[0]`), and hold the lines
    kept for each page (`calls[1]`); `limit` lines kept (0: none)."""
    original = reuse._ORIGINAL["get_next_linebox"]
    calls = [0, []]

    def counting(context, *args, **kwargs):
        calls[0] += 1
        kept = getattr(context, "typeset_lines", None)
        if kept is not None and all(kept is not other for other in calls[1]):
            calls[1].append(kept)
        return original(context, *args, **kwargs)

    reuse._ORIGINAL["get_next_linebox"], saved = counting, reuse.LIMIT
    reuse.LIMIT = limit
    try:
        yield calls
    finally:
        reuse._ORIGINAL["get_next_linebox"], reuse.LIMIT = original, saved


def geometry(document):
    """(page, box type, x, y, width, height, text) of every line and inline box, and
    the letter spacing its text is drawn with, in order."""
    found = []
    for number, page in enumerate(document.pages, 1):
        for box in page._page_box.descendants():
            if isinstance(box, (boxes.LineBox, boxes.InlineBox, boxes.TextBox,
                                boxes.InlineReplacedBox, boxes.InlineBlockBox)):
                found.append((number, type(box).__name__, round(box.position_x, 6),
                              round(box.position_y, 6), round(box.width, 6),
                              round(box.height, 6), getattr(box, "text", ""),
                              getattr(box, "justification_spacing", 0)))
    return found


MORE_CASES = {
    **CASES,
    # inline boxes with relative positions and borders, split across lines
    "inline": '<div class="cols">' + "".join(
        f'<p>{p[:20]}<span style="position: relative; top: 2px; border: 1px solid">'
        f'{p[20:80]}</span>{p[80:]}</p>' for p in PARAGRAPHS * 3) + "</div>",
    # an inline block and a float: those lines are laid out afresh each time
    "atomic": '<div class="cols">' + "".join(
        f'<p>{p[:30]}<span style="display: inline-block; width: 3em; height: 1em">'
        f'</span>{p[30:]}</p><div style="float: left; width: 2em; height: 3em"></div>'
        for p in PARAGRAPHS * 3) + "</div>",
    # ::first-letter and ::first-line styles
    "first-letter": '<style>p::first-letter { font-size: 2em } p::first-line '
                    '{ color: red }</style>' + CASES["short"],
    # a table, its cells laid out at several widths
    "table": '<table style="width: 100%"><tr>' + "".join(
        f"<td>{p}</td>" for p in PARAGRAPHS[:3]) + "</tr></table>" + CASES["short"],
}


@pytest.mark.parametrize("case", sorted(MORE_CASES))
def test_reused_lines_stand_where_fresh_ones_do(case):
    html = render(MORE_CASES[case])
    with fresh_layouts(limit=0) as fresh:
        expected = geometry(html.render())
    with fresh_layouts() as reused:
        found = geometry(html.render())
    assert found == expected
    assert len(found) > 20
    assert reused[0] <= fresh[0]


def test_balancing_lays_each_line_out_about_once():
    """Balanced columns try several heights; each try lays out the same lines of the
    same paragraphs again, and takes them from the kept ones."""
    html = render(CASES["spanning"])
    with fresh_layouts(limit=0) as fresh:
        document = html.render()
    printed = sum(isinstance(box, boxes.LineBox) for page in document.pages
                  for box in page._page_box.descendants())
    with fresh_layouts() as reused:
        html.render()
    assert fresh[0] > 1.5 * printed
    assert reused[0] < 1.2 * printed


def test_lines_with_floats_or_atomic_boxes_are_never_kept():
    with fresh_layouts() as calls:
        render(MORE_CASES["atomic"]).render()
    kept = [entry for page in calls[1] for entry in page.values()]
    assert kept  # the paragraphs' other lines are
    for _, line, *_ in kept:
        assert all(type(box) in (boxes.LineBox, boxes.InlineBox, boxes.TextBox)
                   for box in line.descendants())


def test_what_a_caller_does_to_a_line_does_not_reach_the_kept_one():
    """Each use is a copy: moving a returned line leaves the kept line where it was."""
    with fresh_layouts() as calls:
        document = render(f'<div class="cols">{TEXT}</div>').render()
    kept, = calls[1]
    positions = {key: line.position_y for key, (_, line, *_) in kept.items()}
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                box.translate(0, 1000)
    assert positions == {key: line.position_y for key, (_, line, *_) in kept.items()}


def test_lines_are_kept_for_one_page_at_most_limit_of_them():
    with fresh_layouts(limit=10) as calls:
        document = render(CASES["long"]).render()
    assert len(calls[1]) == len(document.pages) > 1
    assert max(len(page) for page in calls[1]) == 10
