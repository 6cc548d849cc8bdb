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
