"""Everything the debrief report (``notebooks/04_debrief_report.ipynb``) shows, as functions.

The notebook only calls these and displays what they return, so a test can reach every number
and table of a report without a kernel. Data come back as pandas frames with readable column
names; :func:`table_html`, :func:`header_html` and friends turn them into HTML through a Jinja2
environment with autoescaping on, so user text such as ``<script>`` shows as text and never
runs. :func:`report_inputs` names the records a report reads: ``iivkit report`` hashes them to
decide whether a report is up to date.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iivkit.errors import RecordNotFound, ValidationFailed, WorkbookMissingError
from iivkit.workbook import views
from iivkit.workbook.demo import demo_workbook_path, ensure_demo_workbook  # noqa: F401  (release 0.1 name)
from iivkit.workbook.models import Contact, InsightKind, Interview, Outcome, Tiara
from iivkit.workbook.store import Workbook, collect_damaged

REPORT_NOTEBOOK = "04_debrief_report.ipynb"

TIARA_ORDER = [t.value for t in Tiara]
CAREER_KINDS = (InsightKind.salary.value, InsightKind.environment.value, InsightKind.chances.value)
OUTCOME_ORDER = [o.value for o in Outcome]


# -- parameters ------------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "None"))


def resolve_parameters(workbook: object, interview: object) -> tuple[Path, int]:
    """Check the notebook's parameters and fill in defaults; papermill may pass them as text.

    :param workbook: a path; blank means ``$IIVKIT_WORKBOOK``, else the demo workbook.
    :param interview: an interview id (int or digits); blank means the first debriefed one.
    """
    if _is_blank(workbook):
        # As the workflow notebooks do: ``iivkit lab`` names the folder's workbook here.
        path = Path(os.environ.get("IIVKIT_WORKBOOK") or ensure_demo_workbook())
    elif isinstance(workbook, (str, os.PathLike)):
        path = Path(os.fspath(workbook)).expanduser()
    else:
        raise ValidationFailed(
            f"must be the path of a workbook, not {type(workbook).__name__}",
            record="parameter",
            field="workbook",
        )
    if not path.is_file():
        raise WorkbookMissingError("no such workbook", file=path)
    if _is_blank(interview):
        with Workbook.read(path) as wb:
            return path, first_debriefed_interview(wb)
    return path, interview_id(interview)


def interview_id(value: object) -> int:
    """An interview id from an int or a string of digits; anything else is refused."""
    if isinstance(value, bool):
        raise ValidationFailed(
            "must be an interview id, not true/false", record="parameter", field="interview"
        )
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    else:
        raise ValidationFailed(
            f"must be an interview id (a whole number), not {value!r}", record="parameter", field="interview"
        )
    if number < 1:
        raise ValidationFailed(f"must be 1 or more, not {number}", record="parameter", field="interview")
    return number


def first_debriefed_interview(wb: Workbook) -> int:
    """The first debriefed interview; failing that, the first one held."""
    for statuses in (("debriefed",), ("done",)):
        marks = ", ".join("?" for _ in statuses)
        row = wb.conn.execute(
            f"SELECT id FROM interviews WHERE status IN ({marks}) ORDER BY id LIMIT 1", statuses
        ).fetchone()
        if row:
            return int(row[0])
    raise RecordNotFound("has no debriefed interview to report on", file=wb.path, record="interviews")


# -- the data ---------------------------------------------------------------------------------


@dataclass
class DebriefReport:
    """Every part of one interview's debrief report."""

    workbook: Path
    interview_id: int
    today: dt.date
    header: dict[str, str]
    plan: pd.DataFrame
    findings: pd.DataFrame
    insights: pd.DataFrame
    career: pd.DataFrame
    open_questions: pd.DataFrame
    referrals: pd.DataFrame
    follow_ups: pd.DataFrame | None
    outcome_counts: pd.Series
    evidence_counts: pd.Series
    notes: list[str] = field(default_factory=list)


def collect(path: str | os.PathLike[str], interview: int, *, today: dt.date | None = None) -> DebriefReport:
    """Read everything the report of *interview* shows from the workbook at *path*."""
    today = today or dt.date.today()
    with Workbook.read(path) as wb, collect_damaged() as damaged:
        # The interview and its interviewee must be sound; a damaged one fails this report.
        wb.get(Contact, wb.get(Interview, interview).contact_id)
        head = header(wb, interview)
        tested = tested_findings(wb, interview)
        report = DebriefReport(
            workbook=Path(path),
            interview_id=interview,
            today=today,
            header=head,
            plan=plan(wb, interview),
            findings=tested,
            insights=insights(wb, interview),
            career=career(wb, interview),
            open_questions=open_questions(wb, interview),
            referrals=referrals(wb, interview),
            follow_ups=follow_ups_due(wb, interview, today),
            outcome_counts=outcome_counts(wb, interview),
            evidence_counts=evidence_counts(tested),
        )
    for error in damaged:
        where = ValidationFailed(error.message, record=error.record, field=error.field)
        report.notes.append(f"Left out a damaged record: {where}")
    return report


def _query(wb: Workbook, sql: str, params: tuple[Any, ...] = ()) -> pd.DataFrame:
    df = pd.read_sql_query(sql, wb.conn, params=params)
    return df.astype(object).where(df.notna(), "")


def _label(value: object) -> str:
    return str(value).replace("_", " ") if value not in (None, "") else ""


def header(wb: Workbook, interview: int) -> dict[str, str]:
    """Who, when, organisation and role: one interview's identity, as label → text."""
    row = wb.conn.execute(
        """
        SELECT i.*, c.name AS contact, c.role, c.seniority, c.focus_area, o.name AS organisation
        FROM interviews i JOIN contacts c ON c.id = i.contact_id
        LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE i.id = ?
        """,
        (interview,),
    ).fetchone()
    if row is None:
        raise RecordNotFound("does not exist", file=wb.path, record=f"interview {interview}")
    when = ""
    if row["scheduled_at"]:
        when = f"{str(row['scheduled_at'])[:16].replace('T', ' ')} ({row['timezone']})"
    profile = wb.profile()
    return {
        "Interviewer": profile.name if profile else "",
        "Interviewee": row["contact"],
        "Role": row["role"] or "",
        "Organisation": row["organisation"] or "",
        "Seniority and focus": f"{_label(row['seniority'])}, {_label(row['focus_area'])}",
        "When": when,
        "Medium": f"{_label(row['medium'])}, {row['duration_minutes']} minutes",
        "Status": _label(row["status"]),
        "Workbook": str(Path(Path(wb.path).parent.name, Path(wb.path).name)),
        "Interview": str(interview),
    }


def plan(wb: Workbook, interview: int) -> pd.DataFrame:
    """The question plan in order, with the answer noted for each question."""
    df = _query(
        wb,
        """
        SELECT p.category AS "Category", p.text AS "Question",
               COALESCE(f.claim, '') AS "Finding shared", p.answer AS "Answer"
        FROM planned_questions p LEFT JOIN findings f ON f.id = p.finding_id
        WHERE p.interview_id = ? ORDER BY p.position, p.id
        """,
        (interview,),
    )
    df.insert(0, "No.", range(1, len(df) + 1))
    return df


def tested_findings(wb: Workbook, interview: int) -> pd.DataFrame:
    """Each finding tested in this interview: the outcome here, and its evidence status now."""
    df = _query(
        wb,
        """
        SELECT fo.finding_id, f.claim AS "Finding", f.source_title AS "Source",
               fo.outcome AS "Outcome here", fo.note AS "What they said"
        FROM finding_outcomes fo JOIN findings f ON f.id = fo.finding_id
        WHERE fo.interview_id = ? ORDER BY fo.finding_id
        """,
        (interview,),
    )
    evidence = views.evidence(wb)
    status = evidence["status"].astype(str)
    tally = evidence["n_confirmed"].astype(str) + " / " + evidence["n_refuted"].astype(str) + " / "
    tally = tally + evidence["n_mixed"].astype(str)
    df["Evidence status"] = [status.get(i, "untested") for i in df["finding_id"]]
    df["Confirmed / refuted / mixed"] = [tally.get(i, "0 / 0 / 0") for i in df["finding_id"]]
    df["Outcome here"] = df["Outcome here"].map(_label)
    return df.drop(columns="finding_id")


def outcome_counts(wb: Workbook, interview: int) -> pd.Series:
    """How many findings this interview confirmed, refuted, found mixed or did not discuss."""
    rows = wb.conn.execute(
        "SELECT outcome, COUNT(*) FROM finding_outcomes WHERE interview_id = ? GROUP BY outcome", (interview,)
    ).fetchall()
    counts = {str(r[0]): int(r[1]) for r in rows}
    return pd.Series([counts.get(o, 0) for o in OUTCOME_ORDER], index=OUTCOME_ORDER, name="findings")


def evidence_counts(tested: pd.DataFrame) -> pd.Series:
    """How many of the findings tested here now have each evidence status (see :func:`views.evidence`)."""
    counts = tested["Evidence status"].value_counts() if len(tested) else pd.Series(dtype=int)
    return pd.Series(
        [int(counts.get(s, 0)) for s in views.EVIDENCE_STATUSES],
        index=views.EVIDENCE_STATUSES,
        name="findings",
    )


def insights(wb: Workbook, interview: int) -> pd.DataFrame:
    """Insights and advice (not salary, environment or chances), in TIARA order, untagged last."""
    df = _query(
        wb,
        f"""
        SELECT COALESCE(tiara, '') AS "TIARA", kind AS "Kind", text AS "Insight"
        FROM insights WHERE interview_id = ? AND kind NOT IN ({", ".join("?" for _ in CAREER_KINDS)})
        ORDER BY id
        """,
        (interview, *CAREER_KINDS),
    )
    order = {t: n for n, t in enumerate(TIARA_ORDER)}
    df = df.iloc[sorted(range(len(df)), key=lambda n: (order.get(df["TIARA"].iloc[n], len(order)), n))]
    df["TIARA"] = [t or "not tagged" for t in df["TIARA"]]
    df["Kind"] = df["Kind"].map(_label)
    return df.reset_index(drop=True)


def career(wb: Workbook, interview: int) -> pd.DataFrame:
    """Salary, work environment, chances and what to ask next: the debrief fields and insights."""
    row = wb.conn.execute(
        "SELECT salary_info, environment_info, chances_feedback, next_questions FROM interviews WHERE id = ?",
        (interview,),
    ).fetchone()
    topics = {"salary": "Salary", "environment": "Work environment", "chances": "Your chances"}
    items: list[tuple[str, str]] = []
    if row is not None:
        for column, topic in zip(row.keys(), [*topics.values(), "Ask next time"], strict=True):
            if row[column]:
                items.append((topic, str(row[column])))
    extra = wb.conn.execute(
        f"SELECT kind, text FROM insights WHERE interview_id = ? "
        f"AND kind IN ({', '.join('?' for _ in CAREER_KINDS)}) ORDER BY id",
        (interview, *CAREER_KINDS),
    ).fetchall()
    items.extend((topics[str(k)], str(t)) for k, t in extra)
    order = [*topics.values(), "Ask next time"]
    items.sort(key=lambda item: order.index(item[0]))
    return pd.DataFrame(items, columns=["Topic", "What was said"], dtype=object)


def routing_available() -> bool:
    """True when this iivkit has the planner's open-question routing (``iivkit.method.synthesis``)."""
    return importlib.util.find_spec("iivkit.method.synthesis") is not None


def _routing(wb: Workbook) -> dict[int, str]:
    """Best next contact per open question from the planner's routing, where that exists."""
    if not routing_available():
        return {}
    from iivkit.method import synthesis

    route = getattr(synthesis, "route_open_questions", None)
    if route is None:
        return {}
    routed = route(wb)
    if not isinstance(routed, pd.DataFrame) or routed.empty:
        return {}
    if "best_contact" not in routed.columns:
        return {}
    return {
        int(i): f"{v} (suggested)"
        for i, v in zip(routed.index, routed["best_contact"], strict=True)
        if isinstance(v, str) and v
    }


def open_questions(wb: Workbook, interview: int) -> pd.DataFrame:
    """Questions this interview left open: how to answer each, and whom to ask next."""
    df = _query(
        wb,
        """
        SELECT q.id AS open_question_id, q.text AS "Question", q.how_to_answer AS "How to answer it",
               TRIM(COALESCE(s.name, '') ||
                    CASE WHEN s.role <> '' THEN ' (' || s.role || ')' ELSE '' END) AS "Ask next",
               q.status AS "Status", q.answer AS "Answer"
        FROM open_questions q LEFT JOIN contacts s ON s.id = q.suggested_contact_id
        WHERE q.interview_id = ? ORDER BY q.id
        """,
        (interview,),
    )
    if len(df) and (df["Ask next"] == "").any():
        routed = _routing(wb)
        df["Ask next"] = [
            ask or routed.get(int(qid), "")
            for ask, qid in zip(df["Ask next"], df["open_question_id"], strict=True)
        ]
    df["Status"] = df["Status"].map(_label)
    return df.drop(columns="open_question_id")


def referrals(wb: Workbook, interview: int) -> pd.DataFrame:
    """The people this interviewee suggested talking to."""
    df = _query(
        wb,
        """
        SELECT c.name AS "Name", c.role AS "Role", COALESCE(o.name, '') AS "Organisation",
               c.status AS "Status", c.notes AS "Notes"
        FROM contacts c LEFT JOIN organisations o ON o.id = c.organisation_id
        WHERE c.referred_in_interview_id = ? ORDER BY c.id
        """,
        (interview,),
    )
    df["Status"] = df["Status"].map(_label)
    return df


def follow_ups_available() -> bool:
    """True when this iivkit has the follow-up rules (``iivkit.method.followups``)."""
    return importlib.util.find_spec("iivkit.method.followups") is not None


def follow_ups_due(wb: Workbook, interview: int, today: dt.date) -> pd.DataFrame | None:
    """Follow-ups due or overdue for this interview or its interviewee; None without the rules."""
    if not follow_ups_available():
        return None
    from iivkit.method.followups import follow_ups

    df = follow_ups(wb, today)
    if "interview_id" in df.columns:
        df = df[df["interview_id"] == interview]
    elif "contact_id" in df.columns:
        contact = wb.conn.execute("SELECT contact_id FROM interviews WHERE id = ?", (interview,)).fetchone()
        df = df[df["contact_id"] == (contact[0] if contact else None)]
    df = df.drop(columns=[c for c in ("interview_id", "contact_id") if c in df.columns])
    df = df.rename(columns={c: str(c).replace("_", " ").capitalize() for c in df.columns})
    return df.reset_index(drop=True)


# -- what the report reads, for ``iivkit report``'s fingerprint ------------------------------


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> list[list[Any]]:
    return [list(r) for r in conn.execute(sql, params)]


def report_inputs(conn: sqlite3.Connection, interview: int) -> dict[str, Any]:
    """Every row the report of *interview* reads, as JSON-ready data, for a fingerprint.

    A finding's evidence status depends on every interview's outcome for it, so all outcomes
    of the findings this interview tested are included, not just this interview's. People
    (contacts, organisations) are included whole: routing and follow-ups may consult any of
    them. When the planner's routing fills in a missing "ask next", it may read anything, so
    then the whole workbook counts.
    """
    row = conn.execute("SELECT * FROM interviews WHERE id = ?", (interview,)).fetchone()
    if row is None:
        raise RecordNotFound("does not exist", record=f"interview {interview}")
    p = (interview,)
    tested = "SELECT finding_id FROM finding_outcomes WHERE interview_id = ?"
    planned = "SELECT finding_id FROM planned_questions WHERE interview_id = ?"
    inputs: dict[str, Any] = {
        "interview": list(row),
        "same_contact": _rows(
            conn, "SELECT * FROM interviews WHERE contact_id = ? ORDER BY id", (row["contact_id"],)
        ),
        "meta": _rows(conn, "SELECT * FROM meta WHERE key <> 'pseudonym_salt' ORDER BY key", ()),
        "profile": _rows(conn, "SELECT * FROM profile", ()),
        "contacts": _rows(conn, "SELECT * FROM contacts ORDER BY id", ()),
        "organisations": _rows(conn, "SELECT * FROM organisations ORDER BY id", ()),
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
    unrouted = conn.execute(
        "SELECT 1 FROM open_questions WHERE interview_id = ? AND suggested_contact_id IS NULL", p
    ).fetchone()
    if unrouted and routing_available():
        inputs["everything"] = {
            table: _rows(conn, f"SELECT * FROM {table} ORDER BY id", ())
            for table in (
                "findings",
                "finding_outcomes",
                "insights",
                "open_questions",
                "interviews",
                "questions",
            )
        }
    return inputs


def report_inputs_json(conn: sqlite3.Connection, interview: int) -> str:
    """:func:`report_inputs` as canonical JSON text, ready to hash."""
    return json.dumps(report_inputs(conn, interview), sort_keys=True, default=str, separators=(",", ":"))
