"""The “三公”经费 items of a disclosure, from its 三公 table, printed either way round.

Shanxi prints the items as rows (因公出国(境)费 / 公务接待费 / 公务用车购置及运行费 / ①购置费 / ②运行维护费 /
合计), Jiangsu and Shanghai as columns of one row (合计 | 三公 小计 | 出国 | 公务用车 小计 购置 运行 | 接待 |
会议费 | 培训费). Either way the items are the same, named by kg/data/table_columns.toml's column patterns.
They reach the graph only when the table's own sums close (三公 = 出国 + 公务用车 + 接待, 公务用车 = 购置 +
运行): a 三公 table whose figures cannot be placed is named in a warning instead of publishing a wrong figure.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from functools import cache

from kg.records import Notice, SourceLine, Span, Table, ThreePublicFigure
from kg.tables.amounts import ROUNDING, to_yuan
from kg.tables.knowledge import DATA, TableKnowledge, knowledge
from kg.tables.layout import compact
from kg.tables.stated import Stated, stated_items

# the items, in the order a report lists them: column name → (its bkg: concept in ontology/budget-kg.ttl, label)
ITEM_TERMS = {
    "three_public": ("ThreePublicTotal", "“三公”经费"),
    "outbound_travel": ("OutboundTravel", "因公出国(境)费"),
    "official_vehicles": ("OfficialVehicles", "公务用车购置及运行费"),
    "vehicle_purchase": ("VehiclePurchase", "公务用车购置费"),
    "vehicle_operation": ("VehicleOperation", "公务用车运行费"),
    "official_reception": ("OfficialReception", "公务接待费"),
    "meetings": ("MeetingExpenses", "会议费"),
    "training": ("TrainingExpenses", "培训费"),
}
ITEMS = tuple(ITEM_TERMS)
_PARTS = (("three_public", ("outbound_travel", "official_vehicles", "official_reception")),
          ("official_vehicles", ("vehicle_purchase", "vehicle_operation")))


@cache
def _labels() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(the numbering before an item's label, a 合计 row's label) from kg/data/table_columns.toml."""
    rules = tomllib.loads((DATA / "table_columns.toml").read_text(encoding="utf-8"))["three_public"]
    return re.compile(rules["label_marker"]), re.compile(rules["total_row"])


def _item_of_label(label: str, kb: TableKnowledge) -> str | None:
    marker, total_row = _labels()
    text = marker.sub("", compact(label))
    if total_row.match(text):
        return "total"
    return next((name for name, pattern in kb.columns if name in ITEMS and pattern.match(text)), None)


def _by_rows(table: Table, kb: TableKnowledge) -> dict[str, tuple[Decimal | None, int]]:
    """Items printed as rows: the label column and the first amount column (合计)."""
    frame = table.frame
    amount = next((c for c in ("total", "general_budget") if c in frame.columns), None)
    if amount is None:
        return {}
    found: dict[str, tuple[Decimal | None, int]] = {}
    for record in frame.to_dict("records"):
        item = _item_of_label(str(record.get("item") or ""), kb)
        if item is not None and item not in found:
            found[item] = (record.get(amount), int(record["line"]))
    return found


def _by_columns(table: Table, kb: TableKnowledge) -> dict[str, tuple[Decimal | None, int]]:
    """Items printed as the columns of one row (a 决算's 预算数 beside each 决算数 is a comparator, left out);
    nothing when a column is not an item (a column the header did not name): then which figure is which is
    not known."""
    frame = table.frame
    known = {"line", "last_line", "total", "admin_operating", *ITEMS}
    if len(frame) != 1 or any(column not in known and not kb.is_comparator(column) for column in frame.columns):
        return {}
    record = frame.iloc[0].to_dict()
    line = int(record["line"])
    return {name: (record.get(name), line) for name in ("total", *ITEMS) if name in frame.columns}


def _closes(values: dict[str, Decimal]) -> str | None:
    """None when the items add up, else what does not (in the table's unit)."""
    for total, parts in _PARTS:
        # a part the table does not print counts as 0 once another part is printed: 合计 1.00 beside a
        # 公务用车 of 171.01 and nothing else is a misread, not a check skipped
        if total in values and any(p in values for p in parts):
            added = sum((values.get(p, Decimal(0)) for p in parts), Decimal(0))
            if abs(values[total] - added) > ROUNDING:
                return f"{total} {values[total]} ≠ {' + '.join(parts)} = {added}"
    return None


def _differences(table: Table, values: dict[str, Decimal], stated: dict[str, Stated]) -> list[Notice]:
    """The items the text states otherwise than the table prints: a warning each, at the statement's line."""
    notices = []
    for item, statement in stated.items():
        if item not in values:
            continue  # an item the table does not print (a table without the 购置 / 运行 split)
        printed = to_yuan(values[item], table.unit)
        assert printed is not None
        if abs(printed - statement.amount) > to_yuan(ROUNDING, table.unit):  # type: ignore[operator]
            notices.append(Notice(table.span.file, statement.line, "three-public-text-differs",
                                  f"the text states {ITEM_TERMS[item][1]} {statement.amount} 元; the 三公 table "
                                  f"{table.title!r} (line {table.span.first_line}) prints {printed} 元"))
    return notices


def three_public_figures(tables: list[Table], lines: list[SourceLine] | None = None,
                         final: bool = False) -> tuple[list[ThreePublicFigure], list[Notice]]:
    """The items of the first 三公 table that prints any, in 元, and a notice for a table left out or stated
    otherwise in the text (``lines``: the document's, read as a 决算's when ``final``)."""
    kb = knowledge()
    notices: list[Notice] = []
    stated = stated_items(lines, final) if lines else {}
    for table in tables:
        if table.kind != "three_public" or table.empty or table.frame.empty:
            continue
        found = _by_rows(table, kb) if "item" in table.frame.columns else _by_columns(table, kb)
        # 合计 is the 三公 total unless the table also prints 会议费/培训费 (Jiangsu: 合计 = 三公 + 会议 + 培训)
        if "total" in found and "three_public" not in found and not {"meetings", "training"} & found.keys():
            found["three_public"] = found["total"]
        found.pop("total", None)
        if not found:
            notices.append(Notice(table.span.file, table.span.first_line, "three-public-unread",
                                  f"三公 table {table.title!r}: its figures could not be placed under the items "
                                  "(因公出国(境)费, 公务接待费 …); they are not in the graph"))
            continue
        values = {item: amount if isinstance(amount, Decimal) else Decimal(0) for item, (amount, _) in found.items()}
        wrong = _closes(values)
        if wrong is not None:
            notices.append(Notice(table.span.file, table.span.first_line, "three-public-unread",
                                  f"三公 table {table.title!r} does not add up as read ({wrong} {table.unit}); its "
                                  "figures are not in the graph"))
            continue
        notices += _differences(table, values, stated)
        figures = []
        for item in ITEMS:
            if item in found:
                amount = to_yuan(values[item], table.unit)
                assert amount is not None
                line = found[item][1]
                figures.append(ThreePublicFigure(item, amount, table.unit, Span(table.span.file, line, line)))
        return figures, notices
    return [], notices

