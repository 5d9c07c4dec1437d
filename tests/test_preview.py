"""Preview = print: `typeset preview` writes the very pages the full build prints for
a document, for every document of every issue in issues/.

Each preview is read back and compared, page by page, with the pages of the full
build that carry the same labels: the same text line by line (so the same line
breaks, page breaks, page numbers and running heads), including the tail of the
previous document on a page the previewed one starts halfway down, and the start of
the next on the page it ends.
"""

import pytest

from typeset.build import Options, preview
from typeset.check import read_pdf
from typeset.parse import parse_issue

from .conftest import GOVCN, SAMPLE


def lines(text: str) -> list[str]:
    """The page's lines without white space.  The pages' drawing operators are the
    same; only how a text extractor reads gaps as spaces depends on the fonts embedded
    (whether the subset has a space glyph, which differs between the whole issue and a
    few of its pages), so spaces are not compared."""
    return ["".join(line.split()) for line in text.splitlines()]


CASES = [(path, doc.id) for path in (SAMPLE, GOVCN) for doc in parse_issue(path).documents]


@pytest.mark.parametrize("path, doc_id", CASES, ids=[f"{p.stem}:{d}" for p, d in CASES])
def test_preview_pages_are_the_pages_of_the_build(request, tmp_path, path, doc_id):
    result, full = request.getfixturevalue("sample" if path == SAMPLE else "govcn")
    out = tmp_path / f"{doc_id}.pdf"
    built = preview(path, doc_id, Options(output=out))
    assert built.warnings == []
    shown = read_pdf(out)
    assert shown.pages >= 1
    start = full.labels.index(shown.labels[0])
    assert shown.labels == full.labels[start:start + shown.pages]
    for i in range(shown.pages):
        assert lines(shown.text(i)) == lines(full.text(start + i)), f"page {shown.labels[i]}"
    # the previewed pages are the document's: its title is on the first, and the page
    # after the last (if any) no longer holds its text
    title = "".join(result.issue.document(doc_id).title_text.split())
    assert title[:8] in "".join(shown.text(0).split())
    assert built.pages == shown.pages
