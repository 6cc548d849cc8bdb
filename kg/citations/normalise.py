"""Normalise a 发文字号 to GB/T 9704-2012 §7.2.5 (机关代字〔年份〕序号号) and a title for comparison."""

from __future__ import annotations

import re

from kg.citations.regexes import ANNOUNCEMENT_NUMBER, DOC_NUMBER, LEADING_FILLER, ORDER_NUMBER, STANDARD_CODE
from kg.citations.resolve import is_organ_name, lead_organ, trim_agency

_FULLWIDTH = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "（": "(", "）": ")", "［": "[", "］": "]", "\u3000": " "}
)


# any character _FULLWIDTH maps (a class scans in C; translate looks every character up): most text has none
_FULLWIDTH_ANY = re.compile("[" + "".join(re.escape(chr(code)) for code in _FULLWIDTH) + "]")


def fold_width(text: str) -> str:
    """Full-width digits and brackets to ASCII, one character for one, so offsets stay valid."""
    return text.translate(_FULLWIDTH) if _FULLWIDTH_ANY.search(text) else text


def format_doc_number(agency: str, year: str, serial: str) -> str:
    return f"{agency}〔{year}〕{int(serial)}号"


def format_order_number(organ: str, serial: int | str, year: int | None = None) -> str:
    """A 令号 in the form GB/T 9704-2012 §10.1 prints it: the 发文机关标志 (organ + 令) and 第N号; a ministry that
    numbers its orders within the year prints the year before 第 (交通运输部令2016年第62号)."""
    return f"{organ}令{year}年第{int(serial)}号" if year else f"{organ}令第{int(serial)}号"


def format_announcement_number(organ: str, year: int | str, serial: int | str) -> str:
    """A 公告's number as its organ prints it: 国家税务总局公告2018年第31号 (no 〔〕: a 公告 is numbered by year)."""
    return f"{organ}公告{int(year)}年第{int(serial)}号"


def order_number(match: re.Match[str]) -> tuple[str, str] | None:
    """(organ as printed without filler, normalised 令号) of an ORDER_NUMBER match, or None without an organ."""
    organ = LEADING_FILLER.sub("", match["organ"] or "")
    if len(organ) < 2:
        return None
    year = int(match["order_year"]) if match["order_year"] else None
    return organ, format_order_number(lead_organ(organ), match["serial"] or match["serial_first"], year)


def normalise_doc_number(text: str) -> str | None:
    """``泽行审发【2021】130号`` → ``泽行审发〔2021〕130号``; None when ``text`` holds no complete number.

    A 公告's number keeps its form, the lead organ's (``财政部 税务总局公告2019年第39号`` → ``财政部公告2019年第39号``).
    A number printed without its 机关代字 (``[2020]84号``) or with the organ's name in its place
    (``自然资源部《2023》11号``) is not complete: it cannot identify a document, so the answer is None.
    A standard's code (``TD/T 1057-2020``) is returned as its canonical code, and a 令号 in the form of
    GB/T 9704-2012 §10.1 (``国家发展改革委第7号令`` → ``国家发展改革委令第7号``): an order has no year in its number.
    """
    folded = fold_width(text)
    match = DOC_NUMBER.search(folded)
    if match is None:
        standard = STANDARD_CODE.search(folded)
        if standard:
            return f"{standard['code']} {standard['number']}-{standard['year']}"
        order = ORDER_NUMBER.search(folded)
        if order and (parsed := order_number(order)):
            return parsed[1]
        announcement = ANNOUNCEMENT_NUMBER.search(folded)
        organ = LEADING_FILLER.sub("", announcement["organ"] or "") if announcement else ""
        if announcement and announcement["year"] and organ:  # 财政部 税务总局公告2019年第39号: the lead organ's
            return format_announcement_number(lead_organ(organ), announcement["year"], announcement["serial"])
        return None
    agency = trim_agency(match["agency"] or "")
    if not agency or is_organ_name(agency):
        return None
    return format_doc_number(agency, match["year"], match["serial"])


_TITLE_NOISE = re.compile(r"[《》〈〉<>\s“”\"'‘’「」『』]")
_TITLE_PUNCT = str.maketrans({"，": ",", "、": ",", "：": ":", "；": ";", "—": "-", "－": "-", "–": "-"})


def normalise_title(title: str) -> str:
    """A title for comparison: no 《》〈〉 or quotes or spaces, full-width forms folded, dashes unified."""
    folded = fold_width(title).translate(_TITLE_PUNCT)
    folded = _TITLE_NOISE.sub("", folded)
    return re.sub(r"-{2,}", "-", folded)
