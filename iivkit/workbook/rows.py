"""Rows read straight from a workbook, as plain lists: what ``iivkit report`` and the class run
hash to tell a changed workbook from an unchanged one, and the names and days of page titles.

These take an open SQLite connection, and import neither pydantic nor pandas, so a run that
finds nothing to make stays quick. The views a notebook shows live in :mod:`iivkit.workbook.views`.
"""

from __future__ import annotations

import sqlite3
from typing import Any

HELD = ("done", "debriefed")
"""The statuses of an interview that took place (``models.HELD_STATUSES``, by value)."""

STRENGTH, DEVELOPMENT = "strength", "development"
"""The insight kinds of a strength and an area to develop (``models.InsightKind``, by value)."""


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[list[Any]]:
    return [list(r) for r in conn.execute(sql, params).fetchall()]


def workbook_records(conn: sqlite3.Connection) -> dict[str, list[list[Any]]]:
    """The tables every report of a workbook reads whole, as plain lists: ``meta`` (but the
    pseudonym salt), ``profile``, ``contacts`` and ``organisations``."""
    return {
        "meta": _rows(conn, "SELECT * FROM meta WHERE key <> 'pseudonym_salt' ORDER BY key"),
        "profile": _rows(conn, "SELECT * FROM profile"),
        "contacts": _rows(conn, "SELECT * FROM contacts ORDER BY id"),
        "organisations": _rows(conn, "SELECT * FROM organisations ORDER BY id"),
    }


def interview_records(
    conn: sqlite3.Connection, interview: int, *, whole_tables: bool = True
) -> dict[str, Any] | None:
    """Every stored row one interview's report may read, table by table, as plain lists.

    ``interview`` is the interview's own row; ``same_contact`` every interview with its contact;
    ``findings`` those it tested or shared, and ``finding_outcomes`` every interview's outcome
    for the ones it tested; its planned questions, insights and open questions; and whole
    ``contacts``, ``organisations``, ``profile`` and ``meta`` (but the pseudonym salt). None if
    there is no such interview.

    :param whole_tables: include those whole tables (:func:`workbook_records`).
    """
    row = conn.execute("SELECT * FROM interviews WHERE id = ?", (interview,)).fetchone()
    if row is None:
        return None
    p = (interview,)
    tested = "SELECT finding_id FROM finding_outcomes WHERE interview_id = ?"
    planned = "SELECT finding_id FROM planned_questions WHERE interview_id = ?"
    return {
        "interview": list(row),
        "same_contact": _rows(
            conn, "SELECT * FROM interviews WHERE contact_id = ? ORDER BY id", (row["contact_id"],)
        ),
        **(workbook_records(conn) if whole_tables else {}),
        "planned_questions": _rows(
            conn, "SELECT * FROM planned_questions WHERE interview_id = ? ORDER BY id", p
        ),
        "findings": _rows(
            conn, f"SELECT * FROM findings WHERE id IN ({tested}) OR id IN ({planned}) ORDER BY id", (*p, *p)
        ),
        "finding_outcomes": _rows(
            conn, f"SELECT * FROM finding_outcomes WHERE finding_id IN ({tested}) ORDER BY id", p
        ),
        "insights": _rows(conn, "SELECT * FROM insights WHERE interview_id = ? ORDER BY id", p),
        "open_questions": _rows(conn, "SELECT * FROM open_questions WHERE interview_id = ? ORDER BY id", p),
    }


def has_unrouted_open_questions(conn: sqlite3.Connection, interview: int) -> bool:
    """True when one interview left an open question with nobody chosen to ask."""
    row = conn.execute(
        "SELECT 1 FROM open_questions WHERE interview_id = ? AND suggested_contact_id IS NULL", (interview,)
    ).fetchone()
    return row is not None


ROUTING_TABLES = ("findings", "finding_outcomes", "insights", "open_questions", "interviews", "questions")
"""The tables the planner's routing of open questions may read, besides people."""


def routing_records(conn: sqlite3.Connection) -> dict[str, list[list[Any]]]:
    """Every row of each of :data:`ROUTING_TABLES`, in id order."""
    return {name: _rows(conn, f"SELECT * FROM {name} ORDER BY id") for name in ROUTING_TABLES}


def growth_records(conn: sqlite3.Connection) -> list[list[Any]]:
    """:func:`~iivkit.workbook.views.growth_rows` as plain lists (also a report's fingerprint of them)."""
    rows = conn.execute(
        """
        SELECT n.id, n.interview_id, n.kind, n.text, n.advice, c.id, c.name, i.scheduled_at
        FROM insights n JOIN interviews i ON i.id = n.interview_id JOIN contacts c ON c.id = i.contact_id
        WHERE n.kind IN (:strength, :development)
        ORDER BY i.scheduled_at IS NULL, i.scheduled_at, i.id, n.id
        """,
        {"strength": STRENGTH, "development": DEVELOPMENT},
    ).fetchall()

    def text(value: Any) -> str:
        return value if isinstance(value, str) else ""

    return [
        [int(r[0]), int(r[1]), str(r[2]), text(r[3]), text(r[4]), int(r[5]), text(r[6]), text(r[7])[:10]]
        for r in rows
    ]


def raw_rows(conn: sqlite3.Connection, table: str) -> list[list[Any]]:
    """Every row of *table* (a table of the workbook, ``meta`` included) as stored, in rowid
    order, each as the list of its column values."""
    return _rows(conn, f"SELECT * FROM {table} ORDER BY rowid")


# -- the target list, as a debrief report depends on it -----------------------------------------


def interview_statuses(conn: sqlite3.Connection) -> list[list[Any]]:
    """(id, contact_id, status) of every interview, by id: who was met, for a report's fingerprint."""
    return [list(r) for r in conn.execute("SELECT id, contact_id, status FROM interviews ORDER BY id")]


# -- page titles: who was met, and the day of each interview ---------------------------------


def interviews_with_interviewees(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """``(id, status, interviewee's name)`` of every interview, by id; the name is empty when
    the interview has no contact."""
    rows = conn.execute(
        "SELECT i.id, i.status, c.name FROM interviews i "
        "LEFT JOIN contacts c ON c.id = i.contact_id ORDER BY i.id"
    ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2] or "")) for r in rows]


# -- a student's record of work, as an instructor reads it ---------------------------------------


def interview_days(conn: sqlite3.Connection) -> dict[int, str]:
    """Each interview's local day, ``YYYY-MM-DD`` as stored, by id; interviews with no date left out."""
    rows = conn.execute("SELECT id, scheduled_at FROM interviews WHERE scheduled_at IS NOT NULL")
    return {int(r[0]): str(r[1])[:10] for r in rows if r[1]}
