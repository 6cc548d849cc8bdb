"""Projects described in prose: a 项目经费情况说明 per project, with its 立项依据 as a numbered section.

Outside Shanxi the 立项依据 is often prose, not a table cell: Shanghai prints, per project, a heading
("科技创新专项经费情况说明") and numbered sections (一、项目概述 … 二、立项依据 … 六、年度预算安排 …). Each such
statement becomes a PerformanceTable record of kind "project" with ``form="prose"``, so the rest of the
pipeline (matching to 项目支出表 rows, citations, the graph) treats it as it treats a 绩效目标表.

The words are data (kg/data/project_prose.toml). A heading counts only when a 立项依据 section follows it,
so a "收支预算总表情况说明" heading in a narrative is never taken for a project.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.records import Notice, PerformanceTable, SourceDocument, SourceLine, Span
from kg.tables.layout import compact as _compact

DATA = Path(__file__).resolve().parent.parent / "data" / "project_prose.toml"
# "一、" "(二)" "3、" "4." — the numbering of a section label or a list item (text is normalised: ASCII brackets)
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|[0-9]{1,2}[、.)])")
_SENTENCE = re.compile(r"[，。；;,]")
_TOC_TAIL = re.compile(r"(?:(?<!\.)\.{3,}|(?<!…)…{2,}|(?<!·)·{3,})\s*[0-9]*$|\s[0-9]{1,3}$")
_NUMBER = r"(?<![0-9,.])([0-9][0-9,]*(?:\.[0-9]+)?)"  # starts at a number's first digit: linear


@dataclass(frozen=True)
class _Knowledge:
    suffixes: tuple[str, ...]
    numbered_endings: tuple[str, ...]
    not_names: tuple[str, ...]
    max_heading: int
    window: int
    max_block: int
    labels: tuple[tuple[str, str], ...]  # (label, field), longest first
    label_words: tuple[str, ...]  # the labels alone, for one startswith
    amount: re.Pattern[str]
    any_amount: re.Pattern[str]
    units: dict[str, str]


@lru_cache(maxsize=1)
def _knowledge() -> _Knowledge:
    data: dict[str, Any] = tomllib.loads(DATA.read_text(encoding="utf-8"))
    labels = sorted(((label, name) for name, words in data["sections"].items() for label in words),
                    key=lambda item: -len(item[0]))
    units = dict(data["amount"]["units"])
    unit_words = "|".join(sorted(map(re.escape, units), key=len, reverse=True))
    words = "|".join(sorted(map(re.escape, data["amount"]["words"]), key=len, reverse=True))
    return _Knowledge(
        suffixes=tuple(sorted(data["heading_suffixes"], key=len, reverse=True)),
        numbered_endings=tuple(data["numbered_endings"]),
        not_names=tuple(data["not_project_names"]), max_heading=int(data["max_heading_chars"]),
        window=int(data["heading_window"]), max_block=int(data["max_block_lines"]), labels=tuple(labels),
        label_words=tuple(label for label, _name in labels),
        amount=re.compile(f"(?:{words})[^0-9，。；]{{0,8}}{_NUMBER}\\s*(?P<unit>{unit_words})"),
        any_amount=re.compile(f"{_NUMBER}\\s*(?P<unit>{unit_words})"), units=units)


def _section(text: str) -> tuple[str, str] | None:
    """(field, rest of the line) when the line starts a known section ("二、立项依据：…"), else None."""
    compact = _compact(text)
    numbered = _NUMBERING.match(compact)
    body = compact[numbered.end():] if numbered else compact
    kb = _knowledge()
    if not body.startswith(kb.label_words):  # most lines start no section
        return None
    for label, name in kb.labels:
        if body.startswith(label):
            rest = body[len(label):].lstrip(":：")
            if not numbered and rest and not text.strip()[len(label):].lstrip().startswith((":", "：")):
                return None  # "立项依据充分" in a sentence is not a section
            return name, rest
    return None


def _heading_name(text: str) -> str | None:
    """The project a heading line names ("科技创新专项经费情况说明" → "科技创新专项"), or None."""
    kb = _knowledge()
    compact = _compact(text)
    if not compact or len(compact) > kb.max_heading or _SENTENCE.search(compact) or _TOC_TAIL.search(text.rstrip()):
        return None
    section = _section(text)
    if section is not None:  # "项目名称：信息化运维" names it; any other label belongs to the statement
        return section[1] or None if section[0] == "name" else None
    numbered = _NUMBERING.match(compact)
    if numbered:
        # "(一)信息化运维项目" names a project; "二、部门预算编制说明" is the narrative's outline
        body = compact[numbered.end():]
        return body if len(body) >= 2 and body.endswith(kb.numbered_endings) else None
    for suffix in kb.suffixes:
        if compact.endswith(suffix) and len(compact) > len(suffix) + 1:
            name = compact[: -len(suffix)]
            return None if name.endswith(kb.not_names) else name
    return None


@dataclass
class _Statement:
    name: str
    heading: SourceLine
    fields: dict[str, list[str]] = field(default_factory=dict)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    last_line: int = 0


def _join(parts: list[str]) -> str:
    """Lines of one section as one text: wrapped lines run on, list items ("2、…") start a new line."""
    out = ""
    for part in parts:
        if out and _NUMBERING.match(part):
            out += "\n"
        out += part
    return out


def _amount(text: str, file: str, line: int, notices: list[Notice]) -> Decimal | None:
    kb = _knowledge()
    match = kb.amount.search(text) or kb.any_amount.search(text)
    if match is None:
        return None
    try:
        value = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        notices.append(Notice(file, line, "prose-amount-unread", f"amount {match.group(0)!r} cannot be read"))
        return None
    return value * 10_000 if kb.units[match["unit"]] == "万元" else value


def parse_project_statements(source: SourceDocument, tables: Sequence[PerformanceTable] = (),
                             ) -> tuple[list[PerformanceTable], list[Notice]]:
    """Every project statement in prose, in document order, as a PerformanceTable of form "prose".

    Lines inside ``tables`` (the performance tables already read: their "项目名称：" and "立项依据：" cells
    are table cells, not prose) are left out."""
    kb = _knowledge()
    inside = {number for table in tables for span in (table.span, *table.copies)
              for number in range(span.first_line, span.last_line + 1)}
    lines = [line for line in source.lines if line.text.strip() and line.number not in inside]
    notices: list[Notice] = []
    basis_at = [i for i, line in enumerate(lines) if (s := _section(line.text)) and s[0] == "basis"]
    statements: list[_Statement] = []
    starts: list[int] = []
    for index in basis_at:
        for back in range(index - 1, max(-1, index - kb.window - 1), -1):
            name = _heading_name(lines[back].text)
            if name is not None:
                if not starts or starts[-1] != back:
                    starts.append(back)
                    statements.append(_Statement(name, lines[back]))
                break
    for number, (start, statement) in enumerate(zip(starts, statements, strict=True)):
        end = starts[number + 1] if number + 1 < len(starts) else min(len(lines), start + kb.max_block)
        current: str | None = None
        style: int | None = None  # the numbering rank of the statement's sections
        for position in range(start + 1, min(end, start + kb.max_block)):
            line = lines[position]
            compact = _compact(line.text)
            section = _section(line.text)
            numbered = _NUMBERING.match(compact)
            if section is not None:
                current, rest = section
                style = style or (_rank(numbered.group(0)) if numbered else None)
                statement.fields.setdefault(current, [])
                if rest:
                    statement.fields[current].append(rest)
                first, _ = statement.spans.get(current, (line.number, line.number))
                statement.spans[current] = (first, line.number)
            elif (numbered and style is not None and current is not None and _is_heading(compact)
                  and _ends_statement(_rank(numbered.group(0)), style, compact)):
                break  # "八、…" or "四、其他说明" of the narrative's own outline: the statement has ended
            elif current is not None:
                statement.fields[current].append(compact)
                first, _ = statement.spans[current]
                statement.spans[current] = (first, line.number)
            statement.last_line = line.number
    tables = [_table(source.name, s, notices) for s in statements]
    return tables, notices


def _rank(numbering: str) -> int:
    """How high a numbering stands in an outline: 一、 (0) above (一) (1) above 1、 (2) above (1) (3)."""
    if numbering.startswith("("):
        return 1 if numbering[1] in "一二三四五六七八九十" else 3
    return 0 if numbering[0] in "一二三四五六七八九十" else 2


def _ends_statement(rank: int, sections: int, compact: str) -> bool:
    """A numbered heading above the sections' level, or a sibling that cites nothing, closes the statement."""
    return rank < sections or (rank == sections and "《" not in compact)


def _is_heading(compact: str) -> bool:
    """A short numbered line without sentence punctuation: a heading, not a list item of a section."""
    return len(compact) <= _knowledge().max_heading and not _SENTENCE.search(compact)


def _table(file: str, statement: _Statement, notices: list[Notice]) -> PerformanceTable:
    text = {name: _join(parts) for name, parts in statement.fields.items()}
    spans = {("basis" if name == "basis" else name): Span(file, first, last)
             for name, (first, last) in statement.spans.items()}
    amount_line = statement.spans.get("amount", (statement.heading.number, 0))[0]
    amount = _amount(text.get("amount", ""), file, amount_line, notices) if "amount" in text else None
    if amount is None:
        notices.append(Notice(file, statement.heading.number, "prose-project-without-amount",
                              f"the statement of project {statement.name!r} states no annual amount", "info"))
    return PerformanceTable(
        kind="project", project_name=statement.name, department=None, department_code=None,
        implementing_unit=text.get("implementing_unit") or None, attribute=None, period=text.get("period") or None,
        funds={"年度": {"total": amount}} if amount is not None else {},
        overview=text.get("overview", ""), basis=text.get("basis", ""), necessity=text.get("necessity", ""),
        measures="", plan=text.get("plan", ""), goal_period="", goal_year=text.get("goal", ""), indicators=[],
        span=Span(file, statement.heading.number, max(statement.last_line, statement.heading.number)),
        field_spans=spans, form="prose")
