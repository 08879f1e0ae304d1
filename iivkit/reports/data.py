"""Everything the debrief report (``notebooks/04_debrief_report.ipynb``) shows, as functions.

The notebook only calls these and displays what they return, so a test can reach every number
and table of a report without a kernel. The reads are those of :mod:`iivkit.workbook.views`;
here they get readable column names and labels. :mod:`iivkit.reports.html` turns the frames
into HTML, with autoescaping on, so user text such as ``<script>`` shows as text and never
runs. :func:`report_inputs` names the records a report reads: ``iivkit report`` hashes them to
decide whether a report is up to date.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iivkit.errors import RecordNotFound, ValidationFailed
from iivkit.method import growth, synthesis
from iivkit.method.dates import long_datetime
from iivkit.method.followups import follow_ups
from iivkit.method.targets import standing
from iivkit.reports.inputs import REPORT_NOTEBOOK, report_inputs, report_inputs_json  # noqa: F401
from iivkit.ui.params import as_id, is_blank, workbook_path
from iivkit.workbook import views
from iivkit.workbook.demo import demo_workbook_path, ensure_demo_workbook  # noqa: F401  (release 0.1 name)
from iivkit.workbook.models import Contact, InsightKind, Interview, Outcome, Tiara
from iivkit.workbook.store import Workbook, collect_damaged

TIARA_ORDER = [t.value for t in Tiara]
CAREER_KINDS = (InsightKind.salary.value, InsightKind.environment.value, InsightKind.chances.value)
GROWTH_KINDS = (InsightKind.strength.value, InsightKind.development.value)
OUTCOME_ORDER = [o.value for o in Outcome]


# -- parameters ------------------------------------------------------------------------------


def resolve_parameters(workbook: object, interview: object) -> tuple[Path, int]:
    """Check the notebook's parameters and fill in defaults; papermill may pass them as text.

    :param workbook: a path; blank means ``$IIVKIT_WORKBOOK``, else the demo workbook.
    :param interview: an interview id (int or digits); blank means the first debriefed one.
    """
    path = workbook_path(workbook)
    if is_blank(interview):
        with Workbook.read(path) as wb:
            return path, first_debriefed_interview(wb)
    return path, as_id(interview, "interview")


def interview_id(value: object) -> int:
    """An interview id from an int or a string of digits; anything else is refused."""
    return as_id(value, "interview")


def first_debriefed_interview(wb: Workbook) -> int:
    """The first debriefed interview; failing that, the first one held."""
    found = views.first_held_interview(wb)
    if found is None:
        raise RecordNotFound("has no debriefed interview to report on", file=wb.path, record="interviews")
    return found


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
    follow_ups: pd.DataFrame
    outcome_counts: pd.Series
    evidence_counts: pd.Series
    notes: list[str] = field(default_factory=list)
    target: str = ""
    """Where the interviewee's organisation stands on the target list (:func:`.targets.standing`)."""


def collect(path: str | os.PathLike[str], interview: int, *, today: dt.date | None = None) -> DebriefReport:
    """Read everything the report of *interview* shows from the workbook at *path*."""
    today = today or dt.date.today()
    with Workbook.read(path) as wb, collect_damaged() as damaged:
        # The interview and its interviewee must be sound; a damaged one fails this report.
        interviewee = wb.get(Contact, wb.get(Interview, interview).contact_id)
        # Each view read once, though several parts of the report show it.
        details = views.interview_details(wb, interview)
        outcomes = views.interview_outcomes(wb, interview)
        said = views.interview_insights(wb, interview)
        tested = _tested_findings(wb, outcomes)
        report = DebriefReport(
            workbook=Path(path),
            interview_id=interview,
            today=today,
            header=_header(wb, interview, details),
            plan=plan(wb, interview),
            findings=tested,
            insights=_insights(said),
            career=_career(wb, interview, details, said),
            open_questions=open_questions(wb, interview),
            referrals=referrals(wb, interview),
            follow_ups=follow_ups_due(wb, interview, today),
            outcome_counts=_outcome_counts(outcomes),
            evidence_counts=evidence_counts(tested),
            target=standing(wb, interviewee.organisation_id),
        )
    for error in damaged:
        where = ValidationFailed(error.message, record=error.record, field=error.field)
        report.notes.append(f"Left out a damaged record: {where}")
    for part, caption in CAPTIONS.items():
        getattr(report, part).attrs["caption"] = caption
    return report


CAPTIONS = {
    "plan": "The questions planned, and the answers given",
    "findings": "Each finding tested: its outcome here, and its evidence across interviews",
    "career": "Salary, work environment, your chances, and the strengths and areas to develop they saw",
    "open_questions": "Questions this interview left open",
    "referrals": "People the interviewee suggested",
    "follow_ups": "Follow-ups for this interview",
}
"""Each table's caption on the report page (:func:`iivkit.ui.presentation.table_html` shows it)."""


def _label(value: object) -> str:
    return str(value).replace("_", " ") if value not in (None, "") else ""


def header(wb: Workbook, interview: int) -> dict[str, str]:
    """Who, when, organisation and role: one interview's identity, as label → text."""
    return _header(wb, interview, views.interview_details(wb, interview))


def _header(wb: Workbook, interview: int, row: dict[str, Any] | None) -> dict[str, str]:
    if row is None:
        raise RecordNotFound("does not exist", file=wb.path, record=f"interview {interview}")
    when = ""
    if row["scheduled_at"]:
        at = dt.datetime.fromisoformat(str(row["scheduled_at"])[:16])
        when = f"{long_datetime(at)} ({row['timezone']})"
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
    df = views.interview_plan(wb, interview).rename(
        columns={
            "category": "Category",
            "question": "Question",
            "finding_shared": "Finding shared",
            "answer": "Answer",
        }
    )
    df.insert(0, "No.", range(1, len(df) + 1))
    return df


def tested_findings(wb: Workbook, interview: int) -> pd.DataFrame:
    """Each finding tested in this interview: the outcome here, and its evidence status now."""
    return _tested_findings(wb, views.interview_outcomes(wb, interview))


def _tested_findings(wb: Workbook, outcomes: pd.DataFrame) -> pd.DataFrame:
    df = outcomes.rename(
        columns={
            "claim": "Finding",
            "source_title": "Source",
            "outcome": "Outcome here",
            "note": "What they said",
        }
    )
    evidence = views.evidence_status(wb, list(df["finding_id"]))
    status = evidence["status"].astype(str)
    tally = evidence["n_confirmed"].astype(str) + " / " + evidence["n_refuted"].astype(str) + " / "
    tally = tally + evidence["n_mixed"].astype(str)
    df["Evidence status"] = [status.get(i, "untested") for i in df["finding_id"]]
    df["Confirmed / refuted / mixed"] = [tally.get(i, "0 / 0 / 0") for i in df["finding_id"]]
    df["Outcome here"] = df["Outcome here"].map(_label)
    return df.drop(columns="finding_id")


def outcome_counts(wb: Workbook, interview: int) -> pd.Series:
    """How many findings this interview confirmed, refuted, found mixed or did not discuss."""
    return _outcome_counts(views.interview_outcomes(wb, interview))


def _outcome_counts(outcomes: pd.DataFrame) -> pd.Series:
    counts = outcomes["outcome"].astype(str).value_counts()
    return pd.Series([int(counts.get(o, 0)) for o in OUTCOME_ORDER], index=OUTCOME_ORDER, name="findings")


def evidence_counts(tested: pd.DataFrame) -> pd.Series:
    """How many of the findings tested here now have each evidence status (see :func:`views.evidence`)."""
    counts = tested["Evidence status"].value_counts() if len(tested) else pd.Series(dtype=int)
    return pd.Series(
        [int(counts.get(s, 0)) for s in views.EVIDENCE_STATUSES],
        index=views.EVIDENCE_STATUSES,
        name="findings",
    )


def insights(wb: Workbook, interview: int) -> pd.DataFrame:
    """Insights and advice (not salary, environment, chances, strengths or areas to develop), in
    TIARA order, untagged last."""
    return _insights(views.interview_insights(wb, interview))


def _insights(df: pd.DataFrame) -> pd.DataFrame:
    df = df[~df["kind"].isin((*CAREER_KINDS, *GROWTH_KINDS))].rename(
        columns={"tiara": "TIARA", "kind": "Kind", "text": "Insight"}
    )
    df = df.reset_index(drop=True)
    order = {t: n for n, t in enumerate(TIARA_ORDER)}
    df = df.iloc[sorted(range(len(df)), key=lambda n: (order.get(df["TIARA"].iloc[n], len(order)), n))]
    df["TIARA"] = [t or "not tagged" for t in df["TIARA"]]
    df["Kind"] = df["Kind"].map(_label)
    return df.reset_index(drop=True)


GROWTH_TOPICS = {
    "strength": "A strength they saw",
    "development": "To develop",
    "across": "Across your interviews",
}


def career(wb: Workbook, interview: int) -> pd.DataFrame:
    """Salary, work environment, chances, strengths and areas to develop, and what to ask next.

    The debrief fields and insights of this interview, then the strengths several people saw
    and the open areas to develop across all interviews (:func:`iivkit.method.growth.summary`).
    """
    return _career(
        wb, interview, views.interview_details(wb, interview), views.interview_insights(wb, interview)
    )


def _career(wb: Workbook, interview: int, row: dict[str, Any] | None, said: pd.DataFrame) -> pd.DataFrame:
    topics = {"salary": "Salary", "environment": "Work environment", "chances": "Your chances"}
    fields = {
        "salary_info": "Salary",
        "environment_info": "Work environment",
        "chances_feedback": "Your chances",
        "next_questions": "Ask next time",
    }
    items: list[tuple[str, str]] = []
    if row is not None:
        items.extend((topic, str(row[column])) for column, topic in fields.items() if row[column])
    said = said[said["kind"].isin(CAREER_KINDS)]
    items.extend((topics[str(k)], str(t)) for k, t in zip(said["kind"], said["text"], strict=True))
    grown = views.growth_rows(wb)
    for said_here in grown[grown["interview_id"] == interview].to_dict("records"):
        text, advice = (
            str(said_here["text"]).strip().rstrip("."),
            growth.in_sentence(str(said_here["advice"])),
        )
        items.append(
            (
                GROWTH_TOPICS[str(said_here["kind"])],
                f"{text}. Their advice: {advice}." if advice else f"{text}.",
            )
        )
    items.extend((GROWTH_TOPICS["across"], line) for line in growth.summary(wb, interview=interview))
    order = [*list(fields.values())[:3], *GROWTH_TOPICS.values(), fields["next_questions"]]
    items.sort(key=lambda item: order.index(item[0]))
    return pd.DataFrame(items, columns=["Topic", "What was said"], dtype=object)


def _routing(wb: Workbook) -> dict[int, str]:
    """Best next contact per open question, from the planner's routing."""
    routed = synthesis.route_open_questions(wb)
    if routed.empty:
        return {}
    return {
        int(i): f"{v} (suggested)"
        for i, v in zip(routed.index, routed["best_contact"], strict=True)
        if isinstance(v, str) and v
    }


def open_questions(wb: Workbook, interview: int) -> pd.DataFrame:
    """Questions this interview left open: how to answer each, and whom to ask next."""
    df = views.interview_open_questions(wb, interview).rename(
        columns={
            "question": "Question",
            "how_to_answer": "How to answer it",
            "ask_next": "Ask next",
            "status": "Status",
            "answer": "Answer",
        }
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
    df = views.referrals(wb, interview).rename(
        columns={
            "name": "Name",
            "role": "Role",
            "organisation": "Organisation",
            "status": "Status",
            "notes": "Notes",
        }
    )
    df["Status"] = df["Status"].map(_label)
    return df


def follow_ups_due(wb: Workbook, interview: int, today: dt.date) -> pd.DataFrame:
    """Follow-ups due or overdue for this interview, from the follow-up rules."""
    df = follow_ups(wb, today)
    df = df[df["interview_id"] == interview].drop(columns=["interview_id", "contact_id"])
    df = df.rename(columns={c: str(c).replace("_", " ").capitalize() for c in df.columns})
    return df.reset_index(drop=True)
