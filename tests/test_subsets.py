"""typeset.subsets: font subsets kept between processes, in the cache folder, and
told apart by the face (its length, table directory and head table), the glyphs,
the options and HarfBuzz's version."""

from typeset import pdf, subsets

from .test_cjk import FONTS, PARAGRAPHS
from .test_fonts import subsets_made, write_paragraph


def test_a_new_process_takes_the_subsets_an_earlier_one_made(tmp_path, monkeypatch):
    """With the process's own subsets forgotten (as in a new process), the same
    pages are written with the subsets kept in the cache folder: the same bytes,
    without HarfBuzz; other glyphs make, and keep, a new subset."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(pdf, "_SUBSETS", {})
    made, _ = subsets_made(monkeypatch)
    first = write_paragraph(tmp_path, PARAGRAPHS[0])
    kept = sorted((tmp_path / "cache" / "typeset").glob("subset-*"))
    assert len(made) == 1 and len(kept) == 1
    monkeypatch.setattr(pdf, "_SUBSETS", {})
    assert write_paragraph(tmp_path, PARAGRAPHS[0]) == first
    assert len(made) == 1  # from the cache folder
    monkeypatch.setattr(pdf, "_SUBSETS", {})
    assert write_paragraph(tmp_path, PARAGRAPHS[1]) != first
    assert len(made) == 2
    assert len(list((tmp_path / "cache" / "typeset").glob("subset-*"))) == 2
    # a file that cannot be read: made again
    kept[0].write_bytes(b"")
    monkeypatch.setattr(pdf, "_SUBSETS", {})
    assert write_paragraph(tmp_path, PARAGRAPHS[0]) == first
    assert len(made) == 3


def test_faces_glyphs_and_options_are_told_apart():
    serif, sans = (FONTS / "NotoSerifCJKsc-Regular-subset.otf").read_bytes(), \
        (FONTS / "NotoSansCJKsc-Medium-subset.otf").read_bytes()
    key = subsets.key(serif, 0, {1, 2, 3}, False, False)
    assert key == subsets.key(bytes(serif), 0, [3, 2, 1], False, False)
    assert len({key, subsets.key(sans, 0, {1, 2, 3}, False, False),
                subsets.key(serif, 0, {1, 2, 4}, False, False),
                subsets.key(serif, 1, {1, 2, 3}, False, False),
                subsets.key(serif, 0, {1, 2, 3}, True, False),
                subsets.key(serif, 0, {1, 2, 3}, False, True)}) == 6
    # the head table holds the file's checksum adjustment and dates: one changed
    # byte in it is another face
    count = int.from_bytes(serif[4:6], "big")
    for i in range(count):
        entry = serif[12 + 16 * i:28 + 16 * i]
        if entry[:4] == b"head":
            offset = int.from_bytes(entry[8:12], "big")
    changed = bytearray(serif)
    changed[offset + 8] ^= 1
    assert subsets.key(bytes(changed), 0, {1, 2, 3}, False, False) != key
    # so is a byte of the glyphs' data changed where the blocks taken fall, even
    # with the checksums left as they were
    changed = bytearray(serif)
    changed[8 * (len(serif) // 16) + 10] ^= 1  # in the ninth block
    assert subsets.key(bytes(changed), 0, {1, 2, 3}, False, False) != key
    assert subsets.key(b"ttcf" + serif[4:], 0, {1}, False, False) is None  # collections
    assert subsets.key(b"not a font", 0, {1}, False, False) is None
    assert subsets._versions()[0].count(".") == 2  # HarfBuzz's version, e.g. 6.0.0


def test_at_most_so_many_subsets_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(subsets, "KEPT", 2)
    import os

    folder = tmp_path / "cache" / "typeset"
    for age, name in enumerate(("a", "b", "c"), 1):
        subsets.keep(name, name.encode())
        os.utime(folder / f"subset-{name}.otf", (age, age))  # the oldest first
    assert sorted(p.name for p in folder.glob("subset-*")) == ["subset-b.otf",
                                                               "subset-c.otf"]
    assert subsets.load("c") == b"c" and subsets.load("a") is None
    monkeypatch.setattr(subsets, "KEPT_BYTES", 5)  # and so many bytes: the newest fit
    subsets.keep("d", b"dd")
    os.utime(folder / "subset-d.otf", (4, 4))
    subsets.keep("e", b"eee")
    assert sorted(p.name for p in folder.glob("subset-*")) == ["subset-d.otf",
                                                               "subset-e.otf"]
