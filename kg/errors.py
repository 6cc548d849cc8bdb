"""Errors a user can act on. The CLI prints them as one line naming the file (never a traceback)."""

from __future__ import annotations


class BudgetKGError(Exception):
    """Base for errors that name the file (and line, where known) they are about."""

    def __init__(self, file: str, message: str, line: int | None = None, code: str = "error") -> None:
        self.file = file
        self.line = line
        self.code = code
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class IngestError(BudgetKGError):
    """The file cannot be read as a disclosure (wrong type, undecodable, empty, encrypted PDF…)."""


class NotADisclosureError(BudgetKGError):
    """The file reads fine but holds none of the standard budget tables."""
