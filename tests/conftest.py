"""Shared fixtures: paths to the fixture issues and the real sample issue."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "issues" / "2021-10.xml"
SEED = ROOT.parent / "shared" / "seeds" / "000_a3db119026864abb.txt"


@pytest.fixture
def minimal_path() -> Path:
    return FIXTURES / "minimal.xml"
