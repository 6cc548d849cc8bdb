"""A DCAT + VoID description of a build: what the dataset holds, where it came from, how to get and query it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from kg.publish.pages import short_name
from kg.rdf.namespaces import BKG, DEFAULT_BASE, bind_prefixes

VOID = Namespace("http://rdfs.org/ns/void#")
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
PUBLIC_ROOT = "https://w3id.org/budget-kg/"
DATASET_IRI = PUBLIC_ROOT + "dataset"
DISTRIBUTIONS = {  # format → (file name, media type)
    "ttl": ("graph.ttl", "text/turtle"),
    "nt": ("graph.nt", "application/n-triples"),
    "jsonld": ("graph.jsonld", "application/ld+json"),
}


def _partition_name(iri: str) -> str:
    # bkg:Project → bkg-Project: readable and, unlike the local name alone, unique across vocabularies
    return quote(short_name(iri).replace(":", "-", 1), safe="-._~")


def _graph_files(build_dir: Path) -> list[Path]:
    return sorted((build_dir / "graphs").glob("*.nt"))


def graph_statistics(build_dir: Path) -> dict[str, object]:
    """Triples, distinct subjects/objects/properties and instances per class, over the per-disclosure graph
    files (each triple is in exactly one of them, so their union is the dataset without repeats)."""
    store = ox.Store()
    for path in _graph_files(build_dir):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
    subjects: set[str] = set()
    objects: set[str] = set()
    properties: Counter[str] = Counter()
    classes: Counter[str] = Counter()
    triples = 0
    rdf_type = str(RDF.type)
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        triples += 1
        subjects.add(str(quad.subject))
        if not isinstance(quad.object, ox.Literal):
            objects.add(str(quad.object))
        properties[quad.predicate.value] += 1
        if quad.predicate.value == rdf_type and isinstance(quad.object, ox.NamedNode):
            classes[quad.object.value] += 1
    entities = {s for s in subjects if s.startswith("<" + DEFAULT_BASE)}
    return {"triples": triples, "subjects": len(subjects), "objects": len(objects), "entities": len(entities),
            "properties": dict(properties), "classes": dict(classes)}


def dataset_description(build_dir: str | Path, *, base: str = DEFAULT_BASE, license: str = DEFAULT_LICENSE,
                        sparql_endpoint: str | None = "https://w3id.org/budget-kg/sparql",
                        download_base: str = "https://w3id.org/budget-kg/download/",
                        formats: tuple[str, ...] = ("ttl", "nt", "jsonld")) -> Graph:
    """The DCAT/VoID description of the build in ``build_dir`` (report.json and graphs/ are read)."""
    build = Path(build_dir)
    report = json.loads((build / "report.json").read_text(encoding="utf-8"))
    stats = graph_statistics(build)
    graph = bind_prefixes(Graph())
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    dataset = URIRef(DATASET_IRI)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("budget-kg: Chinese government budget disclosures", lang="en")))
    graph.add((dataset, DCTERMS.title, Literal("部门预算公开知识图谱", lang="zh")))
    graph.add((dataset, DCTERMS.description, Literal(
        "Projects, amounts, function codes, townships and the policy documents cited as 立项依据, read from "
        "部门预算公开 / 单位预算公开 disclosures; every value links to the source file and line.", lang="en")))
    graph.add((dataset, DCTERMS.license, URIRef(license)))
    graph.add((dataset, VOID.uriSpace, Literal(base)))
    graph.add((dataset, VOID.vocabulary, URIRef(str(BKG))))
    graph.add((dataset, VOID.triples, Literal(stats["triples"], datatype=XSD.integer)))
    graph.add((dataset, VOID.entities, Literal(stats["entities"], datatype=XSD.integer)))
    graph.add((dataset, VOID.distinctSubjects, Literal(stats["subjects"], datatype=XSD.integer)))
    graph.add((dataset, VOID.distinctObjects, Literal(stats["objects"], datatype=XSD.integer)))
    graph.add((dataset, VOID.properties, Literal(len(stats["properties"]), datatype=XSD.integer)))
    graph.add((dataset, VOID.classes, Literal(len(stats["classes"]), datatype=XSD.integer)))
    if sparql_endpoint:
        graph.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
    for fmt in formats:
        file_name, media = DISTRIBUTIONS[fmt]
        distribution = URIRef(f"{DATASET_IRI}/distribution/{fmt}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((dataset, VOID.dataDump, URIRef(download_base + file_name)))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, URIRef(download_base + file_name)))
        graph.add((distribution, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        graph.add((distribution, DCTERMS.format, Literal(media)))
    for class_iri, count in sorted(stats["classes"].items()):  # type: ignore[union-attr]
        partition = URIRef(f"{DATASET_IRI}/class/{_partition_name(class_iri)}")
        graph.add((dataset, VOID.classPartition, partition))
        graph.add((partition, VOID["class"], URIRef(class_iri)))
        graph.add((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for property_iri, count in sorted(stats["properties"].items()):  # type: ignore[union-attr]
        partition = URIRef(f"{DATASET_IRI}/property/{_partition_name(property_iri)}")
        graph.add((dataset, VOID.propertyPartition, partition))
        graph.add((partition, VOID.property, URIRef(property_iri)))
        graph.add((partition, VOID.triples, Literal(count, datatype=XSD.integer)))
    for document in report.get("documents", []):
        if not document.get("graph_iri"):
            continue
        source = URIRef(document["graph_iri"])
        graph.add((dataset, DCTERMS.source, source))
        graph.add((source, RDF.type, FOAF.Document))
        graph.add((source, DCTERMS.identifier, Literal(Path(document["file"]).name)))
        if document.get("title"):
            graph.add((source, DCTERMS.title, Literal(document["title"], lang="zh")))
        if document.get("fiscal_year"):
            graph.add((source, BKG.fiscalYear, Literal(document["fiscal_year"], datatype=XSD.integer)))
        if document.get("sha256"):
            graph.add((source, BKG.sourceSha256, Literal(document["sha256"])))
    return graph


def _local_href(iri: str) -> str:
    # the description names the public w3id IRIs; w3id redirects them here, so the page links locally
    return "/" + iri[len(PUBLIC_ROOT):] if iri.startswith(PUBLIC_ROOT) else iri


def description_html(graph: Graph, nav: str = "") -> str:
    """The dataset description as a page: title, counts, the dumps to download, classes and sources."""
    import html

    from kg.publish.pages import page

    dataset = URIRef(DATASET_IRI)

    def text(predicate: URIRef, lang: str = "en") -> str:
        values = [v for v in graph.objects(dataset, predicate) if isinstance(v, Literal)]
        chosen = next((v for v in values if v.language == lang), values[0] if values else "")
        return html.escape(str(chosen))

    counts = "".join(f"<tr><th>{name}</th><td>{int(graph.value(dataset, VOID[name]) or 0):,}</td></tr>"
                     for name in ("triples", "entities", "distinctSubjects", "distinctObjects", "properties",
                                  "classes"))
    dumps = []
    for distribution in sorted(graph.objects(dataset, DCAT.distribution)):
        url = str(graph.value(distribution, DCAT.downloadURL))
        dumps.append(f"<li><a href='{html.escape(_local_href(url))}'>{html.escape(url.rsplit('/', 1)[-1])}</a> "
                     f"<span class='dt'>{html.escape(str(graph.value(distribution, DCTERMS.format)))}</span></li>")
    endpoint = graph.value(dataset, VOID.sparqlEndpoint)
    classes = sorted(((short_name(str(graph.value(p, VOID["class"]))), int(graph.value(p, VOID.entities) or 0))
                      for p in graph.objects(dataset, VOID.classPartition)), key=lambda c: -c[1])
    class_rows = "".join(f"<tr><td>{html.escape(name)}</td><td>{count:,}</td></tr>" for name, count in classes)
    sources = sorted((str(graph.value(s, DCTERMS.identifier) or s), str(graph.value(s, DCTERMS.title) or ""))
                     for s in graph.objects(dataset, DCTERMS.source))
    source_items = "".join(f"<li>{html.escape(title)} <span class='dt'>{html.escape(name)}</span></li>"
                           for name, title in sources)
    body = (f"<h1>{text(DCTERMS.title, 'zh')}</h1><p>{text(DCTERMS.title)}</p><p>{text(DCTERMS.description)}</p>"
            f"<p>Licence: <a href='{html.escape(str(graph.value(dataset, DCTERMS.license)))}'>"
            f"{html.escape(str(graph.value(dataset, DCTERMS.license)))}</a></p>"
            + (f"<p>SPARQL endpoint: <a href='/sparql'>{html.escape(str(endpoint))}</a></p>" if endpoint else "")
            + f"<h2>Download</h2><ul>{''.join(dumps)}</ul><p>This description as <a href='/void.ttl'>Turtle</a>."
            f"</p><h2>Size</h2><table>{counts}</table><h2>Classes</h2><table>{class_rows}</table>"
            f"<h2>Sources 来源</h2><ul>{source_items}</ul>")
    return page("budget-kg dataset", body, nav)
