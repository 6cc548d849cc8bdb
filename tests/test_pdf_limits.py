"""PDFs that would cost gigabytes or break the reader are refused with one line, and the others still build."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.bench.hostile_pdf import broken_media_box, glyph_bomb, page_bomb
from kg.build import build
from kg.ingest.pdf import read_pdf
from tests.conftest import DEV_CORPUS, SAMPLES

GOOD = "zezhou-natural-resources-bureau-2025.txt"


def test_hostile_pdfs_each_cost_one_line_and_the_good_file_builds(tmp_path):
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "glyphs.pdf").write_bytes(glyph_bomb(500_000))  # 1.2 KB; 1.1 GB and 27 s in pdfplumber
    (inbox / "pages.pdf").write_bytes(page_bomb(20_000))
    (inbox / "mediabox.pdf").write_bytes(broken_media_box())
    shutil.copy(SAMPLES / GOOD, inbox / GOOD)
    report = build([inbox], tmp_path / "out", jobs=1, formats=(), store=False, progress=False)
    failed = {Path(n.file).name: (n.code, n.message) for n in report.failed}
    assert failed["glyphs.pdf"] == ("pdf-too-large", "page 1 shows 500,098 glyphs; more than 100,000 per "
                                    "page are refused (BUDGET_KG_PDF_MAX_PAGE_GLYPHS)")
    assert failed["pages.pdf"] == ("pdf-too-large", "PDF of 20,000 pages; more than 2,000 are refused "
                                   "(BUDGET_KG_PDF_MAX_PAGES)")
    # a /MediaBox of words is not fatal: its text is read (and then refused as not a disclosure)
    assert failed["mediabox.pdf"][0] == "not-a-disclosure"
    assert [Path(d["file"]).name for d in report.documents] == [GOOD]


def test_a_broken_media_box_keeps_its_text():
    assert read_pdf(broken_media_box(), "mediabox.pdf").text.split() == ["2025", "budget"]


def test_extract_of_the_glyph_bomb_stays_small(tmp_path):
    bomb = tmp_path / "glyphs.pdf"
    bomb.write_bytes(glyph_bomb(500_000))
    done = subprocess.run([sys.executable, "-c", (
        "import sys\nfrom kg.cli import main\n"
        f"status = main(['extract', {str(bomb)!r}, '--out', {str(tmp_path / 'x')!r}])\n"
        # VmHWM: this process's peak (ru_maxrss would include the parent's, kept across exec)
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"
        "sys.exit(status)")],
        capture_output=True, text=True, timeout=120, check=False)
    peak_kb = int(done.stdout.strip().splitlines()[-1])
    assert peak_kb < 400_000, peak_kb  # was 1,141,356 KB
    assert done.stderr.strip().splitlines() == ["glyphs.pdf: error: page 1 shows 500,098 glyphs; more than "
                                                "100,000 per page are refused (BUDGET_KG_PDF_MAX_PAGE_GLYPHS) "
                                                "[pdf-too-large]",
                                                "budget-kg extract: 1 of 1 input(s) failed (see the errors above "
                                                "and report.json)"]
    assert done.returncode == 1


def test_real_pdfs_pass_the_limits():
    pdfs = sorted((DEV_CORPUS / "pdf").glob("*.pdf"))
    if not pdfs:
        pytest.skip("the shared dev corpus is not on this machine")
    for pdf in pdfs:
        assert read_pdf(pdf.read_bytes(), pdf.name).page_count > 0  # raises when over a limit
