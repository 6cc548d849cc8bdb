"""The reading rules of kg/data/divisions_rules.toml, loaded once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.places.gazetteer import DATA_DIR

RULES_PATH = DATA_DIR / "divisions_rules.toml"


@dataclass(frozen=True)
class PlaceRules:
    non_place_words: tuple[str, ...]
    abbreviation_followers: re.Pattern[str]
    generic_names: frozenset[str]
    unlisted_stop_chars: frozenset[str]


def read_rules(path: Path = RULES_PATH) -> PlaceRules:
    with open(path, "rb") as handle:
        data = tomllib.load(handle)
    followers = "|".join(f"(?:{fragment})" for fragment in data.get("abbreviation_followers", []))
    return PlaceRules(
        non_place_words=tuple(sorted(data.get("non_place_words", []), key=len, reverse=True)),
        abbreviation_followers=re.compile(followers or r"(?!x)x"),
        generic_names=frozenset(data.get("generic_names", [])),
        unlisted_stop_chars=frozenset(data.get("unlisted_stop_chars", "")),
    )


@lru_cache(maxsize=1)
def default_rules() -> PlaceRules:
    return read_rules()
