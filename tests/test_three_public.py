"""“三公”经费 items read from the table printed either way round, into the graph only when they add up,
queried by queries/three-public.rq and checked by shapes/three_public.ttl with both SHACL engines."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.extract import extract_file
from kg.query.run import run_query
from kg.rdf.namespaces import BKG
from kg.validate import load_shapes, validate
from kg.validate.oxigraph_engine import validate_store
from tests.conftest import DEV_CORPUS, SAMPLES

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


def test_a_table_whose_columns_cannot_be_placed_is_a_warning_not_a_figure():
    # 上海市普陀区商务委员会 2025: 合计 1.00 and a 1.00 the sums cannot put under 出国 or 接待
    path = DEV_CORPUS / "text" / "sh_putuo_commerce_2025_dept.txt"
    if not path.exists():
        pytest.skip("../shared/dev-corpus not present")
    disclosure = extract_file(path)
    assert disclosure.three_public == []
    warning = next(n for n in disclosure.notices if n.code == "three-public-unread")
    assert warning.line == 378 and warning.severity == "warning"


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
