"""Split a 立项依据 cell into the documents it cites (the heart of the citation stage).

The cell is cut into pieces at list separators that stand outside 《》 (；。、，, spaces, "1、" markers). Each
piece is read as a row of atoms — quoted titles 《…》, document numbers, standard codes and plain text — and the
atoms are paired: a number belongs to the title just before it, or else to the title right after it (number
first, as ``泽组通字[2023]19号《…》``); organ names before a title are its issuer; plain text is a title only when
it ends with a word of the 文种 vocabulary. Phrases that cite nothing (相关文件) never become documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from kg.citations.canonical import canonical_numbers
from kg.citations.classify import (
    cites_nothing,
    classify_title,
    ends_with_kind_word,
    is_bare_kind,
    is_generic,
    kind_ending,
    meeting_cited,
    repair_truncated,
    strip_qualifiers,
    vocabulary,
)
from kg.citations.identify import title_key
from kg.citations.knowledge import law_by_name, number_knowledge
from kg.citations.models import Citation, IssuerLevel, LinkStatus, NumberForm, RegionContext
from kg.citations.normalise import (
    fold_width,
    format_announcement_number,
    format_doc_number,
    format_order_number,
    normalise_title,
)
from kg.citations.regexes import (
    ANNOUNCEMENT_NUMBER,
    CLOSING_DATE,
    DOC_NUMBER,
    DOUBLE_QUOTED,
    ENUMERATOR,
    LEADING_FILLER,
    MEETING_SESSION,
    ORDER_NUMBER,
    QUALIFIER,
    SESSION_NUMBER,
    STANDARD_CODE,
    STRONG_SEPARATORS,
    TRAILING_FILLER,
    WEAK_SEPARATORS,
    registration_pattern,
)
from kg.citations.resolve import (
    ORGAN_ENDINGS,
    Issuer,
    code_patterns,
    complete_relative,
    completing_code,
    is_organ_name,
    issuer_from_code,
    known_organ_names,
    lead_organ,
    legislating_region,
    level_from_name,
    region_of_name,
    relative_issuer,
    resolve_issuer,
    starts_organ_name,
    trim_agency,
)
from kg.records import Notice

_OPEN_QUOTES = "《〈"
_CLOSE_QUOTES = "》〉"
_OPEN_BRACKETS = "([〔【（［"
_CLOSE_BRACKETS = ")]〕】）］"
# An article or clause reference after a law's title: 第十四条, 第5条, 第二项.
_ARTICLE = re.compile(r"^第[\d一二三四五六七八九十百零]{1,6}[条项款章]")
# …and one after a title printed without 《》, with the words saying what it rules: 预算法第十四条规定,
# 第五条第二款的要求
_TRAILING_ARTICLE = re.compile(r"(?:第[\d一二三四五六七八九十百零]{1,6}[条项款章]){1,3}"
                               r"(?:之[一二三四五六七八九十]{1,2})?(?:的)?(?:有关|相关)?(?:规定|要求)?$")
_ISSUER_BEFORE_ABOUT = re.compile(r"^(?P<issuer>[^《〈》〉]{2,60}?)(?:关于|印发|转发)")
_MIN_TITLE_LENGTH = 4
# What is left of a title whose 》 came too early: 《…办法》的通知
_TITLE_TAILS = ("的通知", "的批复", "的意见", "通知")
# A piece "closes" a citation when it ends with one of these (a quote, a number's bracket or 号, a date).
_CLOSING_CHARS = "》〉)]〕】>）］号"
# Only the end of a piece decides whether it closes; a bounded tail keeps the cut scan linear.
_CLOSING_TAIL = 80
# Leftover text shorter than this is punctuation or filler, not worth a notice.
_MIN_SKIPPED_NOTICE = 6
_BARE_YEAR = re.compile(r"\s{0,2}(?:19|20)\d{2}\s{0,2}")
_STRAY_QUOTE = re.compile(r"[(\[]\s{0,2}(?:19|20)\d{2}\s{0,2}[)\]]\s{0,2}\d{1,6}\s{0,2}号")
_MAX_ORGAN_NAME = 48
# 报告、请示及县领导批示: titles joined by 及/和 that each end with a 文种 word.
_CONJUNCTION = re.compile(r"及|和")


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _conjoined(fragment: str) -> list[tuple[int, str]]:
    """(offset, part) of titles joined by 及/和 when every part ends with a 文种 word; else []."""
    parts: list[tuple[int, str]] = []
    cursor = 0
    for match in _CONJUNCTION.finditer(fragment):
        parts.append((cursor, fragment[cursor : match.start()]))
        cursor = match.end()
    parts.append((cursor, fragment[cursor:]))
    # 省政府第58次常务会议精神和省领导批示: each part without its 精神 / 要求
    parts = [(offset, TRAILING_FILLER.sub("", part)) for offset, part in parts]
    if len(parts) < 2 or not all(part and (ends_with_kind_word(part) or is_bare_kind(part)) for _, part in parts):
        return []
    return parts


@cache
def _registration() -> re.Pattern[str] | None:
    vocab = vocabulary()
    forms = vocab.registration_own + vocab.registration_marks
    return registration_pattern(forms) if forms else None


@cache
def _issuer_before_meeting() -> re.Pattern[str] | None:
    words = vocabulary().issuer_prefix_before
    if not words:
        return None
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    # a date may come first: 2021年7月16日县政府专题会议
    return re.compile(rf"^(?:\d{{4}}年(?:\d{{1,2}}月(?:\d{{1,2}}日)?)?)?"
                      rf"(?P<issuer>.{{1,30}}?(?:人民政府|政府|委员会|办公室|办公厅|厅|局))(?={alternatives})")


def _joined_by_connective(gap: str) -> bool:
    """《A》和B〔2020〕3号…, B〔2020〕3号文件精神及《…》: words between a title and a number (a connective, 文件精神)
    make them two items."""
    core = gap.strip(" \t()[]〔〕【】")
    if core in number_knowledge().connectives_before or (core and core in "、，,"):
        return True
    rest = TRAILING_FILLER.sub("", _strip_after_number(core))
    return bool(rest) or (core != _strip_after_number(core) and core.endswith(number_knowledge().connectives_before))


def _leads_title(text: str, at: int, hi: int) -> bool:
    """B〔2020〕3号文《…》 / 12号文关于…: glued 文 after a number, then a title: the number is printed first."""
    rest = text[at:hi]
    stripped = _strip_after_number(rest)
    return stripped != rest and stripped.startswith((*_OPEN_QUOTES, *number_knowledge().nesting_verbs))


def _strip_after_number(fragment: str) -> str:
    """文关于同意… → 关于同意…: the 文 / 文件 glued after a number (号文) is "document No.", not the title."""
    knowledge = number_knowledge()
    for word in knowledge.after_number:
        rest = fragment[len(word):]
        if fragment.startswith(word) and rest and rest[0] not in knowledge.after_number_not_before:
            return rest
    return fragment


@cache
def _outer_title_tail() -> re.Pattern[str]:
    """的通知 / 的实施意见 / 的批复 after a nested 《…》: the rest of an outer title printed without 《》."""
    endings = "|".join(re.escape(ending) for ending, rule in vocabulary().endings if rule.policy)
    return re.compile(rf"^[》〉]?的[\u4e00-\u9fff]{{0,6}}?(?:{endings})》?")


@dataclass
class _Atom:
    kind: str  # "quote", "number", "standard", "order", "announcement", "registration", "text"
    start: int
    end: int
    text: str
    agency: str | None = None  # 机关代字, or the organ named (order, registration, a number printed with a name)
    number: str | None = None  # normalised
    inner: list[str] = field(default_factory=list)  # titles quoted inside a quote
    own: bool = False  # a registration that is a document of its own (公文批办单 … 批示)
    year: int | None = None  # of a number or a standard's code
    serial: int | None = None  # of a number or a 令


@dataclass
class _Unit:
    """A citation being assembled."""

    start: int
    end: int
    title: str | None = None
    issuer_phrase: str | None = None
    number_atom: _Atom | None = None
    nested: list[str] = field(default_factory=list)
    how: str = "quoted"
    doubts: list[str] = field(default_factory=list)
    printed_issuer: bool = False  # the issuer was printed before the title (自然资源部《…》), not read from it
    incomplete: bool = False  # cut short by a clipped cell
    number_printed: str | None = None  # the number's text in the cell as given


@dataclass
class CellReading:
    """What one cell gave: the citations, and the text that was read but cited nothing recognisable."""

    citations: list[Citation]
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (offset, fragment)


def _closes(segment: str) -> bool:
    """True when a piece ends a citation, so that a 、，, or space after it starts the next one."""
    tail = segment[-_CLOSING_TAIL:].rstrip(" \t")
    if not tail:
        return False
    if tail[-1] in _CLOSING_CHARS or CLOSING_DATE.search(tail) or STANDARD_CODE.search(tail[-24:]) \
            or MEETING_SESSION.search(tail[-24:]):
        return True
    cleaned = _clean_text(tail)
    if cleaned and cleaned[-1] in _CLOSING_CHARS:
        return True
    if cleaned and ends_with_kind_word(cleaned) and not _open_about(cleaned):
        return True
    return is_generic(segment)


def _open_about(fragment: str) -> bool:
    """关于同意甲地块规划 (、乙地块…的批复): a title printed without 《》 whose 关于 has not reached its 的…文种 yet,
    so a 、 after a word like 规划 is inside the title."""
    at = fragment.rfind("关于")
    return at >= 0 and "的" not in fragment[at:] and "《" not in fragment[at:]


def _opens(text: str, at: int) -> bool:
    """True when a citation starts at ``at``: a quote, a number or a standard's code."""
    rest = text[at:].lstrip(" \t")
    if not rest:
        return False
    if rest[0] in _OPEN_QUOTES:
        return True
    number = DOC_NUMBER.match(rest)
    # the number must start here: 污水处理…的通知和苏财建〔2021〕90号 is a title's end, then a number
    starts = number is not None and (not number["agency"] or trim_agency(number["agency"]) == number["agency"])
    return bool(starts and number and not any(sep in number.group(0) for sep in "、，,;；。")) \
        or bool(STANDARD_CODE.match(rest))


@dataclass(frozen=True)
class _Debris:
    """What a clipped cell left of a number: ``(晋自然资源`` glued to the next line's text."""

    start: int
    end: int
    next_clipped: bool  # the text after it lost its start (an issuer cut off before 关于)


_ITEM_END = re.compile(r"[；;。\n]|\d{1,2}[、.．](?!\d)")


def _clip_debris(text: str) -> list[_Debris]:
    """The ( of a number a clipped cell never closed: after a title, ( then the start of a 机关代字, and before
    any ) a 《, a 》 or a 关于 of the next line (…的通知》(晋自然资源厅局《关于开展…). What lies between the ( and
    the next title is debris: not an issuer, not a title, not a number."""
    debris: list[_Debris] = []
    for match in re.finditer(r"[(（]", text):
        at = match.start()
        before = text[:at].rstrip(" \t")
        if not before or not (before[-1] in _CLOSE_QUOTES or ends_with_kind_word(before[-40:])):
            continue
        content = text[at + 1 : at + 80]
        item_end = _ITEM_END.search(content)
        content = content[: item_end.start()] if item_end else content
        if not content.startswith(code_patterns()) or "的" in content.split("关于")[0]:
            continue
        stops = [(content.find(mark), mark) for mark in ("《", "〈", "》", "关于", ")", "）")]
        found = [(position, mark) for position, mark in stops if position >= 0]
        if not found:
            if DOC_NUMBER.match(content):
                continue  # a whole number whose ) was left out (…意见(晋政办发[2019]10号2、…)
            if item_end is not None or at + 1 + len(content) >= len(text):
                debris.append(_Debris(at, at + 1 + len(content), False))  # the number runs into the item's end
            continue
        position, mark = min(found)
        if mark in ")）" or DOC_NUMBER.match(content[:position]):
            continue  # closed, or a whole number before the next title: nothing was cut
        if mark == "》":
            debris.append(_Debris(at, at + 1, True))
        else:
            debris.append(_Debris(at, at + 1 + position, mark == "关于"))
    return debris


def _pieces(text: str, debris: list[_Debris] | None = None) -> list[tuple[int, int]]:
    """Cut at separators; list markers (1、 2.) and ；。 always cut, never inside a number.

    、，, and spaces cut outside 《》 and brackets only where a citation ends before them or starts after them,
    so that an enumeration inside one title (对沁水县蒲池、下苏庄…初步设计文件) or a list of joint issuers
    (中共中央、国务院关于…) stays whole. ；。 cut even inside an unclosed 《 (a title never holds them).
    """
    cuts: set[int] = {m.start() for m in ENUMERATOR.finditer(text)}
    clipped = {at for item in debris or () for at in (item.start, item.end)}
    cuts |= clipped
    protected = {at for pattern in (DOC_NUMBER, STANDARD_CODE) for m in pattern.finditer(text)
                 for at in range(m.start() + 1, m.end())}
    quote_depth = bracket_depth = 0
    last_cut = 0
    for at, char in enumerate(text):
        if at in cuts:
            last_cut = at
        if at in clipped:
            quote_depth = bracket_depth = 0
        if char in _OPEN_QUOTES:
            quote_depth += 1
        elif char in _CLOSE_QUOTES:
            quote_depth = max(0, quote_depth - 1)
        elif char in _OPEN_BRACKETS:
            bracket_depth += 1
        elif char in _CLOSE_BRACKETS:
            bracket_depth = max(0, bracket_depth - 1)
        elif char in STRONG_SEPARATORS and at not in protected:
            cuts.add(at)
            quote_depth = bracket_depth = 0
            last_cut = at
        elif (
            char in WEAK_SEPARATORS and quote_depth == 0 and bracket_depth == 0 and at not in protected
            and (_closes(text[last_cut:at]) or _opens(text, at + 1))
        ):
            cuts.add(at)
            last_cut = at
    pieces: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted((cuts - protected) | clipped), len(text)]:
        if cut > start:
            pieces.append((start, cut))
        start = cut
    return pieces


def _quote_spans(text: str, lo: int, hi: int) -> list[tuple[int, int, list[str]]]:
    """Top-level 《…》 in text[lo:hi] with the titles nested in them; an unclosed 《 runs to the end.

    《2023》 holding a bare year is the bracket of a number (自然资源部《2023》11号), not a title.
    """
    spans: list[tuple[int, int, list[str]]] = []
    depth, opened, inner_open = 0, -1, -1
    inner: list[str] = []
    for at in range(lo, hi):
        char = text[at]
        if char in _OPEN_QUOTES and depth == 0 and _STRAY_QUOTE.match(text, at + 1):
            continue  # 自然资源部《(2022)77号: a stray 《 before a number's bracket opens no title
        if char in _OPEN_QUOTES:
            if depth == 0:
                opened, inner = at, []
            elif depth == 1:
                inner_open = at
            depth += 1
        elif char in _CLOSE_QUOTES and depth > 0:
            depth -= 1
            if depth == 1 and inner_open >= 0:
                inner.append(text[inner_open + 1 : at])
            if depth == 0 and not _BARE_YEAR.fullmatch(text[opened + 1 : at]):
                spans.append((opened, at + 1, inner))
    if depth > 0:
        spans.append((opened, hi, inner))
    return spans


def _number_atom(text: str, match: re.Match[str], lo: int) -> _Atom:
    agency = trim_agency(match["agency"] or "")
    start = match.end() - len(match.group(0)) + (len(match["agency"] or "") - len(agency))
    number = format_doc_number(agency, match["year"], match["serial"]) if agency else None
    if agency and is_organ_name(agency):
        number = None  # 自然资源部《2023》11号: an organ's name where the 机关代字 belongs
        # a long organ name runs past the 机关代字's bound: take all of it (吕梁市打击…领导小组办公室《2022》2号)
        while start > lo and start > match.end() - _MAX_ORGAN_NAME and _is_cjk(text[start - 1]):
            start -= 1
        agency = LEADING_FILLER.sub("", text[start : match.start(0) + len(match["agency"] or "")])
        start = match.start(0) + len(match["agency"] or "") - len(agency)
    return _Atom("number", start, match.end(), text[start : match.end()], agency=agency or None, number=number,
                 year=int(match["year"]), serial=int(match["serial"]))


def _atoms(text: str, lo: int, hi: int) -> list[_Atom]:
    quotes = _quote_spans(text, lo, hi)
    covered = [(s, e) for s, e, _ in quotes]

    def inside_quote(at: int) -> bool:
        return any(s < at < e for s, e in covered)

    atoms = [_Atom("quote", s, e, text[s:e], inner=inner) for s, e, inner in quotes]
    for match in DOC_NUMBER.finditer(text, lo, hi):
        if inside_quote(match.start("year")):
            continue  # 《…(2023-2025年)》 or a quoted title's own number: not a citation of its own
        atoms.append(_number_atom(text, match, lo))

    def free(start: int, end: int) -> bool:
        return not inside_quote(start) and not any(a.start < end and start < a.end for a in atoms if a.kind != "quote")

    for match in STANDARD_CODE.finditer(text, lo, hi):
        if free(match.start(), match.end()):
            code = f"{match['code']} {match['number']}-{match['year']}"
            atoms.append(_Atom("standard", match.start(), match.end(), match.group(0), number=code,
                               year=int(match["year"])))
    registration = _registration()
    if registration is not None:
        own_forms = vocabulary().registration_own
        for match in registration.finditer(text, lo, hi):
            organ = LEADING_FILLER.sub("", match["organ"])
            start = match.end("organ") - len(organ)
            if free(start, match.end()):
                own = match["form"] in own_forms
                atoms.append(_Atom("registration", start, match.end(), text[start : match.end()], agency=organ,
                                   own=own))
    # every form of a 公告's number prints 公告; its organs' lazy run is tried at each character, so only there
    for match in ANNOUNCEMENT_NUMBER.finditer(text, lo, hi) if "公告" in text[lo:hi] else ():
        atom = _announcement_atom(text, match)
        if atom is not None and free(atom.start, atom.end):
            atoms.append(atom)
    for match in ORDER_NUMBER.finditer(text, lo, hi):
        organ = LEADING_FILLER.sub("", match["organ"] or "")
        start = match.end("organ") - len(organ)
        bare = match["serial_bare"] or match["serial_bare_after"]
        if bare and free(match.start(), match.end()):  # （第7号令） after a title: no organ
            atoms.append(_Atom("order", match.start(), match.end(), match.group(0), serial=int(bare)))
        elif len(organ) >= 2 and free(start, match.end()):
            serial = match["serial"] or match["serial_first"]
            year = int(match["order_year"]) if match["order_year"] else None
            atoms.append(_Atom("order", start, match.end(), text[start : match.end()], agency=organ,
                               number=format_order_number(organ, serial, year), serial=int(serial), year=year))
    atoms.sort(key=lambda a: a.start)
    # Plain text between the atoms found so far, with brackets that held a number or standard removed.
    result: list[_Atom] = []
    cursor = lo
    for atom in atoms:
        if atom.start < cursor:
            continue  # overlapping (a number inside an unclosed quote's tail)
        if atom.start > cursor:
            result.append(_Atom("text", cursor, atom.start, text[cursor : atom.start]))
        result.append(atom)
        cursor = atom.end
    if cursor < hi:
        result.append(_Atom("text", cursor, hi, text[cursor:hi]))
    return result


# What ends the text before a 公告's organs: a title's end (…的公告 国家税务总局公告…), a number's 号.
_BEFORE_ANNOUNCEMENT_ORGAN = ("的", "》", "〉", "公告", "号", "通知")
_JOINT_ORGANS = re.compile(r"[^ \t、]+")


def _announcement_organ(run: str, clipped: bool = False) -> tuple[int, str] | None:
    """(offset in ``run``, organs) of the organs that issue a 公告, printed at the end of ``run``: 财政部 税务总局
    海关总署, 国家税务总局, 根据财政部 → 财政部; None when the run's end names no organ (…关于某事的 before 公告).
    ``clipped``: the run starts inside a word (the pattern's bound cut it), so its first word is no organ."""
    cut = max((run.rfind(word) + len(word) for word in _BEFORE_ANNOUNCEMENT_ORGAN if word in run), default=0)
    first: tuple[int, str] | None = None
    for token in reversed(list(_JOINT_ORGANS.finditer(run, cut))):
        if clipped and token.start() == 0:
            break
        name = token.group(0)
        organ = _organ_before_title(LEADING_FILLER.sub("", name))
        if organ != name:  # 根据财政部, 依据国家税务总局: the organ after the sentence's words, and no organ before
            if organ and _is_organ_phrase(organ):
                first = (token.end() - len(organ), organ)
            break
        if not _is_organ_phrase(name):
            break
        first = (token.start(), name)
    if first is None:
        return None
    return first[0], run[first[0]:].rstrip(" \t、")


def _announcement_atom(text: str, match: re.Match[str]) -> _Atom | None:
    """A 公告's number (国家税务总局公告2018年第31号, 2023年第1号公告, 《…的公告》（2023年第1号）) as an atom; the
    organs printed before 公告 are its agency, and without them the 公告 word belongs to the title before it
    (…的公告(2023年第1号)) unless nothing is printed before it."""
    if match["year_first"]:
        return _Atom("announcement", match.start(), match.end(), match.group(0), year=int(match["year_first"]),
                     serial=int(match["serial_first"]))
    if match["year_bare"]:  # the brackets around 2023年第1号 are the cell's, not the number's
        end = match.start() + match.group(0).rindex("号") + 1
        start = match.start("year_bare")
        return _Atom("announcement", start, end, text[start:end], year=int(match["year_bare"]),
                     serial=int(match["serial_bare"]))
    start, end, organ = match.start(), match.end(), None
    if match["organ"]:
        at = match.start("organ")
        found = _announcement_organ(match["organ"], clipped=at > 0 and _is_cjk(text[at - 1]))
        if found is not None:
            start, organ = match.start("organ") + found[0], found[1]
        else:  # …关于某事的公告(2023年第1号): the 公告 ends the title; the number is what is in the brackets
            start, end = match.start("year"), match.start() + match.group(0).rindex("号") + 1
    return _Atom("announcement", start, end, text[start:end], agency=organ, year=int(match["year"]),
                 serial=int(match["serial"]))


def _trim_brackets(fragment: str) -> str:
    """Drop brackets left unpaired at either end ("…细则(试行)(" → "…细则(试行)")."""
    while fragment and (fragment[-1] in _OPEN_BRACKETS or (
            fragment[-1] in _CLOSE_BRACKETS and _count(fragment, _CLOSE_BRACKETS) > _count(fragment, _OPEN_BRACKETS))):
        fragment = fragment[:-1].rstrip(" \t")
    while fragment and (fragment[0] in _CLOSE_BRACKETS + "》〉" or (
            fragment[0] in _OPEN_BRACKETS and _count(fragment, _OPEN_BRACKETS) > _count(fragment, _CLOSE_BRACKETS))):
        fragment = fragment[1:].lstrip(" \t")
    return fragment


def _count(fragment: str, chars: str) -> int:
    return sum(fragment.count(c) for c in chars)


def _clean_text(fragment: str) -> str:
    fragment = _trim_brackets(fragment.strip(" \t"))
    fragment = LEADING_FILLER.sub("", fragment)
    fragment = _ARTICLE.sub("", fragment)
    fragment = TRAILING_FILLER.sub("", fragment)
    cited = _TRAILING_ARTICLE.sub("", fragment) if "第" in fragment else fragment
    if cited != fragment and ends_with_kind_word(cited):  # 预算法第十四条规定: the law is cited, at an article
        fragment = cited
    return _trim_brackets(fragment.strip(" \t"))


def _is_organ_phrase(fragment: str) -> bool:
    """中共中央办公厅 / 山西省自然资源厅、山西省发展和改革委员会 / 泽州县人民政府 — names, not titles."""
    parts = [p for p in re.split(r"[、 \t]|及", fragment) if p]
    return bool(parts) and len(fragment) <= 60 and all(p.endswith(ORGAN_ENDINGS) or p in ("中共中央", "国务院",
                                                                                       "山西省委省政府")
                                                       or p in known_organ_names() for p in parts)


def _organ_before_title(fragment: str) -> str:
    """徐州铁路法院：依法受理最高人民法院 → 最高人民法院, 江苏省高级人民法院依据省财政厅 → 省财政厅: in prose the organ
    printed before a title or number is what follows the sentence's last comma or colon and its last 根据-like
    word, from the first place an organ's name can start (a known organ, a region, 省/市/县, 中共). A fragment
    with none of those marks is returned whole (山西省自然资源厅、山西省财政厅)."""
    knowledge = number_knowledge()
    cut = max((fragment.rfind(char) + 1 for char in knowledge.clause_punctuation if char in fragment), default=0)
    cut = max([cut, *(fragment.rfind(word) + len(word) for word in knowledge.introducing if word in fragment[cut:])])
    tail = fragment[cut:]
    if cut == 0 and not tail.startswith(knowledge.clause_verbs):
        return fragment
    return next((tail[at:] for at in range(len(tail)) if starts_organ_name(tail[at:])), tail)


def _title_core(fragment: str) -> str:
    """The part of an unquoted title that must end with a 文种 word (a meeting's 〔2024〕4次 removed)."""
    return MEETING_SESSION.sub("", fragment).rstrip(" \t")


def _unquoted_title(fragment: str) -> bool:
    if len(fragment) < _MIN_TITLE_LENGTH and law_by_name(fragment) is None:  # 预算法 is a title, 通知 none
        return False
    if is_generic(fragment) or "万元" in fragment or len(fragment) > 120:
        return False
    if _is_clause(fragment):
        return False
    core = _title_core(fragment)
    return ends_with_kind_word(core) or repair_truncated(core) is not None


def _is_clause(fragment: str) -> bool:
    """制定实施流程和细则, 坚持统筹兼顾，突出重点，全面规范: a clause of the sentence, not a title without 《》."""
    knowledge = number_knowledge()
    return fragment.startswith(knowledge.clause_verbs) or any(char in fragment for char in knowledge.clause_punctuation)


def _split_issuer(title: str) -> tuple[str | None, str]:
    """山西省自然资源厅关于…的通知 → (山西省自然资源厅, 山西省自然资源厅关于…的通知); issuer is the lead organ."""
    match = _ISSUER_BEFORE_ABOUT.match(title)
    if match and _is_organ_phrase(match["issuer"].strip(" \t“”\"")):
        return match["issuer"].strip(" \t“”\""), title
    meeting = _issuer_before_meeting()
    match = meeting.match(title) if meeting else None
    if match and _is_organ_phrase(match["issuer"]):
        return match["issuer"], title
    return relative_issuer(title), title


def _in_narrative(text: str, spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when text[start:end] lies inside quoted speech (“…”) that is more than the phrase itself."""
    phrase = text[start:end].strip("“”")
    return any(s <= start and end <= e and text[s + 1 : e - 1] != phrase for s, e in spans)


def _nests_quote(fragment: str, atoms: list[_Atom], at: int) -> bool:
    """关于印发《…》的通知, 省政府印发《…》的通知: the quote after ``atoms[at]`` is nested in a title printed without
    《》 — the text before it holds 关于 or ends with an issuing verb (山西省国土资源厅印发《…》), or a 的…文种 tail
    closes the title after it. A sentence's verb before a quote (认真落实《预算法》要求, 为深入贯彻落实《…》精神)
    nests nothing: the quote is the title cited."""
    if "关于" in fragment or fragment.endswith(number_knowledge().issuing_verbs):
        return True
    after = at + 2
    if after < len(atoms) and atoms[after].kind == "quote" and atoms[after].start == atoms[at + 1].end:
        return atoms[after].text.strip("《》〈〉").endswith(_TITLE_TAILS[:3])  # 印发《A》《B的通知》
    return after < len(atoms) and atoms[after].kind == "text" and bool(_outer_title_tail().match(atoms[after].text))


def _units_of_piece(
    text: str, lo: int, hi: int, carried_issuer: str | None, narrative: list[tuple[int, int]],
    skipped: list[tuple[int, str]],
) -> tuple[list[_Unit], str | None]:
    """Pair the atoms of one piece into citations; return them and an issuer phrase left for the next piece."""
    units: list[_Unit] = []
    pending_issuer = carried_issuer
    pending_number: _Atom | None = None
    atoms = _atoms(text, lo, hi)
    index = 0
    while index < len(atoms):
        atom = atoms[index]
        if atom.kind == "text":
            fragment = _clean_text(atom.text)
            if index > 0 and atoms[index - 1].kind == "number":
                fragment = _strip_after_number(fragment)  # …[2020]121号文农村…合同: 号文 is "document No."
            following = atoms[index + 1] if index + 1 < len(atoms) else None
            start = atom.start + atom.text.find(fragment[:1]) if fragment else atom.start
            if not fragment:
                pass
            elif following is not None and following.kind == "quote" \
                    and fragment.endswith(number_knowledge().nesting_verbs) and _nests_quote(fragment, atoms, index):
                # 晋城市规划和自然资源局关于印发《…》的通知: the quote is nested in a title printed without 《》
                nested = [following.text.strip("《》〈〉")]
                end_index = index + 1
                tail_end = following.end
                # 关于印发《A》《B的通知》: a second quote right after the first closes the same title
                second = atoms[end_index + 1] if end_index + 1 < len(atoms) else None
                if second is not None and second.kind == "quote" and second.start == following.end \
                        and second.text.strip("《》〈〉").endswith(_TITLE_TAILS[:3]):
                    nested.append(re.sub(r"的(通知|批复|意见)$", "", second.text.strip("《》〈〉")))
                    end_index += 1
                    tail_end = second.end
                if end_index + 1 < len(atoms) and atoms[end_index + 1].kind == "text":
                    tail = _outer_title_tail().match(atoms[end_index + 1].text)
                    if tail:
                        tail_end = atoms[end_index + 1].start + tail.end()
                        atoms[end_index + 1] = _Atom("text", tail_end, atoms[end_index + 1].end,
                                                     text[tail_end : atoms[end_index + 1].end])
                title = text[start:tail_end]
                issuer, _ = _split_issuer(title)
                unit = _Unit(start, tail_end, title, pending_issuer or issuer, nested=nested,
                             how="unquoted-with-nested")
                if pending_number is not None and len(_clean_text(text[pending_number.end : start])) == 0:
                    # 晋自然办发〔2023〕15号山西省…关于印发《…》的通知: the number printed first
                    unit.number_atom, unit.start, unit.how = pending_number, pending_number.start, "number-first"
                    pending_number = None
                units.append(unit)
                pending_issuer = None
                index = end_index + 1
                continue
            elif _is_organ_phrase(fragment) and _is_organ_phrase(organ := _organ_before_title(fragment)) \
                    and "关于" not in organ:
                pending_issuer = pending_issuer or organ  # joint issuers: the first named leads
            elif (parts := _conjoined(fragment)) and not is_generic(fragment) \
                    and not _in_narrative(text, narrative, start, start + len(fragment)):
                for offset, part in parts:
                    how = "shared-subject" if is_bare_kind(part) else "unquoted"
                    issuer = None if how == "shared-subject" else _split_issuer(part)[0]
                    units.append(_Unit(start + offset, start + offset + len(part), part, pending_issuer or issuer,
                                       how=how))
                    pending_issuer = None
            elif _unquoted_title(fragment) and not is_generic(atom.text):
                if _in_narrative(text, narrative, start, start + len(fragment)):
                    skipped.append((start, fragment))  # a phrase inside quoted article text, not a title
                else:
                    issuer, _ = _split_issuer(fragment)
                    unit = _Unit(start, start + len(fragment), fragment, pending_issuer or issuer, how="unquoted")
                    if pending_number is not None and len(_clean_text(text[pending_number.end : start])) == 0:
                        unit.number_atom, unit.start, unit.how = pending_number, pending_number.start, "number-first"
                        pending_number = None
                    units.append(unit)
                    pending_issuer = None
            elif units and units[-1].number_atom is None and fragment.startswith(_TITLE_TAILS):
                units[-1].end = start + len(fragment)
                units[-1].title = (units[-1].title or "") + fragment
            elif not is_generic(atom.text) and len(fragment) >= _MIN_SKIPPED_NOTICE:
                skipped.append((start, fragment))
            index += 1
            continue
        if atom.kind == "quote":
            body = atom.text.strip("《》〈〉")
            whole_number = DOC_NUMBER.fullmatch(fold_width(body))
            if whole_number and units and units[-1].number_atom is None:
                # 《…的通知》《晋自然资发〔2023〕21号》: a number printed in 《》 belongs to the title before it
                agency = trim_agency(whole_number["agency"] or "")
                units[-1].number_atom = _Atom("number", atom.start, atom.end, atom.text, agency=agency or None,
                                              number=format_doc_number(agency, whole_number["year"],
                                                                       whole_number["serial"]) if agency else None,
                                              year=int(whole_number["year"]), serial=int(whole_number["serial"]))
                units[-1].end = atom.end
                index += 1
                continue
            if len(body) < _MIN_TITLE_LENGTH and classify_title(body) == vocabulary().other:
                index += 1  # 《十五五》: a quoted term, not a title
                continue
            if atom.end == hi and not atom.text.endswith(tuple(_CLOSE_QUOTES)):
                # an unclosed 《 runs to the end of its piece: drop what follows a title there (等部署要求)
                body = TRAILING_FILLER.sub("", body)
            issuer, _ = _split_issuer(body)
            unit = _Unit(atom.start, atom.end, "《" + body + "》", pending_issuer or issuer, nested=list(atom.inner),
                         printed_issuer=pending_issuer is not None)
            pending_issuer = None
            unclosed = not atom.text.endswith(tuple(_CLOSE_QUOTES))
            inner_number = DOC_NUMBER.search(fold_width(body)) if unclosed else None
            leading_number = DOC_NUMBER.match(fold_width(body))
            agency = _clipped_agency(trim_agency(inner_number["agency"] or "")) if inner_number is not None else ""
            number_at = (inner_number.start() + len(inner_number["agency"] or "") - len(agency)
                         if inner_number is not None else 0)
            if inner_number is not None and number_at > 0:
                # 《关于自然资保函〔2025〕2号): the 《 never closed before a number — a clipped cell glued the
                # start of a title to (the end of) a number; kept as one partial citation, never a document
                unit.number_atom = _Atom("number", atom.start + 1 + number_at, atom.start + 1 + inner_number.end(),
                                         body[number_at : inner_number.end()], agency=agency or None,
                                         number=format_doc_number(agency, inner_number["year"],
                                                                  inner_number["serial"]) if agency else None,
                                         year=int(inner_number["year"]), serial=int(inner_number["serial"]))
                unit.title = "《" + body[:number_at] + "》" if number_at > 0 else None
                unit.incomplete = True
                leading_number = None
            elif unclosed and not ends_with_kind_word(_title_core(body)) and not _closes(body):
                unit.incomplete = True  # 《晋城市…关于永久基本农田中疑似非耕地: cut off at the cell's edge
            if leading_number and pending_number is None:
                # 《晋农居发〔2014〕4号关于印发…的通知》: the number printed inside the quote, before the title
                agency = trim_agency(leading_number["agency"] or "")
                unit.number_atom = _Atom("number", atom.start + 1, atom.start + 1 + leading_number.end(),
                                         leading_number.group(0), agency=agency or None,
                                         number=format_doc_number(agency, leading_number["year"],
                                                                  leading_number["serial"]) if agency else None,
                                         year=int(leading_number["year"]), serial=int(leading_number["serial"]))
                unit.title = "《" + body[leading_number.end():] + "》"
            if pending_number is not None and _joined_by_connective(text[pending_number.end : atom.start]):
                # 津财预〔2024〕2号及《…》: a connective between them, two items
                units.append(_Unit(pending_number.start, pending_number.end, None, None, pending_number,
                                   how="number-only"))
                pending_number = None
            if pending_number is not None:
                unit.number_atom, unit.start = pending_number, pending_number.start
                pending_number = None
            units.append(unit)
            index += 1
            continue
        if atom.kind == "registration":
            if atom.own:
                units.append(_Unit(atom.start, atom.end, atom.text, atom.agency, how="registration"))
            else:
                pending_issuer = pending_issuer or atom.agency  # 阳泉市人民政府办文第Q-681号《…的请示》
            index += 1
            continue
        if atom.kind == "number" and atom.agency and atom.agency.endswith(vocabulary().numbered_series):
            # 县长办公会议纪要【2024】6号: a series of minutes numbered like a 发文字号, a document of its own
            units.append(_Unit(atom.start, atom.end, atom.agency, pending_issuer, atom, how="minutes-number"))
            pending_issuer = None
            index += 1
            continue
        # a number, a 令号 or a standard code
        previous = units[-1] if units else None
        gap = QUALIFIER.sub("", text[previous.end : atom.start]) if previous else ""
        adjacent = previous is not None and len(_clean_text(gap)) == 0 and len(gap) <= 8 \
            and not _joined_by_connective(gap) and not _leads_title(text, atom.end, hi)
        if previous is not None and previous.number_atom is None and adjacent and previous.how != "registration":
            previous.number_atom, previous.end = atom, max(previous.end, atom.end)
        elif atom.kind == "standard" and previous is not None and previous.number_atom is None:
            previous.number_atom, previous.end = atom, atom.end
        else:
            if pending_number is not None:
                units.append(_Unit(pending_number.start, pending_number.end, None, None, pending_number,
                                   how="number-only"))
            pending_number = atom
            # number before title: the next atom must follow with nothing but spaces between
            following = atoms[index + 1] if index + 1 < len(atoms) else None
            if following is not None and following.kind == "text":
                fragment = _strip_after_number(_clean_text(following.text))
                if fragment and not following.text[:1].isspace() and _unquoted_title(fragment):
                    issuer, _ = _split_issuer(fragment)
                    start = following.start + following.text.find(fragment[:1])
                    units.append(_Unit(atom.start, start + len(fragment), fragment, pending_issuer or issuer, atom,
                                       how="number-first"))
                    pending_issuer = None
                    pending_number = None
                    index += 2
                    continue
        index += 1
    if pending_number is not None:
        units.append(_Unit(pending_number.start, pending_number.end, None, None, pending_number, how="number-only"))
    return units, pending_issuer


_LINE_BREAK = re.compile(r"(?<![ \t])[ \t]*\r?\n[ \t]*")  # the lookbehind keeps it linear on long runs of spaces


def _clipped_agency(run: str) -> str:
    """在全县开展自然资保函 → 自然资保函: in a clipped cell the title's remains run into an unknown 代字; it starts
    where a known code's first two characters do (自然… as in 自然资发)."""
    if len(run) <= 4 or issuer_from_code(run).level is not None:
        return run
    families = {code[:2] for code in code_patterns() if len(code) >= 3}
    longest = len(code_patterns()[0])  # a 代字 is no longer than the longest known: 教师培训晋自然资保函 starts at 晋
    at = next((at for at in range(len(run) - 2) if run[at : at + 2] in families and len(run) - at <= longest), 0)
    return run[at:]


def _clip_start(unit: _Unit) -> None:
    """The first citation after a clipped number lost its start: its issuer is debris, its title is known from
    its 关于 on (a whole 关于…的通知 still identifies the document)."""
    unit.incomplete = True
    unit.issuer_phrase = None
    if unit.title and "关于" in unit.title:
        unit.title = unit.title[unit.title.index("关于"):]


def _join_wrapped(text: str) -> tuple[str, list[int]]:
    """Join lines a PDF wrapped inside a citation (（普投 / 资规范（2023）1号）); returns the joined text and,
    for each of its characters, the offset in ``text``.

    A line break is a wrap inside an open 《》 or bracket or inside a number (晋政 / 发〔2019〕12号, 晋政发〔2019〕 /
    12号), and elsewhere unless an item ends before it (。；，、 of doc_numbers.toml, a closing 》 or number, a 文种
    word) or a new one starts after it (a list marker, a 《, a number): then it stays, and cuts like ；.
    """
    if "\n" not in text:
        return text, list(range(len(text)))
    ends_item = number_knowledge().wrap_ends_item
    removed: set[int] = set()
    for match in _LINE_BREAK.finditer(text):
        before, after = text[: match.start()], text[match.end():]
        if not before.strip() or not after.strip():
            continue
        line = before[before.rfind("\n") + 1:]
        ends = before[-1] in ends_item or _closes(line) or _opens(after, 0) or ENUMERATOR.match(after) is not None
        if _open_depth(before) > 0 or not ends or _breaks_number(before, after):
            removed.update(range(match.start(), match.end()))
    positions = [at for at in range(len(text)) if at not in removed]
    return "".join(text[at] for at in positions), positions


_AROUND_BREAK = 24  # characters each side of a line break that a number broken by it can span


def _breaks_number(before: str, after: str) -> bool:
    """True when the line break between ``before`` and ``after`` falls inside a number: after its 代字's first
    character (a 代字 starting the next line is a number of its own) and before its 号."""
    head = before[-_AROUND_BREAK:]
    joined, at = head + after[:_AROUND_BREAK], len(head)
    for match in DOC_NUMBER.finditer(joined):
        run = match["agency"] or ""
        agency = trim_agency(run)
        start = match.start("agency") + len(run) - len(agency) if agency else match.end("agency") if run \
            else match.start()
        if start < at < match.end():
            return True
    return False


def _open_depth(text: str) -> int:
    """How many 《 or brackets are open at the end of ``text`` (a year's bracket closes before its 号)."""
    depth = 0
    for char in text[-200:]:
        if char in _OPEN_QUOTES or char in _OPEN_BRACKETS:
            depth += 1
        elif (char in _CLOSE_QUOTES or char in _CLOSE_BRACKETS) and depth > 0:
            depth -= 1
        elif char in "\n。；;":
            depth = 0
    return depth


def read_cell(cell: str, region: RegionContext | None = None) -> CellReading:
    """The documents cited in one 立项依据 cell, and the text left over; offsets index ``cell``."""
    text, positions = _join_wrapped(fold_width(cell))
    text, positions = canonical_numbers(text, positions, region)
    if cites_nothing(text):
        return CellReading([])
    narrative = [m.span() for m in DOUBLE_QUOTED.finditer(text)]
    units: list[_Unit] = []
    skipped: list[tuple[int, str]] = []
    carried: str | None = None
    debris = _clip_debris(text)
    debris_at = {item.start: item for item in debris}
    clipped_starts = {item.end for item in debris if item.next_clipped}
    pieces = _pieces(text, debris)
    for number, (lo, hi) in enumerate(pieces):
        if lo in debris_at and debris_at[lo].end == hi:
            skipped.append((lo, text[lo:hi]))  # a clipped number's remains
            if units:
                units[-1].doubts.append("number-clipped")
            carried = None
            continue
        piece_units, carried = _units_of_piece(text, lo, hi, carried, narrative, skipped)
        if lo in clipped_starts and piece_units:
            _clip_start(piece_units[0])
        # a lone number after a title-only piece (…的通知,晋市自然资发[2023]267号) belongs to it
        if (
            len(piece_units) == 1 and piece_units[0].how == "number-only" and units
            and units[-1].number_atom is None and units[-1].title
            and units[-1].how not in ("registration", "minutes-number")
            and not ENUMERATOR.match(text, lo) and not ENUMERATOR.match(text, lo + 1)
            and not any(_is_cjk(char) for char in text[lo : piece_units[0].start])
        ):  # not across a list marker: 《A》；②浙委办发〔2021〕23号 are two items; nor when words start the number's
            # piece (《A》指定的案件；根据最高人民法院法释〔2012〕10号: a sentence of its own citing another document)
            units[-1].number_atom, units[-1].end = piece_units[0].number_atom, piece_units[0].end
            continue
        # a number-only piece before a title-only piece, split by a space (自然资源部《2022》41号 自然资源部…的通知)
        if units and units[-1].how == "number-only" and piece_units and piece_units[0].number_atom is None \
                and piece_units[0].title and text[lo:lo + 1].isspace() and number > 0:
            first = piece_units[0]
            first.number_atom, first.start, first.how = units[-1].number_atom, units[-1].start, "number-first"
            units.pop()
        # 自然资源部《A》、《B》: the issuer printed before A carries over the 、-list to B
        if piece_units and text[lo:lo + 1] == "、" and text[lo + 1 : lo + 2] in _OPEN_QUOTES and units \
                and units[-1].printed_issuer and piece_units[0].issuer_phrase is None:
            piece_units[0].issuer_phrase, piece_units[0].printed_issuer = units[-1].issuer_phrase, True
        for unit in piece_units:
            if unit.how == "shared-subject":
                # 沁水县…滑坡治理报告、请示: the 请示 shares the subject of the title before it
                previous = next((u for u in reversed(units) if u.how == "unquoted" and u.title), None)
                ending = kind_ending(previous.title) if previous and previous.title else None
                if previous is None or ending is None:
                    skipped.append((unit.start, unit.title or ""))
                    continue
                unit.title, unit.how = previous.title[: len(previous.title) - len(ending)] + unit.title, "unquoted"
            units.append(unit)
    for unit in units:  # offsets back into the cell as given (wrapped lines were joined)
        unit.start, unit.end = positions[unit.start], positions[unit.end - 1] + 1
        if unit.number_atom is not None:  # the number as the cell prints it, a wrapped line joined
            atom = unit.number_atom
            printed = cell[positions[atom.start] : positions[atom.end - 1] + 1]
            unit.number_printed = _LINE_BREAK.sub("", printed).strip()
    skipped = [(positions[offset], fragment) for offset, fragment in skipped]
    citations = _deduplicate([_to_citation(cell, unit, region) for unit in units])
    return CellReading(citations, skipped)


def extract_citations(cell: str, region: RegionContext | None = None) -> list[Citation]:
    """The documents cited in one 立项依据 cell, in the order printed; offsets index ``cell``."""
    return read_cell(cell, region).citations


def extract_citations_with_notices(
    cell: str, region: RegionContext | None = None, *, file: str = "", line: int | None = None
) -> tuple[list[Citation], list[Notice]]:
    """The citations of a cell and a Notice for each doubt on them and each piece of text that cited nothing."""
    reading = read_cell(cell, region)
    notices = [
        Notice(file, line, f"citation-{doubt}", f"{citation.text!r}: {_DOUBT_MESSAGES.get(doubt, doubt)}")
        for citation in reading.citations for doubt in citation.doubts
    ]
    notices += [
        Notice(file, line, "citation-text-skipped", f"text at offset {offset} names no document: {fragment!r}",
               severity="info")
        for offset, fragment in reading.skipped
    ]
    return reading.citations, notices


_DOUBT_MESSAGES = {
    "number-without-code": (
        "发文字号 printed without a 机关代字 (or with an organ's name in its place); kept as printed"
    ),
    "truncated-title": "title cut short in the source; the word meant was restored",
    "number-completed": "发文字号 printed without a 机关代字; completed from the issuer's 代字 in kg/data/issuers.csv",
    "number-title-conflict": "the number's 机关代字 and the title name different issuers; both kept",
    "code-shared": "the 机关代字 is a central organ's and also the disclosure's place's, and no issuer is printed; "
                   "left unresolved",
    "number-clipped": "the cell was clipped after the title: what was left of its 发文字号 is skipped, the document "
                      "kept without a number",
    "number-without-organ": "公告 or 令 number printed without its organ (2023年第1号公告, 第7号令) and no issuer "
                            "printed to complete it; kept as printed",
}


def _same_document(a: Citation, b: Citation) -> bool:
    if a.status == "unresolved" or b.status == "unresolved":
        return a.text == b.text  # a partial citation only repeats itself
    if a.doc_number and b.doc_number:
        return a.doc_number == b.doc_number
    if a.title and b.title:
        return title_key(a.title) == title_key(b.title)
    return False


def _deduplicate(citations: list[Citation]) -> list[Citation]:
    """One citation per document in a cell: a repeat (same number, or same title with or without number and
    issuer) is folded into the first mention, which takes the number and issuer it lacked."""
    kept: list[Citation] = []
    for citation in citations:
        first = next((k for k in kept if _same_document(k, citation)), None)
        if first is None:
            kept.append(citation)
            continue
        if first.doc_number is None and citation.doc_number:
            first.doc_number, first.doc_number_printed = citation.doc_number, citation.doc_number_printed
        if first.issuer is None and citation.issuer:
            first.issuer, first.issuer_level = citation.issuer, citation.issuer_level
        if first.title is None and citation.title:
            first.title, first.kind = citation.title, citation.kind
    return kept


def _to_citation(cell: str, unit: _Unit, region: RegionContext | None) -> Citation:
    doubts = list(unit.doubts)
    title = normalise_title(unit.title) if unit.title else None
    session: re.Match[str] | None = None
    if title:
        title = meeting_cited(re.sub(r"^(?:根据|依据)+", "", title))
        session = MEETING_SESSION.search(title)
        if session:  # 会议纪要[2024]4次 → 会议纪要〔2024〕4次, the bracket of GB/T 9704
            title = title[: session.start()] + f"〔{session['year']}〕{int(session['session'])}次"
        repaired = repair_truncated(title)
        if repaired is not None and not ends_with_kind_word(title):
            title = repaired
            doubts.append("truncated-title")
    atom = unit.number_atom
    agency = atom.agency if atom is not None else None
    number = atom.number if atom is not None else None
    if unit.incomplete and number is not None and atom is not None and atom.kind == "number" \
            and not _known_code(atom.agency or "", region):
        number = None  # a clipped cell's number whose 代字 nobody knows may be clipped too: kept as printed only
    if atom is not None and atom.kind == "number" and number is None and not unit.incomplete:
        doubts.append("number-without-code")
    issuer_phrase = unit.issuer_phrase
    if not issuer_phrase and atom is not None and atom.agency and (
            atom.kind in ("order", "announcement") or (number is None and is_organ_name(atom.agency))):
        issuer_phrase = atom.agency  # 国家发展改革委第7号令, 吕梁市…办公室《2022》2号: the organ is named
    issuer_phrase = lead_organ(issuer_phrase, region) if issuer_phrase else None
    code = agency if number and atom and atom.kind == "number" else None
    issuer = resolve_issuer(issuer_phrase, code, region, atom.year if code and atom else None)
    if issuer.shared_with and issuer.level is None:
        doubts.append("code-shared")  # 民发 in a 民权县 disclosure: 民政部's or the county's, nothing printed says
    if issuer.name is None and issuer_phrase is None and number is None and title and not unit.incomplete:
        issuer = _issuer_by_name(title, region) or issuer  # 《地质灾害防治条例》: a 行政法规, 国务院's
    announcement = atom is not None and atom.kind == "announcement"
    if atom is not None and atom.kind in ("order", "announcement") and atom.agency and atom.serial is not None:
        # the organ the number names, as one issuer would be named: 财政部 税务总局 海关总署公告2019年第39号 is in
        # its lead organ's series (财政部公告2019年第39号), 中华人民共和国国务院令 is 国务院令, 省政府令 in 山西 is
        # 山西省人民政府令 (another province's 省政府令第12号 is another document)
        organ = complete_relative(lead_organ(atom.agency, region), region)
        if announcement and atom.year is not None:
            number = format_announcement_number(organ, atom.year, atom.serial)
        elif not announcement:
            number = format_order_number(organ, atom.serial, atom.year)
    is_standard = atom is not None and atom.kind == "standard"
    kind = vocabulary().standard if is_standard else (classify_title(title) if title else vocabulary().other)
    if announcement and not title:
        kind = vocabulary().announcement  # a 公告's number says what the document is
    elif atom is not None and atom.kind == "order" and not title:
        kind = vocabulary().order  # 国务院令第708号 alone: the 令 (命令) that promulgated the rule
    if issuer.level is None and title and not unit.incomplete and kind not in number_knowledge().title_level_not_for:
        # 《四川省“十四五”文化和旅游发展规划》: no issuer printed, but the title names its government's region
        issuer = Issuer(issuer.name, _title_level(title, region), issuer.region)
    citation = Citation(
        text=cell[unit.start : unit.end],
        start=unit.start,
        end=unit.end,
        title=title,
        doc_number=number,
        doc_number_printed=unit.number_printed or (atom.text.strip() if atom is not None else None),
        issuer=issuer.name,
        issuer_level=issuer.level,
        kind=kind,
        nested=[normalise_title(t) for t in unit.nested],
        how=unit.how if atom is None or unit.how != "quoted" else "quoted+number",
        doubts=doubts,
        incomplete=unit.incomplete,
    )
    if atom is not None:
        citation.number_form = _number_form(atom, number)
        citation.number_year, citation.number_serial = atom.year, atom.serial
    elif session is not None and unit.title:
        printed = SESSION_NUMBER.search(fold_width(unit.title))
        citation.doc_number_printed = printed.group(0) if printed else session.group(0)
        citation.number_form = "minutes"
        citation.number_year, citation.number_serial = int(session["year"]), int(session["session"])
    if atom is not None and atom.kind in ("order", "announcement") and number is None and not unit.incomplete \
            and citation.number_serial is not None:
        # 《财政部 税务总局关于…的公告》（2023年第1号公告）, 国家发展改革委《…》（第7号令）: the organ is the issuer's
        if citation.issuer and citation.issuer_level is not None and (atom.kind == "order" or atom.year is not None):
            citation.completed_number = (
                format_announcement_number(citation.issuer, atom.year, citation.number_serial) if announcement
                else format_order_number(citation.issuer, citation.number_serial, atom.year))
            doubts.append("number-completed")
        else:
            doubts.append("number-without-organ")
    if citation.number_form == "no-code" and citation.number_year is not None and not unit.incomplete:
        completing = completing_code(citation.issuer)
        if completing and citation.number_serial is not None:
            citation.completed_number = format_doc_number(completing, str(citation.number_year),
                                                          str(citation.number_serial))
            doubts.append("number-completed")
    citation.status, citation.conflict = _link_status(citation, issuer_phrase, code, region)
    if citation.status == "conflicting":
        doubts.append("number-title-conflict")
    return citation


def _title_level(title: str, region: RegionContext | None) -> IssuerLevel | None:
    """The level of the narrowest region a title starts with: 山西省沁水县… → county, 四川省… → province."""
    level = level_from_name(complete_relative(title, region), region)
    place = region_of_name(title, region)
    if place is not None and region is not None:
        rest = title[len(place.name):]
        for name, narrower in ((region.city, "city"), (region.county, "county")):
            if name and rest.startswith(name):
                level, rest = narrower, rest[len(name):]  # type: ignore[assignment]
    return level


def _known_code(agency: str, region: RegionContext | None) -> bool:
    return issuer_from_code(agency, region).level is not None


def _number_form(atom: _Atom, number: str | None) -> NumberForm:
    if atom.kind == "number":
        if not atom.agency:
            return "no-code"
        return "organ-name" if number is None and is_organ_name(atom.agency) else "document"
    return {"order": "order", "standard": "standard", "announcement": "announcement"}.get(  # type: ignore[return-value]
        atom.kind, "registration")


def _issuer_by_name(title: str, region: RegionContext | None) -> Issuer | None:
    """A national law or 行政法规 known by name, or a 地方性法规 named after its region (山西省测绘管理条例)."""
    law = law_by_name(title)
    if law is not None:
        return Issuer(law.issuer, law.level)
    knowledge = number_knowledge()
    core = strip_qualifiers(title)
    if knowledge.local_regulation_issuer and core.endswith(knowledge.local_regulation_endings):
        place = legislating_region(core, region)
        if place is not None:
            return Issuer(knowledge.local_regulation_issuer.format(region=place.name), place.level, place.name)
    return None


def _link_status(citation: Citation, issuer_phrase: str | None, code: str | None,
                 region: RegionContext | None) -> tuple[LinkStatus, str | None]:
    """How the citation identifies its document, and why number and title disagree when they do."""
    if citation.incomplete:  # identified only by a known, whole number: a clipped title may name another
        if citation.doc_number:  # document with the same 关于… words (the issuer was cut off)
            return ("both" if citation.title else "number"), None
        return "unresolved", None
    if citation.doc_number and citation.title:
        conflict = _disagreement(citation, issuer_phrase, code, region)
        return ("conflicting", conflict) if conflict else ("both", None)
    if citation.doc_number:
        return "number", None
    if citation.title:
        return "title", None
    return "unresolved", None


def _disagreement(citation: Citation, issuer_phrase: str | None, code: str | None,
                  region: RegionContext | None) -> str | None:
    """Why the number's 代字 and the title's issuer name different governments, or None when they agree.

    The number side is the 代字's organ or region (kg/data/issuers.csv, region_codes.csv); the title side is the
    issuer printed before or at the start of the title. Different levels, or different provinces, disagree.
    """
    if not code or citation.doc_number is None:
        return None
    by_number = issuer_from_code(code, region)
    named = issuer_phrase or citation.title or ""
    by_title_level = level_from_name(complete_relative(named, region), region) if named else None
    by_title_region = region_of_name(complete_relative(named, region), region) if named else None
    if by_number.level is None or by_title_level is None:
        return None
    number_side = f"{citation.doc_number} is {by_number.name or by_number.region or '?'}'s ({by_number.level})"
    title_side = (f"the title names {issuer_phrase or (by_title_region.name if by_title_region else named[:12])} "
                  f"({by_title_level})")
    if by_number.level != by_title_level:
        return f"{number_side}; {title_side}"
    if by_number.region and by_title_region and by_title_region.level == by_number.level \
            and by_number.region != by_title_region.name:
        return f"{number_side}; {title_side}"
    return None
