"""Record pickers: a dropdown of existing records, each shown by a name a person recognises."""

from __future__ import annotations

from typing import Any

from iivkit.workbook.models import BY_TABLE
from iivkit.workbook.store import Workbook

SHORT = 70


def shorten(text: str, limit: int = SHORT) -> str:
    """*text* on one line, cut to *limit* characters with an ellipsis."""
    one_line = " ".join(str(text).split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1].rstrip() + "…"


_LABEL_SQL = {
    "organisations": "SELECT id, name FROM organisations ORDER BY name COLLATE NOCASE, id",
    "contacts": """
        SELECT c.id, c.name || CASE WHEN o.name IS NULL THEN '' ELSE ' (' || o.name || ')' END
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        ORDER BY c.name COLLATE NOCASE, c.id""",
    "interviews": """
        SELECT i.id, c.name || ' · ' || COALESCE(substr(i.scheduled_at, 1, 10), 'no date yet')
               || ' · ' || i.status
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        ORDER BY i.id""",
    "findings": "SELECT id, claim FROM findings ORDER BY id",
    "questions": "SELECT id, text FROM questions ORDER BY id",
    "open_questions": "SELECT id, text FROM open_questions ORDER BY id",
    "insights": "SELECT id, text FROM insights ORDER BY id",
    "planned_questions": "SELECT id, text FROM planned_questions ORDER BY interview_id, position, id",
    "profile": "SELECT id, name FROM profile",
}


def reference_options(wb: Workbook, table: str) -> list[tuple[str, Any]]:
    """``(label, id)`` for every record of *table*, for a dropdown."""
    label = BY_TABLE[table].label.capitalize()
    sql = _LABEL_SQL.get(table)
    if sql is None:
        return [(f"{label} {r[0]}", r[0]) for r in wb.conn.execute(f"SELECT id FROM {table} ORDER BY id")]
    return [(option_label(label, int(r[0]), r[1]), int(r[0])) for r in wb.conn.execute(sql)]


def option_label(label: str, record_id: int, text: object) -> str:
    """``text · #3``, or ``Finding 3`` when the text is blank: an option is never shown empty."""
    short = shorten(str(text or ""))
    return f"{short} · #{record_id}" if short else f"{label} {record_id}"
