"""The query library's files, safe parameter binding, and result formatting."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from kg.query import (
    ParameterError,
    QueryLibraryError,
    bind,
    format_result,
    get_query,
    load_library,
    parse_param_args,
)
from kg.query.library import read_query

ISSUE_QUERIES = {"project-basis", "document-projects", "money-by-issuer-level", "unbased-projects",
                 "township-projects", "code-rollup", "year-over-year", "top-documents"}


def test_library_has_every_query_the_issue_asks_for_each_with_a_header():
    library = load_library()
    assert set(library) >= ISSUE_QUERIES
    for query in library.values():
        assert query.title and query.answers, query.name
        assert query.columns, f"{query.name}: header lists no columns"
        # The header's columns are the SELECT's variables, in order: the header does not lie.
        assert projected_variables(query.text) == list(query.columns), query.name


def projected_variables(text: str) -> list[str]:
    """?a (EXPR AS ?b) ?c → [a, b, c], from the first SELECT clause."""
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    clause = code.split("SELECT", 1)[1].split("WHERE", 1)[0].replace("DISTINCT", "")
    while "(" in clause:  # innermost parentheses first; an "AS ?v" group becomes ?v, others vanish
        clause = re.sub(r"\(([^()]*)\)", lambda m: (re.findall(r"AS\s+(\?\w+)\s*$", m[1]) or [""])[0], clause)
    return [v[1:] for v in clause.split()]


def test_parameters_are_declared_with_their_values_block():
    assert [p.name for p in get_query("project-basis").parameters] == ["project"]
    document = get_query("document-projects").parameter("document")
    assert document is not None and document.required and document.normalise == "doc-number"
    assert get_query("township-projects").parameter("township").required is False


def test_a_parameter_the_query_never_uses_is_refused(tmp_path: Path):
    path = tmp_path / "broken.rq"
    path.write_text("# title: broken\n# param: project required -- x\nSELECT * WHERE { ?s ?p ?o }\n",
                    encoding="utf-8")
    with pytest.raises(QueryLibraryError, match=r"never uses \?project_text"):
        read_query(path)


def write_query(folder: Path, body: str) -> Path:
    path = folder / "scoped.rq"
    path.write_text("# title: scoped\n# param: department optional -- part of a name\n"
                    "# param: disclosure optional -- IRI or file name\n"
                    "PREFIX bkg: <https://w3id.org/budget-kg/ontology#>\n" + body, encoding="utf-8")
    return path


SCOPED = """SELECT ?summary ?department WHERE {
  ?summary bkg:summaryOf ?disclosure ; bkg:departmentName ?department .
  #if department: FILTER (CONTAINS(?department, ?department_text))
  #if ?disclosure_iri: FILTER (?disclosure = ?disclosure_iri)
  #if ?disclosure_text: ?disclosure bkg:sourceFile ?file . FILTER (CONTAINS(?file, ?disclosure_text))
  BIND ("unscoped" AS ?note)    #if !department !disclosure
}
"""


def test_if_lines_are_kept_only_for_the_parameters_given_and_values_become_constants(tmp_path: Path):
    query = read_query(write_query(tmp_path, SCOPED))
    assert bind(query, {}).split("WHERE", 1)[1] == """ {
  ?summary bkg:summaryOf ?disclosure ; bkg:departmentName ?department .
  BIND ("unscoped" AS ?note)
}
"""
    scoped = bind(query, {"department": "泽州 自然资源", "disclosure": "https://w3id.org/budget-kg/id/disclosure/x"})
    assert scoped.split("WHERE", 1)[1] == """ {
  ?summary bkg:summaryOf ?disclosure ; bkg:departmentName ?department .
  FILTER (CONTAINS(?department, "泽州自然资源"))
  FILTER (?disclosure = <https://w3id.org/budget-kg/id/disclosure/x>)
}
"""
    by_file = bind(query, {"disclosure": "zezhou-2025"})
    assert '?disclosure bkg:sourceFile ?file . FILTER (CONTAINS(?file, "zezhou-2025"))' in by_file
    assert "?disclosure_iri" not in by_file and "#if" not in by_file
    assert code(bind(query, {})) == code(query.text)


EITHER = """SELECT ?summary ?department WHERE {
  ?summary bkg:summaryOf ?disclosure .
  #if department|disclosure: ?summary bkg:departmentName ?department .
  { SELECT ?summary ?department WHERE { ?summary bkg:departmentName ?department } }    #if !department|disclosure
  #if !department disclosure: BIND ("by file" AS ?note)
}
"""


def test_alternatives_in_an_if_line_hold_when_either_parameter_is_given(tmp_path: Path):
    """``a|b``: either is given; ``!a|b``: neither (a few disclosures looked up, the whole corpus in passes)."""
    query = read_query(write_query(tmp_path, EITHER))
    whole = bind(query, {})
    assert "{ SELECT ?summary ?department" in whole and "?summary bkg:departmentName ?department ." not in whole
    for given in ({"department": "泽州"}, {"disclosure": "zezhou-2025"}, {"department": "泽州", "disclosure": "z"}):
        scoped = bind(query, given)
        assert "?summary bkg:departmentName ?department ." in scoped and "{ SELECT" not in scoped, given
        assert ('"by file"' in scoped) == ("department" not in given), given
    assert code(whole) == code(query.text)


def test_an_alternative_naming_no_parameter_is_refused(tmp_path: Path):
    with pytest.raises(QueryLibraryError, match="departement, which is not a parameter") as error:
        read_query(write_query(tmp_path, EITHER.replace("#if department|disclosure:", "#if departement|disclosure:")))
    assert "scoped.rq:7" in str(error.value)


def code(text: str) -> str:
    """The SPARQL of a query without its comments (whole-line ones and a trailing ``#if``), whitespace folded."""
    lines = (re.sub(r"\s#if\s.*$", "", line) for line in text.splitlines() if not line.lstrip().startswith("#"))
    return " ".join(" ".join(lines).split())


def test_each_library_query_as_written_is_the_query_with_no_parameter():
    """So a file can be read, or pasted into any SPARQL editor, as it stands."""
    for query in load_library().values():
        if "UNDEF" not in query.text and not any(p.required for p in query.parameters):
            assert code(bind(query, {})) == code(query.text), query.name


@pytest.mark.parametrize(("line", "message"), [
    ("  #if departement: FILTER (?department = ?department_text)", "not a parameter"),
    ("  #if ?dept_text: FILTER (?department = ?department_text)", "not a parameter"),
    ("  #if !department: BIND (1 AS ?x)", "must need a parameter given"),
    ("  BIND (1 AS ?x)   #if department", "must hold with no parameter"),
    ("  #if department BIND (1 AS ?x)", "cannot read"),
])
def test_a_malformed_if_line_is_refused_with_its_line(tmp_path: Path, line: str, message: str):
    body = SCOPED.replace("  #if department: FILTER (CONTAINS(?department, ?department_text))", line)
    if "?department_text" not in body:
        body = body.replace("SELECT ?summary", "SELECT ?department_text ?summary")
    with pytest.raises(QueryLibraryError, match=message) as error:
        read_query(write_query(tmp_path, body))
    assert "scoped.rq:7" in str(error.value)


def test_unknown_query_names_the_library():
    with pytest.raises(QueryLibraryError, match="project-basis"):
        get_query("no-such-query")


def test_doc_number_in_any_bracket_style_is_bound_in_gbt_form():
    query = get_query("document-projects")
    printed_forms = ("泽政发[2019]23号", "泽政发【2019】23号", "泽政发(2019)23号",
                     "泽政发〔2019〕23号", " 泽政发（2019）23号 ")
    for printed in printed_forms:
        text = bind(query, {"document": printed})
        # A 文号 is written in as a constant of the triple pattern `bkg:docNumber` (an index lookup), in the
        # listing and in each sub-SELECT that repeats it; the title search is not kept.
        assert text.count('?document bkg:docNumber "泽政发〔2019〕23号"') == 3, printed
        assert "document_number" not in code(text) and "document_text" not in code(text)
        assert "dct:title ?title" not in text
        assert "UNDEF" not in text and "BOUND(?document" not in text
    # A title (no 文号 in it) stays text: looked up as a printed 文号 and searched in the titles.
    by_title = bind(query, {"document": "民间资本 投资开发造地"})
    assert by_title.count('?document bkg:docNumber "民间资本投资开发造地"') == 3
    assert by_title.count('CONTAINS(REPLACE(STR(?title), "\\\\s+", ""), "民间资本投资开发造地")') == 3
    # A query without a ?NAME_number variable still receives the 文号 as text (year-over-year's match).
    assert 'CONTAINS(?item, "泽政发〔2019〕23号")' in bind(get_query("year-over-year"), {"match": "泽政发[2019]23号"})


def test_an_iri_binds_the_iri_variable_and_leaves_the_text_one_unbound():
    text = bind(get_query("project-basis"), {"project": "https://w3id.org/budget-kg/id/project-zezhou-2025-2"})
    assert "FILTER (?project = <https://w3id.org/budget-kg/id/project-zezhou-2025-2>)" in text
    assert "project_text" not in text and "project_iri" not in text and "CONTAINS" not in text


def test_names_are_folded_like_labels():
    text = bind(get_query("project-basis"), {"project": "驻村工作队经费（柳树口镇 东南庄村）"})
    # the exact-name lookup and the part-of-a-name search (with the guard that skips it when a project bears it)
    assert text.count('"驻村工作队经费(柳树口镇东南庄村)"') == 3


@pytest.mark.parametrize("hostile", [
    '补充" } } DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "x\" . ?s ?p ?o . FILTER(\"",
    "补充耕地> } UNION { ?s ?p ?o",
])
def test_user_text_cannot_escape_its_literal(hostile: str):
    import pyoxigraph as ox

    from kg.query.params import fold_name, sparql_literal

    query = get_query("project-basis")
    text = bind(query, {"project": hostile})
    # The query is exactly the one bound with a harmless name, but for the escaped literal written in for each
    # use of the name (the exact-name lookup, the part-of-a-name search and its guard): every quote inside the
    # user's text is escaped.
    term = sparql_literal(fold_name(hostile))
    assert text.count(term) == 3
    assert text.replace(term, '"x"') == bind(query, {"project": "x"})
    assert list(ox.Store().query(text)) == []  # it parses and runs


@pytest.mark.parametrize("hostile", [
    '补充" } } DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "x\" . ?s ?p ?o . FILTER(\"",
    "补充耕地> } UNION { ?s ?p ?o",
    "?department_text #if department: } UNION { ?s ?p ?o",
])
def test_user_text_written_in_for_a_variable_stays_one_term(hostile: str):
    import pyoxigraph as ox

    from kg.query.params import fold_name, sparql_literal

    query = get_query("code-rollup")
    text = bind(query, {"department": hostile, "code": "208"})
    # the query is exactly the one bound with a harmless value, but for that one escaped literal
    term = sparql_literal(fold_name(hostile))
    assert text.count(term) == 1  # the disclosures in scope (the printed totals are on their summaries)
    assert text.replace(term, '"x"') == bind(query, {"department": "x", "code": "208"})
    assert list(ox.Store().query(text)) == []  # it parses and runs


@pytest.mark.parametrize("bad", ["", "   ", "a\\u0022b", "line\nbreak", "x" * 501])
def test_unsafe_or_empty_values_are_refused(bad: str):
    with pytest.raises(ParameterError):
        bind(get_query("project-basis"), {"project": bad})


def test_an_iri_with_spaces_or_angle_brackets_is_refused():
    with pytest.raises(ParameterError):
        bind(get_query("project-basis"), {"project": "https://x.org/a> } ; DROP ALL"})


def test_unknown_and_missing_parameters_are_named():
    with pytest.raises(ParameterError, match="takes: project"):
        bind(get_query("project-basis"), {"projet": "x"})
    with pytest.raises(ParameterError, match="required"):
        bind(get_query("project-basis"), {})
    parsed = parse_param_args(["project=补充耕地指标回购资金", "a=b=c"])
    assert parsed == {"project": "补充耕地指标回购资金", "a": "b=c"}
    with pytest.raises(ParameterError):
        parse_param_args(["project"])


def test_formats_keep_amounts_exact():
    frame = pd.DataFrame({"project_label": ["补充耕地指标回购资金"], "amount": [Decimal("10000000.00")],
                          "fiscal_year": [2025], "doc": [None]}, dtype=object)
    table = format_result(frame, "table")
    assert "补充耕地指标回购资金  10000000.00" in table and "(1 rows)" in table
    assert format_result(frame, "csv").splitlines()[1] == "补充耕地指标回购资金,10000000.00,2025,"
    assert json.loads(format_result(frame, "json")) == [
        {"project_label": "补充耕地指标回购资金", "amount": "10000000.00", "fiscal_year": 2025, "doc": None}]
    assert format_result(frame.iloc[0:0], "table") == "(no rows)"
