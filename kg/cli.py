"""The budget-kg command line: one verb per job.

Errors a user can act on are printed as one line naming the file (and line); tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kg.errors import BudgetKGError
from kg.records import Disclosure, Notice


def _extract_all(inputs: list[str], quiet: bool = False) -> tuple[list[Disclosure], list[Notice], list[Notice]]:
    from kg.extract import expand_inputs, extract_file

    paths, input_notices = expand_inputs(inputs)
    disclosures: list[Disclosure] = []
    failures: list[Notice] = []
    for path in paths:
        try:
            disclosures.append(extract_file(path))
        except BudgetKGError as exc:
            failures.append(Notice(exc.file, exc.line, exc.code, exc.message, "error"))
    return disclosures, failures, input_notices


def _print_notice(notice: Notice) -> None:
    print(str(notice), file=sys.stderr)


def cmd_extract(args: argparse.Namespace) -> int:
    from kg.report import write_extraction

    disclosures, failures, input_notices = _extract_all(args.inputs)
    out = Path(args.out)
    write_extraction(disclosures, failures, out, input_notices)
    for d in disclosures:
        warnings = [n for n in d.notices if n.severity != "info"]
        print(f"{d.source.name}: {len(d.tables)} tables, {len(d.projects)} projects, "
              f"{len(d.performance)} performance tables, {len(warnings)} warnings")
        if args.verbose:
            for notice in warnings:
                _print_notice(notice)
    for notice in input_notices + failures:
        _print_notice(notice)
    print(f"wrote {out}/report.json")
    return 1 if failures and not disclosures else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budget-kg", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

    extract = commands.add_parser("extract", help="read disclosures into CSV tables and a report.json")
    extract.add_argument("inputs", nargs="+", help="disclosure files (.txt, .pdf) or directories")
    extract.add_argument("--out", required=True, help="output directory")
    extract.add_argument("-v", "--verbose", action="store_true", help="print every warning")
    extract.set_defaults(run=cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(message)s")
    try:
        return int(args.run(args) or 0)
    except BudgetKGError as exc:
        if args.debug:
            raise
        print(f"budget-kg: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("budget-kg: interrupted; outputs already written are complete, nothing is half-written",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
