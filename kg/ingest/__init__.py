"""Ingest: read a disclosure (text or PDF) into numbered, normalised lines with TAB-separated cells."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from kg.errors import IngestError
from kg.ingest.layout import Cell
from kg.ingest.normalise import Layout, normalise_lines, normalise_text
from kg.ingest.text import decode_with_notices
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
    content = hashlib.sha256("\n".join(f"{line.number}\t{line.text}" for line in lines).encode("utf-8"))
    return SourceDocument(path=path or name, name=name, encoding=encoding, sha256=digest, lines=lines,
                          notices=notices, content_sha256=content.hexdigest())


MAX_INPUT_BYTES = 256 * 1024 * 1024  # the largest real disclosure is a few MB; a PDF of 1,000 pages ~50 MB


def read_input_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, refusing with one clear reason what is not a regular file of a sane size: a missing
    file, a symbolic link loop, a directory, a FIFO (reading would wait forever), a device such as
    /dev/zero (reading would never end), a file over ``limit``."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    try:
        info = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IngestError(str(path), "symbolic link loop; give the file itself", code="symlink-loop") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise IngestError(str(path), "no such file", code="missing-file") from None
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}", code="unreadable") from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(str(path), "is a directory, not a disclosure file", code="is-directory")
    if not stat.S_ISREG(info.st_mode):
        kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
        raise IngestError(str(path), f"is {kind}, not a disclosure file; give a .txt or .pdf file",
                          code="not-a-file")
    if info.st_size > limit:
        raise IngestError(str(path), f"is {info.st_size:,} bytes; disclosures over {limit:,} bytes are refused",
                          code="too-large")
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)  # a file that grows while read is still bounded
    except OSError as exc:
        raise IngestError(str(path), f"cannot read: {exc.strerror or exc}", code="unreadable") from None
    if len(data) > limit:
        raise IngestError(str(path), f"is over {limit:,} bytes; refused", code="too-large")
    return data


def read_source(path: str | Path) -> SourceDocument:
    """Read a .txt (UTF-8 or GB18030) or .pdf disclosure. Raises IngestError with a readable message."""
    path = Path(path)
    name = path.name
    data = read_input_bytes(path)
    read_notices: list = []
    layout: Layout | None = None
    cells = None
    if data.startswith(b"%PDF") or path.suffix.lower() == ".pdf":
        from kg.ingest.pdf import read_pdf  # imported only for PDFs

        try:
            pdf = read_pdf(data, name)  # an unreadable page is a notice; the other pages are kept
        except IngestError:
            raise
        except RecursionError:
            raise IngestError(name, "PDF structure nested too deeply; cannot be read", code="pdf-corrupt") from None
        except Exception as exc:  # PDFium on a malformed file: one line, not a traceback
            raise IngestError(name, f"malformed PDF: {type(exc).__name__}: {exc}"[:300], code="pdf-corrupt") from None
        text, encoding, read_notices, layout, cells = pdf.text, "pdf", pdf.notices, "spaces", pdf.cells
    else:
        text, encoding, read_notices = decode_with_notices(data, name)  # a lossy decode names its bad lines
    source = source_from_text(text, name=name, path=str(path), encoding=encoding,
                              sha256=hashlib.sha256(data).hexdigest(), layout=layout, cells=cells)
    source.notices[:0] = read_notices
    if encoding == "pdf":
        source.pages = pdf.pages
    return source
