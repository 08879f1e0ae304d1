"""One place for presentation: user text is escaped on every page, and every status has a colour.

Reports, class pages, notebook tables and charts all draw on :mod:`iivkit.ui.presentation`: its
Jinja2 environment, its table, its stylesheet and its palette.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest
from report_helpers import build_workbook

from iivkit import Contact, Organisation, Workbook
from iivkit.course import html as course_html
from iivkit.course.data import ClassSummary, StudentReport
from iivkit.course.feedback import COMPLETE, IN_PROGRESS, NOT_STARTED
from iivkit.reports import data as report_data
from iivkit.reports import html as report_html
from iivkit.ui import charts, presentation, tables
from iivkit.workbook.models import ContactStatus, Outcome
from iivkit.workbook.views import EVIDENCE_STATUSES

SCRIPT = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"

FOLLOW_UP_STATES = ["overdue", "due", "upcoming"]
EXERCISE_STATUSES = [COMPLETE, IN_PROGRESS, NOT_STARTED]


def assert_escaped(page: str) -> None:
    assert SCRIPT not in page
    assert "<script" not in page
    assert ESCAPED in page


# -- escaping through the one environment ------------------------------------------------------


def test_templates_of_the_shared_environment_escape_user_text() -> None:
    assert presentation.template("<p>{{ text }}</p>").render(text=SCRIPT) == f"<p>{ESCAPED}</p>"
    assert presentation.environment().from_string("{{ text }}").render(text=SCRIPT) == ESCAPED


def test_only_markup_built_on_purpose_passes_through() -> None:
    page = presentation.rows_html(["Link", "Note"], [[presentation.markup("<a href='x'>x</a>"), SCRIPT]])
    assert "<a href='x'>x</a>" in page
    assert_escaped(page)


@pytest.fixture
def hostile_report(tmp_path: Path) -> report_data.DebriefReport:
    """A report whose interviewee, organisation and notes all hold a script."""
    path = build_workbook(tmp_path / "w.iiv", interviews=1)
    with Workbook.open(path) as wb, wb.transaction():
        person = wb.all(Contact)[0]
        org = wb.all(Organisation)[0]
        wb.update(person.model_copy(update={"name": f"Ana {SCRIPT}"}))
        wb.update(org.model_copy(update={"name": f"Lab {SCRIPT}"}))
        referral = next(c for c in wb.all(Contact) if c.referred_in_interview_id)
        wb.update(referral.model_copy(update={"notes": f"Call her. {SCRIPT}"}))
    return report_data.collect(path, 1, today=dt.date(2026, 12, 1))


def test_a_script_in_a_name_organisation_or_note_shows_as_text_in_a_report(
    hostile_report: report_data.DebriefReport,
) -> None:
    header = report_html.header_html(hostile_report)
    assert f"<h2>Ana {ESCAPED}, Lab {ESCAPED}</h2>" in header
    assert_escaped(header)
    referrals = report_html.table_html(hostile_report.referrals)
    assert f"<td>Call her. {ESCAPED}</td>" in referrals
    assert_escaped(referrals)
    assert_escaped(report_html.grouped_html(hostile_report.referrals, "Role"))


def test_a_script_in_a_students_name_or_text_shows_as_text_on_class_pages(tmp_path: Path) -> None:
    report = StudentReport(
        student=f"ana {SCRIPT}", workbook=None, name=f"Ana {SCRIPT}", open_questions=[f"Why? {SCRIPT}"]
    )
    summary = ClassSummary(tmp_path / SCRIPT, "{student}/*.iiv", dt.date(2026, 12, 1), False, [report])
    pages = [
        course_html.student_header_html(report, today=dt.date(2026, 12, 1)),
        course_html.open_questions_html(report),
        course_html.summary_header_html(summary),
        course_html.students_html(summary),
        course_html.common_questions_html(summary),
        course_html.note_page(f"ana {SCRIPT}", f"no workbook at {SCRIPT}"),
    ]
    for page in pages:
        assert_escaped(page)


# -- one stylesheet, one palette ------------------------------------------------------------------


def test_reports_and_class_pages_start_with_the_one_stylesheet(
    hostile_report: report_data.DebriefReport,
) -> None:
    report = StudentReport(student="ana", workbook=None)
    assert report_html.header_html(hostile_report).startswith(presentation.STYLESHEET)
    assert course_html.student_header_html(report).startswith(presentation.STYLESHEET)
    assert presentation.STYLESHEET in course_html.note_page("ana", "no workbook")


@pytest.mark.parametrize(
    "status",
    [
        *[s.value for s in Outcome],
        *EVIDENCE_STATUSES,
        *[s.value for s in ContactStatus],
        *FOLLOW_UP_STATES,
        *EXERCISE_STATUSES,
        "problem",
    ],
)
def test_every_status_has_a_palette_colour_and_a_class_in_the_stylesheet(status: str) -> None:
    shade = presentation.shade(status)
    assert shade is not None, status
    for colour in (shade.background, shade.mark):
        assert re.fullmatch(r"#[0-9a-f]{6}", colour)
    assert presentation.background(status) == shade.background
    assert presentation.mark(status) == shade.mark
    assert (
        f".{presentation.css_class(status)} {{ background: {shade.background}; }}" in presentation.STYLESHEET
    )


def test_a_value_that_is_no_status_gets_the_default() -> None:
    assert presentation.shade("Ada") is None
    assert presentation.background("Ada") == ""
    assert presentation.mark("Ada") == presentation.NEUTRAL


def test_notebook_tables_colour_statuses_from_the_palette() -> None:
    assert {name: s.background for name, s in presentation.PALETTE.items()} == tables.COLOURS
    page = tables.styled(pd.DataFrame({"Status": ["no_reply", "confirmed"]}), coloured=["Status"]).to_html()
    assert presentation.background("no reply") in page
    assert presentation.background("confirmed") in page


def test_evidence_charts_use_the_palettes_full_colours(tmp_path: Path) -> None:
    from matplotlib.colors import to_hex

    with Workbook.read(build_workbook(tmp_path / "w.iiv")) as wb:
        chart = charts.evidence_chart(wb)
    ax = chart.figure.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    colours = [to_hex(bar.get_facecolor()) for bar in ax.patches]
    assert dict(zip(labels, colours, strict=True)) == {s: presentation.mark(s) for s in EVIDENCE_STATUSES}


def test_a_class_pages_exercise_cells_take_the_status_colours() -> None:
    assert course_html._status_class(COMPLETE) == "iiv-complete"
    assert course_html._status_class(IN_PROGRESS) == "iiv-in-progress"
    assert course_html._status_class(NOT_STARTED) == "iiv-not-started"
    assert course_html._status_class(None) == "iiv-problem"


# -- the one table ------------------------------------------------------------------------------


def test_an_empty_frame_renders_as_the_sentence_saying_so() -> None:
    empty = pd.DataFrame(columns=["Name", "Notes"])
    assert presentation.table_html(empty, empty="Nobody yet.") == '<p class="iiv-empty">Nobody yet.</p>'
    assert report_html.table_html(empty) == '<p class="iiv-empty">Nothing recorded.</p>'
    assert presentation.table_html(empty, empty=SCRIPT) == f'<p class="iiv-empty">{ESCAPED}</p>'


def test_the_table_shows_lists_joined_missing_values_blank_and_line_breaks_kept() -> None:
    df = pd.DataFrame({"Tags": [["a", "b"]], "Missing": [None], "Gone": [float("nan")], "Note": ["one\ntwo"]})
    page = presentation.table_html(df)
    assert page.startswith('<table class="iiv-table">')
    headers = "".join(f'<th scope="col">{c}</th>' for c in ("Tags", "Missing", "Gone", "Note"))
    assert headers in page
    assert "<tr><td>a, b</td><td></td><td></td><td>one\ntwo</td></tr>" in page


def test_class_summary_tables_use_the_one_table(tmp_path: Path) -> None:
    summary = ClassSummary(tmp_path, "{student}/*.iiv", dt.date(2026, 12, 1), False, [])
    assert course_html.common_questions_html(summary) == '<p class="iiv-empty">No open questions.</p>'
    assert course_html.completion_html(summary).startswith('<table class="iiv-table">\n<caption>')
