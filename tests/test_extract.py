"""End to end: ingest → tables → entities on each seed, checked against values read from the documents."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.extract import extract_disclosure
from kg.records import Disclosure


@pytest.fixture(scope="module")
def disclosures(sources) -> dict[str, Disclosure]:
    return {key: extract_disclosure(source) for key, source in sources.items()}


def test_no_stage_fails_on_any_seed(disclosures):
    for key, disclosure in disclosures.items():
        errors = [str(n) for n in disclosure.notices if n.severity == "error"]
        assert errors == [], key


@pytest.mark.parametrize(
    ("key", "current", "carried_over"),
    [("qinshui2024", 53, 0), ("zezhou2025", 6, 1), ("xingxian2025", 48, 0), ("yangquan2022", 0, 0),
     ("zezhou2026", 18, 3)],
)
def test_project_counts(disclosures, key, current, carried_over):
    projects = disclosures[key].projects
    assert sum(not p.carried_over for p in projects) == current
    assert sum(p.carried_over for p in projects) == carried_over


def test_zezhou2025_projects_in_yuan_with_sources_and_lines(disclosures):
    by_name = {p.name: p for p in disclosures["zezhou2025"].projects}
    land = by_name["2025年土地收储经费"]
    assert land.total == Decimal("75000000.00")
    assert land.by_source == {"gov_fund": Decimal("75000000.00")}
    assert (land.printed_unit, land.unit_name, land.span.first_line) == ("万元", "泽州县自然资源局", 389)
    hazard = by_name["山西省晋城市泽州县地质灾害综合治理项目"]
    assert hazard.carried_over and hazard.total == Decimal("4865500.00")


def test_performance_tables_matched_to_their_budget_rows(disclosures):
    zez = {t.project_name: t for t in disclosures["zezhou2025"].performance}
    assert len(zez) == 10
    # the table prints 柳村口镇 where the budget table prints 柳树口镇: matched by amount + fuzzy name
    village = zez["驻村工作队经费(柳村口镇东南庄村)"]
    assert (village.matched_project, village.match_method) == ("驻村工作队经费(柳树口镇东南庄村)", "fuzzy+amount")
    assert zez["补充耕地指标回购资金"].match_method == "exact"
    # a performance table whose project is in no budget table is kept, unmatched
    assert zez["“两高”沿线可视范围废弃场地生态环境综合治理项目"].matched_project is None
    assert zez["“两高”沿线可视范围废弃场地生态环境综合治理项目"].basis.endswith("泽行审发【2021】130号。")


def test_qinshui_every_project_table_matched_and_duplicate_merged(disclosures):
    tables = disclosures["qinshui2024"].performance
    project_tables = [t for t in tables if t.kind == "project"]
    assert len(project_tables) == 53
    assert sum(t.kind == "department_overall" for t in tables) == 1
    assert all(t.matched_project for t in project_tables)
    assert sum(len(t.copies) for t in project_tables) == 1
    matched = {t.matched_project for t in project_tables}
    assert matched == {p.name for p in disclosures["qinshui2024"].projects}


def test_yangquan_performance_tables_without_budget_rows_are_kept(disclosures):
    yq = disclosures["yangquan2022"]
    assert len(yq.performance) == 19
    names = [t.project_name for t in yq.performance]
    assert names[0] == "阳泉市耕地核查"
    assert names[1] == "阳泉市国土空间生态修复规划(2021-2035 年)"  # as printed, space included
    assert all(t.matched_project is None for t in yq.performance)


def test_narrative_disclosure_with_tables_published_separately_is_kept():
    from kg.extract import extract_file
    from tests.conftest import PDF_SAMPLES

    if not PDF_SAMPLES.is_dir():
        pytest.skip("../shared/pdf-samples not present")
    cppcc = extract_file(PDF_SAMPLES / "jiangsu-cppcc-office-2018.pdf")
    assert cppcc.tables == [] and cppcc.department == "江苏省政协办公厅"
    assert any(n.code == "tables-published-separately" for n in cppcc.notices)
