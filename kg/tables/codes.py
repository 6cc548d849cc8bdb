"""科目编码 repair for code tables (收入总表, 支出总表, 一般公共预算支出表, 政府性基金 tables).

What the text extraction does to codes, and what we do about it:

* ``208 050 5`` + ``[2080505]机 关事业单位…``: the bracketed code is the authority; the printed code is
  kept in ``code_as_printed``.
* ``212 080`` ⇥ ``[2120805]补 助被征地农`` then a next line ``5⇥民支出``; ``221`` then a later ``02``:
  a line with no amount, no bracket and a 1-2 digit code fragment continues the row above.
* 003's 支出总表 prints the amounts on the line BEFORE their code row (``⇥⇥26.82⇥26.82⇥`` then
  ``2010101⇥[2010101]行政运行⇥⇥⇥``): an amounts-only line is held for the next code row without amounts.
* a code printed truncated (``2101`` where other tables print ``21011``): recovered across tables by
  name, else from the next row's code, with a ``code-recovered`` notice.
"""

from __future__ import annotations

import re

from kg.records import Notice, Table
from kg.tables.knowledge import knowledge
from kg.tables.layout import compact, join_wrapped
from kg.tables.rows import attach_wrapped_cells

_BRACKET = re.compile(r"^\[([0-9]{3,7})\]\s{0,3}(.*)$", re.S)
# a code and its name in one cell under a "科目" / "功能分类科目" header: "201 一般公共服务支出", "20101人大事务"
_CODE_AND_NAME = re.compile(r"^([0-9]{3}(?:[0-9]{2}){0,2})\s{0,3}([^\s0-9].*)$", re.S)
# a 科目编码 grouped by dots or dashes ("201.01.01", "201-01"): its digits are the code, as "201 01 01"'s are
_SEPARATED_CODE = re.compile(r"^[0-9]{3}(?:[.．\-－·][0-9]{2}){1,2}$")
_CODE_SEPARATORS = str.maketrans("", "", ".．-－·")
_TOTAL = ("合计", "总计")
_PART_LABELS = "类款项"
CODE_LENGTHS = (3, 5, 7)  # 类, 款, 项


CODE_PARTS = ("code_class", "code_section", "code_item")  # 类, 款, 项 printed in columns of their own


def names_carry_codes(records: list[dict[str, object]]) -> bool:
    """Most named rows print a 科目编码 at the start of the name ("201 一般公共服务支出", "20101人大事务")."""
    named = [str(r.get("name") or "").strip() for r in records if str(r.get("name") or "").strip()]
    coded = sum(1 for name in named if _CODE_AND_NAME.match(name))
    return coded >= 2 and coded * 2 >= len(named)


def merge_code_part_names(names: list[str]) -> list[str]:
    """Column names with the 类/款/项 part columns replaced by one ``code`` column (at the 类's place)."""
    out = [n for n in names if n not in CODE_PARTS[1:] and n != "code"]
    return ["code" if n == "code_class" else n for n in out]


def join_code_parts(records: list[dict[str, object]], file: str) -> list[Notice]:
    """``201 | 13 | 01`` → ``2011301``. A 类 printed clipped or wrong (``7`` where the row above is 210 11)
    under the 款 of the row above is that row's 类 (a ``code-recovered`` notice says so)."""
    notices: list[Notice] = []
    above: tuple[str, str] | None = None  # (类, 款) of the last coded row
    for record in records:
        parts = [compact(str(record.pop(part, None) or "")) for part in CODE_PARTS]
        if not any(parts) or not all(p.isdigit() for p in parts if p):
            if record.get("code") is None and any(parts):
                record["code"] = " ".join(p for p in parts if p)
            continue
        klass, section, item = parts
        printed = " ".join(p for p in parts if p)
        if section and len(klass) != 3 and above is not None and above[1] == section:
            notices.append(Notice(file, int(record["line"]), "code-recovered",  # type: ignore[call-overload]
                                  f"类 printed as {klass!r} under 款 {section} of {above[0]}{above[1]}; "
                                  f"read as {above[0]}"))
            klass = above[0]
        record["code"] = klass + section + item
        record["_printed_code"] = printed if klass + section + item != printed.replace(" ", "") else None
        above = (klass, section)
    return notices


def _fill(record: dict[str, object], pending: dict[str, object], columns: list[str]) -> bool:
    """Put the amounts of a line printed apart (above its row) into the row's empty cells; False when a cell
    would be overwritten (then the line is not this row's)."""
    filled = [c for c in columns if pending.get(c) is not None]
    if any(record.get(c) is not None for c in filled):
        return False
    for column in filled:
        record[column] = pending[column]
    record["last_line"] = max(int(record.get("last_line") or record["line"]), int(pending["line"]))  # type: ignore[call-overload]
    record["line"] = min(int(record["line"]), int(pending["line"]))  # type: ignore[call-overload]
    return True


def repair_code_rows(records: list[dict[str, object]], amount_columns: list[str], file: str,
                     wrapped: bool = False) -> tuple[list[dict[str, object]], list[Notice]]:
    """Codes repaired, 合计 rows marked, amounts printed apart moved into their rows; with ``wrapped`` (a
    space-aligned table, where the page broke long names over lines) names re-attached first."""
    notices: list[Notice] = []
    out: list[dict[str, object]] = []
    pending: dict[str, object] | None = None
    total = knowledge().table_total  # 合计, 总计, 支出合计…: the table's total, read as its 合计
    def code_goes_on(record: dict[str, object]) -> bool:  # "12" under "302": the 款 of the row above
        code = compact(str(record.get("code") or ""))
        return code.isdigit() and len(code) < 3 and not any(record.get(c) is not None for c in amount_columns)

    for record in attach_wrapped_cells(records, ["name"] if wrapped else [], amount_columns,
                                       continues_above=code_goes_on):
        raw_code = str(record.get("code") or "")
        raw_name = str(record.get("name") or "")
        if compact(raw_code + raw_name) and not compact(raw_code + raw_name).strip(_PART_LABELS):
            raw_code = raw_name = ""  # the header's 类 款 项 printed on the line of the 合计 amounts
        code_cell = compact(raw_code)
        if _SEPARATED_CODE.match(code_cell):
            code_cell = code_cell.translate(_CODE_SEPARATORS)
        has_amounts = any(record.get(c) is not None for c in amount_columns)

        table_total = bool(total.match(code_cell)) if code_cell else bool(total.match(compact(raw_name)))
        if table_total or (code_cell.endswith(_TOTAL) and not compact(raw_name)):
            # "人员经费合计" printed in the code column keeps its label: a panel's subtotal, not the table's
            record.update(code=None, name="合计" if table_total else code_cell, code_as_printed=None)
            if pending is not None and _fill(record, pending, amount_columns):
                pending = None  # 决算 tables print the 合计 amounts on lines above the 合计 label
            out.append(record)
            continue

        bracket = (_BRACKET.match(raw_name.strip()) or _BRACKET.match(raw_code.strip())
                   or (None if code_cell else _CODE_AND_NAME.match(raw_name.strip())))
        if bracket:
            code: str | None = bracket.group(1)
            name = bracket.group(2) if _BRACKET.match(raw_name.strip()) else (bracket.group(2) or raw_name)
        elif code_cell.isdigit():
            code, name = code_cell, raw_name
        else:
            code, name = None, raw_name

        if (not has_amounts and not bracket and out and out[-1].get("code")
                and (not code_cell or (code_cell.isdigit() and len(code_cell) < 3))):
            previous = out[-1]
            previous["name"] = f"{previous.get('name') or ''}{raw_name}"
            previous["code_as_printed"] = f"{previous.get('code_as_printed') or previous['code']}{code_cell}"
            if not previous.get("_bracketed"):
                previous["code"] = f"{previous['code']}{code_cell}"
            previous["last_line"] = record["line"]
            continue

        if has_amounts and not code and not compact(name):
            # amounts printed on their own line: held for the row they belong to (the next one), and
            # merged with a second such line when the two fill different columns
            if pending is not None and not _fill(pending, record, amount_columns):
                notices.append(_orphan(pending, file))
                out.append(pending)
                pending = record
            elif pending is None:
                pending = record
            continue

        if pending is not None and code and _fill(record, pending, amount_columns):
            pending = None
        elif pending is not None:
            notices.append(_orphan(pending, file))
            out.append(pending)
            pending = None

        record["code"] = code
        record["name"] = name
        record["_bracketed"] = bool(bracket)
        printed_parts = record.pop("_printed_code", None)
        record["code_as_printed"] = printed_parts or (code_cell if code_cell and code_cell != code else None)
        out.append(record)
    if pending is not None:
        notices.append(_orphan(pending, file))
        out.append(pending)
    for record in out:
        record.pop("_bracketed", None)
        if record.get("code_as_printed") == record.get("code"):
            record["code_as_printed"] = None
    return out, notices


def _orphan(record: dict[str, object], file: str) -> Notice:
    return Notice(file, int(record["line"]), "orphan-amounts",  # type: ignore[call-overload]
                  "amounts printed without a 科目编码 or name and no code row to attach them to")


def recover_truncated_codes(tables: list[Table]) -> list[Notice]:
    """Give every code of unexpected length its full code, from sibling tables or the next row."""
    known: dict[str, set[str]] = {}
    for table in tables:
        if "code_as_printed" not in table.frame.columns or "name" not in table.frame.columns:
            continue
        for code, name in zip(table.frame["code"], table.frame["name"], strict=False):
            if isinstance(code, str) and len(code) in CODE_LENGTHS and isinstance(name, str):
                known.setdefault(join_wrapped(name), set()).add(code)

    notices: list[Notice] = []
    for table in tables:
        frame = table.frame
        if "code_as_printed" not in frame.columns or "name" not in frame.columns:  # not a code table we read
            continue
        codes = list(frame["code"])
        for position, code in enumerate(codes):
            if not isinstance(code, str) or len(code) in CODE_LENGTHS:
                continue
            name = frame["name"].iat[position]
            line = int(frame["line"].iat[position])
            by_name = sorted(c for c in known.get(name, ()) if c.startswith(code))
            following = codes[position + 1] if position + 1 < len(codes) else None
            recovered, how = None, ""
            if len(by_name) == 1:
                recovered, how = by_name[0], "the same name in another table"
            elif isinstance(following, str) and following.startswith(code):
                length = next((n for n in CODE_LENGTHS if n > len(code)), None)
                if length and len(following) > length:
                    recovered, how = following[:length], f"the next row's code {following}"
            if recovered:
                frame.iat[position, frame.columns.get_loc("code")] = recovered
                frame.iat[position, frame.columns.get_loc("code_as_printed")] = code
                notices.append(Notice(table.span.file, line, "code-recovered",
                                      f"code printed as {code} for {name!r}; recovered {recovered} from {how}"))
            else:
                notices.append(Notice(table.span.file, line, "bad-code",
                                      f"code {code} for {name!r} is not a 类/款/项 code and cannot be recovered"))
    return notices
