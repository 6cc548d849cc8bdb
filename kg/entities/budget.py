"""Budget records from parsed tables: 项目支出表 rows and 支出总表 lines, amounts converted to 元.

Also the arithmetic a reader would check by hand (``check_sums``): children codes add up to their
parent, 基本+项目 = 合计, sources add up to the total, projects add up to their unit's subtotal,
收入总计 = 支出总计.  Differences of one cent in the table's unit are rounding in the documents
themselves (severity "info", code "rounding"); larger ones are warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from kg.records import (
    FUND_SOURCES,
    ExpenditureLine,
    Notice,
    ProjectRow,
    Span,
    Table,
    TableClosure,
    TableReconciliation,
)
from kg.tables.amounts import ROUNDING, rounding_in_yuan, to_yuan
from kg.tables.frames import records as frame_records
from kg.tables.knowledge import TableKnowledge, knowledge
from kg.tables.layout import compact

_TOTAL_NAMES = ("合计", "总计")
_SUBTOTAL = "小计"
# what a 合计 of expenditure is made of (Jiangsu adds 单位预留机动经费 and 结转下年资金 to 基本 + 项目; the
# national 部门支出总表 and 支出决算表 add 上缴上级支出, 事业单位经营支出 and 对附属单位补助支出)
_EXPENDITURE_PARTS = ("basic", "project", "reserve", "carried_forward", "remitted_to_higher",
                      "operating_expenditure", "subordinate_subsidy")
_PART_LABELS = {"basic": "基本支出", "personnel": "人员经费", "operating": "公用经费", "project": "项目支出",
                "reserve": "单位预留机动经费",
                "carried_forward": "结转下年资金", "remitted_to_higher": "上缴上级支出",
                "operating_expenditure": "事业单位经营支出", "subordinate_subsidy": "对附属单位补助支出"}
# 收入总计 / 收入合计 rows of a 收支总表, compared with the 支出 side(s) printed on the same row
_INCOME_TOTALS = ("收入总计", "收入合计")
# when the 支出总表 has no 科目编码 rows (Jiangsu), the coded rows of one of these tables stand in for
# it, provided its 合计 is the 支出总表's 合计 (all spending is then 财政拨款 / 一般公共预算)
_CODED_STAND_INS = ("fiscal_appropriation_expenditure", "general_budget_expenditure")


def _amount(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _zero(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(0)


def _project_tables(tables: list[Table]) -> list[Table]:
    kb = knowledge()
    return [t for t in tables if (k := kb.kind(t.kind)) is not None and k.projects]


def _known_unit_names(tables: list[Table]) -> set[str]:
    """Organisation names the document prints: 部门名称/单位名称 lines and the 机关运行经费表 rows."""
    names = {t.frame.attrs.get("organisation") for t in tables} - {None}
    for table in tables:
        if table.kind == "admin_operating" and "name" in table.frame.columns:
            # rows with a 科目编码 are economic classes (Jiangsu: 办公费), not organisations
            codes = table.frame["code"] if "code" in table.frame.columns else [None] * len(table.frame)
            names.update(compact(n) for n, c in zip(table.frame["name"], codes, strict=True)
                         if isinstance(n, str) and not isinstance(c, str))
    return {n for n in names if isinstance(n, str) and n not in _TOTAL_NAMES and n != "部门合计"}


def classify_project_table(table: Table, unit_names: set[str]) -> list[tuple[int, str, str | None]]:
    """For each row: (position, "subtotal" | "project" | "total", the unit it falls under)."""
    kb = knowledge()
    frame = table.frame
    # a table printing no 项目名称 or no 合计 it can name: every row still has one of each (its row then is
    # skipped with a notice naming its line), never a short list that leaves the rows after it unread
    names = [compact(n) if isinstance(n, str) else "" for n in frame["name"]] if "name" in frame else [""] * len(frame)
    totals = [_zero(v) for v in frame["total"]] if "total" in frame else [Decimal(0)] * len(frame)
    candidates = [n in unit_names or bool(kb.unit_name_suffix.search(n)) for n in names]

    def covers(i: int) -> bool:
        """Row i's total equals the following rows up to the next candidate row (or the next row's)."""
        j = i + 1
        if j < len(names) and candidates[j] and totals[j] == totals[i]:
            return True  # a 部门 row followed by its only 单位 row
        running = Decimal(0)
        while j < len(names) and not candidates[j]:
            running += totals[j]
            j += 1
        return j > i + 1 and abs(running - totals[i]) <= ROUNDING

    misread = _projects_named_like_units(names, totals, candidates, unit_names, covers)
    out: list[tuple[int, str, str | None]] = []
    unit: str | None = None
    if "unit_name" in frame.columns:
        # the unit printed in a column of its own (单位名称 | 项目名称), once for the projects under it
        for i, (name, printed) in enumerate(zip(names, frame["unit_name"], strict=True)):
            printed = compact(printed) if isinstance(printed, str) else ""
            if name in _TOTAL_NAMES or (printed in _TOTAL_NAMES and not name):
                out.append((i, "total", unit))
            elif not name and printed:
                unit = printed
                out.append((i, "subtotal", unit))
            else:
                unit = printed or unit
                out.append((i, "project", unit))
        return out
    seen_project = False
    for i, name in enumerate(names):
        if name in _TOTAL_NAMES:
            out.append((i, "total", unit))
        # an organisation-like name above the first project is a subtotal (the 部门 / 单位 rows) even when its
        # projects do not add up to it (check_sums then reports it), unless the table's 合计 counts it as a project
        elif candidates[i] and i not in misread and (name in unit_names or not seen_project or covers(i)):
            unit = name
            out.append((i, "subtotal", unit))
        else:
            seen_project = True
            out.append((i, "project", unit))
    return out


def _projects_named_like_units(names: list[str], totals: list[Decimal], candidates: list[bool],
                               unit_names: set[str], covers: Callable[[int], bool]) -> set[int]:
    """Rows named like an organisation only by their ending (…监测站, …服务中心) that the table's own arithmetic says
    are projects: no rows under them add up to them, and the 合计 is the plain project rows plus these. A row whose
    amount is the 合计 heads the whole table (the 部门 row); a name the document prints as an organisation
    elsewhere stays a unit."""
    grand = next((total for name, total in zip(names, totals, strict=True) if name in _TOTAL_NAMES), None)
    if grand is None:
        return set()
    plain = sum((total for name, total, candidate in zip(names, totals, candidates, strict=True)
                 if not candidate and name and name not in _TOTAL_NAMES), Decimal(0))
    doubtful = {i for i, (name, candidate) in enumerate(zip(names, candidates, strict=True))
                if candidate and name not in unit_names and abs(totals[i] - grand) > ROUNDING and not covers(i)}
    named_like = sum((totals[i] for i in doubtful), Decimal(0))
    if doubtful and abs(plain - grand) > ROUNDING and abs(plain + named_like - grand) <= ROUNDING:
        return doubtful
    return set()


def project_rows(tables: list[Table]) -> tuple[list[ProjectRow], list[Notice]]:
    """Every 项目支出表 row that is a project (not a 部门/单位 subtotal), amounts in 元."""
    notices: list[Notice] = []
    rows: list[ProjectRow] = []
    unit_names = _known_unit_names(tables)
    kb = knowledge()
    for table in _project_tables(tables):
        kind = kb.kind(table.kind)
        rows_of_frame = frame_records(table.frame)
        for position, role, unit in classify_project_table(table, unit_names):
            if role != "project":
                continue
            record = rows_of_frame[position]
            name = record.get("name")
            line = int(record["line"])
            total = _amount(record.get("total"))
            if not isinstance(name, str) or not name or total is None:
                notices.append(Notice(table.span.file, line, "project-skipped",
                                      f"项目支出表 row without a name or a total: {name!r}"))
                continue
            by_source = _finest_sources({s: to_yuan(_amount(record.get(s)), table.unit) for s in FUND_SOURCES
                                         if _amount(record.get(s)) is not None})
            rows.append(ProjectRow(
                name=name, unit_name=unit, total=to_yuan(total, table.unit),  # type: ignore[arg-type]
                by_source=by_source,  # type: ignore[arg-type]
                carried_over=bool(kind and kind.carried_over), printed_unit=table.unit,
                span=Span(table.span.file, line, int(record["last_line"])),
                basis=str(record.get("basis") or "").strip()))
    return rows, notices


def _finest_sources(printed: dict[str, Decimal | None]) -> dict[str, Decimal | None]:
    """A row's sources of funds without a group whose parts it prints (财政拨款 beside 一般公共预算 …): each figure
    once, so a project's fundings add up to its 合计 and none contains another."""
    groups = {group: parts for group, parts in knowledge().income_sources if parts}
    return {source: amount for source, amount in printed.items()
            if not any(part in printed for part in groups.get(source, ()))}


def expenditure_lines(tables: list[Table]) -> tuple[list[ExpenditureLine], list[Notice]]:
    """Every coded row of the 支出总表, amounts in 元.

    A 支出总表 printed without 科目编码 (Jiangsu: one row of totals by use) takes its lines from the
    财政拨款 / 一般公共预算 支出表 by 功能科目 when that table's 合计 is the same amount, with a notice;
    otherwise no line is made up and a notice says why.
    """
    notices: list[Notice] = []
    lines: list[ExpenditureLine] = []
    for table in tables:
        if table.kind != "expenditure_summary":
            continue
        if "code" in table.frame.columns:
            lines.extend(_coded_lines(table, notices))
            continue
        stand_in = _stand_in(table, tables)
        if stand_in is None:
            notices.append(Notice(table.span.file, table.span.first_line, "expenditure-lines-missing",
                                  f"支出总表 {table.title!r} prints no 科目编码 rows and no 功能科目 table "
                                  "has the same 合计; no expenditure lines"))
            continue
        notices.append(Notice(table.span.file, stand_in.span.first_line, "expenditure-lines-from-stand-in",
                              f"支出总表 {table.title!r} prints no 科目编码 rows; lines taken from "
                              f"{stand_in.title!r}, whose 合计 equals the 支出总表 合计", "info"))
        lines.extend(_coded_lines(stand_in, notices))
    return lines, notices


def _total_of(table: Table) -> Decimal | None:
    frame = table.frame
    if "total" not in frame.columns or frame.empty:
        return None
    if "name" in frame.columns:
        totals = frame[frame["name"].isin(_TOTAL_NAMES)]
        if "code" in frame.columns:
            totals = totals[totals["code"].map(lambda c: not isinstance(c, str))]
        return _amount(totals["total"].iat[0]) if len(totals) else None
    return _amount(frame["total"].iat[0]) if len(frame) == 1 else None


def _stand_in(summary: Table, tables: list[Table]) -> Table | None:
    total = _total_of(summary)
    if total is None:
        return None
    for kind in _CODED_STAND_INS:
        for table in tables:
            if (table.kind == kind and "code" in table.frame.columns and table.unit == summary.unit
                    and _total_of(table) == total):
                return table
    return None


def _basic(record: dict[str, object]) -> Decimal | None:
    """The row's 基本支出: printed, or — under a 基本支出 spanning 人员经费 | 公用经费 with no 小计 — their sum."""
    if "basic" in record or ("personnel" not in record and "operating" not in record):
        return _amount(record.get("basic"))
    parts = [amount for c in ("personnel", "operating") if (amount := _amount(record.get(c))) is not None]
    return sum(parts, Decimal(0)) if parts else None


def _coded_lines(table: Table, notices: list[Notice]) -> list[ExpenditureLine]:
    lines: list[ExpenditureLine] = []
    for record in frame_records(table.frame):
        code = record.get("code")
        if not isinstance(code, str):
            name = record.get("name")
            # a 其中 row is a part of the row above (the reader said so: breakdown-row), no line of its own
            if name not in _TOTAL_NAMES and not (isinstance(name, str) and knowledge().breakdown.match(name)):
                notices.append(Notice(table.span.file, int(record["line"]), "line-without-code",
                                      f"{table.title} row without 科目编码: {record.get('name')!r}"))
            continue
        lines.append(ExpenditureLine(
            code=code, name=str(record.get("name") or ""),
            total=to_yuan(_amount(record.get("total")), table.unit),
            basic=to_yuan(_basic(record), table.unit),
            project=to_yuan(_amount(record.get("project")), table.unit),
            printed_unit=table.unit,
            span=Span(table.span.file, int(record["line"]), int(record["last_line"])),
            code_as_printed=record.get("code_as_printed") or None))
    return lines


def _compare(table: Table, line: int, what: str, expected: Decimal, printed: Decimal) -> Notice | None:
    difference = abs(expected - printed)
    if difference == 0:
        return None
    where = f"{table.kind} ({table.title})"
    message = f"{where}: {what}: printed {printed} {table.unit}, parts add up to {expected} {table.unit}"
    if difference <= ROUNDING:
        return Notice(table.span.file, line, "rounding", message, "info")
    return Notice(table.span.file, line, "sum-mismatch", message, "warning")


def check_sums(tables: list[Table]) -> list[Notice]:
    """Children codes sum to parents, sources sum to totals; each disagreement a notice naming its line."""
    return check_closure(tables)[0]


def check_closure(tables: list[Table]) -> tuple[list[Notice], list[TableClosure]]:
    """``check_sums``'s notices, and per table how many of the document's own sums were checked and how
    many disagree: the document's arithmetic tells whether it was read right."""
    notices: list[Notice | None] = []
    closures: list[TableClosure] = []
    kb = knowledge()
    unit_names = _known_unit_names(tables)
    for table in tables:
        frame = table.frame
        if table.empty or frame.empty or (k := kb.kind(table.kind)) is None or k.cells_as_text:
            continue
        before = len(notices)
        text_columns = kb.text_columns | set(frame.attrs.get("text_columns", ()))
        amount_columns = [c for c in frame.columns if c not in text_columns
                          and c not in ("line", "last_line", "code_as_printed")]
        records = frame_records(frame)
        columns = set(frame.columns)  # read once: a pandas Index is slow to iterate per row
        if "code" in columns:
            notices.extend(_check_hierarchy(table, records, amount_columns))
        parts = [c for c in _EXPENDITURE_PARTS if c in columns]
        if "basic" not in columns and {"personnel", "operating"} <= columns:
            parts = ["personnel", "operating", *parts]  # 基本支出 spanning 人员经费 | 公用经费, no 小计 of its own
        parts_label = " + ".join(_PART_LABELS[c] for c in parts) + " = 合计"
        splits = "total" in columns and "project" in columns and ("basic" in parts or "personnel" in parts)
        sums = [(sum_column, part_columns, f"{' + '.join(part_columns)} = {sum_column}")
                for sum_column, part_columns in kb.column_sums if {sum_column, *part_columns} <= columns]
        balances = [b for b in kb.balances if {b.closing, b.opening, b.income, b.spending} <= columns]
        sources, groups = _income_sources(list(frame.columns), kb)
        # a 财政拨款收支总表's 支出 side prints its 合计 by the budgets it is paid from (一般公共预算 | 政府性基金 |
        # 国有资本经营): the 收入 side's columns are named income_*, so the sources are the 支出 side's
        total_column = "expenditure_total" if k.two_sided else "total"
        if "year_income" in columns and not k.two_sided and not balances:
            # 合计 | 本年收入 (小计 | the sources …) | 上年结转: the sources add up to the 本年收入 小计, and 本年收入 +
            # 上年结转 = 合计 is a [[sums]] rule of its own
            total_column, sources = "year_income", [c for c in sources if c != "carried_over"]
        elif ("carried_over" in columns and "carried_over" not in sources and sources and total_column in columns
              and any("本年收入" in compact(line) for line in frame.attrs.get("header", ()))):
            sources = _with_carried_over_if_it_closes(records, sources, total_column)
        by_source = total_column in columns and len(sources) > 1
        if "total" not in columns or k.two_sided:
            groups = []  # a source's parts are checked in a table of sources, not across a 收支总表's sides
        sides = k.two_sided and "income_amount" in columns and "expenditure_total" in columns
        for record in records:
            line = int(record["line"])
            if splits and _amount(record["total"]) is not None:
                notices.append(_compare(table, line, parts_label,
                                        sum((_zero(record[c]) for c in parts), Decimal(0)), record["total"]))
            for sum_column, part_columns, what in sums:  # (not total_column: the sources' total is read below)
                if _amount(record[sum_column]) is not None:
                    notices.append(_compare(table, line, what,
                                            sum((_zero(record[c]) for c in part_columns), Decimal(0)),
                                            record[sum_column]))
            if by_source and any(_amount(record[s]) is not None for s in sources):
                notices.append(_compare(table, line, "sources = 合计",
                                        sum((_zero(record[s]) for s in sources), Decimal(0)),
                                        _zero(record[total_column])))
            for balance in balances:
                if _amount(record[balance.closing]) is not None:
                    year = _zero(record[balance.income]) - _zero(record[balance.spending])
                    notices.append(_compare(
                        table, line, f"{balance.opening} + {balance.income} − {balance.spending} = {balance.closing}",
                        _zero(record[balance.opening]) + year, record[balance.closing]))
            for group, group_parts in groups:
                if _amount(record[group]) is not None or any(_amount(record[p]) is not None for p in group_parts):
                    notices.append(_compare(table, line, f"{' + '.join(group_parts)} = {group}",
                                            sum((_zero(record[p]) for p in group_parts), Decimal(0)),
                                            _zero(record[group])))
            if sides:
                item = compact(str(record.get("income_item") or ""))
                if item in _INCOME_TOTALS and _amount(record["income_amount"]) is not None:
                    notices.extend(_compare_sides(table, line, item, record))
        if k.projects:
            notices.extend(_check_projects(table, unit_names))
            notices.extend(_check_project_total(table, records, amount_columns, unit_names))
        if {"name", "name_detail", "total"} <= columns:
            notices.extend(_check_subtotal_groups(table, records))
        made = notices[before:]
        closures.append(TableClosure(
            kind=table.kind, title=table.title, first_line=table.span.first_line, rows=len(frame),
            checks=len(made), failed=sum(1 for n in made if n is not None and n.code == "sum-mismatch")))
    return [n for n in notices if n is not None], closures


def _income_sources(columns: list[str], kb: TableKnowledge) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The columns whose sum is the 合计 of income (each source group by its own column where printed, else by
    its parts; 上年结转 when printed before them), and the groups printed beside their parts (``[[sources]]`` in
    kg/data/table_columns.toml)."""
    sources: list[str] = []
    groups: list[tuple[str, list[str]]] = []
    for group, parts in kb.income_sources:
        printed = [p for p in parts if p in columns]
        if group in columns:
            sources.append(group)
            if printed:
                groups.append((group, printed))
        else:
            sources.extend(printed)
    if "carried_over" in columns and sources and columns.index("carried_over") < min(map(columns.index, sources)):
        sources.append("carried_over")
    return sources, groups


def _with_carried_over_if_it_closes(records: list[dict], sources: list[str], total_column: str) -> list[str]:
    """The sources of a 合计 when 上年结转 is printed after them and the header spans 本年收入 over some columns: over
    the 合计 and the sources (Shanxi: 本年收入 合计 … | 上年结转, the 合计 without it) or over the sources alone (合计 |
    本年收入 … | 上年结转, one total). The table's own rows say which — with 上年结转 when that closes more of them. (A
    header printing no 本年收入 is read as Shanxi's.)"""
    def closing(columns: list[str]) -> int:
        return sum(1 for r in records if _amount(r.get(total_column)) is not None and abs(
            sum((_zero(r.get(c)) for c in columns), Decimal(0)) - _zero(r.get(total_column))) <= ROUNDING)

    with_it = [*sources, "carried_over"]
    return with_it if closing(with_it) > closing(sources) else sources


def _compare_sides(table: Table, line: int, item: str, record: dict) -> list[Notice | None]:
    """收入总计 = 支出总计 on every 支出 side that prints the total on this row (Jiangsu prints it only
    under 支出用途); with none printed, the 支出 side's empty cell counts as 0."""
    sides = [c for c in record if c == "expenditure_total" or (c.endswith("_amount") and c != "income_amount")]
    printed = [c for c in sides if _amount(record[c]) is not None] or ["expenditure_total"]
    return [_compare(table, line, f"{item} = 支出总计 ({column})", _zero(record[column]), record["income_amount"])
            for column in printed]


def _check_hierarchy(table: Table, records: list[dict], columns: list[str]) -> list[Notice | None]:
    """类 (3) ← 款 (5) ← 项 (7), and the 合计 row ← the 类 rows."""
    out: list[Notice | None] = []
    by_code = {r["code"]: r for r in records if isinstance(r.get("code"), str)}
    for parent_length, child_length in ((3, 5), (5, 7)):
        by_parent: dict[str, list[dict]] = {}  # children in the order of the rows, under their parent's code
        for c, r in by_code.items():
            if len(c) == child_length:
                by_parent.setdefault(c[:parent_length], []).append(r)
        for code, parent in by_code.items():
            if len(code) != parent_length:
                continue
            children = by_parent.get(code, [])
            if not children:
                continue
            for column in columns:
                if _amount(parent.get(column)) is None and all(_amount(r.get(column)) is None for r in children):
                    continue
                expected = sum((_zero(r.get(column)) for r in children), Decimal(0))
                what = f"{code} {column} = sum of its {child_length}-digit codes"
                out.append(_compare(table, int(parent["line"]), what, expected, _zero(parent.get(column))))
    total_row = next((r for r in records if r.get("name") in _TOTAL_NAMES and not r.get("code")), None)
    top = [r for c, r in by_code.items() if len(c) == 3]
    if total_row is not None and top:
        for column in columns:
            expected = sum((_zero(r.get(column)) for r in top), Decimal(0))
            out.append(_compare(table, int(total_row["line"]), f"合计 {column} = sum of 类 rows",
                                expected, _zero(total_row.get(column))))
    return out


def _check_subtotal_groups(table: Table, records: list[dict]) -> list[Notice | None]:
    """A label over its detail rows, each group opening with its 小计 (the Jiangsu 收入预算总表: 一般公共预算资金 |
    小计, | 公共财政拨款(补助)资金, | 专项收入): each 小计 is its group's other rows (a 其中 row is a part of the row
    above, not one more), and the 总计 / 合计 row above the groups is their 小计s."""
    breakdown = knowledge().breakdown
    groups: list[tuple[dict, list[dict]]] = []
    grand: dict | None = None
    for record in records:
        detail, label = compact(str(record.get("name_detail") or "")), compact(str(record.get("name") or ""))
        if detail == _SUBTOTAL:
            groups.append((record, []))
        elif not detail and label.endswith(_TOTAL_NAMES) and not groups:
            grand = record
        elif groups and detail and label == compact(str(groups[-1][0].get("name") or "")) \
                and not breakdown.match(detail):
            groups[-1][1].append(record)
    out: list[Notice | None] = []
    for subtotal, parts in groups:
        if _amount(subtotal.get("total")) is None and all(_amount(p.get("total")) is None for p in parts):
            continue
        out.append(_compare(table, int(subtotal["line"]), f"{subtotal.get('name')} 小计 = its rows",
                            sum((_zero(p.get("total")) for p in parts), Decimal(0)), _zero(subtotal.get("total"))))
    if grand is not None and groups and _amount(grand.get("total")) is not None:
        out.append(_compare(table, int(grand["line"]), f"{grand.get('name')} = the 小计s",
                            sum((_zero(g.get("total")) for g, _ in groups), Decimal(0)), _zero(grand.get("total"))))
    return out


def _check_projects(table: Table, unit_names: set[str]) -> list[Notice | None]:
    """Each 单位 subtotal equals the projects listed under it."""
    out: list[Notice | None] = []
    frame = table.frame
    if "total" not in frame.columns:
        return out  # no 合计 column was recognised (a damaged header): nothing to add up against
    roles = classify_project_table(table, unit_names)
    totals = frame["total"].tolist()
    lines = frame["line"].tolist()
    for index, (position, role, unit) in enumerate(roles):
        if role != "subtotal":
            continue
        following = roles[index + 1:]
        if following and following[0][1] == "subtotal":
            continue  # a 部门 row directly above its 单位 row
        end = next((i for i, (_, r, _) in enumerate(following) if r == "subtotal"), len(following))
        projects = [p for p, r, _ in following[:end] if r == "project"]
        expected = sum((_zero(totals[p]) for p in projects), Decimal(0))
        out.append(_compare(table, int(lines[position]), f"projects of {unit} = subtotal",
                            expected, _zero(totals[position])))
    return out


def _check_project_total(table: Table, records: list[dict], columns: list[str],
                         unit_names: set[str]) -> list[Notice | None]:
    """The table's 合计 row equals its projects, in each amount column it prints (合计 and each source of funds): the
    rows read as projects are all the projects, and each figure stands in the column its header names."""
    roles = classify_project_table(table, unit_names)
    grand = next((records[p] for p, role, _ in roles if role == "total"), None)
    projects = [records[p] for p, role, _ in roles if role == "project"]
    if grand is None or not projects:
        return []
    out: list[Notice | None] = []
    for column in columns:
        if _amount(grand.get(column)) is None and all(_amount(r.get(column)) is None for r in projects):
            continue
        out.append(_compare(table, int(grand["line"]), f"{grand.get('name')} {column} = its projects",
                            sum((_zero(r.get(column)) for r in projects), Decimal(0)), _zero(grand.get(column))))
    return out


# 收支总表 rows that state a side's total, the ones a 收入总表 / 支出总表 合计 may equal (本年 or with 结转)
_SUMMARY_INCOME = ("收入总计", "收入合计", "本年收入合计")
_SUMMARY_EXPENDITURE = ("支出总计", "支出合计", "本年支出合计")


def _grand_total(table: Table) -> Decimal | None:
    """The table's 合计 in 元: its 合计/总计 row, or the one row of a table printed as a single line of totals."""
    frame = table.frame
    if table.empty or frame.empty or "total" not in frame.columns:
        return None
    records = frame_records(frame)
    named = [r for r in records if compact(str(r.get("name") or "")) in _TOTAL_NAMES and not r.get("code")]
    single = len(records) == 1 and not records[0].get("code") and not compact(str(records[0].get("name") or ""))
    if not named and single:
        named = records
    value = _amount(named[0].get("total")) if named else None
    return to_yuan(value, table.unit) if value is not None else None


def _summary_totals(table: Table, items: tuple[str, ...], sides: tuple[tuple[str, str], ...]) -> list[Decimal]:
    """The 收支总表's totals of one side, in 元, for the rows labelled with ``items``."""
    out: list[Decimal] = []
    for record in frame_records(table.frame):
        for item_column, amount_column in sides:
            if compact(str(record.get(item_column) or "")) in items and _amount(record.get(amount_column)) is not None:
                out.append(to_yuan(record[amount_column], table.unit))
    return out


def reconcile_tables(tables: list[Table]) -> tuple[list[Notice], list[TableReconciliation]]:
    """Tables that state the same figure agree: the 收入总表 and 支出总表 合计 against the 收支总表's sides."""
    summary = next((t for t in tables if t.kind == "income_expenditure_summary" and not t.empty), None)
    if summary is None:
        return [], []
    notices: list[Notice] = []
    done: list[TableReconciliation] = []
    pairs = (("income_summary", "收入总表 合计 = 收支总表 收入总计", _SUMMARY_INCOME,
              (("income_item", "income_amount"),)),
             ("expenditure_summary", "支出总表 合计 = 收支总表 支出总计", _SUMMARY_EXPENDITURE,
              (("expenditure_item", "expenditure_total"), ("use_item", "use_amount"))))
    for kind, what, items, sides in pairs:
        table = next((t for t in tables if t.kind == kind), None)
        total = _grand_total(table) if table is not None else None
        stated = _summary_totals(summary, items, sides)
        if table is None or total is None or not stated:
            continue
        tolerance = rounding_in_yuan(table.unit, summary.unit)  # the coarser table's last digit
        agree = any(abs(total - value) <= tolerance for value in stated)
        done.append(TableReconciliation(what, table.span.first_line, summary.span.first_line, agree))
        if not agree:
            notices.append(Notice(table.span.file, table.span.first_line, "tables-disagree",
                                  f"{what}: {table.title!r} gives {total} 元, {summary.title!r} (line "
                                  f"{summary.span.first_line}) gives {' / '.join(map(str, stated))} 元", "warning"))
    return notices, done
