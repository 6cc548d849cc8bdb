"""Everything published as HTML or SVG is escaped: checked in a real browser (headless Chromium) on a build of
a disclosure whose title, file name and cited document carry markup and a control character."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

import pytest

from kg.build import build
from kg.publish import export_static_site
from kg.publish.server import LinkedDataApp
from kg.visualize import write_static_figure, write_viz
from tests.conftest import SAMPLES
from tests.test_browser import run_chromium, status

TITLE_ATTACK = "<img src=x onerror=document.body.className='xss'>"
FILE_NAME = "a<img src=x onerror=document.body.classList.add('file')>.txt"
DOCUMENT = "泽州县鼓励和引导民间资本投资开发造地管理办法"
HOSTILE_DOCUMENT = "泽州县鼓励<!--<script>和引导\x01民间资本投资开发造地管理办法"
PROJECT = "补充耕地指标回购资金"
HOSTILE_PROJECT = "补充耕地<!--<script>指标回购资金"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> Path:
    """zezhou 2025 with markup in its cover line (the disclosure's title) and its file name, a project named
    with "<!--<script>", and a cited document whose title holds that and a control character (U+0001)."""
    root = tmp_path_factory.mktemp("hostile")
    lines = (SAMPLES / "zezhou-natural-resources-bureau-2025.txt").read_text(encoding="utf-8").split("\n")
    assert lines[4] == "2025年度部门预算公开"
    lines[4] = TITLE_ATTACK + "泽州县自然资源局2025年度部门预算公开"
    (root / "in").mkdir()
    text = "\n".join(lines).replace(DOCUMENT, HOSTILE_DOCUMENT).replace(PROJECT, HOSTILE_PROJECT)
    (root / "in" / FILE_NAME).write_text(text, encoding="utf-8")
    build([root / "in"], root / "out", jobs=1, formats=("nt",), progress=False)
    return root / "out"


def _body_class(dom: str) -> str:
    match = re.search(r"<body[^>]*?class=\"([^\"]*)\"", dom)
    return match[1] if match else ""


def test_static_site_index_escapes_title_and_file_name(hostile_build, tmp_path):
    site = tmp_path / "site"
    export_static_site(hostile_build, site, formats=("html",))
    dom = run_chromium(tmp_path, "--dump-dom", (site / "index.html").as_uri())
    assert _body_class(dom) == ""  # neither onerror handler ran
    assert "<img" not in dom  # no element was made from the data
    assert "&lt;img src=x onerror=document.body.className='xss'&gt;泽州县自然资源局2025年度部门预算公开" in dom
    assert "a&lt;img src=x onerror=document.body.classList.add('file')&gt;.txt" in dom


def test_server_index_escapes_title_and_file_name(hostile_build, tmp_path):
    app = LinkedDataApp(hostile_build)
    try:
        page = app.index(None).body.decode("utf-8")  # type: ignore[arg-type]
    finally:
        app.close()
    (tmp_path / "index.html").write_text(page, encoding="utf-8")
    dom = run_chromium(tmp_path, "--dump-dom", (tmp_path / "index.html").as_uri())
    assert _body_class(dom) == "" and "<img" not in dom and "&lt;img src=x" in dom


def test_viz_renders_a_label_holding_a_comment_and_script_tag(hostile_build, tmp_path):
    page = tmp_path / "viz.html"
    write_viz(hostile_build, page, view="policy")
    dom = run_chromium(tmp_path, "--dump-dom", page.as_uri() + "#search=" + quote("补充耕地"))
    state = status(dom)
    assert state["rendered"] == "true" and int(state["nodes"]) > 10
    assert state["matches"].split("\u001f") == [HOSTILE_PROJECT]  # the label reached the page as text


def test_svg_figure_is_well_formed_with_a_control_character(tmp_path):
    import networkx as nx

    from kg.visualize.figure import render_svg

    graph = nx.DiGraph()
    graph.add_node("p", kind="project", label="项目\x01<!--<script>&", money=1000.0)
    graph.add_node("d", kind="policy", label="文件\x0b\x1f", money=1000.0, level="county")
    graph.add_edge("p", "d", relation="basis", weight=1000.0)
    figure = tmp_path / "figure.svg"
    figure.write_text(render_svg(graph), encoding="utf-8")
    root = ET.parse(figure).getroot()  # ill-formed XML raises here
    titles = sorted(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}title"))
    assert titles == ["文件\ufffd\ufffd", "项目\ufffd<!--<script>&"]
    dom = run_chromium(tmp_path, "--dump-dom", figure.as_uri())
    assert "parsererror" not in dom and dom.count("<circle") >= 2


def test_svg_figure_of_the_hostile_build_is_well_formed(hostile_build, tmp_path):
    figure = tmp_path / "figure.svg"
    write_static_figure(hostile_build, figure, view="policy")
    titles = [t.text or "" for t in ET.parse(figure).getroot().iter("{http://www.w3.org/2000/svg}title")]
    assert HOSTILE_PROJECT in titles
