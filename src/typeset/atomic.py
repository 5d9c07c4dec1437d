"""Write an output file safely: checked target, temporary file, then a rename.

In: bytes and a target path (and, for `check_output`, the files the build reads).
Out: the target holding exactly those bytes, or (on any failure, Ctrl-C, SIGTERM or
SIGHUP) the target as it was before, with no temporary file left behind.

The target is refused, before anything is rendered, when it is one of the build's
own inputs (same file by inode: `-o issues/x.xml` never overwrites the issue), a
folder, a device or anything else that is not a regular file, or a read-only file.
A new file gets the mode the umask gives (0644 under 022); a rebuilt one keeps the
mode it had.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import TypesetError


def check_output(target: Path, inputs: Iterable[Path] = ()) -> None:
    """Raise `TypesetError` (exit 2) when `target` may not be written; else return."""
    target = Path(target)
    try:
        info = target.stat()
    except (FileNotFoundError, NotADirectoryError):
        info = None
    except OSError as exc:
        raise OutputError(f"{target}: cannot use as output: {exc.strerror}") from None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise OutputError(f"{target}: is a folder; expected a PDF file name")
        if not stat.S_ISREG(info.st_mode):
            raise OutputError(f"{target}: not a regular file (a device, pipe or socket); "
                              "expected a PDF file name")
        for source in inputs:
            try:
                if os.path.samefile(target, source):
                    raise OutputError(f"{target}: is an input of the build ({source}); "
                                      "expected another file for the PDF")
            except OSError:
                continue
        if not info.st_mode & 0o222:
            raise OutputError(f"{target}: is read-only; make it writable or choose another "
                              "file to replace it")
    parent = target.parent
    for folder in (parent, *parent.parents):
        if folder.exists():
            if not folder.is_dir():
                raise OutputError(f"{target}: {folder} is not a folder")
            if not os.access(folder, os.W_OK | os.X_OK):
                raise OutputError(f"{target}: folder {folder} is not writable")
            break


class OutputError(TypesetError):
    """The output path cannot take the PDF (a usage error: exit code 2)."""

    exit_code = 2


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(data: bytes, target: Path) -> None:
    """Write `data` to `target` through a temporary file in the same folder, then rename."""
    target = Path(target)
    check_output(target)
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent)
    except OSError as exc:
        raise TypesetError(f"{target}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise TypesetError(f"{target}: cannot write: {exc.strerror}") from None
    except BaseException:  # Ctrl-C, and SIGTERM/SIGHUP (raised as Interrupted by the CLI)
        Path(tmp).unlink(missing_ok=True)
        raise
