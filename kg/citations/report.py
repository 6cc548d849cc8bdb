"""How a citation is shown to a reader (``budget-kg citations``): number, level, kind, link status, title."""

from __future__ import annotations

from kg.citations.models import Citation


def citation_lines(citation: Citation) -> list[str]:
    """One line for the citation, then a line for each thing a reader must know about it.

    ``晋自然资发〔2023〕7号  province  通知 notice  both  《山西省自然资源厅关于…的通知》``; the printed
    number when it is not the normalised one, a completed number, a conflict, a clipped (incomplete) cell.
    """
    number = citation.doc_number or citation.completed_number or "—"
    level = citation.issuer_level or "?"
    kind = f"{citation.kind} {citation.kind_en}"
    if not citation.is_policy_document:
        kind += " (not a policy document)"
    title = f"《{citation.title}》" if citation.title else citation.text
    lines = [f"{number:<24} {level:<8} {kind:<14} {citation.status:<11} {title}"]
    printed = citation.printed_number
    if printed and citation.doc_number is None:
        facts = ", ".join(f"{name} {value}" for name, value in
                          (("year", citation.number_year), ("serial", citation.number_serial)) if value is not None)
        lines.append(f"    printed {printed} ({citation.number_form}{', ' + facts if facts else ''})")
    if citation.completed_number:
        lines.append(f"    number completed from the issuer's 代字: {citation.completed_number}")
    if citation.conflict:
        lines.append(f"    conflict: {citation.conflict}")
    if citation.incomplete:
        lines.append(f"    incomplete (clipped cell): {citation.text!r}")
    return lines
