"""Deterministic positions, sizes and colours shared by the HTML view and the static figure.

Positions are computed here (networkx, fixed seed) rather than in the browser, so the same graph always
looks the same, the page opens instantly, and the PNG/SVG for a report matches what people explore.
Each connected component is laid out on its own and the components are packed in rows, largest first:
a force layout of the whole graph would fling small components to the edges.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
import numpy as np

SEED = 7
STYLE_FILE = Path(__file__).with_name("style.toml")
MIN_SIZE, MAX_SIZE = 10.0, 60.0
# networkx's spring layout needs scipy from 500 nodes on; ForceAtlas2 needs only numpy
_SPRING_LIMIT = 500


@dataclass(frozen=True)
class Style:
    fallback: str
    kinds: dict[str, str]
    kind_names: dict[str, str]
    levels: dict[str, str]
    level_names: dict[str, str]

    def colour(self, kind: str, level: str | None = None) -> str:
        if kind == "policy":
            return self.levels.get(level or "unknown", self.fallback)
        return self.kinds.get(kind, self.fallback)

    def legend(self, kinds: set[str], levels: set[str]) -> list[tuple[str, str]]:
        """(colour, name) pairs for the kinds and issuer levels present, in the style file's order."""
        entries = [(colour, self.kind_names.get(kind, kind)) for kind, colour in self.kinds.items() if kind in kinds]
        if "policy" in kinds:
            entries += [(colour, f"{self.kind_names.get('policy', 'policy')}: {self.level_names.get(level, level)}")
                        for level, colour in self.levels.items() if level in levels]
        return entries


@cache
def load_style(path: Path = STYLE_FILE) -> Style:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Style(data.get("fallback", "#9e9e9e"), dict(data.get("kinds", {})), dict(data.get("kind_names", {})),
                 dict(data.get("levels", {})), dict(data.get("level_names", {})))


def node_sizes(graph: nx.Graph) -> dict[str, float]:
    """Diameter per node: area proportional to money (square root), nodes without money at the minimum."""
    top = max((data.get("money", 0.0) for _, data in graph.nodes(data=True)), default=0.0)
    if top <= 0:
        return dict.fromkeys(graph.nodes, MIN_SIZE)
    return {node: MIN_SIZE + (MAX_SIZE - MIN_SIZE) * math.sqrt(max(data.get("money", 0.0), 0.0) / top)
            for node, data in graph.nodes(data=True)}


def _component_layout(component: nx.Graph) -> dict[str, tuple[float, float]]:
    if len(component) == 1:
        return {next(iter(component)): (0.0, 0.0)}
    # unit weights: money would pull big projects into their documents and hide the labels
    if len(component) < _SPRING_LIMIT:
        raw = nx.spring_layout(component, seed=SEED, weight=None, iterations=100)
    else:
        raw = nx.forceatlas2_layout(component, seed=SEED, max_iter=200)
        # ForceAtlas2 answers in its own units (hundreds of thousands at 500 nodes): back to [-1, 1] like
        # spring_layout, or the page opens on a view millions of pixels wide with every node a speck
        nodes = list(raw)
        scaled = nx.rescale_layout(np.array([raw[n] for n in nodes], dtype=float), scale=1.0)
        raw = dict(zip(nodes, scaled, strict=True))
    return {node: (float(x), float(y)) for node, (x, y) in raw.items()}


def layout(graph: nx.Graph, spacing: float = 40.0) -> dict[str, tuple[float, float]]:
    """Pixel positions for every node: components packed in rows, each scaled by the square root of its size."""
    undirected = graph.to_undirected(as_view=True)
    components = sorted((sorted(c) for c in nx.connected_components(undirected)), key=lambda c: (-len(c), c[0]))
    positions: dict[str, tuple[float, float]] = {}
    row_width = max(1200.0, 3 * spacing * math.sqrt(len(graph) or 1) * 2.5)
    x_cursor = y_cursor = row_height = 0.0
    for nodes in components:
        radius = spacing * math.sqrt(len(nodes)) * 1.3 if len(nodes) > 1 else spacing / 2
        if x_cursor and x_cursor + 2 * radius > row_width:
            x_cursor, y_cursor, row_height = 0.0, y_cursor + row_height + spacing, 0.0
        centre_x, centre_y = x_cursor + radius, y_cursor + radius
        for node, (x, y) in _component_layout(undirected.subgraph(nodes)).items():
            positions[node] = (round(centre_x + x * radius, 1), round(centre_y + y * radius, 1))
        x_cursor += 2 * radius + spacing
        row_height = max(row_height, 2 * radius)
    return positions
