"""The summaries graph: built from the seeds, equal to the library queries over the detail, checked by SHACL."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.query import run_query
from kg.rdf.namespaces import BKG
from kg.validate import validate

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
        if "/2025/6c5305b17aa4808e/summary" in line.split(" ", 1)[0]:
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
