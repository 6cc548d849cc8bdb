"""Turn one ``Disclosure`` (plus optional citations, places and totals) into an RDF graph.

The builder makes no rdflib object: a triple is three strings, the subject and predicate IRIs as they are and
the object either an IRI or a literal already in its N-Triples form (it begins with ``"``; an IRI never does),
so writing a line is one join. rdflib's ``URIRef``/``Literal`` construction and turning them back into text
was 70 % of the graph stage. ``BuildResult.graph`` still gives an rdflib ``Graph`` for callers that want its
API; bulk loading streams the sorted N-Triples of many disclosures into pyoxigraph. The builder has no side
effects and mints no blank nodes, so the same inputs always give byte-identical sorted N-Triples.

Every extracted node gets ``prov:wasDerivedFrom`` the ``bkg:SourceLines`` resource (an ``oa:SpecificResource``
whose IRI carries an RFC 5147 line fragment, with the printed text) of the lines it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.entities.three_public import ITEM_TERMS
from kg.entities.units import full_unit_name, unit_key
from kg.records import Disclosure, Notice, PerformanceTable, ProjectRow, Span

from .inputs import BasisCitation, BudgetTotals, Place, PlaceLinks, PolicyDocumentRef
from .namespaces import (
    ADMINISTRATIVE_LEVEL_IRIS,
    CURRENCY_CNY_IRI,
    DEFAULT_BASE,
    FUND_SOURCE_IRIS,
    NAMESPACE_IRIS,
    bind_prefixes,
    year_iri_text,
)
from .uris import Minter, slug

if TYPE_CHECKING:
    from rdflib import Graph, Literal


class _Terms:
    """A namespace whose terms are plain IRI strings, each made once (no rdflib: the builder writes text)."""

    def __init__(self, iri: str) -> None:
        self._iri = iri

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        term = self._iri + name
        setattr(self, name, term)
        return term


BKG, CITO, DCTERMS, ELI, FOAF, OA, OBEU_ATTRIBUTE, OBEU_DIMENSION, ORG, PROV, QB, RDF, RDFS, SCHEMA, SKOS, XKOS, XSD = (
    _Terms(NAMESPACE_IRIS[prefix]) for prefix in ("bkg", "cito", "dct", "eli", "foaf", "oa", "obeu-attribute",
                                                  "obeu-dimension", "org", "prov", "qb", "rdf", "rdfs", "schema",
                                                  "skos", "xkos", "xsd"))
_CURRENCY_CNY = CURRENCY_CNY_IRI
_FUND_SOURCES = FUND_SOURCE_IRIS
_LEVELS = ADMINISTRATIVE_LEVEL_IRIS

# 科目编码 levels: digits → (XKOS depth, level name). 类 3 digits, 款 5, 项 7.
CODE_LEVELS: dict[int, tuple[int, str, str]] = {3: (1, "类", "class"), 5: (2, "款", "section"), 7: (3, "项", "item")}
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")
_PLACE_CLASSES = {"province": BKG.Province, "city": BKG.City, "county": BKG.County, "township": BKG.Township}

# (subject IRI, predicate IRI, object): the object an IRI, or a literal in N-Triples form (it begins with '"')
Triple = tuple[str, str, str]


@dataclass
class BuildResult:
    triples: set[Triple]
    notices: list[Notice] = field(default_factory=list)

    @property
    def graph(self) -> Graph:
        """The triples in an rdflib ``Graph`` (built on each access: keep the result if you need it twice)."""
        from rdflib import Graph

        graph = bind_prefixes(Graph())
        for triple in self.triples:
            graph.add(rdflib_triple(triple))
        return graph

    def ntriples(self) -> str:
        """Sorted N-Triples (see ``ntriples_text``)."""
        return ntriples_text(self.triples)


def decimal_literal(amount: Decimal) -> Literal:
    """xsd:decimal in its canonical lexical form, so 7500.00万元 and 75000000元 give the same triple."""
    from rdflib import Literal, URIRef

    return Literal(_decimal_text(amount), datatype=URIRef(XSD.decimal))


def _decimal_text(amount: Decimal) -> str:
    text = format(amount, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@lru_cache(maxsize=8192)
def clean_label(text: str) -> str:
    """A printed name with line-wrap spaces between Chinese characters removed."""
    return _CJK_GAP.sub("", unicodedata.normalize("NFC", text)).strip()


def disclosure_graph(
    disclosure: Disclosure,
    base: str = DEFAULT_BASE,
    citations: Sequence[BasisCitation] | None = None,
    places: PlaceLinks | None = None,
    totals: BudgetTotals | None = None,
) -> Graph:
    """The RDF graph of one disclosure. See ``build_disclosure`` for the notices the build raises."""
    return build_disclosure(disclosure, base, citations, places, totals).graph


def build_disclosure(
    disclosure: Disclosure,
    base: str = DEFAULT_BASE,
    citations: Sequence[BasisCitation] | None = None,
    places: PlaceLinks | None = None,
    totals: BudgetTotals | None = None,
    printed: Mapping[int, str] | None = None,
) -> BuildResult:
    """The disclosure's triples. ``printed`` is each line's text as printed, by line number, when the disclosure's
    source no longer holds its lines (kg.build's phase 1 keeps only that); by default the source's lines."""
    builder = _Builder(disclosure, Minter(base), places or PlaceLinks(), printed)
    builder.build(citations or (), totals)
    return BuildResult(builder.triples, builder.notices)


# literals in N-Triples form -------------------------------------------------------------------------------
def _quoted(text: str) -> str:
    # The escapes rdflib's N-Triples writer makes (UTF-8 output, so no \\u escapes), kept byte-identical.
    return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'


_INTEGER, _BOOLEAN, _DECIMAL = (f"^^<{XSD.integer}>", f"^^<{XSD.boolean}>", f"^^<{XSD.decimal}>")
_TRUE, _FALSE = '"true"' + _BOOLEAN, '"false"' + _BOOLEAN


def _text(text: str) -> str:
    return _quoted(text)


def _lang(text: str, lang: str) -> str:
    return f"{_quoted(text)}@{lang}"


def _int(number: int) -> str:
    return f'"{int(number)}"{_INTEGER}'


def _bool(value: bool) -> str:
    return _TRUE if value else _FALSE


def _decimal(amount: Decimal) -> str:
    return f'"{_decimal_text(amount)}"{_DECIMAL}'


_ESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"n": "\n", "r": "\r"}


def lexical(term: str) -> str:
    """The value of a term as text: an IRI as is, a literal's lexical form without quotes, tag or escapes."""
    if not term.startswith('"'):
        return term
    body = term[1 : term.rindex('"')]
    return _ESCAPE.sub(lambda m: _UNESCAPED.get(m[1], m[1]), body) if "\\" in body else body


def rdflib_triple(triple: Triple) -> tuple[object, object, object]:
    """A builder triple as rdflib terms."""
    from rdflib import Literal, URIRef

    subject, predicate, obj = triple
    if not obj.startswith('"'):
        return URIRef(subject), URIRef(predicate), URIRef(obj)
    end = obj.rindex('"')
    value, suffix = lexical(obj), obj[end + 1 :]
    if suffix.startswith("@"):
        literal = Literal(value, lang=suffix[1:])
    elif suffix.startswith("^^<"):
        literal = Literal(value, datatype=URIRef(suffix[3:-1]))
    else:
        literal = Literal(value)
    return URIRef(subject), URIRef(predicate), literal


# N-Triples -----------------------------------------------------------------------------------------------
def ntriples_line(triple: Triple) -> str:
    subject, predicate, obj = triple
    if obj.startswith('"'):
        return f"<{subject}> <{predicate}> {obj} ."
    return f"<{subject}> <{predicate}> <{obj}> ."


def ntriples_text(triples: Iterable[Triple]) -> str:
    """Builder triples as N-Triples, lines sorted: the canonical form compared across runs and machines."""
    lines = sorted(map(ntriples_line, set(triples)))
    return "\n".join(lines) + "\n" if lines else "\n"


def _rdflib_ntriples_term(term: object) -> str:
    from rdflib import Literal, URIRef

    if isinstance(term, Literal):
        if term.language:
            return f"{_quoted(term)}@{term.language}"
        if term.datatype:
            return f"{_quoted(term)}^^<{term.datatype}>"
        return _quoted(term)
    if isinstance(term, URIRef):
        return f"<{term}>"
    raise TypeError(f"no blank nodes or other terms in a budget-kg graph: {term!r}")


def sorted_ntriples(triples: Graph | Iterable[tuple[object, object, object]]) -> str:
    """rdflib triples (a ``Graph``) as N-Triples, lines sorted, with the escapes the builder writes."""
    lines = {f"<{s}> <{p}> {_rdflib_ntriples_term(o)} ." for s, p, o in triples}  # type: ignore[misc]
    return "\n".join(sorted(lines)) + "\n" if lines else "\n"


def builder_triples(graph: Graph) -> set[Triple]:
    """An rdflib graph's triples in the builder's form."""
    out: set[Triple] = set()
    for subject, predicate, obj in graph:
        text = _rdflib_ntriples_term(obj)
        out.add((str(subject), str(predicate), text[1:-1] if text.startswith("<") else text))
    return out


@dataclass(frozen=True)
class CodeVersion:
    """One fiscal year's 科目编码 concept, as ``classification_links`` needs it."""

    concept: str
    notation: str
    labels: frozenset[str]


def function_codes(triples: Iterable[Triple]) -> list[CodeVersion]:
    """The ``bkg:FunctionCode`` concepts among builder ``triples``, with their notation and cleaned labels."""
    typed: set[str] = set()
    notations: dict[str, str] = {}
    labels: dict[str, set[str]] = {}
    rdf_type, function_code, notation, pref_label = RDF.type, BKG.FunctionCode, SKOS.notation, SKOS.prefLabel
    for subject, predicate, obj in triples:
        if predicate == rdf_type:
            if obj == function_code:
                typed.add(subject)
        elif predicate == notation:
            notations[subject] = lexical(obj)
        elif predicate == pref_label:
            labels.setdefault(subject, set()).add(clean_label(lexical(obj)))
    return [CodeVersion(concept, notations[concept], frozenset(labels.get(concept, ())))
            for concept in sorted(typed) if concept in notations]


def classification_links(codes: Iterable[CodeVersion]) -> set[Triple]:
    """``skos:exactMatch`` between the same function code in different fiscal years' schemes.

    Needs every year at once (a per-disclosure graph knows only its own year), so the build collects
    ``function_codes`` from each disclosure and links them here. Codes whose Chinese labels differ
    between years get ``skos:closeMatch`` instead: the code was kept but its meaning may have been
    redefined, which a reader should check.
    """
    merged: dict[str, tuple[str, set[str]]] = {}
    for code in codes:  # the same concept comes from every disclosure of its year
        merged.setdefault(code.concept, (code.notation, set()))[1].update(code.labels)
    by_code: dict[str, list[tuple[str, set[str]]]] = {}
    for concept in sorted(merged):
        notation, labels = merged[concept]
        by_code.setdefault(notation, []).append((concept, labels))
    links: set[Triple] = set()
    for versions in by_code.values():
        for index, (concept, labels) in enumerate(versions):
            for other, other_labels in versions[index + 1 :]:
                same = not labels or not other_labels or bool(labels & other_labels)
                relation = SKOS.exactMatch if same else SKOS.closeMatch
                links.add((concept, relation, other))
                links.add((other, relation, concept))
    return links


def link_classification_years(graph: Graph) -> Graph:
    """``classification_links`` of the function codes in an rdflib graph holding several years."""
    from rdflib import Graph

    links = bind_prefixes(Graph())
    for triple in classification_links(function_codes(builder_triples(graph))):
        links.add(rdflib_triple(triple))
    return links


class _Builder:
    def __init__(self, disclosure: Disclosure, mint: Minter, places: PlaceLinks,
                 printed: Mapping[int, str] | None = None) -> None:
        self.d = disclosure
        self.mint = mint
        self.places = places
        self.triples: set[Triple] = set()
        self.notices: list[Notice] = []
        self.year = disclosure.fiscal_year
        self.phase = BKG.FinalAccounts if disclosure.phase == "final" else BKG.ApprovedBudget
        self.node = mint.disclosure(disclosure.fiscal_year, disclosure.source.sha256)
        self.raw_by_line = printed if printed is not None else {line.number: line.raw
                                                                for line in disclosure.source.lines}
        self.region_code = places.region.code if places.region else None
        self.project_at: dict[int, str] = {}  # the line a project is listed on (ProjectLine) → its node
        # a project's name → (its unit, its node), current-year rows first: a name names one project only when no
        # two units print it
        self.projects_named: dict[str, list[tuple[str, str]]] = {}
        self.project_nodes: set[str] = set()  # the unit projects (bkg:UnitProject) minted so far
        self.unit_projects: dict[str, str] = {}  # this disclosure's project → the unit's project it prints
        self.spans: set[str] = set()
        # keys already given under …/indicator/, …/project/ (and its …/funding/), …/performance/ and …/citation/
        # (Minter.row_key_of)
        self.indicator_keys: set[str] = set()
        self.row_keys: set[str] = set()
        self.table_keys: set[str] = set()
        self.citation_lines: dict[str, set[str]] = {}  # document key → line keys its citations took
        self.citations: dict[tuple[str, str], str] = {}  # (project, document key) → the citation's node

    # helpers ----------------------------------------------------------------------------------------
    def add(self, subject: str, predicate: str, obj: str | None) -> None:
        """Add a triple; ``obj`` is an IRI or a literal made by ``_text``, ``_lang``, ``_int``… (None: nothing)."""
        if obj is not None:
            self.triples.add((subject, predicate, obj))

    def notice(self, line: int | None, code: str, message: str, severity: str = "warning") -> None:
        self.notices.append(Notice(self.d.source.name, line, code, message, severity))  # type: ignore[arg-type]

    def source_lines(self, span: Span) -> str:
        """The one ``bkg:SourceLines`` node of ``span``, shared by every fact read from those lines.

        Its IRI is the disclosure's with an RFC 5147 fragment (``#line=9,12``: line boundaries count from 0, so
        that is lines 10..12), which is the selector itself: no selector nodes. ``oa:SpecificResource`` follows
        from ``bkg:SourceLines``' place in the ontology and is not repeated on every span, nor are
        ``bkg:firstLine`` / ``bkg:lastLine``: the fragment states them (``Minter.line_range`` reads it back).
        """
        lines = self.mint.lines(self.node, span)
        if lines in self.spans:
            return lines
        self.spans.add(lines)
        self.add(lines, RDF.type, BKG.SourceLines)
        self.add(lines, OA.hasSource, self.node)  # Web Annotation: a SpecificResource has its source
        printed = [self.raw_by_line[n] for n in range(span.first_line, span.last_line + 1) if n in self.raw_by_line]
        if any(text.strip() for text in printed):
            self.add(lines, BKG.printedText, _text("\n".join(printed)))
        return lines

    def derived(self, node: str, span: Span | None) -> None:
        """``prov:wasDerivedFrom`` the lines ``node`` was read from, else (no span) the disclosure itself: the
        disclosure of a span is its ``oa:hasSource``, so it is not stated twice."""
        self.add(node, PROV.wasDerivedFrom, self.source_lines(span) if span is not None else self.node)

    def observation_common(self, node: str, printed_unit: str) -> None:
        self.add(node, RDF.type, QB.Observation)
        self.add(node, BKG.disclosure, self.node)
        self.add(node, OBEU_ATTRIBUTE.currency, _CURRENCY_CNY)
        self.add(node, BKG.printedUnit, _text(printed_unit))
        if self.year is not None:
            self.add(node, OBEU_DIMENSION.fiscalYear, year_iri_text(self.year))

    # the build --------------------------------------------------------------------------------------
    def build(self, citations: Iterable[BasisCitation], totals: BudgetTotals | None) -> None:
        self.build_disclosure_node(totals)
        self.department, self.publisher = self.build_organisations()
        self.build_expenditure_lines()
        self.build_three_public()
        self.build_projects()
        self.build_performance()
        for citation in citations:
            self.build_citation(citation)
        self.build_places()

    def build_disclosure_node(self, totals: BudgetTotals | None) -> None:
        d, node = self.d, self.node
        self.add(node, RDF.type, BKG.Disclosure)
        self.add(node, RDF.type, PROV.Entity)
        self.add(node, DCTERMS.title, _text(d.title) if d.title else None)
        self.add(node, BKG.fiscalYear, _int(d.fiscal_year) if d.fiscal_year is not None else None)
        self.add(node, BKG.sourceFile, _text(d.source.name))
        self.add(node, BKG.sourceSha256, _text(d.source.sha256))
        self.add(node, BKG.scope, _text(d.scope) if d.scope else None)
        self.add(node, BKG.budgetPhase, self.phase)
        if totals is not None:
            if totals.revenue_total is not None:
                self.add(node, BKG.revenueTotal, _decimal(totals.revenue_total))
            if totals.expenditure_total is not None:
                self.add(node, BKG.expenditureTotal, _decimal(totals.expenditure_total))
            self.add(node, BKG.printedUnit, _text(totals.printed_unit))
            self.add(node, PROV.wasDerivedFrom, self.source_lines(totals.span))

    def organisation(self, name: str, kind: str) -> str:
        node = self.mint.organisation(clean_label(name), self.region_code)
        self.add(node, RDF.type, kind)
        self.add(node, RDF.type, ORG.Organization)
        self.add(node, RDFS.label, _text(clean_label(name)))
        self.add(node, SKOS.prefLabel, _lang(clean_label(name), "zh"))
        self.derived(node, None)
        return node

    def build_organisations(self) -> tuple[str | None, str | None]:
        d = self.d
        department = self.organisation(d.department, BKG.Department) if d.department else None
        publisher = department
        if d.scope == "unit" and d.unit_name and clean_label(d.unit_name) != clean_label(d.department or ""):
            publisher = self.organisation(d.unit_name, BKG.BudgetUnit)
            self.add(publisher, ORG.subOrganizationOf, department)
        if publisher is not None:
            self.add(self.node, DCTERMS.publisher, publisher)
        if department is not None and d.org_code:
            # the code is printed as 主管部门及代码 ("080-泽州县自然资源局"): it is the department's
            self.add(department, BKG.orgCode, _text(d.org_code))
        if department is None:
            self.notice(None, "rdf-no-department", "no department name: projects get no department in their URI")
        return department, publisher

    # expenditure lines and the classification -------------------------------------------------------
    def function_code(self, code: str, name: str | None, span: Span) -> str:
        scheme = self.mint.function_scheme(self.year)
        if (scheme, RDF.type, BKG.FunctionClassification) not in self.triples:
            self.build_scheme(scheme)
        concept = self.mint.function_code(self.year, code)
        self.add(concept, RDF.type, BKG.FunctionCode)
        self.add(concept, RDF.type, SKOS.Concept)
        self.add(concept, SKOS.inScheme, scheme)
        self.add(concept, SKOS.notation, _text(code))
        if name:
            self.add(concept, SKOS.prefLabel, _lang(clean_label(name), "zh"))
        self.derived(concept, span)
        level = CODE_LEVELS.get(len(code))
        if level is not None:
            self.add(self.mint.function_level(self.year, level[0]), SKOS.member, concept)
        # skos:hasTopConcept and skos:narrower are the inverses (owl:inverseOf in SKOS): not stated again
        if len(code) == 3:
            self.add(concept, SKOS.topConceptOf, scheme)
        elif len(code) in (5, 7):
            self.add(concept, SKOS.broader, self.mint.function_code(self.year, code[: len(code) - 2]))
        return concept

    def build_scheme(self, scheme: str) -> None:
        year = f"{self.year}年" if self.year is not None else ""
        self.add(scheme, RDF.type, BKG.FunctionClassification)
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, SKOS.prefLabel, _lang(f"{year}政府收支分类科目（支出功能分类）", "zh"))
        self.add(scheme, SKOS.prefLabel, _lang(f"Functional classification of expenditure {self.year or ''}".strip(),
                                                 "en"))
        self.add(scheme, XKOS.numberOfLevels, _int(len(CODE_LEVELS)))
        levels = sorted(CODE_LEVELS.values())
        self.add(scheme, XKOS.levels, self.mint.function_levels_list(self.year, 1))
        for depth, zh, en in levels:
            level = self.mint.function_level(self.year, depth)
            self.add(level, RDF.type, XKOS.ClassificationLevel)
            self.add(level, XKOS.depth, _int(depth))
            self.add(level, SKOS.prefLabel, _lang(zh, "zh"))
            self.add(level, SKOS.prefLabel, _lang(en, "en"))
            self.add(level, SKOS.inScheme, scheme)
            cell = self.mint.function_levels_list(self.year, depth)
            self.add(cell, RDF.first, level)
            rest = self.mint.function_levels_list(self.year, depth + 1) if depth < len(levels) else RDF.nil
            self.add(cell, RDF.rest, rest)

    def dataset(self, table: str, structure: str) -> str:
        """The disclosure's qb:DataSet of one table's observations, in this phase, under ``structure``."""
        dataset = self.mint.dataset(self.node, table)
        self.add(dataset, RDF.type, QB.DataSet)
        self.add(dataset, BKG.budgetPhase, self.phase)
        self.add(dataset, QB.structure, structure)
        self.add(dataset, PROV.wasDerivedFrom, self.node)
        return dataset

    def build_expenditure_lines(self) -> None:
        if not self.d.expenditure_lines:
            return
        dataset = self.dataset("expenditure", BKG.expenditureStructure)
        for line in self.d.expenditure_lines:
            node = self.mint.expenditure_line(self.node, line.code)
            if (node, RDF.type, BKG.ExpenditureLine) in self.triples:
                node = f"{node}/L{line.span.first_line}"
                self.notice(line.span.first_line, "rdf-duplicate-code",
                            f"科目编码 {line.code} appears twice in 支出总表; the second row is kept as {node}")
            concept = self.function_code(line.code, line.name, line.span)
            self.add(node, RDF.type, BKG.ExpenditureLine)
            self.observation_common(node, line.printed_unit)
            self.add(node, QB.dataSet, dataset)
            self.add(node, RDFS.label, _text(f"{line.code} {clean_label(line.name)}"))
            self.add(node, BKG.functionCode, concept)
            self.add(node, OBEU_DIMENSION.organization, self.publisher)
            for predicate, amount in ((BKG.total, line.total), (BKG.basicExpenditure, line.basic),
                                      (BKG.projectExpenditure, line.project)):
                if amount is not None:
                    self.add(node, predicate, _decimal(amount))
            if line.code_as_printed:
                self.add(node, BKG.printedCode, _text(line.code_as_printed))
            self.derived(node, line.span)

    def build_three_public(self) -> None:
        """The “三公”经费 items, one observation each (kg/entities/three_public.py wrote only closing tables)."""
        if not self.d.three_public:
            return
        dataset = self.dataset("three-public", BKG.threePublicStructure)
        for figure in self.d.three_public:
            node = self.mint.three_public(self.node, figure.item)
            self.add(node, RDF.type, BKG.ThreePublicFigure)
            self.observation_common(node, figure.printed_unit)
            self.add(node, QB.dataSet, dataset)
            concept, label = ITEM_TERMS[figure.item]
            self.add(node, RDFS.label, _text(label))
            self.add(node, BKG.threePublicItem, getattr(BKG, concept))
            self.add(node, OBEU_DIMENSION.organization, self.publisher)
            self.add(node, BKG.amount, _decimal(figure.amount))
            self.derived(node, figure.span)

    # projects -----------------------------------------------------------------------------------------
    def budget_unit(self, printed: str) -> str:
        """The organisation a 项目支出表 row's unit names: a row under the department's own name is the
        publisher's (a 部门预算's department; a 单位预算 lists only its unit's projects), else a
        ``bkg:BudgetUnit`` under the department; a unit named only relative to its department (本级, 机关本级)
        takes the department's name before it."""
        name = clean_label(printed)
        department = clean_label(self.d.department or "")
        if department and name == department:
            return self.publisher or self.mint.organisation(name, self.region_code)
        unit = self.organisation(full_unit_name(name, department), BKG.BudgetUnit)
        self.add(unit, ORG.subOrganizationOf, self.department)
        return unit

    def project_owner(self, row: ProjectRow | None) -> str:
        """The organisation a project is scoped by (its IRI, ``bkg:budgetUnit``): the unit its row falls under,
        else the publisher — a 单位预算's unit, a 部门预算's department (a row with no unit: as before)."""
        if row is not None and row.unit_name:
            return self.budget_unit(row.unit_name)
        return self.publisher or self.mint.organisation("unknown-department", self.region_code)

    def performance_owner(self, table: PerformanceTable) -> str:
        """The organisation of a project printed only in a 绩效目标表: the unit its 实施单位 names when that is one of
        the units the 部门预算's 项目支出表 prints (free text naming no such unit: the publisher, as before)."""
        if table.unit and self.publisher == self.department:
            named = unit_key(table.unit, self.d.department)
            for printed in dict.fromkeys(row.unit_name for row in self.d.projects if row.unit_name):
                if unit_key(printed, self.d.department) == named != unit_key(None, self.d.department):
                    return self.budget_unit(printed)
        return self.project_owner(None)

    def project_of(self, name: str, line: int | None, where: int | None, what: str) -> str | None:
        """The node of the project listed on ``line``; without one (or none listed there), the project ``name``
        names when no two units print that name — else none, with a notice: never another unit's project."""
        if line is not None and line in self.project_at:
            return self.project_at[line]
        named = self.projects_named.get(clean_label(name), [])
        units = dict.fromkeys(owner for owner, _node in named)
        if len(units) > 1:
            self.notice(where, "rdf-project-ambiguous",
                        f"{what} for {name!r} does not say which row: {len(units)} units list a project of that "
                        "name; attached to none")
            return None
        return named[0][1] if named else None

    def unit_project_of(self, row: ProjectRow, owner: str) -> str:
        """The unit's project a 项目支出表 row prints (``bkg:UnitProject``, the IRI every disclosure printing it
        mints); a name printed twice under one unit: ``/carried-over`` or ``/L<line>``."""
        node = self.mint.project(owner, self.year, clean_label(row.name))
        if node in self.project_nodes:
            suffix = "carried-over" if row.carried_over else f"L{row.span.first_line}"
            node = f"{node}/{suffix}"
            self.notice(row.span.first_line, "rdf-duplicate-project",
                        f"project {row.name!r} is listed twice in {self.year} 项目支出表; this row is {node}")
        self.project_nodes.add(node)
        return node

    def unit_project(self, node: str, label: str) -> None:
        """Link ``node`` — this disclosure's project — to the unit's project of the year it prints
        (``bkg:UnitProject``), named as printed. Its year and unit are in its IRI and on every ``bkg:Project``
        linking to it, so they are not stated again (3 triples a project, not 5); the figures stay on ``node``."""
        unit_project = self.unit_projects[node]
        self.add(node, BKG.unitProject, unit_project)
        self.add(unit_project, RDF.type, BKG.UnitProject)
        self.add(unit_project, RDFS.label, _text(label))

    def build_projects(self) -> None:
        if not self.d.projects:
            return
        dataset = self.dataset("project-funding", BKG.projectFundingStructure)
        # current-year rows first so that they keep the contract URI when a carried-over row shares a name
        for row in sorted(self.d.projects, key=lambda r: (r.carried_over, r.span.first_line)):
            owner = self.project_owner(row)
            # this disclosure's project, by its row's line (its fundings' key too); the unit's project by name
            key = self.mint.row_key_of(row.span.first_line, self.row_keys)
            node = self.mint.disclosure_project(self.node, key)
            self.unit_projects[node] = self.unit_project_of(row, owner)
            self.project_at[row.span.first_line] = node
            self.projects_named.setdefault(clean_label(row.name), []).append((owner, node))
            self.add(node, RDF.type, BKG.Project)
            self.add(node, RDF.type, FOAF.Project)
            self.add(node, RDFS.label, _text(clean_label(row.name)))
            self.add(node, BKG.amount, _decimal(row.total))
            self.add(node, BKG.fiscalYear, _int(self.year) if self.year is not None else None)
            self.add(node, BKG.carriedOver, _bool(row.carried_over))
            self.add(node, BKG.printedUnit, _text(row.printed_unit))
            self.add(node, BKG.disclosure, self.node)
            if row.basis:
                self.add(node, BKG.basisText, _text(row.basis))
            if row.unit_name or self.publisher not in (None, self.department):
                self.add(node, BKG.budgetUnit, owner)
            self.unit_project(node, clean_label(row.name))
            self.derived(node, row.span)
            allocation = BKG.CarriedOver if row.carried_over else BKG.CurrentYear
            for source, amount in sorted(row.by_source.items()):
                concept = _FUND_SOURCES.get(source)
                if concept is None:
                    self.notice(row.span.first_line, "rdf-unknown-fund-source",
                                f"fund source {source!r} of {row.name!r} has no concept in the ontology")
                    continue
                funding = self.mint.funding(self.node, key, source)
                self.add(funding, RDF.type, BKG.ProjectFunding)
                self.observation_common(funding, row.printed_unit)
                self.add(funding, QB.dataSet, dataset)
                self.add(funding, BKG.project, node)
                self.add(funding, BKG.fundSource, concept)
                self.add(funding, BKG.allocation, allocation)
                self.add(funding, BKG.amount, _decimal(amount))
                self.derived(funding, row.span)

    # performance targets ------------------------------------------------------------------------------
    def build_performance(self) -> None:
        for table in self.d.performance:
            node = self.mint.performance(self.node, self.mint.row_key_of(table.span.first_line, self.table_keys))
            self.build_performance_table(node, table)

    def build_performance_table(self, node: str, table: PerformanceTable) -> None:
        self.add(node, RDF.type, BKG.PerformanceTarget)
        self.add(node, RDF.type, PROV.Entity)
        self.add(node, RDFS.label, _text(clean_label(table.project_name)))
        for predicate, text in ((BKG.overview, table.overview), (BKG.necessity, table.necessity),
                                (BKG.implementationPlan, table.plan), (BKG.annualGoal, table.goal_year),
                                (BKG.basisText, table.basis), (BKG.implementingUnit, table.implementing_unit)):
            if text:
                self.add(node, predicate, _text(text))
        self.add(node, BKG.matchMethod, _text(table.match_method) if table.match_method else None)
        self.derived(node, table.span)
        for copy in table.copies:
            self.add(node, PROV.wasDerivedFrom, self.source_lines(copy))
        for indicator in table.indicators:
            # keyed by the line it is printed on (short, stable, readable: "the indicator of line 612"); a
            # second indicator read from the same line (a table read twice, a merged row) gets -2, -3 …
            item = f"{self.node}/indicator/{self.mint.row_key_of(indicator.line, self.indicator_keys)}"
            # no rdf:type bkg:PerformanceIndicator: the range of bkg:indicator states it (6 % of the triples)
            self.add(node, BKG.indicator, item)
            self.add(item, BKG.indicatorPeriod, _text(indicator.period))
            path = " / ".join(part for part in (indicator.level1, indicator.level2, indicator.level3) if part)
            self.add(item, BKG.indicatorPath, _text(path))
            self.add(item, BKG.indicatorValue, _text(indicator.value))
            self.derived(item, Span(table.span.file, indicator.line, indicator.line))
        project = self.project_of(table.matched_project, table.matched_line, table.span.first_line,
                                  "绩效目标表") if table.matched_project else None
        if project is not None:
            self.add(project, BKG.performanceTarget, node)
            if table.basis:
                self.add(project, BKG.basisText, _text(table.basis))
                basis_span = table.field_spans.get("basis")
                if basis_span is not None:
                    self.add(project, PROV.wasDerivedFrom, self.source_lines(basis_span))
        elif table.kind == "project":
            self.performance_only_project(node, table)

    def performance_only_project(self, target: str, table: PerformanceTable) -> None:
        """A project of a 绩效目标表 printed in no 项目支出表: kept with its 立项依据 and places, without amount."""
        owner = self.performance_owner(table)
        label = clean_label(table.project_name)
        unit_project = self.mint.project(owner, self.year, label)
        if label in self.projects_named:  # a budget row of the same name was not matched to this table
            unit_project = f"{unit_project}/performance-only"
        node = self.mint.disclosure_project(self.node, self.mint.row_key_of(table.span.first_line, self.row_keys))
        self.unit_projects[node] = unit_project
        self.project_at[table.span.first_line] = node
        self.projects_named.setdefault(label, []).append((owner, node))
        self.add(node, RDF.type, BKG.Project)
        self.add(node, RDF.type, FOAF.Project)
        self.add(node, RDFS.label, _text(label))
        self.add(node, BKG.inBudgetTable, _bool(False))
        if owner != self.department:  # a 单位预算's unit, or the unit a 部门预算's 实施单位 names
            self.add(node, BKG.budgetUnit, owner)
        self.unit_project(node, label)
        self.add(node, BKG.fiscalYear, _int(self.year) if self.year is not None else None)
        self.add(node, BKG.disclosure, self.node)
        self.add(node, BKG.performanceTarget, target)
        if table.basis:
            self.add(node, BKG.basisText, _text(table.basis))
        stated = table.funds.get("年度", {}).get("total") if table.form == "prose" else None
        if stated is not None:
            self.add(node, BKG.statedAmount, _decimal(stated))
        self.derived(node, table.span)
        if table.form == "prose":
            return  # a project statement in prose is how this document lists projects: nothing to report
        self.notice(table.span.first_line, "rdf-performance-only-project",
                    f"绩效目标表 for {table.project_name!r} matches no 项目支出表 row: a project without amount",
                    "info")

    # citations ------------------------------------------------------------------------------------------
    def policy_document(self, ref: PolicyDocumentRef, span: Span, depth: int = 0) -> str:
        node = self.mint.policy_document(ref.number, ref.title)
        self.add(node, RDF.type, BKG.PolicyDocument)
        self.add(node, RDF.type, ELI.LegalResource)
        self.add(node, BKG.docNumber, _text(ref.number) if ref.number else None)
        self.add(node, DCTERMS.title, _text(ref.title) if ref.title else None)
        for printed in ref.printed_numbers:  # what the documents print, so a user can search for it
            self.add(node, BKG.printedNumber, _text(printed))
        if ref.number_completed:
            self.add(node, BKG.numberCompleted, _bool(True))
        if not ref.policy:  # a contract, a meeting, a 批示: kept, but not ranked among policy documents
            self.add(node, BKG.isPolicyDocument, _bool(False))
        if ref.issuer:
            issuer = self.mint.issuer(ref.issuer)
            self.add(issuer, RDF.type, BKG.Issuer)
            self.add(issuer, RDF.type, ORG.Organization)
            self.add(issuer, RDFS.label, _text(ref.issuer))
            # the organ's full name when the documents print a short one (ORG's skos:prefLabel, its preferred name)
            self.add(issuer, SKOS.prefLabel, _text(ref.issuer_full_name) if ref.issuer_full_name else None)
            self.add(node, BKG.issuer, issuer)
            self.derived(issuer, span)
        if ref.issuer_level:
            self.add(node, BKG.issuerLevel, _LEVELS.get(ref.issuer_level))
        if ref.kind:
            kind = self.mint.document_kind(ref.kind)
            scheme = self.mint.document_kind_scheme()
            self.add(kind, RDF.type, BKG.DocumentKind)
            self.add(kind, RDF.type, SKOS.Concept)
            self.add(kind, SKOS.prefLabel, _lang(ref.kind, "zh"))
            self.add(kind, SKOS.prefLabel, _lang(ref.kind_en, "en") if ref.kind_en else None)
            self.add(kind, SKOS.inScheme, scheme)
            self.add(scheme, RDF.type, SKOS.ConceptScheme)
            self.add(scheme, SKOS.prefLabel, _lang("公文种类", "zh"))
            self.add(node, BKG.documentKind, kind)
        self.derived(node, span)
        if depth < 8:  # nested citations are short chains; the bound guards against a cyclic input
            for cited in ref.cites:
                self.add(node, ELI.cites, self.policy_document(cited, span, depth + 1))
        return node

    def build_citation(self, citation: BasisCitation) -> None:
        project = self.project_of(citation.project_name, citation.project_line, citation.span.first_line,
                                  "立项依据 citation")
        if project is None:
            if clean_label(citation.project_name) in self.projects_named:
                return  # several units' projects of that name: project_of said so
            self.notice(citation.span.first_line, "rdf-citation-unknown-project",
                        f"立项依据 citation for {citation.project_name!r} names no project of this disclosure")
            return
        if citation.document is None:
            # unresolved (a clipped cell's partial citation): the link is kept as printed, to no document
            node = self.citation_node(project, f"unresolved-{slug(citation.cited_text)}", citation.span)
        elif not (citation.document.number or citation.document.title):
            self.notice(citation.span.first_line, "rdf-citation-no-key",
                        "立项依据 citation without number or title skipped")
            return
        else:
            document = self.policy_document(citation.document, citation.span)
            self.add(project, BKG.basis, document)
            node = self.citation_node(project, self.mint.citation_document_key(document), citation.span)
            self.add(node, CITO.hasCitedEntity, document)
            self.add(node, BKG.matchMethod, _text(citation.method) if citation.method else None)
        self.add(node, RDF.type, BKG.BasisCitation)
        self.add(node, RDF.type, CITO.Citation)
        self.add(node, CITO.hasCitingEntity, project)
        # cito:hasCitationCharacterization cito:citesAsAuthority holds for every bkg:BasisCitation (the ontology)
        self.add(node, BKG.linkStatus, _text(citation.status) if citation.status else None)
        self.add(node, BKG.citedText, _text(citation.cited_text) if citation.cited_text else None)
        self.add(node, BKG.printedNumber, _text(citation.printed_number) if citation.printed_number else None)
        if citation.number_year is not None:
            self.add(node, BKG.numberYear, _int(citation.number_year))
        if citation.number_serial is not None:
            self.add(node, BKG.numberSerial, _int(citation.number_serial))
        self.add(node, BKG.linkConflict, _text(citation.conflict) if citation.conflict else None)
        if citation.incomplete:
            self.add(node, BKG.incomplete, _bool(True))
        # the cell's lines: the same node as every other fact read there (the cell text is the project's basisText)
        self.derived(node, citation.span)

    def citation_node(self, project: str, document_key: str, span: Span) -> str:
        """One node per project and document cited, named by the line its 立项依据 is printed on (of the first
        span it is read from, when the project cites it from its 项目支出表 row and its 绩效目标表) and the
        document; a second project citing that document from the same line gets ``<line>-2``."""
        node = self.citations.get((project, document_key))
        if node is None:
            line_key = self.mint.row_key_of(span.first_line, self.citation_lines.setdefault(document_key, set()))
            node = self.citations[(project, document_key)] = self.mint.citation(self.node, line_key, document_key)
        return node

    # places ---------------------------------------------------------------------------------------------
    def place(self, place: Place, span: Span | None = None) -> str:
        node = self.mint.place(place.code)
        scheme = self.mint.place_scheme()
        self.add(node, RDF.type, _PLACE_CLASSES[place.level])
        self.add(node, RDF.type, BKG.AdministrativeDivision)  # materialised: SHACL runs without the ontology
        self.add(node, RDF.type, SCHEMA.AdministrativeArea)
        self.add(node, RDF.type, SKOS.Concept)
        self.add(node, SKOS.inScheme, scheme)
        self.add(node, SKOS.notation, _text(place.code))
        self.add(node, RDFS.label, _text(place.name))
        self.add(node, SKOS.prefLabel, _lang(place.name, "zh"))
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, SKOS.prefLabel, _lang("统计用区划代码", "zh"))
        if span is not None:
            self.derived(node, span)
        if place.parent is not None:
            self.add(node, SCHEMA.containedInPlace, self.place(place.parent))
        return node

    def build_places(self) -> None:
        if self.places.region is not None:
            region = self.place(self.places.region)
            self.add(self.node, BKG.region, region)
            if self.department is not None:
                self.add(self.department, BKG.region, region)
        for mention in self.places.mentioned:
            self.add(self.node, BKG.mentions, self.place(mention.place, mention.span))
        for key, townships in sorted(self.places.project_townships.items(), key=lambda item: str(item[0])):
            name, line = (key, None) if isinstance(key, str) else key
            project = self.project_of(name, line, line, "township link")
            if project is None:
                if clean_label(name) not in self.projects_named:  # else several units' (project_of said so)
                    self.notice(None, "rdf-place-unknown-project", f"township link for unknown project {name!r}")
                continue
            for township in townships:
                self.add(project, BKG.township, self.place(township))
