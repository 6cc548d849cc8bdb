"""Tables: find every standard table by its title and parse it into a typed DataFrame.

A table starts at a line whose text is one of the titles in ``kg/data/table_titles.toml`` and runs to
the next title or to the next section heading / narrative sentence.  Table-of-contents lines and
sentences that mention a table are not titles.  Whatever falls outside a table (narrative, the
performance tables, an attached catalogue) is never read as rows.
"""

from __future__ import annotations

from kg.records import Notice, SourceDocument, SourceLine, Table
from kg.tables.codes import recover_truncated_codes
from kg.tables.knowledge import TableKind, TableKnowledge, knowledge
from kg.tables.layout import compact, is_stop, numbered_heading_kind, title_kind
from kg.tables.parse import parse_table

__all__ = ["find_tables"]


def find_tables(source: SourceDocument) -> tuple[list[Table], list[Notice]]:
    """Every standard table of the document, in document order, with notices for what was skipped."""
    kb = knowledge()
    tables: list[Table] = []
    notices: list[Notice] = []
    current: tuple[TableKind, SourceLine] | None = None
    body: list[SourceLine] = []

    def close() -> None:
        nonlocal current, body
        if current is not None:
            kind, title = current
            try:
                table = parse_table(kind, title, body, source, kb)
            except Exception as exc:  # one bad table must not lose the others
                notices.append(Notice(source.name, title.number, "table-unreadable",
                                      f"{kind.kind} table could not be parsed: {exc}", "error"))
            else:
                tables.append(table)
                notices.extend(table.notices)
        current, body = None, []

    lines = source.lines
    for index, line in enumerate(lines):
        kind = title_kind(line, kb)
        if kind is not None:
            close()
            current = (kind, line)
            continue
        heading_kind = numbered_heading_kind(line, kb)
        if heading_kind is not None:
            close()
            following = next((ln for ln in lines[index + 1:index + 4] if ln.text.strip()), None)
            if following is not None and compact(following.text) in ("无", "本表无数据"):
                # "(9) 国有资本经营预算收入预算表" / "无": the table exists and is declared empty
                current = (heading_kind, line)
                body = [following]
                close()
            continue
        if current is None:
            continue
        if is_stop(line, kb):
            close()
            continue
        body.append(line)
    close()
    if not tables:
        notices.append(_no_tables_notice(source, kb))
    notices.extend(recover_truncated_codes(tables))
    for table in tables:
        if table.frame.empty and not table.empty:
            notices.append(Notice(source.name, table.span.first_line, "table-without-rows",
                                  f"{table.kind} table {table.title!r} has no rows and no 本表无数据 note"))
    return tables, notices


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
