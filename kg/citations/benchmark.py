"""Precision/recall of the citation stage on the hand-written corpus, and what changed since the last run.

    python -m kg.citations.benchmark [--corpus tests/corpus/citations.json] [--no-save]

A predicted citation matches an expected one when their normalised numbers agree, or (no number expected)
when one normalised title contains the other. The last run's matches are kept in
``tests/corpus/citations.last-run.json``; a cell whose match changed is listed as gained or lost.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kg.citations.find import extract_citations
from kg.citations.identify import title_key
from kg.citations.models import Citation, RegionContext
from kg.citations.normalise import normalise_title

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = ROOT / "tests" / "corpus" / "citations.json"
DEFAULT_LAST_RUN = ROOT / "tests" / "corpus" / "citations.last-run.json"
FIELDS = ("link", "doc_number", "issuer", "issuer_level", "kind")


def _titles_agree(expected: str | None, predicted: str | None) -> bool:
    if not expected or not predicted:
        return False
    a, b = title_key(normalise_title(expected)), title_key(normalise_title(predicted))
    return bool(a) and bool(b) and (a in b or b in a)


def _matches(expected: dict, predicted: Citation) -> bool:
    if expected["doc_number"] and predicted.doc_number:
        return expected["doc_number"] == predicted.doc_number
    return _titles_agree(expected["title"], predicted.title)


@dataclass
class Tally:
    true_positive: int = 0
    predicted: int = 0
    expected: int = 0

    def add(self, tp: int, predicted: int, expected: int) -> None:
        self.true_positive += tp
        self.predicted += predicted
        self.expected += expected

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Result:
    tallies: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in FIELDS})
    outcomes: dict[str, list[str]] = field(default_factory=dict)  # cell id → sorted outcome strings


def _align(expected: list[dict], predicted: list[Citation]) -> list[tuple[dict, Citation]]:
    """Greedy one-to-one pairing in printed order (numbers first, then titles)."""
    pairs: list[tuple[dict, Citation]] = []
    free = list(predicted)
    for by_number in (True, False):
        for item in expected:
            if any(item is e for e, _ in pairs) or bool(item["doc_number"]) != by_number:
                continue
            for candidate in free:
                if _matches(item, candidate):
                    pairs.append((item, candidate))
                    free.remove(candidate)
                    break
    return pairs


def evaluate(corpus: dict) -> Result:
    result = Result()
    regions = {key: RegionContext(*names) for key, names in corpus["regions"].items()}
    for cell in corpus["cells"]:
        cell_id = f"{cell['source']}:{cell['line']}"
        predicted = extract_citations(cell["cell"], regions.get(cell["source"]))
        expected = cell["expected"]
        pairs = _align(expected, predicted)
        result.tallies["link"].add(len(pairs), len(predicted), len(expected))
        outcome: list[str] = []
        for name in FIELDS[1:]:
            tp = sum(1 for e, p in pairs if e[name] is not None and e[name] == getattr(p, name))
            n_pred = sum(1 for p in predicted if getattr(p, name) is not None and name != "kind") or (
                len(predicted) if name == "kind" else 0)
            n_exp = sum(1 for e in expected if e[name] is not None)
            result.tallies[name].add(tp, n_pred, n_exp)
        for e, p in pairs:
            wrong = [n for n in FIELDS[1:] if e[n] != getattr(p, n)]
            outcome.append(f"found {e['doc_number'] or e['title']}" + (f" (wrong {','.join(wrong)})" if wrong else ""))
        matched_expected = [e for e, _ in pairs]
        matched_predicted = [p for _, p in pairs]
        outcome += [f"missed {e['doc_number'] or e['title']}" for e in expected
                    if not any(e is m for m in matched_expected)]
        outcome += [f"spurious {p.doc_number or p.title or p.text}" for p in predicted
                    if not any(p is m for m in matched_predicted)]
        result.outcomes[cell_id] = sorted(outcome)
    return result


def report(result: Result, previous: dict[str, list[str]] | None) -> str:
    lines = [f"{'field':<13}{'precision':>10}{'recall':>8}{'F1':>7}{'tp':>6}{'pred':>6}{'exp':>6}"]
    for name, tally in result.tallies.items():
        lines.append(f"{name:<13}{tally.precision:>10.3f}{tally.recall:>8.3f}{tally.f1:>7.3f}"
                     f"{tally.true_positive:>6}{tally.predicted:>6}{tally.expected:>6}")
    bad = {cell: [o for o in outs if not o.startswith("found") or "wrong" in o] for cell, outs in
           result.outcomes.items()}
    errors = [f"  {cell}: {o}" for cell, outs in bad.items() for o in outs]
    lines.append(f"\n{len(errors)} error(s):")
    lines += errors
    if previous is not None:
        gained, lost = [], []
        for cell in sorted(set(previous) | set(result.outcomes)):
            before, now = set(previous.get(cell, [])), set(result.outcomes.get(cell, []))
            gained += [f"  + {cell}: {o}" for o in sorted(now - before)]
            lost += [f"  - {cell}: {o}" for o in sorted(before - now)]
        lines.append(f"\nsince the last run: {len(gained)} new outcome(s), {len(lost)} gone")
        lines += gained + lost
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--last-run", type=Path, default=DEFAULT_LAST_RUN)
    parser.add_argument("--no-save", action="store_true", help="do not overwrite the last run's results")
    args = parser.parse_args(argv)
    corpus = json.loads(args.corpus.read_text(encoding="utf-8"))
    result = evaluate(corpus)
    previous = json.loads(args.last_run.read_text(encoding="utf-8")) if args.last_run.exists() else None
    print(report(result, previous))
    if not args.no_save:
        args.last_run.write_text(json.dumps(result.outcomes, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
