"""The command line: `typeset validate|build|preview|check|import|serve`, a thin function each.

In: argv.  Out: an exit code (0 success, 1 failed check or build, 2 bad input or
usage).  Problems are printed one per line on stderr, never with a traceback.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import sys
import threading
import traceback
from pathlib import Path

from . import __version__
from .build import EDITIONS, Options, build, check_issue, preview, watch
from .errors import TypesetError, UsageError, emit
from .parse import parse_issue
from .server import IDLE_MINUTES


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate each FILE; report every problem of every file, then exit once."""
    failed: list[TypesetError] = []
    for path in args.files:
        try:
            issue = parse_issue(path)
        except TypesetError as exc:
            failed.append(exc)
            continue
        chars = sum(len(d.text()) for d in issue.documents)
        print(
            f"{path}: valid ({len(issue.sections)} sections, {len(issue.documents)} documents, "
            f"{chars} characters)"
        )
    if failed:
        raise failed[0] if len(failed) == 1 else _Combined(failed)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build each issue's PDF: validate everything, render, write atomically.  Several
    issues are built side by side, one process per core."""
    if args.output and len(args.files) != 1:
        raise TypesetError("typeset build: -o goes with exactly one issue file")
    options = Options(layout=args.layout, output=args.output, verbose=args.verbose,
                      han_latin_space=args.han_latin_space, edition=args.edition)
    return _each(_build_one, args.files, options)


def _build_one(path: Path, options: Options) -> tuple[int, list[tuple[str, bool]]]:
    result = build(path, options)
    return 0, [(f"{result.output}: {result.pages} pages, {result.size / 1e6:.2f} MB", False)]


def cmd_check(args: argparse.Namespace) -> int:
    """Check issues' PDFs against their page baselines; exit 1 on any difference.
    Several issues are checked side by side, one process per core."""
    files = _issue_files(args.files)
    if args.pdf and len(files) != 1:
        raise TypesetError("typeset check: --pdf goes with exactly one issue file")
    options = Options(layout=args.layout, verbose=args.verbose, edition=args.edition)
    return _each(functools.partial(_check_one, pdf=args.pdf, update=args.update), files,
                 options)


def _check_one(path: Path, options: Options, *, pdf: Path | None, update: bool
               ) -> tuple[int, list[tuple[str, bool]]]:
    report = check_issue(path, pdf_path=pdf, update=update, options=options)
    return (0 if report.ok else 1), [("\n".join(report.lines()), not report.ok)]


def _each(task, files: list[Path], options: Options) -> int:
    """Run `task(path, options)` for each issue, in a pool of processes when there are
    several (one per core), and print each issue's lines as soon as it and the issues
    before it are done, in the order given.  One issue's bad input or failure does
    not stop the others; the exit code is the worst."""
    code = 0

    def report(outcome) -> None:
        nonlocal code
        result, lines = outcome
        code = max(code, result)
        for text, error in lines:
            emit(text, sys.stderr if error else sys.stdout)

    workers = min(len(files), os.cpu_count() or 1)
    if workers <= 1:
        for path in files:
            report(_guarded(task, path, options))
        return code
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .aside import forbidden

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    # one worker per core already: none draws pages aside (`typeset.aside`)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=forbidden) as pool:
        futures = [pool.submit(_guarded, task, path, options) for path in files]
        for future in futures:
            report(future.result())
    return code


def _guarded(task, path: Path, options: Options) -> tuple[int, list[tuple[str, bool]]]:
    """`task` with its TypesetError turned into lines and an exit code (picklable)."""
    try:
        return task(path, options)
    except TypesetError as exc:
        return exc.exit_code, [(str(exc), True)]


def cmd_preview(args: argparse.Namespace) -> int:
    """Build one document as laid out in the issue, fast; optionally PNGs and a watch."""
    options = Options(layout=args.layout, output=args.output, verbose=args.verbose,
                      edition=args.edition)
    if args.watch:
        try:
            watch(args.file, args.doc_id, options, png=args.png)
        except KeyboardInterrupt:
            return 0
        return 0
    result = preview(args.file, args.doc_id, options, png=args.png)
    print(f"{result.output}: {result.pages} pages")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import Word files (.docx): each becomes a <document>; the report goes to stderr."""
    from . import importer

    importer.check_usage(args.files, doc_id=args.id, output=args.output, issue=args.issue)
    results, failed = [], []
    for path in args.files:
        try:
            results.append(importer.import_docx(path, args.id))
        except TypesetError as exc:
            failed.append(exc)
            continue
        emit("\n".join(results[-1].report_lines()), sys.stderr)
    if failed:
        raise failed[0] if len(failed) == 1 else _Combined(failed)
    if args.issue:
        written = importer.write_issue(results, args.issue, list(args.files))
    else:
        written = importer.write_document(results[0], args.output, list(args.files))
    for path in written:
        emit(f"{path}: written", sys.stderr)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Stay resident and answer typeset commands, warm (`typeset.server`)."""
    from .server import serve

    if not 0 < args.idle <= 7 * 24 * 60:
        raise UsageError(f"typeset serve: --idle {args.idle:g}: expected minutes above 0, "
                         "at most a week")
    return serve(args.idle)


def _issue_files(names: list[str]) -> list[Path]:
    """Issue files named, or found in the folders named (default: issues/)."""
    files: list[Path] = []
    for name in names or ["issues"]:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(path.glob("*.xml")))
        else:
            files.append(path)
    if not files:
        raise TypesetError(f"typeset check: no issue files in {', '.join(names or ['issues'])}")
    return files


class _Combined(TypesetError):
    def __init__(self, errors: list[TypesetError]):
        self.exit_code = max(e.exit_code for e in errors)
        super().__init__("\n".join(str(e) for e in errors))


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one sub-command per user task."""
    parser = argparse.ArgumentParser(prog="typeset", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"typeset {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="check issue files against the schema")
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument("-v", "--verbose", action="store_true",
                          help="show the traceback of an internal error")
    validate.set_defaults(func=cmd_validate)

    build_cmd = commands.add_parser("build", help="build the issue's PDF")
    build_cmd.add_argument("files", nargs="+", metavar="FILE", type=Path,
                           help="issue files; several are built side by side")
    build_cmd.add_argument("-o", "--output", metavar="PDF", type=Path,
                           help="where to write the PDF (default: out/<issue>.pdf)")
    build_cmd.add_argument("--layout", default="gazette", metavar="NAME",
                           help="layout under layouts/ (default: gazette)")
    build_cmd.add_argument("--han-latin-space", action="store_const", const=True, default=None,
                           help="add 1/4 em between Han characters and Latin letters or digits "
                                "(default: the layout's setting, off in gazette)")
    build_cmd.add_argument("--edition", choices=EDITIONS, default="screen",
                           help="screen: tagged PDF/UA for the website (default, "
                                "out/<issue>.pdf); print: PDF/X-4 in CMYK with bleed and "
                                "marks for the printing house (out/<issue>-print.pdf)")
    build_cmd.add_argument("-v", "--verbose", action="store_true",
                           help="print numbered progress steps on stderr")
    build_cmd.set_defaults(func=cmd_build)

    check = commands.add_parser(
        "check", help="verify PDFs and their page baselines (issues/<name>.pages.json)")
    check.add_argument("files", nargs="*", metavar="FILE",
                       help="issue files or folders (default: issues/)")
    check.add_argument("--pdf", type=Path, help="check this PDF instead of building")
    check.add_argument("--update", action="store_true",
                       help="rewrite the baselines to match, saying what changed")
    check.add_argument("--layout", default="gazette", metavar="NAME")
    check.add_argument("--edition", choices=EDITIONS, default="screen",
                       help="the edition to build and check (default: screen)")
    check.add_argument("-v", "--verbose", action="store_true")
    check.set_defaults(func=cmd_check)

    imp = commands.add_parser("import", help="turn Word files (.docx) into <document>s")
    imp.add_argument("files", nargs="+", metavar="FILE.docx", type=Path)
    imp.add_argument("--id", help="the document's id (default: from the file name or 文号)")
    imp.add_argument("-o", "--output", metavar="OUT.xml", type=Path,
                     help="write the <document> here, pictures beside it (default: stdout)")
    imp.add_argument("--issue", metavar="OUT.xml", type=Path,
                     help="write a new issue holding every file's document, meta to fill in")
    imp.add_argument("-v", "--verbose", action="store_true",
                     help="show the traceback of an internal error")
    imp.set_defaults(func=cmd_import)

    prev = commands.add_parser("preview", help="build one document as it stands in the issue")
    prev.add_argument("file", metavar="FILE", type=Path)
    prev.add_argument("doc_id", metavar="DOC_ID")
    prev.add_argument("-o", "--output", metavar="PDF", type=Path,
                      help="default: out/<issue>-<DOC_ID>.pdf")
    prev.add_argument("--png", action="store_true", help="also write a PNG of each page")
    prev.add_argument("--watch", action="store_true",
                      help="render again on each save of the issue or the layout")
    prev.add_argument("--layout", default="gazette", metavar="NAME")
    prev.add_argument("--edition", choices=EDITIONS, default="screen",
                      help="the edition whose pages to show (default: screen; print: "
                           "with bleed and marks, out/<issue>-<id>-print.pdf)")
    prev.add_argument("-v", "--verbose", action="store_true")
    prev.set_defaults(func=cmd_preview)

    serve = commands.add_parser(
        "serve", help="stay resident: later typeset commands run here, warm (Ctrl-C stops)")
    serve.add_argument("--idle", type=float, default=IDLE_MINUTES, metavar="MINUTES",
                       help="stop after this many minutes without a command "
                            f"(default: {IDLE_MINUTES:g})")
    serve.add_argument("-v", "--verbose", action="store_true")
    serve.set_defaults(func=cmd_serve)
    return parser


class Interrupted(BaseException):
    """SIGTERM or SIGHUP arrived: unwind like Ctrl-C, so temporary files are removed."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, _frame) -> None:
    raise Interrupted(signum)


def main(argv: list[str] | None = None) -> int:
    """Run typeset with `argv` (default: sys.argv[1:]) and return the exit code.

    Every error a user can cause is one line (or one per problem) on stderr.  Anything
    else is a bug: it is reported as one line naming the file and "internal error",
    with the traceback only under -v.
    """
    args = build_parser().parse_args(argv)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGHUP):
            previous[signum] = signal.signal(signum, _on_signal)
    try:
        return args.func(args)
    except TypesetError as exc:
        emit(str(exc), sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("typeset: interrupted", file=sys.stderr)
        return 130
    except Interrupted as exc:
        print(f"typeset: stopped by signal {signal.Signals(exc.signum).name}", file=sys.stderr)
        return 128 + exc.signum
    except (Exception, RecursionError, MemoryError) as exc:  # a bug, not the user's mistake
        subject = getattr(args, "file", None) or (getattr(args, "files", None) or ["typeset"])[0]
        if getattr(args, "verbose", False):
            traceback.print_exc()
        hint = "" if getattr(args, "verbose", False) else " (rerun with -v for the traceback)"
        emit(f"{subject}: internal error: {type(exc).__name__}: "
              f"{str(exc).splitlines()[0][:200] if str(exc) else ''}{hint}", sys.stderr)
        return 1
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
