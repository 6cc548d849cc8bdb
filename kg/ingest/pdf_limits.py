"""What one PDF may cost before its text is turned into Python objects: pages and glyphs.

The reader makes a Python object per glyph, so a 5 KB PDF whose compressed content stream shows 500,000
characters, or 20,000 tiny pages, would cost gigabytes. PDFium counts a page's glyphs in C
(``count_chars``) before the reader asks for any of them, so ``read_pdf`` checks the page count once and
each page's glyph count (and the running total) before reading it, and refuses the file with one line
when it is over a limit. Memory PDFium itself spends is bounded by the worker's memory budget.

The limits are far above real disclosures (the 22 PDFs of the dev corpus: at most a few dozen pages and
~3,000 glyphs a page) and can be raised with ``BUDGET_KG_PDF_MAX_PAGES`` / ``_MAX_PAGE_GLYPHS`` /
``_MAX_GLYPHS``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from kg.errors import IngestError


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = 2_000
    max_page_glyphs: int = 100_000
    max_glyphs: int = 3_000_000

    @classmethod
    def from_environment(cls) -> PdfLimits:
        def number(name: str, default: int) -> int:
            try:
                return int(float(os.environ.get(f"BUDGET_KG_PDF_{name}", "") or default))
            except ValueError:
                return default

        base = cls()
        return cls(max_pages=number("MAX_PAGES", base.max_pages),
                   max_page_glyphs=number("MAX_PAGE_GLYPHS", base.max_page_glyphs),
                   max_glyphs=number("MAX_GLYPHS", base.max_glyphs))

    def check_pages(self, pages: int, file: str) -> None:
        if pages > self.max_pages:
            raise IngestError(file, f"PDF of {pages:,} pages; more than {self.max_pages:,} are refused "
                              "(BUDGET_KG_PDF_MAX_PAGES)", code="pdf-too-large")

    def check_glyphs(self, page: int, glyphs: int, total: int, file: str) -> None:
        """``glyphs`` on page ``page``; ``total`` so far, this page included."""
        if glyphs > self.max_page_glyphs:
            raise IngestError(file, f"page {page} shows {glyphs:,} glyphs; more than {self.max_page_glyphs:,} "
                              "per page are refused (BUDGET_KG_PDF_MAX_PAGE_GLYPHS)", code="pdf-too-large")
        if total > self.max_glyphs:
            raise IngestError(file, f"more than {self.max_glyphs:,} glyphs by page {page}; refused "
                              "(BUDGET_KG_PDF_MAX_GLYPHS)", code="pdf-too-large")
