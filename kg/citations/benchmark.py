"""Precision/recall of the citation stage on the hand-written corpora, and what changed since the last run.

    python -m kg.citations.benchmark [--corpus FILE ...] [--no-save]

Every ``tests/corpus/citations*.json`` is read (``*.last-run.json`` excepted) and reported on its own and
overall. Expected and predicted citations of a cell are paired one-to-one by an optimal matching: as many
pairs with equal normalised numbers as possible first, then pairs whose normalised titles contain one another,
then (for partial citations of clipped cells) pairs printing the same number (a pair whose numbers both exist
and differ never matches). Greedy pairing could give an expected numbered citation to a number-less prediction
by its title and call the right, numbered prediction spurious.

Fields: link (the pairs); doc_number (the normalised number: GB/T 9704 where it is one, else 〔2020〕84号 for a
number printed without 代字 or with an organ's name in its place, 〔2024〕4次 for a minutes' session; a numbered
minutes series is compared without its name, 县长办公会议纪要〔2024〕6号 as 〔2024〕6号);
printed_number (the number as printed, compared with full-width forms folded, spaces removed and an organ's name
before it left out: "exact" means every printed number kept); issuer; issuer_level; kind (where the expected item
gives one); policy (is_policy_document, over the pairs whose expected item gives it). "invented" counts predicted
citations that match nothing and are not flagged incomplete: documents the reader made up.
The last run's outcomes are kept in ``tests/corpus/citations.last-run.json``; a changed cell is listed as
gained or lost.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

from kg.citations.coverage import Coverage
from kg.citations.find import extract_citations
from kg.citations.identify import title_key
from kg.citations.models import Citation, RegionContext
from kg.citations.normalise import fold_width, normalise_title
from kg.citations.resolve import ORGAN_ENDINGS

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / "tests" / "corpus"
DEFAULT_LAST_RUN = CORPUS_DIR / "citations.last-run.json"
FIELDS = ("link", "doc_number", "printed_number", "issuer", "issuer_level", "kind", "policy")
# fields compared where the expected item has a value (kind and policy: over every pair)
_VALUE_FIELDS = ("doc_number", "printed_number", "issuer", "issuer_level")
# Matching weights: one pair agreeing on its number outweighs any number of pairs agreeing only on titles.
_NUMBER_WEIGHT = 10_000
_TITLE_WEIGHT = 10
_SAME_TITLE_BONUS = 1


def corpus_files(directory: Path = CORPUS_DIR) -> list[Path]:
    """Every corpus file of the directory: ``citations*.json`` except the ``*.last-run.json`` records."""
    return sorted(p for p in directory.glob("citations*.json") if not p.name.endswith(".last-run.json"))


def _title_keys(expected: str | None, predicted: str | None) -> tuple[str, str] | None:
    if not expected or not predicted:
        return None
    a, b = title_key(normalise_title(expected)), title_key(normalise_title(predicted))
    return (a, b) if a and b else None


_ORGAN_BEFORE_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,40}?(?:" + "|".join(ORGAN_ENDINGS) + r")(?=[《(\[〔【])")
# a numbered series of minutes is written with its name (县长办公会议纪要〔2024〕6号) or without (〔2024〕6号)
_SERIES_NAME = re.compile(r"^[\u4e00-\u9fff]{2,30}纪要(?=〔)")


def number_key(number: str | None) -> str | None:
    """A normalised number for comparison: a minutes series' name before its bracket left out."""
    return _SERIES_NAME.sub("", number) if number else None


def printed_key(printed: str | None) -> str | None:
    """A printed number for comparison: full-width forms folded, spaces removed, the enclosing ( ) dropped, and
    an organ's name printed where the 机关代字 belongs left out (the corpora differ on whether it is part of the
    number: 自然资源部《2023》11号 and 《2023》11号 compare equal)."""
    if not printed:
        return None
    folded = "".join(fold_width(printed).split())
    folded = folded.strip("()") if folded.startswith("(") and folded.endswith(")") else folded
    return _ORGAN_BEFORE_NUMBER.sub("", folded)


def _predicted_value(predicted: Citation, name: str) -> object:
    if name == "printed_number":
        return printed_key(predicted.printed_number)
    if name == "doc_number":  # a number without 代字 is compared in its bracketed form, 〔2020〕84号
        return number_key(predicted.number_normalised)
    if name == "policy":
        return predicted.is_policy_document
    return getattr(predicted, name)


def _expected_value(expected: dict, name: str) -> object:
    if name == "doc_number":
        return number_key(expected.get("doc_number"))
    if name == "printed_number":
        return printed_key(expected.get("printed_number"))
    if name == "policy":
        return expected.get("is_policy_document")
    return expected.get(name)


def pair_weight(expected: dict, predicted: Citation) -> int:
    """0 when the two cannot be the same citation; otherwise higher for a better pair."""
    keys = _title_keys(expected.get("title"), predicted.title)
    titles_agree = keys is not None and (keys[0] in keys[1] or keys[1] in keys[0])
    same_title = _SAME_TITLE_BONUS if keys is not None and keys[0] == keys[1] else 0
    expected_number, predicted_number = number_key(expected.get("doc_number")), number_key(predicted.doc_number)
    if expected_number and predicted_number:
        if expected_number != predicted_number:
            return 0
        return _NUMBER_WEIGHT + (_TITLE_WEIGHT if titles_agree else 0) + same_title
    if titles_agree:
        return _TITLE_WEIGHT + same_title
    printed = printed_key(expected.get("printed_number"))
    return _SAME_TITLE_BONUS if printed and printed == printed_key(predicted.printed_number) else 0


def align(expected: list[dict], predicted: list[Citation]) -> list[tuple[dict, Citation]]:
    """Optimal one-to-one pairing: numbers first, then titles (maximum-weight bipartite matching)."""
    graph = nx.Graph()
    for i, item in enumerate(expected):
        for j, candidate in enumerate(predicted):
            weight = pair_weight(item, candidate)
            if weight:
                graph.add_edge(("e", i), ("p", j), weight=weight)
    pairs: list[tuple[int, int]] = []
    for a, b in nx.max_weight_matching(graph):
        e, p = (a, b) if a[0] == "e" else (b, a)
        pairs.append((e[1], p[1]))
    return [(expected[i], predicted[j]) for i, j in sorted(pairs)]


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
    cells: int = 0
    invented: int = 0  # predicted citations matching nothing, not flagged incomplete
    partial: int = 0  # predicted citations flagged incomplete (clipped cells)
    coverage: Coverage = field(default_factory=Coverage)  # predictions given an issuer / a level

    def absorb(self, other: Result) -> None:
        for name, tally in other.tallies.items():
            self.tallies[name].add(tally.true_positive, tally.predicted, tally.expected)
        self.outcomes.update(other.outcomes)
        self.cells += other.cells
        self.invented += other.invented
        self.partial += other.partial
        self.coverage.absorb(other.coverage)


def _label(item: dict | Citation) -> str:
    if isinstance(item, dict):
        return item.get("doc_number") or item.get("title") or item.get("printed_number") or "?"
    return item.doc_number or item.title or item.text


def evaluate(corpus: dict) -> Result:
    """Score one corpus (the parsed JSON of a citations*.json file)."""
    result = Result()
    regions = {key: RegionContext(*names) for key, names in corpus["regions"].items()}
    for cell in corpus["cells"]:
        cell_id = f"{cell['source']}:{cell['line']}"
        predicted = extract_citations(cell["cell"], regions.get(cell["source"]))
        for citation in predicted:
            result.coverage.add(citation)
        expected = cell["expected"]
        pairs = align(expected, predicted)
        result.cells += 1
        result.tallies["link"].add(len(pairs), len(predicted), len(expected))
        for name in FIELDS[1:]:
            if name in _VALUE_FIELDS:  # counted only where a value was predicted / expected
                tp = sum(1 for e, p in pairs if (value := _expected_value(e, name)) is not None
                         and value == _predicted_value(p, name))
                n_pred = sum(1 for p in predicted if _predicted_value(p, name) is not None)
                n_exp = sum(1 for e in expected if _expected_value(e, name) is not None)
            elif name == "kind":  # judged where the expected item gives one (null: a number alone, 文种 unprinted)
                tp = sum(1 for e, p in pairs if e.get("kind") is not None and e["kind"] == p.kind)
                n_pred = len(predicted) - sum(1 for e, _ in pairs if e.get("kind") is None)
                n_exp = sum(1 for e in expected if e.get("kind") is not None)
            else:  # policy: over the pairs whose expected item says
                judged = [(e, p) for e, p in pairs if _expected_value(e, name) is not None]
                tp = sum(1 for e, p in judged if _expected_value(e, name) == _predicted_value(p, name))
                n_pred = n_exp = len(judged)
            result.tallies[name].add(tp, n_pred, n_exp)
        outcome: list[str] = []
        for e, p in pairs:
            wrong = [n for n in FIELDS[1:] if _expected_value(e, n) is not None and _expected_value(e, n)
                     != _predicted_value(p, n)]
            outcome.append(f"found {_label(e)}" + (f" (wrong {','.join(wrong)})" if wrong else ""))
        matched_expected = {id(e) for e, _ in pairs}
        matched_predicted = {id(p) for _, p in pairs}
        outcome += [f"missed {_label(e)}" for e in expected if id(e) not in matched_expected]
        for p in predicted:
            if id(p) not in matched_predicted:
                outcome.append(f"{'spurious partial' if p.incomplete else 'invented'} {_label(p)}")
                result.invented += not p.incomplete
        result.partial += sum(1 for p in predicted if p.incomplete)
        result.outcomes[cell_id] = sorted(outcome)
    return result


def evaluate_files(paths: Iterable[Path]) -> tuple[dict[str, Result], Result]:
    """Each corpus file's result, and all of them together."""
    per_file: dict[str, Result] = {}
    overall = Result()
    for path in paths:
        result = evaluate(json.loads(path.read_text(encoding="utf-8")))
        per_file[path.name] = result
        overall.absorb(result)
    return per_file, overall


def _table(result: Result) -> list[str]:
    lines = [f"{'field':<15}{'precision':>10}{'recall':>8}{'F1':>7}{'tp':>6}{'pred':>6}{'exp':>6}"]
    for name, tally in result.tallies.items():
        lines.append(f"{name:<15}{tally.precision:>10.3f}{tally.recall:>8.3f}{tally.f1:>7.3f}"
                     f"{tally.true_positive:>6}{tally.predicted:>6}{tally.expected:>6}")
    printed = result.tallies["printed_number"]
    lines.append(f"printed numbers kept exactly: {printed.true_positive}/{printed.expected} ({printed.recall:.3f}); "
                 f"invented documents: {result.invented}; partial citations flagged incomplete: {result.partial}")
    lines.append(result.coverage.summary() + " (python -m kg.citations.coverage lists the rest)")
    return lines


def report(per_file: dict[str, Result], overall: Result, previous: dict[str, list[str]] | None) -> str:
    lines: list[str] = []
    for name, result in per_file.items():
        lines += [f"== {name} ({result.cells} cells)", *_table(result), ""]
    lines += [f"== overall ({overall.cells} cells)", *_table(overall)]
    bad = {cell: [o for o in outs if not o.startswith("found") or "wrong" in o] for cell, outs in
           overall.outcomes.items()}
    errors = [f"  {cell}: {o}" for cell, outs in bad.items() for o in outs]
    lines.append(f"\n{len(errors)} error(s):")
    lines += errors
    if previous is not None:
        gained, lost = [], []
        for cell in sorted(set(previous) | set(overall.outcomes)):
            before, now = set(previous.get(cell, [])), set(overall.outcomes.get(cell, []))
            gained += [f"  + {cell}: {o}" for o in sorted(now - before)]
            lost += [f"  - {cell}: {o}" for o in sorted(before - now)]
        lines.append(f"\nsince the last run: {len(gained)} new outcome(s), {len(lost)} gone")
        lines += gained + lost
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append",
                        help="a corpus file (repeatable); default: every tests/corpus/citations*.json")
    parser.add_argument("--last-run", type=Path, default=DEFAULT_LAST_RUN)
    parser.add_argument("--no-save", action="store_true", help="do not overwrite the last run's results")
    args = parser.parse_args(argv)
    per_file, overall = evaluate_files(args.corpus or corpus_files())
    previous = json.loads(args.last_run.read_text(encoding="utf-8")) if args.last_run.exists() else None
    print(report(per_file, overall, previous))
    if not args.no_save:
        args.last_run.write_text(json.dumps(overall.outcomes, ensure_ascii=False, indent=1) + "\n",
                                 encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
