"""Namespaces of the budget-kg graph: our own ``bkg:`` and the standards it specialises."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

DEFAULT_BASE = "https://w3id.org/budget-kg/id/"

BKG = Namespace("https://w3id.org/budget-kg/ontology#")
QB = Namespace("http://purl.org/linked-data/cube#")
OBEU_DIMENSION = Namespace("http://data.openbudgets.eu/ontology/dsd/dimension/")
OBEU_MEASURE = Namespace("http://data.openbudgets.eu/ontology/dsd/measure/")
OBEU_ATTRIBUTE = Namespace("http://data.openbudgets.eu/ontology/dsd/attribute/")
OBEU_OPTIONAL = Namespace("http://data.openbudgets.eu/ontology/dsd/optional/")
XKOS = Namespace("http://rdf-vocabulary.ddialliance.org/xkos#")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CITO = Namespace("http://purl.org/spar/cito/")
OA = Namespace("http://www.w3.org/ns/oa#")
DCT = DCTERMS

# Reference IRIs that OpenBudgets.eu data uses for currency and years.
CURRENCY_CNY = URIRef("http://publications.europa.eu/resource/authority/currency/CNY")
RFC5147 = URIRef("http://tools.ietf.org/rfc/rfc5147")


def year_iri(year: int) -> URIRef:
    """The reference.data.gov.uk year IRI OpenBudgets.eu uses as the obeu-dimension:fiscalYear value."""
    return URIRef(f"http://reference.data.gov.uk/id/year/{year}")


# Fund-source keys of kg.records.FUND_SOURCES → the concepts declared in ontology/budget-kg.ttl
# (tests check both lists agree, so a key added to records without a concept fails loudly).
FUND_SOURCE_CONCEPTS: dict[str, URIRef] = {
    "general_budget": BKG.GeneralPublicBudget,
    "gov_fund": BKG.GovernmentFundBudget,
    "soe_capital": BKG.StateCapitalBudget,
    "special_account": BKG.SpecialAccountFunds,
    "unit_funds": BKG.UnitOwnFunds,
}

ADMINISTRATIVE_LEVELS: dict[str, URIRef] = {
    "national": BKG.NationalLevel,
    "provincial": BKG.ProvincialLevel,
    "municipal": BKG.MunicipalLevel,
    "county": BKG.CountyLevel,
    "township": BKG.TownshipLevel,
}

PREFIXES: dict[str, Namespace] = {
    "bkg": BKG,
    "qb": QB,
    "obeu-dimension": OBEU_DIMENSION,
    "obeu-measure": OBEU_MEASURE,
    "obeu-attribute": OBEU_ATTRIBUTE,
    "obeu-optional": OBEU_OPTIONAL,
    "xkos": XKOS,
    "org": ORG,
    "schema": SCHEMA,
    "eli": ELI,
    "cito": CITO,
    "oa": OA,
    "prov": PROV,
    "skos": SKOS,
    "dct": DCTERMS,
    "foaf": FOAF,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
}


def bind_prefixes(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph
