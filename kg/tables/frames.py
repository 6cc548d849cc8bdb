"""Reading a typed table frame row by row, cheaply.

pandas deep-copies ``DataFrame.attrs`` into every Series it derives (each column ``to_dict`` reads, each row
``iterrows`` gives), and a table's attrs hold its header lines and title match; ``to_dict("records")`` also
boxes every value of a frame of a few dozen rows one by one. ``records`` reads the frame as one object array
instead: the same dicts for the frames the tables make (Python ints, Decimals, strings and None), at a fraction
of the cost.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` for a table's frame, without copying ``frame.attrs`` once per column."""
    columns = frame.columns.tolist()
    if not columns:
        return [{} for _ in range(len(frame))]
    # an int64 or object block converted to object holds Python ints and the cells' own objects: what
    # to_dict's per-value boxing would give
    return [dict(zip(columns, row, strict=True)) for row in frame.to_numpy(dtype=object).tolist()]


_LINE_COLUMNS = ["line", "last_line"]

try:  # pandas >= 3.0: a frame from ready blocks, without type inference
    from pandas.api.internals import create_dataframe_from_blocks
except ImportError:  # pragma: no cover - older pandas builds the frame the slow way
    create_dataframe_from_blocks = None


def object_frame(data: dict[str, list[Any]], columns: list[str]) -> pd.DataFrame:
    """A table's frame: ``line`` and ``last_line`` int64, every other column Python objects (no string dtype
    inferred) — what ``pd.DataFrame(data, columns=columns, dtype=object)`` and two ``astype("int64")`` column
    assignments make, built from its two blocks at once (a tenth of the cost: the two assignments each split
    the frame's block)."""
    other = columns[2:]
    if (create_dataframe_from_blocks is None or columns[:2] != _LINE_COLUMNS or len(set(columns)) != len(columns)
            or not set(columns) <= set(data)):
        frame = pd.DataFrame(data, columns=columns, dtype=object)
        for name in _LINE_COLUMNS:
            frame[name] = frame[name].astype("int64")
        return frame
    rows = len(data["line"])
    cells = np.empty((len(other), rows), dtype=object)  # a block holds its columns as rows
    for position, name in enumerate(other):
        for row, value in enumerate(data[name]):  # one by one: a list or tuple value stays one object
            cells[position, row] = value
    lines = np.array([data["line"], data["last_line"]], dtype=np.int64).reshape(2, rows)
    return create_dataframe_from_blocks([(lines, np.array([0, 1])), (cells, np.arange(2, len(columns)))],
                                        index=pd.RangeIndex(rows), columns=pd.Index(columns))
