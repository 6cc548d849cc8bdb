"""A bounded, read-only SPARQL 1.1 query service over the store.

pyoxigraph cannot interrupt a running query from another thread, so every query runs in a worker
*process* (each opens the store read-only). The server waits for the answer until a deadline; a worker
that misses it is killed and replaced, and the client gets 503. The result size is bounded in the worker:
at most ``max_rows`` solutions (or triples) are read from the iterator, so a huge result never builds up
in memory; a cut result carries the header ``X-Result-Truncated: true``.

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
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

T = TypeVar("T")

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
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


def _solutions(solutions: ox.QuerySolutions, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    variables = [v.value for v in solutions.variables]
    solved, truncated = _take(solutions, max_rows)
    rows = [[solution[v] for v in variables] for solution in solved]
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8"), truncated
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head><results>")
        for row in rows:
            out.append("<result>" + "".join(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                                            for v, t in zip(variables, row, strict=True) if t is not None)
                       + "</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8"), truncated
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([["" if t is None else t.value for t in row] for row in rows])
        return buffer.getvalue().encode("utf-8"), truncated
    lines = ["\t".join("?" + v for v in variables)] + ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8"), truncated


def run_bounded(store: ox.Store, text: str, accept: str, max_rows: int) -> Answer:
    """Run one query with the row bound (no deadline: the caller's process boundary gives that)."""
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
        body, truncated = _solutions(result, fmt, max_rows)
        return Answer(200, RESULT_TYPES[fmt], body, truncated)
    fmt = _pick(accept, _ACCEPT_GRAPH, "ttl")
    triples, truncated = _take(result, max_rows)
    media, rdf_format = GRAPH_TYPES[fmt]
    return Answer(200, media, ox.serialize(triples, format=rdf_format), truncated)


def _read_message(stream) -> object:
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError
    return pickle.loads(stream.read(struct.unpack(">I", header)[0]))


def _write_message(stream, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def worker_main(store_path: str, max_rows: int) -> None:
    """The worker process: read (query, accept) pairs on stdin, answer on stdout, until stdin closes."""
    store = ox.Store.read_only(store_path)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            text, accept = _read_message(stdin)  # type: ignore[misc]
        except EOFError:
            return
        try:
            answer = run_bounded(store, text, accept, max_rows)
        except Exception as exc:  # one odd query never takes the worker down
            answer = Answer(500, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode())
        # a plain tuple: the reader needs no class to unpickle it
        _write_message(stdout, (answer.status, answer.content_type, answer.body, answer.truncated))


class _Worker:
    """A worker started as ``python -m kg.publish.query_worker``: a plain subprocess, so it never re-runs the
    caller's main module (multiprocessing's spawn does) and can be killed at any moment."""

    def __init__(self, store_path: str, max_rows: int) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "kg.publish.query_worker", store_path, str(max_rows)],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE)

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
    """A pool of worker processes answering SPARQL queries within ``timeout`` seconds and ``max_rows``."""

    def __init__(self, store_path: str | Path, timeout: float = DEFAULT_TIMEOUT,
                 max_rows: int = DEFAULT_MAX_ROWS, workers: int = 2) -> None:
        self.store_path = str(store_path)
        self.timeout = timeout
        self.max_rows = max_rows
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        for _ in range(max(1, workers)):
            self._idle.put(None)  # started on first use, so a server that is never queried spawns nothing

    def query(self, text: str, accept: str = "") -> Answer:
        if looks_like_update(text):
            return Answer(403, "text/plain; charset=utf-8", b"this endpoint is read-only: updates are refused\n")
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            return Answer(503, "text/plain; charset=utf-8", b"all query workers are busy; try again\n")
        try:
            if worker is None:
                worker = self._start()
            answer = worker.ask(text, accept, self.timeout)
            if answer is not None:
                return answer
            self._retire(worker)
            worker = None
            return Answer(503, "text/plain; charset=utf-8",
                          f"query stopped: it ran longer than {self.timeout:g} s\n".encode())
        except (EOFError, OSError, BrokenPipeError):
            if worker is not None:
                self._retire(worker)
            worker = None
            return Answer(500, "text/plain; charset=utf-8", b"the query worker died; it has been restarted\n")
        finally:
            self._idle.put(worker)

    def _start(self) -> _Worker:
        worker = _Worker(self.store_path, self.max_rows)
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
