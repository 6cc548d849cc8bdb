"""Listing summaries: what the listing queries join, written at build time beside a disclosure's summary.

``unbased-projects``, ``township-projects`` and ``project-basis`` list rows, not totals, but at a thousand
disclosures they spent their time finding the rows: every project tested for a missing ``bkg:basis``, every
township's projects grouped across the corpus, every basis citation evaluated alone before the join. So the
summaries graph also holds, per disclosure (``{disclosure}/summary``):

* ``bkg:unbasedProject``: each of its projects that cites no identifiable document (no ``bkg:basis``);
* one ``bkg:TownshipSummary`` per township its projects are located in: the projects (``bkg:locatedProject``),
  how many (``bkg:locatedProjectCount``), how many print an amount (``bkg:projectCount``) and their money;
* ``bkg:basisRow`` from each project to a ``bkg:BasisRow`` per document it cites (``bkg:basisDocument``, with
  the citations of that pair, ``bkg:basisCitation``) and per unresolved citation, so that a project's 立项依据
  rows are one index lookup from the project, each column one more from the row.

``shapes/summaries.ttl`` checks each against the detail. Like :mod:`kg.rdf.summaries`, the lines are N-Triples
text, computed from the disclosure's own triples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from .build import BKG, CITO, RDF, Triple, lexical
from .summaries import _decimal, _integer

_TYPE, _DISCLOSURE, _BASIS, _TOWNSHIP, _AMOUNT = RDF.type, BKG.disclosure, BKG.basis, BKG.township, BKG.amount
_CITING, _CITED, _STATUS, _CITED_TEXT = CITO.hasCitingEntity, CITO.hasCitedEntity, BKG.linkStatus, BKG.citedText
_READ = frozenset({_TYPE, _DISCLOSURE, _BASIS, _TOWNSHIP, _AMOUNT, _CITING, _CITED, _STATUS, _CITED_TEXT})


def listing_summaries(disclosure: str, triples: Iterable[Triple]) -> list[str]:
    """N-Triples lines (unsorted, no duplicates) of the listing summaries of ``disclosure`` from its built
    triples (``kg.rdf.build`` triples: IRIs as strings, literals in N-Triples form)."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    read = _READ
    for subject, predicate, obj in triples:
        if predicate in read:
            out[subject][predicate].append(obj)
    node = f"{disclosure}/summary"
    lines: list[str] = []

    def add(subject: str, predicate: str, obj: str) -> None:
        lines.append(f"<{subject}> <{predicate}> {obj} .")

    projects = sorted(subject for subject, predicates in out.items()
                      if disclosure in predicates.get(_DISCLOSURE, ()) and BKG.Project in predicates.get(_TYPE, ()))
    project_set = set(projects)
    for project in projects:
        if not out[project].get(_BASIS):
            add(node, BKG.unbasedProject, f"<{project}>")

    # per township: the projects located there (a project in several townships is listed in each)
    located: dict[str, set[str]] = defaultdict(set)
    for project in projects:
        for township in out[project].get(_TOWNSHIP, ()):
            located[township].add(project)
    for township, members in sorted(located.items()):
        summary = f"{node}/township/{township.rstrip('/').rsplit('/', 1)[-1]}"
        amounts = [Decimal(lexical(amount)) for project in members for amount in set(out[project].get(_AMOUNT, ()))]
        add(node, BKG.townshipSummary, f"<{summary}>")
        add(summary, _TYPE, f"<{BKG.TownshipSummary}>")
        add(summary, BKG.summarisedTownship, f"<{township}>")
        add(summary, BKG.locatedProjectCount, _integer(len(members)))
        add(summary, BKG.projectCount, _integer(sum(1 for project in members if out[project].get(_AMOUNT))))
        add(summary, BKG.projectMoney, _decimal(sum(amounts, Decimal(0))))
        for project in sorted(members):
            add(summary, BKG.locatedProject, f"<{project}>")

    # each project's basis rows, as project-basis lists them: one per document it cites (bkg:basis), with the
    # citations of that pair, and one per unresolved citation (a clipped cell's partial citation: no document)
    citations: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for citation, predicates in out.items():
        if BKG.BasisCitation not in predicates.get(_TYPE, ()):
            continue
        cited = predicates.get(_CITED, [])
        unresolved = '"unresolved"' in predicates.get(_STATUS, ()) and predicates.get(_CITED_TEXT)
        for project in predicates.get(_CITING, ()):
            for document in cited:
                citations[(project, document)].append(citation)
            if unresolved:
                citations[(project, None)].append(citation)
    rows = [(project, document) for project in projects for document in sorted(set(out[project].get(_BASIS, ())))]
    rows += sorted(key for key in citations if key[1] is None and key[0] in project_set)
    for index, (project, document) in enumerate(rows, 1):
        row = f"{node}/basis/{index}"
        add(project, BKG.basisRow, f"<{row}>")
        if document is not None:
            add(row, BKG.basisDocument, f"<{document}>")
        for citation in citations.get((project, document), ()):
            add(row, BKG.basisCitation, f"<{citation}>")
    return lines
