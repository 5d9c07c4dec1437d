"""Pages drawn aside: a second process draws a build's last pages while this one
checks the typography and draws the first ones.

Once a build has laid out its pages, what is left runs on one core: the typography
check (0.1 s for the sample issue), drawing every page (WeasyPrint's ``Page.paint``,
0.4 s) and writing the PDF, whose page streams pydyf compresses at zlib level 9
(0.15 s).  On a machine with a second core, :func:`started` forks the process there:
the child holds the very page boxes, without a copy, draws the pages from
`Aside.first` on through `redraw.kept_drawings(only=…)` and compresses their streams;
it hands back, through a pipe, what `redraw` needs to replay each page (its content
stream's bytes, the fonts and glyphs it used, its alpha states, its marked content
with each box told by its id, which is the same object in both processes).  The
parent meanwhile runs the typography check and draws the pages before `first`; it
then replays the child's pages in their place, in page order, so that fonts, subsets
and structure come out as drawing them would make them: the PDF is byte for byte the
one a build drawing every page itself writes (tests/test_aside.py).

The fork and the hand-over are :func:`forked`'s, which a command's build also uses
to read and compose the issue while it loads WeasyPrint (`build.FRONT_ASIDE`).

Any page the child could not hand back (an image, a glyph missing from its font, a
font the parent has not met yet, a box it cannot find) and every page when the child
failed, died or did not hand its pages over within :data:`WAIT_LIMIT` seconds (it is
then killed) is drawn by the parent: the aside makes a build faster, never different
or broken.  It is not used below :data:`MIN_PAGES` pages, for a preview
(its pages are replayed from the last render instead), in a process pool that
already keeps every core busy (`forbidden`), where ``os.fork`` does not exist, when
the process has other threads (a fork copies only the calling one), or with
``TYPESET_DRAW_ASIDE=0`` in the environment.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable

#: Pages a build needs before half of them are drawn aside: below, the fork and the
#: hand-over cost about what drawing the pages would.
MIN_PAGES = 8

#: Seconds the build waits for the helper's pages before it draws them itself.
WAIT_LIMIT = 300

#: Share of the pages the child draws: the parent first runs the typography check,
#: which costs about a quarter of drawing every page.
SHARE = 0.55

_allowed = True


def forbidden() -> None:
    """Never draw aside in this process (a worker of a pool with one per core)."""
    global _allowed
    _allowed = False


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _single_threaded() -> bool:
    if threading.active_count() > 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


class Child:
    """A forked child computing one value and handing it back, pickled, through a pipe
    (made by :func:`forked`)."""

    def __init__(self, pid: int, reader: int) -> None:
        self._pid, self._reader = pid, reader
        self._status: int | None = None  # the child's exit code, once reaped
        self._value: object = None
        self._collected = False

    def value(self, limit: float | None = None) -> object:
        """The child's value (waiting for it at most `limit` seconds, default
        :data:`WAIT_LIMIT`), or None when it failed, died or hung (it is then killed)."""
        if not self._collected:
            self._collected = True
            chunks = []
            deadline = time.monotonic() + (WAIT_LIMIT if limit is None else limit)
            try:
                while True:
                    left = deadline - time.monotonic()
                    if left <= 0 or not select.select([self._reader], [], [], left)[0]:
                        chunks = None  # a child that hangs: the parent does the work
                        break
                    chunk = os.read(self._reader, 1 << 20)
                    if not chunk:
                        break
                    chunks.append(chunk)
            except OSError:
                chunks = None
            # the pipe is closed: the child is leaving (or is stopped if it hangs)
            self._reap(wait=chunks is not None)
            if self._status == 0 and chunks:
                try:
                    self._value = pickle.loads(b"".join(chunks))
                except Exception:  # noqa: BLE001 -- a damaged hand-over: done here
                    self._value = None
        return self._value

    def _reap(self, wait: bool) -> None:
        if self._reader is not None:
            os.close(self._reader)
            self._reader = None
        if self._status is None:
            try:
                if not wait:
                    os.kill(self._pid, signal.SIGKILL)
                _, status = os.waitpid(self._pid, 0)
                self._status = os.waitstatus_to_exitcode(status)
            except (ChildProcessError, ProcessLookupError):
                self._status = -1

    def close(self) -> None:
        """Done with the child: if it is still working (its value was not needed),
        it is killed; it is reaped either way."""
        self._reap(wait=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def possible() -> bool:
    """Whether a child may be forked here to use another core: fork exists, this
    process is not a pool's worker (`forbidden`), it has a core to spare and no
    other thread (a fork copies only the calling one)."""
    return (_allowed and hasattr(os, "fork") and _cores() >= 2 and _single_threaded())


def forked(work: Callable[[], object], make: Callable[[int, int], Child] = Child) -> Child | None:
    """Fork a child that calls `work()` and hands its value back, pickled; the
    `Child` (made by `make(pid, reader)`), or None when the fork failed.  The child
    leaves without any clean-up (no atexit, no flushing of inherited buffers); an
    exception in `work` is a child without a value."""
    reader, writer = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(reader)
        os.close(writer)
        return None
    if pid == 0:  # the child: work, hand over, leave
        code = 1
        try:
            os.close(reader)
            import gc

            gc.disable()  # short-lived: and the collector would touch every shared page
            data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(writer, view):]
            code = 0
        except BaseException:  # noqa: BLE001 -- the parent does what it lacks
            pass
        finally:
            os._exit(code)
    os.close(writer)
    return make(pid, reader)


class Aside(Child):
    """A child process drawing the pages from `first` on (made by :func:`started`)."""

    def __init__(self, first: int, pid: int, reader: int) -> None:
        super().__init__(pid, reader)
        self.first = first
        self._handed: dict | None = None
        #: the compressed contents of the child's page streams: digest: bytes
        self.compressed: dict[bytes, bytes] = {}
        self.replayed = 0

    def _collect(self) -> dict:
        """What the child handed out (waiting for it), or nothing if it failed."""
        if self._handed is None:
            handed = self.value()
            if not isinstance(handed, dict):
                handed = {}
            for entry in handed.values():
                self.compressed.update(entry.compressed)
            self._handed = handed
        return self._handed

    def drawing(self, number: int, page, stream):
        """The `redraw.Drawing` that replays page `number` into `stream`, or None when
        this process must draw the page itself."""
        from .redraw import Drawing

        entry = self._collect().get(number)
        if entry is None:
            return None
        if (entry.before != len(stream.stream)
                or entry.tags_before != len(stream._tags or ())):
            return None
        if any(key not in stream._fonts for key, _ in entry.fonts):
            return None  # a font first used here: drawing adds it where it belongs
        boxes = {}
        if entry.tags:
            boxes = {id(box): box for box in page._page_box.descendants()}
            if any(box_id not in boxes for box_id, _ in entry.tags):
                return None
        self.replayed += 1
        return Drawing(page._page_box, entry.before, entry.tags_before, entry.operators,
                       entry.fonts, entry.alphas,
                       [(boxes[box_id], mark) for box_id, mark in entry.tags])


def started(pages: list, draw: Callable[[range], object]) -> Aside | None:
    """Fork a child that calls `draw(only)`, `only` being the range of page indexes it
    is to draw (a write through `redraw.kept_drawings(only=…)`), and hands back
    `redraw.handed_out`; return the `Aside` to give the parent's write, or None when
    drawing aside is not worth it or not possible here (see the module's docstring)."""
    if (len(pages) < MIN_PAGES or os.environ.get("TYPESET_DRAW_ASIDE") == "0"
            or not possible()):
        return None
    first = len(pages) - max(1, round(len(pages) * SHARE))

    def work() -> dict:
        from . import redraw

        redraw.handed_out.clear()
        with contextlib.suppress(redraw.AllDrawn):  # its last page drawn
            draw(range(first, len(pages)))
        return redraw.handed_out

    return forked(work, lambda pid, reader: Aside(first, pid, reader))
