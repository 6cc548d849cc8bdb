"""Match each performance table to its row in 项目支出表 (exact, normalised, or amount + fuzzy name).

Tiers, strongest first; a table takes the first tier that gives exactly one free project:
  exact         the printed names are equal
  normalised    equal after removing whitespace, quotes, brackets and punctuation
  fuzzy+amount  rapidfuzz name similarity ≥ FUZZY_THRESHOLD and equal amounts in 元 (names that print
                different years never match below "exact"/"normalised")
  order         two or more units print a project of one name and as many tables of that name are left: the
                tables follow the order of the 项目支出表's unit groups
  amount        the amount is unique among the free projects and among the tables, and the names do
                not print different years (兴县2025年度 vs 兴县2022年度国土变更调查)
Where two units of a 部门预算 print projects of one name, a table whose 实施单位 names one of those units is
matched among that unit's rows only (the department's own name: the rows under no unit, the department or its 本级).
A project already taken by another table is never given to a second one silently: a notice says so. A table is
matched to one row (``matched_line``, the row's first line): the name alone would not say which unit's project.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from rapidfuzz import fuzz

from kg.entities.units import unit_key
from kg.records import Notice, PerformanceTable, ProjectRow
from kg.tables.performance import normalise_name

__all__ = ["FUZZY_THRESHOLD", "match_performance"]

FUZZY_THRESHOLD = 80.0
# Years printed in a project name ("兴县2022年度国土变更调查"): an amount-only match between two names
# that both carry years, none in common, is a coincidence of amounts, not the same project.
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _years(name: str) -> set[str]:
    return set(_YEAR.findall(name))


def _years_differ(a: str, b: str) -> bool:
    """Both names print years and share none ("兴县2022年耕地卫片监督" / "兴县2023年耕地卫片监督")."""
    mine, theirs = _years(a), _years(b)
    return bool(mine and theirs and not mine & theirs)


def _amounts(table: PerformanceTable) -> set[Decimal]:
    """The table's non-zero totals in 元: 年度资金总额 first, 实施期资金总额 when the year is left at 0.

    zezhou2025 prints 年度资金总额 0 and puts the year's money in 实施期资金总额, so both are tried.
    """
    values = {table.funds.get(period, {}).get("total") for period in ("年度", "实施期")}
    return {v for v in values if v is not None and v != 0}


def _unique(candidates: list[ProjectRow]) -> ProjectRow | None:
    return candidates[0] if len(candidates) == 1 else None


def _match_in_unit_order(tables: list[PerformanceTable], by_norm: dict[str, list[ProjectRow]],
                         free: Callable[[list[ProjectRow]], list[ProjectRow]],
                         assign: Callable[[PerformanceTable, ProjectRow, str, float], None],
                         notices: list[Notice]) -> list[PerformanceTable]:
    """Tables of a name that several units' rows carry, neither their 实施单位 nor their amounts telling them
    apart: when as many tables of that name are left as free rows, each under another unit, the tables are
    printed in the order of the 项目支出表's unit groups. The tables still unmatched are returned."""
    by_name: dict[str, list[PerformanceTable]] = {}
    for table in tables:
        by_name.setdefault(normalise_name(table.project_name), []).append(table)
    left: list[PerformanceTable] = []
    for table in tables:
        name = normalise_name(table.project_name)
        waiting = by_name.get(name, [])
        rows = sorted(free(by_norm.get(name, [])), key=lambda p: (p.carried_over, p.span.first_line))
        units = {p.unit_name for p in rows}
        if len(waiting) < 2 or len(rows) != len(waiting) or len(units) != len(rows):
            left.append(table)
            continue
        for waiting_table, project in zip(waiting, rows, strict=True):
            assign(waiting_table, project, "order", 100.0)
            notices.append(Notice(waiting_table.span.file, waiting_table.span.first_line, "order-match",
                                  f"{waiting_table.project_name!r}: {len(rows)} units print a project of this name "
                                  "and name no 实施单位 that tells them apart, at equal amounts; matched in the order "
                                  f"of the 项目支出表's unit groups to {project.unit_name!r}'s row ({project.span})",
                                  "warning"))
        by_name[name] = []
    return [t for t in left if t.matched_project is None]


def match_performance(performance: list[PerformanceTable], projects: list[ProjectRow],
                      department: str | None = None) -> list[Notice]:
    """Set matched_project / matched_line / match_method / match_score on each performance table in place.
    ``department``: the disclosure's department, whose own name (and 本级) a 实施单位 may print for its own rows."""
    notices: list[Notice] = []
    taken: dict[int, PerformanceTable] = {}  # id(project) → the table it went to
    tables = [t for t in performance if t.kind == "project"]
    by_norm: dict[str, list[ProjectRow]] = {}
    for project in projects:
        by_norm.setdefault(normalise_name(project.name), []).append(project)

    def of_unit(table: PerformanceTable, candidates: list[ProjectRow]) -> list[ProjectRow]:
        """The candidates of the unit the table's 实施单位 names, when they are of several units and it names one
        (in full, or without the region its row prints before it: 不动产登记中心 for 泽州县不动产登记中心)."""
        units = {unit_key(p.unit_name, department) for p in candidates}
        if len(units) < 2 or not table.unit:
            return candidates
        unit = unit_key(table.unit, department)
        named = [u for u in units if u == unit] or [u for u in units if u.endswith(unit)]
        if len(named) != 1:
            return candidates
        return [p for p in candidates if unit_key(p.unit_name, department) == named[0]]

    def assign(table: PerformanceTable, project: ProjectRow, method: str, score: float) -> None:
        table.matched_project, table.match_method, table.match_score = project.name, method, score
        table.matched_line = project.span.first_line
        taken[id(project)] = table

    def free(candidates: list[ProjectRow]) -> list[ProjectRow]:
        return [p for p in candidates if id(p) not in taken]

    def clash(table: PerformanceTable, candidates: list[ProjectRow]) -> None:
        for project in candidates:
            if id(project) in taken:
                other = taken[id(project)]
                notices.append(Notice(table.span.file, table.span.first_line, "project-already-matched",
                                      f"{table.project_name}: its project row {project.name!r} "
                                      f"({project.span}) is already matched to the table at {other.span}; "
                                      "left unmatched", "warning"))
                return

    pending: list[PerformanceTable] = []
    for table in tables:  # exact and normalised names first, for every table, before any guessing
        exact = of_unit(table, [p for p in projects if p.name == table.project_name])
        normalised = of_unit(table, by_norm.get(normalise_name(table.project_name), []))
        if project := _unique(free(exact)):
            assign(table, project, "exact", 100.0)
        elif project := _unique(free(normalised)):
            assign(table, project, "normalised", 100.0)
        else:
            if exact or normalised:
                if len(free(exact or normalised)) > 1:
                    notices.append(Notice(table.span.file, table.span.first_line, "ambiguous-match",
                                          f"{table.project_name}: {len(free(exact or normalised))} project rows "
                                          "carry this name; matched by amount if possible", "warning"))
                else:
                    clash(table, exact or normalised)
                    continue
            pending.append(table)

    unmatched: list[PerformanceTable] = []
    for table in pending:
        amounts = _amounts(table)
        scored = [(fuzz.ratio(normalise_name(table.project_name), normalise_name(p.name)), p)
                  for p in of_unit(table, free(projects)) if p.total in amounts]
        scored = [(s, p) for s, p in scored if s >= FUZZY_THRESHOLD and not _years_differ(table.project_name, p.name)]
        scored.sort(key=lambda pair: -pair[0])
        if scored and (len(scored) == 1 or scored[0][0] > scored[1][0]):
            assign(table, scored[0][1], "fuzzy+amount", round(scored[0][0], 1))
            notices.append(Notice(table.span.file, table.span.first_line, "fuzzy-match",
                                  f"{table.project_name!r} matched to project {scored[0][1].name!r} by name "
                                  f"similarity {scored[0][0]:.0f} and equal amount", "info"))
        else:
            unmatched.append(table)
    unmatched = _match_in_unit_order(unmatched, by_norm, free, assign, notices)

    # amount alone, only when it points at one free project and no other waiting table has that amount
    waiting_amounts: dict[Decimal, int] = {}
    for table in unmatched:
        for amount in _amounts(table):
            waiting_amounts[amount] = waiting_amounts.get(amount, 0) + 1
    for table in unmatched:
        candidates = [p for p in free(projects) if p.total in _amounts(table)
                      and waiting_amounts.get(p.total) == 1]
        project = _unique(candidates)
        if project is not None and sum(1 for p in projects if p.total == project.total) == 1:
            if _years_differ(table.project_name, project.name):
                mine, theirs = _years(table.project_name), _years(project.name)
                notices.append(Notice(table.span.file, table.span.first_line, "amount-match-refused",
                                      f"{table.project_name!r}: its amount {project.total} 元 is that of project "
                                      f"{project.name!r} ({project.span}), but the names print different years "
                                      f"({', '.join(sorted(mine))} / {', '.join(sorted(theirs))}); left unmatched",
                                      "warning"))
                continue
            score = round(fuzz.ratio(normalise_name(table.project_name), normalise_name(project.name)), 1)
            assign(table, project, "amount", score)
            notices.append(Notice(table.span.file, table.span.first_line, "amount-match",
                                  f"{table.project_name!r} matched to project {project.name!r} by its unique "
                                  f"amount {project.total} 元 only (name similarity {score:.0f})", "warning"))
            continue
        if table.form == "prose" and not projects:
            continue  # the document lists its projects in prose only: there is no 项目支出表 to match
        notices.append(Notice(table.span.file, table.span.first_line, "unmatched-performance",
                              f"{table.project_name!r}: no row of 项目支出表 matches this performance table",
                              "warning"))
    return notices
