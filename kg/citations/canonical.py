"""Rewrite the ways a 发文字号 is printed into the one the reader knows, before a cell is read.

A cell prints numbers the reader's patterns do not take as they stand:

- the year in Chinese numerals: ``晋政发〔二〇一九〕12号`` (one character for one: ``〔2019〕``);
- the 代字 letter-spaced by a PDF's text layer: ``晋 政 发〔2019〕 12 号``;
- no brackets around the year: ``晋政发2019 12号``, ``晋政发2019年12号`` — only after a 代字 the data knows
  (issuers.csv, region_codes.csv), so that no date or amount becomes a number;
- several numbers sharing their 代字 and year: ``晋政发〔2019〕12号、13号``, ``晋政发〔2019〕12、13号`` — each
  number is written whole (``晋政发〔2019〕13号``).

The rewritten text keeps, for each of its characters, the offset in the cell it stands for (characters written in
map to the printed character they complete), so that a citation's text and printed number stay what the cell prints:
the second number of ``12号、13号`` prints ``13号``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from kg.citations.models import RegionContext
from kg.citations.regexes import DOC_NUMBER, YEAR_CLOSE, YEAR_OPEN
from kg.citations.resolve import is_organ_name, issuer_from_code, trim_agency

_CJK = "\u4e00-\u9fff"
_OPEN = "[" + re.escape(YEAR_OPEN) + "]"
_CLOSE = "[" + re.escape(YEAR_CLOSE) + "]"
_CHINESE_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
# 二〇一九 (or 一九九八) inside a year's brackets, or before 年第 (a 公告's or 令's year): four characters for four.
_CHINESE_YEAR = re.compile(
    rf"(?:(?<={_OPEN})|(?<={_OPEN}[ \t]))(?:一九|二[〇○零])[〇○零一二三四五六七八九]{{2}}"
    rf"(?=[ \t]{{0,2}}年?[ \t]{{0,2}}{_CLOSE})"
    r"|(?:一九|二[〇○零])[〇○零一二三四五六七八九]{2}(?=[ \t]{0,2}年[ \t]{0,2}第)"
)
_CHINESE_YEAR_CHARS = re.compile("[〇○零]")  # a class scans in C: most cells have none
# A 代字 letter-spaced before a year's bracket: 晋 政 发〔2019〕 (the characters are joined, the spaces dropped).
_LETTER_SPACED = re.compile(rf"(?<![{_CJK}])(?:[{_CJK}][ \t]{{1,2}}){{1,15}}[{_CJK}](?=[ \t]{{0,2}}{_OPEN}"
                            r"[ \t]{0,2}(?:19|20)\d{2})")
# What follows a 号 that numbers a thing, not a document: 2号楼, 5号线, 1号井, 7号令 (an order of its own).
_NOT_A_SERIAL = "[楼院线路街巷弄村组室门机车井房幢栋层期令地]"
# A 代字, then the year without brackets, then the serial: 晋政发2019 12号, 晋政发2019年第12号.
_BARE_YEAR = re.compile(rf"(?P<agency>[{_CJK}]{{1,16}}+)[ \t]{{0,2}}(?P<year>(?:19|20)\d{{2}})"
                        r"(?P<gap>[ \t]{1,2}|[ \t]{0,2}年[ \t]{0,2})(?=第?[ \t]{0,2}\d{1,6}[ \t]{0,2}号"
                        r"(?!" + _NOT_A_SERIAL + "))")
# What a 公告's or 令's organ ends with before its year (国家税务总局公告2018年第31号): never a 代字.
# …nor does a place's name (沁水县2023年1号井 is no number)
_NOT_CODE_ENDINGS = ("公告", "令", "省", "市", "县", "区", "旗", "州", "镇", "乡")
# The next serial of a list sharing a number's 代字 and year: 、13号, 和第13号, a wrapped line between.
_NEXT_SERIAL = re.compile(r"[ \t]{0,2}[、，,；;和及与\n][ \t\n]{0,2}(?P<item>第?[ \t]{0,2}\d{1,6})[ \t]{0,2}号"
                          r"(?!" + _NOT_A_SERIAL + ")")
# 〔2019〕12、13号: serials sharing one 号.
_SHARED_MARK = re.compile(rf"{_OPEN}[ \t]{{0,2}}(?P<year>(?:19|20)\d{{2}})年?[ \t]{{0,2}}{_CLOSE}"
                          r"[ \t]{0,2}第?[ \t]{0,2}(?P<serial>\d{1,6})"
                          r"(?=[ \t]{0,2}[、，,和及与][ \t]{0,2}第?[ \t]{0,2}\d)")
_SHARED_NEXT = re.compile(r"[ \t]{0,2}[、，,和及与][ \t]{0,2}第?[ \t]{0,2}(?P<serial>\d{1,6})")
_SHARED_END = re.compile(r"[ \t]{0,2}号")
_DIGIT = re.compile(r"\d")
_MAX_LIST = 30  # numbers in one list: a bound, so that a hostile cell cannot make the rewrite grow without end


# An edit: replace text[start:end] by ``new``, whose characters stand for these offsets of the text.
Edit = tuple[int, int, str, Sequence[int]]


def _apply(text: str, positions: list[int], edits: list[Edit]) -> tuple[str, list[int]]:
    if not edits:
        return text, positions
    parts: list[str] = []
    mapped: list[int] = []
    cursor = 0
    for start, end, new, where in sorted(edits, key=lambda edit: (edit[0], edit[1])):
        if start < cursor:
            continue  # overlapping edits: the first one wins
        parts.append(text[cursor:start])
        mapped.extend(positions[cursor:start])
        parts.append(new)
        mapped.extend(positions[at] for at in where)
        cursor = end
    parts.append(text[cursor:])
    mapped.extend(positions[cursor:])
    return "".join(parts), mapped


def _chinese_years(text: str) -> str:
    """二〇一九 → 2019 inside a year's brackets or before 年第: one character for one, the offsets unchanged."""
    if not _CHINESE_YEAR_CHARS.search(text):
        return text
    return _CHINESE_YEAR.sub(lambda match: match.group(0).translate(_CHINESE_DIGITS), text)


def _letter_spaced(text: str) -> list[Edit]:
    edits: list[Edit] = []
    for match in _LETTER_SPACED.finditer(text):
        kept = [at for at in range(match.start(), match.end()) if text[at] not in " \t"]
        edits.append((match.start(), match.end(), "".join(text[at] for at in kept), kept))
    return edits


def is_known_code(agency: str, region: RegionContext | None) -> bool:
    """True when ``agency`` is a 代字 the data knows (an organ's, or a region's abbreviation and an organ's suffix)."""
    return bool(agency) and not is_organ_name(agency) and issuer_from_code(agency, region).level is not None


def _bare_years(text: str, region: RegionContext | None) -> list[Edit]:
    """晋政发2019 12号 → 晋政发〔2019〕12号: brackets written around a year printed without them after a known 代字."""
    edits: list[Edit] = []
    for match in _BARE_YEAR.finditer(text):
        run = match["agency"]
        if run.endswith(_NOT_CODE_ENDINGS):
            continue
        agency = trim_agency(run)
        if not run.endswith(agency) or not is_known_code(agency, region):
            continue
        year_at, gap_at = match.start("year"), match.start("gap")
        closing_at = gap_at + match["gap"].find("年") if "年" in match["gap"] else gap_at
        edits.append((year_at, match.end("gap"), "〔" + match["year"] + "〕",
                      [year_at, *range(year_at, year_at + 4), closing_at]))
    return edits


def _prefix(match: re.Match[str]) -> str:
    """The 代字 and year a list's later serials share: 晋政发〔2019〕 (〔2019〕 for a number without 代字)."""
    return trim_agency(match["agency"] or "") + "〔" + match["year"] + "〕"


def _shared_numbers(text: str) -> list[Edit]:
    """晋政发〔2019〕12号、13号 → …、晋政发〔2019〕13号: each later serial of the list written as a whole number."""
    edits: list[Edit] = []
    for match in DOC_NUMBER.finditer(text):
        prefix, cursor = "", match.end()
        for _ in range(_MAX_LIST):
            following = _NEXT_SERIAL.match(text, cursor)
            if following is None:
                break
            prefix = prefix or _prefix(match)  # most numbers start no list: the 代字 is trimmed only for one
            item_at = following.start("item")
            edits.append((item_at, item_at, prefix, [item_at] * len(prefix)))
            cursor = following.end()
    return edits


def _shared_marks(text: str) -> list[Edit]:
    """晋政发〔2019〕12、13号 → 晋政发〔2019〕12号、晋政发〔2019〕13号: serials that share one 号."""
    edits: list[Edit] = []
    for match in _SHARED_MARK.finditer(text):
        serials = [match.span("serial")]
        cursor = match.end()
        for _ in range(_MAX_LIST):
            following = _SHARED_NEXT.match(text, cursor)
            if following is None:
                break
            serials.append(following.span("serial"))
            cursor = following.end()
        end = _SHARED_END.match(text, cursor)
        if end is None or len(serials) < 2:
            continue  # 〔2019〕12、… never closed by 号: not a list of numbers
        agency_run = re.search(rf"[{_CJK}A-Za-z]{{1,16}}$", text[: match.start()])
        prefix = (trim_agency(agency_run.group(0)) if agency_run else "") + "〔" + match["year"] + "〕"
        for index, (start, end_at) in enumerate(serials):
            if index > 0:  # the prefix before each later serial
                edits.append((start, start, prefix, [start] * len(prefix)))
            if index < len(serials) - 1:  # and the shared 号 after each earlier one
                edits.append((end_at, end_at, "号", [end_at - 1]))
    return edits


def canonical_numbers(text: str, positions: list[int], region: RegionContext | None = None) -> tuple[str, list[int]]:
    """The cell's text with its numbers written the one way the reader knows, and each character's offset."""
    text = _chinese_years(text)
    if " " in text or "\t" in text:
        text, positions = _apply(text, positions, _letter_spaced(text))
    if _DIGIT.search(text):
        text, positions = _apply(text, positions, _bare_years(text, region))
        text, positions = _apply(text, positions, _shared_marks(text))
        text, positions = _apply(text, positions, _shared_numbers(text))
    return text, positions
