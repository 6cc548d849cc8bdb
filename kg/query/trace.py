"""``budget-kg trace "TEXT"``: the chain project ↔ documents ↔ money, readable in a terminal.

TEXT is a 文号 (any bracket style), a project name or a document title, or part of one. A 文号 is traced
as a document; other text is tried as a project name first, then as a document title.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

import pandas as pd

from kg.query.params import normalise_doc_number
from kg.query.run import StoreLike, engine_for, run_query
from kg.query.store import SelectEngine


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _money(value: Any) -> str:
    if _missing(value):
        return "amount unknown"
    return f"{Decimal(value):,.2f} 元"


def _text(value: Any) -> str:
    return "" if _missing(value) else str(value)


def _flag(value: Any) -> bool | None:
    return None if _missing(value) else bool(value)


def _number(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def _decimal(value: Any) -> Decimal | None:
    return None if _missing(value) else Decimal(value)


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
    final = " 决算" if _text(row.get("phase")) == "final" else ""  # a budget's figure is the default reading
    carried = " 上年结转" if _flag(row.get("carried_over")) else ""
    return f"{_text(row['department']) or '(department unknown)'} {year}{final}{carried}".strip()


def _phase_row(cited: pd.DataFrame, phase: object) -> pd.Series:
    """The document-projects row whose totals are of ``phase`` (a 决算 project's document is traced over the
    决算s: document-projects' totals are per phase)."""
    if "phase" in cited and not _missing(phase):
        same = cited[cited["phase"] == phase]
        if not same.empty:
            return same.iloc[0]
    return cited.iloc[0]


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
                totals[iri] = run_query("document-projects", {"document": iri}, store=engine, money="decimal")
            cited = totals[iri]
            status = _text(doc.get("link_status"))
            lines.append(f"  ← {f'[{status}] ' if status else ''}{_document_line(doc)}")
            printed = _text(doc.get("printed_number"))
            if printed and printed != _text(doc["doc_number"]):
                lines.append(f"      printed {printed}")
            if _flag(doc.get("policy_document")) is False:
                lines.append("      not a policy document (contract, meeting or 批示)")
            if not cited.empty:
                total = _phase_row(cited, first.get("phase"))
                lines.append(f"      cited by {total['document_projects']} project(s), "
                             f"{_money(total['document_total'])} traced")
        lines.append("")
    return lines


def _trace_documents(frame: pd.DataFrame) -> list[str]:
    lines: list[str] = []
    for _document, rows in frame.groupby("document", sort=False):
        first = rows.iloc[0]
        lines.append(f"文件 {_document_line(first)}")
        for _, row in rows.iterrows():
            cited = _number(row["documents_cited"]) or 0
            shared = f" (cites {cited} documents)" if cited > 1 else ""
            lines.append(f"  → {_where(row)}  {row['project_label']}  {_money(row['amount'])}{shared}")
        phases = list(dict.fromkeys(rows["phase"].dropna())) if "phase" in rows else []
        for phase in phases if len(phases) > 1 else [None]:  # one line per phase when a 决算 is there too
            total = _phase_row(rows, phase) if phase else first
            named = f" ({'决算' if phase == 'final' else '预算'})" if phase else ""
            lines.append(f"  total traced{named}: {_money(total['document_total'])} over "
                         f"{total['document_projects']} project(s)")
        lines.append("")
    return lines


def trace(text: str, *, store: StoreLike | None = None, endpoint: str | None = None) -> str:
    """The chain for ``text`` as readable text (what ``budget-kg trace`` prints)."""
    return trace_result(text, store=store, endpoint=endpoint)[1]


def _lookup(text: str, engine: SelectEngine) -> tuple[str, pd.DataFrame]:
    """("project", project-basis rows) or ("document", document-projects rows); an empty frame when neither
    finds anything. A 文号 is looked up as a document only; other text as a project name first."""
    if normalise_doc_number(text) is None:
        projects = run_query("project-basis", {"project": text}, store=engine, money="decimal")
        if not projects.empty:
            return "project", projects
    return "document", run_query("document-projects", {"document": text}, store=engine, money="decimal")


def trace_result(text: str, *, store: StoreLike | None = None, endpoint: str | None = None) -> tuple[bool, str]:
    """(whether anything was found, the text to print)."""
    engine = engine_for(store, endpoint)
    matched, frame = _lookup(text, engine)
    if frame.empty:
        return False, f"nothing found for {text!r}: no project name, 文号 or document title contains it\n"
    lines = _trace_projects(frame, engine) if matched == "project" else _trace_documents(frame)
    return True, "\n".join(lines).rstrip() + "\n"


@dataclass(frozen=True)
class TraceLink:
    """One project ↔ document link of a trace (``document`` empty when the project cites no identifiable
    document). Amounts are exact, in 元; ``document_total`` is the money traced to the document over its
    ``document_projects`` citing projects."""

    matched: str  # "project" (TEXT named a project) or "document" (a 文号 or title)
    project: str
    project_label: str
    department: str | None
    fiscal_year: int | None
    amount: Decimal | None
    carried_over: bool | None
    document: str | None
    doc_number: str | None
    doc_title: str | None
    issuer: str | None
    issuer_level: str | None
    link_status: str | None
    policy_document: bool | None
    cited_text: str | None
    document_projects: int | None
    document_total: Decimal | None


def _optional_text(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def trace_links(text: str, *, store: StoreLike | None = None, endpoint: str | None = None) -> list[TraceLink]:
    """The links ``trace`` prints, as records: [] when nothing matches ``text``."""
    engine = engine_for(store, endpoint)
    matched, frame = _lookup(text, engine)
    totals: dict[str, pd.DataFrame] = {}
    links: list[TraceLink] = []
    for row in frame.to_dict(orient="records"):
        document = _optional_text(row.get("document"))
        if matched == "document":
            total = (_number(row["document_projects"]), _decimal(row["document_total"]))
        elif document is None:
            total = (None, None)
        else:
            if document not in totals:
                cited = run_query("document-projects", {"document": document}, store=engine, money="decimal")
                totals[document] = cited
            cited = totals[document]
            total = (None, None) if cited.empty else (
                _number(_phase_row(cited, row.get("phase"))["document_projects"]),
                _decimal(_phase_row(cited, row.get("phase"))["document_total"]))
        links.append(TraceLink(
            matched, str(row["project"]), _text(row["project_label"]), _optional_text(row.get("department")),
            _number(row.get("fiscal_year")), _decimal(row.get("amount")), _flag(row.get("carried_over")),
            document, _optional_text(row.get("doc_number")), _optional_text(row.get("doc_title")),
            _optional_text(row.get("issuer")), _optional_text(row.get("issuer_level")),
            _optional_text(row.get("link_status")), _flag(row.get("policy_document")),
            _optional_text(row.get("cited_text")), *total))
    return links


def links_frame(links: list[TraceLink]) -> pd.DataFrame:
    """Trace links as a typed DataFrame (money Float64 in 元, like :func:`kg.query.run_query`)."""
    dtypes = {"fiscal_year": "Int64", "amount": "Float64", "carried_over": "boolean", "policy_document": "boolean",
              "document_projects": "Int64", "document_total": "Float64"}
    rows = [asdict(link) for link in links]
    columns = [f.name for f in fields(TraceLink)]
    frame = pd.DataFrame({c: pd.Series([pd.NA if r[c] is None else (float(r[c]) if isinstance(r[c], Decimal)
                                                                      else r[c]) for r in rows],
                                       dtype=dtypes.get(c, "string")) for c in columns}, columns=columns)
    frame.attrs.update({"query": "trace", "unit": "元", "money_columns": ["amount", "document_total"]})
    return frame
