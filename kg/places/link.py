"""Link one disclosure's text and projects to the places of its region."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.places.find import PlaceMention, find_places, lines_naming_places
from kg.places.gazetteer import Gazetteer
from kg.places.region import Region
from kg.records import Disclosure, Notice, PerformanceTable

# PerformanceTable fields that describe where a project works, in the order they are read: every cell of the
# project's own table (项目概况, 立项依据, 必要性, 措施, 实施计划, 总体目标), then its 绩效指标 rows
PROJECT_FIELDS = ("overview", "basis", "necessity", "measures", "plan", "goal_period", "goal_year")


@dataclass
class ProjectPlaceLink:
    project: str  # ProjectRow.name
    code: str | None
    name: str  # official name
    level: str
    evidence: list[PlaceMention] = field(default_factory=list)
    line: int | None = None  # the project's line: its row's first (a performance-only project: its table's)

    @property
    def corrected(self) -> bool:
        return all(mention.corrected for mention in self.evidence)


@dataclass
class PlaceLinks:
    region: Region
    mentions: list[PlaceMention]  # every place the document's lines name (field "text")
    project_links: list[ProjectPlaceLink]
    notices: list[Notice] = field(default_factory=list)

    def places(self, level: str = "township") -> dict[str, str]:
        """code (or printed name when unlisted) → official name, for places of ``level`` the document names."""
        return {m.code or m.name: m.name for m in self.mentions if m.level == level}

    def projects_at(self, code: str) -> list[str]:
        return [link.project for link in self.project_links if link.code == code]


def _notice_for(mention: PlaceMention, file: str) -> Notice | None:
    if mention.corrected:
        return Notice(file, mention.line, "place-corrected",
                      f"read {mention.text} as {mention.name} ({mention.code}): one character differs",
                      "info")
    if mention.how == "unlisted":
        return Notice(file, mention.line, "place-unlisted",
                      f"{mention.text} is in no division list: kept as a former township without a code")
    return None


def _table_mentions(table: PerformanceTable, region: Region, gazetteer: Gazetteer | None) -> list[PlaceMention]:
    out: list[PlaceMention] = []
    for name in PROJECT_FIELDS:
        text = getattr(table, name) or ""
        span = table.field_spans.get(name)
        line = span.first_line if span is not None else table.span.first_line
        out += find_places(text, region, name, line, gazetteer=gazetteer)
    for indicator in table.indicators:  # 乡镇级规划乡镇数 … or a 三级指标 naming the town it measures
        out += find_places(f"{indicator.level3} {indicator.value}", region, "indicators", indicator.line,
                           gazetteer=gazetteer)
    return out


def link_disclosure(disclosure: Disclosure, region: Region, *, gazetteer: Gazetteer | None = None) -> PlaceLinks:
    """Places the document names (with field and line) and (project, place) links.

    A project is linked to a place its name names, and to the places any cell of its matched performance table
    names (项目概况, 立项依据, 必要性, 措施, 实施计划, 总体目标, 绩效指标).
    """
    source = disclosure.source
    lines = source.lines
    mentions = [mention for index in lines_naming_places([line.text for line in lines], region, gazetteer=gazetteer)
                for mention in find_places(lines[index].text, region, "text", lines[index].number,
                                           gazetteer=gazetteer)]
    notices = [notice for mention in mentions if (notice := _notice_for(mention, source.name)) is not None]

    # by (name, line): two units' projects of one name each keep the places of their own row and table
    evidence: dict[tuple[str, int], list[PlaceMention]] = {}
    for project in disclosure.projects:
        evidence.setdefault((project.name, project.span.first_line), []).extend(
            find_places(project.name, region, "project_name", project.span.first_line, gazetteer=gazetteer))
    known_projects = {(project.name, project.span.first_line) for project in disclosure.projects}
    for table in disclosure.performance:
        if table.kind != "project":
            continue
        line = table.matched_line
        if table.matched_project and line is None:  # matched by name only: the row of that name, if one
            lines = [p.span.first_line for p in disclosure.projects if p.name == table.matched_project]
            line = lines[0] if len(lines) == 1 else None
        if table.matched_project and (table.matched_project, line) not in known_projects:
            notices.append(Notice(source.name, table.span.first_line, "place-link-unmatched",
                                  f"performance table matched to unknown project {table.matched_project!r}"))
            continue
        if table.matched_project and line is not None:
            project = (table.matched_project, line)
        else:  # a table in no 项目支出表 is a project of its own (the graph keeps it, without amount)
            project = (table.project_name, table.span.first_line)
            evidence.setdefault(project, []).extend(
                find_places(table.project_name, region, "project_name", table.span.first_line, gazetteer=gazetteer))
        evidence.setdefault(project, []).extend(_table_mentions(table, region, gazetteer))

    links: list[ProjectPlaceLink] = []
    for (project, line), found in evidence.items():
        by_place: dict[str, ProjectPlaceLink] = {}
        for mention in found:
            key = mention.code or mention.name
            link = by_place.setdefault(key, ProjectPlaceLink(project, mention.code, mention.name, mention.level,
                                                             line=line))
            link.evidence.append(mention)
        links.extend(by_place.values())
    return PlaceLinks(region=region, mentions=mentions, project_links=links, notices=notices)
