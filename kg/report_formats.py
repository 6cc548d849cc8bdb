"""The reporting verbs' output styles: ``--format table|csv|json`` (and ``ttl`` for ``validate``).

``table`` is each verb's own readable text; ``csv`` and ``json`` are the same records as data: one row per
validation result, citation, trace link or analysis row. CSV may start with a UTF-8 byte order mark
(``--bom``) so that Excel on Chinese Windows reads it; JSON is UTF-8, amounts as strings (exact).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from kg.query.format import BOM

REPORT_FORMATS = ("table", "csv", "json")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_json(data: Any) -> str:
    return json.dumps(_plain(data), ensure_ascii=False, indent=2) + "\n"


def to_csv(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None, *, bom: bool = False) -> str:
    """Records as CSV: the columns given, else every key in order of first appearance; lists joined by "; "."""
    if columns is None:
        columns = list(dict.fromkeys(key for record in records for key in record))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        row = []
        for column in columns:
            value = _plain(record.get(column))
            row.append("; ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else value))
        writer.writerow(row)
    return (BOM if bom else "") + buffer.getvalue()


# ---- validate ----------------------------------------------------------------------------------------------

def validation_records(report: Any) -> list[dict[str, Any]]:
    return [asdict(issue) for issue in report.issues]


def validation_json(report: Any) -> str:
    return to_json({"conforms": report.conforms, "violations": len(report.violations),
                    "warnings": len(report.warnings), "results": validation_records(report)})


def validation_turtle(report: Any) -> str:
    """The report as a SHACL ``sh:ValidationReport`` in Turtle (what pyshacl users read): ``sh:conforms``,
    and per result its focus node, severity, message, value, source shape and path, and the source lines in
    ``rdfs:comment``."""
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS, SH, XSD

    from kg.rdf.namespaces import bind_prefixes
    from kg.validate import SHAPES

    graph = bind_prefixes(Graph())
    graph.bind("sh", SH)
    graph.bind("bkgsh", SHAPES)
    node = BNode("report")
    graph.add((node, RDF.type, SH.ValidationReport))
    graph.add((node, SH.conforms, Literal(report.conforms, datatype=XSD.boolean)))
    for number, issue in enumerate(report.issues, 1):
        result = BNode(f"result{number}")
        graph.add((node, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, SH[issue.severity]))
        graph.add((result, SH.focusNode, URIRef(issue.focus) if "://" in issue.focus else Literal(issue.focus)))
        graph.add((result, SH.resultMessage, Literal(issue.message)))
        if issue.value is not None:
            graph.add((result, SH.value, URIRef(issue.value) if issue.value.startswith("http") else
                       Literal(issue.value)))
        # the rule reads "bkgsh:Shape (label) on prefix:path" (kg.validate._rule_name)
        shape = issue.rule.split(" ", 1)[0]
        if shape.startswith("bkgsh:"):
            graph.add((result, SH.sourceShape, SHAPES[shape[len("bkgsh:"):]]))
        if " on " in issue.rule:
            try:
                path = graph.namespace_manager.expand_curie(issue.rule.rsplit(" on ", 1)[1].strip())
            except ValueError:  # not a prefixed name: left out rather than guessed
                path = None
            if path is not None:
                graph.add((result, SH.resultPath, path))
        if issue.source:
            graph.add((result, RDFS.comment, Literal(f"source: {issue.source}; rule: {issue.rule}")))
    return graph.serialize(format="turtle")


# ---- analyses ----------------------------------------------------------------------------------------------

def analyses_records(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The four analyses as one table, a ``section`` column telling them apart."""
    records: list[dict[str, Any]] = []
    for section in ("top_documents", "shared_documents", "unbased_projects"):
        records += [{"section": section, **row} for row in result.get(section, [])]
    records += [{"section": "components", **row} for row in result.get("components", {}).get("largest", [])]
    return records


# ---- citations ---------------------------------------------------------------------------------------------

def citation_record(file: str, department: str | None, year: int | None, project: str, span: str,
                    citation: Any | None) -> dict[str, Any]:
    record: dict[str, Any] = {"file": file, "department": department, "fiscal_year": year, "project": project,
                              "lines": span}
    if citation is None:
        return {**record, "status": "none", "doc_number": None, "title": None, "issuer": None,
                "issuer_level": None, "kind": None, "policy_document": None, "printed": None}
    return {**record, "status": citation.status, "doc_number": citation.doc_number or citation.completed_number,
            "title": citation.title, "issuer": citation.issuer, "issuer_level": citation.issuer_level,
            "kind": citation.kind, "policy_document": citation.is_policy_document,
            "printed": citation.text}


def records_text(records: Iterable[Mapping[str, Any]], fmt: str, *, bom: bool = False,
                 columns: Sequence[str] | None = None) -> str:
    records = list(records)
    if fmt == "json":
        return to_json(records)
    return to_csv(records, columns, bom=bom)
