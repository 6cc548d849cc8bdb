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


def _dev_text(stem: str):
    from kg.ingest import read_source
    from tests.conftest import DEV_CORPUS

    path = DEV_CORPUS / "text" / f"{stem}.txt"
    if not path.is_file():
        pytest.skip("../shared/dev-corpus not present")
    return read_source(path)


@pytest.mark.parametrize(
    ("stem", "department", "unit", "scope", "phase", "year", "year_source"),
    [
        # "2018 年度江苏省高级" / "人民法院预算公开": the cover over two lines, no scope word
        ("js_high_court_2018_dept", "江苏省高级人民法院", None, "department", "budget", 2018, "cover"),
        # "上海市普陀区2025年区级部门预算" + "预算主管部门：上海市普陀区商务委员会": 区级 is a level, not a body
        ("sh_putuo_commerce_2025_dept", "上海市普陀区商务委员会", None, "department", "budget", 2025, "cover"),
        ("sh_putuo_commerce_2025_unit", "上海市普陀区商务委员会", "上海市普陀区商务委员会", "unit", "budget", 2025,
         "cover"),
        # "上海市普陀区财政局" / "2024年度部门决算": final accounts
        ("sh_putuo_finance_bureau_2024_final", "上海市普陀区财政局", None, "department", "final", 2024, "cover"),
        # no cover at all: the body the prose names as its subject ("江苏省政协办公厅 2019 年度收入…")
        ("js_cppcc_office_2019_text", "江苏省政协办公厅", None, "department", "budget", 2019, "text"),
    ],
)
def test_dev_corpus_metadata(stem, department, unit, scope, phase, year, year_source):
    from kg.extract import extract_disclosure

    source = _dev_text(stem)
    disclosure = extract_disclosure(source)
    meta = read_metadata(source, disclosure.tables)
    assert (meta.department, meta.unit_name, meta.scope, meta.phase, meta.fiscal_year, meta.year_source) == (
        department, unit, scope, phase, year, year_source)
    assert disclosure.phase == phase


def test_a_narrative_half_is_accepted_with_a_notice():
    from kg.extract import extract_disclosure

    disclosure = extract_disclosure(_dev_text("js_party_office_2017_text"))
    assert disclosure.tables == [] and disclosure.department == "江苏省委办公厅"
    assert [n.code for n in disclosure.notices if n.code == "narrative-only"] == ["narrative-only"]


def test_a_novel_is_still_not_a_disclosure():
    from kg.errors import NotADisclosureError
    from kg.extract import extract_disclosure
    from kg.ingest import source_from_text

    text = "第一章 2019年的春天\n部门概况这个词出现在小说里。\n主要职能也出现了。\n"
    with pytest.raises(NotADisclosureError):
        extract_disclosure(source_from_text(text, name="novel.txt"))
