"""iivkit: a Jupyter research workbook kit for informational interviews."""

from __future__ import annotations

from .errors import IivkitError
from .models import (
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
from .store import Workbook

__version__ = "0.1.0"

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
