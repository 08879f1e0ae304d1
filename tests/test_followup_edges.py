"""Follow-up rules at their edges: a holiday on each rule's due day, items due on the day itself,
the last day that counts as coming up, and check-ins sent just inside or outside their window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from iivkit import Contact, Interview, Organisation, Workbook
from iivkit.errors import ValidationFailed
from iivkit.method.followups import (
    RULES_KEY,
    FollowUp,
    FollowUpRules,
    business_days_between,
    follow_up_list,
    load_rules,
)
from iivkit.workbook.models import ContactStatus, InterviewStatus

D = dt.date
MON = D(2026, 3, 2)  # Monday 2 March 2026
FRI = D(2026, 3, 6)


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbook]:
    with Workbook.create(tmp_path / "f.iiv") as book:
        org = book.add(Organisation(name="Health Trust"))
        book.add(Contact(name="Ann Waiting", organisation_id=org.id, status=ContactStatus.invited))
        book.add(Contact(name="Bo Met", organisation_id=org.id, status=ContactStatus.interviewed))
        yield book


def waiting(wb: Workbook, sent: dt.date) -> Interview:
    """An invitation to Ann sent on *sent*, with no reply."""
    return wb.add(Interview(contact_id=1, status=InterviewStatus.invited, invitation_sent=sent))


def met(wb: Workbook, day: dt.date, **more: object) -> Interview:
    """An interview with Bo held on *day* at 10:00."""
    return wb.add(
        Interview(
            contact_id=2,
            status=InterviewStatus.done,
            scheduled_at=dt.datetime.combine(day, dt.time(10)),
            **more,
        )
    )


def items(wb: Workbook, today: dt.date, kind: str, **rules: object) -> list[FollowUp]:
    return [f for f in follow_up_list(wb, today, FollowUpRules(**rules)) if f.kind == kind]


def due_on(wb: Workbook, kind: str, day: dt.date, **rules: object) -> None:
    """*kind* is due on *day* exactly: listed as due that day, and not listed the day before
    when nothing counts as coming up."""
    found = items(wb, day, kind, **rules)
    assert [(f.due_date, f.state) for f in found] == [(day, "due")], found
    assert items(wb, day - dt.timedelta(days=1), kind, upcoming_days=0, **rules) == []


# -- a holiday on each rule's due day moves it to the next business day ---------------------------


def test_thank_you_skips_a_holiday_on_its_due_day(wb: Workbook) -> None:
    met(wb, FRI)
    due_on(wb, "thank_you", D(2026, 3, 9))  # Friday + 1 business day = Monday
    due_on(wb, "thank_you", D(2026, 3, 10), holidays=[D(2026, 3, 9)])
    due_on(wb, "thank_you", D(2026, 3, 11), holidays=[D(2026, 3, 9), D(2026, 3, 10)])


def test_a_thank_you_after_no_business_days_is_due_the_day_of_the_meeting_or_the_next_working_day(
    wb: Workbook,
) -> None:
    met(wb, FRI)
    due_on(wb, "thank_you", FRI, thank_you_business_days=0)
    due_on(wb, "thank_you", D(2026, 3, 9), thank_you_business_days=0, holidays=[FRI])


def test_second_contact_skips_a_holiday_on_its_due_day(wb: Workbook) -> None:
    waiting(wb, MON)
    due_on(wb, "second_contact", D(2026, 3, 5))  # Monday + 3 business days = Thursday
    due_on(wb, "second_contact", D(2026, 3, 6), holidays=[D(2026, 3, 5)])
    due_on(wb, "second_contact", D(2026, 3, 6), holidays=[D(2026, 3, 4)])
    due_on(wb, "second_contact", D(2026, 3, 9), holidays=[D(2026, 3, 4), D(2026, 3, 6)])


def test_nudge_skips_a_holiday_on_its_due_day(wb: Workbook) -> None:
    waiting(wb, MON)
    due_on(wb, "nudge", D(2026, 3, 11))  # Monday + 7 business days = Wednesday of the next week
    due_on(wb, "nudge", D(2026, 3, 12), holidays=[D(2026, 3, 11)])
    due_on(wb, "nudge", D(2026, 3, 12), holidays=[D(2026, 3, 3)])


def test_a_check_in_on_a_holiday_or_a_weekend_moves_to_the_next_business_day(wb: Workbook) -> None:
    met(wb, MON)
    due_on(wb, "check_in", D(2026, 4, 1), check_in_days=[30])  # a Wednesday
    due_on(wb, "check_in", D(2026, 4, 2), check_in_days=[30], holidays=[D(2026, 4, 1)])
    due_on(wb, "check_in", D(2026, 4, 6), check_in_days=[33])  # Saturday 4 April → Monday
    due_on(wb, "check_in", D(2026, 4, 7), check_in_days=[33], holidays=[D(2026, 4, 6)])


# -- states: overdue, due, coming up ----------------------------------------------------------------


def test_the_state_of_an_item_as_the_days_pass(wb: Workbook) -> None:
    waiting(wb, MON)  # the nudge is due on Wednesday 11 March

    def nudge(today: dt.date, **rules: object) -> list[tuple[dt.date, str]]:
        return [(f.due_date, f.state) for f in items(wb, today, "nudge", **rules)]

    due = D(2026, 3, 11)
    assert nudge(due) == [(due, "due")]
    assert nudge(due + dt.timedelta(days=1)) == [(due, "overdue")]
    assert nudge(due - dt.timedelta(days=3)) == [(due, "upcoming")], "three days ahead is coming up"
    assert nudge(due - dt.timedelta(days=4)) == [], "four days ahead is not, by default"
    assert nudge(due - dt.timedelta(days=4), upcoming_days=4) == [(due, "upcoming")]
    assert nudge(due - dt.timedelta(days=1), upcoming_days=0) == []


def test_what_is_sent_is_not_asked_for_again(wb: Workbook) -> None:
    later = D(2026, 6, 30)
    waiting(wb, MON)
    wb.update(wb.get(Interview, 1).model_copy(update={"nudge_sent": D(2026, 3, 11)}))
    assert items(wb, later, "nudge") == []
    assert [f.due_date for f in items(wb, later, "second_contact")] == [D(2026, 3, 5)]
    met(wb, FRI, thank_you_sent=D(2026, 3, 9))
    assert items(wb, later, "thank_you") == []


def test_a_reply_or_a_cancellation_stops_the_waiting_reminders(wb: Workbook) -> None:
    later = D(2026, 6, 30)
    interview = waiting(wb, MON)
    wb.update(interview.model_copy(update={"confirmation_sent": D(2026, 3, 3)}))
    assert follow_up_list(wb, later) == []
    wb.update(
        wb.get(Interview, 1).model_copy(
            update={"confirmation_sent": None, "status": InterviewStatus.cancelled}
        )
    )
    assert follow_up_list(wb, later) == []


def test_a_second_person_invited_on_the_same_day_counts_as_the_second_contact(wb: Workbook) -> None:
    later = D(2026, 6, 30)
    waiting(wb, MON)
    assert len(items(wb, later, "second_contact")) == 1
    wb.add(Interview(contact_id=2, status=InterviewStatus.invited, invitation_sent=MON))
    assert items(wb, later, "second_contact") == []


def test_a_second_person_invited_before_does_not_count(wb: Workbook) -> None:
    later = D(2026, 6, 30)
    wb.add(
        Interview(contact_id=2, status=InterviewStatus.invited, invitation_sent=MON - dt.timedelta(days=1))
    )
    waiting(wb, MON)
    assert [f.interview_id for f in items(wb, later, "second_contact")] == [2]


# -- check-ins: the window each one sent covers --------------------------------------------------


def test_a_check_in_sent_just_after_the_window_opens_covers_the_milestone(wb: Workbook) -> None:
    # Milestones 30 and 60 days after 2 March: 1 April and 1 May; the 60-day window opens halfway,
    # on 16 April.
    met(wb, MON, check_ins_sent=[D(2026, 4, 17)])
    assert items(wb, D(2026, 5, 4), "check_in", check_in_days=[30, 60]) == []


def test_a_check_in_sent_on_the_day_the_window_opens_does_not_cover_it(wb: Workbook) -> None:
    met(wb, MON, check_ins_sent=[D(2026, 4, 16)])
    found = items(wb, D(2026, 5, 4), "check_in", check_in_days=[30, 60])
    assert [(f.due_date, f.state) for f in found] == [(D(2026, 5, 1), "overdue")]
    assert found[0].why.startswith("60 days since you met Bo Met on Mon 2 Mar 2026")
    assert "also covers" not in found[0].why


def test_missed_check_ins_are_asked_for_once_naming_the_ones_missed(wb: Workbook) -> None:
    met(wb, MON)
    found = items(wb, D(2026, 6, 1), "check_in")  # 30, 60 and 90 days have all passed
    assert [f.due_date for f in found] == [D(2026, 5, 31) + dt.timedelta(days=1)]
    assert found[0].why.endswith("It also covers the missed 30-day and 60-day check-ins.")
    one_missed = items(wb, D(2026, 5, 4), "check_in")
    assert one_missed[0].why.endswith("It also covers the missed 30-day check-in.")


def test_the_next_check_in_is_listed_only_when_it_comes_up(wb: Workbook) -> None:
    met(wb, MON)
    assert items(wb, D(2026, 3, 20), "check_in") == []
    assert [(f.due_date, f.state) for f in items(wb, D(2026, 3, 29), "check_in")] == [
        (D(2026, 4, 1), "upcoming")
    ]


def test_business_days_between_counts_after_the_start_up_to_and_including_the_end() -> None:
    assert business_days_between(MON, MON) == 0
    assert business_days_between(MON, D(2026, 3, 3)) == 1
    assert business_days_between(FRI, D(2026, 3, 9)) == 1
    assert business_days_between(FRI, D(2026, 3, 9), [D(2026, 3, 9)]) == 0
    assert business_days_between(D(2026, 3, 9), FRI) == 0


def test_a_meeting_done_without_a_date_asks_for_the_thank_you_today(wb: Workbook) -> None:
    wb.add(Interview(contact_id=2, status=InterviewStatus.done))
    today = D(2026, 5, 5)
    (item,) = follow_up_list(wb, today)
    assert (item.due_date, item.state, item.kind, item.interview_id) == (today, "due", "thank_you", 1)
    assert item.why == "The interview with Bo Met is done but has no date; send your thank-you now."
    assert (item.contact, item.organisation, item.contact_id) == ("Bo Met", "Health Trust", 2)


def test_a_cancelled_interview_does_not_hide_the_ones_after_it(wb: Workbook) -> None:
    wb.add(Interview(contact_id=2, status=InterviewStatus.cancelled))
    waiting(wb, MON)
    assert {f.kind for f in follow_up_list(wb, D(2026, 6, 30))} == {"second_contact", "nudge"}


def test_the_second_contact_says_whom_to_invite(wb: Workbook) -> None:
    later = D(2026, 6, 30)
    waiting(wb, MON)
    (item,) = items(wb, later, "second_contact")
    head = "No reply from Ann Waiting to your invitation of Mon 2 Mar 2026 after 3 business days"
    assert item.why == f"{head}: find a second person at Health Trust to invite."
    wb.add(Contact(name="Cy Next", organisation_id=1, role="Lead"))
    wb.add(Contact(name="Di Other", organisation_id=1))
    (item,) = items(wb, later, "second_contact")
    assert item.why == f"{head}: invite a second person at Health Trust, such as Cy Next, Lead (contact 3)."
    wb.delete(Contact, 3)
    (item,) = items(wb, later, "second_contact")
    assert item.why.endswith("such as Di Other (contact 4).")


def test_someone_with_no_organisation_still_gets_a_second_contact_reminder(wb: Workbook) -> None:
    loner = wb.add(Contact(name="Lone Wolf", status=ContactStatus.invited))
    wb.add(Interview(contact_id=loner.id or 0, status=InterviewStatus.invited, invitation_sent=MON))
    (item,) = items(wb, D(2026, 6, 30), "second_contact")
    assert item.organisation == ""
    assert item.why.endswith("after 3 business days: look for a second person to invite meanwhile.")


def test_an_identified_contact_elsewhere_is_not_suggested_as_the_second_person(wb: Workbook) -> None:
    other = wb.add(Organisation(name="Other Trust"))
    wb.add(Contact(name="Eve Elsewhere", organisation_id=other.id, status=ContactStatus.identified))
    waiting(wb, MON)
    (item,) = items(wb, D(2026, 6, 30), "second_contact")
    assert item.why.endswith(": find a second person at Health Trust to invite.")


# -- unreadable rules: the file, the setting and the first fault ---------------------------------


def test_rules_that_are_not_json_are_an_error_naming_the_file_and_the_setting(wb: Workbook) -> None:
    wb.set_meta(RULES_KEY, "{holidays: none")
    with pytest.raises(ValidationFailed) as caught:
        load_rules(wb)
    assert str(caught.value) == (
        f"{wb.path}: workbook setting 'followup_rules': cannot be read "
        "(Expecting property name enclosed in double quotes: line 1 column 2 (char 1)); save the rules again"
    )


def test_a_bad_holiday_in_the_rules_is_named_by_its_place_in_the_list(wb: Workbook) -> None:
    wb.set_meta(RULES_KEY, '{"holidays": ["2026-12-25", "Boxing Day"]}')
    with pytest.raises(ValidationFailed) as caught:
        load_rules(wb)
    assert caught.value.file == str(wb.path)
    assert caught.value.message.startswith("cannot be read (holidays.1: ")
