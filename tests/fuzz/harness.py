"""Run typeset in-process on one fuzz case inside a sandbox folder, and judge what it did.

In: a `Case` (tests/fuzz/issues.py), a `Plan` (which command, which output path, a
previous PDF or not) and a `Sandbox` (a temporary folder, a cache folder, a local HTTP
canary, secret files outside the issue's folder).  Out: an `Outcome`: the exit code, what
was printed, and `findings`, each a `FuzzFailure` subclass naming one broken promise of
issue 8 (exit code, traceback, one-line errors, writes outside the output, the previous
PDF, CSS/template/fetch effects in the PDF, refused figures accepted, time).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
import shutil
import signal
import stat
import tempfile
import threading
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lxml import etree

import typeset.schema
from typeset.cli import main

from .issues import (
    FIGURE_SOURCES_OK,
    FIGURE_SOURCES_SUBRESOURCE,
    JINJA_SENTINEL,
    LOOP_SENTINEL,
    SECRET_TEXT,
    Case,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
STEM = "fz0case"
GIVEN_PDF = f"{STEM}-given.pdf"
PREVIOUS = b"%PDF-1.7\n% a previous build: a failed run must leave these bytes\n%%EOF\n"
A4 = (595.2756, 841.8898)
# The file names typeset may be given; all hold STEM, so a stray write is easy to find.
INPUT_NAMES = [f"{STEM}.xml", f"{STEM} 'q\" x.xml", f"{STEM}:2.xml", f"{STEM}-中文.xml"]
OUTPUT_KINDS = ["relative", "relative", "absolute-new-dir", "default", "colon",
                "input", "directory", "readonly"]
#: Output kinds that must be refused (issue 8, point 3).
REFUSED_OUTPUTS = {"input", "directory", "readonly"}

# ----------------------------------------------------------------------------- failures


class FuzzFailure(AssertionError):
    """A broken promise; each subclass is one kind, so hypothesis keeps them apart."""


class Crash(FuzzFailure):
    """An exception escaped typeset.cli.main."""


class BadExitCode(FuzzFailure):
    """An exit code other than 0, 1, 2."""


class TracebackPrinted(FuzzFailure):
    """A traceback on stderr."""


class InternalError(FuzzFailure):
    """The last-resort handler fired: an error the user caused is not reported properly."""


class MalformedMessage(FuzzFailure):
    """A failure printed a line that is not `path:line:col: message` or `path: message`."""


class WroteOutside(FuzzFailure):
    """A file or folder other than the output path was created, changed or removed."""


class PreviousDamaged(FuzzFailure):
    """A failed build changed the PDF already at the output path."""


class NotAPdf(FuzzFailure):
    """A successful build left no PDF at the output path."""


class CssEffect(FuzzFailure):
    """Text of the issue acted as CSS: the page size or the page count changed."""


class TemplateEffect(FuzzFailure):
    """Text of the issue acted as a Jinja template."""


class EmbeddedResource(FuzzFailure):
    """The PDF carries an attachment, a script, a file: link, or a secret's text."""


class Fetched(FuzzFailure):
    """A resource outside the issue's folder was fetched: HTTP canary hit or secret read."""


class FigureAccepted(FuzzFailure):
    """A figure the format refuses (outside the folder, a scheme, missing, not an image)."""


class OutputAccepted(FuzzFailure):
    """An output path that must be refused (the input, a folder, read-only) was used."""


class WroteRepository(FuzzFailure):
    """A file appeared in the repository."""


class SchemaDisagreement(FuzzFailure):
    """validate and the shipped RELAX NG schema disagree on the structure or a value."""


class Overflow(FuzzFailure):
    """Printed text runs into the page's outer 15 pt (off the page, in practice)."""


class Overprint(FuzzFailure):
    """Two characters print over each other: text left its column or cell."""


class Hang(FuzzFailure):
    """One case ran past its time limit."""


class Inconsistent(FuzzFailure):
    """validate and build disagree: the build succeeded on a file validate refuses."""


class _CaseTimeout(BaseException):
    """Raised in the main thread by the alarm; a BaseException so no handler swallows it."""


# ----------------------------------------------------------------------------- sandbox


class _Canary(BaseHTTPRequestHandler):
    hits: list[str] = []

    def setup(self):  # every connection counts, even one that never sends a valid request
        super().setup()
        self.hits.append(f"connection from {self.client_address[0]}")

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.hits.append(self.path)
        self.send_error(404)

    do_POST = do_HEAD = do_GET  # noqa: N815

    def log_message(self, *args):  # keep the canary off stderr
        pass


class Sandbox:
    """A temporary folder for cases, a cache folder and a local HTTP canary."""

    def __init__(self, base: Path):
        self.base = base
        self.cache = base / "cache"
        self.cache.mkdir(exist_ok=True)
        self.case_dir = base / "case"
        self.hits: list[str] = []
        handler = type("Canary", (_Canary,), {"hits": self.hits})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.cases = 0
        self.started = time.perf_counter()
        self.dirty = True
        self.repo_strays = repo_strays()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def materialise(self, data: bytes) -> bytes:
        """A case's placeholders replaced by the canary's address and the secrets' folder."""
        return (data.replace(b"CANARY", f"127.0.0.1:{self.port}".encode())
                .replace(b"SECRETDIR", str(self.case_dir).encode()))

    def fresh(self) -> Path:
        """An empty case folder with the issue's neighbours and the secrets outside it."""
        shutil.rmtree(self.case_dir, ignore_errors=True)
        issue = self.case_dir / "issue"
        (issue / "sub").mkdir(parents=True)
        (issue / "dir.png").mkdir()
        shutil.copy(FIXTURES / "dot.svg", issue / "dot.svg")
        shutil.copy(FIXTURES / "dot.svg", issue / "sub" / "dot.svg")
        (issue / "evil.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' width="10" height="10">'
            f'<image href="http://127.0.0.1:{self.port}/svg-sub.png" width="5" height="5"/>'
            f'<image xlink:href="../secret.png" width="5" height="5"/>'
            f'<image href="file://{self.case_dir}/secret.svg" width="5" height="5"/>'
            '<rect width="10" height="10"/></svg>')
        (issue / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
        (issue / "notimage.png").write_text("not an image\n")
        (self.case_dir / "secret.txt").write_text(SECRET_TEXT + "\n")
        (self.case_dir / "secret.png").write_bytes((FIXTURES / "dot.svg").read_bytes())
        (self.case_dir / "secret.svg").write_bytes((FIXTURES / "dot.svg").read_bytes())
        return self.case_dir


@dataclass
class Plan:
    """What to run on a case: the command, the output path's kind, a previous PDF or not."""

    command: str = "validate"          # validate | build | preview | check
    output: str = "relative"           # one of OUTPUT_KINDS
    previous: bool = False
    input_name: str = f"{STEM}.xml"
    doc_id: str = ""                   # for preview
    timeout: float = 30.0
    baseline: bytes | None = None      # issue/<stem>.pages.json, if any
    pdf: bytes | None = None           # for check --pdf: the PDF to read


@dataclass
class Outcome:
    """What one run did, and every promise it broke."""

    code: int | None
    stdout: str
    stderr: str
    argv: list[str]
    output: Path | None
    findings: list[FuzzFailure] = field(default_factory=list)
    pages: int = 0

    def describe(self) -> str:
        return (f"argv: {self.argv}\nexit: {self.code}\nstderr:\n{self.stderr[-3000:]}\n"
                f"findings:\n" + "\n".join(f"  {type(f).__name__}: {f}" for f in self.findings))

    def raise_first(self) -> None:
        """Raise the first finding (its class tells hypothesis which bug it is)."""
        if self.findings:
            first = self.findings[0]
            raise type(first)(f"{first}\n\n{self.describe()}")


# ----------------------------------------------------------------------------- running


@contextlib.contextmanager
def _alarm(seconds: float):
    def fire(signum, frame):
        raise _CaseTimeout()

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def _capture_fd2(into: list[str]):
    """Capture what C libraries write to file descriptor 2 as well."""
    with tempfile.TemporaryFile() as sink:
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            into.append(sink.read().decode("utf-8", "replace"))


def invoke(argv: list[str], timeout: float) -> tuple[int | None, str, str, FuzzFailure | None]:
    """Run typeset.cli.main(argv); return exit code, stdout, stderr and a crash, if any."""
    out, err, fd2 = io.StringIO(), io.StringIO(), []
    crash: FuzzFailure | None = None
    code: int | None = None
    try:
        with _capture_fd2(fd2), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                _alarm(timeout):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except _CaseTimeout:
        crash = Hang(f"typeset {' '.join(argv[:1])} ran longer than {timeout:.0f} s")
    except BaseException as exc:  # noqa: BLE001 - anything escaping main is the finding
        lines = traceback.format_exception_only(type(exc), exc)
        tb = traceback.extract_tb(exc.__traceback__)
        where = f"{tb[-1].filename}:{tb[-1].lineno}" if tb else "?"
        crash = Crash(f"{type(exc).__name__} escaped main at {where}: "
                      f"{''.join(lines).strip()[:300]}")
    return code, out.getvalue(), err.getvalue() + "".join(fd2), crash


def _snapshot(folder: Path) -> dict[str, tuple]:
    """Every entry under `folder`: kind, and for files size, mode and a digest."""
    entries: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(folder))
            info = path.lstat()
            if stat.S_ISDIR(info.st_mode):
                entries[rel] = ("dir",)
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.sha1(path.read_bytes()).hexdigest()
                entries[rel] = ("file", info.st_size, digest)
            else:
                entries[rel] = ("other", stat.S_IFMT(info.st_mode))
    return entries


def repo_strays() -> set[str]:
    """Paths in the repository whose name holds STEM: typeset wrote there."""
    strays = set()
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in {".git", ".venv", "node_modules"}]
        strays.update(str(Path(dirpath) / n) for n in dirnames + filenames if STEM in n)
    return strays


_SECRETS = ("secret.txt", "secret.png", "secret.svg")


def _secret_atimes(case_dir: Path) -> dict[str, float]:
    return {n: (case_dir / n).stat().st_atime for n in _SECRETS}


def run(sandbox: Sandbox, case: Case, plan: Plan) -> Outcome:
    """Write the case into a fresh sandbox folder, run the plan, and judge the result."""
    sandbox.cases += 1
    case_dir = sandbox.fresh() if sandbox.dirty else sandbox.case_dir
    source = case_dir / "issue" / plan.input_name
    data = sandbox.materialise(case.xml)
    source.write_bytes(data)
    if plan.baseline is not None:
        source.with_name(source.stem + ".pages.json").write_bytes(plan.baseline)
    if plan.pdf is not None:
        (case_dir / GIVEN_PDF).write_bytes(plan.pdf)
    output, argv = _output_and_argv(case_dir, source, plan)
    if (plan.previous or plan.output == "readonly") and output is not None and (
            plan.output not in ("input", "directory")):
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(PREVIOUS)
        if plan.output == "readonly":
            output.chmod(0o444)
    before = _snapshot(case_dir)
    previous = output.read_bytes() if output is not None and output.is_file() else None
    checks_repo = plan.command != "validate"  # validations: once per session, see Sandbox
    strays = repo_strays() if checks_repo else set()
    hits = len(sandbox.hits)
    for name in _SECRETS:  # after the snapshot, which reads them: any read now moves the atime
        path = case_dir / name
        os.utime(path, (1, path.stat().st_mtime))
    old_cwd = os.getcwd()
    os.chdir(case_dir)
    try:
        code, stdout, stderr, crash = invoke(argv, plan.timeout)
    finally:
        os.chdir(old_cwd)
    touched = [n for n, t in _secret_atimes(case_dir).items() if t != 1]
    outcome = Outcome(code, stdout, stderr, argv, output)
    found = outcome.findings
    if crash is not None:
        found.append(crash)
    _judge_messages(outcome, source, output, case_dir, plan)
    after = _snapshot(case_dir)
    _judge_files(outcome, before, after, case_dir, output, previous, plan)
    sandbox.dirty = plan.command != "validate" or after != before
    if not sandbox.dirty:
        source.unlink()  # the folder is as fresh() made it: the next case reuses it
    if sandbox.hits[hits:]:
        found.append(Fetched(f"HTTP canary requested: {sandbox.hits[hits:][:5]}"))
    if touched:
        found.append(Fetched(f"files outside the issue's folder were read: {touched}"))
    new_strays = repo_strays() - strays if checks_repo else set()
    if new_strays:
        found.append(WroteRepository(f"created in the repository: {sorted(new_strays)[:5]}"))
    if code == 0 and plan.command != "validate":
        _judge_pdf(outcome, case, plan)
    if plan.command == "validate" and crash is None:
        _judge_schema(outcome, data)
    return outcome


def _output_and_argv(case_dir: Path, source: Path, plan: Plan) -> tuple[Path | None, list[str]]:
    rel_source = str(source.relative_to(case_dir))
    if plan.command == "validate":
        return None, ["validate", rel_source]
    if plan.command == "check":
        return None, ["check", rel_source, "--pdf", GIVEN_PDF]
    kind = plan.output
    stem = source.stem
    if kind == "default":
        name = f"{stem}-{plan.doc_id}.pdf" if plan.command == "preview" else f"{stem}.pdf"
        output, flag = case_dir / "out" / name, []
    else:
        output = {
            "relative": case_dir / f"{STEM}.pdf",
            "absolute-new-dir": case_dir / "deep" / "new" / f"{STEM} it's.pdf",
            "colon": case_dir / f"{STEM}:1.pdf",
            "input": source,
            "directory": case_dir / "issue" / "sub",
            "readonly": case_dir / f"{STEM}-ro.pdf",
        }[kind]
        shown = str(output.relative_to(case_dir)) if kind in ("relative", "input") else str(output)
        flag = ["-o", shown]
    if plan.command == "build":
        return output, ["build", rel_source, *flag]
    return output, ["preview", rel_source, *flag, "--", plan.doc_id]


_POSITION = re.compile(r"^(\d+):(\d+): \S")


def _judge_messages(outcome: Outcome, source: Path, output: Path | None, case_dir: Path,
                    plan: Plan) -> None:
    found, text = outcome.findings, outcome.stderr
    if outcome.code not in (0, 1, 2) and not any(isinstance(f, (Crash, Hang)) for f in found):
        found.append(BadExitCode(f"exit code {outcome.code!r}"))
    if "Traceback" in text:
        first = text[text.index("Traceback"):].splitlines()
        found.append(TracebackPrinted(" | ".join(first[-3:])[:300]))
    if "internal error" in text.lower():
        line = next(ln for ln in text.splitlines() if "internal error" in ln.lower())
        found.append(InternalError(line[:300]))
    if outcome.code in (0, None):
        return
    baseline = source.with_name(source.stem + ".pages.json")
    names = {str(source), str(source.relative_to(case_dir)), source.name, str(baseline),
             str(baseline.relative_to(case_dir)), baseline.name}
    if plan.command == "check":  # its report names the issue by its stem: "2021-10: pages …"
        names |= {source.stem, GIVEN_PDF, str(case_dir / GIVEN_PDF)}
    if output is not None:  # the output, or a folder on its way
        for path in (output, *output.parents):
            if path == case_dir or case_dir not in path.parents:
                break
            names |= {str(path), str(path.relative_to(case_dir)), path.name}
    names = sorted(names, key=len, reverse=True)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        found.append(MalformedMessage(f"failed with exit {outcome.code} and said nothing"))
    for line in lines:
        name = next((n for n in names if line.startswith(n + ":")), None)
        rest = line[len(name) + 1:] if name else ""
        plain = rest.startswith(" ") and rest.strip()
        if name is None or not plain and not _POSITION.match(rest):
            found.append(MalformedMessage(f"not 'path:line:col: message' or 'path: message' "
                                          f"naming the file: {line[:200]!r}"))
            break
        position = _POSITION.match(rest)
        if position and int(position[1]) < 1:
            found.append(MalformedMessage(f"an error at line 0: {line[:200]!r}"))
            break


def _judge_files(outcome: Outcome, before: dict, after: dict, case_dir: Path,
                 output: Path | None, previous: bytes | None, plan: Plan) -> None:
    found = outcome.findings
    refused = plan.output in REFUSED_OUTPUTS and plan.command != "validate"
    allowed: set[str] = set()
    if output is not None and not refused:
        rel = output.relative_to(case_dir)
        allowed = {str(rel), *(str(p) for p in rel.parents if str(p) != ".")}
        if outcome.code == 0 and plan.command in ("build", "preview"):
            # the layout checkpoints a build or preview leaves beside its PDF
            # (typeset.resume): .typeset/<issue>-<edition>.resume.json
            cache = rel.parent / ".typeset"
            allowed |= {str(cache), *(key for key in after if key.startswith(
                f"{cache}/") and key.endswith(".resume.json") and "/" not in key[
                    len(str(cache)) + 1:])}
    if outcome.code != 0:
        allowed = {a for a in allowed if after.get(a) == ("dir",) and before.get(a) is None}
        if previous is not None and output is not None:
            now = output.read_bytes() if output.is_file() else None
            if now != previous:
                found.append(PreviousDamaged(
                    f"{output.name}: {len(previous)} bytes before, "
                    f"{'gone' if now is None else f'{len(now)} bytes'} after a failed run"))
    if refused and outcome.code == 0:
        found.append(OutputAccepted(f"-o {plan.output}: {output} was accepted as the output"))
    changed = sorted(k for k in set(before) | set(after)
                     if before.get(k) != after.get(k) and k not in allowed)
    if changed:
        detail = [f"{k}: {before.get(k, ('absent',))[0]} -> {after.get(k, ('absent',))[0]}"
                  for k in changed[:6]]
        found.append(WroteOutside(f"changed besides the output: {detail}"))


def page_bound(case: Case) -> int:
    """Generous: covers, contents, colophon, and pages for the text, cells and blocks."""
    return 8 + 3 * max(len(case.documents), 1) + case.text_chars // 250 + case.cells // 3 + (
        case.blocks // 2)


def _judge_pdf(outcome: Outcome, case: Case, plan: Plan) -> None:
    from pypdf import PdfReader

    found, output = outcome.findings, outcome.output
    if output is None or not output.is_file():
        found.append(NotAPdf(f"exit 0 but no file at {output}"))
        return
    data = output.read_bytes()
    if not data.startswith(b"%PDF"):
        found.append(NotAPdf(f"{output.name} starts with {data[:16]!r}"))
        return
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = reader.pages
        outcome.pages = len(pages)
    except Exception as exc:  # noqa: BLE001
        found.append(NotAPdf(f"pypdf cannot read it: {exc}"))
        return
    sizes = {(round(float(p.mediabox.width), 1), round(float(p.mediabox.height), 1))
             for p in pages}
    if any(abs(w - A4[0]) > 1 or abs(h - A4[1]) > 1 for w, h in sizes):
        found.append(CssEffect(f"page size is not A4: {sorted(sizes)[:4]}"))
    bound = page_bound(case)
    if len(pages) > bound:
        found.append(CssEffect(f"{len(pages)} pages for a tiny issue (bound {bound})"))
    if reader.attachments:
        found.append(EmbeddedResource(f"attachments: {list(reader.attachments)[:4]}"))
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and ("/EmbeddedFiles" in names or "/JavaScript" in names):
        found.append(EmbeddedResource(f"catalog names: {list(names.keys())}"))
    for number, page in enumerate(pages, 1):
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            action = annot.get("/A")
            action = action.get_object() if action is not None else {}
            kind = action.get("/S")
            uri = str(action.get("/URI", ""))
            if kind in ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm") or re.match(
                    r"\s*(javascript|file|data|vbscript):", uri, re.I) or annot.get(
                    "/Subtype") == "/FileAttachment":
                found.append(EmbeddedResource(f"page {number}: link {kind} {uri[:80]!r}"))
                break
    text = "".join(page.extract_text() or "" for page in pages)
    source = case.xml.decode("utf-8", "replace")
    if JINJA_SENTINEL in text and JINJA_SENTINEL not in source:
        found.append(TemplateEffect(f"'{{{{ 31337*3 }}}}' printed as {JINJA_SENTINEL}"))
    if LOOP_SENTINEL in text and LOOP_SENTINEL not in source:
        found.append(TemplateEffect("a {% for %} in the text ran"))
    if SECRET_TEXT in text or "root:x:0:0" in text:
        found.append(EmbeddedResource("a secret file's text is printed in the PDF"))
    _judge_overflow(outcome, data)
    allowed = set(FIGURE_SOURCES_OK) | set(FIGURE_SOURCES_SUBRESOURCE)
    bad = [s for s in case.figures if s not in allowed]
    if bad:
        found.append(FigureAccepted(f"exit 0 with figure sources {bad[:3]!r}"))


@functools.cache
def _relaxng(path: Path, mtime: int) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(path)))


# What validate says about structure and values; the schema must say the same.  Other
# messages (duplicate ids, rows that do not fill the columns, ISSN check digits, blank
# labels, size limits) are rules the schema cannot state.
_SCHEMA_MESSAGE = re.compile(
    r"(unexpected <|expected <[a-z]|expected elements in|unexpected attribute|"
    r"expected attribute|must be one of|does not match the schema|^<[\w-]+>: expected |"
    r"^[\w-]+= on <[\w-]+>: expected )")


def _judge_schema(outcome: Outcome, data: bytes) -> None:
    """An independent reading: lxml's RELAX NG validator with the schema typeset ships."""
    if b"<!DOCTYPE" in data:
        return  # refused before any schema applies
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except (etree.XMLSyntaxError, ValueError):
        return
    path = Path(typeset.schema.__file__).with_name("issue.rng")
    try:
        valid = _relaxng(path, path.stat().st_mtime_ns).validate(tree)
    except etree.LxmlError:
        return  # the schema is being edited; nothing to compare with
    if valid and outcome.code == 2:
        messages = [ln.split(": ", 1)[-1] if re.match(r"^.*?:\d+:\d+: ", ln) else ln
                    for ln in outcome.stderr.splitlines()]
        wrong = [m for m in messages if _SCHEMA_MESSAGE.search(m)]
        if wrong:
            outcome.findings.append(SchemaDisagreement(
                f"the schema accepts the file, validate refuses it: {wrong[0][:200]!r}"))
    elif not valid and outcome.code == 0:
        outcome.findings.append(SchemaDisagreement(
            "validate accepts a file the schema refuses: "
            f"{str(_relaxng(path, path.stat().st_mtime_ns).error_log.last_error)[:200]}"))


PAGE_EDGE = 15.0  # pt; the layout's margins are 18 mm and more, so no printed text comes this close


def _judge_overflow(outcome: Outcome, data: bytes) -> None:
    """Read each character's box with PDFium: none lies in the page's outer 15 pt (text
    off the page), and no two characters print over each other (text that left its column
    or cell runs into its neighbour)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(document)):
            page = document[index]
            width, height = page.get_size()
            text = page.get_textpage()
            boxes = []
            for k in range(text.count_chars()):
                left, bottom, right, top = text.get_charbox(k)
                if right - left <= 0.5 or top - bottom <= 0.5:
                    continue
                if left < PAGE_EDGE or right > width - PAGE_EDGE or bottom < PAGE_EDGE or (
                        top > height - PAGE_EDGE):
                    around = text.get_text_range(max(k - 8, 0), 16)
                    outcome.findings.append(Overflow(
                        f"page {index + 1}: {around!r} at x {left:.0f}–{right:.0f}, "
                        f"y {bottom:.0f}–{top:.0f} on a {width:.0f}×{height:.0f} page"))
                    return
                char = text.get_text_range(k, 1)
                if char.strip() and unicodedata.category(char[0])[0] not in "MZC":
                    boxes.append((left, bottom, right, top, k))
            clash = _overprint(boxes)
            if clash:
                k, j = clash
                outcome.findings.append(Overprint(
                    f"page {index + 1}: {text.get_text_range(max(k - 6, 0), 12)!r} prints over "
                    f"{text.get_text_range(max(j - 6, 0), 12)!r}"))
                return
    finally:
        document.close()


def _overprint(boxes: list[tuple]) -> tuple[int, int] | None:
    """Two characters, not neighbours in the text (ligatures), whose boxes share more than
    half of the smaller one."""
    boxes.sort()
    for a, (left, bottom, right, top, k) in enumerate(boxes):
        for left2, bottom2, right2, top2, k2 in boxes[a + 1:]:
            if left2 >= right:
                break
            w = min(right, right2) - max(left, left2)
            h = min(top, top2) - max(bottom, bottom2)
            smaller = min((right - left) * (top - bottom), (right2 - left2) * (top2 - bottom2))
            if w > 0 and h > 0 and w * h > smaller / 2 and abs(k - k2) > 2:
                return k, k2
    return None
