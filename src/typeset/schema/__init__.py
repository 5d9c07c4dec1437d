"""The issue schema (RELAX NG, `issue.rng`) and what the error messages need from it.

In: the grammar shipped beside this file.  Out: a compiled `lxml.etree.RelaxNG`
validator; for each element name its content model flattened into an ordered list of
`Particle`s and its attributes, so that a validation failure can say what was
expected at that place ("expected <title> in <document>, found <p>") instead of
libxml2's "Did not expect element p there"; and for each element in its parent the
type of its text and of its attributes (`value_rules`), checked by the rules in
`DATATYPES`, one per value type the grammar defines, with a plain message each.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

SCHEMA_PATH = Path(__file__).with_name("issue.rng")
_RNG = "{http://relaxng.org/ns/structure/1.0}"


@dataclass
class Particle:
    """A place in a content model: one of `names`, between `low` and `high` times."""

    names: frozenset[str]
    low: int
    high: float


@dataclass
class ElementModel:
    """What an element may hold: ordered particles, attributes, and whether text is allowed."""

    particles: list[Particle]
    required_attrs: set[str]
    optional_attrs: set[str]
    attr_values: dict[str, set[str]]
    mixed: bool


@functools.cache
def validator() -> etree.RelaxNG:
    """Return the compiled RELAX NG validator for issue files."""
    return etree.RelaxNG(etree.parse(str(SCHEMA_PATH)))


@functools.cache
def element_models() -> dict[str, ElementModel]:
    """Return each element name's flattened content model (merged over its definitions)."""
    grammar = etree.parse(str(SCHEMA_PATH)).getroot()
    defines = {d.get("name"): d for d in grammar.iter(f"{_RNG}define")}
    models: dict[str, ElementModel] = {}
    for element in grammar.iter(f"{_RNG}element"):
        model = ElementModel([], set(), set(), {}, False)
        _walk(list(element), defines, model, low=1, high=1, top=True)
        name = element.get("name")
        if name in models:  # e.g. <title> or <date> in several places: allow the union
            old = models[name]
            old.particles = (
                old.particles if len(old.particles) >= len(model.particles) else model.particles
            )
            old.required_attrs &= model.required_attrs
            old.optional_attrs |= model.optional_attrs | model.required_attrs
            old.mixed |= model.mixed
        else:
            models[name] = model
    return models


def _walk(nodes, defines, model: ElementModel, low: int, high: float, top: bool) -> None:
    for node in nodes:
        if not isinstance(node.tag, str):
            continue  # a comment in the grammar
        tag = etree.QName(node).localname
        if tag == "element":
            model.particles.append(Particle(frozenset([node.get("name")]), low, high))
        elif tag == "ref":
            _walk(list(defines[node.get("name")]), defines, model, low, high, top)
        elif tag in ("optional", "zeroOrMore", "oneOrMore"):
            inner_low = 0 if tag != "oneOrMore" else low
            inner_high = high if tag == "optional" else float("inf")
            _walk(list(node), defines, model, inner_low, inner_high, top=False)
        elif tag == "choice":
            sub = ElementModel([], set(), set(), {}, False)
            _walk(list(node), defines, sub, 1, 1, top=False)
            model.mixed |= sub.mixed
            if sub.particles:
                names = frozenset().union(*(p.names for p in sub.particles))
                optional = any(p.low == 0 for p in sub.particles) or sub.mixed
                # a branch that repeats (p+, or inline's zeroOrMore) makes the choice repeat
                repeat = max(p.high for p in sub.particles)
                model.particles.append(Particle(names, 0 if optional else low, high * repeat))
            for attr in sub.required_attrs | sub.optional_attrs:
                model.optional_attrs.add(attr)
            model.attr_values.update(sub.attr_values)
        elif tag == "attribute":
            name = node.get("name")
            (model.required_attrs if low and top else model.optional_attrs).add(name)
            values = {v.text for v in node.iter(f"{_RNG}value")}
            if values:
                model.attr_values[name] = values
        elif tag in ("text", "data", "value"):
            model.mixed = True
        elif tag == "group":
            _walk(list(node), defines, model, low, high, top)


# ----------------------------------------------------------------------------- value types


def is_invisible(char: str) -> bool:
    """True for white space, separators and control or format characters (XSD \\s \\p{Z}
    \\p{Cc} \\p{Cf}): what cannot make a text visible, nor belong in a file name."""
    return char in " \t\n\r" or unicodedata.category(char) in _INVISIBLE_CATEGORIES


_INVISIBLE_CATEGORIES = {"Zs", "Zl", "Zp", "Cc", "Cf"}


def is_blank(text: str) -> bool:
    """True when `text` has no visible character (see `is_invisible`)."""
    return all(is_invisible(c) for c in text)


def _date(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _weight(value: str) -> bool:
    return bool(re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,3})?", value)) and float(value) > 0


def _figure_path(value: str) -> bool:
    if any(c in "\\?#%:" or is_invisible(c) for c in value):
        return False
    return all(segment not in ("", ".", "..") for segment in value.split("/"))


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda value: compiled.fullmatch(value) is not None


@dataclass(frozen=True)
class Datatype:
    """A type of value, as the grammar's `<define>` of that name and the parser see it.

    `hint` completes "expected …" in messages; `accepts(value)` is the rule, applied to
    the value exactly as written (no spaces stripped), the same verdict as the grammar.
    """

    hint: str
    accepts: Callable[[str], bool]


#: The value types of issue.rng by define name; the parser relies on nothing else.
DATATYPES: dict[str, Datatype] = {
    "text": Datatype("text", lambda value: not is_blank(value)),
    "date": Datatype("a date as YYYY-MM-DD, such as 2021-07-15", _date),
    "year": Datatype("a year as four digits, such as 2021", _pattern(r"[1-9][0-9]{3}")),
    "count": Datatype("a whole number from 1 to 999999, such as 10",
                      _pattern(r"[1-9][0-9]{0,5}")),
    "weight": Datatype("a relative width: a number above 0 such as 3 or 2.5 "
                       "(at most 4 digits, 3 decimals)", _weight),
    "length": Datatype("a width from 1% to 100%, or at least 1 in mm, cm or pt, such as 60% "
                       "or 45mm",
                       _pattern(r"([1-9][0-9]?(\.[0-9]{1,2})?|100)%"
                                r"|[1-9][0-9]{0,3}(\.[0-9]{1,2})?(mm|cm|pt)")),
    "id": Datatype("an id: an ASCII letter, then letters, digits, - and _ "
                   "(64 characters at most)", _pattern(r"[A-Za-z][A-Za-z0-9_\-]{0,63}")),
    "issn": Datatype("an ISSN such as 1008-0783", _pattern(r"[0-9]{4}-[0-9]{3}[0-9X]")),
    "url": Datatype("a web address such as http://www.nx.gov.cn",
                    _pattern(r"https?://[^ \t\n\r]+")),
    "number-format": Datatype("a number format holding {number}, and perhaps {year}, with "
                              "no other braces, such as {year}年第{number}号",
                              _pattern(r"([^{}]|\{year\})*\{number\}([^{}]|\{year\}|\{number\})*")),
    "cumulative-format": Datatype("a cumulative number format holding {cumulative} and no "
                                  "other braces, such as （总第{cumulative}期）",
                                  _pattern(r"[^{}]*\{cumulative\}[^{}]*")),
    "figure-path": Datatype("a relative path inside the issue's folder", _figure_path),
}

#: Defines of mixed content that must not be blank (`is_blank` over all its text).
NONBLANK_CONTENT = frozenset({"title-inline", "label-inline"})


@dataclass
class ValueRule:
    """What an element's text and attributes must be, in one place of the grammar.

    text_type:  the `DATATYPES` name its text must match, if it holds a plain value;
    attr_types: the `DATATYPES` name of each attribute holding a value;
    nonblank:   its mixed content must have a visible character.
    """

    text_type: str | None = None
    attr_types: dict[str, str] = field(default_factory=dict)
    nonblank: bool = False


def datatype_defines() -> set[str]:
    """The names of the grammar's defines that are a value type (a single `<data>`)."""
    grammar = etree.parse(str(SCHEMA_PATH)).getroot()
    return {d.get("name") for d in grammar.iter(f"{_RNG}define") if _is_datatype(d)}


def _is_datatype(define) -> bool:
    children = [c for c in define if isinstance(c.tag, str)]
    return len(children) == 1 and etree.QName(children[0]).localname == "data"


@functools.cache
def value_rules() -> dict[tuple[str | None, str], ValueRule]:
    """Return the `ValueRule` of each element by (parent name, name); the root's parent is None.

    Keyed by parent because one name may hold different values in different places
    (<number> is a count in <meta>, text in <decree>).
    """
    grammar = etree.parse(str(SCHEMA_PATH)).getroot()
    defines = {d.get("name"): d for d in grammar.iter(f"{_RNG}define")}
    rules: dict[tuple[str | None, str], ValueRule] = {}
    start = grammar.find(f"{_RNG}start/{_RNG}element")
    todo: list[tuple[str | None, etree._Element]] = [(None, start)]
    seen: set[tuple[str | None, etree._Element]] = set()
    while todo:
        parent, element = todo.pop()
        if (parent, element) in seen:
            continue
        seen.add((parent, element))
        name = element.get("name")
        rule = rules.setdefault((parent, name), ValueRule())
        _collect(list(element), defines, rule, name, todo)
    return rules


def _collect(nodes, defines, rule: ValueRule, name: str, todo: list) -> None:
    for node in nodes:
        if not isinstance(node.tag, str):
            continue
        tag = etree.QName(node).localname
        if tag == "element":
            todo.append((name, node))
        elif tag == "ref":
            ref = node.get("name")
            if _is_datatype(defines[ref]):
                rule.text_type = ref
            else:
                rule.nonblank |= ref in NONBLANK_CONTENT
                _collect(list(defines[ref]), defines, rule, name, todo)
        elif tag == "attribute":
            for ref in node.iter(f"{_RNG}ref"):
                if _is_datatype(defines[ref.get("name")]):
                    rule.attr_types[node.get("name")] = ref.get("name")
        elif tag == "data":
            raise ValueError(f"issue.rng: <data> in <{name}> outside a named value type")
        else:
            _collect(list(node), defines, rule, name, todo)
