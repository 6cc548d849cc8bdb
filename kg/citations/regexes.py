"""Regular expressions of the citation stage, kept apart so they can be read and tested on their own.

Every repetition is bounded; none nests quantifiers, so no input can make them backtrack badly.
"""

from __future__ import annotations

import re

from kg.citations.knowledge import number_knowledge

_KNOWLEDGE = number_knowledge()

# Every bracket style printed around a year (kg/data/doc_numbers.toml); 《》 only counts around a bare year.
YEAR_OPEN = _KNOWLEDGE.year_open
YEAR_CLOSE = _KNOWLEDGE.year_close

_CJK = "\u4e00-\u9fff"

# 机关代字〔年份〕序号号, 令号, a meeting's session, a standard's code: the number patterns of doc_numbers.toml.
DOC_NUMBER = _KNOWLEDGE.document
STANDARD_CODE = _KNOWLEDGE.standard
ORDER_NUMBER = _KNOWLEDGE.order
# a 公告's number, which has no 〔〕: 国家税务总局公告2018年第31号, 2023年第1号公告 (none when the data has no pattern)
ANNOUNCEMENT_NUMBER = _KNOWLEDGE.announcement or re.compile(r"(?!)")
# at the end of a title, possibly in brackets of its own: 县政府常务会议纪要（〔2023〕12次）
MEETING_SESSION = re.compile("[(（]?" + _KNOWLEDGE.minutes.pattern + "[)）]?$")
SESSION_NUMBER = _KNOWLEDGE.minutes

# Pieces are cut at these; 、，, and spaces only cut outside 《》 and brackets (see find.py).
STRONG_SEPARATORS = frozenset(";；。\n")
WEAK_SEPARATORS = frozenset("、，, \t")

# "1、" "2." "3," "(4)" "（四）" — list markers that open a new citation; a Chinese numeral in brackets only at
# the start of the cell or after a separator (a title may end in "（一）").
ENUMERATOR = re.compile(
    r"(?:(?<=^)|(?<=[^\d.]))(?:\d{1,2}(?:、|[.．,](?!\d))|[(（]\d{1,2}[)）]|[一二三四五六七八九十]{1,2}(?:、|是)|[①-⑳])"
    r"|(?:(?<=^)|(?<=[;；。\s]))[(（][一二三四五六七八九十]{1,3}[)）]"
)

# Filler around a citation that cites nothing by itself.
_CONNECTIVES = "|".join(re.escape(word) for word in _KNOWLEDGE.connectives_before)
LEADING_FILLER = re.compile(
    r"^(?:[、，,;；。\s]|\d{1,2}(?:、|[.．](?!\d))|[(（](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]"
    r"|[一二三四五六七八九十]{1,2}是|[①-⑳]|"
    + _CONNECTIVES + r"|文件|等(?=文件|规定|要求|精神|有关|相关)"
    r"|对(?=[\u4e00-\u9fff]{1,6}[省市县区]))+"
)
TRAILING_FILLER = re.compile(  # bounded: an unbounded repeat before "$" is quadratic under search
    r"(?<![、，,\s])(?:[、，,\s]|文件精神|文件要求|等部署要求|部署要求|的要求|要求|精神|(?<!设计)文件|(?<!设计)文|组织实施|批示要求立项|等|及|和"
    r"|以及|备案|中){1,200}$"
)

QUOTED_TITLE_OPEN = "《〈<"
QUOTED_TITLE_CLOSE = "》〉>"

# A phrase ending a title without 《》: …关于…的通知 / 批复 / 意见 …
UNQUOTED_TITLE_HINT = re.compile(r"关于|印发|转发")

# A date closing a phrase (…市长批示 2021 年 2 月 2 日): the phrase is complete, a list may continue after it.
CLOSING_DATE = re.compile(r"\d{1,2}[ \t]{0,2}日$")

# Edition or status qualifiers printed between a title and its number: 《…通知》(试行)(晋自然资发〔2024〕22号).
QUALIFIER = re.compile(r"[(（](?:试行|暂行|修订稿?|征求意见稿|草案|第[一二三四五六七八九十\d]{1,3}版)[)）]")

# “…” (or "…") spans: quoted speech, such as the article text after 第11条, is narrative, not a list of titles.
DOUBLE_QUOTED = re.compile(r"“[^“”]{0,400}”")


def registration_pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    """A government's registration of a file: 阳泉市人民政府公文批办单第 Q-095 号(雷健坤市长批示)."""
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(
        rf"(?P<organ>[{_CJK}]{{2,20}}?(?:人民政府|政府|办公室|办公厅))(?P<form>{alternatives})[ \t]{{0,2}}第"
        rf"[ \t]{{0,2}}(?P<serial>[A-Za-z]{{0,3}}-?\d{{1,6}})[ \t]{{0,2}}号(?P<note>[{_CJK}]{{0,12}}?批示)?"
    )
