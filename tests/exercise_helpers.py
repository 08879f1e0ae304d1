"""Students' workbooks at known stages of the course exercises, built from the public API.

``complete`` has done all four exercises, ``partial`` has started each with known gaps,
``empty`` is a new workbook. Each builder returns the path; ``TODAY`` is the day the class
summary counts overdue follow-ups from.
"""

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
from iivkit.method.letters import render_letter
from iivkit.method.planner import plan, save_plan

TODAY = dt.date(2026, 3, 20)
VISION = (
    "In five years I want to lead evaluations of public health programmes, working with the people "
    "who run them to find out honestly what helps, and to start as a research assistant or data analyst."
)
GENERALIST = "Grace Hopper"
SPECIALIST = "Linus Byte"


def _research(wb: Workbook, *, student: str, org_name: str) -> tuple[Organisation, list[Finding]]:
    wb.add(
        Profile(
            name=student,
            email=f"{student.split()[0].lower()}@students.example.org",
            current_qualification="BSc Statistics (final year)",
            careers_of_interest=["Data analyst", "Programme evaluation"],
            career_vision=VISION,
            vision_and_targets=f"{org_name} evaluates the programmes I care about, and hires analysts.",
        )
    )
    org = wb.add(
        Organisation(
            name=org_name,
            sector="public health",
            main_business="Evaluates public health programmes for the province.",
            divisions=["Evaluation", "Data and Systems"],
            locations=["Johannesburg"],
            job_kinds=["Research assistant", "Data analyst"],
        )
    )
    claims = [
        ("The lab hires two analysts a year.", "hiring"),
        ("Most analysis is done in R.", "technology"),
        ("New analysts start on fixed-term contracts.", "contracts"),
        ("The lab's data platform moved to the cloud in 2025.", "technology"),
        ("Evaluations are funded by provincial grants.", "funding"),
    ]
    findings = [
        wb.add(
            Finding(
                claim=claim,
                topic=topic,
                organisation_id=org.id,
                source_title=f"Report {n}",
                source_link=f"https://lab.example.org/report-{n}",
                source_author="Health Lab",
                source_date=dt.date(2025, 6, n),
                to_test=n <= 3,
            )
        )
        for n, (claim, topic) in enumerate(claims, 1)
    ]
    return org, findings


def build_complete(
    path: Path,
    *,
    student: str = "Ada Lovelace",
    org_name: str = "Health Lab",
    questions: tuple[str, ...] = (),
) -> Path:
    """A workbook in which all four exercises are complete.

    :param questions: the open questions raised in the debriefed interview (default one).
    """
    with Workbook.create(path) as wb, wb.transaction():
        org, findings = _research(wb, student=student, org_name=org_name)
        senior = wb.add(
            Contact(
                name=GENERALIST,
                role="Director",
                organisation_id=org.id,
                email="grace.hopper@lab.example.org",
                seniority="very_senior",
                focus_area="general",
                status="thanked",
            )
        )
        techie = wb.add(
            Contact(
                name=SPECIALIST,
                role="Data and Systems Lead",
                organisation_id=org.id,
                email="linus.byte@lab.example.org",
                seniority="mid",
                focus_area="technology",
                status="confirmed",
            )
        )
        held = wb.add(
            Interview(
                contact_id=senior.id,
                scheduled_at=dt.datetime(2026, 3, 2, 10, 0),
                status="debriefed",
                salary_info="Analysts start on about R25 000 a month.",
                next_questions="Ask the data lead which tools juniors learn first.",
                thank_you_sent=dt.date(2026, 3, 3),
            )
        )
        save_plan(wb, held.id, plan(wb, senior.id))
        for f in findings[:3]:
            wb.add(FindingOutcome(interview_id=held.id, finding_id=f.id, outcome="confirmed", note="Yes."))
        wb.add(Insight(interview_id=held.id, kind="advice", text="Learn SQL."))
        for text in questions or ("Which master's degree suits evaluation work?",):
            wb.add(
                OpenQuestion(interview_id=held.id, text=text, how_to_answer=f"Ask {SPECIALIST} next week.")
            )
        coming = wb.add(
            Interview(
                contact_id=techie.id,
                scheduled_at=dt.datetime(2026, 3, 27, 14, 0),
                timezone="Africa/Johannesburg",
                medium="video",
                place="https://meet.example.org/byte",
                status="confirmed",
                keywords=["data platform", "R", "junior analysts"],
            )
        )
        save_plan(wb, coming.id, plan(wb, techie.id))
        letters = {n: render_letter(wb, coming.id, n).text for n in ("invitation", "confirmation")}
        wb.update(
            wb.get(Interview, coming.id).model_copy(
                update={
                    "invitation_text": letters["invitation"],
                    "confirmation_text": letters["confirmation"],
                }
            )
        )
    return path


def build_partial(path: Path, *, student: str = "Bea Partial") -> Path:
    """A workbook with each exercise started and known gaps in each."""
    with Workbook.create(path) as wb, wb.transaction():
        wb.add(Profile(name=student, career_vision="Something in data."))
        org = wb.add(Organisation(name="Metro Transit", main_business="Runs the city's buses."))
        f1 = wb.add(Finding(claim="It hires ten engineers a year.", organisation_id=org.id, to_test=True))
        wb.add(
            Finding(
                claim="Ridership fell in 2024.",
                organisation_id=org.id,
                source_title="Annual report 2024",
            )
        )
        wb.add(
            Finding(
                claim="It runs a graduate programme.",
                organisation_id=org.id,
                source_link="https://transit.example.org/graduates",
                source_date=dt.date(2025, 1, 10),
            )
        )
        boss = wb.add(
            Contact(
                name="Mo Senior",
                organisation_id=org.id,
                seniority="senior",
                focus_area="general",
                status="interviewed",
            )
        )
        held = wb.add(
            Interview(contact_id=boss.id, scheduled_at=dt.datetime(2026, 3, 9, 9, 0), status="done")
        )
        wb.add(
            PlannedQuestion(
                interview_id=held.id, category="industry", text="I read it hires ten. True?", finding_id=f1.id
            )
        )
        wb.add(OpenQuestion(interview_id=held.id, text="What do engineers earn?"))
        wb.update(wb.get(Interview, held.id).model_copy(update={"invitation_text": "Dear Mo, may we talk?"}))
    return path


def build_empty(path: Path) -> Path:
    """A new workbook with nothing in it."""
    Workbook.create(path).close()
    return path
