"""Layouts of the national 部门支出总表 that other provinces print and no dev document does: amounts in 元 with
thousands separators, the total row first or last, labelled 合计, 总计 or 支出合计. Each reads to the same lines in
元, and the total is checked against its 类 rows wherever it stands."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.extract import extract_disclosure
from kg.ingest import source_from_text
from kg.records import Disclosure
from tests.helpers import aligned

_HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
_ROWS = [["201", "一般公共服务支出", "1,234,567.89", "1,034,567.89", "200,000.00"],
         ["20101", "人大事务", "1,234,567.89", "1,034,567.89", "200,000.00"],
         ["2010101", "行政运行", "1,034,567.89", "1,034,567.89", ""],
         ["2010102", "一般行政管理事务", "200,000.00", "", "200,000.00"],
         ["208", "社会保障和就业支出", "65,432.10", "65,432.10", ""],
         ["20805", "行政事业单位养老支出", "65,432.10", "65,432.10", ""],
         ["2080505", "机关事业单位基本养老保险缴费支出", "65,432.10", "65,432.10", ""]]


def _read(label: str, first: bool, total: str = "1,299,999.99", basic: str = "1,099,999.99",
          ) -> tuple[Disclosure, int]:
    total_row = ["", label, total, basic, "200,000.00"]
    rows = [total_row, *_ROWS] if first else [*_ROWS, total_row]
    text = "某某局2025年部门预算\n部门支出总表\n单位：元\n" + aligned([_HEADER, *rows], [10, 32, 14, 14, 14], left=2)
    line = 5 if first else 5 + len(_ROWS)
    return extract_disclosure(source_from_text(text, "national.txt"), require_tables=False), line


_LABELS = ["合计", "总计", "支出合计", "本年支出合计"]


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("label", _LABELS)
def test_the_total_row_anywhere_under_any_label_reads_the_same_lines(label, first):
    disclosure, _ = _read(label, first)
    assert sorted((x.code, x.total, x.basic, x.project) for x in disclosure.expenditure_lines)[:3] == [
        ("201", Decimal("1234567.89"), Decimal("1034567.89"), Decimal("200000.00")),
        ("20101", Decimal("1234567.89"), Decimal("1034567.89"), Decimal("200000.00")),
        ("2010101", Decimal("1034567.89"), Decimal("1034567.89"), None)]
    assert len(disclosure.expenditure_lines) == 7
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []
    closure = next(c for c in disclosure.closure if c.kind == "expenditure_summary")
    assert closure.failed == 0 and closure.checks > 0


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("label", _LABELS)
def test_a_misprinted_total_is_caught_wherever_it_stands(label, first):
    # 基本 + 项目 = 合计 on the row itself: only the 类 rows' sum tells the misprint
    disclosure, line = _read(label, first, total="1,299,999.00", basic="1,099,999.00")
    mismatches = [n for n in disclosure.notices if n.code == "sum-mismatch"]
    assert {n.line for n in mismatches} == {line}
    assert [n.message.split(": ", 1)[1] for n in mismatches] == [
        "合计 total = sum of 类 rows: printed 1299999.00 元, parts add up to 1299999.99 元",
        "合计 basic = sum of 类 rows: printed 1099999.00 元, parts add up to 1099999.99 元"]


def test_a_negative_figure_typeset_with_a_minus_sign_is_read_and_checked():
    # a 决算 whose 项目支出 ran negative (a refund), printed "−20.00" with U+2212 as typesetting software does
    rows = [["", "合计", "100.00", "120.00", "\u221220.00"],
            ["201", "一般公共服务支出", "100.00", "120.00", "\u221220.00"],
            ["20101", "人大事务", "100.00", "120.00", "\u221220.00"],
            ["2010101", "行政运行", "100.00", "120.00", "\u221220.00"]]
    text = ("某某局2024年度部门决算\n部门支出决算表\n单位：万元\n"
            + aligned([_HEADER, *rows], [10, 32, 14, 14, 14], left=2))
    disclosure = extract_disclosure(source_from_text(text, "minus.txt"), require_tables=False)
    line = next(x for x in disclosure.expenditure_lines if x.code == "2010101")
    assert (line.total, line.basic, line.project) == (Decimal("1000000.00"), Decimal("1200000.00"),
                                                      Decimal("-200000.00"))
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []  # no bad-amount, sums close


_USES = ["科目编码", "科目名称", "合计", "基本支出", "项目支出", "上缴上级支出", "事业单位经营支出",
         "对附属单位补助支出"]


def _uses(total: str) -> Disclosure:
    """The local national 部门支出总表: 合计 is 基本 + 项目 + 上缴上级 + 事业单位经营 + 对附属单位补助."""
    rows = [["", "合计", total, "200.00", "100.00", "50.00", "30.00", "20.00"],
            ["201", "一般公共服务支出", "400.00", "200.00", "100.00", "50.00", "30.00", "20.00"],
            ["20101", "人大事务", "400.00", "200.00", "100.00", "50.00", "30.00", "20.00"],
            ["2010101", "行政运行", "400.00", "200.00", "100.00", "50.00", "30.00", "20.00"]]
    text = ("某某局2025年部门预算\n部门支出总表\n单位：万元\n"
            + aligned([_USES, *rows], [10, 32, 12, 12, 12, 16, 20, 22], left=2))
    return extract_disclosure(source_from_text(text, "uses.txt"), require_tables=False)


def test_the_uses_beside_basic_and_project_add_up_to_the_total():
    disclosure = _uses("400.00")
    table = next(t for t in disclosure.tables if t.kind == "expenditure_summary")
    assert [table.frame[c].iat[3] for c in ("remitted_to_higher", "operating_expenditure", "subordinate_subsidy")] \
        == [Decimal("50.00"), Decimal("30.00"), Decimal("20.00")]
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []
    line = next(x for x in disclosure.expenditure_lines if x.code == "2010101")
    assert (line.total, line.basic, line.project) == (Decimal("4000000.00"), Decimal("2000000.00"),
                                                      Decimal("1000000.00"))


def test_a_total_the_uses_do_not_make_is_caught():
    mismatches = [n for n in _uses("410.00").notices if n.code == "sum-mismatch"]
    assert any(n.line == 5 and "上缴上级支出" in n.message and "printed 410.00 万元, parts add up to 400.00 万元"
               in n.message for n in mismatches)


def test_this_years_column_is_the_total_beside_last_years_and_the_change():
    # 一般公共预算支出表 printed with last year's budget beside this year's, the change and its rate
    header = ["科目编码", "科目名称", "2024年预算数", "2025年预算数", "增减额", "增减率(%)"]
    rows = [["", "合计", "280.00", "300.00", "20.00", "7.14"],
            ["201", "一般公共服务支出", "280.00", "300.00", "20.00", "7.14"],
            ["20101", "人大事务", "280.00", "300.00", "20.00", "7.14"],
            ["2010101", "行政运行", "180.00", "200.00", "20.00", "11.11"],
            ["2010102", "一般行政管理事务", "100.00", "100.00", "0.00", "0.00"]]
    text = ("某某局2025年部门预算\n一般公共预算支出表\n单位：万元\n"
            + aligned([header, *rows], [10, 32, 14, 14, 12, 12], left=2))
    disclosure = extract_disclosure(source_from_text(text, "years.txt"), require_tables=False)
    table = next(t for t in disclosure.tables if t.kind == "general_budget_expenditure")
    administration = table.frame[table.frame["code"] == "2010101"].iloc[0]
    assert (administration["total"], administration["total_2024"]) == (Decimal("200.00"), Decimal("180.00"))
    assert administration["change_rate"] == "11.11"  # a rate, not an amount the 科目 add up
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []


_SPACED_ROWS = [["", "合计", "1,299.99", "1,099.99", "200.00"],
                ["201", "一般公共服务支出", "1,234.89", "1,034.89", "200.00"],
                ["201 01", "人大事务", "1,234.89", "1,034.89", "200.00"],
                ["201 01 01", "行政运行", "1,034.89", "1,034.89", ""],
                ["201 01 02", "一般行政管理事务", "200.00", "", "200.00"],
                ["208", "社会保障和就业支出", "65.10", "65.10", ""],
                ["208 05", "行政事业单位养老支出", "65.10", "65.10", ""],
                ["208 05 05", "机关事业单位基本养老保险缴费支出", "65.10", "65.10", ""]]


@pytest.mark.parametrize("tabs", [False, True])
def test_a_code_printed_spaced_in_one_cell_is_a_code_not_an_amount(tabs):
    # "201 01 01" under one 科目编码 header (类 款 项 grouped by spaces, not columns): 2010101, never 2,010,101
    rows = [_HEADER, *_SPACED_ROWS]
    table = ("\n".join("\t".join(r) for r in rows) + "\n") if tabs else aligned(rows, [10, 32, 14, 14, 14], left=2)
    text = "某某局2025年部门预算\n部门支出总表\n单位：万元\n" + table
    disclosure = extract_disclosure(source_from_text(text, "spaced.txt"), require_tables=False)
    assert sorted((x.code, x.total) for x in disclosure.expenditure_lines) == [
        ("201", Decimal("12348900.00")), ("20101", Decimal("12348900.00")), ("2010101", Decimal("10348900.00")),
        ("2010102", Decimal("2000000.00")), ("208", Decimal("651000.00")), ("20805", Decimal("651000.00")),
        ("2080505", Decimal("651000.00"))]
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []


_BUDGETS = ["一般公共预算拨款收入", "政府性基金预算拨款收入", "国有资本经营预算拨款收入", "财政专户管理资金收入"]
_UNIT_FUNDS = ["上级补助收入", "事业收入", "事业单位经营收入", "附属单位上缴收入", "其他收入"]
_INCOME_WIDTHS = [10, 20, 10, 22, 24, 26, 22, 14, 10, 18, 18, 10]


def _income(tabs: bool, total: str = "150.00") -> Disclosure:
    """The national 部门收入总表: 合计, the four budgets, and 单位资金 spanning its five parts on a second line."""
    top = ["科目编码", "科目名称", "合计", *_BUDGETS, "", "", "单位资金", "", ""]
    low = ["", "", "", "", "", "", "", *_UNIT_FUNDS]
    figures = ["100.00", "20.00", "", "", "10.00", "15.00", "", "", "5.00"]
    rows = [["", "合计", total, *figures], ["201", "一般公共服务支出", total, *figures],
            ["20101", "人大事务", total, *figures], ["2010101", "行政运行", total, *figures]]
    body = ("\n".join("\t".join(r) for r in [top, low, *rows]) + "\n") if tabs \
        else aligned([top, low, *rows], _INCOME_WIDTHS, left=2)
    return extract_disclosure(source_from_text("某某局2025年部门预算\n部门收入总表\n单位：万元\n" + body, "income.txt"),
                              require_tables=False)


@pytest.mark.parametrize("tabs", [False, True])
def test_the_national_income_table_names_every_source_and_checks_them_against_the_total(tabs):
    disclosure = _income(tabs)
    table = next(t for t in disclosure.tables if t.kind == "income_summary")
    row = table.frame[table.frame["code"] == "2010101"].iloc[0]
    assert [row[c] for c in ("total", "general_budget", "gov_fund", "higher_subsidy_income", "business_income",
                             "other_income")] == [Decimal("150.00"), Decimal("100.00"), Decimal("20.00"),
                                                  Decimal("10.00"), Decimal("15.00"), Decimal("5.00")]
    assert not any(c.startswith("col") for c in table.frame.columns)
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []
    closure = next(c for c in disclosure.closure if c.kind == "income_summary")
    # sources = 合计 on 4 rows, children = parent in the 6 columns printed (2 parents), 合计 = 类 rows in all 10
    assert closure.failed == 0 and closure.checks == 4 + 2 * 6 + 10


@pytest.mark.parametrize("tabs", [False, True])
def test_a_total_the_sources_do_not_make_is_caught(tabs):
    mismatches = [n for n in _income(tabs, total="155.00").notices
                  if n.code == "sum-mismatch" and "sources = 合计" in n.message]
    assert [(n.line, n.message.split(": ", 1)[1]) for n in mismatches][:1] == [
        (6, "sources = 合计: printed 155.00 万元, parts add up to 150.00 万元")]
    assert len(mismatches) == 4


@pytest.mark.parametrize(("header", "figures", "failed"), [
    # 合计 | 上年结转 | budgets: the 合计 counts what was carried over (the central template)
    (["合计", "上年结转", "一般公共预算拨款收入", "政府性基金预算拨款收入"], ["130.00", "30.00", "80.00", "20.00"], 0),
    # 本年收入 合计 | budgets | 上年结转 after them: outside the 合计 (Shanxi)
    (["合计", "一般公共预算拨款收入", "政府性基金预算拨款收入", "上年结转"], ["100.00", "80.00", "20.00", "30.00"], 0),
    (["合计", "一般公共预算拨款收入", "政府性基金预算拨款收入", "上年结转"], ["130.00", "80.00", "20.00", "30.00"], 1),
])
def test_carried_over_counts_in_the_total_when_printed_before_the_sources(header, figures, failed):
    rows = [["", "合计", *figures], ["201", "一般公共服务支出", *figures]]
    body = aligned([["科目编码", "科目名称", *header], *rows], [10, 20, 10, 12, 24, 24], left=2)
    disclosure = extract_disclosure(source_from_text("某某局2025年部门预算\n部门收入总表\n单位：万元\n" + body,
                                                     "carried.txt"), require_tables=False)
    mismatches = [n for n in disclosure.notices if n.code == "sum-mismatch"]
    assert len(mismatches) == 2 * failed and all("sources = 合计" in n.message for n in mismatches)


def test_unit_funds_printed_with_their_parts_add_up():
    header = ["科目编码", "科目名称", "合计", "一般公共预算拨款收入", "单位资金", "事业收入", "其他收入"]
    rows = [["", "合计", "150.00", "100.00", "50.00", "45.00", "4.00"],
            ["201", "一般公共服务支出", "150.00", "100.00", "50.00", "45.00", "4.00"]]
    body = aligned([header, *rows], [10, 20, 10, 22, 10, 10, 10], left=2)
    disclosure = extract_disclosure(source_from_text("某某局2025年部门预算\n部门收入总表\n单位：万元\n" + body,
                                                     "unit.txt"), require_tables=False)
    assert [n.message.split(": ", 1)[1] for n in disclosure.notices if n.code == "sum-mismatch"] == [
        "business_income + other_income = unit_funds: printed 50.00 万元, parts add up to 49.00 万元"] * 2


_FINAL_SUMMARY_HEADER = [["收入", "", "支出", "", "", "", ""],
                         ["", "", "", "", "一般公共预算", "政府性基金预算", "国有资本经营预算"],
                         ["项目", "决算数", "项目", "合计", "财政拨款", "财政拨款", "财政拨款"]]


def _centred(rows: list[list[str]], widths: list[int]) -> str:
    """Header lines as printed: each label centred over its column."""
    from kg.ingest.layout import display_width

    lines = []
    for cells in rows:
        line, edge = "", 0
        for text, width in zip(cells, widths, strict=True):
            if text:
                line += " " * max(edge + (width - display_width(text)) // 2 - len(line), 1 if line else 0) + text
            edge += width + 2
        lines.append(line)
    return "\n".join(lines) + "\n"


def _final_summary(housing: str) -> Disclosure:
    """The national 财政拨款收入支出决算总表: 收入 | 决算数 beside 支出 | 合计 | the three budgets it is paid from,
    each budget's label wrapped over two header lines."""
    rows = [["一、一般公共预算财政拨款", "100.00", "一、一般公共服务支出", "80.00", "70.00", "10.00", ""],
            ["二、政府性基金预算财政拨款", "10.00", "二、外交支出", "", "", "", ""],
            ["三、国有资本经营预算财政拨款", "", "三、住房保障支出", housing, "30.00", "", ""],
            ["本年收入合计", "110.00", "本年支出合计", "110.00", "100.00", "10.00", ""],
            ["总计", "110.00", "总计", "110.00", "100.00", "10.00", ""]]
    widths = [28, 10, 22, 10, 14, 16, 18]
    body = _centred(_FINAL_SUMMARY_HEADER, widths) + aligned(rows, widths, left=1, labels=frozenset({2}))
    return extract_disclosure(source_from_text("某某局2024年度部门决算\n财政拨款收入支出决算总表\n单位：万元\n" + body,
                                               "final.txt"), require_tables=False)


def test_the_final_summary_names_the_three_budgets_and_checks_them_against_the_total():
    disclosure = _final_summary("30.00")
    table = next(t for t in disclosure.tables if t.kind == "fiscal_appropriation_summary")
    services = table.frame[table.frame["expenditure_item"] == "一、一般公共服务支出"].iloc[0]
    assert [services[c] for c in ("income_amount", "expenditure_total", "general_budget", "gov_fund", "soe_capital")] \
        == [Decimal("100.00"), Decimal("80.00"), Decimal("70.00"), Decimal("10.00"), None]
    closure = next(c for c in disclosure.closure if c.kind == "fiscal_appropriation_summary")
    assert (closure.checks, closure.failed) == (4, 0)  # 合计 = the budgets on the 4 rows printing them
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []


def test_a_final_summary_row_its_budgets_do_not_make_is_caught():
    mismatches = [n for n in _final_summary("35.00").notices if n.code == "sum-mismatch"]
    assert [(n.line, n.message.split(": ", 1)[1]) for n in mismatches] == [
        (9, "sources = 合计: printed 35.00 万元, parts add up to 30.00 万元")]


def test_the_2021_final_accounts_summary_titled_without_zong_reads_both_sides():
    # 公开01表 收入支出决算表 (the central 决算 template from 2021): two sides, 收入总计 = 支出总计 checked
    header = [["收入", "", "支出", ""], ["项目", "决算数", "项目", "决算数"]]
    rows = [["一、财政拨款收入", "120.00", "一、一般公共服务支出", "100.00"],
            ["二、事业收入", "5.00", "二、社会保障和就业支出", "25.00"],
            ["本年收入合计", "125.00", "本年支出合计", "125.00"],
            ["收入总计", "125.00", "支出总计", "125.00"]]
    widths = [24, 10, 24, 10]
    body = _centred(header, widths) + aligned(rows, widths, left=1, labels=frozenset({2}))
    disclosure = extract_disclosure(source_from_text("某某局2023年度部门决算\n公开01表\n收入支出决算表\n单位：万元\n"
                                                     + body, "final2021.txt"), require_tables=False)
    table = next(t for t in disclosure.tables if t.kind == "income_expenditure_summary")
    social = table.frame[table.frame["expenditure_item"] == "二、社会保障和就业支出"].iloc[0]
    assert (social["income_item"], social["income_amount"], social["expenditure_total"]) == (
        "二、事业收入", Decimal("5.00"), Decimal("25.00"))
    closure = next(c for c in disclosure.closure if c.kind == "income_expenditure_summary")
    assert (closure.checks, closure.failed) == (1, 0)
    assert not any(t.kind == "expenditure_summary" for t in disclosure.tables)


_FUND_FINAL_HEADER = [["科目编码", "科目名称", "年初结转和", "本年收入", "本年支出", "", "", "年末结转和"],
                      ["", "", "结余", "", "小计", "基本支出", "项目支出", "结余"]]
# as the Putuo finance bureau's 2024 决算 prints it: 本年收入 centred between the lines of its neighbours' labels
_FUND_FINAL_CENTRED = [["科目编码", "科目名称", "年初结转和", "", "本年支出", "", "", "年末结转和"],
                       ["", "", "", "本年收入", "", "", "", ""],
                       ["", "", "结余", "", "小计", "基本支出", "项目支出", "结余"]]
_FUND_FINAL_CODES = [["", "合计"], ["229", "其他支出"], ["22960", "彩票公益金安排的支出"],
                     ["2296002", "用于社会福利的彩票公益金支出"]]


def _fund_final(closing: str, tabs: bool, header: list[list[str]] = _FUND_FINAL_HEADER,
                title: str = "政府性基金预算财政拨款收入支出决算表") -> Disclosure:
    """The national 政府性基金预算财政拨款收入支出决算表: 年初结转和结余 | 本年收入 | 本年支出 (小计, 基本支出,
    项目支出) | 年末结转和结余, the two balances' labels wrapped over two header lines."""
    rows = [[*codes, "50.00", "200.00", "180.00", "", "180.00", closing] for codes in _FUND_FINAL_CODES]
    widths = [10, 30, 12, 10, 10, 10, 10, 12]
    body = ("\n".join("\t".join(r) for r in [*header, *rows]) + "\n") if tabs \
        else _centred(header, widths) + aligned(rows, widths, left=2)
    top = f"某某局2024年度部门决算\n{title}\n单位：万元\n"
    return extract_disclosure(source_from_text(top + body, "fund_final.txt"), require_tables=False)


@pytest.mark.parametrize(("title", "kind"), [("政府性基金预算财政拨款收入支出决算表", "gov_fund_expenditure"),
                                           ("财政专户管理资金收入支出决算表", "special_account")])
@pytest.mark.parametrize("header", [_FUND_FINAL_HEADER, _FUND_FINAL_CENTRED])
@pytest.mark.parametrize("tabs", [False, True])
def test_a_fund_final_accounts_table_names_its_balances_and_checks_them(tabs, header, title, kind):
    disclosure = _fund_final("70.00", tabs, header, title)
    assert [t.kind for t in disclosure.tables] == [kind]
    table = disclosure.tables[0]
    welfare = table.frame[table.frame["code"] == "2296002"].iloc[0]
    assert [welfare[c] for c in ("opening_balance", "year_income", "total", "project", "closing_balance")] == [
        Decimal("50.00"), Decimal("200.00"), Decimal("180.00"), Decimal("180.00"), Decimal("70.00")]
    assert not any(c.startswith("col") for c in table.frame.columns)
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []
    closure = next(c for c in disclosure.closure if c.kind == kind)
    # 年初 + 收入 − 支出 = 年末 and 基本 + 项目 = 合计 on each of the 4 rows; children = parent in the 5 columns
    # printed (2 parents); 合计 = 类 rows in all 6
    assert (closure.checks, closure.failed) == (4 * 2 + 2 * 5 + 6, 0)


@pytest.mark.parametrize("tabs", [False, True])
def test_a_closing_balance_the_year_does_not_make_is_caught(tabs):
    mismatches = [n for n in _fund_final("75.00", tabs).notices
                  if n.code == "sum-mismatch" and "closing_balance" in n.message]
    assert [n.message.split(": ", 1)[1] for n in mismatches] == [
        "opening_balance + year_income − total = closing_balance: printed 75.00 万元, parts add up to 70.00 万元"] * 4
