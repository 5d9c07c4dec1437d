"""The issue schema (RELAX NG, `issue.rng`) and what the error messages need from it.

In: the grammar shipped beside this file.  Out: a compiled `lxml.etree.RelaxNG`
validator, and for each element name its content model flattened into an ordered
list of `Particle`s and its attributes, so that a validation failure can say what
was expected at that place ("expected <title> in <document>, found <p>") instead of
libxml2's "Did not expect element p there".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
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
                model.particles.append(Particle(names, 0 if optional else low, high))
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
