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


def test_a_parameter_without_its_values_block_is_refused(tmp_path: Path):
    path = tmp_path / "broken.rq"
    path.write_text("# title: broken\n# param: project required -- x\nSELECT * WHERE { ?s ?p ?o }\n",
                    encoding="utf-8")
    with pytest.raises(QueryLibraryError, match="VALUES"):
        read_query(path)


def test_unknown_query_names_the_library():
    with pytest.raises(QueryLibraryError, match="project-basis"):
        get_query("no-such-query")


def test_doc_number_in_any_bracket_style_is_bound_in_gbt_form():
    query = get_query("document-projects")
    printed_forms = ("泽政发[2019]23号", "泽政发【2019】23号", "泽政发(2019)23号",
                     "泽政发〔2019〕23号", " 泽政发（2019）23号 ")
    for printed in printed_forms:
        text = bind(query, {"document": printed})
        # A 文号 goes to the ?document_number blocks, matched as a triple pattern (an index lookup), in the
        # document table and in each sub-SELECT that repeats it.
        assert text.count('VALUES ?document_number { "泽政发〔2019〕23号" }') == 3, printed
        # the parameters not given: their placeholders removed, BOUND() of them resolved to false
        assert "UNDEF" not in text and "VALUES ?document " not in text and "?document_text {" not in text
        assert "BOUND(?document" not in text and "FILTER ((1 = 0))" in text
        assert "FILTER ((1 = 1))" not in text  # a filter made always true is dropped
    # A title (no 文号 in it) stays text, searched in the titles.
    by_title = bind(query, {"document": "民间资本 投资开发造地"})
    assert by_title.count('VALUES ?document_text { "民间资本投资开发造地" }') == 6
    assert "VALUES ?document_number" not in by_title
    # A query without a ?NAME_number block still receives the 文号 as text (year-over-year's match).
    assert 'VALUES ?match_text { "泽政发〔2019〕23号" }' in bind(get_query("year-over-year"),
                                                              {"match": "泽政发[2019]23号"})


def test_an_iri_binds_the_iri_variable_and_leaves_the_text_one_unbound():
    text = bind(get_query("project-basis"), {"project": "https://w3id.org/budget-kg/id/project-zezhou-2025-2"})
    assert "VALUES ?project { <https://w3id.org/budget-kg/id/project-zezhou-2025-2> }" in text
    assert "VALUES ?project_text" not in text and "BOUND(?project_text)" not in text


def test_names_are_folded_like_labels():
    text = bind(get_query("project-basis"), {"project": "驻村工作队经费（柳树口镇 东南庄村）"})
    assert 'VALUES ?project_text { "驻村工作队经费(柳树口镇东南庄村)" }' in text


@pytest.mark.parametrize("hostile", [
    '补充" } } DROP ALL ; SELECT * WHERE { ?s ?p ?o',
    "x\" . ?s ?p ?o . FILTER(\"",
    "补充耕地> } UNION { ?s ?p ?o",
])
def test_user_text_cannot_escape_its_literal(hostile: str):
    query = get_query("project-basis")
    text = bind(query, {"project": hostile})
    blocks = text.split("VALUES ?project_text {")[1:]
    # The query's own blocks and no more (the exact-name and the part-of-a-name lookups), each holding
    # exactly one literal: every quote inside the user's text is escaped.
    assert len(blocks) == query.text.count("VALUES ?project_text { UNDEF }") == 2
    for block in blocks:
        # One string literal (escaped quotes allowed inside), then the block's closing brace.
        assert re.match(r'\s"(?:[^"\\]|\\.){0,600}" \}\s{1,40}(\}|FILTER NOT EXISTS)', block), block


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
