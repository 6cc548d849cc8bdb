"""`budget-kg build` on the sample corpus: the graph's real values, determinism, atomic and idempotent output."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg import build as build_module
from kg.build import build
from tests.conftest import SAMPLE_FILES, SAMPLES
from tests.helpers import CONTRACT_CLASSES, CONTRACT_PROPERTIES

BKG = "https://w3id.org/budget-kg/ontology#"
PREFIXES = f"""PREFIX bkg: <{BKG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dct: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="session")
def store(built) -> ox.Store:
    return ox.Store.read_only(str(built / "store"))


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    results = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return [{v.value: row[v].value for v in results.variables if row[v] is not None} for row in results]


def test_outputs_written(built):
    assert {p.name for p in built.iterdir()} >= {"graph.ttl", "graph.nt", "report.json", "summary.txt", "store",
                                                  "graphs"}
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    files = {Path(d["file"]).name for d in report["documents"]}
    assert set(SAMPLE_FILES.values()) <= files
    # every named graph is listed with its IRI, and they are exactly the store's graphs
    listed = {g["iri"] for g in report["graphs"]}
    assert "https://w3id.org/budget-kg/id/graph/shared" in listed
    assert listed == {str(g.value) for g in ox.Store.read_only(str(built / "store")).named_graphs()}
    assert all((built / g["file"]).exists() for g in report["graphs"])
    zez = next(d for d in report["documents"] if d["file"].endswith(SAMPLE_FILES["zezhou2025"]))
    assert (zez["region"], zez["region_code"]) == ("山西省晋城市泽州县", "140525")


def test_projects_citing_a_county_document_across_years(store):
    rows = select(store, """
        SELECT ?year ?name ?amount WHERE {
          ?doc bkg:docNumber "泽政发〔2019〕23号" .
          ?project bkg:basis ?doc ; rdfs:label ?name ; bkg:amount ?amount ; bkg:fiscalYear ?year .
        } ORDER BY ?year""")
    assert [(r["year"], r["name"], Decimal(r["amount"])) for r in rows] == [
        ("2025", "补充耕地指标回购资金", Decimal("10000000")),
        ("2026", "补充耕地指标回购资金", Decimal("20000000")),
    ]


def test_expenditure_line_amounts_in_yuan_and_code_hierarchy(store):
    rows = select(store, """
        SELECT ?total ?basic ?parent WHERE {
          ?line a bkg:ExpenditureLine ; bkg:functionCode ?code ; bkg:total ?total ; bkg:basicExpenditure ?basic ;
                bkg:disclosure ?d .
          ?d bkg:fiscalYear 2025 ; bkg:sourceFile "zezhou-natural-resources-bureau-2025.txt" .
          ?code skos:notation "2080505" ; skos:broader ?broader .
          ?broader skos:notation ?parent .
        }""")
    assert rows == [{"total": "3662100", "basic": "3662100", "parent": "20805"}]


def test_carried_over_project(store):
    rows = select(store, """
        SELECT ?amount WHERE { ?p a bkg:Project ; rdfs:label "山西省晋城市泽州县地质灾害综合治理项目" ;
                               bkg:fiscalYear 2025 ; bkg:carriedOver true ; bkg:amount ?amount }""")
    assert [Decimal(r["amount"]) for r in rows] == [Decimal("4865500")]


def test_project_linked_to_its_township(store):
    rows = select(store, """
        SELECT ?code ?name WHERE {
          ?p a bkg:Project ; rdfs:label "驻村工作队经费(柳树口镇东南庄村)" ; bkg:township ?t .
          ?t skos:notation ?code ; rdfs:label ?name }""")
    assert rows == [{"code": "140525112", "name": "柳树口镇"}]


def test_every_contract_term_is_used_by_the_data(store):
    for cls in CONTRACT_CLASSES:
        assert bool(store.query(f"ASK {{ ?s a <{BKG}{cls}> }}", use_default_graph_as_union=True)), cls
    for prop in CONTRACT_PROPERTIES:
        assert bool(store.query(f"ASK {{ ?s <{BKG}{prop}> ?o }}", use_default_graph_as_union=True)), prop


def test_turtle_and_ntriples_hold_the_same_graph(built):
    nt_lines = (built / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert len(nt_lines) == len(set(nt_lines))
    # graph.nt is the named graphs one after the other, in report order, each sorted
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    parts = [(built / graph["file"]).read_text(encoding="utf-8").splitlines() for graph in report["graphs"]]
    assert nt_lines == [line for part in parts for line in part]
    assert all(part == sorted(part) for part in parts)
    turtle = Graph(store="Oxigraph")
    turtle.parse(built / "graph.ttl", format="ox-turtle")
    assert len(turtle) == len(nt_lines)


def test_rebuild_is_byte_identical_and_same_file_twice_adds_nothing(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    for name in SAMPLE_FILES.values():
        shutil.copy(SAMPLES / name, texts / name)
    once = build([texts], tmp_path / "once", formats=("nt",), jobs=2, progress=False, store=False)
    shutil.copy(SAMPLES / SAMPLE_FILES["zezhou2025"], texts / "zz-copy-of-zezhou.txt")
    twice = build([texts, texts / SAMPLE_FILES["zezhou2026"]], tmp_path / "twice", formats=("nt",), jobs=1,
                  progress=False, store=False)
    assert any(n.code == "duplicate-content" for n in twice.notices)
    assert any(n.code == "duplicate-input" for n in twice.notices)
    assert (tmp_path / "once" / "graph.nt").read_bytes() == (tmp_path / "twice" / "graph.nt").read_bytes()
    assert once.counts == twice.counts


def test_interrupted_build_leaves_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build([SAMPLES / SAMPLE_FILES["zezhou2025"]], out, formats=("nt",), jobs=1, progress=False, store=False)
    before = (out / "graph.nt").read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_turtle", crash)
    with pytest.raises(KeyboardInterrupt):
        build([SAMPLES / SAMPLE_FILES["zezhou2026"]], out, formats=("ttl", "nt"), jobs=1, progress=False,
              store=False)
    assert (out / "graph.nt").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]
    # and re-running over the same directory gives the same bytes
    build([SAMPLES / SAMPLE_FILES["zezhou2025"]], out, formats=("nt",), jobs=1, progress=False, store=False)
    assert (out / "graph.nt").read_bytes() == before


def test_a_failed_turtle_written_while_the_store_loads_fails_the_build(tmp_path, monkeypatch):
    # graph.ttl is written on another thread while the store loads: its error is the build's, and the
    # previous output stays
    out = tmp_path / "out"
    build([SAMPLES / SAMPLE_FILES["zezhou2025"]], out, formats=("nt",), jobs=1, progress=False, store=False)
    before = (out / "graph.nt").read_bytes()

    def fail(nt_path: Path, ttl_path: Path) -> None:
        raise OSError(f"no space left for {ttl_path.name}")

    monkeypatch.setattr(build_module, "write_turtle", fail)
    with pytest.raises(OSError, match=r"no space left for graph\.ttl"):
        build([SAMPLES / SAMPLE_FILES["zezhou2026"]], out, formats=("ttl", "nt"), jobs=1, progress=False)
    assert (out / "graph.nt").read_bytes() == before
    assert not (out / "store").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]


def test_seed_graph_conforms_with_only_the_documents_rounding(built):
    from kg.validate import validate_file

    report = validate_file(built / "graph.nt")
    assert report.violations == []
    # the 0.01 万元 rounding the documents really print, each reported with its line
    assert report.warnings and all(w.source for w in report.warnings)
    row_rules = [w for w in report.warnings if "ChildrenSum" in w.rule or "LineSum" in w.rule]
    assert row_rules and all(":" in w.source for w in row_rules)  # row-level rules name their line
    assert any(w.source == "zezhou-natural-resources-bureau-2026.txt:160" and "21011" in w.message
               for w in report.warnings)


def test_project_known_only_from_its_performance_table_keeps_its_basis(store):
    # yangquan 2022 prints no 项目支出表: its 19 projects come from their 绩效目标表, without amount
    rows = select(store, """
        SELECT ?number ?in_table WHERE {
          ?p a bkg:Project ; rdfs:label "阳泉市耕地核查" ; bkg:fiscalYear 2022 ; bkg:inBudgetTable ?in_table ;
             bkg:basis ?doc .
          FILTER NOT EXISTS { ?p bkg:amount ?amount }
          ?doc bkg:docNumber ?number }""")
    # line 592 cites four documents, two of them by number (in [] brackets, normalised to 〔〕)
    assert {(r["number"], r["in_table"]) for r in rows} == {("自然资办函〔2019〕1244号", "false"),
                                                           ("阳政办发〔2018〕102号", "false")}


def test_store_loaded_in_parts_holds_every_quad_of_the_graphs(built, tmp_path):
    # the store is bulk-loaded in parts (bounded loader memory); 1,000 quads a part cuts the samples' graphs
    # into dozens of loads, inside graph files too, and the store must hold exactly the quads of one load
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    graphs = [(g["iri"], built / g["file"]) for g in report["graphs"]]
    build_module.write_store(tmp_path / "store", graphs, tmp_path, part_quads=1000)
    parts = ox.Store.read_only(str(tmp_path / "store"))
    whole = ox.Store.read_only(str(built / "store"))
    assert len(parts) == len(whole) == report["counts"]["triples"]
    assert set(parts) == set(whole)
    assert not (tmp_path / "store-load.nq").exists()
