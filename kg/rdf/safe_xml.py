"""Refuse RDF/XML that declares entities: the one part of XML that makes a small file arbitrarily large.

An internal entity defined ten times over itself nine levels deep (“billion laughs”) expands a 1 KB file
to a gigabyte: validating one took 9 GB and a minute with the Oxigraph engine and hung rdflib's parser. An
external entity (``SYSTEM "file:///etc/passwd"``) reads local files or fetches URLs. budget-kg writes no
DOCTYPE, and RDF/XML needs none, so a graph file with entity declarations or an external DTD is refused
with one line naming it, before any parser sees it. The check reads only the prolog (what comes before the
root element, where a DOCTYPE must be), so it costs nothing on large files.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import BudgetKGError

XML_SUFFIXES = frozenset({".rdf", ".owl", ".xml", ".rdfxml"})
PROLOG_BYTES = 1 << 20  # a DOCTYPE longer than this is itself a reason to refuse


class UnsafeXMLError(BudgetKGError, ValueError):
    """An RDF/XML file that declares entities or names an external DTD."""


def _prolog(data: bytes) -> bytes:
    """The bytes before the root element: declarations, comments, processing instructions and the DOCTYPE."""
    index = 0
    while True:
        start = data.find(b"<", index)
        if start < 0 or start + 1 >= len(data):
            return data
        following = data[start + 1:start + 2]
        if following in (b"?", b"!"):
            if data.startswith(b"<!--", start):
                end = data.find(b"-->", start)
                index = len(data) if end < 0 else end + 3
            elif data.startswith(b"<!DOCTYPE", start):
                return data[start:]  # the DOCTYPE and what follows: the caller looks inside
            else:
                end = data.find(b">", start)
                index = len(data) if end < 0 else end + 1
        else:
            return data[:start]


def check_xml_bytes(data: bytes, file: str) -> None:
    """Raise UnsafeXMLError when the document's prolog declares entities or an external DTD."""
    head = data[:PROLOG_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: read its characters as UTF-8 bytes
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    prolog = _prolog(head)
    if not prolog.lstrip().startswith(b"<!DOCTYPE"):
        return
    upper = prolog.upper()
    if b"<!ENTITY" in upper:
        raise UnsafeXMLError(file, "RDF/XML with entity declarations is refused (they can expand a small file "
                             "without bound); remove the DOCTYPE", code="xml-entities")
    doctype_end = upper.find(b">")
    declaration = upper[:doctype_end if doctype_end >= 0 else len(upper)]
    if b" SYSTEM" in declaration or b" PUBLIC" in declaration:
        raise UnsafeXMLError(file, "RDF/XML naming an external DTD is refused (it would read other files or "
                             "URLs); remove the DOCTYPE", code="xml-external-dtd")


def check_rdf_file(path: str | Path) -> None:
    """For an RDF/XML file (by its ending), refuse entity declarations and external DTDs; others pass."""
    path = Path(path)
    if path.suffix.lower() not in XML_SUFFIXES or not path.is_file():
        return
    with open(path, "rb") as handle:
        check_xml_bytes(handle.read(PROLOG_BYTES), str(path))
