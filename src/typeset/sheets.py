"""Style sheets parsed once: what WeasyPrint's parse of a style sheet leaves, kept in
the cache folder, so that later processes load it instead of parsing the same text.

A process that renders parses two style sheets whose text is the same every time:
WeasyPrint's user agent sheet (18 KB, 282 selectors, at load time: 40-60 ms) and the
layout's own (in the composed HTML's ``<style>``, once per render: 35-45 ms in a new
process).  Parsing a sheet means tokenizing it, compiling each selector to Python
source and eval'ing it, and validating every declaration.  What is left is data:
the selectors' matcher with the declarations, the page rules, layers and counter
styles the sheet adds, and the @font-face rules it hands to the font configuration.

In:  a sheet's text, what else its parse depends on (base URL, media type), and the
     function that parses it (WeasyPrint's ``CSS``).
Out: the same ``CSS`` object, from the cache folder when the sheet was kept there,
     with the same effects on the shared page rules, layers, counter styles and font
     configuration (its @font-face rules are handed to it again, in order, so the
     fonts are fetched and checked as before).

A sheet is kept only when its parse wrote nothing to WeasyPrint's log (a warning about
the layout's sheet fails the build, and must be seen every time), imported nothing,
and added no colour profile; selectors are kept as the bytecode of their Python
source, compiled as one expression.  The key holds the text, the base URL and media
type, the properties WeasyPrint validates at the time (the Chinese extension's are
known only while it is active), the versions of WeasyPrint, tinycss2 and cssselect2,
the size and time of WeasyPrint's CSS modules, and Python's version.  A file that
does not load is parsed again and replaced; at most :data:`KEPT` sheets are kept
(the oldest go).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import marshal
import pickle
import sys
from pathlib import Path

#: What a kept sheet's file holds, and how: part of its key.
FORMAT = 1
#: Sheets kept in the cache folder at most (a developer's tests make many layouts).
KEPT = 64
_MAPS = ("id_selectors", "class_selectors", "lower_local_name_selectors",
         "namespace_selectors")
_LISTS = ("lang_attr_selectors", "other_selectors")
_STEM = "weasyprint-sheet-"


@functools.cache
def _weasyprint_css() -> tuple:
    """Name, size and time of each of WeasyPrint's CSS modules, and the versions of
    WeasyPrint, tinycss2 and cssselect2: what the process parses with, read once."""
    import cssselect2
    import tinycss2

    css = Path(sys.modules["weasyprint.css"].__file__).parent
    return (tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns)
                  for f in sorted([*css.glob("*.py"), *css.glob("validation/*.py")])),
            getattr(sys.modules["weasyprint"], "__version__", None), tinycss2.__version__,
            cssselect2.__version__)


def _key(text: str, base_url, media_type) -> str:
    from weasyprint.css.validation import properties

    # the properties WeasyPrint validates now: the Chinese extension's are known only
    # while it is active (with its keywords), and a declaration of an unknown one is
    # left out of the parse
    extension = sys.modules.get("typeset.cjk.properties")
    known = (sorted(properties.PROPERTIES),
             repr(extension.PROPERTIES) if extension is not None else None)
    return hashlib.sha256(repr((
        FORMAT, text, base_url, media_type, known, _weasyprint_css(), sys.version)
    ).encode()).hexdigest()[:24]


def _folder() -> Path:
    from .startup import cache_dir

    return cache_dir()


def _loaded(path: Path, counter_style, page_rules, layers, font_config, url_fetcher):
    """The ``CSS`` kept at `path`, its additions made to the shared objects; None
    when there is none or it does not load."""
    from cssselect2 import Matcher, compiler
    from weasyprint import CSS

    try:
        state = pickle.loads(path.read_bytes())  # noqa: S301 -- our own cache file
        names = {"split_whitespace": compiler.split_whitespace,
                 "ascii_lower": compiler.ascii_lower, "urlparse": compiler.urlparse}
        tests = eval(marshal.loads(state["tests"]), names)  # noqa: S307 -- its code
        matcher = Matcher.__new__(Matcher)
        kept = state["matcher"]
        vars(matcher).update(
            {field: {key: [(tests[entry[0]], *entry[1:]) for entry in entries]
                     for key, entries in kept[field].items()} for field in _MAPS},
            **{field: [(tests[entry[0]], *entry[1:]) for entry in kept[field]]
               for field in _LISTS}, order=kept["order"])
        sheet = CSS.__new__(CSS)
        vars(sheet).update(base_url=state["base_url"], matcher=matcher,
                           page_rules=page_rules if page_rules is not None else [],
                           layers=layers if layers is not None else [])
        added = (list(state["page_rules"]), list(state["layers"]),
                 dict(state["counter_style"]), list(state["font_faces"]))
    except Exception:  # noqa: BLE001 -- a file that does not load is parsed again
        return None
    rules, new_layers, counters, faces = added
    sheet.page_rules.extend(rules)
    sheet.layers.extend(new_layers)
    if counter_style is not None:
        counter_style.update(counters)
    if font_config is not None:
        for descriptors in faces:
            font_config.add_font_face(descriptors, url_fetcher)
    return sheet


def parsed_once(text: str, make, *, base_url=None, media_type="print", counter_style=None,
                page_rules=None, layers=None, font_config=None, url_fetcher=None,
                color_profiles=None):
    """``make()``, WeasyPrint's parse of the style sheet `text` with these arguments
    (the shared objects it adds to), or the same loaded from the cache folder."""
    from cssselect2 import compiler

    path = _folder() / f"{_STEM}{_key(text, base_url, media_type)}.pickle"
    sheet = _loaded(path, counter_style, page_rules, layers, font_config, url_fetcher)
    if sheet is not None:
        return sheet

    sources, faces, logged = {}, [], []
    original = compiler.CompiledSelector.__init__

    def recording(selector, parsed):
        original(selector, parsed)
        sources[id(selector.test)] = compiler._compile_node(parsed.parsed_tree)  # noqa: SLF001

    class Logged(logging.Handler):
        def emit(self, record):
            if record.name == "weasyprint":  # not its progress messages
                logged.append(record)

    counters_before = dict(counter_style or {})
    profiles_before = dict(color_profiles or {})
    rules_before = len(page_rules) if page_rules is not None else 0
    layers_before = len(layers) if layers is not None else 0
    handler, logger = Logged(), logging.getLogger("weasyprint")
    compiler.CompiledSelector.__init__ = recording
    logger.addHandler(handler)
    if font_config is not None:
        add_font_face = font_config.add_font_face

        def recording_faces(descriptors, fetcher):
            faces.append(descriptors)
            return add_font_face(descriptors, fetcher)

        font_config.add_font_face = recording_faces
    try:
        sheet = make()
    finally:
        compiler.CompiledSelector.__init__ = original
        logger.removeHandler(handler)
        if font_config is not None:
            del font_config.add_font_face
    if logged or "@import" in text.lower() or dict(color_profiles or {}) != profiles_before:
        return sheet
    with contextlib.suppress(KeyError, TypeError, AttributeError, ValueError,
                             pickle.PicklingError):
        _keep(path, sheet, sources, faces, rules_before, layers_before,
              {name: style for name, style in (counter_style or {}).items()
               if counters_before.get(name) is not style})
    return sheet


def _keep(path: Path, sheet, sources: dict, faces: list, rules_before: int,
          layers_before: int, counters: dict) -> None:
    """Write what `sheet`'s parse left to `path` (nothing when its objects are not
    the ones this module knows: another WeasyPrint or cssselect2)."""
    from .startup import write_kept

    matcher = sheet.matcher
    if set(vars(sheet)) != {"base_url", "matcher", "page_rules", "layers"} or \
            set(vars(matcher)) != {*_MAPS, *_LISTS, "order"}:
        return
    order = sorted(set(sources.values()))
    index = {source: i for i, source in enumerate(order)}

    def entries(found):
        return [(index[sources[id(entry[0])]], *entry[1:]) for entry in found]

    state = {
        "tests": marshal.dumps(compile(
            "[" + ",".join(f"lambda el: {source}" for source in order) + "]",
            "<style sheet selectors>", "eval")),
        "matcher": {**{field: {key: entries(found)
                               for key, found in getattr(matcher, field).items()}
                       for field in _MAPS},
                    **{field: entries(getattr(matcher, field)) for field in _LISTS},
                    "order": matcher.order},
        "base_url": sheet.base_url,
        "page_rules": sheet.page_rules[rules_before:],
        "layers": sheet.layers[layers_before:],
        "counter_style": counters,
        "font_faces": faces}
    write_kept(path, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL),
               f"{_STEM}*.pickle", KEPT)


def document_sheets(real):
    """A stand-in for WeasyPrint's ``CSS`` in ``weasyprint.css`` (where it makes the
    sheets of the document's ``<style>`` elements): such a sheet is
    :func:`parsed_once`; any other call is ``real``'s."""

    def css(*args, **kwargs):
        if args or set(kwargs) - {"string", "base_url", "url_fetcher", "media_type",
                                  "font_config", "counter_style", "page_rules",
                                  "color_profiles", "layers"} or "string" not in kwargs:
            return real(*args, **kwargs)
        return parsed_once(kwargs["string"], lambda: real(**kwargs),
                           base_url=kwargs.get("base_url"),
                           media_type=kwargs.get("media_type", "print"),
                           counter_style=kwargs.get("counter_style"),
                           page_rules=kwargs.get("page_rules"), layers=kwargs.get("layers"),
                           font_config=kwargs.get("font_config"),
                           url_fetcher=kwargs.get("url_fetcher"),
                           color_profiles=kwargs.get("color_profiles"))

    return css
