"""Bad inputs beside a good one: each gets a clear failure notice and the good one still builds; duplicates
build once; re-running is idempotent; an interrupted build leaves the previous output intact; a document
that runs too long is given up with a notice."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from kg import build as build_module
from kg.build import build
from kg.guard import DocumentTimeout, default_timeout, time_limit
from tests.conftest import SAMPLE_FILES, SAMPLES
from tests.fixtures.pdf.make_fixtures import FIXTURES as PDF_FIXTURES

GOOD = SAMPLE_FILES["zezhou2025"]


@pytest.fixture(scope="module")
def mixed_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(SAMPLES / GOOD, folder / GOOD)
    shutil.copy(SAMPLES / GOOD, folder / "copy-of-zezhou.txt")  # same content under another name
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "novel.txt").write_text("第一章\n那天早上，他走进了县城的书店。\n" * 20, encoding="utf-8")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\n%%EOF garbage")
    (folder / "encrypted.pdf").write_bytes(PDF_FIXTURES["encrypted.pdf"]())
    (folder / "scanned.pdf").write_bytes(PDF_FIXTURES["scanned.pdf"]())  # a PDF without a text layer
    (folder / "notes.csv").write_text("a,b\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def mixed_build(mixed_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "kg"
    # the good file named twice on the command line, and the folder that holds it
    report = build([mixed_dir / GOOD, mixed_dir, mixed_dir / GOOD], out, jobs=1, formats=("nt",), store=False,
                   progress=False)
    return out, report


def test_each_bad_input_named_with_its_reason(mixed_build):
    _, report = mixed_build
    failed = {Path(n.file).name: n.code for n in report.failed}
    assert failed["empty.txt"] == "empty-file"
    assert failed["binary.txt"] == "binary-file"
    assert failed["novel.txt"] == "not-a-disclosure"
    assert failed["encrypted.pdf"].startswith("pdf-")
    assert failed["corrupt.pdf"].startswith("pdf-")
    assert all(n.severity == "error" and n.message for n in report.failed)
    codes = {(Path(n.file).name, n.code) for n in report.notices}
    assert ("notes.csv", "skipped-file") in codes
    assert (GOOD, "duplicate-input") in codes
    assert ("copy-of-zezhou.txt", "duplicate-content") in codes or (GOOD, "duplicate-content") in codes


def test_good_document_built_once_without_duplicated_triples(mixed_build):
    out, report = mixed_build
    built = [Path(d["file"]).name for d in report.documents]
    assert sorted(built) in (["copy-of-zezhou.txt"], [GOOD])  # one disclosure, whichever name came first
    lines = (out / "graph.nt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == report.triples
    # a real value of the seed survives: 2025年土地收储经费 7500 万元 (zezhou2025 项目支出表)
    assert any("2025年土地收储经费" in line for line in lines)
    assert any('"75000000.00"' in line or '"75000000"' in line for line in lines)


def test_scanned_pdf_is_reported_not_dropped(mixed_build):
    _, report = mixed_build
    files = {Path(n.file).name for n in report.failed} | {Path(d["file"]).name for d in report.documents}
    assert "scanned.pdf" in files  # refused with a reason (no text layer), or kept with notices — never silent


def test_rebuild_is_idempotent_and_interruption_keeps_previous_output(tmp_path, monkeypatch):
    out = tmp_path / "kg"
    build([SAMPLES / GOOD], out, jobs=1, formats=("nt",), store=False, progress=False)
    first = (out / "graph.nt").read_bytes()
    build([SAMPLES / GOOD], out, jobs=1, formats=("nt",), store=False, progress=False)
    assert (out / "graph.nt").read_bytes() == first
    report_before = (out / "report.json").read_text(encoding="utf-8")

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_jsonld", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build([SAMPLES / SAMPLE_FILES["qinshui2024"]], out, jobs=1, formats=("nt", "jsonld"), store=False,
              progress=False)
    assert (out / "graph.nt").read_bytes() == first
    assert (out / "report.json").read_text(encoding="utf-8") == report_before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".kg.tmp-")]  # no half-written output left


def test_time_limit_interrupts_catastrophic_backtracking():
    started = time.perf_counter()
    with pytest.raises(DocumentTimeout) as error, time_limit(0.5, "evil.txt"):
        re.match(r"(a+)+$", "a" * 40 + "b")
    assert time.perf_counter() - started < 5
    assert error.value.file == "evil.txt" and error.value.code == "document-timeout"


def test_time_limit_still_ends_a_document_whose_code_swallowed_the_first_alarm():
    # Python ignores what a handler raises inside a finalizer; a library that catches BaseException does the same
    looped = 0
    with pytest.raises(DocumentTimeout) as error, time_limit(0.2, "stuck.txt"):
        with contextlib.suppress(BaseException):  # the swallowing this test is about
            time.sleep(2)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # the loop the limit is there to end
            looped += 1
            time.sleep(0.01)
    assert error.value.file == "stuck.txt" and 0 < looped < 500  # ended by the next alarm, about 1 s later


def test_build_gives_up_a_slow_document_and_keeps_the_others(tmp_path, monkeypatch):
    real = build_module.extract_document

    def slow_for_one(path: Path):
        if path.name == "slow.txt":
            time.sleep(30)
        return real(path)

    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLES / GOOD, tmp_path / "in" / GOOD)
    (tmp_path / "in" / "slow.txt").write_text("whatever", encoding="utf-8")
    monkeypatch.setattr(build_module, "extract_document", slow_for_one)
    # long enough for the good sample on a loaded machine, far below the 30 s hang
    monkeypatch.setenv("BUDGET_KG_DOC_TIMEOUT", "5")
    report = build([tmp_path / "in"], tmp_path / "out", jobs=1, formats=(), store=False, progress=False)
    assert [(Path(n.file).name, n.code) for n in report.failed] == [("slow.txt", "document-timeout")]
    assert [Path(d["file"]).name for d in report.documents] == [GOOD]
    summary = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert summary["failed"][0]["code"] == "document-timeout"


def test_default_timeout_from_environment():
    assert default_timeout({}) == 300.0
    assert default_timeout({"BUDGET_KG_DOC_TIMEOUT": "0"}) is None
    assert default_timeout({"BUDGET_KG_DOC_TIMEOUT": "12.5"}) == 12.5
    assert default_timeout({"BUDGET_KG_DOC_TIMEOUT": "soon"}) == 300.0


def test_time_limit_ends_the_document_past_the_stage_guards(tmp_path, monkeypatch):
    """A stage that hangs is inside extract's stage guards (``except Exception``): the limit must still end the
    document and report it as timed out, in both verbs — not as one failed stage of a built document."""
    import kg.extract as extract_module
    from kg.cli import main

    real = extract_module.find_tables

    def hanging_for_one(source):
        if source.name == "slow.txt":
            time.sleep(30)
        return real(source)

    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLES / GOOD, tmp_path / "in" / GOOD)
    (tmp_path / "in" / "slow.txt").write_text((SAMPLES / GOOD).read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(extract_module, "find_tables", hanging_for_one)
    # long enough for the good sample on a loaded machine, far below the 30 s hang
    monkeypatch.setenv("BUDGET_KG_DOC_TIMEOUT", "5")
    started = time.perf_counter()
    report = build([tmp_path / "in"], tmp_path / "out", jobs=1, formats=(), store=False, progress=False)
    assert [(Path(n.file).name, n.code) for n in report.failed] == [("slow.txt", "document-timeout")]
    assert [Path(d["file"]).name for d in report.documents] == [GOOD]
    main(["extract", str(tmp_path / "in"), "--out", str(tmp_path / "x")])
    failed = json.loads((tmp_path / "x" / "report.json").read_text(encoding="utf-8"))["failed"]
    assert [(Path(f["file"]).name, f["code"]) for f in failed] == [("slow.txt", "document-timeout")]
    assert time.perf_counter() - started < 25


def test_a_worker_that_dies_costs_its_document_only(tmp_path, monkeypatch):
    """One document kills its pool worker (as the OOM killer would): the pool is restarted, the document is
    reported as failed, the others build (this used to abort the whole build with BrokenProcessPool)."""
    import os
    import signal

    real = build_module.extract_document

    def killer_for_one(path: Path):
        if path.name == "killer.txt":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path)

    (tmp_path / "in").mkdir()
    for name in (GOOD, "qinshui-natural-resources-bureau-unit-2024.txt"):
        shutil.copy(SAMPLES / name, tmp_path / "in" / name)
    (tmp_path / "in" / "killer.txt").write_text("whatever", encoding="utf-8")
    monkeypatch.setattr(build_module, "extract_document", killer_for_one)  # the forked workers inherit it
    report = build([tmp_path / "in"], tmp_path / "out", jobs=2, formats=(), store=False, progress=False)
    assert [(Path(n.file).name, n.code) for n in report.failed] == [("killer.txt", "worker-died")]
    assert sorted(Path(d["file"]).name for d in report.documents) == [
        "qinshui-natural-resources-bureau-unit-2024.txt", GOOD]
    assert report.counts["projects"] == 53 + 7


def test_a_document_over_the_memory_budget_fails_alone(tmp_path, monkeypatch):
    real = build_module.extract_document

    def hungry_for_one(path: Path):
        if path.name == "hungry.txt":
            hoard = bytearray(3 * 1024**3)  # 3 GB against a 512 MB budget
            return hoard
        return real(path)

    (tmp_path / "in").mkdir()
    shutil.copy(SAMPLES / GOOD, tmp_path / "in" / GOOD)
    (tmp_path / "in" / "hungry.txt").write_text("whatever", encoding="utf-8")
    monkeypatch.setattr(build_module, "extract_document", hungry_for_one)
    monkeypatch.setenv("BUDGET_KG_DOC_MEMORY_MB", "512")
    report = build([tmp_path / "in"], tmp_path / "out", jobs=2, formats=(), store=False, progress=False)
    assert [(Path(n.file).name, n.code) for n in report.failed] == [("hungry.txt", "document-too-large")]
    assert [Path(d["file"]).name for d in report.documents] == [GOOD]


def _double_or_die(value: int) -> int:
    import os
    import signal

    if value in (0, 150):  # the first dies while the others are still being handed out
        os.kill(os.getpid(), signal.SIGKILL)
    return value * 2


def test_isolated_map_keeps_order_and_names_each_task_that_kills_its_worker():
    from kg.workers import isolated_map

    out = list(isolated_map(_double_or_die, list(range(300)), 2, lambda task, reason: ("lost", task)))
    assert out[0] == ("lost", 0) and out[150] == ("lost", 150)
    assert [v for i, v in enumerate(out) if i not in (0, 150)] == [2 * i for i in range(300) if i not in (0, 150)]
