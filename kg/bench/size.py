"""How big a build's graph is: triples and N-Quads bytes per disclosure, and where they go.

    python -m kg.bench.size BUILD_DIR [--top 15]

Reads ``report.json`` and ``graphs/*.nt`` of a ``budget-kg build`` (no store needed): each named graph's lines
as N-Quads (the graph IRI appended, as the store and a server's bulk loader get them), counted per predicate,
and the provenance share (``bkg:SourceLines`` spans and the ``prov:wasDerivedFrom`` links to them).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PROVENANCE_PREDICATES = frozenset({
    "<http://www.w3.org/ns/prov#wasDerivedFrom>", "<http://www.w3.org/ns/oa#hasSource>",
    "<http://www.w3.org/ns/oa#hasSelector>", "<https://w3id.org/budget-kg/ontology#firstLine>",
    "<https://w3id.org/budget-kg/ontology#lastLine>", "<https://w3id.org/budget-kg/ontology#printedText>",
    "<http://www.w3.org/ns/oa#exact>", "<http://purl.org/dc/terms/conformsTo>",
})


@dataclass
class GraphSize:
    disclosures: int = 0
    triples: int = 0
    nquads_bytes: int = 0
    summary_triples: int = 0  # of which in the summaries graph (kg.rdf.summaries)
    summary_bytes: int = 0
    by_predicate: Counter[str] = field(default_factory=Counter)
    bytes_by_predicate: Counter[str] = field(default_factory=Counter)

    @property
    def triples_per_disclosure(self) -> float:
        return self.triples / max(self.disclosures, 1)

    @property
    def bytes_per_disclosure(self) -> float:
        return self.nquads_bytes / max(self.disclosures, 1)

    @property
    def bytes_per_triple(self) -> float:
        return self.nquads_bytes / max(self.triples, 1)

    @property
    def provenance_triples(self) -> int:
        return sum(n for p, n in self.by_predicate.items() if p in PROVENANCE_PREDICATES)


def measure(build_dir: Path) -> GraphSize:
    report = json.loads((build_dir / "report.json").read_text(encoding="utf-8"))
    size = GraphSize(disclosures=len(report["documents"]))
    for graph in report["graphs"]:
        tail = len(f" <{graph['iri']}>".encode())  # what N-Quads adds to each N-Triples line
        summaries = graph["iri"].endswith("/graph/summaries")
        with open(build_dir / graph["file"], "rb") as handle:
            for line in handle:
                if not line.strip():
                    continue
                if summaries:
                    size.summary_triples += 1
                    size.summary_bytes += len(line) + tail
                predicate = line.split(b" ", 2)[1].decode()
                size.triples += 1
                size.nquads_bytes += len(line) + tail
                size.by_predicate[predicate] += 1
                size.bytes_by_predicate[predicate] += len(line) + tail
    return size


def render(size: GraphSize, top: int = 15) -> str:
    lines = [f"{size.disclosures} disclosures: {size.triples} triples ({size.triples_per_disclosure:,.0f} per "
             f"disclosure), {size.nquads_bytes / 1e6:,.1f} MB N-Quads ({size.bytes_per_disclosure / 1e3:,.0f} KB per "
             f"disclosure, {size.bytes_per_triple:,.0f} bytes per triple); provenance "
             f"{size.provenance_triples / max(size.triples, 1):.0%} of the triples; the summaries graph "
             f"{size.summary_triples} triples, {size.summary_bytes / 1e6:,.2f} MB"]
    for predicate, count in size.by_predicate.most_common(top):
        lines.append(f"  {count:>9} {size.bytes_by_predicate[predicate] / 1e6:>8.2f} MB  {predicate}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench.size", description=__doc__.split("\n")[0])
    parser.add_argument("build_dir", type=Path)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    print(render(measure(args.build_dir), args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
