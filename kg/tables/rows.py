"""Rows whose cells the page broke over lines: a long name printed on two or three lines, above, below or
on both sides of the line that carries the row's code and amounts.

``pdftotext`` (and a PDF read line by line) gives each printed line on its own, so such a cell leaves lines
that hold only a piece of text — fragments. A block of fragments is joined back to a row by where it
touches (no line between, by line number) and which cells of the row are empty:

- a row whose cell is empty takes the block just above it as the cell's start and the block just below as
  its end (a cell centred on its row: ``机关事业单位基本养老保险缴费支`` / ``2080505 … 1,384.70`` / ``出``);
- a row whose cell is empty and has nothing above takes the block below, unless that block leans on the
  next row (touches it and the next row's cell is empty and has nothing above);
- any block left over ends the cell of the row just above it (``十八、自然资源海洋气象等`` / ``支出``).

A block holds one column's pieces; a cell centred on its row has as many pieces below as above it; a total line
(小计, 合计, 总计) wraps no cell. Where left-over blocks stay rows (``continuation=False``: a 收支总表's side, whose
items may print no amount), an item label (``三、国有资本经营预算``) is no cell's start unless a piece below
ends it, and an item label wrapped over lines of its own is one row. Any other block that touches no row stays
where it is (the caller reports it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.tables.layout import compact

Record = dict[str, object]
_TOTALS = ("合计", "总计")
_TOTAL_ENDINGS = ("合计", "总计", "小计")
_MAX_PIECES = 3  # a cell wraps over a few lines; a longer run of text-only lines is rows of their own
_VOTES = 3  # rows enough to show which side of its row a table prints a cell's pieces on
_ITEM_START = re.compile(  # "二、…", "(三)…", "2. …": the numbering an item's label starts with
    r"^\s*(?:[一二三四五六七八九十]{1,3}、|[(（][一二三四五六七八九十0-9]{1,3}[)）]|[0-9]{1,2}\s*[.、．]\s*\D)")


def _text(record: Record, column: str) -> str:
    value = record.get(column)
    return value.strip() if isinstance(value, str) else ""


def is_fragment(record: Record, text_columns: list[str], amount_columns: list[str]) -> bool:
    """A line holding only a piece of one cell's text: no amount, no code, no total label, one column."""
    texts = [compact(_text(record, c)) for c in text_columns]
    others = [k for k, v in record.items() if k not in text_columns and isinstance(v, str) and v.strip()
              and not k.startswith("_")]
    return (sum(1 for t in texts if t) == 1 and not others and not compact(str(record.get("code") or ""))
            and not any(t in _TOTALS for t in texts)
            and all(record.get(c) is None for c in amount_columns))


def attach_wrapped_cells(records: list[Record], text_columns: list[str], amount_columns: list[str],
                         continuation: bool = True,
                         continues_above: Callable[[Record], bool] | None = None,
                         whole: Callable[[str], bool] | None = None) -> list[Record]:
    """``records`` with fragment blocks joined into their rows (see module doc); the rest in order.

    Without ``continuation`` a block left over stays a row: in a table whose rows may hold text alone (the
    收入总表's source labels) only a cell broken around an empty cell of its row is sure to be one.
    ``continues_above`` tells a line that is itself the lower part of the row above (a 款 printed under its
    类): a block below such a line ends that row, it does not lean on the next one. ``whole`` tells a label of
    the template that is a row's label all by itself (小计, 专项收入): a line printing one is a piece of no other
    cell, and a row between two such lines takes only the one above (its figure was printed a line below it)."""
    if not text_columns:
        return records

    def _numbered(index: int) -> bool:
        return any(_ITEM_START.match(_text(records[index], c)) for c in text_columns)

    kinds = [is_fragment(r, text_columns, amount_columns) for r in records]
    complete = [fragment and whole is not None and _whole(records[i], text_columns, whole)
                for i, fragment in enumerate(kinds)]
    blocks: list[list[int]] = []  # indexes of fragment records, consecutive and touching
    for index, fragment in enumerate(kinds):
        if not fragment:
            continue
        # a piece numbered as an item ("二、政府性基金预算财政拨") starts a cell, it does not go on the one above
        numbered = _numbered(index)
        # a cell's pieces stand in its column: a piece in another column is another cell ("购置费" ending the
        # 专项名称 above, "台式计算机(20 万以" starting the 采购物品名称 below)
        if (blocks and blocks[-1][-1] == index - 1 and _touch(records[index - 1], records[index])
                and len(blocks[-1]) < _MAX_PIECES and not numbered and not complete[index] and not complete[index - 1]
                and _column(records[index - 1], text_columns) == _column(records[index], text_columns)):
            blocks[-1].append(index)
        else:
            blocks.append([index])
    if not blocks:
        return records
    starting = {block[0]: block for block in blocks}
    ending = {block[-1]: block for block in blocks}
    empty = {id(r): {c for c in text_columns if not _text(r, c)} for r in records}
    taken: set[int] = set()  # first index of each block joined to a row

    def join(block: list[int], row: Record, before: bool) -> None:
        for column in text_columns:
            piece = "".join(_text(records[i], column) for i in block)
            if not piece:
                continue
            current = _text(row, column)
            upper, lower = (piece, current) if before else (current, piece)
            row[column] = _side_by_side(upper, lower, whole) or _glue(upper, lower)
        lines = [int(records[i]["line"]) for i in block]  # type: ignore[call-overload]
        if not before:
            row["last_line"] = max(int(row.get("last_line") or row["line"]), *lines)  # type: ignore[call-overload]
        taken.add(block[0])

    def wants(block: list[int], row: Record) -> bool:
        """The row's cells that are empty are the ones the block fills."""
        filled = {c for c in text_columns if any(_text(records[i], c) for i in block)}
        return bool(filled) and filled <= empty[id(row)]

    rows = [i for i, fragment in enumerate(kinds) if not fragment]

    def neighbours(index: int) -> tuple[list[int] | None, list[int] | None]:
        row = records[index]
        if any(compact(_text(row, c)).endswith(_TOTAL_ENDINGS) for c in text_columns):
            return None, None  # a total row (当年支出小计, 收入合计) wraps no cell: "二十、其他支出" above is an item
        above = ending.get(index - 1)
        below = starting.get(index + 1)
        if above is not None and (above[0] in taken or not _touch(records[above[-1]], row) or not wants(above, row)):
            above = None
        if below is not None and (below[0] in taken or not _touch(row, records[below[0]]) or not wants(below, row)):
            below = None
        return above, below

    def _named_below(index: int) -> bool:
        """The row at ``index`` goes on on the next line, which carries its name ("310" / "01 房屋建筑物购建"):
        a piece of text above it is not its name."""
        following = index + 1
        return (continues_above is not None and following < len(records) and not kinds[following]
                and continues_above(records[following]) and _touch(records[index], records[following])
                and any(_text(records[following], c) for c in text_columns))

    def _centred(below: list[int], above: list[int], position: int) -> list[int]:
        """The pieces below a row whose cell also has pieces above: a cell centred on its row has as many lines
        below as above, so further pieces in its column start the next row's cell ("上)" ends 台式计算机(20 万以
        上), "便携式计算机(20 万以" under it starts the next row's) when that row wants them."""
        following = rows[position + 1] if position + 1 < len(rows) else None
        rest = below[len(above):]
        if not rest or following is None or following != rest[-1] + 1 or not wants(rest, records[following]):
            return below
        own = below[:len(above)]
        blocks[blocks.index(below):blocks.index(below) + 1] = [own, rest]
        starting[own[0]] = ending[own[-1]] = own
        starting[rest[0]] = ending[rest[-1]] = rest
        return own

    # a table whose rows print their code line over their name line (every cell top-aligned but the name's):
    # the rows that have a piece on one side only say so, and then a piece is its lower neighbour's only
    # when the table shows no such row at all
    sides = [neighbours(i) for i in rows]
    below_only = sum(1 for above, below in sides if below is not None and above is None)
    above_only = sum(1 for above, below in sides if above is not None and below is None)
    names_below = below_only >= _VOTES and below_only > 2 * above_only
    for position, index in enumerate(rows):
        row = records[index]
        above, below = neighbours(index)
        if names_below:
            if below is not None:
                join(below, row, before=False)
            continue
        if above is not None and below is None and not continuation and _numbered(above[0]):
            above = None  # an item label of its own ("三、国有资本经营预算", no amount) over a row of another side
        if above is not None:
            join(above, row, before=True)
            if below is not None and not (complete[above[0]] and complete[below[0]]):
                join(_centred(below, above, position), row, before=False)
        elif below is not None:
            following = rows[position + 1] if position + 1 < len(rows) else None
            leans_on_next = (following is not None and following == below[-1] + 1
                             and _touch(records[below[-1]], records[following])
                             and wants(below, records[following])
                             and not _named_below(following))
            if not leans_on_next or (continues_above is not None and continues_above(row)):
                join(below, row, before=False)
    # left over: the end of the cell of the row just above
    for block in blocks if continuation else []:
        if block[0] in taken:
            continue
        previous = block[0] - 1
        if previous >= 0 and not kinds[previous] and _touch(records[previous], records[block[0]]):
            join(block, records[previous], before=False)
    # left over and numbered: an item's label wrapped over lines of its own ("二十六、抗疫特别国债安排" / "的支出"),
    # one row at its first line
    for block in [] if continuation else blocks:
        if block[0] not in taken and len(block) > 1 and _numbered(block[0]):
            join(block[1:], records[block[0]], before=False)
    joined = {i for block in blocks if block[0] in taken for i in block}
    joined |= {i for block in blocks if block[0] not in taken and len(block) > 1 and block[1] in taken
               for i in block[1:]}
    return [r for i, r in enumerate(records) if i not in joined]


def _whole(fragment: Record, text_columns: list[str], whole: Callable[[str], bool]) -> bool:
    """Every word the fragment prints is a whole label ("一般公共预算资金 公共财政拨款(补助)资金": a category and its
    detail run together in one column)."""
    words = [w for c in text_columns for w in _text(fragment, c).split()]
    return bool(words) and all(whole(compact(w)) for w in words)


def _side_by_side(upper: str, lower: str, whole: Callable[[str], bool] | None) -> str | None:
    """Two labels wrapped side by side in one column, a category beside its detail ("一般公共预 公共财政拨款(补助)"
    over "算资金 资金", the Jiangsu NPC 2017 收入预算总表): each word of the upper line goes on with the word under
    it, when every pair reads as a whole label of the template. None when they do not."""
    tops, bottoms = upper.split(), lower.split()
    if whole is None or len(tops) < 2 or len(tops) != len(bottoms):
        return None
    pairs = [top + bottom for top, bottom in zip(tops, bottoms, strict=True)]
    return " ".join(pairs) if all(whole(compact(pair)) for pair in pairs) else None


def _column(fragment: Record, text_columns: list[str]) -> str | None:
    """The one text column a fragment fills."""
    return next((c for c in text_columns if _text(fragment, c)), None)


def _glue(left: str, right: str) -> str:
    """Two pieces of one wrapped cell: nothing between CJK (a line break is no word break), a space between
    two words."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return f"{left}{right}"


def _touch(upper: Record, lower: Record) -> bool:
    last = int(upper.get("last_line") or upper["line"])  # type: ignore[call-overload]
    return int(lower["line"]) - last == 1  # type: ignore[call-overload]
