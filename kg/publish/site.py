"""A static-site export of the server's pages, for hosting without a server (GitHub Pages, any web server).

Every entity ``{base}a/b`` becomes ``OUT/id/a/b.html`` (and ``.ttl``, ``.jsonld`` beside it); hosts that
serve ``x.html`` for ``/x`` (GitHub Pages, Netlify, nginx ``try_files $uri.html``) then answer the entity's
own path. Links between pages are relative, so the site also works from a sub-directory or from disk.
File names are the IRI's decoded characters (what a static host looks up); a ``/`` inside a segment stays
``%2F``, and a segment too long for the file system is shortened with a hash (listed in the result).
"""

from __future__ import annotations

import hashlib
import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import pyoxigraph as ox

from kg.output import staged_output
from kg.publish import pages
from kg.rdf.namespaces import DEFAULT_BASE
from kg.report import atomic_write_text

MAX_SEGMENT_BYTES = 200  # file systems allow 255; room for ".jsonld" and the hash


@dataclass
class SiteReport:
    pages: int = 0
    files: int = 0
    shortened: list[str] = field(default_factory=list)  # IRIs whose file name had to be shortened


def _segment_file_name(segment: str, report: SiteReport, iri: str) -> str:
    name = unquote(segment).replace("/", "%2F")
    if name in ("", ".", ".."):
        name = quote(name, safe="") or "_"
    if len(name.encode("utf-8")) > MAX_SEGMENT_BYTES:
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        name = name.encode("utf-8")[:MAX_SEGMENT_BYTES - 13].decode("utf-8", errors="ignore") + "~" + digest
        report.shortened.append(iri)
    return name


def entity_file(base: str, iri: str, report: SiteReport | None = None) -> Path:
    """The path (without suffix) under OUT of an entity's files."""
    rest = iri[len(base):]
    scratch = report or SiteReport()
    return Path("id", *(_segment_file_name(s, scratch, iri) for s in rest.split("/")))


def _relative_href(target: Path, page_dir: Path) -> str:
    # "%" is encoded too: a file name keeps "%2F" literally, which the browser must not decode to "/"
    return quote(os.path.relpath(target, page_dir).replace(os.sep, "/"), safe="/()~-._")


def _subjects(store: ox.Store, base: str) -> list[str]:
    found = {quad.subject.value for quad in store.quads_for_pattern(None, None, None)
             if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(base)}
    return sorted(found)


def export_static_site(store_dir: str | Path, out_dir: str | Path, base: str = DEFAULT_BASE,
                       formats: tuple[str, ...] = ("html", "ttl", "jsonld"), *, force: bool = False) -> SiteReport:
    """Write one page per entity (every subject under ``base``) plus index, ontology and context.

    ``out_dir`` is written whole and swapped in (kg.output): it replaces only a previous budget-kg output.
    """
    directory = Path(store_dir)
    store_path = directory / "store" if (directory / "store").is_dir() else directory
    store = ox.Store.read_only(str(store_path))
    with staged_output(out_dir, "site", [directory], force=force) as staged:
        return _write_site(store, staged, base, formats)


def _write_site(store: ox.Store, out: Path, base: str, formats: tuple[str, ...]) -> SiteReport:
    report = SiteReport()
    subjects = _subjects(store, base)
    files = {iri: entity_file(base, iri, report) for iri in subjects}
    for iri in subjects:
        description = pages.describe(store, iri)
        if description is None:
            continue
        target = files[iri]
        page_dir = target.parent

        def local(rest: str, page_dir: Path = page_dir) -> str:
            linked = base + rest
            path = files.get(linked) or entity_file(base, linked)
            return _relative_href(path.with_name(path.name + ".html"), page_dir)

        linker = pages.Linker(base, local)
        root = _relative_href(Path("index.html"), page_dir)
        nav = f"<a href='{root}'>dataset</a><a href='{_relative_href(Path('ontology.html'), page_dir)}'>ontology</a>"
        if "html" in formats:
            alternates = {name: _relative_href(target.with_name(target.name + suffix), page_dir)
                          for name, suffix, fmt in (("Turtle", ".ttl", "ttl"), ("JSON-LD", ".jsonld", "jsonld"))
                          if fmt in formats}
            atomic_write_text(out / target.with_name(target.name + ".html"),
                              pages.entity_html(store, description, linker, alternates, nav))
            report.files += 1
        for fmt in ("ttl", "jsonld"):
            if fmt in formats:
                atomic_write_text(out / target.with_name(f"{target.name}.{fmt}"),
                                  pages.serialise(description.triples, fmt).decode("utf-8"))
                report.files += 1
        report.pages += 1
    _write_index(store, out, base, files)
    atomic_write_text(out / "ontology.html", pages.ontology_html())
    atomic_write_text(out / "ontology.ttl", pages.ONTOLOGY_FILE.read_text(encoding="utf-8"))
    atomic_write_text(out / "context.jsonld", pages.CONTEXT_FILE.read_text(encoding="utf-8"))
    return report


def _write_index(store: ox.Store, out: Path, base: str, files: dict[str, Path]) -> None:
    rows = store.query(
        "SELECT DISTINCT ?d ?title ?file WHERE { ?d a <https://w3id.org/budget-kg/ontology#Disclosure> ; "
        "<https://w3id.org/budget-kg/ontology#sourceFile> ?file . OPTIONAL { ?d <http://purl.org/dc/terms/title> "
        "?title } } ORDER BY ?file", use_default_graph_as_union=True)
    items = []
    for row in rows:
        path = files.get(row["d"].value)
        if path is None:
            continue
        title = row["title"].value if row["title"] is not None else row["file"].value
        href = _relative_href(path.with_name(path.name + ".html"), Path("."))
        items.append(f"<li><a href='{html.escape(href)}'>{html.escape(title)}</a> "
                     f"<span class='dt'>{html.escape(row['file'].value)}</span></li>")
    body = (f"<h1>budget-kg</h1><p>{len(files)} entities under <code>{html.escape(base)}</code>. "
            "<a href='ontology.html'>ontology</a> · <a href='context.jsonld'>JSON-LD context</a></p>"
            f"<h2>Disclosures 预算公开文件</h2><ul>{''.join(items)}</ul>")
    atomic_write_text(out / "index.html", pages.page("budget-kg", body))
