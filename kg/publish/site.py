"""A static-site export of the server's pages, for hosting without a server (GitHub Pages, any web server).

Pages are made for the entities people look up (PAGE_CLASSES: disclosures, departments, projects, policy
documents, townships, function codes), not for every node: the thousands of indicator, line and provenance
nodes stay in the dumps and the SPARQL endpoint, and a page links them by their public IRI. So the site grows
with the projects and documents, not with the table cells. ``search.json`` lists every page (label, kind, year)
and ``index.html`` searches it in the browser.

Every such entity ``{base}a/b`` becomes ``OUT/id/a/b.html`` (and ``.ttl``, ``.jsonld`` beside it); hosts that
serve ``x.html`` for ``/x`` (GitHub Pages, Netlify, nginx ``try_files $uri.html``) then answer the entity's
own path. Links between pages are relative, so the site also works from a sub-directory or from disk.
File names are the IRI's decoded characters (what a static host looks up); a ``/`` inside a segment stays
``%2F``, and a segment too long for the file system is shortened with a hash (listed in the result).
"""

from __future__ import annotations

import hashlib
import html
import json
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


BKG = "https://w3id.org/budget-kg/ontology#"
# The classes whose members get a page, with the word the search index and its filter use.
# a project as one disclosure prints it (its figures) and the unit's project every disclosure printing it links to
# (the IRI projects had before round 11, so a page there still answers)
PAGE_CLASSES = {BKG + "Disclosure": "disclosure", BKG + "Department": "department", BKG + "Project": "project",
                BKG + "UnitProject": "unit-project", BKG + "PolicyDocument": "document", BKG + "Township": "township",
                BKG + "FunctionCode": "code"}
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
FISCAL_YEAR = BKG + "fiscalYear"
UNIT_PROJECT = BKG + "unitProject"
# The search lists a project once: by the unit's project (one per unit, year and name), whose page links each
# disclosure's printing of it; a disclosure's project is listed only when it names no unit project (a graph built
# before round 11). Both are "project" to the search box.
SEARCH_KINDS = {"unit-project": "project"}


@dataclass
class SiteReport:
    pages: int = 0
    files: int = 0
    bytes: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # pages per kind (PAGE_CLASSES' words)
    shortened: list[str] = field(default_factory=list)  # IRIs whose file name had to be shortened

    def __str__(self) -> str:
        kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(self.kinds.items()))
        return (f"{self.pages:,} pages ({kinds}), {self.files:,} files, {self.bytes / 1e6:.1f} MB"
                + (f"; {len(self.shortened)} file names shortened" if self.shortened else ""))


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


def page_entities(store: ox.Store, base: str) -> dict[str, str]:
    """IRI → kind of every entity under ``base`` that gets a page (a member of one of PAGE_CLASSES)."""
    found: dict[str, str] = {}
    for class_iri, kind in PAGE_CLASSES.items():
        for quad in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(class_iri)):
            if isinstance(quad.subject, ox.NamedNode) and quad.subject.value.startswith(base):
                found.setdefault(quad.subject.value, kind)
    return dict(sorted(found.items()))


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
    entities = page_entities(store, base)
    files = {iri: entity_file(base, iri, report) for iri in entities}
    index: list[dict[str, object]] = []
    for iri, kind in entities.items():
        description = pages.describe(store, iri)
        if description is None:
            continue
        target = files[iri]
        page_dir = target.parent

        def local(rest: str, page_dir: Path = page_dir) -> str:
            linked = base + rest
            path = files.get(linked)
            if path is None:  # no page of its own (an indicator, a table line): its public IRI
                return linked
            return _relative_href(path.with_name(path.name + ".html"), page_dir)

        linker = pages.Linker(base, local, ontology=_relative_href(Path("ontology.html"), page_dir))
        root = _relative_href(Path("index.html"), page_dir)
        nav = (f"<a href='{root}'>dataset and search</a>"
               f"<a href='{_relative_href(Path('ontology.html'), page_dir)}'>ontology</a>")
        if "html" in formats:
            alternates = {name: _relative_href(target.with_name(target.name + suffix), page_dir)
                          for name, suffix, fmt in (("Turtle", ".ttl", "ttl"), ("JSON-LD", ".jsonld", "jsonld"))
                          if fmt in formats}
            _write(out / target.with_name(target.name + ".html"),
                   pages.entity_html(store, description, linker, alternates, nav), report)
        for fmt in ("ttl", "jsonld"):
            if fmt in formats:
                _write(out / target.with_name(f"{target.name}.{fmt}"),
                       pages.serialise(description.triples, fmt).decode("utf-8"), report)
        report.pages += 1
        report.kinds[kind] = report.kinds.get(kind, 0) + 1
        if kind == "project" and any(t.predicate.value == UNIT_PROJECT for t in description.outgoing):
            continue  # listed by its unit's project
        year = next((t.object.value for t in description.outgoing if t.predicate.value == FISCAL_YEAR), None)
        if year is None and kind == "unit-project":  # project/<region>/<unit>/<year>/<name>: its year is in its IRI
            year = next((s for s in iri[len(base):].split("/")[-2:-1] if s.isdigit() and len(s) == 4), None)
        entry: dict[str, object] = {"l": description.label, "k": SEARCH_KINDS.get(kind, kind),
                                    "u": _relative_href(target.with_name(target.name + ".html"), Path("."))}
        if year:
            entry["y"] = int(year)
        index.append(entry)
    _write(out / "search.json", json.dumps(index, ensure_ascii=False, separators=(",", ":")), report)
    _write_index(store, out, base, files, report, index)
    _write(out / "ontology.html", pages.ontology_html(), report)
    _write(out / "ontology.ttl", pages.ontology_turtle().decode("utf-8"), report)
    _write(out / "context.jsonld", pages.CONTEXT_FILE.read_text(encoding="utf-8"), report)
    return report


def _write(path: Path, text: str, report: SiteReport) -> None:
    atomic_write_text(path, text)
    report.files += 1
    report.bytes += len(text.encode("utf-8"))


_SEARCH_SCRIPT = """
(function () {
  var box = document.getElementById("search"), kind = document.getElementById("kind");
  var list = document.getElementById("results"), entries = null;
  function show() {
    var q = box.value.trim().toLowerCase(), k = kind.value, shown = 0;
    list.replaceChildren();
    if (!entries || (!q && !k)) { return; }
    for (var i = 0; i < entries.length && shown < 100; i++) {
      var e = entries[i];
      if ((k && e.k !== k) || (q && e.l.toLowerCase().indexOf(q) < 0)) { continue; }
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = e.u; a.textContent = e.l; li.appendChild(a);
      li.appendChild(document.createTextNode(" " + e.k + (e.y ? " " + e.y : "")));
      list.appendChild(li); shown++;
    }
  }
  var given = new URLSearchParams(location.hash.slice(1));  // index.html#q=…&kind=… links to a search
  box.value = given.get("q") || ""; kind.value = given.get("kind") || "";
  fetch("search.json").then(function (r) { return r.json(); }).then(function (data) { entries = data; show(); },
    function () { list.textContent = "search.json could not be read (open the site through a web server)"; });
  box.addEventListener("input", show); kind.addEventListener("change", show);
})();
"""


def _write_index(store: ox.Store, out: Path, base: str, files: dict[str, Path], report: SiteReport,
                 index: list[dict[str, object]]) -> None:
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
    listed: dict[str, int] = {}
    for entry in index:
        listed[str(entry["k"])] = listed.get(str(entry["k"]), 0) + 1
    kinds = "".join(f"<option value='{kind}'>{kind} ({listed[kind]:,})</option>"
                    for kind in dict.fromkeys(SEARCH_KINDS.get(kind, kind) for kind in PAGE_CLASSES.values())
                    if kind in listed)
    body = (f"<h1>budget-kg</h1><p>{report.pages:,} pages under <code>{html.escape(base)}</code>: disclosures, "
            "departments, projects, policy documents, townships and function codes. "
            "<a href='ontology.html'>ontology</a> · <a href='context.jsonld'>JSON-LD context</a></p>"
            "<p><input id='search' type='search' size='40' placeholder='search: a project, 文号, township, code'> "
            f"<select id='kind'><option value=''>every kind</option>{kinds}</select></p><ul id='results'></ul>"
            f"<h2>Disclosures 预算公开文件</h2><ul>{''.join(items)}</ul><script>{_SEARCH_SCRIPT}</script>")
    _write(out / "index.html", pages.page("budget-kg", body), report)
