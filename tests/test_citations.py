"""Citation stage: numbers, splitting, issuers, kinds and identity, on values read from the seed cells."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.build import extract_document
from kg.citations import (
    DocumentRegistry,
    RegionContext,
    extract_citations,
    extract_citations_with_notices,
    normalise_doc_number,
)
from kg.citations.benchmark import align, corpus_files, evaluate_files
from kg.citations.regexes import DOC_NUMBER
from tests.conftest import SAMPLE_FILES, SAMPLES

CORPUS = Path(__file__).resolve().parent / "corpus" / "citations.json"
ZEZHOU = RegionContext("山西省", "晋城市", "泽州县")
QINSHUI = RegionContext("山西省", "晋城市", "沁水县")
XINGXIAN = RegionContext("山西省", "吕梁市", "兴县")
YANGQUAN = RegionContext("山西省", "阳泉市", None)


@pytest.mark.parametrize(
    ("printed", "normalised"),
    [
        ("泽行审发【2021】130号", "泽行审发〔2021〕130号"),  # zezhou2025:493
        ("晋自然资发[2023]07号", "晋自然资发〔2023〕7号"),
        ("(自然资发〔2022〕19)号", "自然资发〔2022〕19号"),  # qinshui2024:1073, stray ")"
        ("沁审管审字<2022>97号", "沁审管审字〔2022〕97号"),  # qinshui2024:1371
        ("中发〔2019〕18 号", "中发〔2019〕18号"),  # yangquan2022:660
        ("晋林便字〔2021〕 87 号", "晋林便字〔2021〕87号"),  # yangquan2022:1109
        ("晋市财综字(1998)23号", "晋市财综字〔1998〕23号"),  # zezhou2025:718
        ("晋自然资函（2020）604 号", "晋自然资函〔2020〕604号"),  # yangquan2022:847, full-width
        ("TD/T 1057-2020", "TD/T 1057-2020"),  # qinshui2024:640
    ],
)
def test_normalise_doc_number(printed: str, normalised: str) -> None:
    assert normalise_doc_number(printed) == normalised


@pytest.mark.parametrize("incomplete", ["[2020]84号", "自然资源部《2023》11号", "根据工作需要"])
def test_incomplete_numbers_are_not_numbers(incomplete: str) -> None:
    # qinshui2024:1139 prints "[2020]84号" with no 机关代字; xingxian2025:744 puts the ministry's name there
    assert normalise_doc_number(incomplete) is None


def test_a_number_takes_the_sixteen_characters_before_its_bracket_and_each_number_its_own() -> None:
    # the 机关代字 is read possessively (doc_numbers.toml): a longer run of characters before the bracket
    # still gives its last 16, and numbers printed one after the other each keep their own agency
    cell = "根据山西省人民政府办公厅关于进一步加强和改进晋政办发〔2021〕15号晋财预 [2022] 3 号"
    found = [(m["agency"], m["year"], m["serial"]) for m in DOC_NUMBER.finditer(cell)]
    assert found == [("公厅关于进一步加强和改进晋政办发", "2021", "15"), ("晋财预", "2022", "3")]


_AGENCIES = st.sampled_from(["晋自然资发", "泽行审发", "自然资办发", "沁审管审字", "中发"])
_BRACKETS = st.sampled_from(["〔〕", "[]", "【】", "()", "（）", "<>", "〈〉", "［］"])


@given(_AGENCIES, st.integers(1990, 2030), st.integers(1, 9999), _BRACKETS, st.integers(0, 2))
def test_normalisation_is_bracket_invariant_and_idempotent(agency, year, serial, brackets, zeros) -> None:
    printed = f"{agency}{brackets[0]}{year}{brackets[1]}{'0' * zeros}{serial}号"
    expected = f"{agency}〔{year}〕{serial}号"
    assert normalise_doc_number(printed) == expected
    assert normalise_doc_number(expected) == expected


def test_number_after_unquoted_title_zezhou2025_493() -> None:
    cell = ("泽州县行政审批管理局关于泽州县“两高”沿线可视范围废弃场地生态环境综合治理项目可行性研究报告"
            "(代项目建议书)的批复泽行审发【2021】130号。")
    [citation] = extract_citations(cell, ZEZHOU)
    assert citation.doc_number == "泽行审发〔2021〕130号"
    assert citation.doc_number_printed == "泽行审发【2021】130号"
    assert citation.kind == "批复"
    assert citation.issuer_level == "county"
    assert cell[citation.start : citation.end] == citation.text


def test_three_documents_and_a_standard_qinshui2024_640() -> None:
    cell = ("《自然资源部、农业农村部、国家林业和草原局关于严格耕地用途管制有关问题的通知》(自然资发〔2021〕166号);"
            "《山西省自然资源厅关于严格落实耕地进出平衡的通知》(晋自然资发〔2023〕7号);《国土调查数据库标准》"
            "(TD/T 1057-2020)")
    citations = extract_citations(cell, QINSHUI)
    assert [c.doc_number for c in citations] == ["自然资发〔2021〕166号", "晋自然资发〔2023〕7号", "TD/T 1057-2020"]
    assert [c.issuer_level for c in citations[:2]] == ["central", "province"]
    assert citations[2].kind == "标准"


def test_number_before_title_zezhou2025_840() -> None:
    cell = ("泽组通字[2023]19号《中共泽州县委组织部泽州县乡村振兴中心泽州县干部驻村工作领导小组办公室"
            "关于做好驻村第一书记和工作队选派轮换工作的通知》")
    [citation] = extract_citations(cell, ZEZHOU)
    assert citation.doc_number == "泽组通字〔2023〕19号"
    assert citation.kind == "通知"


def test_county_code_needs_its_region() -> None:
    cell = "根据《泽州县鼓励和引导民间资本投资开发造地管理办法》(泽政发〔2019〕23号)"  # zezhou2025:621
    [citation] = extract_citations(cell, ZEZHOU)
    assert citation.doc_number == "泽政发〔2019〕23号"
    assert citation.kind == "规定"


def test_generic_phrases_cite_nothing() -> None:
    assert extract_citations("根据国家相关法律、法规及上级文件精神。") == []  # xingxian2025:776
    assert extract_citations("无") == []  # xingxian2025:1236
    # qinshui2024:2252: the second half cites no particular document
    cell = "根据依据《晋城市2023年自然资源卫片执法工作方案的通知》(晋市卫执办发〔2023〕2号)要求,组织实施;" \
           "省自然资源厅、自然资源部的相关文件组织实施。"
    assert [c.doc_number for c in extract_citations(cell, QINSHUI)] == ["晋市卫执办发〔2023〕2号"]


def test_laws_by_title_yangquan2022_720() -> None:
    citations = extract_citations("《测绘法》、《测绘管理条例》")
    assert [(c.title, c.kind) for c in citations] == [("测绘法", "法律"), ("测绘管理条例", "法规")]


def test_registry_merges_by_number_and_reports_conflicts() -> None:
    registry = DocumentRegistry()
    # zezhou2026:640 and :670 print two titles under 自然资发〔2024〕127号 (全国 vs 全民所有)
    first = extract_citations("《自然资源部关于全面开展全国自然资源资产清查工作的通知》(自然资发〔2024〕127号)")[0]
    second = extract_citations("《自然资源部关于全面开展全民所有自然资源资产清查工作的通知》(自然资发〔2024〕127号)")[0]
    a = registry.add(first, "p1")
    b = registry.add(second, "p2")
    assert a is b
    assert [n.code for n in registry.notices] == ["citation-title-conflict"]


def test_registry_joins_title_only_to_numbered() -> None:
    registry = DocumentRegistry()
    numbered = extract_citations("自然资源部《关于全面开展国土空间规划工作的通知》(自然资发〔2019〕87号)")[0]
    title_only = extract_citations("《自然资源部关于全面开展国土空间规划工作的通知》")[0]
    assert registry.add(numbered, "qinshui") is registry.add(title_only, "zezhou")


# --- benchmark pairing, dedup, narrative, issuers, splitting, notices (values read from the seed cells) ---


def test_alignment_prefers_the_numbered_prediction() -> None:
    # xingxian2025:1014 as the old extractor read it: a title without number and a number without title
    expected = [{"doc_number": "晋自然办发〔2023〕15号", "title": "山西省自然资源厅办公室关于印发耕地保护月度监测图斑"
                 "外业调查考核工作指南(第一版)的通知", "issuer": None, "issuer_level": None, "kind": "通知"}]
    title_only = extract_citations("山西省自然资源厅办公室关于印发《耕地保护月度监测图斑外业调查考核工作指南(第一版)》"
                                   "的通知")
    number_only = extract_citations("晋自然办发〔2023〕15号")
    [(_, paired)] = align(expected, [*title_only, *number_only])
    assert paired.doc_number == "晋自然办发〔2023〕15号"


def test_benchmark_reads_every_corpus_file_but_the_last_run() -> None:
    names = [p.name for p in corpus_files()]
    assert "citations.json" in names
    assert "citations-qinshui2024.json" in names
    assert not any(name.endswith(".last-run.json") for name in names)


def test_number_first_before_unquoted_title_with_nested_xingxian2025_1014() -> None:
    cell = ("晋自然办发〔2023〕15号山西省自然资源厅办公室关于印发《耕地保护月度监测图斑外业调查考核工作指南(第一版)》"
            "的通知")
    [citation] = extract_citations(cell, XINGXIAN)
    assert citation.doc_number == "晋自然办发〔2023〕15号"
    assert citation.issuer == "山西省自然资源厅办公室"
    assert citation.nested == ["耕地保护月度监测图斑外业调查考核工作指南(第一版)"]


def test_year_in_book_quotes_is_a_number_bracket_xingxian2025_744() -> None:
    cell = "自然资源部《2023》11号自然资源部办公厅关于印发《不动产登记信息安全防护工作指引》的通知"
    [citation] = extract_citations(cell, XINGXIAN)
    assert citation.doc_number is None  # the ministry's name stands where the 机关代字 belongs
    assert citation.doubts == ["number-without-code"]
    assert (citation.issuer, citation.issuer_level) == ("自然资源部办公厅", "central")


def test_repeated_law_and_narrative_cite_one_document_zezhou2026_794() -> None:
    cell = ("《地质灾害防治条例》第5条“因自然因素造成的地质灾害的防治经费，在划分中央和地方事权和财权的基础上，"
            "分别列入中央和地方有关人民政府的财政预算。”《地质灾害防治条例》第11条“县级以上地方人民政府国土资源主管"
            "部门会同同级建设、水利、交通、等部门，依据本行政区域的地质灾害调查成果和上一级地质灾害防治规划，编制本"
            "行政区域的地质灾害防治规划，经专家论证后报本级人民政府批准公布，并报上一级人民政府国土资源主管部门备案。”")
    assert [(c.title, c.kind) for c in extract_citations(cell, ZEZHOU)] == [("地质灾害防治条例", "法规")]


def test_same_title_with_and_without_issuer_is_one_citation_zezhou2026_974() -> None:
    cell = ("自然资源部《关于加强国土空间详细规划工作的通知》、山西省自然资源厅《关于启动国土空间详细规划编制工作的"
            "通知》；中共中央、国务院《关于建立国土空间规划体系并监督实施的若干意见》、自然资源部《关于加强国土空间详细规划工作的"
            "通知》、山西省自然资源厅《关于启动国土空间详细规划编制工作的通知》")
    citations = extract_citations(cell, ZEZHOU)
    assert [c.issuer for c in citations] == ["自然资源部", "山西省自然资源厅", "中共中央"]


def test_order_number_gbt9704_yangquan2022_691() -> None:
    assert normalise_doc_number("国家发展改革委第7号令") == "国家发展改革委令第7号"
    cell = ("《中央预算内直接投资项目管理办法》(国家发展改革委第7号令)、《国家发展改革委关于规范中央预算内投资资金安排"
            "方式及项目管理的通知》(发改投资规〔2020〕518号)")
    first, second = extract_citations(cell, YANGQUAN)
    assert (first.doc_number, first.issuer, first.issuer_level) == ("国家发展改革委令第7号", "国家发展改革委",
                                                                    "central")
    assert second.doc_number == "发改投资规〔2020〕518号"


def test_registration_numbers_yangquan2022() -> None:
    # 1142: 办文第 Q-681 号 registers the 请示 that follows; its organ is the issuer
    cell = "阳泉市人民政府办文第 Q-681 号《关于追加市本级森林火灾风险普查专项经费的请示》批示要求立项。"
    [citation] = extract_citations(cell, YANGQUAN)
    assert (citation.title, citation.issuer, citation.kind) == (
        "关于追加市本级森林火灾风险普查专项经费的请示", "阳泉市人民政府", "请示")
    # 847: a 公文批办单 with the mayor's 批示 is a basis of its own; the numbers after it stay separate
    cell = ("阳泉市人民政府公文批办单第 Q-095 号雷健坤市长批示 2021 年 2 月 2 日、晋自然资函(2020)604 号、"
            "阳自然资发(2021)5 号均要求")
    slip, first, second = extract_citations(cell, YANGQUAN)
    assert (slip.title, slip.issuer, slip.doc_number) == ("阳泉市人民政府公文批办单第Q-095号雷健坤市长批示",
                                                          "阳泉市人民政府", None)
    assert [first.doc_number, second.doc_number] == ["晋自然资函〔2020〕604号", "阳自然资发〔2021〕5号"]


def test_issuers_glued_or_joint() -> None:
    # zezhou2025:718 prints two organs glued together; the first leads
    cell = ("根据晋城市财政局晋城市土地局晋市财综字(1998)23号文件关于印发《晋城市1998年国土收益目标任务考核奖励办法》"
            "的通知。")
    [citation] = extract_citations(cell, ZEZHOU)
    assert (citation.doc_number, citation.issuer) == ("晋市财综字〔1998〕23号", "晋城市财政局")
    # xingxian2025:648: joint issuers after a leading number stay one title
    [joint] = extract_citations("中发[2019]18号中共中央、国务院关于建立国土空间规划体系并监督实施的若干意见", XINGXIAN)
    assert (joint.doc_number, joint.issuer, joint.kind) == ("中发〔2019〕18号", "中共中央", "意见")
    # zezhou2025:589: a provincial branch of a central service is one organ
    cell = ("国家税务总局山西省税务局、山西省财政厅《关于做好国有土地使用权出让收入、矿产资源专项收入征管职责划转工作"
            "有关事项的通知》(晋税发[2021]55号)")
    assert extract_citations(cell, ZEZHOU)[0].issuer == "国家税务总局山西省税务局"


def test_enumeration_inside_a_title_is_not_cut_qinshui2024_878() -> None:
    cell = "对沁水县蒲池、下苏庄、马坪坎、下峪、马邑沟、郭庄、气象局7处应急治理项目初步设计文件。"
    [citation] = extract_citations(cell, QINSHUI)
    assert citation.kind == "其他"
    assert citation.text == "沁水县蒲池、下苏庄、马坪坎、下峪、马邑沟、郭庄、气象局7处应急治理项目初步设计文件"


def test_shared_subject_and_leader_instruction_qinshui2024_1371() -> None:
    cell = ("《沁水县行政审批服务管理局关于沁水县胡底乡蒲池村不稳定斜坡地质灾害治理工程可行性研究报告(代初步设计)的"
            "批复》沁审管审字<2022>97号沁水县胡底乡蒲池村滑坡治理报告、请示及县领导批示")
    titles = [(c.title, c.issuer) for c in extract_citations(cell, QINSHUI)[1:]]
    assert titles == [("沁水县胡底乡蒲池村滑坡治理报告", None), ("沁水县胡底乡蒲池村滑坡治理请示", None),
                      ("县领导批示", "沁水县人民政府")]


def test_notices_for_doubts_and_skipped_text_qinshui2024() -> None:
    cell = ("《山西省自然资源厅办公室关于开展耕地资源质量分类年度更新与检测工作的通知》(晋自然资办发(2022)3号);"
            "耕地质量资源分类更新与监测项目合;")
    citations, notices = extract_citations_with_notices(cell, QINSHUI, file="qinshui.txt", line=1238)
    assert citations[-1].title == "耕地质量资源分类更新与监测项目合同"
    assert [(n.file, n.line, n.code) for n in notices] == [("qinshui.txt", 1238, "citation-truncated-title")]
    cell = "《自然资源部关于加快宅基地和集体建设用地使用权确权登记工作的通知》[2020]84号"
    [citation], notices = extract_citations_with_notices(cell, QINSHUI, file="qinshui.txt", line=1139)
    assert [n.code for n in notices] == ["citation-number-without-code", "citation-number-completed"]
    # kept as printed, with year and serial; completed from 自然资源部's 代字 in issuers.csv, marked as such
    assert (citation.doc_number, citation.printed_number, citation.number_form) == (None, "[2020]84号", "no-code")
    assert (citation.number_year, citation.number_serial) == (2020, 84)
    assert (citation.completed_number, citation.status) == ("自然资发〔2020〕84号", "title")
    _, notices = extract_citations_with_notices("阳泉市自然资源卫星应用技术中心负责全市卫星遥感监测", YANGQUAN)
    assert [(n.code, n.severity) for n in notices] == [("citation-text-skipped", "info")]


SEED_CORPORA = ("citations.json", "citations-qinshui2024.json")


def test_corpus_benchmark_holds_the_achieved_figures() -> None:
    # Raised to what the extractor achieves on the seed corpora; any regression fails. The one miss is
    # zezhou2026:1621 item 8, of which the clipped cell prints only the tail of a number glued to item 7.
    per_file, _ = evaluate_files(p for p in corpus_files() if p.name in SEED_CORPORA)
    seeds = per_file["citations.json"]
    seeds.absorb(per_file["citations-qinshui2024.json"])
    assert seeds.cells >= 141
    assert seeds.invented == 0
    link = seeds.tallies["link"]
    assert (link.precision, link.recall) == (1.0, 279 / 280)
    for name in ("doc_number", "issuer", "issuer_level", "kind", "policy"):
        assert seeds.tallies[name].precision == 1.0, name
        assert seeds.tallies[name].recall >= 279 / 280, name
    printed = seeds.tallies["printed_number"]
    assert printed.recall == 172 / 173 and printed.precision == 172 / 173


def test_independent_corpus_holds_its_figures() -> None:
    # tests/corpus/citations-independent.json: 149 cells annotated by a helper who had not seen the rules (27 real
    # passages of ../shared/dev-corpus, 122 written in the style of 21 provinces). First run, before any rule was
    # changed after reading it: links P 0.891 R 0.928, printed numbers 160/196, 30 invented documents.
    per_file, _ = evaluate_files(p for p in corpus_files() if p.name == "citations-independent.json")
    result = per_file["citations-independent.json"]
    assert result.cells == 149
    link, printed = result.tallies["link"], result.tallies["printed_number"]
    # js_high_court's 《关于铁路运输法院…规定》 and 法释〔2012〕10号 are two documents, not one across the ；
    assert (link.true_positive, link.predicted, link.expected) == (263, 264, 263)
    assert printed.recall >= 193 / 196 and result.tallies["doc_number"].recall >= 195 / 196
    assert result.invented <= 1
    # issuers of other departments and provinces (issuers.csv's central organs, the gazetteer, code_suffixes.csv,
    # the disclosure's own place, the organ after 根据 in prose): level 233 and issuer 192 right, of 239 and 214
    level, issuer = result.tallies["issuer_level"], result.tallies["issuer"]
    assert level.true_positive >= 233 and issuer.true_positive >= 192
    assert level.precision >= 233 / 239 and issuer.precision >= 192 / 214


def test_benchmark_reports_every_corpus_with_printed_numbers_and_invented_documents() -> None:
    from kg.citations.benchmark import report

    per_file, overall = evaluate_files(corpus_files())
    text = report(per_file, overall, None)
    for name in ("citations.json", "citations-qinshui2024.json", "citations-independent.json"):
        assert f"== {name} (" in text
    assert "printed numbers kept exactly: " in text and "invented documents: " in text


def test_a_clipped_number_is_said_in_words():
    # zezhou 2026 line 1621: three titles whose 发文字号 the cell's edge cut off
    document = extract_document(SAMPLES / SAMPLE_FILES["zezhou2026"])
    clipped = [n for n in document.notices if n.code == "citation-number-clipped"]
    assert [n.line for n in clipped] == [1621, 1621, 1621]
    assert clipped[0].message == (
        "'《山西省自然资源厅关于建设省级耕地后备资源储备库有关事项的通知》': the cell was clipped after the title: "
        "what was left of its 发文字号 is skipped, the document kept without a number")
