"""Patterns and dataclass methods kept in the cache folder (typeset.compiled): the
same objects as compiled afresh, written only when worth it, a damaged file ignored."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from typeset import compiled

PATTERNS = [  # flags as re._compile hands them on: plain ints
    (r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})", 0),
    (r"[\u3000-\u303f\uff00-\uffef]+|\s+", int(re.UNICODE)),
    (r"^\s*#.*?coding[:=]\s*([-\w.]+)", int(re.MULTILINE | re.IGNORECASE)),
    (rb"<<\s*/Type\s*/(\w+)", 0),
    (r"(a)(?:b)(?P<c>c)?|x{2,5}?", int(re.VERBOSE | re.DOTALL)),
]


def _kept(tmp_path: Path, monkeypatch) -> compiled._Kept:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return compiled._Kept(compiled._path())


def test_kept_patterns_are_the_patterns_python_compiles(tmp_path, monkeypatch):
    first = _kept(tmp_path, monkeypatch)
    made = [first.pattern(p, flags) for p, flags in PATTERNS]
    assert first.new == len(PATTERNS)
    first.write()
    again = compiled._Kept(compiled._path())
    assert len(again.patterns) == len(PATTERNS)
    for (p, flags), one in zip(PATTERNS, made, strict=True):
        fresh = re._compiler.compile(p, flags)
        taken = again.pattern(p, flags)
        # equal patterns have the same text, flags and engine code
        assert taken == fresh == one
        assert taken.groupindex == fresh.groupindex and taken.groups == fresh.groups
    assert again.new == 0
    text = "公报 2021-10　第十期 # coding: utf-8"
    assert again.pattern(PATTERNS[0][0], 0).search(text).group("month") == "10"


def test_kept_methods_behave_as_compiled_ones(tmp_path, monkeypatch):
    first = _kept(tmp_path, monkeypatch)
    sources = []

    def record(source, globals=None, locals=None, /):
        sources.append(source)
        return exec(first.code(source), globals, locals)

    monkeypatch.setattr(dataclasses, "exec", record, raising=False)

    @dataclasses.dataclass(frozen=True)
    class Page:
        number: int
        side: str = "right"

    assert sources and first.new == len(sources)
    first.write()
    again = compiled._Kept(compiled._path())
    for source in sources:
        assert again.code(source).co_code == compile(source, "<string>", "exec").co_code
    assert again.new == 0
    page = Page(3)
    assert page == Page(3, "right") and hash(page) == hash(Page(3)) and page != Page(4)
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.number = 5


def test_written_only_when_enough_was_missing(tmp_path, monkeypatch):
    kept = _kept(tmp_path, monkeypatch)
    for p, flags in PATTERNS:
        kept.pattern(p, flags)
    kept.write()
    stamp = compiled._path().stat().st_mtime_ns
    again = compiled._Kept(compiled._path())
    for p, flags in PATTERNS * 4:  # 20 asked, one new: under a tenth
        again.pattern(p, flags)
    again.pattern("new-in-this-process", 0)
    again.write()
    assert compiled._path().stat().st_mtime_ns == stamp
    assert "new-in-this-process" not in {p for p, _ in compiled._Kept(compiled._path()).patterns}
    again.pattern("another", 0)
    again.pattern("and-another", 0)
    again.write()  # 3 of 22
    assert ("another", 0) in compiled._Kept(compiled._path()).patterns


def test_a_damaged_file_is_ignored_and_written_again(tmp_path, monkeypatch):
    path = _kept(tmp_path, monkeypatch).path
    path.parent.mkdir(parents=True)
    for damage in (b"", b"\x00garbage", b"\xe9" * 100):
        path.write_bytes(damage)
        kept = compiled._Kept(path)
        assert kept.patterns == {} and kept.sources == {}
        assert kept.pattern(r"\d+", 0).fullmatch("2021")
        kept.write()
        assert compiled._Kept(path).patterns


def test_a_command_keeps_them_and_the_next_one_takes_them(tmp_path):
    """Two processes of `typeset validate`: the first writes the file, the second
    finds what it compiles there and leaves the file as it is."""
    environment = dict(os.environ, XDG_CACHE_HOME=str(tmp_path), TYPESET_SERVER="0")
    issue = Path(__file__).resolve().parents[1] / "issues" / "2021-10.xml"

    def validate() -> str:
        run = subprocess.run([sys.executable, "-m", "typeset", "validate", str(issue)],
                             env=environment, capture_output=True, text=True, check=True)
        return run.stdout

    first = validate()
    [path] = (tmp_path / "typeset").glob("compiled-*.marshal")
    stamp = path.stat().st_mtime_ns
    kept = compiled._Kept(path)
    assert len(kept.patterns) > 20 and len(kept.sources) > 50  # the schema's, the model's
    assert validate() == first
    assert path.stat().st_mtime_ns == stamp
