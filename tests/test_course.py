"""The instructor's class run: students found by the layout, a feedback page each through the
report runner, and a class summary whose numbers match an independent pandas computation.

The synthetic class: alice and carol have done everything, bob has started each exercise,
dave has an empty workbook, eve handed in a file that is not a workbook, and hal's folder has
no workbook at all.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest
from click.testing import CliRunner
from exercise_helpers import GENERALIST, SPECIALIST, TODAY, build_complete, build_empty, build_partial

import iivkit.batch.runner
from iivkit import Contact, Interview, OpenQuestion, Workbook
from iivkit.batch.runner import FakeRunner, NotebookJob
from iivkit.cli import main
from iivkit.course import data as course_data
from iivkit.course import html as course_html
from iivkit.course.data import MISSING, OK_STATE, class_summary, common_questions
from iivkit.course.roster import NO_WORKBOOK, check_layout, discover
from iivkit.course.rubric import RUBRIC
from iivkit.course.run import (
    FAILED,
    OK,
    PAGES_FILE,
    STATE_FILE,
    UP_TO_DATE,
    CourseRun,
    course_report,
    page_names,
)
from iivkit.errors import ValidationFailed, WorkbookMissingError

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "notebooks" / "course"
STUDENTS = ["alice", "bob", "carol", "dave", "eve", "hal"]
MASTERS = "Which master's degree suits evaluation work?"
CONTRACTS = "How long do fixed-term contracts usually last?"
SCRIPT = "Is <script>alert(1)</script> remote work common for analysts?"
WAITING = "Wendy Waiting"


def make_class(root: Path) -> Path:
    """The synthetic class under *root*; returns the class folder."""
    for name in STUDENTS:
        (root / name).mkdir(parents=True)
    build_complete(root / "alice" / "workbook.iiv", student="Alice Adams", questions=(MASTERS, CONTRACTS))
    build_partial(root / "bob" / "workbook.iiv", student="Bob Brown")
    build_complete(
        root / "carol" / "workbook.iiv",
        student="Carol Byrne",
        org_name="Data Works",
        questions=(MASTERS, SCRIPT),
    )
    with Workbook.open(root / "carol" / "workbook.iiv") as wb:
        # An invitation with no reply for two weeks: a second contact and a nudge are overdue.
        wendy = wb.add(
            Contact(
                name=WAITING,
                email="wendy@works.example.org",
                phone="+27 11 555 0199",
                organisation_id=1,
                status="invited",
                focus_area="hr",
            )
        )
        wb.add(Interview(contact_id=wendy.id, status="invited", invitation_sent=dt.date(2026, 3, 2)))
    build_empty(root / "dave" / "workbook.iiv")
    (root / "eve" / "workbook.iiv").write_bytes(b"my homework, honestly\n" * 40)
    (root / ".ipynb_checkpoints").mkdir()
    return root


@pytest.fixture(scope="module")
def klass(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_class(tmp_path_factory.mktemp("course") / "class")


@pytest.fixture
def own_class(tmp_path: Path, klass: Path) -> Path:
    """A copy of the class a test may change."""
    return Path(shutil.copytree(klass, tmp_path / "class"))


def fake_run(class_dir: Path, out: Path, runner: FakeRunner | None = None, **options: Any) -> CourseRun:
    return course_report(
        class_dir, out, runner=runner or FakeRunner(), today=TODAY, progress=False, **options
    )


def statuses(run: CourseRun) -> dict[str, str]:
    return {r.student: r.status for r in run.rows}


def text_of(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


# -- finding the students ---------------------------------------------------------------------


def test_students_are_found_by_the_layout_including_those_without_a_workbook(klass: Path) -> None:
    found = {s.name: s for s in discover(klass)}
    assert list(found) == STUDENTS
    assert found["alice"].workbook == klass / "alice" / "workbook.iiv"
    assert found["eve"].workbook is not None, "an unreadable workbook is found; opening it fails later"
    assert (found["hal"].workbook, found["hal"].problem) == (None, "no workbook at hal/workbook.iiv")


def test_layout_patterns_work_like_nbgraders_directory_structure(tmp_path: Path) -> None:
    for rel in ("flat/ann.iiv", "flat/ben.iiv", "any/cy/mine.iiv", "any/di/a.iiv", "any/di/b.iiv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("")
    (tmp_path / "any" / "ed").mkdir()
    (tmp_path / "sub" / "submitted" / "fay" / "ex1").mkdir(parents=True)
    (tmp_path / "sub" / "submitted" / "fay" / "ex1" / "wb.iiv").write_text("")

    flat = discover(tmp_path / "flat", "{student}.iiv")
    assert [(s.name, s.workbook and s.workbook.name) for s in flat] == [
        ("ann", "ann.iiv"),
        ("ben", "ben.iiv"),
    ]
    any_name = {s.name: s for s in discover(tmp_path / "any", "{student}/*.iiv")}
    assert any_name["cy"].workbook == tmp_path / "any" / "cy" / "mine.iiv"
    assert any_name["di"].problem == "2 workbooks match di/*.iiv: di/a.iiv, di/b.iiv"
    assert any_name["ed"].problem == "no workbook at ed/*.iiv"
    nested = discover(tmp_path / "sub", "submitted/{student}/ex1/wb.iiv")
    assert [s.name for s in nested] == ["fay"] and nested[0].workbook is not None


@pytest.mark.parametrize(
    "layout",
    [
        "workbook.iiv",
        "{student}/{student}.iiv",
        "/abs/{student}/w.iiv",
        "../{student}/w.iiv",
        "{student}",
        "{student}/{assignment}.iiv",
        "{student}\\w.iiv",
    ],
)
def test_a_layout_that_cannot_work_is_refused(layout: str) -> None:
    with pytest.raises(ValidationFailed, match="field 'layout'"):
        check_layout(layout)


def test_the_output_folder_inside_the_class_is_not_a_student(own_class: Path) -> None:
    run = fake_run(own_class, own_class / "feedback")
    assert [r.student for r in run.rows] == STUDENTS
    assert "feedback" not in statuses(fake_run(own_class, own_class / "feedback"))


def test_a_roster_adds_students_who_handed_in_nothing(tmp_path: Path) -> None:
    (tmp_path / "ann.iiv").write_text("")
    found = discover(tmp_path, "{student}.iiv", roster=["ann", "zoe"])
    assert [(s.name, s.problem) for s in found] == [("ann", ""), ("zoe", "no workbook at zoe.iiv")]


def test_a_missing_class_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WorkbookMissingError, match="no such class folder"):
        discover(tmp_path / "nope")


def test_page_names_are_safe_and_unique() -> None:
    names = page_names(["ann lee", "ann_lee", "index", "../x"])
    assert names["ann lee"] == "ann_lee" and names["ann_lee"].startswith("ann_lee-")
    assert names["index"] != "index" and names["../x"] == "x"


# -- the class summary, checked against pandas ------------------------------------------------


def pandas_numbers(path: Path, today: dt.date) -> dict[str, Any]:
    """The summary's numbers for one workbook, read straight from its SQLite file.

    Overdue follow-ups here are the thank-you notes (one business day after the meeting) and,
    for an invitation without reply, the second contact (3 business days) and the nudge (7): the
    class was built with no check-in due and no second person invited.
    """
    with sqlite3.connect(path) as conn:
        iv = pd.read_sql_query(
            "SELECT i.*, c.status AS contact_status FROM interviews i JOIN contacts c ON c.id = i.contact_id",
            conn,
        )
        outcomes = pd.read_sql_query("SELECT finding_id, outcome FROM finding_outcomes", conn)
        questions = pd.read_sql_query("SELECT text, status FROM open_questions", conn)
    held = iv[iv["status"].isin(["done", "debriefed"])]
    unthanked = held[held["thank_you_sent"].isna()]
    met = pd.to_datetime(unthanked["scheduled_at"]).dt.date.to_numpy(dtype="datetime64[D]")
    waiting = iv[
        iv["status"].isin(["planned", "invited"])
        & iv["invitation_sent"].notna()
        & iv["confirmation_sent"].isna()
        & (iv["contact_status"] == "invited")
    ]
    sent = pd.to_datetime(waiting["invitation_sent"]).to_numpy(dtype="datetime64[D]")
    day = np.datetime64(today)
    overdue = (
        int((np.busday_offset(met, 1, roll="forward") < day).sum())
        + int((np.busday_offset(sent, 3, roll="forward") < day).sum())
        + int(
            (
                (np.busday_offset(sent, 7, roll="forward") < day) & waiting["nudge_sent"].isna().to_numpy()
            ).sum()
        )
    )
    spoken = outcomes[outcomes["outcome"].isin(["confirmed", "refuted", "mixed"])]
    return {
        "interviews_done": len(held),
        "findings_tested": spoken["finding_id"].nunique(),
        "findings_confirmed": outcomes.loc[outcomes["outcome"] == "confirmed", "finding_id"].nunique(),
        "overdue_follow_ups": overdue,
        "open_questions": int((questions["status"] == "open").sum()),
    }


def test_the_summary_numbers_match_an_independent_pandas_computation(klass: Path) -> None:
    table = class_summary(klass, today=TODAY).table()
    readable = ["alice", "bob", "carol", "dave"]
    expected = pd.DataFrame(
        [pandas_numbers(klass / s / "workbook.iiv", TODAY) for s in readable], index=readable
    )
    got = table.loc[readable, list(expected.columns)].astype(int)
    pd.testing.assert_frame_equal(got, expected, check_names=False, check_dtype=False)
    # The class is built so every number is exercised, not all zero.
    assert expected.loc["carol", "overdue_follow_ups"] == 2 and expected.loc["bob", "overdue_follow_ups"] == 1
    assert expected.loc["alice"].tolist() == [1, 3, 3, 0, 2]


def test_the_most_common_open_questions_match_pandas(klass: Path) -> None:
    summary = class_summary(klass, today=TODAY)
    frames = []
    for s in ["alice", "bob", "carol", "dave"]:
        with sqlite3.connect(klass / s / "workbook.iiv") as conn:
            q = pd.read_sql_query("SELECT text FROM open_questions WHERE status = 'open'", conn)
        frames.append(q.assign(student=s))
    asked = pd.concat(frames)
    expected = (
        asked.groupby("text", sort=False)
        .agg(students=("student", "nunique"), times=("student", "size"))
        .sort_values(["students", "times"], ascending=False, kind="stable")
        .reset_index()
        .rename(columns={"text": "question"})
    )
    got = summary.common_questions(top=20)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert got.iloc[0].tolist() == [MASTERS, 2, 2]


def test_similar_wordings_count_as_one_question() -> None:
    df = common_questions(
        [
            ("ann", "How do people at Acme Bank progress after two years?"),
            ("ben", "How do people at Globex progress after two years?"),
            ("ann", "What does a data engineer earn?"),
        ]
    )
    assert df.values.tolist() == [
        ["How do people at Acme Bank progress after two years?", 2, 2],
        ["What does a data engineer earn?", 1, 1],
    ]


def test_missing_and_corrupt_students_are_rows_with_the_reason(klass: Path) -> None:
    table = class_summary(klass, today=TODAY).table()
    assert list(table.index) == STUDENTS
    assert (
        table.loc["hal", "state"] == MISSING
        and table.loc["hal", "reason"] == "no workbook at hal/workbook.iiv"
    )
    assert table.loc["eve", "state"] == "unreadable"
    assert "not an iivkit workbook" in table.loc["eve", "reason"] and "eve" in table.loc["eve", "reason"]
    assert table.loc[["eve", "hal"], "interviews_done"].isna().all()
    assert (table.loc[["alice", "bob", "carol", "dave"], "state"] == OK_STATE).all()


def test_completion_per_exercise_per_student(klass: Path) -> None:
    summary = class_summary(klass, today=TODAY)
    table = summary.table()
    columns = [f"exercise_{n}" for n in range(1, 5)]
    assert table.loc["alice", columns].tolist() == ["complete"] * 4
    assert table.loc["carol", columns].tolist() == ["complete"] * 4
    assert table.loc["bob", columns].tolist() == ["in progress"] * 4
    assert table.loc["dave", columns].tolist() == ["not started"] * 4
    assert summary.completion().loc["1 · Career vision and research"].tolist() == [2, 1, 1]


def test_anonymised_summary_hides_contacts_but_keeps_students(klass: Path) -> None:
    summary = class_summary(klass, today=TODAY, anonymise=True)
    carol = next(r for r in summary.students if r.student == "carol")
    assert carol.name == "Carol Byrne"
    everything = json.dumps([[f.to_dict() for f in r.feedback] + r.open_questions for r in summary.students])
    for secret in (GENERALIST, SPECIALIST, WAITING, "Grace", "Hopper", "grace.hopper@lab.example.org"):
        assert secret not in everything
    assert re.search(r"Contact [0-9A-F]{6} is your senior generalist", everything)


# -- the class run, with a fake runner --------------------------------------------------------


def test_every_student_gets_a_page_and_those_without_a_workbook_a_note(klass: Path, tmp_path: Path) -> None:
    runner = FakeRunner()
    run = fake_run(klass, tmp_path / "out", runner)
    assert statuses(run) == {
        "alice": OK,
        "bob": OK,
        "carol": OK,
        "dave": OK,
        "eve": NO_WORKBOOK,
        "hal": NO_WORKBOOK,
    }
    assert sorted(j.name for j in runner.calls) == ["alice", "bob", "carol", "dave", "index"]
    for s in STUDENTS:
        assert (tmp_path / "out" / f"{s}.html").is_file()
    assert "no workbook at hal/workbook.iiv" in text_of(tmp_path / "out" / "hal.html")
    assert "not an iivkit workbook" in text_of(tmp_path / "out" / "eve.html")
    assert (tmp_path / "out" / "index.html").is_file() and not run.failed


def test_the_jobs_carry_the_notebooks_parameters(klass: Path, tmp_path: Path) -> None:
    runner = FakeRunner()
    fake_run(klass, tmp_path / "out", runner, anonymise=True)
    jobs: dict[str, NotebookJob] = {j.name: j for j in runner.calls}
    assert jobs["bob"].notebook.name == "student_feedback.ipynb"
    bob = jobs["bob"].parameters
    assert bob == {
        "workbook": str((klass / "bob" / "workbook.iiv").resolve()),
        "student": "bob",
        "anonymise": True,
        "keep": str((tmp_path / "out" / "bob.assessment.json").resolve()),
        "today": "2026-03-20",
        "key": bob["key"],
    }
    state = json.loads((tmp_path / "out" / STATE_FILE).read_text())
    assert bob["key"] == state["outputs"]["bob"]["fingerprint"], "the page's fingerprint keys its assessment"
    index = jobs["index"].parameters
    assert jobs["index"].notebook.name == "class_summary.ipynb"
    assert (index["layout"], index["today"], index["anonymise"]) == (
        "{student}/workbook.iiv",
        "2026-03-20",
        True,
    )
    pages = json.loads(Path(index["pages"]).read_text())
    assert pages["hal"] == {
        "file": "hal.html",
        "status": NO_WORKBOOK,
        "reason": "no workbook at hal/workbook.iiv",
    }


def test_a_page_that_fails_fails_alone(klass: Path, tmp_path: Path) -> None:
    run = fake_run(
        klass, tmp_path / "out", FakeRunner(failures={"bob": "NameError: name 'x' is not defined"})
    )
    assert statuses(run)["bob"] == FAILED and statuses(run)["alice"] == OK
    assert run.failed and run.summary_status == OK
    assert "NameError: name 'x' is not defined" in text_of(tmp_path / "out" / "bob.html")
    pages = json.loads((tmp_path / "out" / PAGES_FILE).read_text())
    assert pages["bob"]["status"] == FAILED


def test_only_what_changed_is_made_again(own_class: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run(own_class, out)
    again = FakeRunner()
    run = fake_run(own_class, out, again)
    assert again.calls == [] and run.summary_status == UP_TO_DATE
    assert statuses(run)["alice"] == UP_TO_DATE
    with Workbook.open(own_class / "bob" / "workbook.iiv") as wb:
        wb.add(OpenQuestion(text="Is there a night shift?"))
    changed = FakeRunner()
    fake_run(own_class, out, changed)
    assert sorted(j.name for j in changed.calls) == ["bob", "index"]
    later = FakeRunner()
    course_report(own_class, out, runner=later, today=TODAY + dt.timedelta(days=1), progress=False)
    assert [j.name for j in later.calls] == ["index"], "a new day changes only what is overdue"
    for options in ({"anonymise": True}, {"force": True}):
        everything = FakeRunner()
        fake_run(own_class, out, everything, **options)
        assert len(everything.calls) == 5, options


def test_a_failed_summary_still_leaves_an_index_of_every_student(klass: Path, tmp_path: Path) -> None:
    run = fake_run(klass, tmp_path / "out", FakeRunner(failures={"index": "KeyError: 'x'"}))
    assert run.summary_status == FAILED and run.failed
    index = text_of(tmp_path / "out" / "index.html")
    assert "The class summary could not be made: KeyError: 'x'" in index
    for s in STUDENTS:
        assert f"{s}.html" in index
    assert "no workbook at hal/workbook.iiv" in index


def test_the_summary_reads_the_runs_assessments_and_shows_the_same(
    klass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    fake_run(klass, out, anonymise=True)
    fresh = class_summary(klass.resolve(), today=TODAY, anonymise=True)
    pages = json.loads((out / PAGES_FILE).read_text())
    assert sorted(s for s, p in pages.items() if "assessment" in p) == ["alice", "bob", "carol", "dave"]

    assessed: list[str] = []
    assess = course_data.assess
    monkeypatch.setattr(
        course_data, "assess", lambda wb, student, **kw: assessed.append(student) or assess(wb, student, **kw)
    )
    reused = class_summary(klass.resolve(), today=TODAY, anonymise=True, pages=out / PAGES_FILE)
    assert assessed == [], "the summary made no assessment the run had made"
    for path in out.glob("*.assessment.json"):
        path.unlink()
    again = class_summary(klass.resolve(), today=TODAY, anonymise=True, pages=out / PAGES_FILE)
    assert sorted(assessed) == ["alice", "bob", "carol", "dave"], "without them it assesses each"
    assert reused.students == again.students == fresh.students
    for show in (course_html.summary_header_html, course_html.students_html, course_html.completion_html):
        assert show(reused) == show(again)
    assert course_html.common_questions_html(reused) == course_html.common_questions_html(again)


def test_an_unchanged_student_keeps_their_assessment_until_the_day_changes(
    own_class: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    fake_run(own_class, out)
    assessed: list[str] = []
    assess = course_data.assess
    monkeypatch.setattr(
        course_data, "assess", lambda wb, student, **kw: assessed.append(student) or assess(wb, student, **kw)
    )
    with Workbook.open(own_class / "bob" / "workbook.iiv") as wb:
        wb.add(OpenQuestion(text="Is there a night shift?"))
    fake_run(own_class, out)
    assert assessed == ["bob"]
    course_report(own_class, out, runner=FakeRunner(), today=TODAY + dt.timedelta(days=1), progress=False)
    assert len(assessed) == 1 + len(list(out.glob("*.assessment.json"))), "a new day: overdue counts anew"


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def fake_kernels(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    failures: dict[str, str] = {}
    monkeypatch.setattr(
        iivkit.batch.runner, "NotebookRunner", lambda **_: FakeRunner(failures=dict(failures))
    )
    return failures


def course_cli(*args: str) -> Any:
    return CliRunner().invoke(main, ["course", "report", *args], catch_exceptions=False)


def test_the_command_lists_students_without_a_workbook_and_exits_0(
    klass: Path, tmp_path: Path, fake_kernels: dict[str, str]
) -> None:
    result = course_cli(str(klass), "--out", str(tmp_path / "out"), "--today", "2026-03-20")
    assert result.exit_code == 0, result.output
    assert "4 made, 0 failed, 0 up to date, 2 without a usable workbook; 6 students" in result.output
    assert "no workbook: hal: no workbook at hal/workbook.iiv" in result.output
    assert re.search(r"no workbook: eve: unreadable: .*eve.*not an iivkit workbook", result.output)
    assert f"Class summary: {tmp_path / 'out' / 'index.html'}" in result.output


def test_the_command_exits_1_when_a_page_fails(
    klass: Path, tmp_path: Path, fake_kernels: dict[str, str]
) -> None:
    fake_kernels["carol"] = "the kernel died while running the report"
    result = course_cli(str(klass), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "failed: carol: the kernel died while running the report" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{class}", "--out", "{tmp}/out", "--layout", "{student}"], "field 'layout'"),
        (["{tmp}/nope", "--out", "{tmp}/out"], "no such class folder"),
        (["{class}", "--out", "{tmp}/file"], "is a file"),
    ],
)
def test_bad_usage_exits_2_with_one_line(klass: Path, tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "file").write_text("")
    filled = [a.replace("{class}", str(klass)).replace("{tmp}", str(tmp_path)) for a in args]
    result = CliRunner().invoke(main, ["course", "report", *filled])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


# -- the notebooks ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["student_feedback", "class_summary"])
def test_course_notebook_is_clean_and_takes_parameters(name: str) -> None:
    path = COURSE / f"{name}.ipynb"
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert all(c.get("outputs", []) == [] and c.get("execution_count") is None for c in raw["cells"])
    assert "widgets" not in raw.get("metadata", {})
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].cell_type == "markdown"
    assert len([c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]) == 1
    assert "ipywidgets" not in path.read_text() and "iivkit.ui.forms" not in path.read_text()


@pytest.fixture
def kernel_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels import this checkout and build their demo workbook and class in a private cache."""
    monkeypatch.setenv("IIVKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "demo-cache"))
    monkeypatch.delenv("IIVKIT_WORKBOOK", raising=False)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
def test_the_class_run_with_real_kernels(
    klass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assessed: list[str] = []
    assess = course_data.assess
    monkeypatch.setattr(
        course_data, "assess", lambda wb, student, **kw: assessed.append(student) or assess(wb, student, **kw)
    )
    result = course_cli(str(klass), "--out", str(out), "--anonymise", "--jobs", "2", "--today", "2026-03-20")
    assert result.exit_code == 0, result.output
    # Each page's kernel kept its assessment for the summary: this process made none.
    assert assessed == []
    fingerprints = json.loads((out / STATE_FILE).read_text())["outputs"]
    for student in ("alice", "bob", "carol", "dave"):
        kept = course_data.load_assessment(
            out / f"{student}.assessment.json",
            student=student,
            today=TODAY,
            anonymise=True,
            key=fingerprints[student]["fingerprint"],
        )
        assert kept is not None and kept.overdue_follow_ups is not None, student
    assert sorted(p.name for p in out.glob("*.html")) == sorted(
        [f"{s}.html" for s in STUDENTS] + ["index.html"]
    )

    pages = {p.stem: p.read_text(encoding="utf-8") for p in out.glob("*.html")}
    text = {name: text_of(out / f"{name}.html") for name in pages}
    assert text["alice"].count("Well done: every part of this exercise is met.") == 4
    assert "Alice Adams" in text["alice"]
    assert re.search(r"Contact [0-9A-F]{6} is your senior generalist", text["alice"])
    assert re.search(r"✗ not met\s+Divisions : Its divisions: not noted yet.", text["bob"])
    assert "Where: organisation 1 (Metro Transit), field 'divisions'" in text["bob"]
    assert "Hint: List its departments or units" in text["bob"]
    assert "without a way to answer it" in text["bob"]
    assert text["dave"].count("Nothing here yet, and that is fine") == 4
    for parts in RUBRIC.values():
        assert f"0 of {len(parts)} parts met" in text["dave"], "every student has the same parts"
    assert "not an iivkit workbook" in text["eve"] and "no workbook at hal/workbook.iiv" in text["hal"]

    index = text["index"]
    for student in STUDENTS:
        assert student in index
    assert re.search(r"unreadable: \S*eve\S*: not an iivkit workbook", index)
    assert "missing: no workbook at hal/workbook.iiv" in index
    assert "Class summary" in index and MASTERS in index

    for name, page in pages.items():
        for secret in (GENERALIST, SPECIALIST, WAITING, "grace.hopper@lab.example.org", "+27 11 555 0199"):
            assert secret not in html.unescape(page), f"{secret} in {name}.html"
        assert not re.search(r"<script[^>]*\bsrc=", page), f"{name}.html loads a script"
        assert "cdn." not in page and "course_data." not in page, f"{name}.html is not offline or shows code"
        assert "application/vnd.jupyter.widget-state" not in page
    assert "<script>alert(1)</script>" not in pages["index"] + pages["carol"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["index"]

    again = course_cli(str(klass), "--out", str(out), "--anonymise", "--today", "2026-03-20")
    assert "0 made, 0 failed, 4 up to date" in again.output


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
@pytest.mark.parametrize("name", ["student_feedback", "class_summary"])
def test_course_notebook_runs_with_its_defaults(name: str, tmp_path: Path) -> None:
    nb = papermill.execute_notebook(
        str(COURSE / f"{name}.ipynb"),
        str(tmp_path / f"{name}.ipynb"),
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    shown = "".join(
        o.get("data", {}).get("text/html", "")
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c["outputs"]
    )
    assert (
        "Exercise 1 · Career vision and research" if name == "student_feedback" else "students</b> in"
    ) in shown
