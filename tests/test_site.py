"""The static site: a page for each entity people look up and for nothing else, a search index, and a search
box that finds a project in headless Chromium."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from kg.publish import export_static_site
from kg.publish.site import entity_file
from tests.test_publish import seeds_build  # noqa: F401 - the shared session build

BKG = "https://w3id.org/budget-kg/ontology#"
BASE = "https://w3id.org/budget-kg/id/"
LOOKED_UP = ("Disclosure", "Department", "Project", "UnitProject", "PolicyDocument", "Township", "FunctionCode")


@pytest.fixture(scope="module")
def site(seeds_build, tmp_path_factory):  # noqa: F811
    out = tmp_path_factory.mktemp("site") / "site"
    report = export_static_site(seeds_build, out)
    return out, report


def test_one_page_per_looked_up_entity_and_no_indicator_pages(site, seeds_build):  # noqa: F811
    out, report = site
    store = ox.Store.read_only(str(seeds_build / "store"))
    classes = " ".join(f"bkg:{name}" for name in LOOKED_UP)
    rows = list(store.query(f"PREFIX bkg: <{BKG}> SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ VALUES ?c {{ {classes} }} "
                            "?e a ?c }", use_default_graph_as_union=True))
    expected = int(rows[0]["n"].value)
    html_pages = [p for p in (out / "id").rglob("*.html")]
    assert len(html_pages) == report.pages == expected == 737  # 155 projects and the 155 unit projects they print
    # the objects of bkg:indicator (its range: the graph states no rdf:type bkg:PerformanceIndicator)
    indicators = {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode(BKG + "indicator"), None)}
    assert len(indicators) > 2000
    for iri in indicators:  # not one of them has a page
        path = out / entity_file(BASE, iri)
        assert not path.with_name(path.name + ".html").exists(), iri
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) < 20e6  # was 121 MB with every node


def test_search_index_lists_every_page(site):
    from urllib.parse import unquote

    out, report = site
    index = json.loads((out / "search.json").read_text(encoding="utf-8"))
    # every page but the 155 projects as a disclosure prints them: each is found through its unit's project
    assert len(index) == report.pages - report.kinds["project"] and report.kinds["project"] == 155
    # a name once (before: twice, as qinshui 2024's project and as the unit's project), as the unit's project,
    # whose page links the disclosure's project (qinshui2024 line 449, 34.19 万元)
    found = [e for e in index if e["l"] == "2022-2023耕地“进出平衡”方案编制经费"]
    assert [(e["k"], e["y"]) for e in found] == [("project", 2024)]
    assert unquote(found[0]["u"]).startswith("id/project/140521/沁水县自然资源局本级/2024/")
    page = (out / unquote(found[0]["u"])).read_text(encoding="utf-8")
    assert "disclosure/2024/da60f45f7ee6469a/project/449.html" in page
    assert sum(1 for e in index if e["k"] == "project") == report.kinds["unit-project"] == 155
    assert sum(1 for e in index if e["k"] == "document") == 235


def test_search_box_finds_a_project_in_chromium(site, tmp_path):
    import subprocess
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from tests.test_browser import FLAGS, chromium

    out, _ = site

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(out)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/index.html#q={quote('进出平衡')}&kind=project"
        completed = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
                                    "--virtual-time-budget=8000", "--dump-dom", url],
                                   capture_output=True, text=True, timeout=120, check=False)
    finally:
        httpd.shutdown()
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = re.search(r'<ul id="results">(.*?)</ul>', completed.stdout, re.S)
    assert results, "the index page has no result list"
    found = re.findall(r'<a href="([^"]+)">([^<]+)</a>', results[1])
    assert ("2022-2023耕地“进出平衡”方案编制经费" in {label for _, label in found})
    assert all("project" in item for item in re.findall(r"<li>(.*?)</li>", results[1]))


def test_project_page_shows_its_source_text_and_ontology_links(site):
    from tests.test_publish import QINSHUI_PROJECT

    out, _ = site
    path = out / entity_file(BASE, QINSHUI_PROJECT)
    page = path.with_name(path.name + ".html").read_text(encoding="utf-8")
    assert "<pre class='source-text'>2022-2023耕地“进出平衡”方案编制经费\t34.19" in page
    assert re.search(r'<a href="(\.\./)+ontology\.html#Project">bkg:Project</a>', page)
