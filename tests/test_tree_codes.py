"""科目编码 printed as a tree (a 类 in full, each 款 and 项 by its own two digits): full codes rebuilt."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rdflib import Literal
from rdflib.namespace import SKOS

from kg.entities.budget import check_sums
from kg.extract import extract_disclosure
from kg.ingest import source_from_text
from kg.rdf import BKG, disclosure_graph
from kg.tables import find_tables
from kg.tables.tree_codes import expand_tree_codes
from tests.helpers import aligned, only, row

_HEADER = ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]


def _tree(indent: str) -> list[list[str]]:
    """A national 部门支出总表 whose 款 and 项 print only their own digits, each level ``indent`` further in."""
    return [["", "合计", "300.00", "200.00", "100.00"],
            ["201", "一般公共服务支出", "120.00", "120.00", ""],
            [indent + "01", "人大事务", "120.00", "120.00", ""],
            [indent * 2 + "01", "行政运行", "100.00", "100.00", ""],
            [indent * 2 + "02", "一般行政管理事务", "20.00", "20.00", ""],
            ["208", "社会保障和就业支出", "180.00", "80.00", "100.00"],
            [indent + "05", "行政事业单位养老支出", "160.00", "60.00", "100.00"],
            [indent * 2 + "01", "行政单位离退休", "100.00", "", "100.00"],
            [indent * 2 + "05", "机关事业单位基本养老保险缴费支出", "60.00", "60.00", ""],
            # "06" after 项 05 could be 项 2080506; 20805's 项 already add up to it, so it is 款 20806
            [indent + "06", "企业改革补助", "20.00", "20.00", ""]]


def _printed(rows: list[list[str]]) -> str:
    return "部门支出总表\n单位：万元\n" + aligned([_HEADER, *rows], [10, 32, 12, 12, 12], left=2)


def _read(rows: list[list[str]]) -> tuple[list[tuple[object, ...]], list]:
    text = _printed(rows)
    tables, notices = find_tables(source_from_text(text, "tree.txt"))
    table = only(tables, "expenditure_summary")
    read = [(r["code"], r["code_as_printed"], r["total"]) for r in
            table.frame[["code", "code_as_printed", "total"]].to_dict("records") if r["code"]]
    return read, notices + check_sums(tables)


@pytest.mark.parametrize("indent", ["  ", ""])
def test_two_digit_codes_under_their_class_are_read_as_full_codes(indent):
    read, notices = _read(_tree(indent))
    assert [(code, printed) for code, printed, _ in read] == [
        ("201", None), ("20101", "01"), ("2010101", "01"), ("2010102", "02"),
        ("208", None), ("20805", "05"), ("2080501", "01"), ("2080505", "05"), ("20806", "06")]
    assert [n.code for n in notices if n.severity == "warning"] == []
    assert [(n.code, n.line) for n in notices if n.code == "codes-from-tree"] == [
        ("codes-from-tree", 6), ("codes-from-tree", 10)]


def test_a_rebuilt_code_enters_the_graph_under_its_parent_with_its_amount():
    text = "某某局2025年部门预算\n" + _printed(_tree("  "))
    graph = disclosure_graph(extract_disclosure(source_from_text(text, "tree.txt"), require_tables=False))
    concept = next(graph.subjects(SKOS.notation, Literal("2080505")))  # printed "05" under 20805
    assert graph.value(concept, SKOS.prefLabel) == Literal("机关事业单位基本养老保险缴费支出", lang="zh")
    parent = graph.value(concept, SKOS.broader)
    assert graph.value(parent, SKOS.notation) == Literal("20805")
    assert graph.value(graph.value(parent, SKOS.broader), SKOS.notation) == Literal("208")
    line = graph.value(predicate=BKG.functionCode, object=concept)
    assert graph.value(line, BKG.total).toPython() == Decimal("600000")  # 60.00 万元
    assert graph.value(line, BKG.printedUnit) == Literal("万元")
    assert not list(graph.subjects(SKOS.notation, Literal("05")))  # no code left as printed


def test_a_page_break_inside_the_tree_leaves_its_codes_and_names_the_printed_lines():
    # the page ends after 201; the next page prints its number, the running header, then "01 人大事务"
    lines = _printed(_tree("  ")).split("\n")
    broken = [*lines[:5], "                 — 3 —", "", "   某某局2025年部门预算", "", *lines[5:]]
    tables, notices = find_tables(source_from_text("\n".join(broken), "tree.txt"))
    table = only(tables, "expenditure_summary")
    assert row(table, code="20101")["line"] == 10  # "01 人大事务", printed on line 6 before the break
    assert row(table, code="2080505")["total"] == Decimal("60.00")
    assert [(n.line, n.message.split(" printed")[0]) for n in notices if n.code == "codes-from-tree"] == [
        (10, "3 款/项 codes from line 10"), (14, "4 款/项 codes from line 14")]


def test_a_misprinted_figure_still_nests_by_the_reading_that_breaks_fewest_sums():
    rows = _tree("  ")
    rows[4] = ["    02", "一般行政管理事务", "25.00", "25.00", ""]  # 20101 prints 120.00 = 100.00 + 20.00
    read, notices = _read(rows)
    assert ("2010102", "02", Decimal("25.00")) in read
    mismatches = [n.message for n in notices if n.code == "sum-mismatch"]
    assert mismatches and all("20101 " in m for m in mismatches)


def test_a_code_the_sums_leave_open_stays_as_printed():
    # a 0.00 row after a closed 款 is its next 项 or the 类's next 款 alike: it stays "02", the rest is read
    rows = [["201", "一般公共服务支出", "100.00", "100.00", ""],
            ["  01", "人大事务", "100.00", "100.00", ""],
            ["    01", "行政运行", "100.00", "100.00", ""],
            ["  02", "政协事务", "0.00", "0.00", ""]]
    read, notices = _read(rows)
    assert [(code, printed) for code, printed, _ in read] == [
        ("201", None), ("20101", "01"), ("2010101", "01"), ("02", None)]
    assert [n.line for n in notices if n.code == "bad-code"] == [7]


def test_full_codes_are_left_alone():
    records = [{"line": 1, "last_line": 1, "code": "201", "total": Decimal(5)},
               {"line": 2, "last_line": 2, "code": "20101", "total": Decimal(5)}]
    assert expand_tree_codes(records, ["total"]) == []
    assert [r["code"] for r in records] == ["201", "20101"]
