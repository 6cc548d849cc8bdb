"""Where the shapes, the query library and the ontology are: in the package when installed, else the checkout.

They live at the top of the repository (``shapes/``, ``queries/``, ``ontology/``); the wheel's build hook
(``setup.py``) ships copies as ``kg/_resources/``. The packaged copy wins when present, so an installed
budget-kg never picks up an unrelated ``shapes`` folder that happens to sit beside site-packages.
"""

from __future__ import annotations

from pathlib import Path

from kg.errors import BudgetKGError

_PACKAGE = Path(__file__).resolve().parent
NAMES = ("shapes", "queries", "ontology")


def resource_dir(name: str) -> Path:
    """The directory ``name`` (one of :data:`NAMES`): the packaged copy, else the checkout's. Whoever reads
    it reports a missing one (:func:`require`)."""
    if name not in NAMES:
        raise ValueError(f"unknown resource {name!r} (one of {', '.join(NAMES)})")
    packaged = _PACKAGE / "_resources" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name


def require(path: Path, what: str) -> Path:
    """``path``, or a clear error when this installation lacks it (a wheel built without its resources)."""
    if not path.exists():
        raise BudgetKGError(str(path), f"{what} is missing from this installation of budget-kg; reinstall it "
                            "(the wheel ships shapes/, queries/ and ontology/ as kg/_resources/)",
                            code="missing-resource")
    return path
