"""typeset.columns: the multi-column layout lays out fewer lines than WeasyPrint's
and finds the same columns: every line at the same place on the same page."""

from contextlib import contextmanager, nullcontext

import pytest
from weasyprint import HTML
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline

from typeset import cjk
from typeset.cjk import columns

from .test_cjk import FAMILY, FONT_FACE, PARAGRAPHS


@contextmanager
def counted_lines():
    """Count the line layouts WeasyPrint makes (kept or thrown away)."""
    original = inline.get_next_linebox
    calls = [0]

    def counting(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    inline.get_next_linebox = counting
    try:
        yield calls
    finally:
        inline.get_next_linebox = original


@contextmanager
def weasyprint_columns():
    """WeasyPrint's own column algorithm, the rest of the extension kept."""
    ours = block.columns_layout
    block.columns_layout = columns._ORIGINAL["columns_layout"]
    try:
        yield
    finally:
        block.columns_layout = ours


def render(body, css="", page="120mm 160mm"):
    html = f"""<html lang="zh-CN"><head><style>{FONT_FACE}
        @page {{ size: {page}; margin: 10mm }}
        body {{ font-family: {FAMILY}; font-size: 10pt; line-height: 1.7;
                text-align: justify }}
        p {{ margin: 0 0 0.4em; text-indent: 2em; orphans: 2; widows: 2 }}
        .cols {{ columns: 2; column-gap: 6mm; column-fill: balance }}
        h2 {{ column-span: all; font-size: 14pt; margin: 0.5em 0; text-align: center }}
        {css}</style></head><body>{body}</body></html>"""
    return HTML(string=html)


def placed_lines(document):
    """(page, x, y, text) of every line, in order."""
    found = []
    for number, page in enumerate(document.pages, 1):
        for box in page._page_box.descendants():
            if isinstance(box, boxes.LineBox):
                text = "".join(child.text for child in box.descendants()
                               if isinstance(child, boxes.TextBox))
                found.append((number, round(box.position_x, 2), round(box.position_y, 2),
                              text))
    return found


TEXT = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)

SIGNED = ('<div class="cols"><p>各市、县（区）人民政府，自治区政府各部门、各直属机构：</p>'
          '<p>现将《实施意见》印发给你们，请结合实际认真贯彻落实。</p>'
          '<div style="break-before: avoid; break-inside: avoid; text-align: right">'
          '<p>宁夏回族自治区人民政府</p><p>2021年2月28日</p></div>'
          '<p>（此件公开发布）</p></div>')

CASES = {
    # a run that ends on its page: balanced
    "short": f'<div class="cols">{TEXT}</div>',
    # runs over several pages, then balanced on the last
    "long": f'<div class="cols">{TEXT * 6}</div>',
    # blocks spanning both columns between runs: each run above one is balanced
    "spanning": f'<div class="cols">{TEXT}<h2>第二部分</h2>{TEXT * 3}<h2>第三部分</h2>'
                f'{TEXT}</div>',
    # columns filled in turn, not balanced, at the end of the flow
    "fill-auto": f'<div class="cols" style="column-fill: auto">{TEXT * 2}</div>',
    # a block that cannot break, taller than what is left of a column
    "unbreakable": f'<div class="cols">{TEXT}<p style="break-inside: avoid">'
                   f'{PARAGRAPHS[0] * 3}</p>{TEXT}</div>',
    # keep rules between blocks: a heading kept with what follows
    "keep": f'<div class="cols">{TEXT}<p style="break-after: avoid">一、总体要求</p>'
            f'{TEXT * 2}</div>',
    # three columns, right to left
    "three-rtl": f'<div class="cols" style="columns: 3; direction: rtl">{TEXT * 2}</div>',
    # a run starting low on a page, after other content
    "after-text": f'{TEXT}<div class="cols">{TEXT * 2}</div>',
    # a grid container in the columns, which breaks by the space left
    "grid": '<div class="cols"><div style="display: grid"><div>'
            f'{TEXT}<section style="height: 80mm"></section>{TEXT}</div></div></div>',
    # columns inside the columns, and an absolutely positioned box in a run
    "nested": f'<div class="cols">{TEXT}<div style="columns: 2; column-gap: 2mm">'
              f'{TEXT}</div>{SIGNED}</div>',
    "absolute": f'<div class="cols">{TEXT}<div style="position: relative">{TEXT}'
                '<div style="position: absolute; bottom: 0; height: 30mm; width: 5mm">'
                f'</div></div>{SIGNED}</div>',
    # a document's covering notice: its signature kept with the text before it and
    # whole, so that lower columns refuse it (balancing steps by the least growth)
    "signature": f'{SIGNED}<p>{PARAGRAPHS[0]}</p>',
}


@pytest.fixture(autouse=True)
def enabled():
    with cjk.active():
        yield


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_columns_as_weasyprint_with_fewer_line_layouts(case):
    html = render(CASES[case])
    with weasyprint_columns(), counted_lines() as theirs_count:
        theirs = placed_lines(html.render())
    with counted_lines() as ours_count:
        ours = placed_lines(html.render())
    assert ours == theirs
    assert len({line[0] for line in ours}) >= 1 and len(ours) > 10
    assert ours_count[0] <= theirs_count[0]


def test_overflowing_pages_lay_out_each_line_once():
    """Columns that the content overflows are laid out once: on pages that are
    full, lines are laid out about once (plus the next box each column measures),
    where WeasyPrint lays them out twice and more."""
    html = render(f'<div class="cols" style="column-fill: auto">{TEXT * 8}</div>')
    with weasyprint_columns(), counted_lines() as theirs:
        document = html.render()
    printed = len(placed_lines(document))
    with counted_lines() as ours:
        html.render()
    assert theirs[0] > 1.9 * printed
    assert ours[0] < 1.3 * printed


def test_column_tops_discard_margins_in_both_algorithms():
    """A block starting a column loses its top margin (margin-break: discard), with
    typeset's columns as with WeasyPrint's own (used for footnotes, fixed heights)."""
    css = ".cols p { margin-top: 3em; margin-break: discard }"
    html = render(f'<div class="cols">{TEXT * 2}</div>', css)
    for context in (weasyprint_columns, nullcontext):
        with context():
            document = html.render()
        tops = {}
        for line in placed_lines(document):
            tops.setdefault((line[0], line[1] > 200), line[2])
        left = [y for (page, right), y in tops.items() if not right]
        right = [y for (page, right), y in tops.items() if right]
        assert left and right and min(right) == min(left)


def test_balancing_skips_the_heights_that_repeat_a_pass(monkeypatch):
    """Where no column's next box measures a step, balancing grows the columns by the
    least step (1px); the heights below the one where a test that overflowed would
    fit repeat the pass before them, and are not laid out: the same columns, found
    in a quarter of the passes."""
    passes = []
    lay_out = columns._lay_out_run

    def counted(*args):
        passes.append(args[8])  # the height of the pass
        return lay_out(*args)

    monkeypatch.setattr(columns, "_lay_out_run", counted)
    html = render(CASES["signature"])
    skipping = placed_lines(html.render())
    skipped = len(passes)
    passes.clear()
    monkeypatch.setattr(columns, "_SAME", float("inf"))  # every height tried, 1px apart
    stepping = placed_lines(html.render())
    assert stepping == skipping
    assert len(passes) > 20
    assert skipped * 3 < len(passes)
