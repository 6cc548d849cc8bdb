"""``python -m kg.bench.curve A.json B.json …``: the scaling curve of several ``budget-kg bench --json`` runs.

One Markdown row per run (sorted by corpus size): each stage's seconds per disclosure (ms), triples per
disclosure and peak memory, so a stage that is not linear in the corpus shows as a per-disclosure time that
grows with it. Every run is read at the process count it was built with (the first of its ``--jobs``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

STAGES = ("extract", "graph", "partition", "store", "build", "validate")


def per_disclosure(run: dict[str, Any]) -> dict[str, float]:
    """Milliseconds per disclosure for each stage, triples per disclosure and peak memory of one bench run."""
    docs = run["docs"]
    jobs = str(run["jobs"][0])
    stage = {name: values[jobs] for name, values in run["stages"].items() if jobs in values}
    triples = stage["build: triples"]
    seconds = {
        "extract": docs / stage["extract: documents/s"],
        "graph": triples / stage["graph: triples/s"],
        "partition": stage["partition: seconds"],
        "store": stage["store load: seconds"],
        "build": stage["build: seconds (all stages)"],
        "validate": stage["validate (oxigraph engine): seconds"],
    }
    row = {f"{name} ms": 1000 * value / docs for name, value in seconds.items()}
    row.update({"docs": docs, "triples per disclosure": triples / docs,
                "peak MB (build)": stage.get("peak memory MB (build, main process)", 0.0),
                # the build's workers; runs before that figure have only the largest child of the whole run
                "peak MB (largest child)": stage.get("peak memory MB (build, largest worker)",
                                                     stage.get("peak memory MB (largest child: worker or query "
                                                               "process)", 0.0))})
    return row


def table(runs: list[dict[str, Any]]) -> str:
    rows = sorted((per_disclosure(run) for run in runs), key=lambda row: row["docs"])
    head = ("| disclosures | " + " | ".join(f"{name} ms/disclosure" for name in STAGES)
            + " | triples/disclosure | peak MB (build) | peak MB (worker) |")
    lines = [head, "|" + "---|" * (len(STAGES) + 4)]
    for row in rows:
        lines.append(f"| {int(row['docs']):,} | " + " | ".join(f"{row[f'{name} ms']:,.0f}" for name in STAGES)
                     + f" | {row['triples per disclosure']:,.0f} | {row['peak MB (build)']:,.0f}"
                     f" | {row['peak MB (largest child)']:,.0f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench.curve", description=__doc__.split("\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="`budget-kg bench --json` files")
    args = parser.parse_args(argv)
    print(table([json.loads(path.read_text(encoding="utf-8")) for path in args.runs]), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
