"""Amounts as printed in the tables → ``Decimal``; conversion to 元.

Text extraction breaks numbers: thousands separators (``21,259.64``), spaces inside a number
(``21,259.6 4``, ``1, 259. 64``, ``16021. 24``).  A cell is an amount only when, once those are removed,
it is a plain decimal number; anything else (a year ``2025年``, a name) is not.
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

# Multiplier from the unit a table states to 元 (kg/data/units.toml: 元, 千元, 万元, 亿元).
UNIT_TO_YUAN: dict[str, Decimal] = {
    unit: Decimal(factor) for unit, factor in tomllib.loads(
        (Path(__file__).resolve().parent.parent / "data" / "units.toml").read_text(encoding="utf-8"))[
        "factors"].items()}
# the units as a regex alternative, longest first ("千元" before "元")
UNIT_WORDS = "|".join(sorted(map(re.escape, UNIT_TO_YUAN), key=len, reverse=True))

# digits, separators and spaces only, at most 40 chars: bounded, no nested quantifiers
_AMOUNT_CHARS = re.compile(r"^-?[0-9][0-9, ]{0,30}(?:\.[0-9 ]{1,8})?$")
_PLAIN = re.compile(r"^-?[0-9]{1,16}(?:\.[0-9]{1,6})?$")
_MINUS_SIGNS = ("\u2212", "\uff0d", "\u2013")  # −, －, –
_THOUSANDS = re.compile(r"^-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]{1,6})?$")


def parse_amount(text: str | None) -> Decimal | None:
    """The amount a cell prints, or None when the cell is empty or is not a number.

    >>> parse_amount("21,259.6 4")
    Decimal('21259.64')
    >>> parse_amount("1, 259. 64")
    Decimal('1259.64')
    >>> parse_amount("(1,020.50)")
    Decimal('-1020.50')
    """
    if text is None:
        return None
    cell = text.strip().replace("，", ",")
    if _PLAIN.match(cell):  # the common case, "1234.56": what the checks below would accept unchanged
        return Decimal(cell)
    if cell[-1:] == "元" and (unit := cell_unit(cell)):
        # the unit printed after the figure ("1,234.56元"): the figure as printed, in that unit (cell_unit)
        figure = cell[:-len(unit)].rstrip()
        return parse_amount(figure) if figure[-1:].isdigit() or figure[-1:] in ")）" else None
    if cell[:1] in "(（" and cell[-1:] in ")）" and ("." in cell or "," in cell):
        # accounting's negative, "(20.00)" for −20.00 (a refund in a 决算); a figure, never a numbering: "(1)" is none
        inner = parse_amount(cell[1:-1])
        return None if inner is None or inner < 0 else -inner if inner else inner
    # a minus typeset as U+2212, full-width or an en dash ("−186.40" in a 决算): the sign of the number after it
    if cell[:1] in _MINUS_SIGNS:
        cell = "-" + cell[1:]
    elif cell[:1] in "+＋" and cell[1:2].isdigit():
        cell = cell[1:]  # a rise printed with its sign ("+4.00" in a 增减 column)
    if not cell or not _AMOUNT_CHARS.match(cell):
        return None
    cell = cell.replace(" ", "")
    if "," in cell and not _THOUSANDS.match(cell):
        return None  # "1,2,3" is a list, not a number
    cell = cell.replace(",", "")
    if not _PLAIN.match(cell):
        return None
    try:
        return Decimal(cell)
    except InvalidOperation:
        return None


_UNIT_AFTER = re.compile(rf"(?<=[0-9)）])\s{{0,2}}({UNIT_WORDS})$")


def cell_unit(text: str | None) -> str | None:
    """The unit an amount cell prints after its figure ("300.00元", "1,234.56 万元"), else None."""
    match = _UNIT_AFTER.search(text.strip()) if text else None
    return match.group(1) if match else None


# The rounding a printed sum may carry, in the table's own unit (its last printed digit): every arithmetic check
# of the tables (kg.entities.budget, three_public, column orders, rows-by-sums, tree codes) allows it.
ROUNDING = Decimal("0.01")

# what tables print in a cell that holds nothing: a dash or a slash (read as an empty cell), and the stars or the
# ellipsis a 合计 row prints in each 科目编码 part ("** | ** | ** | 合计", "…")
NIL_CELLS = frozenset({"-", "--", "—", "——", "–", "－", "/", "／", "—-", "-—", "*", "**", "***", "＊", "＊＊", "＊＊＊",
                       "…", "……", "...", "⋯", "⋯⋯"})


def rounding_in_yuan(*units: str) -> Decimal:
    """The rounding a printed sum may carry, in 元, for figures printed in ``units`` (the coarsest wins):
    0.01 元, 10 元 for 千元, 100 元 for 万元."""
    return max(ROUNDING * UNIT_TO_YUAN[unit] for unit in units)


def is_nil(text: str | None) -> bool:
    """A placeholder for an empty amount ("-", "—", "/"): an amount cell with no amount."""
    return text is not None and text.strip() in NIL_CELLS


def is_amount(text: str | None) -> bool:
    """An amount, or the placeholder of an empty one (a row of "-" is still a row of amounts)."""
    return parse_amount(text) is not None or is_nil(text)


def to_yuan(amount: Decimal | None, unit: str) -> Decimal | None:
    """Convert exactly (no float) from the table's unit to 元: ``7500.00`` 万元 → ``75000000.00``."""
    if amount is None:
        return None
    try:
        return amount * UNIT_TO_YUAN[unit]
    except KeyError:
        raise ValueError(f"unknown unit {unit!r}") from None


# "单位：万元", "金额单位：元", "单位：人民币万元"
_UNIT_IN_TEXT = re.compile(rf"单位[:：]?(?:人民币)?({UNIT_WORDS})")


_UNIT_IN_HEADER = re.compile(rf"[(（]({UNIT_WORDS})[)）]")
# the same at the end of a header label ("金额(万元)"): cut off before the label is read
UNIT_SUFFIX = re.compile(rf"[(（](?:单位[:：]?)?(?:人民币)?(?:{UNIT_WORDS})[)）]$")


def header_unit(text: str) -> str | None:
    """The unit a column header states: "金额(万元)", "合计（元）"."""
    match = _UNIT_IN_HEADER.search(text)
    return match.group(1) if match else None


# a cell stating only the unit ("单位：万元", "金额单位:元"), printed on a title's line right of the title
_UNIT_CELL = re.compile(rf"(?:金额|计量)?单位[:：]?(?:人民币)?(?:{UNIT_WORDS})")


def is_unit_cell(text: str) -> bool:
    """A cell (spaces removed) that states the unit and nothing else."""
    return _UNIT_CELL.fullmatch(text) is not None


def find_unit(text: str) -> str | None:
    """The unit a table states in its preamble (spaces and line breaks already removed)."""
    match = _UNIT_IN_TEXT.search(text)
    return match.group(1) if match else None
