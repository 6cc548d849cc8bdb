"""Load the table knowledge from ``kg/data/table_titles.toml`` and ``kg/data/table_columns.toml`` once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from kg.tables.column_orders import ColumnOrder
from kg.tables.titles import title_pattern

DATA = Path(__file__).resolve().parent.parent / "data"
FINAL_PHASE = "final"  # the [phases] name whose figures a 决算 table reports as its own


_YEAR_SUFFIX = re.compile(r"_(?:19|20)[0-9]{2}$")  # total_2024: a figure of another year than the document's


@dataclass(frozen=True)
class TableKind:
    kind: str
    title: re.Pattern[str]  # full-match pattern on the compacted title line
    two_sided: bool = False  # 收入 | 支出 (| 支出用途 …) side by side (收支总表); the header says how many
    projects: bool = False  # rows are projects (项目支出表)
    carried_over: bool = False  # the 上年结转 variant
    # keep every cell as printed text when some column header is unknown (tables we find but cannot
    # fully interpret); with every header known the table is typed like any other
    cells_as_text: bool = False

    def __deepcopy__(self, memo: dict[int, object]) -> TableKind:
        return self  # immutable: pandas deep-copies a frame's attrs (a title match holds its kind)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by name when it is a kind of the default knowledge (every table a build pickles between its
        phases holds one): unpickling its title pattern compiled it again whenever re's cache had let it go."""
        if knowledge().kind(self.kind) == self:
            return _default_kind, (self.kind,)
        return TableKind, tuple(getattr(self, f.name) for f in fields(self))


def _default_kind(key: str) -> TableKind:
    kind = knowledge().kind(key)
    assert kind is not None
    return kind


@dataclass(frozen=True)
class Balance:
    """Four columns of one row that close: ``closing`` = ``opening`` + ``income`` − ``spending``."""

    closing: str
    opening: str
    income: str
    spending: str


@dataclass(frozen=True)
class TableKnowledge:
    kinds: tuple[TableKind, ...]
    toc: re.Pattern[str]
    title_max_chars: int
    title_piece_words: tuple[str, ...]
    title_qualifiers: tuple[str, ...]
    titles_read_elsewhere: tuple[str, ...]
    final_accounts: re.Pattern[str]
    stop_headings: tuple[re.Pattern[str], ...]
    narrative_min_chars: int
    narrative_punctuation: re.Pattern[str]
    part_heading: re.Pattern[str]
    columns: tuple[tuple[str, re.Pattern[str]], ...]
    text_columns: frozenset[str]
    row_labels: re.Pattern[str]
    furniture: re.Pattern[str]
    running_header: re.Pattern[str]
    owning_unit: re.Pattern[str]
    empty_note: re.Pattern[str]
    breakdown: re.Pattern[str]  # "其中：": the rows after it are parts of the row above
    table_total: re.Pattern[str]  # a 科目编码 table's total row: 合计, 总计, 支出合计…
    unit_name_suffix: re.Pattern[str]
    side_labels: tuple[tuple[str, re.Pattern[str]], ...] = ()  # header label → prefix of a third side
    published_separately: tuple[re.Pattern[str], ...] = ()  # "预算公开表附后": the tables are elsewhere
    column_sums: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (total column, its part columns)
    income_sources: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (source group, its part columns)
    column_orders: tuple[ColumnOrder, ...] = ()  # national templates' printed column orders
    phases: tuple[tuple[str, re.Pattern[str]], ...] = ()  # 预算数 / 决算数 labels under each item of a 决算
    relative_unit_name: re.Pattern[str] | None = None  # 本级, 机关本级: a unit named only under its department
    whole_labels: frozenset[str] = frozenset()  # row labels that are never a piece of a wrapped one (小计, 专项收入)
    balances: tuple[Balance, ...] = ()  # 年初 + 本年收入 − 本年支出 = 年末 (a 决算's 结转和结余)
    number_row_labels: frozenset[str] = frozenset()  # 栏次, 甲, 乙: first cells of the row numbering the columns
    table_number: re.Pattern[str] = re.compile("(?!)")  # a table's number alone ("公开01表", "附表1-2", "表一")
    cover: re.Pattern[str] = re.compile("(?!)")  # the document's heading alone ("2025年部门预算"): no title's piece

    def is_comparator(self, column: str) -> bool:
        """A 预算数 printed beside a 决算数 (``outbound_travel_budget``), last year's figure (``total_2024``,
        ``previous_year``) or the change: not the table's own figure."""
        return (any(column.endswith(f"_{phase}") for phase, _ in self.phases if phase != FINAL_PHASE)
                or column in ("previous_year", "change") or _YEAR_SUFFIX.search(column) is not None)

    def is_table_number(self, text: str) -> bool:
        """A table's number alone ("公开01表", "附表1-2", "表一"); a bare "12" is a TOC entry's page, never one."""
        return "表" in text and self.table_number.fullmatch(text) is not None

    def kind(self, key: str) -> TableKind | None:
        return next((k for k in self.kinds if k.kind == key), None)


@cache
def knowledge(data_dir: Path = DATA) -> TableKnowledge:
    titles = tomllib.loads((data_dir / "table_titles.toml").read_text(encoding="utf-8"))
    columns = tomllib.loads((data_dir / "table_columns.toml").read_text(encoding="utf-8"))
    grammar = titles["title"]
    kinds = tuple(
        TableKind(
            kind=entry["kind"],
            title=title_pattern(grammar, entry["pattern"]),
            two_sided=entry.get("two_sided", False),
            projects=entry.get("projects", False),
            carried_over=entry.get("carried_over", False),
            cells_as_text=entry.get("cells_as_text", False),
        )
        for entry in titles["table"]
    )
    return TableKnowledge(
        kinds=kinds,
        toc=re.compile(grammar["toc"]),
        title_max_chars=grammar["max_chars"],
        title_piece_words=tuple(grammar["piece_words"]),
        title_qualifiers=tuple(grammar.get("qualifiers", ())),
        titles_read_elsewhere=tuple(grammar.get("read_elsewhere", ())),
        final_accounts=re.compile(grammar["final_accounts"]),
        stop_headings=tuple(re.compile(p) for p in titles["stop"]["headings"]),
        narrative_min_chars=titles["stop"]["narrative_min_chars"],
        narrative_punctuation=re.compile(titles["stop"]["narrative_punctuation"]),
        part_heading=re.compile(titles["stop"]["parts"]),
        columns=tuple((name, re.compile(p)) for name, p in columns["columns"].items()),
        text_columns=frozenset(columns["text"]["columns"]),
        row_labels=re.compile(columns["rows"]["labels"]),
        furniture=re.compile(f'{columns["rows"]["furniture"]}|{columns["rows"]["running_header"]}'),
        running_header=re.compile(columns["rows"]["running_header"]),
        owning_unit=re.compile(columns["owning_unit"]["label"]),
        empty_note=re.compile(columns["rows"]["empty_note"]),
        breakdown=re.compile(columns["rows"]["breakdown"]),
        table_total=re.compile(columns["rows"]["table_total"]),
        unit_name_suffix=re.compile(columns["projects"]["unit_name_suffix"]),
        relative_unit_name=re.compile(columns["projects"]["relative_unit_name"]),
        side_labels=tuple((name, re.compile(p)) for name, p in columns.get("sides", {}).items()),
        published_separately=tuple(
            re.compile(p) for p in titles.get("published_separately", {}).get("patterns", [])),
        column_sums=tuple((rule["total"], tuple(rule["parts"])) for rule in columns.get("sums", [])),
        income_sources=tuple((entry["group"], tuple(entry["parts"])) for entry in columns.get("sources", [])),
        column_orders=tuple(
            ColumnOrder(kind=entry["kind"], columns=tuple(entry["columns"]),
                        sums=tuple((total, tuple(parts)) for total, parts in entry["sums"]),
                        usually_blank=tuple(entry.get("usually_blank", ())))
            for entry in columns.get("orders", [])),
        phases=tuple((name, re.compile(p)) for name, p in columns.get("phases", {}).items()),
        whole_labels=frozenset(columns["rows"].get("whole_labels", ())),
        balances=tuple(Balance(**entry) for entry in columns.get("balances", [])),
        number_row_labels=frozenset(columns["rows"].get("number_row_labels", ())),
        # the title grammar's numberings (read where they name a 表: is_table_number)
        table_number=re.compile("(?:" + "|".join(grammar["numbering"]) + ")"),
        cover=re.compile(grammar["cover"]),
    )
