"""The Oxigraph SHACL engine gives pyshacl's results: on the seeds' build, and on a graph mutated once per
constraint kind (one pyshacl run for all the mutations: each touches its own node)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS, XSD

from kg.rdf.namespaces import BKG, OBEU_ATTRIBUTE
from kg.rdf.uris import Minter
from kg.validate import ValidationIssue, ValidationReport, load_shapes, oxigraph_engine, validate, validate_build
from kg.validate.oxigraph_engine import (
    UnsupportedShapeError,
    _merge_conditions,
    _split_final_condition,
    compile_shapes,
    hash_join_patterns,
    load_store,
    validate_graph_oxigraph,
    validate_store,
)

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
SLICE = FIXTURES / "zezhou2025-slice.ttl"
ZEZHOU = "zezhou-natural-resources-bureau-2025.txt"
ID = "https://w3id.org/budget-kg/id/"
DISCLOSURE = URIRef(f"{ID}disclosure/2025/6c5305b17aa4808e")
CODES = f"{ID}classification/function/2025/"
PROJECT = f"{ID}project/140525/泽州县自然资源局/2025/"


def number_or_text(value: str | None) -> object:
    """Computed sums print as 130483900 (Oxigraph, canonical xsd:decimal) or 130483900.0 (rdflib): same number."""
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


def keys(issues: list[ValidationIssue]) -> list[tuple[str, str, str, object]]:
    return sorted(((i.severity, i.focus, i.rule, number_or_text(i.value)) for i in issues), key=str)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(scope="module")
def slice_graph() -> Graph:
    return Graph().parse(SLICE)


def test_seed_build_same_results_as_pyshacl(built, shapes):
    reference = validate(Graph().parse(built / "graph.nt"), shapes=shapes)
    store = pyoxigraph.Store.read_only(str(built / "store"))
    report = validate_store(store, shapes=shapes)
    assert keys(report.issues) == keys(reference.issues)
    # 20 roundings the documents print, 4 立项依据 whose number and title disagree (CitationConflictWarning)
    assert len(report.violations) == 0 and len(report.warnings) == 24
    assert sum(i.rule.startswith("bkgsh:CitationConflictWarning") for i in report.warnings) == 4
    # same source lines and the same message text, but for how a computed decimal is printed
    assert [i.source for i in report.issues] == [i.source for i in reference.issues]
    yangquan_22001 = "yangquan-planning-natural-resources-bureau-unit-2022.txt:314"
    yangquan = next(i for i in report.warnings
                    if i.source == yangquan_22001 and i.rule.startswith("bkgsh:ChildrenSumWarning"))
    assert yangquan.message == ("basicExpenditure of the children of 22001 sum to 12282800, the line says 12282900 "
                                "(difference 100 元)")
    assert validate_build(built).issues == report.issues  # the build-directory default is this engine


def test_slice_conforms_with_the_documents_own_rounding(slice_graph, shapes):
    report = validate_graph_oxigraph(slice_graph, shapes=shapes)
    assert report.violations == []
    assert {(i.rule.split(" ")[0], i.source) for i in report.warnings} == {
        ("bkgsh:LineSumWarning", f"{ZEZHOU}:182"), ("bkgsh:LineSumWarning", f"{ZEZHOU}:183"),
        ("bkgsh:ChildrenSumWarning", f"{ZEZHOU}:183")}


def first(graph: Graph, cls: URIRef) -> URIRef:
    return sorted(graph.subjects(RDF.type, cls))[0]


def rename(graph: Graph, node: URIRef, new: URIRef) -> URIRef:
    """``node`` renamed ``new`` wherever it is subject or object."""
    for _, predicate, obj in list(graph.triples((node, None, None))):
        graph.remove((node, predicate, obj))
        graph.add((new, predicate, obj))
    for subject, predicate, _ in list(graph.triples((None, None, node))):
        graph.remove((subject, predicate, node))
        graph.add((subject, predicate, new))
    return new


def mutate(graph: Graph) -> dict[str, tuple[str, str]]:
    """One planted fault per constraint kind; returns kind → (focus IRI, rule prefix) each engine must report."""
    code = URIRef(f"{CODES}2080505")
    expected: dict[str, tuple[str, str]] = {}
    # minCount: a function code without its scheme
    concept = URIRef(f"{CODES}2100799")
    graph.remove((concept, SKOS.inScheme, None))
    expected["minCount"] = (str(concept), "property shape on skos:inScheme")
    # maxCount: the department gets a second name
    department = first(graph, BKG.Department)
    graph.add((department, RDFS.label, Literal("泽州县规划和自然资源局")))
    expected["maxCount"] = (str(department), "property shape on rdfs:label")
    # datatype, ill-typed: a project's year that is not an integer
    land = URIRef(f"{PROJECT}2025年土地收储经费")
    graph.set((land, BKG.fiscalYear, Literal("2025年", datatype=XSD.integer)))
    expected["datatype"] = (str(land), "property shape on bkg:fiscalYear")
    # class: a funding row pointing at the disclosure instead of its project
    funding = first(graph, BKG.ProjectFunding)
    graph.set((funding, BKG.project, DISCLOSURE))
    expected["class"] = (str(funding), "property shape on bkg:project")
    # in: an indicator period outside 实施期 / 年度
    indicator = sorted(graph.objects(None, BKG.indicator))[0]
    graph.set((indicator, BKG.indicatorPeriod, Literal("季度")))
    expected["in"] = (str(indicator), "property shape on bkg:indicatorPeriod")
    # pattern: a 6-digit 科目编码 (and the sh:sparql parent check fires on its children)
    graph.set((code, SKOS.notation, Literal("208050")))
    expected["pattern"] = (str(code), "property shape on skos:notation")
    # (the rule names the parent as its sh:value; the issue points at the node with provenance: the parent)
    expected["sparql"] = (f"{CODES}20805", "bkgsh:FunctionCodeShape")
    # hasValue: a funding row in another currency
    other_funding = sorted(graph.subjects(RDF.type, BKG.ProjectFunding))[1]
    graph.set((other_funding, OBEU_ATTRIBUTE.currency, URIRef("http://publications.europa.eu/resource/authority/currency/USD")))
    expected["hasValue"] = (str(other_funding), "property shape on obeu-attribute:currency")
    # qualifiedMinCount: a citation that lost the cell it was read from
    citation = first(graph, BKG.BasisCitation)
    graph.remove((citation, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None))  # its one span
    expected["qualifiedMinCount"] = (str(citation), "property shape on prov:wasDerivedFrom")
    # or: a project known only from its 绩效目标表 that no longer says so
    performance_only = URIRef(f"{PROJECT}高铁东站附近废弃石灰岩矿山地质环境恢复综合治理项目")
    graph.remove((performance_only, BKG.inBudgetTable, None))
    expected["or"] = (str(performance_only), "bkgsh:ProjectShape")
    # maxInclusive: a fiscal year out of range
    graph.set((DISCLOSURE, BKG.fiscalYear, Literal(2200)))
    expected["maxInclusive"] = (str(DISCLOSURE), "property shape on bkg:fiscalYear")
    # minInclusive: a project whose prose states a negative amount
    graph.add((land, BKG.statedAmount, Literal(Decimal("-1.00"))))
    expected["minInclusive"] = (str(land), "property shape on bkg:statedAmount")
    # a span's lines are its IRI's fragment: one without its last line (sh:pattern on the node itself) and one
    # whose lines end before they begin (sh:sparql); the last spans of the file, which no planted fault above is
    # checked through
    spans = sorted(graph.subjects(RDF.type, BKG.SourceLines), key=lambda s: -Minter.line_range(str(s))[0])
    unended = rename(graph, spans[1], URIRef(f"{DISCLOSURE}#line=12"))
    expected["pattern-node"] = (str(unended), "bkgsh:SourceLinesFragmentShape")
    reversed_lines = rename(graph, spans[2], URIRef(f"{DISCLOSURE}#line=900,890"))
    expected["sparql-node"] = (str(reversed_lines), "bkgsh:SourceLinesShape")
    # datatype xsd:string (compiled apart from the cast datatypes): a printed line in a language, and as an IRI
    graph.set((spans[3], BKG.printedText, Literal(str(graph.value(spans[3], BKG.printedText)), lang="zh")))
    expected["datatype-language"] = (str(spans[3]), "property shape on bkg:printedText")
    graph.set((spans[4], BKG.printedText, URIRef(f"{DISCLOSURE}/not-a-text")))
    expected["datatype-iri"] = (str(spans[4]), "property shape on bkg:printedText")
    # minLength: an empty project name
    relocation = URIRef(f"{PROJECT}遗属补贴")
    graph.set((relocation, RDFS.label, Literal("")))
    expected["minLength"] = (str(relocation), "property shape on rdfs:label")
    # uniqueLang: two Chinese names for one code in one year
    graph.add((URIRef(f"{CODES}210"), SKOS.prefLabel, Literal("卫生健康", lang="zh")))
    graph.add((URIRef(f"{CODES}210"), SKOS.prefLabel, Literal("医疗卫生", lang="zh")))
    expected["uniqueLang"] = (f"{CODES}210", "property shape on skos:prefLabel")
    # arithmetic: 2080505 printed 10 万元 too much, so 20805's children no longer sum
    line = URIRef(f"{DISCLOSURE}/expenditure/2080505")
    total = Decimal(str(graph.value(line, BKG.total))) + 100000
    graph.set((line, BKG.total, Literal(total)))
    graph.set((line, BKG.basicExpenditure, Literal(total)))
    expected["ChildrenSum"] = (f"{DISCLOSURE}/expenditure/20805", "bkgsh:ChildrenSumViolation")
    return expected


@pytest.fixture(scope="module")
def mutated_graph(slice_graph):
    graph = Graph()
    for triple in slice_graph:
        graph.add(triple)
    expected = mutate(graph)
    return expected, graph


@pytest.fixture(scope="module")
def mutated(mutated_graph, shapes):
    expected, graph = mutated_graph
    return expected, validate(graph, shapes=shapes), validate_graph_oxigraph(graph, shapes=shapes)


def test_mutations_same_results_as_pyshacl(mutated):
    _expected, reference, report = mutated
    assert keys(report.issues) == keys(reference.issues)
    assert [i.source for i in report.issues] == [i.source for i in reference.issues]


@pytest.mark.parametrize("joins", ["hash", "lookup"])
def test_both_join_forms_give_pyshacl_results(mutated, mutated_graph, shapes, joins):
    """Large shapes are compiled to hash joins, small ones to per-node lookups: each form alone gives pyshacl's
    report on the mutated graph (the seeds' shapes are all small, so "auto" alone would test only lookups)."""
    _expected, reference, _report = mutated
    report = validate_graph_oxigraph(mutated_graph[1], shapes=shapes, joins=joins)
    assert keys(report.issues) == keys(reference.issues)
    assert [i.source for i in report.issues] == [i.source for i in reference.issues]
    assert len(report.violations) == len(reference.violations) == 20


def test_checks_run_without_candidate_lookups_give_pyshacl_results(mutated, mutated_graph, shapes, monkeypatch):
    """A hash-joined check reads its candidate rows first and looks a few up among the focus nodes; with more
    than PREFILTER_ROWS it runs its whole query. Forced to always run the query, the report is pyshacl's too."""
    monkeypatch.setattr(oxigraph_engine, "PREFILTER_ROWS", 0)
    _expected, reference, _report = mutated
    report = validate_graph_oxigraph(mutated_graph[1], shapes=shapes, joins="hash")
    assert keys(report.issues) == keys(reference.issues)
    assert [i.message for i in report.issues] == [i.message for i in _report.issues]


@pytest.mark.parametrize("focus_per_lookup", [0, 10**9])
def test_many_candidates_are_looked_up_only_among_many_more_focus_nodes(mutated, mutated_graph, shapes, monkeypatch,
                                                                         focus_per_lookup):
    """Past PREFILTER_LOOKUPS candidate nodes a check looks them up only when its target has FOCUS_PER_LOOKUP times
    as many nodes, else it runs its whole query (a fixed cap made ProvenanceShape's sh:class run its query from
    5,000 disclosures on). Either way the report is pyshacl's."""
    monkeypatch.setattr(oxigraph_engine, "PREFILTER_LOOKUPS", 0)
    monkeypatch.setattr(oxigraph_engine, "FOCUS_PER_LOOKUP", focus_per_lookup)
    queried: list[str] = []
    run_check = oxigraph_engine._run_check

    def spy(store: pyoxigraph.Store, check: oxigraph_engine.CompiledCheck, union: bool) -> list:
        queried.append(check.name)
        return run_check(store, check, union)

    monkeypatch.setattr(oxigraph_engine, "_run_check", spy)
    _expected, reference, _report = mutated
    report = validate_graph_oxigraph(mutated_graph[1], shapes=shapes, joins="hash")
    assert keys(report.issues) == keys(reference.issues)
    # the planted sh:class fault (a funding row's bkg:project is the disclosure) is the check's one candidate
    assert ("bkgsh:ProjectFundingShape bkg:project sh:class" in queried) == (focus_per_lookup > 0)


def test_a_large_target_still_looks_up_a_path_many_times_its_size(mutated, mutated_graph, shapes, monkeypatch):
    """Past LOOKUP_LIMIT focus nodes a constraint hash-joins its path, unless the path has PATH_PER_LOOKUP times as
    many subjects: the department's one rdfs:label is then looked up instead of every label of the graph being read
    (and decoded), where the function codes' skos:notation (46 triples on fewer subjects than 20 x 27 codes) is
    still hash-joined. With every target past the limit, the report is pyshacl's."""
    monkeypatch.setattr(oxigraph_engine, "LOOKUP_LIMIT", 0)
    _expected, reference, _report = mutated
    store = load_store(mutated_graph[1])
    counts = oxigraph_engine.focus_counts(store, shapes, subclass_inference=False, union=False)
    checks = {check.name: check for check in compile_shapes(
        shapes, subclass_inference=False, count_focus=counts.__getitem__,
        count_path=partial(oxigraph_engine._count_subjects, store, union=False))}
    labels = checks["bkgsh:DepartmentShape rdfs:label sh:datatype"]
    assert not labels.prefilter and f"?this <{RDFS.label}> ?value . FILTER" in labels.query  # looked up per node
    notations = checks["bkgsh:FunctionCodeShape skos:notation sh:pattern"]
    assert notations.prefilter and f"{{ SELECT ?this ?value WHERE {{ ?this <{SKOS.notation}> ?value" in notations.query
    report = validate_graph_oxigraph(mutated_graph[1], shapes=shapes)
    assert keys(report.issues) == keys(reference.issues)


MUTATED_KINDS = ["minCount", "maxCount", "datatype", "datatype-language", "datatype-iri", "class", "in", "pattern",
                 "sparql", "hasValue", "qualifiedMinCount", "or", "maxInclusive", "minInclusive", "pattern-node",
                 "sparql-node", "minLength", "uniqueLang", "ChildrenSum"]


@pytest.mark.parametrize("kind", MUTATED_KINDS)
def test_each_planted_fault_is_reported(mutated, kind):
    expected, reference, report = mutated
    focus, rule = expected[kind]
    severity = "Warning" if kind == "uniqueLang" else "Violation"  # that shape says sh:Warning
    for engine in (reference, report):  # pyshacl and ours alike
        assert any(i.focus == focus and i.rule.startswith(rule) and i.severity == severity for i in engine.issues), (
            kind, [str(i) for i in engine.issues if i.focus == focus])


def test_every_constraint_kind_of_the_shapes_is_mutated(shapes):
    """A constraint component the shapes start using needs its own planted fault above."""
    used = {check.component.removeprefix("sh:") for check in compile_shapes(shapes)}
    assert used - set(MUTATED_KINDS) == set()
    assert {"minCount", "class", "sparql", "qualifiedMinCount", "pattern", "minInclusive"} <= used


def test_planted_faults_name_their_source_lines(mutated):
    _expected, _reference, report = mutated
    by_rule = {(i.rule.split(" ")[0], i.focus): i for i in report.violations}
    children = by_rule["bkgsh:ChildrenSumViolation", f"{DISCLOSURE}/expenditure/20805"]
    assert children.source == f"{ZEZHOU}:169"  # the 20805 line of 支出总表 (667.92 万元)
    assert "difference 100000 元" in children.message
    parent = by_rule["bkgsh:FunctionCodeShape", f"{CODES}20805"]
    assert parent.message == "skos:broader must be the code two digits shorter (20805 is not the parent of 208050)"
    year = next(i for i in report.violations
                if i.focus == f"{PROJECT}2025年土地收储经费" and i.rule.endswith("bkg:fiscalYear"))
    assert year.value == "2025年" and year.source is not None and year.source.startswith(f"{ZEZHOU}:")
    period = next(i for i in report.violations if i.rule.endswith("bkg:indicatorPeriod"))
    assert period.value == "季度"
    reversed_lines = next(i for i in report.violations if i.focus.endswith("#line=900,890"))
    assert reversed_lines.message == "the span's lines end before they begin (900,890)"


def test_unsupported_component_names_shape_and_component(shapes):
    closed = Graph()
    closed.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:ClosedShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true .""", format="turtle")
    with pytest.raises(UnsupportedShapeError, match=r"ex:ClosedShape uses sh:closed.*--engine pyshacl"):
        compile_shapes(closed)


def test_sparql_mentioning_this_in_a_nested_filter_is_refused():
    nested = Graph()
    nested.parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:NestedShape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:sparql [ sh:select '''SELECT $this WHERE { { ?x <http://example.org/p> ?y FILTER (?y = $this) }
                                       UNION { ?x <http://example.org/q> ?y } }''' ] .
        """, format="turtle")
    with pytest.raises(UnsupportedShapeError, match=r"ex:NestedShape uses sh:sparql.*nested group"):
        compile_shapes(nested)


# A per-focus aggregate without GROUP BY, and FILTER NOT EXISTS on $this: pre-binding semantics
PREBINDING_SHAPES = """
    @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix bkg: <https://w3id.org/budget-kg/ontology#> .
    @prefix ex: <http://example.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
    ex:prefixes a owl:Ontology ; sh:declare [ sh:prefix "bkg" ; sh:namespace "https://w3id.org/budget-kg/ontology#" ] .
    ex:FewFundingRows a sh:NodeShape ; sh:targetClass bkg:Project ; sh:severity sh:Warning ;
        sh:sparql [ sh:prefixes ex:prefixes ; sh:message "{$this} has {?n} funding rows" ;
            sh:select "SELECT $this (COUNT(?f) AS ?n) WHERE { ?f bkg:project $this } HAVING (COUNT(?f) < 2)" ] .
    ex:NoFunding a sh:NodeShape ; sh:targetClass bkg:Project ;
        sh:sparql [ sh:prefixes ex:prefixes ;
            sh:select "SELECT $this WHERE { FILTER NOT EXISTS { ?f bkg:project $this } }" ] .
"""


def test_prebinding_semantics_match_pyshacl(slice_graph):
    custom = Graph().parse(data=PREBINDING_SHAPES, format="turtle")
    reference = validate(slice_graph, shapes=custom)
    report = validate_graph_oxigraph(slice_graph, shapes=custom)
    assert keys(report.issues) == keys(reference.issues)
    assert [i.message for i in report.issues] == [i.message for i in reference.issues]
    no_funding = {i.focus for i in report.issues if i.rule.startswith("http://example.org/NoFunding")}
    assert f"{PROJECT}高铁东站附近废弃石灰岩矿山地质环境恢复综合治理项目" in no_funding  # no amount, no rows
    assert f"{PROJECT}2025年土地收储经费" not in no_funding


def test_subclasses_in_the_data_are_followed_as_pyshacl_does(slice_graph, shapes):
    graph = Graph()
    for triple in slice_graph:
        graph.add(triple)
    graph.add((URIRef("http://example.org/LocalIssuer"), RDFS.subClassOf, BKG.Issuer))
    graph.add((URIRef("http://example.org/issuer/1"), RDF.type, URIRef("http://example.org/LocalIssuer")))
    reference = validate(graph, shapes=shapes)
    report = validate_graph_oxigraph(graph, shapes=shapes)
    assert keys(report.issues) == keys(reference.issues)
    assert ("Violation", "http://example.org/issuer/1", "property shape on rdfs:label", None) in keys(report.issues)


def test_deactivated_shape_is_skipped(slice_graph, shapes):
    graph = Graph()
    for triple in shapes:
        graph.add(triple)
    graph.add((URIRef("https://w3id.org/budget-kg/shapes#LineSumWarning"), SH.deactivated, Literal(True)))
    report = validate_graph_oxigraph(slice_graph, shapes=graph)
    assert not any(i.rule.startswith("bkgsh:LineSumWarning") for i in report.issues)
    assert any(i.rule.startswith("bkgsh:ChildrenSumWarning") for i in report.issues)


def test_sub_select_must_bind_and_project_this():
    """A sub-SELECT grouped by $this (a sum per focus node) is answered as pre-bound; one that only filters on
    $this, or does not project it, would join differently, so it is refused."""
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:Summed a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:sparql [ sh:select '''SELECT $this ?n WHERE {
                { SELECT $this (COUNT(?x) AS ?n) WHERE { ?x <http://example.org/p> $this } GROUP BY $this }
                FILTER (?n > 1) }''' ] .
        """, format="turtle")
    assert len(compile_shapes(shapes)) == 1
    for select in ("SELECT $this WHERE { { SELECT ?x WHERE { ?x <http://example.org/p> $this } } }",
                   "SELECT $this WHERE { { SELECT $this ?x WHERE { ?x <http://example.org/p> ?y "
                   "FILTER (?y = $this) } } }"):
        refused = Graph().parse(data=f"""
            @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
            ex:Refused a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:select '''{select}''' ] .
            """, format="turtle")
        with pytest.raises(UnsupportedShapeError, match=r"ex:Refused uses sh:sparql"):
            compile_shapes(refused)


def test_twin_queries_split_at_their_final_condition():
    """Violation/Warning twins share one query only when they differ in a final FILTER of the WHERE group or a
    final HAVING; a FILTER in a nested group, or followed by more patterns, keeps them apart."""
    having = "SELECT $this (SUM(?a) AS ?s) WHERE { $this <p> ?a } GROUP BY $this HAVING (SUM(?a) > 1)"
    stem, kind, condition = _split_final_condition(having)
    assert (kind, condition) == ("HAVING", "SUM(?a) > 1")
    assert _split_final_condition(having.replace("> 1", "> 0.5"))[0] == stem
    final_filter = 'SELECT $this ?v WHERE { $this <p> ?v . FILTER (?v > "}") }'
    assert _split_final_condition(final_filter)[1:] == ("FILTER", '?v > "}"')
    assert _split_final_condition("SELECT $this WHERE { { $this <p> ?v FILTER (?v > 1) } }") is None
    assert _split_final_condition("SELECT $this WHERE { FILTER (?v > 1) $this <p> ?v }") is None
    merged = _merge_conditions(final_filter, _split_final_condition(final_filter), ["?v > 1", "?v > 2"],
                               ["_twin0", "_twin1"])
    assert "BIND ((?v > 1) AS ?_twin0) BIND ((?v > 2) AS ?_twin1)" in merged
    assert merged.startswith("SELECT $this ?v  ?_twin0 ?_twin1 WHERE")


@pytest.mark.parametrize("joins", ["hash", "lookup"])
def test_children_sum_of_each_measure(slice_graph, shapes, joins):
    """ChildrenSum reads each measure of a line in its own OPTIONAL: a child's 项目支出 one 万元 too high is
    reported on its parent, for 合计 and 项目支出 but not 基本支出, by pyshacl and by both join forms."""
    graph = Graph()
    for triple in slice_graph:
        graph.add(triple)
    line = URIRef(f"{DISCLOSURE}/expenditure/2200199")  # 1550.47 万元 of 项目支出 (zezhou2025 line 184)
    graph.set((line, BKG.projectExpenditure, Literal(Decimal("15514700"))))
    graph.set((line, BKG.total, Literal(Decimal("15514700"))))
    arithmetic = load_shapes(Path(__file__).resolve().parents[1] / "shapes" / "arithmetic.ttl")
    report = validate_graph_oxigraph(graph, shapes=arithmetic, joins=joins)
    assert keys(report.issues) == keys(validate(graph, shapes=arithmetic).issues)
    parent = [i for i in report.violations if i.rule.startswith("bkgsh:ChildrenSumViolation")]
    assert [(i.focus, i.source, i.message) for i in parent] == [
        (f"{DISCLOSURE}/expenditure/22001", f"{ZEZHOU}:183",
         "projectExpenditure of the children of 22001 sum to 15514700, the line says 15504700 (difference 10000 元)"),
        (f"{DISCLOSURE}/expenditure/22001", f"{ZEZHOU}:183",
         "total of the children of 22001 sum to 42239000, the line says 42229100 (difference 9900 元)")]


QUERY_FIXTURE = Path(__file__).parent / "fixtures" / "query" / "zezhou.ttl"
SUMMARY_2025 = f"{ID}disclosure-zezhou-2025/summary"
SUMMARY_2026 = f"{ID}disclosure-zezhou-2026/summary"


@pytest.fixture(scope="module")
def summaries_mutated() -> tuple[ValidationReport, ValidationReport]:
    """The summary rules (shapes/summaries.ttl) with one planted fault each, on the hand-made fixture whose
    summaries agree (kg.rdf.summaries made them). Each fault takes an empty side (no projects, no issuer levels,
    no lines of a code) where the rules sum over an OPTIONAL, so a missing detail counts as 0, not as no row."""
    graph = Graph().parse(QUERY_FIXTURE)
    # no projects left in the 2026 disclosure: the summary's 6 projects no longer agree with 0
    for project in list(graph.subjects(BKG.disclosure, URIRef(f"{ID}disclosure-zezhou-2026"))):
        graph.remove((project, BKG.disclosure, None))
    # the 2025 summary loses its issuer levels: they hold 0 projects, 0 元
    graph.remove((URIRef(SUMMARY_2025), BKG.levelSummary, None))
    # the leaf 2080506 points at a code the 2025 disclosure has no line of: its lines give 0 元 ...
    graph.set((URIRef(f"{SUMMARY_2025}/code/2080506"), BKG.functionCode, URIRef(f"{ID}code-2080599")))
    # ... and another disclosure's line of 2080505 must not count in 2025's summary of 2080505
    other_line = URIRef(f"{ID}line-zezhou-2026-2080505")
    graph.add((other_line, RDF.type, BKG.ExpenditureLine))
    graph.add((other_line, BKG.disclosure, URIRef(f"{ID}disclosure-zezhou-2026")))
    graph.add((other_line, BKG.functionCode, URIRef(f"{ID}code-2080505")))
    graph.add((other_line, BKG.total, Literal(Decimal("999"))))
    # the 2025 whole 支出总表 one 元 more than its 类 codes
    graph.set((URIRef(SUMMARY_2025), BKG.rolledTotal, Literal(Decimal("48908201"))))
    shapes = load_shapes(Path(__file__).resolve().parents[1] / "shapes" / "summaries.ttl")
    return validate(graph, shapes=shapes), validate_graph_oxigraph(graph, shapes=shapes)


def test_summary_faults_same_results_as_pyshacl(summaries_mutated):
    reference, report = summaries_mutated
    assert keys(report.issues) == keys(reference.issues)
    assert sorted((i.focus, i.rule.split(" ")[0]) for i in report.violations) == [
        (SUMMARY_2025, "bkgsh:SummaryClassesAddUp"),
        (SUMMARY_2025, "bkgsh:SummaryCodesAgree"),  # the code summary is its value (it has no provenance)
        (SUMMARY_2025, "bkgsh:SummaryLevelsAddUp"),
        (SUMMARY_2025, "bkgsh:SummaryPrintedTotalsAgree"),  # 2080506's printed total is on no line of 2080599
        # each of its 12 items (6 project names, 6 documents cited) has lost the projects it summed
        *[(SUMMARY_2026, "bkgsh:SummaryItemsAgree")] * 12,
        (SUMMARY_2026, "bkgsh:SummaryProjectsAgree"),
        # its 3 projects without basis, listed by the summary, are no longer the disclosure's
        *[(SUMMARY_2026, "bkgsh:UnbasedProjectsListed")] * 3,
    ]
    assert report.warnings == [] and len(reference.violations) == 20


def test_summary_faults_name_the_values(summaries_mutated):
    _reference, report = summaries_mutated
    by_rule = {i.rule.split(" ")[0]: i for i in report.violations}
    codes = by_rule["bkgsh:SummaryCodesAgree"]
    assert codes.value == f"{SUMMARY_2025}/code/2080506"
    assert codes.message == "the rolled-up total of 2080506 is 1831100 元; its lines give 0 元"
    assert by_rule["bkgsh:SummaryClassesAddUp"].message == (
        "the summary's rolled-up total is 48908201 元; its 类 codes add up to 48908200 元")
    assert by_rule["bkgsh:SummaryLevelsAddUp"].message == (
        "the issuer levels hold 0 projects and 0 元; the summary says 7 and 95370200 元")
    assert by_rule["bkgsh:SummaryProjectsAgree"].message == (
        "the summary says 6 projects, 77727000 元 and 6 documents; the disclosure has 0, 0 元 and 0")
    items = sorted(i.message for i in report.violations if i.rule.startswith("bkgsh:SummaryItemsAgree"))
    # 补充耕地指标回购资金, 2000 万元 in zezhou2026 (its projects gone: the detail gives nothing)
    assert ("project item 补充耕地指标回购资金: the summary has 1 item(s) of 1 projects and 20000000 元; "
            "the disclosure's projects give 0 and 0 元") in items


def test_triple_patterns_become_hash_joined_sub_selects():
    query = """SELECT ?this ?code WHERE { ?this a bkg:ExpenditureLine ; bkg:functionCode/skos:notation ?code ,
        "208" . FILTER NOT EXISTS { ?this bkg:total ?t } OPTIONAL { ?this bkg:printedUnit "万元"@zh } }"""
    assert hash_join_patterns(query) == (
        "SELECT ?this ?code WHERE { { SELECT ?this WHERE { ?this a bkg:ExpenditureLine } } "
        "{ SELECT ?this ?code WHERE { ?this bkg:functionCode/skos:notation ?code } } "
        '{ SELECT ?this WHERE { ?this bkg:functionCode/skos:notation "208" } } '
        "FILTER NOT EXISTS { ?this bkg:total ?t } "  # EXISTS substitutes its bindings: left as written
        'OPTIONAL { { SELECT ?this WHERE { ?this bkg:printedUnit "万元"@zh } } } }')
    for unchanged in ("SELECT ?s WHERE { ?s ?p ?o }",  # a variable predicate: hashing would read every triple
                      "SELECT ?s WHERE { ?s bkg:a [ bkg:b ?o ] }",
                      "SELECT ?s WHERE { ?s skos:broader* ?o }",
                      "SELECT ?s WHERE { ?s bkg:p ( 1 2 ) }"):
        assert hash_join_patterns(unchanged) == unchanged


def test_hash_joined_rules_give_the_rows_as_written(slice_graph, shapes):
    """The rewritten form of every SHACL-SPARQL rule of the shapes has the rows of the query as written."""
    store = load_store(slice_graph)
    compiled = [check.deferred() for check in compile_shapes(shapes, subclass_inference=False,
                                                             count_focus=lambda _target: 0, defer_sparql=True)
                if check.deferred is not None]
    rewritten = 0
    for check in compiled:
        hashed = hash_join_patterns(check.query)
        rewritten += hashed != check.query
        rows = sorted(str(list(solution)) for solution in store.query(check.query))
        assert sorted(str(list(solution)) for solution in store.query(hashed)) == rows, check.name
    assert rewritten == len(compiled) >= 11


def test_children_sum_counts_a_doubled_measure_once(slice_graph, shapes):
    """A child line stating its 合计 twice (ExpenditureLineShape's sh:maxCount reports it) counts once in its
    parent's sums, and does not repeat its 基本支出: 22001 keeps the one rounding warning it had, in both engines
    (before, the sums read 68953400 合计 and 53448600 基本支出, two violations)."""
    graph = Graph()
    for triple in slice_graph:
        graph.add(triple)
    line = URIRef(f"{DISCLOSURE}/expenditure/2200101")  # 行政运行: 2672.43 万元, all 基本支出
    graph.add((line, BKG.total, Literal(Decimal("26724400"))))
    parent = f"{DISCLOSURE}/expenditure/22001"
    for report in (validate(graph, shapes=shapes), validate_graph_oxigraph(graph, shapes=shapes)):
        children = [(i.severity, i.message) for i in report.issues
                    if i.focus == parent and i.rule.startswith("bkgsh:ChildrenSum")]
        assert [(severity, re.sub(r"(\d)\.0\b", r"\1", message)) for severity, message in children] == [
            ("Warning", "total of the children of 22001 sum to 42229000, the line says 42229100 (difference 100 元)")]
        assert any(i.focus == str(line) and i.rule == "property shape on bkg:total" and i.severity == "Violation"
                   for i in report.issues)
