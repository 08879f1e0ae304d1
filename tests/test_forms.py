"""The notebook forms, driven from Python: set widget values, click Save, read the workbook.

A real browser is still needed to prove that the front end renders them (tests/test_browser.py);
everything about what a form does with the values is proven here, quickly.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import re
from collections.abc import Iterator
from pathlib import Path

import ipywidgets as w
import pytest

from iivkit.errors import RecordNotFound, StaleRecordError, ValidationFailed
from iivkit.method.planner import plan, plan_versions, save_plan
from iivkit.ui import tables
from iivkit.ui.charts import evidence_chart, pipeline_chart
from iivkit.ui.forms import DebriefForm, FindingsToTest, LetterPreview, PlanEditor, RecordForm
from iivkit.ui.forms.record_form import NEW
from iivkit.ui.guide import interview_guide_html
from iivkit.ui.support import as_date, choose_contact, choose_interview, prepare_interview
from iivkit.workbook.demo import build_demo
from iivkit.workbook.models import (
    RECORD_TYPES,
    Category,
    Contact,
    ContactStatus,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Organisation,
    Outcome,
    PlannedQuestion,
    Profile,
)
from iivkit.workbook.store import Workbook


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbook]:
    """A small workbook: one organisation, two findings to test, a contact with a done interview."""
    with Workbook.create(tmp_path / "forms.iiv") as book:
        book.add(Profile(name="Thandi Mokoena", email="thandi@example.org"))
        org = book.add(Organisation(name="Health Research Council"))
        book.add(
            Finding(claim="The council hires evaluators every year", to_test=True, organisation_id=org.id)
        )
        book.add(Finding(claim="Pay starts <script>low</script>", to_test=True, topic="salaries"))
        ann = book.add(Contact(name="Ann Evaluator", organisation_id=org.id, status=ContactStatus.confirmed))
        interview = book.add(
            Interview(
                contact_id=ann.id or 0, status=InterviewStatus.done, scheduled_at=dt.datetime(2026, 3, 2, 10)
            )
        )
        book.add(
            PlannedQuestion(
                interview_id=interview.id or 0, category=Category.background, text="How did you start?"
            )
        )
        yield book


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Workbook]:
    with build_demo(tmp_path / "demo.iiv") as book:
        yield book


def html_text(box: w.Widget) -> str:
    """Every HTML text shown inside *box*, joined."""
    if isinstance(box, w.HTML):
        return str(box.value)
    return " ".join(html_text(c) for c in getattr(box, "children", ()))


def counts(wb: Workbook) -> dict[str, int]:
    return {m.table: wb.count(m) for m in RECORD_TYPES}


# -- forms generated from the models --------------------------------------------------------


def test_every_record_type_gets_a_form_with_labels_and_help(wb: Workbook) -> None:
    for model in RECORD_TYPES:
        form = RecordForm(wb, model)
        for name, control in form.fields.items():
            info = model.model_fields[name]
            assert info.title and info.title in control.label.value
            assert (info.description or "") in control.help.value.replace("&#x27;", "'")


def test_each_kind_of_field_gets_its_own_control(wb: Workbook) -> None:
    interview = RecordForm(wb, Interview).fields
    assert isinstance(interview["scheduled_at"].widget, w.NaiveDatetimePicker)
    assert isinstance(interview["invitation_sent"].widget, w.DatePicker)
    assert isinstance(interview["keywords"].widget, w.Textarea), "lists are typed one entry per line"
    assert isinstance(interview["duration_minutes"].widget, w.IntText)
    assert isinstance(interview["medium"].widget, w.Dropdown)
    assert isinstance(interview["invitation_text"].widget, w.Textarea)
    finding = RecordForm(wb, Finding).fields
    assert isinstance(finding["to_test"].widget, w.Checkbox)
    assert isinstance(finding["claim"].widget, w.Textarea)
    assert isinstance(finding["source_title"].widget, w.Text)
    contact = RecordForm(wb, Contact).fields
    assert [label for label, _ in contact["seniority"].widget.options] == [
        "junior",
        "mid",
        "senior",
        "very senior",
    ]


def test_reference_fields_pick_existing_records_by_name(wb: Workbook) -> None:
    options = RecordForm(wb, Contact).fields["organisation_id"].widget.options
    assert options[0][1] is None
    assert any("Health Research Council" in label and value == 1 for label, value in options)
    interviews = RecordForm(wb, OpenQuestion).fields["interview_id"].widget.options
    assert any("Ann Evaluator" in label for label, _ in interviews)


def test_a_new_contact_is_saved_from_the_form(wb: Workbook) -> None:
    form = RecordForm(wb, Contact)
    assert form.mode == "new"
    form.fields["name"].value = "Bo Analyst"
    form.fields["email"].value = "bo@example.org"
    form.fields["organisation_id"].value = 1
    form.fields["seniority"].value = "very_senior"
    form.save_button.click()
    saved = wb.all(Contact, name="Bo Analyst")
    assert len(saved) == 1
    assert saved[0].email == "bo@example.org" and saved[0].organisation_id == 1
    assert saved[0].seniority.value == "very_senior"
    assert form.fields["name"].value == "", "the form is ready for the next new contact"
    assert form.mode == "new" and f"Added contact {saved[0].id}" in form.status.value


def test_bad_values_show_inline_errors_and_write_nothing(wb: Workbook) -> None:
    before = counts(wb)
    form = RecordForm(wb, Contact)
    form.fields["name"].value = "   "
    form.fields["email"].value = "not-an-email"
    form.fields["phone"].value = "call me"
    assert form.save() is None
    assert counts(wb) == before
    assert "at least 1 character" in form.fields["name"].error_text
    assert "email" in form.fields["email"].error_text.lower()
    assert "phone" in form.fields["phone"].error_text.lower()
    assert form.fields["role"].error_text == ""
    assert "Not saved" in form.status.value

    form.fields["name"].value = "Cee"
    form.fields["email"].value = ""
    form.fields["phone"].value = "+27 21 555 0101"
    assert form.save() is not None
    assert form.fields["name"].error_text == "" and form.fields["email"].error_text == ""


def test_a_bad_link_in_a_list_or_date_is_reported_at_its_field(wb: Workbook) -> None:
    form = RecordForm(wb, Finding)
    form.fields["claim"].value = "A claim"
    form.fields["source_link"].value = "www.example.org"
    assert form.save() is None
    assert "link" in form.fields["source_link"].error_text
    interview = RecordForm(wb, Interview)
    interview.fields["contact_id"].value = 1
    interview.fields["check_ins_sent"].value = ["2026-02-30"]
    interview.fields["duration_minutes"].value = 1
    assert interview.save() is None
    assert interview.fields["check_ins_sent"].error_text.startswith("item 1: "), interview.fields[
        "check_ins_sent"
    ].error_text
    assert "day value is outside expected range" in interview.fields["check_ins_sent"].error_text
    assert "5" in interview.fields["duration_minutes"].error_text


def test_edit_mode_through_the_record_picker(wb: Workbook) -> None:
    form = RecordForm(wb, Contact, picker=True)
    assert form.picker is not None and form.mode == "new"
    form.picker.value = 1
    assert form.mode == "edit" and form.fields["name"].value == "Ann Evaluator"
    form.fields["role"].value = "Senior evaluator"
    form.save_button.click()
    assert form.picker.value == 1 and form.fields["role"].value == "Senior evaluator"
    assert wb.get(Contact, 1).role == "Senior evaluator" and wb.get(Contact, 1).version == 2
    form.picker.value = NEW
    assert form.mode == "new" and form.fields["name"].value == ""
    form.fields["name"].value = "Eve Newcomer"
    created = form.save()
    assert created is not None and form.picker.value == NEW and form.mode == "new"
    assert any(value == created.id for _, value in form.picker.options), "the new record can be picked"


def test_the_profile_form_opens_the_existing_profile(wb: Workbook) -> None:
    form = RecordForm(wb, Profile)
    assert form.mode == "edit" and form.fields["name"].value == "Thandi Mokoena"


def test_a_stale_save_is_refused_and_reload_offered(wb: Workbook) -> None:
    mine = RecordForm(wb, Contact, 1)
    theirs = RecordForm(wb, Contact, 1)
    mine.fields["role"].value = "Intern"
    theirs.fields["role"].value = "Director"
    assert theirs.save() is not None
    assert mine.fields["role"].value == "Intern", "a refresh never overwrites what the user typed"

    assert mine.save() is None
    assert wb.get(Contact, 1).role == "Director"
    assert "changed elsewhere" in mine.status.value
    conflict = html_text(mine.conflicts.box)
    assert "Director" in conflict and "Intern" in conflict
    assert mine.reload_button.layout.display != "none"

    mine.reload_button.click()
    assert mine.fields["role"].value == "Director"
    assert mine.reload_button.layout.display == "none"
    mine.fields["role"].value = "Intern"
    assert mine.save() is not None and wb.get(Contact, 1).role == "Intern"


def test_a_form_can_fix_fields_it_does_not_show(wb: Workbook) -> None:
    form = RecordForm(wb, OpenQuestion, fields=["text", "how_to_answer"], fixed={"interview_id": 1})
    form.fields["text"].value = "Which teams hire graduates?"
    saved = form.save()
    assert saved is not None and saved.interview_id == 1


def test_a_meeting_made_for_a_new_contact_is_in_the_users_time_zone(wb: Workbook) -> None:
    profile = wb.profile()
    assert profile is not None
    wb.update(profile.model_copy(update={"timezone": "Africa/Johannesburg"}))
    bea = wb.add(Contact(name="Bea Planner"))
    interview = prepare_interview(wb, bea)
    assert wb.get(Interview, interview.id or 0).timezone == "Africa/Johannesburg"


def _text_boxes(widget: w.Widget) -> list[w.Widget]:
    found = [widget] if isinstance(widget, w.Text | w.Textarea | w.Combobox) else []
    for child in getattr(widget, "children", ()):
        found += _text_boxes(child)
    return found


def test_text_boxes_send_their_whole_text_before_a_save_click(wb: Workbook) -> None:
    """A box that synced on every key press could lose its last characters to a quick Save."""
    interview = wb.all(Interview)[0]
    views = [
        *(RecordForm(wb, m, picker=not m.singleton).widget for m in RECORD_TYPES if m is not PlannedQuestion),
        DebriefForm(wb, interview.id or 0).widget,
        LetterPreview(wb, interview.id or 0, names=["invitation"]).widget,
        PlanEditor(wb, interview.contact_id, interview.id or 0).widget,
    ]
    boxes = [box for view in views for box in _text_boxes(view)]
    assert len(boxes) > 20
    assert [b for b in boxes if b.continuous_update] == []


# -- the question-plan editor ---------------------------------------------------------------


def test_plan_editor_offers_suggestions_by_category_and_saves_the_ticked_ones(demo: Workbook) -> None:
    contact = choose_contact(demo)
    interview = prepare_interview(demo, contact)
    editor = PlanEditor(demo, contact.id or 0, interview.id)
    assert any(not e.ticked for entries in editor.entries.values() for e in entries), "alternatives offered"
    headers = [c.value for c in editor.groups.children if isinstance(c, w.HTML)]
    assert headers, "questions are grouped under category headings"

    closing = [e for e in editor.entries[Category.closing] if e.ticked]
    for entry in closing:
        entry.checkbox.value = False
    assert "Who else should I talk to" in editor.coverage.value
    for entry in closing:
        entry.checkbox.value = True

    own = editor.add(Category.career, "What would you do in my place?")
    assert own is not None and own.ticked
    careers = editor.entries[Category.career]
    editor.move(own, -1)
    assert careers.index(own) == max(0, len(careers) - 2)

    editor.save_button.click()
    saved = sorted(demo.all(PlannedQuestion, interview_id=interview.id), key=lambda q: q.position)
    texts = [q.text for q in saved]
    assert "What would you do in my place?" in texts
    assert len(texts) == len(editor.current_plan().items)
    assert f"Saved the plan: {len(texts)} questions" in editor.status.value
    order = [list(Category).index(q.category) for q in saved]
    assert order == sorted(order), "saved in category order"

    again = PlanEditor(demo, contact.id or 0, interview.id)
    assert "What would you do in my place?" in [i.text for i in again.current_plan().items]


def test_plan_editor_refuses_an_empty_plan(wb: Workbook) -> None:
    editor = PlanEditor(wb, 1, 1)
    for entries in editor.entries.values():
        for entry in entries:
            entry.checkbox.value = False
    assert editor.save() is None and "tick at least one" in editor.status.value
    assert editor.add(Category.closing, "   ") is None and "Type the question" in editor.add_error.value


def test_plan_editor_creates_the_interview_when_there_is_none(wb: Workbook) -> None:
    bo = wb.add(Contact(name="Bo Analyst"))
    editor = PlanEditor(wb, bo.id or 0)
    assert editor.save() is not None
    (interview,) = wb.all(Interview, contact_id=bo.id)
    assert interview.status is InterviewStatus.planned
    assert wb.all(PlannedQuestion, interview_id=interview.id)
    editor.add(Category.career, "What would you do in my place?")
    assert editor.save() is not None, "its own earlier save does not make the editor stale"
    assert "What would you do in my place?" in plan_texts(wb, interview.id or 0)


def plan_texts(wb: Workbook, interview_id: int) -> list[str]:
    saved = wb.all(PlannedQuestion, interview_id=interview_id)
    return [q.text for q in sorted(saved, key=lambda q: (q.position, q.id or 0))]


def test_a_stale_plan_save_is_refused_and_reload_offered(wb: Workbook) -> None:
    mine = PlanEditor(wb, 1, 1)
    theirs = PlanEditor(wb, 1, 1)
    mine.add(Category.career, "Mine: <b>which</b> skills matter most?")
    theirs.add(Category.career, "Theirs: what would you do in my place?")
    assert theirs.save() is not None
    theirs.add(Category.career, "Theirs again: is the salary range I found realistic?")
    assert theirs.save() is not None, "an editor's own save refreshes what it opened"
    saved = plan_texts(wb, 1)
    assert "Theirs again: is the salary range I found realistic?" in saved
    assert "Mine: <b>which</b> skills matter most?" in [i.text for i in mine.current_plan().items], (
        "a save elsewhere never drops what the user added here"
    )
    assert "changed elsewhere" in mine.status.value

    assert mine.save() is None
    assert plan_texts(wb, 1) == saved, "the workbook keeps the other editor's plan"
    assert (
        "Not saved" in mine.status.value
        and "the plan for interview 1 was changed elsewhere" in mine.status.value
    )
    assert "Theirs: what would you do in my place?" in mine.status.value, "the conflict is shown"
    assert "Mine: &lt;b&gt;which&lt;/b&gt; skills matter most?" in mine.status.value
    assert mine.reload_button.layout.display != "none"

    assert mine.choose.layout.display != "none", "keep mine / keep the saved plan are offered"
    mine.keep_theirs.click()
    assert mine.reload_button.layout.display == "none"
    assert "Theirs: what would you do in my place?" in [i.text for i in mine.current_plan().items]
    theirs.add(Category.closing, "Theirs: anyone else?")
    mine.add(Category.career, "Mine: which skills matter most?")
    assert mine.save() is not None
    texts = plan_texts(wb, 1)
    assert "Mine: which skills matter most?" in texts and "Theirs: what would you do in my place?" in texts

    assert theirs.save() is None and "changed elsewhere" in theirs.status.value
    assert plan_texts(wb, 1) == texts
    theirs.keep_mine.click()
    assert "Theirs: anyone else?" in plan_texts(wb, 1), "keeping mine saves it over the other"
    assert "Saved the plan" in theirs.status.value


def test_a_plan_saved_again_unchanged_in_size_still_makes_other_editors_stale(wb: Workbook) -> None:
    """Saving replaces the unanswered questions; the replacements must not look like the originals
    (SQLite hands a deleted row's id out again), or a same-sized save elsewhere would go unseen."""
    save_plan(wb, 1, plan(wb, 1, 30))
    mine, theirs = PlanEditor(wb, 1, 1), PlanEditor(wb, 1, 1)
    mine.add(Category.closing, "Mine: who else should I ask?")  # an edit the save elsewhere must not drop
    entries = [e for cat in Category for e in theirs.entries[cat]]
    dropped = next(e for e in entries if e.ticked)
    taken = next(e for e in entries if not e.ticked)
    dropped.checkbox.value, taken.checkbox.value = False, True  # one question swapped for another
    before = plan_texts(wb, 1)
    assert theirs.save() is not None
    saved = plan_texts(wb, 1)
    assert len(saved) == len(before) and saved != before
    assert mine.save() is None and "changed elsewhere" in mine.status.value
    assert plan_texts(wb, 1) == saved


@pytest.mark.parametrize("change", ["edited", "added", "removed", "replanned"])
def test_save_plan_with_a_stale_snapshot_raises_and_writes_nothing(wb: Workbook, change: str) -> None:
    opened = plan_versions(wb, 1)
    (question,) = wb.all(PlannedQuestion, interview_id=1)
    if change == "edited":
        wb.update(question.model_copy(update={"reason": "moved up"}))
    elif change == "added":
        wb.add(PlannedQuestion(interview_id=1, category=Category.closing, text="Who else?", position=1))
    elif change == "removed":
        wb.delete(PlannedQuestion, question.id or 0)
    else:
        save_plan(wb, 1, plan(wb, 1, 20))
    before = [q.model_dump() for q in wb.all(PlannedQuestion)]
    with pytest.raises(StaleRecordError, match="the plan for interview 1 was changed elsewhere"):
        save_plan(wb, 1, plan(wb, 1, 30), expected=opened)
    assert [q.model_dump() for q in wb.all(PlannedQuestion)] == before

    current = plan_versions(wb, 1)
    written = save_plan(wb, 1, plan(wb, 1, 30), expected=current)
    assert written and plan_texts(wb, 1) == [q.text for q in written]
    assert save_plan(wb, 1, plan(wb, 1, 30), expected=None), "without a snapshot, the last save wins"


# -- the debrief form -----------------------------------------------------------------------


def test_debrief_saves_answers_outcomes_insights_open_questions_and_referrals(wb: Workbook) -> None:
    form = DebriefForm(wb, 1)
    form.answers[1].value = "Through a research internship."
    form.outcomes[1].toggle.value = "confirmed"
    form.outcomes[1].note.value = "They hire two a year."
    form.fields["salary_info"].value = "Entry posts around R25k a month."
    form.insights.rows[0].inputs["text"].value = "Learn R or Stata before applying."
    form.insights.rows[0].inputs["kind"].value = "advice"
    form.open_questions.rows[0].inputs["text"].value = "Do they take interns mid-year?"
    form.open_questions.rows[0].inputs["how_to_answer"].value = "Ask the HR office."
    form.referrals.rows[0].inputs["name"].value = "Dee Statistician"
    form.referrals.rows[0].inputs["email"].value = "dee@example.org"
    form.save_button.click()

    assert "Saved the debrief" in form.status.value
    assert wb.get(PlannedQuestion, 1).answer == "Through a research internship."
    (outcome,) = wb.all(FindingOutcome, interview_id=1)
    assert outcome.finding_id == 1 and outcome.outcome is Outcome.confirmed and outcome.note
    assert wb.get(Interview, 1).salary_info.startswith("Entry posts")
    assert wb.get(Interview, 1).status is InterviewStatus.debriefed
    assert wb.get(Contact, 1).status is ContactStatus.interviewed
    (insight,) = wb.all(Insight, interview_id=1)
    assert insight.kind.value == "advice"
    (question,) = wb.all(OpenQuestion, interview_id=1)
    assert question.how_to_answer == "Ask the HR office."
    (dee,) = wb.all(Contact, name="Dee Statistician")
    assert dee.referred_by_id == 1 and dee.referred_in_interview_id == 1 and dee.how_found.value == "referral"

    # Saved rows come back as existing rows, with a fresh blank row to add more.
    again = DebriefForm(wb, 1)
    assert len(again.insights.rows) == 2 and len(again.referrals.rows) == 2
    assert again.outcomes[1].toggle.value == "confirmed"
    assert again.save() is True and counts(wb)["contacts"] == 2


def test_the_debrief_records_strengths_and_areas_to_develop_with_their_advice(wb: Workbook) -> None:
    form = DebriefForm(wb, 1)
    strength = form.growth.rows[0]
    assert strength.inputs["kind"].value == "strength"
    assert strength.inputs["advice"].layout.display == "none", "advice is asked for areas to develop only"
    strength.inputs["text"].value = "Calm with patients"
    area = form.growth.add()
    area.inputs["kind"].value = "development"
    assert area.inputs["advice"].layout.display == ""
    area.inputs["text"].value = "A research portfolio"
    area.inputs["advice"].value = "Write up two small studies."
    kinds = [value for _, value in form.insights.rows[0].inputs["kind"].options]
    assert "strength" not in kinds and "development" not in kinds, "they have their own list"
    assert form.save() is True

    saved = {i.text: i for i in wb.all(Insight, interview_id=1)}
    assert saved["Calm with patients"].kind.value == "strength"
    assert saved["A research portfolio"].kind.value == "development"
    assert saved["A research portfolio"].advice == "Write up two small studies."
    again = DebriefForm(wb, 1)
    shown = [(r.inputs["kind"].value, r.inputs["text"].value) for r in again.growth.rows]
    assert shown == [
        ("strength", "Calm with patients"),
        ("development", "A research portfolio"),
        ("strength", ""),
    ]
    assert [r.inputs["text"].value for r in again.insights.rows] == [""], "not listed twice"


def test_an_area_to_develop_with_advice_but_no_name_writes_nothing(wb: Workbook) -> None:
    before = counts(wb)
    form = DebriefForm(wb, 1)
    form.answers[1].value = "Kept back with the rest."
    form.growth.rows[0].inputs["kind"].value = "development"
    form.growth.rows[0].inputs["advice"].value = "Take a short course."
    assert form.save() is False
    assert counts(wb) == before
    assert "Strength or area to develop" in form.growth.rows[0].error.value
    assert "Nothing was written" in form.status.value


def test_an_invalid_part_of_the_debrief_writes_nothing(wb: Workbook) -> None:
    before = counts(wb)
    form = DebriefForm(wb, 1)
    form.answers[1].value = "An answer that must not be saved alone."
    form.outcomes[2].toggle.value = "refuted"
    form.referrals.rows[0].inputs["name"].value = "Dee"
    form.referrals.rows[0].inputs["email"].value = "dee-at-example"
    form.open_questions.rows[0].inputs["how_to_answer"].value = "Ask someone"  # but no question
    assert form.save() is False
    assert counts(wb) == before
    assert wb.get(PlannedQuestion, 1).answer == ""
    assert "Email" in form.referrals.rows[0].error.value
    assert "Question" in form.open_questions.rows[0].error.value
    assert "Nothing was written" in form.status.value


def test_a_debrief_clashing_with_a_save_elsewhere_writes_nothing_until_the_user_chooses(
    wb: Workbook,
) -> None:
    form = DebriefForm(wb, 1)
    form.answers[1].value = "Written here"
    form.outcomes[1].toggle.value = "mixed"
    wb.update(wb.get(PlannedQuestion, 1).model_copy(update={"answer": "Written elsewhere"}))
    assert form.answers[1].value == "Written here", "unsaved text is never overwritten"
    assert form.save() is False
    assert wb.get(PlannedQuestion, 1).answer == "Written elsewhere"
    assert wb.all(FindingOutcome) == [], "nothing was written"
    assert "Written here" in html_text(form.conflicts.box)
    assert "Written elsewhere" in html_text(form.conflicts.box)
    assert form.reload_button.layout.display != "none"

    form.conflicts.keep_theirs["answer-1-answer"].click()
    assert form.answers[1].value == "Written elsewhere"
    assert wb.get(PlannedQuestion, 1).answer == "Written elsewhere"
    assert [o.outcome for o in wb.all(FindingOutcome)] == [Outcome.mixed], "the rest was saved"
    assert "Saved the debrief" in form.status.value


# -- letters, the findings to test, the guide -----------------------------------------------


def test_letter_preview_renders_checks_and_offers_the_eml(wb: Workbook) -> None:
    preview = LetterPreview(wb, 1, names=["invitation", "thank_you"])
    assert preview.text.value.startswith("Subject:")
    # The contact has no email address and the profile lacks what the invitation needs.
    assert "Not ready yet" in preview.check.value and "Ready to send" not in preview.check.value
    assert "no address to send it to" in preview.check.value
    assert "current qualification" in preview.check.value
    href = re.search(r"href='data:message/rfc822;base64,([^']+)'", preview.download.value)
    assert href is not None
    message = email.message_from_bytes(base64.b64decode(href.group(1)))
    assert message["To"].startswith("Ann Evaluator") and message["X-Unsent"] == "1"

    preview.text.value = "Subject: Thank you\n\nDear Ann, thank you for the time."
    assert preview.save() is True
    assert wb.get(Interview, 1).invitation_text.endswith("thank you for the time.")
    preview.choice.value = "thank_you"
    assert "Subject:" in preview.text.value


def test_letter_preview_says_ready_to_send_when_nothing_is_missing(wb: Workbook) -> None:
    profile = wb.profile()
    assert profile is not None
    wb.save(
        profile.model_copy(
            update={
                "current_qualification": "an honours degree in statistics",
                "career_vision": "I want to evaluate health programmes.",
                "careers_of_interest": ["evaluation"],
            }
        )
    )
    wb.save(wb.get(Contact, 1).model_copy(update={"email": "ann@example.org"}))
    preview = LetterPreview(wb, 1, names=["invitation"])
    assert "Ready to send" in preview.check.value and "Not ready" not in preview.check.value


def test_findings_to_test_are_ticked_and_saved_together(wb: Workbook) -> None:
    picker = FindingsToTest(wb)
    picker.boxes[1].value = False
    picker.save_button.click()
    assert [f.id for f in wb.all(Finding, to_test=True)] == [2]


def test_the_interview_guide_lists_the_plan_and_escapes_user_text(wb: Workbook) -> None:
    wb.add(
        PlannedQuestion(
            interview_id=1, category=Category.industry, text="Is <b>this</b> right?", finding_id=2
        )
    )
    page = interview_guide_html(wb, 1)
    assert "How did you start?" in page and "&lt;b&gt;this&lt;/b&gt;" in page
    assert "<script>" not in page and "&lt;script&gt;" in page


# -- tables ---------------------------------------------------------------------------------


def test_tables_escape_user_text_and_colour_outcomes(wb: Workbook) -> None:
    wb.add(FindingOutcome(interview_id=1, finding_id=1, outcome=Outcome.confirmed))
    findings = tables.findings(wb).to_html()
    assert "&lt;script&gt;" in findings and "<script>low" not in findings
    evidence = tables.evidence(wb).to_html()
    assert tables.COLOURS["confirmed"] in evidence
    assert "single-source" in evidence
    assert "Ann Evaluator" in tables.pipeline(wb).to_html()
    assert "Nothing to follow up" in tables.follow_up_queue(wb, today=dt.date(2020, 1, 1)).to_html()


def test_long_tables_are_cut_with_a_note(wb: Workbook) -> None:
    with wb.transaction():
        for n in range(60):
            wb.add(Finding(claim=f"Claim {n}"))
    html = tables.findings(wb, limit=10).to_html()
    assert "Showing the first 10 of 62 rows" in html
    assert "Claim 59" not in html
    assert "Claim 59" in tables.findings(wb, limit=None).to_html()


def test_charts_draw_as_png(demo: Workbook) -> None:
    assert pipeline_chart(demo).png().startswith(b"\x89PNG")
    assert evidence_chart(demo)._repr_png_().startswith(b"\x89PNG")


# -- notebook parameters --------------------------------------------------------------------


def test_notebook_parameters_are_checked(wb: Workbook) -> None:
    assert choose_contact(wb, "ann evaluator").id == 1
    assert choose_contact(wb, "1").id == 1
    with pytest.raises(RecordNotFound, match="no contact 9"):
        choose_contact(wb, 9)
    with pytest.raises(RecordNotFound, match="called"):
        choose_contact(wb, "Nobody")
    assert choose_interview(wb).id == 1
    with pytest.raises(ValidationFailed, match="whole number"):
        choose_interview(wb, "first")
    assert as_date("2026-03-01") == dt.date(2026, 3, 1)
    with pytest.raises(ValidationFailed, match="field 'today'"):
        as_date("next week")
