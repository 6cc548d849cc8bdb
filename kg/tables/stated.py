"""The “三公”经费 items a document's text states, in 元: "其中：因公出国（境）费0万元", "公务接待费支出决算为0.00万元".

The 说明 beside a 三公 table repeats its items. The tables stage lets them decide a figure's column when the
table's sums leave it open (kg/tables/column_orders.py); the entities stage warns where text and table differ.
The grammar — an item's label, the words of the document's phase, the amount and its unit, nothing between — is
in kg/data/table_columns.toml ``[three_public.stated]`` and ``[three_public.phase_words]``.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from kg.records import SourceLine
from kg.tables.amounts import to_yuan
from kg.tables.knowledge import DATA
from kg.tables.layout import compact


@cache
def _rules() -> dict[str, Any]:
    return tomllib.loads((DATA / "table_columns.toml").read_text(encoding="utf-8"))["three_public"]


# an amount the text states, with its unit
AMOUNT = r"(?P<amount>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?)(?P<unit>亿元|万元|元)"


@cache
def _statement(phase: str) -> re.Pattern[str]:
    """An item stated in the 说明: its label, the phase's words, the amount (see ``[three_public.stated]``)."""
    rules = _rules()
    labels = "|".join(f"(?P<{item}>{pattern})" for item, pattern in rules["stated"].items())
    return re.compile(f"(?:{labels}){rules['phase_words'][phase]}{AMOUNT}")


# a statement's label holds one of these (the labels of [three_public.stated] printed whole or wrapped)
_ITEM_WORDS = re.compile("三公|因公|出国|接待|公务用车|购置|运行")


@dataclass(frozen=True)
class Stated:
    amount: Decimal  # in 元
    line: int  # where the statement starts


_last: list[tuple[list[SourceLine], bool, dict[str, Stated]]] = []  # the tables and the entities stage ask alike


def stated_items(lines: list[SourceLine], final: bool) -> dict[str, Stated]:
    """The items the document's text states, in 元, each once: an item stated twice with two amounts is left
    out (which one the table should print is not known). Lines are joined, so a statement wrapped over lines
    is read whole."""
    if _last and _last[0][0] is lines and _last[0][1] == final:
        return dict(_last[0][2])
    found = _read(lines, final)
    _last[:] = [(lines, final, found)]
    return dict(found)


def _read(lines: list[SourceLine], final: bool) -> dict[str, Stated]:
    # only the lines that name an item, and the lines beside each (a statement wrapped over them); lines not
    # next to each other are kept apart by a mark no statement crosses
    keep = [i for i, line in enumerate(lines) if _ITEM_WORDS.search(line.text)]
    wanted = sorted({j for i in keep for j in (i - 1, i, i + 1) if 0 <= j < len(lines)})
    text_parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    length = 0
    previous = -2
    for index in wanted:
        piece = compact(lines[index].text) if index == previous + 1 else "|" + compact(lines[index].text)
        previous = index
        starts.append(length)
        numbers.append(lines[index].number)
        text_parts.append(piece)
        length += len(piece)
    text = "".join(text_parts)
    found: dict[str, Stated] = {}
    conflicting: set[str] = set()
    for match in _statement("final" if final else "budget").finditer(text):
        item = next(name for name in _rules()["stated"] if match.group(name))
        amount = to_yuan(Decimal(match["amount"].replace(",", "")), match["unit"])
        assert amount is not None
        if item in found and found[item].amount != amount:
            conflicting.add(item)
        found.setdefault(item, Stated(amount, numbers[bisect_right(starts, match.start()) - 1]))
    return {item: stated for item, stated in found.items() if item not in conflicting}

