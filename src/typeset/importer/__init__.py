"""`typeset import`: Word files (.docx) as offices send them → `<document>`s of an issue.

Steps, each producing the next representation:
1. read       .docx → `records.Docx` (`docx_reader`, after `package` has checked the
              container: size, kind, zip entries, macros)
2. recognise  records → `model.Document` and a `report.Report` (`recognise`, `blocks`)
3. write      Document → `<document>` XML text (`xml_writer`), checked against the
              schema in memory before anything is written
4. output     the XML to `-o` (or stdout) and the pictures beside it, each written
              atomically, after every output path has been checked
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..atomic import check_output, write_atomic
from ..errors import TypesetError, display_path
from .docx_reader import read_docx
from .recognise import Recognised, recognise
from .records import Docx, TableRec
from .textrules import DOC_NUMBER, squash
from .xml_writer import check_valid, document_element, document_xml, issue_xml

__all__ = ["ImportResult", "UsageError", "check_target", "check_usage", "import_docx",
           "valid_id", "write_document", "write_issue"]


class UsageError(TypesetError):
    """The command was given what it cannot use (exit code 2)."""

    exit_code = 2


@dataclass
class ImportResult:
    """One imported file: its label, the recognised document, the XML, the report lines."""

    label: str
    recognised: Recognised
    xml: str
    docx: Docx

    @property
    def document(self):
        return self.recognised.document

    def report_lines(self) -> list[str]:
        docx = self.docx
        tables = sum(1 for b in docx.blocks if isinstance(b, TableRec))
        summary = (f"{docx.paragraphs} paragraphs, {tables} tables, {len(docx.images)} "
                   f"pictures → <document id=\"{self.document.id}\">")
        return self.recognised.report.lines(self.label, summary)


def import_docx(path: str | Path, doc_id: str | None = None) -> ImportResult:
    """Read and recognise the .docx at `path`; nothing is written.  Raise TypesetError."""
    path = Path(path)
    label = display_path(path)
    docx = read_docx(path)
    doc_id = doc_id or default_id(path, docx)
    recognised = recognise(docx, doc_id)
    problems = check_valid(document_element(recognised.document))
    if problems:
        raise TypesetError(f"{label}: internal error: the imported document does not "
                           f"validate: {problems[0]}")
    return ImportResult(label, recognised, document_xml(recognised.document), docx)


_ID = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,63}")


def valid_id(value: str) -> bool:
    return bool(_ID.fullmatch(value))


def default_id(path: Path, docx: Docx) -> str:
    """The file's name when it makes an id (nzf-2021-15.docx), else doc-<year>-<number>
    from the 文号 (宁政发〔2021〕15号 → doc-2021-15), else "document"."""
    stem = re.sub(r"[^A-Za-z0-9_\-]", "", path.stem)[:64]
    if len(stem) >= 3 and valid_id(stem):
        return stem
    for block in docx.blocks[:40]:
        text = squash(getattr(block, "text", ""))
        if DOC_NUMBER.fullmatch(text):
            digits = re.findall(r"[0-9]+", text)
            return f"doc-{digits[-2]}-{digits[-1]}"
    return "document"


def _targets(result: ImportResult, folder: Path) -> list[tuple[Path, bytes]]:
    return [(folder / name, picture.data) for name, picture in result.recognised.figures]


def write_document(result: ImportResult, output: Path | None, sources: list[Path]) -> list[Path]:
    """Write the document's XML to `output` (stdout when None) and its pictures beside
    it; every path is checked before the first is written.  Return what was written."""
    if output is None:
        if result.recognised.figures:
            raise UsageError(f"{result.label}: holds {len(result.recognised.figures)} "
                             "pictures; give -o OUT.xml so they are written beside it")
        print(result.xml)
        return []
    files = [(Path(output), (result.xml + "\n").encode("utf-8")),
             *_targets(result, Path(output).parent)]
    return _write_all(files, sources)


def write_issue(results: list[ImportResult], output: Path, sources: list[Path]) -> list[Path]:
    """Write a new issue holding every imported document (ids made unique), with meta
    to fill in, and their pictures beside it."""
    documents = []
    seen: set[str] = set()
    files: list[tuple[Path, bytes]] = []
    for result in results:
        document = result.document
        if document.id in seen:
            raise UsageError(f"{result.label}: id {document.id!r} is taken by another "
                             "file; name the files differently")
        seen.add(document.id)
        documents.append(document)
        files.extend(_targets(result, Path(output).parent))
    text = issue_xml(documents, comment="typeset import: fill in meta (gazette name, number, "
                     "date) and the section titles, then typeset validate")
    return _write_all([(Path(output), text.encode("utf-8")), *files], sources)


def check_usage(files: list[Path], *, doc_id: str | None, output: Path | None,
                issue: Path | None) -> None:
    """Raise UsageError for what `typeset import` cannot do with these arguments; the
    output path is checked before any file is read."""
    if doc_id is not None and not valid_id(doc_id):
        raise UsageError(f"typeset import: --id {doc_id!r}: expected an ASCII letter, then "
                         "letters, digits, - and _ (64 at most)")
    if len(files) > 1 and not issue:
        raise UsageError("typeset import: several files go with --issue OUT.xml")
    if doc_id and len(files) > 1:
        raise UsageError("typeset import: --id goes with exactly one file")
    if issue and output:
        raise UsageError("typeset import: -o and --issue are two ways to say where; give one")
    if issue or output:
        check_target(Path(issue or output), [Path(f) for f in files])


def check_target(target: Path, sources: list[Path]) -> None:
    """Raise UsageError when `target` may not be written: one of the Word files being
    imported, a folder, a device, a read-only file (`atomic.check_output`)."""
    for source in sources:
        try:
            same = target.exists() and target.samefile(source)
        except OSError:
            same = False
        if same:
            raise UsageError(f"{target}: is the Word file being imported; expected another "
                             "file for the XML")
    check_output(target, inputs=sources)


def _write_all(files: list[tuple[Path, bytes]], sources: list[Path]) -> list[Path]:
    for target, _ in files:
        check_target(target, sources)
    written = []
    for target, data in files:
        write_atomic(data, target)
        written.append(target)
    return written
