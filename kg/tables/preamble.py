"""The lines between a table's title and its header: who made the table and in what unit.

Layouts print them in many ways: ``部门名称:泽州县自然资源局`` alone, ``编制部门:上海市普陀区商务委员会 … 单位:元``
on one line, ``部门:`` and the name in two cells, a name that wraps (``部门名称:江苏省高级人民法`` / ``院  单位:万元``),
and a unit split over lines (``单`` / ``位:`` / ``万元``, or ``单位:万`` … ``元`` with the 部门名称 line between).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.records import SourceLine
from kg.tables.amounts import UNIT_TO_YUAN, UNIT_WORDS, find_unit
from kg.tables.knowledge import TableKnowledge
from kg.tables.layout import cells_of, compact, filled

_ORG_FIELD = re.compile(
    r"^(?:编制|预算主管|主管|填报)?(?:部门|单位)(?:名称)?:\s{0,3}(?:\[[0-9]{1,9}\])?\s{0,3}(?P<value>.*)$")
_UNIT_FIELD = re.compile(r"^(?:计量|金额)?单位:")
# a piece of a unit split over lines: "单" / "位：" / "万元" (or "万" … "元"), any unit of kg/data/units.toml
_UNIT_PREFIXES = "|".join(unit.removesuffix("元") for unit in UNIT_TO_YUAN if unit != "元")  # 千, 万, 亿
_UNIT_PIECE = re.compile(rf"^(?:单|位:?|单位:?|{UNIT_WORDS}|{_UNIT_PREFIXES})$")
# the year printed between the organisation and the unit ("编制单位：某某局    2025年    单位：万元")
_YEAR_CELL = re.compile(r"^(?:19|20)[0-9]{2}年度?$")
_NAME = re.compile(r"^[\u3400-\u9fff（）()“”]{1,40}$")
_CONTINUATION_CHARS = 6  # a wrapped organisation name leaves a few characters on the next line
_MAX_LINES = 6


@dataclass
class Preamble:
    lines: list[SourceLine]
    organisation: str | None
    unit: str | None


def _kind(cell: str, kb: TableKnowledge) -> str:
    text = compact(cell)
    if _UNIT_FIELD.match(text) or _UNIT_PIECE.match(text):
        return "unit"
    if _ORG_FIELD.match(text):
        return "org"
    if kb.furniture.match(text):
        return "furniture"
    if _YEAR_CELL.match(text):
        return "year"
    if _NAME.match(text):
        return "name"
    return "other"


def read_preamble(lines: list[SourceLine], kb: TableKnowledge) -> Preamble:
    """The preamble lines at the start of ``lines`` (non-blank lines of a table body), and what they say."""
    taken: list[SourceLine] = []
    organisation_parts: list[str] = []
    unit_parts: list[str] = []
    previous_had_org = False
    for line in lines[:_MAX_LINES]:
        cells = [c.strip() for c in filled(cells_of(line))]
        if not cells or compact(line.text) == "无":
            break
        kinds = [_kind(c, kb) for c in cells]
        if "other" in kinds:
            break
        has_org = "org" in kinds
        # "院  单位:万元" under "部门名称:江苏省高级人民法": the end of a wrapped name, never a header label
        continuation = (previous_had_org and kinds[0] == "name" and "name" not in kinds[1:]
                        and len(compact(cells[0])) <= _CONTINUATION_CHARS
                        and not any(p.match(compact(cells[0])) for _, p in kb.columns))
        names_allowed = has_org or continuation
        if "name" in kinds and not names_allowed:
            break
        # a year counts beside an organisation or a unit only: "2024年 | 2025年" alone heads the years' columns
        if not {"org", "unit", "furniture"} & set(kinds) and not names_allowed:
            break
        after_org = not has_org  # a continuation line's leading name continues the name above
        for cell, kind in zip(cells, kinds, strict=True):
            if kind == "org":
                value = _ORG_FIELD.match(compact(cell))["value"]  # type: ignore[index]
                if value and not _UNIT_FIELD.match(value):
                    value, _, unit = value.partition("单位:")
                    organisation_parts.append(value)
                    if unit:
                        unit_parts.append(f"单位:{unit}")
                after_org = True
            elif kind == "name" and after_org:
                organisation_parts.append(compact(cell))
            elif kind == "year":
                after_org = False  # the year ends the organisation's name; it is no part of the unit
            elif kind == "unit" or kind == "furniture":
                unit_parts.append(compact(cell))
                after_org = False
        previous_had_org = has_org
        taken.append(line)
    organisation = "".join(organisation_parts) or None
    if organisation in ("单位",):
        organisation = None
    return Preamble(taken, organisation, find_unit("".join(unit_parts)))
