"""The budget-kg command line: one verb per job.

Errors a user can act on are printed as one line naming the file (and line); tracebacks only with --debug.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

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

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
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

    paths, input_notices = expand_inputs(args.inputs)
    for notice in input_notices:
        _print_notice(notice)
    status = 0
    statuses: Counter[str] = Counter()
    for path in paths:
        try:
            document = extract_document(path)
        except BudgetKGError as exc:
            print(f"budget-kg: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"== {path.name} ({document.disclosure.department or '?'}, {document.disclosure.fiscal_year or '?'})")
        for basis in document.bases:
            print(f"  {basis.project}  [{basis.span}]")
            if not basis.citations:
                print("      (no identifiable document)")
            for citation in basis.citations:
                registry.add(citation, basis.project, path.name, basis.span.first_line)
                statuses[citation.status] += 1
                for line in citation_lines(citation):
                    print("      " + line)
    levels = Counter(d.issuer_level or "unknown" for d in registry.documents.values())
    print(f"\n{len(registry.documents)} distinct documents by issuer level: "
          + ", ".join(f"{level} {count}" for level, count in levels.most_common()))
    print("links by status: " + ", ".join(f"{name} {statuses[name]}" for name in
                                          ("both", "number", "title", "conflicting", "unresolved")))
    for notice in registry.notices:
        _print_notice(notice)
    return status


def cmd_validate(args: argparse.Namespace) -> int:
    from kg.validate import DEFAULT_SHAPES_DIR, validate_build, validate_file

    target = Path(args.graph)
    shapes = args.shapes or DEFAULT_SHAPES_DIR
    if target.is_dir():  # a build output directory: its store with Oxigraph, or its graph file
        report = validate_build(target, shapes, engine=args.engine)
    elif not target.exists():
        raise BudgetKGError(str(target), "no such file", code="missing-file")
    else:
        report = validate_file(target, shapes, engine=args.engine)
    print(report.text())
    return report.exit_code


def _store_dir(path: str) -> Path:
    """A build output directory (holding store/) or the store directory itself."""
    directory = Path(path)
    store = directory / "store" if (directory / "store").is_dir() else directory
    if not store.is_dir():
        raise BudgetKGError(path, "no store here: give a `budget-kg build --out` directory", code="no-store")
    return store


def cmd_viz(args: argparse.Namespace) -> int:
    from kg.visualize import write_static_figure, write_viz

    store = _store_dir(args.store)
    out = Path(args.out)
    if out.suffix.lower() in (".svg", ".png"):
        write_static_figure(store, out, view=args.view if args.view != "all" else "policy")
        print(f"wrote {out}")
        return 0
    counts = write_viz(store, out, view=args.view)
    print(f"wrote {out} (" + ", ".join(f"{view}: {nodes} nodes" for view, nodes in counts.items()) + ")")
    return 0


def cmd_analyses(args: argparse.Namespace) -> int:
    from kg.visualize import analyses, format_analyses

    print(format_analyses(analyses(_store_dir(args.store))))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from kg.publish import export

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    written = export(args.build, args.out, formats, sparql_endpoint=args.endpoint, force=args.force)
    for fmt, path in written.items():
        print(f"{fmt:>8}  {path}")
    return 0


def cmd_site(args: argparse.Namespace) -> int:
    from kg.publish import export_static_site

    report = export_static_site(_store_dir(args.store), args.out, base=args.base, force=args.force)
    print(f"wrote {args.out}: {report}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from kg.publish import make_server
    from kg.publish.server import ServerLimits

    limits = ServerLimits(threads=args.threads, connection_limit=args.connection_limit,
                          read_timeout=args.read_timeout, backlog=args.backlog)
    server = make_server(_store_dir(args.store), args.host, args.port, base=args.base, timeout=args.timeout,
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
    if args.endpoint:
        from kg.query.remote import EndpointEngine

        return {"store": EndpointEngine(args.endpoint, dataset=args.dataset)}
    if not args.store:
        raise UsageError(args.command, "give --store DIR (a build output directory) or --endpoint URL", code="usage")
    return {"store": _store_dir(args.store)}


def cmd_query(args: argparse.Namespace) -> int:
    from kg.query import format_result, load_library, parse_param_args, run_query

    if args.list or not args.name:
        for name, query in sorted(load_library().items()):
            params = " ".join(f"--param {p.name}=…" for p in query.parameters)
            print(f"{name:<24} {query.title or query.answers} {params}".rstrip())
        return 0
    frame = run_query(args.name, parse_param_args(args.param), **_query_target(args), money="decimal")
    print(format_result(frame, args.format), end="" if args.format != "table" else "\n")
    return 0


def cmd_trace(args: argparse.Namespace) -> int:
    from kg.query.trace import trace_result

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

    build = Path(args.build)
    if not build.exists():
        raise UsageError(args.build, "no such build directory or graph file", code="usage")
    report = publish(build, args.endpoint, graph_store=args.graph_store, user=args.user,
                     password=_publish_password(args), dataset=args.dataset)
    print(report)
    return 1 if report.failures else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from kg.bench.run import main as bench_main

    return bench_main(args.bench_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="budget-kg", description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True)

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
    build.add_argument("--format", default="ttl", help="comma-separated: ttl, nt, jsonld (default: ttl)")
    build.add_argument("--base", default="https://w3id.org/budget-kg/id/", help="base IRI of minted nodes")
    build.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPU count, at most 4)")
    build.add_argument("--no-store", action="store_true", help="do not write the embedded store")
    build.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    build.set_defaults(run=cmd_build)

    validate = commands.add_parser("validate", help="check a graph against the SHACL shapes (exit 1 on violations)")
    validate.add_argument("graph", help="a graph file (.ttl, .nt, .jsonld) or a build output directory")
    validate.add_argument("--shapes", default=None, help="shapes directory (default: the project's shapes/)")
    validate.add_argument("--engine", choices=("oxigraph", "pyshacl"), default="oxigraph",
                          help="oxigraph: the shapes compiled to SPARQL over the embedded store (fast; the default); "
                               "pyshacl: the reference SHACL engine (slow on large graphs)")
    validate.set_defaults(run=cmd_validate)

    query = commands.add_parser("query", help="run a library query (queries/*.rq) on the store or a SPARQL endpoint")
    query.add_argument("name", nargs="?", help="query name, e.g. project-basis; omit (or --list) to list them")
    query.add_argument("--list", action="store_true", help="list the query library")
    query.add_argument("--store", help="a build output directory")
    query.add_argument("--endpoint", help="a SPARQL 1.1 endpoint URL (instead of --store)")
    query.add_argument("--dataset", help="with --endpoint: which published dataset, when the server holds several")
    query.add_argument("--param", action="append", metavar="K=V", help="a parameter, e.g. project=遗属补贴")
    query.add_argument("--format", default="table", choices=["table", "csv", "json"])
    query.set_defaults(run=cmd_query)

    trace = commands.add_parser("trace", help="project ↔ documents ↔ money for a project name, a 文号 or a title")
    trace.add_argument("text", help="a project name, a 发文字号 (any bracket style) or a document title")
    trace.add_argument("--store", help="a build output directory")
    trace.add_argument("--endpoint", help="a SPARQL 1.1 endpoint URL (instead of --store)")
    trace.add_argument("--dataset", help="with --endpoint: which published dataset, when the server holds several")
    trace.set_defaults(run=cmd_trace)

    publish = commands.add_parser("publish", help="load a build into a SPARQL server (Graph Store Protocol)")
    publish.add_argument("build", nargs="?", default="out", help="a build output directory (default: out)")
    publish.add_argument("--endpoint", required=True, help="the server's SPARQL query endpoint URL")
    publish.add_argument("--graph-store", help="its Graph Store Protocol URL, when not derivable from --endpoint")
    publish.add_argument("--user", help="HTTP user (Basic or Digest, as the server asks); the password is read from "
                         f"${PASSWORD_ENV}, else asked for")
    publish.add_argument("--password", help=argparse.SUPPRESS)  # deprecated: visible in ps
    publish.add_argument("--dataset", help="publish as this named dataset (default: the build's base IRI's); a "
                         "re-publish of the same dataset removes the graphs no longer in the build")
    publish.set_defaults(run=cmd_publish)

    bench = commands.add_parser("bench", help="benchmark on a synthetic corpus (budget-kg bench --docs 10)",
                                add_help=False)
    bench.add_argument("bench_args", nargs=argparse.REMAINDER)
    bench.set_defaults(run=cmd_bench)

    viz = commands.add_parser("viz", help="interactive offline HTML graph (or a static .svg/.png figure)")
    viz.add_argument("--store", required=True, help="a build output directory")
    viz.add_argument("--out", required=True, help="FILE.html, or FILE.svg / FILE.png for a static figure")
    viz.add_argument("--view", default="all", choices=["all", "policy", "township", "codes"])
    viz.set_defaults(run=cmd_viz)

    analyses = commands.add_parser("analyses", help="documents driving the most money, shared documents, components")
    analyses.add_argument("--store", required=True, help="a build output directory")
    analyses.set_defaults(run=cmd_analyses)

    export = commands.add_parser("export", help="linked-data dumps (Turtle, N-Triples, JSON-LD) with DCAT/VoID")
    export.add_argument("build", help="a build output directory")
    export.add_argument("--out", required=True, help="output directory")
    export.add_argument("--force", action="store_true",
                        help="replace --out even when it is not a previous budget-kg output (never an input)")
    export.add_argument("--format", default="ttl,nt,jsonld", help="comma-separated: ttl, nt, jsonld")
    export.add_argument("--endpoint", default="https://w3id.org/budget-kg/sparql",
                        help="the public SPARQL endpoint named in the VoID description")
    export.set_defaults(run=cmd_export)

    serve = commands.add_parser("serve", help="read-only linked-data server with a SPARQL endpoint at /sparql")
    serve.add_argument("--store", required=True, help="a build output directory")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--base", default="https://w3id.org/budget-kg/id/", help="base IRI of the entities served")
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
    site.add_argument("--store", required=True, help="a build output directory")
    site.add_argument("--out", required=True, help="output directory")
    site.add_argument("--force", action="store_true",
                        help="replace --out even when it is not a previous budget-kg output (never an input)")
    site.add_argument("--base", default="https://w3id.org/budget-kg/id/")
    site.set_defaults(run=cmd_site)

    citations = commands.add_parser("citations", help="print the policy documents each project's 立项依据 cites")
    citations.add_argument("inputs", nargs="+", help="disclosure files or directories")
    citations.set_defaults(run=cmd_citations)
    return parser


def _terminate_like_interrupt() -> object:
    """SIGTERM unwinds like Ctrl-C: staging directories are removed and pool workers stopped.
    Returns the previous handler (None when not on the main thread, where handlers cannot be set)."""
    import signal
    import threading

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    # `bench` hands its options to kg.bench.run; argparse's REMAINDER does not take a leading "--docs"
    args, extra = parser.parse_known_args(argv)
    if extra and getattr(args, "run", None) is not cmd_bench:
        parser.parse_args(argv)  # reports the unknown arguments as usual (exit 2)
    if extra:
        args.bench_args = [*extra, *args.bench_args]
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING, format="%(message)s")
    previous_handler = _terminate_like_interrupt()
    try:
        return int(args.run(args) or 0)
    except BudgetKGError as exc:
        if args.debug:
            raise
        print(f"budget-kg: {exc}", file=sys.stderr)
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
        if previous_handler is not None:
            import signal

            signal.signal(signal.SIGTERM, previous_handler)  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
