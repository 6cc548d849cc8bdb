"""SHACL shapes: the real zezhou2025 records conform; planted inconsistencies are caught with the right severity."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH, SKOS

from kg.rdf import BKG, disclosure_graph
from kg.rdf.build import decimal_literal
from kg.validate import DEFAULT_SHAPES_DIR, load_shapes, validate, validate_file

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "rdf"))
import zezhou2025

FIXTURES = Path(__file__).parent / "fixtures" / "rdf"


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def build(source, edit=None, totals=True):
    disclosure = zezhou2025.disclosure(source)
    if edit:
        edit(disclosure)
    return disclosure_graph(disclosure, citations=zezhou2025.citations(source),
                            totals=zezhou2025.totals(source) if totals else None)


def line(disclosure, code):
    return next(item for item in disclosure.expenditure_lines if item.code == code)


def rules(report, severity):
    return {issue.rule.split(" ")[0] for issue in report.issues if issue.severity == severity}


def test_shapes_parse_and_cover_every_class():
    shapes = load_shapes(DEFAULT_SHAPES_DIR)
    targets = set(shapes.objects(None, SH.targetClass))
    for cls in ("Disclosure", "Department", "BudgetUnit", "Project", "ProjectFunding", "ExpenditureLine",
                "FunctionCode", "FunctionClassification", "PolicyDocument", "BasisCitation", "Township", "County",
                "Issuer", "PerformanceTarget", "SourceLines"):
        assert BKG[cls] in targets, cls
    # performance indicators are the objects of bkg:indicator (its range; no rdf:type on each)
    assert BKG.indicator in set(shapes.objects(None, SH.targetObjectsOf))
    assert len(list(shapes.subjects(SH.severity, SH.Warning))) >= 5


def test_real_records_conform_with_the_documents_own_rounding_as_warnings(sources, shapes):
    # 220 and 22001 print 合计 4222.91 but 基本 2672.43 + 项目 1550.47 = 4222.90; 22001's children sum to
    # 4222.90 too: the document's own 0.01 万元 rounding, a warning and not a violation
    report = validate(build(sources["zezhou2025"]), shapes=shapes)
    assert report.violations == [], report.text()
    assert report.exit_code == 0
    warned = {(i.rule.split(" ")[0], i.source) for i in report.warnings}
    assert warned == {("bkgsh:LineSumWarning", "zezhou-natural-resources-bureau-2025.txt:182"),
                      ("bkgsh:LineSumWarning", "zezhou-natural-resources-bureau-2025.txt:183"),
                      ("bkgsh:ChildrenSumWarning", "zezhou-natural-resources-bureau-2025.txt:183")}


def test_child_codes_off_by_one_cent_is_a_warning(sources, shapes):
    def plant(d):  # 2080505 printed 366.22 instead of 366.21: 20805 (667.92) is off by 0.01 万元
        line(d, "2080505").total = Decimal("366.22") * 10000
        line(d, "2080505").basic = Decimal("366.22") * 10000
    report = validate(build(sources["zezhou2025"], plant), shapes=shapes)
    assert report.conforms and report.exit_code == 0
    warned = {(i.rule.split(" ")[0], i.source) for i in report.warnings}
    assert ("bkgsh:ChildrenSumWarning", "zezhou-natural-resources-bureau-2025.txt:169") in warned


def test_child_codes_not_summing_is_a_violation_naming_the_line(sources, shapes):
    def plant(d):
        line(d, "2080505").total = Decimal("376.21") * 10000
        line(d, "2080505").basic = Decimal("376.21") * 10000
    report = validate(build(sources["zezhou2025"], plant), shapes=shapes)
    assert report.exit_code == 1
    children = [i for i in report.violations if i.rule.startswith("bkgsh:ChildrenSumViolation")]
    assert {i.source for i in children} == {"zezhou-natural-resources-bureau-2025.txt:169"}
    assert any("difference 100000" in i.message for i in children)


def test_basic_plus_project_must_equal_total(sources, shapes):
    def plant(d):
        line(d, "2200101").basic = Decimal("2600.00") * 10000
    report = validate(build(sources["zezhou2025"], plant), shapes=shapes)
    assert "bkgsh:LineSumViolation" in rules(report, "Violation")


def test_project_sources_must_sum_to_total(sources, shapes):
    def plant(d):
        d.projects[0].by_source = {"gov_fund": Decimal("7000.00") * 10000}
    report = validate(build(sources["zezhou2025"], plant), shapes=shapes)
    assert rules(report, "Violation") == {"bkgsh:ProjectSourcesSumViolation"}


def test_projects_must_sum_to_project_expenditure(sources, shapes):
    def plant(d):  # the extractor lost the 上年结转 table
        d.projects = [p for p in d.projects if not p.carried_over]
    report = validate(build(sources["zezhou2025"], plant), shapes=shapes)
    assert rules(report, "Violation") == {"bkgsh:ProjectsSumToProjectExpenditureViolation"}


def test_revenue_must_equal_expenditure(sources, shapes):
    graph = build(sources["zezhou2025"])
    disclosure = next(graph.subjects(RDF.type, BKG.Disclosure))
    graph.set((disclosure, BKG.revenueTotal, decimal_literal(Decimal("13487.41") * 10000)))
    report = validate(graph, shapes=shapes)
    assert "bkgsh:RevenueEqualsExpenditureWarning" in rules(report, "Warning") and report.conforms
    graph.set((disclosure, BKG.revenueTotal, decimal_literal(Decimal("13000.87") * 10000)))
    assert "bkgsh:RevenueEqualsExpenditureViolation" in rules(validate(graph, shapes=shapes), "Violation")


def test_code_and_document_number_patterns(sources, shapes):
    graph = build(sources["zezhou2025"])
    concept = next(c for c in graph.subjects(SKOS.notation, Literal("2080505")))
    graph.set((concept, SKOS.notation, Literal("208050")))
    document = next(graph.subjects(BKG.docNumber, Literal("晋税发〔2021〕55号")))
    graph.set((document, BKG.docNumber, Literal("晋税发[2021]55号")))
    report = validate(graph, shapes=shapes)
    messages = {i.message for i in report.violations}
    assert "科目编码 has 3 (类), 5 (款) or 7 (项) digits" in messages
    assert NUMBER_MESSAGE in messages


NUMBER_MESSAGE = ("发文字号 is not in normalised form (晋税发〔2021〕55号, 国家发展改革委令第7号, "
                  "国家税务总局公告2018年第31号, TD/T 1057-2020)")


@pytest.mark.parametrize(("number", "conforms"), [
    ("国家税务总局公告2018年第31号", True), ("财政部公告2019年第39号", True),
    ("财政部公告2019年39号", False), ("公告2019年第39号", False),
    ("交通运输部令2016年第62号", True), ("山西省人民政府令第12号", True), ("国务院令第07号", False),
])
def test_announcement_and_order_numbers_are_normalised_forms(sources, shapes, number, conforms):
    graph = build(sources["zezhou2025"])
    document = next(graph.subjects(BKG.docNumber, Literal("晋税发〔2021〕55号")))
    graph.set((document, BKG.docNumber, Literal(number)))
    messages = {i.message for i in validate(graph, shapes=shapes).violations}
    assert (NUMBER_MESSAGE not in messages) is conforms


def test_validate_file_reports_fixture_graph():
    # a hand-cut graph: one expenditure line whose 基本 + 项目 exceed its 合计, no provenance
    report = validate_file(FIXTURES / "planted-line-sum.ttl")
    assert report.exit_code == 1
    text = report.text()
    assert "bkgsh:LineSumViolation" in text and "no prov:wasDerivedFrom to the source lines" in text


def test_sorted_output_is_stable():
    graph = Graph().parse(FIXTURES / "planted-line-sum.ttl")
    assert validate(graph).text() == validate(graph).text()


def _drop_carried_over(d):  # the extractor lost the 上年结转 table
    d.projects = [p for p in d.projects if not p.carried_over]


def _wrong_sources(d):
    d.projects[0].by_source = {"gov_fund": Decimal("7000.00") * 10000}


@pytest.mark.parametrize(("plant", "rule"), [(_drop_carried_over, "bkgsh:ProjectsSumToProjectExpenditureViolation"),
                                             (_wrong_sources, "bkgsh:ProjectSourcesSumViolation")])
def test_oxigraph_engine_reports_planted_sums_as_pyshacl_does(sources, shapes, plant, rule):
    from kg.validate.oxigraph_engine import validate_graph_oxigraph

    graph = build(sources["zezhou2025"], plant)
    reference = validate(graph, shapes=shapes)
    fast = validate_graph_oxigraph(graph, shapes=shapes)
    assert rules(fast, "Violation") == rules(reference, "Violation") == {rule}
    assert [(i.focus, i.rule, i.source) for i in fast.violations] == [
        (i.focus, i.rule, i.source) for i in reference.violations]
