"""Performance tables (项目支出绩效目标表 / 申报表, 部门整体支出绩效目标表)."""

from __future__ import annotations

from kg.records import Notice, PerformanceTable, SourceDocument


def parse_performance_tables(source: SourceDocument) -> tuple[list[PerformanceTable], list[Notice]]:
    """Every performance table of the document, duplicate copies merged, in document order."""
    return [], []
