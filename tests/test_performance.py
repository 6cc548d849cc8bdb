"""Performance tables read from the seed disclosures: counts, fields, 立项依据, funds, indicators, merging."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.ingest import source_from_text
from kg.records import PerformanceTable, Span
from kg.tables.performance import parse_performance_tables


@pytest.fixture(scope="module")
def parsed(sources) -> dict[str, list[PerformanceTable]]:
    return {key: parse_performance_tables(source)[0] for key, source in sources.items()}


def by_name(tables: list[PerformanceTable], name: str) -> PerformanceTable:
    found = [t for t in tables if t.project_name == name]
    assert len(found) == 1, f"{name!r}: {[t.project_name for t in tables]}"
    return found[0]


def projects(tables: list[PerformanceTable]) -> list[PerformanceTable]:
    return [t for t in tables if t.kind == "project"]


# -- counts -------------------------------------------------------------------------------------------

def test_qinshui_53_projects_from_54_printed_tables(parsed):
    tables = parsed["qinshui2024"]
    assert len(projects(tables)) == 53
    assert sum(len(t.copies) for t in tables) == 1
    assert [t.kind for t in tables].count("department_overall") == 1


def test_zezhou2025_ten_projects_two_printed_twice(parsed):
    tables = parsed["zezhou2025"]
    assert len(tables) == 10
    assert {t.project_name for t in tables if t.copies} == {
        "“两高”沿线可视范围废弃场地生态环境综合治理项目", "国土收益业务费"}


def test_yangquan_untitled_tables_split_on_project_name(parsed):
    tables = parsed["yangquan2022"]
    assert len(tables) == 19
    names = [t.project_name for t in tables]
    assert names[0] == "阳泉市耕地核查"
    assert names[1] == "阳泉市国土空间生态修复规划(2021-2035 年)"
    assert names[-1] == "自然资源法律法规宣传费"
    # a name wrapped over two lines is joined
    assert "阳泉市生态保护和修复中央预算内投资天然林保护与营造林项目可行性研究报告编制" in names


# -- fields -------------------------------------------------------------------------------------------

def test_zezhou2025_liang_gao_fields(parsed):
    table = by_name(parsed["zezhou2025"], "“两高”沿线可视范围废弃场地生态环境综合治理项目")
    assert table.basis == ("泽州县行政审批管理局关于泽州县“两高”沿线可视范围废弃场地生态环境综合治理项目可行性研究报告"
                           "(代项目建议书)的批复泽行审发【2021】130号。")
    assert table.department_code == "080"
    assert table.department == "泽州县自然资源局"
    assert table.implementing_unit == "泽州县自然资源局"
    assert table.attribute == "一次性项目(1年结束)"
    assert table.period == "1年"
    assert table.field_spans["basis"].first_line == 493
    assert table.copies and table.copies[0].first_line == 517


def test_zezhou2025_funds_in_yuan_and_wan_cells_converted(parsed, sources):
    tables, notices = parse_performance_tables(sources["zezhou2025"])
    land = by_name(tables, "2025年土地收储经费")
    assert land.funds["实施期"]["total"] == Decimal("75000000")
    assert land.funds["实施期"]["local"] == Decimal("75000000")
    assert land.funds["年度"]["total"] == Decimal("0")
    # "1000万元" printed in a row labelled (元)
    buyback = by_name(tables, "补充耕地指标回购资金")
    assert buyback.funds["实施期"]["total"] == Decimal("10000000")
    assert any(n.code == "amount-in-wan" and n.line == 614 for n in notices)


@pytest.mark.parametrize(("seed", "name", "basis"), [
    ("qinshui2024", "2022-2023耕地“进出平衡”方案编制经费",
     "《自然资源部、农业农村部、国家林业和草原局关于严格耕地用途管制有关问题的通知》(自然资发〔2021〕166号);"
     "《山西省自然资源厅关于严格落实耕地进出平衡的通知》(晋自然资发〔2023〕7号);"
     "《国土调查数据库标准》(TD/T 1057-2020)"),
    ("zezhou2025", "补充耕地指标回购资金", "根据《泽州县鼓励和引导民间资本投资开发造地管理办法》(泽政发〔2019〕23号)"),
    ("xingxian2025", "2021年-2023年补充耕地入库", "兴县人民政府常务会议纪要[2024]4次"),
    ("xingxian2025", "印花税", "根据《中华人民共和国税收征收管理法》及兴县国家税务局有关通知"),
    ("yangquan2022", "阳泉市国土空间生态修复规划(2021-2035 年)",
     "《山西省自然资源厅关于做好市级国土空间生态修复规划编制工作的通知》(晋自然资函〔2021〕85号)"),
])
def test_basis_text(parsed, seed, name, basis):
    assert by_name(parsed[seed], name).basis == basis


# -- indicators ---------------------------------------------------------------------------------------

def test_qinshui_indicators_both_halves(parsed):
    table = by_name(parsed["qinshui2024"], "2023年自然资源局遗属补助")
    rows = {(i.period, i.level1, i.level2, i.level3, i.value) for i in table.indicators}
    for period in ("实施期", "年度"):
        assert (period, "产出指标", "数量指标", "遗属补助领取人员", "6人") in rows
        assert (period, "产出指标", "成本指标", "补助标准", "568元/月/人") in rows
        assert (period, "满意度指标", "服务对象满意度指标", "遗属人员满意度", "≥95%") in rows
    assert len(table.indicators) == 12


def test_zezhou2025_drifted_indicator_cells(parsed):
    table = by_name(parsed["zezhou2025"], "“两高”沿线可视范围废弃场地生态环境综合治理项目")
    rows = {(i.level1, i.level2, i.level3, i.value) for i in table.indicators}
    # line 506: the 三级 cell drifted into the 二级 column
    assert ("产出指标", "时效指标", "管护时间", "2025年全年") in rows
    # line 512: the 年度 half's 二级 label sits on the same row
    assert ("效益指标", "生态效益指标", "实施区域矿山地质灾害隐患", "下降") in rows
    # line 515: the 二级 label clipped as 服务对象满意度
    assert ("满意度指标", "服务对象满意度指标", "实施区域受益人群满意度", "≥90%") in rows
    assert len(table.indicators) == 14


# -- traps on fixtures cut from the seeds -------------------------------------------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "performance"


def fixture_tables(name: str):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return parse_performance_tables(source_from_text(text, name))


def test_fixture_printed_twice_merged_with_notices():
    tables, notices = fixture_tables("zezhou2025-printed-twice.txt")
    assert len(tables) == 1
    table = tables[0]
    assert table.copies == [Span("zezhou2025-printed-twice.txt", 39, 60)]
    codes = {n.code for n in notices}
    assert {"copies-merged", "copies-differ"} <= codes
    # the copies differ by a character (地质灾害隐患 / 地灾隐患): the fuller text is kept
    assert "消除地质灾害隐患" in table.necessity


def test_fixture_loose_lines_after_block_reattached():
    tables, notices = fixture_tables("zezhou2026-loose-lines.txt")
    assert len(tables) == 1
    table = tables[0]
    assert table.project_name == "耕地保护相关经费"
    assert len(table.copies) == 2
    assert table.implementing_unit == "泽州县自然资源局"
    assert table.period == "1年"
    assert table.funds["年度"]["total"] == Decimal("3000000")
    assert table.funds["实施期"]["total"] == Decimal("6940000")
    assert any(n.code == "loose-lines-reattached" for n in notices)
    assert any(n.code == "loose-lines-unplaced" for n in notices)


def test_zezhou2026_split_over_17_blocks(parsed):
    table = by_name(parsed["zezhou2026"], "泽州县详细规划及丹河新城起步区详细规划")
    assert len(table.copies) == 16
    assert table.basis.startswith("中共中央办公厅、国务院办公厅《关于推进以县城为重要载体的城镇化建设的意见》")


def test_xingxian_name_printed_above_its_label(parsed):
    table = by_name(parsed["xingxian2025"], "2024年兴县实用性村庄规划编制")
    assert table.department_code == "048"
    assert table.funds["年度"]["total"] == Decimal("451200")
    assert table.basis == "中发[2019]18号中共中央、国务院关于建立国土空间规划体系并监督实施的若干意见"
