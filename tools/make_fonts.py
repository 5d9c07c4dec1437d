#!/usr/bin/env python3
"""Regenerate the vendored font subsets in ``fonts/``.

The PDF must look the same on every machine, so typeset never asks the system
for a font: every face it uses comes from ``fonts/`` in the repository and is
loaded through CSS ``@font-face``. This script makes those files.

What goes in
    Upstream fonts installed from Debian packages (the defaults; override them
    with ``--source-dir`` or the per-role options):

    ========== ====================================== ====================== ====================
    role       upstream file                          face (name ID 6)       Debian package
    ========== ====================================== ====================== ====================
    serif      opentype/noto/NotoSerifCJK-Regular.ttc NotoSerifCJKsc-Regular fonts-noto-cjk
    serif-bold opentype/noto/NotoSerifCJK-Bold.ttc    NotoSerifCJKsc-Bold    fonts-noto-cjk
    sans       opentype/noto/NotoSansCJK-Medium.ttc   NotoSansCJKsc-Medium   fonts-noto-cjk-extra
    kai        truetype/lxgw-wenkai/                  LXGWWenKai-Regular     fonts-lxgw-wenkai
               LXGWWenKai-Regular.ttf
    ========== ====================================== ====================== ====================

    (paths under /usr/share/fonts/)

    The Noto ``.ttc`` files are collections (JP, KR, SC, TC, HK); the SC face
    is picked by its PostScript name in the name table, never by index.

What comes out (in ``--output-dir``, default ``fonts/`` of this repository)
    * ``NotoSerifCJKsc-Regular-subset.otf``, ``NotoSerifCJKsc-Bold-subset.otf``,
      ``NotoSansCJKsc-Medium-subset.otf``, ``TypesetWenKai-Regular-subset.ttf``:
      subsets holding the Unicode ranges in ``RANGES`` (only what the upstream
      face has), every OpenType layout feature, no hinting, no glyph names.
    * ``MANIFEST.json``: per file its role, names, sha256, size, upstream file
      (path, sha256, version), Debian package and version, project URL,
      licence, kept features and coverage counts.
    * ``LICENSES/OFL-NotoCJK.txt`` and ``LICENSES/OFL-LXGWWenKai.txt``: the
      SIL OFL 1.1 text taken from the Debian copyright files, headed by the
      copyright lines from the fonts' name tables and the reserved font names.

Decisions worth knowing
    * Only the default and the ``ZHS`` (Simplified Chinese) language systems
      are kept in GSUB/GPOS. The SC faces also carry ``locl`` lookups for
      Japanese, Korean and Traditional Chinese; keeping them would pull about
      18,000 regional glyph variants into each subset (+6 MB a face) that a
      zh-CN gazette never shows.
    * The LXGW WenKai subset is renamed "Typeset WenKai": its OFL reserves the
      names "LXGW" and "霞鹜" for the original, and a subset is a Modified
      Version. The Noto faces keep their names (Noto CJK reserves only
      "Source").
    * In the CFF faces each glyph's CID is its glyph ID (``cids_as_glyph_ids``):
      WeasyPrint writes glyph IDs as CIDs, and readers that follow the PDF
      specification look CIDs up in the CFF charset.
    * Output is deterministic: timestamps are kept from the upstream ``head``
      table, so two runs over the same upstream files and the same fontTools
      give byte-identical files (check with ``--check``).

Usage
    python tools/make_fonts.py                 # rebuild everything
    python tools/make_fonts.py --check         # rebuild in a temp dir, compare
    python tools/make_fonts.py --roles kai     # rebuild one face

Needs ``apt-get install fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai``
and fontTools (``pip install fonttools``; brotli only if you want WOFF2).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import fontTools
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "fonts"
MANIFEST_NAME = "MANIFEST.json"
MAX_TOTAL_MB = 60.0

# (first, last, name). A face keeps whatever of these its upstream cmap has.
RANGES: list[tuple[int, int, str]] = [
    (0x0020, 0x007E, "Basic Latin"),
    (0x00A0, 0x00FF, "Latin-1 Supplement"),
    (0x0100, 0x017F, "Latin Extended-A"),
    (0x01CD, 0x01DC, "Latin Extended-B: pinyin vowels with tone marks"),
    (0x01F8, 0x01F9, "Latin Extended-B: pinyin N/n with grave"),
    (0x0250, 0x02AF, "IPA Extensions (ɑ ɡ in pinyin)"),
    (0x02B0, 0x02FF, "Spacing Modifier Letters (ˇ ˉ ˊ ˋ ˙)"),
    (0x0370, 0x03FF, "Greek"),
    (0x0400, 0x04FF, "Cyrillic"),
    (0x2000, 0x206F, "General Punctuation"),
    (0x2070, 0x209F, "Superscripts and Subscripts"),
    (0x20A0, 0x20CF, "Currency Symbols"),
    (0x2100, 0x214F, "Letterlike Symbols"),
    (0x2150, 0x218F, "Number Forms"),
    (0x2190, 0x21FF, "Arrows"),
    (0x2200, 0x22FF, "Mathematical Operators"),
    (0x2300, 0x23FF, "Miscellaneous Technical"),
    (0x2460, 0x24FF, "Enclosed Alphanumerics"),
    (0x2500, 0x257F, "Box Drawing"),
    (0x2580, 0x259F, "Block Elements"),
    (0x25A0, 0x25FF, "Geometric Shapes"),
    (0x2600, 0x26FF, "Miscellaneous Symbols"),
    (0x2E80, 0x2EFF, "CJK Radicals Supplement"),
    (0x2F00, 0x2FDF, "Kangxi Radicals"),
    (0x2FF0, 0x2FFF, "Ideographic Description Characters"),
    (0x3000, 0x303F, "CJK Symbols and Punctuation"),
    (0x3100, 0x312F, "Bopomofo"),
    (0x31C0, 0x31EF, "CJK Strokes"),
    (0x3200, 0x32FF, "Enclosed CJK Letters and Months"),
    (0x3300, 0x33FF, "CJK Compatibility"),
    (0x3400, 0x4DBF, "CJK Unified Ideographs Extension A"),
    (0x4E00, 0x9FFF, "CJK Unified Ideographs"),
    (0xF900, 0xFAFF, "CJK Compatibility Ideographs"),
    (0xFE00, 0xFE0F, "Variation Selectors"),
    (0xFE10, 0xFE1F, "Vertical Forms"),
    (0xFE30, 0xFE4F, "CJK Compatibility Forms"),
    (0xFF00, 0xFFEF, "Halfwidth and Fullwidth Forms"),
    # Rare characters of people's and place names (通用规范汉字表, GB 18030)
    (0x20000, 0x2FFFF, "Supplementary Ideographic Plane (Extensions B-F, compat. supplement)"),
    (0x30000, 0x3134F, "Tertiary Ideographic Plane (Extension G)"),
    (0xE0100, 0xE01EF, "Variation Selectors Supplement"),
]

# Blocks whose coverage is counted and reported for every face.
COVERAGE_BLOCKS: dict[str, tuple[int, int]] = {
    "CJK Unified Ideographs 4E00-9FFF": (0x4E00, 0x9FFF),
    "CJK Extension A 3400-4DBF": (0x3400, 0x4DBF),
}

NOTO_URL = "https://github.com/notofonts/noto-cjk"
LXGW_URL = "https://github.com/lxgw/LxgwWenKai"
LICENCE = "SIL Open Font License 1.1 (OFL-1.1)"


@dataclass(frozen=True)
class Rename:
    """New primary names for a face whose upstream name is a Reserved Font Name."""

    family: str
    style: str
    postscript: str
    description: str


@dataclass(frozen=True)
class Face:
    role: str
    purpose: str
    source_dir: str
    source_file: str
    postscript: str  # name ID 6 of the upstream face to take
    output: str
    project_url: str
    licence_file: str
    reserved_font_names: tuple[str, ...]
    rename: Rename | None = None


NOTO_DIR = "/usr/share/fonts/opentype/noto"
LXGW_DIR = "/usr/share/fonts/truetype/lxgw-wenkai"

FACES: list[Face] = [
    Face(
        role="serif",
        purpose="body text (宋体/仿宋 role)",
        source_dir=NOTO_DIR,
        source_file="NotoSerifCJK-Regular.ttc",
        postscript="NotoSerifCJKsc-Regular",
        output="NotoSerifCJKsc-Regular-subset.otf",
        project_url=NOTO_URL,
        licence_file="LICENSES/OFL-NotoCJK.txt",
        reserved_font_names=("Source",),
    ),
    Face(
        role="serif-bold",
        purpose="document titles (小标宋 role, a heavy Song)",
        source_dir=NOTO_DIR,
        source_file="NotoSerifCJK-Bold.ttc",
        postscript="NotoSerifCJKsc-Bold",
        output="NotoSerifCJKsc-Bold-subset.otf",
        project_url=NOTO_URL,
        licence_file="LICENSES/OFL-NotoCJK.txt",
        reserved_font_names=("Source",),
    ),
    Face(
        role="sans",
        purpose="level-1 headings (黑体 role)",
        source_dir=NOTO_DIR,
        source_file="NotoSansCJK-Medium.ttc",
        postscript="NotoSansCJKsc-Medium",
        output="NotoSansCJKsc-Medium-subset.otf",
        project_url=NOTO_URL,
        licence_file="LICENSES/OFL-NotoCJK.txt",
        reserved_font_names=("Source",),
    ),
    Face(
        role="kai",
        purpose="level-2 headings (楷体 role)",
        source_dir=LXGW_DIR,
        source_file="LXGWWenKai-Regular.ttf",
        postscript="LXGWWenKai-Regular",
        output="TypesetWenKai-Regular-subset.ttf",
        project_url=LXGW_URL,
        licence_file="LICENSES/OFL-LXGWWenKai.txt",
        reserved_font_names=("LXGW", "霞鹜"),
        rename=Rename(
            family="Typeset WenKai",
            style="Regular",
            postscript="TypesetWenKai-Regular",
            description=(
                "Subset of LXGW WenKai Regular (https://github.com/lxgw/LxgwWenKai) made by "
                "typeset's tools/make_fonts.py. Renamed because the OFL Reserved Font Names "
                '"LXGW" and "霞鹜" may not be used by a Modified Version.'
            ),
        ),
    ),
]

LICENCE_FILES = {
    "LICENSES/OFL-NotoCJK.txt": {
        "title": "Noto Serif CJK SC / Noto Sans CJK SC (https://github.com/notofonts/noto-cjk)",
        "package": "fonts-noto-cjk",
        "reserved": (
            "with Reserved Font Name 'Source' (as stated in the upstream noto-cjk LICENSE "
            "files; Debian's copyright file does not repeat it)."
        ),
    },
    "LICENSES/OFL-LXGWWenKai.txt": {
        "title": "LXGW WenKai (https://github.com/lxgw/LxgwWenKai), subset here as Typeset WenKai",
        "package": "fonts-lxgw-wenkai",
        "reserved": (
            'with Reserved Font Names "霞鹜" and "LXGW" (Debian copyright file; the upstream '
            "README says the same). Fonts rebuilt from unmodified source may use them; this "
            'subset is a Modified Version and is therefore named "Typeset WenKai".'
        ),
    },
}


# --------------------------------------------------------------------------- helpers


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def wanted_codepoints(cmap: dict[int, str]) -> list[int]:
    return sorted({cp for lo, hi, _ in RANGES for cp in range(lo, hi + 1) if cp in cmap})


def find_face_index(path: Path, postscript: str) -> int:
    """Index of the face whose name ID 6 is ``postscript`` (0 for a plain font file)."""
    with open(path, "rb") as fh:
        is_collection = fh.read(4) == b"ttcf"
    if is_collection:
        collection = TTCollection(str(path), lazy=True)
        names = []
        for i, font in enumerate(collection.fonts):
            name = font["name"].getDebugName(6)
            names.append(name)
            if name == postscript:
                return i
        raise SystemExit(f"{path}: no face named {postscript!r} (faces: {', '.join(names)})")
    font = TTFont(str(path), lazy=True)
    name = font["name"].getDebugName(6)
    if name != postscript:
        raise SystemExit(f"{path}: face is {name!r}, expected {postscript!r}")
    return 0


def debian_package(path: Path) -> dict | None:
    """Debian package owning ``path`` and its version, or None off Debian."""
    try:
        owner = subprocess.run(
            ["dpkg-query", "-S", str(path.resolve())], capture_output=True, text=True, check=True
        ).stdout
        package = owner.split(":", 1)[0].strip()
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"name": package, "version": version}


def layout_features(font: TTFont) -> dict[str, list[str]]:
    out = {}
    for tag in ("GSUB", "GPOS"):
        if tag in font and font[tag].table.FeatureList:
            out[tag] = sorted({r.FeatureTag for r in font[tag].table.FeatureList.FeatureRecord})
        else:
            out[tag] = []
    return out


def coverage(cmap: dict[int, str], upstream_cmap: dict[int, str]) -> dict:
    out = {}
    for label, (lo, hi) in COVERAGE_BLOCKS.items():
        block = range(lo, hi + 1)
        have = [cp for cp in block if cp in cmap]
        upstream = [cp for cp in block if cp in upstream_cmap]
        missing_vs_upstream = [f"U+{cp:04X}" for cp in upstream if cp not in cmap]
        out[label] = {
            "block_size": len(block),
            "upstream_has": len(upstream),
            "subset_has": len(have),
            "missing_from_block": len(block) - len(have),
            "missing_vs_upstream": len(missing_vs_upstream),
        }
        if missing_vs_upstream:
            out[label]["missing_vs_upstream_codepoints"] = missing_vs_upstream[:50]
    return out


def subset_options(font: TTFont) -> subset.Options:
    opts = subset.Options()
    opts.layout_features = ["*"]  # halt vhal palt vpal kern locl fwid hwid pwid vert vrt2 ...
    # Default language system plus Simplified Chinese only (see module docstring).
    scripts = sorted(
        {
            rec.ScriptTag.strip()
            for tag in ("GSUB", "GPOS")
            if tag in font and font[tag].table.ScriptList
            for rec in font[tag].table.ScriptList.ScriptRecord
        }
    )
    opts.layout_scripts = [f"{s}.{lang}" for s in scripts for lang in ("dflt", "ZHS")] or ["*"]
    opts.name_IDs = ["*"]  # copyright, licence, trademark, designer... all small
    opts.name_languages = ["*"]
    opts.name_legacy = False  # drop Mac-Roman records; Windows Unicode records remain
    opts.glyph_names = False
    opts.hinting = False  # print PDF: no screen hinting needed
    opts.desubroutinize = False  # keep CFF subroutines: smaller files
    opts.notdef_glyph = True
    opts.notdef_outline = True
    opts.recalc_timestamp = False
    return opts


def apply_rename(font: TTFont, rename: Rename) -> None:
    name = font["name"]
    version = name.getDebugName(5) or ""
    for name_id in (1, 2, 3, 4, 6, 10, 16, 17, 18, 21, 22, 25):
        name.removeNames(nameID=name_id)
    name.setName(rename.family, 1, 3, 1, 0x409)
    name.setName(rename.style, 2, 3, 1, 0x409)
    name.setName(f"{rename.family}:{version.split(';')[0]}:subset", 3, 3, 1, 0x409)
    full = rename.family if rename.style == "Regular" else f"{rename.family} {rename.style}"
    name.setName(full, 4, 3, 1, 0x409)
    name.setName(rename.postscript, 6, 3, 1, 0x409)
    name.setName(rename.description, 10, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [rename.postscript]
        top = cff.topDictIndex[0]
        top.FamilyName = rename.family
        top.FullName = full


def cids_as_glyph_ids(path: Path) -> None:
    """Relabel the CIDs of the CID-keyed CFF font at ``path`` so that each glyph's CID
    is its glyph ID, rewriting the file; glyph IDs and every other table stay as they are.

    Subsetting renumbers the glyphs but keeps their upstream CIDs in the CFF charset
    (GID 220 may be CID 225).  WeasyPrint writes glyph IDs as the CIDs of its
    Identity-H text, and a reader that follows ISO 32000 (9.7.4.2: a CID-keyed CFF
    maps CIDs to glyphs through its charset; Ghostscript does, as must Acrobat and the
    RIPs that follow it) would then draw another glyph, or .notdef, for most
    characters; PDFium and poppler index glyphs directly and hide the mismatch.  With
    CID = GID every reader draws the glyph the layout chose.  Only the CFF table is
    recompiled: the others are copied as read, so the layout tables keep their glyph
    IDs.
    """
    font = TTFont(str(path), lazy=True, recalcTimestamp=False, recalcBBoxes=False)
    top = font["CFF "].cff.topDictIndex[0]
    if not hasattr(top, "ROS"):  # a name-keyed CFF: its glyph IDs are its CIDs already
        font.close()
        return
    old = list(top.charset)
    new = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(old))]
    if old != new:
        charstrings = top.CharStrings.charStrings
        top.CharStrings.charStrings = {n: charstrings[o] for o, n in zip(old, new, strict=True)}
        top.charset = new
        font.setGlyphOrder(new)
        data = BytesIO()
        font.save(data)
        font.close()
        path.write_bytes(data.getvalue())
    else:
        font.close()


# --------------------------------------------------------------------------- build


def build_face(face: Face, source: Path, out_dir: Path) -> dict:
    """Subset one face into ``out_dir`` and return its manifest entry."""
    index = find_face_index(source, face.postscript)
    upstream = TTFont(str(source), fontNumber=index, lazy=True)
    upstream_cmap = upstream.getBestCmap()
    upstream_info = {
        "path": str(source),
        "sha256": sha256_file(source),
        "size": source.stat().st_size,
        "face_index": index,
        "postscript_name": upstream["name"].getDebugName(6),
        "family": upstream["name"].getDebugName(1),
        "version": upstream["name"].getDebugName(5),
        "font_revision": f"{upstream['head'].fontRevision:.3f}",
        "copyright": upstream["name"].getDebugName(0),
    }
    upstream.close()

    font = TTFont(str(source), fontNumber=index, recalcTimestamp=False, recalcBBoxes=True)
    opts = subset_options(font)
    unicodes = wanted_codepoints(upstream_cmap)
    subsetter = subset.Subsetter(options=opts)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    if face.rename:
        apply_rename(font, face.rename)
    out_path = out_dir / face.output
    font.save(str(out_path))
    font.close()
    if "CFF " in TTFont(str(out_path), lazy=True):
        cids_as_glyph_ids(out_path)

    result = TTFont(str(out_path), lazy=True)
    cmap = result.getBestCmap()
    feats = layout_features(result)
    name = result["name"]
    entry = {
        "role": face.role,
        "purpose": face.purpose,
        "file": face.output,
        "format": "OpenType/CFF" if "CFF " in result else "TrueType",
        # Typographic family/style (IDs 16/17) where the face has them, else IDs 1/2.
        "family": name.getDebugName(16) or name.getDebugName(1),
        "style": name.getDebugName(17) or name.getDebugName(2),
        "full_name": name.getDebugName(4),
        "postscript_name": name.getDebugName(6),
        "version": name.getDebugName(5),
        "font_revision": f"{result['head'].fontRevision:.3f}",
        "size": out_path.stat().st_size,
        "sha256": sha256_file(out_path),
        "glyphs": result["maxp"].numGlyphs,
        "codepoints": len(cmap),
        "coverage": coverage(cmap, upstream_cmap),
        "features": feats,
        "has_halt": "halt" in feats["GPOS"],
        "upstream": upstream_info,
        "debian_package": debian_package(source),
        "project_url": face.project_url,
        "licence": LICENCE,
        "licence_file": face.licence_file,
        "reserved_font_names": list(face.reserved_font_names),
        "renamed": face.rename is not None,
    }
    result.close()
    return entry


def ofl_text_from_debian(package: str) -> str | None:
    """The OFL 1.1 text from /usr/share/doc/<package>/copyright, de-indented.

    The text is the indented body of a stand-alone "License: SIL-1.1" (or OFL-1.1)
    paragraph of the machine-readable copyright file.
    """
    path = Path("/usr/share/doc") / package / "copyright"
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if not (line.startswith("License:") and ("OFL" in line or "SIL" in line)):
            continue
        body = []
        for cont in lines[i + 1 :]:
            if not cont.startswith(" "):
                break
            text = cont[1:]
            body.append("" if text.strip() == "." else text.rstrip())
        text = "\n".join(body).strip("\n")
        if "SIL OPEN FONT LICENSE" in text:
            return text + "\n"
    return None


def write_licences(out_dir: Path, entries: list[dict]) -> list[str]:
    written = []
    (out_dir / "LICENSES").mkdir(parents=True, exist_ok=True)
    for rel, info in LICENCE_FILES.items():
        body = ofl_text_from_debian(info["package"])
        if body is None:
            print(f"make_fonts: no OFL text for {info['package']}; keeping {rel}", file=sys.stderr)
            continue
        copyrights = []
        for e in entries:
            if e["licence_file"] == rel:
                label = f"{e['upstream']['postscript_name']} (upstream of {e['file']}):"
                lines = [ln.strip() for ln in e["upstream"]["copyright"].splitlines()]
                copyrights += [label] + ["  " + ln for ln in lines if ln]
        header = [info["title"], ""]
        header += copyrights
        header += [""] + textwrap.wrap(info["reserved"], 76)
        header += [
            "",
            "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
            "This license is copied below, and is also available with a FAQ at:",
            "https://openfontlicense.org",
            "",
            "",
        ]
        (out_dir / rel).write_text("\n".join(header) + body, encoding="utf-8")
        written.append(rel)
    return written


def resolve_sources(args: argparse.Namespace, faces: list[Face]) -> dict[str, Path]:
    sources = {}
    for face in faces:
        override = getattr(args, face.role.replace("-", "_"))
        if override:
            path = Path(override)
        elif args.source_dir:
            path = Path(args.source_dir) / face.source_file
        else:
            path = Path(face.source_dir) / face.source_file
        if not path.exists():
            raise SystemExit(
                f"make_fonts: {path} not found (role {face.role}); install it with "
                "apt-get install fonts-noto-cjk fonts-noto-cjk-extra fonts-lxgw-wenkai, "
                "or pass --source-dir / --" + face.role
            )
        sources[face.role] = path
    return sources


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(args: argparse.Namespace, out_dir: Path) -> dict:
    faces = [f for f in FACES if not args.roles or f.role in args.roles]
    sources = resolve_sources(args, faces)
    out_dir.mkdir(parents=True, exist_ok=True)

    entries: dict[str, dict] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {pool.submit(build_face, f, sources[f.role], out_dir): f for f in faces}
        for fut in concurrent.futures.as_completed(futures):
            entry = fut.result()
            entries[entry["role"]] = entry
            print(
                f"make_fonts: {entry['file']}: {entry['size'] / 1e6:.2f} MB, "
                f"{entry['glyphs']} glyphs, {entry['codepoints']} code points",
                file=sys.stderr,
            )

    manifest_path = out_dir / MANIFEST_NAME
    previous = {}
    if args.roles and manifest_path.exists():
        previous = {e["role"]: e for e in json.loads(manifest_path.read_text())["fonts"]}
    merged = [entries.get(f.role) or previous.get(f.role) for f in FACES]
    merged = [e for e in merged if e]

    licences = write_licences(out_dir, merged)

    # The body face must have every ideograph its upstream has.
    for e in merged:
        for label, cov in e["coverage"].items():
            if e["role"] == "serif" and cov["missing_vs_upstream"]:
                raise SystemExit(f"make_fonts: serif lacks {cov['missing_vs_upstream']} of {label}")

    manifest = {
        "about": (
            "Vendored font subsets for typeset. Regenerate with `python tools/make_fonts.py`; "
            "see fonts/README.md."
        ),
        "generator": "tools/make_fonts.py",
        "fonttools_version": fontTools.version,
        "unicode_ranges": [
            {"first": f"U+{lo:04X}", "last": f"U+{hi:04X}", "name": n} for lo, hi, n in RANGES
        ],
        "subset_options": {
            "layout_features": "*",
            "layout_scripts": "each script: dflt + ZHS language systems",
            "hinting": False,
            "glyph_names": False,
            "desubroutinize": False,
            "name_IDs": "*",
            "notdef_outline": True,
            "timestamps": "kept from upstream head table",
            "cids": "CFF faces: each glyph's CID is its glyph ID (cids_as_glyph_ids)",
        },
        "licence_files": sorted(LICENCE_FILES),
        "fonts": merged,
    }
    manifest_path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n",
        encoding="utf-8",
    )
    if licences:
        print(f"make_fonts: wrote {', '.join(licences)}", file=sys.stderr)
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate the vendored CJK font subsets in fonts/ (see module docstring).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("Usage", 1)[1] if __doc__ else None,
    )
    parser.add_argument(
        "--source-dir",
        help="one folder holding all upstream files under their Debian names "
        "(default: the Debian install paths)",
    )
    for face in FACES:
        parser.add_argument(
            f"--{face.role}",
            metavar="PATH",
            help=f"upstream file for role {face.role} (default {face.source_dir}/"
            f"{face.source_file}, face {face.postscript})",
        )
    parser.add_argument("--output-dir", default=str(DEFAULT_OUTPUT), help="default: fonts/")
    parser.add_argument(
        "--roles", nargs="+", choices=[f.role for f in FACES], help="rebuild only these roles"
    )
    parser.add_argument(
        "--jobs", type=int, default=min(4, os.cpu_count() or 1), help="faces built in parallel"
    )
    parser.add_argument(
        "--max-total-mb",
        type=float,
        default=MAX_TOTAL_MB,
        help=f"fail if the output folder is larger (default {MAX_TOTAL_MB:g})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary folder and compare with --output-dir byte for byte",
    )
    args = parser.parse_args(argv)
    out_dir = Path(args.output_dir)

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_dir = Path(tmp)
            if (out_dir / "README.md").exists():
                shutil.copy(out_dir / "README.md", tmp_dir / "README.md")
            if args.roles and (out_dir / MANIFEST_NAME).exists():
                shutil.copy(out_dir / MANIFEST_NAME, tmp_dir / MANIFEST_NAME)
            manifest = build(args, tmp_dir)
            built = [e for e in manifest["fonts"] if not args.roles or e["role"] in args.roles]
            files = [e["file"] for e in built] + [MANIFEST_NAME]
            files += manifest["licence_files"]
            differ = [
                f
                for f in files
                if not (out_dir / f).exists()
                or sha256_file(out_dir / f) != sha256_file(tmp_dir / f)
            ]
        if differ:
            print(f"make_fonts: differs from {out_dir}: {', '.join(differ)}", file=sys.stderr)
            return 1
        print(f"make_fonts: {out_dir} is up to date (byte-identical rebuild)", file=sys.stderr)
        return 0

    build(args, out_dir)
    total = dir_size(out_dir)
    print(f"make_fonts: {out_dir} holds {total / 1e6:.2f} MB", file=sys.stderr)
    if total > args.max_total_mb * 1e6:
        print(f"make_fonts: over the {args.max_total_mb:g} MB budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
