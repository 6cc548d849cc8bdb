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

from kg.citations.classify import cites_nothing, classify_title, ends_with_kind_word, is_generic
from kg.citations.models import Citation, RegionContext
from kg.citations.normalise import fold_width, format_doc_number, normalise_title
from kg.citations.regexes import (
    DOC_NUMBER,
    ENUMERATOR,
    LEADING_FILLER,
    STANDARD_CODE,
    STRONG_SEPARATORS,
    TRAILING_FILLER,
    WEAK_SEPARATORS,
)
from kg.citations.resolve import ORGAN_ENDINGS, is_organ_name, resolve_issuer, trim_agency

_OPEN_QUOTES = "《〈"
_CLOSE_QUOTES = "》〉"
_OPEN_BRACKETS = "([〔【（［"
_CLOSE_BRACKETS = ")]〕】）］"
# An article or clause reference after a law's title: 第十四条, 第5条, 第二项.
_ARTICLE = re.compile(r"^第[\d一二三四五六七八九十百零]{1,6}[条项款章]")
_ISSUER_BEFORE_ABOUT = re.compile(r"^(?P<issuer>.{2,60}?)(?:关于|印发|转发)")
_MIN_TITLE_LENGTH = 4
# What is left of a title whose 》 came too early: 《…办法》的通知
_TITLE_TAILS = ("的通知", "的批复", "的意见", "通知")


@dataclass
class _Atom:
    kind: str  # "quote", "number", "standard", "text"
    start: int
    end: int
    text: str
    agency: str | None = None
    number: str | None = None  # normalised
    inner: list[str] = field(default_factory=list)  # titles quoted inside a quote


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


def _pieces(text: str) -> list[tuple[int, int]]:
    """Cut at separators outside 《》 and brackets; list markers (1、 2.) always cut; never inside a number."""
    cuts: set[int] = {m.start() for m in ENUMERATOR.finditer(text)}
    protected = {at for pattern in (DOC_NUMBER, STANDARD_CODE) for m in pattern.finditer(text)
                 for at in range(m.start() + 1, m.end())}
    quote_depth = bracket_depth = 0
    for at, char in enumerate(text):
        if char in _OPEN_QUOTES:
            quote_depth += 1
        elif char in _CLOSE_QUOTES:
            quote_depth = max(0, quote_depth - 1)
        elif char in _OPEN_BRACKETS:
            bracket_depth += 1
        elif char in _CLOSE_BRACKETS:
            bracket_depth = max(0, bracket_depth - 1)
        elif char in STRONG_SEPARATORS and quote_depth == 0:
            cuts.add(at)
            bracket_depth = 0
        elif char in WEAK_SEPARATORS and quote_depth == 0 and bracket_depth == 0 and at not in protected:
            cuts.add(at)
    pieces: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(cuts - protected), len(text)]:
        if cut > start:
            pieces.append((start, cut))
        start = cut
    return pieces


def _quote_spans(text: str, lo: int, hi: int) -> list[tuple[int, int, list[str]]]:
    """Top-level 《…》 in text[lo:hi] with the titles nested in them; an unclosed 《 runs to the end."""
    spans: list[tuple[int, int, list[str]]] = []
    depth, opened, inner_open = 0, -1, -1
    inner: list[str] = []
    for at in range(lo, hi):
        char = text[at]
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
            if depth == 0:
                spans.append((opened, at + 1, inner))
    if depth > 0:
        spans.append((opened, hi, inner))
    return spans


def _atoms(text: str, lo: int, hi: int) -> list[_Atom]:
    quotes = _quote_spans(text, lo, hi)
    covered = [(s, e) for s, e, _ in quotes]

    def inside_quote(at: int) -> bool:
        return any(s < at < e for s, e in covered)

    atoms = [_Atom("quote", s, e, text[s:e], inner=inner) for s, e, inner in quotes]
    for match in DOC_NUMBER.finditer(text, lo, hi):
        if inside_quote(match.start("year")):
            continue  # 《…(2023-2025年)》 or a quoted title's own number: not a citation of its own
        agency = trim_agency(match["agency"] or "")
        start = match.end() - len(match.group(0)) + (len(match["agency"] or "") - len(agency))
        number = format_doc_number(agency, match["year"], match["serial"]) if agency else None
        if agency and is_organ_name(agency):
            number = None
        atoms.append(_Atom("number", start, match.end(), text[start : match.end()], agency=agency or None,
                           number=number))
    for match in STANDARD_CODE.finditer(text, lo, hi):
        if not any(a.start <= match.start() < a.end for a in atoms if a.kind == "number"):
            code = f"{match['code']} {match['number']}-{match['year']}"
            atoms.append(_Atom("standard", match.start(), match.end(), match.group(0), number=code))
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


def _clean_text(fragment: str) -> str:
    fragment = fragment.strip(" \t" + _OPEN_BRACKETS + _CLOSE_BRACKETS + "》〉")
    fragment = LEADING_FILLER.sub("", fragment)
    fragment = _ARTICLE.sub("", fragment)
    return TRAILING_FILLER.sub("", fragment).strip(" \t" + _OPEN_BRACKETS + _CLOSE_BRACKETS)


def _is_organ_phrase(fragment: str) -> bool:
    """中共中央办公厅 / 山西省自然资源厅、山西省发展和改革委员会 / 泽州县人民政府 — names, not titles."""
    parts = [p for p in re.split(r"[、 \t]|及", fragment) if p]
    return bool(parts) and len(fragment) <= 60 and all(p.endswith(ORGAN_ENDINGS) or p in ("中共中央", "国务院",
                                                                                       "山西省委省政府")
                                                       for p in parts)


def _unquoted_title(fragment: str) -> bool:
    if len(fragment) < _MIN_TITLE_LENGTH or is_generic(fragment) or "万元" in fragment or len(fragment) > 120:
        return False
    return ends_with_kind_word(fragment)


def _split_issuer(title: str) -> tuple[str | None, str]:
    """山西省自然资源厅关于…的通知 → (山西省自然资源厅, 山西省自然资源厅关于…的通知); issuer is the lead organ."""
    match = _ISSUER_BEFORE_ABOUT.match(title)
    if match and _is_organ_phrase(match["issuer"].strip()):
        return match["issuer"].strip(), title
    return None, title


def _lead_organ(phrase: str) -> str:
    return re.split(r"[、 \t]|及", phrase.strip())[0]


def _units_of_piece(text: str, lo: int, hi: int, carried_issuer: str | None) -> tuple[list[_Unit], str | None]:
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
            following = atoms[index + 1] if index + 1 < len(atoms) else None
            if not fragment:
                pass
            elif following is not None and following.kind == "quote" and re.search(r"(关于|印发|转发|执行)$",
                                                                                    fragment):
                # 晋城市规划和自然资源局关于印发《…》的通知: the quote is nested in a title printed without 《》
                end_index = index + 1
                tail_end = following.end
                if end_index + 1 < len(atoms) and atoms[end_index + 1].kind == "text":
                    tail = re.match(r"^[》〉]?(的[通知批复意见函]{1,2}》?|的通知)", atoms[end_index + 1].text)
                    if tail:
                        tail_end = atoms[end_index + 1].start + tail.end()
                        atoms[end_index + 1] = _Atom("text", tail_end, atoms[end_index + 1].end,
                                                     text[tail_end : atoms[end_index + 1].end])
                start = atom.start + atom.text.find(fragment[:1])
                title = text[start:tail_end]
                issuer, _ = _split_issuer(title)
                unit = _Unit(start, tail_end, title, pending_issuer or issuer,
                             nested=[following.text.strip("《》〈〉")], how="unquoted-with-nested")
                units.append(unit)
                pending_issuer = None
                index += 2
                continue
            elif _is_organ_phrase(fragment) and "关于" not in fragment:
                pending_issuer = pending_issuer or fragment  # joint issuers: the first named leads
            elif _unquoted_title(fragment) and not is_generic(atom.text):
                start = atom.start + atom.text.find(fragment[:1])
                issuer, _ = _split_issuer(fragment)
                units.append(
                    _Unit(start, start + len(fragment), fragment, pending_issuer or issuer, how="unquoted")
                )
                pending_issuer = None
            elif units and units[-1].number_atom is None and fragment.startswith(_TITLE_TAILS):
                units[-1].end = atom.start + atom.text.find(fragment[:1]) + len(fragment)
                units[-1].title = (units[-1].title or "") + fragment
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
                                                                       whole_number["serial"]) if agency else None)
                units[-1].end = atom.end
                index += 1
                continue
            if len(body) < _MIN_TITLE_LENGTH and classify_title(body) == "other":
                index += 1  # 《十五五》: a quoted term, not a title
                continue
            issuer, _ = _split_issuer(body)
            unit = _Unit(atom.start, atom.end, atom.text, pending_issuer or issuer, nested=list(atom.inner))
            pending_issuer = None
            leading_number = DOC_NUMBER.match(fold_width(body))
            if leading_number and pending_number is None:
                # 《晋农居发〔2014〕4号关于印发…的通知》: the number printed inside the quote, before the title
                agency = trim_agency(leading_number["agency"] or "")
                unit.number_atom = _Atom("number", atom.start + 1, atom.start + 1 + leading_number.end(),
                                         leading_number.group(0), agency=agency or None,
                                         number=format_doc_number(agency, leading_number["year"],
                                                                  leading_number["serial"]) if agency else None)
                unit.title = "《" + body[leading_number.end():] + "》"
            if pending_number is not None:
                unit.number_atom, unit.start = pending_number, pending_number.start
                pending_number = None
            units.append(unit)
            index += 1
            continue
        # a number or a standard code
        previous = units[-1] if units else None
        gap = text[previous.end : atom.start] if previous else ""
        adjacent = previous is not None and len(_clean_text(gap)) == 0 and len(gap) <= 8
        if previous is not None and previous.number_atom is None and adjacent:
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
                fragment = _clean_text(following.text)
                if fragment and not following.text[:1].isspace() and _unquoted_title(fragment):
                    issuer, _ = _split_issuer(fragment)
                    start = following.start + following.text.find(fragment[:1])
                    units.append(_Unit(atom.start, start + len(fragment), fragment, issuer, atom, how="number-first"))
                    pending_number = None
                    index += 2
                    continue
        index += 1
    if pending_number is not None:
        units.append(_Unit(pending_number.start, pending_number.end, None, None, pending_number, how="number-only"))
    return units, pending_issuer


def extract_citations(cell: str, region: RegionContext | None = None) -> list[Citation]:
    """The documents cited in one 立项依据 cell, in the order printed; offsets index ``cell``."""
    text = fold_width(cell)
    if cites_nothing(text):
        return []
    units: list[_Unit] = []
    carried: str | None = None
    pieces = _pieces(text)
    for number, (lo, hi) in enumerate(pieces):
        piece_units, carried = _units_of_piece(text, lo, hi, carried)
        # a lone number after a title-only piece (…的通知,晋市自然资发[2023]267号) belongs to it
        if (
            len(piece_units) == 1 and piece_units[0].how == "number-only" and units
            and units[-1].number_atom is None and units[-1].title
        ):
            units[-1].number_atom, units[-1].end = piece_units[0].number_atom, piece_units[0].end
            continue
        # a number-only piece before a title-only piece, split by a space (自然资源部《2022》41号 自然资源部…的通知)
        if units and units[-1].how == "number-only" and piece_units and piece_units[0].number_atom is None \
                and piece_units[0].title and text[lo:lo + 1].isspace() and number > 0:
            first = piece_units[0]
            first.number_atom, first.start, first.how = units[-1].number_atom, units[-1].start, "number-first"
            units.pop()
        units.extend(piece_units)
    return [_to_citation(cell, unit, region) for unit in units]


def _to_citation(cell: str, unit: _Unit, region: RegionContext | None) -> Citation:
    title = normalise_title(unit.title) if unit.title else None
    if title:
        title = re.sub(r"^(?:根据|依据)+", "", title)
    atom = unit.number_atom
    doubts: list[str] = []
    agency = atom.agency if atom is not None else None
    number = atom.number if atom is not None else None
    if atom is not None and atom.kind == "number" and number is None:
        doubts.append("number-without-code")
    issuer_phrase = _lead_organ(unit.issuer_phrase) if unit.issuer_phrase else None
    issuer = resolve_issuer(issuer_phrase, agency if number else None, region)
    is_standard = atom is not None and atom.kind == "standard"
    kind = "standard" if is_standard else (classify_title(title) if title else "other")
    return Citation(
        text=cell[unit.start : unit.end],
        start=unit.start,
        end=unit.end,
        title=title,
        doc_number=number,
        doc_number_printed=atom.text if atom is not None else None,
        issuer=issuer.name,
        issuer_level=issuer.level,
        kind=kind,
        nested=[normalise_title(t) for t in unit.nested],
        how=unit.how if atom is None or unit.how != "quoted" else "quoted+number",
        doubts=doubts,
    )
