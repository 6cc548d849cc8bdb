"""Safe parameter binding: user text becomes one RDF term written into the query in place of its variable.

User text is never spliced into SPARQL syntax. It is folded (like the graph's labels were), checked, and
turned into a single escaped string literal or a validated IRI by pyoxigraph's writer; that one term then
replaces the parameter's variable (``?NAME_text``, ``?NAME_iri``, ``?NAME_number``) wherever the query uses
it, so the store reads a constant it can look up by index (pyoxigraph 0.5 evaluates a ``VALUES`` block on its
own and hash-joins it with the rest: seconds instead of milliseconds at 1,000 disclosures). Before that the
query keeps only the ``#if`` lines whose parameters are given (:mod:`kg.query.library`), so an optional
parameter not given leaves no filter behind. The same bound text is sent to the embedded store and to a
remote endpoint (HTTP has no other binding channel), so both see exactly the same query.

Queries written for the older convention (``VALUES ?x { UNDEF }`` placeholders, ``!BOUND(?x) || …``) still
bind: a placeholder receives the term, an unused one is removed and ``BOUND()`` of a parameter is decided.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pyoxigraph as ox

from kg.errors import BudgetKGError
from kg.ingest.normalise import normalise_text
from kg.query.library import _VARIABLE, Parameter, Query, conditional_line, values_block


class ParameterError(BudgetKGError):
    """A parameter the query does not declare, a missing required one, or a value that cannot be bound."""


MAX_PARAMETER_LENGTH = 500
# Control characters and backslashes have no business in a name or a 文号, and a backslash could start a
# \\u escape that some SPARQL engines decode before parsing: refuse rather than guess.
_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")
_IRI_START = re.compile(r"^(?:https?|urn|tag):", re.I)
_WHITESPACE = re.compile(r"\s+")
# Brackets a 年份 is printed in, for the fallback normaliser below.
_YEAR_BRACKETS = re.compile(r"[\[【(（<〈［]\s{0,3}(\d{4})\s{0,3}[\]】)）>〉］]")


def _fallback_doc_number(text: str) -> str | None:
    """晋政办发[2019]10号 → 晋政办发〔2019〕10号. Used only when kg.citations is not importable."""
    # TODO: drop once kg.citations.normalise_doc_number is committed (it is being written alongside).
    folded = _YEAR_BRACKETS.sub(r"〔\1〕", text)
    return folded if re.search(r"〔\d{4}〕\s{0,3}\d{1,5}\s{0,3}号", folded) else None


def normalise_doc_number(text: str) -> str | None:
    try:
        from kg.citations.normalise import normalise_doc_number as citations_normalise
    except ImportError:
        return _fallback_doc_number(text)
    return citations_normalise(text)


# A disclosure's phase as the queries' phase column names it (bkg:ApprovedBudget / bkg:FinalAccounts), from the
# words a user may type for it.
PHASES = {"budget": "budget", "预算": "budget", "final": "final", "决算": "final"}


def normalise_phase(parameter: str, value: str) -> str:
    """``budget`` or ``final`` for 预算 / budget and 决算 / final; anything else is refused (not an empty answer)."""
    phase = PHASES.get(fold_name(value).lower())
    if phase is None:
        raise ParameterError(parameter, f"{value!r} is not a phase: give 预算 (budget) or 决算 (final)",
                             code="bad-parameter")
    return phase


def fold_name(text: str) -> str:
    """Fold a name the way the graph's labels were folded, and drop whitespace (labels keep wrap spaces;
    the queries compare with whitespace removed on both sides)."""
    return _WHITESPACE.sub("", normalise_text(text))


def _check(parameter: str, value: str) -> str:
    value = value.strip()
    if not value:
        raise ParameterError(parameter, "empty value", code="bad-parameter")
    if len(value) > MAX_PARAMETER_LENGTH:
        raise ParameterError(parameter, f"value longer than {MAX_PARAMETER_LENGTH} characters", code="bad-parameter")
    if _FORBIDDEN.search(value):
        raise ParameterError(parameter, "value holds a control character or a backslash", code="bad-parameter")
    return value


def sparql_literal(text: str) -> str:
    """One plain string literal, escaped by pyoxigraph's N-Triples writer (valid SPARQL term syntax)."""
    return str(ox.Literal(text))


def sparql_iri(text: str) -> str:
    try:
        return str(ox.NamedNode(text))
    except ValueError as exc:
        raise ParameterError(text, f"not a valid IRI: {exc}", code="bad-parameter") from exc


def bound_term(parameter: Parameter, value: str, variables: dict[str, str]) -> tuple[str, str]:
    """(variable, SPARQL term) for one user value; ``variables`` are the forms the query takes
    (:meth:`kg.query.library.Query.variables`)."""
    value = _check(parameter.name, value)
    if "iri" in variables and _IRI_START.match(value):
        return variables["iri"], sparql_iri(value)
    if parameter.normalise == "doc-number":
        # A 文号 in any bracket style becomes the graph's 〔〕 form; a title passes through folded.
        number = normalise_doc_number(value)
        if number is not None and "number" in variables:
            return variables["number"], sparql_literal(number)
        text = number if number is not None else fold_name(value)
    elif parameter.normalise == "phase":
        text = normalise_phase(parameter.name, value)
    elif parameter.normalise == "name":
        text = fold_name(value)
    else:
        text = value
    if not text:
        raise ParameterError(parameter.name, f"nothing left of {value!r} after folding", code="bad-parameter")
    return parameter.text_variable, sparql_literal(text)


def parameter_variables(query: Query) -> list[str]:
    """The variables a query's parameters can be bound through."""
    return [variable for p in query.parameters for variable in query.variables(p).values()]


def keep_conditional_lines(text: str, given: set[str], bound: set[str]) -> str:
    """The query with each ``#if`` line uncommented where its condition holds and removed where not."""
    lines = []
    for line in text.split("\n"):
        found = conditional_line(line) if "#if" in line else None
        if found is None:
            lines.append(line)
        elif found[1].holds(given, bound):
            lines.append(found[0])
    return "\n".join(lines)


def substitute(text: str, terms: Mapping[str, str]) -> str:
    """``text`` with every ``?variable`` / ``$variable`` of ``terms`` outside strings, IRIs and comments replaced by
    its term, in one pass (so no term written in is read again)."""
    out, at, start = [], 0, 0
    while at < len(text):
        skipped = _skip(text, at)
        if skipped != at:
            at = skipped
            continue
        match = _VARIABLE.match(text, at) if text[at] in "?$" else None
        if match is None:
            at += 1
            continue
        if match[1] in terms:
            out.append(text[start:at])
            out.append(terms[match[1]])
            start = match.end()
        at = match.end()
    out.append(text[start:])
    return "".join(out)


def specialise(text: str, variables: list[str], given: set[str]) -> str:
    """The query with each parameter's placeholders resolved before any value is written in.

    ``BOUND(?v)`` of a parameter variable becomes ``(1 = 1)`` or ``(1 = 0)`` (whether it was given: not the
    literals true/false, which rdflib 7 ignores in a FILTER), and the
    ``VALUES ?v { UNDEF }`` of one not given is removed: a one-row all-UNDEF VALUES is the identity of a
    join, so the rows are the same, but some servers mishandle the idiom (Virtuoso 7 answers
    ``{ VALUES ?x { UNDEF } FILTER (BOUND(?x)) }`` with a row, and fails to compile it in a UNION). The
    library's convention makes this exact: a parameter variable is bound by its placeholder only.
    """
    for variable in variables:
        bound = re.compile(r"\bBOUND[ \t]{0,8}\([ \t]{0,8}\?" + re.escape(variable) + r"[ \t]{0,8}\)")
        text = bound.sub(TRUE if variable in given else FALSE, text)
        if variable not in given:
            text = values_block(variable).sub("", text)
    return drop_true_filters(text)


TRUE, FALSE = "(1 = 1)", "(1 = 0)"
_CONSTANT_TRUE = {TRUE, f"!{FALSE}", f"({TRUE})", f"(!{FALSE})"}
_FILTER = re.compile(r"\bFILTER[ \t]{0,8}\(")


def _skip(text: str, at: int) -> int:
    """The index after a string literal, an IRI or a comment starting at ``at`` (``at`` itself otherwise)."""
    char = text[at]
    if char in "\"'":
        end = at + 1
        while end < len(text) and text[end] != char:
            end += 2 if text[end] == "\\" else 1
        return end + 1
    if char == "<":
        match = re.compile(r"<[^<>\"{}|^`\\\s]{0,2000}>").match(text, at)
        return match.end() if match else at
    if char == "#":
        end = text.find("\n", at)
        return len(text) if end < 0 else end
    return at


def _split_top(expression: str, operator: str) -> list[str]:
    """``expression`` split at ``operator`` where it stands outside parentheses, strings and IRIs."""
    parts, depth, start, at = [], 0, 0, 0
    while at < len(expression):
        skipped = _skip(expression, at)
        if skipped != at:
            at = skipped
            continue
        char = expression[at]
        depth += (char == "(") - (char == ")")
        if depth == 0 and expression.startswith(operator, at):
            parts.append(expression[start:at])
            at += len(operator)
            start = at
            continue
        at += 1
    parts.append(expression[start:])
    return [part.strip() for part in parts]


def _always_true(expression: str) -> bool:
    return any(all(conjunct in _CONSTANT_TRUE for conjunct in _split_top(disjunct, "&&"))
               for disjunct in _split_top(expression, "||"))


def drop_true_filters(text: str) -> str:
    """Remove the FILTERs that specialising made always true (``!(1 = 0) || …``): an optional parameter not
    given must cost nothing, and Virtuoso 7 mis-evaluates some of them (another row's values)."""
    out, at = [], 0
    while True:
        match = _FILTER.search(text, at)
        if match is None:
            out.append(text[at:])
            return "".join(out)
        if _skip(text, _line_comment_start(text, match.start())) != _line_comment_start(text, match.start()):
            out.append(text[at:match.end()])  # inside a comment
            at = match.end()
            continue
        depth, end = 1, match.end()
        while end < len(text) and depth:
            skipped = _skip(text, end)
            if skipped != end:
                end = skipped
                continue
            depth += (text[end] == "(") - (text[end] == ")")
            end += 1
        expression = text[match.end():end - 1]
        out.append(text[at:match.start()])
        if not _always_true(expression):
            out.append(text[match.start():end])
        at = end


def _line_comment_start(text: str, at: int) -> int:
    """Where a ``#`` comment covering ``at`` starts, else ``at`` (a # inside an IRI or string is no comment)."""
    line_start = text.rfind("\n", 0, at) + 1
    cursor = line_start
    while cursor < at:
        skipped = _skip(text, cursor)
        if skipped != cursor:
            if text[cursor] == "#":
                return cursor
            cursor = skipped
            continue
        cursor += 1
    return at


def bind(query: Query, params: Mapping[str, str] | None = None) -> str:
    """The query text with each given parameter written into its VALUES block; the others removed
    (see :func:`specialise`)."""
    params = dict(params or {})
    declared = {p.name for p in query.parameters}
    unknown = sorted(set(params) - declared)
    if unknown:
        allowed = ", ".join(sorted(declared)) or "none"
        raise ParameterError(query.name, f"unknown parameter(s) {', '.join(unknown)}; {query.name} takes: {allowed}",
                             code="bad-parameter")
    terms: dict[str, str] = {}
    for parameter in query.parameters:
        if parameter.name not in params:
            if parameter.required:
                raise ParameterError(query.name, f"parameter {parameter.name!r} is required "
                                     f"(--param {parameter.name}=…): {parameter.description}", code="bad-parameter")
            continue
        variable, term = bound_term(parameter, params[parameter.name], query.variables(parameter))
        terms[variable] = term
    # Resolved on the query's own text, before any user text is in it: nothing a user writes is rewritten.
    text = keep_conditional_lines(query.text, {p.name for p in query.parameters if p.name in params}, set(terms))
    text = specialise(text, parameter_variables(query), set(terms))
    placeholders = {variable: term for variable, term in terms.items() if values_block(variable).search(text)}
    text = substitute(text, {variable: term for variable, term in terms.items() if variable not in placeholders})
    for variable, term in placeholders.items():
        # A function replacement, so nothing in the term is read as a regex back-reference.
        text = values_block(variable).sub(lambda _m, v=variable, t=term: f"VALUES ?{v} {{ {t} }}", text)
    return text


def parse_param_args(pairs: list[str] | None) -> dict[str, str]:
    """``["project=补充耕地指标回购资金"]`` (the CLI's repeated --param k=v) → dict."""
    params: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(pair, "a parameter is written key=value", code="bad-parameter")
        params[key.strip()] = value
    return params
