"""The notebooks of the previous release still run against this package.

``iivkit lab`` copies the notebooks into a user's folder and never overwrites them, so a user
who upgrades keeps running the notebooks they were given. ``tests/fixtures/release_0_1/`` holds
those notebooks exactly as release 0.1 shipped them; each must still run top to bottom with its
defaults, through the module paths it imports.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
from pathlib import Path

import papermill
import pytest

ROOT = Path(__file__).resolve().parent.parent
RELEASE = Path(__file__).resolve().parent / "fixtures" / "release_0_1" / "notebooks"
NOTEBOOKS = sorted(p.relative_to(RELEASE).as_posix() for p in RELEASE.rglob("*.ipynb"))


def imported_modules(path: Path) -> set[str]:
    """The iivkit module paths a notebook's code cells import (``from iivkit import tables`` too)."""
    found: set[str] = set()
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("iivkit"):
                found.add(str(node.module))
                if node.module == "iivkit":
                    found.update(f"iivkit.{a.name}" for a in node.names if a.name.islower())
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("iivkit"))
    return found


def test_the_fixture_holds_every_notebook_the_release_shipped() -> None:
    assert len(NOTEBOOKS) == 11
    assert {"01_research.ipynb", "04_debrief_report.ipynb", "course/class_summary.ipynb"} <= set(NOTEBOOKS)


def test_every_module_path_the_release_notebooks_import_still_imports() -> None:
    import importlib

    paths = set().union(*(imported_modules(RELEASE / name) for name in NOTEBOOKS))
    assert "iivkit.notebook_support" in paths and "iivkit.report_data" in paths
    for path in sorted(paths):
        importlib.import_module(path)


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_a_release_notebook_runs_against_this_package(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IIVKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("IIVKIT_WORKBOOK", raising=False)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    # A copy: a notebook runs in its own folder, and the committed one is never written to.
    shutil.copytree(RELEASE.parent, tmp_path / "release")
    source = tmp_path / "release" / RELEASE.name / name
    papermill.execute_notebook(
        str(source),
        str(tmp_path / "out.ipynb"),
        kernel_name="python3",
        cwd=str(source.parent),
        progress_bar=False,
        log_output=False,
    )
