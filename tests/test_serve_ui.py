"""The server's pages for people: the query editor, HTML results, canned queries, the dataset description and
its dumps; and, in headless Chromium, the editor offline and a canned query shown in the browser."""

from __future__ import annotations

import json
import re
import threading
import urllib.parse
from decimal import Decimal

import pytest
from rdflib import Graph, URIRef

from kg.publish import make_server
from kg.publish.query_ui import result_label
from kg.rdf.namespaces import PREFIXES
from kg.rdf.uris import Minter
from tests.test_browser import FLAGS, chromium
from tests.test_publish import BKG, QINSHUI_PROJECT, seeds_build  # noqa: F401 - the shared session build
from tests.test_serve import fetch

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
PROJECT_NAME = "2022-2023耕地“进出平衡”方案编制经费"  # qinshui 2024, 341,900 元, basis 晋自然资发〔2023〕7号
AMOUNT_QUERY = f"SELECT ?amount WHERE {{ <{QINSHUI_PROJECT}> bkg:amount ?amount }}"


@pytest.fixture(scope="module")
def server(seeds_build):  # noqa: F811
    httpd = make_server(seeds_build, port=0, timeout=10.0, max_rows=50)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def with_prefixes(query: str) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items()) + query


def test_editor_page_declares_the_prefixes_and_loads_yasgui_locally(server):
    status, headers, body = fetch(server + "/sparql", BROWSER_ACCEPT)
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<script src=\"/vendor/yasgui.min.js\"></script>" in page
    for prefix in ("bkg", "skos", "dct", "prov", "org", "qb", "obeu-dimension", "cito", "eli"):
        assert f"PREFIX {prefix}: <{PREFIXES[prefix]}>" in html_unescape_json(page)
    status, headers, script = fetch(server + "/vendor/yasgui.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and b"Yasgui" in script
    assert fetch(server + "/vendor/LICENSE-yasgui")[2].startswith(b"yasgui.min.js and yasgui.min.css")
    assert fetch(server + "/vendor/../report.json")[0] == 404


def html_unescape_json(page: str) -> str:
    config = re.search(r'<script id="yasgui-config" type="application/json">(.*?)</script>', page, re.S)
    assert config, "the editor's configuration is missing"
    return json.loads(config[1])["query"]


def test_browser_form_gets_an_html_table_and_clients_keep_their_formats(server):
    form = urllib.parse.urlencode({"query": with_prefixes(AMOUNT_QUERY)}).encode()
    status, headers, body = fetch(server + "/sparql", BROWSER_ACCEPT, form, "application/x-www-form-urlencoded")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert re.search(r"<td>341900</td>", page) and "<p>1 rows.</p>" in page
    csv_link = re.search(r"href='(/sparql\?[^']*format=csv)'", page)
    assert csv_link, "the page links the result as CSV"
    status, headers, csv = fetch(server + csv_link[1].replace("&amp;", "&"))
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert csv.decode("utf-8").splitlines() == ["amount", "341900"]
    # a SPARQL client (no text/html, or only */*) still gets the result format it asks for
    status, headers, body = fetch(server + "/sparql", "application/sparql-results+xml", form,
                                  "application/x-www-form-urlencoded")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml" and b"341900" in body
    status, headers, body = fetch(server + "/sparql", "*/*", form, "application/x-www-form-urlencoded")
    assert headers["Content-Type"] == "application/sparql-results+json"
    assert fetch(server + "/sparql?format=pdf&query=ASK%7B%7D")[0] == 400


def test_html_results_name_our_entities_readably(server):
    # a unit's project by its name, a document by its 文号 (decoded), what a disclosure prints by its kind and line
    # ("performance/<line>"), the disclosure's project by its name and its key (before: "project/449" alone)
    query = (f"SELECT ?project ?unit ?target ?document WHERE {{ BIND (<{QINSHUI_PROJECT}> AS ?project) "
             f"?project bkg:unitProject ?unit ; bkg:performanceTarget ?target ; bkg:basis ?document }}")
    form = urllib.parse.urlencode({"query": with_prefixes(query)}).encode()
    status, _, body = fetch(server + "/sparql", BROWSER_ACCEPT, form, "application/x-www-form-urlencoded")
    page = body.decode("utf-8")
    assert status == 200
    assert f">{PROJECT_NAME}</a>" in page and f">{PROJECT_NAME} (project/449)</a>" in page
    assert ">晋自然资发〔2023〕7号</a>" in page
    target = re.search(r">[^<>]+ \((performance/[0-9]+)\)</a>", page)
    assert target, "a performance target is labelled by its name, kind and line, not by a bare line number"
    # beyond a disclosure a key is a code, not a line: a function code keeps its bare code
    assert result_label(Minter().function_code(2025, "2080502")) == "2080502"


def test_html_results_report_errors_and_refuse_updates(server):
    status, _, body = fetch(server + "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?x WHERE {"}),
                            BROWSER_ACCEPT)
    assert status == 400 and "SPARQL syntax error" in body.decode("utf-8")
    form = urllib.parse.urlencode({"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}).encode()
    assert fetch(server + "/sparql", BROWSER_ACCEPT, form, "application/x-www-form-urlencoded")[0] == 403


def test_canned_queries_list_form_html_and_data(server):
    status, _, body = fetch(server + "/queries")
    assert status == 200 and "<a href='/queries/project-basis'>project-basis</a>" in body.decode("utf-8")
    status, _, body = fetch(server + "/queries/project-basis")
    form = body.decode("utf-8")
    assert status == 200 and "<input name='project'" in form and " required" in form
    params = urllib.parse.urlencode({"project": PROJECT_NAME})
    status, _, body = fetch(server + "/queries/project-basis?" + params)
    page = body.decode("utf-8")
    assert status == 200 and "<td>341900</td>" in page and "晋自然资发〔2023〕7号" in page
    status, headers, body = fetch(server + "/queries/project-basis.json?" + params)
    rows = json.loads(body)["results"]["bindings"]
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    assert {Decimal(r["amount"]["value"]) for r in rows} == {Decimal("341900")}
    assert "晋自然资发〔2023〕7号" in {r.get("doc_number", {}).get("value") for r in rows}
    status, headers, body = fetch(server + "/queries/project-basis.csv?" + params)
    assert status == 200 and body.decode("utf-8").splitlines()[0].startswith("project,project_label,department")
    assert fetch(server + "/queries/project-basis?" + urllib.parse.urlencode({"nope": "x"}))[0] == 200  # form
    assert fetch(server + "/queries/project-basis.json?" + urllib.parse.urlencode({"project": "x", "nope": "y"}))[0] \
        == 400
    assert fetch(server + "/queries/no-such-query")[0] == 404


def test_dataset_and_the_dumps_it_names(server, seeds_build):  # noqa: F811
    status, headers, body = fetch(server + "/dataset", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    description = Graph().parse(data=body.decode("utf-8"), format="turtle")
    dumps = {str(o) for o in description.objects(URIRef("https://w3id.org/budget-kg/dataset"),
                                                  URIRef("http://rdfs.org/ns/void#dataDump"))}
    assert dumps == {"https://w3id.org/budget-kg/download/graph.ttl", "https://w3id.org/budget-kg/download/graph.nt"}
    status, _, page = fetch(server + "/dataset", BROWSER_ACCEPT)
    assert status == 200 and "<a href='/download/graph.ttl'>graph.ttl</a>" in page.decode("utf-8")
    # the seeds build wrote N-Triples only: graph.ttl is made from graphs/*.nt, the same triples
    lines = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in (seeds_build / "graphs").glob("*.nt"))
    status, headers, turtle = fetch(server + "/download/graph.ttl")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.decode("utf-8"), format="turtle")
    assert len(graph) == lines
    assert Decimal(str(graph.value(URIRef(QINSHUI_PROJECT), URIRef(BKG + "amount")))) == Decimal("341900")
    status, headers, _ = fetch(server + "/download/graph.nt")
    assert status == 200 and int(headers["Content-Length"]) == (seeds_build / "graph.nt").stat().st_size
    assert fetch(server + "/download/graph.jsonld")[0] == 404  # not built, not named
    assert fetch(server + "/download/report.json")[0] == 404


# --- in the browser ---------------------------------------------------------------------------------------

def browse(tmp_path, url: str) -> tuple[str, list[tuple[str, str]]]:
    """The DOM after scripts ran, and (url, initiator) of every request the page itself made."""
    import subprocess

    profile, netlog = tmp_path / "profile", tmp_path / "net.json"
    completed = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", f"--log-net-log={netlog}",
                                "--virtual-time-budget=15000", "--dump-dom", url],
                               capture_output=True, text=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr[-2000:]
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    events = json.loads(netlog.read_text(encoding="utf-8"))["events"]
    requests = [(e["params"]["url"], e["params"]["initiator"]) for e in events
                if e.get("params", {}).get("initiator") == origin and "url" in e["params"]]
    return completed.stdout, requests


def test_editor_runs_offline_in_chromium(server, tmp_path):
    query = urllib.parse.quote(AMOUNT_QUERY)
    dom, requests = browse(tmp_path, f"{server}/sparql#run&query={query}")
    status = re.search(r'<span id="status"[^>]*>', dom)
    assert status and 'data-ready="true"' in status[0] and 'data-drawn="true"' in status[0]
    assert "yasgui" in dom and "yasr" in dom  # the editor and its result view were built
    assert '"341900"' in dom  # YASR shows the literal the endpoint returned
    assert {url.split("/", 3)[3].split("?")[0] for url, _ in requests} >= {"vendor/yasgui.min.js",
                                                                           "vendor/yasgui.min.css", "sparql"}
    assert all(url.startswith(server) for url, _ in requests), [u for u, _ in requests if not u.startswith(server)]


def test_canned_query_in_chromium_shows_the_known_amount(server, tmp_path):
    url = f"{server}/queries/project-basis?" + urllib.parse.urlencode({"project": PROJECT_NAME})
    dom, requests = browse(tmp_path, url)
    rows = re.findall(r"<tr>(.*?)</tr>", dom.split("<tbody>", 1)[1])
    assert rows and all("<td>341900</td>" in row for row in rows)
    assert any("晋自然资发〔2023〕7号" in row for row in rows)
    assert all(url.startswith(server) for url, _ in requests)


# --- entity pages ---------------------------------------------------------------------------------------------

PROJECT_PATH = "/id/" + urllib.parse.quote(QINSHUI_PROJECT.removeprefix("https://w3id.org/budget-kg/id/"), safe="/%")


def test_entity_page_shows_the_printed_source_lines(server):
    status, _, body = fetch(server + PROJECT_PATH, BROWSER_ACCEPT)
    page = body.decode("utf-8")
    assert status == 200
    # the 项目支出表 row as printed (amount in 万元), and the 立项依据 cell naming the document
    assert "qinshui-natural-resources-bureau-unit-2024.txt line 449</a><pre class='source-text'>" \
           "2022-2023耕地“进出平衡”方案编制经费\t34.19\t34.19" in page
    assert "《山西省自然资源厅关于严格落实耕地进出平衡的通知》(晋自然资发〔2023〕7号)" in page
    span = re.search(r'<a href="(/id/disclosure/[^"]+)">qinshui-natural-resources-bureau-unit-2024.txt line 449', page)
    assert span and fetch(server + span[1], BROWSER_ACCEPT)[0] == 200  # the span's own page answers


def test_entity_page_links_ontology_terms_locally(server):
    page = fetch(server + PROJECT_PATH, BROWSER_ACCEPT)[2].decode("utf-8")
    assert '<a href="/ontology#Project">bkg:Project</a>' in page
    assert '<a href="/ontology#amount">bkg:amount</a>' in page
    ontology = fetch(server + "/ontology", BROWSER_ACCEPT)[2].decode("utf-8")
    assert "id='Project'" in ontology and "id='amount'" in ontology  # the anchors exist


def test_rdf_xml_or_a_406_naming_the_alternatives(server):
    status, headers, body = fetch(server + PROJECT_PATH, "application/rdf+xml")
    assert status == 200 and headers["Content-Type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=body.decode("utf-8"), format="xml")
    assert Decimal(str(graph.value(URIRef(QINSHUI_PROJECT), URIRef(BKG + "amount")))) == Decimal("341900")
    assert fetch(server + PROJECT_PATH + ".rdf")[1]["Content-Type"].startswith("application/rdf+xml")
    status, headers, body = fetch(server + PROJECT_PATH, "image/png")
    lines = body.decode("utf-8").splitlines()
    assert status == 406 and headers["Content-Type"].startswith("text/plain")
    assert {line.split()[0] for line in lines[1:]} == {"text/html", "text/turtle", "application/n-triples",
                                                        "application/ld+json", "application/rdf+xml"}
    status, headers, body = fetch(server + "/ontology", "application/rdf+xml")
    assert status == 200 and (URIRef(BKG + "Project"), None, None) in Graph().parse(data=body.decode(), format="xml")
    assert fetch(server + "/dataset", "application/rdf+xml")[0] == 200
    assert fetch(server + "/dataset", "image/png")[0] == 406
