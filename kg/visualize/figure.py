"""A static figure of one view for reports: SVG (written directly) or PNG (Pillow).

Both use the HTML view's deterministic layout, sizes and colours, so the same graph gives the same bytes.
Every department is labelled, then the nodes with the most money (a report figure with 300 labels is
unreadable); no label overlaps another or leaves the canvas, and the legend is drawn inside the image. PNG labels
need a font with Chinese glyphs: the first of CJK_FONTS that exists is used (Debian: fonts-noto-cjk);
without one the PNG is drawn without labels and says so in its legend — the SVG leaves fonts to the viewer.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.report import atomic_write_text
from kg.visualize.layout import layout, load_style, node_sizes
from kg.visualize.project import project_graph
from kg.visualize.scale import display_graph

LABELLED = 15  # labels besides the departments'
MARGIN = 40.0
FONT_SIZE = 12
LEGEND_FONT = 12
CJK_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


# Characters XML 1.0 forbids even escaped (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text for an SVG element or attribute: escaped, and what XML cannot hold shown as U+FFFD."""
    return html.escape(_NOT_XML.sub("\ufffd", str(value)))


Measure = Callable[[str, int], tuple[float, float]]  # (text, font size) → (width, height) in pixels


def estimated_size(text: str, size: int) -> tuple[float, float]:
    """Width and height of a line of text: a CJK character is about one em wide, Latin about 0.6 em (the SVG
    leaves fonts to the viewer, so this is what its placement assumes)."""
    wide = sum(1 for c in text if ord(c) > 0x2E7F)
    return wide * size + (len(text) - wide) * size * 0.6, size * 1.25


@dataclass
class Label:
    node: str
    text: str
    x: float  # left edge
    y: float  # top edge
    width: float
    height: float

    def overlaps(self, other: Label) -> bool:
        return (self.x < other.x + other.width and other.x < self.x + self.width
                and self.y < other.y + other.height and other.y < self.y + self.height)


@dataclass
class Figure:
    """Everything a static figure draws, in pixels; the test reads it to check nothing leaves the canvas."""

    graph: nx.DiGraph
    positions: dict[str, tuple[float, float]]
    radii: dict[str, float]
    labels: list[Label]
    legend: list[tuple[str, str]]
    legend_box: tuple[float, float, float, float]  # left, top, width, height
    width: float
    height: float


def _label_text(data: dict) -> str:
    label = str(data.get("display") or data.get("label", ""))
    return label if len(label) <= 24 else label[:23] + "…"


def _place_labels(graph: nx.DiGraph, positions: dict[str, tuple[float, float]], radii: dict[str, float],
                  measure: Measure, right: float, bottom: float) -> list[Label]:
    """Every department first, then the best-ranked nodes, each below, above, right or left of its node, kept
    inside the canvas and off the labels already placed; a node whose label fits nowhere is left unlabelled
    (departments are placed first, so they are labelled whenever their neighbourhood allows)."""
    order = sorted(graph.nodes(data=True), key=lambda item: (item[1]["kind"] != "department", item[1].get("rank", 0),
                                                             item[0]))
    placed: list[Label] = []
    others = 0
    for node, data in order:
        if data["kind"] != "department" and (others >= LABELLED or data.get("money", 0.0) <= 0):
            continue
        text = _label_text(data)
        width, height = measure(text, FONT_SIZE)
        x, y = positions[node]
        r = radii[node]
        for left, top in ((x - width / 2, y + r + 2), (x - width / 2, y - r - 2 - height), (x + r + 3, y - height / 2),
                          (x - r - 3 - width, y - height / 2)):
            left = min(max(left, 2.0), right - width - 2)  # slide along the edge rather than be cut by it
            top = min(max(top, 2.0), bottom - height - 2)
            candidate = Label(node, text, left, top, width, height)
            if not any(candidate.overlaps(other) for other in placed):
                placed.append(candidate)
                if data["kind"] != "department":
                    others += 1
                break
    return placed


def _frame(graph: nx.DiGraph, width: float) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions scaled to ``width`` pixels (plus margins), and the drawing's width and height."""
    positions = layout(graph)
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    span_x = (max(xs) - min(xs)) or 1.0
    scale = (width - 2 * MARGIN) / span_x
    scaled = {n: (MARGIN + (x - min(xs)) * scale, MARGIN + (y - min(ys)) * scale) for n, (x, y) in positions.items()}
    height = 2 * MARGIN + (max(ys) - min(ys)) * scale
    return scaled, width, max(height, 300.0)


def figure_layout(graph: nx.DiGraph, width: float = 1400.0, measure: Measure = estimated_size) -> Figure:
    """Positions, radii, labels and legend of the figure of ``graph`` (as drawn: see kg.visualize.scale)."""
    shown = graph if graph.graph.get("displayed") else display_graph(graph, _view(graph))
    positions, _, height = _frame(shown, width)
    sizes = node_sizes(shown)
    shrink = min(1.0, width / 2000.0) or 1.0
    radii = {node: sizes[node] * shrink / 2 for node in shown}
    legend = _legend(shown)
    legend_width = max(measure(name, LEGEND_FONT)[0] for _, name in legend) + 36
    legend_height = 18 * len(legend) + 16
    full_width = width + legend_width + 10
    height = max(height, legend_height + 2 * MARGIN)
    labels = _place_labels(shown, positions, radii, measure, width, height)
    legend_box = (width + 5, MARGIN - 14, legend_width, legend_height)
    return Figure(shown, positions, radii, labels, legend, legend_box, full_width, height)


def _view(graph: nx.DiGraph) -> str:
    return str(graph.graph.get("view", "policy"))


def render_svg(graph: nx.DiGraph, width: float = 1400.0) -> str:
    figure = figure_layout(graph, width)
    style = load_style()
    full_width, height, shown = figure.width, figure.height, figure.graph
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{full_width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {full_width:.0f} {height:.0f}" font-family="Noto Sans CJK SC, sans-serif">',
           f'<rect width="{full_width:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    positions = figure.positions
    for u, v in sorted(shown.edges()):
        (x1, y1), (x2, y2) = positions[u], positions[v]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#c8c8c8" '
                   'stroke-width="0.8"/>')
    for node, data in sorted(shown.nodes(data=True)):
        x, y = positions[node]
        colour = style.colour(data["kind"], data.get("level"))
        title = xml_text(data.get("display") or data.get("label", node))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{figure.radii[node]:.1f}" fill="{colour}" '
                   f'stroke="#555" stroke-width="0.5"><title>{title}</title></circle>')
    for label in figure.labels:
        out.append(f'<text x="{label.x:.1f}" y="{label.y + FONT_SIZE:.1f}" font-size="{FONT_SIZE}" '
                   f'data-kind="{shown.nodes[label.node]["kind"]}">{xml_text(label.text)}</text>')
    left, top, box_width, box_height = figure.legend_box
    out.append(f'<rect x="{left:.0f}" y="{top:.0f}" width="{box_width:.0f}" height="{box_height:.0f}" '
               'fill="#ffffff" stroke="#dddddd"/>')
    for i, (colour, name) in enumerate(figure.legend):
        y = MARGIN + 18 * i
        out.append(f'<circle cx="{left + 14:.0f}" cy="{y:.0f}" r="6" fill="{colour}" stroke="#555"/>')
        out.append(f'<text x="{left + 26:.0f}" y="{y + 4:.0f}" font-size="{LEGEND_FONT}">{xml_text(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(graph: nx.DiGraph) -> list[tuple[str, str]]:
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    levels = {d.get("level") or "unknown" for _, d in graph.nodes(data=True) if d["kind"] == "policy"}
    return [*load_style().legend(kinds, levels), ("#ffffff", "size: money (元)")]


@cache
def _font(size: int):  # -> PIL.ImageFont.FreeTypeFont | None
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return None


def pil_measure(text: str, size: int) -> tuple[float, float]:
    """The drawn size of ``text`` in the PNG's font (its ink box from the drawing origin)."""
    font = _font(size)
    if font is None:
        return estimated_size(text, size)
    _, _, right, bottom = font.getbbox(text)
    return float(right), float(bottom) + 2


def render_png(graph: nx.DiGraph, out: Path, width: float = 1400.0) -> None:
    try:
        from PIL import Image, ImageDraw
    except ImportError as exc:  # Pillow is a dependency; say what to install if it is gone
        raise BudgetKGError(str(out), "PNG output needs Pillow (pip install pillow); or write .svg",
                            code="no-pillow") from exc
    style = load_style()
    font = _font(FONT_SIZE)
    legend_font = _font(LEGEND_FONT)
    figure = figure_layout(graph, width, pil_measure if font is not None else estimated_size)
    shown, positions = figure.graph, figure.positions
    image = Image.new("RGB", (int(figure.width), int(figure.height)), "white")
    draw = ImageDraw.Draw(image)
    for u, v in sorted(shown.edges()):
        draw.line([positions[u], positions[v]], fill="#c8c8c8", width=1)
    for node, data in sorted(shown.nodes(data=True)):
        x, y = positions[node]
        r = figure.radii[node]
        draw.ellipse([x - r, y - r, x + r, y + r], fill=style.colour(data["kind"], data.get("level")),
                     outline="#555555")
    legend = list(figure.legend)
    if font is not None:
        for label in figure.labels:
            draw.text((label.x, label.y), label.text, fill="black", font=font)
    else:
        legend.append(("#ffffff", "(labels need a CJK font)"))
    left, top, box_width, box_height = figure.legend_box
    draw.rectangle([left, top, left + box_width, top + box_height], fill="white", outline="#dddddd")
    for i, (colour, name) in enumerate(legend):
        y = MARGIN + 18 * i
        draw.ellipse([left + 8, y - 6, left + 20, y + 6], fill=colour, outline="#555555")
        draw.text((left + 26, y - 8), name if legend_font is not None else name.encode("ascii", "ignore").decode(),
                  fill="black", font=legend_font)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG", optimize=True)


def write_static_figure(store_dir: str | Path | ox.Store, out_file: str | Path, view: str = "policy",
                        width: float = 1400.0) -> Path:
    """Write ``view`` as ``out_file`` (.svg or .png, by its ending)."""
    out = Path(out_file)
    graph = project_graph(store_dir, view)
    if out.suffix.lower() == ".svg":
        atomic_write_text(out, render_svg(graph, width))
    elif out.suffix.lower() == ".png":
        render_png(graph, out, width)
    else:
        raise BudgetKGError(str(out), "the static figure is written as .svg or .png", code="bad-format")
    return out
