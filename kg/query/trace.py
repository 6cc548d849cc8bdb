"""``budget-kg trace "TEXT"``: the chain project ↔ documents ↔ money, readable in a terminal.

TEXT is a 文号 (any bracket style), a project name or a document title, or part of one. A 文号 is traced
as a document; other text is tried as a project name first, then as a document title.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from kg.query.params import normalise_doc_number
from kg.query.run import StoreLike, engine_for, run_query
from kg.query.store import SelectEngine


def _money(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "amount unknown"
    return f"{Decimal(value):,.2f} 元"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def _document_line(row: pd.Series) -> str:
    number = _text(row["doc_number"]) or "(no 文号)"
    title = _text(row["doc_title"])
    title = f"《{title}》" if title else ""
    issuer = _text(row["issuer"])
    level = _text(row["issuer_level"])
    who = f" — {issuer}" if issuer else ""
    who += f" ({level})" if level else ""
    return f"{number} {title}{who}".rstrip()


def _where(row: pd.Series) -> str:
    year = _text(row["fiscal_year"])
    carried = " 上年结转" if row.get("carried_over") is True else ""
    return f"{_text(row['department']) or '(department unknown)'} {year}{carried}".strip()


def _trace_projects(frame: pd.DataFrame, engine: SelectEngine) -> list[str]:
    lines: list[str] = []
    totals: dict[str, pd.DataFrame] = {}
    for _project, rows in frame.groupby("project", sort=False):
        first = rows.iloc[0]
        lines.append(f"项目 {first['project_label']} — {_where(first)} — {_money(first['amount'])}")
        if _text(first["basis_text"]):
            lines.append(f"  立项依据 as printed: {_text(first['basis_text'])}")
        documents = rows[rows["document"].notna()]
        unresolved = rows[rows["document"].isna() & (rows["link_status"] == "unresolved")] \
            if "link_status" in rows else rows.iloc[0:0]
        if documents.empty and unresolved.empty:
            lines.append("  ← no identifiable basis document")
        for _, doc in unresolved.iterrows():
            lines.append(f"  ← [unresolved] {_text(doc['cited_text'])} (no document identified: kept as printed)")
        for _, doc in documents.iterrows():
            iri = str(doc["document"])
            if iri not in totals:
                totals[iri] = run_query("document-projects", {"document": iri}, store=engine)
            cited = totals[iri]
            status = _text(doc.get("link_status"))
            lines.append(f"  ← {f'[{status}] ' if status else ''}{_document_line(doc)}")
            printed = _text(doc.get("printed_number"))
            if printed and printed != _text(doc["doc_number"]):
                lines.append(f"      printed {printed}")
            if doc.get("policy_document") is False:
                lines.append("      not a policy document (contract, meeting or 批示)")
            if not cited.empty:
                lines.append(f"      cited by {cited.iloc[0]['document_projects']} project(s), "
                             f"{_money(cited.iloc[0]['document_total'])} traced")
        lines.append("")
    return lines


def _trace_documents(frame: pd.DataFrame) -> list[str]:
    lines: list[str] = []
    for _document, rows in frame.groupby("document", sort=False):
        first = rows.iloc[0]
        lines.append(f"文件 {_document_line(first)}")
        for _, row in rows.iterrows():
            shared = f" (cites {row['documents_cited']} documents)" if row["documents_cited"] > 1 else ""
            lines.append(f"  → {_where(row)}  {row['project_label']}  {_money(row['amount'])}{shared}")
        lines.append(f"  total traced: {_money(first['document_total'])} over {first['document_projects']} "
                     f"project(s)")
        lines.append("")
    return lines


def trace(text: str, *, store: StoreLike | None = None, endpoint: str | None = None) -> str:
    return trace_result(text, store=store, endpoint=endpoint)[1]


def trace_result(text: str, *, store: StoreLike | None = None, endpoint: str | None = None) -> tuple[bool, str]:
    """(whether anything was found, the text to print)."""
    engine = engine_for(store, endpoint)
    if normalise_doc_number(text) is None:
        projects = run_query("project-basis", {"project": text}, store=engine)
        if not projects.empty:
            return True, "\n".join(_trace_projects(projects, engine)).rstrip() + "\n"
    documents = run_query("document-projects", {"document": text}, store=engine)
    if not documents.empty:
        return True, "\n".join(_trace_documents(documents)).rstrip() + "\n"
    return False, f"nothing found for {text!r}: no project name, 文号 or document title contains it\n"
