"""Deterministic, readable URIs for every node the builder mints.

A URI depends only on what identifies the thing (a code, a name, a year, a file's checksum), never on the
order records arrive in or on the machine, so building the same inputs twice gives the same graph and the
same function code, policy document or township is one node whatever document mentions it.

Names stay readable: the result is an IRI (RFC 3987), so every visible character an IRI allows is kept as it
is — Chinese characters and Chinese punctuation (〔2021〕, “两高”, 、, 《》) — and only ASCII other than
letters, digits and ``-._~()`` (``/`` above all), spaces, controls and invisible characters are percent-encoded.

What a disclosure prints is named under the disclosure, by its code or item where the table prints one
(``…/expenditure/2080502``, ``…/three-public/official-reception``) and otherwise by the line it is printed on,
which the disclosure's checksum fixes: ``…/performance/1003`` (the table whose title is line 1003),
``…/indicator/1015``, ``…/project/512`` and ``…/funding/512/general_budget`` (the 项目支出表 row of line 512:
the project as this disclosure prints it, and one of its fund sources), ``…/citation/1007/晋税发〔2021〕55号``
(the document that line cites; a document known by title only is ``《title》``). What exists beyond one
disclosure — a unit's project of a year, policy documents, codes, places, organisations — is named by its own
names and codes. docs/iris.md has the whole scheme and what changed in round 8.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from kg.records import Span

from .namespaces import DEFAULT_BASE

_SPACES = re.compile(r"\s+")
_LINE_FRAGMENT = re.compile(r"#line=(\d{1,9}),(\d{1,9})$")
_UNRESERVED_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~()")
# RFC 3987 ucschar: the non-ASCII code points an IRI may hold unescaped (private use and specials are not)
_UCSCHAR = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF), *((plane, plane + 0xFFFD) for plane in
            range(0x10000, 0xE0000, 0x10000)), (0xE1000, 0xEFFFD))
# letters, digits, punctuation and symbols: what a reader sees (marks, spaces, controls and format characters
# such as a zero-width space are encoded)
_VISIBLE_CATEGORIES = frozenset("LNPS")


def _kept(char: str) -> bool:
    """Whether ``char`` stands unescaped in a minted IRI's path segment."""
    if char in _UNRESERVED_ASCII:
        return True
    code = ord(char)
    return (code > 127 and unicodedata.category(char)[0] in _VISIBLE_CATEGORIES
            and any(low <= code <= high for low, high in _UCSCHAR))


def _legacy_kept(char: str) -> bool:
    """The segment rule of graphs built before round 8: only ASCII unreserved characters and non-ASCII letters
    and digits stand unescaped."""
    return char in _UNRESERVED_ASCII or (ord(char) > 127 and unicodedata.category(char)[0] in "LN")


def _encoded(text: str, kept: Callable[[str], bool]) -> str:
    """``text`` with every character ``kept`` refuses written as its UTF-8 bytes, percent-encoded."""
    return "".join(char if kept(char) else "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
                   for char in text)


def iri_segment(text: str) -> str:
    """``text`` as one IRI path segment: what ``_kept`` allows as it is, every other character's UTF-8 bytes
    percent-encoded (so ``/`` in a name stays ``%2F`` and cannot split the path)."""
    return _encoded(text, _kept)


def legacy_segment(text: str) -> str:
    """The segment rule of graphs built before round 8, which encoded every non-ASCII character that is not a
    letter or digit (“ ” 〔 〕 、 as ``%E2%80%9C`` …): what a reader of an old graph's IRIs must still match."""
    return _encoded(text, _legacy_kept)


@lru_cache(maxsize=16384)  # the same codes, names and numbers are minted many times per disclosure
def slug(text: str) -> str:
    """A path segment for ``text``: NFKC-normalised, spaces removed, then ``iri_segment``.

    Spaces are removed rather than encoded because they come from line wraps in the PDFs
    ("国有资本经营 预算支出"), not from the names themselves.
    """
    return iri_segment(_SPACES.sub("", unicodedata.normalize("NFKC", text))) or "_"


class Minter:
    """Mints the IRIs (plain strings) of one build under a configurable base."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def _iri(self, *segments: str) -> str:
        return self.base + "/".join(segments)

    # documents and their provenance --------------------------------------------------------------
    def disclosure(self, fiscal_year: int | None, sha256: str) -> str:
        # the file's checksum identifies the document; a revised edition is a different disclosure
        return self._iri("disclosure", str(fiscal_year or "unknown-year"), sha256[:16])

    @staticmethod
    def lines(disclosure: str, span: Span) -> str:
        # RFC 5147 text fragment: line boundaries count from 0, so lines 10..12 (1-based) are "line=9,12"
        return f"{disclosure}#line={span.first_line - 1},{span.last_line}"

    @staticmethod
    def line_range(lines: str) -> tuple[int, int] | None:
        """The 1-based first and last line of a ``bkg:SourceLines`` IRI (the inverse of ``lines``), else None.

        The graph states no bkg:firstLine / bkg:lastLine: the fragment is the selector, and this reads it."""
        fragment = _LINE_FRAGMENT.search(lines)
        return None if fragment is None else (int(fragment[1]) + 1, int(fragment[2]))

    @staticmethod
    def dataset(disclosure: str, table: str) -> str:
        return f"{disclosure}/dataset/{table}"

    # organisations --------------------------------------------------------------------------------
    def organisation(self, name: str, region_code: str | None) -> str:
        # region + name: county names repeat across provinces (城区, 郊区), so the division code comes first
        if region_code:
            return self._iri("org", region_code, slug(name))
        return self._iri("org", slug(name))

    def issuer(self, name: str) -> str:
        return self._iri("issuer", slug(name))

    # budget records -------------------------------------------------------------------------------
    def project(self, owner: str, fiscal_year: int | None, name: str) -> str:
        """A unit's project of one year (``bkg:UnitProject``), under the organisation that runs it (``owner``: its
        预算单位's IRI where the disclosure names one, else the department's): ``project/<region>/<unit>/<year>/
        <name>``, so a 部门预算's row and the unit's own 单位预算 name one project, and two units' same-named
        projects stay two. What a disclosure prints of it is on its ``disclosure_project``."""
        return self.projects_of(owner, fiscal_year) + slug(name)

    @staticmethod
    def disclosure_project(disclosure: str, row_key: str) -> str:
        """A project as one disclosure prints it (``bkg:Project``: its amount, table, 立项依据 there), keyed by the
        line of its 项目支出表 row, or of its 绩效目标表's title for a project printed only there (row_key_of): two
        disclosures printing one project (a 预算 and its 决算, a 部门预算 and the unit's 单位预算) give two
        nodes, each ``bkg:unitProject`` the one ``project`` node, so no figure of one is read as the other's."""
        return f"{disclosure}/project/{row_key}"

    def projects_of(self, owner: str, fiscal_year: int | None) -> str:
        """The IRI prefix of an organisation's projects of one year: ``owner``'s IRI after ``org/``, then the year."""
        owner_key = str(owner)[len(self.base) :].removeprefix("org/")
        return self.base + "/".join(("project", owner_key, str(fiscal_year or "unknown-year"))) + "/"

    @staticmethod
    def expenditure_line(disclosure: str, code: str) -> str:
        return f"{disclosure}/expenditure/{slug(code)}"

    @staticmethod
    def three_public(disclosure: str, item: str) -> str:
        return f"{disclosure}/three-public/{item.replace('_', '-')}"

    @staticmethod
    def funding(disclosure: str, row_key: str, source: str) -> str:
        # row_key: the line of the project's 项目支出表 row (row_key_of), not the project's name
        return f"{disclosure}/funding/{row_key}/{source}"

    @staticmethod
    def performance(disclosure: str, table_key: str) -> str:
        # table_key: the line of the table's title (or first line), row_key_of
        return f"{disclosure}/performance/{table_key}"

    @staticmethod
    def citation(disclosure: str, line_key: str, document_key: str) -> str:
        """A project's citation of one document: keyed by the line the 立项依据 is printed on and the
        document's ``citation_document_key`` (``…/citation/1007/晋税发〔2021〕55号``)."""
        return f"{disclosure}/citation/{line_key}/{document_key}"

    @staticmethod
    def citation_document_key(document: str) -> str:
        """The document part of a citation's IRI: its 文号 as in the document's IRI, or its title in 《》."""
        kind, _, key = document.rpartition("/policy/")[2].partition("/")
        return key if kind == "no" else f"《{key}》"

    @staticmethod
    def row_key_of(line: int, taken: set[str]) -> str:
        """The key of something printed from ``line`` (1-based) that is not in ``taken``: ``"512"``, else a second
        thing read from that line ``"512-2"``, ``"512-3"`` … (the document's order decides which is which).
        The key is added to ``taken``."""
        key, seen = str(line), 1
        while key in taken:
            seen += 1
            key = f"{line}-{seen}"
        taken.add(key)
        return key

    # classifications ------------------------------------------------------------------------------
    def function_scheme(self, fiscal_year: int | None) -> str:
        return self._iri("classification", "function", str(fiscal_year or "unknown-year"))

    def function_code(self, fiscal_year: int | None, code: str) -> str:
        return f"{self.function_scheme(fiscal_year)}/{slug(code)}"

    def function_level(self, fiscal_year: int | None, depth: int) -> str:
        return f"{self.function_scheme(fiscal_year)}/level/{depth}"

    def function_levels_list(self, fiscal_year: int | None, depth: int) -> str:
        # named list cells (not blank nodes) keep the N-Triples byte-identical across runs
        return f"{self.function_scheme(fiscal_year)}/levels/{depth}"

    # policy documents -----------------------------------------------------------------------------
    def policy_document(self, number: str | None, title: str | None) -> str:
        if number:
            return self._iri("policy", "no", slug(number))
        if title:
            return self._iri("policy", "title", slug(title))
        raise ValueError("a policy document needs a normalised number or title")

    def document_kind(self, kind: str) -> str:
        return self._iri("document-kind", slug(kind))

    def document_kind_scheme(self) -> str:
        return self._iri("document-kind")

    # places ---------------------------------------------------------------------------------------
    def place(self, code: str) -> str:
        return self._iri("place", slug(code))

    def place_scheme(self) -> str:
        return self._iri("place")
