"""科目编码 printed as a tree: a 类 in full, each 款 and 项 by its own two digits under it.

Some provinces print ``201 一般公共服务支出`` and then ``01 人大事务`` / ``01 行政运行`` indented below it, the full
code (2010101) never printed. A two-digit code is the next level under the nearest row above it: a 款 under
the 类, a 项 under the 款. Where both fit (``02`` after a 项: the next 项, or the next 款 of the 类?) the
indentation is gone in a text export and a PDF alike, so the table's own arithmetic decides, as a reader
would: a 款 is done when its 项 add up to it, siblings are printed in ascending order, and the 款 of a 类 add
up to the 类. Every way to read one 类's block that keeps all three is found; the codes are rebuilt when
exactly one does, and left as printed otherwise (``bad-code`` later says so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kg.tables.amounts import ROUNDING

_SHORT = 2  # digits a 款 or a 项 adds to its parent's code
_MAX_STEPS = 20_000  # a block whose readings branch more than this is left as printed
_MAX_BROKEN = 2  # sums a reading may break (a misprinted figure breaks its 款's, or its 款's and its 类's)
_MAX_READINGS = 8  # readings compared code by code; more, and the block is left as printed

Record = dict[str, object]
Sums = tuple[Decimal, ...]


def _values(record: Record, columns: Sequence[str]) -> Sums:
    return tuple(v if isinstance(v := record.get(c), Decimal) else Decimal(0) for c in columns)


def _add(a: Sums, b: Sums) -> Sums:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _equal(a: Sums, b: Sums) -> bool:
    return all(abs(x - y) <= ROUNDING for x, y in zip(a, b, strict=True))


@dataclass(frozen=True)
class _State:
    """Where a reading of a 类 block stands: the open 款, what its 项 add up to so far (None: none yet), the
    last 项 number under it, and what the 款 read so far add up to."""

    section: str | None
    section_sums: Sums
    items: Sums | None
    last_item: int
    sections: Sums


def _readings(codes: list[str], values: list[Sums], klass: str, klass_sums: Sums | None) -> list[list[str]]:
    """The readings of the codes printed under ``klass`` (its rows' codes, in order) that break the fewest
    sums (at most ``_MAX_BROKEN``: a misprint breaks one or two), up to ``_MAX_READINGS`` of them; none when
    the search grows too long to be sure."""
    zero = tuple(Decimal(0) for _ in values[0]) if values else ()
    found: list[list[str]] = []
    best = _MAX_BROKEN
    steps = 0

    def broken(state: _State) -> int:
        return 0 if state.items is None or _equal(state.items, state.section_sums) else 1

    def walk(i: int, state: _State, read: list[str], cost: int) -> None:
        nonlocal steps, best, found
        steps += 1
        if cost > best or steps > _MAX_STEPS:
            return
        if i == len(codes):
            cost += broken(state) + (0 if klass_sums is None or _equal(state.sections, klass_sums) else 1)
            if cost < best:
                best, found = cost, []
            if cost == best and len(found) <= _MAX_READINGS:
                found.append(read)
            return
        code = codes[i]
        full = code if len(code) > _SHORT else None
        as_item = (full if full and len(full) == 7 and state.section == full[:5]
                   else state.section + code if not full and state.section else None)
        if as_item and int(as_item[-2:]) > state.last_item:
            items = _add(state.items or zero, values[i])
            walk(i + 1, _State(state.section, state.section_sums, items, int(as_item[-2:]), state.sections),
                 [*read, as_item], cost)
        as_section = full if full and len(full) == 5 else klass + code if not full else None
        if as_section and (state.section is None or as_section > state.section):
            walk(i + 1, _State(as_section, values[i], None, -1, _add(state.sections, values[i])),
                 [*read, as_section], cost + broken(state))

    walk(0, _State(None, zero, None, -1, zero), [], 0)
    return found if steps <= _MAX_STEPS and len(found) <= _MAX_READINGS else []


def expand_tree_codes(records: list[Record], amount_columns: Sequence[str]) -> list[tuple[int, int]]:
    """Rebuild, in place, the full code of every two-digit 款/项 code printed under a 类 (see module doc);
    the old code goes to ``code_as_printed``. Returns (first line, count) of each 类 block rebuilt."""
    def code_of(record: Record) -> str:
        code = record.get("code")
        return code if isinstance(code, str) and code.isdigit() else ""

    if not any(len(code_of(r)) == _SHORT for r in records):
        return []
    columns = list(amount_columns)
    done: list[tuple[int, int]] = []
    start = 0
    while start < len(records):
        klass = code_of(records[start])
        if len(klass) != 3:
            start += 1
            continue
        end = start + 1
        while end < len(records) and (code := code_of(records[end])) and (
                len(code) == _SHORT or (len(code) in (5, 7) and code.startswith(klass))):
            end += 1
        block = records[start + 1:end]
        if any(len(code_of(r)) == _SHORT for r in block):
            klass_printed = any(isinstance(records[start].get(c), Decimal) for c in columns)
            readings = _readings([code_of(r) for r in block], [_values(r, columns) for r in block], klass,
                                 _values(records[start], columns) if klass_printed else None)
            rebuilt = 0
            for j, record in enumerate(block):
                fulls = {reading[j] for reading in readings}
                if len(fulls) == 1 and (full := fulls.pop()) != record["code"]:
                    # a code every reading gives alike is read; one they differ on stays as printed
                    record["code_as_printed"] = record["code"]
                    record["code"] = full
                    rebuilt += 1
            if rebuilt:
                done.append((int(block[0]["line"]), rebuilt))  # type: ignore[call-overload]
        start = end
    return done
