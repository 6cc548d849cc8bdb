"""Policy documents cited in 立项依据 cells: split, normalise, resolve the issuer, classify, identify."""

from kg.citations.find import extract_citations
from kg.citations.identify import DocumentRegistry, PolicyDocument
from kg.citations.models import Citation, RegionContext
from kg.citations.normalise import normalise_doc_number, normalise_title

__all__ = [
    "Citation",
    "DocumentRegistry",
    "PolicyDocument",
    "RegionContext",
    "extract_citations",
    "normalise_doc_number",
    "normalise_title",
]
