"""Small PDFs that cost a reader much: many glyphs in a few KB, many pages, a broken /MediaBox.

Written by hand (the PDF syntax is simple), so tests and the fuzz run need no PDF-writing library. Used by
tests/test_pdf_limits.py and scripts/fuzz.py.
"""

from __future__ import annotations

import zlib


def pdf_bytes(streams: list[bytes], media_box: bytes = b"[0 0 595 842]", compress: bool = True) -> bytes:
    """A PDF with one page per content stream (Helvetica as /F1)."""
    objects: list[bytes] = []
    count = len(streams)
    first_page = 4
    kids = b" ".join(f"{first_page + 2 * i} 0 R".encode() for i in range(count))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(count).encode() + b" >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for index, stream in enumerate(streams):
        content_id = first_page + 2 * index + 1
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox " + media_box + b" /Resources << /Font << /F1 3 0 R"
                       b" >> >> /Contents " + str(content_id).encode() + b" 0 R >>")
        data = zlib.compress(stream, 9) if compress else stream
        flate = b" /Filter /FlateDecode" if compress else b""
        objects.append(b"<< /Length " + str(len(data)).encode() + flate + b" >>\nstream\n" + data + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def text_stream(lines: list[str]) -> bytes:
    body = [b"BT /F1 10 Tf 50 800 Td 12 TL"]
    for line in lines:
        escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        body.append(b"(" + escaped.encode("latin-1", errors="replace") + b") '")
    body.append(b"ET")
    return b"\n".join(body)


def glyph_bomb(glyphs: int = 500_000) -> bytes:
    """One page that shows ``glyphs`` characters: a few KB compressed (strings of 10,000, one per line, since
    PDFium shows at most 32,767 characters of one string)."""
    chunk, rest = divmod(glyphs, 10_000)
    strings = [b"(" + b"A" * 10_000 + b") '" for _ in range(chunk)] + ([b"(" + b"A" * rest + b") '"] if rest else [])
    return pdf_bytes([b"BT /F1 1 Tf 0 800 Td 1 TL " + b" ".join(strings) + b" ET"])


def page_bomb(pages: int = 20_000) -> bytes:
    return pdf_bytes([b"BT /F1 10 Tf 50 800 Td (x) Tj ET"] * pages)


def broken_media_box() -> bytes:
    return pdf_bytes([text_stream(["2025 budget"])], media_box=b"[0 0 abc]")
