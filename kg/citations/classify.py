"""文种 of a cited document from its title, by the endings listed in ``kg/data/document_kinds.toml``.

Kinds are zh keys (通知, 规定, 合同 …) with an English label and a flag for bases that are not policy
documents (contracts, meetings, 批示), so that rankings of policy documents can leave them out.
"""

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
    kind: str  # the zh key (通知, 规定, 合同 …)
    en: str  # its English label
    policy: bool  # False for a basis that is not a policy document (合同, 会议, 批示, 其他)
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
    other: str = "其他"
    standard: str = "标准"
    # every ending of every rule, longest first, with the rule it belongs to
    endings: tuple[tuple[str, KindRule], ...] = ()
    meeting_decided: tuple[str, ...] = ()  # 决定, 研究意见 … after 会议: the meeting itself is cited
    announcement: str = "公告"  # the kind of a 公告 cited by its number alone (国家税务总局公告2018年第31号)
    order: str = "命令"  # the kind of a 令 cited by its number alone (国务院令第708号)

    def rule(self, kind: str) -> KindRule | None:
        return next((rule for rule in self.rules if rule.kind == kind), None)

    def policy(self, kind: str) -> bool:
        """Whether a kind is a policy document when no ending decided (其他 by default is; 合同 never is)."""
        return all(rule.policy for rule in self.rules if rule.kind == kind) or kind == self.other


@cache
def vocabulary() -> Vocabulary:
    data = tomllib.loads(resources.files("kg.data").joinpath("document_kinds.toml").read_text(encoding="utf-8"))
    rules = tuple(
        KindRule(
            entry["key"],
            entry["en"],
            bool(entry.get("policy", True)),
            tuple(sorted(entry.get("endings", []), key=len, reverse=True)),
            tuple(entry.get("contains", [])),
            tuple(entry.get("not_endings", [])),
        )
        for entry in data["kind"]
    )
    generic = data.get("generic", {})
    registration = data.get("registration", {})
    defaults = data.get("default", {})
    endings = tuple(sorted(((ending, rule) for rule in rules for ending in rule.endings), key=lambda e: -len(e[0])))
    return Vocabulary(
        rules,
        tuple(generic.get("markers", [])),
        frozenset(generic.get("whole", [])),
        tuple(registration.get("own", [])),
        tuple(registration.get("marks", [])),
        tuple(data.get("issuer_prefix", {}).get("before", [])),
        tuple(sorted(data.get("truncated", {}).items(), key=lambda item: -len(item[0]))),
        tuple(data.get("numbered_series", {}).get("endings", [])),
        defaults.get("other", "其他"),
        defaults.get("standard", "标准"),
        endings,
        tuple(sorted(data.get("meeting", {}).get("decided", []), key=len, reverse=True)),
        defaults.get("announcement", "公告"),
        defaults.get("order", "命令"),
    )


def meeting_cited(title: str) -> str:
    """县委常委会会议决定 → 县委常委会会议: a meeting cited by its decision is the meeting (document_kinds.toml)."""
    for word in vocabulary().meeting_decided:
        if title.endswith("会议" + word):
            return title[: len(title) - len(word)]
    return title


def kind_label(kind: str) -> str:
    """The English label of a kind key (通知 → notice); the key itself when the vocabulary does not know it."""
    rule = vocabulary().rule(kind)
    return rule.en if rule else kind


def is_policy_kind(kind: str) -> bool:
    """False for kinds that are never policy documents (合同, 会议, 批示)."""
    return vocabulary().policy(kind)


def is_policy_title(title: str | None, kind: str) -> bool:
    """False for a basis that is not a policy document: a contract, a meeting, a 批示, or a title whose ending
    is listed with policy = false (…审批花名表, …初步设计文件)."""
    if title:
        found = _ending_rule(strip_qualifiers(title))
        if found is not None and found[1].kind == kind:
            return found[1].policy
    return is_policy_kind(kind)


def strip_qualifiers(title: str) -> str:
    return _TRAILING_QUALIFIERS.sub("", title)


def _ending_rule(text: str) -> tuple[str, KindRule] | None:
    """The longest vocabulary ending ``text`` ends with (and is not excluded by its rule's not_endings)."""
    by_last = _endings_by_last_character(vocabulary())
    candidates = by_last.get(text[-1:], ()) if by_last is not None else vocabulary().endings
    for ending, rule in candidates:
        if text.endswith(ending) and not any(text.endswith(bad) for bad in rule.not_endings):
            return ending, rule
    return None


_BY_LAST: list[tuple[Vocabulary, dict[str, tuple[tuple[str, KindRule], ...]] | None]] = []


def _endings_by_last_character(vocab: Vocabulary) -> dict[str, tuple[tuple[str, KindRule], ...]] | None:
    """The vocabulary's endings (longest first, as listed) under their last character: only those can end a
    text that ends with it. None when an ending is empty (it ends every text). Kept for the vocabulary object
    itself (hashing a vocabulary would cost more than the scan it saves)."""
    if _BY_LAST and _BY_LAST[0][0] is vocab:
        return _BY_LAST[0][1]
    grouped: dict[str, list[tuple[str, KindRule]]] = {}
    for ending, rule in vocab.endings:
        grouped.setdefault(ending[-1:], []).append((ending, rule))
    by_last = None if "" in grouped else {last: tuple(items) for last, items in grouped.items()}
    _BY_LAST[:] = [(vocab, by_last)]
    return by_last


def classify_title(title: str) -> str:
    """The 文种 key of a title (通知, 批复, 规定, 法律, 规划, 合同 …), or the vocabulary's "other" key."""
    core = strip_qualifiers(title)
    raw = title.rstrip("》〉>”\"'。；;、，, ")
    # the raw title too: a qualifier can hold the 文种 word itself
    found = _ending_rule(core) or _ending_rule(raw)
    if found is not None:
        return found[1].kind
    for rule in vocabulary().rules:
        if any(word in core for word in rule.contains):
            return rule.kind
    return vocabulary().other


def ends_with_kind_word(title: str) -> bool:
    """True when the title ends with a word of the vocabulary (so a phrase without 《》 can be a title)."""
    return _ending_rule(strip_qualifiers(title)) is not None


def kind_ending(title: str) -> str | None:
    """The vocabulary word ``title`` ends with (…滑坡治理报告 → 报告), else None."""
    found = _ending_rule(title)
    return found[0] if found else None


def is_bare_kind(word: str) -> bool:
    """请示, 报告: a 文种 word alone, whose subject is shared with the title before it."""
    return any(word == ending for ending, _ in vocabulary().endings)


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
