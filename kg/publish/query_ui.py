"""The query pages people use in a browser: the YASGUI editor at /sparql, results as an HTML table, and the
query library (queries/*.rq) as canned queries with a parameter form (as Datasette does).

YASGUI (@zazuko/yasgui, MIT) is vendored in ``vendor/`` and served by this server, so the editor works offline;
its autocompleters that ask public web services (LOV) are switched off. The editor opens with the project's
prefixes (kg.rdf.namespaces.PREFIXES) declared.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

from kg.publish import pages
from kg.query.library import Query
from kg.rdf.namespaces import PREFIXES

VENDOR_DIR = Path(__file__).with_name("vendor")
VENDOR_FILES = {"yasgui.min.js": "text/javascript; charset=utf-8", "yasgui.min.css": "text/css; charset=utf-8",
                "LICENSE-yasgui": "text/plain; charset=utf-8"}
# what a results link or the HTML form may ask for by name (?format=…), for links that cannot set Accept
FORMAT_ACCEPT = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
                 "nt": "application/n-triples", "jsonld": "application/ld+json"}
_RESULT_MEDIA = ("application/sparql-results+json", "application/json", "application/sparql-results+xml",
                 "application/xml", "text/csv", "text/tab-separated-values", "text/turtle", "application/n-triples",
                 "application/ld+json")
DEFAULT_QUERY_BODY = ("SELECT ?project ?label ?amount WHERE {\n  ?project a bkg:Project ;\n    rdfs:label ?label ;\n"
                      "    bkg:amount ?amount .\n}\nORDER BY DESC(?amount)\nLIMIT 20\n")


def prefix_block() -> str:
    return "".join(f"PREFIX {name}: <{namespace}>\n" for name, namespace in PREFIXES.items())


def wants_html(accept: str) -> bool:
    """True when the client prefers an HTML page to any SPARQL result format (a browser's form submission:
    ``text/html,…,application/xml;q=0.9,*/*;q=0.8``); SPARQL clients name a result type or */* only."""
    best_html = best_result = -1.0
    for media, quality in pages.accepted(accept or ""):
        if media in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html, quality)
        elif media in _RESULT_MEDIA:
            best_result = max(best_result, quality)
    return best_html > 0 and best_html >= best_result


def nav() -> str:
    return ("<a href='/'>dataset</a><a href='/sparql'>SPARQL</a><a href='/queries'>queries</a>"
            "<a href='/ontology'>ontology</a>")


def editor_page(timeout: float, max_rows: int) -> str:
    """/sparql for people: YASGUI over this endpoint; a plain form when scripts are off."""
    default_query = prefix_block() + "\n" + DEFAULT_QUERY_BODY
    config = {"query": default_query, "prefixes": prefix_block()}
    body = f"""<h1>SPARQL</h1>
<p>Read-only; each query stops after {timeout:g} s and returns {max_rows:,} rows at most.
The editor declares the project's prefixes; <a href='/queries'>canned queries</a> need no SPARQL.</p>
<div id="yasgui"></div><span id="status" hidden></span>
<noscript><form method="post" action="/sparql"><textarea name="query" rows="16" cols="100">
{html.escape(default_query)}</textarea><br><button>run</button></form></noscript>
<script id="yasgui-config" type="application/json">{_script_json(config)}</script>
<script src="/vendor/yasgui.min.js"></script>
<script>
(function () {{
  var config = JSON.parse(document.getElementById("yasgui-config").textContent);
  var params = new URLSearchParams(location.hash.slice(1));
  var given = params.get("query");  // a link's query; the prefixes are declared unless it declares its own
  if (given && !/^\\s*PREFIX/im.test(given)) {{ given = config.prefixes + "\\n" + given; }}
  var yasgui = new Yasgui(document.getElementById("yasgui"), {{
    requestConfig: {{endpoint: location.origin + "/sparql", method: "POST"}},
    endpointCatalogueOptions: {{getData: function () {{ return []; }}}},
    copyEndpointOnNewTab: true, persistenceId: null, populateFromUrl: false,
    yasqe: {{value: given || config.query, autocompleters: ["variables"], persistenceId: null}},
    yasr: {{persistenceId: null}}
  }});
  var tab = yasgui.getTab();
  var status = document.getElementById("status");
  tab.getYasr().on("drawn", function () {{ status.setAttribute("data-drawn", "true"); }});
  status.setAttribute("data-ready", "true");
  if (params.has("run")) {{ tab.getYasqe().query(); }}
}})();
</script>"""
    head = "<link rel='stylesheet' href='/vendor/yasgui.min.css'>"
    return pages.page("SPARQL", body, nav(), head=head)


def _script_json(value: object) -> str:
    # inside <script>: "</" would end the element
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


# a line key (docs/iris.md): "575", "589-2" name what a disclosure prints by the line it is printed on, which
# alone says nothing: D/performance/575, D/indicator/1015 (D: id/disclosure/<year>/<checksum>)
_LINE_KEY = re.compile(r"^[0-9]+(?:-[0-9]+)?$")
_UNDER_DISCLOSURE = 4  # "disclosure", year, checksum, kind: the segments before a key of what it prints


def printed_by_line(iri: str) -> bool:
    """Whether ``iri`` is something a disclosure prints, keyed by its line (a disclosure's project, a target):
    its IRI says nothing of what it is, its rdfs:label does."""
    if not iri.startswith(pages.DEFAULT_BASE):
        return False
    segments = iri[len(pages.DEFAULT_BASE):].rstrip("/").split("/")
    return (segments[0] == "disclosure" and len(segments) == _UNDER_DISCLOSURE + 1
            and bool(_LINE_KEY.match(segments[-1])))


def result_iris(body: bytes) -> list[str]:
    """The IRIs of a SPARQL JSON result that :func:`printed_by_line` names by their label (at most 1,000)."""
    result = json.loads(body)
    found = {term["value"] for row in result.get("results", {}).get("bindings", []) for term in row.values()
             if term.get("type") == "uri" and printed_by_line(term.get("value", ""))}
    return sorted(found)[:1000]


def label_query(iris: list[str]) -> str:
    """One query for the labels of ``iris`` (checked IRIs from a result, written as IRI terms)."""
    values = " ".join(f"<{iri}>" for iri in iris if not set(iri) & set('<>"{}|^`\\ '))
    return ("SELECT ?s ?label WHERE { VALUES ?s { " + values + " } "
            "?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }")


def result_label(iri: str) -> str:
    """A result cell's text for an IRI: a vocabulary term as its prefixed name; one of ours by its last path
    segment, decoded (a unit project's name, a 文号, a code), with the kind before it when what a disclosure prints
    is keyed by its line ("performance/575", the disclosure's project "project/389")."""
    if not iri.startswith(pages.DEFAULT_BASE):
        return pages.short_name(iri)
    segments = iri[len(pages.DEFAULT_BASE):].rstrip("/").split("/")
    last = unquote(segments[-1])
    printed = segments[0] == "disclosure" and len(segments) == _UNDER_DISCLOSURE + 1
    return f"{unquote(segments[-2])}/{last}" if printed and _LINE_KEY.match(last) else last


def _cell(term: dict[str, str] | None, href: Callable[[str], str], names: dict[str, str]) -> str:
    if term is None:
        return ""
    value = term.get("value", "")
    if term.get("type") == "uri":
        label = result_label(value)
        if value in names:  # a disclosure's project by its name, the key after it: "土地收储经费 (project/389)"
            label = f"{names[value]} ({label})"
        return f'<a href="{html.escape(href(value))}">{html.escape(label)}</a>'
    return html.escape(value)


def results_table(body: bytes, href: Callable[[str], str], names: dict[str, str] | None = None) -> tuple[str, int]:
    """A SPARQL JSON result as an HTML table (or the ASK answer); and its row count. ``names``: the labels of
    the IRIs :func:`result_iris` picks, shown before their key."""
    names = names or {}
    result = json.loads(body)
    if "boolean" in result:
        return f"<p class='answer'>{'true' if result['boolean'] else 'false'}</p>", 1
    variables = result["head"]["vars"]
    rows = result["results"]["bindings"]
    head = "".join(f"<th>{html.escape(v)}</th>" for v in variables)
    cells = "".join("<tr>" + "".join(f"<td>{_cell(row.get(v), href, names)}</td>" for v in variables) + "</tr>"
                    for row in rows)
    return f"<table class='results'><thead><tr>{head}</tr></thead><tbody>{cells}</tbody></table>", len(rows)


def format_links(path: str, params: dict[str, str], formats: tuple[str, ...] = ("json", "csv", "xml")) -> str:
    links = []
    for fmt in formats:
        target = f"{path}.{fmt}?{urlencode(params)}" if path.startswith("/queries/") \
            else f"{path}?{urlencode({**params, 'format': fmt})}"
        links.append(f"<a href='{html.escape(target)}'>{fmt.upper()}</a>")
    return "<p class='formats'>This result as " + " · ".join(links) + "</p>"


def results_page(title: str, query_text: str, table: str, count: int, truncated: bool, links: str,
                 intro: str = "") -> str:
    cut = " (cut at the endpoint's row limit)" if truncated else ""
    editor = "/sparql#" + urlencode({"query": query_text}, quote_via=quote)
    body = (f"<h1>{html.escape(title)}</h1>{intro}<p>{count:,} rows{cut}.</p>{links}{table}"
            f"<details><summary>SPARQL</summary><pre>{html.escape(query_text)}</pre>"
            f"<p><a href='{html.escape(editor)}'>edit in the query editor</a></p></details>")
    return pages.page(title, body, nav())


def error_page(title: str, status: int, message: str, query_text: str = "") -> str:
    shown = f"<pre>{html.escape(query_text)}</pre>" if query_text else ""
    return pages.page(title, f"<h1>{html.escape(title)}</h1><p class='error'>{status}: {html.escape(message)}</p>"
                      f"{shown}<p><a href='/sparql'>back to the editor</a></p>", nav())


def library_page(library: dict[str, Query]) -> str:
    items = "".join(f"<li><a href='/queries/{quote(name)}'>{html.escape(name)}</a>: {html.escape(query.title)}"
                    + (" <span class='dt'>(" + ", ".join(p.name for p in query.parameters) + ")</span>"
                       if query.parameters else "") + "</li>"
                    for name, query in sorted(library.items()))
    body = ("<h1>Canned queries 查询库</h1><p>The query library (<code>budget-kg query NAME</code>): each "
            f"runs here with its parameters as a form, and gives its result as HTML, JSON or CSV.</p><ul>{items}</ul>")
    return pages.page("queries", body, nav())


def query_form(query: Query, given: dict[str, str]) -> str:
    fields = "".join(
        f"<p><label>{html.escape(p.name)}{' (required)' if p.required else ''}<br>"
        f"<input name='{html.escape(p.name)}' size='60' value='{html.escape(given.get(p.name, ''))}'"
        f"{' required' if p.required else ''}></label><br><span class='dt'>{html.escape(p.description)}</span></p>"
        for p in query.parameters)
    return (f"<p>{html.escape(query.answers)}</p><form method='get' action='/queries/{quote(query.name)}'>"
            f"{fields}<button>run</button></form>")

