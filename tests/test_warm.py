"""What a warm process (`--watch`) does not do again after an edit of text, and the
PDF it writes all the same, byte for byte: the drawing of a page the last preview drew
(`typeset.redraw`), the typography measured of its lines (`typeset.typocheck`), the
styles of the last render (`typeset.restyle`)."""

import shutil

import pytest

from typeset import build as build_module
from typeset import cjk, pdf, redraw, typocheck
from typeset.build import Options, build, preview
from typeset.check import read_pdf

from .conftest import FIXTURES, SAMPLE
from .test_resume import IN_LONG, LONG, edit, same_pages


@pytest.fixture
def no_drawings():
    redraw._DRAWN = {}
    yield
    redraw._DRAWN = {}


@pytest.mark.parametrize("fixture,image", [("minimal.xml", None),
                                           ("features.xml", "svg"),
                                           ("features.xml", "png")])
def test_a_page_written_again_is_replayed_and_the_pdf_is_the_same(
        fixture, image, tmp_path, no_drawings):
    """The same pages written twice (two copies of one rendered document): the second
    write replays every page it can, and its PDF is the first's.  A page that shows
    a raster image (an object of the document's) is always drawn; an SVG figure is
    drawn as paths, and its page is replayed."""
    from PIL import Image

    source = tmp_path / fixture
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    if image == "png":
        Image.new("RGB", (40, 20), (200, 30, 30)).save(tmp_path / "dot.png")
        text = text.replace('src="dot.svg"', 'src="dot.png"')
    else:
        shutil.copy(FIXTURES / "dot.svg", tmp_path / "dot.svg")
    source.write_text(text, encoding="utf-8")
    result = build(source, Options(output=tmp_path / "a.pdf"))
    document = result.document
    first = pdf.pdf_bytes(document.copy(), keep_drawings=True)
    assert redraw.last_write == {"replayed": 0, "drawn": len(document.pages)}
    second = pdf.pdf_bytes(document.copy(), keep_drawings=True)
    assert second == first
    figures = 1 if image == "png" else 0
    assert redraw.last_write == {"replayed": len(document.pages) - figures,
                                 "drawn": figures}
    # a write that does not keep its drawings leaves the last ones for the next
    assert pdf.pdf_bytes(document.copy()) == first
    assert redraw.last_write["replayed"] == len(document.pages) - figures
    # another PDF variant (the print edition's) is never drawn from these drawings
    with redraw.kept_drawings(False, "pdf/x-4"):
        document.copy().write_pdf()
    assert redraw.last_write == {"replayed": 0, "drawn": len(document.pages)}


def _previewed_then_edited(folder, where: str, growth: str, edition: str):
    """A copy of the sample in `folder` (no checkpoints in the process), LONG
    previewed from the cover and again from its checkpoint (a.pdf, b.pdf), then
    `growth` added to its text at IN_LONG[`where`]: the issue's path."""
    folder.mkdir()
    issue = folder / SAMPLE.name
    shutil.copy(SAMPLE, issue)
    build_module._CHECKPOINTS.clear()
    build_module._PREVIOUS.clear()
    preview(issue, LONG, Options(output=folder / "a.pdf", edition=edition))
    preview(issue, LONG, Options(output=folder / "b.pdf", edition=edition))
    anchor = IN_LONG[where]
    edit(issue, anchor, anchor + growth)
    return issue


@pytest.mark.parametrize("edition", ["screen", "print"])
def test_a_warm_preview_replays_the_pages_it_takes_over(tmp_path, no_drawings, edition):
    """After an edit of text, the pages a warm preview takes from the last render are
    replayed, not drawn: its PDF is byte for byte the one it gives when they are
    drawn again, and its pages are a cold preview's (screen and print editions)."""
    pdfs = []
    for replay in (True, False):
        folder = tmp_path / str(replay)
        issue = _previewed_then_edited(folder, "first paragraph", "一", edition)
        if not replay:
            redraw._DRAWN = {}
        before = dict(typocheck._MEASURED)
        warm = preview(issue, LONG, Options(output=folder / "c.pdf", edition=edition))
        assert warm.resumed_at is not None
        # the typography of the lines taken over is not measured again, and the
        # report is the one measuring every line gives
        lines = {key: value for key, value in typocheck._MEASURED.items()
                 if key != "engine"}
        again = [key for key, (box, _) in lines.items()
                 if key in before and before[key][0] is box]
        assert len(again) > len(lines) // 2
        typocheck._MEASURED = {}
        typography = warm.layout.settings["typography"]
        with cjk.active(han_latin_space=typography["han_latin_space"]):  # as in a build
            fresh = typocheck.check_document(warm.document,
                                             heading_selector=typography["headings"])
        assert fresh == warm.typography
        if replay:
            assert redraw.last_write["replayed"] >= warm.pages // 2
            assert redraw.last_write["drawn"] >= 1  # the page with the edit
        else:
            assert redraw.last_write["replayed"] == 0
        pdfs.append((folder / "c.pdf").read_bytes())
    build_module._CHECKPOINTS.clear()
    build_module._PREVIOUS.clear()
    assert pdfs[0] == pdfs[1]
    cold = tmp_path / "cold"
    cold.mkdir()
    result = preview(issue, LONG, Options(output=cold / "d.pdf", edition=edition))
    assert result.resumed_at is None
    same_pages(read_pdf(tmp_path / "True" / "c.pdf"), read_pdf(cold / "d.pdf"))
    build_module._CHECKPOINTS.clear()
    build_module._PREVIOUS.clear()


def test_a_warm_preview_takes_the_styles_of_the_last_render(tmp_path, no_drawings,
                                                            monkeypatch):
    """After an edit of text only, the warm preview's styles are the last render's,
    moved onto its own elements (the style sheet is not parsed again, the cascade not
    computed again), and its PDF is byte for byte the one computing them gives."""
    from typeset import restyle

    pdfs = []
    for reuse in (True, False):
        if not reuse:
            monkeypatch.setattr(restyle, "_twins", lambda old, new: None)
        folder = tmp_path / str(reuse)
        issue = _previewed_then_edited(folder, "middle", "一二三", "screen")
        warm = preview(issue, LONG, Options(output=folder / "c.pdf"))
        assert warm.resumed_at is not None
        (previous,) = build_module._PREVIOUS.values()
        assert getattr(previous.context, "typeset_restyled", False) is reuse
        pdfs.append((folder / "c.pdf").read_bytes())
    build_module._CHECKPOINTS.clear()
    build_module._PREVIOUS.clear()
    assert pdfs[0] == pdfs[1]


def test_styles_are_taken_only_by_a_twin_element_tree():
    """Same tags, attributes and order, text present where it was: twins; another
    attribute, an element that gains or loses its text (`:empty`), another style
    sheet: not."""
    from xml.etree import ElementTree

    from typeset.restyle import _twins

    def tree(body, css="p{color:red}"):
        return ElementTree.fromstring(f"<html><head><style>{css}</style></head>"
                                      f"<body>{body}</body></html>")

    old = tree('<p class="a">一二三</p><p>四</p>')
    assert _twins(old, tree('<p class="a">一二三四五</p><p>六</p>')) is not None
    assert _twins(old, tree('<p class="b">一二三</p><p>四</p>')) is None
    assert _twins(old, tree('<p class="a"></p><p>四</p>')) is None
    assert _twins(old, tree('<p class="a">一二三</p><p>四</p><p>五</p>')) is None
    assert _twins(old, tree('<p class="a">一二三</p><p>四</p>', "p{color:blue}")) is None


def test_watch_starts_ready_to_take_pages_over(tmp_path):
    """A watch started without a build's checkpoints lays its document out from the
    cover, then once more from the document's checkpoint (unseen), so the first save
    finds a render to take pages and styles from, as every later one does."""
    import threading
    import time

    from typeset.build import watch

    issue = tmp_path / SAMPLE.name
    shutil.copy(SAMPLE, issue)
    build_module._CHECKPOINTS.clear()
    build_module._PREVIOUS.clear()
    out = tmp_path / "w.pdf"
    messages = []
    thread = threading.Thread(target=watch, args=(issue, LONG, Options(output=out)),
                              kwargs={"log": messages.append, "rounds": 1, "interval": 0.05})
    thread.start()
    deadline = time.time() + 120
    while not build_module._PREVIOUS and time.time() < deadline:
        time.sleep(0.05)
    (key, _), = build_module._PREVIOUS.items()
    assert key[3] == LONG
    anchor = IN_LONG["first paragraph"]
    edit(issue, anchor, anchor + "一")
    thread.join(120)
    assert sum(m.startswith(str(out)) for m in messages) == 2, messages  # none unseen
    (previous,) = build_module._PREVIOUS.values()
    assert previous.context.reused  # the first save took pages over
    build_module._CHECKPOINTS.clear()
    build_module._PREVIOUS.clear()


@pytest.mark.parametrize("anchor,growth", [
    ("自治区人民政府批准自治区文化和旅游厅确定", "一"),  # a paragraph before the tables
    ("野狐岭的传说", "的故事"),  # one cell, wider: its widths are measured again
])
def test_a_warm_preview_takes_the_widths_of_table_cells_whose_text_is_unchanged(
        tmp_path, no_drawings, monkeypatch, anchor, growth):
    """nzf-2021-18's tables: after an edit of text only, the intrinsic widths of the
    cells whose text did not change are the last render's, an edited cell's are
    measured again, and the PDF is byte for byte the one measuring every cell gives."""
    import weasyprint.layout.preferred as preferred

    from typeset import restyle

    document = "nzf-2021-18"
    measured = []
    original = preferred.table_cell_min_max_content_width

    def counted(context, box, outer=True):
        measured.append(box)
        return original(context, box, outer)

    monkeypatch.setattr(preferred, "table_cell_min_max_content_width", counted)
    pdfs = []
    for reuse in (True, False):
        if not reuse:
            monkeypatch.setattr(restyle, "_twins", lambda old, new: None)
        folder = tmp_path / str(reuse)
        folder.mkdir()
        issue = folder / SAMPLE.name
        shutil.copy(SAMPLE, issue)
        build_module._CHECKPOINTS.clear()
        build_module._PREVIOUS.clear()
        for name in ("a.pdf", "b.pdf"):
            preview(issue, document, Options(output=folder / name))
        cells = len(measured)
        edit(issue, anchor, anchor + growth)
        measured.clear()
        warm = preview(issue, document, Options(output=folder / "c.pdf"))
        assert warm.resumed_at is not None
        if reuse:
            assert len(measured) == (0 if "批准" in anchor else 1)
        else:
            assert len(measured) > 100 and cells > 100
        pdfs.append((folder / "c.pdf").read_bytes())
    build_module._CHECKPOINTS.clear()
    build_module._PREVIOUS.clear()
    assert pdfs[0] == pdfs[1]
