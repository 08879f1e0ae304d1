"""The target list: organisations ranked by motivation, posting and advocacy, with why, and
the warning when too many are active; ``iivkit targets``; and older workbooks gaining the fields."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest

from iivkit import Contact, Interview, Organisation, Workbook
from iivkit.errors import ValidationFailed
from iivkit.method.targets import (
    TargetRules,
    active_warning,
    advocacy,
    load_rules,
    save_rules,
    target_list,
    targets,
)
from iivkit.workbook.models import ContactStatus, HowFound, InterviewStatus, Posting

TODAY = dt.date(2026, 12, 1)
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "workbook_v1.iiv"


def org(wb: Workbook, name: str, motivation: int | None = None, posting: str = "none") -> int:
    saved = wb.add(Organisation(name=name, motivation=motivation, posting=Posting(posting)))
    assert saved.id is not None
    return saved.id


def person(wb: Workbook, name: str, organisation_id: int, **fields: object) -> int:
    saved = wb.add(Contact(name=name, organisation_id=organisation_id, **fields))  # type: ignore[arg-type]
    assert saved.id is not None
    return saved.id


def met(wb: Workbook, contact_id: int) -> int:
    saved = wb.add(
        Interview(
            contact_id=contact_id, status=InterviewStatus.debriefed, scheduled_at=dt.datetime(2026, 10, 1, 10)
        )
    )
    assert saved.id is not None
    return saved.id


def order(wb: Workbook) -> list[str]:
    return list(targets(wb, today=TODAY)["organisation"])


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbook]:
    """Four organisations: two keen ones with different postings, a lukewarm one, an unrated one."""
    book = Workbook.create(tmp_path / "targets.iiv")
    acacia = org(book, "Acacia Trust", 3, "relevant")
    org(book, "Baobab Health", 3, "some")
    cedar = org(book, "Cedar Labs", 2, "relevant")
    org(book, "Drakensberg Institute")
    sipho = person(book, "Sipho Dlamini", acacia, how_found=HowFound.alumni, status=ContactStatus.interviewed)
    met(book, sipho)
    person(book, "Lerato Khumalo", acacia, how_found=HowFound.alumni)
    person(book, "Nomsa Zulu", cedar, how_found=HowFound.family_friends)
    yield book
    book.close()


# -- ranking ---------------------------------------------------------------------------------


def test_motivation_then_posting_rank_the_list(wb: Workbook) -> None:
    assert order(wb) == ["Acacia Trust", "Baobab Health", "Cedar Labs", "Drakensberg Institute"]
    assert list(targets(wb, today=TODAY)["rank"]) == [1, 2, 3, 4]


def test_raising_motivation_moves_an_organisation_up(wb: Workbook) -> None:
    drakensberg = wb.all(Organisation, name="Drakensberg Institute")[0]
    wb.update(drakensberg.model_copy(update={"motivation": 3, "posting": Posting.relevant}))
    # Level with Acacia on motivation and posting: Acacia's advocacy keeps it first.
    assert order(wb) == ["Acacia Trust", "Drakensberg Institute", "Baobab Health", "Cedar Labs"]


def test_a_better_posting_moves_an_organisation_up_among_equally_wanted_ones(wb: Workbook) -> None:
    baobab = wb.all(Organisation, name="Baobab Health")[0]
    wb.update(baobab.model_copy(update={"posting": Posting.relevant}))
    assert order(wb)[:2] == ["Acacia Trust", "Baobab Health"]
    acacia = wb.all(Organisation, name="Acacia Trust")[0]
    wb.update(acacia.model_copy(update={"posting": Posting.none}))
    assert order(wb)[:2] == ["Baobab Health", "Acacia Trust"]


def test_advocacy_breaks_a_tie_of_motivation_and_posting(wb: Workbook) -> None:
    baobab = wb.all(Organisation, name="Baobab Health")[0]
    wb.update(baobab.model_copy(update={"posting": Posting.relevant}))
    assert order(wb)[:2] == ["Acacia Trust", "Baobab Health"]  # advocacy 7 against 0
    assert baobab.id is not None
    for n in range(3):
        met(wb, person(wb, f"Met {n}", baobab.id))
    assert order(wb)[:2] == ["Baobab Health", "Acacia Trust"]  # 9 against 7


def test_equal_organisations_are_listed_by_name(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "ties.iiv") as wb:
        org(wb, "zebra works", 2)
        org(wb, "Aloe Foundation", 2)
        ranked = targets(wb, today=TODAY)
    assert list(ranked["organisation"]) == ["Aloe Foundation", "zebra works"]
    assert ranked["why"][1].endswith("Level with Aloe Foundation, so listed by name.")


# -- advocacy and why ------------------------------------------------------------------------


def test_advocacy_adds_up_the_ties_with_an_organisation(wb: Workbook) -> None:
    acacia = wb.all(Organisation, name="Acacia Trust")[0].id
    assert acacia is not None
    sipho = wb.all(Contact, name="Sipho Dlamini")[0].id
    # Referred by Sipho: a referral in (2), and known through the network (1).
    person(
        wb,
        "Farah Ismail",
        acacia,
        referred_by_id=sipho,
        how_found=HowFound.professional_network,
    )
    # Someone who declined does not advocate.
    person(wb, "Mandla Mthembu", acacia, how_found=HowFound.alumni, status=ContactStatus.declined)
    ties = advocacy(wb).loc[acacia]
    assert dict(ties) == {"met": 1, "referred": 1, "alumni": 2, "known": 1, "advocacy": 3 + 2 + 2 * 2 + 1}


def test_each_organisation_says_why_it_sits_where_it_does(wb: Workbook) -> None:
    why = list(targets(wb, today=TODAY)["why"])
    assert why == [
        "Motivation 3 (a dream employer), a relevant posting, 1 person met and 2 alumni contacts. "
        "Top of the list.",
        "Motivation 3 (a dream employer), some postings, no advocates yet. Below Acacia Trust on postings.",
        "Motivation 2 (keen), a relevant posting, 1 person you know. Below Baobab Health on motivation.",
        "Motivation not rated, no posting that fits, no advocates yet. Below Cedar Labs on motivation.",
    ]


def test_why_names_the_advocacy_that_decides_a_tie(wb: Workbook) -> None:
    baobab = wb.all(Organisation, name="Baobab Health")[0]
    wb.update(baobab.model_copy(update={"posting": Posting.relevant}))
    assert targets(wb, today=TODAY)["why"][1].endswith("Below Acacia Trust on advocacy (0 against 7).")


# -- active organisations --------------------------------------------------------------------


def test_an_upcoming_interview_or_a_fresh_invitation_makes_an_organisation_active(wb: Workbook) -> None:
    baobab = wb.all(Organisation, name="Baobab Health")[0].id
    cedar = wb.all(Organisation, name="Cedar Labs")[0].id
    drakensberg = wb.all(Organisation, name="Drakensberg Institute")[0].id
    assert baobab and cedar and drakensberg
    wb.add(
        Interview(
            contact_id=person(wb, "Pieter Botha", baobab),
            status=InterviewStatus.confirmed,
            scheduled_at=dt.datetime(2026, 12, 8, 10),
        )
    )
    wb.add(
        Interview(
            contact_id=person(wb, "Zanele Mokoena", cedar, status=ContactStatus.invited),
            status=InterviewStatus.invited,
            invitation_sent=dt.date(2026, 11, 20),
        )
    )
    # Invited three months ago and never answered: no longer active.
    wb.add(
        Interview(
            contact_id=person(wb, "Old Lead", drakensberg, status=ContactStatus.no_reply),
            status=InterviewStatus.invited,
            invitation_sent=dt.date(2026, 9, 1),
        )
    )
    ranked = targets(wb, today=TODAY).set_index("organisation")
    assert ranked["active"].to_dict() == {
        "Acacia Trust": False,
        "Baobab Health": True,
        "Cedar Labs": True,
        "Drakensberg Institute": False,
    }
    assert ranked.loc["Baobab Health", "why"].endswith(
        "Active: an interview with Pieter Botha is confirmed for Tuesday 8 December 2026 (interview 2)."
    )
    assert "Zanele Mokoena is invited to an interview" in ranked.loc["Cedar Labs", "active_because"]
    # Counted from a later day, the invitation of 20 November is too old too.
    later = targets(wb, today=dt.date(2027, 1, 15)).set_index("organisation")
    assert not later.loc["Cedar Labs", "active"]


def test_a_contact_invited_without_a_date_keeps_an_organisation_active(wb: Workbook) -> None:
    cedar = wb.all(Organisation, name="Cedar Labs")[0].id
    assert cedar
    person(wb, "Thabo Nene", cedar, status=ContactStatus.no_reply)
    ranked = targets(wb, today=TODAY).set_index("organisation")
    assert ranked.loc["Cedar Labs", "active_because"] == "Thabo Nene has not replied yet"


def _activate(wb: Workbook, n: int) -> None:
    for k in range(n):
        where = org(wb, f"Busy {k}", 1)
        person(wb, f"Invitee {k}", where, status=ContactStatus.invited)


def test_more_active_organisations_than_the_maximum_give_a_warning(wb: Workbook) -> None:
    _activate(wb, 5)
    assert active_warning(targets(wb, today=TODAY), 5) is None
    _activate(wb, 1)
    warning = active_warning(targets(wb, today=TODAY), 5)
    assert warning is not None and warning.startswith("6 organisations are active at once, more than 5")


def test_the_workbook_keeps_its_own_rules(wb: Workbook) -> None:
    assert load_rules(wb) == TargetRules(max_active=5, active_weeks=4)
    save_rules(wb, TargetRules(max_active=2, active_weeks=8))
    _activate(wb, 3)
    found = target_list(wb, today=TODAY)
    assert (found.max_active, found.active) == (2, 3)
    assert found.warning is not None and "more than 2" in found.warning
    assert target_list(wb, today=TODAY, max_active=3).warning is None


def test_unreadable_rules_name_the_setting(wb: Workbook) -> None:
    wb.set_meta("target_rules", '{"max_active": 0}')
    with pytest.raises(ValidationFailed, match="workbook setting 'target_rules'"):
        load_rules(wb)


# -- the command -----------------------------------------------------------------------------


def test_targets_prints_the_ranked_table_and_why(wb: Workbook, cli) -> None:
    result = cli("targets", wb.path, "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Targets in {wb.path} on 2026-12-01: 4 organisations, 0 active (at most 5)."
    assert lines[2].split() == ["rank", "organisation", "motivation", "posting", "advocacy", "active"]
    assert lines[3].split() == ["1", "Acacia", "Trust", "3", "relevant", "7", "no"]
    said = " ".join(result.output.split())
    assert "Motivation 3 (a dream employer), a relevant posting, 1 person met and 2 alumni contacts." in said
    assert "Warning" not in result.output


def test_targets_warns_past_max_active(wb: Workbook, cli) -> None:
    _activate(wb, 2)
    result = cli("targets", wb.path, "--max-active", "1", "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(
        "Warning: 2 organisations are active at once, more than 1: finish or pause some before you "
        "start on another."
    )


def test_targets_json_parses_and_carries_every_row(wb: Workbook, cli) -> None:
    _activate(wb, 2)
    result = cli("targets", wb.path, "--json", "--max-active", "1", "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert (doc["today"], doc["max_active"], doc["active"]) == ("2026-12-01", 1, 2)
    assert doc["warning"].startswith("2 organisations are active at once")
    first, *_, last = doc["targets"]
    assert first["organisation"] == "Acacia Trust" and first["rank"] == 1
    assert (first["motivation"], first["posting"], first["advocacy"], first["active"]) == (
        3,
        "relevant",
        7,
        False,
    )
    assert last["organisation"] == "Drakensberg Institute" and last["motivation"] is None


def test_targets_on_an_empty_workbook_says_what_to_do(tmp_path: Path, cli) -> None:
    Workbook.create(tmp_path / "empty.iiv").close()
    result = cli("targets", tmp_path / "empty.iiv")
    assert result.exit_code == 0
    assert "No organisations yet" in result.output
    assert json.loads(cli("targets", tmp_path / "empty.iiv", "--json").output)["targets"] == []


def test_targets_on_a_missing_workbook_exits_2_naming_it(tmp_path: Path, run_iivkit) -> None:
    result = run_iivkit("targets", tmp_path / "nowhere.iiv")
    assert result.returncode == 2
    assert str(tmp_path / "nowhere.iiv") in result.stderr
    assert "Traceback" not in result.stderr


def test_targets_refuses_a_max_active_below_one(wb: Workbook, cli) -> None:
    result = cli("targets", wb.path, "--max-active", "0")
    assert result.exit_code == 2
    assert "--max-active" in result.output


def test_targets_names_the_broken_setting(wb: Workbook, cli) -> None:
    wb.set_meta("target_rules", "not json")
    result = cli("targets", wb.path)
    assert result.exit_code == 2
    assert f"{wb.path}: workbook setting 'target_rules'" in result.output


# -- older workbooks and the form ------------------------------------------------------------


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    path = tmp_path / "old.iiv"
    shutil.copyfile(FIXTURE, path)
    path.chmod(0o600)
    return path


def test_an_old_workbooks_organisations_open_unrated_with_no_posting(v1_copy: Path) -> None:
    with Workbook.open(v1_copy) as wb:
        orgs = wb.all(Organisation)
        assert len(orgs) == 2
        assert all(o.motivation is None and o.posting is Posting.none for o in orgs)
        wb.update(orgs[0].model_copy(update={"motivation": 2, "posting": Posting.some}))
        ranked = targets(wb, today=TODAY)
    assert ranked["organisation"][0] == orgs[0].name
    with Workbook.open(v1_copy) as wb:
        assert wb.get(Organisation, orgs[0].id or 0).motivation == 2


def test_targets_reads_an_old_workbook_without_changing_it(v1_copy: Path, cli) -> None:
    before = v1_copy.read_bytes()
    result = cli("targets", v1_copy, "--json")
    assert result.exit_code == 0, result.output
    assert [t["posting"] for t in json.loads(result.output)["targets"]] == ["none", "none"]
    assert v1_copy.read_bytes() == before


def test_motivation_is_out_of_range_outside_1_to_3() -> None:
    with pytest.raises(ValueError):
        Organisation(name="Too keen", motivation=4)


def test_the_organisation_form_offers_motivation_as_a_choice_and_may_leave_it_blank(wb: Workbook) -> None:
    from iivkit.ui.forms import RecordForm

    form = RecordForm(wb, Organisation)
    motivation = form.fields["motivation"].widget
    assert isinstance(motivation, w.Dropdown)
    assert [v for _, v in motivation.options] == [None, 1, 2, 3]
    assert isinstance(form.fields["posting"].widget, w.Dropdown)
    form.fields["name"].value = "Erica Foundation"
    form.save_button.click()
    saved = wb.all(Organisation, name="Erica Foundation")[0]
    assert saved.motivation is None and saved.posting is Posting.none
    form.load(saved.id)
    form.fields["motivation"].value = 3
    form.fields["posting"].value = "relevant"
    form.save_button.click()
    again = wb.get(Organisation, saved.id or 0)
    assert (again.motivation, again.posting) == (3, Posting.relevant)


def test_the_notebook_table_shows_the_ranking_and_the_warning(wb: Workbook) -> None:
    from iivkit.ui import tables

    _activate(wb, 2)
    table = tables.targets(wb, today=TODAY, max_active=1)
    assert list(table.data.columns) == ["Organisation", "Motivation", "Posting", "Advocacy", "Active", "Why"]
    assert table.data["Organisation"].iloc[0] == "Acacia Trust"
    assert (table.caption or "").startswith("Warning: 2 organisations are active at once, more than 1")


# -- in the debrief report -------------------------------------------------------------------


def test_a_debrief_report_says_where_the_organisation_stands(wb: Workbook) -> None:
    from iivkit.reports.data import collect, report_inputs_json

    (interview,) = [i.id for i in wb.all(Interview)]
    assert interview is not None
    report = collect(wb.path, interview)
    # Acacia: motivation 3 and a relevant posting put it first of the four.
    assert report.target == (
        "Acacia Trust is 1st of 4 on your target list: motivation 3, a relevant posting, "
        "1 person met and 2 alumni contacts."
    )
    before = report_inputs_json(wb.conn, interview)
    # Meeting Nomsa at Cedar Labs changes Cedar's standing, not this interview's records:
    # the report's fingerprint must still change, or the report would go stale.
    met(wb, next(c.id for c in wb.all(Contact) if c.name == "Nomsa Zulu"))
    assert report_inputs_json(wb.conn, interview) != before


def test_standing_counts_its_places_in_words(wb: Workbook) -> None:
    from iivkit.method.targets import standing

    cedar = next(o.id for o in wb.all(Organisation) if o.name == "Cedar Labs")
    assert standing(wb, cedar).startswith("Cedar Labs is 3rd of 4 on your target list: motivation 2,")
    assert standing(wb, None) == ""
