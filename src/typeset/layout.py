"""Turn a layout name into a `Layout`: its templates, its settings and its font files.

A layout is a folder `layouts/<name>/` holding Jinja templates (`issue.html.j2` and
what it includes, `style.css.j2`) and `layout.toml`, its defaults.  The `gazette`
layout's `layout.toml` is the reference: it documents every setting, and another
layout may only change those (an unknown key is an error).  A layout can name its
parent with `extends = "gazette"`; templates are then looked up in the layout's own
folder first, then in its parent's (one Jinja FileSystemLoader over an ordered path).

Font roles in `[faces]` are resolved through `fonts/MANIFEST.json` to files in
`fonts/`, and the colour profiles of `[print]` through `profiles/MANIFEST.json` to
files in `profiles/`.  In a checkout `layouts/`, `fonts/` and `profiles/` are at the
repository root; in an installed wheel they are package data under `typeset/_data/`.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import TypesetError

if TYPE_CHECKING:
    import jinja2

REFERENCE_LAYOUT = "gazette"
_PACKAGE = Path(__file__).resolve().parent


def data_dir(kind: str) -> Path:
    """The folder of `kind` ('layouts', 'fonts' or 'profiles'): the checkout's, else the
    wheel's."""
    for candidate in (_PACKAGE.parents[1] / kind, _PACKAGE / "_data" / kind):
        if candidate.is_dir():
            return candidate
    raise TypesetError(f"typeset: no {kind}/ folder found (looked beside {_PACKAGE})")


@dataclass
class Layout:
    """A loaded layout: merged settings, font files by role, and a Jinja environment
    (`env`, made when first used: `check --pdf` and `validate` never load Jinja)."""

    name: str
    folders: list[Path]
    settings: dict
    faces: dict[str, Path]
    profiles: dict[str, Profile] = field(default_factory=dict)  # [print] profiles by setting

    @functools.cached_property
    def env(self) -> jinja2.Environment:
        """The Jinja environment of the layout's templates."""
        import jinja2

        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in self.folders]),
            bytecode_cache=_bytecode_cache(),
            # Every template but the style sheet escapes what it prints as HTML: no
            # text of the issue ever becomes markup.  The style sheet gets no issue
            # text at all (compose.py hands it the layout's settings only, checked by
            # _check_keys).
            autoescape=lambda name: not (name or "").endswith(".css.j2"),
            undefined=jinja2.StrictUndefined,
            trim_blocks=False,
            keep_trailing_newline=True,
        )

    def page_size_pt(self) -> tuple[float, float]:
        """The trim size `[page] size` names, in points: what every page must measure.

        Read the way CSS reads it (a name such as A4 or B5, optionally `landscape`, or
        two lengths), with WeasyPrint's own table of named sizes, so `check` compares
        the PDF with the layout rather than with a copy of it.
        """
        tokens = str(self.settings["page"]["size"]).lower().split()
        landscape = "landscape" in tokens
        tokens = [t for t in tokens if t not in ("portrait", "landscape")]
        try:
            named = [_named_size(t) for t in tokens if not re.match(r"[0-9.]", t)]
            if named:
                width, height = named[0]
            else:
                lengths = [_points(*_length(t)) for t in tokens]
                width, height = (lengths * 2)[:2] if len(lengths) == 1 else lengths
        except (ValueError, KeyError):
            raise TypesetError(f"layout {self.name}: page.size {self.settings['page']['size']!r}"
                               ": expected a page size name (A4) or two lengths") from None
        return (height, width) if landscape else (width, height)

    def files(self) -> list[Path]:
        """Every file the layout reads: its folders' files, its fonts and its profiles."""
        own = [f for folder in self.folders for f in sorted(folder.rglob("*")) if f.is_file()]
        return [*own, *self.faces.values(), *(p.path for p in self.profiles.values())]

    def print_lengths_pt(self) -> tuple[float, float]:
        """The print edition's bleed and media margin (`[print] bleed`, `media_margin`)
        in points: how far the BleedBox and the MediaBox reach beyond the trim."""
        return tuple(_points(*_length(self.settings["print"][key]))
                     for key in ("bleed", "media_margin"))

    def font_urls(self) -> dict[str, str]:
        """Font files by role as file:// URLs for @font-face."""
        return {role: path.as_uri() for role, path in self.faces.items()}


_PT_PER_UNIT = {"pt": 1, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72, "px": 0.75}
#: The named sizes of CSS Paged Media 3 (`size`), in mm: `check --pdf` reads them
#: without importing WeasyPrint (a second's start-up); a test holds them equal to
#: WeasyPrint's table, which serves any other name.
_CSS_PAGE_SIZES_MM = {"a5": (148, 210), "a4": (210, 297), "a3": (297, 420),
                      "b5": (176, 250), "b4": (250, 353), "jis-b5": (182, 257),
                      "jis-b4": (257, 364)}


def _named_size(name: str) -> tuple[float, float]:
    if name in _CSS_PAGE_SIZES_MM:
        return tuple(_points(v, "mm") for v in _CSS_PAGE_SIZES_MM[name])
    from weasyprint.css.computed_values import PAGE_SIZES

    return tuple(_points(d.value, d.unit) for d in PAGE_SIZES[name])


def _length(token: str) -> tuple[float, str]:
    found = re.fullmatch(r"([0-9.]+)([a-z]+)", token)
    if not found:
        raise ValueError(token)
    return float(found[1]), found[2]


def _points(value: float, unit: str) -> float:
    return round(value * _PT_PER_UNIT[unit], 2)


def available_layouts() -> list[str]:
    """Names of the layouts shipped with typeset."""
    return sorted(p.name for p in data_dir("layouts").iterdir() if (p / "layout.toml").is_file())


def load_layout(name: str = REFERENCE_LAYOUT) -> Layout:
    """Load layout `name` with its parents; raise TypesetError on unknown names or keys."""
    root = data_dir("layouts")
    folders: list[Path] = []
    chain: list[dict] = []
    current: str | None = name
    while current:
        folder = root / current
        toml_path = folder / "layout.toml"
        if not toml_path.is_file():
            known = ", ".join(available_layouts())
            raise TypesetError(f"typeset: no layout named {current!r} (available: {known})")
        if folder in folders:
            raise TypesetError(f"{toml_path}: 'extends' makes a loop")
        try:
            data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise TypesetError(f"{toml_path}: {exc}") from None
        folders.append(folder)
        chain.append(data)
        current = data.pop("extends", None)
        if current is None and folder.name != REFERENCE_LAYOUT:
            current = REFERENCE_LAYOUT
    reference = chain[-1]
    settings: dict = {}
    for data, folder in zip(reversed(chain), reversed(folders), strict=True):
        _check_keys(data, reference, folder / "layout.toml")
        _check_fields(data, reference, folder / "layout.toml")
        settings = _merge(settings, data)
    _check_print(settings.get("print", {}), folders[0] / "layout.toml")
    return Layout(name, folders, settings, _resolve_faces(settings.get("faces", {})),
                  _resolve_profiles(settings.get("print", {})))


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (a preview then skips compiling them)."""
    import jinja2

    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "typeset" / "jinja"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(base))


#: What a setting that reaches the style sheet may hold: CSS lengths, numbers, colours,
#: keywords and their separators; never quotes, backslashes, braces, ; or < (which could
#: end a declaration, a rule or the <style> element).
_CSS_VALUE = re.compile(r"^[A-Za-z0-9#%.,()\- ]*$")
#: Tables of layout.toml whose strings are printed into the style sheet as they are.
_CSS_TABLES = ("page", "columns", "type", "print")


def _check_keys(data: dict, reference: dict, path: Path, prefix: str = "") -> None:
    """Refuse keys the reference layout does not have and values of another type."""
    for key, value in data.items():
        name = prefix + key
        if key not in reference:
            known = ", ".join(sorted(prefix + k for k in reference))
            raise TypesetError(f"{path}: unknown setting {name!r} (known: {known})")
        expected = reference[key]
        if _kind(value) != _kind(expected):
            raise TypesetError(f"{path}: setting {name!r}: expected {_kind(expected)}, "
                               f"found {_kind(value)} {value!r}")
        if isinstance(value, dict):
            _check_keys(value, expected, path, f"{name}.")
        elif isinstance(value, list):
            kinds = {_kind(v) for v in (*expected, *value)}
            if len(kinds) > 1:
                what = _kind(expected[0]) if expected else "values"
                raise TypesetError(f"{path}: setting {name!r}: expected a list of {what}, "
                                   f"found {value!r}")
        elif isinstance(value, str) and name.split(".")[0] in _CSS_TABLES \
                and not _CSS_VALUE.match(value):
            raise TypesetError(f"{path}: setting {name!r}: expected a CSS value (lengths, "
                               f"numbers, colours, keywords), found {value!r}")
        elif isinstance(value, int) and not isinstance(value, bool) and value < 0:
            raise TypesetError(f"{path}: setting {name!r}: expected a number ≥ 0, found {value}")


#: Settings that are patterns: the {fields} each may hold (the reference layout's
#: values show them); no other brace is allowed, so a typo cannot print as text.
_PATTERNS = ("labels", "numbering")


def _check_fields(data: dict, reference: dict, path: Path) -> None:
    """Refuse a pattern whose {fields} are not those of the reference's value."""
    for table in _PATTERNS:
        for key, value in data.get(table, {}).items():
            if not isinstance(value, str):
                continue
            allowed = set(re.findall(r"\{([a-z]+)\}", reference[table][key]))
            if table == "numbering":
                allowed = {"year", "number", "cumulative"}
            rest = "".join(part for part in re.split(r"(\{[a-z]+\})", value)
                           if part[1:-1] not in allowed or not part.startswith("{"))
            if "{" in rest or "}" in rest:
                fields = ", ".join(f"{{{f}}}" for f in sorted(allowed)) or "no {fields}"
                raise TypesetError(f"{path}: setting '{table}.{key}': expected text with "
                                   f"{fields}, found {value!r}")


def _kind(value) -> str:
    for kind, name in ((bool, "true/false"), (int, "a whole number"), (float, "a number"),
                       (str, "a string"), (list, "a list"), (dict, "a table")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


def _resolve_faces(roles: dict[str, str]) -> dict[str, Path]:
    fonts = data_dir("fonts")
    manifest_path = fonts / "MANIFEST.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise TypesetError(f"{manifest_path}: cannot read the font manifest ({exc})") from None
    entries = manifest["fonts"] if isinstance(manifest, dict) else manifest
    by_role = {entry["role"]: fonts / entry["file"] for entry in entries}
    faces = {}
    for key, role in roles.items():
        if role not in by_role:
            raise TypesetError(f"layout face {key} = {role!r}: no such role in {manifest_path} "
                               f"(roles: {', '.join(sorted(by_role))})")
        if not by_role[role].is_file():
            raise TypesetError(f"{by_role[role]}: font file missing (see fonts/README.md)")
        faces[key] = by_role[role]
    return faces


@dataclass(frozen=True)
class Profile:
    """An ICC profile of `profiles/`, by role, as its manifest entry describes it."""

    role: str
    path: Path
    description: str
    colour_space: str  # "CMYK" or "RGB"
    output_condition: dict = field(default_factory=dict)  # identifier, condition, registry

    @property
    def url(self) -> str:
        return self.path.as_uri()


#: A print colour: four inks from 0 to 1, as CSS Color 5 writes them.
_CMYK = re.compile(r"device-cmyk\((?:\s*(?:0|1|0?\.[0-9]+|1\.0+)){4}\s*\)")
_MARKS = {"none", "crop", "cross", "crop cross", "cross crop"}
#: Room the printer's marks need between the bleed and the edge of the MediaBox.
MIN_MARKS_ROOM_MM = 5


def _check_print(settings: dict, path: Path) -> None:
    """Refuse `[print]` settings the print edition cannot honour, one line each."""
    for key in ("text", "accent"):
        if key in settings and not _CMYK.fullmatch(settings[key]):
            raise TypesetError(f"{path}: setting 'print.{key}': expected a CMYK colour of "
                               "four inks from 0 to 1, such as device-cmyk(0 0 0 1), found "
                               f"{settings[key]!r}")
    if "marks" in settings and settings["marks"] not in _MARKS:
        raise TypesetError(f"{path}: setting 'print.marks': expected crop, cross, "
                           f"crop cross or none, found {settings['marks']!r}")
    lengths = {}
    for key in ("bleed", "media_margin"):
        try:
            value, unit = _length(settings[key])
            lengths[key] = value * _PT_PER_UNIT[unit] * 25.4 / 72
        except (KeyError, ValueError):
            raise TypesetError(f"{path}: setting 'print.{key}': expected a length such as "
                               f"3mm, found {settings.get(key)!r}") from None
    room = lengths["media_margin"] - lengths["bleed"]
    needed = MIN_MARKS_ROOM_MM if settings.get("marks", "none") != "none" else 0
    if room < needed:
        raise TypesetError(f"{path}: setting 'print.media_margin': expected at least "
                           f"the bleed{f' + {needed}mm for the marks' if needed else ''}, "
                           f"found {settings['media_margin']!r}")


def _resolve_profiles(settings: dict) -> dict[str, Profile]:
    """The profiles `[print]` names (`profile`: the press's CMYK, `default_rgb`: what RGB
    content means), resolved through profiles/MANIFEST.json."""
    wanted = {key: settings[key] for key in ("profile", "default_rgb") if key in settings}
    if not wanted:
        return {}
    folder = data_dir("profiles")
    manifest_path = folder / "MANIFEST.json"
    try:
        entries = json.loads(manifest_path.read_text(encoding="utf-8"))["profiles"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TypesetError(f"{manifest_path}: cannot read the profile manifest ({exc})") \
            from None
    by_role = {e["role"]: e for e in entries}
    spaces = {"profile": "CMYK", "default_rgb": "RGB"}
    profiles = {}
    for key, role in wanted.items():
        entry = by_role.get(role)
        if entry is None or entry["colour_space"] != spaces[key]:
            known = ", ".join(r for r, e in sorted(by_role.items())
                              if e["colour_space"] == spaces[key])
            raise TypesetError(f"layout print.{key} = {role!r}: no {spaces[key]} profile of "
                               f"that role in {manifest_path} (roles: {known})")
        profile = Profile(role, folder / entry["file"], entry["description"],
                          entry["colour_space"], entry.get("output_condition", {}))
        if not profile.path.is_file():
            raise TypesetError(f"{profile.path}: profile file missing (see profiles/README.md)")
        profiles[key] = profile
    return profiles
