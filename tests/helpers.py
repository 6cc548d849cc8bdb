"""Helpers shared by several test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.records import Table

# The ontology terms issue #5 lists as public contract: users, queries and checks rely on them.
CONTRACT_CLASSES = ["Disclosure", "Department", "BudgetUnit", "Project", "PolicyDocument", "Township",
                    "FunctionCode", "ExpenditureLine"]
CONTRACT_PROPERTIES = ["fiscalYear", "sourceFile", "orgCode", "amount", "carriedOver", "basis", "basisText",
                       "docNumber", "issuer", "issuerLevel", "documentKind", "township", "mentions", "functionCode",
                       "total", "basicExpenditure", "projectExpenditure", "disclosure"]


def only(tables: list[Table], kind: str) -> Table:
    """The one table of ``kind`` (fails when there are none or several)."""
    found = [t for t in tables if t.kind == kind]
    assert len(found) == 1, [t.kind for t in tables]
    return found[0]


def row(table: Table, **where: object) -> dict:
    """The one row of ``table`` whose columns equal ``where``."""
    frame = table.frame
    for column, value in where.items():
        frame = frame[frame[column] == value]
    assert len(frame) == 1, (where, len(frame))
    return frame.iloc[0].to_dict()


def dev_document(stem: str, form: str = "text") -> Path:
    """A dev-corpus document read in place (``text`` or ``pdf``); the test skips when the corpus is absent."""
    from tests.conftest import DEV_CORPUS

    path = DEV_CORPUS / form / f"{stem}.{'txt' if form == 'text' else 'pdf'}"
    if not path.exists():
        pytest.skip(f"{path} not present (../shared/dev-corpus)")
    return path


def aligned(rows: list[list[str]], widths: list[int], left: int, labels: frozenset[int] = frozenset()) -> str:
    """Rows as `pdftotext -layout` prints them: a cell starts at its physical position (a CJK character is
    two columns wide on the page but one character in the line), the first ``left`` columns and the columns
    ``labels`` left-aligned (a 收支总表's 支出 items), the amounts right-aligned."""
    from kg.ingest.layout import display_width

    lines = []
    for cells in rows:
        line, edge = "", 0
        for j, text in enumerate(cells):
            start = edge if j < left or j in labels else edge + widths[j] - display_width(text)
            if text:  # pdftotext puts a cell at the character column of its physical position
                line += " " * max(start - len(line), 1 if line else 0) + text
            edge += widths[j] + 2
        lines.append(line)
    return "\n".join(lines) + "\n"


def detail_year_over_year(store: object, params: dict[str, str] | None = None) -> object:
    """year-over-year's rows computed from the detail (every project and basis link keyed in SPARQL: the query
    as it was before it read the summaries' items), as a DataFrame with exact money, to hold the query to."""
    from kg.query.library import read_query
    from kg.query.params import bind
    from kg.query.run import engine_for, run_bound

    query = read_query(Path(__file__).parent / "fixtures" / "query" / "year-over-year-detail.rq")
    return run_bound(query, bind(query, params or {}), engine_for(store), money="decimal")
