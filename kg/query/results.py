"""Turn SPARQL result terms, from any engine, into the same Python values and the same DataFrame.

Every backend reduces a bound term to ``Term(kind, value, datatype, language)`` — the shape of the SPARQL
JSON results format — so one conversion serves pyoxigraph, rdflib and a remote endpoint, and the same
query gives equal rows everywhere. Numbers keep their exactness: xsd:decimal → ``Decimal``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt",
                                    "unsignedLong", "unsignedShort", "unsignedByte", "gYear")}
_DECIMAL_TYPES = {XSD + "decimal"}
_FLOAT_TYPES = {XSD + "double", XSD + "float"}


@dataclass(frozen=True)
class Term:
    kind: str  # "uri" | "literal" | "bnode"
    value: str
    datatype: str | None = None
    language: str | None = None


def to_python(term: Term | None) -> Any:
    """The plain value of a term; None for an unbound variable."""
    if term is None:
        return None
    if term.kind != "literal" or term.datatype is None:
        return term.value
    try:
        if term.datatype in _DECIMAL_TYPES:
            return Decimal(term.value)
        if term.datatype in _INTEGER_TYPES:
            return int(term.value)
        if term.datatype in _FLOAT_TYPES:
            return float(term.value)
    except (ValueError, InvalidOperation):
        return term.value  # an ill-typed literal is shown as printed rather than dropped
    if term.datatype == XSD + "boolean":
        return term.value in ("true", "1")
    return term.value


def to_frame(columns: Sequence[str], rows: Iterable[Sequence[Term | None]]) -> pd.DataFrame:
    """A DataFrame of plain values; object dtype so that Decimal amounts stay exact."""
    data = [[to_python(term) for term in row] for row in rows]
    return pd.DataFrame(data, columns=list(columns), dtype=object)


def add_ranks(frame: pd.DataFrame, rank_columns: Sequence[str]) -> pd.DataFrame:
    """``<col>_rank`` columns: dense rank, 1 = largest. Done here, not in SPARQL, where it is quadratic."""
    for column in rank_columns:
        if column in frame.columns and len(frame):
            values = pd.to_numeric(frame[column].map(lambda v: None if v is None else float(v)), errors="coerce")
            frame[f"{column}_rank"] = values.rank(method="dense", ascending=False).astype("Int64")
    return frame


_ORDER_BY = re.compile(r"\bORDER\s+BY\s+", re.IGNORECASE)
# begins with a letter or "?", not with white space (skipped in order_keys): linear (tests/test_regex_linear)
_ORDER_KEY = re.compile(r"(?:(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))", re.IGNORECASE)
_NUMERIC_TYPES = _INTEGER_TYPES | _DECIMAL_TYPES | _FLOAT_TYPES


def order_keys(query: str) -> list[tuple[str, bool]]:
    """The (variable, descending) keys of a query's final ``ORDER BY ?a DESC(?b) …`` clause, when it ends
    the query and orders by variables only; [] otherwise (then the engine's order is kept)."""
    matches = list(_ORDER_BY.finditer(query))
    if not matches:
        return []
    clause, keys, at = query[matches[-1].end():].rstrip(), [], 0
    while at < len(clause):
        while clause[at].isspace():
            at += 1
        match = _ORDER_KEY.match(clause, at)
        if match is None or match.end() == at:
            return []
        keys.append((match[2] or match[3], (match[1] or "").upper() == "DESC"))
        at = match.end()
    return keys


class _SortKey:
    """SPARQL's ORDER BY order for one term: unbound < blank node < IRI < literal; numbers by value, other
    literals by their text's code points (the order Oxigraph and rdflib use; Virtuoso 7 collates Chinese
    text otherwise)."""

    __slots__ = ("key",)

    def __init__(self, term: Term | None) -> None:
        if term is None:
            self.key: tuple[Any, ...] = (0,)
        elif term.kind == "bnode":
            self.key = (1, term.value)
        elif term.kind == "uri":
            self.key = (2, term.value)
        elif term.datatype in _NUMERIC_TYPES:
            try:
                self.key = (3, 0, Decimal(term.value), "")
            except InvalidOperation:
                self.key = (3, 1, Decimal(0), term.value)
        else:
            self.key = (3, 1, Decimal(0), term.value)

    def __lt__(self, other: _SortKey) -> bool:
        return self.key < other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SortKey) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]


def sort_rows(variables: Sequence[str], rows: list[list[Term | None]], keys: Sequence[tuple[str, bool]],
              ) -> list[list[Term | None]]:
    """Rows in the order the query asks for, ties broken by every column in turn: the same order from every
    engine, whatever its collation and however it breaks ties."""
    index = {name: position for position, name in enumerate(variables)}
    keys = [(index[name], descending) for name, descending in keys if name in index]
    if not keys:
        return rows
    ordered = sorted(rows, key=lambda row: [_SortKey(term) for term in row])  # the tie-breaker, ascending
    for position, descending in reversed(keys):  # stable sorts, least significant key first
        ordered.sort(key=lambda row, at=position: _SortKey(row[at]), reverse=descending)
    return ordered
