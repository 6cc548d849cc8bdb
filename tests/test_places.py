"""kg.places on the seeds: regions, the townships each document names (with codes), project links, traps."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kg.build import rdf_places
from kg.places import (
    Gazetteer,
    PlaceMention,
    Region,
    find_places,
    link_disclosure,
    load_gazetteer,
    read_division_file,
    resolve_region,
    village_path,
)
from kg.places.gazetteer import DIVISIONS_PATH
from kg.places.link import PlaceLinks
from kg.records import Disclosure, PerformanceTable, ProjectRow, SourceDocument, Span

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "places"
DEPARTMENTS = {
    "qinshui2024": "沁水县自然资源局本级",
    "zezhou2025": "泽州县自然资源局",
    "xingxian2025": "兴县自然资源局",
    "yangquan2022": "阳泉市规划和自然资源局机关本级",
    "zezhou2026": "泽州县自然资源局",
}
ZEZHOU_ALL = {
    "140525100": "南村镇", "140525101": "下村镇", "140525102": "大东沟镇", "140525103": "周村镇",
    "140525104": "犁川镇", "140525105": "晋庙铺镇", "140525106": "金村镇", "140525107": "高都镇",
    "140525108": "巴公镇", "140525109": "大阳镇", "140525110": "山河镇", "140525111": "大箕镇",
    "140525112": "柳树口镇", "140525113": "北义城镇", "140525114": "川底镇", "140525115": "南岭镇",
}
# read by hand from the seeds (grep 镇/乡/街道/站/政府 and the context of each hit)
EXPECTED_TOWNSHIPS = {
    # all twelve current townships (2287 lists them) and 苏庄乡, merged away since (2317)
    "qinshui2024": {
        "140521100": "龙港镇", "140521101": "中村镇", "140521102": "郑庄镇", "140521103": "端氏镇",
        "140521104": "嘉峰镇", "140521105": "郑村镇", "140521106": "柿庄镇", "140521201": "土沃乡",
        "140521202": "张村乡", "140521203": "苏庄乡", "140521204": "胡底乡", "140521205": "固县乡",
        "140521206": "十里乡",
    },
    # line 72 lists the sixteen 基层工作站 by township (下村站…东沟站…柳树口站)
    "zezhou2025": ZEZHOU_ALL,
    "zezhou2026": ZEZHOU_ALL,
    # line 85: the 综合行政执法队's 中队 (城区中队 is no township)
    "xingxian2025": {
        "141123100": "蔚汾镇", "141123101": "魏家滩镇", "141123102": "瓦塘镇", "141123103": "康宁镇",
        "141123106": "蔡家会镇", "141123204": "奥家湾乡", "141123205": "蔡家崖乡", "141123207": "孟家坪乡",
    },
    "yangquan2022": {},
}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    # never the user's downloaded villages: the tests must read the same on every machine
    return load_gazetteer(villages=FIXTURES / "no-villages.tsv.gz")


@pytest.fixture(scope="module")
def regions(sources: dict[str, SourceDocument], gazetteer: Gazetteer) -> dict[str, Region]:
    out = {}
    for key, department in DEPARTMENTS.items():
        region = resolve_region(department, (line.text for line in sources[key].lines), gazetteer=gazetteer)
        assert region is not None
        out[key] = region
    return out


@pytest.fixture(scope="module")
def mentions(sources: dict[str, SourceDocument], regions: dict[str, Region],
             gazetteer: Gazetteer) -> dict[str, list[PlaceMention]]:
    return {key: [mention for line in sources[key].lines
                  for mention in find_places(line.text, regions[key], "text", line.number, gazetteer=gazetteer)]
            for key in sources}


# --- the shipped division file ------------------------------------------------------------------

def test_shipped_file_is_compact_and_complete(gazetteer: Gazetteer) -> None:
    assert DIVISIONS_PATH.stat().st_size < 3_000_000
    assert gazetteer.get("14").name == "山西省"
    assert gazetteer.get("140525112").name == "柳树口镇"
    assert gazetteer.get("140525112").parent == "140525"
    assert len(gazetteer.at_level("province")) == 31
    assert len([d for d in gazetteer.at_level("township") if not d.former]) > 38_000
    # 川底乡 became 川底镇 (new code); 苏庄乡 was merged away
    assert gazetteer.get("140525200").successor == "140525114"
    assert gazetteer.get("140521203").former and gazetteer.get("140521203").successor is None
    assert [d.code for d in gazetteer.find("兴县", level="county")] == ["141123"]


def test_village_loader_on_fixture() -> None:
    gazetteer = load_gazetteer(villages=FIXTURES / "villages.tsv")
    assert gazetteer.has_villages
    assert gazetteer.get("140525112212").name == "东南庄村"
    assert gazetteer.get("140525112212").level == "village"
    region = resolve_region("泽州县自然资源局", [], gazetteer=gazetteer)
    found = find_places("驻村工作队经费(柳树口镇东南庄村)", region, "project_name", 394, gazetteer=gazetteer)
    assert [(m.text, m.code, m.level) for m in found] == [
        ("柳树口镇", "140525112", "township"), ("东南庄村", "140525112212", "village")]
    assert len(read_division_file(FIXTURES / "villages.tsv")) == 5


def test_village_path_follows_environment(tmp_path: Path) -> None:
    assert village_path({"BUDGET_KG_DATA": str(tmp_path)}) == tmp_path / "villages.tsv.gz"
    assert village_path({}).parts[-3:] == (".cache", "budget-kg", "villages.tsv.gz")


# --- regions --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "expected"), [
    ("qinshui2024", ("山西省", "晋城市", "沁水县", "140521")),
    ("zezhou2025", ("山西省", "晋城市", "泽州县", "140525")),
    ("xingxian2025", ("山西省", "吕梁市", "兴县", "141123")),
    ("yangquan2022", ("山西省", "阳泉市", None, "1403")),
    ("zezhou2026", ("山西省", "晋城市", "泽州县", "140525")),
])
def test_region_from_department_and_from_text_alone(key: str, expected: tuple, regions: dict[str, Region],
                                                    sources: dict[str, SourceDocument],
                                                    gazetteer: Gazetteer) -> None:
    from_text = resolve_region(None, (line.text for line in sources[key].lines), gazetteer=gazetteer)
    for region in (regions[key], from_text):
        assert region is not None
        county = region.county.name if region.county else None
        assert (region.province.name, region.city.name, county, region.code) == expected


def test_region_of_a_district_and_an_unknown_department(gazetteer: Gazetteer) -> None:
    district = resolve_region("阳泉市郊区自然资源局", [], gazetteer=gazetteer)
    assert district.county.code == "140311"
    assert resolve_region("长兴县财政局", [], gazetteer=gazetteer).county.code == "330522"
    assert resolve_region("某某局", ["没有地名的文本"], gazetteer=gazetteer) is None


# --- townships each seed names --------------------------------------------------------------------

@pytest.mark.parametrize("key", list(EXPECTED_TOWNSHIPS))
def test_townships_named_by_each_seed(key: str, mentions: dict[str, list[PlaceMention]]) -> None:
    named = {m.code: m.name for m in mentions[key] if m.level == "township"}
    assert named == EXPECTED_TOWNSHIPS[key]


def test_city_level_document_names_its_counties(mentions: dict[str, list[PlaceMention]]) -> None:
    counties = {(m.code, m.line) for m in mentions["yangquan2022"] if m.level == "county"}
    assert {("140321", 599), ("140321", 1227), ("140321", 1229)} <= counties


def test_misprinted_townships_are_corrected_and_kept_as_printed(
        mentions: dict[str, list[PlaceMention]]) -> None:
    corrected = {(m.text, m.code, m.line) for key in ("zezhou2025", "zezhou2026") for m in mentions[key]
                 if m.corrected}
    assert ("柳村口镇", "140525112", 830) in corrected  # zezhou2025 perf table of 驻村工作队经费
    assert ("巴工镇", "140525108", 973) in corrected
    assert ("太阳镇", "140525109", 488) in corrected  # in a list of townships of 泽州县
    assert all(m.how == "corrected" for key in mentions for m in mentions[key] if m.corrected)
    # nothing exact is marked corrected
    assert not any(m.corrected for m in mentions["qinshui2024"] + mentions["xingxian2025"])


def test_abbreviations_only_before_a_government_word(mentions: dict[str, list[PlaceMention]]) -> None:
    qinshui = {(m.text, m.code, m.line) for m in mentions["qinshui2024"] if m.how == "abbreviation"}
    assert ("龙港", "140521100", 1441) in qinshui  # 由龙港政府为主办方
    assert ("郑庄", "140521102", 2317) in qinshui  # 挂钩郑庄等6个(乡)镇项目区
    # 下苏庄 (a village of 龙港镇) is not the former 苏庄乡
    assert not any(m.line == 442 and m.code == "140521203" for m in mentions["qinshui2024"])
    # 东沟站 is the 大东沟镇 station
    assert ("东沟", "140525102", 72) in {(m.text, m.code, m.line) for m in mentions["zezhou2025"]}
    # 丹河新城金村起步区 and 义井河 are no township mentions
    assert not any(m.line == 1048 for m in mentions["zezhou2026"])
    assert not any(m.line == 821 for m in mentions["yangquan2022"])


def test_former_township_is_kept_with_a_flag(mentions: dict[str, list[PlaceMention]]) -> None:
    former = [m for m in mentions["qinshui2024"] if m.former]
    assert [(m.text, m.code, m.line, m.how) for m in former] == [("苏庄乡", "140521203", 2317, "exact")]


def test_renamed_former_name_links_to_the_current_township(regions: dict[str, Region],
                                                           gazetteer: Gazetteer) -> None:
    [mention] = find_places("川底乡政府", regions["zezhou2025"], "text", 1, gazetteer=gazetteer)
    assert (mention.code, mention.name, mention.former, mention.former_code) == (
        "140525114", "川底镇", True, "140525200")


def test_unlisted_township_after_the_county_name(regions: dict[str, Region], gazetteer: Gazetteer) -> None:
    found = find_places("沁水县樊庄乡旧址", regions["qinshui2024"], "text", 5, gazetteer=gazetteer)
    assert [(m.text, m.code, m.former, m.how) for m in found] == [("樊庄乡", None, True, "unlisted")]
    assert find_places("兴县八个乡三维地形图测绘", regions["xingxian2025"], "text", 401,
                       gazetteer=gazetteer) == []


def test_no_places_from_city_and_country_words(regions: dict[str, Region], gazetteer: Gazetteer) -> None:
    lines = (FIXTURES / "traps.txt").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        for key in ("qinshui2024", "zezhou2026", "xingxian2025"):
            assert find_places(line, regions[key], "text", number, gazetteer=gazetteer) == [], line


def test_no_mention_sits_in_a_non_place_word(sources: dict[str, SourceDocument],
                                            mentions: dict[str, list[PlaceMention]]) -> None:
    for key, found in mentions.items():
        text_of = {line.number: line.text for line in sources[key].lines}
        for mention in found:
            assert text_of[mention.line][mention.start:mention.end] == mention.text
            assert mention.text not in {"城乡", "城镇", "乡村", "乡镇", "集镇"}


# --- project links --------------------------------------------------------------------------------

def _project(name: str, amount: str, line: int, file: str) -> ProjectRow:
    return ProjectRow(name=name, unit_name=None, total=Decimal(amount), by_source={"general_budget": Decimal(amount)},
                      carried_over=False, printed_unit="万元", span=Span(file, line, line))


def _performance(project: str, first_line: int, file: str, **texts: str) -> PerformanceTable:
    spans = {name: Span(file, line, line) for name, line in texts.pop("lines", {}).items()}  # type: ignore[union-attr]
    fields = {name: texts.get(name, "") for name in ("overview", "basis", "necessity", "measures", "plan",
                                                       "goal_period", "goal_year")}
    return PerformanceTable(kind="project", project_name=project, department=None, department_code=None,
                            implementing_unit=None, attribute=None, period=None, funds={}, indicators=[],
                            span=Span(file, first_line, first_line + 20), field_spans=spans,
                            matched_project=project, match_method="exact", **fields)


def test_link_disclosure_qinshui(sources: dict[str, SourceDocument], regions: dict[str, Region],
                                 gazetteer: Gazetteer) -> None:
    source = sources["qinshui2024"]
    file = source.name
    text = {line.number: line.cells for line in source.lines}
    subsidence = "沁水县采煤沉陷区庄拆除复垦工作资金"
    beishansi = "沁水县龙港镇北山寺生活区高陡边坡应急治理工程"
    disclosure = Disclosure(
        source=source, title=None, department="沁水县自然资源局", org_code="261",
        unit_name="沁水县自然资源局本级", scope="unit", fiscal_year=2024,
        projects=[_project(subsidence, "210.41", 436, file), _project(beishansi, "10.56", 438, file),
                  _project("乡镇级国土空间总体规划工作经费", "300.00", 426, file)],
        performance=[
            _performance(subsidence, 1162, file, overview=text[1171][2], lines={"overview": 1171}),
            _performance(beishansi, 1429, file, overview=text[1438][2], basis=text[1439][2],
                         measures=text[1441][2], lines={"overview": 1438, "basis": 1439, "measures": 1441}),
        ])
    links = link_disclosure(disclosure, regions["qinshui2024"], gazetteer=gazetteer)
    assert links.places() == EXPECTED_TOWNSHIPS["qinshui2024"]
    pairs = {(link.project, link.code) for link in links.project_links}
    assert pairs == {
        (subsidence, "140521100"), (subsidence, "140521101"), (subsidence, "140521103"),
        (subsidence, "140521105"), (beishansi, "140521100")}
    beishansi_link = next(link for link in links.project_links if link.project == beishansi)
    assert {(m.field, m.line) for m in beishansi_link.evidence} == {
        ("project_name", 438), ("overview", 1438), ("basis", 1439), ("measures", 1441)}  # 由龙港政府为主办方
    # 乡镇级 in a project name is no place
    assert links.projects_at("140521206") == []


def test_link_disclosure_zezhou_corrected_link(sources: dict[str, SourceDocument], regions: dict[str, Region],
                                               gazetteer: Gazetteer) -> None:
    source = sources["zezhou2025"]
    file = source.name
    text = {line.number: line.cells for line in source.lines}
    village_team = "驻村工作队经费(柳树口镇东南庄村)"
    disclosure = Disclosure(
        source=source, title=None, department="泽州县自然资源局", org_code="080", unit_name=None,
        scope="department", fiscal_year=2025,
        projects=[_project(village_team, "1.50", 394, file), _project("国土收益业务费", "300.00", 393, file)],
        performance=[_performance(village_team, 830, file, overview=text[839][2], lines={"overview": 839})])
    links = link_disclosure(disclosure, regions["zezhou2025"], gazetteer=gazetteer)
    assert links.places() == ZEZHOU_ALL
    [link] = links.project_links
    assert (link.project, link.code, link.name) == (village_team, "140525112", "柳树口镇")
    assert [(m.text, m.field, m.line, m.corrected) for m in link.evidence] == [
        ("柳树口镇", "project_name", 394, False), ("柳村口镇", "overview", 839, True)]
    assert any(n.code == "place-corrected" and n.line == 830 for n in links.notices)


def test_city_document_counties_corrected_and_generic(mentions: dict[str, list[PlaceMention]]) -> None:
    line_599 = [(m.text, m.code, m.how) for m in mentions["yangquan2022"] if m.line == 599]
    # (孟县、平定县、阳泉市郊区范围内): 孟县 is 盂县 misprinted; 郊区 counts after 阳泉市 only
    # the 实施期 and 年度 cells print the same sentence
    assert line_599 == [("孟县", "140322", "corrected"), ("平定县", "140321", "exact"),
                        ("郊区", "140311", "exact")] * 2
    assert not any(m.line == 1215 for m in mentions["yangquan2022"])  # 郊区人均工资: no parent named


def test_build_script_merges_former_rows() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_divisions", Path(__file__).resolve().parent.parent
                                                  / "scripts" / "build_divisions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = {"140525": ("泽州县", "county", "1405"), "140525114": ("川底镇", "township", "140525")}
    former = {"140525200": ("川底乡", "township", "140525"), "140525201": ("李寨乡", "township", "140525"),
              "140525114": ("川底镇", "township", "140525")}
    rows = module.merge(current, former)
    assert ("140525200", "川底乡", "township", "140525", "former", "140525114") in rows
    assert ("140525201", "李寨乡", "township", "140525", "former", "") in rows
    assert len(rows) == 4
    assert module.village_name("东南庄村委会") == "东南庄村"
    assert module.village_name("杨河社区居委会") == "杨河社区"


def test_townships_named_in_the_implementation_plan_qinshui2024_2274() -> None:
    # 乡镇级国土空间总体规划工作经费 names none of its townships in its name, 概况 or 立项依据: its 项目实施计划
    # (line 2287) lists them — 端氏镇、嘉峰镇…土沃乡(含张村乡), the "10" of its "1+10" plans.
    from kg.build import extract_document
    from tests.conftest import SAMPLE_FILES, SAMPLES

    document = extract_document(SAMPLES / SAMPLE_FILES["qinshui2024"])
    assert document.places is not None
    links = [link for link in document.places.project_links if link.project == "乡镇级国土空间总体规划工作经费"]
    assert sorted(link.name for link in links) == sorted(
        ["端氏镇", "嘉峰镇", "郑村镇", "郑庄镇", "胡底乡", "柿庄镇", "固县乡", "十里乡", "中村镇", "土沃乡", "张村乡"])
    assert {(m.field, m.line) for link in links for m in link.evidence} == {("plan", 2287)}
    tuwo = next(link for link in links if link.name == "土沃乡")
    assert tuwo.code == "140521201"


def test_a_district_name_shared_across_provinces_is_settled_by_the_name_itself():
    from kg.places import resolve_region

    shanghai = resolve_region("上海市普陀区商务委员会", [])
    assert (shanghai.county.code, shanghai.ambiguous) == ("310107", False)  # not 舟山市普陀区 330903
    nanchang = resolve_region("南昌市西湖区财政局", [])
    assert (nanchang.county.code, nanchang.ambiguous) == ("360103", False)  # not 杭州市西湖区
    bare = resolve_region("普陀区商务委员会", [])
    assert bare.ambiguous and bare.alternatives == ("330903",)  # nothing says which: flagged


def _chain(place) -> list[tuple[str, str]]:
    out = []
    while place is not None:
        out.append((place.code, place.level))
        place = place.parent
    return out


def _township_mention(code: str, name: str, line: int) -> PlaceMention:
    return PlaceMention(name, 0, len(name), code, name, "township", corrected=False, former=False, field="text",
                        line=line, how="exact")


def test_a_township_lies_in_its_own_county_and_a_city_without_counties_is_one_place(gazetteer: Gazetteer) -> None:
    # a city's department names a township of one of its counties: that county contains it, not the city
    yangquan = Region(gazetteer.get("14"), gazetteer.get("1403"), None, "department")
    found = PlaceLinks(yangquan, [_township_mention("140321100", "冠山镇", 12)], [])
    links = rdf_places(found, "yangquan.txt")
    assert _chain(links.region) == [("140300", "city"), ("140000", "province")]
    assert _chain(links.mentioned[0].place) == [("140321100", "township"), ("140321", "county"),
                                                ("140300", "city"), ("140000", "province")]
    # 东莞市 has no counties: its towns are listed under a county-level 东莞市 of the same code, one place that
    # does not contain itself
    dongguan = Region(gazetteer.get("44"), gazetteer.get("4419"), gazetteer.get("441900"), "department")
    links = rdf_places(PlaceLinks(dongguan, [_township_mention("441900107", "桥头镇", 30)], []), "dongguan.txt")
    assert _chain(links.mentioned[0].place) == [("441900107", "township"), ("441900", "county"),
                                                ("440000", "province")]
    assert links.region == links.mentioned[0].place.parent
