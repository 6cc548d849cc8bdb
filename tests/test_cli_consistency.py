"""One command line: --store everywhere, --rdf-format for files, --format table|csv|json on every reporting
verb, --version, help on every option, config file and environment, deprecation notes (issue 15)."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from kg.cli import build_parser, main
from kg.config import DEFAULT_BASE, load_config
from kg.output import tool_version

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ZEZHOU_2025 = SAMPLES / "zezhou-natural-resources-bureau-2025.txt"


def _walk(parser: argparse.ArgumentParser, path: str = "budget-kg"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _walk(sub, f"{path} {name}")


def test_every_option_of_every_verb_has_help():
    from kg.bench.run import main as bench_main  # noqa: F401 — its parser is built inside main; checked below

    missing = []
    for path, parser in _walk(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction | argparse._HelpAction):
                continue
            if action.help is None or (action.help != argparse.SUPPRESS and not action.help.strip()):
                missing.append(f"{path} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_bench_options_have_help(capsys):
    from kg.bench.run import main as bench_main

    with pytest.raises(SystemExit):
        bench_main(["--help"])
    text = capsys.readouterr().out
    for option in ("--quick", "--docs", "--jobs", "--repeats", "--work-dir", "--no-compare", "--query-repeats"):
        line = next(line for line in text.splitlines() if line.strip().startswith(option))
        assert len(line.split(None, 2)) >= 2, option


def test_version(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"budget-kg {tool_version()}"


def test_every_reporting_verb_prints_json(built: Path, capsys):
    runs = {
        "query": ["query", "document-projects", "--store", str(built), "--param", "document=泽政发[2019]23号"],
        "query --list": ["query", "--list"],
        "trace": ["trace", "泽政发〔2019〕23号", "--store", str(built)],
        "analyses": ["analyses", "--store", str(built)],
        "validate": ["validate", "--store", str(built)],
        "citations": ["citations", str(ZEZHOU_2025)],
    }
    parsed = {}
    for name, argv in runs.items():
        status = main([*argv, "--format", "json"])
        assert status == 0, name
        parsed[name] = json.loads(capsys.readouterr().out)
    # the values, not only the syntax: read from zezhou 2025/2026 and the built graph
    assert [(r["fiscal_year"], r["amount"]) for r in parsed["query"]] == [(2025, "10000000"), (2026, "20000000")]
    assert {r["name"] for r in parsed["query --list"]} >= {"project-basis", "top-documents"}
    assert [(r["fiscal_year"], r["amount"], r["document_total"]) for r in parsed["trace"]] == [
        (2025, "10000000", "30000000"), (2026, "20000000", "30000000")]
    assert parsed["analyses"]["top_documents"][0]["money_traced"] > 0
    assert parsed["validate"]["conforms"] is True and parsed["validate"]["violations"] == 0
    assert len(parsed["validate"]["results"]) == parsed["validate"]["warnings"]
    zezhengfa = [r for r in parsed["citations"] if r["doc_number"] == "泽政发〔2019〕23号"]
    assert [r["project"] for r in zezhengfa] == ["补充耕地指标回购资金"] and zezhengfa[0]["status"] == "both"


def test_csv_with_bom_and_aligned_cjk_table(built: Path, capsys):
    assert main(["trace", "泽政发〔2019〕23号", "--store", str(built), "--format", "csv", "--bom"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeffmatched,project,")
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert [(r["fiscal_year"], r["project_label"]) for r in rows] == [("2025", "补充耕地指标回购资金"),
                                                                      ("2026", "补充耕地指标回购资金")]
    assert main(["query", "document-projects", "--store", str(built), "--param", "document=泽政发[2019]23号"]) == 0
    lines = capsys.readouterr().out.splitlines()
    from wcwidth import wcswidth

    header, rule = lines[0], lines[1]

    def column_of(line: str, text: str) -> int:  # display column where text starts
        return wcswidth(line[:line.index(text)])

    # a CJK cell takes two terminal columns: the cells after one start where their header does
    for line in lines[2:4]:
        assert column_of(line, "补充耕地指标回购资金") == column_of(header, "project_label"), line
        assert column_of(line, "False") == column_of(header, "carried_over"), line
    assert set(rule) <= {"-", " "}


def test_validate_writes_a_shacl_validation_report_in_turtle(built: Path, capsys):
    assert main(["validate", "--store", str(built), "--format", "ttl"]) == 0
    report = Graph().parse(data=capsys.readouterr().out, format="turtle")
    node = next(report.subjects(None, SH.ValidationReport))
    assert report.value(node, SH.conforms).toPython() is True
    results = list(report.objects(node, SH.result))
    assert results and all(report.value(r, SH.resultSeverity) == SH.Warning for r in results)
    assert all(report.value(r, SH.focusNode) is not None for r in results)


def test_old_spellings_still_work_with_a_note(built: Path, tmp_path: Path, capsys):
    assert main(["validate", str(built), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["conforms"] is True
    assert "positional build directory" in captured.err and f"--store {built}" in captured.err
    assert main(["export", str(built), "--out", str(tmp_path / "exp"), "--format", "nt"]) == 0
    captured = capsys.readouterr()
    assert "--format nt is deprecated" in captured.err and "--rdf-format nt" in captured.err
    assert (tmp_path / "exp" / "graph.nt").is_file() and not (tmp_path / "exp" / "graph.ttl").exists()
    # the new spelling: no note
    assert main(["export", "--store", str(built), "--out", str(tmp_path / "exp"), "--rdf-format", "ttl"]) == 0
    captured = capsys.readouterr()
    assert "deprecated" not in captured.err and (tmp_path / "exp" / "graph.ttl").is_file()
    assert main(["validate", str(built), "--store", str(built)]) == 2
    assert "once" in capsys.readouterr().err


def test_config_file_environment_and_flags_in_that_order(built: Path, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for variable in ("BUDGET_KG_STORE", "BUDGET_KG_ENDPOINT", "BUDGET_KG_BASE", "BUDGET_KG_CONFIG"):
        monkeypatch.delenv(variable, raising=False)
    assert load_config().store is None and load_config().base is None
    (tmp_path / "budget-kg.toml").write_text(f'store = "{built}"\nbase = "https://example.org/a/"\n',
                                             encoding="utf-8")
    assert (load_config().store, load_config().base) == (str(built), "https://example.org/a/")
    # the config's store serves a query without --store
    assert main(["query", "document-projects", "--param", "document=泽政发[2019]23号", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    # the environment beats the file
    monkeypatch.setenv("BUDGET_KG_BASE", "https://example.org/b/")
    monkeypatch.setenv("BUDGET_KG_STORE", str(tmp_path / "nowhere"))
    config = load_config()
    assert (config.store, config.base) == (str(tmp_path / "nowhere"), "https://example.org/b/")
    assert config.origin == {"store": "BUDGET_KG_STORE", "base": "BUDGET_KG_BASE"}
    assert main(["analyses", "--format", "json"]) == 2
    assert "nowhere" in capsys.readouterr().err
    # a flag beats both
    assert main(["analyses", "--store", str(built), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["top_documents"]
    # a broken config file is one line naming it
    (tmp_path / "budget-kg.toml").write_text('store = "x"\nstores = 1\n', encoding="utf-8")
    assert main(["analyses", "--store", str(built)]) == 2
    assert "budget-kg.toml" in capsys.readouterr().err


def test_default_base_is_the_graphs():
    from kg.rdf.namespaces import DEFAULT_BASE as graph_base

    assert graph_base == DEFAULT_BASE


def test_no_python_reprs_in_site_output(built: Path, tmp_path: Path, capsys):
    assert main(["site", "--store", str(built), "--out", str(tmp_path / "site")]) == 0
    captured = capsys.readouterr()
    assert "Report(" not in captured.out and "pages in" in captured.out
    assert "writing the entity pages" in captured.err  # progress on stderr


def test_viz_writes_pdf_and_refuses_an_unknown_suffix(built: Path, tmp_path: Path, capsys):
    assert main(["viz", "--store", str(built), "--out", str(tmp_path / "figure.pdf")]) == 0
    assert (tmp_path / "figure.pdf").read_bytes().startswith(b"%PDF-")
    assert main(["viz", "--store", str(built), "--out", str(tmp_path / "figure.docx")]) == 2
    assert not (tmp_path / "figure.docx").exists()
    assert "FILE.html" in capsys.readouterr().err


def test_query_out_refuses_to_overwrite_and_writes_parquet(built: Path, tmp_path: Path, capsys):
    pytest.importorskip("pyarrow")
    import pandas as pd

    target = tmp_path / "top.parquet"
    assert main(["query", "top-documents", "--store", str(built), "--out", str(target)]) == 0
    frame = pd.read_parquet(target)
    assert str(frame["money_traced"].dtype) == "Float64" and frame.attrs["query"] == "top-documents"
    assert main(["query", "top-documents", "--store", str(built), "--out", str(target)]) == 2
    assert "exists" in capsys.readouterr().err


def test_bench_quick_says_what_it_runs_and_keeps_the_work_dir(tmp_path: Path, capsys):
    from kg.bench.run import main as bench_main

    work = tmp_path / "work"
    (work / "run-1-0").mkdir(parents=True)
    (work / "run-1-0" / "mine.txt").write_text("an earlier run, kept", encoding="utf-8")
    assert bench_main(["--quick", "--docs", "2", "--work-dir", str(work)]) == 0
    captured = capsys.readouterr()
    assert "2 synthetic disclosure(s)" in captured.err and "no query timings" in captured.err
    assert (work / "run-1-0" / "mine.txt").read_text(encoding="utf-8") == "an earlier run, kept"
    assert any((work / "run-1-0-2").iterdir())  # this run's build, kept beside the earlier one
    assert "build: triples" in captured.out and "rdflib" not in captured.out.split("note:")[0]
    assert "note: no query timings and no rdflib/pyshacl comparison" in captured.out
