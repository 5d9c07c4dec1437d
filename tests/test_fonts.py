"""The vendored fonts in fonts/ are what fonts/MANIFEST.json says they are.

These checks need only the files in the repository (not the upstream Debian
fonts), so they run on any machine. Regenerate the fonts with
``python tools/make_fonts.py``; see fonts/README.md.
"""

import hashlib
import json
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parents[1] / "fonts"
MANIFEST = json.loads((FONTS / "MANIFEST.json").read_text(encoding="utf-8"))
ENTRIES = {e["role"]: e for e in MANIFEST["fonts"]}

URO = range(0x4E00, 0x9FFF + 1)  # CJK Unified Ideographs
EXT_A = range(0x3400, 0x4DBF + 1)  # CJK Unified Ideographs Extension A

# Code points of those two blocks that Noto CJK 2.00x does not have at all: they
# were encoded (Unicode 11-14) after its glyph set was fixed.
NOTO_UNENCODED = set(range(0x9FEB, 0x9FFF + 1)) | set(range(0x4DB6, 0x4DBF + 1))

# The layout features typeset relies on for Chinese text, and where each face
# has them. LXGW WenKai has no GPOS table upstream (so no halt/vhal/palt/vpal/
# kern) and no locl/ccmp/fwid/hwid/pwid/vrt2; it does have vert and liga.
NOTO_GSUB = {"ccmp", "locl", "fwid", "hwid", "pwid", "vert", "vrt2", "liga"}
NOTO_GPOS = {"halt", "vhal", "palt", "vpal", "kern"}
EXPECTED_FEATURES = {
    "serif": (NOTO_GSUB, NOTO_GPOS),
    "serif-bold": (NOTO_GSUB, NOTO_GPOS),
    "sans": (NOTO_GSUB, NOTO_GPOS),
    "kai": ({"vert", "liga"}, set()),
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_font(role: str) -> TTFont:
    """The vendored font of ``role``; use it as a context manager so the file is closed."""
    return TTFont(str(FONTS / ENTRIES[role]["file"]), lazy=True)


def features(font: TTFont, tag: str) -> set[str]:
    if tag not in font or not font[tag].table.FeatureList:
        return set()
    return {r.FeatureTag for r in font[tag].table.FeatureList.FeatureRecord}


def test_manifest_has_every_role():
    assert set(ENTRIES) == {"serif", "serif-bold", "sans", "kai"}
    assert len(MANIFEST["fonts"]) == len(ENTRIES)


@pytest.mark.parametrize("role", sorted(EXPECTED_FEATURES))
def test_file_matches_manifest(role):
    entry = ENTRIES[role]
    path = FONTS / entry["file"]
    assert path.is_file()
    assert path.stat().st_size == entry["size"]
    assert sha256(path) == entry["sha256"]
    assert entry["size"] < 20 * 1024 * 1024, "keep each binary under 20 MB for git"
    for key in ("sha256", "path", "version"):
        assert entry["upstream"][key]
    assert entry["licence"].startswith("SIL Open Font License 1.1")
    assert (FONTS / entry["licence_file"]).is_file()


@pytest.mark.parametrize("role", sorted(EXPECTED_FEATURES))
def test_names_in_file_match_manifest(role):
    entry = ENTRIES[role]
    with open_font(role) as font:
        name = font["name"]
    assert (name.getDebugName(16) or name.getDebugName(1)) == entry["family"]
    assert (name.getDebugName(17) or name.getDebugName(2)) == entry["style"]
    assert name.getDebugName(6) == entry["postscript_name"]


def test_body_serif_covers_all_ideographs_upstream_has():
    with open_font("serif") as font:
        cmap = font.getBestCmap()
    for block, label in ((URO, "CJK Unified Ideographs 4E00-9FFF"), (EXT_A, "CJK Extension A")):
        missing = {cp for cp in block if cp not in cmap}
        assert missing <= NOTO_UNENCODED, sorted(f"U+{cp:04X}" for cp in missing - NOTO_UNENCODED)
        cov = next(v for k, v in ENTRIES["serif"]["coverage"].items() if k.startswith(label))
        assert cov["missing_vs_upstream"] == 0
        assert cov["subset_has"] == cov["upstream_has"] == len(block) - len(missing)


def test_upstream_coverage_when_upstream_is_installed():
    """Where the Debian fonts are installed, compare the body face with them directly."""
    upstream = ENTRIES["serif"]["upstream"]
    path = Path(upstream["path"])
    if not path.exists() or sha256(path) != upstream["sha256"]:
        pytest.skip("upstream Noto Serif CJK not installed (or another version)")
    with TTFont(str(path), fontNumber=upstream["face_index"], lazy=True) as font:
        up = font.getBestCmap()
    with open_font("serif") as font:
        ours = font.getBestCmap()
    for block in (URO, EXT_A):
        assert [cp for cp in block if cp in up and cp not in ours] == []


@pytest.mark.parametrize("role", sorted(EXPECTED_FEATURES))
def test_coverage_recorded_for_every_face(role):
    with open_font(role) as font:
        cmap = font.getBestCmap()
    coverage = ENTRIES[role]["coverage"]
    for label, block in (("CJK Unified Ideographs", URO), ("CJK Extension A", EXT_A)):
        cov = next(v for k, v in coverage.items() if k.startswith(label))
        assert cov["subset_has"] == sum(1 for cp in block if cp in cmap)
        assert cov["missing_vs_upstream"] == 0


@pytest.mark.parametrize("role", sorted(EXPECTED_FEATURES))
def test_layout_features(role):
    with open_font(role) as font:
        gsub, gpos = features(font, "GSUB"), features(font, "GPOS")
        has_gpos_table = "GPOS" in font
    want_gsub, want_gpos = EXPECTED_FEATURES[role]
    assert want_gsub <= gsub
    assert want_gpos <= gpos
    assert ENTRIES[role]["has_halt"] == ("halt" in gpos)
    assert ENTRIES[role]["features"] == {"GSUB": sorted(gsub), "GPOS": sorted(gpos)}
    if role == "kai":
        assert not has_gpos_table  # upstream LXGW WenKai 1.250 has no GPOS: no halt
    else:
        assert "halt" in gpos and "vhal" in gpos


def test_subsets_keep_no_hinting_and_no_glyph_names():
    for role in ENTRIES:
        with open_font(role) as font:
            for table in ("fpgm", "prep", "cvt "):
                assert table not in font
            assert font["post"].formatType == 3.0  # no glyph names


def test_kai_does_not_use_reserved_font_names():
    """OFL: a Modified Version may not use LXGW WenKai's Reserved Font Names."""
    with open_font("kai") as font:
        records = list(font["name"].names)
    for record in records:
        if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
            text = record.toUnicode()
            assert "LXGW" not in text.upper() and "霞鹜" not in text, (record.nameID, text)
    assert ENTRIES["kai"]["renamed"] is True


def test_licence_texts():
    noto = (FONTS / "LICENSES" / "OFL-NotoCJK.txt").read_text(encoding="utf-8")
    lxgw = (FONTS / "LICENSES" / "OFL-LXGWWenKai.txt").read_text(encoding="utf-8")
    for text in (noto, lxgw):
        assert "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007" in text
        assert "5) The Font Software, modified or unmodified" in text
        assert "DISCLAIMER" in text
    assert "Adobe" in noto and "Reserved Font Name 'Source'" in noto
    assert "Copyright 2021-2023 LXGW" in lxgw and '"霞鹜" and "LXGW"' in lxgw


def test_total_size_of_fonts_folder():
    total = sum(p.stat().st_size for p in FONTS.rglob("*") if p.is_file())
    assert total < 62 * 1024 * 1024, f"fonts/ is {total / 1e6:.1f} MB"


CFF_ROLES = [role for role in sorted(ENTRIES) if ENTRIES[role]["format"] == "OpenType/CFF"]


@pytest.mark.parametrize("role", CFF_ROLES)
def test_each_cff_glyph_has_its_glyph_id_as_cid(role):
    """WeasyPrint writes glyph IDs as CIDs; a reader that follows ISO 32000 maps a
    CID-keyed CFF's CIDs to glyphs through its charset (Ghostscript does, as must
    Acrobat and RIPs), so the charset must be the identity or they draw other glyphs."""
    with open_font(role) as font:
        top = font["CFF "].cff.topDictIndex[0]
        assert hasattr(top, "ROS")  # CID-keyed
        charset = top.charset
    assert charset[0] == ".notdef"
    wrong = [(gid, name) for gid, name in enumerate(charset[1:], 1) if name != f"cid{gid:05d}"]
    assert not wrong, wrong[:5]


def write_paragraph(folder, text) -> bytes:
    """The PDF of one paragraph of `text` in the serif face of fonts/."""
    from typeset import pdf

    from .test_cjk import FONT_FACE

    html = (f"<html lang=zh-CN><head><style>{FONT_FACE} body {{ font-family: Body }}"
            f"</style></head><body><p>{text}</p></body></html>")
    document, _ = pdf.render(html, base_url=folder, roots=(FONTS,))
    return pdf.pdf_bytes(document)


def subsets_made(monkeypatch) -> tuple[list, object]:
    """Count the subsets HarfBuzz makes, for the test: (the glyph counts of the
    subsets made, the counting stand-in for ``Font._harfbuzz_subset``)."""
    from weasyprint.pdf.fonts import Font

    made = []
    original = Font._harfbuzz_subset

    def counting(font, to_unicode, hinting):
        made.append(len(to_unicode))
        return original(font, to_unicode, hinting)

    monkeypatch.setattr(Font, "_harfbuzz_subset", counting)
    return made, counting


def test_a_font_subset_is_made_once_per_face_and_glyph_set(tmp_path, monkeypatch):
    """Writing the same pages again (a warm preview) takes each face's subset from
    the ones made in the process: the same bytes, without HarfBuzz; other glyphs
    make a new subset."""
    from weasyprint.pdf.fonts import Font

    from typeset import pdf

    from .test_cjk import PARAGRAPHS

    monkeypatch.setattr(pdf, "_SUBSETS", {})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # none kept before
    made, counting = subsets_made(monkeypatch)
    first = write_paragraph(tmp_path, PARAGRAPHS[0])
    assert len(made) == 1
    assert write_paragraph(tmp_path, PARAGRAPHS[0]) == first
    assert len(made) == 1  # taken from the kept subsets
    other = write_paragraph(tmp_path, PARAGRAPHS[1])
    assert len(made) == 2 and other != first
    assert Font._harfbuzz_subset is counting  # WeasyPrint's own outside typeset's writes


def test_only_the_font_maps_faces_have_their_files_kept(tmp_path, monkeypatch):
    """The font files kept per face (`pdf._FACE_DATA`, by the face's address) are the
    font map's, which live as long as the process; a subset's face is freed once its
    file is copied and the next subset may get its address, so keeping its file would
    give that subset the wrong glyphs.  New glyphs make new subsets, not new entries."""
    from typeset import pdf

    from .test_cjk import PARAGRAPHS

    monkeypatch.setattr(pdf, "_SUBSETS", {})
    monkeypatch.setattr(pdf, "_FACE_DATA", {})
    write_paragraph(tmp_path, PARAGRAPHS[0])
    first_faces = dict(pdf._FACE_DATA)
    assert len(first_faces) == 1
    for text in PARAGRAPHS[1:]:
        write_paragraph(tmp_path, text)
    assert first_faces == pdf._FACE_DATA
    assert len(pdf._SUBSETS) == len(PARAGRAPHS)


def test_font_files_reach_fontconfig_as_links_to_the_files(tmp_path, monkeypatch):
    """WeasyPrint copies each @font-face file into a temporary folder for fontconfig
    (read and written: 20-25 ms for a CJK face at each start); typeset gives it a
    symbolic link to the file instead, checked as a fetch would be.  The PDF is the
    one the copies give, and a font outside the render's roots is still refused."""
    import contextlib
    import os

    from typeset import pdf
    from typeset.errors import TypesetError

    from .test_cjk import FONT_FACE, PARAGRAPHS

    assert FONT_FACE  # the faces of fonts/, by @font-face
    html = (f"<html lang=zh-CN><head><style>{FONT_FACE} body {{ font-family: Body }}"
            f"</style></head><body><p>{PARAGRAPHS[0]}</p></body></html>")

    def written() -> tuple[bytes, list[Path]]:
        monkeypatch.setattr(pdf, "_fonts", None)  # a font configuration of its own
        monkeypatch.setattr(pdf, "_SUBSETS", {})
        monkeypatch.setattr(pdf, "_FACE_DATA", {})
        document, _ = pdf.render(html, base_url=tmp_path, roots=(FONTS,))
        return pdf.pdf_bytes(document), list(pdf._fonts._folder.iterdir())

    linked, entries = written()
    assert entries and all(e.is_symlink() for e in entries)
    assert {Path(os.readlink(e)).parent for e in entries} == {FONTS.resolve()}
    with monkeypatch.context() as plain:
        plain.setattr(pdf, "_font_files_linked", lambda fetcher: contextlib.nullcontext(fetcher))
        copied, entries = written()
    assert entries and not any(e.is_symlink() for e in entries)
    assert copied == linked

    outside = html.replace(FONT_FACE, '@font-face { font-family: Body; '
                                      'src: url("file:///etc/hostname"); }')
    monkeypatch.setattr(pdf, "_fonts", None)
    with pytest.raises(TypesetError, match="refused to read") as caught:
        pdf.render(outside, base_url=tmp_path, roots=(FONTS,))
    assert "outside" in str(caught.value)
    assert pdf._fonts._folder is None or not any(pdf._fonts._folder.iterdir())


def test_a_face_that_is_not_subset_goes_into_the_pdf_whole(tmp_path, monkeypatch):
    """Each face's file is kept as a view of HarfBuzz's memory, not a copy; where
    HarfBuzz cannot subset it, the PDF gets the whole file, as bytes, and the face
    kept stays a view of the file."""
    import io

    from pypdf import PdfReader
    from weasyprint.pdf.fonts import Font

    from typeset import pdf

    from .test_cjk import PARAGRAPHS

    monkeypatch.setattr(pdf, "_SUBSETS", {})
    monkeypatch.setattr(pdf, "_FACE_DATA", {})
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # none kept before
    monkeypatch.setattr(Font, "_harfbuzz_subset", lambda font, to_unicode, hinting: None)
    data = write_paragraph(tmp_path, PARAGRAPHS[0])
    [face] = pdf._FACE_DATA.values()
    assert not isinstance(face, bytes)  # a view
    whole = bytes(face)
    assert whole in {path.read_bytes() for path in FONTS.glob("*.otf")}
    embedded = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded.append(descriptor.get_object()["/FontFile3"].get_object().get_data())
    assert embedded == [whole]
