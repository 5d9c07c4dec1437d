"""The command line: `typeset validate|build|preview|check`, one thin function per command.

In: argv.  Out: an exit code (0 success, 1 failed check or build, 2 bad input or
usage).  Problems are printed one per line on stderr, never with a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .build import Options, build
from .errors import TypesetError
from .parse import parse_issue


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
    """Build the issue's PDF: validate everything, render, write atomically."""
    options = Options(layout=args.layout, output=args.output, verbose=args.verbose,
                      han_latin_space=args.han_latin_space)
    result = build(args.file, options)
    print(f"{result.output}: {result.pages} pages, {result.size / 1e6:.2f} MB")
    return 0


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
    validate.set_defaults(func=cmd_validate)

    build_cmd = commands.add_parser("build", help="build the issue's PDF")
    build_cmd.add_argument("file", metavar="FILE", type=Path)
    build_cmd.add_argument("-o", "--output", metavar="PDF", type=Path,
                           help="where to write the PDF (default: out/<issue>.pdf)")
    build_cmd.add_argument("--layout", default="gazette", metavar="NAME",
                           help="layout under layouts/ (default: gazette)")
    build_cmd.add_argument("--han-latin-space", action="store_true",
                           help="add 1/4 em between Han characters and Latin letters or digits")
    build_cmd.add_argument("-v", "--verbose", action="store_true",
                           help="print numbered progress steps on stderr")
    build_cmd.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run typeset with `argv` (default: sys.argv[1:]) and return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except TypesetError as exc:
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("typeset: interrupted", file=sys.stderr)
        return 130
