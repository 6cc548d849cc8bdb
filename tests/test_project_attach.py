"""Within one disclosure, a 绩效目标表, its 立项依据 and the townships it names attach to the project of the unit that
runs it: two units of a 部门预算 that print a project of the same name each keep their own (issue: attach by (unit,
name), the name alone only when it is unique in the disclosure). No seed prints two units' same-named projects: the
disclosures are built here, in the national template the xingxian and zezhou seeds print (the 项目支出表 with a 单位名称
column, the 县(区)级 绩效目标表 with 主管部门及代码 and 实施单位)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.rdf.namespaces import BKG, DEFAULT_BASE

PROJECT_ = DEFAULT_BASE + "project/140525/"
CENTER, BRIGADE = "泽州县不动产登记中心", "泽州县自然资源综合执法大队"
POLICY_ = DEFAULT_BASE + "policy/no/"
PLACE_ = DEFAULT_BASE + "place/"
BAGONG, CHUANDI = "140525108", "140525114"  # 巴公镇, 川底镇 (统计用区划代码, kg/data/divisions.tsv.gz)


def project_table(rows: list[tuple[str, str, str]], unit_column: bool = True) -> str:
    """A 项目支出表 of 泽州县自然资源局 in 万元: (unit, project, amount) rows under their 合计."""
    total = sum(Decimal(amount) for _unit, _name, amount in rows)
    head = "单位名称\t项目名称" if unit_column else "项目名称"
    lines = [f"{head}\t合计\t一般公共预算拨款\t政府性基金拨款\t其他资金",
             ("合计\t\t" if unit_column else "合计\t") + f"{total:.2f}\t{total:.2f}\t\t"]
    lines += [(f"{unit}\t" if unit_column else "") + f"{name}\t{amount}\t{amount}\t\t" for unit, name, amount in rows]
    return ("项目支出表\n部门：泽州县自然资源局\t\t\t\t单位：万元\n\t\t\t财政拨款\n" + "\n".join(lines) + "\n\n")


def performance_table(name: str, unit: str, yuan: str, overview: str, basis: str) -> str:
    """One 项目支出绩效目标表 of the zezhou template (amounts in 元)."""
    return (f"泽州县县(区)级预算部门(单位)项目支出绩效目标表\n\n(2025年度)\n\n项目名称\t{name}\t\t\t\t\t\t\n"
            f"主管部门及代码\t080-泽州县自然资源局\t\t\t实施单位\t{unit}\t\t\n"
            "项目属性\t经常性项目\t\t\t项目期\t1年\t\t\n"
            f"项目资金(元)\t实施期资金总额:\t{yuan}\t\t年度资金总额:\t{yuan}\t\t\n"
            f"\t其中:中央财政资金\t0\t\t其中:中央财政资金\t0\t\t\n"
            f"\t省级财政资金\t0\t\t省级财政资金\t0\t\t\n"
            f"\t市县(区)财政资金\t{yuan}\t\t市县(区)财政资金\t{yuan}\t\t\n"
            "\t单位自筹\t0\t\t单位自筹\t0\t\t\n\t其他资金\t\t\t其他资金\t\t\t\n"
            f"项目概况\t{overview}\t\t\t\t\t\t\n立项依据\t{basis}\t\t\t\t\t\t\n"
            "项目设立必要性\t保障单位正常运转。\t\t\t\t\t\t\n保证项目实施的制度、措施\t按照财务制度执行。\t\t\t\t\t\t\n"
            "项目实施计划\t2025年全年。\t\t\t\t\t\t\n实施期目标\t\t\t\t年度目标\t\t\t\n"
            "总体目标\t保障运转。\t\t\t保障运转。\t\t\t\n"
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t二级指标\t三级指标\t指标值\n"
            "\t产出指标\t数量指标\t保障人数\t≥20人\t数量指标\t\t\n"
            "负责人:\t\t经办人:\t\t联系电话:\t\t填报日期:\t20250117\n\n")


CENTER_TABLE = ("日常运转经费", CENTER, "2000000", "用于巴公镇不动产登记服务窗口运转。",
                "《泽州县人民政府关于印发泽州县不动产登记工作实施方案的通知》(泽政发〔2019〕23号)")
BRIGADE_TABLE = ("日常运转经费", BRIGADE, "2000000", "用于川底镇自然资源执法巡查。",
                 "《泽州县人民政府办公室关于加强自然资源执法工作的通知》(泽政办发〔2020〕15号)")


def department_budget(projects: str, tables: list[tuple[str, str, str, str, str]]) -> str:
    return ("泽州县自然资源局2025年部门预算\n\n" + projects
            + "".join(performance_table(*table) for table in tables))


def build(tmp_path: Path, text: str) -> tuple[Graph, list[dict]]:
    from kg.build import build as build_corpus

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "zezhou-department-2025.txt").write_text(text, encoding="utf-8")
    build_corpus([tmp_path / "in"], tmp_path / "out", jobs=1, formats=("nt",), store=False, progress=False)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    notices = [n for document in report["documents"] for n in document["notices"]]
    return Graph().parse(tmp_path / "out" / "graph.nt", format="nt"), notices


def project(unit: str, name: str = "日常运转经费") -> URIRef:
    """The unit's project (bkg:UnitProject) of that name."""
    return URIRef(f"{PROJECT_}{unit}/2025/{name}")


def printed(graph: Graph, unit_project: URIRef) -> URIRef | None:
    """The one disclosure's bkg:Project that prints ``unit_project`` (the graphs here hold one disclosure)."""
    nodes = list(graph.subjects(BKG.unitProject, unit_project))
    assert len(nodes) <= 1, nodes
    return nodes[0] if nodes else None


def targets_overview(graph: Graph, node: URIRef) -> set[str]:
    return {str(text) for target in graph.objects(printed(graph, node), BKG.performanceTarget)
            for text in graph.objects(target, BKG.overview)}


def cited(graph: Graph, node: URIRef) -> set[str]:
    return {str(o).removeprefix(POLICY_) for o in graph.objects(printed(graph, node), BKG.basis)}


def townships(graph: Graph, node: URIRef) -> set[str]:
    return {str(o).removeprefix(PLACE_) for o in graph.objects(printed(graph, node), BKG.township)}


def test_performance_basis_and_townships_follow_the_implementing_unit(tmp_path):
    # the two units print 日常运转经费 at the same 200.00 万元: only the 实施单位 tells the tables apart, and the
    # brigade's table is printed first (the order of the tables is not the order of the unit groups)
    projects = project_table([(CENTER, "日常运转经费", "200.00"), (BRIGADE, "日常运转经费", "200.00")])
    graph, notices = build(tmp_path, department_budget(projects, [BRIGADE_TABLE, CENTER_TABLE]))
    center, brigade = project(CENTER), project(BRIGADE)
    assert targets_overview(graph, center) == {"用于巴公镇不动产登记服务窗口运转。"}
    assert targets_overview(graph, brigade) == {"用于川底镇自然资源执法巡查。"}
    assert cited(graph, center) == {"泽政发〔2019〕23号"}
    assert cited(graph, brigade) == {"泽政办发〔2020〕15号"}
    assert townships(graph, center) == {BAGONG}
    assert townships(graph, brigade) == {CHUANDI}
    # no performance-only project was made up for either table
    labels = [s for s in graph.subjects(RDFS.label, Literal("日常运转经费")) if (s, RDF.type, BKG.Project) in graph]
    assert sorted(map(str, labels)) == sorted([str(printed(graph, center)), str(printed(graph, brigade))])
    assert not [n for n in notices if n["code"] in ("unmatched-performance", "rdf-project-ambiguous")]


def test_the_amount_decides_when_the_tables_name_no_unit(tmp_path):
    # both tables say only the department (实施单位 泽州县自然资源局); the amounts differ
    projects = project_table([(CENTER, "日常运转经费", "350.00"), (BRIGADE, "日常运转经费", "150.00")])
    center_table = (*CENTER_TABLE[:1], "泽州县自然资源局", "3500000", *CENTER_TABLE[3:])
    brigade_table = (*BRIGADE_TABLE[:1], "泽州县自然资源局", "1500000", *BRIGADE_TABLE[3:])
    graph, _ = build(tmp_path, department_budget(projects, [brigade_table, center_table]))
    center, brigade = project(CENTER), project(BRIGADE)
    assert {o.toPython() for o in graph.objects(printed(graph, center), BKG.amount)} == {Decimal("3500000")}
    assert targets_overview(graph, center) == {"用于巴公镇不动产登记服务窗口运转。"}
    assert targets_overview(graph, brigade) == {"用于川底镇自然资源执法巡查。"}
    assert cited(graph, center) == {"泽政发〔2019〕23号"} and cited(graph, brigade) == {"泽政办发〔2020〕15号"}
    assert townships(graph, center) == {BAGONG} and townships(graph, brigade) == {CHUANDI}


def test_a_table_that_cannot_be_told_apart_attaches_to_neither_and_says_so(tmp_path):
    # one table for two same-named projects of equal amounts, naming no unit: which one is it?
    projects = project_table([(CENTER, "日常运转经费", "200.00"), (BRIGADE, "日常运转经费", "200.00")])
    table = (*CENTER_TABLE[:1], "泽州县自然资源局", *CENTER_TABLE[2:])
    graph, notices = build(tmp_path, department_budget(projects, [table]))
    for unit in (CENTER, BRIGADE):
        assert not targets_overview(graph, project(unit))
        assert not cited(graph, project(unit))
        assert not townships(graph, project(unit))
    ambiguous = [n for n in notices if n["code"] == "ambiguous-match"]
    assert ambiguous and ambiguous[0]["line"] == text_line(department_budget(projects, [table]),
                                                             "泽州县县(区)级预算部门(单位)项目支出绩效目标表")


def text_line(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def test_a_unit_printed_without_its_region(tmp_path):
    projects = project_table([(CENTER, "日常运转经费", "200.00"), (BRIGADE, "日常运转经费", "200.00")])
    tables = [(*BRIGADE_TABLE[:1], "自然资源综合执法大队", *BRIGADE_TABLE[2:]),
              (*CENTER_TABLE[:1], "不动产登记中心", *CENTER_TABLE[2:])]
    graph, _ = build(tmp_path, department_budget(projects, tables))
    assert targets_overview(graph, project(CENTER)) == {"用于巴公镇不动产登记服务窗口运转。"}
    assert targets_overview(graph, project(BRIGADE)) == {"用于川底镇自然资源执法巡查。"}


def test_tables_naming_no_unit_of_the_project_table_follow_the_order_of_its_unit_groups(tmp_path):
    # as many tables as rows, equal amounts, each table's 实施单位 one the 项目支出表 does not print (two tables of one
    # name and one 实施单位 would be two printed copies of one table): the center's group is printed first
    projects = project_table([(CENTER, "日常运转经费", "200.00"), (BRIGADE, "日常运转经费", "200.00")])
    tables = [(*CENTER_TABLE[:1], "登记窗口", *CENTER_TABLE[2:]), (*BRIGADE_TABLE[:1], "巡查队", *BRIGADE_TABLE[2:])]
    graph, notices = build(tmp_path, department_budget(projects, tables))
    assert targets_overview(graph, project(CENTER)) == {"用于巴公镇不动产登记服务窗口运转。"}
    assert targets_overview(graph, project(BRIGADE)) == {"用于川底镇自然资源执法巡查。"}
    assert cited(graph, project(BRIGADE)) == {"泽政办发〔2020〕15号"}
    assert [n["code"] for n in notices].count("order-match") == 2


def test_a_unit_printed_under_the_label_yusuan_danwei(tmp_path):
    # another province's template prints the unit as 预算单位 where zezhou prints 实施单位
    projects = project_table([(CENTER, "日常运转经费", "200.00"), (BRIGADE, "日常运转经费", "200.00")])
    text = department_budget(projects, [BRIGADE_TABLE, CENTER_TABLE]).replace("\t实施单位\t", "\t预算单位\t")
    graph, _ = build(tmp_path, text)
    assert targets_overview(graph, project(CENTER)) == {"用于巴公镇不动产登记服务窗口运转。"}
    assert targets_overview(graph, project(BRIGADE)) == {"用于川底镇自然资源执法巡查。"}


def test_a_performance_only_project_is_scoped_by_the_unit_its_implementing_unit_names(tmp_path):
    # the brigade's 执法装备购置 is printed in no 项目支出表 row; its 实施单位 is one of the department's units
    projects = project_table([(CENTER, "日常运转经费", "200.00"), (BRIGADE, "日常运转经费", "200.00")])
    only = ("执法装备购置", BRIGADE, "300000", "用于川底镇执法装备购置。", BRIGADE_TABLE[4])
    graph, _ = build(tmp_path, department_budget(projects, [BRIGADE_TABLE, CENTER_TABLE, only]))
    node = project(BRIGADE, "执法装备购置")
    assert (printed(graph, node), BKG.inBudgetTable, Literal(False)) in graph
    assert set(graph.objects(printed(graph, node), BKG.budgetUnit)) == {URIRef(f"{DEFAULT_BASE}org/140525/{BRIGADE}")}
    assert townships(graph, node) == {CHUANDI}
    # a 实施单位 naming no unit the 项目支出表 prints stays the department's, as before
    other = ("宣传经费", "泽州县自然资源局宣传股", "300000", "用于宣传。", BRIGADE_TABLE[4])
    (tmp_path / "other").mkdir()
    graph, _ = build(tmp_path / "other", department_budget(projects, [other]))
    assert (URIRef(f"{PROJECT_}泽州县自然资源局/2025/宣传经费"), RDF.type, BKG.UnitProject) in graph


def test_a_citation_known_by_name_only_attaches_to_neither_units_project():
    from kg.rdf import BasisCitation, PolicyDocumentRef, build_disclosure
    from kg.records import Disclosure, ProjectRow, SourceDocument, SourceLine, Span

    lines = [SourceLine(n, text, text) for n, text in enumerate(["项目支出表", "x", "y", "z"], 1)]
    source = SourceDocument(path="d.txt", name="d.txt", encoding="utf-8", sha256="0" * 64, lines=lines)
    rows = [ProjectRow("日常运转经费", unit, Decimal(amount), {}, False, "元", Span("d.txt", line, line))
            for unit, amount, line in ((CENTER, "2000000", 2), (BRIGADE, "1500000", 3))]
    disclosure = Disclosure(source=source, title=None, department="泽州县自然资源局", org_code=None, unit_name=None,
                            scope="department", fiscal_year=2025, projects=rows)
    document = PolicyDocumentRef(number="泽政发〔2019〕23号", title=None)
    by_name = BasisCitation("日常运转经费", document, "number", Span("d.txt", 4, 4), "泽政发〔2019〕23号")
    result = build_disclosure(disclosure, citations=[by_name])
    assert not [t for t in result.triples if t[1] == str(BKG.basis)]
    assert [(n.code, n.line) for n in result.notices] == [("rdf-project-ambiguous", 4)]
    # the line of the brigade's row says which
    by_line = BasisCitation("日常运转经费", document, "number", Span("d.txt", 4, 4), "泽政发〔2019〕23号",
                            project_line=3)
    result = build_disclosure(disclosure, citations=[by_line])
    brigade = f"{DEFAULT_BASE}project/{BRIGADE}/2025/日常运转经费"  # no region given here: none in the IRI
    # the brigade's row (line 3) is the disclosure's project …/project/3, which prints the brigade's unit project
    row = f"{DEFAULT_BASE}disclosure/2025/{'0' * 16}/project/3"
    assert {t[0] for t in result.triples if t[1] == str(BKG.basis)} == {row}
    assert (row, str(BKG.unitProject), brigade) in result.triples


def test_a_unit_named_by_the_tables_title(tmp_path):
    # a template whose title names the unit (…中心2025年项目支出绩效目标表) and prints no 实施单位 row
    projects = project_table([(CENTER, "日常运转经费", "200.00"), (BRIGADE, "日常运转经费", "200.00")])
    text = department_budget(projects, [BRIGADE_TABLE, CENTER_TABLE])
    for unit in (BRIGADE, CENTER):
        text = text.replace("泽州县县(区)级预算部门(单位)项目支出绩效目标表\n\n(2025年度)\n\n"
                            "项目名称\t日常运转经费\t\t\t\t\t\t\n"
                            f"主管部门及代码\t080-泽州县自然资源局\t\t\t实施单位\t{unit}\t\t\n",
                            f"{unit}2025年项目支出绩效目标表\n\n项目名称\t日常运转经费\t\t\t\t\t\t\n"
                            "主管部门及代码\t080-泽州县自然资源局\t\t\t\t\t\t\n", 1)
    assert "实施单位" not in text
    graph, _ = build(tmp_path, text)
    assert targets_overview(graph, project(CENTER)) == {"用于巴公镇不动产登记服务窗口运转。"}
    assert targets_overview(graph, project(BRIGADE)) == {"用于川底镇自然资源执法巡查。"}
