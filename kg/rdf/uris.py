"""Deterministic, readable URIs for every node the builder mints.

A URI depends only on what identifies the thing (a code, a name, a year, a file's checksum), never on the
order records arrive in or on the machine, so building the same inputs twice gives the same graph and the
same function code, policy document or township is one node whatever document mentions it.

Names stay readable: Chinese characters are kept (the result is an IRI, RFC 3987) and only characters
that are not letters or digits are percent-encoded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.records import Span

from .namespaces import DEFAULT_BASE

_SPACES = re.compile(r"\s+")
_LINE_FRAGMENT = re.compile(r"#line=(\d{1,9}),(\d{1,9})$")
_UNRESERVED_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~()")


@lru_cache(maxsize=16384)  # the same codes, names and numbers are minted many times per disclosure
def slug(text: str) -> str:
    """A path segment for ``text``: NFKC-normalised, spaces removed, non-alphanumerics percent-encoded.

    Spaces are removed rather than encoded because they come from line wraps in the PDFs
    ("国有资本经营 预算支出"), not from the names themselves.
    """
    text = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    out: list[str] = []
    for char in text:
        if char in _UNRESERVED_ASCII or (ord(char) > 127 and unicodedata.category(char)[0] in "LN"):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out) or "_"


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
    def project(self, department: str, fiscal_year: int | None, name: str) -> str:
        return self.projects_of(department, fiscal_year) + slug(name)

    def projects_of(self, department: str, fiscal_year: int | None) -> str:
        """The IRI prefix of a department's projects of one year; what follows it keys a project in its disclosure."""
        department_key = str(department)[len(self.base) :].removeprefix("org/")
        return self.base + "/".join(("project", department_key, str(fiscal_year or "unknown-year"))) + "/"

    @staticmethod
    def expenditure_line(disclosure: str, code: str) -> str:
        return f"{disclosure}/expenditure/{slug(code)}"

    @staticmethod
    def three_public(disclosure: str, item: str) -> str:
        return f"{disclosure}/three-public/{item.replace('_', '-')}"

    @staticmethod
    def funding(disclosure: str, project_key: str, source: str) -> str:
        # project_key: the project's key within the disclosure (its name), not its whole IRI
        return f"{disclosure}/funding/{project_key}/{source}"

    @staticmethod
    def performance(disclosure: str, key: str) -> str:
        return f"{disclosure}/performance/{key}"

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
