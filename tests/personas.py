"""Three people unlike the demo's psychology student, built through the public API.

- ``changer``: a registered nurse of twelve years moving into UX research, with three
  organisations and four contacts from a vice-president to a recruiter, one interview
  debriefed, a referral and an author among them.
- ``senior``: a finance director moving into the charity sector, who greets people formally.
- ``student``: a second-year geography student looking at planning and environmental work.

Each builder returns the open workbook and a dict of the ids the tests need by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from iivkit import Contact, Finding, FindingOutcome, Insight, Interview, Organisation, Profile, Workbook
from iivkit.workbook.models import (
    CareerStage,
    ContactStatus,
    FocusArea,
    GreetingStyle,
    HowFound,
    InsightKind,
    InterviewStatus,
    Medium,
    OpenQuestion,
    Outcome,
    Seniority,
)

Built = tuple[Workbook, dict[str, int]]


def _id(record: object) -> int:
    value = getattr(record, "id", None)
    assert isinstance(value, int)
    return value


def changer(path: Path, *, greeting: GreetingStyle = GreetingStyle.formal) -> Built:
    """Grace Okafor, a nurse of twelve years moving into UX research in Chicago."""
    wb = Workbook.create(path)
    wb.add(
        Profile(
            name="Grace Okafor",
            email="grace.okafor@example.com",
            phone="+1 312 555 0188",
            current_qualification="Google UX Design Professional Certificate (in progress)",
            previous_qualifications=["BSN", "RN licence"],
            career_vision="After twelve years as a registered nurse, I want to research how nurses "
            "and patients "
            "use health software, and help build tools that fit the way care really happens",
            careers_of_interest=["Health technology"],
            career_stage=CareerStage.career_changer,
            target_roles=["UX researcher", "Clinical informatics specialist"],
            greeting_style=greeting,
            timezone="America/Chicago",
        )
    )
    pulse = wb.add(
        Organisation(
            name="Pulse Health",
            sector="digital health start-up",
            main_business="A digital health start-up that builds remote patient monitoring apps "
            "for hospitals",
        )
    )
    northshore = wb.add(
        Organisation(
            name="Northshore Medical Center",
            sector="hospital system",
            main_business="Runs three hospitals and a network of clinics around Chicago. "
            "Moved to a new electronic health record in 2025",
        )
    )
    brightline = wb.add(
        Organisation(
            name="Brightline Recruiting",
            sector="recruitment",
            main_business="Recruits UX, product and data people for health technology companies.",
        )
    )
    kwame = wb.add(
        Contact(
            name="Kwame Mensah",
            role="UX Research Lead",
            organisation_id=pulse.id,
            email="kwame.mensah@pulse.example.com",
            how_found=HowFound.alumni,
            seniority=Seniority.senior,
            focus_area=FocusArea.research,
            status=ContactStatus.thanked,
        )
    )
    interview_kwame = wb.add(
        Interview(
            contact_id=_id(kwame),
            scheduled_at=dt.datetime(2026, 11, 17, 12, 0),
            timezone="America/Chicago",
            medium=Medium.video,
            place="https://meet.example.com/pulse-kwm",
            status=InterviewStatus.debriefed,
            keywords=["research with nurses", "portfolios", "pay at start-ups"],
            invitation_sent=dt.date(2026, 11, 2),
            confirmation_sent=dt.date(2026, 11, 12),
        )
    )
    dana = wb.add(
        Contact(
            name="Dana Whitfield",
            honorific="Dr",
            role="VP, Clinical Informatics",
            organisation_id=northshore.id,
            email="dana.whitfield@northshore.example.org",
            how_found=HowFound.referral,
            referred_by_id=kwame.id,
            referred_in_interview_id=interview_kwame.id,
            seniority=Seniority.very_senior,
            focus_area=FocusArea.clinical,
            status=ContactStatus.invited,
        )
    )
    tom = wb.add(
        Contact(
            name="Tom Becker",
            role="Technical Recruiter",
            organisation_id=brightline.id,
            email="tom.becker@brightline.example.com",
            how_found=HowFound.cold,
            seniority=Seniority.mid,
            focus_area=FocusArea.hr,
        )
    )
    priya = wb.add(
        Contact(
            name="Priya Raman",
            role="Senior Product Designer",
            organisation_id=pulse.id,
            email="priya.raman@pulse.example.com",
            how_found=HowFound.event,
        )
    )
    usability = wb.add(
        Finding(
            claim="Pulse Health's research team runs usability sessions with nurses every sprint",
            topic="research methods",
            organisation_id=pulse.id,
            source_title="How we research with clinicians",
            source_author="Pulse Health blog",
            to_test=True,
        )
    )
    salary = wb.add(
        Finding(
            claim="Mid-level UX researchers at Chicago start-ups earn $95k to $120k.",
            topic="salaries",
            source_title="2026 UX salary survey",
            to_test=True,
        )
    )
    wb.add(
        Finding(
            claim="Northshore is hiring clinical informatics specialists to support its new health record.",
            topic="hiring",
            organisation_id=northshore.id,
            source_title="Designing with nurses, not for them",
            source_author="Dana Whitfield",
            source_date=dt.date(2026, 6, 3),
            to_test=True,
        )
    )
    wb.add(
        Finding(
            claim="Health technology employers value clinical experience in UX research because researchers "
            "must understand clinical workflows.",
            topic="hiring",
            source_title="Hiring for health UX",
            to_test=True,
        )
    )
    iv = _id(interview_kwame)
    wb.add(FindingOutcome(interview_id=iv, finding_id=_id(usability), outcome=Outcome.confirmed, note="Yes."))
    wb.add(
        FindingOutcome(
            interview_id=iv,
            finding_id=_id(salary),
            outcome=Outcome.refuted,
            note="Nearer $85k to $105k for mid-level researchers in Chicago start-ups.",
        )
    )
    wb.add(Insight(interview_id=iv, kind=InsightKind.salary, text="Mid-level pay nearer $85k to $105k."))
    wb.add(Insight(interview_id=iv, kind=InsightKind.insight, text="Ask Dana about the informatics team."))
    wb.add(
        Insight(
            interview_id=iv,
            kind=InsightKind.advice,
            text="Build a portfolio case study from a workflow problem you solved as a nurse",
        )
    )
    wb.add(
        OpenQuestion(
            interview_id=iv,
            text="How does the informatics team choose which clinical workflows to study?",
            how_to_answer="Ask Dana on 8 December.",
            suggested_contact_id=dana.id,
        )
    )
    interview_dana = wb.add(
        Interview(
            contact_id=_id(dana),
            timezone="America/Chicago",
            duration_minutes=20,
            medium=Medium.video,
            status=InterviewStatus.invited,
            keywords=["informatics careers"],
            invitation_sent=dt.date(2026, 11, 24),
        )
    )
    interview_tom = wb.add(Interview(contact_id=_id(tom), timezone="America/Chicago", medium=Medium.phone))
    return wb, {
        "kwame": _id(kwame),
        "dana": _id(dana),
        "tom": _id(tom),
        "priya": _id(priya),
        "interview_kwame": iv,
        "interview_dana": _id(interview_dana),
        "interview_tom": _id(interview_tom),
    }


def senior(path: Path) -> Built:
    """Robert Lindqvist, a finance director moving into charity finance in Manchester."""
    wb = Workbook.create(path)
    wb.add(
        Profile(
            name="Robert Lindqvist",
            email="robert.lindqvist@example.co.uk",
            current_qualification="MBA (2009)",
            previous_qualifications=["ACCA qualification", "BCom Accounting"],
            career_vision="I have run finance teams in manufacturing for twenty years and want to "
            "spend the rest "
            "of my career helping charities stay on a sound footing.",
            careers_of_interest=["Charity finance", "Finance director"],
            career_stage=CareerStage.experienced,
            target_roles=["Chief financial officer"],
            greeting_style=GreetingStyle.formal,
            timezone="Europe/London",
        )
    )
    trust = wb.add(
        Organisation(
            name="Riverside Housing Trust",
            sector="charity: housing",
            main_business="Provides affordable homes and support for 12,000 tenants in the north of England.",
        )
    )
    arts = wb.add(
        Organisation(
            name="Northern Arts Council",
            sector="public funder",
            main_business="Funds theatres, galleries and festivals across the north",
        )
    )
    helen = wb.add(
        Contact(
            name="Helen Carter",
            honorific="Ms",
            role="Chief Executive",
            organisation_id=trust.id,
            email="helen.carter@riverside.example.org.uk",
            how_found=HowFound.event,
            seniority=Seniority.very_senior,
            status=ContactStatus.thanked,
        )
    )
    talk = wb.add(
        Interview(
            contact_id=_id(helen),
            scheduled_at=dt.datetime(2026, 10, 14, 9, 30),
            timezone="Europe/London",
            medium=Medium.in_person,
            place="Riverside Housing Trust, Salford office",
            status=InterviewStatus.debriefed,
            keywords=["charity boards", "risk"],
            invitation_sent=dt.date(2026, 9, 30),
        )
    )
    james = wb.add(
        Contact(
            name="James Osei",
            role="Director of Finance",
            organisation_id=arts.id,
            email="james.osei@northernarts.example.org.uk",
            how_found=HowFound.referral,
            referred_by_id=helen.id,
            referred_in_interview_id=talk.id,
            seniority=Seniority.senior,
            focus_area=FocusArea.finance,
        )
    )
    wb.add(
        Finding(
            claim="Riverside Housing Trust is merging with a smaller housing association next year.",
            topic="strategy",
            organisation_id=trust.id,
            source_title="Annual review 2025",
            to_test=True,
        )
    )
    wb.add(
        Finding(
            claim="Arts funders now ask every grant holder for a three-year reserves policy.",
            topic="finance",
            organisation_id=arts.id,
            source_title="Funding guidance 2026",
            to_test=True,
        )
    )
    wb.add(
        Finding(
            claim="Charity finance directors in the north earn £70,000 to £90,000.",
            topic="pay",
            to_test=True,
        )
    )
    wb.add(
        Insight(
            interview_id=_id(talk),
            kind=InsightKind.insight,
            text="Charity boards want finance leaders who can explain risk to people "
            "without a finance background",
        )
    )
    wb.add(Insight(interview_id=_id(talk), kind=InsightKind.chances, text="My CV reads as too corporate."))
    later = wb.add(
        Interview(
            contact_id=_id(james),
            scheduled_at=dt.datetime(2027, 1, 12, 11, 0),
            timezone="Europe/London",
            duration_minutes=45,
            medium=Medium.video,
            place="https://meet.example.org/arts-jo",
            status=InterviewStatus.confirmed,
            keywords=["reserves", "grant cycles"],
        )
    )
    return wb, {
        "helen": _id(helen),
        "james": _id(james),
        "interview_helen": _id(talk),
        "interview_james": _id(later),
    }


def student(path: Path) -> Built:
    """Tariq Hassan, a second-year geography student in Leeds."""
    wb = Workbook.create(path)
    wb.add(
        Profile(
            name="Tariq Hassan",
            email="tariq.hassan@students.example.ac.uk",
            current_qualification="BA Geography (second year)",
            previous_qualifications=["A levels in Geography, Biology and Maths"],
            career_vision="I want to help cities plan for floods and heat, so that new homes "
            "are safe to live in.",
            careers_of_interest=["Urban planning", "Environmental consultant"],
            career_stage=CareerStage.student,
            timezone="Europe/London",
        )
    )
    council = wb.add(
        Organisation(
            name="Leeds City Council",
            sector="local government",
            main_business="Plans land use, housing and transport for the city",
        )
    )
    greenway = wb.add(
        Organisation(
            name="Greenway Environmental",
            sector="consultancy",
            main_business="An environmental consultancy that assesses flood risk for housing "
            "and transport projects.",
        )
    )
    ian = wb.add(
        Contact(
            name="Mr Ian Clarke",
            role="Planning Officer",
            organisation_id=council.id,
            email="ian.clarke@leeds.example.gov.uk",
            how_found=HowFound.organisation_website,
            seniority=Seniority.mid,
            focus_area=FocusArea.public_sector,
            status=ContactStatus.invited,
        )
    )
    sophie = wb.add(
        Contact(
            name="Sophie Turner",
            role="Graduate Flood Risk Consultant",
            organisation_id=greenway.id,
            email="sophie.turner@greenway.example.co.uk",
            how_found=HowFound.alumni,
            seniority=Seniority.junior,
            status=ContactStatus.thanked,
        )
    )
    wb.add(
        Finding(
            claim="The council's planning team takes two summer placement students each year.",
            topic="placements",
            organisation_id=council.id,
            source_title="Work experience at the council",
            to_test=True,
        )
    )
    wb.add(
        Finding(
            claim="Graduate consultants at Greenway spend about half their time on site visits.",
            topic="the work",
            organisation_id=greenway.id,
            source_title="Careers page",
            to_test=True,
        )
    )
    chat = wb.add(
        Interview(
            contact_id=_id(sophie),
            scheduled_at=dt.datetime(2026, 11, 5, 16, 0),
            timezone="Europe/London",
            medium=Medium.phone,
            place="+44 113 555 0101",
            status=InterviewStatus.debriefed,
            keywords=["site visits", "GIS skills"],
        )
    )
    wb.add(
        Insight(
            interview_id=_id(chat),
            kind=InsightKind.advice,
            text="Learn QGIS over the summer; every graduate post asks for it.",
        )
    )
    invited = wb.add(
        Interview(
            contact_id=_id(ian),
            timezone="Europe/London",
            medium=Medium.in_person,
            status=InterviewStatus.invited,
            keywords=["placements"],
            invitation_sent=dt.date(2026, 11, 18),
        )
    )
    return wb, {
        "ian": _id(ian),
        "sophie": _id(sophie),
        "interview_sophie": _id(chat),
        "interview_ian": _id(invited),
    }


PERSONAS: dict[str, Callable[[Path], Built]] = {"changer": changer, "senior": senior, "student": student}
