"""Turn an `Issue` into one HTML document through a layout.

In: the issue model, a loaded `Layout`, the edition ("screen" or "print": the style
sheet's colours and page bleed) and optionally the id of the one document to preview.
Out: an HTML string (with its style sheet inlined) ready for WeasyPrint.
All markup and styling lives in the layout's templates; this module only hands them
the model and the settings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from . import __version__
from .clreq import DASHES, ELLIPSES, NO_LINE_END, NO_LINE_START, no_break_between
from .errors import TypesetError
from .layout import Layout
from .model import Inline, Issue, fill_format, plain


def compose(issue: Issue, layout: Layout, *, only: str | None = None,
            shown: frozenset[str] | None = None, edition: str = "screen") -> str:
    """Render `issue` to HTML: the cover, the contents and the documents in `shown`
    (default: all).  `only` names the previewed document (for the PDF's title).

    A broken layout template (a syntax error, a field the model does not have) is a
    `TypesetError` naming the template file and line, not a traceback.
    """
    import jinja2  # here, not at import: `check --pdf` and `validate` never compose

    if only is not None:
        issue.document(only)  # KeyError listing the valid ids
    if shown is None:
        shown = frozenset(d.id for d in issue.documents)
    try:
        return _compose(issue, layout, only, shown, edition)
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or "template"
        raise TypesetError(f"{where}:{exc.lineno}: layout template error: {exc.message}") \
            from None
    except jinja2.TemplateError as exc:
        raise TypesetError(f"{_template_position(exc.__traceback__, layout)}: layout template "
                           f"error: {exc.message or exc}") from None


def _compose(issue: Issue, layout: Layout, only: str | None, shown: frozenset[str],
             edition: str) -> str:
    settings = layout.settings
    layout.env.filters["balance"] = balance
    layout.env.filters["fill"] = fill_format
    # The style sheet gets the layout's settings and numbers only, never issue text.
    profile = layout.profiles.get("profile")
    css = layout.env.get_template("style.css.j2").render(
        s=settings, faces=layout.font_urls(), edition=edition,
        profile=profile.url if profile else "",
    )
    if "</style" in css.lower():
        raise TypesetError(f"{layout.folders[0]}/style.css.j2: the style sheet may not "
                           "contain </style>")
    composer = _composer(layout)
    html = layout.env.get_template("issue.html.j2").render(
        issue=issue,
        css=css,
        only=only,
        shown=shown,
        version=__version__,
        wide_table_columns=settings["tables"]["wide_columns"],
        s=settings,
        composed=composer,
    )
    _COMPOSED.clear()  # the documents of this compose only: one issue's worth
    _COMPOSED.update(list(composer.now.items())[:COMPOSED_KEPT])
    return html


#: Documents' HTML of the last compose in this process: (the layout's files and
#: settings, the document, its section's id and title, whether it opens its
#: section): (the document, its HTML).  The document models are immutable, and
#: `parse` hands back the same one for a document it read before unchanged
#: (`--watch`).
_COMPOSED: dict[tuple, tuple] = {}
#: Documents' HTML kept at most (0: none).
COMPOSED_KEPT = 1_000


class SectionHead(NamedTuple):
    """What document.html.j2 is given of a document's section."""

    id: str
    title: str


def _composer(layout: Layout) -> Callable:
    """`composed(doc, section, first)` for issue.html.j2: the HTML of document.html.j2
    for `doc` of `section` (`first`: it opens the section), rendered with those, the
    layout's settings (`s`) and `wide_table_columns` only; the HTML composed before
    by the last compose for the same document and the same layout files and settings.
    What it composes or takes is in its ``now`` (key: (document, HTML)), for
    `_COMPOSED`."""
    from markupsafe import Markup

    settings = layout.settings
    template = layout.env.get_template("document.html.j2")
    files = tuple((str(path), *_stat(path)) for path in layout.files())
    signature = (files, repr(settings))

    def composed(doc, section, first) -> Markup:
        head = SectionHead(section.id, section.title)
        key = (signature, id(doc), head, bool(first))
        kept = _COMPOSED.get(key)
        if kept is None or kept[0] is not doc:
            kept = doc, Markup(template.render(
                doc=doc, section=head, loop_first=bool(first), s=settings,
                wide_table_columns=settings["tables"]["wide_columns"]))
        composed.now[key] = kept
        return kept[1]

    composed.now = {}
    return composed


def _stat(path) -> tuple[int, int]:
    """A file's modification time and size."""
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _template_position(tb, layout: Layout) -> str:
    """file:line of the innermost template frame in traceback `tb` (Jinja maps lines)."""
    where = f"{layout.folders[0]}"
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            where = f"{name}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def balance(nodes: tuple[Inline, ...], per_line: int) -> tuple[Inline, ...]:
    """Break a title that needs several lines into lines of nearly equal length.

    A title with <br/> hints is left as the XML says.  Otherwise, when it is longer
    than `per_line` characters, forced breaks go where clreq allows a break (no
    closing mark at a line start, no opening one at a line end, —— and …… and
    numbers kept whole) nearest to equal shares, so a title never ends with one
    character alone.  Breaks fall in top-level text only (never inside <nobr>/<em>).
    """
    if any(n.kind == "br" for n in nodes):
        return nodes
    text = plain(nodes)
    if len(text) <= per_line:
        return nodes
    lines = math.ceil(len(text) / per_line)
    # break opportunities: offsets into `text` inside top-level text nodes
    allowed: list[int] = []
    offset = 0
    for node in nodes:
        length = len(plain((node,)))
        if node.kind == "text":
            allowed.extend(i for i in range(offset + 1, offset + length) if _can_break(text, i))
        offset += length
    if not allowed:
        return nodes
    share = len(text) / lines
    breaks = sorted({min(allowed, key=lambda i, k=k: abs(i - k * share)) for k in range(1, lines)})
    out: list[Inline] = []
    offset = 0
    for node in nodes:
        length = len(plain((node,)))
        if node.kind != "text":
            out.append(node)
        else:
            start = 0
            for b in breaks:
                if offset < b < offset + length:
                    out.extend([Inline("text", node.text[start:b - offset]), Inline("br")])
                    start = b - offset
            out.append(Inline("text", node.text[start:]))
        offset += length
    return tuple(out)


def _can_break(text: str, i: int) -> bool:
    before, after = text[i - 1], text[i]
    if after in NO_LINE_START or before in NO_LINE_END or after == " " or before == " ":
        return False
    if (before in DASHES and after in DASHES) or (before in ELLIPSES and after in ELLIPSES):
        return False
    if before.isascii() and before.isalnum() and after.isascii() and after.isalnum():
        return False  # inside a Latin word or a number
    return not no_break_between(before, after)
