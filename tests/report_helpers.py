"""Small workbooks for the report tests, built from the public API (no demo module needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Profile,
    Workbook,
)

MARKUP = '<script>alert("x")</script> and <img src=x onerror="alert(1)">'


def build_workbook(path: Path, *, interviews: int = 2, markup: bool = False, student: str = "Ada") -> Path:
    """A workbook with *interviews* debriefed interviews, each with a plan, outcomes, insights,
    an open question and a referral. With *markup*, notes hold HTML that must show as text."""
    note = MARKUP if markup else "They said it matches what they see."
    with Workbook.create(path) as wb, wb.transaction():
        wb.add(Profile(name=student, email="ada@example.org"))
        org = wb.add(Organisation(name="Health Lab", sector="public health"))
        f1 = wb.add(Finding(claim="The lab hires two analysts a year.", topic="hiring", to_test=True))
        f2 = wb.add(Finding(claim="Most work is in R.", topic="methods", to_test=True))
        for n in range(1, interviews + 1):
            person = wb.add(
                Contact(name=f"Person {n}", role="Analyst", organisation_id=org.id, status="interviewed")
            )
            iv = wb.add(
                Interview(
                    contact_id=person.id,
                    scheduled_at=dt.datetime(2024, 3, n, 10, 0),
                    timezone="Africa/Johannesburg",
                    status="debriefed",
                    salary_info="R 30 000 a month to start" + (f" {MARKUP}" if markup else ""),
                    environment_info="Quiet, hybrid.",
                    chances_feedback="Good, with an internship first.",
                    notes=note,
                )
            )
            wb.add(
                PlannedQuestion(
                    interview_id=iv.id,
                    position=0,
                    category="background",
                    text="How did you start?",
                    answer=note,
                )
            )
            wb.add(
                PlannedQuestion(
                    interview_id=iv.id,
                    position=1,
                    category="industry",
                    text="Is it true?",
                    finding_id=f1.id,
                    answer="Yes.",
                )
            )
            wb.add(FindingOutcome(interview_id=iv.id, finding_id=f1.id, outcome="confirmed", note=note))
            wb.add(
                FindingOutcome(interview_id=iv.id, finding_id=f2.id, outcome="refuted" if n % 2 else "mixed")
            )
            wb.add(Insight(interview_id=iv.id, kind="advice", tiara="advice", text=f"Learn SQL. {note}"))
            wb.add(Insight(interview_id=iv.id, kind="insight", text="Teams are small."))
            wb.add(Insight(interview_id=iv.id, kind="salary", text="Bonuses are rare."))
            wb.add(
                Contact(
                    name=f"Referral {n}", referred_in_interview_id=iv.id, how_found="referral", notes=note
                )
            )
            wb.add(
                OpenQuestion(
                    interview_id=iv.id,
                    text=f"Which team hires juniors? {note}",
                    how_to_answer="Ask HR",
                    suggested_contact_id=person.id,
                )
            )
    return path
