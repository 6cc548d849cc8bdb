"""Run a library query by name on the embedded store, an rdflib Dataset, or a remote endpoint."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

import pandas as pd
import pyoxigraph as ox

from kg.query.library import Query, get_query, load_library
from kg.query.params import bind
from kg.query.remote import EndpointEngine
from kg.query.results import add_ranks, order_keys, sort_rows, to_frame
from kg.query.store import OxigraphEngine, SelectEngine, StoreError, open_store

StoreLike = ox.Store | SelectEngine | str | Path


def engine_for(store: StoreLike | None = None, endpoint: str | None = None) -> SelectEngine:
    """An engine from a pyoxigraph Store, a ready engine, a store/build directory, or an endpoint URL."""
    if (store is None) == (endpoint is None):
        raise StoreError("query", "give exactly one of store= (a build directory) or endpoint= (a SPARQL URL)",
                         code="no-store")
    if endpoint is not None:
        return EndpointEngine(endpoint)
    if isinstance(store, ox.Store):
        return OxigraphEngine(store)
    if isinstance(store, str | Path):
        return OxigraphEngine(open_store(store))
    return store  # type: ignore[return-value]


def run_bound(query: Query, text: str, engine: SelectEngine) -> pd.DataFrame:
    variables, rows = engine.select(text)
    frame = to_frame(variables, sort_rows(variables, rows, order_keys(text)))
    ranks = [c.strip() for c in query.extra.get("rank", "").split(",") if c.strip()]
    return add_ranks(frame, ranks)


def run_query(
    name: str | Query,
    params: Mapping[str, str] | None = None,
    *,
    store: StoreLike | None = None,
    endpoint: str | None = None,
) -> pd.DataFrame:
    """The rows of a library query as a DataFrame (amounts as Decimal, years as int, IRIs as str)."""
    query = name if isinstance(name, Query) else get_query(name)
    return run_bound(query, bind(query, params), engine_for(store, endpoint))


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def bench_queries(
    store_dir: StoreLike | None = None,
    repeats: int = 5,
    *,
    endpoint: str | None = None,
    params: Mapping[str, Mapping[str, str]] | None = None,
    out: TextIO | None = None,
) -> dict[str, dict[str, float]]:
    """Run every library query ``repeats`` times; print and return median / p95 latency (ms) and row count.

    Required parameters come from ``params`` (by query name); a query whose parameters are missing is
    skipped with a note rather than failing the whole run.
    """
    out = out or sys.stdout
    engine = engine_for(store_dir, endpoint)
    figures: dict[str, dict[str, float]] = {}
    for name, query in sorted(load_library().items()):
        given = dict((params or {}).get(name, {}))
        if any(p.required and p.name not in given for p in query.parameters):
            print(f"{name:<24} skipped: needs --param {', '.join(p.name for p in query.parameters)}", file=out)
            continue
        text = bind(query, given)
        timings: list[float] = []
        rows = 0
        for _ in range(max(1, repeats)):
            started = time.perf_counter()
            rows = len(run_bound(query, text, engine))
            timings.append((time.perf_counter() - started) * 1000)
        figures[name] = {"median_ms": statistics.median(timings), "p95_ms": _percentile(timings, 0.95),
                         "rows": float(rows)}
        print(f"{name:<24} median {figures[name]['median_ms']:8.1f} ms   p95 {figures[name]['p95_ms']:8.1f} ms"
              f"   {rows} rows", file=out)
    return figures
