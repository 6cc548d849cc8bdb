"""Line-level layout tests: is a line a table title, a section break, page furniture, a data row?

Everything here looks at one line at a time (no scan of the document per line), so recognising the
tables of a 1,000-document corpus stays linear.
"""

from __future__ import annotations

import re

from kg.records import SourceLine
from kg.tables.amounts import is_amount, is_unit_cell
from kg.tables.knowledge import TableKind, TableKnowledge
from kg.tables.titles import TitleMatch, match_title

# a space left between two CJK characters by a wrapped cell: "机 关事业单位" → "机关事业单位"
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff“”（）()、])\s+(?=[\u3400-\u9fff“”（）()、])")
_COLUMN_NUMBER = re.compile(r"^[0-9]{1,2}$")
_CODE_CELL = re.compile(r"^(?:\[[0-9]{3,7}\]|[0-9]{3}(?:\s?[0-9]{1,4}){0,3}$)")
# "(9) 国有资本经营预算收入预算表" then "无": a table the document declares empty by its section heading
_NUMBERED_HEADING = re.compile(r"^\(\s*[0-9]{1,2}\s*\)\s*(.{2,60})$")


def compact(text: str) -> str:
    """The text without whitespace: str.split's whitespace is the same set as re's ``\\s``, and splitting
    is ≈ 4× faster than ``re.sub(r"\\s+", "", text)`` (every line of a document is compacted several times)."""
    return "".join(text.split())


def join_wrapped(text: str) -> str:
    """Re-join a cell that the PDF wrapped: drop spaces between Chinese characters, trim the rest."""
    return _CJK_GAP.sub("", text.strip())


def cells_of(line: SourceLine) -> list[str]:
    """The line's cells with trailing empty cells removed (they are only padding)."""
    cells = [c.strip() for c in line.text.split("\t")]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def filled(cells: list[str]) -> list[str]:
    return [c for c in cells if c]


def is_single_cell(line: SourceLine) -> bool:
    """No TAB inside the content: a heading, a sentence, a title — never a table row."""
    return "\t" not in line.text.rstrip("\t \u3000")


def is_unit_beside(cells: list[str]) -> bool:
    """The line's last cell states only the unit ("部门收支总表      单位：万元")."""
    return len(cells) > 1 and "位" in cells[-1] and is_unit_cell(compact(cells[-1]))


def title_cells(cells: list[str], kb: TableKnowledge) -> list[str]:
    """A line's filled cells as a title's: without a last cell stating only the unit ("部门收支总表   单位：万元")
    or the table's number ("部门收支总表   公开01表"), and a number printed a cell apart before the title joined
    to it ("表1 | 部门收支总表", TAB-separated). A number with 表 only: a TOC entry's page number stays."""
    if is_unit_beside(cells):
        cells = cells[:-1]
    if len(cells) > 1 and "表" in cells[-1] and kb.is_table_number(compact(cells[-1])):
        cells = cells[:-1]
    if len(cells) == 2 and "表" in cells[0] and kb.is_table_number(compact(cells[0])):
        cells = [cells[0] + cells[1]]
    return cells


def title_of(line: SourceLine, kb: TableKnowledge) -> TitleMatch | None:
    """What a title line announces (kind, year, organisation); None for TOC lines, narrative and the rest."""
    cells = title_cells(filled(cells_of(line)), kb)
    if not cells or (len(cells) > 1 and not positioned_title(line, cells)):
        return None  # a TOC line has its page number in a second cell
    return match_title(compact("".join(cells)), kb)


def positioned_title(line: SourceLine, cells: list[str]) -> bool:
    """A space-aligned title printed with wide gaps ("公开   09   表：收支预算总表"): its cells read as one
    title when none is an amount or a page number (a TOC entry ends with its page)."""
    return (line.columns is not None and not cells[-1].strip().isdigit()
            and not any(_PRINTED_AMOUNT.search(c) for c in cells))


def title_kind(line: SourceLine, kb: TableKnowledge) -> TableKind | None:
    """The table kind a title line announces; None for TOC lines, narrative and everything else."""
    match = title_of(line, kb)
    return match.kind if match else None


def numbered_heading_kind(line: SourceLine, kb: TableKnowledge) -> TableKind | None:
    """A "(9) 国有资本经营预算收入预算表" section heading naming a standard table."""
    if not is_single_cell(line):
        return None
    match = _NUMBERED_HEADING.match(line.text.strip())
    if not match:
        return None
    text = compact(match.group(1))
    text = re.sub(r"\(需要导入\)$", "", text)
    match = match_title(text, kb)
    return match.kind if match else None


def is_stop(line: SourceLine, kb: TableKnowledge) -> bool:
    """A line that ends the current table: a section heading or a narrative sentence — or a heading of the
    document's parts with its title beside it ("第三部分  省检察院2017年度部门预算情况说明", two cells)."""
    if kb.part_heading.match(compact(line.text.split("\t", 1)[0])):
        return True
    if not is_single_cell(line):
        return False
    text = compact(line.text)
    if not text:
        return False
    if any(p.search(text) for p in kb.stop_headings):
        return True
    return len(text) >= kb.narrative_min_chars and bool(kb.narrative_punctuation.search(text))


def is_column_number_row(cells: list[str], labels: frozenset[str] = frozenset()) -> bool:
    """The "1 2 3 4 5 6 7" row under the header; with ``labels`` (栏次, 甲, 乙), also "栏次 | | 1 | 2 | 3" and a
    收支总表's "栏次 | | 1 | 栏次 | | 2"."""
    numbers: list[int] = []
    labelled = False
    for cell in cells:
        for token in cell.split():  # "甲 乙" laid out as one cell
            if _COLUMN_NUMBER.match(token):
                numbers.append(int(token))
            elif labels and (token in labels or all(character in labels for character in token)):
                labelled = True  # "甲乙": single-character labels run together by the export
            else:
                return False  # a word or an amount: a row (the common case, told at its first cell)
    if len(numbers) < (1 if labelled else 3):
        return False
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def looks_like_code(cell: str) -> bool:
    return bool(_CODE_CELL.match(cell.strip()))


_TOTAL_LABELS = ("合计", "总计")
_PRINTED_AMOUNT = re.compile(r"[0-9],[0-9]{3}|[0-9]\.[0-9]")


def is_data_line(cells: list[str], kb: TableKnowledge) -> bool:
    """A row rather than a header line: it has an amount, starts with a code, or with a row label."""
    if any(is_amount(c) for c in cells[1:]):
        return True
    # only a label in the FIRST cell: "⇥合计⇥人员经费" is a header line under a spanning "项目"
    first = cells[0] if cells else ""
    if looks_like_code(first):
        return True
    if not kb.row_labels.match(compact(first)):
        return False
    # "合计⇥基本支出⇥项目支出⇥…" (Jiangsu 支出预算总表) is a header whose first column is the total
    others = [word for cell in cells[1:] for word in cell.split()]  # labels a space apart are two labels
    named = bool(others) and all(any(p.match(compact(c)) for _, p in kb.columns) for c in others)
    if compact(first) in _TOTAL_LABELS and (len(others) >= 2 or named):
        return False  # "合计  因公出国  会议费 …": a header whose first column is the total (no amount beside)
    return len(others) < 2 or not named
