"""文种 of a cited document from its title, by the endings listed in ``kg/data/document_kinds.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Trailing qualifiers that are not the 文种: (试行), (2023-2025年), (第一版), 》, quotes.
# (at most 200 of them: an unbounded repeat before "$" is quadratic under search on a long run of spaces)
_TRAILING_QUALIFIERS = re.compile(r"(?:[(（][^()（）]{0,20}[)）]|[》〉>”\"'。；;、，,\s]){1,200}$")


@dataclass(frozen=True)
class KindRule:
    kind: str
    endings: tuple[str, ...]
    contains: tuple[str, ...]
    not_endings: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    rules: tuple[KindRule, ...]
    generic_markers: tuple[str, ...]
    generic_whole: frozenset[str]
    registration_own: tuple[str, ...] = ()
    registration_marks: tuple[str, ...] = ()
    issuer_prefix_before: tuple[str, ...] = ()
    truncated: tuple[tuple[str, str], ...] = ()
    numbered_series: tuple[str, ...] = ()


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(resources.files("kg.data").joinpath("document_kinds.toml").read_text(encoding="utf-8"))
    rules = tuple(
        KindRule(
            entry["kind"],
            tuple(sorted(entry.get("endings", []), key=len, reverse=True)),
            tuple(entry.get("contains", [])),
            tuple(entry.get("not_endings", [])),
        )
        for entry in data["kind"]
    )
    generic = data.get("generic", {})
    registration = data.get("registration", {})
    return Vocabulary(
        rules,
        tuple(generic.get("markers", [])),
        frozenset(generic.get("whole", [])),
        tuple(registration.get("own", [])),
        tuple(registration.get("marks", [])),
        tuple(data.get("issuer_prefix", {}).get("before", [])),
        tuple(sorted(data.get("truncated", {}).items(), key=lambda item: -len(item[0]))),
        tuple(data.get("numbered_series", {}).get("endings", [])),
    )


def strip_qualifiers(title: str) -> str:
    return _TRAILING_QUALIFIERS.sub("", title)


def classify_title(title: str) -> str:
    """通知 / 批复 / … / law / regulation / plan / standard / contract / design, or "other"."""
    core = strip_qualifiers(title)
    raw = title.rstrip("》〉>”\"'。；;、，, ")
    for rule in vocabulary().rules:
        if any(core.endswith(ending) for ending in rule.not_endings):
            continue
        # the raw title too: a qualifier can be the 文种 (…应急治理方案(代初步设计) is a design)
        if any(core.endswith(ending) or raw.endswith(ending) for ending in rule.endings) \
                or any(word in core for word in rule.contains):
            return rule.kind
    return "other"


def ends_with_kind_word(title: str) -> bool:
    """True when the title ends with a word of the vocabulary (so a phrase without 《》 can be a title)."""
    core = strip_qualifiers(title)
    return any(
        core.endswith(ending) and not any(core.endswith(bad) for bad in rule.not_endings)
        for rule in vocabulary().rules
        for ending in rule.endings
    )


def is_generic(phrase: str) -> bool:
    """True for phrases that cite nothing in particular (相关文件, 工作需要, 等编制工作方案及合同)."""
    stripped = phrase.strip(" 。;；,，、")
    vocab = vocabulary()
    return stripped in vocab.generic_whole or any(marker in stripped for marker in vocab.generic_markers)


def cites_nothing(cell: str) -> bool:
    """True for whole cells that cite no document (无, 根据工作需要)."""
    return cell.strip(" 。;；,，、") in vocabulary().generic_whole


def repair_truncated(title: str) -> str | None:
    """The title meant when ``title`` ends with a known truncated word (…项目合 → …项目合同), else None."""
    for printed, meant in vocabulary().truncated:
        if title.endswith(printed):
            return title[: len(title) - len(printed)] + meant
    return None
