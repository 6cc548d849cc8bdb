"""RDF: the budget-kg graph built from extracted records (see ontology/budget-kg.ttl for the terms)."""

from kg.rdf.build import (
    BuildResult,
    build_disclosure,
    decimal_literal,
    disclosure_graph,
    link_classification_years,
    sorted_ntriples,
)
from kg.rdf.inputs import BasisCitation, BudgetTotals, Place, PlaceLinks, PlaceMention, PolicyDocumentRef
from kg.rdf.namespaces import DEFAULT_BASE

__all__ = [
    "BKG",
    "DEFAULT_BASE",
    "BasisCitation",
    "BudgetTotals",
    "BuildResult",
    "Place",
    "PlaceLinks",
    "PlaceMention",
    "PolicyDocumentRef",
    "build_disclosure",
    "decimal_literal",
    "disclosure_graph",
    "link_classification_years",
    "sorted_ntriples",
]


def __getattr__(name: str) -> object:
    """``BKG`` (an rdflib Namespace) imports rdflib on first use only: the builder writes text without it."""
    if name == "BKG":
        from kg.rdf.namespaces import BKG

        return BKG
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
