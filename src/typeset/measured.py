"""Text measured for tables, kept between processes in the cache folder.

A table's column widths come from its cells' min- and max-content widths: Pango lays
out the text of each cell, and each distinct line of it alone (`cjk.widths`).  The
one-page preview of an 84-cell table spent 30-40 ms of its 0.4 s there, a build of
the sample 0.13-0.19 s, every time, for the same answers.  The answers depend on
the text and its style values (the key `cjk.widths` already uses within a process)
and on what stands behind a font configuration: the font files, the layout's style
sheet (its @font-face rules), the engine (typeset's code, WeasyPrint, Pango,
HarfBuzz) and its options.  So the answers a render made are kept under a
hash of all of these (:func:`scope`), and a later process rendering with the same
ones answers from them what it has not answered itself: the same widths, without
Pango.  A change to any of them is another scope, measured afresh.

The file of a scope is written after a render that made at least :data:`WRITE_AT_LEAST`
new answers (a first build, new text; an edit of a table in `--watch` seldom does),
with what another process wrote to it meanwhile; it holds at most :data:`MOST`
answers, and at most :data:`KEPT` scopes are kept (the oldest go).  A file that
does not load is ignored.

In:  the render's stamp (`build._stamp`: typeset's and WeasyPrint's versions, the
     engine's options, the font files) and the HTML (its style sheet).
Out: for the duration of :func:`kept`, `cjk.widths` answering from the kept file;
     the file written after it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import pickle
from pathlib import Path

#: New answers a render must make for the file to be written again.
WRITE_AT_LEAST = 32
#: Answers a file holds at most (a build of the sample makes about 3,000).
MOST = 50_000
#: Scopes kept at most (one per layout and edition, as long as nothing changes).
KEPT = 16
_STEM = "measured-"


@functools.cache
def _engine() -> str:
    """typeset's code (each file's name, size and time of change: any change to the
    package is another engine), Pango's and HarfBuzz's versions."""
    from weasyprint.text.ffi import pango

    from .cjk.internals import pango_extra

    package = Path(__file__).parent
    files = sorted((str(path.relative_to(package)), path.stat().st_size,
                    path.stat().st_mtime_ns)
                   for pattern in ("*.py", "*.conf") for path in package.rglob(pattern))
    extra_ffi, library = pango_extra()
    return repr((files, pango.pango_version(),
                 extra_ffi.string(library.hb_version_string()).decode()))


def scope(stamp: str, html: str) -> str:
    """The scope of a render's answers: its stamp, the style sheet of its HTML (the
    first <style> element) and the engine."""
    start, end = html.find("<style"), html.find("</style>")
    sheet = html[start:end] if 0 <= start < end else ""
    return hashlib.sha256(repr((stamp, sheet, _engine())).encode()).hexdigest()[:32]


def _path(name: str) -> Path:
    from .startup import cache_dir

    return cache_dir() / f"{_STEM}{name}.pickle"


#: The file this process last loaded: (its path, size and time of change, answers).
#: A warm process (`--watch`, `typeset serve`) renders again and again with the same
#: scope; the file is read again only when it changed (any answers of the file's
#: scope are right answers: one read before another process added to it misses only
#: those).
_LOADED: list = [None, {}]


def _load(path: Path) -> dict:
    with contextlib.suppress(OSError, pickle.UnpicklingError, EOFError, ValueError,
                             TypeError, AttributeError, ImportError, IndexError):
        info = path.stat()
        signature = (str(path), info.st_size, info.st_mtime_ns)
        if _LOADED[0] == signature:
            return _LOADED[1]
        answers = pickle.loads(path.read_bytes())
        if isinstance(answers, dict):
            _LOADED[:] = [signature, answers]
            return answers
    return {}


@contextlib.contextmanager
def kept(name: str):
    """For the duration: the table measurements of scope `name` (:func:`scope`) kept
    by earlier processes are answers; the new ones are kept after it."""
    from .cjk import widths

    path = _path(name)
    answers = _load(path)
    widths.use_kept(answers)
    try:
        yield
    finally:
        new = widths.use_kept(None)
        if len(new) >= WRITE_AT_LEAST:
            _write(path, new)


def _write(path: Path, new: dict) -> None:
    from .startup import write_kept

    answers = dict(_load(path))  # with what another process kept meanwhile
    for key, answer in new.items():
        if len(answers) >= MOST:
            break
        answers.setdefault(key, answer)
    styles: dict = {}  # each style's values one object: pickled once, not per answer
    answers = {(key[0], styles.setdefault(key[1], key[1]), *key[2:]): answer
               for key, answer in answers.items()}
    try:
        data = pickle.dumps(answers, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # a style value that does not pickle: nothing kept
    write_kept(path, data, f"{_STEM}*.pickle", KEPT)
