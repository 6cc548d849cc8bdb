"""What one PDF may cost before it is read: pages, glyphs, decompressed content per page.

pdfplumber turns every glyph into a Python dict (~2 KB), so a 5 KB PDF whose compressed content stream
shows 500,000 characters took 1.1 GB and 27 s, and 20,000 tiny pages took 781 MB. ``check_pdf`` reads only
the page tree and each page's content streams — decompressed with a bound, never whole — and refuses the
file with one line when it is over a limit, before pdfplumber sees it. The glyph count is an upper bound
(the bytes inside the string operands the text operators show), so it is cheap and never under-counts.

The limits are far above real disclosures (over the 24 PDFs of the samples and the dev corpus: at most 31
pages, 2,814 glyphs and 119 KB of content on one page; walking them all here takes 0.4 s) and can be
raised with ``BUDGET_KG_PDF_MAX_PAGES`` / ``_MAX_PAGE_GLYPHS`` / ``_MAX_GLYPHS`` / ``_MAX_PAGE_CONTENT_MB``.
"""

from __future__ import annotations

import io
import os
import re
import zlib
from dataclasses import dataclass

from kg.errors import IngestError

# A literal string (balanced parentheses are not followed: an upper bound is enough) or a hex string.
_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*")
_HEX = re.compile(rb"<([0-9A-Fa-f\s]+)>")


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = 2_000
    max_page_glyphs: int = 100_000
    max_glyphs: int = 3_000_000
    max_page_content_bytes: int = 16 * 1024 * 1024

    @classmethod
    def from_environment(cls) -> PdfLimits:
        def number(name: str, default: float) -> float:
            try:
                return float(os.environ.get(f"BUDGET_KG_PDF_{name}", "") or default)
            except ValueError:
                return default

        base = cls()
        return cls(max_pages=int(number("MAX_PAGES", base.max_pages)),
                   max_page_glyphs=int(number("MAX_PAGE_GLYPHS", base.max_page_glyphs)),
                   max_glyphs=int(number("MAX_GLYPHS", base.max_glyphs)),
                   max_page_content_bytes=int(number("MAX_PAGE_CONTENT_MB", 16) * 1024 * 1024))


def glyph_bound(content: bytes) -> int:
    """At most how many glyphs a content stream can show: the bytes of its string operands."""
    literal = sum(len(m) - 1 for m in _LITERAL.findall(content))
    hexadecimal = sum(len(re.sub(rb"\s", b"", m)) // 2 for m in _HEX.findall(content))
    return literal + hexadecimal


def _decoded(stream, limit: int) -> bytes | None:
    """The stream's data, decompressed to at most ``limit`` + 1 bytes; None when over."""
    from pdfminer.psparser import LIT

    filters = stream.get_filters()
    if len(filters) == 1 and filters[0][0] in (LIT("FlateDecode"), LIT("Fl")):
        data = zlib.decompressobj().decompress(stream.get_rawdata() or b"", limit + 1)
    elif not filters:
        data = stream.get_rawdata() or b""
    else:  # other filters do not expand much (ASCII85/Hex shrink); decode them the usual way
        data = stream.get_data()
    return None if len(data) > limit else data


def check_pdf(data: bytes, file: str, limits: PdfLimits | None = None) -> None:
    """Raise IngestError (code ``pdf-too-large``) when the PDF is over a limit; a PDF that cannot even be
    walked here is left to the reader, which reports it in its own words."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    limits = limits or PdfLimits.from_environment()
    try:
        document = PDFDocument(PDFParser(io.BytesIO(data)))
        pages = resolve1(resolve1(document.catalog["Pages"])["Count"])
    except Exception:
        return
    if isinstance(pages, int) and pages > limits.max_pages:
        raise IngestError(file, f"PDF of {pages:,} pages; more than {limits.max_pages:,} are refused "
                          "(BUDGET_KG_PDF_MAX_PAGES)", code="pdf-too-large")
    total = 0
    try:
        walked = PDFPage.create_pages(document)
        for number, page in enumerate(walked, start=1):
            if number > limits.max_pages:
                raise IngestError(file, f"PDF of more than {limits.max_pages:,} pages; refused "
                                  "(BUDGET_KG_PDF_MAX_PAGES)", code="pdf-too-large")
            glyphs = 0
            for stream in page.contents:
                content = _decoded(resolve1(stream), limits.max_page_content_bytes)
                if content is None:
                    raise IngestError(file, f"page {number}: content over "
                                      f"{limits.max_page_content_bytes // (1024 * 1024)} MB once decompressed; "
                                      "refused (BUDGET_KG_PDF_MAX_PAGE_CONTENT_MB)",
                                      code="pdf-too-large")
                glyphs += glyph_bound(content)
            if glyphs > limits.max_page_glyphs:
                raise IngestError(file, f"page {number} shows up to {glyphs:,} glyphs; more than "
                                  f"{limits.max_page_glyphs:,} per page are refused (BUDGET_KG_PDF_MAX_PAGE_GLYPHS)",
                                  code="pdf-too-large")
            total += glyphs
            if total > limits.max_glyphs:
                raise IngestError(file, f"more than {limits.max_glyphs:,} glyphs by page {number}; refused "
                                  "(BUDGET_KG_PDF_MAX_GLYPHS)", code="pdf-too-large")
    except IngestError:
        raise
    except Exception:  # a damaged page tree: the reader says what is wrong with it
        return
