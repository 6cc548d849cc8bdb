"""docs/notices.md catalogues every notice and error code the package can emit, and only those.

The codes are read from the source with ``ast``: the code argument of every ``Notice(...)`` (and of the helpers
that pass their ``code`` parameter on to one), the ``code=`` of every error raised (classes derived from
``BudgetKGError``), and the default code of an error raised without one, each with the severity it is given. A code
added without a catalogue entry, an entry left behind when its code goes, or an entry stating another severity than
the source gives, fails here.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kg"
CATALOGUE = ROOT / "docs" / "notices.md"
BASE_ERROR = "BudgetKGError"
NOTICE = "Notice"
NOTICE_CODE_POSITION, NOTICE_SEVERITY_POSITION = 2, 4  # Notice(file, line, code, message, severity)
ERROR_CODE_POSITION = 3  # BudgetKGError(file, message, line, code)
# A catalogue entry: a level-3 heading holding the code in backticks, its severity on the next line
# (### `sum-mismatch` / warning · document or reading. …)
ENTRY = re.compile(r"^###\s+`([a-z0-9-]+)`", re.MULTILINE)
STATED_SEVERITY = re.compile(r"^###\s+`([a-z0-9-]+)`\s*\n((?:info|warning|error)(?: or (?:info|warning|error))*)\b",
                             re.MULTILINE)


@dataclass(frozen=True)
class Emission:
    code: str
    where: str  # kg/…/file.py:line
    severity: str | None  # None when the source computes it


def _modules() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(PACKAGE.rglob("*.py"))}


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _argument(call: ast.Call, position: int, keyword: str = "code") -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _error_classes(modules: dict[Path, ast.Module]) -> dict[str, ast.ClassDef]:
    """Every class derived (directly or not) from BudgetKGError, by name, BudgetKGError included."""
    classes = {node.name: node for tree in modules.values() for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef)}

    def derived(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name == BASE_ERROR:
            return True
        node = classes.get(name)
        bases = [b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases] if node else []
        return any(derived(base, seen | {name}) for base in bases if base not in seen)

    return {name: node for name, node in classes.items() if derived(name)}


def _sets_own_code(name: str, classes: dict[str, ast.ClassDef]) -> bool:
    """The class's ``__init__`` passes a code of its own to ``super().__init__`` (UnsupportedShapeError)."""
    node = classes.get(name)
    while node is not None and node.name != BASE_ERROR:
        for call in ast.walk(node):
            if isinstance(call, ast.Call) and _callee(call) == "__init__" and _argument(call, ERROR_CODE_POSITION):
                return True
        bases = [b.id for b in node.bases if isinstance(b, ast.Name)]
        node = classes.get(bases[0]) if bases else None
    return False


def _default_code(classes: dict[str, ast.ClassDef]) -> str:
    """The default of BudgetKGError.__init__'s ``code`` parameter."""
    init = next(f for f in classes[BASE_ERROR].body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    names = [a.arg for a in init.args.args]
    defaults = dict(zip(names[len(names) - len(init.args.defaults):], init.args.defaults, strict=True))
    value = defaults["code"]
    assert isinstance(value, ast.Constant) and isinstance(value.value, str)
    return value.value


@dataclass(frozen=True)
class _Forwarder:
    code_position: int
    severity_position: int | None
    severity_default: ast.expr | None


def _notice_severity_default(modules: dict[Path, ast.Module]) -> str:
    """The default of the Notice record's ``severity`` field."""
    records = next(node for node in ast.walk(modules[PACKAGE / "records.py"])
                   if isinstance(node, ast.ClassDef) and node.name == NOTICE)
    field = next(s for s in records.body if isinstance(s, ast.AnnAssign) and ast.unparse(s.target) == "severity")
    assert isinstance(field.value, ast.Constant)
    return str(field.value.value)


def _forwarders(modules: dict[Path, ast.Module]) -> dict[str, _Forwarder]:
    """Helpers that pass their ``code`` parameter on as a Notice's code (``draft.notice(line, code, …)``):
    name → where ``code`` and ``severity`` are among the call's arguments (``self`` not counted)."""
    found: dict[str, _Forwarder] = {}
    for tree in modules.values():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            parameters = [a.arg for a in function.args.args if a.arg not in ("self", "cls")]
            if "code" not in parameters:
                continue
            passes_on = any(isinstance(call, ast.Call) and _callee(call) == NOTICE
                            and isinstance(arg := _argument(call, NOTICE_CODE_POSITION), ast.Name)
                            and arg.id == "code" for call in ast.walk(function))
            if passes_on:
                positional = [a.arg for a in function.args.args]
                defaults = dict(zip(positional[len(positional) - len(function.args.defaults):],
                                    function.args.defaults, strict=True))
                severity = parameters.index("severity") if "severity" in parameters else None
                found[function.name] = _Forwarder(parameters.index("code"), severity, defaults.get("severity"))
    return found


def _doubts(modules: dict[Path, ast.Module]) -> set[str]:
    """The doubts a citation can carry (``…doubts.append("number-clipped")``): each is a ``citation-…`` code."""
    out = set()
    for path, tree in modules.items():
        if path.parent.name != "citations":
            continue
        for call in ast.walk(tree):
            if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "append"
                    and "doubts" in ast.unparse(call.func.value) and isinstance(call.args[0], ast.Constant)):
                out.add(call.args[0].value)
    return out


def _furniture(modules: dict[Path, ast.Module]) -> set[str]:
    """The kinds of page furniture normalise_lines drops (``furniture_kind``'s answers and the counts it keeps):
    each is a ``dropped-…`` code."""
    tree = modules[PACKAGE / "ingest" / "normalise.py"]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "furniture_kind":
            out |= {r.value.value for r in ast.walk(node) if isinstance(r, ast.Return)
                    and isinstance(r.value, ast.Constant) and isinstance(r.value.value, str)}
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "dropped"
                and isinstance(node.slice, ast.Constant)):
            out.add(node.slice.value)
    return out


def _family(prefix: str, modules: dict[Path, ast.Module]) -> set[str]:
    """The codes an f-string code ``f"{prefix}{…}"`` can make. A new family needs its values named here."""
    families = {"citation-": _doubts, "dropped-": _furniture}
    assert prefix in families, f"f-string notice code {prefix!r}…: teach _family which values it takes"
    values = families[prefix](modules)
    assert values, f"no values found for the {prefix!r}… codes"
    return {prefix + value for value in values}


def _constant(value: ast.expr | None) -> str | None:
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _codes(value: ast.expr, where: str, severity: str | None, modules: dict[Path, ast.Module]) -> Iterator[Emission]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        yield Emission(value.value, where, severity)
    elif isinstance(value, ast.JoinedStr) and isinstance(value.values[0], ast.Constant):
        yield from (Emission(code, where, severity) for code in sorted(_family(str(value.values[0].value), modules)))
    elif ast.unparse(value) not in ("code", "exc.code"):  # a helper's parameter; an error passed on as a notice
        raise AssertionError(f"{where}: cannot tell which code {ast.unparse(value)} is")


@functools.cache
def emitted_codes() -> tuple[Emission, ...]:
    modules = _modules()
    classes = _error_classes(modules)
    forwarders = _forwarders(modules)
    default = _default_code(classes)
    notice_severity = _notice_severity_default(modules)
    found: list[Emission] = []
    for path, tree in modules.items():
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            name, where = _callee(call), f"{path.relative_to(ROOT)}:{call.lineno}"
            severity: str | None = "error"
            if name == NOTICE:
                value = _argument(call, NOTICE_CODE_POSITION)
                given = _argument(call, NOTICE_SEVERITY_POSITION, "severity")
                severity = notice_severity if given is None else _constant(given)
            elif name in forwarders:
                forwarder = forwarders[name]
                value = _argument(call, forwarder.code_position)
                given = (_argument(call, forwarder.severity_position, "severity")
                         if forwarder.severity_position is not None else None)
                severity = _constant(given if given is not None else forwarder.severity_default)
            elif name in classes:
                value = _argument(call, ERROR_CODE_POSITION)
                if value is None:
                    if not _sets_own_code(name, classes):
                        found.append(Emission(default, where, severity))
                    continue
            elif name == "__init__" and isinstance(call.func, ast.Attribute) and "super" in ast.unparse(call.func):
                value = _argument(call, ERROR_CODE_POSITION)  # an error class giving its own code
            else:
                continue
            if value is not None:
                found.extend(_codes(value, where, severity, modules))
    return tuple(found)


def catalogued_codes() -> list[str]:
    return ENTRY.findall(CATALOGUE.read_text(encoding="utf-8"))


def test_the_source_is_read_for_known_codes() -> None:
    """The collector finds codes of every kind it must: a Notice literal, a helper's, an error's, a family's."""
    codes = {e.code for e in emitted_codes()}
    assert {"sum-mismatch", "unit-missing", "three-public-text-differs"} <= codes  # Notice(…, "code", …)
    assert {"fund-conflict", "rdf-duplicate-project"} <= codes  # draft.notice(line, "code", …)
    assert {"not-a-pdf", "store-locked", "unsupported-shape"} <= codes  # raise …Error(…, code="…")
    assert {"citation-number-clipped", "citation-number-completed", "dropped-page-number"} <= codes  # f"…{x}"
    assert "citation-incomplete" not in codes  # a doubt with a message but never raised


def test_every_emitted_code_is_catalogued() -> None:
    catalogued = set(catalogued_codes())
    missing: dict[str, str] = {}
    for emission in emitted_codes():
        if emission.code not in catalogued:
            missing.setdefault(emission.code, emission.where)
    assert not missing, "codes without an entry in docs/notices.md: " + ", ".join(
        f"{code} ({where})" for code, where in sorted(missing.items()))


def test_the_catalogue_lists_only_emitted_codes_once() -> None:
    listed = catalogued_codes()
    emitted = {e.code for e in emitted_codes()}
    assert sorted(code for code in set(listed) if listed.count(code) > 1) == []
    assert sorted(set(listed) - emitted) == []


def test_each_entry_states_the_severity_the_code_is_emitted_with() -> None:
    stated = {code: set(words.split(" or ")) for code, words in STATED_SEVERITY.findall(
        CATALOGUE.read_text(encoding="utf-8"))}
    emitted: dict[str, set[str]] = {}
    for emission in emitted_codes():
        if emission.severity is not None:
            emitted.setdefault(emission.code, set()).add(emission.severity)
    assert sorted(set(catalogued_codes()) - set(stated)) == []  # every entry opens with its severity
    wrong = {code: (sorted(stated[code]), sorted(severities)) for code, severities in emitted.items()
             if code in stated and stated[code] != severities}
    assert wrong == {}  # code: (catalogue, source)
