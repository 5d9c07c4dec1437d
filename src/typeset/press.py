"""Turn the PDF WeasyPrint makes as PDF/X-4 into the print edition a press takes.

In: the `pydyf.PDF` that WeasyPrint 70 has built with `pdf_variant="pdf/x-4"` (its
output intent is the style sheet's `@color-profile device-cmyk`, its MediaBox the page
plus the CSS `bleed`) and a `Press`, the layout's `[print]` settings resolved.  Out:
the same PDF, finished in the write step (`pdf.pdf_bytes` calls `finish`), with

- the output intent naming the printing condition as the ICC registry does (FOGRA39,
  http://www.color.org) beside the embedded profile, not only the profile's name; the
  profile is the file of `profiles/` byte for byte, deflated once per process (at
  level 6: WeasyPrint's level 9 took a second a build for 0.6 % less);
- each page's BleedBox at the layout's bleed beyond the TrimBox (WeasyPrint puts it
  at most 10 pt beyond, whatever the CSS bleed);
- crop marks and registration targets in the slug between the bleed and the
  MediaBox's edge, in the registration colour (a Separation "All": every plate
  receives them), as each page's first content.  WeasyPrint's own CSS `marks` are
  DeviceRGB black (a press converts them to a four-colour black of unknown mix) and
  sit inside the bleed, so typeset draws its own;
- a DefaultRGB colour space (sRGB): RGB content, such as a figure's pixels, then has a
  meaning the press converts with the output intent, as PDF/X-4 requires of it;
- an xmpMM:DocumentID derived from the document's title, where WeasyPrint writes a
  random one: two builds of an issue stay byte-identical.
"""

from __future__ import annotations

import functools
import math
import re
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import pydyf

from .layout import Layout, Profile

#: How the marks are drawn: hairlines, a gap after the bleed, the target's size (pt).
MARK_WIDTH = 0.25
MARK_GAP = 2 * 72 / 25.4
TARGET_RADIUS = 1.5 * 72 / 25.4
#: The name of the registration colour in the pages' colour space resources.
REGISTRATION = "TSRegistration"


@dataclass(frozen=True)
class Press:
    """What the print edition carries for the press, from the layout's `[print]`."""

    cmyk: Profile  # the printing condition's profile: the output intent
    rgb: Profile  # DefaultRGB: what RGB content means
    bleed: float  # pt beyond the trim: the BleedBox
    marks: frozenset[str]  # {"crop", "cross"} or fewer

    @classmethod
    def from_layout(cls, layout: Layout) -> Press:
        bleed, _media = layout.print_lengths_pt()
        marks = frozenset(layout.settings["print"]["marks"].split()) - {"none"}
        return cls(layout.profiles["profile"], layout.profiles["default_rgb"], bleed, marks)


def finish(pdf: pydyf.PDF, press: Press, title: str) -> None:
    """Add to `pdf` what the press needs (see the module's docstring)."""
    pages = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]  # n 0 R, n 0 R…
    resources = _object(pdf, pages[0]["Resources"])
    colour_spaces = _object(pdf, resources["ColorSpace"])
    rgb = pydyf.Stream([press.rgb.path.read_bytes()], pydyf.Dictionary({"N": 3}),
                       compress=True)
    pdf.add_object(rgb)
    colour_spaces["DefaultRGB"] = pydyf.Array(["/ICCBased", rgb.reference])
    colour_spaces[REGISTRATION] = pydyf.Array(["/Separation", "/All", "/DeviceCMYK",
                                               pydyf.Dictionary({
                                                   "FunctionType": 2,
                                                   "Domain": pydyf.Array([0, 1]),
                                                   "C0": pydyf.Array([0, 0, 0, 0]),
                                                   "C1": pydyf.Array([1, 1, 1, 1]),
                                                   "N": 1})])
    marks: dict[tuple, bytes] = {}  # one marks stream per page geometry
    for page in pages:
        trim, media = tuple(page["TrimBox"]), tuple(page["MediaBox"])
        page["BleedBox"] = pydyf.Array(_bleed_box(trim, media, press.bleed))
        if press.marks:
            if (trim, media) not in marks:
                stream = _marks(trim, media, press.bleed, press.marks)
                pdf.add_object(stream)
                marks[trim, media] = stream.reference
            page["Contents"] = pydyf.Array([marks[trim, media], page["Contents"]])
    _name_the_condition(pdf, press.cmyk)
    _stable_document_id(pdf, title)


def _object(pdf: pydyf.PDF, reference):
    """The object a `b"12 0 R"` reference names (or the object itself)."""
    if isinstance(reference, bytes):
        return pdf.objects[int(reference.split()[0])]
    return reference


def _bleed_box(trim, media, bleed: float) -> list[float]:
    left, bottom, right, top = trim
    box = [left - bleed, bottom - bleed, right + bleed, top + bleed]
    return [max(box[0], media[0]), max(box[1], media[1]),
            min(box[2], media[2]), min(box[3], media[3])]


def _marks(trim, media, bleed: float, kinds: frozenset[str]) -> pydyf.Stream:
    """Crop marks at the corners and registration targets at the middle of each side,
    between the bleed (plus a gap) and the MediaBox's edge, in the registration
    colour.  Drawn first on the page, in default user space, state restored after."""
    left, bottom, right, top = trim
    start = bleed + MARK_GAP  # distance from the trim where a mark begins
    room = min(left - media[0], bottom - media[1], media[2] - right, media[3] - top)
    end = room - MARK_GAP / 2  # and where it ends, short of the MediaBox's edge
    stream = pydyf.Stream(compress=True)
    stream.push_state()
    stream.set_color_space(REGISTRATION, stroke=True)
    stream.set_color_special(None, True, 1)
    stream.set_line_width(MARK_WIDTH)
    if "crop" in kinds:
        for x, y, dx, dy in ((left, bottom, -1, -1), (right, bottom, 1, -1),
                             (left, top, -1, 1), (right, top, 1, 1)):
            stream.move_to(x + dx * start, y)  # along the trim's horizontal edge
            stream.line_to(x + dx * end, y)
            stream.move_to(x, y + dy * start)  # along its vertical edge
            stream.line_to(x, y + dy * end)
        stream.stroke()
    if "cross" in kinds:
        middle = (start + end) / 2
        radius = min(TARGET_RADIUS, (end - start) / 2)
        centre_x, centre_y = (left + right) / 2, (bottom + top) / 2
        for x, y in ((centre_x, bottom - middle), (centre_x, top + middle),
                     (left - middle, centre_y), (right + middle, centre_y)):
            _circle(stream, x, y, radius * 0.6)
            stream.move_to(x - radius, y)
            stream.line_to(x + radius, y)
            stream.move_to(x, y - radius)
            stream.line_to(x, y + radius)
        stream.stroke()
    stream.pop_state()
    return stream


def _circle(stream: pydyf.Stream, x: float, y: float, r: float) -> None:
    """A circle as four Bézier quarters."""
    k = r * 4 * (math.sqrt(2) - 1) / 3
    stream.move_to(x + r, y)
    stream.curve_to(x + r, y + k, x + k, y + r, x, y + r)
    stream.curve_to(x - k, y + r, x - r, y + k, x - r, y)
    stream.curve_to(x - r, y - k, x - k, y - r, x, y - r)
    stream.curve_to(x + k, y - r, x + r, y - k, x + r, y)
    stream.close()


def _name_the_condition(pdf: pydyf.PDF, profile: Profile) -> None:
    """The output intent as the registry names it, beside the profile WeasyPrint embeds."""
    intent = pdf.catalog["OutputIntents"][0]
    stream = _object(pdf, intent["DestOutputProfile"])  # also the device-cmyk ICCBased
    stream.stream = [_deflated(profile.path)]
    stream.extra["Filter"] = "/FlateDecode"
    stream.compress = False
    condition = profile.output_condition
    intent["OutputConditionIdentifier"] = pydyf.String(condition.get("identifier")
                                                       or profile.description)
    if condition.get("condition"):
        intent["OutputCondition"] = pydyf.String(condition["condition"])
    if condition.get("registry"):
        intent["RegistryName"] = pydyf.String(condition["registry"])
    intent["Info"] = pydyf.String(profile.description)


@functools.cache
def _deflated(path: Path) -> bytes:
    return zlib.compress(path.read_bytes(), 6)


_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def _stable_document_id(pdf: pydyf.PDF, title: str) -> None:
    """Replace WeasyPrint's random xmpMM:DocumentID by one derived from the title: the
    same issue keeps the same id, as XMP means it, and builds stay reproducible."""
    metadata = _object(pdf, pdf.catalog["Metadata"])
    stable = f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, 'typeset:print:' + title)}".encode()
    metadata.stream = [_DOCUMENT_ID.sub(stable, part) if isinstance(part, bytes) else part
                       for part in metadata.stream]
