"""Match each performance table to its row in 项目支出表 (exact, normalised, or amount + fuzzy name)."""

from __future__ import annotations

from kg.records import Notice, PerformanceTable, ProjectRow


def match_performance(performance: list[PerformanceTable], projects: list[ProjectRow]) -> list[Notice]:
    """Set matched_project / match_method / match_score on each performance table in place."""
    return []
