"""Performance tables (项目支出绩效目标表 / 申报表, 部门整体支出绩效目标表).

One pass over the document's lines. A table opens at its title line, or — for layouts that print no
title (yangquan2022) — at a ``项目名称`` row followed by the table's other field labels. Every row is
read by its labels (kg/data/performance_labels.toml), not by column: the text extraction drifts
cells between columns. Copies of one project's table (printed twice, or split over page blocks
that each repeat the header) are merged into one record afterwards.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from rapidfuzz import fuzz

from kg.records import Indicator, Notice, PerformanceTable, SourceDocument, SourceLine, Span
from kg.tables.amounts import find_unit
from kg.tables.performance_labels import (
    DEPARTMENT_CODE,
    Amount,
    Vocabulary,
    load_vocabulary,
    parse_amount,
    squeeze,
)

__all__ = ["normalise_name", "parse_performance_tables"]

PERIODS: tuple[str, str] = ("实施期", "年度")
TEXT_FIELDS: tuple[str, ...] = ("overview", "basis", "necessity", "measures", "plan")
_FUND_KEYS = {"total_period": ("total", 0), "total_year": ("total", 1)}
# Lines close to a table's fields that tell a 项目名称 row opens a table (not a 项目支出表 header).
_OPENING_FIELDS = frozenset({"department", "implementing_unit", "attribute", "period", "funds"})
_LOOKAHEAD_LINES = 4
# Two copies' texts this similar (rapidfuzz ratio) are one text printed twice with small edits.
SAME_TEXT_SIMILARITY = 80.0
_ORG_SUFFIX = re.compile(r"(?:局|院|中心|所|站|委员会|办公室|厅|委|队)$")
_PERIOD_VALUE = re.compile(r"^\d{1,3}年$")
# Punctuation and brackets that copies (and 项目支出表 rows) print differently.
_P_TAG = re.compile(r"</?p>")
_NAME_NOISE = re.compile(r"[\s\"“”‘’'《》〈〉()（）\[\]【】〔〕,，、.。:：;；\-—–_·]")


def _without_p_tags(text: str) -> str:
    """The cell without the <p> / </p> an HTML export left in it."""
    return _P_TAG.sub("", text) if "<" in text else text


def normalise_name(name: str) -> str:
    """A project name with whitespace, quotes, brackets and punctuation removed, for comparison."""
    return _NAME_NOISE.sub("", name)


@dataclass
class _Piece:
    text: str
    line: int


@dataclass
class _IndicatorState:
    level1: str | None = None
    level2: str | None = None


@dataclass
class _Draft:
    """A table being read: raw pieces by field, before joining and merging."""

    kind: str
    file: str
    first_line: int
    last_line: int
    title: str | None
    mode: str = "fields"  # "fields" → "indicators" → "closed"
    preamble: list[_Piece] = field(default_factory=list)
    pieces: dict[str, list[_Piece]] = field(default_factory=dict)
    label_lines: dict[str, int] = field(default_factory=dict)
    value_on_label_line: dict[str, bool] = field(default_factory=dict)
    current: str | None = None
    pending: list[str] = field(default_factory=list)
    goal: tuple[list[_Piece], list[_Piece]] = field(default_factory=lambda: ([], []))
    goal_year_column: int | None = None
    funds: tuple[dict[str, Decimal], dict[str, Decimal]] = field(default_factory=lambda: ({}, {}))
    fund_factor: Decimal = Decimal(1)
    indicators: list[Indicator] = field(default_factory=list)
    states: tuple[_IndicatorState, _IndicatorState] = field(
        default_factory=lambda: (_IndicatorState(), _IndicatorState()))
    loose: list[SourceLine] = field(default_factory=list)
    fund_rows: set[int] = field(default_factory=set)  # lines that carry a 资金 row label
    goal_label_rows: list[int] = field(default_factory=list)  # lines that carry a 目标 label
    year_without_value: bool = False  # the indicator header prints no 指标值 column for the 年度 half
    valueless: list[int] = field(default_factory=list)  # lines of indicators printed without 指标值
    extra_cells: list[int] = field(default_factory=list)  # lines with a cell beyond both halves
    notices: list[Notice] = field(default_factory=list)

    def notice(self, line: int | None, code: str, message: str, severity: str = "warning") -> None:
        self.notices.append(Notice(self.file, line, code, message, severity))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------
# reading rows


def _nonempty(line: SourceLine) -> list[tuple[int, str]]:
    return [(index, cell) for index, cell in enumerate(map(str.strip, line.text.split("\t"))) if cell]


def _opens_untitled_table(vocab: Vocabulary, lines: list[SourceLine], index: int) -> bool:
    """A 项目名称 row opens a table only when the table's other labels follow within a few lines."""
    cells = [c for _, c in _nonempty(lines[index])]
    if any(squeeze(c) == "合计" for c in cells):  # the 项目支出表 header row
        return False
    seen = 0
    for line in lines[index + 1:]:
        row = _nonempty(line)
        if not row:
            continue
        seen += 1
        if seen > _LOOKAHEAD_LINES:
            break
        for _, cell in row:
            label = vocab.field_label(cell)
            if label and label[0] in _OPENING_FIELDS:
                return True
    return False


def _assign_fund(draft: _Draft, key: str, amount: Amount, used: Counter[str], line: int) -> None:
    name, half = _FUND_KEYS.get(key, (key, None))
    if half is None or (key == "total_period" and used[key]):
        # the second amount after one label is the 年度 half ("本期资金总额:⇥1,112,500⇥⇥112,500")
        half = min(used[key], 1)
    used[key] += 1
    value = amount.value * draft.fund_factor if amount.printed_unit == "元" else amount.value
    if amount.printed_unit == "万元":
        draft.notice(line, "amount-in-wan", f"资金 cell printed in 万元 in a table labelled 元: "
                     f"{name} ({PERIODS[half]}) read as {value} 元", "warning")
    slot = draft.funds[half]
    if name in slot and slot[name] != value:
        draft.notice(line, "fund-conflict", f"{name} ({PERIODS[half]}) printed as {slot[name]} and "
                     f"{value}; keeping the first", "warning")
        return
    slot.setdefault(name, value)


def _add_value(draft: _Draft, text: str, line: int, column: int, position: int = 0, count: int = 1) -> None:
    """One value cell for the current field; ``position``/``count`` place it among the row's values."""
    text = _without_p_tags(text).strip()
    if not text:
        return
    if draft.current is None:
        if find_unit(squeeze(text)) == "万元":  # "单位：万元" above the form: its 资金 cells are in 万元
            draft.fund_factor = Decimal(10000)
        draft.preamble.append(_Piece(text, line))
        return
    if draft.current == "funds":
        return  # a clipped piece of a 资金 label ("金"), not data
    if draft.current == "goal":
        if count > 1:  # both halves on one row: the first value is the 实施期 half
            year_half = position > 0
        else:
            year_half = draft.goal_year_column is not None and column >= draft.goal_year_column
        draft.goal[1 if year_half else 0].append(_Piece(text, line))
        return
    draft.pieces.setdefault(draft.current, []).append(_Piece(text, line))
    if draft.label_lines.get(draft.current) == line:
        draft.value_on_label_line[draft.current] = True
    if draft.pending:
        draft.current = draft.pending.pop(0)


def _read_field_row(vocab: Vocabulary, draft: _Draft, line: SourceLine, row: list[tuple[int, str]]) -> None:
    used: Counter[str] = Counter()
    fund_key: str | None = None
    orphans: list[Amount] = []
    overall = draft.kind == "department_overall"
    values_in_row = 0
    # each cell's labels, looked up once (the lookups are pure)
    funds = [None if overall else vocab.fund_label(cell) for _, cell in row]
    fields = [vocab.field_label(cell, overall=overall) for _, cell in row]
    value_count = sum(1 for field_of, fund_of in zip(fields, funds, strict=True) if not field_of and not fund_of)
    text_label: str | None = None  # a text field labelled on this row
    fund_row = any(funds)
    for (column, cell), fund, label in zip(row, funds, fields, strict=True):
        if fund:
            fund_key, rest = fund
            draft.current = "funds"
            draft.fund_rows.add(line.number)
            for amount in orphans:  # amounts printed left of their (clipped) label: the 实施期 half
                # "1,150,000⇥⇥年度资金总额:⇥⇥1,150,000" (xingxian2025 line 1431): the clipped label is 实施期's
                orphan_key = "total_period" if fund_key == "total_year" else fund_key
                _assign_fund(draft, orphan_key, amount, used, line.number)
            orphans = []
            amount = parse_amount(rest) if rest else None
            if amount is not None:
                _assign_fund(draft, fund_key, amount, used, line.number)
            continue
        if label:
            key, rest = label
            keys = [key]
            nested = vocab.field_label(rest, overall=overall) if rest else None
            while nested:  # two labels stacked in one cell ("项目名称 主管部门及代码")
                keys.append(nested[0])
                rest = nested[1]
                nested = vocab.field_label(rest, overall=overall) if rest else None
            for k in keys:
                draft.label_lines.setdefault(k, line.number)
                draft.value_on_label_line.setdefault(k, False)
            draft.current, draft.pending = keys[0], keys[1:]
            if key in TEXT_FIELDS:
                text_label = key
            if key == "goal" and (not draft.goal_label_rows or draft.goal_label_rows[-1] != line.number):
                draft.goal_label_rows.append(line.number)
            if key == "funds" and "万元" in squeeze(cell):
                draft.fund_factor = Decimal(10000)
            if key == "goal" and squeeze(cell).startswith("年度"):
                draft.goal_year_column = column
            if rest:
                _add_value(draft, rest, line.number, column)
            continue
        if overall and draft.current == "funds":
            _read_overall_fund_cell(vocab, draft, row, column, line.number)
            continue
        amount = parse_amount(cell)
        # an amount left of the row's 资金 label belongs to 资金 even when the row's own label was clipped
        if amount is not None and (draft.current == "funds" or (fund_key is None and fund_row)):
            if fund_key is None:
                orphans.append(amount)
            else:
                _assign_fund(draft, fund_key, amount, used, line.number)
            continue
        _add_value(draft, cell, line.number, column, values_in_row, value_count)
        values_in_row += 1
    if text_label is not None and draft.current == "funds" and not draft.pieces.get(text_label):
        # "项目概况⇥其他资金": the text label shares the last 资金 row; its text follows on the next lines
        draft.current = text_label
    for amount in orphans:
        draft.notice(line.number, "amount-without-label", f"资金 amount {amount.value} printed without a "
                     "label in its row; not assigned", "warning")


def _read_overall_fund_cell(vocab: Vocabulary, draft: _Draft, row: list[tuple[int, str]], column: int,
                            line: int) -> None:
    """部门整体: the 合计 row of 年度预算情况 (万元) gives the year's total; the rest is by source/direction."""
    cells = dict(row)
    label = squeeze(cells[column])
    if label not in {squeeze(t) for t in vocab.overall_total} or "total" in draft.funds[1]:
        return
    following = [c for c, _ in row if c > column]
    if following:
        amount = parse_amount(cells[following[0]])
        if amount is not None:
            draft.funds[1]["total"] = amount.value * 10000


def _indicator_label(vocab: Vocabulary, cells: list[str], index: int) -> tuple[int, str] | None:
    label = vocab.indicator_label(cells[index])
    if label == (2, "成本指标"):  # level 1 in the current form when a cost level-2 label follows
        following = vocab.indicator_label(cells[index + 1]) if index + 1 < len(cells) else None
        if following and following[1] in vocab.cost_level2:
            return 1, "成本指标"
    return label


def _read_indicator_header(vocab: Vocabulary, draft: _Draft, row: list[tuple[int, str]]) -> None:
    """Note whether the 年度 half has a 指标值 column: some forms print only 二级/三级 for it."""
    squeezed = [squeeze(c) for _, c in row]
    halves, values = squeezed.count("三级指标"), squeezed.count("指标值")
    draft.year_without_value = halves >= 2 and values < 2


def _row_cells(vocab: Vocabulary, row: list[tuple[int, str]]) -> tuple[list[str], set[int]]:
    """The row's cells without <p> leftovers, header words and drifted duplicates.

    A text printed twice side by side and followed by a third text ("总经费⇥总经费⇥180万元") is one cell
    the extraction repeated (a 三级 equal to its 指标值, "通过部门验收⇥通过部门验收", is followed by a label
    or nothing). A level label printed twice side by side ("数量指标⇥数量指标⇥1个") is the label and a
    三级 cell that repeats it: the second one's position is returned among the repeated labels.
    """
    kept = [(column, _without_p_tags(raw).strip()) for column, raw in row]
    kept = [(column, cell) for column, cell in kept
            if cell and squeeze(cell) not in vocab.indicator_block_words]
    cells: list[str] = []
    repeated_labels: set[int] = set()
    for position, (column, cell) in enumerate(kept):
        before = kept[position - 1] if position else None
        after = kept[position + 1] if position + 1 < len(kept) else None
        adjacent = before is not None and before[0] == column - 1 and squeeze(before[1]) == squeeze(cell)
        if adjacent and vocab.indicator_label(cell):
            if after is None or not vocab.is_value_cell(after[1]):
                continue  # the label printed in both the 一级 and 二级 columns ("经济效益⇥经济效益⇥…")
            repeated_labels.add(len(cells))
        elif (adjacent and after is not None and after[0] == column + 1
              and not vocab.indicator_label(after[1])):
            continue
        cells.append(cell)
    return cells, repeated_labels


def _read_indicator_row(vocab: Vocabulary, draft: _Draft, line: SourceLine, row: list[tuple[int, str]]) -> None:
    cells, repeated_labels = _row_cells(vocab, row)
    states = draft.states
    half = 0
    seen: set[str] = set()
    texts: list[str] = []
    last_value: str | None = None
    emitted = 0  # complete (三级, 指标值) pairs read from this row
    for index, cell in enumerate(cells):
        label = None if index in repeated_labels else _indicator_label(vocab, cells, index)
        if label:
            level, name = label
            tag = f"l{level}"
            if texts or tag in seen or (level == 1 and "l2" in seen):
                if texts:
                    _emit(vocab, draft, half, texts, line.number)
                    texts = []
                half, seen = 1, set()
            state = states[half]
            if level == 1:
                state.level1, state.level2 = name, None
                if half == 0:  # one 一级指标 column serves both halves in most layouts
                    states[1].level1, states[1].level2 = name, None
            else:
                state.level2 = name
                parent = vocab.level2_parent.get(name)
                if state.level1 is None or (parent and parent != state.level1 and name != "成本指标"):
                    # the row's 一级 cell is empty and the one above belongs to another group
                    # ("经济效益" after the 产出指标 rows): the 二级 label names its own parent
                    state.level1 = parent
            seen.add(tag)
            continue
        if not texts and last_value is not None and squeeze(cell) == squeeze(last_value):
            continue  # the value printed once more after its pair (a drifted duplicate)
        if not texts and emitted == 2:
            draft.extra_cells.append(line.number)  # a cell beyond both halves: an extra column
            continue
        texts.append(cell)
        seen.add("text")
        if len(texts) == 2:
            _emit(vocab, draft, half, texts, line.number)
            emitted += 1
            last_value = texts[1]
            texts = []
            half, seen = 1, set()
    if texts:
        _emit(vocab, draft, half, texts, line.number)


def _emit(vocab: Vocabulary, draft: _Draft, half: int, texts: list[str], line: int) -> None:
    first, own = draft.states[0], draft.states[half]
    level3, value = texts[0], texts[1] if len(texts) > 1 else ""
    if len(texts) == 1:
        if vocab.is_value_cell(level3):  # the 三级 cell is empty or held the 二级 label: a value alone
            level3, value = "", level3
        elif not (half == 1 and draft.year_without_value):
            draft.valueless.append(line)
    period = "年度" if draft.kind == "department_overall" else PERIODS[half]
    draft.indicators.append(Indicator(
        period=period,  # type: ignore[arg-type]
        level1=own.level1 or first.level1 or "",
        level2=own.level2 or first.level2 or "",
        level3=level3,
        value=value,
        line=line,
    ))


# ---------------------------------------------------------------------------------------------------
# finishing a table


def _joined(pieces: list[_Piece]) -> str:
    # wrapped cells continue mid-sentence: join without a separator
    return "".join(p.text for p in pieces).strip()


def _span_of(file: str, pieces: list[_Piece], label_line: int | None = None) -> Span | None:
    lines = [p.line for p in pieces] + ([label_line] if label_line else [])
    return Span(file, min(lines), max(lines)) if lines else None


def _reattach_dumped_fields(vocab: Vocabulary, draft: _Draft) -> None:
    """Text fields whose values were dumped, one per line, under the first (empty) label line.

    zezhou2026 prints ``项目概况⇥其他资金…`` and then the 项目概况, 立项依据, 必要性, 措施 and 计划 values as
    five unlabelled lines: hand them out in the form's order when those fields are otherwise empty.
    """
    order = list(vocab.text_field_order)
    for position, key in enumerate(order):
        pieces = draft.pieces.get(key, [])
        if draft.value_on_label_line.get(key, True) or len(pieces) < 2:
            continue
        later = [k for k in order[position + 1:] if not draft.pieces.get(k)]
        if not later:
            continue
        spare = pieces[1:]
        draft.pieces[key] = pieces[:1]
        for target, piece in zip(later, spare, strict=False):
            draft.pieces[target] = [piece]
        for piece in spare[len(later):]:
            draft.pieces[later[-1]].append(piece)
        draft.notice(pieces[0].line, "fields-reattached",
                     f"{len(spare) + 1} unlabelled lines after an empty {key} label read as "
                     f"{', '.join([key, *later[:len(spare)]])} in the form's order", "info")
        return


def _unshift_labels(draft: _Draft) -> set[str]:
    """Text labels printed one row off their text, under a 项目概况 label that sits on the 其他资金 row.

    Two shapes (zezhou2026): every label one row below its text — the 项目实施计划 text then stands
    beside a 年度目标 label above the 实施期目标/年度目标 row (line 2091) — so each text moves up one
    field; or only 项目概况 is displaced, and the text under 项目依据 is the 项目概况 with the
    立项依据 run into it (line 1563). The second is read as 项目概况, and both fields are returned as
    doubtful: a copy that prints them on their own labels replaces them when copies are merged.
    """
    pieces = draft.pieces
    overview_line = draft.label_lines.get("overview")
    if overview_line is None or overview_line not in draft.fund_rows or pieces.get("overview"):
        return set()
    if not pieces.get("basis") or draft.label_lines.get("basis", 0) <= overview_line:
        return set()
    order = list(TEXT_FIELDS)
    spill_line = draft.goal_label_rows[0] if len(draft.goal_label_rows) >= 2 else None
    spill = [p for half in draft.goal for p in half if p.line == spill_line]
    if spill and all(pieces.get(key) for key in order[1:]):
        for target, source in itertools.pairwise(order):
            pieces[target] = pieces[source]
        pieces[order[-1]] = spill
        draft.goal = ([p for p in draft.goal[0] if p.line != spill_line],
                      [p for p in draft.goal[1] if p.line != spill_line])
        draft.notice(overview_line, "labels-shifted", "each text field's label printed one row below its text "
                     f"(项目概况 on the 其他资金 row, 项目实施计划 text beside the 目标 label at line {spill_line}): "
                     "texts moved up one field", "info")
        return set()
    if len(pieces["basis"]) > 1 and not pieces.get("necessity"):
        # the 项目依据 label heads all five texts dumped one per line (line 2153): they are handed out
        # in the form's order by _reattach_dumped_fields
        pieces["overview"] = pieces.pop("basis")
        draft.value_on_label_line["overview"] = False
        draft.notice(overview_line, "labels-shifted", "项目概况 label printed on the 其他资金 row, the texts "
                     f"one per line from the 项目依据 label at line {draft.label_lines['basis']}", "info")
        return set()
    pieces["overview"] = pieces.pop("basis")
    draft.notice(overview_line, "labels-shifted", "项目概况 label printed on the 其他资金 row: the text under "
                 f"项目依据 at line {draft.label_lines['basis']} read as 项目概况 (立项依据 run into it)", "info")
    return {"overview", "basis"}


def _reattach_loose(draft: _Draft, table: PerformanceTable) -> None:
    """Values the extraction dumped as loose lines after the table (clipped cells) — where they fit."""
    if not draft.loose:
        return
    placed: list[int] = []
    amounts: list[tuple[Decimal, int]] = []
    for line in draft.loose:
        text = squeeze(line.text)
        if not text:
            continue
        amount = parse_amount(text)
        if amount is not None and amount.printed_unit == "元" and len(text) <= 15:
            amounts.append((amount.value, line.number))
        elif table.implementing_unit is None and _ORG_SUFFIX.search(text) and len(text) <= 30:
            table.implementing_unit = text
            placed.append(line.number)
        elif table.period is None and _PERIOD_VALUE.match(text):
            table.period = text
            placed.append(line.number)
    year = table.funds.setdefault("年度", {})
    if not year and len(amounts) >= 5:
        # the 年度 column in form order: 总额, 中央, 省级, 市县, 单位自筹
        for key, (value, number) in zip(("total", "central", "provincial", "local", "self_raised"),
                                        amounts, strict=False):
            year[key] = value
            placed.append(number)
    continued = _continue_clipped_field(draft, table, placed)
    unplaced = [line for line in draft.loose if squeeze(line.text) and line.number not in placed]
    if placed:
        what = "实施单位/项目期/年度资金 left empty in the table" + (f"; the end of {continued}" if continued else "")
        table.notices.append(Notice(draft.file, min(placed), "loose-lines-reattached",
                                    f"{len(placed)} loose line(s) after the table re-attached ({what}): "
                                    f"line {_line_list(placed)}", "info"))
    if unplaced:
        table.notices.append(Notice(draft.file, unplaced[0].number, "loose-lines-unplaced",
                                    f"{len(unplaced)} loose line(s) after the table (pieces of clipped cells) "
                                    f"could not be placed in a field: line {_line_list([x.number for x in unplaced])}",
                                    "warning"))


_SENTENCE_END = ("。", "；", ";", "!", "！", "?", "？")
_NEW_ITEM = re.compile(r"^(?:\d{1,2}[.、]|[一二三四五六七八九十]{1,3}、|《|\()")


def _continue_clipped_field(draft: _Draft, table: PerformanceTable, placed: list[int]) -> str | None:
    """The last loose text line of a run may finish the last text field the page edge clipped.

    The fragments come out in the order of the cells they were cut from, and 项目实施计划 is the form's
    last text cell: a run's final fragment that ends a sentence continues it when its text stops mid-sentence
    ("…2026年4月确定项目实施单位，2026" + "年10月底前完成以上项目的验收工作。", zezhou2026 line 1648).
    """
    key = _last_text_field(table)
    if key is None or getattr(table, key).endswith(_SENTENCE_END):
        return None
    texts = [line for line in draft.loose if squeeze(line.text) and line.number not in placed
             and parse_amount(squeeze(line.text)) is None]
    # runs of fragments separated by a blank line: each run is one column of clipped cell ends
    ends = [line for position, line in enumerate(texts)
            if position + 1 == len(texts) or texts[position + 1].number > line.number + 1]
    last = next((line for line in ends if line.text.strip().endswith(_SENTENCE_END)
                 and not _NEW_ITEM.match(line.text.strip())), None)
    if last is None:
        return None
    fragment = last.text.strip()
    current = getattr(table, key)
    setattr(table, key, current + fragment)
    span = table.field_spans.get(key)
    if span is not None:
        table.field_spans[key] = Span(span.file, span.first_line, max(span.last_line, last.number))
    placed.append(last.number)
    return key


def _last_text_field(table: PerformanceTable) -> str | None:
    """The last text field of the form's order that the table fills (项目实施计划 in a complete form)."""
    filled = [key for key in TEXT_FIELDS if getattr(table, key)]
    return filled[-1] if filled and filled[-1] == TEXT_FIELDS[-1] else None


def _line_list(numbers: list[int]) -> str:
    """"1639-1648, 1659" for a sorted run of line numbers."""
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for number in ordered:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _finish(vocab: Vocabulary, draft: _Draft) -> tuple[PerformanceTable, set[str]]:
    """The table record, and the fields whose text is doubtful (another copy's text is preferred)."""
    doubtful = _unshift_labels(draft)
    _reattach_dumped_fields(vocab, draft)
    pieces = draft.pieces
    name = _joined(pieces.get("name", []))
    department_pieces = pieces.get("department", [])
    department_text = _joined(department_pieces)
    if department_pieces and DEPARTMENT_CODE.match(department_pieces[0].text):
        # "080-泽州县自然资源局" is complete in its cell; what follows is another column's spill-over
        department_text = department_pieces[0].text
    if DEPARTMENT_CODE.match(name) or not name:
        # the name cell holds the 主管部门 (xingxian2025) or is missing: the project name was printed
        # as an unlabelled line between the title and the first label
        # only the first unlabelled line: later ones are clipped pieces of the 主管部门 cell ("资源局")
        recovered = draft.preamble[0].text if draft.preamble else ""
        if recovered:
            if DEPARTMENT_CODE.match(name) and not department_text:
                department_text = name
            draft.notice(draft.preamble[0].line, "name-recovered",
                         f"项目名称 read from the unlabelled line {recovered!r}", "info")
            name = recovered
    if draft.kind == "department_overall" and not name:
        name = department_text
    department = department_text or None
    code = None
    match = DEPARTMENT_CODE.match(department_text)
    if match:
        code, department = match.group(1), match.group(2).strip()
    if draft.kind == "department_overall":
        name = department or name or (draft.title or "")
    if not name:
        draft.notice(draft.first_line, "no-project-name", "performance table without a 项目名称", "warning")

    def text(key: str) -> str:
        return _joined(pieces.get(key, []))

    period_half, year_half = draft.funds
    if set(year_half) == {"total"} and "total" not in period_half:
        # a one-year form (年度资金总额 / 其中：财政拨款 / 其他资金): its sources are the year's too
        year_half.update({k: v for k, v in period_half.items() if k not in year_half})
        period_half.clear()
    funds = {PERIODS[h]: dict(draft.funds[h]) for h in (0, 1) if draft.funds[h]}
    field_spans: dict[str, Span] = {}
    for key in (*TEXT_FIELDS, "name"):
        span = _span_of(draft.file, pieces.get(key, []), draft.label_lines.get(key) if key == "basis" else None)
        if span and pieces.get(key):
            field_spans[key] = span
    goal_period, goal_year = _joined(draft.goal[0]), _joined(draft.goal[1])
    if draft.kind == "department_overall":
        goal_period, goal_year = text("goal_period"), text("goal_year")
    table = PerformanceTable(
        kind=draft.kind,  # type: ignore[arg-type]
        project_name=name,
        department=department,
        department_code=code,
        implementing_unit=text("implementing_unit") or None,
        title_unit=_title_unit(draft.title),
        attribute=text("attribute") or None,
        period=text("period") or None,
        funds=funds,
        overview=text("overview"),
        basis=text("basis"),
        necessity=text("necessity"),
        measures=text("measures"),
        plan=text("plan"),
        goal_period=goal_period,
        goal_year=goal_year,
        indicators=draft.indicators,
        span=Span(draft.file, draft.first_line, draft.last_line),
        field_spans=field_spans,
        notices=draft.notices,
    )
    _reattach_loose(draft, table)
    if draft.valueless:
        lines = ", ".join(str(n) for n in dict.fromkeys(draft.valueless))
        table.notices.append(Notice(draft.file, draft.valueless[0], "indicator-without-value",
                                    f"{name or 'table'}: {len(draft.valueless)} indicator(s) printed without "
                                    f"指标值 (line {lines}); kept with an empty value", "info"))
    if draft.extra_cells:
        lines = ", ".join(str(n) for n in dict.fromkeys(draft.extra_cells))
        table.notices.append(Notice(draft.file, draft.extra_cells[0], "indicator-extra-cell",
                                    f"{name or 'table'}: a cell beyond the 实施期 and 年度 halves of an "
                                    f"indicator row not read (line {lines})", "info"))
    return table, doubtful


# ---------------------------------------------------------------------------------------------------
# merging copies


def _total(table: PerformanceTable, period: str) -> Decimal | None:
    return table.funds.get(period, {}).get("total")


def _clipped(x: Decimal, y: Decimal) -> bool:
    """One amount is the other with its trailing digits cut off by the page edge (10 vs 1000000)."""
    short, long = sorted((format(x, "f"), format(y, "f")), key=len)
    return short != "0" and len(short) < len(long) and long.startswith(short)


def _same_funds(a: PerformanceTable, b: PerformanceTable) -> bool:
    for period in PERIODS:
        x, y = _total(a, period), _total(b, period)
        if x is not None and y is not None and x != y and not _clipped(x, y):
            return False
    return True


# what a title prints before the form's own name: "泽州县不动产登记中心2025年项目支出绩效目标表" names its unit;
# "泽州县县(区)级预算部门(单位)项目支出绩效目标表" names none (no organisation's ending)
_TITLE_UNIT = re.compile(r"^(?P<unit>.+?)(?:\d{4}年度?)?项目(?:支出)?绩效目标")


def _title_unit(title: str | None) -> str | None:
    match = _TITLE_UNIT.match(re.sub(r"\s+", "", title or ""))
    return match["unit"] if match and _ORG_SUFFIX.search(match["unit"]) else None


def _same_unit(a: PerformanceTable, b: PerformanceTable) -> bool:
    """The tables do not name two different 实施单位 (one printed in full and the other clipped is one unit): two
    units of a 部门预算 each print a table for their own 日常运转经费, and those are two projects, not copies."""
    mine, theirs = normalise_name(a.unit or ""), normalise_name(b.unit or "")
    return not mine or not theirs or mine.startswith(theirs) or theirs.startswith(mine)


def _merge_into(base: PerformanceTable, copy: PerformanceTable, notices: list[Notice],
                doubtful: dict[int, set[str]]) -> None:
    differing: list[str] = []
    base_doubts, copy_doubts = doubtful.setdefault(id(base), set()), doubtful.get(id(copy), set())
    for key in (*TEXT_FIELDS, "goal_period", "goal_year", "implementing_unit", "attribute", "period",
                "department"):
        mine, theirs = getattr(base, key) or "", getattr(copy, key) or ""
        if key in base_doubts and key not in copy_doubts and theirs:
            # a copy that prints the field under its own label beats a text read under a shifted one
            setattr(base, key, theirs)
            if key in copy.field_spans:
                base.field_spans[key] = copy.field_spans[key]
            base_doubts.discard(key)
            continue
        if key in copy_doubts and (mine or key not in base_doubts):
            continue
        if normalise_name(mine) == normalise_name(theirs) or not theirs:
            continue
        a, b = normalise_name(mine), normalise_name(theirs)
        clipped = a.startswith(b) or b.startswith(a)
        if mine and not clipped:
            differing.append(key)
        # keep the fuller text when the copies say the same thing (one clipped, or a few characters
        # apart: 地质灾害隐患 / 地灾隐患); text that says something else (a dumped neighbouring cell) is
        # not "fuller": the first copy stands
        if len(theirs) > len(mine) and (not mine or clipped or fuzz.ratio(a, b) >= SAME_TEXT_SIMILARITY):
            setattr(base, key, theirs)
            if key in copy.field_spans:
                base.field_spans[key] = copy.field_spans[key]
    if base.department_code is None:
        base.department_code = copy.department_code
    for period, values in copy.funds.items():
        slot = base.funds.setdefault(period, {})
        for key, value in values.items():
            if key in slot and slot[key] != value and _clipped(slot[key], value):
                notices.append(Notice(copy.span.file, copy.span.first_line, "amount-clipped",
                                      f"{base.project_name}: {key} ({period}) printed as {slot[key]} and "
                                      f"{value} in two copies; kept {max(slot[key], value)} (digits clipped)",
                                      "warning"))
                slot[key] = max(slot[key], value)
            slot.setdefault(key, value)
    seen = {(i.period, i.level1, i.level2, normalise_name(i.level3), normalise_name(i.value))
            for i in base.indicators}
    for indicator in copy.indicators:
        key = (indicator.period, indicator.level1, indicator.level2, normalise_name(indicator.level3),
               normalise_name(indicator.value))
        if key not in seen:
            seen.add(key)
            base.indicators.append(indicator)
    base.copies.append(copy.span)
    base.notices.extend(copy.notices)
    if differing:
        notices.append(Notice(copy.span.file, copy.span.first_line, "copies-differ",
                              f"{base.project_name}: the copy at {copy.span} differs from {base.span} in "
                              f"{', '.join(differing)}; kept the fuller text", "info"))


def _merge_copies(tables: list[PerformanceTable], doubtful: dict[int, set[str]],
                  ) -> tuple[list[PerformanceTable], list[Notice]]:
    notices: list[Notice] = []
    merged: list[PerformanceTable] = []
    by_name: dict[str, list[PerformanceTable]] = {}
    for table in tables:
        key = normalise_name(table.project_name)
        if table.kind != "project" or not key:
            merged.append(table)
            continue
        candidates = by_name.setdefault(key, [])
        target = next((t for t in candidates if _same_funds(t, table) and _same_unit(t, table)), None)
        if target is None:
            if any(_same_unit(t, table) for t in candidates):
                notices.append(Notice(table.span.file, table.span.first_line, "same-name-different-funds",
                                      f"{table.project_name}: printed again at {table.span} with other "
                                      "资金 totals; kept as a separate table", "warning"))
            candidates.append(table)
            merged.append(table)
            continue
        _merge_into(target, table, notices, doubtful)
    for table in merged:
        if table.copies:
            notices.append(Notice(table.span.file, table.span.first_line, "copies-merged",
                                  f"{table.project_name}: {len(table.copies) + 1} printed blocks merged "
                                  f"({table.span}, {', '.join(str(s) for s in table.copies)})", "info"))
    return merged, notices


# ---------------------------------------------------------------------------------------------------
# the document pass


def parse_performance_tables(source: SourceDocument) -> tuple[list[PerformanceTable], list[Notice]]:
    """Every performance table of the document, duplicate copies merged, in document order."""
    vocab = load_vocabulary()
    drafts: list[_Draft] = []
    draft: _Draft | None = None
    lines = source.lines

    def open_draft(kind: str, line: SourceLine, title: str | None) -> _Draft:
        new = _Draft(kind=kind, file=source.name, first_line=line.number, last_line=line.number, title=title)
        drafts.append(new)
        return new

    for index, line in enumerate(lines):
        row = _nonempty(line)
        if not row:
            continue
        first = row[0][1]
        if len(row) == 1:
            kind = vocab.title_kind(first)
            if kind:
                if draft is not None:
                    draft.mode = "closed"
                draft = open_draft(kind, line, first)
                continue
            if vocab.is_section_heading(first) and (draft is None or draft.mode != "fields"):
                draft = None  # the performance part has ended: later lines are not loose table cells
                continue
        label = vocab.field_label(first)
        starts_name = label is not None and label[0] == "name"
        in_open_table = draft is not None and draft.mode == "fields" and not (
            "name" in draft.pieces or "department" in draft.pieces)
        if starts_name and not in_open_table and _opens_untitled_table(vocab, lines, index):
            if draft is not None:
                draft.mode = "closed"
            draft = open_draft("project", line, None)
            draft.notice(line.number, "untitled-table", "performance table without a title line, opened at "
                         "its 项目名称 row", "info")
        if draft is None:
            continue
        if draft.mode == "closed":
            draft.loose.append(line)
            continue
        if vocab.is_footer(first):
            draft.last_line = line.number
            draft.mode = "closed"
            continue
        if draft.mode == "fields" and not draft.pieces and vocab.is_year_line(first):
            continue
        draft.last_line = line.number
        if vocab.is_indicator_header([c for _, c in row]):
            draft.mode = "indicators"
            _read_indicator_header(vocab, draft, row)
            continue
        if draft.mode == "indicators":
            _read_indicator_row(vocab, draft, line, row)
        else:
            _read_field_row(vocab, draft, line, row)

    tables: list[PerformanceTable] = []
    doubtful: dict[int, set[str]] = {}
    empty: list[Notice] = []
    for finished in drafts:
        if not finished.pieces and not finished.indicators and not any(finished.funds):
            empty.append(Notice(source.name, finished.first_line, "empty-performance-table",
                                f"{finished.title or 'performance table'}: title without readable content "
                                "(nothing kept)", "warning"))
            continue
        table, doubts = _finish(vocab, finished)
        tables.append(table)
        doubtful[id(table)] = doubts
    merged, notices = _merge_copies(tables, doubtful)
    notices.extend(empty)
    for table in merged:
        _final_checks(table, doubtful.get(id(table), set()))
        notices.extend(table.notices)
    return merged, notices


def _final_checks(table: PerformanceTable, doubts: set[str]) -> None:
    """Warnings about the merged record (not about each printed block, which merging may have fixed)."""
    if table.kind != "project":
        return
    blocks = len(table.copies) + 1
    if not table.basis:
        why = (" (its 项目依据 text ran into 项目概况 and no copy prints it apart)" if "basis" in doubts else "")
        table.notices.append(Notice(table.span.file, table.span.first_line, "no-basis",
                                    f"{table.project_name or 'table'}: no 立项依据 text{why}", "warning"))
    if not table.indicators:
        table.notices.append(Notice(table.span.file, table.span.first_line, "no-indicators",
                                    f"{table.project_name or 'table'}: none of its {blocks} printed block(s) "
                                    "holds a 绩效指标 row in the text", "warning"))
