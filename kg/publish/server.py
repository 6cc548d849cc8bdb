"""``budget-kg serve``: a small read-only linked-data server over the store (stdlib ``http.server``).

Routes::

    /                      the dataset: description (DCAT/VoID when a build directory is served), links
    /id/…                  an entity: HTML for people, Turtle / N-Triples / JSON-LD by Accept (Vary: Accept);
                           ``/id/….ttl`` / ``.nt`` / ``.jsonld`` / ``.html`` ask for one format by name
    /ontology              the ontology (HTML or Turtle); entity IRIs in its namespace link here
    /context.jsonld        the JSON-LD context the JSON-LD answers reference
    /void.ttl              the dataset description (when serving a build directory)
    /sparql                SPARQL 1.1 Protocol, queries only (GET ?query=, POST form or sparql-query body)

Entity URIs ``{base}…`` (default https://w3id.org/budget-kg/id/…) map to local paths ``/id/…``; w3id
redirects the public URIs to wherever this runs.
"""

from __future__ import annotations

import html
import logging
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox

from kg.publish import pages
from kg.publish.sparql import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, Answer, QueryService
from kg.rdf.namespaces import DEFAULT_BASE

log = logging.getLogger(__name__)
_SUFFIXES = {".ttl": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".html": "html"}
MAX_QUERY_BYTES = 100_000


class LinkedDataServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store_dir: Path, base: str, timeout: float,
                 max_rows: int) -> None:
        self.store_path = _store_path(store_dir)
        self.store = ox.Store.read_only(str(self.store_path))
        self.base = base
        self.linker = pages.server_linker(base)
        self.build_dir = self.store_path.parent if (self.store_path.parent / "report.json").is_file() else None
        self.queries = QueryService(self.store_path, timeout=timeout, max_rows=max_rows)
        super().__init__(address, partial(Handler))

    def server_close(self) -> None:
        super().server_close()
        self.queries.close()


def _store_path(store_dir: Path) -> Path:
    directory = Path(store_dir)
    return directory / "store" if (directory / "store").is_dir() else directory


class Handler(BaseHTTPRequestHandler):
    server: LinkedDataServer
    server_version = "budget-kg"

    def log_message(self, format: str, *args: object) -> None:
        log.info("%s " + format, self.address_string(), *args)

    # --- plumbing -----------------------------------------------------------------------------------
    def _send(self, status: int, content_type: str, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))

    def _not_found(self, what: str) -> None:
        body = pages.page("not found", f"<h1>404</h1><p>Nothing is known about {html.escape(what)}.</p>"
                          "<p><a href='/'>the dataset</a></p>")
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body.encode("utf-8"))

    # --- routes -------------------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        path = url.path
        if path == "/sparql":
            params = parse_qs(url.query)
            if "update" in params:
                self._text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            elif "query" in params:
                self._answer(self.server.queries.query(params["query"][0], self.headers.get("Accept", "")))
            else:
                self._sparql_form()
        elif path.startswith("/id/"):
            self._entity(path[len("/id/"):])
        elif path in ("/ontology", "/ontology/"):
            self._ontology()
        elif path == "/context.jsonld":
            self._send(200, "application/ld+json", pages.CONTEXT_FILE.read_bytes())
        elif path == "/void.ttl" and self.server.build_dir is not None:
            self._send(200, "text/turtle; charset=utf-8", self._void().encode("utf-8"))
        elif path == "/":
            self._index()
        else:
            self._not_found(path)

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/sparql":
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "this server is read-only; POST only to /sparql")
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_QUERY_BYTES:
            self._text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"queries are limited to {MAX_QUERY_BYTES} bytes")
            return
        body = self.rfile.read(length).decode("utf-8", errors="replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            self._text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        elif kind == "application/sparql-query":
            self._answer(self.server.queries.query(body, self.headers.get("Accept", "")))
        elif kind == "application/x-www-form-urlencoded":
            params = parse_qs(body)
            if "update" in params:
                self._text(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            elif "query" in params:
                self._answer(self.server.queries.query(params["query"][0], self.headers.get("Accept", "")))
            else:
                self._text(HTTPStatus.BAD_REQUEST, "give the query as query=")
        else:
            self._text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                       "send application/sparql-query or application/x-www-form-urlencoded")

    def _answer(self, answer: Answer) -> None:
        headers = {"X-Result-Truncated": "true"} if answer.truncated else {}
        self._send(answer.status, answer.content_type, answer.body, headers)

    def _entity(self, rest: str) -> None:
        fmt = None
        for suffix, name in _SUFFIXES.items():
            if rest.endswith(suffix):
                fmt, rest = name, rest[: -len(suffix)]
                break
        description = None
        for iri in pages.iri_candidates(self.server.base, rest):
            description = pages.describe(self.server.store, iri)
            if description is not None:
                break
        if description is None:
            self._not_found(self.server.base + rest)
            return
        if fmt is None:
            fmt = pages.negotiate(self.headers.get("Accept"))
            if fmt is None:
                self._text(HTTPStatus.NOT_ACCEPTABLE, "available: " + ", ".join(pages.MEDIA_TYPES.values()))
                return
        href = self.server.linker.href(description.iri)
        headers = {"Vary": "Accept", "Content-Location": href + ("" if fmt == "html" else "." + fmt),
                   "Link": ", ".join(f'<{href}.{f}>; rel="alternate"; type="{pages.MEDIA_TYPES[f].split(";")[0]}"'
                                     for f in ("ttl", "jsonld", "nt"))}
        if fmt == "html":
            alternates = {"Turtle": href + ".ttl", "JSON-LD": href + ".jsonld", "N-Triples": href + ".nt"}
            body = pages.entity_html(self.server.store, description, self.server.linker, alternates,
                                     nav="<a href='/'>dataset</a><a href='/sparql'>SPARQL</a>"
                                         "<a href='/ontology'>ontology</a>").encode("utf-8")
        else:
            body = pages.serialise(description.triples, fmt)
        self._send(200, pages.MEDIA_TYPES[fmt], body, headers)

    def _ontology(self) -> None:
        fmt = pages.negotiate(self.headers.get("Accept"))
        if fmt in ("ttl", "nt", "jsonld"):
            self._send(200, "text/turtle; charset=utf-8", pages.ONTOLOGY_FILE.read_bytes(), {"Vary": "Accept"})
        else:
            self._send(200, "text/html; charset=utf-8", pages.ontology_html().encode("utf-8"), {"Vary": "Accept"})

    def _void(self) -> str:
        from kg.publish.describe import dataset_description

        assert self.server.build_dir is not None
        endpoint = f"http://{self.headers.get('Host', 'localhost')}/sparql"
        return dataset_description(self.server.build_dir, sparql_endpoint=endpoint).serialize(format="turtle")

    def _index(self) -> None:
        links = ["<li><a href='/sparql'>SPARQL endpoint</a> (read-only; "
                 f"{self.server.queries.timeout:g} s, {self.server.queries.max_rows} rows at most)</li>",
                 "<li><a href='/ontology'>ontology</a></li>", "<li><a href='/context.jsonld'>JSON-LD context</a></li>"]
        if self.server.build_dir is not None:
            links.append("<li><a href='/void.ttl'>dataset description (DCAT/VoID)</a></li>")
        rows = self.server.store.query(
            "SELECT ?d ?title ?file WHERE { ?d a <https://w3id.org/budget-kg/ontology#Disclosure> ; "
            "<https://w3id.org/budget-kg/ontology#sourceFile> ?file . OPTIONAL { ?d <http://purl.org/dc/terms/title> "
            "?title } } ORDER BY ?file", use_default_graph_as_union=True)
        seen: set[str] = set()
        items = []
        for row in rows:
            if row["d"].value in seen:
                continue
            seen.add(row["d"].value)
            title = row["title"].value if row["title"] is not None else row["file"].value
            items.append(f"<li><a href='{html.escape(self.server.linker.href(row['d'].value))}'>"
                         f"{html.escape(title)}</a> <span class='dt'>{html.escape(row['file'].value)}</span></li>")
        body = (f"<h1>budget-kg</h1><ul>{''.join(links)}</ul><h2>Disclosures 预算公开文件</h2>"
                f"<ul>{''.join(items)}</ul>")
        self._send(200, "text/html; charset=utf-8", pages.page("budget-kg", body).encode("utf-8"))

    def _sparql_form(self) -> None:
        body = ("<h1>SPARQL</h1><form method='post' action='/sparql'>"
                "<textarea name='query' rows='12' cols='100'>SELECT * WHERE { ?s ?p ?o } LIMIT 10</textarea><br>"
                "<button>run</button></form><p>Read-only: updates are refused. Results: JSON by default; "
                "ask for XML, CSV or TSV with Accept.</p>")
        self._send(200, "text/html; charset=utf-8", pages.page("SPARQL", body).encode("utf-8"))


def make_server(store_dir: str | Path, host: str = "127.0.0.1", port: int = 8000, base: str = DEFAULT_BASE,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS) -> LinkedDataServer:
    """A ready server (port 0 picks a free one: see ``server.server_address``); call ``serve_forever()``."""
    return LinkedDataServer((host, port), Path(store_dir), base, timeout, max_rows)
