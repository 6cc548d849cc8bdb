"""The 目录 check: a table the document's own 目录 lists but no table read has is reported at the 目录 line."""

from __future__ import annotations

import pytest

from kg.extract import read_source
from kg.ingest import source_from_text
from kg.tables import find_tables
from tests.helpers import dev_document

TAMPERED = "sh_putuo_finance_bureau_2024_final_tampered"


def _listed_missing(notices: list) -> list[tuple[int | None, str]]:
    return [(n.line, n.message.split("'")[1]) for n in notices if n.code == "table-listed-missing"]


@pytest.mark.parametrize("form, line", [("text", 20), ("pdf", 11)])
def test_a_table_the_contents_list_and_the_document_leaves_out(form, line):
    # the "测试问题版本" of the Putuo 决算 lists 三、支出决算表 in its 目录 and never prints it
    tables, notices = find_tables(read_source(dev_document(TAMPERED, form)))
    assert "expenditure_summary" not in {t.kind for t in tables}
    assert _listed_missing(notices) == [(line, "三、支出决算表")]


@pytest.mark.parametrize("stem", ["sh_putuo_finance_bureau_2024_final", "js_high_court_2019_dept",
                                  "sh_putuo_commerce_2025_dept"])
def test_documents_printing_every_listed_table_have_no_warning(stem):
    tables, notices = find_tables(read_source(dev_document(stem)))
    assert len(tables) >= 9 and _listed_missing(notices) == []


def test_the_narrative_half_of_a_disclosure_is_not_missing_its_tables():
    # the 目录 of the text half lists 12 tables printed in the tables half: reported as narrative elsewhere
    tables, notices = find_tables(read_source(dev_document("js_npc_office_2019_text")))
    assert tables == [] and _listed_missing(notices) == []


TABLES = """\
{toc}
一、部门收支总表
单位：万元
收入\t\t支出
项目\t预算数\t项目\t预算数
一、一般公共预算拨款收入\t10.00\t一般公共服务支出\t10.00
收入总计\t10.00\t支出总计\t10.00
二、部门支出总表
单位：万元
科目编码\t科目名称\t合计\t基本支出\t项目支出
201\t一般公共服务支出\t10.00\t10.00\t0.00
合计\t\t10.00\t10.00\t0.00
"""


def test_contents_with_dot_leaders_and_page_numbers():
    toc = "目 录\n一、部门收支总表……………………1\n二、部门支出总表……………………2\n三、部门收入总表……………………3\n"
    tables, notices = find_tables(source_from_text(TABLES.format(toc=toc), "toc.txt"))
    assert [t.kind for t in tables] == ["income_expenditure_summary", "expenditure_summary"]
    assert _listed_missing(notices) == [(4, "三、部门收入总表")]


def test_headings_naming_tables_in_the_text_are_no_contents():
    # three tables named by headings, each followed by its paragraphs: no 目录, so nothing is "missing"
    paragraphs = "说明一。\n说明二。\n说明三。\n说明四。\n"
    prose = "".join(f"{title}\n{paragraphs}" for title in ("部门收入总表", "财政拨款收支总表", "政府采购预算表"))
    tables, notices = find_tables(source_from_text(TABLES.format(toc=prose), "prose.txt"))
    assert len(tables) == 2 and _listed_missing(notices) == []
