"""PDF ingest (placeholder until the PDF reader lands): refuse clearly rather than guess."""

from __future__ import annotations

from kg.errors import IngestError


def pdf_to_text(data: bytes, file: str) -> str:
    raise IngestError(file, "PDF reading is not available yet", code="pdf-unsupported")
