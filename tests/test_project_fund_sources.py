"""A project's money by every source its 项目支出表 prints, not only the national template's five: 财政拨款 as one
figure, 其他资金, the parts of 单位资金 reach the project's fundings in the graph (before, their figures were read
and checked, then dropped), and a group printed beside its parts is kept once, as its parts."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.test_template_variants import _read, _table

BKG = "https://w3id.org/budget-kg/ontology#"


def _projects(header: list[str], rows: list[list[str]]) -> dict[str, dict[str, Decimal]]:
    disclosure = _read("某某局2025年部门预算\n项目支出表\n单位：万元\n" + _table([header, *rows], True))
    return {p.name: p.by_source for p in disclosure.projects}


def test_appropriation_and_other_funds_are_a_projects_sources():
    found = _projects(["项目名称", "合计", "财政拨款", "其他资金"],
                      [["合计", "100.00", "70.00", "30.00"], ["信息化建设", "60.00", "40.00", "20.00"],
                       ["档案数字化", "40.00", "30.00", "10.00"]])
    assert found == {"信息化建设": {"appropriation_income": Decimal(400000), "other_funds": Decimal(200000)},
                     "档案数字化": {"appropriation_income": Decimal(300000), "other_funds": Decimal(100000)}}


def test_a_group_printed_beside_its_parts_is_kept_as_its_parts():
    # 财政拨款 = 一般公共预算 + 政府性基金预算 on each row: the project's fundings are the two parts and 事业收入,
    # which add up to its 合计; 财政拨款 as well would count its money twice
    found = _projects(["项目名称", "合计", "财政拨款", "一般公共预算", "政府性基金预算", "事业收入"],
                      [["合计", "100.00", "80.00", "50.00", "30.00", "20.00"],
                       ["信息化建设", "100.00", "80.00", "50.00", "30.00", "20.00"]])
    assert found == {"信息化建设": {"general_budget": Decimal(500000), "gov_fund": Decimal(300000),
                                    "business_income": Decimal(200000)}}
    assert sum(found["信息化建设"].values()) == Decimal(1000000)


def test_the_parts_of_unit_funds_printed_alone_are_the_sources():
    found = _projects(["项目名称", "预算金额", "财政拨款", "事业收入", "事业单位经营收入", "其他收入",
                       "用事业基金弥补收支差额"],
                      [["合计", "50.00", "10.00", "10.00", "10.00", "10.00", "10.00"],
                       ["设备购置", "50.00", "10.00", "10.00", "10.00", "10.00", "10.00"]])
    assert set(found["设备购置"]) == {"appropriation_income", "business_income", "operating_income", "other_income",
                                      "business_fund_offset"}


@pytest.fixture(scope="module")
def other_funds_build(tmp_path_factory) -> Path:
    from kg.build import build

    root = tmp_path_factory.mktemp("other-funds")
    (root / "in").mkdir()
    rows = [["项目名称", "合计", "财政拨款", "其他资金"], ["合计", "100.00", "70.00", "30.00"],
            ["信息化建设", "60.00", "40.00", "20.00"], ["档案数字化", "40.00", "30.00", "10.00"]]
    text = ("泽州县测试局2025年部门预算\n\n项目支出表\n部门名称：泽州县测试局\n单位：万元\n"
            + "\n".join("\t".join(r) for r in rows) + "\n")
    (root / "in" / "ceshi-2025.txt").write_text(text, encoding="utf-8")
    build([root / "in"], root / "out", formats=("nt",), store=False, progress=False)
    return root / "out"


def test_other_funds_reach_the_graph_as_fundings(other_funds_build):
    from rdflib import Graph, URIRef

    graph = Graph().parse(other_funds_build / "graph.nt")
    fundings = sorted(
        (str(graph.value(f, URIRef(BKG + "project"), None) and graph.value(
            graph.value(f, URIRef(BKG + "project")), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))),
         str(graph.value(f, URIRef(BKG + "fundSource"))).removeprefix(BKG),
         graph.value(f, URIRef(BKG + "amount")).toPython())
        for f in graph.subjects(URIRef(BKG + "fundSource"), None))
    assert fundings == [("信息化建设", "FiscalAppropriation", Decimal(400000)),
                        ("信息化建设", "OtherFunds", Decimal(200000)),
                        ("档案数字化", "FiscalAppropriation", Decimal(300000)),
                        ("档案数字化", "OtherFunds", Decimal(100000))]


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_the_new_sources_are_valid_fund_sources(other_funds_build, engine):
    from kg.validate import validate_file

    report = validate_file(other_funds_build / "graph.nt", engine=engine)
    # before the shapes knew them: "property shape on bkg:fundSource: Value not in list" on each funding
    assert [(i.rule, i.message) for i in report.violations] == []
