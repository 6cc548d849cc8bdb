"""The query library gives the same rows on every engine, and `publish` makes a server hold exactly the build
(issue 16, "Never pass what should fail" and "Never lose or corrupt data").

Real servers on loopback (tests/servers.py): a stock `oxigraph serve` (its default graph is NOT the union of
its graphs), `oxigraph serve --union-default-graph`, and Virtuoso open source (Debian's
virtuoso-opensource, written through its Digest-authenticated Graph Store endpoint). The data is the
samples' build, which holds projects printed without an amount (yangquan 2022 prints no 项目支出表), a
document cited only by such projects and a township named only by one.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from kg.build import build
from kg.cli import main
from kg.query import publish, rdflib_dataset, run_query, trace
from kg.query.remote import EndpointEngine, EndpointError, manifest_graph
from kg.query.store import OxigraphEngine, open_store
from tests.conftest import SAMPLE_FILES, SAMPLES
from tests.servers import Server, oxigraph, virtuoso

SERVER_KINDS = ("oxigraph-stock", "oxigraph-union", "virtuoso")


def start(kind: str, directory: Path):
    if kind == "virtuoso":
        return virtuoso(directory)
    return oxigraph(directory, union=kind == "oxigraph-union")


def disclosure_iri(built: Path, file: str) -> str:
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    return next(d["graph"] for d in report["documents"] if d["file"].endswith(file))


def cases(built: Path) -> list[tuple[str, dict[str, str]]]:
    """Every query, every parameter and every kind of value it takes (name, part of a name, code, IRI)."""
    zezhou_2026 = disclosure_iri(built, SAMPLE_FILES["zezhou2026"])
    return [
        ("code-rollup", {}), ("code-rollup", {"code": "208"}),
        ("code-rollup", {"department": "泽州县自然资源局", "fiscal_year": "2026"}),
        ("code-rollup", {"disclosure": "zezhou-natural-resources-bureau-2026"}),
        ("code-rollup", {"disclosure": zezhou_2026, "code": "2080505"}),
        ("document-projects", {"document": "泽政发[2019]23号"}),
        ("document-projects", {"document": "自然资办函〔2019〕1244号"}),  # cited only by a project without amount
        ("document-projects", {"document": "耕地"}),
        ("document-projects", {"document": "https://w3id.org/budget-kg/id/policy/no/泽政发〔2019〕23号"}),
        ("money-by-issuer-level", {}), ("money-by-issuer-level", {"department": "泽州", "fiscal_year": "2025"}),
        ("money-by-issuer-level", {"disclosure": zezhou_2026}),
        ("project-basis", {"project": "补充耕地指标回购资金"}), ("project-basis", {"project": "阳泉市耕地核查"}),
        ("project-basis", {"project": "耕地"}),
        ("top-documents", {}), ("top-documents", {"disclosure": "zezhou"}), ("top-documents", {"fiscal_year": "2022"}),
        ("township-projects", {}), ("township-projects", {"township": "下村镇"}),
        ("township-projects", {"township": "140521100"}), ("township-projects", {"township": "龙港"}),
        ("unbased-projects", {}), ("unbased-projects", {"department": "阳泉"}),
        ("year-over-year", {}), ("year-over-year", {"match": "泽政发〔2019〕23号"}),
        ("year-over-year", {"department": "泽州"}),
        ("three-public", {}), ("three-public", {"department": "兴县"}), ("three-public", {"disclosure": "qinshui"}),
    ]


@pytest.fixture(scope="module")
def embedded(built: Path) -> OxigraphEngine:
    return OxigraphEngine(open_store(built))


@pytest.fixture(scope="module", params=SERVER_KINDS)
def server(request: pytest.FixtureRequest, built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with start(request.param, tmp_path_factory.mktemp(request.param)) as running:
        report = publish(built, running.query, graph_store=running.store, user=running.user,
                         password=running.password)
        assert not report.failures, report.failures
        yield running


def test_every_query_gives_the_embedded_rows_on_every_server(server: Server, built: Path,
                                                             embedded: OxigraphEngine):
    remote = EndpointEngine(server.query)
    for name, params in cases(built):
        pd.testing.assert_frame_equal(run_query(name, params, store=embedded),
                                      run_query(name, params, store=remote), obj=f"{server.name}: {name} {params}")
    # how it got there: the stock server's default graph is empty, so the published dataset's graphs are named
    assert (remote.default_graphs is not None) == (server.name == "oxigraph (stock)")


def test_rdflib_gives_the_embedded_rows(built: Path, embedded: OxigraphEngine):
    other = rdflib_dataset([built])
    extra = [("township-projects", {"township": "下村镇"}),
             ("document-projects", {"document": "自然资办函〔2019〕1244号"})]
    for name, params in [*cases(built)[::2], *extra]:
        pd.testing.assert_frame_equal(run_query(name, params, store=embedded), run_query(name, params, store=other),
                                      obj=f"rdflib: {name} {params}")


def test_projects_without_amount_keep_their_township_and_document(server: Server, embedded: OxigraphEngine):
    remote = EndpointEngine(server.query)
    for engine in (embedded, remote):
        # zezhou 2026 line 488: the project is built in 下村镇 (and ten other townships); it is printed only in
        # its 绩效目标表, without an amount.
        village = run_query("township-projects", {"township": "下村镇"}, store=engine)
        assert list(village["project_label"]) == ["2021年黄河流域及重点地区历史遗留废弃矿山环境修复治理项目"]
        assert village.iloc[0]["amount"] is pd.NA and village.iloc[0]["township_total"] is pd.NA
        assert village.iloc[0]["township_code"] == "140525101" and village.iloc[0]["township_projects"] == 1
        # yangquan 2022 line 592: 阳泉市耕地核查 cites 自然资办函[2019]1244号; yangquan prints no 项目支出表
        document = run_query("document-projects", {"document": "自然资办函[2019]1244号"}, store=engine)
        assert list(document["project_label"]) == ["阳泉市耕地核查"]
        assert document.iloc[0]["document_projects"] == 1 and document.iloc[0]["document_total"] is pd.NA


def test_a_server_without_union_default_graph_and_without_manifest_says_what_to_change(tmp_path: Path,
                                                                                        built: Path):
    with oxigraph(tmp_path / "db", union=False) as running:
        graph = built / "graphs" / (Path(SAMPLE_FILES["zezhou2025"]).stem + ".nt")
        import urllib.parse
        import urllib.request

        url = f"{running.store}?{urllib.parse.urlencode({'graph': 'https://example.org/g'})}"
        request = urllib.request.Request(url, data=graph.read_bytes(), method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
        urllib.request.urlopen(request, timeout=30).close()  # loaded by hand: no manifest
        with pytest.raises(EndpointError, match="--union-default-graph"):
            run_query("top-documents", store=EndpointEngine(running.query))
    with oxigraph(tmp_path / "empty", union=True) as running, pytest.raises(EndpointError, match="no budget-kg data"):
        run_query("top-documents", store=EndpointEngine(running.query))


# ---- publish: the server holds exactly the build ----


def corrected_copy(folder: Path, amount: str = "1200.00") -> Path:
    """zezhou 2026 with 补充耕地指标回购资金 (line 374, 2000.00 万元) corrected to ``amount``."""
    folder.mkdir(parents=True, exist_ok=True)
    source = SAMPLES / SAMPLE_FILES["zezhou2026"]
    lines = source.read_text(encoding="utf-8").split("\n")
    assert lines[373].startswith("补充耕地指标回购资金\t2000.00\t\t2000.00")
    lines[373] = lines[373].replace("2000.00", amount)
    target = folder / source.name
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


def server_graphs(endpoint: str) -> set[str]:
    _, rows = EndpointEngine(endpoint)._rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {row[0].value for row in rows if row[0] is not None}


@pytest.mark.parametrize("kind", SERVER_KINDS)
def test_republishing_a_corrected_or_removed_disclosure_leaves_exactly_the_build(kind: str, tmp_path: Path,
                                                                                 caplog: pytest.LogCaptureFixture):
    first, second, third, elsewhere = (tmp_path / name for name in ("first", "second", "third", "elsewhere"))
    build([SAMPLES / SAMPLE_FILES["zezhou2025"], SAMPLES / SAMPLE_FILES["zezhou2026"]], first, jobs=1,
          progress=False, formats=())
    corrected = corrected_copy(tmp_path / "corrected")
    build([SAMPLES / SAMPLE_FILES["zezhou2025"], corrected], second, jobs=1, progress=False, formats=())
    build([corrected], third, jobs=1, progress=False, formats=())
    build([SAMPLES / SAMPLE_FILES["qinshui2024"]], elsewhere, jobs=1, progress=False, formats=())
    graphs = {name: {g["iri"] for g in json.loads((folder / "report.json").read_text(encoding="utf-8"))["graphs"]
                     if (folder / g["file"]).stat().st_size}  # a server lists no empty graph
              for name, folder in (("first", first), ("second", second), ("third", third))}
    with start(kind, tmp_path / "server") as running:
        def push(folder: Path, dataset: str | None = None):
            return publish(folder, running.query, graph_store=running.store, user=running.user,
                           password=running.password, dataset=dataset)

        # another dataset on the same server (its own graph names: its shared graph is not ours): never touched
        other = push(elsewhere, dataset="other")
        assert all("/graph/dataset/other/" in graph for graph in other.graphs.values())
        push(first)
        assert "total traced: 30,000,000.00 元 over 2 project(s)" in trace("泽政发〔2019〕23号", endpoint=running.query)
        report = push(second)
        old_2026 = disclosure_iri(first, SAMPLE_FILES["zezhou2026"])
        assert report.removed == [old_2026]
        assert f"removed 1 graph(s) no longer in the build:\n  {old_2026}" in str(report)
        # 10,000,000 (2025) + 12,000,000 (2026 corrected): not 42,000,000 with the old 2026 graph left over
        for engine in (EndpointEngine(running.query), OxigraphEngine(open_store(second))):
            assert "total traced: 22,000,000.00 元 over 2 project(s)" in trace("泽政发〔2019〕23号", store=engine)
        default_manifest = manifest_graph()
        on_server = server_graphs(running.query)
        assert graphs["second"] | {default_manifest} <= on_server and old_2026 not in on_server
        # the disclosure removed from the build leaves the server too; the other dataset stays whole
        report = push(third)
        assert report.removed == [disclosure_iri(second, SAMPLE_FILES["zezhou2025"])]
        on_server = server_graphs(running.query)
        ours = {g for g in on_server if g.startswith("https://w3id.org/budget-kg/")}
        kept = {graph for file, graph in other.graphs.items() if Path(file).stat().st_size}
        assert ours == graphs["third"] | kept | {default_manifest, other.manifest}
        assert other.manifest == manifest_graph(dataset="other") != default_manifest
        qinshui = run_query("money-by-issuer-level", store=EndpointEngine(running.query, dataset="other"))
        assert set(qinshui["department"]) == {"沁水县自然资源局"}


def test_publish_removes_nothing_when_a_graph_was_refused(tmp_path: Path, built: Path):
    with oxigraph(tmp_path / "db", union=True) as running:
        publish(built, running.query)
        before = server_graphs(running.query)
        broken = tmp_path / "broken"
        shutil.copytree(built, broken, ignore=shutil.ignore_patterns("store"))
        next((broken / "graphs").glob("zezhou*.nt")).write_text("<a> <b> .\n", encoding="utf-8")
        report = publish(broken, running.query)
        assert report.failures and not report.removed
        assert "the dataset manifest was not switched" in str(report)
        assert server_graphs(running.query) == before


# ---- publish: credentials ----


def test_password_from_the_environment_and_deprecated_flag(tmp_path: Path, built: Path, capsys,
                                                          monkeypatch: pytest.MonkeyPatch):
    with virtuoso(tmp_path / "virtuoso") as running:
        arguments = ["publish", "--store", str(built), "--endpoint", running.query, "--graph-store", running.store,
                     "--user", "dba"]
        monkeypatch.delenv("BUDGET_KG_PASSWORD", raising=False)
        monkeypatch.setattr("sys.stdin.isatty", lambda: False)
        assert main(arguments) == 2
        assert "BUDGET_KG_PASSWORD" in capsys.readouterr().err
        monkeypatch.setenv("BUDGET_KG_PASSWORD", "dba")  # Virtuoso's Digest authentication, answered
        assert main(arguments) == 0
        out = capsys.readouterr()
        assert "published 8 graph(s)" in out.out and "deprecated" not in out.err
        monkeypatch.setenv("BUDGET_KG_PASSWORD", "wrong")
        assert main(arguments) == 2
        monkeypatch.delenv("BUDGET_KG_PASSWORD")
        assert main([*arguments, "--password", "dba"]) == 0
        assert "--password is deprecated" in capsys.readouterr().err


class _BasicOnlyStore(BaseHTTPRequestHandler):
    """A Graph Store that asks for Basic authentication (what a reverse proxy in front of a server does)."""

    token = "Basic dXNlcjpzZWNyZXQ="  # user:secret
    seen: ClassVar[list[str]] = []

    def _handle(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != self.token:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="graphs"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.seen.append(self.command)
        if self.command == "POST":  # the SPARQL query asking for graphs published without a manifest
            body = b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
        else:
            body = b""
            self.send_response(404 if self.command == "GET" else 204)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_DELETE = do_POST = _handle

    def log_message(self, *args: object) -> None:
        pass


def test_basic_auth_over_plain_http_is_warned_about(built: Path, caplog: pytest.LogCaptureFixture):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _BasicOnlyStore)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_address[1]}"
        with caplog.at_level(logging.WARNING, logger="kg.query.remote"):
            report = publish(built, f"{base}/query", user="user", password="secret")
        assert not report.failures and len(report.graphs) == 8  # five disclosures, shared, links, summaries
        warnings = [r.getMessage() for r in caplog.records if "Basic authentication over plain http" in r.getMessage()]
        assert len(warnings) == 1  # once per server, not once per graph
        assert _BasicOnlyStore.seen.count("PUT") == 9  # eight graphs and the manifest, each sent once
    finally:
        httpd.shutdown()


def test_amounts_on_every_engine_are_exact(server: Server):
    frame = run_query("document-projects", {"document": "泽政发（2019）23号"}, store=EndpointEngine(server.query))
    assert list(frame["amount"]) == [Decimal("10000000"), Decimal("20000000")]
