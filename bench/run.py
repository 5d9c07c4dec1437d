"""Benchmark typeset on the sample issue: medians of whole commands, and their ratios.

Runs each command as a user would (a fresh `python -m typeset` process, so imports
count), several times, and prints the median wall time of each, then the ratios the
project holds itself to:

- preview of one document at most 25% of the full build;
- check of an existing PDF under 0.5 s;
- a warm `--watch` re-render well under a second (measured in-process: the time from
  touching the issue file to the new PDF).

Usage: python bench/run.py [--runs N] [--issue FILE] [--doc ID]
Figures on a shared 2-core machine are noisy: compare ratios within one run.
"""

from __future__ import annotations

import argparse
import os
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
    command = [sys.executable, "-m", "typeset", *argv]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def watch_rerender(issue: Path, doc: str, runs: int) -> list[float]:
    """Seconds from saving the issue to the re-rendered preview, in a warm process."""
    sys.path.insert(0, str(ROOT / "src"))
    from typeset.build import Options, watch

    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / issue.name
        copy.write_bytes(issue.read_bytes())
        baseline = issue.with_name(issue.stem + ".pages.json")
        if baseline.exists():
            copy.with_name(baseline.name).write_bytes(baseline.read_bytes())
        output = Path(folder) / "preview.pdf"
        done = threading.Event()
        rendered: list[float] = []

        def log(message: str) -> None:
            if message.startswith(str(output)):
                rendered.append(time.perf_counter())
                done.set()

        thread = threading.Thread(
            target=watch, args=(copy, doc, Options(output=output)),
            kwargs={"log": log, "rounds": runs, "interval": 0.05}, daemon=True)
        thread.start()
        done.wait(60)
        times = []
        for _ in range(runs):
            done.clear()
            time.sleep(0.2)
            saved = time.perf_counter()
            os.utime(copy)
            done.wait(60)
            times.append(rendered[-1] - saved)
        thread.join(60)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--issue", default="issues/2021-10.xml")
    parser.add_argument("--doc", default="nzbh-2021-22", help="document to preview")
    args = parser.parse_args()
    issue = ROOT / args.issue
    with tempfile.TemporaryDirectory() as folder:
        pdf = str(Path(folder) / "issue.pdf")
        preview_pdf = str(Path(folder) / "preview.pdf")
        rows = {
            "validate": timed(["validate", args.issue], args.runs),
            "build": timed(["build", args.issue, "-o", pdf], args.runs),
            "preview": timed(["preview", args.issue, args.doc, "-o", preview_pdf], args.runs),
            "check --pdf": timed(["check", args.issue, "--pdf", pdf], args.runs),
        }
    rows["watch re-render"] = watch_rerender(issue, args.doc, args.runs)
    medians = {name: statistics.median(times) for name, times in rows.items()}
    print(f"typeset benchmark: {args.issue}, preview of {args.doc}, median of {args.runs} runs")
    print(f"{'command':<18}{'median s':>10}{'min s':>9}{'max s':>9}")
    for name, times in rows.items():
        print(f"{name:<18}{medians[name]:>10.3f}{min(times):>9.3f}{max(times):>9.3f}")
    build = medians["build"]
    print()
    print(f"preview / build        {medians['preview'] / build:6.1%}   (target ≤ 25%)")
    print(f"check --pdf            {medians['check --pdf']:6.3f} s (target < 0.5 s)")
    print(f"watch re-render        {medians['watch re-render']:6.3f} s (target well under 1 s)")
    print(f"validate / build       {medians['validate'] / build:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
