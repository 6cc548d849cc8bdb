"""The 预算单位 a 项目支出表 row or a 绩效目标表 names, as one key per unit of a disclosure.

A unit printed only relative to its department (本级, 局本级, 机关本级: ``relative_unit_name`` in
kg/data/table_columns.toml) is the department's own part: ``full_unit_name`` gives it the department's name before
it (泽州县自然资源局 + 局本级 → 泽州县自然资源局本级), so that two departments' 本级 are two organisations.
"""

from __future__ import annotations

from kg.tables.knowledge import knowledge
from kg.tables.performance import normalise_name


def full_unit_name(name: str, department: str | None) -> str:
    """``name`` with its department's name before it when it names a unit only relative to the department."""
    relative = knowledge().relative_unit_name
    if not department or relative is None or not relative.fullmatch(name):
        return name
    overlap = next((n for n in range(min(len(name), len(department)), 0, -1)
                    if department.endswith(name[:n])), 0)  # 局 + 局本级 → …局本级, not …局局本级
    return department + name[overlap:]


def unit_key(printed: str | None, department: str | None) -> str:
    """One key per unit for comparing what two tables print: the department's own part — no unit, the department's
    name, its 本级 printed either way — is the department's key."""
    name = normalise_name(printed or "")
    own = normalise_name(department or "")
    if not name or name == own:
        return own
    full = full_unit_name(name, own)
    relative = knowledge().relative_unit_name
    if own and full.startswith(own) and relative is not None and relative.fullmatch(full[len(own):]):
        return own
    return full
