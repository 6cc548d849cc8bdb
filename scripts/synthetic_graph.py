"""Write a budget-shaped synthetic graph (kg/rdf's shape) for query latency benchmarks.

    python scripts/synthetic_graph.py --projects 20000 --documents 3000 --out /tmp/synth
    python -c "from kg.query import load_store, bench_queries; ..."

One N-Triples file per disclosure under OUT/graphs/, plus shared.nt holding what several disclosures
share (policy documents, code concepts, townships) once — as kg/build does; repeating shared triples in
every graph makes Oxigraph's union default graph return each of them once per graph, and joins explode.
Deterministic for a given --seed. Departments have
one disclosure per year; projects cite 0-3 documents drawn with a skewed distribution (a few documents are
cited very often, as in the seeds); a few projects name a township; 支出总表 lines cover a 类/款/项 tree.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

BKG = "https://w3id.org/budget-kg/ontology#"
ID = "https://w3id.org/budget-kg/id/synthetic/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LEVELS = ("NationalLevel", "ProvincialLevel", "MunicipalLevel", "CountyLevel")


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: object, datatype: str | None = None) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"^^<{XSD}{datatype}>' if datatype else f'"{text}"'


def write(out: Path, projects: int, documents: int, departments: int, years: int, seed: int) -> int:
    rng = random.Random(seed)
    graphs = out / "graphs"
    graphs.mkdir(parents=True, exist_ok=True)
    doc_weights = [1 / (rank + 1) for rank in range(documents)]  # Zipf-like: a few documents dominate
    per_disclosure = max(1, projects // (departments * years))
    written = 0
    shared: set[tuple[str, str, str]] = set()
    for dept in range(departments):
        dept_iri = iri(f"{ID}dept/{dept}")
        for year in range(2022, 2022 + years):
            disclosure = f"{ID}disclosure/{dept}/{year}"
            triples = [
                (iri(disclosure), iri(RDF_TYPE), iri(BKG + "Disclosure")),
                (iri(disclosure), iri(BKG + "fiscalYear"), lit(year, "integer")),
                (iri(disclosure), iri(DCT + "publisher"), dept_iri),
                (dept_iri, iri(RDF_TYPE), iri(BKG + "Department")),
                (dept_iri, iri(RDFS_LABEL), lit(f"合成县{dept}自然资源局")),
            ]
            for index in range(per_disclosure):
                project = iri(f"{disclosure}/project/{index}")
                amount = f"{rng.randint(1, 50_000_00) * 100}.00"
                triples += [
                    (project, iri(RDF_TYPE), iri(BKG + "Project")),
                    (project, iri(RDFS_LABEL), lit(f"{year}年项目{index % (per_disclosure // 2 + 1)}")),
                    (project, iri(BKG + "amount"), lit(amount, "decimal")),
                    (project, iri(BKG + "fiscalYear"), lit(year, "integer")),
                    (project, iri(BKG + "carriedOver"), lit("false", "boolean")),
                    (project, iri(BKG + "disclosure"), iri(disclosure)),
                ]
                for doc in set(rng.choices(range(documents), weights=doc_weights, k=rng.randint(0, 3))):
                    doc_iri = iri(f"{ID}policy/{doc}")
                    triples.append((project, iri(BKG + "basis"), doc_iri))
                    shared.update([
                        (doc_iri, iri(RDF_TYPE), iri(BKG + "PolicyDocument")),
                        (doc_iri, iri(BKG + "docNumber"), lit(f"合政发〔{2000 + doc % 25}〕{doc}号")),
                        (doc_iri, iri(DCT + "title"), lit(f"关于合成事项{doc}的通知")),
                        (doc_iri, iri(BKG + "issuerLevel"), iri(BKG + LEVELS[doc % 4])),
                    ])
                if rng.random() < 0.1:
                    town = iri(f"{ID}township/{dept}/{index % 12}")
                    triples.append((project, iri(BKG + "township"), town))
                    shared.update([(town, iri(RDFS_LABEL), lit(f"合成{dept}镇{index % 12}")),
                                   (town, iri(SKOS + "notation"), lit(f"{140000000 + dept * 100 + index % 12}"))])
            for category in range(201, 213):
                cat = iri(f"{ID}code/{category}")
                shared.add((cat, iri(SKOS + "notation"), lit(str(category))))
                for item in range(1, 4):
                    section = iri(f"{ID}code/{category}{item:02d}")
                    shared.update([(section, iri(SKOS + "notation"), lit(f"{category}{item:02d}")),
                                   (section, iri(SKOS + "broader"), cat)])
                    for leaf_no in range(1, 3):
                        leaf = iri(f"{ID}code/{category}{item:02d}{leaf_no:02d}")
                        line = iri(f"{disclosure}/line/{category}{item:02d}{leaf_no:02d}")
                        shared.update([(leaf, iri(SKOS + "notation"), lit(f"{category}{item:02d}{leaf_no:02d}")),
                                       (leaf, iri(SKOS + "broader"), section)])
                        triples += [(line, iri(RDF_TYPE), iri(BKG + "ExpenditureLine")),
                                    (line, iri(BKG + "disclosure"), iri(disclosure)),
                                    (line, iri(BKG + "functionCode"), leaf),
                                    (line, iri(BKG + "total"), lit(f"{rng.randint(1, 10**7)}.00", "decimal"))]
            unique = sorted(set(triples))
            (graphs / f"dept{dept}-{year}.nt").write_text("".join(f"{s} {p} {o} .\n" for s, p, o in unique),
                                                        encoding="utf-8")
            written += len(unique)
    (graphs / "shared.nt").write_text("".join(f"{s} {p} {o} .\n" for s, p, o in sorted(shared)), encoding="utf-8")
    return written + len(shared)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--documents", type=int, default=3000)
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    triples = write(Path(args.out), args.projects, args.documents, args.departments, args.years, args.seed)
    print(f"wrote {triples} triples to {args.out}/graphs/")


if __name__ == "__main__":
    main()
