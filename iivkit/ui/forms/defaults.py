"""What a new record's form starts with, where the model's own default is not the best guess.

A meeting's time zone starts as the user's (from the profile), and a new profile's as the
machine's, so that nobody in Johannesburg plans a meeting in UTC by accident.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from iivkit.workbook.models import Interview, Profile, Record
from iivkit.workbook.store import Workbook

FALLBACK_ZONE = "UTC"


def local_timezone() -> str:
    """The machine's time zone name, like ``Africa/Johannesburg`` (UTC when it has none)."""
    try:
        name = tzlocal.get_localzone_name()
    except Exception:  # tzlocal raises its own errors for a misconfigured machine
        return FALLBACK_ZONE
    if not name:
        return FALLBACK_ZONE
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return FALLBACK_ZONE
    return name


def default_timezone(wb: Workbook) -> str:
    """The time zone for a new meeting: the profile's, else the machine's."""
    profile = wb.profile()
    return profile.timezone if profile is not None else local_timezone()


def suggestions(wb: Workbook, record: Record) -> dict[str, Any]:
    """Values to offer in place of an existing record's untouched defaults.

    A meeting made before its date was set (by the planner or a notebook) still has the model's
    UTC; until it is scheduled, the form offers the profile's zone instead.
    """
    if (
        isinstance(record, Interview)
        and record.scheduled_at is None
        and record.timezone == Interview.model_fields["timezone"].default
    ):
        zone = default_timezone(wb)
        return {"timezone": zone} if zone != record.timezone else {}
    return {}


def form_defaults(wb: Workbook, model: type[Record]) -> dict[str, Any]:
    """Starting values for a new *model* record that depend on the workbook or the machine."""
    if model is Interview:
        return {"timezone": default_timezone(wb)}
    if model is Profile:
        return {"timezone": local_timezone()}
    return {}
