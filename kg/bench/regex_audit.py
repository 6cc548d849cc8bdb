"""Audit every regular expression of budget-kg for super-linear backtracking on hostile input.

A disclosure line is attacker-controlled text of any length, and CPython's ``re`` backtracks: a pattern with
nested or adjacent repeats over the same characters (``[-=]*[-=]{3,}[-=]*$`` on 2,500 dashes and an ``x``,
``[^\\t]+?\\s*(?:\\t|$)`` on 200,000 spaces) takes seconds to minutes on one line. This module finds them:

1. ``collect_patterns()``: every pattern in the package — string literals passed to ``re.compile`` /
   ``re.search`` … anywhere in the source (read with ``ast``), module-level compiled patterns, and those the
   cached loaders build from the data files (``kg/data/*.toml``);
2. ``hostile_inputs(pattern)``: for each repeat in the pattern, a string that matches the pattern up to that
   repeat, then 20,000 copies of a character (or unit) the repeat accepts, then a character that makes the
   match fail — the shape of every catastrophic case;
3. ``audit()``: runs ``finditer`` over each input (which tries every start, like ``search``/``sub`` do) and
   reports the inputs whose time grows faster than the input: slower than ``FLOOR_SECONDS`` at 20,000
   characters and more than ``GROWTH`` times slower than at 5,000 (linear gives 4, quadratic 16), or
   stopped at ``LIMIT_SECONDS``.

``python -m kg.bench.regex_audit`` prints the findings (the test suite asserts there are none).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path

try:  # Python 3.11+
    import re._constants as sre_constants  # type: ignore[import-not-found]
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

import kg

PACKAGE_DIR = Path(kg.__file__).parent
LONG = 20_000
SHORT = 5_000
FLOOR_SECONDS = 0.05  # a linear pattern scans 20,000 characters in a few milliseconds
GROWTH = 8.0  # 4x the input: linear ≈ 4x the time, quadratic ≈ 16x
LIMIT_SECONDS = 2.0
_RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "sub", "subn", "split"}
_FLAG_NAMES = {"I": re.I, "IGNORECASE": re.I, "M": re.M, "MULTILINE": re.M, "S": re.S, "DOTALL": re.S,
               "X": re.X, "VERBOSE": re.X, "A": re.A, "ASCII": re.A, "U": re.U, "UNICODE": re.U}
_PROBES = ("a", "1", " ", "一", "-", "\t", "x", ".", "(", "《")


@dataclass(frozen=True)
class FoundPattern:
    where: str  # file:line, or module.name
    pattern: str
    flags: int


@dataclass(frozen=True)
class Finding:
    where: str
    pattern: str
    sample: str  # the input's shape: prefix + filler×n + tail
    short_seconds: float
    long_seconds: float | None  # None: stopped at LIMIT_SECONDS

    def __str__(self) -> str:
        if self.long_seconds is None:
            return f"{self.where}: {self.pattern!r} on {self.sample}: over {LIMIT_SECONDS:g} s"
        timing = f"{self.short_seconds * 1000:.1f} ms at {SHORT:,}, {self.long_seconds * 1000:.1f} ms at {LONG:,}"
        return f"{self.where}: {self.pattern!r} on {self.sample}: {timing}"


# --- collecting ---------------------------------------------------------------------------------------------

def _flags(node: ast.expr | None) -> int | None:
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and node.attr in _FLAG_NAMES:
        return int(_FLAG_NAMES[node.attr])
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _flags(node.left), _flags(node.right)
        return None if left is None or right is None else left | right
    return None


def _source_patterns(root: Path) -> Iterator[FoundPattern]:
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr in _RE_FUNCTIONS and node.args):
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue
            flag_node = next((k.value for k in node.keywords if k.arg == "flags"), None)
            position = {"compile": 1, "search": 2, "match": 2, "fullmatch": 2, "findall": 2, "finditer": 2,
                        "split": 3, "sub": 4, "subn": 4}[node.func.attr]
            if flag_node is None and len(node.args) > position:
                flag_node = node.args[position]
            flags = _flags(flag_node)
            if flags is None:
                continue
            yield FoundPattern(f"{path.relative_to(root.parent)}:{node.lineno}", first.value, flags)


def _walk(value: object, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            yield value
        return
    if depth >= 4:
        return
    if isinstance(value, dict):
        for item in value.values():
            yield from _walk(item, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            yield from _walk(item, depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for item in fields(value):
            yield from _walk(getattr(value, item.name, None), depth + 1)


def _runtime_patterns() -> Iterator[FoundPattern]:
    import inspect

    for info in pkgutil.walk_packages(kg.__path__, "kg."):
        if info.name.endswith("__main__") or ".bench" in info.name:
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:  # an optional dependency missing: its patterns are checked where it installs
            continue
        for name, value in vars(module).items():
            if callable(value) and hasattr(value, "cache_info") and getattr(value, "__module__", "") == info.name:
                try:
                    required = [p for p in inspect.signature(value).parameters.values()
                                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
                except (TypeError, ValueError):
                    continue
                if not required:  # a cached loader: the patterns it builds from the data files
                    value = value()
            for pattern in _walk(value):
                yield FoundPattern(f"{info.name}.{name}", pattern.pattern, pattern.flags & ~re.U)


def collect_patterns(root: Path = PACKAGE_DIR) -> list[FoundPattern]:
    """Every distinct (pattern, flags) of the package, with one place it is used."""
    found: dict[tuple[str, int], FoundPattern] = {}
    for item in [*_source_patterns(root), *_runtime_patterns()]:
        found.setdefault((item.pattern, item.flags & ~re.U), item)
    return list(found.values())


# --- hostile inputs -----------------------------------------------------------------------------------------

def _class_sample(items: list) -> list[str]:
    """Characters an ``[...]`` accepts (a few), tested against the class itself."""
    candidates: list[str] = []
    for op, arg in items:
        if op is sre_constants.LITERAL:
            candidates.append(chr(arg))
        elif op is sre_constants.RANGE:
            candidates += [chr(arg[0]), chr(arg[1])]
        elif op is sre_constants.CATEGORY:
            candidates += [" ", "1", "a", "一", "\t"]
    candidates += list(_PROBES)
    return candidates


class _Sampler:
    """A string matching the pattern, with the cut points where a repeat starts and what the repeat eats."""

    def __init__(self, flags: int) -> None:
        self.flags = flags
        self.cuts: list[tuple[int, list[str]]] = []

    def chars(self, parsed) -> list[str]:
        """Single characters (or units) the sub-pattern can consume, found by trying probes against it."""
        try:
            compiled = re.compile(_unparse_guard(parsed), self.flags)
        except Exception:
            compiled = None
        options: list[str] = []
        unit = self.sample(parsed, record=False)
        pool = [*_candidates(parsed), *_PROBES]
        if compiled is not None:
            options = [c for c in dict.fromkeys(pool) if compiled.fullmatch(c)]
        if unit and len(unit) > 1:
            options.append(unit)
        return (options or [unit or "a"])[:6]

    def sample(self, parsed, record: bool = True) -> str:
        out: list[str] = []
        for op, arg in parsed:
            out.append(self._one(op, arg, "".join(out), record))
        return "".join(out)

    def _one(self, op, arg, before: str, record: bool) -> str:
        c = sre_constants
        if op is c.LITERAL:
            return chr(arg)
        if op is c.NOT_LITERAL:
            return "a" if chr(arg) != "a" else "b"
        if op is c.ANY:
            return "a"
        if op is c.IN:
            probe = re.compile(_in_text(arg), self.flags)
            for candidate in _class_sample(arg):
                if probe.fullmatch(candidate):
                    return candidate
            return "a"
        if op is c.BRANCH:
            return self.sample(arg[1][0], record)
        if op is c.SUBPATTERN:
            return self.sample(arg[-1], record)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)):
            low, _high, sub = arg
            if record:
                self.cuts.append((len(before), self.chars(sub)))
            return self.sample(sub, record) * max(low, 1) if low else ""
        if op is getattr(c, "ATOMIC_GROUP", None):
            return self.sample(arg, record)
        if op is c.CATEGORY:
            return {"CATEGORY_DIGIT": "1", "CATEGORY_SPACE": " ", "CATEGORY_WORD": "a"}.get(str(arg), "a")
        return ""  # anchors, lookarounds, group references


def _candidates(parsed) -> list[str]:
    out: list[str] = []
    for op, arg in parsed:
        if op is sre_constants.LITERAL:
            out.append(chr(arg))
        elif op is sre_constants.IN:
            out += _class_sample(arg)
        elif op in (sre_constants.SUBPATTERN,):
            out += _candidates(arg[-1])
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            out += _candidates(arg[2])
        elif op is sre_constants.BRANCH:
            for branch in arg[1]:
                out += _candidates(branch)
    return out


def _in_text(items: list) -> str:
    """A character class back as pattern text (enough to test candidates against it)."""
    parts, negate = [], False
    for op, arg in items:
        if op is sre_constants.NEGATE:
            negate = True
        elif op is sre_constants.LITERAL:
            parts.append(re.escape(chr(arg)))
        elif op is sre_constants.RANGE:
            parts.append(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif op is sre_constants.CATEGORY:
            parts.append({"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
                          "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w", "CATEGORY_NOT_WORD": r"\W"}
                         .get(str(arg), ""))
    return "[" + ("^" if negate else "") + "".join(parts) + "]" if parts else ("[^\\x00]" if negate else "(?!)")


def _unparse_guard(parsed) -> str:
    """Pattern text for a sub-pattern, when it is a single class, literal or category (else unmatchable)."""
    if len(parsed) == 1:
        op, arg = parsed[0]
        if op is sre_constants.IN:
            return _in_text(arg)
        if op is sre_constants.LITERAL:
            return re.escape(chr(arg))
        if op is sre_constants.ANY:
            return "."
    return "(?!)"


def hostile_inputs(pattern: str, flags: int = 0, length: int = LONG, cap: int = 120) -> list[tuple[str, str, str]]:
    """(prefix, filler, tail) triples; the input is ``prefix + filler * (length // len(filler)) + tail``."""
    try:
        parsed = sre_parse.parse(pattern, flags)
    except Exception:
        return []
    sampler = _Sampler(flags)
    sampler.sample(parsed)
    whole = sampler.sample(parsed, record=False)
    shapes: dict[tuple[str, str, str], None] = {}
    cuts = [(0, [" ", "a"]), *sampler.cuts]
    for cut, fillers in cuts:
        prefix = whole[:cut]
        for filler in dict.fromkeys([*fillers, " "]):
            for tail in ("\x00", "x", ""):
                shapes[(prefix, filler, tail)] = None
    return list(shapes)[:cap]


# --- timing -------------------------------------------------------------------------------------------------

class _Expired(BaseException):
    pass


def _time(compiled: re.Pattern[str], text: str) -> float | None:
    def expire(_signum, _frame) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, LIMIT_SECONDS)
    # this thread's CPU time, not the wall clock: other processes on a loaded machine do not make a linear
    # pattern look super-linear
    started = time.thread_time()
    try:
        for _ in compiled.finditer(text):
            pass
        return time.thread_time() - started
    except _Expired:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def audit_pattern(item: FoundPattern) -> list[Finding]:
    try:
        compiled = re.compile(item.pattern, item.flags)
    except re.error:
        return []
    findings = []
    for prefix, filler, tail in hostile_inputs(item.pattern, item.flags):
        def make(n: int, prefix: str = prefix, filler: str = filler, tail: str = tail) -> str:
            return prefix + filler * max(1, n // len(filler)) + tail

        long_seconds = _time(compiled, make(LONG))
        if long_seconds is not None and long_seconds < FLOOR_SECONDS:
            continue
        short_times = [t for t in (_time(compiled, make(SHORT)), _time(compiled, make(SHORT))) if t is not None]
        short_seconds = min(short_times, default=LIMIT_SECONDS)
        if long_seconds is not None:
            long_seconds = min(long_seconds, _time(compiled, make(LONG)) or long_seconds)
            if long_seconds < FLOOR_SECONDS or long_seconds < GROWTH * short_seconds:
                continue
        sample = f"{prefix!r} + {filler!r}×n + {tail!r}"
        findings.append(Finding(item.where, item.pattern, sample, short_seconds, long_seconds))
        break  # one hostile input is enough to name the pattern
    return findings


def audit(patterns: list[FoundPattern] | None = None, confirmations: int = 2) -> list[Finding]:
    """The patterns that grow super-linearly. A timing on a loaded machine can spike once, so a finding counts
    only when ``confirmations`` more measurements of that pattern find it again."""
    findings: list[Finding] = []
    for item in patterns if patterns is not None else collect_patterns():
        found = audit_pattern(item)
        for _ in range(confirmations):
            if not found:
                break
            found = audit_pattern(item)
        findings.extend(found)
    return findings


def main() -> int:
    patterns = collect_patterns()
    started = time.perf_counter()
    findings = audit(patterns)
    for finding in findings:
        print(finding)
    print(f"{len(patterns)} patterns, {len(findings)} super-linear, in {time.perf_counter() - started:.1f} s")
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
