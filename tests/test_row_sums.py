"""Rows printed off their columns (compactly after a page break) are put back where the table's sums close."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.entities.budget import check_sums
from kg.ingest import read_source, source_from_text
from kg.tables import find_tables
from tests.helpers import aligned, dev_document, only, row

# the national 部门支出总表: 科目编码 | 科目名称 | 合计 | 基本支出 | 项目支出, printed as pdftotext lays it out
_HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
_ROWS = [["", "合计", "300.00", "200.00", "100.00"],
         ["201", "一般公共服务支出", "120.00", "120.00", ""],
         ["20101", "人大事务", "120.00", "120.00", ""],
         ["2010101", "行政运行", "120.00", "120.00", ""],
         ["208", "社会保障和就业支出", "180.00", "80.00", "100.00"],
         ["20805", "行政事业单位养老支出", "180.00", "80.00", "100.00"],
         ["2080501", "行政单位离退休", "20.00", "", "20.00"],
         ["2080502", "事业单位离退休", "80.00", "", "80.00"]]


def _summary_with_compact_page(after_break: str) -> str:
    """The table's first page aligned under its header, then a page break (a blank line) and rows packed
    against their names, as a page of a re-typeset document prints them."""
    return "部门支出总表\n单位：万元\n" + aligned([_HEADER, *_ROWS], [10, 24, 12, 12, 12], left=2) + "\n" + after_break


def test_tampered_putuo_rows_after_the_page_break_stand_under_their_headings():
    # 收入决算表 of the re-typeset Putuo 决算: "221   02   01   住房公积金   187.19   187.19" (lines 194-195)
    # packed after a page break; the figures are 本年收入合计 and 财政拨款收入, as 22102 (445.69 | 445.69) says
    path = dev_document("sh_putuo_finance_bureau_2024_final_tampered")
    tables, notices = find_tables(read_source(path))
    income = only(tables, "income_summary")
    assert [c for c in income.frame.columns if c.startswith("col")] == []
    for code, amount in (("2210201", "187.19"), ("2210203", "258.50")):
        found = row(income, code=code)
        assert (found["total"], found["appropriation_income"]) == (Decimal(amount), Decimal(amount))
        assert found["other_income"] is None
    assert [(n.line, n.severity) for n in notices if n.code == "rows-by-sums"] == [(194, "info")]
    mismatches = [n for n in check_sums(tables) if n.code == "sum-mismatch" and "income_summary" in n.message]
    assert mismatches == []


def test_rows_packed_after_a_page_break_are_read_under_the_national_template_columns():
    text = _summary_with_compact_page("2080505   机关事业单位基本养老保险缴费支出   50.00   50.00\n"
                                      "2080506   机关事业单位职业年金缴费支出   30.00   30.00\n")
    tables, notices = find_tables(source_from_text(text, "packed.txt"))
    table = only(tables, "expenditure_summary")
    assert [(r["code"], r["total"], r["basic"], r["project"]) for r in
            table.frame[table.frame["line"] >= 13][["code", "total", "basic", "project"]].to_dict("records")] == [
        ("2080505", Decimal("50.00"), Decimal("50.00"), None),
        ("2080506", Decimal("30.00"), Decimal("30.00"), None)]
    assert [(n.code, n.line) for n in notices if n.code == "rows-by-sums"] == [("rows-by-sums", 13)]
    assert "moved 1 column right" in next(n.message for n in notices if n.code == "rows-by-sums")
    assert [n for n in check_sums(tables) if n.code == "sum-mismatch"] == []


@pytest.mark.parametrize("misprint", ["55.00", "30.00"])
def test_a_misprinted_figure_is_not_moved_to_hide_it(misprint):
    # 2080505 printed 55.00 (or 30.00) where 20805 needs 50.00: no placement closes, so the row stays
    # as read and the parent's sum is reported
    text = _summary_with_compact_page(f"2080505   机关事业单位基本养老保险缴费支出   {misprint}   {misprint}\n"
                                      "2080506   机关事业单位职业年金缴费支出   30.00   30.00\n")
    tables, notices = find_tables(source_from_text(text, "misprint.txt"))
    assert [n for n in notices if n.code == "rows-by-sums"] == []
    assert any(n.code == "sum-mismatch" and n.line == 9 and "20805" in n.message for n in check_sums(tables))
