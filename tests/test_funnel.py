"""The funnel: invited → replied → met → referral, overall and per organisation, and ``iivkit funnel``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from iivkit import Contact, Interview, Organisation, Workbook
from iivkit.method.funnel import funnel, funnel_by_organisation, funnel_contacts, funnel_summary
from iivkit.workbook.models import ContactStatus, InterviewStatus


def plain(frame: pd.DataFrame) -> list[dict[str, object]]:
    """A frame's rows with missing values (NaN) as None, to compare with exact numbers."""
    return [{k: None if pd.isna(v) else v for k, v in row.items()} for row in frame.to_dict("records")]


def add(wb: Workbook, record: Contact | Interview | Organisation) -> int:
    saved = wb.add(record)
    assert saved.id is not None
    return saved.id


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbook]:
    """Nine people at two organisations and none, each at a known stage of the funnel."""
    book = Workbook.create(tmp_path / "funnel.iiv")
    acacia = add(book, Organisation(name="Acacia Trust"))
    baobab = add(book, Organisation(name="Baobab Health"))
    add(book, Organisation(name="Cedar Labs"))  # nobody there yet
    when = dt.datetime(2026, 11, 10, 10)

    def contact(name: str, organisation: int | None, status: ContactStatus, **more: object) -> int:
        return add(book, Contact(name=name, organisation_id=organisation, status=status, **more))  # type: ignore[arg-type]

    # Acacia: one not yet asked, one waiting, one who said no, one met who referred, one confirmed.
    contact("Amy Adams", acacia, ContactStatus.identified)
    ben = contact("Ben Botha", acacia, ContactStatus.invited)
    add(
        book,
        Interview(contact_id=ben, status=InterviewStatus.invited, invitation_sent=dt.date(2026, 11, 2)),
    )
    contact("Cara Cele", acacia, ContactStatus.declined)
    dan = contact("Dan Dube", acacia, ContactStatus.thanked)
    add(book, Interview(contact_id=dan, status=InterviewStatus.debriefed, scheduled_at=when))
    eve = contact("Eve Essop", acacia, ContactStatus.confirmed)
    add(book, Interview(contact_id=eve, status=InterviewStatus.confirmed, scheduled_at=when))
    # Baobab: Dan's referral (not asked yet), one met whose status was never moved on and who
    # suggested someone in the interview, and that someone, who has not replied.
    contact("Fay Fourie", baobab, ContactStatus.identified, referred_by_id=dan)
    gus = contact("Gus Gumede", baobab, ContactStatus.identified)
    gus_meeting = add(book, Interview(contact_id=gus, status=InterviewStatus.done, scheduled_at=when))
    contact("Hal Hlongwane", baobab, ContactStatus.no_reply, referred_in_interview_id=gus_meeting)
    # No organisation: suggested Amy by email but never met, so no referral stage.
    ida = contact("Ida Ismail", None, ContactStatus.no_reply)
    amy = book.all(Contact, name="Amy Adams")[0]
    book.update(amy.model_copy(update={"referred_by_id": ida}))
    yield book
    book.close()


def test_each_contact_reaches_the_stages_their_records_show(wb: Workbook) -> None:
    stages = funnel_contacts(wb).set_index("contact")[["invited", "replied", "met", "referral"]]
    reached = {name: [s for s in stages.columns if row[s]] for name, row in stages.iterrows()}
    assert reached == {
        "Amy Adams": [],
        "Ben Botha": ["invited"],
        "Cara Cele": ["invited", "replied"],
        "Dan Dube": ["invited", "replied", "met", "referral"],
        "Eve Essop": ["invited", "replied"],
        "Fay Fourie": [],
        "Gus Gumede": ["invited", "replied", "met", "referral"],
        "Hal Hlongwane": ["invited"],
        "Ida Ismail": ["invited"],
    }


def test_the_overall_funnel_counts_people_and_rates(wb: Workbook) -> None:
    assert plain(funnel(wb)) == [
        {"stage": "invited", "people": 7, "rate": None, "of_invited": 1.0},
        {"stage": "replied", "people": 4, "rate": 0.571, "of_invited": 0.571},
        {"stage": "met", "people": 2, "rate": 0.5, "of_invited": 0.286},
        {"stage": "referral", "people": 2, "rate": 1.0, "of_invited": 0.286},
    ]
    assert funnel_summary(wb) == {
        "invited": 7,
        "replied": 4,
        "met": 2,
        "referral": 2,
        "reply_rate": 0.571,
        "meeting_rate": 0.5,
        "referral_rate": 1.0,
    }


def test_the_funnel_per_organisation(wb: Workbook) -> None:
    rows = plain(funnel_by_organisation(wb).drop(columns="organisation_id"))
    assert rows == [
        {
            "organisation": "Acacia Trust",
            "contacts": 5,
            "invited": 4,
            "replied": 3,
            "met": 1,
            "referral": 1,
            "reply_rate": 0.75,
            "meeting_rate": 0.333,
            "referral_rate": 1.0,
        },
        {
            "organisation": "Baobab Health",
            "contacts": 3,
            "invited": 2,
            "replied": 1,
            "met": 1,
            "referral": 1,
            "reply_rate": 0.5,
            "meeting_rate": 1.0,
            "referral_rate": 1.0,
        },
        {
            "organisation": "(no organisation)",
            "contacts": 1,
            "invited": 1,
            "replied": 0,
            "met": 0,
            "referral": 0,
            "reply_rate": 0.0,
            "meeting_rate": None,
            "referral_rate": None,
        },
    ]


def test_an_empty_workbook_has_an_empty_funnel(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "empty.iiv") as wb:
        assert list(funnel(wb)["people"]) == [0, 0, 0, 0]
        assert funnel(wb)["rate"].isna().all()
        assert funnel_by_organisation(wb).empty
        assert funnel_summary(wb)["reply_rate"] is None


def test_funnel_prints_the_rates_overall_and_per_organisation(wb: Workbook, cli) -> None:
    result = cli("funnel", wb.path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"Funnel in {wb.path}: 7 invited, 4 replied (57%), 2 met (50%), 2 gave a referral (100%)."
    )
    assert lines[2].split() == ["organisation", "contacts", "invited", "replied", "met", "referral"]
    assert lines[3].split() == ["Acacia", "Trust", "5", "4", "3", "(75%)", "1", "(33%)", "1", "(100%)"]
    assert lines[5].split() == ["(no", "organisation)", "1", "1", "0", "(0%)", "0", "(-)", "0", "(-)"]


def test_funnel_json_parses(wb: Workbook, cli) -> None:
    result = cli("funnel", wb.path, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [s["people"] for s in doc["overall"]] == [7, 4, 2, 2]
    assert doc["overall"][0]["rate"] is None
    assert doc["organisations"][2] == {
        "organisation_id": None,
        "organisation": "(no organisation)",
        "contacts": 1,
        "invited": 1,
        "replied": 0,
        "met": 0,
        "referral": 0,
        "reply_rate": 0.0,
        "meeting_rate": None,
        "referral_rate": None,
    }


def test_funnel_on_a_missing_workbook_exits_2(tmp_path: Path, cli) -> None:
    result = cli("funnel", tmp_path / "nowhere.iiv")
    assert result.exit_code == 2
    assert f"{tmp_path / 'nowhere.iiv'}: no such workbook" in result.output


def test_the_notebook_table_shows_each_stage_with_its_rate(wb: Workbook) -> None:
    from iivkit.ui import tables

    table = tables.funnel(wb).data
    assert list(table.columns) == ["Organisation", "Contacts", "Invited", "Replied", "Met", "Gave a referral"]
    # The first row is the whole workbook (7 invited, 4 replied, 2 met, 2 gave a referral), then
    # each organisation.
    assert table.iloc[0].tolist() == ["All organisations", 9, 7, "4 (57%)", "2 (50%)", "2 (100%)"]
    assert table.iloc[1].tolist() == ["Acacia Trust", 5, 4, "3 (75%)", "1 (33%)", "1 (100%)"]


def test_the_class_summary_shows_each_students_funnel_on_one_line(wb: Workbook) -> None:
    from iivkit.course.data import ClassSummary, StudentReport, assess
    from iivkit.course.html import students_html

    report = assess(wb, "thandi")
    # 7 invited; 4 of them replied (57%); 2 of those met (50%); both gave a referral (100%).
    assert report.funnel == "7 → 4 (57%) → 2 (50%) → 2 (100%)"
    assert StudentReport.from_dict(report.to_dict()).funnel == report.funnel
    summary = ClassSummary(wb.path.parent, "{student}/workbook.iiv", None, False, [report], {})
    page = students_html(summary)
    assert ">Funnel</th>" in page and "<td>7 → 4 (57%) → 2 (50%) → 2 (100%)</td>" in page
