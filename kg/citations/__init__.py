"""Policy documents cited in 立项依据 cells: split, normalise, resolve the issuer, classify, identify."""

from kg.citations.find import CellReading, extract_citations, extract_citations_with_notices, read_cell
from kg.citations.identify import DocumentRegistry, PolicyDocument
from kg.citations.models import Citation, RegionContext
from kg.citations.normalise import normalise_doc_number, normalise_title

__all__ = [
    "CellReading",
    "Citation",
    "DocumentRegistry",
    "PolicyDocument",
    "RegionContext",
    "extract_citations",
    "extract_citations_with_notices",
    "normalise_doc_number",
    "normalise_title",
    "read_cell",
]
