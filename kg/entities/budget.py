"""Budget records from parsed tables: 项目支出表 rows and 支出总表 lines, amounts converted to 元."""

from __future__ import annotations

from kg.records import ExpenditureLine, Notice, ProjectRow, Table


def project_rows(tables: list[Table]) -> tuple[list[ProjectRow], list[Notice]]:
    return [], []


def expenditure_lines(tables: list[Table]) -> tuple[list[ExpenditureLine], list[Notice]]:
    return [], []


def check_sums(tables: list[Table]) -> list[Notice]:
    """Children codes sum to parents, sources sum to totals; each disagreement a notice naming its line."""
    return []
