"""A project's IRI is scoped by the 预算单位 that runs it (docs/iris.md): two units' same-named projects stay two
nodes, and a 部门预算's row and the unit's own 单位预算 name one project (one bkg:UnitProject, which each
disclosure's bkg:Project, with that disclosure's amount, links to)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.rdf.namespaces import BKG, DEFAULT_BASE
from kg.validate import validate_file

ORG_ = "https://w3id.org/budget-kg/id/org/140525/"
PROJECT_ = "https://w3id.org/budget-kg/id/project/140525/"
SUB_ORGANIZATION_OF = URIRef("http://www.w3.org/ns/org#subOrganizationOf")

# 泽州县自然资源局's 部门预算 prints the national 项目支出表 (单位名称 | 项目名称 | …): two of its units each have a
# project named 日常运转经费
DEPARTMENT = ("泽州县自然资源局2025年部门预算\n\n项目支出表\n部门：泽州县自然资源局\t\t\t\t单位：万元\n\t\t\t财政拨款\n"
              "单位名称\t项目名称\t合计\t一般公共预算拨款\t政府性基金拨款\t其他资金\n合计\t\t500.00\t500.00\t\t\n"
              "泽州县不动产登记中心\t日常运转经费\t350.00\t350.00\t\t\n"
              "泽州县自然资源综合执法大队\t日常运转经费\t150.00\t150.00\t\t\n")


def unit_budget(unit: str, amount: str) -> str:
    """A 单位预算 of one of 泽州县自然资源局's units, whose 项目支出表 prints no unit column."""
    return (f"{unit}2025年单位预算\n\n主管部门：泽州县自然资源局\n\n项目支出表\n单位名称：{unit}\t\t\t单位：万元\n"
            f"项目名称\t合计\t一般公共预算拨款\t政府性基金拨款\t其他资金\n合计\t{amount}\t{amount}\t\t\n"
            f"日常运转经费\t{amount}\t{amount}\t\t\n")


def build_graph(tmp_path: Path, documents: dict[str, str]) -> tuple[Graph, Path]:
    from kg.build import build

    (tmp_path / "in").mkdir()
    for name, text in documents.items():
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    build([tmp_path / "in"], tmp_path / "out", jobs=1, formats=("nt",), store=False, progress=False)
    return Graph().parse(tmp_path / "out" / "graph.nt", format="nt"), tmp_path / "out"


def projects_named(graph: Graph, name: str) -> dict[str, URIRef]:
    """The unit projects labelled ``name``, by IRI (without the base)."""
    return {str(p).removeprefix(DEFAULT_BASE): p for p in graph.subjects(RDFS.label, Literal(name))
            if (p, RDF.type, BKG.UnitProject) in graph}


def printings(graph: Graph, unit_project: URIRef) -> list[URIRef]:
    """The disclosures' bkg:Project nodes that print ``unit_project``."""
    return [p for p in graph.subjects(BKG.unitProject, unit_project) if (p, RDF.type, BKG.Project) in graph]


def amounts(graph: Graph, project: URIRef) -> set[Decimal]:
    return {o.toPython() for printed in printings(graph, project) for o in graph.objects(printed, BKG.amount)}


def budget_units(graph: Graph, project: URIRef) -> set[URIRef]:
    return {o for printed in printings(graph, project) for o in graph.objects(printed, BKG.budgetUnit)}


def test_two_units_same_named_projects_stay_two_nodes(tmp_path):
    graph, out = build_graph(tmp_path, {"center.txt": unit_budget("泽州县不动产登记中心", "350.00"),
                                        "brigade.txt": unit_budget("泽州县自然资源综合执法大队", "150.00")})
    projects = projects_named(graph, "日常运转经费")
    assert set(projects) == {"project/140525/泽州县不动产登记中心/2025/日常运转经费",
                             "project/140525/泽州县自然资源综合执法大队/2025/日常运转经费"}
    center = projects["project/140525/泽州县不动产登记中心/2025/日常运转经费"]
    brigade = projects["project/140525/泽州县自然资源综合执法大队/2025/日常运转经费"]
    assert amounts(graph, center) == {Decimal("3500000")} and amounts(graph, brigade) == {Decimal("1500000")}
    # each names the unit that publishes it, a unit of the department
    assert budget_units(graph, center) == {URIRef(ORG_ + "泽州县不动产登记中心")}
    assert (URIRef(ORG_ + "泽州县不动产登记中心"), SUB_ORGANIZATION_OF, URIRef(ORG_ + "泽州县自然资源局")) in graph
    # the summaries and the arithmetic checks: each disclosure's projects are its own
    assert not validate_file(out / "graph.nt", engine="oxigraph").violations


def test_department_row_and_the_units_own_budget_name_one_project(tmp_path):
    graph, out = build_graph(tmp_path, {"department.txt": DEPARTMENT,
                                        "center.txt": unit_budget("泽州县不动产登记中心", "350.00")})
    projects = projects_named(graph, "日常运转经费")
    # the department's two rows: one project per unit (no /L<line>, no rdf-duplicate-project notice) …
    assert set(projects) == {"project/140525/泽州县不动产登记中心/2025/日常运转经费",
                             "project/140525/泽州县自然资源综合执法大队/2025/日常运转经费"}
    center = projects["project/140525/泽州县不动产登记中心/2025/日常运转经费"]
    # … and the center's row is the project its own 单位预算 lists: one unit project, printed by both disclosures,
    # each its own bkg:Project of one disclosure
    assert len({d for printed in printings(graph, center) for d in graph.objects(printed, BKG.disclosure)}) == 2
    assert [len(set(graph.objects(printed, BKG.disclosure))) for printed in printings(graph, center)] == [1, 1]
    assert amounts(graph, center) == {Decimal("3500000")}
    brigade = projects["project/140525/泽州县自然资源综合执法大队/2025/日常运转经费"]
    assert amounts(graph, brigade) == {Decimal("1500000")}
    report = (out / "report.json").read_text(encoding="utf-8")
    assert "rdf-duplicate-project" not in report
    assert not validate_file(out / "graph.nt", engine="oxigraph").violations


@pytest.mark.parametrize("printed", ["本级", "局本级"])
def test_a_unit_named_relative_to_its_department_takes_the_departments_name(tmp_path, printed):
    # "本级" alone would be one organisation (and its projects one) for every department of the county
    text = DEPARTMENT.replace("泽州县不动产登记中心\t", f"{printed}\t")
    graph, _ = build_graph(tmp_path, {"department.txt": text})
    assert set(projects_named(graph, "日常运转经费")) == {
        "project/140525/泽州县自然资源局本级/2025/日常运转经费",
        "project/140525/泽州县自然资源综合执法大队/2025/日常运转经费"}
    unit = URIRef(ORG_ + "泽州县自然资源局本级")
    assert (unit, RDFS.label, Literal("泽州县自然资源局本级")) in graph
    assert (unit, SUB_ORGANIZATION_OF, URIRef(ORG_ + "泽州县自然资源局")) in graph


def test_a_unit_budget_listing_its_projects_under_the_departments_name_keeps_them_the_units(tmp_path):
    # the 项目支出表 of the center's own 单位预算 heads its rows with the department's subtotal row
    text = unit_budget("泽州县不动产登记中心", "350.00").replace(
        "日常运转经费\t", "泽州县自然资源局\t350.00\t350.00\t\t\n日常运转经费\t")
    graph, _ = build_graph(tmp_path, {"center.txt": text})
    project = URIRef(PROJECT_ + "泽州县不动产登记中心/2025/日常运转经费")
    assert set(projects_named(graph, "日常运转经费")) == {str(project).removeprefix(DEFAULT_BASE)}
    assert budget_units(graph, project) == {URIRef(ORG_ + "泽州县不动产登记中心")}
    assert amounts(graph, project) == {Decimal("3500000")}
