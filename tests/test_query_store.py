"""Every library query on the hand-made seed graph (tests/fixtures/query/zezhou.ttl), embedded.

Values are those printed in samples/zezhou-natural-resources-bureau-2025.txt and -2026.txt (万元 → 元).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from kg.query import load_library, load_store, open_store, rdflib_dataset, run_query, trace
from kg.query.store import OxigraphEngine

FIXTURE = Path(__file__).parent / "fixtures" / "query" / "zezhou.ttl"
DEPT = "泽州县自然资源局"
PARAMS = {"project-basis": {"project": "补充耕地指标回购资金"}, "document-projects": {"document": "泽政发[2019]23号"}}


@pytest.fixture(scope="module")
def engine():
    store, report = load_store(None, [FIXTURE])
    assert not report.failures
    return OxigraphEngine(store)


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    """The cells as plain values, a missing one (pd.NA) as None."""
    return [tuple(None if v is pd.NA else v for v in r) for r in frame[list(columns)].itertuples(index=False)]


def test_document_projects_of_zezhengfa_2019_23(engine):
    frame = run_query("document-projects", {"document": "泽政发[2019]23号"}, store=engine)
    # zezhou2025 line 621 and zezhou2026 line 2362 cite it; 项目支出表: 1000.00 万元 and 2000.00 万元.
    assert rows(frame, "fiscal_year", "project_label", "amount", "documents_cited", "attributed_amount") == [
        (2025, "补充耕地指标回购资金", Decimal("10000000"), 1, Decimal("10000000")),
        (2026, "补充耕地指标回购资金", Decimal("20000000"), 2, Decimal("10000000")),
    ]
    assert set(frame["department"]) == {DEPT}
    assert set(frame["document_total"]) == {Decimal("30000000")}
    assert set(frame["issuer_level"]) == {"county"}


def test_document_found_by_part_of_its_title(engine):
    frame = run_query("document-projects", {"document": "民间资本投资开发造地"}, store=engine)
    assert set(frame["doc_number"]) == {"泽政发〔2019〕23号"} and len(frame) == 2


def test_project_basis_lists_every_document_with_issuer_and_level(engine):
    frame = run_query("project-basis", {"project": "补充耕地指标回购资金"}, store=engine)
    assert rows(frame, "fiscal_year", "doc_number", "issuer", "issuer_level") == [
        (2025, "泽政发〔2019〕23号", "泽州县人民政府", "county"),
        (2026, "晋政办发〔2018〕1号", "山西省人民政府办公厅", "province"),
        (2026, "泽政发〔2019〕23号", "泽州县人民政府", "county"),
    ]
    assert frame.iloc[0]["basis_text"] == "根据《泽州县鼓励和引导民间资本投资开发造地管理办法》(泽政发〔2019〕23号)"


def test_project_basis_ignores_wrap_spaces_in_printed_names(engine):
    # 2026 项目支出表 line 386 prints "全民所有自然资源资产清查及低效 用地再开发" (a wrapped cell).
    frame = run_query("project-basis", {"project": "资产清查及低效用地再开发"}, store=engine)
    assert sorted(frame["doc_number"]) == ["自然资发〔2024〕127号", "自然资发〔2025〕83号"]
    assert set(frame["issuer_level"]) == {"central"}


def test_project_basis_takes_an_exact_name_first_then_part_of_a_name(engine):
    # 土地收储经费 is 2026's full name (line 374): exactly that project, not 2025年土地收储经费.
    exact = run_query("project-basis", {"project": "土地收储经费"}, store=engine)
    assert rows(exact, "fiscal_year", "doc_number") == [
        (2026, "晋政办发〔2019〕10号"), (2026, "晋自然资函〔2022〕232号")]
    # No project is named 土地收储: every project whose name contains it, in both years.
    part = run_query("project-basis", {"project": "土地收储"}, store=engine)
    assert sorted(set(zip(part["fiscal_year"], part["amount"], strict=True))) == [
        (2025, Decimal("75000000")), (2026, Decimal("50000000"))]
    # 驻村工作队经费 (2026, no basis) is a full name; 驻村工作队经费(柳树口镇东南庄村) (2025) is not listed for it.
    village = run_query("project-basis", {"project": "驻村工作队经费"}, store=engine)
    assert rows(village, "fiscal_year", "amount", "document") == [(2026, Decimal("15000"), None)]
    by_iri = run_query("project-basis", {"project": "https://w3id.org/budget-kg/id/project-zezhou-2025-6"},
                       store=engine)
    assert rows(by_iri, "project_label", "doc_number") == [("驻村工作队经费(柳树口镇东南庄村)", "泽组通字〔2023〕19号")]


def test_document_projects_by_iri_or_title_count_every_document_a_project_cites(engine):
    by_number = run_query("document-projects", {"document": "泽政发[2019]23号"}, store=engine)
    other = rdflib_dataset([FIXTURE])
    for given in ("https://w3id.org/budget-kg/id/doc-zezhengfa-2019-23", "鼓励和引导民间资本投资开发造地"):
        frame = run_query("document-projects", {"document": given}, store=engine)
        pd.testing.assert_frame_equal(frame, by_number, obj=given)
        pd.testing.assert_frame_equal(run_query("document-projects", {"document": given}, store=other), frame)
    # 2026's project cites 晋政办发〔2018〕1号 too: counted although only 泽政发〔2019〕23号 is in scope.
    assert list(by_number["documents_cited"]) == [1, 2]
    # A document cited by two projects of different years: 晋政办发〔2019〕10号, 7500.00 + 5000.00 万元.
    land = run_query("document-projects", {"document": "晋政办发（2019）10号"}, store=engine)
    assert set(land["document_total"]) == {Decimal("125000000")} and set(land["document_projects"]) == {2}
    assert list(land["attributed_amount"]) == [Decimal("37500000"), Decimal("25000000")]
    assert run_query("document-projects", {"document": "晋政办发〔2019〕99号"}, store=engine).empty


def test_money_by_issuer_level_counts_each_project_once(engine):
    frame = run_query("money-by-issuer-level", store=engine)
    y2025 = frame[frame["fiscal_year"] == 2025]
    assert rows(y2025, "issuer_level", "projects", "amount") == [
        ("province", 2, Decimal("75049700")),  # 土地收储经费 7500.00 + 遗属补贴 4.97 万元
        ("city", 2, Decimal("5440000")),       # 国土实景三维建模 244.00 + 国土收益业务费 300.00
        ("county", 2, Decimal("10015000")),    # 补充耕地指标回购资金 1000.00 + 驻村工作队经费 1.50
        ("none", 1, Decimal("4865500")),       # 上年结转 地质灾害综合治理项目 486.55
    ]
    # The levels add up to the printed project total, 9537.02 万元 (本年 9050.47 + 上年结转 486.55).
    assert sum(y2025["amount"]) == Decimal("95370200")
    # 2026's 补充耕地指标回购资金 cites a province and a county document: counted once, as province.
    y2026 = frame[frame["fiscal_year"] == 2026].set_index("issuer_level")
    assert y2026.loc["province", "amount"] == Decimal("70000000")
    assert "county" not in y2026.index


def test_unbased_projects(engine):
    frame = run_query("unbased-projects", store=engine)
    assert rows(frame, "fiscal_year", "project_label", "amount", "carried_over") == [
        (2025, "山西省晋城市泽州县地质灾害综合治理项目", Decimal("4865500"), True),
        (2026, "国土收益业务费", Decimal("6000000"), False),
        (2026, "山西省晋城市泽州县地质灾害综合治理项目", Decimal("1212000"), True),
        (2026, "驻村工作队经费", Decimal("15000"), False),
    ]
    assert len(run_query("unbased-projects", {"department": "泽州县"}, store=engine)) == 4
    assert run_query("unbased-projects", {"department": "兴县"}, store=engine).empty


def test_township_projects(engine):
    for given in ("柳树口镇", "柳树口", "140525112", "https://w3id.org/budget-kg/id/township-140525112"):
        frame = run_query("township-projects", {"township": given}, store=engine)
        assert rows(frame, "township_label", "township_code", "project_label", "amount", "township_total") == [
            ("柳树口镇", "140525112", "驻村工作队经费(柳树口镇东南庄村)", Decimal("15000"), Decimal("15000"))], given
    assert run_query("township-projects", {"township": "南村镇"}, store=engine).empty


def test_code_rollup_sums_leaves_only_and_matches_printed_subtotals(engine):
    frame = run_query("code-rollup", store=engine).set_index("code")
    # 支出总表 (zezhou2025 line 169): 208 社会保障和就业支出 667.92 万元 = 118.60 + 366.21 + 183.11.
    assert frame.loc["208", "rolled_total"] == Decimal("6679200") == frame.loc["208", "printed_total"]
    assert frame.loc["208", "leaf_lines"] == 3  # the printed 208 and 20805 rows are not added again
    # 220 自然资源海洋气象等支出 4222.91 = 行政运行 2672.43 (basic) + 其他自然资源事务支出 1550.47 (project).
    assert frame.loc["220", "rolled_total"] == Decimal("42229000")
    assert frame.loc["220", "rolled_basic"] == Decimal("26724300")
    assert frame.loc["220", "rolled_project"] == Decimal("15504700")
    only = run_query("code-rollup", {"code": "2080"}, store=engine)
    assert list(only["code"]) == ["20805", "2080501", "2080505", "2080506"]


def test_year_over_year_matches_names_across_a_leading_year(engine):
    frame = run_query("year-over-year", store=engine)
    land = frame[(frame["kind"] == "project") & (frame["item"] == "土地收储经费")]
    # 2025年土地收储经费 7500.00 万元 → 土地收储经费 5000.00 万元 in 2026.
    assert rows(land, "fiscal_year", "amount", "previous_year", "previous_amount", "change") == [
        (2025, Decimal("75000000"), None, None, None),
        (2026, Decimal("50000000"), 2025, Decimal("75000000"), Decimal("-25000000")),
    ]
    document = run_query("year-over-year", {"match": "泽政发[2019]23号"}, store=engine)
    assert rows(document, "kind", "fiscal_year", "amount", "change") == [
        ("document", 2025, Decimal("10000000"), None), ("document", 2026, Decimal("20000000"), Decimal("10000000"))]
    # Projects printed in one year only (遗属补贴 2025; 执法工作经费 not in the fixture) are not listed.
    assert "遗属补贴" not in set(frame["item"])


def test_top_documents_ranked_by_money_and_by_projects(engine):
    frame = run_query("top-documents", store=engine)
    first = frame.iloc[0]
    # 晋政办发〔2019〕10号 backs 土地收储经费 in both years: 7500 + 5000 万元.
    assert (first["doc_number"], first["money_traced"], first["projects"]) == (
        "晋政办发〔2019〕10号", Decimal("125000000"), 2)
    by_number = frame.set_index("doc_number")
    assert by_number.loc["泽政发〔2019〕23号", "money_attributed"] == Decimal("20000000")  # 1000 + 2000/2
    assert by_number.loc["泽政发〔2019〕23号", "projects_rank"] == 1
    # Attributed money adds up to the money of the projects that cite any document: 2025 本年 9050.47 万元
    # + 2026 补充耕地指标回购资金 2000 + 土地收储经费 5000 + 资产清查 50 = 16100.47 万元.
    assert sum(frame["money_attributed"]) == Decimal("161004700")


def test_duplicate_triples_in_two_named_graphs_change_no_result(engine, tmp_path: Path):
    """Oxigraph's union default graph repeats a triple per graph; sums must not double."""
    twice = tmp_path / "copy-of-zezhou.ttl"
    twice.write_bytes(FIXTURE.read_bytes())
    store, _ = load_store(None, [FIXTURE, twice])
    assert len(list(store.named_graphs())) == 2
    for name in load_library():
        once = run_query(name, PARAMS.get(name), store=engine)
        doubled = run_query(name, PARAMS.get(name), store=store)
        pd.testing.assert_frame_equal(once, doubled, obj=name)


def test_rdflib_engine_gives_the_same_rows(engine):
    other = rdflib_dataset([FIXTURE])
    for name in sorted(load_library()):
        pd.testing.assert_frame_equal(run_query(name, PARAMS.get(name), store=engine),
                                      run_query(name, PARAMS.get(name), store=other), obj=name)


def test_persistent_store_reloads_a_file_by_replacing_its_graph(tmp_path: Path):
    build = tmp_path / "build"
    _, report = load_store(build / "store", [FIXTURE])
    assert report.triples > 200
    del _
    store, _ = load_store(build / "store", [FIXTURE])  # a rebuild: same graph name, replaced
    assert len(list(store.named_graphs())) == 1
    del store
    frame = run_query("document-projects", {"document": "泽政发〔2019〕23号"}, store=build)
    assert set(frame["document_total"]) == {Decimal("30000000")}
    assert open_store(build) is not None


def test_a_bad_graph_file_is_reported_and_the_others_load(tmp_path: Path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    store, report = load_store(None, [bad, FIXTURE])
    assert len(report.failures) == 1 and "broken.ttl" in report.failures[0]
    assert run_query("township-projects", store=store).shape[0] == 1


def test_trace_a_doc_number_a_project_and_a_title(engine):
    by_number = trace("泽政发【2019】23号", store=engine)
    assert ("文件 泽政发〔2019〕23号 《泽州县鼓励和引导民间资本投资开发造地管理办法》 — 泽州县人民政府 (county)"
            in by_number)
    assert "→ 泽州县自然资源局 2026  补充耕地指标回购资金  20,000,000.00 元 (cites 2 documents)" in by_number
    assert "total traced: 30,000,000.00 元 over 2 project(s)" in by_number
    by_project = trace("遗属补贴", store=engine)
    assert "项目 遗属补贴 — 泽州县自然资源局 2025 — 49,700.00 元" in by_project
    assert "← 晋人社厅发〔2016〕82号" in by_project
    unbased = trace("地质灾害综合治理", store=engine)
    assert "上年结转" in unbased and "no identifiable basis document" in unbased
    assert "1,212,000.00 元" in unbased
    by_title = trace("实景三维晋城建设总体实施方案", store=engine)
    assert "晋城市自然资发〔2023〕267号" in by_title and "国土实景三维建模工作经费  2,440,000.00 元" in by_title
    assert trace("不存在的项目", store=engine).startswith("nothing found")


def test_scope_parameters_restrict_the_whole_corpus_reports(engine):
    # unbased-projects in 2026 only: 国土收益业务费 600.00, 地质灾害 121.20, 驻村工作队经费 1.50 万元.
    frame = run_query("unbased-projects", {"fiscal_year": "2026"}, store=engine)
    assert rows(frame, "project_label", "amount") == [
        ("国土收益业务费", Decimal("6000000")), ("山西省晋城市泽州县地质灾害综合治理项目", Decimal("1212000")),
        ("驻村工作队经费", Decimal("15000"))]
    # one disclosure, by part of its source file name: the 2025 roll-up only, 208 still 667.92 万元.
    rollup = run_query("code-rollup", {"disclosure": "resources-bureau-2025", "code": "208"}, store=engine)
    assert set(rollup["fiscal_year"]) == {2025}
    assert rollup.set_index("code").loc["208", "rolled_total"] == Decimal("6679200")
    assert run_query("code-rollup", {"disclosure": "https://w3id.org/budget-kg/id/disclosure-zezhou-2026"},
                     store=engine)["fiscal_year"].tolist() == []  # the fixture's 2026 prints no 支出总表
    # top-documents in 2025: 晋政办发〔2019〕10号 backs only 2025年土地收储经费 7500.00 万元 (not 2026's 5000).
    top = run_query("top-documents", {"fiscal_year": "2025"}, store=engine).set_index("doc_number")
    assert top.loc["晋政办发〔2019〕10号", "money_traced"] == Decimal("75000000")
    assert top.loc["泽政发〔2019〕23号", "money_attributed"] == Decimal("10000000")
    levels = run_query("money-by-issuer-level", {"department": "泽州县 自然资源局", "fiscal_year": "2025"},
                       store=engine)
    assert sum(levels["amount"]) == Decimal("95370200") and set(levels["fiscal_year"]) == {2025}
    assert run_query("money-by-issuer-level", {"department": "兴县"}, store=engine).empty
    assert run_query("year-over-year", {"department": "兴县"}, store=engine).empty
    assert not run_query("year-over-year", {"department": "泽州县"}, store=engine).empty


def test_a_scope_parameter_is_a_constant_in_the_pattern_and_an_absent_one_leaves_nothing():
    from kg.query import bind, get_query

    text = bind(get_query("code-rollup"), {"fiscal_year": "2025"})
    assert 'FILTER (STR(?fiscal_year) = "2025")' in text and "fiscal_year_text" not in text
    # no parameter: no filter, no placeholder, no test of an unbound variable
    unscoped = bind(get_query("code-rollup"), {})
    assert "FILTER (STR(?fiscal_year)" not in unscoped and "UNDEF" not in unscoped and "BOUND" not in unscoped
