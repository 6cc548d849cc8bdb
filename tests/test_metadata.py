from __future__ import annotations

import pytest

from kg.entities.metadata import read_metadata


@pytest.mark.parametrize(
    ("key", "department", "org_code", "unit", "scope", "year"),
    [
        ("qinshui2024", "沁水县自然资源局", "261", "沁水县自然资源局本级", "unit", 2024),
        ("zezhou2025", "泽州县自然资源局", "080", None, "department", 2025),
        ("xingxian2025", "兴县自然资源局", "048", None, "department", 2025),
        ("yangquan2022", "阳泉市规划和自然资源局", "036", "阳泉市规划和自然资源局机关本级", "unit", 2022),
        ("zezhou2026", "泽州县自然资源局", "080", None, "department", 2026),
    ],
)
def test_who_published_what_year(sources, key, department, org_code, unit, scope, year):
    meta = read_metadata(sources[key])
    assert (meta.department, meta.org_code, meta.unit_name, meta.scope, meta.fiscal_year) == (
        department, org_code, unit, scope, year)


def test_title_joins_the_cover_lines(sources):
    assert read_metadata(sources["zezhou2025"]).title == "泽州县自然资源局2025年度部门预算公开"
    assert read_metadata(sources["yangquan2022"]).title == "阳泉市规划和自然资源局机关本级 2022 年单位预算信息公开"


def test_pdf_disclosures_metadata():
    from kg.ingest import read_source
    from tests.conftest import PDF_SAMPLES

    if not PDF_SAMPLES.is_dir():
        pytest.skip("../shared/pdf-samples not present")
    npc = read_metadata(read_source(PDF_SAMPLES / "jiangsu-npc-office-2019.pdf"))
    # no cover line: the department from the table headers, the year the document names most often
    assert (npc.department, npc.fiscal_year, npc.year_source) == ("江苏省人大常委会办公厅", 2019, "most-frequent")
    cppcc = read_metadata(read_source(PDF_SAMPLES / "jiangsu-cppcc-office-2018.pdf"))
    # cover printed over two lines
    assert (cppcc.title, cppcc.fiscal_year, cppcc.scope) == ("江苏省政协办公厅2018年度部门预算公开", 2018, "department")


def test_a_table_header_unit_is_not_a_unit_name():
    from kg.ingest import source_from_text

    doc = source_from_text("2022 年预算收入总表\n单位: 万元\n部门: [036]阳泉市规划和自然资源局\n", name="x.txt")
    meta = read_metadata(doc)
    assert (meta.unit_name, meta.department, meta.org_code) == (None, "阳泉市规划和自然资源局", "036")
