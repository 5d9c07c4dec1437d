"""Errors that typeset reports to its users: one line per problem, no traceback.

A stage collects every `Problem` it finds and raises one `InputError` at the end;
the CLI prints each problem on its own line (`file:line:col: message`) and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in an input file, with a 1-based line and column (0 when unknown)."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class TypesetError(Exception):
    """An error the CLI reports in one line without a traceback (exit code 1)."""

    exit_code = 1


class UsageError(TypesetError):
    """A command that cannot run as given (a bad option value, a refused setting):
    one line, exit code 2 like bad input."""

    exit_code = 2


class InputError(TypesetError):
    """Bad input: one or more problems, reported together (exit code 2)."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path) -> str:
    """How a file is named in messages: relative to the working folder when inside it."""
    from pathlib import Path

    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def emit(text: str, stream=None) -> None:
    """Print `text` line by line on `stream` (default stderr), each line `printable`:
    what the user reads is exactly one line per message."""
    import sys

    for line in text.split("\n"):
        print(printable(line), file=stream or sys.stderr)


def printable(line: str) -> str:
    """`line` with control, format and line-separator characters shown as \\uXXXX.

    Messages quote the input; a U+2028 or U+0085 in it would split the line for a
    reader of the output, and U+202E would reorder what a terminal shows.
    """
    import unicodedata

    return "".join(
        f"\\u{ord(c):04x}" if c != "\t" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")
        else c
        for c in line)
