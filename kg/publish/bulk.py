"""Bulk paths into large SPARQL servers: a build as N-Quads for their own loaders, no HTTP per graph.

``publish --endpoint`` sends each named graph through the Graph Store Protocol, fine up to a few million
triples; a national corpus (billions) goes through the server's bulk loader instead, which reads files on
the server's disk. ``write_bulk(build_dir, out_dir)`` writes, for the build's named graphs plus the
dataset manifest (so that ``query --endpoint`` finds the graphs as after ``publish``):

- ``budget-kg.nq`` — every graph as N-Quads, one file, streamed from ``graphs/*.nt`` (no parsing);
- ``virtuoso-load.sql`` — for ``isql``: clear the graphs, ``ld_dir`` + ``rdf_loader_run()`` + ``checkpoint``
  (Virtuoso's bulk loader; the folder must be in the server's ``DirsAllowed``);
- ``oxigraph-load.sh`` — ``oxigraph load --location STORE --file budget-kg.nq`` (then ``oxigraph serve``);
- ``Qleverfile`` — the index input for QLever (``qlever index`` then ``qlever start``), the engine for
  billions of triples.

``load_virtuoso`` and ``load_oxigraph`` run the two loaders installed here (``isql-vt`` / ``oxigraph``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import BudgetKGError

NQUADS_FILE = "budget-kg.nq"
VIRTUOSO_SCRIPT = "virtuoso-load.sql"
OXIGRAPH_SCRIPT = "oxigraph-load.sh"
QLEVERFILE = "Qleverfile"


@dataclass
class BulkFiles:
    directory: Path
    nquads: Path
    graphs: list[str]
    quads: int
    scripts: dict[str, Path] = field(default_factory=dict)


def _graphs(build_dir: Path) -> list[tuple[str, Path]]:
    report_path = build_dir / "report.json"
    if not report_path.is_file():
        raise BudgetKGError(str(build_dir), "not a build directory (no report.json): run `budget-kg build` first",
                            code="no-build")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    return [(graph["iri"], build_dir / graph["file"]) for graph in report.get("graphs", [])]


def _base(graphs: list[tuple[str, Path]]) -> str:
    from kg.rdf.namespaces import DEFAULT_BASE

    for iri, _ in graphs:
        if iri.endswith("/graph/shared"):
            return iri[: -len("graph/shared")]
    return DEFAULT_BASE


def write_bulk(build_dir: str | Path, out_dir: str | Path, dataset: str | None = None) -> BulkFiles:
    """Write the N-Quads and the loader scripts of a build into ``out_dir`` (created; files replaced)."""
    from kg.query.remote import _manifest_ntriples, dataset_graph, manifest_graph

    build_dir, out_dir = Path(build_dir), Path(out_dir)
    graphs = _graphs(build_dir)
    base = _base(graphs)
    out_dir.mkdir(parents=True, exist_ok=True)
    nquads = out_dir / NQUADS_FILE
    names: list[str] = []
    quads = 0
    partial = nquads.with_suffix(".nq.part")
    with open(partial, "wb") as out:
        for iri, path in graphs:
            name = dataset_graph(iri, base, dataset)
            names.append(name)
            tail = f" <{name}> .\n".encode()
            with open(path, "rb") as handle:
                for line in handle:
                    if line.endswith(b" .\n"):  # an N-Triples line: the graph name goes before the dot
                        out.write(line[:-3] + tail)
                        quads += 1
        manifest = manifest_graph(base, dataset)
        tail = f" <{manifest}> .\n".encode()
        for line in _manifest_ntriples(manifest, names, dataset).splitlines():
            if line.strip():
                out.write(line.rstrip().removesuffix(b".").rstrip() + tail)
                quads += 1
        names.append(manifest)
    partial.replace(nquads)
    files = BulkFiles(out_dir, nquads, names, quads)
    files.scripts["virtuoso"] = _write(out_dir / VIRTUOSO_SCRIPT, virtuoso_script(out_dir, names))
    files.scripts["oxigraph"] = _write(out_dir / OXIGRAPH_SCRIPT, (
        "#!/bin/sh\n# Load into an Oxigraph store (stop `oxigraph serve` on it first), then serve it:\n"
        "#   oxigraph serve --location STORE --union-default-graph\n"
        'set -e\nSTORE="${1:?usage: oxigraph-load.sh STORE_DIRECTORY}"\n'
        f'oxigraph load --location "$STORE" --file "$(dirname "$0")/{NQUADS_FILE}"\n'))
    files.scripts["qlever"] = _write(out_dir / QLEVERFILE, (
        "# QLever (https://github.com/ad-freiburg/qlever): `qlever index` then `qlever start`, in this folder.\n"
        "[data]\nNAME = budget-kg\nDESCRIPTION = budget-kg build (named graphs as N-Quads)\n\n"
        f"[index]\nINPUT_FILES = {NQUADS_FILE}\nCAT_INPUT_FILES = cat ${{INPUT_FILES}}\nFORMAT = nq\n"
        'SETTINGS_JSON = { "ascii-prefixes-only": false, "num-triples-per-batch": 1000000 }\n\n'
        "[server]\nPORT = 7019\nACCESS_TOKEN = budget-kg\nMEMORY_FOR_QUERIES = 4G\n\n"
        "[runtime]\nSYSTEM = native\n"))
    return files


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def virtuoso_script(directory: Path, graphs: list[str]) -> str:
    """isql commands: the graphs cleared (a re-load replaces, never duplicates), then the bulk loader."""
    lines = ["-- Virtuoso bulk load of a budget-kg build: isql-vt PORT dba PASSWORD virtuoso-load.sql",
             f"-- ({directory} must be listed in the server's DirsAllowed)",
             "log_enable(2, 1);"]
    lines += [f"SPARQL CLEAR GRAPH <{graph}>;" for graph in graphs]
    lines += [f"DELETE FROM DB.DBA.load_list WHERE ll_file = {_sql_string(str(directory / NQUADS_FILE))};",
              f"ld_dir({_sql_string(str(directory))}, {_sql_string(NQUADS_FILE)}, "
              f"{_sql_string(graphs[-1] if graphs else 'urn:budget-kg')});",
              "rdf_loader_run();", "checkpoint;",
              # ll_state 2 is done; ll_error NULL is no error (load_virtuoso reads this line)
              f"SELECT 'budget-kg-load', ll_state, ll_error FROM DB.DBA.load_list WHERE ll_file = "
              f"{_sql_string(str(directory / NQUADS_FILE))};", ""]
    return "\n".join(lines)


def _isql() -> str:
    found = shutil.which("isql-vt") or shutil.which("isql")
    if not found:
        raise BudgetKGError("isql", "Virtuoso's isql client is not installed (Debian: virtuoso-opensource)",
                            code="no-isql")
    return found


def count_quads(endpoint: str, graphs: list[str], timeout: int = 600) -> int:
    """The quads a SPARQL server holds in ``graphs`` (counted per named graph, summed)."""
    from kg.query.remote import EndpointEngine

    wanted = set(graphs)
    # _rows, not select(): no dataset resolution, whose default-graph-uri would hide the named graphs
    _variables, rows = EndpointEngine(endpoint, timeout=timeout)._rows(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return sum(int(count.value) for graph, count in rows if graph is not None and count is not None
               and graph.value in wanted)


def _check_count(files: BulkFiles, endpoint: str, server: str) -> int:
    loaded = count_quads(endpoint, files.graphs)
    if loaded != files.quads:
        raise BudgetKGError(str(files.nquads), f"{server} holds {loaded:,} quads in the build's {len(files.graphs)} "
                            f"graphs after the bulk load, the file has {files.quads:,}: the load stopped early or "
                            "the graphs held other data (see the server's log)", code="bulk-load-incomplete")
    return loaded


def load_virtuoso(files: BulkFiles, port: int, user: str = "dba", password: str = "dba",
                  host: str = "127.0.0.1", timeout: float = 3600, endpoint: str | None = None) -> int | None:
    """Run ``virtuoso-load.sql`` through isql on the server's SQL port; raise if the loader reports an error.

    With ``endpoint`` (the server's SPARQL URL) the quads then in the build's graphs are counted and must be
    the file's (the script clears those graphs first); returns that count.
    """
    script = files.scripts["virtuoso"]
    try:
        result = subprocess.run([_isql(), f"{host}:{port}", user, password, str(script)], capture_output=True,
                                text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise BudgetKGError(str(script), f"the Virtuoso bulk load did not finish within {timeout:.0f} s; it may "
                            "still be running in the server (SELECT * FROM DB.DBA.load_list shows its state)",
                            code="bulk-load-timeout") from None
    output = result.stdout + result.stderr
    if "FA003" in output or "FA113" in output:  # Virtuoso's file-access errors: folder not in DirsAllowed
        raise BudgetKGError(str(files.directory), "Virtuoso may not read this folder: add it to DirsAllowed in "
                            "the [Parameters] of its virtuoso.ini and restart the server", code="bulk-load-failed")
    state = re.search(r"^budget-kg-load\s+(\S+)\s+(.*?)\s*$", output, re.MULTILINE)
    if result.returncode != 0 or "*** Error" in output or not state or state.groups() != ("2", "NULL"):
        detail = (f"loader state {state.group(1)}, error {state.group(2).strip()}" if state
                  else output.strip()[-500:])
        raise BudgetKGError(str(script), f"the Virtuoso bulk load failed: {detail}", code="bulk-load-failed")
    return _check_count(files, endpoint, "Virtuoso") if endpoint else None


def load_oxigraph(files: BulkFiles, location: str | Path, binary: str | None = None,
                  timeout: float = 3600) -> None:
    """``oxigraph load`` of the N-Quads into the store at ``location`` (not being served meanwhile)."""
    binary = binary or shutil.which("oxigraph")
    if not binary:
        raise BudgetKGError("oxigraph", "the oxigraph CLI is not installed (pip install oxigraph)", code="no-oxigraph")
    try:
        result = subprocess.run([binary, "load", "--location", str(location), "--file", str(files.nquads)],
                                capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise BudgetKGError(str(files.nquads), f"oxigraph load did not finish within {timeout:.0f} s",
                            code="bulk-load-timeout") from None
    if result.returncode != 0:
        raise BudgetKGError(str(files.nquads), f"oxigraph load failed: {result.stderr.strip()[-500:]}",
                            code="bulk-load-failed")
