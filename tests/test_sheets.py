"""typeset.sheets: the layout's style sheet parsed once, kept in the cache folder, and
loaded by later renders with the same effects (selectors, page rules, counter
styles, @font-face rules handed to the fonts again, through the fetcher)."""

import contextlib

import cssselect2.compiler
import pytest

from typeset import pdf, sheets
from typeset.build import Options, build
from typeset.errors import TypesetError

from .test_cjk import FONT_FACE, FONTS


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache folder of the test's own; yields the function listing its sheets."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return lambda: sorted((tmp_path / "cache" / "typeset").glob("weasyprint-sheet-*"))


@contextlib.contextmanager
def compiled_selectors():
    """Count the selectors cssselect2 compiles."""
    original = cssselect2.compiler.CompiledSelector.__init__
    count = [0]

    def counting(selector, parsed):
        count[0] += 1
        original(selector, parsed)

    cssselect2.compiler.CompiledSelector.__init__ = counting
    try:
        yield count
    finally:
        cssselect2.compiler.CompiledSelector.__init__ = original


def test_the_layouts_sheet_is_parsed_once_then_loaded(tmp_path, cache, monkeypatch,
                                                      minimal_path):
    """The first build parses the layout's sheet and keeps it; the next compiles none
    of its selectors (WeasyPrint still compiles the few it looks for elements with:
    style, link, base...) and writes the same bytes, which are those of a build that
    never keeps a sheet."""
    pdfs = []
    with compiled_selectors() as count:
        for name in ("first", "again"):
            count[0] = 0
            build(minimal_path, Options(output=tmp_path / f"{name}.pdf"), log=lambda m: None)
            pdfs.append((tmp_path / f"{name}.pdf").read_bytes())
            if name == "first":
                parsed = count[0]
                assert len(cache()) == 1
        assert parsed > 100 and count[0] < 10
    monkeypatch.setattr(pdf, "_sheets_parsed_once", contextlib.nullcontext)
    build(minimal_path, Options(output=tmp_path / "plain.pdf"), log=lambda m: None)
    assert pdfs[0] == pdfs[1] == (tmp_path / "plain.pdf").read_bytes()


def test_a_sheet_weasyprint_warns_about_is_never_kept(tmp_path, cache):
    """A declaration WeasyPrint ignores is a layout bug the build reports: its sheet is
    parsed, and warned about, every time."""
    html = "<style>p { columns: two; color: red }</style><p>字</p>"
    for _ in range(2):
        _, warnings = pdf.render(html, base_url=tmp_path)
        assert any("Ignored `columns: two`" in w for w in warnings)
    assert cache() == []


def test_a_kept_sheets_font_faces_go_through_the_fetcher_again(tmp_path, cache,
                                                              monkeypatch):
    """A kept sheet's @font-face rules are handed to the fonts again when it is
    loaded: fetched, and refused outside the render's folders, as when parsed (by a
    process's first fonts: later renders share the faces already read)."""
    html = f"<style>{FONT_FACE} p {{ font-family: Body }}</style><p>字</p>"
    document, _ = pdf.render(html, base_url=tmp_path, roots=(FONTS,))
    assert len(cache()) == 1
    document, _ = pdf.render(html, base_url=tmp_path, roots=(FONTS,))
    assert pdf._fonts.seen  # the glyph check's @font-face rules, from the kept sheet
    monkeypatch.setattr(pdf, "_fonts", None)
    with pytest.raises(TypesetError, match="refused to read"):
        pdf.render(html, base_url=tmp_path, roots=(tmp_path,))


def test_a_damaged_file_is_parsed_again_and_the_oldest_go(tmp_path, cache, monkeypatch):
    html = "<style>p {{ color: {} }}</style><p>字</p>"
    pdf.render(html.format("red"), base_url=tmp_path)
    kept = cache()
    assert len(kept) == 1
    with compiled_selectors() as count:
        pdf.render(html.format("red"), base_url=tmp_path)  # loaded
        loaded = count[0]
        kept[0].write_bytes(b"not a pickle")
        pdf.render(html.format("red"), base_url=tmp_path)
    assert count[0] - loaded == loaded + 1  # its one selector compiled again
    assert kept[0].read_bytes() != b"not a pickle"
    import pickle

    kept[0].write_bytes(pickle.dumps({"tests": b"", "matcher": None}))  # not ours
    with compiled_selectors() as count:
        pdf.render(html.format("red"), base_url=tmp_path)
    assert count[0] == loaded + 1
    monkeypatch.setattr(sheets, "KEPT", 2)
    for colour in ("green", "blue"):
        pdf.render(html.format(colour), base_url=tmp_path)
    assert len(cache()) == 2


def test_a_sheet_kept_with_the_extension_is_not_loaded_without_it(tmp_path, cache):
    """The extension's properties are known to WeasyPrint only while it is active: a
    sheet kept then (its `line-break` declaration valid) is not the one a render
    without it loads, which ignores the declaration and says so, as WeasyPrint does."""
    from typeset import cjk
    from typeset.cjk.options import OPTIONS

    was = OPTIONS.enabled  # other tests may leave it enabled for the whole process
    cjk.disable()
    try:
        html = "<style>p { line-break: strict }</style><p>字</p>"
        with cjk.active():
            _, warnings = pdf.render(html, base_url=tmp_path)
        assert not any("line-break" in w for w in warnings) and len(cache()) == 1
        _, warnings = pdf.render(html, base_url=tmp_path)
        assert any("Ignored `line-break: strict" in w for w in warnings)
        with cjk.active():
            _, warnings = pdf.render(html, base_url=tmp_path)
        assert not any("line-break" in w for w in warnings) and len(cache()) == 1
    finally:
        if was:
            cjk.enable()
