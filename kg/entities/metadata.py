"""Who published a disclosure, for which year and which phase (预算 budget or 决算 final accounts).

Read from the cover lines, the "<label>：<name>" header lines and the table titles; the words each can print
are data (kg/data/disclosure_metadata.toml). A 决算 is recognised as such: its phase travels with the
disclosure into the graph, so final accounts are never presented as a budget.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.records import SourceDocument, Table
from kg.tables.layout import compact as _compact

DATA = Path(__file__).resolve().parent.parent / "data" / "disclosure_metadata.toml"
COVER_WINDOW = 40  # the cover and title lines are at the top; 002 starts with watermarks and blank lines
_ANY_YEAR = re.compile(r"(20\d\d)\s*年")
_YEAR_ONLY = re.compile(r"(?P<year>20\d\d)年度?(?P<scope>部门|单位)(?P<phase>预算|决算)")
_COMPETENT = re.compile(r"主管部门及代码\t+(?P<code>\d{2,4})\s*-\s*(?P<name>[^\t]+)")
_BRACKETED_CODE = re.compile(r"^\[(?P<code>\d{2,4})\]")
_CELL_END = re.compile(r"\t| {2,}")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+部分)")
_UNIT_WORD = re.compile(r"^(?:人民币)?万?元")


@dataclass
class DisclosureMetadata:
    title: str | None
    department: str | None
    org_code: str | None
    unit_name: str | None
    scope: str | None  # "department" | "unit"
    fiscal_year: int | None
    year_source: str | None = None  # "cover" | "text" | "titles" | "most-frequent" (a guess, worth a notice)
    phase: str = "budget"  # "budget" (预算) | "final" (决算, final accounts)
    narrative_outline: int = 0  # how many headings of the national narrative outline the document prints


@dataclass(frozen=True)
class _Knowledge:
    labels: tuple[tuple[str, str], ...]  # (label, role), longest first
    label_pattern: re.Pattern[str]
    cover: re.Pattern[str]
    yearless_cover: re.Pattern[str]  # "某某局部门预算": the cover of a document printing no year on it
    scopes: dict[str, str]
    phases: dict[str, str]
    levels: frozenset[str]
    org_suffixes: tuple[str, ...]
    org_max: int
    cover_max: int
    outline: tuple[str, ...]
    min_outline: int


@lru_cache(maxsize=1)
def _knowledge() -> _Knowledge:
    data: dict[str, Any] = tomllib.loads(DATA.read_text(encoding="utf-8"))
    labels = sorted(((label, role) for role, names in data["labels"].items() for label in names),
                    key=lambda item: -len(item[0]))
    cover = data["cover"]
    scope_words = "|".join(sorted(map(re.escape, cover["scope"]), key=len, reverse=True))
    phase_words = "|".join(map(re.escape, cover["phase"]))
    suffixes = "|".join(sorted(map(re.escape, cover["suffixes"]), key=len, reverse=True))
    limit = int(cover["max_chars"])
    # bounded, anchored repeats only: the pattern stays linear on hostile input (kg.bench.regex_audit)
    pattern = re.compile(
        f"^(?P<before>[^0-9]{{0,{limit}}}?)(?P<year>20[0-9]{{2}})年度?(?P<after>[^0-9]{{0,{limit}}}?)"
        f"(?P<scope>{scope_words})?(?P<phase>{phase_words})(?:{suffixes})?$")
    # no year: the scope word is then required ("某某局部门预算"; "一般公共预算" is no cover)
    yearless = re.compile(f"^(?P<before>[^0-9]{{0,{limit}}}?)(?P<after>)(?P<scope>{scope_words})"
                          f"(?P<phase>{phase_words})(?:{suffixes})?$")
    return _Knowledge(
        labels=tuple(labels),
        label_pattern=re.compile("^(?P<label>" + "|".join(re.escape(label) for label, _ in labels) + r")\s*:\s*"),
        cover=pattern, yearless_cover=yearless, scopes=dict(cover["scope"]), phases=dict(cover["phase"]),
        levels=frozenset(cover["levels"]),
        org_suffixes=tuple(data["organisation"]["suffixes"]), org_max=int(data["organisation"]["max_chars"]),
        cover_max=limit, outline=tuple(data["narrative"]["outline"]),
        min_outline=int(data["narrative"]["min_outline"]))


def is_organisation(name: str) -> bool:
    """Whether ``name`` reads as the name of a body (ends with 局, 委员会, 办公厅 …), not a place or a level."""
    kb = _knowledge()
    return 2 <= len(name) <= kb.org_max and name.endswith(kb.org_suffixes) and not re.search(r"[0-9:,，。、]", name)


@dataclass
class _Cover:
    title: str
    year: int | None  # None: a cover printing no year ("某某局部门预算")
    scope: str | None
    phase: str
    organisation: str | None


def _cover(top: list[str]) -> _Cover | None:
    """The first cover statement among the top lines, on one line or two joined ones; one naming its year first."""
    kb = _knowledge()
    return _cover_by(top, kb.cover) or _cover_by(top, kb.yearless_cover)


def _cover_by(top: list[str], pattern: re.Pattern[str]) -> _Cover | None:
    kb = _knowledge()
    for index, text in enumerate(top):
        if _NUMBERING.match(_compact(text)):
            continue  # a numbered heading or contents line ("第二部分 2019 年度部门预算表") is not the cover
        candidates = [text]
        # two lines joined ("2018 年度江苏省高级" / "人民法院预算公开"), never a yearless cover and the one under it
        if (index + 1 < len(top) and not _NUMBERING.match(_compact(top[index + 1]))
                and not kb.yearless_cover.match(_compact(text))):
            candidates.append(text + top[index + 1])
        for printed in candidates:
            compact = _compact(printed)
            if len(compact) > kb.cover_max * 2:
                continue
            match = pattern.match(compact)
            if not match:
                continue
            organisation = None
            for part in (match["after"], match["before"]):
                if part and part not in kb.levels and is_organisation(part):
                    organisation = part
                    break
            if organisation is None and not match["before"] and index > 0 and is_organisation(_compact(top[index - 1])):
                organisation = _compact(top[index - 1])  # "泽州县自然资源局" above "2025年度部门预算公开"
                printed = top[index - 1] + printed
            elif (organisation is None and not match["before"] and not match["after"] and printed == text
                  and index + 1 < len(top) and is_organisation(_compact(top[index + 1]))):
                organisation = _compact(top[index + 1])  # "2025年度部门预算" over "泽州县自然资源局"
                printed = printed + top[index + 1]
            year = match.groupdict().get("year")
            return _Cover(title=printed, year=int(year) if year else None, scope=kb.scopes.get(match["scope"] or ""),
                          phase=kb.phases[match["phase"]], organisation=organisation)
    return None


def _header_names(source: SourceDocument) -> tuple[Counter[tuple[str, str]], str | None]:
    """(role, name) of every "<label>：<name>" line, counted, and the first bracketed code."""
    kb = _knowledge()
    roles = dict(kb.labels)
    names: Counter[tuple[str, str]] = Counter()
    code = None
    for line in source.lines:
        text = line.text.strip()
        match = kb.label_pattern.match(text)
        if not match:
            continue
        rest = text[match.end():]
        bracket = _BRACKETED_CODE.match(rest)
        if bracket:
            code = code or bracket["code"]
            rest = rest[bracket.end():].lstrip()
        name = _CELL_END.split(rest, maxsplit=1)[0].strip()
        if not name or _UNIT_WORD.match(name) or len(name) > _knowledge().org_max:
            continue  # "单位: 万元" names a unit of money, not a body
        names[(roles[match["label"]], name)] += 1
    return names, code


def read_metadata(source: SourceDocument, tables: Sequence[Table] = ()) -> DisclosureMetadata:
    """Title, 部门, 单位, code, fiscal year and phase; each None when the document does not say.

    ``tables`` (the document's standard tables, when already found) add what their titles print: the year,
    the scope word and 决算.
    """
    kb = _knowledge()
    top = [line.text.strip() for line in source.lines[:COVER_WINDOW] if line.text.strip()]
    cover = _cover(top)
    titles = _title_facts(tables)
    year = cover.year if cover else None
    year_source = "cover" if year is not None else None
    text_scope = None
    if year is None:
        for line in source.lines:
            match = _YEAR_ONLY.search(_compact(line.text))
            if match:  # "2019 年度部门预算表" in the contents or a heading
                year, year_source, text_scope = int(match["year"]), "text", kb.scopes.get(match["scope"])
                break
    if year is None and titles["years"]:
        year, year_source = titles["years"].most_common(1)[0][0], "titles"
    if year is None:
        # no cover statement: the year most table titles and sentences name (e.g. "2019年政府采购预算表")
        years = Counter(int(y) for line in source.lines for y in _ANY_YEAR.findall(line.text))
        if years:
            year, year_source = years.most_common(1)[0][0], "most-frequent"

    names, header_code = _header_names(source)
    competent: Counter[tuple[str, str]] = Counter()
    for line in source.lines:
        match = _COMPETENT.search(line.text)
        if match:
            competent[(match["code"], match["name"].strip())] += 1

    def most(role: str) -> str | None:
        ranked = [(count, name) for (r, name), count in names.items() if r == role]
        return max(ranked)[1] if ranked else None

    scope = cover.scope if cover else None
    if scope is None and titles["scopes"]:
        scope = titles["scopes"].most_common(1)[0][0]
    if scope is None and (most("unit") or most("department")):
        scope = "unit" if most("unit") and not most("department") else "department"
    if scope is None:
        scope = text_scope
    if scope is None and cover:
        scope = "department"  # "江苏省高级人民法院预算公开": a body's own budget is its department budget

    org_code = None
    department = None
    if competent:
        (org_code, department), _ = competent.most_common(1)[0]
    department = department or most("department")
    unit_name = most("unit")
    publisher = most("publisher")
    cover_org = cover.organisation if cover else None
    if scope == "unit":
        unit_name = unit_name or publisher or cover_org
        department = department or unit_name  # a unit that publishes alone is its own 主管部门
    else:
        department = department or publisher or cover_org or titles["organisation"] or _prose_organisation(source)
    phase = cover.phase if cover else ("final" if titles["final"] > titles["budget"] else "budget")
    outline = sum(1 for heading in kb.outline if any(heading in text for text in top))
    return DisclosureMetadata(
        title=cover.title if cover else None,
        department=department,
        org_code=org_code or header_code,
        unit_name=unit_name,
        scope=scope,
        fiscal_year=year,
        year_source=year_source,
        phase=phase,
        narrative_outline=outline,
    )


_PROSE_SUBJECT = re.compile(r"^(?P<name>[^0-9\s:,，。、]{2,40})(?:20[0-9]{2}年|本年)")


def _prose_organisation(source: SourceDocument) -> str | None:
    """The body the narrative names as its subject most often ("江苏省政协办公厅 2019 年度收入…",
    "江苏省政协办公厅本年收入预算合计…"), when it does so at least twice; None otherwise."""
    counts: Counter[str] = Counter()
    for line in source.lines:
        match = _PROSE_SUBJECT.match(_compact(line.text))
        if match and is_organisation(match["name"]):
            counts[match["name"]] += 1
    if not counts:
        return None
    name, count = counts.most_common(1)[0]
    return name if count >= 2 else None


def _title_facts(tables: Sequence[Table]) -> dict[str, Any]:
    from kg.tables.knowledge import knowledge
    from kg.tables.titles import match_title

    kb = knowledge()
    years: Counter[int] = Counter()
    scopes: Counter[str] = Counter()
    organisations: Counter[str] = Counter()
    final = budget = 0
    for table in tables:
        match = match_title(_NUMBERING.sub("", _compact(table.title)), kb)
        if match is None:
            continue
        if match.year:
            years[match.year] += 1
        if match.scope:
            scopes[_knowledge().scopes.get(match.scope, "department")] += 1
        if match.organisation and is_organisation(match.organisation):
            organisations[match.organisation] += 1
        final += match.final_accounts
        budget += not match.final_accounts
    return {"years": years, "scopes": scopes, "final": final, "budget": budget,
            "organisation": organisations.most_common(1)[0][0] if organisations else None}


def is_narrative_disclosure(meta: DisclosureMetadata) -> bool:
    """A cover that states a budget disclosure and the national narrative outline under it."""
    return meta.year_source == "cover" and meta.narrative_outline >= _knowledge().min_outline
