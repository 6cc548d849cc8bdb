"""Query the budget graph: a library of SPARQL queries, an embedded store, a remote server, ``trace``.

The functions the command line wires up::

    load_store(store_dir, graph_files, named_graph_per_file=True) -> (Store, LoadReport)
    run_query(name, params, store=DIR|Store|engine, endpoint=URL, **params) -> pandas.DataFrame (typed)
    format_result(frame, "table" | "csv" | "json", bom=False) -> str
    write_frame(frame, "x.parquet" | "x.csv" | "x.json") -> Path
    publish(build_dir, endpoint, graph_store=None) -> LoadReport
    trace(text, store=… | endpoint=…) -> str
    trace_links(text, store=… | endpoint=…) -> [TraceLink]; links_frame(links) -> pandas.DataFrame
    bench_queries(store_dir, repeats=5, endpoint=None) -> {name: {median_ms, p95_ms, rows}}
"""

from kg.query.format import FORMATS, format_result, write_frame
from kg.query.library import Parameter, Query, QueryLibraryError, get_query, load_library
from kg.query.params import ParameterError, bind, parse_param_args
from kg.query.remote import EndpointEngine, EndpointError, publish
from kg.query.run import bench_queries, engine_for, run_query
from kg.query.store import LoadReport, StoreError, load_store, open_store, rdflib_dataset
from kg.query.trace import TraceLink, links_frame, trace, trace_links

__all__ = [
    "FORMATS",
    "EndpointEngine",
    "EndpointError",
    "LoadReport",
    "Parameter",
    "ParameterError",
    "Query",
    "QueryLibraryError",
    "StoreError",
    "TraceLink",
    "bench_queries",
    "bind",
    "engine_for",
    "format_result",
    "get_query",
    "links_frame",
    "load_library",
    "load_store",
    "open_store",
    "parse_param_args",
    "publish",
    "rdflib_dataset",
    "run_query",
    "trace",
    "trace_links",
    "write_frame",
]
