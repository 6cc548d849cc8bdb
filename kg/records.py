"""Plain records shared by the pipeline stages (ingest → tables → entities → citations/places → RDF).

They carry no RDF: later stages turn them into a graph. Amounts are ``Decimal``; every record knows
where in its source file it came from (``Span``) so that the graph can point an auditor to the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Severity = Literal["info", "warning", "error"]


@dataclass(frozen=True, order=True)
class Span:
    """A run of lines of one source file, 1-based and inclusive, numbered as in the original file."""

    file: str
    first_line: int
    last_line: int

    def __str__(self) -> str:
        if self.first_line == self.last_line:
            return f"{self.file}:{self.first_line}"
        return f"{self.file}:{self.first_line}-{self.last_line}"


@dataclass
class Notice:
    """Something a user must hear about: a skipped line, a sum that does not add up, an unreadable file."""

    file: str
    line: int | None
    code: str  # short machine-readable kind, e.g. "sum-mismatch", "code-recovered", "not-a-disclosure"
    message: str
    severity: Severity = "warning"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class SourceLine:
    """One kept line of a disclosure. ``text`` is normalised (cells TAB-separated); ``raw`` is as printed.

    ``columns`` is set when the cells were cut from a space-aligned line (a ``pdftotext -layout`` export, a
    PDF line): the extent of each cell in character columns, so that a table's cells can be lined up by
    position (``kg.tables.grid``). TAB-separated lines carry their columns in the TABs and leave it None.
    """

    number: int
    text: str
    raw: str
    columns: tuple[tuple[float, float], ...] | None = None

    @property
    def cells(self) -> list[str]:
        return self.text.split("\t")


@dataclass
class SourceDocument:
    """A disclosure read from disk and normalised, before any table is recognised."""

    path: str
    name: str
    encoding: str
    sha256: str
    lines: list[SourceLine]
    notices: list[Notice] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)  # a PDF's page starts: line number of each page's first line
    # sha256 of the normalised lines: the same disclosure in other bytes (UTF-16, a GBK copy, CRLF) has the
    # same one, so a build keeps it once (``sha256`` is the file's own checksum)
    content_sha256: str = ""

    def page_of(self, line: int) -> int | None:
        """The 1-based page a line of a PDF was read from (None for text files)."""
        from bisect import bisect_right

        return bisect_right(self.pages, line) or None if self.pages else None

    def span(self, first: int, last: int | None = None) -> Span:
        return Span(self.name, first, first if last is None else last)


@dataclass
class Table:
    """One standard table found by its title, parsed into a typed DataFrame.

    ``frame`` holds amounts as ``Decimal`` in ``unit`` (the unit the table states) and a ``line`` column
    with the source line of each row. ``kind`` is a key of ``kg/data/table_titles.toml``.
    """

    kind: str
    title: str
    unit: str  # as printed: "元", "千元", "万元" or "亿元" (kg/data/units.toml)
    span: Span
    frame: pd.DataFrame
    empty: bool = False  # the document prints 本表无数据
    notices: list[Notice] = field(default_factory=list)


# The sources a 项目支出表 splits a project's money by: the national template's five, then what other templates print
# in their place (财政拨款 as one figure, 其他资金, the parts of 单位资金). A row keeps the finest it prints: a group
# (财政拨款, 单位资金) only where none of its parts is printed (kg/data/table_columns.toml [[sources]]), so the
# fundings of a project never overlap.
FUND_SOURCES: tuple[str, ...] = ("general_budget", "gov_fund", "soe_capital", "special_account", "unit_funds",
                                 "appropriation_income", "other_funds", "higher_subsidy_income", "business_income",
                                 "operating_income", "subordinate_income", "other_income", "business_fund_offset")
FUND_SOURCE_LABELS: dict[str, str] = {
    "general_budget": "一般公共预算",
    "gov_fund": "政府性基金预算",
    "soe_capital": "国有资本经营预算",
    "special_account": "财政专户管理资金",
    "unit_funds": "单位资金",
    "appropriation_income": "财政拨款",
    "other_funds": "其他资金",
    "higher_subsidy_income": "上级补助收入",
    "business_income": "事业收入",
    "operating_income": "事业单位经营收入",
    "subordinate_income": "附属单位上缴收入",
    "other_income": "其他收入",
    "business_fund_offset": "用事业基金弥补收支差额",
}


@dataclass
class ProjectRow:
    """A row of 项目支出表 (本年 or 上年结转). Amounts in 元 (converted exactly from the table's unit)."""

    name: str
    unit_name: str | None  # the 预算单位 whose subtotal row the project falls under
    total: Decimal
    by_source: dict[str, Decimal]  # keys from FUND_SOURCES, only sources the row fills
    carried_over: bool
    printed_unit: str  # the unit the table printed ("元", "千元", "万元", "亿元")
    span: Span
    basis: str = ""  # the 立项依据 the row prints, when the table has such a column


@dataclass
class ExpenditureLine:
    """A row of 支出总表 by 科目编码. Amounts in 元."""

    code: str  # 3, 5 or 7 digits
    name: str
    total: Decimal | None
    basic: Decimal | None
    project: Decimal | None
    printed_unit: str
    span: Span
    code_as_printed: str | None = None  # set when the code had to be recovered


@dataclass(frozen=True)
class ThreePublicFigure:
    """One item of the “三公”经费 table (因公出国(境)费, 公务用车购置及运行费 …). Amount in 元; a blank cell is 0."""

    item: str  # the item's column name: three_public, outbound_travel, official_vehicles, vehicle_purchase,
    # vehicle_operation, official_reception, meetings, training (kg/data/table_columns.toml)
    amount: Decimal
    printed_unit: str
    span: Span


@dataclass
class Indicator:
    """One row of the 绩效指标 block: (一级, 二级, 三级, 指标值) for the 实施期 or 年度 half."""

    period: Literal["实施期", "年度"]
    level1: str
    level2: str
    level3: str
    value: str
    line: int


@dataclass
class PerformanceTable:
    """A 项目支出绩效目标表 (or the 部门整体 table), copies of one project merged into one record."""

    kind: Literal["project", "department_overall"]
    project_name: str
    department: str | None
    department_code: str | None
    implementing_unit: str | None
    attribute: str | None  # 项目属性
    period: str | None  # 项目期
    # 资金 in 元: {"实施期": {"total":…, "central":…, "provincial":…, "local":…, "self_raised":…, "other":…,
    #              "appropriation":…}, "年度": {…}}
    funds: dict[str, dict[str, Decimal]]
    overview: str  # 项目概况
    basis: str  # 立项依据 / 项目依据, wrapped lines joined
    necessity: str  # 项目设立必要性
    measures: str  # 保证项目实施的制度、措施
    plan: str  # 项目实施计划
    goal_period: str  # 总体目标, 实施期 half
    goal_year: str  # 总体目标, 年度 half
    indicators: list[Indicator]
    span: Span
    field_spans: dict[str, Span] = field(default_factory=dict)  # e.g. {"basis": Span(...)}
    copies: list[Span] = field(default_factory=list)  # spans of further printed copies merged in
    matched_project: str | None = None  # name of the ProjectRow it was matched to
    matched_line: int | None = None  # that row's first line: which of two units' same-named rows it is
    title_unit: str | None = None  # a unit the table's title names (…中心2025年项目支出绩效目标表)

    @property
    def unit(self) -> str | None:
        """The unit the table says runs its project: its 实施单位 field, else the unit its title names."""
        return self.implementing_unit or self.title_unit
    match_method: str | None = None  # "exact" | "normalised" | "fuzzy+amount" | "order" | "amount" | None
    match_score: float | None = None
    notices: list[Notice] = field(default_factory=list)
    form: Literal["table", "prose"] = "table"  # a 绩效目标表, or a project statement in prose (项目说明)


@dataclass
class TableClosure:
    """How far one table's own sums close: ``checks`` sums made (parts = total, children = parent, sides
    equal), ``failed`` of them off by more than rounding."""

    kind: str
    title: str
    first_line: int
    rows: int
    checks: int
    failed: int


@dataclass
class TableReconciliation:
    """Two tables that state the same figure, and whether they agree (within the printed rounding)."""

    what: str  # e.g. "支出总表 合计 = 收支总表 支出总计"
    first_line: int  # the table checked
    other_line: int  # the table it is checked against
    agree: bool


@dataclass(frozen=True)
class TextCheck:
    """A figure the document's text states, against the table figure it names (kg.entities.statements)."""

    what: str  # the figure ("收入支出总计") or the 科目 path as stated ("住房保障支出（类）")
    line: int  # the statement's line
    table_line: int  # the row it is compared with
    stated: Decimal  # in 元
    printed: Decimal  # in 元: the row's amount that agrees, or the first one when none does
    agree: bool
    # "figure": a figure against its row; "relation": "决算数小于预算数" against the 决算数 (stated) and the
    # 预算数 (printed) the same sentence gives
    kind: str = "figure"


@dataclass
class Disclosure:
    """Everything extracted from one document."""

    source: SourceDocument
    title: str | None
    department: str | None  # 部门 name, e.g. 泽州县自然资源局
    org_code: str | None  # e.g. "080"
    unit_name: str | None  # for 单位预算: the 预算单位, e.g. 沁水县自然资源局本级
    scope: Literal["department", "unit"] | None  # 部门预算 or 单位预算
    fiscal_year: int | None
    tables: list[Table] = field(default_factory=list)
    projects: list[ProjectRow] = field(default_factory=list)
    expenditure_lines: list[ExpenditureLine] = field(default_factory=list)
    performance: list[PerformanceTable] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    phase: Literal["budget", "final"] = "budget"  # 预算 or 决算 (final accounts: executed, not planned)
    closure: list[TableClosure] = field(default_factory=list)  # each table's own arithmetic, checked
    reconciliations: list[TableReconciliation] = field(default_factory=list)  # tables checked against each other
    text_checks: list[TextCheck] = field(default_factory=list)  # figures the text states, against the tables
    three_public: list[ThreePublicFigure] = field(default_factory=list)  # the “三公”经费 items, when they close

    def tables_of(self, kind: str) -> list[Table]:
        return [t for t in self.tables if t.kind == kind]
