"""Parse the lines of one standard table (title found) into a typed DataFrame.

The block is: preamble (部门名称, 单位：万元 — in 003 split as ``单`` / ``位：`` / ``万元``), 1-3 header
lines, an optional ``1 2 3 4 5`` column-number row, then rows.  Page breaks inside a table show up as
blank lines and repeated header lines; both are skipped.  Code tables get their 科目编码 repaired
(``kg.tables.codes``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise

import pandas as pd

from kg.records import Notice, SourceDocument, SourceLine, Table
from kg.tables import codes
from kg.tables.amounts import (
    ROUNDING,
    UNIT_SUFFIX,
    UNIT_TO_YUAN,
    cell_unit,
    find_unit,
    header_unit,
    is_nil,
    parse_amount,
)
from kg.tables.column_orders import fit_column_order
from kg.tables.frames import object_frame
from kg.tables.grid import LabelKind, align_block
from kg.tables.knowledge import FINAL_PHASE, TableKind, TableKnowledge
from kg.tables.layout import (
    cells_of,
    compact,
    filled,
    is_column_number_row,
    is_data_line,
    join_wrapped,
)
from kg.tables.panels import split_panels
from kg.tables.preamble import read_preamble
from kg.tables.row_sums import replace_by_sums
from kg.tables.rows import attach_wrapped_cells
from kg.tables.stated import stated_items
from kg.tables.tree_codes import expand_tree_codes

_ORGANISATION = re.compile(
    r"(?:部门|单位)(?:名称)?:\s{0,3}(?:\[[0-9]{1,9}\])?\s{0,3}(.{2,60}?)\s{0,3}(?:单位:.{0,10})?$")
_MAX_HEADER_LINES = 8
_MAX_WRAPPED_HEADER = 16
_NO_DATA = "本表无数据"  # the one empty-table note that overrides rows printed under it
DEFAULT_UNIT = "万元"  # what every standard table in the corpus states when it states anything


def _is_preamble(line: SourceLine, kb: TableKnowledge) -> bool:
    text = compact(line.text)
    if len(filled(cells_of(line))) > 1 and not text.startswith(("部门名称", "单位名称", "部门:")):
        return False
    return bool(kb.furniture.match(text) or _ORGANISATION.match(line.text.strip()) or "单位:" in text
                or text.startswith(("部门名称", "单位名称")))


_SUBTOTAL_LABEL = "小计"


def _label_name(label: str, kb: TableKnowledge) -> str | None:
    found = next((n for n, pattern in kb.columns if pattern.match(label)), None)
    if found is None and (unit := UNIT_SUFFIX.search(label)) and unit.start() > 0:
        # "金额(万元)", "合计(元)": the unit the label states (read as the table's by header_unit) names no column
        return _label_name(label[:unit.start()], kb)
    return found


_CODE_LABELS = frozenset({"code", "code_class", "code_section", "code_item", "unit_code"})
_CELL_NOTICES = frozenset({"bad-amount", "orphan-amounts", "unplaced-cell", "rows-by-sums"})
_CODE_PARTS = frozenset({"code_class", "code_section", "code_item"})


def _label_kind(label: str, kb: TableKnowledge) -> LabelKind:
    """What a header label heads, for lining labels up with columns."""
    name = _label_name(compact(label), kb)
    if name is None or name == "item":  # 项目 spans codes and names in many layouts
        return "any"
    if name in _CODE_LABELS:
        return "code"
    if name == "row_number":
        return "amount"  # 行次 heads figures laid out as amounts are (right-aligned or centred), though none is one
    return "text" if name in kb.text_columns else "amount"


def column_names(header: list[list[str]], width: int, kind: TableKind, kb: TableKnowledge) -> list[str]:
    """Stable English names for each column, from the lowest header line that names it."""
    names: list[str] = []
    labels: list[str] = []  # the header text that named each column
    for j in range(width):
        name = f"col{j}"
        named_by = ""
        for level in range(len(header) - 1, -1, -1):
            cells = header[level]
            label = compact(cells[j]) if j < len(cells) else ""
            if not label:
                continue
            found = _label_name(label, kb)
            if found is None and j < len(cells):
                # two labels in one cell ("单位预留机动经费 结转下年资金"): the next column is empty in every row
                # and was not kept, so its label ran into this one; the first known label is this column's
                found = next((n for part in cells[j].split() if (n := _label_name(part, kb))), None)
            # a label wrapped over header lines ("公务用车购置" / "费") ends on this line
            above = level - 1
            joined = label
            while found is None and above >= 0:
                piece = compact(header[above][j]) if j < len(header[above]) else ""
                if piece:
                    joined = piece + joined
                    found = _label_name(joined, kb)
                above -= 1
            if found == "name" and level > 0:
                # 名称 or 科目 alone reads as a 科目名称; stacked under 专项 / 经济 it is the end of another text
                # column's label (专项名称, 经济科目)
                stacked = _wrapped_label_name(header[:level + 1], j, kb)
                if stacked in kb.text_columns and stacked != "name":
                    found, joined = stacked, label
            if label == _SUBTOTAL_LABEL and level > 0:
                # "小计" under a spanning "“三公”经费" is that group's subtotal: name it after the group
                above = header[level - 1]
                group = _label_name(compact(above[j]), kb) if j < len(above) and above[j] else None
                found = group or found
            if found:
                name, named_by = found, joined
                break
        if name == f"col{j}":
            name = _wrapped_label_name(header, j, kb) or name
        names.append(name)
        labels.append(named_by)
    parts = [j for j, n in enumerate(names) if n in _CODE_PARTS]
    if len(parts) == 1:
        # a lone 类 / 款 / 项 is the end of a wrapped label ("采购品目大" / "类"), not a code split in parts
        j = parts[0]
        names[j] = _wrapped_label_name(header, j, kb) or f"col{j}"
    names = _subtotals_by_group(names, header, kb)
    names = _phase_names(names, header, kb) or names
    names = _totals_by_year(names, labels)  # before the sides: each side prints its years (收支总表)
    if kind.two_sided:
        names = _sides(names, header, kb)
    names = _owning_unit(names, header, kb)
    names = _blocks_by_year(names, header, kb)
    # a name used twice (unrecognised layout) keeps its position so that no column is lost
    seen: dict[str, int] = {}
    unique = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        unique.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return unique


def _owning_unit(names: list[str], header: list[list[str]], kb: TableKnowledge) -> list[str]:
    """Two name columns, one labelled 项目名称 and one naming the unit ("单位名称 | 项目名称 | 合计 …", the
    national 项目支出表): the unit's column is the rows' ``unit_name``, not a second name."""
    named = [j for j, n in enumerate(names) if n == "name"]
    if len(named) < 2:
        return names
    labels = {j: next((compact(cells[j]) for cells in reversed(header) if j < len(cells) and compact(cells[j])), "")
              for j in named}
    if not any(label == "项目名称" for label in labels.values()):
        return names
    return ["unit_name" if j in labels and kb.owning_unit.match(labels[j]) else n for j, n in enumerate(names)]


def _header_items(header: list[list[str]], kb: TableKnowledge) -> list[str]:
    """The items the header lines name, left to right (top to bottom within a column), each once; a 小计 is
    its group's subtotal (the group whose label or first part follows it). A group's label spanning parts that
    all have columns of their own (“三公”经费 over 出国, 公务用车, 接待) heads no column: it is dropped."""
    width = max((len(cells) for cells in header), default=0)
    labels = [compact(part) for j in range(width) for cells in header if j < len(cells) for part in cells[j].split()]
    # a phase over a block of items ("预算数" over 合计 … 公务接待费) names no item
    labels = [label for label in labels if not any(pattern.match(label) for _, pattern in kb.phases)]
    named = [label if label == _SUBTOTAL_LABEL else _label_name(label, kb) for label in labels]
    found = [n for n in named if n]
    group_of_first_part = {parts[0]: total for total, parts in kb.column_sums}
    groups = dict(kb.column_sums)
    items: list[str] = []
    subtotalled: set[str] = set()
    for i, name in enumerate(found):
        if name == _SUBTOTAL_LABEL:
            following = next((n for n in found[i + 1:] if n != _SUBTOTAL_LABEL), None)
            name = following if following in groups else group_of_first_part.get(following or "", "")
            if not name:
                continue
            subtotalled.add(name)
        if name not in items:
            items.append(name)
    return [n for n in items if n in subtotalled or not (n in groups and set(groups[n]) <= set(items))]


def _phase_names(names: list[str], header: list[list[str]], kb: TableKnowledge) -> list[str] | None:
    """A 决算 header whose last line prints 预算数 / 决算数 under every item (interleaved, or one block per
    phase): the 决算数 columns take the items' names in order, the others ``<item>_<phase>``. None when the
    header is not so, or its items and phases do not pair up one to one."""
    if not kb.phases or not header:
        return None
    last = next((level for level in range(len(header) - 1, -1, -1) if any(c.strip() for c in header[level])), None)
    if last is None:
        return None
    phase_of: dict[int, str] = {}
    for j, cell in enumerate(header[last]):
        label = compact(cell)
        if not label or (j < len(names) and (names[j] in kb.text_columns or names[j] in _CODE_LABELS)):
            continue  # the 项目 / 科目名称 of a table whose items are its rows
        phase = next((name for name, pattern in kb.phases if pattern.match(label)), None)
        if phase is None:
            return None
        phase_of[j] = phase
    phases = list(phase_of.values())
    distinct = list(dict.fromkeys(phases))
    if FINAL_PHASE not in distinct or len(distinct) != 2 or len(phases) % 2:
        return None
    if len(phases) == 2:  # items as rows: 项目 | 预算数 | 决算数
        return [("total" if phase == FINAL_PHASE else f"total_{phase}") if j in phase_of else name
                for j, (name, phase) in enumerate((n, phase_of.get(j)) for j, n in enumerate(names))]
    items = _header_items(header[:last], kb)
    count = len(phases) // 2
    if len(items) != count:
        return None
    if all(phases[k] == phases[k % 2] for k in range(len(phases))):  # 预算数 决算数 | 预算数 决算数 | …
        item_at = [items[k // 2] for k in range(len(phases))]
    elif all(phases[k] == phases[(k // count) * count] for k in range(len(phases))):  # 预算数 ×n | 决算数 ×n
        item_at = [items[k % count] for k in range(len(phases))]
    else:
        return None
    out = list(names)
    for (j, phase), item in zip(phase_of.items(), item_at, strict=True):
        out[j] = item if phase == FINAL_PHASE else f"{item}_{phase}"
    return out


def _subtotals_by_group(names: list[str], header: list[list[str]], kb: TableKnowledge) -> list[str]:
    """A 小计 column stands first in its group: before 因公出国(境)费 it is the “三公”经费 subtotal, before
    公务用车购置费 the 公务用车 subtotal — the groups of ``[[sums]]`` in kg/data/table_columns.toml."""
    first_part = {parts[0]: total for total, parts in kb.column_sums}
    out = list(names)
    for j in range(len(names) - 1):
        subtotal = any(j < len(cells) and compact(cells[j]) == _SUBTOTAL_LABEL for cells in header)
        if subtotal and names[j + 1] in first_part and first_part[names[j + 1]] not in out:
            out[j] = first_part[names[j + 1]]
    return out


_PART_NAMES = {1: ("code",), 2: ("code_class", "code_section"), 3: ("code_class", "code_section", "code_item")}


def _code_parts_by_position(names: list[str], kinds: list[str]) -> list[str]:
    """Columns the grid found holding codes, when the header does not name each (its 类 款 项 line printed
    inside a row, or a 科目编码 label over one of three parts): by their order, 类, 款, 项."""
    if len(kinds) != len(names):
        return names
    positions = [j for j, kind in enumerate(kinds) if kind == "code"]
    if not positions or len(positions) > 3:
        return names
    parts = [names[j] for j in positions]
    if len(set(parts)) == len(parts) and all(p in _CODE_LABELS - {"unit_code"} for p in parts):
        return names  # the header names each part already
    if any(p not in _CODE_LABELS and p != "item" and not _UNNAMED.match(p) for p in parts):
        return names  # a column the header names otherwise (项目 spans codes and names) is not a code part
    out = list(names)
    for j, part in zip(positions, _PART_NAMES[len(positions)], strict=True):
        out[j] = part
    return out


_YEAR = re.compile(r"((?:19|20)[0-9]{2})年")


def _totals_by_year(names: list[str], labels: list[str]) -> list[str]:
    """A table of 科目编码 or of items printing a total for each of several years ("2024年预算数 | 2025年预算数"): the
    latest year's is the table's total (the year the document discloses; the others are there to compare), each
    other one ``total_<year>``."""
    if ("code" not in names and "item" not in names) or len(labels) != len(names):
        return names  # a table whose rows are 科目 or items (a 三公 table printed as rows)
    years = {j: int(match[1]) for j, (name, label) in enumerate(zip(names, labels, strict=True))
             if name == "total" and (match := _YEAR.search(label))}
    if len(set(years.values())) < 2:
        return names  # one year (or none) printed: nothing to tell apart
    latest = max(years.values())
    return [f"total_{years[j]}" if j in years and years[j] != latest else n for j, n in enumerate(names)]


def _blocks_by_year(names: list[str], header: list[list[str]], kb: TableKnowledge) -> list[str]:
    """The same items printed once for each of several years, each block under its year ("2024年预算数" over
    合计 | 因公出国(境)费 | …, then "2025年预算数" over the same): the latest year's block keeps the items' names
    (the year the document discloses), each other block's are ``<item>_<year>`` — comparators, as a 决算's 预算数
    is. The blocks are told by the items repeating, so a year label centred over its block or printed over its
    first column reads the same."""
    items = [j for j, n in enumerate(names) if n not in kb.text_columns and n not in _CODE_LABELS]
    for cells in header:
        years = [int(match[1]) for cell in cells if (match := _YEAR.search(compact(cell)))]
        # a line of year labels over the items (科目编码 / 科目名称 may stand beside them)
        if len(years) >= 2 and len(set(years)) == len(years) and all(
                _YEAR.search(compact(c)) for j, c in enumerate(cells) if c.strip() and j in items):
            break
    else:
        return names
    size, extra = divmod(len(items), len(years))
    block = [names[j] for j in items[:size]]
    if extra or not size or any(_UNNAMED.match(n) for n in block) or \
            [names[j] for j in items] != block * len(years):
        return names
    latest = max(years)
    out = list(names)
    for k, j in enumerate(items):
        year = years[k // size]
        if year != latest:
            out[j] = f"{names[j]}_{year}"
    return out


def _wrapped_label_name(header: list[list[str]], column: int, kb: TableKnowledge) -> str | None:
    """A label wrapped over header lines ("本年收入合" / "计", "事业单位" / "经营收入"): the column's labels
    joined top to bottom, longest run first."""
    labels = [compact(cells[column]) for cells in header if column < len(cells) and cells[column].strip()]
    for size in range(len(labels), 1, -1):
        for start in range(len(labels) - size + 1):
            found = _label_name("".join(labels[start:start + size]), kb)
            if found:
                return found
    return None


def _sides(names: list[str], header: list[list[str]], kb: TableKnowledge) -> list[str]:
    """收支总表: each 项目 / 项目名称 / 科目名称 column starts a side: 收入, 支出, then e.g. 支出用途.

    The first two sides are ``income_*`` and ``expenditure_*`` (``income_item``, ``income_amount``,
    ``expenditure_item``, ``expenditure_total``); a further side is named by its header label
    (``use_item``, ``use_amount`` for Jiangsu's 支出用途).
    """
    labels = [i for i, n in enumerate(names) if n == "item"]
    if len(labels) < 2:
        labels = [i for i, n in enumerate(names) if n in ("item", "name")]
    starts = [0, *labels[1:]] if len(labels) >= 2 else [0, len(names) // 2]
    out = []
    for i, n in enumerate(names):
        side = max(k for k, start in enumerate(starts) if start <= i)
        if side == 0:
            out.append({"item": "income_item", "name": "income_item", "total": "income_amount"}.get(n, f"income_{n}"))
        elif side == 1:
            out.append({"item": "expenditure_item", "name": "expenditure_item",
                        "total": "expenditure_total"}.get(n, n))
        else:
            end = starts[side + 1] if side + 1 < len(starts) else len(names)
            prefix = _side_prefix(header, range(starts[side], end), kb) or f"side{side}"
            out.append({"item": f"{prefix}_item", "name": f"{prefix}_item",
                        "total": f"{prefix}_amount"}.get(n, f"{prefix}_{n}"))
    return out


def _side_prefix(header: list[list[str]], columns: range, kb: TableKnowledge) -> str | None:
    """The side's label (支出用途) anywhere over its columns: a spanning label stands over any of them."""
    for cells in header:
        for column in columns:
            label = compact(cells[column]) if column < len(cells) else ""
            found = next((n for n, pattern in kb.side_labels if pattern.match(label)), None)
            if found:
                return found
    return None


def parse_table(kind: TableKind, title: SourceLine, body: list[SourceLine], source: SourceDocument,
                kb: TableKnowledge) -> Table:
    """One Table from its title line and the lines up to the next table or section."""
    notices: list[Notice] = []
    lines = [ln for ln in body if ln.text.strip()]
    last_line = body[-1].number if body else title.number
    span = source.span(title.number, last_line)

    # preamble: organisation and unit, possibly split over several one-word lines
    preamble = read_preamble(lines, kb)
    unit = preamble.unit or find_unit(compact(title.text)) or find_unit(compact(title.raw))
    rest = lines[len(preamble.lines):]
    if unit is None:  # "金额（万元）" in a column header
        unit = next((u for ln in rest[:_MAX_HEADER_LINES] if (u := header_unit(compact(ln.text)))), None)
    notes = [compact(ln.text) for ln in rest if kb.empty_note.search(compact(ln.text))]
    empty = bool(notes) or (bool(rest) and all(compact(ln.text) == "无" for ln in rest))
    stated = unit is not None
    stated_unit = unit
    organisation = preamble.organisation

    is_data = lambda cells: is_data_line(cells, kb)  # noqa: E731
    rest, real = _without_page_furniture(rest, body, kb)
    panels = None if kind.two_sided else split_panels(rest, is_data)
    if panels is None:
        block = _read_block(rest, kind, source, kb, empty, notes, stated_unit)
    else:
        # panels side by side: each read as a table of its own, its rows after the previous panel's
        block = _stacked([_renumbered(_read_block(panel.lines, kind, source, kb, empty, notes, stated_unit),
                                      panel.real)
                          for panel in panels])
    if real:
        block = _renumbered(block, real)
    header, rows, frame, all_text, empty = block.header, block.rows, block.frame, block.all_text, block.empty
    if unit is None and block.cell_unit is not None:
        unit, stated = block.cell_unit, True  # no unit stated but the one each figure prints ("300.00元")
    if unit is None:
        unit = DEFAULT_UNIT  # provisional: kg.tables.find_tables takes the document's own unit, or warns
    if not empty and not rows and any(compact(ln.text) == "无" for ln in rest):
        empty = True  # its header, then "无" (alone, or in the name column) for its rows: printed empty
    detail_columns = block.detail_columns
    notices.extend(block.notices)
    if empty and rows and _prints_amounts(rows):
        notices.append(Notice(source.name, title.number, "empty-with-amounts",
                              "table says 本表无数据 but prints amounts; rows ignored"))
    if not empty and rows and _only_empty_totals(rows):
        # Jiangsu prints an empty table as its header and a bare "合计" row, without 本表无数据
        empty = True
        frame = frame.iloc[0:0]
        notices.append(Notice(source.name, title.number, "table-empty",
                              f"table {compact(title.text)!r} prints only an empty 合计 row; read as empty",
                              "info"))
    if not all_text and not empty:
        amount_columns = [c for c in frame.columns if c not in kb.text_columns | detail_columns
                          and c not in ("line", "last_line", "code_as_printed") and not kb.is_comparator(c)]
        frame, order, by_text = fit_column_order(frame, kind.kind, amount_columns, kb.column_orders,
                                                 _stated_in_unit(source, title, unit, kb) if kind.kind == "three_public"
                                                 else None)
        if order is not None:
            why = ("closes the table's sums and agrees with the items its text states" if by_text
                   else "closes the table's sums")
            notices.append(Notice(source.name, title.number, "columns-by-sums",
                                  f"columns of {compact(title.text)!r} read as the template's "
                                  f"{' | '.join(order.columns)}: the only placement of its blank cells that {why}",
                                  "info"))
    if not all_text and not empty and not kind.cells_as_text:
        notices.extend(_unnamed_amount_columns(frame, header, source, title))
    frame.attrs["header"] = ["\t".join(c) for c in header]
    frame.attrs["organisation"] = organisation
    text_columns = set(frame.columns) if all_text else (kb.text_columns | detail_columns) & set(frame.columns)
    frame.attrs["text_columns"] = sorted(text_columns - {"line", "last_line"})
    frame.attrs["unit_stated"] = stated or empty
    # a cell the reader could not place names its table, so a user finds it in the document
    where = f"{compact(title.text)!r} (table at line {title.number}): "
    notices = [replace(n, message=where + n.message) if n.code in _CELL_NOTICES else n for n in notices]
    return Table(kind=kind.kind, title=title.text.strip(), unit=unit, span=span, frame=frame, empty=empty,
                 notices=notices)



def _unnamed_amount_columns(frame: pd.DataFrame, header: list[list[str]], source: SourceDocument,
                            title: SourceLine) -> list[Notice]:
    """A column printing figures under a header the reader names nothing (``col3``): its figures stay in the
    table but reach no line, project or sum — said, never dropped silently."""
    out = []
    for column in frame.columns:
        if not _UNNAMED.match(column) or not any(isinstance(v, Decimal) for v in frame[column]):
            continue
        j = int(column[3:])
        label = "".join(compact(line[j]) for line in header if j < len(line)) or "(no label)"
        out.append(Notice(source.name, title.number, "column-unnamed",
                          f"{compact(title.text)!r} (table at line {title.number}): column {j + 1} headed {label!r} "
                          f"prints figures but names no column the reader knows (kg/data/table_columns.toml); they "
                          f"are kept as {column} and reach no line, project or sum", "warning"))
    return out


def _stated_in_unit(source: SourceDocument, title: SourceLine, unit: str, kb: TableKnowledge) -> dict[str, Decimal]:
    """The 三公 items the document's text states (kg/tables/stated.py), in the table's unit."""
    final = bool(kb.final_accounts.search(compact(title.text)))
    return {item: s.amount / UNIT_TO_YUAN[unit] for item, s in stated_items(source.lines, final).items()}


@dataclass
class _Block:
    """What the lines under a table's preamble read as: header lines, rows as aligned cells, the frame."""

    header: list[list[str]]
    rows: list[tuple[int, list[str]]]
    frame: pd.DataFrame
    notices: list[Notice]
    all_text: bool
    detail_columns: frozenset[str]
    empty: bool  # the table says it is empty (a note on one item under printed rows does not)
    cell_unit: str | None = None  # the unit its figures print after them ("300.00元"), when they print one


def _without_page_furniture(rest: list[SourceLine], body: list[SourceLine],
                            kb: TableKnowledge) -> tuple[list[SourceLine], dict[int, int]]:
    """The block's lines without the running headers, renumbered so that a page break counts as no line,
    with the map back to the document's numbers (empty when nothing was renumbered).

    A running header spans the columns: laid out with the rows it would shift them. And a page break in the
    middle of a row ("310" at the foot of a page, "02 办公设备购置" under the next page's header) must not part
    the row's lines: rows are joined by lines that touch. So the furniture of a break (the running header, the
    page number and other lines dropped on reading, the blank lines after them) counts as no line; a blank
    line printed before it stays the gap it was."""
    headers = {ln.number for ln in rest
               if len(filled(cells_of(ln))) == 1 and kb.running_header.match(compact(ln.text))}
    kept = [ln for ln in rest if ln.number not in headers]
    if not kept:
        return kept, {}
    blank = {ln.number for ln in body if not ln.text.strip()}
    out = [kept[0]]
    real: dict[int, int] = {}
    number = kept[0].number
    for previous, line in pairwise(kept):
        between = range(previous.number + 1, line.number)
        furniture = [n for n in between if n not in blank]  # running headers, and lines dropped on reading
        gap = len(between) if not furniture else sum(1 for n in between if n < furniture[0])
        number += 1 + gap
        out.append(line if number == line.number else replace(line, number=number))
        if number != line.number:
            real[number] = line.number
    return out, real


def _read_block(rest: list[SourceLine], kind: TableKind, source: SourceDocument, kb: TableKnowledge,
                empty: bool, notes: list[str], unit: str | None = None) -> _Block:
    grid = align_block(rest, lambda cells: is_data_line(cells, kb), lambda label: _label_kind(label, kb),
                       lambda label: _label_name(compact(label), kb))
    aligned = {ln.number: cells for ln, cells in zip(rest, grid.cells, strict=True)}
    is_row = {ln.number: data for ln, data in zip(rest, grid.data, strict=True)}
    header: list[list[str]] = []
    header_keys: set[str] = set()
    row_lines: list[SourceLine] = []
    in_header = True
    # a wrapped header (Jiangsu's 三公 table prints its labels over ten lines) runs to the first row printing
    # amounts; a block with no such row keeps the short limit, so a table of text rows is not all header
    first_amounts = next((i for i, ln in enumerate(rest) if is_row[ln.number]
                          and any(parse_amount(c) is not None for c in filled(aligned[ln.number]))), None)
    header_limit = _MAX_HEADER_LINES if first_amounts is None else max(_MAX_HEADER_LINES,
                                                                       min(first_amounts, _MAX_WRAPPED_HEADER))
    kinds = [c.kind for c in grid.columns]
    kinds += ["amount"] * (max((len(c) for c in grid.cells), default=0) - len(kinds))
    for ln in rest:
        cells = aligned[ln.number]
        text = compact(ln.text)
        if kb.empty_note.search(text) or text.startswith("注:"):
            continue
        if is_column_number_row(cells, kb.number_row_labels):
            in_header = False
            continue
        amounts_only = bool(filled(cells)) and all(parse_amount(c) is not None for c in filled(cells))
        # a lone amount (a 决算's 合计 printed among the header lines) is no header label
        if in_header and not is_row[ln.number] and not amounts_only and len(header) < header_limit:
            header.append(cells)
            header_keys.add(text)
            continue
        # a line of amounts alone (a 决算 prints the 合计 amounts above the 合计 label and the last
        # header line) does not end the header
        # (a code is no amount: "301" under 类 ends it)
        in_header = in_header and all(c == "" or (parse_amount(c) is not None and kinds[j] == "amount")
                                      for j, c in enumerate(cells))
        if text in header_keys or kb.furniture.match(text):
            continue  # a header repeated after a page break, or a "预算公开表3" label
        row_lines.append(ln)

    width = max([len(c) for c in header] + [len(aligned[ln.number]) for ln in row_lines] + [1])
    names = column_names(header, width, kind, kb)
    names = _code_parts_by_position(names, [c.kind for c in grid.columns])
    if "basic" in names and "total" not in names and "project" not in names:
        names[names.index("basic")] = "total"  # a 基本支出 table whose one amount column is headed 基本支出
    if "item" in names and "name" not in names and ("code" in names or "code_class" in names):
        names[names.index("item")] = "name"  # 科目编码 | 项目 | 合计: the 科目's name, headed 项目
    all_text = kind.cells_as_text and not _fully_named(names)
    rows = [(ln.number, aligned[ln.number]) for ln in row_lines]
    if empty and notes and not any(_NO_DATA in n for n in notes) and _prints_amounts(rows):
        empty = False  # "注:本部门无因公出国(境)费预算" under a table that has rows: a note on one item
    names, detail_columns = (names, frozenset()) if all_text else _detail_columns(
        names, rows, kb, [c.kind for c in grid.columns])
    frame, row_notices, cell_unit = _typed_frame(names, rows if not empty else [], source, kb, all_text=all_text,
                                                 extra_text=detail_columns, wrapped=grid.positioned, unit=unit)
    return _Block(header, rows, frame, row_notices, all_text, detail_columns, empty, cell_unit)


_LINE_REFERENCE = re.compile(r"\b(lines? )(\d+)(?:-(\d+))?")


def _renumbered(block: _Block, real: dict[int, int]) -> _Block:
    """A block read from renumbered lines (a panel, a table across page breaks) with the document's own line
    numbers back in its rows, frame and notices, and in the lines its notices' messages name ("lines 6-9")."""
    frame = block.frame.copy()
    for column in ("line", "last_line"):
        frame[column] = [real.get(int(n), int(n)) for n in frame[column]]
    frame.attrs = dict(block.frame.attrs)
    rows = [(real.get(n, n), cells) for n, cells in block.rows]

    def named(match: re.Match[str]) -> str:
        first = int(match[2])
        last = f"-{real.get(int(match[3]), int(match[3]))}" if match[3] else ""
        return f"{match[1]}{real.get(first, first)}{last}"

    notices = [replace(n, line=real.get(n.line, n.line) if n.line is not None else None,
                       message=_LINE_REFERENCE.sub(named, n.message)) for n in block.notices]
    return _Block(block.header, rows, frame, notices, block.all_text, block.detail_columns, block.empty,
                  block.cell_unit)


def _stacked(blocks: list[_Block]) -> _Block:
    """Panels read one after the other, as if printed one under the other; the header is the first panel's."""
    columns = list(dict.fromkeys(c for block in blocks for c in block.frame.columns))
    frames = [block.frame.reindex(columns=columns).astype(object) for block in blocks]
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.astype(object).where(frame.notna(), None)
    frame["line"] = frame["line"].astype("int64")
    frame["last_line"] = frame["last_line"].astype("int64")
    first = blocks[0]
    return _Block(first.header, [row for block in blocks for row in block.rows], frame,
                  [n for block in blocks for n in block.notices], first.all_text,
                  frozenset().union(*(block.detail_columns for block in blocks)), all(b.empty for b in blocks),
                  next((b.cell_unit for b in blocks if b.cell_unit), None))

_UNNAMED = re.compile(r"^col[0-9]{1,3}$")
_REPEATED = re.compile(r"_[0-9]{1,2}$")
_TOTAL_LABELS = frozenset({"合计", "总计"})
_TOTAL_SUFFIXES = ("合计", "总计")
_TOTAL_ENDINGS = ("合计", "总计", "小计")


def _fully_named(names: list[str]) -> bool:
    """Every column header was recognised, none twice: the layout is understood."""
    return not any(_UNNAMED.match(n) or _REPEATED.search(n) for n in names)


def _detail_columns(names: list[str], rows: list[tuple[int, list[str]]], kb: TableKnowledge,
                    kinds: list[str] | None = None) -> tuple[list[str], frozenset[str]]:
    """An unnamed column right of a text column, holding only text, continues that column's label.

    Jiangsu's 收入预算总表 spans "项目名称" over two columns: 一般公共预算资金 | 小计 / | 专项收入.
    The second column becomes ``name_detail`` (text), not an amount column full of bad amounts.
    """
    out = list(names)
    details: set[str] = set()
    if kinds is not None and len(kinds) == len(names):
        # positioned: the spanning label stands over the detail column and the label column left of it is
        # unnamed ("一般公共预算资金  公共财政拨款(补助)资金" under one 项目名称)
        for j in range(len(names) - 1):
            if _UNNAMED.match(out[j]) and kinds[j] == "text" and out[j + 1] in kb.text_columns - {"code"}:
                out[j], out[j + 1] = out[j + 1], f"{out[j + 1]}_detail"
                details.add(out[j + 1])
    for j in range(1, len(names)):
        if not _UNNAMED.match(names[j]) or out[j - 1] not in kb.text_columns:
            continue
        column = [cells[j] for _, cells in rows if j < len(cells) and cells[j]]
        if column and not any(parse_amount(c) is not None for c in column):
            out[j] = f"{out[j - 1]}_detail"
            details.add(out[j])
    return out, frozenset(details)


def _prints_amounts(rows: list[tuple[int, list[str]]]) -> bool:
    return any(parse_amount(c) is not None for _, cells in rows for c in cells)


def _only_empty_totals(rows: list[tuple[int, list[str]]]) -> bool:
    for _, row in rows:
        cells = filled(row)
        if any(parse_amount(c) is not None for c in cells) or any(compact(c) not in _TOTAL_LABELS for c in cells):
            return False
    return True


def _attach_by_side(records: list[dict[str, object]], names: list[str], text_columns: list[str],
                    amount_columns: list[str]) -> list[dict[str, object]] | None:
    """A 收支总表's sides (收入 | 支出 | 支出用途) are tables printed beside each other: each side's labels wrap
    on their own ("一、财政" / 13,649.07 / "拨款" beside "一、一般公共服务" / 10,528.33 / "支出"), so each side's
    wrapped cells are joined to that side's rows, and the sides are put back together line by line. A side's
    row is a line printing an amount anywhere (its own cells may all be empty: the cell centred on it) or
    text of that side. None when the table has one side."""
    if "income_item" not in names or "expenditure_item" not in names:
        return None  # not a 收支总表 (a 政府采购 table's 专项名称 and 物品名称 are no sides)
    starts = [j for j, n in enumerate(names) if n.endswith("_item")]
    bounds = [0, *starts[1:], len(names)]
    sides = [names[a:b] for a, b in pairwise(bounds)]
    amounts = set(amount_columns)
    line_has_amount = {int(r["line"]): any(r.get(c) is not None for c in amounts) for r in records}  # type: ignore[call-overload]
    # a total line (当年收入小计 … 当年支出小计) is no row of a side printing nothing on it: no cell is centred on it
    total_line = {int(r["line"]) for r in records  # type: ignore[call-overload]
                  if any(compact(str(r.get(c) or "")).endswith(_TOTAL_ENDINGS) for c in text_columns)}
    side_rows: list[list[dict[str, object]]] = []
    for side in sides:
        texts = [c for c in side if c in text_columns]
        side_amounts = [c for c in side if c in amounts]
        side_records = []
        for record in records:
            line = int(record["line"])  # type: ignore[call-overload]
            values = {c: record.get(c) for c in side}
            printed = any(v not in (None, "") for v in values.values())
            if printed or (line_has_amount[line] and line not in total_line):
                side_records.append({"line": line, "last_line": record["last_line"], **values})
        side_records = _figures_above_their_label(side_records, texts, side_amounts)
        # a line the side prints nothing on is the other sides' row (kept until here: a cell of this side
        # centred on it may have been joined to it)
        side_rows.append([joined for joined in attach_wrapped_cells(side_records, texts, side_amounts,
                                                                    continuation=False)
                          if any(joined.get(c) not in (None, "") for c in side)])
    by_line: dict[int, dict[str, object]] = {}
    for group in _rows_across_sides(side_rows):
        line = min(int(joined["line"]) for joined in group)  # type: ignore[call-overload]
        merged = by_line.setdefault(line, {"line": line, "last_line": line})
        for joined in group:
            merged.update({c: v for c, v in joined.items() if c not in ("line", "last_line")})
            merged["last_line"] = max(int(merged["last_line"]), int(joined["last_line"]))  # type: ignore[call-overload]
    strays = {int(r["line"]): r["_stray"] for r in records if "_stray" in r}  # type: ignore[call-overload]
    out = []
    for line in sorted(by_line):
        merged = by_line[line]
        for column in names:
            merged.setdefault(column, "" if column in text_columns else None)
        if line in strays:
            merged["_stray"] = strays[line]
        out.append(merged)
    return out


def _figures_above_their_label(records: list[dict[str, object]], texts: list[str],
                               amounts: list[str]) -> list[dict[str, object]]:
    """A side's line of figures alone, right above the line printing the side's label and its other figures
    ("2,940.05" over "本年支出合计 2,940.05", the text export of a 决算's 财政拨款收入支出决算总表 printing the
    合计 a line higher than the 一般公共预算财政拨款): one row, when the two lines fill different columns."""
    def filled(record: dict[str, object], columns: list[str]) -> set[str]:
        return {c for c in columns if record.get(c) not in (None, "")}

    out: list[dict[str, object]] = []
    for record in records:
        previous = out[-1] if out else None
        if (previous is not None and int(record["line"]) == int(previous["last_line"]) + 1  # type: ignore[call-overload]
                and not filled(previous, texts) and filled(previous, amounts)
                and filled(record, texts) and filled(record, amounts)
                and not filled(previous, amounts) & filled(record, amounts)):
            out[-1] = {**record, **{c: previous[c] for c in filled(previous, amounts)}, "line": previous["line"]}
            continue
        out.append(record)
    return out


def _rows_across_sides(side_rows: list[list[dict[str, object]]]) -> list[list[dict[str, object]]]:
    """The rows of a 收支总表's sides put together: those starting on one line, and those whose lines overlap
    when each overlaps one row of the other side only (a side's label joined to figures printed a line above
    it, beside the other side's row on the label's line). A row overlapping two of another side stays apart."""
    def span(row: dict[str, object]) -> range:
        return range(int(row["line"]), int(row["last_line"]) + 1)  # type: ignore[call-overload]

    groups: list[list[dict[str, object]]] = [[row] for row in side_rows[0]] if side_rows else []
    for rows in side_rows[1:]:
        overlapping = {id(row): [g for g in groups if any(set(span(row)) & set(span(r)) for r in g)] for row in rows}
        claims: dict[int, int] = {}
        for row in rows:
            for group in overlapping[id(row)]:
                claims[id(group)] = claims.get(id(group), 0) + 1
        for row in rows:
            found = overlapping[id(row)]
            same_line = [g for g in found if any(int(r["line"]) == int(row["line"]) for r in g)]  # type: ignore[call-overload]
            target = same_line[0] if same_line else found[0] if len(found) == 1 and claims[id(found[0])] == 1 \
                else None
            if target is not None:
                target.append(row)
            else:
                groups.append([row])
    return groups


def _replaced_by_sums(records: list[dict[str, object]], names: list[str], amount_columns: list[str],
                      source: SourceDocument, notices: list[Notice]) -> list[str]:
    """Runs of rows laid off their columns put back where the table's sums close (kg/tables/row_sums.py);
    an unnamed column only those rows filled goes with them. The column names left."""
    shifts = replace_by_sums(records, amount_columns)
    for shift in shifts:
        first, last = int(records[shift.first]["line"]), int(records[shift.last]["last_line"])  # type: ignore[call-overload]
        lines = f"line {first}" if first == last else f"lines {first}-{last}"
        columns = "1 column" if abs(shift.by) == 1 else f"{abs(shift.by)} columns"
        notices.append(Notice(source.name, first, "rows-by-sums",
                              f"{lines} read off their headings; moved {columns} "
                              f"{'right' if shift.by > 0 else 'left'}, the only placement under which the sums "
                              "they enter (children = parent, 类 rows = 合计) close", "info"))
    if not shifts:
        return names
    emptied = {n for n in amount_columns if _UNNAMED.match(n) and all(r.get(n) is None for r in records)}
    for record in records:
        for name in emptied:
            record.pop(name, None)
    return [n for n in names if n not in emptied]


def _without_bare_breakdowns(records: list[dict[str, object]], text_columns: list[str], amount_columns: list[str],
                             kb: TableKnowledge, source: SourceDocument,
                             notices: list[Notice]) -> list[dict[str, object]]:
    """``records`` without the lines that print only "其中：" (the rows after it are parts of the row above):
    touching the names around it, it would be read as a piece of one ("人大事务其中:")."""
    kept: list[dict[str, object]] = []
    for record in records:
        text = compact("".join(str(record.get(c) or "") for c in text_columns))
        marker = kb.breakdown.match(text)
        if marker and marker.end() == len(text) and all(record.get(c) is None for c in amount_columns):
            notices.append(Notice(source.name, int(record["line"]), "breakdown-row",  # type: ignore[call-overload]
                                  "a bare 其中: the rows after it are parts of the row above, each read by its "
                                  "own 科目编码", "info"))
            continue
        kept.append(record)
    return kept


def _read_breakdowns(records: list[dict[str, object]], amount_columns: list[str], kb: TableKnowledge,
                     source: SourceDocument, notices: list[Notice]) -> None:
    """Rows printed after "其中：" in a table of 科目编码. One with its code is a line under its own name
    ("其中：行政运行" → 行政运行); one without is a part of the row above ("其中：人员经费" under 2010101), not a
    line of its own: kept as printed, said once — and a warning where it prints more than that row."""
    above = ""
    whole: dict[str, object] = {}
    for record in records:
        name, code = record.get("name"), record.get("code")
        marker = kb.breakdown.match(name) if isinstance(name, str) else None
        if marker and isinstance(code, str):
            record["name"] = name[marker.end():]  # type: ignore[index]
        elif marker and any(record.get(c) is not None for c in amount_columns):
            line = int(record["line"])  # type: ignore[call-overload]
            notices.append(Notice(source.name, line, "breakdown-row",
                                  f"{name!r} is a part of the row above ({above}), not a line of its own", "info"))
            for column in amount_columns:
                part, of = record.get(column), whole.get(column)
                if isinstance(part, Decimal) and part - (of if isinstance(of, Decimal) else 0) > ROUNDING:
                    notices.append(Notice(source.name, line, "breakdown-exceeds",
                                          f"{name!r} prints {part} as {column}, more than the row above ({above}) "
                                          f"prints: {of if isinstance(of, Decimal) else 'nothing'}"))
        if isinstance(code, str) or name in _TOTAL_LABELS:
            above = f"{code} {record.get('name')}" if isinstance(code, str) else str(name)
            whole = record


def _labels_over_subtotal_groups(records: list[dict[str, object]], label: str, detail: str,
                                 printed: list[str]) -> None:
    """A label cell merged over its detail rows and printed at their middle, each group opening with its 小计
    (the Jiangsu 收入预算总表: | 小计 / 财政专户管理资金 | 专户管理教育收费 / | 其他非税收入): every detail row of a
    group takes the one label ``printed`` in it, the rows above that label too. A group printing no label or two
    keeps what the merge-down rule gave it. (Modified in place.)"""
    starts = [i for i, r in enumerate(records) if compact(str(r.get(detail) or "")) == _SUBTOTAL_LABEL]
    if len(starts) < 2:
        return
    for first, end in pairwise([*starts, len(records)]):
        labels = {printed[i] for i in range(first, end) if printed[i]}
        if len(labels) == 1:
            name = labels.pop()
            for record in records[first:end]:
                if record.get(detail):
                    record[label] = name


def _typed_frame(names: list[str], rows: list[tuple[int, list[str]]], source: SourceDocument,
                 kb: TableKnowledge, all_text: bool = False, extra_text: frozenset[str] = frozenset(),
                 wrapped: bool = False, unit: str | None = None) -> tuple[pd.DataFrame, list[Notice], str | None]:
    """The rows as a frame of text and Decimal columns, with the unit its figures print after them ("300.00元"):
    ``unit`` (the table's stated unit), else the first one printed. A figure printing another unit is converted
    to it exactly, with a notice."""
    notices: list[Notice] = []
    printed_units = False
    converted: list[tuple[int, str, str]] = []  # (line, cell, as read): figures printing another unit than the table
    text_set = set(names) if all_text else kb.text_columns | extra_text
    text_columns = [n for n in names if n in text_set]
    amount_columns = [n for n in names if n not in text_set]
    records: list[dict[str, object]] = []
    for number, cells in rows:
        if len(cells) > len(names):
            notices.append(Notice(source.name, number, "extra-cells",
                                  f"row has {len(cells)} cells, header {len(names)}; extra cells kept"))
        record: dict[str, object] = {"line": number, "last_line": number}
        for j, name in enumerate(names):
            cell = cells[j] if j < len(cells) else ""
            if name in text_set:
                record[name] = cell
            else:
                value = parse_amount(cell)
                printed_unit = cell_unit(cell) if value is not None else None
                if printed_unit is not None:
                    unit, printed_units = unit or printed_unit, True
                    if printed_unit != unit:
                        value = value * UNIT_TO_YUAN[printed_unit] / UNIT_TO_YUAN[unit]  # type: ignore[operator]
                        converted.append((number, cell, f"{value} {unit}"))
                if value is None and cell and not is_nil(cell):
                    # text in an amount column: a name wrapped into the next cell, or a bad number
                    record[name] = None
                    record.setdefault("_stray", []).append(cell)  # type: ignore[union-attr]
                else:
                    record[name] = value
        records.append(record)
    if converted:
        line, cell, read = converted[0]
        notices.append(Notice(source.name, line, "amount-unit-in-cell",
                              f"{len(converted)} figure(s) print another unit than the table's {unit} (first "
                              f"{cell!r}, line {line}): each read in its own, {cell!r} as {read}", "info"))

    if "code_class" in names and not all_text:
        names = codes.merge_code_part_names(names)
        notices.extend(codes.join_code_parts(records, source.name))
    if "code" not in names and "name" in names and not all_text and codes.names_carry_codes(records):
        # "201 一般公共服务支出" under one "科目" header: the codes are split off the names
        names = [*names[:names.index("name")], "code", *names[names.index("name"):]]
        for record in records:
            record["code"] = None
    if "code" in names and not all_text:
        records = _without_bare_breakdowns(records, text_columns, amount_columns, kb, source, notices)
        records, code_notices = codes.repair_code_rows(records, amount_columns, source.name, wrapped)
        notices.extend(code_notices)
        for first, count in expand_tree_codes(records, amount_columns):
            notices.append(Notice(source.name, first, "codes-from-tree",
                                  f"{count} 款/项 codes from line {first} printed by their last two digits under "
                                  "their 类: read as full codes, nested the one way under which the 项 add up "
                                  "to their 款 and the 款 to their 类 (or break the fewest of these sums)", "info"))
        names = _replaced_by_sums(records, names, amount_columns, source, notices)

    elif wrapped:
        # names, items and labels the page broke over lines (the 政府采购 table's 专项名称 and 物品名称)
        wrapping = [n for n in text_columns if n not in extra_text]
        records = (_attach_by_side(records, names, wrapping, amount_columns)
                   or attach_wrapped_cells(records, wrapping, amount_columns, continuation=False,
                                           whole=kb.whole_labels.__contains__))
    for record in records:
        stray = record.pop("_stray", None)
        if stray:
            notices.append(Notice(source.name, int(record["line"]), "bad-amount",  # type: ignore[call-overload]
                                  f"not an amount: {' | '.join(stray)!r}; cell left empty"))  # type: ignore[arg-type]
        for name in text_columns:
            value = record.get(name)
            record[name] = join_wrapped(value) if isinstance(value, str) else value

    if "code" in names and not all_text:
        _read_breakdowns(records, amount_columns, kb, source, notices)

    for detail in extra_text:
        label = detail.removesuffix("_detail")
        printed = [str(r.get(label) or "") for r in records]
        above: object = None
        for record in records:
            text = compact(str(record.get(detail) or ""))
            if not record.get(label) and text.endswith(_TOTAL_SUFFIXES):
                record[label], record[detail] = record[detail], ""  # 收入总计 spans label and detail
                above = None
                continue
            # the label cell is merged down over its detail rows: "一般公共预算资金" | 小计, then | 专项收入
            if record.get(label):
                above = record[label]
            elif record.get(detail) and above:
                record[label] = above
        _labels_over_subtotal_groups(records, label, detail, printed)

    # a name twice (a mangled header read two columns as 科目编码) is one column: the records hold one value
    columns = list(dict.fromkeys(["line", "last_line", *names]))
    if "code" in names and not all_text:
        columns.append("code_as_printed")
    # Columns are cleaned in Python and the frame built once: per-column pandas calls cost more than
    # the parsing itself on tables of a few dozen rows.
    amount_set = set(amount_columns)
    data: dict[str, list[object]] = {}
    for name in columns:
        values = [record.get(name) for record in records]
        if name in amount_set:
            values = [value if isinstance(value, Decimal) else None for value in values]
        data[name] = values
    return object_frame(data, columns), notices, unit if printed_units else None
