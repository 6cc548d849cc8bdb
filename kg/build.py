"""`budget-kg build`: the whole pipeline over many documents, into one graph, a store and a report.

Two parallel phases around one global step:

1. per document (process pool): ingest → tables → entities → citations → places; the records and the
   citations are pickled to a work folder and only the keys of the documents cited travel back;
2. globally: the DocumentRegistry identifies each cited policy document once across all documents
   (a title-only citation joins a numbered one printed elsewhere);
3. per document (process pool): the RDF graph, written as sorted N-Triples, and the document's row of
   report.json, written as it comes (the build keeps only the figures summary.txt needs: ReportDigest).

The main process keeps per document only its file names, content hash and the keys of what it cites: kilobytes
per disclosure, never its records, its citations or its report row (docs/benchmark.md, round 8).

The output directory is written beside the old one and swapped in at the end: an interrupted build leaves
the previous output intact, and re-running over the same inputs gives the same bytes.
"""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any, overload

from kg.citations import Citation, DocumentRegistry, RegionContext, extract_citations_with_notices
from kg.citations.classify import is_policy_title, kind_label
from kg.citations.identify import title_key
from kg.citations.resolve import official_name
from kg.errors import BudgetKGError
from kg.extract import expand_inputs, extract_file, input_failures, require_inputs
from kg.guard import default_timeout, time_limit
from kg.output import reserved, staged_output, unique_name
from kg.places import PlaceLinks as FoundPlaces
from kg.places import Region, link_disclosure, resolve_region
from kg.places.gazetteer import default_gazetteer
from kg.rdf import inputs as rdf_inputs
from kg.rdf.build import CodeVersion, build_disclosure, classification_links, function_codes, ntriples_text
from kg.rdf.listings import listing_summaries
from kg.rdf.namespaces import DEFAULT_BASE
from kg.rdf.summaries import SUMMARIES_GRAPH
from kg.rdf.summaries import disclosure_summary as summarise_disclosure
from kg.rdf.uris import Minter
from kg.records import Disclosure, Notice, PerformanceTable, Span
from kg.report import atomic_write_text, disclosure_summary, notice_dict
from kg.workers import collector_paused, long_lived_frozen, young_collections_spaced

SHARED_GRAPH = "shared"  # graphs/shared.nt: what several disclosures state
LINKS_GRAPH = "classification-links"  # graphs/classification-links.nt: skos:exactMatch across years
SUMMARY_FILE = "summaries"  # graphs/summaries.nt: per-disclosure totals corpus-wide reports read (kg.rdf.summaries)

# The citation stage speaks the issue's words (central/province/city/county); the ontology's levels
# are individuals named NationalLevel, ProvincialLevel, …
ISSUER_LEVELS: dict[str, rdf_inputs.IssuerLevel] = {
    "central": "national",
    "province": "provincial",
    "city": "municipal",
    "county": "county",
    "township": "township",
}


@dataclass
class CitedBasis:
    """The citations of one performance table's 立项依据 cell."""

    project: str  # the project key: the matched 项目支出表 name, else the performance table's own name
    cell: str
    span: Span
    citations: list[Citation]
    project_line: int | None = None  # its row's first line (a performance-only project: its table's)


@dataclass
class ExtractedDocument:
    """What phase 1 keeps of a document: its source lines are dropped (large, and no longer needed) but for
    their printed text, by line number (``printed``), which the graph cites (bkg:printedText), and its tables
    keep their rows' count but no cells."""

    disclosure: Disclosure
    region: Region | None
    places: FoundPlaces | None
    bases: list[CitedBasis]
    notices: list[Notice] = field(default_factory=list)
    printed: dict[int, str] = field(default_factory=dict)


@dataclass
class ReportDigest:
    """What summary.txt and the build's counts read of report.json's document rows, gathered as each row is
    written: the rows themselves are not kept (53 KB of JSON per disclosure, 267 MB at 5,000)."""

    disclosures: int = 0
    projects: int = 0
    performance_only_projects: int = 0
    performance_tables: int = 0
    expenditure_lines: int = 0
    basis_links: int = 0
    townships: set[str] = field(default_factory=set)
    severities: Counter[str] = field(default_factory=Counter)
    closure: Counter[str] = field(default_factory=Counter)  # the rows' closure figures, summed
    table_problems: list[str] = field(default_factory=list)  # summary lines: sums off, tables that disagree
    text_problems: list[str] = field(default_factory=list)  # summary lines: the 说明 against the tables

    @classmethod
    def of(cls, rows: Iterable[dict[str, Any]]) -> ReportDigest:
        digest = cls()
        for row in rows:
            digest.add(row)
        return digest

    def add(self, row: dict[str, Any]) -> None:
        self.disclosures += 1
        self.projects += row["projects"]["current"] + row["projects"]["carried_over"]
        self.performance_only_projects += row["performance_tables"]["performance_only_projects"]
        self.performance_tables += row["performance_tables"]["count"]
        self.expenditure_lines += row["expenditure_lines"]
        self.basis_links += row["citations"]
        self.townships.update(row["townships"])
        self.severities.update(notice["severity"] for notice in row["notices"])
        closure = row.get("closure")
        if not closure:
            return
        for figure in ("tables_checked", "tables_closing", "sums_checked", "sums_failed", "tables_reconciled",
                       "tables_disagreeing"):
            self.closure[figure] += closure[figure]
        for figure in ("text_checked", "text_disagreeing"):
            self.closure[figure] += closure.get(figure, 0)
        name = Path(row["file"]).name
        for table in closure["tables"]:
            if table["failed"]:
                self.table_problems.append(f"    {name}:{table['first_line']} {table['title']}: {table['failed']} "
                                           f"of {table['checks']} sums off (see sum-mismatch notices)")
        for check in closure["reconciliations"]:
            if not check["agree"]:
                self.table_problems.append(f"    {name}:{check['first_line']} {check['what']}: disagree "
                                           "(see tables-disagree notices)")
        for check in closure.get("text_checks", []):
            if check["agree"]:
                continue
            where = f"    {name}:{check['line']} {check['what']}"
            if check.get("kind") == "relation":
                self.text_problems.append(f"{where}, but gives 预算 {check['printed']} 元 and 决算 "
                                          f"{check['stated']} 元")
            else:
                self.text_problems.append(f"{where}: the text states {check['stated']} 元, the table "
                                          f"{check['printed']} 元 (line {check['table_line']})")


class DocumentRows(Sequence[dict[str, Any]]):
    """report.json's document rows, read from the file the first time one is asked for: a build keeps none in
    memory. Its length is known without reading."""

    def __init__(self, path: Path, count: int) -> None:
        self.path = path
        self.count = count
        self._rows: list[dict[str, Any]] | None = None

    def _loaded(self) -> list[dict[str, Any]]:
        if self._rows is None:
            with open(self.path, encoding="utf-8") as handle:
                self._rows = json.load(handle)["documents"]
        return self._rows

    def __len__(self) -> int:
        return self.count

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        return self._loaded()[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._loaded())


@dataclass
class BuildReport:
    out_dir: Path
    documents: Sequence[dict[str, Any]]  # report.json's rows (a build's are read from report.json when used)
    failed: list[Notice]
    notices: list[Notice]
    triples: int
    seconds: float
    counts: dict[str, int]
    graphs: list[dict[str, str]] = field(default_factory=list)  # every named graph: {"iri", "file"}
    stage_seconds: dict[str, float] = field(default_factory=dict)  # extract, graph, partition, store …
    digest: ReportDigest | None = None  # what summary_text needs of the rows; None: read from ``documents``


REPORT_FILE = "report.json"
REPORT_INDENT = 2


class _ReportRows:
    """report.json written as the build goes: each document's row when its graph is built, the rest at the end
    (``finish``), byte for byte what ``json.dumps(report, indent=2)`` writes, with the rows kept on disk only."""

    def __init__(self, path: Path, final_path: Path) -> None:
        self.final_path = final_path
        self.digest = ReportDigest()
        self.handle: IO[str] | None = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - close()
        self.handle.write('{\n  "documents": [')

    def add(self, row: dict[str, Any]) -> None:
        assert self.handle is not None
        text = _report_json(row)
        # a row is an item of a list in an object: two levels deeper than on its own (JSON text has no newline
        # inside a string, so every newline is the start of a line to indent)
        separator = "," if self.digest.disclosures else ""
        self.handle.write(separator + "\n" + " " * 2 * REPORT_INDENT
                          + text.replace("\n", "\n" + " " * 2 * REPORT_INDENT))
        self.digest.add(row)

    def finish(self, rest: dict[str, Any]) -> None:
        """Close the rows and write the report's other keys (``rest``, not empty) after them."""
        assert self.handle is not None
        self.handle.write(("\n" + " " * REPORT_INDENT + "]" if self.digest.disclosures else "]")
                          + "," + _report_json(rest)[1:])
        self.close()

    def written(self) -> DocumentRows:
        return DocumentRows(self.final_path, self.digest.disclosures)

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def _report_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=REPORT_INDENT, default=str)


def project_key(table: PerformanceTable) -> str:
    return table.matched_project or table.project_name


def project_line(table: PerformanceTable) -> int:
    """The line that names the table's project: its matched row's, else the table's own (a performance-only
    project)."""
    return table.matched_line if table.matched_line is not None else table.span.first_line


def region_context(region: Region | None) -> RegionContext | None:
    if region is None:
        return None
    return RegionContext(province=region.province.name, city=region.city.name if region.city else None,
                         county=region.county.name if region.county else None)


def extract_document(path: Path) -> ExtractedDocument:
    """Phase 1 for one file. Raises BudgetKGError for a file that is not a readable disclosure."""
    disclosure = extract_file(path)
    notices: list[Notice] = []
    source = disclosure.source
    region = resolve_region(disclosure.unit_name or disclosure.department, (line.text for line in source.lines))
    if region is None:
        notices.append(Notice(source.name, None, "region-unresolved",
                              "the department's region could not be resolved: no township links, and county "
                              "abbreviations in 发文字号 stay unresolved"))
        places = None
    else:
        places = link_disclosure(disclosure, region)
        notices += places.notices
    context = region_context(region)
    bases: list[CitedBasis] = []
    for table in disclosure.performance:
        if table.kind != "project" or not table.basis.strip():
            continue
        span = table.field_spans.get("basis", table.span)
        citations, citation_notices = extract_citations_with_notices(table.basis, context, file=source.name,
                                                                      line=span.first_line)
        bases.append(CitedBasis(project_key(table), table.basis, span, citations, project_line(table)))
        notices += citation_notices
    cited = {basis.project_line for basis in bases}
    for row in disclosure.projects:  # a 项目支出表 with a 立项依据 column
        if not row.basis or row.span.first_line in cited:
            continue
        citations, citation_notices = extract_citations_with_notices(row.basis, context, file=source.name,
                                                                      line=row.span.first_line)
        bases.append(CitedBasis(row.name, row.basis, row.span, citations, row.span.first_line))
        notices += citation_notices
    # The graph keeps the printed text of the lines it cites (bkg:printedText); only that is kept, as strings by
    # line number: a SourceLine per line (2,600 in a synthetic disclosure) made, pickled and read back between the
    # phases cost ≈ 15 ms per document, the strings ≈ 2 (docs/benchmark.md, round 11)
    printed = {line.number: line.raw for line in source.lines}
    disclosure.source = replace(source, lines=[])
    # A table keeps its rows' count, not its cells: the graph is built from the records read from them, and
    # report.json's row reads only the count. The cells (Decimals in object columns) were ≈ 5 ms per document
    # pickled and read back.
    disclosure.tables = [replace(table, frame=table.frame.iloc[:, :0]) for table in disclosure.tables]
    return ExtractedDocument(disclosure, region, places, bases, notices, printed)


# One document's phase 1 as the parent sees it: index, path, content hash, the keys of the documents it cites
# (what its graph task looks up, ``citation_key``), and the failure if it failed. Its citations themselves wait
# on disk (``_cited_path``) until the registry reads them: the parent holds no Citation while documents are read
# (≈ 70 KB per disclosure, which also made every phase-2 worker, forked from the parent, grow with the corpus).
Phase1Result = tuple[int, str, str, set[str], Notice | None]
Cited = list[tuple[str, Citation, int]]  # (project key, citation, line of its 立项依据 cell), in printed order


def _extract_task(task: tuple[int, str, str]) -> tuple[Phase1Result, ExtractedDocument | None, Cited]:
    """Phase 1 of one document: its result for the parent, the records phase 2 builds the graph from, and
    the citations the registry reads."""
    index, path, _work = task
    try:
        with time_limit(default_timeout(), Path(path).name):  # one pathological file costs itself only
            document = extract_document(Path(path))
    except BudgetKGError as exc:
        return (index, path, "", set(), Notice(exc.file, exc.line, exc.code, exc.message, "error")), None, []
    except MemoryError:  # over the worker's memory budget (kg.workers): this document only
        return (index, path, "", set(), Notice(Path(path).name, None, "document-too-large",
                                               "ran out of memory (BUDGET_KG_DOC_MEMORY_MB); its records are "
                                               "missing", "error")), None, []
    except Exception as exc:  # never lose the other documents to one parser bug
        return (index, path, "", set(), Notice(Path(path).name, None, "extract-failed",
                                               f"extraction failed ({type(exc).__name__}: {exc})", "error")), \
            None, []
    # copies: the registry marks the citations it sees (conflicts), phase 2 reads them as extracted
    cited = [(basis.project, copy.copy(citation), basis.span.first_line) for basis in document.bases
             for citation in basis.citations]
    source = document.disclosure.source
    keys = {citation_key(citation) for _project, citation, _line in cited}
    return (index, path, source.content_sha256 or source.sha256, keys, None), document, cited


def _cited_path(work: str | Path, index: int) -> Path:
    return Path(work) / f"{index}.cited.pkl"


def _phase1(task: tuple[int, str, str]) -> Phase1Result:
    """Phase 1 in a worker: the records and the citations are pickled to the work folder, so memory stays flat."""
    result, document, cited = _extract_task(task)
    if document is not None:
        with open(Path(task[2]) / f"{task[0]}.pkl", "wb") as handle:
            pickle.dump(document, handle, protocol=pickle.HIGHEST_PROTOCOL)
        with open(_cited_path(task[2], task[0]), "wb") as handle:
            pickle.dump(cited, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return result


def _read_cited(work: str | Path, index: int) -> Cited:
    """The citations ``_phase1`` pickled for document ``index`` (read once, by the registry step)."""
    path = _cited_path(work, index)
    with open(path, "rb") as handle:
        cited: Cited = pickle.load(handle)
    path.unlink()
    return cited


class _KeptDocuments(dict[int, "ExtractedDocument"]):
    """Phase 1 in this process for a small build: the records stay in memory until phase 2 takes them (a
    pickle written and read back is ≈ 0.1 CPU-s for the samples and re-compiles every pickled pattern)."""

    def __init__(self) -> None:
        super().__init__()
        self.cited: dict[int, Cited] = {}

    def extract(self, task: tuple[int, str, str]) -> Phase1Result:
        result, document, cited = _extract_task(task)
        if document is not None:
            self[task[0]] = document
            self.cited[task[0]] = cited
        return result

    def take_cited(self, _work: str | Path, index: int) -> Cited:
        return self.cited.pop(index)

    def graph(self, task: tuple[int, str, str, dict[str, rdf_inputs.PolicyDocumentRef]],
              ) -> tuple[int, dict[str, Any], list[Notice], int, list[CodeVersion]]:
        return _graph_task(task, self.pop(task[0]))


def citation_key(citation: Citation) -> str:
    """How a citation finds its canonical document after the registry has seen every document."""
    if citation.key_number:
        return "no:" + citation.key_number
    if citation.title:
        return "title:" + title_key(citation.title)
    return "text:" + citation.text


def canonical_documents(registry: DocumentRegistry) -> dict[str, rdf_inputs.PolicyDocumentRef]:
    """citation_key → the one PolicyDocumentRef each real document gets (numbered documents win a title)."""
    registry.settle()
    canonical: dict[str, rdf_inputs.PolicyDocumentRef] = {}
    by_title: dict[str, rdf_inputs.PolicyDocumentRef] = {}
    for key, document in sorted(registry.documents.items()):
        ref = rdf_inputs.PolicyDocumentRef(
            number=document.doc_number, title=document.title, issuer=document.issuer,
            issuer_level=ISSUER_LEVELS.get(document.issuer_level or ""), kind=document.kind,
            kind_en=kind_label(document.kind), policy=is_policy_title(document.title, document.kind),
            printed_numbers=tuple(sorted(document.printed_numbers)), number_completed=document.completed,
            conflicting_titles=frozenset(document.conflicting_titles), issuer_full_name=official_name(document.issuer))
        canonical[key] = ref
        for title in sorted(document.titles_seen):
            tkey = "title:" + title_key(title)
            if document.doc_number or tkey not in by_title:
                by_title[tkey] = ref
    for tkey, ref in by_title.items():
        canonical.setdefault(tkey, ref)
        if ref.number:  # a title-only citation of a numbered document
            canonical[tkey] = ref
    return canonical


def _documents_cited(canonical: dict[str, rdf_inputs.PolicyDocumentRef], keys: set[str],
                     ) -> dict[str, rdf_inputs.PolicyDocumentRef]:
    """The part of ``canonical`` one document's citations look up: a task carries that, not the whole
    registry (pickled once per document, the whole registry made the graph stage grow with the corpus squared)."""
    return {key: canonical[key] for key in sorted(keys) if key in canonical}


def basis_citations(bases: list[CitedBasis], canonical: dict[str, rdf_inputs.PolicyDocumentRef],
                    ) -> list[rdf_inputs.BasisCitation]:
    out: list[rdf_inputs.BasisCitation] = []
    for basis in bases:
        for citation in basis.citations:
            facts = {"span": basis.span, "cell_text": basis.cell, "cited_text": citation.text,
                     "project_line": basis.project_line,
                     "printed_number": citation.printed_number, "number_year": citation.number_year,
                     "number_serial": citation.number_serial, "incomplete": citation.incomplete}
            if citation.status == "unresolved":  # a partial citation: kept as printed, names no document
                out.append(rdf_inputs.BasisCitation(basis.project, None, None, status="unresolved", **facts))
                continue
            ref = canonical.get(citation_key(citation))
            if ref is None:
                continue
            status, conflict = citation.status, citation.conflict
            if citation.title and title_key(citation.title) in ref.conflicting_titles:
                status, conflict = "conflicting", f"{ref.number} is cited as {ref.title!r} elsewhere"
            nested = tuple(rdf_inputs.PolicyDocumentRef(number=None, title=title) for title in citation.nested)
            if nested:
                ref = replace(ref, cites=nested)
            out.append(rdf_inputs.BasisCitation(
                project_name=basis.project, document=ref, method="number" if citation.key_number else "title",
                status=status, conflict=conflict, **facts))
    return out


def _graph_code(division: Any) -> str:
    # the gazetteer keys provinces and cities by their 2/4-digit prefix; the graph by the 6-digit GB/T 2260 code
    return division.code.ljust(6, "0") if division.level in ("province", "city") else division.code


def _rdf_place(division: Any, parent_of: Callable[[Any], Any]) -> rdf_inputs.Place:
    """``division`` and the chain of its parents up to the province. A city with no counties (东莞市, 中山市,
    儋州市) lists its towns under a county-level entry of the same name and 6-digit code: that is one place,
    so the chain goes from it straight to the province (else the node would contain itself)."""
    parent = parent_of(division)
    if parent is not None and _graph_code(parent) == _graph_code(division):
        parent = parent_of(parent)
    parent_place = _rdf_place(parent, parent_of) if parent is not None and parent is not division else None
    return rdf_inputs.Place(code=_graph_code(division), name=division.name, level=division.level,
                            parent=parent_place)


def rdf_places(found: FoundPlaces | None, file: str) -> rdf_inputs.PlaceLinks:
    """kg.places' links in the builder's input shape: townships with codes only (the graph keys places by code).

    A township lies in the county its code names (the first six digits), which is the disclosure's own county
    only when the document names a township of its own county: a city's department names townships of all its
    counties, so their chain comes from the gazetteer."""
    if found is None:
        return rdf_inputs.PlaceLinks()
    region = found.region
    by_level = {"township": region.county or region.city, "county": region.city or region.province,
                "city": region.province, "province": None}
    gazetteer = default_gazetteer()

    def region_parent(division: Any) -> Any:
        return by_level.get(division.level) if division in (region.province, region.city, region.county) \
            else gazetteer.get(division.parent)

    county = _rdf_place(region.narrowest, region_parent)
    counties = {county.code: county}

    def township(code: str, name: str) -> rdf_inputs.Place:
        if code[:6] not in counties:  # another county's township, or a city-level document's
            division = gazetteer.get(code[:6])
            counties[code[:6]] = _rdf_place(division, region_parent) if division is not None else county
        return rdf_inputs.Place(code=code, name=name, level="township", parent=counties[code[:6]])

    projects: dict[str | rdf_inputs.ProjectLine, list[rdf_inputs.Place]] = {}
    for link in found.project_links:
        if link.level == "township" and link.code:
            key = link.project if link.line is None else (link.project, link.line)
            projects.setdefault(key, []).append(township(link.code, link.name))
    mentioned = [
        rdf_inputs.PlaceMention(township(m.code, m.name), Span(file, m.line, m.line))
        for m in found.mentions if m.level == "township" and m.code
    ]
    return rdf_inputs.PlaceLinks(region=county, project_townships=projects, mentioned=mentioned)


def _phase2(task: tuple[int, str, str, dict[str, rdf_inputs.PolicyDocumentRef]],
            ) -> tuple[int, dict[str, Any], list[Notice], int, list[CodeVersion]]:
    with open(Path(task[1]) / f"{task[0]}.pkl", "rb") as handle:
        document: ExtractedDocument = pickle.load(handle)
    return _graph_task(task, document)


def _graph_task(task: tuple[int, str, str, dict[str, rdf_inputs.PolicyDocumentRef]], document: ExtractedDocument,
                ) -> tuple[int, dict[str, Any], list[Notice], int, list[CodeVersion]]:
    index, work, base, canonical = task
    disclosure = document.disclosure
    citations = basis_citations(document.bases, canonical)
    graph_iri = Minter(base).disclosure(disclosure.fiscal_year, disclosure.source.sha256)
    result = build_disclosure(disclosure, base, citations=citations,
                              places=rdf_places(document.places, disclosure.source.name), printed=document.printed)
    # Nodes minted under the disclosure's IRI belong to it alone; only the others (projects, policy
    # documents, codes, places, organisations) can be stated by several disclosures and need the
    # cross-document partition, which is then a merge of a small part of the corpus.
    own_prefixes = (graph_iri + "/", graph_iri + "#")  # its records and its source-line spans
    own = {triple for triple in result.triples if triple[0] == graph_iri or triple[0].startswith(own_prefixes)}
    atomic_write_text(Path(work) / f"{index}.own.nt", ntriples_text(own))
    atomic_write_text(Path(work) / f"{index}.nt", ntriples_text(result.triples - own))
    atomic_write_text(Path(work) / f"{index}.summary.nt", "".join(
        line + "\n" for line in sorted({*summarise_disclosure(graph_iri, result.triples),
                                         *listing_summaries(graph_iri, result.triples)})))
    count = len(result.triples)
    notices = document.notices + result.notices
    disclosure.notices += notices
    summary = disclosure_summary(disclosure)
    summary["region"] = document.region.name if document.region else None
    summary["region_code"] = document.region.code if document.region else None
    summary["citations"] = len(citations)
    summary["townships"] = sorted({m.code for m in (document.places.mentions if document.places else [])
                                   if m.level == "township" and m.code})
    summary["graph"] = graph_iri
    return index, summary, notices, count, function_codes(result.triples)


def _lost_phase1(task: tuple[int, str, str], reason: str) -> Phase1Result:
    index, path, _work = task
    return index, path, "", set(), Notice(Path(path).name, None, "worker-died", f"not read: {reason}", "error")


def _lost_phase2(task: tuple[int, str, str, Any], reason: str) -> Any:
    raise BudgetKGError(f"document {task[0] + 1}", f"its graph could not be built: {reason}", code="worker-died")


def _pool_map(function: Callable[[Any], Any], tasks: list[Any], jobs: int, label: str,
              progress: bool, lost: Callable[[Any, str], Any] | None = None) -> Iterator[Any]:
    """Map over a process pool (or in-process for one job), with a progress bar on many tasks. A worker that
    dies costs only its task (kg.workers): ``lost`` gives that task's result."""
    from tqdm import tqdm

    from kg.workers import isolated_map

    bar = tqdm(total=len(tasks), desc=label, unit="doc", disable=not progress or len(tasks) < 2, leave=False)
    try:
        if jobs <= 1 or len(tasks) <= 1:
            for task in tasks:
                yield function(task)
                bar.update()
            return
        for result in isolated_map(function, tasks, jobs, lost or _lost_phase2):
            yield result
            bar.update()
    finally:
        bar.close()


def _tagged(handle: Iterable[bytes], index: int) -> Iterator[tuple[bytes, int]]:
    for line in handle:
        if line.strip():
            yield line, index


def partition_shared(parts: list[Path], owned: list[Path], shared: Path, union: Path | None) -> int:
    """Split per-document N-Triples so each triple lives in exactly one named graph, and write their union.

    ``parts[i]`` holds the sorted triples document ``i`` states that another document might state too;
    ``parts[i]`` with the suffix ``.own.nt`` (when present) those only it can state (nodes under its IRI).
    A triple only one document states goes to that document's graph ``owned[i]``; one several documents
    state (a policy document's title, a function code's label, a township) goes to the shared graph.
    Queries over the union of the graphs then see every triple once, so money is never counted twice.
    Streams a k-way merge of the sorted files: memory does not grow with the corpus. ``union`` is the
    concatenation of the graphs (the documents in order, then the shared graph): deterministic, duplicate-free;
    None when no output needs it (it is counted, not written). Returns the number of distinct triples.

    Lines are merged and sorted as UTF-8 bytes, never decoded: bytes of UTF-8 sort as their code points do,
    so the order is the text's, and decoding then encoding again every line was 60 % of this stage.
    """
    import heapq
    from itertools import chain

    exclusive = [path.with_suffix(".exclusive.nt") for path in parts]
    handles = [open(path, "rb") for path in parts]  # noqa: SIM115 - closed below
    outputs = [open(path, "wb") for path in exclusive]  # noqa: SIM115 - closed below
    try:
        with open(shared, "wb") as shared_out:
            merged = heapq.merge(*(_tagged(handle, i) for i, handle in enumerate(handles)))
            current: bytes | None = None
            holders: set[int] = set()
            for line, index in chain(merged, [(b"", -1)]):  # the sentinel flushes the last group
                if line != current:
                    if current is not None:
                        if len(holders) == 1:
                            outputs[next(iter(holders))].write(current)
                        else:
                            shared_out.write(current)
                    current, holders = line, set()
                holders.add(index)
    finally:
        for handle in [*handles, *outputs]:
            handle.close()
    distinct = 0
    with _union_file(union, "wb") as union_out:
        for part, extra, out_path in zip(parts, exclusive, owned, strict=True):
            own = part.with_suffix(".own.nt")
            distinct += _merge_into([extra, own] if own.exists() else [extra], out_path, union_out)
        with open(shared, "rb") as handle:
            for chunk in iter(lambda: handle.readlines(1 << 22), []):
                kept = [line for line in chunk if line.strip()]
                union_out.writelines(kept)
                distinct += len(kept)
    return distinct


def merge_sorted(parts: list[Path], out_path: Path, union: Path | None) -> int:
    """Merge sorted N-Triples files into ``out_path`` (sorted, streaming) and append them to ``union``."""
    with _union_file(union, "ab") as union_out:
        return _merge_into(parts, out_path, union_out)


class _NoUnion(io.RawIOBase):
    """The union of the graphs when no output needs graph.nt (a build with ``formats=()``, as the benchmark
    runs): written nowhere, where it was 2.3 GB written then deleted at 1,000 disclosures."""

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        return len(data)

    def writelines(self, lines: Iterable[Any]) -> None:
        pass


def _union_file(union: Path | None, mode: str) -> IO[bytes]:
    return open(union, mode) if union is not None else _NoUnion()  # type: ignore[return-value]


# Files smaller than this together are merged in memory (one sort of the concatenated sorted runs, which
# Timsort does in linear time); larger ones stream through a k-way heap merge.
IN_MEMORY_MERGE_BYTES = 64 * 2**20


def _merge_into(parts: list[Path], out_path: Path, union_out: IO[bytes]) -> int:
    """Write the lines of the sorted files ``parts`` merged in order into ``out_path`` and ``union_out``;
    return how many (blank lines are dropped)."""
    if sum(path.stat().st_size for path in parts) <= IN_MEMORY_MERGE_BYTES:
        lines: list[bytes] = []
        for path in parts:
            lines += path.read_bytes().split(b"\n")
        lines.sort()
        # A triple's line begins with "<": empty and blank lines sort before every one of them
        first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
        data = b"\n".join(lines[first:]) + b"\n" if first < len(lines) else b""
        out_path.write_bytes(data)
        union_out.write(data)
        return len(lines) - first
    import heapq

    files = [open(path, "rb") for path in parts]  # noqa: SIM115 - closed below
    count = 0
    try:
        with open(out_path, "wb") as out:
            for line in heapq.merge(*(_nonblank(handle) for handle in files)):
                out.write(line)
                union_out.write(line)
                count += 1
    finally:
        for handle in files:
            handle.close()
    return count


def _nonblank(handle: Iterable[bytes]) -> Iterator[bytes]:
    return (line for line in handle if line.strip())


# Quads per bulk load: pyoxigraph's loader holds what it loads in memory (≈ 1 GB per million quads: 2.3 GB for
# the 7.6 M of 1,000 disclosures in one load), so larger stores are loaded in parts of this size. A part is
# still one large load: parts of 0.46 M were ≈ 20 % slower than one load of 0.92 M (one load per graph left
# RocksDB thousands of small files to compact), so up to ≈ 130 disclosures the store is one load as before.
STORE_LOAD_QUADS = 1_000_000
# Loads running at once, each on its share of the graph files in parts of STORE_LOAD_QUADS / STORE_LOADERS
# quads: the same memory as one load of STORE_LOAD_QUADS. pyoxigraph's loader sorts and writes a batch of a
# million quads on another thread while its parser reads the next batch, so one load of a whole file keeps
# both cores busy; a part of at most a million quads is one batch, parsed then written, one after the other,
# and parts loaded one after another left a core idle (the store stage at 1,000 disclosures: 1.5x the raw
# load for ≈ 1.1x its CPU). Two loads at once (pyoxigraph releases the GIL while it loads) overlap again.
STORE_LOADERS = 2
# Below this much N-Triples (≈ 270,000 quads, ≈ 30 disclosures) the store is one load: each load ingests its own
# files into every index of RocksDB and syncs them, a cost that does not shrink with the load, and two loads of a
# small store took more CPU and more wall than one (the samples' 42,000 quads: 0.42 -> 0.36 CPU-s, 1.60 -> 1.17 s
# wall; 10 synthetic disclosures, 82,000 quads: 0.77 -> 0.64 CPU-s, 2.23 -> 1.66 s; medians, load 7).
STORE_ONE_LOADER_BYTES = 64 * 2**20


def store_loaders(graph_files: list[tuple[str, Path]]) -> int:
    """How many loads run at once for these graph files: one for a small store, else STORE_LOADERS."""
    small = _input_bytes([path for _, path in graph_files], STORE_ONE_LOADER_BYTES) < STORE_ONE_LOADER_BYTES
    return 1 if small else STORE_LOADERS


class _Background:
    """``function`` run on a daemon thread, as the store's loads are (an interrupt of the calling thread is not
    held up by it); ``wait`` joins it and raises what it raised."""

    def __init__(self, function: Callable[[], None], name: str) -> None:
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(function,), daemon=True, name=name)
        self.thread.start()

    def _run(self, function: Callable[[], None]) -> None:
        try:
            function()
        except BaseException as exc:  # raised again in the calling thread by wait()
            self.error = exc

    def wait(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error


def write_store(store_dir: Path, graph_files: list[tuple[str, Path]], work: Path | None = None,
                part_quads: int = STORE_LOAD_QUADS, loaders: int | None = None) -> None:
    """Bulk-load the named graphs into a persistent pyoxigraph store, in parts of about ``part_quads`` quads.

    One load per graph left RocksDB with thousands of small files to compact (at 1,000 disclosures the
    store took longer than the rest of the build); a few large loads are 1.6x faster at 100 and keep the
    loader's memory bounded. Each part is read by the loader as N-Quads straight from the graph files
    (``_NQuadsPart``): no N-Quads file is written (2.3 GB at 1,000 disclosures). ``loaders`` threads load at
    once (by default ``store_loaders``: one for a small store), in parts of ``part_quads / loaders``, each
    part the next blocks of one stream of every graph (``_SharedBlocks``). ``work`` is not used.
    """
    import pyoxigraph

    store = pyoxigraph.Store(str(store_dir))
    loaders = max(1, min(loaders or store_loaders(graph_files), len(graph_files)))
    quads = max(1, part_quads // loaders)
    errors: list[BaseException] = []

    # Every loader takes its next part from one stream of blocks, so the loads end together: given every
    # other graph file, the loader that got the summaries graph (11 % of the quads at 5,000 disclosures, the
    # last file) went on alone, parsing and writing each part one after the other, after the other had ended.
    blocks = _SharedBlocks(_nquads_blocks(graph_files, min(1 << 23, quads * 128)))  # 8 MB, less for small parts

    def load(store: pyoxigraph.Store) -> None:
        while True:
            part = _NQuadsPart(blocks, quads)
            store.bulk_load(input=io.BufferedReader(part, 1 << 20), format=pyoxigraph.RdfFormat.N_QUADS)
            if part.exhausted:
                break

    def load_in_thread(store: pyoxigraph.Store) -> None:
        try:
            load(store)
        except Exception as exc:  # raised again in the calling thread once the loads have ended
            errors.append(exc)

    # daemon threads, so that an interrupt of the calling thread is not held up by the other loads
    threads = [threading.Thread(target=load_in_thread, args=(store,), daemon=True, name=f"store-load-{start}")
               for start in range(1, loaders)]
    for thread in threads:
        thread.start()
    load(store)
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    store.flush()
    store.optimize()
    del store


class _SharedBlocks:
    """An iterator of blocks that several loader threads take from, one block at a time (a generator cannot
    be advanced by two threads at once)."""

    def __init__(self, blocks: Iterator[tuple[bytes, int]]) -> None:
        self.blocks = blocks
        self.lock = threading.Lock()

    def __iter__(self) -> _SharedBlocks:
        return self

    def __next__(self) -> tuple[bytes, int]:
        with self.lock:
            return next(self.blocks)


class _NQuadsPart(io.RawIOBase):
    """A readable stream of the next blocks of N-Quads, ending after the block that reaches ``quads`` quads."""

    def __init__(self, blocks: Iterator[tuple[bytes, int]], quads: int) -> None:
        super().__init__()
        self.blocks = blocks
        self.left = quads
        self.pending = memoryview(b"")
        self.exhausted = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            if self.left <= 0 or self.exhausted:
                return 0
            block = next(self.blocks, None)
            if block is None:
                self.exhausted = True
                return 0
            self.pending = memoryview(block[0])
            self.left -= block[1]
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def _nquads_blocks(graph_files: list[tuple[str, Path]], size: int) -> Iterator[tuple[bytes, int]]:
    """Each graph file's lines as N-Quads of its graph, in blocks of whole lines, with their number of quads."""
    for graph_iri, path in graph_files:
        tail = f" <{graph_iri}> .\n".encode()
        for block, lines in _ntriples_blocks(path, size):
            yield _as_nquads(block, lines, tail), lines


def _ntriples_blocks(path: Path, size: int = 1 << 23) -> Iterator[tuple[bytes, int]]:
    """An N-Triples file in blocks of whole lines (≈ ``size`` bytes), each with its number of triples."""
    carry = b""
    with open(path, "rb") as handle:
        while True:
            data = handle.read(size)
            block = carry + data
            if not data:
                if block.strip():  # a last line without its newline
                    yield block + b"\n", (block + b"\n").count(b" .\n")
                return
            cut = block.rfind(b"\n") + 1
            block, carry = block[:cut], block[cut:]
            if block:
                yield block, block.count(b" .\n")


def _as_nquads(block: bytes, lines: int, tail: bytes) -> bytes:
    """N-Triples lines as N-Quads of one graph: ``tail`` (`` <graph> .\n``) replaces each line's `` .\n`` (a
    newline inside a literal is escaped in N-Triples, so the bytes " .\n" end a line). One replace per block,
    not a Python operation per line: 7.7 M lines at 1,000 disclosures. Lines that end otherwise (blank lines,
    comments) are dropped, as before, one by one."""
    if block.count(b"\n") == lines:
        return block.replace(b" .\n", tail)
    return b"".join(line[:-3] + tail for line in block.splitlines(keepends=True) if line.endswith(b" .\n"))


def write_turtle(nt_path: Path, ttl_path: Path) -> None:
    """Turtle through pyoxigraph (rdflib's default store is ~70x slower on large graphs)."""
    import pyoxigraph

    from kg.rdf.namespaces import NAMESPACE_IRIS

    with open(nt_path, "rb") as handle:
        quads = pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.N_TRIPLES)
        with open(ttl_path, "wb") as out:
            pyoxigraph.serialize(quads, out, format=pyoxigraph.RdfFormat.TURTLE, prefixes=NAMESPACE_IRIS)


def write_jsonld(nt_path: Path, jsonld_path: Path) -> None:
    import pyoxigraph

    with open(nt_path, "rb") as handle:
        quads = pyoxigraph.parse(handle, format=pyoxigraph.RdfFormat.N_TRIPLES)
        with open(jsonld_path, "wb") as out:
            pyoxigraph.serialize(quads, out, format=pyoxigraph.RdfFormat.JSON_LD)


# Below this much input a process pool costs more than it saves: each worker imports the readers (pandas,
# rdflib: ~1 s) and the records travel through pickles; the 5 samples (1.2 MB) built 1.14x slower on 2.
POOL_THRESHOLD_BYTES = 2 * 2**20


def _input_bytes(paths: list[Path], enough: int = POOL_THRESHOLD_BYTES) -> int:
    """The size of the inputs, counted up to ``enough`` (unreadable files count nothing)."""
    size = 0
    for path in paths:
        try:
            size += path.stat().st_size
        except OSError:
            continue
        if size >= enough:
            break
    return size


def auto_jobs(paths: list[Path]) -> int:
    """Processes for a build when none are asked for: one for small inputs, else one per core (at most 4)."""
    return min(os.cpu_count() or 1, 4) if _input_bytes(paths) >= POOL_THRESHOLD_BYTES else 1


def build(inputs: list[str | Path], out_dir: str | Path, *, base: str = DEFAULT_BASE, jobs: int | None = None,
          formats: tuple[str, ...] = ("ttl",), store: bool = True, progress: bool = True,
          force: bool = False) -> BuildReport:
    """Build the knowledge graph of ``inputs`` (files or directories) into ``out_dir``.

    ``out_dir`` is replaced only when it is a previous budget-kg output (or empty, or ``force``), never
    when it is or holds an input (see kg.output); it names the old or the new build at every instant.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    paths, input_notices = expand_inputs(inputs)
    require_inputs(paths, list(inputs), input_notices)
    jobs = jobs or auto_jobs(paths)
    # The order the inputs were given in changes nothing: documents are read, numbered and named (graph files
    # of colliding names, the copy of a duplicate that is kept) in the order of their file names.
    paths.sort(key=lambda path: (path.name, str(path)))
    # a small build runs in this process and keeps its records in memory (_KeptDocuments)
    in_memory = jobs <= 1 and _input_bytes(paths) < POOL_THRESHOLD_BYTES
    with staged_output(out_dir, "build", list(inputs), force=force) as tmp_dir, collector_paused(in_memory):
        extract_started = time.perf_counter()  # reading the readers' data is extraction's
        if jobs <= 1 or len(paths) <= 1 or _workers_fork():
            warm_readers()
        # the readers' data and the imports live as long as the build: the collector's full passes skip them;
        # a document's records live as long as its extraction: young collections are spaced to match
        with long_lived_frozen(), young_collections_spaced():
            return _build_into(tmp_dir, out_dir, paths, input_notices, base=base, jobs=jobs, formats=formats,
                               store=store, progress=progress, started=started, clock=extract_started,
                               in_memory=in_memory)


def _workers_fork() -> bool:
    import multiprocessing

    return multiprocessing.get_start_method() == "fork"


def warm_readers() -> None:
    """Read the readers' data (the division list and its name index, the table, label and citation
    vocabularies) now: before a pool forks its workers, they inherit it instead of each reading it again
    (≈ 0.5 s of CPU per worker); before a one-process build, it is frozen out of the collector's full passes
    with the imports (kg.workers.long_lived_frozen)."""
    from kg.citations.classify import vocabulary
    from kg.citations.resolve import code_patterns
    from kg.tables.knowledge import knowledge
    from kg.tables.performance_labels import load_vocabulary

    resolve_region(None, ())
    knowledge()
    load_vocabulary()
    vocabulary()
    code_patterns()


def _build_into(tmp_dir: Path, out_dir: Path, paths: list[Path], input_notices: list[Notice], *, base: str,
                jobs: int, formats: tuple[str, ...], store: bool, progress: bool, started: float,
                clock: float, in_memory: bool) -> BuildReport:
    stages: dict[str, float] = {}

    def stage_done(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = stages.get(name, 0.0) + now - clock
        clock = now

    work = tmp_dir / "work"
    work.mkdir()
    failed: list[Notice] = input_failures(input_notices)  # an unreadable folder is a failed input
    registry = DocumentRegistry()
    built: list[int] = []
    seen: dict[str, str] = {}
    duplicates: list[Notice] = []
    contents: list[tuple[str, int, str]] = []  # (content hash, index, file name) of each document built
    cited_keys: dict[int, set[str]] = {}  # document → the citation keys it looks up in phase 2
    kept = _KeptDocuments() if in_memory else None
    for index, path, content, keys, failure in _pool_map(
            kept.extract if kept is not None else _phase1, [(i, str(p), str(work)) for i, p in enumerate(paths)],
            jobs, "extract", progress, _lost_phase1):
        if failure is not None:
            failed.append(failure)
            continue
        if content in seen:  # the same disclosure in other bytes or under another name: built once
            duplicates.append(Notice(path, None, "duplicate-content",
                                     f"same content as {seen[content]}; built once", "info"))
            if kept is not None:
                kept.pop(index)
                kept.cited.pop(index)
            continue
        seen[content] = path
        built.append(index)
        cited_keys[index] = keys
        contents.append((content, index, Path(path).name))
    # Documents are registered in the order of their content, not of the inputs; what a document is called
    # is then settled by a vote over every citation (DocumentRegistry.settle).
    read_cited = kept.take_cited if kept is not None else _read_cited
    for _content, index, name in sorted(contents):
        for project, citation, line in read_cited(work, index):
            registry.add(citation, project, name, line)
    canonical = canonical_documents(registry)
    stage_done("extract")

    notices: list[Notice] = [n for n in input_notices if n not in failed] + duplicates + registry.notices
    graph_files: list[tuple[str, Path]] = []
    owned: list[Path] = []  # where each graph file goes once the partition has taken out the shared triples
    codes: set[CodeVersion] = set()  # one per concept and year: every disclosure of a year states the same codes
    graphs_dir = tmp_dir / "graphs"
    graphs_dir.mkdir()
    # The build's own graphs keep their names; a disclosure named shared.txt (or a.txt beside a.pdf) gets
    # the next free one, so that no input's graph overwrites another graph.
    used = reserved(f"{SHARED_GRAPH}.nt", f"{LINKS_GRAPH}.nt", f"{SUMMARY_FILE}.nt")
    graph_tasks = [(i, str(work), base, _documents_cited(canonical, cited_keys.pop(i))) for i in built]
    rows = _ReportRows(tmp_dir / REPORT_FILE, out_dir / REPORT_FILE)
    try:
        # in the order of the tasks (kg.workers): each document's row is written to report.json as it comes
        for index, summary, _doc_notices, count, doc_codes in _pool_map(
                kept.graph if kept is not None else _phase2, graph_tasks, jobs, "graph", progress):
            summary["triples"] = count  # as built, before triples shared with other documents move out
            codes.update(doc_codes)
            graph_files.append((summary["graph"] or f"{base}graph/{index}", work / f"{index}.nt"))
            name = unique_name(Path(summary["file"]).stem, used, ".nt")
            owned.append(graphs_dir / name)
            summary["graph_file"] = f"graphs/{name}"
            summary["graph_iri"] = summary["graph"]
            rows.add(summary)
        del graph_tasks
        stage_done("graph")
        return _merge_and_load(tmp_dir, out_dir, work, graph_files, owned, built, codes, rows, failed, notices,
                               registry, base=base, formats=formats, store=store, started=started,
                               stages=stages, stage_done=stage_done)
    finally:
        rows.close()


def _merge_and_load(tmp_dir: Path, out_dir: Path, work: Path, graph_files: list[tuple[str, Path]],
                    owned: list[Path], built: list[int], codes: set[CodeVersion], rows: _ReportRows,
                    failed: list[Notice], notices: list[Notice], registry: DocumentRegistry, *, base: str,
                    formats: tuple[str, ...], store: bool, started: float, stages: dict[str, float],
                    stage_done: Callable[[str], None]) -> BuildReport:
    """The build after the per-document graphs: the classification links, the partition into named graphs,
    the summaries graph, the serialisations, the store and the reports."""
    # skos:exactMatch between the same code in different years needs every year at once
    links_path = work / f"{LINKS_GRAPH}.nt"
    atomic_write_text(links_path, ntriples_text(classification_links(codes)))
    graphs_dir = tmp_dir / "graphs"
    graph_files.append((f"{base}graph/classification-links", links_path))
    owned.append(graphs_dir / f"{LINKS_GRAPH}.nt")

    # each triple in exactly one named graph: its disclosure's, or the shared graph
    shared_path = graphs_dir / f"{SHARED_GRAPH}.nt"
    # graph.nt is also what graph.ttl and graph.jsonld are written from
    nt_path = tmp_dir / "graph.nt" if {"nt", "ttl", "jsonld"} & set(formats) else None
    union = partition_shared([part for _, part in graph_files], owned, shared_path, nt_path)
    named = [(iri, path) for (iri, _), path in zip(graph_files, owned, strict=True)]
    named.append((f"{base}graph/shared", shared_path))
    summaries_path = graphs_dir / f"{SUMMARY_FILE}.nt"
    union += merge_sorted([work / f"{index}.summary.nt" for index in built], summaries_path, nt_path)
    named.append((f"{base}{SUMMARIES_GRAPH}", summaries_path))
    stage_done("partition")

    def serialise() -> None:
        if nt_path is not None and "ttl" in formats:
            write_turtle(nt_path, tmp_dir / "graph.ttl")
        if nt_path is not None and "jsonld" in formats:
            write_jsonld(nt_path, tmp_dir / "graph.jsonld")

    if store and nt_path is not None and {"ttl", "jsonld"} & set(formats):
        # graph.ttl is written while the store loads: pyoxigraph lets go of the GIL in both, and the load waits
        # on its disk syncs (the samples: 0.15 s less wall at load 8, the same CPU). "serialise" is then the
        # time the serialisation took beyond the store's.
        stages["serialise"] = 0.0
        serialising = _Background(serialise, "serialise")
        write_store(tmp_dir / "store", named, work)
        stage_done("store")
        serialising.wait()
        stage_done("serialise")
    else:
        serialise()
        stage_done("serialise")
        if store:
            write_store(tmp_dir / "store", named, work)
            stage_done("store")
    shutil.rmtree(work)
    if nt_path is not None and "nt" not in formats:
        nt_path.unlink()

    counts = _entity_counts(rows.digest, registry, union)
    graphs = [{"iri": iri, "file": str(path.relative_to(tmp_dir))} for iri, path in named]
    report = BuildReport(out_dir, rows.written(), failed, notices, union, time.perf_counter() - started, counts,
                         graphs, {name: round(seconds, 3) for name, seconds in stages.items()}, rows.digest)
    _write_reports(tmp_dir, report, rows)
    return report


def _entity_counts(digest: ReportDigest, registry: DocumentRegistry, triples: int) -> dict[str, int]:
    return {
        "disclosures": digest.disclosures,
        "projects": digest.projects,
        "projects w/o amount": digest.performance_only_projects,
        "performance tables": digest.performance_tables,
        "expenditure lines": digest.expenditure_lines,
        "policy documents": len(registry.documents),
        "basis links": digest.basis_links,
        "townships named": len(digest.townships),
        "triples": triples,
    }


def summary_text(report: BuildReport) -> str:
    digest = report.digest or ReportDigest.of(report.documents)
    lines = [f"budget-kg build: {report.counts['disclosures']} disclosure(s) in {report.seconds:.1f} s"]
    if report.stage_seconds:
        spent = report.stage_seconds.items()
        lines.append("  time: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in spent))
    lines += [f"  {name:<20} {value:>8}" for name, value in report.counts.items() if name != "disclosures"]
    severities = digest.severities
    lines.append(f"  notices: {severities.get('error', 0)} error, {severities.get('warning', 0)} warning, "
                 f"{severities.get('info', 0)} info (all in report.json, with file and line)")
    lines += _closure_lines(digest)
    for failure in report.failed:
        lines.append(f"  FAILED {failure}")
    return "\n".join(lines) + "\n"


def _closure_lines(digest: ReportDigest) -> list[str]:
    """The documents' own arithmetic: how many tables close, and which do not (a misread or a misprint)."""
    totals = digest.closure
    if not totals["tables_checked"]:
        return []
    lines = [f"  arithmetic: {totals['tables_closing']} of {totals['tables_checked']} tables close "
             f"({totals['sums_checked']} sums checked, {totals['sums_failed']} off by more than rounding); "
             f"{totals['tables_reconciled'] - totals['tables_disagreeing']} of {totals['tables_reconciled']} "
             "totals agree across tables", *digest.table_problems]
    if totals["text_checked"]:
        lines.append(f"  text: {totals['text_checked'] - totals['text_disagreeing']} of {totals['text_checked']} "
                     "statements of the 说明 agree (figures with the tables, 决算数 vs 预算数 with their amounts)")
        lines += digest.text_problems
    return lines


def _write_reports(directory: Path, report: BuildReport, rows: _ReportRows) -> None:
    rows.finish({
        "failed": [notice_dict(n) for n in report.failed],
        "notices": [notice_dict(n) for n in report.notices],
        "counts": report.counts,
        "graphs": report.graphs,
        "seconds": round(report.seconds, 3),
        "stage_seconds": report.stage_seconds,
    })
    atomic_write_text(directory / "summary.txt", summary_text(report))
