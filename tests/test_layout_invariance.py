"""Reading does not depend on page furniture: a running header or footer printed at every page break (the
department's name and the year's 部门预算, a page number) leaves every table, line and figure as it was."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kg.extract import extract_disclosure
from kg.ingest import source_from_text
from tests.helpers import dev_document, only, row

PAGE_LINES = 45  # about a page of a pdftotext export


def _with_running_headers(text: str, header: str) -> str:
    """A page number and the running header after the first blank line once every ``PAGE_LINES`` lines, as a
    PDF printed with a header and footer on every page exports them."""
    out: list[str] = []
    since = 0
    for line in text.split("\n"):
        out.append(line)
        since += 1
        if since >= PAGE_LINES and not line.strip():
            out += [f"                         — {len(out) // PAGE_LINES} —", "", f"   {header}", ""]
            since = 0
    return "\n".join(out)


def _read(text: str, name: str) -> dict[str, object]:
    disclosure = extract_disclosure(source_from_text(text, name), require_tables=False)
    return {
        # every cell of every row but where it was printed (a page break moves the lines below it)
        "tables": [(t.kind, t.unit, t.frame.drop(columns=["line", "last_line"]).astype(str).values.tolist())
                   for t in disclosure.tables],
        "closure": [(c.kind, c.rows, c.checks, c.failed) for c in disclosure.closure],
        "notices": sorted(n.code for n in disclosure.notices if n.code != "dropped-page-number"),  # the furniture
        "lines": sorted((x.code, x.total, x.basic, x.project) for x in disclosure.expenditure_lines),
        "three_public": sorted((f.item, f.amount) for f in disclosure.three_public),
        "projects": sorted((p.name, p.total) for p in disclosure.projects),
        "text_checks": sorted((c.what, c.stated, c.agree) for c in disclosure.text_checks),
        "department": disclosure.department,
    }


# dev documents of both provinces, budgets and final accounts, with the running header each would print
DOCUMENTS = [
    ("js_high_court_2019_dept", "江苏省高级人民法院2019年部门预算"),
    ("js_procuratorate_2018_dept", "江苏省人民检察院2018年度部门预算"),
    ("sh_putuo_commerce_2025_dept", "上海市普陀区商务委员会2025年部门预算公开"),
    ("sh_putuo_welfare_home_2024_unit", "上海市普陀区社会福利院2024年单位预算"),
    ("sh_putuo_finance_bureau_2024_final", "上海市普陀区财政局2024年度部门决算"),
]


@pytest.mark.parametrize("stem, header", DOCUMENTS)
def test_running_headers_change_nothing_read(stem, header):
    path = dev_document(stem)
    text = path.read_text(encoding="utf-8")
    printed = _with_running_headers(text, header)
    assert printed.count(header) >= 8  # the header is printed on many pages, inside tables too
    assert _read(printed, path.name) == _read(text, path.name)


def _with_breaks_inside_rows(text: str, header: str, rows: list[tuple[int, int]], phase: int, every: int) -> str:
    """A page break — page number, running header — between two lines printed one under the other inside
    a table's rows (a wrapped name, a code over its name: "310" / "02 办公设备购置"), at every ``every``-th
    such place from ``phase``: a page that ends in the middle of a row."""
    lines = text.split("\n")
    places = [i for i in range(1, len(lines)) if lines[i].strip() and lines[i - 1].strip()
              and any(first < i + 1 <= last for first, last in rows)]
    chosen = set(places[phase::every])
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in chosen:
            out += [f"                         — {i} —", "", f"   {header}", ""]
        out.append(line)
    assert len(chosen) >= 20  # breaks enough inside rows for the test to mean something
    return "\n".join(out)


# the welfare home prints each row on one line, a blank line between rows: no row to break
@pytest.mark.parametrize("stem, header", [d for d in DOCUMENTS if d[0] != "sh_putuo_welfare_home_2024_unit"])
def test_page_breaks_inside_rows_change_nothing_read(stem, header):
    path = dev_document(stem)
    text = path.read_text(encoding="utf-8")
    disclosure = extract_disclosure(source_from_text(text, path.name), require_tables=False)
    rows = [(int(t.frame["line"].min()), int(t.frame["last_line"].max())) for t in disclosure.tables
            if len(t.frame)]
    unbroken = _read(text, path.name)
    for phase in range(4):
        assert _read(_with_breaks_inside_rows(text, header, rows, phase, 4), path.name) == unbroken, phase


def test_a_code_over_its_name_stays_one_row_across_a_page_break():
    # 基本支出决算表 prints 31002 as "310" at the foot of a page, "02    办公设备购置" under the next page's header
    path = dev_document("sh_putuo_finance_bureau_2024_final")
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[469].strip() == "310" and lines[470].split() == ["02", "办公设备购置"]
    broken = [*lines[:470], "                         — 12 —", "", "   上海市普陀区财政局2024年度部门决算", "",
              *lines[470:]]
    disclosure = extract_disclosure(source_from_text("\n".join(broken), path.name), require_tables=False)
    table = only(disclosure.tables, "basic_expenditure_economic")
    office_equipment = row(table, code="31002")
    assert office_equipment["total"] == Decimal("13.58")
    assert office_equipment["name"] == "办公设备购置"
    # from the figure printed above the code (469) to the name under the next page's header (471 + 4)
    assert (office_equipment["line"], office_equipment["last_line"]) == (469, 475)
    assert [c for c in table.frame["code"] if c and c.startswith("310")] == [  # no stray "310" or "02" row
        "310", "31001", "31002", "31003", "31007", "31013", "31019", "31021", "31022", "31099"]
