"""A DCAT + VoID description of a build: what the dataset holds, where it came from, how to get and query it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, XSD

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
    "nq": ("dataset.nq", "application/n-quads"),
    "trig": ("dataset.trig", "application/trig"),
}
METADATA_FILE = Path(__file__).resolve().parent.parent / "data" / "dataset.toml"
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


def dataset_metadata(path: Path = METADATA_FILE) -> dict:
    """kg/data/dataset.toml: titles, description, licence, issued date, keywords, publisher, contact."""
    import tomllib

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        from kg.errors import BudgetKGError

        raise BudgetKGError(str(path), f"cannot read the dataset description: {exc}", code="bad-data-file") from None


def _coverage(graph: Graph, dataset: URIRef, report: dict, build: Path) -> None:
    """dct:spatial (each region the disclosures are from, with its GB/T 2260 code), dct:temporal (the fiscal
    years) and dct:modified (when the build was written)."""
    import datetime

    regions = sorted({(d["region_code"], d.get("region") or "") for d in report.get("documents", [])
                      if d.get("region_code")})
    for code, name in regions:
        place = URIRef(f"{DATASET_IRI}/spatial/{code}")
        graph.add((dataset, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, DCTERMS.identifier, Literal(code)))
        if name:
            graph.add((place, RDFS.label, Literal(name, lang="zh")))
    years = sorted({int(d["fiscal_year"]) for d in report.get("documents", []) if d.get("fiscal_year")})
    if years:
        period = URIRef(f"{DATASET_IRI}/temporal/{years[0]}-{years[-1]}")
        graph.add((dataset, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(f"{years[0]}-01-01", datatype=XSD.date)))
        graph.add((period, DCAT.endDate, Literal(f"{years[-1]}-12-31", datatype=XSD.date)))
    written = datetime.datetime.fromtimestamp((build / "report.json").stat().st_mtime, datetime.UTC)
    graph.add((dataset, DCTERMS.modified, Literal(written.date().isoformat(), datatype=XSD.date)))


def _about(graph: Graph, dataset: URIRef, metadata: dict, license: str | None) -> None:
    """Titles, description, licence, issued date, keywords, themes, publisher and contact point."""
    for lang in ("zh", "en"):
        if metadata.get(f"title_{lang}"):
            graph.add((dataset, DCTERMS.title, Literal(metadata[f"title_{lang}"], lang=lang)))
        if metadata.get(f"description_{lang}"):
            graph.add((dataset, DCTERMS.description, Literal(metadata[f"description_{lang}"], lang=lang)))
        for keyword in metadata.get(f"keywords_{lang}", []):
            graph.add((dataset, DCAT.keyword, Literal(keyword, lang=lang)))
    graph.add((dataset, DCTERMS.license, URIRef(license or metadata.get("license", DEFAULT_LICENSE))))
    if metadata.get("issued"):
        graph.add((dataset, DCTERMS.issued, Literal(str(metadata["issued"]), datatype=XSD.date)))
    for language in metadata.get("language", []):
        graph.add((dataset, DCTERMS.language, URIRef(language)))
    for theme in metadata.get("themes", []):
        graph.add((dataset, DCAT.theme, URIRef(theme)))
    publisher = metadata.get("publisher", {})
    if publisher:
        agent = URIRef(f"{DATASET_IRI}/publisher")
        graph.add((dataset, DCTERMS.publisher, agent))
        graph.add((agent, RDF.type, FOAF.Agent))
        graph.add((agent, FOAF.name, Literal(publisher["name"])))
        if publisher.get("homepage"):
            graph.add((agent, FOAF.homepage, URIRef(publisher["homepage"])))
    contact = metadata.get("contact", {})
    if contact:
        card = URIRef(f"{DATASET_IRI}/contact")
        graph.bind("vcard", VCARD)
        graph.add((dataset, DCAT.contactPoint, card))
        graph.add((card, RDF.type, VCARD.Kind))
        graph.add((card, VCARD.fn, Literal(contact["name"])))
        if contact.get("email"):
            graph.add((card, VCARD.hasEmail, URIRef(f"mailto:{contact['email']}")))
        if contact.get("url"):
            graph.add((card, VCARD.hasURL, URIRef(contact["url"])))


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


def dataset_description(build_dir: str | Path, *, base: str = DEFAULT_BASE, license: str | None = None,
                        sparql_endpoint: str | None = None,
                        download_base: str = "https://w3id.org/budget-kg/download/",
                        formats: tuple[str, ...] = ("ttl", "nt", "jsonld"), compressed: bool = False,
                        metadata: dict | None = None) -> Graph:
    """The DCAT/VoID description of the build in ``build_dir`` (report.json and graphs/ are read), with what
    kg/data/dataset.toml says of it (``metadata`` replaces that file). ``sparql_endpoint`` is named only when
    given; ``compressed``: the dumps are gzip files (``graph.nt.gz`` …)."""
    build = Path(build_dir)
    report = json.loads((build / "report.json").read_text(encoding="utf-8"))
    stats = graph_statistics(build)
    graph = bind_prefixes(Graph())
    graph.bind("void", VOID)
    graph.bind("dcat", DCAT)
    dataset = URIRef(DATASET_IRI)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    _about(graph, dataset, metadata if metadata is not None else dataset_metadata(), license)
    _coverage(graph, dataset, report, build)
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
        file_name += ".gz" if compressed else ""
        distribution = URIRef(f"{DATASET_IRI}/distribution/{fmt}")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((dataset, VOID.dataDump, URIRef(download_base + file_name)))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCAT.downloadURL, URIRef(download_base + file_name)))
        graph.add((distribution, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        graph.add((distribution, DCTERMS.format, Literal(media)))
        if compressed:
            graph.add((distribution, DCAT.compressFormat,
                       URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
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
