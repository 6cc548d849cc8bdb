"""Build hook: ship the top-level shapes/, queries/ and ontology/ inside the package as kg/_resources/.

They stay at the top of the repository (the design: the shapes, the query library and the ontology are
documents in their own right, read by people and other tools); an installed budget-kg finds its copies
through kg.resources. Everything else is configured in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RESOURCES = ("shapes", "queries", "ontology")


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        for name in RESOURCES:
            source, target = ROOT / name, Path(self.build_lib) / "kg" / "_resources" / name
            if not source.is_dir():
                raise FileNotFoundError(f"{source}: missing; the wheel must ship it (see kg/resources.py)")
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)


setup(cmdclass={"build_py": BuildPyWithResources})
