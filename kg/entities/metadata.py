"""Who published a disclosure, for which year: read from its cover lines and table headers."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kg.records import SourceDocument

# "2025年度部门预算公开", "阳泉市规划和自然资源局机关本级 2022 年单位预算信息公开"
_COVER = re.compile(r"^(?P<name>[^\t\d]{2,60}?)?\s*(?P<year>20\d\d)\s*年度?\s*(?P<scope>部门|单位)预算(?:信息)?公开")
_YEAR_ONLY = re.compile(r"(?P<year>20\d\d)\s*年度?\s*(?P<scope>部门|单位)预算")
# "部门名称:泽州县自然资源局", "部门: [036]阳泉市规划和自然资源局", "部门:江苏省人大常委会办公厅" (not "单位:万元")
# (the name runs to the next TAB and is stripped by the caller: no lazy repeat before "\s*", which backtracked
# quadratically on a label followed by 200,000 spaces)
_HEADER_NAME = re.compile(
    r"^(?P<label>部门|单位)(?:名称)?\s*:\s*(?:\[(?P<code>\d{2,4})\]\s*)?(?P<name>(?!万?元(?:\s|$))\S[^\t]+)")
_ANY_YEAR = re.compile(r"(20\d\d)\s*年")
_COMPETENT = re.compile(r"主管部门及代码\t+(?P<code>\d{2,4})\s*-\s*(?P<name>[^\t]+)")
_ORG_NAME = re.compile(r"^[^\t\d:：,，。]{2,40}(?:局|委员会|委|办公室|厅|院|中心|站|所|队|部|会)(?:机关)?(?:本级)?$")

COVER_WINDOW = 40  # the cover and title lines are at the top; 002 starts with watermarks and blank lines


@dataclass
class DisclosureMetadata:
    title: str | None
    department: str | None
    org_code: str | None
    unit_name: str | None
    scope: str | None  # "department" | "unit"
    fiscal_year: int | None
    year_source: str | None = None  # "cover" | "text" | "most-frequent" (a guess, worth a notice)


def read_metadata(source: SourceDocument) -> DisclosureMetadata:
    """Title, 部门, 单位, code and fiscal year; each None when the document does not say."""
    top = [line.text.strip() for line in source.lines[:COVER_WINDOW] if line.text.strip()]
    title = year = scope = cover_name = None
    year_source = None
    for index, text in enumerate(top):
        match = _COVER.search(text)
        if not match and index + 1 < len(top):
            # a cover printed over two lines: "江苏省政协办公厅2018年度" / "部门预算公开"
            joined = text + top[index + 1]
            if _COVER.search(joined):
                text, match = joined, _COVER.search(joined)
        if not match:
            continue
        year_source = "cover"
        year, scope = int(match["year"]), match["scope"]
        cover_name = (match["name"] or "").strip() or None
        title = text
        if cover_name is None and index > 0 and _ORG_NAME.match(top[index - 1]):
            cover_name = top[index - 1]  # "泽州县自然资源局" on the line above "2025年度部门预算公开"
            title = f"{cover_name}{text}"
        break
    if year is None:
        for line in source.lines:
            match = _YEAR_ONLY.search(line.text)
            if match:
                year, scope, year_source = int(match["year"]), match["scope"], "text"
                break
    if year is None:
        # no cover statement: the year most table titles and sentences name (e.g. "2019年政府采购预算表")
        years = Counter(int(y) for line in source.lines for y in _ANY_YEAR.findall(line.text))
        if years:
            year, year_source = years.most_common(1)[0][0], "most-frequent"

    header_names: Counter[tuple[str, str]] = Counter()
    header_code: str | None = None
    competent: Counter[tuple[str, str]] = Counter()
    for line in source.lines:
        text = line.text.strip()
        match = _HEADER_NAME.match(text)
        if match:
            header_names[(match["label"], match["name"].strip())] += 1
            header_code = header_code or match["code"]
            continue
        match = _COMPETENT.search(text)
        if match:
            competent[(match["code"], match["name"].strip())] += 1

    department = unit_name = org_code = None
    if competent:
        (org_code, department), _ = competent.most_common(1)[0]
    if header_names:
        (label, name), _ = header_names.most_common(1)[0]
        if label == "单位":
            unit_name = name
        else:
            department = department or name
    org_code = org_code or header_code
    if scope == "单位":
        unit_name = unit_name or cover_name
    else:
        department = department or cover_name
    return DisclosureMetadata(
        title=title,
        department=department,
        org_code=org_code,
        unit_name=unit_name,
        scope={"部门": "department", "单位": "unit"}.get(scope or ""),
        fiscal_year=year,
        year_source=year_source,
    )
