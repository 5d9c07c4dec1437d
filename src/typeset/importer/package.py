"""Open a .docx safely: bytes on disk → a python-docx `Document`, or a one-line error.

In: a path.  Out: the python-docx document, after the file has been checked as a
container: its size, its kind (a PDF, an old .doc or an encrypted file, a macro
document are refused by name), the zip's entry count and the declared and actual
uncompressed size of every entry (read in bounded chunks, so a zip bomb costs at most
the limits below), and no DTD in any XML part.  python-docx then parses the same
bytes, already proven small.
"""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

from ..errors import TypesetError

#: The largest .docx read (a 500-page document with pictures is a few MiB).
MAX_DOCX_BYTES = 64 * 1024 * 1024
#: Entries in the zip (a real file has 15 to a few hundred: one per part and picture).
MAX_ENTRIES = 5_000
#: The uncompressed size of all entries together, and of one XML part.
MAX_UNCOMPRESSED = 512 * 1024 * 1024
MAX_XML_PART = 128 * 1024 * 1024
#: An entry that expands more than this many times is a zip bomb, not a document
#: (Word's XML compresses 5 to 20 times; a run of one repeated byte, 1000 times).
MAX_RATIO = 200
#: Below this size an entry's ratio is not looked at (a tiny, very repetitive part).
RATIO_FLOOR = 1024 * 1024

_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
}
_MACRO_TYPES = {
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
_TEMPLATE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"


class DocxError(TypesetError):
    """The file is not a .docx typeset can read (exit code 2: bad input)."""

    exit_code = 2


def open_docx(path: Path, label: str):
    """Return the python-docx `Document` of the .docx at `path`; raise `DocxError`."""
    data = _read(path, label)
    _kind_of(data, label)
    archive = _checked_zip(data, label)
    _check_content_types(archive, label)
    import docx  # python-docx: only imported when a file is read

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx, zipfile and lxml raise many kinds
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        raise DocxError(f"{label}: not a readable Word file ({reason})") from None


def _read(path: Path, label: str) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise DocxError(f"{label}: not a regular file; expected a .docx file")
        if info.st_size > MAX_DOCX_BYTES:
            raise DocxError(f"{label}: {info.st_size:,} bytes; a .docx of at most "
                            f"{MAX_DOCX_BYTES:,} bytes is read")
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCX_BYTES + 1)
    except OSError as exc:
        raise DocxError(f"{label}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_DOCX_BYTES:
        raise DocxError(f"{label}: more than {MAX_DOCX_BYTES:,} bytes; not read")
    return data


def _kind_of(data: bytes, label: str) -> None:
    """Refuse by its signature what is not a zip, naming what it is when known."""
    if data.startswith(b"PK\x03\x04"):
        return
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DocxError(f"{label}: encrypted or old .doc (Word 97–2003 or password-protected) "
                        "file, not supported; save it as .docx without a password")
    if data.startswith(b"%PDF"):
        raise DocxError(f"{label}: a PDF, not a Word file; import needs the .docx the "
                        "office wrote")
    if data.lstrip()[:5].lower() in (b"{\\rtf",):
        raise DocxError(f"{label}: an RTF file, not a .docx; save it as .docx")
    if not data:
        raise DocxError(f"{label}: empty file; expected a .docx")
    raise DocxError(f"{label}: not a .docx file (no zip signature)")


def _checked_zip(data: bytes, label: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise DocxError(f"{label}: damaged zip container ({exc}); not a readable .docx") \
            from None
    if len(entries) > MAX_ENTRIES:
        raise DocxError(f"{label}: {len(entries):,} zip entries; a .docx has at most "
                        f"{MAX_ENTRIES:,}")
    declared = 0
    for entry in entries:
        declared += entry.file_size
        _check_entry_header(entry, label)
    if declared > MAX_UNCOMPRESSED:
        raise DocxError(f"{label}: entries expand to {declared:,} bytes; at most "
                        f"{MAX_UNCOMPRESSED:,} are read (a zip bomb?)")
    for entry in entries:
        _check_entry_data(archive, entry, label)
    return archive


def _check_entry_header(entry: zipfile.ZipInfo, label: str) -> None:
    name = entry.filename
    if entry.flag_bits & 0x1:
        raise DocxError(f"{label}: encrypted zip entry {name!r}; not supported")
    limit = MAX_XML_PART if name.endswith((".xml", ".rels")) else MAX_UNCOMPRESSED
    if entry.file_size > limit:
        raise DocxError(f"{label}: entry {name!r} expands to {entry.file_size:,} bytes; "
                        f"at most {limit:,} are read")
    ratio = entry.file_size // max(entry.compress_size, 1)
    if entry.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
        raise DocxError(f"{label}: entry {name!r} expands {ratio:,} times; a zip bomb, "
                        "not a document")


def _check_entry_data(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, label: str) -> None:
    """Decompress the entry in chunks, never past its declared size plus one chunk, and
    look for a DTD at the start of XML parts (OOXML has none)."""
    total = 0
    head = b""
    try:
        with archive.open(entry) as stream:
            while chunk := stream.read(1 << 16):
                if not head:
                    head = chunk[:512]
                total += len(chunk)
                if total > entry.file_size:
                    raise DocxError(f"{label}: entry {entry.filename!r} holds more than its "
                                    f"declared {entry.file_size:,} bytes; a damaged or "
                                    "hostile file")
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise DocxError(f"{label}: damaged zip entry {entry.filename!r} ({exc})") from None
    except Exception as exc:  # zlib.error and friends
        if isinstance(exc, DocxError):
            raise
        raise DocxError(f"{label}: damaged zip entry {entry.filename!r} ({exc})") from None
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise DocxError(f"{label}: entry {entry.filename!r} has a DTD; a .docx has none")


def _check_content_types(archive: zipfile.ZipFile, label: str) -> None:
    """Refuse macro documents and templates by their main part's content type."""
    names = {e.filename.lower() for e in archive.infolist()}
    try:
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except KeyError:
        raise DocxError(f"{label}: no [Content_Types].xml; not a Word file") from None
    if any(t in types for t in _MACRO_TYPES) or any(n.endswith("vbaproject.bin") for n in names):
        raise DocxError(f"{label}: a Word file with macros (.docm), refused; save it as a "
                        ".docx without macros")
    if not any(t in types for t in _MAIN_TYPES):
        if _TEMPLATE_TYPE in types:
            raise DocxError(f"{label}: a Word template (.dotx); save it as a document (.docx)")
        raise DocxError(f"{label}: not a Word document (no main document part); an Excel "
                        "or PowerPoint file?")
