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
from iivkit.course.feedback import COMPLETE, DONE, IN_PROGRESS, MISSING, NOT_STARTED, WEAK, ExerciseFeedback
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


def point(fb: ExerciseFeedback, state: str, text: str) -> Any:
    found = [p for p in fb.of(state) if text in p.message]
    assert found, f"no {state} point mentioning {text!r} in:\n{fb.text()}"
    return found[0]


# -- what each case says ----------------------------------------------------------------------


def test_a_complete_workbook_completes_every_exercise(workbooks: dict[str, Path]) -> None:
    fbs = feedback(workbooks["complete"])
    assert [f.status for f in fbs.values()] == [COMPLETE] * 4
    for fb in fbs.values():
        assert not fb.of(MISSING)
        assert fb.text().count("✓") == len(fb.of(DONE)) > 0
        assert "Well done" in fb.text()


def test_research_feedback_says_what_was_found_about_the_organisation(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[1]
    assert fb.subject == "organisation 1 (Health Lab)"
    done = messages(fb, DONE)
    for said in ("career vision is written", "main business", "divisions", "where it is", "kinds of jobs"):
        assert said in done
    assert "5 findings about Health Lab" in done
    assert "Every finding about it has a source" in done


def test_research_gaps_name_the_field_and_give_a_hint(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["partial"])[1]
    assert fb.status == IN_PROGRESS
    for field in ("divisions", "locations", "job_kinds"):
        gap = next(p for p in fb.of(MISSING) if p.field == field)
        assert gap.record == "organisation 1 (Metro Transit)" and gap.hint == HINTS[field]
    targets = point(fb, MISSING, "how your vision relates")
    assert targets.where == "your profile, field 'vision_and_targets'"
    count = point(fb, MISSING, "3 findings about Metro Transit")
    assert "asks for 5" in count.message and "Add more" in count.hint
    unsourced = point(fb, MISSING, "without a source")
    assert unsourced.record == "finding 1" and "title, a link or an author" in unsourced.hint
    assert point(fb, WEAK, "career vision is short").field == "career_vision"
    assert point(fb, WEAK, "without a date").record == "finding 2"


def test_plans_for_a_senior_generalist_and_a_technology_specialist(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[2]
    assert fb.subject == f"{GENERALIST} and {SPECIALIST}"
    done = messages(fb, DONE)
    assert f"{GENERALIST} is your senior generalist" in done
    assert f"{SPECIALIST} is your technology specialist" in done
    assert "broad strategy, which fits a senior generalist" in done
    assert "technology work, which fits a technology specialist" in done
    assert "spring from your findings" in done


def test_plan_gaps_say_whom_to_add_and_how_to_fit_the_plan(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["partial"])[2]
    assert fb.status == IN_PROGRESS
    assert "1 question springs from your findings" in messages(fb, DONE)
    assert "pick at least two" in point(fb, MISSING, "marked to test").message
    fit = point(fb, MISSING, "not yet fitted to a senior generalist")
    assert fit.record == "interview 1 with Mo Senior" and "strategy" in fit.hint
    nobody = point(fb, MISSING, "None of your contacts is a technology specialist")
    assert nobody.field == "focus_area" and "technology" in nobody.hint
    assert "Who else should I talk to?" in messages(fb, WEAK)


def test_a_generalist_without_a_saved_plan_is_asked_to_save_one(tmp_path: Path) -> None:
    path = build_empty(tmp_path / "wb.iiv")
    with Workbook.open(path) as wb:
        boss = wb.add(Contact(name="Dee Rector", seniority="very_senior", focus_area="general"))
        fb = check(wb, 2)
    gap = point(fb, MISSING, "No question plan is saved for Dee Rector")
    assert gap.record == f"contact {boss.id} (Dee Rector)" and "Save plan" in gap.hint


def test_letters_need_saved_texts_keywords_and_a_passing_check(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[3]
    done = messages(fb, DONE)
    assert "introduction letter passes the letter check" in done
    assert "confirmation email passes the letter check" in done
    assert "Keywords to cover: data platform, R, junior analysts" in done

    fb = feedback(workbooks["partial"])[3]
    assert point(fb, MISSING, "No keywords").field == "keywords"
    assert point(fb, MISSING, "confirmation email is not written").field == "confirmation_text"
    check_gap = point(fb, MISSING, "introduction letter is not ready to send")
    assert check_gap.field == "invitation_text"
    problems = messages(fb, WEAK)
    assert "does not mention the purpose of the interview" in problems
    assert "does not mention the research you will share and confirm" in problems
    assert re.search(r"found (\d+) things to fix", check_gap.message).group(1) == str(len(fb.of(WEAK)))


def test_debrief_asks_for_outcomes_open_questions_and_next_steps(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["complete"])[4]
    assert fb.subject == f"interview 1 with {GENERALIST}"
    assert "Outcomes recorded for 3 findings: 3 confirmed" in messages(fb, DONE)

    fb = feedback(workbooks["partial"])[4]
    assert fb.subject == "interview 1 with Mo Senior"
    assert "(finding 1)" in point(fb, MISSING, "No outcome yet").message
    unrouted = point(fb, MISSING, "without a way to answer it")
    assert (unrouted.record, unrouted.field) == ("open question 1", "how_to_answer")
    assert point(fb, MISSING, "Next steps").field == "next_questions"
    assert {p.field for p in fb.of(WEAK)} >= {"thank_you_text", "status"}


def test_an_empty_workbook_has_not_started_and_is_told_where_to_begin(workbooks: dict[str, Path]) -> None:
    fbs = feedback(workbooks["empty"])
    assert [f.status for f in fbs.values()] == [NOT_STARTED] * 4
    for fb in fbs.values():
        assert "that is fine: the list below says where to start" in fb.text()
        assert fb.of(MISSING)


@pytest.mark.parametrize("case", ["partial", "empty"])
def test_everything_still_to_do_says_where_and_gives_a_hint(workbooks: dict[str, Path], case: str) -> None:
    for fb in feedback(workbooks[case]).values():
        for p in fb.of(MISSING):
            assert p.where and p.hint, f"exercise {fb.number}: {p}"
            assert f"where: {p.where}" in fb.text() and f"hint: {p.hint}" in fb.text()


@pytest.mark.parametrize("case", ["complete", "partial", "empty"])
def test_feedback_is_never_a_bare_score(workbooks: dict[str, Path], case: str) -> None:
    for fb in feedback(workbooks[case]).values():
        text = fb.text()
        assert text.startswith(f"Exercise {fb.number} · {TITLES[fb.number]}: {fb.status} (")
        assert re.search(r"\d+ of \d+ parts? done", text)
        assert "%" not in text and "score" not in text.lower()
        assert len(text.splitlines()) >= 4, "feedback names what is done or to do, not only a count"
        assert json.dumps(fb.to_dict())  # plain data for the class summary


def test_the_notebook_parameters_choose_what_the_check_looks_at(workbooks: dict[str, Path]) -> None:
    with Workbook.open(workbooks["complete"]) as wb:
        techie = next(c for c in wb.all(Contact) if c.name == SPECIALIST)
        # Asked to treat the specialist as the generalist, the check says the plan does not fit.
        fb = check(wb, 2, generalist=techie.id)
        assert "not yet fitted to a senior generalist" in messages(fb, MISSING)
        assert check(wb, 2, specialist=SPECIALIST).status == COMPLETE
        held = wb.all(Interview, status="debriefed")[0]
        assert check(wb, 3, interview=str(held.id)).subject.startswith(f"interview {held.id} ")
        with pytest.raises(RecordNotFound, match="there is no interview 99"):
            check(wb, 4, interview=99)
        with pytest.raises(ValueError, match="exercises 1 to 4"):
            check(wb, 5)


def test_map_text_reaches_every_text_it_holds(workbooks: dict[str, Path]) -> None:
    fb = feedback(workbooks["partial"])[3]
    shouted = fb.map_text(str.upper)
    assert shouted.subject == fb.subject.upper()
    for before, after in zip(fb.points, shouted.points, strict=True):
        assert (after.message, after.record, after.hint) == (
            before.message.upper(),
            before.record.upper(),
            before.hint.upper(),
        )
        assert after.state == before.state and after.field == before.field


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
    assert ": not started (" in printed and "the list below says where to start" in printed
