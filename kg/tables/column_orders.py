"""Figures of a one-row-per-item table laid over the national template's column order, chosen by the sums.

Jiangsu prints the “三公”经费 table as one row, its nine items as columns under a header wrapped over ten
lines, and leaves 公务用车购置费 blank in most years. A blank cell leaves no trace in the row's positions, and a
wrapped label sits between two columns, so the grid can hand a figure to its neighbour's label. The template's
order is fixed nationally (kg/data/table_columns.toml ``[[orders]]``): the printed figures keep their order,
only the blank columns are unknown, and the table's own sums (三公 = 出国 + 公务用车 + 接待 …) say where the
blanks are. A reading is replaced only when it does not close and exactly one placement of the blanks does
(or, when several close — a blank beside an equal figure — the one the template says is usually blank).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import TYPE_CHECKING

from kg.tables.amounts import ROUNDING

if TYPE_CHECKING:
    import pandas as pd

from kg.tables.frames import records as frame_records

_MAX_BLANKS = 3  # more unknown blanks than this and the sums no longer pin the reading down


@dataclass(frozen=True)
class ColumnOrder:
    kind: str  # the table kind it applies to
    columns: tuple[str, ...]  # amount columns, in printed order
    sums: tuple[tuple[str, tuple[str, ...]], ...]  # (total, parts) that hold on every row
    usually_blank: tuple[str, ...] = ()  # ties go to a blank here first


def _closes(values: dict[str, Decimal | None], sums: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    def amount(name: str) -> Decimal:
        return values.get(name) or Decimal(0)
    # a blank total counts as 0: a blank 小计 over printed parts is no reading of the template
    return all(abs(amount(total) - sum((amount(p) for p in parts), Decimal(0))) <= ROUNDING
               for total, parts in sums if total in values)


def placements(printed: list[Decimal], order: ColumnOrder,
               max_blanks: int = _MAX_BLANKS) -> list[dict[str, Decimal | None]]:
    """Every way to put the printed figures, in order, under the order's columns that closes its sums."""
    blanks = len(order.columns) - len(printed)
    if blanks < 0 or blanks > max_blanks:
        return []
    out = []
    for empty in combinations(range(len(order.columns)), blanks):
        figures = iter(printed)
        values = {name: None if j in empty else next(figures) for j, name in enumerate(order.columns)}
        if _closes(values, order.sums):
            out.append(values)
    return out


def _preferred(placements: list[dict[str, Decimal | None]], order: ColumnOrder,
               read: dict[str, object]) -> dict[str, Decimal | None] | None:
    """The one placement left after ties go to the usual blanks, then to the figures the grid already put
    under that name; None when the sums leave a real choice."""
    def rank(values: dict[str, Decimal | None]) -> tuple[int, ...]:
        blanks = tuple(0 if values[name] is None else 1 for name in order.usually_blank)
        kept = sum(1 for name, value in values.items() if value is not None and read.get(name) == value)
        return (*blanks, -kept)
    best = min(rank(p) for p in placements)
    chosen = [p for p in placements if rank(p) == best]
    return chosen[0] if len(chosen) == 1 else None


def _agrees(values: dict[str, Decimal | None], order: ColumnOrder, stated: Mapping[str, Decimal]) -> bool:
    """Every item the text states is the figure placed under it (a blank is 0); the 三公 total is the order's
    合计 when the order has no 三公 column of its own."""
    for item, amount in stated.items():
        column = item if item in order.columns else "total" if item == "three_public" else None
        if column is not None and abs((values.get(column) or Decimal(0)) - amount) > ROUNDING:
            return False
    return True


def fit_column_order(frame: pd.DataFrame, kind: str, amount_columns: list[str], orders: tuple[ColumnOrder, ...],
                     stated: Mapping[str, Decimal] | None = None) -> tuple[pd.DataFrame, ColumnOrder | None, bool]:
    """The frame re-read under a template order when its own reading breaks the order's sums; else itself.
    ``stated``: the items the document's text states, in the table's unit; with two or more, the placements
    that agree with them are preferred (and may leave more cells blank than the sums alone could decide).
    The flag says whether the text decided."""
    candidates = [o for o in orders if o.kind == kind]
    evidence = dict(stated) if stated and len(stated) >= 2 else {}
    if frame.empty or not candidates:
        return frame, None, False
    rows = frame_records(frame)
    printed_rows = [[r[c] for c in amount_columns if isinstance(r[c], Decimal)] for r in rows]
    if not any(printed_rows):
        return frame, None, False
    for order in candidates:
        if set(order.columns) <= set(amount_columns) and all(_closes(r, order.sums) for r in rows):
            return frame, None, False  # read right already
    fits: list[tuple[ColumnOrder, list[dict[str, Decimal | None]]]] = []
    used_text = False
    for order in candidates:
        fitted = []
        for printed, read in zip(printed_rows, rows, strict=True):
            options = placements(printed, order)
            if evidence:
                by_text = [p for p in placements(printed, order, max_blanks=len(order.columns) - 1)
                           if _agrees(p, order, evidence)]
                options = by_text or options
                used_text = used_text or bool(by_text)
            chosen = _preferred(options, order, read) if options else None
            if chosen is None:
                break
            fitted.append(chosen)
        else:
            fits.append((order, fitted))
    # several templates fit: the one sharing most column names with the grid's reading, if only one does
    overlap = [len(set(order.columns) & set(amount_columns)) for order, _ in fits]
    if not fits or overlap.count(max(overlap)) > 1:
        return frame, None, False
    order, fitted = fits[overlap.index(max(overlap))]
    import pandas as pd  # only here: kg.tables.knowledge (which imports this module) stays light

    other = [c for c in frame.columns if c not in amount_columns]
    records = [{**{c: r[c] for c in other}, **values} for r, values in zip(rows, fitted, strict=True)]
    columns = [c for c in other if c in ("line", "last_line")] + list(order.columns) + \
        [c for c in other if c not in ("line", "last_line")]
    refitted = pd.DataFrame(records, columns=columns, dtype=object)
    refitted["line"] = refitted["line"].astype("int64")
    refitted["last_line"] = refitted["last_line"].astype("int64")
    refitted.attrs = dict(frame.attrs)
    return refitted, order, used_text
