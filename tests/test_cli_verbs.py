"""The command line over a real build of the samples: query, trace, validate, viz, analyses."""

from __future__ import annotations

import csv
import io
import json

import pytest

from kg.cli import main


def test_query_document_projects_any_bracket_style_as_csv(built, capsys):
    assert main(["query", "document-projects", "--store", str(built), "--param", "document=泽政发【2019】23号",
                 "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["fiscal_year"], r["project_label"], r["amount"]) for r in rows] == [
        ("2025", "补充耕地指标回购资金", "10000000"), ("2026", "补充耕地指标回购资金", "20000000")]


def test_query_list_and_json(built, capsys):
    assert main(["query", "--list"]) == 0
    listed = capsys.readouterr().out
    for name in ("project-basis", "document-projects", "money-by-issuer-level", "unbased-projects",
                 "township-projects", "code-rollup", "year-over-year", "top-documents"):
        assert name in listed
    assert main(["query", "township-projects", "--store", str(built), "--param", "township=柳树口镇",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert any(r["project_label"] == "驻村工作队经费(柳树口镇东南庄村)" for r in rows)


def test_trace_a_document_number(built, capsys):
    assert main(["trace", "泽政发(2019)23号", "--store", str(built)]) == 0
    out = capsys.readouterr().out
    assert "补充耕地指标回购资金" in out and "2025" in out and "2026" in out


def test_validate_a_build_directory(built, capsys):
    assert main(["validate", str(built)]) == 0  # its store, with the Oxigraph engine
    fast = capsys.readouterr().out
    # 20 roundings the documents print, and 4 立项依据 whose number and title disagree
    assert fast.rstrip().endswith("0 violation(s), 24 warning(s)")
    # yangquan's 22001: children sum to 12282800, the line says 12282900 (0.01 万元 of rounding)
    assert "yangquan-planning-natural-resources-bureau-unit-2022.txt:314" in fast
    # xingxian 1916: 自然资规 is 自然资源部's, the title names 山西省 — both kept, listed as a warning
    assert ("xingxian-natural-resources-bureau-2025.txt:1916: warning: 立项依据 number and title disagree: "
            "自然资规〔2020〕5号 is 自然资源部's (central); the title names 山西省 (province)") in fast


def test_validate_a_graph_file_with_pyshacl(built, capsys):
    assert main(["validate", str(built / "graph.ttl"), "--engine", "pyshacl"]) == 0
    assert capsys.readouterr().out.rstrip().endswith("0 violation(s), 24 warning(s)")


def test_viz_and_missing_store_is_one_line_error(built, tmp_path, capsys):
    out = tmp_path / "g.html"
    assert main(["viz", "--store", str(built), "--out", str(out)]) == 0
    assert out.stat().st_size > 100_000 and "cytoscape" in out.read_text(encoding="utf-8")
    assert main(["viz", "--store", str(tmp_path / "nothing"), "--out", str(out)]) == 2
    assert "no store here" in capsys.readouterr().err


def test_bench_options_reach_the_benchmark(monkeypatch):
    import kg.bench.run

    seen: list[list[str]] = []
    monkeypatch.setattr(kg.bench.run, "main", lambda argv: seen.append(argv) or 0)
    assert main(["bench", "--docs", "10", "--jobs", "1", "2"]) == 0
    assert seen == [["--docs", "10", "--jobs", "1", "2"]]
    with pytest.raises(SystemExit):
        main(["validate", "out", "--docs", "10"])  # other verbs still refuse unknown options
