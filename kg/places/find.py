"""Find the townships (and counties of a city, and villages when loaded) a text names, within a region.

Only names of the region's own divisions are read, checked against the division list — not any word ending
in 镇/乡. Four ways a name is found (``PlaceMention.how``):

- ``exact``: the official name as printed (current, or a former name kept in the list);
- ``abbreviation``: the name without 镇/乡/街道 followed by 政府、站、等N个… (divisions_rules.toml), when it
  fits one division only (龙港政府 → 龙港镇);
- ``corrected``: one character differs from exactly one name of the region's list (巴工镇 → 巴公镇);
- ``unlisted``: ``<county>XX乡/镇`` naming no division in any list; kept as a former place without a code.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from kg.places.gazetteer import Division, Gazetteer, default_gazetteer
from kg.places.region import Region
from kg.places.rules import PlaceRules, default_rules

TOWNSHIP_SUFFIX = re.compile(r"(?:街道办事处|街道|民族乡|苏木|镇|乡)$")
COUNTY_SUFFIX = re.compile(r"(?:自治县|县|市|区|旗)$")
FUZZY_ENDINGS = ("镇", "乡", "县")
MIN_STEM = 2  # a one-character abbreviation (龙 for 龙港镇) says nothing
_ENDING = re.compile("|".join(FUZZY_ENDINGS))
UNLISTED_ENDINGS = ("镇", "乡")
UNLISTED = re.compile(r"([\u4e00-\u9fff]{2,3}?)(" + "|".join(UNLISTED_ENDINGS) + ")")


@dataclass(frozen=True)
class PlaceMention:
    text: str  # as printed
    start: int  # offsets into the searched text
    end: int
    code: str | None  # current code (9 digits for a township); None for an unlisted former township
    name: str  # official (current) name, or the printed name when unlisted
    level: str
    corrected: bool  # the printed name differs from the official one by a typo
    former: bool  # the printed name is no longer in the current list
    field: str
    line: int
    how: str  # "exact" | "abbreviation" | "corrected" | "unlisted"
    former_code: str | None = None  # the code the printed former name had


@dataclass
class _Scope:
    """Everything needed to read one region's place names, built once per region."""

    exact: re.Pattern[str] | None
    by_name: dict[str, Division]
    abbreviation: re.Pattern[str] | None
    by_abbreviation: dict[str, Division]
    fuzzy: dict[tuple[str, int], list[tuple[str, Division]]]  # (last char, length) → names
    county_names: tuple[str, ...]
    known_names: frozenset[str]
    generic: re.Pattern[str] | None  # 阳泉市郊区: a generic name right after its parent's name
    generic_by_name: dict[str, Division]
    short_by_ending: dict[str, list[tuple[str, Division]]]  # current two-character names by last character
    # what a mention needs when the text holds no 镇/乡/县 (a name, a generic name, an abbreviation): most
    # lines hold none of these, and one search of literals (fast where one search of these and a character
    # class is not) passes them over
    names: re.Pattern[str] | None
    # the 镇/乡/县 endings a correction or an unlisted township of this region can end with (a 县 only where the
    # region's list has a county name to correct it into)
    endings: tuple[str, ...]


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(name) for name in sorted(set(names), key=len, reverse=True))


def _targets(region: Region, gazetteer: Gazetteer) -> list[Division]:
    if region.county is not None:
        base = region.county.code
        out = gazetteer.descendants(base, "township")
    else:
        base = region.narrowest.code
        out = gazetteer.descendants(base, "township") + gazetteer.descendants(base, "county")
    if gazetteer.has_villages:
        out += gazetteer.descendants(base, "village")
    return out


def _build_scope(region: Region, gazetteer: Gazetteer, rules: PlaceRules) -> _Scope:
    targets = _targets(region, gazetteer)
    by_name: dict[str, Division] = {}
    ambiguous: set[str] = set()
    for division in targets:
        if division.name in rules.generic_names or len(division.name) < 2:
            continue
        # villages repeat within a county (南村村); a name shared by different places is left unread
        seen = by_name.get(division.name)
        if seen is not None and seen.current_code != division.current_code:
            ambiguous.add(division.name)
        elif seen is None or seen.former:
            by_name[division.name] = division
    for name in ambiguous:
        by_name.pop(name, None)

    stems: dict[str, set[str]] = {}
    stem_division: dict[str, Division] = {}
    for division in targets:
        if division.level != "township":
            continue
        stem = TOWNSHIP_SUFFIX.sub("", division.name)
        if stem == division.name or len(stem) < MIN_STEM:
            continue
        # the stem itself and its proper tails (东沟 for 大东沟镇) may stand for the township
        for start in range(len(stem) - MIN_STEM + 1):
            key = stem[start:]
            stems.setdefault(key, set()).add(division.current_code)
            if not division.former or key not in stem_division:
                stem_division[key] = gazetteer.get(division.current_code) or division
    by_abbreviation = {key: stem_division[key] for key, codes in stems.items() if len(codes) == 1}

    fuzzy: dict[tuple[str, int], list[tuple[str, Division]]] = {}
    for name, division in by_name.items():
        if len(name) >= 3 and name[-1] in FUZZY_ENDINGS and not division.former:
            fuzzy.setdefault((name[-1], len(name)), []).append((name, division))

    county_names = tuple(d.name for d in (region.county, region.city) if d is not None)
    known = frozenset(d.name for d in gazetteer.children(region.county.code)) if region.county else frozenset()
    short_by_ending: dict[str, list[tuple[str, Division]]] = {}
    for name, division in by_name.items():
        if len(name) == 2 and not division.former:
            short_by_ending.setdefault(name[-1], []).append((name, division))
    followers = rules.abbreviation_followers.pattern
    generic_by_name: dict[str, Division] = {}
    generic_parts: list[str] = []
    for division in targets:
        parent = gazetteer.get(division.parent)
        if division.name in rules.generic_names and parent is not None and not division.former:
            generic_by_name[division.name] = division
            generic_parts.append(f"(?<={re.escape(parent.name)}){re.escape(division.name)}")
    needed = [*by_name, *generic_by_name, *by_abbreviation]
    return _Scope(
        exact=re.compile(_alternation(list(by_name))) if by_name else None,
        by_name=by_name,
        abbreviation=(re.compile(f"(?:{_alternation(list(by_abbreviation))})(?=(?:{followers}))")
                      if by_abbreviation else None),
        by_abbreviation=by_abbreviation,
        fuzzy=fuzzy,
        county_names=county_names,
        known_names=known,
        generic=re.compile("|".join(generic_parts)) if generic_parts else None,
        generic_by_name=generic_by_name,
        short_by_ending=short_by_ending,
        names=re.compile(_alternation(needed)) if needed else None,
        endings=_relevant_endings(fuzzy, short_by_ending, county_names),
    )


@lru_cache(maxsize=64)
def _scope(region: Region, gazetteer: Gazetteer, rules: PlaceRules) -> _Scope:
    return _build_scope(region, gazetteer, rules)


@lru_cache(maxsize=8)
def _any_non_place_word(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(_alternation(list(words)) or r"(?!x)x")


def _non_place_cover(text: str, rules: PlaceRules) -> list[bool]:
    """For each character: is it inside a word like 城乡 or 乡镇 that names no place?"""
    covered = [False] * len(text)
    if not _any_non_place_word(rules.non_place_words).search(text):
        return covered  # most lines hold none: one search instead of one per word
    for word in rules.non_place_words:
        start = text.find(word)
        while start != -1:
            for index in range(start, start + len(word)):
                covered[index] = True
            start = text.find(word, start + 1)
    return covered


def _mention(division: Division, gazetteer: Gazetteer, printed: str, start: int, field: str, line: int,
             how: str, corrected: bool = False) -> PlaceMention:
    current = gazetteer.get(division.current_code) if division.former else division
    return PlaceMention(
        text=printed, start=start, end=start + len(printed),
        code=division.current_code if (division.successor or not division.former) else division.code,
        name=(current or division).name, level=division.level, corrected=corrected, former=division.former,
        field=field, line=line, how=how, former_code=division.code if division.former else None)


def find_places(text: str, region: Region, field: str, line: int, *, gazetteer: Gazetteer | None = None,
                rules: PlaceRules | None = None) -> list[PlaceMention]:
    """Places of ``region`` named in ``text`` (one field or line), in order of appearance."""
    gazetteer = gazetteer or default_gazetteer()
    rules = rules or default_rules()
    scope = _scope(region, gazetteer, rules)
    if not _may_name(text, scope):
        return []
    taken = [False] * len(text)
    found: list[PlaceMention] = []

    def free(start: int, end: int) -> bool:
        return not any(taken[start:end])

    def take(mention: PlaceMention) -> None:
        for index in range(mention.start, mention.end):
            taken[index] = True
        found.append(mention)

    if scope.exact is not None:
        for match in scope.exact.finditer(text):
            division = scope.by_name[match.group()]
            take(_mention(division, gazetteer, match.group(), match.start(), field, line, "exact"))
    if scope.generic is not None:
        for match in scope.generic.finditer(text):
            if free(match.start(), match.end()):
                division = scope.generic_by_name[match.group()]
                take(_mention(division, gazetteer, match.group(), match.start(), field, line, "exact"))
    if scope.abbreviation is not None:
        for match in scope.abbreviation.finditer(text):
            if free(match.start(), match.end()):
                division = scope.by_abbreviation[match.group()]
                take(_mention(division, gazetteer, match.group(), match.start(), field, line, "abbreviation"))
    # Only words ending in 镇/乡/县 can be misprints: visit those positions, not every character of the line.
    endings = [match.start() for match in _ENDING.finditer(text)]
    non_place = _non_place_cover(text, rules) if endings else []
    for end_index in endings:
        char = text[end_index]
        if taken[end_index] or non_place[end_index]:
            continue
        corrected = _correct(text, end_index, char, scope, taken)
        if corrected is not None:
            printed, division = corrected
            take(_mention(division, gazetteer, printed, end_index + 1 - len(printed), field, line,
                          "corrected", corrected=True))
    for mention in _correct_short_in_list(text, endings, scope, taken, gazetteer, rules, field, line):
        take(mention)
    for county in scope.county_names:
        _find_unlisted(text, county, scope, rules, taken, non_place, field, line, take)
    found.sort(key=lambda mention: mention.start)
    return found


def lines_naming_places(texts: list[str], region: Region, *, gazetteer: Gazetteer | None = None,
                        rules: PlaceRules | None = None) -> list[int]:
    """The positions in ``texts`` of the lines that may name a place of ``region`` (``find_places`` finds
    nothing in the others): one search over the whole document instead of one per line."""
    scope = _scope(region, gazetteer or default_gazetteer(), rules or default_rules())
    named: set[int] = set()
    if scope.names is not None:
        starts: list[int] = []
        offset = 0
        for text in texts:
            starts.append(offset)
            offset += len(text) + 1
        # no name holds a line break: the matches in the joined text are the matches in each line
        named = {bisect_right(starts, match.start()) - 1 for match in scope.names.finditer("\n".join(texts))}
    return [index for index, text in enumerate(texts) if index in named or _has_ending(text, scope)]


def _relevant_endings(fuzzy: dict[tuple[str, int], list[tuple[str, Division]]],
                      short_by_ending: dict[str, list[tuple[str, Division]]],
                      county_names: tuple[str, ...]) -> tuple[str, ...]:
    """The endings at which find_places can read anything but a listed name: a misprint corrected into a name
    of that ending (``_correct``, ``_correct_short_in_list``), or an unlisted 镇/乡 after the county's name."""
    endings = {last for last, _length in fuzzy} | {last for last, names in short_by_ending.items() if len(names) == 1}
    if county_names:
        endings |= set(UNLISTED_ENDINGS)
    return tuple(sorted(endings))


def _has_ending(text: str, scope: _Scope) -> bool:
    return any(ending in text for ending in scope.endings)


def _may_name(text: str, scope: _Scope) -> bool:
    """Every kind of mention needs an ending it can be read at (corrected, unlisted) or one of the scope's
    names."""
    return _has_ending(text, scope) or (scope.names is not None and scope.names.search(text) is not None)


def _correct(text: str, end_index: int, char: str, scope: _Scope,
             taken: list[bool]) -> tuple[str, Division] | None:
    """The one name of the region that the printed word ending here misspells by one character."""
    hits: dict[str, tuple[str, Division]] = {}
    for (last, length), names in scope.fuzzy.items():
        start = end_index + 1 - length
        if last != char or start < 0 or any(taken[start:end_index + 1]):
            continue
        printed = text[start:end_index + 1]
        for name, division in names:
            differing = [i for i in range(length - 1) if printed[i] != name[i]]
            if len(differing) == 1 and "\u4e00" <= printed[differing[0]] <= "\u9fff":
                hits[division.current_code] = (printed, division)
    return next(iter(hits.values())) if len(hits) == 1 else None


def _correct_short_in_list(text: str, endings: list[int], scope: _Scope, taken: list[bool],
                           gazetteer: Gazetteer, rules: PlaceRules, field: str, line: int) -> list[PlaceMention]:
    """孟县 for 盂县: a two-character name is corrected only inside an enumeration (、) next to a name read
    exactly, and only when the region has a single two-character name with that ending."""
    out: list[PlaceMention] = []
    for end_index in endings:
        char = text[end_index]
        if end_index < 1 or taken[end_index] or taken[end_index - 1]:
            continue
        names = scope.short_by_ending.get(char, [])
        printed = text[end_index - 1:end_index + 1]
        if (len(names) != 1 or printed == names[0][0] or not "\u4e00" <= printed[0] <= "\u9fff"
                or printed[0] in rules.unlisted_stop_chars):  # 全县、本县 are no misprints
            continue
        before = end_index >= 3 and text[end_index - 2] == "、" and taken[end_index - 3]
        after = end_index + 2 < len(text) and text[end_index + 1] == "、" and taken[end_index + 2]
        if before or after:
            out.append(_mention(names[0][1], gazetteer, printed, end_index - 1, field, line, "corrected",
                                corrected=True))
    return out


def _find_unlisted(text: str, county: str, scope: _Scope, rules: PlaceRules, taken: list[bool],
                   non_place: list[bool], field: str, line: int, take) -> None:  # type: ignore[no-untyped-def]
    """``沁水县XX乡`` naming no division: an unlisted former township, kept without a code."""
    start = text.find(county)
    while start != -1:
        after = start + len(county)
        match = UNLISTED.match(text, after)
        if match is not None:
            stem, suffix = match.group(1), match.group(2)
            end = match.end()
            if (not any(taken[after:end]) and not non_place[end - 1]
                    and not any(ch in rules.unlisted_stop_chars for ch in stem)
                    and match.group() not in scope.known_names):
                take(PlaceMention(text=match.group(), start=after, end=end, code=None, name=stem + suffix,
                                  level="township", corrected=False, former=True, field=field, line=line,
                                  how="unlisted"))
        start = text.find(county, start + 1)
