"""What the recogniser found, how sure it is, and what it could not place.

In: findings added one by one while recognising.  Out: the report printed on stderr
by `typeset import`, one line per element kind (title, 文号, …, with the Word
paragraphs it came from), then one line per warning naming the Word paragraph by its
number and first characters.

Confidence: **sure** when the formatting and the text pattern agree (a centred 22 pt
小标宋 line above a 文号; a 黑体 paragraph that opens with 一、), **likely** when one
of them says so and the other does not contradict it, **guess** when the element was
placed by its position alone.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

CONFIDENCES = ("sure", "likely", "guess")


@dataclass
class Finding:
    kind: str
    paras: tuple[int, ...]
    confidence: str
    text: str = ""


@dataclass
class Report:
    """Findings in document order, warnings, and what was left aside as not content."""

    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _order: list[int] = field(default_factory=list)
    aside: list[str] = field(default_factory=list)

    def add(self, kind: str, paras, confidence: str, text: str = "") -> None:
        assert confidence in CONFIDENCES, confidence
        indexes = tuple(sorted({p for p in paras if p}))
        self.findings.append(Finding(kind, indexes, confidence, text))

    def warn(self, para: int, text: str, message: str) -> None:
        self.warnings.append(f"¶{para} {excerpt(text)!r}: {message}" if para else message)
        self._order.append(para)

    def warned(self, para: int) -> bool:
        """Whether a warning already names Word paragraph `para`."""
        return para in self._order

    def count(self, kind: str, confidence: str | None = None) -> int:
        return sum(1 for f in self.findings
                   if f.kind == kind and (confidence is None or f.confidence == confidence))

    def kinds(self) -> list[str]:
        seen: dict[str, None] = {}
        for finding in self.findings:
            seen.setdefault(finding.kind, None)
        return list(seen)

    def lines(self, label: str, summary: str) -> list[str]:
        """The report as printed: a heading line, one line per kind (in the order the
        kinds first appear in the file), the warnings."""
        total = {c: sum(1 for f in self.findings if f.confidence == c) for c in CONFIDENCES}
        out = [f"{label}: {summary}; {len(self.findings)} elements recognised ("
               + ", ".join(f"{n} {c}" for c, n in total.items()) + f"), "
               f"{len(self.warnings)} warnings"]
        grouped: dict[str, list[Finding]] = defaultdict(list)
        ordered = sorted(self.findings, key=lambda f: f.paras[:1] or (0,))
        for finding in ordered:
            grouped[finding.kind].append(finding)
        for kind in dict.fromkeys(f.kind for f in ordered):
            items = grouped[kind]
            sure = {c: sum(1 for f in items if f.confidence == c) for c in CONFIDENCES}
            how = ", ".join(f"{n} {c}" for c, n in sure.items() if n)
            if len(items) == 1:
                item = items[0]
                out.append(f"  {kind:<13} {item.confidence:<6} {_where(item.paras):<12} "
                           f"{excerpt(item.text, 60)}")
            else:
                first = items[0].paras[:1]
                out.append(f"  {kind:<13} ×{len(items):<5} {how}; first {_where(first)}")
        if self.aside:
            out.append("  left aside: " + "; ".join(self.aside))
        ordered = sorted(zip(self._order, self.warnings, strict=True), key=lambda pair: pair[0])
        out.extend(f"  warning: {w}" for _, w in ordered)
        return out


def _where(paras: tuple[int, ...]) -> str:
    if not paras:
        return "-"
    if len(paras) == 1:
        return f"¶{paras[0]}"
    return f"¶{paras[0]}-{paras[-1]}"


def excerpt(text: str, length: int = 16) -> str:
    text = " / ".join(part.strip() for part in text.split("\n"))
    return text if len(text) <= length else text[:length] + "…"
