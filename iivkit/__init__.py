"""iivkit: a Jupyter research workbook kit for informational interviews."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iivkit import _moved
from iivkit.errors import IivkitError

if TYPE_CHECKING:
    from iivkit.workbook.models import (
        Contact,
        Finding,
        FindingOutcome,
        Insight,
        Interview,
        OpenQuestion,
        Organisation,
        PlannedQuestion,
        Profile,
        Question,
    )
    from iivkit.workbook.store import Workbook

__version__ = "0.1.0"

# Release 0.1 notebooks import flat module paths that have since moved; see iivkit._moved.
_moved.install()

__all__ = [
    "Contact",
    "Finding",
    "FindingOutcome",
    "IivkitError",
    "Insight",
    "Interview",
    "OpenQuestion",
    "Organisation",
    "PlannedQuestion",
    "Profile",
    "Question",
    "Workbook",
    "__version__",
]

_RECORDS = frozenset(__all__) - {"IivkitError", "Workbook", "__version__"}


def __getattr__(name: str) -> Any:
    """The records and the workbook, imported on first use: ``iivkit --help`` starts without
    pydantic or pandas, and a command that never makes a table (a report run with nothing
    changed) without pandas."""
    if name == "Workbook":
        from iivkit.workbook.store import Workbook

        return Workbook
    if name in _RECORDS:
        from iivkit.workbook import models

        return getattr(models, name)
    raise AttributeError(f"module 'iivkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
