"""Turn SPARQL result terms, from any engine, into the same Python values and the same DataFrame.

Every backend reduces a bound term to ``Term(kind, value, datatype, language)`` — the shape of the SPARQL
JSON results format — so one conversion serves pyoxigraph, rdflib and a remote endpoint, and the same
query gives equal rows everywhere.

Each column gets one pandas dtype, from the query's ``# types:`` header or, for a column it does not name,
from the literals' XSD datatypes (an empty column is text):

========  ==========================================  ============================================
type      pandas dtype                                from
========  ==========================================  ============================================
money     ``Float64`` (default) or exact ``Decimal``  xsd:decimal amounts in 元
int       ``Int64``                                   xsd:integer, xsd:gYear …
bool      ``boolean``                                 xsd:boolean
float     ``Float64``                                 xsd:double, xsd:float
string    ``string``                                  IRIs, plain and language-tagged text
========  ==========================================  ============================================

Missing values are ``pd.NA`` in every dtype. Money as ``Float64`` is exact to the fen for amounts below
90 trillion 元 (2**53 fen) and is what ``select_dtypes("number")``, ``nlargest`` and plotting expect;
``money="decimal"`` keeps ``decimal.Decimal`` objects (object dtype) for exact sums and for printing as
written.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Any, NamedTuple, TypeVar

import pandas as pd

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER_TYPES = {XSD + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                    "positiveInteger", "nonPositiveInteger", "negativeInteger", "unsignedInt",
                                    "unsignedLong", "unsignedShort", "unsignedByte", "gYear")}
_DECIMAL_TYPES = {XSD + "decimal"}
_FLOAT_TYPES = {XSD + "double", XSD + "float"}


class Term(NamedTuple):
    """A bound term. A tuple, not a dataclass: a whole-corpus report makes hundreds of thousands of them, and a
    tuple is made and hashed in C (the engines and the conversions below cache by term)."""

    kind: str  # "uri" | "literal" | "bnode"
    value: str
    datatype: str | None = None
    language: str | None = None


Key = TypeVar("Key")
Value = TypeVar("Value")


class Memo(dict[Key, Value]):
    """``memo[key]``: ``compute(key)``, computed on the first look-up and then read back in C. A whole-corpus
    report repeats a few thousand terms (its departments, years, codes) down hundreds of thousands of cells,
    so each term is converted once, and ``map(memo.__getitem__, row)`` converts a row without a Python loop."""

    def __init__(self, compute: Callable[[Key], Value]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: Key) -> Value:
        value = self[key] = self._compute(key)
        return value


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


COLUMN_TYPES = ("money", "int", "bool", "float", "string")
MONEY_MODES = ("float", "decimal")
PANDAS_DTYPES = {"money": "Float64", "int": "Int64", "bool": "boolean", "float": "Float64", "string": "string"}


def infer_type(terms: Iterable[Term | None]) -> str:
    """The column type the bound terms' datatypes agree on; ``string`` when they do not (or none is bound)."""
    kinds: set[str] = set()
    for term in terms:
        if term is None:
            continue
        if term.kind != "literal" or term.datatype is None:
            return "string"
        if term.datatype in _DECIMAL_TYPES:
            kinds.add("money")
        elif term.datatype in _INTEGER_TYPES:
            kinds.add("int")
        elif term.datatype in _FLOAT_TYPES:
            kinds.add("float")
        elif term.datatype == XSD + "boolean":
            kinds.add("bool")
        else:
            return "string"
    if kinds <= {"int", "money"} and "money" in kinds:
        return "money"  # SUM over decimals that happen to be whole is still money
    return kinds.pop() if len(kinds) == 1 else "string"


def _column(values: list[Any], kind: str, money: str) -> pd.Series:
    if kind == "money" and money == "decimal":
        exact = [pd.NA if v is None else (Decimal(v) if isinstance(v, int | float | Decimal) else v) for v in values]
        return pd.Series(exact, dtype=object)
    if kind in ("money", "float", "int"):
        # an ill-typed literal (never in a validated build) becomes NA rather than a mixed column
        numbers = pd.to_numeric(pd.Series([None if v is None else v for v in values], dtype=object),
                                errors="coerce")
        return numbers.astype(PANDAS_DTYPES[kind])
    if kind == "bool":
        # a boolean the query computes (IF(BOUND(?x), false, true)) comes back from Virtuoso 7 as xsd:integer 1 / 0
        return pd.Series([v if isinstance(v, bool) else bool(v) if v in (0, 1) and isinstance(v, int) else pd.NA
                          for v in values], dtype="boolean")
    return pd.Series([pd.NA if v is None else str(v) for v in values], dtype="string")


def to_frame(columns: Sequence[str], rows: Iterable[Sequence[Term | None]],
             types: Mapping[str, str] | None = None, money: str = "float") -> pd.DataFrame:
    """A DataFrame with one nullable dtype per column (see the module's table); ``types`` (column → type)
    overrides what the literals' datatypes say."""
    if money not in MONEY_MODES:
        raise ValueError(f"money must be one of {', '.join(MONEY_MODES)}, not {money!r}")
    rows = list(rows)
    data: dict[str, pd.Series] = {}
    values = Memo(to_python)  # a term repeats down a column (a department, a year): converted once
    for position, name in enumerate(columns):
        terms = [row[position] for row in rows]
        kind = (types or {}).get(name) or infer_type(terms)
        data[name] = _column(list(map(values.__getitem__, terms)), kind, money)
    return pd.DataFrame(data, columns=list(columns))


def column_types(frame: pd.DataFrame) -> dict[str, str]:
    """column → ``money`` | ``int`` | ``bool`` | ``float`` | ``string``, as :func:`to_frame` typed it."""
    return dict(frame.attrs.get("types", {}))


def add_ranks(frame: pd.DataFrame, rank_columns: Sequence[str]) -> pd.DataFrame:
    """``<col>_rank`` columns: dense rank, 1 = largest. Done here, not in SPARQL, where it is quadratic. Rows of
    a ``phase`` column are ranked within their phase: a 决算's figure is never ranked against a 预算's."""
    for column in rank_columns:
        if column in frame.columns:
            values = pd.to_numeric(frame[column].map(lambda v: None if v is None or v is pd.NA else float(v)),
                                   errors="coerce")
            if "phase" in frame.columns:
                ranks = values.groupby(frame["phase"].astype(object).fillna(""), sort=False).rank(
                    method="dense", ascending=False)
            else:
                ranks = values.rank(method="dense", ascending=False)
            frame[f"{column}_rank"] = ranks.astype("Int64")
    return frame


_ORDER_BY = re.compile(r"\bORDER\s+BY\s+", re.IGNORECASE)
# begins with a letter or "?", not with white space (skipped in order_keys): linear (tests/test_regex_linear)
_ORDER_KEY = re.compile(r"(?:(ASC|DESC)\s*\(\s*\?(\w+)\s*\)|\?(\w+))", re.IGNORECASE)
_NUMERIC_TYPES = _INTEGER_TYPES | _DECIMAL_TYPES | _FLOAT_TYPES


def order_keys(query: str) -> list[tuple[str, bool]]:
    """The (variable, descending) keys of a query's final ``ORDER BY ?a DESC(?b) …`` clause, when it ends
    the query and orders by variables only; [] otherwise (then the engine's order is kept)."""
    return _final_order(query)[1]


def _final_order(query: str) -> tuple[int, list[tuple[str, bool]]]:
    """Where the final ``ORDER BY`` clause starts and its keys (see :func:`order_keys`); (len(query), []) when
    there is none that :func:`sort_rows` can apply."""
    matches = list(_ORDER_BY.finditer(query))
    if not matches:
        return len(query), []
    clause, keys, at = query[matches[-1].end():].rstrip(), [], 0
    while at < len(clause):
        while clause[at].isspace():
            at += 1
        match = _ORDER_KEY.match(clause, at)
        if match is None or match.end() == at:
            return len(query), []
        keys.append((match[2] or match[3], (match[1] or "").upper() == "DESC"))
        at = match.end()
    return matches[-1].start(), keys


def unordered(query: str, columns: Sequence[str]) -> tuple[str, list[tuple[str, bool]]]:
    """The query without its final ``ORDER BY`` and that clause's keys, when :func:`sort_rows` puts the rows in
    that order itself (every key is one of ``columns``, the variables the query projects); else the query as
    it is and its keys. The engine's sort is then work done twice: Oxigraph compares the terms it decodes
    from the store (code-rollup at 1,000 disclosures: 1.5 of its 2.5 CPU-seconds in the store)."""
    start, keys = _final_order(query)
    if keys and all(name in columns for name, _descending in keys):
        return query[:start].rstrip() + "\n", keys
    return query, keys


_UNBOUND_KEY: tuple[Any, ...] = (0,)


def sort_key(term: Term | None) -> tuple[Any, ...]:
    """SPARQL's ORDER BY order for one term, as a tuple that compares so: unbound < blank node < IRI <
    literal; numbers by value, other literals by their text's code points (the order Oxigraph and rdflib use;
    Virtuoso 7 collates Chinese text otherwise)."""
    if term is None:
        return _UNBOUND_KEY
    if term.kind == "bnode":
        return (1, term.value)
    if term.kind == "uri":
        return (2, term.value)
    if term.datatype in _NUMERIC_TYPES:
        try:
            return (3, 0, Decimal(term.value), "")
        except InvalidOperation:
            pass
    return (3, 1, Decimal(0), term.value)


def sort_rows(variables: Sequence[str], rows: list[list[Term | None]], keys: Sequence[tuple[str, bool]],
              ) -> list[list[Term | None]]:
    """Rows in the order the query asks for, ties broken by every column in turn: the same order from every
    engine, whatever its collation and however it breaks ties."""
    index = {name: position for position, name in enumerate(variables)}
    keys = [(index[name], descending) for name, descending in keys if name in index]
    if not keys:
        return rows
    # one key per distinct term (a whole-corpus report repeats its departments and years down 30,000 rows),
    # and each row's keys made once, beside it: the sorts below compare plain tuples in C
    key = Memo(sort_key).__getitem__
    if not any(descending for _position, descending in keys):
        # every key ascending: one sort on the keys followed by the whole row (the tie-breaker), compared as
        # one tuple that stops at the first key that differs — a third of the five stable sorts' time for
        # code-rollup's 32,200 rows
        positions = [position for position, _descending in keys]
        pick = itemgetter(*positions) if len(positions) > 1 else (lambda keyed: (keyed[positions[0]],))
        composite = []
        for row in rows:
            row_keys = tuple(map(key, row))
            composite.append((pick(row_keys) + row_keys, row))
        composite.sort(key=itemgetter(0))
        return [row for _keys, row in composite]
    keyed = [(list(map(key, row)), row) for row in rows]
    keyed.sort(key=itemgetter(0))  # the tie-breaker, ascending
    for position, descending in reversed(keys):  # stable sorts, least significant key first
        keyed.sort(key=lambda pair, at=position: pair[0][at], reverse=descending)
    return [row for _keys, row in keyed]
