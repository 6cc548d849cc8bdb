"""Matching performance tables to 项目支出表 rows, on hand-built rows with real names and amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.entities.matching import match_performance
from kg.records import PerformanceTable, ProjectRow, Span
from kg.tables.performance import parse_performance_tables

FILE = "zezhou-natural-resources-bureau-2025.txt"


def row(name: str, wan: str, line: int) -> ProjectRow:
    total = Decimal(wan) * 10000
    return ProjectRow(name=name, unit_name="泽州县自然资源局", total=total, by_source={"general_budget": total},
                      carried_over=False, printed_unit="万元", span=Span(FILE, line, line))


# zezhou2025 项目支出表（本年预算）, lines 389-394
ZEZHOU2025_PROJECTS = [
    row("2025年土地收储经费", "7500.00", 389),
    row("补充耕地指标回购资金", "1000.00", 390),
    row("国土实景三维建模工作经费", "244.00", 391),
    row("遗属补贴", "4.97", 392),
    row("国土收益业务费", "300.00", 393),
    row("驻村工作队经费(柳树口镇东南庄村)", "1.50", 394),
]


@pytest.fixture()
def zezhou2025(sources) -> list[PerformanceTable]:
    return parse_performance_tables(sources["zezhou2025"])[0]


def test_exact_and_fuzzy_with_amount(zezhou2025):
    notices = match_performance(zezhou2025, ZEZHOU2025_PROJECTS)
    by_name = {t.project_name: t for t in zezhou2025}
    assert by_name["遗属补贴"].match_method == "exact"
    assert by_name["遗属补贴"].matched_project == "遗属补贴"
    # 柳村口 in the 绩效目标表 vs 柳树口 in 项目支出表, 15,000 元 = 1.50 万元
    village = by_name["驻村工作队经费(柳村口镇东南庄村)"]
    assert village.match_method == "fuzzy+amount"
    assert village.matched_project == "驻村工作队经费(柳树口镇东南庄村)"
    assert village.match_score is not None and 80 <= village.match_score < 100
    # four tables whose projects are in no budget table of the document are kept, unmatched, with notices
    unmatched = {t.project_name for t in zezhou2025 if t.matched_project is None}
    assert "“两高”沿线可视范围废弃场地生态环境综合治理项目" in unmatched
    assert len(unmatched) == 4
    assert sum(n.code == "unmatched-performance" for n in notices) == 4


def test_normalised_name():
    table = _table("驻村工作队经费（柳树口镇东南庄村）", Decimal(15000))
    match_performance([table], ZEZHOU2025_PROJECTS)
    assert (table.match_method, table.matched_project) == ("normalised", "驻村工作队经费(柳树口镇东南庄村)")


def test_amount_only_when_unique():
    table = _table("土地收储工作经费（2025）", Decimal(75000000))
    notices = match_performance([table], ZEZHOU2025_PROJECTS)
    assert (table.match_method, table.matched_project) == ("amount", "2025年土地收储经费")
    assert any(n.code == "amount-match" for n in notices)


def test_two_tables_never_share_one_project_silently():
    first, second = _table("遗属补贴", Decimal(49700)), _table("遗属补贴", Decimal(49700))
    notices = match_performance([first, second], ZEZHOU2025_PROJECTS)
    assert first.matched_project == "遗属补贴"
    assert second.matched_project is None
    assert any(n.code == "project-already-matched" for n in notices)


def _table(name: str, year_total: Decimal) -> PerformanceTable:
    return PerformanceTable(kind="project", project_name=name, department=None, department_code=None,
                            implementing_unit=None, attribute=None, period=None,
                            funds={"年度": {"total": year_total}}, overview="", basis="", necessity="",
                            measures="", plan="", goal_period="", goal_year="", indicators=[],
                            span=Span("t.txt", 1, 30))


# xingxian2025 项目支出表 line 407 and the table at lines 927-960 whose name is printed as "兴县2025年度"
XINGXIAN = "xingxian-natural-resources-bureau-2025.txt"
XINGXIAN_SURVEY = ProjectRow(name="兴县2022年度国土变更调查", unit_name="兴县自然资源局", total=Decimal("179300"),
                             by_source={"general_budget": Decimal("179300")}, carried_over=False,
                             printed_unit="万元", span=Span(XINGXIAN, 407, 407))


def test_amount_alone_refused_when_the_names_print_different_years():
    table = _table("兴县2025年度", Decimal(179300))
    notices = match_performance([table], [XINGXIAN_SURVEY])
    assert table.matched_project is None
    refused = [n for n in notices if n.code == "amount-match-refused"]
    assert len(refused) == 1 and "兴县2022年度国土变更调查" in refused[0].message
    assert "2025 / 2022" in refused[0].message


def test_amount_alone_still_matches_a_name_without_a_year():
    table = _table("2026年土地收储经费", Decimal(75000000))
    match_performance([table], [*ZEZHOU2025_PROJECTS[:1], row("土地收储工作", "1.00", 1)])
    assert table.match_method is None  # 2026 vs 2025: neither fuzzy nor amount-only
    other = _table("土地收储经费", Decimal(75000000))
    match_performance([other], ZEZHOU2025_PROJECTS)
    assert (other.match_method, other.matched_project) == ("amount", "2025年土地收储经费")


def test_xingxian_seed_table_with_clipped_name_left_unmatched(sources):
    tables = parse_performance_tables(sources["xingxian2025"])[0]
    projects = [XINGXIAN_SURVEY]
    notices = match_performance(tables, projects)
    table = next(t for t in tables if t.project_name == "兴县2025年度")
    assert table.matched_project is None
    assert any(n.code == "amount-match-refused" and n.line == 927 for n in notices)
