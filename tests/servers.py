"""Real SPARQL servers on loopback for the tests: Oxigraph (stock, or with a union default graph) and
Virtuoso open source. Missing binaries FAIL the tests (never skip): `.ci/run` installs both.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.bench.servers import virtuoso_ini


@dataclass(frozen=True)
class Server:
    name: str
    query: str  # the SPARQL query endpoint
    store: str  # the Graph Store Protocol endpoint
    user: str | None = None
    password: str | None = None
    sql_port: int | None = None  # Virtuoso's SQL port: its bulk loader is driven through isql


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, process: subprocess.Popen[bytes], seconds: float, name: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            if process.poll() is not None:
                detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
                raise AssertionError(f"{name} exited ({process.returncode}): {detail}") from None
            assert time.monotonic() < deadline, f"{name} did not answer within {seconds:.0f} s"
            time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def oxigraph_binary() -> str:
    beside_python = Path(sys.executable).with_name("oxigraph")
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    assert found, ("the `oxigraph` server binary is missing: .ci/run must `pip install oxigraph` "
                   "(PyPI package 'oxigraph', provides the `oxigraph serve` CLI) before running the tests")
    return found


@contextmanager
def oxigraph(location: Path, *, union: bool) -> Iterator[Server]:
    location.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command + (["--union-default-graph"] if union else []),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/query?query=ASK%7B%7D", process, 60, "oxigraph serve")
        yield Server("oxigraph --union-default-graph" if union else "oxigraph (stock)", f"{base}/query",
                     f"{base}/store")
    finally:
        _stop(process)


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    assert found, ("Virtuoso open source is missing: .ci/run must `apt-get install virtuoso-opensource` "
                   "(Debian package; provides virtuoso-t)")
    return found


# the test database is small: the benchmark's ini (kg.bench.servers) with 10,000 buffers (~80 MB)
TEST_VIRTUOSO_BUFFERS = 10_000


@contextmanager
def virtuoso(directory: Path) -> Iterator[Server]:
    """A fresh Virtuoso database in ``directory``; graphs written through its Digest-authenticated
    Graph Store endpoint as the stock administrator (a throwaway database on loopback)."""
    binary = virtuoso_binary()
    directory.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(directory, directory, sql_port, http_port, TEST_VIRTUOSO_BUFFERS), encoding="utf-8")
    process = subprocess.Popen([binary, "+configfile", str(ini), "+foreground"], cwd=directory,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(f"{base}/sparql?query=ASK%7B%7D", process, 120, "virtuoso-t", directory / "virtuoso.log")
        yield Server("virtuoso", f"{base}/sparql", f"{base}/sparql-graph-crud-auth", "dba", "dba", sql_port)
    finally:
        _stop(process)
