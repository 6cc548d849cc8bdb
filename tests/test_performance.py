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


# -- accuracy pass: shifted labels, indicator rows, notices, loose lines ---------------------------------

def notices_of(sources, seed: str):
    return parse_performance_tables(sources[seed])[1]


def test_zezhou2026_basis_is_the_real_cell_not_the_overview_under_a_shifted_label(parsed):
    table = by_name(parsed["zezhou2026"], "耕地保护相关经费")
    # blocks 1 and 2 print 项目概况 on the 其他资金 row and the 项目概况 text under 项目依据 (lines 1563,
    # 1592); block 3 prints 项目概况 (line 1620) and 立项依据 (line 1621) under their own labels
    assert table.basis.startswith("1、《山西省自然资源厅关于建设省级耕地后备资源储备库有关事项的通知》")
    assert table.field_spans["basis"] == Span("zezhou-natural-resources-bureau-2026.txt", 1621, 1621)
    assert table.overview.startswith("1.根据相关文件精神建设省级耕地后备库")
    assert table.field_spans["overview"].first_line == 1620
    assert not table.basis.startswith("1.根据相关文件精神")


def test_fixture_basis_run_into_overview_alone_is_reported_not_guessed():
    tables, notices = fixture_tables("zezhou2026-basis-run-into-overview.txt")
    (table,) = tables
    assert table.overview.startswith("1.根据相关文件精神建设省级耕地后备库")
    assert table.basis == ""
    assert table.necessity == "保障耕地保护相关工作开展，切实守牢耕地保护红线。"
    assert any(n.code == "labels-shifted" and n.line == 14 for n in notices)
    assert any(n.code == "no-basis" and "ran into 项目概况" in n.message for n in notices)


def test_fixture_every_label_one_row_below_its_text():
    # zezhou2026 lines 2073-2093: 立项依据 beside the 项目概况 text … 年度目标 beside the 项目实施计划 text
    tables, notices = fixture_tables("zezhou2026-labels-one-row-low.txt")
    (table,) = tables
    assert table.overview.startswith("1.该项目用于自然资源基础调查监测工作")
    assert table.basis.startswith("《土地调查条例》、《土地调查条例实施办法》、"
                                  "《自然资源部关于开展水资源基础调查工作的通知》")
    assert table.necessity.startswith("通过开展2026年度国土变更调查工作")
    assert table.measures.startswith("年度国土变更调查工作调查监测股负责")
    assert table.plan.startswith("1.根据国家要求下发图斑后先梳理图斑类型")
    assert not (table.goal_period + table.goal_year).startswith("1.根据国家要求")
    assert table.goal_period.startswith("2026年度国土变更调查工作，以12月31日为标准时点")
    assert any(n.code == "labels-shifted" for n in notices)


def test_zezhou2026_survey_table_30_blocks_without_indicator_rows(parsed, sources):
    table = by_name(parsed["zezhou2026"], "自然资源基础调查监测工作经费")
    assert len(table.copies) == 29
    assert table.basis.startswith("《土地调查条例》、《土地调查条例实施办法》")
    # none of the 30 blocks (lines 1666-2308) prints a 绩效指标 row: said once, on the merged record
    assert table.indicators == []
    notices = notices_of(sources, "zezhou2026")
    assert [n.line for n in notices if n.code == "no-indicators"] == [1666]
    # per-block no-basis warnings do not survive the merge
    assert not [n for n in notices if n.code == "no-basis"]


def test_zezhou2026_loose_fragment_finishes_the_clipped_plan(parsed, sources):
    table = by_name(parsed["zezhou2026"], "耕地保护相关经费")
    assert table.plan.endswith("2026年4月确定项目实施单位，2026年10月底前完成以上项目的验收工作。")
    unplaced = [n for n in notices_of(sources, "zezhou2026") if n.code == "loose-lines-unplaced"]
    assert any(n.line == 1639 and "line 1639-1647, 1650, 1652-1664" in n.message for n in unplaced)


def test_fixture_repeated_labels_are_the_third_level_cell():
    # xingxian2025 lines 1108-1142: "数量指标⇥数量指标⇥1个", "满意度指标⇥服务对象满意度⇥服务对象满意度⇥…⇥100%"
    tables, notices = fixture_tables("xingxian2025-repeated-labels.txt")
    (table,) = tables
    rows = {(i.period, i.level1, i.level2, i.level3, i.value) for i in table.indicators}
    assert ("实施期", "产出指标", "数量指标", "数量指标", "1个") in rows
    assert ("年度", "满意度指标", "服务对象满意度指标", "服务对象满意度", "100%") in rows
    # "经济效益" with an empty 一级 cell below the 产出指标 rows belongs to 效益指标
    assert ("实施期", "效益指标", "经济效益指标", "2023年耕地进出平衡任务完成率", "1,50000万亩") in rows
    assert all(i.value for i in table.indicators)
    assert len(table.indicators) == 28
    assert not any(n.code == "indicator-without-value" for n in notices)


def test_fixture_duplicated_value_cells_and_a_second_total_without_label():
    # xingxian2025 lines 668-697: "本期资金总额:⇥1,112,500⇥⇥112,500"; "…⇥≥100%⇥…⇥≥100%⇥≥100%"
    tables, notices = fixture_tables("xingxian2025-duplicated-value-cells.txt")
    (table,) = tables
    assert table.funds["实施期"]["total"] == Decimal("1112500")
    assert table.funds["年度"]["total"] == Decimal("112500")
    assert not any(n.code == "amount-without-label" for n in notices)
    assert len(table.indicators) == 20
    assert all(i.level3 and i.value for i in table.indicators)
    assert ("年度", "经济效益指标", "节约利用土地资源", "≥100%") in {
        (i.period, i.level2, i.level3, i.value) for i in table.indicators}


def test_seed_notices_quieter(sources, parsed):
    qinshui, xingxian = notices_of(sources, "qinshui2024"), notices_of(sources, "xingxian2025")
    assert not [n for n in qinshui + xingxian if n.code == "amount-without-label"]
    # 部门整体: the 合计 row of 年度预算情况 (16243.99 万元) is the year's total; the rest is by source
    overall = next(t for t in parsed["qinshui2024"] if t.kind == "department_overall")
    assert overall.funds["年度"]["total"] == Decimal("162439900")
    # one notice per table, not one per row; the 年度 half of a form without its 指标值 column is silent
    valueless = [n for n in xingxian if n.code == "indicator-without-value"]
    assert len(valueless) <= 9 and all(n.severity == "info" for n in valueless)
    assert len({n.line for n in valueless}) == len(valueless)


def test_qinshui_indicator_rows_below_the_block_caption(parsed):
    table = by_name(parsed["qinshui2024"], "沁水县龙港镇下苏庄不稳定斜坡地质灾害应急治理工程")
    rows = {(i.level1, i.level2, i.level3, i.value) for i in table.indicators}
    # line 1480 prints the 绩效指标 caption in the first cell of the first indicator row
    assert ("产出指标", "数量指标", "不稳定斜坡地质灾害应急治理工程保障家庭数", "4户") in rows
    assert not any(i.level3 == "绩效指标" for i in table.indicators)


def test_xingxian_clipped_title_opens_the_table(parsed, sources):
    table = by_name(parsed["xingxian2025"], "兴县2025年度")
    assert table.span.first_line == 927  # "兴县县(区)级预算部门(单位)项目", clipped after 项目
    assert table.funds["年度"]["total"] == Decimal("179300")
    assert not any(n.code == "untitled-table" for n in notices_of(sources, "xingxian2025"))


def test_xingxian_period_total_printed_left_of_a_clipped_label(parsed):
    # line 1431: "1,150,000⇥⇥年度资金总额:⇥⇥1,150,000", the 实施期资金总额 label cut off
    table = by_name(parsed["xingxian2025"], "兴县第三次国土调查")
    assert table.funds["实施期"]["total"] == Decimal("1150000")
    assert table.funds["年度"]["total"] == Decimal("1150000")


def test_another_provinces_template_is_read_by_its_labels():
    from kg.ingest import source_from_text
    from kg.tables.performance import parse_performance_tables

    text = ("财政项目支出绩效目标填报表\n(2024年度)\n"
            "项目名称\t数字政府运维\t项目性质\t经常性项目\t项目类别\t运维类\n"
            "主管部门\t某市财政局\t实施单位\t某市财政局信息中心\n"
            "项目资金(万元)\t年度资金总额:\t120.00\n"
            "项目立项依据\t《某市数字政府建设方案》(某政发〔2022〕3号)\n项目概况\t运维。\n负责人:\t经办人:\n")
    [table], _ = parse_performance_tables(source_from_text(text, name="p.txt"))
    assert (table.project_name, table.implementing_unit, table.basis) == (
        "数字政府运维", "某市财政局信息中心", "《某市数字政府建设方案》(某政发〔2022〕3号)")
    assert table.funds["年度"]["total"] == Decimal("1200000.00")


def test_the_national_one_year_form_printed_space_aligned():
    # the national template's one-year form as pdftotext prints it: "单位：万元" above the form, 立项依据 wrapped
    # over two lines and ended by 年度绩效目标, 其中：财政拨款 / 其他资金 under 年度资金总额
    from kg.ingest import source_from_text
    from kg.tables.performance import parse_performance_tables

    text = """
                          2024年项目支出绩效目标表
                                                                       单位：万元
  项目名称              城市道路养护经费
  主管部门              某某区住房和城乡建设局          实施单位          某某区市政设施管理所
  项目资金              年度资金总额                350.00
                        其中：财政拨款              350.00
                              其他资金              0.00
  立项依据              《城市道路管理条例》（国务院令第198号）；《某某省城市道路养护管理
                        办法》（某政办发〔2021〕15号）
  年度绩效目标          完成辖区城市道路日常养护，道路完好率达到95%以上。
                        一级指标      二级指标        三级指标            指标值
  绩效指标              产出指标      数量指标        养护道路面积        ≥120万平方米
                                      质量指标        道路完好率          ≥95%
"""
    [table], _ = parse_performance_tables(source_from_text(text, name="national.txt"))
    assert (table.project_name, table.implementing_unit) == ("城市道路养护经费", "某某区市政设施管理所")
    assert table.basis == "《城市道路管理条例》(国务院令第198号)；《某某省城市道路养护管理办法》(某政办发〔2021〕15号)"
    assert table.funds == {"年度": {"total": Decimal("3500000.00"), "appropriation": Decimal("3500000.00"),
                                    "other": Decimal("0.00")}}
    assert table.goal_year == "完成辖区城市道路日常养护，道路完好率达到95%以上。"
