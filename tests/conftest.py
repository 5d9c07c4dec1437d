"""Shared fixtures: paths to the fixture issues and the real sample issue."""

import os
from pathlib import Path

import pytest

from typeset.build import Options, build
from typeset.check import read_pdf

# Commands the tests run go to no `typeset serve` a developer left running (tests of
# the server start their own: tests/test_server.py).
os.environ["TYPESET_SERVER"] = "0"

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "issues" / "2021-10.xml"
SEED = ROOT.parent / "shared" / "seeds" / "000_a3db119026864abb.txt"
#: The second sample: a 国务院公报-style issue of the ten State Council documents in
#: ../shared/seeds/govcn (one text file per document).
GOVCN = ROOT / "issues" / "guowuyuan-2018-36.xml"
GOVCN_SEEDS = ROOT.parent / "shared" / "seeds" / "govcn"


@pytest.fixture(scope="session")
def sample(tmp_path_factory):
    """The sample issue (its screen edition, the default), built once for the session."""
    out = tmp_path_factory.mktemp("sample") / "2021-10.pdf"
    result = build(SAMPLE, Options(output=out))
    return result, read_pdf(out)


@pytest.fixture(scope="session")
def sample_print(tmp_path_factory):
    """The sample issue's print edition (PDF/X-4), built once for the whole session."""
    out = tmp_path_factory.mktemp("sample-print") / "2021-10-print.pdf"
    result = build(SAMPLE, Options(output=out, edition="print"))
    return result, read_pdf(out)


@pytest.fixture(scope="session")
def govcn(tmp_path_factory):
    """The State Council sample issue, built once for the whole session."""
    out = tmp_path_factory.mktemp("govcn") / "guowuyuan-2018-36.pdf"
    result = build(GOVCN, Options(output=out))
    return result, read_pdf(out)


@pytest.fixture
def minimal_path() -> Path:
    return FIXTURES / "minimal.xml"


def minimal_variant(folder: Path, *replacements: tuple[str, str], name: str = "x.xml") -> Path:
    """tests/fixtures/minimal.xml with each (old, new) replaced once, written to `folder`.

    Each `old` must be in the fixture: a test never silently builds the unchanged issue.
    """
    text = (FIXTURES / "minimal.xml").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_cores(monkeypatch):
    """Fork helpers (`typeset.aside`) whatever this machine has (the tests must not
    skip on one core), and under pytest-xdist, whose worker runs a thread for its
    channel."""
    from typeset import aside

    monkeypatch.setattr(aside, "_cores", lambda: 2)
    monkeypatch.setattr(aside, "_single_threaded", lambda: True)
    monkeypatch.delenv("TYPESET_DRAW_ASIDE", raising=False)
