"""Project the RDF budget graph onto networkx views.

Three views, each a ``networkx.DiGraph`` whose nodes are IRIs:

- ``policy``: policy document → project → department; edge weight = the project's amount (元);
- ``township``: township → project, weight = the project's amount;
- ``codes``: function-code hierarchy, parent → child, weight = the money printed against the child.

``all`` is their union. Node attributes: ``kind`` (project, policy, department, township, code), ``label``,
``money`` (float 元, 0 when unknown: only for sizing), ``level`` (a policy document's issuer level),
``year``, ``details`` (label → text, shown on click) and ``sources`` (``file:line`` where it was read).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.query.results import to_python
from kg.query.store import OxigraphEngine, open_store
from kg.visualize import queries

VIEWS = ("policy", "township", "codes")
BKG = "https://w3id.org/budget-kg/ontology#"
# bkg:*Level individuals → the words the issue and the citation stage use
LEVEL_NAMES = {
    BKG + "NationalLevel": "central",
    BKG + "ProvincialLevel": "province",
    BKG + "MunicipalLevel": "city",
    BKG + "CountyLevel": "county",
    BKG + "TownshipLevel": "township",
}
MAX_SOURCES_PER_NODE = 5  # a code printed in every disclosure would list dozens of lines


def _select(engine: OxigraphEngine, query: str) -> list[dict[str, Any]]:
    variables, rows = engine.select(query)
    return [{v: to_python(term) for v, term in zip(variables, row, strict=True) if term is not None}
            for row in rows]


def _money(value: Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def _yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f} 元"


def _sources(engine: OxigraphEngine) -> dict[str, list[str]]:
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in _select(engine, queries.SOURCE_LINES):
        found[row["node"]].append((row["file"], int(row["first"])))
    return {node: [f"{file}:{line}" for file, line in sorted(set(spans))[:MAX_SOURCES_PER_NODE]]
            for node, spans in found.items()}


def _engine(store: ox.Store | str | Path) -> OxigraphEngine:
    if isinstance(store, ox.Store):
        return OxigraphEngine(store)
    directory = Path(store)
    if (directory / "store").is_dir():
        directory = directory / "store"
    try:
        # read-only: a running server or another viz may hold the store open
        return OxigraphEngine(ox.Store.read_only(str(directory)))
    except OSError:
        return OxigraphEngine(open_store(directory))


def _add_projects(graph: nx.DiGraph, engine: OxigraphEngine, sources: dict[str, list[str]],
                  with_departments: bool) -> dict[str, Decimal | None]:
    amounts: dict[str, Decimal | None] = {}
    for row in _select(engine, queries.PROJECTS):
        project = row["project"]
        if project in amounts:
            continue  # first label/department wins; the query is ordered, so this is deterministic
        amount = row.get("amount")
        amounts[project] = amount
        details = {"amount": _yuan(amount), "fiscal year": str(row.get("year", "—")),
                   "carried over (上年结转)": "yes" if row.get("carried") else "no"}
        if row.get("department_label"):
            details["department"] = row["department_label"]
        department = row.get("department")
        graph.add_node(project, kind="project", label=row["label"], money=_money(amount),
                       year=row.get("year"), department=department, details=details,
                       sources=sources.get(project, []))
        if with_departments and department:
            if department not in graph:
                graph.add_node(department, kind="department", label=row.get("department_label") or department,
                               money=0.0, details={}, sources=sources.get(department, []))
            graph.add_edge(project, department, weight=_money(amount), relation="funded in")
            graph.nodes[department]["money"] += _money(amount)
    return amounts


def _policy_view(graph: nx.DiGraph, engine: OxigraphEngine, sources: dict[str, list[str]]) -> None:
    amounts = _add_projects(graph, engine, sources, with_departments=True)
    documents: dict[str, dict[str, Any]] = {}
    for row in _select(engine, queries.POLICY_DOCUMENTS):
        documents.setdefault(row["document"], row)
    for row in _select(engine, queries.BASIS_LINKS):
        project, document = row["project"], row["document"]
        if project not in graph:
            continue
        if document not in graph:
            info = documents.get(document, {})
            label = info.get("number") or info.get("title") or document
            if info.get("number") and info.get("title"):
                label = f"{info['title']}({info['number']})"
            details = {"文号": info.get("number", "—"), "title": info.get("title", "—"),
                       "issuer": info.get("issuer", "—")}
            graph.add_node(document, kind="policy", label=label, money=0.0,
                           level=LEVEL_NAMES.get(info.get("level", ""), "unknown"), details=details,
                           sources=sources.get(document, []))
        money = _money(amounts.get(project))
        graph.add_edge(document, project, weight=money, relation="basis of")
        # money traced: the full amount of every project citing the document
        graph.nodes[document]["money"] += money
    for node, data in graph.nodes(data=True):
        if data["kind"] in ("policy", "department"):
            data["details"]["money traced"] = _yuan(Decimal(str(data["money"])))
            data["details"]["projects"] = str(graph.degree(node))


def _township_view(graph: nx.DiGraph, engine: OxigraphEngine, sources: dict[str, list[str]]) -> None:
    amounts = _add_projects(graph, engine, sources, with_departments=False)
    for row in _select(engine, queries.TOWNSHIP_LINKS):
        project, township = row["project"], row["township"]
        if township not in graph:
            graph.add_node(township, kind="township", label=row.get("label", township), money=0.0,
                           details={"division code": row.get("code", "—")}, sources=sources.get(township, []))
        money = _money(amounts.get(project))
        graph.add_edge(township, project, weight=money, relation="located in")
        graph.nodes[township]["money"] += money
    # projects that name no township are not part of this view
    graph.remove_nodes_from([n for n, d in list(graph.nodes(data=True)) if d["kind"] == "project"
                             and graph.degree(n) == 0])


def _codes_view(graph: nx.DiGraph, engine: OxigraphEngine, sources: dict[str, list[str]]) -> None:
    rows = _select(engine, queries.FUNCTION_CODES)
    scheme_years: dict[str, int] = {}
    for row in _select(engine, queries.CODE_SCHEME_YEARS):
        scheme_years.setdefault(row["scheme"], int(row["year"]))  # the first (earliest) year
    code_years = {row["code"]: scheme_years.get(row["scheme"]) for row in _select(engine, queries.CODE_SCHEMES)}
    for row in rows:
        code = row["code"]
        if code in graph:
            continue
        money = row.get("money")
        label = f"{row['notation']} {row.get('label', '')}".strip()
        year = code_years.get(code)
        graph.add_node(code, kind="code", label=label, money=_money(money), year=year,
                       details={"notation": row["notation"], "fiscal year": str(year or "—"),
                                "money printed": _yuan(money),
                                "expenditure lines": str(row.get("lines", 0))},
                       sources=sources.get(code, []))
    for row in rows:
        if row.get("broader") in graph:
            graph.add_edge(row["broader"], row["code"], weight=graph.nodes[row["code"]]["money"],
                           relation="broader than")


_BUILDERS = {"policy": _policy_view, "township": _township_view, "codes": _codes_view}


def project_graph(store: ox.Store | str | Path, view: str = "policy") -> nx.DiGraph:
    """The networkx view ``view`` (one of VIEWS, or ``all``) of a store or build directory."""
    names: Iterable[str] = VIEWS if view == "all" else (view,)
    unknown = [name for name in names if name not in _BUILDERS]
    if unknown:
        raise ValueError(f"unknown view {view!r}: use one of {', '.join(VIEWS)} or all")
    engine = _engine(store)
    sources = _sources(engine)
    combined = nx.DiGraph(view=view)
    for name in names:
        part = nx.DiGraph()
        _BUILDERS[name](part, engine, sources)
        combined = nx.compose(combined, part) if combined.number_of_nodes() else part
    combined.graph["view"] = view
    return combined

