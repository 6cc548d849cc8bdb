"""Run a library query by name on the embedded store, an rdflib Dataset, or a remote endpoint."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TextIO

import pandas as pd
import pyoxigraph as ox

from kg.query.library import Query, get_query, load_library
from kg.query.params import ParameterError, bind
from kg.query.remote import EndpointEngine
from kg.query.results import add_ranks, sort_rows, to_frame, unordered
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


ParamValue = str | int | float | Decimal | bool | None


def run_bound(query: Query, text: str, engine: SelectEngine, money: str = "float") -> pd.DataFrame:
    # The rows are put in the query's order here, the same way for every engine, so the engine is spared its
    # own sort when ours applies (every ORDER BY key a projected column).
    text, keys = unordered(text, query.columns)
    variables, rows = engine.select(text)
    frame = to_frame(variables, sort_rows(variables, rows, keys), query.types, money)
    ranks = [c.strip() for c in query.extra.get("rank", "").split(",") if c.strip()]
    return add_ranks(frame, ranks)


def parameter_text(value: ParamValue) -> str | None:
    """A typed parameter value as the text bound into the query; None leaves the parameter out.

    ``2025`` → ``"2025"``, ``Decimal("1.50")`` → ``"1.50"``; a flag: ``True`` gives it (``"yes"``),
    ``False`` leaves it out."""
    if value is None or value is False:
        return None
    if value is True:
        return "yes"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _merge_params(query: Query, params: Mapping[str, ParamValue] | None,
                  keywords: Mapping[str, ParamValue]) -> dict[str, str]:
    both = sorted(set(params or {}) & set(keywords))
    if both:
        raise ParameterError(query.name, f"parameter(s) {', '.join(both)} given both in params and as keywords",
                             code="bad-parameter")
    merged: dict[str, str] = {}
    for key, value in {**(params or {}), **keywords}.items():
        text = parameter_text(value)
        if text is not None:
            merged[key] = text
    return merged


def run_query(
    name: str | Query,
    params: Mapping[str, ParamValue] | None = None,
    /,
    *,
    store: StoreLike | None = None,
    endpoint: str | None = None,
    money: str = "float",
    **keyword_params: ParamValue,
) -> pd.DataFrame:
    """The rows of a library query as a typed DataFrame.

    Parameters are given as a mapping, as keywords, or both: ``run_query("top-documents",
    fiscal_year=2025, store="out")``. Values may be text, numbers or flags (see :func:`parameter_text`).

    Columns have nullable dtypes (``Int64``, ``boolean``, ``string``; missing values are ``pd.NA``), chosen
    by the query's ``# types:`` header. Money columns are ``Float64`` in 元 (exact to the fen below
    90 trillion 元); ``money="decimal"`` gives exact ``decimal.Decimal`` objects instead.

    ``frame.attrs`` holds ``query`` (its name), ``parameters`` (as bound, text), ``unit`` (元),
    ``money_columns``, ``money`` (the mode) and ``types`` (column → money | int | bool | float | string).
    """
    query = name if isinstance(name, Query) else get_query(name)
    given = _merge_params(query, params, keyword_params)
    frame = run_bound(query, bind(query, given), engine_for(store, endpoint), money)
    frame.attrs.update({
        "query": query.name,
        "parameters": given,
        "unit": query.unit,
        "money": money,
        "money_columns": [c for c in frame.columns if query.types.get(c) == "money"],
        "types": {c: query.types.get(c) or _observed_type(frame[c]) for c in frame.columns},
    })
    return frame


def _observed_type(column: pd.Series) -> str:
    dtype = str(column.dtype)
    return {"Int64": "int", "boolean": "bool", "Float64": "float"}.get(dtype, "string")


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
