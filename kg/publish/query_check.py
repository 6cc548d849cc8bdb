"""What a SPARQL query text asks for, read before it is run: federation (``SERVICE``) and nesting depth.

The embedded engine fetches any URL a ``SERVICE`` clause names and returns the answer: an endpoint open to
the public would be a proxy into the operator's network (server-side request forgery, port scanning). It
also parses nested groups and expressions recursively, and ten thousand nested brackets overflow its
stack. Neither can be switched off in pyoxigraph, so the server reads the query's tokens first: string
literals, IRIs and comments are skipped (a ``SERVICE`` inside them is text, not a keyword), every other
bracket counts toward the depth. One linear pass over the text; no regular expression that can backtrack.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_NESTING = 64  # real queries nest a handful of groups; the engine's parser overflows near 10,000

# Characters that end a word (a keyword, prefixed name, number) in SPARQL's grammar.
_DELIMITERS = frozenset(" \t\r\n\f\v{}()[];,<>\"'#=!&|*/+^?$@")
_OPEN = frozenset("{([")
_CLOSE = frozenset("})]")
# An IRIREF may not hold these (SPARQL 1.1 grammar, production [139]); "<" followed by one is an operator.
_NOT_IN_IRI = frozenset('<"{}|^`\\') | frozenset(chr(c) for c in range(0x21))
# SPARQL allows \u0053-style escapes anywhere in the text (processed before parsing): read them as characters.
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class QueryShape:
    services: tuple[str, ...]  # the text after each SERVICE keyword (for the message), empty when none
    depth: int  # the deepest bracket nesting outside strings, IRIs and comments

    @property
    def federated(self) -> bool:
        return bool(self.services)


def _skip_string(text: str, start: int) -> int:
    """The index just after the string literal opening at ``start`` (short or long form, with escapes)."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = start + 3
        while end < len(text):
            if text[end] == "\\":
                end += 2
                continue
            if text.startswith(quote * 3, end):
                return end + 3
            end += 1
        return len(text)
    end = start + 1
    while end < len(text):
        char = text[end]
        if char == "\\":
            end += 2
            continue
        if char == quote or char == "\n":
            return end + 1
        end += 1
    return len(text)


def _iri_end(text: str, start: int) -> int | None:
    """The index just after the IRI reference opening at ``start``, or None when ``<`` is an operator here."""
    end = start + 1
    while end < len(text):
        char = text[end]
        if char == ">":
            return end + 1
        if char in _NOT_IN_IRI:
            return None
        end += 1
    return None


def _codepoint(hex_digits: str) -> str:
    value = int(hex_digits, 16)
    return chr(value) if value <= 0x10FFFF else "\ufffd"


def _names_service(word: str) -> bool:
    """Whether a word holds the SERVICE keyword: ``SERVICE``, ``}.SERVICE``, ``1.SERVICE`` (a "." can end a
    triple pattern with no space), but not a prefixed name (``service:x``, ``ex:SERVICE``, ``ex:a.service``)."""
    parts = word.split(".")
    for index, part in enumerate(parts):
        if ":" in part:
            return False  # from here on the word is a prefixed name; its local part is a name
        if part.lower() == "service" and (index + 1 == len(parts) or ":" not in parts[index + 1]):
            return True
    return False


def inspect_query(text: str) -> QueryShape:
    """The query's SERVICE clauses and nesting depth (a lexical reading: the text need not be valid SPARQL)."""
    text = _CODEPOINT.sub(lambda m: _codepoint(m[1] or m[2]), text)
    services: list[str] = []
    depth = deepest = 0
    index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            index = length if newline < 0 else newline + 1
        elif char in "\"'":
            index = _skip_string(text, index)
        elif char == "<":
            index = _iri_end(text, index) or index + 1
        elif char in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
            index += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
            index += 1
        elif char in "?$@":  # a variable (?service) or a language tag: a name, never a keyword
            index += 1
            while index < length and text[index] not in _DELIMITERS and text[index] != ".":
                index += 1
        elif char in _DELIMITERS:
            index += 1
        else:
            end = index
            while end < length and text[end] not in _DELIMITERS:
                end += 1
            if _names_service(text[index:end]):
                services.append(text[end:end + 80].strip().split("{")[0].strip())
            index = end
    return QueryShape(tuple(services), deepest)
