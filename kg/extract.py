"""The extraction pipeline for one document: ingest → tables → entities.

Each stage is a plain function of the previous stage's records. A stage that fails on a strange document
becomes an error notice naming the file (the other stages and the other documents still run): a user gets
every table that could be read, and a clear statement of what could not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kg.entities.budget import check_closure, expenditure_lines, project_rows, reconcile_tables
from kg.entities.matching import match_performance
from kg.entities.metadata import is_narrative_disclosure, read_metadata
from kg.entities.statements import check_relations, check_statements, check_years, settle_units_by_text
from kg.entities.three_public import three_public_figures
from kg.errors import BudgetKGError, NotADisclosureError
from kg.ingest import read_source
from kg.records import Disclosure, Notice, SourceDocument
from kg.tables import find_tables
from kg.tables.performance import parse_performance_tables
from kg.tables.prose import parse_project_statements

log = logging.getLogger(__name__)
T = TypeVar("T")


def _guarded(stage: str, file: str, notices: list[Notice], fallback: T, run: Callable[[], T]) -> T:
    try:
        return run()
    except MemoryError:
        raise  # the document is over its memory: it ends here (kg.guard), the stages after would fail too
    except Exception as exc:  # a parser bug on one document must not lose the others' data
        log.debug("stage %s failed on %s", stage, file, exc_info=True)
        notices.append(Notice(file, None, "stage-failed",
                              f"{stage} failed ({type(exc).__name__}: {exc}); its records are missing", "error"))
        return fallback


def extract_disclosure(source: SourceDocument, require_tables: bool = True) -> Disclosure:
    """Run tables and entities on an ingested document.

    Raises NotADisclosureError when the document holds neither a standard table nor a performance table
    (and ``require_tables`` is set): a novel, a contract, a wrong file.
    """
    file = source.name
    notices: list[Notice] = list(source.notices)
    tables, table_notices = _guarded("tables", file, notices, ([], []), lambda: find_tables(source))
    meta = read_metadata(source, tables)
    final = meta.phase == "final"
    _guarded("units from the text", file, notices, None,
             lambda: settle_units_by_text(source.lines, tables, table_notices, final))
    notices += table_notices
    performance, perf_notices = _guarded("performance tables", file, notices, ([], []),
                                         lambda: parse_performance_tables(source))
    notices += perf_notices
    statements, statement_notices = _guarded("project statements", file, notices, ([], []),
                                             lambda: parse_project_statements(source, performance))
    notices += statement_notices
    performance = sorted([*performance, *statements], key=lambda t: t.span.first_line)
    published_separately = any(n.code == "tables-published-separately" for n in table_notices)
    narrative = not tables and not performance and is_narrative_disclosure(meta)
    if narrative and not published_separately:
        notices.append(Notice(file, None, "narrative-only",
                              "no budget table in this document: read as the narrative part of a disclosure "
                              "(its tables are published separately); only its text is read", "info"))
    if require_tables and not tables and not performance and not published_separately and not narrative:
        raise NotADisclosureError(file, "no standard budget table (收支总表, 支出总表, 项目支出表, 绩效目标表…) found; "
                                  "not a budget disclosure?", code="not-a-disclosure")
    if meta.phase == "final":
        notices.append(Notice(file, None, "final-accounts",
                              "a 决算 (final accounts): its amounts are executed spending, modelled with phase "
                              "'final', never as a budget", "info"))
    if meta.year_source == "most-frequent":
        notices.append(Notice(file, None, "fiscal-year-guessed",
                              f"no cover line states the fiscal year; {meta.fiscal_year} is the year the document "
                              "names most often"))
    projects, project_notices = _guarded("project rows", file, notices, ([], []), lambda: project_rows(tables))
    notices += project_notices
    lines, line_notices = _guarded("expenditure lines", file, notices, ([], []),
                                   lambda: expenditure_lines(tables))
    notices += line_notices
    sum_notices, closure = _guarded("sum checks", file, notices, ([], []), lambda: check_closure(tables))
    notices += sum_notices
    agree_notices, reconciliations = _guarded("table reconciliation", file, notices, ([], []),
                                              lambda: reconcile_tables(tables))
    notices += agree_notices
    text_checks, text_notices = _guarded("text statements", file, notices, ([], []),
                                         lambda: check_statements(source.lines, tables, file, final))
    notices += text_notices
    if meta.fiscal_year is not None and meta.year_source != "most-frequent":  # a guessed year is no reference
        notices += _guarded("years named", file, notices, [],
                            lambda: check_years(source.lines, meta.fiscal_year, final, file))  # type: ignore[arg-type]
    if final:
        relations, relation_notices = _guarded("text relations", file, notices, ([], []),
                                               lambda: check_relations(source.lines, tables, file))
        text_checks += relations
        notices += relation_notices
    notices += _guarded("matching", file, notices, [],
                        lambda: match_performance(performance, projects, meta.department))
    three_public, three_public_notices = _guarded(
        "三公 items", file, notices, ([], []),
        lambda: three_public_figures(tables, source.lines, final=final))
    notices += three_public_notices
    return Disclosure(
        source=source,
        title=meta.title,
        department=meta.department,
        org_code=meta.org_code,
        unit_name=meta.unit_name,
        scope=meta.scope,  # type: ignore[arg-type]
        fiscal_year=meta.fiscal_year,
        phase=meta.phase,  # type: ignore[arg-type]
        closure=closure,
        reconciliations=reconciliations,
        text_checks=text_checks,
        tables=tables,
        projects=projects,
        expenditure_lines=lines,
        performance=performance,
        notices=notices,
        three_public=three_public,
    )


def extract_file(path: str | Path) -> Disclosure:
    """Read and extract one file. Raises IngestError / NotADisclosureError with a readable message."""
    return extract_disclosure(read_source(path))


DISCLOSURE_SUFFIXES = {".txt", ".pdf"}


def expand_inputs(inputs: list[str | Path]) -> tuple[list[Path], list[Notice]]:
    """Files given directly, and .txt/.pdf files found under given directories (sorted, each once).

    A directory that cannot be read is an error notice naming it; a budget-kg output directory (its
    summary.txt, its CSVs) is skipped with a notice, so that building into a folder beside the inputs and
    building again does not read the previous output as a disclosure.
    """
    from kg.output import is_output_directory

    found: list[Path] = []
    notices: list[Notice] = []
    for item in inputs:
        path = Path(item)
        if not path.is_dir():
            found.append(path)
            continue
        if not os.access(path, os.R_OK | os.X_OK):
            notices.append(Notice(str(path), None, "unreadable-directory", "cannot read this directory "
                                  "(permission denied)", "error"))
            continue

        def unreadable(error: OSError, top: Path = path) -> None:
            notices.append(Notice(str(error.filename or top), None, "unreadable-directory",
                                  f"cannot read this directory ({error.strerror or error})", "error"))

        children: list[Path] = []
        for folder, subfolders, files in os.walk(path, onerror=unreadable, followlinks=False):
            here = Path(folder)
            for sub in sorted(subfolders):
                if is_output_directory(here / sub):
                    notices.append(Notice(str(here / sub), None, "skipped-output",
                                          "a budget-kg output directory, not disclosures; skipped", "info"))
                    subfolders.remove(sub)
            if here != path and is_output_directory(here):
                continue
            for name in files:
                child = here / name
                if child.suffix.lower() in DISCLOSURE_SUFFIXES:
                    # not only regular files: a FIFO or a link loop named .txt is read (and refused by name),
                    # not dropped
                    children.append(child)
                elif child.is_file() and name != "README.md" and not name.startswith("."):
                    notices.append(Notice(str(child), None, "skipped-file", "not a .txt or .pdf file; skipped",
                                          "info"))
        if is_output_directory(path):
            notices.append(Notice(str(path), None, "skipped-output",
                                  "a budget-kg output directory, not disclosures; skipped", "info"))
            continue
        found.extend(sorted(children))
    unique: list[Path] = []
    seen: set[Path] = set()
    for path in found:
        try:
            key = path.resolve()
        except (OSError, RuntimeError):  # a symbolic link loop: read_source names it as such
            key = path.absolute()
        if key in seen:
            notices.append(Notice(str(path), None, "duplicate-input", "given more than once; read once", "info"))
            continue
        seen.add(key)
        unique.append(path)
    notices.sort(key=lambda notice: (notice.file, notice.code))
    return unique, notices


def input_failures(notices: list[Notice]) -> list[Notice]:
    """The input notices that mean an input could not be read (an unreadable directory)."""
    return [notice for notice in notices if notice.severity == "error"]


def require_inputs(paths: list[Path], inputs: list[str | Path], notices: list[Notice]) -> None:
    """Raise when the inputs hold nothing to read: an empty folder, or only unreadable ones."""
    if paths:
        return
    named = ", ".join(str(item) for item in inputs[:3]) + (", …" if len(inputs) > 3 else "")
    errors = input_failures(notices)
    reason = f"; {errors[0].message}" if errors else ""
    raise InputError(named, f"no disclosure to read: no .txt or .pdf file found{reason}", code="no-inputs")


class InputError(BudgetKGError):
    """The command line names nothing that can be read as a disclosure."""
