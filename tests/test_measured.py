"""Tables' text measured once and kept between processes (typeset.measured): a later
render with the same fonts, style sheet and engine answers from the kept file, the
same PDF; anything else is measured afresh."""

from typeset import cjk, measured
from typeset.build import Options, build
from typeset.cjk import widths

from .conftest import FIXTURES


def _as_a_new_process(monkeypatch) -> None:
    monkeypatch.setattr(widths, "_ANSWERS", {})


def test_a_later_render_answers_from_the_kept_measurements(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with cjk.active():  # the extension installed: WeasyPrint's own answer known
        pass
    asked = []  # what Pango is asked for the tables' preferred widths
    segmented, original = widths._segmented, widths._ORIGINAL["split_first_line"]
    monkeypatch.setattr(widths, "_segmented",
                        lambda *args: asked.append(args) or segmented(*args))
    monkeypatch.setitem(widths._ORIGINAL, "split_first_line",
                        lambda *args: asked.append(args) or original(*args))
    _as_a_new_process(monkeypatch)
    first = build(FIXTURES / "features.xml", Options(output=tmp_path / "1.pdf"))
    assert len(asked) >= 10
    [kept] = (tmp_path / "cache" / "typeset").glob("measured-*.pickle")
    answers = measured._load(kept)
    assert len(answers) >= measured.WRITE_AT_LEAST
    stamp = kept.stat().st_mtime_ns
    _as_a_new_process(monkeypatch)
    asked.clear()
    again = build(FIXTURES / "features.xml", Options(output=tmp_path / "2.pdf"))
    assert asked == []  # every question of the tables answered from the file
    assert (tmp_path / "2.pdf").read_bytes() == (tmp_path / "1.pdf").read_bytes()
    assert kept.stat().st_mtime_ns == stamp  # nothing new: not written again
    assert len(again.document.pages) == len(first.document.pages)


def test_another_style_sheet_or_engine_is_measured_afresh(tmp_path, monkeypatch):
    html = '<html><head><style>body { font-size: 12pt }</style></head><body></body></html>'
    one = measured.scope("stamp", html)
    assert one == measured.scope("stamp", html.replace("<body></body>", "<body>x</body>"))
    assert one != measured.scope("stamp", html.replace("12pt", "13pt"))
    assert one != measured.scope("other stamp", html)
    monkeypatch.setattr(measured, "_engine", lambda: "another cjk package")
    assert one != measured.scope("stamp", html)


def test_few_new_answers_are_not_written_and_a_damaged_file_is_ignored(tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = measured._path("scope")
    with measured.kept("scope"):
        for i in range(measured.WRITE_AT_LEAST - 1):
            widths._answered((f"字{i}", ("style",), object(), False, 0.25, None, 0, True,
                              False), (None, 1, None, 16.0, 20.0, 16.0))
    assert not path.exists()
    with measured.kept("scope"):
        for i in range(measured.WRITE_AT_LEAST):
            widths._answered((f"字{i}", ("style",), object(), False, 0.25, None, 0, True,
                              False), (None, 1, None, 16.0, 20.0, 16.0))
    assert len(measured._load(path)) == measured.WRITE_AT_LEAST
    assert widths._KEPT is None  # only for the duration
    for damage in (b"", b"not a pickle", b"\x80\x05K\x01."):  # the last: an int
        path.write_bytes(damage)
        with measured.kept("scope"):
            assert widths._KEPT == {}


def test_a_warm_process_reads_the_file_again_only_when_it_changed(tmp_path, monkeypatch):
    """`--watch` renders again and again with one scope: the kept answers are loaded
    once, and again once another process has written the file."""
    import pickle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(measured, "_LOADED", [None, {}])
    path = measured._path("scope")
    path.parent.mkdir(parents=True)
    path.write_bytes(pickle.dumps({("字",): (None, 1, None, 16.0, 20.0, 16.0)}))
    loads = []
    original = pickle.loads
    monkeypatch.setattr(pickle, "loads", lambda data: loads.append(1) or original(data))
    for _ in range(3):
        with measured.kept("scope"):
            assert widths._KEPT == {("字",): (None, 1, None, 16.0, 20.0, 16.0)}
    assert len(loads) == 1
    path.write_bytes(pickle.dumps({("字",): (None, 1, None, 16.0, 20.0, 16.0),
                                   ("文",): (None, 1, None, 16.0, 20.0, 16.0)}))
    with measured.kept("scope"):
        assert len(widths._KEPT) == 2
    assert len(loads) == 2
