"""PDF reading speed: seconds per page, median of several runs per document, over a folder of PDFs.

    python -m kg.bench.pdf_speed [FOLDER] [--runs 5]

FOLDER defaults to ../shared/dev-corpus/pdf. Each document is read ``--runs`` times (after one warm-up read);
its figure is the median time of a read divided by its pages. Printed: per document, then the median and the
slowest over the documents, and this process's peak memory. A benchmark, not a test: quote its medians.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[2].parent / "shared" / "dev-corpus" / "pdf"


def seconds_per_page(path: Path, runs: int) -> tuple[int, float]:
    from kg.ingest import read_source

    read_source(path)  # warm-up: imports, file cache
    times = []
    pages = 0
    for _ in range(runs):
        started = time.perf_counter()
        source = read_source(path)
        times.append(time.perf_counter() - started)
        pages = len(source.pages) or 1
    return pages, statistics.median(times) / pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT, help="a folder of PDFs")
    parser.add_argument("--runs", type=int, default=5, help="timed reads per document (median taken)")
    args = parser.parse_args(argv)
    pdfs = sorted(args.folder.glob("*.pdf"))
    if not pdfs:
        print(f"no PDF in {args.folder}", file=sys.stderr)
        return 2
    figures = []
    for pdf in pdfs:
        pages, per_page = seconds_per_page(pdf, args.runs)
        figures.append(per_page)
        print(f"{pdf.name:<48} {pages:>4} pages  {per_page * 1000:7.1f} ms/page")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{len(pdfs)} PDFs, {args.runs} runs each: median {statistics.median(figures) * 1000:.1f} ms/page, "
          f"slowest {max(figures) * 1000:.1f} ms/page; peak memory {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
