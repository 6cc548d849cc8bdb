"""Validation speed: the Oxigraph engine against pyshacl on the same synthetic graph, with the same report.

    python -m kg.bench.validate_speed --docs 100 --pyshacl-docs 10 --runs 3

Builds (once, kept in ``--work``) a synthetic corpus of each size (``kg.bench.synthetic``, seed 0), then times,
each run in a fresh child process so that its peak memory is its own:

* ours: ``validate_store`` over the build's store (read-only RocksDB, the union of its named graphs), as
  ``budget-kg validate`` runs it; wall seconds, CPU seconds (both cores) and peak RSS;
* pyshacl: the build's graph.nt parsed into an rdflib Graph (timed apart), then ``kg.validate.validate``
  (pyshacl, no inference, as the reference engine runs) on it.

pyshacl takes minutes per 100,000 triples, so it runs at ``--pyshacl-docs`` only; at the larger size its time is
extrapolated linearly from its seconds per triple (the output says so). At the pyshacl size the two reports are
compared issue by issue (severity, focus node, rule, value): the ratio is only printed for equal reports.
Figures are medians of ``--runs`` runs (pyshacl: ``--pyshacl-runs``).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_WORK = Path("bench-validate")


def build_corpus(docs: int, work: Path, seed: int = 0) -> Path:
    """A synthetic corpus of ``docs`` disclosures built with its store and graph.nt (reused when present)."""
    from kg.bench.synthetic import generate_corpus
    from kg.build import build

    out = work / f"docs{docs}-seed{seed}"
    if (out / "build" / "store").is_dir() and (out / "build" / "graph.nt").is_file():
        return out / "build"
    generate_corpus(docs, out / "corpus", seed)
    build([out / "corpus"], out / "build", jobs=2, formats=("nt",), store=True, progress=False)
    return out / "build"


def _measure_ours(build_dir: str) -> dict[str, Any]:
    """In the child: one validation of the store, timed."""
    import pyoxigraph

    from kg.validate import load_shapes
    from kg.validate.oxigraph_engine import validate_store

    shapes = load_shapes()
    store = pyoxigraph.Store.read_only(str(Path(build_dir) / "store"))
    triples = int(next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                        use_default_graph_as_union=True)))[0].value)
    wall, cpu = time.perf_counter(), time.process_time()
    report = validate_store(store, shapes=shapes)
    return {"triples": triples, "seconds": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "issues": _keys(report)}


def _measure_pyshacl(build_dir: str) -> dict[str, Any]:
    """In the child: graph.nt parsed with rdflib, then validated with pyshacl (the reference engine)."""
    from rdflib import Graph

    from kg.validate import load_shapes, validate

    shapes = load_shapes()
    import pyshacl  # noqa: F401  (imported before the clock starts, as ours is)

    started = time.perf_counter()
    graph = Graph()
    graph.parse(str(Path(build_dir) / "graph.nt"), format="nt")
    parsed = time.perf_counter()
    cpu = time.process_time()
    report = validate(graph, shapes=shapes, engine="pyshacl")
    return {"triples": len(graph), "parse_seconds": parsed - started, "seconds": time.perf_counter() - parsed,
            "cpu": time.process_time() - cpu, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "issues": _keys(report)}


def _keys(report: Any) -> list[list[str]]:
    """What both engines must agree on: severity, focus node, rule (shape, path) and value, sorted."""
    from decimal import Decimal, InvalidOperation

    def number_or_text(value: str | None) -> str:
        try:  # a computed sum prints 130483900 (Oxigraph) or 130483900.0 (rdflib): the same number
            return str(Decimal(value).normalize()) if value is not None else ""
        except InvalidOperation:
            return value or ""

    return sorted([issue.severity, issue.focus, issue.rule, number_or_text(issue.value)] for issue in report.issues)


def _child(kind: str, build_dir: Path) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; its result is the last line it prints (JSON)."""
    done = subprocess.run([sys.executable, "-m", "kg.bench.validate_speed", "--child", kind, str(build_dir)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def run(docs: int, pyshacl_docs: int, runs: int, pyshacl_runs: int, work: Path) -> str:
    lines = [f"validation speed: ours (Oxigraph engine, validate_store) vs pyshacl {_pyshacl_version()}; "
             f"medians of {runs} run(s) (pyshacl {pyshacl_runs}), each in a fresh process"]
    sizes = sorted({pyshacl_docs, docs})
    ours: dict[int, list[dict[str, Any]]] = {}
    for size in sizes:
        build_dir = build_corpus(size, work)
        ours[size] = [_child("ours", build_dir) for _ in range(runs)]
    reference = [_child("pyshacl", build_corpus(pyshacl_docs, work)) for _ in range(pyshacl_runs)]
    same = all(run["issues"] == reference[0]["issues"] for run in ours[pyshacl_docs] + reference)
    issues = reference[0]["issues"]
    lines.append(f"same report at {pyshacl_docs} disclosures: {'yes' if same else 'NO'} "
                 f"({sum(i[0] == 'Violation' for i in issues)} violations, "
                 f"{sum(i[0] == 'Warning' for i in issues)} warnings)")
    head = f"{'':<44}{'triples':>10}{'wall s':>9}{'CPU s':>8}{'triples/s':>11}{'peak MB':>9}"
    lines += [head, "-" * len(head)]
    for size in sizes:
        triples = ours[size][0]["triples"]
        seconds = _median(ours[size], "seconds")
        lines.append(f"{f'ours, {size} disclosures':<44}{triples:>10,}{seconds:>9.2f}{_median(ours[size], 'cpu'):>8.2f}"
                     f"{triples / seconds:>11,.0f}{_median(ours[size], 'peak_mb'):>9.0f}")
    triples = reference[0]["triples"]
    seconds = _median(reference, "seconds")
    lines.append(f"{f'pyshacl, {pyshacl_docs} disclosures (validate only)':<44}{triples:>10,}{seconds:>9.2f}"
                 f"{_median(reference, 'cpu'):>8.2f}{triples / seconds:>11,.0f}{_median(reference, 'peak_mb'):>9.0f}")
    lines.append(f"{'  + rdflib parse of graph.nt':<44}{'':>10}{_median(reference, 'parse_seconds'):>9.2f}")
    pyshacl_rate = triples / seconds
    for size in sizes:
        rate = ours[size][0]["triples"] / _median(ours[size], "seconds")
        measured = "measured" if size == pyshacl_docs else "pyshacl extrapolated linearly from its triples/s"
        ratio = f"{rate / pyshacl_rate:,.0f}x" if same else "not comparable (reports differ)"
        lines.append(f"ours / pyshacl at {size} disclosures: {ratio} ({measured})")
    return "\n".join(lines)


def _pyshacl_version() -> str:
    from importlib.metadata import version

    return version("pyshacl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench.validate_speed", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100, help="synthetic disclosures for ours (default 100)")
    parser.add_argument("--pyshacl-docs", type=int, default=10, help="size pyshacl runs at (default 10)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pyshacl-runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where corpora and builds are kept")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "BUILD_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, build_dir = args.child
        print(json.dumps((_measure_ours if kind == "ours" else _measure_pyshacl)(build_dir)))
        return 0
    if min(args.docs, args.pyshacl_docs, args.runs, args.pyshacl_runs) < 1:
        parser.error("sizes and run counts must be at least 1")
    print(run(args.docs, args.pyshacl_docs, args.runs, args.pyshacl_runs, args.work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
