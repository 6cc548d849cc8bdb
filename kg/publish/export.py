"""``budget-kg export``: the dataset as Turtle, N-Triples and JSON-LD, with its context and DCAT/VoID description.

Reads a build directory's per-disclosure graphs (each triple is in exactly one, so nothing repeats) and
writes ``OUT/graph.{ttl,nt,jsonld}``, ``OUT/context.jsonld`` (what graph.jsonld's ``@context`` URL serves)
and ``OUT/void.ttl``. N-Triples lines are sorted, so the same build gives the same bytes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.output import staged_output
from kg.publish import pages
from kg.publish.describe import dataset_description
from kg.rdf.namespaces import PREFIXES
from kg.report import atomic_write_text

FORMATS = ("ttl", "nt", "jsonld")


def _load(build_dir: Path) -> list[ox.Triple]:
    files = sorted((build_dir / "graphs").glob("*.nt"))
    if not files or not (build_dir / "report.json").is_file():
        raise BudgetKGError(str(build_dir), "not a build directory (no report.json and graphs/*.nt); "
                            "run `budget-kg build ... --out DIR` first", code="no-build")
    triples: dict[str, ox.Triple] = {}
    for path in files:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
            triples.setdefault(str(triple), triple)
    return [triples[key] for key in sorted(triples)]


def export(build_dir: str | Path, out_dir: str | Path, formats: tuple[str, ...] = FORMATS, *,
           sparql_endpoint: str | None = "https://w3id.org/budget-kg/sparql",
           context_url: str = pages.CONTEXT_URL, force: bool = False) -> dict[str, Path]:
    """Write the chosen formats plus context.jsonld and void.ttl; returns format → file written.

    ``out_dir`` is written whole and swapped in (kg.output): it replaces only a previous budget-kg output.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise BudgetKGError(str(out_dir), f"unknown format(s) {', '.join(sorted(unknown))}; use {', '.join(FORMATS)}",
                            code="bad-format")
    build = Path(build_dir)
    triples = _load(build)
    with staged_output(out_dir, "export", [build], force=force) as staged:
        written = _write_export(build, staged, triples, formats, sparql_endpoint, context_url)
    return {fmt: Path(out_dir) / path.relative_to(staged) for fmt, path in written.items()}


def _write_export(build: Path, out: Path, triples: list[ox.Triple], formats: tuple[str, ...],
                  sparql_endpoint: str | None, context_url: str) -> dict[str, Path]:
    written: dict[str, Path] = {}
    if "nt" in formats:
        written["nt"] = out / "graph.nt"
        atomic_write_text(written["nt"], "".join(f"{t} .\n" for t in triples))
    if "ttl" in formats:
        written["ttl"] = out / "graph.ttl"
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes={k: str(v) for k, v in PREFIXES.items()})
        atomic_write_text(written["ttl"], data.decode("utf-8"))
    if "jsonld" in formats:
        written["jsonld"] = out / "graph.jsonld"
        atomic_write_text(written["jsonld"], pages.serialise(triples, "jsonld", context_url).decode("utf-8"))
    written["context"] = out / "context.jsonld"
    shutil.copyfile(pages.CONTEXT_FILE, written["context"])
    written["void"] = out / "void.ttl"
    description = dataset_description(build, sparql_endpoint=sparql_endpoint, formats=tuple(formats))
    atomic_write_text(written["void"], description.serialize(format="turtle"))
    return written


def load_jsonld_with_local_context(path: Path, context_file: Path) -> dict:
    """graph.jsonld with its context URL replaced by the context file's content (for offline readers/tests)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document["@context"] = json.loads(context_file.read_text(encoding="utf-8"))["@context"]
    return document
