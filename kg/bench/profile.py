"""Where a build's time goes: cProfile over an in-process build (one job), summed by package.

    python -m kg.bench.profile CORPUS_DIR [--top 25]

A one-job build runs every stage in this process, so the profile sees all of it (a pool's workers would be
invisible). The summary charges each function's own time to its package (kg.tables, kg.citations, rdflib,
pyshacl…), which says which stage to optimise; the function list says where inside it.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
from collections import Counter
from pathlib import Path


def package_of(filename: str) -> str:
    """kg/tables/parse.py → kg.tables; site-packages/rdflib/… → rdflib; built-ins → (builtins)."""
    path = Path(filename)
    parts = path.parts
    if "kg" in parts:
        index = len(parts) - 1 - parts[::-1].index("kg")
        inner = parts[index:-1] or ("kg",)
        return ".".join(inner[:2])
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    if filename.startswith("~") or filename.startswith("<"):
        return "(builtins)"
    return "(stdlib)"


# The build's stage entry points (function name; the defining file's name where the name is common):
# their cumulative time is the stage's cost.
STAGES = (
    ("extract (ingest, tables, entities)", "extract.py", "extract_disclosure"),
    ("places", None, "link_disclosure"),
    ("citations", None, "extract_citations_with_notices"),
    ("per-disclosure graph (kg.rdf)", None, "build_disclosure"),
    ("sorted N-Triples", None, "ntriples_text"),
    ("classification links", None, "classification_links"),
    ("partition into named graphs + graph.nt", None, "partition_shared"),
    ("store bulk load", None, "write_store"),
)


def stage_times(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Cumulative seconds of each build stage."""
    out: list[tuple[str, float]] = []
    for label, file_name, function in STAGES:
        seconds = sum(cumulative for (filename, _line, name), (_c, _p, _own, cumulative, _callers)
                      in stats.stats.items()  # type: ignore[attr-defined]
                      if name == function and file_name in (None, Path(filename).name))
        out.append((label, seconds))
    return out


def own_time_by_package(stats: pstats.Stats) -> Counter[str]:
    totals: Counter[str] = Counter()
    for (filename, _line, _name), (_calls, _primitive, own, _cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        totals[package_of(filename)] += own
    return totals


def profile_build(corpus: str | Path, top: int = 25) -> str:
    """Build ``corpus`` with one job under cProfile; return the by-package summary and the top functions."""
    from kg.build import build

    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="budget-kg-profile-") as work:
        profiler.enable()
        report = build([corpus], Path(work) / "out", jobs=1, formats=(), store=True, progress=False)
        profiler.disable()
    stats = pstats.Stats(profiler)
    totals = own_time_by_package(stats)
    overall = sum(totals.values()) or 1.0
    lines = [f"profile: {report.counts['disclosures']} disclosures, {report.triples} triples, "
             f"{report.seconds:.1f} s wall", "", "own time by package:"]
    lines += [f"  {name:<28}{seconds:9.2f} s {seconds / overall:6.1%}" for name, seconds in totals.most_common(15)]
    lines += ["", "cumulative time by build stage:"]
    lines += [f"  {label:<36}{seconds:9.2f} s" for label, seconds in stage_times(stats)]
    lines += ["", f"top {top} functions by own time:"]
    ranked = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)  # type: ignore[attr-defined]
    for (filename, line, name), (calls, _primitive, own, cumulative, _callers) in ranked[:top]:
        lines.append(f"  {own:8.2f} s own {cumulative:8.2f} s cum {calls:>9} calls  {package_of(filename)}:"
                     f"{Path(filename).name}:{line}({name})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench.profile", description=__doc__.split("\n")[0])
    parser.add_argument("corpus")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    print(profile_build(args.corpus, args.top), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
