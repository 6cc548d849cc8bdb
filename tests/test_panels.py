"""Tables printed as two panels side by side (Shanghai's 基本支出决算表: 工资福利支出 left, 商品和服务支出
right) read as one table, rows of both panels, and rows printed over several lines joined back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.ingest import read_source, source_from_text
from kg.records import Table
from kg.tables import find_tables
from tests.conftest import DEV_CORPUS

PUTUO_FINAL = "sh_putuo_finance_bureau_2024_final"

def _printed(*cells: tuple[int, str]) -> str:
    """A line as ``pdftotext -layout`` prints it: each cell starting at its character column."""
    line = ""
    for column, text in cells:
        line += " " * (column - len(line)) + text
    return line


def _row(code: tuple[str, str], name: str, amount: str, right: tuple[tuple[str, str], str, str] | None = None,
         offset: int = 0) -> str:
    left = [(0 + offset, code[0]), (6 + offset, code[1]), (12 + offset, name), (38 + offset - len(amount), amount)]
    if right is None:
        return _printed(*[(c, t) for c, t in left if t])
    (klass, section), rname, ramount = right
    cells = [*left, (42, klass), (48, section), (54, rname), (80 - len(ramount), ramount)]
    return _printed(*[(c, t) for c, t in cells if t])


TWO_PANELS = "\n".join([
    "某区某局2024年度部门决算",
    "一般公共预算财政拨款基本支出决算表",
    _printed((70, "单位：万元")),
    _printed((0, "经济分类"), (42, "经济分类")),
    _printed((0, "科目编码"), (14, "科目名称"), (32, "决算数"), (42, "科目编码"), (56, "科目名称"), (74, "决算数")),
    _printed((0, "类"), (6, "款"), (42, "类"), (48, "款")),
    _row(("301", ""), "工资福利支出", "30.00", (("302", ""), "商品和服务支出", "6.00")),
    _row(("301", "01"), "基本工资", "10.00", (("302", "01"), "办公费", "5.00")),
    _row(("301", "02"), "津贴补贴", "20.00", (("302", "02"), "印刷费", "1.00")),
    "",
    # the next page prints the right panel alone, 24 columns further left
    _row(("302", "05"), "水费", "0.50", offset=18),
    _row(("302", "06"), "电费", "0.50", offset=18),
]) + "\n"


def _economic(tables: list[Table]) -> dict[str, tuple[str, Decimal | None, int]]:
    table = next(t for t in tables if t.kind == "basic_expenditure_economic")
    return {str(r["code"]): (str(r["name"]), r["total"], int(r["line"]))
            for r in table.frame.to_dict("records") if r["code"]}


def test_two_panels_are_one_table_and_a_later_page_printed_further_left_keeps_its_panel():
    tables, _ = find_tables(source_from_text(TWO_PANELS, name="panels.txt"))
    rows = _economic(tables)
    assert rows == {
        "301": ("工资福利支出", Decimal("30.00"), 7), "30101": ("基本工资", Decimal("10.00"), 8),
        "30102": ("津贴补贴", Decimal("20.00"), 9), "302": ("商品和服务支出", Decimal("6.00"), 7),
        "30201": ("办公费", Decimal("5.00"), 8), "30202": ("印刷费", Decimal("1.00"), 9),
        # the last page prints the right panel alone, further left: its 类 302 says whose row it is
        "30205": ("水费", Decimal("0.50"), 11), "30206": ("电费", Decimal("0.50"), 12),
    }


def _corpus(kind: str, stem: str) -> list[Table]:
    path = DEV_CORPUS / kind / f"{stem}.{'pdf' if kind == 'pdf' else 'txt'}"
    if not path.exists():
        pytest.skip("../shared/dev-corpus not present")
    tables, _ = find_tables(read_source(path))
    return tables


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_final_accounts_economic_table_reads_both_panels_rows_over_lines(kind):
    rows = _economic(_corpus(kind, PUTUO_FINAL))
    assert len(rows) == 64  # 26 rows of 工资福利支出 and 对个人和家庭的补助, 38 of 商品和服务支出 and 资本性支出
    # the amount printed on the line above the code, the name on the line below (text), or the 款 and the
    # name on the line below the 类 (PDF)
    assert rows["30101"][:2] == ("基本工资", Decimal("262.33"))
    assert rows["30201"][:2] == ("办公费", Decimal("21.21"))
    # a name broken over two lines, its end below the next panel's line
    assert rows["30108"][:2] == ("机关事业单位基本养老保险缴费", Decimal("160.75"))
    assert rows["30239"][:2] == ("其他交通费用", Decimal("48.49"))
    # codes standing alone on a line ("302", "310") are rows, not page numbers
    assert rows["30240"][0] == "税金及附加费用"
    assert rows["31002"][:2] == ("办公设备购置", Decimal("13.58"))
    assert rows["31099"][0] == "其他资本性支出"


def test_tampered_final_accounts_text_reads_the_right_panel_on_its_shifted_last_page():
    rows = _economic(_corpus("text", f"{PUTUO_FINAL}_tampered"))
    assert len(rows) == 64
    assert rows["30201"][:2] == ("办公费", Decimal("21.21"))
    # the last page prints only the right panel, further left than the header's panel boundary
    assert rows["31019"][0] == "其他交通工具购置"
    assert rows["31099"][0] == "其他资本性支出"


@pytest.mark.parametrize(("kind", "table", "column", "printed"), [
    # PDF: the 合计 amounts stand on the line of the header's 类 款 项, the 合计 label below them
    ("pdf", "income_summary", "total", Decimal("2946.25")),
    # text: the total column's 合计 printed alone between two header lines
    ("text", "expenditure_summary", "total", Decimal("2940.05")),
])
def test_final_accounts_totals_printed_among_the_header_lines_reach_the_total_row(kind, table, column, printed):
    found = next(t for t in _corpus(kind, PUTUO_FINAL) if t.kind == table)
    totals = [r for r in found.frame.to_dict("records") if r["name"] == "合计"]
    assert [r[column] for r in totals] == [printed]
