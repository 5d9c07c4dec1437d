#!/usr/bin/env python3
"""Run WeasyPrint's own test suite without and with typeset's Chinese extension.

The extension patches WeasyPrint's line breaking, text layout and alignment; for
text that is not Chinese it must change nothing.  This runs the test suite of the
pinned WeasyPrint (from its source distribution) twice, once plain and once with
`typeset.cjk` enabled for the whole session (`--with-typeset`, through the pytest
plugin in this file), and compares the outcomes test by test: the extension may not
turn a passing test into a failing one.  Tests that fail without it (a missing
ghostscript, a font of the system) are reported, not counted.

    ./dev weasyprint-tests [PYTEST ARGS]        e.g. ./dev weasyprint-tests tests/layout
    python tools/weasyprint_suite.py SUITE_DIR [PYTEST ARGS]

Exit 0 when the two runs agree, 1 when the extension breaks a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# -- pytest plugin: `-p tools.weasyprint_suite` -----------------------------------------

def pytest_addoption(parser):
    parser.addoption("--with-typeset", action="store_true",
                     help="enable typeset's Chinese extension for the whole session")
    parser.addoption("--outcomes", help="write {test id: outcome} here as JSON")


def _import_typeset():
    """Import typeset, leaving the environment as it was: typeset points fontconfig at
    its own empty configuration when imported, and WeasyPrint's tests use the system's."""
    before = os.environ.get("FONTCONFIG_FILE")
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    import typeset  # noqa: F401 -- its start-up hooks, before WeasyPrint loads

    if before is None:
        os.environ.pop("FONTCONFIG_FILE", None)
    else:
        os.environ["FONTCONFIG_FILE"] = before


# With the extension, WeasyPrint is loaded the way typeset loads it (typeset.startup:
# its C declarations compiled once, its font tools loaded when used), so this plugin
# imports typeset before any conftest imports WeasyPrint.
if os.environ.get("TYPESET_SUITE_WITH_EXTENSION"):
    _import_typeset()


def pytest_configure(config):
    config._typeset_outcomes = {}
    if config.getoption("--with-typeset"):
        _import_typeset()
        from typeset import cjk, startup

        if not os.environ.get("TYPESET_PLAIN_IMPORT") and startup.compiled_ffi() is None:
            # WeasyPrint loaded as shipped (imported before typeset, or no writable
            # cache folder): the run does not test WeasyPrint as typeset loads it
            print("weasyprint_suite: WeasyPrint's declarations are not the compiled "
                  "ones (see typeset.startup)", file=sys.stderr)
        cjk.enable()


def pytest_runtest_logreport(report):
    outcomes = getattr(pytest_runtest_logreport, "outcomes", None)
    if outcomes is None:
        return
    if report.when == "call" or report.outcome != "passed":
        outcomes[report.nodeid] = report.outcome


def pytest_sessionstart(session):
    pytest_runtest_logreport.outcomes = session.config._typeset_outcomes


def pytest_sessionfinish(session):
    path = session.config.getoption("--outcomes")
    if path:
        Path(path).write_text(json.dumps(session.config._typeset_outcomes), encoding="utf-8")


# -- the two runs and their comparison ----------------------------------------------------

def run(suite: Path, args: list[str], extension: bool, folder: Path) -> dict[str, str]:
    out = folder / ("with.json" if extension else "without.json")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "tools.weasyprint_suite",
               "-p", "no:cacheprovider", f"--rootdir={suite}", f"--outcomes={out}",
               *(["--with-typeset"] if extension else []), *(args or ["tests"])]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(suite)]))
    if extension:
        env["TYPESET_SUITE_WITH_EXTENSION"] = "1"
    subprocess.run(command, cwd=suite, env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-3], file=sys.stderr)
        return 2
    suite, args = Path(sys.argv[1]).resolve(), sys.argv[2:]
    with tempfile.TemporaryDirectory() as name:
        without = run(suite, args, False, Path(name))
        with_ = run(suite, args, True, Path(name))
    broken = sorted(t for t, outcome in with_.items()
                    if outcome == "failed" and without.get(t) == "passed")
    already = sorted(t for t, outcome in without.items() if outcome == "failed")
    passed = sum(outcome == "passed" for outcome in with_.values())
    print(f"WeasyPrint's tests: {len(without)} run; with typeset's extension {passed} pass, "
          f"{len(broken)} broken by it; {len(already)} fail without it as well")
    for test in broken[:50]:
        print(f"  broken: {test}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
