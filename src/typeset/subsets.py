"""Font subsets kept between processes, in the cache folder.

A write embeds, for each face it used, a subset of the font with the glyphs it drew:
HarfBuzz's subsetter takes 20-45 ms a CJK face.  A process that writes the same
glyphs of the same faces as an earlier one (the same document previewed again from
the command line, an issue rebuilt) makes the same subsets: they are kept.

In:  the face's bytes as WeasyPrint holds them (``Font.file_content``), its index,
     the glyph ids kept, the hinting and missing-glyph options.
Out: the key a subset is kept under, or None for a face it cannot tell apart
     cheaply (a font collection); the subset's bytes from the cache folder, or None.

A face is told apart by its length, its table directory (each table's tag,
checksum, offset and length), its whole ``head`` table (the file's checksum
adjustment, its created and modified dates) and 16 blocks of 4 KB spread across
it: 64 KB, where hashing a CJK face's 16 MB would cost what subsetting does.  The
key also holds HarfBuzz's and WeasyPrint's versions.  At most :data:`KEPT` subsets
and :data:`KEPT_BYTES` bytes are kept (the oldest go); a file that cannot be read is
made again.
"""

from __future__ import annotations

import contextlib
import hashlib
import struct

#: What a kept subset's key covers: part of the key.
FORMAT = 1
#: Subsets kept at most (a build of the sample makes six, of 50-400 KB each), and
#: their bytes at most: the oldest go first.
KEPT = 128
KEPT_BYTES = 64 * 1024 * 1024
_STEM = "subset-"
#: Blocks of a face's bytes, spread across it, that its key holds too, and their size.
_SAMPLES, _BLOCK = 16, 4096


def _face(data: bytes) -> bytes | None:
    """The bytes that tell the face `data` apart (see the module); None for a font
    collection or what does not read as an OpenType font."""
    if len(data) < 12 or data[:4] == b"ttcf":
        return None
    count = int.from_bytes(data[4:6], "big")
    directory = data[:12 + 16 * count]
    if len(directory) != 12 + 16 * count:
        return None
    for i in range(count):
        tag, _, offset, length = struct.unpack_from(">4sLLL", directory, 12 + 16 * i)
        if tag == b"head":
            head = data[offset:offset + length]
            if len(head) == length:
                # and blocks of the glyphs' data across the file, against a font
                # whose checksums were not kept up to date
                step = max(len(data) // _SAMPLES, _BLOCK)
                samples = b"".join(data[at:at + _BLOCK]
                                   for at in range(0, len(data), step))
                return len(data).to_bytes(8, "big") + directory + head + samples
    return None


def key(data: bytes, index: int, glyphs, hinting: bool, missing: bool) -> str | None:
    """The key of the subset of the face `data` (at `index`) keeping `glyphs`."""
    face = _face(data)
    if face is None:
        return None
    return hashlib.sha256(repr((
        FORMAT, face, index, tuple(sorted(glyphs)), bool(hinting), bool(missing),
        _versions())).encode()).hexdigest()[:32]


_VERSIONS: list = []


def _versions() -> tuple:
    """HarfBuzz's version (the library loaded) and WeasyPrint's."""
    if not _VERSIONS:
        import weasyprint

        from .cjk.internals import pango_extra

        ffi, library = pango_extra()
        _VERSIONS.append((ffi.string(library.hb_version_string()).decode(),
                          weasyprint.__version__))
    return _VERSIONS[0]


def _folder():
    from .startup import cache_dir

    return cache_dir()


def load(name: str) -> bytes | None:
    """The subset kept under `name`, or None."""
    with contextlib.suppress(OSError):
        return (_folder() / f"{_STEM}{name}.otf").read_bytes() or None
    return None


def keep(name: str, data: bytes) -> None:
    """Keep the subset `data` under `name` (whole or not at all), the oldest going
    beyond :data:`KEPT` subsets or :data:`KEPT_BYTES` bytes."""
    from .startup import write_kept

    path = _folder() / f"{_STEM}{name}.otf"
    if not path.exists():
        write_kept(path, data, f"{_STEM}*.otf", KEPT, KEPT_BYTES)
