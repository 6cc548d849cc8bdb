"""Render ontology/budget-kg.ttl as one HTML page: every term with its zh/en labels, comments and alignment.

``python -m kg.rdf.ontology_docs [OUT.html]`` (pyLODE gives a richer page where it is installed:
``pylode ontology/budget-kg.ttl -o budget-kg.html``; this renderer needs only rdflib).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.resources import resource_dir

from .namespaces import BKG, bind_prefixes

ONTOLOGY = resource_dir("ontology") / "budget-kg.ttl"
_KINDS = [(OWL.Class, "Classes 类"), (OWL.ObjectProperty, "Object properties 对象属性"),
          (OWL.DatatypeProperty, "Datatype properties 数据属性"), (OWL.NamedIndividual, "Individuals 个体")]


def _text(graph: Graph, term: URIRef, predicate: URIRef, lang: str) -> str:
    return " ".join(str(o) for o in graph.objects(term, predicate) if getattr(o, "language", None) == lang)


def render(graph: Graph) -> str:
    bind_prefixes(graph)
    version = graph.value(URIRef(str(BKG)[:-1]), OWL.versionInfo)
    out = ["<!DOCTYPE html><html lang='zh'><meta charset='utf-8'><title>budget-kg ontology</title>",
           f"<h1>budget-kg ontology {html.escape(str(version or ''))}</h1>", f"<p>Namespace <code>{BKG}</code></p>"]
    for kind, heading in _KINDS:
        terms = sorted(t for t in graph.subjects(RDF.type, kind) if isinstance(t, URIRef) and t.startswith(BKG))
        out.append(f"<h2>{heading}</h2><table border='1'><tr><th>term</th><th>中文</th><th>English</th>"
                   "<th>specialises</th></tr>")
        for term in terms:
            supers = [s.n3(graph.namespace_manager) for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                      for s in graph.objects(term, p) if isinstance(s, URIRef)]
            zh, en = (f"<b>{html.escape(_text(graph, term, RDFS.label, lang))}</b><br>"
                      f"{html.escape(_text(graph, term, RDFS.comment, lang))}" for lang in ("zh", "en"))
            out.append(f"<tr id='{term[len(BKG):]}'><td><code>bkg:{term[len(BKG):]}</code></td><td>{zh}</td>"
                       f"<td>{en}</td><td>{html.escape(', '.join(sorted(supers)))}</td></tr>")
        out.append("</table>")
    return "\n".join(out) + "\n</html>\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    page = render(Graph().parse(ONTOLOGY))
    if args:
        Path(args[0]).write_text(page, encoding="utf-8")
    else:
        sys.stdout.write(page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
