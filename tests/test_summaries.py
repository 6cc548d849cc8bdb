"""The summaries graph: built from the seeds, equal to the library queries over the detail, checked by SHACL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.query import run_query
from kg.rdf.namespaces import BKG
from kg.validate import validate
from tests.helpers import detail_year_over_year

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SHAPES = Path(__file__).resolve().parents[1] / "shapes"
LEVELS = {"central": "central", "province": "province", "city": "city", "county": "county", "township": "township",
          "unknown": "unknown", "non-policy": "non_policy", "none": "no_basis"}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.build import build

    out = tmp_path_factory.mktemp("summaries") / "build"
    build(sorted(SAMPLES.glob("*.txt")), out, store=True, progress=False, formats=("nt",))
    return out


def test_corpus_totals_equal_the_detail_queries(build_dir: Path):
    totals = run_query("corpus-totals", store=build_dir).set_index(["department", "fiscal_year"])
    # 兴县自然资源局 2025: 12 central-backed projects, 4,390,000 元 (money-by-issuer-level on the detail)
    assert totals.loc[("兴县自然资源局", 2025), "central"] == Decimal("4390000")
    # zezhou2025 项目支出 本年 9050.47 + 上年结转 486.55 = 9537.02 万元 (支出总表 line 167)
    assert totals.loc[("泽州县自然资源局", 2025), "project_money"] == Decimal("95370200")
    levels = run_query("money-by-issuer-level", store=build_dir)
    for row in levels.itertuples():
        assert totals.loc[(row.department, row.fiscal_year), LEVELS[row.issuer_level]] == row.amount, row
    for (department, year), group in levels.groupby(["department", "fiscal_year"]):
        assert totals.loc[(department, year), "projects"] == group["projects"].sum()
        assert totals.loc[(department, year), "project_money"] == group["amount"].sum()
    rollup = run_query("code-rollup", store=build_dir)
    classes = rollup[rollup["code"].str.len() == 3].groupby(["department", "fiscal_year"])["rolled_total"].sum()
    for key, total in classes.items():
        assert totals.loc[key, "expenditure"] == total, key
    # the code parameter: 208 社会保障和就业支出 of zezhou 2025, as code-rollup rolls it up
    social = run_query("corpus-totals", {"code": "208", "department": "泽州"}, store=build_dir)
    expected = rollup[(rollup["code"] == "208") & (rollup["department"] == "泽州县自然资源局")]
    assert list(social["expenditure"]) == list(expected["rolled_total"])


def _seed_slice(build_dir: Path) -> Graph:
    graph = Graph()
    for name in ("zezhou-natural-resources-bureau-2025.nt", "shared.nt"):
        graph.parse(build_dir / "graphs" / name, format="nt")
    for line in (build_dir / "graphs" / "summaries.nt").read_text(encoding="utf-8").splitlines():
        if "/2025/6c5305b17aa4808e/summary" in line:  # its summaries, and the projects' bkg:basisRow links to them
            graph.parse(data=line, format="nt")
    return graph


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_summaries_agree_and_a_changed_one_is_caught(build_dir: Path, engine: str):
    graph = _seed_slice(build_dir)
    shapes = SHAPES / "summaries.ttl"
    assert not validate(graph, shapes, engine=engine).issues
    summary = next(graph.subjects(BKG.summaryOf, None))
    graph.set((summary, BKG.projectMoney, Literal(Decimal("95370201"))))
    code = URIRef(f"{summary}/code/2080505")  # zezhou2025 line 171: 366.21 万元
    assert graph.value(code, BKG.rolledTotal) == Literal(Decimal("3662100"))
    graph.set((code, BKG.rolledTotal, Literal(Decimal("3662000"))))
    issues = validate(graph, shapes, engine=engine).violations
    by_rule = {issue.rule.split(" ")[0]: issue for issue in issues}
    assert "95370201" in by_rule["bkgsh:SummaryProjectsAgree"].message
    assert "bkgsh:SummaryLevelsAddUp" in by_rule
    codes = sorted(issue.message for issue in issues if issue.rule.startswith("bkgsh:SummaryCodesAgree"))
    # the leaf disagrees with its line, and its parent 20805 with its children
    assert any("2080505 is 3662000" in message and "its lines give 3662100" in message for message in codes)
    assert any("of 20805 is" in message and "its children" in message for message in codes)


def test_the_hand_made_query_fixture_carries_agreeing_summaries():
    graph = Graph()
    graph.parse(Path(__file__).parent / "fixtures" / "query" / "zezhou.ttl")
    assert len(list(graph.subjects(BKG.summaryOf, None))) == 2  # zezhou 2025 and 2026
    for engine in ("pyshacl", "oxigraph"):
        assert not validate(graph, SHAPES / "summaries.ttl", engine=engine).issues


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_listing_summaries_agree_and_each_change_is_caught(build_dir: Path, engine: str):
    graph = _seed_slice(build_dir)
    shapes = SHAPES / "summaries.ttl"
    summary = next(graph.subjects(BKG.summaryOf, None))
    project = "https://w3id.org/budget-kg/id/project/140525/泽州县自然资源局/2025/"
    # zezhou2025: 地质灾害综合治理 prints no 立项依据 document; 驻村工作队经费 (15000 元) is in 柳树口镇 140525112
    unbased = {str(p) for p in graph.objects(summary, BKG.unbasedProject)}
    assert len(unbased) == 1 and "地质灾害综合治理" in str(graph.value(URIRef(next(iter(unbased))), RDFS.label))
    township = URIRef(f"{summary}/township/140525112")
    # the disclosure's projects, found by the unit's projects they print (docs/iris.md)
    village = next(graph.subjects(BKG.unitProject, URIRef(project + "驻村工作队经费(柳树口镇东南庄村)")))
    assert list(graph.objects(township, BKG.locatedProject)) == [village]
    assert graph.value(township, BKG.projectMoney) == Literal(Decimal("15000"))
    two_highways = next(graph.subjects(BKG.unitProject,
                                       URIRef(project + "“两高”沿线可视范围废弃场地生态环境综合治理项目")))
    row = next(graph.objects(two_highways, BKG.basisRow))
    assert "泽行审发" in str(graph.value(row, BKG.basisDocument))

    graph.remove((summary, BKG.unbasedProject, URIRef(next(iter(unbased)))))
    graph.add((summary, BKG.unbasedProject, village))  # it cites 泽组通字〔2023〕19号
    graph.set((township, BKG.projectMoney, Literal(Decimal("15001"))))
    graph.add((URIRef(f"{summary}/township/140525103"), BKG.locatedProject, village))  # not located there
    citation = graph.value(row, BKG.basisCitation)
    graph.remove((row, BKG.basisCitation, None))
    graph.remove((row, BKG.basisDocument, None))
    graph.add((row, BKG.basisDocument, URIRef("https://w3id.org/budget-kg/id/policy/no/other")))
    issues = validate(graph, shapes, engine=engine).violations
    rules: dict[str, list[str]] = {}
    for issue in issues:
        rules.setdefault(issue.rule.split(" ")[0], []).append(issue.message)
    # a disclosure's project by its name and line, not by its IRI (…/disclosure/2025/<checksum>/project/<line>)
    def named(iri: str) -> str:
        return f"{graph.value(URIRef(iri), RDFS.label)} (project/{iri.rsplit('/', 1)[-1]})"

    assert any(m.startswith(named(next(iter(unbased))) + " cites no identifiable document")
               for m in rules["bkgsh:UnbasedProjectsComplete"])
    assert any(m.startswith(named(str(village)) + " is listed as without")
               for m in rules["bkgsh:UnbasedProjectsListed"])
    assert named(str(village)).startswith("驻村工作队经费(柳树口镇东南庄村) (project/")
    assert any("15001" in m and "15000" in m for m in rules["bkgsh:TownshipTotalsAgree"])  # and 140525103's count
    assert any("140525103" in m for m in rules["bkgsh:TownshipProjectsListed"])
    assert any("泽行审发" in m for m in rules["bkgsh:BasisRowsComplete"])
    assert any("policy/no/other" in m for m in rules["bkgsh:BasisRowsAgree"])
    assert any(str(citation) in m for m in rules["bkgsh:BasisCitationsInRows"])
    assert "bkgsh:TownshipProjectsComplete" not in rules
    graph.remove((township, BKG.locatedProject, village))
    issues = validate(graph, shapes, engine=engine).violations
    assert any("柳树口镇" in issue.message or "140525112" in issue.message for issue in issues
               if issue.rule.startswith("bkgsh:TownshipProjectsComplete"))


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_a_changed_printed_total_department_or_year_is_caught(build_dir: Path, engine: str):
    graph = _seed_slice(build_dir)
    shapes = SHAPES / "summaries.ttl"
    summary = next(graph.subjects(BKG.summaryOf, None))
    code = URIRef(f"{summary}/code/20805")  # zezhou2025 支出总表 line 169: 20805 printed as 667.92 万元
    assert [str(value) for value in graph.objects(code, BKG.printedTotal)] == ["6679200"]
    assert str(graph.value(summary, BKG.departmentName)) == "泽州县自然资源局"
    assert graph.value(summary, BKG.fiscalYear).toPython() == 2025
    graph.set((code, BKG.printedTotal, Literal(Decimal("6679300"))))
    graph.remove((URIRef(f"{summary}/code/2080505"), BKG.printedTotal, None))  # a printed line's total left out
    graph.set((summary, BKG.fiscalYear, Literal(2024)))
    graph.set((summary, BKG.departmentName, Literal("泽州县财政局")))
    issues = validate(graph, shapes, engine=engine).violations
    printed = sorted(issue.message for issue in issues if issue.rule.startswith("bkgsh:SummaryPrintedTotalsAgree"))
    assert len(printed) == 3, printed  # 20805's wrong total, its line's total missing, 2080505's missing
    assert any("code 20805: the summary's printed total is on no line" in m and "6679300" in m for m in printed)
    assert any("code 20805: the summary lacks" in m and "6679200" in m for m in printed)
    assert any("code 2080505: the summary lacks" in m and "3662100" in m for m in printed)
    scope = sorted(issue.message for issue in issues if issue.rule.startswith("bkgsh:SummaryScopeAgrees"))
    # the summary's 2024 is not the disclosure's, and the disclosure's 2025 is not the summary's
    assert {m for m in scope if m.startswith("fiscal year")} == {
        "fiscal year: the summary says 2024, the disclosure 2025"}, scope
    assert "department name: the summary says 泽州县财政局, the disclosure 泽州县自然资源局" in scope, scope
    # a summary without a department name, where the publisher has one
    graph.remove((summary, BKG.departmentName, None))
    issues = validate(graph, shapes, engine=engine).violations
    scope = [issue.message for issue in issues if issue.rule.startswith("bkgsh:SummaryScopeAgrees")]
    assert [m for m in scope if "department" in m] == [
        "department name: the summary says none, the disclosure 泽州县自然资源局"]


@pytest.mark.parametrize("params", [{}, {"department": "泽州"}, {"match": "泽政发[2019]23号"}])
def test_year_over_year_reads_items_that_give_the_detail_rows(build_dir: Path, params: dict[str, str]):
    frame = run_query("year-over-year", params, store=build_dir, money="decimal")
    assert frame.equals(detail_year_over_year(build_dir, params))
    # zezhou: 补充耕地指标回购资金, 1000 万元 in 2025 (zezhou2025 line 620) and 2000 万元 in 2026, under
    # 泽政发〔2019〕23号
    rows = frame[frame["item"].isin(["补充耕地指标回购资金", "泽政发〔2019〕23号"]) & (frame["fiscal_year"] == 2026)]
    assert len(rows) == (1 if "match" in params else 2)
    for row in rows.itertuples():
        assert (row.amount, row.previous_amount, row.change, row.projects) == (
            Decimal("20000000"), Decimal("10000000"), Decimal("10000000"), 1)


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_a_changed_or_missing_item_is_caught(build_dir: Path, engine: str):
    graph = _seed_slice(build_dir)
    shapes = SHAPES / "summaries.ttl"
    summary = next(graph.subjects(BKG.summaryOf, None))
    items = {str(graph.value(item, BKG.itemKey)): item for item in graph.objects(summary, BKG.projectItem)}
    documents = {str(graph.value(item, BKG.itemKey)): item for item in graph.objects(summary, BKG.documentItem)}
    buyback = items["补充耕地指标回购资金"]  # zezhou2025 line 620: 1000 万元, one project
    assert (graph.value(buyback, BKG.projectMoney), graph.value(buyback, BKG.projectCount)) == (
        Literal(Decimal("10000000")), Literal(1))
    assert graph.value(documents["泽政发〔2019〕23号"], BKG.projectMoney) == Literal(Decimal("10000000"))
    graph.set((buyback, BKG.projectMoney, Literal(Decimal("10000001"))))
    graph.set((buyback, BKG.itemKey, Literal("2025年补充耕地指标回购资金")))  # the year not cut
    graph.remove((summary, BKG.documentItem, documents["泽政发〔2019〕23号"]))  # a document left out
    issues = validate(graph, shapes, engine=engine).violations
    items_rule = sorted(issue.message for issue in issues if issue.rule.startswith("bkgsh:SummaryItemsAgree"))
    assert len(items_rule) == 3, items_rule
    assert any(m.startswith("project item 2025年补充耕地指标回购资金: the summary has 1 item(s)") and "10000001" in m
               and "give 0 and 0" in m for m in items_rule)
    assert any(m.startswith("project item 补充耕地指标回购资金: the summary has 0 item(s)")
               and "give 1 and 10000000" in m for m in items_rule)
    assert any(m.startswith("document item 泽政发〔2019〕23号: the summary has 0 item(s)") for m in items_rule)
