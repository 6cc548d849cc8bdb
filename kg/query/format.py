"""Query results as text: an aligned terminal table, CSV, or JSON; or as a file (:func:`write_frame`).

Amounts stay exact: CSV and the table print a Decimal as written; JSON writes it as a string (a JSON
number would pass through a binary float in most readers). Table columns are aligned by display width
(wcwidth: a CJK character takes two columns). ``bom=True`` starts CSV with a UTF-8 byte order mark, which
Excel on Chinese Windows needs to read UTF-8.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from wcwidth import wcswidth, wcwidth

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
    """Display width in terminal columns (CJK characters take two; a control character counts as one)."""
    width = wcswidth(text)
    return width if width >= 0 else sum(max(wcwidth(c), 1) for c in text)


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


BOM = "\ufeff"


def format_result(frame: pd.DataFrame, fmt: str = "table", *, bom: bool = False) -> str:
    """``frame`` as an aligned table, CSV (``bom``: with a UTF-8 byte order mark) or a JSON array of records."""
    if fmt == "table":
        return format_table(frame)
    if fmt == "csv":
        buffer = io.StringIO()
        frame.astype(object).map(_plain).to_csv(buffer, index=False, lineterminator="\n")
        return (BOM if bom else "") + buffer.getvalue()
    if fmt == "json":
        records = [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        return json.dumps(records, ensure_ascii=False, indent=2)
    raise BudgetKGError("--format", f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}",
                        code="bad-format")


FILE_FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".txt": "table"}


def write_frame(frame: pd.DataFrame, path: str | Path, *, bom: bool = False) -> Path:
    """Write ``frame`` to ``path`` in the format its suffix names: ``.csv`` (``bom`` for Excel), ``.json``,
    ``.parquet`` (dtypes and ``frame.attrs`` kept; needs the ``parquet`` extra: ``pip install
    'budget-kg[parquet]'``) or ``.txt`` (the aligned table). Written beside the target and renamed in, so
    an interrupted write leaves any previous file intact."""
    path = Path(path)
    fmt = FILE_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BudgetKGError(str(path), f"cannot tell the format from the suffix {path.suffix or '(none)'!r}; "
                            f"use one of {', '.join(FILE_FORMATS)}", code="bad-format")
    partial = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "parquet":
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise BudgetKGError(str(path), "writing Parquet needs pyarrow: pip install 'budget-kg[parquet]'",
                                    code="missing-dependency") from None
            exportable = frame.copy()
            for column in exportable.columns:  # exact money (Decimal objects) is written as Float64
                if exportable[column].dtype == object:
                    exportable[column] = pd.to_numeric(exportable[column].map(
                        lambda v: None if v is None or v is pd.NA else float(v)), errors="coerce").astype("Float64")
            exportable.to_parquet(partial, index=False)
        else:
            text = format_result(frame, fmt, bom=bom)
            partial.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path
