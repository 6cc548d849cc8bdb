"""Query results as text: an aligned terminal table, CSV, or JSON.

Amounts stay exact: CSV and the table print a Decimal as written; JSON writes it as a string (a JSON
number would pass through a binary float in most readers).
"""

from __future__ import annotations

import io
import json
import unicodedata
from decimal import Decimal
from typing import Any

import pandas as pd

from kg.errors import BudgetKGError

FORMATS = ("table", "csv", "json")
MAX_CELL_WIDTH = 48  # terminal table only; CSV and JSON are never cut


def _plain(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    if value is pd.NA:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars from rank columns
        return value.item()
    return value


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _cut(text: str, limit: int) -> str:
    if _width(text) <= limit:
        return text
    kept, width = [], 0
    for char in text:
        width += _width(char)
        if width > limit - 1:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _cell(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else str(value)


def format_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "(no rows)"
    columns = [str(c) for c in frame.columns]
    cells = [[_cut(_cell(v), MAX_CELL_WIDTH) for v in row] for row in frame.itertuples(index=False)]
    widths = [max([_width(c)] + [_width(row[i]) for row in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip()

    body = [line(columns), line(["-" * w for w in widths])] + [line(row) for row in cells]
    return "\n".join(body) + f"\n({len(cells)} rows)"


def format_result(frame: pd.DataFrame, fmt: str = "table") -> str:
    if fmt == "table":
        return format_table(frame)
    if fmt == "csv":
        buffer = io.StringIO()
        frame.map(_plain).to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue()
    if fmt == "json":
        records = [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=2)
    raise BudgetKGError("--format", f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}",
                        code="bad-format")
