"""Collapsed table borders resolved with each box's borders read once.

In:  a table box of WeasyPrint 70 in the collapsing border model, its grid's width
     and height, as ``formatting_structure.build.wrap_table`` hands them to
     ``layout.table.collapse_table_borders``.
Out: the same: the vertical and horizontal border grids, and the used border
     widths set on the table, its column groups, columns, row groups, rows and
     cells.

WeasyPrint resolves the conflict of each grid edge against each box that touches
it (cell, row, row group, column, column group, table), and for every edge it
reads the box's style anew: its border style, width and colour, an import and a
format string, 24,000 times a re-render of nzf-2021-18's two tables (9 ms of
40 ms of box building).  Here each side of a box is read once, as the
``(score, border)`` pair WeasyPrint compares, and handed to every edge of that
side; the comparisons, their order and the grids are WeasyPrint's, so the
borders drawn are the same.

Derived from WeasyPrint 70.0's ``layout/table.py`` (BSD-3-Clause, © Kozea).
"""

from __future__ import annotations

from contextlib import contextmanager

_STYLES = tuple(reversed([
    "hidden", "double", "solid", "dashed", "dotted", "ridge", "outset", "groove",
    "inset", "none"]))
_SCORES = {style: score for score, style in enumerate(_STYLES)}
_SHOWN_AS = {"inset": "ridge", "outset": "groove"}


def _side(style, side: str) -> tuple:
    """WeasyPrint's ``(score, (style, width, colour))`` of one side of a box."""
    border = style[f"border_{side}_style"]
    width = style[f"border_{side}_width"]
    colour = style[f"border_{side}_color"]
    if colour == "currentcolor":
        colour = style["color"]
    score = ((1 if border == "hidden" else 0), width, _SCORES[border])
    return score, (_SHOWN_AS.get(border, border), width, colour)


def collapse_table_borders(table, grid_width, grid_height):
    """WeasyPrint's ``collapse_table_borders`` (see the module)."""
    from weasyprint.layout.table import TRANSPARENT

    if not (grid_width and grid_height):
        return [], []  # an empty table

    weak_null_border = ((0, 0, _SCORES["none"]), ("none", 0, TRANSPARENT))
    # left to right, top to bottom
    vertical_borders = [[weak_null_border] * (grid_width + 1) for _ in range(grid_height)]
    horizontal_borders = [[weak_null_border] * grid_width for _ in range(grid_height + 1)]
    ltr = table.style["direction"] == "ltr"

    def set_borders(box, x, y, w, h):
        style = box.style
        left, right, top, bottom = (_side(style, side)
                                    for side in ("left", "right", "top", "bottom"))
        if ltr:
            left_x, right_x, xs = x, x + w, range(x, x + w)
        else:  # x and y are logical, the borders graphical (always left to right)
            left_x, right_x, xs = -1 - w - x, -1 - x, range(-1 - x, -1 - x - w, -1)
        # strictly lower, so that an earlier box wins a tie
        for yy in range(y, y + h):
            row = vertical_borders[yy]
            if row[left_x][0] < left[0]:
                row[left_x] = left
            if row[right_x][0] < right[0]:
                row[right_x] = right
        above, below = horizontal_borders[y], horizontal_borders[y + h]
        for xx in xs:
            if above[xx][0] < top[0]:
                above[xx] = top
            if below[xx][0] < bottom[0]:
                below[xx] = bottom

    # "A style set on a cell wins over one on a row, which wins over a row group,
    # column, column group and, lastly, table" (CSS 2.1, 17.6.2.1)
    strong_null_border = ((1, 0, _SCORES["hidden"]), ("hidden", 0, TRANSPARENT))
    grid_y = 0
    for row_group in table.children:
        for row in row_group.children:
            for cell in row.children:
                # no border inside a cell that spans rows or columns
                grid_x, colspan, rowspan = cell.grid_x, cell.colspan, cell.rowspan
                if ltr:
                    vertical_x_range = range(grid_x + 1, grid_x + colspan)
                    horizontal_x_range = range(grid_x, grid_x + colspan)
                else:
                    vertical_x_range = range(-2 - grid_x, -1 - grid_x - colspan, -1)
                    horizontal_x_range = range(-1 - grid_x, -1 - grid_x - colspan, -1)
                for xx in vertical_x_range:
                    for yy in range(grid_y, grid_y + rowspan):
                        vertical_borders[yy][xx] = strong_null_border
                for xx in horizontal_x_range:
                    for yy in range(grid_y + 1, grid_y + rowspan):
                        horizontal_borders[yy][xx] = strong_null_border
                set_borders(cell, grid_x, grid_y, colspan, rowspan)
            grid_y += 1

    grid_y = 0
    for row_group in table.children:
        for row in row_group.children:
            set_borders(row, 0, grid_y, grid_width, 1)
            grid_y += 1

    grid_y = 0
    for row_group in table.children:
        rowspan = len(row_group.children)
        set_borders(row_group, 0, grid_y, grid_width, rowspan)
        grid_y += rowspan

    for column_group in table.column_groups:
        for column in column_group.children:
            set_borders(column, column.grid_x, 0, 1, grid_height)

    for column_group in table.column_groups:
        set_borders(column_group, column_group.grid_x, 0, column_group.span, grid_height)

    set_borders(table, 0, 0, grid_width, grid_height)

    # every conflict resolved: each box gets transparent borders of the used widths
    # (the grid is drawn apart)
    def set_used(box, top, right, bottom, left):
        box.border_top_width = top / 2
        box.border_right_width = right / 2
        box.border_bottom_width = bottom / 2
        box.border_left_width = left / 2

    def max_vertical_width(x, y1, y2):
        return max(grid_row[x][1][1] for grid_row in vertical_borders[y1:y2])

    def max_horizontal_width(x1, y, x2):
        return max(width for _, (_, width, _) in horizontal_borders[y][x1:x2])

    grid_y = 0
    for row_group in table.children:
        set_used(row_group, 0, 0, 0, 0)
        for row in row_group.children:
            set_used(row, 0, 0, 0, 0)
            for cell in row.children:
                x, y = cell.grid_x, grid_y
                colspan, rowspan = cell.colspan, cell.rowspan
                if ltr:
                    top = max_horizontal_width(x, y, x + colspan)
                    bottom = max_horizontal_width(x, y + rowspan, x + colspan)
                    left = max_vertical_width(x, y, y + rowspan)
                    right = max_vertical_width(x + colspan, y, y + rowspan)
                else:
                    top = max_horizontal_width(-colspan - x, y, -x or None)
                    bottom = max_horizontal_width(-colspan - x, y + rowspan, -x or None)
                    left = max_vertical_width(-1 - colspan - x, y, y + rowspan)
                    right = max_vertical_width(-1 - x, y, y + rowspan)
                set_used(cell, top, right, bottom, left)
            grid_y += 1

    for column_group in table.column_groups:
        set_used(column_group, 0, 0, 0, 0)
        for column in column_group.children:
            set_used(column, 0, 0, 0, 0)

    # "UAs must compute an initial left and right border width for the table by
    # examining the first and last cells in the first row of the table" (CSS 2.1,
    # 17.6.2): so the first row only, not grid_height
    set_used(table, max_horizontal_width(0, 0, grid_width),
             max_vertical_width(grid_width, 0, 1),
             max_horizontal_width(0, grid_height, grid_width),
             max_vertical_width(0, 0, 1))
    return vertical_borders, horizontal_borders


@contextmanager
def resolved_once():
    """For the duration, WeasyPrint's box building resolves collapsed borders with
    :func:`collapse_table_borders` (WeasyPrint 70 only: written for its code)."""
    import weasyprint
    from weasyprint.formatting_structure import build

    if not weasyprint.__version__.startswith("70."):
        yield
        return
    original = build.collapse_table_borders
    build.collapse_table_borders = collapse_table_borders
    try:
        yield
    finally:
        build.collapse_table_borders = original
