"""typeset.borders: collapsed table borders resolved as WeasyPrint resolves them:
the same border grids, the same used widths on every box of every table."""

from weasyprint import HTML
from weasyprint.formatting_structure import boxes

from typeset import borders

from .test_cjk import FAMILY, FONT_FACE

TABLES = f"""
<style>
  {FONT_FACE}
  body {{ font-family: {FAMILY} }}
  table {{ border-collapse: collapse; margin: 4px }}
  td, th {{ border: 1px solid black; padding: 2px }}
  .thick td {{ border-width: 3px }}
  .hidden {{ border: 2px hidden }}
  .double {{ border: 4px double red }}
  .inset td {{ border: 3px inset blue }}
  .outset {{ border: 3px outset green }}
  .current {{ color: purple; border: 2px dashed currentcolor }}
  tbody.group {{ border: 5px dotted orange }}
  col.wide {{ border: 6px ridge gray }}
  colgroup.set {{ border: 7px groove teal }}
  tr.row {{ border-bottom: 4px solid navy }}
  table.framed {{ border: 8px solid maroon }}
  .red {{ border-color: red }}
  .blue {{ border-color: blue }}
  tr.tied {{ border: 1px solid green }}
</style>
<table class="framed">
  <colgroup class="set"><col class="wide"><col></colgroup>
  <thead><tr><th colspan="2">名称</th><th class="current">数量</th></tr></thead>
  <tbody class="group">
    <tr class="row"><td rowspan="2" class="double">一</td><td>二</td><td class="hidden">三</td></tr>
    <tr><td class="outset">四</td><td>五</td></tr>
    <tr class="thick"><td colspan="3">六</td></tr>
  </tbody>
  <tbody class="inset">
    <tr><td>七</td><td rowspan="2" colspan="2">八</td></tr><tr><td>九</td></tr>
  </tbody>
</table>
<table dir="rtl" class="framed" style="direction: rtl">
  <tr><td colspan="2">甲</td><td class="double">乙</td></tr>
  <tr><td class="hidden">丙</td><td rowspan="2" class="current">丁</td><td>戊</td></tr>
  <tr><td>己</td><td class="outset">庚</td></tr>
</table>
<table>
  <tr><td class="red">红</td><td class="blue">蓝</td><td class="red">红</td></tr>
  <tr><td class="blue">蓝</td><td class="red">红</td><td class="blue">蓝</td></tr>
  <tr class="tied"><td>黑</td><td>黑</td><td>黑</td></tr>
</table>
<table><tbody></tbody></table>
<table class="thick"><tr><td></td></tr></table>
"""


def resolved():
    """(grids of each table, (box type, used border widths) of every box)."""
    document = HTML(string=TABLES).render()
    grids, widths = [], []
    for page in document.pages:
        for box in page._page_box.descendants():
            if isinstance(box, boxes.TableBox):
                grids.append(box.collapsed_border_grid)
            widths.append((type(box).__name__, box.border_top_width,
                           box.border_right_width, box.border_bottom_width,
                           box.border_left_width))
    return grids, widths


def test_the_grids_and_widths_are_weasyprints():
    theirs = resolved()
    with borders.resolved_once():
        ours = resolved()
    assert ours == theirs
    grids, widths = ours
    assert len(grids) == 5 and all(grids[:3])
    styles = {border[0] for grid in grids[:2] for lines in grid for line in lines
              for _, border in line}
    assert {"solid", "double", "dotted", "ridge", "groove", "hidden"} <= styles
    assert len(widths) > 50
    # equal borders of two colours meet: the earlier box's wins each edge
    colours = {border[2] for lines in grids[2] for line in lines for _, border in line}
    assert len(colours) == 3  # the row's green only where no cell's edge is


def test_the_original_is_put_back():
    from weasyprint.formatting_structure import build

    original = build.collapse_table_borders
    with borders.resolved_once():
        assert build.collapse_table_borders is borders.collapse_table_borders
    assert build.collapse_table_borders is original
