"""Next actions in ``iivkit due``: each rule on a fixed day, with its exact reason, and ``--json``."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from action_helpers import TODAY, build_actions_workbook

from iivkit import Contact, Interview, OpenQuestion, Workbook
from iivkit.method.next_actions import KINDS, NEW_KINDS, action_list, active_organisations, next_actions
from iivkit.workbook.models import ContactStatus, InterviewStatus

JSON_KEYS = {
    "kind",
    "date",
    "state",
    "reason",
    "contact",
    "organisation",
    "contact_id",
    "interview_id",
    "organisation_id",
    "open_question_id",
}


@pytest.fixture
def scenario(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    path = tmp_path / "actions.iiv"
    return path, build_actions_workbook(path)


def due_json(cli: Any, path: Path, *extra: str) -> list[dict[str, Any]]:
    result = cli("due", path, "--today", TODAY.isoformat(), "--json", *extra)
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)
    assert isinstance(items, list)
    return items


def one(items: list[dict[str, Any]], kind: str, **ids: int) -> dict[str, Any]:
    found = [i for i in items if i["kind"] == kind and all(i[k] == v for k, v in ids.items())]
    assert len(found) == 1, (kind, ids, found)
    return found[0]


def test_a_referral_is_invited_first_the_business_day_after_the_interview_that_named_them(scenario, cli):
    path, ids = scenario
    item = one(due_json(cli, path), "invite", contact_id=ids["bongani"])
    assert item["date"] == "2026-11-23"  # Fri 20 Nov + 1 business day
    assert item["state"] == "overdue"
    assert item["reason"] == (
        "Thandi Mokoena referred Bongani Khoza in your interview of Fri 20 Nov 2026: write and send "
        "the invitation while the introduction is fresh."
    )
    assert item["organisation_id"] == ids["ubuntu"] and item["interview_id"] is None


def test_someone_identified_and_never_asked_is_to_be_invited_today(scenario, cli):
    path, ids = scenario
    item = one(due_json(cli, path), "invite", contact_id=ids["zanele"])
    assert (item["date"], item["state"]) == ("2026-12-01", "due")
    assert (
        item["reason"]
        == "Zanele Mahlangu is identified but has never been invited: write and send the invitation."
    )


def test_referrals_come_before_other_invitations_on_the_same_day(scenario, cli):
    path, ids = scenario
    with Workbook.open(path) as wb:
        # A referral named in no dated interview is due today, like the others, and still first.
        bongani = wb.get(Contact, ids["bongani"])
        wb.update(bongani.model_copy(update={"referred_in_interview_id": None, "referred_by_id": None}))
    invites = [i for i in due_json(cli, path) if i["kind"] == "invite"]
    assert [i["contact_id"] for i in invites] == [ids["bongani"], ids["zanele"]]
    assert invites[0]["date"] == invites[1]["date"] == "2026-12-01"
    assert invites[0]["reason"] == (
        "Bongani Khoza is a referral; you have not invited them yet: write and send the invitation."
    )


def test_a_meeting_agreed_but_not_confirmed_is_to_be_confirmed(scenario, cli):
    path, ids = scenario
    item = one(due_json(cli, path), "confirm")
    assert (item["interview_id"], item["contact_id"]) == (ids["agreed"], ids["pieter"])
    assert (item["date"], item["state"]) == ("2026-12-01", "due")
    assert item["reason"] == (
        "Pieter Botha agreed to meet for Tue 8 Dec 2026, but the interview still says invited and no "
        "confirmation has been sent: send the confirmation with the date and keywords, then mark it "
        "confirmed."
    )


def test_a_sent_confirmation_or_a_contact_still_deciding_asks_for_no_confirmation(scenario, cli):
    path, ids = scenario
    with Workbook.open(path) as wb:
        agreed = wb.get(Interview, ids["agreed"])
        wb.update(agreed.model_copy(update={"confirmation_sent": dt.date(2026, 11, 30)}))
    assert not [i for i in due_json(cli, path) if i["kind"] == "confirm"]
    with Workbook.open(path) as wb:
        agreed = wb.get(Interview, ids["agreed"])
        wb.update(agreed.model_copy(update={"confirmation_sent": None}))
        pieter = wb.get(Contact, ids["pieter"])
        wb.update(pieter.model_copy(update={"status": ContactStatus.invited}))
    assert not [i for i in due_json(cli, path) if i["kind"] == "confirm"]


def test_a_confirmed_meeting_whose_day_has_passed_is_to_be_debriefed(scenario, cli):
    path, ids = scenario
    item = one(due_json(cli, path), "debrief")
    assert (item["interview_id"], item["contact_id"]) == (ids["passed"], ids["lindiwe"])
    assert (item["date"], item["state"]) == ("2026-11-27", "overdue")
    assert item["reason"] == (
        "Your meeting with Lindiwe Sithole on Fri 27 Nov 2026 has passed but still says confirmed: "
        "debrief it while you remember (answers, findings, referrals), mark it done, and send your thank-you."
    )


def test_a_meeting_today_or_marked_done_needs_no_debrief_reminder(scenario, cli):
    path, ids = scenario
    result = cli("due", path, "--today", "2026-11-27", "--json")
    assert not [i for i in json.loads(result.stdout) if i["kind"] == "debrief"]
    with Workbook.open(path) as wb:
        passed = wb.get(Interview, ids["passed"])
        wb.update(passed.model_copy(update={"status": InterviewStatus.done}))
    items = due_json(cli, path)
    assert not [i for i in items if i["kind"] == "debrief"]
    assert one(items, "thank_you", interview_id=ids["passed"])  # the follow-up rule takes over


def test_an_open_question_whose_chosen_contact_declined_gets_the_planners_best_fit(scenario, cli):
    path, ids = scenario
    item = one(due_json(cli, path), "find_someone", open_question_id=ids["q_declined"])
    assert (item["date"], item["state"], item["contact_id"]) == ("2026-12-01", "due", None)
    assert item["reason"] == (
        "Mandla Mthembu, whom you chose to ask “Which posts open at Soweto Clinic in 2027?”, declined. "
        "The best fit is Lindiwe Sithole (works at Soweto Clinic; not interviewed yet): choose them, "
        "or someone else."
    )


def test_an_open_question_with_nobody_and_no_fit_asks_for_a_source(scenario, cli):
    path, ids = scenario
    item = one(due_json(cli, path), "find_someone", open_question_id=ids["q_nobody"])
    assert item["reason"] == (
        "Nobody is chosen to ask “Is a driving licence needed?”. No contact fits: look for a source, "
        "or a new contact, in this field."
    )


def test_an_open_question_with_someone_to_ask_is_left_alone(scenario, cli):
    path, ids = scenario
    with Workbook.open(path) as wb:
        question = wb.get(OpenQuestion, ids["q_nobody"])
        wb.update(question.model_copy(update={"suggested_contact_id": ids["zanele"]}))
    assert not [i for i in due_json(cli, path) if i["open_question_id"] == ids["q_nobody"]]


def test_more_active_employers_than_max_active_is_an_action(scenario, cli):
    path, ids = scenario
    assert not [i for i in due_json(cli, path) if i["kind"] == "keep_active"]  # 3 active, at most 5

    items = due_json(cli, path, "--max-active", "2")
    item = one(items, "keep_active")
    assert (item["date"], item["state"]) == ("2026-12-01", "due")
    assert item["reason"] == (
        "3 employers are active, more than 2 at a time: close or park 1 before inviting anyone new. "
        "Active: Provincial Department, Soweto Clinic, Ikamva Labs. "
        "Candidates to park (no meeting yet): Provincial Department, Ikamva Labs."
    )
    zanele = one(items, "invite", contact_id=ids["zanele"])
    assert zanele["reason"].endswith(
        " 3 employers are active already (at most 2): finish with one before you open Khanya Research."
    )


def test_active_means_an_interview_ahead_or_an_invitation_out(scenario):
    path, ids = scenario
    with Workbook.read(path) as wb:
        active = [o.id for o in active_organisations(wb, TODAY)]
    assert active == [ids["department"], ids["clinic"], ids["ikamva"]]


def test_the_queue_is_sorted_by_date_then_kind_and_printed_with_every_reason(scenario, cli):
    path, _ = scenario
    result = cli("due", path, "--today", TODAY.isoformat())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith("2 overdue, 4 due today, 0 coming up.")
    rows = [line.split()[:3] for line in result.stdout.splitlines()[3:] if line[:4].isdigit()]
    assert rows == [
        ["2026-11-23", "overdue", "invite"],
        ["2026-11-27", "overdue", "debrief"],
        ["2026-12-01", "due", "confirm"],
        ["2026-12-01", "due", "invite"],
        ["2026-12-01", "due", "find"],
        ["2026-12-01", "due", "find"],
    ]
    assert (
        "2026-12-01  due       invite          -          Zanele Mahlangu (Khanya Research)" in result.stdout
    )
    assert "find someone    -          open question 2" in result.stdout


def test_json_has_the_documented_keys_for_follow_ups_and_next_actions(scenario, cli):
    path, ids = scenario
    with Workbook.open(path) as wb:  # a thank-you follow-up, to see the follow-ups in the same list
        met = wb.get(Interview, ids["met"])
        wb.update(met.model_copy(update={"thank_you_sent": None}))
    items = due_json(cli, path)
    assert items and all(set(i) == JSON_KEYS for i in items)
    assert {i["kind"] for i in items} == {"thank_you", "invite", "debrief", "confirm", "find_someone"}
    thank_you = one(items, "thank_you")
    assert (thank_you["interview_id"], thank_you["contact_id"]) == (ids["met"], ids["thandi"])
    assert thank_you["organisation_id"] == ids["ubuntu"]
    for item in items:
        dt.date.fromisoformat(item["date"])
        assert item["state"] in ("overdue", "due", "upcoming")
        assert item["reason"]
    help_text = cli("due", "--help").stdout
    for key in ("kind", "date", "state", "reason", "contact_id", "interview_id", "open_question_id"):
        assert key in help_text


def test_json_of_an_empty_queue_is_an_empty_list(tmp_path: Path, cli):
    Workbook.create(tmp_path / "empty.iiv").close()
    assert due_json(cli, tmp_path / "empty.iiv") == []


def test_the_follow_ups_keep_their_order_among_the_next_actions(scenario):
    path, _ = scenario
    with Workbook.read(path) as wb:
        items = action_list(wb, TODAY)
        df = next_actions(wb, TODAY)
    assert [i.kind for i in items] == list(df["kind"])
    keys = [(i.due_date, KINDS.index(i.kind)) for i in items]
    assert keys == sorted(keys)
    assert set(NEW_KINDS) <= set(KINDS)


def test_a_big_import_asks_for_a_few_invitations_at_a_time_not_hundreds(tmp_path: Path, cli):
    from iivkit import Contact, Organisation, Workbook
    from iivkit.method.next_actions import NEW_INVITES_AT_ONCE

    path = tmp_path / "many.iiv"
    with Workbook.create(path) as wb:
        keen = wb.add(Organisation(name="Keen Ltd", motivation=3)).id
        other = wb.add(Organisation(name="Other Ltd")).id
        for n in range(40):
            wb.add(Contact(name=f"Person {n:02d}", organisation_id=other))
        for n in range(2):
            wb.add(Contact(name=f"Keen person {n}", organisation_id=keen))
    items = [i for i in due_json(cli, path) if i["kind"] == "invite"]
    assert len(items) == NEW_INVITES_AT_ONCE + 1 == 6
    # The organisation highest on the target list comes first, then the rest by id.
    assert [i["contact"] for i in items[:3]] == ["Keen person 0", "Keen person 1", "Person 00"]
    assert items[-1]["contact"] is None
    assert items[-1]["reason"] == (
        "37 more people you identified are not invited yet. Invite a few at a time, starting at the "
        "organisations at the top of your target list (iivkit targets)."
    )
