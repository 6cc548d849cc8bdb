"""Citation patterns of issue 14: printed numbers kept as data, kinds, link status, clipped cells, prose of other
provinces. Seed cells are quoted from samples/ (the line numbers of shared/seeds); small fixtures carry the
patterns the seeds never print. Expected values are read from the cells, not from the extractor."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.citations import DocumentRegistry, RegionContext, extract_citations, read_cell
from kg.citations.knowledge import law_by_name, region_rules
from kg.citations.resolve import issuer_from_code, trim_agency

ROOT = Path(__file__).resolve().parents[1]
DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus" / "text"
ZEZHOU = RegionContext("山西省", "晋城市", "泽州县")
QINSHUI = RegionContext("山西省", "晋城市", "沁水县")
XINGXIAN = RegionContext("山西省", "吕梁市", "兴县")
PUTUO = RegionContext("上海市", "市辖区", "普陀区")
NANJING = RegionContext("江苏省", "南京市", "玄武区")


# --- printed numbers that are not GB/T 9704 numbers are kept, with year and serial ---------------------------

@pytest.mark.parametrize(("cell", "printed", "year", "serial", "issuer"), [
    # 002 l.744, l.1121, l.1157, l.1540: the organ's name where the 机关代字 belongs, the year in 《》
    ("自然资源部《2023》11号自然资源部办公厅关于印发《不动产登记信息安全防护工作指引》的通知",
     "自然资源部《2023》11号", 2023, 11, "自然资源部办公厅"),
    ("自然资源部办公厅《2023》8号《自然资源部办公厅关于下达2023年度耕地“进出平衡”任务的通知》",
     "自然资源部办公厅《2023》8号", 2023, 8, "自然资源部办公厅"),
    ("自然资源部《2022》41号 自然资源部办公厅关于启动耕地卫片监测与巡查监管系统有关事项的通知",
     "自然资源部《2022》41号", 2022, 41, "自然资源部办公厅"),
    # 002 l.980: a stray 《 before the year's own bracket
    ("自然资源部《(2022)77号自然资源部耕地保护监督司关于开展2022年上半年耕地卫片监督工作的通知",
     "自然资源部《(2022)77号", 2022, 77, "自然资源部"),
    # 002 l.2069: a long organ name
    ("吕梁市打击露天矿产资源专项行动领导小组办公室《2022》2号关于全力推进全市自然资源智慧监管平台实施进度的通知",
     "吕梁市打击露天矿产资源专项行动领导小组办公室《2022》2号", 2022, 2,
     "吕梁市打击露天矿产资源专项行动领导小组办公室"),
    # 002 l.1841: 县政府 in place of the 代字
    ("县政府(2023)9号吕梁市人民政府关于开展吕梁市露天采石场资源整合的实施意见", "县政府(2023)9号", 2023, 9,
     "吕梁市人民政府"),
])
def test_organ_name_numbers_keep_what_is_printed(cell: str, printed: str, year: int, serial: int, issuer: str) -> None:
    [citation] = extract_citations(cell, XINGXIAN)
    assert citation.doc_number is None  # no 机关代字: not a GB/T 9704 number
    assert (citation.printed_number, citation.number_form) == (printed, "organ-name")
    assert (citation.number_year, citation.number_serial) == (year, serial)
    assert (citation.issuer, citation.status) == (issuer, "title")


def test_minutes_session_is_a_printed_number_xingxian2025_533() -> None:
    [citation] = extract_citations("兴县人民政府常务会议纪要[2024]4次", XINGXIAN)
    assert citation.title == "兴县人民政府常务会议纪要〔2024〕4次"
    assert (citation.printed_number, citation.number_form) == ("[2024]4次", "minutes")
    assert (citation.number_year, citation.number_serial) == (2024, 4)
    assert (citation.kind, citation.kind_en, citation.issuer) == ("纪要", "minutes", "兴县人民政府")


def test_numbers_without_code_completed_only_from_known_codes_qinshui2024_1139() -> None:
    cell = ("《自然资源部关于加快宅基地和集体建设用地使用权确权登记工作的通知》[2020]84号"
            "《晋城市规划和自然资源局关于转发〈山西省自然资源厅关于加快推进农村不动产登记工作的通知〉的通知》"
            "[2020]121号文农村不动产存量数据整合合同")
    first, second, contract = extract_citations(cell, QINSHUI)
    assert [(c.printed_number, c.number_form, c.completed_number) for c in (first, second)] == [
        ("[2020]84号", "no-code", "自然资发〔2020〕84号"), ("[2020]121号", "no-code", "晋市自然资发〔2020〕121号")]
    assert first.doc_number is None and "number-completed" in first.doubts
    assert (contract.kind, contract.kind_en, contract.is_policy_document) == ("合同", "contract", False)
    # an issuer issuers.csv gives no completes=yes code for stays uncompleted
    [other] = extract_citations("《泽州县财政局关于下达资金的通知》[2021]5号", ZEZHOU)
    assert (other.printed_number, other.completed_number) == ("[2021]5号", None)


def test_order_number_keeps_its_serial_yangquan2022_691() -> None:
    [order] = extract_citations("《中央预算内直接投资项目管理办法》(国家发展改革委第7号令)")
    assert (order.doc_number, order.printed_number, order.number_form) == (
        "国家发展改革委令第7号", "国家发展改革委第7号令", "order")
    assert (order.number_year, order.number_serial, order.kind) == (None, 7, "规定")


# --- kinds, non-documents, laws by name ------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "kind", "en", "policy"), [
    ("土地收购协议", "合同", "contract", False),  # qinshui2024:2350
    ("2021年7月16日县政府专题会议", "会议", "meeting", False),  # qinshui2024:2154
    ("《沁水县机关事业单位遗属困难补助审批花名表》", "其他", "other", False),  # qinshui2024:673
    ("晋自然资函(2020)604号", "其他", "other", True),  # a number without title: kind unknown, still a document
    ("《山西省人民政府办公厅关于调整全省征地统一年产值标准的通知》", "通知", "notice", True),
    ("《沁水县鼓励引导民间资本投资开发造地管理办法(试行)》", "规定", "rules", True),
    ("《全国地质灾害防治“十四五”规划》", "规划", "plan", True),
])
def test_kind_vocabulary_zh_with_en(cell: str, kind: str, en: str, policy: bool) -> None:
    citation = extract_citations(cell, QINSHUI)[0]
    assert (citation.kind, citation.kind_en, citation.is_policy_document) == (kind, en, policy)


def test_leader_instruction_is_not_a_policy_document_qinshui2024_1371() -> None:
    *_, instruction = extract_citations("沁水县胡底乡蒲池村滑坡治理报告、请示及县领导批示", QINSHUI)
    assert (instruction.kind, instruction.kind_en, instruction.is_policy_document) == ("批示", "instruction", False)


def test_laws_and_regulations_by_name_get_issuer_and_level() -> None:
    # zezhou2026:831 《地质灾害防治条例》 is a State Council 行政法规; yangquan2022:847 prints laws of three kinds
    [regulation] = extract_citations("《地质灾害防治条例》", ZEZHOU)
    assert (regulation.kind, regulation.issuer, regulation.issuer_level) == ("法规", "国务院", "central")
    law, national, local = extract_citations(
        "《中华人民共和国测绘法》、《中华人民共和国测量标志保护条例》、《山西省测绘管理条例》")
    assert (law.kind, law.issuer, law.issuer_level) == ("法律", "全国人民代表大会常务委员会", "central")
    assert (national.issuer, national.issuer_level) == ("国务院", "central")
    assert (local.issuer, local.issuer_level) == ("山西省人民代表大会常务委员会", "province")
    assert law_by_name("中华人民共和国土地管理法(2019年修正)") is not None
    assert law_by_name("测绘管理条例") is None  # no national regulation of that name: level stays unknown


# --- link status ------------------------------------------------------------------------------------------

def test_number_and_title_that_disagree_are_both_kept_and_flagged_xingxian2025_1916() -> None:
    [citation] = extract_citations("山西省土地征收成片开发标准实施细则(试行)(自然资规〔2020〕5号)", XINGXIAN)
    assert (citation.doc_number, citation.title) == ("自然资规〔2020〕5号", "山西省土地征收成片开发标准实施细则(试行)")
    assert citation.status == "conflicting"
    assert citation.conflict == "自然资规〔2020〕5号 is 自然资源部's (central); the title names 山西省 (province)"


def test_status_of_every_link() -> None:
    both, = extract_citations("《山西省自然资源厅关于严格落实耕地进出平衡的通知》(晋自然资发〔2023〕7号)", QINSHUI)
    number, = extract_citations("晋自然资函(2020)604号", QINSHUI)
    title, = extract_citations("《土地调查条例》", QINSHUI)
    lone, = extract_citations("[2020]84号", QINSHUI)
    assert [c.status for c in (both, number, title, lone)] == ["both", "number", "title", "unresolved"]
    assert DocumentRegistry().add(lone, "p") is None  # an unresolved citation names no document


def test_two_titles_under_one_number_conflict_in_the_registry_xingxian2025_1375_1405() -> None:
    registry = DocumentRegistry()
    first, = extract_citations("兴政发[1990]55号兴县人民政府关于成立职工养老保险站的通知", XINGXIAN)
    second, = extract_citations("兴政发[1990]55号兴县人民政府关于成立铝土矿经销站的通知", XINGXIAN)
    assert registry.add(first, "pension") is registry.add(second, "medical")
    assert (first.status, second.status) == ("both", "conflicting")
    # a title printed two ways (全国 / 全民所有, zezhou2026:640 and :670) is one title, not a conflict
    a, = extract_citations("《自然资源部关于全面开展全国自然资源资产清查工作的通知》(自然资发〔2024〕127号)")
    b, = extract_citations("《自然资源部关于全面开展全民所有自然资源资产清查工作的通知》(自然资发〔2024〕127号)")
    registry.add(a, "x")
    registry.add(b, "y")
    assert b.status == "both"


# --- clipped cells: partial citations flagged incomplete, no invented document ---------------------------

ZEZHOU2026_1621 = (
    "1、《山西省自然资源厅关于建设省级耕地后备资源储备库有关事项的通知》(晋自然资源厅局《关于开展2024年度耕地资源分区分类评价"
    "年度更新与监测工作的通知》(晋市自然资源局关于严肃开展耕地和永久基本农田划定成果核实处置工作的通知》(晋自然资源〔2020〕"
    "农业农村厅关于转发《自然资源部办公厅 农业农村部办公厅关于开展占用耕地和永久基本农田“非粮化”问题的通知》"
    "(晋自然资函〔2023〕143号)5、《国家自然资源督察北京局关于转发占用耕地问题线索的函》(自然督察京函〔2022〕79号)6、"
    "晋城市规划和自然资源局《关于自然资保函〔2025〕2号)7、《中共泽州县委办公室 泽州县人民政府办公室关于在全县开展"
    "自然资保函〔2021〕3号)9、《永久基本农田红线管理办法》10、《晋城市规划和自然资源局关于永久基本农田中疑似非耕地")


def test_clipped_cell_gives_partial_citations_not_invented_documents_zezhou2026_1621() -> None:
    reading = read_cell(ZEZHOU2026_1621, ZEZHOU)
    citations = reading.citations
    # the two documents the old reader invented from glued fragments
    assert not any(c.doc_number and ("关于自然资保函" in c.doc_number or c.doc_number.startswith("自然资保函"))
                   for c in citations)
    partial = [c for c in citations if c.incomplete]
    assert all(c.status in ("unresolved", "both", "number") for c in partial)
    sixth = next(c for c in partial if c.printed_number == "自然资保函〔2025〕2号")
    assert (sixth.status, sixth.doc_number, sixth.issuer) == ("unresolved", None, "晋城市规划和自然资源局")
    tenth = next(c for c in citations if c.text.startswith("《晋城市规划和自然资源局关于永久基本农田中疑似非耕地"))
    assert (tenth.incomplete, tenth.status) == (True, "unresolved")
    # the debris of a number cut at the cell's edge is no issuer: the 2nd document's issuer is unknown
    second = next(c for c in citations if c.title == "关于开展2024年度耕地资源分区分类评价年度更新与监测工作的通知")
    assert (second.issuer, second.status) == (None, "title")
    assert "(晋自然资源厅局" in [fragment for _, fragment in reading.skipped]
    # whole numbers still identify their documents
    assert {c.doc_number for c in citations if c.doc_number} == {"晋自然资函〔2023〕143号", "自然督察京函〔2022〕79号"}
    registry = DocumentRegistry()
    documents = [registry.add(c, "耕地保护工作相关经费") for c in citations]
    assert sum(d is None for d in documents) == len([c for c in citations if c.status == "unresolved"]) == 4


def test_unclosed_title_that_ends_with_its_kind_is_whole() -> None:
    [citation] = extract_citations("《晋城市2023年自然资源卫片执法工作方案的通知", ZEZHOU)
    assert (citation.incomplete, citation.status) == (False, "title")


# --- prose 立项依据 of other provinces ---------------------------------------------------------------------

def test_number_before_title_glued_to_connectives() -> None:
    cell = ("根据沪府〔2019〕12号文关于同意《上海市普陀区桃浦智创城控制性详细规划》的批复和沪规划资源〔2020〕3号文"
            "《关于加强本市城市更新规划管理的通知》")
    first, second = extract_citations(cell, PUTUO)
    assert (first.doc_number, first.title) == ("沪府〔2019〕12号", "关于同意上海市普陀区桃浦智创城控制性详细规划的批复")
    assert first.nested == ["上海市普陀区桃浦智创城控制性详细规划"]
    assert (second.doc_number, second.title) == ("沪规划资源〔2020〕3号", "关于加强本市城市更新规划管理的通知")
    assert not any(c.printed_number.startswith(("根据", "和")) for c in (first, second))
    assert (first.issuer, first.issuer_level) == ("上海市人民政府", "province")
    # the number after 和 belongs to the title after it, not to the one before
    earlier, later = extract_citations(
        "根据《南京市城市更新办法》和宁政发〔2020〕3号文《关于加快推进老旧小区改造的实施意见》", NANJING)
    assert (earlier.doc_number, later.doc_number) == (None, "宁政发〔2020〕3号")
    assert trim_agency("的批复和沪发改") == "沪发改" and trim_agency("根据某财") == "某财"
    assert trim_agency("并政发") == "并政发"  # 并 is 太原's code, not a connective here


def test_enumeration_comma_inside_a_title() -> None:
    [unquoted] = extract_citations("根据苏政发〔2019〕12号文关于同意南京市江北新区规划、建设管理办法的批复", NANJING)
    assert unquoted.title == "关于同意南京市江北新区规划,建设管理办法的批复"  # 、 folded for comparison
    assert (unquoted.doc_number, unquoted.kind) == ("苏政发〔2019〕12号", "批复")
    [quoted] = extract_citations("《关于同意鼓楼区A、B地块控制性详细规划调整的批复》（宁政复〔2022〕11号）", NANJING)
    assert (quoted.doc_number, quoted.issuer_level) == ("宁政复〔2022〕11号", "city")
    two = extract_citations("依据苏财建〔2021〕88号关于下达2021年城市管网、污水处理专项资金的通知和"
                            "苏财建〔2021〕90号关于印发《江苏省城市更新专项资金管理办法》的通知", NANJING)
    assert [(c.doc_number, c.kind) for c in two] == [("苏财建〔2021〕88号", "通知"), ("苏财建〔2021〕90号", "通知")]
    assert two[0].title == "关于下达2021年城市管网,污水处理专项资金的通知"


def test_titles_nested_in_an_unquoted_outer_title() -> None:
    forwarded, implementing = extract_citations(
        "关于转发《财政部、农业农村部关于印发〈农业相关转移支付资金管理办法〉的通知》的通知（苏财农〔2023〕15号）、"
        "关于贯彻落实《国务院办公厅关于加强财政资金管理的意见》的实施意见（宁财〔2022〕6号）", NANJING)
    assert forwarded.doc_number == "苏财农〔2023〕15号"
    assert forwarded.title == "关于转发财政部,农业农村部关于印发农业相关转移支付资金管理办法的通知的通知"
    assert forwarded.nested == ["财政部,农业农村部关于印发农业相关转移支付资金管理办法的通知"]
    assert (implementing.doc_number, implementing.kind) == ("宁财〔2022〕6号", "意见")
    assert implementing.title == "关于贯彻落实国务院办公厅关于加强财政资金管理的意见的实施意见"
    # not "关于贯彻《国务院": the issuer is the 代字's, 宁 (南京市 inside 江苏省) + 财 (code_suffixes.csv)
    assert (implementing.issuer, implementing.issuer_level) == ("南京市财政局", "city")


def test_full_width_year_brackets_and_a_number_wrapped_over_two_lines() -> None:
    cell = ("3、《上海市跨国公司地区总部发展资金管理办法》（沪商规（2024）2号）第四条、"
            "《普陀区服务企业发展工作实施意见》（普投\n资规范（2023）1号）第一条。")
    first, second = extract_citations(cell, PUTUO)
    assert (first.doc_number, first.printed_number) == ("沪商规〔2024〕2号", "沪商规（2024）2号")
    assert (first.issuer, first.issuer_level) == ("上海市商务委员会", "province")
    assert (second.doc_number, second.printed_number) == ("普投资规范〔2023〕1号", "普投资规范（2023）1号")
    assert second.issuer_level == "county"  # 普 = 普陀区 inside 上海市 (region_codes.csv)
    assert cell[second.start : second.end] == second.text and "\n" in second.text
    # a line break after a whole item stays a separator
    items = extract_citations("1、《普陀区支持科技创新实施意见》（普科合规范〔2023〕3号）。\n"
                              "2、《普陀区加快发展生命健康产业实施意见》。", PUTUO)
    assert [c.title for c in items] == ["普陀区支持科技创新实施意见", "普陀区加快发展生命健康产业实施意见"]


@pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason="../shared/dev-corpus is not present")
def test_dev_corpus_putuo_commerce_lines_482_483() -> None:
    lines = (DEV_CORPUS / "sh_putuo_commerce_2025_dept.txt").read_text(encoding="utf-8").splitlines()
    cell = lines[481].strip() + "\n" + lines[482].strip()  # the 立项依据 item as printed, wrapped inside a number
    assert "（普投" in lines[481] and lines[482].startswith("资规范")
    numbers = [(c.doc_number, c.printed_number) for c in extract_citations(cell, PUTUO)]
    assert numbers == [("沪商规〔2024〕2号", "沪商规（2024）2号"), ("普投资规范〔2023〕1号", "普投资规范（2023）1号")]


def test_region_abbreviations_are_data_and_scoped() -> None:
    assert {rule.name for rule in region_rules() if rule.abbreviation == "沪"} == {"上海市"}
    assert issuer_from_code("普投资规范", PUTUO).level == "county"
    assert issuer_from_code("普投资规范", ZEZHOU).level is None  # 普 means 普陀区 only inside 上海市
    assert issuer_from_code("宁政发", NANJING).region == "南京市"
    assert issuer_from_code("宁政发", ZEZHOU).region == "宁夏回族自治区"
    assert issuer_from_code("晋城市自然资发", ZEZHOU).level == "city"  # the full name printed before the code


def test_local_codes_resolve_by_region_and_suffix_without_a_row() -> None:
    # 鲁 (region_codes.csv) + 政发, 绵 (the disclosure's own 绵阳市) + 财教 (code_suffixes.csv): no issuers.csv row
    assert issuer_from_code("鲁政发", None).name == "山东省人民政府"
    mianyang = RegionContext("四川省", "绵阳市", None)
    assert (issuer_from_code("绵财教", mianyang).name, issuer_from_code("绵财教", mianyang).level) == (
        "绵阳市财政局", "city")
    assert issuer_from_code("静府办发", RegionContext("上海市", None, "静安区")).name == "上海市静安区人民政府办公室"
    assert issuer_from_code("晋农居发", QINSHUI_REGION).name is None  # an unknown suffix names no organ
    # a region's abbreviation before a central code is a local code (川自然资发), not the ministry's
    assert trim_agency("和川自然资发") == "川自然资发" and trim_agency("及洛财预") == "洛财预"


QINSHUI_REGION = RegionContext("山西省", "晋城市", "沁水县")


def test_clauses_of_a_prose_passage_are_not_titles_dev_corpus_style() -> None:
    # sh_putuo_commerce 四、实施方案: 根据《A》和《B》，制定实施流程和细则，明确申报指南，发布项目申报通知
    cell = ("根据《普陀区服务企业发展工作实施意见》和《普陀区支持科技创新实施意见》，制定实施流程和细则，明确申报指南，"
            "发布项目申报通知，组织项目审核、跟踪、评估，按程序落实专项资金拨付。")
    assert [c.title for c in extract_citations(cell, PUTUO)] == [
        "普陀区服务企业发展工作实施意见", "普陀区支持科技创新实施意见"]


def test_meetings_minutes_and_enumerators_of_other_provinces() -> None:
    peixian = RegionContext("江苏省", "徐州市", "沛县")
    cell = "1、县政府常务会议纪要（〔2023〕12次）；2、2023年5月12日县政府专题会议决定；3、县委主要领导批示意见。"
    minutes, meeting, instruction = extract_citations(cell, peixian)
    assert (minutes.title, minutes.printed_number, minutes.number_normalised) == (
        "县政府常务会议纪要〔2023〕12次", "〔2023〕12次", "〔2023〕12次")
    assert (meeting.title, meeting.kind, meeting.is_policy_document) == ("2023年5月12日县政府专题会议", "会议", False)
    assert instruction.kind == "批示"
    cell = ("一是《四川省“十四五”文化和旅游发展规划》；二是省委宣传部关于印发《四川省公共文化服务提质增效行动方案》"
            "的通知（川文旅发〔2022〕19号）")
    first, second = extract_citations(cell, RegionContext("四川省", None, None))
    assert (first.issuer, first.issuer_level) == (None, "province")  # the title names its region
    assert (second.issuer, second.doc_number) == ("中共四川省委宣传部", "川文旅发〔2022〕19号")


def test_standard_codes_of_every_shape() -> None:
    cell = "《土地利用现状分类》（GB/T21010—2017）、DB32/T 4012-2021、JTG H10-2009"
    assert [c.doc_number for c in extract_citations(cell)] == ["GB/T 21010-2017", "DB32/T 4012-2021", "JTG H10-2009"]
