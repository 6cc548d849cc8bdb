"""The ontology: parses, versioned, every bkg: term labelled in zh and en, aligned, and used by the data."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.rdf import BKG, Place, PlaceLinks, PlaceMention, disclosure_graph
from kg.rdf.namespaces import FUND_SOURCE_CONCEPTS, OBEU_DIMENSION, OBEU_MEASURE, ORG, QB
from kg.rdf.ontology_docs import ONTOLOGY, SCHEMES, load_ontology, render
from kg.records import FUND_SOURCE_LABELS, FUND_SOURCES, Disclosure
from tests.helpers import CONTRACT_CLASSES, CONTRACT_PROPERTIES

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "rdf"))
import zezhou2025


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()  # budget-kg.ttl and its concept schemes (schemes.ttl)


def bkg_terms(graph):
    return sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(BKG)})


def test_versioned_and_every_term_labelled_in_both_languages(ontology):
    header = URIRef("https://w3id.org/budget-kg/ontology")
    assert (header, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(header, OWL.versionInfo) is not None
    terms = bkg_terms(ontology)
    assert len(terms) >= 80
    for term in terms:
        for predicate in (RDFS.label, RDFS.comment):
            langs = {o.language for o in ontology.objects(term, predicate)}
            assert {"zh", "en"} <= langs, (term, predicate)


def test_contract_terms_exist_with_their_types(ontology):
    for name in CONTRACT_CLASSES:
        assert (BKG[name], RDF.type, OWL.Class) in ontology, name
    for name in CONTRACT_PROPERTIES:
        types = set(ontology.objects(BKG[name], RDF.type))
        assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, name


@pytest.mark.parametrize(("term", "relation", "standard"), [
    (BKG.ExpenditureLine, RDFS.subClassOf, QB.Observation),
    (BKG.functionCode, RDFS.subPropertyOf, OBEU_DIMENSION.functionalClassification),
    (BKG.amount, RDFS.subPropertyOf, OBEU_MEASURE.amount),
    (BKG.total, RDFS.subPropertyOf, OBEU_MEASURE.amount),
    (BKG.fundSource, RDFS.subPropertyOf, OBEU_DIMENSION.classification),
    (BKG.Department, RDFS.subClassOf, ORG.FormalOrganization),
    (BKG.BudgetUnit, RDFS.subClassOf, ORG.Organization),
    (BKG.PolicyDocument, RDFS.subClassOf, URIRef("http://data.europa.eu/eli/ontology#LegalResource")),
    (BKG.docNumber, RDFS.subPropertyOf, URIRef("http://data.europa.eu/eli/ontology#id_local")),
    (BKG.issuer, RDFS.subPropertyOf, URIRef("http://data.europa.eu/eli/ontology#passed_by")),
    (BKG.basis, RDFS.subPropertyOf, URIRef("http://purl.org/spar/cito/citesAsAuthority")),
    (BKG.FunctionCode, RDFS.subClassOf, SKOS.Concept),
    (BKG.SourceLines, RDFS.subClassOf, URIRef("http://www.w3.org/ns/oa#SpecificResource")),
])
def test_alignment_to_the_standards(ontology, term, relation, standard):
    assert (term, relation, standard) in ontology


def test_no_standard_term_is_redefined(ontology):
    # outside bkg: only bare type declarations (so OWL tools load the file) and the ontology header
    for s, p, _o in ontology:
        if isinstance(s, URIRef) and not s.startswith(BKG) and s != URIRef("https://w3id.org/budget-kg/ontology"):
            assert p == RDF.type, (s, p)


def test_fund_sources_match_records_and_ontology(ontology):
    assert set(FUND_SOURCE_CONCEPTS) == set(FUND_SOURCES)
    for key, concept in FUND_SOURCE_CONCEPTS.items():
        assert str(ontology.value(concept, SKOS.notation)) == key
        assert FUND_SOURCE_LABELS[key] in {str(lb) for lb in ontology.objects(concept, SKOS.prefLabel)}


def test_every_contract_term_is_used_by_the_data(sources):
    source = sources["zezhou2025"]
    shanxi = Place("140000", "山西省", "province")
    zezhou = Place("140525", "泽州县", "county", Place("140500", "晋城市", "city", shanxi))
    township = Place("140525106", "柳树口镇", "township", zezhou)
    graph = disclosure_graph(
        zezhou2025.disclosure(source), citations=zezhou2025.citations(source),
        places=PlaceLinks(zezhou, {"驻村工作队经费(柳树口镇东南庄村)": [township]},
                          [PlaceMention(township, source.span(394))]))
    qinshui = Disclosure(sources["qinshui2024"], None, "沁水县自然资源局", None, "沁水县自然资源局本级", "unit", 2024)
    graph += disclosure_graph(qinshui)
    used_types = set(graph.objects(None, RDF.type))
    used_predicates = set(graph.predicates())
    for name in CONTRACT_CLASSES:
        assert BKG[name] in used_types, name
    for name in CONTRACT_PROPERTIES:
        assert BKG[name] in used_predicates, name
    assert DCTERMS.title in used_predicates
    assert {t for t in used_types | used_predicates if t.startswith(BKG)} <= set(bkg_terms(load_ontology()))


def test_html_documentation_lists_every_class(ontology):
    page = render(ontology)
    assert "<code>bkg:ExpenditureLine</code>" in page and "支出总表行" in page and "qb:Observation" in page


def test_one_owl_ontology_with_one_title_and_the_schemes_apart():
    terms = Graph().parse(ONTOLOGY)
    assert list(terms.subjects(RDF.type, OWL.Ontology)) == [URIRef("https://w3id.org/budget-kg/ontology")]
    assert {t.language for t in terms.objects(None, DCTERMS.title)} == {"zh", "en"}  # one title, two languages
    assert list(terms.subjects(RDF.type, SKOS.ConceptScheme)) == []
    schemes = Graph().parse(SCHEMES)
    assert set(schemes.subjects(RDF.type, SKOS.ConceptScheme)) == {
        BKG.BudgetPhaseScheme, BKG.FundSourceScheme, BKG.AllocationScheme, BKG.AdministrativeLevelScheme,
        BKG.ThreePublicItemScheme}
    assert not list(schemes.subjects(RDF.type, OWL.Ontology))
    # every concept's scheme is described, in one file or the other
    both = load_ontology()
    for scheme in set(both.objects(None, SKOS.inScheme)):
        if scheme.startswith(BKG):
            assert (scheme, RDF.type, SKOS.ConceptScheme) in both, scheme


def test_ontology_docs_give_every_term_its_anchor(ontology):
    import re

    page = render(ontology)
    anchors = re.findall(r"<tr id='([^']+)'>", page)
    assert len(anchors) == len(set(anchors))  # one anchor per term
    assert set(anchors) == {str(term)[len(BKG):] for term in bkg_terms(ontology)}
    assert {"Project", "amount", "FundSourceScheme", "NationalLevel"} <= set(anchors)
    # links between terms point at those anchors
    assert "href='#ExpenditureLine'" in page and "href='#Project'" in page
    assert page.count("<h1>") == 1 and "budget-kg ontology for Chinese budget disclosures" in page
