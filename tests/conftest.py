"""Shared fixtures: the bundled sample corpus (the five seed disclosures) read once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest import read_source
from kg.records import SourceDocument

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
# read in place, never copied into the repository (tests that need them skip when they are absent)
SHARED = ROOT.parent / "shared"
PDF_SAMPLES = SHARED / "pdf-samples"
DEV_CORPUS = SHARED / "dev-corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# short keys used across the tests → sample file names (the seed ids are in samples/README.md)
SAMPLE_FILES = {
    "qinshui2024": "qinshui-natural-resources-bureau-unit-2024.txt",
    "zezhou2025": "zezhou-natural-resources-bureau-2025.txt",
    "xingxian2025": "xingxian-natural-resources-bureau-2025.txt",
    "yangquan2022": "yangquan-planning-natural-resources-bureau-unit-2022.txt",
    "zezhou2026": "zezhou-natural-resources-bureau-2026.txt",
}


@pytest.fixture(scope="session")
def sources() -> dict[str, SourceDocument]:
    return {key: read_source(SAMPLES / name) for key, name in SAMPLE_FILES.items()}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """One `budget-kg build` of the whole sample corpus (texts and PDFs), shared by the tests that read it."""
    from kg.build import build

    out = tmp_path_factory.mktemp("build") / "out"
    build([SAMPLES], out, formats=("ttl", "nt"), jobs=2, progress=False)
    return out
