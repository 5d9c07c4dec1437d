"""Multi-column layout for WeasyPrint that lays each column out once where it can.

In:  a multi-column block box (CSS ``columns``), as WeasyPrint's
     ``layout.column.columns_layout`` receives it.
Out: the same result tuple, with the same columns where WeasyPrint 70 finds them,
     found with fewer layouts of the columns' content.

WeasyPrint 70 lays out a run of columns in trial passes and then once more for
real: a page that the content overflows is laid out twice, plus one layout of the
box that would come next for each column; a run that ends on the page (the end of
a document, a block spanning the columns) is balanced by growing the column height
from the average by the smallest step seen in *any* pass so far, often one pixel at
a time, each step a layout of the whole run.  On the sample issue that made 5,277
line layouts for 2,570 printed lines.

Here:

* the first pass is laid out as the real one would be (each column at its own
  position, the page's own ``page_is_empty``, absolute and fixed boxes kept), so
  when the content overflows the page, that pass *is* the result;
* a run that fits is balanced by stepping the height from the average by the
  smallest growth that lets some column take its next box *in this pass* (a
  smaller step lays out the same columns again), and the last pass, at the
  height found, is the result; a pass that is not kept gives back what it placed
  (``remove_placeholders``);
* where no pass has measured such a growth and the search steps by one pixel (a
  column refused a block kept whole with the text before it, a document's
  signature), the heights that would take the decisions of the pass before them
  are skipped: that pass notes by how much the column must grow for one of its
  overflow tests to fit (:func:`_recording_slack`);
* what does not concern a gazette's body (a height set on the multi-column box,
  footnotes in the page) goes to WeasyPrint's own algorithm unchanged.

Column tops: a block that starts a column loses its top margin when its
``margin-break`` is ``discard``, as WeasyPrint does at a page break only, so a
heading that starts a column stands level with the first line of the column
beside it.  :func:`resolve_percentages` does it for the boxes laid out at the top
of the column that :func:`columns_layout` is laying out.

Derived from WeasyPrint 70.0's ``layout/column.py`` (BSD-3-Clause, © Kozea): the
handling of blocks spanning all columns and of the final box is theirs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import floor

#: Balancing stops growing the columns when the step left is below this (CSS px).
_MIN_STEP = 1.0
#: How much nearer than its overshoot a skipped height stays to a test's bottom, so
#: that a rounding of the bottom's arithmetic cannot turn the test (CSS px).
_SAME = 1e-6

_ORIGINAL = {}  # WeasyPrint's functions this module stands in for
_TOPS: list[tuple[object, float]] = []  # (column box, y where its content starts)


@dataclass
class _Pass:
    """One layout of a run of columns at one height."""

    height: float
    columns: list = field(default_factory=list)  # laid-out column boxes
    resume_at: dict | None = None  # where the run goes on after the last column
    next_page: dict | None = None
    consumed: list = field(default_factory=list)  # content height of each column
    # (column box, where it stopped, space left) of each column that did not take all
    unplaced: list = field(default_factory=list)
    step: Callable[[], float] = lambda: float("inf")  # least growth that changes a column
    refused: bool = False  # a column could place nothing
    # the least growth of the height that turns one of the pass's page-overflow tests
    # (WeasyPrint's ``overflows``) from overflowing to fitting: below it, a pass at a
    # greater height takes every decision this one took (:func:`_recording_slack`;
    # 0 where it was not recorded)
    slack: float = 0.0

    @property
    def complete(self) -> bool:
        """Everything in the run was placed, and within the height."""
        return (not self.refused and self.resume_at is None
                and max(self.consumed, default=0) <= self.height)


def install(patch) -> None:
    """Put :func:`columns_layout` and the column-top margin rule in WeasyPrint's
    place, through `patch(path, replacement)` (which keeps the originals)."""
    from weasyprint.layout import block, column

    from .internals import _resolve

    _ORIGINAL["columns_layout"] = column.columns_layout
    _ORIGINAL["block_box_layout"] = block.block_box_layout
    _ORIGINAL["resolve_percentages"] = block.resolve_percentages
    _ORIGINAL["create_column_box"] = column._create_column_box
    patch("weasyprint.layout.block.columns_layout", columns_layout)
    patch("weasyprint.layout.block.block_box_layout", block_box_layout)
    patch("weasyprint.layout.block.resolve_percentages", resolve_percentages)
    # flex and grid containers and absolutely positioned boxes are sized and broken
    # by the space left, not by overflow tests alone: a pass that lays one out has no
    # slack (_recording_slack)
    for path in ("flex.flex_layout", "grid.grid_layout", "block.flex_layout",
                 "block.grid_layout", "inline.flex_layout", "inline.grid_layout",
                 "absolute.absolute_layout", "block.absolute_layout"):
        patch(f"weasyprint.layout.{path}", _without_slack(_resolve(f"weasyprint.layout.{path}")))


def block_box_layout(context, box, bottom_space, skip_stack, containing_block,
                     page_is_empty, absolute_boxes, fixed_boxes, adjoining_margins,
                     first_letter_style, first_line_style, discard, max_lines):
    """WeasyPrint's block layout; for a column box (ours or WeasyPrint's own), with
    the column's top noted for :func:`resolve_percentages`."""
    column = getattr(box, "is_column", False)
    if column:
        _TOPS.append((box, box.content_box_y()))
    try:
        return _ORIGINAL["block_box_layout"](
            context, box, bottom_space, skip_stack, containing_block, page_is_empty,
            absolute_boxes, fixed_boxes, adjoining_margins, first_letter_style,
            first_line_style, discard, max_lines)
    finally:
        if column:
            _TOPS.pop()


def resolve_percentages(box, containing_block):
    """WeasyPrint's margins and sizes, with a 0 top margin for a `margin-break:
    discard` box at the top of the column being laid out."""
    _ORIGINAL["resolve_percentages"](box, containing_block)
    if (_TOPS and containing_block is _TOPS[-1][0]
            and abs(box.position_y - _TOPS[-1][1]) < 0.01
            and box.style["margin_break"] == "discard"):
        box.margin_top = 0


def columns_layout(context, box, bottom_space, skip_stack, containing_block,
                   page_is_empty, absolute_boxes, fixed_boxes, adjoining_margins,
                   first_letter_style, first_line_style):
    """Lay out the multi-column `box` from `skip_stack`; WeasyPrint's signature and
    result: (box, resume_at, next_page, adjoining margins, collapsing through)."""
    from weasyprint.layout.block import block_level_layout, block_level_width, collapse_margin
    from weasyprint.layout.percent import percentage

    # columns inside a pass take their height from the space left: that pass has no
    # slack (_recording_slack)
    for recorded in _RECORDING:
        recorded.slack = 0.0
    style = box.style
    if (style["height"] != "auto" or context.footnotes or context.current_page_footnotes
            or context.current_footnote_area.height != "auto"):
        # a fixed column height, or a document with footnotes (they may appear while
        # the columns are laid out and change their height): WeasyPrint's way
        return _ORIGINAL["columns_layout"](
            context, box, bottom_space, skip_stack,
            containing_block, page_is_empty, absolute_boxes, fixed_boxes,
            adjoining_margins, first_letter_style, first_line_style)

    width = style["column_width"]
    count = style["column_count"]
    context.in_column = True
    if style["position"] == "relative":
        absolute_boxes = []  # a new containing block
    box = box.copy_with_children(box.children)
    box.position_y += collapse_margin(adjoining_margins)
    block_level_width(box, containing_block)

    gap = (style["font_size"] if style["column_gap"] == "normal"
           else percentage(style["column_gap"], box.style, box.width))
    if width == "auto" and count != "auto":
        width = max(0, box.width - (count - 1) * gap) / count
    elif width != "auto" and count == "auto":
        count = max(1, floor((box.width + gap) / (width + gap)))
        width = (box.width + gap) / count - gap
    else:
        count = max(1, min(count, floor((box.width + gap) / (width + gap))))
        width = (box.width + gap) / count - gap

    # runs of children in columns, and the blocks spanning all columns between them
    runs = []
    run = []
    skip, = skip_stack.keys() if skip_stack else (0,)
    index = skip
    for index, child in enumerate(box.children[skip:], start=skip):
        if child.style["column_span"] == "all":
            if run:
                runs.append((index - len(run), run))
            runs.append((index, child.copy()))
            run = []
        else:
            run.append(child.copy())
    if run:
        runs.append((index + 1 - len(run), run))
    if skip_stack:
        skip_stack = {0: skip_stack[skip]}
    if not box.children:
        next_page = {"break": "any", "page": None}
        skip_stack = None

    adjoining_margins = []
    position_y = box.content_box_y()
    new_children = []
    column_skip_stack = None
    break_page = False
    for index, item in runs:
        if not isinstance(item, list):  # a block spanning all columns
            from weasyprint.layout.percent import resolve_percentages as resolve
            resolve(item, containing_block)
            item.position_x = box.content_box_x()
            item.position_y = position_y
            new_child, resume_at, next_page, adjoining_margins, _, _ = block_level_layout(
                context, item, bottom_space, skip_stack, containing_block,
                page_is_empty, absolute_boxes, fixed_boxes, adjoining_margins,
                first_letter_style, first_line_style)
            skip_stack = None
            if new_child is None:
                break_page = True
                break
            new_children.append(new_child)
            position_y = new_child.border_height() + new_child.border_box_y()
            adjoining_margins.append(new_child.margin_bottom)
            if resume_at:
                break_page = True
                column_skip_stack = resume_at
                break
            page_is_empty = False
            continue

        position_y += collapse_margin(adjoining_margins)
        adjoining_margins = []
        max_height = context.page_bottom - position_y - bottom_space

        def lay_out(height, run=item, position_y=position_y, skip_stack=skip_stack,
                    page_is_empty=page_is_empty, slack=False):
            return _lay_out_run(
                context, box, run, containing_block, width, gap, count, position_y,
                height, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
                first_letter_style, first_line_style, slack)

        kept = lay_out(max_height)
        balance = style["column_fill"] == "balance" or index < runs[-1][0]
        if kept.complete and balance and not kept.refused:
            kept = _balance(context, kept, lay_out, count, page_is_empty, absolute_boxes,
                            fixed_boxes)
        if kept.refused:
            _give_back(context, kept, absolute_boxes, fixed_boxes)
            break_page = True
            column_skip_stack = None
            break

        next_page = kept.next_page
        skip_stack = kept.resume_at
        column_skip_stack = skip_stack
        tallest = max((column.margin_height() for column in kept.columns), default=0)
        position_y += min(max_height, tallest)
        for column in kept.columns:
            column.height = tallest
            new_children.append(column)
        skip_stack = None
        page_is_empty = False
        if column_skip_stack is not None:  # the page is full
            break

    if box.children and not new_children:
        context.in_column = False
        return None, (0, None), {"break": "any", "page": None}, [], False

    box.children = new_children
    position_y += collapse_margin(adjoining_margins)
    height = position_y - box.content_box_y()
    if box.height == "auto":
        box.height = height
        height_difference = 0
    else:
        height_difference = box.height - height
    if box.min_height != "auto" and box.min_height > box.height:
        height_difference += box.min_height - box.height
        box.height = box.min_height
    for child in new_children[::-1]:
        if not child.is_column:
            break
        child.height += height_difference

    if style["position"] == "relative":
        from weasyprint.layout.absolute import absolute_layout
        for absolute_box in absolute_boxes:
            absolute_layout(context, absolute_box, box, fixed_boxes, bottom_space,
                            skip_stack=None)

    if column_skip_stack:
        skip, = column_skip_stack.keys()
        skip_stack = {index + skip: column_skip_stack[skip]}
    elif break_page:
        skip_stack = {index: None}
    context.in_column = False
    return box, skip_stack, next_page, [], False


def _lay_out_run(context, box, run, containing_block, width, gap, count, position_y,
                 height, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
                 first_letter_style, first_line_style, slack=False) -> _Pass:
    """Lay out a run of children in up to `count` columns of `height`, each at its
    final position, and measure what each column leaves and what its next box
    needs; with `slack` (a balancing pass), also its slack (`_recording_slack`)."""
    from weasyprint.layout.block import remove_placeholders

    bottom_space = context.page_bottom - position_y - height
    result = _Pass(height)

    def step() -> float:
        # the least growth that lets a column take its next box (only balancing
        # asks, so a page the content overflows is not measured)
        least = float("inf")
        for column_box, resume_at, empty in result.unplaced:
            probe = block_box_layout(
                context, column_box, float("inf"), resume_at, containing_block, True,
                [], [], [], first_letter_style, first_line_style, discard=False,
                max_lines=None)[0]
            if probe is not None:
                needed = next((child.margin_height() for child in probe.children
                               if child.is_in_normal_flow()), 0)
                remove_placeholders(context, [probe], [], [])
                if needed - empty > _MIN_STEP:
                    least = min(least, needed - empty)
        return least

    result.step = step
    with _recording_slack(context, result) if slack else contextlib.nullcontext():
        _fill_columns(context, box, run, containing_block, width, gap, count, position_y,
                      height, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
                      first_letter_style, first_line_style, bottom_space, result)
    return result


def _fill_columns(context, box, run, containing_block, width, gap, count, position_y,
                  height, skip_stack, page_is_empty, absolute_boxes, fixed_boxes,
                  first_letter_style, first_line_style, bottom_space, result) -> None:
    """The columns of `result` (a :class:`_Pass`) laid out in turn, for
    :func:`_lay_out_run`."""
    for i in range(count):
        column_box = _ORIGINAL["create_column_box"](
            box, containing_block, run, width, position_y)
        if _rtl(box):
            column_box.position_x += box.width - (i + 1) * width - i * gap
        else:
            column_box.position_x += i * (width + gap)
        new_box, resume_at, next_page, _, _, _ = block_box_layout(
            context, column_box, bottom_space, skip_stack, containing_block,
            page_is_empty, absolute_boxes, fixed_boxes, None, first_letter_style,
            first_line_style, discard=False, max_lines=None)
        if new_box is None:
            result.refused = True
            return
        result.columns.append(new_box)
        result.next_page = next_page
        result.resume_at = skip_stack = resume_at
        in_flow = [child for child in new_box.children if child.is_in_normal_flow()]
        consumed = empty = 0
        if in_flow:
            last = in_flow[-1]
            consumed = last.margin_height() + last.position_y - position_y
            empty = height - consumed
            consumed -= last.margin_bottom
        result.consumed.append(consumed)
        if resume_at is None:
            break
        result.unplaced.append((column_box, resume_at, empty))


def _without_slack(layout: Callable) -> Callable:
    """`layout` (WeasyPrint's flex, grid or absolute layout), which first takes the
    slack of the passes being recorded to 0: none of their heights is skipped."""
    def without_slack(*args, **kwargs):
        for recorded in _RECORDING:
            recorded.slack = 0.0
        return layout(*args, **kwargs)

    return without_slack


#: The passes whose slack is being recorded, innermost last (_recording_slack).
_RECORDING: list[_Pass] = []


@contextmanager
def _recording_slack(context, result: _Pass):
    """Within it, each page-overflow test that overflows lowers ``result.slack`` to
    the growth of the page bottom that would make it fit.

    WeasyPrint tests every box and line against the bottom of the page (for a
    column: of the column) with ``LayoutContext.overflows(bottom, position_y)``;
    a taller column raises that bottom by the same amount in every test of the
    pass, and what is laid out above it does not move.  A test that fits goes on
    fitting; one that overflows fits once the column has grown by its overshoot.
    Until the least of those, a pass takes the same decisions, so it places the
    same boxes in the same columns.  Flex and grid containers, absolutely positioned
    boxes and columns inside the run size themselves by the space left as well: a
    pass that lays one out has no slack (`_without_slack`, `columns_layout`)."""
    test = context.overflows  # WeasyPrint's, or that of a pass this one is inside

    def overflows(bottom, position_y):
        overflowing = test(bottom, position_y)
        if overflowing:
            result.slack = min(result.slack, position_y / (1 + 1e-9) - bottom)
        return overflowing

    result.slack = float("inf")
    shadowed = "overflows" in vars(context)
    context.overflows = overflows
    _RECORDING.append(result)
    try:
        yield
    finally:
        _RECORDING.pop()
        if shadowed:
            context.overflows = test
        else:
            del context.overflows


def _rtl(box) -> bool:
    """Columns run from right to left."""
    return box.style["direction"] == "rtl"


def _give_back(context, laid_out: _Pass, absolute_boxes, fixed_boxes) -> None:
    """Undo what a pass that is not kept placed (absolute, fixed, floats, notes)."""
    from weasyprint.layout.block import remove_placeholders

    remove_placeholders(context, laid_out.columns, absolute_boxes, fixed_boxes)


def _balance(context, full: _Pass, lay_out, count, page_is_empty, absolute_boxes,
             fixed_boxes) -> _Pass:
    """The run laid out in the lowest columns that hold it, `full` being the run laid
    out at the page's height: from the average column height, grown each time by
    the least growth that any pass so far found to bring a column's next box up
    (WeasyPrint's search, so the columns are the ones it finds), until a pass
    places everything; `full` when none lower does.

    The search lays out as if the page held something already, as WeasyPrint's
    does; at the top of a page (`page_is_empty`), where a box too tall for its
    column is placed all the same, the run is laid out once more at the height
    found, as WeasyPrint then does."""
    height = sum(full.consumed) / count
    step = full.step()
    while height <= full.height:
        attempt = lay_out(height, page_is_empty=False, slack=True)
        if not attempt.refused and attempt.resume_at is None:
            _give_back(context, full, absolute_boxes, fixed_boxes)
            if page_is_empty:
                _give_back(context, attempt, absolute_boxes, fixed_boxes)
                attempt = lay_out(height)
            return attempt
        step = min(step, attempt.step())
        _give_back(context, attempt, absolute_boxes, fixed_boxes)
        if step != float("inf"):
            height += step
            continue
        # Growing by the least step, the passes up to where one of this pass's
        # overflowing tests would fit take this pass's decisions: they place the same
        # boxes, measure the same step (none), and none completes.  They are skipped,
        # as many steps added as WeasyPrint's search would have added to get there.
        tried = height
        height += _MIN_STEP
        while height <= full.height and height - tried < attempt.slack - _SAME:
            height += _MIN_STEP
    return full
