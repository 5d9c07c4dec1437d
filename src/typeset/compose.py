"""Turn an `Issue` into one HTML document through a layout.

In: the issue model, a loaded `Layout`, and optionally the id of the one document to
preview.  Out: an HTML string (with its style sheet inlined) ready for WeasyPrint.
All markup and styling lives in the layout's templates; this module only hands them
the model and the settings.
"""

from __future__ import annotations

from . import __version__
from .layout import Layout
from .model import Issue


def compose(issue: Issue, layout: Layout, *, only: str | None = None,
            first_page: int | None = None) -> str:
    """Render `issue` (or only document `only`, numbered from `first_page`) to HTML."""
    if only is not None:
        issue.document(only)  # KeyError listing the valid ids
    settings = layout.settings
    css = layout.env.get_template("style.css.j2").render(
        s=settings, faces=layout.font_urls(), meta=issue.meta, first_page=first_page,
        only=only,
    )
    return layout.env.get_template("issue.html.j2").render(
        issue=issue,
        css=css,
        only=only,
        version=__version__,
        wide_table_columns=settings["tables"]["wide_columns"],
    )
