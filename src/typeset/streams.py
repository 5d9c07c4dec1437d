"""Large PDF streams compressed once, kept between processes in the cache folder.

pydyf compresses every stream of a PDF at zlib level 9.  The large ones are the
embedded font subsets (300-700 KB each for a CJK face, even for one page): 20 ms of
a one-page preview's write, 0.14 s of CPU in a build of the sample.  The same
subset (the same glyphs of the same face, `typeset.subsets`) compresses to the
same bytes every time, so a stream of at least :data:`KEPT_MIN` bytes is kept
compressed, under a hash of its content and zlib's version, and a later write of
the same content takes it from there.

A kept file is used only when it inflates to the very content (3 ms a MB): a
damaged or foreign file is compressed again, never written into a PDF.  What is
written is what zlib makes of the content here, so the PDF's bytes are those of a
write without the cache.  At most :data:`KEPT` streams and :data:`KEPT_BYTES` bytes
are kept (the oldest go).

In:  a stream's content, as pydyf joins it (its :func:`name` computed once).
Out: its compressed bytes from the cache folder, or None; the same bytes kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import zlib

#: Streams shorter than this are compressed each time: page contents, small images.
KEPT_MIN = 128 * 1024
#: Streams kept at most, and their bytes at most (a build of the sample makes six
#: font streams of 0.1-0.4 MB compressed).
KEPT = 64
KEPT_BYTES = 32 * 1024 * 1024
_STEM = "stream-"


def name(content: bytes) -> str | None:
    """What `content` is kept under (a hash of it and of zlib's version), or None when
    it is too short to be kept."""
    if len(content) < KEPT_MIN:
        return None
    digest = hashlib.blake2b(content, digest_size=20)
    digest.update(zlib.ZLIB_RUNTIME_VERSION.encode())
    return digest.hexdigest()


def _path(name: str):
    from .startup import cache_dir

    return cache_dir() / f"{_STEM}{name}.z"


def load(name: str | None, content: bytes) -> bytes | None:
    """`content` (kept under `name`) compressed as an earlier write kept it, or None
    (not kept, or not `content`'s: it is checked by inflating it)."""
    if name is None:
        return None
    with contextlib.suppress(OSError, zlib.error):
        data = _path(name).read_bytes()
        if zlib.decompress(data) == content:
            return data
    return None


def keep(name: str | None, data: bytes) -> None:
    """Keep `data`, what the content named `name` compressed to."""
    if name is None:
        return
    from .startup import write_kept

    path = _path(name)
    if not path.exists():
        write_kept(path, data, f"{_STEM}*.z", KEPT, KEPT_BYTES)
