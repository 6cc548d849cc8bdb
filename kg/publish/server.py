"""``budget-kg serve``: a read-only linked-data server over the store, served by waitress.

Routes::

    /                      the dataset: description (DCAT/VoID when a build directory is served), links
    /id/…                  an entity: HTML for people, Turtle / N-Triples / JSON-LD by Accept (Vary: Accept);
                           ``/id/….ttl`` / ``.nt`` / ``.jsonld`` / ``.html`` ask for one format by name
    /ontology              the ontology (HTML or Turtle); entity IRIs in its namespace link here
    /context.jsonld        the JSON-LD context the JSON-LD answers reference
    /void.ttl, /dataset    the dataset description (when serving a build directory); /dataset also as HTML
    /download/graph.ttl    the dumps the description names (graph.ttl, graph.nt, graph.jsonld when built)
    /sparql                SPARQL 1.1 Protocol, queries only (GET ?query=, POST form or sparql-query body);
                           a browser gets the YASGUI editor, and an HTML table for a query it submits
                           (Accept: text/html); ``?format=json|xml|csv|tsv`` names a result format in a link
    /queries, /queries/N   the query library as canned queries: a parameter form, results as HTML,
                           ``/queries/N.json`` / ``.csv`` for programs
    /vendor/…              the editor's script and style (vendored: the UI works offline)

Entity URIs ``{base}…`` (default https://w3id.org/budget-kg/id/…) map to local paths ``/id/…``; w3id
redirects the public URIs to wherever this runs.

The application (``LinkedDataApp``) is plain WSGI with a route table: a new page is one ``router.add`` of a
function from ``Request`` to ``Response``. It is served by waitress, a maintained pure-Python WSGI server
built for this: an event loop reads requests (a half-open or slow connection holds no thread and is closed
after ``read_timeout`` seconds idle), a bounded pool of ``threads`` runs the application, at most
``connection_limit`` connections are open (more wait in the listen ``backlog``), and request heads and bodies
over their limits are refused with 4xx before the application sees them. SPARQL's own bounds (time, memory,
result size, concurrency with a clean 503 beyond it) are in ``kg.publish.sparql``.

Every answer the server gives is a status line: a malformed path, query string or header is a 4xx, an
unexpected failure a 500 logged as one line (tracebacks only at debug level) — never a dropped connection.
Nothing a client sends is reflected into the dataset description (the SPARQL endpoint it names is the
operator's ``public_url``, never the request's ``Host``); the ontology and the description are made once.
"""

from __future__ import annotations

import html
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote_to_bytes, urlsplit

import pyoxigraph as ox

from kg.publish import pages, query_ui
from kg.publish.sparql import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PENDING,
    DEFAULT_MAX_ROWS,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    DEFAULT_WORKERS,
    Answer,
    QueryService,
)
from kg.rdf.namespaces import DEFAULT_BASE

log = logging.getLogger(__name__)
_SUFFIXES = {".ttl": "ttl", ".nt": "nt", ".jsonld": "jsonld", ".rdf": "rdf", ".html": "html"}
MAX_QUERY_BYTES = 100_000  # a request body, or a GET query's text
MAX_HEADER_BYTES = 3 * MAX_QUERY_BYTES + 16_384  # the head holds a GET query percent-encoded
MAX_QUERY_FIELDS = 32
DEFAULT_THREADS = 8
DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_READ_TIMEOUT = 30.0
DEFAULT_BACKLOG = 1024
TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"


class HTTPError(Exception):
    """An answer other than 2xx, raised anywhere in a handler; its message is the plain-text body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | None = None  # a large file sent from disk in chunks instead of ``body``

    @classmethod
    def text(cls, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        return cls(status, TEXT, (message + "\n").encode("utf-8"), headers or {})


class Request:
    """One request, read strictly: a path or query that is not UTF-8, a bad Content-Length, a body over the
    limit each raise HTTPError 4xx."""

    def __init__(self, environ: dict[str, Any]) -> None:
        self.environ = environ
        self.method = environ.get("REQUEST_METHOD", "GET").upper()
        raw_uri = environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/%")
        parts = urlsplit(raw_uri)
        self.raw_path = parts.path  # percent-encoded as the client sent it
        try:
            self.path = unquote_to_bytes(self.raw_path).decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "the path is not percent-encoded UTF-8") from None
        if "\x00" in self.path:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "the path holds a NUL character")
        self.query = self._parse_form(environ.get("QUERY_STRING", ""), "query string")

    @staticmethod
    def _parse_form(text: str, what: str) -> dict[str, list[str]]:
        try:
            return parse_qs(text, max_num_fields=MAX_QUERY_FIELDS, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"the {what} is not percent-encoded UTF-8") from None
        except ValueError:
            raise HTTPError(HTTPStatus.BAD_REQUEST, f"the {what} has more than {MAX_QUERY_FIELDS} fields") from None

    def header(self, name: str, default: str = "") -> str:
        key = name.upper().replace("-", "_")
        value = self.environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key)
        return default if value is None else str(value)

    @cached_property
    def body(self) -> bytes:
        """The body, at most MAX_QUERY_BYTES. waitress already refuses a malformed or oversized Content-Length;
        this checks again so the application is safe behind any WSGI server."""
        declared = self.header("Content-Length").strip()
        if not declared:
            return b""
        if not declared.isascii() or not declared.isdigit():
            raise HTTPError(HTTPStatus.BAD_REQUEST, "Content-Length must be a non-negative whole number")
        length = int(declared)
        if length > MAX_QUERY_BYTES:
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"bodies are limited to {MAX_QUERY_BYTES} bytes")
        data = self.environ["wsgi.input"].read(length)
        if len(data) < length:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "the body is shorter than its Content-Length")
        return data

    def form(self) -> dict[str, list[str]]:
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "the form body is not UTF-8") from None
        return self._parse_form(text, "form body")


Handler = Callable[[Request], Response]


@dataclass
class Route:
    path: str
    handler: Handler
    methods: tuple[str, ...] = ("GET", "HEAD")
    prefix: bool = False  # the route answers every path under ``path``

    def matches(self, path: str) -> bool:
        return path.startswith(self.path) if self.prefix else path == self.path


class Router:
    """Routes in the order added; the first whose path matches answers (405 when its methods do not)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, path: str, handler: Handler, methods: tuple[str, ...] = ("GET", "HEAD"),
            prefix: bool = False) -> None:
        self.routes.append(Route(path, handler, methods, prefix))

    def find(self, path: str) -> Route | None:
        return next((route for route in self.routes if route.matches(path)), None)


def _store_path(store_dir: Path) -> Path:
    directory = Path(store_dir)
    return directory / "store" if (directory / "store").is_dir() else directory


class LinkedDataApp:
    """The WSGI application: linked-data pages and the SPARQL endpoint over one read-only store."""

    def __init__(self, store_dir: str | Path, base: str = DEFAULT_BASE, queries: QueryService | None = None,
                 public_url: str = "http://localhost:8000/") -> None:
        self.store_path = _store_path(Path(store_dir))
        self.store = ox.Store.read_only(str(self.store_path))
        self.base = base
        self.linker = pages.server_linker(base)
        self.build_dir = self.store_path.parent if (self.store_path.parent / "report.json").is_file() else None
        self.queries = queries or QueryService(self.store_path)
        self.public_url = public_url.rstrip("/") + "/"
        self._once_lock = threading.RLock()  # a page made once may use another
        self._once: dict[str, bytes] = {}
        self._once_graphs: dict[str, Any] = {}
        self.router = Router()
        self.router.add("/sparql", self.sparql, ("GET", "HEAD", "POST"))
        self.router.add("/id/", self.entity, prefix=True)
        self.router.add("/ontology", self.ontology)
        self.router.add("/ontology/", self.ontology)
        self.router.add("/context.jsonld", lambda _: Response(200, "application/ld+json",
                                                              self.once("context", pages.CONTEXT_FILE.read_bytes)))
        self.router.add("/vendor/", self.vendor, prefix=True)
        self.router.add("/queries", self.library)
        self.router.add("/queries/", self.canned_query, prefix=True)
        if self.build_dir is not None:
            self.router.add("/void.ttl", self.void)
            self.router.add("/dataset", self.dataset)
            self.router.add("/download/", self.download, prefix=True)
        self._dump_dir: Path | None = None
        self.router.add("/", self.index)

    # --- plumbing -----------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        response = self.respond(environ)
        length = response.file.stat().st_size if response.file is not None else len(response.body)
        headers = [("Content-Type", response.content_type), ("Content-Length", str(length)),
                   ("Access-Control-Allow-Origin", "*"), ("X-Content-Type-Options", "nosniff"),
                   *response.headers.items()]
        start_response(f"{response.status} {HTTPStatus(response.status).phrase}", headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        if response.file is not None:
            stream = response.file.open("rb")
            wrapper = environ.get("wsgi.file_wrapper")
            return wrapper(stream, 1 << 16) if wrapper else iter(lambda: stream.read(1 << 16), b"")
        return [response.body]

    def respond(self, environ: dict[str, Any]) -> Response:
        try:
            request = Request(environ)
            route = self.router.find(request.path)
            if route is None:
                return self._not_found(request.path)
            if request.method not in route.methods:
                allowed = ", ".join(route.methods)
                return Response.text(HTTPStatus.METHOD_NOT_ALLOWED, f"this server is read-only: {allowed} here",
                                     {"Allow": allowed})
            return route.handler(request)
        except HTTPError as error:
            return Response.text(error.status, error.message, error.headers)
        except Exception as exc:  # one line in the log, never a traceback (except at debug level)
            log.error("%s %s failed: %s: %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")[:200],
                      type(exc).__name__, exc)
            log.debug("traceback", exc_info=True)
            return Response.text(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error; the server log says more")

    def once(self, key: str, make: Callable[[], bytes]) -> bytes:
        """A page that never changes while the server runs (the store is read-only): made on first use."""
        with self._once_lock:
            if key not in self._once:
                self._once[key] = make()
            return self._once[key]

    def close(self) -> None:
        self.queries.close()
        if self._dump_dir is not None:
            import shutil

            shutil.rmtree(self._dump_dir, ignore_errors=True)

    def _not_found(self, what: str) -> Response:
        body = pages.page("not found", f"<h1>404</h1><p>Nothing is known about {html.escape(what)}.</p>"
                          "<p><a href='/'>the dataset</a></p>")
        return Response(HTTPStatus.NOT_FOUND, HTML, body.encode("utf-8"))

    # --- routes -------------------------------------------------------------------------------------
    def sparql(self, request: Request) -> Response:
        params = request.query
        accept = request.header("Accept")
        if request.method == "POST":
            kind = request.header("Content-Type").split(";")[0].strip().lower()
            if kind == "application/sparql-update":
                raise HTTPError(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
            if kind == "application/sparql-query":
                try:
                    return self._answer(self.queries.query(request.body.decode("utf-8"), accept))
                except UnicodeDecodeError:
                    raise HTTPError(HTTPStatus.BAD_REQUEST, "the query is not UTF-8") from None
            if kind != "application/x-www-form-urlencoded":
                raise HTTPError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                                "send application/sparql-query or application/x-www-form-urlencoded")
            params = request.form()
            if "query" not in params and "update" not in params:
                raise HTTPError(HTTPStatus.BAD_REQUEST, "give the query as query=")
        if "update" in params:
            raise HTTPError(HTTPStatus.FORBIDDEN, "this endpoint is read-only: updates are refused")
        named = (params.get("format") or request.query.get("format") or [""])[0]
        if named and named not in query_ui.FORMAT_ACCEPT:
            raise HTTPError(HTTPStatus.BAD_REQUEST, "format= is one of " + ", ".join(query_ui.FORMAT_ACCEPT))
        if "query" not in params:
            return self._sparql_form()
        text = params["query"][0]
        if len(text.encode("utf-8")) > MAX_QUERY_BYTES:
            raise HTTPError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"queries are limited to {MAX_QUERY_BYTES} bytes")
        if named:
            return self._answer(self.queries.query(text, query_ui.FORMAT_ACCEPT[named]))
        if query_ui.wants_html(accept):
            return self._html_results("SPARQL results", text, "/sparql", {"query": text})
        return self._answer(self.queries.query(text, accept))

    def _html_results(self, title: str, text: str, path: str, params: dict[str, str], intro: str = "") -> Response:
        """A query's result as a page: an HTML table (a graph result as Turtle), with links to the data."""
        answer = self.queries.query(text, "application/sparql-results+json, text/turtle")
        headers = {"Vary": "Accept"}
        if answer.status != 200:
            message = answer.body.decode("utf-8", errors="replace").strip()
            return Response(answer.status, HTML, query_ui.error_page(title, answer.status, message, text)
                            .encode("utf-8"), {**headers, **answer.headers})
        if answer.content_type.startswith("application/sparql-results+json"):
            table, count = query_ui.results_table(answer.body, self.linker.href, self._names(answer.body))
            links = query_ui.format_links(path, params)
        else:
            table = f"<pre>{html.escape(answer.body.decode('utf-8'))}</pre>"
            count = answer.body.count(b"\n")
            links = query_ui.format_links(path, params, ("ttl", "nt", "jsonld"))
        body = query_ui.results_page(title, text, table, count, answer.truncated, links, intro)
        return Response(200, HTML, body.encode("utf-8"), headers)

    def _names(self, body: bytes) -> dict[str, str]:
        """The labels of what a result names only by a disclosure's line (its projects): one query."""
        iris = query_ui.result_iris(body)
        if not iris:
            return {}
        answer = self.queries.query(query_ui.label_query(iris), "application/sparql-results+json")
        if answer.status != 200:
            return {}
        names: dict[str, str] = {}
        for row in json.loads(answer.body)["results"]["bindings"]:
            names.setdefault(row["s"]["value"], row["label"]["value"])
        return names

    @staticmethod
    def _answer(answer: Answer) -> Response:
        headers = dict(answer.headers)
        if answer.truncated:
            headers["X-Result-Truncated"] = "true"
        return Response(answer.status, answer.content_type, answer.body, headers)

    def entity(self, request: Request) -> Response:
        rest = request.raw_path[len("/id/"):]
        fmt = None
        for suffix, name in _SUFFIXES.items():
            if rest.endswith(suffix):
                fmt, rest = name, rest[: -len(suffix)]
                break
        description = None
        for iri in pages.iri_candidates(self.base, rest):
            try:
                description = pages.describe(self.store, iri)
            except ValueError:  # not an IRI at all (a space, a "<"): nothing can be known about it
                continue
            if description is not None:
                break
        if description is None:
            moved = next(filter(None, (pages.moved_project(self.store, self.base, iri)
                                       for iri in pages.iri_candidates(self.base, rest))), None)
            if moved is not None:  # an IRI minted before projects were scoped by their unit: where it is now
                location = self.linker.href(moved) + ("" if fmt is None else "." + fmt)
                return Response.text(HTTPStatus.MOVED_PERMANENTLY, location, {"Location": location})
            return self._not_found(self.base + request.path[len("/id/"):])
        if fmt is None:
            fmt = pages.negotiate(request.header("Accept") or None)
            if fmt is None:
                return self._not_acceptable(request.path)
        href = self.linker.href(description.iri)
        headers = {"Vary": "Accept", "Content-Location": href + ("" if fmt == "html" else "." + fmt),
                   "Link": ", ".join(f'<{href}.{f}>; rel="alternate"; type="{pages.MEDIA_TYPES[f].split(";")[0]}"'
                                     for f in ("ttl", "jsonld", "nt", "rdf"))}
        if fmt == "html":
            alternates = {"Turtle": href + ".ttl", "JSON-LD": href + ".jsonld", "N-Triples": href + ".nt",
                          "RDF/XML": href + ".rdf"}
            body = pages.entity_html(self.store, description, self.linker, alternates,
                                     nav="<a href='/'>dataset</a><a href='/sparql'>SPARQL</a>"
                                         "<a href='/ontology'>ontology</a>").encode("utf-8")
        else:
            body = pages.serialise(description.triples, fmt)
        return Response(200, pages.MEDIA_TYPES[fmt], body, headers)

    @staticmethod
    def _not_acceptable(path: str) -> Response:
        """406 naming every media type this resource has, and the suffixes that ask for one by name."""
        lines = [f"{path} is available as:"] + [f"  {media.split(';')[0]:<24} {path}.{fmt}"
                                                 for fmt, media in pages.MEDIA_TYPES.items()]
        return Response.text(HTTPStatus.NOT_ACCEPTABLE, "\n".join(lines), {"Vary": "Accept"})

    def ontology(self, request: Request) -> Response:
        fmt = pages.negotiate(request.header("Accept") or None)
        if fmt is None:
            return self._not_acceptable(request.path)
        if fmt == "rdf":
            def as_xml() -> bytes:
                from rdflib import Graph

                graph = Graph().parse(data=pages.ontology_turtle().decode("utf-8"), format="turtle")
                return graph.serialize(format="xml").encode("utf-8")

            return Response(200, pages.MEDIA_TYPES["rdf"], self.once("ontology.rdf", as_xml), {"Vary": "Accept"})
        if fmt in ("ttl", "nt", "jsonld"):
            turtle = self.once("ontology.ttl", pages.ontology_turtle)
            return Response(200, "text/turtle; charset=utf-8", turtle, {"Vary": "Accept"})
        return Response(200, HTML, self.once("ontology.html", lambda: pages.ontology_html().encode("utf-8")),
                        {"Vary": "Accept"})

    def void(self, _request: Request) -> Response:
        return Response(200, "text/turtle; charset=utf-8",
                        self.once("void.ttl", lambda: self._description().serialize(format="turtle").encode("utf-8")))

    def index(self, _request: Request) -> Response:
        return Response(200, HTML, self.once("index", self._index_page))

    def _index_page(self) -> bytes:
        links = ["<li><a href='/sparql'>SPARQL endpoint and query editor</a> (read-only; "
                 f"{self.queries.timeout:g} s, {self.queries.max_rows} rows at most)</li>",
                 "<li><a href='/queries'>canned queries</a> (the query library, with a form)</li>",
                 "<li><a href='/ontology'>ontology</a></li>", "<li><a href='/context.jsonld'>JSON-LD context</a></li>"]
        if self.build_dir is not None:
            links.append("<li><a href='/dataset'>dataset description (DCAT/VoID)</a>, "
                         "<a href='/void.ttl'>as Turtle</a></li>")
        rows = self.store.query(
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
            items.append(f"<li><a href='{html.escape(self.linker.href(row['d'].value))}'>"
                         f"{html.escape(title)}</a> <span class='dt'>{html.escape(row['file'].value)}</span></li>")
        body = (f"<h1>budget-kg</h1><ul>{''.join(links)}</ul><h2>Disclosures 预算公开文件</h2>"
                f"<ul>{''.join(items)}</ul>")
        return pages.page("budget-kg", body).encode("utf-8")

    def _sparql_form(self) -> Response:
        page = self.once("sparql.html", lambda: query_ui.editor_page(self.queries.timeout, self.queries.max_rows)
                         .encode("utf-8"))
        return Response(200, HTML, page)

    def vendor(self, request: Request) -> Response:
        name = request.path[len("/vendor/"):]
        if name not in query_ui.VENDOR_FILES:
            return self._not_found(request.path)
        data = self.once("vendor/" + name, (query_ui.VENDOR_DIR / name).read_bytes)
        return Response(200, query_ui.VENDOR_FILES[name], data, {"Cache-Control": "public, max-age=86400"})

    # --- the query library --------------------------------------------------------------------------
    def library(self, _request: Request) -> Response:
        from kg.query.library import load_library

        return Response(200, HTML, query_ui.library_page(load_library()).encode("utf-8"))

    def canned_query(self, request: Request) -> Response:
        from kg.errors import BudgetKGError
        from kg.query.library import load_library
        from kg.query.params import bind

        name = request.path[len("/queries/"):]
        fmt = None
        for suffix in (".json", ".csv", ".xml", ".tsv"):
            if name.endswith(suffix):
                name, fmt = name[: -len(suffix)], suffix[1:]
        library = load_library()
        if name not in library:
            return self._not_found(request.path)
        query = library[name]
        given = {key: values[0] for key, values in request.query.items() if values and values[0].strip()}
        missing = [p.name for p in query.parameters if p.required and p.name not in given]
        title = f"{query.name}: {query.title}"
        if missing and fmt is None:
            body = f"<h1>{html.escape(title)}</h1>" + query_ui.query_form(query, given)
            return Response(200, HTML, pages.page(query.name, body, query_ui.nav()).encode("utf-8"))
        try:
            text = bind(query, given)
        except BudgetKGError as error:
            raise HTTPError(HTTPStatus.BAD_REQUEST, str(error)) from None
        if fmt is not None:
            return self._answer(self.queries.query(text, query_ui.FORMAT_ACCEPT[fmt]))
        return self._html_results(title, text, "/queries/" + name, given, query_ui.query_form(query, given))

    # --- the dataset description and its dumps -------------------------------------------------------
    def dataset(self, request: Request) -> Response:
        fmt = pages.negotiate(request.header("Accept") or None)
        if fmt is None:
            return self._not_acceptable(request.path)
        headers = {"Vary": "Accept"}
        if fmt == "html":
            from kg.publish.describe import description_html

            page = self.once("dataset.html", lambda: description_html(self._description(), query_ui.nav())
                             .encode("utf-8"))
            return Response(200, HTML, page, headers)
        if fmt == "ttl":
            return Response(200, pages.MEDIA_TYPES["ttl"], self.void(request).body, headers)
        graph_format = {"nt": "nt", "jsonld": "json-ld", "rdf": "xml"}[fmt]
        data = self.once("dataset." + fmt, lambda: self._description().serialize(format=graph_format)
                         .encode("utf-8"))
        return Response(200, pages.MEDIA_TYPES[fmt], data, headers)

    def _description(self):  # type: ignore[no-untyped-def]
        from kg.publish.describe import dataset_description

        assert self.build_dir is not None
        with self._once_lock:
            if "description" not in self._once_graphs:
                self._once_graphs["description"] = dataset_description(
                    self.build_dir, sparql_endpoint=self.public_url + "sparql", formats=self._dump_formats())
            return self._once_graphs["description"]

    def _dump_formats(self) -> tuple[str, ...]:
        """Dumps this server offers: Turtle and N-Triples always (made from graphs/ when the build did not
        write them), JSON-LD when the build wrote it."""
        assert self.build_dir is not None
        return ("ttl", "nt") + (("jsonld",) if (self.build_dir / "graph.jsonld").is_file() else ())

    def download(self, request: Request) -> Response:
        from kg.publish.describe import DISTRIBUTIONS

        assert self.build_dir is not None
        name = request.path[len("/download/"):]
        known = {file_name: (fmt, media) for fmt, (file_name, media) in DISTRIBUTIONS.items()}
        if name not in known or known[name][0] not in self._dump_formats():
            return self._not_found(request.path)
        fmt, media = known[name]
        path = self.build_dir / name
        if not path.is_file():
            path = self._made_dump(fmt)
        media_type = pages.MEDIA_TYPES.get(fmt, media)
        return Response(200, media_type, b"", {"Content-Disposition": f'attachment; filename="{name}"'}, file=path)

    def _made_dump(self, fmt: str) -> Path:
        """graph.ttl / graph.nt written once from graphs/*.nt (each triple is in exactly one of them), streamed
        to a temporary file the server removes when it closes."""
        import tempfile

        assert self.build_dir is not None
        with self._once_lock:
            if self._dump_dir is None:
                self._dump_dir = Path(tempfile.mkdtemp(prefix="budget-kg-serve-"))
            target = self._dump_dir / f"graph.{fmt}"
            if not target.is_file():
                sources = sorted((self.build_dir / "graphs").glob("*.nt"))
                triples = (quad.triple if hasattr(quad, "triple") else quad for path in sources
                           for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
                partial = target.with_suffix(".partial")
                rdf_format = ox.RdfFormat.TURTLE if fmt == "ttl" else ox.RdfFormat.N_TRIPLES
                prefixes = {k: str(v) for k, v in pages.PREFIXES.items()} if fmt == "ttl" else None
                ox.serialize(triples, output=str(partial), format=rdf_format, prefixes=prefixes)
                partial.rename(target)
            return target


@dataclass
class ServerLimits:
    """What the HTTP layer bounds (see the module docstring); SPARQL's bounds are QueryService's."""

    threads: int = DEFAULT_THREADS
    connection_limit: int = DEFAULT_CONNECTION_LIMIT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    backlog: int = DEFAULT_BACKLOG


class LinkedDataServer:
    """The app on a waitress server: ``serve_forever()`` in one thread, ``shutdown()`` from another."""

    def __init__(self, app: LinkedDataApp, host: str, port: int, limits: ServerLimits) -> None:
        from waitress import create_server

        self.app = app
        self.limits = limits
        self._server = create_server(
            app, host=host, port=port, threads=limits.threads, connection_limit=limits.connection_limit,
            channel_timeout=limits.read_timeout, cleanup_interval=max(1, min(30, int(limits.read_timeout / 2))),
            backlog=limits.backlog, max_request_body_size=MAX_QUERY_BYTES, max_request_header_size=MAX_HEADER_BYTES,
            asyncore_use_poll=True,  # select() cannot watch more than 1,024 sockets
            ident="budget-kg", expose_tracebacks=False, clear_untrusted_proxy_headers=True)
        self.server_address: tuple[str, int] = (str(self._server.effective_host), int(self._server.effective_port))

    def serve_forever(self) -> None:
        self._server.run()

    def shutdown(self) -> None:
        """Stop accepting and end the event loop (``serve_forever`` returns within a second)."""
        from waitress import wasyncore

        self._server.task_dispatcher.shutdown(timeout=5)
        wasyncore.close_all(self._server._map)

    def server_close(self) -> None:
        self.app.close()


def make_server(store_dir: str | Path, host: str = "127.0.0.1", port: int = 8000, base: str = DEFAULT_BASE,
                timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS, *,
                max_bytes: int = DEFAULT_MAX_BYTES, memory_mb: int = DEFAULT_MEMORY_MB,
                workers: int = DEFAULT_WORKERS, max_pending: int = DEFAULT_MAX_PENDING,
                allow_service: bool = False, public_url: str | None = None,
                limits: ServerLimits | None = None) -> LinkedDataServer:
    """A ready server (port 0 picks a free one: see ``server.server_address``); call ``serve_forever()``.

    ``public_url`` is where clients reach it (named as the SPARQL endpoint in /void.ttl); by default the
    address it listens on."""
    store_path = _store_path(Path(store_dir))
    queries = QueryService(store_path, timeout=timeout, max_rows=max_rows, workers=workers, max_bytes=max_bytes,
                           memory_mb=memory_mb, max_pending=max_pending, allow_service=allow_service)
    app = LinkedDataApp(store_path, base, queries)
    try:
        server = LinkedDataServer(app, host, port, limits or ServerLimits())
    except BaseException:
        app.close()
        raise
    bound_host, bound_port = server.server_address
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    app.public_url = (public_url or f"http://{shown}:{bound_port}").rstrip("/") + "/"
    return server
