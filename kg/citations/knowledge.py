"""The 发文字号 knowledge of the citation stage, read from data files under ``kg/data``.

- ``doc_numbers.toml``: bracket styles, number patterns (regular expressions with ``{tokens}``), connectives,
  nesting verbs, what ends a wrapped line, what a clipped 机关代字 holds, the rule for 地方性法规;
- ``region_codes.csv``: region abbreviations (晋 沪 苏 普 …) and names → region, level, code, scope;
- ``code_suffixes.csv``: the suffix of a local 代字 after its region's abbreviation → organ (政发 → 人民政府);
- ``national_laws.csv``: national laws and 行政法规 by name → issuer and level.

Nothing here knows a province or a pattern: adding one is a row or a line in the data.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kg.citations.models import IssuerLevel

_TOKEN = re.compile(r"\{([a-z_]+)\}")
_LEVELS = frozenset({"central", "province", "city", "county"})


def _data_text(name: str) -> str:
    return resources.files("kg.data").joinpath(name).read_text(encoding="utf-8")


def _csv_rows(name: str) -> list[dict[str, str]]:
    lines = [line for line in _data_text(name).splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines))


@dataclass(frozen=True)
class NumberKnowledge:
    year_open: str
    year_close: str
    document: re.Pattern[str]
    order: re.Pattern[str]
    minutes: re.Pattern[str]
    standard: re.Pattern[str]
    connectives_before: tuple[str, ...]  # longest first
    after_number: tuple[str, ...]  # longest first
    after_number_not_before: str
    nesting_verbs: tuple[str, ...]  # longest first
    wrap_ends_item: str
    not_in_code: tuple[str, ...]
    local_regulation_endings: tuple[str, ...]
    local_regulation_issuer: str
    clause_verbs: tuple[str, ...] = ()
    clause_punctuation: str = ""
    township_organs: tuple[str, ...] = ()
    title_level_not_for: tuple[str, ...] = ()
    introducing: tuple[str, ...] = ()  # 根据, 依据 …: what follows is the cited document's, not the sentence's
    announcement: re.Pattern[str] | None = None  # 国家税务总局公告2018年第31号, 2023年第1号公告
    issuing_verbs: tuple[str, ...] = ()  # 印发, 转发 …: an organ's title nesting a quote (山西省国土资源厅印发《…》)


def compile_pattern(template: str, tokens: dict[str, str]) -> re.Pattern[str]:
    """A pattern of doc_numbers.toml with its ``{tokens}`` replaced; regex braces such as ``{1,16}`` stay."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in tokens:
            raise ValueError(f"doc_numbers.toml: unknown token {{{name}}} in pattern {template!r}")
        return tokens[name]

    return re.compile(_TOKEN.sub(replace, template))


@cache
def number_knowledge() -> NumberKnowledge:
    data = tomllib.loads(_data_text("doc_numbers.toml"))
    brackets = data["brackets"]
    tokens = {**data["tokens"], "open": f"[{re.escape(brackets['year_open'])}]",
              "close": f"[{re.escape(brackets['year_close'])}]"}
    patterns = {name: compile_pattern(template, tokens) for name, template in data["patterns"].items()}
    connectives = data.get("connectives", {})

    def longest_first(words: list[str]) -> tuple[str, ...]:
        return tuple(sorted(words, key=len, reverse=True))

    local = data.get("local_regulation", {})
    return NumberKnowledge(
        brackets["year_open"], brackets["year_close"],
        patterns["document"], patterns["order"], patterns["minutes"], patterns["standard"],
        longest_first(connectives.get("before", [])),
        longest_first(connectives.get("after_number", [])),
        connectives.get("after_number_not_before", ""),
        longest_first(connectives.get("nesting_verbs", [])),
        data.get("wrapped_lines", {}).get("ends_item", "。；;"),
        tuple(data.get("clipped", {}).get("not_in_code", [])),
        longest_first(local.get("endings", [])),
        local.get("issuer", ""),
        longest_first(data.get("clauses", {}).get("verbs", [])),
        data.get("clauses", {}).get("punctuation", ""),
        tuple(data.get("township", {}).get("organ_words", [])),
        tuple(data.get("title_level", {}).get("not_for_kinds", [])),
        longest_first(connectives.get("introducing", [])),
        patterns.get("announcement"),
        longest_first(connectives.get("issuing_verbs", [])),
    )


@dataclass(frozen=True)
class RegionRule:
    abbreviation: str
    name: str
    level: IssuerLevel
    region_code: str
    scope: str
    official: str = ""  # the name its organs carry when not the region's own (上海市静安区)

    @property
    def organ_prefix(self) -> str:
        return self.official or self.name


@cache
def region_rules() -> tuple[RegionRule, ...]:
    """Rows of region_codes.csv, longest abbreviation first; at equal length scoped rows first."""
    rules = [RegionRule(r["abbreviation"], r["name"], r["level"], r["region_code"], r["scope"],  # type: ignore[arg-type]
                        r.get("official") or "")
             for r in _csv_rows("region_codes.csv") if r["level"] in _LEVELS]
    return tuple(sorted(rules, key=lambda rule: (-len(rule.abbreviation), not rule.scope)))


@cache
def region_names() -> tuple[RegionRule, ...]:
    """One rule per region name, longest name first (for a title or issuer phrase that starts with it)."""
    seen: dict[str, RegionRule] = {}
    for rule in region_rules():
        seen.setdefault(rule.name, rule)
    return tuple(sorted(seen.values(), key=lambda rule: -len(rule.name)))


@cache
def code_suffixes() -> dict[str, dict[str, str]]:
    """suffix → {level: organ template with {region}} from code_suffixes.csv (empty templates left out); the
    level ``municipality`` is a province-level city's (北京 天津 上海 重庆). Each suffix also stands with 字 after it,
    the 字 of a 字号 (晋财字, 豫财综字 are 晋财's and 豫财综's), unless the file gives that form a row of its own."""
    rows = {r["suffix"]: {level: r[level] for level in ("province", "city", "county", "municipality") if r.get(level)}
            for r in _csv_rows("code_suffixes.csv")}
    with_mark = {suffix + "字": organs for suffix, organs in rows.items() if not suffix.endswith("字")}
    return {**with_mark, **rows}


_REGION_SUFFIX = re.compile(r"(?:自治县|自治州|新区|县|市|区|旗|州)$")


@cache  # asked for every 代字 (the disclosure's own place comes first): one build per disclosure's region
def context_regions(names: tuple[tuple[str, IssuerLevel], ...], province: str | None) -> tuple[RegionRule, ...]:
    """Abbreviations the disclosure's own county and city go by: their first one or two characters (桐庐县 → 桐,
    桐庐; 绵阳市 → 绵, 绵阳), so that a local 代字 (桐政发, 绵府发) resolves without a row for every county."""
    rules: list[RegionRule] = []
    municipality = province if province and province.endswith("市") else None
    for name, level in names:
        stem = _REGION_SUFFIX.sub("", name)
        official = municipality + name if municipality and level == "county" else ""
        for width in (2, 1):
            if len(stem) >= width:
                rules.append(RegionRule(stem[:width], name, level, "", "", official))
    return tuple(rules)


@dataclass(frozen=True)
class Law:
    name: str
    issuer: str
    level: IssuerLevel
    type: str


@cache
def national_laws() -> dict[str, Law]:
    return {r["name"]: Law(r["name"], r["issuer"], r["level"], r["type"])  # type: ignore[arg-type]
            for r in _csv_rows("national_laws.csv") if r["level"] in _LEVELS}


_LAW_QUALIFIERS = re.compile(r"(?<![)）])(?:[(（][^()（）]{0,16}[)）])+$")  # starts at a run of groups: linear


def law_by_name(title: str) -> Law | None:
    """《中华人民共和国测绘法》, 《地质灾害防治条例》(2003年), 土地管理法 → the law or 行政法规, else None."""
    name = _LAW_QUALIFIERS.sub("", title.strip("《》〈〉 "))
    name = name.removeprefix("中华人民共和国")
    return national_laws().get(name)
