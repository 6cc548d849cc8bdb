"""Tables: find every standard table by its title and parse it into a typed DataFrame."""

from __future__ import annotations

from kg.records import Notice, SourceDocument, Table


def find_tables(source: SourceDocument) -> tuple[list[Table], list[Notice]]:
    """Every standard table of the document, in document order, with notices for what was skipped."""
    return [], []
