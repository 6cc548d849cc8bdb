"""机关代字 of all 31 provinces and their common departments, and of the central organs (round 12).

The samples are Shanxi's; a disclosure from any other province cites its own government, party committee and
departments by their 代字. The expected organs are the ones each province's documents name themselves (the
province's 人民政府, 中共…委员会, 财政厅 — 财政局 in a municipality). Knowledge is in kg/data (region_codes.csv,
code_suffixes.csv, issuers.csv); these tests read it through the reader, with a number as a cell prints it.
"""

from __future__ import annotations

import pytest

from kg.citations import RegionContext, extract_citations
from kg.citations.resolve import issuer_from_code

# abbreviation → the region's name, for the 31 provinces and the other abbreviations in use (滇 蜀 贵 内)
PROVINCES = {
    "京": "北京市", "津": "天津市", "冀": "河北省", "晋": "山西省", "蒙": "内蒙古自治区", "内": "内蒙古自治区",
    "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "沪": "上海市", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
    "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省", "粤": "广东省",
    "桂": "广西壮族自治区", "琼": "海南省", "渝": "重庆市", "川": "四川省", "蜀": "四川省", "黔": "贵州省",
    "贵": "贵州省", "云": "云南省", "滇": "云南省", "藏": "西藏自治区", "陕": "陕西省", "甘": "甘肃省", "青": "青海省",
    "宁": "宁夏回族自治区", "新": "新疆维吾尔自治区",
}
MUNICIPALITIES = {"北京市", "天津市", "上海市", "重庆市"}
# Shanxi's and Jiangsu's committees are listed in issuers.csv by their short names (中共山西省委)
SHORT_COMMITTEES = {"晋": "中共山西省委", "苏": "中共江苏省委"}


def _expected(abbreviation: str, suffix: str) -> str:
    region = PROVINCES[abbreviation]
    municipality = region in MUNICIPALITIES
    committee = SHORT_COMMITTEES.get(abbreviation, f"中共{region}委员会")
    finance = region + ("财政局" if municipality else "财政厅")
    return {
        "政发": f"{region}人民政府", "府发": f"{region}人民政府", "政办发": f"{region}人民政府办公厅",
        "发": committee, "办发": committee + "办公厅", "党发": f"中共{region}委员会",
        "党办发": f"中共{region}委员会办公厅",
        "财预": finance, "财库": finance,
        "发改": f"{region}发展和改革委员会", "人社": region + ("人力资源和社会保障局" if municipality else
                                                          "人力资源和社会保障厅"),
        "税发": f"国家税务总局{region}税务局",
    }[suffix]


@pytest.mark.parametrize("abbreviation", sorted(PROVINCES))
@pytest.mark.parametrize("suffix", ["政发", "府发", "政办发", "发", "办发", "党发", "党办发", "财预", "财库", "发改",
                                    "人社", "税发"])
def test_every_province_and_its_common_organs(abbreviation: str, suffix: str) -> None:
    code = abbreviation + suffix
    [citation] = extract_citations(f"{code}〔2021〕7号")
    assert (citation.doc_number, citation.issuer, citation.issuer_level) == (
        f"{code}〔2021〕7号", _expected(abbreviation, suffix), "province")


@pytest.mark.parametrize(("cell", "region", "issuer"), [
    # the forms a province prints its own organs with, in a disclosure of that province
    ("内政发〔2020〕1号", RegionContext("内蒙古自治区", "呼和浩特市", "新城区"), "内蒙古自治区人民政府"),
    ("内党办发〔2021〕9号", RegionContext("内蒙古自治区", "呼和浩特市", "新城区"), "中共内蒙古自治区委员会办公厅"),
    ("川委发〔2021〕2号", RegionContext("四川省", "成都市", "锦江区"), "中共四川省委员会"),
    ("浙委办发〔2021〕23号", RegionContext("浙江省", "杭州市", "西湖区"), "中共浙江省委员会办公厅"),
    ("闽委办发〔2022〕4号", RegionContext("福建省", "福州市", "鼓楼区"), "中共福建省委员会办公厅"),
    ("渝府发〔2022〕12号", RegionContext("重庆市", None, "万州区"), "重庆市人民政府"),
    ("粤府办〔2020〕9号", RegionContext("广东省", "广州市", "天河区"), "广东省人民政府办公厅"),
    ("琼府〔2019〕13号", RegionContext("海南省", "海口市", "美兰区"), "海南省人民政府"),
    ("赣府发〔2021〕3号", RegionContext("江西省", "南昌市", "东湖区"), "江西省人民政府"),
    ("黔府办发〔2022〕5号", RegionContext("贵州省", "贵阳市", "南明区"), "贵州省人民政府办公厅"),
    ("滇政发〔2020〕1号", RegionContext("云南省", "昆明市", "五华区"), "云南省人民政府"),
    ("宁党发〔2021〕4号", RegionContext("宁夏回族自治区", "银川市", "兴庆区"), "中共宁夏回族自治区委员会"),
    ("新党办发〔2021〕6号", RegionContext("新疆维吾尔自治区", "乌鲁木齐市", "天山区"),
     "中共新疆维吾尔自治区委员会办公厅"),
    ("藏政发〔2021〕8号", RegionContext("西藏自治区", "拉萨市", "城关区"), "西藏自治区人民政府"),
    # departments
    ("鄂教财〔2022〕3号", None, "湖北省教育厅"),
    ("京教〔2022〕3号", None, "北京市教育委员会"),
    ("川退役军人发〔2021〕5号", None, "四川省退役军人事务厅"),
    ("粤国资发〔2020〕2号", None, "广东省人民政府国有资产监督管理委员会"),
    ("湘团发〔2022〕1号", None, "共青团湖南省委员会"),
    ("皖人社厅发〔2021〕4号", None, "安徽省人力资源和社会保障厅"),
    ("豫财综字〔2022〕8号", None, "河南省财政厅"),
])
def test_provinces_print_their_own_forms(cell: str, region: RegionContext | None, issuer: str) -> None:
    [citation] = extract_citations(cell, region)
    assert (citation.issuer, citation.issuer_level, citation.status) == (issuer, "province", "number")


@pytest.mark.parametrize(("code", "year", "issuer"), [
    ("国发", 2021, "国务院"), ("国办发", 2021, "国务院办公厅"), ("中发", 2021, "中共中央"),
    ("中办发", 2019, "中共中央办公厅"), ("厅字", 2019, "中共中央办公厅"), ("财预", 2021, "财政部"),
    ("财教", 2021, "财政部"), ("财社", 2021, "财政部"), ("财农", 2021, "财政部"),
    ("发改投资", 2021, "国家发展和改革委员会"),
    ("发改农经", 2021, "国家发展和改革委员会"), ("农发", 2021, "农业农村部"), ("农发", 2016, "农业部"),
    ("林规发", 2020, "国家林业和草原局"), ("林规发", 2016, "国家林业局"), ("国粮", 2020, "国家粮食和物资储备局"),
    ("国知发", 2020, "国家知识产权局"), ("中青发", 2021, "共青团中央"), ("总工发", 2021, "中华全国总工会"),
    ("残联发", 2021, "中国残疾人联合会"),
])
def test_central_organs_by_their_code(code: str, year: int, issuer: str) -> None:
    [citation] = extract_citations(f"{code}〔{year}〕3号")
    assert (citation.doc_number, citation.issuer, citation.issuer_level) == (f"{code}〔{year}〕3号", issuer, "central")


def test_a_renamed_organs_code_in_the_year_of_the_change_gives_the_level_only() -> None:
    # 国家林业局 became 国家林业和草原局 in 2018: a 2018 number is either's
    issuer = issuer_from_code("林规发", year=2018)
    assert (issuer.name, issuer.level) == (None, "central")


@pytest.mark.parametrize("cell", ["峰发〔2019〕12号", "《关于加快发展的通知》（峰发〔2019〕12号）",
                                  "根据峰政〔2019〕12号文件精神"])
def test_a_number_whose_issuer_is_unknown_is_kept(cell: str) -> None:
    [citation] = extract_citations(cell, RegionContext("河南省", "郑州市", "金水区"))
    assert citation.doc_number in ("峰发〔2019〕12号", "峰政〔2019〕12号")
    assert (citation.issuer, citation.issuer_level, citation.number_form) == (None, None, "document")
    assert citation.status in ("number", "both")
