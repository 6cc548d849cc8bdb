"""Print every performance table of the sample seeds, for a reviewer to read against the documents.

Per seed, per table: project name, kind, matched project + method, 实施期/年度 totals, indicator count and
the first 60 characters of 立项依据 and 项目概况; then per-seed figures (tables, matched, indicator rows,
notices of the performance and matching stages by code).

    .venv/bin/python scripts/perf_review.py                 # all seeds
    .venv/bin/python scripts/perf_review.py zezhou2026      # one seed (key or file name)
    .venv/bin/python scripts/perf_review.py --summary       # figures only
    .venv/bin/python scripts/perf_review.py --notices       # also list each notice
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.entities.budget import project_rows  # noqa: E402
from kg.entities.matching import match_performance  # noqa: E402
from kg.ingest import read_source  # noqa: E402
from kg.records import Notice, PerformanceTable, ProjectRow  # noqa: E402
from kg.tables import find_tables  # noqa: E402
from kg.tables.performance import parse_performance_tables  # noqa: E402

SEEDS = {
    "qinshui2024": "qinshui-natural-resources-bureau-unit-2024.txt",
    "zezhou2025": "zezhou-natural-resources-bureau-2025.txt",
    "xingxian2025": "xingxian-natural-resources-bureau-2025.txt",
    "yangquan2022": "yangquan-planning-natural-resources-bureau-unit-2022.txt",
    "zezhou2026": "zezhou-natural-resources-bureau-2026.txt",
}
PREVIEW_CHARS = 60


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text[:PREVIEW_CHARS] + ("…" if len(text) > PREVIEW_CHARS else "")


def _amount(table: PerformanceTable, period: str) -> str:
    value = table.funds.get(period, {}).get("total")
    return "-" if value is None else format(value, ",f")


def review(path: Path) -> tuple[list[PerformanceTable], list[Notice]]:
    """The seed's performance tables, matched to its 项目支出表 rows, and the two stages' notices."""
    source = read_source(path)
    tables, notices = parse_performance_tables(source)
    try:
        projects: list[ProjectRow] = project_rows(find_tables(source)[0])[0]
    except Exception as error:  # a review must go on when another stage breaks
        print(f"  (project rows unavailable: {error})")
        projects = []
    notices = notices + match_performance(tables, projects)
    return tables, notices


def print_tables(tables: list[PerformanceTable]) -> None:
    for number, table in enumerate(tables, 1):
        match = (f"{table.matched_project} [{table.match_method} {table.match_score}]"
                 if table.matched_project else "(unmatched)")
        print(f"{number:>3}. {table.project_name}  <{table.kind}>  {table.span}"
              + (f" +{len(table.copies)} copies" if table.copies else ""))
        print(f"     match: {match}")
        print(f"     实施期 {_amount(table, '实施期')}  年度 {_amount(table, '年度')}  "
              f"indicators {len(table.indicators)}")
        print(f"     依据: {_preview(table.basis)}")
        print(f"     概况: {_preview(table.overview)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds", nargs="*", help="seed keys or file names (default: all)")
    parser.add_argument("--summary", action="store_true", help="print only the per-seed figures")
    parser.add_argument("--notices", action="store_true", help="list every notice")
    args = parser.parse_args(argv)
    chosen = args.seeds or list(SEEDS)
    for seed in chosen:
        path = ROOT / "samples" / SEEDS.get(seed, seed)
        print(f"=== {seed} ({path.name})")
        tables, notices = review(path)
        if not args.summary:
            print_tables(tables)
        projects = [t for t in tables if t.kind == "project"]
        matched = sum(1 for t in projects if t.matched_project)
        indicators = sum(len(t.indicators) for t in tables)
        codes = Counter(n.code for n in notices)
        print(f"  tables {len(tables)} (project {len(projects)}), matched {matched}, "
              f"indicator rows {indicators}, no basis {sum(1 for t in projects if not t.basis)}")
        print("  notices: " + ", ".join(f"{code} {count}" for code, count in sorted(codes.items())))
        if args.notices:
            for notice in notices:
                print(f"    {notice}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
