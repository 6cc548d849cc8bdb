"""Bad input gets one clear line naming the file — never a traceback — and the good files still come out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kg.cli import main
from tests.conftest import SAMPLE_FILES, SAMPLES


def test_bad_files_are_reported_and_good_ones_still_extracted(tmp_path: Path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (inputs / "novel.txt").write_text("第一章\n那是一个晴朗的早晨。\n", encoding="utf-8")
    (inputs / "notes.docx").write_bytes(b"PK\x03\x04")
    shutil.copy(SAMPLES / SAMPLE_FILES["zezhou2025"], inputs / "zezhou.txt")
    out = tmp_path / "out"

    code = main(["extract", str(inputs), "--out", str(out)])

    err = capsys.readouterr().err
    assert code == 1  # the good file is extracted, and the run says 3 of its 4 inputs failed
    assert "budget-kg extract: 3 of 4 input(s) failed" in err
    assert "Traceback" not in err
    assert "empty.txt: error: file is empty [empty-file]" in err
    assert "binary.txt: error: binary file" in err
    assert "novel.txt: error: no standard budget table" in err
    assert "notes.docx" in err and "skipped" in err
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {Path(f["file"]).name for f in report["failed"]} == {"empty.txt", "binary.txt", "novel.txt"}
    assert [Path(d["file"]).name for d in report["documents"]] == ["zezhou.txt"]


def test_missing_file_is_one_line_error(tmp_path: Path, capsys):
    code = main(["extract", str(tmp_path / "nope.txt"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 1
    assert "nope.txt: error: no such file [missing-file]" in err


def test_an_error_that_stops_a_command_ends_in_its_code(tmp_path: Path, capsys):
    code = main(["validate", "--store", str(tmp_path)])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.splitlines()[-1] == (
        f"budget-kg: {tmp_path}: no store/, graph.nt, graph.ttl or graph.jsonld in this directory [no-graph]")
