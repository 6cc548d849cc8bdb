"""PDF ingest: the two real Jiangsu PDFs come out in the seed .txt shape; broken PDFs give clear IngestErrors.

Values below were read off the rendered pages of samples/pdf/*.pdf.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import read_source, source_from_text
from kg.ingest.pdf import PdfText, pdf_to_text, read_pdf

ROOT = Path(__file__).resolve().parent.parent
PDF_SAMPLES = ROOT / "samples" / "pdf"
PDF_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdf"
NPC = "jiangsu-npc-office-2019.pdf"
CPPCC = "jiangsu-cppcc-office-2018.pdf"

NPC_TITLES = [
    ("收支预算总表", "公开表一"),
    ("收入预算总表", "公开表二"),
    ("支出预算总表", "公开表三"),
    ("财政拨款收支预算总表", "公开表四"),
    ("财政拨款支出预算表（功能科目）", "公开表五"),
    ("财政拨款基本支出预算表（经济科目）", "公开表六"),
    ("一般公共预算支出预算表（功能科目）", "公开表七"),
    ("一般公共预算基本支出预算表（经济科目）", "公开表八"),
    ("“三公”经费、会议费、培训费支出预算表", "公开表九"),
    ("财政拨款政府性基金支出预算表", "公开表十"),
    ("一般公共预算机关运行经费支出预算表", "公开表十一"),
    ("2019年政府采购预算表", "公开表十二"),
]
AMOUNT = re.compile(r"^\d{1,3}(?:,\d{3})*\.\d{2}$")


@pytest.fixture(scope="module")
def npc() -> PdfText:
    return read_pdf((PDF_SAMPLES / NPC).read_bytes(), NPC)


@pytest.fixture(scope="module")
def cppcc() -> PdfText:
    return read_pdf((PDF_SAMPLES / CPPCC).read_bytes(), CPPCC)


def lines_of(result: PdfText) -> list[str]:
    return result.text.split("\n")


def table_blocks(result: PdfText) -> list[list[list[str]]]:
    """Blocks of consecutive TAB-separated lines, each line split into cells."""
    blocks: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in lines_of(result):
        if "\t" in line:
            current.append(line.split("\t"))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


# --- jiangsu-npc-office-2019.pdf: 12 ruled tables on 13 pages (表十二 runs over two pages) --------------


def test_npc_page_and_table_counts(npc: PdfText) -> None:
    assert npc.page_count == 13
    assert npc.table_count == 13  # one ruled table per page
    assert npc.notices == []


def test_npc_every_title_band_is_on_its_own_lines(npc: PdfText) -> None:
    lines = lines_of(npc)
    for title, number in NPC_TITLES:
        index = lines.index(title)
        # title, table number, department, unit: one line each, like the seed .txt files
        assert lines[index + 1: index + 4] == [number, "部门：江苏省人大常委会办公厅", "单位：万元"]
    assert lines.count("单位：万元") == 12


def test_npc_function_code_rows(npc: PdfText) -> None:
    lines = lines_of(npc)
    # 表五 and 表七 print the same functional classification
    assert lines.count("2010101\t行政运行\t7,448.20") == 2
    assert "2080505\t机关事业单位基本养老保险缴费支出\t607.10" in lines
    assert "2210202\t提租补贴\t2,548.30" in lines
    assert "30309\t奖励金\t0.79" in lines  # 表六/八 economic classification
    assert lines.count("合计\t\t18,330.37") == 2  # merged 合计 cell over code and name gives an empty cell


def test_npc_function_table_amounts_add_up(npc: PdfText) -> None:
    """Amounts come out whole: the 7-digit 项 rows of 表五 add up to its 合计 18,330.37."""
    lines = lines_of(npc)
    start = lines.index("财政拨款支出预算表（功能科目）")
    end = lines.index("财政拨款基本支出预算表（经济科目）")
    items = [line.split("\t") for line in lines[start:end] if re.match(r"^\d{7}\t", line)]
    assert len(items) == 14
    assert sum(Decimal(cells[2].replace(",", "")) for cells in items) == Decimal("18330.37")


def test_npc_summary_table_rows_keep_all_six_columns(npc: PdfText) -> None:
    lines = lines_of(npc)
    assert "收入\t\t支出\t\t\t" in lines  # merged header cells give empty cells
    assert "一、财政拨款\t18,330.37\t一、一般公共服务支出\t13,907.78\t一、基本支出\t9,312.90" in lines
    assert "\t\t十八、住房保障支出\t3,301.20\t\t" in lines
    assert "收入合计\t18,330.37\t支出合计\t\t\t18,330.37" in lines


def test_npc_wrapped_cells_are_joined(npc: PdfText) -> None:
    lines = lines_of(npc)
    # header cells printed over two lines in 表九, a purchase item wrapped in 表十二
    assert "\t小计\t因公出国（境）费\t公务用车购置及运行维护费\t\t\t公务接待费\t\t" in lines
    assert "2,600.71\t767.60\t199.25\t183.60\t\t183.60\t384.75\t1,469.73\t363.38" in lines
    assert "\t\t\t便携式计算机（20万以下）\t分散自行组织\t14.00" in lines
    assert "\t全国人代会江苏代表团工作经费\t会议费\t\t\t113.63" in lines


def test_npc_no_table_row_is_split(npc: PdfText) -> None:
    blocks = table_blocks(npc)
    assert len(blocks) == 13
    for block in blocks:
        widths = {len(cells) for cells in block}
        assert len(widths) == 1, block[0]  # a split row would show up as a short line
    for block in blocks:
        for cells in block:
            for cell in cells:
                assert "\n" not in cell
                if re.fullmatch(r"[\d,.]+", cell) and "." in cell:
                    assert AMOUNT.match(cell), cell  # no "1," / ",259.64" halves
                if re.match(r"^\d{3,7}$", cell):
                    assert cells[cells.index(cell) + 1], cells  # a code always has its name beside it


def test_npc_purchase_table_continues_on_next_page(npc: PdfText) -> None:
    text = npc.text
    assert "\t综合管理费\t物业管理费\t\t\t410.40\n\t\t\t物业管理服务\t分散自行组织\t410.40\n" in text
    # the page break between the two halves of 表十二 is a blank line
    assert "\t全国人代会江苏代表团工作经费\t会议费\t\t\t113.63\n\n\t\t\t会议服务" in text


# --- jiangsu-cppcc-office-2018.pdf: 17 pages of narrative, no tables ---------------------------------------


def test_cppcc_pages_and_blocks(cppcc: PdfText) -> None:
    assert cppcc.page_count == 17
    assert cppcc.table_count == 0
    assert len(cppcc.text.strip("\n").split("\n\n")) == 17  # one block per page, a blank line between


def test_cppcc_table_of_contents_entries_stay_separate(cppcc: PdfText) -> None:
    lines = lines_of(cppcc)
    index = lines.index("九、一般公共预算“三公”经费、会议费、培训费支出预算表")
    assert lines[index + 1] == "十、政府性基金财政拨款支出预算表"
    assert "第二部分 2018年度部门预算表" in lines  # Word's CJK/Latin autospace is no space


def test_cppcc_paragraphs_are_reflowed(cppcc: PdfText) -> None:
    lines = lines_of(cppcc)
    assert ("江苏省政协办公厅2018年度收入、支出预算总计10,150.48万元，与上年相比收、支预算总计各增加"
            "1,003.69万元，增长10.97%。主要原因是政策性增资、住房公积金和提租补贴调整、预留机动经费增加等。"
            ) in lines
    assert "（二）公用经费1,115.85万元。" in "\n".join(lines)
    assert "3.住房保障（类）支出1,499.26万元，主要用于发放单位" in lines  # paragraphs do not cross pages


def test_cppcc_document_number_brackets_restored(cppcc: PdfText) -> None:
    # the font maps 〔〕 to „‟; what is printed is 〔2018〕
    assert "（苏财预〔2018〕13号）填列。" in cppcc.text
    assert "„" not in cppcc.text


def test_cppcc_normalised_drops_page_numbers(cppcc: PdfText) -> None:
    source = source_from_text(cppcc.text, CPPCC)
    assert not any(line.text.strip() == "- 7 -" for line in source.lines)
    assert any(n.code == "dropped-page-number" and n.message.startswith("dropped 17 ") for n in source.notices)
    # full-width parentheses unified by the normaliser; the 文号 stays intact on one line
    assert any(line.text.startswith("本表(公开01表)反映部门年度总体收支预算情况。")
               and "(苏财预〔2018〕13号)" in line.text for line in source.lines)


# --- small fixtures (tests/fixtures/pdf, built by make_fixtures.py) ------------------------------------------


def fixture_bytes(name: str) -> bytes:
    return (PDF_FIXTURES / name).read_bytes()


def test_ruled_fixture_merged_header_wrapped_cell_and_fields() -> None:
    lines = pdf_to_text(fixture_bytes("ruled-table.pdf"), "ruled-table.pdf").split("\n")
    assert lines[:3] == ["Expenditure Budget Table 2019", "Department: Example Office", "Unit: 10k yuan"]
    assert "Code and name\t\tAmount" in lines
    assert "2010101\tAdministration\t1,259.64" in lines
    assert "2010102\tGeneral administrative affairs\t2,464.02" in lines
    assert "Total\t\t3,723.66" in lines
    # no rules: columns kept by alignment
    assert "Chapter one overview\t3" in lines


def test_read_source_reads_a_pdf_path() -> None:
    source = read_source(PDF_FIXTURES / "ruled-table.pdf")
    assert source.encoding == "pdf"
    assert any(line.text == "2010102\tGeneral administrative affairs\t2,464.02" for line in source.lines)


def test_scanned_pdf_says_no_text_and_suggests_ocr() -> None:
    with pytest.raises(IngestError) as caught:
        pdf_to_text(fixture_bytes("scanned.pdf"), "scanned.pdf")
    assert caught.value.code == "pdf-no-text"
    assert "OCR" in caught.value.message and "scan" in caught.value.message


def test_password_protected_pdf() -> None:
    with pytest.raises(IngestError) as caught:
        pdf_to_text(fixture_bytes("encrypted.pdf"), "encrypted.pdf")
    assert caught.value.code == "pdf-encrypted"
    assert caught.value.file == "encrypted.pdf"


def test_owner_only_encryption_is_read() -> None:
    # an empty user password only restricts printing/copying: anyone may read it
    assert pdf_to_text(fixture_bytes("owner-only.pdf"), "owner-only.pdf") == "Budget 2019 total 1,259.64\n"


@pytest.mark.parametrize("cut", ["half", "tail", "xref-lost"])
def test_truncated_pdf_is_corrupt_not_empty(cut: str) -> None:
    data = (PDF_SAMPLES / NPC).read_bytes()
    broken = {
        "half": data[: len(data) // 2],  # pdfminer alone would open this as a 0-page PDF
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
    path.write_bytes((PDF_SAMPLES / NPC).read_bytes()[:5000])
    with pytest.raises(IngestError) as caught:
        read_source(path)
    assert caught.value.code == "pdf-corrupt"
    assert "broken.pdf" in str(caught.value)


def test_one_unreadable_page_keeps_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.ingest.pdf as pdf_module

    real_page_lines = pdf_module._page_lines

    def page_three_breaks(page):  # type: ignore[no-untyped-def]
        if page.page_number == 3:
            raise ValueError("bad content stream")
        return real_page_lines(page)

    monkeypatch.setattr(pdf_module, "_page_lines", page_three_breaks)
    data = (PDF_SAMPLES / NPC).read_bytes()
    result = read_pdf(data, NPC)
    assert result.unreadable_pages == [3]
    [notice] = result.notices
    assert notice.code == "pdf-page-unreadable" and notice.severity == "error"
    assert "page 3" in notice.message and "bad content stream" in notice.message
    lines = lines_of(result)
    assert "支出预算总表" not in lines  # page 3 is missing…
    assert "收入预算总表" in lines and "2019年政府采购预算表" in lines  # …the pages around it are not
    # the notice points at the (empty) place of page 3: after page 2's last row and its blank line
    assert lines[notice.line - 1] == "" and lines[notice.line - 2] == ""
    assert lines[notice.line - 3] == "\t其中：动用上年结转和结余资金\t"
    assert lines[notice.line + 1] == "财政拨款收支预算总表"
    # the strict str contract cannot carry the notice, so it refuses instead of dropping the page silently
    with pytest.raises(IngestError) as caught:
        pdf_to_text(data, NPC)
    assert caught.value.code == "pdf-corrupt" and caught.value.line == 3



def test_image_only_page_is_a_warning_not_a_silent_gap() -> None:
    result = read_pdf(fixture_bytes("mixed-scan.pdf"), "mixed-scan.pdf")
    assert result.page_count == 2
    assert result.text == "Budget 2019 total 1,259.64\n\n\n"
    [notice] = result.notices
    assert (notice.code, notice.severity, notice.line) == ("pdf-page-no-text", "warning", 3)
    assert "page 2" in notice.message and "OCR" in notice.message
