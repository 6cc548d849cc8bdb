"""Validate a budget-kg graph against the SHACL shapes and report each problem readably.

Each result names the node, the rule (the shape's label or its name), the message, and — followed
through the node's ``prov:wasDerivedFrom`` — the source file and lines an auditor should open.
Two engines: ``"pyshacl"``, the reference, and ``"oxigraph"`` (kg.validate.oxigraph_engine), the
shapes compiled to SPARQL and run over the whole embedded store at once — tested to give the same
results as pyshacl, and the default for a build directory. ``engine="pyrudof"`` is not offered (it
disagrees on the SHACL-SPARQL arithmetic; see the README of ontology/ for the measurements).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal as Choice

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SH

from kg.errors import BudgetKGError
from kg.rdf.namespaces import BKG, OA
from kg.rdf.uris import Minter
from kg.resources import resource_dir

DEFAULT_SHAPES_DIR = resource_dir("shapes")  # the repository's shapes/ (kg/_resources/shapes when installed)
SHAPES = Namespace("https://w3id.org/budget-kg/shapes#")

_SEVERITY_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}

Engine = Choice["pyshacl", "oxigraph"]
ENGINES: tuple[str, ...] = ("pyshacl", "oxigraph")


@dataclass(frozen=True, order=True)
class ValidationIssue:
    severity: str  # "Violation" | "Warning" | "Info"
    source: str | None  # "file.txt:170" or "file.txt:166-170", from the node's provenance
    focus: str
    rule: str
    message: str
    value: str | None = None

    def __str__(self) -> str:
        where = self.source or "(no source line)"
        value = f" [value: {self.value}]" if self.value is not None else ""
        return f"{where}: {self.severity.lower()}: {self.message}{value}\n    node {self.focus}\n    rule {self.rule}"


@dataclass
class ValidationReport:
    issues: list[ValidationIssue] = field(default_factory=list)

    @property
    def violations(self) -> list[ValidationIssue]:
        return [issue for issue in self.issues if issue.severity == "Violation"]

    @property
    def warnings(self) -> list[ValidationIssue]:
        return [issue for issue in self.issues if issue.severity == "Warning"]

    @property
    def conforms(self) -> bool:
        """True when nothing is a Violation (warnings are the rounding the documents really contain)."""
        return not self.violations

    @property
    def exit_code(self) -> int:
        return 0 if self.conforms else 1

    def text(self) -> str:
        lines = [str(issue) for issue in self.issues]
        lines.append(f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")
        return "\n".join(lines)


def load_shapes(shapes_dir: Path | str = DEFAULT_SHAPES_DIR) -> Graph:
    """The SHACL shapes of a directory's ``*.ttl`` files (or of one file). No shapes is an error, never a
    silent pass: a graph checked against nothing would report 0 violations."""
    location = Path(shapes_dir)
    if location.is_file():
        files = [location]
    elif location.is_dir():
        files = sorted(location.glob("*.ttl"))
    else:
        raise BudgetKGError(str(location), "no such shapes file or directory", code="no-shapes")
    shapes = Graph()
    for path in files:
        try:
            shapes.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many parser exception types
            raise BudgetKGError(str(path), f"cannot read the shapes: {exc}", code="bad-shapes") from None
    if next(shapes.subjects(RDF.type, SH.NodeShape), None) is None and \
            next(shapes.subjects(RDF.type, SH.PropertyShape), None) is None:
        raise BudgetKGError(str(location), "no SHACL shapes found (no sh:NodeShape or sh:PropertyShape in "
                            f"{'it' if location.is_file() else 'its *.ttl files'}); nothing would be checked",
                            code="no-shapes")
    return shapes


def validate(graph: Graph, shapes_dir: Path | str = DEFAULT_SHAPES_DIR,
             shapes: Graph | None = None, engine: Engine = "pyshacl") -> ValidationReport:
    """Run the SHACL shapes (no inference: the builder materialises the types shapes test)."""
    shapes = shapes if shapes is not None else load_shapes(shapes_dir)
    if engine == "oxigraph":
        from kg.validate.oxigraph_engine import validate_graph_oxigraph

        return validate_graph_oxigraph(graph, shapes=shapes)
    if engine != "pyshacl":
        raise ValueError(f"unknown validation engine {engine!r} (one of {', '.join(ENGINES)})")
    import pyshacl  # imported here: loading it costs ~1 s and most of the package never validates

    _conforms, results, _text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", advanced=True,
                                                 allow_warnings=True)
    return ValidationReport(sorted(_issues(results, graph, shapes), key=_issue_order))


def validate_file(path: Path | str, shapes_dir: Path | str = DEFAULT_SHAPES_DIR,
                  engine: Engine = "pyshacl") -> ValidationReport:
    """Validate a graph file (any format rdflib guesses from the extension: .nt, .ttl, .jsonld …)."""
    from kg.rdf.safe_xml import check_rdf_file

    check_rdf_file(path)  # RDF/XML with entity declarations: refused before any parser expands them
    if engine == "oxigraph":
        from kg.validate.oxigraph_engine import validate_graph_oxigraph

        return validate_graph_oxigraph(path, shapes_dir)
    graph = Graph()
    graph.parse(str(path))
    return validate(graph, shapes_dir, engine=engine)


def validate_build(out_dir: Path | str, shapes_dir: Path | str = DEFAULT_SHAPES_DIR,
                   engine: Engine = "oxigraph") -> ValidationReport:
    """Validate a ``build`` output directory: its store/ (read-only) with Oxigraph, its graph.nt with pyshacl."""
    out_dir = Path(out_dir)
    if engine == "oxigraph" and (out_dir / "store").is_dir():
        import pyoxigraph

        from kg.validate.oxigraph_engine import validate_store

        return validate_store(pyoxigraph.Store.read_only(str(out_dir / "store")), shapes_dir)
    graph_file = next((out_dir / name for name in ("graph.nt", "graph.ttl", "graph.jsonld")
                       if (out_dir / name).exists()), None)
    if graph_file is None:
        raise BudgetKGError(str(out_dir), "no store/, graph.nt, graph.ttl or graph.jsonld in this directory",
                            code="no-graph")
    return validate_file(graph_file, shapes_dir, engine=engine)


def _issue_order(issue: ValidationIssue) -> tuple[int, str, str, str]:
    return (_SEVERITY_ORDER.get(issue.severity, 9), issue.source or "", issue.focus, issue.message)


def _issues(results: Graph, data: Graph, shapes: Graph) -> Iterable[ValidationIssue]:
    labels: dict[str, str] = {}
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        severity = results.value(result, SH.resultSeverity)
        shape = results.value(result, SH.sourceShape)
        messages = sorted(str(message) for message in results.objects(result, SH.resultMessage))
        for iri in (iri for message in messages[:1] for iri in printed_iris(message) if iri not in labels):
            label = data.value(URIRef(iri), RDFS.label)
            labels[iri] = str(label) if label is not None else ""
        value = results.value(result, SH.value)
        path = results.value(result, SH.resultPath)
        # arithmetic rules run once per disclosure and name the offending line or project as the value
        node = value if isinstance(value, URIRef) and (value, PROV.wasDerivedFrom, None) in data else focus
        yield ValidationIssue(
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
            source=source_of(data, node) if isinstance(node, URIRef) else None,
            focus=str(node),
            rule=_rule_name(shapes, shape, path),
            message=name_printed(messages[0], labels) if messages else "constraint not met",
            value=str(value) if isinstance(value, (Literal, URIRef)) else None,
        )


# What a disclosure prints is keyed by the line it is printed on (…/disclosure/<year>/<checksum>/project/449,
# docs/iris.md): an IRI that says nothing of what it is. A message naming one shows its label, the key after it.
_PRINTED_IRI = re.compile(r"https?://[^\s\"<>]*?/disclosure/[0-9]{4}/[^/\s]+/[a-z-]+/[0-9]+(?:-[0-9]+)?(?![0-9A-Za-z/-])")


def printed_iris(message: str) -> list[str]:
    """The IRIs of things a disclosure prints (keyed by their line) that ``message`` names."""
    return _PRINTED_IRI.findall(message)


def name_printed(message: str, names: Mapping[str, str]) -> str:
    """``message`` with each such IRI that has a label written as "label (kind/line)": "2022-2023耕地“进出平衡”
    方案编制经费 (project/449)" where it printed https://…/disclosure/2024/da60f45f7ee6469a/project/449."""
    def named(match: re.Match[str]) -> str:
        iri = match.group(0)
        label = names.get(iri)
        return f"{label} ({'/'.join(iri.rsplit('/', 2)[-2:])})" if label else iri

    return _PRINTED_IRI.sub(named, message)


def _rule_name(shapes: Graph, shape: object, path: object) -> str:
    label = shapes.value(shape, RDFS.label) if isinstance(shape, URIRef) else None  # type: ignore[arg-type]
    name = str(shape).replace(str(SHAPES), "bkgsh:") if isinstance(shape, URIRef) else "property shape"
    if label is not None:
        name = f"{name} ({label})"
    if isinstance(path, URIRef):
        name = f"{name} on {path.n3(shapes.namespace_manager)}"
    return name


def source_of(data: Graph, node: URIRef) -> str | None:
    """``file:first-last`` for the lines a node was derived from (the narrowest span when several)."""
    file = data.value(node, BKG.sourceFile)  # a disclosure: its own file, not the lines of one total
    if file is not None:
        return str(file)
    spans: list[tuple[int, int, str]] = []
    for lines in data.objects(node, PROV.wasDerivedFrom):
        disclosure = data.value(lines, OA.hasSource)
        if disclosure is None:
            continue
        span = span_source(data.value(disclosure, BKG.sourceFile), str(lines))
        if span is not None:
            spans.append(span)
    return min(spans)[2] if spans else None


def span_source(file: object, lines: str) -> tuple[int, int, str] | None:
    """(width, first line, ``file:first-last``) of a ``bkg:SourceLines`` IRI, its lines read from its fragment."""
    found = Minter.line_range(lines)
    if found is None:
        return None
    first, last = found
    return last - first, first, f"{file}:{first}" + (f"-{last}" if last != first else "")
