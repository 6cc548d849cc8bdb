"""Write the API reference of budget-kg's public functions from their docstrings (pdoc reads them).

    python scripts/api_docs.py                  # docs/api.md: one Markdown page, readable on any forge
    python scripts/api_docs.py --html docs/api  # pdoc's full HTML site (search, source links) as well

The public API is each package's ``__all__`` (kg.query, kg.publish, kg.visualize, kg.citations) and the
entry points named in PUBLIC below for the modules that have none. pdoc is in the ``docs`` and ``test``
extras (``pip install 'budget-kg[docs]'``).
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# module → the names to document (None: the module's __all__)
PUBLIC: dict[str, list[str] | None] = {
    "kg.build": ["build", "summary_text"],
    "kg.extract": ["extract_file"],
    "kg.query": None,
    "kg.validate": ["validate", "validate_file", "validate_build", "ValidationReport", "ValidationIssue"],
    "kg.publish": None,
    "kg.visualize": None,
    "kg.citations": None,
    "kg.config": ["load_config", "Config"],
}


def _first_paragraph(text: str) -> str:
    return text.strip().split("\n\n", 1)[0].strip()


def _member_markdown(member, level: str = "###") -> list[str]:  # pdoc.doc.Doc
    import pdoc.doc

    lines: list[str] = []
    if isinstance(member, pdoc.doc.Function):
        lines += [f"{level} `{member.name}`", "", "```python", f"def {member.name}{_signature(member, False)}",
                  "```"]
    elif isinstance(member, pdoc.doc.Class):
        lines.append(f"{level} class `{member.name}`")
    else:
        lines.append(f"{level} `{member.name}`")
    lines.append("")
    if member.docstring:
        lines += [inspect.cleandoc(member.docstring), ""]
    if isinstance(member, pdoc.doc.Class):
        methods = [m for m in member.own_members if isinstance(m, pdoc.doc.Function)
                   and not m.name.startswith("_")]
        for method in methods:
            summary = _first_paragraph(method.docstring or "").replace("\n", " ")
            signature = " ".join(_signature(method, True).split())
            lines.append(f"- `{method.name}{signature}`" + (f": {summary}" if summary else ""))
        if methods:
            lines.append("")
    return lines


def _signature(function, method: bool) -> str:  # pdoc.doc.Function
    try:
        return str(function.signature_without_self if method else function.signature)
    except (ValueError, TypeError):  # a builtin without a signature
        return "(…)"


def api_markdown(public: dict[str, list[str] | None] = PUBLIC) -> str:
    """The reference as one Markdown page: per module its summary, then each public name with its docstring."""
    import pdoc.doc

    out = ["# budget-kg API reference", "",
           "Generated from the docstrings by `python scripts/api_docs.py` (pdoc); do not edit by hand.", ""]
    out += [f"- [`{name}`](#{name.replace('.', '')})" for name in public] + [""]
    for module_name, names in public.items():
        module = pdoc.doc.Module.from_name(module_name)
        chosen = names if names is not None else list(getattr(module.obj, "__all__", []))
        out += [f"## {module_name}", "", _first_paragraph(module.docstring or ""), ""]
        for name in chosen:
            member = module.members.get(name)
            if member is None:
                raise SystemExit(f"{module_name}.{name}: not found (scripts/api_docs.py PUBLIC is out of date)")
            out += _member_markdown(member)
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "api.md", help="the Markdown page to write")
    parser.add_argument("--html", type=Path, help="also write pdoc's HTML site to this directory")
    args = parser.parse_args(argv)
    try:
        import pdoc
    except ImportError:
        print("api_docs: needs pdoc: pip install 'budget-kg[docs]'", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    partial = args.out.with_name(f".{args.out.name}.partial")
    partial.write_text(api_markdown(), encoding="utf-8")
    partial.replace(args.out)
    print(f"wrote {args.out}")
    if args.html:
        pdoc.pdoc(*PUBLIC, output_directory=args.html)
        print(f"wrote {args.html}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
