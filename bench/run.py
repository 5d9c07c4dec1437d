"""Benchmark typeset on the sample issue: medians of whole commands, and their ratios.

Runs each command as a user would (a fresh `python -m typeset` process, so imports
count), several times, and prints the median wall time of each, then the ratios the
project holds itself to:

- the full build against stock WeasyPrint rendering the same composed HTML, the two
  run in turn (target: at most 0.7× the stock time); and, in the same turns, the
  build answered by a `typeset serve` running beside (which built the issue before);
- preview of one document, in a new process after the build (into the same folder):
  printed as a ratio of the full build.  A preview prints the build's very pages
  (tests/test_preview.py); it starts from the checkpoint the build left beside its PDF
  (`typeset.resume`) at the page its document starts on, so it costs that document's
  pages, not the issue before it (target: a one-page document in 0.5 s);
- a one-page preview (`--page-doc`) in a new process, and through a just-started
  `typeset serve` (the first command it gets, then the same again): target 0.5 s;
- check of an existing PDF under 0.5 s;
- a warm `--watch` re-render after a one-paragraph edit (measured in-process: the
  time from saving the issue file to the new PDF; target 0.3 s), laid out from the
  edited document's first page to the page it ends on; for every document of the
  issue, the largest included.

With `--huge`, it measures instead one issue holding a single paragraph of each size
in `--sizes` (KB of UTF-8 Chinese text with its punctuation, the sample issue's own
paragraphs repeated), laid out and written to PDF by WeasyPrint with typeset's Chinese
extension (and its typography check) and without it, each in a fresh process; it prints
the median CPU seconds of each (other work on a shared machine disturbs them less than
wall time), their ratio, and the growth exponent of each from one size to the next
(1 is linear, 2 quadratic). The extension's time must grow no faster than WeasyPrint's.

Usage: python bench/run.py [--runs N] [--issue FILE] [--doc ID]
       python bench/run.py --huge [--sizes 62,125,250] [--runs N]
       python bench/run.py --scale 1,4,16
Figures on a shared 2-core machine are noisy: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(argv: list[str], runs: int) -> list[float]:
    """Wall times of `python -m typeset ARGV`, `runs` times (after one warm-up run)."""
    return interleaved({"": [sys.executable, "-m", "typeset", *argv]}, runs)[""]


def interleaved(commands: dict[str, list[str] | tuple[list[str], dict]],
                runs: int) -> dict[str, list[float]]:
    """Wall times of each command (an argv, or an argv and its environment), run in
    turn `runs` times (after one warm-up run of each), so that a busy spell of the
    shared machine hits all of them alike."""
    commands = {name: (c, None) if isinstance(c, list) else c for name, c in commands.items()}
    for command, env in commands.values():
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (command, env) in commands.items():
            started = time.perf_counter()
            subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - started)
    return times


#: Stock WeasyPrint, in a fresh process, on HTML that typeset composed: no Chinese
#: extension, no glyph or typography check, WeasyPrint's own URL fetcher.
STOCK = ("import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1], "
         "base_url=sys.argv[2]).write_pdf(sys.argv[3])")


def composed_html(issue: Path, folder: Path) -> Path:
    """The issue's HTML as `typeset build` composes it (fonts by file: URL), saved."""
    sys.path.insert(0, str(ROOT / "src"))
    from typeset.compose import compose
    from typeset.layout import load_layout
    from typeset.parse import parse_issue

    path = folder / "issue.html"
    path.write_text(compose(parse_issue(issue), load_layout("gazette")), encoding="utf-8")
    return path


@contextlib.contextmanager
def serving():
    """A `typeset serve` started in a folder of its own, ready; yields the environment
    whose `typeset` commands it takes (and checks, at the end, that it took some)."""
    with tempfile.TemporaryDirectory(prefix="ts-") as folder:
        env = {**os.environ, "TYPESET_SERVER_DIR": folder}
        env.pop("TYPESET_SERVER", None)
        log = Path(folder) / "log"
        with log.open("wb") as out:
            server = subprocess.Popen([sys.executable, "-m", "typeset", "serve"], cwd=ROOT,
                                      env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while b"ready on" not in log.read_bytes():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(log.read_text(encoding="utf-8"))
                time.sleep(0.05)
            yield env
            if " (in " not in log.read_text(encoding="utf-8"):
                raise RuntimeError("the server took no command")
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(30)


def served_previews(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall times of `python -m typeset ARGV` (a preview) answered by `typeset serve`:
    the first command a just-started server gets (a new server each run: it has
    rendered only its own warm-up issue) and the same command again in it."""
    first, again = [], []
    for _ in range(runs):
        with serving() as env:
            for times in (first, again):
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "typeset", *argv], cwd=ROOT, env=env,
                               check=True, capture_output=True)
                times.append(time.perf_counter() - started)
    return first, again


def watch_rerender(issue: Path, doc: str, runs: int) -> list[float]:
    """Seconds from saving a one-paragraph edit of document `doc` (one character added
    to its first paragraph) to the re-rendered preview, in a warm `--watch` process."""
    sys.path.insert(0, str(ROOT / "src"))
    from typeset.build import Options, watch

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / issue.name
        text = issue.read_text(encoding="utf-8")
        copy.write_text(text, encoding="utf-8")
        baseline = issue.with_name(issue.stem + ".pages.json")
        if baseline.exists():
            copy.with_name(baseline.name).write_bytes(baseline.read_bytes())
        paragraph = text.index("<p>", text.index(f'id="{doc}"')) + len("<p>")
        output = Path(folder) / "preview.pdf"
        done = threading.Event()
        rendered: list[float] = []

        def log(message: str) -> None:
            if message.startswith(str(output)):
                rendered.append(time.perf_counter())
                done.set()

        thread = threading.Thread(
            target=watch, args=(copy, doc, Options(output=output)),
            kwargs={"log": log, "rounds": runs, "interval": 0.02}, daemon=True)
        thread.start()
        done.wait(60)
        times = []
        for _ in range(runs):
            done.clear()
            time.sleep(0.2)
            text = text[:paragraph] + "一" + text[paragraph:]
            saved = time.perf_counter()
            copy.write_text(text, encoding="utf-8")
            done.wait(60)
            times.append(rendered[-1] - saved)
        thread.join(60)
    return times


def watch_every_document(issue: Path, runs: int) -> dict[str, list[float]]:
    """:func:`watch_rerender` for each document of `issue`, in document order."""
    sys.path.insert(0, str(ROOT / "src"))
    from typeset.parse import parse_issue

    return {document.id: watch_rerender(issue, document.id, runs)
            for document in parse_issue(issue).documents}


def huge_paragraph(kilobytes: int) -> str:
    """A paragraph of `kilobytes` × 1000 bytes of UTF-8: real gazette text.

    The sample issue's paragraphs (their text as printed, runs of white space with a
    line break dropped as the parser drops them), one after the other, repeated: Han
    characters with their punctuation, numbers and a little Latin.
    """
    from lxml import etree

    sample = etree.parse(str(ROOT / "issues" / "2021-10.xml"))
    paragraphs = [
        text for element in sample.iter("p")
        if len(text := re.sub(r"\s*\n\s*", "", "".join(element.itertext()))) > 20]
    parts, size = [], 0
    while size < kilobytes * 1000:
        text = paragraphs[len(parts) % len(paragraphs)]
        parts.append(text)
        size += len(text.encode())
    return "".join(parts).encode()[:kilobytes * 1000].decode(errors="ignore")


def huge_html(kilobytes: int, folder: Path):
    """HTML of an issue whose one document is a single paragraph of `kilobytes` KB.

    The issue is the minimal fixture with one marker paragraph, composed by typeset;
    the marker is then replaced by the paragraph, escaped as the templates escape
    text. (The parser refuses paragraphs of more than 100,000 characters, about
    300 KB; the layout engine is measured here, at any size.)
    Returns the HTML and the loaded layout.
    """
    from lxml import etree
    from markupsafe import escape

    from typeset.compose import compose
    from typeset.layout import load_layout
    from typeset.parse import parse_issue

    marker = "测试段落标记"
    tree = etree.parse(str(ROOT / "tests" / "fixtures" / "minimal.xml"))
    body = tree.find(".//body")
    for child in list(body):
        body.remove(child)
    etree.SubElement(body, "p").text = marker
    issue = folder / "huge.xml"
    tree.write(str(issue), encoding="UTF-8", xml_declaration=True)
    layout = load_layout("gazette")
    html = compose(parse_issue(issue), layout)
    assert html.count(marker) == 1, "the marker paragraph is not in the HTML once"
    return html.replace(marker, str(escape(huge_paragraph(kilobytes)))), layout


def huge_once(kilobytes: int, extension: bool) -> dict[str, float]:
    """Lay out and write the one-paragraph issue in this process; CPU seconds per step.

    With `extension`, as `typeset build` does it (typeset.cjk enabled, then the
    typography check); without, the same HTML through WeasyPrint alone.
    """
    sys.path.insert(0, str(ROOT / "src"))
    sys.setrecursionlimit(10_000)
    from typeset import cjk, pdf
    from typeset.typocheck import check_document

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        html, layout = huge_html(kilobytes, folder)
        if extension:
            cjk.enable(han_latin_space=layout.settings["typography"]["han_latin_space"])
        else:
            cjk.disable()
        fonts = {face.parent for face in layout.faces.values()}
        times = {}
        clock = time.process_time
        started = clock()
        document, _ = pdf.render(html, base_url=folder, roots=(*layout.folders, *fonts))
        times["render"] = clock() - started
        started = clock()
        if extension:
            check_document(document)
        times["check"] = clock() - started
        started = clock()
        pdf.pdf_bytes(document)
        times["write"] = clock() - started
    times["total"] = sum(times.values())
    times["pages"] = len(document.pages)
    return times


def scaled_issue(factor: int, folder: Path) -> Path:
    """The sample issue with its sections repeated `factor` times (ids made unique)."""
    from copy import deepcopy

    from lxml import etree

    tree = etree.parse(str(ROOT / "issues" / "2021-10.xml"))
    sections = tree.getroot().findall("section")
    last = sections[-1]
    for n in range(2, factor + 1):
        for section in sections:
            copy = deepcopy(section)
            for element in copy.iter():
                if element.get("id"):
                    element.set("id", f"{element.get('id')}-{n}")
            last.addnext(copy)
            last = copy
    path = folder / f"scaled-{factor}.xml"
    tree.write(str(path), encoding="UTF-8", xml_declaration=True)
    return path


def scale(factors: list[int]) -> int:
    """Print wall time, pages and peak memory of `typeset build` of the sample issue
    with its content repeated each of `factors` times, each in a fresh process."""
    print("typeset benchmark: the sample issue's content repeated N times, one build each")
    print(f"{'N':>4}{'pages':>7}{'wall s':>9}{'s/page':>8}{'peak MiB':>10}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for factor in factors:
            issue = scaled_issue(factor, folder)
            pdf = folder / f"scaled-{factor}.pdf"
            started = time.perf_counter()
            log = folder / f"scaled-{factor}.log"
            with open(log, "wb") as sink:
                process = subprocess.Popen(
                    [sys.executable, "-m", "typeset", "build", str(issue), "-o", str(pdf)],
                    cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
                _, _, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - started
            output = log.read_text(encoding="utf-8", errors="replace")
            found = re.search(r"(\d+) pages", output)
            if not found:
                print(output, file=sys.stderr)
                return 1
            pages = int(found.group(1))
            peak = usage.ru_maxrss / 1024  # KiB on Linux
            print(f"{factor:>4}{pages:>7}{wall:>9.1f}{wall / pages:>8.3f}{peak:>10.0f}")
    return 0


def huge(sizes: list[int], runs: int) -> int:
    """Print the single-paragraph figures: seconds, ratio, growth exponents."""
    modes = {"weasyprint": False, "typeset": True}
    results: dict[tuple[int, str], list[dict]] = {}
    for size in sizes:
        for _ in range(runs):  # alternate, so a busy spell hits both
            for mode in modes:
                output = subprocess.run(
                    [sys.executable, __file__, "--huge-once", str(size), mode],
                    cwd=ROOT, check=True, capture_output=True, text=True).stdout
                results.setdefault((size, mode), []).append(json.loads(output))

    def median(size, mode, key="total"):
        return statistics.median(run[key] for run in results[size, mode])

    print(f"typeset benchmark: one paragraph of N KB, median of {runs} runs, "
          "CPU seconds to lay out and write the PDF")
    print(f"{'KB':>5}{'pages':>6}{'WeasyPrint':>12}{'typeset':>9}{'ratio':>7}"
          f"{'render':>9}{'check':>7}{'write':>7}")
    for size in sizes:
        stock, ours = median(size, "weasyprint"), median(size, "typeset")
        print(f"{size:>5}{results[size, 'typeset'][0]['pages']:>6}{stock:>12.2f}{ours:>9.2f}"
              f"{ours / stock:>7.2f}{median(size, 'typeset', 'render'):>9.2f}"
              f"{median(size, 'typeset', 'check'):>7.2f}{median(size, 'typeset', 'write'):>7.2f}")
    print()
    print("growth exponent k (time ∝ size^k) from one size to the next")
    for small, large in zip(sizes, sizes[1:], strict=False):
        exponents = [
            math.log(median(large, mode) / median(small, mode)) / math.log(large / small)
            for mode in modes]
        print(f"{small:>5} → {large:<5} WeasyPrint {exponents[0]:.2f}   typeset {exponents[1]:.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--issue", default="issues/2021-10.xml")
    parser.add_argument("--doc", default="nzbh-2021-22", help="document to preview")
    parser.add_argument("--page-doc", default="jjzb-2021-04",
                        help="a one-page document, to preview cold and through `typeset serve`")
    parser.add_argument("--huge", action="store_true",
                        help="time one paragraph of each size instead, with and without "
                             "the Chinese extension")
    parser.add_argument("--sizes", default="62,125,250",
                        help="paragraph sizes for --huge, KB of UTF-8 (default 62,125,250)")
    parser.add_argument("--scale", metavar="N,N…",
                        help="build the sample with its content repeated N times instead "
                             "(e.g. 1,4,16): wall time, pages, peak memory")
    parser.add_argument("--huge-once", nargs=2, metavar=("KB", "MODE"),
                        help=argparse.SUPPRESS)  # one measurement, in its own process
    args = parser.parse_args()
    if args.huge_once:
        size, mode = args.huge_once
        print(json.dumps(huge_once(int(size), mode == "typeset")))
        return 0
    if args.scale:
        return scale([int(factor) for factor in args.scale.split(",")])
    if args.huge:
        return huge([int(size) for size in args.sizes.split(",")], args.runs)
    issue = ROOT / args.issue
    # every figure but the served ones is a command in a new process, even where a
    # developer's `typeset serve` runs
    os.environ["TYPESET_SERVER"] = "0"
    with tempfile.TemporaryDirectory() as folder:
        pdf = str(Path(folder) / "issue.pdf")
        preview_pdf = str(Path(folder) / "preview.pdf")
        html = composed_html(issue, Path(folder))
        build_argv = [sys.executable, "-m", "typeset", "build", args.issue, "-o", pdf]
        with serving() as served:
            pair = interleaved({
                "build": build_argv,
                "stock WeasyPrint": [sys.executable, "-c", STOCK, str(html),
                                     str(issue.parent) + os.sep,
                                     str(Path(folder) / "stock.pdf")],
                "build, served": (build_argv, served),
            }, args.runs)
        rows = {
            "validate": timed(["validate", args.issue], args.runs),
            "build": pair["build"],
            "stock WeasyPrint": pair["stock WeasyPrint"],
            "build, served": pair["build, served"],
            "preview": timed(["preview", args.issue, args.doc, "-o", preview_pdf], args.runs),
            "check --pdf": timed(["check", args.issue, "--pdf", pdf], args.runs),
        }
        page = ["preview", args.issue, args.page_doc, "-o", str(Path(folder) / "page.pdf")]
        rows["1-page preview"] = timed(page, args.runs)
        rows["  served, first"], rows["  served, again"] = served_previews(page, args.runs)
    every = watch_every_document(issue, args.runs)
    rows["watch re-render"] = every[args.doc]
    medians = {name: statistics.median(times) for name, times in rows.items()}
    print(f"typeset benchmark: {args.issue}, preview of {args.doc}, median of {args.runs} runs")
    print(f"{'command':<18}{'median s':>10}{'min s':>9}{'max s':>9}")
    for name, times in rows.items():
        print(f"{name:<18}{medians[name]:>10.3f}{min(times):>9.3f}{max(times):>9.3f}")
    build = medians["build"]
    print()
    print(f"build / stock          {build / medians['stock WeasyPrint']:6.2f}×  (same HTML, "
          "interleaved; target ≤ 0.7×)")
    print(f"served build / stock   {medians['build, served'] / medians['stock WeasyPrint']:6.2f}×  "
          "(`typeset serve` running, which built the issue before; same run)")
    print(f"preview / build        {medians['preview'] / build:6.1%}   (exact pages: from the "
          "build's checkpoint at the document's first page)")
    print(f"check --pdf            {medians['check --pdf']:6.3f} s (target < 0.5 s)")
    print(f"1-page preview         {medians['1-page preview']:6.3f} s in a new process; "
          f"{medians['  served, first']:.3f} s through `typeset serve` (its first command), "
          f"{medians['  served, again']:.3f} s again (target 0.5 s; {args.page_doc})")
    print(f"watch re-render        {medians['watch re-render']:6.3f} s (target 0.3 s)")
    print(f"validate / build       {medians['validate'] / build:6.1%}")
    print()
    print("watch re-render after a one-paragraph edit, per document (target 0.3 s each):")
    print(f"{'document':<18}{'median s':>10}{'min s':>9}")
    for doc, times in every.items():
        print(f"{doc:<18}{statistics.median(times):>10.3f}{min(times):>9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
