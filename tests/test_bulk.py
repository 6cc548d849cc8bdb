"""Bulk paths: a seed build as N-Quads loaded by Virtuoso's bulk loader and by `oxigraph load` gives the
embedded store's rows for every library query (real servers on loopback, started by tests/servers.py)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from kg.bench.run import time_queries_endpoint
from kg.errors import BudgetKGError
from kg.publish.bulk import NQUADS_FILE, count_quads, load_oxigraph, load_virtuoso, write_bulk
from kg.query import load_library, run_query
from tests.servers import oxigraph, oxigraph_binary, virtuoso

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PARAMS = {"project-basis": {"project": "补充耕地指标回购资金"}, "document-projects": {"document": "泽政发[2019]23号"},
          "township-projects": {"township": "龙港镇"}}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.build import build

    out = tmp_path_factory.mktemp("bulk") / "build"
    build(sorted(SAMPLES.glob("*.txt")), out, store=True, progress=False, formats=())
    return out


def test_bulk_files_hold_every_graph_and_the_manifest(build_dir: Path, tmp_path: Path):
    files = write_bulk(build_dir, tmp_path / "bulk")
    report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    triples = sum(len((build_dir / g["file"]).read_text(encoding="utf-8").splitlines()) for g in report["graphs"])
    lines = (tmp_path / "bulk" / NQUADS_FILE).read_text(encoding="utf-8").splitlines()
    manifest = "https://w3id.org/budget-kg/id/graph/manifest"
    assert files.graphs == [g["iri"] for g in report["graphs"]] + [manifest]
    assert len(lines) == files.quads == triples + 3 + len(report["graphs"])  # manifest: 3 + one per graph
    assert lines[0].endswith(f" <{report['graphs'][0]['iri']}> .")
    script = files.scripts["virtuoso"].read_text(encoding="utf-8")
    assert f"SPARQL CLEAR GRAPH <{manifest}>;" in script and "rdf_loader_run();" in script
    assert f"INPUT_FILES = {NQUADS_FILE}" in files.scripts["qlever"].read_text(encoding="utf-8")


def _build_triples(build_dir: Path) -> int:
    report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    return sum(len((build_dir / g["file"]).read_text(encoding="utf-8").splitlines()) for g in report["graphs"])


def test_virtuoso_bulk_loader_gives_the_embedded_rows(build_dir: Path, tmp_path: Path):
    with virtuoso(tmp_path / "virtuoso") as server:
        files = write_bulk(build_dir, tmp_path / "virtuoso" / "bulk")  # inside the server's DirsAllowed
        assert server.sql_port is not None
        graphs = len(json.loads((build_dir / "report.json").read_text(encoding="utf-8"))["graphs"])
        # the quads Virtuoso then holds in the build's graphs: every triple of the build plus the manifest's
        loaded = load_virtuoso(files, server.sql_port, server.user or "dba", server.password or "dba",
                               endpoint=server.query)
        assert loaded == files.quads == _build_triples(build_dir) + 3 + graphs
        assert load_virtuoso(files, server.sql_port, server.user or "dba", server.password or "dba",
                             endpoint=server.query) == loaded  # a re-load replaces, never duplicates
        for name in load_library():
            pd.testing.assert_frame_equal(run_query(name, PARAMS.get(name), store=build_dir),
                                          run_query(name, PARAMS.get(name), endpoint=server.query), obj=name)
        # `budget-kg bench --endpoint` on Virtuoso: the parameters read from the data (MIN of plain strings,
        # which Virtuoso computes; of xsd:string literals it gives none) scope the queries as on the store
        figures = time_queries_endpoint(server.query, 1)
        assert figures["corpus-totals [scoped]"]["rows"] == 1  # 兴县自然资源局, the first department by name
        assert figures["code-rollup [scoped]"]["rows"] == len(run_query(
            "code-rollup", {"disclosure": "qinshui-natural-resources-bureau-unit-2024.txt"}, store=build_dir))
        assert figures["project-basis"]["rows"] == 1  # 2021年-2023年补充耕地入库, the first project by name


def test_virtuoso_bulk_load_errors_are_clear(build_dir: Path, tmp_path: Path):
    with virtuoso(tmp_path / "virtuoso") as server:
        assert server.sql_port is not None
        # not in the server's DirsAllowed (/tmp, where tmp_path is, Virtuoso always allows: its temp folder)
        with tempfile.TemporaryDirectory(dir="/var/tmp") as elsewhere:
            outside = write_bulk(build_dir, elsewhere)
            with pytest.raises(BudgetKGError, match="add it to DirsAllowed"):
                load_virtuoso(outside, server.sql_port, endpoint=server.query)
        files = write_bulk(build_dir, tmp_path / "virtuoso" / "bulk")
        lines = files.nquads.read_text(encoding="utf-8").splitlines(keepends=True)
        lines[100] = lines[100].replace("<", "", 1)  # line 101 loses the < of its subject
        files.nquads.write_text("".join(lines), encoding="utf-8")
        with pytest.raises(BudgetKGError, match=r"NQuads RDF loader, line 101:"):
            load_virtuoso(files, server.sql_port, endpoint=server.query)


def test_oxigraph_load_gives_the_embedded_rows(build_dir: Path, tmp_path: Path):
    files = write_bulk(build_dir, tmp_path / "bulk")
    load_oxigraph(files, tmp_path / "oxigraph", binary=oxigraph_binary())
    with oxigraph(tmp_path / "oxigraph", union=False) as server:
        assert count_quads(server.query, files.graphs) == files.quads == _build_triples(build_dir) + 3 + len(
            files.graphs) - 1  # the manifest: 3 quads plus one per build graph
        for name in load_library():
            pd.testing.assert_frame_equal(run_query(name, PARAMS.get(name), store=build_dir),
                                          run_query(name, PARAMS.get(name), endpoint=server.query), obj=name)
        # `budget-kg bench --endpoint`: every library query timed there, whole-corpus and scoped
        figures = time_queries_endpoint(server.query, 1)
        assert figures["corpus-totals"]["rows"] == 5  # four department-years of the seeds plus yangquan 2022
        assert figures["corpus-totals [scoped]"]["rows"] == 1  # the first department by name: 兴县自然资源局
        assert figures["money-by-issuer-level"]["rows"] == len(run_query("money-by-issuer-level", store=build_dir))
        assert {name.split(" ")[0] for name in figures} == set(load_library())


def test_publish_bulk_on_the_command_line(build_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    from kg.cli import main

    assert main(["publish", str(build_dir), "--bulk", str(tmp_path / "bulk")]) == 0
    assert "budget-kg.nq" in capsys.readouterr().out
    assert (tmp_path / "bulk" / "virtuoso-load.sql").is_file() and (tmp_path / "bulk" / "Qleverfile").is_file()
    assert main(["publish", str(build_dir)]) == 2  # neither --endpoint nor --bulk
    assert "--endpoint URL" in capsys.readouterr().err
