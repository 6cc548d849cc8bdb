"""Regular expressions of the citation stage, kept apart so they can be read and tested on their own.

Every repetition is bounded; none nests quantifiers, so no input can make them backtrack badly.
"""

from __future__ import annotations

import re

# Every bracket style the seeds print around a year; 《》 only counts when it holds a bare year (《2023》11号).
YEAR_OPEN = "〔[【(（<〈［{《"
YEAR_CLOSE = "〕]】)）>〉］}》"

_CJK = "\u4e00-\u9fff"

# 机关代字〔年份〕序号号 in any bracket style, with the debris the seeds carry: spaces, 第, a stray ")" before 号.
DOC_NUMBER = re.compile(
    rf"(?P<agency>[{_CJK}A-Za-z]{{1,16}})?[ \t]{{0,2}}"
    rf"[{re.escape(YEAR_OPEN)}][ \t]{{0,2}}(?P<year>(?:19|20)\d{{2}})[ \t]{{0,2}}[{re.escape(YEAR_CLOSE)}]"
    rf"[ \t]{{0,2}}第?[ \t]{{0,2}}(?P<serial>\d{{1,6}})[ \t]{{0,2}}[)）\]]?[ \t]{{0,2}}号"
)

# Standards: TD/T 1057-2020, GB/T 9704-2012, GB 50137-2011, CJJ/T 97-2003.
STANDARD_CODE = re.compile(
    r"\b(?P<code>[A-Z]{1,4}(?:/[TZ])?)[ \t]{0,2}(?P<number>\d{1,6}(?:\.\d{1,3})?)-(?P<year>\d{4})\b"
)

# Pieces are cut at these; 、，, and spaces only cut outside 《》 and brackets (see find.py).
STRONG_SEPARATORS = frozenset(";；。\n")
WEAK_SEPARATORS = frozenset("、，, \t")

# "1、" "2." "3," "(4)" — list markers that open a new citation.
ENUMERATOR = re.compile(
    r"(?:(?<=^)|(?<=[^\d.]))(?:\d{1,2}[、.．,](?!\d)|[(（]\d{1,2}[)）]|[一二三四五六七八九十]{1,2}、)"
)

# Filler around a citation that cites nothing by itself.
LEADING_FILLER = re.compile(
    r"^(?:[、，,;；。\s]|\d{1,2}[、.．](?!\d)|[(（]\d{1,2}[)）]|根据|依据|按照|依照|将|以及|和|及|并|文件"
    r"|对(?=[\u4e00-\u9fff]{1,6}[省市县区]))+"
)
TRAILING_FILLER = re.compile(  # bounded: an unbounded repeat before "$" is quadratic under search
    r"(?:[、，,\s]|文件精神|文件要求|等部署要求|部署要求|的要求|要求|精神|(?<!设计)文件|(?<!设计)文|组织实施|批示要求立项|等|及|和"
    r"|以及|备案|中){1,200}$"
)

QUOTED_TITLE_OPEN = "《〈<"
QUOTED_TITLE_CLOSE = "》〉>"

# A phrase ending a title without 《》: …关于…的通知 / 批复 / 意见 …
UNQUOTED_TITLE_HINT = re.compile(r"关于|印发|转发")

# 令号 (GB/T 9704-2012 §10.1, 命令(令)格式): 国家发展改革委第7号令, 国家发展改革委令第7号, 国务院令 第 687 号.
ORDER_NUMBER = re.compile(
    rf"(?P<organ>[{_CJK}]{{2,20}}?)[ \t]{{0,2}}(?:令[ \t]{{0,2}}第[ \t]{{0,2}}(?P<serial>\d{{1,5}})[ \t]{{0,2}}号"
    rf"|第[ \t]{{0,2}}(?P<serial_first>\d{{1,5}})[ \t]{{0,2}}号令)"
)

# A meeting's session printed like a number: 兴县人民政府常务会议纪要[2024]4次.
MEETING_SESSION = re.compile(
    rf"[{re.escape(YEAR_OPEN)}][ \t]{{0,2}}(?P<year>(?:19|20)\d{{2}})[ \t]{{0,2}}[{re.escape(YEAR_CLOSE)}]"
    rf"[ \t]{{0,2}}第?[ \t]{{0,2}}(?P<session>\d{{1,4}})[ \t]{{0,2}}次$"
)

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
