"""A resident typeset (`typeset serve`): commands run in a warm process, the same.

Each test starts servers in a folder of its own (TYPESET_SERVER_DIR) and runs
``python -m typeset`` as a user would; the server's log (one line per command it
ran) tells whether a command went there.  The suite itself runs with
TYPESET_SERVER=0 (conftest), so no server a developer left running takes its commands.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from typeset import server

from .conftest import FIXTURES, ROOT, SAMPLE, minimal_variant


class Server:
    """A `typeset serve` subprocess in a private folder of its own."""

    def __init__(self, *args: str, **env: str):
        # a short folder: a Unix socket's path holds at most 107 bytes
        self.folder = Path(tempfile.mkdtemp(prefix="ts-"))
        self.env = {**os.environ, "TYPESET_SERVER_DIR": str(self.folder), **env}
        self.env.pop("TYPESET_SERVER", None)
        self.log = self.folder / "log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "typeset", "serve", *args], env=self.env,
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while "ready on" not in self.text() and time.monotonic() < deadline:
            assert self.process.poll() is None, self.text()
            time.sleep(0.05)
        assert "ready on" in self.text(), self.text()

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def ran(self) -> list[str]:
        """The commands the server ran, as its log names them."""
        return [line for line in self.text().splitlines()
                if line.startswith("typeset serve: ") and " (in " in line]

    def run(self, *argv: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "typeset", *argv], cwd=cwd,
                              env={**self.env, **env}, capture_output=True, text=True,
                              timeout=300)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def warm():
    running = Server()
    yield running
    running.stop()


def test_a_command_through_the_server_is_the_command_run_here(warm, tmp_path):
    """build and preview give the same bytes, lines and exit code through the server
    as in their own process; the server's log shows it ran them."""
    issue = minimal_variant(tmp_path, ("测试排版", "服务排版"))
    outputs = {}
    for how, env in (("server", {}), ("here", {"TYPESET_SERVER": "0"})):
        before = len(warm.ran())
        built = warm.run("build", str(issue), "-o", str(tmp_path / f"{how}.pdf"), **env)
        shown = warm.run("preview", str(issue), "ceshi-1", "-o",
                         str(tmp_path / f"{how}-preview.pdf"), **env)
        assert built.returncode == shown.returncode == 0, built.stderr + shown.stderr
        assert built.stdout == f"{tmp_path / how}.pdf: 4 pages, " \
            f"{(tmp_path / f'{how}.pdf').stat().st_size / 1e6:.2f} MB\n"
        assert shown.stdout == f"{tmp_path / how}-preview.pdf: 1 pages\n"
        assert built.stderr == shown.stderr == ""
        assert len(warm.ran()) - before == (2 if how == "server" else 0), warm.text()
        outputs[how] = ((tmp_path / f"{how}.pdf").read_bytes(),
                        (tmp_path / f"{how}-preview.pdf").read_bytes())
    assert outputs["server"] == outputs["here"]


def test_the_sample_built_by_the_server_is_the_sample_built_here(warm, tmp_path):
    """The sample issue, whose last pages a build draws aside (`typeset.aside`), from a
    server that has built another issue before: byte for byte the fresh process's."""
    for how, env in (("server", {}), ("here", {"TYPESET_SERVER": "0"})):
        done = warm.run("build", str(SAMPLE), "-o", str(tmp_path / f"{how}.pdf"), **env)
        assert done.returncode == 0, done.stderr
    assert "2021-10.xml" in warm.ran()[-1]
    assert (tmp_path / "server.pdf").read_bytes() == (tmp_path / "here.pdf").read_bytes()


def test_bad_input_and_usage_through_the_server(warm, tmp_path):
    """A bad issue and a bad command line: the same one-line error on the caller's
    stderr, the same exit code, the caller's folder and umask, no output damaged."""
    bad = tmp_path / "bad.xml"
    bad.write_text("<issue version='1'>", encoding="utf-8")
    kept = tmp_path / "out" / "bad.pdf"
    kept.parent.mkdir()
    kept.write_bytes(b"%PDF-1.7 an earlier build")
    cases = (["build", "bad.xml"], ["preview", "bad.xml"], ["no-such-command"])
    for argv in cases:
        through = warm.run(*argv, cwd=tmp_path)
        here = warm.run(*argv, cwd=tmp_path, TYPESET_SERVER="0")
        assert (through.returncode, through.stdout, through.stderr) == \
            (here.returncode, here.stdout, here.stderr)
        assert through.returncode == 2
        assert "Traceback" not in through.stderr
    assert warm.run("build", "bad.xml", cwd=tmp_path).stderr.startswith("bad.xml:1:")
    assert kept.read_bytes() == b"%PDF-1.7 an earlier build"
    assert warm.ran()[-1].endswith(f"(in {tmp_path}): exit 2")
    # a new file gets the mode the caller's umask gives, not the server's
    issue = minimal_variant(tmp_path, ("测试排版", "掩码排版"))
    done = subprocess.run(
        ["sh", "-c", f"umask 077 && exec {sys.executable} -m typeset build x.xml"],
        cwd=tmp_path, env=warm.env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert issue.with_suffix("").name in warm.ran()[-1]
    assert (tmp_path / "out" / "x.pdf").stat().st_mode & 0o777 == 0o600


def test_commands_the_server_does_not_take(warm, tmp_path, monkeypatch):
    """TYPESET_SERVER=0, a watch, `serve` itself, another import environment, a folder
    others can open: the command runs in its own process (and still works)."""
    before = len(warm.ran())
    assert warm.run("validate", str(FIXTURES / "minimal.xml"), TYPESET_SERVER="0").returncode == 0
    other = warm.run("validate", str(FIXTURES / "minimal.xml"), TYPESET_PLAIN_IMPORT="1")
    assert other.returncode == 0 and "valid" in other.stdout
    assert len(warm.ran()) == before, warm.text()
    monkeypatch.delenv("TYPESET_SERVER")
    assert not server._wanted(["preview", "x.xml", "d", "--watch"])
    assert not server._wanted(["preview", "x.xml", "d", "--wat"])
    assert not server._wanted(["serve"])
    assert server._wanted(["preview", "x.xml", "d", "--png"])
    warm.folder.chmod(0o755)
    try:
        opened = warm.run("validate", str(FIXTURES / "minimal.xml"))
    finally:
        warm.folder.chmod(0o700)
    assert opened.returncode == 0
    assert len(warm.ran()) == before
    assert warm.run("validate", str(FIXTURES / "minimal.xml")).returncode == 0
    assert len(warm.ran()) == before + 1


def test_a_second_server_is_refused_and_a_busy_one_passed_by(warm, tmp_path):
    """One server per installation; while it runs a command, another command does not
    wait for it; Ctrl-C on the caller reaches the command in the server."""
    second = warm.run("serve")
    assert second.returncode == 2
    assert second.stderr.startswith("typeset serve: a server already answers on ")
    long = _long_build(warm, tmp_path / "a.pdf")
    before = len(warm.ran())
    started = time.monotonic()
    other = warm.run("validate", str(FIXTURES / "minimal.xml"))
    assert other.returncode == 0 and "valid" in other.stdout
    assert time.monotonic() - started < 10
    out, err = long.communicate(timeout=300)
    assert long.returncode == 0, err
    assert len(warm.ran()) == before + 1 and warm.ran()[-1].endswith("exit 0")
    # Ctrl-C: the command unwinds in the server (no PDF, no temporary file), exit 130
    long = _long_build(warm, tmp_path / "b.pdf")
    time.sleep(0.5)
    long.send_signal(signal.SIGINT)
    out, err = long.communicate(timeout=60)
    assert long.returncode == 130, (err, warm.text())
    assert err == "typeset: interrupted\n"
    assert not (tmp_path / "b.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".typeset", "a.pdf"]  # no temporary
    assert warm.ran()[-1].endswith("exit 130")
    assert warm.process.poll() is None  # the server goes on
    assert warm.run("validate", str(FIXTURES / "minimal.xml")).returncode == 0
    assert len(warm.ran()) == before + 3


def _long_build(running: Server, output: Path) -> subprocess.Popen:
    """The sample's build (3 s or more) started through `running`, once it runs there."""
    process = subprocess.Popen(
        [sys.executable, "-m", "typeset", "build", str(SAMPLE), "-o", str(output)],
        cwd=ROOT, env=running.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not _busy(running) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _busy(running), running.text()
    return process


def _busy(running: Server) -> bool:
    """Whether the server has a command's process: it has the caller's stdout open
    (its descriptor 1 is then not the log)."""
    try:
        return os.readlink(f"/proc/{running.process.pid}/fd/1") != str(running.log)
    except OSError:
        return False


def test_a_server_that_dies_leaves_the_command_to_the_caller(tmp_path):
    """Killed during a command, the server's caller says so and runs it itself."""
    running = Server()
    try:
        caller = subprocess.Popen(
            [sys.executable, "-m", "typeset", "build", str(SAMPLE), "-o",
             str(tmp_path / "a.pdf")],
            cwd=ROOT, env=running.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        deadline = time.monotonic() + 30
        while not _busy(running) and time.monotonic() < deadline:
            time.sleep(0.05)
        running.process.kill()
        out, err = caller.communicate(timeout=300)
        assert caller.returncode == 0, err
        assert err == "typeset: the server stopped during the command; running it here\n"
        assert out.startswith(f"{tmp_path / 'a.pdf'}: 30 pages")
    finally:
        running.stop()


def test_a_stale_or_idle_server_stops(tmp_path):
    """A server whose typeset sources changed declines and stops (the command runs in
    its own process); one without commands for --idle minutes stops; either removes
    its socket.  (The stale one runs a copy of typeset: another installation, whose
    files this test may touch while other tests use the shared server.)"""
    package = tmp_path / "src" / "typeset"
    shutil.copytree(Path(server.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for kind in ("layouts", "fonts", "profiles"):
        (tmp_path / kind).symlink_to(ROOT / kind)
    running = Server(PYTHONPATH=str(tmp_path / "src"))
    try:
        assert running.run("validate", str(FIXTURES / "minimal.xml")).returncode == 0
        assert len(running.ran()) == 1  # the copy's server took it
        touched = package / "warmup.xml"
        os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
        done = running.run("validate", str(FIXTURES / "minimal.xml"))
        assert done.returncode == 0 and "valid" in done.stdout
        assert running.process.wait(timeout=30) == 0
        assert "typeset's sources changed since it started, stopping" in running.text()
        assert len(running.ran()) == 1
        assert list(running.folder.glob("*.sock")) == []
    finally:
        running.stop()
    idle = Server("--idle", "0.02")
    try:
        assert idle.process.wait(timeout=30) == 0
        assert "idle, stopping" in idle.text()
        assert list(idle.folder.glob("*.sock")) == []
    finally:
        idle.stop()


def test_a_server_refuses_a_folder_others_can_open_and_idle_times_it_cannot_keep(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="ts-"))
    try:
        folder.chmod(0o755)
        done = subprocess.run([sys.executable, "-m", "typeset", "serve"], cwd=ROOT,
                              env={**os.environ, "TYPESET_SERVER_DIR": str(folder)},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert done.stderr == (f"typeset serve: {folder} is not a folder of this user's "
                               "alone (mode 0700): refusing to put a socket there\n")
        assert list(folder.iterdir()) == []
        folder.chmod(0o700)
        for idle in ("0", "-1", "nan", "inf", "100000"):
            done = subprocess.run([sys.executable, "-m", "typeset", "serve", "--idle", idle],
                                  cwd=ROOT, env={**os.environ, "TYPESET_SERVER_DIR": str(folder)},
                                  capture_output=True, text=True, timeout=60)
            assert done.returncode == 2
            assert done.stderr.startswith(f"typeset serve: --idle {float(idle):g}: expected ")
            assert done.stderr.count("\n") == 1
    finally:
        shutil.rmtree(folder)


def test_the_garbage_of_commands_is_collected_once_the_server_is_idle(warm, tmp_path):
    """A build leaves objects in reference cycles that the collector frees only with a
    full collection (0.1-0.5 s): the server makes it after a second without a command,
    not between an editor's commands, so its memory does not grow command by command."""
    issue = minimal_variant(tmp_path, ("测试排版", "回收排版"))
    collected = warm.text().count("collected ")
    assert warm.run("build", str(issue), "-o", str(tmp_path / "a.pdf")).returncode == 0
    deadline = time.monotonic() + 30
    while warm.text().count("collected ") == collected and time.monotonic() < deadline:
        time.sleep(0.1)
    line = warm.text().splitlines()[-1]
    assert line.startswith("typeset serve: collected ") and "objects of the last" in line
    assert int(line.split()[3].replace(",", "")) > 1000
