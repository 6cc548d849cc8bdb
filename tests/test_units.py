"""The unit a table prints its amounts in (kg/data/units.toml: 元, 千元, 万元, 亿元): read wherever the template
prints it, converted exactly to 元, kept as bkg:printedUnit, and the printed rounding the checks allow scales with
it (0.01 of the unit: 10 元 for 千元, 100 元 for 万元) in the reader and in shapes/*.ttl alike."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from kg.tables.amounts import UNIT_TO_YUAN, rounding_in_yuan
from kg.validate import DEFAULT_SHAPES_DIR
from tests.test_template_variants import _HEADER, _ROWS, _lines, _read, _table, _warnings

_DATA = Path(__file__).resolve().parent.parent / "kg" / "data" / "units.toml"
_FACTORS = {unit: Decimal(f) for unit, f in tomllib.loads(_DATA.read_text(encoding="utf-8"))["factors"].items()}


def test_the_units_and_factors_are_the_data_files():
    assert UNIT_TO_YUAN == _FACTORS == {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}
    assert (rounding_in_yuan("元"), rounding_in_yuan("千元"), rounding_in_yuan("千元", "万元")) == (
        Decimal("0.01"), Decimal("10.00"), Decimal("100.00"))


def test_the_shapes_know_every_unit_and_its_rounding():
    """Every sh:in of bkg:printedUnit lists the data file's units, and every tolerance the shapes test a unit for
    is 0.01 of it (in 元), each chain testing every unit but 元 (whose 0.01 is the chain's last value)."""
    units_in = []
    tolerances: list[tuple[str, Decimal]] = []
    chains = 0
    for path in sorted(Path(DEFAULT_SHAPES_DIR).glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        units_in += re.findall(r"bkg:printedUnit ;[^\]]*sh:in \(([^)]*)\)", text)
        tolerances += [(u, Decimal(t)) for u, t in re.findall(r'IF\([^=]+ = "([^"]+)", ([0-9.]+), ', text)]
        chains += len(re.findall(r", 0\.01\)+", text))
    assert units_in and {tuple(re.findall(r'"([^"]+)"', listed)) for listed in units_in} == {tuple(_FACTORS)}
    assert tolerances and all(t == Decimal("0.01") * _FACTORS[u] for u, t in tolerances)
    assert sorted(u for u, _ in tolerances) == sorted([u for u in _FACTORS if u != "元"] * chains)


_IN_YUAN = {"千元": Decimal(1000), "亿元": Decimal(100000000)}


@pytest.mark.parametrize("tabs", [False, True])
@pytest.mark.parametrize("preamble", ["单位：千元", "金额单位：千元", "单位：人民币千元", "单位:亿元",
                                      "编制单位：某某局              2025年              单位：千元"])
def test_a_table_in_qian_yuan_or_yi_yuan_is_read_with_its_factor(tabs, preamble):
    # before: "单位：千元" was no unit (unit-missing, the amounts read as 万元: 10x too much)
    disclosure = _read(f"某某局2025年部门预算\n部门支出总表\n{preamble}\n" + _table([_HEADER, *_ROWS], tabs))
    unit = "亿元" if "亿元" in preamble else "千元"
    factor = _IN_YUAN[unit]
    assert [t.unit for t in disclosure.tables] == [unit]
    assert _lines(disclosure) == [
        ("201", 300 * factor, 200 * factor, 100 * factor), ("20101", 300 * factor, 200 * factor, 100 * factor),
        ("2010101", 200 * factor, 200 * factor, None), ("2010102", 100 * factor, None, 100 * factor)]
    assert {x.printed_unit for x in disclosure.expenditure_lines} == {unit}
    assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_qian_yuan_in_the_header_cells_or_beside_the_title(tabs):
    header = ["科目编码", "科目名称", "合计(千元)", "基本支出（千元）", "项目支出(千元)"]
    title = "部门支出总表\t单位：千元" if tabs else "部门支出总表                                  单位：千元"
    for text in (f"某某局2025年部门预算\n部门支出总表\n{_table([header, *_ROWS], tabs)}",
                 f"某某局2025年部门预算\n{title}\n{_table([_HEADER, *_ROWS], tabs)}"):
        disclosure = _read(text)
        assert [(t.title, t.unit) for t in disclosure.tables] == [("部门支出总表", "千元")]
        assert [x.total for x in disclosure.expenditure_lines if x.code == "2010101"] == [Decimal("200000.00")]
        assert _warnings(disclosure) == []


@pytest.mark.parametrize("tabs", [False, True])
def test_a_table_continued_under_xubiao_with_its_unit_again_is_one_table(tabs):
    # "续表" / "单位：千元" over the page it goes on to: before, the unit line was a row (line-without-code)
    text = ("某某局2025年部门预算\n部门支出总表\n单位：千元\n" + _table([_HEADER, *_ROWS[:3]], tabs) + "\n- 3 -\n\n"
            + "续表\n单位：千元\n" + _table([_HEADER, *_ROWS[3:]], tabs))
    disclosure = _read(text)
    assert [(t.kind, t.unit, len(t.frame)) for t in disclosure.tables] == [("expenditure_summary", "千元", 5)]
    assert [x.total for x in disclosure.expenditure_lines if x.code == "2010102"] == [Decimal("100000.00")]
    assert _warnings(disclosure) == []


def test_a_rounding_difference_is_allowed_in_the_units_last_digit():
    # 行政运行 prints 基本支出 200.01 against its 合计 200.00: 0.01 千元, the last printed digit (10 元)
    rows = [list(r) for r in _ROWS]
    rows[3][3] = "200.01"
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：千元\n" + _table([_HEADER, *rows], True))
    assert [n.code for n in disclosure.notices if n.line == 8] == ["rounding"]
    rows[3][3] = "200.02"  # 20 元: more than a 千元 table's rounding (a 万元 table's 0.002 would be less)
    disclosure = _read("某某局2025年部门预算\n部门支出总表\n单位：千元\n" + _table([_HEADER, *rows], True))
    assert [n.code for n in disclosure.notices if n.line == 8] == ["sum-mismatch"]


def _qian_yuan_disclosure(department: str, basic: str) -> str:
    """A small disclosure printed in 千元 whose 行政运行 prints 基本支出 ``basic`` against its 合计 200.00."""
    def rows(cells: list[list[str]]) -> str:
        return "\n".join("\t".join(r) for r in cells) + "\n"

    return (f"{department}2025年部门预算\n\n部门收支总表\n部门名称：{department}\n单位：千元\n" + rows([
        ["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"],
        ["一、一般公共预算拨款收入", "300.00", "一、一般公共服务支出", "300.00"],
        ["本年收入合计", "300.00", "本年支出合计", "300.00"], ["收入总计", "300.00", "支出总计", "300.00"]])
        + f"\n部门支出总表\n部门名称：{department}\n单位：千元\n" + rows([
            _HEADER, ["", "合计", "300.00", "200.00", "100.00"],
            ["201", "一般公共服务支出", "300.00", "200.00", "100.00"],
            ["20101", "人大事务", "300.00", "200.00", "100.00"], ["2010101", "行政运行", "200.00", basic, ""],
            ["2010102", "一般行政管理事务", "100.00", "", "100.00"]])
        + f"\n项目支出表\n部门名称：{department}\n单位：千元\n" + rows([
            ["项目名称", "合计", "一般公共预算", "政府性基金预算"], ["合计", "100.00", "100.00", ""],
            ["信息化建设", "60.00", "60.00", ""], ["档案数字化", "40.00", "40.00", ""]]))


@pytest.fixture(scope="module")
def qian_yuan_build(tmp_path_factory) -> Path:
    from kg.build import build

    root = tmp_path_factory.mktemp("qian-yuan")
    (root / "in").mkdir()
    # one rounding of the last printed digit (10 元), one misprint of two (20 元)
    (root / "in" / "ceshi-2025.txt").write_text(_qian_yuan_disclosure("泽州县测试局", "200.01"), encoding="utf-8")
    (root / "in" / "jiance-2025.txt").write_text(_qian_yuan_disclosure("泽州县监测局", "200.02"), encoding="utf-8")
    build([root / "in"], root / "out", formats=("nt",), store=False, progress=False)
    return root / "out"


def test_a_qian_yuan_table_in_the_graph_is_in_yuan_and_keeps_its_unit(qian_yuan_build):
    from rdflib import Graph, Literal, URIRef

    graph = Graph().parse(qian_yuan_build / "graph.nt")
    bkg = "https://w3id.org/budget-kg/ontology#"
    totals = sorted((str(s).rsplit("/", 1)[-1], o.toPython()) for s, o in graph.subject_objects(URIRef(bkg + "total"))
                    if "/expenditure/" in str(s))
    assert totals[:4] == [("201", Decimal(300000)), ("201", Decimal(300000)), ("20101", Decimal(300000)),
                          ("20101", Decimal(300000))]
    assert ("2010101", Decimal(200000)) in totals
    units = set(graph.objects(None, URIRef(bkg + "printedUnit")))
    assert units == {Literal("千元")}
    amounts = sorted(o.toPython() for s, o in graph.subject_objects(URIRef(bkg + "amount")) if "/project/" in str(s))
    assert amounts == [Decimal(40000), Decimal(40000), Decimal(60000), Decimal(60000)]


@pytest.mark.parametrize("engine", ["pyshacl", "oxigraph"])
def test_a_qian_yuan_graph_is_checked_to_its_units_rounding(qian_yuan_build, engine):
    from kg.validate import validate_file

    report = validate_file(qian_yuan_build / "graph.nt", engine=engine)
    # no violation from the unit (sh:in); 10 元 off is the printed rounding, 20 元 off a misprint
    # (行政运行 on line 19 against its own 合计, 人大事务 on line 18 against its child's 基本支出)
    assert [(i.rule.split(" ")[0], i.source) for i in report.violations] == [
        ("bkgsh:ChildrenSumViolation", "jiance-2025.txt:18"), ("bkgsh:LineSumViolation", "jiance-2025.txt:19")]
    assert [(i.rule.split(" ")[0], i.source) for i in report.warnings] == [
        ("bkgsh:ChildrenSumWarning", "ceshi-2025.txt:18"), ("bkgsh:LineSumWarning", "ceshi-2025.txt:19")]
