"""Render the ontology (ontology/budget-kg.ttl with its concept schemes, ontology/schemes.ttl) as one HTML page.

Every ``bkg:`` term has its own anchor, the term's local name (``ontology.html#Project``), as pyLODE gives
them: its zh/en labels and comments, what it specialises, domain and range, scheme and notation. Classes,
properties, concept schemes and concepts each have a section, and an index of every term opens the page.

``python -m kg.rdf.ontology_docs [OUT.html]`` — needs only rdflib. (pyLODE 3.4.1, the current release, fails
to start from an installed wheel — it looks for its own pyproject.toml — so the project renders its own.)
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg.resources import resource_dir

from .namespaces import BKG, bind_prefixes

ONTOLOGY = resource_dir("ontology") / "budget-kg.ttl"
SCHEMES = resource_dir("ontology") / "schemes.ttl"
ONTOLOGY_FILES = (ONTOLOGY, SCHEMES)
ONTOLOGY_IRI = URIRef(str(BKG)[:-1])
_KINDS = [(OWL.Class, "Classes 类"), (OWL.ObjectProperty, "Object properties 对象属性"),
          (OWL.DatatypeProperty, "Datatype properties 数据属性"), (SKOS.ConceptScheme, "Concept schemes 概念体系"),
          (OWL.NamedIndividual, "Individuals 个体")]


def load_ontology(files: tuple[Path, ...] = ONTOLOGY_FILES) -> Graph:
    """The ontology and its concept schemes, in one graph."""
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def bkg_terms(graph: Graph) -> list[URIRef]:
    """Every ``bkg:`` IRI the graph describes (as a subject)."""
    return sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(BKG) and s != BKG})


def _text(graph: Graph, term: URIRef, predicate: URIRef, lang: str) -> str:
    return " ".join(str(o) for o in graph.objects(term, predicate) if getattr(o, "language", None) == lang)


def _local(term: URIRef) -> str:
    return term[len(BKG):]


def _link(graph: Graph, term: URIRef) -> str:
    if term.startswith(BKG):
        return f"<a href='#{html.escape(_local(term))}'><code>bkg:{html.escape(_local(term))}</code></a>"
    return f"<code>{html.escape(term.n3(graph.namespace_manager))}</code>"


def _facts(graph: Graph, term: URIRef) -> str:
    rows = []
    for predicate, name in ((RDFS.subClassOf, "specialises"), (RDFS.subPropertyOf, "specialises"),
                            (RDFS.domain, "domain"), (RDFS.range, "range"), (SKOS.inScheme, "scheme"),
                            (RDF.type, "type")):
        values = sorted(v for v in graph.objects(term, predicate) if isinstance(v, URIRef))
        if predicate == RDF.type:
            values = [v for v in values if v.startswith(BKG)]  # the OWL kind is the section it is in
        if values:
            rows.append(f"{name}: " + ", ".join(_link(graph, v) for v in values))
    notation = graph.value(term, SKOS.notation)
    if notation is not None:
        rows.append(f"notation: <code>{html.escape(str(notation))}</code>")
    return "<br>".join(rows)


def _section(term: URIRef, graph: Graph) -> str:
    zh, en = (f"<b>{html.escape(_text(graph, term, RDFS.label, lang))}</b><br>"
              f"{html.escape(_text(graph, term, RDFS.comment, lang))}" for lang in ("zh", "en"))
    return (f"<tr id='{html.escape(_local(term))}'><td><code>bkg:{html.escape(_local(term))}</code></td>"
            f"<td>{zh}</td><td>{en}</td><td>{_facts(graph, term)}</td></tr>")


def render(graph: Graph) -> str:
    """The page: the ontology's title and version, an index, then one table row (and anchor) per term."""
    bind_prefixes(graph)
    version = graph.value(ONTOLOGY_IRI, OWL.versionInfo)
    title = graph.value(ONTOLOGY_IRI, DCTERMS.title) or "budget-kg ontology"
    titles = " / ".join(html.escape(str(t)) for t in sorted(graph.objects(ONTOLOGY_IRI, DCTERMS.title)))
    comment = _text(graph, ONTOLOGY_IRI, RDFS.comment, "en")
    terms = bkg_terms(graph)
    placed: set[URIRef] = set()
    sections: list[tuple[str, list[URIRef]]] = []
    for kind, heading in _KINDS:
        chosen = [t for t in terms if (t, RDF.type, kind) in graph and t not in placed]
        placed.update(chosen)
        sections.append((heading, chosen))
    sections.append(("Other terms 其他", [t for t in terms if t not in placed]))
    out = ["<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>",
           f"<title>{html.escape(str(title))}</title>",
           "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:80em;margin:1em auto;padding:0 1em}"
           "table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #ddd;padding:4px 6px;"
           "vertical-align:top;text-align:left}tr:target{background:#ffd}</style></head><body>",
           f"<h1>{titles or 'budget-kg ontology'}</h1>",
           f"<p>IRI <code>{html.escape(str(ONTOLOGY_IRI))}</code> · version {html.escape(str(version or ''))} · "
           f"namespace <code>{html.escape(str(BKG))}</code></p>", f"<p>{html.escape(comment)}</p>",
           "<nav><h2>Index</h2><p>" + " · ".join(f"<a href='#{html.escape(_local(t))}'>{html.escape(_local(t))}</a>"
                                                 for t in terms) + "</p></nav>"]
    for heading, chosen in sections:
        if not chosen:
            continue
        out.append(f"<h2>{heading}</h2><table><tr><th>term</th><th>中文</th><th>English</th><th></th></tr>")
        out += [_section(term, graph) for term in chosen]
        out.append("</table>")
    return "\n".join(out) + "\n</body></html>\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    page = render(load_ontology())
    if args:
        Path(args[0]).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
