"""A real SPARQL 1.1 server: query it with SPARQLWrapper, publish to it with the Graph Store Protocol.

``publish`` makes the server hold exactly the build: it PUTs each graph file to ``GRAPH_STORE?graph=IRI``
(the same graph IRI the embedded store uses, see :func:`kg.query.store.graph_name_for`; N-Triples sent as
``text/turtle``, which every server reads), then replaces the dataset's **manifest** graph — the list of
the graphs it consists of — and deletes the graphs the previous manifest listed that the build no longer
has (a corrected, re-encoded or removed disclosure), saying so. The manifest is per dataset (the build's
base IRI, and ``dataset=`` to keep several side by side), so another publisher's graphs are never touched.
The Graph Store Protocol has no multi-graph transaction: the manifest switch is the one atomic step.

Queries do not depend on the server's default-graph setting: when its default graph is the union of its
named graphs (Oxigraph ``--union-default-graph``, Virtuoso, GraphDB, Fuseki ``tdb2:unionDefaultGraph``)
they run as written; when it is not (a stock ``oxigraph serve``, a default Fuseki dataset) they run over
the graphs the manifest lists (``default-graph-uri``), and without a manifest the error says what to change.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.query.results import Term
from kg.query.store import GRAPH_FORMATS, LoadReport, _parse_file, build_graph_names, graph_files, graph_name_for
from kg.rdf.namespaces import DEFAULT_BASE

log = logging.getLogger(__name__)

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
SD = "http://www.w3.org/ns/sparql-service-description#"
DCT = "http://purl.org/dc/terms/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BKG_ONTOLOGY = "https://w3id.org/budget-kg/ontology#"
UNION_SETTINGS = ("Oxigraph: `oxigraph serve --union-default-graph`; Fuseki: `tdb2:unionDefaultGraph true` on the "
                  "dataset; GraphDB and Virtuoso: the default")


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


DEFAULT_DATASET = "default"


def dataset_graph(iri: str, base: str, dataset: str | None) -> str:
    """The name a build's graph is published under: its own for the default dataset, else one under
    ``{base}graph/dataset/NAME/`` — two datasets never write each other's graphs (the shared graph of one
    build is not the other's)."""
    if dataset is None:
        return iri
    tail = iri[len(base):] if iri.startswith(base) else urllib.parse.quote(iri, safe="")
    return f"{base}graph/dataset/{urllib.parse.quote(dataset, safe='')}/{tail}"


def manifest_graph(base: str = DEFAULT_BASE, dataset: str | None = None) -> str:
    """The IRI of a dataset's manifest graph: ``{base}graph/manifest`` (``…/manifest/NAME`` for a named one)."""
    name = f"/{urllib.parse.quote(dataset, safe='')}" if dataset else ""
    return f"{base}graph/manifest{name}"


def _manifest_ntriples(iri: str, graphs: Sequence[str], dataset: str | None) -> bytes:
    node = ox.NamedNode(iri)
    triples = [ox.Triple(node, ox.NamedNode(RDF_TYPE), ox.NamedNode(SD + "GraphCollection")),
               ox.Triple(node, ox.NamedNode(DCT + "conformsTo"), ox.NamedNode(BKG_ONTOLOGY)),
               ox.Triple(node, ox.NamedNode(DCT + "identifier"), ox.Literal(dataset or DEFAULT_DATASET))]
    triples += [ox.Triple(node, ox.NamedNode(SD + "namedGraph"), ox.NamedNode(graph)) for graph in sorted(graphs)]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


_MANIFESTS_QUERY = f"""SELECT ?manifest ?name ?graph WHERE {{
  GRAPH ?manifest {{ ?manifest a <{SD}GraphCollection> ; <{DCT}conformsTo> <{BKG_ONTOLOGY}> ;
                               <{DCT}identifier> ?name ; <{SD}namedGraph> ?graph }} }}"""


@dataclass
class EndpointEngine:
    """SELECT queries over HTTP through SPARQLWrapper (POST, so long queries are not cut by URL limits).

    Before the first query it looks at how the server keeps the data (see the module's docstring): over
    its union default graph, or over the graphs of the published dataset (``dataset`` picks one when the
    server holds several manifests).
    """

    endpoint: str
    timeout: int = 60
    user: str | None = None
    password: str | None = None
    dataset: str | None = None
    default_graphs: list[str] | None = field(default=None, init=False)  # None: the server's default graph
    _checked: bool = field(default=False, init=False, repr=False)

    def _client(self, query: str, graphs: Sequence[str] = ()):
        from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper

        client = SPARQLWrapper(self.endpoint)
        client.setQuery(query)
        client.setMethod(POST)
        # SPARQLWrapper guesses the query type from the first keyword it finds, comments included: a header
        # saying "levels add up" made it an ADD update, sent as `update=` and refused. We only send SELECTs.
        client.queryType = SELECT
        client.setReturnFormat(JSON)
        client.setTimeout(self.timeout)
        for graph in graphs:
            client.addDefaultGraph(graph)
        if self.user is not None:
            client.setCredentials(self.user, self.password or "")
        return client

    def _rows(self, query: str, graphs: Sequence[str] = ()) -> tuple[list[str], list[list[Term | None]]]:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        try:
            answer = self._client(query, graphs).queryAndConvert()
        except (SPARQLWrapperException, urllib.error.URLError, OSError, ValueError) as exc:
            raise EndpointError(self.endpoint, f"query failed: {exc}", code="endpoint-error") from exc
        if not isinstance(answer, dict) or "results" not in answer:
            raise EndpointError(self.endpoint, "the server did not answer with SPARQL JSON results",
                                code="endpoint-error")
        variables = list(answer.get("head", {}).get("vars", []))
        rows = [[_json_term(binding.get(v)) for v in variables] for binding in answer["results"]["bindings"]]
        return variables, rows

    def _exists(self, pattern: str) -> bool:
        # SELECT … LIMIT 1 rather than ASK: every server answers SELECT in the same JSON shape.
        return bool(self._rows(f"SELECT ?s WHERE {{ {pattern} }} LIMIT 1")[1])

    def manifests(self) -> dict[str, list[str]]:
        """The budget-kg datasets published on the server: name → the graphs its manifest lists."""
        found: dict[str, list[str]] = {}
        for _manifest, name, graph in self._rows(_MANIFESTS_QUERY)[1]:
            if graph is not None:
                found.setdefault(name.value if name else DEFAULT_DATASET, []).append(graph.value)
        return {name: sorted(set(graphs)) for name, graphs in found.items()}

    def resolve_dataset(self) -> None:
        """Decide once whether queries run over the default graph or over a published dataset's graphs.

        The dataset's own graphs are named (``default-graph-uri``) when a dataset is asked for, when the
        server holds several, or when its default graph is not the union of its graphs; otherwise the
        union default graph is used as it is (much faster on Oxigraph than naming hundreds of graphs).
        """
        if self._checked:
            return
        manifests = self.manifests()
        if self.dataset is not None and self.dataset not in manifests:
            known = ", ".join(sorted(manifests)) or "none"
            raise EndpointError(self.endpoint, f"no published budget-kg dataset {self.dataset!r} on this server "
                                f"(published: {known})", code="no-dataset")
        name = self.dataset or (DEFAULT_DATASET if DEFAULT_DATASET in manifests else
                                next(iter(manifests)) if len(manifests) == 1 else None)
        if name is None and len(manifests) > 1:
            raise EndpointError(self.endpoint, "the server holds several published budget-kg datasets ("
                                f"{', '.join(sorted(manifests))}); choose one with --dataset NAME",
                                code="ambiguous-dataset")
        disclosure = f"?s a <{BKG_ONTOLOGY}Disclosure>"
        union = self._exists(disclosure)
        if name is not None and (not union or len(manifests) > 1 or self.dataset is not None):
            self.default_graphs = manifests[name]
            if not union:
                log.info("%s: its default graph is not the union of its graphs; querying the %d graphs of the "
                         "published dataset (faster with %s)", self.endpoint, len(self.default_graphs),
                         UNION_SETTINGS)
        elif not union and self._exists(f"GRAPH ?g {{ {disclosure} }}"):
            raise EndpointError(self.endpoint, "the budget-kg graphs on this server are in named graphs, but "
                                "its default graph is not their union and no dataset manifest lists them: "
                                "re-publish with `budget-kg publish` (it records the dataset's graphs), or "
                                f"make the default graph the union ({UNION_SETTINGS})", code="default-graph-not-union")
        elif not union:
            raise EndpointError(self.endpoint, "no budget-kg data at this endpoint (no bkg:Disclosure in its "
                                "default graph or in any named graph); publish a build first: "
                                "budget-kg publish DIR --endpoint URL", code="no-data")
        self._checked = True

    def select(self, query: str) -> tuple[list[str], list[list[Term | None]]]:
        self.resolve_dataset()
        return self._rows(query, self.default_graphs or ())


def default_graph_store(endpoint: str) -> str:
    """Oxigraph serves queries at /query and the Graph Store Protocol at /store."""
    if endpoint.rstrip("/").endswith("/query"):
        return endpoint.rstrip("/")[: -len("/query")] + "/store"
    raise EndpointError(endpoint, "cannot guess the Graph Store Protocol URL of this server; pass graph_store= "
                        "(--graph-store): Fuseki …/DATASET/data, GraphDB …/repositories/REPO/rdf-graphs/service, "
                        "Virtuoso …/sparql-graph-crud-auth", code="no-graph-store")


class _BasicAuthWarning(urllib.request.HTTPBasicAuthHandler):
    """Basic auth, answered only when the server asks for it (then sent with every request, so that a large
    PUT is not sent twice), with a warning when it asks over plain http."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgrWithPriorAuth) -> None:
        super().__init__(passwords)
        self.warned: set[str] = set()

    def http_error_401(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        challenge = headers.get("WWW-Authenticate", "") if headers else ""
        host = urllib.parse.urlsplit(req.full_url)
        if challenge.lower().startswith("basic") and host.scheme == "http" and host.netloc not in self.warned:
            self.warned.add(host.netloc)
            log.warning("warning: %s asks for HTTP Basic authentication over plain http: the password crosses "
                        "the network readable by anyone on the way; use https", host.netloc)
        return super().http_error_401(req, fp, code, msg, headers)


class _PreemptiveDigest(urllib.request.HTTPDigestAuthHandler):
    """Digest auth that, once challenged, answers every later request at once with the same nonce (next
    nonce count): a server that refuses an unauthenticated PUT closes the connection while a large body is
    still being sent (Virtuoso does), so the body must go out with its credentials the first time."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwords)
        self.challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req, auth):  # type: ignore[no-untyped-def]
        _token, challenge = auth.split(" ", 1)
        self.challenge = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(challenge)))
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req):  # type: ignore[no-untyped-def]
        if self.challenge is not None and not req.has_header("Authorization"):
            answer = self.get_authorization(req, self.challenge)
            if answer:
                req.add_unredirected_header("Authorization", f"Digest {answer}")
        return req

    https_request = http_request


def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    """An opener answering a server's Basic or Digest challenge (Virtuoso's …-auth endpoints ask Digest)."""
    if user is None:
        return urllib.request.build_opener()
    basic = urllib.request.HTTPPasswordMgrWithPriorAuth()
    basic.add_password(None, url, user, password or "", is_authenticated=False)
    digest = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    digest.add_password(None, url, user, password or "")
    return urllib.request.build_opener(_BasicAuthWarning(basic), _PreemptiveDigest(digest))


def _request(opener: urllib.request.OpenerDirector, method: str, url: str, timeout: int, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read() or b""


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


@dataclass
class PublishReport(LoadReport):
    """What ``publish`` did: the graphs sent (file → graph IRI), those removed, and the manifest."""

    manifest: str = ""
    removed: list[str] = field(default_factory=list)  # graphs of the previous publish no longer in the build
    unlisted: list[str] = field(default_factory=list)  # budget-kg graphs found with no manifest: left alone

    def __str__(self) -> str:
        lines = [f"published {len(self.graphs)} graph(s), {self.triples} triples; dataset manifest {self.manifest}"]
        if self.removed:
            lines.append(f"removed {len(self.removed)} graph(s) no longer in the build:")
            lines += [f"  {graph}" for graph in self.removed]
        if self.unlisted:
            lines.append(f"warning: {len(self.unlisted)} other budget-kg graph(s) on the server were published "
                         "without a manifest (by an earlier version?) and are not in this build; they were left "
                         "as they are, and a union default graph still shows them:")
            lines += [f"  {graph}" for graph in self.unlisted]
        for failure in self.failures:
            lines.append(f"FAILED {failure}")
        if self.failures:
            lines.append("nothing was removed and the dataset manifest was not switched: the server still lists "
                         "the previous publish")
        return "\n".join(lines)


def _build_base(paths: Sequence[Path]) -> str:
    """The base IRI of a build directory's graphs (its shared graph is ``{base}graph/shared``)."""
    for path in paths:
        if path.is_dir():
            for iri in build_graph_names(path).values():
                if iri.endswith("/graph/shared"):
                    return iri[: -len("graph/shared")]
    return DEFAULT_BASE


def _read_manifest(opener: urllib.request.OpenerDirector, store_url: str, iri: str, timeout: int) -> list[str] | None:
    url = f"{store_url}?{urllib.parse.urlencode({'graph': iri})}"
    try:
        status, body = _request(opener, "GET", url, timeout, headers={"Accept": "application/n-triples, text/turtle"})
    except (urllib.error.URLError, OSError) as exc:
        raise EndpointError(store_url, f"cannot reach the graph store: {getattr(exc, 'reason', exc)}",
                            code="unreachable") from None
    if status == 404:
        return None
    if status >= 400:
        raise EndpointError(store_url, f"cannot read the dataset manifest {iri} (HTTP {status})",
                            code="publish-failed")
    try:
        triples = ox.parse(body, format=ox.RdfFormat.TURTLE, base_iri=iri)  # N-Triples is Turtle
        return sorted({t.object.value for t in triples if t.predicate.value == SD + "namedGraph"})
    except (SyntaxError, ValueError) as exc:
        raise EndpointError(store_url, f"the dataset manifest {iri} cannot be read: {exc}",
                            code="publish-failed") from exc


def _unlisted_graphs(endpoint: str, base: str, published: set[str]) -> list[str]:
    """budget-kg disclosure graphs under ``base`` that no manifest lists (published by an earlier version)."""
    query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?d a <{BKG_ONTOLOGY}Disclosure> }} "
             f"FILTER (STRSTARTS(STR(?g), \"{base}\")) }}")
    engine = EndpointEngine(endpoint)
    try:
        _, rows = engine._rows(query)
        listed = {graph for graphs in engine.manifests().values() for graph in graphs}
    except EndpointError:
        return []
    return sorted({row[0].value for row in rows if row[0] is not None} - published - listed)


def publish(
    sources: str | Path | Sequence[str | Path],
    endpoint: str,
    *,
    graph_store: str | None = None,
    timeout: int = 120,
    user: str | None = None,
    password: str | None = None,
    dataset: str | None = None,
) -> PublishReport:
    """Make the server hold exactly these graphs (a build directory's, or the given files') as one dataset.

    Every graph is PUT; only when all were accepted is the dataset's manifest replaced and are the graphs
    the previous manifest listed, and this publish does not, deleted. A file that cannot be parsed or is
    refused is reported in ``failures`` and then nothing is deleted.
    """
    store_url = graph_store or default_graph_store(endpoint)
    dataset = None if dataset == DEFAULT_DATASET else dataset
    paths = [Path(p) for p in ([sources] if isinstance(sources, str | Path) else list(sources))]
    base = _build_base(paths)
    report = PublishReport(manifest=manifest_graph(base, dataset))
    opener = _opener(store_url, user, password)
    previous: list[str] | None = None
    contacted = False  # the server is asked for the previous manifest only once a graph is ready to send
    for path in graph_files(paths):
        if path.suffix not in GRAPH_FORMATS:
            report.failures.append(f"{path}: not a graph file")
            continue
        try:
            bodies = _graph_bodies(path)
        except (OSError, SyntaxError, ValueError) as exc:
            report.failures.append(f"{path}: {exc}")
            continue
        if bodies and not contacted:
            previous, contacted = _read_manifest(opener, store_url, report.manifest, timeout), True
        for built_graph, body in bodies:
            graph = dataset_graph(built_graph, base, dataset)
            url = f"{store_url}?{urllib.parse.urlencode({'graph': graph})}"
            try:
                status, answer = _request(opener, "PUT", url, timeout, body,
                                          {"Content-Type": "text/turtle; charset=utf-8"})
            except (urllib.error.URLError, OSError) as exc:
                report.failures.append(f"{path} → {graph}: {exc}")
                continue
            if status >= 400:
                report.failures.append(f"{path} → {graph}: HTTP {status} {answer[:200].decode(errors='replace')}")
                continue
            report.graphs[f"{path}#{graph}" if len(bodies) > 1 else str(path)] = graph
            report.triples += body.count(b"\n")
    if report.failures and not report.graphs:
        raise EndpointError(store_url, "nothing was published: " + "; ".join(report.failures[:3]),
                            code="publish-failed")
    if report.failures:
        return report
    published = set(report.graphs.values())
    manifest_url = f"{store_url}?{urllib.parse.urlencode({'graph': report.manifest})}"
    status, answer = _request(opener, "PUT", manifest_url, timeout,
                              _manifest_ntriples(report.manifest, sorted(published), dataset),
                              {"Content-Type": "text/turtle; charset=utf-8"})
    if status >= 400:
        report.failures.append(f"manifest {report.manifest}: HTTP {status} {answer[:200].decode(errors='replace')}")
        return report
    for graph in sorted(set(previous or ()) - published - {report.manifest}):
        status, answer = _request(opener, "DELETE", f"{store_url}?{urllib.parse.urlencode({'graph': graph})}",
                                  timeout)
        if status < 400 or status == 404:
            report.removed.append(graph)
        else:
            report.failures.append(f"{graph}: not removed (HTTP {status})")
    if previous is None:
        report.unlisted = _unlisted_graphs(endpoint, base, published)
    return report
