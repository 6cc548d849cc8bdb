"""Visualise the budget graph: networkx views, an offline interactive HTML page, a static figure, analyses.

The functions the command line wires up::

    write_viz(store_dir, out_html, view="all") -> {view: nodes}
    write_static_figure(store_dir, out_file, view="policy") -> Path   # .svg or .png
    analyses(store_dir) -> dict;  format_analyses(result) -> str
    project_graph(store_dir, view) -> networkx.DiGraph
"""

from kg.visualize.analyses import analyses, format_analyses
from kg.visualize.figure import write_static_figure
from kg.visualize.html import render_html, write_viz
from kg.visualize.project import VIEWS, project_graph

__all__ = ["VIEWS", "analyses", "format_analyses", "project_graph", "render_html", "write_static_figure",
           "write_viz"]
