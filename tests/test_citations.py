"""Citation stage: numbers, splitting, issuers, kinds and identity, on values read from the seed cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.citations import DocumentRegistry, RegionContext, extract_citations, normalise_doc_number
from kg.citations.benchmark import evaluate

CORPUS = Path(__file__).resolve().parent / "corpus" / "citations.json"
ZEZHOU = RegionContext("山西省", "晋城市", "泽州县")
QINSHUI = RegionContext("山西省", "晋城市", "沁水县")


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
    assert citations[2].kind == "standard"


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
    assert citation.kind == "regulation"


def test_generic_phrases_cite_nothing() -> None:
    assert extract_citations("根据国家相关法律、法规及上级文件精神。") == []  # xingxian2025:776
    assert extract_citations("无") == []  # xingxian2025:1236
    # qinshui2024:2252: the second half cites no particular document
    cell = "根据依据《晋城市2023年自然资源卫片执法工作方案的通知》(晋市卫执办发〔2023〕2号)要求,组织实施;" \
           "省自然资源厅、自然资源部的相关文件组织实施。"
    assert [c.doc_number for c in extract_citations(cell, QINSHUI)] == ["晋市卫执办发〔2023〕2号"]


def test_laws_by_title_yangquan2022_720() -> None:
    citations = extract_citations("《测绘法》、《测绘管理条例》")
    assert [(c.title, c.kind) for c in citations] == [("测绘法", "law"), ("测绘管理条例", "regulation")]


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


def test_corpus_benchmark_floor() -> None:
    # Guards against regressions; the figures themselves are printed by python -m kg.citations.benchmark.
    result = evaluate(json.loads(CORPUS.read_text(encoding="utf-8")))
    assert result.tallies["link"].recall >= 0.9
    assert result.tallies["doc_number"].precision >= 0.85
