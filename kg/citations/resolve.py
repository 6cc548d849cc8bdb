"""Issuer and level of a cited document, from its 机关代字 or the issuer phrase printed before its title.

The knowledge is ``kg/data/issuers.csv`` (organs) and ``region_codes.csv`` (region abbreviations and names);
this module only looks it up. Short codes that only mean something inside one region (泽 = 泽州县 inside 晋城市)
carry a ``scope`` and need a matching ``RegionContext``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Generic, TypeVar

from kg.citations.knowledge import (
    RegionRule,
    code_suffixes,
    context_regions,
    number_knowledge,
    region_names,
    region_rules,
)
from kg.citations.models import IssuerLevel, RegionContext

if TYPE_CHECKING:
    from kg.places.gazetteer import Division, Gazetteer

T = TypeVar("T")
_LEVELS: frozenset[str] = frozenset({"central", "province", "city", "county", "township"})
# Relative issuer phrases (省自然资源厅, 市规划和自然资源局, 县政府) are completed from the region context; 自治区
# and 区 only where the region is one (自治区财政厅 in 广西, 区政府 in 万州区).
_RELATIVE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("自治区", "province"), ("省", "province"), ("市", "city"), ("县", "county"), ("区", "county"))
# Words a relative prefix starts that are no organ of the region (区域, 区划) or its leaders and committees, whose
# names are not the region's name and the rest (县委 → 中共某县委员会).
_NOT_RELATIVE = ("省级", "市级", "县级", "区级", "区域", "区划", "市场", "市民", "县域", "省内", "市内", "县内", "区内")
_REGION_KIND_PREFIXES = ("自治区", "区")  # used only where the region's name ends so
_LEADERS = ("县长", "市长", "省长", "区长", "自治区主席")
# A party committee named relatively (省委办公厅, 市委, 县委组织部) is the region's: 中共 + its name + the rest.
_PARTY_COMMITTEES = ("县委", "市委", "省委", "区委", "自治区党委")
# Endings that make a phrase an organ's name (not a 机关代字).
ORGAN_ENDINGS: tuple[str, ...] = (
    "部", "厅", "局", "政府", "委员会", "委", "办公室", "办公厅", "中心", "小组", "署", "院", "银行", "分行", "支行",
)


# A bare place name (晋城市, 泽州县): printed before a known code it is part of the code, not a title's tail.
_PLACE_ONLY = re.compile(r"[\u4e00-\u9fff]{1,4}[省市县区]")
# Where two glued organ names meet: an organ's ending, or the end of a party committee's name.
_GLUE_ENDING = re.compile("|".join(sorted((*ORGAN_ENDINGS, "中共中央", "省委", "市委", "县委"), key=len, reverse=True)))
_PARTY_COMMITTEE = re.compile(r"[\u4e00-\u9fff]{1,6}[省市县]委")
# Names that start a second organ glued to the first (中共…, 国务院…), beside the region's own place names.
_SECOND_ORGAN_STARTS: tuple[str, ...] = ("中共", "国务院", "国家")


@dataclass(frozen=True)
class IssuerRule:
    pattern: str
    match: str  # "code" or "name"
    issuer: str
    level: IssuerLevel
    region_code: str
    scope: str
    completes: bool = False  # the 代字 used to complete a number printed without one
    first_year: int | None = None  # the years of the numbers the row is true for (an organ renamed keeps its
    last_year: int | None = None  # 代字: 交公路发 is 交通部's to 2007, 交通运输部's from 2009)

    @property
    def dated(self) -> bool:
        return self.first_year is not None or self.last_year is not None

    def holds_for(self, year: int | None) -> bool:
        """True when the row may be true for a number of ``year`` (an unknown year: every row, its organ unsure)."""
        return year is None or ((self.first_year is None or year >= self.first_year)
                                and (self.last_year is None or year <= self.last_year))


@dataclass(frozen=True)
class Issuer:
    name: str | None
    level: IssuerLevel | None
    region: str | None = None  # the region named (山西省), when known
    # a 代字 that is both a central organ's and the disclosure's place's (民发: 民政部 and 民权县 in a 民权县
    # disclosure): the two, neither chosen — the printed issuer decides, else the citation stays unresolved
    shared_with: tuple[str, ...] = ()


class _Prefixes(Generic[T]):
    """Items under the pattern each starts a text with: the items whose pattern starts a text, in the order they
    were listed — what a scan of the list with ``text.startswith(pattern)`` finds, by one look-up per pattern
    length instead of one comparison per item."""

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        self._by_pattern: dict[str, list[tuple[int, T]]] = {}
        for position, (pattern, item) in enumerate(items):
            self._by_pattern.setdefault(pattern, []).append((position, item))
        self._lengths = sorted({len(pattern) for pattern in self._by_pattern})

    def starting(self, text: str) -> list[T]:
        found = [entry for length in self._lengths if length <= len(text)
                 for entry in self._by_pattern.get(text[:length], ())]
        found.sort(key=lambda entry: entry[0])
        return [item for _position, item in found]


@cache
def issuer_rules() -> tuple[IssuerRule, ...]:
    """Rows of issuers.csv, longest pattern first (longest match wins)."""
    text = resources.files("kg.data").joinpath("issuers.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#"))
    rules = [
        IssuerRule(r["pattern"], r["match"], r["issuer"], r["level"], r["region_code"], r["scope"],  # type: ignore[arg-type]
                   (r.get("completes") or "").strip() == "yes", *parse_years(r.get("years") or "", r["pattern"]))
        for r in rows
        if r["level"] in _LEVELS and r["match"] in ("code", "name", "organ", "relative")
    ]
    return tuple(sorted(rules, key=lambda rule: -len(rule.pattern)))


_YEARS = re.compile(r"(?P<first>\d{4})?-(?P<last>\d{4})?")


def parse_years(years: str, pattern: str = "") -> tuple[int | None, int | None]:
    """issuers.csv's ``years``: ``2009-`` (from 2009), ``-2007`` (to 2007), ``2013-2017``; empty: every year.
    Anything else is an error naming the row, never read as every year."""
    text = years.strip()
    if not text:
        return None, None
    match = _YEARS.fullmatch(text)
    if match is None or not (match["first"] or match["last"]):
        raise ValueError(f"issuers.csv: row {pattern!r}: years {years!r} is not 2009-, -2007 or 2013-2017")
    return (int(match["first"]) if match["first"] else None), (int(match["last"]) if match["last"] else None)


@cache
def _rules_by_pattern(match: str) -> _Prefixes[IssuerRule]:
    """issuers.csv's rules of one ``match`` kind (code, name, relative), longest pattern first, by pattern."""
    return _Prefixes((rule.pattern, rule) for rule in issuer_rules() if rule.match == match)


@cache
def _central_codes() -> frozenset[str]:
    return frozenset(rule.pattern for rule in issuer_rules() if rule.match == "code" and rule.level == "central")


@cache
def _code_prefixes() -> _Prefixes[str]:
    return _Prefixes((code, code) for code in code_patterns())


@cache
def _codes_by_first_character() -> dict[str, tuple[str, ...]]:
    """code_patterns() by their first character, longest first."""
    index: dict[str, list[str]] = {}
    for code in code_patterns():
        index.setdefault(code[0], []).append(code)
    return {character: tuple(codes) for character, codes in index.items()}


@cache
def _region_abbreviations() -> _Prefixes[RegionRule]:
    return _Prefixes((rule.abbreviation, rule) for rule in region_rules())


@cache
def _region_names() -> _Prefixes[RegionRule]:
    return _Prefixes((rule.name, rule) for rule in region_names())


def _in_scope(rule: IssuerRule | RegionRule, region: RegionContext | None) -> bool:
    return not rule.scope or (region is not None and rule.scope in region.names())


@cache
def known_organ_names() -> frozenset[str]:
    """Names issuers.csv knows as a whole organ's (a match=name row with its issuer): 全国人大常委会, 中央编办 —
    names that do not end like an organ's (部, 局, 委员会 …) but are one."""
    return frozenset(rule.pattern for rule in issuer_rules() if rule.match == "name" and rule.issuer)


@cache
def _official_names() -> dict[str, str]:
    return {rule.pattern: rule.issuer for rule in issuer_rules()
            if rule.match == "name" and rule.issuer and rule.issuer != rule.pattern}


def official_name(issuer: str | None) -> str | None:
    """国家发展改革委 → 国家发展和改革委员会, 中组部 → 中共中央组织部: the full name issuers.csv gives an organ printed
    by a short name (the whole name, never its start: 国家发展改革委办公厅 is none); None when it has no other."""
    return _official_names().get(issuer) if issuer else None


def relative_issuer(title: str) -> str | None:
    """县领导批示 → 县人民政府 (completed from the region later): phrases meaning the region's government."""
    for rule in _rules_by_pattern("relative").starting(title):
        return rule.issuer
    return None


@cache
def code_patterns() -> tuple[str, ...]:
    """Every known start of a 机关代字: organs' codes and region abbreviations."""
    codes = {rule.pattern for rule in issuer_rules() if rule.match == "code"}
    codes |= {rule.abbreviation for rule in region_rules()}
    return tuple(sorted(codes, key=len, reverse=True))


def strip_connectives(run: str) -> str:
    """根据沪府 → 沪府, 和某发改 → 某发改: the words of the sentence before a 机关代字 (doc_numbers.toml).

    A word is only stripped when at least two characters follow it and the run does not start with a known
    code (并政发 is 太原's, not "and 政发").
    """
    words = number_knowledge().connectives_before
    changed = True
    while changed:
        changed = False
        if any(len(code) >= 1 for code in _code_prefixes().starting(run)) \
                and not any(run.startswith(word) and len(word) > 1 for word in words):
            break
        for word in words:
            if run.startswith(word) and len(run) - len(word) >= 2:
                run = run[len(word):]
                changed = True
                break
    return run


# Characters that end the text before a 机关代字 (…的通知, …批复, …》, …号, …文件); an organ's name ends it too.
_BEFORE_CODE = "的知复见》号文件于"
# A local 代字 repeats a central one behind its place's one or two characters (川自然资发, 伊财预, 苏发改投资发).
_LOCAL_PREFIX = 2


def _local_prefix(run: str, at: int) -> int:
    """Where the 代字 found at ``at`` really starts: one or two characters earlier when they stand right after a
    boundary (the run's start, 的通知, an organ's name, a connective) — a place's abbreviation before a code
    that is also a central one (川 + 自然资发, 伊 + 财预)."""
    words = number_knowledge().connectives_before
    for width in range(min(_LOCAL_PREFIX, at), 0, -1):
        head, prefix = run[: at - width], run[at - width : at]
        if any(char in _BEFORE_CODE for char in prefix) or prefix in words:
            continue
        if not head or head[-1] in _BEFORE_CODE or head.endswith(ORGAN_ENDINGS) or head.endswith(words):
            return at - width
    return at


def longest_code_in(run: str) -> tuple[int, int]:
    """Where the longest known 代字 (code_patterns()) in ``run`` first starts, and its length; (-1, 0) for none.
    At each position only the codes starting with its character are tried, longest first (the first that fits
    is the longest there), instead of a find per known code."""
    best_at, best_len = -1, 0
    by_character = _codes_by_first_character()
    for at, character in enumerate(run):
        for pattern in by_character.get(character, ()):
            if len(pattern) <= best_len:
                break  # only a longer code beats one found at an earlier position
            if run.startswith(pattern, at):
                best_at, best_len = at, len(pattern)
                break
    return best_at, best_len


def trim_agency(run: str) -> str:
    """The 机关代字 at the end of a run of CJK text printed before a bracketed year.

    ``的批复泽行审发`` → ``泽行审发``; ``晋城市土地局晋市财综字`` → ``晋市财综字``; ``根据沪府`` → ``沪府``: the
    longest known code found in the run starts the agency; with none, the run is cut after the last word that
    ends a title, and the connectives of the sentence (根据, 和 …) are stripped from its start.
    """
    cut = max((run.rfind(word) + len(word) for word in number_knowledge().not_in_code if word in run), default=0)
    run = run[cut:]  # 关于自然资保函 → 自然资保函: a 代字 never holds 关于, 通知 …; a clipped cell glued them on
    best_at, best_len = longest_code_in(run)
    if best_at > 0 and _PLACE_ONLY.fullmatch(run[:best_at]):
        return run  # 晋城市自然资发: a place printed before the code is part of the code as printed
    words = number_knowledge().connectives_before
    if best_at >= 0 and (best_len > 1 or best_at == 0 or run[best_at - 1] in "的知复见》号文件"
                         or run[:best_at].endswith(words)):
        found = run[best_at : best_at + best_len]
        central = found in _central_codes()
        return strip_connectives(run[_local_prefix(run, best_at) if central else best_at:])
    for boundary in ("的通知", "的批复", "的意见", "文件", "的", "》", "号"):
        at = run.rfind(boundary)
        if at >= 0:
            return _after_organ(strip_connectives(run[at + len(boundary):]))
    return _after_organ(strip_connectives(run))


# An organ's name glued before its 代字 (最高人民法院法释): the code is what follows the name, when short.
_GLUED_CODE = re.compile("^.{2,40}?(?:" + "|".join(sorted(ORGAN_ENDINGS, key=len, reverse=True)) + ")"
                         r"(?P<code>[\u4e00-\u9fff]{1,4})$")


def _after_organ(run: str) -> str:
    """最高人民法院法释 → 法释: an organ's name printed before an unknown code (a name ending an organ word and at
    most four characters after it that do not themselves end like an organ)."""
    match = _GLUED_CODE.match(run)
    if match is None or match["code"].endswith(ORGAN_ENDINGS) or _PLACE_ONLY.fullmatch(run[: match.start("code")]):
        return run
    return match["code"]


def starts_organ_name(text: str) -> bool:
    """True when an organ's name can start ``text``: a known organ (issuers.csv), a region (region_codes.csv, the
    gazetteer), a relative 省/市/县 (省财政厅) or 中共. 受理最高人民法院 does not; 最高人民法院 does."""
    if text.startswith(("中共", *(prefix for prefix, _level in _RELATIVE_PREFIXES))):
        return True
    return bool(_rules_by_pattern("name").starting(text) or _rules_by_pattern("organ").starting(text)
                or region_of_name(text) is not None or organ_level_by_gazetteer(text) is not None)


def is_organ_name(agency: str) -> bool:
    """True when what stands before the bracket is an organ's name (自然资源部), not a 机关代字."""
    known_code = len(agency) > 1 and agency in code_patterns()
    return not known_code and agency.endswith(ORGAN_ENDINGS)


def region_of_code(agency: str, region: RegionContext | None = None) -> RegionRule | None:
    """The region whose abbreviation starts the 机关代字 (沪商规 → 上海市), the longest valid in the region; a
    region's full name printed before the code (晋城市自然资发) names it too."""
    named = region_of_name(agency, region)
    for rule in _region_abbreviations().starting(agency):
        if _in_scope(rule, region):
            return named if named is not None and len(named.name) > len(rule.abbreviation) else rule
    return named


def _place_of_code(agency: str, region: RegionContext | None) -> RegionRule | None:
    """The region a 代字 starts with, the disclosure's own county or city (its first characters and an organ's
    suffix: 临 + 政发 in 临县) before an abbreviation that means another place only by a wider rule: a city's or
    county's inside its region (临 is 临汾市 in 山西省), another province's (宁 is 宁夏's, not in 宁波). A row naming
    the disclosure's own province or city keeps its abbreviation (晋政发 in 晋城市 is 山西省's: the city's codes are
    晋市…; 宿政发 in 宿豫区 is 宿迁市's)."""
    row = region_of_code(agency, region)
    own = _context_region(agency, region)
    if own is None or row is None:
        return row or own
    if region is not None and row.name in region.names():
        return row  # 宿政发 in 宿豫区 is its city's, 宿迁市's (the district's are 宿豫…)
    if own.name != row.name and agency.startswith(row.abbreviation) and len(own.abbreviation) >= len(row.abbreviation):
        return own
    return row


def _local_reading(agency: str, place: RegionRule | None) -> RegionRule | None:
    """The place when the whole 代字 is its abbreviation and an organ's suffix (民 + 发 in 民权县), else None."""
    if place is None or not agency.startswith(place.abbreviation):
        return None
    return place if agency[len(place.abbreviation):] in code_suffixes() else None


def issuer_from_code(agency: str, region: RegionContext | None = None, year: int | None = None) -> Issuer:
    """Resolve a 机关代字 (晋自然资发, 泽行审发): its longest known organ code valid in the region (and for the
    number's year, when a row gives years), else the region its abbreviation names with the organ its suffix
    names (鲁政发 → 山东省人民政府, code_suffixes.csv), else the region's level only (the organ is not known).

    A central organ's code that is also, whole, a local code of the disclosure's place (民发: 民政部's, and
    中共民权县委's in a 民权县 disclosure) names neither: ``shared_with`` gives both."""
    place = _place_of_code(agency, region)
    for rule in _rules_by_pattern("code").starting(agency):
        if _in_scope(rule, region) and rule.holds_for(year):
            if place is not None and len(place.abbreviation) > len(rule.pattern):
                break  # a longer region abbreviation (晋市 for 晋城市) says more than a shorter organ code
            if rule.pattern != agency and place is not None and _suffix_organ(agency, place) is not None:
                break  # 苏发改投资发: the suffix names the whole 代字 (发改投资发), the code 苏发 only its start
            organ = rule.issuer if year is not None or not rule.dated else ""  # which organ depends on the year
            local = _local_reading(agency, place) if rule.level == "central" else None
            if local is not None:
                return Issuer(None, None, shared_with=(organ or rule.pattern, local.name))
            return Issuer(organ or None, rule.level, place.name if place else None)
    if place is not None:
        return Issuer(_suffix_organ(agency, place), place.level, place.name)
    return Issuer(None, None)


def _suffix_organ(agency: str, place: RegionRule) -> str | None:
    """The organ code_suffixes.csv names for the rest of the 代字 after the region's abbreviation (鲁 + 政发 →
    山东省人民政府); a municipality's organs are named by its own column (津 + 财预 → 天津市财政局)."""
    abbreviation = place.abbreviation if agency.startswith(place.abbreviation) else place.name
    column = "municipality" if place.level == "province" and place.name.endswith("市") else place.level
    template = code_suffixes().get(agency[len(abbreviation):], {}).get(column)
    return template.format(region=place.organ_prefix) if template else None


def _context_region(agency: str, region: RegionContext | None) -> RegionRule | None:
    """The disclosure's own county or city when the 代字 starts with its first characters (桐政发 in 桐庐县)."""
    if region is None:
        return None
    names = tuple((name, level) for name, level in ((region.county, "county"), (region.city, "city"))
                  if name and name != "市辖区")
    for rule in sorted(context_regions(names, region.province), key=lambda r: -len(r.abbreviation)):  # type: ignore[arg-type]
        if agency.startswith(rule.abbreviation) and agency[len(rule.abbreviation):] in code_suffixes():
            return rule
    return None


def completing_code(issuer: str | None) -> str | None:
    """The 代字 issuers.csv marks (completes=yes) for ``issuer``'s documents, else None."""
    if not issuer:
        return None
    return next((rule.pattern for rule in issuer_rules()
                 if rule.match == "code" and rule.completes and rule.issuer == issuer), None)


def region_of_name(name: str, region: RegionContext | None = None) -> RegionRule | None:
    """The region a name starts with (山西省自然资源厅 → 山西省), the longest known. A scoped region's name is
    read outside its scope only when no other division of China has it (泽州县); 普陀区 is 上海市's in a
    上海 disclosure, 舟山市's (the gazetteer's) in a 浙江 one, and no one's with no context."""
    for rule in _region_names().starting(name):
        if not rule.scope or _in_scope(rule, region) or len(_divisions_named(rule.name)) == 1:
            return rule
        inside = _division_inside(rule.name, region)
        if inside is not None:
            return inside
    return None


def legislating_region(title: str, region: RegionContext | None = None) -> RegionRule | None:
    """The province or city whose name starts a 地方性法规's title (山西省测绘管理条例, 宜昌市黄柏河流域保护条例): a
    region of region_codes.csv, else a division of the gazetteer of one level only. None for a county's name: a
    county passes no 地方性法规."""
    place = region_of_name(title, region)
    if place is not None:
        return place
    for length in _DIVISION_NAME_LENGTHS:
        name = title[:length]
        if len(name) < length or name in _NOT_REGION_NAMES:
            continue
        divisions = [division for division in _divisions_named(name) if not division.former]
        levels = {division.level for division in divisions}
        if divisions and len(levels) == 1 and levels <= {"province", "city"}:
            code = divisions[0].code if len(divisions) == 1 else ""
            return RegionRule(name, name, levels.pop(), code, "")  # type: ignore[arg-type]
    return None


@cache
def _divisions_named(name: str) -> tuple[Division, ...]:
    from kg.places.gazetteer import default_gazetteer

    return tuple(division for division in default_gazetteer().named(name) if division.level in _DIVISION_LEVELS)


def _division_inside(name: str, region: RegionContext | None) -> RegionRule | None:
    """The one division named ``name`` inside the disclosure's province (普陀区 in 浙江省: 舟山市's), as a region."""
    if region is None or not region.province:
        return None
    provinces = [division.code for division in _divisions_named(region.province) if division.level == "province"]
    inside = [division for division in _divisions_named(name)
              if any(division.code.startswith(code) for code in provinces)]
    if len(inside) != 1:
        return None
    division = inside[0]
    return RegionRule(name, name, division.level, division.code, region.province)  # type: ignore[arg-type]


def complete_relative(phrase: str, region: RegionContext | None) -> str:
    """省自然资源厅 → 山西省自然资源厅 in a 山西省 disclosure (and 市…, 县… likewise)."""
    if region is None:
        return phrase
    names = {"province": region.province, "city": region.city, "county": region.county}
    for prefix, level in _RELATIVE_PREFIXES:
        name = names[level]
        if phrase.startswith(prefix) and name and (prefix not in _REGION_KIND_PREFIXES or name.endswith(prefix)) \
                and not phrase.startswith(_NOT_RELATIVE):
            if phrase.startswith(_PARTY_COMMITTEES):  # 省委办公厅 → 中共江苏省委办公厅: the province's committee
                return "中共" + name + phrase[phrase.index("委"):]
            if phrase.startswith(_LEADERS):
                return phrase
            rest = phrase[len(prefix):]
            if rest.startswith("政府"):  # 县政府 → 沁水县人民政府, the organ's full name
                return name + "人民" + rest
            return name + rest
    return phrase


def level_from_name(name: str, region: RegionContext | None = None) -> IssuerLevel | None:
    """Level of an organ from the start of its name (山西省… → province); most specific known name wins: an
    organ named after regions of the gazetteer (杭州市西湖区农业农村局, 上海市静安区人民政府) has the narrowest's."""
    if any(word in name for word in number_knowledge().township_organs):
        return "township"  # 伊川县鸣皋镇人民政府
    for rule in _rules_by_pattern("name").starting(name):
        return _branch_level(name) or rule.level
    if _names_an_organ(name):
        for rule in _rules_by_pattern("organ").starting(name):
            return _branch_level(name) or rule.level
    level = organ_level_by_gazetteer(name)
    if level is not None:
        return level
    place = region_of_name(name)
    if place is not None:
        return place.level
    if region is not None:
        for level, place in (("county", region.county), ("city", region.city), ("province", region.province)):
            if place and name.startswith(place):
                return level  # type: ignore[return-value]
    return _relative_level(name)


# A relative organ's name says its level even where no region completes it: 省政府, 自治区人民政府 (province), 市财政局
# (city), 县政府 (county). 区 is left out (a district's, or an autonomous region's), and so are words that only start
# with the prefix (市场监督管理局, 省级: _NOT_RELATIVE).
_RELATIVE_LEVELS: tuple[tuple[str, IssuerLevel], ...] = (("自治区", "province"), ("省", "province"), ("市", "city"),
                                                         ("县", "county"))


def _relative_level(name: str) -> IssuerLevel | None:
    """The level of an organ named relatively (省政府令第12号 printed with no region known), else None."""
    organ = name.split("关于", 1)[0]
    if name.startswith(_NOT_RELATIVE) or not organ.endswith(ORGAN_ENDINGS):
        return None
    return next((level for prefix, level in _RELATIVE_LEVELS if name.startswith(prefix)
                 and len(organ) > len(prefix) + 1), None)


# Division names run from 2 characters (兴县) to 9 (克孜勒苏柯尔克孜自治州); 市辖区 is a placeholder, not a name.
_DIVISION_NAME_LENGTHS = range(9, 1, -1)
_NOT_REGION_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_DIVISION_LEVELS: frozenset[str] = frozenset({"province", "city", "county"})


def organ_level_by_gazetteer(name: str) -> IssuerLevel | None:
    """江苏省财政厅 → province, 南京市教育局 → city, 杭州市西湖区农业农村局 → county: an organ's name (it ends
    like one) that starts with the names of divisions of the gazetteer (kg/data/divisions.tsv.gz), each within
    the one before, has the narrowest one's level. None when no division starts the name, when nothing but
    divisions is named, or when the divisions a name could be are of different levels."""
    core = name.removeprefix("中共")  # 中共南京市委员会: the party committee of the city
    if not core.endswith(ORGAN_ENDINGS):
        return None
    from kg.places.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    at = 0
    found: list[Division] = []
    while at < len(core):
        step = next(((length, candidates) for length in _DIVISION_NAME_LENGTHS
                     if (candidates := _divisions_within(core[at : at + length], found, gazetteer))), None)
        if step is None:
            break
        at, found = at + step[0], step[1]
    levels = {division.level for division in found}
    if not found or at >= len(core) or len(levels) != 1:
        return None
    return levels.pop()  # type: ignore[return-value]


def _names_an_organ(name: str) -> bool:
    """国家林业和草原局, 国家乡村振兴局关于…的通知: the name (before 关于) ends like an organ's and is no 级 of
    anything (国家级湿地公园管理局) — what a match=organ row of issuers.csv (国家) asks of a name."""
    organ = name.split("关于", 1)[0].rstrip(" \t")
    return organ.endswith(ORGAN_ENDINGS) and "级" not in organ


def _branch_level(name: str) -> IssuerLevel | None:
    """国家税务总局江苏省税务局 → province: a central service's branch named after a region of the gazetteer (the
    same service word, the same ending) has the region's level; None for any other name."""
    for match in _GLUE_ENDING.finditer(name):
        head, rest = name[: match.end()], name[match.end():]
        if rest and _same_service(head, match.group(0), rest):
            return organ_level_by_gazetteer(rest)
    return None


def _divisions_within(name: str, outer: list[Division], gazetteer: Gazetteer) -> list[Division]:
    """Divisions of ``name`` (province, city or county) within one of ``outer`` (any, when empty)."""
    if name in _NOT_REGION_NAMES:
        return []
    return [division for division in gazetteer.named(name) if division.level in _DIVISION_LEVELS
            and (not outer or any(gazetteer.is_within(division.code, o.code) for o in outer))]


def resolve_issuer(
    phrase: str | None, agency: str | None, region: RegionContext | None = None, year: int | None = None
) -> Issuer:
    """Issuer of a citation: the printed issuer phrase when there is one, else the 机关代字's owner (for the
    number's ``year``)."""
    if phrase:
        name = complete_relative(phrase, region)
        level = level_from_name(name, region)
        if level is None and agency:
            by_code = issuer_from_code(agency, region, year)
            return Issuer(name, by_code.level, shared_with=by_code.shared_with)
        return Issuer(name, level)
    if agency:
        return issuer_from_code(agency, region, year)
    return Issuer(None, None)


def lead_organ(phrase: str, region: RegionContext | None = None) -> str:
    """The first organ of a joint-issuer phrase: 山西省自然资源厅、山西省发展和改革委员会 → 山西省自然资源厅.

    Names are also printed glued together (晋城市财政局晋城市土地局, 中共山西省委山西省人民政府, 中共中央国务院):
    the phrase is cut after an organ's ending followed by a place of the region or 中共/国务院/国家 — unless what
    follows is a branch of the same service (国家税务总局山西省税务局). 中华人民共和国财政部 is 财政部, and a
    party committee printed without 中共 gets it (晋城市委 → 中共晋城市委).
    """
    first = re.split(r"[、 \t]|及", phrase.strip())[0]
    starts = (*(region.names() if region else ()), *_SECOND_ORGAN_STARTS)
    for match in _GLUE_ENDING.finditer(first):
        head, rest = first[: match.end()], first[match.end():]
        if len(rest) >= 3 and rest.startswith(starts) and not _same_service(head, match.group(0), rest):
            first = head
            break
    if first.startswith("中华人民共和国") and len(first) > len("中华人民共和国") + 1:
        first = first[len("中华人民共和国"):]
    if _PARTY_COMMITTEE.fullmatch(first) and not first.startswith("中共"):
        first = "中共" + first
    return first


def _same_service(head: str, ending: str, rest: str) -> bool:
    """国家税务总局 + 山西省税务局: the rest is the head's branch (same ending, same service word), one organ."""
    service = head[: -len(ending)].rstrip("总")[-2:]
    return len(service) == 2 and rest.endswith(ending) and service in rest
