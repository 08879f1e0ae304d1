"""Follow-ups: business days, the default rules, configurable rules, and ``iivkit due``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from iivkit import Contact, Interview, Organisation, Profile, Workbook
from iivkit.errors import IivkitError
from iivkit.method.followups import (
    COLUMNS,
    FollowUpRules,
    add_business_days,
    business_days_between,
    follow_ups,
    is_business_day,
    load_rules,
    save_rules,
)
from iivkit.workbook.models import ContactStatus, InterviewStatus

D = dt.date
FRIDAY = D(2026, 11, 20)
MONDAY = D(2026, 11, 23)


# -- business days ----------------------------------------------------------------------------


def test_friday_plus_one_business_day_is_monday():
    assert add_business_days(FRIDAY, 1) == MONDAY


def test_a_holiday_monday_is_skipped():
    assert add_business_days(FRIDAY, 1, [MONDAY]) == D(2026, 11, 24)


def test_business_days_skip_two_weekends_and_a_holiday():
    # Fri 20 Nov + 7 business days, with Wed 25 Nov off: Mon Tue Thu Fri, Mon Tue Wed → Wed 2 Dec.
    assert add_business_days(FRIDAY, 7, [D(2026, 11, 25)]) == D(2026, 12, 2)


def test_counting_from_a_weekend_starts_on_monday():
    assert add_business_days(D(2026, 11, 21), 1) == MONDAY
    assert add_business_days(D(2026, 11, 22), 0) == MONDAY
    assert add_business_days(D(2026, 11, 22), 0, [MONDAY]) == D(2026, 11, 24)


def test_christmas_and_boxing_day_as_holidays():
    holidays = [D(2026, 12, 25), D(2026, 12, 28)]  # Friday, and Monday in lieu
    assert add_business_days(D(2026, 12, 24), 1, holidays) == D(2026, 12, 29)
    assert not is_business_day(D(2026, 12, 25), holidays)
    assert not is_business_day(D(2026, 12, 26))
    assert business_days_between(D(2026, 12, 24), D(2026, 12, 29), holidays) == 1


# -- the default rules ------------------------------------------------------------------------


def make_workbook(path: Path) -> Workbook:
    wb = Workbook.create(path)
    wb.add(Profile(name="Lerato Dube"))
    return wb


@pytest.fixture
def wb(tmp_path: Path):
    with make_workbook(tmp_path / "f.iiv") as workbook:
        yield workbook


def add_org(wb: Workbook, name: str = "Ubuntu Health Trust") -> int:
    org = wb.add(Organisation(name=name))
    assert org.id is not None
    return org.id


def invite(wb: Workbook, org_id: int | None, sent: dt.date, **extra) -> Interview:
    contact = wb.add(
        Contact(
            name="Thandi Mokoena", organisation_id=org_id, status=ContactStatus.invited, email="t@example.org"
        )
    )
    return wb.add(
        Interview(contact_id=contact.id, invitation_sent=sent, status=InterviewStatus.invited, **extra)
    )


def met(wb: Workbook, when: dt.datetime, **extra) -> Interview:
    contact = wb.add(Contact(name="Sipho Dlamini", status=ContactStatus.interviewed))
    return wb.add(
        Interview(contact_id=contact.id, scheduled_at=when, status=InterviewStatus.debriefed, **extra)
    )


def rows(wb: Workbook, today: dt.date, kind: str | None = None) -> list[dict]:
    df = follow_ups(wb, today)
    records = df.to_dict("records")
    return [r for r in records if kind is None or r["kind"] == kind]


def test_thank_you_is_due_one_business_day_after_a_friday_interview(wb):
    interview = met(wb, dt.datetime(2026, 11, 20, 15, 0))

    (row,) = rows(wb, MONDAY, "thank_you")

    assert row["due_date"] == MONDAY
    assert row["state"] == "due"
    assert row["contact"] == "Sipho Dlamini"
    assert row["interview_id"] == interview.id
    assert row["why"] == (
        "You met Sipho Dlamini on Fri 20 Nov 2026; a thank-you naming something specific they said "
        "is due 1 business day later."
    )


def test_thank_you_turns_overdue_then_disappears_once_sent(wb):
    interview = met(wb, dt.datetime(2026, 11, 20, 15, 0))

    assert rows(wb, D(2026, 11, 24), "thank_you")[0]["state"] == "overdue"
    assert rows(wb, FRIDAY, "thank_you")[0]["state"] == "upcoming"

    wb.update(interview.model_copy(update={"thank_you_sent": MONDAY}))
    assert rows(wb, D(2026, 11, 24), "thank_you") == []


def test_no_thank_you_before_the_interview_is_done(wb):
    contact = wb.add(Contact(name="Ana Silva"))
    wb.add(Interview(contact_id=contact.id, scheduled_at=dt.datetime(2026, 11, 20, 9, 0)))
    assert rows(wb, D(2027, 1, 1)) == []


def test_no_reply_after_3_business_days_suggests_a_second_person_at_the_same_organisation(wb):
    org = add_org(wb)
    wb.add(
        Contact(name="Pieter Botha", role="HR Partner", organisation_id=org, status=ContactStatus.identified)
    )
    wb.add(
        Contact(
            name="Elsewhere Person", organisation_id=add_org(wb, "Other"), status=ContactStatus.identified
        )
    )
    interview = invite(wb, org, FRIDAY)

    (row,) = rows(wb, D(2026, 11, 25), "second_contact")

    assert row["due_date"] == D(2026, 11, 25)  # Fri + 3 business days = Wed
    assert row["state"] == "due"
    assert row["interview_id"] == interview.id
    assert row["organisation"] == "Ubuntu Health Trust"
    assert row["why"] == (
        "No reply from Thandi Mokoena to your invitation of Fri 20 Nov 2026 after 3 business days: "
        "invite a second person at Ubuntu Health Trust, such as Pieter Botha, HR Partner (contact 1)."
    )


def test_second_person_prompt_without_a_candidate_says_to_find_one(wb):
    org = add_org(wb)
    invite(wb, org, FRIDAY)

    (row,) = rows(wb, D(2026, 11, 25), "second_contact")

    assert row["why"].endswith("find a second person at Ubuntu Health Trust to invite.")


def test_second_person_prompt_stops_once_someone_else_there_is_invited(wb):
    org = add_org(wb)
    invite(wb, org, FRIDAY)
    other = wb.add(Contact(name="Pieter Botha", organisation_id=org, status=ContactStatus.invited))
    wb.add(Interview(contact_id=other.id, invitation_sent=D(2026, 11, 25)))

    assert [r for r in rows(wb, D(2026, 11, 26), "second_contact") if r["contact"] == "Thandi Mokoena"] == []


def test_one_nudge_after_7_business_days_and_none_once_sent(wb):
    interview = invite(wb, add_org(wb), FRIDAY)

    assert rows(wb, D(2026, 11, 25), "nudge") == []
    assert [r["state"] for r in rows(wb, D(2026, 11, 30), "nudge")] == ["upcoming"]
    (row,) = rows(wb, D(2026, 12, 1), "nudge")
    assert row["due_date"] == D(2026, 12, 1)  # Fri 20 Nov + 7 business days = Tue 1 Dec
    assert row["state"] == "due"
    assert row["why"] == (
        "Still no reply from Thandi Mokoena 7 business days after your invitation of Fri 20 Nov 2026: "
        "send one short, friendly nudge."
    )

    wb.update(interview.model_copy(update={"nudge_sent": D(2026, 12, 1)}))
    assert rows(wb, D(2026, 12, 10), "nudge") == []


def test_a_reply_ends_the_invitation_follow_ups(wb):
    interview = invite(wb, add_org(wb), FRIDAY)
    wb.update(
        interview.model_copy(
            update={"confirmation_sent": D(2026, 11, 24), "status": InterviewStatus.confirmed}
        )
    )
    contact = wb.get(Contact, interview.contact_id)
    wb.update(contact.model_copy(update={"status": ContactStatus.confirmed}))

    assert rows(wb, D(2026, 12, 10)) == []


def test_check_ins_fall_due_at_30_60_and_90_days(wb):
    interview = met(wb, dt.datetime(2026, 10, 7, 14, 0), thank_you_sent=D(2026, 10, 8))

    (first,) = rows(wb, D(2026, 11, 6), "check_in")
    assert first["due_date"] == D(2026, 11, 6)
    assert first["why"].startswith("30 days since you met Sipho Dlamini on Wed 7 Oct 2026")

    wb.update(interview.model_copy(update={"check_ins_sent": [D(2026, 11, 6)]}))
    interview = wb.get(Interview, interview.id)
    assert rows(wb, D(2026, 11, 20), "check_in") == []
    # 60 days after 7 Oct is Sun 6 Dec: moved to Monday.
    (second,) = rows(wb, D(2026, 12, 7), "check_in")
    assert second["due_date"] == D(2026, 12, 7)
    assert second["why"].startswith("60 days")

    wb.update(interview.model_copy(update={"check_ins_sent": [D(2026, 11, 6), D(2026, 12, 7)]}))
    (third,) = rows(wb, D(2027, 1, 5), "check_in")
    assert third["due_date"] == D(2027, 1, 5)
    assert third["why"].startswith("90 days")


def test_missed_check_ins_are_listed_once_as_the_latest(wb):
    met(wb, dt.datetime(2026, 10, 7, 14, 0), thank_you_sent=D(2026, 10, 8))

    (row,) = rows(wb, D(2027, 2, 1), "check_in")

    assert row["state"] == "overdue"
    assert row["why"].startswith("90 days")
    assert "also covers the missed 30-day and 60-day check-ins" in row["why"]


def test_nothing_is_listed_far_ahead_of_its_due_date(wb):
    met(wb, dt.datetime(2026, 10, 7, 14, 0), thank_you_sent=D(2026, 10, 8))
    assert rows(wb, D(2026, 10, 20)) == []


def test_the_queue_is_sorted_by_due_date_with_the_documented_columns(wb):
    met(wb, dt.datetime(2026, 11, 26, 9, 0))
    invite(wb, add_org(wb), FRIDAY)

    df = follow_ups(wb, D(2026, 12, 15))

    assert list(df.columns) == COLUMNS
    assert list(df["due_date"]) == sorted(df["due_date"])
    assert list(df["kind"]) == ["second_contact", "thank_you", "nudge"]
    assert set(df["state"]) == {"overdue"}


def test_an_empty_workbook_has_an_empty_queue_with_the_same_columns(wb):
    df = follow_ups(wb, D(2026, 12, 15))
    assert df.empty and list(df.columns) == COLUMNS


# -- configurable rules -------------------------------------------------------------------------


def test_rules_default_when_the_workbook_has_none(wb):
    rules = load_rules(wb)
    assert rules == FollowUpRules()
    assert (rules.thank_you_business_days, rules.second_contact_after_business_days) == (1, 3)
    assert (rules.nudge_after_business_days, rules.check_in_days) == (7, [30, 60, 90])


def test_workbook_rules_and_holidays_change_the_due_dates(wb):
    invite(wb, add_org(wb), FRIDAY)
    save_rules(wb, FollowUpRules(nudge_after_business_days=5, holidays=[D(2026, 11, 24)]))

    (row,) = rows(wb, D(2026, 11, 30), "nudge")

    # Fri + 5 business days, Tue 24 Nov off: Mon Wed Thu Fri Mon → Mon 30 Nov.
    assert row["due_date"] == D(2026, 11, 30)
    assert "5 business days" in row["why"]
    assert load_rules(wb).holidays == [D(2026, 11, 24)]


def test_rules_passed_in_override_the_workbook_rules(wb):
    met(wb, dt.datetime(2026, 11, 20, 15, 0))
    df = follow_ups(wb, D(2026, 11, 24), FollowUpRules(thank_you_business_days=2))
    assert list(df["due_date"]) == [D(2026, 11, 24)]


def test_unreadable_rules_are_an_error_naming_the_setting(wb):
    wb.set_meta("followup_rules", '{"nudge_after_business_days": "soon"}')
    with pytest.raises(IivkitError, match=r"workbook setting 'followup_rules'.*nudge_after_business_days"):
        load_rules(wb)


# -- command line ---------------------------------------------------------------------------------


def test_due_command_prints_the_queue(wb, cli):
    invite(wb, add_org(wb), FRIDAY)

    result = cli("due", wb.path, "--today", "2026-12-01")

    assert result.exit_code == 0, result.output
    assert "1 overdue, 1 due today, 0 coming up" in result.output
    assert "2026-11-25  overdue   second contact" in result.output
    assert "2026-12-01  due       nudge" in result.output
    assert "send one short, friendly nudge" in result.output


def test_due_command_with_nothing_due_says_so(wb, cli):
    result = cli("due", wb.path, "--today", "2026-12-01")
    assert result.exit_code == 0
    assert "0 overdue, 0 due today, 0 coming up" in result.output


def test_due_command_defaults_to_today(wb, cli):
    result = cli("due", wb.path)
    assert result.exit_code == 0
    assert dt.date.today().isoformat() in result.output


def test_due_command_rejects_a_bad_date(wb, cli):
    result = cli("due", wb.path, "--today", "2026-13-01")
    assert result.exit_code == 2
    assert "--today" in result.output


@pytest.fixture
def demo_workbook(tmp_path: Path) -> Path:
    from iivkit.workbook.demo import build_demo

    path = tmp_path / "demo.iiv"
    build_demo(path).close()
    return path


def test_due_on_the_demo_far_in_the_future_lists_overdue_items(demo_workbook: Path, run_iivkit):
    proc = run_iivkit("due", demo_workbook, "--today", "2030-01-15")

    assert proc.returncode == 0, proc.stderr
    assert "overdue" in proc.stdout
    header = proc.stdout.splitlines()[0]
    assert not header.split(": ", 1)[1].startswith("0 overdue"), header
