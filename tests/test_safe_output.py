"""No verb loses or corrupts data: --out replaces only budget-kg's own output, never an input; output names
never collide with input names; the swap leaves OUT in place at every instant; killed runs leave no
staging directory and no worker behind; exit codes say whether every input was read (issue 16)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import interrupts
from kg.build import build
from kg.cli import main
from kg.output import MARKER, clean_stale_staging, staged_output
from tests.conftest import SAMPLE_FILES, SAMPLES

ZEZHOU_2025 = SAMPLES / SAMPLE_FILES["zezhou2025"]
ZEZHOU_2026 = SAMPLES / SAMPLE_FILES["zezhou2026"]


def demo_folder(tmp_path: Path) -> Path:
    """The issue's reproduction: a disclosure and the user's own notes in one folder."""
    demo = tmp_path / "demo"
    demo.mkdir()
    shutil.copy(ZEZHOU_2025, demo / ZEZHOU_2025.name)
    (demo / "notes.txt").write_text("notes\n", encoding="utf-8")
    return demo


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("verb", ["build", "extract"])
def test_an_input_folder_is_never_taken_as_the_output(tmp_path: Path, capsys, verb: str):
    demo = demo_folder(tmp_path)
    before = tree(demo)
    for extra in ([], ["--force"]):  # not even with --force
        code = main([verb, str(demo), "--out", str(demo), *extra])
        assert code == 2
        assert "the output directory is an input" in capsys.readouterr().err
        assert tree(demo) == before
    # nor a folder that holds an input given on its own
    code = main([verb, str(demo / ZEZHOU_2025.name), "--out", str(demo), "--force"])
    assert code == 2 and "holds the input" in capsys.readouterr().err
    assert tree(demo) == before
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # no staging directory left either


@pytest.mark.parametrize("verb", ["build", "extract"])
def test_a_folder_budget_kg_did_not_write_is_refused_unless_forced(tmp_path: Path, capsys, verb: str):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    code = main([verb, str(ZEZHOU_2025), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "thesis.docx" in err and MARKER in err and "--force" in err
    assert tree(out) == {"thesis.docx": b"years of work"}
    assert main([verb, str(ZEZHOU_2025), "--out", str(out), "--force", *(["-q"] if verb == "build" else [])]) == 0
    assert not (out / "thesis.docx").exists() and (out / "report.json").is_file()


def test_a_previous_build_is_replaced_but_not_once_files_were_added_to_it(tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(ZEZHOU_2025), "--out", str(out), "-q", "--no-store"]) == 0
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["tool"] == "budget-kg" and marker["kind"] == "build" and marker["complete"] is True
    assert set(marker["entries"]) == {"graph.ttl", "graphs", "report.json", "summary.txt"}
    # a previous build: replaced
    assert main(["build", str(ZEZHOU_2026), "--out", str(out), "-q", "--no-store"]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [Path(d["file"]).name for d in report["documents"]] == [ZEZHOU_2026.name]
    # a previous build the user has since put a file in: refused, the file kept
    (out / "my-analysis.csv").write_text("a,b\n", encoding="utf-8")
    assert main(["build", str(ZEZHOU_2025), "--out", str(out), "-q", "--no-store"]) == 2
    assert "my-analysis.csv" in capsys.readouterr().err
    assert (out / "my-analysis.csv").read_text(encoding="utf-8") == "a,b\n"


def test_export_and_site_replace_only_their_own_kind_and_never_the_build(tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(ZEZHOU_2025), "--out", str(out), "-q"]) == 0
    # the build holds the export's and the site's input: never their output
    assert main(["export", str(out), "--out", str(out), "--force"]) == 2
    assert main(["site", "--store", str(out), "--out", str(out), "--force"]) == 2
    assert "never writes over its inputs" in capsys.readouterr().err
    dist, site = tmp_path / "dist", tmp_path / "site"
    assert main(["export", str(out), "--out", str(dist), "--format", "nt"]) == 0
    assert main(["export", str(out), "--out", str(dist), "--format", "nt"]) == 0  # its own: replaced
    assert main(["site", "--store", str(out), "--out", str(dist)]) == 2  # an export is not a site
    assert "is a budget-kg export output, not a site" in capsys.readouterr().err
    assert (dist / "graph.nt").is_file()
    site.mkdir()
    (site / "CNAME").write_text("budget.example.org\n", encoding="utf-8")
    assert main(["site", "--store", str(out), "--out", str(site)]) == 2
    assert (site / "CNAME").is_file() and not (site / "index.html").exists()


def test_a_disclosure_named_shared_does_not_overwrite_the_shared_graph(tmp_path: Path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(ZEZHOU_2025, inputs / "shared.txt")
    shutil.copy(ZEZHOU_2026, inputs / "classification-links.txt")
    shutil.copy(SAMPLES / SAMPLE_FILES["qinshui2024"], inputs / "Shared.TXT")  # case-insensitive file systems
    report = build([inputs], tmp_path / "out", formats=("nt",), jobs=1, progress=False, store=False)
    files = [g["file"] for g in report.graphs]
    assert len(files) == len({f.casefold() for f in files}) == 6  # three disclosures, links, shared, summaries
    by_source = {Path(d["file"]).name: d["graph_file"] for d in report.documents}
    assert by_source["shared.txt"] not in ("graphs/shared.nt",) and by_source["Shared.TXT"] != "graphs/shared.nt"
    assert by_source["classification-links.txt"] != "graphs/classification-links.nt"
    # each graph file holds what the report says: nothing lost to an overwrite
    lines = sum(len((tmp_path / "out" / f).read_text(encoding="utf-8").splitlines()) for f in files)
    assert lines == report.triples == len((tmp_path / "out" / "graph.nt").read_text(encoding="utf-8").splitlines())
    shared = next(g for g in report.graphs if g["iri"].endswith("/graph/shared"))
    assert shared["file"] == "graphs/shared.nt"
    assert "<https://w3id.org/budget-kg/ontology#Disclosure>" not in (tmp_path / "out" / shared["file"]).read_text(
        encoding="utf-8")


def test_extract_of_a_file_named_report_json_txt_keeps_the_report(tmp_path: Path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    shutil.copy(ZEZHOU_2025, inputs / "report.json.txt")
    out = tmp_path / "out"
    assert main(["extract", str(inputs), "--out", str(out)]) == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    document = report["documents"][0]
    assert Path(document["file"]).name == "report.json.txt"
    assert document["output"] == str(out / "report.json-2")
    assert (out / "report.json-2" / "projects.csv").is_file()


def test_out_names_the_old_or_the_new_build_at_every_instant(tmp_path: Path):
    out = tmp_path / "out"
    build([ZEZHOU_2025], out, formats=("nt",), jobs=1, progress=False, store=False)
    seen: list[tuple[str, bool]] = []
    watching = {"on": False, "busy": False}

    def hook(event: str, _args: tuple) -> None:
        # Every file-system event of the swap (renames, removals, ctypes calls): is OUT there right now?
        if watching["on"] and not watching["busy"] and event.startswith(("os.", "shutil.", "ctypes.call")):
            watching["busy"] = True
            try:
                seen.append((event, os.path.isdir(out) and os.path.isfile(os.path.join(out, "report.json"))))
            finally:
                watching["busy"] = False

    sys.addaudithook(hook)  # cannot be removed: it is switched off below
    watching["on"] = True
    try:
        build([ZEZHOU_2026], out, formats=("nt",), jobs=1, progress=False, store=False)
    finally:
        watching["on"] = False
    assert any(event in ("os.rename", "ctypes.call_function") for event, _ in seen), "no swap seen"
    assert all(present for _, present in seen), [event for event, present in seen if not present]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [Path(d["file"]).name for d in report["documents"]] == [ZEZHOU_2026.name]


def test_stale_staging_directories_of_killed_runs_are_cleaned_but_only_ours(tmp_path: Path):
    out = tmp_path / "out"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    ours = tmp_path / f".out.tmp-{dead.stdout.strip()}-abcd"
    ours.mkdir()
    (ours / MARKER).write_text(json.dumps({"tool": "budget-kg", "kind": "build", "complete": False,
                                           "pid": int(dead.stdout.strip())}), encoding="utf-8")
    (ours / "graph.nt").write_text("<a> <b> <c> .\n", encoding="utf-8")
    running = tmp_path / f".out.tmp-{os.getppid()}-efgh"  # a live process's: maybe a build in progress
    running.mkdir()
    (running / MARKER).write_text(json.dumps({"tool": "budget-kg", "complete": False, "pid": os.getppid()}),
                                  encoding="utf-8")
    foreign = tmp_path / ".out.tmp-someone-elses"
    foreign.mkdir()
    (foreign / "data.bin").write_bytes(b"x")
    build([ZEZHOU_2025], out, formats=("nt",), jobs=1, progress=False, store=False)
    assert not ours.exists()
    assert running.is_dir() and (foreign / "data.bin").is_file()
    assert clean_stale_staging(out) == []


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _start_build(tmp_path: Path, out: Path) -> subprocess.Popen[bytes]:
    inputs = tmp_path / "in"
    inputs.mkdir(exist_ok=True)
    for index in range(6):  # enough work that the pool is busy when the signal comes
        for source in (ZEZHOU_2025, ZEZHOU_2026, SAMPLES / SAMPLE_FILES["xingxian2025"]):
            text = source.read_text(encoding="utf-8") + f"\n附注 {index}\n"
            (inputs / f"{index}-{source.name}").write_text(text, encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "kg.cli", "build", str(inputs), "--out", str(out), "--jobs", "2",
                             "-q", "--no-store"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_workers(process: subprocess.Popen[bytes]) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _children(process.pid)
        if len(workers) >= 2:
            return workers
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        time.sleep(0.05)
    raise AssertionError("the build started no pool workers")


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_killing_the_main_process_leaves_no_worker_running(tmp_path: Path):
    process = _start_build(tmp_path, tmp_path / "out")
    workers = _wait_for_workers(process)
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, "pool workers outlived the killed build"
    # its staging directory is cleaned by the next run
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]
    build([ZEZHOU_2025], tmp_path / "out", formats=("nt",), jobs=1, progress=False, store=False)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_sigterm_stops_the_build_cleanly_and_keeps_the_previous_output(tmp_path: Path):
    out = tmp_path / "out"
    build([ZEZHOU_2025], out, formats=("nt",), jobs=1, progress=False, store=False)
    before = tree(out)
    process = _start_build(tmp_path, out)
    workers = _wait_for_workers(process)
    process.terminate()
    assert process.wait(timeout=30) == 130
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]
    assert tree(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]


class _SignalledWhenCollected:
    """Sends SIGTERM to this process from ``__del__``, where Python ignores what a handler raises — as it does in
    the after-fork hooks a worker pool runs, where a build's SIGTERM used to be lost."""

    def __del__(self) -> None:
        os.kill(os.getpid(), signal.SIGTERM)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the interrupt __del__ lost
def test_an_interrupt_lost_in_a_callback_still_keeps_the_previous_output(tmp_path: Path):
    out = tmp_path / "out"
    with staged_output(out, "build") as staged:
        (staged / "report.json").write_text("previous", encoding="utf-8")
    previous = interrupts.install()
    try:
        with pytest.raises(KeyboardInterrupt), staged_output(out, "build") as staged:
            (staged / "report.json").write_text("new", encoding="utf-8")
            _SignalledWhenCollected()  # collected at once: the KeyboardInterrupt is printed and ignored
        assert (out / "report.json").read_text(encoding="utf-8") == "previous"
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp-")]
    finally:
        interrupts.restore(previous)
    with staged_output(out, "build") as staged:  # restored: the next command is not interrupted by the old request
        (staged / "report.json").write_text("next", encoding="utf-8")
    assert (out / "report.json").read_text(encoding="utf-8") == "next"


def test_exit_codes_say_whether_every_input_was_read(tmp_path: Path, capsys, monkeypatch):
    demo = demo_folder(tmp_path)
    # one of two inputs is not a disclosure: the other is built, the run exits 1 and says how many failed
    assert main(["build", str(demo), "--out", str(tmp_path / "out"), "-q", "--no-store"]) == 1
    assert "budget-kg build: 1 of 2 input(s) failed" in capsys.readouterr().err
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["counts"]["disclosures"] == 1
    # an empty folder: nothing to do is an error, and no output is written
    empty = tmp_path / "empty"
    empty.mkdir()
    for verb in ("build", "extract"):
        assert main([verb, str(empty), "--out", str(tmp_path / f"{verb}-empty")]) == 2
        assert "no disclosure to read" in capsys.readouterr().err
        assert not (tmp_path / f"{verb}-empty").exists()
    # an unreadable folder (simulated: CI runs as root, who reads everything) is an error naming it
    locked = tmp_path / "locked"
    locked.mkdir()
    shutil.copy(ZEZHOU_2025, locked / "a.txt")
    real_access = os.access
    monkeypatch.setattr("kg.extract.os.access", lambda path, mode: Path(path) != locked and real_access(path, mode))
    assert main(["extract", str(locked), "--out", str(tmp_path / "x")]) == 2
    assert "cannot read this directory" in capsys.readouterr().err
    assert main(["extract", str(locked), str(ZEZHOU_2026), "--out", str(tmp_path / "x")]) == 1
    assert "1 of 2 input(s) failed" in capsys.readouterr().err


def test_trace_finding_nothing_exits_1_and_usage_errors_exit_2(tmp_path: Path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(ZEZHOU_2025), "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    assert main(["trace", "补充耕地指标回购资金", "--store", str(out)]) == 0
    assert main(["trace", "没有这个项目", "--store", str(out)]) == 1
    assert "nothing found" in capsys.readouterr().err
    assert main(["build", str(ZEZHOU_2025), "--out", str(tmp_path / "o2"), "--format", "xml"]) == 2
    assert main(["query", "top-documents"]) == 2  # neither --store nor --endpoint
    with pytest.raises(SystemExit) as usage:
        main(["build", "--no-such-option"])
    assert usage.value.code == 2
