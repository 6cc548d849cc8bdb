"""Tables: find every standard table by its title and parse it into a typed DataFrame.

A table starts at a line whose text is a title of the national template (``kg/data/table_titles.toml``,
read by ``kg.tables.titles``; a title wrapped over two or three short lines is joined) and runs to the next
title or to the next section heading / narrative sentence. A title counts only when a table follows it — a
unit line, a header, a row, or a 本表无数据 note — so the 目录 copy of each title, and headings that name a
table, are not tables. Whatever falls outside a table (narrative, the performance tables, an attached
catalogue) is never read as rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.records import Notice, SourceDocument, SourceLine, Span, Table
from kg.tables.amounts import find_unit, is_amount
from kg.tables.codes import recover_truncated_codes
from kg.tables.contents import listed_tables, missing_tables
from kg.tables.knowledge import TableKnowledge, knowledge
from kg.tables.layout import cells_of, compact, filled, is_stop, is_unit_beside, positioned_title, title_cells, title_of
from kg.tables.parse import parse_table
from kg.tables.titles import TitleMatch, match_title

__all__ = ["find_tables"]

# a title wrapped over lines: each piece is a short single cell ("十一、…支出预" / "算表")
_TITLE_PIECE_CHARS = 40
_TITLE_PIECES = 3
# how far after a title the table must show itself (non-blank lines)
_EVIDENCE_LINES = 12
# in a space-aligned table, how far a heading-like line looks ahead for more rows of the same table
_STOP_LOOKAHEAD = 8
_PAGE_NUMBER = re.compile(r"^[0-9]{1,3}$")
_SAME_COLUMN = 1.5  # character columns


@dataclass
class _Title:
    first: int  # index in source.lines
    last: int
    match: TitleMatch

    def text(self, lines: list[SourceLine]) -> str:
        return "".join(_single_text(ln) or compact(ln.text) for ln in lines[self.first:self.last + 1])


def find_tables(source: SourceDocument) -> tuple[list[Table], list[Notice]]:
    """Every standard table of the document, in document order, with notices for what was skipped."""
    kb = knowledge()
    lines = source.lines
    tables: list[Table] = []
    notices: list[Notice] = []
    candidates = _title_candidates(lines, kb)
    bodies = [_has_body(lines, t, kb) for t in candidates]
    titles = [t for t, body in zip(candidates, bodies, strict=True) if body]
    listed = listed_tables(lines, [(t.first, t.last, t.match.kind.kind)
                                   for t, body in zip(candidates, bodies, strict=True) if not body], kb)
    unknown = _unknown_titles(lines, kb, {i for t in titles for i in range(t.first, t.last + 1)})
    for index in unknown:
        notices.append(Notice(source.name, lines[index].number, "table-unknown",
                              f"{compact(lines[index].text)!r} reads as a table's title but is no table kind the "
                              "reader knows (kg/data/table_titles.toml): its rows are not read"))
    for position, title in enumerate(titles):
        end = titles[position + 1].first if position + 1 < len(titles) else len(lines)
        end = min([end, *(i for i in unknown if title.last < i < end)])
        body = _body(lines, title.last + 1, end, kb)
        after = next((ln for ln in lines[title.last + 1 + len(body):end] if ln.text.strip()), None)
        title_line = _title_line(lines, title)
        try:
            table = parse_table(title.match.kind, title_line, body, source, kb)
        except Exception as exc:  # one bad table must not lose the others
            notices.append(Notice(source.name, title_line.number, "table-unreadable",
                                  f"{title.match.kind.kind} table could not be parsed: {exc}", "error"))
            continue
        table.frame.attrs["title_match"] = title.match
        if table.frame.empty and not table.empty and after is not None and kb.empty_note.search(compact(after.text)):
            # the note saying so printed under the table as a sentence, which ends the table's lines
            # ("注：本部门无政府性基金预算收支，故本表无数据。")
            table.empty = True
        notices.extend(table.notices)
        if tables and not table.frame.attrs.get("unit_stated", True) and _continues(tables[-1], table, units=False):
            table.unit = tables[-1].unit  # a page's repeat of the title states no unit again
            table.frame.attrs["unit_stated"] = True
        if tables and _continues(tables[-1], table):
            tables[-1] = _joined(tables[-1], table)
            notices.append(Notice(source.name, title_line.number, "table-continued",
                                  f"{table.title!r} printed again over a page break: rows joined to the table "
                                  f"at line {tables[-1].span.first_line}", "info"))
            continue
        tables.append(table)
    if not tables:
        notices.append(_no_tables_notice(source, kb))
    notices.extend(_settle_units(tables, source))
    notices.extend(missing_tables(listed, tables, source.name))
    notices.extend(recover_truncated_codes(tables))
    for table in tables:
        if "code_as_printed" in table.frame.columns and "name" not in table.frame.columns:
            notices.append(Notice(source.name, table.span.first_line, "no-name-column",
                                  f"{table.kind} table {table.title!r}: no header cell reads as 科目名称 "
                                  "(a misprint?); its rows are kept without names"))
        if table.frame.empty and not table.empty:
            notices.append(Notice(source.name, table.span.first_line, "table-without-rows",
                                  f"{table.kind} table {table.title!r} has no rows and no 本表无数据 note"))
    return tables, notices


# "(续)", "(续表)", "续表", "(续表1)" after a title printed again on the page a table goes on to
_CONTINUED = re.compile(r"\(?续表?(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})?\)?$")


def _continues(previous: Table, table: Table, units: bool = True) -> bool:
    """The same title printed again at the top of the next page: one table, not two."""
    first, again = (_CONTINUED.sub("", compact(t)) for t in (previous.title, table.title))
    # the first print may carry a label the repeat lacks ("表十二2017年政府采购预算表" / "2017年政府采购预算表")
    return (table.kind == previous.kind and (first.endswith(again) or again.endswith(first))
            and (table.unit == previous.unit or not units) and not table.empty)


def _settle_units(tables: list[Table], source: SourceDocument) -> list[Notice]:
    """A table that states no unit takes the unit every other table of the document states; where they
    disagree (or none states one) it keeps 万元 with a warning, since no unit was printed to read."""
    stated = {t.unit for t in tables if t.frame.attrs.get("unit_stated", True)}
    notices: list[Notice] = []
    for table in tables:
        if table.frame.attrs.get("unit_stated", True):
            continue
        if len(stated) == 1:
            table.unit = next(iter(stated))
            notices.append(Notice(source.name, table.span.first_line, "unit-inferred",
                                  f"table {table.title!r} states no unit; read in {table.unit}, the unit every "
                                  "other table of the document states", "info"))
        else:
            why = "the other tables state " + " and ".join(sorted(stated)) if stated else "no table states one"
            notices.append(Notice(source.name, table.span.first_line, "unit-missing",
                                  f"table {table.title!r} states no unit and {why}: its amounts are read as "
                                  f"{table.unit}, which may be wrong by 10,000x", "warning"))
    return notices


def _joined(previous: Table, table: Table) -> Table:
    import pandas as pd

    frame = pd.concat([previous.frame, table.frame], ignore_index=True) if not previous.empty else table.frame
    frame.attrs = {**table.frame.attrs, **previous.frame.attrs}
    # a column one page has and the other lacks: its missing cells are empty (concat leaves float NaN), and
    # the text columns of either page stay text
    text_columns = sorted(set(previous.frame.attrs.get("text_columns", ())) | set(table.frame.attrs.get(
        "text_columns", ())))
    frame = frame.astype(object).where(frame.notna(), None)
    both = set(previous.frame.columns) & set(table.frame.columns)
    for column in text_columns:
        if column in frame.columns and column not in both:  # a code both print stays None on a 合计 row
            frame[column] = pd.Series(["" if v is None else v for v in frame[column]], dtype=object)
    frame["line"] = frame["line"].astype("int64")
    frame["last_line"] = frame["last_line"].astype("int64")
    frame.attrs["text_columns"] = text_columns
    return Table(kind=previous.kind, title=previous.title, unit=previous.unit,
                 span=Span(previous.span.file, previous.span.first_line, table.span.last_line), frame=frame,
                 empty=False, notices=previous.notices + table.notices)


def _title_line(lines: list[SourceLine], title: _Title) -> SourceLine:
    """The title as one line (a wrapped title's pieces joined), numbered as its first printed line."""
    first = lines[title.first]
    if title.first == title.last and not _printed_beside(first):
        return first
    # a unit printed on the title's line is the table's: kept in the raw line, which parse_table reads it from
    raw = " ".join(ln.raw for ln in lines[title.first:title.last + 1] if _unit_beside(ln)) or first.raw
    return SourceLine(number=first.number, text=title.text(lines), raw=raw)


def _printed_beside(line: SourceLine) -> bool:
    """A title line printing its table's unit or number in a cell beside the title."""
    cells = filled(cells_of(line))
    return len(cells) > 1 and title_cells(cells, knowledge()) != cells


def _unit_beside(line: SourceLine) -> str | None:
    """The unit a title's line prints in a cell of its own right of the title ("部门收支总表   单位：万元")."""
    cells = filled(cells_of(line))
    return find_unit(compact(cells[-1])) if is_unit_beside(cells) else None


def _single_text(line: SourceLine) -> str | None:
    """The compacted text of a line of one cell (or a spaced-out title's cells): what ``title_of`` reads."""
    stripped = line.text.strip()
    if "\t" not in stripped:
        return compact(stripped) or None  # one cell (or none)
    cells = title_cells(filled(cells_of(line)), knowledge())
    if len(cells) == 1:
        return compact(cells[0])  # a title with its unit or its number beside it
    if line.columns is None:
        return None  # text on both sides of a TAB: two cells or more, and no positions to read them as one
    if not cells or (len(cells) > 1 and not positioned_title(line, cells)):
        return None
    return compact("".join(cells))


def _title_candidates(lines: list[SourceLine], kb: TableKnowledge) -> list[_Title]:
    out: list[_Title] = []
    # each line's single-cell text, read once: a line is looked at as a title, then as a piece of one
    singles: dict[int, str | None] = {}

    def single(position: int) -> str | None:
        if position not in singles:
            singles[position] = _single_text(lines[position])
        return singles[position]

    def short(position: int) -> str | None:
        text = single(position)
        return text if text is not None and len(text) <= _TITLE_PIECE_CHARS else None

    index = 0
    while index < len(lines):
        line = lines[index]
        text = single(index)
        match = match_title(text, kb) if text is not None and line.text.strip() else None  # as title_of
        if match is not None:
            out.append(_Title(index, index, match))
            index += 1
            continue
        first = short(index)
        # the document's cover line alone ("2025年部门预算") is never a title's first piece, whatever follows it
        if first is not None and not first.endswith("表") and not kb.cover.match(first):
            joined, last = first, index
            for _ in range(_TITLE_PIECES - 1):
                following = next((j for j in range(last + 1, min(last + 3, len(lines))) if lines[j].text.strip()),
                                 None)
                piece = short(following) if following is not None else None
                if piece is None or following is None:
                    break
                if match_title(piece, kb) is not None and (
                        not any(w in joined for w in kb.title_piece_words) or len(filled(cells_of(line))) > 1
                        or kb.cover.match(joined)):
                    # a title on its own under a heading (the cover "某某局" / "部门预算" too), or under a row of
                    # labels spaced out as cells ("人员经费合计   公用经费合计", a header's "预算数   决算数 …"),
                    # starts its own table
                    break
                joined, last = joined + piece, following
                match = match_title(joined, kb)
                if match is not None:
                    out.append(_Title(index, last, match))
                    index = last
                    break
        index += 1
    return out


_TITLE_END = re.compile(r"表(?:\([^()]{1,16}\))?$")
# the same on the printed line, trailing blanks stripped (bounded gaps: no backtracking over runs of spaces)
_PRINTED_TITLE_END = re.compile(r"表\s{0,3}(?:[(（][^()（）]{1,16}[)）])?$")
_SENTENCE = re.compile(r"[，。；！？,;]")


def _unknown_titles(lines: list[SourceLine], kb: TableKnowledge, known: set[int]) -> list[int]:
    """Lines that read as a table's title — short, one cell, ending in 表, naming budget words, with a table
    under them — but are no kind the reader knows (a province's own table)."""
    found = []
    for index, line in enumerate(lines):
        if index in known or not _PRINTED_TITLE_END.search(line.text.rstrip()):
            continue
        cells = filled(cells_of(line))
        if not cells or (len(cells) > 1 and not positioned_title(line, cells)):
            continue
        text = compact("".join(cells))
        if (len(text) > kb.title_max_chars or not _TITLE_END.search(text) or kb.toc.search(text)
                or _SENTENCE.search(text) or kb.furniture.match(text)
                or any(word in text for word in kb.titles_read_elsewhere)
                or not any(word in text[:-1] for word in kb.title_piece_words if word != "表")
                or match_title(text, kb) is not None):
            continue
        if _has_body(lines, _Title(index, index, None), kb):  # type: ignore[arg-type]
            found.append(index)
    return found


def _has_body(lines: list[SourceLine], title: _Title, kb: TableKnowledge) -> bool:
    """A table follows the title: a unit line, a header or row of several cells, or an empty-table note.
    A 目录 entry is followed by the next entry; a heading naming a table, by prose."""
    seen = 0
    for line in lines[title.last + 1:]:
        text = compact(line.text)
        if not text:
            continue
        seen += 1
        if seen > _EVIDENCE_LINES or title_of(line, kb) is not None:
            return False
        if find_unit(text) or text == "无" or kb.empty_note.search(text):
            return True
        cells = filled(cells_of(line))
        if len(cells) > 1 and (any(is_amount(c) for c in cells)
                               or any(p.match(compact(c)) for c in cells for _, p in kb.columns)):
            return True
    return False


def _body(lines: list[SourceLine], start: int, end: int, kb: TableKnowledge) -> list[SourceLine]:
    """The table's lines up to ``end`` (the next title) or an earlier section heading / narrative."""
    body: list[SourceLine] = []
    inner_starts: list[float] = []  # where the recent rows' cells start, past their first cell
    last_item = 0  # the number of the last "一、…" item the rows' first cells printed
    for index in range(start, end):
        line = lines[index]
        number = _item_number(line)
        if (is_stop(line, kb) and not _under_a_column(line, inner_starts)
                and not (last_item and number == last_item + 1)  # the next item of the rows ("二、…" after "一、…")
                and (kb.part_heading.match(compact(line.text)) or not _rows_follow(lines, index + 1, end, kb))):
            break
        last_item = number or last_item
        if line.columns is not None and len(line.columns) > 1:
            inner_starts = [x0 for x0, _ in line.columns[1:]] + inner_starts[:12]
        if line.columns is not None and _PAGE_NUMBER.match(line.text.strip()) and not (
                index + 1 < end and (lines[index + 1].text.strip() or lines[index + 1].number > line.number + 1)):
            # a bare page number between two pages of a table ("15"), the page break after it; a number
            # with a line printed right below it is a 科目编码 whose row goes on there ("302"), and so is one
            # right above the page's own footer (dropped on reading: "310", "— 9 —", the next page)
            continue
        body.append(line)
    return body


_ITEM_NUMBER = re.compile(r"^\s*([一二三四五六七八九十]{1,3})、")
_DIGITS = "一二三四五六七八九"


def _item_number(line: SourceLine) -> int:
    """The number a line's first cell starts with ("十二、农林水支出" → 12), 0 for none."""
    match = _ITEM_NUMBER.match(line.text)
    if not match:
        return 0
    text = match.group(1)
    tens, _, units = text.partition("十")
    if "十" not in text:
        return _DIGITS.index(text) + 1 if len(text) == 1 else 0
    return (_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_DIGITS.index(units) + 1 if units else 0)


def _under_a_column(line: SourceLine, inner_starts: list[float]) -> bool:
    """A one-cell line that starts where an inner column of the rows above starts is a row of the table (the
    支出 side of a 收支总表 printing an item alone), not a heading at the margin."""
    return line.columns is not None and any(abs(line.columns[0][0] - x) <= _SAME_COLUMN for x in inner_starts)


def _rows_follow(lines: list[SourceLine], start: int, end: int, kb: TableKnowledge) -> bool:
    """In a space-aligned table a one-cell line is often a row (``二十一、国有资本经营预算支出`` of a 收支总表,
    a wrapped name): it ends the table only when no row of amounts follows within a few lines."""
    if start == 0 or lines[start - 1].columns is None:
        return False  # TAB-separated text: a one-cell line is never a row
    seen = 0
    for line in lines[start:end]:
        if not line.text.strip():
            continue
        seen += 1
        if seen > _STOP_LOOKAHEAD or (is_stop(line, kb) and len(compact(line.text)) >= kb.narrative_min_chars):
            return False
        cells = filled(cells_of(line))
        if len(cells) > 1 and any(is_amount(c) for c in cells) and not kb.narrative_punctuation.search(line.text):
            return True  # a row of amounts; a sentence wrapped around an amount is none
    return False


def _no_tables_notice(source: SourceDocument, kb: TableKnowledge) -> Notice:
    """No standard table: say so, and where the document says its tables are (an attachment, a separate
    file: "2018年度部门预算公开表附后"), so that a user looks for the other file."""
    for line in source.lines:
        text = compact(line.text)
        if len(text) <= 80 and any(p.search(text) for p in kb.published_separately):
            return Notice(source.name, line.number, "tables-published-separately",
                          f"no standard budget table in this file; it says the tables are published "
                          f"separately: {text!r}")
    return Notice(source.name, None, "no-standard-tables",
                  "no standard budget table title (收支总表, 支出总表, …) found in this file")
