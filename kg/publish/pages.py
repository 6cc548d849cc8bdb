"""What an entity URI dereferences to: its description (triples), as an HTML page, Turtle, N-Triples or JSON-LD.

Shared by the server (``serve``) and the static site (``export_static_site``); only the way links are
written differs (a ``Linker``). An entity's description is every triple it is the subject of, plus up to
MAX_INCOMING triples pointing at it (a policy document cited by many projects lists them), and the labels
of its neighbours so pages read as names, not IRIs.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from urllib.parse import quote, unquote

import pyoxigraph as ox

from kg.publish.source_text import entity_spans
from kg.rdf.namespaces import DEFAULT_BASE, NAMESPACE_IRIS, PREFIXES
from kg.rdf.uris import iri_segment, legacy_segment
from kg.resources import resource_dir

ONTOLOGY_NS = "https://w3id.org/budget-kg/ontology#"
ONTOLOGY_FILE = resource_dir("ontology") / "budget-kg.ttl"
SCHEMES_FILE = resource_dir("ontology") / "schemes.ttl"  # its concept schemes, in the ontology's namespace


def ontology_turtle() -> bytes:
    """What the ontology's IRI answers: the ontology and its concept schemes (their terms share its namespace,
    so a client dereferencing bkg:FundSourceScheme finds it here). Two Turtle documents one after the other
    are one Turtle document: prefixes may be declared again."""
    return ONTOLOGY_FILE.read_bytes().rstrip(b"\n") + b"\n\n" + SCHEMES_FILE.read_bytes()
CONTEXT_FILE = Path(__file__).with_name("context.jsonld")
CONTEXT_URL = "https://w3id.org/budget-kg/context.jsonld"
MAX_INCOMING = 200
LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
          "http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#notation")
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
BKG = ONTOLOGY_NS
OA_SOURCE = "http://www.w3.org/ns/oa#hasSource"

# Media types we answer with, and the format names used for them.
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "nt": "application/n-triples; charset=utf-8",
    "jsonld": "application/ld+json; charset=utf-8",
    "rdf": "application/rdf+xml; charset=utf-8",
}
_ACCEPTED = {"text/html": "html", "application/xhtml+xml": "html", "text/turtle": "ttl",
             "application/x-turtle": "ttl", "application/n-triples": "nt", "text/plain": "nt",
             "application/ld+json": "jsonld", "application/json": "jsonld", "application/rdf+xml": "rdf"}


def accepted(accept: str) -> list[tuple[str, float]]:
    """Each entry of an Accept header as (media type in lower case, quality), in the header's order; a
    malformed q-value counts as 0."""
    entries: list[tuple[str, float]] = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for parameter in fields[1:]:
            if parameter.startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        entries.append((fields[0].lower(), quality))
    return entries


def negotiate(accept: str | None, default: str = "html") -> str | None:
    """The format for an Accept header (q-values honoured; ties keep the header's order); None: nothing fits."""
    if not accept:
        return default
    offers: list[tuple[float, int, str]] = []
    for index, (media, quality) in enumerate(accepted(accept)):
        if quality <= 0:
            continue
        if media in _ACCEPTED:
            offers.append((-quality, index, _ACCEPTED[media]))
        elif media in ("*/*", "text/*", "application/*"):
            offers.append((-quality, index, default if media != "application/*" else "jsonld"))
    return min(offers)[2] if offers else None


def iri_candidates(base: str, path: str) -> list[str]:
    """The IRIs a request path (``/id/…`` under ``base``, percent-encoded by the client) may stand for.

    Clients percent-encode the Chinese characters the IRIs keep, and may or may not encode what the builder
    encoded (/, spaces): re-applying the builder's segment rule (kg.rdf.uris.iri_segment, without the
    normalisation of ``slug``) to each decoded segment gives the minted IRI; the rule of graphs built before
    round 8 (“ ” 〔 〕 encoded) gives theirs; the raw and fully decoded forms cover IRIs minted another way.
    """
    segments = [unquote(s) for s in path.split("/")]
    canonical = "/".join(iri_segment(s) for s in segments)
    legacy = "/".join(legacy_segment(s) for s in segments)
    return list(dict.fromkeys([base + canonical, base + legacy, base + path, base + unquote(path)]))


def moved_project(store: ox.Store, base: str, iri: str) -> str | None:
    """The project an IRI minted before projects were scoped by their 预算单位 names, if the store has it.

    Such an IRI is ``project/<region>/<department>/<year>/<name>``; since then a project whose disclosure names
    its unit is ``project/<region>/<unit>/<year>/<name>``, the unit being an ``org:subOrganizationOf`` the
    department: each of the department's units is tried (docs/iris.md). Since round 11 that IRI names the unit's
    project (``bkg:UnitProject``), which each disclosure's ``bkg:Project`` links to; a graph built before has
    ``bkg:Project`` there."""
    segments = iri[len(base):].split("/") if iri.startswith(base + "project/") else []
    if len(segments) != 5:
        return None
    _, region, department, year, name = segments
    sub_organisation_of = ox.NamedNode(NAMESPACE_IRIS["org"] + "subOrganizationOf")
    kinds = (ox.NamedNode(NAMESPACE_IRIS["bkg"] + "UnitProject"), ox.NamedNode(NAMESPACE_IRIS["bkg"] + "Project"))
    rdf_type = ox.NamedNode(NAMESPACE_IRIS["rdf"] + "type")
    organisation = ox.NamedNode(f"{base}org/{region}/{department}")
    for unit in sorted({quad.subject.value for quad in store.quads_for_pattern(None, sub_organisation_of,
                                                                             organisation)}):
        if not unit.startswith(base + "org/"):
            continue
        candidate = f"{base}project/{unit[len(base) + len('org/'):]}/{year}/{name}"
        if any(next(store.quads_for_pattern(ox.NamedNode(candidate), rdf_type, kind), None) is not None
               for kind in kinds):
            return candidate
    return None


@dataclass
class Linker:
    """How pages link to entities: ``local`` maps an IRI under ``base`` to an href; others stay absolute."""

    base: str = DEFAULT_BASE
    local: Callable[[str], str] = field(default=lambda rest: "/id/" + rest)
    ontology: str | None = None  # where the ontology page is: bkg: terms link to its anchors (#Project)

    def href(self, iri: str) -> str:
        if iri.startswith(self.base):
            return self.local(iri[len(self.base):])
        if self.ontology is not None and iri.startswith(ONTOLOGY_NS) and len(iri) > len(ONTOLOGY_NS):
            return f"{self.ontology}#{quote(iri[len(ONTOLOGY_NS):], safe='')}"
        return iri


def server_linker(base: str, prefix: str = "/id/") -> Linker:
    # hrefs percent-encode non-ASCII (an IRI's characters are fine in HTML, but some tools are not)
    return Linker(base, lambda rest: prefix + quote(rest, safe="/%()~-._"), ontology="/ontology")


@dataclass
class Description:
    iri: str
    outgoing: list[ox.Triple]
    incoming: list[ox.Triple]
    incoming_truncated: bool
    labels: dict[str, str]

    @property
    def triples(self) -> list[ox.Triple]:
        return self.outgoing + self.incoming

    @property
    def label(self) -> str:
        return self.labels.get(self.iri, self.iri)


def _distinct_triples(quads) -> list[ox.Triple]:
    # the union of named graphs may hold a shared triple more than once
    seen: dict[str, ox.Triple] = {}
    for quad in quads:
        triple = quad.triple
        seen.setdefault(str(triple), triple)
    return [seen[k] for k in sorted(seen)]


def _label(store: ox.Store, node: ox.NamedNode) -> str | None:
    for predicate in LABELS:
        for quad in store.quads_for_pattern(node, ox.NamedNode(predicate), None):
            return quad.object.value
    return None


def describe(store: ox.Store, iri: str) -> Description | None:
    """The description of ``iri``, or None when the store says nothing about it."""
    node = ox.NamedNode(iri)
    outgoing = _distinct_triples(store.quads_for_pattern(node, None, None))
    incoming_quads = list(islice(store.quads_for_pattern(None, None, node), 4 * MAX_INCOMING))
    incoming = _distinct_triples(incoming_quads)
    truncated = len(incoming) > MAX_INCOMING or len(incoming_quads) == 4 * MAX_INCOMING
    incoming = incoming[:MAX_INCOMING]
    if not outgoing and not incoming:
        return None
    labels: dict[str, str] = {}
    for term in [node] + [t.object for t in outgoing] + [t.subject for t in incoming]:
        if isinstance(term, ox.NamedNode) and term.value not in labels:
            found = _label(store, term)
            if found:
                labels[term.value] = found
    return Description(iri, outgoing, incoming, truncated, labels)


@cache
def context() -> dict:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def serialise(triples: list[ox.Triple], fmt: str, context_url: str | None = None) -> bytes:
    """Turtle / N-Triples via pyoxigraph; JSON-LD compacted with the shipped context (rdflib). The context is
    inlined, so every JSON-LD processor reads the document offline; ``context_url`` references it by URL
    instead (then a reader must fetch it)."""
    if fmt == "ttl":
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                            prefixes={k: str(v) for k, v in PREFIXES.items()})
    if fmt == "nt":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    if fmt == "rdf":
        return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes={k: str(v) for k, v in PREFIXES.items()})
    if fmt == "jsonld":
        from rdflib import Graph

        graph = Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
        compacted = json.loads(graph.serialize(format="json-ld", context=context()["@context"],
                                               auto_compact=True))
        compacted["@context"] = context()["@context"] if context_url is None else context_url
        return json.dumps(compacted, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    raise ValueError(f"unknown format {fmt!r}")


def short_name(iri: str) -> str:
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(str(kv[1]))):
        if iri.startswith(str(namespace)):
            return f"{prefix}:{iri[len(str(namespace)):]}"
    return iri


def _predicate_html(predicate: ox.NamedNode, linker: Linker) -> str:
    """A property as its prefixed name, linked to its definition (bkg: terms to the local ontology page)."""
    return f'<a href="{html.escape(linker.href(predicate.value))}">{html.escape(short_name(predicate.value))}</a>'


def _term_html(term, linker: Linker, labels: dict[str, str]) -> str:
    if isinstance(term, ox.NamedNode):
        text = labels.get(term.value) or short_name(unquote(term.value))
        return f'<a href="{html.escape(linker.href(term.value))}">{html.escape(text)}</a>'
    if isinstance(term, ox.Literal):
        suffix = f' <span class="dt">@{html.escape(term.language)}</span>' if term.language else ""
        if not term.language and term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            suffix = f' <span class="dt">{html.escape(short_name(term.datatype.value))}</span>'
        return f"{html.escape(term.value)}{suffix}"
    return html.escape(str(term))


_PAGE_STYLE = ("body{font:15px/1.5 system-ui,'Noto Sans CJK SC',sans-serif;max-width:70em;margin:1em auto;"
               "padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #ddd;"
               "padding:3px 6px;vertical-align:top;text-align:left;word-break:break-all}.dt{color:#888;"
               "font-size:85%}.iri{color:#555;word-break:break-all}nav a{margin-right:1em}"
               "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}.error{color:#a00}"
               ".source-text{background:#f6f6f6;padding:.3em .6em;margin:.2em 0 .8em;white-space:pre-wrap}")


def page(title: str, body: str, nav: str = "", head: str = "") -> str:
    return (f"<!DOCTYPE html>\n<html lang='zh'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_PAGE_STYLE}</style>{head}</head><body><nav>{nav}</nav>\n{body}\n</body></html>\n")


def entity_html(store: ox.Store, description: Description, linker: Linker,
                alternates: dict[str, str] | None = None, nav: str = "") -> str:
    """The page for people: properties, where it was read (file and line), what points at it."""
    labels = description.labels
    rows = "".join(f"<tr><th>{_predicate_html(t.predicate, linker)}</th><td>"
                   f"{_term_html(t.object, linker, labels)}</td></tr>" for t in description.outgoing)
    sources = entity_spans(store, description.outgoing)
    source_html = "".join(
        f'<li><a href="{html.escape(linker.href(span.iri))}">{html.escape(span.file)} line {span.lines}</a>'
        + (f"<pre class='source-text'>{html.escape(span.text)}</pre>" if span.text else "") + "</li>"
        for span in sources)
    incoming = "".join(f"<tr><td>{_term_html(t.subject, linker, labels)}</td><th>"
                       f"{_predicate_html(t.predicate, linker)}</th></tr>" for t in description.incoming)
    more = f"<p>(first {MAX_INCOMING} shown; query /sparql for all)</p>" if description.incoming_truncated else ""
    formats = " ".join(f'<a href="{html.escape(href)}">{name}</a>' for name, href in (alternates or {}).items())
    body = (f"<h1>{html.escape(description.label)}</h1><p class='iri'>{html.escape(description.iri)}</p>"
            f"<p>Also as: {formats}</p>" if formats else
            f"<h1>{html.escape(description.label)}</h1><p class='iri'>{html.escape(description.iri)}</p>")
    body += f"<table>{rows}</table>"
    if sources:
        body += f"<h2>Read from 来源</h2><ul class='sources'>{source_html}</ul>"
    if incoming:
        body += f"<h2>Linked from 被引用</h2><table class='incoming'>{incoming}</table>{more}"
    return page(description.label, body, nav)


def ontology_html() -> str:
    from kg.rdf.ontology_docs import load_ontology, render

    return render(load_ontology())  # the ontology and its concept schemes (ontology/schemes.ttl)
