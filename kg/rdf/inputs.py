"""What the builder accepts besides a ``Disclosure``: citations, places and the 收支总表 totals.

kg/citations and kg/places are built separately; they (or the pipeline) hand their results to
``disclosure_graph`` in these shapes. Everything here is optional: a disclosure without them still builds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from kg.records import Span

# A project of one disclosure: its printed name and the first line of its 项目支出表 row (a performance-only
# project: of its 绩效目标表), which tells two units' projects of one name apart
ProjectLine = tuple[str, int]
PlaceLevel = Literal["province", "city", "county", "township"]
IssuerLevel = Literal["national", "provincial", "municipal", "county", "township"]


@dataclass(frozen=True)
class Place:
    """An administrative division. ``code`` is the statistical division code: 6 digits for province,
    city and county (GB/T 2260, e.g. "140525" 泽州县), 9 for a township (e.g. "140525100")."""

    code: str
    name: str  # official name
    level: PlaceLevel
    parent: Place | None = None  # the division it lies in; the chain goes up to the province


@dataclass(frozen=True)
class PlaceMention:
    place: Place
    span: Span  # where the document names it


@dataclass(frozen=True)
class PlaceLinks:
    """Places resolved for one disclosure."""

    region: Place | None = None  # the division the department belongs to (usually its county)
    # towns of each project: by (name, line it is listed on) — ``ProjectLine`` — or by its name alone, which
    # names a project only when no two units of the disclosure print that name
    project_townships: Mapping[str | ProjectLine, Sequence[Place]] = field(default_factory=dict)
    mentioned: Sequence[PlaceMention] = ()  # every township the document names


@dataclass(frozen=True)
class PolicyDocumentRef:
    """A policy document as the citations stage identified it (already normalised)."""

    number: str | None  # normalised 发文字号, e.g. "晋税发〔2021〕55号"
    title: str | None  # normalised title, without 《》
    issuer: str | None = None  # e.g. "山西省自然资源厅", as printed (国家发展改革委)
    issuer_level: IssuerLevel | None = None
    kind: str | None = None  # 公文种类, e.g. "通知"
    cites: tuple[PolicyDocumentRef, ...] = ()  # documents it is said to cite (nested citations)
    kind_en: str | None = None  # the kind's English label, e.g. "notice"
    policy: bool = True  # False for a basis that is not a policy document (合同, 会议, 批示 …)
    printed_numbers: tuple[str, ...] = ()  # every form the number was printed in
    number_completed: bool = False  # number completed from the issuer's 代字, never printed whole
    conflicting_titles: frozenset[str] = frozenset()  # title keys that disagree with the number's title
    issuer_full_name: str | None = None  # the issuer's full name when printed by a short one (国家发展和改革委员会)


@dataclass(frozen=True)
class BasisCitation:
    """One policy document found in a project's 立项依据 cell."""

    project_name: str  # ProjectRow.name of the citing project
    document: PolicyDocumentRef | None  # None for an unresolved citation (a partial one names no document)
    method: Literal["number", "title"] | None  # how the document was recognised
    span: Span  # the lines of the cell
    cell_text: str  # the cell's text as printed
    status: str = ""  # number / title / both / conflicting / unresolved
    cited_text: str = ""  # the citation as printed in the cell
    printed_number: str | None = None  # the number as printed, normalised or not
    number_year: int | None = None
    number_serial: int | None = None
    conflict: str | None = None  # why number and title disagree
    incomplete: bool = False  # cut short by a clipped cell
    project_line: int | None = None  # the citing project's line (``ProjectLine``); None: known by its name only


@dataclass(frozen=True)
class BudgetTotals:
    """收入总计 and 支出总计 of the 收支总表, in 元."""

    revenue_total: Decimal | None
    expenditure_total: Decimal | None
    printed_unit: str
    span: Span
