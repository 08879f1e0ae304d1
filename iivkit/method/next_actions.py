"""Next actions: what to do next beyond the letters of :mod:`iivkit.method.followups`.

Each rule reads the statuses the user keeps, and gives an action with a date and a plain reason:

- ``debrief``: a meeting still says *confirmed* after its day has passed; due on that day;
- ``confirm``: a contact said yes (contact status *confirmed*) but the interview is still planned
  or invited and no confirmation is sent; due today;
- ``invite``: a contact is *identified* and has never been sent an invitation. Referrals come
  first: one named in an interview is due the business day after it, the others today;
- ``find_someone``: an open question has nobody to ask (no one chosen, or the one chosen declined
  or never replied); the planner's routing (:func:`iivkit.method.synthesis.route`) suggests who;
- ``keep_active``: more than *max_active* employers are active at once (see
  :func:`active_organisations`); due today.

:func:`action_list` merges these with the follow-ups into one queue, sorted by date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

import pandas as pd

from iivkit.method.followups import (
    KINDS as FOLLOW_UP_KINDS,
)
from iivkit.method.followups import (
    FollowUp,
    FollowUpRules,
    add_business_days,
    follow_up_list,
    load_rules,
)
from iivkit.method.synthesis import route
from iivkit.method.targets import active_reasons, targets
from iivkit.method.targets import load_rules as load_target_rules
from iivkit.workbook.models import (
    Contact,
    ContactStatus,
    HowFound,
    Interview,
    InterviewStatus,
    OpenQuestion,
    OpenQuestionStatus,
    Organisation,
)
from iivkit.workbook.store import Workbook

NEW_INVITES_AT_ONCE = 5
"""How many people who are not referrals the queue asks you to invite at once."""

NEW_KINDS = ("debrief", "confirm", "invite", "find_someone", "keep_active")
"""The kinds of next action this module adds to the follow-ups."""

KINDS = ("debrief", "confirm", *FOLLOW_UP_KINDS, "invite", "find_someone", "keep_active")
"""Every kind in the queue, in the order they are listed on the same day."""

_UNREACHABLE = frozenset({ContactStatus.declined, ContactStatus.no_reply})

COLUMNS = [
    "due_date",
    "state",
    "kind",
    "contact",
    "organisation",
    "contact_id",
    "interview_id",
    "organisation_id",
    "open_question_id",
    "why",
]


@dataclass(frozen=True)
class Action:
    """One thing to do: a follow-up or a next action, with its date, state and reason.

    The ids say what it is about; those that do not apply are None.
    """

    due_date: dt.date
    state: str
    kind: str
    contact: str
    organisation: str
    contact_id: int | None
    interview_id: int | None
    organisation_id: int | None
    open_question_id: int | None
    why: str

    @property
    def who(self) -> str:
        """The person (and organisation) it concerns, or what it is about when no one."""
        if self.contact:
            return self.contact + (f" ({self.organisation})" if self.organisation else "")
        if self.open_question_id is not None:
            return f"open question {self.open_question_id}"
        return self.organisation or "your employers"

    def record_ids(self) -> dict[str, int]:
        """The records it is about, by field name: what identifies it from one day to the next.

        A contact's organisation is left out when the action is about the contact or an
        interview: moving someone to another employer must not make their event a new one.
        """
        about_a_person = self.contact_id is not None or self.interview_id is not None
        ids = {
            "contact_id": self.contact_id,
            "interview_id": self.interview_id,
            "organisation_id": None if about_a_person else self.organisation_id,
            "open_question_id": self.open_question_id,
        }
        return {k: v for k, v in ids.items() if v is not None}

    def as_json(self) -> dict[str, object]:
        """The action as plain JSON values: ``kind``, ``date``, ``state``, ``reason`` and the ids."""
        return {
            "kind": self.kind,
            "date": self.due_date.isoformat(),
            "state": self.state,
            "reason": self.why,
            "contact": self.contact or None,
            "organisation": self.organisation or None,
            "contact_id": self.contact_id,
            "interview_id": self.interview_id,
            "organisation_id": self.organisation_id,
            "open_question_id": self.open_question_id,
        }


def _long(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _state(due: dt.date, today: dt.date, upcoming_days: int) -> str | None:
    if due < today:
        return "overdue"
    if due == today:
        return "due"
    if (due - today).days <= upcoming_days:
        return "upcoming"
    return None


def active_organisations(wb: Workbook, today: dt.date) -> list[Organisation]:
    """Employers in play as of *today*, by the target list's rule (:func:`.targets.active_reasons`).

    An organisation is active while a meeting with one of its people is planned, invited or
    confirmed, or an invitation waits for an answer, and that step is recent (the workbook's
    ``target_rules.active_weeks``, 4 weeks unless saved). ``iivkit due``, ``iivkit calendar``
    and ``iivkit targets`` therefore count the same employers. Sorted by id.
    """
    reasons = active_reasons(wb, today, weeks=load_target_rules(wb).active_weeks)
    return [o for o in wb.all(Organisation) if o.id in reasons]


class _Rules:
    """Collects the next actions of one workbook as of *today*."""

    def __init__(self, wb: Workbook, today: dt.date, rules: FollowUpRules, max_active: int) -> None:
        self.wb, self.today, self.rules, self.max_active = wb, today, rules, max_active
        self.contacts = {c.id: c for c in wb.all(Contact)}
        self.orgs = {o.id: o for o in wb.all(Organisation)}
        self.interviews = [i for i in wb.all(Interview) if i.contact_id in self.contacts]
        self.active = active_organisations(wb, today)
        self.items: list[tuple[int, Action]] = []  # (rank among the same kind and day, action)

    def add(
        self,
        due: dt.date,
        kind: str,
        why: str,
        *,
        contact: Contact | None = None,
        interview: Interview | None = None,
        organisation: Organisation | None = None,
        open_question: OpenQuestion | None = None,
        rank: int = 0,
    ) -> None:
        state = _state(due, self.today, self.rules.upcoming_days)
        if state is None:
            return
        if organisation is None and contact is not None and contact.organisation_id:
            organisation = self.orgs.get(contact.organisation_id)
        action = Action(
            due,
            state,
            kind,
            contact.name if contact else "",
            organisation.name if organisation else "",
            contact.id if contact else None,
            interview.id if interview else None,
            organisation.id if organisation else None,
            open_question.id if open_question else None,
            why,
        )
        self.items.append((rank, action))

    def collect(self) -> list[Action]:
        for interview in self.interviews:
            self.debrief(interview)
            self.confirm(interview)
        self.invites()
        for question in self.wb.all(OpenQuestion, status=OpenQuestionStatus.open):
            self.find_someone(question)
        self.keep_active()
        return [a for _, a in sorted(self.items, key=lambda item: sort_key(item[1], item[0]))]

    def debrief(self, interview: Interview) -> None:
        if interview.status != InterviewStatus.confirmed or interview.scheduled_at is None:
            return
        met = interview.scheduled_at.date()
        if met >= self.today:
            return
        contact = self.contacts[interview.contact_id]
        why = (
            f"Your meeting with {contact.name} on {_long(met)} has passed but still says confirmed: "
            "debrief it while you remember (answers, findings, referrals), mark it done, and send "
            "your thank-you."
        )
        self.add(met, "debrief", why, contact=contact, interview=interview)

    def confirm(self, interview: Interview) -> None:
        contact = self.contacts[interview.contact_id]
        agreed = contact.status == ContactStatus.confirmed
        waiting = interview.status in (InterviewStatus.planned, InterviewStatus.invited)
        if not (agreed and waiting) or interview.confirmation_sent is not None:
            return
        when = interview.scheduled_at.date() if interview.scheduled_at else None
        if when is not None and when < self.today:
            return  # its day has passed: a debrief or a new date, not a confirmation
        on = f" for {_long(when)}" if when else ""
        why = (
            f"{contact.name} agreed to meet{on}, but the interview still says "
            f"{interview.status.value} and no confirmation has been sent: send the confirmation with the "
            "date and keywords, then mark it confirmed."
        )
        self.add(self.today, "confirm", why, contact=contact, interview=interview)

    def invites(self) -> None:
        """Invite the people identified but never asked: every referral, and a few others at once.

        A list of 500 imported connections is a pool to choose from, not 500 things to do today:
        after the referrals, only :data:`NEW_INVITES_AT_ONCE` others are listed, those at the
        organisations highest on the target list first, and one more line says how many wait.
        """
        asked = {i.contact_id for i in self.interviews if i.invitation_sent is not None}
        active_ids = {o.id for o in self.active}
        waiting = [
            c for c in self.contacts.values() if c.status == ContactStatus.identified and c.id not in asked
        ]
        referrals = [c for c in waiting if c.referred_by_id is not None or c.how_found == HowFound.referral]
        others = [c for c in waiting if c not in referrals]
        if len(others) > NEW_INVITES_AT_ONCE:
            ranked = targets(self.wb)
            rank = dict(zip(ranked["organisation_id"].astype(int), ranked["rank"].astype(int), strict=True))
            others.sort(key=lambda c: (rank.get(c.organisation_id or 0, len(rank) + 1), c.id or 0))
        chosen = referrals + others[:NEW_INVITES_AT_ONCE]
        for place, contact in enumerate(chosen):
            planned = next((i for i in self.interviews if i.contact_id == contact.id and i.upcoming), None)
            referred = contact in referrals
            due, why = self.today, f"{contact.name} is identified but has never been invited"
            if referred:
                due, why = self._referral(contact)
            why += ": write and send the invitation." if not referred else "."
            org = self.orgs.get(contact.organisation_id) if contact.organisation_id else None
            full = len(self.active) >= self.max_active
            if org is not None and org.id not in active_ids and full and not referred:
                why += (
                    f" {len(self.active)} employers are active already (at most {self.max_active}):"
                    f" finish with one before you open {org.name}."
                )
            # Referrals first, then the others in the order chosen above.
            self.add(
                due, "invite", why, contact=contact, interview=planned, rank=0 if referred else 1 + place
            )
        more = len(others) - NEW_INVITES_AT_ONCE
        if more > 0:
            people = "person" if more == 1 else "people"
            why = (
                f"{more} more {people} you identified are not invited yet. Invite a few at a time, "
                "starting at the organisations at the top of your target list (iivkit targets)."
            )
            self.add(self.today, "invite", why, rank=1 + len(chosen))

    def _referral(self, contact: Contact) -> tuple[dt.date, str]:
        """When to invite a referral, and who referred them: the business day after the referral."""
        by = self.contacts.get(contact.referred_by_id) if contact.referred_by_id else None
        source = next((i for i in self.interviews if i.id == contact.referred_in_interview_id), None)
        if by is None and source is not None:
            by = self.contacts.get(source.contact_id)
        head = f"{by.name} referred {contact.name}" if by else f"{contact.name} is a referral"
        if source is None or source.scheduled_at is None:
            return self.today, f"{head}; you have not invited them yet: write and send the invitation"
        met = source.scheduled_at.date()
        due = add_business_days(met, 1, self.rules.holidays)
        return due, (
            f"{head} in your interview of {_long(met)}: write and send the invitation while the "
            "introduction is fresh"
        )

    def find_someone(self, question: OpenQuestion) -> None:
        chosen = self.contacts.get(question.suggested_contact_id) if question.suggested_contact_id else None
        if chosen is not None and chosen.status not in _UNREACHABLE:
            return
        text = " ".join(question.text.split())  # a question may run over several lines
        short = text if len(text) <= 70 else text[:69].rstrip() + "…"
        if chosen is not None:
            head = f"{chosen.name}, whom you chose to ask “{short}”, {_status_words(chosen.status)}"
        else:
            head = f"Nobody is chosen to ask “{short}”"
        best = route(self.wb, question)
        suggestion = self.contacts.get(best.contact_id) if best.contact_id is not None else None
        if suggestion is not None:
            tail = f"The best fit is {suggestion.name} ({best.reason}): choose them, or someone else."
        else:
            tail = "No contact fits: look for a source, or a new contact, in this field."
        self.add(self.today, "find_someone", f"{head}. {tail}", open_question=question)

    def keep_active(self) -> None:
        n = len(self.active)
        if n <= self.max_active:
            return
        names = ", ".join(o.name for o in self.active)
        waiting = self._only_waiting()
        park = f" Candidates to park (no meeting yet): {', '.join(waiting)}." if waiting else ""
        why = (
            f"{n} employers are active, more than {self.max_active} at a time: close or park "
            f"{n - self.max_active} before inviting anyone new. Active: {names}.{park}"
        )
        self.add(self.today, "keep_active", why)

    def _only_waiting(self) -> list[str]:
        """Active organisations with no confirmed meeting, only invitations out."""
        with_meeting = {
            self.contacts[i.contact_id].organisation_id
            for i in self.interviews
            if i.status == InterviewStatus.confirmed
        }
        return [o.name for o in self.active if o.id not in with_meeting]


def _status_words(status: ContactStatus) -> str:
    return "declined" if status == ContactStatus.declined else "never replied"


def sort_key(action: Action, rank: int = 0) -> tuple[dt.date, int, int, int, int, int]:
    """Date, then kind (see :data:`KINDS`), then referrals first, then the records' ids."""
    order = KINDS.index(action.kind)
    return (
        action.due_date,
        order,
        rank,
        action.interview_id or 0,
        action.contact_id or 0,
        action.open_question_id or 0,
    )


def next_action_list(
    wb: Workbook,
    today: dt.date,
    rules: FollowUpRules | None = None,
    *,
    max_active: int | None = None,
) -> list[Action]:
    """The next actions alone (not the follow-ups), sorted by date.

    :param rules: the follow-up rules, for holidays and how far ahead to look; default the
        workbook's own.
    :param max_active: how many employers may be active before ``keep_active`` is raised.
    """
    limit = max_active if max_active is not None else load_target_rules(wb).max_active
    return _Rules(wb, today, rules or load_rules(wb), limit).collect()


def from_follow_up(item: FollowUp, organisation_id: int | None = None) -> Action:
    """A follow-up as an :class:`Action`: it is about one contact, their interview and employer."""
    return Action(
        item.due_date,
        item.state,
        item.kind,
        item.contact,
        item.organisation,
        item.contact_id,
        item.interview_id,
        organisation_id,
        None,
        item.why,
    )


def action_list(
    wb: Workbook,
    today: dt.date,
    rules: FollowUpRules | None = None,
    *,
    max_active: int | None = None,
) -> list[Action]:
    """Follow-ups and next actions in one queue, sorted by date, then kind.

    The follow-ups keep their own order among themselves; the next actions fall in between by
    date. Parameters as for :func:`next_action_list`.
    """
    rules = rules or load_rules(wb)
    employer = {c.id: c.organisation_id for c in wb.all(Contact)}
    follow = [from_follow_up(f, employer.get(f.contact_id)) for f in follow_up_list(wb, today, rules)]
    ranked = [(sort_key(a), n, a) for n, a in enumerate(follow)]
    more = next_action_list(wb, today, rules, max_active=max_active)
    ranked += [(sort_key(a), len(follow) + n, a) for n, a in enumerate(more)]
    return [a for _, _, a in sorted(ranked, key=lambda r: (r[0][:2], r[1]))]


def next_actions(
    wb: Workbook,
    today: dt.date,
    rules: FollowUpRules | None = None,
    *,
    max_active: int | None = None,
) -> pd.DataFrame:
    """Follow-ups and next actions as a table, one row per action (see :func:`action_list`)."""
    items = action_list(wb, today, rules, max_active=max_active)
    df = pd.DataFrame([asdict(a) for a in items], columns=COLUMNS)
    for column in ("contact_id", "interview_id", "organisation_id", "open_question_id"):
        df[column] = df[column].astype("Int64")
    return df
