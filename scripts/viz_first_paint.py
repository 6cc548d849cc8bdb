"""Time to first paint of ``budget-kg viz`` pages in headless Chromium, at several corpus sizes.

    python scripts/viz_first_paint.py --disclosures 7 100 1000 --runs 3 --shots docs/img

Each size is a synthetic graph (scripts/synthetic_graph.py: two disclosures per department, one for an
odd count; 20 projects each) loaded into an in-memory store; ``--store DIR`` measures a real build instead.
For each page it reports the nodes drawn, the size of the HTML, the time to write it (median), and the time
from navigation to the first frame cytoscape drew (median of ``--runs`` loads; the page logs it to the
console), and saves a screenshot of the policy view.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.visualize import write_viz  # noqa: E402

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0"]
_PAINT = re.compile(r"budget-kg viz: first paint (\d+) ms, (\d+) nodes")
PROJECTS_PER_DISCLOSURE = 20


def synthetic_store(disclosures: int, work: Path) -> ox.Store:
    """A store of ``disclosures`` synthetic disclosures (one named graph per file, as a build makes)."""
    spec = importlib.util.spec_from_file_location("synthetic_graph", ROOT / "scripts" / "synthetic_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    years = 1 if disclosures % 2 else 2  # two years per department, unless that cannot make the count
    departments = max(1, disclosures // years)
    module.write(work, disclosures * PROJECTS_PER_DISCLOSURE, max(50, disclosures * 3), departments, years, 7)
    store = ox.Store()
    for path in sorted((work / "graphs").glob("*.nt")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(f"https://w3id.org/budget-kg/graph/{path.stem}"))
    return store


def first_paint(page: Path, shot: Path | None, work: Path) -> tuple[int, int]:
    """(milliseconds to the first frame, nodes drawn) of one load in a fresh profile."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("headless chromium not found (Debian: apt-get install chromium)")
    profile = Path(tempfile.mkdtemp(dir=work, prefix="profile-"))
    target = shot or work / "shot.png"
    completed = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", "--window-size=1400,900",
                                f"--screenshot={target}", page.as_uri()],
                               capture_output=True, text=True, timeout=300, check=False)
    found = _PAINT.search(completed.stderr)
    if completed.returncode != 0 or found is None:
        raise SystemExit(f"{page}: no first paint logged\n{completed.stderr[-2000:]}")
    return int(found[1]), int(found[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disclosures", type=int, nargs="*", default=[7, 100, 1000])
    parser.add_argument("--store", help="a build directory to measure instead of synthetic graphs")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shots", type=Path, help="directory for screenshots viz-N.png")
    args = parser.parse_args()
    cases: list[tuple[str, object]] = [("build", args.store)] if args.store else \
        [(str(n), n) for n in args.disclosures]
    print("| disclosures | nodes drawn (policy) | HTML | write (s) | first paint (ms, median) | runs |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="viz-paint-") as scratch:
        work = Path(scratch)
        for name, value in cases:
            case_dir = work / name
            case_dir.mkdir()
            source = value if isinstance(value, str) else synthetic_store(int(value), case_dir)  # type: ignore[arg-type]
            page = case_dir / "viz.html"
            writes = []
            for _ in range(max(1, args.runs)):
                started = time.perf_counter()
                write_viz(source, page, view="policy")
                writes.append(time.perf_counter() - started)
            shot = args.shots / f"viz-{name}.png" if args.shots else None
            if shot:
                shot.parent.mkdir(parents=True, exist_ok=True)
            paints, nodes = [], 0
            for run in range(max(1, args.runs)):
                paint, nodes = first_paint(page, shot if run == 0 else None, case_dir)
                paints.append(paint)
            size = page.stat().st_size / 1e6
            print(f"| {name} | {nodes:,} | {size:.1f} MB | {statistics.median(writes):.1f} | "
                  f"{statistics.median(paints):,.0f} | {', '.join(str(p) for p in paints)} |", flush=True)


if __name__ == "__main__":
    main()
