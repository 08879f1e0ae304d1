"""Where the files iivkit ships are: the notebooks, and the data and templates packages.

The notebooks are package data in an installed iivkit (``iivkit/notebooks``) and a folder
beside the package in a source checkout; every module that runs or copies a notebook finds
it here, so the two cases are handled once.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from iivkit.errors import WorkbookMissingError


def notebooks_root() -> Path | None:
    """Where the notebooks are: shipped in the package, or beside it in a source checkout."""
    shipped = Path(str(resources.files("iivkit").joinpath("notebooks")))
    if shipped.is_dir():
        return shipped
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    return checkout if checkout.is_dir() else None


def shipped_notebook(name: str) -> Path:
    """The shipped notebook ``name`` (a path under the notebooks folder, e.g. ``course/x.ipynb``)."""
    root = notebooks_root()
    path = root / name if root is not None else None
    if path is None or not path.is_file():
        raise WorkbookMissingError("this notebook is missing from this iivkit installation", file=name)
    return path
