"""iivkit: a Jupyter research workbook kit for informational interviews."""

from __future__ import annotations

from iivkit import _moved
from iivkit.errors import IivkitError
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
