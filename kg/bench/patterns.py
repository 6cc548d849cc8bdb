"""Regexes of the synthetic corpus generator (bounded repetition: they run over every line of every document)."""

from __future__ import annotations

import re

# A whole cell holding an amount with decimals: "1234.56", "1,234.56". Integer cells are left alone:
# they are as often codes, counts or years as amounts.
AMOUNT_CELL = re.compile(r"^(?P<lead>\s{0,4})(?P<number>\d{1,3}(?:,\d{3}){1,5}|\d{1,15})\.(?P<decimals>\d{1,6})"
                         r"(?P<trail>\s{0,4})$")

# The number of a 发文字号 after its bracketed year: "〔2023〕10号", "[2020]84号", "【2021】68号", "(2022)3号".
DOC_NUMBER = re.compile(
    r"(?P<head>[〔\[［【(（]\s{0,2}(?P<year>(?:19|20)\d{2})\s{0,2}[〕\]］】)）]\s{0,2})(?P<number>\d{1,4})(?=\s{0,2}号)"
)

# The two Han characters just before a 文号's bracket (资发 of 晋自然资发, 政发 of 沁政发): the end of the issuer's
# abbreviation and the kind of document, whatever words the cell prints before it.
ISSUER_PREFIX = re.compile(r"[\u4e00-\u9fff]{1,2}$")


def county_abbreviation(character: str) -> re.Pattern[str]:
    """A county's one-character abbreviation where it opens a 文号 prefix (沁政发〔2023〕…, 沁采治办函〔…)."""
    return re.compile(re.escape(character) + r"(?=[\u4e00-\u9fff]{1,6}\s{0,2}[〔\[［【(（]\s{0,2}(?:19|20)\d{2})")
