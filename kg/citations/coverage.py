"""Issuer coverage: how many citations get an issuer and a level, and which 代字 and issuer phrases do not.

    python -m kg.citations.coverage [INPUT ...] [--corpus FILE ...]

INPUT: disclosure files or directories, read as ``budget-kg build`` reads them (every project's 立项依据);
--corpus: a ``tests/corpus/citations*.json`` file (its cells, with its regions). Without either, every corpus
file is read. Precision is the citation benchmark's (``python -m kg.citations.benchmark``): coverage says how
much is resolved, the benchmark whether it is resolved right. Partial citations of clipped cells are left out
(they name no document).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.citations.find import extract_citations
from kg.citations.models import Citation, RegionContext

# What stands for an unresolved citation in the lists: its 代字, else its issuer phrase, else its title's start.
_TITLE_HEAD = 14


@dataclass
class Coverage:
    citations: int = 0
    with_issuer: int = 0
    with_level: int = 0
    no_level: Counter[str] = field(default_factory=Counter)  # 代字 / issuer phrase / title head → citations
    level_only: Counter[str] = field(default_factory=Counter)  # a level but no issuer: by 代字 or title head

    def add(self, citation: Citation) -> None:
        if citation.incomplete:
            return
        self.citations += 1
        self.with_issuer += citation.issuer is not None
        self.with_level += citation.issuer_level is not None
        if citation.issuer_level is None:
            self.no_level[unresolved_key(citation)] += 1
        elif citation.issuer is None:
            self.level_only[unresolved_key(citation)] += 1

    def absorb(self, other: Coverage) -> None:
        self.citations += other.citations
        self.with_issuer += other.with_issuer
        self.with_level += other.with_level
        self.no_level.update(other.no_level)
        self.level_only.update(other.level_only)

    def share(self, count: int) -> str:
        return f"{count}/{self.citations} ({count / self.citations:.3f})" if self.citations else "0/0"

    def summary(self) -> str:
        return (f"issuer coverage: {self.citations} citations; issuer named {self.share(self.with_issuer)}, "
                f"level {self.share(self.with_level)}")


def agency(citation: Citation) -> str | None:
    """The 机关代字 of the citation's 发文字号 (教财〔2021〕2号 → 教财), None for a standard or no number."""
    if citation.number_form != "document" or not citation.doc_number or "〔" not in citation.doc_number:
        return None
    return citation.doc_number.split("〔", 1)[0]


def unresolved_key(citation: Citation) -> str:
    """代字 教财, issuer 某某局, or title 关于做好…: what a reader would add a row for."""
    code = agency(citation)
    if code:
        return f"代字 {code}"
    if citation.issuer:
        return f"issuer {citation.issuer}"
    if citation.title:
        return f"title {citation.title[:_TITLE_HEAD]}{'…' if len(citation.title) > _TITLE_HEAD else ''}"
    return f"text {citation.text[:_TITLE_HEAD]}"


def corpus_citations(path: Path) -> Iterator[Citation]:
    """The citations the reader finds in a benchmark corpus file's cells."""
    corpus = json.loads(path.read_text(encoding="utf-8"))
    regions = {key: RegionContext(*names) for key, names in corpus["regions"].items()}
    for cell in corpus["cells"]:
        yield from extract_citations(cell["cell"], regions.get(cell["source"]))


def disclosure_citations(inputs: Iterable[str]) -> Iterator[Citation]:
    """The citations of every project's 立项依据 in the disclosures, as the build reads them (unreadable files
    are reported on stderr and skipped)."""
    from kg.build import extract_document
    from kg.errors import BudgetKGError
    from kg.extract import expand_inputs

    paths, notices = expand_inputs(list(inputs))
    for notice in notices:
        print(notice, file=sys.stderr)
    for path in paths:
        try:
            document = extract_document(path)
        except BudgetKGError as exc:  # named with its file and code, as `budget-kg citations` names it
            print(f"budget-kg: {exc} [{exc.code}]", file=sys.stderr)
            continue
        for basis in document.bases:
            yield from basis.citations


def measure(citations: Iterable[Citation]) -> Coverage:
    coverage = Coverage()
    for citation in citations:
        coverage.add(citation)
    return coverage


def report(coverage: Coverage, title: str) -> str:
    lines = [f"== {title}", coverage.summary()]
    for heading, counts in (("no level", coverage.no_level), ("a level, no issuer", coverage.level_only)):
        lines.append(f"{heading}: {sum(counts.values())} citation(s), {len(counts)} distinct")
        lines += [f"  {count:>3}  {key}" for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from kg.citations.benchmark import corpus_files

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("inputs", nargs="*", help="disclosure files or directories")
    parser.add_argument("--corpus", type=Path, action="append", help="a citations*.json corpus file (repeatable)")
    args = parser.parse_args(argv)
    blocks: list[str] = []
    if args.inputs:
        blocks.append(report(measure(disclosure_citations(args.inputs)), "disclosures: " + " ".join(args.inputs)))
    corpora = args.corpus or ([] if args.inputs else corpus_files())
    for path in corpora:
        blocks.append(report(measure(corpus_citations(path)), path.name))
    print("\n\n".join(blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
