"""Turn an issue's located pages into its committed baseline, and compare the two.

In: an `Issue`, `PdfFacts` and `IssuePages` of its PDF.  Out: a `Baseline` (page count,
each document's first and last page), stored beside the issue as
`issues/<stem>.pages.json`, and the readable differences between a baseline and a
fresh build: `2021-10: pages 30 → 31; 《…实施意见》 starts 14 → 15`.

A baseline changes only when someone asks (`typeset check --update`): a page that
moves is a failing check until then.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # check imports pypdf (0.2 s): previews never need it
    from .check import IssuePages, PdfFacts
    from .model import Issue


@dataclass(frozen=True)
class DocPages:
    title: str
    start: str
    end: str


@dataclass(frozen=True)
class Baseline:
    """Where the pages of one issue fall, in printed page numbers."""

    pages: int
    documents: dict[str, DocPages]
    layout: str = "gazette"

    @classmethod
    def measure(cls, issue: Issue, facts: PdfFacts, located: IssuePages,
                layout: str) -> Baseline:
        docs = {
            d.id: DocPages(d.title_text, located.starts.get(d.id, "?"), located.ends.get(d.id, "?"))
            for d in issue.documents
        }
        return cls(facts.pages, docs, layout)

    def to_json(self) -> str:
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
    def from_json(cls, text: str) -> Baseline:
        data = json.loads(text)
        docs = {k: DocPages(v["title"], str(v["start"]), str(v["end"]))
                for k, v in data["documents"].items()}
        return cls(int(data["pages"]), docs, data.get("layout", "gazette"))


def baseline_path(issue_path: Path) -> Path:
    """issues/2021-10.xml → issues/2021-10.pages.json"""
    return issue_path.with_name(issue_path.stem + ".pages.json")


def load(issue_path: Path) -> Baseline | None:
    path = baseline_path(issue_path)
    if not path.is_file():
        return None
    return Baseline.from_json(path.read_text(encoding="utf-8"))


def differences(old: Baseline, new: Baseline) -> list[str]:
    """What moved from `old` to `new`, one phrase per change, in print order."""
    out: list[str] = []
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
