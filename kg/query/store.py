"""The embedded store: a persistent pyoxigraph store on disk (default), or an in-memory rdflib Dataset.

``budget-kg build --out DIR`` fills ``DIR/store`` with :func:`load_store`; ``budget-kg query`` opens it
with :func:`open_store`. Each graph file goes into its own named graph — the IRI of the one
``bkg:Disclosure`` it describes, else a name derived from the file — and loading a file again replaces its
graph, so a rebuild never duplicates. Queries see the union of all graphs as their default graph.

Beware: Oxigraph's union default graph repeats a triple once per graph that holds it (rdflib's does
not), so the library's queries aggregate over ``SELECT DISTINCT`` sub-queries; tests load the seed graph
twice to keep that honest.

The rdflib backend reads the same graph files with rdflib's own SPARQL engine: slower, but pure Python,
and a second opinion on every query (the tests run the library on both and compare rows).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.query.results import Memo, Term
from kg.rdf.safe_xml import check_rdf_file

log = logging.getLogger(__name__)

BKG = "https://w3id.org/budget-kg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
GRAPH_BASE = "https://w3id.org/budget-kg/graph/"
STORE_SUBDIR = "store"

# File endings read as graph files, and their pyoxigraph formats; quad formats keep their own graphs.
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
}
_QUAD_FORMATS = {ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG}


class StoreError(BudgetKGError):
    """A store directory that cannot be opened, or a graph file that cannot be loaded."""


class SelectEngine(Protocol):
    """Anything that answers a SELECT query with variable names and rows of :class:`Term`."""

    def select(self, query: str) -> tuple[list[str], list[list[Term | None]]]: ...


@dataclass
class LoadReport:
    graphs: dict[str, str] = field(default_factory=dict)  # file → graph IRI
    triples: int = 0
    failures: list[str] = field(default_factory=list)  # "file: reason", one bad file never stops the rest

    def __str__(self) -> str:
        """What a person reads (the dataclass repr is for debugging)."""
        lines = [f"loaded {len(self.graphs)} graph(s), {self.triples} triples"]
        lines += [f"FAILED {failure}" for failure in self.failures]
        return "\n".join(lines)


def _oxigraph_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Term | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Term("uri", term.value)
    if isinstance(term, ox.BlankNode):
        return Term("bnode", term.value)
    if isinstance(term, ox.Literal):
        language = term.language
        datatype = None if language else term.datatype.value
        return Term("literal", term.value, datatype, language)
    return Term("literal", str(term))  # RDF-star triple terms: shown as text


@dataclass
class OxigraphEngine:
    store: ox.Store

    def select(self, query: str) -> tuple[list[str], list[list[Term | None]]]:
        try:
            solutions = self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise StoreError("query", f"SPARQL syntax error: {exc}", code="bad-query") from exc
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreError("query", "only SELECT queries are supported here", code="bad-query")
        variables = [v.value for v in solutions.variables]
        # one Term per distinct store term: a whole-corpus report repeats its departments, years and codes
        # down tens of thousands of rows (code-rollup at 1,000 disclosures: 322,000 cells, 2,800 terms)
        term = Memo(_oxigraph_term).__getitem__
        return variables, [list(map(term, solution)) for solution in solutions]


@dataclass
class RdflibEngine:
    """rdflib's pure-Python SPARQL engine over a Dataset whose default graph is the union of all graphs."""

    dataset: object  # rdflib.Dataset; typed loosely so rdflib is imported only when used

    def select(self, query: str) -> tuple[list[str], list[list[Term | None]]]:
        from rdflib import BNode, Literal, URIRef

        def convert(node: object) -> Term | None:
            if node is None:
                return None
            if isinstance(node, URIRef):
                return Term("uri", str(node))
            if isinstance(node, BNode):
                return Term("bnode", str(node))
            if isinstance(node, Literal):
                datatype = str(node.datatype) if node.datatype else None
                if datatype is None and not node.language:
                    datatype = "http://www.w3.org/2001/XMLSchema#string"
                return Term("literal", str(node), datatype, node.language)
            return Term("literal", str(node))

        result = self.dataset.query(query)  # type: ignore[attr-defined]
        variables = [str(v) for v in result.vars]
        rows = [[convert(row[i]) for i in range(len(variables))] for row in result]
        return variables, rows


def build_graph_names(build_dir: Path) -> dict[Path, str]:
    """A build directory's per-disclosure graph files and the graph IRIs the build gave them (report.json)."""
    try:
        report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    names = {build_dir / d["graph_file"]: d["graph_iri"] for d in report.get("documents", [])
             if d.get("graph_file") and d.get("graph_iri")}
    # every named graph, the shared one and the classification links included (builds since report "graphs")
    names.update({build_dir / g["file"]: g["iri"] for g in report.get("graphs", []) if g.get("file") and g.get("iri")})
    return names


def graph_files(paths: Iterable[str | Path]) -> list[Path]:
    """Graph files among ``paths``. A build directory (``budget-kg build --out DIR``) contributes its
    per-disclosure ``graphs/*.nt`` only — not the merged graph.ttl, which would duplicate them; another
    directory contributes its graph files (sorted, not recursing into a ``store`` directory)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and (path / "graphs").is_dir() and (path / "report.json").is_file():
            found += sorted((path / "graphs").glob("*.nt"))
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in GRAPH_FORMATS and STORE_SUBDIR not in
                            p.relative_to(path).parts[:-1])
        else:
            found.append(path)
    return found


def graph_name_for(path: Path, parsed: ox.Store | None = None) -> str:
    """The named graph a file goes to: the IRI its build gave it (report.json), else the IRI of the single
    bkg:Disclosure it describes, else one from its file name. Stable across rebuilds, so loading or
    publishing again replaces the graph."""
    if path.parent.name == "graphs":
        named = build_graph_names(path.parent.parent)
        if path in named:
            return named[path]
    if parsed is not None:
        disclosures = {
            quad.subject.value
            for quad in parsed.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(BKG + "Disclosure"))
            if isinstance(quad.subject, ox.NamedNode)
        }
        if len(disclosures) == 1:
            return disclosures.pop()
    return GRAPH_BASE + quote(path.stem, safe="")


def _parse_file(path: Path) -> ox.Store:
    check_rdf_file(path)  # no entity expansion (billion laughs) from an RDF/XML file
    scratch = ox.Store()
    scratch.load(path=str(path), format=GRAPH_FORMATS[path.suffix])
    return scratch


def open_store(store_dir: str | Path, *, create: bool = False) -> ox.Store:
    """The pyoxigraph store of a build output directory (``DIR/store``) or of a store directory itself."""
    directory = Path(store_dir)
    if (directory / STORE_SUBDIR).is_dir():
        directory = directory / STORE_SUBDIR
    if not create and not directory.is_dir():
        raise StoreError(str(store_dir), "no store here; run `budget-kg build ... --out DIR` first",
                         code="no-store")
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    try:
        return ox.Store(str(directory))
    except OSError as exc:
        raise StoreError(str(directory), f"cannot open the store: {exc}", code="store-locked") from exc


def load_store(
    store_dir: str | Path | None,
    sources: Sequence[str | Path],
    named_graph_per_file: bool = True,
    store: ox.Store | None = None,
) -> tuple[ox.Store, LoadReport]:
    """Load graph files (or directories of them) into a persistent store at ``store_dir`` (or into ``store``,
    or an in-memory store when both are None). A file that fails to parse is reported and skipped; its
    graph in the store, if any, is left as it was (each load is one transaction)."""
    if store is None:
        store = ox.Store() if store_dir is None else open_store(store_dir, create=True)
    report = LoadReport()
    for path in graph_files(sources):
        fmt = GRAPH_FORMATS.get(path.suffix)
        if fmt is None:
            report.failures.append(f"{path}: not a graph file (expected one of {', '.join(GRAPH_FORMATS)})")
            continue
        try:
            if fmt in _QUAD_FORMATS or not named_graph_per_file:
                check_rdf_file(path)  # RDF/XML: entity declarations refused before the parser expands them
                store.load(path=str(path), format=fmt)
                report.graphs[str(path)] = "(as in file)" if fmt in _QUAD_FORMATS else "(default graph)"
                continue
            parsed = _parse_file(path)
            graph = ox.NamedNode(graph_name_for(path, parsed))
            if store.contains_named_graph(graph):
                store.remove_graph(graph)
            store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in parsed)
            report.graphs[str(path)] = graph.value
            report.triples += len(parsed)
        except (OSError, SyntaxError, ValueError) as exc:
            report.failures.append(f"{path}: {exc}")
            log.warning("%s: not loaded: %s", path, exc)
    store.flush()
    return store, report


def rdflib_dataset(sources: Sequence[str | Path], named_graph_per_file: bool = True) -> RdflibEngine:
    """The rdflib backend: graph files parsed by rdflib into a Dataset, one named graph per file."""
    from rdflib import Dataset, URIRef

    dataset = Dataset(default_union=True)
    for path in graph_files(sources):
        fmt = {".nt": "nt", ".ttl": "turtle", ".nq": "nquads", ".trig": "trig", ".rdf": "xml",
               ".jsonld": "json-ld"}.get(path.suffix)
        if fmt is None:
            continue
        check_rdf_file(path)
        if fmt in ("nquads", "trig"):
            dataset.parse(str(path), format=fmt)
            continue
        name = graph_name_for(path, _parse_file(path)) if named_graph_per_file else None
        target = dataset.graph(URIRef(name)) if name else dataset.default_graph
        target.parse(str(path), format=fmt)
    return RdflibEngine(dataset)
