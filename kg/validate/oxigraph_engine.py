"""A fast SHACL engine: the project's shapes compiled to SPARQL and run in the embedded Oxigraph store.

pyshacl evaluates every constraint once per focus node in Python (hours at 1,000 disclosures); here
each (shape, constraint) becomes ONE SPARQL SELECT over the whole store, the focus node ``?this``
a free variable joined to the shape's targets. pyshacl stays the reference engine: the tests check
that both give the same results on the seeds and on a mutated graph per constraint kind.

What makes it fast in a RocksDB store, where an index lookup costs ≈ 10-20 µs and a scanned triple 1-3 µs:
a shape with more than LOOKUP_LIMIT focus nodes has its constraints written as hash joins of sub-SELECTs
(the focus nodes; the failing values of a path) and MINUS anti-joins, one scan of each side instead of a
lookup per node; an sh:maxCount on a predicate no subject repeats is skipped after one count; SHACL-SPARQL
twins (a Violation and a Warning whose queries differ only in their final FILTER or HAVING) run as one query;
the triple patterns of SHACL-SPARQL rules become hash-joined sub-SELECTs too (``hash_join_patterns``);
checks run on one thread per core (Oxigraph releases the GIL). ``python -m kg.bench.validate_speed`` measures
it against pyshacl (docs/benchmark.md).

Only the constraint components the shapes use are compiled; any other raises
:class:`UnsupportedShapeError` naming the shape and the component (the CLI then suggests
``--engine pyshacl``). ``sh:sparql`` constraints are rewritten so that ``$this`` is free: that is
only equivalent to the spec's pre-binding where ``$this`` is bound by the query's top-level group,
so a query that mentions ``$this`` anywhere else (nested FILTER/BIND, UNION branch expressions,
OPTIONAL inside a nested group, sub-SELECT, MINUS) is refused rather than answered differently.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any
from typing import Literal as Choice

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, PROV, RDF, SH, XSD
from rdflib.term import Node

from kg.errors import BudgetKGError
from kg.rdf.namespaces import BKG, OA
from kg.validate import (
    DEFAULT_SHAPES_DIR,
    ValidationIssue,
    ValidationReport,
    _issue_order,
    _rule_name,
    load_shapes,
    name_printed,
    printed_iris,
    span_source,
)

RDF_TYPE = f"<{RDF.type}>"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SUBCLASS_PATH = f"<{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"

TARGET_PREDICATES = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

# sh: predicates that describe a shape without constraining it (anything else must be compiled or refused)
NON_CONSTRAINT_PREDICATES = frozenset({
    SH.path, SH.message, SH.severity, SH.deactivated, SH.name, SH.description, SH.order, SH.group,
    SH.defaultValue, SH.property, *TARGET_PREDICATES,
    SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,  # read with sh:pattern / sh:qualifiedValueShape
})

# Datatypes whose lexical space SPARQL can check by a cast (pyshacl checks the same ones through rdflib)
CASTABLE_DATATYPES = frozenset({XSD.integer, XSD.decimal, XSD.boolean, XSD.float, XSD.double, XSD.date,
                                XSD.dateTime, XSD.time})

# Above this many focus nodes a hash join beats one index lookup per node (≈ 20 µs each in a RocksDB store,
# against 1-3 µs per scanned triple): measured at 100 synthetic disclosures, see docs/benchmark.md
LOOKUP_LIMIT = 2000
# ... unless the path has PATH_PER_LOOKUP times as many subjects as the target has nodes (up to LOOKUP_MAX nodes):
# a hash join reads, and a datatype or pattern test decodes, every triple of the path, the lookups only the focus
# nodes' own. A fixed limit made the 4,900 departments of 5,000 disclosures read every rdfs:label of the corpus.
# Subjects, not triples: the 5,000 disclosure summaries' 160,000 bkg:codeSummary values are their own (0.4 CPU-s
# hashed, 5.0 looked up one by one).
PATH_PER_LOOKUP = 20
LOOKUP_MAX = 10_000
# SHACL-SPARQL rules join every triple pattern by hashing above this many focus nodes (see hash_join_patterns)
SPARQL_LOOKUP_LIMIT = 20
# A check reads at most this many candidate rows before it runs its query (see CompiledCheck.prefilter)
PREFILTER_ROWS = 100_000
# Up to this many candidate focus nodes are looked up (≈ 60 µs each); more only when the target has at least
# FOCUS_PER_LOOKUP times as many nodes (hashing a focus node costs ≈ 3 µs), counted no further than that. A fixed
# cap grew into the whole query with the corpus: ProvenanceShape's sh:class has 24,000 candidates at 5,000
# disclosures (the datasets, organisations and summaries derived from a disclosure), 17.8 -> 9.7 CPU-s.
PREFILTER_LOOKUPS = 10_000
FOCUS_PER_LOOKUP = 20
_COMPILE_LOCK = threading.Lock()
JoinStrategy = Choice["auto", "hash", "lookup"]

_THIS = re.compile(r"[?$]this\b")
_FORBIDDEN_PREBOUND = re.compile(r"\$(shapesGraph|currentShape)\b")


class UnsupportedShapeError(BudgetKGError):
    """A shape uses a SHACL feature this engine does not compile; pyshacl can still run it."""

    def __init__(self, shape: str, component: str, detail: str = "") -> None:
        message = (f"shape {shape} uses {component}, which the oxigraph engine does not support"
                   + (f" ({detail})" if detail else "") + "; validate with --engine pyshacl")
        super().__init__("shapes", message, code="unsupported-shape")
        self.shape = shape
        self.component = component


@dataclass(frozen=True)
class CompiledCheck:
    """One (shape, constraint) as a SPARQL SELECT whose every solution is one validation result.

    The query projects ``?this`` (the focus node) and, when the result has one, ``?value``; a
    SPARQL-based constraint may project more variables for its message template.
    """

    shape: Node  # the shape reported as sh:sourceShape
    component: str  # "sh:minCount", "sh:sparql" …
    severity: str  # "Violation" | "Warning" | "Info"
    rule: str  # the rule name ValidationIssue shows (same text as the pyshacl path)
    query: str
    messages: tuple[str, ...]  # templates ({?var} / {$this}); empty → generic
    generic_message: str = "constraint not met"
    value_is_focus: bool = False  # a node shape's non-SPARQL result names the focus node as its value
    owner: str = ""  # the node shape holding it (for timings: "bkgsh:ProjectShape rdfs:label sh:maxCount")
    # compiles the real check on first run (a SHACL-SPARQL query: rdflib's parser takes ≈ 70 ms a query, which
    # then overlaps with other checks' queries, since Oxigraph releases the GIL)
    deferred: Callable[[], CompiledCheck] | None = None
    # a merged query standing for several checks: (the boolean variable that selects a row for it, the check);
    # a variable of None runs that check's own query
    twins: tuple[tuple[str | None, CompiledCheck], ...] = ()
    # a predicate (sh:maxCount on it): when no subject has two of its triples, the check cannot fail and is skipped
    unless_functional: str = ""
    # the check's candidate rows before they are joined to the focus nodes (a SELECT projecting the query's
    # variables), and a pattern that keeps the focus nodes among a VALUES ?this: the candidates are read first
    # (usually none: building the hash table of 10,000s of focus nodes costs 4-5x the scan of a path whose
    # values all conform), a few are looked up, and only many run the query (see _prefiltered)
    prefilter: str = ""
    focus_members: str = ""

    @property
    def name(self) -> str:
        path = self.rule.rsplit(" on ", 1)[1] if " on " in self.rule else ""
        return " ".join(part for part in (self.owner or self.rule.split(" ")[0], path, self.component) if part)


@dataclass
class _Compiler:
    shapes: Graph
    subclass_inference: bool
    count_focus: Callable[[str], int] | None = None  # how many nodes a target pattern binds (None: assume many)
    # how many subjects a predicate has among its first triples, as many as the bound given (None: not counted)
    count_path: Callable[[str, int], int] | None = None
    defer_sparql: bool = False  # compile SHACL-SPARQL checks when they first run (see CompiledCheck.deferred)
    counter: int = 0
    checks: list[CompiledCheck] = field(default_factory=list)
    owner: str = ""  # the top-level shape being compiled
    focus_counts: dict[str, int] = field(default_factory=dict)
    path_counts: dict[str, int] = field(default_factory=dict)  # predicate -> subjects, up to the largest bound
    pending_sparql: list[_SparqlSpec] = field(default_factory=list)

    def many_focus_nodes(self, target: str, path_node: Node | None = None) -> bool:
        """Whether a constraint on ``path_node`` scans the path's triples once and hash-joins them to the focus
        nodes: when the target binds more than LOOKUP_LIMIT nodes and the path (a predicate) does not have
        PATH_PER_LOOKUP times as many subjects. Else it looks each focus node's values up (cheaper when a shape
        targets a few thousand nodes and its path has 100,000s of triples from other classes)."""
        if self.count_focus is None:
            return True
        if target not in self.focus_counts:
            self.focus_counts[target] = self.count_focus(target)
        focus = self.focus_counts[target]
        if focus <= LOOKUP_LIMIT:
            return False
        if focus > LOOKUP_MAX or self.count_path is None or not isinstance(path_node, URIRef):
            return True
        predicate = path_node.n3()
        if predicate not in self.path_counts:  # counted once, as far as any target needs
            self.path_counts[predicate] = self.count_path(predicate, PATH_PER_LOOKUP * LOOKUP_MAX)
        return self.path_counts[predicate] < PATH_PER_LOOKUP * focus

    def sparql_joins(self, target: str, query: str) -> str:
        """A SHACL-SPARQL query with its triple patterns hash-joined (``hash_join_patterns``) unless its target
        has a handful of focus nodes: such a rule (one per disclosure, say) still reads every line of each one."""
        if self.count_focus is not None:
            if target not in self.focus_counts:
                self.focus_counts[target] = self.count_focus(target)
            if self.focus_counts[target] <= SPARQL_LOOKUP_LIMIT:
                return query
        return hash_join_patterns(query)

    # -- helpers ---------------------------------------------------------------------------------
    def fresh(self, stem: str = "v") -> str:
        self.counter += 1
        return f"?_{stem}{self.counter}"

    def label(self, node: Node) -> str:
        return node.n3(self.shapes.namespace_manager) if isinstance(node, URIRef) else "a blank-node shape"

    def type_pattern(self, subject: str, cls: Node) -> str:
        path = SUBCLASS_PATH if self.subclass_inference else RDF_TYPE
        return f"{subject} {path} {cls.n3()}"

    def path(self, shape: Node, path: Node) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(path, URIRef):
            return path.n3()
        if isinstance(path, BNode):
            if (path, RDF.first, None) in self.shapes:
                return "(" + "/".join(self.path(shape, step) for step in Collection(self.shapes, path)) + ")"
            for predicate, template in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                                        (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
                inner = self.shapes.value(path, predicate)
                if inner is not None:
                    return template.format(self.path(shape, inner))
            alternatives = self.shapes.value(path, SH.alternativePath)
            if alternatives is not None:
                return "(" + "|".join(self.path(shape, step) for step in Collection(self.shapes, alternatives)) + ")"
        raise UnsupportedShapeError(self.label(shape), "sh:path", f"path form {path!r}")

    def deactivated(self, shape: Node) -> bool:
        return any(isinstance(o, Literal) and o.value is True for o in self.shapes.objects(shape, SH.deactivated))

    def one(self, shape: Node, predicate: URIRef) -> Node:
        values = list(self.shapes.objects(shape, predicate))
        if len(values) != 1:
            raise UnsupportedShapeError(self.label(shape), predicate.n3(self.shapes.namespace_manager),
                                        f"expected one value, found {len(values)}")
        return values[0]

    # -- value-level constraints: a boolean SPARQL expression true when value `v` VIOLATES it --------
    def value_violation(self, shape: Node, predicate: URIRef, v: str) -> str | None:
        """The violation test of a component that judges each value node on its own, else None."""
        obj = None if predicate == SH["or"] else self.one(shape, predicate)
        if predicate == SH["class"]:
            return f"NOT EXISTS {{ {self.type_pattern(v, obj)} }}"
        if predicate == SH.datatype:
            return self.datatype_violation(v, obj)
        if predicate == SH["in"]:
            members = list(Collection(self.shapes, obj))
            allowed = " || ".join(f"sameTerm({v}, {m.n3()})" for m in members) or "false"
            return f"!({allowed})"
        if predicate == SH.pattern:
            flags = self.shapes.value(shape, SH.flags)
            flag_arg = f", {_sparql_string(str(flags))}" if flags is not None else ""
            # STR of a blank node is an error, so COALESCE fails it as isBlank did; each mention of the value
            # decodes it (a span's IRI ≈ 3-8 µs from the store's string table): SourceLinesFragmentShape
            # 1.83 -> 1.30 CPU-s at 1,000 disclosures
            return f"!COALESCE(REGEX(STR({v}), {_sparql_string(str(obj))}{flag_arg}), false)"
        if predicate in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            operator = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">",
                        SH.maxExclusive: "<"}[predicate]
            # a value that cannot be compared (an IRI, a string against a number) is a violation too
            return f"!COALESCE({v} {operator} {obj.n3()}, false)"
        if predicate in (SH.minLength, SH.maxLength):
            operator = "<" if predicate == SH.minLength else ">"
            if predicate == SH.minLength and int(obj) == 0:
                return "false"
            return f"COALESCE(STRLEN(STR({v})) {operator} {int(obj)}, true)"  # a blank node fails (see sh:pattern)
        if predicate == SH.nodeKind:
            kinds = {SH.IRI: "isIRI({v})", SH.BlankNode: "isBlank({v})", SH.Literal: "isLiteral({v})",
                     SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
                     SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
                     SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))"}
            return f"!{kinds[obj].format(v=v)}"
        if predicate == SH["or"]:
            failing = []  # several sh:or on one shape: each list needs one conforming member
            for members in self.shapes.objects(shape, SH["or"]):
                alternatives = [self.conforms(member, v) for member in Collection(self.shapes, members)]
                failing.append(f"!({' || '.join(alternatives) or 'false'})")
            return " || ".join(failing)
        if predicate == SH.node:
            return f"!({self.conforms(obj, v)})"
        return None

    def datatype_violation(self, v: str, datatype: Node) -> str:
        if datatype == RDF.langString:
            return f"!(isLiteral({v}) && LANG({v}) != \"\")"
        # Each mention of the value decodes it (a string is read from the store's string table): DATATYPE alone
        # tests it, as its error on an IRI or a blank node is a violation through COALESCE. 0.25 → 0.15 s for
        # bkg:printedText at 100 disclosures. A simple literal's datatype is xsd:string in SPARQL 1.1, as in pyshacl.
        well_typed = ""
        if datatype in CASTABLE_DATATYPES and datatype != XSD.string:
            # an ill-typed literal ("abc"^^xsd:integer) keeps its datatype IRI but does not cast (an error: true)
            well_typed = f" || !isLiteral({datatype.n3()}(STR({v})))"
        return f"COALESCE(DATATYPE({v}) != {datatype.n3()}{well_typed}, true)"

    # -- nested shapes (sh:or members, qualified value shapes): does node `v` conform? -------------
    def conforms(self, shape: Node, v: str) -> str:
        """A total boolean SPARQL expression: node ``v`` conforms to ``shape``."""
        if self.deactivated(shape):
            return "true"
        path_node = self.shapes.value(shape, SH.path)
        tests: list[str] = []
        for predicate in sorted(set(self.shapes.predicates(shape, None))):
            if not str(predicate).startswith(str(SH)) or predicate in NON_CONSTRAINT_PREDICATES:
                continue
            tests.extend(self.nested_tests(shape, predicate, path_node, v))
        for child in self.shapes.objects(shape, SH.property):
            tests.append(self.conforms(child, v))
        return "(" + " && ".join(tests) + ")" if tests else "true"

    def nested_tests(self, shape: Node, predicate: URIRef, path_node: Node | None, focus: str) -> list[str]:
        if path_node is None:  # a node shape judges the node itself
            violation = self.value_violation(shape, predicate, focus)
            if violation is None:
                raise self.unsupported(shape, predicate, "in a nested shape")
            return [f"!({violation})"]
        path = self.path(shape, path_node)
        value = self.fresh()
        violation = self.value_violation(shape, predicate, value)
        if violation is not None:
            return [f"NOT EXISTS {{ {focus} {path} {value} FILTER ({violation}) }}"]
        if predicate == SH.minCount and int(self.one(shape, predicate)) <= 1:
            return [f"EXISTS {{ {focus} {path} {value} }}"] if int(self.one(shape, predicate)) == 1 else []
        if predicate == SH.maxCount and int(self.one(shape, predicate)) <= 1:
            if int(self.one(shape, predicate)) == 0:
                return [f"NOT EXISTS {{ {focus} {path} {value} }}"]
            other = self.fresh()
            return [f"NOT EXISTS {{ {focus} {path} {value}, {other} FILTER (!sameTerm({value}, {other})) }}"]
        if predicate == SH.hasValue:
            return [f"EXISTS {{ {focus} {path} {self.one(shape, predicate).n3()} }}"]
        raise self.unsupported(shape, predicate, "in a nested shape")

    def unsupported(self, shape: Node, predicate: URIRef, detail: str = "") -> UnsupportedShapeError:
        return UnsupportedShapeError(self.label(shape), predicate.n3(self.shapes.namespace_manager), detail)

    # -- top-level shapes -----------------------------------------------------------------------
    def target_pattern(self, shape: Node) -> str:
        """A group pattern binding ``?this`` to each focus node once."""
        parts: list[str] = []
        for cls in sorted(self.shapes.objects(shape, SH.targetClass)):
            parts.append(f"{{ {self.type_pattern('?this', cls)} }}")
        for node in sorted(self.shapes.objects(shape, SH.targetNode)):
            parts.append(f"{{ VALUES ?this {{ {node.n3()} }} }}")
        for predicate in sorted(self.shapes.objects(shape, SH.targetSubjectsOf)):
            parts.append(f"{{ ?this {predicate.n3()} [] }}")
        for predicate in sorted(self.shapes.objects(shape, SH.targetObjectsOf)):
            parts.append(f"{{ [] {predicate.n3()} ?this }}")
        if len(parts) == 1 and parts[0].startswith(f"{{ ?this {RDF_TYPE} "):
            return parts[0][2:-2] + " ."  # one class, no inference: a plain triple the optimiser can reorder
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"

    @staticmethod
    def target_select(target: str) -> str:
        """The focus nodes (``target_pattern``) as a sub-SELECT: Oxigraph joins a sub-SELECT by hashing, where a
        triple pattern is joined by one index lookup per row (4-10x slower for classes of 10,000s of members)."""
        return target if target.startswith("{") else f"{{ SELECT ?this WHERE {{ {target} }} }}"

    def anti_join(self, target: str, pattern: str) -> str:
        """The focus nodes without a match of ``pattern`` (binding ``?this``), hashed. A target of several
        patterns is made distinct after the anti-join, not before it: ProvenanceShape's seven (605,000 focus
        nodes at 1,000 disclosures) 2.85 -> 2.43 CPU-s for its sh:minCount."""
        members = _members_pattern(target)
        if members != target:
            return f"SELECT DISTINCT ?this WHERE {{ {members} MINUS {{ {pattern} }} }}"
        return f"SELECT ?this WHERE {{ {self.target_select(target)} MINUS {{ {pattern} }} }}"

    def class_select(self, variable: str, cls: Node) -> str:
        """The instances of ``cls`` as a sub-SELECT binding ``variable`` (hash-joined, see target_select)."""
        return f"{{ SELECT DISTINCT {variable} WHERE {{ {self.type_pattern(variable, cls)} }} }}"

    def compile_shape(self, shape: Node) -> None:
        if self.deactivated(shape):
            return
        self.owner = self.label(shape)
        target = self.target_pattern(shape)
        severity = _severity(self.shapes, shape)
        if self.shapes.value(shape, SH.path) is not None:  # a property shape with its own targets
            self.compile_constraints(shape, shape, target, severity, messages=_messages(self.shapes, shape))
            return
        self.compile_constraints(shape, shape, target, severity, messages=_messages(self.shapes, shape))
        for child in self.shapes.objects(shape, SH.property):
            if (child, SH.property, None) in self.shapes:
                raise self.unsupported(child, SH.property, "a property shape's own sh:property")
            if not self.deactivated(child):
                self.compile_constraints(child, child, target, _severity(self.shapes, child),
                                         messages=_messages(self.shapes, child))

    def compile_constraints(self, shape: Node, source: Node, target: str, severity: str,
                            messages: tuple[str, ...]) -> None:
        """Each constraint as a query whose joins are hash joins of sub-SELECTs (the focus nodes, the values
        of a path, a class's members) and whose anti-joins are MINUS: one scan of each side instead of one
        index lookup per focus node (see target_select)."""
        path_node = self.shapes.value(shape, SH.path)
        path = self.path(shape, path_node) if path_node is not None else None
        rule = _rule_name(self.shapes, source, path_node)
        hashed = self.many_focus_nodes(target, path_node)
        focus = self.target_select(target) if hashed else target
        for predicate in sorted(set(self.shapes.predicates(shape, None))):
            if not str(predicate).startswith(str(SH)) or predicate in NON_CONSTRAINT_PREDICATES:
                continue
            component = predicate.n3(self.shapes.namespace_manager)

            def add(query: str, generic: str, *, value_is_focus: bool = False, component: str = component,
                    unless_functional: str = "", candidates: str = "", projected: str = "?this ?value") -> None:
                prefilter = (f"SELECT DISTINCT {projected} WHERE {{ {candidates} }} LIMIT {PREFILTER_ROWS + 1}"
                             if candidates else "")
                self.checks.append(CompiledCheck(source, component, severity, rule, query, messages, generic,
                                                 value_is_focus, self.owner, unless_functional=unless_functional,
                                                 prefilter=prefilter, focus_members=_members_pattern(target)))

            generic = _generic_message(predicate, self.shapes, shape)
            if predicate == SH.sparql:
                for constraint in self.shapes.objects(shape, SH.sparql):
                    if not self.deactivated(constraint):
                        self.add_sparql(shape, source, constraint, target, path, severity, rule, messages)
                continue
            if predicate == SH.qualifiedValueShape:
                self.qualified(shape, path, focus, add, hashed)
                continue
            if path is None:
                if predicate == SH["or"] and hashed:
                    members = [[self.satisfiers(member) for member in Collection(self.shapes, members)]
                               for members in self.shapes.objects(shape, SH["or"])]
                    if all(None not in alternatives for alternatives in members):
                        # a node that conforms to no member of one list: the focus nodes less each member's
                        query = " UNION ".join(  # several sh:or lists on one shape: failing any of them
                            f"{{ {focus} {' '.join(f'MINUS {{ {pattern} }}' for pattern in alternatives)} }}"
                            for alternatives in members)
                        add(f"SELECT DISTINCT ?this WHERE {{ {query} }}", generic, value_is_focus=True)
                        continue
                if predicate == SH["class"] and hashed:
                    members = self.type_pattern("?this", self.one(shape, predicate))
                    add(f"SELECT ?this WHERE {{ {focus} MINUS {{ {members} }} }}", generic, value_is_focus=True)
                    continue
                violation = self.value_violation(shape, predicate, "?this")
                if violation is None:
                    raise self.unsupported(shape, predicate)
                add(f"SELECT ?this WHERE {{ {focus} FILTER ({violation}) }}", generic, value_is_focus=True)
                continue
            if predicate == SH["class"] and hashed:  # the values that are not members: one anti-join
                members = self.type_pattern("?value", self.one(shape, predicate))
                candidates = f"?this {path} ?value MINUS {{ {members} }}"
                add(f"SELECT DISTINCT ?this ?value WHERE {{ {{ SELECT ?this ?value WHERE {{ {candidates} }} }} "
                    f"{focus} }}", generic, candidates=candidates)
                continue
            violation = self.value_violation(shape, predicate, "?value")
            if violation is not None:
                if hashed:  # the failing values first (usually none), then joined to the focus nodes
                    candidates = f"?this {path} ?value FILTER ({violation})"
                    add(f"SELECT DISTINCT ?this ?value WHERE {{ {{ SELECT ?this ?value WHERE {{ {candidates} }} }} "
                        f"{focus} }}", generic, candidates=candidates)
                else:
                    add(f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value . FILTER ({violation}) }}",
                        generic)
            elif predicate in (SH.minCount, SH.maxCount):
                bound = int(self.one(shape, predicate))
                if predicate == SH.minCount and bound == 0:
                    continue
                candidates = ""
                if predicate == SH.minCount and bound == 1:  # the common case: an anti-join, no grouping
                    query = (self.anti_join(target, f"?this {path} ?value") if hashed else
                             f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} ?value }} }}")
                elif predicate == SH.minCount:
                    query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS "
                             f"?count) WHERE {{ ?this {path} ?value }} GROUP BY ?this }} }} "
                             f"FILTER (COALESCE(?count, 0) < {bound}) }}" if hashed else
                             f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {bound})")
                else:
                    repeated = (f"{{ SELECT ?this WHERE {{ ?this {path} ?value }} GROUP BY ?this "
                                f"HAVING (COUNT(DISTINCT ?value) > {bound}) }}")
                    query = (f"SELECT ?this WHERE {{ {repeated} {focus} }}" if hashed else
                             f"SELECT ?this WHERE {{ {focus} ?this {path} ?value }} "
                             f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {bound})")
                    candidates = repeated if hashed else ""
                functional = path if predicate == SH.maxCount and bound >= 1 and isinstance(path_node, URIRef) else ""
                add(query, generic, unless_functional=functional, candidates=candidates, projected="?this")
            elif predicate == SH.hasValue:
                value = self.one(shape, predicate).n3()
                add(self.anti_join(target, f"?this {path} {value}") if hashed else
                    f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this {path} {value} }} }}", generic)
            elif predicate == SH.uniqueLang:
                if self.one(shape, predicate) != Literal(True):
                    continue
                values = (f"{{ SELECT ?this ?value WHERE {{ ?this {path} ?value }} }} {focus}" if hashed else
                          f"{focus} ?this {path} ?value .")
                add(f"SELECT ?this ?lang WHERE {{ {values} FILTER (LANG(?value) != \"\") "
                    f"BIND (LCASE(LANG(?value)) AS ?lang) }} GROUP BY ?this ?lang HAVING (COUNT(DISTINCT ?value) > 1)",
                    "More than one String shares the same Language")
            elif predicate == SH.lessThanOrEquals:
                other = self.one(shape, predicate).n3()
                pairs = (f"{{ SELECT ?this ?value WHERE {{ ?this {path} ?value }} }} "
                         f"{{ SELECT ?this ?other WHERE {{ ?this {other} ?other }} }}" if hashed else
                         f"?this {path} ?value . ?this {other} ?other .")
                test = "FILTER (!COALESCE(?value <= ?other, false))"
                add(f"SELECT DISTINCT ?this ?value ?other WHERE {{ {focus} {pairs} {test} }}", generic,
                    candidates=f"{pairs} {test}" if hashed else "", projected="?this ?value ?other")
            else:
                raise self.unsupported(shape, predicate)

    def conforming_values(self, shape: Node, path: str, focus: str = "") -> str:
        """A group binding (?this, ?value) to the values of ``path`` that conform to ``shape``: the shape's
        sh:class as hash-joined member lists, anything else it says as a FILTER on each value. With ``focus``
        (a sub-SELECT of the focus nodes) only their values are read: joined first, they keep a path that
        other nodes use far more (prov:wasDerivedFrom: 15,600 citations of 257,000 triples) from being joined
        whole to the members (1.7 -> 0.5 s at 300 disclosures)."""
        if self.deactivated(shape):
            return f"{{ SELECT ?this ?value WHERE {{ ?this {path} ?value }} }}"
        classes = [] if self.shapes.value(shape, SH.path) is not None else sorted(
            self.shapes.objects(shape, SH["class"]))
        parts = [self.class_select("?value", cls) for cls in classes]
        tests: list[str] = []
        for predicate in sorted(set(self.shapes.predicates(shape, None))):
            if not str(predicate).startswith(str(SH)) or predicate in NON_CONSTRAINT_PREDICATES:
                continue
            if predicate == SH["class"] and classes:
                continue
            tests.extend(self.nested_tests(shape, predicate, self.shapes.value(shape, SH.path), "?value"))
        for child in self.shapes.objects(shape, SH.property):
            tests.append(self.conforms(child, "?value"))
        where = f"FILTER ({' && '.join(tests)})" if tests else ""
        values = f"{{ SELECT ?this ?value WHERE {{ ?this {path} ?value }} }}"
        if focus:
            return f"{{ SELECT DISTINCT ?this ?value WHERE {{ {focus} {values} {' '.join(parts)} {where} }} }}"
        return f"{{ SELECT DISTINCT ?this ?value WHERE {{ {' '.join(parts)} {values} {where} }} }}"

    def satisfiers(self, shape: Node) -> str | None:
        """A group binding ``?this`` to the nodes that conform to ``shape`` (hash-joined sub-SELECTs), for a
        shape that only requires values (sh:minCount 1, sh:hasValue) on property paths, else None: then an
        sh:or of such shapes is an anti-join per member instead of two index lookups per focus node."""
        if self.deactivated(shape):
            return None
        path_node = self.shapes.value(shape, SH.path)
        constraints = {p for p in self.shapes.predicates(shape, None)
                       if str(p).startswith(str(SH)) and p not in NON_CONSTRAINT_PREDICATES}
        if path_node is None:
            children = list(self.shapes.objects(shape, SH.property))
            if constraints or not children:
                return None
            parts = [self.satisfiers(child) for child in children]
            return None if None in parts else " ".join(parts)
        if not constraints <= {SH.minCount, SH.hasValue} or self.shapes.value(shape, SH.property) is not None:
            return None
        if SH.minCount in constraints and int(self.one(shape, SH.minCount)) > 1:
            return None
        path = self.path(shape, path_node)
        if SH.hasValue in constraints:
            return f"{{ SELECT DISTINCT ?this WHERE {{ ?this {path} {self.one(shape, SH.hasValue).n3()} }} }}"
        if SH.minCount in constraints:
            return f"{{ SELECT DISTINCT ?this WHERE {{ ?this {path} {self.fresh()} }} }}"
        return None  # no constraint: every node conforms (not worth an anti-join)

    def qualified(self, shape: Node, path: str | None, focus: str, add: Callable[..., None], hashed: bool) -> None:
        if path is None:
            raise self.unsupported(shape, SH.qualifiedValueShape, "on a node shape")
        if any(o == Literal(True) for o in self.shapes.objects(shape, SH.qualifiedValueShapesDisjoint)):
            raise self.unsupported(shape, SH.qualifiedValueShapesDisjoint)
        value_shape = self.one(shape, SH.qualifiedValueShape)
        if hashed:
            conforming = self.conforming_values(value_shape, path, focus)
        else:
            conforming = f"{{ ?this {path} ?value . FILTER ({self.conforms(value_shape, '?value')}) }}"
        for predicate, operator in ((SH.qualifiedMinCount, "<"), (SH.qualifiedMaxCount, ">")):
            bound = self.shapes.value(shape, predicate)
            if bound is None:
                continue
            if operator == "<" and int(bound) == 0:
                continue
            if operator == "<" and int(bound) == 1:  # the common case: an anti-join, no grouping
                query = (f"SELECT ?this WHERE {{ {focus} MINUS {conforming} }}" if hashed else
                         f"SELECT ?this WHERE {{ {focus} FILTER NOT EXISTS {conforming} }}")
            elif hashed:
                query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS "
                         f"?count) WHERE {conforming} GROUP BY ?this }} }} "
                         f"FILTER (COALESCE(?count, 0) {operator} {int(bound)}) }}")
            else:
                query = (f"SELECT ?this WHERE {{ {focus} OPTIONAL {conforming} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) {operator} {int(bound)})")
            add(query,
                f"Focus node does not conform to shape{' MinCount' if operator == '<' else ' MaxCount'} {bound}",
                component=predicate.n3(self.shapes.namespace_manager))

    def add_sparql(self, shape: Node, source: Node, constraint: Node, target: str, path: str | None,
                   severity: str, rule: str, messages: tuple[str, ...]) -> None:
        if not self.defer_sparql:
            self.checks.append(self.sparql_check(shape, source, constraint, target, path, severity, rule, messages))
            return
        self.pending_sparql.append(_SparqlSpec(shape, source, constraint, target, path, severity, rule, messages,
                                               self.owner))

    def flush_sparql(self) -> None:
        """The recorded SHACL-SPARQL checks, deferred; twins (the same query on the same focus nodes but for its
        final FILTER or HAVING, as a Violation and a Warning with different tolerances) become one query."""
        groups: dict[tuple[str, ...], list[tuple[_SparqlSpec, str]]] = {}
        for spec in self.pending_sparql:
            prologue, text = self.sparql_text(spec)
            split = _split_final_condition(text)
            key = (spec.target, spec.path or "", prologue, *split[:2]) if split else (str(id(spec)),)
            groups.setdefault(key, []).append((spec, split[2] if split else ""))
        self.pending_sparql = []
        for members in groups.values():
            specs = [spec for spec, _condition in members]
            first = specs[0]
            compile_later = partial(self.compile_twins, specs, [condition for _spec, condition in members])
            self.checks.append(CompiledCheck(first.source, "sh:sparql", first.severity, first.rule, "",
                                             first.messages, owner=first.owner, deferred=compile_later))

    def compile_twins(self, specs: list[_SparqlSpec], conditions: list[str]) -> CompiledCheck:
        with _COMPILE_LOCK:  # the compiler's counter and rdflib's parser are not shared between threads
            return self._compile_twins(specs, conditions)

    def _compile_twins(self, specs: list[_SparqlSpec], conditions: list[str]) -> CompiledCheck:
        checks = []
        for spec in specs:
            self.owner = spec.owner
            checks.append(self.sparql_check(spec.shape, spec.source, spec.constraint, spec.target, spec.path,
                                            spec.severity, spec.rule, spec.messages, build_query=len(specs) == 1))
        if len(specs) == 1:
            return checks[0]
        first = specs[0]
        prologue, text = self.sparql_text(first)
        split = _split_final_condition(text)
        assert split is not None  # grouped because it splits
        flags = [f"_twin{index}" for index in range(len(specs))]
        merged = _merge_conditions(text, split, conditions, flags)
        try:
            query = prologue + self.sparql_joins(first.target, rewrite_for_all_focus_nodes(
                prologue, merged, first.target, self.label(first.shape)))
        except UnsupportedShapeError:  # merged, the query is refused: each runs on its own
            own = [self.sparql_check(spec.shape, spec.source, spec.constraint, spec.target, spec.path,
                                     spec.severity, spec.rule, spec.messages) for spec in specs]
            return replace(own[0], twins=tuple((None, check) for check in own))
        return replace(checks[0], query=query, twins=tuple(zip(flags, checks, strict=True)))

    def sparql_text(self, spec: _SparqlSpec) -> tuple[str, str]:
        """The prologue (declared prefixes) and the SELECT of a SHACL-SPARQL constraint, $PATH substituted."""
        select = self.shapes.value(spec.constraint, SH.select)
        if select is None:
            raise UnsupportedShapeError(self.label(spec.shape), "sh:sparql", "only sh:select constraints (no sh:ask)")
        text = str(select)
        if _FORBIDDEN_PREBOUND.search(text):
            raise UnsupportedShapeError(self.label(spec.shape), "sh:sparql", "$shapesGraph / $currentShape")
        if "$PATH" in text:
            if spec.path is None:
                raise UnsupportedShapeError(self.label(spec.shape), "sh:sparql", "$PATH in a node shape")
            text = text.replace("$PATH", spec.path)
        prologue = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in
                           _declared_prefixes(self.shapes, spec.constraint))
        return prologue, text

    def sparql_check(self, shape: Node, source: Node, constraint: Node, target: str, path: str | None,
                     severity: str, rule: str, shape_messages: tuple[str, ...], *, build_query: bool = True
                     ) -> CompiledCheck:
        spec = _SparqlSpec(shape, source, constraint, target, path, severity, rule, shape_messages, self.owner)
        prologue, text = self.sparql_text(spec)
        query = prologue + self.sparql_joins(target, rewrite_for_all_focus_nodes(prologue, text, target,
                                                                                 self.label(shape))) \
            if build_query else ""
        constraint_messages = tuple(str(m) for m in self.shapes.objects(constraint, SH.message))
        messages = tuple(dict.fromkeys(shape_messages + constraint_messages))
        return CompiledCheck(source, "sh:sparql", severity, rule, query, messages, "constraint not met",
                             value_is_focus=path is None, owner=self.owner)


def _members_pattern(target: str) -> str:
    """A target pattern (``_Compiler.target_pattern``) that keeps the nodes a VALUES ?this binds: its group as
    it is, not as a sub-SELECT (which would be evaluated whole, then joined)."""
    prefix, suffix = "{ SELECT DISTINCT ?this WHERE { ", " } }"
    if target.startswith(prefix) and target.endswith(suffix):
        return target[len(prefix):-len(suffix)]
    return target


@dataclass(frozen=True)
class _SparqlSpec:
    """A SHACL-SPARQL constraint waiting to be compiled."""

    shape: Node
    source: Node
    constraint: Node
    target: str
    path: str | None
    severity: str
    rule: str
    messages: tuple[str, ...]
    owner: str


def _code_mask(text: str) -> str:
    """``text`` with strings, IRIs and comments blanked out (same length): keywords found in it are code."""
    code = [" "] * len(text)
    for position, char in _scan_code(text):
        code[position] = char
    return "".join(code)


def _closing_paren(code: str, opening: int) -> int | None:
    depth = 0
    for position in range(opening, len(code)):
        if code[position] == "(":
            depth += 1
        elif code[position] == ")":
            depth -= 1
            if depth == 0:
                return position
    return None


_AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT)\s*\(", re.IGNORECASE)


def _split_final_condition(text: str) -> tuple[str, str, str] | None:
    """(the query with its final condition blanked, "FILTER" or "HAVING", the condition) when the query ends
    with a HAVING, or its WHERE group with a FILTER, and has no aggregate elsewhere a merge would disturb."""
    code = _code_mask(text)
    opening = code.find("{")
    depth, closing = 0, None
    for position in range(opening, len(code)) if opening >= 0 else ():
        if code[position] == "{":
            depth += 1
        elif code[position] == "}":
            depth -= 1
            if depth == 0:
                closing = position
                break
    if closing is None or re.search(r"\bSELECT\s+(DISTINCT\s+|REDUCED\s+)?\*", code[:opening], re.IGNORECASE):
        return None
    having = re.search(r"\bHAVING\s*\(", code[closing:], re.IGNORECASE)
    if having is not None:
        start = closing + having.end() - 1
        end = _closing_paren(code, start)
        if end is None or code[end + 1:].strip():
            return None
        return text[:start + 1] + "\0" + text[end:], "HAVING", text[start + 1:end]
    if code[closing + 1:].strip() or _AGGREGATE.search(code[:opening]):
        return None
    for found in reversed(list(re.finditer(r"\bFILTER\s*\(", code[:closing], re.IGNORECASE))):
        start = found.end() - 1
        if code[opening + 1:found.start()].count("{") != code[opening + 1:found.start()].count("}"):
            return None  # the last FILTER is in a nested group
        end = _closing_paren(code, start)
        if end is None or code[end + 1:closing].strip():
            return None
        return text[:found.start()] + "\0" + text[end + 1:], "FILTER", text[start + 1:end]
    return None


def _merge_conditions(text: str, split: tuple[str, str, str], conditions: list[str], flags: list[str]) -> str:
    """One query for twins: it keeps a row when any twin's condition holds and projects each as a boolean."""
    stem, kind, _condition = split
    holds = " || ".join(f"COALESCE(?{flag}, false)" for flag in flags)
    if kind == "HAVING":
        merged = stem.replace("\0", " || ".join(f"({condition})" for condition in conditions))
        projected = " ".join(f"(({condition}) AS ?{flag})" for condition, flag in zip(conditions, flags, strict=True))
    else:
        binds = " ".join(f"BIND (({condition}) AS ?{flag})" for condition, flag in zip(conditions, flags, strict=True))
        merged = stem.replace("\0", f"{binds} FILTER ({holds})")
        projected = " ".join(f"?{flag}" for flag in flags)
    head_end = _code_mask(merged).find("{")
    where = list(re.finditer(r"\bWHERE\b", _code_mask(merged)[:head_end], re.IGNORECASE))
    cut = where[-1].start() if where else head_end
    return f"{merged[:cut]} {projected} {merged[cut:]}"


def _sparql_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{escaped}"'


def _severity(shapes: Graph, shape: Node) -> str:
    severity = shapes.value(shape, SH.severity)
    return str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"


def _messages(shapes: Graph, shape: Node) -> tuple[str, ...]:
    return tuple(sorted(str(m) for m in shapes.objects(shape, SH.message)))


def _declared_prefixes(shapes: Graph, constraint: Node) -> list[tuple[str, str]]:
    declared: dict[str, str] = {}
    for ontology in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(ontology, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                declared[str(prefix)] = str(namespace)
        for imported in shapes.objects(ontology, OWL.imports):  # prefixes of imported shapes graphs too
            for declaration in shapes.objects(imported, SH.declare):
                declared.setdefault(str(shapes.value(declaration, SH.prefix)),
                                    str(shapes.value(declaration, SH.namespace)))
    return sorted(declared.items())


def _generic_message(predicate: URIRef, shapes: Graph, shape: Node) -> str:
    """pyshacl's wording for a constraint without sh:message (focus and value left out: the issue names them)."""
    value = shapes.value(shape, predicate)
    path = shapes.value(shape, SH.path)
    on = f" on {path.n3(shapes.namespace_manager)}" if isinstance(path, URIRef) else ""
    shown = value.n3(shapes.namespace_manager) if isinstance(value, (URIRef, Literal)) else str(value)
    if isinstance(value, Literal):
        shown = str(value)
    return {
        SH.minCount: f"Less than {shown} values{on}",
        SH.maxCount: f"More than {shown} values{on}",
        SH["class"]: f"Value does not have class {shown}",
        SH.datatype: f"Value is not Literal with datatype {shown}",
        SH["in"]: "Value not in list",
        SH.pattern: f"Value does not match pattern '{shown}'",
        SH.hasValue: f"Value{on} does not contain a value in the set: ['{shown}']",
        SH.minInclusive: f"Value is not >= {shown}",
        SH.maxInclusive: f"Value is not <= {shown}",
        SH.minLength: f"String length not >= {shown}",
        SH.lessThanOrEquals: f"Value{on} not <= {shown}",
        SH["or"]: "Node does not conform to one or more shapes in sh:or",
    }.get(predicate, f"constraint {predicate.n3(shapes.namespace_manager)} not met")


# -- SHACL-SPARQL: $this pre-binding → a free variable joined to the targets --------------------------

def _scan_code(text: str) -> Iterator[tuple[int, str]]:
    """Positions and characters of SPARQL code outside strings, IRIs and comments."""
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else char
            i += len(quote)
            while i < n and text[i:i + len(quote)] != quote:
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        if char == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if char == "<":
            match = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:i + 2000])
            if match:
                i += match.end()
                continue
        yield i, char
        i += 1


FOCUS_PLACEHOLDER = "?this <urn:budget-kg:validate:focus> ?this ."


def rewrite_for_all_focus_nodes(prologue: str, text: str, target: str, shape: str) -> str:
    """Rewrite a SHACL-SPARQL SELECT so one run finds the results of every focus node.

    ``target`` (binding ``?this``) is put first in the top-level group, so every FILTER, BIND and
    OPTIONAL of that group sees ``?this`` bound exactly as under pre-binding; aggregates are grouped
    by ``?this`` (pre-binding made each focus node its own group). The rewritten query is parsed (with
    a placeholder target) to refuse the forms where a free ``?this`` would give other results.
    """
    text = _THIS.sub("?this", text)
    open_brace = close_brace = None
    depth = paren = 0
    for position, char in _scan_code(text):
        if char == "(":
            paren += 1
        elif char == ")":
            paren -= 1
        elif char == "{" and paren == 0:
            if depth == 0 and open_brace is None:
                open_brace = position
            depth += 1
        elif char == "}" and paren == 0:
            depth -= 1
            if depth == 0 and close_brace is None:
                close_brace = position
    if open_brace is None or close_brace is None:
        raise UnsupportedShapeError(shape, "sh:sparql", "no WHERE group found")
    head, body, tail = text[:open_brace + 1], text[open_brace + 1:close_brace], text[close_brace:]
    if not re.search(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(?:\*|(?:[^{\s][^{]*)?\?this\b)", head, re.IGNORECASE):
        head = re.sub(r"\bSELECT(\s+(?:DISTINCT|REDUCED))?", lambda m: m.group(0) + " ?this", head, count=1,
                      flags=re.IGNORECASE)
    algebra = _parse(prologue + f"{head} {FOCUS_PLACEHOLDER} {body}{tail}", shape)
    problem = _this_scoping_problem(algebra)
    if problem:
        raise UnsupportedShapeError(shape, "sh:sparql", problem)
    if any(getattr(node, "name", None) == "AggregateJoin" for node in _spine(algebra)):
        group_by = re.search(r"\bGROUP\s+BY\b", tail, re.IGNORECASE)
        if group_by is None:
            after = re.search(r"\b(HAVING|ORDER\s+BY|LIMIT|OFFSET)\b", tail, re.IGNORECASE)
            cut = after.start() if after else len(tail)
            tail = tail[:cut] + " GROUP BY ?this " + tail[cut:]
        else:
            after = re.search(r"\b(HAVING|ORDER\s+BY|LIMIT|OFFSET)\b", tail[group_by.end():], re.IGNORECASE)
            clause = tail[group_by.end():group_by.end() + after.start()] if after else tail[group_by.end():]
            if not re.search(r"\?this\b", clause):
                tail = tail[:group_by.end()] + " ?this" + tail[group_by.end():]
    return f"{head} {target} {body}{tail}"


def _parse(query: str, shape: str) -> Any:
    from rdflib.plugins.sparql import prepareQuery

    try:
        return prepareQuery(query).algebra
    except Exception as error:  # a syntax error in a shape is the shape author's to fix
        raise UnsupportedShapeError(shape, "sh:sparql", f"the query does not parse: {error}") from error


# the operators through which the top-level group accumulates (its left operand is the group so far)
_SPINE_OPERATORS = frozenset({"SelectQuery", "Project", "Distinct", "Reduced", "Slice", "OrderBy", "Filter",
                              "Extend", "AggregateJoin", "Group", "ToMultiSet", "LeftJoin", "Join", "Minus"})


def _spine(node: Any) -> Iterator[Any]:
    """The algebra nodes of the top-level group: from the root down the accumulated left operand."""
    while node is not None and hasattr(node, "name"):
        yield node
        if node.name not in _SPINE_OPERATORS:
            return
        node = _left_operand(node)


def _left_operand(node: Any) -> Any:
    """An algebra node's operand ``p``, else its left operand ``p1`` (the group so far of a Join, LeftJoin or Minus).
    Not ``node.get("p")``: rdflib's CompValue.get answers a missing key with the key's name, so the spine stopped
    at the first Join (a BIND before a triple pattern was refused as nested)."""
    return node["p"] if "p" in node else node.get("p1")


def _mentions_this(node: Any) -> bool:
    from rdflib.term import Variable

    if isinstance(node, Variable):
        return str(node) == "this"
    if isinstance(node, dict):
        return any(_mentions_this(value) for key, value in node.items() if key != "_vars")
    if isinstance(node, (list, tuple, set)):
        return any(_mentions_this(item) for item in node)
    return False


def _projects_this(project: Any) -> bool:
    return any(str(variable) == "this" for variable in project.get("PV") or ())


def _binds_this(node: Any) -> bool:
    """``?this`` appears in a triple pattern that every solution of the group matches (not OPTIONAL, MINUS,
    FILTER or one UNION branch)."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return any(_mentions_this(term) for triple in node.get("triples") or () for term in triple)
    if name == "Union":
        return _binds_this(node.get("p1")) and _binds_this(node.get("p2"))
    if name == "Join":
        return _binds_this(node.get("p1")) or _binds_this(node.get("p2"))
    if name in ("LeftJoin", "Minus"):
        return _binds_this(node.get("p1"))
    if name in _SPINE_OPERATORS:
        child = _left_operand(node)
        return child is not None and _binds_this(child)
    return False


def _this_scoping_problem(algebra: Any) -> str | None:
    """Why a free ``?this`` would not give the pre-binding results for this query (None when it would)."""
    spine = {id(node) for node in _spine(algebra)}
    problems: list[str] = []

    def walk(node: Any) -> None:
        name = getattr(node, "name", None)
        if name is None:
            return
        on_spine = id(node) in spine
        if name == "Project" and node is not algebra and node is not algebra.get("p") and _mentions_this(node):
            # A sub-SELECT that binds $this in a triple pattern of its own group and projects it gives, once
            # joined on $this, what it gives with $this pre-bound (e.g. a sum per disclosure); others do not.
            if not _projects_this(node) or not _binds_this(node):
                problems.append("$this in a sub-SELECT that does not bind and project it")
                return
            inner = _this_scoping_problem(node)
            if inner:
                problems.append(inner)
            return
        if name == "Minus" and _mentions_this(node):
            problems.append("$this in MINUS")
            return
        expression = node.get("expr")
        if expression is not None and not on_spine and _mentions_this(expression):
            problems.append(f"$this in a FILTER/BIND/EXISTS of a nested group ({name})")
        if name == "LeftJoin" and not on_spine and _mentions_this(node.get("p2")):
            problems.append("$this in an OPTIONAL inside a nested group")
        for key in ("p", "p1", "p2"):
            child = node.get(key)
            if child is not None:
                walk(child)

    walk(algebra)
    return "; ".join(dict.fromkeys(problems)) or None


# -- SHACL-SPARQL: triple patterns as hash-joined sub-SELECTs ------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<datatype>\^\^)
  | (?P<name>(?:[A-Za-z\u00C0-\uFFFF_][\w\u00B7-\uFFFF.-]*)?:(?:[\w\u00B7-\uFFFF:%.-]|\\.)*|[A-Za-z_][\w-]*)
  | (?P<punct>&&|\|\||!=|<=|>=|[{}()\[\].;,/^|*+?!=<>\-])
""", re.VERBOSE)

# keywords that end a triples block and start another kind of group element
_ELEMENT_KEYWORDS = frozenset({"FILTER", "OPTIONAL", "MINUS", "BIND", "VALUES", "GRAPH", "SERVICE", "UNION"})
_RAW_GROUP_KEYWORDS = frozenset({"VALUES", "SERVICE", "EXISTS"})  # their {...} is copied as written


class _NotRewritable(Exception):
    """A construct the triple-pattern rewrite does not handle: the query is run as written."""


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise _NotRewritable(f"unexpected text at {position}")
        kind = match.lastgroup or ""
        value = match.group()
        end = match.end()
        if kind == "name" and value.endswith(".") and ":" in value:  # a prefixed name ends before a final '.'
            value, end = value.rstrip("."), match.start() + len(value.rstrip("."))
        if kind != "space":
            tokens.append((kind, value, match.start(), end))
        position = end
    return tokens


def hash_join_patterns(query: str) -> str:
    """``query`` with each triple pattern of a constant predicate written as a sub-SELECT of its variables.

    Oxigraph joins a triple pattern by one index lookup per solution so far (≈ 30 µs each in a RocksDB store) and
    a sub-SELECT by hashing (one scan of the pattern, ≈ 0.5 µs a triple): a rule over every disclosure's lines
    runs 5-7x faster this way. A basic graph pattern is the join of its triple patterns, and a sub-SELECT
    projecting all of a pattern's variables has that pattern's solutions, so the answers are the same. Patterns
    inside FILTER, BIND, EXISTS, VALUES and SERVICE or without variables are left as written; a query with a
    variable predicate, blank nodes, collections or path modifiers (``[``, ``(`` in a pattern, ``*``, ``+``) is
    returned unchanged.
    """
    try:
        tokens = _tokens(query)
        replacements = _pattern_replacements(tokens)
    except _NotRewritable:
        return query
    out, last = [], 0
    for start, end, text in replacements:
        out.append(query[last:start])
        out.append(text)
        last = end
    out.append(query[last:])
    return "".join(out)


def _pattern_replacements(tokens: list[tuple[str, str, int, int]]) -> list[tuple[int, int, str]]:
    replacements: list[tuple[int, int, str]] = []
    stack: list[str] = []  # "group" (patterns rewritten), "select" (a sub-SELECT's head and modifiers), "raw", "paren"
    pending = ""  # the kind the next "{" opens ("raw" after VALUES, SERVICE, EXISTS)
    skip_term = False  # the graph name after GRAPH
    i = 0
    while i < len(tokens):
        kind, value, _start, _end = tokens[i]
        upper = value.upper() if kind == "name" else ""
        context = stack[-1] if stack else "top"
        if value == "{":
            if context in ("raw", "paren"):
                stack.append("raw")
            elif pending:
                stack.append(pending)
            elif i + 1 < len(tokens) and tokens[i + 1][1].upper() == "SELECT":
                stack.append("select")
            else:
                stack.append("group")
            pending = ""
            i += 1
            continue
        if value == "}":
            if not stack or stack.pop() == "paren":
                raise _NotRewritable("unbalanced braces")
            i += 1
            continue
        if value == "(":
            stack.append("paren")
            i += 1
            continue
        if value == ")":
            if not stack or stack.pop() != "paren":
                raise _NotRewritable("unbalanced parentheses")
            i += 1
            continue
        if context != "group":
            if upper in _RAW_GROUP_KEYWORDS:
                pending = "raw"
            i += 1
            continue
        if value == "[":
            raise _NotRewritable("blank node")
        if upper in _ELEMENT_KEYWORDS or upper in ("NOT", "EXISTS"):
            if upper in _RAW_GROUP_KEYWORDS:
                pending = "raw"
            skip_term = upper == "GRAPH"
            i += 1
            continue
        if value == "." or skip_term:
            skip_term = False
            i += 1
            continue
        end = i
        while end < len(tokens) and tokens[end][1] not in ("{", "}") and \
                not (tokens[end][0] == "name" and tokens[end][1].upper() in _ELEMENT_KEYWORDS):
            if tokens[end][1] in ("(", "[", ")", "]"):
                raise _NotRewritable("collection, blank node or path group in a triple pattern")
            end += 1
        replacements.append((tokens[i][2], tokens[end - 1][3], _rewrite_block(tokens[i:end])))
        i = end
    if stack:
        raise _NotRewritable("unbalanced braces")
    return replacements


def _rewrite_block(block: list[tuple[str, str, int, int]]) -> str:
    """A triples block (``s p o ; p o , o .`` …) as one hash-joined sub-SELECT per triple pattern."""
    position = 0

    def peek() -> str:
        return block[position][1] if position < len(block) else ""

    def term() -> str:
        nonlocal position
        if position >= len(block):
            raise _NotRewritable("a triple pattern ends early")
        kind, value, _start, _end = block[position]
        if kind not in ("var", "iri", "name", "string", "number") or value.startswith("_:") or \
                (kind == "name" and ":" not in value and value not in ("true", "false")):
            raise _NotRewritable(f"unexpected {value!r} in a triple pattern")
        position += 1
        if kind == "string" and peek().startswith("@"):
            value += block[position][1]
            position += 1
        elif kind == "string" and peek() == "^^":
            position += 1
            value += "^^" + term()
        return value

    def predicate() -> str:
        nonlocal position
        parts = []
        while True:
            if peek() == "^":
                parts.append("^")
                position += 1
            if peek() == "a":
                parts.append("a")
                position += 1
            else:
                parts.append(term())
            if peek() in ("/", "|"):
                parts.append(block[position][1])
                position += 1
                continue
            return "".join(parts)

    patterns: list[tuple[str, str, str]] = []
    while position < len(block):
        subject = term()
        while True:
            verb = predicate()
            patterns.append((subject, verb, term()))
            while peek() == ",":
                position += 1
                patterns.append((subject, verb, term()))
            if peek() != ";":
                break
            while peek() == ";":
                position += 1
            if peek() in ("", "."):
                break
        if peek() == ".":
            position += 1
        elif position < len(block):
            raise _NotRewritable(f"unexpected {peek()!r} after a triple pattern")
    parts = []
    for subject, verb, obj in patterns:
        variables = list(dict.fromkeys(t for t in (subject, obj) if t[0] in "?$"))
        if verb[0] in "?$":  # hashing would join every triple of the store (a lookup binds the subject first)
            raise _NotRewritable("a variable predicate")
        if not variables:
            parts.append(f"{subject} {verb} {obj} .")
        else:
            parts.append(f"{{ SELECT {' '.join(variables)} WHERE {{ {subject} {verb} {obj} }} }}")
    return " ".join(parts)


# -- running ----------------------------------------------------------------------------------

def compile_shapes(shapes: Graph, *, subclass_inference: bool = True,
                   count_focus: Callable[[str], int] | None = None, defer_sparql: bool = False,
                   count_path: Callable[[str, int], int] | None = None) -> list[CompiledCheck]:
    """One SPARQL SELECT per (shape, constraint) of every shape that has targets.

    ``subclass_inference`` follows ``rdfs:subClassOf*`` in the data for targets and sh:class, as
    SHACL (and pyshacl with ``inference="none"``) does; :func:`validate_store` turns it off when the
    data holds no rdfs:subClassOf triple, where a plain rdf:type is the same and faster.
    ``count_focus`` (a target pattern → how many focus nodes it binds in the data) and ``count_path`` (a predicate
    and a bound → how many subjects it has among that many of its triples) choose each query's join strategy; without
    ``count_focus`` every query hash-joins, without ``count_path`` the focus nodes alone choose.
    ``defer_sparql`` leaves SHACL-SPARQL checks to be compiled by :func:`run_checks` (an unsupported query is
    then refused when the checks run).
    """
    compiler = _Compiler(shapes, subclass_inference, count_focus=count_focus, count_path=count_path,
                         defer_sparql=defer_sparql)
    shape_nodes = {s for predicate in TARGET_PREDICATES for s in shapes.subjects(predicate, None)}
    for shape in sorted(shape_nodes, key=str):
        compiler.compile_shape(shape)
    compiler.flush_sparql()
    return compiler.checks


def _term_text(term: Any) -> str:
    return str(term.value)


def _format(template: str, bindings: dict[str, Any]) -> str:
    """``template`` with each ``{?name}`` / ``{$name}`` replaced by its binding's text, one name after the other as
    pyshacl does. Plain replacements, not a regular expression per name and result (a citation conflict's message:
    5.6 -> 2.0 µs; 18,805 messages at 1,000 disclosures)."""
    for name, term in bindings.items():
        for placeholder in ("{?" + name + "}", "{$" + name + "}"):
            if placeholder in template:
                template = template.replace(placeholder, _term_text(term))
    return template


@dataclass
class _Result:
    check: CompiledCheck
    focus: Any
    value: Any
    message: str


def run_checks(store: pyoxigraph.Store, checks: Iterable[CompiledCheck], *, union: bool = True,
               timings: dict[str, float] | None = None, threads: int | None = None) -> list[_Result]:
    """Run the checks on ``threads`` threads (default: one per core, at most 4): Oxigraph evaluates a query
    without holding the GIL, so independent checks run in parallel (1.7-2.4x on 2 cores)."""
    # deferred (SHACL-SPARQL) checks first: their compiling holds the GIL while the other threads query
    checks = sorted(checks, key=lambda check: check.deferred is None)
    threads = threads or min(os.cpu_count() or 1, 4)
    functional: dict[str, bool] = {}  # predicate → no subject has two of its triples (shared by the threads)
    if threads <= 1 or len(checks) <= 1:
        per_check = [_timed_check(store, check, union, functional) for check in checks]
    else:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            per_check = list(pool.map(lambda check: _timed_check(store, check, union, functional), checks))
    results: list[_Result] = []
    for check, (found, seconds) in zip(checks, per_check, strict=True):
        results += found
        if timings is not None:
            timings[check.name] = timings.get(check.name, 0.0) + seconds
    return results


def _timed_check(store: pyoxigraph.Store, check: CompiledCheck, union: bool, functional: dict[str, bool]
                 ) -> tuple[list[_Result], float]:
    started = time.thread_time()  # CPU seconds of this thread: comparable on a busy machine
    # Compiled here, not in _run_check: rdflib's parser leaves frames in reference cycles, and a frame that ran
    # a query would keep its (thread-bound) query solutions until the collector frees them on another thread.
    if check.deferred is not None:
        check = check.deferred()
    predicate = check.unless_functional
    if predicate:
        if predicate not in functional:
            functional[predicate] = _is_functional(store, predicate, union)
        if functional[predicate]:
            return [], time.thread_time() - started
    if check.prefilter:
        found = _prefiltered(store, check, union)
        if found is not None:
            return found, time.thread_time() - started
    return _run_check(store, check, union), time.thread_time() - started


def _prefiltered(store: pyoxigraph.Store, check: CompiledCheck, union: bool) -> list[_Result] | None:
    """The check's results from its candidate rows, those of focus nodes kept by index lookups (None: too many
    candidates for lookups, or a blank node among them: run the query)."""
    solutions = store.query(check.prefilter, use_default_graph_as_union=union)
    names = [variable.value for variable in solutions.variables]
    at = names.index("this")
    rows: list[tuple[Any, ...]] = []
    distinct: set[Any] = set()
    for solution in solutions:
        row = tuple(solution[i] for i in range(len(names)))
        rows.append(row)
        distinct.add(row[at])
        # Past PREFILTER_LOOKUPS nodes, stop reading as soon as the target is too small for them: each row read
        # decodes its terms (50,787 rows of another class's bkg:matchMethod for PerformanceTargetShape's sh:in at
        # 1,000 disclosures, 10x its query)
        if len(distinct) == PREFILTER_LOOKUPS + 1 and not _many_more_focus_nodes(store, check, len(distinct), union):
            return None
    if not rows:
        return []
    nodes = sorted(distinct, key=str)
    if len(rows) > PREFILTER_ROWS or any(isinstance(node, pyoxigraph.BlankNode) for node in nodes):
        return None
    if len(nodes) > PREFILTER_LOOKUPS and not _many_more_focus_nodes(store, check, len(nodes), union):
        return None
    members: set[Any] = set()
    for start in range(0, len(nodes), 500):
        values = " ".join(str(node) for node in nodes[start:start + 500])
        members.update(solution[0] for solution in store.query(
            f"SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {values} }} {check.focus_members} }}",
            use_default_graph_as_union=union))
    return _results(check, [row for row in rows if row[at] in members], names)


def _many_more_focus_nodes(store: pyoxigraph.Store, check: CompiledCheck, candidates: int, union: bool) -> bool:
    """The check's target has FOCUS_PER_LOOKUP times as many nodes as its ``candidates`` (counted that far)."""
    enough = FOCUS_PER_LOOKUP * candidates
    return count_solutions(store, check.focus_members, union=union, up_to=enough) >= enough


def _is_functional(store: pyoxigraph.Store, predicate: str, union: bool) -> bool:
    """No subject has two triples with ``predicate``: one count, 5x cheaper than grouping its values by subject
    (each sh:maxCount on it then holds for every focus node)."""
    solution = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?d) "
                                     f"WHERE {{ ?s {predicate} ?o }}", use_default_graph_as_union=union)))
    return int(solution[0].value) == int(solution[1].value)


def _run_check(store: pyoxigraph.Store, check: CompiledCheck, union: bool) -> list[_Result]:
    if not check.twins:
        return _results(check, store.query(check.query, use_default_graph_as_union=union))
    results: list[_Result] = []
    flagged = [(flag, twin) for flag, twin in check.twins if flag is not None]
    for flag, twin in check.twins:
        if flag is None:
            results += _run_check(store, twin, union)
    if flagged:
        solutions = store.query(check.query, use_default_graph_as_union=union)
        names = [variable.value for variable in solutions.variables]
        rows = [tuple(solution[i] for i in range(len(names))) for solution in solutions]
        for flag, twin in flagged:
            keep = [i for i, name in enumerate(names) if not name.startswith("_twin")]
            at = names.index(flag)
            chosen = [tuple(row[i] for i in keep) for row in rows
                      if row[at] is not None and row[at].value == "true"]
            results += _results(twin, chosen, [names[i] for i in keep])
    return results


def _results(check: CompiledCheck, solutions: Any, names: list[str] | None = None) -> list[_Result]:
    """The validation results of a query's solutions (or of rows with their variable ``names``)."""
    results: list[_Result] = []
    if names is None:
        names = [variable.value for variable in solutions.variables]
    seen: set[tuple[Any, ...]] = set()
    for solution in solutions:
        row = tuple(solution[i] for i in range(len(names)))
        if row in seen:  # pyshacl drops duplicate solutions of one query
            continue
        seen.add(row)
        bindings = {name: term for name, term in zip(names, row, strict=True) if term is not None}
        focus = bindings.get("this")
        value = bindings.get("value")
        if value is None and check.value_is_focus:
            value = focus
        if check.messages:
            format_vars = dict(bindings)
            if value is not None:
                format_vars["value"] = value
            message = sorted(_format(m, format_vars) for m in check.messages)[0]
        else:
            message = check.generic_message
        results.append(_Result(check, focus, value, message))
    return results


def _sources(store: pyoxigraph.Store, nodes: set[pyoxigraph.NamedNode], union: bool, threads: int = 1
             ) -> tuple[set[pyoxigraph.NamedNode], dict[pyoxigraph.NamedNode, str]]:
    """Which nodes have provenance, and each node's ``file:first-last`` (as ``kg.validate.source_of``)."""
    ordered = sorted(nodes, key=lambda n: n.value)
    batches = [ordered[start:start + 500] for start in range(0, len(ordered), 500)]  # not one query per issue
    if threads > 1 and len(batches) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            answers = list(pool.map(lambda batch: _source_rows(store, batch, union), batches))
    else:
        answers = [_source_rows(store, batch, union) for batch in batches]
    derived: set[pyoxigraph.NamedNode] = set()
    files: dict[pyoxigraph.NamedNode, str] = {}
    spans: dict[pyoxigraph.NamedNode, list[tuple[int, int, str]]] = {}
    for rows in answers:
        for node, file, derived_from, disclosure, lines_file in rows:
            if derived_from is not None:
                derived.add(node)
            if file is not None:
                files.setdefault(node, file.value)
            # what a node is derived from is its lines when it has a source (a span)
            span = None if disclosure is None else span_source(
                lines_file.value if lines_file is not None else None, derived_from.value)
            if span is not None:
                spans.setdefault(node, []).append(span)
    sources = dict(files)
    for node, candidates in spans.items():
        sources.setdefault(node, min(candidates)[2])
    return derived, sources


def _source_rows(store: pyoxigraph.Store, nodes: list[pyoxigraph.NamedNode], union: bool) -> list[tuple[Any, ...]]:
    values = " ".join(str(n) for n in nodes)
    # a span's lines are its IRI's RFC 5147 fragment (span_source reads them). What a node is derived from is read
    # once, its source (a span's) looked up from it: not a second UNION branch reading prov:wasDerivedFrom again
    # (the 17,287 nodes of the report at 1,000 disclosures: 4.0 -> 3.1 CPU-s)
    query = f"""SELECT ?node ?file ?derived ?disclosure ?linesFile WHERE {{
        VALUES ?node {{ {values} }}
        {{ ?node <{BKG.sourceFile}> ?file }}
        UNION {{ ?node <{PROV.wasDerivedFrom}> ?derived
                 OPTIONAL {{ ?derived <{OA.hasSource}> ?disclosure .
                            OPTIONAL {{ ?disclosure <{BKG.sourceFile}> ?linesFile }} }} }} }}"""
    return [tuple(solution) for solution in store.query(query, use_default_graph_as_union=union)]


def _labels(store: pyoxigraph.Store, iris: set[str], union: bool) -> dict[str, str]:
    """The rdfs:label of each IRI (what a message names by its line: kg.validate.name_printed), 500 a query."""
    ordered = sorted(iris)
    labels: dict[str, str] = {}
    for start in range(0, len(ordered), 500):
        values = " ".join(str(pyoxigraph.NamedNode(iri)) for iri in ordered[start:start + 500])
        query = f"SELECT ?node ?label WHERE {{ VALUES ?node {{ {values} }} ?node <{RDFS_LABEL}> ?label }}"
        for node, label in store.query(query, use_default_graph_as_union=union):
            labels.setdefault(node.value, label.value)
    return labels


def _report(store: pyoxigraph.Store, results: list[_Result], union: bool, threads: int = 1) -> ValidationReport:
    # arithmetic rules run once per disclosure and name the offending line or project as the value: the issue
    # names the value when it has provenance. One lookup for values and focus nodes alike.
    named = {term for r in results for term in (r.value, r.focus) if isinstance(term, pyoxigraph.NamedNode)}
    derived, sources = _sources(store, named, union, threads)
    nodes = [r.value if r.value in derived else r.focus for r in results]
    labels = _labels(store, {iri for r in results for iri in printed_iris(r.message)}, union)
    issues = [
        ValidationIssue(
            severity=result.check.severity,
            source=sources.get(node) if isinstance(node, pyoxigraph.NamedNode) else None,
            focus=_term_text(node),
            rule=result.check.rule,
            message=name_printed(result.message, labels),
            value=_term_text(result.value)
            if isinstance(result.value, (pyoxigraph.NamedNode, pyoxigraph.Literal)) else None,
        )
        for result, node in zip(results, nodes, strict=True)
    ]
    return ValidationReport(sorted(issues, key=_issue_order))


def focus_counts(store: pyoxigraph.Store, shapes: Graph, *, subclass_inference: bool, union: bool = True,
                 threads: int = 1, up_to: int | None = None) -> dict[str, int]:
    """How many focus nodes each shape's target pattern binds (at most ``up_to``), counted in parallel."""
    compiler = _Compiler(shapes, subclass_inference)
    patterns = sorted({compiler.target_pattern(shape) for predicate in TARGET_PREDICATES
                       for shape in shapes.subjects(predicate, None)})
    with ThreadPoolExecutor(max_workers=threads) as pool:
        counts = list(pool.map(lambda pattern: count_solutions(store, pattern, union=union, up_to=up_to), patterns))
    return dict(zip(patterns, counts, strict=True))


def count_solutions(store: pyoxigraph.Store, pattern: str, *, union: bool = True, up_to: int | None = None) -> int:
    """How many solutions a group pattern has, or ``up_to`` when it has more (the count stops reading there)."""
    if up_to is not None:
        pattern = f"{{ SELECT * WHERE {{ {pattern} }} LIMIT {up_to} }}"
    solution = next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}",
                                     use_default_graph_as_union=union)))
    return int(solution[0].value)


def _count_subjects(store: pyoxigraph.Store, predicate: str, up_to: int, *, union: bool = True) -> int:
    """How many subjects ``predicate`` has among its first ``up_to`` triples (counted without decoding a term)."""
    solution = next(iter(store.query(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {{ SELECT ?s WHERE {{ "
                                     f"?s {predicate} ?o }} LIMIT {up_to} }} }}", use_default_graph_as_union=union)))
    return int(solution[0].value)


def has_subclass_axioms(store: pyoxigraph.Store, *, union: bool = True) -> bool:
    return bool(store.query("ASK { ?a <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?b }",
                            use_default_graph_as_union=union))


def validate_store(store: pyoxigraph.Store, shapes_dir: Path | str = DEFAULT_SHAPES_DIR, *, union: bool = True,
                   shapes: Graph | None = None, timings: dict[str, float] | None = None,
                   joins: JoinStrategy = "auto") -> ValidationReport:
    """Validate everything in ``store`` (with ``union``: the union of its named graphs, as ``build`` writes it).

    ``joins``: "auto" hash-joins the constraints of shapes with many focus nodes and looks up those of the
    others (see ``LOOKUP_LIMIT``); "hash" and "lookup" force one strategy (the tests check both forms).
    """
    shapes = shapes if shapes is not None else load_shapes(shapes_dir)
    threads = min(os.cpu_count() or 1, 4)
    subclass_inference = has_subclass_axioms(store, union=union)
    count_focus: Callable[[str], int] | None = None
    count_path: Callable[[str, int], int] | None = None
    if joins == "auto":
        # the join strategies only ask whether a target has more than LOOKUP_LIMIT nodes, and how it compares with
        # its paths up to LOOKUP_MAX: the 600,000 nodes of ProvenanceShape's seven classes at 1,000 disclosures
        # need not be counted
        count_focus = focus_counts(store, shapes, subclass_inference=subclass_inference, union=union,
                                   threads=threads, up_to=max(LOOKUP_MAX, SPARQL_LOOKUP_LIMIT) + 1).__getitem__
        count_path = partial(_count_subjects, store, union=union)
    elif joins == "lookup":
        count_focus = lambda _target: 0  # noqa: E731
    checks = compile_shapes(shapes, subclass_inference=subclass_inference, count_focus=count_focus,
                            count_path=count_path, defer_sparql=True)
    return _report(store, run_checks(store, checks, union=union, timings=timings, threads=threads), union, threads)


def load_store(graph_or_path: Graph | Path | str) -> pyoxigraph.Store:
    """An in-memory Oxigraph store holding one graph (an rdflib Graph or a file) in its default graph."""
    store = pyoxigraph.Store()
    if isinstance(graph_or_path, Graph):
        store.load(graph_or_path.serialize(format="nt", encoding="utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
        return store
    path = Path(graph_or_path)
    rdf_format = pyoxigraph.RdfFormat.from_extension(path.suffix.lstrip(".") or "nt")
    if rdf_format is None:
        raise BudgetKGError(str(path), "unknown RDF format (use .nt, .ttl, .nq, .trig, .jsonld, .rdf)",
                            code="unknown-format")
    with open(path, "rb") as handle:
        store.bulk_load(handle, format=rdf_format)
    return store


def validate_graph_oxigraph(graph_or_path: Graph | Path | str, shapes_dir: Path | str = DEFAULT_SHAPES_DIR, *,
                            shapes: Graph | None = None, joins: JoinStrategy = "auto") -> ValidationReport:
    """Validate an rdflib graph or a graph file with the Oxigraph engine (loaded into memory)."""
    return validate_store(load_store(graph_or_path), shapes_dir, union=False, shapes=shapes, joins=joins)


# -- benchmark ----------------------------------------------------------------------------------

def bench(build_dir: Path, runs: int = 3, pyshacl: bool = False) -> None:
    """Median time of each check and of the whole validation over ``build_dir``/store."""
    store_dir = build_dir / "store"
    store = pyoxigraph.Store.read_only(str(store_dir))
    shapes = load_shapes()
    triples = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                                    use_default_graph_as_union=True)))[0].value
    print(f"{build_dir}: {triples} triples")
    per_check: dict[str, list[float]] = {}
    totals: list[float] = []
    report = None
    for _ in range(runs):
        timings: dict[str, float] = {}
        started = time.perf_counter()
        report = validate_store(store, shapes=shapes, timings=timings)
        totals.append(time.perf_counter() - started)
        for name, seconds in timings.items():
            per_check.setdefault(name, []).append(seconds)
    assert report is not None
    medians = sorted(((statistics.median(times), name) for name, times in per_check.items()), reverse=True)
    for seconds, name in medians[:15]:
        print(f"  {seconds:8.3f} s  {name}")
    print(f"  ({len(medians)} checks; the rest under {medians[15][0] if len(medians) > 15 else 0:.3f} s each)")
    oxigraph_total = statistics.median(totals)
    print(f"oxigraph: median {oxigraph_total:.2f} s over {runs} runs "
          f"({len(report.violations)} violations, {len(report.warnings)} warnings)")
    if pyshacl:
        from kg.validate import validate_file

        started = time.perf_counter()
        reference = validate_file(build_dir / "graph.nt", engine="pyshacl")
        seconds = time.perf_counter() - started
        print(f"pyshacl: {seconds:.2f} s ({len(reference.violations)} violations, {len(reference.warnings)} "
              f"warnings); ratio {seconds / oxigraph_total:.0f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.validate.oxigraph_engine",
                                     description="time the Oxigraph SHACL engine on a build output directory")
    parser.add_argument("--bench", metavar="BUILD_DIR", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pyshacl", action="store_true", help="also time pyshacl on BUILD_DIR/graph.nt")
    args = parser.parse_args(argv)
    bench(args.bench, args.runs, args.pyshacl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
