"""Dates as iivkit writes them, the same way in letters, plans, guides and reports.

One style: the day without a leading zero, the month in full ("8 December"), the weekday in
full where it helps ("Monday 8 December 2026").
"""

from __future__ import annotations

import datetime as dt


def day_month(day: dt.date) -> str:
    """ "8 December"."""
    return f"{day.day} {day:%B}"


def long_date(day: dt.date) -> str:
    """ "Monday 8 December 2026"."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def long_datetime(when: dt.datetime) -> str:
    """ "Monday 8 December 2026, 14:00"."""
    return f"{long_date(when.date())}, {when:%H:%M}"
