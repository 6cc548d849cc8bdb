"""The RDF builder on hand-made records carrying real values of zezhou-natural-resources-bureau-2025.txt."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kg.rdf import (
    BKG,
    Place,
    PlaceLinks,
    PlaceMention,
    build_disclosure,
    decimal_literal,
    disclosure_graph,
    link_classification_years,
    sorted_ntriples,
)
from kg.rdf.namespaces import CITO, OA, XKOS
from kg.rdf.namespaces import DEFAULT_BASE as BASE
from kg.rdf.uris import Minter, legacy_segment, slug

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "rdf"))
import zezhou2025

SHANXI = Place("140000", "山西省", "province")
JINCHENG = Place("140500", "晋城市", "city", SHANXI)
ZEZHOU = Place("140525", "泽州县", "county", JINCHENG)
LIUSHUKOU = Place("140525106", "柳树口镇", "township", ZEZHOU)


@pytest.fixture(scope="module")
def zezhou(sources):
    source = sources["zezhou2025"]
    places = PlaceLinks(region=ZEZHOU, project_townships={"驻村工作队经费(柳树口镇东南庄村)": [LIUSHUKOU]},
                        mentioned=[PlaceMention(LIUSHUKOU, source.span(394))])
    return build_disclosure(zezhou2025.disclosure(source), citations=zezhou2025.citations(source),
                            places=places, totals=zezhou2025.totals(source))


def the(graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def disclosure_node(graph):
    nodes = list(graph.subjects(RDF.type, BKG.Disclosure))
    assert len(nodes) == 1
    return str(nodes[0])


def project(graph, name):
    nodes = [s for s in graph.subjects(RDFS.label, Literal(name)) if (s, RDF.type, BKG.Project) in graph]
    assert len(nodes) == 1, name
    return nodes[0]


def line_of(graph, code):
    concepts = [c for c in graph.subjects(SKOS.notation, Literal(code)) if (c, RDF.type, BKG.FunctionCode) in graph]
    assert len(concepts) == 1
    return next(graph.subjects(BKG.functionCode, concepts[0])), concepts[0]


def test_land_reserve_project_amount_in_yuan_from_government_fund(zezhou):
    g = zezhou.graph
    land = project(g, "2025年土地收储经费")
    assert the(g, land, BKG.amount).toPython() == Decimal("75000000")
    assert the(g, land, BKG.fiscalYear).toPython() == 2025
    assert the(g, land, BKG.carriedOver).toPython() is False
    fundings = list(g.subjects(BKG.project, land))
    assert len(fundings) == 1
    assert the(g, fundings[0], BKG.fundSource) == BKG.GovernmentFundBudget
    assert the(g, fundings[0], BKG.allocation) == BKG.CurrentYear
    assert the(g, fundings[0], BKG.amount).toPython() == Decimal("75000000")
    # this disclosure's project is named by its row's line; the unit's project it prints by unit, year and name
    assert str(land) == f"{disclosure_node(g)}/project/389"
    assert str(the(g, land, BKG.unitProject)).endswith("/project/140525/泽州县自然资源局/2025/2025年土地收储经费")
    assert the(g, the(g, land, BKG.unitProject), RDF.type) == BKG.UnitProject
    # the funding is named by its 项目支出表 row's line, the performance target by its title's line
    assert str(fundings[0]) == f"{disclosure_node(g)}/funding/389/gov_fund"
    row = the(g, fundings[0], PROV.wasDerivedFrom)
    assert Minter.line_range(str(row)) == (389, 389)
    assert "2025年土地收储经费" in str(the(g, row, BKG.printedText))
    target = the(g, land, BKG.performanceTarget)
    assert str(target) == f"{disclosure_node(g)}/performance/575"
    table = the(g, target, PROV.wasDerivedFrom)
    assert Minter.line_range(str(table)) == (575, 605)
    assert "项目名称\t\t2025年土地收储经费" in str(the(g, table, BKG.printedText))


def test_carried_over_project(zezhou):
    g = zezhou.graph
    hazard = project(g, "山西省晋城市泽州县地质灾害综合治理项目")
    assert the(g, hazard, BKG.carriedOver).toPython() is True
    assert the(g, hazard, BKG.amount).toPython() == Decimal("4865500")
    funding = next(g.subjects(BKG.project, hazard))
    assert the(g, funding, BKG.allocation) == BKG.CarriedOver
    assert the(g, funding, BKG.fundSource) == BKG.GeneralPublicBudget


def test_expenditure_line_2080505_and_its_code(zezhou):
    g = zezhou.graph
    line, concept = line_of(g, "2080505")
    assert the(g, line, BKG.total).toPython() == Decimal("3662100")
    assert the(g, line, BKG.basicExpenditure).toPython() == Decimal("3662100")
    assert list(g.objects(line, BKG.projectExpenditure)) == []  # printed empty, not zero
    assert the(g, line, BKG.printedUnit) == Literal("万元")
    assert the(g, concept, SKOS.prefLabel) == Literal("机关事业单位基本养老保险缴费支出", lang="zh")
    parent = the(g, concept, SKOS.broader)
    assert the(g, parent, SKOS.notation) == Literal("20805")
    grandparent = the(g, parent, SKOS.broader)
    assert the(g, grandparent, SKOS.notation) == Literal("208")
    scheme = the(g, concept, SKOS.inScheme)
    assert (grandparent, SKOS.topConceptOf, scheme) in g
    assert str(scheme).endswith("/classification/function/2025")
    item_level = next(level for level in g.subjects(XKOS.depth, Literal(3)))
    assert (item_level, SKOS.member, concept) in g
    assert the(g, scheme, XKOS.numberOfLevels).toPython() == 3


def test_line_provenance_reaches_file_line_and_quote(zezhou, sources):
    g = zezhou.graph
    line, _ = line_of(g, "2080505")
    lines = [o for o in g.objects(line, PROV.wasDerivedFrom) if (o, RDF.type, BKG.SourceLines) in g]
    assert len(lines) == 1
    assert Minter.line_range(str(lines[0])) == (171, 171)
    # the fragment states the lines: no bkg:firstLine / bkg:lastLine triples repeat them
    assert (lines[0], BKG.firstLine, None) not in g and (lines[0], BKG.lastLine, None) not in g
    disclosure = the(g, lines[0], OA.hasSource)
    assert the(g, disclosure, BKG.sourceFile) == Literal("zezhou-natural-resources-bureau-2025.txt")
    # one node per span: the RFC 5147 fragment is its IRI (line boundaries from 0), the printed line its text
    assert str(lines[0]) == f"{disclosure}#line=170,171"
    assert the(g, lines[0], BKG.printedText) == Literal("2080505\t机关事业单位基本养老保险缴费支出\t366.21\t366.21\t")
    assert (lines[0], PROV.wasDerivedFrom, None) not in g and (line, PROV.wasDerivedFrom, disclosure) not in g


def test_facts_read_from_one_span_share_its_node(zezhou):
    g = zezhou.graph
    spans = list(g.subjects(RDF.type, BKG.SourceLines))
    assert len(spans) == len(set(spans)) == len({Minter.line_range(str(s)) for s in spans})
    # the 立项依据 cell of 2025年土地收储经费 (line 589): its citations and the project's basis provenance share it
    land = project(g, "2025年土地收储经费")
    cell = next(o for o in g.objects(land, PROV.wasDerivedFrom) if Minter.line_range(str(o)) == (589, 589))
    citations = set(g.subjects(CITO.hasCitingEntity, land))
    assert len(citations) == 2 and all((c, PROV.wasDerivedFrom, cell) in g for c in citations)


def test_department_and_disclosure(zezhou):
    g = zezhou.graph
    department = next(g.subjects(RDF.type, BKG.Department))
    assert the(g, department, BKG.orgCode) == Literal("080")
    assert the(g, department, RDFS.label) == Literal("泽州县自然资源局")
    disclosure = next(g.subjects(RDF.type, BKG.Disclosure))
    assert the(g, disclosure, BKG.fiscalYear).toPython() == 2025
    assert the(g, disclosure, BKG.revenueTotal).toPython() == Decimal("134874200")


def test_basis_citation_qualified(zezhou):
    g = zezhou.graph
    land = project(g, "2025年土地收储经费")
    documents = {str(the(g, d, BKG.docNumber)): d for d in g.objects(land, BKG.basis)}
    assert set(documents) == {"晋税发〔2021〕55号", "财综〔2009〕74号"}
    tax = documents["晋税发〔2021〕55号"]
    assert the(g, the(g, tax, BKG.issuer), RDFS.label) == Literal("国家税务总局山西省税务局")
    assert the(g, tax, BKG.issuerLevel) == BKG.ProvincialLevel
    citation = next(g.subjects(CITO.hasCitedEntity, tax))
    assert the(g, citation, CITO.hasCitingEntity) == land
    assert the(g, citation, BKG.matchMethod) == Literal("number")
    cell = next(o for o in g.objects(citation, PROV.wasDerivedFrom) if Minter.line_range(str(o)) == (589, 589))
    assert "(晋税发[2021]55号)" in str(the(g, cell, BKG.printedText))
    # named by the line its 立项依据 is printed on and the 文号, 〔〕 as printed (an IRI allows them)
    assert str(citation) == f"{disclosure_node(g)}/citation/589/晋税发〔2021〕55号"
    assert str(the(g, land, BKG.basisText)).startswith("1、山西省自然资源厅关于进一步做好建设用地审查报批工作")


def test_places_chain_and_township(zezhou):
    g = zezhou.graph
    village_fund = project(g, "驻村工作队经费(柳树口镇东南庄村)")
    township = the(g, village_fund, BKG.township)
    assert the(g, township, SKOS.notation) == Literal("140525106")
    county = the(g, township, URIRef("https://schema.org/containedInPlace"))
    city = the(g, county, URIRef("https://schema.org/containedInPlace"))
    assert the(g, city, RDFS.label) == Literal("晋城市")
    disclosure = next(g.subjects(RDF.type, BKG.Disclosure))
    assert (disclosure, BKG.mentions, township) in g


def test_same_inputs_give_identical_sorted_ntriples_without_blank_nodes(sources):
    source = sources["zezhou2025"]
    first = disclosure_graph(zezhou2025.disclosure(source), citations=zezhou2025.citations(source))
    second = disclosure_graph(zezhou2025.disclosure(source), citations=zezhou2025.citations(source))
    assert sorted_ntriples(first) == sorted_ntriples(second)
    assert not any(isinstance(term, BNode) for triple in first for term in triple)


def test_policy_document_is_one_node_across_disclosures_and_base_is_configurable(sources):
    a = disclosure_graph(zezhou2025.disclosure(sources["zezhou2025"]),
                         citations=zezhou2025.citations(sources["zezhou2025"]))
    other = zezhou2025.disclosure_2026(sources["zezhou2026"])
    b = disclosure_graph(other, citations=zezhou2025.citations_2026(sources["zezhou2026"]))
    shared = set(b.subjects(RDF.type, BKG.PolicyDocument))
    assert len(shared) == 1 and shared <= set(a.subjects(RDF.type, BKG.PolicyDocument))
    assert set(a.subjects(RDF.type, BKG.Disclosure)) != set(b.subjects(RDF.type, BKG.Disclosure))
    custom = disclosure_graph(other, base="http://example.org/kg/")
    assert all(str(s).startswith("http://example.org/kg/") for s in custom.subjects(RDF.type, BKG.Project))


def test_exact_match_across_years(sources):
    d2025 = zezhou2025.disclosure(sources["zezhou2025"])
    d2026 = zezhou2025.disclosure_2026(sources["zezhou2026"])
    merged = disclosure_graph(d2025) + disclosure_graph(d2026)
    links = link_classification_years(merged)
    _, c2025 = line_of(disclosure_graph(d2025), "2080505")
    c2026 = URIRef(str(c2025).replace("/2025/", "/2026/"))
    assert (c2025, SKOS.exactMatch, c2026) in links and (c2026, SKOS.exactMatch, c2025) in links


def test_unknown_project_citation_is_a_notice_not_a_drop_of_others(sources):
    source = sources["zezhou2025"]
    citations = zezhou2025.citations(source)
    stray = type(citations[0])("不存在的项目", citations[0].document, "number", source.span(589), "x")
    result = build_disclosure(zezhou2025.disclosure(source), citations=[stray, *citations])
    assert [n.code for n in result.notices] == ["rdf-citation-unknown-project"]
    assert len(set(result.graph.subjects(RDF.type, BKG.BasisCitation))) == 2


def test_decimal_literal_is_canonical():
    assert decimal_literal(Decimal("7500.00") * 10000) == decimal_literal(Decimal("75000000"))
    assert str(decimal_literal(Decimal("366.2100"))) == "366.21"
    assert str(decimal_literal(Decimal("0.00"))) == "0"


def test_slug_keeps_chinese_and_encodes_reserved():
    assert slug("驻村工作队经费(柳树口镇东南庄村)") == "驻村工作队经费(柳树口镇东南庄村)"
    assert slug("国有资本经营 预算支出") == "国有资本经营预算支出"
    # what RFC 3987 allows stays as printed: Chinese punctuation and quotes
    assert slug("晋税发〔2021〕55号") == "晋税发〔2021〕55号"
    assert slug("“两高”沿线、《测绘法》") == "“两高”沿线、《测绘法》"
    assert slug("a/b#c") == "a%2Fb%23c"
    assert slug("TD/T 1057-2020") == "TD%2FT1057-2020"  # a / inside a name must not split the path
    # invisible or not allowed in an IRI: a zero-width space (Cf), a private-use character, U+FFFD (a special)
    assert slug("耕地\u200b保护\ue000\ufffd") == "耕地%E2%80%8B保护%EE%80%80%EF%BF%BD"
    # graphs built before round 8 encoded the punctuation: the reader of old IRIs still has that rule
    assert legacy_segment("晋税发〔2021〕55号") == "晋税发%E3%80%942021%E3%80%9555号"


def test_keys_by_line_number_a_second_thing_of_one_line():
    taken: set[str] = set()
    assert [Minter.row_key_of(612, taken) for _ in range(3)] == ["612", "612-2", "612-3"]
    assert Minter.row_key_of(613, taken) == "613"
    assert Minter.citation_document_key(BASE + "policy/no/晋税发〔2021〕55号") == "晋税发〔2021〕55号"
    assert Minter.citation_document_key(BASE + "policy/title/测绘法") == "《测绘法》"
