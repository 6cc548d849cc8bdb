"""PDF ingest: real PDFs read as positioned text the way ``pdftotext -layout`` lays them out, each cell
with its exact printed extent; broken PDFs give clear IngestErrors; small PDFs built by the tests
(tests/fixtures/pdf/make_fixtures.py) pin the geometry.

The real PDFs are read in place from ../shared/pdf-samples/ and ../shared/dev-corpus/ (skipped when absent).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import read_source, source_from_text
from kg.ingest.pdf import PdfText, pdf_to_text, read_pdf
from tests.fixtures.pdf import make_fixtures

SHARED = Path(__file__).resolve().parents[2] / "shared"
PDF_SAMPLES = SHARED / "pdf-samples"
DEV_PDF = SHARED / "dev-corpus" / "pdf"
NPC = "jiangsu-npc-office-2019.pdf"
CPPCC = "jiangsu-cppcc-office-2018.pdf"

needs_samples = pytest.mark.skipif(not PDF_SAMPLES.is_dir(), reason="../shared/pdf-samples not present")
needs_dev = pytest.mark.skipif(not DEV_PDF.is_dir(), reason="../shared/dev-corpus not present")

NPC_TITLES = [
    "收支预算总表", "收入预算总表", "支出预算总表", "财政拨款收支预算总表", "财政拨款支出预算表（功能科目）",
    "财政拨款基本支出预算表（经济科目）", "一般公共预算支出预算表（功能科目）",
    "一般公共预算基本支出预算表（经济科目）", "“三公”经费、会议费、培训费支出预算表",
    "财政拨款政府性基金支出预算表", "一般公共预算机关运行经费支出预算表", "2019年政府采购预算表",
]


def fixture(name: str) -> bytes:
    return make_fixtures.FIXTURES[name]()


@pytest.fixture(scope="module")
def npc() -> PdfText:
    return read_pdf((PDF_SAMPLES / NPC).read_bytes(), NPC)


def stripped_lines(result: PdfText) -> list[str]:
    return [line.strip() for line in result.text.split("\n")]


# --- jiangsu-npc-office-2019.pdf: twelve tables on thirteen pages ---------------------------------------


@needs_samples
def test_npc_pages_start_where_their_lines_start(npc: PdfText) -> None:
    assert npc.page_count == 13 and len(npc.pages) == 13 and npc.notices == []
    lines = npc.text.split("\n")
    assert npc.pages[0] == 1
    # a blank line closes every page: the line before each page's first line is blank
    assert all(lines[start - 2] == "" for start in npc.pages[1:])
    assert len(npc.cells) == len(lines) - 1  # one list of cells per line (the text ends with a newline)


@needs_samples
def test_npc_every_title_and_label_is_a_line_of_its_own(npc: PdfText) -> None:
    lines = stripped_lines(npc)
    for title in NPC_TITLES:
        assert title in lines, title
    assert lines.count("公开表一") == 1 and lines.count("公开表十二") == 1


@needs_samples
def test_npc_code_rows_are_cells_at_their_columns() -> None:
    source = read_source(PDF_SAMPLES / NPC)
    rows = [line for line in source.lines if line.text.startswith("2010101\t")]
    assert [line.text for line in rows] == ["2010101\t行政运行\t7,448.20"] * 2
    # amounts are right-aligned: the right edges of the 功能科目 table's amounts agree to a fraction of a column
    table = [line for line in source.lines if line.text[:3] in ("201", "208", "221") and line.columns]
    edges = {round(line.columns[-1][1], 1) for line in table[:20]}
    assert max(edges) - min(edges) < 1.0


@needs_samples
def test_cppcc_narrative_keeps_document_number_brackets() -> None:
    result = read_pdf((PDF_SAMPLES / CPPCC).read_bytes(), CPPCC)
    assert result.page_count == 17
    assert "〔2018〕13号" in result.text  # Word's font maps 〔〕 to „‟: restored (the 代字 ends the line above)
    assert "„" not in result.text


@needs_samples
def test_cppcc_page_numbers_are_dropped_as_furniture() -> None:
    source = read_source(PDF_SAMPLES / CPPCC)
    assert not any(line.text.strip() == "- 7 -" for line in source.lines)
    assert any(n.code == "dropped-page-number" for n in source.notices)
    assert source.page_of(source.lines[-1].number) == 17


@needs_dev
def test_text_drawn_off_the_page_is_not_read() -> None:
    """js_npc_office_2017_dept.pdf keeps a second copy of two tables 2,500 points below page 11's edge:
    no reader shows it, and it must not become a second table."""
    result = read_pdf((DEV_PDF / "js_npc_office_2017_dept.pdf").read_bytes(), "npc2017.pdf")
    titles = [line for line in stripped_lines(result) if line == "财政拨款政府性基金支出预算表"]
    assert len(titles) == 1


# --- PDFs the tests build -------------------------------------------------------------------------------


def test_rotated_page_reads_upright_with_duplicates_and_off_page_text_dropped() -> None:
    result = read_pdf(fixture("landscape.pdf"), "landscape.pdf")
    lines = stripped_lines(result)
    assert lines[0] == "Expenditure Budget Table 2019"
    rows = [[c.text for c in cells] for cells in result.cells if cells]
    assert ["2010101", "Administration", "1,259.64"] in rows
    assert ["2010102", "Affairs", "2,464.02"] in rows
    assert "Bold" in lines and "BoldBold" not in result.text  # a glyph drawn twice at one place is one glyph
    assert "Off the page" not in result.text


def test_ruled_fixture_cells_and_wrapped_name() -> None:
    source = source_from_text(pdf_to_text(fixture("ruled-table.pdf"), "ruled.pdf"), "ruled.pdf")
    texts = [line.text for line in source.lines]
    assert texts[:3] == ["Expenditure Budget Table 2019", "Department:\tExample Office\tUnit: 10k yuan",
                         "Code and name\tAmount"]
    assert "2010101\tAdministration\t1,259.64" in texts
    # the wrapped name: its two lines around the row that carries the code and the amount
    row = next(t for t in texts if t.startswith("2010102"))
    assert texts[texts.index(row) - 1] == "General administrative" and texts[texts.index(row) + 1] == "affairs"
    assert "Total\t3,723.66" in texts
    assert "Chapter one overview\t3" in texts  # an unruled list keeps its columns


def test_read_source_reads_a_pdf_path(tmp_path: Path) -> None:
    path = tmp_path / "ruled.pdf"
    path.write_bytes(fixture("ruled-table.pdf"))
    source = read_source(path)
    assert source.encoding == "pdf" and source.pages == [1]
    line = next(line for line in source.lines if line.text.startswith("2010101"))
    assert line.text == "2010101\tAdministration\t1,259.64" and line.columns is not None
    assert source.page_of(line.number) == 1


def test_scanned_pdf_says_no_text_and_suggests_ocr() -> None:
    with pytest.raises(IngestError) as caught:
        pdf_to_text(fixture("scanned.pdf"), "scanned.pdf")
    assert caught.value.code == "pdf-no-text"
    assert "OCR" in caught.value.message and "scan" in caught.value.message


def test_password_protected_pdf() -> None:
    with pytest.raises(IngestError) as caught:
        pdf_to_text(fixture("encrypted.pdf"), "encrypted.pdf")
    assert caught.value.code == "pdf-encrypted"
    assert caught.value.file == "encrypted.pdf"


def test_owner_only_encryption_is_read() -> None:
    # an empty user password only restricts printing/copying: anyone may read it
    assert pdf_to_text(fixture("owner-only.pdf"), "owner-only.pdf").strip() == "Budget 2019 total 1,259.64"


@needs_samples
@pytest.mark.parametrize("cut", ["half", "tail", "xref-lost"])
def test_truncated_pdf_is_corrupt_not_empty(cut: str) -> None:
    data = (PDF_SAMPLES / NPC).read_bytes()
    broken = {
        "half": data[: len(data) // 2],
        "tail": data[:-10],
        "xref-lost": data[:2000] + b"\n%%EOF\n",
    }[cut]
    with pytest.raises(IngestError) as caught:
        pdf_to_text(broken, NPC)
    assert caught.value.code == "pdf-corrupt"


@pytest.mark.parametrize("data", [b"", b"hello, not a pdf", b"\x89PNG\r\n\x1a\n" + bytes(64)])
def test_not_a_pdf(data: bytes) -> None:
    with pytest.raises(IngestError) as caught:
        pdf_to_text(data, "x.pdf")
    assert caught.value.code == "not-a-pdf"


def test_garbage_between_header_and_trailer() -> None:
    with pytest.raises(IngestError) as caught:
        pdf_to_text(b"%PDF-1.4\n" + bytes(range(256)) * 4 + b"\n%%EOF\n", "junk.pdf")
    assert caught.value.code == "pdf-corrupt"


def test_read_source_on_a_corrupt_pdf_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(fixture("ruled-table.pdf")[:400] + b"\n%%EOF\n")
    with pytest.raises(IngestError) as caught:
        read_source(path)
    assert caught.value.code == "pdf-corrupt"
    assert "broken.pdf" in str(caught.value)


@needs_samples
def test_one_unreadable_page_keeps_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.ingest.pdf as pdf_module

    real_page_lines = pdf_module._page_lines
    calls = {"n": 0}

    def page_three_breaks(page, textpage, pdfium):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise ValueError("bad content stream")
        return real_page_lines(page, textpage, pdfium)

    monkeypatch.setattr(pdf_module, "_page_lines", page_three_breaks)
    data = (PDF_SAMPLES / NPC).read_bytes()
    result = read_pdf(data, NPC)
    assert result.unreadable_pages == [3]
    [notice] = result.notices
    assert notice.code == "pdf-page-unreadable" and notice.severity == "error"
    assert "page 3" in notice.message and "bad content stream" in notice.message
    lines = stripped_lines(result)
    assert "支出预算总表" not in lines  # page 3 is missing…
    assert "收入预算总表" in lines and "2019年政府采购预算表" in lines  # …the pages around it are not
    assert notice.line == result.pages[2]  # the notice points at where page 3 would start
    assert lines[notice.line] == "财政拨款收支预算总表"  # page 4's first line follows page 3's blank line
    # the strict str contract cannot carry the notice, so it refuses instead of dropping the page silently
    calls["n"] = 0
    with pytest.raises(IngestError) as caught:
        pdf_to_text(data, NPC)
    assert caught.value.code == "pdf-corrupt" and caught.value.line == 3


def test_image_only_page_is_a_warning_not_a_silent_gap() -> None:
    result = read_pdf(fixture("mixed-scan.pdf"), "mixed-scan.pdf")
    assert result.page_count == 2 and result.pages == [1, 3]
    assert stripped_lines(result)[:3] == ["Budget 2019 total 1,259.64", "", ""]
    [notice] = result.notices
    assert (notice.code, notice.severity, notice.line) == ("pdf-page-no-text", "warning", 3)
    assert "page 2" in notice.message and "OCR" in notice.message


def test_a_column_gap_stays_a_gap_on_a_page_of_small_print():
    # the column unit is the whole document's (its digits' median width): on a page printed smaller than that,
    # two cells set 1 em apart must still be two cells, not one run together with a single space
    from kg.bench.hostile_pdf import pdf_bytes

    large = b"BT /F1 12 Tf " + b" ".join(
        f"1 0 0 1 72 {780 - 14 * i} Tm (2024 {1000 + i}.{i:02d} 3456.78 9012.34) Tj".encode() for i in range(40)) \
        + b" ET"
    small = b"BT /F1 5 Tf 1 0 0 1 100 700 Tm (ABCDEFGHIJ) Tj 1 0 0 1 138 700 Tm (KLMNOP) Tj ET"
    text = read_pdf(pdf_bytes([large, small]), "two-sizes.pdf")
    page_two = [cells for cells in text.cells[text.pages[1] - 1:] if cells]
    assert [[c.text for c in cells] for cells in page_two] == [["ABCDEFGHIJ", "KLMNOP"]]
