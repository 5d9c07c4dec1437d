"""The one orchestrator: run the stages in order and write the PDF.

In: an issue file and `Options`.  Out: a `BuildResult` (the model, the rendered
WeasyPrint document, the PDF's path and page count, timings, WeasyPrint's warnings).

Steps:
1. parse   issue XML → `model.Issue` (every problem reported at once)
2. layout  layout name → templates, settings, font files
3. compose Issue → HTML through the layout's templates
4. glyphs  every character checked against the faces its CSS gives it, once WeasyPrint
           has built the boxes and before it lays out a line
5. render  HTML → pages (WeasyPrint, with the Chinese typesetting extension)
6. write   pages → PDF of the edition (screen: tagged PDF/UA-1; print: PDF/X-4 with
           bleed, marks and a CMYK output intent), written atomically
Nothing is written before steps 1–5 have succeeded, so bad input never damages a PDF
already in `out/`.  In a command's own process (`FRONT_ASIDE`), steps 1-3 run in a
forked child while this process loads WeasyPrint; when the child fails, they run
here and raise their error.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import measured, resume
from .atomic import check_output, write_atomic
from .compose import compose
from .errors import TypesetError, display_path, emit
from .layout import Layout, load_layout
from .model import Issue
from .parse import parse_issue
from .preflight import glyph_check
from .resources import check_figures

#: The PDFs one layout makes of an issue: the website's and the printing house's.
EDITIONS = ("screen", "print")


@dataclass(frozen=True)
class Options:
    """How to build.  Every option has a documented default; unknown ones are a TypeError.

    layout:          the layout folder under layouts/ ("gazette").
    output:          where to write the PDF; default out/<issue file stem>.pdf
                     (out/<stem>-<document id>.pdf for a preview).
    only:            a preview: write only this document's pages, laid out as in the
                     issue (the issue is laid out up to it and the document after it).
    han_latin_space: add ¼ em between Han characters and Latin letters or digits;
                     None (the default) takes the layout's [typography] setting.
    edition:         "screen" (the default: RGB, tagged PDF/UA-1 for the website) or
                     "print" (PDF/X-4 for the printing house: CMYK inks, output intent,
                     bleed and printer's marks, the layout's [print]); the same pages.
    verbose:         print numbered progress steps on stderr.
    """

    layout: str = "gazette"
    output: Path | None = None
    only: str | None = None
    han_latin_space: bool | None = None
    edition: str = "screen"
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
    typography: object = None  # typocheck.TypoReport, measured on the rendered pages
    resumed_at: int | None = None  # a preview laid out from this page index (a checkpoint)


_warned_harfbuzz = False


def _excerpt(text: str, length: int = 24) -> str:
    return text if len(text) <= length else text[:length] + "…"


def default_output(source: Path, options: Options) -> Path:
    """out/<stem>.pdf, or out/<stem>-<id>.pdf for a one-document preview; the print
    edition's name ends in -print (out/<stem>-print.pdf)."""
    stem = Path(source).stem
    name = f"{stem}-{options.only}" if options.only else stem
    suffix = "-print" if options.edition == "print" else ""
    return Path("out") / f"{name}{suffix}.pdf"


#: Set by `typeset.__main__` in a command's own process (never in a library caller's):
#: a build or preview there that has still to load WeasyPrint reads and composes the
#: issue in a forked child meanwhile, on another core (`aside.forked`).
FRONT_ASIDE = False


def build(source: str | Path, options: Options = Options(),
          log: Callable[[str], None] | None = None) -> BuildResult:
    """Build the PDF of the issue at `source`; raise TypesetError (or InputError) on failure."""
    log = log or emit
    say = log if options.verbose else (lambda message: None)
    timings: dict[str, float] = {}

    def note(name: str, message: str, seconds: float) -> None:
        timings[name] = seconds
        say(message)

    step = _clocked(note)
    source = Path(source)
    if options.edition not in EDITIONS:
        raise TypesetError(f"typeset: edition {options.edition!r}: expected "
                           f"{' or '.join(EDITIONS)}")
    child = _front_aside(source, options)
    try:
        from . import cjk, pdf  # WeasyPrint loads in about a second: only when rendering

        front = child.value() if child is not None else None
    finally:
        if child is not None:  # reaped, even when the import was interrupted
            child.close()
    if front is None:  # not forked, or the child failed: its error is raised here
        issue, layout, output, shown, html = _front(source, options, step)
    else:
        issue, layout, output, shown, html, steps = front
        for entry in steps:
            note(*entry)
        step = _clocked(note)  # the next step's time from now
    ids = [d.id for d in issue.documents]
    _warn_once_without_harfbuzz(pdf, log)
    han_latin = _cjk_han_latin(layout, options)
    # The extension is active for this render only (and the typography check and PDF
    # writing that read its layouts): WeasyPrint is left as it was found.
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(cjk.active(han_latin_space=han_latin))
        except RuntimeError as exc:  # a WeasyPrint this extension was not written for
            raise TypesetError(f"typeset: {exc}") from None
        stamp = _stamp(layout, cjk_options=(bool(han_latin),))
        # the text of tables measured by earlier processes, for the same fonts, style
        # sheet and engine
        stack.enter_context(measured.kept(measured.scope(stamp, html)))
        return _render_and_write(issue, layout, html, source, options, output, ids, shown,
                                 step, log, timings, pdf, stamp)


def _clocked(record: Callable[[str, str, float], None]) -> Callable[[str, str], None]:
    """A `step(name, message)` for the steps of a build: `record(name, message,
    seconds)`, the seconds since the step before (or since it was made)."""
    clock = time.perf_counter()

    def step(name: str, message: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        record(name, message, now - clock)
        clock = now

    return step


def _front(source: Path, options: Options,
           step: Callable[[str, str], None]) -> tuple:
    """Steps 1-3 of `build`: the issue parsed, the layout loaded, figures and output
    path checked, the HTML composed; `step(name, message)` after each.  Returns the
    issue, the layout, the output path, the ids of the documents composed (None: all)
    and the HTML."""
    issue = parse_issue(source)
    step("parse", f"1/6 parse    {source}: {len(issue.sections)} sections, "
         f"{len(issue.documents)} documents")
    if options.only and options.only not in {d.id for d in issue.documents}:
        valid = ", ".join(d.id for d in issue.documents)
        raise UnknownDocument(f"{source}: no document {options.only!r}; valid ids: {valid}")
    layout = load_layout(options.layout)
    step("layout", f"2/6 layout   {layout.name}: {', '.join(str(f) for f in layout.folders)}")
    check_figures(issue)
    output = Path(options.output) if options.output else default_output(source, options)
    check_output(output, inputs=(source, *layout.files()))
    ids = [d.id for d in issue.documents]
    # A preview lays out the issue up to the previewed document and the one after it
    # (which may start on its last page and give that page its running head), and
    # keeps the previewed document's pages: the pages that will print, not a
    # re-composition of them.
    following = 1
    shown = frozenset(ids[:ids.index(options.only) + 1 + following]) if options.only else None
    html = compose(issue, layout, only=options.only, shown=shown, edition=options.edition)
    step("compose", f"3/6 compose  {len(html):,} characters of HTML; figures and output "
         "path checked")
    return issue, layout, output, shown, html


def _front_aside(source: Path, options: Options):
    """A forked child doing `_front` while this process loads WeasyPrint (0.2-0.4 s,
    on one core): an `aside.Child` whose value is `_front`'s, its steps (name,
    message, seconds) added; None where that is not done (`FRONT_ASIDE` unset,
    WeasyPrint loaded already, one core, other threads).  A child that fails hands
    nothing back, and `build` does the steps itself, raising their error."""
    import sys

    if not FRONT_ASIDE or "weasyprint" in sys.modules:
        return None
    from . import aside, compiled

    if not aside.possible():
        return None

    def work():
        steps = []
        issue, layout, output, shown, html = _front(
            source, options, _clocked(lambda *entry: steps.append(entry)))
        compiled.write()  # what it compiled that the file lacks (the parent never does)
        # the layout without its Jinja environment, which the parent makes if it needs it
        return issue, replace(layout), output, shown, html, steps

    return aside.forked(work)


def _render_and_write(issue, layout, html, source, options, output, ids, shown, step, log,
                      timings, pdf, stamp) -> BuildResult:
    """The render, its checks and the write of `build`, with the extension active;
    `stamp` is what its checkpoints depend on besides the HTML (`_stamp`)."""
    following = 1
    # what the render may read besides the issue's folder: the layout, its fonts and,
    # in print, the profile of the style sheet's @color-profile
    roots = (*layout.folders, *{f.parent for f in layout.faces.values()},
             *({p.path.parent for p in layout.profiles.values()}
               if options.edition == "print" else ()))
    glyphs = glyph_check(issue, layout.faces)

    def before_layout(root_box, style_for, font_faces) -> None:
        glyphs(root_box, style_for, font_faces)
        step("glyphs", "4/6 glyphs   every character has a glyph in the faces its CSS gives")

    cache = output.parent / ".typeset" / f"{source.stem}-{options.edition}.resume.json"
    known = _CHECKPOINTS.setdefault((str(source.resolve()), stamp), {})
    if options.only and not known:  # a cold preview: the last build's checkpoints
        known.update(resume.load(cache, stamp))
    start = _resume_point(html, known, ids, options.only) if options.only else None
    # a preview from a checkpoint stops with the page the next document starts on
    until = frozenset(ids[ids.index(options.only) + 1:]) if options.only else frozenset()
    document = None
    if start is not None:
        pruned = resume.prune(html, start)
        # the last render from this checkpoint, whose pages after an edit may be these
        again = (str(source.resolve()), stamp, options.edition, options.only, start.index,
                 start.prefix)
        previous = _PREVIOUS.pop(again, None)
        try:
            document, warnings = pdf.render(pruned, base_url=source.resolve().parent,
                                            roots=roots, before_layout=before_layout,
                                            start=start, until=until, previous=previous)
        except TypesetError:
            raise
        except Exception:  # noqa: BLE001 -- a checkpoint that does not fit this HTML
            known.clear()  # (a damaged file): lay out from the cover, as without it
        if document is not None and not _remember(known, html, document, start,
                                                  options.only):
            document = None
        if document is None:
            start = None
        else:
            _PREVIOUS.clear()  # one kept: the document being edited
            context = document.layout_context
            _PREVIOUS[again] = resume.Previous(
                pruned, context.typeset_root, context,
                {start.index + i: page._page_box for i, page in enumerate(document.pages)})
    if document is None:
        document, warnings = pdf.render(html, base_url=source.resolve().parent,
                                        roots=roots, before_layout=before_layout)
        _remember(known, html, document, None, options.only)
    offset = start.index if start is not None else 0  # index of the first page laid out
    first_index = 0
    if options.only:
        at = ids.index(options.only)
        while True:
            spans = document_pages(document)
            first_index, last_index = spans[options.only]
            last_shown = ids[min(at + following, len(ids) - 1)]
            # done when no later document can start on the previewed one's last page:
            # the last one laid out is the issue's last, or ends after that page, or
            # the render stopped in it with that page full
            if (last_shown == ids[-1] or spans[last_shown][1] > last_index
                    or getattr(document.layout_context, "unfinished", None)):
                break
            following += 1
            shown = frozenset(ids[:at + 1 + following])
            html = compose(issue, layout, only=options.only, shown=shown,
                           edition=options.edition)
            document, warnings = pdf.render(resume.prune(html, start) if start else html,
                                            base_url=source.resolve().parent,
                                            roots=roots, before_layout=glyphs, start=start,
                                            until=until if start else frozenset())
            _remember(known, html, document, start, options.only)
        document = document.copy(document.pages[first_index:last_index + 1])
    # The style sheet is the layout's own: a declaration WeasyPrint ignores is a layout
    # bug (e.g. `count = "two"` in layout.toml), and a figure it could not load would
    # be missing from the page.  Either fails the build instead of printing wrong.
    ignored = [w for w in warnings if w.startswith("Ignored `")]
    if ignored:
        raise TypesetError(f"{layout.folders[0] / 'style.css.j2'}: the layout's style sheet "
                           f"has {len(ignored)} invalid declaration(s): {ignored[0]} "
                           "(check the values in layout.toml)")
    failed = [w for w in warnings if w.startswith("Failed to load")]
    if failed:
        raise TypesetError(f"typeset: {failed[0]}")
    from .typocheck import check_document, overflows

    outside = overflows(document)
    if outside:  # text off the page or over the next column: never printed silently
        lines = [f"{display_path(source)}: page {o.page} of the PDF: text runs {o.where}: "
                 f"{_excerpt(o.text)!r}; let it break (no <nobr> around long text) or "
                 "shorten it" for o in outside[:3]]
        if len(outside) > 3:
            lines.append(f"{display_path(source)}: … and {len(outside) - 3} more overflow(s)")
        raise TypesetError("\n".join(lines))
    front = tuple(layout.settings["numbering"]["front"])
    press = None
    if options.edition == "print":
        from .press import Press

        press = Press.from_layout(layout)
    if options.only:  # labelled with the printed numbers of the issue's pages
        front, first = (), offset + first_index - len(front) + 1
    else:
        first = 1
    # a build's last pages are drawn on another core meanwhile; a preview's pages
    # are drawn once, and the next render (`--watch`) takes most of them again
    aside = None if options.only else pdf.drawn_aside(document, front, first,
                                                      options.edition, press)
    with aside or contextlib.nullcontext():
        headings = layout.settings["typography"]["headings"]
        typography = check_document(document, heading_selector=headings,
                                    keep=bool(options.only))
        step("render", f"5/6 render   {len(document.pages)} pages; {typography.summary()}")
        for message in warnings:
            log(f"typeset: WeasyPrint: {message}")
        data = pdf.pdf_bytes(document, front, first, edition=options.edition, press=press,
                             keep_drawings=bool(options.only), aside=aside)
    write_atomic(data, output)
    # the checkpoints beside the PDF, for the next cold preview of this issue; an
    # output folder that cannot take them leaves previews cold, not wrong
    with contextlib.suppress(OSError, TypeError):
        resume.save(cache, stamp, known)
    step("write", f"6/6 write    {output} ({len(data) / 1e6:.2f} MB)")
    return BuildResult(issue, layout, output, document, len(document.pages), len(data),
                       warnings, timings, typography,
                       resumed_at=offset if start is not None else None)


#: The last render of a preview from a checkpoint (issue, stamp, edition, document,
#: checkpoint: `resume.Previous`): after an edit, the pages from where the layout
#: meets it again are taken from it (`--watch`).
_PREVIOUS: dict[tuple, object] = {}

#: Layout checkpoints of the issues laid out in this process (issue path: document id:
#: `resume.Checkpoint`), so that a preview, above all `--watch`, lays out from the
#: first page an edit can change rather than from the cover.
_CHECKPOINTS: dict[str, dict] = {}


def _cjk_han_latin(layout: Layout, options: Options) -> bool:
    """Whether the render sets Han–Latin space (the option, else the layout's)."""
    if options.han_latin_space is None:
        return layout.settings["typography"]["han_latin_space"]
    return options.han_latin_space


def _stamp(layout: Layout, cjk_options: tuple) -> str:
    """What a layout checkpoint depends on besides the HTML: typeset's and
    WeasyPrint's versions, the engine's options and the font files."""
    import hashlib

    import weasyprint

    from . import __version__

    fonts = sorted((str(path), path.stat().st_size, path.stat().st_mtime_ns)
                   for path in layout.faces.values())
    text = repr((__version__, weasyprint.__version__, cjk_options, fonts))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _resume_point(html: str, known: dict, ids: list[str], doc_id: str):
    """The checkpoint to lay `html` out from for a preview of `doc_id`: of the last
    document up to it whose HTML before it is unchanged; None when there is none."""
    for candidate in reversed(ids[:ids.index(doc_id) + 1]):
        checkpoint = known.get(candidate)
        if checkpoint is not None and checkpoint.prefix == resume.prefix_hash(html, candidate):
            return checkpoint
    return None


def _remember(known: dict, html: str, document, start, doc_id: str | None) -> bool:
    """Keep the checkpoints of the documents `document` lays out (a render of `html`
    from `start`, or from the cover).  False when a render from a checkpoint is not
    to be trusted: a page shows the issue's page count, the render does not start
    with the checkpoint's document or lacks `doc_id` (a damaged file), or a document
    now has another page count than before (the contents' page numbers change, which
    may move the pages before it)."""
    context = document.layout_context
    offset = start.index if start is not None else 0
    spans = {doc: (first + offset, last + offset)
             for doc, (first, last) in document_pages(document).items()}
    if start is not None:
        if (not getattr(context, "resumable", True) or doc_id not in spans
                or spans.get(start.doc_id, (None,))[0] != offset):
            return False
        unfinished = getattr(context, "unfinished", frozenset())
        for doc, (first, last) in spans.items():
            before = known.get(doc)
            if before is not None and first == before.index and before.pages and \
                    doc not in unfinished and last - first + 1 != before.pages:
                return False
    if context is not None:
        laid_out = set(spans)
        # the documents before the render's first page, as known from earlier renders
        # (not one whose page count is not known: it may end on a page laid out now)
        spans.update({doc: (c.index, c.index + c.pages - 1) for doc, c in known.items()
                      if doc not in laid_out and c.pages and c.index + c.pages - 1 < offset})
        known.update({doc: checkpoint for doc, checkpoint in resume.capture(
            html, context, spans, getattr(context, "unfinished", frozenset())).items()
            if doc in laid_out})
    return True


def document_pages(document) -> dict[str, tuple[int, int]]:
    """For each document laid out in `document`, the indexes of its first and last page:
    the pages a fragment of its <article data-doc> stands on."""
    spans: dict[str, tuple[int, int]] = {}
    for index, page in enumerate(document.pages):
        for doc_id in resume.shown(page._page_box):
            spans[doc_id] = (spans.get(doc_id, (index, index))[0], index)
    return spans


def _warn_once_without_harfbuzz(pdf, log: Callable[[str], None]) -> None:
    global _warned_harfbuzz
    if not pdf.has_harfbuzz_subset() and not _warned_harfbuzz:
        _warned_harfbuzz = True
        log("typeset: warning: libharfbuzz-subset is missing, so fonts are subset with "
            "fontTools (several times slower); install it: apt-get install libharfbuzz-subset0")



@dataclass
class CheckReport:
    """The outcome of checking one issue: differences from its baseline and findings."""

    source: Path
    pdf: Path
    baseline: Path
    differences: list[str]
    findings: list[str]
    updated: bool = False
    created: bool = False

    @property
    def ok(self) -> bool:
        return not self.findings and (self.updated or not self.differences)

    def lines(self) -> list[str]:
        """What to print: one line for the page moves, one per finding."""
        name = self.source.stem
        out = []
        if self.differences:
            verb = "baseline updated: " if self.updated else ""
            out.append(f"{name}: {verb}" + "; ".join(self.differences))
        out.extend(f"{name}: {f}" for f in self.findings)
        if self.created:
            out.append(f"{name}: baseline written to {self.baseline}")
        if not out:
            out.append(f"{name}: ok, pages as in {self.baseline}")
        return out


def typography_findings(report) -> list[str]:
    """The typography check's failures as findings (an empty list when all counts are 0)."""
    names = {
        "ragged": ("ragged_lines", "justified line(s) short of the column edge"),
        "overfull": ("overfull_lines", "line(s) past the column edge"),
        "loose": ("loose_lines", "loose line(s), more than 0.15 em between characters"),
        "line_start": ("line_start_violations", "line(s) starting with a closing mark"),
        "line_end": ("line_end_violations", "line(s) ending with an opening mark"),
        "uncompressed_pair": ("uncompressed_pairs", "adjacent punctuation pair(s) not compressed"),
        "one_char_last_line": ("one_char_last_lines", "paragraph(s) ending in one character"),
        "stranded_heading": ("stranded_headings", "heading(s) alone at a column foot"),
    }
    out = []
    for kind, (attribute, what) in names.items():
        count = getattr(report, attribute)
        if count:
            where = "; ".join(f"p.{e.page} {e.text[:16]}" for e in report.examples[kind][:3])
            out.append(f"typography: {count} {what} ({where})")
    return out


def check_issue(source: str | Path, pdf_path: Path | None = None, update: bool = False,
                options: Options = Options()) -> CheckReport:
    """Build the issue (or read `pdf_path`), verify the PDF, compare with the baseline.

    With `update`, the baseline is (re)written to match and the report says what
    changed (a damaged one is replaced).  Without it, a missing baseline is a
    failure: a new issue's pages are fixed on purpose, never silently by CI; a
    damaged one is a `BaselineError` before anything is built.  The baseline's
    layout is compared with the layout used, like its pages.  An unreadable
    `pdf_path` is a `PdfError` (exit 2).
    """
    from . import baseline as baselines
    from .check import findings, issue_pages, read_pdf

    source = Path(source)
    path = baselines.baseline_path(source)
    try:
        old = baselines.load(source)
    except baselines.BaselineError:
        if not update:
            raise
        old = None  # --update writes it anew
    if pdf_path is None:
        result = build(source, options)
        issue, pdf_path, layout = result.issue, result.output, result.layout
        problems = [f"WeasyPrint: {w}" for w in result.warnings]
        problems += typography_findings(result.typography)
    else:
        issue, layout, problems = parse_issue(source), load_layout(options.layout), []
    facts = read_pdf(pdf_path)
    located = issue_pages(facts, issue)  # titles found by reading the pages' text
    problems += findings(facts, issue, layout=layout, located=located)
    measured = baselines.Baseline.measure(issue, facts, located, layout.name)
    report = CheckReport(source, Path(pdf_path), path, [], problems)
    if old is None and not update:
        report.findings.append(f"no page baseline {path}; write one with typeset check --update")
    elif update:
        report.differences = baselines.differences(old, measured) if old else []
        report.updated, report.created = old is not None, old is None
        if old is None or report.differences:
            write_atomic(measured.to_json().encode("utf-8"), path)
    else:
        report.differences = baselines.differences(old, measured)
    return report


class UnknownDocument(TypesetError):
    """A preview asked for a document id the issue does not have (exit code 2)."""

    exit_code = 2


def preview(source: str | Path, doc_id: str, options: Options = Options(), *,
            png: bool = False, log: Callable[[str], None] | None = None) -> BuildResult:
    """Build one document's pages as they stand in the issue: laid out with everything
    before it, so its line and page breaks, page numbers and running heads are those of
    the full build (`build` with `only`).

    Writes out/<stem>-<id>.pdf (or options.output) and, with `png`, one PNG per page
    beside it (<pdf stem>-<n>.png, 100 dpi).
    """
    log = log or emit
    # build parses the issue and says UnknownDocument of an id it does not have
    result = build(Path(source), replace(options, only=doc_id), log=log)
    if png:
        write_pngs(result.output)
    return result


def write_pngs(pdf_path: Path, dpi: int = 100) -> list[Path]:
    """Render every page of `pdf_path` to <stem>-<n>.png beside it; return the paths."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf_path))
    paths = []
    try:
        for index in range(len(document)):
            target = pdf_path.with_name(f"{pdf_path.stem}-{index + 1}.png")
            image = document[index].render(scale=dpi / 72).to_pil()
            data = io.BytesIO()
            image.save(data, format="PNG")
            write_atomic(data.getvalue(), target)  # same checks and modes as the PDF
            paths.append(target)
    finally:
        document.close()
    return paths


def watch(source: str | Path, doc_id: str, options: Options = Options(), *, png: bool = False,
          interval: float = 0.05, log: Callable[[str], None] | None = None,
          rounds: int | None = None) -> None:
    """Preview `doc_id`, then again each time the issue or the layout changes.

    The files are looked at every `interval` seconds (their modification times: 0.1 ms
    for the issue and a layout's eight files), so a save waits 25 ms on average
    before the re-render starts, not the 100 ms that polling every 0.2 s cost.

    The process stays warm (WeasyPrint, fonts, font coverage and templates loaded
    once); each re-render lays out the issue up to the document, as `preview` does.
    Bad input is reported and the
    watch goes on.  Stops on Ctrl-C (or after `rounds` re-renders, for tests).
    """
    log = log or emit
    source = Path(source)
    folders = load_layout(options.layout).folders

    def stamp() -> tuple:
        files = [source, *(f for folder in folders for f in sorted(folder.rglob("*")))]
        return tuple((str(f), f.stat().st_mtime_ns) for f in files if f.is_file())

    def once(quiet: bool = False) -> BuildResult | None:
        started = time.perf_counter()
        say = (lambda message: None) if quiet else log
        try:
            result = preview(source, doc_id, options, png=png and not quiet, log=say)
            say(f"{result.output}: {result.pages} pages in {time.perf_counter() - started:.2f} s")
            return result
        except TypesetError as exc:
            say(str(exc))
            return None

    seen, done = stamp(), 0  # before rendering: a save during the render is seen
    first = once()
    # A first preview laid out from the cover (no build's checkpoints) leaves no render
    # from the document's checkpoint whose pages and styles the next can take: one
    # more now, unseen, makes the first save as quick to show as the ones after it.
    if first is not None and first.resumed_at is None and stamp() == seen:
        once(quiet=True)
    while rounds is None or done < rounds:
        time.sleep(interval)
        now = stamp()
        if now != seen:
            seen = now
            once()
            done += 1
