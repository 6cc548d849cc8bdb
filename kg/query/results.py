"""Turn SPARQL result terms, from any engine, into the same Python values and the same DataFrame.

Every backend reduces a bound term to ``Term(kind, value, datatype, language)`` — the shape of the SPARQL
JSON results format — so one conversion serves pyoxigraph, rdflib and a remote endpoint, and the same
query gives equal rows everywhere. Numbers keep their exactness: xsd:decimal → ``Decimal``.
"""

from __future__ import annotations

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
