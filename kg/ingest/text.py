"""Read a disclosure's extracted text: UTF-8 first, then GB18030 (a superset of GBK/GB2312) when detected."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from kg.errors import IngestError

# GB18030 covers GBK and GB2312; trying it explicitly beats a detector's guess on short Chinese text.
_CHINESE_ENCODINGS = ("gb18030",)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the first 8 KiB: not a text file."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return bool(head) and controls / len(head) > 0.05


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Return (text, encoding). Raise IngestError naming the file when no sensible decoding exists."""
    if not data.strip():
        raise IngestError(file, "file is empty", code="empty-file")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:  # a UTF-16 mark on damaged bytes (found by tests/test_fuzz_extractor)
            raise IngestError(file, f"UTF-16 byte-order mark but undecodable bytes at offset {exc.start}",
                              code="undecodable") from None
    if looks_binary(data):
        raise IngestError(file, "binary file, not extracted text (give a .txt or a .pdf)", code="binary-file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    for encoding in _CHINESE_ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    line = data[: utf8_error.start].count(b"\n") + 1
    raise IngestError(file, f"cannot decode as UTF-8 or GB18030 (first bad byte at line {line})",
                      line=line, code="undecodable")
