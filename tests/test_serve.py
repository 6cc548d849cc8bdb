"""The linked-data server over HTTP: content negotiation, 404s, the ontology, the bounded read-only SPARQL endpoint."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.publish import make_server
from tests.test_publish import (  # noqa: F401 - the shared session build
    BKG,
    QINSHUI_PROJECT,
    QINSHUI_UNIT_PROJECT,
    seeds_build,
)

PROJECT_PATH = "/id/" + urllib.parse.quote(QINSHUI_PROJECT.removeprefix("https://w3id.org/budget-kg/id/"),
                                           safe="/%")
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 52,000³ rows


@pytest.fixture(scope="module")
def server(seeds_build):  # noqa: F811
    httpd = make_server(seeds_build, port=0, timeout=2.0, max_rows=3)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch(url: str, accept: str | None = None, data: bytes | None = None, content_type: str | None = None):
    request = urllib.request.Request(url, data=data)
    if accept:
        request.add_header("Accept", accept)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_entity_as_turtle_for_machines(server):
    status, headers, body = fetch(server + PROJECT_PATH, "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle") and headers["Vary"] == "Accept"
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert Decimal(str(graph.value(URIRef(QINSHUI_PROJECT), URIRef(BKG + "amount")))) == Decimal("341900")
    documents = {str(o) for o in graph.objects(URIRef(QINSHUI_PROJECT), URIRef(BKG + "basis"))}
    assert "https://w3id.org/budget-kg/id/policy/no/晋自然资发〔2023〕7号" in documents


def test_entity_as_jsonld_carries_the_context(server):
    status, headers, body = fetch(server + PROJECT_PATH, "application/ld+json")
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")
    assert json.loads(body)["@context"]["bkg"] == BKG  # inline: read offline, nothing to fetch
    status, _, context = fetch(server + "/context.jsonld")
    assert status == 200 and json.loads(context)["@context"]["bkg"] == BKG


def test_entity_as_html_links_neighbours_and_source_line(server):
    status, headers, body = fetch(server + PROJECT_PATH, "text/html,application/xhtml+xml,*/*;q=0.8")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<h1>2022-2023耕地“进出平衡”方案编制经费</h1>" in page
    assert "qinshui-natural-resources-bureau-unit-2024.txt line 449" in page  # its 项目支出表 row
    # the neighbour document is linked by its local path, and that page answers
    href = "/id/policy/no/%E6%99%8B%E8%87%AA%E7%84%B6%E8%B5%84%E5%8F%91%E3%80%942023%E3%80%957%E5%8F%B7"
    assert f'href="{href}"' in page
    status, _, neighbour = fetch(server + href)
    assert status == 200 and "山西省自然资源厅关于严格落实耕地进出平衡的通知" in neighbour.decode("utf-8")


def test_explicit_format_suffix_and_not_acceptable(server):
    status, headers, _ = fetch(server + PROJECT_PATH + ".nt")
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    assert fetch(server + PROJECT_PATH, "image/png")[0] == 406


def test_project_iri_of_its_department_redirects_to_its_unit(server):
    # built before projects were scoped by their unit, the project was under the department that publishes it
    old_path = "/id/" + urllib.parse.quote("project/140521/沁水县自然资源局/2024/2022-2023耕地“进出平衡”方案编制经费")
    request = urllib.request.Request(server + old_path + ".ttl")
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,),
                                              {"redirect_request": lambda *args: None}))
    with pytest.raises(urllib.error.HTTPError) as moved:
        opener.open(request, timeout=30)
    unit_path = "/id/" + urllib.parse.quote(QINSHUI_UNIT_PROJECT.removeprefix("https://w3id.org/budget-kg/id/"),
                                            safe="/%")
    assert moved.value.code == 301 and moved.value.headers["Location"] == unit_path + ".ttl"
    # followed: the unit's project (the IRI the project had until round 11), which qinshui's project links to
    status, _, body = fetch(server + old_path, "text/turtle")
    graph = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert status == 200 and graph.value(URIRef(QINSHUI_UNIT_PROJECT), RDF.type) == URIRef(BKG + "UnitProject")
    assert list(graph.subjects(URIRef(BKG + "unitProject"), URIRef(QINSHUI_UNIT_PROJECT))) == [URIRef(QINSHUI_PROJECT)]


def test_unknown_entity_is_404(server):
    assert fetch(server + "/id/project/140521/" + urllib.parse.quote("沁水县自然资源局/2024/不存在的项目"))[0] == 404
    assert fetch(server + "/nowhere")[0] == 404


def test_ontology_served_at_its_namespace(server):
    status, headers, body = fetch(server + "/ontology", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    served = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert (URIRef(BKG + "Project"), None, None) in served
    # the concept schemes share the ontology's namespace: their IRIs dereference here too
    assert (URIRef(BKG + "FundSourceScheme"), None, None) in served
    status, _, page = fetch(server + "/ontology", "text/html")
    assert status == 200 and "bkg:Project" in page.decode("utf-8")


def test_sparql_select_get_and_post(server):
    query = (f"SELECT ?amount WHERE {{ <{QINSHUI_PROJECT}> <{BKG}amount> ?amount }}")
    status, headers, body = fetch(server + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    assert [b["amount"]["value"] for b in json.loads(body)["results"]["bindings"]] == ["341900"]
    status, headers, body = fetch(server + "/sparql", "text/csv", query.encode("utf-8"), "application/sparql-query")
    assert status == 200 and body.decode("utf-8").splitlines() == ["amount", "341900"]


def test_sparql_result_size_is_bounded(server):
    status, headers, body = fetch(server + "/sparql", None, urllib.parse.urlencode(
        {"query": "SELECT * WHERE { ?s ?p ?o }"}).encode(), "application/x-www-form-urlencoded")
    assert status == 200 and headers["X-Result-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 3


@pytest.mark.parametrize(("body", "content_type"), [
    (b"INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }", "application/sparql-update"),
    (urllib.parse.urlencode({"update": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
    (b"PREFIX x: <http://x/>\n# a comment\nDELETE WHERE { ?s ?p ?o }", "application/sparql-query"),
])
def test_sparql_update_refused(server, body, content_type):
    status, _, message = fetch(server + "/sparql", None, body, content_type)
    assert status == 403 and b"read-only" in message
    # and the data is untouched
    ask = urllib.parse.urlencode({"query": f"ASK {{ <{QINSHUI_PROJECT}> ?p ?o }}"})
    assert json.loads(fetch(server + "/sparql?" + ask)[2])["boolean"] is True


def test_sparql_query_timeout_then_service_recovers(server):
    status, _, message = fetch(server + "/sparql?" + urllib.parse.urlencode({"query": SLOW_QUERY}))
    assert status == 503 and b"longer than 2 s" in message
    ask = urllib.parse.urlencode({"query": f"ASK {{ <{QINSHUI_PROJECT}> ?p ?o }}"})
    status, _, body = fetch(server + "/sparql?" + ask)
    assert status == 200 and json.loads(body)["boolean"] is True


def test_sparql_syntax_error_is_400(server):
    assert fetch(server + "/sparql?" + urllib.parse.urlencode({"query": "SELEC ?x"}))[0] == 400
