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


def test_a_long_list_of_joint_issuers_keeps_its_lead_organ() -> None:
    cell = "财政部 国家发展改革委 教育部 民政部 人力资源社会保障部 农业农村部 国家卫生健康委公告2019年第1号"
    [citation] = extract_citations(cell, HENAN_JINSHUI)
    assert (citation.doc_number, citation.issuer, citation.printed_number) == ("财政部公告2019年第1号", "财政部", cell)


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
    assert [notice.code for notice in notices] == ["citation-number-without-organ"]


def test_a_title_ending_in_announcement_keeps_its_words() -> None:
    # …的公告(2023年第1号): 公告 ends the title; only the brackets' content is the number
    [citation] = extract_citations("财政部关于调整增值税税率的公告(2023年第1号)", HENAN_JINSHUI)
    assert (citation.title, citation.printed_number) == ("财政部关于调整增值税税率的公告", "2023年第1号")
    assert (citation.issuer, citation.completed_number) == ("财政部", "财政部公告2023年第1号")


def test_normalise_doc_number_reads_an_announcement() -> None:
    assert normalise_doc_number("国家税务总局公告2018年第31号") == "国家税务总局公告2018年第31号"
    assert normalise_doc_number("财政部 税务总局公告（2019年 第39号）") == "财政部公告2019年第39号"


# --- 令 numbers: the organ + 令 + 第N号 (GB/T 9704-2012 §10.1), its issuer and level ----------------------------

@pytest.mark.parametrize(("cell", "region", "number", "printed", "issuer", "level"), [
    ("中华人民共和国国务院令第588号", HENAN_JINSHUI, "国务院令第588号", "中华人民共和国国务院令第588号", "国务院",
     "central"),
    ("国务院令第708号", HENAN_JINSHUI, "国务院令第708号", "国务院令第708号", "国务院", "central"),
    ("财政部令第87号", HENAN_JINSHUI, "财政部令第87号", "财政部令第87号", "财政部", "central"),
    ("中华人民共和国财政部令第87号", HENAN_JINSHUI, "财政部令第87号", "中华人民共和国财政部令第87号", "财政部",
     "central"),
    # a relative organ is completed from the disclosure's province: another province's 省政府令第12号 is another
    ("省政府令第12号", SHANXI_ZEZHOU, "山西省人民政府令第12号", "省政府令第12号", "山西省人民政府", "province"),
    ("省政府令第12号", HENAN_JINSHUI, "河南省人民政府令第12号", "省政府令第12号", "河南省人民政府", "province"),
    ("山西省人民政府令第270号", HENAN_JINSHUI, "山西省人民政府令第270号", "山西省人民政府令第270号", "山西省人民政府",
     "province"),
    ("郑州市人民政府令第251号", HENAN_JINSHUI, "郑州市人民政府令第251号", "郑州市人民政府令第251号", "郑州市人民政府",
     "city"),
    # the serial in brackets, without 第, within the year (a ministry's own series)
    ("国务院令（第708号）", HENAN_JINSHUI, "国务院令第708号", "国务院令（第708号）", "国务院", "central"),
    ("国务院令708号", HENAN_JINSHUI, "国务院令第708号", "国务院令708号", "国务院", "central"),
    ("交通运输部令2016年第62号", HENAN_JINSHUI, "交通运输部令2016年第62号", "交通运输部令2016年第62号", "交通运输部",
     "central"),
])
def test_order_numbers_are_read_with_issuer_and_level(cell: str, region: RegionContext, number: str, printed: str,
                                                      issuer: str, level: str) -> None:
    [citation] = extract_citations(cell, region)
    assert (citation.doc_number, citation.printed_number, citation.number_form) == (number, printed, "order")
    assert (citation.issuer, citation.issuer_level) == (issuer, level)
    # a 令 cited by its number alone is the order that promulgated a rule
    assert (citation.kind, citation.kind_en, citation.title, citation.status) == ("命令", "order", None, "number")


def test_a_relative_order_without_region_keeps_its_level() -> None:
    [citation] = extract_citations("省政府令第12号")
    assert (citation.doc_number, citation.issuer, citation.issuer_level) == ("省政府令第12号", "省政府", "province")


def test_an_order_cited_with_its_rule_takes_the_rules_title_and_kind() -> None:
    cell = ("依据《政府投资条例》（国务院令第712号）、《必须招标的工程项目规定》（国家发展改革委第16号令）和"
            "《广西壮族自治区糖料蔗管理办法》（自治区人民政府令第128号）。")
    first, second, third = extract_citations(cell, RegionContext("广西壮族自治区", "南宁市", "青秀区"))
    assert (first.doc_number, first.title, first.kind, first.issuer) == ("国务院令第712号", "政府投资条例", "法规",
                                                                         "国务院")
    assert (second.doc_number, second.printed_number, second.kind) == ("国家发展改革委令第16号",
                                                                       "国家发展改革委第16号令", "规定")
    assert (third.doc_number, third.printed_number, third.issuer, third.issuer_level) == (
        "广西壮族自治区人民政府令第128号", "自治区人民政府令第128号", "广西壮族自治区人民政府", "province")
    assert {first.status, second.status, third.status} == {"both"}


def test_a_bare_order_number_is_completed_from_the_printed_issuer() -> None:
    [citation] = extract_citations("根据国家发展改革委《中央预算内直接投资项目管理办法》（第7号令）", HENAN_JINSHUI)
    assert (citation.doc_number, citation.completed_number, citation.printed_number) == (
        None, "国家发展改革委令第7号", "第7号令")
    assert (citation.issuer, citation.issuer_level, citation.kind) == ("国家发展改革委", "central", "规定")
    assert "number-completed" in citation.doubts
    # 令第7号 in brackets reads the same
    [after] = extract_citations("根据国家发展改革委《中央预算内直接投资项目管理办法》（令第7号）", HENAN_JINSHUI)
    assert (after.completed_number, after.printed_number) == ("国家发展改革委令第7号", "令第7号")
    # with no issuer printed, the number is kept as printed and says so
    citations, notices = extract_citations_with_notices("《中央预算内直接投资项目管理办法》（第7号令）", HENAN_JINSHUI)
    assert (citations[0].completed_number, citations[0].number_normalised) == (None, "令第7号")
    assert [notice.code for notice in notices] == ["citation-number-without-organ"]


def test_normalise_doc_number_reads_an_order() -> None:
    assert normalise_doc_number("中华人民共和国国务院令 第 588 号") == "国务院令第588号"
    assert normalise_doc_number("交通运输部令2016年第62号") == "交通运输部令2016年第62号"
    assert normalise_doc_number("国家发展改革委第7号令") == "国家发展改革委令第7号"


# --- every way a 发文字号 is printed ---------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "晋政发〔2019〕12号", "晋政发[2019]12号", "晋政发［2019］12号", "晋政发【2019】12号", "晋政发(2019)12号",
    "晋政发（2019）12号", "晋政发〈2019〉12号", "晋政发﹝2019﹞12号", "晋政发〖2019〗12号", "晋政发〔2019年〕12号",
    "晋政发〔２０１９〕１２号",
    # no brackets, after a 代字 the data knows
    "晋政发2019 12号", "晋政发2019年12号", "晋政发2019年第12号",
    # the year in Chinese numerals
    "晋政发〔二〇一九〕12号", "晋政发〔二○一九〕12号", "晋政发（二零一九）12号",
    # letter-spaced by a PDF's text layer, 第 before the serial
    "晋 政 发〔2019〕 12 号", "晋政发 〔 2019 〕 12 号", "晋政发〔2019〕第12号", "晋政发〔2019〕第 12 号",
    # broken over lines in a cell
    "晋政\n发〔2019〕12号", "晋政发\n〔2019〕12号", "晋政发〔20\n19〕12号", "晋政发〔2019〕\n12号",
    "晋政发〔2019〕12\n号",
])
def test_every_printed_form_gives_the_gbt_9704_number(cell: str) -> None:
    [citation] = extract_citations(cell, SHANXI_ZEZHOU)
    assert (citation.doc_number, citation.number_form) == ("晋政发〔2019〕12号", "document")
    assert (citation.issuer, citation.issuer_level, citation.status) == ("山西省人民政府", "province", "number")
    assert citation.printed_number == cell.replace("\n", "")  # as printed, a wrapped line joined
    assert (citation.number_year, citation.number_serial) == (2019, 12)


@pytest.mark.parametrize(("cell", "number", "issuer"), [
    ("晋财字〔2019〕12号", "晋财字〔2019〕12号", "山西省财政厅"),  # 字 after a suffix the data knows (财)
    ("豫财综字〔2022〕8号", "豫财综字〔2022〕8号", "河南省财政厅"),
    ("湘政字〔2020〕3号", "湘政字〔2020〕3号", "湖南省人民政府"),
])
def test_zi_numbers_name_the_suffixs_organ(cell: str, number: str, issuer: str) -> None:
    [citation] = extract_citations(cell, HENAN_JINSHUI)
    assert (citation.doc_number, citation.issuer, citation.issuer_level) == (number, issuer, "province")


@pytest.mark.parametrize(("cell", "printed"), [
    ("晋政发〔2019〕12号、13号", ["晋政发〔2019〕12号", "13号"]),
    ("晋政发〔2019〕12号，第13号", ["晋政发〔2019〕12号", "第13号"]),
    ("晋政发〔2019〕12号和13号", ["晋政发〔2019〕12号", "13号"]),
    ("晋政发〔2019〕12号；13号", ["晋政发〔2019〕12号", "13号"]),
    ("晋政发〔2019〕12号、\n13号", ["晋政发〔2019〕12号", "13号"]),
    ("晋政发〔2019〕12、13号", ["晋政发〔2019〕12", "13号"]),  # one 号 for both
])
def test_numbers_sharing_a_prefix_are_each_read_whole(cell: str, printed: list[str]) -> None:
    citations = extract_citations(cell, SHANXI_ZEZHOU)
    assert [c.doc_number for c in citations] == ["晋政发〔2019〕12号", "晋政发〔2019〕13号"]
    assert [c.printed_number for c in citations] == printed
    assert [c.text for c in citations] == [cell[c.start : c.end] for c in citations]
    assert {(c.issuer, c.issuer_level) for c in citations} == {("山西省人民政府", "province")}


def test_a_list_after_a_title_and_a_list_of_three() -> None:
    first, second = extract_citations("《关于加快推进农业产业化的通知》（晋政发〔2019〕12号、13号）", SHANXI_ZEZHOU)
    assert (first.doc_number, first.title, first.kind, first.status) == (
        "晋政发〔2019〕12号", "关于加快推进农业产业化的通知", "通知", "both")
    assert (second.doc_number, second.title, second.status) == ("晋政发〔2019〕13号", None, "number")
    cell = "晋政发〔2019〕12号、晋财预〔2020〕3号、4号；豫财农〔2024〕5、6、7号"
    assert [c.doc_number for c in extract_citations(cell, SHANXI_ZEZHOU)] == [
        "晋政发〔2019〕12号", "晋财预〔2020〕3号", "晋财预〔2020〕4号", "豫财农〔2024〕5号", "豫财农〔2024〕6号",
        "豫财农〔2024〕7号"]


@pytest.mark.parametrize(("cell", "numbers"), [
    ("某某项目2019 12号", []),  # no 代字 the data knows before a bare year: not a number
    ("截至2019年12月底完成", []),
    # a building's number after a list separator is no serial
    ("位于晋政发〔2019〕12号、2号楼", ["晋政发〔2019〕12号"]),
    ("沁水县2023年1号井改造", []),  # a place's name before a bare year is no 代字
    ("晋政发2019年1号楼", []),
])
def test_no_number_is_made_of_dates_or_unknown_runs(cell: str, numbers: list[str]) -> None:
    assert [c.doc_number for c in extract_citations(cell, SHANXI_ZEZHOU)] == numbers
