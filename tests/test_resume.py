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


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A folder with a copy of the sample and its build in out/ (with the checkpoints
    the build leaves there)."""
    from typeset.build import build

    folder = tmp_path_factory.mktemp("built")
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    build(folder / SAMPLE.name, Options(output=folder / "out" / "issue.pdf"))
    build_module._CHECKPOINTS.clear()
    return folder


def built_copy(built, tmp_path):
    """A copy of `built`: (the issue, its out/ folder), no checkpoints in memory."""
    folder = shutil.copytree(built, tmp_path / "built")
    build_module._CHECKPOINTS.clear()
    return folder / SAMPLE.name, folder / "out"


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def cold(path, doc_id, out):
    """The preview a fresh process makes with no checkpoints (none in memory, none
    in its output folder)."""
    out = out.parent / "cold" / out.name
    out.parent.mkdir()
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
    checkpoints, = (known for (path, _), known in build_module._CHECKPOINTS.items()
                    if path == str(issue.resolve()))
    checkpoints = dict(checkpoints)
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


def test_cold_preview_after_a_build_resumes_from_its_checkpoints(built, tmp_path):
    """A build leaves its checkpoints beside the PDF; a preview in a new process (no
    checkpoints in memory) into that folder lays out from them, and prints the
    build's pages."""
    issue, out = built_copy(built, tmp_path)
    saved = out / ".typeset" / f"{issue.stem}-screen.resume.json"
    assert saved.is_file()
    built = read_pdf(out / "issue.pdf")
    for doc_id in ("jjzb-2021-04", DOC, "ndf-2021-15"):
        build_module._CHECKPOINTS.clear()  # a new process
        result = preview(issue, doc_id, Options(output=out / f"{doc_id}.pdf"))
        assert result.resumed_at is not None and result.resumed_at > 0
        shown = read_pdf(out / f"{doc_id}.pdf")
        start = built.labels.index(shown.labels[0])
        for i in range(shown.pages):
            assert lines(shown.text(i)) == lines(built.text(start + i))


@pytest.mark.parametrize("damage", [
    lambda text: text.replace('"index": ', '"index": -'),
    lambda text: text[:len(text) // 2],
    lambda text: text.replace('"$tuple"', '"$other"'),
    lambda text: text.replace('"stamp": "', '"stamp": "x'),
    lambda text: '{"stamp": 1, "checkpoints": [[[[[[[[[[[[[]]]]]]]]]]]]}',
], ids=["negative-index", "truncated", "unknown-tag", "other-stamp", "nonsense"])
def test_a_damaged_checkpoint_file_is_ignored(built, tmp_path, damage):
    issue, out = built_copy(built, tmp_path)
    saved = out / ".typeset" / f"{issue.stem}-screen.resume.json"
    saved.write_text(damage(saved.read_text(encoding="utf-8")), encoding="utf-8")
    build_module._CHECKPOINTS.clear()
    result = preview(issue, "jjzb-2021-04", Options(output=out / "p.pdf"))
    assert result.resumed_at is None  # laid out from the cover, as without the file


def test_checkpoints_round_trip_through_the_file(tmp_path):
    entry = ({0: {2: {5: None}}}, {"break": "page", "page": ""}, True,
             ([0], {"pages": [24], "page": [2]}, [{"page", "pages"}],
              [["contents", 1, {0: {1: None}}]]),
             {"content_changed": False, "pages_wanted": False, "anchors": ["a"],
              "content_lookups": []})
    checkpoint = resume.Checkpoint("d", 7, "h", entry, {"running-title": {3: ["题"]}},
                                   {"colophon": {2: ["box"]}, "note": {5: []}},
                                   ("a",), 2, ("c",))
    resume.save(tmp_path / "c.json", "s", {"d": checkpoint})
    loaded = resume.load(tmp_path / "c.json", "s")["d"]
    assert loaded == resume.without_elements(checkpoint)
    assert loaded.lost_elements == ("colophon",)  # asked-for names without a value: none
    assert resume.load(tmp_path / "c.json", "other") == {}


def test_a_checkpoint_that_does_not_fit_is_no_traceback(built, tmp_path):
    """A skip stack pointing past the boxes (a file edited by hand): the preview is
    laid out from the cover, no traceback."""
    import json

    issue, out = built_copy(built, tmp_path)
    saved = out / ".typeset" / f"{issue.stem}-screen.resume.json"
    data = json.loads(saved.read_text(encoding="utf-8"))
    for item in data["checkpoints"]:
        item["entry"]["$tuple"][0] = {"$dict": [[0, {"$dict": [[999, None]]}]]}
    saved.write_text(json.dumps(data), encoding="utf-8")
    build_module._CHECKPOINTS.clear()
    result = preview(issue, DOC, Options(output=out / "p.pdf"))
    shown = read_pdf(out / "p.pdf")
    built = read_pdf(out / "issue.pdf")
    start = built.labels.index(shown.labels[0])
    if result.resumed_at is not None:  # WeasyPrint may lay out nothing from there
        assert shown.pages >= 1
    else:
        for i in range(shown.pages):
            assert lines(shown.text(i)) == lines(built.text(start + i))


def test_a_warm_preview_stops_with_the_page_the_next_document_starts_on(
        issue, tmp_path, monkeypatch):
    """Its document's last page is laid out whole (the next document's start on it
    included) and no page after it: the documents after it are not laid out, and
    the one it stopped in keeps an unknown page count, never taken for a change."""
    from typeset import pdf

    preview(issue, "ndf-2021-13", Options(output=tmp_path / "a.pdf"))
    laid_out = []
    render = pdf.render

    def counting(html, **kwargs):
        document, warnings = render(html, **kwargs)
        laid_out.append((kwargs.get("start"), len(document.pages),
                         document.layout_context.unfinished
                         if kwargs.get("start") else None))
        return document, warnings

    monkeypatch.setattr(pdf, "render", counting)
    text = issue.read_text(encoding="utf-8")
    start = text.index('id="ndf-2021-13"')
    paragraph = text.index("<p>", start) + len("<p>")
    issue.write_text(text[:paragraph] + "一" + text[paragraph:], encoding="utf-8")
    warm = preview(issue, "ndf-2021-13", Options(output=tmp_path / "b.pdf"))
    (checkpoint, pages, unfinished), = laid_out  # one render, from the checkpoint
    assert checkpoint.doc_id == "ndf-2021-13" and warm.resumed_at == checkpoint.index
    assert unfinished == {"ndf-2021-15"}  # a 9-page document, stopped on its first
    assert pages == warm.pages
    known, = (known for (path, _), known in build_module._CHECKPOINTS.items()
              if path == str(issue.resolve()))
    assert known["ndf-2021-15"].pages == 0 and known["ndf-2021-13"].pages == warm.pages
    monkeypatch.setattr(pdf, "render", render)
    same_pages(read_pdf(tmp_path / "b.pdf"), cold(issue, "ndf-2021-13", tmp_path / "c.pdf"))
    # the next document, from the checkpoint of the render that stopped in it
    nxt = preview(issue, "ndf-2021-15", Options(output=tmp_path / "d.pdf"))
    assert nxt.resumed_at == known["ndf-2021-15"].index
    (tmp_path / "next").mkdir()
    same_pages(read_pdf(tmp_path / "d.pdf"),
               cold(issue, "ndf-2021-15", tmp_path / "next" / "e.pdf"))


LONG = "ndf-2021-15"  # nine pages
IN_LONG = {
    "first paragraph": "为深入贯彻落实中共中央、国务院关于实现巩固拓展脱贫攻坚成果",
    "middle": "抓好全省域乡村治",
    "near the end": "建设100个以上产业帮扶示范村",
}


def reused_pages(issue, before=False):
    """The pages the last preview of LONG took from the render before it: after the
    edit (or, with `before`, before it)."""
    (key, previous), = build_module._PREVIOUS.items()
    assert key[0] == str(issue.resolve()) and key[3] == LONG
    return previous.context.kept if before else previous.context.reused


@pytest.mark.parametrize("where", sorted(IN_LONG))
@pytest.mark.parametrize("growth", ["一", "一二三四五六七八九十" * 4])
def test_pages_after_an_edit_are_the_last_renders_where_the_layout_meets_it(
        issue, tmp_path, where, growth):
    """After a text edit, a warm preview lays out from its document's first page only
    until a page starts where the last render's did, after the edited paragraph; it
    takes the last render's pages from there, and they are the pages a cold preview
    of the edited issue prints."""
    preview(issue, LONG, Options(output=tmp_path / "a.pdf"))  # from the cover
    preview(issue, LONG, Options(output=tmp_path / "b.pdf"))  # from the checkpoint
    anchor = IN_LONG[where]
    edit(issue, anchor, anchor + growth)
    warm = preview(issue, LONG, Options(output=tmp_path / "c.pdf"))
    assert warm.resumed_at is not None
    reused = reused_pages(issue)
    if growth == "一":  # a character: the paragraph keeps its lines, or one more
        assert reused and len(reused) < warm.pages
    if where == "middle":  # the layout starts near the edit (the end is in an appendix,
        # whose first blocks the conservative rule counts as read past a page's end)
        assert len(reused_pages(issue, before=True)) >= 2
    same_pages(read_pdf(tmp_path / "c.pdf"), cold(issue, LONG, tmp_path / "d.pdf"))


def test_no_page_is_taken_over_after_an_edit_outside_the_text(issue, tmp_path):
    """A changed attribute, tag or style sheet may change any page: laid out whole."""
    preview(issue, LONG, Options(output=tmp_path / "a.pdf"))
    preview(issue, LONG, Options(output=tmp_path / "b.pdf"))
    edit(issue, '<runin level="2">（十七）加强农村基层治理',
         '<runin level="3">（十七）加强农村基层治理')
    warm = preview(issue, LONG, Options(output=tmp_path / "c.pdf"))
    assert warm.resumed_at is not None and reused_pages(issue) == ()
    same_pages(read_pdf(tmp_path / "c.pdf"), cold(issue, LONG, tmp_path / "d.pdf"))


def test_a_text_only_edit_is_one_stretch_of_text_outside_tags():
    html = '<p class="a">一二三</p><p>四五</p>'
    assert resume.text_only_edit(html, html.replace("二", "二二"))
    assert not resume.text_only_edit(html, html)
    assert not resume.text_only_edit(html, html.replace('"a"', '"b"'))  # in a tag
    assert not resume.text_only_edit(html, html.replace("二", "<b>二</b>"))
    assert not resume.text_only_edit(html, html.replace("二", "X").replace("五", "Y"))


def test_a_text_only_edit_is_found_in_long_html_wherever_it_is():
    """The ends are compared a block at a time: the edit found at a block's edge,
    in the first and the last characters, and in HTML shorter than a block."""
    body = "".join(f"<p>{'一二三四五六七八九十' * 50}</p>" for _ in range(30))
    for at in (0, 1, 4095, 4096, 4097, 8192, len(body) // 2, len(body) - 1, len(body)):
        text = body.find("一", at)
        if text < 0:
            continue
        assert resume.text_only_edit(body, body[:text] + "测" + body[text:]), at
        assert resume.text_only_edit(body, body[:text] + body[text + 1:]), at
        tag = body.rfind("<p>", 0, text + 1)
        assert not resume.text_only_edit(body, body[:tag] + "<b>" + body[tag:]), at
        assert not resume.text_only_edit(body, body[:tag + 1] + "q" + body[tag + 2:]), at
    assert resume.text_only_edit("<p>一</p>", "<p>二</p>")
    assert not resume.text_only_edit("<p>一</p>", "<p>一</p><p>")


def test_prune_empties_the_front_matter_once_a_document_ended_before_the_page():
    """The elements marked data-front (the cover, the contents) come before every
    document: from a page after a document's end, their content is left out, their
    tags kept (WeasyPrint's skip stacks count the body's children); from the first
    document's page they stay whole.  Text that reads like the marker is text."""
    html = ('<body><section class="cover" data-front><p>封面 data-front</p>'
            '<section><p>内</p></section></section>'
            '<section data-front class="contents"><p>目录</p></section>'
            '<main><article class="document" data-doc="d1"><p>甲</p></article>'
            '<article class="document" data-doc="d2"><p>乙 data-front</p></article></main>'
            '</body>')
    pruned = resume.prune(html, resume.Checkpoint("d2", 3, "", (), before=("d1",)))
    assert pruned == ('<body><section class="cover" data-front></section>'
                      '<section data-front class="contents"></section>'
                      '<main><article class="document" data-doc="d1">'
                      '<div class="unshown" id="d1"></div></article>'
                      '<article class="document" data-doc="d2"><p>乙 data-front</p></article>'
                      '</main></body>')
    assert resume.prune(html, resume.Checkpoint("d1", 2, "", ())) == html
    # an element without its end tag is left as it is
    broken = '<body><section data-front><p>封面</p>'
    assert resume.prune(broken, resume.Checkpoint("d2", 3, "", (), before=("d1",))) == broken


def test_a_warm_preview_lays_out_afresh_only_the_lines_whose_text_changed(
        issue, tmp_path, monkeypatch):
    """After a text edit, a warm preview takes the last render's lines of every
    paragraph that holds the same text as when they were laid out, and lays out
    the edited paragraph's afresh: the PDF is byte for byte the one written when
    no line of the last render is taken (each text then differs, `reuse._text`)."""
    from typeset import cjk
    from typeset.cjk import reuse

    other = tmp_path / "other" / issue.name
    other.parent.mkdir()
    shutil.copy(issue, other)
    fresh, written, laid_out = [], [], []
    with cjk.active():  # installed once for the test: the originals it keeps stay
        original = reuse._ORIGINAL["get_next_linebox"]

        def counting(*args, **kwargs):
            fresh.append(1)
            return original(*args, **kwargs)

        monkeypatch.setitem(reuse._ORIGINAL, "get_next_linebox", counting)
        for path, text in ((issue, reuse._text), (other, lambda linebox: object())):
            monkeypatch.setattr(reuse, "_text", text)
            preview(path, LONG, Options(output=path.with_name("a.pdf")))  # from the cover
            preview(path, LONG, Options(output=path.with_name("b.pdf")))  # checkpoint
            anchor = IN_LONG["first paragraph"]
            edit(path, anchor, anchor + "一")
            fresh.clear()
            warm = preview(path, LONG, Options(output=path.with_name("c.pdf")))
            assert warm.resumed_at is not None
            laid_out.append(len(fresh))
            written.append(path.with_name("c.pdf").read_bytes())
    taken, afresh = laid_out
    assert written[0] == written[1]
    assert afresh > 60  # a page of two columns
    assert taken * 4 < afresh, laid_out  # the edited paragraph's lines, and few others
