"""A small workbook where every next-action rule fires on :data:`TODAY`, built from the public API."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from iivkit import Contact, Interview, OpenQuestion, Organisation, Profile, Workbook
from iivkit.workbook.models import ContactStatus, HowFound, InterviewStatus

TODAY = dt.date(2026, 12, 1)  # a Tuesday
MET = dt.datetime(2026, 11, 20, 10, 0)  # the Friday before last
PASSED = dt.datetime(2026, 11, 27, 14, 0)  # last Friday: the meeting to debrief
AGREED = dt.datetime(2026, 12, 8, 10, 0)  # next Tuesday: the meeting to confirm


def build_actions_workbook(path: Path) -> dict[str, int]:
    """Write the workbook at *path*; return the ids the tests name, by a short key.

    - ``thandi`` at Ubuntu Health Trust was met on :data:`MET` and thanked; in that interview
      she referred ``bongani`` (identified): an overdue invite;
    - ``zanele`` at Khanya Research, met at an event, is identified: an invite due today;
    - ``pieter`` at the Provincial Department said yes, but his interview still says invited:
      confirm it;
    - ``lindiwe`` at the Soweto Clinic was to meet on :data:`PASSED`, still confirmed: debrief;
    - ``mandla`` at Metro Council declined; the open question ``q_declined`` chose him;
    - ``q_nobody`` has no one to ask and names no one who fits;
    - ``sam`` at Ikamva Labs never replied; with Pieter's and Lindiwe's employers that makes
      three active employers.
    """
    ids: dict[str, int] = {}
    with Workbook.create(path) as wb, wb.transaction():
        wb.add(Profile(name="Lerato Dube"))

        def org(key: str, name: str) -> int:
            ids[key] = wb.add(Organisation(name=name)).id or 0
            return ids[key]

        def person(key: str, name: str, org_id: int, status: ContactStatus, **extra: Any) -> int:
            contact = Contact(name=name, organisation_id=org_id, status=status, **extra)
            ids[key] = wb.add(contact).id or 0
            return ids[key]

        def meeting(key: str, contact_id: int, **fields: Any) -> int:
            ids[key] = wb.add(Interview(contact_id=contact_id, **fields)).id or 0
            return ids[key]

        ubuntu = org("ubuntu", "Ubuntu Health Trust")
        thandi = person("thandi", "Thandi Mokoena", ubuntu, ContactStatus.thanked)
        met = meeting(
            "met",
            thandi,
            scheduled_at=MET,
            status=InterviewStatus.debriefed,
            invitation_sent=dt.date(2026, 11, 9),
            confirmation_sent=dt.date(2026, 11, 12),
            thank_you_sent=dt.date(2026, 11, 21),
        )
        person(
            "bongani",
            "Bongani Khoza",
            ubuntu,
            ContactStatus.identified,
            how_found=HowFound.referral,
            referred_by_id=thandi,
            referred_in_interview_id=met,
        )
        person("zanele", "Zanele Mahlangu", org("khanya", "Khanya Research"), ContactStatus.identified)

        pieter = person(
            "pieter", "Pieter Botha", org("department", "Provincial Department"), ContactStatus.confirmed
        )
        meeting(
            "agreed",
            pieter,
            scheduled_at=AGREED,
            status=InterviewStatus.invited,
            invitation_sent=dt.date(2026, 11, 25),
        )
        lindiwe = person(
            "lindiwe", "Lindiwe Sithole", org("clinic", "Soweto Clinic"), ContactStatus.confirmed
        )
        meeting(
            "passed",
            lindiwe,
            scheduled_at=PASSED,
            status=InterviewStatus.confirmed,
            invitation_sent=dt.date(2026, 11, 16),
            confirmation_sent=dt.date(2026, 11, 18),
        )
        mandla = person("mandla", "Mandla Mthembu", org("council", "Metro Council"), ContactStatus.declined)
        person("sam", "Sam Peters", org("ikamva", "Ikamva Labs"), ContactStatus.no_reply)

        ids["q_declined"] = (
            wb.add(
                OpenQuestion(text="Which posts open at Soweto Clinic in 2027?", suggested_contact_id=mandla)
            ).id
            or 0
        )
        ids["q_nobody"] = wb.add(OpenQuestion(text="Is a driving licence needed?")).id or 0
    return ids
