"""Line normalisation: drop page furniture and watermarks, unify the full-width forms that carry data.

The original line number is kept on every line, and the raw text beside the normalised one, so that
provenance can always quote what was printed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from kg.ingest.layout import Cell, split_cells
from kg.records import Notice, SourceLine

Layout = Literal["tabs", "spaces"]
# share of non-blank lines holding a TAB above which a text file is read as TAB-separated cells
TABBED_SHARE = 0.05

WATERMARKS: tuple[str, ...] = ("仅供内部审核",)

# Full-width forms that carry data (digits in amounts, colons after labels, parentheses around units).
# Chinese punctuation that is text (、，。《》〔〕【】) is left alone: the citation stage reads it.
_FULLWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(ord("A") + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(ord("a") + i) for i in range(26)},
        "：": ":",
        "（": "(",
        "）": ")",
        "［": "[",
        "］": "]",
        "．": ".",
        "－": "-",
        "／": "/",
        "％": "%",
        "\u3000": " ",
        "\u00a0": " ",
        "\ufeff": "",
    }
)

# any character _FULLWIDTH maps: str.translate looks each character up in a dict, a character class scans in C,
# and most lines hold none of them
_FULLWIDTH_ANY = re.compile("[" + "".join(re.escape(chr(code)) for code in _FULLWIDTH) + "]")

# A year written in Chinese numerals ("二〇二五年度部门预算"): the digits of the year, one character for one, so
# that every reader of years (cover, titles, sentences) reads it. Only 二〇xx / 二零xx before 年: 〇 never
# starts a word, and "一二年" (a count) has no 〇.
_CHINESE_DIGITS = "〇○零一二三四五六七八九"
_CHINESE_YEAR = re.compile(r"二[〇○零][〇○零一二三四五六七八九]{2}(?=年)")
_YEAR_DIGITS = str.maketrans({c: str(max(0, i - 2)) for i, c in enumerate(_CHINESE_DIGITS)})

_HTML_TAG = re.compile(r"</?(?:p|td|tr|th|table|tbody|thead|span|div|br|b|i|font)\b[^>]{0,200}>", re.I)
_HTML_ENTITY = re.compile(r"&(?:nbsp|amp|lt|gt|quot);")
_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"'}
# "- 3 -", "-38-", "— 12 —", "第 3 页", "3 / 40"
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–─－]\s*\d{1,4}\s*[-—–─－]|第\s*\d{1,4}\s*页(?:\s*共\s*\d{1,4}\s*页)?)\s*$")
# Lines made only of rules (dashes, underscores, box drawing) and TABs, e.g. markdown-ish "----\t-----":
# every character a rule character, and somewhere a run of three dashes. Two linear tests, not one pattern
# with adjacent repeats over the same characters (that one took 24 s on 2,500 dashes and an "x").
_RULE_CHARS = re.compile(r"[\s\-—–_=─━|+*]*")
_RULE_RUN = re.compile(r"[\-—–_=─━]{3}")


def normalise_text(text: str) -> str:
    """Normalise one line's text (no furniture test): HTML fragments out, full-width data forms unified, a year
    in Chinese numerals written in digits."""
    if "<" in text:
        text = _HTML_TAG.sub("", text)
    if "&" in text:
        text = _HTML_ENTITY.sub(lambda m: _ENTITIES[m.group(0)], text)
    if _FULLWIDTH_ANY.search(text):
        text = text.translate(_FULLWIDTH)
    if ("〇" in text or "零" in text or "○" in text) and "年" in text:
        text = _CHINESE_YEAR.sub(lambda m: m[0].translate(_YEAR_DIGITS), text)
    return text.rstrip("\r\n")


def furniture_kind(text: str) -> str | None:
    """Why a line is page furniture rather than content, or None when it is content."""
    stripped = text.strip()
    if stripped in WATERMARKS:
        return "watermark"
    if _PAGE_NUMBER.match(stripped):
        return "page-number"
    if _RULE_CHARS.fullmatch(text) and _RULE_RUN.search(text):
        return "rule-line"
    return None


def layout_of(raw_lines: list[str]) -> Layout:
    """"tabs" when the text separates cells with TABs (the seeds' extraction), else "spaces" (``pdftotext
    -layout``): a few TABs in a space-aligned export must not turn its columns off."""
    nonblank = [line for line in raw_lines if line.strip()]
    tabbed = sum(1 for line in nonblank if "\t" in line.strip())
    return "tabs" if nonblank and tabbed >= TABBED_SHARE * len(nonblank) else "spaces"


def positioned_line(number: int, text: str, raw: str, cells: list[Cell] | None = None) -> SourceLine:
    """A space-aligned line cut into cells (``kg.ingest.layout``, unless the reader gives them with their
    exact extents: a PDF), each cell normalised, positions kept."""
    cells = split_cells(text) if cells is None else cells
    if not cells:
        return SourceLine(number=number, text="", raw=raw)
    return SourceLine(number=number, text="\t".join(normalise_text(c.text) for c in cells), raw=raw,
                      columns=tuple((c.x0, c.x1) for c in cells))


def normalise_lines(raw_lines: list[str], file: str, layout: Layout | None = None,
                    cells: Sequence[list[Cell]] | None = None) -> tuple[list[SourceLine], list[Notice]]:
    """Keep content lines (numbered as in the original), dropping furniture and saying how much was dropped.

    Blank lines are kept (empty text): they are how the text extraction marks a page or block break.
    ``layout`` says how cells are separated: "tabs" (only TABs) or "spaces" (runs of spaces, positions kept);
    by default it is guessed from the text (``layout_of``). ``cells``, one list per raw line, gives the cells
    with their exact extents where the reader knows them (a PDF).
    """
    layout = layout or layout_of(raw_lines)
    kept: list[SourceLine] = []
    dropped: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for number, raw in enumerate(raw_lines, start=1):
        raw = raw.rstrip("\r\n")
        text = raw
        for mark in WATERMARKS:
            if mark in text and text.strip() != mark:
                text = text.replace(mark, "")  # a watermark printed over a content line
                dropped["watermark-in-line"] += 1
                first_seen.setdefault("watermark-in-line", number)
        kind = furniture_kind(text)
        if kind:
            dropped[kind] += 1
            first_seen.setdefault(kind, number)
            continue
        if layout == "tabs":
            kept.append(SourceLine(number=number, text=normalise_text(text), raw=raw))
        elif cells is not None and text == raw:
            kept.append(positioned_line(number, text, raw, cells[number - 1]))
        else:
            kept.append(positioned_line(number, _HTML_TAG.sub("", text) if "<" in text else text, raw))
    notices = [
        Notice(file, first_seen[kind], f"dropped-{kind}", f"dropped {count} {kind} line(s), first at line "
               f"{first_seen[kind]}", "info")
        for kind, count in sorted(dropped.items())
    ]
    return kept, notices
