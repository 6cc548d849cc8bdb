"""Odd files on the command line cost one clear line each, never a hang or a traceback; a damaged UTF-8 file
is read lossily with its bad lines named."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.cli import main
from kg.extract import extract_file
from kg.ingest.text import decode_with_notices
from tests.conftest import SAMPLES

QINSHUI = SAMPLES / "qinshui-natural-resources-bureau-unit-2024.txt"
GOOD = "zezhou-natural-resources-bureau-2025.txt"


def run_cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True, text=True, timeout=timeout,
                          check=False, cwd=Path(__file__).parents[1])


def test_fifo_link_loop_and_device_are_named_not_hung(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / GOOD).write_bytes((SAMPLES / GOOD).read_bytes())
    os.mkfifo(inbox / "pipe.txt")  # reading it would wait for a writer forever
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    (inbox / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    done = run_cli("extract", str(inbox), str(tmp_path / "a.txt"), "/dev/zero", "--out", str(tmp_path / "x"),
                   timeout=120)
    assert "Traceback" not in done.stderr
    lines = sorted(done.stderr.strip().splitlines())
    assert lines == sorted([
        f"{inbox / 'pipe.txt'}: error: is a FIFO (named pipe), not a disclosure file; give a .txt or .pdf file "
        "[not-a-file]",
        f"{tmp_path / 'a.txt'}: error: symbolic link loop; give the file itself [symlink-loop]",
        "/dev/zero: error: is a device, not a disclosure file; give a .txt or .pdf file [not-a-file]",
        f"{inbox / 'gone.txt'}: error: no such file [missing-file]",
        "budget-kg extract: 4 of 5 input(s) failed (see the errors above and report.json)",
    ])
    assert done.returncode == 1
    assert f"{GOOD}: 13 tables, 7 projects" in done.stdout  # the good file is still read


def test_truncated_utf8_is_read_lossily_with_the_bad_lines_named(tmp_path):
    data = QINSHUI.read_bytes()
    cut = data.index("项目".encode()) + 1  # one byte of a three-byte character removed: line 24
    damaged = tmp_path / "damaged.txt"
    damaged.write_bytes(data[:cut] + data[cut + 1:] + "项目".encode()[:2])  # and a truncated last character
    whole = extract_file(QINSHUI)
    lossy = extract_file(damaged)
    assert len(lossy.projects) == len(whole.projects) == 53
    assert {p.name: p.total for p in lossy.projects} == {p.name: p.total for p in whole.projects}
    named = [(n.code, n.line) for n in lossy.notices if n.code in ("lossy-decode", "undecodable-bytes")]
    last_line = data.count(b"\n") + 1
    assert named == [("lossy-decode", 24), ("undecodable-bytes", 24), ("undecodable-bytes", last_line)]


def test_gbk_is_still_gbk_not_lossy_utf8():
    text = (SAMPLES / GOOD).read_text(encoding="utf-8")
    decoded, encoding, notices = decode_with_notices(text.encode("gb18030"), "gbk.txt")
    assert encoding == "gb18030" and decoded == text and notices == []


def test_unwritable_out_is_one_line(tmp_path, capsys):
    (tmp_path / "afile").write_text("not a directory", encoding="utf-8")
    status = main(["extract", str(SAMPLES / GOOD), "--out", str(tmp_path / "afile" / "x")])
    err = capsys.readouterr().err
    assert status == 1 and err.startswith("budget-kg: ") and len(err.strip().splitlines()) == 1
    assert "afile" in err


def test_disk_full_is_one_line(tmp_path, capsys, monkeypatch):
    import kg.report

    def full(path, text, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(kg.report, "atomic_write_text", full)
    status = main(["extract", str(SAMPLES / GOOD), "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err.strip()
    assert status == 1 and err.endswith(": no space left on the device") and "\n" not in err


def test_oversized_file_refused_before_reading(tmp_path, monkeypatch):
    import kg.ingest

    monkeypatch.setattr(kg.ingest, "MAX_INPUT_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_bytes((SAMPLES / GOOD).read_bytes())
    with pytest.raises(kg.ingest.IngestError) as error:
        kg.ingest.read_source(big)
    assert error.value.code == "too-large" and "disclosures over 1,000 bytes are refused" in error.value.message


def test_unknown_header_cell_keeps_the_tables(tmp_path):
    """科目名称 misprinted as 科目名《称 in one table raised KeyError and dropped all 13 tables of the document."""
    text = (SAMPLES / GOOD).read_text(encoding="utf-8")
    misprinted = tmp_path / "misprint.txt"
    misprinted.write_text(text.replace("科目名称", "科目名《称", 1), encoding="utf-8")
    disclosure = extract_file(misprinted)
    assert len(disclosure.tables) == 13 and len(disclosure.projects) == 7
    assert not [n for n in disclosure.notices if n.code == "stage-failed"]
    (notice,) = [n for n in disclosure.notices if n.code == "no-name-column"]
    assert notice.line == 121 and "2025年预算收入总表" in notice.message
