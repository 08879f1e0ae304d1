"""The course exercises: self-check feedback that says what is done and what to do next, and
exercise notebooks that run headless.

The workbooks come from ``exercise_helpers``: one with all four exercises complete, one with
each exercise started and known gaps, and an empty one.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from exercise_helpers import GENERALIST, SPECIALIST, build_complete, build_empty, build_partial

from iivkit import Contact, Interview, Workbook
from iivkit.course.exercises import HINTS, TITLES, check, check_all, self_check
from iivkit.course.feedback import COMPLETE, IN_PROGRESS, NOT_STARTED, ExerciseFeedback, Point
from iivkit.course.rubric import MET, NOT_MET, RUBRIC, STRONGER
from iivkit.errors import RecordNotFound

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "notebooks" / "exercises"
NOTEBOOKS = sorted(EXERCISES.glob("*.ipynb"))


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exercises")
    return {
        "complete": build_complete(folder / "complete.iiv"),
        "partial": build_partial(folder / "partial.iiv"),
        "empty": build_empty(folder / "empty.iiv"),
    }


def feedback(path: Path, **choices: Any) -> dict[int, ExerciseFeedback]:
    with Workbook.open(path) as wb:
        return {f.number: f for f in check_all(wb)} if not choices else {2: check(wb, 2, **choices)}


def messages(fb: ExerciseFeedback, state: str) -> str:
    return "\n".join(p.message for p in fb.of(state))


def part(fb: ExerciseFeedback, key: str, state: str | None = None) -> Point:
    """The verdict on the part *key*; with *state*, the test fails unless it is that verdict."""
    (found,) = [p for p in fb.points if p.part == key]
    assert state is None or found.state == state, f"part {key} is {found.state}, not {state}:\n{fb.text()}"
    return found


# -- what each case says ----------------------------------------------------------------------


def test_a_complete_workbook_completes_every_exercise(workbooks: dict[str, Path]) -> None:
    fbs = feedback(workbooks["complete"])
    assert [f.status for f in fbs.values()] == [COMPLETE] * 4
    for fb in fbs.values():
        assert not fb.of(NOT_MET)
        assert fb.text().count("✓") == len(fb.of(MET)) > 0
        assert "Well done" in fb.text()
        assert fb.progress == f"{len(RUBRIC[fb.number])} of {len(RUBRIC[fb.number])} parts met"


def test_research_feedback_says_what_was_found_about_the_organisation(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[1]
    assert fb.subject == "organisation 1 (Health Lab)"
    for key, said in (
        ("vision", "career vision is written"),
        ("main_business", "main business"),
        ("divisions", "divisions"),
        ("locations", "where it is"),
        ("job_kinds", "kinds of jobs"),
        ("findings", "5 findings about Health Lab with a source"),
    ):
        assert said in part(fb, key, MET).message


def test_research_gaps_name_the_field_and_give_a_hint(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["partial"])[1]
    assert fb.status == IN_PROGRESS
    for field in ("divisions", "locations", "job_kinds"):
        gap = part(fb, field, NOT_MET)
        assert gap.record == "organisation 1 (Metro Transit)" and gap.hint == HINTS[field]
    targets = part(fb, "vision_and_targets", NOT_MET)
    assert targets.where == "your profile, field 'vision_and_targets'"
    count = part(fb, "findings", NOT_MET)
    assert count.message == "2 of your 3 findings about Metro Transit have a source; the exercise asks for 5."
    assert count.record == "findings about organisation 1 (Metro Transit)" and "Add more" in count.hint
    unsourced, undated = count.notes
    assert unsourced.startswith("Without a source: finding 1.") and "title, a link or an author" in unsourced
    assert undated.startswith("Source without a date: finding 2.")
    short = part(fb, "vision", STRONGER)
    assert short.field == "career_vision" and short.hint == HINTS["career_vision/short"]


def test_plans_for_a_senior_generalist_and_a_technology_specialist(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[2]
    assert fb.subject == f"{GENERALIST} and {SPECIALIST}"
    assert f"{GENERALIST} is your senior generalist" in part(fb, "generalist", MET).message
    assert f"{SPECIALIST} is your technology specialist" in part(fb, "specialist", MET).message
    assert "broad strategy, which fits a senior generalist" in part(fb, "generalist_plan").message
    assert "technology work, which fits a technology specialist" in part(fb, "specialist_plan").message
    assert "spring from your findings" in part(fb, "springboard", MET).message


def test_plan_gaps_say_whom_to_add_and_how_to_fit_the_plan(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["partial"])[2]
    assert fb.status == IN_PROGRESS
    assert part(fb, "springboard", MET).message == "1 question springs from your findings."
    assert "pick at least 2" in part(fb, "to_test", NOT_MET).message
    fit = part(fb, "generalist_plan", NOT_MET)
    assert "not yet fitted to a senior generalist" in fit.message
    assert fit.record == "interview 1 with Mo Senior" and "strategy" in fit.hint
    assert any("Who else should I talk to?" in note for note in fit.notes)
    nobody = part(fb, "specialist", NOT_MET)
    assert nobody.message == "None of your contacts is a technology specialist yet."
    assert nobody.field == "focus_area" and "technology" in nobody.hint
    assert part(fb, "specialist_plan", NOT_MET).hint == nobody.hint


def test_a_generalist_without_a_saved_plan_is_asked_to_save_one(tmp_path: Path) -> None:
    path = build_empty(tmp_path / "wb.iiv")
    with Workbook.open(path) as wb:
        boss = wb.add(Contact(name="Dee Rector", seniority="very_senior", focus_area="general"))
        fb = check(wb, 2)
    gap = part(fb, "generalist_plan", NOT_MET)
    assert gap.message == "No question plan is saved for Dee Rector yet."
    assert gap.record == f"contact {boss.id} (Dee Rector)" and "Save plan" in gap.hint


def test_letters_need_saved_texts_keywords_and_a_passing_check(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[3]
    assert "introduction letter passes the letter check" in part(fb, "invitation_ready", MET).message
    assert "confirmation email passes the letter check" in part(fb, "confirmation_ready", MET).message
    assert part(fb, "keywords", MET).message == "Keywords to cover: data platform, R, junior analysts."

    fb = feedback(workbooks["partial"])[3]
    assert part(fb, "keywords", NOT_MET).field == "keywords"
    assert part(fb, "confirmation", NOT_MET).field == "confirmation_text"
    assert part(fb, "confirmation_ready", NOT_MET).field == "confirmation_text"
    assert part(fb, "invitation", MET).message.startswith("The introduction letter is written (")
    check_gap = part(fb, "invitation_ready", NOT_MET)
    assert check_gap.field == "invitation_text" and "not ready to send" in check_gap.message
    problems = "\n".join(check_gap.notes)
    assert "does not mention the purpose of the interview" in problems
    assert "does not mention the research you will share and confirm" in problems
    found = re.search(r"found (\d+) things to fix", check_gap.message)
    assert found and found.group(1) == str(len(check_gap.notes))


def test_debrief_asks_for_outcomes_open_questions_and_next_steps(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[4]
    assert fb.subject == f"interview 1 with {GENERALIST}"
    assert part(fb, "outcomes", MET).message == "Outcomes recorded for 3 findings: 3 confirmed."

    fb = feedback(workbooks["partial"])[4]
    assert fb.subject == "interview 1 with Mo Senior"
    assert "(finding 1)" in part(fb, "outcomes", NOT_MET).message
    unrouted = part(fb, "how_to_answer", NOT_MET)
    assert "without a way to answer it" in unrouted.message
    assert (unrouted.record, unrouted.field) == ("open question 1", "how_to_answer")
    assert part(fb, "next_questions", NOT_MET).field == "next_questions"
    debriefed = part(fb, "debriefed", NOT_MET)
    assert debriefed.field == "status" and any("thank-you" in note for note in debriefed.notes)


def test_an_empty_workbook_has_not_started_and_is_told_where_to_begin(workbooks: dict[str, Path]) -> None:
    fbs = feedback(workbooks["empty"])
    assert [f.status for f in fbs.values()] == [NOT_STARTED] * 4
    for fb in fbs.values():
        assert "that is fine: the checklist below says where to start" in fb.text()
        assert fb.of(NOT_MET) == list(fb.points)


@pytest.mark.parametrize("case", ["partial", "empty"])
def test_everything_still_to_do_says_where_and_gives_a_hint(workbooks: dict[str, Path], case: str) -> None:
    for fb in feedback(workbooks[case]).values():
        for p in [*fb.of(NOT_MET), *fb.of(STRONGER)]:
            assert p.where and p.hint, f"exercise {fb.number}: {p}"
            assert f"where: {p.where}" in fb.text() and f"hint: {p.hint}" in fb.text()


@pytest.mark.parametrize("case", ["complete", "partial", "empty"])
def test_feedback_is_never_a_bare_score(workbooks: dict[str, Path], case: str) -> None:
    for fb in feedback(workbooks[case]).values():
        text = fb.text()
        assert text.startswith(f"Exercise {fb.number} · {TITLES[fb.number]}: {fb.status} (")
        assert re.search(r"\d+ of \d+ parts? met", text)
        assert "%" not in text and "score" not in text.lower()
        for n, p in enumerate(fb.points, 1):
            assert f"{n}. {p.title}: {p.state}. {p.message}" in text, "each part names what was found"
        assert json.dumps(fb.to_dict())  # plain data for the class summary


def test_the_notebook_parameters_choose_what_the_check_looks_at(workbooks: dict[str, Path]) -> None:
    with Workbook.open(workbooks["complete"]) as wb:
        techie = next(c for c in wb.all(Contact) if c.name == SPECIALIST)
        # Asked to treat the specialist as the generalist, the check says the plan does not fit.
        fb = check(wb, 2, generalist=techie.id)
        assert "not yet fitted to a senior generalist" in part(fb, "generalist_plan", NOT_MET).message
        assert check(wb, 2, specialist=SPECIALIST).status == COMPLETE
        held = wb.all(Interview, status="debriefed")[0]
        assert check(wb, 3, interview=str(held.id)).subject.startswith(f"interview {held.id} ")
        with pytest.raises(RecordNotFound, match="there is no interview 99"):
            check(wb, 4, interview=99)
        with pytest.raises(ValueError, match="exercises 1 to 4"):
            check(wb, 5)


def test_map_text_reaches_every_text_it_holds(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["partial"])[3]
    assert any(p.notes for p in fb.points), "the case has notes to map"
    shouted = fb.map_text(str.upper)
    assert shouted.subject == fb.subject.upper()
    for before, after in zip(fb.points, shouted.points, strict=True):
        assert (after.message, after.record, after.hint, after.notes) == (
            before.message.upper(),
            before.record.upper(),
            before.hint.upper(),
            tuple(n.upper() for n in before.notes),
        )
        assert (after.state, after.field, after.part, after.title) == (
            before.state,
            before.field,
            before.part,
            before.title,
        )


def test_self_check_prints_the_feedback(
    workbooks: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with Workbook.open(workbooks["partial"]) as wb:
        self_check(wb, 1)
        expected = check(wb, 1).text()
    assert capsys.readouterr().out == expected


# -- the notebooks ----------------------------------------------------------------------------


def test_there_are_four_exercise_notebooks() -> None:
    assert [p.name[:10] for p in NOTEBOOKS] == [f"exercise_{n}" for n in range(1, 5)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_notebook_is_committed_clean(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for n, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {n} has outputs"
            assert cell.get("execution_count") is None, f"{path.name} cell {n} has an execution count"
    assert "widgets" not in nb.get("metadata", {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_notebook_guides_takes_parameters_and_ends_with_the_self_check(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    title, how_to, intro = nb.cells[:3]
    assert title.cell_type == "markdown" and title.source.startswith("# Exercise")
    assert "Run ▸ Run All Cells" in how_to.source and "lab-only" in how_to.metadata.get("tags", [])
    assert "What this exercise asks" in intro.source and "How to do it well" in intro.source
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "workbook = None" in tagged[0].source
    number = int(path.name.split("_")[1])
    assert nb.cells[-1].cell_type == "code" and f"exercises.self_check(wb, {number}" in nb.cells[-1].source


@pytest.fixture
def kernel_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels import this checkout and build their demo workbook in a private cache."""
    monkeypatch.setenv("IIVKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "demo-cache"))
    monkeypatch.delenv("IIVKIT_WORKBOOK", raising=False)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )


def run(path: Path, out: Path, **parameters: Any) -> str:
    """Execute an exercise notebook with papermill; return everything it printed."""
    nb = papermill.execute_notebook(
        str(path),
        str(out / path.name),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(path.parent),
        progress_bar=False,
        log_output=False,
    )
    return "".join(
        o.get("text", "") for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
    )


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_runs_headless_with_its_defaults(path: Path, tmp_path: Path) -> None:
    number = int(path.name.split("_")[1])
    printed = run(path, tmp_path)
    assert "Workbook:" in printed
    assert f"Exercise {number} · {TITLES[number]}:" in printed


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_runs_on_a_new_workbook_and_says_where_to_start(path: Path, tmp_path: Path) -> None:
    workbook = build_empty(tmp_path / "mine.iiv")
    printed = run(path, tmp_path, workbook=str(workbook))
    assert f"Workbook: {workbook}" in printed
    assert ": not started (" in printed and "the checklist below says where to start" in printed
