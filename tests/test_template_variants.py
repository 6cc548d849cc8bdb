"""Variants of the national template that other provinces print and no dev document does (round 11): the unit in
a header cell or beside the title, a year between the preamble's organisation and its unit, negative figures in
parentheses, a 项目支出表's 项目类别 column, a 三公 table printed as rows beside last year's figures, tables printed
empty with "无" or with the note under them, a table continued under "续表" or "…(续)", a year in Chinese numerals,
and the 决算 template's 栏次 row and 行次 column. Each reads to the values printed, in 元."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.extract import extract_disclosure
from kg.ingest import source_from_text
from kg.records import Disclosure, TableClosure
from kg.tables.knowledge import knowledge
from kg.tables.titles import match_title
from tests.helpers import aligned, only

_HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
_ROWS = [["", "合计", "300.00", "200.00", "100.00"],
         ["201", "一般公共服务支出", "300.00", "200.00", "100.00"],
         ["20101", "人大事务", "300.00", "200.00", "100.00"],
         ["2010101", "行政运行", "200.00", "200.00", ""],
         ["2010102", "一般行政管理事务", "100.00", "", "100.00"]]
_WIDTHS = [10, 20, 16, 18, 18]


def _table(rows: list[list[str]], tabs: bool, widths: list[int] = _WIDTHS, left: int = 2) -> str:
    return ("\n".join("\t".join(r) for r in rows) + "\n") if tabs else aligned(rows, widths, left=left)


def _read(text: str, name: str = "variant.txt") -> Disclosure:
    return extract_disclosure(source_from_text(text, name), require_tables=False)


def _lines(disclosure: Disclosure) -> list[tuple[str, Decimal | None, Decimal | None, Decimal | None]]:
    return sorted((x.code, x.total, x.basic, x.project) for x in disclosure.expenditure_lines)


def _warnings(disclosure: Disclosure) -> list[str]:
    return [n.code for n in disclosure.notices if n.severity in ("warning", "error")]


_READ = [("201", Decimal("3000000.00"), Decimal("2000000.00"), Decimal("1000000.00")),
         ("20101", Decimal("3000000.00"), Decimal("2000000.00"), Decimal("1000000.00")),
         ("2010101", Decimal("2000000.00"), Decimal("2000000.00"), None),
         ("2010102", Decimal("1000000.00"), None, Decimal("1000000.00"))]


@pytest.mark.parametrize("tabs", [False, True])
def test_the_unit_printed_in_each_header_cell_names_the_columns_too(tabs):
    # "合计(万元)": the label is 合计, the unit the table's; before, the three amount columns read col2-col4
    header = ["科目编码", "科目名称", "合计(万元)", "基本支出（万元）", "项目支出(万元)"]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n" + _table([header, *_ROWS], tabs))
    table = only(disclosure.tables, "expenditure_summary")
    assert (table.unit, [c for c in table.frame.columns if c in ("total", "basic", "project")]) == (
        "万元", ["total", "basic", "project"])
    assert _lines(disclosure) == _READ
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_an_amount_column_headed_jin_e_yuan_is_the_total_in_yuan(tabs):
    rows = [["科目编码", "科目名称", "金额（元）"], ["", "合计", "3,000,000.00"],
            ["201", "一般公共服务支出", "3,000,000.00"], ["20101", "人大事务", "3,000,000.00"],
            ["2010101", "行政运行", "3,000,000.00"]]
    disclosure = _read("某某局2025年部门预算\n一般公共预算支出表\n" + _table(rows, tabs, [10, 20, 16]))
    table = only(disclosure.tables, "general_budget_expenditure")
    assert table.unit == "元"
    assert table.frame.loc[table.frame["code"] == "2010101", "total"].tolist() == [Decimal("3000000.00")]
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_a_unit_printed_on_the_titles_line_is_the_tables(tabs):
    # "部门支出总表      单位：元": before, the line was no title and the document had no table at all
    title = "部门支出总表\t单位：元" if tabs else "部门支出总表                                  单位：元"
    disclosure = _read(f"某某局2025年部门预算\n{title}\n" + _table([_HEADER, *_ROWS], tabs))
    table = only(disclosure.tables, "expenditure_summary")
    assert (table.title, table.unit) == ("部门支出总表", "元")
    assert [x.total for x in disclosure.expenditure_lines if x.code == "2010101"] == [Decimal("200.00")]
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("number", ["表1", "公开01表", "预算公开表一", "附表1-2"])
def test_a_tables_number_printed_on_the_titles_line_leaves_the_title(tabs, number):
    # "部门支出总表        公开01表" (the number at the page's top right, on the title's line): before, no table
    title = f"部门支出总表\t{number}" if tabs else f"部门支出总表                                  {number}"
    disclosure = _read(f"某某局2025年部门预算\n{title}\n单位：万元\n" + _table([_HEADER, *_ROWS], tabs))
    assert only(disclosure.tables, "expenditure_summary").title == "部门支出总表"
    assert _lines(disclosure) == _READ
    assert _warnings(disclosure) == []


def test_a_tables_number_in_a_cell_before_the_title_is_part_of_it():
    disclosure = _read("某某局2025年部门预算\n公开01表\t部门支出总表\n单位：万元\n" + _table([_HEADER, *_ROWS], True))
    assert only(disclosure.tables, "expenditure_summary").title == "公开01表部门支出总表"
    assert _lines(disclosure) == _READ


@pytest.mark.parametrize("preamble", ["编制单位：某某局              2025年              单位：万元",
                                      "编制单位：某某局              2025年度            金额单位：万元",
                                      "部门名称：某某局                                  单位：人民币万元"])
def test_the_preamble_states_the_unit_around_a_year_or_with_renminbi(preamble):
    disclosure = _read(f"某某局2025年部门预算\n部门支出总表\n{preamble}\n" + _table([_HEADER, *_ROWS], False))
    table = only(disclosure.tables, "expenditure_summary")
    assert (table.unit, table.frame.attrs["organisation"]) == ("万元", "某某局")
    assert _lines(disclosure) == _READ
    assert "unit-missing" not in _warnings(disclosure)


@pytest.mark.parametrize("negative", ["(20.00)", "（20.00）"])
def test_a_negative_figure_in_parentheses_is_read_and_checked(negative):
    rows = [["", "合计", "100.00", "120.00", negative], ["201", "一般公共服务支出", "100.00", "120.00", negative],
            ["20101", "人大事务", "100.00", "120.00", negative], ["2010101", "行政运行", "100.00", "120.00", negative]]
    disclosure = _read("某某局2024年度部门决算\n部门支出决算表\n单位：万元\n" + _table([_HEADER, *rows], False))
    assert [(x.total, x.basic, x.project) for x in disclosure.expenditure_lines if x.code == "2010101"] == [
        (Decimal("1000000.00"), Decimal("1200000.00"), Decimal("-200000.00"))]
    assert _warnings(disclosure) == []  # no bad-amount; 基本 + 项目 = 合计 closes


@pytest.mark.parametrize("tabs", [False, True])
def test_a_project_tables_category_column_is_not_the_projects_name(tabs):
    rows = [["项目类别", "项目名称", "立项依据", "合计", "一般公共预算", "政府性基金预算"],
            ["", "合计", "", "150.00", "100.00", "50.00"],
            ["专项业务类", "信息化建设", "某政办发〔2023〕12号", "100.00", "100.00", ""],
            ["其他事业发展类", "城乡社区维护", "某财预〔2024〕3号", "50.00", "", "50.00"]]
    disclosure = _read("某某局2025年部门预算\n项目支出表\n单位：万元\n"
                       + _table(rows, tabs, [14, 20, 24, 10, 14, 16], 3))
    assert sorted((p.name, p.total, p.basis) for p in disclosure.projects) == [
        ("信息化建设", Decimal("1000000.00"), "某政办发〔2023〕12号"),
        ("城乡社区维护", Decimal("500000.00"), "某财预〔2024〕3号")]
    table = only(disclosure.tables, "project_expenditure")
    assert table.frame["project_category"].tolist() == ["", "专项业务类", "其他事业发展类"]


_THREE_PUBLIC_READ = [("three_public", Decimal("360000.00")), ("outbound_travel", Decimal("100000.00")),
                      ("official_vehicles", Decimal("200000.00")), ("vehicle_purchase", Decimal("120000.00")),
                      ("vehicle_operation", Decimal("80000.00")), ("official_reception", Decimal("60000.00"))]


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("years", [("2024年预算数", "2025年预算数", "增减额"), ("上年预算数", "本年预算数", "增减"),
                                   ("上年预算数（万元）", "本年预算数（万元）", "增减（万元）")])
def test_a_three_public_table_printed_as_rows_beside_last_year_reads_this_years(tabs, years):
    # before, the first figure column (last year's 40.00) was read as the 三公 total
    rows = [["项目", *years], ["合计", "40.00", "36.00", "-4.00"], ["1、因公出国（境）费", "10.00", "10.00", "0.00"],
            ["2、公务用车购置及运行维护费", "24.00", "20.00", "-4.00"],
            ["其中：公务用车购置费", "12.00", "12.00", "0.00"], ["公务用车运行维护费", "12.00", "8.00", "-4.00"],
            ["3、公务接待费", "6.00", "6.00", "0.00"]]
    unit = "" if "万元" in years[0] else "单位：万元\n"
    disclosure = _read(f"某某局2025年部门预算\n“三公”经费支出预算表\n{unit}" + _table(rows, tabs, [30, 20, 20, 14], 1))
    assert [(f.item, f.amount) for f in disclosure.three_public] == _THREE_PUBLIC_READ
    table = only(disclosure.tables, "three_public")
    assert table.frame["change"].tolist()[:3] == [Decimal("-4.00"), Decimal("0.00"), Decimal("-4.00")]
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_tables_printed_empty_with_wu_or_a_note_under_them_are_empty(tabs):
    text = ("某某局2025年部门预算\n政府性基金预算支出表\n单位：万元\n" + _table([_HEADER], tabs)
            + "本部门2025年无政府性基金预算拨款安排的支出，故本表无数据。\n"
            + "国有资本经营预算支出表\n单位：万元\n" + _table([_HEADER[:3]], tabs) + "无\n"
            + "政府性基金预算收入表\n单位：万元\n" + _table([_HEADER[:3], ["", "无", ""]], tabs))
    disclosure = _read(text)
    assert [(t.kind, t.empty, len(t.frame)) for t in disclosure.tables] == [
        ("gov_fund_expenditure", True, 0), ("soe_capital", True, 0), ("gov_fund_income", True, 0)]
    assert _warnings(disclosure) == []  # no table-without-rows


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("again", ["续表", "部门支出总表（续）", "部门支出总表(续表)", "部门支出总表续表"])
def test_a_table_continued_under_xubiao_is_one_table(tabs, again):
    first, rest = _ROWS[:3], _ROWS[3:]
    text = ("某某局2025年部门预算\n部门支出总表\n单位：万元\n" + _table([_HEADER, *first], tabs) + "\n- 3 -\n\n"
            + f"{again}\n单位：万元\n" + _table([_HEADER, *rest], tabs))
    disclosure = _read(text)
    table = only(disclosure.tables, "expenditure_summary")
    assert table.frame["code"].tolist() == [None, "201", "20101", "2010101", "2010102"]  # the 合计 row has none
    assert _lines(disclosure) == _READ
    closure = next(c for c in disclosure.closure if c.kind == "expenditure_summary")
    assert (closure.checks, closure.failed) == (14, 0)  # 合计 = 类 rows across the page break
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("cover", ["某某县财政局\n二〇二五年部门预算", "某某县财政局二〇二五年部门预算公开",
                                   "某某县财政局\n二○二五年度部门预算", "某某县财政局\n二零二五年部门预算"])
def test_a_year_in_chinese_numerals_is_the_fiscal_year(cover):
    disclosure = _read(f"{cover}\n\n一、部门支出总表\n单位：万元\n" + _table([_HEADER, *_ROWS], False))
    assert (disclosure.department, disclosure.fiscal_year, disclosure.phase) == ("某某县财政局", 2025, "budget")
    cover_line = next(ln for ln in disclosure.source.lines if "年" in ln.raw)
    assert "2025年" in cover_line.text and "2025" not in cover_line.raw  # the raw line keeps what was printed


def test_a_title_in_chinese_numerals_is_read_with_its_year():
    disclosure = _read("某某县财政局二〇二四年度部门决算\n\n二〇二四年度部门支出决算表\n单位：万元\n"
                       + _table([_HEADER, *_ROWS], False))
    table = only(disclosure.tables, "expenditure_summary")
    assert (table.title, disclosure.fiscal_year, disclosure.phase) == ("2024年度部门支出决算表", 2024, "final")


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("numbers", [["栏次", "", "1", "2", "3"], ["甲", "乙", "1", "2", "3"]])
def test_the_final_accounts_column_number_row_is_no_row(tabs, numbers):
    header = ["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"]
    disclosure = _read("某某局2024年度部门决算\n支出决算表\n单位：万元\n" + _table([header, numbers, *_ROWS], tabs))
    table = only(disclosure.tables, "expenditure_summary")
    assert table.frame["name"].tolist() == ["合计", "一般公共服务支出", "人大事务", "行政运行", "一般行政管理事务"]
    assert _lines(disclosure) == _READ
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_the_final_accounts_row_numbers_are_no_amounts(tabs):
    # the central 决算 template's 收入支出决算总表: 项目 | 行次 | 金额 on each side, a 栏次 row under the header
    rows = [["项目", "行次", "金额", "项目", "行次", "金额"], ["栏次", "", "1", "栏次", "", "2"],
            ["一、一般公共预算财政拨款收入", "1", "100.00", "一、一般公共服务支出", "32", "80.00"],
            ["二、政府性基金预算财政拨款收入", "2", "", "二、教育支出", "33", "20.00"],
            ["本年收入合计", "6", "100.00", "本年支出合计", "63", "100.00"],
            ["收入总计", "10", "100.00", "支出总计", "70", "100.00"]]
    body = _table(rows, True) if tabs else aligned(rows, [30, 6, 10, 26, 6, 10], left=1, labels=frozenset({3}))
    disclosure = _read("某某局2024年度部门决算\n收入支出决算总表\n单位：万元\n" + body)
    table = only(disclosure.tables, "income_expenditure_summary")
    frame = table.frame
    assert list(frame["expenditure_item"]) == ["一、一般公共服务支出", "二、教育支出", "本年支出合计", "支出总计"]
    assert list(frame["row_number"]) == ["32", "33", "63", "70"]
    assert list(frame["income_row_number"]) == ["1", "2", "6", "10"]
    assert list(frame["expenditure_total"]) == [Decimal("80.00"), Decimal("20.00"), Decimal("100.00"),
                                                Decimal("100.00")]
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("title, kind", [("部门收支总表续表", "income_expenditure_summary"),
                                         ("表1:2025年某某局部门收支总表", "income_expenditure_summary"),
                                         ("附表一:部门支出总表(续)", "expenditure_summary")])
def test_numbered_and_continued_titles(title, kind):
    match = match_title(title, knowledge())
    assert match is not None and match.kind.kind == kind


@pytest.mark.parametrize("printed", ["晋财预〔2024年〕3号", "晋财预[2024年]第3号", "晋财预（２０２４年）３号"])
def test_a_doc_number_printing_nian_inside_its_brackets_is_normalised(printed):
    from kg.citations import RegionContext, extract_citations

    zezhou = RegionContext("山西省", "晋城市", "泽州县")
    (citation,) = extract_citations(f"《关于下达2024年专项资金的通知》（{printed}）", zezhou)
    assert (citation.doc_number, citation.printed_number, citation.title) == (
        "晋财预〔2024〕3号", printed, "关于下达2024年专项资金的通知")


def _centred(labels: list[str], width: int) -> str:
    """Labels each centred over ``width`` character columns of the page (a CJK character two columns wide)."""
    from kg.ingest.layout import display_width

    line = ""
    for k, label in enumerate(labels):
        start = k * width + (width - display_width(label)) // 2
        line += " " * max(start - len(line), 1 if line else 0) + label
    return line + "\n"


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("years_alone", [False, True])
def test_a_code_table_printing_each_years_block_reads_this_years(tabs, years_alone):
    # 2024年预算数 over 合计 | 基本支出 | 项目支出, then 2025年预算数 over the same: before, 2024's were read; a line of
    # bare years ("2024年 | 2025年") over the whole header is the header's, not the preamble's
    if years_alone:
        top = ["", "", "2024年", "", "", "2025年", "", ""]
        low = ["科目编码", "科目名称", "合计", "基本支出", "项目支出", "合计", "基本支出", "项目支出"]
    else:
        top = ["科目编码", "科目名称", "2024年预算数", "", "", "2025年预算数", "", ""]
        low = ["", "", "合计", "基本支出", "项目支出", "合计", "基本支出", "项目支出"]
    last_year = [["280.00", "190.00", "90.00"]] * 3 + [["190.00", "190.00", ""], ["90.00", "", "90.00"]]
    rows = [[r[0], r[1], *old, *r[2:]] for r, old in zip(_ROWS, last_year, strict=True)]
    body = _table([top, low, *rows], tabs, [10, 20, 12, 10, 10, 12, 10, 10])
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n" + body)
    assert _lines(disclosure) == _READ
    table = only(disclosure.tables, "expenditure_summary")
    assert table.frame.loc[table.frame["code"] == "2010101", ["total_2024", "total"]].values.tolist() == [
        [Decimal("190.00"), Decimal("200.00")]]
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_a_three_public_table_printing_each_years_block_of_items_reads_this_years(tabs):
    items = ["合计", "因公出国(境)费", "公务用车购置及运行费", "", "", "公务接待费"] * 2
    parts = ["", "", "小计", "公务用车购置费", "公务用车运行费", ""] * 2
    figures = ["40.00", "10.00", "24.00", "12.00", "12.00", "6.00", "36.00", "10.00", "20.00", "12.00", "8.00", "6.00"]
    widths = [8, 16, 22, 16, 16, 12] * 2
    if tabs:
        body = _table([["2024年预算数", "", "", "", "", "", "2025年预算数"], items, parts, figures], True)
    else:  # each year centred over its block of items
        body = _centred(["2024年预算数", "2025年预算数"], sum(w + 2 for w in widths) // 2) + aligned(
            [items, parts, figures], widths, left=0)
    disclosure = _read("某某局2025年部门预算\n“三公”经费支出预算表\n单位：万元\n" + body)
    assert [(f.item, f.amount) for f in disclosure.three_public] == _THREE_PUBLIC_READ
    assert _warnings(disclosure) == []  # no three-public-unread


@pytest.mark.parametrize("years", [("2024年预算数", "2025年预算数"), ("上年预算数", "本年预算数")])
def test_a_two_sided_summary_printing_last_year_beside_this_years_reads_this_years(years):
    rows = [["项目", *years, "项目", *years],
            ["一、一般公共预算拨款收入", "90.00", "100.00", "一、一般公共服务支出", "90.00", "100.00"],
            ["收入总计", "90.00", "100.00", "支出总计", "90.00", "100.00"]]
    disclosure = _read("某某局2025年部门预算\n部门收支总表\n单位：万元\n" + _table(rows, True))
    frame = only(disclosure.tables, "income_expenditure_summary").frame
    total = frame[frame["income_item"] == "收入总计"].iloc[0]
    assert (total["income_amount"], total["expenditure_total"]) == (Decimal("100.00"), Decimal("100.00"))
    assert _warnings(disclosure) == []


_SPLIT_ROWS = [["", "合计", "300.00", "150.00", "50.00", "100.00"],
               ["201", "一般公共服务支出", "300.00", "150.00", "50.00", "100.00"],
               ["20101", "人大事务", "300.00", "150.00", "50.00", "100.00"],
               ["2010101", "行政运行", "200.00", "150.00", "50.00", ""],
               ["2010102", "一般行政管理事务", "100.00", "", "", "100.00"]]


@pytest.mark.parametrize("tabs", [False, True])
def test_basic_expenditure_spanning_personnel_and_operating_is_their_sum(tabs):
    # 基本支出 printed over 人员经费 | 公用经费 and no 小计: before, the lines had no 基本支出 and 合计 went unchecked
    top = ["科目编码", "科目名称", "合计", "基本支出", "", "项目支出"]
    low = ["", "", "", "人员经费", "公用经费", ""]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n"
                       + _table([top, low, *_SPLIT_ROWS], tabs, [10, 20, 10, 10, 10, 10]))
    assert _lines(disclosure) == _READ
    closure = next(c for c in disclosure.closure if c.kind == "expenditure_summary")
    assert (closure.checks, closure.failed) == (17, 0)  # 合计 = 人员经费 + 公用经费 + 项目支出 on each of 5 rows


def test_a_misprinted_personnel_figure_is_caught_against_the_total():
    rows = [list(r) for r in _SPLIT_ROWS]
    rows[3][3] = "140.00"  # 行政运行: 140 + 50 is not its 200
    top = ["科目编码", "科目名称", "合计", "基本支出", "", "项目支出"]
    low = ["", "", "", "人员经费", "公用经费", ""]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n" + _table([top, low, *rows], True))
    assert [n.message.split(": ", 1)[1] for n in disclosure.notices if n.code == "sum-mismatch" and n.line == 9] == [
        "人员经费 + 公用经费 + 项目支出 = 合计: printed 200.00 万元, parts add up to 190.00 万元"]


# round 12 ---------------------------------------------------------------------------------------------------------

_ECONOMIC_HEADER = [["科目编码", "", "科目名称", "合计", "基本支出", "项目支出"], ["类", "款", "", "", "", ""]]
_ECONOMIC_ROWS = [["", "", "合计", "350.00", "250.00", "100.00"],
                  ["301", "", "工资福利支出", "200.00", "200.00", ""],
                  ["301", "01", "基本工资", "120.00", "120.00", ""],
                  ["301", "02", "津贴补贴", "80.00", "80.00", ""],
                  ["302", "", "商品和服务支出", "150.00", "50.00", "100.00"],
                  ["302", "01", "办公费", "70.00", "50.00", "20.00"],
                  ["302", "27", "委托业务费", "80.00", "", "80.00"]]


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("title", ["一般公共预算支出经济分类预算表",
                                   "2025年部门一般公共预算支出部门预算经济分类预算表",
                                   "表6 一般公共预算支出预算表(按经济分类)",
                                   "一般公共预算支出预算表（按部门预算支出经济分类）"])
def test_the_whole_general_budget_by_economic_code_is_a_kind_of_its_own(tabs, title):
    # before: table-unknown (its rows unread), or — "(按经济分类)" after the 功能 table's title — read as the
    # 一般公共预算支出表, whose rows stand in for the 支出总表's lines: 经济 codes 301, 30101 as 功能 codes
    body = _table([*_ECONOMIC_HEADER, *_ECONOMIC_ROWS], tabs, [6, 4, 20, 10, 10, 10], 3)
    disclosure = _read(f"某某局2025年部门预算\n{title}\n单位：万元\n" + body)
    table = only(disclosure.tables, "general_budget_economic")
    frame = table.frame
    assert [c for c in frame.columns if c not in ("line", "last_line", "code_as_printed")] == [
        "code", "name", "total", "basic", "project"]
    assert frame[["code", "total", "basic", "project"]].values.tolist()[4:] == [
        ["302", Decimal("150.00"), Decimal("50.00"), Decimal("100.00")],
        ["30201", Decimal("70.00"), Decimal("50.00"), Decimal("20.00")],
        ["30227", Decimal("80.00"), None, Decimal("80.00")]]
    assert disclosure.expenditure_lines == []  # 经济 codes are no 功能 lines
    closure = only_closure(disclosure, "general_budget_economic")
    # 基本 + 项目 = 合计 on 7 rows; 301 = its 款 (合计, 基本: none prints a 项目), 302 = its 款 (3 columns); 合计 = the
    # 类 rows (3 columns)
    assert (closure.checks, closure.failed) == (7 + 2 + 3 + 3, 0)
    assert _warnings(disclosure) == []


def only_closure(disclosure: Disclosure, kind: str) -> TableClosure:
    (closure,) = [c for c in disclosure.closure if c.kind == kind]
    return closure


def test_a_misprint_in_the_general_budget_by_economic_code_is_caught():
    rows = [list(r) for r in _ECONOMIC_ROWS]
    rows[5][4] = "40.00"  # 办公费's 基本支出: 40 + 20 is not its 70, and 302's 50 is not its 款's 40
    disclosure = _read("某某局2025年部门预算\n一般公共预算支出经济分类预算表\n单位：万元\n"
                       + _table([*_ECONOMIC_HEADER, *rows], True))
    assert sorted(n.message.split(": ", 1)[1] for n in disclosure.notices if n.code == "sum-mismatch") == [
        "302 basic = sum of its 5-digit codes: printed 50.00 万元, parts add up to 40.00 万元",
        "基本支出 + 项目支出 = 合计: printed 70.00 万元, parts add up to 60.00 万元"]


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("header, columns", [
    (["项目名称", "合计", "财政拨款", "其他资金"], ["appropriation_income", "other_funds"]),
    (["项目名称", "项目金额", "财政拨款资金", "其他资金"], ["appropriation_income", "other_funds"]),
    (["项目名称", "合计", "一般公共预算", "政府性基金预算", "其他资金"], ["general_budget", "gov_fund", "other_funds"]),
    (["项目名称", "预算金额", "财政拨款", "事业收入", "事业单位经营收入", "其他收入", "用事业基金弥补收支差额"],
     ["appropriation_income", "business_income", "operating_income", "other_income", "business_fund_offset"])])
def test_a_project_tables_fund_columns_are_named_and_add_up_to_its_total(tabs, header, columns):
    # before: 其他资金 and 用事业基金弥补收支差额 read col3 …, 项目金额 / 预算金额 left the table without a 合计 (the
    # project rows failed: "zip() argument 2 is shorter than argument 1", every project of the document lost)
    parts = len(columns)
    figures = {"信息化建设": Decimal("12.00"), "档案数字化": Decimal("8.00")}
    rows = [header, ["合计", f"{20 * parts}.00", *["20.00"] * parts],
            *([name, f"{each * parts}", *[f"{each}"] * parts] for name, each in figures.items())]
    disclosure = _read("某某局2025年部门预算\n项目支出表\n单位：万元\n"
                       + _table(rows, tabs, [12, 10, *[16] * parts], 1))
    frame = only(disclosure.tables, "project_expenditure").frame
    assert [c for c in frame.columns if c not in ("line", "last_line")] == ["name", "total", *columns]
    assert frame[columns[-1]].tolist() == [Decimal("20.00"), Decimal("12.00"), Decimal("8.00")]
    assert sorted((p.name, p.total) for p in disclosure.projects) == [
        ("信息化建设", Decimal("12.00") * parts * 10000), ("档案数字化", Decimal("8.00") * parts * 10000)]
    # each row's sources = 合计 (3 rows), the projects = the 合计 (one per amount column)
    closure = only_closure(disclosure, "project_expenditure")
    assert (closure.checks, closure.failed) == (3 + 1 + parts, 0)
    assert _warnings(disclosure) == []


def test_a_misprinted_other_funds_figure_is_caught_against_the_projects_total():
    rows = [["项目名称", "合计", "财政拨款", "其他资金"], ["合计", "100.00", "70.00", "30.00"],
            ["信息化建设", "60.00", "40.00", "25.00"], ["档案数字化", "40.00", "30.00", "10.00"]]
    disclosure = _read("某某局2025年部门预算\n项目支出表\n单位：万元\n" + _table(rows, True))
    assert sorted((n.line, n.message.split(": ", 1)[1]) for n in disclosure.notices if n.code == "sum-mismatch") == [
        (5, "合计 other_funds = its projects: printed 30.00 万元, parts add up to 35.00 万元"),
        (6, "sources = 合计: printed 60.00 万元, parts add up to 65.00 万元")]


_COVERS = [("2025年部门预算", None, 2025), ("2025年度部门预算公开", None, 2025),
           ("某某局\n2025年部门预算", "某某局", 2025), ("2024年度单位决算", None, 2024), ("部门预算", None, None)]


@pytest.mark.parametrize("gap", ["\n", "\n\n"])
@pytest.mark.parametrize("cover, department, year", _COVERS)
@pytest.mark.parametrize("title", ["部门支出总表", "2025年部门支出总表"])
def test_a_cover_line_above_the_first_title_is_no_piece_of_it(gap, cover, department, year, title):
    # before: "2025年部门预算" / "部门支出总表" was one wrapped title, "2025年部门预算部门支出总表", numbered as
    # the cover's line
    disclosure = _read(f"{cover}{gap}{title}\n单位：万元\n" + _table([_HEADER, *_ROWS], False))
    table = only(disclosure.tables, "expenditure_summary")
    assert (table.title, table.span.first_line) == (title, cover.count("\n") + gap.count("\n") + 1)
    title_year = 2025 if title.startswith("2025") else None  # a cover naming no year: the title's, if it has one
    assert (disclosure.department, disclosure.fiscal_year) == (department, year or title_year)
    assert _lines(disclosure) == _READ


def test_a_title_wrapped_after_a_budget_word_is_still_joined():
    # the guard: "2025年某某局一般公共预算" / "支出表" is one title wrapped, not a cover line over a title
    body = _table([_HEADER, *_ROWS], False)
    disclosure = _read("某某局2025年部门预算\n\n2025年某某局一般公共预算\n支出表\n单位：万元\n" + body)
    assert only(disclosure.tables, "general_budget_expenditure").title == "2025年某某局一般公共预算支出表"


_PARTS_HEADER = [["科目编码", "", "", "科目名称", "合计", "基本支出", "项目支出"],
                 ["类", "款", "项", "", "", "", ""]]
_PARTS_ROWS = [["201", "", "", "一般公共服务支出", "300.00", "200.00", "100.00"],
               ["", "01", "", "人大事务", "300.00", "200.00", "100.00"],
               ["", "", "01", "行政运行", "200.00", "200.00", ""],
               ["", "", "02", "一般行政管理事务", "100.00", "", "100.00"]]


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("mark", ["**", "*", "…", "＊＊"])
def test_stars_in_the_total_rows_code_cells_are_no_code(tabs, mark):
    # before (space-aligned): "** | ** | ** | 合计" made the code columns' layout, and every row under it read
    # `line-without-code` (no line at all), or the 款 "01" as a code of its own
    rows = [[mark, mark, mark, "合计", "300.00", "200.00", "100.00"], *_PARTS_ROWS]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n"
                       + _table([*_PARTS_HEADER, *rows], tabs, [6, 4, 4, 20, 10, 10, 10], 4))
    frame = only(disclosure.tables, "expenditure_summary").frame
    assert frame[["code", "name"]].values.tolist()[:2] == [[None, "合计"], ["201", "一般公共服务支出"]]
    assert _lines(disclosure) == _READ
    closure = only_closure(disclosure, "expenditure_summary")
    # 基本 + 项目 = 合计 (5 rows); 201 = its 款 and 20101 = its 项 (3 columns each); 合计 = the 类 rows (3 columns)
    assert (closure.checks, closure.failed) == (14, 0)
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("at", [0, -1])
def test_stars_in_a_one_column_code_are_no_amount(tabs, at):
    # before (space-aligned): "**" in the 科目编码 of the 合计 row, first or last, was a `bad-amount`
    total = ["**", "合计", "300.00", "200.00", "100.00"]
    rows = [total, *_ROWS[1:]] if at == 0 else [*_ROWS[1:], total]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n" + _table([_HEADER, *rows], tabs))
    assert _lines(disclosure) == _READ
    assert _warnings(disclosure) == []


def _grouped(code: str, separator: str) -> str:
    return separator.join(code[at:at + n] for at, n in ((0, 3), (3, 2), (5, 2)) if at < len(code))


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("separator", [".", "-", "．"])
def test_a_code_grouped_by_dots_or_dashes_is_the_code(tabs, separator):
    # "201.01.01" / "201-01": before, no line had a code (line-without-code), or "201.01" read as an amount
    rows = [[_grouped(r[0], separator) if r[0] else "", *r[1:]] for r in _ROWS]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n"
                       + _table([_HEADER, *rows], tabs, [12, 20, 16, 18, 18]))
    assert _lines(disclosure) == _READ
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("unit, factor", [("元", 1), ("万元", 10000)])
def test_figures_printing_their_unit_are_read_in_it(tabs, unit, factor):
    # "3,000,000.00元" in each amount cell, no unit line: before, a bad-amount per row and no amount at all
    rows = [[r[0], r[1], *(f"{Decimal(x) * 10000 // factor:,.2f}{unit}" if x else "" for x in r[2:])] for r in _ROWS]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n" + _table([_HEADER, *rows], tabs, [10, 20, 20, 20, 20]))
    assert only(disclosure.tables, "expenditure_summary").unit == unit
    assert _lines(disclosure) == _READ
    assert _warnings(disclosure) == []


def test_figures_printing_another_unit_than_the_tables_are_converted_with_a_notice():
    rows = [[r[0], r[1], *(f"{Decimal(x) * 10000:.2f}元" if x else "" for x in r[2:])] for r in _ROWS]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n" + _table([_HEADER, *rows], True))
    assert _lines(disclosure) == _READ  # each figure read in the 元 it prints, not as 万元
    assert [(n.code, n.line, n.severity) for n in disclosure.notices] == [("amount-unit-in-cell", 5, "info")]


@pytest.mark.parametrize("title", ["部门预算支出表", "2025年部门预算支出表", "某某局2025年单位预算支出表"])
def test_a_budget_expenditure_table_named_by_its_phase_first_is_the_expenditure_summary(title):
    # before: table-unknown (支出预算表 was read, 预算支出表 not)
    disclosure = _read(f"某某局2025年部门预算\n{title}\n单位：万元\n" + _table([_HEADER, *_ROWS], True))
    assert only(disclosure.tables, "expenditure_summary").title == title
    assert _lines(disclosure) == _READ


_INCOME_SOURCES = ["一般公共预算", "政府性基金预算", "国有资本经营预算", "单位资金"]


def _income_table(top: list[str], low: list[str], rows: list[list[str]], tabs: bool) -> Disclosure:
    widths = [10, 20, 10, *[16] * (len(top) - 3)]
    body = _table([top, low, *rows], True) if tabs else aligned([top, low, *rows], widths, left=2)
    return _read("某某局2025年部门预算\n部门收入总表\n单位：万元\n" + body)


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("with_carried_over", [True, False])
def test_an_income_table_printing_carried_over_after_the_sources_is_checked_as_its_total_adds_up(
        tabs, with_carried_over):
    # 合计 | 本年收入 (the sources) | 上年结转: the 合计 is printed with the 上年结转 in it (190) or without (170, the
    # 本年收入's); before, the first was a sum-mismatch on every row: the sources alone were held to the 合计
    top = ["科目编码", "科目名称", "合计", "本年收入", "", "", "", "上年结转"]
    low = ["", "", "", *_INCOME_SOURCES, ""]
    total, row = ("190.00", "150.00") if with_carried_over else ("170.00", "130.00")
    rows = [["", "合计", total, "100.00", "40.00", "", "30.00", "20.00"],
            ["201", "一般公共服务支出", row, "100.00", "", "", "30.00", "20.00"],
            ["212", "城乡社区支出", "40.00", "", "40.00", "", "", ""]]
    disclosure = _income_table(top, low, rows, tabs)
    frame = only(disclosure.tables, "income_summary").frame
    columns = ["total", "general_budget", "unit_funds", "carried_over"]
    assert frame.loc[frame["code"] == "201", columns].values.tolist() == [
        [Decimal(row), Decimal("100.00"), Decimal("30.00"), Decimal("20.00")]]
    closure = only_closure(disclosure, "income_summary")
    assert (closure.checks, closure.failed) == (9, 0)  # sources = 合计 (3 rows), 合计 = the 类 rows (6 columns)
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_an_income_table_printing_the_years_subtotal_checks_the_sources_against_it(tabs):
    # 合计 | 本年收入 (小计 | the sources) | 上年结转: the sources add up to the 小计, 小计 + 上年结转 to the 合计
    top = ["科目编码", "科目名称", "合计", "本年收入", "", "", "", "", "上年结转"]
    low = ["", "", "", "小计", *_INCOME_SOURCES, ""]
    rows = [["", "合计", "190.00", "170.00", "100.00", "40.00", "", "30.00", "20.00"],
            ["201", "一般公共服务支出", "150.00", "130.00", "100.00", "", "", "30.00", "20.00"],
            ["212", "城乡社区支出", "40.00", "40.00", "", "40.00", "", "", ""]]
    disclosure = _income_table(top, low, rows, tabs)
    frame = only(disclosure.tables, "income_summary").frame
    assert frame.loc[frame["code"] == "201", ["total", "year_income", "carried_over"]].values.tolist() == [
        [Decimal("150.00"), Decimal("130.00"), Decimal("20.00")]]
    closure = only_closure(disclosure, "income_summary")
    # sources = 本年收入 and 本年收入 + 上年结转 = 合计 (3 rows each), 合计 = the 类 rows (7 columns)
    assert (closure.checks, closure.failed) == (13, 0)
    rows[1][3] = "120.00"  # a misprinted 小计: its row's two sums and the 合计 row's say so
    disclosure = _income_table(top, low, rows, tabs)
    assert sorted(n.message.split(": ", 1)[1] for n in disclosure.notices if n.code == "sum-mismatch") == [
        "sources = 合计: printed 120.00 万元, parts add up to 130.00 万元",
        "year_income + carried_over = total: printed 150.00 万元, parts add up to 140.00 万元",
        "合计 year_income = sum of 类 rows: printed 170.00 万元, parts add up to 160.00 万元"]


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("item, printed", [
    ("outbound_travel", "1、因公出国(境)费用"), ("outbound_travel", "1、因公出国（境）经费"),
    ("outbound_travel", "1、出国（境）费"),
    ("official_vehicles", "2、公务用车购置和运行维护费"), ("official_vehicles", "2、公务用车费"),
    ("vehicle_operation", "（2）公务用车运行费"), ("official_reception", "3、公务接待费用")])
def test_a_three_public_tables_item_in_another_wording_is_read(tabs, item, printed):
    # before: three-public-unread (no item of the table was published)
    labels = {"outbound_travel": "1、因公出国（境）费", "official_vehicles": "2、公务用车购置及运行维护费",
              "vehicle_purchase": "其中：公务用车购置费", "vehicle_operation": "公务用车运行维护费",
              "official_reception": "3、公务接待费", item: printed}
    figures = {"outbound_travel": "10.00", "official_vehicles": "20.00", "vehicle_purchase": "12.00",
               "vehicle_operation": "8.00", "official_reception": "6.00"}
    rows = [["项目", "预算数"], ["合计", "36.00"], *([labels[k], figures[k]] for k in figures)]
    disclosure = _read("某某局2025年部门预算\n“三公”经费支出预算表\n单位：万元\n" + _table(rows, tabs, [30, 20], 1))
    assert [(f.item, f.amount) for f in disclosure.three_public] == _THREE_PUBLIC_READ
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("cover, department, year", [
    ("某某局部门预算", "某某局", None), ("某某局\n部门预算", "某某局", None), ("某某局单位预算", "某某局", None),
    ("2025年度部门预算\n某某局", "某某局", 2025), ("某某局2025年部门预算公开说明", "某某局", 2025)])
def test_a_cover_without_a_year_or_with_its_organisation_under_it_names_the_department(cover, department, year):
    # before: no department (a cover had to print a year), or "部门预算某某局" (the cover and the line under it
    # joined into the first table's title, read as its organisation)
    disclosure = _read(f"{cover}\n\n部门支出总表\n单位：万元\n" + _table([_HEADER, *_ROWS], False))
    assert (disclosure.department, disclosure.fiscal_year) == (department, year)
    assert only(disclosure.tables, "expenditure_summary").title == "部门支出总表"
    assert _lines(disclosure) == _READ


def test_a_cover_printing_its_year_wins_over_a_yearless_one_above_it():
    body = _table([_HEADER, *_ROWS], True)
    disclosure = _read("某某局部门预算\n某某局2025年部门预算\n\n部门支出总表\n单位：万元\n" + body)
    assert (disclosure.department, disclosure.fiscal_year, disclosure.title) == ("某某局", 2025, "某某局2025年部门预算")


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("header", [["科目编码", "科目名称", "支出合计", "基本支出", "项目支出"],
                                    ["科目编码", "科目名称", "合计", "基本支出合计", "项目支出合计"],
                                    ["科目编码", "科目名称", "预算数合计", "基本支出预算", "项目支出预算"],
                                    ["科目编码", "科目名称(功能分类)", "合计", "基本支出", "项目支出"],
                                    ["科目编号", "科目名称", "小计", "基本支出", "项目支出"],
                                    ["功能科目编码", "项目", "合计", "基本支出", "项目支出"]])
def test_a_code_tables_header_in_other_wordings_names_its_columns(tabs, header):
    # before: "支出合计", "基本支出合计" … named no column — the lines lost their 合计 or their 基本/项目 without a
    # warning —, and "科目名称(功能分类)" / "项目" beside the code no name column (orphan-amounts, no-name-column)
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n" + _table([header, *_ROWS], tabs))
    frame = only(disclosure.tables, "expenditure_summary").frame
    assert [c for c in frame.columns if c not in ("line", "last_line", "code_as_printed")] == [
        "code", "name", "total", "basic", "project"]
    assert frame["name"].tolist()[:2] == ["合计", "一般公共服务支出"]
    assert _lines(disclosure) == _READ
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_a_column_of_figures_under_an_unknown_header_is_said(tabs):
    # "拨付数": before, its figures reached no line and nothing said so
    header = ["科目编码", "科目名称", "合计", "基本支出", "拨付数"]
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：万元\n" + _table([header, *_ROWS], tabs))
    assert [(n.code, n.file, n.line) for n in disclosure.notices] == [("column-unnamed", "variant.txt", 2)]
    assert "column 5 headed '拨付数'" in disclosure.notices[0].message
    assert only(disclosure.tables, "expenditure_summary").frame["col4"].tolist()[:2] == [
        Decimal("100.00"), Decimal("100.00")]


@pytest.mark.parametrize("tabs", [False, True])
def test_a_rise_printed_with_its_plus_sign_is_an_amount(tabs):
    # "+2.00" in a 增减 column: before, a bad-amount and no figure
    rows = [["项目", "上年预算数", "本年预算数", "增减"], ["合计", "34.00", "36.00", "+2.00"],
            ["1、因公出国（境）费", "10.00", "10.00", "0.00"],
            ["2、公务用车购置及运行维护费", "18.00", "20.00", "＋2.00"],
            ["其中：公务用车购置费", "12.00", "12.00", "0.00"], ["公务用车运行维护费", "6.00", "8.00", "+2.00"],
            ["3、公务接待费", "6.00", "6.00", "0.00"]]
    body = _table(rows, tabs, [30, 20, 20, 14], 1)
    disclosure = _read("某某局2025年部门预算\n“三公”经费支出预算表\n单位：万元\n" + body)
    assert [(f.item, f.amount) for f in disclosure.three_public] == _THREE_PUBLIC_READ
    assert only(disclosure.tables, "three_public").frame["change"].tolist()[:3] == [
        Decimal("2.00"), Decimal("0.00"), Decimal("2.00")]
    assert _warnings(disclosure) == []
