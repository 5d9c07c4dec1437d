"""The two editions, proofed as a printer and as a reader would: read back from the PDF.

Print (PDF/X-4): the boxes, the output intent and its profile, the PDF/X keys, inks
only CMYK, no transparency, the pages of the baseline; then the separations as a RIP
makes them (Ghostscript's tiffsep): body text on the black plate only, the masthead on
magenta and yellow only, the marks on every plate, and the glyphs a RIP draws those a
screen shows.  Screen (PDF/UA-1): the catalogue's keys, and a structure tree that
reads a two-column document in order, headings and figures tagged, running heads as
artifacts.

The sample issue is built once per edition for the session (conftest `sample`,
`sample_print`); the structure tree is read on a small fixture (tests/fixtures/
columns.xml).
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, IndirectObject

from typeset.build import Options, build, check_issue, default_output
from typeset.check import squeeze
from typeset.cli import main
from typeset.layout import load_layout
from typeset.parse import parse_issue

from .conftest import FIXTURES, SAMPLE, minimal_variant

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
MANIFEST = json.loads((PROFILES / "MANIFEST.json").read_text(encoding="utf-8"))
LAYOUT = load_layout()
PRINT = LAYOUT.settings["print"]
PT_PER_MM = 72 / 25.4
DPI = 72  # separations: one pixel a point


def mm(setting: str) -> float:
    """A `[print]` length in mm, read here from the setting's text (3mm → 3.0)."""
    assert setting.endswith("mm"), setting
    return float(setting[:-2])


def profile_entry(role: str) -> dict:
    return next(e for e in MANIFEST["profiles"] if e["role"] == role)


# ----------------------------------------------------------------------------- profiles/


@pytest.mark.parametrize("entry", MANIFEST["profiles"], ids=lambda e: e["role"])
def test_profiles_folder_matches_its_manifest(entry):
    path = PROFILES / entry["file"]
    data = path.read_bytes()
    assert len(data) == entry["size"] and hashlib.sha256(data).hexdigest() == entry["sha256"]
    profile = ImageCms.ImageCmsProfile(str(path)).profile
    assert profile.xcolor_space.strip() == entry["colour_space"]
    assert profile.profile_description == entry["description"]
    licence = (PROFILES / entry["licence_file"]).read_text(encoding="utf-8")
    assert "Permission is granted to anyone" in licence  # the Zlib grant, kept with it
    assert entry["source"]["debian_package"] and entry["source"]["version"]


# ----------------------------------------------------------------------------- print: PDF


def _boxes(page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page[f"/{name}"]]
            for name in ("MediaBox", "TrimBox", "BleedBox")}


def test_print_edition_has_trim_bleed_and_media_boxes(sample_print):
    _result, facts = sample_print
    width, height = LAYOUT.page_size_pt()
    bleed, media = mm(PRINT["bleed"]) * PT_PER_MM, mm(PRINT["media_margin"]) * PT_PER_MM
    assert bleed == pytest.approx(8.504, abs=1e-3)  # 3 mm, as the printing house asks
    for index, page in enumerate(facts.reader.pages):
        boxes = _boxes(page)
        assert boxes["TrimBox"] == pytest.approx([0, 0, width, height], abs=0.01), index
        assert boxes["BleedBox"] == pytest.approx(
            [-bleed, -bleed, width + bleed, height + bleed], abs=0.01), index
        assert boxes["MediaBox"] == pytest.approx(
            [-media, -media, width + media, height + media], abs=0.01), index
        assert "/CropBox" not in page and "/ArtBox" not in page  # PDF/X: TrimBox, not both


def test_print_edition_is_pdf_x4_with_the_profile_as_output_intent(sample_print):
    _result, facts = sample_print
    reader = facts.reader
    catalog = reader.trailer["/Root"]
    assert reader.pdf_header == "%PDF-1.6"
    assert len(reader.trailer["/ID"]) == 2  # PDF/X: a file identifier
    intents = catalog["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    entry = profile_entry(PRINT["profile"])
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == entry["output_condition"]["identifier"]
    assert intent["/RegistryName"] == entry["output_condition"]["registry"]
    assert intent["/Info"] == entry["description"]
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4
    assert hashlib.sha256(profile.get_data()).hexdigest() == entry["sha256"]  # as shipped
    info = reader.metadata
    assert info["/Trapped"] == "/False" and info["/Title"]
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert f'<rdf:li xml:lang="x-default">{info["/Title"]}</rdf:li>' in xmp  # one title
    for key in ("DocumentID", "VersionID", "RenditionClass"):
        assert f"<xmpMM:{key}>" in xmp
    assert "/StructTreeRoot" not in catalog  # tags are the screen edition's


def _content_streams(reader: PdfReader):
    """Every page's content and every form XObject's, decoded, with the page index."""
    seen = set()
    for index, page in enumerate(reader.pages):
        yield index, page.get_contents().get_data()
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            xobject = ref.get_object()
            if xobject["/Subtype"] == "/Form" and ref.idnum not in seen:
                seen.add(ref.idnum)
                yield index, xobject.get_data()


#: Operators that set a device colour other than CMYK: RGB and grey.
_DEVICE_RGB_OR_GREY = re.compile(rb"(?:^|\s)(?:rg|RG|g|G)(?=\s)")


def test_print_edition_inks_are_cmyk_only_and_nothing_is_transparent(sample_print):
    _result, facts = sample_print
    reader = facts.reader
    spaces_used = set()
    for index, data in _content_streams(reader):
        assert not _DEVICE_RGB_OR_GREY.search(data), f"page {index + 1}: RGB or grey"
        spaces_used |= set(re.findall(rb"/([\w-]+) (?:cs|CS)\b", data))
    assert spaces_used == {b"DeviceCMYK", b"TSRegistration"}
    resources = reader.pages[0]["/Resources"]
    registration = resources["/ColorSpace"]["/TSRegistration"]
    assert registration[0] == "/Separation" and registration[1] == "/All"
    default_rgb = resources["/ColorSpace"]["/DefaultRGB"]  # what a figure's RGB means
    rgb = profile_entry(PRINT["default_rgb"])
    assert hashlib.sha256(default_rgb[1].get_object().get_data()).hexdigest() == rgb["sha256"]
    for state in (resources.get("/ExtGState") or {}).values():
        state = state.get_object()
        assert state.get("/ca", 1) == 1 and state.get("/CA", 1) == 1
        assert "/SMask" not in state and state.get("/BM", "/Normal") == "/Normal"
    for page in reader.pages:
        assert "/Group" not in page
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()  # the contents' links: never printed
            assert annotation["/Subtype"] == "/Link" and not int(annotation.get("/F", 0)) & 4
    for font in facts.fonts.values():
        assert font.embedded and font.subset, font.name


def test_print_edition_keeps_the_pages_of_the_baseline(sample_print):
    """Same pages, same starts, same contents numbers: `typeset check` on the print
    edition finds nothing, the trim size read from the TrimBox."""
    result, _facts = sample_print
    report = check_issue(SAMPLE, pdf_path=result.output)
    assert report.ok, report.lines()
    assert not report.differences


def test_preview_of_the_print_edition_shows_its_pages(sample_print, tmp_path, capsys):
    """`typeset preview --edition print`: the document's pages of the print edition,
    with its boxes and output intent, the same text as the print build's pages."""
    _result, built = sample_print
    out = tmp_path / "p.pdf"
    assert main(["preview", "--edition", "print", str(SAMPLE), "jjzb-2021-04",
                 "-o", str(out)]) == 0
    reader = PdfReader(out)
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert all("/TrimBox" in page and "/BleedBox" in page for page in reader.pages)
    from typeset.check import read_pdf

    shown = read_pdf(out)
    start = built.labels.index(shown.labels[0])
    for i in range(shown.pages):
        assert "".join(shown.text(i).split()) == "".join(built.text(start + i).split())


def test_default_output_names_the_print_edition(tmp_path):
    assert default_output(Path("issues/x.xml"), Options()) == Path("out/x.pdf")
    assert default_output(Path("issues/x.xml"), Options(edition="print")) == \
        Path("out/x-print.pdf")
    assert default_output(Path("issues/x.xml"), Options(edition="print", only="d1")) == \
        Path("out/x-d1-print.pdf")


# ----------------------------------------------------------------------------- separations


def _ghostscript() -> str:
    """The gs command; in CI (where ./dev setup installs it) its absence is a failure."""
    gs = shutil.which("gs")
    if gs is None:
        message = ("Ghostscript (gs) is not installed; ./dev setup installs it "
                   "(apt-get install ghostscript)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return gs


@pytest.fixture(scope="module")
def plates(sample_print, tmp_path_factory):
    """The print edition's cover and first document page separated as a RIP would:
    {"cover"|"body": {"Cyan"|"Magenta"|"Yellow"|"Black": ink image}} (0 = no ink)."""
    gs = _ghostscript()
    result, facts = sample_print
    body = facts.dests[result.issue.documents[0].id]
    folder = tmp_path_factory.mktemp("plates")
    subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep",
                    f"-r{DPI}", f"-sPageList=1,{body + 1}", f"-sOutputFile={folder}/p%d.tif",
                    str(result.output)], check=True, timeout=120)
    out = {}
    for name, number in (("cover", 1), ("body", 2)):
        out[name] = {ink: ImageChops.invert(Image.open(folder / f"p{number}({ink}).tif")
                                            .convert("L"))
                     for ink in ("Cyan", "Magenta", "Yellow", "Black")}
    out["body_index"] = body
    return out


def _pixels(box_pt, page_box) -> tuple[int, int, int, int]:
    """A rectangle in PDF points (x0, y0, x1, y1) as a pixel box of a plate of the page
    whose MediaBox is `page_box` (y downwards from its top)."""
    x0, y0, x1, y1 = box_pt
    scale = DPI / 72
    return (round((x0 - page_box[0]) * scale), round((page_box[3] - y1) * scale),
            round((x1 - page_box[0]) * scale), round((page_box[3] - y0) * scale))


def _inked(image: Image.Image, box=None, threshold: int = 32) -> int:
    """How many pixels of `image` (inside `box`) carry more than `threshold` of ink."""
    image = image.crop(box) if box else image
    return sum(image.point(lambda v: 255 if v > threshold else 0).histogram()[255:])


def _both(a: Image.Image, b: Image.Image, box) -> int:
    """Pixels inside `box` inked on both plates."""
    mask = [p.crop(box).point(lambda v: 255 if v > 32 else 0).convert("1") for p in (a, b)]
    return ImageChops.logical_and(*mask).histogram()[255]


def _masthead_pt(result) -> tuple[float, float, float, float]:
    """The masthead's border box on the cover, in PDF points, from the laid-out page."""
    page = result.document.pages[0]
    box = next(b for b in page._page_box.descendants()
               if b.element is not None and "masthead" in (b.element.get("class") or "")
               and b.element_tag == "h1")
    height_pt = page.height * 0.75  # the page's (the trim's) height, CSS px to pt
    x, y = box.border_box_x() * 0.75, box.border_box_y() * 0.75
    w, h = box.border_width() * 0.75, box.border_height() * 0.75
    return (x, height_pt - y - h, x + w, height_pt - y)


def test_masthead_lies_on_magenta_and_yellow_only(sample_print, plates):
    result, facts = sample_print
    page = facts.reader.pages[0]
    media, trim = _boxes(page)["MediaBox"], _boxes(page)["TrimBox"]
    masthead = _pixels(_masthead_pt(result), media)
    cover = plates["cover"]
    area = (masthead[2] - masthead[0]) * (masthead[3] - masthead[1])
    for ink in ("Magenta", "Yellow"):
        assert _inked(cover[ink], masthead) > area * 0.03, ink  # the rules and the name
    assert _inked(cover["Cyan"], masthead) == 0
    assert _inked(cover["Black"], masthead) == 0
    # the red is one mix everywhere on the cover: magenta exactly where yellow is, no
    # cyan at all, and no black under or over it (black text stands beside it)
    inside = _pixels(trim, media)
    assert _inked(cover["Cyan"], inside) == 0
    difference = ImageChops.difference(cover["Magenta"], cover["Yellow"]).crop(inside)
    assert difference.getextrema()[1] <= 8
    assert _inked(cover["Black"], inside) > 0  # the board, the number, the date
    assert _both(cover["Black"], cover["Magenta"], inside) == 0


def test_body_text_lies_on_the_black_plate_only(sample_print, plates):
    _result, facts = sample_print
    page = facts.reader.pages[plates["body_index"]]
    boxes = _boxes(page)
    inside = _pixels(boxes["TrimBox"], boxes["MediaBox"])
    body = plates["body"]
    assert _inked(body["Black"], inside) > 10_000  # a page of text at one pixel a point
    for ink in ("Cyan", "Magenta", "Yellow"):
        assert _inked(body[ink], inside) == 0, ink


def test_marks_are_in_registration_on_every_plate_outside_the_bleed(sample_print, plates):
    _result, facts = sample_print
    page = facts.reader.pages[plates["body_index"]]
    boxes = _boxes(page)
    media = boxes["MediaBox"]
    width, height = _pixels(media, media)[2:]
    bleed = _pixels(boxes["BleedBox"], media)
    body = plates["body"]
    slug = Image.new("L", (width, height), 255)
    slug.paste(0, bleed)  # the area outside the bleed, where only the marks are
    for ink in ("Cyan", "Magenta", "Yellow", "Black"):
        outside = ImageChops.multiply(body[ink], slug)
        assert _inked(outside) > 100, ink  # crop marks and targets
        assert ImageChops.difference(outside, ImageChops.multiply(body["Black"], slug)) \
            .getextrema()[1] <= 8, ink  # the same marks on every plate
    # and nothing of them inside the bleed: the bleed area itself carries no ink
    ring = Image.new("L", (width, height), 0)
    ring.paste(255, bleed)
    ring.paste(0, _pixels(boxes["TrimBox"], media))
    assert _inked(ImageChops.multiply(body["Black"], ring)) == 0


def test_a_rip_draws_the_glyphs_a_screen_shows(sample_print, plates):
    """Ghostscript finds a CID-keyed font's glyphs through the CFF charset, as the PDF
    specification says and RIPs do; PDFium indexes glyphs directly.  The black plate and PDFium's
    page agree only when every CID is its glyph ID (fonts/ is made so): with the old
    fonts the correlation was about 0.5 (boxes for most characters), now above 0.9."""
    import pypdfium2

    result, _facts = sample_print
    plate = plates["body"]["Black"]
    document = pypdfium2.PdfDocument(str(result.output))
    try:
        screen = document[plates["body_index"]].render(scale=DPI / 72, grayscale=True)
        screen = ImageChops.invert(screen.to_pil().convert("L")).crop((0, 0, *plate.size))
    finally:
        document.close()
    block = 8  # pixels (points): about a character's stroke pattern
    size = (plate.size[0] // block, plate.size[1] // block)
    a = plate.resize(size, Image.BOX).tobytes()
    b = screen.resize(size, Image.BOX).tobytes()
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    cov = sum((x - mean_a) * (y - mean_b) for x, y in zip(a, b, strict=True))
    var_a = sum((x - mean_a) ** 2 for x in a)
    var_b = sum((y - mean_b) ** 2 for y in b)
    assert cov / (var_a * var_b) ** 0.5 > 0.85


# ----------------------------------------------------------------------------- screen


def test_screen_edition_is_tagged_pdf_ua_with_its_title_shown(sample):
    _result, facts = sample
    reader = facts.reader
    catalog = reader.trailer["/Root"]
    assert reader.pdf_header == "%PDF-1.7"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert str(catalog["/Lang"]) == LAYOUT.settings["document"]["lang"]
    assert "/StructTreeRoot" in catalog and "/OutputIntents" not in catalog
    assert facts.metadata["Title"] and facts.outline
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfuaid:part="1"|<pdfuaid:part>1</pdfuaid:part>', xmp)
    for page in reader.pages:
        assert page["/Tabs"] == "/S"
        boxes = _boxes(page)  # no bleed on screen: the three boxes are the page
        assert boxes["MediaBox"] == boxes["TrimBox"] == boxes["BleedBox"]


@pytest.fixture(scope="module")
def columns(tmp_path_factory):
    """The two-column fixture's screen edition: its issue, path and tagged reading."""
    out = tmp_path_factory.mktemp("columns") / "columns.pdf"
    result = build(FIXTURES / "columns.xml", Options(output=out))
    return result, Tagged(out)


class Tagged:
    """A tagged PDF read back: the structure tree in order, and the text of each marked
    content (PDFium's page objects and their MCIDs)."""

    def __init__(self, path: Path):
        import pypdfium2

        self.reader = PdfReader(path)
        self.page_of = {p.indirect_reference.idnum: i for i, p in enumerate(self.reader.pages)}
        self.elements: list[dict] = []  # depth-first: {"S", "Alt", "page", "parents"}
        self.kids: list[tuple[int, int, tuple[str, ...]]] = []  # (page, mcid, ancestors)
        root = self.reader.trailer["/Root"]["/StructTreeRoot"]
        self._walk(root["/K"], None, ())
        self.texts: dict[int, dict[int, str]] = {}
        self.artifacts: dict[int, list[str]] = {}
        self.positions: dict[int, dict[int, float]] = {}  # page → mcid → left x
        document = pypdfium2.PdfDocument(path)
        try:
            for index in range(len(document)):
                self._read_page(document[index], index)
        finally:
            document.close()

    def _walk(self, node, page, parents) -> None:
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if isinstance(node, ArrayObject):
            for kid in node:
                self._walk(kid, page, parents)
        elif isinstance(node, DictionaryObject):
            if node.get("/Type") == "/OBJR":
                return
            if node.get("/Type") == "/MCR":
                self.kids.append((self.page_of[node.raw_get("/Pg").idnum], int(node["/MCID"]),
                                  parents))
                return
            if "/Pg" in node:
                page = self.page_of[node.raw_get("/Pg").idnum]
            kind = str(node["/S"])
            self.elements.append({"S": kind, "Alt": node.get("/Alt"), "page": page,
                                  "parents": parents, "first_kid": len(self.kids)})
            if "/K" in node:
                self._walk(node["/K"], page, (*parents, kind))
        else:
            self.kids.append((page, int(node), parents))

    def _read_page(self, page, index: int) -> None:
        import pypdfium2.raw as raw

        textpage = page.get_textpage()
        texts: dict[int, list[str]] = {}
        for obj in page.get_objects(max_depth=8):
            if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                continue
            size = raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            buffer = (ctypes.c_ushort * (size // 2))()
            raw.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size)
            text = bytes(buffer).decode("utf-16-le").rstrip("\x00")
            mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
            if mcid >= 0:
                texts.setdefault(mcid, []).append(text)
                left = ctypes.c_float()
                raw.FPDFPageObj_GetBounds(obj.raw, left, ctypes.c_float(), ctypes.c_float(),
                                          ctypes.c_float())
                self.positions.setdefault(index, {}).setdefault(mcid, left.value)
            elif _mark_names(obj.raw) == ["Artifact"]:
                self.artifacts.setdefault(index, []).append(text)
            else:  # text that is neither structure nor artifact: PDF/UA forbids it
                texts.setdefault(-1, []).append(text)
        self.texts[index] = {mcid: "".join(parts) for mcid, parts in texts.items()}
        textpage.close()
        page.close()

    def text_of(self, kind: str, within: str | None = None) -> list[str]:
        """The text under each structure element of `kind` (e.g. "/P"), in tree order;
        only those inside an element of kind `within` (e.g. "/Art"), if given."""
        out = []
        for i, element in enumerate(self.elements):
            if element["S"] != kind or (within and within not in element["parents"]):
                continue
            depth = len(element["parents"])
            end = next((e["first_kid"] for e in self.elements[i + 1:]
                        if len(e["parents"]) <= depth), len(self.kids))
            out.append("".join(self.texts[page].get(mcid, "")
                               for page, mcid, _ in self.kids[element["first_kid"]:end]))
        return out


def _mark_names(obj) -> list[str]:
    import pypdfium2.raw as raw

    names = []
    for k in range(raw.FPDFPageObj_CountMarks(obj)):
        mark = raw.FPDFPageObj_GetMark(obj, k)
        length = ctypes.c_ulong()
        raw.FPDFPageObjMark_GetName(mark, None, 0, length)
        buffer = (ctypes.c_ushort * (length.value // 2))()
        raw.FPDFPageObjMark_GetName(mark, buffer, length.value, length)
        names.append(bytes(buffer).decode("utf-16-le").rstrip("\x00"))
    return names


def test_text_in_tag_order_is_the_document_in_both_columns(columns):
    result, tagged = columns
    document = result.issue.documents[0]
    read = squeeze("".join(tagged.text_of("/Art")))
    assert read == squeeze(document.text())  # the model's text, in print order
    # both columns hold text, and the tree reads the left one, whole, before the right
    page = next(p for p, _mcid, parents in tagged.kids if "/Art" in parents)
    middle = float(tagged.reader.pages[page].trimbox.width) / 2
    sides = ["left" if tagged.positions[page][mcid] < middle else "right"
             for p, mcid, parents in tagged.kids
             if p == page and "/Art" in parents and "/H2" not in parents
             and "/Table" not in parents  # the title and the table span both columns
             and mcid in tagged.positions[page]]  # text, not the figure's image
    first_right = sides.index("right")
    right = len(list(itertools.takewhile(lambda side: side == "right", sides[first_right:])))
    assert first_right >= 5 and right >= 5, sides


def test_paragraphs_and_headings_are_tagged_in_reading_order(columns):
    result, tagged = columns
    document = result.issue.documents[0]
    paragraphs = [squeeze(b.text()) for b in document.body if b.kind == "p"]
    # each body paragraph is a P (or, parted by the column break, consecutive Ps) in
    # order; the other Ps of the document (addressee, signature) fall between them
    found, pending, piece = [], list(paragraphs), ""
    for text in (squeeze(t) for t in tagged.text_of("/P", within="/Art")):
        piece += text
        if pending and piece == pending[0]:
            found.append(pending.pop(0))
            piece = ""
        elif not (pending and pending[0].startswith(piece)):
            piece = ""
    assert found == paragraphs
    headings = [squeeze(b.text()) for b in document.body if b.kind == "heading"]
    h_elements = [squeeze(t) for kind in ("/H2", "/H3") for t in tagged.text_of(kind)]
    for heading in headings:
        assert heading in h_elements
    assert squeeze(document.title_text) in [squeeze(t) for t in tagged.text_of("/H2")]


def test_figures_carry_their_alternative_text(columns):
    result, tagged = columns
    figure = next(b for b in result.issue.documents[0].body if b.kind == "figure")
    figures = [e for e in tagged.elements if e["S"] == "/Figure"]
    assert [str(e["Alt"]) for e in figures] == [figure.alt]
    assert figure.alt == "一个红色的长方形，表示测试用的图"


def test_running_heads_are_artifacts_and_all_other_text_is_in_the_tree(columns):
    _result, tagged = columns
    referenced = {(page, mcid) for page, mcid, _ in tagged.kids}
    for page, texts in tagged.texts.items():
        assert -1 not in texts, f"page {page + 1}: text neither tagged nor an artifact"
        orphans = {mcid: text for mcid, text in texts.items() if (page, mcid) not in referenced}
        assert not orphans, f"page {page + 1}: marked content no element holds: {orphans}"
    labels = list(tagged.reader.page_labels)
    heads = {labels[i]: squeeze("".join(texts)) for i, texts in tagged.artifacts.items()}
    assert heads["1"] == "1"  # the contents page's folio
    assert heads["2"] == "2测试自治区人民政府公报2021年第2期"  # a verso running head
    # the contents' slogans, a running element in the margin, are content, not artifacts
    assert "发布政令" in squeeze("".join(tagged.text_of("/Document")))
    assert not any("发布政令" in head for head in heads.values())


# ----------------------------------------------------------------------------- both


@pytest.mark.parametrize("edition", ["screen", "print"])
def test_each_edition_builds_byte_identical(tmp_path, minimal_path, edition):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert main(["build", str(minimal_path), "-o", str(first), "--edition", edition]) == 0
    assert main(["build", str(minimal_path), "-o", str(second), "--edition", edition]) == 0
    assert first.read_bytes() == second.read_bytes()
    reader = PdfReader(first)
    assert ("/OutputIntents" in reader.trailer["/Root"]) == (edition == "print")


def test_a_figure_without_alternative_text_is_refused(tmp_path, capsys):
    shutil.copy(FIXTURES / "dot.svg", tmp_path / "dot.svg")
    path = minimal_variant(tmp_path, ("<p>现将有关事项通知如下。</p>",
                                      '<figure><img src="dot.svg"/></figure>'))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "alt" in err and f"{path.name}:" in err


@pytest.mark.parametrize("setting, value, expected", [
    ("text", '"#000000"', r"'print\.text': expected a CMYK colour"),
    ("accent", '"device-cmyk(0 1 1)"', r"'print\.accent': expected a CMYK colour"),
    ("marks", '"trim"', r"'print\.marks': expected crop, cross"),
    ("media_margin", '"5mm"', r"'print\.media_margin': expected at least the bleed \+ 5mm"),
    ("profile", '"srgb"', r"print\.profile = 'srgb': no CMYK profile"),
])
def test_print_settings_the_press_cannot_take_are_one_line(tmp_path, monkeypatch, capsys,
                                                            minimal_path, setting, value,
                                                            expected):
    from .test_security import copy_layouts

    layouts = copy_layouts(tmp_path, monkeypatch)
    toml = layouts / "gazette" / "layout.toml"
    text = toml.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith(f"{setting} = ")
                and text.index(ln) > text.index("[print]"))
    toml.write_text(text.replace(line, f"{setting} = {value}", 1), encoding="utf-8")
    code = main(["build", str(minimal_path), "-o", str(tmp_path / "x.pdf"),
                 "--edition", "print"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert re.search(expected, err), err


def test_alt_text_and_print_colours_reach_the_html():
    """The alt text travels from the issue through the model into the <img>."""
    from typeset.compose import compose

    def style(html: str) -> str:  # the style sheet's rules, without its comments
        return re.sub(r"/\*.*?\*/", "", html.split("</style>")[0], flags=re.S)

    issue = parse_issue(FIXTURES / "columns.xml")
    html = compose(issue, LAYOUT)
    assert 'alt="一个红色的长方形，表示测试用的图"' in html
    assert "@color-profile" not in style(html) and "device-cmyk" not in style(html)
    assert LAYOUT.settings["type"]["accent"] in style(html)  # screen: RGB
    printed = style(compose(issue, LAYOUT, edition="print"))
    assert "@color-profile device-cmyk" in printed and "bleed:" in printed
    assert LAYOUT.settings["type"]["accent"] not in printed
    assert PRINT["text"] in printed and PRINT["accent"] in printed


@pytest.mark.parametrize("edition", ["screen", "print"])
def test_objects_are_in_small_object_streams_the_catalog_apart_from_the_tags(
        sample, sample_print, edition):
    """Each edition's objects lie in object streams of at most OBJECTS_PER_STREAM, so
    a reader looking up the catalog and the pages parses none of the structure tree
    (thousands of elements in the screen edition); every object is read back."""
    from typeset.pdf import OBJECTS_PER_STREAM

    _result, facts = sample if edition == "screen" else sample_print
    reader = facts.reader
    streams = {}
    for stream, index in reader.xref_objStm.values():
        streams.setdefault(stream, []).append(index)
    total = len(reader.xref_objStm)
    assert total > OBJECTS_PER_STREAM
    assert len(streams) == -(-total // OBJECTS_PER_STREAM)
    assert all(sorted(indexes) == list(range(len(indexes))) and
               len(indexes) <= OBJECTS_PER_STREAM for indexes in streams.values())
    if edition == "screen":  # tagged: thousands of structure elements
        catalog = reader.trailer.raw_get("/Root").idnum
        tags = reader.trailer["/Root"].raw_get("/StructTreeRoot")
        elements = reader.get_object(tags)["/K"][0].get_object()["/K"]
        in_catalogs = reader.xref_objStm[catalog][0]
        assert len(streams) > 10
        assert all(reader.xref_objStm[element.idnum][0] != in_catalogs
                   for element in list(elements)[5:])
    for number in reader.xref_objStm:
        assert reader.get_object(number) is not None
