"""Starting fast: the command line imports no heavy reader until a verb needs it, and small builds run in one
process (a pool costs more than it saves there)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kg.build import POOL_THRESHOLD_BYTES, auto_jobs

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HEAVY = ("pandas", "numpy", "rdflib", "pdfplumber", "pypdfium2", "pyoxigraph", "pyshacl", "SPARQLWrapper")


def _imported_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_imports_no_reader_or_store():
    assert _imported_after("import kg.cli") == []


def test_help_imports_no_reader_or_store():
    code = "import contextlib, io\nfrom kg.cli import main\nwith contextlib.suppress(SystemExit), " \
           "contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])"
    assert _imported_after(code) == []


def test_small_inputs_build_in_one_process():
    samples = sorted(SAMPLES.glob("*.txt"))
    assert sum(p.stat().st_size for p in samples) < POOL_THRESHOLD_BYTES  # the five seeds: about 1.2 MB
    assert auto_jobs(samples) == 1
    assert auto_jobs([]) == 1


def test_large_inputs_use_the_cores(tmp_path: Path):
    import os

    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(POOL_THRESHOLD_BYTES)  # sparse: a size, not data
    assert auto_jobs([big]) == min(os.cpu_count() or 1, 4)
