"""Namespaces of the budget-kg graph: our own ``bkg:`` and the standards it specialises.

The IRIs are plain strings (``NAMESPACE_IRIS``, ``CURRENCY_CNY_IRI`` …): the builder writes N-Triples text and
needs no rdflib, whose import cost ≈ 0.1-0.3 s of every build. The rdflib forms (``BKG``, ``PREFIXES``,
``CURRENCY_CNY``, ``FUND_SOURCE_CONCEPTS`` …) are made on first use, for the callers that build rdflib graphs.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Graph, URIRef

DEFAULT_BASE = "https://w3id.org/budget-kg/id/"

# prefix → namespace IRI, in the order graph.ttl declares them
NAMESPACE_IRIS: dict[str, str] = {
    "bkg": "https://w3id.org/budget-kg/ontology#",
    "qb": "http://purl.org/linked-data/cube#",
    "obeu-dimension": "http://data.openbudgets.eu/ontology/dsd/dimension/",
    "obeu-measure": "http://data.openbudgets.eu/ontology/dsd/measure/",
    "obeu-attribute": "http://data.openbudgets.eu/ontology/dsd/attribute/",
    "obeu-optional": "http://data.openbudgets.eu/ontology/dsd/optional/",
    "xkos": "http://rdf-vocabulary.ddialliance.org/xkos#",
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "cito": "http://purl.org/spar/cito/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

# Reference IRIs that OpenBudgets.eu data uses for currency and years.
CURRENCY_CNY_IRI = "http://publications.europa.eu/resource/authority/currency/CNY"
RFC5147_IRI = "http://tools.ietf.org/rfc/rfc5147"

# Fund-source keys of kg.records.FUND_SOURCES → the bkg: concepts declared in ontology/budget-kg.ttl
# (tests check both lists agree, so a key added to records without a concept fails loudly).
FUND_SOURCE_IRIS: dict[str, str] = {
    key: NAMESPACE_IRIS["bkg"] + name for key, name in (
        ("general_budget", "GeneralPublicBudget"),
        ("gov_fund", "GovernmentFundBudget"),
        ("soe_capital", "StateCapitalBudget"),
        ("special_account", "SpecialAccountFunds"),
        ("unit_funds", "UnitOwnFunds"),
        ("appropriation_income", "FiscalAppropriation"),
        ("other_funds", "OtherFunds"),
        ("higher_subsidy_income", "HigherLevelSubsidy"),
        ("business_income", "ServiceIncome"),
        ("operating_income", "OperatingIncome"),
        ("subordinate_income", "SubordinateUnitsRemittance"),
        ("other_income", "OtherIncome"),
        ("business_fund_offset", "ReserveFundOffset"),
    )
}

ADMINISTRATIVE_LEVEL_IRIS: dict[str, str] = {
    key: NAMESPACE_IRIS["bkg"] + name for key, name in (
        ("national", "NationalLevel"),
        ("provincial", "ProvincialLevel"),
        ("municipal", "MunicipalLevel"),
        ("county", "CountyLevel"),
        ("township", "TownshipLevel"),
    )
}


def year_iri_text(year: int) -> str:
    """The reference.data.gov.uk year IRI OpenBudgets.eu uses as the obeu-dimension:fiscalYear value."""
    return f"http://reference.data.gov.uk/id/year/{year}"


def year_iri(year: int) -> URIRef:
    """``year_iri_text`` as an rdflib URIRef."""
    from rdflib import URIRef

    return URIRef(year_iri_text(year))


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in _rdflib_forms()["PREFIXES"].items():
        graph.bind(prefix, namespace, override=True)
    return graph


# module attribute → prefix of the rdflib Namespace it names
_NAMESPACE_ATTRIBUTES = {
    "BKG": "bkg", "QB": "qb", "OBEU_DIMENSION": "obeu-dimension", "OBEU_MEASURE": "obeu-measure",
    "OBEU_ATTRIBUTE": "obeu-attribute", "OBEU_OPTIONAL": "obeu-optional", "XKOS": "xkos", "ORG": "org",
    "SCHEMA": "schema", "ELI": "eli", "CITO": "cito", "OA": "oa", "DCT": "dct",
}


@lru_cache(maxsize=1)
def _rdflib_forms() -> dict[str, Any]:
    """The rdflib objects this module offers, made once (the standard namespaces are rdflib's own)."""
    from rdflib import Namespace, URIRef
    from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

    standard = {"prov": PROV, "skos": SKOS, "dct": DCTERMS, "foaf": FOAF, "owl": OWL, "rdf": RDF, "rdfs": RDFS,
                "xsd": XSD}
    prefixes = {prefix: standard.get(prefix) or Namespace(iri) for prefix, iri in NAMESPACE_IRIS.items()}
    forms: dict[str, Any] = {name: prefixes[prefix] for name, prefix in _NAMESPACE_ATTRIBUTES.items()}
    forms.update(
        PREFIXES=prefixes,
        CURRENCY_CNY=URIRef(CURRENCY_CNY_IRI),
        RFC5147=URIRef(RFC5147_IRI),
        FUND_SOURCE_CONCEPTS={key: URIRef(iri) for key, iri in FUND_SOURCE_IRIS.items()},
        ADMINISTRATIVE_LEVELS={key: URIRef(iri) for key, iri in ADMINISTRATIVE_LEVEL_IRIS.items()},
    )
    return forms


def __getattr__(name: str) -> Any:
    """``BKG``, ``PREFIXES``, ``CURRENCY_CNY`` … as rdflib objects, importing rdflib on first use (PEP 562)."""
    forms = _rdflib_forms() if name.isupper() else {}
    if name not in forms:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = forms[name]
    return forms[name]
