"""networkx views, the offline HTML page, the static figure and the analyses, on the seeds' graph and a tiny fixture."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.visualize import analyses, format_analyses, project_graph, render_html, write_static_figure, write_viz
from tests.test_publish import seeds_build  # noqa: F401 - the shared session build

ID = "https://w3id.org/budget-kg/id/"
FIXTURES = Path(__file__).parent / "fixtures" / "visualize"
ZEZHOU_DOC = ID + "policy/no/泽政发〔2019〕23号"


@pytest.fixture(scope="module")
def policy(seeds_build):  # noqa: F811
    return project_graph(seeds_build, "policy")


@pytest.fixture()
def tiny_store() -> ox.Store:
    store = ox.Store()
    # a named graph, as the build loads it: queries read the union of named graphs
    store.load(path=str(FIXTURES / "tiny.nt"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(ID + "g"))
    return store


def test_policy_view_document_to_projects_to_department(policy):
    projects = sorted((policy.nodes[p]["year"], policy.nodes[p]["label"], w)
                      for _, p, w in policy.out_edges(ZEZHOU_DOC, data="weight"))
    # 补充耕地指标回购资金: 1000 万元 in zezhou2025, 2000 万元 in zezhou2026
    assert projects == [(2025, "补充耕地指标回购资金", 10_000_000.0), (2026, "补充耕地指标回购资金", 20_000_000.0)]
    assert policy.nodes[ZEZHOU_DOC]["money"] == 30_000_000.0 and policy.nodes[ZEZHOU_DOC]["level"] == "county"
    for project in policy.successors(ZEZHOU_DOC):
        departments = [policy.nodes[d]["label"] for d in policy.successors(project)]
        assert departments == ["泽州县自然资源局"]
    counts = {kind: sum(1 for _, d in policy.nodes(data=True) if d["kind"] == kind) for kind in ("project", "policy")}
    assert counts["project"] == 155  # every project: 129 项目支出表 rows + 26 only in a 绩效目标表


def test_project_node_details_and_source_line(policy):
    node = ID + "disclosure/2024/da60f45f7ee6469a/project/449"  # qinshui's 2022-2023耕地“进出平衡”方案编制经费
    data = policy.nodes[node]
    assert data["money"] == 341_900.0 and data["details"]["amount"] == "341,900.00 元"
    assert data["sources"][0] == "qinshui-natural-resources-bureau-unit-2024.txt:449"


def test_township_and_code_views(seeds_build):  # noqa: F811
    townships = project_graph(seeds_build, "township")
    liushukou = next(n for n, d in townships.nodes(data=True) if d["label"] == "柳树口镇")
    assert "驻村工作队经费(柳树口镇东南庄村)" in {townships.nodes[p]["label"] for p in townships.successors(liushukou)}
    assert all(d["kind"] in ("township", "project") for _, d in townships.nodes(data=True))
    codes = project_graph(seeds_build, "codes")
    parent, child = ID + "classification/function/2025/20805", ID + "classification/function/2025/2080505"
    assert codes.has_edge(parent, child) and codes.nodes[child]["label"] == "2080505 机关事业单位基本养老保险缴费支出"


def test_html_is_self_contained_and_holds_every_node(seeds_build, tmp_path):  # noqa: F811
    out = tmp_path / "viz.html"
    counts = write_viz(seeds_build, out)
    page = out.read_text(encoding="utf-8")
    assert counts == {"policy": 370, "township": 46, "codes": 146}
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=\"?https?:", page)  # nothing fetched at view time
    assert "The Cytoscape Consortium" in page  # the library is inlined with its licence header
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert len(data["views"]["policy"]["elements"]["nodes"]) == 370


def test_html_survives_script_end_in_a_label(tiny_store):
    graph = project_graph(tiny_store, "policy")
    page = render_html({"policy": graph})
    assert page.count("</script>") == 3  # library, data, page script: the label's own </script> was escaped
    data = json.loads(re.search(r'<script id="graph-data" type="application/json">(.*?)</script>', page, re.S)[1])
    labels = {n["data"]["label"] for n in data["views"]["policy"]["elements"]["nodes"]}
    assert "测绘项目</script><b>x</b>" in labels and "某政发〔2020〕1号" in labels


def test_source_line_of_a_graph_built_before_line_fragments(tiny_store):
    # tiny.nt's span has no RFC 5147 fragment (lines/12-12): its bkg:firstLine gives the line
    graph = project_graph(tiny_store, "policy")
    assert graph.nodes[ID + "project/1/p1"]["sources"] == ["tiny.txt:12"]


def test_static_figure_is_deterministic(tiny_store, tmp_path):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    write_static_figure(tiny_store, first)
    write_static_figure(tiny_store, second)
    assert first.read_bytes() == second.read_bytes()
    svg = first.read_text(encoding="utf-8")
    assert svg.count("<circle") == 4 + 4  # 2 projects, a document, a department; 4 legend entries
    assert "测绘项目&lt;/script&gt;" in svg
    png_a, png_b = tmp_path / "a.png", tmp_path / "b.png"
    write_static_figure(tiny_store, png_a)
    write_static_figure(tiny_store, png_b)
    assert png_a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png_a.read_bytes() == png_b.read_bytes()


def test_analyses_on_the_seeds(seeds_build):  # noqa: F811
    result = analyses(seeds_build)
    shared = {row.get("doc_number") or row.get("doc_title"): row for row in result["shared_documents"]}
    assert shared["中发〔2019〕18号"]["departments"] == 3 and shared["泽政发〔2019〕23号"]["fiscal_years"] == 2
    top = result["top_documents"][0]
    assert top["money_traced"] == 125_000_000
    unbased = {(row["fiscal_year"], row["project_label"]): row for row in result["unbased_projects"]}
    assert unbased[(2025, "山西省晋城市泽州县地质灾害综合治理项目")]["amount"] == 4_865_500
    # a project citing no document is a component on its own
    assert result["components"]["singletons"] == len(result["unbased_projects"])
    assert "Projects without a basis document: " in format_analyses(result)


def test_unknown_view_is_refused(tiny_store):
    with pytest.raises(ValueError, match="unknown view"):
        project_graph(tiny_store, "nope")
