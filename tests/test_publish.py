"""Linked-data publishing on the seeds' graph: export formats, the JSON-LD context, DCAT/VoID, static site.

``seeds_build`` builds the samples once per session and is shared (imported) by test_serve, test_visualize and
test_browser: the build is cached at module level, so importing the fixture into several modules builds once.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from kg.build import build
from kg.publish import dataset_description, export, export_static_site
from kg.publish.describe import VOID
from kg.publish.pages import iri_candidates, negotiate
from kg.publish.site import entity_file
from tests.conftest import SAMPLES

BASE = "https://w3id.org/budget-kg/id/"
BKG = "https://w3id.org/budget-kg/ontology#"
# the project as qinshui 2024 prints it (its 项目支出表 row, line 449) and the unit's project it prints, scoped by the
# unit (沁水县自然资源局本级), not the department (docs/iris.md)
QINSHUI_PROJECT = BASE + "disclosure/2024/da60f45f7ee6469a/project/449"
QINSHUI_UNIT_PROJECT = BASE + "project/140521/沁水县自然资源局本级/2024/2022-2023耕地“进出平衡”方案编制经费"
_CACHE: dict[str, Path] = {}


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory) -> Path:
    if "out" not in _CACHE:
        out = tmp_path_factory.getbasetemp() / "publish-seeds-build"
        build([SAMPLES], out, formats=("nt",), jobs=2, progress=False)
        _CACHE["out"] = out
    return _CACHE["out"]


@pytest.fixture(scope="module")
def exported(seeds_build, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export")
    export(seeds_build, out)
    return out


def test_export_formats_hold_the_same_triples(exported, seeds_build):
    nt_lines = (exported / "graph.nt").read_text(encoding="utf-8").splitlines()
    per_graph = sum(len(p.read_text(encoding="utf-8").splitlines()) for p in (seeds_build / "graphs").glob("*.nt"))
    assert nt_lines == sorted(nt_lines) and len(nt_lines) == per_graph
    turtle = Graph().parse(exported / "graph.ttl", format="turtle")
    assert len(turtle) == len(nt_lines)
    # JSON-LD carries the context inline (the same as context.jsonld): read as it is, offline
    document = json.loads((exported / "graph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == json.loads((exported / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    jsonld = Graph().parse(exported / "graph.jsonld", format="json-ld")
    assert len(jsonld) == len(nt_lines)
    amount = jsonld.value(URIRef(QINSHUI_PROJECT), URIRef(BKG + "amount"))
    assert Decimal(str(amount)) == Decimal("341900")  # 34.19 万元, qinshui2024 line 449


def test_jsonld_context_compacts_amounts_and_labels(exported):
    text = (exported / "graph.jsonld").read_text(encoding="utf-8")
    project = next(node for node in json.loads(text)["@graph"] if node.get("@id") == QINSHUI_PROJECT)
    assert project["amount"] == "341900"  # typed by the context (xsd:decimal), so no @value/@type object
    assert project["label"] == "2022-2023耕地“进出平衡”方案编制经费"


def test_dataset_description_counts_licence_sources_endpoint(seeds_build, exported):
    graph = dataset_description(seeds_build, sparql_endpoint="http://example.org/sparql")
    dataset = URIRef("https://w3id.org/budget-kg/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph and (dataset, RDF.type, DCAT.Dataset) in graph
    nt_count = len((exported / "graph.nt").read_text(encoding="utf-8").splitlines())
    assert graph.value(dataset, VOID.triples).toPython() == nt_count
    assert graph.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef("http://example.org/sparql")
    sources = set(graph.objects(dataset, DCTERMS.source))
    files = {str(graph.value(s, DCTERMS.identifier)) for s in sources}
    assert "qinshui-natural-resources-bureau-unit-2024.txt" in files and len(sources) == 5
    projects = next(p for p in graph.objects(dataset, VOID.classPartition)
                    if graph.value(p, VOID["class"]) == URIRef(BKG + "Project"))
    assert graph.value(projects, VOID.entities) == Literal(155)  # 129 项目支出表 rows + 26 only in a 绩效目标表
    assert len(list(graph.objects(dataset, DCAT.distribution))) == 3
    # what export wrote is the same description: its five dumps, no endpoint (none was given)
    from kg.publish.export import FORMATS

    written = Graph().parse(exported / "void.ttl", format="turtle")
    assert written.value(dataset, VOID.sparqlEndpoint) is None
    assert len(written) == len(dataset_description(seeds_build, formats=FORMATS))


@pytest.mark.parametrize(("accept", "expected"), [
    ("text/html,application/xhtml+xml,*/*;q=0.8", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json;q=0.9, text/turtle;q=0.5", "jsonld"),
    ("text/turtle;q=0.2, application/n-triples", "nt"),
    ("*/*", "html"),
    (None, "html"),
    ("image/png", None),
    ("text/turtle;q=0", None),
])
def test_content_negotiation(accept, expected):
    assert negotiate(accept) == expected


def test_request_paths_map_back_to_minted_iris():
    # a browser encodes the Chinese characters and the quotes, which the builder keeps as they are
    path = ("project/140521/%E6%B2%81%E6%B0%B4%E5%8E%BF%E8%87%AA%E7%84%B6%E8%B5%84%E6%BA%90%E5%B1%80"
            "%E6%9C%AC%E7%BA%A7/2024/"
            "2022-2023%E8%80%95%E5%9C%B0%E2%80%9C%E8%BF%9B%E5%87%BA%E5%B9%B3%E8%A1%A1%E2%80%9D"
            "%E6%96%B9%E6%A1%88%E7%BC%96%E5%88%B6%E7%BB%8F%E8%B4%B9")
    assert iri_candidates(BASE, path)[0] == QINSHUI_UNIT_PROJECT
    # a graph built before round 8 encoded the quotes: its IRI is still found
    old_iri = BASE + "project/140521/沁水县自然资源局本级/2024/2022-2023耕地%E2%80%9C进出平衡%E2%80%9D方案编制经费"
    assert old_iri in iri_candidates(BASE, path)
    assert iri_candidates(BASE, "policy/no/TD%2FT1057-2020")[0] == BASE + "policy/no/TD%2FT1057-2020"


def test_static_site(seeds_build, tmp_path):
    report = export_static_site(seeds_build, tmp_path, formats=("html", "ttl"))
    # pages for what people look up only (no indicator, line or provenance pages): see test_site.py
    # each project as its disclosure prints it and the unit's project it prints (the IRI projects had before)
    assert report.kinds == {"disclosure": 5, "department": 4, "project": 155, "unit-project": 155, "document": 235,
                            "township": 37, "code": 146} and report.pages == 737 and not report.shortened
    page = tmp_path / entity_file(BASE, QINSHUI_PROJECT).with_suffix("")
    html_file = page.parent / (page.name + ".html")
    text = html_file.read_text(encoding="utf-8")
    assert "2022-2023耕地“进出平衡”方案编制经费" in text
    assert "qinshui-natural-resources-bureau-unit-2024.txt line 449" in text  # the 项目支出表 row
    # links are relative and point at files that exist
    import re
    from urllib.parse import unquote

    hrefs = [h for h in re.findall(r'href="([^"]+)"', text) if not h.startswith("http")]
    assert hrefs and all((html_file.parent / unquote(h.split("#")[0])).resolve().is_file() for h in hrefs)
    turtle = Graph().parse(page.parent / (page.name + ".ttl"), format="turtle")
    assert Decimal(str(turtle.value(URIRef(QINSHUI_PROJECT), URIRef(BKG + "amount")))) == Decimal("341900")
    assert (tmp_path / "index.html").is_file() and (tmp_path / "ontology.html").is_file()
    # the unit's project's page links the disclosure's project that prints it
    unit_page = tmp_path / entity_file(BASE, QINSHUI_UNIT_PROJECT).with_suffix("")
    unit_text = (unit_page.parent / (unit_page.name + ".html")).read_text(encoding="utf-8")
    assert "2022-2023耕地“进出平衡”方案编制经费" in unit_text and "bkg:unitProject" in unit_text
    assert "project/449.html" in unit_text
