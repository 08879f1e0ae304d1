"""Follow-up rules: what to send whom, and when, counted in business days.

The default rule set (a :class:`FollowUpRules`, stored per workbook as JSON in the workbook
setting ``followup_rules``):

- a thank-you is due one business day after the interview;
- an invitation with no reply for 3 business days prompts inviting a second person at the
  same organisation;
- after 7 business days, one nudge to the first person;
- check-ins follow 30, 60 and 90 days after the interview (moved to the next business day).

:func:`follow_ups` lists what is due, overdue, or coming up, with a plain reason for each.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from iivkit.errors import ValidationFailed
from iivkit.workbook.models import Contact, ContactStatus, Interview, InterviewStatus, Organisation
from iivkit.workbook.store import Workbook

RULES_KEY = "followup_rules"
KINDS = ("thank_you", "second_contact", "nudge", "check_in")
"""Kinds of follow-up, in the order they are listed on the same day."""
COLUMNS = ["due_date", "state", "kind", "contact", "organisation", "contact_id", "interview_id", "why"]


class FollowUpRules(BaseModel):
    """When each follow-up falls due. Business days skip weekends and the listed holidays."""

    model_config = ConfigDict(extra="forbid")

    thank_you_business_days: int = Field(default=1, ge=0, le=30, title="Thank-you after (business days)")
    second_contact_after_business_days: int = Field(
        default=3, ge=1, le=60, title="Invite a second person after (business days without reply)"
    )
    nudge_after_business_days: int = Field(
        default=7, ge=1, le=60, title="Nudge after (business days without reply)"
    )
    check_in_days: list[int] = Field(
        default_factory=lambda: [30, 60, 90], title="Check-ins (days after the interview)"
    )
    holidays: list[dt.date] = Field(default_factory=list, title="Holidays (not business days)")
    upcoming_days: int = Field(default=3, ge=0, le=60, title="Also list what falls due within this many days")

    @field_validator("check_in_days")
    @classmethod
    def _sorted_positive(cls, value: list[int]) -> list[int]:
        if any(d < 1 for d in value):
            raise ValueError("check-in days must be 1 or more")
        return sorted(set(value))


def load_rules(wb: Workbook) -> FollowUpRules:
    """The workbook's follow-up rules; the defaults when it has none of its own."""
    text = wb.meta(RULES_KEY)
    if not text:
        return FollowUpRules()
    try:
        return FollowUpRules.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        raise ValidationFailed(
            f"cannot be read ({_first_error(exc)}); save the rules again",
            file=wb.path,
            record=f"workbook setting '{RULES_KEY}'",
        ) from None


def save_rules(wb: Workbook, rules: FollowUpRules) -> None:
    """Store *rules* as the workbook's follow-up rules."""
    wb.set_meta(RULES_KEY, rules.model_dump_json())


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        return f"{'.'.join(map(str, err['loc']))}: {err['msg']}"
    return str(exc)


# -- business days --------------------------------------------------------------------------


def is_business_day(day: dt.date, holidays: Iterable[dt.date] = ()) -> bool:
    """Monday to Friday, and not a holiday."""
    return day.weekday() < 5 and day not in set(holidays)


def add_business_days(start: dt.date, days: int, holidays: Iterable[dt.date] = ()) -> dt.date:
    """The date *days* business days after *start* (Friday + 1 = Monday).

    *start* itself need not be a business day; with ``days=0`` the result is *start* moved on
    to the next business day if it is not one.
    """
    off = set(holidays)
    day = start
    while not is_business_day(day, off) and days == 0:
        day += dt.timedelta(days=1)
    for _ in range(days):
        day += dt.timedelta(days=1)
        while not is_business_day(day, off):
            day += dt.timedelta(days=1)
    return day


def business_days_between(start: dt.date, end: dt.date, holidays: Iterable[dt.date] = ()) -> int:
    """How many business days after *start*, up to and including *end* (0 if end <= start)."""
    off = set(holidays)
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_business_day(start + dt.timedelta(days=n), off)
    )


def _long(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


# -- the queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """One follow-up that is due, overdue or coming up."""

    due_date: dt.date
    state: str
    kind: str
    contact: str
    organisation: str
    contact_id: int
    interview_id: int
    why: str


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Queue:
    """Collects the follow-ups of one workbook as of *today*."""

    def __init__(self, wb: Workbook, today: dt.date, rules: FollowUpRules) -> None:
        self.wb, self.today, self.rules = wb, today, rules
        self.contacts = {c.id: c for c in wb.all(Contact)}
        self.orgs = {o.id: o for o in wb.all(Organisation)}
        # An interview whose contact was skipped as damaged has no one to follow up with.
        self.interviews = [i for i in wb.all(Interview) if i.contact_id in self.contacts]
        self.items: list[FollowUp] = []

    def state(self, due: dt.date) -> str | None:
        if due < self.today:
            return "overdue"
        if due == self.today:
            return "due"
        if (due - self.today).days <= self.rules.upcoming_days:
            return "upcoming"
        return None

    def add(self, due: dt.date, kind: str, interview: Interview, why: str) -> None:
        state = self.state(due)
        if state is None:
            return
        contact = self.contacts[interview.contact_id]
        org = self.orgs.get(contact.organisation_id) if contact.organisation_id else None
        assert contact.id is not None and interview.id is not None
        self.items.append(
            FollowUp(due, state, kind, contact.name, org.name if org else "", contact.id, interview.id, why)
        )

    def collect(self) -> list[FollowUp]:
        for interview in self.interviews:
            if interview.status == InterviewStatus.cancelled:
                continue
            if interview.held:
                self.thank_you(interview)
                self.check_ins(interview)
            elif self.waiting_for_reply(interview):
                self.second_contact(interview)
                self.nudge(interview)
        order = {k: n for n, k in enumerate(KINDS)}
        return sorted(self.items, key=lambda f: (f.due_date, order[f.kind], f.interview_id))

    def waiting_for_reply(self, interview: Interview) -> bool:
        contact = self.contacts[interview.contact_id]
        return (
            interview.status in (InterviewStatus.planned, InterviewStatus.invited)
            and interview.invitation_sent is not None
            and interview.confirmation_sent is None
            and contact.status == ContactStatus.invited
        )

    def thank_you(self, interview: Interview) -> None:
        if interview.thank_you_sent is not None:
            return
        name = self.contacts[interview.contact_id].name
        if interview.scheduled_at is None:
            why = f"The interview with {name} is done but has no date; send your thank-you now."
            self.add(self.today, "thank_you", interview, why)
            return
        met = interview.scheduled_at.date()
        n = self.rules.thank_you_business_days
        due = add_business_days(met, n, self.rules.holidays)
        why = (
            f"You met {name} on {_long(met)}; a thank-you naming something specific they said "
            f"is due {_plural(n, 'business day')} later."
        )
        self.add(due, "thank_you", interview, why)

    def second_contact(self, interview: Interview) -> None:
        assert interview.invitation_sent is not None
        sent = interview.invitation_sent
        contact = self.contacts[interview.contact_id]
        if self._other_invited_since(contact, sent):
            return
        n = self.rules.second_contact_after_business_days
        due = add_business_days(sent, n, self.rules.holidays)
        org = self.orgs.get(contact.organisation_id) if contact.organisation_id else None
        waited = _plural(n, "business day")
        head = f"No reply from {contact.name} to your invitation of {_long(sent)} after {waited}"
        if org is None:
            why = f"{head}: look for a second person to invite meanwhile."
        else:
            candidates = [
                c
                for c in self.contacts.values()
                if c.organisation_id == org.id and c.id != contact.id and c.status == ContactStatus.identified
            ]
            if candidates:
                c = candidates[0]
                who = f"{c.name}" + (f", {c.role}" if c.role else "") + f" (contact {c.id})"
                why = f"{head}: invite a second person at {org.name}, such as {who}."
            else:
                why = f"{head}: find a second person at {org.name} to invite."
        self.add(due, "second_contact", interview, why)

    def _other_invited_since(self, contact: Contact, sent: dt.date) -> bool:
        """True when someone else at the same organisation was invited on or after *sent*."""
        if contact.organisation_id is None:
            return False
        return any(
            other.invitation_sent is not None
            and other.invitation_sent >= sent
            and other.contact_id != contact.id
            and self.contacts[other.contact_id].organisation_id == contact.organisation_id
            for other in self.interviews
        )

    def nudge(self, interview: Interview) -> None:
        if interview.nudge_sent is not None:
            return
        assert interview.invitation_sent is not None
        n = self.rules.nudge_after_business_days
        due = add_business_days(interview.invitation_sent, n, self.rules.holidays)
        name = self.contacts[interview.contact_id].name
        why = (
            f"Still no reply from {name} {_plural(n, 'business day')} after your invitation of "
            f"{_long(interview.invitation_sent)}: send one short, friendly nudge."
        )
        self.add(due, "nudge", interview, why)

    def check_ins(self, interview: Interview) -> None:
        """The latest check-in that is due and not yet covered by one already sent.

        A check-in sent after the midpoint between the previous milestone (or the interview)
        and this one counts for it, so an early or late check-in is not asked for twice, and
        one sent today covers the ones missed before.
        """
        if interview.scheduled_at is None:
            return
        met = interview.scheduled_at.date()
        sent = interview.check_ins_sent
        previous = met
        pending: list[tuple[int, dt.date]] = []
        for days in self.rules.check_in_days:
            milestone = met + dt.timedelta(days=days)
            window_opens = previous + (milestone - previous) / 2
            if not any(s > window_opens for s in sent):
                pending.append((days, add_business_days(milestone, 0, self.rules.holidays)))
            previous = milestone
        reached = [p for p in pending if p[1] <= self.today]
        later = [p for p in pending if p[1] > self.today]
        chosen = reached[-1:] or later[:1]
        if not chosen:
            return
        days, due = chosen[0]
        name = self.contacts[interview.contact_id].name
        why = (
            f"{days} days since you met {name} on {_long(met)}: a short check-in keeps the connection alive."
        )
        skipped = [f"{d}-day" for d, _ in reached[:-1]]
        if skipped:
            plural = "s" if len(skipped) > 1 else ""
            why += f" It also covers the missed {' and '.join(skipped)} check-in{plural}."
        self.add(due, "check_in", interview, why)


def follow_up_list(wb: Workbook, today: dt.date, rules: FollowUpRules | None = None) -> list[FollowUp]:
    """Follow-ups as records, sorted by due date (see :func:`follow_ups`)."""
    return _Queue(wb, today, rules or load_rules(wb)).collect()


def follow_ups(wb: Workbook, today: dt.date, rules: FollowUpRules | None = None) -> pd.DataFrame:
    """What is overdue, due today, or coming up within a few days, for whom, and why.

    One row per follow-up, sorted by due date. ``state`` is ``overdue`` (due before *today*),
    ``due`` (today) or ``upcoming`` (within ``rules.upcoming_days``).

    :param rules: the rules to apply; default the workbook's own (or the defaults).
    """
    items = follow_up_list(wb, today, rules)
    return pd.DataFrame([asdict(i) for i in items], columns=COLUMNS)
