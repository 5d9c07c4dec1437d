"""What a build may read besides the issue file: the layout's files and the issue's figures.

In: an `Issue` (its figures, its source folder) and the loaded `Layout` (its folders
and font files).  Out: nothing when every figure is where it belongs and decodes
within the limits below, else `InputError` listing each bad figure at its line; and a
`Fetcher`, the one URL fetcher every render uses, which serves files from those
folders only and refuses everything else (any network scheme, any path outside
them, symbolic links leading out of them, devices, oversized files).

Two walls, on purpose: `check_figures` finds user mistakes before rendering, with a
position in the issue file; the fetcher stops whatever might still slip past (an SVG's
own references, a layout's stylesheet) and turns it into a failed build instead of a
silent fetch.  Nothing here touches the network: the only schemes ever served are
`file:` (inside the allowed folders) and `data:` (bytes carried in the URL itself).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime
import functools
import mimetypes
import os
import re
import stat
import types
import typing
import urllib.parse
import warnings
from collections.abc import Iterable, Iterator
from io import BytesIO
from pathlib import Path

from lxml import etree

from . import model as m
from .errors import InputError, Problem, display_path
from .schema import DATATYPES

#: Largest figure file read, in bytes (a 300 dpi full-page scan as PNG is ~10 MB).
MAX_FIGURE_BYTES = 20 * 1024 * 1024
#: Largest raster figure, in pixels (A4 at 600 dpi is 35 megapixels).
MAX_FIGURE_PIXELS = 40_000_000
#: Largest file the fetcher serves at all (the CJK fonts are up to 20 MB each).
MAX_RESOURCE_BYTES = 32 * 1024 * 1024
#: Raster formats a figure may have (what WeasyPrint embeds as it is).
RASTER_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)|@import\s+(['\"])(.*?)\3", re.I | re.S)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class ResourceRefused(Exception):
    """A URL the build may not read (raised by `Fetcher`, reported by pdf.render)."""


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    real = Path(os.path.realpath(path))
    return any(real == root or root in real.parents for root in roots)


class Fetcher:
    """The URL fetcher of every render: files under `roots`, and data: URLs; nothing else.

    Call it with a URL, get a `weasyprint.urls.URLFetcherResponse`.  Symbolic links
    are resolved before the check, so a link inside a root that points out of it is
    refused.  Every refusal is remembered in `refused` (URL and reason) so the caller
    can fail the build even where WeasyPrint would only log a warning.
    """

    def __init__(self, roots: Iterable[Path]):
        self.roots = tuple(Path(os.path.realpath(r)) for r in roots)
        self.refused: list[str] = []
        self._fail_on_errors = False  # read by weasyprint.urls.fetch

    def __call__(self, url: str):
        from weasyprint.urls import URLFetcherResponse

        try:
            body, mime = self._read(url)
        except ResourceRefused as exc:
            self.refused.append(f"{_short(url)}: {exc}")
            raise
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    fetch = __call__

    def local_file(self, url: str) -> Path | None:
        """The file a file: URL names (symbolic links resolved), checked as a fetch of
        it would be, without reading it; None for a URL of another scheme.  A refusal
        is recorded and raised as a fetch's is."""
        if _scheme(url) != "file":
            return None
        try:
            return Path(os.path.realpath(self._checked_file(url)))
        except ResourceRefused as exc:
            self.refused.append(f"{_short(url)}: {exc}")
            raise

    def _read(self, url: str) -> tuple[bytes, str]:
        if _scheme(url) == "data":
            return _data_url(url)
        path = self._checked_file(url)
        with open(path, "rb") as stream:
            body = stream.read(MAX_RESOURCE_BYTES + 1)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return body, mime

    def _checked_file(self, url: str) -> Path:
        """The regular file of a file: URL inside the roots, within the size limit."""
        if _scheme(url) != "file":
            raise ResourceRefused("only files of the layout and of the issue's folder are "
                                  "read; nothing is fetched from a network")
        from urllib.request import url2pathname  # 25 ms to import (http.client, email)

        path = Path(url2pathname(urllib.parse.urlsplit(url).path))
        if not _inside(path, self.roots):
            raise ResourceRefused("outside the layout's and the issue's folders")
        try:
            info = path.stat()
        except OSError as exc:
            raise ResourceRefused(f"cannot read: {exc.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            raise ResourceRefused("not a regular file")
        if info.st_size > MAX_RESOURCE_BYTES:
            raise ResourceRefused(f"larger than {MAX_RESOURCE_BYTES // 2**20} MiB")
        return path


def _scheme(url: str) -> str:
    return url.split(":", 1)[0].lower() if _SCHEME.match(url) else ""



def _data_url(url: str) -> tuple[bytes, str]:
    header, _, payload = url[5:].partition(",")
    if not _:
        raise ResourceRefused("a data: URL without data")
    parts = header.split(";")
    mime = parts[0] or "text/plain"
    if "base64" in parts[1:]:
        try:
            return base64.b64decode(payload, validate=False), mime
        except ValueError:
            raise ResourceRefused("a data: URL with bad base64") from None
    return urllib.parse.unquote_to_bytes(payload), mime


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:60] + "…" + url[-15:]


# ----------------------------------------------------------------------------- figures


def figures(node) -> Iterator[m.Figure]:
    """Every `Figure` reachable from a model node, in document order.

    Walks dataclass fields and tuples generically, so a figure placed in any new
    container of the model is found without this function knowing about it; it
    skips the fields whose type annotations cannot lead to a figure (`_fields_to_walk`:
    the thousands of inline text runs of an issue).
    """
    if isinstance(node, m.Figure):
        yield node
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for name in _fields_to_walk(type(node)):
            value = getattr(node, name)
            if isinstance(value, tuple | list) or dataclasses.is_dataclass(value):
                yield from figures(value)
    elif isinstance(node, tuple | list):
        for item in node:
            yield from figures(item)


@functools.cache
def _fields_to_walk(cls: type) -> tuple[str, ...]:
    """The fields of dataclass `cls` that may lead to a `Figure`, by their annotations:
    all of them but those whose annotation names only types that cannot (strings,
    numbers, dates, and dataclasses all of whose fields cannot, like `Inline`)."""
    hints = _hints(cls)
    return tuple(f.name for f in dataclasses.fields(cls)
                 if _may_lead_to_figure(hints[f.name], frozenset()))


@functools.cache
def _hints(cls: type) -> dict:
    """The type annotations of dataclass `cls`, resolved (once: resolving is slow)."""
    return typing.get_type_hints(cls)


#: Types that hold no figure.
_LEAVES = (str, int, float, bool, bytes, type(None), datetime.date, Path)


def _may_lead_to_figure(annotation, seen: frozenset) -> bool:
    if annotation is m.Figure:
        return True
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        if annotation in seen:  # a cycle (Inline's children): decided elsewhere
            return False
        hints = _hints(annotation)
        return any(_may_lead_to_figure(hints[f.name], seen | {annotation})
                   for f in dataclasses.fields(annotation))
    if isinstance(annotation, type) and issubclass(annotation, _LEAVES):
        return False
    arguments = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if arguments and origin in (tuple, list, typing.Union, types.UnionType):
        return any(_may_lead_to_figure(a, seen) for a in arguments if a is not Ellipsis)
    return True  # anything else (Any, object, a bare tuple): walked


def check_figures(issue: m.Issue) -> None:
    """Check every figure of `issue` before rendering; raise `InputError` listing problems.

    A figure's src must name a regular file inside the issue's folder (symbolic links
    resolved), at most MAX_FIGURE_BYTES, that decodes as PNG, JPEG, GIF or WebP of at
    most MAX_FIGURE_PIXELS pixels, or as an SVG whose own references stay inside the
    issue's folder (or are #fragments or data: URLs).  Errors read
    `path:line:0: figure 'src': what was expected`.
    """
    folder = Path(os.path.realpath(issue.source)).parent
    label = display_path(issue.source)
    problems = []
    for fig in figures(issue.sections):
        message = _figure_problem(fig.src, folder)
        if message:
            problems.append(Problem(label, fig.line, getattr(fig, "col", 0),
                                    f"figure {_short(fig.src)!r}: {message}"))
    if problems:
        raise InputError(problems)


def _figure_problem(src: str, folder: Path) -> str | None:
    reason = _relative_problem(src)
    if reason:
        return reason
    path = folder / src
    if not _inside(path, (folder,)):
        return "expected a file inside the issue's folder; it leads out of it (symbolic link)"
    try:
        info = path.stat()
    except OSError:
        return "expected an image file beside the issue; there is none"
    if not stat.S_ISREG(info.st_mode):
        return "expected an image file; this is not a regular file"
    if info.st_size > MAX_FIGURE_BYTES:
        return (f"expected an image of at most {MAX_FIGURE_BYTES // 2**20} MiB; "
                f"this one has {info.st_size / 2**20:.1f} MiB")
    data = path.read_bytes()
    if path.suffix.lower() == ".svg" or data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>"):
        return _svg_problem(data, path, folder)
    return _raster_problem(data)


def _relative_problem(src: str) -> str | None:
    """Why `src` is not a plain relative path inside the issue's folder (None if it is):
    the format's own rule for figure paths (schema datatype figure-path), written once."""
    rule = DATATYPES["figure-path"]
    return None if rule.accepts(src) else f"expected {rule.hint}, found {_short(src)!r}"


def _raster_problem(data: bytes) -> str | None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data))
            if image.format not in RASTER_FORMATS:
                return (f"expected a PNG, JPEG, GIF, WebP or SVG image, found "
                        f"{image.format or 'an unknown format'}")
            pixels = image.width * image.height
            if pixels > MAX_FIGURE_PIXELS:
                return (f"expected at most {MAX_FIGURE_PIXELS:,} pixels, found "
                        f"{image.width}×{image.height}")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"expected at most {MAX_FIGURE_PIXELS:,} pixels (a decompression bomb?)"
    except Exception as exc:  # Pillow raises many kinds on corrupt data
        return f"expected a PNG, JPEG, GIF, WebP or SVG image that decodes: {_reason(exc)}"
    return None


def _reason(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def _svg_problem(data: bytes, path: Path, folder: Path) -> str | None:
    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        return "expected an SVG without a DOCTYPE or entities"
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        return f"expected an image; not a PNG, JPEG, GIF, WebP or well-formed SVG ({exc})"
    if root.tag != f"{{{_SVG_NS}}}svg":
        return "expected an image; this XML is not an SVG"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        refs = [element.get("href"), element.get(_XLINK_HREF)]
        css = (element.get("style") or "") + (element.text or "" if _local(element) == "style"
                                              else "")
        refs += [a or b for _, a, _, b in _CSS_URL.findall(css)]
        for ref in filter(None, refs):
            reason = _svg_ref_problem(ref.strip(), path.parent, folder)
            if reason:
                return f"its reference {_short(ref)!r} (line {element.sourceline}): {reason}"
    return None


def _local(element) -> str:
    return etree.QName(element).localname


def _svg_ref_problem(ref: str, here: Path, folder: Path) -> str | None:
    if ref.startswith("#") or ref.lower().startswith("data:"):
        return None
    reason = _relative_problem(ref.split("#", 1)[0])
    if reason:
        return reason.replace("expected", "expected only #fragments, data: URLs or")
    if not _inside(here / ref.split("#", 1)[0], (folder,)):
        return "expected a file inside the issue's folder"
    return None
