"""Issue 14 in the graph the samples build into: link status, printed numbers, partial citations, non-policy bases,
conflicts as warnings; and how `budget-kg citations`, the queries and the trace show them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

from kg.cli import main
from kg.query import run_query
from kg.query.trace import trace

BKG = "https://w3id.org/budget-kg/ontology#"
CITO = "http://purl.org/spar/cito/"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def select(built: Path, query: str) -> list[tuple[str, ...]]:
    store = ox.Store.read_only(str(built / "store"))
    prefixes = (f"PREFIX bkg: <{BKG}> PREFIX cito: <{CITO}> PREFIX dct: <http://purl.org/dc/terms/>\n"
                "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
    rows = store.query(prefixes + query, use_default_graph_as_union=True)
    return sorted(tuple(term.value if term is not None else "" for term in row) for row in rows)


def test_printed_numbers_and_status_on_the_citation_nodes(built: Path) -> None:
    # xingxian2025:744 prints the ministry's name where the 机关代字 belongs: kept as printed, with year and serial
    rows = select(built, """SELECT ?status ?year ?serial WHERE {
        ?c bkg:printedNumber "自然资源部《2023》11号" ; bkg:linkStatus ?status ; bkg:numberYear ?year ;
           bkg:numberSerial ?serial }""")
    assert rows == [("title", "2023", "11")]
    statuses = select(built, "SELECT DISTINCT ?s WHERE { ?c a bkg:BasisCitation ; bkg:linkStatus ?s }")
    assert statuses == [("both",), ("conflicting",), ("number",), ("title",), ("unresolved",)]


def test_completed_number_keys_the_document_qinshui2024_1139(built: Path) -> None:
    rows = select(built, """SELECT ?number ?completed WHERE {
        ?d bkg:printedNumber "[2020]84号" ; bkg:docNumber ?number ; bkg:numberCompleted ?completed }""")
    assert rows == [("自然资发〔2020〕84号", "true")]


def test_clipped_cell_gives_unresolved_links_to_no_document_zezhou2026_1621(built: Path) -> None:
    rows = select(built, """SELECT ?printed WHERE {
        ?c bkg:linkStatus "unresolved" ; bkg:incomplete true ; cito:hasCitingEntity ?p .
        OPTIONAL { ?c bkg:printedNumber ?printed }
        FILTER NOT EXISTS { ?c cito:hasCitedEntity ?d } }""")
    assert ("自然资保函〔2025〕2号",) in rows and len(rows) == 4
    # neither glued fragment became a document
    assert select(built, 'SELECT ?d WHERE { ?d bkg:docNumber ?n FILTER (CONTAINS(?n, "自然资保函")) }') == []


def test_non_policy_bases_are_typed_and_left_out_of_the_ranking(built: Path) -> None:
    flagged = select(built, "SELECT ?t WHERE { ?d bkg:isPolicyDocument false ; dct:title ?t }")
    assert ("土地收购协议",) in flagged and ("2021年7月16日县政府专题会议",) in flagged and ("县领导批示",) in flagged
    ranked = run_query("top-documents", store=built)
    assert "土地收购协议" not in set(ranked["doc_title"]) and set(ranked["policy_document"]) == {True}
    everything = run_query("top-documents", {"non_policy": "yes"}, store=built)
    contract = everything[everything["doc_title"] == "土地收购协议"]
    assert list(contract["policy_document"]) == [False]
    # qinshui2024: 3 projects rest only on contracts (沁水县中心城区控制性详细规划部分地块调整 …) and meetings
    levels = run_query("money-by-issuer-level", store=built)
    qinshui = levels[(levels["department"] == "沁水县自然资源局") & (levels["issuer_level"] == "non-policy")]
    assert list(qinshui["projects"]) == [3] and list(qinshui["level_rank"]) == [8]
    assert sum(levels[levels["department"] == "沁水县自然资源局"]["amount"]) > Decimal(0)


def test_project_basis_and_trace_show_the_link_status(built: Path) -> None:
    frame = run_query("project-basis", {"project": "兴县土地征收成片开发方案(2024-2025年)编制"}, store=built)
    assert list(zip(frame["doc_number"], frame["link_status"], strict=True)) == [("自然资规〔2020〕5号", "conflicting")]
    text = trace("耕地保护工作相关经费", store=built)
    assert "[unresolved] 《关于自然资保函〔2025〕2号)" in text
    assert "[both] 自然督察京函〔2022〕79号" in text


def test_citations_command_prints_kind_status_and_printed_number(capsys) -> None:
    assert main(["citations", str(SAMPLES / "xingxian-natural-resources-bureau-2025.txt")]) == 0
    out = capsys.readouterr().out
    assert ("自然资规〔2020〕5号             central  规定 rules       conflicting "
            "《山西省土地征收成片开发标准实施细则(试行)》") in out
    assert "    printed 自然资源部《2023》11号 (organ-name, year 2023, serial 11)" in out
    assert "links by status: both " in out


def test_citation_iris_name_the_line_and_the_document(built: Path) -> None:
    # zezhou2025:554, the 立项依据 of the 海河流域 project cites a notice by title only: 《title》 names it
    title = "晋城市人民政府关于加快推进全市生态修复工作的通知"
    rows = select(built, f"""SELECT ?c ?line ?text WHERE {{
        ?c cito:hasCitedEntity ?d ; cito:hasCitingEntity ?p ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?line .
        ?d dct:title "{title}" .
        ?p <http://www.w3.org/2000/01/rdf-schema#label> "2024年泽州县海河流域防洪减灾能力提升项目经费" .
        ?line bkg:printedText ?text }}""")
    assert len(rows) == 1
    citation, line, text = rows[0]
    assert citation.endswith(f"/disclosure/2025/6c5305b17aa4808e/citation/554/《{title}》")
    assert line.endswith("/disclosure/2025/6c5305b17aa4808e#line=553,554") and title in text


def test_an_issuer_printed_by_its_short_name_carries_its_full_name(built: Path) -> None:
    # the seeds print 国家发展改革委 (a 令's issuer); issuers.csv says whose short name it is
    rows = select(built, """SELECT ?label ?full WHERE {
        ?i a bkg:Issuer ; rdfs:label ?label . OPTIONAL { ?i skos:prefLabel ?full }
        FILTER (?label IN ("国家发展改革委", "山西省自然资源厅")) }""")
    assert rows == [("国家发展改革委", "国家发展和改革委员会"), ("山西省自然资源厅", "")]
