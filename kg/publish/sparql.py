"""A bounded, read-only SPARQL 1.1 query service over the store.

pyoxigraph cannot interrupt a running query from another thread, so every query runs in a worker
*process* (each opens the store read-only). The server waits for the answer until a deadline; a worker
that misses it is killed and replaced, and the client gets 503. Every resource a query can take is bounded:

- time: the deadline above;
- memory: each worker runs under an address-space data limit (``RLIMIT_DATA``); a query that needs more
  (a string doubled by nested CONCATs) ends its worker, which is replaced, and the client gets 503;
- result size: at most ``max_rows`` solutions (or triples) and ``max_bytes`` bytes are serialised, read
  from the iterator one at a time so a huge result never builds up; a cut result carries the header
  ``X-Result-Truncated: true``;
- concurrency: ``workers`` queries run at once and ``max_pending`` more may wait; beyond that the answer
  is an immediate 503 with ``Retry-After`` (a clean refusal, not a timeout);
- the network: a ``SERVICE`` clause would make the server fetch any URL (server-side request forgery), so
  federated queries are refused unless the operator allows them (``allow_service``);
- the parser: more than ``query_check.MAX_NESTING`` nested brackets is refused before it reaches the
  engine, whose recursive parser overflows its stack near 10,000.

Updates are refused twice over: the store is opened read-only, and anything that does not parse as a
query (or comes as ``update=`` / ``application/sparql-update``) is answered 403 without being run.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
import queue
import re
import select
import struct
import subprocess
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.publish.query_check import MAX_NESTING, inspect_query

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # a result body; 10,000 rows of a wide SELECT are ~3 MB of JSON
DEFAULT_MEMORY_MB = 1024  # per query worker; an idle worker over the seeds' store holds ~200 MB of data
DEFAULT_WORKERS = 2
DEFAULT_MAX_PENDING = 32  # queries that may wait for a worker; beyond, 503 at once
WORKER_START_TIMEOUT = 60.0  # importing and opening the store, before the first query
TEXT = "text/plain; charset=utf-8"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# An update's first keyword after its prologue (PREFIX/BASE lines and comments).
_UPDATE = re.compile(r"^\s*(?:(?:#[^\n]*\n|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*){0,200}"
                     r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)

RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
GRAPH_TYPES = {
    "ttl": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "nt": ("application/n-triples; charset=utf-8", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
}
_ACCEPT_RESULTS = {"application/sparql-results+json": "json", "application/json": "json",
                   "application/sparql-results+xml": "xml", "application/xml": "xml", "text/csv": "csv",
                   "text/tab-separated-values": "tsv"}
_ACCEPT_GRAPH = {"text/turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt",
                 "application/ld+json": "jsonld"}


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def _refusal(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, TEXT, (message + "\n").encode("utf-8"), headers=headers or {})


def looks_like_update(text: str) -> bool:
    return bool(_UPDATE.match(text))


def _pick(accept: str, table: dict[str, str], default: str) -> str:
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in table:
            return table[media]
    return default


# --- serialising bounded results (in the worker) ---------------------------------------------------------

def _json_term(term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _tsv_term(term) -> str:
    if term is None:
        return ""
    return str(term)  # pyoxigraph prints terms in N-Triples syntax, which is what SPARQL TSV asks for


def _take(results: Iterable[T], limit: int) -> tuple[list[T], bool]:
    """At most ``limit`` results, and whether more were left (the result-size bound)."""
    taken: list[T] = []
    for item in results:
        if len(taken) == limit:
            return taken, True
        taken.append(item)
    return taken, False


class _Budget:
    """Rows and bytes left for one result: ``fits(n)`` spends ``n`` bytes and one row, or says it cannot."""

    def __init__(self, max_rows: int, max_bytes: int) -> None:
        self.rows = max_rows
        self.bytes = max_bytes
        self.truncated = False

    def fits(self, size: int) -> bool:
        if self.rows <= 0 or size > self.bytes:
            self.truncated = True
            return False
        self.rows -= 1
        self.bytes -= size
        return True


def _rows(solutions: ox.QuerySolutions, variables: list[str], encode, budget: _Budget) -> list[str]:
    """Each solution encoded by ``encode`` while the budget lasts; stops reading the iterator at once."""
    out: list[str] = []
    for solution in solutions:
        text = encode([solution[v] for v in variables])
        if not budget.fits(len(text.encode("utf-8"))):
            break
        out.append(text)
    return out


def _solutions(solutions: ox.QuerySolutions, fmt: str, max_rows: int,
               max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, bool]:
    variables = [v.value for v in solutions.variables]
    budget = _Budget(max_rows, max_bytes)
    if fmt == "json":
        def encode_json(row: list) -> str:
            return json.dumps({v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None},
                              ensure_ascii=False)
        rows = _rows(solutions, variables, encode_json, budget)
        head = json.dumps({"vars": variables}, ensure_ascii=False)
        body = '{"head": ' + head + ', "results": {"bindings": [' + ", ".join(rows) + "]}}"
        return body.encode("utf-8"), budget.truncated
    if fmt == "xml":
        def encode_xml(row: list) -> str:
            return "<result>" + "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                                        for v, t in zip(variables, row, strict=True) if t is not None) + "</result>"
        rows = _rows(solutions, variables, encode_xml, budget)
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out += ["</head><results>", *rows, "</results></sparql>\n"]
        return "".join(out).encode("utf-8"), budget.truncated
    if fmt == "csv":
        def encode_csv(row: list) -> str:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerow(["" if t is None else t.value for t in row])
            return buffer.getvalue()
        rows = _rows(solutions, variables, encode_csv, budget)
        return (encode_csv_header(variables) + "".join(rows)).encode("utf-8"), budget.truncated
    rows = _rows(solutions, variables, lambda row: "\t".join(_tsv_term(t) for t in row) + "\n", budget)
    return ("\t".join("?" + v for v in variables) + "\n" + "".join(rows)).encode("utf-8"), budget.truncated


def encode_csv_header(variables: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(variables)
    return buffer.getvalue()


def _triples(results: Iterable[ox.Triple], budget: _Budget) -> list[ox.Triple]:
    taken: list[ox.Triple] = []
    for triple in results:
        if not budget.fits(len(str(triple).encode("utf-8")) + 3):  # its N-Triples line: an upper bound
            break
        taken.append(triple)
    return taken


def run_bounded(store: ox.Store, text: str, accept: str, max_rows: int,
                max_bytes: int = DEFAULT_MAX_BYTES) -> Answer:
    """Run one query within the row and byte bounds (no deadline: the caller's process boundary gives that)."""
    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        if looks_like_update(text):
            return Answer(403, "text/plain; charset=utf-8", b"this endpoint is read-only: updates are refused\n")
        return Answer(400, "text/plain; charset=utf-8", f"SPARQL syntax error: {exc}\n".encode())
    except (OSError, ValueError) as exc:
        return Answer(400, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode())
    if isinstance(result, ox.QueryBoolean):
        fmt = _pick(accept, _ACCEPT_RESULTS, "json")
        if fmt == "xml":
            body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                    f"<boolean>{'true' if bool(result) else 'false'}</boolean></sparql>\n").encode()
            return Answer(200, RESULT_TYPES["xml"], body)
        return Answer(200, RESULT_TYPES["json"], json.dumps({"head": {}, "boolean": bool(result)}).encode())
    if isinstance(result, ox.QuerySolutions):
        fmt = _pick(accept, _ACCEPT_RESULTS, "json")
        body, truncated = _solutions(result, fmt, max_rows, max_bytes)
        return Answer(200, RESULT_TYPES[fmt], body, truncated)
    fmt = _pick(accept, _ACCEPT_GRAPH, "ttl")
    budget = _Budget(max_rows, max_bytes)
    triples = _triples(result, budget)
    media, rdf_format = GRAPH_TYPES[fmt]
    return Answer(200, media, ox.serialize(triples, format=rdf_format), budget.truncated)


def _read_message(stream) -> object:
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError
    return pickle.loads(stream.read(struct.unpack(">I", header)[0]))


def _write_message(stream, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def limit_memory(megabytes: int) -> None:
    """Cap this process's data segment (heap and anonymous mappings: what a query allocates). Linux
    enforces RLIMIT_DATA for both since 4.7; elsewhere the call may be a no-op, never an error."""
    try:
        import resource

        limit = megabytes * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    except (ImportError, ValueError, OSError):
        pass


def worker_main(store_path: str, max_rows: int, max_bytes: int = DEFAULT_MAX_BYTES,
                memory_mb: int = DEFAULT_MEMORY_MB) -> None:
    """The worker process: read (query, accept) pairs on stdin, answer on stdout, until stdin closes."""
    if memory_mb > 0:
        limit_memory(memory_mb)
    store = ox.Store.read_only(store_path)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    _write_message(stdout, "ready")  # the parent starts a query's deadline only now
    while True:
        try:
            text, accept = _read_message(stdin)  # type: ignore[misc]
        except EOFError:
            return
        try:
            answer = run_bounded(store, text, accept, max_rows, max_bytes)
        except MemoryError:
            answer = _refusal(503, f"query stopped: it needed more than the {memory_mb} MB memory limit")
        except Exception as exc:  # one odd query never takes the worker down
            answer = Answer(500, TEXT, f"query failed: {type(exc).__name__}: {exc}\n".encode())
        # a plain tuple: the reader needs no class to unpickle it
        _write_message(stdout, (answer.status, answer.content_type, answer.body, answer.truncated))


class _Worker:
    """A worker started as ``python -m kg.publish.query_worker``: a plain subprocess, so it never re-runs the
    caller's main module (multiprocessing's spawn does) and can be killed at any moment."""

    def __init__(self, store_path: str, max_rows: int, max_bytes: int, memory_mb: int) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "kg.publish.query_worker", store_path, str(max_rows),
                                         str(max_bytes), str(memory_mb)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        # an engine abort (out of memory) prints a Rust backtrace: the
                                        # server logs one line for it instead
                                        stderr=subprocess.DEVNULL)
        self._wait_ready()

    def _wait_ready(self) -> None:
        """Wait for the worker to have imported and opened the store (seconds on a loaded machine): that
        start-up is not part of the first query's time limit."""
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], WORKER_START_TIMEOUT)
        if not ready or _read_message(self.process.stdout) != "ready":
            self.stop()
            raise OSError("the query worker did not start")

    def ask(self, text: str, accept: str, timeout: float) -> Answer | None:
        """The answer, or None when the deadline passed first."""
        assert self.process.stdin is not None and self.process.stdout is not None
        _write_message(self.process.stdin, (text, accept))
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            return None
        status, content_type, body, truncated = _read_message(self.process.stdout)  # type: ignore[misc]
        return Answer(status, content_type, body, truncated)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=5)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class QueryService:
    """A pool of worker processes answering SPARQL queries within the bounds of the module docstring."""

    def __init__(self, store_path: str | Path, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int = DEFAULT_MAX_ROWS, workers: int = DEFAULT_WORKERS, *,
                 max_bytes: int = DEFAULT_MAX_BYTES, memory_mb: int = DEFAULT_MEMORY_MB,
                 max_pending: int = DEFAULT_MAX_PENDING, allow_service: bool = False) -> None:
        self.store_path = str(store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self.max_bytes = max_bytes
        self.memory_mb = memory_mb
        self.workers = max(1, workers)
        self.max_pending = max(0, max_pending)
        self.allow_service = allow_service
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        self._admitted = 0  # queries running or waiting for a worker
        for _ in range(self.workers):
            self._idle.put(None)  # started on first use, so a server that is never queried spawns nothing

    def refusal(self, text: str) -> Answer | None:
        """Why the query is not run at all (an update, a SERVICE clause, too deep), or None."""
        if looks_like_update(text):
            return _refusal(403, "this endpoint is read-only: updates are refused")
        shape = inspect_query(text)
        if shape.federated and not self.allow_service:
            return _refusal(403, "federated queries (SERVICE " + ", ".join(shape.services)[:200] + ") are "
                            "disabled: they make this server fetch other URLs; its operator may allow them "
                            "(budget-kg serve --allow-service)")
        if shape.depth > MAX_NESTING:
            return _refusal(400, f"the query nests {shape.depth} brackets deep; at most {MAX_NESTING} are allowed")
        return None

    def query(self, text: str, accept: str = "") -> Answer:
        refused = self.refusal(text)
        if refused is not None:
            return refused
        with self._lock:
            if self._admitted >= self.workers + self.max_pending:
                busy = self._admitted
                refused = _refusal(503, f"the endpoint is busy ({busy} queries running or waiting); try again",
                                   {"Retry-After": "1"})
            else:
                self._admitted += 1
        if refused is not None:
            return refused
        try:
            return self._run(text, accept)
        finally:
            with self._lock:
                self._admitted -= 1

    def _run(self, text: str, accept: str) -> Answer:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return _refusal(503, "all query workers are busy; try again", {"Retry-After": "1"})
        try:
            if worker is None:
                worker = self._start()
            answer = worker.ask(text, accept, self.timeout)
            if answer is not None:
                return answer
            self._retire(worker)
            worker = None
            return _refusal(503, f"query stopped: it ran longer than {self.timeout:g} s")
        except (EOFError, OSError, pickle.UnpicklingError):
            if worker is not None:
                self._retire(worker)
            worker = None
            return _refusal(503, f"query stopped: its worker ended (over the {self.memory_mb} MB memory limit, "
                            "or a crash in the engine); the worker has been restarted")
        finally:
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self.store_path, self.max_rows, self.max_bytes, self.memory_mb)
        with self._lock:
            self._all.append(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.stop()
