"""Rows laid off their columns, put back where the table's own sums say they belong.

A table continued after a page break is sometimes printed compactly there ("221 02 01 住房公积金 187.19
187.19", the figures packed against the name): the grid lines them up by position, and a row whose figures
stand a column's width left of where the rest of the table prints them is read one column to the left. Its
parent's sums then break — the children of 22102 add up in a column its own figures are not in.

The sums of a coded table are the template's, not a layout's: children codes add up to their parent (类 ← 款
← 项), the 类 rows to the 合计 row, column by column. A run of rows printed together (no blank or dropped line
between them: a page, or the part of one after a break) that breaks these sums is shifted whole, by one or two
columns either way; the shift is kept when it is the only one under which every sum the run's rows enter
closes. Only runs holding fewer than half the rows that print figures move: the rest of the table, under its
header, says where the columns are (shifting it the other way would close the same sums). A misprinted
figure closes under no shift, so it stays, and is reported as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kg.tables.amounts import ROUNDING
from kg.tables.layout import compact

_SHIFTS = (-2, -1, 1, 2)  # columns a run may have slipped by
_TOTAL_NAMES = ("合计", "总计")
_HIERARCHY = ((3, 5), (5, 7))  # 类 ← 款, 款 ← 项 (and their economic 类 ← 款)

Record = dict[str, object]


@dataclass(frozen=True)
class Shift:
    """Rows ``first``..``last`` (indexes into the records) moved ``by`` amount columns (+ right)."""

    first: int
    last: int
    by: int


def hierarchy_sums(records: Sequence[Record]) -> list[tuple[int, list[int]]]:
    """(parent row, its child rows) for every 类/款 with children printed, and the 合计 row over the 类 rows;
    a code printed twice (two panels) takes no part: which of its rows is the parent is unknown."""
    by_code: dict[str, int] = {}
    twice: set[str] = set()
    for index, record in enumerate(records):
        code = record.get("code")
        if isinstance(code, str) and code.isdigit():
            if code in by_code:
                twice.add(code)
            by_code[code] = index
    for code in twice:
        del by_code[code]
    out: list[tuple[int, list[int]]] = []
    for parent_length, child_length in _HIERARCHY:
        children: dict[str, list[int]] = {}
        for code, index in by_code.items():
            if len(code) == child_length:
                children.setdefault(code[:parent_length], []).append(index)
        out.extend((by_code[code], sorted(rows)) for code, rows in children.items() if code in by_code)
    total = next((i for i, r in enumerate(records)
                  if not r.get("code") and compact(str(r.get("name") or "")) in _TOTAL_NAMES), None)
    top = sorted(i for code, i in by_code.items() if len(code) == 3)
    if total is not None and top:
        out.append((total, top))
    return out


def _value(record: Record, column: str) -> Decimal:
    value = record.get(column)
    return value if isinstance(value, Decimal) else Decimal(0)


def _failing(records: Sequence[Record], sums: list[tuple[int, list[int]]], columns: Sequence[str],
             rows: set[int] | None = None) -> int:
    """How many (sum, column) pairs do not close; with ``rows``, only the sums those rows enter."""
    count = 0
    for parent, children in sums:
        if rows is not None and parent not in rows and rows.isdisjoint(children):
            continue
        for column in columns:
            parts = sum((_value(records[c], column) for c in children), Decimal(0))
            if abs(parts - _value(records[parent], column)) > ROUNDING:
                count += 1
    return count


def _shifted(record: Record, columns: Sequence[str], by: int) -> Record | None:
    """The record with its amounts moved ``by`` columns; None when one would fall off the table."""
    moved = dict(record)
    for column in columns:
        moved[column] = None
    for j, column in enumerate(columns):
        value = record.get(column)
        if isinstance(value, Decimal):
            if not 0 <= j + by < len(columns):
                return None
            moved[columns[j + by]] = value
    return moved


def _runs(records: Sequence[Record]) -> list[tuple[int, int]]:
    """Index ranges of rows printed one under another (no blank, dropped or skipped line between them)."""
    runs: list[tuple[int, int]] = []
    for index, record in enumerate(records):
        if runs and int(record["line"]) == int(records[index - 1]["last_line"]) + 1:  # type: ignore[call-overload]
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def replace_by_sums(records: list[Record], columns: Sequence[str]) -> list[Shift]:
    """Shift, in place, every run of rows laid off its columns back to where the sums close (see module doc).
    ``columns``: the table's amount columns in printed order. Returns the shifts made."""
    sums = hierarchy_sums(records)
    if not sums or _failing(records, sums, columns) == 0:
        return []
    made: list[Shift] = []
    printing = [any(isinstance(r.get(c), Decimal) for c in columns) for r in records]
    for first, last in _runs(records):
        rows = set(range(first, last + 1))
        # the rows printing most of the figures stand under the header: they define the columns, and
        # shifting them instead of the few laid off would close the same sums
        figures = sum(printing[first:last + 1])
        if figures == 0 or figures * 2 >= sum(printing) or _failing(records, sums, columns, rows) == 0:
            continue
        closing: list[tuple[int, list[Record]]] = []
        for by in _SHIFTS:
            moved = [_shifted(records[i], columns, by) for i in sorted(rows)]
            if any(m is None for m in moved):
                continue
            trial = list(records)
            trial[first:last + 1] = moved  # type: ignore[assignment]
            if _failing(trial, sums, columns, rows) == 0:
                closing.append((by, moved))  # type: ignore[arg-type]
        if len(closing) == 1:
            by, moved = closing[0]
            records[first:last + 1] = moved
            made.append(Shift(first, last, by))
    return made
