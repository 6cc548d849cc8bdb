"""The endpoint as an attacker would use it: each request gets a status line, no resource is unbounded.

A real server (waitress, on loopback) over the seeds' store; requests go through raw sockets so malformed
ones reach the server as sent.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import logging
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.publish import pages
from kg.publish.server import LinkedDataServer, ServerLimits, make_server
from kg.publish.sparql import QueryService
from tests.test_publish import QINSHUI_PROJECT, seeds_build  # noqa: F401 - the shared session build

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# a short query that asks for a 10^9-character string: 100 characters, seven times ten-fold
_CONCAT = "".join(f"BIND(CONCAT({', '.join([f'?{a}'] * 10)}) AS ?{b}) "
                  for a, b in zip("abcdefg", "bcdefgh", strict=True))
MEMORY_BOMB = f'SELECT (STRLEN(?h) AS ?n) WHERE {{ BIND("{"a" * 100}" AS ?a) {_CONCAT}}}'


@contextlib.contextmanager
def _serving(store_path: Path, timeout: float) -> Iterator[LinkedDataServer]:
    server = make_server(store_path, port=0, timeout=timeout, max_rows=10_000, max_bytes=4_000, memory_mb=512,
                         workers=1, max_pending=0, public_url="https://data.example.org/kg",
                         limits=ServerLimits(threads=4, read_timeout=2.0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def served(seeds_build):  # noqa: F811
    with _serving(seeds_build, timeout=3.0) as server:
        yield server


def raw(server, request: bytes, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; the status, headers and body of the answer (a dropped connection fails)."""
    with socket.create_connection(server.server_address, timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    assert data, "the server closed the connection without an answer"
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def get(server, target: str, headers: str = "") -> tuple[int, dict[str, str], bytes]:
    return raw(server, f"GET {target} HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n".encode())


def sparql(server, query: str, accept: str = "") -> tuple[int, dict[str, str], bytes]:
    extra = f"Accept: {accept}\r\n" if accept else ""
    return get(server, "/sparql?" + urllib.parse.urlencode({"query": query}), extra)


def test_service_is_refused_and_nothing_is_fetched(served):
    hits: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            answer = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"inside"}}]}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    inside = http.server.HTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=inside.serve_forever, daemon=True).start()
    target = f"http://127.0.0.1:{inside.server_address[1]}/admin"
    try:
        for query in (f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ ?a ?b ?c .service silent <{target}> {{ ?s ?p ?o }} }}",
                      f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}"):
            status, _, body = sparql(served, query)
            assert status == 403 and b"--allow-service" in body, body
        # a variable, a prefixed name or a string called service is not the keyword
        status, _, body = sparql(served, 'SELECT ?service WHERE { BIND("SERVICE <x>" AS ?service) }')
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["service"]["value"] == "SERVICE <x>"
        assert hits == []
        # the operator's switch: with it the engine federates (the listener answers)
        service = QueryService(served.app.store_path, timeout=10, allow_service=True)
        try:
            answer = service.query(f"SELECT ?x WHERE {{ SERVICE <{target}> {{ ?x ?y ?z }} }}")
        finally:
            service.close()
        assert hits and hits[0].startswith("/admin")
        assert answer.status == 200 and json.loads(answer.body)["results"]["bindings"][0]["x"]["value"] == "inside"
    finally:
        inside.shutdown()


@pytest.mark.parametrize(("length", "status"), [("-1", 400), ("abc", 400), ("1e3", 400), ("200000", 413)])
def test_content_length_negative_non_numeric_or_large_is_4xx(served, length, status):
    body = b"query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
    request = (f"POST /sparql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode() + body
    assert raw(served, request)[0] == status


def test_memory_bomb_ends_its_worker_not_the_server(seeds_build):  # noqa: F811
    # its own server with a long timeout: on a loaded machine the bomb may take more than the 3 s the other tests
    # allow, and it is the memory limit, not the timeout, that must end it
    with _serving(seeds_build, timeout=60.0) as served:
        status, _, body = sparql(served, MEMORY_BOMB)
        assert status == 503 and b"512 MB memory limit" in body, body
        status, _, body = sparql(served, f"ASK {{ <{QINSHUI_PROJECT}> ?p ?o }}")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_result_is_bounded_in_bytes(served):
    status, headers, body = sparql(served, "SELECT * WHERE { ?s ?p ?o }", "text/csv")
    assert status == 200 and headers["x-result-truncated"] == "true"
    assert 3_000 < len(body) <= 4_000 + 100  # the byte bound (plus the header row), far below 10,000 rows
    status, headers, body = sparql(served, "CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert status == 200 and headers["x-result-truncated"] == "true" and len(body) <= 4_000


def test_overload_is_a_clean_503(served):
    slow = threading.Thread(target=sparql, args=(served, SLOW_QUERY))
    slow.start()
    time.sleep(0.5)  # the one worker is busy and no query may wait (max_pending=0)
    try:
        started = time.perf_counter()
        status, headers, body = sparql(served, "ASK { ?s ?p ?o }")
        assert status == 503 and headers["retry-after"] == "1" and b"busy" in body
        assert time.perf_counter() - started < 2  # refused at once, not after a timeout
        assert get(served, "/")[0] == 200  # pages are still served meanwhile
    finally:
        slow.join()


@pytest.mark.parametrize("target", ["/id/%ff%fe", "/id/%C0%AF", "/%ff", "/sparql?query=%ff%fe",
                                    "/sparql?" + "&".join(f"x{i}=1" for i in range(100))])
def test_malformed_paths_and_queries_are_400(served, target, caplog):
    with caplog.at_level(logging.DEBUG):
        status, _, body = get(served, target)
    assert status == 400 and body
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.INFO]


def test_odd_entity_paths_are_404_not_500(served):
    assert get(served, "/id/a%20b%3Cc")[0] == 404
    assert get(served, "/id/" + "x" * 5000)[0] == 404


def test_host_header_is_never_reflected(served):
    status, _, body = raw(served, b"GET /void.ttl HTTP/1.1\r\nHost: evil.example\"><script>\r\n"
                                  b"Connection: close\r\n\r\n")
    assert status == 200
    text = body.decode("utf-8")
    assert "evil.example" not in text and "<https://data.example.org/kg/sparql>" in text


@pytest.mark.parametrize("depth", [100, 20_000])
def test_deep_nesting_is_400_and_the_worker_survives(served, depth):
    query = "SELECT * WHERE " + "{" * depth + "}" * depth
    status, _, body = raw(served, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                          + f"Content-Length: {len(query)}\r\nConnection: close\r\n\r\n".encode() + query.encode())
    assert status == 400 and b"at most 64" in body
    assert json.loads(sparql(served, f"ASK {{ <{QINSHUI_PROJECT}> ?p ?o }}")[2])["boolean"] is True


def test_half_open_connections_hold_no_thread_and_time_out(served):
    # 40 clients that send half a request, against 4 threads: a complete request is still answered
    hanging = [socket.create_connection(served.server_address, timeout=10) for _ in range(40)]
    for sock in hanging:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
    try:
        started = time.perf_counter()
        assert get(served, "/")[0] == 200
        assert time.perf_counter() - started < 5
        # and the server closes them after its read timeout (2 s here)
        hanging[0].settimeout(15)
        assert hanging[0].recv(100) == b""
    finally:
        for sock in hanging:
            sock.close()


def test_ontology_made_once(served, monkeypatch):
    calls = []
    real = pages.ontology_html
    monkeypatch.setattr(pages, "ontology_html", lambda: calls.append(1) or real())
    served.app._once.pop("ontology.html", None)
    for _ in range(3):
        status, _, body = get(served, "/ontology", "Accept: text/html\r\n")
        assert status == 200 and b"bkg:Project" in body
    assert len(calls) == 1


def test_updates_and_other_methods_are_refused(served):
    assert raw(served, b"DELETE /id/x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0] == 405
    status, _, body = raw(served, b"PUT /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    assert status == 405 and b"read-only" in body
