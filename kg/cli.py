"""The budget-kg command line: one verb per job.

Errors a user can act on are printed as one line naming the file (and line); tracebacks only with --debug.
Results go to stdout, progress and notes to stderr. Every verb that reads a build takes ``--store DIR``;
``--rdf-format`` names file formats (build, export), ``--format`` an output style (table, csv, json) on
every reporting verb. ``--store``, ``--endpoint`` and ``--base`` default to budget-kg.toml or the
environment (kg.config).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from kg.config import DEFAULT_BASE
from kg.errors import BudgetKGError
from kg.records import Disclosure, Notice

# Exit codes: 0 done; 1 done, but something failed or was not found (an input that could not be read,
# a SHACL violation, a trace with no match, a graph a server refused); 2 the command could not run
# (a usage error, no input to read, an output directory that must not be replaced, an unreachable server).
EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class UsageError(BudgetKGError):
    """Options that do not make sense together, or a value an option does not take."""


def _extract_all(inputs: list[str], quiet: bool = False) -> tuple[list[Disclosure], list[Notice], list[Notice]]:
    from kg.extract import expand_inputs, extract_file, input_failures, require_inputs
    from kg.guard import default_timeout, time_limit

    paths, input_notices = expand_inputs(inputs)
    require_inputs(paths, list(inputs), input_notices)
    failures: list[Notice] = input_failures(input_notices)
    input_notices = [notice for notice in input_notices if notice not in failures]
    disclosures: list[Disclosure] = []
    for path in paths:
        try:
            with time_limit(default_timeout(), path.name):  # the same per-document limit as build
                disclosures.append(extract_file(path))
        except BudgetKGError as exc:
            failures.append(Notice(exc.file, exc.line, exc.code, exc.message, "error"))
        except MemoryError:
            failures.append(Notice(path.name, None, "document-too-large",
                                   "ran out of memory reading it; its records are missing", "error"))
    return disclosures, failures, input_notices


def _print_notice(notice: Notice) -> None:
    print(str(notice), file=sys.stderr)


def _note(verb: str, message: str) -> None:
    """A progress line or a note on stderr (stdout is for the results)."""
    print(f"budget-kg {verb}: {message}", file=sys.stderr, flush=True)


def _deprecated(verb: str, old: str, new: str) -> None:
    _note(verb, f"note: {old} is deprecated and will be removed; use {new}")


def _emit(text: str) -> None:
    print(text, end="" if text.endswith("\n") else "\n")


def _build_dir(args: argparse.Namespace, what: str = "a build output directory") -> str:
    """The build directory of validate, export and publish: --store, or the old positional spelling (with a
    deprecation note), or budget-kg.toml / $BUDGET_KG_STORE."""
    positional = getattr(args, "build", None)
    if positional is not None:
        if args.store_flag is not None:
            raise UsageError(args.command, f"give the build directory once: --store {args.store_flag} (the "
                             f"positional {positional} is the deprecated spelling)", code="usage")
        _deprecated(args.command, f"the positional build directory ({positional})", f"--store {positional}")
        return str(positional)
    if args.store is None:
        raise UsageError(args.command, f"give --store DIR ({what}), or set store in budget-kg.toml or "
                         "$BUDGET_KG_STORE", code="usage")
    return str(args.store)


def _rdf_formats(args: argparse.Namespace, default: str) -> tuple[str, ...]:
    if args.legacy_format is not None:
        if args.rdf_format is not None:
            raise UsageError(args.command, "give --rdf-format only (--format is its deprecated spelling here)",
                             code="usage")
        _deprecated(args.command, f"--format {args.legacy_format}", f"--rdf-format {args.legacy_format}")
    given = args.rdf_format or args.legacy_format or default
    return tuple(f.strip() for f in given.split(",") if f.strip())


def _failed_status(verb: str, failed: int, total: int) -> int:
    """Exit 1 when any input failed, saying how many (0 when none did)."""
    if not failed:
        return 0
    print(f"budget-kg {verb}: {failed} of {total} input(s) failed (see the errors above and report.json)",
          file=sys.stderr)
    return 1


def cmd_extract(args: argparse.Namespace) -> int:
    from kg.output import check_output, staged_output
    from kg.report import write_extraction

    out = Path(args.out)
    check_output(out, args.inputs, kind="extract", force=args.force)  # before the work: a refused --out costs nothing
    disclosures, failures, input_notices = _extract_all(args.inputs)
    with staged_output(out, "extract", args.inputs, force=args.force) as staged:
        write_extraction(disclosures, failures, staged, input_notices, final_dir=out)
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
    return _failed_status("extract", len(failures), len(failures) + len(disclosures))


def cmd_build(args: argparse.Namespace) -> int:
    from kg.build import build, summary_text

    formats = _rdf_formats(args, "ttl")
    unknown = set(formats) - {"ttl", "nt", "jsonld"}
    if unknown:
        raise UsageError("build", f"unknown format(s) {', '.join(sorted(unknown))} (use ttl, nt, jsonld)",
                         code="usage")
    report = build(args.inputs, args.out, base=args.base, jobs=args.jobs, formats=formats,
                   store=not args.no_store, progress=not args.quiet, force=args.force)
    print(summary_text(report), end="")
    print(f"wrote {report.out_dir}/ (graph.{formats[0] if formats else 'nt'}, report.json, summary.txt"
          f"{', store/' if not args.no_store else ''})")
    return _failed_status("build", len(report.failed), len(report.failed) + report.counts["disclosures"])


def cmd_citations(args: argparse.Namespace) -> int:
    from collections import Counter

    from kg.build import extract_document
    from kg.citations import DocumentRegistry
    from kg.citations.report import citation_lines

    registry = DocumentRegistry()
    from kg.extract import expand_inputs
    from kg.report_formats import citation_record, records_text

    paths, input_notices = expand_inputs(args.inputs)
    for notice in input_notices:
        _print_notice(notice)
    status = 0
    statuses: Counter[str] = Counter()
    lines: list[str] = []
    records: list[dict[str, object]] = []
    for path in paths:
        try:
            document = extract_document(path)
        except BudgetKGError as exc:
            print(error_line(exc), file=sys.stderr)
            status = 1
            continue
        department, year = document.disclosure.department, document.disclosure.fiscal_year
        lines.append(f"== {path.name} ({department or '?'}, {year or '?'})")
        for basis in document.bases:
            lines.append(f"  {basis.project}  [{basis.span}]")
            if not basis.citations:
                lines.append("      (no identifiable document)")
                records.append(citation_record(path.name, department, year, basis.project, str(basis.span), None))
            for citation in basis.citations:
                registry.add(citation, basis.project, path.name, basis.span.first_line)
                statuses[citation.status] += 1
                lines += ["      " + line for line in citation_lines(citation)]
                records.append(citation_record(path.name, department, year, basis.project, str(basis.span),
                                               citation))
    registry.settle()  # each document's issuer by all its citations, as the build chooses it
    levels = Counter(d.issuer_level or "unknown" for d in registry.documents.values())
    lines.append(f"\n{len(registry.documents)} distinct documents by issuer level: "
                 + ", ".join(f"{level} {count}" for level, count in levels.most_common()))
    lines.append("links by status: " + ", ".join(f"{name} {statuses[name]}" for name in
                                                 ("both", "number", "title", "conflicting", "unresolved")))
    _emit("\n".join(lines) if args.format == "table" else records_text(records, args.format, bom=args.bom))
    for notice in registry.notices:
        _print_notice(notice)
    return status


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.report_formats import records_text, validation_json, validation_records, validation_turtle
    from kg.validate import DEFAULT_SHAPES_DIR, validate_build, validate_file

    target = Path(_build_dir(args, "a build output directory or a graph file"))
    shapes = args.shapes or DEFAULT_SHAPES_DIR
    against = f"the shapes in {args.shapes}" if args.shapes else "the built-in shapes"
    _note("validate", f"checking {target} against {against} ({args.engine})…")
    if target.is_dir():  # a build output directory: its store with Oxigraph, or its graph file
        report = validate_build(target, shapes, engine=args.engine)
    elif not target.exists():
        raise BudgetKGError(str(target), "no such file", code="missing-file")
    else:
        report = validate_file(target, shapes, engine=args.engine)
    if args.format == "ttl":
        _emit(validation_turtle(report))
    elif args.format == "json":
        _emit(validation_json(report))
    elif args.format == "csv":
        _emit(records_text(validation_records(report), "csv", bom=args.bom,
                           columns=("severity", "source", "focus", "rule", "message", "value")))
    else:
        _emit(report.text())
    if args.format != "table":
        _note("validate", f"{len(report.violations)} violation(s), {len(report.warnings)} warning(s)")
    return report.exit_code


def _store_dir(path: str | None, verb: str = "") -> Path:
    """A build output directory (holding store/) or the store directory itself."""
    if path is None:
        raise UsageError(verb or "budget-kg", "give --store DIR (a build output directory), or set store in "
                         "budget-kg.toml or $BUDGET_KG_STORE", code="usage")
    directory = Path(path)
    store = directory / "store" if (directory / "store").is_dir() else directory
    if not store.is_dir():
        raise BudgetKGError(path, "no store here: give a `budget-kg build --out` directory", code="no-store")
    return store


def cmd_viz(args: argparse.Namespace) -> int:
    from kg.visualize import write_static_figure, write_viz

    store = _store_dir(args.store, "viz")
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix in STATIC_FIGURES:
        view = args.view if args.view != "all" else "policy"
        _note("viz", f"drawing the {view} view as a static {suffix[1:].upper()} figure…")
        if suffix == ".pdf":
            _write_pdf_figure(store, out, view)
        else:
            write_static_figure(store, out, view=view)
        print(f"wrote {out}")
        return 0
    if suffix not in (".html", ".htm"):
        raise UsageError(str(out), f"cannot tell what to write from the suffix {out.suffix or '(none)'!r}: give "
                         f"FILE.html for the interactive graph, or FILE{'/'.join(STATIC_FIGURES)} for a static "
                         "figure", code="usage")
    _note("viz", f"reading the graph and laying out the {args.view} view(s)…")
    counts = write_viz(store, out, view=args.view)
    print(f"wrote {out} (" + ", ".join(f"{view}: {nodes} nodes" for view, nodes in counts.items()) + ")")
    return 0


STATIC_FIGURES = (".svg", ".png", ".pdf")


def _write_pdf_figure(store: Path, out: Path, view: str) -> None:
    """The static figure as a one-page PDF: the PNG rendering, wrapped by Pillow; written beside ``out`` and
    renamed in, so an interrupted run leaves a previous file intact."""
    import tempfile

    from PIL import Image

    from kg.visualize import write_static_figure

    with tempfile.TemporaryDirectory(prefix=".budget-kg-viz-", dir=out.parent if str(out.parent) else ".") as tmp:
        png = write_static_figure(store, Path(tmp) / "figure.png", view=view)
        partial = Path(tmp) / "figure.pdf"
        with Image.open(png) as image:
            image.convert("RGB").save(partial, format="PDF", resolution=150.0)
        partial.replace(out)


def cmd_analyses(args: argparse.Namespace) -> int:
    from kg.report_formats import analyses_records, records_text, to_json
    from kg.visualize import analyses, format_analyses

    result = analyses(_store_dir(args.store, "analyses"))
    if args.format == "json":
        _emit(to_json(result))
    elif args.format == "csv":
        _emit(records_text(analyses_records(result), "csv", bom=args.bom))
    else:
        _emit(format_analyses(result))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kg.publish import export

    formats = _rdf_formats(args, "ttl,nt,jsonld,nq,trig")
    written = export(_build_dir(args), args.out, formats, sparql_endpoint=args.endpoint, force=args.force,
                     gzip=args.gzip)
    for fmt, path in written.items():
        print(f"{fmt:>8}  {path}")
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from kg.publish import export_static_site

    _note("site", f"writing the entity pages of {args.store} to {args.out}…")
    report = export_static_site(_store_dir(args.store, "site"), args.out, base=args.base, force=args.force)
    shortened = f"; {len(report.shortened)} file name(s) shortened" if report.shortened else ""
    print(f"wrote {args.out}: {report.pages} pages in {report.files} files{shortened}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.publish import make_server
    from kg.publish.server import ServerLimits

    limits = ServerLimits(threads=args.threads, connection_limit=args.connection_limit,
                          read_timeout=args.read_timeout, backlog=args.backlog)
    server = make_server(_store_dir(args.store, "serve"), args.host, args.port, base=args.base, timeout=args.timeout,
                         max_rows=args.max_rows, max_bytes=args.max_bytes, memory_mb=args.memory_mb,
                         workers=args.workers, max_pending=args.max_pending, allow_service=args.allow_service,
                         public_url=args.public_url, limits=limits)
    print(f"serving {args.store} read-only at http://{args.host}:{server.server_address[1]}/ "
          f"(SPARQL at /sparql); Ctrl-C to stop")
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


def _query_target(args: argparse.Namespace) -> dict[str, object]:
    if args.store and args.endpoint:
        raise UsageError(args.command, "give --store DIR or --endpoint URL, not both", code="usage")
    if args.endpoint:
        from kg.query.remote import EndpointEngine

        return {"store": EndpointEngine(args.endpoint, dataset=args.dataset)}
    if not args.store:
        raise UsageError(args.command, "give --store DIR (a build output directory) or --endpoint URL, or set "
                         "store or endpoint in budget-kg.toml or the environment", code="usage")
    return {"store": _store_dir(args.store, args.command)}


def cmd_query(args: argparse.Namespace) -> int:
    from kg.query import format_result, load_library, parse_param_args, run_query, write_frame
    from kg.report_formats import records_text

    if args.list or not args.name:
        library = sorted(load_library().items())
        if args.format != "table":
            _emit(records_text([{"name": name, "title": query.title, "answers": query.answers,
                                 "parameters": [p.name for p in query.parameters],
                                 "required": [p.name for p in query.parameters if p.required],
                                 "columns": list(query.columns)} for name, query in library],
                               args.format, bom=args.bom))
            return 0
        for name, query in library:
            params = " ".join(f"--param {p.name}=…" for p in query.parameters)
            print(f"{name:<24} {query.title or query.answers} {params}".rstrip())
        return 0
    params = parse_param_args(args.param)
    if args.out:
        out = Path(args.out)
        if (out.exists() or out.is_symlink()) and not args.force:
            raise UsageError(str(out), "exists; budget-kg does not overwrite a file it may not have written: give "
                             "another --out, or --force to replace it", code="output-not-ours")
        # a file keeps dtypes (Parquet): money as Float64 in 元; text output prints the graph's exact amounts
        frame = run_query(args.name, params, **_query_target(args))
        write_frame(frame, out, bom=args.bom)
        _note("query", f"wrote {len(frame)} row(s) to {out}")
        return 0
    frame = run_query(args.name, params, **_query_target(args), money="decimal")
    print(format_result(frame, args.format, bom=args.bom), end="" if args.format != "table" else "\n")
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from kg.query.trace import links_frame, trace_links, trace_result

    if args.format != "table":
        from dataclasses import asdict

        from kg.report_formats import records_text

        links = trace_links(args.text, **_query_target(args))
        if args.format == "json":
            _emit(records_text([asdict(link) for link in links], "json"))
        else:
            _emit(records_text(links_frame(links).astype(object).where(lambda f: f.notna(), None)
                               .to_dict(orient="records") if links else [], "csv", bom=args.bom,
                               columns=list(links_frame([]).columns)))
        if not links:
            _note("trace", f"nothing found for {args.text!r}: no project name, 文号 or document title contains it")
        return 0 if links else 1
    found, text = trace_result(args.text, **_query_target(args))
    print(text, end="", file=sys.stdout if found else sys.stderr)
    return 0 if found else 1  # like grep: nothing found is exit 1


PASSWORD_ENV = "BUDGET_KG_PASSWORD"


def _publish_password(args: argparse.Namespace) -> str | None:
    """The password from the environment or a prompt; --password still works, with a warning."""
    import os

    if args.password is not None:
        print(f"budget-kg publish: warning: --password is deprecated: the command line is visible to every user "
              f"of this machine (ps); set {PASSWORD_ENV} or let budget-kg ask", file=sys.stderr)
        return str(args.password)
    if args.user is None:
        return None
    if PASSWORD_ENV in os.environ:
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"password for {args.user} at {args.graph_store or args.endpoint}: ")
    raise UsageError("publish", f"--user {args.user} needs a password: set {PASSWORD_ENV} (or run in a "
                     "terminal to be asked)", code="usage")


def cmd_publish(args: argparse.Namespace) -> int:
    from kg.query import publish

    if args.store is None and args.build is None:
        args.store = "out"  # publish's default since its first version
    build = Path(_build_dir(args))
    if not build.exists():
        raise UsageError(str(build), "no such build directory or graph file", code="usage")
    if args.bulk:  # files for a server's own bulk loader (kg.publish.bulk), no HTTP: no endpoint is contacted
        from kg.publish.bulk import write_bulk

        files = write_bulk(build, args.bulk, dataset=args.dataset)
        print(f"wrote {files.nquads} ({files.quads} quads, {len(files.graphs)} graphs) and "
              + ", ".join(str(path.name) for path in files.scripts.values()))
        print(f"  virtuoso: isql-vt 1111 dba PASSWORD {files.scripts['virtuoso']}  (the folder in DirsAllowed)")
        print(f"  oxigraph: sh {files.scripts['oxigraph']} STORE  then  oxigraph serve --location STORE")
        print(f"  qlever:   cd {files.directory} && qlever index && qlever start")
        return 0
    if not args.endpoint:
        raise UsageError("publish", "give --endpoint URL (the server's SPARQL query endpoint), or set endpoint "
                         "in budget-kg.toml or $BUDGET_KG_ENDPOINT; or --bulk DIR (files for its loader)",
                         code="usage")
    password = _publish_password(args)
    _note("publish", f"sending the graphs of {build} to {args.graph_store or args.endpoint}…")
    report = publish(build, args.endpoint, graph_store=args.graph_store, user=args.user,
                     password=password, dataset=args.dataset)
    print(str(report))
    return 1 if report.failures else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from kg.bench.run import main as bench_main

    return bench_main(args.bench_args)


def _store_option(parser: argparse.ArgumentParser, what: str = "a build output directory") -> None:
    parser.add_argument("--store", dest="store_flag", metavar="DIR",
                        help=f"{what} (default: store in budget-kg.toml or $BUDGET_KG_STORE)")


def _format_option(parser: argparse.ArgumentParser, choices: tuple[str, ...] = ("table", "csv", "json"),
                   extra: str = "") -> None:
    parser.add_argument("--format", default="table", choices=choices,
                        help="output style: table (readable text, the default), csv or json" + extra)
    parser.add_argument("--bom", action="store_true",
                        help="with --format csv: start with a UTF-8 byte order mark (for Excel on Chinese Windows)")


def _endpoint_options(parser: argparse.ArgumentParser) -> None:
    _store_option(parser)
    parser.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 endpoint URL instead of --store (default: "
                        "endpoint in budget-kg.toml or $BUDGET_KG_ENDPOINT)")
    parser.add_argument("--dataset", help="with --endpoint: which published dataset, when the server holds several")


def _rdf_format_options(parser: argparse.ArgumentParser, default: str, extra: str = "") -> None:
    choices = "ttl, nt, jsonld, nq, trig" if "nq" in default else "ttl, nt, jsonld"
    parser.add_argument("--rdf-format", metavar="LIST",
                        help=f"comma-separated file formats: {choices} (default: {default}){extra}")
    parser.add_argument("--format", dest="legacy_format", metavar="LIST",
                        help="deprecated spelling of --rdf-format (still works, with a note)")


def build_parser() -> argparse.ArgumentParser:
    from kg.output import tool_version

    parser = argparse.ArgumentParser(prog="budget-kg", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"budget-kg {tool_version()}",
                        help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, metavar="VERB")

    extract = commands.add_parser("extract", help="read disclosures into CSV tables and a report.json")
    extract.add_argument("inputs", nargs="+", help="disclosure files (.txt, .pdf) or directories")
    extract.add_argument("--out", required=True, help="output directory")
    extract.add_argument("--force", action="store_true",
                         help="replace --out even when it is not a previous budget-kg output (never an input)")
    extract.add_argument("-v", "--verbose", action="store_true", help="print every warning")
    extract.set_defaults(run=cmd_extract)

    build = commands.add_parser("build", help="build the knowledge graph (graph.ttl, store/, report.json)")
    build.add_argument("inputs", nargs="+", help="disclosure files (.txt, .pdf) or directories")
    build.add_argument("--out", required=True, help="output directory: created, or replaced atomically when it "
                       "is a previous budget-kg output")
    build.add_argument("--force", action="store_true",
                       help="replace --out even when it is not a previous budget-kg output (never an input)")
    _rdf_format_options(build, "ttl")
    build.add_argument("--base", help=f"base IRI of minted nodes (default: base in budget-kg.toml or "
                       f"$BUDGET_KG_BASE, else {DEFAULT_BASE})")
    build.add_argument("--jobs", type=int, default=None, help="worker processes (default: 1 for inputs under 2 MB, "
                       "else the CPU count, at most 4)")
    build.add_argument("--no-store", action="store_true", help="do not write the embedded store")
    build.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    build.set_defaults(run=cmd_build)

    validate = commands.add_parser("validate", help="check a graph against the SHACL shapes (exit 1 on violations)")
    validate.add_argument("build", nargs="?", metavar="GRAPH",
                          help="deprecated: give --store (a graph file or a build output directory)")
    _store_option(validate, "a build output directory or a graph file (.ttl, .nt, .jsonld)")
    validate.add_argument("--shapes", default=None, help="shapes directory (default: the project's shapes/)")
    validate.add_argument("--engine", choices=("oxigraph", "pyshacl"), default="oxigraph",
                          help="oxigraph: the shapes compiled to SPARQL over the embedded store (fast; the default); "
                               "pyshacl: the reference SHACL engine (slow on large graphs)")
    _format_option(validate, ("table", "csv", "json", "ttl"),
                   "; ttl: a SHACL sh:ValidationReport in Turtle")
    validate.set_defaults(run=cmd_validate)

    query = commands.add_parser("query", help="run a library query (queries/*.rq) on the store or a SPARQL endpoint")
    query.add_argument("name", nargs="?", help="query name, e.g. project-basis; omit (or --list) to list them")
    query.add_argument("--list", action="store_true", help="list the query library")
    _endpoint_options(query)
    query.add_argument("--param", action="append", metavar="K=V", help="a parameter, e.g. project=遗属补贴 "
                       "(repeat for several)")
    _format_option(query)
    query.add_argument("--out", metavar="FILE", help="write the rows to FILE instead: .parquet (typed; needs "
                       "pip install 'budget-kg[parquet]'), .csv, .json or .txt")
    query.add_argument("--force", action="store_true", help="with --out: replace an existing file")
    query.set_defaults(run=cmd_query)

    trace = commands.add_parser("trace", help="project ↔ documents ↔ money for a project name, a 文号 or a title")
    trace.add_argument("text", help="a project name, a 发文字号 (any bracket style) or a document title")
    _endpoint_options(trace)
    _format_option(trace)
    trace.set_defaults(run=cmd_trace)

    publish = commands.add_parser("publish", help="load a build into a SPARQL server (Graph Store Protocol)")
    publish.add_argument("build", nargs="?", metavar="BUILD", help="deprecated: give --store")
    publish.add_argument("--store", dest="store_flag", metavar="DIR", help="a build output directory (default: "
                         "store in budget-kg.toml or $BUDGET_KG_STORE, else out)")
    publish.add_argument("--endpoint", help="the server's SPARQL query endpoint URL (default: endpoint in "
                         "budget-kg.toml or $BUDGET_KG_ENDPOINT)")
    publish.add_argument("--bulk", metavar="DIR", help="instead: write N-Quads and loader scripts for Virtuoso, "
                         "Oxigraph and QLever into DIR (for builds too large for --endpoint)")
    publish.add_argument("--graph-store", help="its Graph Store Protocol URL, when not derivable from --endpoint")
    publish.add_argument("--user", help="HTTP user (Basic or Digest, as the server asks); the password is read from "
                         f"${PASSWORD_ENV}, else asked for")
    publish.add_argument("--password", help=argparse.SUPPRESS)  # deprecated: visible in ps
    publish.add_argument("--dataset", help="publish as this named dataset (default: the build's base IRI's); a "
                         "re-publish of the same dataset removes the graphs no longer in the build")
    publish.set_defaults(run=cmd_publish)

    bench = commands.add_parser("bench", help="benchmark on a synthetic corpus (budget-kg bench --quick; "
                                "budget-kg bench --help for its options)", add_help=False)
    bench.add_argument("bench_args", nargs=argparse.REMAINDER,
                       help="the options of python -m kg.bench.run (--quick, --docs N, --jobs, --no-compare …)")
    bench.set_defaults(run=cmd_bench)

    viz = commands.add_parser("viz", help="interactive offline HTML graph (or a static .svg/.png/.pdf figure)")
    _store_option(viz)
    viz.add_argument("--out", required=True, help="FILE.html, or FILE.svg / FILE.png / FILE.pdf for a static figure")
    viz.add_argument("--view", default="all", choices=["all", "policy", "township", "codes"],
                     help="which view: policy (documents → projects), township, codes, or all in one page "
                     "(a static figure draws policy for all)")
    viz.set_defaults(run=cmd_viz)

    analyses = commands.add_parser("analyses", help="documents driving the most money, shared documents, components")
    _store_option(analyses)
    _format_option(analyses)
    analyses.set_defaults(run=cmd_analyses)

    export = commands.add_parser("export", help="linked-data dumps (Turtle, N-Triples, JSON-LD, N-Quads, TriG) with "
                                 "a DCAT/VoID description")
    export.add_argument("build", nargs="?", metavar="BUILD", help="deprecated: give --store")
    _store_option(export)
    export.add_argument("--out", required=True, help="output directory")
    export.add_argument("--force", action="store_true",
                        help="replace --out even when it is not a previous budget-kg output (never an input)")
    _rdf_format_options(export, "ttl,nt,jsonld,nq,trig", "; nq and trig keep each disclosure's named graph")
    export.add_argument("--gzip", action="store_true", help="compress every dump (graph.nt.gz, dataset.nq.gz …)")
    export.add_argument("--endpoint", help="the public SPARQL endpoint to name in the VoID description (default: "
                        "endpoint in budget-kg.toml or $BUDGET_KG_ENDPOINT; none is named without one)")
    export.set_defaults(run=cmd_export)

    serve = commands.add_parser("serve", help="read-only linked-data server with a SPARQL endpoint at /sparql")
    _store_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine "
                       "only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--base", help=f"base IRI of the entities served (default: base in budget-kg.toml or "
                       f"$BUDGET_KG_BASE, else {DEFAULT_BASE})")
    serve.add_argument("--timeout", type=float, default=10.0, help="seconds a SPARQL query may run")
    serve.add_argument("--max-rows", type=int, default=10000, help="rows a SPARQL result may hold")
    serve.add_argument("--max-bytes", type=int, default=16 * 1024 * 1024, help="bytes a SPARQL result may hold")
    serve.add_argument("--memory-mb", type=int, default=1024, help="memory limit of each SPARQL worker process")
    serve.add_argument("--workers", type=int, default=2, help="SPARQL worker processes (queries run at once)")
    serve.add_argument("--max-pending", type=int, default=32,
                       help="SPARQL queries that may wait for a worker; beyond, 503 at once")
    serve.add_argument("--allow-service", action="store_true",
                       help="allow federated queries (SERVICE): they make the server fetch other URLs")
    serve.add_argument("--public-url", help="where clients reach this server (the endpoint /void.ttl names); "
                       "default: the address it listens on")
    serve.add_argument("--threads", type=int, default=8, help="threads answering requests")
    serve.add_argument("--connection-limit", type=int, default=1000, help="open connections at most")
    serve.add_argument("--read-timeout", type=float, default=30.0,
                       help="seconds an idle or half-sent connection is kept")
    serve.add_argument("--backlog", type=int, default=1024, help="connections waiting to be accepted")
    serve.set_defaults(run=cmd_serve)

    site = commands.add_parser("site", help="static-site export of the entity pages (for hosting without a server)")
    _store_option(site)
    site.add_argument("--out", required=True, help="output directory")
    site.add_argument("--force", action="store_true",
                      help="replace --out even when it is not a previous budget-kg output (never an input)")
    site.add_argument("--base", help=f"base IRI of the entities (default: base in budget-kg.toml or "
                      f"$BUDGET_KG_BASE, else {DEFAULT_BASE})")
    site.set_defaults(run=cmd_site)

    citations = commands.add_parser("citations", help="print the policy documents each project's 立项依据 cites")
    citations.add_argument("inputs", nargs="+", help="disclosure files or directories")
    _format_option(citations)
    citations.set_defaults(run=cmd_citations)
    return parser


def apply_config(args: argparse.Namespace) -> argparse.Namespace:
    """Fill --store, --endpoint and --base from budget-kg.toml or the environment where the command line left
    them out (kg.config); a --store or --endpoint flag overrides both settings (they are one choice)."""
    from kg.config import load_config

    config = load_config()
    if hasattr(args, "store_flag"):
        args.store = args.store_flag
    has_endpoint = hasattr(args, "endpoint")
    if has_endpoint and args.command in ("query", "trace"):
        if args.store is None and args.endpoint is None and getattr(args, "build", None) is None:
            if config.store is not None:
                args.store = config.store
            else:
                args.endpoint = config.endpoint
    else:
        if hasattr(args, "store") and args.store is None and getattr(args, "build", None) is None:
            args.store = config.store
        if has_endpoint and args.endpoint is None:
            args.endpoint = config.endpoint
    if hasattr(args, "base") and args.base is None:
        args.base = config.base or DEFAULT_BASE
    return args


def error_line(exc: BudgetKGError) -> str:
    """The one line an error that stops a command prints: where, what, and its code (docs/notices.md), as the
    build report's FAILED lines end."""
    return f"budget-kg: {exc}" + (f" [{exc.code}]" if exc.code != "error" else "")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # `bench` hands its options to kg.bench.run; argparse's REMAINDER does not take a leading "--docs"
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "run", None) is not cmd_bench:
        parser.parse_args(argv)  # reports the unknown arguments as usual (exit 2)
    if extra:
        args.bench_args = [*extra, *args.bench_args]
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(message)s")
    from kg import interrupts

    previous_handlers = interrupts.install()  # SIGTERM unwinds like Ctrl-C
    try:
        apply_config(args)
        return int(args.run(args) or 0)
    except BudgetKGError as exc:
        if args.debug:
            raise
        print(error_line(exc), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # output piped into `head` and closed: not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # an unwritable --out, a full disk: one line naming the path, not a traceback
        if args.debug:
            raise
        import errno

        reason = "no space left on the device" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        where = exc.filename if exc.filename is not None else "budget-kg"
        print(f"budget-kg: {where}: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("budget-kg: interrupted; outputs already written are complete, nothing is half-written",
              file=sys.stderr)
        return 130
    finally:
        interrupts.restore(previous_handlers)


if __name__ == "__main__":
    sys.exit(main())
