"""``budget-kg viz``: one self-contained HTML file (cytoscape.js and the graph inlined; no network at view time)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox

from kg.report import atomic_write_text
from kg.visualize.layout import layout, load_style, node_sizes
from kg.visualize.project import VIEWS, project_graph
from kg.visualize.scale import display_graph

HERE = Path(__file__).parent
TEMPLATE = HERE / "template.html"
LIBRARY = HERE / "vendor" / "cytoscape.min.js"
_PLACEHOLDER = re.compile(r"/\*__(CYTOSCAPE|DATA)__\*/|__TITLE__")
SHORT_LABEL = 18  # characters of a label drawn under a node; the full label is in the details panel


_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)


def _script_safe(text: str) -> str:
    # "</script" inside inlined text would end the script element early; "<\/" means the same to JavaScript
    # (in a string, which is the only place it can occur in JSON or in the minified library)
    return _SCRIPT_END.sub(r"<\\/\1", text)


def _json_in_script(data: object) -> str:
    """JSON for an inline <script>: "<", ">" and "&" as \\u escapes (JSON puts them only inside strings), so no
    label can open a comment ("<!--"), a tag or end the element, whatever the browser's script-data state."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _short(label: str) -> str:
    """The label drawn under a node: cut to SHORT_LABEL characters, keeping a distinguishing " · year" tail."""
    if len(label) <= SHORT_LABEL:
        return label
    name, sep, tail = label.partition(" · ")
    return name[: max(6, SHORT_LABEL - len(tail) - 3)] + "…" + (sep + tail if sep else "")


def elements(graph: nx.DiGraph, view: str = "policy") -> dict[str, Any]:
    """The cytoscape elements (nodes with preset positions), the legend and the filters of one view."""
    style = load_style()
    shown = display_graph(graph, view)
    positions = layout(shown)
    sizes = node_sizes(shown)
    top_edge = max((w for _, _, w in shown.edges(data="weight", default=0.0)), default=0.0) or 1.0
    nodes = []
    for node, data in sorted(shown.nodes(data=True)):
        label = str(data.get("display") or data.get("label", node))
        x, y = positions[node]
        nodes.append({"data": {
            "id": node, "label": label, "short": _short(label),
            "kind": data["kind"], "kindName": style.kind_names.get(data["kind"], data["kind"]),
            "level": data.get("level"), "money": data.get("money", 0.0), "year": data.get("year"),
            "years": data.get("years", []), "departments": data.get("departments", []), "rank": data["rank"],
            "colour": style.colour(data["kind"], data.get("level")), "size": round(sizes[node], 1),
            "details": data.get("details", {}), "sources": data.get("sources", []),
        }, "position": {"x": x, "y": y}})
    edges = [{"data": {"id": f"e{i}", "source": u, "target": v, "relation": d.get("relation", ""),
                       "weight": d.get("weight", 0.0), "years": sorted(d.get("years", {})),
                       "width": round(0.6 + 5.0 * (d.get("weight", 0.0) / top_edge) ** 0.5, 2)}}
             for i, (u, v, d) in enumerate(sorted(shown.edges(data=True), key=lambda e: (e[0], e[1])))]
    kinds = {d["kind"] for _, d in shown.nodes(data=True)}
    levels = {d.get("level") or "unknown" for _, d in shown.nodes(data=True) if d["kind"] == "policy"}
    departments = sorted(((n, str(d.get("label", n)), d.get("money", 0.0)) for n, d in shown.nodes(data=True)
                          if d["kind"] == "department"), key=lambda item: (-item[2], item[1]))
    filters = {"years": sorted({y for _, d in shown.nodes(data=True) for y in d.get("years", [])}),
               "levels": [[level, style.level_names.get(level, level)] for level in style.levels if level in levels],
               "departments": [[n, label] for n, label, _ in departments]}
    note = ""
    if shown.graph.get("aggregated"):
        documents = sum(1 for _, d in shown.nodes(data=True) if d["kind"] == "policy")
        note = (f"{shown.graph['projects']:,} projects, aggregated: the {documents} documents with the most money "
                "traced → the departments whose projects cite them")
    return {"elements": {"nodes": nodes, "edges": edges}, "legend": style.legend(kinds, levels),
            "filters": filters, "note": note}


def render_html(views: dict[str, nx.DiGraph], title: str = "budget-kg graph") -> str:
    """The page for the given views (name → graph); the first view is shown when the page opens."""
    data = {"default_view": next(iter(views)), "views": {name: elements(g, name) for name, g in views.items()}}
    replacements = {
        "CYTOSCAPE": _script_safe(LIBRARY.read_text(encoding="utf-8")),
        "DATA": _json_in_script(data),
    }
    template = TEMPLATE.read_text(encoding="utf-8")
    # one pass over the template only, so nothing inside the inlined library or data is ever substituted
    return _PLACEHOLDER.sub(lambda m: replacements[m.group(1)] if m.group(1) else html.escape(title), template)


def write_viz(store_dir: str | Path | ox.Store, out_html: str | Path, view: str = "all",
              title: str = "budget-kg graph") -> dict[str, int]:
    """Write the interactive HTML for ``view`` (one of VIEWS; ``all`` puts every view in one page with a
    selector). Returns the node count per view."""
    names = list(VIEWS) if view == "all" else [view]
    views = {name: project_graph(store_dir, name) for name in names}
    atomic_write_text(Path(out_html), render_html(views, title))
    return {name: g.number_of_nodes() for name, g in views.items()}
