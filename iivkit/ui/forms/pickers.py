"""Record pickers: a dropdown of existing records, each shown by a name a person recognises."""

from __future__ import annotations

from typing import Any

from iivkit.workbook import views
from iivkit.workbook.models import BY_TABLE
from iivkit.workbook.store import Workbook

SHORT = 70


def shorten(text: str, limit: int = SHORT) -> str:
    """*text* on one line, cut to *limit* characters with an ellipsis."""
    one_line = " ".join(str(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


def reference_options(wb: Workbook, table: str) -> list[tuple[str, Any]]:
    """``(label, id)`` for every record of *table*, for a dropdown."""
    label = BY_TABLE[table].label.capitalize()
    return [(option_label(label, int(i), text), int(i)) for i, text in views.record_labels(wb, table)]


def option_label(label: str, record_id: int, text: object) -> str:
    """``text · #3``, or ``Finding 3`` when the text is blank: an option is never shown empty."""
    short = shorten(str(text or ""))
    return f"{short} · #{record_id}" if short else f"{label} {record_id}"
