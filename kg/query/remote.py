"""A real SPARQL 1.1 server: query it with SPARQLWrapper, publish to it with the Graph Store Protocol.

``publish`` PUTs each graph file to ``GRAPH_STORE?graph=IRI`` — the same graph IRI the embedded store
uses (see :func:`kg.query.store.graph_name_for`) — so publishing again replaces a disclosure's graph
instead of adding a second copy. The body is N-Triples sent as ``text/turtle`` (N-Triples is Turtle),
which every server reads. Queries assume the server's default graph is the union of its named graphs
(Oxigraph: ``--union-default-graph``; GraphDB and Virtuoso do so by default; Fuseki:
``tdb2:unionDefaultGraph true``): see docs/queries.md.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.query.results import Term
from kg.query.store import GRAPH_FORMATS, LoadReport, _parse_file, graph_files, graph_name_for

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class EndpointError(BudgetKGError):
    """The server cannot be reached, refuses the request, or answers with something that is not results."""


def _json_term(binding: dict[str, str] | None) -> Term | None:
    if binding is None:
        return None
    kind = binding.get("type", "literal")
    if kind in ("literal", "typed-literal"):
        language = binding.get("xml:lang")
        datatype = binding.get("datatype") or (None if language else XSD_STRING)
        if datatype == RDF_LANG_STRING:
            datatype = None
        return Term("literal", binding["value"], datatype, language)
    return Term("uri" if kind == "uri" else "bnode", binding["value"])


@dataclass
class EndpointEngine:
    """SELECT queries over HTTP through SPARQLWrapper (POST, so long queries are not cut by URL limits)."""

    endpoint: str
    timeout: int = 60
    user: str | None = None
    password: str | None = None

    def select(self, query: str) -> tuple[list[str], list[list[Term | None]]]:
        from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.endpoint)
        client.setQuery(query)
        client.setMethod(POST)
        # SPARQLWrapper guesses the query type from the first keyword it finds, comments included: a header
        # saying "levels add up" made it an ADD update, sent as `update=` and refused. We only send SELECTs.
        client.queryType = SELECT
        client.setReturnFormat(JSON)
        client.setTimeout(self.timeout)
        if self.user is not None:
            client.setCredentials(self.user, self.password or "")
        try:
            answer = client.queryAndConvert()
        except (SPARQLWrapperException, urllib.error.URLError, OSError, ValueError) as exc:
            raise EndpointError(self.endpoint, f"query failed: {exc}", code="endpoint-error") from exc
        if not isinstance(answer, dict) or "results" not in answer:
            raise EndpointError(self.endpoint, "the server did not answer with SPARQL JSON results",
                                code="endpoint-error")
        variables = list(answer.get("head", {}).get("vars", []))
        rows = [[_json_term(binding.get(v)) for v in variables] for binding in answer["results"]["bindings"]]
        return variables, rows


def default_graph_store(endpoint: str) -> str:
    """Oxigraph serves queries at /query and the Graph Store Protocol at /store."""
    if endpoint.rstrip("/").endswith("/query"):
        return endpoint.rstrip("/")[: -len("/query")] + "/store"
    raise EndpointError(endpoint, "cannot guess the Graph Store Protocol URL of this server; pass graph_store= "
                        "(--graph-store): Fuseki …/DATASET/data, GraphDB …/repositories/REPO/rdf-graphs/service, "
                        "Virtuoso …/sparql-graph-crud-auth", code="no-graph-store")


def _put(url: str, body: bytes, timeout: int, user: str | None, password: str | None) -> int:
    request = urllib.request.Request(url, data=body, method="PUT",
                                     headers={"Content-Type": "text/turtle; charset=utf-8"})
    if user is not None:
        token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


def _graph_bodies(path: Path) -> list[tuple[str, bytes]]:
    """(graph IRI, N-Triples body) per graph a file holds: one for triple files, one per graph for quads."""
    parsed = _parse_file(path)
    if GRAPH_FORMATS[path.suffix] in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        bodies = []
        for graph in parsed.named_graphs():
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in parsed.quads_for_pattern(None, None, None, graph)]
            bodies.append((graph.value, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)))
        return bodies
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in parsed]
    return [(graph_name_for(path, parsed), ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))]


def publish(
    sources: str | Path | Sequence[str | Path],
    endpoint: str,
    *,
    graph_store: str | None = None,
    timeout: int = 120,
    user: str | None = None,
    password: str | None = None,
) -> LoadReport:
    """PUT every graph file of a build directory (or the given files) to the server, one named graph each.

    A file that cannot be parsed or is refused is reported in ``failures``; the others are still sent.
    """
    store_url = graph_store or default_graph_store(endpoint)
    paths = [sources] if isinstance(sources, str | Path) else list(sources)
    report = LoadReport()
    for path in graph_files(paths):
        if path.suffix not in GRAPH_FORMATS:
            report.failures.append(f"{path}: not a graph file")
            continue
        try:
            bodies = _graph_bodies(path)
        except (OSError, SyntaxError, ValueError) as exc:
            report.failures.append(f"{path}: {exc}")
            continue
        for graph, body in bodies:
            url = f"{store_url}?{urllib.parse.urlencode({'graph': graph})}"
            try:
                _put(url, body, timeout, user, password)
            except (urllib.error.URLError, OSError) as exc:
                report.failures.append(f"{path} → {graph}: {exc}")
                continue
            report.graphs[f"{path}#{graph}" if len(bodies) > 1 else str(path)] = graph
            report.triples += body.count(b"\n")
    if report.failures and not report.graphs:
        raise EndpointError(store_url, "nothing was published: " + "; ".join(report.failures[:3]),
                            code="publish-failed")
    return report
