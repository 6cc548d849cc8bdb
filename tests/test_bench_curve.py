"""The scaling curve's bookkeeping (`python -m kg.bench.curve`): each stage per disclosure from a bench JSON."""

from __future__ import annotations

from kg.bench.curve import per_disclosure, table


def bench_json(docs: int, documents_per_s: float, triples: int, graph_rate: float, store_s: float) -> dict:
    stages = {"extract: documents/s": documents_per_s, "build: triples": triples, "graph: triples/s": graph_rate,
              "partition: seconds": docs * 0.02, "store load: seconds": store_s,
              "build: seconds (all stages)": docs * 0.5, "validate (oxigraph engine): seconds": docs * 0.04,
              "peak memory MB (build, main process)": 300.0 + docs,
              "peak memory MB (build, largest worker)": 120.0 + docs / 10,
              "peak memory MB (largest child: worker or query process)": 900.0}
    return {"docs": docs, "jobs": [2], "stages": {name: {"2": value} for name, value in stages.items()}}


def test_stage_times_per_disclosure():
    row = per_disclosure(bench_json(100, 8.0, 740_000, 185_000.0, 30.0))
    assert row["extract ms"] == 125.0  # 100 documents at 8 per second: 12.5 s
    assert row["graph ms"] == 40.0  # 740,000 triples at 185,000 per second: 4 s
    assert row["store ms"] == 300.0 and row["triples per disclosure"] == 7_400
    assert row["peak MB (build)"] == 400.0
    assert row["peak MB (largest child)"] == 130.0  # the build's workers, not the raw load's child (900)


def test_table_sorted_by_corpus_size():
    text = table([bench_json(1000, 7.5, 7_674_000, 183_534.0, 131.0), bench_json(10, 9.0, 74_000, 200_000.0, 0.6)])
    rows = [line for line in text.splitlines() if line.startswith("| 1")]
    assert [row.split("|")[1].strip() for row in rows] == ["10", "1,000"]
    assert rows[1].split("|")[5].strip() == "131"  # store: 131 s for 1,000 disclosures
