"""Live views: what a notebook shows follows the workbook with no re-run, and says what to do first.

These run without a kernel: each live view is an ipywidgets widget whose value (or children) the
tests read after saving through the forms or the store, as a notebook would.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from iivkit.errors import IivkitError, RecordNotFound
from iivkit.ui import charts, guide, tables
from iivkit.ui.choices import ContactChoice, InterviewChoice
from iivkit.ui.error_display import install
from iivkit.ui.forms import DebriefForm, PlanEditor, RecordForm
from iivkit.workbook.models import (
    BY_TABLE,
    Category,
    Contact,
    Finding,
    Insight,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
)
from iivkit.workbook.store import Workbook


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbook]:
    """A new, empty workbook, as ``iivkit init`` makes it."""
    with Workbook.create(tmp_path / "new.iiv") as book:
        yield book


def classes(view: object) -> tuple[str, ...]:
    return tuple(view.widget._dom_classes)  # type: ignore[attr-defined]


# -- tables, charts and the guide follow the saves ------------------------------------------------


def test_findings_table_shows_a_finding_the_moment_its_form_saves_it(wb: Workbook) -> None:
    view = tables.live(tables.findings, wb)
    assert "No findings yet" in view.html
    form = RecordForm(wb, Finding, picker=True)
    form.fields["claim"].value = "Water utilities hire data analysts"
    assert form.save() is not None
    assert "Water utilities hire data analysts" in view.html
    assert "No findings yet" not in view.html
    assert classes(view) == ("iiv-live", "iiv-live-findings")


def test_a_view_redraws_only_for_the_tables_it_reads(wb: Workbook) -> None:
    view = tables.live(tables.findings, wb)
    before = view.redraws
    wb.add(Contact(name="Ann Lee"))
    assert view.redraws == before
    wb.add(Organisation(name="City Water"))  # the findings table names organisations
    assert view.redraws == before + 1


def test_every_live_table_follows_its_records(wb: Workbook) -> None:
    today = dt.date(2026, 3, 2)
    pipeline = tables.live(tables.pipeline, wb)
    evidence = tables.live(tables.evidence, wb)
    questions = tables.live(tables.open_questions, wb)
    queue = tables.live(tables.follow_up_queue, wb, today=today)
    contact = wb.add(Contact(name="Ann Lee"))
    assert "Ann Lee" in pipeline.html
    wb.add(Finding(claim="Pay starts low", to_test=True))
    assert "Pay starts low" in evidence.html
    interview = wb.add(
        Interview(
            contact_id=contact.id or 0,
            status=InterviewStatus.done,
            scheduled_at=dt.datetime.combine(today - dt.timedelta(days=3), dt.time(10)),
        )
    )
    wb.add(OpenQuestion(interview_id=interview.id or 0, text="Who hires graduates?", how_to_answer="HR"))
    assert "Who hires graduates?" in questions.html
    assert "Ann Lee" in queue.html  # a thank-you note is now due
    areas = tables.live(tables.development_areas, wb)
    strong = tables.live(tables.strengths, wb)
    wb.add(
        Insight(
            interview_id=interview.id or 0, kind="development", text="Statistics", advice="Take a course."
        )
    )
    wb.add(Insight(interview_id=interview.id or 0, kind="strength", text="Clear writing"))
    assert "Statistics" in areas.html and "advice: take a course." in areas.html
    assert "Clear writing" in strong.html


def test_charts_redraw_when_what_they_count_changes(wb: Workbook) -> None:
    chart = charts.live(charts.pipeline_chart, wb)
    first = chart.html
    assert first.startswith("<img") and "iiv-live-pipeline-chart" in classes(chart)
    wb.add(Contact(name="Ann Lee"))
    assert chart.html != first


def test_the_guide_shows_the_new_plan_without_a_rerun(wb: Workbook) -> None:
    contact = wb.add(Contact(name="Ann Lee"))
    interview = wb.add(Interview(contact_id=contact.id or 0))
    view = guide.live(wb, interview.id or 0)
    # Before anything is saved, the guide shows the planner's suggestion and says so.
    assert "not saved yet" in view.html and "Who else should I talk to" in view.html
    wb.add(
        PlannedQuestion(
            interview_id=interview.id or 0, category=Category.background, text="How did you start?"
        )
    )
    assert "How did you start?" in view.html
    assert "not saved yet" not in view.html and "Who else should I talk to" not in view.html


def test_the_guide_follows_the_plan_being_edited_before_it_is_saved(wb: Workbook) -> None:
    contact = wb.add(Contact(name="Ann Lee"))
    interview = wb.add(Interview(contact_id=contact.id or 0))
    view = guide.live(wb, interview.id or 0)
    editor = PlanEditor(wb, contact.id or 0, interview.id)
    editor.add("closing", "May I send you my notes afterwards?")
    assert "May I send you my notes afterwards?" in view.html
    first = next(e for entries in editor.entries.values() for e in entries if e.ticked)
    assert html.escape(first.item.text) in view.html
    first.checkbox.value = False
    assert html.escape(first.item.text) not in view.html
    assert not wb.all(PlannedQuestion, interview_id=interview.id)  # nothing saved on the way
    editor.close()
    assert "May I send you my notes afterwards?" not in view.html  # back to the suggestion


def test_every_view_reads_tables_that_exist() -> None:
    known = {*BY_TABLE, "meta"}
    for reads in (*tables.READS.values(), *charts.READS.values(), guide.READS):
        assert reads <= known, reads - known


def test_a_closed_view_stops_following_the_workbook(wb: Workbook) -> None:
    view = tables.live(tables.findings, wb)
    view.widget.close()
    before = view.redraws
    wb.add(Finding(claim="Pay starts low"))
    wb.add(Finding(claim="Pay rises fast"))
    assert view.redraws == before


def test_the_old_functions_still_return_tables(wb: Workbook) -> None:
    assert "No findings yet" in tables.findings(wb).to_html()


def test_a_following_part_appears_when_a_fitting_record_is_saved_and_then_stays(wb: Workbook) -> None:
    """Exercise 2's plan for a senior generalist: there as soon as one is saved, kept on later saves."""
    from iivkit.course import exercises
    from iivkit.course.forms import plan_editor
    from iivkit.ui.live import Following
    from iivkit.workbook.models import FocusArea, Seniority

    part = Following(
        wb,
        "generalist_plan",
        lambda: exercises.example_contact(wb, "generalist"),
        lambda person: plan_editor(wb, person, "generalist"),
        tables={"contacts"},
    )
    assert part.picked is None and "No senior generalist" in str(part.widget.children[0].outputs)
    wb.add(Contact(name="Junior Jo", seniority=Seniority.junior))
    assert part.picked is None
    boss = wb.add(Contact(name="Dir Dee", seniority=Seniority.senior, focus_area=FocusArea.general))
    assert isinstance(part.content, PlanEditor) and part.picked.id == boss.id
    editor = part.content
    wb.add(Contact(name="Tech Tam", focus_area=FocusArea.technology))
    assert part.content is editor  # nothing typed into the plan is thrown away
    assert "iiv-live-generalist-plan" in classes(part)


# -- empty tables read as sentences ------------------------------------------------------------


@pytest.mark.parametrize(
    "view",
    [
        tables.findings,
        tables.pipeline,
        tables.evidence,
        tables.open_questions,
        tables.follow_up_queue,
        lambda wb: tables.plan(wb, 1),
        tables.strengths,
        tables.development_areas,
    ],
    ids=[
        "findings",
        "pipeline",
        "evidence",
        "open_questions",
        "follow_up_queue",
        "plan",
        "strengths",
        "development_areas",
    ],
)
def test_an_empty_table_has_readable_headers_and_a_sentence(wb: Workbook, view: object) -> None:
    page = view(wb).to_html()  # type: ignore[operator]
    headers = re.findall(r'class="col_heading[^"]*"[^>]*>([^<]*)<', page)
    assert headers, "an empty table still shows its columns"
    for header in headers:
        assert "_" not in header and header[:1] == header[:1].upper(), header
    caption = re.search(r"<caption>(.*?)</caption>", page, re.S)
    assert caption is not None and caption.group(1).strip().endswith((".", "!"))


# -- the contact to prepare for, the interview to debrief --------------------------------------


def test_prepare_on_an_empty_workbook_offers_the_contact_form_then_comes_alive(wb: Workbook) -> None:
    chosen = ContactChoice(wb)
    person = chosen.section(
        "person",
        lambda p, i: RecordForm(wb, Contact, p.id),
        empty=lambda: RecordForm(wb, Contact, picker=True),
    )
    plan = chosen.section("plan", lambda p, i: PlanEditor(wb, p.id or 0, i.id or 0))
    assert "No contact yet" in chosen.summary
    assert "Nothing to prepare yet: add a contact" in plan.widget.children[0].value
    assert wb.count(Interview) == 0  # nothing is prepared for nobody
    assert "iiv-live-choose-contact" in classes(chosen)

    form = person.content
    assert isinstance(form, RecordForm)
    form.fields["name"].value = "Ann Lee"
    assert form.save() is not None

    ann = wb.all(Contact)[0]
    (interview,) = wb.all(Interview)
    assert interview.contact_id == ann.id
    assert isinstance(plan.content, PlanEditor)
    assert f"with Ann Lee (contact {ann.id})" in chosen.summary
    assert chosen.dropdown.value == ann.id
    assert isinstance(person.content, RecordForm) and person.content.record is not None


def test_choosing_another_contact_rebuilds_the_parts_for_them(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann Lee"))
    ben = wb.add(Contact(name="Ben Oduya"))
    chosen = ContactChoice(wb, ann.id)
    plan = chosen.section("plan", lambda p, i: PlanEditor(wb, p.id or 0, i.id or 0))
    first = plan.content
    chosen.dropdown.value = ben.id
    assert plan.content is not first
    assert chosen.person is not None and chosen.person.name == "Ben Oduya"
    assert {i.contact_id for i in wb.all(Interview)} == {ann.id, ben.id}


def test_a_contact_added_elsewhere_joins_the_choice_without_changing_it(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann Lee"))
    chosen = ContactChoice(wb, "Ann Lee")
    wb.add(Contact(name="Ben Oduya"))
    assert [label for label, _ in chosen.dropdown.options] == ["Ann Lee (contact 1)", "Ben Oduya (contact 2)"]
    assert chosen.dropdown.value == ann.id


def test_a_bad_contact_parameter_is_still_refused(wb: Workbook) -> None:
    with pytest.raises(RecordNotFound, match="no contact 9"):
        ContactChoice(wb, 9)


def test_debrief_with_nothing_to_debrief_says_how_to_get_there(wb: Workbook) -> None:
    chosen = InterviewChoice(wb)
    debrief = chosen.section("debrief", lambda i: DebriefForm(wb, i.id or 0))
    assert "No interview to debrief yet" in chosen.summary and "02_prepare" in chosen.summary
    assert "Nothing to debrief yet" in debrief.widget.children[0].value

    contact = wb.add(Contact(name="Ann Lee"))
    interview = wb.add(Interview(contact_id=contact.id or 0, status=InterviewStatus.done))
    assert isinstance(debrief.content, DebriefForm)
    assert chosen.summary == f"Debriefing interview {interview.id} (done)."
    assert "iiv-live-choose-interview" in classes(chosen)


def test_debrief_of_an_interview_not_yet_held_says_so(wb: Workbook) -> None:
    contact = wb.add(Contact(name="Ann Lee"))
    interview = wb.add(Interview(contact_id=contact.id or 0, status=InterviewStatus.planned))
    chosen = InterviewChoice(wb)
    assert "still planned" in chosen.summary
    wb.save(interview.model_copy(update={"status": InterviewStatus.done}))
    assert chosen.summary.startswith(f"Debriefing interview {interview.id}")


# -- a user's mistake is one line; a bug keeps its traceback ------------------------------------


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    try:
        yield ip
    finally:
        ip.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_a_users_mistake_shows_as_one_line(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    assert install(shell)
    shell.user_ns["IivkitError"] = IivkitError
    result = shell.run_cell(
        "raise IivkitError('there is no contact 9', file='me.iiv', record='parameter', field='contact')"
    )
    assert isinstance(result.error_in_exec, IivkitError)  # the cell still fails, so Run All stops
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 1
    assert "me.iiv: parameter field 'contact': there is no contact 9" in lines[0]
    assert "Traceback" not in lines[0]


def test_a_programming_error_keeps_its_traceback(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    install(shell)
    result = shell.run_cell("def f():\n    return 1 / 0\nf()")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    out = re.sub(r"\x1b\[[0-9;]*m", "", capsys.readouterr().out)
    assert "ZeroDivisionError" in out and "return 1 / 0" in out  # the frame where it went wrong
    assert len(out.splitlines()) > 3


def test_outside_ipython_installing_does_nothing() -> None:
    InteractiveShell.clear_instance()
    assert install() is False


def test_a_view_of_a_record_deleted_elsewhere_says_so_in_one_line(wb: Workbook) -> None:
    contact = wb.add(Contact(name="Ann Lee"))
    interview = wb.add(Interview(contact_id=contact.id or 0))
    view = guide.live(wb, interview.id or 0)
    wb.delete(Interview, interview.id or 0)
    assert view.html.startswith("<p") and "does not exist" in view.html
    assert "Traceback" not in view.html


def test_names_with_markup_show_as_text_in_the_choice(wb: Workbook) -> None:
    wb.add(Contact(name="<img src=x onerror=alert(1)>"))
    chosen = ContactChoice(wb)
    assert "<img" not in chosen.note.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in chosen.note.value
