"""Numbers of other provinces and other 文种 (round 12): 公告 numbers, 令 numbers, every way a 发文字号 is printed.

The cells are written in the style of 立项依据 cells and prose of provinces the samples do not cover; the expected
values are read from the cells (the number as the issuing organ writes it, the organ, its level, the 文种).
"""

from __future__ import annotations

import pytest

from kg.citations import RegionContext, extract_citations, extract_citations_with_notices, normalise_doc_number

SHANXI_ZEZHOU = RegionContext("山西省", "晋城市", "泽州县")
HENAN_JINSHUI = RegionContext("河南省", "郑州市", "金水区")


# --- 公告 numbers: the organs, 公告, the year and the serial within it (no 〔〕) -----------------------------------

@pytest.mark.parametrize(("cell", "number", "printed", "issuer", "title"), [
    ("根据《国家税务总局关于个人所得税自行纳税申报有关问题的公告》（国家税务总局公告2018年第62号）",
     "国家税务总局公告2018年第62号", "国家税务总局公告2018年第62号", "国家税务总局",
     "国家税务总局关于个人所得税自行纳税申报有关问题的公告"),
    ("财政部公告2019年第39号", "财政部公告2019年第39号", "财政部公告2019年第39号", "财政部", None),
    # joint issuers: the 公告 is numbered in its lead organ's series
    ("《关于深化增值税改革有关政策的公告》（财政部 税务总局 海关总署公告2019年第39号）",
     "财政部公告2019年第39号", "财政部 税务总局 海关总署公告2019年第39号", "财政部",
     "关于深化增值税改革有关政策的公告"),
    # the year and serial in brackets after 公告
    ("依据财政部公告（2020年第8号）", "财政部公告2020年第8号", "财政部公告（2020年第8号）", "财政部", None),
])
def test_announcement_numbers_are_read(cell: str, number: str, printed: str, issuer: str, title: str | None) -> None:
    [citation] = extract_citations(cell, HENAN_JINSHUI)
    assert (citation.doc_number, citation.printed_number, citation.number_form) == (number, printed, "announcement")
    assert (citation.issuer, citation.issuer_level, citation.kind, citation.title) == (issuer, "central", "公告", title)
    assert citation.status == ("both" if title else "number")


def test_a_provincial_tax_bureau_announcement_is_provincial() -> None:
    first, second = extract_citations("国家税务总局山西省税务局公告2019年第1号、省税务局公告2020年第2号", SHANXI_ZEZHOU)
    assert (first.doc_number, first.issuer, first.issuer_level) == (
        "国家税务总局山西省税务局公告2019年第1号", "国家税务总局山西省税务局", "province")
    # 省税务局 is completed from the disclosure's province, in the issuer and in the number
    assert (second.doc_number, second.issuer, second.issuer_level) == (
        "山西省税务局公告2020年第2号", "山西省税务局", "province")


@pytest.mark.parametrize("cell", [
    "《财政部 税务总局关于增值税小规模纳税人减免增值税等政策的公告》（2023年第1号公告）",
    "《财政部 税务总局关于增值税小规模纳税人减免增值税等政策的公告》（2023年第1号）",
])
def test_an_announcement_number_without_its_organ_is_completed_from_the_title(cell: str) -> None:
    [citation] = extract_citations(cell, HENAN_JINSHUI)
    assert citation.doc_number is None  # not printed whole
    assert (citation.completed_number, citation.key_number) == ("财政部公告2023年第1号", "财政部公告2023年第1号")
    assert (citation.number_year, citation.number_serial, citation.number_form) == (2023, 1, "announcement")
    assert citation.printed_number in ("2023年第1号公告", "2023年第1号")
    assert (citation.issuer, citation.issuer_level, citation.kind) == ("财政部", "central", "公告")
    assert citation.title == "财政部税务总局关于增值税小规模纳税人减免增值税等政策的公告"
    assert "number-completed" in citation.doubts


def test_an_announcement_number_alone_without_organ_is_kept_with_a_warning() -> None:
    citations, notices = extract_citations_with_notices("根据2023年第1号公告执行", HENAN_JINSHUI, file="x.txt", line=3)
    [citation] = citations
    assert (citation.doc_number, citation.printed_number, citation.number_normalised) == (
        None, "2023年第1号公告", "公告2023年第1号")
    assert (citation.kind, citation.status, citation.issuer_level) == ("公告", "unresolved", None)
    assert [notice.code for notice in notices] == ["citation-announcement-without-organ"]


def test_a_title_ending_in_announcement_keeps_its_words() -> None:
    # …的公告(2023年第1号): 公告 ends the title; only the brackets' content is the number
    [citation] = extract_citations("财政部关于调整增值税税率的公告(2023年第1号)", HENAN_JINSHUI)
    assert (citation.title, citation.printed_number) == ("财政部关于调整增值税税率的公告", "2023年第1号")
    assert (citation.issuer, citation.completed_number) == ("财政部", "财政部公告2023年第1号")


def test_normalise_doc_number_reads_an_announcement() -> None:
    assert normalise_doc_number("国家税务总局公告2018年第31号") == "国家税务总局公告2018年第31号"
    assert normalise_doc_number("财政部 税务总局公告（2019年 第39号）") == "财政部公告2019年第39号"
