"""The summaries graph: what whole-corpus reports aggregate, materialised once per disclosure at build time.

A report over a thousand disclosures (money by issuer level, documents cited, totals per 科目编码) otherwise
re-joins millions of detail triples on every run; here each disclosure gets one ``bkg:DisclosureSummary``
with its department and year written on it, one ``bkg:LevelSummary`` per issuer level and one
``bkg:CodeSummary`` per printed code, and the items year-over-year compares across years (per project name
and per document cited: their money and number of projects), all in the named graph ``…/graph/summaries``.
The figures are computed from the disclosure's own triples with the definitions of the library queries
(``money-by-issuer-level``, ``code-rollup``, ``year-over-year``), and ``shapes/summaries.ttl`` checks that
they agree with the detail, so a summary can be trusted exactly as far as the validation report says.

The lines are written as N-Triples text directly: no rdflib object is made per summary triple.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from .build import BKG, PROV, RDF, RDFS, SKOS, XSD, Triple, lexical

SUMMARIES_GRAPH = "graph/summaries"  # under the build's base IRI

# money-by-issuer-level's ranks: a project counts once, under the highest level among its policy documents
LEVEL_RANKS: dict[str, tuple[int, str]] = {
    BKG.NationalLevel: (1, "central"), BKG.ProvincialLevel: (2, "province"), BKG.MunicipalLevel: (3, "city"),
    BKG.CountyLevel: (4, "county"), BKG.TownshipLevel: (5, "township"),
}
UNKNOWN_LEVEL, NON_POLICY, NO_BASIS = (7, "unknown"), (8, "non-policy"), (9, "none")

_TYPE, _AMOUNT, _DISCLOSURE, _BASIS = RDF.type, BKG.amount, BKG.disclosure, BKG.basis
_LEVEL, _POLICY, _CODE, _TOTAL = BKG.issuerLevel, BKG.isPolicyDocument, BKG.functionCode, BKG.total
_BASIC, _PROJECT_PART = BKG.basicExpenditure, BKG.projectExpenditure
_NOTATION, _LABEL, _PUBLISHER = SKOS.notation, RDFS.label, "http://purl.org/dc/terms/publisher"
_SUB_ORG, _YEAR = "http://www.w3.org/ns/org#subOrganizationOf", BKG.fiscalYear
_DOC_NUMBER, _TITLE = BKG.docNumber, "http://purl.org/dc/terms/title"
# the only predicates the summaries read: the rest of a disclosure's triples are skipped at once
_READ = frozenset({_TYPE, _AMOUNT, _DISCLOSURE, _BASIS, _LEVEL, _POLICY, _CODE, _TOTAL, _BASIC, _PROJECT_PART,
                   _NOTATION, _LABEL, _PUBLISHER, _SUB_ORG, _YEAR, _DOC_NUMBER, _TITLE})
# year-over-year's keys: spaces removed, and a project name's leading "2025年" / "2025年度" (the year it was
# printed for, which changes every year) cut
_SPACES = re.compile(r"\s+")
_LEADING_YEAR = re.compile(r"(?:19|20)[0-9][0-9]年度?")


def _literal(value: object, datatype: str | None = None) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{text}"^^<{datatype}>' if datatype else f'"{text}"'


def _integer(value: int) -> str:
    return _literal(value, XSD.integer)


def _decimal(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return _literal("0" if text in ("", "-0") else text, XSD.decimal)


def disclosure_summary(disclosure: str, triples: Iterable[Triple]) -> list[str]:
    """N-Triples lines (unsorted, no duplicates) of the summaries of ``disclosure`` from its built triples
    (``kg.rdf.build`` triples: IRIs as strings, literals in N-Triples form)."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    read = _READ
    for subject, predicate, obj in triples:
        if predicate in read:
            out[subject][predicate].append(obj)

    def one(subject: str, predicate: str) -> str | None:
        values = out.get(subject, {}).get(predicate)
        return values[0] if values else None

    node = f"{disclosure}/summary"
    lines: list[str] = []

    def add(subject: str, predicate: str, obj: str) -> None:
        lines.append(f"<{subject}> <{predicate}> {obj} .")

    add(node, _TYPE, f"<{BKG.DisclosureSummary}>")
    add(node, BKG.summaryOf, f"<{disclosure}>")
    add(node, PROV.wasDerivedFrom, f"<{disclosure}>")
    year = one(disclosure, _YEAR)
    if year is not None:
        add(node, BKG.fiscalYear, _integer(int(lexical(year))))
    publisher = one(disclosure, _PUBLISHER)
    department = one(publisher, _SUB_ORG) or publisher if publisher is not None else None
    label = one(department, _LABEL) if department is not None else None
    if label is not None:
        add(node, BKG.departmentName, _literal(lexical(label)))

    # projects of this disclosure with an amount, each counted once under its best-ranked basis
    projects: dict[str, Decimal] = {}
    for subject, predicates in out.items():
        if disclosure in predicates.get(_DISCLOSURE, ()) and BKG.Project in predicates.get(_TYPE, ()) \
                and predicates.get(_AMOUNT):
            projects[subject] = Decimal(lexical(predicates[_AMOUNT][0]))
    by_level: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    documents: set[str] = set()
    for project, amount in projects.items():
        ranks = []
        for document in out[project].get(_BASIS, ()):
            documents.add(document)
            policy = one(document, _POLICY)
            level = one(document, _LEVEL)
            if policy is not None and lexical(policy).lower() == "false":
                ranks.append(NON_POLICY)
            else:
                ranks.append(LEVEL_RANKS.get(level, UNKNOWN_LEVEL) if level is not None else UNKNOWN_LEVEL)
        by_level[min(ranks) if ranks else NO_BASIS].append(amount)
    add(node, BKG.projectCount, _integer(len(projects)))
    add(node, BKG.projectMoney, _decimal(sum(projects.values(), Decimal(0))))
    add(node, BKG.documentCount, _integer(len(documents)))
    lines += _item_summaries(node, projects, out)
    for (rank, name), amounts in sorted(by_level.items()):
        level = f"{node}/level/{name}"
        add(node, BKG.levelSummary, f"<{level}>")
        add(level, _TYPE, f"<{BKG.LevelSummary}>")
        add(level, BKG.levelName, _literal(name))
        add(level, BKG.levelRank, _integer(rank))
        add(level, BKG.projectCount, _integer(len(amounts)))
        add(level, BKG.projectMoney, _decimal(sum(amounts, Decimal(0))))

    # code-rollup: each code's total is the sum of the leaf lines at or below it (a leaf: no longer code starting
    # with it is printed in this disclosure), up the 类 (3) / 款 (5) / 项 (7) digits of the code
    printed: dict[str, tuple[str, list[tuple[Decimal, Decimal, Decimal]]]] = {}
    for predicates in out.values():
        if BKG.ExpenditureLine in predicates.get(_TYPE, ()) and disclosure in predicates.get(_DISCLOSURE, ()) \
                and predicates.get(_CODE):
            concept = predicates[_CODE][0]
            notation = one(concept, _NOTATION)
            if notation is None:
                continue
            amounts = tuple(Decimal(lexical(predicates[p][0])) if predicates.get(p) else Decimal(0)
                            for p in (_TOTAL, _BASIC, _PROJECT_PART))
            printed.setdefault(lexical(notation), (concept, []))[1].append(amounts)  # type: ignore[arg-type]
    printed_totals = _printed_totals(disclosure, out)
    rolled: dict[str, list[Decimal]] = {}
    concepts: dict[str, str] = {code: concept for code, (concept, _rows) in printed.items()}  # printed codes
    for code, (concept, rows) in printed.items():
        if any(other != code and other.startswith(code) for other in printed):
            continue  # a printed subtotal: its children are counted instead
        scheme = concept.rsplit("/", 1)[0]
        for length in (3, 5, 7):
            if length > len(code):
                break
            prefix = code[:length]
            concepts.setdefault(prefix, f"{scheme}/{prefix}")
            sums = rolled.setdefault(prefix, [Decimal(0)] * 4)
            for amounts in rows:
                for index, amount in enumerate(amounts):
                    sums[index] += amount
                sums[3] += 1
    # the whole 支出总表 rolled up: what a corpus report sums when no code is asked for
    add(node, BKG.rolledTotal, _decimal(sum((sums[0] for code, sums in rolled.items() if len(code) == 3),
                                            Decimal(0))))
    for code, (total, basic, project_part, leaves) in sorted(rolled.items()):
        code_node = f"{node}/code/{code}"
        add(node, BKG.codeSummary, f"<{code_node}>")
        add(code_node, _TYPE, f"<{BKG.CodeSummary}>")
        add(code_node, _CODE, f"<{concepts[code]}>")
        add(code_node, _NOTATION, _literal(code))
        if len(code) > 3:
            add(code_node, BKG.broaderSummary, f"<{node}/code/{code[:len(code) - 2]}>")
        add(code_node, BKG.rolledTotal, _decimal(total))
        add(code_node, BKG.rolledBasic, _decimal(basic))
        add(code_node, BKG.rolledProject, _decimal(project_part))
        add(code_node, BKG.leafLines, _integer(int(leaves)))
        for printed_total in sorted(printed_totals.get(concepts[code], ())):
            add(code_node, BKG.printedTotal, printed_total)
    return lines


def project_item(label: str) -> str:
    """year-over-year's key of a project name: 2025年土地收储经费 and 土地收储经费 are one project across years."""
    compact = _SPACES.sub("", label)
    year = _LEADING_YEAR.match(compact)
    return compact[year.end():] if year else compact


def document_items(numbers: Iterable[str], titles: Iterable[str]) -> set[str]:
    """year-over-year's keys of a document: its 文号, else its title without spaces."""
    return set(numbers) or {_SPACES.sub("", title) for title in titles}


def _item_summaries(node: str, projects: dict[str, Decimal], out: dict[str, dict[str, list[str]]]) -> list[str]:
    """The items year-over-year compares, per disclosure: each project name (``bkg:projectItem``) and each
    document cited (``bkg:documentItem``) with the money and number of the projects under it. A project is
    one (project, amount) pair, as the query counts it; one under several keys counts under each."""
    items: dict[tuple[str, str], set[tuple[str, Decimal]]] = defaultdict(set)
    for project, amount in projects.items():
        predicates = out[project]
        for label in predicates.get(_LABEL, ()):
            items[("project", project_item(lexical(label)))].add((project, amount))
        for document in predicates.get(_BASIS, ()):
            facts = out.get(document, {})
            numbers = (lexical(number) for number in facts.get(_DOC_NUMBER, ()))
            for key in document_items(numbers, (lexical(title) for title in facts.get(_TITLE, ()))):
                items[("document", key)].add((project, amount))
    lines: list[str] = []
    numbered: dict[str, int] = defaultdict(int)
    for (kind, key), members in sorted(items.items()):
        numbered[kind] += 1
        item = f"{node}/{kind}/{numbered[kind]}"
        lines.append(f"<{node}> <{BKG.projectItem if kind == 'project' else BKG.documentItem}> <{item}> .")
        lines.append(f"<{item}> <{BKG.itemKey}> {_literal(key)} .")
        lines.append(f"<{item}> <{BKG.projectCount}> {_integer(len(members))} .")
        lines.append(f"<{item}> <{BKG.projectMoney}> {_decimal(sum((a for _p, a in members), Decimal(0)))} .")
    return lines


def _printed_totals(disclosure: str, out: dict[str, dict[str, list[str]]]) -> dict[str, set[str]]:
    """The 合计 of each code concept's printed lines in ``disclosure``, as the literals the lines carry: what
    code-rollup shows beside a roll-up (written here, its join of every printed line took seconds at 1,000
    disclosures). Every line of the concept counts, leaf or subtotal, with or without a notation."""
    totals: dict[str, set[str]] = defaultdict(set)
    for predicates in out.values():
        if BKG.ExpenditureLine in predicates.get(_TYPE, ()) and disclosure in predicates.get(_DISCLOSURE, ()):
            for concept in predicates.get(_CODE, ()):
                totals[concept].update(predicates.get(_TOTAL, ()))
    return totals
