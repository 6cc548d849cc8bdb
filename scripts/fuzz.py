"""Fuzz the extractor and the build with mutated real disclosures (run by hand, not in CI).

Inputs: the samples (text and PDF) and, when present, ../shared/dev-corpus (read in place, never copied).
Each round mutates one of them — flipped, inserted or deleted bytes, a truncation, a long run of one
character (dashes, spaces, digits, 、) in a line, a misprinted header cell, lines shuffled or spliced from
another document, a re-encoding (GBK, UTF-16, a BOM), for PDFs damaged bytes or a hostile PDF (glyphs, pages,
a bad /MediaBox) — writes it to a scratch folder and reads it as ``extract`` does, in a worker process under
the per-document time limit (kg.workers, kg.guard). Every 25 documents the batch is also built
(``kg.build.build``) and every input must come out as a built document or a named failure.

Counted: **crash** (an exception that is not a BudgetKGError: what the command line would show as a
traceback, or a worker process that died), **hang** (a document over the time limit plus 10 s),
**silent drop** (a document that gives neither records nor an error, or a build input in neither list).
The closing line gives the counts; inputs that crashed, hung or dropped are kept under ``--keep`` to reproduce.

    python scripts/fuzz.py --minutes 10 [--seed 1] [--keep /tmp/fuzz-findings]
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import shutil
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV_CORPUS = ROOT.parent / "shared" / "dev-corpus"
DOC_TIMEOUT = 20.0
BATCH = 25
RUNS = ["-" * 3000 + "x", " " * 50_000 + "x", "1" * 20_000 + "a", "、" * 5000 + "号", "(" * 3000,
        "部门名称:" + " " * 30_000 + "x", "〔2023〕" * 2000, "\t" * 10_000, "《" * 4000 + "》"]


def seeds() -> list[Path]:
    found = sorted((ROOT / "samples").glob("*.txt")) + sorted((ROOT / "samples" / "pdf").glob("*.pdf"))
    if DEV_CORPUS.is_dir():
        found += sorted(p for p in DEV_CORPUS.rglob("*") if p.suffix.lower() in (".txt", ".pdf"))
    return found


def mutate_text(data: bytes, other: bytes, rng: random.Random) -> tuple[bytes, str]:
    text = data.decode("utf-8", errors="replace")
    lines = text.split("\n")
    kind = rng.choice(["flip", "insert", "delete", "truncate", "run", "header", "shuffle", "splice", "encode",
                       "control"])
    if kind == "flip":
        raw = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw), kind
    if kind == "insert":
        at = rng.randrange(len(data))
        return data[:at] + os.urandom(rng.randint(1, 64)) + data[at:], kind
    if kind == "delete":
        at = rng.randrange(len(data))
        return data[:at] + data[at + rng.randint(1, 4096):], kind
    if kind == "truncate":
        return data[: rng.randrange(1, len(data))], kind
    if kind == "run":
        at = rng.randrange(len(lines))
        lines[at] = lines[at] + rng.choice(RUNS)
    elif kind == "header":
        for word in ("科目名称", "项目名称", "合计", "功能分类科目编码", "立项依据", "单位:万元"):
            if word in text and rng.random() < 0.5:
                text = text.replace(word, word[:1] + rng.choice("《〔|\t ") + word[1:], rng.randint(1, 3))
        return text.encode("utf-8"), kind
    elif kind == "shuffle":
        start = rng.randrange(len(lines))
        block = lines[start:start + rng.randint(2, 200)]
        rng.shuffle(block)
        lines[start:start + len(block)] = block
    elif kind == "splice":
        others = other.decode("utf-8", errors="replace").split("\n")
        start = rng.randrange(len(others))
        lines[rng.randrange(len(lines)):0] = others[start:start + rng.randint(10, 400)]
    elif kind == "encode":
        choice = rng.choice(["gb18030", "utf-16", "utf-8-sig"])
        return text.encode(choice, errors="replace"), f"encode-{choice}"
    elif kind == "control":
        at = rng.randrange(len(lines))
        lines[at] = lines[at] + "".join(chr(rng.randrange(0, 32)) for _ in range(5))
    return "\n".join(lines).encode("utf-8"), kind


def mutate_pdf(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    from kg.bench import hostile_pdf

    kind = rng.choice(["flip", "flip", "truncate", "insert", "glyphs", "pages", "mediabox", "text"])
    if kind == "flip":
        raw = bytearray(data)
        for _ in range(rng.randint(1, 50)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw), "pdf-flip"
    if kind == "truncate":
        return data[: rng.randrange(10, len(data))], "pdf-truncate"
    if kind == "insert":
        at = rng.randrange(len(data))
        return data[:at] + os.urandom(rng.randint(1, 512)) + data[at:], "pdf-insert"
    if kind == "glyphs":
        return hostile_pdf.glyph_bomb(rng.choice([50_000, 150_000, 600_000])), "pdf-glyphs"
    if kind == "pages":
        return hostile_pdf.page_bomb(rng.choice([100, 2500, 20_000])), "pdf-pages"
    if kind == "mediabox":
        box = rng.choice([b"[0 0 abc]", b"[0 0]", b"[]", b"[0 0 1e999 1]", b"[0 0 -5 -5]", b"/x"])
        return hostile_pdf.pdf_bytes([hostile_pdf.text_stream(["2025 budget"])], media_box=box), "pdf-mediabox"
    lines = ["".join(chr(rng.randrange(32, 127)) for _ in range(rng.randint(0, 200))) for _ in range(60)]
    return hostile_pdf.pdf_bytes([hostile_pdf.text_stream(lines)] * rng.randint(1, 5)), "pdf-text"


def read_one(path: str) -> tuple[str, str, str, float]:
    """In a worker: extract one file as the command line does. (path, outcome, detail, seconds)."""
    from kg.errors import BudgetKGError
    from kg.extract import extract_file
    from kg.guard import time_limit

    started = time.perf_counter()
    try:
        with time_limit(DOC_TIMEOUT, Path(path).name):
            disclosure = extract_file(path)
    except BudgetKGError as exc:
        return path, "failed", exc.code, time.perf_counter() - started
    except MemoryError:
        return path, "failed", "memory", time.perf_counter() - started
    except Exception as exc:
        return path, "crash", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()[-1500:]}", \
            time.perf_counter() - started
    has_records = bool(disclosure.tables or disclosure.performance or disclosure.projects)
    has_error = any(n.severity in ("error", "warning") for n in disclosure.notices)
    outcome = "ok" if has_records else ("failed" if has_error else "silent")
    return path, outcome, "" if has_records else "no records; errors named", time.perf_counter() - started


def lost(path: str, reason: str) -> tuple[str, str, str, float]:
    return path, "crash", f"worker died: {reason}", 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=Path(tempfile.gettempdir()) / "budget-kg-fuzz-findings")
    args = parser.parse_args(argv)
    os.environ.setdefault("BUDGET_KG_DOC_TIMEOUT", str(DOC_TIMEOUT))
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # as the command line does: our notices name the file
    from kg.build import build
    from kg.workers import isolated_map

    rng = random.Random(args.seed)
    inputs = seeds()
    originals = {p: p.read_bytes() for p in inputs}
    deadline = time.monotonic() + args.minutes * 60
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    findings: list[str] = []
    builds = build_inputs = build_silent = 0
    slowest = 0.0
    args.keep.mkdir(parents=True, exist_ok=True)
    print(f"fuzzing {len(inputs)} seed files ({sum(p.suffix == '.pdf' for p in inputs)} PDF) for "
          f"{args.minutes:g} min, seed {args.seed}", flush=True)
    with tempfile.TemporaryDirectory(prefix="budget-kg-fuzz-") as scratch_dir:
        scratch = Path(scratch_dir)
        round_number = 0
        while time.monotonic() < deadline:
            round_number += 1
            batch = scratch / f"batch-{round_number}"
            batch.mkdir()
            made: dict[str, str] = {}
            for n in range(BATCH):
                source = rng.choice(inputs)
                if source.suffix.lower() == ".pdf":
                    data, kind = mutate_pdf(originals[source], rng)
                    name = f"{n:02d}-{kind}.pdf"
                else:
                    other = originals[rng.choice([p for p in inputs if p.suffix == ".txt"])]
                    data, kind = mutate_text(originals[source], other, rng)
                    name = f"{n:02d}-{kind}.txt"
                (batch / name).write_bytes(data)
                made[str(batch / name)] = f"{source.name} {kind}"
                kinds[kind] += 1
            for path, outcome, detail, seconds in isolated_map(read_one, list(made), args.jobs, lost):
                counts["documents"] += 1
                slowest = max(slowest, seconds)
                if seconds > DOC_TIMEOUT + 10:
                    outcome = "hang"
                counts[outcome] += 1
                if outcome == "failed":
                    failures[detail] += 1
                if outcome in ("crash", "hang", "silent"):
                    kept = args.keep / f"{round_number}-{Path(path).name}"
                    shutil.copy(path, kept)
                    findings.append(f"{outcome}: {kept} ({made[path]}): {detail.splitlines()[0] if detail else ''}")
                    print(findings[-1], flush=True)
            # the same batch through build: every input is a document or a named failure
            try:
                report = build([batch], scratch / f"out-{round_number}", jobs=args.jobs, formats=(), store=False,
                               progress=False)
            except Exception as exc:
                counts["build crash"] += 1
                findings.append(f"build crash on {batch}: {type(exc).__name__}: {exc}")
                print(findings[-1], flush=True)
                shutil.copytree(batch, args.keep / batch.name, dirs_exist_ok=True)
            else:
                builds += 1
                seen = {Path(d["file"]).name for d in report.documents} | {Path(n.file).name for n in report.failed}
                seen |= {Path(n.file).name for n in report.notices if n.code == "duplicate-content"}
                missing = [name for name in (Path(p).name for p in made) if name not in seen]
                build_inputs += len(made)
                build_silent += len(missing)
                for name in missing:
                    findings.append(f"build silent drop: {batch / name}")
            shutil.rmtree(batch, ignore_errors=True)
            shutil.rmtree(scratch / f"out-{round_number}", ignore_errors=True)
            if round_number % 4 == 0:
                print(f"  {counts['documents']} documents: {dict(counts)}", flush=True)
    print("\nmutations:", dict(kinds.most_common()))
    print("named failures:", dict(failures.most_common()))
    print(f"slowest document {slowest:.1f} s (limit {DOC_TIMEOUT:g} s)")
    crashes = counts["crash"] + counts["build crash"]
    print(f"\n{counts['documents']} documents in {args.minutes:g} min ({builds} builds of {build_inputs} inputs): "
          f"{counts['ok']} read, {counts['failed']} refused with a reason; "
          f"{crashes} crashes, {counts['hang']} hangs, {counts['silent'] + build_silent} silent drops")
    return 1 if crashes or counts["hang"] or counts["silent"] or build_silent else 0


if __name__ == "__main__":
    sys.exit(main())
