#!/usr/bin/env python3
"""Recognition figures of `typeset import` on the DOCX fixtures, per element kind.

In: the sample issues.  Out: a Markdown table on stdout: for each element kind (title,
文号, h1, run-in headings, tables, merged cells, articles, signatures …), how many the
sample documents hold and how many of them the import of their DOCX fixture
(tools/make_docx.py) gives back exactly: same kind, same text, same attributes, same
children.  An element counts as recognised when an identical one is in the imported
document (a multiset match, so one miss does not shift the others).  The structural
diff used by tests/test_import.py is here too.

    .venv/bin/python tools/import_figures.py [ISSUE.xml …]
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
ISSUES = [ROOT / "issues" / "2021-10.xml", ROOT / "issues" / "guowuyuan-2018-36.xml"]

#: Column widths are relative: Word stores twips, the sample small numbers (3 10 9 10);
#: two sets of widths are the same when their proportions agree to this much.
WIDTH_TOLERANCE = 0.005


def _text(value: str | None) -> str:
    """XML text as the issue format reads it: a line break with its indentation is
    layout, not text (docs/format.md); everything else counts, every character."""
    return re.sub(r"[ \t\r]*\n[ \t\r\n]*", "", value or "")


def canon(el: etree._Element, path: str = "", out: dict | None = None) -> dict:
    """{path: value} for an element's tag, attributes, text and tails, recursively;
    column widths as proportions."""
    out = {} if out is None else out
    path = path or el.tag
    out[path] = ("tag", el.tag)
    for key, value in sorted(el.attrib.items()):
        if not (el.tag == "col" and key == "width"):
            out[f"{path}/@{key}"] = value
    if el.tag == "cols":
        widths = [float(c.get("width")) for c in el]
        out[f"{path}/@widths"] = tuple(w / sum(widths) for w in widths)
    if _text(el.text):
        out[f"{path}/#text"] = _text(el.text)
    counts: Counter = Counter()
    for child in el:
        if not isinstance(child.tag, str):
            continue
        counts[child.tag] += 1
        child_path = f"{path}/{child.tag}[{counts[child.tag]}]"
        canon(child, child_path, out)
        if _text(child.tail):
            out[f"{child_path}/#tail"] = _text(child.tail)
    return out


def _same(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple) and a and isinstance(a[0], float):
        return len(a) == len(b) and all(abs(x - y) <= WIDTH_TOLERANCE
                                        for x, y in zip(a, b, strict=True))
    return a == b


def structural_diff(expected: etree._Element, found: etree._Element) -> list[str]:
    """Every place where `found` differs from `expected`: "path: expected ≠ found"."""
    a, b = canon(expected), canon(found)
    order = {key: n for n, key in enumerate([*a, *(k for k in b if k not in a)])}
    out = []
    for key in sorted(set(a) | set(b), key=order.__getitem__):
        if not _same(a.get(key), b.get(key)):
            out.append(f"{key}: {_shown(a.get(key))} ≠ {_shown(b.get(key))}")
    return out


def _shown(value) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple) and value and value[0] == "tag":
        return f"<{value[1]}>"
    if isinstance(value, tuple):
        return "(" + " ".join(f"{v:.3f}" for v in value) + ")"
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _kind(el: etree._Element) -> str | None:
    """The element kind a figure is counted under; None for elements not counted."""
    parent = el.getparent()
    up = parent.tag if parent is not None else ""
    tag = el.tag
    if tag == "title":
        return {"document": "title", "appendix": "appendix title"}.get(up)
    if tag == "p":
        runin = el.find("runin")
        return f"run-in heading {runin.get('level')}" if runin is not None else "paragraph"
    if tag == "note":
        return "table note" if up == "table" else "note"
    if tag == "date":
        return "signature date" if up == "signature" else "decree date"
    if tag == "cell":
        return "merged cell" if el.get("colspan") or el.get("rowspan") else None
    if tag == "group":
        return "table group row" if up == "tbody" else "member group"
    return {"doc-number": "文号 (doc-number)", "decree": "令 head (decree)",
            "title-note": "题注 (title-note)", "date-line": "date line",
            "addressee": "主送 (addressee)", "h1": "h1", "h2": "h2", "h3": "h3", "h4": "h4",
            "table": "table", "caption": "table caption", "unit": "table unit",
            "cols": "column widths and alignment", "thead": "table header rows",
            "members": "member list", "member": "member", "chapter": "章 chapter",
            "division": "节 division", "article": "条 article", "clause": "款 clause",
            "item": "项 item", "attachments": "附件 note (attachments)",
            "signature": "signature", "issuer": "issuer", "signatory": "signatory",
            "appendix": "appended part", "list": "list", "figure": "figure"}.get(tag)


def _key(el: etree._Element) -> tuple[str, list]:
    """What an element must match exactly, and its column widths (matched within
    `WIDTH_TOLERANCE`)."""
    values = canon(el, el.tag)
    widths = [v for k, v in values.items() if k.endswith("/@widths")]
    exact = sorted((k, v) for k, v in values.items() if not k.endswith("/@widths"))
    return repr(exact), widths


def tally(expected: etree._Element, found: etree._Element) -> dict[str, tuple[int, int]]:
    """{kind: (recognised, total)} for the elements of `expected` found in `found`."""
    def elements(root):
        out: dict[tuple[str, str], list[list]] = {}
        for el in root.iter():
            if isinstance(el.tag, str) and (kind := _kind(el)):
                key, widths = _key(el)
                out.setdefault((kind, key), []).append(widths)
        return out
    want, got = elements(expected), elements(found)
    out: dict[str, list[int]] = {}
    for (kind, key), wanted in want.items():
        entry = out.setdefault(kind, [0, 0])
        available = list(got.get((kind, key), []))
        for widths in wanted:
            match = next((n for n, other in enumerate(available)
                          if len(other) == len(widths)
                          and all(_same(a, b) for a, b in zip(widths, other, strict=True))), None)
            if match is not None:
                available.pop(match)
                entry[0] += 1
            entry[1] += 1
    labels = [el for el in expected.iter("appendix") if el.get("label")]
    if labels:
        found_labels = Counter(el.get("label") for el in found.iter("appendix"))
        entry = out.setdefault("appended part label", [0, 0])
        for label, n in Counter(el.get("label") for el in labels).items():
            entry[0] += min(n, found_labels.get(label, 0))
            entry[1] += n
    return {kind: (a, b) for kind, (a, b) in out.items()}


def measure(issues: list[Path], folder: Path, plain: bool = False) -> dict[str, tuple[int, int]]:
    """Make the fixtures of `issues` in `folder` (typed `plain` or after GB/T 9704),
    import each, add up the figures."""
    make_docx = _tool("make_docx")
    from typeset.importer import import_docx

    totals: dict[str, list[int]] = {}
    for issue in issues:
        fixtures = make_docx.make_fixtures(issue, folder / issue.stem, plain=plain)
        root = etree.parse(str(issue)).getroot()
        for document in root.iter("document"):
            doc_id = document.get("id")
            imported = etree.fromstring(import_docx(fixtures[doc_id], doc_id).xml)
            for kind, (hit, total) in tally(document, imported).items():
                entry = totals.setdefault(kind, [0, 0])
                entry[0] += hit
                entry[1] += total
    return {kind: (a, b) for kind, (a, b) in totals.items()}


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def table(gb: dict[str, tuple[int, int]], plain: dict[str, tuple[int, int]]) -> str:
    """Markdown: one row per kind, the figures on both kinds of fixtures."""
    lines = ["| element | in the samples | GB/T 9704 fixtures | plain fixtures |",
             "|---|---:|---:|---:|"]
    for kind, (hit, total) in sorted(gb.items(), key=lambda kv: (-kv[1][1], kv[0])):
        plain_hit = plain.get(kind, (0, total))[0]
        lines.append(f"| {kind} | {total} | {hit} ({100 * hit / total:.0f}%) | "
                     f"{plain_hit} ({100 * plain_hit / total:.0f}%) |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    issues = [Path(a) for a in argv] or ISSUES
    with tempfile.TemporaryDirectory() as folder:
        gb = measure(issues, Path(folder) / "gb")
        plain = measure(issues, Path(folder) / "plain", plain=True)
    print(table(gb, plain))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
