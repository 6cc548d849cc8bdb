"""Figures the 说明 states, checked against the tables read (kg/entities/statements.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.extract import extract_disclosure, extract_file
from kg.ingest import source_from_text
from tests.helpers import dev_document

FINANCE = "sh_putuo_finance_bureau_2024_final"


def _checks(disclosure) -> dict[tuple[int, str], tuple[Decimal, Decimal, bool]]:
    return {(c.line, c.what): (c.stated, c.printed, c.agree) for c in disclosure.text_checks}


@pytest.mark.parametrize("form, line, total_line", [("text", 568, 550), ("pdf", 405, 395)])
def test_the_published_finance_bureau_accounts_misstate_their_appropriation_total(form, line, total_line):
    # the 说明 of the published 决算 says 财政拨款收入支出总计0.3万元; its 财政拨款收入支出决算总表 prints 2,961.68
    disclosure = extract_file(dev_document(FINANCE, form))
    checks = _checks(disclosure)
    assert checks[(line, "财政拨款收入支出总计")] == (Decimal("3000.0"), Decimal("29616800.00"), False)
    assert checks[(total_line, "收入支出总计")] == (Decimal("29953900.00"), Decimal("29953900.00"), True)
    differs = [n for n in disclosure.notices if n.code == "text-differs"]
    assert [n.line for n in differs] == [line] and "29616800.00 元" in differs[0].message


def test_the_tampered_accounts_state_a_zero_total():
    checks = _checks(extract_file(dev_document(f"{FINANCE}_tampered")))
    assert checks[(358, "收入支出总计")] == (Decimal("0"), Decimal("29953900.00"), False)
    assert checks[(369, "财政拨款收入支出总计")][2]  # the tampered copy states 2961.68 there, as the table


def test_a_final_accounts_text_is_read_for_its_final_figure_not_its_budget():
    # "一般公共预算财政拨款支出年初预算为2993.92万元，支出决算为2940.05万元": the 2993.92 is no statement
    checks = _checks(extract_file(dev_document(FINANCE)))
    assert all(stated != Decimal("29939200.00") for stated, _, _ in checks.values())
    assert checks[(578, "一般公共预算财政拨款支出")] == (Decimal("29400500.00"), Decimal("29400500.00"), True)


def test_a_code_path_is_compared_with_its_row_to_the_printed_digit():
    # "“一般公共服务支出（类）商贸事务（款）行政运行（项）”938.99万元" against 2013801's 9,389,913 元
    checks = _checks(extract_file(dev_document("sh_putuo_commerce_2025_dept")))
    assert checks[(114, "一般公共服务支出(类)商贸事务(款)行政运行(项)")] == (
        Decimal("9389900.00"), Decimal("9389913"), True)
    assert len(checks) == 21 and all(agree for _, _, agree in checks.values())


def test_a_class_stated_for_all_funds_is_the_summary_tables_line():
    # "1．公共安全（类）支出 13656.34 万元" is the 收支总表's 四、公共安全支出, not the 财政拨款 tables' 13,641.34
    disclosure = extract_file(dev_document("js_procuratorate_2017_dept"))
    checks = _checks(disclosure)
    assert checks[(806, "公共安全(类)")] == (Decimal("136563400.00"), Decimal("136563400.00"), True)
    assert not [n for n in disclosure.notices if n.code == "text-differs" and "公共安全" in n.message]


DOCUMENT = """\
一、部门收支总表
单位：万元
收入\t\t支出
项目\t预算数\t项目\t预算数
一、一般公共预算拨款收入\t90.00\t一般公共服务支出\t100.00
二、其他资金\t10.00
收入总计\t100.00\t支出总计\t100.00
二、部门支出总表
单位：万元
科目编码\t科目名称\t合计\t基本支出\t项目支出
201\t一般公共服务支出\t100.00\t60.00\t40.00
20101\t人大事务\t70.00\t60.00\t10.00
2010101\t行政运行\t60.00\t60.00\t0.00
2010102\t一般行政管理事务\t10.00\t0.00\t10.00
20103\t政府办公厅（室）及相关机构事务\t30.00\t0.00\t30.00
2010301\t行政运行\t30.00\t0.00\t30.00
合计\t\t100.00\t60.00\t40.00

第三部分 情况说明
{text}
"""


def _text_checks(text: str) -> tuple[list, list]:
    disclosure = extract_disclosure(source_from_text(DOCUMENT.format(text=text), "stated.txt"))
    return disclosure.text_checks, [n for n in disclosure.notices if n.code == "text-differs"]


def test_statements_in_yuan_and_wan_yuan_and_a_misstated_path():
    checks, differs = _text_checks("收入预算总计 1,000,000 元。其中：其他资金收入预算总计 10 万元。\n"
                                   "一般公共服务支出（类）人大事务（款）一般行政管理事务（项）12.00万元。")
    assert [(c.what, c.stated, c.agree) for c in checks] == [
        ("收入支出总计", Decimal("1000000"), True),
        ("一般公共服务支出(类)人大事务(款)一般行政管理事务(项)", Decimal("120000.00"), False)]
    assert [n.line for n in differs] == [21]


def test_changes_parts_and_ambiguous_paths_are_not_statements():
    # a change, a part of the total (其他资金), and a 项 named alone that two 款 print: nothing to compare
    checks, differs = _text_checks("收入支出总计减少56.95万元。\n其他资金收入预算总计 10 万元。\n"
                                   "行政运行（项）55.00万元。")
    assert checks == [] and differs == []


def test_income_sources_and_the_basic_project_split_are_checked():
    # a source is a row of the 收支总表 ("一、一般公共预算拨款收入"); 基本/项目支出 are columns of the 支出总表's 合计
    checks, differs = _text_checks(
        "收入预算总计100万元，其中：一般公共预算拨款收入90万元。支出预算中，基本支出60万元，项目支出45万元。\n"
        "比上年增加基本支出5万元。2025年编报部门整体支出绩效目标，涉及部门预算资金100万元，其中基本支出0万元。")
    assert [(c.what, c.stated, c.printed, c.agree) for c in checks] == [
        ("收入支出总计", Decimal("1000000"), Decimal("1000000.00"), True),
        ("一般公共预算收入", Decimal("900000"), Decimal("900000.00"), True),
        ("基本支出", Decimal("600000"), Decimal("600000.00"), True),
        ("项目支出", Decimal("450000"), Decimal("400000.00"), False)]  # the change and the 绩效 funds: not read
    assert [n.line for n in differs] == [20] and "项目支出 450000.00 元" in differs[0].message


def test_a_source_stated_as_zero_agrees_with_its_blank_row():
    # Putuo commerce 2025 line 107: "事业收入0万元；事业单位经营收入0万元；其他收入0万元", rows printed blank
    checks = _checks(extract_file(dev_document("sh_putuo_commerce_2025_dept")))
    assert checks[(106, "财政拨款收入")] == (Decimal("371514700.00"), Decimal("371514655.00"), True)
    assert checks[(107, "事业收入")] == (Decimal("0"), Decimal("0"), True)
    assert checks[(107, "其他收入")] == (Decimal("0"), Decimal("0"), True)


def test_the_procuratorate_states_its_basic_spending_two_ways():
    # js_procuratorate_2017 line 812 "基本支出预算数为 12323.46 万元"; line 830 and the tables: 12,323.48
    disclosure = extract_file(dev_document("js_procuratorate_2017_dept"))
    checks = _checks(disclosure)
    assert checks[(812, "基本支出")] == (Decimal("123234600.00"), Decimal("123234800.00"), False)
    assert checks[(830, "基本支出")][2] and checks[(831, "项目支出")] == (
        Decimal("55330000"), Decimal("55330000.00"), True)
    assert [n.line for n in disclosure.notices if n.code == "text-differs"] == [812]


@pytest.mark.parametrize("form, wrong", [("text", [396, 425, 434]), ("pdf", [344, 373, 382])])
def test_final_accounts_saying_the_wrong_way_round(form, wrong):
    # the tampered copy turns three "决算数小于预算数" into 大于 / 等于: "年初预算为 1560.05 万元，支出决算为
    # 1511.89 万元。 决算数大于预算数的主要原因…"; the five others still agree with their figures
    disclosure = extract_file(dev_document(f"{FINANCE}_tampered", form))
    relations = [c for c in disclosure.text_checks if c.kind == "relation"]
    assert len(relations) == 8 and [c.line for c in relations if not c.agree] == wrong
    first = next(c for c in relations if c.line == wrong[0])
    assert (first.what, first.stated, first.printed) == ("决算数大于预算数", Decimal("15118900.00"),
                                                         Decimal("15600500.00"))
    assert [n.line for n in disclosure.notices if n.code == "text-differs" and "预算数" in n.message] == wrong


def test_the_published_accounts_say_it_the_right_way_round():
    relations = [c for c in extract_file(dev_document(FINANCE)).text_checks if c.kind == "relation"]
    assert len(relations) == 6 and all(c.agree for c in relations)


@pytest.mark.parametrize("form, lines", [("text", "354, 509"), ("pdf", "306, 454")])
def test_a_heading_and_a_year_end_of_another_year(form, lines):
    # the tampered copy's "第三部分 …2023 年度部门决算情况说明" and "截至2023年12月31日" in a 2024 决算
    disclosure = extract_file(dev_document(f"{FINANCE}_tampered", form))
    years = [n for n in disclosure.notices if n.code == "year-differs"]
    assert len(years) == 1 and f"name 2023 as its year (lines {lines})" in years[0].message


def test_the_published_accounts_name_only_their_own_year():
    assert not [n for n in extract_file(dev_document(FINANCE)).notices if n.code == "year-differs"]


NO_UNITS = """\
一、部门收支总表
收入\t\t支出
项目\t预算数\t项目\t预算数
一、一般公共预算拨款收入\t1,000,000.00\t一般公共服务支出\t1,000,000.00
收入总计\t1,000,000.00\t支出总计\t1,000,000.00
二、部门支出总表
科目编码\t科目名称\t合计\t基本支出\t项目支出
201\t一般公共服务支出\t1,000,000.00\t600,000.00\t400,000.00
合计\t\t1,000,000.00\t600,000.00\t400,000.00

第三部分 情况说明
{text}
"""


def test_tables_printing_no_unit_are_read_in_the_unit_the_text_agrees_with():
    # no table states its unit; the 说明's "收入预算总计100万元" and "一般公共服务支出（类）100万元" agree with
    # the tables read in 元 (1,000,000.00), not in the default 万元
    disclosure = extract_disclosure(source_from_text(
        NO_UNITS.format(text="收入预算总计100万元。一般公共服务支出（类）100万元。"), "units.txt"))
    assert [t.unit for t in disclosure.tables] == ["元", "元"]
    assert [n.code for n in disclosure.notices if n.code.startswith("unit-")] == ["unit-from-text"] * 2
    assert all(c.agree for c in disclosure.text_checks) and len(disclosure.text_checks) == 2
    assert disclosure.expenditure_lines[0].total == Decimal("1000000.00")


def test_without_a_statement_the_unit_stays_a_warning():
    disclosure = extract_disclosure(source_from_text(NO_UNITS.format(text="本部门无其他说明。"), "units.txt"))
    assert [t.unit for t in disclosure.tables] == ["万元", "万元"]
    assert [n.code for n in disclosure.notices if n.code.startswith("unit-")] == ["unit-missing"] * 2


def test_each_final_figure_against_the_row_of_the_code_named_before_it():
    # "1、一般公共服务支出（类）财政事务（款）行政运行（项）。主要用于：…。年初预算为 1560.05 万元，支出决算为
    # 1511.89 万元" — the 决算数 against that 项's row (1,511.90: within the text's last digit)
    checks = extract_file(dev_document(f"{FINANCE}_tampered")).text_checks
    finals = [c for c in checks if c.what.endswith(" 决算数")]
    assert len(finals) == 10 and all(c.agree for c in finals)
    first = finals[0]
    assert (first.line, first.what, first.stated, first.printed) == (
        396, "一般公共服务支出(类)财政事务(款)行政运行(项) 决算数", Decimal("15118900.00"), Decimal("15119000.00"))
    # the 一般公共预算财政拨款支出's own 年初预算/决算 follow a 类 stated with its figure: no 科目 is taken for them
    assert not [c for c in finals if c.line == 390]


def test_a_final_figure_stated_otherwise_than_its_row():
    text = ("\n1、一般公共服务支出（类）人大事务（款）行政运行（项）。主要用于：机关运行。年初预算为60.00万元，"
            "支出决算为55.00万元。决算数小于预算数的主要原因：节约。")
    source = source_from_text(DOCUMENT.format(text=text).replace("部门收支总表", "收入支出决算总表").replace(
        "部门支出总表", "支出决算表"), "final.txt")
    disclosure = extract_disclosure(source)
    assert disclosure.phase == "final"
    finals = [(c.what, c.stated, c.printed, c.agree) for c in disclosure.text_checks]
    assert finals == [("一般公共服务支出(类)人大事务(款)行政运行(项) 决算数", Decimal("550000.00"),
                       Decimal("600000.00"), False),
                      ("决算数小于预算数", Decimal("550000.00"), Decimal("600000.00"), True)]


def test_a_heading_run_into_a_path_leaves_the_path_read():
    # no blank line after the heading: the paragraph reads "…情况说明一般公共服务支出（类）…", whose last words
    # are the one 类 the table prints
    checks, differs = _text_checks("（一）一般公共预算支出情况说明\n"
                                   "一般公共服务支出（类）人大事务（款）行政运行（项）60.00万元。")
    assert [(c.stated, c.printed, c.agree) for c in checks] == [
        (Decimal("600000.00"), Decimal("600000.00"), True)]
    assert differs == []
