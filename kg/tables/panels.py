"""Tables printed as panels side by side: one table, its rows continued in a second copy of its columns.

A long code table is often printed in two halves next to each other to save a page — Shanghai's
一般公共预算财政拨款基本支出决算表 prints 工资福利支出 on the left and 商品和服务支出 on the right, each half
under the same header (经济分类科目编码 类 款 | 科目名称 | 决算数). Read as one grid, the right half's codes
fall into columns named after nothing and a row's pieces split over lines mix both halves. Read as two
tables stacked, each half is an ordinary code table.

A block is two panels when header lines above its first row repeat their labels (``科目名称 决算数 科目名称
决算数``, ``类 … 类``) and no cell of any line straddles where the repetition starts. Each panel keeps the
block's line numbers; lines that print nothing in a panel vanish from it, so the rows of a panel that
touch in print (a name wrapped onto the next line) still touch (``renumbered`` maps them back).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kg.records import SourceLine
from kg.tables.amounts import parse_amount
from kg.tables.layout import compact

_MAX_HEADER_LINES = 8
_MIN_REPEATED_LINES = 2  # one header line repeating itself may be chance (小计 小计); two are a layout
_EDGE = 0.5  # a cell whose extent crosses the boundary by more than this straddles it
# a later page may print the second panel a few columns further left (``pdftotext`` packs each page on its
# own): a cell starting this close before the boundary still starts the second panel
_SHIFT = 4.0
_CLASS = re.compile(r"^[0-9]{3}$")  # a 类 printed in a column of its own
_PART = re.compile(r"^[0-9]{1,2}$")  # a 款 or 项


@dataclass(frozen=True)
class Panel:
    """One panel's lines, numbered so that lines which touch in the panel touch in numbers; ``real`` maps a
    panel number back to the document's line."""

    lines: list[SourceLine]
    real: dict[int, int]


def _extents(line: SourceLine) -> list[tuple[str, float, float]]:
    if line.columns is None:
        return []
    return [(text.strip(), x0, x1) for text, (x0, x1) in zip(line.text.split("\t"), line.columns, strict=False)
            if text.strip()]


def _repeat_start(cells: list[tuple[str, float, float]]) -> float | None:
    """Where a header line's labels start again (``A B A B`` → x of the second A), or None."""
    count = len(cells)
    if count < 2 or count % 2:
        return None
    half = count // 2
    first = [compact(text) for text, _, _ in cells[:half]]
    second = [compact(text) for text, _, _ in cells[half:]]
    return cells[half][1] if first == second else None


def panel_boundary(lines: list[SourceLine], is_data: Callable[[list[str]], bool]) -> float | None:
    """The x position where a second panel starts, or None for a table printed once across the page."""
    header: list[SourceLine] = []
    for line in lines:
        if is_data(line.text.split("\t")):
            break
        header.append(line)
        if len(header) > _MAX_HEADER_LINES:
            return None
    starts = [start for line in header if (start := _repeat_start(_extents(line))) is not None]
    if len(starts) < _MIN_REPEATED_LINES:
        return None
    boundary = min(starts)
    rows = [line for line in lines if line not in header]
    straddling = sum(1 for line in rows
                     if any(x0 < boundary - _SHIFT and x1 > boundary + _EDGE for _, x0, x1 in _extents(line)))
    if straddling * 2 > len(rows):
        return None  # cells across the boundary on most lines: one table whose header happens to repeat
    sides = [[x0 >= boundary - _SHIFT for _, x0, _ in _extents(line)] for line in rows]
    if sum(1 for s in sides if any(s)) < 2 or sum(1 for s in sides if not all(s)) < 2:
        return None  # a panel with no rows is no panel
    return boundary


def split_panels(lines: list[SourceLine], is_data: Callable[[list[str]], bool]) -> list[Panel] | None:
    """The block's panels, left to right, or None when it is printed as one table."""
    if not lines or any(line.columns is None for line in lines if "\t" in line.text):
        return None  # TAB-separated lines carry no positions to split at
    boundary = panel_boundary(lines, is_data)
    if boundary is None:
        return None
    sides = _sides(lines, boundary)
    panels: list[Panel] = []
    for left in (True, False):
        kept: list[SourceLine] = []
        real: dict[int, int] = {}
        number = lines[0].number
        previous: SourceLine | None = None  # the last line of the whole block seen
        for line, (split, shift) in zip(lines, sides, strict=True):
            extents = [(text, x0 + shift, x1 + shift) for text, x0, x1 in _extents(line)]
            cells = extents[:split] if left else extents[split:]
            if previous is not None and line.number - previous.number > 1:
                number += 1  # a blank line in print stays a gap in the panel
            previous = line
            if not cells:
                continue
            number += 1
            text = "\t".join(text for text, _, _ in cells)
            kept.append(SourceLine(number, text, line.raw, tuple((x0, x1) for _, x0, x1 in cells)))
            real[number] = line.number
        panels.append(Panel(kept, real))
    return panels


def _kind(text: str) -> str:
    if _CLASS.match(text):
        return "class"
    if _PART.match(text):
        return "part"
    return "amount" if parse_amount(text) is not None else "text"


def _sides(lines: list[SourceLine], boundary: float) -> list[tuple[int, float]]:
    """For each line, the index of its first cell in the second panel, and how far to move its cells.

    The cells' own order says it first: a name after an amount, a 类 after a 款 or a name, goes back in a
    panel's columns, so it starts the next panel. A line holding one panel's cells only goes by its 类 —
    the panel whose rows last had that 类 continues it (a later page may print the second panel further
    left; the line then moves to where that panel prints its 类) — and else by position."""
    last_class: list[tuple[str, float] | None] = [None, None]
    sides: list[tuple[int, float]] = []
    for line in lines:
        cells = _extents(line)
        kinds = [_kind(text) for text, _, _ in cells]
        split = next((i for i in range(1, len(cells))
                      if (kinds[i] == "text" and kinds[i - 1] == "amount")
                      or (kinds[i] == "class" and kinds[i - 1] in ("part", "text"))), None)
        shift = 0.0
        by_position = next((i for i, (_, x0, _) in enumerate(cells) if x0 >= boundary - _SHIFT), len(cells))
        if split is None and cells and kinds[0] == "class":
            owners = [side for side in (0, 1) if (seen := last_class[side]) is not None and seen[0] == cells[0][0]]
            if owners == [1]:  # the second panel's row alone on its line
                split = 0
                shift = last_class[1][1] - cells[0][1]  # type: ignore[index]
            elif owners == [0] and by_position == 0:
                split, shift = len(cells), last_class[0][1] - cells[0][1]  # type: ignore[index]
        if split is None:
            split = by_position
        for side, part in ((0, cells[:split]), (1, cells[split:])):
            if part and _CLASS.match(part[0][0]):
                last_class[side] = (part[0][0], part[0][1] + shift)
        sides.append((split, shift))
    return sides
