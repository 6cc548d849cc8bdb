"""Projects stated in prose (项目经费情况说明 → 立项依据 …), read from the dev corpus in place."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Namespace

from kg.ingest import read_source, source_from_text
from kg.tables.prose import parse_project_statements
from tests.conftest import DEV_CORPUS

BKG = Namespace("https://w3id.org/budget-kg/ontology#")
COMMERCE = DEV_CORPUS / "text" / "sh_putuo_commerce_2025_dept.txt"
FINAL = DEV_CORPUS / "text" / "sh_putuo_finance_bureau_2024_final.txt"


def _needs(path: Path) -> Path:
    if not path.is_file():
        pytest.skip("../shared/dev-corpus not present")
    return path


def test_each_statement_is_a_project_with_its_amount_and_basis_lines():
    statements, notices = parse_project_statements(read_source(_needs(COMMERCE)))
    assert notices == []
    assert [(s.project_name, s.funds["年度"]["total"]) for s in statements] == [
        ("科技创新专项", Decimal("17200000.00")),
        ("生命健康专项(政策资金)", Decimal("11700000.00")),
        ("商业创新专项(政策资金)", Decimal("14100000.00")),
        ("贸易高质量发展专项(政策资金)", Decimal("29210000.00")),
    ]
    first = statements[0]
    assert (first.span.first_line, first.field_spans["basis"].first_line, first.field_spans["basis"].last_line) == (
        414, 418, 420)
    assert first.basis.splitlines()[1] == "2、《普陀区支持科技创新实施意见》(普科合规范〔2023〕3号)。"
    assert first.implementing_unit == "上海市普陀区商务委员会"
    assert {s.form for s in statements} == {"prose"}


def test_an_outline_heading_of_a_table_is_not_a_project():
    text = ("一、收支预算总表情况说明\n  本部门收支预算合计100万元。\n二、立项依据充分的项目共3个。\n"
            "                 科技专项经费情况说明\n 一、项目概述\n   支持科技。\n 二、立项依据：《某某办法》。\n"
            " 三、年度预算安排\n   2025年度项目总预算12.50万元，其中甲10.00万元。\n")
    statements, _ = parse_project_statements(source_from_text(text, name="x.txt"))
    assert [(s.project_name, s.basis, s.funds["年度"]["total"]) for s in statements] == [
        ("科技专项", "《某某办法》。", Decimal("125000.0000"))]


@pytest.fixture(scope="module")
def graph(tmp_path_factory) -> Graph:
    from kg.build import build

    out = tmp_path_factory.mktemp("prose") / "out"
    build([_needs(COMMERCE), _needs(FINAL)], out, jobs=1, formats=("nt",), store=False, progress=False)
    graph = Graph()
    graph.parse(out / "graph.nt", format="nt")
    return graph


def test_prose_projects_in_the_graph_with_stated_amount_and_cited_documents(graph):
    rows = graph.query("""
        PREFIX bkg: <https://w3id.org/budget-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?amount ?number WHERE {
          ?project rdfs:label "科技创新专项" ; bkg:statedAmount ?amount ; bkg:inBudgetTable false ;
                   bkg:basis ?document .
          ?document bkg:docNumber ?number }""")
    assert sorted((row.amount.toPython(), str(row.number)) for row in rows) == [
        (Decimal("17200000.00"), "普投资规范〔2023〕1号"), (Decimal("17200000.00"), "普科合规范〔2023〕3号")]


def test_final_accounts_carry_their_phase(graph):
    phases = {str(graph.value(d, BKG.sourceFile)): graph.value(d, BKG.budgetPhase)
              for d in graph.subjects(BKG.sourceFile, None)}
    assert phases == {"sh_putuo_commerce_2025_dept.txt": BKG.ApprovedBudget,
                      "sh_putuo_finance_bureau_2024_final.txt": BKG.FinalAccounts}
    assert Decimal("29210000") in {o.toPython() for o in graph.objects(None, BKG.statedAmount)}


def test_numbered_project_headings_and_inline_sections():
    text = ("三、项目支出情况\n(一)信息化运维项目\n1.项目概述：保障系统运行。\n"
            "2.立项依据：《某省政务信息化项目管理办法》(某政办发〔2020〕12号)。\n3.项目预算：120.50万元。\n"
            "(二)乡村振兴专项资金\n1.立项依据：\n《关于实施乡村振兴战略的意见》。\n"
            "2.资金安排：安排资金300万元，其中A 100万元。\n四、其他说明\n本部门无其他说明。\n")
    statements, _ = parse_project_statements(source_from_text(text, name="x.txt"))
    assert [(s.project_name, s.funds["年度"]["total"], s.span.first_line, s.span.last_line) for s in statements] == [
        ("信息化运维项目", Decimal("1205000.00"), 2, 5), ("乡村振兴专项资金", Decimal("3000000"), 6, 9)]
    assert statements[1].basis == "《关于实施乡村振兴战略的意见》。"


def test_a_performance_tables_cells_are_not_prose():
    from kg.extract import extract_disclosure
    from tests.conftest import SAMPLES

    disclosure = extract_disclosure(read_source(SAMPLES / "xingxian-natural-resources-bureau-2025.txt"))
    assert [t.project_name for t in disclosure.performance if t.form == "prose"] == []
    assert not [n for n in disclosure.notices if n.code == "stage-failed"]
