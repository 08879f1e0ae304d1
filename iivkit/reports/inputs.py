"""What a debrief report reads, for ``iivkit report``'s fingerprint.

Kept apart from :mod:`iivkit.reports.data` so that deciding which reports are up to date needs
no pandas: a run with nothing changed only reads rows and hashes them.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from iivkit.errors import RecordNotFound
from iivkit.workbook import rows

REPORT_NOTEBOOK = "04_debrief_report.ipynb"


def report_inputs(conn: sqlite3.Connection, interview: int) -> dict[str, Any]:
    """Every row the report of *interview* reads, as JSON-ready data, for a fingerprint.

    A finding's evidence status depends on every interview's outcome for it, so all outcomes
    of the findings this interview tested are included, not just this interview's. People
    (contacts, organisations) are included whole: routing and follow-ups may consult any of
    them. When the planner's routing fills in a missing "ask next", it may read anything, so
    then the whole workbook counts (see :func:`rows.interview_records`).
    """
    inputs = rows.interview_records(conn, interview)
    if inputs is None:
        raise RecordNotFound("does not exist", record=f"interview {interview}")
    # Where the organisation stands on the target list also depends on who was met elsewhere.
    inputs["interview_statuses"] = rows.interview_statuses(conn)
    # The strengths and areas to develop across interviews (growth.summary) read every such insight.
    inputs["growth"] = rows.growth_records(conn)
    if rows.has_unrouted_open_questions(conn, interview):
        inputs["everything"] = rows.routing_records(conn)
    return inputs


def report_inputs_json(conn: sqlite3.Connection, interview: int) -> str:
    """:func:`report_inputs` as canonical JSON text, ready to hash."""
    return json.dumps(report_inputs(conn, interview), sort_keys=True, default=str, separators=(",", ":"))


def _dumped(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))


class WorkbookInputs:
    """:func:`report_inputs_json` for each interview of one open workbook, with the parts every
    report shares (people, settings, who was met, and the whole workbook when routing reads
    it) read and written out once, not once per report. The text is the same.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._shared: dict[str, str] | None = None
        self._everything: str | None = None

    def json(self, interview: int) -> str:
        """The canonical JSON text of what the report of *interview* reads."""
        own = rows.interview_records(self.conn, interview, whole_tables=False)
        if own is None:
            raise RecordNotFound("does not exist", record=f"interview {interview}")
        parts = {key: _dumped(value) for key, value in own.items()}
        if self._shared is None:
            shared: dict[str, Any] = rows.workbook_records(self.conn)
            shared["interview_statuses"] = rows.interview_statuses(self.conn)
            shared["growth"] = rows.growth_records(self.conn)
            self._shared = {key: _dumped(value) for key, value in shared.items()}
        parts.update(self._shared)
        if rows.has_unrouted_open_questions(self.conn, interview):
            if self._everything is None:
                self._everything = _dumped(rows.routing_records(self.conn))
            parts["everything"] = self._everything
        # json.dumps(..., sort_keys=True) of the whole, written from its parts.
        return "{" + ",".join(f"{json.dumps(key)}:{parts[key]}" for key in sorted(parts)) + "}"
