"""Load test of ``budget-kg serve`` on loopback (run by hand, not in CI): 200 concurrent clients.

Two phases against one server over a build (the samples', built here unless ``--build`` is given):

1. **below the limit** — ``--max-pending`` is set so that every SPARQL query may wait: 200 clients each send
   ``--requests`` requests (entity pages in HTML and Turtle, the ontology, /void.ttl, SPARQL SELECTs), all at
   once. Expected: every answer 200, no connection dropped; p50/p99 latency per kind.
2. **above the limit** — the same 200 clients send only SPARQL queries against a server that lets 2 run and
   8 wait. Expected: each answer is 200 or a clean 503 with Retry-After, given at once; none dropped.

Every loop is bounded (clients × requests), every socket has a timeout, and the traffic goes to 127.0.0.1
only. Prints a table and exits 1 when a request was dropped or got another status.

    python scripts/loadtest_serve.py [--clients 200] [--requests 10] [--build out]
"""

from __future__ import annotations

import argparse
import http.client
import logging
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

from kg.build import build
from kg.publish.server import ServerLimits, make_server

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "/id/" + urllib.parse.quote(
    "project/140521/沁水县自然资源局/2024/2022-2023耕地%E2%80%9C进出平衡%E2%80%9D方案编制经费", safe="/%")
QUERY = ("SELECT ?p ?amount WHERE { ?p a <https://w3id.org/budget-kg/ontology#Project> ; "
         "<https://w3id.org/budget-kg/ontology#amount> ?amount } ORDER BY DESC(?amount) LIMIT 20")
MIXED = [("entity html", "GET", PROJECT, "text/html"), ("entity turtle", "GET", PROJECT, "text/turtle"),
         ("ontology", "GET", "/ontology", "text/html"), ("void", "GET", "/void.ttl", "text/turtle"),
         ("index", "GET", "/", "text/html"),
         ("sparql", "GET", "/sparql?" + urllib.parse.urlencode({"query": QUERY}), "application/sparql-results+json")]
SPARQL_ONLY = [MIXED[-1]]


def client(port: int, plan: list[tuple[str, str, str, str]], requests: int, start: threading.Barrier,
           offset: int, results: list[tuple[str, int | str, float]]) -> None:
    start.wait()
    for n in range(requests):
        kind, method, target, accept = plan[(offset + n) % len(plan)]
        began = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request(method, target, headers={"Accept": accept})
            response = connection.getresponse()
            response.read()
            status: int | str = response.status
            if status == 503 and response.getheader("Retry-After") != "1":
                status = "503 without Retry-After"
            connection.close()
        except (OSError, http.client.HTTPException) as exc:
            status = f"dropped ({type(exc).__name__})"
        results.append((kind, status, time.perf_counter() - began))


def phase(name: str, build_dir: Path, clients: int, requests: int, plan, max_pending: int) -> bool:
    server = make_server(build_dir, port=0, timeout=30.0, workers=2, max_pending=max_pending,
                         limits=ServerLimits(threads=16))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    results: list[tuple[str, int | str, float]] = []
    start = threading.Barrier(clients)
    workers = [threading.Thread(target=client, args=(port, plan, requests, start, i, results))
               for i in range(clients)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    wall = time.perf_counter() - began
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)

    print(f"\n## {name}: {clients} clients × {requests} requests, max_pending={max_pending} "
          f"({len(results)} answers in {wall:.1f} s, {len(results) / wall:.0f} req/s)")
    print(f"{'kind':<16}{'status':<28}{'count':>7}{'p50 ms':>10}{'p99 ms':>10}")
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for kind, status, seconds in results:
        groups[(kind, str(status))].append(seconds * 1000)
    for (kind, status), times in sorted(groups.items()):
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{kind:<16}{status:<28}{len(times):>7}{statistics.median(times):>10.1f}{p99:>10.1f}")
    statuses = Counter(str(status) for _, status, _ in results)
    allowed = {"200"} if max_pending >= clients else {"200", "503"}
    bad = {status: count for status, count in statuses.items() if status not in allowed}
    missing = clients * requests - len(results)
    print(f"statuses: {dict(statuses)}; unexpected: {bad or 'none'}; missing: {missing}")
    return not bad and not missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=10, help="requests per client (default 10)")
    parser.add_argument("--build", type=Path, help="a build output directory (default: build the samples)")
    args = parser.parse_args(argv)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N" per request here
    with tempfile.TemporaryDirectory(prefix="loadtest-") as scratch:
        build_dir = args.build
        if build_dir is None:
            build_dir = Path(scratch) / "out"
            build([ROOT / "samples"], build_dir, formats=("nt",), jobs=2, progress=False)
        ok = phase("below the limit (every query may wait)", build_dir, args.clients, args.requests, MIXED,
                   max_pending=args.clients * 2)
        ok &= phase("above the limit (2 run, 8 wait)", build_dir, args.clients, args.requests, SPARQL_ONLY,
                    max_pending=8)
    print("\nOK: no request dropped; 503 only above the limit" if ok else "\nFAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
