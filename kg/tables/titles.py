"""Table titles read by the grammar of the national template (``kg/data/table_titles.toml``).

A title is ``numbering? year? organisation? year? scope? KIND suffix*``: "一、2018 年度江苏省高级人民法院收支预算总表",
"公开 01 表：收支预算总表", "2025年预算单位支出预算总表", "财政拨款支出预算表（功能科目）". The match says which
table kind it is and what else the title states: the year, the organisation, and whether it is a 决算.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.tables.knowledge import TableKind, TableKnowledge

_YEAR = re.compile(r"([0-9]{4})年")


@dataclass(frozen=True)
class TitleMatch:
    kind: TableKind
    year: int | None  # the year the title prints, if any
    organisation: str | None  # the department or unit the title names, if any
    scope: str | None  # "部门" / "单位" / "预算单位" as printed
    final_accounts: bool  # a 决算 table

    def __deepcopy__(self, memo: dict[int, object]) -> TitleMatch:
        return self  # immutable: pandas deep-copies a frame's attrs (which hold it) into every Series


def title_pattern(prefix: dict[str, str], body: str) -> re.Pattern[str]:
    """The full-match pattern of one kind: the shared grammar around the kind's own ``body``."""
    numbering = "|".join(prefix["numbering"])  # type: ignore[arg-type]
    return re.compile(
        f"^(?:{numbering})?(?P<year1>{prefix['year']})?(?P<organisation>{prefix['organisation']})??"
        f"(?P<year2>{prefix['year']})?(?P<scope>{prefix['scope']})?(?P<kind>{body})"
        f"(?:{prefix['suffix']}){{0,3}}$"
    )


# text → its match, for one knowledge: the grammar's patterns backtrack over the organisation, and a document
# prints each title (and every line that looks like one) several times
_MEMO: dict[str, TitleMatch | None] = {}
_MEMO_OWNER: list[object] = [None]  # the knowledge the memo was made with
_MEMO_SIZE = 1 << 14


def match_title(text: str, kb: TableKnowledge) -> TitleMatch | None:
    """The table kind a compacted single-cell line announces, or None. The kind leaving the shortest
    organisation wins; a sentence, a TOC line or a heading longer than a title never matches."""
    if not text or len(text) > kb.title_max_chars or not text.endswith(("表", ")")) or kb.toc.search(text):
        return None
    if _MEMO_OWNER[0] is not kb or len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()
        _MEMO_OWNER[0] = kb
    try:
        return _MEMO[text]
    except KeyError:
        found = _MEMO[text] = _match_title(text, kb)
        return found


def _match_title(text: str, kb: TableKnowledge) -> TitleMatch | None:
    best: tuple[int, TitleMatch] | None = None
    for kind in kb.kinds:
        match = kind.title.match(text)
        if match is None:
            continue
        organisation = match["organisation"] or None
        if organisation and organisation.replace("“", "").replace("”", "").replace('"', "").endswith(
                kb.title_qualifiers):
            continue  # a qualifier of the kind read as an organisation's name (see [title] qualifiers)
        rank = len(organisation or "")
        if best is not None and best[0] <= rank:
            continue
        year_text = match["year1"] or match["year2"]
        year = _YEAR.search(year_text) if year_text else None
        best = (rank, TitleMatch(
            kind=kind, year=int(year.group(1)) if year else None, organisation=organisation,
            scope=match["scope"], final_accounts=bool(kb.final_accounts.search(match["kind"]))))
        if rank == 0:
            break
    return best[1] if best else None
