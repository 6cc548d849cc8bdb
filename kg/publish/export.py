"""``budget-kg export``: the dataset as Turtle, N-Triples, JSON-LD, N-Quads and TriG, with a DCAT/VoID description.

Reads a build directory's per-disclosure graphs (each triple is in exactly one, so nothing repeats) and
writes ``OUT/graph.{ttl,nt,jsonld}`` (the union, one default graph), ``OUT/dataset.{nq,trig}`` (each triple
in its named graph: one per disclosure, the shared graph, the classification links), ``OUT/context.jsonld``
(the context graph.jsonld holds inline, for reuse) and ``OUT/void.ttl``. N-Triples and N-Quads lines are
sorted, so the same build gives the same bytes. ``gzip=True`` compresses every dump (``graph.nt.gz`` …).
JSON-LD carries its ``@context`` inline: rdflib, pyoxigraph and jsonld.js read it offline.
"""

from __future__ import annotations

import gzip as gzip_module
import json
import os
import shutil
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.output import staged_output
from kg.publish import pages
from kg.publish.describe import dataset_description
from kg.rdf.namespaces import PREFIXES
from kg.report import atomic_write_text

FORMATS = ("ttl", "nt", "jsonld", "nq", "trig")
DEFAULT_FORMATS = FORMATS
QUAD_FORMATS = {"nq": ("dataset.nq", ox.RdfFormat.N_QUADS), "trig": ("dataset.trig", ox.RdfFormat.TRIG)}


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


def _load_quads(build_dir: Path) -> list[ox.Quad]:
    """Every triple of the build in the named graph the build gave its file (report.json)."""
    from kg.query.store import build_graph_names

    names = build_graph_names(build_dir)
    quads: dict[str, ox.Quad] = {}
    for path in sorted((build_dir / "graphs").glob("*.nt")):
        graph = ox.NamedNode(names[path]) if path in names else ox.DefaultGraph()
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
            quad = ox.Quad(triple.subject, triple.predicate, triple.object, graph)
            quads.setdefault(str(quad), quad)
    return [quads[key] for key in sorted(quads)]


def export(build_dir: str | Path, out_dir: str | Path, formats: tuple[str, ...] = DEFAULT_FORMATS, *,
           sparql_endpoint: str | None = None, context_url: str | None = None, force: bool = False,
           gzip: bool = False) -> dict[str, Path]:
    """Write the chosen formats plus context.jsonld and void.ttl; returns format → file written.

    ``sparql_endpoint``: the public endpoint the VoID description names (none unless given: a description
    must not promise an endpoint nobody runs). ``context_url``: reference the JSON-LD context by this URL
    instead of inlining it. ``gzip``: every dump compressed, ``.gz`` added to its name.
    ``out_dir`` is written whole and swapped in (kg.output): it replaces only a previous budget-kg output.
    """
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise BudgetKGError(str(out_dir), f"unknown format(s) {', '.join(sorted(unknown))}; use {', '.join(FORMATS)}",
                            code="bad-format")
    build = Path(build_dir)
    triples = _load(build)
    with staged_output(out_dir, "export", [build], force=force) as staged:
        written = _write_export(build, staged, triples, formats, sparql_endpoint, context_url, gzip)
    return {fmt: Path(out_dir) / path.relative_to(staged) for fmt, path in written.items()}


def _write_dump(path: Path, data: bytes, compress: bool) -> Path:
    """``data`` to ``path`` (``path.gz``, compressed, when ``compress``); mtime 0 in the gzip header, so the
    same build gives the same bytes."""
    if not compress:
        atomic_write_text(path, data.decode("utf-8"))
        return path
    target = path.with_name(path.name + ".gz")
    partial = target.with_name(f".{target.name}.partial")
    with open(partial, "wb") as raw, gzip_module.GzipFile(filename=path.name, mode="wb", fileobj=raw,
                                                          mtime=0) as packed:
        packed.write(data)
    os.replace(partial, target)
    return target


def _write_export(build: Path, out: Path, triples: list[ox.Triple], formats: tuple[str, ...],
                  sparql_endpoint: str | None, context_url: str | None, gzip: bool) -> dict[str, Path]:
    written: dict[str, Path] = {}
    prefixes = {k: str(v) for k, v in PREFIXES.items()}
    if "nt" in formats:
        written["nt"] = _write_dump(out / "graph.nt", "".join(f"{t} .\n" for t in triples).encode("utf-8"), gzip)
    if "ttl" in formats:
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        written["ttl"] = _write_dump(out / "graph.ttl", data, gzip)
    if "jsonld" in formats:
        written["jsonld"] = _write_dump(out / "graph.jsonld", pages.serialise(triples, "jsonld", context_url), gzip)
    if any(fmt in formats for fmt in QUAD_FORMATS):
        quads = _load_quads(build)
        if "nq" in formats:
            written["nq"] = _write_dump(out / "dataset.nq", "".join(f"{q} .\n" for q in quads).encode("utf-8"),
                                        gzip)
        if "trig" in formats:
            written["trig"] = _write_dump(out / "dataset.trig",
                                          ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=prefixes), gzip)
    written["context"] = out / "context.jsonld"
    shutil.copyfile(pages.CONTEXT_FILE, written["context"])
    written["void"] = out / "void.ttl"
    description = dataset_description(build, sparql_endpoint=sparql_endpoint, formats=tuple(formats),
                                      compressed=gzip)
    atomic_write_text(written["void"], description.serialize(format="turtle"))
    return written


def load_jsonld_with_local_context(path: Path, context_file: Path) -> dict:
    """A JSON-LD file whose context is referenced by URL (``context_url=``), with the context file's content
    in its place (for offline readers)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document["@context"] = json.loads(context_file.read_text(encoding="utf-8"))["@context"]
    return document
