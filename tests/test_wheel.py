"""The wheel is complete: built, installed in a fresh virtual environment outside the checkout, it runs the
README's commands — build the samples, validate (24 warnings), query, trace, site, serve — with the same
outputs as the checkout (issue 16: the wheel used to leave out shapes/, queries/ and ontology/, and an
installed `validate` then passed everything with no shapes at all).

Slow by nature (a wheel build and a dependency install, about a minute from pip's cache): one module-scoped
fixture does it once.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
# What a wheel is built from: the package and the build configuration, nothing else of the checkout.
SOURCE_ITEMS = ("kg", "shapes", "queries", "ontology", "pyproject.toml", "setup.py", "MANIFEST.in", "README.md")


def _run(command: list[str], cwd: Path, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "BUDGET_KG_QUERIES")}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment)
    if check:
        assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The budget-kg command of a fresh venv holding only the wheel (and its dependencies)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for item in SOURCE_ITEMS:
        path = ROOT / item
        if path.is_dir():
            shutil.copytree(path, source / item, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "_resources"))
        elif path.exists():
            shutil.copy(path, source / item)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"), str(source)], work)
    wheel = next((work / "dist").glob("budget_kg-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for expected in ("kg/_resources/shapes/core.ttl", "kg/_resources/shapes/arithmetic.ttl",
                     "kg/_resources/queries/document-projects.rq", "kg/_resources/ontology/budget-kg.ttl"):
        assert expected in names, f"the wheel lacks {expected}"
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], work)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], work, timeout=900)
    located = _run([str(venv / "bin" / "python"), "-c", "import kg; print(kg.__file__)"], work).stdout.strip()
    assert Path(located).is_relative_to(venv), located  # the installed copy, not the checkout
    return venv / "bin" / "budget-kg"


def _readme_session(command: list[str], folder: Path) -> dict[str, str]:
    """The README's commands in ``folder`` (holding a copy of samples/); their outputs by name."""
    shutil.copytree(SAMPLES, folder / "samples")
    outputs: dict[str, str] = {}
    build = _run([*command, "build", "samples", "--out", "out", "--format", "ttl,nt", "-q"], folder)
    outputs["build"] = "\n".join(line for line in build.stdout.splitlines()  # all but the timings
                                  if not line.startswith(("budget-kg build:", "  time:")))
    outputs["graph.nt"] = (folder / "out" / "graph.nt").read_text(encoding="utf-8")
    outputs["validate"] = _run([*command, "validate", "out"], folder).stdout
    outputs["query --list"] = _run([*command, "query", "--list"], folder).stdout
    outputs["query"] = _run([*command, "query", "money-by-issuer-level", "--store", "out", "--format", "csv"],
                            folder).stdout
    outputs["trace"] = _run([*command, "trace", "补充耕地指标回购资金", "--store", "out"], folder).stdout
    _run([*command, "site", "--store", "out", "--out", "site"], folder)
    site = folder / "site"
    outputs["site files"] = "\n".join(sorted(str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()))
    outputs["site ontology"] = (site / "ontology.ttl").read_text(encoding="utf-8")
    outputs["site index"] = (site / "index.html").read_text(encoding="utf-8")
    outputs.update(_serve(command, folder))
    return outputs


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, accept: str) -> str:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode("utf-8")


def _serve(command: list[str], folder: Path) -> dict[str, str]:
    port = _free_port()
    process = subprocess.Popen([*command, "serve", "--store", "out", "--port", str(port)], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ontology = _get(f"{base}/ontology", "text/turtle")
                break
            except OSError:
                assert process.poll() is None, f"serve exited: {process.stderr.read().decode()[-2000:]}"
                assert time.monotonic() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
        query = ("SELECT ?amount WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> \"补充耕地指标回购资金\" ; "
                 "<https://w3id.org/budget-kg/ontology#amount> ?amount } ORDER BY ?amount")
        sparql = json.loads(_get(f"{base}/sparql?{urllib.parse.urlencode({'query': query})}",
                                 "application/sparql-results+json"))
        amounts = [row["amount"]["value"] for row in sparql["results"]["bindings"]]
        return {"serve /ontology": ontology, "serve /sparql": json.dumps(amounts)}
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def both(installed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, str]]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:  # two independent sessions of subprocesses: side by side
        wheel = pool.submit(_readme_session, [str(installed)], tmp_path_factory.mktemp("installed-run"))
        checkout = pool.submit(_readme_session, [sys.executable, "-m", "kg.cli"],
                               tmp_path_factory.mktemp("checkout-run"))
        return wheel.result(), checkout.result()


def test_the_installed_wheel_validates_with_its_shapes(both: tuple[dict[str, str], dict[str, str]]):
    wheel, _ = both
    # the samples' 24 warnings (20 for the 0.01 万元 rounding they print, 4 for 立项依据 whose number and title
    # disagree): the shapes were found and applied
    assert wheel["validate"].rstrip().endswith("0 violation(s), 24 warning(s)")
    assert "zezhou-natural-resources-bureau-2026.txt:160: warning:" in wheel["validate"]


def test_the_installed_wheel_has_the_query_library_and_the_ontology(both: tuple[dict[str, str], dict[str, str]]):
    wheel, _ = both
    assert len(wheel["query --list"].splitlines()) == 10 and "corpus-totals" in wheel["query --list"] \
        and "document-projects" in wheel["query --list"] and "three-public" in wheel["query --list"]
    assert wheel["query"].startswith("department,fiscal_year,phase,issuer_level,level_rank,projects,amount\n")
    assert "兴县自然资源局,2025,budget,central,1,12,4390000" in wheel["query"]
    assert "cited by 2 project(s), 30,000,000.00 元 traced" in wheel["trace"]
    assert "bkg:Disclosure" in wheel["serve /ontology"] or "ontology#Disclosure" in wheel["serve /ontology"]
    assert json.loads(wheel["serve /sparql"]) == ["10000000", "20000000"]
    # the ontology and its concept schemes, both from the wheel's own copies
    ontology, schemes = ((ROOT / "ontology" / name).read_text(encoding="utf-8") for name in ("budget-kg.ttl",
                                                                                                "schemes.ttl"))
    assert wheel["site ontology"] == ontology.rstrip("\n") + "\n\n" + schemes


@pytest.mark.parametrize("output", ["build", "graph.nt", "validate", "query --list", "query", "trace", "site files",
                                    "site ontology", "site index", "serve /ontology", "serve /sparql"])
def test_the_installed_wheel_gives_the_checkouts_outputs(both: tuple[dict[str, str], dict[str, str]], output: str):
    wheel, checkout = both
    assert wheel[output] == checkout[output]


def test_a_wrong_shapes_path_or_no_shapes_is_an_error(tmp_path: Path, capsys):
    from kg.cli import main

    graph = tmp_path / "g.nt"
    graph.write_text('<https://w3id.org/budget-kg/id/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n',
                     encoding="utf-8")
    assert main(["validate", str(graph), "--shapes", str(tmp_path / "no-such-dir")]) == 2
    assert "no such shapes file or directory" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.ttl").write_text("<a:b> <a:c> <a:d> .\n", encoding="utf-8")
    for engine in ("oxigraph", "pyshacl"):
        assert main(["validate", str(graph), "--shapes", str(tmp_path / "empty"), "--engine", engine]) == 2
        assert "no SHACL shapes found" in capsys.readouterr().err
