"""Line boxes laid out once: a paragraph's line at one place in its text is kept and
reused when the same line is asked for again in the same render.

In:  WeasyPrint's ``layout.inline.get_next_linebox``, asked for the line of a
     paragraph (its line box) that starts at a place in its text (the skip stack),
     in a column or block of some width.
Out: the same line as WeasyPrint lays out, finished by :mod:`.lines`, moved to
     where it is asked for this time.

Column balancing lays out a run of columns at several heights, measuring the
next box of each column on the way; a page break tried and refused (widows,
orphans, a heading kept with what follows) lays out lines again; the line that
overflows a page is laid out again at the top of the next.  In each case the
paragraph, the place in it and the width are the same, so the line is the same:
which characters it takes is decided by the text, the styles and the width
alone, never by the height.  On the sample issue more than one line layout in
three was such a repeat.

A line is kept only when nothing in it depends on where it stands: no floats
in the way (``context.excluded_shapes``), no ``::first-letter`` or
``::first-line`` style, and only text and inline boxes in it (no atomic box,
image, leader, footnote call, absolute or floated box).  It is kept as a
private deep copy, and each use gets a fresh deep copy moved by
``translate``, so what the caller later does to a line (margins collapsed,
relative positions, the last line of a clamp) never reaches the kept one.  The
text boxes share their Pango layouts, which nothing changes once a line is
finished.

The lines are kept while one page is made (WeasyPrint's ``make_page``), at most
:data:`LIMIT` of them, the oldest dropped first.  Between two pages WeasyPrint may
change the content of boxes (``target-counter()``, page-based counters, running
elements remade for a page) and lay a page out again with it, so no line outlives
its page; margin boxes, laid out once the pages are made, keep none.

A render from a layout checkpoint (``--watch``, :func:`typeset.resume.layout_from`)
also records every line it kept, with the text its paragraph held then
(``context.typeset_record``, :func:`record`).  The next render from the same
checkpoint, after an edit of the text of one block, starts with the lines of the
last one whose paragraphs it pairs with its own (:func:`carried`): the same boxes,
tags and styles, the HTML the same but for the edited text.  A line is taken from
them when its paragraph holds the same text as when it was laid out, so the edited
paragraph, and one whose generated text changed, is laid out afresh.
"""

from __future__ import annotations

#: Lines kept at most per render (about 25 pages of two columns); 0 lays every
#: line out afresh, as WeasyPrint does.
LIMIT = 2000

_ORIGINAL = {}


def install(patch) -> None:
    """Put :func:`get_next_linebox` and :func:`make_page` in WeasyPrint's place,
    through `patch`."""
    from weasyprint.layout import inline, page

    _ORIGINAL["get_next_linebox"] = inline.get_next_linebox
    _ORIGINAL["make_page"] = page.make_page
    patch("weasyprint.layout.inline.get_next_linebox", get_next_linebox)
    patch("weasyprint.layout.page.make_page", make_page)


def make_page(context, root_box, page_type, resume_at, page_number, page_state):
    """WeasyPrint's ``make_page``, with the lines of the page kept while it is made."""
    context.typeset_lines = {}
    try:
        return _ORIGINAL["make_page"](
            context, root_box, page_type, resume_at, page_number, page_state)
    finally:
        context.typeset_lines = None


def _frozen(skip_stack):
    """A skip stack (nested dicts, or None) as a hashable key."""
    if skip_stack is None:
        return None
    return tuple((index, _frozen(rest)) for index, rest in skip_stack.items())


def _thawed(frozen):
    """The skip stack of a :func:`_frozen` key, as new dicts."""
    if frozen is None:
        return None
    return {index: _thawed(rest) for index, rest in frozen}


def _movable(line) -> bool:
    """Only text and inline boxes, all in the normal flow: a line that can stand
    anywhere in its column."""
    from weasyprint.formatting_structure import boxes

    for box in line.descendants():
        if type(box) not in (boxes.LineBox, boxes.InlineBox, boxes.TextBox):
            return False
        if (getattr(box, "is_leader", False) or not box.is_in_normal_flow()
                or (box.element_tag or "").endswith("::footnote-call")):
            return False
    return True


def get_next_linebox(context, linebox, position_y, bottom_space, skip_stack,
                     containing_block, absolute_boxes, fixed_boxes,
                     first_letter_style, first_line_style):
    """WeasyPrint's ``get_next_linebox``: ``(line, resume_at)``, from the lines
    kept in this render when the same line was laid out before."""
    original = _ORIGINAL["get_next_linebox"]
    kept = getattr(context, "typeset_lines", None)
    if (kept is None or not LIMIT or context.excluded_shapes
            or first_letter_style is not None or first_line_style is not None):
        return original(context, linebox, position_y, bottom_space, skip_stack,
                        containing_block, absolute_boxes, fixed_boxes,
                        first_letter_style, first_line_style)
    key = (id(linebox), _frozen(skip_stack), linebox.text_indent, containing_block.width,
           containing_block.style["direction"])
    entry = kept.get(key)
    record = getattr(context, "typeset_record", None)
    if entry is None and record:
        entry = record.get(key)  # laid out by the last render, its text the same?
        if entry is not None and entry[6] == _text(linebox):
            _keep(kept, key, entry)
        else:
            entry = None
    if entry is not None:
        _, copy, resume_at, x, y, (start_x, width, height), _ = entry
        dx = containing_block.content_box_x() - x
        line = copy.deepcopy()
        line.translate(dx, position_y - y)
        line.position_y = position_y
        linebox.position_x, linebox.position_y = start_x + dx, position_y
        linebox.width, linebox.height = width, height
        return line, _thawed(resume_at)

    absolutes, fixed = len(absolute_boxes), len(fixed_boxes)
    line, resume_at = original(
        context, linebox, position_y, bottom_space, skip_stack, containing_block,
        absolute_boxes, fixed_boxes, first_letter_style, first_line_style)
    if (line is not None and len(absolute_boxes) == absolutes
            and len(fixed_boxes) == fixed and _movable(line)):
        # the linebox is held so that its id is not reused while the line is kept
        entry = (linebox, line.deepcopy(), _frozen(resume_at),
                 containing_block.content_box_x(), position_y,
                 (linebox.position_x, linebox.width, linebox.height),
                 _text(linebox) if record is not None else None)
        _keep(kept, key, entry)
        if record is not None:
            _keep(record, key, entry)
    return line, resume_at


def _keep(lines: dict, key: tuple, entry: tuple) -> None:
    """Keep `entry` under `key` in `lines`, the oldest dropped beyond :data:`LIMIT`."""
    if key not in lines and len(lines) >= LIMIT:
        del lines[next(iter(lines))]
    lines[key] = entry


def _text(linebox) -> tuple:
    """The text of a paragraph's line box, as it stands now (generated text
    included): what a line kept from an earlier render must have been laid out
    from."""
    from weasyprint.formatting_structure import boxes

    return tuple(box.text for box in linebox.descendants() if isinstance(box, boxes.TextBox))


def record(context, earlier: dict | None = None, pairs=()) -> None:
    """Record in ``context`` the lines of its render (:func:`get_next_linebox`),
    starting with those of `earlier` (a render's record) whose paragraphs `pairs`
    maps to this render's: (line box of that render, the same line box of this
    one), as :func:`carried` gives them."""
    context.typeset_record = carried(earlier, pairs) if earlier and LIMIT else {}


def carried(earlier: dict, pairs) -> dict:
    """The lines of `earlier` (a record) for the line boxes of `pairs` (earlier
    line box, its counterpart now), keyed by their counterparts."""
    now = {id(old): new for old, new in pairs}
    lines = {}
    for (old, *rest), (_, *entry) in earlier.items():
        new = now.get(old)
        if new is not None:
            lines[(id(new), *rest)] = (new, *entry)
    return lines
