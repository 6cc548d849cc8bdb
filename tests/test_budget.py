"""Project rows, expenditure lines and sum checks on the seed disclosures (values read from the files)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.entities.budget import check_sums, expenditure_lines, project_rows
from kg.ingest import source_from_text
from kg.records import SourceDocument
from kg.tables import find_tables


@pytest.fixture(scope="module")
def tables(sources: dict[str, SourceDocument]):
    return {key: find_tables(source)[0] for key, source in sources.items()}


@pytest.fixture(scope="module")
def projects(tables):
    return {key: project_rows(found)[0] for key, found in tables.items()}


@pytest.mark.parametrize(("key", "this_year", "carried_over"), [
    ("qinshui2024", 53, 0), ("zezhou2025", 6, 1), ("xingxian2025", 48, 0), ("zezhou2026", 18, 3),
    ("yangquan2022", 0, 0),  # no 项目支出表 printed
])
def test_project_row_counts(projects, key, this_year, carried_over):
    rows = projects[key]
    assert sum(not p.carried_over for p in rows) == this_year
    assert sum(p.carried_over for p in rows) == carried_over


def by_name(rows, name):
    found = [p for p in rows if p.name == name]
    assert len(found) == 1, name
    return found[0]


def test_zezhou2025_projects_in_yuan(projects):
    rows = projects["zezhou2025"]
    land = by_name(rows, "2025年土地收储经费")
    assert land.total == Decimal("75000000.00")
    assert land.by_source == {"gov_fund": Decimal("75000000.00")}
    assert (land.carried_over, land.printed_unit, land.unit_name) == (False, "万元", "泽州县自然资源局")
    assert land.span.first_line == 389
    hazard = by_name(rows, "山西省晋城市泽州县地质灾害综合治理项目")
    assert hazard.carried_over and hazard.total == Decimal("4865500.00")
    assert hazard.by_source == {"general_budget": Decimal("4865500.00")}


def test_unit_subtotal_rows_are_not_projects(projects):
    for key, unit in [("zezhou2025", "泽州县自然资源局"), ("qinshui2024", "沁水县自然资源局本级"),
                      ("xingxian2025", "兴县自然资源局"), ("zezhou2026", "泽州县自然资源局")]:
        assert all(p.name != unit for p in projects[key]), key
        assert {p.unit_name for p in projects[key]} == {unit}


def test_qinshui_and_zezhou2026_named_projects(projects):
    qinshui = projects["qinshui2024"]
    assert by_name(qinshui, "自主土地开发项目").total == Decimal("43650000.00")
    assert by_name(qinshui, "土地收购成本").by_source == {"gov_fund": Decimal("10000000.00")}
    assert by_name(qinshui, "2022-2023耕地“进出平衡”方案编制经费").total == Decimal("341900.00")
    zezhou = projects["zezhou2026"]
    # a name the PDF wrapped ("及排 测量经费") is re-joined
    assert by_name(zezhou, "矿产资源开发利用水平调查及排测量经费").total == Decimal("1000000.00")
    same_name = [p for p in zezhou if p.name.startswith("泽州县珏椿线")]
    assert sorted(p.total for p in same_name) == [Decimal("5000000.00"), Decimal("6284700.00")]
    assert all(p.carried_over and p.by_source.keys() == {"gov_fund"} for p in same_name)


def test_expenditure_lines_in_yuan(tables):
    lines, notices = expenditure_lines(tables["yangquan2022"])
    assert not notices
    assert len(lines) == 51
    pension = next(x for x in lines if x.code == "2080505")
    assert pension.name == "机关事业单位基本养老保险缴费支出"
    assert (pension.total, pension.basic, pension.project) == (Decimal("2488700.00"), Decimal("2488700.00"), None)
    shifted = next(x for x in lines if x.code == "21202")
    assert shifted.code_as_printed == "212" and shifted.project == Decimal("7332300.00")
    xingxian, _ = expenditure_lines(tables["xingxian2025"])
    medical = next(x for x in xingxian if x.name == "行政事业单位医疗")
    assert (medical.code, medical.code_as_printed, medical.total) == ("21011", "2101", Decimal("401500.00"))
    assert {len(x.code) for x in xingxian} == {3, 5, 7}


def test_sum_checks_find_only_cent_rounding_in_the_seeds(tables):
    for key, found in tables.items():
        notices = check_sums(found)
        assert all(n.code == "rounding" and n.severity == "info" for n in notices), key
    notices = check_sums(tables["zezhou2025"])
    assert any(n.line == 183 and "22001" in n.message and "4222.90" in n.message for n in notices)


ALTERED = """2025年预算支出总表

单位：万元

科目编码\t科目名称\t合计\t基本支出\t项目支出
合计\t\t700.00\t300.00\t400.00
208\t社会保障和就业支出\t700.00\t300.00\t400.00
20805\t行政事业单位养老支出\t700.00\t300.00\t400.00
2080501\t行政单位离退休\t118.60\t118.60\t
2080505\t机关事业单位基本养老保险缴费支出\t500.00\t181.40\t300.00

2025年项目支出预算表（本年预算）

单位：万元

项目名称\t合计\t一般公共预算\t政府性基金预算
泽州县自然资源局\t300.00\t300.00\t
甲项目\t100.00\t100.00\t
乙项目\t150.00\t140.00\t
"""


def test_sum_checks_report_line_and_both_numbers():
    found, _ = find_tables(source_from_text(ALTERED, name="altered.txt"))
    notices = check_sums(found)
    mismatches = {(n.line, n.code) for n in notices}
    assert (8, "sum-mismatch") in mismatches  # 20805: 118.60 + 500.00 ≠ 700.00
    assert (10, "sum-mismatch") in mismatches  # 181.40 + 300.00 ≠ 500.00
    assert (19, "sum-mismatch") in mismatches  # 150.00 ≠ 140.00 from its sources
    assert (17, "sum-mismatch") in mismatches  # unit subtotal 300.00 ≠ 250.00 of its projects
    message = next(n.message for n in notices if n.line == 8 and "total" in n.message)
    assert "700.00" in message and "618.60" in message
    assert all(n.severity == "warning" for n in notices if n.code == "sum-mismatch")


def test_tables_reconcile_with_the_summary_and_a_planted_difference_is_named(sources):
    from kg.entities.budget import reconcile_tables
    from kg.ingest import source_from_text
    from kg.tables import find_tables

    tables, _ = find_tables(sources["zezhou2025"])
    notices, checks = reconcile_tables(tables)
    assert notices == [] and [(c.what, c.agree) for c in checks] == [
        ("收入总表 合计 = 收支总表 收入总计", True), ("支出总表 合计 = 收支总表 支出总计", True)]
    # the same document with the 支出总表's 合计 row misprinted by 1.00 万元
    lines = [line.raw for line in sources["zezhou2025"].lines]
    expenditure = next(t for t in tables if t.kind == "expenditure_summary")
    row = next(r for r in expenditure.frame.to_dict("records") if r.get("name") == "合计")
    number = int(row["line"])
    printed = f"{row['total']:,}" if f"{row['total']:,}" in lines[number - 1] else str(row["total"])
    lines[number - 1] = lines[number - 1].replace(printed, str(row["total"] + 1), 1)
    tampered, _ = find_tables(source_from_text("\n".join(lines), name="tampered.txt"))
    notices, checks = reconcile_tables(tampered)
    assert [c.agree for c in checks] == [True, False]
    assert [(n.code, n.line) for n in notices] == [("tables-disagree", expenditure.span.first_line)]


def test_a_project_table_with_a_basis_column_links_its_documents(tmp_path):
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS

    from kg.build import build

    text = ("某县某局2025年度部门预算公开\n项目支出表\n单位：万元\n项目名称\t立项依据\t合计\t一般公共预算\n"
            "合计\t\t150.00\t150.00\n某县某局\t\t150.00\t150.00\n"
            "耕地保护项目\t某政办发〔2023〕12号\t100.00\t100.00\n地质灾害防治\t《地质灾害防治条例》\t50.00\t50.00\n")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text(text, encoding="utf-8")
    build([tmp_path / "in"], tmp_path / "out", jobs=1, formats=("nt",), store=False, progress=False)
    graph = Graph().parse(tmp_path / "out" / "graph.nt", format="nt")
    basis = URIRef("https://w3id.org/budget-kg/ontology#basis")
    docs = {str(graph.value(p, RDFS.label)): str(d).split("/policy/", 1)[-1] for p, d in graph.subject_objects(basis)}
    assert docs == {"耕地保护项目": "no/某政办发〔2023〕12号", "地质灾害防治": "title/地质灾害防治条例"}


_UNIT_COLUMN_TABS = ("项目支出表\n部门：某某区住房和城乡建设局\t\t\t\t单位：万元\n\t\t\t财政拨款\n"
                     "单位名称\t项目名称\t合计\t一般公共预算拨款\t政府性基金拨款\t其他资金\n"
                     "合计\t\t500.00\t500.00\t\t\n"
                     "某某区市政设施管理所\t城市道路养护经费\t350.00\t350.00\t\t\n"
                     "\t城市照明设施维护经费\t150.00\t150.00\t\t\n")
_UNIT_COLUMN_SPACES = """\
                 项目支出表
部门：某某区住房和城乡建设局                              单位：万元
                                                                 财政拨款
         单位名称                   项目名称               合计          一般公共预算拨款         政府性基金拨款
合计                                                  500.00            500.00
某某区市政设施管理所            城市道路养护经费                      350.00            350.00
                      城市照明设施维护经费                    150.00            150.00
"""


@pytest.mark.parametrize("text", [_UNIT_COLUMN_TABS, _UNIT_COLUMN_SPACES], ids=["tabs", "spaces"])
def test_a_project_table_printing_each_projects_unit_in_a_column(text):
    # the national 项目支出表: 单位名称 | 项目名称 | 合计 | 财政拨款 …, the unit printed once for its projects
    from kg.extract import extract_disclosure
    from kg.ingest import source_from_text

    disclosure = extract_disclosure(source_from_text(text, "projects.txt"))
    assert [(p.name, p.unit_name, p.total, p.by_source) for p in disclosure.projects] == [
        ("城市道路养护经费", "某某区市政设施管理所", Decimal("3500000.00"), {"general_budget": Decimal("3500000.00")}),
        ("城市照明设施维护经费", "某某区市政设施管理所", Decimal("1500000.00"),
         {"general_budget": Decimal("1500000.00")})]
    assert not [n for n in disclosure.notices if n.severity == "warning"]


# a project named like an organisation (…监测站, …服务中心) printed right under the department's row: the table's own
# arithmetic says it is a project (合计 500.00 = 200.00 + 300.00), not a unit's subtotal over the row below it
STATION = """2025年项目支出预算表（本年预算）

部门名称：泽州县自然资源局

单位：万元

项目名称\t合计\t一般公共预算\t政府性基金预算
合计\t500.00\t500.00\t
泽州县自然资源局\t500.00\t500.00\t
地质灾害群测群防监测站\t200.00\t200.00\t
地质灾害防治经费\t300.00\t300.00\t
"""


def test_a_project_named_like_a_unit_is_a_project_when_the_sums_say_so():
    found, _ = find_tables(source_from_text(STATION, name="station.txt"))
    rows, _ = project_rows(found)
    assert [(p.name, p.unit_name, p.total) for p in rows] == [
        ("地质灾害群测群防监测站", "泽州县自然资源局", Decimal("2000000.00")),
        ("地质灾害防治经费", "泽州县自然资源局", Decimal("3000000.00"))]
    assert not [n for n in check_sums(found) if n.code == "sum-mismatch"]
    # under a unit's subtotal row too: the unit's 500.00 is its two projects, the 服务中心 one of them
    service = STATION.replace("地质灾害群测群防监测站", "不动产登记便民服务中心").replace(
        "泽州县自然资源局\t500.00", "泽州县自然资源局\t500.00\t500.00\t\n泽州县不动产登记中心\t500.00")
    found, _ = find_tables(source_from_text(service, name="service.txt"))
    rows, _ = project_rows(found)
    assert [(p.name, p.unit_name) for p in rows] == [("不动产登记便民服务中心", "泽州县不动产登记中心"),
                                                   ("地质灾害防治经费", "泽州县不动产登记中心")]
