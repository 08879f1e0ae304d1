"""Forms that stay in step, as a person uses them in one notebook: no re-run, nothing lost.

Each test drives the forms the way the notebooks show them (set widget values, click buttons)
and checks both what the other forms show at once and what the workbook holds.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest
import tzlocal
from hypothesis import given
from hypothesis import strategies as st

from iivkit.ui.forms import DebriefForm, FindingsToTest, LetterPreview, PlanEditor, RecordForm
from iivkit.ui.forms.lists import join_entries, split_entries
from iivkit.ui.forms.pickers import option_label
from iivkit.ui.forms.record_form import NEW
from iivkit.workbook.models import (
    Category,
    Contact,
    Finding,
    Insight,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Profile,
    Question,
)
from iivkit.workbook.store import Workbook


@pytest.fixture
def wb(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> Iterator[Workbook]:
    """An empty workbook with a profile; fails the test if any view's refresh failed."""
    with (
        caplog.at_level(logging.ERROR, logger="iivkit.workbook.changes"),
        Workbook.create(tmp_path / "j.iiv") as book,
    ):
        book.add(Profile(name="Thandi Mokoena", email="thandi@example.org", timezone="Africa/Johannesburg"))
        yield book
    failed = [r.getMessage() for r in caplog.records if r.name == "iivkit.workbook.changes"]
    assert failed == [], "a view's refresh raised"


def html_text(box: w.Widget) -> str:
    if isinstance(box, w.HTML):
        return str(box.value)
    return " ".join(html_text(c) for c in getattr(box, "children", ()))


def widgets_in(box: w.Widget) -> Iterator[w.Widget]:
    yield box
    for child in getattr(box, "children", ()):
        yield from widgets_in(child)


def labels(dropdown: w.Dropdown) -> list[str]:
    return [label for label, _ in dropdown.options]


def add_contact(wb: Workbook, name: str = "Ann Evaluator") -> Contact:
    return wb.add(Contact(name=name))


def add_meeting(wb: Workbook, contact: Contact, **values: object) -> Interview:
    return wb.add(Interview(contact_id=contact.id or 0, **values))  # type: ignore[arg-type]


# -- 1. forms stay in step ---------------------------------------------------------------------


def test_a_new_organisation_appears_at_once_in_the_contact_form_without_losing_typing(
    wb: Workbook,
) -> None:
    first = wb.add(Organisation(name="Alpha Health"))
    contact = RecordForm(wb, Contact, picker=True)
    contact.fields["name"].value = "Bo Analyst"
    contact.fields["organisation_id"].value = first.id
    orgs = RecordForm(wb, Organisation, picker=True)
    orgs.fields["name"].value = "Beta Council"
    orgs.save_button.click()

    (beta,) = wb.all(Organisation, name="Beta Council")
    dropdown = contact.fields["organisation_id"].widget
    assert any(value == beta.id and "Beta Council" in label for label, value in dropdown.options)
    assert contact.fields["organisation_id"].value == first.id, "the choice made is kept"
    assert contact.fields["name"].value == "Bo Analyst", "what the user typed is kept"

    finding = RecordForm(wb, Finding, picker=True)
    assert any(value == beta.id for _, value in finding.fields["organisation_id"].widget.options)
    orgs.picker.value = beta.id  # type: ignore[union-attr]
    orgs.fields["name"].value = "Beta Research Council"
    orgs.save_button.click()
    assert any("Beta Research Council" in label for label in labels(dropdown)), "renamed at once"
    assert any("Beta Research Council" in label for label in labels(finding.fields["organisation_id"].widget))


def test_saving_the_meeting_time_shows_the_date_in_the_confirmation_at_once(wb: Workbook) -> None:
    meeting = add_meeting(wb, add_contact(wb))
    confirmation = LetterPreview(wb, meeting.id or 0, names=["confirmation"])
    assert "MISSING: interview.scheduled_at" in confirmation.text.value
    form = RecordForm(wb, Interview, meeting.id, fields=["scheduled_at", "timezone", "place"])
    when = dt.datetime(2031, 3, 4, 10, 30)
    form.fields["scheduled_at"].value = when
    form.save_button.click()
    assert wb.get(Interview, meeting.id or 0).scheduled_at == when
    text = confirmation.text.value
    assert "MISSING: interview.scheduled_at" not in text
    assert f"{when:%B %Y}" in text and f"{when:%H:%M}" in text


def test_a_letter_being_edited_is_not_overwritten_and_saves_after_the_meeting_changed(
    wb: Workbook,
) -> None:
    meeting = add_meeting(wb, add_contact(wb))
    letter = LetterPreview(wb, meeting.id or 0, names=["invitation"])
    letter.text.value = "Subject: A short conversation\n\nDear Ann, my own words."
    form = RecordForm(wb, Interview, meeting.id, fields=["scheduled_at", "place"])
    form.fields["scheduled_at"].value = dt.datetime(2031, 3, 4, 10, 30)
    form.fields["place"].value = "Room 4"
    form.save_button.click()
    assert letter.text.value.endswith("my own words."), "typing is never overwritten"

    letter.save_button.click()
    saved = wb.get(Interview, meeting.id or 0)
    assert saved.invitation_text.endswith("my own words."), "saving the letter is not refused"
    assert saved.scheduled_at == dt.datetime(2031, 3, 4, 10, 30) and saved.place == "Room 4"
    assert "Saved" in letter.status.value


def test_two_forms_on_one_record_merge_changes_to_different_fields(wb: Workbook) -> None:
    meeting = add_meeting(wb, add_contact(wb))
    mine = RecordForm(wb, Interview, meeting.id)
    theirs = RecordForm(wb, Interview, meeting.id)
    mine.fields["place"].value = "Room 4"
    theirs.fields["notes"].value = "Bring the salary survey."
    theirs.fields["duration_minutes"].value = 45
    theirs.save_button.click()
    assert mine.fields["notes"].value == "Bring the salary survey.", "untouched fields follow"
    assert mine.fields["duration_minutes"].value == 45
    assert mine.fields["place"].value == "Room 4", "touched fields keep the user's text"

    saved = mine.save()
    assert saved is not None
    now = wb.get(Interview, meeting.id or 0)
    assert (now.place, now.notes, now.duration_minutes) == ("Room 4", "Bring the salary survey.", 45)
    assert theirs.fields["place"].value == "Room 4", "the other form picks up the new version"
    assert theirs.save() is not None, "and is not stale afterwards"


def test_a_change_from_another_process_is_merged_on_save(wb: Workbook) -> None:
    """A save from another process sends no signal here; the save still merges per field."""
    meeting = add_meeting(wb, add_contact(wb))
    form = RecordForm(wb, Interview, meeting.id)
    form.fields["place"].value = "Room 4"
    wb.conn.execute(
        "UPDATE interviews SET notes = 'from the other laptop', version = version + 1 WHERE id = ?",
        (meeting.id,),
    )
    assert form.save() is not None
    now = wb.get(Interview, meeting.id or 0)
    assert (now.place, now.notes) == ("Room 4", "from the other laptop")
    assert "Kept the changes made elsewhere to Notes" in form.status.value


# -- 2. real conflicts ------------------------------------------------------------------------


@pytest.mark.parametrize("keep_mine", [True, False])
def test_a_real_conflict_shows_both_values_and_keeps_either_without_retyping(
    wb: Workbook, keep_mine: bool
) -> None:
    contact = add_contact(wb)
    mine = RecordForm(wb, Contact, contact.id)
    theirs = RecordForm(wb, Contact, contact.id)
    mine.fields["role"].value = "Intern"
    mine.fields["notes"].value = "Met at the fair."
    theirs.fields["role"].value = "Director"
    theirs.save_button.click()

    assert mine.save() is None
    assert wb.get(Contact, contact.id or 0).role == "Director", "nothing written yet"
    shown = html_text(mine.conflicts.box)
    assert "Intern" in shown and "Director" in shown and "Role" in shown
    assert list(mine.conflicts.keep_mine) == ["role"], "only the field changed on both sides"
    assert "iiv-keep-mine" in mine.conflicts.keep_mine["role"]._dom_classes
    assert "iiv-keep-theirs" in mine.conflicts.keep_theirs["role"]._dom_classes

    (mine.conflicts.keep_mine if keep_mine else mine.conflicts.keep_theirs)["role"].click()
    now = wb.get(Contact, contact.id or 0)
    assert now.role == ("Intern" if keep_mine else "Director")
    assert now.notes == "Met at the fair.", "the user's other change is saved with it"
    assert mine.conflicts.open == [] and "Saved" in mine.status.value
    assert theirs.fields["role"].value == now.role


# -- 3. new vs edit ---------------------------------------------------------------------------


def test_after_adding_the_form_is_ready_for_the_next_and_nothing_is_overwritten(wb: Workbook) -> None:
    form = RecordForm(wb, Finding, picker=True)
    assert form.save_button.description == "Add finding"
    claims = ["Evaluators are hired every year", "Pay starts low", "Most posts need R"]
    for claim in claims:
        form.fields["claim"].value = claim
        form.fields["topic"].value = "hiring"
        form.save_button.click()
        assert form.mode == "new" and form.picker is not None and form.picker.value == NEW
        assert form.fields["claim"].value == "" and form.fields["topic"].value == ""
        assert "Added finding" in form.status.value and "ready for the next" in form.status.value
    assert [f.claim for f in wb.all(Finding)] == claims

    second = wb.all(Finding)[1]
    form.picker.value = second.id
    assert form.save_button.description == f"Save changes to finding {second.id}"
    form.fields["topic"].value = "salaries"
    form.save_button.click()
    assert form.mode == "edit", "an edit stays on the record chosen"
    assert wb.get(Finding, second.id or 0).topic == "salaries" and wb.count(Finding) == 3
    form.picker.value = NEW
    assert form.save_button.description == "Add finding"


def test_the_contact_form_is_a_plain_add_contact_form(wb: Workbook) -> None:
    form = RecordForm(wb, Contact, picker=True)
    for name in ("Ann Evaluator", "Bo Analyst"):
        form.fields["name"].value = name
        form.save_button.click()
    assert sorted(c.name for c in wb.all(Contact)) == ["Ann Evaluator", "Bo Analyst"]
    assert form.save_button.description == "Add contact"


# -- 4. list fields ---------------------------------------------------------------------------


def test_list_fields_take_one_entry_per_line_or_commas_and_show_what_they_read(wb: Workbook) -> None:
    form = RecordForm(wb, Profile)
    careers = form.fields["careers_of_interest"]
    assert isinstance(careers.widget, w.Textarea)
    careers.widget.value = "climate adaptation analyst, sustainability consultant, policy officer"
    shown = html_text(careers.box)
    assert "3 entries" in shown and "sustainability consultant" in shown
    careers.widget.value = "climate adaptation analyst\nsustainability consultant\n"
    assert "2 entries" in html_text(careers.box)
    form.fields["previous_qualifications"].value = ["BA Psychology, University of Cape Town"]
    form.save_button.click()
    profile = wb.get(Profile, 1)
    assert profile.careers_of_interest == ["climate adaptation analyst", "sustainability consultant"]
    assert profile.previous_qualifications == ["BA Psychology, University of Cape Town"], (
        "an entry with a comma round-trips"
    )
    again = RecordForm(wb, Profile)
    assert again.fields["previous_qualifications"].value == profile.previous_qualifications


ENTRY = (
    st.text(
        st.sampled_from([",", '"', " ", "a", "b"])
        | st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=20,
    )
    .map(lambda text: " ".join(text.split()))
    .filter(lambda text: text != "" and not text.startswith(",") and not text.endswith(","))
)


@given(st.lists(ENTRY, unique=True, max_size=5))
def test_any_list_shown_in_a_form_reads_back_the_same(entries: list[str]) -> None:
    """Quotes, commas and odd characters survive being shown and read back (leading or trailing
    commas on an entry are taken as separators)."""
    assert split_entries(join_entries(entries)) == entries


def test_an_enum_list_is_checked_inline_and_a_bad_entry_writes_nothing(wb: Workbook) -> None:
    form = RecordForm(wb, Question)
    form.fields["category"].value = "career"
    form.fields["text"].value = "What would you do in my place?"
    seniority = form.fields["seniority"]
    seniority.widget.value = "junior, very senior, boss"
    assert "boss" in seniority.error_text and "very senior" in seniority.error_text
    assert form.save() is None and wb.count(Question) == 0
    seniority.widget.value = "junior\nvery senior"
    assert seniority.error_text == ""
    saved = form.save()
    assert saved is not None and [s.value for s in saved.seniority] == ["junior", "very_senior"]


# -- 5. time zones ----------------------------------------------------------------------------


def test_a_new_meeting_takes_the_profile_time_zone(wb: Workbook) -> None:
    zone = wb.get(Profile, 1).timezone
    form = RecordForm(wb, Interview)
    assert form.fields["timezone"].value == zone
    contact = add_contact(wb)
    PlanEditor(wb, contact.id or 0).save()
    (planned,) = wb.all(Interview, contact_id=contact.id)
    assert planned.timezone == zone

    profile = RecordForm(wb, Profile)
    profile.fields["timezone"].value = "Europe/London"
    profile.save_button.click()
    assert form.fields["timezone"].value == "Europe/London", "an untouched new form follows the profile"


def test_without_a_profile_the_machine_time_zone_is_the_default(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "empty.iiv") as book:
        local = tzlocal.get_localzone_name()
        assert RecordForm(book, Profile).fields["timezone"].value == local
        assert RecordForm(book, Interview).fields["timezone"].value == local


# -- 6. labels --------------------------------------------------------------------------------


def test_labels_fit_and_no_option_is_blank(wb: Workbook) -> None:
    contact = add_contact(wb)
    meeting = add_meeting(wb, contact, status=InterviewStatus.done)
    wb.add(PlannedQuestion(interview_id=meeting.id or 0, category=Category.background, text="How?"))
    wb.add(Finding(claim="A claim", to_test=True))
    views = [
        *(RecordForm(wb, m, picker=True) for m in (Organisation, Finding, Contact, Interview, OpenQuestion)),
        RecordForm(wb, Profile),
        DebriefForm(wb, meeting.id or 0),
        LetterPreview(wb, meeting.id or 0),
        PlanEditor(wb, contact.id or 0, meeting.id),
        FindingsToTest(wb),
    ]
    seen = 0
    for view in views:
        for widget in widgets_in(view.widget):
            if isinstance(widget, w.Button) and widget.description:
                assert widget.layout.width == "auto", widget.description
                assert "➕" not in widget.description
                seen += 1
            if isinstance(widget, w.Checkbox) and widget.description:
                assert widget.style.description_width == "initial" and widget.layout.width == "auto"
            if isinstance(widget, w.Dropdown):
                assert all(str(label).strip() for label in labels(widget)), labels(widget)
                assert not any("➕" in str(label) for label in labels(widget))
    assert seen >= len(views)
    assert option_label("Finding", 3, "   ") == "Finding 3"


# -- 7. the debrief ---------------------------------------------------------------------------


def test_a_referral_typed_in_the_debrief_can_be_asked_an_open_question_at_once(wb: Workbook) -> None:
    contact = add_contact(wb)
    meeting = add_meeting(wb, contact, status=InterviewStatus.done, scheduled_at=dt.datetime(2020, 1, 6, 9))
    form = DebriefForm(wb, meeting.id or 0)
    assert form.warning.value == "", "a past meeting gets no warning"
    form.referrals.rows[0].inputs["name"].value = "Dee Statistician"
    ask = form.open_questions.rows[0].inputs["suggested_contact_id"]
    (choice,) = [value for label, value in ask.options if "Dee Statistician" in label]
    form.open_questions.rows[0].inputs["text"].value = "Do they take interns mid-year?"
    form.open_questions.rows[0].inputs["how_to_answer"].value = "Ask Dee, who runs the programme."
    ask.value = choice
    form.open_questions.add()
    second_ask = form.open_questions.rows[1].inputs["suggested_contact_id"]
    assert any("Dee Statistician" in label for label in labels(second_ask)), "new rows list it too"
    form.save_button.click()

    assert "Saved the debrief" in form.status.value
    (dee,) = wb.all(Contact, name="Dee Statistician")
    (question,) = wb.all(OpenQuestion, interview_id=meeting.id)
    assert question.suggested_contact_id == dee.id
    again = DebriefForm(wb, meeting.id or 0)
    assert again.open_questions.rows[0].inputs["suggested_contact_id"].value == dee.id


def test_a_debrief_of_a_meeting_still_ahead_warns_but_saves(wb: Workbook) -> None:
    ahead = dt.datetime.now() + dt.timedelta(days=30)
    meeting = add_meeting(wb, add_contact(wb), scheduled_at=ahead.replace(microsecond=0))
    form = DebriefForm(wb, meeting.id or 0)
    assert "still ahead" in form.warning.value
    form.fields["salary_info"].value = "Heard from a friend: about R25k."
    assert form.save() is True
    assert wb.get(Interview, meeting.id or 0).salary_info.startswith("Heard")


def test_the_debrief_keeps_unsaved_notes_and_adds_a_finding_ticked_elsewhere(wb: Workbook) -> None:
    meeting = add_meeting(wb, add_contact(wb), status=InterviewStatus.done)
    form = DebriefForm(wb, meeting.id or 0)
    form.fields["salary_info"].value = "About R25k."
    picker = FindingsToTest(wb)
    finding = wb.add(Finding(claim="Evaluators are hired every year"))
    assert finding.id in picker.boxes, "the new finding is listed at once"
    picker.boxes[finding.id or 0].value = True
    picker.save_button.click()
    assert finding.id in form.outcomes, "the debrief offers the newly tested finding"
    assert form.fields["salary_info"].value == "About R25k."
    form.outcomes[finding.id or 0].toggle.value = "confirmed"
    assert form.save() is True
    assert wb.get(Interview, meeting.id or 0).salary_info == "About R25k."


# -- the findings to test ---------------------------------------------------------------------


def test_findings_to_test_keeps_unsaved_ticks_and_saves_over_an_edit_elsewhere(wb: Workbook) -> None:
    first = wb.add(Finding(claim="First"))
    picker = FindingsToTest(wb)
    picker.boxes[first.id or 0].value = True
    edit = RecordForm(wb, Finding, first.id)
    edit.fields["topic"].value = "hiring"
    edit.save_button.click()
    form = RecordForm(wb, Finding, picker=True)
    form.fields["claim"].value = "Second"
    form.save_button.click()
    assert len(picker.boxes) == 2 and picker.boxes[first.id or 0].value is True
    assert picker.save() == 1
    now = wb.get(Finding, first.id or 0)
    assert now.to_test and now.topic == "hiring"


def test_forms_of_a_closed_workbook_stop_following(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "rerun.iiv"
    Workbook.create(path).close()
    old = Workbook.open(path)
    stale = RecordForm(old, Contact, picker=True)
    old.close()  # the notebook was run again: a new workbook object, the old forms left behind
    with caplog.at_level(logging.ERROR, logger="iivkit.workbook.changes"), Workbook.open(path) as new:
        fresh = RecordForm(new, Contact, picker=True)
        fresh.fields["name"].value = "Ann"
        fresh.save_button.click()
        new.add(Contact(name="Bo"))
        assert len(fresh.picker.options) == 3  # type: ignore[union-attr]
    assert [r for r in caplog.records if r.name == "iivkit.workbook.changes"] == []
    assert stale.mode == "new"


def test_the_same_letter_saved_in_two_previews_offers_both_texts(wb: Workbook) -> None:
    meeting = add_meeting(wb, add_contact(wb))
    mine = LetterPreview(wb, meeting.id or 0, names=["invitation"])
    theirs = LetterPreview(wb, meeting.id or 0, names=["invitation"])
    mine.text.value = "Subject: Mine\n\nDear Ann, mine."
    theirs.text.value = "Subject: Theirs\n\nDear Ann, theirs."
    assert theirs.save() is True
    assert mine.save() is False
    assert wb.get(Interview, meeting.id or 0).invitation_text.endswith("theirs.")
    shown = html_text(mine.conflicts.box)
    assert "mine." in shown and "theirs." in shown
    mine.conflicts.keep_mine["invitation_text"].click()
    assert wb.get(Interview, meeting.id or 0).invitation_text.endswith("mine.")
    assert mine.text.value.rstrip().endswith("mine.") and "Saved" in mine.status.value


def test_a_debrief_saves_over_a_letter_and_meeting_saved_meanwhile(wb: Workbook) -> None:
    meeting = add_meeting(wb, add_contact(wb), status=InterviewStatus.done)
    form = DebriefForm(wb, meeting.id or 0)
    form.fields["salary_info"].value = "About R25k."
    letter = LetterPreview(wb, meeting.id or 0, names=["thank_you"])
    letter.text.value = "Subject: Thank you\n\nDear Ann, thank you."
    assert letter.save() is True
    meeting_form = RecordForm(wb, Interview, meeting.id, fields=["notes", "place"])
    meeting_form.fields["notes"].value = "Bring the CV."
    meeting_form.fields["place"].value = "Their office"
    assert meeting_form.save() is not None
    RecordForm(wb, Interview, meeting.id, fields=["notes"]).fields["notes"].value = "unsaved elsewhere"
    assert form.fields["salary_info"].value == "About R25k.", "the unsaved debrief is kept"
    assert form.save() is True, "no false conflict: different fields"
    now = wb.get(Interview, meeting.id or 0)
    assert now.salary_info == "About R25k." and now.thank_you_text.endswith("thank you.")
    assert (now.notes, now.place) == ("Bring the CV.", "Their office")
    assert now.status is InterviewStatus.debriefed


def test_a_record_deleted_elsewhere_keeps_the_typing_and_can_be_added_again(wb: Workbook) -> None:
    contact = add_contact(wb)
    form = RecordForm(wb, Contact, contact.id, picker=True)
    form.fields["role"].value = "Evaluator"
    wb.delete(Contact, contact.id or 0)
    assert form.mode == "new" and form.fields["role"].value == "Evaluator"
    assert "deleted elsewhere" in form.status.value
    assert form.save_button.description == "Add contact"
    assert form.save() is not None
    (again,) = wb.all(Contact)
    assert (again.name, again.role) == ("Ann Evaluator", "Evaluator")


def test_user_text_in_entries_and_conflicts_is_shown_as_text(wb: Workbook) -> None:
    contact = add_contact(wb)
    form = RecordForm(wb, Organisation)
    form.fields["divisions"].widget.value = "<script>alert(1)</script>\n<b>HR</b>"
    shown = html_text(form.fields["divisions"].box)
    assert "<script>" not in shown and "&lt;script&gt;" in shown and "&lt;b&gt;HR" in shown
    mine, theirs = RecordForm(wb, Contact, contact.id), RecordForm(wb, Contact, contact.id)
    mine.fields["role"].value = "<img src=x onerror=alert(1)>"
    theirs.fields["role"].value = "<script>theirs</script>"
    theirs.save_button.click()
    assert mine.save() is None
    conflict = html_text(mine.conflicts.box)
    assert "<img" not in conflict and "<script>" not in conflict and "&lt;img" in conflict


def test_the_whole_method_through_forms_shown_once_with_no_rerun(tmp_path: Path) -> None:
    """The journey of issue 9, in one kernel: every form is made once, as Run All makes it, and
    each later step sees what the earlier ones saved."""
    with Workbook.create(tmp_path / "journey.iiv") as book:
        profile = RecordForm(book, Profile)
        orgs = RecordForm(book, Organisation, picker=True)
        findings = RecordForm(book, Finding, picker=True)
        to_test = FindingsToTest(book)
        contacts = RecordForm(book, Contact, picker=True)

        profile.fields["name"].value = "Thandi Mokoena"
        profile.fields["email"].value = "thandi@example.org"
        profile.fields[
            "careers_of_interest"
        ].widget.value = "climate adaptation analyst\nsustainability consultant"
        profile.save_button.click()
        assert book.get(Profile, 1).careers_of_interest == [
            "climate adaptation analyst",
            "sustainability consultant",
        ]
        orgs.fields["name"].value = "Green Cities Trust"
        orgs.save_button.click()
        (org,) = book.all(Organisation)
        for claim in ("They hire analysts each spring", "Pay starts near R20k", "Most staff code in R"):
            findings.fields["claim"].value = claim
            findings.fields["organisation_id"].value = org.id
            findings.save_button.click()
        assert book.count(Finding) == 3 and len(to_test.boxes) == 3, "the tick list saw every finding"
        first, second, _third = book.all(Finding)
        to_test.boxes[first.id or 0].value = True
        to_test.boxes[second.id or 0].value = True
        to_test.save_button.click()
        assert len(book.all(Finding, to_test=True)) == 2

        contacts.fields["name"].value = "Ann Evaluator"
        contacts.fields["email"].value = "ann@example.org"
        contacts.fields["organisation_id"].value = org.id  # listed without a re-run
        contacts.save_button.click()
        (ann,) = book.all(Contact)

        plan = PlanEditor(book, ann.id or 0)
        assert plan.save() is not None
        (meeting,) = book.all(Interview)
        assert meeting.timezone == book.get(Profile, 1).timezone
        form = RecordForm(book, Interview, meeting.id, fields=["scheduled_at", "timezone", "place"])
        invitation = LetterPreview(book, meeting.id or 0, names=["invitation"])
        confirmation = LetterPreview(book, meeting.id or 0, names=["confirmation"])
        when = dt.datetime(2020, 5, 4, 10, 0)
        form.fields["scheduled_at"].value = when
        form.save_button.click()
        invitation.text.value = invitation.text.value.rstrip() + "\n\nP.S. I read your spring report."
        assert invitation.save() is True, "the invitation saved after the meeting is not refused"
        assert f"{when:%B %Y}" in confirmation.text.value, "the confirmation shows the date at once"

        debrief = DebriefForm(book, meeting.id or 0)
        debrief.outcomes[first.id or 0].toggle.value = "confirmed"
        debrief.outcomes[second.id or 0].toggle.value = "refuted"
        debrief.referrals.rows[0].inputs["name"].value = "Dee Statistician"
        question = debrief.open_questions.rows[0]
        question.inputs["text"].value = "Is there a graduate intake?"
        question.inputs["how_to_answer"].value = "Ask Dee"
        question.inputs["suggested_contact_id"].value = next(
            value for label, value in question.inputs["suggested_contact_id"].options if "Dee" in label
        )
        assert debrief.save() is True

        (dee,) = book.all(Contact, name="Dee Statistician")
        (open_question,) = book.all(OpenQuestion)
        assert open_question.suggested_contact_id == dee.id
        assert book.count(Finding) == 3 and book.count(Contact) == 2 and book.count(Organisation) == 1
        assert book.get(Interview, meeting.id or 0).invitation_text.endswith("spring report.")
        assert book.get(Interview, meeting.id or 0).scheduled_at == when
        assert any(value == dee.id for _, value in contacts.picker.options), "the referral is a contact"  # type: ignore[union-attr]


def test_a_closed_form_no_longer_follows_the_workbook(wb: Workbook) -> None:
    form = RecordForm(wb, Finding, picker=True)
    before = list(form.picker.options)  # type: ignore[union-attr]
    form.close()
    wb.add(Finding(claim="Added after the form was closed"))
    assert list(form.picker.options) == before  # type: ignore[union-attr]
    live = RecordForm(wb, Finding, picker=True)
    wb.add(Finding(claim="Another"))
    assert len(live.picker.options) == len(before) + 2  # type: ignore[union-attr]


def test_a_meeting_planned_before_its_date_was_set_is_offered_the_profile_time_zone(wb: Workbook) -> None:
    zone = wb.get(Profile, 1).timezone
    meeting = add_meeting(wb, add_contact(wb))  # as a notebook or the planner makes it: UTC
    assert meeting.timezone != zone
    form = RecordForm(wb, Interview, meeting.id, fields=["scheduled_at", "timezone", "place"])
    assert form.fields["timezone"].value == zone
    form.fields["scheduled_at"].value = dt.datetime(2031, 3, 4, 10, 30)
    form.save_button.click()
    assert wb.get(Interview, meeting.id or 0).timezone == zone
    again = RecordForm(wb, Interview, meeting.id, fields=["timezone"])
    again.fields["timezone"].value = "UTC"
    again.save_button.click()
    assert RecordForm(wb, Interview, meeting.id).fields["timezone"].value == "UTC", (
        "once the meeting is scheduled, its zone is what the user chose"
    )


# -- review fixes: conflicts, reloads, deleted records ------------------------------------------


def test_keeping_my_answer_after_a_question_was_added_meanwhile_saves_both_answers(wb: Workbook) -> None:
    meeting = add_meeting(wb, add_contact(wb), status=InterviewStatus.done)
    iid = meeting.id or 0
    first = wb.add(PlannedQuestion(interview_id=iid, category=Category.background, text="How?", position=1))
    last = wb.add(PlannedQuestion(interview_id=iid, category=Category.closing, text="Who else?", position=3))
    form = DebriefForm(wb, iid)
    form.answers[last.id].value = "Ask Bo."
    wb.save(last.model_copy(update={"answer": "Ask Cy."}))  # the same answer, saved elsewhere
    assert form.save() is False
    key = f"answer-{last.id}-answer"
    assert key in form.conflicts.keep_mine
    # While the conflict is open, a question is planned between the two elsewhere.
    middle = wb.add(PlannedQuestion(interview_id=iid, category=Category.role, text="A day?", position=2))
    assert [q.id for q in form.planned] == [first.id, middle.id, last.id]
    form.answers[middle.id].value = "Meetings, then field visits."
    form.conflicts.keep_mine[key].click()
    assert "Saved" in form.status.value
    assert wb.get(PlannedQuestion, last.id or 0).answer == "Ask Bo."
    assert wb.get(PlannedQuestion, middle.id or 0).answer == "Meetings, then field visits."
    assert wb.get(PlannedQuestion, first.id or 0).answer == ""
    form.reload()
    assert form.answers[middle.id].value == "Meetings, then field visits."
    assert form.answers[last.id].value == "Ask Bo."


def test_a_form_on_a_deleted_record_keeps_its_text_when_the_profile_is_saved(wb: Workbook) -> None:
    contact = wb.add(Contact(name="Ann Evaluator", role="Evaluator", notes="Met at the fair."))
    form = RecordForm(wb, Contact, contact.id, picker=True)
    wb.delete(Contact, contact.id or 0)
    assert form.mode == "new" and form.fields["role"].value == "Evaluator"
    profile = RecordForm(wb, Profile)
    profile.fields["name"].value = "Thandi M."
    assert profile.save() is not None
    assert form.fields["role"].value == "Evaluator"
    assert form.fields["notes"].value == "Met at the fair."
    assert form.save() is not None
    (again,) = wb.all(Contact)
    assert (again.name, again.role, again.notes) == ("Ann Evaluator", "Evaluator", "Met at the fair.")


def parts_of(box: w.Widget) -> list[w.Widget]:
    """Every widget shown in *box*, with the layouts and styles they own."""
    found: list[w.Widget] = []
    for widget in widgets_in(box):
        found.append(widget)
        found.extend(p for p in (getattr(widget, "layout", None), getattr(widget, "style", None)) if p)
    return found


def dropped_and_open(before: list[w.Widget], box: w.Widget) -> tuple[int, list[w.Widget]]:
    """How many of *before* are no longer shown in *box*, and those of them still open."""
    shown = {id(x) for x in parts_of(box)}
    gone = [x for x in before if id(x) not in shown]
    return len(gone), [x for x in gone if x.comm is not None]


def test_the_debrief_closes_what_it_rebuilds_and_leaves_itself_alone_when_nothing_it_shows_changed(
    wb: Workbook,
) -> None:
    meeting = add_meeting(wb, add_contact(wb), status=InterviewStatus.done)
    iid = meeting.id or 0
    wb.add(PlannedQuestion(interview_id=iid, category=Category.background, text="How?", position=1))
    form = DebriefForm(wb, iid)
    before = parts_of(form.widget)
    wb.add(Organisation(name="Alpha Health"))  # not shown in the debrief, only offered in lists
    assert dropped_and_open(before, form.widget) == (0, [])
    wb.add(Insight(interview_id=iid, text="They hire in spring."))  # shown: the debrief is rebuilt
    gone, still_open = dropped_and_open(before, form.widget)
    assert gone > 0 and still_open == []
    assert "They hire in spring." in [r.inputs["text"].value for r in form.insights.rows]


def test_unticking_mark_debriefed_survives_saves_elsewhere(wb: Workbook) -> None:
    meeting = add_meeting(wb, add_contact(wb), status=InterviewStatus.done)
    iid = meeting.id or 0
    form = DebriefForm(wb, iid)
    form.mark_debriefed.value = False
    wb.add(Organisation(name="Alpha Health"))
    assert form.mark_debriefed.value is False
    form.fields["salary_info"].value = "About R25k."
    assert form.save() is True
    assert wb.get(Interview, iid).status is InterviewStatus.done
    wb.add(Insight(interview_id=iid, text="They hire in spring."))  # a rebuild of the debrief
    assert form.mark_debriefed.value is False
    form.fields["environment_info"].value = "Small team."
    assert form.save() is True
    now = wb.get(Interview, iid)
    assert (now.status, now.environment_info) == (InterviewStatus.done, "Small team.")


def test_the_plan_editor_closes_the_entries_it_rebuilds(wb: Workbook) -> None:
    contact = add_contact(wb)
    meeting = add_meeting(wb, contact)
    editor = PlanEditor(wb, contact.id or 0, meeting.id)
    before = parts_of(editor.widget)
    wb.save(wb.get(Contact, contact.id or 0).model_copy(update={"role": "Evaluator"}))
    gone, still_open = dropped_and_open(before, editor.widget)
    assert gone > 0 and still_open == []


def test_the_debrief_counts_only_the_records_it_wrote(wb: Workbook) -> None:
    contact = add_contact(wb)
    meeting = add_meeting(wb, contact, status=InterviewStatus.done)
    iid = meeting.id or 0
    question = wb.add(
        PlannedQuestion(interview_id=iid, category=Category.closing, text="Who else?", position=1)
    )
    form = DebriefForm(wb, iid)
    form.answers[question.id].value = "Ask Bo."
    form.fields["salary_info"].value = "About R25k."
    wb.save(question.model_copy(update={"answer": "Ask Bo."}))  # the same answer, typed elsewhere
    records = [(Interview, iid), (Contact, contact.id or 0), (PlannedQuestion, question.id or 0)]
    versions = [wb.get(model, rid).version for model, rid in records]
    assert form.save() is True
    written = sum(wb.get(model, rid).version != v for (model, rid), v in zip(records, versions, strict=True))
    assert written < len(records)
    assert f"Saved the debrief: {written} record(s) written." in form.status.value


def test_a_settled_conflict_closes_the_widgets_that_showed_it(wb: Workbook) -> None:
    contact = add_contact(wb)
    mine, theirs = RecordForm(wb, Contact, contact.id), RecordForm(wb, Contact, contact.id)
    mine.fields["role"].value = "Evaluator"
    theirs.fields["role"].value = "Analyst"
    assert theirs.save() is not None
    assert mine.save() is None
    before = parts_of(mine.conflicts.box)
    mine.conflicts.keep_mine["role"].click()
    assert wb.get(Contact, contact.id or 0).role == "Evaluator"
    gone, still_open = dropped_and_open(before, mine.conflicts.box)
    assert gone > 0 and still_open == []
