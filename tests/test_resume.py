"""Warm previews (`--watch`): laid out from the first page an edit can change, and
still the pages a cold preview of the edited issue gives, line for line."""

import shutil

import pytest

from typeset import build as build_module
from typeset import resume
from typeset.build import Options, preview
from typeset.check import read_pdf

from .conftest import SAMPLE
from .test_preview import lines

DOC = "nzbh-2021-22"  # near the end of the sample: a cold preview lays out 26 pages first
EARLIER = "nzf-2021-18"
IN_DOC = "你厅《关于建立自治区公共法律服务体系建设部门联席会议制度的请示》"
IN_EARLIER = "自治区人民政府批准自治区文化和旅游厅确定的第六批"


@pytest.fixture
def issue(tmp_path):
    """A copy of the sample to edit, with no checkpoints of it in the process."""
    copy = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, copy)
    build_module._CHECKPOINTS.clear()
    yield copy
    build_module._CHECKPOINTS.clear()


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def cold(path, doc_id, out):
    """The preview a fresh process makes: no checkpoints."""
    saved = dict(build_module._CHECKPOINTS)
    build_module._CHECKPOINTS.clear()
    try:
        result = preview(path, doc_id, Options(output=out))
    finally:
        build_module._CHECKPOINTS.clear()
        build_module._CHECKPOINTS.update(saved)
    assert result.resumed_at is None
    return read_pdf(out)


def same_pages(warm, cold):
    assert warm.labels == cold.labels
    for i in range(warm.pages):
        assert lines(warm.text(i)) == lines(cold.text(i)), f"page {warm.labels[i]}"


def test_edit_in_the_document_resumes_at_its_first_page(issue, tmp_path):
    first = preview(issue, DOC, Options(output=tmp_path / "a.pdf"))
    assert first.resumed_at is None  # nothing laid out yet in this process
    edit(issue, IN_DOC, IN_DOC.replace("建立", "设立"))
    warm = preview(issue, DOC, Options(output=tmp_path / "b.pdf"))
    # the page the document starts on (the pages before it are not laid out)
    label = read_pdf(tmp_path / "a.pdf").labels[0]
    assert warm.resumed_at is not None and warm.resumed_at > 20
    shown = read_pdf(tmp_path / "b.pdf")
    assert shown.labels[0] == label
    assert "设立自治区公共法律服务体系" in "".join(shown.text(0).split())
    same_pages(shown, cold(issue, DOC, tmp_path / "c.pdf"))


def test_edit_in_an_earlier_document_resumes_before_it(issue, tmp_path):
    preview(issue, DOC, Options(output=tmp_path / "a.pdf"))
    checkpoints = build_module._CHECKPOINTS[str(issue.resolve())]
    edit(issue, IN_EARLIER, IN_EARLIER.replace("确定的", "审定的"))
    warm = preview(issue, DOC, Options(output=tmp_path / "b.pdf"))
    assert warm.resumed_at is not None
    assert warm.resumed_at <= checkpoints[EARLIER].index
    same_pages(read_pdf(tmp_path / "b.pdf"), cold(issue, DOC, tmp_path / "c.pdf"))


def test_a_document_that_changes_its_page_count_is_laid_out_whole(issue, tmp_path):
    preview(issue, DOC, Options(output=tmp_path / "a.pdf"))
    edit(issue, IN_DOC, IN_DOC * 40)  # a page longer or more
    warm = preview(issue, DOC, Options(output=tmp_path / "b.pdf"))
    assert warm.resumed_at is None
    same_pages(read_pdf(tmp_path / "b.pdf"), cold(issue, DOC, tmp_path / "c.pdf"))


def test_prefix_hash_ignores_the_title_only():
    html = ('<html><head><title>A · 一</title><style>p{}</style></head><body>'
            '<article class="document" data-doc="d1">x</article>'
            '<article class="document" data-doc="d2">y</article></body></html>')
    same = html.replace("A · 一", "A · 二")
    styled = html.replace("p{}", "p{color:red}")
    earlier = html.replace(">x<", ">z<")
    later = html.replace(">y<", ">w<")
    assert resume.prefix_hash(html, "d2") == resume.prefix_hash(same, "d2")
    assert resume.prefix_hash(html, "d2") == resume.prefix_hash(later, "d2")
    assert resume.prefix_hash(html, "d2") != resume.prefix_hash(styled, "d2")
    assert resume.prefix_hash(html, "d2") != resume.prefix_hash(earlier, "d2")
    assert resume.prefix_hash(html, "d3") is None


def test_prune_empties_documents_before_the_checkpoint_keeping_their_anchor():
    html = ('<body><article class="document" data-doc="d1"><p>甲</p></article>'
            '<article class="document" data-doc="d2"><p>乙</p></article></body>')
    checkpoint = resume.Checkpoint("d2", 3, "", (), before=("d1",))
    pruned = resume.prune(html, checkpoint)
    assert "甲" not in pruned and "乙" in pruned
    assert '<article class="document" data-doc="d1"><div class="unshown" id="d1"></div>' \
           '</article>' in pruned


def test_a_layout_showing_the_page_count(issue, tmp_path, monkeypatch):
    """counter(pages) in the running heads: the warm preview's pages show the same
    count as a cold one."""
    from typeset import layout as layout_module

    layouts = tmp_path / "layouts"
    shutil.copytree(layout_module.data_dir("layouts"), layouts)
    real = layout_module.data_dir
    monkeypatch.setattr(layout_module, "data_dir",
                        lambda kind: layouts if kind == "layouts" else real(kind))
    css = layouts / "gazette" / "style.css.j2"
    css.write_text(css.read_text(encoding="utf-8").replace(
        "content: counter(page)", 'content: counter(page) " / " counter(pages)'),
        encoding="utf-8")
    preview(issue, DOC, Options(output=tmp_path / "a.pdf"))
    edit(issue, IN_DOC, IN_DOC.replace("建立", "设立"))
    preview(issue, DOC, Options(output=tmp_path / "b.pdf"))
    warm = read_pdf(tmp_path / "b.pdf")
    assert any(" / " in warm.text(i) for i in range(warm.pages))
    same_pages(warm, cold(issue, DOC, tmp_path / "c.pdf"))
