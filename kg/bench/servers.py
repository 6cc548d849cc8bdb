"""``python -m kg.bench.servers BUILD WORK``: a build through the bulk path into the servers installed here, timed.

For the build directory BUILD (``budget-kg build … --store``, or a ``budget-kg bench --work-dir`` run's
``build/``), in WORK (created; nothing outside it is written):

1. ``publish --bulk``'s N-Quads and loader scripts (``kg.publish.bulk.write_bulk``), timed;
2. a fresh Virtuoso database (``virtuoso-t``, the ini below) loaded with its bulk loader (``ld_dir`` +
   ``rdf_loader_run``, through isql), timed, its quads counted against the file's, then every library
   query timed over HTTP as ``budget-kg bench --endpoint`` does;
3. a fresh Oxigraph store loaded with ``oxigraph load``, the same checks, then ``oxigraph serve
   --union-default-graph`` and the same query timings;
4. the embedded store of the build: its store stage (report.json) and the same queries, each in its own
   process (``time_queries_isolated``).

Load times, peak memory of each server process, store sizes on disk and the load average beside every step
go into ``WORK/servers.json``; a table is printed. The machine may be shared: compare the figures side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.publish.bulk import BulkFiles, count_quads, load_virtuoso, write_bulk

# Virtuoso's settings for the benchmark: buffers sized as Virtuoso's own ini recommends for ~2 GB of RAM
# given to the server (8 KB pages; MaxDirtyBuffers about 3/4 of them). DirsAllowed must hold the N-Quads.
# MaxQueryExecutionTime 0: no server-side limit, so no "anytime" partial answer is ever timed as complete.
VIRTUOSO_BUFFERS = 170_000
VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
MaxCheckpointRemap = {remap}
DirsAllowed = ., {dir}, {bulk}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
ServerThreads = 4
Charset = UTF-8
[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def virtuoso_ini(directory: Path, bulk: Path, sql_port: int, http_port: int, buffers: int = VIRTUOSO_BUFFERS) -> str:
    vsp = Path("/var/lib/virtuoso-opensource-7/vsp")
    if not vsp.is_dir():
        vsp = directory / "vsp"
        vsp.mkdir(parents=True, exist_ok=True)
    return VIRTUOSO_INI.format(dir=directory, bulk=bulk, sql_port=sql_port, http_port=http_port, vsp=vsp,
                               buffers=buffers, dirty=buffers * 3 // 4, remap=buffers // 4)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _peak_rss_mb(pid: int) -> float:
    """The process's peak resident memory so far (VmHWM), read while it runs."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float, name: str) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode})") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer within {seconds:.0f} s") from None
            time.sleep(0.5)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


@contextmanager
def virtuoso_server(directory: Path, bulk: Path, buffers: int = VIRTUOSO_BUFFERS
                    ) -> Iterator[tuple[subprocess.Popen[bytes], str, int]]:
    """A fresh Virtuoso database in ``directory`` (created) on loopback: (process, query URL, SQL port)."""
    binary = shutil.which("virtuoso-t")
    if not binary:
        raise RuntimeError("virtuoso-t is not installed (Debian: virtuoso-opensource)")
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(directory, bulk, sql_port, http_port, buffers), encoding="utf-8")
    process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=directory,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http_port}/sparql"
    try:
        _wait(f"{url}?query=ASK%7B%7D", process, 300, "virtuoso-t")
        yield process, url, sql_port
    finally:
        _stop(process)


@contextmanager
def oxigraph_server(location: Path, binary: str, timeout: int = 120) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``oxigraph serve --union-default-graph`` on ``location``: (process, query URL). ``timeout``: the server
    stops a query after that many seconds (one the client gave up on would otherwise go on using a core)."""
    port = _free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                "--union-default-graph", "--timeout-s", str(timeout)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait(f"{url}?query=ASK%7B%7D", process, 300, "oxigraph serve")
        yield process, url
    finally:
        _stop(process)


def _oxigraph_binary() -> str:
    beside = Path(sys.executable).with_name("oxigraph")
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph CLI is not installed (pip install oxigraph)")
    return found


def _queries(endpoint: str, repeats: int, timeout: int) -> dict[str, dict[str, Any]]:
    from kg.bench.run import time_queries_endpoint

    return time_queries_endpoint(endpoint, repeats, timeout=timeout)


def bench_virtuoso(files: BulkFiles, work: Path, repeats: int, timeout: int, buffers: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"buffers": buffers, "ini": "kg/bench/servers.py VIRTUOSO_INI"}
    with virtuoso_server(work / "virtuoso", files.directory, buffers) as (process, url, sql_port):
        figures["load average before load"] = _load()
        started = time.perf_counter()
        load_virtuoso(files, sql_port)
        figures["load seconds"] = time.perf_counter() - started
        figures["load average after load"] = _load()
        figures["peak memory MB after load"] = _peak_rss_mb(process.pid)
        figures["quads loaded"] = count_quads(url, files.graphs)
        figures["store MB"] = _size_mb(work / "virtuoso" / "virtuoso.db")
        figures["queries"] = _queries(url, repeats, timeout) if repeats else {}
        figures["load average after queries"] = _load()
        figures["peak memory MB"] = _peak_rss_mb(process.pid)
    return figures


_OXIGRAPH_LOAD = """
import resource, sys, time
from pathlib import Path
from kg.publish.bulk import BulkFiles, NQUADS_FILE, load_oxigraph
folder = Path(sys.argv[1])
started = time.perf_counter()
load_oxigraph(BulkFiles(folder, folder / NQUADS_FILE, [], 0), sys.argv[2], binary=sys.argv[3])
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def bench_oxigraph(files: BulkFiles, work: Path, repeats: int, timeout: int) -> dict[str, Any]:
    binary = _oxigraph_binary()
    location = work / "oxigraph"
    figures: dict[str, Any] = {"load average before load": _load()}
    # in a child of its own, whose largest child is then the loader: its peak memory, not an earlier one's
    done = subprocess.run([sys.executable, "-c", _OXIGRAPH_LOAD, str(files.directory), str(location), binary],
                          capture_output=True, text=True, check=True)
    seconds, peak = done.stdout.split()
    figures["load seconds"], figures["load peak memory MB"] = float(seconds), float(peak)
    figures["load average after load"] = _load()
    figures["store MB"] = _size_mb(location)
    with oxigraph_server(location, binary, timeout) as (process, url):
        figures["quads loaded"] = count_quads(url, files.graphs)
        figures["queries"] = _queries(url, repeats, timeout) if repeats else {}
        figures["load average after queries"] = _load()
        figures["serve peak memory MB"] = _peak_rss_mb(process.pid)
    return figures


_EMBEDDED_LOAD = """
import resource, sys, time
import pyoxigraph as ox
started = time.perf_counter()
store = ox.Store(sys.argv[1])
store.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)
store.flush()
store.optimize()
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, len(store))
"""


def _embedded_load(files: BulkFiles, work: Path) -> dict[str, Any]:
    """The embedded store's loader (pyoxigraph ``bulk_load``, what the build's store stage runs) on the same
    N-Quads, in its own process, timed beside the servers' loaders."""
    location = work / "embedded-store"
    if location.exists():
        raise RuntimeError(f"{location} exists: give a fresh WORK folder")
    before = _load()
    done = subprocess.run([sys.executable, "-c", _EMBEDDED_LOAD, str(location), str(files.nquads)],
                          capture_output=True, text=True, check=True)
    seconds, peak, quads = done.stdout.split()
    return {"load average before load": before, "load seconds": float(seconds), "load peak memory MB": float(peak),
            "quads loaded": int(quads), "store MB": _size_mb(location), "load average after load": _load()}


def bench_embedded(build: Path, repeats: int, timeout: int, files: BulkFiles | None = None,
                   work: Path | None = None) -> dict[str, Any]:
    from kg.bench.run import time_queries_isolated

    report = json.loads((build / "report.json").read_text(encoding="utf-8"))
    figures: dict[str, Any] = {"store stage seconds": report.get("stage_seconds", {}).get("store"),
                               "build seconds": report.get("seconds"), "build store MB": _size_mb(build / "store")}
    if files is not None and work is not None:
        figures.update(_embedded_load(files, work))
    if not repeats:
        return figures | {"queries": {}}
    figures["load average before queries"] = _load()
    figures["queries"] = {label: {"median_ms": f.get("oxigraph_median_ms"), "p95_ms": f.get("oxigraph_p95_ms"),
                                  "rows": f.get("rows"), **({"timeout_s": f["timeout_s"]} if "timeout_s" in f else {})}
                          for label, f in time_queries_isolated(build / "store", repeats, timeout).items()}
    figures["load average after queries"] = _load()
    return figures


def _ms(figure: dict[str, Any] | None) -> str:
    if not figure:
        return "-"
    if figure.get("median_ms") is None:
        return "timeout" if "timeout_s" in figure else "failed"
    return f"{figure['median_ms']:,.0f}"


def table(result: dict[str, Any]) -> str:
    engines = [name for name in ("embedded", "oxigraph", "virtuoso") if name in result]
    lines = [f"{result['build']}: {result['quads']:,} quads, N-Quads {result['nquads MB']:,.0f} MB written in "
             f"{result['write seconds']:.1f} s (load {result['load average']})"]
    for name in engines:
        figures = result[name]
        seconds = figures.get("load seconds", figures.get("store stage seconds"))
        lines.append(f"  {name:<9} load {seconds or 0:8.1f} s  store {figures.get('store MB', 0):8,.0f} MB  "
                     f"quads {figures.get('quads loaded', result['quads']):>12,}")
    labels = sorted({label for name in engines for label in result[name]["queries"]})
    lines.append(f"  {'query (median ms, rows)':<36}" + "".join(f"{name:>18}" for name in engines))
    for label in labels:
        cells = []
        for name in engines:
            figure = result[name]["queries"].get(label)
            rows = "" if not figure or figure.get("rows") is None else f" ({int(figure['rows'])})"
            cells.append(f"{_ms(figure) + rows:>18}")
        lines.append(f"  {label:<36}" + "".join(cells))
    return "\n".join(lines) + "\n"


def run(build: Path, work: Path, *, repeats: int = 5, timeout: int = 120, buffers: int = VIRTUOSO_BUFFERS,
        servers: tuple[str, ...] = ("embedded", "oxigraph", "virtuoso")) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"build": str(build), "load average": _load()}
    started = time.perf_counter()
    files = write_bulk(build, work / "bulk")
    result["write seconds"] = time.perf_counter() - started
    result["quads"] = files.quads
    result["nquads MB"] = _size_mb(files.nquads)
    if "embedded" in servers:
        result["embedded"] = bench_embedded(build, repeats, timeout, files, work)
    if "oxigraph" in servers:
        result["oxigraph"] = bench_oxigraph(files, work, repeats, timeout)
    if "virtuoso" in servers:
        result["virtuoso"] = bench_virtuoso(files, work, repeats, timeout, buffers)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench.servers", description=__doc__.split("\n")[0])
    parser.add_argument("build", type=Path, help="a build directory (report.json, graphs/, store/)")
    parser.add_argument("work", type=Path, help="where the N-Quads, the Virtuoso database and the Oxigraph store go")
    parser.add_argument("--query-repeats", type=int, default=5,
                        help="times each library query runs (default: 5; 0: only the loads)")
    parser.add_argument("--query-timeout", type=int, default=120, help="seconds per query run (default: 120)")
    parser.add_argument("--buffers", type=int, default=VIRTUOSO_BUFFERS,
                        help=f"Virtuoso NumberOfBuffers, 8 KB each (default: {VIRTUOSO_BUFFERS})")
    parser.add_argument("--servers", nargs="+", default=["embedded", "oxigraph", "virtuoso"],
                        choices=["embedded", "oxigraph", "virtuoso"])
    args = parser.parse_args(argv)
    result = run(args.build, args.work, repeats=args.query_repeats, timeout=args.query_timeout,
                 buffers=args.buffers, servers=tuple(args.servers))
    (args.work / "servers.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(table(result), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
