"""The class summary's numbers at their edges: a finding tested twice counts once; mixed and
refuted outcomes count as tested, not as confirmed; "not discussed" counts as neither; only
interviews held count; a follow-up due on the day is not yet overdue. Fast tests of
:func:`~iivkit.course.data.assess` and :class:`~iivkit.course.data.ClassSummary`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from iivkit import Contact, Finding, FindingOutcome, Interview, OpenQuestion, Profile, Workbook
from iivkit.course.data import ClassSummary, StudentReport, assess, common_questions
from iivkit.workbook.models import ContactStatus, InterviewStatus, Outcome


def workbook(
    path: Path, statuses: list[InterviewStatus], outcomes: list[tuple[int, int, Outcome]]
) -> Workbook:
    """Interviews with one contact each, in *statuses*; *outcomes* as (interview, finding, outcome)."""
    wb = Workbook.create(path)
    for n in range(1, 4):
        wb.add(Finding(claim=f"Finding {n}", to_test=True))
    for n, status in enumerate(statuses, start=1):
        contact = wb.add(Contact(name=f"Person {n}", status=ContactStatus.interviewed))
        wb.add(Interview(contact_id=contact.id or 0, status=status, scheduled_at=dt.datetime(2026, 3, n, 10)))
    for interview, finding, outcome in outcomes:
        wb.add(FindingOutcome(interview_id=interview, finding_id=finding, outcome=outcome))
    return wb


HELD = [InterviewStatus.done, InterviewStatus.debriefed]
C, R, M, N = Outcome.confirmed, Outcome.refuted, Outcome.mixed, Outcome.not_discussed


@pytest.mark.parametrize(
    ("outcomes", "tested", "confirmed"),
    [
        ([(1, 1, C), (2, 1, C)], 1, 1),  # the same finding confirmed twice
        ([(1, 1, C), (2, 1, R)], 1, 1),  # confirmed once, refuted once: one finding
        ([(1, 1, M)], 1, 0),
        ([(1, 1, R)], 1, 0),
        ([(1, 1, N)], 0, 0),
        ([(1, 1, N), (2, 1, M)], 1, 0),
        ([(1, 1, M), (1, 2, R), (1, 3, C)], 3, 1),
        ([], 0, 0),
    ],
    ids=[
        "confirmed-twice",
        "confirmed-and-refuted",
        "mixed",
        "refuted",
        "not-discussed",
        "not-then-mixed",
        "one-each",
        "none",
    ],
)
def test_findings_tested_and_confirmed_count_each_finding_once(
    tmp_path: Path, outcomes: list[tuple[int, int, Outcome]], tested: int, confirmed: int
) -> None:
    with workbook(tmp_path / "w.iiv", HELD, outcomes) as wb:
        report = assess(wb, "ada")
    assert (report.findings_tested, report.findings_confirmed) == (tested, confirmed)


def test_only_interviews_held_count_as_done(tmp_path: Path) -> None:
    statuses = list(InterviewStatus)
    with workbook(tmp_path / "w.iiv", statuses, []) as wb:
        report = assess(wb, "ada")
    assert report.interviews_done == 2, "done and debriefed, not planned, invited, confirmed or cancelled"


def test_a_follow_up_due_today_is_not_yet_overdue(tmp_path: Path) -> None:
    # Met on Friday 6 March: the thank-you is due one business day later, Monday 9 March.
    with Workbook.create(tmp_path / "w.iiv") as wb:
        contact = wb.add(Contact(name="Bo", status=ContactStatus.interviewed))
        wb.add(
            Interview(
                contact_id=contact.id or 0,
                status=InterviewStatus.done,
                scheduled_at=dt.datetime(2026, 3, 6, 10),
            )
        )
        assert assess(wb, "ada", today=dt.date(2026, 3, 9)).overdue_follow_ups == 0
        assert assess(wb, "ada", today=dt.date(2026, 3, 10)).overdue_follow_ups == 1
        assert assess(wb, "ada").overdue_follow_ups is None, "no day, no count"


def test_only_open_questions_still_open_are_listed(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "w.iiv") as wb:
        wb.add(OpenQuestion(text="Who hires?"))
        wb.add(OpenQuestion(text="What pays?", status="answered"))
        assert assess(wb, "ada").open_questions == ["Who hires?"]


def summary(*students: StudentReport) -> ClassSummary:
    return ClassSummary(Path("class"), "{student}/workbook.iiv", dt.date(2026, 3, 20), False, list(students))


def test_the_class_table_shows_each_student_s_numbers_and_none_for_an_unreadable_one(tmp_path: Path) -> None:
    with workbook(tmp_path / "w.iiv", HELD, [(1, 1, C), (2, 1, M), (2, 2, R)]) as wb:
        ada = assess(wb, "ada", today=dt.date(2026, 3, 20))
    bad = StudentReport("bob", None, "missing", "no workbook")
    table = summary(ada, bad).table()
    assert list(table.index) == ["ada", "bob"]
    row = table.loc["ada"]
    assert (row["state"], row["interviews_done"], row["findings_tested"], row["findings_confirmed"]) == (
        "ok",
        2,
        2,
        1,
    )
    assert row["open_questions"] == 0
    assert table.loc["bob", "state"] == "missing" and table.loc["bob", "reason"] == "no workbook"
    assert table.loc["bob"][["findings_tested", "open_questions"]].isna().all()
    assert str(table["findings_tested"].dtype) == "Int64"


def test_completion_counts_each_status_of_readable_students_only(tmp_path: Path) -> None:
    with workbook(tmp_path / "a.iiv", HELD, []) as wb:
        ada = assess(wb, "ada")
    with Workbook.create(tmp_path / "b.iiv") as wb:
        cy = assess(wb, "cy")
    bad = StudentReport("bob", None, "unreadable", "damaged")
    completion = summary(ada, cy, bad).completion()
    totals = completion[["complete", "in progress", "not started"]].sum(axis=1)
    assert set(totals) == {2}, "two readable students, each counted once per exercise"
    first = completion.iloc[0]
    statuses = [f.status for f in (ada.feedback[0], cy.feedback[0])]
    assert first["complete"] == statuses.count("complete")
    assert first["not started"] == statuses.count("not started") >= 1


def test_an_empty_class_has_an_empty_table() -> None:
    table = summary().table()
    assert table.empty and table.index.name == "student"


def test_similar_questions_about_different_organisations_are_one_question() -> None:
    table = common_questions(
        [
            ("ada", "How do people at Acme progress?"),
            ("bob", "How do people at Globex progress?"),
            ("bob", "How do people at Globex progress?"),
            ("cy", "What does a junior analyst earn?"),
        ]
    )
    assert table.to_dict("records") == [
        {"question": "How do people at Globex progress?", "students": 2, "times": 3},
        {"question": "What does a junior analyst earn?", "students": 1, "times": 1},
    ]


def test_the_first_wording_wins_a_tie_and_the_most_students_come_first() -> None:
    table = common_questions(
        [
            ("ada", "Who hires analysts?"),
            ("bob", "Who hires analysts here?"),
            ("cy", "Why Acme?"),
            ("cy", "Why Acme?"),
            ("cy", "Why Acme?"),
        ]
    )
    assert list(table["question"]) == ["Who hires analysts?", "Why Acme?"]
    assert list(table["times"]) == [2, 3]


def test_questions_of_names_or_signs_alone_are_grouped_by_their_text() -> None:
    table = common_questions(
        [("ada", "Acme Globex?"), ("bob", "acme globex?"), ("cy", "???"), ("dee", " ??? ")]
    )
    assert sorted(table.to_dict("records"), key=str) == sorted(
        [
            {"question": "Acme Globex?", "students": 2, "times": 2},
            {"question": "???", "students": 2, "times": 2},
        ],
        key=str,
    )


def test_at_most_ten_questions_are_listed_unless_asked_for_more() -> None:
    topics = ["salaries", "hiring", "training", "travel", "hours", "teams"]
    topics += ["growth", "tools", "clients", "funding", "reports", "mentors"]
    asked = [(f"s{n}", f"What about {topic}?") for n, topic in enumerate(topics)]
    assert len(common_questions(asked)) == 10
    assert len(common_questions(asked, top=12)) == 12


def test_a_student_with_nothing_has_zeros_an_empty_funnel_and_no_name(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "w.iiv") as wb:
        report = assess(wb, "ada", today=dt.date(2026, 3, 20))
    assert report.name == "", "no profile, no name"
    assert (report.interviews_done, report.findings_tested, report.findings_confirmed) == (0, 0, 0)
    assert (report.overdue_follow_ups, report.open_questions) == (0, [])
    assert report.funnel == "0 → 0 → 0 → 0"


def test_the_funnel_counts_the_people_invited_and_met(tmp_path: Path) -> None:
    with workbook(tmp_path / "w.iiv", HELD, []) as wb:
        wb.add(Contact(name="Not yet asked"))
        report = assess(wb, "ada")
    assert report.funnel.startswith("2 → 2 (100%) → 2 (100%)")


def test_a_class_of_one_has_every_column_named_and_each_number_a_whole_number(tmp_path: Path) -> None:
    with workbook(tmp_path / "w.iiv", HELD, [(1, 1, C)]) as wb:
        wb.add(Profile(name="Ada Lovelace"))
        ada = assess(wb, "ada", today=dt.date(2026, 3, 20))
    table = summary(ada).table()
    numbers = [
        "interviews_done",
        "findings_tested",
        "findings_confirmed",
        "overdue_follow_ups",
        "open_questions",
    ]
    exercises = [c for n in range(1, 5) for c in (f"exercise_{n}", f"exercise_{n}_met")]
    assert list(table.columns) == ["name", "state", "reason", *exercises, *numbers]
    assert table.loc["ada", "name"] == "Ada Lovelace"
    for column in [*numbers, *(f"exercise_{n}_met" for n in range(1, 5))]:
        assert str(table[column].dtype) == "Int64", column
    assert table.loc["ada", numbers].tolist() == [2, 1, 1, 2, 0]
    for fb in ada.feedback:
        assert table.loc["ada", f"exercise_{fb.number}"] == fb.status
        assert table.loc["ada", f"exercise_{fb.number}_met"] == fb.met
    assert table.loc["ada", "exercise_2_met"] == 1, "three findings to test; no generalist, no specialist"


def test_names_of_two_words_still_leave_the_question_the_same() -> None:
    table = common_questions(
        [
            ("ada", "How do people at Acme Globex progress?"),
            ("bob", "How do people at Initech Umbrella progress?"),
        ]
    )
    assert table.to_dict("records") == [
        {"question": "How do people at Acme Globex progress?", "students": 2, "times": 2}
    ]


def test_a_name_right_after_the_first_word_is_left_out_too() -> None:
    table = common_questions([("ada", "Does Acme promote?"), ("bob", "Does Globex promote?")])
    assert table["students"].tolist() == [2]


def test_questions_that_differ_in_more_than_names_stay_apart() -> None:
    table = common_questions([("ada", "How do analysts progress?"), ("bob", "What tools matter?")])
    assert table["question"].tolist() == ["How do analysts progress?", "What tools matter?"]


def test_on_a_tie_of_students_the_question_asked_more_often_comes_first() -> None:
    table = common_questions(
        [
            ("ada", "What tools matter?"),
            ("ada", "Who hires analysts?"),
            ("ada", "Who hires analysts?"),
        ]
    )
    assert table.to_dict("records") == [
        {"question": "Who hires analysts?", "students": 1, "times": 2},
        {"question": "What tools matter?", "students": 1, "times": 1},
    ]


def test_no_questions_give_an_empty_table_with_its_columns() -> None:
    table = common_questions([])
    assert table.empty and list(table.columns) == ["question", "students", "times"]


def test_questions_without_words_are_grouped_by_their_lower_case_text() -> None:
    # Upper case would make "ß?" and "SS?" one question; lower case keeps them apart.
    table = common_questions([("ada", "Eh?"), ("bob", "EH?"), ("cy", "ß?"), ("dee", "SS?")])
    assert sorted(table["question"]) == ["Eh?", "SS?", "ß?"]
    assert table.set_index("question").loc["Eh?", "students"] == 2
