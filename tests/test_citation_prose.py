"""立项依据 written as prose (round 12): titles cited without a number and the sentences that cite them ("根据…",
"依据…", "按照…要求"), read from a 项目说明 as the build reads it and from a table cell alike.

The statements are written in the style of the 项目经费情况说明 of provinces the samples do not cover; the expected
titles, issuers and levels are read from the text.
"""

from __future__ import annotations

import pytest

from kg.citations import RegionContext, extract_citations, extract_citations_with_notices
from kg.ingest import source_from_text
from kg.tables.prose import parse_project_statements

JINSHUI = RegionContext("河南省", "郑州市", "金水区")

STATEMENT = """
                 老旧小区改造专项经费情况说明
一、项目概述
  对辖区老旧小区实施综合改造。
二、立项依据
  1.根据《中华人民共和国预算法》和《河南省预算审查监督条例》的规定，结合我区实际设立本项目。
  2.依据《郑州市城市绿化条例》、《郑州市人民政府关于加强城市管理工作的意见》等文件规定。
  3.按照《河南省人民政府办公厅关于印发河南省城镇老旧小区改造实施方案的通知》要求，认真落实《政府投资条例》。
  4.根据省财政厅关于下达2024年中央财政城镇保障性安居工程补助资金的通知（豫财综〔2024〕12号）文件精神。
三、年度预算安排
  2025年度项目总预算500.00万元。
"""

# (title, issuer, level, kind) of each document the statement cites, in order
EXPECTED = [
    ("中华人民共和国预算法", "全国人民代表大会", "central", "法律"),
    ("河南省预算审查监督条例", "河南省人民代表大会常务委员会", "province", "法规"),
    ("郑州市城市绿化条例", "郑州市人民代表大会常务委员会", "city", "法规"),
    ("郑州市人民政府关于加强城市管理工作的意见", "郑州市人民政府", "city", "意见"),
    ("河南省人民政府办公厅关于印发河南省城镇老旧小区改造实施方案的通知", "河南省人民政府办公厅", "province", "通知"),
    ("政府投资条例", "国务院", "central", "法规"),
    ("省财政厅关于下达2024年中央财政城镇保障性安居工程补助资金的通知", "河南省财政厅", "province", "通知"),
]


def _read(basis: str) -> list[tuple[str | None, str | None, str | None, str]]:
    return [(c.title, c.issuer, c.issuer_level, c.kind) for c in extract_citations(basis, JINSHUI)]


def test_a_prose_statements_basis_cites_each_document_once() -> None:
    [statement], _ = parse_project_statements(source_from_text(STATEMENT, name="jinshui.txt"))
    assert statement.project_name == "老旧小区改造专项"
    assert _read(statement.basis) == EXPECTED
    numbered = [c for c in extract_citations(statement.basis, JINSHUI) if c.doc_number]
    assert [(c.doc_number, c.status) for c in numbered] == [("豫财综〔2024〕12号", "both")]


def test_the_same_sentences_in_a_table_cell_read_the_same() -> None:
    # a 绩效目标表's 立项依据 cell prints the section's lines run together
    lines = [line.strip() for line in STATEMENT.splitlines()]
    cell = "".join(lines[lines.index("二、立项依据") + 1 : lines.index("三、年度预算安排")])
    assert _read(cell) == EXPECTED


@pytest.mark.parametrize(("sentence", "title", "issuer", "level"), [
    # a verb of the sentence before a quote nests nothing: the quote is the title (not 认真落实中华人民共和国预算法)
    ("认真落实《中华人民共和国预算法》要求", "中华人民共和国预算法", "全国人民代表大会", "central"),
    ("为深入贯彻落实《中共中央 国务院关于做好2023年全面推进乡村振兴重点工作的意见》精神",
     "中共中央国务院关于做好2023年全面推进乡村振兴重点工作的意见", "中共中央", "central"),
    ("贯彻《山西省预算审查监督条例》精神", "山西省预算审查监督条例", "山西省人民代表大会常务委员会", "province"),
    # …but 关于印发《…》的通知 and 省政府印发《…》的通知 are one title, the quote nested in it
    ("省政府印发《河南省老旧小区改造实施方案》的通知", "省政府印发河南省老旧小区改造实施方案的通知", "河南省人民政府",
     "province"),
    # a law cited at an article, with or without 《》; a short law's name is a title too
    ("根据预算法第十四条规定", "预算法", "全国人民代表大会", "central"),
    ("根据政府采购法实施条例第五条第二款要求", "政府采购法实施条例", "国务院", "central"),
    ("依据《宜昌市黄柏河流域保护条例》", "宜昌市黄柏河流域保护条例", "宜昌市人民代表大会常务委员会", "city"),
    ("按照关于做好2024年度预算编制工作的通知要求", "关于做好2024年度预算编制工作的通知", None, None),
])
def test_sentences_that_cite_a_title_without_a_number(sentence: str, title: str, issuer: str | None,
                                                      level: str | None) -> None:
    [citation] = extract_citations(sentence, JINSHUI)
    assert (citation.title, citation.issuer, citation.issuer_level, citation.doc_number) == (title, issuer, level, None)
    assert citation.status == "title"


@pytest.mark.parametrize("sentence", [
    "按照区委区政府关于做好民生实事的安排部署要求。",  # a direction, not a document
    "根据第十四条规定",
    "根据工作需要",
])
def test_sentences_that_cite_no_document(sentence: str) -> None:
    assert extract_citations(sentence, JINSHUI) == []


def test_a_list_ending_in_filler_invents_no_document() -> None:
    citations, notices = extract_citations_with_notices("《A市城市管理办法》、《B市绿化办法》等相关规定", JINSHUI)
    assert [c.title for c in citations] == ["A市城市管理办法", "B市绿化办法"]
    assert notices == []


@pytest.mark.parametrize(("title", "issuer"), [
    ("市场监督管理局关于开展食品安全抽检的通知", "市场监督管理局"),  # 市场 is no 市 + 场…: never 郑州市场监督管理局
    ("市政府关于开展食品安全抽检的通知", "郑州市人民政府"),
])
def test_a_word_starting_with_shi_is_not_a_relative_organ(title: str, issuer: str) -> None:
    [citation] = extract_citations(f"《{title}》", JINSHUI)
    assert (citation.title, citation.issuer) == (title, issuer)


def test_an_organs_issuing_verb_still_nests_the_quote_yangquan2022_1013() -> None:
    # 印发 is the issuing organ's own title (its notice), not a verb of the sentence: the quote stays nested
    cell = "山西省国土资源厅印发《山西省城镇低效用地再开发工作实施方案》(晋国土资发〔2017〕724号)"
    [citation] = extract_citations(cell, RegionContext("山西省", "阳泉市", None))
    assert (citation.title, citation.nested, citation.doc_number) == (
        "山西省国土资源厅印发山西省城镇低效用地再开发工作实施方案", ["山西省城镇低效用地再开发工作实施方案"],
        "晋国土资发〔2017〕724号")
    assert (citation.issuer, citation.issuer_level) == ("山西省国土资源厅", "province")
