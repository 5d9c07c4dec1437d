"""Pages drawn aside (`typeset.aside`): a forked process draws a build's last pages
while the build checks its typography and draws the first; the PDF is byte for byte
the one drawn in one process, and the build never depends on the helper."""

import os

import pytest

from typeset import aside, pdf
from typeset.build import Options, build
from typeset.press import Press

from .conftest import FIXTURES, SAMPLE


def _arguments(result, edition: str) -> dict:
    press = Press.from_layout(result.layout) if edition == "print" else None
    return {"front": tuple(result.layout.settings["numbering"]["front"]),
            "first_number": 1, "edition": edition, "press": press}


def _drawn_here(document, arguments: dict) -> bytes:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TYPESET_DRAW_ASIDE", "0")
        assert pdf.drawn_aside(document, **arguments) is None
        return pdf.pdf_bytes(document.copy(), **arguments)


@pytest.mark.parametrize("edition", ["screen", "print"])
def test_pages_drawn_aside_give_the_pdf_drawn_here(edition, sample, sample_print,
                                                   two_cores):
    """Both editions of the sample: half the pages drawn by the helper and replayed,
    the same bytes as every page drawn in this process, and as the build wrote."""
    result, _ = sample if edition == "screen" else sample_print
    arguments = _arguments(result, edition)
    here = _drawn_here(result.document, arguments)
    document = result.document.copy()
    helper = pdf.drawn_aside(document, **arguments)
    assert helper is not None
    with helper:
        data = pdf.pdf_bytes(document, **arguments, aside=helper)
    pages = len(document.pages)
    assert helper.first == pages - round(pages * aside.SHARE)
    assert helper.replayed >= (pages - helper.first) - 2  # a few may need drawing here
    assert data == here


def test_a_build_with_pages_drawn_aside_writes_the_pdf_drawn_here(
        tmp_path, two_cores, monkeypatch):
    """The sample built with a helper, and built drawing every page itself: the same
    bytes."""
    started = []
    original = aside.started

    def counted(pages, draw):
        helper = original(pages, draw)
        started.append(helper)
        return helper

    monkeypatch.setattr(aside, "started", counted)
    helped = build(SAMPLE, Options(output=tmp_path / "helped.pdf"))
    assert started[0] is not None and started[0].replayed > 0
    monkeypatch.setenv("TYPESET_DRAW_ASIDE", "0")
    alone = build(SAMPLE, Options(output=tmp_path / "alone.pdf"))
    assert alone.output.read_bytes() == helped.output.read_bytes()


@pytest.mark.parametrize("draw", [lambda only: 1 / 0, lambda only: os._exit(0),
                                  lambda only: os._exit(3)])
def test_a_helper_that_fails_leaves_every_page_to_the_build(draw, sample, two_cores):
    """A helper that raises, or leaves without handing anything over, costs nothing
    but time: the build draws every page, and writes the same PDF."""
    result, _ = sample
    arguments = _arguments(result, "screen")
    document = result.document.copy()
    helper = aside.started(document.pages, draw)
    with helper:
        data = pdf.pdf_bytes(document, **arguments, aside=helper)
    assert helper.replayed == 0
    assert data == _drawn_here(result.document, arguments)
    with pytest.raises(ChildProcessError):  # reaped
        os.waitpid(helper._pid, os.WNOHANG)


def test_a_helper_not_waited_for_is_stopped(sample, two_cores):
    """A write that fails before it needs the helper's pages: the helper, still
    drawing or done, is killed and reaped when the build leaves it."""
    result, _ = sample
    helper = pdf.drawn_aside(result.document.copy(), **_arguments(result, "screen"))
    with helper:
        pass
    with pytest.raises(ChildProcessError):
        os.waitpid(helper._pid, os.WNOHANG)


def test_when_pages_are_not_drawn_aside(sample, tmp_path, two_cores, monkeypatch):
    """Too few pages, switched off, or in a worker of a pool that keeps every core
    busy already: no helper.  A preview replays its pages from the last one instead."""
    result, _ = sample
    arguments = _arguments(result, "screen")
    small = build(FIXTURES / "minimal.xml", Options(output=tmp_path / "m.pdf"))
    assert len(small.document.pages) < aside.MIN_PAGES
    assert pdf.drawn_aside(small.document, **arguments) is None
    monkeypatch.setenv("TYPESET_DRAW_ASIDE", "0")
    assert pdf.drawn_aside(result.document, **arguments) is None
    monkeypatch.delenv("TYPESET_DRAW_ASIDE")
    monkeypatch.setattr(aside, "_cores", lambda: 1)
    assert pdf.drawn_aside(result.document, **arguments) is None
    monkeypatch.setattr(aside, "_cores", lambda: 2)
    monkeypatch.setattr(aside, "_allowed", True)
    aside.forbidden()
    assert pdf.drawn_aside(result.document, **arguments) is None


def test_a_process_with_another_thread_is_not_forked():
    """A fork copies the calling thread only: with another running, no helper."""
    import threading

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not aside._single_threaded()
    finally:
        stop.set()
        other.join()


def test_a_helper_that_hangs_is_stopped_and_its_pages_drawn_here(sample, two_cores,
                                                                 monkeypatch):
    """A helper that never hands its pages over: after WAIT_LIMIT the build kills it
    and draws them itself."""
    import time

    result, _ = sample
    arguments = _arguments(result, "screen")
    monkeypatch.setattr(aside, "WAIT_LIMIT", 0.5)
    document = result.document.copy()
    helper = aside.started(document.pages, lambda only: time.sleep(60))
    started = time.monotonic()
    with helper:
        data = pdf.pdf_bytes(document, **arguments, aside=helper)
    assert time.monotonic() - started < 30
    assert helper.replayed == 0 and helper._status != 0
    assert data == _drawn_here(result.document, arguments)
