"""The document's own 目录: the tables it lists, checked against the tables read.

A disclosure's 目录 names every table it prints ("一、收入支出决算总表", "三、支出决算表 ……… 12"). A listed
kind with no table read is a defect of the document (a table left out) or of the reader (a title it does not
know): either way the user must hear of it, at the 目录 line. The 目录 is recognised by its shape, not its
heading: three or more table titles in a row, each followed by the next one rather than by a table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.records import Notice, SourceLine, Table
from kg.tables.knowledge import TableKnowledge
from kg.tables.layout import compact
from kg.tables.titles import match_title

# entries of one 目录 are at most this many lines apart (one blank line between entries is common)
_ENTRY_GAP = 4
_MIN_ENTRIES = 3
_PAGE_NUMBER = re.compile(r"[0-9０-９]{1,3}")


@dataclass(frozen=True)
class ListedTable:
    kind: str
    text: str  # the entry as printed, compacted
    line: int  # its line number


def listed_tables(lines: list[SourceLine], titles_without_body: list[tuple[int, int, str]],
                  kb: TableKnowledge) -> list[ListedTable]:
    """The 目录's table entries. ``titles_without_body`` are the (first index, last index, kind) of the title
    lines that no table follows; entries printed with dot leaders and page numbers are read here."""
    entries = {(first, last): (kind, "".join(compact(ln.text) for ln in lines[first:last + 1]))
               for first, last, kind in titles_without_body}
    for index, line in enumerate(lines):
        text = compact(line.text)
        leader = kb.toc.search(text)
        if leader is None:
            continue
        entry, rest = text[:leader.start()], text[leader.end():]
        if rest and not _PAGE_NUMBER.fullmatch(rest):
            continue
        match = match_title(entry, kb)
        if match is not None:
            entries[(index, index)] = (match.kind.kind, entry)
    listed: list[ListedTable] = []
    run: list[tuple[int, int, ListedTable]] = []
    for (first, last), (kind, text) in sorted(entries.items()):
        if run and first - run[-1][1] > _ENTRY_GAP:
            listed += _as_listed(run)
            run = []
        run.append((first, last, ListedTable(kind, text, lines[first].number)))
    return listed + _as_listed(run)


def _as_listed(run: list[tuple[int, int, ListedTable]]) -> list[ListedTable]:
    if len(run) < _MIN_ENTRIES:
        return []  # a heading or two naming tables in the text, not a 目录
    return [entry for _, _, entry in run]


def missing_tables(listed: list[ListedTable], tables: list[Table], file: str) -> list[Notice]:
    """A warning for each kind the 目录 lists and no table read has. A file with no table at all is the
    narrative half of a disclosure (reported as such elsewhere), not one missing every table."""
    if not tables:
        return []
    read = {table.kind for table in tables}
    notices: list[Notice] = []
    for entry in listed:
        if entry.kind in read:
            continue
        read.add(entry.kind)  # one warning per kind
        notices.append(Notice(file, entry.line, "table-listed-missing",
                              f"the 目录 lists {entry.text!r} ({entry.kind}) but no such table was read: the "
                              "document leaves it out, or prints it under a title the reader does not know"))
    return notices
