"""What the build holds while it runs: no report row, no citation of a document already read, no worker result
once it is handed on — so that its memory does not grow with the corpus (docs/benchmark.md, round 8)."""

from __future__ import annotations

import gc
import json
import weakref
from dataclasses import replace
from pathlib import Path

from kg.build import DocumentRows, _phase1, _read_cited, _ReportRows, build, citation_key, summary_text
from kg.workers import isolated_map
from tests.conftest import SAMPLE_FILES, SAMPLES


def test_report_json_is_what_json_dumps_writes(built):
    """report.json is written row by row as the graphs are built: the same bytes json.dumps(indent=2) gives."""
    text = (built / "report.json").read_text(encoding="utf-8")
    report = json.loads(text)
    assert text == json.dumps(report, ensure_ascii=False, indent=2)
    zezhou = next(d for d in report["documents"] if d["file"].endswith(SAMPLE_FILES["zezhou2025"]))
    assert zezhou["region_code"] == "140525" and zezhou["graph_file"].startswith("graphs/zezhou")


def test_streamed_rows_are_json_dumps_of_the_whole_report(built, tmp_path):
    rows = json.loads((built / "report.json").read_text(encoding="utf-8"))["documents"][:2]
    rows[1]["notices"], rows[1]["extra"] = [], {"nested": [1, {"empty": {}}], "ratio": 1e-3, "none": None}
    rest = {"failed": [], "notices": [{"file": "甲.txt", "line": 3}], "counts": {"triples": 12}, "seconds": 1.5}
    for count in (0, 1, 2):
        path = tmp_path / f"report-{count}.json"
        writer = _ReportRows(path, path)
        for row in rows[:count]:
            writer.add(row)
        writer.finish(rest)
        expected = json.dumps({"documents": rows[:count], **rest}, ensure_ascii=False, indent=2)
        assert path.read_text(encoding="utf-8") == expected
        assert writer.digest.disclosures == count


def test_build_keeps_no_report_row_and_reads_them_from_report_json(tmp_path):
    names = [SAMPLE_FILES["zezhou2025"], SAMPLE_FILES["yangquan2022"]]
    report = build([SAMPLES / name for name in names], tmp_path / "out", store=False, formats=(), progress=False)
    rows = report.documents
    assert isinstance(rows, DocumentRows) and rows._rows is None  # counted, never held
    assert len(rows) == 2 and report.counts["disclosures"] == 2
    assert [Path(row["file"]).name for row in rows] == sorted(names)
    # the summary from the figures gathered row by row is the summary from the rows themselves
    assert summary_text(report) == summary_text(replace(report, digest=None))
    assert report.counts["projects"] == sum(r["projects"]["current"] + r["projects"]["carried_over"] for r in rows)
    assert "yangquan-planning-natural-resources-bureau-unit-2022.txt:60 基本支出" in summary_text(report)


def test_phase1_hands_the_parent_citation_keys_and_leaves_the_citations_on_disk(tmp_path):
    path = SAMPLES / SAMPLE_FILES["zezhou2025"]
    index, _path, content, keys, failure = _phase1((0, str(path), str(tmp_path)))
    assert failure is None and len(content) == 64
    assert all(isinstance(key, str) for key in keys) and "no:晋税发〔2021〕55号" in keys
    cited = _read_cited(tmp_path, index)
    assert {citation_key(citation) for _project, citation, _line in cited} == keys
    assert not (tmp_path / "0.cited.pkl").exists()  # read once, by the registry


def test_phase1_keeps_the_lines_printed_text_and_the_tables_row_counts_and_builds_the_same_graph():
    from kg.build import extract_document
    from kg.extract import extract_file
    from kg.rdf.build import build_disclosure

    path = SAMPLES / SAMPLE_FILES["zezhou2025"]
    whole = extract_file(path)
    document = extract_document(path)
    assert document.disclosure.source.lines == []  # no SourceLine travels between the phases
    assert len(document.printed) == 911 and document.printed == {line.number: line.raw for line in whole.source.lines}
    assert document.printed[5] == "2025年度部门预算公开"
    # report.json's row reads a table's kind, title, span and rows: the cells are not kept
    assert [(t.kind, len(t.frame), t.span.first_line) for t in document.disclosure.tables][:2] == [
        ("income_expenditure_summary", 33, 76), ("income_summary", 28, 121)]
    assert all(len(t.frame.columns) == 0 for t in document.disclosure.tables)
    assert [len(t.frame) for t in document.disclosure.tables] == [len(t.frame) for t in whole.tables]
    kept = build_disclosure(document.disclosure, printed=document.printed).triples
    assert kept == build_disclosure(whole).triples and len(kept) == 1811
    printed = sorted(t for t in kept if t[1].endswith("#printedText"))
    assert len(printed) == 139 and printed[0][2] == '"208\t社会保障和就业支出\t667.92\t667.92\t"'


class Result:
    def __init__(self, number: int) -> None:
        self.number = number


def make_result(number: int) -> Result:
    return Result(number)


def test_isolated_map_lets_go_of_each_result_once_handed_on():
    references: list[weakref.ref[Result]] = []
    for result in isolated_map(make_result, list(range(6)), 2, lambda task, reason: Result(-1)):
        references.append(weakref.ref(result))
        del result
        gc.collect()
        # only the result just handed on may still be referenced (by the loop's last future)
        assert [reference() for reference in references[:-1]] == [None] * (len(references) - 1)
    assert len(references) == 6
