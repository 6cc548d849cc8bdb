"""The label vocabulary of performance tables (kg/data/performance_labels.toml), compiled for lookup.

Cells are matched by label, never by column: the extracted tables drift cells between columns.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "performance_labels.toml"

_SPACE = re.compile(r"\s+")
_LABEL_WINDOW = 200  # characters of a cell that can hold its label (and the spaces printed inside it)
_HTML_LEFTOVER = re.compile(r"</?p>", re.I)
# "080-泽州县自然资源局", "261 - 沁水县自然资源局"
DEPARTMENT_CODE = re.compile(r"^(\d{3,6})\s{0,3}[-—–]\s{0,3}(\S.{0,80})$")
# "3,000,000" / "1000万元" / "0" / "1,580,100.00"
_ENUMERATOR = re.compile(r"^(?:\d{1,2}[.、]|\()")
_AMOUNT = re.compile(r"^([+-]?\d{1,15}(?:,\d{3}){0,6}(?:\.\d{1,6})?)\s{0,2}(万元|元)?$")
_MEMO_CELLS = 1 << 16  # label lookups remembered per process (the same label cells recur in every table)


@lru_cache(maxsize=1 << 16)  # the same cells are compared with several label lists
def squeeze(text: str) -> str:
    """A cell as compared with labels: no whitespace, no <p> left over, no trailing colon."""
    text = _HTML_LEFTOVER.sub("", text)
    return _SPACE.sub("", text).rstrip(":")


@lru_cache(maxsize=32)
def _label_prefixes(labels: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(label for label, _key in labels)


@dataclass(frozen=True)
class Amount:
    value: Decimal  # in 元
    printed_unit: str  # "元" (or blank) / "万元" — the unit written in the cell itself


def parse_amount(cell: str) -> Amount | None:
    """An amount cell in 元; a cell that says 万元 is converted (the caller reports it)."""
    match = _AMOUNT.match(_SPACE.sub("", cell))
    if not match:
        return None
    try:
        value = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only decimals
        return None
    unit = match.group(2) or "元"
    if unit == "万元":
        value *= 10000
    return Amount(value, unit)


@dataclass(frozen=True)
class Vocabulary:
    project_titles: tuple[re.Pattern[str], ...]
    overall_titles: tuple[re.Pattern[str], ...]
    not_title_words: tuple[str, ...]
    year_line: re.Pattern[str]
    field_labels: tuple[tuple[str, str], ...]  # (label, key), longest label first
    overall_labels: tuple[tuple[str, str], ...]
    text_field_order: tuple[str, ...]
    footer_labels: tuple[str, ...]
    section_heading: re.Pattern[str]
    overall_total: tuple[str, ...]
    fund_labels: tuple[tuple[str, str], ...]  # (label, key), longest first
    header_cells: frozenset[str]
    indicator_block_words: frozenset[str]
    level1: frozenset[str]
    level2_parent: dict[str, str]
    level2_aliases: dict[str, str]
    value_cell: re.Pattern[str]
    cost_level2: frozenset[str]
    max_clipped_chars: int
    min_label_chars: int
    # lookup → cell → its answer: a vocabulary never changes, and a table prints the same label cells again
    _memo: dict[str, dict[str, object]] = field(default_factory=dict, init=False, repr=False, compare=False,
                                                hash=False)

    def _remembered(self, lookup: str, cell: str, compute: Callable[[str], object]) -> object:
        if len(cell) > _LABEL_WINDOW:  # a long cell is a value: not worth keeping
            return compute(cell)
        memo = self._memo.get(lookup)
        if memo is None:
            memo = self._memo[lookup] = {}
        try:
            return memo[cell]
        except KeyError:
            pass
        if len(memo) >= _MEMO_CELLS:
            memo.clear()
        value = memo[cell] = compute(cell)
        return value

    # -- titles and lines --------------------------------------------------------------------------
    def title_kind(self, cell: str) -> str | None:
        """"project" / "department_overall" when the cell is a performance-table title."""
        text = squeeze(cell)
        if not text or len(text) > 60 or any(word in text for word in self.not_title_words):
            return None
        if any(p.match(text) for p in self.overall_titles):
            return "department_overall"
        if any(p.match(text) for p in self.project_titles):
            return "project"
        return None

    def is_year_line(self, cell: str) -> bool:
        return bool(self.year_line.match(squeeze(cell)))

    def is_footer(self, cell: str) -> bool:
        return squeeze(cell).startswith(self.footer_labels)

    def is_section_heading(self, cell: str) -> bool:
        text = cell.strip()
        return len(text) < 40 and bool(self.section_heading.match(text))

    # -- labels --------------------------------------------------------------------------------------
    @staticmethod
    def _split_label(cell: str, labels: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
        # a label stands at the cell's start: squeezing a cell of 100,000 characters to read its first
        # few (a garbled or hostile document) would cost a regex pass per label list
        text = squeeze(cell[:_LABEL_WINDOW])
        # "1.部门及代码", "(项目属性)": an enumerator or brackets printed around the label
        enumerator = _ENUMERATOR.match(text)
        skip = len(enumerator.group(0)) if enumerator else 0
        bare = text[skip:]
        if not bare.startswith(_label_prefixes(labels)):  # most cells are values, not labels
            return None
        for label, key in labels:
            if bare.startswith(label):
                width = skip + len(label) + (1 if bare[len(label):].startswith(")") and skip else 0)
                rest = cell.strip()
                # drop the label from the printed cell, keeping the value's own spacing
                consumed = 0
                for index, char in enumerate(rest):
                    if not char.isspace():
                        consumed += 1
                    if consumed == width:
                        rest = rest[index + 1:]
                        break
                return key, rest.lstrip(" :").strip()
        return None

    def field_label(self, cell: str, overall: bool = False) -> tuple[str, str] | None:
        """(field key, rest of the cell after the label) when the cell starts with a field label."""
        if overall:
            return self._remembered("overall", cell, self._overall_label)  # type: ignore[return-value]
        return self._remembered("field", cell, self._field_label)  # type: ignore[return-value]

    def _field_label(self, cell: str) -> tuple[str, str] | None:
        return self._split_label(cell, self.field_labels)

    def _overall_label(self, cell: str) -> tuple[str, str] | None:
        return self._split_label(cell, self.overall_labels)

    def fund_label(self, cell: str) -> tuple[str, str] | None:
        """(fund key, rest of the cell) when the cell starts with a 资金 row label."""
        return self._remembered("fund", cell, self._fund_label)  # type: ignore[return-value]

    def _fund_label(self, cell: str) -> tuple[str, str] | None:
        text = squeeze(cell)
        if text.startswith("其中"):
            text = text[2:].lstrip(":")
        if not text.startswith(_label_prefixes(self.fund_labels)):
            return None
        for label, key in self.fund_labels:
            if text.startswith(label):
                rest = text[len(label):].lstrip(":")
                return key, rest
        return None

    def is_value_cell(self, cell: str) -> bool:
        """A cell that reads as an indicator value on its own ("100%", "≥95%", "2024年3月1日")."""
        return bool(self.value_cell.match(squeeze(cell)))

    def is_indicator_header(self, cells: list[str]) -> bool:
        squeezed = {squeeze(c) for c in cells}
        return len(squeezed & self.header_cells) >= 2

    def indicator_label(self, cell: str) -> tuple[int, str] | None:
        """(1 or 2, canonical label) for an indicator level label, tolerating clipped endings."""
        return self._remembered("indicator", cell, self._indicator_label)  # type: ignore[return-value]

    def _indicator_label(self, cell: str) -> tuple[int, str] | None:
        text = squeeze(cell)
        if text in self.level1 and text not in self.level2_parent:
            return 1, text
        if text in self.level2_parent:
            return 2, text
        if text in self.level2_aliases:
            return 2, self.level2_aliases[text]
        if len(text) >= self.min_label_chars:
            for label in self.level2_parent:
                if label.startswith(text) and len(label) - len(text) <= self.max_clipped_chars:
                    return 2, label
            for label in self.level1:
                if label.startswith(text) and len(label) - len(text) <= self.max_clipped_chars:
                    return 1, label
        return None


def _longest_first(mapping: dict[str, list[str]]) -> tuple[tuple[str, str], ...]:
    pairs = [(squeeze(label), key) for key, labels in mapping.items() for label in labels]
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@lru_cache(maxsize=4)
def load_vocabulary(path: Path = DATA_FILE) -> Vocabulary:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    titles = data["titles"]
    fields = data["fields"]
    indicators = data["indicators"]
    layout = data["layout"]
    return Vocabulary(
        project_titles=tuple(re.compile(p) for p in titles["project"]),
        overall_titles=tuple(re.compile(p) for p in titles["department_overall"]),
        not_title_words=tuple(titles["not_title_words"]),
        year_line=re.compile(titles["year_line"]),
        field_labels=_longest_first(fields),
        overall_labels=_longest_first(data["overall_fields"]),
        text_field_order=tuple(layout["text_field_order"]),
        footer_labels=tuple(layout["footer_labels"]),
        section_heading=re.compile(layout["section_heading"]),
        overall_total=tuple(layout["overall_total"]),
        fund_labels=_longest_first(data["funds"]),
        header_cells=frozenset(indicators["header_cells"]),
        indicator_block_words=frozenset(indicators.get("block_words", [])),
        level1=frozenset(indicators["level1"]),
        level2_parent=dict(indicators["level2"]),
        level2_aliases=dict(indicators.get("level2_aliases", {})),
        value_cell=re.compile(indicators["values"]["pattern"]),
        cost_level2=frozenset(indicators["cost_level2"]),
        max_clipped_chars=int(indicators["max_clipped_chars"]),
        min_label_chars=int(indicators["min_label_chars"]),
    )
