"""`budget-kg bench --docs N`: build a synthetic corpus and measure every stage, on 1 and on several processes.

    python -m kg.bench.run --docs 10 --jobs 1 2 --repeats 3

Each (jobs, repeat) run is a fresh child process, so its peak memory (getrusage of itself and of its pool
workers) is that run's own. Per run it measures:

* extraction alone (phase 1 of the build per document, over a process pool): documents/s and MB/s;
* the whole build (``kg.build.build``: extract, registry, per-document graphs, partition, store): triples/s;
* loading the build's named-graph N-Triples into a fresh embedded store (pyoxigraph bulk load), and — up to
  ``rdflib_limit`` documents — into an rdflib in-memory Dataset, side by side;
* SHACL (pyshacl, each disclosure's graph with the shared graph, over the process pool), on every document
  up to ``shacl_limit`` and an evenly spaced sample beyond (the per-document time is then extrapolated);
* every library query on both stores: median and p95 latency.

The printed figures are medians over the repeats.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.bench.synthetic import generate_corpus

RDFLIB_LIMIT = 10  # rdflib holds ~1 KB per triple, and its slowest library query takes ~7 s at 10 documents
SHACL_LIMIT = 3  # pyshacl takes seconds per disclosure: validate a spaced sample, extrapolate


@dataclass
class BenchTable:
    """Medians per (stage figure, jobs) and per query; ``text()`` is the printed table."""

    docs: int
    megabytes: float
    jobs: list[int]
    repeats: int
    stages: dict[str, dict[int, float]] = field(default_factory=dict)  # figure → jobs → median
    queries: dict[str, dict[str, float]] = field(default_factory=dict)  # query → figure → median
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        head = f"{'figure':<34}" + "".join(f"{f'{j} process' + ('es' if j > 1 else ''):>14}" for j in self.jobs)
        lines = [f"budget-kg bench: {self.docs} synthetic disclosures, {self.megabytes:.1f} MB, "
                 f"medians of {self.repeats} run(s)", head, "-" * len(head)]
        for name, by_jobs in self.stages.items():
            lines.append(f"{name:<34}" + "".join(_cell(by_jobs.get(j)) for j in self.jobs))
        if self.queries:
            lines += ["", f"{'query (ms)':<34}{'oxigraph med':>14}{'p95':>9}{'rdflib med':>12}{'p95':>9}"
                      f"{'rdflib/oxi':>12}{'rows':>7}"]
            for name, figures in sorted(self.queries.items()):
                ratio = (figures["rdflib_median_ms"] / figures["oxigraph_median_ms"]
                         if "rdflib_median_ms" in figures and figures["oxigraph_median_ms"] > 0 else None)
                if "oxigraph_median_ms" not in figures and "timeout_s" in figures:
                    lines.append(f"{name:<34}{'> ' + format(figures['timeout_s'], 'g') + ' s (timed out)':>23}")
                    continue
                lines.append(f"{name:<34}{_cell(figures.get('oxigraph_median_ms'), 14)}"
                             f"{_cell(figures.get('oxigraph_p95_ms'), 9)}{_cell(figures.get('rdflib_median_ms'), 12)}"
                             f"{_cell(figures.get('rdflib_p95_ms'), 9)}{_cell(ratio, 12)}"
                             f"{_cell(figures.get('rows'), 7)}")
        lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {"docs": self.docs, "megabytes": self.megabytes, "jobs": self.jobs, "repeats": self.repeats,
                "stages": {k: {str(j): v for j, v in d.items()} for k, d in self.stages.items()},
                "queries": self.queries, "notes": self.notes}


def _cell(value: float | None, width: int = 14) -> str:
    if value is None:
        return f"{'—':>{width}}"
    if abs(value) >= 100 or value == int(value):
        return f"{value:>{width},.0f}"
    return f"{value:>{width}.2f}"


def _rss_mb() -> float:
    """Current resident memory of this process (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


# ---- one run, in a child process ----------------------------------------------------------------------------

def _extract_one(path: str) -> tuple[int, bool]:
    from kg.build import extract_document
    from kg.errors import BudgetKGError
    from kg.guard import default_timeout, time_limit

    try:
        with time_limit(default_timeout(), Path(path).name):
            extract_document(Path(path))
        return os.path.getsize(path), True
    except BudgetKGError:
        return os.path.getsize(path), False


def _pool(function: Any, items: list[Any], jobs: int) -> list[Any]:
    if jobs <= 1:
        return [function(item) for item in items]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(function, items, chunksize=max(1, len(items) // (jobs * 8))))


_SHAPES: Any = None
_SHARED: dict[str, list[str]] = {}


def _shacl_init(shared_path: str) -> None:
    """Per worker: the shapes and the shared graph's lines by subject, loaded once."""
    global _SHAPES
    from kg.validate import load_shapes

    _SHAPES = load_shapes()
    _SHARED.clear()
    with open(shared_path, encoding="utf-8") as handle:
        for line in handle:
            _SHARED.setdefault(line.split(" ", 1)[0], []).append(line)


def _shacl_one(path: str) -> tuple[int, int]:
    """Validate one disclosure's graph with the shared triples about the nodes it mentions."""
    from rdflib import Graph

    from kg.validate import validate

    with open(path, encoding="utf-8") as handle:
        own = handle.readlines()
    nodes = {term for line in own for term in line.split(" ", 3)[::2] if term.startswith("<")}
    extra = [line for node in sorted(nodes) for line in _SHARED.get(node, ())]
    graph = Graph()
    graph.parse(data="".join(own + extra), format="nt")
    report = validate(graph, shapes=_SHAPES)
    return len(report.violations), len(report.warnings)


def _shacl(graph_paths: list[Path], shared: Path, jobs: int) -> tuple[float, int, int]:
    started = time.perf_counter()
    paths = [str(p) for p in graph_paths]
    if jobs <= 1:
        _shacl_init(str(shared))
        results = [_shacl_one(p) for p in paths]
    else:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_shacl_init, initargs=(str(shared),)) as pool:
            results = list(pool.map(_shacl_one, paths))
    return time.perf_counter() - started, sum(r[0] for r in results), sum(r[1] for r in results)


_BKG = "https://w3id.org/budget-kg/ontology#"
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_DEPARTMENT = (  # a disclosure's department, as the library queries name it: the publisher's parent, else itself
    f"?d a <{_BKG}Disclosure> ; <http://purl.org/dc/terms/publisher> ?publisher . "
    "OPTIONAL { ?publisher <http://www.w3.org/ns/org#subOrganizationOf> ?parent } "
    f"BIND (COALESCE(?parent, ?publisher) AS ?dept) ?dept {_LABEL} ?l ."
)


def _first(store: Any, query: str) -> str | None:
    """The one value a MIN(…) query selects (MIN, not ORDER BY … LIMIT 1: 0.6 s instead of 2.5 s over
    20,000 project labels), or None when the store has none. Callers take MIN(STR(?x)): Virtuoso
    gives no MIN of xsd:string literals (unbound), only of plain strings."""
    for row in store.query(query, use_default_graph_as_union=True):
        return str(row[0].value) if row[0] is not None else None
    return None


def _query_params(store: Any) -> dict[str, dict[str, str]]:
    """Required query parameters taken from the data itself: a cited 文号 and a project name.

    The 文号 is one kg.citations recognises (the index-lookup path a user's 文号 takes), not a standard's
    code such as TD/T 1057-2020 that would be searched as text.
    """
    params: dict[str, dict[str, str]] = {}
    number = _first(store, f"SELECT (MIN(STR(?n)) AS ?first) WHERE {{ ?d <{_BKG}docNumber> ?n . "
                           "FILTER (CONTAINS(STR(?n), \"〔\") && STRENDS(STR(?n), \"号\")) "
                           f"FILTER EXISTS {{ ?p <{_BKG}basis> ?d }} }}")
    if number:
        params["document-projects"] = {"document": number}
    project = _first(store, f"SELECT (MIN(STR(?l)) AS ?first) WHERE {{ ?p a <{_BKG}Project> ; {_LABEL} ?l }}")
    if project:
        params["project-basis"] = {"project": project}
    return params


def _validate_timed(store_dir: Path) -> dict[str, float]:
    """The whole store validated with the Oxigraph engine: seconds, violations, warnings."""
    import pyoxigraph as ox

    from kg.validate.oxigraph_engine import validate_store

    started = time.perf_counter()
    report = validate_store(ox.Store.read_only(str(store_dir)))
    return {"seconds": time.perf_counter() - started, "violations": len(report.violations),
            "warnings": len(report.warnings)}


def scoped_query_params(store: Any) -> dict[str, dict[str, str]]:
    """What a user types to scope each query, taken from the data: one department (the first by name) for
    the department reports, one disclosure (its source file name) for code-rollup, one township, and the
    文号 and project name of ``_query_params``."""
    params = {name: dict(given) for name, given in _query_params(store).items()}
    department = _first(store, f"SELECT (MIN(STR(?l)) AS ?first) WHERE {{ {_DEPARTMENT} }}")
    source_file = _first(store, f"SELECT (MIN(STR(?f)) AS ?first) WHERE {{ ?d a <{_BKG}Disclosure> ; "
                                f"<{_BKG}sourceFile> ?f }}")
    township = _first(store, f"SELECT (MIN(STR(?l)) AS ?first) WHERE {{ ?p <{_BKG}township> ?t . ?t {_LABEL} ?l }}")
    if department:
        for name in ("money-by-issuer-level", "top-documents", "unbased-projects", "year-over-year", "corpus-totals"):
            params.setdefault(name, {})["department"] = department
    if source_file:
        params.setdefault("code-rollup", {})["disclosure"] = source_file
    if township:
        params["township-projects"] = {"township": township}
    return params


def run_once(corpus: Path, work: Path, jobs: int, *, query_repeats: int = 5, rdflib_limit: int = RDFLIB_LIMIT,
             shacl_limit: int = SHACL_LIMIT, compare: bool = True, query_timeout: float = 60.0,
             ) -> dict[str, Any]:
    """Measure every stage once with ``jobs`` processes. Returns flat figures (call it in a fresh process).

    The build's own stage timings give extraction and store-load throughput, so nothing is done twice;
    ``compare`` adds the side-by-side figures (rdflib Dataset load and queries, pyshacl on a sample).
    """
    import pyoxigraph as ox

    from kg.bench.size import measure as measure_size
    from kg.build import build
    from kg.query.run import bench_queries
    from kg.query.store import rdflib_dataset

    files = sorted(str(p) for p in corpus.glob("*.txt"))
    megabytes = sum(os.path.getsize(f) for f in files) / 2**20
    figures: dict[str, Any] = {}

    out = work / "build"
    report = build([corpus], out, jobs=jobs, formats=(), store=True, progress=False)
    # the build's own peak, read before the raw reference load below (one load of every quad) can raise it
    build_peak = _peak_mb(resource.RUSAGE_SELF)
    build_worker_peak = _peak_mb(resource.RUSAGE_CHILDREN)  # before any other child (the raw load, queries)
    stage = report.stage_seconds
    figures["extract: documents/s"] = len(files) / stage["extract"]
    figures["extract: MB/s"] = megabytes / stage["extract"]
    figures["extract: failed documents"] = len(report.failed)
    figures["graph: triples/s"] = report.triples / stage["graph"]
    figures["partition: seconds"] = stage["partition"]
    figures["store load: seconds"] = stage["store"]
    figures["store load: triples/s"] = report.triples / stage["store"]
    figures["build: seconds (all stages)"] = report.seconds
    figures["build: triples"] = report.triples
    figures["build: triples/s"] = report.triples / report.seconds
    size = measure_size(out)
    figures["graph: triples per disclosure"] = size.triples_per_disclosure
    figures["graph: N-Quads bytes per triple"] = size.bytes_per_triple
    figures["graph: N-Quads KB per disclosure"] = size.bytes_per_disclosure / 1000
    raw, raw_peak = _raw_pyoxigraph_load(out, work / "raw-store")
    figures["raw pyoxigraph bulk load: seconds"] = raw
    figures["peak memory MB (raw pyoxigraph load process)"] = raw_peak
    figures["store load / raw pyoxigraph load"] = stage["store"] / max(raw, 1e-9)

    validation = _validate_timed(out / "store")
    figures["validate (oxigraph engine): seconds"] = validation["seconds"]
    figures["validate: violations"] = validation["violations"]
    figures["validate: warnings"] = validation["warnings"]
    figures["build + validate: seconds"] = report.seconds + figures["validate (oxigraph engine): seconds"]

    # Query latency does not depend on how many processes built the store: timed once, in the compare run.
    queries = time_queries_isolated(out / "store", query_repeats, query_timeout) if compare else {}

    if compare:
        graphs = sorted((out / "graphs").glob("*.nt"))
        disclosures = [out / d["graph_file"] for d in report.documents]
        if len(files) <= rdflib_limit:
            rss = _rss_mb()
            started = time.perf_counter()
            dataset = rdflib_dataset(graphs)
            figures["rdflib load: seconds"] = time.perf_counter() - started
            figures["rdflib load: triples/s"] = report.triples / figures["rdflib load: seconds"]
            figures["rdflib load: memory MB"] = _rss_mb() - rss
            figures["rdflib/oxigraph load time"] = figures["rdflib load: seconds"] / stage["store"]
            params = _query_params(ox.Store.read_only(str(out / "store")))
            sink = io.StringIO()
            # rdflib is 20-500x slower: one run per query is enough for the ratio
            for name, f in bench_queries(dataset, repeats=max(1, query_repeats // 5), params=params,
                                         out=sink).items():
                queries.setdefault(name, {}).update({"rdflib_median_ms": f["median_ms"],
                                                     "rdflib_p95_ms": f["p95_ms"]})
            del dataset
        step = max(1, -(-len(disclosures) // shacl_limit))  # ceil: at most shacl_limit documents validated
        sample = disclosures[::step]
        if sample:
            seconds, violations, _warnings = _shacl(sample, out / "graphs" / "shared.nt", jobs)
            figures["pyshacl: documents validated"] = len(sample)
            figures["pyshacl: violations (sample)"] = violations
            figures["pyshacl: seconds/document"] = seconds / len(sample)
            figures["pyshacl: seconds (all, extrapolated)"] = seconds / len(sample) * len(disclosures)
            figures["pyshacl/oxigraph engine time"] = (figures["pyshacl: seconds (all, extrapolated)"]
                                                       / figures["validate (oxigraph engine): seconds"])

    figures["peak memory MB (build, main process)"] = build_peak
    figures["peak memory MB (build, largest worker)"] = build_worker_peak
    figures["peak memory MB (main process)"] = _peak_mb(resource.RUSAGE_SELF)
    figures["peak memory MB (largest child: worker or query process)"] = _peak_mb(resource.RUSAGE_CHILDREN)
    return {"figures": figures, "queries": queries}


def _raw_pyoxigraph_load(build_dir: Path, store_dir: Path) -> tuple[float, float]:
    """The reference for the store stage: the same quads (``publish --bulk``'s N-Quads file, written first and
    not timed) bulk-loaded by pyoxigraph into a fresh on-disk store, with nothing else around it: in a process
    of its own, so that its memory is its own figure and does not count as the benchmark's (it was 0.96 GB of
    the benchmark process's 2.49 GB at 1,000 disclosures). Returns its seconds and its peak MB."""
    from kg.publish.bulk import write_bulk

    files = write_bulk(build_dir, store_dir.with_name("raw-nquads"))
    try:
        command = [sys.executable, "-c", "import sys; from kg.bench.run import _raw_load_worker; "
                   "_raw_load_worker(sys.argv[1], sys.argv[2])", str(files.nquads), str(store_dir)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(store_dir, ignore_errors=True)
        shutil.rmtree(files.directory, ignore_errors=True)
    return result["seconds"], result["peak_mb"]


def _raw_load_worker(nquads: str, store_dir: str) -> None:
    """Child process of ``_raw_pyoxigraph_load``: prints one JSON line, its load's seconds and its peak MB."""
    import pyoxigraph as ox

    started = time.perf_counter()
    store = ox.Store(store_dir)
    store.bulk_load(path=nquads, format=ox.RdfFormat.N_QUADS)
    store.flush()
    store.optimize()
    del store
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb(resource.RUSAGE_SELF)}))


def _query_worker(store_dir: str, name: str, params: dict[str, str], repeats: int) -> None:
    """Child process of ``time_queries_isolated``: prints one JSON line of timings."""
    import pyoxigraph as ox

    from kg.query.library import get_query
    from kg.query.params import bind
    from kg.query.run import run_bound
    from kg.query.store import OxigraphEngine

    query = get_query(name)
    engine = OxigraphEngine(ox.Store.read_only(store_dir))
    text = bind(query, params)
    timings, rows = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        rows = len(run_bound(query, text, engine))
        timings.append((time.perf_counter() - started) * 1000)
    print(json.dumps({"timings": timings, "rows": rows}))


def time_queries_isolated(store_dir: Path, repeats: int, timeout: float) -> dict[str, dict[str, float]]:
    """Each library query in its own process with a wall-clock limit: a query that does not scale shows as
    ``timeout_s`` instead of stalling the benchmark (a running SPARQL evaluation cannot be interrupted).

    A query runs as a whole-corpus report (its required parameters only) and, as ``name [scoped]``, with
    the parameters a user would type to narrow it (one department, township …), when those differ.
    """
    import pyoxigraph as ox

    from kg.query.library import load_library
    from kg.query.run import _percentile

    store = ox.Store.read_only(str(store_dir))
    params, scoped = _query_params(store), scoped_query_params(store)
    del store
    figures: dict[str, dict[str, float]] = {}
    runs: list[tuple[str, str, dict[str, str]]] = []
    for name, query in sorted(load_library().items()):
        for label, given in ((name, params.get(name, {})), (f"{name} [scoped]", scoped.get(name, {}))):
            if any(p.required and p.name not in given for p in query.parameters):
                continue
            if label != name and given == params.get(name, {}):
                continue  # nothing to narrow: the required parameters already scope it
            runs.append((label, name, given))
    for label, name, given in runs:
        command = [sys.executable, "-c", "import json, sys; from kg.bench.run import _query_worker; "
                   "_query_worker(sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]))",
                   str(store_dir), name, json.dumps(given), str(repeats)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            figures[label] = {"timeout_s": timeout}
            continue
        if done.returncode != 0:
            figures[label] = {"failed": 1.0}
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        figures[label] = {"oxigraph_median_ms": statistics.median(result["timings"]),
                         "oxigraph_p95_ms": _percentile(result["timings"], 0.95), "rows": float(result["rows"])}
    return figures


class _EndpointStore:
    """Just enough of a pyoxigraph store for ``_query_params``: SELECTs through kg.query.remote."""

    def __init__(self, endpoint: str) -> None:
        from kg.query.remote import EndpointEngine

        self.engine = EndpointEngine(endpoint)

    def query(self, text: str, use_default_graph_as_union: bool = True) -> list[list[Any]]:
        return self.engine.select(text)[1]


def time_queries_endpoint(endpoint: str, repeats: int, timeout: int = 120) -> dict[str, dict[str, Any]]:
    """Every library query on a SPARQL server (after ``publish`` or a bulk load): whole-corpus and scoped,
    as ``time_queries_isolated`` runs them on the embedded store; median and p95 ms over ``repeats``.

    One engine for every query, so how the server holds the dataset is looked up once, not timed with each
    query; a query that fails or exceeds ``timeout`` s is recorded (``error``) and the others still run."""
    from kg.errors import BudgetKGError
    from kg.query import run_query
    from kg.query.library import load_library
    from kg.query.remote import EndpointEngine
    from kg.query.run import _percentile

    store = _EndpointStore(endpoint)
    store.engine.timeout = timeout
    params, scoped = _query_params(store), scoped_query_params(store)
    engine = EndpointEngine(endpoint, timeout=timeout)
    engine.resolve_dataset()
    figures: dict[str, dict[str, Any]] = {}
    for name, query in sorted(load_library().items()):
        for label, given in ((name, params.get(name, {})), (f"{name} [scoped]", scoped.get(name, {}))):
            if any(p.required and p.name not in given for p in query.parameters):
                continue
            if label != name and given == params.get(name, {}):
                continue
            timings, rows = [], 0
            try:
                for _ in range(repeats):
                    started = time.perf_counter()
                    rows = len(run_query(name, given, store=engine))
                    timings.append((time.perf_counter() - started) * 1000)
            except BudgetKGError as error:
                figures[label] = {"error": str(error)[:300], "timeout_s": float(timeout)}
                continue
            figures[label] = {"median_ms": statistics.median(timings), "p95_ms": _percentile(timings, 0.95),
                              "rows": float(rows)}
    return figures


def endpoint_text(endpoint: str, figures: dict[str, dict[str, Any]]) -> str:
    lines = [f"budget-kg bench --endpoint {endpoint}: library queries (median / p95 ms, rows)"]
    for label, figure in figures.items():
        if "median_ms" not in figure:
            lines.append(f"  {label:<34} failed: {figure.get('error', '')}")
            continue
        lines.append(f"  {label:<34} {figure['median_ms']:>9.1f} {figure['p95_ms']:>9.1f} {int(figure['rows']):>8}")
    return "\n".join(lines) + "\n"


# ---- many runs ------------------------------------------------------------------------------------------------

def _fresh_dir(parent: Path, stem: str) -> Path:
    """``parent/stem``, or ``stem-2``, ``stem-3`` …: the first name not taken (an earlier run is never replaced)."""
    number = 1
    while True:
        candidate = parent / (stem if number == 1 else f"{stem}-{number}")
        try:
            candidate.mkdir(parents=True)
            return candidate
        except FileExistsError:
            number += 1


def run_bench(docs: int, jobs: list[int], repeats: int, seed: int, *, work_dir: str | Path | None = None,
              query_repeats: int = 5, rdflib_limit: int = RDFLIB_LIMIT, shacl_limit: int = SHACL_LIMIT,
              query_timeout: float = 60.0, progress: bool = False, compare: bool = True) -> BenchTable:
    """Generate ``docs`` synthetic disclosures (deterministic by ``seed``) and measure each stage ``repeats``
    times per process count in ``jobs``. Each run is a fresh child process (honest peak memory).

    ``compare=False`` skips the side-by-side figures (rdflib, pyshacl) and the query timings in every run.
    With ``work_dir`` the corpus and every run's build are kept there (``run-J-R``, or ``run-J-R-2`` … when
    that name is taken: nothing already there is deleted); without, a temporary directory is removed after."""
    own_work = work_dir is None
    work = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="budget-kg-bench-"))
    try:
        corpus = work / "corpus" if own_work else _fresh_dir(work, "corpus")
        written = generate_corpus(docs, corpus, seed)
        table = BenchTable(docs, sum(d.size for d in written) / 2**20, list(jobs), repeats)
        runs: dict[int, list[dict[str, Any]]] = {j: [] for j in jobs}
        for repeat in range(repeats):
            for job_count in jobs:
                run_dir = _fresh_dir(work, f"run-{job_count}-{repeat}")
                command = [sys.executable, "-m", "kg.bench.run", "--one", str(corpus), str(run_dir),
                           "--jobs", str(job_count), "--query-repeats", str(query_repeats),
                           "--rdflib-limit", str(rdflib_limit), "--shacl-limit", str(shacl_limit),
                           "--query-timeout", str(query_timeout)]
                if job_count != jobs[0] or not compare:
                    command.append("--no-compare")
                done = subprocess.run(command, capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    table.notes.append(f"run jobs={job_count} repeat={repeat} failed: "
                                       f"{done.stderr.strip().splitlines()[-1:]}")
                    continue
                runs[job_count].append(json.loads(done.stdout.strip().splitlines()[-1]))
                if own_work:
                    shutil.rmtree(run_dir, ignore_errors=True)
                if progress:
                    print(f"  run jobs={job_count} repeat={repeat + 1}/{repeats} done", file=sys.stderr)
        _summarise(table, runs, compare)
        table.notes.append(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end "
                           "(shared with other work: figures are lower bounds of what the code can do)")
        return table
    finally:
        if own_work:
            shutil.rmtree(work, ignore_errors=True)


def _summarise(table: BenchTable, runs: dict[int, list[dict[str, Any]]], compare: bool = True) -> None:
    names: dict[str, None] = {}
    for results in runs.values():
        for result in results:
            names.update(dict.fromkeys(result["figures"]))
    for name in names:
        table.stages[name] = {j: statistics.median(r["figures"][name] for r in results)
                              for j, results in runs.items()
                              if results and all(name in r["figures"] for r in results)}
    # query latency does not depend on the build's process count: pool every run's medians
    every = [r for results in runs.values() for r in results]
    query_names = sorted({q for r in every for q in r["queries"]})
    for query in query_names:
        figures: dict[str, float] = {}
        for key in ("oxigraph_median_ms", "oxigraph_p95_ms", "rdflib_median_ms", "rdflib_p95_ms", "rows",
                    "timeout_s"):
            values = [r["queries"][query][key] for r in every if key in r["queries"].get(query, {})]
            if values:
                figures[key] = statistics.median(values)
        table.queries[query] = figures
    if not compare:
        table.notes.append("no query timings and no rdflib/pyshacl comparison (--no-compare or --quick)")
    elif not any("rdflib_median_ms" in f for f in table.queries.values()):
        table.notes.append(f"rdflib side skipped above {RDFLIB_LIMIT} documents (memory)")


FULL = {"docs": 10, "jobs": [1, 2], "repeats": 1, "query_repeats": 5}
QUICK = {"docs": 3, "jobs": [1], "repeats": 1, "query_repeats": 1}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="budget-kg bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"a quick look: {QUICK['docs']} disclosures, 1 process, 1 run, no rdflib/pyshacl "
                        "comparison and the queries once (other options given still apply)")
    parser.add_argument("--docs", type=int, default=None, help="synthetic disclosures to generate (default: 10)")
    parser.add_argument("--jobs", type=int, nargs="+", default=None,
                        help="process counts to measure the build on (default: 1 2)")
    parser.add_argument("--repeats", type=int, default=None, help="runs per process count (default: 1)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic corpus (same seed, same corpus)")
    parser.add_argument("--work-dir", default=None, help="keep the corpus and every run's build here, under new "
                        "names (nothing there is deleted); default: a temporary directory, removed after")
    parser.add_argument("--query-repeats", type=int, default=None, help="times each library query runs (default: 5)")
    parser.add_argument("--rdflib-limit", type=int, default=RDFLIB_LIMIT,
                        help="load into rdflib only up to this many disclosures (memory)")
    parser.add_argument("--shacl-limit", type=int, default=SHACL_LIMIT,
                        help="run pyshacl on this many disclosures at most (a sample beyond)")
    parser.add_argument("--no-compare", action="store_true",
                        help="skip the side-by-side figures (rdflib, pyshacl) and the query timings")
    parser.add_argument("--json", default=None, help="also write the figures as JSON here")
    parser.add_argument("--built", default=None, help="only time the library queries (each in its own process, "
                        "--query-timeout s each) and SHACL on an existing build directory")
    parser.add_argument("--query-timeout", type=float, default=60.0, help="seconds per query (all its repeats)")
    parser.add_argument("--endpoint", default=None, help="only time the library queries on this SPARQL server "
                        "(a build published there with `budget-kg publish`, or bulk-loaded)")
    parser.add_argument("--one", nargs=2, metavar=("CORPUS", "WORK"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.quick:
        args.no_compare = True
    if args.one:
        result = run_once(Path(args.one[0]), Path(args.one[1]), args.jobs[0], query_repeats=args.query_repeats,
                          rdflib_limit=args.rdflib_limit, shacl_limit=args.shacl_limit,
                          compare=not args.no_compare, query_timeout=args.query_timeout)
        print(json.dumps(result))
        return 0
    if args.endpoint:
        figures = time_queries_endpoint(args.endpoint, args.query_repeats, int(args.query_timeout))
        print(endpoint_text(args.endpoint, figures), end="")
        if args.json:
            Path(args.json).write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
        return 0
    if args.built:
        built = Path(args.built)
        result: dict[str, Any] = {"queries": time_queries_isolated(built / "store", args.query_repeats,
                                                                    args.query_timeout)}
        result["validate"] = {"engine": "oxigraph", **_validate_timed(built / "store")}
        documents = json.loads((built / "report.json").read_text(encoding="utf-8"))["documents"]
        paths = [built / d["graph_file"] for d in documents]
        sample = paths[:: max(1, -(-len(paths) // args.shacl_limit))]
        seconds, violations, warnings = _shacl(sample, built / "graphs" / "shared.nt", args.jobs[0])
        result["shacl"] = {"documents": len(sample), "seconds_per_document": seconds / len(sample),
                           "violations": violations, "warnings": warnings}
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    measured = ("no query timings, no rdflib/pyshacl comparison" if args.no_compare else
                f"library queries x{args.query_repeats}, rdflib and pyshacl side by side")
    kept = f"; kept in {args.work_dir}" if args.work_dir else ""
    print(f"budget-kg bench: {args.docs} synthetic disclosure(s) (seed {args.seed}), build on "
          f"{' and '.join(map(str, args.jobs))} process(es), {args.repeats} run(s) each; {measured}{kept}",
          file=sys.stderr, flush=True)
    table = run_bench(args.docs, args.jobs, args.repeats, args.seed, work_dir=args.work_dir,
                      query_repeats=args.query_repeats, rdflib_limit=args.rdflib_limit,
                      shacl_limit=args.shacl_limit, query_timeout=args.query_timeout, progress=True,
                      compare=not args.no_compare)
    print(table.text(), end="")
    if args.json:
        Path(args.json).write_text(json.dumps(table.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
