"""``iivkit lab``: JupyterLab on the workflow notebooks, bound to 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from iivkit.resources import notebooks_root


def notebook_sources() -> list[Path]:
    """The workflow, exercise and course notebooks, relative to :func:`notebooks_root`."""
    root = notebooks_root()
    if root is None:
        return []
    found = [*root.glob("*.ipynb"), *root.glob("exercises/*.ipynb"), *root.glob("course/*.ipynb")]
    return sorted(p.relative_to(root) for p in found)


def copy_missing_notebooks(directory: Path) -> list[Path]:
    """Copy any shipped notebook not yet in ``directory/notebooks``; never overwrite one."""
    root = notebooks_root()
    target = directory / "notebooks"
    copied = []
    for rel in notebook_sources():
        assert root is not None
        src, dest = root / rel, target / rel
        if src.resolve() != dest.resolve() and not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            copied.append(dest)
    return copied


def launch(directory: Path, *, port: int = 0, open_browser: bool = True) -> int:
    """Run JupyterLab in *directory* until it is stopped; return its exit status."""
    copied = copy_missing_notebooks(directory)
    for path in copied:
        print(f"Copied {path}")
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={directory.resolve()}",
        "--ServerApp.ip=127.0.0.1",
    ]
    if port:
        cmd.append(f"--ServerApp.port={port}")
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and CI machines often run as root; JupyterLab refuses that unless told.
        cmd.append("--allow-root")
    env = dict(os.environ)
    workbooks = sorted(directory.glob("*.iiv"))
    if workbooks and "IIVKIT_WORKBOOK" not in env:
        # Notebooks opened without a workbook parameter use this folder's workbook.
        env["IIVKIT_WORKBOOK"] = str(workbooks[0].resolve())
        print(f"Notebooks will open {workbooks[0]} unless you set their workbook parameter.")
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0
