"""The one orchestrator: run the stages in order and write the PDF.

In: an issue file and `Options`.  Out: a `BuildResult` (the model, the rendered
WeasyPrint document, the PDF's path and page count, timings, WeasyPrint's warnings).

Steps:
1. parse   issue XML → `model.Issue` (every problem reported at once)
2. layout  layout name → templates, settings, font files
3. glyphs  every character checked against the face that will print it
4. compose Issue → HTML through the layout's templates
5. render  HTML → pages (WeasyPrint, with the Chinese typesetting extension)
6. write   pages → PDF, written atomically
Nothing is written before steps 1–5 have succeeded, so bad input never damages a PDF
already in `out/`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import pdf
from .compose import compose
from .errors import TypesetError
from .layout import Layout, load_layout
from .model import Issue
from .parse import parse_issue
from .preflight import preflight


@dataclass(frozen=True)
class Options:
    """How to build.  Every option has a documented default; unknown ones are a TypeError.

    layout:          the layout folder under layouts/ ("gazette").
    output:          where to write the PDF; default out/<issue file stem>.pdf
                     (out/<stem>-<document id>.pdf for a preview).
    only:            build only this document (a preview), laid out as in the issue.
    first_page:      the page number the previewed document starts on (default 1).
    han_latin_space: add ¼ em between Han characters and Latin letters or digits.
    verbose:         print numbered progress steps on stderr.
    """

    layout: str = "gazette"
    output: Path | None = None
    only: str | None = None
    first_page: int | None = None
    han_latin_space: bool = False
    verbose: bool = False


@dataclass
class BuildResult:
    """What a build produced."""

    issue: Issue
    layout: Layout
    output: Path
    document: object  # weasyprint.Document
    pages: int
    size: int
    warnings: list[str]
    timings: dict[str, float] = field(default_factory=dict)


_warned_harfbuzz = False


def default_output(source: Path, options: Options) -> Path:
    """out/<stem>.pdf, or out/<stem>-<id>.pdf for a one-document preview."""
    stem = Path(source).stem
    name = f"{stem}-{options.only}.pdf" if options.only else f"{stem}.pdf"
    return Path("out") / name


def build(source: str | Path, options: Options = Options(),
          log: Callable[[str], None] | None = None) -> BuildResult:
    """Build the PDF of the issue at `source`; raise TypesetError (or InputError) on failure."""
    log = log or (lambda message: print(message, file=sys.stderr))
    say = log if options.verbose else (lambda message: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str, message: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        say(message)

    source = Path(source)
    issue = parse_issue(source)
    step("parse", f"1/6 parse    {source}: {len(issue.sections)} sections, "
         f"{len(issue.documents)} documents")
    if options.only:
        try:
            issue.document(options.only)
        except KeyError as exc:
            raise TypesetError(str(exc.args[0])) from None
    layout = load_layout(options.layout)
    step("layout", f"2/6 layout   {layout.name}: {', '.join(str(f) for f in layout.folders)}")
    preflight(issue, layout.faces)
    step("glyphs", "3/6 glyphs   every character has a glyph")
    html = compose(issue, layout, only=options.only, first_page=options.first_page)
    step("compose", f"4/6 compose  {len(html):,} characters of HTML")
    _warn_once_without_harfbuzz(log)
    _enable_cjk(options)
    document, warnings = pdf.render(html, base_url=source.resolve().parent)
    step("render", f"5/6 render   {len(document.pages)} pages")
    for message in warnings:
        log(f"typeset: WeasyPrint: {message}")
    output = options.output or default_output(source, options)
    if options.only:
        data = pdf.pdf_bytes(document, (), options.first_page or 1)
    else:
        data = pdf.pdf_bytes(document, tuple(layout.settings["numbering"]["front"]), 1)
    pdf.write_atomic(data, output)
    step("write", f"6/6 write    {output} ({len(data) / 1e6:.2f} MB)")
    return BuildResult(issue, layout, output, document, len(document.pages), len(data),
                       warnings, timings)


def _warn_once_without_harfbuzz(log: Callable[[str], None]) -> None:
    global _warned_harfbuzz
    if not pdf.has_harfbuzz_subset() and not _warned_harfbuzz:
        _warned_harfbuzz = True
        log("typeset: warning: libharfbuzz-subset is missing, so fonts are subset with "
            "fontTools (several times slower); install it: apt-get install libharfbuzz-subset0")


def _enable_cjk(options: Options) -> None:
    """Switch on the Chinese typesetting extension of WeasyPrint (typeset.cjk)."""
    try:
        from . import cjk
    except ImportError:  # pragma: no cover - the extension lands separately
        return
    cjk.enable(han_latin_space=options.han_latin_space)
