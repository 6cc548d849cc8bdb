"""Resolve a disclosure's own region (province / city / county) from its department name and text."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from kg.places.gazetteer import Division, Gazetteer, default_gazetteer
from kg.places.rules import PlaceRules, default_rules

# the title block names the department; past it, other regions (the province, a parent city) are cited
TITLE_LINES = 80


@dataclass(frozen=True)
class Region:
    province: Division
    city: Division | None
    county: Division | None
    source: str  # "department" | "text"
    ambiguous: bool = False  # several divisions share the name; context chose this one
    alternatives: tuple[str, ...] = field(default=())  # codes of the other candidates

    @property
    def narrowest(self) -> Division:
        return self.county or self.city or self.province

    @property
    def code(self) -> str:
        return self.narrowest.code

    @property
    def name(self) -> str:
        return "".join(d.name for d in (self.province, self.city, self.county) if d is not None)


class _NameIndex:
    """Province/city/county names by first character, for a leftmost-longest scan without a huge regex."""

    def __init__(self, gazetteer: Gazetteer, rules: PlaceRules) -> None:
        self.by_first: dict[str, list[str]] = {}
        self.divisions: dict[str, list[Division]] = {}
        for level in ("province", "city", "county"):
            for division in gazetteer.at_level(level):  # type: ignore[arg-type]
                if division.former or division.name in rules.generic_names or len(division.name) < 2:
                    continue
                self.divisions.setdefault(division.name, []).append(division)
        for name in self.divisions:
            self.by_first.setdefault(name[0], []).append(name)
        for names in self.by_first.values():
            names.sort(key=len, reverse=True)

    def scan(self, text: str) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        position = 0
        while position < len(text):
            for name in self.by_first.get(text[position], ()):
                if text.startswith(name, position):
                    out.append((position, name))
                    position += len(name)
                    break
            else:
                position += 1
        return out


@lru_cache(maxsize=4)
def _index(gazetteer: Gazetteer, rules: PlaceRules) -> _NameIndex:
    return _NameIndex(gazetteer, rules)


def _region_of(division: Division, gazetteer: Gazetteer, source: str, alternatives: list[Division]) -> Region:
    chain = [division, *gazetteer.ancestors(division.code)]
    by_level = {d.level: d for d in chain}
    return Region(province=by_level["province"], city=by_level.get("city"), county=by_level.get("county"),
                  source=source, ambiguous=bool(alternatives),
                  alternatives=tuple(d.code for d in alternatives))


def _generic_child(text: str, end: int, parent: Division, gazetteer: Gazetteer,
                   rules: PlaceRules) -> Division | None:
    """阳泉市郊区…: a generic county name counts right after its city's name."""
    for child in gazetteer.children(parent.code, former=False):
        if child.name in rules.generic_names and text.startswith(child.name, end):
            return child
    return None


def resolve_region(department: str | None, text_lines: Iterable[str], *,
                   gazetteer: Gazetteer | None = None, rules: PlaceRules | None = None) -> Region | None:
    """The narrowest division the department belongs to, e.g. 泽州县自然资源局 → 山西省 晋城市 泽州县.

    The department name decides when it names a division; otherwise the title block of the text does (the most
    often named county, else city, else province). Names shared by several divisions (e.g. 城区) are settled
    by which of their parents the text names.
    """
    gazetteer = gazetteer or default_gazetteer()
    rules = rules or default_rules()
    index = _index(gazetteer, rules)
    lines = [line for _, line in zip(range(TITLE_LINES), text_lines, strict=False)]
    # a two-character name (和县, 兴县) is too easily part of a phrase: count it only where a line begins
    context = Counter(name for line in lines for position, name in index.scan(line)
                      if len(name) > 2 or position == 0)

    def settle(name: str, named: Counter[str] | None = None) -> tuple[Division, list[Division]]:
        """The division ``name`` means: the one whose parents the name's own text (``named``: 上海市普陀区 is
        not 舟山市普陀区) or else the title block names; the others are alternatives unless ``named`` settled it."""
        candidates = index.divisions[name]
        if len(candidates) == 1:
            return candidates[0], []
        named = named or Counter()

        def own(d: Division) -> int:
            return sum(named[a.name] for a in gazetteer.ancestors(d.code))

        scored = sorted(candidates, key=lambda d: (-own(d), -sum(context[a.name] for a in gazetteer.ancestors(d.code)),
                                                   d.code))
        if own(scored[0]) > 0 and all(own(d) == 0 for d in scored[1:]):
            return scored[0], []
        return scored[0], scored[1:]

    def deepest(text: str) -> tuple[Division, list[Division]] | None:
        best: tuple[Division, list[Division]] | None = None
        named = Counter(name for _, name in index.scan(text))
        for position, name in index.scan(text):
            division, others = settle(name, named)
            if best is None or _deeper(division, best[0]):
                best = (division, others)
            if division.level == "city":
                child = _generic_child(text, position + len(name), division, gazetteer, rules)
                if child is not None:
                    best = (child, [])
        return best

    if department:
        found = deepest(department)
        if found is not None:
            return _region_of(found[0], gazetteer, "department", found[1])
    for level in ("county", "city", "province"):
        counted = [(count, name) for name, count in context.items()
                   if any(d.level == level for d in index.divisions[name])]
        if counted:
            _, name = max(counted, key=lambda item: (item[0], -len(item[1])))
            division, others = settle(name)
            return _region_of(division, gazetteer, "text", others)
    return None


def _deeper(new: Division, old: Division) -> bool:
    order = {"province": 0, "city": 1, "county": 2}
    return order.get(new.level, 0) > order.get(old.level, 0)
