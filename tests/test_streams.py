"""Large PDF streams (the font subsets) compressed once and kept in the cache folder
(typeset.streams): taken only when they inflate to the content, same PDF bytes."""

import zlib

from typeset import redraw, streams

from .test_fonts import write_paragraph


def test_large_streams_are_kept_small_ones_are_not(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    large = bytes(range(256)) * (streams.KEPT_MIN // 256 + 1)
    small = large[:streams.KEPT_MIN - 1]
    assert streams.name(small) is None  # too short to be kept
    name = streams.name(large)
    assert streams.load(name, large) is None
    streams.keep(name, zlib.compress(large, 9))
    streams.keep(streams.name(small), zlib.compress(small, 9))
    assert streams.load(name, large) == zlib.compress(large, 9)
    assert len(list((tmp_path / "typeset").glob("stream-*.z"))) == 1
    other = large[:-1] + b"x"
    assert streams.name(other) != name and streams.load(streams.name(other), other) is None


def test_a_kept_stream_that_does_not_inflate_to_its_content_is_not_used(tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    content = b"\x00\x01CFF glyphs" * streams.KEPT_MIN
    streams.keep(streams.name(content), zlib.compress(content, 9))
    [path] = (tmp_path / "typeset").glob("stream-*.z")
    for damaged in (b"", b"not zlib", zlib.compress(content[:-1], 9),
                    zlib.compress(content, 9)[:-10]):
        path.write_bytes(damaged)
        assert streams.load(streams.name(content), content) is None


def test_a_later_write_takes_the_font_streams_compressed_and_writes_the_same_pdf(
        tmp_path, monkeypatch):
    """Two writes of a paragraph, as two processes would make them (nothing kept in
    memory): the second compresses no large stream, and its PDF is the same."""
    from typeset import pdf

    from .test_cjk import PARAGRAPHS

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    compressed = []
    original = redraw._compressed

    def counting(content):
        compressed.append(len(content))
        return original(content)

    monkeypatch.setattr(redraw, "_compressed", counting)
    first = write_paragraph(tmp_path, PARAGRAPHS[0])
    large = [size for size in compressed if size >= streams.KEPT_MIN]
    assert large, compressed  # the font subset
    kept = list((tmp_path / "cache" / "typeset").glob("stream-*.z"))
    assert len(kept) == len(large)
    compressed.clear()
    monkeypatch.setattr(pdf, "_SUBSETS", {})
    again = write_paragraph(tmp_path, PARAGRAPHS[0])
    assert again == first
    assert compressed and all(size < streams.KEPT_MIN for size in compressed)
