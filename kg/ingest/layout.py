"""Positioned text: a space-aligned line (a ``pdftotext -layout`` export, or a PDF line rendered the same way)
cut into cells that remember where they were printed.

A table printed with spaces keeps its columns only as positions: ``201   13   01   行政运行     9,389,913.00``.
The line is cut where two or more spaces separate text, and also at a single space between an amount and
text (``371,514,655.00 一、一般公共服务支出``, two columns printed close together) and before a name the
template prints as a cell of its own (a 经济分类 款, a 采购组织形式: ``机要及电子政务业务费 办公设备购置``).
Each cell keeps its horizontal extent in character columns; ``kg.tables.grid`` lines the cells of a whole table
block up into columns. ``pdftotext -layout`` places each word at the column of its x position but writes a CJK
character in one column, so a cell starts at its character position and ends where its printed width (two columns
per CJK character) ends.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

# two or more spaces: a column gap (one space is a word gap inside a cell)
_RUN = re.compile(r"\S+(?: \S+)*")
_WORD = re.compile(r"\S+")
# an amount as tables print it: thousands separators and/or decimals ("2,336.91", "603.14", "-1.00")
_FORMATTED_AMOUNT = re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.[0-9]{1,6}$|^-?[0-9]{1,3}(?:,[0-9]{3})+$")
_DIGIT = re.compile(r"[0-9]")
_DATA = Path(__file__).resolve().parent.parent / "data"
# "1,234.56 万元", "12.5 %": an amount and its unit are one run, not two columns (kg/data/units.toml)
_UNITS = (*tomllib.loads((_DATA / "units.toml").read_text(encoding="utf-8"))["factors"], "%", "％")
_CJK = re.compile(r"[\u3400-\u9fff]")
_PARENTHESES = str.maketrans({"（": "(", "）": ")"})


def _key(text: str) -> str:
    """A name as the vocabulary holds it: no spaces, parentheses half-width (the line is not normalised yet)."""
    return "".join(text.split()).translate(_PARENTHESES)


@cache
def whole_cell_names() -> frozenset[str]:
    """Names the national template prints as a cell of their own, never the end of a longer one: the 款 of the
    支出经济分类 (``kg/data/economic_classification.toml``) and the other ``[whole_cells]`` of
    ``kg/data/table_columns.toml`` (采购组织形式)."""
    economic = tomllib.loads((_DATA / "economic_classification.toml").read_text(encoding="utf-8"))
    columns = tomllib.loads((_DATA / "table_columns.toml").read_text(encoding="utf-8"))
    names = [*economic["sections"].values(), *(n for also in economic.get("also", {}).values() for n in also),
             *(n for listed in columns.get("whole_cells", {}).values() for n in listed)]
    return frozenset(_key(n) for n in names)


def a_name(text: str) -> bool:
    """Text that can stand as a cell: two characters or more, no bracket left open ("打印设备(20 万以下)")."""
    opened = text.count("(") + text.count("（")
    return len(_CJK.findall(text)) >= 2 and opened == text.count(")") + text.count("）")


def _starts_whole_name(words: list[str], at: int, before: str) -> bool:
    """The words from ``at`` to the end are a name the template prints as a cell of its own, run into the name
    before them by one space (``机要及电子政务业务费 办公设备购置``: 专项名称 | 经济科目)."""
    rest = " ".join(words[at:])
    return _key(rest) in whole_cell_names() and a_name(before) and a_name(rest)


@dataclass(frozen=True)
class Cell:
    """One cell of a space-aligned line: its text and its extent in character columns."""

    text: str
    x0: float
    x1: float


def _split_words(run: str) -> list[str]:
    """Cut a run (cells separated by single spaces) where an amount meets text: two columns close together."""
    words = run.split(" ")
    if len(words) == 1:
        return words
    pieces: list[str] = [words[0]]
    for at, word in enumerate(words[1:], start=1):
        left = pieces[-1].rsplit(" ", 1)[-1]
        boundary = (
            (_FORMATTED_AMOUNT.match(left) and _FORMATTED_AMOUNT.match(word))  # two amounts close together
            or (_FORMATTED_AMOUNT.match(left) and not _DIGIT.match(word) and not word.startswith(_UNITS))
            or (_FORMATTED_AMOUNT.match(word) and not _DIGIT.search(left[-1:]) and left[-1:] not in "-.,")
            or (_CJK.match(word) and _starts_whole_name(words, at, pieces[-1]))
        )
        if boundary:
            pieces.append(word)
        else:
            pieces[-1] = f"{pieces[-1]} {word}"
    return pieces


def split_cells(line: str) -> list[Cell]:
    """The cells of a space-aligned line with their display-column extents.

    >>> [c.text for c in split_cells("201   13   01   行政运行     9,389,913.00")]
    ['201', '13', '01', '行政运行', '9,389,913.00']
    """
    expanded = line.expandtabs(8) if "\t" in line else line
    runs = list(_RUN.finditer(expanded))
    # a sentence ("收入预算总额为 13,649.07 万元") is one run: only a line already cut into columns is cut
    # further at single spaces
    tabular = len(runs) > 1
    cells: list[Cell] = []
    for match in runs:
        start = match.start()
        for piece in _split_words(match.group(0)) if tabular else [match.group(0)]:
            # printed extent: a word starts at its column; a CJK character is two columns wide
            cells.append(Cell(piece, float(start), float(start + display_width(piece))))
            start += len(piece) + 1
    return cells


def split_words(cell: Cell) -> list[Cell]:
    """A cell cut at its single spaces, each word at its own position: header labels printed close together
    (``一般公共预算 政府性基金预算`` over two columns) are separate labels."""
    # inside a cell the words were written one after the other: a word starts where the printed width of
    # what stands before it ends (a CJK character is two columns wide), scaled to the cell's own extent (a
    # PDF cell knows how wide it is printed)
    scale = (cell.x1 - cell.x0) / (display_width(cell.text) or 1)
    return [Cell(m.group(0), cell.x0 + scale * display_width(cell.text[:m.start()]),
                 cell.x0 + scale * display_width(cell.text[:m.end()])) for m in _WORD.finditer(cell.text)]


def display_width(text: str) -> int:
    """Printed width in character columns: a wide (CJK, full-width) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
