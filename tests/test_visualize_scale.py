"""Views that stay readable as the corpus grows: aggregation, labels that tell nodes apart, the static figure's
labels and legend inside the image, and (headless Chromium) 100 synthetic disclosures drawn with labels."""

from __future__ import annotations

import html
import importlib.util
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.visualize import project_graph, write_viz
from kg.visualize.figure import figure_layout, pil_measure
from kg.visualize.scale import DETAIL_PROJECTS, display_graph
from tests.test_browser import run_chromium
from tests.test_publish import seeds_build  # noqa: F401 - the shared session build

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/budget-kg/id/"
SYNTHETIC_DISCLOSURES = 100


def synthetic_store(directory: Path, disclosures: int) -> ox.Store:
    """scripts/synthetic_graph.py's graph: two disclosures per department, 20 projects each."""
    spec = importlib.util.spec_from_file_location("synthetic_graph", ROOT / "scripts" / "synthetic_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(directory, disclosures * 20, disclosures * 3, disclosures // 2, 2, 7)
    store = ox.Store()
    for path in sorted((directory / "graphs").glob("*.nt")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(ID + path.stem))
    return store


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> ox.Store:
    return synthetic_store(tmp_path_factory.mktemp("synthetic"), SYNTHETIC_DISCLOSURES)


def test_policy_view_aggregates_departments_to_documents_at_scale(synthetic):
    full = project_graph(synthetic, "policy")
    projects = sum(1 for _, d in full.nodes(data=True) if d["kind"] == "project")
    assert projects == 2000 > DETAIL_PROJECTS
    shown = display_graph(full, "policy")
    kinds = {d["kind"] for _, d in shown.nodes(data=True)}
    assert kinds == {"department", "policy"}
    assert sum(1 for _, d in shown.nodes(data=True) if d["kind"] == "department") == 50
    assert sum(1 for _, d in shown.nodes(data=True) if d["kind"] == "policy") == 150  # the top documents
    # an edge carries the money of the department's projects citing the document, split by year
    document, department, data = max(shown.edges(data=True), key=lambda e: e[2]["weight"])
    cited = [p for p in full.successors(document) if full.nodes[p]["department"] == department]
    assert data["weight"] == pytest.approx(sum(full.nodes[p]["money"] for p in cited))
    assert sum(data["years"].values()) == pytest.approx(data["weight"]) and set(data["years"]) <= {2022, 2023}
    assert not [n for n in shown if shown.degree(n) == 0 and shown.nodes[n]["kind"] == "policy"]


def test_same_code_in_each_year_is_told_apart(seeds_build):  # noqa: F811
    shown = display_graph(project_graph(seeds_build, "codes"), "codes")
    labels = sorted(d["display"] for _, d in shown.nodes(data=True) if d["label"].startswith("2080505 "))
    assert labels == [f"2080505 机关事业单位基本养老保险缴费支出 · {year}" for year in (2022, 2024, 2025, 2026)]
    policy = display_graph(project_graph(seeds_build, "policy"), "policy")
    repeats = sorted(d["display"] for _, d in policy.nodes(data=True) if d["label"] == "补充耕地指标回购资金")
    assert repeats == ["补充耕地指标回购资金 · 2025", "补充耕地指标回购资金 · 2026"]


def test_static_figure_labels_inside_and_every_department_labelled(seeds_build):  # noqa: F811
    graph = project_graph(seeds_build, "policy")
    figure = figure_layout(graph, 1400.0, pil_measure)
    departments = {n for n, d in figure.graph.nodes(data=True) if d["kind"] == "department"}
    labelled = {label.node for label in figure.labels}
    assert len(departments) == 4 and departments <= labelled  # 泽州 publishes two years
    assert {"泽州县自然资源局", "沁水县自然资源局", "兴县自然资源局", "阳泉市规划和自然资源局"} <= {
        label.text for label in figure.labels}
    for label in figure.labels:
        assert label.x >= 0 and label.x + label.width <= figure.width, label
        assert label.y >= 0 and label.y + label.height <= figure.height, label
    for i, first in enumerate(figure.labels):
        assert not any(first.overlaps(other) for other in figure.labels[i + 1:]), first
    left, top, width, height = figure.legend_box
    assert left >= 0 and left + width <= figure.width and top >= 0 and top + height <= figure.height
    widest = max(pil_measure(name, 12)[0] for _, name in figure.legend)
    assert left + 26 + widest <= figure.width  # the longest legend entry ends inside the image


def test_synthetic_viz_draws_labelled_nodes_in_chromium(synthetic, tmp_path):
    page = tmp_path / "viz.html"
    write_viz(synthetic, page, view="policy")
    dom = run_chromium(tmp_path, "--window-size=1400,900", "--dump-dom", page.as_uri())
    tag = re.search(r'<span id="status"[^>]*>', dom)
    assert tag, "the page script did not run"
    state = {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', tag[0])}
    assert state["rendered"] == "true" and state["nodes"] == "200"
    labels = state["labels"].split("\u001f")
    assert 20 <= len(labels) <= 120 and "合成县" in "".join(labels) and "关于合成事项" in "".join(labels)
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>',
                                page.read_text(encoding="utf-8"), re.S)[1])
    best = min(data["views"]["policy"]["elements"]["nodes"], key=lambda n: n["data"]["rank"])
    assert best["data"]["label"] in labels  # the node with the most money is labelled
    shot = tmp_path / "viz.png"
    run_chromium(tmp_path, "--window-size=1400,900", f"--screenshot={shot}", page.as_uri())
    from PIL import Image

    with Image.open(shot) as image:
        canvas = image.convert("RGB").crop((0, 50, 1050, 900))  # the graph's area, without bar and side panel
        colours = dict((colour, count) for count, colour in canvas.getcolors(maxcolors=1 << 22) or [])
    department_green = colours.get((0x59, 0xA1, 0x4F), 0)
    dark_text = sum(count for colour, count in colours.items() if max(colour) < 60)
    assert department_green > 500 and dark_text > 2000  # nodes drawn and labels written, not a blank canvas


def test_filters_by_year_hide_other_years(synthetic, tmp_path):
    page = tmp_path / "viz.html"
    write_viz(synthetic, page, view="policy")
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri() + "#year=2023&level=central")
    state = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', re.search(r'<span id="status"[^>]*>', dom)[0]))
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>',
                                page.read_text(encoding="utf-8"), re.S)[1])
    nodes = [n["data"] for n in data["views"]["policy"]["elements"]["nodes"]]
    central = [n for n in nodes if n["kind"] == "policy" and n["level"] == "central" and 2023 in n["years"]]
    assert 0 < int(state["shown"]) < len(nodes) and int(state["shown"]) >= len(central)
