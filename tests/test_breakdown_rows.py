"""“其中：” in a table of 科目编码 (layouts of the national template other provinces print): the rows after it
are parts of the row above. A coded one is a line under its own name; an uncoded one is no line and no error."""

from __future__ import annotations

from decimal import Decimal

from kg.extract import extract_disclosure
from kg.ingest import source_from_text
from kg.records import Disclosure
from tests.helpers import aligned, only, row

_HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
_ABOVE = [["", "合计", "300.00", "200.00", "100.00"],
          ["201", "一般公共服务支出", "300.00", "200.00", "100.00"],
          ["20101", "人大事务", "300.00", "200.00", "100.00"]]


def _read(rows: list[list[str]]) -> Disclosure:
    text = ("某某局2025年部门预算\n部门支出总表\n单位：万元\n"
            + aligned([_HEADER, *_ABOVE, *rows], [10, 32, 14, 14, 14], left=2))
    return extract_disclosure(source_from_text(text, "breakdown.txt"), require_tables=False)


def _lines(disclosure: Disclosure) -> list[tuple[str, str, Decimal | None]]:
    return sorted((x.code, x.name, x.total) for x in disclosure.expenditure_lines)


_LINES = [("201", "一般公共服务支出", Decimal("3000000.00")), ("20101", "人大事务", Decimal("3000000.00")),
          ("2010101", "行政运行", Decimal("2000000.00")), ("2010102", "一般行政管理事务", Decimal("1000000.00"))]


def test_a_coded_row_after_其中_is_a_line_under_its_own_name():
    disclosure = _read([["2010101", "其中：行政运行", "200.00", "200.00", ""],
                        ["2010102", "一般行政管理事务", "100.00", "", "100.00"]])
    assert _lines(disclosure) == _LINES
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []


def test_a_bare_其中_line_is_no_part_of_the_names_around_it():
    disclosure = _read([["", "其中：", "", "", ""],
                        ["2010101", "行政运行", "200.00", "200.00", ""],
                        ["2010102", "一般行政管理事务", "100.00", "", "100.00"]])
    assert _lines(disclosure) == _LINES
    table = only(disclosure.tables, "expenditure_summary")
    assert (row(table, code="20101")["line"], row(table, code="20101")["last_line"]) == (7, 7)
    assert [(n.code, n.line) for n in disclosure.notices if n.code == "breakdown-row"] == [("breakdown-row", 8)]
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []


def test_an_uncoded_其中_row_is_a_part_of_the_row_above_not_a_line():
    disclosure = _read([["2010101", "行政运行", "200.00", "200.00", ""],
                        ["", "其中：人员经费", "150.00", "150.00", ""],
                        ["2010102", "一般行政管理事务", "100.00", "", "100.00"]])
    assert _lines(disclosure) == _LINES
    table = only(disclosure.tables, "expenditure_summary")
    assert row(table, line=9)["total"] == Decimal("150.00")  # kept in the table as printed
    breakdowns = [n for n in disclosure.notices if n.code == "breakdown-row"]
    assert [(n.line, n.severity) for n in breakdowns] == [(9, "info")]
    assert "人员经费" in breakdowns[0].message and "2010101" in breakdowns[0].message
    assert [n.code for n in disclosure.notices if n.severity == "warning"] == []  # no line-without-code


def test_a_其中_part_larger_than_its_row_is_a_warning_naming_both():
    # 人员经费 printed 250.00 under 行政运行's 200.00: a part cannot exceed its whole (a misprint or a misread)
    disclosure = _read([["2010101", "行政运行", "200.00", "200.00", ""],
                        ["", "其中：人员经费", "250.00", "250.00", ""],
                        ["", "其中：公用经费", "50.00", "50.00", ""],
                        ["2010102", "一般行政管理事务", "100.00", "", "100.00"]])
    assert _lines(disclosure) == _LINES
    exceeding = [n for n in disclosure.notices if n.code == "breakdown-exceeds"]
    assert [(n.line, n.severity) for n in exceeding] == [(9, "warning"), (9, "warning")]
    assert exceeding[0].message == ("'其中:人员经费' prints 250.00 as total, more than the row above "
                                    "(2010101 行政运行) prints: 200.00")
    assert "as basic" in exceeding[1].message
