"""What an extraction run writes for people and programs: CSV per table and a report.json."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from kg.records import FUND_SOURCES, Disclosure, Notice


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs are for sharing
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def notice_dict(notice: Notice) -> dict[str, Any]:
    return asdict(notice)


def _safe_stem(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", Path(name).stem) or "document"


def disclosure_summary(disclosure: Disclosure) -> dict[str, Any]:
    """The per-document part of report.json: what was found, where, and every notice."""
    notices = disclosure.notices
    return {
        "file": disclosure.source.path,
        "sha256": disclosure.source.sha256,
        "encoding": disclosure.source.encoding,
        "title": disclosure.title,
        "department": disclosure.department,
        "org_code": disclosure.org_code,
        "unit": disclosure.unit_name,
        "scope": disclosure.scope,
        "fiscal_year": disclosure.fiscal_year,
        "tables": [
            {"kind": t.kind, "title": t.title, "unit": t.unit, "first_line": t.span.first_line,
             "last_line": t.span.last_line, "rows": len(t.frame), "empty": t.empty}
            for t in disclosure.tables
        ],
        "projects": {"current": sum(not p.carried_over for p in disclosure.projects),
                     "carried_over": sum(p.carried_over for p in disclosure.projects)},
        "expenditure_lines": len(disclosure.expenditure_lines),
        "performance_tables": {
            "count": len(disclosure.performance),
            "matched": sum(p.matched_project is not None for p in disclosure.performance),
            # project tables printed in no 项目支出表: the graph keeps them as projects without amount
            "performance_only_projects": sum(p.kind == "project" and p.matched_project is None
                                             for p in disclosure.performance),
            "match_methods": dict(Counter(p.match_method or "unmatched" for p in disclosure.performance)),
        },
        "phase": disclosure.phase,
        "closure": closure_summary(disclosure),
        "notice_counts": dict(Counter(n.severity for n in notices)),
        "notices": [_with_page(notice_dict(n), disclosure) for n in notices],
    }


def _with_page(record: dict[str, Any], disclosure: Disclosure) -> dict[str, Any]:
    """A PDF's notice also names the page its line was read from."""
    line = record.get("line")
    page = disclosure.source.page_of(line) if isinstance(line, int) and disclosure.source.pages else None
    if page is not None:
        record["page"] = page
    return record


def closure_summary(disclosure: Disclosure) -> dict[str, Any]:
    """How far the document's own arithmetic closes: tables whose sums all hold, sums checked and failed."""
    checked = [c for c in disclosure.closure if c.checks]
    return {
        "tables_checked": len(checked),
        "tables_closing": sum(1 for c in checked if c.failed == 0),
        "sums_checked": sum(c.checks for c in checked),
        "sums_failed": sum(c.failed for c in checked),
        "tables_reconciled": len(disclosure.reconciliations),
        "tables_disagreeing": sum(1 for r in disclosure.reconciliations if not r.agree),
        "text_checked": len(disclosure.text_checks),
        "text_disagreeing": sum(1 for c in disclosure.text_checks if not c.agree),
        "tables": [asdict(c) for c in disclosure.closure],
        "reconciliations": [asdict(r) for r in disclosure.reconciliations],
        "text_checks": [asdict(c) for c in disclosure.text_checks],
    }


def _frame_to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False)


def _records_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([_jsonable(r) for r in rows])


def write_extraction(disclosures: list[Disclosure], failures: list[Notice], out_dir: Path,
                     extra_notices: list[Notice] | None = None, final_dir: Path | None = None) -> dict[str, Any]:
    """Write DIR/<document>/<table>.csv, projects.csv, performance.csv, indicators.csv and DIR/report.json.

    ``final_dir`` is where DIR will be once swapped into place (kg.output), named in the report.
    """
    from kg.output import reserved, unique_name

    out_dir.mkdir(parents=True, exist_ok=True)
    documents = []
    used = reserved("report.json")  # a document named report.json.txt gets report.json-2/, not report.json
    for disclosure in disclosures:
        stem = unique_name(_safe_stem(disclosure.source.name), used)
        folder = out_dir / stem
        kinds: Counter[str] = Counter()
        for table in disclosure.tables:
            kinds[table.kind] += 1
            suffix = f"-{kinds[table.kind]}" if kinds[table.kind] > 1 else ""
            atomic_write_text(folder / f"{table.kind}{suffix}.csv", _frame_to_csv(table.frame))
        atomic_write_text(folder / "projects.csv", _frame_to_csv(_records_frame(
            [{"name": p.name, "unit_name": p.unit_name, "total_yuan": p.total, "carried_over": p.carried_over,
              **{f"{k}_yuan": p.by_source.get(k) for k in FUND_SOURCES}, "printed_unit": p.printed_unit,
              "first_line": p.span.first_line, "last_line": p.span.last_line} for p in disclosure.projects])))
        atomic_write_text(folder / "performance.csv", _frame_to_csv(_records_frame(
            [{"project_name": p.project_name, "kind": p.kind, "department_code": p.department_code,
              "implementing_unit": p.implementing_unit, "year_total_yuan": p.funds.get("年度", {}).get("total"),
              "basis": p.basis, "matched_project": p.matched_project, "match_method": p.match_method,
              "match_score": p.match_score, "first_line": p.span.first_line, "last_line": p.span.last_line,
              "copies": len(p.copies)} for p in disclosure.performance])))
        atomic_write_text(folder / "indicators.csv", _frame_to_csv(_records_frame(
            [{"project_name": p.project_name, **asdict(i)} for p in disclosure.performance for i in p.indicators])))
        summary = disclosure_summary(disclosure)
        summary["output"] = str((final_dir or out_dir) / stem)
        documents.append(summary)
    report = {
        "documents": documents,
        "failed": [notice_dict(n) for n in failures],
        "notices": [notice_dict(n) for n in extra_notices or []],
    }
    atomic_write_text(out_dir / "report.json", json.dumps(_jsonable(report), ensure_ascii=False, indent=2))
    return report
