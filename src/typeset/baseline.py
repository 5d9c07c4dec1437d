"""Turn an issue's located pages into its committed baseline, and compare the two.

In: an `Issue`, `PdfFacts` and `IssuePages` of its PDF.  Out: a `Baseline` (layout,
page count, each document's first and last page), stored beside the issue as
`issues/<stem>.pages.json`, and the readable differences between a baseline and a
fresh build: `2021-10: pages 30 → 31; 《…实施意见》 starts 14 → 15`.

A baseline changes only when someone asks (`typeset check --update`): a page that
moves, or a layout other than the one the baseline was measured with, is a failing
check until then.  The file is read as untrusted input: anything but what `to_json`
writes is a `BaselineError` saying where, what was expected and what was found.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import TypesetError

if TYPE_CHECKING:  # check imports pypdf (0.2 s): previews never need it
    from .check import IssuePages, PdfFacts
    from .model import Issue

MAX_BYTES = 10_000_000  # a baseline holds a few lines per document: 1 kB a document
_KEYS = {
    "layout": "the name of the layout it was measured with",
    "pages": "the page count, a whole number ≥ 1",
    "documents": "an object of document ids",
}
_LABEL = 'a page label (a string such as "3")'


class BaselineError(TypesetError):
    """A page baseline that cannot be used: one line per problem (exit code 1).

    The baseline is typeset's own record, written by `typeset check --update`; a
    damaged one fails the check like a page that moved, it is not bad issue input.
    """

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class DocPages:
    title: str
    start: str
    end: str


@dataclass(frozen=True)
class Baseline:
    """Where the pages of one issue fall, in printed page numbers, and with which layout."""

    pages: int
    documents: dict[str, DocPages]
    layout: str = "gazette"

    @classmethod
    def measure(cls, issue: Issue, facts: PdfFacts, located: IssuePages,
                layout: str) -> Baseline:
        """The baseline of `issue` as `facts` and `located` find it, built with `layout`."""
        docs = {
            d.id: DocPages(d.title_text, located.starts.get(d.id, "?"), located.ends.get(d.id, "?"))
            for d in issue.documents
        }
        return cls(facts.pages, docs, layout)

    def to_json(self) -> str:
        """The baseline as the JSON committed beside the issue."""
        data = {
            "layout": self.layout,
            "pages": self.pages,
            "documents": {
                doc_id: {"title": d.title, "start": d.start, "end": d.end}
                for doc_id, d in self.documents.items()
            },
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, source: str = "baseline") -> Baseline:
        """Read a baseline from JSON `text`.

        Anything but what `to_json` writes raises `BaselineError`, one line per
        problem: `issues/x.pages.json: pages: expected the page count, a whole number
        ≥ 1, found "30"`.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BaselineError([f"{source}:{exc.lineno}:{exc.colno}: expected a JSON page "
                                 f"baseline, found invalid JSON ({exc.msg})"]) from None
        except (ValueError, RecursionError) as exc:  # a 5000-digit number, deep nesting
            reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc)
            raise BaselineError([f"{source}: expected a JSON page baseline, found invalid "
                                 f"JSON ({reason})"]) from None
        if not isinstance(data, dict):
            raise BaselineError([f'{source}: expected an object with "layout", "pages" and '
                                 f'"documents", found {_describe(data)}'])
        problems: list[str] = []

        def expect(where: str, what: str, value) -> None:
            problems.append(f"{source}: {where}: expected {what}, found {_describe(value)}")

        for key in data:
            if key not in _KEYS:
                problems.append(f'{source}: expected only "layout", "pages" and "documents", '
                                f"found {_describe(key)}")
        for key, what in _KEYS.items():
            if key not in data:
                problems.append(f'{source}: expected "{key}" ({what}), found none')
        layout, pages, documents = data.get("layout"), data.get("pages"), data.get("documents")
        if "layout" in data and not (isinstance(layout, str) and layout.strip()):
            expect("layout", _KEYS["layout"], layout)
        if "pages" in data and (type(pages) is not int or pages < 1):
            expect("pages", _KEYS["pages"], pages)
        if "documents" in data and not isinstance(documents, dict):
            expect("documents", _KEYS["documents"], documents)
        docs: dict[str, DocPages] = {}
        for doc_id, entry in documents.items() if isinstance(documents, dict) else ():
            where = f"documents/{doc_id}"
            if not isinstance(entry, dict) or sorted(entry) != ["end", "start", "title"]:
                expect(where, 'an object with "title", "start" and "end"', entry)
                continue
            for key in ("title", "start", "end"):
                if not isinstance(entry[key], str):
                    expect(f"{where}/{key}", "the document's title" if key == "title"
                           else _LABEL, entry[key])
            docs[doc_id] = DocPages(str(entry["title"]), str(entry["start"]), str(entry["end"]))
        if problems:
            raise BaselineError(problems)
        return cls(pages, docs, layout)


def baseline_path(issue_path: Path) -> Path:
    """issues/2021-10.xml → issues/2021-10.pages.json"""
    return issue_path.with_name(issue_path.stem + ".pages.json")


def load(issue_path: Path) -> Baseline | None:
    """The baseline of the issue at `issue_path`, or None when it has none yet.

    One that cannot be read, or is not what `to_json` writes (not UTF-8, not JSON,
    another shape, other types, more than `MAX_BYTES`), raises `BaselineError`.
    """
    path = baseline_path(Path(issue_path))
    if not path.exists():
        return None
    source = _label(path)
    if not path.is_file():
        found = "a directory" if path.is_dir() else "a device, pipe or socket"
        raise BaselineError([f"{source}: expected a page baseline file, found {found}"])
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BaselineError([f"{source}: expected a page baseline of at most "
                                 f"{MAX_BYTES // 1_000_000} MB, found {size / 1e6:.1f} MB"])
        data = path.read_bytes()
    except OSError as exc:
        raise BaselineError([f"{source}: cannot read the page baseline: {exc.strerror}"]) \
            from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BaselineError([f"{source}: expected UTF-8 text, found the byte "
                             f"0x{data[exc.start]:02x} at offset {exc.start}"]) from None
    return Baseline.from_json(text, source)


def differences(old: Baseline, new: Baseline) -> list[str]:
    """What moved from `old` to `new`, one phrase per change, in print order.

    A layout other than the baseline's comes first: its pages are not comparable.
    """
    out: list[str] = []
    if old.layout != new.layout:
        out.append(f"layout {old.layout} → {new.layout}")
    if old.pages != new.pages:
        out.append(f"pages {old.pages} → {new.pages}")
    for doc_id, d in new.documents.items():
        before = old.documents.get(doc_id)
        name = f"《{_short(d.title)}》"
        if before is None:
            out.append(f"{name} is new (pages {d.start}–{d.end})")
            continue
        if before.start != d.start:
            out.append(f"{name} starts {before.start} → {d.start}")
        if before.end != d.end:
            out.append(f"{name} ends {before.end} → {d.end}")
    for doc_id, d in old.documents.items():
        if doc_id not in new.documents:
            out.append(f"《{_short(d.title)}》 is gone (was pages {d.start}–{d.end})")
    return out


def _short(title: str, limit: int = 24) -> str:
    return title if len(title) <= limit else "…" + title[-(limit - 1):]


def _label(path: Path) -> str:
    """`path` relative to the working folder when it is inside it, as messages name it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _describe(value) -> str:
    """A JSON value as a message shows it: strings and numbers short, the rest by kind."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, str | int | float):
        shown = json.dumps(value, ensure_ascii=False)
        return shown if len(shown) <= 40 else shown[:39] + "…"
    return "a list" if isinstance(value, list) else "an object"
