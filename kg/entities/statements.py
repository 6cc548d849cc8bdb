"""Figures the 说明 states, checked against the tables: "收入支出总计2995.39万元", "住房保障支出（类）445.69万元".

The explanatory text repeats the tables' totals and 科目 amounts. Where it says otherwise than the tables, one
of them is wrong — a misprint a reader of the document should hear of, or a misreading of ours — so each
disagreement is a warning at the sentence ("text-differs"), and every check is kept for the report. The
grammar (labels, joining words, the tables and rows a figure is printed in) is kg/data/text_statements.toml.
A figure whose table was not read is not checked: no table, nothing to compare.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple

from kg.records import Notice, SourceLine, Table, TextCheck
from kg.tables.amounts import UNIT_TO_YUAN, to_yuan
from kg.tables.frames import records as frame_records
from kg.tables.knowledge import DATA
from kg.tables.layout import compact
from kg.tables.stated import AMOUNT

_QUOTES = str.maketrans("", "", "“”\"'‘’")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]{1,3}、|[0-9]{1,2}[.、．])")
# a 科目 stated by its names, 类 then 款 then 项, each with its marker ("住房保障支出（类）住房改革支出（款）")
_PATH = re.compile(r"(?:[^（()）\s，。；：:、“”\"|]{1,30}[（(][类款项][)）]){1,3}")
_PATH_STEP = re.compile(r"([^（()）]{1,40}?)[（(]([类款项])[)）]")  # bounded: linear on any text


class _Place(NamedTuple):
    """Where a figure is printed: tables of these kinds, rows whose label matches, and (for a figure printed as a
    column, "基本支出" beside 合计) those amount columns only."""

    kinds: tuple[str, ...]
    rows: re.Pattern[str]
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Grammar:
    figures: list[tuple[str, re.Pattern[str], tuple[_Place, ...]]]  # what, label, where it is printed
    statements: dict[str, re.Pattern[str]]  # by the document's phase (budget, final)
    part_words: tuple[str, ...]
    change_words: tuple[str, ...]
    scope_words: tuple[str, ...]  # a sentence naming one is about other money (the funds with 绩效目标)
    levels: dict[str, int]
    optional_suffix: str
    relation: re.Pattern[str]
    relation_words: dict[str, int]  # a relation's word → the sign of 决算数 − 预算数 it says
    anchor: re.Pattern[str]  # what every statement holds (its label's ending or a 科目 marker)
    path_window: int  # how far before "年初预算为…" the 科目 it is of may be named


@cache
def _rules() -> dict[str, Any]:
    """kg/data/text_statements.toml, read once for the statements and the years."""
    return tomllib.loads((DATA / "text_statements.toml").read_text(encoding="utf-8"))


@cache
def _grammar() -> _Grammar:
    rules = _rules()
    figures = [(f["what"], re.compile(f["label"]), tuple(
        _Place(tuple(place["tables"]), re.compile(place["rows"]), tuple(place.get("columns", ())))
        for place in f.get("printed", [f]))) for f in rules["figure"]]
    labels = "|".join(f"(?P<f{i}>{f['label']})" for i, f in enumerate(rules["figure"]))
    path = f"(?P<path>{_PATH.pattern})"
    statements = {phase: re.compile(f"(?:{labels}|{path}){joining}{AMOUNT}")
                  for phase, joining in rules["joining"].items()}
    levels = rules["path"]["levels"]
    relation = rules["relation"]
    words = {word: sign for sign, key in ((1, "greater"), (-1, "less"), (0, "equal")) for word in relation[key]}
    two_amounts = relation["pattern"].format(budget=AMOUNT.replace("?P<amount>", "?P<budget>").replace(
        "?P<unit>", "?P<budget_unit>"), final=AMOUNT.replace("?P<amount>", "?P<final>").replace(
        "?P<unit>", "?P<final_unit>"))
    return _Grammar(figures, statements, tuple(rules["part_words"]), tuple(rules["change_words"]),
                    tuple(rules["scope_words"]), levels, rules["path"]["optional_suffix"],
                    re.compile(two_amounts), words, re.compile("|".join(rules["anchors"])), relation["path_window"])


class _Printed(NamedTuple):
    """A table's figure a statement is compared with."""

    amount: Decimal  # in 元
    table: Table
    line: int
    label: str  # the row's label or name


@dataclass(frozen=True)
class _Statement:
    what: str  # the figure's name, or the 科目 path as stated
    figure: int | None  # index into the grammar's figures; None for a 科目 path
    amount: Decimal  # in 元
    tolerance: Decimal  # in 元: the last digit the text prints
    line: int


def check_statements(lines: list[SourceLine], tables: list[Table], file: str,
                     final: bool = False) -> tuple[list[TextCheck], list[Notice]]:
    """Each figure the text states that a read table prints, compared; a warning where they differ. A 决算's
    (``final``) text is read for its 决算数, never its 年初预算数."""
    checks: list[TextCheck] = []
    notices: list[Notice] = []
    for statement, printed in _compared(lines, tables, tables, final):
        agreeing = [f for f in printed if abs(f.amount - statement.amount) <= statement.tolerance]
        shown = (agreeing or printed)[0]
        checks.append(TextCheck(statement.what, statement.line, shown.line, statement.amount, shown.amount,
                                bool(agreeing)))
        if not agreeing:
            shown_all = " / ".join(sorted({f"{f.amount} 元 ({f.table.title!r}, line {f.line})" for f in printed}))
            notices.append(Notice(file, statement.line, "text-differs",
                                  f"the text states {statement.what} {statement.amount} 元; the tables print "
                                  f"{shown_all}"))
    return checks, notices


def settle_units_by_text(lines: list[SourceLine], tables: list[Table], notices: list[Notice],
                         final: bool = False) -> None:
    """A table that states no unit, where no other table's unit can stand in (``unit-missing``), is read in
    the unit in which the figures the text states agree with it — the text prints its unit ("2995.39万元").
    Its warning becomes an info naming the evidence; without evidence either way it stays."""
    missing = {n.line: n for n in notices if n.code == "unit-missing"}
    for table in tables:
        notice = missing.get(table.span.first_line)
        if notice is None:
            continue
        agreeing: dict[str, int] = {}
        for unit in UNIT_TO_YUAN:
            table.unit = unit
            agreeing[unit] = sum(
                any(abs(figure.amount - statement.amount) <= statement.tolerance for figure in printed)
                for statement, printed in _compared(lines, tables, [table], final))
        best = max(agreeing, key=lambda unit: (agreeing[unit], unit == "万元"))
        table.unit = best if agreeing[best] else "万元"
        if agreeing[best] and sorted(agreeing.values())[-2] < agreeing[best]:
            notices[notices.index(notice)] = Notice(
                notice.file, notice.line, "unit-from-text",
                f"table {table.title!r} states no unit; read in {best}, the unit in which {agreeing[best]} "
                "figure(s) the text states agree with it", "info")


def _compared(lines: list[SourceLine], tables: list[Table], compare: list[Table],
              final: bool) -> Iterator[tuple[_Statement, list[_Printed]]]:
    """Each statement of the text with the figures of the ``compare`` tables it names (none: not yielded)."""
    grammar = _grammar()
    for statement in _statements(lines, tables, grammar, "final" if final else "budget"):
        if statement.figure is not None:
            places = grammar.figures[statement.figure][2]
            printed = [figure for place in places for t in compare if t.kind in place.kinds
                       for figure in _row_figures(t, place.rows, place.columns)]
        else:
            printed = [figure for t in compare for figure in _path_figures(t, statement.what, grammar)]
        if printed:
            yield statement, printed


def _statements(lines: list[SourceLine], tables: list[Table], grammar: _Grammar,
                phase: str) -> Iterator[_Statement]:
    """The statements of the text outside the tables. The grammar runs only over the sentences that hold an
    anchor of a statement and a unit (the whole text of a long disclosure took 0.4 s), and a statement never
    crosses "，。；" or a paragraph's end."""
    text, position_line = _text_outside(lines, tables)
    pattern = grammar.statements[phase]
    for sentence in _SENTENCE.finditer(text):
        piece = sentence.group()
        if "元" not in piece or not grammar.anchor.search(piece):
            continue
        if any(word in _whole_sentence(text, sentence.start(), sentence.end()) for word in grammar.scope_words):
            continue
        for match in pattern.finditer(piece):
            start = sentence.start() + match.start()
            figure = next((i for i in range(len(grammar.figures)) if match[f"f{i}"]), None)
            if figure is not None and text.endswith(grammar.part_words + grammar.change_words, 0, start):
                continue
            amount, tolerance = _stated_amount(match["amount"], match["unit"])
            what = grammar.figures[figure][0] if figure is not None else _path_text(match["path"])
            if what:
                yield _Statement(what, figure, amount, tolerance, position_line(start))


_SENTENCE = re.compile(r"[^，。；|]+")


def _whole_sentence(text: str, start: int, end: int) -> str:
    """The sentence (to "。" or a paragraph's end) around the clause from ``start`` to ``end``."""
    begin = max(text.rfind("。", 0, start), text.rfind("|", 0, start)) + 1
    stops = [found for found in (text.find("。", end), text.find("|", end)) if found >= 0]
    return text[begin:min(stops, default=len(text))]


def check_relations(lines: list[SourceLine], tables: list[Table], file: str) -> tuple[list[TextCheck], list[Notice]]:
    """A 决算's "年初预算为…，支出决算为…": its "决算数大于/小于/等于预算数" against the two amounts, and the 决算数
    against the row of the 科目 the paragraph names just before."""
    grammar = _grammar()
    text, position_line = _text_outside(lines, tables)
    checks: list[TextCheck] = []
    notices: list[Notice] = []
    for match in grammar.relation.finditer(text):
        budget, _ = _stated_amount(match["budget"], match["budget_unit"])
        final, tolerance = _stated_amount(match["final"], match["final_unit"])
        line = position_line(match.start())
        path = _path_before(text, match.start(), grammar)
        printed = [figure for t in tables for figure in _path_figures(t, path, grammar)] if path else []
        if printed:
            agreeing = [f for f in printed if abs(f.amount - final) <= tolerance]
            shown = (agreeing or printed)[0]
            checks.append(TextCheck(f"{path} 决算数", line, shown.line, final, shown.amount, bool(agreeing)))
            if not agreeing:
                notices.append(Notice(file, line, "text-differs",
                                      f"the text states the 决算数 of {path} as {final} 元; the tables print "
                                      f"{' / '.join(sorted({f'{f.amount} 元 (line {f.line})' for f in printed}))}"))
        if match["relation"] is None:
            continue
        difference = final - budget
        sign = 0 if abs(difference) < tolerance else (1 if difference > 0 else -1)
        said = grammar.relation_words[match["relation"]]
        what = f"决算数{match['relation']}预算数"
        checks.append(TextCheck(what, line, line, final, budget, said == sign, kind="relation"))
        if said != sign:
            notices.append(Notice(file, line, "text-differs",
                                  f"the text says {what}, but gives 年初预算 {budget} 元 and 决算 {final} 元"))
    return checks, notices


def _path_before(text: str, position: int, grammar: _Grammar) -> str:
    """The last 科目 path the paragraph names before ``position`` (within the grammar's window), or ""."""
    start = max(text.rfind("|", 0, position) + 1, position - grammar.path_window)
    found = list(_PATH.finditer(text, start, position))
    if not found or _STATED_FIGURE.search(text, found[-1].end(), position):
        return ""  # a 科目 stated with its own figure ("住房保障支出（类）445.69万元，占15.16%") is not the one
    return _path_text(found[-1].group())


_STATED_FIGURE = re.compile(r"[0-9](?:亿元|万元|元|%)")


def check_years(lines: list[SourceLine], fiscal_year: int, final: bool, file: str) -> list[Notice]:
    """Headings and footers naming another year's 部门预算/决算, and a 决算's year-end of another year: one
    warning per year, naming its lines."""
    rules = _year_rules()
    found: dict[int, list[int]] = {}
    for line in lines:
        raw = line.text
        if not ("预算" in raw or "决算" in raw or (final and "截至" in raw)):
            continue
        text = compact(raw)
        matches = list(rules["heading"].finditer(text)) if len(text) <= rules["heading_max_chars"] else []
        if final:
            matches += rules["final_year_end"].finditer(text)
        for match in matches:
            year = int(match["year"])
            if year != fiscal_year:
                found.setdefault(year, []).append(line.number)
    return [Notice(file, numbers[0], "year-differs",
                   f"the document is of {fiscal_year}, but {len(numbers)} line(s) name {year} as its year "
                   f"(lines {', '.join(map(str, numbers[:8]))}{'…' if len(numbers) > 8 else ''}): a heading, footer "
                   "or year-end date left from another year's document?")
            for year, numbers in sorted(found.items())]


@cache
def _year_rules() -> dict[str, Any]:
    years = _rules()["years"]
    return {"heading": re.compile(years["heading"]), "heading_max_chars": years["heading_max_chars"],
            "final_year_end": re.compile(years["final_year_end"])}


_CENT = Decimal("0.01")


def _stated_amount(text: str, unit: str) -> tuple[Decimal, Decimal]:
    """An amount the text states, in 元, and the tolerance of its last printed digit, in 元."""
    digits = text.replace(",", "")
    amount = to_yuan(Decimal(digits), unit)
    tolerance = to_yuan(Decimal(1).scaleb(-len(digits.partition(".")[2])), unit)
    assert amount is not None and tolerance is not None
    exponent = amount.as_tuple().exponent  # an int: the text's digits are a finite number
    if isinstance(exponent, int) and exponent > -2:
        amount = amount.quantize(_CENT)  # "592.5万元" shows as 5925000.00 元, like the tables' figures
    return amount, tolerance


def _text_outside(lines: list[SourceLine], tables: list[Table]) -> tuple[str, Callable[[int], int]]:
    """The text outside the tables, lines joined (a wrapped sentence reads whole; a blank line or a table
    ends a paragraph, marked "|"), and the line number of a position in it. The last document's is kept:
    the figures and the relations read the same text."""
    if _last_text and _last_text[0] is lines and _last_text[1] == len(tables):
        return _last_text[2], _last_text[3]
    inside = {number for t in tables for number in range(t.span.first_line, _last_row_line(t) + 1)}
    text_parts: list[str] = []
    starts: list[int] = []
    numbers: list[int] = []
    length = 0
    for line in lines:
        piece = "|" if line.number in inside else compact(line.text) or "|"
        starts.append(length)
        numbers.append(line.number)
        text_parts.append(piece)
        length += len(piece)

    def position_line(position: int) -> int:
        return numbers[bisect_right(starts, position) - 1]

    text = "".join(text_parts)
    _last_text[:] = [lines, len(tables), text, position_line]
    return text, position_line


_last_text: list[Any] = []


_FIRST_STEP = re.compile(r"[\u4e00-\u9fff]{1,40}[（(][类款项][)）]")


def _path_text(path: str) -> str:
    """The stated path from its first name on, that name being the Chinese characters before its marker: the
    numbering or quotes before it are no part of it ("1.公共安全（类）" → "公共安全（类）")."""
    path = path.translate(_QUOTES)
    first = _FIRST_STEP.search(path)
    return path[first.start():] if first else ""


def _last_row_line(table: Table) -> int:
    """Where the table's rows end (its span runs on to the next title, over any text after the table)."""
    frame = table.frame
    if frame.empty or "last_line" not in frame.columns:
        return table.span.first_line
    return max(table.span.first_line, int(frame["last_line"].max()))


def _label_cells(record: dict[str, Any], columns: list[str]) -> Iterator[tuple[str, list[str]]]:
    """Each label cell of a row with the amount columns it labels: an ``*_item`` column labels the columns up
    to the next one (a two-sided 收入 | 支出 table); a name column, all of them."""
    items = [i for i, column in enumerate(columns) if column.endswith("_item")]
    for position, index in enumerate(items):
        end = items[position + 1] if position + 1 < len(items) else len(columns)
        yield str(record.get(columns[index]) or ""), columns[index + 1:end]
    if not items:
        amounts = [c for c in columns if c not in ("line", "last_line", "code", "code_as_printed", "name",
                                                   "name_detail")]
        yield str(record.get("name") or ""), amounts
        if record.get("name_detail"):
            yield str(record["name_detail"]), amounts


def _row_figures(table: Table, rows: re.Pattern[str] | None, only: tuple[str, ...] = ()) -> list[_Printed]:
    """The amounts of the rows whose label matches ``rows`` (every labelled row for None), with the label; of
    the amount columns named in ``only``, when given."""
    if table.empty or table.frame.empty:
        return []
    columns = list(table.frame.columns)
    records = frame_records(table.frame)
    out: list[_Printed] = []
    for record in records:
        for label, amounts in _label_cells(record, columns):
            label = compact(label)
            if (rows.match(label) if rows is not None else bool(label)) or (
                    rows is not None and len(records) == 1 and not label and "name" not in columns):
                cells = [c for c in amounts if c in record and (not only or c in only)]
                out += [_Printed(_yuan(record[c], table), table, int(record["line"]), label) for c in cells
                        if isinstance(record[c], Decimal)]
                if rows is not None and cells and all(record[c] is None for c in cells):
                    out.append(_Printed(Decimal(0), table, int(record["line"]), label))  # printed blank: none
    return out


def _path_figures(table: Table, path: str, grammar: _Grammar) -> list[_Printed]:
    """The amounts of the row a stated 科目 path names ("住房保障支出（类）住房改革支出（款）"), in a coded table;
    a 类 alone is also printed, for all funds, on the 支出 side of a 收支总表 ("四、公共安全支出")."""
    if table.empty or table.frame.empty:
        return []
    steps = _PATH_STEP.findall(path)
    if len(steps) == 1 and steps[0][1] == "类" and any(c.endswith("_item") for c in table.frame.columns):
        name = steps[0][0]
        names = {name, name + grammar.optional_suffix}
        return [figure for figure in _row_figures(table, None)
                if _NUMBERING.sub("", figure.label) in names]
    if "code" not in table.frame.columns or "total" not in table.frame.columns:
        return []
    candidates = [r for r in frame_records(table.frame) if r.get("code")]
    parent = ""
    row: dict[str, Any] | None = None
    for name, level in steps:
        digits = grammar.levels[level]
        same_level = [r for r in candidates if len(str(r["code"])) == digits and str(r["code"]).startswith(parent)]
        row = _named(same_level, name, grammar, ending=not parent)
        if row is None:
            return []
        parent = str(row["code"])
    if row is None or not isinstance(row.get("total"), Decimal):
        return []
    return [_Printed(_yuan(row["total"], table), table, int(row["line"]), str(row.get("name") or ""))]


def _named(rows: list[dict[str, Any]], name: str, grammar: _Grammar, ending: bool = False) -> dict[str, Any] | None:
    """The one row the stated name names (printed with or without the optional suffix); None when no row or
    several rows of the level do (a path stated from its 款 or 项 alone can be ambiguous). With ``ending``, a
    name that only ends in a row's name names it when no row is named whole: a heading printed with no blank
    line before the path ("…支出情况说明" + "一般公共服务支出（类）…") is read into the path's first name."""
    whole, ends = [], []
    for row in rows:
        printed = compact(str(row.get("name") or "")).translate(_QUOTES)
        names = (printed, printed.removesuffix(grammar.optional_suffix)) if printed else ()
        if name in names:
            whole.append(row)
        elif ending and any(len(n) >= 2 and name.endswith(n) for n in names):
            ends.append(row)
    found = whole or ends
    return found[0] if len(found) == 1 else None


def _yuan(amount: Decimal, table: Table) -> Decimal:
    value = to_yuan(amount, table.unit)
    assert value is not None
    return value
