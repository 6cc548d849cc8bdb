"""The benchmark's bookkeeping: medians over runs per process count, the rdflib/oxigraph ratio, the profile's
package attribution. (The measured figures themselves are in docs/benchmark.md.)"""

from __future__ import annotations

from kg.bench.profile import package_of
from kg.bench.run import BenchTable, _summarise


def run(extract: float, build: float, oxigraph_ms: float, rdflib_ms: float | None = None) -> dict:
    queries = {"code-rollup": {"oxigraph_median_ms": oxigraph_ms, "oxigraph_p95_ms": oxigraph_ms * 2, "rows": 322}}
    if rdflib_ms is not None:
        queries["code-rollup"].update({"rdflib_median_ms": rdflib_ms, "rdflib_p95_ms": rdflib_ms})
    return {"figures": {"extract: documents/s": extract, "build: triples/s": build}, "queries": queries}


def test_medians_per_process_count_and_ratio():
    table = BenchTable(docs=10, megabytes=2.3, jobs=[1, 2], repeats=3)
    _summarise(table, {1: [run(3.0, 10_000, 400, 6000), run(5.0, 11_000, 440), run(4.0, 9_000, 500)],
                       2: [run(6.0, 18_000, 420), run(7.0, 20_000, 410), run(2.0, 5_000, 430)]})
    assert table.stages["extract: documents/s"] == {1: 4.0, 2: 6.0}
    assert table.stages["build: triples/s"] == {1: 10_000, 2: 18_000}
    assert table.queries["code-rollup"]["oxigraph_median_ms"] == 425  # pooled over all six runs
    assert table.queries["code-rollup"]["rdflib_median_ms"] == 6000
    text = table.text()
    assert "10 synthetic disclosures" in text and "medians of 3 run(s)" in text
    row = next(line for line in text.splitlines() if line.startswith("code-rollup"))
    assert row.split()[5] == "14.12"  # rdflib / oxigraph = 6000 / 425


def test_missing_runs_leave_a_dash_not_a_zero():
    table = BenchTable(docs=10, megabytes=1.0, jobs=[1, 2], repeats=1)
    _summarise(table, {1: [run(3.0, 10_000, 100)], 2: []})
    assert table.stages["extract: documents/s"] == {1: 3.0}
    line = next(line for line in table.text().splitlines() if line.startswith("extract: documents/s"))
    assert line.split()[-1] == "—"
    assert any("rdflib side skipped" in note for note in table.notes)


def test_profile_charges_time_to_packages():
    assert package_of("/work/main/kg/tables/parse.py") == "kg.tables"
    assert package_of("/work/main/kg/build.py") == "kg"
    assert package_of("/venv/lib/python3.11/site-packages/rdflib/graph.py") == "rdflib"
    assert package_of("~") == "(builtins)"
