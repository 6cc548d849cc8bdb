"""The API reference is generated from the docstrings (scripts/api_docs.py, pdoc) and names the public API."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _api_docs():
    spec = importlib.util.spec_from_file_location("api_docs", ROOT / "scripts" / "api_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_names_every_public_function_with_its_signature_and_docstring(tmp_path: Path):
    pytest.importorskip("pdoc")
    import kg.publish
    import kg.query

    api_docs = _api_docs()
    assert api_docs.main(["--out", str(tmp_path / "api.md")]) == 0
    text = (tmp_path / "api.md").read_text(encoding="utf-8")
    for name in [*kg.query.__all__, *kg.publish.__all__, "build", "extract_file", "validate_build", "load_config"]:
        assert f"### `{name}`" in text or f"### class `{name}`" in text, name
    # signatures as code, with the parameters the docstrings talk about
    assert "def run_query(\n    name: str | kg.query.library.Query," in text and "money: str = 'float'" in text
    assert "def build(\n    inputs:" in text  # the first parameter of a function is kept
    # the docstring itself, not only the name
    assert "``frame.attrs`` holds ``query`` (its name)" in text
    assert "## kg.query\n\nQuery the budget graph" in text


def test_html_site_too(tmp_path: Path):
    pytest.importorskip("pdoc")
    assert _api_docs().main(["--out", str(tmp_path / "api.md"), "--html", str(tmp_path / "html")]) == 0
    page = (tmp_path / "html" / "kg" / "query.html").read_text(encoding="utf-8")
    assert 'id="run_query"' in page and "trace_links" in page
