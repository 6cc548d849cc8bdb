"""“三公”经费 tables printed as one row under a header wrapped over many lines: the figures are laid over the
national template's column order and the table's own sums say where the blank cells are."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from kg.bench.accuracy import EXPECTED_DIR as EXPECTED
from kg.bench.accuracy import score_document
from kg.extract import extract_file
from kg.ingest import read_source
from kg.records import Table
from kg.tables import find_tables
from kg.tables.column_orders import fit_column_order
from kg.tables.knowledge import knowledge
from tests.conftest import DEV_CORPUS


def _three_public(kind: str, stem: str) -> Table:
    path = DEV_CORPUS / kind / f"{stem}.{'pdf' if kind == 'pdf' else 'txt'}"
    if not path.exists():
        pytest.skip("../shared/dev-corpus not present")
    tables, notices = find_tables(read_source(path))
    assert not [n for n in notices if n.code == "bad-amount" and "三公" in n.message]  # no header line read as a row
    return next(t for t in tables if t.kind == "three_public")


def _row(table: Table) -> dict[str, object]:
    assert len(table.frame) == 1
    return table.frame.iloc[0].to_dict()


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_header_wrapped_over_ten_lines_and_a_blank_purchase_column(kind):
    # 江苏省人大常委会办公厅 2017: "小/计" printed a line apart, 公务用车购置费 blank, 运行维护费 183.60
    row = _row(_three_public(kind, "js_npc_office_2017_dept"))
    assert row["total"] == Decimal("2542.60")
    assert row["three_public"] == Decimal("833.60")
    assert row["outbound_travel"] == Decimal("222.50")
    assert row["official_vehicles"] == Decimal("183.60")
    assert row["vehicle_purchase"] is None
    assert row["vehicle_operation"] == Decimal("183.60")
    assert row["official_reception"] == Decimal("427.50")
    assert row["meetings"] == Decimal("1305.25")
    assert row["training"] == Decimal("403.75")


@pytest.mark.parametrize("kind", ["text", "pdf"])
def test_meetings_label_printed_beside_reception_goes_under_its_own_figure(kind):
    # 江苏省政协办公厅 2019: "公务接待 会议费" printed together; the sums put 1,282.56 under 会议费
    row = _row(_three_public(kind, "js_cppcc_office_2019_tables"))
    assert (row["official_reception"], row["meetings"], row["training"]) == (
        Decimal("397.50"), Decimal("1282.56"), Decimal("281.77"))
    assert row["vehicle_purchase"] is None and row["vehicle_operation"] == Decimal("156.60")


def test_a_printed_purchase_figure_stays_where_it_is():
    # 江苏省人民检察院 2017 prints 公务用车购置费 50.00: the reading closes, nothing is moved
    row = _row(_three_public("text", "js_procuratorate_2017_dept"))
    assert (row["official_vehicles"], row["vehicle_purchase"], row["vehicle_operation"]) == (
        Decimal("317.80"), Decimal("50.00"), Decimal("267.80"))


def test_shanghai_order_with_admin_operating_column():
    # 上海市普陀区社会福利院 2024: 合计 | 出国 | 接待 | 公务用车 小计 购置 运行 | 机关运行经费
    row = _row(_three_public("text", "sh_putuo_welfare_home_2024_unit"))
    assert row["total"] == Decimal("6.4") and row["official_vehicles"] == Decimal("6.4")
    assert row["vehicle_purchase"] is None and row["vehicle_operation"] == Decimal("6.4")
    assert row["outbound_travel"] == Decimal("0") and row["admin_operating"] == Decimal("0")


def _frame(names: list[str], values: list[str | None]) -> pd.DataFrame:
    record = {"line": 10, "last_line": 10} | {n: (Decimal(v) if v else None) for n, v in zip(names, values,
                                                                                           strict=True)}
    return pd.DataFrame([record], dtype=object)


def test_sums_that_leave_a_real_choice_change_nothing():
    # 合计 1.00 and one 1.00 figure: 出国 or 接待? The sums cannot tell, so the grid's reading stays.
    frame = _frame(["total", "col2", "col3"], ["1.00", "1.00", "171.01"])
    fitted, order, by_text = fit_column_order(frame, "three_public", ["total", "col2", "col3"],
                                              knowledge().column_orders)
    assert order is None and list(fitted.columns) == list(frame.columns) and not by_text


def test_the_items_the_text_states_decide_what_the_sums_leave_open():
    # the same row, and a 说明 saying 因公出国（境）费0万元 … 公务接待费1.00万元 (in the table's unit)
    frame = _frame(["total", "col2", "col3"], ["1.00", "1.00", "171.01"])
    stated = {"three_public": Decimal("1.00"), "outbound_travel": Decimal(0), "official_reception": Decimal("1.00")}
    fitted, order, by_text = fit_column_order(frame, "three_public", ["total", "col2", "col3"],
                                              knowledge().column_orders, stated)
    assert by_text and order is not None and "admin_operating" in order.columns
    row = fitted.iloc[0]
    assert row["official_reception"] == Decimal("1.00") and row["outbound_travel"] is None
    assert row["admin_operating"] == Decimal("171.01")
    # a single stated item is no evidence: the choice stays open
    assert fit_column_order(frame, "three_public", ["total", "col2", "col3"], knowledge().column_orders,
                            {"official_reception": Decimal("1.00")})[1] is None


def test_a_reading_that_closes_is_kept_and_one_that_cannot_close_is_kept():
    names = ["total", "outbound_travel", "official_vehicles", "vehicle_purchase", "vehicle_operation",
             "official_reception"]
    closes = _frame(names, ["10", "2", "5", "5", None, "3"])  # purchase printed, operation blank: as printed
    assert fit_column_order(closes, "three_public", names, knowledge().column_orders)[1] is None
    printed_error = _frame(names, ["11", "2", "5", "1", "4", "3"])  # a real misprint: no placement closes
    assert fit_column_order(printed_error, "three_public", names, knowledge().column_orders)[1] is None


@pytest.mark.parametrize("stem", ["js_npc_office_2017_dept", "js_cppcc_office_2019_tables",
                                  "sh_putuo_welfare_home_2024_unit"])
def test_every_three_public_item_matches_the_values_written_by_reading(stem):
    # tests/corpus/dev/<stem>.json's "three_public" was written by reading the documents (kg.bench.accuracy)
    path = DEV_CORPUS / "text" / f"{stem}.txt"
    if not path.exists():
        pytest.skip("../shared/dev-corpus not present")
    expected = json.loads((EXPECTED / f"{stem}.json").read_text(encoding="utf-8"))
    score = score_document(expected, extract_file(path), "text")
    items = {key: right for key, right in score.outcomes.items() if key.startswith("three_public|")}
    assert len(items) == len(expected["three_public"][0]["items"]) and all(items.values()), score.misses
