"""Starting fast: the command line imports no heavy reader until a verb needs it, and small builds run in one
process (a pool costs more than it saves there)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import POOL_THRESHOLD_BYTES, auto_jobs

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
HEAVY = ("pandas", "numpy", "rdflib", "pdfplumber", "pypdfium2", "pyoxigraph", "pyshacl", "SPARQLWrapper")


def _imported_after(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_cli_imports_no_reader_or_store():
    assert _imported_after("import kg.cli") == []


def test_help_imports_no_reader_or_store():
    code = "import contextlib, io\nfrom kg.cli import main\nwith contextlib.suppress(SystemExit), " \
           "contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])"
    assert _imported_after(code) == []


def test_the_build_path_imports_no_rdflib():
    # the builder writes N-Triples text: rdflib (≈ 0.1-0.3 s to import) is for the verbs that build rdflib graphs
    imported = _imported_after("import kg.build, kg.rdf, kg.rdf.build, kg.rdf.namespaces")
    assert "rdflib" not in imported and "pandas" in imported  # the tables still need pandas


def test_plain_namespace_iris_are_the_rdflib_ones():
    from kg.rdf import namespaces

    assert {prefix: str(namespace) for prefix, namespace in namespaces.PREFIXES.items()} == namespaces.NAMESPACE_IRIS
    assert str(namespaces.BKG.GeneralPublicBudget) == namespaces.FUND_SOURCE_IRIS["general_budget"]
    assert {key: str(level) for key, level in namespaces.ADMINISTRATIVE_LEVELS.items()} == \
        namespaces.ADMINISTRATIVE_LEVEL_IRIS
    assert str(namespaces.CURRENCY_CNY) == namespaces.CURRENCY_CNY_IRI
    assert str(namespaces.year_iri(2025)) == "http://reference.data.gov.uk/id/year/2025"
    with pytest.raises(AttributeError):
        namespaces.NOT_A_NAMESPACE  # noqa: B018 - the lazy attributes are a closed list


def test_one_process_build_gives_the_pool_build_bytes(built: Path, tmp_path: Path):
    """The one-process build keeps the records in memory (the pool pickles them): the same files and report."""
    from kg.build import build

    report = build([SAMPLES], tmp_path / "one", formats=("ttl", "nt"), jobs=1, progress=False, store=False)
    assert report.counts["disclosures"] == 5 and report.counts["projects"] == 129
    one = tmp_path / "one"
    files = sorted(path.relative_to(one) for path in one.rglob("*.nt"))
    assert len(files) == 9  # graph.nt, 5 disclosures, shared, classification links, summaries
    for name in [*files, Path("graph.ttl")]:
        assert (one / name).read_bytes() == (built / name).read_bytes(), name

    def untimed(directory: Path) -> dict:
        payload = json.loads((directory / "report.json").read_text(encoding="utf-8"))
        return {key: value for key, value in payload.items() if key not in ("seconds", "stage_seconds")}

    assert untimed(one) == untimed(built)


def test_small_inputs_build_in_one_process():
    samples = sorted(SAMPLES.glob("*.txt"))
    assert sum(p.stat().st_size for p in samples) < POOL_THRESHOLD_BYTES  # the five seeds: about 1.2 MB
    assert auto_jobs(samples) == 1
    assert auto_jobs([]) == 1


def test_large_inputs_use_the_cores(tmp_path: Path):
    import os

    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(POOL_THRESHOLD_BYTES)  # sparse: a size, not data
    assert auto_jobs([big]) == min(os.cpu_count() or 1, 4)


def test_objects_alive_before_the_build_are_frozen_during_it_and_released_after():
    """The collector's full passes skip the long-lived objects (imports, the readers' data) within a build."""
    import gc

    from kg.workers import long_lived_frozen

    def tracked(marker: object) -> bool:
        return any(o is marker for o in gc.get_objects())

    marker = [object()]  # a container: tracked by the collector
    assert gc.get_freeze_count() == 0 and tracked(marker)
    with long_lived_frozen():
        assert gc.get_freeze_count() > 0 and not tracked(marker)
        later = [object()]
        assert tracked(later)  # what the build makes is collected as usual
    assert gc.get_freeze_count() == 0 and tracked(marker)


def test_a_freeze_made_before_the_build_is_kept():
    import gc

    from kg.workers import long_lived_frozen

    marker = [object()]
    gc.freeze()
    try:
        with long_lived_frozen():
            pass
        # still frozen (the count itself may fall meanwhile: another thread can free a frozen object)
        assert gc.get_freeze_count() > 0 and not any(o is marker for o in gc.get_objects())
    finally:
        gc.unfreeze()


def test_the_build_runs_with_the_readers_data_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import gc

    from kg import build as build_module
    from kg.places.gazetteer import default_gazetteer

    seen: list[tuple[int, bool]] = []
    original = build_module._build_into

    def probe(*args, **kwargs):  # type: ignore[no-untyped-def]
        gazetteer = default_gazetteer()
        seen.append((gc.get_freeze_count(), any(o is gazetteer for o in gc.get_objects())))
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "_build_into", probe)
    report = build_module.build([SAMPLES / "zezhou-natural-resources-bureau-2025.txt"], tmp_path / "out", jobs=1,
                                formats=(), store=False, progress=False)
    assert report.counts["disclosures"] == 1
    assert seen and seen[0][0] > 0 and seen[0][1] is False  # the division list was read, then frozen
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize(("jobs", "paused"), [(1, True), (2, False)])
def test_a_small_one_process_build_runs_without_cyclic_collections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   jobs: int, paused: bool):
    import gc

    from kg import build as build_module

    enabled: list[bool] = []
    original = build_module._build_into

    def probe(*args, **kwargs):  # type: ignore[no-untyped-def]
        enabled.append(gc.isenabled())
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "_build_into", probe)
    samples = [SAMPLES / name for name in ("zezhou-natural-resources-bureau-2025.txt",
                                           "zezhou-natural-resources-bureau-2026.txt")]
    report = build_module.build(samples, tmp_path / "out", jobs=jobs, formats=(), store=False, progress=False)
    assert report.counts["disclosures"] == 2
    assert enabled == [not paused]  # a pool's parent only waits: its workers collect as usual
    assert gc.isenabled()


def test_a_collector_disabled_before_the_build_stays_disabled(tmp_path: Path):
    import gc

    from kg.build import build

    gc.disable()
    try:
        build([SAMPLES / "zezhou-natural-resources-bureau-2025.txt"], tmp_path / "out", jobs=1, formats=(),
              store=False, progress=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def _young_threshold(_task: int) -> tuple[int, int, int]:
    import gc

    return gc.get_threshold()


def test_young_collections_are_spaced_within_a_build_and_in_the_pools_it_starts():
    import gc

    from kg.workers import YOUNG_COLLECTION_THRESHOLD, isolated_map, young_collections_spaced

    before = gc.get_threshold()
    assert before[0] < YOUNG_COLLECTION_THRESHOLD == 50_000
    with young_collections_spaced():
        assert gc.get_threshold() == (50_000, before[1], before[2])
        in_workers = list(isolated_map(_young_threshold, [0, 1, 2], 2, lambda task, reason: (0, 0, 0)))
    assert in_workers == [(50_000, before[1], before[2])] * 3
    assert gc.get_threshold() == before
    gc.set_threshold(100_000, *before[1:])  # someone's own, higher setting is theirs
    try:
        with young_collections_spaced():
            assert gc.get_threshold()[0] == 100_000
    finally:
        gc.set_threshold(*before)


def test_the_build_spaces_young_collections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import gc

    from kg import build as build_module

    thresholds: list[int] = []
    original = build_module._build_into

    def probe(*args, **kwargs):  # type: ignore[no-untyped-def]
        thresholds.append(gc.get_threshold()[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(build_module, "_build_into", probe)
    before = gc.get_threshold()
    report = build_module.build([SAMPLES / "zezhou-natural-resources-bureau-2025.txt"], tmp_path / "out", jobs=1,
                                formats=(), store=False, progress=False)
    assert report.counts["disclosures"] == 1
    assert thresholds == [50_000] and gc.get_threshold() == before
