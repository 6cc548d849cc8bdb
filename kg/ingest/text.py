"""Read a disclosure's extracted text: UTF-8 first, then GB18030 (a superset of GBK/GB2312) when detected."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from kg.errors import IngestError
from kg.records import Notice

# GB18030 covers GBK and GB2312; trying it explicitly beats a detector's guess on short Chinese text.
_CHINESE_ENCODINGS = ("gb18030",)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB: not a text file."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.05


# A UTF-8 file with at most this many bad bytes per 10,000 (a truncated download, one flipped byte) is read as
# UTF-8 with U+FFFD for them and a notice naming each line; more is another encoding, or not text.
LOSSY_PER_10K = 10
MAX_NAMED_LINES = 20


# Containers other formats of a disclosure come in, by their first bytes; a ZIP told apart by what it holds
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .wps, .et (OLE compound file)
_ZIP_KINDS = (("word/", "a Word document (.docx)"), ("xl/", "an Excel workbook (.xlsx)"),
              ("ppt/", "a PowerPoint file (.pptx)"), ("OFD.xml", "an OFD document (.ofd)"),
              ("content.xml", "an OpenDocument file"))


def _document_kind(data: bytes) -> str | None:
    """What office format ``data`` is, when it is one (None for other binary data)."""
    if data.startswith(_OLE_MAGIC):
        return "a Word, Excel or WPS file in the old binary format (.doc, .xls, .wps)"
    if not data.startswith(b"PK\x03\x04"):
        return None
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return "a ZIP archive (damaged)"
    for prefix, kind in _ZIP_KINDS:
        if any(name.startswith(prefix) or name.endswith("/" + prefix) for name in names):
            return kind
    return "a ZIP archive (unpack it and give the disclosures inside)"


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Return (text, encoding). Raise IngestError naming the file when no sensible decoding exists."""
    text, encoding, _ = decode_with_notices(data, file)
    return text, encoding


def decode_with_notices(data: bytes, file: str) -> tuple[str, str, list[Notice]]:
    """(text, encoding, notices). A nearly-UTF-8 file is decoded lossily and each bad line is named;
    raise IngestError naming the file when no sensible decoding exists."""
    if not data.strip():
        raise IngestError(file, "file is empty", code="empty-file")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError as exc:  # a UTF-16 mark on damaged bytes (found by tests/test_fuzz_extractor)
            raise IngestError(file, f"UTF-16 byte-order mark but undecodable bytes at offset {exc.start}",
                              code="undecodable") from None
    if looks_binary(data):
        kind = _document_kind(data)
        if kind:  # a disclosure published as a Word or Excel file, or an OFD: say how to get text from it
            raise IngestError(file, f"{kind}, not a PDF or extracted text: save it as PDF (or export its text) "
                              "and give that", code="binary-file")
        raise IngestError(file, "binary file, not extracted text (give a .txt or a .pdf)", code="binary-file")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    lossy = _lossy_utf8(data, file)
    if lossy is not None:
        return lossy
    for encoding in _CHINESE_ENCODINGS:
        try:
            return data.decode(encoding), encoding, []
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding, []
    line = data[: utf8_error.start].count(b"\n") + 1
    raise IngestError(file, f"cannot decode as UTF-8 or GB18030 (first bad byte at line {line})",
                      line=line, code="undecodable")


def _lossy_utf8(data: bytes, file: str) -> tuple[str, str, list[Notice]] | None:
    """UTF-8 with U+FFFD for a few bad bytes, and notices naming their lines; None when the file is not
    nearly UTF-8 (then it is another encoding: a GBK file decodes as almost no valid multi-byte UTF-8)."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    good = sum(1 for c in text if ord(c) > 127 and c != "\ufffd")
    if bad * 10_000 > LOSSY_PER_10K * len(data) or good < 10 * bad:
        return None
    lines = [n for n, line in enumerate(data.split(b"\n"), start=1) if not _is_utf8(line)]
    shown = ", ".join(str(n) for n in lines[:MAX_NAMED_LINES]) + (" …" if len(lines) > MAX_NAMED_LINES else "")
    notices = [Notice(file, lines[0] if lines else None, "lossy-decode",
                      f"{bad} byte(s) are not UTF-8 (line(s) {shown}); read as U+FFFD, the rest of the file is kept",
                      "warning")]
    notices += [Notice(file, n, "undecodable-bytes", "bytes that are not UTF-8 read as U+FFFD on this line "
                       "(a damaged or truncated file?)", "warning") for n in lines[:MAX_NAMED_LINES]]
    return text, "utf-8", notices


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
