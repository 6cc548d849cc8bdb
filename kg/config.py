"""Defaults for the command line from ``budget-kg.toml`` (in the working directory) or the environment.

Three settings, each looked up in this order — the first that gives a value wins:

1. the command-line flag (``--store``, ``--endpoint``, ``--base``);
2. the environment: ``BUDGET_KG_STORE``, ``BUDGET_KG_ENDPOINT``, ``BUDGET_KG_BASE``;
3. ``budget-kg.toml`` in the current directory (or the file ``BUDGET_KG_CONFIG`` names)::

       store = "out"                                  # a build output directory
       endpoint = "http://127.0.0.1:7878/query"       # a SPARQL endpoint (query, trace, publish, export's VoID)
       base = "https://example.org/budget/id/"        # base IRI of minted nodes (build, serve, site)

A store and an endpoint are one choice (where queries go): a flag giving either one overrides both settings.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from kg.errors import BudgetKGError

# kg.rdf.namespaces.DEFAULT_BASE, repeated so that `budget-kg --help` need not load rdflib (a test checks they agree)
DEFAULT_BASE = "https://w3id.org/budget-kg/id/"
CONFIG_FILE = "budget-kg.toml"
CONFIG_ENV = "BUDGET_KG_CONFIG"
SETTINGS = ("store", "endpoint", "base")
ENV = {name: f"BUDGET_KG_{name.upper()}" for name in SETTINGS}


@dataclass(frozen=True)
class Config:
    store: str | None = None
    endpoint: str | None = None
    base: str | None = None
    origin: dict[str, str] | None = None  # setting → where it came from ("BUDGET_KG_STORE", "budget-kg.toml")


def config_path(cwd: Path | None = None) -> Path:
    named = os.environ.get(CONFIG_ENV)
    return Path(named) if named else (cwd or Path.cwd()) / CONFIG_FILE


def _read_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        if os.environ.get(CONFIG_ENV):
            raise BudgetKGError(str(path), f"no such config file (named by {CONFIG_ENV})", code="bad-config")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BudgetKGError(str(path), f"cannot read the config file: {exc}", code="bad-config") from None
    except tomllib.TOMLDecodeError as exc:  # its message names the line and column
        raise BudgetKGError(str(path), f"not valid TOML: {exc}", code="bad-config") from None
    unknown = sorted(set(data) - set(SETTINGS))
    if unknown:
        raise BudgetKGError(str(path), f"unknown setting(s) {', '.join(unknown)}; budget-kg.toml takes "
                            f"{', '.join(SETTINGS)}", code="bad-config")
    for key, value in data.items():
        if not isinstance(value, str) or not value.strip():
            raise BudgetKGError(str(path), f"{key} must be a non-empty string", code="bad-config")
    return {key: value.strip() for key, value in data.items()}


def load_config(cwd: Path | None = None) -> Config:
    """The settings the environment and ``budget-kg.toml`` give (the environment wins)."""
    path = config_path(cwd)
    values: dict[str, str] = {}
    origin: dict[str, str] = {}
    for key, value in _read_file(path).items():
        values[key], origin[key] = value, path.name
    for key, variable in ENV.items():
        if os.environ.get(variable, "").strip():
            values[key], origin[key] = os.environ[variable].strip(), variable
    return Config(values.get("store"), values.get("endpoint"), values.get("base"), origin)
