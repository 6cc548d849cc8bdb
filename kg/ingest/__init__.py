"""Ingest: read a disclosure (text or PDF) into numbered, normalised lines with TAB-separated cells."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from kg.errors import IngestError
from kg.ingest.layout import Cell
from kg.ingest.normalise import Layout, normalise_lines, normalise_text
from kg.ingest.text import decode
from kg.records import SourceDocument

__all__ = ["IngestError", "normalise_text", "read_source", "source_from_text"]


def source_from_text(text: str, name: str, path: str | None = None, encoding: str = "utf-8",
                     sha256: str | None = None, layout: Layout | None = None,
                     cells: Sequence[list[Cell]] | None = None) -> SourceDocument:
    """Normalise already-decoded text (useful for tests and for PDF pages turned into text)."""
    # split on "\n" only: str.splitlines() also breaks on \f, \x1c or U+2028 and would shift line numbers
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    lines, notices = normalise_lines(raw_lines, name, layout, cells)
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    return SourceDocument(path=path or name, name=name, encoding=encoding, sha256=digest, lines=lines,
                          notices=notices)


def read_source(path: str | Path) -> SourceDocument:
    """Read a .txt (UTF-8 or GB18030) or .pdf disclosure. Raises IngestError with a readable message."""
    path = Path(path)
    name = path.name
    if not path.exists():
        raise IngestError(str(path), "no such file", code="missing-file")
    if path.is_dir():
        raise IngestError(str(path), "is a directory, not a disclosure file", code="is-directory")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}", code="unreadable") from None
    pdf_notices = []
    layout: Layout | None = None
    cells = None
    if data.startswith(b"%PDF") or path.suffix.lower() == ".pdf":
        from kg.ingest.pdf import read_pdf  # imported only for PDFs

        pdf = read_pdf(data, name)  # an unreadable page is a notice; the other pages are kept
        text, encoding, pdf_notices, layout, cells = pdf.text, "pdf", pdf.notices, "spaces", pdf.cells
    else:
        text, encoding = decode(data, name)
    source = source_from_text(text, name=name, path=str(path), encoding=encoding,
                              sha256=hashlib.sha256(data).hexdigest(), layout=layout, cells=cells)
    source.notices[:0] = pdf_notices
    if encoding == "pdf":
        source.pages = pdf.pages
    return source
