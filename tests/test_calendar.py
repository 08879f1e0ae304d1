"""``iivkit calendar``: one .ics of actions and meetings, each with an alarm, with stable UIDs."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path
from typing import Any

import icalendar
import pytest
from action_helpers import TODAY, build_actions_workbook

from iivkit import Interview, OpenQuestion, Workbook
from iivkit.method.calendar_export import event_uid, interview_ics
from iivkit.method.calendar_feed import HORIZON_DAYS
from iivkit.workbook.models import InterviewStatus


@pytest.fixture
def scenario(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "actions.iiv"
    return path, build_actions_workbook(path)


def write(cli: Any, path: Path, out: Path, today: dt.date = TODAY, *extra: str) -> icalendar.Calendar:
    result = cli("calendar", path, "--out", out, "--today", today.isoformat(), *extra)
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    return icalendar.Calendar.from_ical(out.read_bytes())


def uids(cal: icalendar.Calendar) -> dict[str, str]:
    """Each event's UID, by its title."""
    return {str(e["summary"]): str(e["uid"]) for e in cal.walk("VEVENT")}


def test_one_event_with_one_alarm_per_action_and_per_meeting(scenario, tmp_path: Path, cli):
    path, _ = scenario
    cal = write(cli, path, tmp_path / "feed.ics")

    events = cal.walk("VEVENT")
    due = json.loads(cli("due", path, "--today", TODAY.isoformat(), "--json").stdout)
    with Workbook.read(path) as wb:
        meetings = [i for i in wb.all(Interview) if i.scheduled_at is not None]
    actions = [str(e["summary"]) for e in events if not str(e["uid"]).startswith("iivkit-interview-")]
    # Everything 'due' lists is there, and the one check-in coming within the horizon.
    assert len(due) == 6 and len(meetings) == 3
    assert len(actions) == len(due) + 1 and len(events) == len(actions) + len(meetings)
    assert "Check in: Thandi Mokoena (Ubuntu Health Trust)" in actions
    for event in events:
        (alarm,) = event.subcomponents
        assert alarm.name == "VALARM"
        assert str(alarm["action"]) == "DISPLAY" and str(alarm["description"])
    assert len(cal.walk("VALARM")) == len(events)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_actions_are_all_day_on_their_day_and_an_overdue_one_on_today(scenario, tmp_path: Path, cli):
    path, ids = scenario
    cal = write(cli, path, tmp_path / "feed.ics")
    by_title = {str(e["summary"]): e for e in cal.walk("VEVENT")}

    invite = by_title["Invite: Bongani Khoza (Ubuntu Health Trust)"]
    assert invite.decoded("dtstart") == TODAY  # due on 23 Nov: overdue, so shown today
    assert invite.decoded("dtend") == TODAY + dt.timedelta(days=1)
    assert "(Due since 2026-11-23.)" in str(invite["description"])
    assert invite.subcomponents[0].decoded("trigger") == dt.timedelta(hours=9)
    assert "Confirm the meeting: Pieter Botha (Provincial Department)" in by_title

    meeting = next(e for e in cal.walk("VEVENT") if str(e["uid"]) == _meeting_uid(path, ids["agreed"]))
    assert meeting.decoded("dtstart") == dt.datetime(2026, 12, 8, 10, 0, tzinfo=dt.timezone.utc)
    assert meeting.subcomponents[0].decoded("trigger") == -dt.timedelta(hours=1)


def _meeting_uid(path: Path, interview_id: int) -> str:
    with Workbook.read(path) as wb:
        return event_uid(wb, interview_id)


def test_coming_actions_within_the_horizon_are_included(scenario, tmp_path: Path, cli):
    path, _ = scenario
    # The 30-day check-in after Fri 20 Nov falls on Mon 21 Dec: beyond what 'due' lists (3 days
    # ahead), within the calendar's horizon.
    assert 3 < (dt.date(2026, 12, 21) - TODAY).days <= HORIZON_DAYS
    cal = write(cli, path, tmp_path / "feed.ics")
    check_in = next(e for e in cal.walk("VEVENT") if str(e["summary"]).startswith("Check in:"))
    assert check_in.decoded("dtstart") == dt.date(2026, 12, 21)


def test_uids_are_stable_across_runs_and_days(scenario, tmp_path: Path, cli):
    path, _ = scenario
    first = uids(write(cli, path, tmp_path / "feed.ics"))
    again = uids(write(cli, path, tmp_path / "feed.ics"))
    tomorrow = uids(write(cli, path, tmp_path / "feed.ics", TODAY + dt.timedelta(days=1)))
    assert first == again == tomorrow


def test_an_action_whose_date_changes_keeps_its_uid(scenario, tmp_path: Path, cli):
    path, ids = scenario
    title = "Debrief: Lindiwe Sithole (Soweto Clinic)"
    before = write(cli, path, tmp_path / "feed.ics")
    with Workbook.open(path) as wb:
        passed = wb.get(Interview, ids["passed"])
        wb.update(passed.model_copy(update={"scheduled_at": dt.datetime(2026, 11, 30, 9, 0)}))
    after = write(cli, path, tmp_path / "feed.ics")
    assert uids(before)[title] == uids(after)[title]
    meeting = _meeting_uid(path, ids["passed"])
    assert meeting in uids(before).values() and meeting in uids(after).values()

    def start_of(cal: icalendar.Calendar) -> Any:
        return next(e for e in cal.walk("VEVENT") if str(e["uid"]) == meeting).decoded("dtstart")

    assert start_of(before).date() == dt.date(2026, 11, 27)
    assert start_of(after).date() == dt.date(2026, 11, 30)


def test_uids_differ_between_workbooks(tmp_path: Path, cli):
    build_actions_workbook(tmp_path / "a.iiv")
    build_actions_workbook(tmp_path / "b.iiv")
    a = uids(write(cli, tmp_path / "a.iiv", tmp_path / "a.ics"))
    b = uids(write(cli, tmp_path / "b.iiv", tmp_path / "b.ics"))
    assert a.keys() == b.keys()
    assert not set(a.values()) & set(b.values())


def test_a_cancelled_meeting_stays_with_its_uid_marked_cancelled(scenario, tmp_path: Path, cli):
    path, ids = scenario
    with Workbook.open(path) as wb:
        agreed = wb.get(Interview, ids["agreed"])
        wb.update(agreed.model_copy(update={"status": InterviewStatus.cancelled}))
    cal = write(cli, path, tmp_path / "feed.ics")
    (event,) = [e for e in cal.walk("VEVENT") if str(e["uid"]) == _meeting_uid(path, ids["agreed"])]
    assert str(event["status"]) == "CANCELLED"


def test_the_file_is_private_and_an_earlier_calendar_is_replaced(scenario, tmp_path: Path, cli):
    path, _ = scenario
    out = tmp_path / "feed.ics"
    write(cli, path, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    write(cli, path, out, TODAY + dt.timedelta(days=3))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_a_workbook_or_another_file_is_never_overwritten(scenario, tmp_path: Path, cli):
    path, _ = scenario
    other = tmp_path / "other.iiv"
    Workbook.create(other).close()
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n")
    for target, message in ((path, "is a workbook"), (other, "is a workbook"), (notes, "is not a calendar")):
        before = target.read_bytes()
        result = cli("calendar", path, "--out", target, "--today", TODAY.isoformat())
        assert result.exit_code == 2, result.output
        (line,) = result.stderr.strip().splitlines()
        assert str(target) in line and message in line
        assert target.read_bytes() == before
    result = cli("calendar", path, "--out", tmp_path / "missing" / "feed.ics")
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_max_active_adds_the_keep_active_action(scenario, tmp_path: Path, cli):
    path, _ = scenario
    cal = write(cli, path, tmp_path / "feed.ics", TODAY, "--max-active", "2")
    assert "Keep at most a few employers active: your employers" in uids(cal)


def test_a_meetings_own_ics_has_one_alarm_an_hour_before(scenario):
    path, ids = scenario
    with Workbook.read(path) as wb:
        data = interview_ics(wb, ids["agreed"])
    assert data is not None
    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    (alarm,) = event.subcomponents
    assert alarm.decoded("trigger") == -dt.timedelta(hours=1)
    assert (
        str(alarm["description"])
        == "Informational interview with Pieter Botha (Provincial Department) in an hour"
    )


def test_text_from_the_workbook_adds_no_alarm_or_property(scenario, tmp_path: Path, cli):
    path, ids = scenario
    hostile = "Is it?\nEND:VEVENT\nBEGIN:VEVENT\nBEGIN:VALARM\nTRIGGER:-PT1M\nEND:VALARM\u2028ATTACH:x"
    with Workbook.open(path) as wb:
        question = wb.get(OpenQuestion, ids["q_nobody"])
        wb.update(question.model_copy(update={"text": hostile}))
    cal = write(cli, path, tmp_path / "feed.ics")
    events = cal.walk("VEVENT")
    assert len(events) == 10 and len(cal.walk("VALARM")) == 10
    title = f"Find someone to ask: open question {ids['q_nobody']}"
    (event,) = [e for e in events if str(e["summary"]) == title]
    assert "ATTACH" not in event and len(event.subcomponents) == 1
    assert "\n" not in str(event["description"]) and "BEGIN:VALARM" in str(event["description"])


def test_a_pipe_or_someone_elses_calendar_at_out_is_refused_and_left_alone(scenario, tmp_path: Path, cli):
    import os

    path, _ = scenario
    pipe = tmp_path / "pipe.ics"
    os.mkfifo(pipe)
    result = cli("calendar", path, "--today", TODAY.isoformat(), "--out", pipe)
    assert result.exit_code == 2 and "is not a regular file" in result.output
    assert stat.S_ISFIFO(pipe.stat().st_mode)  # not replaced by a file

    google = tmp_path / "google.ics"
    exported = b"BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nEND:VCALENDAR\r\n"
    google.write_bytes(exported)
    result = cli("calendar", path, "--today", TODAY.isoformat(), "--out", google)
    assert result.exit_code == 2 and "is not a calendar iivkit wrote" in result.output
    assert google.read_bytes() == exported


def test_export_never_replaces_a_pipe_even_with_force(scenario, tmp_path: Path, cli):
    import os

    path, _ = scenario
    pipe = tmp_path / "contacts.vcf"
    os.mkfifo(pipe)
    result = cli("export", path, "--format", "vcf", "--force", "--out", pipe)
    assert result.exit_code == 2 and "is not a regular file" in result.output
    assert stat.S_ISFIFO(pipe.stat().st_mode)


def test_an_event_about_a_person_keeps_its_uid_when_they_change_employer(scenario, tmp_path: Path, cli):
    from iivkit import Contact, Organisation

    path, ids = scenario
    before = uids(write(cli, path, tmp_path / "a.ics"))
    with Workbook.open(path) as wb:
        zanele = wb.get(Contact, ids["zanele"])
        elsewhere = wb.add(Organisation(name="Elsewhere Ltd")).id
        wb.update(zanele.model_copy(update={"organisation_id": elsewhere}))
    after = uids(write(cli, path, tmp_path / "b.ics"))
    (title,) = [t for t in before if "Zanele" in t and t.startswith("Invite")]
    (moved,) = [t for t in after if "Zanele" in t and t.startswith("Invite")]
    assert title != moved  # the title names the new employer ...
    assert after[moved] == before[title]  # ... but it is the same event
