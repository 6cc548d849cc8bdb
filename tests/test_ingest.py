from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import IngestError
from kg.ingest import read_source, source_from_text
from kg.ingest.normalise import furniture_kind, normalise_text


def test_watermark_lines_dropped_and_counted(sources):
    xing = sources["xingxian2025"]
    assert not any("仅供内部审核" in line.text for line in xing.lines)
    notice = next(n for n in xing.notices if n.code == "dropped-watermark")
    assert "40 watermark" in notice.message and notice.line == 3


def test_line_numbers_are_those_of_the_original_file(sources):
    zez = sources["zezhou2025"]
    by_number = {line.number: line.text for line in zez.lines}
    # line 80 of the file is the first 部门名称 line of 收支总表
    assert by_number[80] == "部门名称:泽州县自然资源局"
    assert by_number[125].startswith("单位:万元")


def test_page_numbers_and_rules_are_furniture():
    assert furniture_kind("- 3 -") == "page-number"
    assert furniture_kind("-38-") == "page-number"
    assert furniture_kind("-----------\t-------------------") == "rule-line"
    assert furniture_kind("-3-兴县自然资源局") is None
    assert furniture_kind("2080505\t机关事业单位基本养老保险缴费支出\t366.21") is None


def test_html_fragments_and_fullwidth_forms():
    assert normalise_text("<p>按照保证生态安全</p>") == "按照保证生态安全"
    assert normalise_text('<td colspan="2">合计</td>') == "合计"
    assert normalise_text("项目资金（元）\t实施期资金总额：\t１２３") == "项目资金(元)\t实施期资金总额:\t123"
    # citation punctuation is text, not data: left as printed
    assert normalise_text("《通知》（晋自然资函〔2021〕85号）") == "《通知》(晋自然资函〔2021〕85号)"


def test_gb18030_file_is_detected(tmp_path: Path):
    text = "2025年预算支出总表\n部门名称：泽州县自然资源局\n208\t社会保障和就业支出\t667.92\n"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gb18030"))
    doc = read_source(path)
    assert doc.encoding == "gb18030"
    assert doc.lines[2].cells == ["208", "社会保障和就业支出", "667.92"]


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "empty-file"), (b"   \n\n", "empty-file"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary-file")],
)
def test_bad_files_raise_a_readable_error(tmp_path: Path, content: bytes, code: str):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(IngestError) as info:
        read_source(path)
    assert info.value.code == code
    assert "bad.txt" in str(info.value)


def test_form_feed_does_not_shift_line_numbers():
    doc = source_from_text("a\fb\nc\n", name="x.txt")
    assert [(line.number, line.raw) for line in doc.lines] == [(1, "a\fb"), (2, "c")]
    # in a space-aligned export a form feed (page break) separates what stands before and after it
    assert doc.lines[0].cells == ["a", "b"]


def test_a_name_the_template_prints_alone_is_cut_from_the_name_before_it():
    from kg.ingest.layout import split_cells

    def texts(line: str) -> list[str]:
        return [c.text for c in split_cells(line)]

    # a 经济分类 款 (kg/data/economic_classification.toml) and a 采购组织形式 (kg/data/table_columns.toml) run into
    # the cell before them by one space
    assert texts("   机要及电子政务业务费 办公设备购置        30.00") == [
        "机要及电子政务业务费", "办公设备购置", "30.00"]
    assert texts("   便携式计算机（20万以下） 分散自行组织     3.50") == [
        "便携式计算机（20万以下）", "分散自行组织", "3.50"]
    cut = split_cells("   机要及电子政务业务费 办公设备购置        30.00")[1]
    assert cut.x0 == 3 + len("机要及电子政务业务费 ")  # where the export wrote it
    # no name on the left (a code, a bracket left open), a longer name, or a sentence: one cell
    assert texts("   30201 办公费      12.00") == ["30201 办公费", "12.00"]
    assert texts("   打印设备(20 万以下 办公设备购置    1.00") == ["打印设备(20 万以下 办公设备购置", "1.00"]
    assert texts("   办公设备购置费      59.00") == ["办公设备购置费", "59.00"]
    assert texts("本年用于 办公设备购置") == ["本年用于 办公设备购置"]


def _zip(names: list[str]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize("data, kind", [
    (_zip(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]), "an Excel workbook (.xlsx)"),
    (_zip(["[Content_Types].xml", "word/document.xml"]), "a Word document (.docx)"),
    (_zip(["OFD.xml", "Doc_0/Document.xml"]), "an OFD document (.ofd)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "the old binary format (.doc, .xls, .wps)"),
    (_zip(["budget-2025.pdf"]), "a ZIP archive (unpack it"),
])
def test_an_office_or_ofd_file_is_named_with_what_to_do(tmp_path, data, kind):
    # a disclosure is often published as a Word or Excel attachment: the error says which and how to go on
    path = tmp_path / "budget.bin"
    path.write_bytes(data)
    with pytest.raises(IngestError) as caught:
        read_source(path)
    assert caught.value.code == "binary-file"
    assert kind in str(caught.value) and "save it as PDF" in str(caught.value)
