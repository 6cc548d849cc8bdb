"""Query results as pandas users expect them: nullable dtypes, typed and keyword parameters, attrs, Parquet.

Values are read from the five samples (samples/*.txt) built once per session (conftest's ``built``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from kg.query import (
    ParameterError,
    QueryLibraryError,
    format_result,
    get_query,
    links_frame,
    load_library,
    run_query,
    trace_links,
    write_frame,
)
from kg.query.library import read_query
from kg.query.results import Term, unordered

PARAMS = {"project-basis": {"project": "补充耕地指标回购资金"}, "document-projects": {"document": "泽政发[2019]23号"}}
DTYPES = {"money": "Float64", "int": "Int64", "bool": "boolean", "float": "Float64", "string": "string"}


@pytest.fixture(scope="module")
def frames(built: Path) -> dict[str, pd.DataFrame]:
    return {name: run_query(name, PARAMS.get(name), store=built) for name in sorted(load_library())}


def test_every_library_query_has_a_nullable_dtype_per_column(frames: dict[str, pd.DataFrame]):
    assert set(frames) == set(load_library())
    for name, frame in frames.items():
        query = get_query(name)
        assert len(frame) > 0, name
        for column in frame.columns:
            kind = query.types.get(column, "int" if column.endswith("_rank") else "string")
            assert str(frame[column].dtype) == DTYPES[kind], (name, column, frame[column].dtype)
            assert frame[column].dtype != object, (name, column)
        # every money, count and year column is a number to pandas (select_dtypes, nlargest)
        numeric = set(frame.select_dtypes("number").columns)
        assert {c for c, kind in query.types.items() if kind in ("money", "int")} <= numeric, name
        assert frame.attrs["money_columns"] == [c for c in frame.columns if query.types.get(c) == "money"]


def test_money_and_flags_hold_the_printed_values(frames: dict[str, pd.DataFrame]):
    basis = frames["project-basis"]
    # zezhou 2025 line 项目支出表: 补充耕地指标回购资金 10,000,000 元, not carried over
    first = basis[basis["fiscal_year"] == 2025].iloc[0]
    assert first["amount"] == 10_000_000.0 and not first["carried_over"]
    assert first["policy_document"]
    top = frames["top-documents"]
    assert top.nlargest(1, "money_traced")["money_traced"].iloc[0] == top["money_traced"].max()
    assert top["money_traced_rank"].min() == 1


def test_missing_values_are_pd_na(frames: dict[str, pd.DataFrame]):
    top = frames["top-documents"]
    missing = top["doc_number"].isna()
    assert missing.any() and not missing.all()  # documents cited by title only have no 文号
    assert top.loc[missing.idxmax(), "doc_number"] is pd.NA
    yoy = frames["year-over-year"]
    first_years = yoy[yoy["previous_year"].isna()]
    assert len(first_years) and first_years["change"].isna().all()


def test_an_empty_result_keeps_the_declared_dtypes(built: Path):
    frame = run_query("document-projects", document="没有这个文件〔2099〕1号", store=built)
    assert frame.empty
    assert str(frame["amount"].dtype) == "Float64" and str(frame["fiscal_year"].dtype) == "Int64"
    assert str(frame["carried_over"].dtype) == "boolean"


def test_int_and_keyword_parameters(built: Path):
    by_text = run_query("money-by-issuer-level", {"fiscal_year": "2025"}, store=built)
    by_int = run_query("money-by-issuer-level", fiscal_year=2025, store=built)
    pd.testing.assert_frame_equal(by_text, by_int)
    assert set(by_int["fiscal_year"]) == {2025} and len(by_int) < len(run_query("money-by-issuer-level", store=built))
    mixed = run_query("document-projects", {"document": "泽政发[2019]23号"}, store=built)
    assert list(mixed["fiscal_year"]) == [2025, 2026]
    assert list(mixed["amount"]) == [10_000_000.0, 20_000_000.0]
    # a flag: True gives it, False leaves it out
    assert len(run_query("top-documents", non_policy=True, store=built)) > len(
        run_query("top-documents", non_policy=False, store=built))
    with pytest.raises(ParameterError, match="both"):
        run_query("money-by-issuer-level", {"fiscal_year": "2025"}, fiscal_year=2025, store=built)
    with pytest.raises(ParameterError, match="unknown parameter"):
        run_query("money-by-issuer-level", year=2025, store=built)


def test_attrs_name_the_query_parameters_and_unit(built: Path):
    frame = run_query("top-documents", fiscal_year=2025, store=built)
    assert frame.attrs["query"] == "top-documents"
    assert frame.attrs["parameters"] == {"fiscal_year": "2025"}
    assert frame.attrs["unit"] == "元"
    assert frame.attrs["money_columns"] == ["money_traced", "money_attributed"]
    assert frame.attrs["types"]["projects"] == "int" and frame.attrs["types"]["money_traced_rank"] == "int"


def test_exact_money_on_request(built: Path):
    frame = run_query("project-basis", project="遗属补贴", store=built, money="decimal")
    assert list(frame["amount"]) == [Decimal("49700")]
    assert isinstance(frame["amount"].iloc[0], Decimal)


def test_parquet_round_trip_keeps_dtypes_values_and_attrs(frames: dict[str, pd.DataFrame], tmp_path: Path):
    pytest.importorskip("pyarrow")
    for name, frame in frames.items():
        path = write_frame(frame, tmp_path / f"{name}.parquet")
        back = pd.read_parquet(path)
        pd.testing.assert_frame_equal(back, frame, obj=name)
        assert back.attrs["query"] == name and back.attrs["unit"] == "元"


def test_csv_with_a_bom_for_excel(frames: dict[str, pd.DataFrame], tmp_path: Path):
    path = write_frame(frames["document-projects"], tmp_path / "projects.csv", bom=True)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfdocument,doc_number,")
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert list(back["project_label"]) == ["补充耕地指标回购资金", "补充耕地指标回购资金"]
    assert not format_result(frames["document-projects"], "csv").startswith("\ufeff")
    with pytest.raises(Exception, match="suffix"):
        write_frame(frames["document-projects"], tmp_path / "projects.xlsx")


def test_trace_links_are_records(built: Path):
    links = trace_links("泽政发[2019]23号", store=built)
    assert [(link.fiscal_year, link.amount, link.document_total) for link in links] == [
        (2025, Decimal("10000000"), Decimal("30000000")), (2026, Decimal("20000000"), Decimal("30000000"))]
    assert {link.doc_number for link in links} == {"泽政发〔2019〕23号"}
    by_project = trace_links("补充耕地指标回购资金", store=built)
    assert sorted((link.fiscal_year, link.doc_number, link.link_status) for link in by_project) == [
        (2025, "泽政发〔2019〕23号", "both"), (2026, "晋政办发〔2018〕1号", "both"),
        (2026, "泽政发〔2019〕23号", "both")]
    frame = links_frame(by_project)
    assert str(frame["amount"].dtype) == "Float64" and frame["document_projects"].tolist() == [2, 1, 2]
    assert trace_links("没有这样的项目名称", store=built) == []


def test_header_continuation_lines_are_kept_whole():
    # "#   bkg:isPolicyDocument false) …" continues the answers; it was once read as a "bkg" key
    top = get_query("top-documents")
    assert "bkg:isPolicyDocument false) is left out" in top.answers
    assert top.answers.endswith("policy_document tells it apart.")
    assert "bkg" not in top.extra


def test_types_header_is_checked(tmp_path: Path):
    path = tmp_path / "typed.rq"
    path.write_text("# title: typed\n# columns: a, b\n# types: a=money,\n#   b=int\nSELECT ?a ?b WHERE { }\n",
                    encoding="utf-8")
    assert read_query(path).types == {"a": "money", "b": "int"}
    path.write_text("# title: typed\n# columns: a\n# types: a=currency\nSELECT ?a WHERE { }\n", encoding="utf-8")
    with pytest.raises(QueryLibraryError, match="currency"):
        read_query(path)
    path.write_text("# title: typed\n# columns: a\n# types: z=int\nSELECT ?a WHERE { }\n", encoding="utf-8")
    with pytest.raises(QueryLibraryError, match="not among"):
        read_query(path)


class _RecordingEngine:
    """Answers with fixed rows in a scrambled order and keeps the query text it was sent."""

    def __init__(self, variables: list[str], rows: list[list[Term | None]]) -> None:
        self.variables, self.rows, self.sent = variables, rows, ""

    def select(self, query: str) -> tuple[list[str], list[list[Term | None]]]:
        self.sent = query
        return self.variables, [list(row) for row in self.rows]


def test_rows_are_sorted_here_and_the_engine_is_spared_its_own_sort(tmp_path: Path):
    """The final ORDER BY is left out of what the engine receives when every key is a column (sort_rows puts
    the rows in that order for every engine); amounts by value, text by code point, unbound first."""
    path = tmp_path / "ordered.rq"
    path.write_text("# title: ordered\n# columns: department, amount\n"
                    "SELECT ?department ?amount WHERE { ?s <urn:d> ?department ; <urn:a> ?amount }\n"
                    "ORDER BY ?department DESC(?amount)\n", encoding="utf-8")
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    string = "http://www.w3.org/2001/XMLSchema#string"
    rows = [[Term("literal", "泽州县民政局", string), Term("literal", "9.5", decimal)],
            [Term("literal", "兴县民政局", string), Term("literal", "120", decimal)],
            [Term("literal", "泽州县民政局", string), Term("literal", "10", decimal)],
            [None, Term("literal", "3", decimal)]]
    engine = _RecordingEngine(["department", "amount"], rows)
    frame = run_query(read_query(path), store=engine, money="decimal")
    assert "ORDER BY" not in engine.sent and engine.sent.rstrip().endswith("?amount }")
    assert frame["department"].tolist()[1:] == ["兴县民政局", "泽州县民政局", "泽州县民政局"]
    assert frame["department"].isna().tolist() == [True, False, False, False]
    assert frame["amount"].tolist() == [Decimal("3"), Decimal("120"), Decimal("10"), Decimal("9.5")]

    # ordered by a variable that is not a column: only the engine can sort, so it keeps the clause
    path.write_text(path.read_text(encoding="utf-8").replace("DESC(?amount)", "DESC(?s)"), encoding="utf-8")
    run_query(read_query(path), store=engine)
    assert engine.sent.rstrip().endswith("ORDER BY ?department DESC(?s)")


def test_ascending_keys_sorted_in_one_pass_ties_broken_by_the_whole_row(tmp_path: Path):
    """Every key ascending (one sort on the keys, then every column): ties on the department are put in the
    order of the next columns, amounts by value (9.5 before 10, not as text), unbound first."""
    path = tmp_path / "ascending.rq"
    path.write_text("# title: ascending\n# columns: department, amount, year\n"
                    "SELECT ?department ?amount ?year WHERE {\n"
                    "  ?s <urn:d> ?department ; <urn:a> ?amount ; <urn:y> ?year }\n"
                    "ORDER BY ?department ?year\n", encoding="utf-8")
    decimal = "http://www.w3.org/2001/XMLSchema#decimal"
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    string = "http://www.w3.org/2001/XMLSchema#string"
    zezhou, xingxian = Term("literal", "泽州县民政局", string), Term("literal", "兴县民政局", string)
    rows = [[zezhou, Term("literal", "10", decimal), Term("literal", "2025", integer)],
            [xingxian, Term("literal", "120", decimal), Term("literal", "2025", integer)],
            [zezhou, Term("literal", "9.5", decimal), Term("literal", "2025", integer)],
            [zezhou, Term("literal", "1", decimal), Term("literal", "2026", integer)],
            [None, Term("literal", "3", decimal), Term("literal", "2024", integer)]]
    frame = run_query(read_query(path), store=_RecordingEngine(["department", "amount", "year"], rows),
                      money="decimal")
    assert frame["amount"].tolist() == [Decimal("3"), Decimal("120"), Decimal("9.5"), Decimal("10"), Decimal("1")]
    assert frame["year"].tolist() == [2024, 2025, 2025, 2025, 2026]


def test_only_a_final_order_by_the_rows_can_be_put_in_is_left_out():
    """A LIMIT after the ORDER BY, or an ORDER BY closing a sub-SELECT, depends on the engine's order: kept."""
    columns = ["department", "amount"]
    whole = "SELECT ?department ?amount WHERE { ?s <urn:a> ?amount }\nORDER BY DESC(?amount) ?department"
    assert unordered(whole, columns) == (whole[:whole.index("ORDER BY")].rstrip() + "\n",
                                         [("amount", True), ("department", False)])
    limited = whole + " LIMIT 10"
    assert unordered(limited, columns) == (limited, [])
    inner = ("SELECT ?department ?amount WHERE {\n"
             "  { SELECT ?department ?amount WHERE { ?s <urn:a> ?amount } ORDER BY ?amount LIMIT 1 } }")
    assert unordered(inner, columns) == (inner, [])
