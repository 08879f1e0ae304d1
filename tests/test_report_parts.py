"""The debrief report's parts, fast: the fingerprint ``iivkit report`` keeps to skip unchanged
reports, and the HTML of the header and tables with markup in every field a user fills in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape
from report_helpers import MARKUP, build_workbook

from iivkit import Contact, Insight, Workbook
from iivkit.errors import RecordNotFound
from iivkit.reports.data import collect, header, report_inputs, report_inputs_json
from iivkit.reports.html import grouped_html, header_html, table_html, text_html
from iivkit.reports.inputs import WorkbookInputs
from iivkit.ui.presentation import STYLESHEET
from iivkit.workbook import rows as stored
from iivkit.workbook import views

ESCAPED = str(escape(MARKUP))

# -- the fingerprint ------------------------------------------------------------------------------

CHANGES_THAT_MATTER = {
    "an answer in its plan": "UPDATE planned_questions SET answer = 'new' WHERE interview_id = 1",
    "a question in its plan": "UPDATE planned_questions SET text = 'new' WHERE interview_id = 1",
    "its own notes": "UPDATE interviews SET notes = 'new' WHERE id = 1",
    "the interviewee's name": "UPDATE contacts SET name = 'New Name' WHERE id = 1",
    "the interviewee's role": "UPDATE contacts SET role = 'Director' WHERE id = 1",
    "their organisation": "UPDATE organisations SET name = 'New Lab'",
    "the student's name": "UPDATE profile SET name = 'Bea'",
    "an insight of its own": "UPDATE insights SET text = 'new' WHERE interview_id = 1",
    "an open question of its own": "UPDATE open_questions SET text = 'new?' WHERE interview_id = 1",
    "a finding it tested": "UPDATE findings SET claim = 'A new claim.' WHERE id = 1",
    "another interview's outcome for a finding it tested": (
        "UPDATE finding_outcomes SET outcome = 'refuted' WHERE interview_id = 2 AND finding_id = 1"
    ),
    "another interview with the same person": (
        "INSERT INTO interviews (contact_id, status, timezone, duration_minutes, medium, version) "
        "SELECT contact_id, 'planned', timezone, 30, 'video', 1 FROM interviews WHERE id = 1"
    ),
    "a referral they made": "UPDATE contacts SET name = 'Referral X' WHERE referred_in_interview_id = 1",
    "another interview's status (where the organisation stands)": (
        "UPDATE interviews SET status = 'cancelled' WHERE id = 2"
    ),
    "what was said about a finding here": "UPDATE finding_outcomes SET note = 'new' WHERE interview_id = 1",
    "an open question's answer": "UPDATE open_questions SET answer = 'HR said.' WHERE interview_id = 1",
    "the interviewee's email": "UPDATE contacts SET email = 'p1@example.org' WHERE id = 1",
    "a referral's notes": "UPDATE contacts SET notes = 'new' WHERE referred_in_interview_id = 1",
    "the organisation's sector": "UPDATE organisations SET sector = 'health'",
    "a strength named in another interview (growth across interviews)": (
        "UPDATE insights SET kind = 'strength' WHERE interview_id = 2 AND kind = 'insight'"
    ),
    "the target-list rules": "INSERT INTO meta (key, value) VALUES ('target_rules', '{\"active_weeks\": 2}')",
}

READERS = {
    "one report": report_inputs_json,
    "every report of the workbook": lambda conn, interview: WorkbookInputs(conn).json(interview),
}


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return build_workbook(tmp_path / "w.iiv", interviews=2)


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("change", list(CHANGES_THAT_MATTER))
def test_the_fingerprint_changes_with_everything_the_report_shows(
    workbook: Path, change: str, reader: str
) -> None:
    fingerprint = READERS[reader]
    with Workbook.open(workbook) as wb:
        before = fingerprint(wb.conn, 1)
        with wb.conn:
            assert wb.conn.execute(CHANGES_THAT_MATTER[change]).rowcount >= 1, "the change changed nothing"
        assert fingerprint(wb.conn, 1) != before


def test_the_fingerprint_ignores_another_interview_s_own_notes_and_the_secret_salt(workbook: Path) -> None:
    with Workbook.open(workbook) as wb:
        before = report_inputs_json(wb.conn, 1)
        with wb.conn:
            wb.conn.execute("UPDATE insights SET text = 'new' WHERE interview_id = 2")
            wb.conn.execute("UPDATE planned_questions SET answer = 'new' WHERE interview_id = 2")
            wb.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('pseudonym_salt', 'other')")
        assert report_inputs_json(wb.conn, 1) == before
        assert "pseudonym_salt" not in report_inputs_json(wb.conn, 1)


def test_an_open_question_with_nobody_to_ask_makes_the_whole_workbook_count(workbook: Path) -> None:
    with Workbook.open(workbook) as wb:
        with wb.conn:
            wb.conn.execute("UPDATE open_questions SET suggested_contact_id = NULL WHERE interview_id = 1")
        inputs = report_inputs(wb.conn, 1)
        assert "everything" in inputs
        before = report_inputs_json(wb.conn, 1)
        with wb.conn:
            wb.conn.execute("UPDATE insights SET text = 'new' WHERE interview_id = 2")
        assert report_inputs_json(wb.conn, 1) != before, "routing may read any interview"


def test_the_fingerprint_is_canonical_json(workbook: Path) -> None:
    with Workbook.open(workbook) as wb:
        text = report_inputs_json(wb.conn, 1)
        assert text == report_inputs_json(wb.conn, 1)
        data = json.loads(text)
        assert list(data) == sorted(data) and text.startswith('{"contacts":[['), "keys sorted, no spaces"
        assert json.dumps(data, sort_keys=True, separators=(",", ":")) == text


def test_the_fingerprint_of_an_unknown_interview_is_refused(workbook: Path) -> None:
    with Workbook.open(workbook) as wb:
        for fingerprint in READERS.values():
            with pytest.raises(RecordNotFound) as caught:
                fingerprint(wb.conn, 99)
            assert str(caught.value) == "interview 99: does not exist"


def test_bytes_stored_by_another_program_still_give_a_fingerprint_that_follows_them(workbook: Path) -> None:
    # SQLite keeps whatever another program writes; the report then says what is wrong, so
    # working out whether it is up to date must not stop at the bytes first.
    with Workbook.open(workbook) as wb:
        before = report_inputs_json(wb.conn, 1)
        seen = set()
        for blob in (b"\x00\xff", b"\x00\xfe"):
            with wb.conn:
                wb.conn.execute("UPDATE interviews SET notes = ? WHERE id = 1", (blob,))
            text = report_inputs_json(wb.conn, 1)
            assert text == WorkbookInputs(wb.conn).json(1)
            seen.add(text)
        assert len(seen) == 2 and before not in seen


def test_an_interview_s_own_records_leave_the_shared_tables_to_be_read_once(workbook: Path) -> None:
    shared = {"meta", "profile", "contacts", "organisations"}
    own = {
        "interview",
        "same_contact",
        "planned_questions",
        "findings",
        "finding_outcomes",
        "insights",
        "open_questions",
    }
    with Workbook.open(workbook) as wb:
        whole = stored.interview_records(wb.conn, 1)
        alone = stored.interview_records(wb.conn, 1, whole_tables=False)
        assert whole is not None and alone is not None
        assert set(whole) == own | shared and set(alone) == own
        assert {key: whole[key] for key in own} == alone
        assert stored.workbook_records(wb.conn) == {key: whole[key] for key in shared}


def test_growth_rows_name_each_insight_s_interview_person_and_day_blank_if_undated(workbook: Path) -> None:
    with Workbook.open(workbook) as wb:
        strength = wb.add(Insight(interview_id=2, kind="strength", text="Clear writing"))
        area = wb.add(Insight(interview_id=1, kind="development", text="Statistics", advice="Take a course."))
        with wb.conn:
            wb.conn.execute("UPDATE interviews SET scheduled_at = NULL WHERE id = 2")
        person = dict(wb.conn.execute("SELECT i.id, i.contact_id FROM interviews i").fetchall())
        rows = views.growth_rows(wb).to_dict("records")
    assert rows == [
        {
            "insight_id": area.id,
            "interview_id": 1,
            "kind": "development",
            "text": "Statistics",
            "advice": "Take a course.",
            "contact_id": person[1],
            "contact": "Person 1",
            "day": "2024-03-01",
        },
        {
            "insight_id": strength.id,
            "interview_id": 2,
            "kind": "strength",
            "text": "Clear writing",
            "advice": "",
            "contact_id": person[2],
            "contact": "Person 2",
            "day": "",
        },
    ]
    assert area.id not in (1, person[1]) and strength.id not in (2, person[2]), "ids tell columns apart"


# -- escaping -----------------------------------------------------------------------------------


@pytest.fixture
def marked_up(tmp_path: Path) -> Path:
    """A workbook whose every name, role, note, question, answer, finding and insight holds markup."""
    folder = tmp_path / "a<b>&c"
    folder.mkdir()
    path = build_workbook(folder / "w.iiv", interviews=2, markup=True, student=f"Ada {MARKUP}")
    with Workbook.open(path) as wb, wb.conn:
        wb.conn.execute("UPDATE contacts SET name = name || ? , role = ?", (f" {MARKUP}", f"Lead {MARKUP}"))
        wb.conn.execute("UPDATE organisations SET name = ?", (f"Health Lab {MARKUP}",))
        wb.conn.execute("UPDATE contacts SET organisation_id = 1 WHERE referred_in_interview_id IS NOT NULL")
        wb.conn.execute(
            "UPDATE open_questions SET text = ?, how_to_answer = ?, answer = ?",
            (f"Why {MARKUP}?", f"Ask {MARKUP}", f"Said {MARKUP}"),
        )
        wb.conn.execute("UPDATE planned_questions SET text = ?", (f"How {MARKUP}?",))
        wb.conn.execute(
            "UPDATE findings SET claim = claim || ?, source_title = ?", (f" {MARKUP}", f"Site {MARKUP}")
        )
        wb.conn.execute("UPDATE insights SET text = ?", (f"Heard {MARKUP}",))
        wb.conn.execute("UPDATE interviews SET environment_info = ?, chances_feedback = ?", (MARKUP, MARKUP))
    return path


def assert_escaped(page: str, *, times: int = 1) -> None:
    assert "<script>" not in page and "<img" not in page, page
    assert page.count(ESCAPED) >= times, page


def test_the_header_escapes_every_field(marked_up: Path) -> None:
    report = collect(marked_up, 1, today=dt.date(2024, 4, 1))
    report.notes.append(f"A note {MARKUP}")
    page = header_html(report)
    # The heading (name, organisation), the table (interviewer, interviewee, role, organisation)
    # and the note.
    assert_escaped(page, times=7)
    heading = page.split("<h2>", 1)[1].split("</h2>", 1)[0]
    assert heading.count("&lt;script&gt;") == 2, heading
    assert "a&lt;b&gt;&amp;c" in page, "the workbook's folder"
    for label in ("Interviewer", "Interviewee", "Role", "Organisation", "Workbook"):
        assert f'<th scope="row">{label}</th>' in page
    assert "Report made 2024-04-01." in page


def test_every_table_of_the_report_escapes_its_cells(marked_up: Path) -> None:
    report = collect(marked_up, 1, today=dt.date(2024, 4, 1))
    for part in ("plan", "findings", "insights", "career", "open_questions", "referrals"):
        frame: pd.DataFrame = getattr(report, part)
        shown = sum(str(cell).count(MARKUP) for cell in frame.to_numpy().ravel())
        assert shown >= 2, part
        # Every field holding markup is shown, each escaped.
        assert_escaped(table_html(frame), times=shown)
    assert_escaped(grouped_html(report.insights, "Kind"), times=1)


def test_a_table_escapes_its_headings_and_caption_and_keeps_line_breaks() -> None:
    frame = pd.DataFrame({f"Col {MARKUP}": [f"one\n{MARKUP}"]})
    frame.attrs["caption"] = f"Caption {MARKUP}"
    page = table_html(frame)
    assert_escaped(page, times=3)
    assert table_html(frame.iloc[0:0], empty=f"None {MARKUP}").count("&lt;script&gt;") == 1


def test_text_and_groups_escape_and_say_when_there_is_nothing() -> None:
    assert text_html(MARKUP) == f"<p>{ESCAPED}</p>"
    assert text_html("", empty="Nothing <here>.") == "<p>Nothing &lt;here&gt;.</p>"
    frame = pd.DataFrame({"kind": [f"k {MARKUP}", "plain"], "text": [MARKUP, "x"]})
    page = grouped_html(frame, "kind")
    assert page.count("<table") == 2
    assert_escaped(page, times=2)
    assert "K &lt;script&gt;" in page, "each group captioned with its value, capitalised"
    empty = grouped_html(frame.iloc[0:0], "kind", empty="No <groups>.")
    assert empty == '<p class="iiv-empty">No &lt;groups&gt;.</p>'


def test_a_contact_named_with_markup_is_stored_as_written() -> None:
    # The escaping happens on the page only: the record keeps its text.
    assert Contact(name=f"Ann {MARKUP}").name == f"Ann {MARKUP}"


def test_an_empty_part_says_nothing_was_recorded_by_default() -> None:
    empty = pd.DataFrame({"kind": [], "text": []})
    assert text_html("") == "<p>Nothing recorded.</p>"
    assert "Nothing recorded." in table_html(empty)
    assert grouped_html(empty, "kind") == '<p class="iiv-empty">Nothing recorded.</p>'
    groups = grouped_html(pd.DataFrame({"kind": ["b", "a", "b"], "text": ["1", "2", "3"]}), "kind")
    assert groups.index("<caption>B</caption>") < groups.index("<caption>A</caption>"), "in the frame's order"
    assert groups.count("<td>") == 3 and '<th scope="col">kind</th>' not in groups


def test_the_header_names_who_when_where_and_how(tmp_path: Path) -> None:
    folder = tmp_path / "ada"
    folder.mkdir()
    path = build_workbook(folder / "w.iiv", interviews=1)
    with Workbook.open(path) as wb:
        with wb.conn:
            wb.conn.execute("UPDATE contacts SET seniority = 'very_senior', focus_area = 'public_sector'")
        assert header(wb, 1) == {
            "Interviewer": "Ada",
            "Interviewee": "Person 1",
            "Role": "Analyst",
            "Organisation": "Health Lab",
            "Seniority and focus": "very senior, public sector",
            "When": "Friday 1 March 2024, 10:00 (Africa/Johannesburg)",
            "Medium": "video, 30 minutes",
            "Status": "debriefed",
            "Workbook": "ada/w.iiv",
            "Interview": "1",
        }
        with wb.conn:
            wb.conn.execute("UPDATE interviews SET scheduled_at = NULL")
            wb.conn.execute("UPDATE contacts SET role = '', organisation_id = NULL")
            wb.conn.execute("DELETE FROM profile")
        bare = header(wb, 1)
        assert (bare["When"], bare["Role"], bare["Organisation"], bare["Interviewer"]) == ("", "", "", "")
        with pytest.raises(RecordNotFound) as caught:
            header(wb, 9)
        assert str(caught.value) == f"{path}: interview 9: does not exist"
        with pytest.raises(RecordNotFound) as caught:
            report_inputs(wb.conn, 9)
        assert str(caught.value) == "interview 9: does not exist"


def test_the_header_page_starts_with_the_stylesheet_then_the_heading(marked_up: Path) -> None:
    page = header_html(collect(marked_up, 1, today=dt.date(2024, 4, 1)))
    assert page.startswith(STYLESHEET + "\n<h2>")
