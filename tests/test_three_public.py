"""“三公”经费 items read from the table printed either way round, into the graph only when they add up,
queried by queries/three-public.rq and checked by shapes/three_public.ttl with both SHACL engines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.entities.three_public import stated_items
from kg.extract import extract_file
from kg.query.run import run_query
from kg.rdf.namespaces import BKG
from kg.validate import load_shapes, validate
from kg.validate.oxigraph_engine import validate_store
from tests.conftest import DEV_CORPUS, SAMPLES
from tests.helpers import dev_document

SHAPES = Path(__file__).resolve().parents[1] / "shapes" / "three_public.ttl"


def _items(path: Path) -> dict[str, Decimal]:
    if not path.exists():
        pytest.skip(f"{path} not present")
    return {figure.item: figure.amount for figure in extract_file(path).three_public}


def test_items_printed_as_rows_with_numbered_labels():
    # 兴县自然资源局 2025: 公务用车购置及运行费 2.00 万元, all of it ②公务用车运行维护费; the blank rows are 0
    items = _items(SAMPLES / "xingxian-natural-resources-bureau-2025.txt")
    two = Decimal("20000.00")
    assert items == {"three_public": two, "outbound_travel": 0, "official_vehicles": two, "vehicle_purchase": 0,
                     "vehicle_operation": two, "official_reception": 0}


def test_items_printed_as_columns_with_meetings_and_training():
    # 江苏省人大常委会办公厅 2017: 合计 2,542.60 万元 is 三公 833.60 + 会议费 1,305.25 + 培训费 403.75
    items = _items(DEV_CORPUS / "text" / "js_npc_office_2017_dept.txt")
    assert items["three_public"] == Decimal("8336000.00")
    assert items["meetings"] == Decimal("13052500.00") and items["training"] == Decimal("4037500.00")
    assert items["vehicle_purchase"] == 0 and items["vehicle_operation"] == Decimal("1836000.00")


def test_a_figure_the_sums_cannot_place_is_placed_by_the_text():
    # 上海市普陀区商务委员会 2025: 合计 1.00 and a 1.00 the sums cannot put under 出国 or 接待; the 说明 says
    # 因公出国（境）费0万元 … 公务接待费1.00万元, so the second 1.00 is 接待
    path = dev_document("sh_putuo_commerce_2025_dept")
    disclosure = extract_file(path)
    items = {figure.item: figure.amount for figure in disclosure.three_public}
    assert items == {"three_public": Decimal("10000.00"), "outbound_travel": 0, "official_vehicles": 0,
                     "vehicle_purchase": 0, "vehicle_operation": 0, "official_reception": Decimal("10000.00")}
    notice = next(n for n in disclosure.notices if n.code == "columns-by-sums")
    assert notice.line == 378 and notice.severity == "info"
    assert "agrees with the items its text states" in notice.message
    assert not any(n.code.startswith("three-public-") and n.severity == "warning" for n in disclosure.notices)


def test_items_the_text_states_otherwise_are_a_warning_at_the_statement():
    # 阳泉市规划和自然资源局 2022: the 说明 says “三公”经费预算 0 万元, the table prints 54.00 (公务用车运行维护费)
    disclosure = extract_file(SAMPLES / "yangquan-planning-natural-resources-bureau-unit-2022.txt")
    assert {f.item: f.amount for f in disclosure.three_public}["three_public"] == Decimal("540000.00")
    warning = next(n for n in disclosure.notices if n.code == "three-public-text-differs")
    assert warning.line == 89 and warning.severity == "warning" and "540000.00" in warning.message


def test_a_final_accounts_text_is_read_for_its_executed_amounts():
    # 上海市普陀区财政局 2024 决算: "年初预算为0.95万元，支出决算为0.00万元 … 公务接待费支出决算为0.00万元"
    path = dev_document("sh_putuo_finance_bureau_2024_final")
    lines = extract_file(path).source.lines
    final = stated_items(lines, final=True)
    assert {item: s.amount for item, s in final.items()} == {
        "outbound_travel": 0, "official_vehicles": 0, "official_reception": 0}
    assert final["official_reception"].line == 663
    # read with a budget's words the 决算 states nothing: its 决算数 are never taken for a budget's figures
    assert stated_items(lines, final=False) == {}


def test_query_gives_one_row_per_disclosure_in_yuan(built):
    frame = run_query("three-public", store=built)
    assert len(frame) == 3  # the two 泽州 tables say 本表无数据
    xingxian = frame[frame["department"] == "兴县自然资源局"].iloc[0]
    assert (xingxian["three_public"], xingxian["vehicle_operation"], xingxian["outbound_travel"]) == (20000, 20000, 0)
    assert frame["meetings"].isna().all()  # Shanxi prints no 会议费 column: empty, not 0
    scoped = run_query("three-public", store=built, department="沁水")
    assert list(scoped["official_reception"]) == [1000]


def _figures(vehicles: str) -> Graph:
    """A disclosure with its 三公 figures, 公务用车 set to ``vehicles`` 元 (购置 0 + 运行 20000)."""
    graph = Graph()
    disclosure = URIRef("https://example.org/disclosure/1")
    graph.add((disclosure, RDF.type, BKG.Disclosure))
    for item, amount in (("ThreePublicTotal", "20000"), ("OutboundTravel", "0"), ("OfficialVehicles", vehicles),
                         ("VehiclePurchase", "0"), ("VehicleOperation", "20000"), ("OfficialReception", "0")):
        node = URIRef(f"{disclosure}/three-public/{item}")
        graph.add((node, BKG.disclosure, disclosure))
        graph.add((node, BKG.threePublicItem, BKG[item]))
        graph.add((node, BKG.amount, Literal(amount, datatype=XSD.decimal)))
        graph.add((node, BKG.printedUnit, Literal("万元")))
    return graph


@pytest.mark.parametrize("vehicles, faulty", [("20000", False), ("30000", True)])
def test_both_engines_check_the_items_add_up(vehicles, faulty):
    graph, shapes = _figures(vehicles), load_shapes(SHAPES)
    store = pyoxigraph.Store()
    store.load(graph.serialize(format="nt").encode(), pyoxigraph.RdfFormat.N_TRIPLES)
    ours = [(i.focus, i.rule, i.value) for i in validate_store(store, shapes=shapes).violations]
    reference = [(i.focus, i.rule, i.value) for i in validate(graph, shapes=shapes).violations]
    assert ours == reference
    # 公务用车 30000 ≠ 购置 0 + 运行 20000, and 三公 20000 ≠ 0 + 30000 + 0: both totals named
    assert sorted(value for _, _, value in ours) == (
        ["https://example.org/disclosure/1/three-public/OfficialVehicles",
         "https://example.org/disclosure/1/three-public/ThreePublicTotal"] if faulty else [])


@pytest.mark.parametrize("form", ["text", "pdf"])
def test_final_accounts_print_the_budget_beside_each_executed_figure(form):
    # 上海市普陀区财政局 2024 决算: 预算数 | 决算数 under each item; 0.95 万元 budgeted (合计, 公务接待费), nothing
    # spent: the 决算数 cells are blank, so every executed item is 0 and the budget is kept as a comparator
    path = dev_document("sh_putuo_finance_bureau_2024_final", form)
    disclosure = extract_file(path)
    table = next(t for t in disclosure.tables if t.kind == "three_public")
    assert table.title == "财政拨款“三公”经费支出决算表"  # not joined to the 人员经费合计 line above it
    row = table.frame.iloc[0]
    assert row["total_budget"] == Decimal("0.95") and row["official_reception_budget"] == Decimal("0.95")
    assert row["total"] is None and row["official_reception"] is None
    assert {f.item: f.amount for f in disclosure.three_public} == {
        "three_public": 0, "outbound_travel": 0, "official_vehicles": 0, "vehicle_purchase": 0,
        "vehicle_operation": 0, "official_reception": 0}


def test_a_header_line_left_without_rows_is_not_read_into_the_next_title():
    # the planted-error copy drops the 三公 row: its "预算数 决算数 …" line stands right above the next title
    path = dev_document("sh_putuo_finance_bureau_2024_final_tampered")
    disclosure = extract_file(path)
    titles = {t.kind: t.title for t in disclosure.tables}
    assert titles["gov_fund_expenditure"] == "政府性基金预算财政拨款收入支出决算表"
    assert any(n.code == "table-without-rows" and n.line == 311 for n in disclosure.notices)


def _placed(items: list[tuple[int, str]]) -> str:
    """One line with each text starting at its character position."""
    line = ""
    for start, text in sorted(items):
        line = line.ljust(start) + text if len(line) < start else f"{line}  {text}"
    return line.rstrip()


def test_final_accounts_with_one_block_per_phase(tmp_path):
    # the ministry's layout: 预算数 over six items, then 决算数 over the same six (a CJK label is two columns
    # wide in pdftotext -layout, so a label centred at c starts at c - len)
    labels = ["合计", "因公出国（境）费", "小计", "公务用车购置费", "公务用车运行费", "公务接待费"]
    right = [12 + 10 * k for k in range(12)]
    centre = [r - 3 for r in right]

    def centred(c: float, text: str) -> tuple[int, str]:
        return max(0, int(c - len(text))), text

    figures = ["12.50", "2.00", "8.00", "0.00", "8.00", "2.50", "11.20", "1.80", "7.90", "", "7.90", "1.50"]
    lines = [
        "某某县某某局2023年度部门决算", "", " " * 24 + "财政拨款“三公”经费支出决算表", " " * 62 + "单位：万元",
        _placed([centred((centre[0] + centre[5]) / 2, "预算数"), centred((centre[6] + centre[11]) / 2, "决算数")]),
        _placed([centred((centre[2] + centre[4]) / 2, "公务用车购置及运行费"),
                 centred((centre[8] + centre[10]) / 2, "公务用车购置及运行费")]),
        _placed([centred(centre[k], labels[k % 6]) for k in (0, 1, 4, 6, 7, 10)]),
        _placed([centred(centre[k], labels[k % 6]) for k in (2, 3, 5, 8, 9, 11)]),
        _placed([(right[k] - 3, "预算数" if k < 6 else "决算数") for k in range(12)]),
        _placed([(right[k] - len(v), v) for k, v in enumerate(figures) if v]),
    ]
    path = tmp_path / "blocked.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    disclosure = extract_file(path)
    row = next(t for t in disclosure.tables if t.kind == "three_public").frame.iloc[0]
    assert row["total_budget"] == Decimal("12.50") and row["official_reception_budget"] == Decimal("2.50")
    assert {f.item: f.amount for f in disclosure.three_public} == {
        "three_public": Decimal("112000.00"), "outbound_travel": Decimal("18000.00"),
        "official_vehicles": Decimal("79000.00"), "vehicle_purchase": 0, "vehicle_operation": Decimal("79000.00"),
        "official_reception": Decimal("15000.00")}


def test_a_table_after_the_three_public_table_is_not_read_into_it():
    # 政府购买服务预算表 follows the 三公 table in many provinces: it is a table of its own, not rows of the 三公 one
    from kg.ingest import source_from_text
    from kg.tables import find_tables

    text = ("“三公”经费支出预算表\n单位：万元\n项目\t预算数\n因公出国（境）费\t1.00\n公务接待费\t2.00\n"
            "公务用车购置及运行费\t0.00\n合计\t3.00\n\n政府购买服务预算表\n单位：万元\n项目名称\t金额\n物业管理服务\t12.00\n")
    tables, _ = find_tables(source_from_text(text, name="t.txt"))
    assert [t.kind for t in tables] == ["three_public", "gov_purchase_services"]
    assert len(tables[0].frame) == 4


def test_final_accounts_with_the_items_as_rows_read_the_executed_column(tmp_path):
    # 项目 | 预算数 | 决算数, the items as rows: the figures are the 决算数, the 预算数 a comparator
    path = tmp_path / "rows.txt"
    path.write_text("某县某局2023年度部门决算\n\n财政拨款“三公”经费支出决算表\n单位：万元\n项目\t预算数\t决算数\n"
                    "因公出国（境）费\t2.00\t1.50\n公务接待费\t3.00\t2.80\n公务用车购置及运行费\t5.00\t4.20\n"
                    "其中：公务用车购置费\t0.00\t0.00\n公务用车运行费\t5.00\t4.20\n合计\t10.00\t8.50\n",
                    encoding="utf-8")
    disclosure = extract_file(path)
    frame = next(t for t in disclosure.tables if t.kind == "three_public").frame
    assert list(frame.columns) == ["line", "last_line", "item", "total_budget", "total"]
    assert {f.item: f.amount for f in disclosure.three_public} == {
        "three_public": Decimal("85000.00"), "outbound_travel": Decimal("15000.00"),
        "official_vehicles": Decimal("42000.00"), "vehicle_purchase": 0, "vehicle_operation": Decimal("42000.00"),
        "official_reception": Decimal("28000.00")}


def test_an_item_the_table_does_not_print_is_not_compared_with_the_text(tmp_path):
    # the table has no 购置 / 运行 rows; the 说明 splits 公务用车 5.00 into 购置 2.00 and 运行 3.00: no warning,
    # while a 公务接待费 the text states otherwise is one
    path = tmp_path / "split.txt"
    path.write_text("某县某局2025年部门预算\n\n“三公”经费支出预算表\n单位：万元\n项目\t预算数\n因公出国（境）费\t1.00\n"
                    "公务接待费\t2.00\n公务用车购置及运行费\t5.00\n合计\t8.00\n\n"
                    "2025年“三公”经费预算8.00万元，其中：因公出国（境）费1.00万元，公务接待费2.50万元，"
                    "公务用车购置费2.00万元，公务用车运行费3.00万元。\n", encoding="utf-8")
    disclosure = extract_file(path)
    differs = [n for n in disclosure.notices if n.code == "three-public-text-differs"]
    assert len(differs) == 1 and "公务接待费 25000.00 元" in differs[0].message
