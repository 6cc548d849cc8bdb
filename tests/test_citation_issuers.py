"""Who issued a cited document, anywhere in China: central organs by 代字 and name (issuers.csv), organs named
after gazetteer regions, local 代字 by region and suffix (code_suffixes.csv), and the 代字 that must stay
unresolved. Dev-corpus lines are read in place; the other cells are written in the style of the departments
and provinces no document here prints. Expected values are the organs the 代字 and names belong to."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources

import pytest

from kg.citations import RegionContext, extract_citations
from kg.citations.coverage import measure, unresolved_key
from kg.citations.resolve import complete_relative, issuer_from_code, level_from_name, organ_level_by_gazetteer
from tests.helpers import dev_document

JIANGSU = RegionContext("江苏省", None, None)


def _line(stem: str, number: int) -> str:
    return dev_document(stem).read_text(encoding="utf-8").splitlines()[number - 1]


def _only(cell: str, region: RegionContext | None = None) -> tuple[str | None, str | None, str | None]:
    (citation,) = extract_citations(cell, region)
    return citation.doc_number, citation.issuer, citation.issuer_level


# --- the dev corpus -------------------------------------------------------------------------------------------

def test_a_finance_ministry_number_in_a_jiangsu_disclosure() -> None:
    # js_party_office_2018_tables.txt:526 “采购品目名称根据《政府采购品目分类目录》（财库[2013]189号）规定…”
    line = _line("js_party_office_2018_tables", 526)
    assert "财库[2013]189号" in line
    (citation,) = [c for c in extract_citations(line, JIANGSU) if c.doc_number]
    assert (citation.doc_number, citation.issuer, citation.issuer_level) == ("财库〔2013〕189号", "财政部", "central")
    assert citation.title == "政府采购品目分类目录"


def test_a_supreme_court_interpretation_in_a_court_disclosure_is_central() -> None:
    # js_high_court_2018_dept.txt:67-69: “…根据最高人民法院法释（2012）10 号文的规定…”, wrapped over three lines
    text = "".join(_line("js_high_court_2018_dept", n) for n in (67, 68, 69))
    numbered = [c for c in extract_citations(text, JIANGSU) if c.doc_number == "法释〔2012〕10号"]
    assert [c.issuer_level for c in numbered] == ["central"]


# --- central organs by 代字 -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "number", "issuer"), [
    ("教财〔2021〕2号", "教财〔2021〕2号", "教育部"),
    ("教师厅函〔2023〕5号", "教师厅函〔2023〕5号", "教育部办公厅"),
    ("财农〔2023〕11号", "财农〔2023〕11号", "财政部"),
    ("财办预〔2020〕8号", "财办预〔2020〕8号", "财政部办公厅"),
    ("国卫办财务发〔2022〕3号", "国卫办财务发〔2022〕3号", "国家卫生健康委员会办公厅"),
    ("农计财发〔2023〕7号", "农计财发〔2023〕7号", "农业农村部"),
    ("水规计〔2020〕12号", "水规计〔2020〕12号", "水利部"),
    ("交财审发〔2019〕41号", "交财审发〔2019〕41号", "交通运输部"),
    ("民发〔2021〕5号", "民发〔2021〕5号", "民政部"),
    ("中组发〔2020〕1号", "中组发〔2020〕1号", "中共中央组织部"),
    ("国函〔2021〕15号", "国函〔2021〕15号", "国务院"),
    ("法发〔2021〕1号", "法发〔2021〕1号", "最高人民法院"),
    ("高检发〔2020〕3号", "高检发〔2020〕3号", "最高人民检察院"),
    ("医保发〔2022〕20号", "医保发〔2022〕20号", "国家医疗保障局"),
])
def test_central_codes_name_their_organ(cell: str, number: str, issuer: str) -> None:
    assert _only(cell, JIANGSU) == (number, issuer, "central")


def test_a_code_an_organ_kept_through_a_rename_is_read_by_the_numbers_year() -> None:
    # 国卫 was 国家卫生和计划生育委员会's (2013-2017) and is 国家卫生健康委员会's (2018-): in 2018 either
    assert _only("国卫规划发〔2016〕5号")[1:] == ("国家卫生和计划生育委员会", "central")
    assert _only("国卫规划发〔2021〕5号")[1:] == ("国家卫生健康委员会", "central")
    assert _only("国卫规划发〔2018〕1号")[1:] == (None, "central")
    assert _only("交公路发〔2004〕164号")[1:] == ("交通部", "central")
    assert _only("交公路发〔2015〕1号")[1:] == ("交通运输部", "central")
    assert issuer_from_code("国卫办").name is None  # no year: the level only
    assert issuer_from_code("国卫办").level == "central"


def test_every_dated_code_has_an_undated_row_for_the_year_of_the_change() -> None:
    text = resources.files("kg.data").joinpath("issuers.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#")))
    by_pattern: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row["match"] == "code":
            by_pattern[row["pattern"]].append(row)
    dated = {pattern: group for pattern, group in by_pattern.items() if any(row.get("years") for row in group)}
    assert "国卫" in dated and "交公路发" in dated
    for pattern, group in dated.items():
        fallback = [row for row in group if not row.get("years")]
        assert len(fallback) == 1 and fallback[0]["issuer"] == "", pattern
        assert group[-1] is fallback[0], pattern  # listed last: a dated row that holds wins


# --- central organs by name -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "issuer"), [
    ("《全国人大常委会关于加强经济工作监督的决定》", "全国人大常委会"),
    ("《中央编办关于事业单位分类的意见》", "中央编办"),
    ("《最高人民检察院关于加强检察机关财务管理的意见》", "最高人民检察院"),
    ("《人力资源社会保障部 财政部关于调整退休人员基本养老金的通知》", "人力资源社会保障部"),
    ("《中国人民政治协商会议全国委员会办公厅关于印发委员履职管理办法的通知》", "中国人民政治协商会议全国委员会办公厅"),
])
def test_central_organs_printed_by_name(cell: str, issuer: str) -> None:
    assert _only(cell, JIANGSU) == (None, issuer, "central")


# --- organs named after a region of the gazetteer -----------------------------------------------------------------

@pytest.mark.parametrize(("name", "level"), [
    ("杭州市西湖区农业农村局", "county"),  # 西湖区 within 杭州市 (南昌 has one too: the county level either way)
    ("上海市静安区人民政府", "county"),  # the narrowest region, not 上海市's level
    ("重庆市万州区人民政府办公室", "county"),
    ("滁州市人民政府", "city"),
    ("中共南京市委员会", "city"),
    ("广西壮族自治区财政厅", "province"),
    ("江苏省高级人民法院", "province"),
])
def test_an_organ_named_after_regions_has_the_narrowest_ones_level(name: str, level: str) -> None:
    assert level_from_name(name) == level


def test_a_region_name_alone_or_an_unknown_place_gives_no_level() -> None:
    assert organ_level_by_gazetteer("滁州市") is None  # a place, not an organ
    assert level_from_name("白云山管理局") is None  # 白云山 is no division's name (白云区 is)


# --- local 代字 ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("agency", "region", "issuer", "level"), [
    ("津财预", RegionContext("天津市", None, "滨海新区"), "天津市财政局", "province"),  # a municipality's 局
    ("京教", RegionContext("北京市", None, "海淀区"), "北京市教育委员会", "province"),
    ("苏发改投资发", JIANGSU, "江苏省发展和改革委员会", "province"),  # not 苏发, 中共江苏省委's
    ("苏卫健发", JIANGSU, "江苏省卫生健康委员会", "province"),
    ("鲁公发", RegionContext("山东省", None, None), "山东省公安厅", "province"),
    ("沛农发", RegionContext("江苏省", "徐州市", "沛县"), "沛县农业农村局", "county"),  # the disclosure's own county
])
def test_local_codes_by_region_and_suffix(agency: str, region: RegionContext, issuer: str, level: str) -> None:
    found = issuer_from_code(agency, region)
    assert (found.name, found.level) == (issuer, level)


def test_a_chinese_numeral_in_brackets_opens_a_new_item() -> None:
    cell = ("（三）《徐州市高标准农田建设项目管理实施细则》（徐农规〔2021〕2号）；"
            "（四）沛县农业农村局关于2024年高标准农田建设项目立项的请示（沛农发〔2023〕66号）。")
    second = extract_citations(cell, RegionContext("江苏省", "徐州市", "沛县"))[1]
    assert (second.doc_number, second.issuer, second.issuer_level) == ("沛农发〔2023〕66号", "沛县农业农村局", "county")


# --- precision: what must stay unresolved ------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "教育〔2020〕1号",  # no organ's 代字 starts so
    "财务〔2020〕3号",  # 财 is 财政部's only with a known suffix (财预, 财库 …)
    "公发〔2020〕1号",  # 公安县's 发, and which central organ's is not certain: no row
])
def test_wrong_looking_or_ambiguous_codes_stay_unresolved(cell: str) -> None:
    assert _only(cell, JIANGSU)[1:] == (None, None)


def test_a_central_code_behind_a_province_is_the_provinces_not_the_ministrys() -> None:
    # 苏 + 教财: the province's education department (code_suffixes.csv's 教财 row since round 12), never 教育部
    assert _only("苏教财〔2020〕1号", JIANGSU)[1:] == ("江苏省教育厅", "province")


# --- coverage -------------------------------------------------------------------------------------------------

def test_coverage_counts_issuers_levels_and_lists_the_unresolved() -> None:
    citations = [c for cell in ("教财〔2021〕2号", "苏农机〔2020〕1号", "某某办〔2020〕3号")
                 for c in extract_citations(cell, JIANGSU)]
    coverage = measure(citations)
    assert (coverage.citations, coverage.with_issuer, coverage.with_level) == (3, 1, 2)
    assert dict(coverage.no_level) == {"代字 某某办": 1}
    assert dict(coverage.level_only) == {"代字 苏农机": 1}  # 苏 + a suffix no row names
    assert unresolved_key(citations[0]) == "代字 教财"


def test_a_clipped_cells_unknown_code_is_not_cut_at_a_central_codes_first_characters() -> None:
    # a clipped cell glues the title's remains to an unknown 代字: it starts where a known code's first two
    # characters do, near the end (教师 of 教师厅 and 中央 of 中央编办发 are words of the title here)
    from kg.citations.find import _clipped_agency

    assert _clipped_agency("开展教师培训晋自然资保函") == "晋自然资保函"
    assert _clipped_agency("落实中央财政资金自然资保函") == "自然资保函"


# --- relative issuers and branches of central services --------------------------------------------------------

@pytest.mark.parametrize(("phrase", "region", "completed"), [
    ("自治区财政厅", RegionContext("广西壮族自治区", None, None), "广西壮族自治区财政厅"),
    ("自治区人民政府", RegionContext("广西壮族自治区", "南宁市", None), "广西壮族自治区人民政府"),
    ("区政府", RegionContext("重庆市", None, "万州区"), "万州区人民政府"),
    ("区民政局", RegionContext("上海市", "市辖区", "普陀区"), "普陀区民政局"),
    # only where the region is one: 自治区 in 山西, 区 in a county; and no organ in 区域 or a 区委
    ("自治区财政厅", RegionContext("山西省", "晋城市", "沁水县"), "自治区财政厅"),
    ("区政府", RegionContext("山西省", "晋城市", "沁水县"), "区政府"),
    ("区域发展规划", RegionContext("重庆市", None, "万州区"), "区域发展规划"),
    ("区委办公室", RegionContext("重庆市", None, "万州区"), "中共万州区委办公室"),
])
def test_autonomous_regions_and_districts_complete_relative_issuers(phrase: str, region: RegionContext,
                                                                   completed: str) -> None:
    assert complete_relative(phrase, region) == completed


def test_a_guangxi_cell_names_its_finance_department_in_full() -> None:
    cell = "《自治区财政厅关于下达2023年中央财政衔接推进乡村振兴补助资金预算的通知》（桂财农〔2023〕45号）"
    assert _only(cell, RegionContext("广西壮族自治区", None, None)) == (
        "桂财农〔2023〕45号", "广西壮族自治区财政厅", "province")


@pytest.mark.parametrize(("name", "level"), [
    ("国家税务总局江苏省税务局", "province"),
    ("国家税务总局南京市玄武区税务局", "county"),
    ("国家税务总局", "central"),
    ("教育部浙江省教育厅", "central"),  # two organs glued, not a branch: the first one's level
])
def test_a_central_services_branch_has_its_regions_level(name: str, level: str) -> None:
    assert level_from_name(name) == level


def test_a_rows_years_are_read_or_refused_with_the_row_named() -> None:
    from kg.citations.resolve import parse_years

    assert parse_years("2009-") == (2009, None)
    assert parse_years("-2007") == (None, 2007)
    assert parse_years("2013-2017") == (2013, 2017)
    assert parse_years("") == (None, None)
    for wrong in ("2019", "-", "19-20", "2013–2017"):
        with pytest.raises(ValueError, match=r"issuers\.csv: row '国卫'"):
            parse_years(wrong, "国卫")


# --- context decides a 代字 a central organ shares with a place --------------------------------------------------

MINQUAN = RegionContext("河南省", "商丘市", "民权县")
FAKU = RegionContext("辽宁省", "沈阳市", "法库县")
HUANXIAN = RegionContext("甘肃省", "庆阳市", "环县")
QINGYANG = RegionContext("甘肃省", "庆阳市", None)
YINCHUAN = RegionContext("宁夏回族自治区", "银川市", None)
JIANHU = RegionContext("江苏省", "盐城市", "建湖县")


def _with_doubts(cell: str, region: RegionContext) -> tuple[str | None, str | None, str | None, list[str]]:
    (citation,) = extract_citations(cell, region)
    return citation.doc_number, citation.issuer, citation.issuer_level, citation.doubts


@pytest.mark.parametrize(("cell", "number", "issuer"), [
    ("环发〔2015〕4号", "环发〔2015〕4号", "环境保护部"),
    ("环发〔2005〕38号", "环发〔2005〕38号", "国家环境保护总局"),
    ("环办〔2014〕30号", "环办〔2014〕30号", "环境保护部办公厅"),
    ("环办环评〔2020〕3号", "环办环评〔2020〕3号", "生态环境部办公厅"),
    ("银发〔2020〕1号", "银发〔2020〕1号", "中国人民银行"),
    ("建办城〔2020〕5号", "建办城〔2020〕5号", "住房和城乡建设部办公厅"),
])
def test_codes_a_place_shares_are_the_central_organs_away_from_that_place(cell: str, number: str,
                                                                         issuer: str) -> None:
    assert _only(cell, JIANGSU) == (number, issuer, "central")


@pytest.mark.parametrize(("cell", "region", "shared"), [
    ("民发〔2021〕5号", MINQUAN, "民权县"),  # 民政部's, and 中共民权县委's in its own county
    ("法发〔2021〕1号", FAKU, "法库县"),
    ("环发〔2015〕4号", HUANXIAN, "环县"),
    ("环办〔2014〕30号", QINGYANG, "环县"),  # 环 is 环县 in its city's disclosures too
    ("银发〔2020〕1号", YINCHUAN, "银川市"),
    ("建办〔2020〕1号", JIANHU, "建湖县"),
])
def test_a_code_shared_with_the_disclosures_place_stays_unresolved_with_a_doubt(
        cell: str, region: RegionContext, shared: str) -> None:
    number, issuer, level, doubts = _with_doubts(cell, region)
    assert (number, issuer, level) == (cell, None, None)
    assert doubts == ["code-shared"]
    assert shared in issuer_from_code(cell.split("〔")[0], region, 2020).shared_with


@pytest.mark.parametrize(("cell", "region", "issuer", "level"), [
    ("《民政部关于加强养老服务的通知》（民发〔2021〕5号）", MINQUAN, "民政部", "central"),
    ("《民权县人民政府关于印发乡村振兴实施方案的通知》（民发〔2021〕5号）", MINQUAN, "民权县人民政府", "county"),
    ("《最高人民法院关于加强司法经费管理的意见》（法发〔2021〕1号）", FAKU, "最高人民法院", "central"),
    ("《中国人民银行关于做好金融支持乡村振兴的意见》（银发〔2020〕1号）", YINCHUAN, "中国人民银行", "central"),
])
def test_the_printed_issuer_decides_a_shared_code(cell: str, region: RegionContext, issuer: str,
                                                  level: str) -> None:
    (citation,) = extract_citations(cell, region)
    assert (citation.issuer, citation.issuer_level, citation.status) == (issuer, level, "both")
    assert "code-shared" not in citation.doubts


@pytest.mark.parametrize(("agency", "region", "issuer", "level"), [
    ("环政发", QINGYANG, "环县人民政府", "county"),  # the place's own codes resolve in its city
    ("银政发", YINCHUAN, "银川市人民政府", "city"),
    ("建政发", RegionContext("江苏省", "盐城市", None), "建湖县人民政府", "county"),
    ("环办环评", HUANXIAN, "生态环境部办公厅", "central"),  # 办环评 is no local organ's suffix
])
def test_a_shared_codes_place_and_organ_each_keep_their_unshared_codes(agency: str, region: RegionContext,
                                                                       issuer: str, level: str) -> None:
    found = issuer_from_code(agency, region, 2020)
    assert (found.name, found.level) == (issuer, level)


# --- the disclosure's own place before a wider abbreviation ----------------------------------------------------

@pytest.mark.parametrize(("agency", "region", "issuer", "level"), [
    ("临政发", RegionContext("山西省", "吕梁市", "临县"), "临县人民政府", "county"),  # 临 is 临汾市 elsewhere in 山西
    ("临政发", RegionContext("山西省", "临汾市", None), "临汾市人民政府", "city"),
    ("临政发", RegionContext("山西省", "忻州市", "原平市"), "临汾市人民政府", "city"),
    ("宿政发", RegionContext("江苏省", "宿迁市", "宿豫区"), "宿迁市人民政府", "city"),  # 宿 names the district's city
])
def test_the_disclosures_own_county_reads_a_code_a_city_of_its_province_also_starts(
        agency: str, region: RegionContext, issuer: str, level: str) -> None:
    found = issuer_from_code(agency, region)
    assert (found.name, found.level) == (issuer, level)


def test_a_linxian_cell_cites_its_own_countys_government() -> None:
    cell = "县政府（2022）15号吕梁市人民政府关于临县2022年度第一批次城镇建设用地的批复，临政发〔2022〕21号"
    last = extract_citations(cell, RegionContext("山西省", "吕梁市", "临县"))[-1]
    assert (last.doc_number, last.issuer, last.issuer_level) == ("临政发〔2022〕21号", "临县人民政府", "county")


@pytest.mark.parametrize(("agency", "region", "issuer"), [
    ("宁政发", RegionContext("浙江省", "宁波市", None), "宁波市人民政府"),  # not 宁夏's, another province
    ("青政发", RegionContext("山东省", "青岛市", None), "青岛市人民政府"),  # not 青海's
    ("宁政发", RegionContext("宁夏回族自治区", "银川市", None), "宁夏回族自治区人民政府"),
    ("晋政发", RegionContext("山西省", "晋城市", None), "山西省人民政府"),  # the city's own codes are 晋市…
])
def test_another_provinces_abbreviation_yields_to_the_disclosures_own_city(agency: str, region: RegionContext,
                                                                          issuer: str) -> None:
    assert issuer_from_code(agency, region).name == issuer


def test_a_district_name_two_cities_share_is_read_inside_the_disclosures_province() -> None:
    from kg.citations.resolve import region_of_name

    zhoushan = region_of_name("普陀区人民政府", RegionContext("浙江省", "舟山市", "普陀区"))
    shanghai = region_of_name("普陀区人民政府", RegionContext("上海市", None, "普陀区"))
    assert zhoushan is not None and (zhoushan.region_code, zhoushan.level) == ("330903", "county")
    assert shanghai is not None and shanghai.region_code == "310107"
    assert region_of_name("普陀区人民政府") is None  # two districts, no context: neither
    assert region_of_name("泽州县人民政府").name == "泽州县"  # one 泽州县 in China: anywhere


# --- 国家 only starts a central organ's name ------------------------------------------------------------------

@pytest.mark.parametrize(("name", "level"), [
    ("国家林业和草原局", "central"),
    ("国家税务总局", "central"),
    ("国家税务总局江苏省税务局", "province"),
    ("国家乡村振兴局关于做好2022年脱贫人口稳岗就业工作的通知", "central"),
    ("国家级湿地公园总体规划", None),
    ("国家重点生态功能区县域生态环境质量监测评价与考核办法", None),
    ("国家级自然保护区管理局", None),
])
def test_guojia_names_a_central_organ_only_when_the_name_is_an_organs(name: str, level: str | None) -> None:
    assert level_from_name(name) == level


def test_a_national_park_plan_printed_without_issuer_gets_no_central_level() -> None:
    (citation,) = extract_citations("《国家级湿地公园总体规划》", RegionContext("江西省", "赣州市", None))
    assert (citation.issuer, citation.issuer_level) == (None, None)


# --- city abbreviations -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("agency", "region", "issuer"), [
    ("赣市府发", RegionContext("江西省", "赣州市", None), "赣州市人民政府"),
    ("赣市府发", RegionContext("江西省", None, None), "赣州市人民政府"),
    ("延市政办函", RegionContext("陕西省", "延安市", None), "延安市人民政府办公室"),
    ("赣府字", RegionContext("江西省", "赣州市", None), "江西省人民政府"),
])
def test_city_abbreviations_with_shi(agency: str, region: RegionContext, issuer: str) -> None:
    found = issuer_from_code(agency, region)
    assert (found.name, found.level) == (issuer, "city" if "市" in agency else "province")


# --- the organ right before a title in prose, not the clause around it ------------------------------------------

def test_a_court_disclosures_prose_names_the_supreme_court_before_its_rules_and_keeps_its_number_apart() -> None:
    # js_high_court_2018_dept.txt:67-69 “19、徐州铁路法院：依法受理最高人民法院《关于铁路运输法院案件管理范围的若干
    # 规定》指定的专属管理案件；根据最高人民法院法释（2012）10 号文的规定…”: the organ before the 《 is 最高人民法院,
    # and the number after the ； is another document (法释 is the court's interpretations, not its 规定)
    text = "".join(_line("js_high_court_2018_dept", n) for n in (67, 68, 69))
    found = [(c.title, c.doc_number, c.issuer, c.issuer_level) for c in extract_citations(text, JIANGSU)]
    assert found == [("关于铁路运输法院案件管理范围的若干规定", None, "最高人民法院", "central"),
                     (None, "法释〔2012〕10号", "最高人民法院", "central")]


def test_the_organ_after_yiju_issues_the_number_not_the_court_that_follows_it() -> None:
    # js_high_court_2018_dept.txt:165-166 “江苏省高级人民法院依据省财政厅苏财预[2017]82 号《江苏省财政厅关于编制…》”
    text = "".join(_line("js_high_court_2018_dept", n) for n in (165, 166))
    first = extract_citations(text, JIANGSU)[0]
    assert (first.doc_number, first.issuer, first.issuer_level) == ("苏财预〔2017〕82号", "江苏省财政厅", "province")


@pytest.mark.parametrize(("cell", "issuer"), [
    ("山西省自然资源厅、山西省财政厅《关于下达资金的通知》", "山西省自然资源厅"),  # joint issuers: the first
    ("按照县政府《关于加快推进高标准农田建设的实施意见》", "沁水县人民政府"),
])
def test_organ_phrases_before_a_title_keep_their_lead_organ(cell: str, issuer: str) -> None:
    (citation,) = extract_citations(cell, RegionContext("山西省", "晋城市", "沁水县"))
    assert citation.issuer == issuer


@pytest.mark.parametrize(("phrase", "region", "completed"), [
    ("省委办公厅", JIANGSU, "中共江苏省委办公厅"),  # one node per province's office, not one 省委办公厅 for all
    ("市委办公室", RegionContext("江苏省", "徐州市", None), "中共徐州市委办公室"),
    ("县委组织部", RegionContext("山西省", "晋城市", "泽州县"), "中共泽州县委组织部"),
    ("省委", RegionContext("山东省", None, None), "中共山东省委"),
    ("县长", RegionContext("山西省", "晋城市", "泽州县"), "县长"),  # a leader, not an organ
])
def test_a_party_committee_named_relatively_is_the_regions(phrase: str, region: RegionContext,
                                                            completed: str) -> None:
    assert complete_relative(phrase, region) == completed
