"""Standard budget tables: found by title, parsed into typed frames, traps of the seeds handled."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.ingest import source_from_text
from kg.records import SourceDocument, Table
from kg.tables import find_tables
from kg.tables.amounts import parse_amount, to_yuan
from tests.helpers import aligned, only, row

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tables"

ALL_SHANXI_COUNTY = {
    "income_expenditure_summary", "income_summary", "expenditure_summary", "fiscal_appropriation_summary",
    "general_budget_expenditure", "basic_expenditure_economic", "gov_fund_income", "gov_fund_expenditure",
    "soe_capital", "three_public", "admin_operating", "project_expenditure", "project_expenditure_carried_over",
}
EXPECTED_KINDS = {
    "qinshui2024": ALL_SHANXI_COUNTY,
    "zezhou2025": ALL_SHANXI_COUNTY,
    "xingxian2025": ALL_SHANXI_COUNTY,
    "zezhou2026": ALL_SHANXI_COUNTY,
    # 003 has no 项目支出表; it prints a 政府采购预算明细表 instead
    "yangquan2022": ALL_SHANXI_COUNTY - {"project_expenditure", "project_expenditure_carried_over"}
    | {"gov_procurement"},
}


def fixture(name: str) -> SourceDocument:
    return source_from_text((FIXTURES / name).read_text(encoding="utf-8"), name=name)


@pytest.fixture(scope="module")
def found(sources: dict[str, SourceDocument]) -> dict[str, tuple[list[Table], list]]:
    return {key: find_tables(source) for key, source in sources.items()}


@pytest.mark.parametrize("key", sorted(EXPECTED_KINDS))
def test_every_standard_table_is_found(found, key):
    tables, _ = found[key]
    assert {t.kind for t in tables} == EXPECTED_KINDS[key]


def test_tables_are_in_document_order_with_units(found):
    tables, _ = found["zezhou2025"]
    assert [t.span.first_line for t in tables] == sorted(t.span.first_line for t in tables)
    assert only(tables, "expenditure_summary").span.first_line == 159
    assert {t.unit for t in tables} == {"万元"}


@pytest.mark.parametrize(("key", "code", "name", "total", "basic", "project"), [
    ("zezhou2025", "2200199", "其他自然资源事务支出", "1550.47", None, "1550.47"),
    ("zezhou2025", "2101101", "行政单位医疗", "217.44", "217.44", None),
    ("qinshui2024", "2200106", "自然资源利用与保护", "4937.82", None, "4937.82"),
    ("qinshui2024", "208", "社会保障和就业支出", "327.13", "323.04", "4.09"),
    ("xingxian2025", "2200103", "机关服务", "546.64", "546.64", None),
    ("zezhou2026", "210", None, "261.95", None, None),
    ("yangquan2022", "2010101", "行政运行", "26.82", "26.82", None),  # amounts on the line before
    ("yangquan2022", "20101", "人大事务", "26.82", "26.82", None),  # code column shifted: printed 201
    ("yangquan2022", "2200199", "其他自然资源事务支出", "1089.46", "324.85", "764.61"),
    ("yangquan2022", "2130234", "林业草原防灾减灾", "275.00", None, "275.00"),  # name re-joined
])
def test_expenditure_summary_rows(found, key, code, name, total, basic, project):
    table = only(found[key][0], "expenditure_summary")
    record = row(table, code=code)
    if name is not None:
        assert record["name"] == name
    assert record["total"] == Decimal(total)
    if basic is not None or project is not None:
        assert record["basic"] == (Decimal(basic) if basic else None)
        assert record["project"] == (Decimal(project) if project else None)


def test_expenditure_summary_frame_has_typed_columns_and_header(found):
    table = only(found["zezhou2025"][0], "expenditure_summary")
    assert list(table.frame.columns[:7]) == ["line", "last_line", "code", "name", "total", "basic", "project"]
    assert table.frame.attrs["header"][1].split("\t")[:2] == ["科目编码", "科目名称"]
    total = row(table, name="合计")
    assert (total["total"], total["basic"], total["project"]) == (
        Decimal("13487.42"), Decimal("3950.40"), Decimal("9537.02"))
    assert total["line"] == 167
    assert len(table.frame) == 28


def test_empty_tables_have_no_rows(found):
    tables, _ = found["zezhou2025"]
    for kind in ("soe_capital", "three_public"):
        table = only(tables, kind)
        assert table.empty and table.frame.empty
    assert only(found["xingxian2025"][0], "gov_fund_income").empty
    # 003 declares its 国有资本经营 table empty by "(9) …表" then "无"
    assert only(found["yangquan2022"][0], "soe_capital").empty


def test_xingxian_catalogue_is_not_budget_data(found):
    tables, _ = found["xingxian2025"]
    assert max(t.span.last_line for t in tables) < 460  # the A-code catalogue starts far below
    for table in tables:
        assert not table.frame.astype(str).apply(lambda col: col.str.match(r"^A\d")).any().any()


# --- traps, on small fixtures cut from the seeds -------------------------------------------------

def test_toc_lines_are_not_tables():
    tables, _ = find_tables(fixture("zezhou_toc_projects_empty.txt"))
    assert [t.kind for t in tables] == ["project_expenditure", "project_expenditure_carried_over",
                                        "soe_capital", "three_public"]
    assert tables[0].span.first_line == 27  # not the TOC line "表十二2025年项目支出预算表(本年预算).....⇥16"


def test_column_number_row_and_subtotals_are_rows_not_headers():
    tables, _ = find_tables(fixture("zezhou_toc_projects_empty.txt"))
    frame = tables[0].frame
    assert "1" not in set(frame["name"])
    assert list(frame["name"][:3]) == ["泽州县自然资源局", "泽州县自然资源局", "2025年土地收储经费"]
    assert row(tables[0], name="2025年土地收储经费")["gov_fund"] == Decimal("7500.00")
    assert {"total", "general_budget", "gov_fund", "soe_capital", "special_account", "unit_funds"} <= set(
        frame.columns)


def test_page_break_with_repeated_header_keeps_all_rows():
    tables, _ = find_tables(fixture("zezhou_projects_page_break.txt"))
    (table,) = tables
    assert list(table.frame["name"]) == [
        "泽州县自然资源局", "泽州县自然资源局", "2025年土地收储经费", "补充耕地指标回购资金",
        "国土实景三维建模工作经费", "遗属补贴", "国土收益业务费", "驻村工作队经费(柳树口镇东南庄村)"]


def test_split_codes_and_names_in_yangquan_income_summary():
    tables, notices = find_tables(fixture("yangquan_income_split_codes.txt"))
    table = only(tables, "income_summary")
    pension = row(table, code="2080505")
    assert pension["name"] == "机关事业单位基本养老保险缴费支出"
    assert pension["total"] == Decimal("248.87")
    compensation = row(table, code="2120805")  # "212 080" + next line "5⇥民支出"
    assert compensation["name"] == "补助被征地农民支出"
    assert compensation["gov_fund"] == Decimal("5000.00")
    assert (compensation["line"], compensation["last_line"]) == (34, 36)
    housing = row(table, code="22102")  # "221" + a later line "02"
    assert housing["name"] == "住房改革支出"
    assert row(table, code="212")["gov_fund"] == Decimal("21259.64")  # "21,259.6 4"
    assert row(table, code="2013299")["code_as_printed"] == "201329"
    assert not [n for n in notices if n.severity != "info"]


def test_shifted_code_column_and_amounts_before_their_code_row():
    tables, _ = find_tables(fixture("yangquan_expenditure_shifted.txt"))
    table = only(tables, "expenditure_summary")
    assert list(table.frame["code"][:5]) == [None, "201", "20101", "2010101", "20132"]
    running = row(table, code="2010101")
    assert (running["total"], running["basic"], running["line"], running["last_line"]) == (
        Decimal("26.82"), Decimal("26.82"), 12, 14)
    assert row(table, code="20101")["code_as_printed"] == "201"


def test_unit_split_over_lines_and_numbers_broken_by_spaces():
    tables, _ = find_tables(fixture("yangquan_split_unit_spaced_numbers.txt"))
    summary = only(tables, "income_expenditure_summary")
    assert summary.unit == "万元"
    assert row(summary, income_item="一、一般公共预算")["income_amount"] == Decimal("7139.98")
    assert row(summary, income_item="本年收入合计")["expenditure_total"] == Decimal("28399.62")
    fund_income = only(tables, "gov_fund_income")
    assert row(fund_income, code="1030148")["total"] == Decimal("1259.64")  # "1, 259. 64"


def test_truncated_code_is_recovered_with_a_notice():
    tables, notices = find_tables(fixture("xingxian_truncated_code.txt"))
    table = only(tables, "expenditure_summary")
    recovered = row(table, name="行政事业单位医疗")
    assert (recovered["code"], recovered["code_as_printed"]) == ("21011", "2101")
    (notice,) = [n for n in notices if n.code == "code-recovered"]
    assert notice.line == 50 and "2101" in notice.message and "21011" in notice.message


def test_truncated_code_recovered_from_next_row_without_sibling_table():
    text = (FIXTURES / "xingxian_truncated_code.txt").read_text(encoding="utf-8")
    expenditure_only = "\n".join(text.split("\n")[34:])
    tables, notices = find_tables(source_from_text(expenditure_only, name="cut.txt"))
    assert row(only(tables, "expenditure_summary"), name="行政事业单位医疗")["code"] == "21011"
    assert any(n.code == "code-recovered" and "next row" in n.message for n in notices)


@pytest.mark.parametrize(("text", "value"), [
    ("21,259.6 4", "21259.64"), ("1, 259. 64", "1259.64"), ("16021. 24", "16021.24"),
    ("10,000.0 0", "10000.00"), ("7500.00", "7500.00"),
    # a 决算's negative figure typeset with a minus sign (U+2212), a full-width or an en dash (U+2013)
    ("\u2212186.40", "-186.40"), ("\uff0d1,234.56", "-1234.56"), ("\u20137.5", "-7.5"),
])
def test_parse_amount_repairs_broken_numbers(text, value):
    assert parse_amount(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "2025年", "合计", "1,2,3", "2025年预算数", "036001a", "\u2212", "\u2013"])
def test_parse_amount_rejects_non_numbers(text):
    assert parse_amount(text) is None


def test_to_yuan_is_exact():
    assert to_yuan(Decimal("7500.00"), "万元") == Decimal("75000000.00")
    assert to_yuan(Decimal("0.01"), "万元") == Decimal("100.00")
    assert to_yuan(None, "万元") is None


def _two_tables(second_preamble: str, first_unit: str = "单位：元") -> str:
    return (f"一、收支预算总表\n部门：某某局                 {first_unit}\n"
            "收入    金额    支出    金额\n一般公共预算    100.00    一般公共服务支出    100.00\n"
            "收入合计    100.00    支出合计    100.00\n"
            f"二、支出预算总表\n{second_preamble}"
            "科目编码    科目名称    合计    基本支出    项目支出\n"
            "201    一般公共服务支出    100.00    60.00    40.00\n"
            "合计        100.00    60.00    40.00\n")


def test_a_table_without_a_unit_takes_the_documents_unit():
    from kg.ingest import source_from_text

    tables, notices = find_tables(source_from_text(_two_tables(""), name="u.txt"))
    assert [(t.kind, t.unit) for t in tables] == [("income_expenditure_summary", "元"), ("expenditure_summary", "元")]
    assert [n.code for n in notices if n.code.startswith("unit")] == ["unit-inferred"]


def test_a_unit_in_a_column_header_is_read_and_a_missing_one_warns():
    from kg.ingest import source_from_text

    text = _two_tables("", first_unit="").replace("合计    基本支出", "合计（元）    基本支出")
    tables, notices = find_tables(source_from_text(text, name="u.txt"))
    assert [t.unit for t in tables] == ["元", "元"]  # the header's 元, and the first table takes it
    tables, notices = find_tables(source_from_text(_two_tables("", first_unit=""), name="u.txt"))
    warned = [n for n in notices if n.code == "unit-missing"]
    assert [(n.line, n.severity) for n in warned] == [(1, "warning"), (6, "warning")]
    assert "no table states one" in warned[0].message and "10,000x" in warned[0].message


@pytest.mark.parametrize(("title", "kind", "year", "organisation", "final"), [
    ("表一:部门收支总表", "income_expenditure_summary", None, None, False),
    ("附件1:2024年部门收支总表", "income_expenditure_summary", 2024, None, False),
    ("一、2018年度江苏省高级人民法院收支预算总表", "income_expenditure_summary", 2018, "江苏省高级人民法院", False),
    ("公开01表:2025年预算单位支出预算总表", "expenditure_summary", 2025, None, False),
    ("浙江省财政厅2024年部门财政拨款收支总体情况表", "fiscal_appropriation_summary", 2024, "浙江省财政厅", False),
    ("2024年一般公共预算基本支出预算表(按经济科目分类)", "basic_expenditure_economic", 2024, None, False),
    ("一般公共预算财政拨款基本支出决算表", "basic_expenditure_economic", None, None, True),
    ("项目支出表(上年结转)", "project_expenditure_carried_over", None, None, False),
    # a qualifier of the kind is never an organisation's name: these were read as 支出总表 / 收支总表
    ("一般公共预算财政拨款项目支出决算表", "project_expenditure_final", None, None, True),
    ("部门基本支出预算表", "basic_expenditure_economic", None, None, False),
    ("部门综合预算政府性基金收支表", "gov_fund_expenditure", None, "部门综合预算", False),
    ("部门综合预算一般公共预算拨款“三公”经费及会议费、培训费支出预算表", "three_public", None, "部门综合预算", False),
    ("2025年部门政府购买服务预算表", "gov_purchase_services", 2025, None, False),
    ("财政专户管理资金预算表", "special_account", None, None, False),
    # Beijing's 情况表 wordings and other numberings
    ("2024年部门收入情况表", "income_summary", 2024, None, False),
    ("2024年部门支出情况表", "expenditure_summary", 2024, None, False),
    ("2024年项目支出情况表", "project_expenditure", 2024, None, False),
    ("01-收支预算总表", "income_expenditure_summary", None, None, False),
    ("预算02-1表收入总表", "income_summary", None, None, False),
    # the central 决算 template from 2021 drops 总 from its two-sided tables: these were read as 支出决算表 of an
    # organisation called "收入" / "财政拨款收入"
    ("公开01表收入支出决算表", "income_expenditure_summary", None, None, True),
    ("公开04表财政拨款收入支出决算表", "fiscal_appropriation_summary", None, None, True),
    ("一般公共预算财政拨款收入支出决算表", "fiscal_appropriation_summary", None, None, True),
    ("政府性基金预算财政拨款收入支出决算表", "gov_fund_expenditure", None, None, True),
    ("国有资本经营预算财政拨款支出决算表", "soe_capital", None, None, True),
    # 拨款 without 财政, and 政府采购 tables without 预算 (read as a 支出预算表 of "政府性基金预算拨款", or not at all)
    ("2025年政府性基金预算拨款支出预算表", "gov_fund_expenditure", 2025, None, False),
    ("国有资本经营预算拨款支出预算表", "soe_capital", None, None, False),
    ("表8政府采购支出表", "gov_procurement", None, None, False),
    ("2024年部门政府采购情况表", "gov_procurement", 2024, None, False),
    # a 决算's 财政专户 table (年初结转和结余 | 本年收入 | 本年支出 | 年末结转和结余): it was read as a 收支总表 of an
    # organisation called 财政专户管理资金; a dotted numbering (湖北 "2.15"); 三公 with 行政参公单位机关运行经费 (云南)
    ("财政专户管理资金收入支出决算表", "special_account", None, None, True),
    ("2.15单位收支总表", "income_expenditure_summary", None, None, False),
    ("表3.1部门收入总表", "income_summary", None, None, False),
    ("“三公”经费、行政参公单位机关运行经费情况表", "three_public", None, None, False),
])
def test_titles_of_the_national_template_in_other_wordings(title, kind, year, organisation, final):
    from kg.tables.knowledge import knowledge
    from kg.tables.titles import match_title

    match = match_title(title, knowledge())
    assert match is not None
    assert (match.kind.kind, match.year, match.organisation, match.final_accounts) == (kind, year, organisation, final)


@pytest.mark.parametrize("text", ["2025年部门预算公开表附后", "第二部分 2019年度部门预算表", "五、部门预算表",
                                  "本部门2025年收支预算总表反映了全部收支。", "一、收支预算总表.........3"])
def test_sentences_headings_and_contents_lines_are_not_titles(text):
    from kg.tables.knowledge import knowledge
    from kg.tables.titles import match_title

    assert match_title(text.replace(" ", ""), knowledge()) is None


def test_a_dash_in_an_amount_cell_is_an_empty_cell_not_a_misread():
    from kg.entities.budget import expenditure_lines
    from kg.ingest import source_from_text

    rows = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"],
            ["201", "一般公共服务支出", "100.00", "100.00", "-"],
            ["20101", "人大事务", "100.00", "—", "100.00"],
            ["", "合计", "100.00", "100.00", "/"]]
    text = "支出预算总表\n单位：元\n" + aligned(rows, [10, 20, 10, 10, 10], left=2)
    tables, notices = find_tables(source_from_text(text, name="d.txt"))
    assert [n.code for n in notices if n.severity == "warning"] == []
    lines, _ = expenditure_lines(tables)
    assert [(x.code, x.total, x.basic, x.project) for x in lines] == [
        ("201", Decimal("100.00"), Decimal("100.00"), None), ("20101", Decimal("100.00"), None, Decimal("100.00"))]


def test_a_table_of_an_unknown_kind_ends_the_table_above_and_is_reported():
    # a province's own table after a standard one: its rows must not become rows of the 三公 table above
    text = ("“三公”经费支出预算表\n单位：万元\n项目\t预算数\n因公出国（境）费\t1.00\n公务接待费\t2.00\n合计\t3.00\n\n"
            "部门预算支出经济分类汇总表\n单位：万元\n科目名称\t金额\n办公费\t12.00\n印刷费\t3.00\n")
    tables, notices = find_tables(source_from_text(text, name="u.txt"))
    assert [t.kind for t in tables] == ["three_public"] and len(tables[0].frame) == 3
    unknown = [n for n in notices if n.code == "table-unknown"]
    assert [(n.line, n.severity) for n in unknown] == [(8, "warning")]
    assert "部门预算支出经济分类汇总表" in unknown[0].message


@pytest.mark.parametrize("header, cells", [
    ("功能分类科目", ("201一般公共服务支出", "20101人大事务", "2010101行政运行")),
    ("科目", ("201 一般公共服务支出", "  20101 人大事务", "    2010101 行政运行")),
])
def test_codes_printed_in_the_name_cell_under_one_header(header, cells):
    # one "科目" column holding each 科目编码 and its name ("201 一般公共服务支出"): the codes are split off
    text = (f"部门支出总表\n单位：万元\n{header}\t合计\t基本支出\t项目支出\n合计\t60.00\t60.00\t\n"
            + "".join(f"{cell}\t60.00\t60.00\t\n" for cell in cells))
    [table], _ = find_tables(source_from_text(text, "codes.txt"))
    assert [(r["code"], r["name"]) for r in table.frame[["code", "name"]].to_dict("records")] == [
        (None, "合计"), ("201", "一般公共服务支出"), ("20101", "人大事务"), ("2010101", "行政运行")]


def test_a_pickled_table_keeps_its_kind_without_its_pattern(found):
    """Phase 1's records are pickled for phase 2: a table's kind travels as its name (no pattern to compile
    again), and comes back as the knowledge's own kind; a kind of other knowledge travels whole."""
    import pickle
    import re
    from dataclasses import replace

    from kg.tables.knowledge import knowledge

    tables, _ = found["zezhou2025"]
    table = next(t for t in tables if t.kind == "expenditure_summary")
    kind = table.frame.attrs["title_match"].kind
    blob = pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    assert kind.title.pattern.encode() not in blob
    back = pickle.loads(blob)
    assert back.frame.attrs["title_match"].kind is knowledge().kind("expenditure_summary")
    assert back.frame["total"].tolist() == table.frame["total"].tolist()
    other = replace(kind, title=re.compile("^支出表$"))
    again = pickle.loads(pickle.dumps(other))
    assert again == other and again.title.pattern == "^支出表$"
