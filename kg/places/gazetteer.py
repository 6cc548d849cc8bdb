"""The division list (国家统计局 统计用区划代码): load once, look up by code or by name within a parent.

The compact file ``kg/data/divisions.tsv.gz`` ships with the package (provinces, cities, counties, townships,
current and former). Villages are optional: ``scripts/build_divisions.py --villages`` writes them to
``$BUDGET_KG_DATA/villages.tsv.gz`` (or ``~/.cache/budget-kg/villages.tsv.gz``); they are loaded when present.
"""

from __future__ import annotations

import gzip
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

Level = Literal["province", "city", "county", "township", "village"]
LEVEL_DEPTH: dict[str, int] = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4}

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DIVISIONS_PATH = DATA_DIR / "divisions.tsv.gz"
VILLAGES_FILE = "villages.tsv.gz"


def village_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the optional village file lives: $BUDGET_KG_DATA, else ~/.cache/budget-kg."""
    environ = os.environ if environ is None else environ
    base = environ.get("BUDGET_KG_DATA")
    return (Path(base) if base else Path.home() / ".cache" / "budget-kg") / VILLAGES_FILE


class Division(NamedTuple):
    """One division. A named tuple rather than a dataclass: 52,000 are made whenever a process reads the
    list, and a tuple is made (and hashed, as part of a region) several times faster."""

    code: str
    name: str
    level: Level
    parent: str | None
    former: bool = False  # listed by an older release only (merged away or renamed)
    successor: str | None = None  # for a renamed former division: the current code

    @property
    def current_code(self) -> str:
        return self.successor or self.code


def read_division_file(path: Path) -> list[Division]:
    """Read a divisions/villages TSV (gzip'd or plain). Lines starting with '#' are comments."""
    data = path.read_bytes()
    text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")
    if "\r" in text:  # the universal newlines of a file read in text mode
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    make = Division.__new__  # positional, without the keyword handling of Division(...)
    out: list[Division] = []
    for line in text.split("\n"):
        if not line.strip() or line.startswith("#") or line.startswith("code\t"):
            continue
        fields = line.split("\t")
        if len(fields) < 6:
            fields += [""] * (6 - len(fields))
        code, name, level, parent, status, successor = fields[:6]
        if level not in LEVEL_DEPTH:
            continue
        out.append(make(Division, code, name, level, parent or None, status == "former", successor or None))
    return out


class Gazetteer:
    """Divisions indexed by code, by parent, and by (parent, name)."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self.by_code: dict[str, Division] = {}
        self._children: dict[str | None, list[Division]] = defaultdict(list)
        self._by_name: dict[str, list[Division]] = defaultdict(list)
        self.has_villages = False
        self.add(divisions)

    def add(self, divisions: Iterable[Division]) -> None:
        for division in divisions:
            self.by_code[division.code] = division
            self._children[division.parent].append(division)
            self._by_name[division.name].append(division)
            if division.level == "village":
                self.has_villages = True

    def get(self, code: str | None) -> Division | None:
        return self.by_code.get(code) if code else None

    def children(self, code: str | None, *, former: bool = True) -> list[Division]:
        return [d for d in self._children.get(code, []) if former or not d.former]

    def named(self, name: str, level: Level | None = None) -> list[Division]:
        """Every division printed with this exact name (optionally at one level), all of China."""
        return [d for d in self._by_name.get(name, []) if level is None or d.level == level]

    def find(self, name: str, within: str | None = None, level: Level | None = None) -> list[Division]:
        """Divisions named ``name`` under the division ``within`` (at any depth below it)."""
        return [d for d in self.named(name, level) if within is None or self.is_within(d.code, within)]

    def is_within(self, code: str, ancestor: str) -> bool:
        # NBS codes nest by prefix (14 ⊃ 1405 ⊃ 140525 ⊃ 140525112), former rows included
        return code.startswith(ancestor) and code != ancestor

    def ancestors(self, code: str) -> list[Division]:
        """Parents from the nearest up to the province."""
        out: list[Division] = []
        division = self.by_code.get(code)
        while division is not None and division.parent:
            division = self.by_code.get(division.parent)
            if division is not None:
                out.append(division)
        return out

    def descendants(self, code: str, level: Level) -> list[Division]:
        """All divisions of ``level`` below ``code`` (e.g. every township of a city)."""
        out: list[Division] = []
        stack = [code]
        while stack:
            for child in self._children.get(stack.pop(), []):
                if child.level == level:
                    out.append(child)
                elif LEVEL_DEPTH[child.level] < LEVEL_DEPTH[level]:
                    stack.append(child.code)
        return out

    def at_level(self, level: Level) -> list[Division]:
        return [d for d in self.by_code.values() if d.level == level]


def load_gazetteer(path: Path | None = None, villages: Path | None = None) -> Gazetteer:
    """A fresh Gazetteer from ``path`` (default: the shipped file) plus villages when the file exists."""
    gazetteer = Gazetteer(read_division_file(path or DIVISIONS_PATH))
    village_file = villages if villages is not None else village_path()
    if village_file.exists():
        gazetteer.add(read_division_file(village_file))
    return gazetteer


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The shipped division list (and villages if downloaded), read once per process."""
    return load_gazetteer()
