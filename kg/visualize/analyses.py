"""Analyses of the budget graph through networkx and the query library.

- which policy documents drive the most money (the library's ``top-documents`` query);
- documents shared across departments or fiscal years (same query, filtered);
- connected components of the document–project graph (departments left out: they would join everything);
- projects without a basis (the library's ``unbased-projects`` query).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd
import pyoxigraph as ox

from kg.query import run_query
from kg.visualize.project import _engine, project_graph

TOP = 10


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "item"):  # numpy / pandas scalars
        return value.item()
    return None if value != value else value  # NaN (an empty cell) → None


def _records(frame, columns: list[str]) -> list[dict[str, Any]]:
    return [{c: _plain(row[c]) for c in columns if c in frame.columns} for _, row in frame.iterrows()]


def analyses(store_dir: str | Path | ox.Store, top: int = TOP) -> dict[str, Any]:
    """The four analyses as plain JSON-ready data."""
    store = _engine(store_dir).store
    documents = run_query("top-documents", store=store, money="decimal")
    doc_columns = ["document", "doc_number", "doc_title", "issuer_level", "money_traced", "money_attributed",
                   "projects", "departments", "fiscal_years"]
    shared = documents[(documents["departments"] > 1) | (documents["fiscal_years"] > 1)]
    unbased = run_query("unbased-projects", store=store, money="decimal")

    policy = project_graph(store, "policy")
    citing = policy.subgraph(n for n, d in policy.nodes(data=True) if d["kind"] != "department").to_undirected()
    components = sorted(nx.connected_components(citing), key=lambda c: (-len(c), min(c)))
    summary = []
    for nodes in components[:top]:
        kinds = [policy.nodes[n]["kind"] for n in nodes]
        money = sum(policy.nodes[n]["money"] for n in nodes if policy.nodes[n]["kind"] == "project")
        hub = max(sorted(nodes), key=lambda n: citing.degree(n))
        summary.append({"nodes": len(nodes), "projects": kinds.count("project"),
                        "documents": kinds.count("policy"), "project_money": round(money, 2),
                        "most_connected": policy.nodes[hub]["label"]})
    return {
        "top_documents": _records(documents.head(top), doc_columns),
        "shared_documents": _records(shared, doc_columns),
        "components": {"count": len(components),
                       "singletons": sum(1 for c in components if len(c) == 1),
                       "largest": summary},
        "unbased_projects": _records(unbased, ["department", "fiscal_year", "project_label", "amount", "reason"]),
    }


def _yuan(value: Any) -> str:
    return "—" if value is None else f"{value:>16,.0f}"


def format_analyses(result: dict[str, Any]) -> str:
    """The analyses as plain text for a terminal."""
    lines = ["Policy documents driving the most money (money traced = full amount of each citing project):"]
    for row in result["top_documents"]:
        name = row.get("doc_number") or row.get("doc_title") or row["document"]
        lines.append(f"  {_yuan(row.get('money_traced'))} 元  {row.get('projects', 0):>3} projects  {name}")
    lines.append(f"\nDocuments shared across departments or fiscal years: {len(result['shared_documents'])}")
    for row in result["shared_documents"]:
        name = row.get("doc_number") or row.get("doc_title") or row["document"]
        lines.append(f"  {row.get('departments', 0)} department(s), {row.get('fiscal_years', 0)} year(s): {name}")
    components = result["components"]
    lines.append(f"\nConnected components of the document–project graph: {components['count']} "
                 f"({components['singletons']} single nodes)")
    for c in components["largest"]:
        lines.append(f"  {c['nodes']:>4} nodes: {c['projects']} projects, {c['documents']} documents, "
                     f"{_yuan(c['project_money']).strip()} 元; hub: {c['most_connected']}")
    lines.append(f"\nProjects without a basis document: {len(result['unbased_projects'])}")
    for row in result["unbased_projects"]:
        lines.append(f"  {row.get('fiscal_year')} {row.get('department') or '—'}: {row.get('project_label')} "
                     f"({_yuan(row.get('amount')).strip()} 元) — {row.get('reason')}")
    return "\n".join(lines) + "\n"
