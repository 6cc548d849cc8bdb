"""The printed text an entity was read from, as its provenance in the graph gives it.

An extracted node points with ``prov:wasDerivedFrom`` to one ``bkg:SourceLines`` node per span: the
disclosure's IRI with an RFC 5147 fragment (``#line=9,12`` = lines 10–12: the lines are read from it),
``oa:hasSource`` the disclosure (whose ``bkg:sourceFile`` names the file) and ``bkg:printedText``, the lines as
printed. Pages show that text, so "traceable to the line" holds in the browser. A graph built before
``bkg:printedText`` existed still gives file and lines (from the fragment, or the older ``bkg:firstLine`` /
``bkg:lastLine``), without text.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.rdf.uris import Minter

BKG = "https://w3id.org/budget-kg/ontology#"
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"
OA_SOURCE = "http://www.w3.org/ns/oa#hasSource"
MAX_SPANS = 20  # a code printed in every table of every year would list dozens


@dataclass(frozen=True)
class SourceSpan:
    iri: str
    file: str
    first: int  # 1-based, inclusive
    last: int
    text: str | None  # the lines as printed, when the graph holds them

    @property
    def lines(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"


def _value(store: ox.Store, subject: ox.NamedNode, predicate: str) -> str | None:
    quad = next(store.quads_for_pattern(subject, ox.NamedNode(predicate), None), None)
    return None if quad is None else quad.object.value


def source_spans(store: ox.Store, derived_from: list[ox.Term]) -> list[SourceSpan]:
    """The spans among ``derived_from`` (the objects of an entity's prov:wasDerivedFrom), sorted by file and line;
    objects that are not source spans (a disclosure, another entity) are skipped."""
    found = []
    for span in derived_from:
        if not isinstance(span, ox.NamedNode):
            continue
        lines = Minter.line_range(span.value)
        if lines is None:  # a build before line fragments stated the lines as properties
            first, last = _value(store, span, BKG + "firstLine"), _value(store, span, BKG + "lastLine")
            if first is None:
                continue
            lines = int(first), int(last or first)
        source = _value(store, span, OA_SOURCE) or span.value.split("#", 1)[0]
        file = _value(store, ox.NamedNode(source), BKG + "sourceFile") or source
        found.append(SourceSpan(span.value, file, *lines, _value(store, span, BKG + "printedText")))
    return sorted(found, key=lambda s: (s.file, s.first, s.last))[:MAX_SPANS]


def entity_spans(store: ox.Store, outgoing: list[ox.Triple]) -> list[SourceSpan]:
    return source_spans(store, [t.object for t in outgoing if t.predicate.value == DERIVED_FROM])
