"""Grids: the cells of one table block lined up into columns.

A TAB-separated line (the seeds, a ruled PDF table) carries its columns already: cell j is column j. A
space-aligned line (``pdftotext -layout``, unruled PDF text) carries only positions (``SourceLine.columns``),
and single lines are not enough: an empty cell leaves no trace, and a row of two amounts under three amount
headings does not say which one is missing. So the columns are inferred from the whole block:

1. the data rows' cells are typed — leading digits are code parts, numbers are amounts, the rest text — and
   clustered per type: text and codes by their left edge (they are printed left-aligned), amounts by their
   right edge (right-aligned). Two clusters of one type that never meet in one row are one column that drifted
   (Word-made tables centre each cell on its own), so they merge;
2. header labels that stand over no data column (a column empty in every row, such as 事业收入) add a column.
   A label's extent counts a CJK character as two columns: ``pdftotext -layout`` writes one character per
   glyph at the glyph's position, so a label's start is exact and its printed width twice its length;
3. every line's cells are assigned to columns by an order-preserving alignment (dynamic programming) that
   pays for distance and for a cell of the wrong type.

The result has one cell string per column for every line, so the header and the rows of a block share their
column numbers however the page spaced them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median
from typing import Literal

from kg.ingest.layout import Cell, a_name, split_words
from kg.records import SourceLine
from kg.tables.amounts import is_nil, parse_amount

CellKind = Literal["code", "amount", "text"]
LabelKind = Literal["code", "amount", "text", "any"]  # what a header label heads ("any": unknown or spanning)

# Positions are character columns: cells of one column start (text) or end (amounts) within this of each other.
ALIGN_TOLERANCE = 3.0
_SHARED_LABEL_COST = 1.0  # two labels over one column when a free column stands as close
_LONE_COLUMN_PENALTY = 20.0  # a block with one column: a label far from it still heads it
_WRONG_KIND_COST = 40.0
_CODE_AS_TEXT_COST = 6.0  # a 合计 label printed in the code column, a code printed in the name column
_SHARED_TEXT_COST = 2.0  # two text cells in one column (a label broken by a double space)
_PAGE_ROWS = 3  # rows enough to tell where a table's columns usually stand
_RUN_ROWS = 2  # rows printed together enough to show a page's own positions
_CODE_PART = re.compile(r"^[0-9]{1,7}$")
# a 科目编码 printed in one cell with its 类, 款 and 项 spaced apart ("201 01 01"): read as one number it would be
# an amount (a number broken by the extraction), but 3 digits then groups of 2 are the code's own grouping
_SPACED_CODE = re.compile(r"^[0-9]{3}(?: [0-9]{2}){1,2}$")
# the same grouped by dots or dashes ("201.01.01", "201-01"): a code where a row's label follows it ("201.01" alone
# would be an amount)
_DOTTED_CODE = re.compile(r"^[0-9]{3}(?:[.．\-－][0-9]{2}){1,2}$")
_INF = float("inf")
_LETTER = re.compile(r"[\u3400-\u9fff]")


@dataclass
class _Cell:
    text: str
    x0: float
    x1: float
    kind: LabelKind
    stacked: bool = False  # a label joined from pieces stacked over header lines: a column's own, no group's


@dataclass
class Column:
    """One inferred column: its type and where its cells sit (median left and right edges)."""

    kind: CellKind
    x0: float
    x1: float
    rows: set[int] = field(default_factory=set)  # data rows that fill it
    low: float | None = None  # leftmost and rightmost point any of its cells reaches
    high: float | None = None

    @property
    def span(self) -> tuple[float, float]:
        return (self.x0 if self.low is None else self.low, self.x1 if self.high is None else self.high)

    @property
    def anchor(self) -> float:
        return self.x1 if self.kind == "amount" else self.x0


@dataclass
class Grid:
    """The columns of a block and each line's cells, one string per column (empty where the line has none)."""

    columns: list[Column]
    cells: list[list[str]]
    cost: list[float]  # per line: how far its cells sat from their columns (0 = exactly aligned)
    data: list[bool]  # per line: a row (amounts, a code, a row label) rather than a header line
    positioned: bool = False  # lined up by position (cells broken over lines are possible), not by TABs


def _tab_cells(line: SourceLine) -> list[str]:
    """A TAB line's cells, trailing empty cells (padding) removed."""
    cells = [c.strip() for c in line.text.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _tab_columns(rows: list[list[str]], is_data: Callable[[list[str]], bool]) -> list[Column]:
    """The kind of each column of a TAB block: what most of its filled cells in the data rows are."""
    width = max((len(r) for r in rows), default=0)
    votes: list[dict[CellKind, int]] = [{} for _ in range(width)]
    for row in rows:
        if not is_data(row):
            continue
        for j, (text, kind) in enumerate(zip(row, cell_kinds(row), strict=True)):
            if text:
                votes[j][kind] = votes[j].get(kind, 0) + 1
    return [Column(max(v, key=lambda k: v[k]) if v else "text", float(j), float(j) + 0.5)
            for j, v in enumerate(votes)]


def positioned(line: SourceLine) -> bool:
    return line.columns is not None


def cell_kinds(texts: Sequence[str]) -> list[CellKind]:
    """Digits before any text are code parts (``201 | 13 | 01``) or a code spaced in one cell (``201 13 01``);
    numbers are amounts; everything else is text."""
    kinds: list[CellKind] = []
    seen_text = False
    # a placeholder before the row's label stands where its code goes ("** | ** | ** | 合计 | 300.00"): a code part
    label_at = next((j for j, t in enumerate(texts) if t.strip() and parse_amount(t.strip()) is None
                     and not is_nil(t) and not _CODE_PART.match(t.strip()) and not _DOTTED_CODE.match(t.strip())),
                    len(texts))
    for j, text in enumerate(texts):
        stripped = text.strip()
        if not seen_text and ((_CODE_PART.match(stripped) and (len(stripped) in (2, 3, 5, 7) or not kinds))
                              or (not kinds and _SPACED_CODE.match(stripped))
                              or (j < label_at < len(texts) and (is_nil(stripped) or _DOTTED_CODE.match(stripped)))):
            kinds.append("code")
        elif parse_amount(stripped) is not None or is_nil(stripped):
            kinds.append("amount")
        else:
            kinds.append("text")
            seen_text = True
    return kinds


def _cells(line: SourceLine) -> list[_Cell]:
    texts = line.text.split("\t")
    spans = line.columns or tuple((float(i), float(i) + 0.5) for i in range(len(texts)))
    kinds = cell_kinds(texts)
    return [_Cell(t.strip(), x0, x1, k) for t, (x0, x1), k in zip(texts, spans, kinds, strict=True) if t.strip()]


def _letter_spaced(cells: list[_Cell], label_kind: Callable[[str], LabelKind]) -> list[_Cell]:
    """"合    计" in a row is one word printed letter-spaced (single characters), not two cells; but 类 款 项
    are three labels."""
    out: list[_Cell] = []
    spaced = False  # out[-1] was made of single characters
    for cell in cells:
        single = (cell.kind == "text" and len(cell.text) == 1 and bool(_LETTER.match(cell.text))
                  and label_kind(cell.text) != "code")
        if single and out and (spaced or (out[-1].kind == "text" and len(out[-1].text) == 1
                                          and _LETTER.match(out[-1].text))):
            out[-1] = _Cell(out[-1].text + cell.text, out[-1].x0, cell.x1, "text")
            spaced = True
        else:
            out.append(cell)
            spaced = False
    return out


def _words(cells: list[_Cell]) -> list[_Cell]:
    out: list[_Cell] = []
    for cell in cells:
        if " " not in cell.text:
            out.append(cell)
            continue
        words = split_words(Cell(cell.text, cell.x0, cell.x1))
        if _letter_spaced_run(words):
            # labels printed a character apart over several columns ("采 购 物采 购 组" over 品名称 | 织形式): where
            # one label ends and the next begins is known only from where each character stands
            words = [Cell(char, word.x0 + k * (word.x1 - word.x0) / len(word.text),
                          word.x0 + (k + 1) * (word.x1 - word.x0) / len(word.text))
                     for word in words for k, char in enumerate(word.text)]
        out.extend(_Cell(word.text, word.x0, word.x1, cell.kind) for word in words)
    return out


def _letter_spaced_run(words: list[Cell]) -> bool:
    """Three characters or more printed one apart, two of them run together at most where two labels meet."""
    lengths = [len(w.text) for w in words]
    return (len(words) >= 3 and all(_LETTER.fullmatch(w.text[0]) for w in words) and max(lengths) <= 2
            and lengths.count(2) <= 1)


def _labels(cells: list[_Cell], label_kind: Callable[[str], LabelKind]) -> list[_Cell]:
    """Header cells typed by what their label heads."""
    return [_Cell(c.text, c.x0, c.x1, label_kind(c.text)) for c in cells]


def _cluster(values: list[tuple[float, int]], tolerance: float) -> list[list[tuple[float, int]]]:
    """1-D single-linkage clusters of (position, row) pairs."""
    clusters: list[list[tuple[float, int]]] = []
    for value in sorted(values):
        if clusters and value[0] - clusters[-1][-1][0] <= tolerance:
            clusters[-1].append(value)
        else:
            clusters.append([value])
    return clusters


def _columns_from_rows(rows: list[list[_Cell]], label_lines: Sequence[list[float]] = (),
                       all_labels: Sequence[tuple[float, LabelKind]] = ()) -> list[Column]:
    """Columns from the rows' cells clustered per type; ``label_lines`` (the centres of the amount labels of
    each header line) split an amount cluster that stands under two labels: right edges of neighbouring
    columns can run together when no row fills both (人员经费 rows and 公用经费 rows)."""
    by_kind: dict[CellKind, list[tuple[float, int, _Cell]]] = {"code": [], "amount": [], "text": []}
    for index, cells in enumerate(rows):
        for cell in cells:
            by_kind[cell.kind].append((cell.x1 if cell.kind == "amount" else cell.x0, index, cell))
    columns: list[Column] = []
    for kind, items in by_kind.items():
        lookup = {(x, i): c for x, i, c in items}
        for cluster in _cluster([(x, i) for x, i, _ in items], ALIGN_TOLERANCE):
            members = [(lookup[item], item[1]) for item in cluster]
            parts = _split_by_labels(members, label_lines) if kind == "amount" else [members]
            for part in parts:
                columns.append(Column(kind, median(c.x0 for c, _ in part), median(c.x1 for c, _ in part),
                                      {i for _, i in part}, min(c.x0 for c, _ in part),
                                      max(c.x1 for c, _ in part)))
    columns.sort(key=lambda c: (c.x0 + c.x1) / 2)
    return _merge_drifted(columns, [x for line in label_lines for x in line], list(all_labels))


def _split_by_labels(members: list[tuple[_Cell, int]],
                     label_lines: Sequence[list[float]]) -> list[list[tuple[_Cell, int]]]:
    low = min(c.x0 for c, _ in members) - ALIGN_TOLERANCE
    high = max(c.x1 for c, _ in members) + ALIGN_TOLERANCE
    centres = max(([x for x in line if low <= x <= high] for line in label_lines), key=len, default=[])
    if len(centres) < 2:
        return [members]
    parts: dict[float, list[tuple[_Cell, int]]] = {}
    for cell, row in members:
        nearest = min(centres, key=lambda x: abs((cell.x0 + cell.x1) / 2 - x))
        parts.setdefault(nearest, []).append((cell, row))
    return [parts[x] for x in sorted(parts)]


def _merge_drifted(columns: list[Column], amount_labels: list[float],
                   labels: list[tuple[float, LabelKind]]) -> list[Column]:
    """Adjacent columns of one type that no row fills together are one column printed at shifting places —
    unless the header heads them apart (the nearest label of each differs): 基本支出 and 项目支出 may never
    share a row, nor the levels of a hierarchy (采购品目 | 专项名称 | 采购物品名称)."""
    def label_of(column: Column, centres: list[float]) -> float | None:
        centre = (column.x0 + column.x1) / 2
        return min(centres, key=lambda x: abs(x - centre)) if centres else None

    def one_label(a: Column, b: Column) -> bool:
        if a.kind == "amount":  # amounts merge only under one amount label
            return bool(amount_labels) and label_of(a, amount_labels) == label_of(b, amount_labels)
        # a code column heeds the labels that may head codes, a text column those that may head text
        centres = [x for x, kind in labels if kind in ("any", a.kind)]
        return label_of(a, centres) == label_of(b, centres)

    merged: list[Column] = []
    for column in columns:
        previous = merged[-1] if merged else None
        if (previous is not None and previous.kind == column.kind and not (previous.rows & column.rows)
                and one_label(previous, column)):
            weight_a, weight_b = len(previous.rows), len(column.rows)
            total = weight_a + weight_b
            previous.x0 = (previous.x0 * weight_a + column.x0 * weight_b) / total
            previous.x1 = (previous.x1 * weight_a + column.x1 * weight_b) / total
            previous.rows |= column.rows
            previous.low = min(previous.span[0], column.span[0])
            previous.high = max(previous.span[1], column.span[1])
        else:
            merged.append(column)
    return merged


def _distance(cell: _Cell, column: Column) -> float:
    if column.kind == "amount" and cell.kind == "amount":
        return abs(cell.x1 - column.x1)
    if cell.kind == "amount":
        return abs(cell.x1 - column.x1)
    return abs(cell.x0 - column.x0)


def _label_distance(cell: _Cell, column: Column) -> float:
    """A header label is centred over its column."""
    return abs((cell.x0 + cell.x1) / 2 - (column.x0 + column.x1) / 2)


def _over(cell: _Cell, column: Column) -> bool:
    """The label's centre stands over the column (anywhere its cells reach)."""
    low, high = column.span
    return low - 1 <= (cell.x0 + cell.x1) / 2 <= high + 1


def _cost(cell: _Cell, column: Column, header: bool) -> float:
    if header:
        # a label known to head one kind of column (科目编码, 科目名称, 合计) never heads another
        wrong = cell.kind not in ("any", column.kind)
        return _label_distance(cell, column) + (_WRONG_KIND_COST if wrong else 0.0)
    distance = _distance(cell, column)
    if cell.kind == column.kind:
        return distance
    if {cell.kind, column.kind} == {"code", "text"}:
        return distance + _CODE_AS_TEXT_COST
    return distance + _WRONG_KIND_COST


def _align(cells: list[_Cell], columns: list[Column], header: bool) -> tuple[list[int], float]:
    """Order-preserving assignment of cells to columns at least cost; consecutive text cells may share one."""
    n, m = len(cells), len(columns)
    if n == 0:
        return [], 0.0
    best = [[_INF] * m for _ in range(n)]
    back = [[-1] * m for _ in range(n)]
    for j in range(m):
        best[0][j] = _cost(cells[0], columns[j], header)
    for i in range(1, n):
        shareable = header or (cells[i].kind == "text" and cells[i - 1].kind == "text")
        running, running_at = _INF, -1
        for j in range(m):
            cost = _cost(cells[i], columns[j], header)
            if j > 0 and best[i - 1][j - 1] < running:
                running, running_at = best[i - 1][j - 1], j - 1
            options = [(running, running_at)]
            if (shareable and columns[j].kind == "text") or header:
                options.append((best[i - 1][j] + (0 if header else _SHARED_TEXT_COST), j))
            value, origin = min(options)
            if value < _INF:
                best[i][j] = value + cost
                back[i][j] = origin
    end = min(range(m), key=lambda j: best[n - 1][j])
    total = best[n - 1][end]
    if total == _INF:  # more cells than columns and nothing to share: keep order, pile the rest on the last
        return [min(i, m - 1) for i in range(n)], _INF
    assignment = [0] * n
    j = end
    for i in range(n - 1, -1, -1):
        assignment[i] = j
        j = back[i][j]
    return assignment, total


def _unmatched_labels(cells: list[_Cell], columns: list[Column], penalty: float, leaves: int = 0) -> list[_Cell]:
    """The labels of one header line that head none of ``columns``: an order-preserving matching of labels
    to columns (several labels may share one: "金 额") where leaving a label unmatched costs ``penalty`` —
    except an amount label of a line naming no more amount columns than the rows fill, in a header whose
    ``leaves`` (the amount labels nothing stands under) are no more either: it heads one."""
    m = len(columns)
    amount_labels = sum(1 for c in cells if c.kind == "amount")
    amount_columns = sum(1 for c in columns if c.kind == "amount")
    must_match = amount_labels <= amount_columns and leaves <= amount_columns
    # best[j + 1]: least cost so far with the last matched column j (-1: none yet); choices to backtrack
    best = [0.0] + [_INF] * m
    trail: list[list[tuple[int, bool]]] = []
    for cell in cells:
        new = [_INF] * (m + 1)
        choice: list[tuple[int, bool]] = [(-1, False)] * (m + 1)
        for last in range(m + 1):
            if best[last] == _INF:
                continue
            skip = _INF if must_match and cell.kind == "amount" else penalty
            if best[last] + skip < new[last]:
                new[last], choice[last] = best[last] + skip, (last, False)
            for j in range(max(last - 1, 0), m):
                cost = best[last] + _cost(cell, columns[j], True) + (_SHARED_LABEL_COST if j == last - 1 else 0)
                if cost < new[j + 1]:
                    new[j + 1], choice[j + 1] = cost, (last, True)
        best = new
        trail.append(choice)
    state = min(range(m + 1), key=lambda j: best[j])
    unmatched: list[_Cell] = []
    for cell, choice in zip(reversed(cells), reversed(trail), strict=True):
        previous, matched = choice[state]
        if not matched:
            unmatched.append(cell)
        state = previous
    return unmatched[::-1]


def _amount_leaves(header_lines: list[list[_Cell]]) -> int:
    """Amount labels with no label of a lower header line standing under them: the columns the header names.
    The national 部门收入总表 names ten (合计, four budgets, 单位资金's five parts under it) where the rows may
    fill six: its lines alone (six labels, five) would each seem to name no more than the rows fill."""
    count = 0
    for level, cells in enumerate(header_lines):
        # a label wrapped in its own column (joined from stacked pieces) stands under no other: it was printed
        # beside its neighbours at a height of its own
        below = [(c.x0 + c.x1) / 2 for lower in header_lines[level + 1:] for c in lower if not c.stacked]
        count += sum(1 for c in cells if c.kind == "amount"
                     and not any(c.x0 - ALIGN_TOLERANCE <= x <= c.x1 + ALIGN_TOLERANCE for x in below))
    return count


def _dense(cells: list[_Cell], columns: list[Column]) -> bool:
    """A header line naming more amount columns (three or more) than the rows fill: a 决算's "预算数 决算数"
    under every item, above a row printing two figures."""
    amount_labels = sum(1 for c in cells if c.kind == "amount")
    return amount_labels >= 3 and amount_labels > sum(1 for c in columns if c.kind == "amount")


def _line_penalty(cells: list[_Cell], penalty: float) -> float:
    """A dense line's label heads a column of its own once it stands half its own line's spacing away from the
    rows' columns, not half theirs."""
    amount_centres = sorted((c.x0 + c.x1) / 2 for c in cells if c.kind == "amount")
    spacing = median(b - a for a, b in pairwise(amount_centres))
    return min(penalty, max(spacing / 2, ALIGN_TOLERANCE))


def _header_columns(header_lines: list[list[_Cell]], columns: list[Column]) -> list[Column]:
    """Add a column under each header label that heads no data column (a column empty in every row).

    Labels are matched to the rows' columns line by line (``_unmatched_labels``); leaving one unmatched costs
    half the usual distance between two columns, so a label centred over a wide column still heads it."""
    centres = sorted((c.x0 + c.x1) / 2 for c in columns)
    gaps = [b - a for a, b in pairwise(centres)]
    penalty = max(median(gaps) / 2, ALIGN_TOLERANCE) if gaps else _LONE_COLUMN_PENALTY
    # left of the amounts a label over no column spans several (功能分类科目编码 over 类 款 项): no new column
    first_amount = min((c.span[0] for c in columns if c.kind == "amount"), default=None)
    extra: list[Column] = []
    dense = [_dense(cells, columns) for cells in header_lines]
    amount_labels = [sum(1 for c in cells if c.kind == "amount") for cells in header_lines]
    # the densest line is the finest division of the columns: labels on other lines span its columns
    finest = max((n for n, d in zip(amount_labels, dense, strict=True) if d), default=0)
    adding = [d and n == finest for n, d in zip(amount_labels, dense, strict=True)] if finest else \
        [True] * len(header_lines)
    leaves = _amount_leaves(header_lines)
    # a label joined from stacked pieces heads a column of its own wherever its last piece was printed (the
    # pieces of its neighbours stood at other heights)
    unmatched = [_unmatched_labels(cells, columns, _line_penalty(cells, penalty) if is_dense else penalty, leaves)
                 if adds else _unmatched_labels([c for c in cells if c.stacked], columns, penalty, leaves)
                 for cells, is_dense, adds in zip(header_lines, dense, adding, strict=True)]
    for level in range(len(header_lines)):
        # labels lower down that head a column: an unknown label just above one spans it ("支出" over
        # "支出用途" over "金额"), it does not head an empty column of its own
        heading = [(c.x0 + c.x1) / 2 for lower in range(level + 1, len(header_lines))
                   for c in header_lines[lower] if c not in unmatched[lower]]
        for cell in unmatched[level]:
            if first_amount is None or (cell.x0 + cell.x1) / 2 < first_amount or cell.kind in ("code", "text"):
                continue
            if cell.kind == "any" and any(abs((cell.x0 + cell.x1) / 2 - x) <= penalty for x in heading):
                continue
            if not any(_over(cell, c) for c in extra):
                extra.append(Column("amount", cell.x0, cell.x1))
    if not extra:
        return columns
    return sorted(columns + extra, key=lambda c: (c.x0 + c.x1) / 2)


def _split_at_columns(cells: list[_Cell], columns: list[Column]) -> list[_Cell]:
    """A text cell whose words start at two text columns is two cells: the export ran them together with one
    space (``机要及电子政务业务费 办公设备购置`` under 专项名称 | 经济科目)."""
    starts = [c.x0 for c in columns if c.kind == "text"]
    out: list[_Cell] = []
    for cell in cells:
        if cell.kind != "text" or " " not in cell.text:
            out.append(cell)
            continue
        words = split_words(Cell(cell.text, cell.x0, cell.x1))
        # a cut leaves a name on each side (two characters or more, no bracket left open: "一、货物 A" and
        # "打印设备(20 万以下)" are one cell each)
        cuts = [i for i, word in enumerate(words) if i > 0 and any(
            abs(word.x0 - x) <= ALIGN_TOLERANCE and x - cell.x0 > ALIGN_TOLERANCE for x in starts)
            and a_name(" ".join(w.text for w in words[:i])) and a_name(" ".join(w.text for w in words[i:]))]
        if not cuts:
            out.append(cell)
            continue
        for first, last in pairwise([0, *cuts, len(words)]):
            piece = words[first:last]
            out.append(_Cell(" ".join(w.text for w in piece), piece[0].x0, piece[-1].x1, "text"))
    return out


def _join_stacked_labels(header_lines: list[list[_Cell]], label_name: Callable[[str], str | None],
                         label_kind: Callable[[str], LabelKind]) -> None:
    """A label wrapped over header lines among its neighbours' pieces (the national 财政拨款收入支出决算总表:
    "一般公共预算" / "财" / "政拨款" beside "政府性基金预" / "算" / "财政拨款" and "国有资本经营" / "预" / "算财政拨"
    / "款", each piece on a line of its own) is one label, on the line of its last piece: pieces stand one under
    the other (their centres or left edges within the tolerance), and the longest run of them that names an
    amount column its last piece alone does not name is joined ("一般公共预算" / "财政拨款" is 一般公共预算财政拨款,
    not 财政拨款; "江苏省高级人民法院" over "功能科目编码" stays apart). Each piece left on its line would head a
    column of its own, or join its neighbour's column (modified in place)."""
    chains: list[list[tuple[int, _Cell]]] = []
    for level, cells in enumerate(header_lines):
        for cell in cells:
            centre = (cell.x0 + cell.x1) / 2
            near = [(min(abs(centre - (above.x0 + above.x1) / 2), abs(cell.x0 - above.x0)), chain)
                    for chain in chains for at, above in chain[-1:] if at < level]
            near = [(d, chain) for d, chain in near if d <= ALIGN_TOLERANCE]
            if near:
                min(near, key=lambda item: item[0])[1].append((level, cell))
            else:
                chains.append([(level, cell)])
    for chain in chains:
        run = _known_run([cell for _, cell in chain], label_name) if len(chain) > 1 else None
        if run is None:
            continue
        text = "".join(c.text for _, c in chain[run[0]:run[1]])
        if label_kind(text) != "amount":
            continue  # a text column's label wrapped (专项 / 名称) is named from its pieces (kg.tables.parse)
        first, last = run
        pieces = chain[first:last]
        joined = _Cell(text, min(c.x0 for _, c in pieces), max(c.x1 for _, c in pieces), label_kind(text), True)
        for level, cell in pieces:
            header_lines[level].remove(cell)
        line = header_lines[pieces[-1][0]]
        line.append(joined)
        line.sort(key=lambda c: c.x0)


def _known_run(cells: list[_Cell], label_name: Callable[[str], str | None]) -> tuple[int, int] | None:
    """The longest run of stacked pieces that reads as a known label its last piece alone does not name."""
    for size in range(len(cells), 1, -1):
        for start in range(len(cells) - size + 1):
            run = cells[start:start + size]
            joined = "".join(c.text for c in run)
            # a known label under a piece of text ("江苏省高级人民法院" over "功能科目编码") is that label: the text
            # above is no piece of it
            name = label_name(joined)
            if name is not None and label_name(run[-1].text) != name:
                return start, start + size
    return None


def _runs(lines: list[SourceLine]) -> list[list[int]]:
    """Indexes of lines printed one under another (no blank or dropped line between): a page, or part of one."""
    runs: list[list[int]] = []
    for index, line in enumerate(lines):
        if runs and line.number == lines[runs[-1][-1]].number + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _matched(edges: list[float], anchors: list[float], offset: float) -> int:
    return sum(1 for e in edges if any(abs(e + offset - a) <= ALIGN_TOLERANCE for a in anchors))


def _unshift_pages(parsed: list[list[_Cell]], data: list[bool], runs: list[list[int]]) -> None:
    """A table continued on the next page is often printed at other positions there (``pdftotext`` packs
    each page on its own): shift the amounts of such a run so that its columns meet the main run's."""
    def edges(run: list[int]) -> list[float]:
        return [c.x1 for i in run if data[i] for c in parsed[i] if c.kind == "amount"]

    # a page holds several rows; a run of one row (tables with a blank line after every row) is left alone
    pages = [run for run in runs if edges(run) and sum(1 for i in run if data[i]) >= _RUN_ROWS]
    if len(pages) < 2:
        return
    reference = pages[0]  # the page under the header
    with_rows = pages
    anchors = [median(v for v, _ in cluster) for cluster in _cluster([(e, 0) for e in edges(reference)],
                                                                       ALIGN_TOLERANCE)]
    for run in with_rows:
        run_edges = edges(run)
        if run is reference or _matched(run_edges, anchors, 0) == len(run_edges):
            continue
        offsets = sorted({a - e for a in anchors for e in run_edges}, key=abs)
        best = max(offsets, key=lambda d: _matched(run_edges, anchors, d))
        if _matched(run_edges, anchors, best) <= _matched(run_edges, anchors, 0):
            continue
        for i in run:
            parsed[i] = [_Cell(c.text, c.x0 + best, c.x1 + best, c.kind) if c.kind == "amount" else c
                         for c in parsed[i]]


def _rows_in_place(parsed: list[list[_Cell]], data: list[bool]) -> list[list[_Cell]]:
    """The data rows printed at the table's usual places, to infer columns from.

    A row printed whole at another place (a Word table centres each row on its own; a page packed
    differently) would add a column of its own for every cell: such rows are only aligned, not counted.
    The usual places are those of the rows whose name starts where most names start; another row counts
    when one of its codes or texts starts at one of those rows' columns."""
    rows = [cells for cells, is_row in zip(parsed, data, strict=True) if is_row and cells]
    starts = [(next(c.x0 for c in cells if c.kind == "text"), i) for i, cells in enumerate(rows)
              if any(c.kind == "text" for c in cells)]
    if len(starts) < _PAGE_ROWS:
        return rows
    biggest = {i for _, i in max(_cluster(starts, ALIGN_TOLERANCE), key=len)}
    usual = _columns_from_rows([rows[i] for i in sorted(biggest)])
    anchors = [(c.kind, c.x0) for c in usual if c.kind != "amount"]

    def in_place(cells: list[_Cell]) -> bool:
        # one code or text at a usual place anchors the row (a label column the usual rows leave empty
        # may stand beside it); a row moved whole has none
        return any(any(kind == c.kind and abs(x - c.x0) <= ALIGN_TOLERANCE for kind, x in anchors)
                   for c in cells if c.kind != "amount")

    return [cells for i, cells in enumerate(rows) if i in biggest or in_place(cells)]


def align_block(lines: list[SourceLine], is_data: Callable[[list[str]], bool],
                label_kind: Callable[[str], LabelKind] = lambda _: "any",
                label_name: Callable[[str], str | None] = lambda _: None) -> Grid:
    """Line the block's cells up into columns (see module doc). TAB lines keep their own columns.

    ``label_kind`` says what a header label heads when the vocabulary knows it: "code" (科目编码, 类), "text"
    (科目名称), "amount" (合计, 基本支出) or "any" (unknown labels, and spanning ones such as 支出预算);
    ``label_name`` names the column a label heads (None for a label the vocabulary does not know): the pieces of
    a label stacked over header lines are joined when together they name one."""
    # TAB rows (the seeds, a PDF's ruled tables) carry their columns; a block is lined up by position only
    # when its rows of several cells are mostly positioned ones
    several = [ln for ln in lines if len(ln.text.split("\t")) > 1]
    if sum(1 for ln in several if positioned(ln)) * 2 <= len(several):
        cells = [_tab_cells(ln) for ln in lines]
        return Grid(_tab_columns(cells, is_data), cells, [0.0] * len(lines), [is_data(c) for c in cells])
    parsed = [_cells(ln) for ln in lines]
    data = [is_data([c.text for c in cells]) for cells in parsed]
    parsed = [_letter_spaced(cells, label_kind) if is_row else cells
              for cells, is_row in zip(parsed, data, strict=True)]
    _unshift_pages(parsed, data, _runs(lines))
    # the header: lines above the first row that names something (a code or a name; a line of amounts
    # alone is the 合计 of a 决算 printed above its label); below it a line without amounts is a row too
    # (a name wrapped onto a line of its own)
    first_row = next((i for i, cells in enumerate(parsed) if data[i] and any(c.kind != "amount" for c in cells)),
                     len(parsed))
    label = [not data[i] and i < first_row for i in range(len(parsed))]
    # a header label is one word: labels printed a single space apart belong to different columns
    parsed = [_labels(_words(cells), label_kind) if is_label else cells
              for cells, is_label in zip(parsed, label, strict=True)]
    _join_stacked_labels([cells for cells, is_label in zip(parsed, label, strict=True) if is_label], label_name,
                         label_kind)
    header_lines = [cells for cells, is_label in zip(parsed, label, strict=True) if is_label]
    label_lines = [[(c.x0 + c.x1) / 2 for c in cells if c.kind == "amount"] for cells in header_lines]
    all_labels = [((c.x0 + c.x1) / 2, c.kind) for cells in header_lines for c in cells]
    columns = _columns_from_rows(_rows_in_place(parsed, data), label_lines, all_labels)
    every_row = _columns_from_rows([c for c, is_row in zip(parsed, data, strict=True) if is_row and c], label_lines,
                                   all_labels)
    if len(every_row) > len(columns) and len(every_row) <= max((len(h) for h in header_lines), default=0):
        columns = every_row  # the header names as many columns as all rows fill: nothing moved, a hierarchy
    if not any(c.kind == "amount" for c in columns) and header_lines:
        # no row prints an amount (an empty table: a header and a bare 合计): the widest header line's labels
        # are the columns
        widest = max(header_lines, key=len)
        columns = [Column("amount" if c.kind == "amount" else "code" if c.kind == "code" else "text", c.x0, c.x1)
                   for c in widest]
    if not columns:
        widest = max(parsed, key=len, default=[])
        columns = [Column("amount" if c.kind == "amount" else "text", c.x0, c.x1) for c in widest]
    columns = _header_columns(header_lines, columns)
    parsed = [_split_at_columns(cells, columns) if is_row else cells
              for cells, is_row in zip(parsed, data, strict=True)]
    out: list[list[str]] = []
    costs: list[float] = []
    for cells, is_label in zip(parsed, label, strict=True):
        assignment, cost = _align(cells, columns, header=is_label)
        row = [""] * len(columns)
        for cell, j in zip(cells, assignment, strict=True):
            row[j] = f"{row[j]} {cell.text}".strip() if row[j] else cell.text
        out.append(row)
        costs.append(cost)
    return Grid(columns, out, costs, data, positioned=True)
