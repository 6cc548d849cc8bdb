"""RDF/XML given to validate or publish: entity declarations and external DTDs are refused before parsing."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from kg.cli import main
from kg.query.remote import EndpointError, publish
from kg.rdf.safe_xml import UnsafeXMLError, check_xml_bytes


def billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(1, 9)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(entities) + "]>\n"
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">\n'
            '<rdf:Description rdf:about="http://example.org/a"><ex:p>&lol8;</ex:p></rdf:Description>\n</rdf:RDF>\n')


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_validate_refuses_entity_expansion(tmp_path, capsys, engine):
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    assert main(["validate", str(bomb), "--engine", engine]) == 2  # was 9 GB (oxigraph) or a hang (rdflib)
    assert "bomb.rdf: RDF/XML with entity declarations is refused" in capsys.readouterr().err


def test_publish_refuses_it_without_sending_anything(tmp_path):
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    with pytest.raises(EndpointError) as error:  # port 9 (discard) is never reached: the file is refused first
        publish([bomb], "http://127.0.0.1:9/sparql", graph_store="http://127.0.0.1:9/store", timeout=2)
    assert "entity declarations is refused" in str(error.value)


def test_external_dtd_refused_and_plain_rdf_xml_accepted(tmp_path):
    with pytest.raises(UnsafeXMLError):
        check_xml_bytes(b'<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE rdf:RDF SYSTEM "file:///etc/passwd">\n'
                        b"<rdf:RDF/>", "x.rdf")
    graph = Graph()
    graph.add((URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("泽州县")))
    plain = tmp_path / "plain.rdf"
    plain.write_text(graph.serialize(format="xml"), encoding="utf-8")
    check_xml_bytes(plain.read_bytes(), "plain.rdf")  # no DOCTYPE: accepted
    assert main(["validate", str(plain)]) == 0
