"""Finishing a line: what happens to a line box once its breaks are chosen.

In:  a WeasyPrint line box, its available width, whether it is a paragraph's last.
Out: the same line with adjacent punctuation compressed across boxes, a closing
mark at the line end set half-width, optional Han–Latin spacing, and the spare
width spread between characters (inter-character justification), each text box
given a one-line Pango layout that draws it so.  Like WeasyPrint's
``layout/inline.py`` ``text_align``, which it runs before.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..clreq import (
    _OBJECT,
    _SPACES,
    CLOSE_LIKE,
    han_latin_boundaries,
    is_wide,
    justification_weight,
    pair_halts,
    squeeze,
)
from .attributes import _pango_spacing, _Spec, _style_spacing
from .options import _HALF, _MAX_BOX_GAP_EM, _OVERFULL_TOLERANCE, OPTIONS
from .properties import inter_character, trims_spacing

# -- Finishing a line: compression, Han–Latin spacing, justification ----------

class _Weights(dict):
    """Justification weight of each character met, computed once."""

    def __missing__(self, char):
        weight = self[char] = justification_weight(char)
        return weight


_WEIGHTS = _Weights()


@dataclass
class _Plan:
    box: object
    old_x: float
    old_width: float
    segments: list  # (start, end, halts) character ranges of box.text
    start: int  # index of the box's first unit in the line
    measured: bool  # laid out as Pango measured it while breaking the line
    results: list | None = None  # (layout, width) per segment, once laid out again


def _own_halts(box) -> set:
    """The marks a text box compresses when measured alone (as Pango measured it)."""
    return pair_halts(box.text) if trims_spacing(box.style) else set()


def _leaves(box, leaves):
    from weasyprint.formatting_structure import boxes

    for child in box.children:
        if not child.is_in_normal_flow():
            continue
        if isinstance(child, boxes.TextBox):
            leaves.append(child)
        elif isinstance(child, boxes.InlineBox):
            _leaves(child, leaves)
        else:
            leaves.append(child)
    return leaves


def _has_leader(box) -> bool:
    return any(getattr(child, "is_leader", False) or (
        hasattr(child, "children") and _has_leader(child)) for child in box.children)


def finish_line(context, line, available_width, last) -> bool:
    """Adjust a laid-out line; return True when WeasyPrint should align it."""
    from weasyprint.formatting_structure import boxes

    if not OPTIONS.enabled or line.style["direction"] != "ltr":
        return True
    leaves = _leaves(line, [])
    texts = [leaf.text for leaf in leaves if isinstance(leaf, boxes.TextBox)]
    if not any(is_wide(char) for text in texts for char in text):
        return True
    if any("\n" in text or "\t" in text for text in texts) or _has_leader(line):
        return True

    align = line.style["text_align_all"]
    if last:
        align_last = line.style["text_align_last"]
        align = align if align_last == "auto" else align_last
    justify = (align == "justify" and inter_character(line.style)
               and line.style["white_space"] in ("normal", "nowrap", "pre-line"))

    # One unit per character of the line (an atomic inline box is one unit,
    # _OBJECT): its text, the leaf it belongs to and its justification weight.
    texts, owners, first_unit = [], [], {}
    for leaf in leaves:
        text = leaf.text if isinstance(leaf, boxes.TextBox) else _OBJECT
        if text:
            first_unit[id(leaf)] = len(owners)
        texts.append(text)
        owners.extend([leaf] * len(text))
    if not owners:
        return True
    line_text = "".join(texts)
    weights = list(map(_WEIGHTS.__getitem__, line_text))
    count = len(owners)

    halts = {j for j in pair_halts(line_text) if trims_spacing(owners[j].style)}
    if justify and line_text[-1] in CLOSE_LIKE and trims_spacing(owners[-1].style):
        halts.add(count - 1)
    han_latin = set(han_latin_boundaries(line_text)) if OPTIONS.han_latin_space else set()

    # Is anything different from what Pango measured while breaking the line?
    changed = justify or bool(han_latin)
    if not changed:
        for box in {id(owners[j]): owners[j] for j in range(count)
                    if line_text[j] != _OBJECT}.values():
            start = first_unit[id(box)]
            own = {j - start for j in halts if owners[j] is box}
            if own != _own_halts(box):
                changed = True
                break
    if not changed:
        return True

    # Cut text boxes at the Han–Latin boundaries inside them: the space there
    # is positioning between boxes, so Latin words keep their own shaping.
    plans = {}
    start = 0
    for leaf in leaves:
        if not isinstance(leaf, boxes.TextBox):
            start += 1
            continue
        length = len(leaf.text)
        cuts = [0, *sorted(
            j - start + 1 for j in han_latin if start <= j < start + length - 1), length]
        segments = [
            (begin, end, frozenset(
                i - start - begin for i in halts if start + begin <= i < start + end))
            for begin, end in zip(cuts, cuts[1:], strict=False)]
        # Unchanged boxes keep the width Pango measured when breaking the line.
        measured = len(segments) == 1 and segments[0][2] == frozenset(pair_halts(leaf.text))
        plans[id(leaf)] = _Plan(leaf, leaf.position_x, leaf.width, segments, start, measured)
        start += length

    def layout_plan(plan, spacing):
        # Letter-spacing of a character: its weight's share of the spacing,
        # plus the style's letter- and word-spacing (word-spacing on spaces).
        style = plan.box.style
        values = {}
        plan.results = []
        for begin, end, own_halts in plan.segments:
            own_spacing = []
            for j in range(plan.start + begin, plan.start + end):
                key = (weights[j], line_text[j] in _SPACES)
                value = values.get(key)
                if value is None:
                    value = values[key] = _pango_spacing(
                        spacing * weights[j] + _style_spacing(style, line_text[j]))
                own_spacing.append(value)
            plan.results.append(_layout_text(
                plan.box, plan.box.text[begin:end], own_halts, tuple(own_spacing)))

    # Gaps between boxes (and box segments): Han–Latin space, plus
    # justification for the two half-gaps Pango trims at the edges of a layout.
    boundaries = []  # (unit index before the gap, Han–Latin space)
    for j in sorted({index - 1 for index in first_unit.values() if index} | han_latin):
        font_size = owners[j].style["font_size"]
        space = (OPTIONS.han_latin_em * font_size) if j in han_latin else 0
        boundaries.append((j, space))

    natural_width = line.width + sum(space for _, space in boundaries)
    for plan in plans.values():
        if not plan.measured:
            layout_plan(plan, 0)
            natural_width += sum(width for _, width in plan.results) - plan.old_width

    # Reduce before expanding: a justified line wider than its column (one that took
    # more text in split_text_box because its punctuation can give the room back)
    # sets marks half-width, in clreq's order, before anything is tightened evenly.
    over = natural_width - available_width
    if justify and over > _OVERFULL_TOLERANCE and OPTIONS.squeeze:
        half = owners[-1].style["font_size"] / 2 * _HALF
        squeezed = squeeze(line_text, halts, over, half)
        if squeezed is not None:
            halts = squeezed
            natural_width = line.width + sum(space for _, space in boundaries)
            for leaf in leaves:
                if not isinstance(leaf, boxes.TextBox):
                    continue
                plan = plans[id(leaf)]
                plan.segments = [
                    (begin, end, frozenset(
                        i - plan.start - begin for i in halts
                        if plan.start + begin <= i < plan.start + end))
                    for begin, end, _ in plan.segments]
                plan.measured = False
                layout_plan(plan, 0)
                natural_width += sum(width for _, width in plan.results) - plan.old_width

    spacing = 0
    capped = {}
    overfull = natural_width - available_width > _OVERFULL_TOLERANCE
    if overfull and not justify:
        # Only what this extension added (Han–Latin space, a re-laid-out box) can make
        # a line Pango broke wider than its column: take it back evenly, never print
        # past the edge.
        weight = sum(weights) - (weights[0] + weights[-1]) / 2
        if weight > 0:
            spacing = (available_width - natural_width) / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)
    if justify:
        spare = available_width - natural_width
        weight = sum(weights) - (weights[0] + weights[-1]) / 2
        if overfull and weight > 0:  # tighten evenly rather than run past the edge
            spacing = spare / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)
        elif spare > 0 and weight > 0:
            spacing = spare / weight
            # Keep gaps between boxes small if the gaps inside boxes can
            # take the rest (extractors read a wide gap as a space).
            while True:
                over = [
                    (j, cap) for j, _ in boundaries if j not in capped
                    for cap in [_MAX_BOX_GAP_EM * owners[j].style["font_size"]]
                    if spacing * (weights[j] + weights[j + 1]) / 2 > cap]
                if not over:
                    break
                for j, cap in over:
                    capped[j] = cap
                    spare -= cap
                    weight -= (weights[j] + weights[j + 1]) / 2
                if weight <= 0 or spare <= 0:
                    capped = {}
                    spacing = (available_width - natural_width) / (
                        sum(weights) - (weights[0] + weights[-1]) / 2)
                    break
                spacing = spare / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)

    def gaps_for(spacing):
        return {j + 1: capped.get(j, spacing * (weights[j] + weights[j + 1]) / 2) + space
                for j, space in boundaries}

    gaps = gaps_for(spacing)
    if justify or overfull:
        # Pango's measure of the spaced layouts can differ from the linear estimate
        # (letter-spacing on few expandable characters, spaces): correct once so the
        # line never ends past its column.
        width = line.width + sum(gaps.values()) + sum(
            sum(w for _, w in plan.results) - plan.old_width
            for plan in plans.values() if plan.results is not None)
        weight = sum(weights) - (weights[0] + weights[-1]) / 2
        over = width - available_width
        if over > _OVERFULL_TOLERANCE and weight > 0:
            spacing -= over / weight
            for plan in plans.values():
                if any(weights[plan.start:plan.start + len(plan.box.text)]):
                    layout_plan(plan, spacing)
            gaps = gaps_for(spacing)
    _place(line, plans, first_unit, gaps)
    return not justify


def _layout_text(box, text, halts, spacing):
    """Lay out ``text`` of ``box`` on one line with final attributes."""
    from weasyprint.text.line_break import Layout, line_size

    old_layout = getattr(box, "pango_layout", None)
    layout = Layout(box.style, 0, getattr(old_layout, "max_width", None))
    layout._cjk_spec = _Spec(text, halts, spacing)
    layout.set_text(text, justify=True)
    first_line, _ = layout.get_first_line()
    width, _ = line_size(first_line, box.style)
    layout.deactivate()
    return layout, width


def _place(line, plans, first_unit, gaps):
    """Put the new layouts in the line and move boxes to their new places.

    ``first_unit``: index in the line of each leaf's first unit (by ``id``),
    for the gap before it.
    """
    from weasyprint.formatting_structure import boxes

    def first_leaf(box):
        if isinstance(box, boxes.InlineBox):
            for child in box.children:
                if child.is_in_normal_flow():
                    leaf = first_leaf(child)
                    if leaf is not None:
                        return leaf
            return None
        return box

    advance = 0

    def walk(parent):
        nonlocal advance
        parent.position_x += advance
        before = advance
        children = []
        for child in parent.children:
            if not child.is_in_normal_flow():
                children.append(child)
                continue
            leaf = first_leaf(child)
            if leaf is not None and id(leaf) in first_unit:
                advance += gaps.pop(first_unit[id(leaf)], 0)
            plan = plans.get(id(child)) if isinstance(child, boxes.TextBox) else None
            if plan is not None and plan.results is not None:
                x = plan.old_x + advance
                for k, ((begin, end, _), (layout, width)) in enumerate(
                        zip(plan.segments, plan.results, strict=True)):
                    if k:
                        x += gaps.pop(first_unit[id(child)] + begin, 0)
                    segment = child if len(plan.segments) == 1 else child.copy_with_text(
                        child.text[begin:end])
                    segment.position_x = x
                    segment.width = width
                    segment.pango_layout = layout
                    segment.justification_spacing = 0
                    children.append(segment)
                    x += width
                advance = x - (plan.old_x + plan.old_width)
            elif isinstance(child, boxes.InlineBox):
                walk(child)
                children.append(child)
            elif isinstance(child, boxes.TextBox):
                child.position_x += advance
                children.append(child)
            else:
                child.translate(advance, 0, ignore_floats=True)
                children.append(child)
        parent.children = type(parent.children)(children)
        parent.width += advance - before

    walk(line)
