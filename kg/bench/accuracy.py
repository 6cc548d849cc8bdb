"""Reading accuracy on annotated disclosures, from the PDF and from the text, with what changed since last run.

    python -m kg.bench.accuracy [--corpus DIR] [--expected DIR] [--mode text|pdf|both] [--no-save] [--details]

The expected values (``tests/corpus/dev/<stem>.json``) were written by reading the documents of
``../shared/dev-corpus/`` (by sessions that had not seen the extractor's output); the documents themselves are
read in place, never copied. For each document and each reader (its PDF, its ``pdftotext -layout`` text) it
scores:

- the document: accepted (not rejected), 预算/决算 phase, 部门/单位 scope, department, fiscal year;
- tables: every printed standard table found (by kind, in order), none invented, each in its printed unit;
- code rows: every row of every table printed by 功能分类 or 经济分类 code, exact when code, name and every
  amount (in 元, so a wrong unit is a wrong amount) agree; precision and recall over (table, code);
- projects: name and amount of each project (tables or prose), and the 立项依据 documents each cites;
- “三公”经费 items: each printed item of each 三公 table (合计, 出国, 公务用车 and its parts, 接待, 会议, 培训),
  in 元; a blank cell and a printed 0 are the same amount.

The outcome of every scored item is kept in ``tests/corpus/dev.last-run.json`` (``--no-save`` leaves it); a
run prints the items gained and lost since.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kg.errors import BudgetKGError
from kg.ingest.normalise import normalise_text
from kg.records import Disclosure, Table
from kg.tables.amounts import parse_amount, to_yuan
from kg.tables.layout import compact

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_DIR = ROOT / "tests" / "corpus" / "dev"
LAST_RUN = ROOT / "tests" / "corpus" / "dev.last-run.json"
CORPUS_ENV = "BUDGET_KG_DEV_CORPUS"
FUNCTION_FIELDS = ("total", "basic", "project")
ECONOMIC_FIELDS = ("total", "personnel", "operating")


def default_corpus() -> Path:
    return Path(os.environ.get(CORPUS_ENV) or ROOT.parent / "shared" / "dev-corpus")


@dataclass
class Tally:
    """Counts of one measure: true positives, expected, predicted."""

    tp: int = 0
    expected: int = 0
    predicted: int = 0

    def add(self, other: Tally) -> None:
        self.tp += other.tp
        self.expected += other.expected
        self.predicted += other.predicted

    @property
    def precision(self) -> float:
        return self.tp / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.expected if self.expected else 1.0


@dataclass
class Score:
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    outcomes: dict[str, bool] = field(default_factory=dict)  # item key → right?
    misses: list[str] = field(default_factory=list)

    def item(self, measure: str, key: str, right: bool, why: str = "") -> None:
        self.outcomes[f"{measure}|{key}"] = right
        if not right:
            self.misses.append(f"{measure}: {key}{' — ' + why if why else ''}")

    def merge(self, other: Score) -> None:
        for name, tally in other.tallies.items():
            self.tallies[name].add(tally)
        self.outcomes.update(other.outcomes)
        self.misses += other.misses


def _yuan(value: Any, unit: str | None) -> Decimal | None:
    if value is None or unit is None:
        return None
    amount = value if isinstance(value, Decimal) else parse_amount(str(value))
    try:
        return to_yuan(amount, unit) if amount is not None else None
    except ValueError:
        return None


def _name(text: str) -> str:
    """Names compared as ingest normalises them (full-width brackets unified), without spaces."""
    return compact(normalise_text(text))


def _tables_by_key(tables: list[Table]) -> dict[str, Table]:
    """Our tables keyed as the annotations key them: the kind, then ``kind#2`` for a second table of a kind."""
    seen: dict[str, int] = defaultdict(int)
    out: dict[str, Table] = {}
    for table in tables:
        seen[table.kind] += 1
        out[table.kind if seen[table.kind] == 1 else f"{table.kind}#{seen[table.kind]}"] = table
    return out


def _our_rows(table: Table, fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    frame = table.frame
    if "code" not in frame.columns:
        return {}
    rows: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict("records"):
        code = record.get("code")
        if isinstance(code, str) and code.isdigit():
            rows.setdefault(code, {"name": _name(str(record.get("name") or "")),
                                   **{f: _yuan(record.get(f), table.unit) for f in fields}})
    return rows


def _score_rows(score: Score, measure: str, mode: str, stem: str, expected: dict[str, list[dict[str, Any]]],
                units: dict[str, str | None], ours: dict[str, Table], fields: tuple[str, ...]) -> None:
    tally = score.tallies[measure]
    for key, rows in expected.items():
        table = ours.get(key)
        predicted = _our_rows(table, fields) if table is not None else {}
        tally.expected += len(rows)
        tally.predicted += len(predicted)
        for row in rows:
            code = row["code"]
            got = predicted.get(code)
            item = f"{mode}|{stem}|{key}|{code}"
            if got is None:
                score.item(measure, item, False, "row not read")
                continue
            want = {f: _yuan(row.get(f), units.get(key)) for f in fields}
            wrong = [f for f in fields if want[f] != got[f] and not (want[f] is None and got[f] == 0)]
            if _name(row["name"]) != got["name"]:
                wrong.append(f"name {got['name']!r}")
            if wrong:
                score.item(measure, item, False, ", ".join(
                    w if w.startswith("name") else f"{w} {got[w]} ≠ {want[w]}" for w in wrong))
            else:
                tally.tp += 1
                score.item(measure, item, True)


def score_document(expected: dict[str, Any], disclosure: Disclosure | None, mode: str,
                   error: str | None = None) -> Score:
    """Score one reading of one document against its expected values."""
    score = Score()
    stem = expected["stem"]
    accepted = disclosure is not None
    score.tallies["documents accepted"].expected += 1
    score.tallies["documents accepted"].predicted += 1
    if accepted or not expected.get("is_disclosure", True):
        score.tallies["documents accepted"].tp += 1
    score.item("document", f"{mode}|{stem}|accepted", accepted, error or "")
    if disclosure is None:
        return score
    checks = {
        "fiscal_year": (expected.get("fiscal_year"), disclosure.fiscal_year),
        "scope": (expected.get("scope"), disclosure.scope),
        "phase": (expected.get("phase", "budget"), getattr(disclosure, "phase", "budget")),
        "department": (_name(expected.get("department") or ""), _name(disclosure.department or "")),
    }
    for name, (want, got) in checks.items():
        if want in (None, ""):
            continue
        tally = score.tallies[f"metadata {name}"]
        tally.expected += 1
        tally.predicted += 1
        right = want == got
        tally.tp += right
        score.item("metadata", f"{mode}|{stem}|{name}", right, f"{got!r} ≠ {want!r}")

    # tables: kinds in document order, paired in order per kind
    ours = _tables_by_key(disclosure.tables)
    wanted = _tables_by_key_expected(expected.get("tables", []))
    tally = score.tallies["tables"]
    tally.expected += len(wanted)
    tally.predicted += len(ours)
    units = {key: t.get("unit") for key, t in wanted.items()}
    unit_tally = score.tallies["table units"]
    for key, table in wanted.items():
        found = key in ours
        tally.tp += found
        score.item("table", f"{mode}|{stem}|{key}", found, "not found")
        if found and not table.get("empty"):
            unit_tally.expected += 1
            unit_tally.predicted += 1
            right = ours[key].unit == table.get("unit")
            unit_tally.tp += right
            score.item("unit", f"{mode}|{stem}|{key}", right, f"{ours[key].unit} ≠ {table.get('unit')}")
    for key in ours.keys() - wanted.keys():
        score.misses.append(f"table: {mode}|{stem}|{key} — not expected ({ours[key].title})")

    _score_rows(score, "function rows", mode, stem, expected.get("function_rows", {}), units, ours,
                FUNCTION_FIELDS)
    _score_rows(score, "economic rows", mode, stem, expected.get("economic_rows", {}), units, ours,
                ECONOMIC_FIELDS)
    _score_projects(score, mode, stem, expected.get("projects", []), disclosure)
    _score_three_public(score, mode, stem, expected.get("three_public", []), disclosure.tables)
    return score


def _score_three_public(score: Score, mode: str, stem: str, expected: list[dict[str, Any]],
                        tables: list[Table]) -> None:
    """Each expected 三公 table's items against the same-numbered 三公 table's first row."""
    ours = [t for t in tables if t.kind == "three_public"]
    tally = score.tallies["three_public items"]
    for index, table in enumerate(expected):
        if table.get("empty"):
            continue
        got_table = ours[index] if index < len(ours) else None
        row = got_table.frame.iloc[0].to_dict() if got_table is not None and len(got_table.frame) else {}
        unit = got_table.unit if got_table is not None else None
        # a 决算 prints each item's 预算数 beside its 决算数: read as the comparator column <item>_budget
        budget = {f"{name}_budget": printed for name, printed in table.get("items_budget", {}).items()}
        for name, printed in {**table.get("items", {}), **budget}.items():
            tally.expected += 1
            tally.predicted += got_table is not None
            want = _yuan(printed, table.get("unit")) or Decimal(0)
            got = _yuan(row.get(name), unit) if name in row else None
            right = got_table is not None and (got or Decimal(0)) == want
            tally.tp += right
            score.item("three_public", f"{mode}|{stem}|{index + 1}|{name}", right,
                       "table not read" if got_table is None else f"{got} ≠ {want}")


def _tables_by_key_expected(tables: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    seen: dict[str, int] = defaultdict(int)
    out: dict[str, dict[str, Any]] = {}
    for table in tables:
        kind = table["kind"]
        if kind == "other":
            continue
        seen[kind] += 1
        out[kind if seen[kind] == 1 else f"{kind}#{seen[kind]}"] = table
    return out


def _score_projects(score: Score, mode: str, stem: str, expected: list[dict[str, Any]],
                    disclosure: Disclosure) -> None:
    ours = {compact(unicodedata.normalize("NFKC", p.name)): p for p in disclosure.projects}
    for statement in disclosure.performance:  # projects stated in prose (项目经费情况说明)
        key = compact(unicodedata.normalize("NFKC", statement.project_name))
        if statement.form == "prose" and key not in ours:
            ours[key] = SimpleNamespace(name=statement.project_name,
                                        total=statement.funds.get("年度", {}).get("total"))
    basis = {_nfkc(t.matched_project or t.project_name): t.basis for t in disclosure.performance
             if t.kind == "project"}
    tally = score.tallies["projects"]
    tally.expected += len(expected)
    tally.predicted += len(ours)
    for project in expected:
        key = compact(unicodedata.normalize("NFKC", project["name"]))
        got = ours.get(key)
        want = _yuan(project.get("amount"), project.get("unit"))
        right = got is not None and (want is None or getattr(got, "total", None) == want)
        tally.tp += right
        score.item("project", f"{mode}|{stem}|{project['name']}", right,
                   "not read" if got is None else f"amount {getattr(got, 'total', None)} ≠ {want}")
        if "basis" in project:
            _score_basis(score, f"{mode}|{stem}|{project['name']}", project["basis"], basis.get(key, ""))


def _nfkc(text: str) -> str:
    return compact(unicodedata.normalize("NFKC", text))


def _score_basis(score: Score, item: str, expected: list[dict[str, Any]], cell: str) -> None:
    """The 立项依据 documents a project cites: each expected one found by its 文号 (or, unnumbered, its title)."""
    from kg.citations import extract_citations

    cited = extract_citations(cell) if cell else []
    numbers = {_nfkc(c.doc_number) for c in cited if c.doc_number}
    titles = {_nfkc(c.title) for c in cited if c.title}
    tally = score.tallies["project basis documents"]
    tally.expected += len(expected)
    tally.predicted += len(cited)
    for document in expected:
        number, title = document.get("doc_number"), document.get("title") or ""
        right = _nfkc(number) in numbers if number else _nfkc(title) in titles
        tally.tp += right
        score.item("basis", f"{item}|{number or title}", right, "not cited")


def _read(path: Path) -> tuple[Disclosure | None, str | None]:
    from kg.extract import extract_file

    try:
        return extract_file(path), None
    except BudgetKGError as exc:
        return None, str(exc)


def run(corpus: Path, expected_dir: Path, modes: Iterable[str]) -> tuple[dict[str, Score], Score]:
    per_mode: dict[str, Score] = {}
    overall = Score()
    for mode in modes:
        mode_score = Score()
        for path in sorted(expected_dir.glob("*.json")):
            expected = json.loads(path.read_text(encoding="utf-8"))
            stem = expected["stem"]
            source = corpus / mode / f"{stem}.{'txt' if mode == 'text' else 'pdf'}"
            if not source.exists():
                continue
            disclosure, error = _read(source)
            mode_score.merge(score_document(expected, disclosure, mode, error))
        per_mode[mode] = mode_score
        overall.merge(mode_score)
    return per_mode, overall


def _report(per_mode: dict[str, Score]) -> list[str]:
    lines = []
    for mode, score in per_mode.items():
        lines.append(f"== {mode}")
        lines.append(f"  {'measure':26s} {'P':>6s} {'R':>6s} {'right':>7s} {'expected':>9s} {'read':>6s}")
        for name, tally in sorted(score.tallies.items()):
            lines.append(f"  {name:26s} {tally.precision:6.3f} {tally.recall:6.3f} {tally.tp:7d} "
                         f"{tally.expected:9d} {tally.predicted:6d}")
    return lines


def _changes(outcomes: dict[str, bool], last: dict[str, bool]) -> list[str]:
    gained = sorted(k for k, v in outcomes.items() if v and last.get(k) is False)
    lost = sorted(k for k, v in outcomes.items() if not v and last.get(k) is True)
    lines = [f"since last run: {len(gained)} gained, {len(lost)} lost"]
    lines += [f"  + {k}" for k in gained[:40]] + [f"  - {k}" for k in lost[:40]]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.bench.accuracy", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=default_corpus(),
                        help=f"folder with pdf/ and text/ (default ../shared/dev-corpus or ${CORPUS_ENV})")
    parser.add_argument("--expected", type=Path, default=EXPECTED_DIR, help="folder of <stem>.json expected values")
    parser.add_argument("--mode", choices=("text", "pdf", "both"), default="both", help="which reader to score")
    parser.add_argument("--no-save", action="store_true", help="do not record this run as the last run")
    parser.add_argument("--details", action="store_true", help="list every wrong or missing item")
    args = parser.parse_args(argv)
    if not (args.corpus / "text").is_dir():
        print(f"error: no corpus at {args.corpus} (give --corpus DIR holding pdf/ and text/)", file=sys.stderr)
        return 2
    modes = ("text", "pdf") if args.mode == "both" else (args.mode,)
    per_mode, overall = run(args.corpus, args.expected, modes)
    for line in _report(per_mode):
        print(line)
    last: dict[str, bool] = {}
    if LAST_RUN.exists():
        last = json.loads(LAST_RUN.read_text(encoding="utf-8"))
    for line in _changes(overall.outcomes, last):
        print(line)
    if args.details:
        print("wrong or missing:")
        for miss in overall.misses:
            print(f"  {miss}")
    if not args.no_save:
        merged = {**last, **overall.outcomes}
        tmp = LAST_RUN.with_suffix(".tmp")
        tmp.write_text(json.dumps(merged, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
        tmp.replace(LAST_RUN)
    return 0


if __name__ == "__main__":
    sys.exit(main())
