"""The query library: ``queries/*.rq`` files, each opening with a header that says what it answers.

A header is a run of ``# key: value`` comment lines at the top of the file::

    # title: Every 立项依据 document behind a project
    # answers: For a project given by name (or part of it) or IRI: each basis document, its
    #   number, issuer and level.  (an indented comment line continues the previous key)
    # param: project required -- A project name as printed, or part of it; or the project's IRI
    # columns: project, project_label, ...

A parameter ``NAME`` reaches the query through one of its variables — ``?NAME_text`` receives a text value,
``?NAME_iri`` an IRI and ``?NAME_number`` a 文号 (``normalise=doc-number``) — and the query keeps only the
lines it needs for the parameters given (``#if`` lines, :mod:`kg.query.params`): ``kg.query.params.bind``
writes the value into the query as one escaped RDF term, so a parameter is a constant the store looks up
by index, and an optional parameter not given costs nothing. The file as written is the query with no
parameter given. Users add a query by dropping a ``.rq`` file in a directory named by
``BUDGET_KG_QUERIES`` (``os.pathsep``-separated) or passed as ``extra_dirs``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import BudgetKGError
from kg.resources import resource_dir

# queries/ sits at the repository root, beside kg/ (kg/_resources/queries in an installed wheel).
DEFAULT_QUERY_DIR = resource_dir("queries")
QUERY_DIRS_ENV = "BUDGET_KG_QUERIES"

# A key line has at most one space after "#"; an indented line continues the key above it, even when its
# text starts like a key ("#   bkg:isPolicyDocument false) …" is part of a description, not a "bkg" key).
_HEADER_LINE = re.compile(r"^#[ \t]?(?P<key>[a-z][a-z_-]{0,30}):[ \t]{0,8}(?P<value>.*)$")
_CONTINUATION = re.compile(r"^#[ \t]{2,}(?P<value>\S.*)$")
# "# types: amount=money, fiscal_year=int"
_TYPE_SPEC = re.compile(r"^(?P<column>[A-Za-z_][A-Za-z0-9_]{0,60})[ \t]{0,4}=[ \t]{0,4}(?P<type>[a-z]{1,10})$")
COLUMN_TYPES = ("money", "int", "bool", "float", "string")
DEFAULT_UNIT = "元"  # the graph's amounts are in yuan (bkg:amount, ontology/budget-kg.ttl)
# "project required normalise=doc-number -- description"
_PARAM = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]{0,40})(?P<flags>(?:\s{1,8}[a-z][a-z0-9=_-]{0,40}){0,6})\s{0,8}(?:--\s{0,8}(?P<doc>.*))?$"
)
_KNOWN_FLAGS = {"required", "optional"}
_KNOWN_NORMALISERS = {"doc-number", "name", "none", "phase"}


class QueryLibraryError(BudgetKGError):
    """A ``.rq`` file whose header or parameter blocks are malformed, or a query name that does not exist."""


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str = ""
    required: bool = False
    normalise: str = "name"  # how a text value is folded before binding: name | doc-number | none | phase

    @property
    def text_variable(self) -> str:
        return f"{self.name}_text"

    @property
    def iri_variable(self) -> str:
        return f"{self.name}_iri"

    @property
    def number_variable(self) -> str:
        """Receives a recognised 文号 (normalise=doc-number) as a literal, for an exact triple pattern."""
        return f"{self.name}_number"


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    text: str
    title: str = ""
    answers: str = ""
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # column → money | int | bool | float | string
    unit: str = DEFAULT_UNIT  # of the money columns

    @property
    def money_columns(self) -> tuple[str, ...]:
        return tuple(column for column, kind in self.types.items() if kind == "money")

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def variables(self, parameter: Parameter) -> dict[str, str]:
        """How ``parameter`` reaches this query: {"text" | "iri" | "number": the variable it binds}, for the
        forms the query mentions (a query written for the older convention takes an IRI through
        ``VALUES ?NAME { UNDEF }``)."""
        mentioned = mentioned_variables(self.text)
        found = {kind: variable for kind, variable in (("text", parameter.text_variable),
                                                       ("iri", parameter.iri_variable),
                                                       ("number", parameter.number_variable))
                 if variable in mentioned}
        if "iri" not in found and values_block(parameter.name).search(self.text):
            found["iri"] = parameter.name
        return found

    def accepts_iri(self, parameter: Parameter) -> bool:
        return "iri" in self.variables(parameter)

    def accepts_number(self, parameter: Parameter) -> bool:
        return "number" in self.variables(parameter)


def values_block(variable: str) -> re.Pattern[str]:
    """The ``VALUES ?var { UNDEF }`` placeholder for one variable (the older convention, still read)."""
    return re.compile(r"VALUES[ \t]{1,8}\?" + re.escape(variable) + r"[ \t]{0,8}\{[ \t]{0,8}UNDEF[ \t]{0,8}\}")


# ?name or $name, in the query's code or in its #if lines (where a variable can only be a parameter's)
_VARIABLE = re.compile(r"[?$]([A-Za-z_][A-Za-z0-9_]{0,80})")


def mentioned_variables(text: str) -> set[str]:
    return set(_VARIABLE.findall(text))


# Conditional lines: "#if COND: SPARQL" (kept, uncommented, only when COND holds; a comment in the file) and
# "SPARQL  #if COND" (kept only when COND holds; live in the file). COND: terms separated by spaces, all of which
# must hold: NAME (the parameter is given), ?VAR (it was bound through that variable), or alternatives joined by
# "|" (NAME|NAME: either is given); a "!" before a term negates it (!NAME|NAME: neither is given).
_LEADING_IF = re.compile(r"^(?P<indent>[ \t]*)#if[ \t]+(?P<condition>[^:\n]{1,200}):[ \t]?(?P<code>.*)$")
_TRAILING_IF = re.compile(r"^(?P<code>.*\S)[ \t]+#if[ \t]+(?P<condition>[!?|A-Za-z0-9_ \t]{1,200})$")
_ALTERNATIVE = re.compile(r"^(?P<variable>\??)(?P<name>[A-Za-z_][A-Za-z0-9_]{0,80})$")


@dataclass(frozen=True)
class Condition:
    """``terms``: (negated, alternatives) — all must hold; a term holds when one of its alternatives, each
    (name, is_variable), does (or, negated, when none does)."""

    terms: tuple[tuple[bool, tuple[tuple[str, bool], ...]], ...]

    def holds(self, given: set[str], bound: set[str]) -> bool:
        """``given``: the parameters given; ``bound``: the variables they were bound through."""
        return all(negated != any(name in (bound if is_variable else given) for name, is_variable in alternatives)
                   for negated, alternatives in self.terms)

    def names(self) -> list[tuple[str, bool]]:
        """Every (name, is_variable) the condition tests."""
        return [alternative for _negated, alternatives in self.terms for alternative in alternatives]


def parse_condition(text: str) -> Condition | None:
    terms = []
    for word in text.split():
        negated = word.startswith("!")
        alternatives = []
        for part in word[negated:].split("|"):
            match = _ALTERNATIVE.match(part)
            if match is None:
                return None
            alternatives.append((match["name"], bool(match["variable"])))
        terms.append((negated, tuple(alternatives)))
    return Condition(tuple(terms)) if terms else None


def conditional_line(line: str) -> tuple[str, Condition, bool] | None:
    """(the line's SPARQL with its indentation, its condition, leading?) for an ``#if`` line, else None.

    A trailing ``#if`` is told from a ``#`` inside a string or an IRI by what follows it (only condition terms);
    the library's own queries have neither on such lines."""
    if match := _LEADING_IF.match(line):
        condition = parse_condition(match["condition"])
        return (match["indent"] + match["code"], condition, True) if condition else None
    if (match := _TRAILING_IF.match(line)) and (condition := parse_condition(match["condition"])):
        return match["code"], condition, False
    return None


def conditioned_parameters(text: str) -> set[str]:
    """The parameter names the ``#if`` lines test (a flag such as ``non_policy`` is used only so)."""
    names: set[str] = set()
    for line in text.splitlines():
        if "#if" in line and (found := conditional_line(line)):
            names.update(name for name, is_variable in found[1].names() if not is_variable)
    return names


def check_conditions(path: Path, text: str, parameters: tuple[Parameter, ...]) -> None:
    """Every ``#if`` names a declared parameter or one of its variables, and the file as written is the query with
    no parameter given: a leading ``#if`` (a comment) needs a parameter given, a trailing one (live) holds without."""
    names = {p.name for p in parameters}
    variables = {v for p in parameters for v in (p.text_variable, p.iri_variable, p.number_variable)}
    for number, line in enumerate(text.splitlines(), 1):
        if "#if" not in line:
            continue
        found = conditional_line(line)
        if found is None:
            if re.match(r"^[ \t]*#if\b", line) or re.search(r"[ \t]#if[ \t]", line):
                raise QueryLibraryError(f"{path}:{number}", "cannot read this #if line (write '#if NAME: SPARQL' "
                                        "or 'SPARQL  #if !NAME')", code="bad-query-header")
            continue
        _code, condition, leading = found
        for name, is_variable in condition.names():
            if name not in (variables if is_variable else names):
                known = ", ".join(sorted(names)) or "none"
                raise QueryLibraryError(f"{path}:{number}", f"#if names {'?' if is_variable else ''}{name}, which is "
                                        f"not a parameter of this query or one of its variables (parameters: {known})",
                                        code="bad-query-header")
        if condition.holds(set(), set()) == leading:
            where = ("a leading '#if' line is a comment in the file, so it must need a parameter given"
                     if leading else "a trailing '#if' line is live in the file, so it must hold with no parameter")
            raise QueryLibraryError(f"{path}:{number}", f"{where} (the file as written is the query with no "
                                    "parameter)", code="bad-query-header")


def _parse_header(path: Path, text: str) -> dict[str, list[str]]:
    header: dict[str, list[str]] = {}
    last_key: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if (cont := _CONTINUATION.match(line)) and last_key is not None:
            header[last_key][-1] = f"{header[last_key][-1]} {cont['value'].strip()}"
        elif match := _HEADER_LINE.match(line):
            last_key = match["key"]
            header.setdefault(last_key, []).append(match["value"].strip())
        else:
            last_key = None  # a blank "#" or a free comment ends the key above
    return header


def _parse_types(path: Path, specs: list[str], columns: tuple[str, ...]) -> dict[str, str]:
    types: dict[str, str] = {}
    for spec in (item.strip() for item in ",".join(specs).split(",")):
        if not spec:
            continue
        match = _TYPE_SPEC.match(spec)
        if match is None or match["type"] not in COLUMN_TYPES:
            raise QueryLibraryError(str(path), f"cannot read type {spec!r} in '# types:' (write column=TYPE, "
                                    f"TYPE one of {', '.join(COLUMN_TYPES)})", code="bad-query-header")
        if columns and match["column"] not in columns:
            raise QueryLibraryError(str(path), f"'# types:' names {match['column']!r}, which is not among the "
                                    "'# columns:'", code="bad-query-header")
        types[match["column"]] = match["type"]
    return types


def _parse_parameter(path: Path, spec: str) -> Parameter:
    match = _PARAM.match(spec.strip())
    if match is None:
        raise QueryLibraryError(str(path), f"cannot read parameter line {spec!r}", code="bad-query-header")
    required = False
    normalise = "name"
    for flag in match["flags"].split():
        if flag.startswith("normalise="):
            normalise = flag.split("=", 1)[1]
            if normalise not in _KNOWN_NORMALISERS:
                raise QueryLibraryError(str(path), f"unknown normaliser {normalise!r} in {spec!r}",
                                        code="bad-query-header")
        elif flag in _KNOWN_FLAGS:
            required = flag == "required"
        else:
            raise QueryLibraryError(str(path), f"unknown parameter flag {flag!r} in {spec!r}", code="bad-query-header")
    return Parameter(match["name"], (match["doc"] or "").strip(), required, normalise)


def read_query(path: Path) -> Query:
    """Read one ``.rq`` file; its name is the file stem unless the header says ``# name:``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryLibraryError(str(path), f"cannot read query file: {exc}", code="unreadable-query") from exc
    header = _parse_header(path, text)
    parameters = tuple(_parse_parameter(path, spec) for spec in header.pop("param", []))
    mentioned = mentioned_variables(text) | conditioned_parameters(text)
    for parameter in parameters:
        if parameter.text_variable not in mentioned and parameter.name not in mentioned:
            raise QueryLibraryError(
                str(path),
                f"parameter {parameter.name!r} is declared but the query never uses ?{parameter.text_variable}, "
                "the variable its value is written in as, nor names it in an '#if' line",
                code="bad-query-header",
            )
    check_conditions(path, text, parameters)
    columns = tuple(c.strip() for c in " ".join(header.pop("columns", [])).split(",") if c.strip())
    name = (header.pop("name", [path.stem]) or [path.stem])[0]
    title = " ".join(header.pop("title", []))
    answers = " ".join(header.pop("answers", []))
    if not title:
        raise QueryLibraryError(str(path), "query header has no '# title:' line", code="bad-query-header")
    types = _parse_types(path, header.pop("types", []), columns)
    unit = " ".join(header.pop("unit", [])) or DEFAULT_UNIT
    extra = {key: " ".join(values) for key, values in header.items()}
    return Query(name, path, text, title, answers, parameters, columns, extra, types, unit)


def query_dirs(extra_dirs: tuple[str | Path, ...] = ()) -> list[Path]:
    """Where queries are looked for: the built-in library, then $BUDGET_KG_QUERIES, then ``extra_dirs``."""
    dirs = [DEFAULT_QUERY_DIR]
    env = os.environ.get(QUERY_DIRS_ENV, "")
    dirs += [Path(d) for d in env.split(os.pathsep) if d]
    dirs += [Path(d) for d in extra_dirs]
    return dirs


def _load(dirs: tuple[Path, ...]) -> dict[str, Query]:
    # Not cached: a dozen small files read in well under a millisecond, and edits show at once.
    library: dict[str, Query] = {}
    for directory in dirs:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.rq")):
            query = read_query(path)
            library[query.name] = query  # a later directory overrides a built-in query of the same name
    return library


def load_library(extra_dirs: tuple[str | Path, ...] = ()) -> dict[str, Query]:
    """Every query by name. The built-in library missing (a broken installation) is an error."""
    if not DEFAULT_QUERY_DIR.is_dir() or not any(DEFAULT_QUERY_DIR.glob("*.rq")):
        raise QueryLibraryError(str(DEFAULT_QUERY_DIR), "the built-in query library (queries/*.rq) is missing from "
                                "this installation of budget-kg; reinstall it", code="missing-resource")
    return dict(_load(tuple(query_dirs(extra_dirs))))


def get_query(name: str, extra_dirs: tuple[str | Path, ...] = ()) -> Query:
    library = load_library(extra_dirs)
    if name in library:
        return library[name]
    known = ", ".join(sorted(library)) or "(none)"
    raise QueryLibraryError(name, f"no query named {name!r}; the library has: {known}", code="unknown-query")
