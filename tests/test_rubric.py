"""One rubric per exercise: the same parts for every student, each met, could be stronger or not
met, documented in the README, and counted part by part in the class summary.

The workbooks are built through the public API: the three of ``exercise_helpers`` (complete,
partial, empty), tricky cases made from them, and a synthetic class of 30 students, each with a
random subset of the records the exercises ask for.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from exercise_helpers import TODAY, VISION, build_complete, build_empty, build_partial
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Interview,
    OpenQuestion,
    Organisation,
    Profile,
    Workbook,
)
from iivkit.course import html as course_html
from iivkit.course.data import class_summary
from iivkit.course.exercises import HINTS, check, check_all
from iivkit.course.feedback import COMPLETE, IN_PROGRESS, NOT_STARTED, ExerciseFeedback
from iivkit.course.rubric import MET, NOT_MET, RUBRIC, STRONGER, TITLES, rubric_text
from iivkit.method.planner import plan, save_plan
from iivkit.workbook.models import Outcome

ROOT = Path(__file__).resolve().parent.parent
ALL_MET = {n: dict.fromkeys((p.key for p in parts), MET) for n, parts in RUBRIC.items()}
EXPECTED: dict[str, dict[int, dict[str, str]]] = {
    "empty": {n: dict.fromkeys((p.key for p in parts), NOT_MET) for n, parts in RUBRIC.items()},
    # The plans the planner makes fill the time and skip a category or two: met, could be stronger.
    "complete": {**ALL_MET, 2: {**ALL_MET[2], "generalist_plan": STRONGER, "specialist_plan": STRONGER}},
    "partial": {
        1: {
            "vision": STRONGER,  # "Something in data.": three words
            "vision_and_targets": NOT_MET,
            "organisation": MET,
            "main_business": MET,
            "divisions": NOT_MET,
            "locations": NOT_MET,
            "job_kinds": NOT_MET,
            "findings": NOT_MET,  # three findings, two with a source
        },
        2: {
            "to_test": NOT_MET,  # one finding marked
            "generalist": MET,
            "generalist_plan": NOT_MET,  # one question, nothing on strategy
            "specialist": NOT_MET,
            "specialist_plan": NOT_MET,
            "springboard": MET,
        },
        3: {
            "invitation": MET,
            "invitation_ready": NOT_MET,  # "Dear Mo, may we talk?"
            "keywords": NOT_MET,
            "confirmation": NOT_MET,
            "confirmation_ready": NOT_MET,
        },
        4: {
            "outcomes": NOT_MET,
            "open_questions": MET,
            "how_to_answer": NOT_MET,
            "next_questions": NOT_MET,
            "debriefed": NOT_MET,  # done, not debriefed
        },
    },
}
BUILDERS = {"complete": build_complete, "partial": build_partial, "empty": build_empty}


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[int, ExerciseFeedback]]:
    folder = tmp_path_factory.mktemp("rubric")
    found = {}
    for name, build in BUILDERS.items():
        with Workbook.read(build(folder / f"{name}.iiv")) as wb:
            found[name] = {f.number: f for f in check_all(wb)}
    return found


def copy(tmp_path: Path, case: str = "complete") -> Path:
    """A fresh workbook of *case* that a test may change."""
    return BUILDERS[case](tmp_path / f"{case}.iiv")


def verdicts(fb: ExerciseFeedback) -> dict[str, str]:
    return {p.part: p.state for p in fb.points}


# -- every part, on the three workbooks ---------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "exercise", "key"),
    [(c, n, p.key) for c in EXPECTED for n, parts in RUBRIC.items() for p in parts],
)
def test_each_part_gets_its_verdict(
    cases: dict[str, dict[int, ExerciseFeedback]], case: str, exercise: int, key: str
) -> None:
    fb = cases[case][exercise]
    (point,) = [p for p in fb.points if p.part == key]
    assert point.state == EXPECTED[case][exercise][key], fb.text()
    if point.state == MET:
        assert not point.hint, "a met part has nothing to do"
    else:
        assert point.where and point.hint, "a part to work on says where and how"


@pytest.mark.parametrize("case", list(EXPECTED))
@pytest.mark.parametrize("exercise", list(RUBRIC))
def test_every_student_gets_the_same_parts_in_the_same_order(
    cases: dict[str, dict[int, ExerciseFeedback]], case: str, exercise: int
) -> None:
    fb = cases[case][exercise]
    assert [(p.part, p.title) for p in fb.points] == [(p.key, p.title) for p in RUBRIC[exercise]]
    met = sum(v != NOT_MET for v in EXPECTED[case][exercise].values())
    assert fb.progress == f"{met} of {len(RUBRIC[exercise])} parts met"
    assert fb.status == (COMPLETE if met == len(fb.points) else IN_PROGRESS if met else NOT_STARTED)


def test_the_rubric_has_a_meaningful_number_of_parts_each_named_once() -> None:
    assert {n: len(parts) for n, parts in RUBRIC.items()} == {1: 8, 2: 6, 3: 5, 4: 5}
    for parts in RUBRIC.values():
        assert len({p.key for p in parts}) == len({p.title for p in parts}) == len(parts)


# -- tricky cases ---------------------------------------------------------------------------------


def test_not_discussed_is_not_tested(tmp_path: Path) -> None:
    with Workbook.open(copy(tmp_path)) as wb:
        for o in wb.all(FindingOutcome):
            wb.update(o.model_copy(update={"outcome": Outcome.not_discussed, "note": ""}))
        fb = check(wb, 4)
    outcomes = fb.points[0]
    assert (outcomes.part, outcomes.state) == ("outcomes", NOT_MET)
    assert "no finding was tested" in outcomes.message
    assert outcomes.hint == HINTS["outcomes/tested"]
    assert "confirmed" not in outcomes.hint, "never suggests recording an outcome that did not happen"
    assert outcomes.notes == ("Not discussed, so not tested: finding 1, 2, 3.",)
    assert fb.status == IN_PROGRESS and fb.progress == "4 of 5 parts met"


def test_one_real_outcome_among_not_discussed_ones_is_tested(tmp_path: Path) -> None:
    with Workbook.open(copy(tmp_path)) as wb:
        _first, *rest = wb.all(FindingOutcome)
        for o in rest:
            wb.update(o.model_copy(update={"outcome": Outcome.not_discussed}))
        fb = check(wb, 4)
    assert fb.status == COMPLETE
    assert fb.points[0].message == "Outcomes recorded for 3 findings: 1 confirmed, 2 not discussed."
    assert fb.points[0].notes == ("Not discussed, so not tested: finding 2, 3.",)


def test_an_outcome_without_a_note_could_be_stronger_and_still_completes(tmp_path: Path) -> None:
    with Workbook.open(copy(tmp_path)) as wb:
        o = wb.all(FindingOutcome)[0]
        wb.update(o.model_copy(update={"note": ""}))
        fb = check(wb, 4)
    assert verdicts(fb)["outcomes"] == STRONGER and fb.points[0].field == "note"
    assert fb.status == COMPLETE and fb.progress == "5 of 5 parts met"
    assert "1 part could be stronger: the exercise is complete all the same" in fb.opening()


def findings_workbook(path: Path, *, focus: int, other: int, unplaced: int = 0, dated: bool = True) -> Path:
    when = dt.date(2025, 6, 1) if dated else None
    with Workbook.create(path) as wb, wb.transaction():
        lab = wb.add(Organisation(name="Health Lab", main_business="Evaluations."))
        bank = wb.add(Organisation(name="Acme Bank", main_business="Banking."))
        for n in range(focus):
            wb.add(
                Finding(
                    claim=f"Lab claim {n}.",
                    organisation_id=lab.id,
                    source_title=f"Report {n}",
                    source_date=when,
                )
            )
        for n in range(other):
            wb.add(Finding(claim=f"Bank claim {n}.", organisation_id=bank.id, source_title=f"Note {n}"))
        for n in range(unplaced):
            wb.add(Finding(claim=f"Some claim {n}.", source_title=f"Post {n}"))
    return path


def test_findings_about_another_organisation_do_not_count_and_are_never_to_be_relabelled(
    tmp_path: Path,
) -> None:
    with Workbook.read(findings_workbook(tmp_path / "w.iiv", focus=3, other=2)) as wb:
        fb = check(wb, 1)
    findings = fb.points[-1]
    assert (findings.part, findings.state) == ("findings", NOT_MET)
    assert findings.message == "3 findings about Health Lab have a source; the exercise asks for 5."
    assert findings.record == "findings about organisation 1 (Health Lab)"
    assert findings.hint == HINTS["findings"] and "Add more findings about this organisation" in findings.hint
    assert findings.notes == (
        "2 other findings are about other organisations: they count for those, not for Health Lab.",
    )
    assert "set Organisation" not in fb.text() and "Organisation field" not in fb.text()


def test_a_finding_with_no_organisation_may_be_placed_if_it_is_about_the_one_researched(
    tmp_path: Path,
) -> None:
    with Workbook.read(findings_workbook(tmp_path / "w.iiv", focus=3, other=1, unplaced=1)) as wb:
        findings = check(wb, 1).points[-1]
    assert findings.notes == (
        "1 other finding is about other organisations: it counts for those, not for Health Lab.",
        "1 finding names no organisation (finding 5): if it is about Health Lab, choose it in its "
        "Organisation field.",
    )


def test_five_sourced_findings_meet_the_part_whatever_else_is_recorded(tmp_path: Path) -> None:
    path = findings_workbook(tmp_path / "w.iiv", focus=5, other=4, unplaced=2, dated=False)
    with Workbook.read(path) as wb:
        findings = check(wb, 1).points[-1]
    # The sources have no date: met, but could be stronger, naming the findings.
    assert findings.state == STRONGER and findings.field == "source_date"
    assert findings.notes[0].startswith("Source without a date: finding 1, 2, 3, 4, 5.")


def test_five_sourced_findings_and_one_without_a_source_could_be_stronger_naming_it(tmp_path: Path) -> None:
    path = findings_workbook(tmp_path / "w.iiv", focus=5, other=0)
    with Workbook.open(path) as wb:
        wb.add(Finding(claim="An unsourced lab claim.", organisation_id=1))
    with Workbook.read(path) as wb:
        findings = check(wb, 1).points[-1]
    assert (findings.state, findings.record, findings.field) == (STRONGER, "finding 6", "source_title")
    assert findings.hint == HINTS["source"]
    assert findings.notes[0] == f"Without a source: finding 6. {HINTS['source']}"


def test_a_letter_that_is_not_ready_is_written_but_not_ready(tmp_path: Path) -> None:
    with Workbook.open(copy(tmp_path)) as wb:
        coming = next(i for i in wb.all(Interview) if i.keywords)
        wb.update(coming.model_copy(update={"invitation_text": "Hi, can we talk?"}))
        fb = check(wb, 3)
    assert verdicts(fb) == {**ALL_MET[3], "invitation_ready": NOT_MET}
    ready = fb.points[1]
    assert ready.field == "invitation_text" and ready.hint == HINTS["letter/check"]
    assert ready.notes and all(n.startswith("The introduction letter ") for n in ready.notes)
    assert fb.status == IN_PROGRESS and fb.progress == "4 of 5 parts met"


def test_no_interview_means_no_letter_part_is_met(tmp_path: Path) -> None:
    with Workbook.open(copy(tmp_path, "empty")) as wb:
        wb.add(Contact(name="Pat Plain"))
        fb = check(wb, 3)
    assert {p.state for p in fb.points} == {NOT_MET}
    assert {p.hint for p in fb.points} == {HINTS["interview/letters"]}


def test_a_short_vision_could_be_stronger_and_the_exercise_is_still_complete(tmp_path: Path) -> None:
    with Workbook.open(copy(tmp_path)) as wb:
        wb.update(wb.profile().model_copy(update={"career_vision": "Evaluation work."}))
        fb = check(wb, 1)
    assert verdicts(fb) == {**ALL_MET[1], "vision": STRONGER}
    assert fb.status == COMPLETE and fb.progress == "8 of 8 parts met"
    assert "could be stronger" in fb.text()


def test_a_plan_with_no_springboard_question_fails_only_that_part(tmp_path: Path) -> None:
    with Workbook.open(copy(tmp_path)) as wb:
        for f in wb.all(Finding, to_test=True):
            wb.update(f.model_copy(update={"to_test": False}))
        for i in wb.all(Interview):
            save_plan(wb, i.id, plan(wb, i.contact_id))
        fb = check(wb, 2)
    assert verdicts(fb)["springboard"] == NOT_MET and verdicts(fb)["to_test"] == NOT_MET
    assert "springs from a finding" in fb.points[-1].message


# -- the README and the pages say the same ---------------------------------------------------------


def test_the_readme_lists_the_rubric_the_code_uses() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count("### Exercise rubric") == 1
    assert rubric_text() in readme, "run `python -m iivkit.course.rubric` and paste it into the README"
    for n, parts in RUBRIC.items():
        for k, p in enumerate(parts, 1):
            assert f"{k}. {p.title}: {p.asks}." in rubric_text()
        assert f"**Exercise {n} · {TITLES[n]}** ({len(parts)} parts)" in rubric_text()


def test_the_feedback_page_shows_each_part_as_a_checklist(
    cases: dict[str, dict[int, ExerciseFeedback]],
) -> None:
    for fb in cases["partial"].values():
        page = course_html.feedback_html(fb)
        assert page.count("<li><span class=") == len(RUBRIC[fb.number])
        for p in fb.points:
            assert f"<b>{p.title}</b>" in page
            assert f'class="iiv-{p.state.replace(" ", "-")}">&nbsp;{p.mark} {p.state}&nbsp;' in page


# -- a synthetic class of 30 ------------------------------------------------------------------------

FINDING = st.fixed_dictionaries(
    {
        "about": st.sampled_from(["focus", "other", "none"]),
        "sourced": st.booleans(),
        "dated": st.booleans(),
        "to_test": st.booleans(),
    }
)
STUDENT = st.fixed_dictionaries(
    {
        "vision": st.sampled_from(["", "Something in data.", VISION]),
        "targets": st.booleans(),
        "org_fields": st.none() | st.sets(st.sampled_from(["divisions", "locations", "job_kinds"])),
        "findings": st.lists(FINDING, max_size=7),
        "generalist": st.booleans(),
        "specialist": st.booleans(),
        "plans": st.booleans(),
        "letters": st.sampled_from(["none", "invitation", "both"]),
        "keywords": st.booleans(),
        "held": st.sampled_from(["", "done", "debriefed"]),
        "outcomes": st.lists(st.sampled_from(["confirmed", "refuted", "mixed", "not_discussed"]), max_size=3),
        "questions": st.lists(st.booleans(), max_size=2),
        "next_questions": st.booleans(),
    }
)


def build_student(path: Path, s: dict[str, Any]) -> None:
    """A workbook with the records *s* draws, through the public API."""
    with Workbook.create(path) as wb, wb.transaction():
        if s["vision"] or s["targets"]:
            targets = "Health Lab evaluates what I care about." if s["targets"] else ""
            wb.add(Profile(name="A Student", career_vision=s["vision"], vision_and_targets=targets))
        focus = None
        if s["org_fields"] is not None:
            fields = {f: ["Something"] for f in s["org_fields"]}
            focus = wb.add(Organisation(name="Health Lab", main_business="Evaluations.", **fields))
        other = (
            wb.add(Organisation(name="Acme Bank"))
            if any(f["about"] == "other" for f in s["findings"])
            else None
        )
        findings = []
        for n, f in enumerate(s["findings"]):
            org = {"focus": focus, "other": other, "none": None}[f["about"]]
            findings.append(
                wb.add(
                    Finding(
                        claim=f"Claim {n}.",
                        organisation_id=org.id if org else None,
                        source_title="Report" if f["sourced"] else "",
                        source_date=dt.date(2025, 1, 1) if f["dated"] else None,
                        to_test=f["to_test"],
                    )
                )
            )
        people = []
        if s["generalist"]:
            people.append(wb.add(Contact(name="Gen Eral", seniority="senior", focus_area="general")))
        if s["specialist"]:
            people.append(wb.add(Contact(name="Tech Lead", focus_area="technology")))
        if not people and (s["held"] or s["letters"] != "none"):
            people.append(wb.add(Contact(name="Pat Plain")))
        interviews = [
            wb.add(Interview(contact_id=c.id, status=s["held"] if n == 0 and s["held"] else "planned"))
            for n, c in enumerate(people)
        ]
        for c, i in zip(people, interviews, strict=True):
            if s["plans"]:
                save_plan(wb, i.id, plan(wb, c.id))
        if interviews:
            first = interviews[0]
            texts = {
                "invitation_text": "Dear Gen, may we talk?" if s["letters"] != "none" else "",
                "confirmation_text": "See you then." if s["letters"] == "both" else "",
                "keywords": ["hiring"] if s["keywords"] else [],
                "next_questions": "Ask about tools." if s["next_questions"] else "",
            }
            wb.update(wb.get(Interview, first.id).model_copy(update=texts))
            for f, outcome in zip(findings, s["outcomes"], strict=False):
                wb.add(
                    FindingOutcome(interview_id=first.id, finding_id=f.id, outcome=outcome, note="Said so.")
                )
            for routed in s["questions"]:
                how = "Ask the data lead." if routed else ""
                wb.add(OpenQuestion(interview_id=first.id, text="What next?", how_to_answer=how))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(students=st.lists(STUDENT, min_size=30, max_size=30))
def test_a_class_of_30_has_the_same_parts_and_the_summary_adds_up(
    tmp_path_factory: pytest.TempPathFactory, students: list[dict[str, Any]]
) -> None:
    root = tmp_path_factory.mktemp("class30")
    for n, s in enumerate(students):
        (root / f"s{n:02}").mkdir()
        build_student(root / f"s{n:02}" / "workbook.iiv", s)
    summary = class_summary(root, today=TODAY)
    assert len(summary.students) == 30
    for r in summary.students:
        assert [f.number for f in r.feedback] == list(RUBRIC)
        for fb in r.feedback:
            assert [p.part for p in fb.points] == [p.key for p in RUBRIC[fb.number]], r.student
            assert fb.progress.endswith(f" of {len(RUBRIC[fb.number])} parts met")
            assert (fb.status == COMPLETE) == all(p.state != NOT_MET for p in fb.points)
    counts = summary.part_counts()
    assert len(counts) == sum(len(parts) for parts in RUBRIC.values())
    assert ((counts[MET] + counts[NOT_MET]) == 30).all()
    assert (counts[STRONGER] <= counts[MET]).all()
    table = summary.table()
    for n, parts in RUBRIC.items():
        by_part = summary.parts(n)
        assert list(by_part.columns) == [p.title for p in parts] and len(by_part) == 30
        met = by_part.isin([MET, STRONGER]).sum(axis=1)
        assert met.tolist() == table[f"exercise_{n}_met"].astype(int).tolist()
        assert counts[counts["exercise"] == n][MET].tolist() == by_part.isin([MET, STRONGER]).sum().tolist()
    page = course_html.parts_html(summary)
    assert page.count("<caption>") == len(RUBRIC)
    for row in counts.itertuples():
        assert f"<td>{row.met} of 30" in page
    shutil.rmtree(root)


# -- the class run makes every page again when the rubric changes -------------------------------


def test_a_new_rubric_makes_every_page_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from iivkit.batch.runner import FakeRunner
    from iivkit.course import rubric
    from iivkit.course.run import OK, UP_TO_DATE, course_report

    root = tmp_path / "class"
    for name, build in BUILDERS.items():
        (root / name).mkdir(parents=True)
        build(root / name / "workbook.iiv")
    out = tmp_path / "out"

    def run() -> dict[str, str]:
        done = course_report(root, out, runner=FakeRunner(), today=TODAY, progress=False)
        return {r.student: r.status for r in done.rows} | {"index": done.summary_status}

    assert set(run().values()) == {OK}
    assert set(run().values()) == {UP_TO_DATE}
    monkeypatch.setattr(rubric, "RUBRIC_VERSION", rubric.RUBRIC_VERSION + "-next")
    assert set(run().values()) == {OK}, "pages judged by the old rubric are made again"
