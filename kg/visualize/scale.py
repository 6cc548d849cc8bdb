"""What a view draws, so that it stays readable from one disclosure to a thousand.

- The policy view draws documents → projects → departments while there are at most DETAIL_PROJECTS projects;
  beyond, it is aggregated to documents → departments (an edge carries the money of the department's projects
  citing the document, per year), the TOP_DOCUMENTS documents with the most money traced, and for each
  department its TOP_LINKS documents. The graph for analyses (project_graph) is never cut.
- Every drawn node gets a ``rank`` by money (the page labels the best-ranked nodes that fit without overlap),
  the ``years`` and ``departments`` it belongs to (the page filters by them), and a label that tells it apart:
  two nodes printing the same name (2080505 in each year's scheme, one project name in two years) carry the
  year, then the department, after the name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import networkx as nx

DETAIL_PROJECTS = 400
TOP_DOCUMENTS = 150
TOP_LINKS = 8


def _years(graph: nx.DiGraph, node: str) -> set[int]:
    year = graph.nodes[node].get("year")
    return {int(year)} if year else set()


def policy_overview(graph: nx.DiGraph, top_documents: int = TOP_DOCUMENTS, top_links: int = TOP_LINKS) -> nx.DiGraph:
    """documents → departments, aggregated from the policy view's documents → projects → departments."""
    links: dict[tuple[str, str], dict[str, Any]] = {}
    for document, data in graph.nodes(data=True):
        if data["kind"] != "policy":
            continue
        for project in graph.successors(document):
            department = graph.nodes[project].get("department")
            if not department or department not in graph:
                continue
            link = links.setdefault((document, department), {"weight": 0.0, "years": Counter(), "projects": 0})
            money = graph.nodes[project].get("money", 0.0)
            link["weight"] += money
            link["projects"] += 1
            for year in _years(graph, project):
                link["years"][year] += money
    documents = sorted((n for n, d in graph.nodes(data=True) if d["kind"] == "policy"),
                       key=lambda n: (-graph.nodes[n].get("money", 0.0), -graph.degree(n), n))[:top_documents]
    kept_documents = set(documents)
    per_department: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for (document, department), link in links.items():
        if document in kept_documents:
            per_department[department].append((document, link))
    overview = nx.DiGraph(view="policy", aggregated=True, projects=sum(
        1 for _, d in graph.nodes(data=True) if d["kind"] == "project"))
    for node, data in graph.nodes(data=True):
        if data["kind"] == "department":
            overview.add_node(node, **data)
    for document in documents:
        overview.add_node(document, **graph.nodes[document])
    chosen: set[tuple[str, str]] = set()
    for department, found in per_department.items():  # each department's strongest documents
        chosen.update((document, department) for document, _ in
                      sorted(found, key=lambda f: (-f[1]["weight"], f[0]))[:top_links])
    strongest: dict[str, tuple[float, str]] = {}
    for (document, department), link in links.items():  # and each document's strongest department
        if document in kept_documents:
            strongest[document] = max(strongest.get(document, (-1.0, "")), (link["weight"], department))
    chosen.update((document, department) for document, (_, department) in strongest.items())
    for document, department in sorted(chosen):
        link = links[(document, department)]
        overview.add_edge(document, department, weight=link["weight"], relation="basis of projects in",
                          years=dict(sorted(link["years"].items())), projects=link["projects"])
    return overview


def display_graph(graph: nx.DiGraph, view: str) -> nx.DiGraph:
    """The graph a view draws (see the module docstring); attributes added for ranking and filtering."""
    projects = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "project")
    shown = policy_overview(graph) if view == "policy" and projects > DETAIL_PROJECTS else graph.copy()
    _annotate(shown, graph)
    distinct_labels(shown)
    shown.graph["displayed"] = True
    return shown


def _annotate(shown: nx.DiGraph, full: nx.DiGraph) -> None:
    """``years``, ``departments`` and ``rank`` of every drawn node, read from the full view."""
    for node, data in shown.nodes(data=True):
        years: set[int] = set(_years(full, node))
        departments: set[str] = set()
        if data["kind"] == "department":
            departments.add(node)
        elif data.get("department"):
            departments.add(data["department"])
        neighbours = set(full.predecessors(node)) | set(full.successors(node)) if node in full else set()
        for neighbour in neighbours:
            neighbour_data = full.nodes[neighbour]
            if data["kind"] != "project":
                years |= _years(full, neighbour)
            if neighbour_data["kind"] == "department":
                departments.add(neighbour)
            elif neighbour_data["kind"] == "project" and neighbour_data.get("department"):
                departments.add(neighbour_data["department"])
        data["years"] = sorted(years)
        data["departments"] = sorted(departments)
    ranked = sorted(shown.nodes(data=True), key=lambda item: (-item[1].get("money", 0.0), -shown.degree(item[0]),
                                                              item[0]))
    for rank, (node, _) in enumerate(ranked):
        shown.nodes[node]["rank"] = rank


def distinct_labels(graph: nx.DiGraph) -> None:
    """Give nodes that print the same label a ``display`` label naming what differs (year, then department)."""
    by_label: dict[str, list[str]] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        by_label[str(data.get("label", node))].append(node)
    department_names = {n: str(d.get("label", n)) for n, d in graph.nodes(data=True) if d["kind"] == "department"}
    for label, nodes in by_label.items():
        for node in nodes:
            data = graph.nodes[node]
            data["display"] = label
            if len(nodes) == 1:
                continue
            parts = []
            if data.get("year"):
                parts.append(str(data["year"]))
            same_year = [n for n in nodes if graph.nodes[n].get("year") == data.get("year")]
            if len(same_year) > 1 and data.get("department"):
                parts.append(department_names.get(data["department"])
                             or str(data.get("details", {}).get("department", "")))
            if parts:
                data["display"] = f"{label} · {' '.join(p for p in parts if p)}"
