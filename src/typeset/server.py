"""A resident typeset: commands answered by a process that is already warm.

A fresh ``typeset`` process spends about 0.3 s importing WeasyPrint and typeset, and
its first render pays once more for what every render after it finds ready (Pango's
font map, the faces' HarfBuzz blobs, compiled templates, the CSS of WeasyPrint's own
style sheets).  A one-page preview then takes 0.75 s of which the page is a third.

``typeset serve`` starts a process that loads all of it once, renders a small issue
of its own to warm up, and then waits on a Unix socket.  The ``typeset`` command
(:func:`forward`, called before anything else is imported) asks it first: when it
answers, the command runs *in the server*, with the caller's arguments, working
folder, environment, umask and standard streams (the descriptors themselves are
handed over through the socket), and its exit code comes back.  The command is the
same code on the same input: a preview gives the same bytes either way
(tests/test_server.py), as renders in one ``--watch`` process already do.

The command runs in the caller's own process, as always, when:

- no server of *this installation* runs (the socket's name is keyed by the Python
  and the typeset it runs; the request names both and the server checks them);
- ``TYPESET_SERVER=0`` is in the environment, or the command is ``serve`` or a
  ``preview --watch`` (a watch is warm by itself and would hold the server);
- the server is busy with another command (it answers one at a time: the caller waits
  :data:`READY_WAIT` seconds for it, then runs by itself);
- typeset's sources changed since the server started (it then stops), or the
  caller's environment differs in what was read at import (:data:`IMPORT_ENV`);
- the socket's folder is not the caller's alone (owner and mode 0700 checked).

Ctrl-C, SIGTERM and SIGHUP sent to the caller are passed on to the server, where the
command unwinds as it would in its own process (temporary files removed, exit code
130 or 128+N).  If the server dies during a command, the caller says so and runs the
command itself.  The server stops after :data:`IDLE_MINUTES` without a command, on
Ctrl-C or SIGTERM, or once it holds more than :data:`MAX_RSS` bytes.

In: argv (the caller), or nothing (``serve``).  Out: the command's exit code, or
``None`` from :func:`forward` when the caller must run the command itself.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import socket
import stat
import sys
import zlib

#: Seconds a caller waits for the server to take its command before running it itself.
READY_WAIT = 0.3

#: Minutes the server waits for a command before it stops.
IDLE_MINUTES = 60

#: Resident memory after which the server stops (after the command that grew it, and
#: a collection of its garbage).
MAX_RSS = 2 * 1024 ** 3

#: Seconds without a command after which the server collects the garbage of the
#: last ones (a build leaves about 200,000 objects in cycles).
COLLECT_AFTER = 1.0

#: Variables read while typeset and WeasyPrint are imported (or by fontconfig when it
#: starts): a caller whose values differ from the server's runs by itself.
IMPORT_ENV = ("TYPESET_PLAIN_IMPORT", "FONTCONFIG_FILE", "LD_LIBRARY_PATH", "LD_PRELOAD",
              "PYTHONPATH", "XDG_CACHE_HOME")

#: The largest request read (arguments and environment).
MAX_REQUEST = 1 << 20


def _installation() -> str:
    """What the socket and the request are keyed by: this Python, this typeset."""
    package = os.path.dirname(os.path.abspath(__file__))
    return "\n".join((os.path.realpath(sys.executable), sys.version, package))


def socket_path() -> str:
    """The socket of this installation's server (in ``TYPESET_SERVER_DIR``, else
    ``$XDG_RUNTIME_DIR/typeset``, else ``/tmp/typeset-<uid>``)."""
    folder = os.environ.get("TYPESET_SERVER_DIR")
    if not folder:
        runtime = os.environ.get("XDG_RUNTIME_DIR")
        folder = (os.path.join(runtime, "typeset") if runtime
                  else os.path.join("/tmp", f"typeset-{os.getuid()}"))
    key = zlib.crc32(_installation().encode("utf-8"))
    return os.path.join(folder, f"server-{key:08x}.sock")


def _private(folder: str) -> bool:
    """Whether `folder` is a real folder owned by this user and closed to others."""
    try:
        info = os.lstat(folder)
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & 0o077)


def _wanted(argv: list[str]) -> bool:
    """Whether this command goes to a server at all."""
    if os.name != "posix" or os.environ.get("TYPESET_SERVER") == "0" or not argv:
        return False
    if argv[0] == "serve":
        return False
    # --watch, or any prefix of it argparse would take for it
    return not (argv[0] == "preview" and any(a.startswith("--w") for a in argv[1:]))


# --------------------------------------------------------------------------- caller


def forward(argv: list[str]) -> int | None:
    """Run the command `argv` in this installation's server and return its exit code;
    ``None`` when there is no server to take it (the caller then runs it itself)."""
    if not _wanted(argv):
        return None
    path = socket_path()
    if not os.path.exists(path) or not _private(os.path.dirname(path)):
        return None
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        return _forward(client, path, argv)
    except OSError:
        return None
    finally:
        client.close()


def _forward(client: socket.socket, path: str, argv: list[str]) -> int | None:
    client.settimeout(READY_WAIT)
    client.connect(path)
    # marshal: both ends are this Python (the installation is checked), and it loads
    # no module (json would load re: 10 ms of every forwarded command)
    request = marshal.dumps({
        "installation": _installation(), "argv": list(argv), "cwd": os.getcwd(),
        "env": dict(os.environ), "umask": _umask(),
        "encodings": [getattr(s, "encoding", None) or "utf-8" for s in (sys.stdout, sys.stderr)],
    })
    streams, opened = [], []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
            streams.append(fd)
        except OSError:  # a closed standard stream: the command gets /dev/null there
            opened.append(os.open(os.devnull, os.O_RDWR))
            streams.append(opened[-1])
    try:
        socket.send_fds(client, [len(request).to_bytes(8, "big") + request], streams)
    finally:
        for fd in opened:
            os.close(fd)
    replies = client.makefile("rb")
    try:
        pid = _reply(replies.readline(), b"ready")
    except TimeoutError:  # busy with another command
        return None
    if pid is None:  # declined, or not a server
        return None
    client.sendall(b"go\n")
    client.settimeout(None)
    import signal

    def passed_on(signum, _frame) -> None:  # to the command, through the socket
        with contextlib.suppress(OSError):
            client.sendall(b"signal %d\n" % signum)

    passed = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {signum: signal.signal(signum, passed_on) for signum in passed}
    try:
        code = _reply(replies.readline(), b"exit")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if code is None:
        print("typeset: the server stopped during the command; running it here",
              file=sys.stderr)
    return code


def _reply(line: bytes, word: bytes) -> int | None:
    """The number of a server's reply line ``WORD N``; None for any other line."""
    name, _, number = line.strip().partition(b" ")
    if name != word or not number.lstrip(b"-").isdigit():
        return None
    return int(number)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- server


def _sources() -> tuple:
    """What typeset's files were when the server started (names, times, sizes)."""
    package = os.path.dirname(os.path.abspath(__file__))
    stamp = []
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(folder, name)
            try:
                info = os.stat(path)
            except OSError:
                continue
            stamp.append((path, info.st_mtime_ns, info.st_size))
    return tuple(stamp)


def _rss() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Stop(Exception):
    """The server stops (after answering the request at hand)."""


def serve(idle_minutes: float = IDLE_MINUTES, log=None) -> int:
    """Warm up, then answer commands on :func:`socket_path` until idle for
    `idle_minutes`, interrupted, or stale; return 0 (2 when another server of this
    installation already answers, or the socket cannot be made)."""
    from .errors import UsageError, emit

    log = log or emit
    if os.name != "posix" or not hasattr(socket, "AF_UNIX"):
        raise UsageError("typeset serve: needs Unix sockets (Linux, macOS)")
    path = socket_path()
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not _private(folder):
        raise UsageError(f"typeset serve: {folder} is not a folder of this user's alone "
                         "(mode 0700): refusing to put a socket there")
    if os.path.exists(path):
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
            raise UsageError(f"typeset serve: a server already answers on {path}")
        except OSError:
            os.unlink(path)  # left by a server that did not stop cleanly
        finally:
            probe.close()
    started = _warm_up()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    mine = os.stat(path).st_ino
    os.chmod(path, 0o600)
    listener.listen(16)
    sources = _sources()
    log(f"typeset serve: ready on {path} (warmed up in {started:.2f} s; stops after "
        f"{idle_minutes:g} minutes without a command)")
    import signal

    def stop(signum, _frame) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started ignoring it
    signal.signal(signal.SIGIO, _passed_on)
    import gc
    import time

    last, garbage = time.monotonic(), False
    try:
        while True:
            # the garbage of a command (0.1-0.5 s to collect) is collected once no
            # other command has come for COLLECT_AFTER seconds: an editor's next
            # preview does not wait for it
            left = idle_minutes * 60 - (time.monotonic() - last)
            listener.settimeout(max(0.01, min(left, COLLECT_AFTER) if garbage else left))
            try:
                conn, _ = listener.accept()
            except (TimeoutError, BlockingIOError):
                if garbage:
                    began = time.perf_counter()
                    found = gc.collect()
                    log(f"typeset serve: collected {found:,} objects of the last commands "
                        f"in {time.perf_counter() - began:.2f} s")
                    garbage = False
                    continue
                log("typeset serve: idle, stopping")
                return 0
            try:
                garbage = _answer(conn, sources, log) or garbage
            except Stop as reason:
                log(f"typeset serve: {reason}, stopping")
                return 0
            finally:
                conn.close()
                last = time.monotonic()
    except KeyboardInterrupt:
        log("typeset serve: stopped")
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        listener.close()
        try:
            if os.stat(path).st_ino == mine:  # not a socket of a server started since
                os.unlink(path)
        except OSError:
            pass


def _warm_up() -> float:
    """Build and preview the small issue shipped beside this module in a folder
    removed afterwards: the imports, Pango's font map, the reference layout's
    templates and fonts are then ready for the first command.  Returns the seconds."""
    import tempfile
    import time
    from pathlib import Path

    from .build import Options, build, preview

    started = time.perf_counter()
    issue = Path(__file__).with_name("warmup.xml")
    with tempfile.TemporaryDirectory(prefix="typeset-warm-up-") as folder:
        quiet = lambda message: None  # noqa: E731
        build(issue, Options(output=Path(folder) / "warm-up.pdf"), log=quiet)
        preview(issue, "warm-up", Options(output=Path(folder) / "warm-up-preview.pdf"),
                log=quiet)
    return time.perf_counter() - started


def _answer(conn: socket.socket, sources: tuple, log) -> bool:
    """Read one request from `conn`, run its command here, send its exit code; whether
    a command ran (and left garbage)."""
    conn.settimeout(2)
    fds: list[int] = []
    uid = _peer_uid(conn)
    if uid is not None and uid != os.getuid():  # before anything it sent is read
        return False
    try:
        request, fds = _request(conn)
        why = _declined(request, sources)
        if why:
            _send(conn, f"declined {why}")
            if why == "stale":
                raise Stop("typeset's sources changed since it started")
            return False
        _send(conn, f"ready {os.getpid()}")
        if conn.makefile("rb").readline() != b"go\n":  # the caller gave up waiting
            return False
        code = _run(request, fds, conn)
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return False
    finally:
        for fd in fds:
            os.close(fd)
    with contextlib.suppress(OSError):  # the caller may be gone
        _send(conn, f"exit {code}")
    log(f"typeset serve: {' '.join(request['argv'])} (in {request['cwd']}): exit {code}")
    if _rss() > MAX_RSS:
        import gc

        gc.collect()
        held = _rss()
        if held > MAX_RSS:
            raise Stop(f"holding {held / 1e9:.1f} GB")
    return True


#: The connection of the command running (see :func:`_passed_on`), else None.
_running: socket.socket | None = None


def _passed_on(_signum, _frame) -> None:
    """SIGIO: the caller of the command running wrote to its connection, a signal it
    got (``signal N``): the command gets it as it would in its own process."""
    import signal

    from .cli import Interrupted

    conn = _running
    if conn is None:
        return
    try:
        data = conn.recv(256, socket.MSG_DONTWAIT)
    except OSError:
        return
    for line in data.split(b"\n"):
        signum = _reply(line, b"signal")
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        if signum in (signal.SIGTERM, signal.SIGHUP):
            raise Interrupted(signum)


def _request(conn: socket.socket) -> tuple[dict, list[int]]:
    """The caller's request and its three standard streams."""
    data, fds, _flags, _address = socket.recv_fds(conn, 65536, 3)
    try:
        if len(fds) != 3 or len(data) < 8:
            raise ValueError("no streams")
        size = int.from_bytes(data[:8], "big")
        if size > MAX_REQUEST:
            raise ValueError("too large")
        body = bytearray(data[8:])
        while len(body) < size:
            chunk = conn.recv(min(65536, size - len(body)))
            if not chunk:
                raise ValueError("cut short")
            body += chunk
        request = marshal.loads(bytes(body))
        if not _well_formed(request):
            raise ValueError("not a request")
    except BaseException:
        for fd in fds:
            os.close(fd)
        raise
    return request, fds


def _well_formed(request) -> bool:
    """Whether `request` has the fields and types :func:`forward` sends."""
    def strings(value) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    return (isinstance(request, dict) and isinstance(request.get("installation"), str)
            and strings(request.get("argv")) and isinstance(request.get("cwd"), str)
            and isinstance(request.get("env"), dict)
            and strings(list(request["env"])) and strings(list(request["env"].values()))
            and isinstance(request.get("umask"), int)
            and strings(request.get("encodings")) and len(request["encodings"]) == 2)


def _declined(request: dict, sources: tuple) -> str | None:
    """Why this server may not run the request (None: it may)."""
    if request.get("installation") != _installation():
        return "another installation"
    env = request["env"]
    if any(env.get(name) != os.environ.get(name) for name in IMPORT_ENV):
        return "another import environment"
    if _sources() != sources:
        return "stale"
    return None


def _peer_uid(conn: socket.socket) -> int | None:
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    import struct

    credentials = conn.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    return struct.unpack("3i", credentials)[1]


def _send(conn: socket.socket, line: str) -> None:
    conn.sendall(line.encode("utf-8") + b"\n")


def _run(request: dict, fds: list[int], conn: socket.socket) -> int:
    """Run the request's command as its own process would: its folder, environment,
    umask, arguments and standard streams, all put back afterwards; the signals its
    caller passes on through `conn` reach it (SIGIO: :func:`_passed_on`)."""
    global _running
    import fcntl
    import io

    from .cli import Interrupted, main

    saved_fds = [os.dup(fd) for fd in (0, 1, 2)]
    saved_streams = (sys.stdin, sys.stdout, sys.stderr)
    saved_env, saved_argv, saved_cwd = dict(os.environ), sys.argv, os.getcwd()
    saved_umask = os.umask(request["umask"])
    for stream in saved_streams:
        stream.flush()
    try:
        for fd, target in zip(fds, (0, 1, 2), strict=True):
            os.dup2(fd, target)
        out_encoding, err_encoding = request["encodings"]
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False))
        sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False),
                                      encoding=out_encoding, errors="backslashreplace",
                                      line_buffering=os.isatty(1))
        sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False),
                                      encoding=err_encoding, errors="backslashreplace",
                                      line_buffering=True)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["typeset", *request["argv"]]
        flags = fcntl.fcntl(conn.fileno(), fcntl.F_GETFL)
        try:
            fcntl.fcntl(conn.fileno(), fcntl.F_SETOWN, os.getpid())
            fcntl.fcntl(conn.fileno(), fcntl.F_SETFL, flags | os.O_ASYNC)
            _running = conn
            try:
                code = main(list(request["argv"]))
            finally:
                _running = None
                fcntl.fcntl(conn.fileno(), fcntl.F_SETFL, flags)
        except SystemExit as exc:  # argparse: usage errors, --help, --version
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
            if isinstance(exc.code, str):
                print(exc.code, file=sys.stderr)
        except KeyboardInterrupt:  # before or after main's own handling
            print("typeset: interrupted", file=sys.stderr)
            code = 130
        except Interrupted as exc:
            print(f"typeset: stopped by signal {exc.signum}", file=sys.stderr)
            code = 128 + exc.signum
        return code
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        sys.stdin, sys.stdout, sys.stderr = saved_streams
        for fd, target in zip(saved_fds, (0, 1, 2), strict=True):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv = saved_argv
        os.chdir(saved_cwd)
        os.umask(saved_umask)
