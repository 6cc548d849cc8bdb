"""The standard tables of the two real Jiangsu PDFs (another province, another template).

Values are read from ../shared/pdf-samples/jiangsu-npc-office-2019.pdf (read in place; skipped when absent)
as kg.ingest renders it (line numbers are those of the rendered text). The 2018 CPPCC disclosure prints no
table at all: its tables were published as a separate attachment, which the document says.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.entities.budget import check_closure, check_sums, expenditure_lines, project_rows
from kg.ingest import read_source, source_from_text
from kg.records import SourceDocument, Table
from kg.tables import find_tables
from tests.helpers import dev_document, only, row

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "pdf-samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tables"

NPC_KINDS_IN_ORDER = [
    "income_expenditure_summary", "income_summary", "expenditure_summary", "fiscal_appropriation_summary",
    "fiscal_appropriation_expenditure", "fiscal_appropriation_basic_economic", "general_budget_expenditure",
    "basic_expenditure_economic", "three_public", "gov_fund_expenditure", "admin_operating", "gov_procurement",
]


def fixture(name: str, replace: tuple[str, str] | None = None) -> SourceDocument:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if replace is not None:
        assert replace[0] in text
        text = text.replace(*replace)
    return source_from_text(text, name=name)


@pytest.fixture(scope="module")
def npc() -> tuple[list[Table], list]:
    if not SAMPLES.is_dir():
        pytest.skip("../shared/pdf-samples not present")
    return find_tables(read_source(SAMPLES / "jiangsu-npc-office-2019.pdf"))


def test_every_npc_table_is_found_in_order_with_unit_and_department(npc):
    tables, notices = npc
    assert [t.kind for t in tables] == NPC_KINDS_IN_ORDER
    assert {t.unit for t in tables} == {"万元"}
    assert {t.frame.attrs["organisation"] for t in tables} == {"江苏省人大常委会办公厅"}
    assert only(tables, "gov_procurement").title == "2019年政府采购预算表"
    # the "公开表N" label under each title is furniture, never a header or a row
    assert not any("公开表" in h for t in tables for h in t.frame.attrs["header"])
    assert not [n for n in notices if n.severity != "info"]


@pytest.mark.parametrize("kind", ["fiscal_appropriation_expenditure", "general_budget_expenditure"])
def test_functional_tables(npc, kind):
    table = only(npc[0], kind)
    assert list(table.frame.columns[:5]) == ["line", "last_line", "code", "name", "total"]
    assert row(table, code="2010101")["name"] == "行政运行"
    assert row(table, code="2010101")["total"] == Decimal("7448.20")
    assert row(table, code="2080505")["total"] == Decimal("607.10")
    assert row(table, code="2210202")["name"] == "提租补贴"
    assert row(table, name="合计")["total"] == Decimal("18330.37")
    assert len(table.frame) == 21  # 合计 + 20 coded rows


@pytest.mark.parametrize(("kind", "line"), [("fiscal_appropriation_basic_economic", 104),
                                            ("basic_expenditure_economic", 160)])
def test_economic_tables(npc, kind, line):
    table = only(npc[0], kind)
    salary = row(table, code="30101")
    assert (salary["name"], salary["total"], salary["line"]) == ("基本工资", Decimal("1258.23"), line)
    assert row(table, code="30309")["total"] == Decimal("0.79")
    assert row(table, name="合计")["total"] == Decimal("9312.90")


def test_summary_has_three_sides(npc):
    table = only(npc[0], "income_expenditure_summary")
    assert list(table.frame.columns) == ["line", "last_line", "income_item", "income_amount", "expenditure_item",
                                         "expenditure_total", "use_item", "use_amount"]
    first = row(table, line=8)
    assert (first["income_item"], first["income_amount"]) == ("一、财政拨款", Decimal("18330.37"))
    assert (first["expenditure_item"], first["expenditure_total"]) == ("一、一般公共服务支出", Decimal("13907.78"))
    assert (first["use_item"], first["use_amount"]) == ("一、基本支出", Decimal("9312.90"))
    assert row(table, expenditure_item="十八、住房保障支出")["expenditure_total"] == Decimal("3301.20")
    assert row(table, use_item="三、单位预留机动经费")["use_amount"] == Decimal("2557.89")
    total = row(table, income_item="收入合计")
    assert (total["income_amount"], total["use_amount"]) == (Decimal("18330.37"), Decimal("18330.37"))
    # 支出合计 is printed centred over both 支出 sides: it lands in one of their item columns
    assert "支出合计" in (total["expenditure_item"], total["use_item"])


def test_income_summary_keeps_the_merged_source_label(npc):
    table = only(npc[0], "income_summary")
    assert list(table.frame.columns) == ["line", "last_line", "name", "name_detail", "total"]
    grant = row(table, name_detail="公共财政拨款(补助)资金")
    assert (grant["name"], grant["total"], grant["line"]) == ("一般公共预算资金", Decimal("18330.37"), 39)
    assert row(table, name="收入总计")["total"] == Decimal("18330.37")
    assert row(table, name_detail="专户管理教育收费")["name"] == "财政专户管理资金"


def test_expenditure_summary_is_one_row_by_use(npc):
    table = only(npc[0], "expenditure_summary")
    assert table.frame.attrs["header"] == ["合计\t基本支出\t项目支出\t单位预留机动经费\t结转下年资金"]
    (record,) = table.frame.to_dict("records")
    assert (record["total"], record["basic"], record["project"], record["reserve"], record["carried_forward"]) == (
        Decimal("18330.37"), Decimal("9312.90"), Decimal("6459.58"), Decimal("2557.89"), None)


def test_fiscal_summary_two_sides(npc):
    table = only(npc[0], "fiscal_appropriation_summary")
    assert row(table, expenditure_item="二、项目支出")["expenditure_total"] == Decimal("6459.58")
    assert row(table, income_item="一、一般公共预算")["income_amount"] == Decimal("18330.37")
    assert row(table, income_item="收入合计")["expenditure_total"] == Decimal("18330.37")


def test_three_public_row_columns_named_after_their_groups(npc):
    (record,) = only(npc[0], "three_public").frame.to_dict("records")
    assert {k: v for k, v in record.items() if k not in ("line", "last_line")} == {
        "total": Decimal("2600.71"), "three_public": Decimal("767.60"), "outbound_travel": Decimal("199.25"),
        "official_vehicles": Decimal("183.60"), "vehicle_purchase": None, "vehicle_operation": Decimal("183.60"),
        "official_reception": Decimal("384.75"), "meetings": Decimal("1469.73"), "training": Decimal("363.38")}


def test_admin_operating_and_empty_fund_table(npc):
    tables, notices = npc
    admin = only(tables, "admin_operating")
    assert row(admin, code="30231")["total"] == Decimal("183.60")
    assert row(admin, name="合计")["total"] == Decimal("1642.08")
    fund = only(tables, "gov_fund_expenditure")
    assert fund.empty and fund.frame.empty
    assert any(n.code == "table-empty" and n.line == 196 for n in notices)


def test_procurement_is_typed_when_its_header_is_known(npc):
    table = only(npc[0], "gov_procurement")
    assert row(table, procurement_category="合计")["total"] == Decimal("2416.43")
    meeting = row(table, special_item="江苏省第十三届人代会二次会议经费")  # wrapped cell re-joined
    assert (meeting["economic_name"], meeting["total"]) == ("会议费", Decimal("1035.00"))
    desktops = row(table, procurement_item="台式计算机(20万以下)")
    assert (desktops["procurement_method"], desktops["total"]) == ("分散自行组织", Decimal("17.92"))


def test_expenditure_lines_come_from_the_functional_table_with_a_notice(npc):
    lines, notices = expenditure_lines(npc[0])
    assert len(lines) == 20
    running = next(x for x in lines if x.code == "2010101")
    assert (running.name, running.total, running.basic, running.project) == (
        "行政运行", Decimal("74482000.00"), None, None)
    assert (running.printed_unit, running.span.first_line) == ("万元", 79)
    assert sum(x.total for x in lines if len(x.code) == 3) == Decimal("183303700.00")
    (notice,) = notices
    assert notice.code == "expenditure-lines-from-stand-in" and notice.severity == "info"
    assert "财政拨款支出预算表(功能科目)" in notice.message
    assert project_rows(npc[0]) == ([], [])  # Jiangsu prints no 项目支出表


def test_sum_checks_pass_on_the_npc_tables(npc):
    assert check_sums(npc[0]) == []


# --- traps, on small fixtures cut from the PDF text ------------------------------------------------

def test_header_starting_with_he_ji_is_a_header_not_a_row():
    tables, _ = find_tables(fixture("jiangsu_summary_three_sides.txt"))
    table = only(tables, "expenditure_summary")
    assert len(table.frame) == 1 and table.frame["line"].iat[0] == 61


def test_reserve_counts_in_the_expenditure_total_and_a_real_mismatch_is_reported():
    clean, _ = find_tables(fixture("jiangsu_summary_three_sides.txt"))
    assert check_sums(clean) == []
    # 基本支出 9,312.90 → 9,300.00 in the 支出预算总表 row (line 61)
    altered, _ = find_tables(fixture("jiangsu_summary_three_sides.txt",
                                     ("18,330.37\t9,312.90", "18,330.37\t9,300.00")))
    (notice,) = check_sums(altered)
    assert (notice.line, notice.code, notice.severity) == (61, "sum-mismatch", "warning")
    assert "单位预留机动经费" in notice.message and "18317.47" in notice.message


def test_income_total_is_compared_with_the_side_that_prints_it():
    # 收入合计 18,330.37 vs the 支出用途 side's 支出合计 (line 32), changed to 18,300.37
    altered, _ = find_tables(fixture("jiangsu_summary_three_sides.txt",
                                     ("支出合计\t\t\t18,330.37", "支出合计\t\t\t18,300.37")))
    notices = check_sums(altered)
    assert [(n.line, n.code) for n in notices] == [(32, "sum-mismatch")]
    assert "use_amount" in notices[0].message


def test_three_public_parts_are_checked():
    # 公务接待费 384.75 → 380.75: the “三公” subtotal 767.60 no longer adds up
    tables, _ = find_tables(fixture("jiangsu_income_three_public_empty.txt", ("\t384.75\t", "\t380.75\t")))
    notices = check_sums(tables)
    assert [(n.line, n.code) for n in notices] == [(30, "sum-mismatch")]  # the row under the header
    assert "official_reception" in notices[0].message and "763.60" in notices[0].message


def test_merged_label_column_and_empty_table_on_fixture():
    tables, notices = find_tables(fixture("jiangsu_income_three_public_empty.txt"))
    assert [t.kind for t in tables] == ["income_summary", "three_public", "gov_fund_expenditure"]
    income = only(tables, "income_summary")
    assert row(income, name_detail="专户管理教育收费")["name"] == "财政专户管理资金"
    assert not [n for n in notices if n.code == "bad-amount"]
    assert only(tables, "gov_fund_expenditure").empty


def test_document_whose_tables_are_attached_says_so():
    tables, notices = find_tables(fixture("jiangsu_tables_attached.txt"))
    assert tables == []  # the table of contents ("一、收支预算总表") is not a table
    (notice,) = notices
    assert (notice.code, notice.line, notice.severity) == ("tables-published-separately", 25, "warning")
    assert "公开表附后" in notice.message


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/pdf-samples not present")
def test_cppcc_pdf_has_no_table_and_points_to_its_attachment():
    tables, notices = find_tables(read_source(SAMPLES / "jiangsu-cppcc-office-2018.pdf"))
    assert tables == []
    assert [(n.code, n.line) for n in notices] == [("tables-published-separately", 137)]


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_a_two_sided_final_summary_runs_to_its_total(form):
    # 上海市普陀区财政局 2024 决算, 财政拨款收入支出决算总表: "二、政府性基金预算财政拨" at the margin is the next
    # item of the income side (after "一、一般公共预算财政拨款"), not a section heading, so the table runs to 总计
    path = dev_document("sh_putuo_finance_bureau_2024_final", form)
    tables, notices = find_tables(read_source(path))
    frame = only(tables, "fiscal_appropriation_summary").frame
    total = frame[frame["income_item"] == "总计"].iloc[0]
    assert total["income_amount"] == Decimal("2961.68") and total["expenditure_total"] == Decimal("2961.68")
    housing = frame[frame["expenditure_item"] == "十九、住房保障支出"].iloc[0]
    assert housing["expenditure_total"] == Decimal("445.69")
    assert not any(n.code == "bad-amount" for n in notices)


def test_a_pause_mark_printed_low_stays_on_its_line():
    # the same PDF boxes 、 in the lower half of the em: "一" and "、" must not land on two lines
    path = dev_document("sh_putuo_finance_bureau_2024_final", "pdf")
    texts = [line.text for line in read_source(path).lines]
    assert any(t.startswith("一、一般公共预算财政拨款\t2,940.05") for t in texts)
    assert "、\t、" not in texts


def test_a_name_between_a_code_line_and_a_row_that_goes_on_below_is_the_upper_rows():
    # the same PDF prints 310 | 13.58, then 资本性支出, then 310 / 01 房屋建筑物购建: the name is 310's, since the
    # row below carries its own name on its next line
    path = dev_document("sh_putuo_finance_bureau_2024_final", "pdf")
    tables, _ = find_tables(read_source(path))
    frame = only(tables, "basic_expenditure_economic").frame
    names = {str(code): name for code, name in zip(frame["code"], frame["name"], strict=True) if code}
    assert names["310"] == "资本性支出" and names["31001"] == "房屋建筑物购建"


def test_each_side_of_a_three_sided_summary_joins_its_own_wrapped_labels():
    # 江苏省人大常委会办公厅 2017 收支预算总表: every label wraps over the line above and below its amounts, on
    # each of the three sides (收入 | 支出 功能分类 | 支出 支出用途) separately
    path = dev_document("js_npc_office_2017_dept")
    tables, notices = find_tables(read_source(path))
    frame = only(tables, "income_expenditure_summary").frame
    first = frame[frame["line"] == 162].iloc[0]
    assert (first["income_item"], first["income_amount"]) == ("一、财政拨款", Decimal("13649.07"))
    assert (first["expenditure_item"], first["expenditure_total"]) == ("一、一般公共服务支出", Decimal("10528.33"))
    assert (first["use_item"], first["use_amount"]) == ("一、基本支出", Decimal("7666.68"))
    reserve = frame[frame["use_item"] == "三、单位预留机动经费"].iloc[0]
    assert reserve["use_amount"] == Decimal("128.43") and reserve["income_item"] == "2. 政府性基金预算"
    assert not any(n.code == "bad-amount" for n in notices)


def test_the_use_side_is_named_by_its_label_over_any_of_its_columns():
    # 中共江苏省委办公厅 2017: 支出用途 stands over the side's amount column, not its 项目名称 column
    path = dev_document("js_party_office_2017_tables")
    tables, notices = find_tables(read_source(path))
    frame = only(tables, "income_expenditure_summary").frame
    assert row(only(tables, "income_expenditure_summary"), use_item="三、单位预留机动经费")["use_amount"] == \
        Decimal("196.72")
    assert "side2_amount" not in frame.columns
    assert not any(n.code == "bad-amount" for n in notices)


def test_a_table_joined_over_a_page_break_keeps_its_empty_cells_empty():
    # 江苏省政协办公厅 2017 政府采购预算表, printed again over a page break: a column one page lacks is empty text
    # in the joined rows, not a float NaN
    tables, _ = find_tables(read_source(dev_document("js_cppcc_office_2017_tables")))
    frame = only(tables, "gov_procurement").frame
    assert all(isinstance(value, str) for value in frame["special_item"])
    assert frame["special_item"].iloc[-1] == "" and frame["procurement_item"].iloc[-1] == "交通运输和仓储服务"
    assert frame["total"].iloc[-1] == Decimal("6.00")


def test_a_pdf_table_continued_on_pages_printed_in_other_type_keeps_its_columns():
    # 江苏省人民检察院 2017 政府采购支出预算表 runs over PDF pages 16-18; page 17 holds only its small print
    # (digits 4.0 pt wide), page 16 also the tables before it (5.0 pt) and page 18 the 说明 (7.8 pt). Measured
    # page by page, page 17's 采购物品名称 stood where page 16's 采购组织形式 stands, and "台式计算机(20 万以" ran
    # onto page 16's last row.
    source = read_source(dev_document("js_procuratorate_2017_dept", "pdf"))
    assert [source.page_of(n) for n in (433, 438, 486)] == [16, 17, 18]
    table = only(find_tables(source)[0], "gov_procurement")
    columns = ["special_item", "economic_name", "procurement_item", "procurement_method", "total"]
    # page 16's last row, page 17's first, page 18's first
    assert [row(table, line=433)[c] for c in columns] == [
        "办公办案设备更新购置费", "办公设备购置", "", "", Decimal("12.00")]
    assert [row(table, line=438)[c] for c in columns] == [
        "", "", "台式计算机(20 万以下)", "分散自行组织", Decimal("12.00")]
    assert [row(table, line=486)[c] for c in columns] == [
        "", "", "车辆维修和保养服务", "分散自行组织", Decimal("267.80")]


def test_a_cell_centred_on_its_row_takes_as_many_pieces_below_as_above():
    # the same table: 台式计算机(20 万以 / 政府集中采购 35.00 / 上), then 便携式计算机(20 万以 / 政府集中采购
    # 45.00 / 上): the two pieces between the rows are one cell's end and the next cell's start, not one block
    table = only(find_tables(read_source(dev_document("js_procuratorate_2017_dept", "pdf")))[0], "gov_procurement")
    assert [(r["procurement_item"], r["total"]) for r in (row(table, line=423), row(table, line=426))] == [
        ("台式计算机(20 万以上)", Decimal("35.00")), ("便携式计算机(20 万以上)", Decimal("45.00"))]
    # 购置费 ends the 专项名称 above; the 采购物品名称 piece under it is another cell
    assert row(table, line=420)["special_item"] == "办公、办案设备更新购置费"
    assert row(table, line=420)["procurement_item"] == ""


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_an_item_without_amount_above_the_subtotal_row_stays_a_row(form):
    # 江苏省政协办公厅 2018 收支预算总表: "二十、其他支出" (no amount) over 当年收入小计 … 当年支出小计: the subtotal
    # line wraps no cell of the 支出 side around itself
    tables, _ = find_tables(read_source(dev_document("js_cppcc_office_2018_tables", form)))
    table = only(tables, "income_expenditure_summary")
    other = row(table, expenditure_item="二十、其他支出")
    assert other["expenditure_total"] is None and other["income_item"] == ""
    assert row(table, income_item="当年收入小计")["expenditure_item"] == ""


def test_an_item_label_of_a_side_stays_on_its_own_line():
    # 上海市普陀区社会福利院 2024 财政拨款收支总表 (PDF line 134) prints "三、国有资本经营预算" (no amount) beside
    # "三、医疗卫生与计划生育支出 503,724": it is that line's income item, not the start of a cell of the next line
    tables, _ = find_tables(read_source(dev_document("sh_putuo_welfare_home_2024_unit", "pdf")))
    frame = only(tables, "fiscal_appropriation_summary").frame
    assert [(r["income_item"], r["expenditure_item"]) for _, r in frame[frame["line"].isin([134, 135])].iterrows()] \
        == [("三、国有资本经营预算", "三、医疗卫生与计划生育支出"), ("", "四、住房保障支出")]


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_an_item_label_wrapped_without_amounts_is_one_row(form):
    # 上海市普陀区财政局 2024 财政拨款收入支出决算总表: "二十六、抗疫特别国债安排" / "的支出", no figures, above the
    # 本年收入合计 line: one item of its own, not a piece of the total's row
    tables, _ = find_tables(read_source(dev_document("sh_putuo_finance_bureau_2024_final", form)))
    table = only(tables, "fiscal_appropriation_summary")
    item = row(table, expenditure_item="二十六、抗疫特别国债安排的支出")
    assert item["last_line"] == item["line"] + 1 and item["income_item"] == ""
    assert row(table, income_item="本年收入合计")["income_amount"] == Decimal("2940.05")


def test_two_cells_run_together_with_one_space_are_cut_where_a_column_starts():
    # 中共江苏省委办公厅 2018 政府采购预算表 (PDF): "便携式计算机(20万以下) 分散自行组织", one space apart, under
    # 采购物品名称 | 采购组织形式
    table = only(find_tables(read_source(dev_document("js_party_office_2018_tables", "pdf")))[0], "gov_procurement")
    columns = ["procurement_item", "procurement_method", "total"]
    assert [[row(table, line=n)[c] for c in columns] for n in (240, 254)] == [
        ["便携式计算机(20万以下)", "分散自行组织", Decimal("3.50")],
        ["空调机(总预算20万以下)", "分散自行组织", Decimal("0.90")]]
    # a cut leaves a name on each side: 江苏省人民检察院 2018's "一、货物 A" (text export) stays one label
    procurement = only(find_tables(read_source(dev_document("js_procuratorate_2018_dept")))[0], "gov_procurement")
    assert row(procurement, line=774)["procurement_category"] == "一、货物 A"


@pytest.mark.parametrize(("stem", "form", "last_line"), [
    ("js_procuratorate_2017_dept", "pdf", 498), ("js_npc_office_2017_dept", "text", 960)])
def test_the_next_parts_heading_beside_its_title_ends_the_table(stem, form, last_line):
    # "第三部分  省检察院 2017 年度部门预算情况说明": a heading of the document's parts, its title a cell apart, is
    # no row of the 政府采购 table above it
    table = only(find_tables(read_source(dev_document(stem, form)))[0], "gov_procurement")
    assert table.span.last_line == last_line
    assert not any("第三部分" in str(value) for value in table.frame.to_numpy().ravel())


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_a_final_summary_names_its_three_budgets_and_checks_them_against_the_total(form):
    # 上海市普陀区财政局 2024 财政拨款收入支出决算总表: the 支出 side's 合计 | 一般公共预算财政拨款 | 政府性基金预算
    # 财政拨款 | 国有资本经营预算财政拨款, each label stacked over up to four header lines among the others' pieces;
    # the text export prints some figures a line above their labels ("2,940.05" over "本年收入合计 本年支出合计")
    table = only(find_tables(read_source(dev_document("sh_putuo_finance_bureau_2024_final", form)))[0],
                 "fiscal_appropriation_summary")
    assert {"general_budget", "gov_fund", "soe_capital"} <= set(table.frame.columns)
    assert not any(c.startswith("col") or c == "appropriation_income" for c in table.frame.columns)
    first = row(table, expenditure_item="一、一般公共服务支出")
    assert (first["income_item"], first["income_amount"], first["expenditure_total"], first["general_budget"]) == (
        "一、一般公共预算财政拨款", Decimal("2940.05"), Decimal("2106.66"), Decimal("2106.66"))
    totals = row(table, expenditure_item="本年支出合计")
    assert (totals["income_item"], totals["income_amount"], totals["expenditure_total"], totals["general_budget"]) \
        == ("本年收入合计", Decimal("2940.05"), Decimal("2940.05"), Decimal("2940.05"))
    closure = next(c for c in check_closure([table])[1])
    # 合计 = the three budgets on each of the 7 rows printing figures on the 支出 side, 收入总计 = 支出总计 on none
    # (the table prints 总计), and every one closes
    assert (closure.checks, closure.failed) == (7, 0)


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_a_use_label_wrapped_over_two_lines_heads_its_own_figure(form):
    # 江苏省人民检察院 2018 支出预算总表: "单位预留机动经" / "费" beside 结转下年资金 on one line; the 2,388.04 printed
    # under it is the 单位预留机动经费 (the 收支总表 and the 说明 say so), not 结转下年资金
    table = only(find_tables(read_source(dev_document("js_procuratorate_2018_dept", form)))[0], "expenditure_summary")
    figures = table.frame.iloc[0]
    assert (figures["total"], figures["reserve"], figures["carried_forward"]) == (
        Decimal("21955.35"), Decimal("2388.04"), None)


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_income_sources_printed_a_line_above_their_figures_stay_rows_of_their_own(form):
    # 江苏省高级人民法院 2019 收入预算总表: "小计" / 37,188.34 / "一般公共预算资金 公共财政拨款(补助)资金" / 37,188.34 /
    # "专项收入": each a label of the template by itself, so three rows (the subtotal, the one source, an empty one),
    # not "小计一般公共预算资金公共财政拨款(补助)资金" with "专项收入" taking the second figure
    table = only(find_tables(read_source(dev_document("js_high_court_2019_dept", form)))[0], "income_summary")
    rows = [(r["name"], r["total"]) for _, r in table.frame.iterrows()][1:4]
    assert rows == [("小计", Decimal("37188.34")), ("一般公共预算资金公共财政拨款(补助)资金", Decimal("37188.34")),
                    ("专项收入", None)]


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_each_income_source_group_opens_with_its_subtotal_and_takes_the_label_printed_in_its_middle(form):
    # 江苏省政协办公厅 2017 收入预算总表: "财政转专户管理资金" is printed beside 专户管理教育收费, the middle of
    # its three rows (小计 | 专户管理教育收费 | 其他非税收入); the 小计 of 80.00 opens 其他资金 (事业收入 … 债务资金),
    # not 财政专户
    table = only(find_tables(read_source(dev_document("js_cppcc_office_2017_tables", form)))[0], "income_summary")
    rows = [(r["name"], r["name_detail"], r["total"]) for _, r in table.frame.iterrows() if r["name_detail"]]
    assert rows[0] == ("一般公共预算资金", "小计", Decimal("9066.79"))
    assert [r for r in rows if r[1] in ("小计", "事业收入")][2:] == [
        ("财政转专户管理资金", "小计", None), ("其他资金", "小计", Decimal("80.00")), ("其他资金", "事业收入", None),
        ("上年结转和结余资金", "小计", None)]


def test_each_income_source_subtotal_and_the_grand_total_are_checked():
    # the same table: 其他资金 小计 80.00 = its 其他收入 80.00; 收入总计 9,146.79 = the 小计s (9,066.79 + 80.00)
    path = dev_document("js_cppcc_office_2017_tables")
    table = only(find_tables(read_source(path))[0], "income_summary")
    assert [(c.checks, c.failed) for c in check_closure([table])[1]] == [(3, 0)]
    text = path.read_text(encoding="utf-8")
    misprint = "其他收入                      80.00"
    assert text.count(misprint) == 1
    tables, _ = find_tables(source_from_text(text.replace(misprint, "其他收入                      70.00"), path.name))
    mismatches = [n.message.split(": ", 1)[1] for n in check_sums([only(tables, "income_summary")])
                  if n.code == "sum-mismatch"]
    assert mismatches == ["其他资金 小计 = its rows: printed 80.00 万元, parts add up to 70.00 万元"]


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_an_economic_name_run_into_its_project_by_one_space_is_its_own_cell(form):
    # 中共江苏省委办公厅 2018 政府采购预算表: the text export prints "机要及电子政务业务费 办公设备购置" and
    # "便携式计算机（20万以下） 分散自行组织", one space apart; 办公设备购置 is a 款 of the national 经济分类 and
    # 分散自行组织 a 采购组织形式 (kg/data), each a cell of its own
    table = only(find_tables(read_source(dev_document("js_party_office_2018_tables", form)))[0], "gov_procurement")
    assert row(table, special_item="机要及电子政务业务费", economic_name="办公设备购置")["total"] == Decimal("30.00")
    assert row(table, special_item="机要及电子政务业务费", economic_name="培训费")["total"] == Decimal("5.00")
    laptops = table.frame[table.frame["procurement_item"] == "便携式计算机(20万以下)"]
    assert [(r["procurement_method"], r["total"]) for _, r in laptops.iterrows()] == [
        ("分散自行组织", Decimal("3.50")), ("分散自行组织", Decimal("6.00"))]


def test_a_letter_spaced_header_over_two_columns_names_both():
    # 江苏省人大常委会办公厅 2017 政府采购预算表 (PDF): "专项" / "名称" and "经济" / "科目" stacked, "采 购 物采 购 组"
    # over "品名称 织形式" (two labels letter-spaced into one run); 名称 and 科目 alone would read as a 科目名称
    table = only(find_tables(read_source(dev_document("js_npc_office_2017_dept", "pdf")))[0], "gov_procurement")
    assert {"special_item", "economic_name", "procurement_item", "procurement_method"} <= set(table.frame.columns)
    assert not any(c.startswith(("col", "name")) for c in table.frame.columns)
    office = row(table, economic_name="办公设备购置")
    assert (office["special_item"], office["total"]) == ("办公设备购置费", Decimal("59.00"))
    cleaning = row(table, procurement_item="建筑物清洁服务")
    assert (cleaning["procurement_method"], cleaning["total"]) == ("分散自行组织", Decimal("156.00"))


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_a_category_wrapped_beside_its_detail_is_joined_word_by_word(form):
    # 江苏省人大常委会办公厅 2017 收入预算总表: "一般公共预 公共财政拨款(补助)" / 13,649.07 / "算资金 资金", the
    # category and its detail each wrapped in one column: 一般公共预算资金 | 公共财政拨款(补助)资金, not
    # 一般公共预公共财政拨款(补助)算资金资金
    table = only(find_tables(read_source(dev_document("js_npc_office_2017_dept", form)))[0], "income_summary")
    assert row(table, name="一般公共预算资金公共财政拨款(补助)资金")["total"] == Decimal("13649.07")
