"""A static figure of one view for reports: SVG (written directly) or PNG (Pillow).

Both use the HTML view's deterministic layout, sizes and colours, so the same graph gives the same bytes.
Only the nodes with the most money are labelled (a report figure with 300 labels is unreadable). PNG labels
need a font with Chinese glyphs: the first of CJK_FONTS that exists is used (Debian: fonts-noto-cjk);
without one the PNG is drawn without labels and says so in its legend — the SVG leaves fonts to the viewer.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.report import atomic_write_text
from kg.visualize.layout import layout, load_style, node_sizes
from kg.visualize.project import project_graph

LABELLED = 15
MARGIN = 40.0
LEGEND_WIDTH = 260.0
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


def _labelled(graph: nx.DiGraph) -> list[str]:
    ranked = sorted(graph.nodes(data=True), key=lambda item: (-item[1].get("money", 0.0), item[0]))
    return [node for node, data in ranked[:LABELLED] if data.get("money", 0.0) > 0]


def _frame(graph: nx.DiGraph, width: float) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions scaled to ``width`` pixels (plus margins), and the figure's width and height."""
    positions = layout(graph)
    xs = [x for x, _ in positions.values()] or [0.0]
    ys = [y for _, y in positions.values()] or [0.0]
    span_x = (max(xs) - min(xs)) or 1.0
    scale = (width - 2 * MARGIN) / span_x
    scaled = {n: (MARGIN + (x - min(xs)) * scale, MARGIN + (y - min(ys)) * scale) for n, (x, y) in positions.items()}
    height = 2 * MARGIN + (max(ys) - min(ys)) * scale
    return scaled, width + LEGEND_WIDTH, max(height, 300.0)


def render_svg(graph: nx.DiGraph, width: float = 1400.0) -> str:
    style = load_style()
    positions, full_width, height = _frame(graph, width)
    sizes = node_sizes(graph)
    shrink = min(1.0, width / 2000.0) or 1.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{full_width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {full_width:.0f} {height:.0f}" font-family="Noto Sans CJK SC, sans-serif">',
           f'<rect width="{full_width:.0f}" height="{height:.0f}" fill="#ffffff"/>']
    for u, v in sorted(graph.edges()):
        (x1, y1), (x2, y2) = positions[u], positions[v]
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#c8c8c8" '
                   'stroke-width="0.8"/>')
    for node, data in sorted(graph.nodes(data=True)):
        x, y = positions[node]
        colour = style.colour(data["kind"], data.get("level"))
        title = xml_text(data.get("label", node))
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{sizes[node] * shrink / 2:.1f}" fill="{colour}" '
                   f'stroke="#555" stroke-width="0.5"><title>{title}</title></circle>')
    for node in _labelled(graph):
        x, y = positions[node]
        out.append(f'<text x="{x:.1f}" y="{y + sizes[node] * shrink / 2 + 11:.1f}" font-size="11" '
                   f'text-anchor="middle">{xml_text(str(graph.nodes[node].get("label", node))[:24])}</text>')
    legend_x = full_width - LEGEND_WIDTH + 10
    for i, (colour, name) in enumerate(_legend(graph)):
        y = MARGIN + 18 * i
        out.append(f'<circle cx="{legend_x + 6:.0f}" cy="{y:.0f}" r="6" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 18:.0f}" y="{y + 4:.0f}" font-size="12">{xml_text(name)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _legend(graph: nx.DiGraph) -> list[tuple[str, str]]:
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    levels = {d.get("level") or "unknown" for _, d in graph.nodes(data=True) if d["kind"] == "policy"}
    return [*load_style().legend(kinds, levels), ("#ffffff", "size: money (元)")]


def _font(size: int):  # -> PIL.ImageFont.FreeTypeFont | None
    from PIL import ImageFont

    for path in CJK_FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return None


def render_png(graph: nx.DiGraph, out: Path, width: float = 1400.0) -> None:
    try:
        from PIL import Image, ImageDraw
    except ImportError as exc:  # Pillow is a dependency; say what to install if it is gone
        raise BudgetKGError(str(out), "PNG output needs Pillow (pip install pillow); or write .svg",
                            code="no-pillow") from exc
    style = load_style()
    positions, full_width, height = _frame(graph, width)
    sizes = node_sizes(graph)
    shrink = min(1.0, width / 2000.0)
    image = Image.new("RGB", (int(full_width), int(height)), "white")
    draw = ImageDraw.Draw(image)
    for u, v in sorted(graph.edges()):
        draw.line([positions[u], positions[v]], fill="#c8c8c8", width=1)
    for node, data in sorted(graph.nodes(data=True)):
        x, y = positions[node]
        r = sizes[node] * shrink / 2
        draw.ellipse([x - r, y - r, x + r, y + r], fill=style.colour(data["kind"], data.get("level")),
                     outline="#555555")
    font = _font(12)
    legend = _legend(graph)
    if font is not None:
        for node in _labelled(graph):
            x, y = positions[node]
            draw.text((x, y + sizes[node] * shrink / 2 + 2), str(graph.nodes[node].get("label", node))[:24],
                      fill="black", font=font, anchor="ma")
    else:
        legend.append(("#ffffff", "(labels need a CJK font)"))
    legend_x = full_width - LEGEND_WIDTH + 10
    for i, (colour, name) in enumerate(legend):
        y = MARGIN + 18 * i
        draw.ellipse([legend_x, y - 6, legend_x + 12, y + 6], fill=colour, outline="#555555")
        draw.text((legend_x + 18, y - 7), name if font is not None else name.encode("ascii", "ignore").decode(),
                  fill="black", font=font)
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
