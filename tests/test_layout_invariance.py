"""Reading does not depend on page furniture: a running header or footer printed at every page break (the
department's name and the year's 部门预算, a page number) leaves every table, line and figure as it was."""

from __future__ import annotations

import pytest

from kg.extract import extract_disclosure
from kg.ingest import source_from_text
from tests.helpers import dev_document

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
        "tables": [(t.kind, t.unit, len(t.frame)) for t in disclosure.tables],
        "lines": sorted((x.code, x.total, x.basic, x.project) for x in disclosure.expenditure_lines),
        "three_public": sorted((f.item, f.amount) for f in disclosure.three_public),
        "projects": sorted((p.name, p.total) for p in disclosure.projects),
        "text_checks": sorted((c.what, c.stated, c.agree) for c in disclosure.text_checks),
        "department": disclosure.department,
    }


@pytest.mark.parametrize("stem, header", [
    ("js_high_court_2019_dept", "江苏省高级人民法院2019年部门预算"),
    ("js_procuratorate_2018_dept", "江苏省人民检察院2018年度部门预算"),
    ("sh_putuo_commerce_2025_dept", "上海市普陀区商务委员会2025年部门预算公开"),
    ("sh_putuo_welfare_home_2024_unit", "上海市普陀区社会福利院2024年单位预算"),
    ("sh_putuo_finance_bureau_2024_final", "上海市普陀区财政局2024年度部门决算"),
])
def test_running_headers_change_nothing_read(stem, header):
    path = dev_document(stem)
    text = path.read_text(encoding="utf-8")
    printed = _with_running_headers(text, header)
    assert printed.count(header) >= 8  # the header is printed on many pages, inside tables too
    assert _read(printed, path.name) == _read(text, path.name)
