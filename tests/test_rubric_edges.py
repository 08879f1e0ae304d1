"""The rubric's verdicts at their edges, word for word: each part's verdict, message, where and
hint for the three workbooks of ``exercise_helpers``, and for students at each boundary (exactly
the number a part asks for, and one short), with nothing, with findings tested twice, mixed or
refuted. Fast tests of :func:`~iivkit.course.exercises.check`, one exercise at a time.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from exercise_helpers import GENERALIST, SPECIALIST, VISION, build_complete, build_empty, build_partial

from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Profile,
    Workbook,
)
from iivkit.course.exercises import HINTS, check
from iivkit.course.feedback import ExerciseFeedback
from iivkit.course.rubric import MET, NOT_MET, STRONGER
from iivkit.errors import DamagedRecordWarning
from iivkit.method.planner import plan, save_plan

KEYS = {text: key for key, text in HINTS.items()}


def lines(fb: ExerciseFeedback) -> list[str]:
    """Each point as ``part: verdict · message · where · hint · notes``, hints by their key.

    Every piece of a point is text, never None: the pages and the saved assessment rely on it.
    """
    for p in fb.points:
        assert all(isinstance(v, str) for v in (p.message, p.record, p.field, p.hint, *p.notes)), p

    def short(text: str) -> str:
        for key, hint in HINTS.items():
            text = text.replace(hint, "{" + key + "}")
        return text

    return [
        f"{p.part}: {p.state} · {p.message} · {p.where} · {KEYS.get(p.hint, p.hint)}"
        + "".join(f" · {short(n)}" for n in p.notes)
        for p in fb.points
    ]


def point(fb: ExerciseFeedback, part: str) -> str:
    (found,) = [line for line in lines(fb) if line.startswith(f"{part}: ")]
    return found


# -- the three workbooks, word for word --------------------------------------------------------------

NO_ORGANISATION = "as no organisation is recorded yet"
WORKBOOKS: dict[str, dict[int, list[str]]] = {
    "empty": {
        1: [
            "vision: not met · There is no career vision yet. · your profile, field 'career_vision' · "
            "career_vision",
            "vision_and_targets: not met · You have not yet said how your vision relates to the "
            "organisations "
            "you target. · your profile, field 'vision_and_targets' · vision_and_targets",
            "organisation: not met · No organisation is recorded yet. · organisations, field 'name' · "
            "organisation",
            f"main_business: not met · Its main business: not noted, {NO_ORGANISATION}. · organisations, "
            "field 'main_business' · organisation",
            f"divisions: not met · Its divisions: not noted, {NO_ORGANISATION}. · organisations, "
            "field 'divisions' · organisation",
            f"locations: not met · Where it is: not noted, {NO_ORGANISATION}. · organisations, "
            "field 'locations' · organisation",
            f"job_kinds: not met · The kinds of jobs it has: not noted, {NO_ORGANISATION}. · organisations, "
            "field 'job_kinds' · organisation",
            "findings: not met · No findings about an organisation yet, as none is recorded. · "
            "organisations, "
            "field 'name' · organisation",
        ],
        2: [
            "to_test: not met · 0 findings marked to test; pick at least 2. · findings, field 'to_test' · "
            "to_test",
            "generalist: not met · None of your contacts is a senior generalist yet. · contacts, "
            "field 'seniority' · generalist",
            "generalist_plan: not met · No plan yet: there is no senior generalist to plan for. · contacts, "
            "field 'seniority' · generalist",
            "specialist: not met · None of your contacts is a technology specialist yet. · contacts, "
            "field 'focus_area' · specialist",
            "specialist_plan: not met · No plan yet: there is no technology specialist to plan for. · "
            "contacts, "
            "field 'focus_area' · specialist",
            "springboard: not met · No plan is saved yet, so no question springs from a finding. · "
            "interviews, "
            "field 'planned questions' · springboard",
        ],
        3: [
            "invitation: not met · There is no interview yet, so no introduction letter. · interviews · "
            "interview/letters",
            "invitation_ready: not met · There is no interview yet, so no introduction letter to check. · "
            "interviews · interview/letters",
            "keywords: not met · There is no interview yet, so no keywords. · interviews · interview/letters",
            "confirmation: not met · There is no interview yet, so no confirmation email. · interviews · "
            "interview/letters",
            "confirmation_ready: not met · There is no interview yet, so no confirmation email to check. · "
            "interviews · interview/letters",
        ],
        4: [
            f"{part}: not met · No interview has taken place yet, so there is nothing to debrief. · "
            "interviews, "
            "field 'status' · interview/held"
            for part in ("outcomes", "open_questions", "how_to_answer", "next_questions", "debriefed")
        ],
    },
    "partial": {
        1: [
            "vision: could be stronger · Your career vision is written, but short (3 words). · your profile, "
            "field 'career_vision' · career_vision/short",
            "vision_and_targets: not met · You have not yet said how your vision relates to the "
            "organisations "
            "you target. · your profile, field 'vision_and_targets' · vision_and_targets",
            "organisation: met · You are researching Metro Transit. ·  · ",
            "main_business: met · You noted its main business. ·  · ",
            "divisions: not met · Its divisions: not noted yet. · organisation 1 (Metro Transit), "
            "field 'divisions' · divisions",
            "locations: not met · Where it is: not noted yet. · organisation 1 (Metro Transit), "
            "field 'locations' · locations",
            "job_kinds: not met · The kinds of jobs it has: not noted yet. · organisation 1 (Metro Transit), "
            "field 'job_kinds' · job_kinds",
            "findings: not met · 2 of your 3 findings about Metro Transit have a source; the exercise asks "
            "for 5. · findings about organisation 1 (Metro Transit) · findings · Without a source: finding "
            "1. {source} · Source without a date: finding 2. {source_date}",
        ],
        2: [
            "to_test: not met · 1 finding marked to test; pick at least 2. · findings, field 'to_test' · "
            "to_test",
            "generalist: met · Mo Senior is your senior generalist. ·  · ",
            "generalist_plan: not met · A plan of 1 question is saved for Mo Senior, but it is not yet "
            "fitted to a senior generalist. · interview 1 with Mo Senior, field 'planned questions' · "
            "tailor/generalist"
            " · No salary question: offer the salary range you found and ask if it is realistic. {gap/salary}"
            " · No question asking for a candid read of your chances. {gap/chances}"
            " · TIARA: nothing yet on trends (where the field is going), insights (how things really work), "
            "advice (what they would do in your place), resources (people, courses, places to look) and "
            "assignments (a small task to try). {gap/tiara}"
            " · The plan does not end by asking “Who else should I talk to?” {gap/closing}"
            " · No question on: rapport and background; organisation; role and day-to-day; requirements; "
            "career: salary, environment, chances; application: CV, cover letter, job titles; opportunities: "
            "ways in, volunteering, learning; closing. {categories}",
            "specialist: not met · None of your contacts is a technology specialist yet. · contacts, "
            "field 'focus_area' · specialist",
            "specialist_plan: not met · No plan yet: there is no technology specialist to plan for. · "
            "contacts, "
            "field 'focus_area' · specialist",
            "springboard: met · 1 question springs from your findings. ·  · ",
        ],
        3: [
            "invitation: met · The introduction letter is written (5 words). ·  · ",
            "invitation_ready: not met · The introduction letter is not ready to send yet: the letter check "
            "found 9 things to fix. · interview 1 with Mo Senior, field 'invitation_text' · letter/check"
            " · The introduction letter has a problem: no address to send it to: fill in the contact's email "
            "address (contact 1 (Mo Senior), field 'email')."
            " · The introduction letter does not mention who you are (your name). {letter/mention}"
            " · The introduction letter needs your current qualification, but it is empty: fill in your "
            "current qualification (your profile, field 'current_qualification')."
            " · The introduction letter does not mention why you are interested. {letter/mention}"
            " · The introduction letter does not mention what you know about the organisation. "
            "{letter/mention}"
            " · The introduction letter does not mention the purpose of the interview. {letter/mention}"
            " · The introduction letter does not mention how it helps your career development. "
            "{letter/mention}"
            " · The introduction letter needs the careers that interest you, but it is empty: fill in the "
            "careers that interest you (your profile, field 'target_roles' or 'careers_of_interest')."
            " · The introduction letter does not mention the research you will share and confirm. "
            "{letter/mention}",
            "keywords: not met · No keywords listed for the meeting. · interview 1 with Mo Senior, "
            "field 'keywords' · keywords",
            "confirmation: not met · The confirmation email is not written and saved yet. · interview 1 with "
            "Mo Senior, field 'confirmation_text' · letter",
            "confirmation_ready: not met · The confirmation email cannot be checked until it is saved. · "
            "interview 1 with Mo Senior, field 'confirmation_text' · letter",
        ],
        4: [
            "outcomes: not met · No outcome yet for the findings you tested (finding 1). · interview 1 with "
            "Mo Senior, field 'finding outcomes' · outcomes",
            "open_questions: met · 1 open question written down. ·  · ",
            "how_to_answer: not met · 1 open question without a way to answer it. · open question 1, "
            "field 'how_to_answer' · how_to_answer",
            "next_questions: not met · What to ask next time is not noted yet. · interview 1 with Mo Senior, "
            "field 'next_questions' · next_questions",
            "debriefed: not met · The interview is not marked debriefed yet. · interview 1 with Mo Senior, "
            "field 'status' · debriefed · No thank-you note yet. {thank_you} · Nothing noted about salary, "
            "the work environment or your chances. {career_info}",
        ],
    },
    "complete": {
        1: [
            "vision: met · Your career vision is written (35 words). ·  · ",
            "vision_and_targets: met · You said how your vision relates to your target organisations. ·  · ",
            "organisation: met · You are researching Health Lab. ·  · ",
            "main_business: met · You noted its main business. ·  · ",
            "divisions: met · You noted its divisions. ·  · ",
            "locations: met · You noted where it is. ·  · ",
            "job_kinds: met · You noted the kinds of jobs it has. ·  · ",
            "findings: met · You have 5 findings about Health Lab with a source. ·  · ",
        ],
        3: [
            "invitation: met · The introduction letter is written (247 words). ·  · ",
            "invitation_ready: met · The introduction letter passes the letter check: it is ready to send. "
            "·  · ",
            "keywords: met · Keywords to cover: data platform, R, junior analysts. ·  · ",
            "confirmation: met · The confirmation email is written (86 words). ·  · ",
            "confirmation_ready: met · The confirmation email passes the letter check: it is ready to send. "
            "·  · ",
        ],
        4: [
            "outcomes: met · Outcomes recorded for 3 findings: 3 confirmed. ·  · ",
            "open_questions: met · 1 open question written down. ·  · ",
            "how_to_answer: met · Each open question says how you could get it answered. ·  · ",
            "next_questions: met · You noted what to ask in your next interviews. ·  · ",
            "debriefed: met · The interview is marked debriefed, and you thanked them. ·  · ",
        ],
    },
}
SUBJECTS = {
    "empty": {1: "", 2: "no senior generalist yet and no technology specialist yet", 3: "", 4: ""},
    "partial": {
        1: "organisation 1 (Metro Transit)",
        2: "Mo Senior and no technology specialist yet",
        3: "interview 1 with Mo Senior",
        4: "interview 1 with Mo Senior",
    },
    "complete": {
        1: "organisation 1 (Health Lab)",
        3: "interview 2 with Linus Byte",
        4: "interview 1 with Grace Hopper",
    },
}
BUILDERS: dict[str, Callable[[Path], Path]] = {
    "complete": build_complete,
    "partial": build_partial,
    "empty": build_empty,
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("edges")
    return {name: build(folder / f"{name}.iiv") for name, build in BUILDERS.items()}


@pytest.mark.parametrize(
    ("case", "exercise"), [(case, n) for case, found in WORKBOOKS.items() for n in found]
)
def test_each_part_reads_as_the_student_will_see_it(built: dict[str, Path], case: str, exercise: int) -> None:
    with Workbook.read(built[case]) as wb:
        fb = check(wb, exercise)
    assert lines(fb) == WORKBOOKS[case][exercise]
    assert fb.subject == SUBJECTS[case][exercise]


def test_the_complete_plans_could_be_stronger_naming_what_the_plan_check_found(
    built: dict[str, Path],
) -> None:
    with Workbook.read(built["complete"]) as wb:
        fb = check(wb, 2)
    assert fb.subject == f"{GENERALIST} and {SPECIALIST}"
    assert lines(fb)[:2] == [
        "to_test: met · 3 findings marked to test in interviews. ·  · ",
        f"generalist: met · {GENERALIST} is your senior generalist. ·  · ",
    ]
    assert point(fb, "generalist_plan").startswith(
        f"generalist_plan: could be stronger · A plan of 11 questions is saved for {GENERALIST}; it asks "
        f"about broad strategy, which fits a senior generalist. · interview 1 with {GENERALIST}, "
        "field 'planned questions' · plan/gaps · "
    )
    assert point(fb, "specialist_plan").startswith(
        f"specialist_plan: could be stronger · A plan of 10 questions is saved for {SPECIALIST}; it asks "
        f"about their technology work, which fits a technology specialist. · interview 2 with {SPECIALIST}, "
        "field 'planned questions' · plan/gaps · "
    )
    assert point(fb, "springboard") == "springboard: met · 6 questions spring from your findings. ·  · "


# -- exercise 1 at its edges ----------------------------------------------------------------------------


def research(
    path: Path,
    *,
    vision: str = VISION,
    targets: str = "Health Lab evaluates what I care about.",
    organisations: bool = True,
    findings: list[dict[str, object]] | None = None,
) -> Path:
    """A workbook for exercise 1: a profile, Health Lab with every field, and *findings* about it."""
    with Workbook.create(path) as wb, wb.transaction():
        wb.add(Profile(name="Ada", career_vision=vision, vision_and_targets=targets))
        if organisations:
            lab = wb.add(
                Organisation(
                    name="Health Lab",
                    main_business="Evaluations.",
                    divisions=["Data"],
                    locations=["Durban"],
                    job_kinds=["Analyst"],
                )
            )
            for n, fields in enumerate(findings or [], 1):
                wb.add(Finding(claim=f"Claim {n}.", organisation_id=lab.id, **fields))
    return path


DATED: dict[str, object] = {"source_title": "Report", "source_date": dt.date(2025, 6, 1)}


def research_check(tmp_path: Path, **kwargs: Any) -> ExerciseFeedback:
    with Workbook.read(research(tmp_path / "w.iiv", **kwargs)) as wb:
        return check(wb, 1)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (25, "vision: met · Your career vision is written (25 words). ·  · "),
        (
            24,
            "vision: could be stronger · Your career vision is written, but short (24 words). · your "
            "profile, "
            "field 'career_vision' · career_vision/short",
        ),
        (
            1,
            "vision: could be stronger · Your career vision is written, but short (1 word). · your profile, "
            "field 'career_vision' · career_vision/short",
        ),
    ],
    ids=["exactly-25-words", "one-short", "one-word"],
)
def test_a_vision_of_25_words_is_met_and_a_shorter_one_could_be_stronger(
    tmp_path: Path, count: int, expected: str
) -> None:
    fb = research_check(tmp_path, vision=" ".join(["word"] * count))
    assert point(fb, "vision") == expected


def test_a_vision_of_spaces_only_is_not_there(tmp_path: Path) -> None:
    fb = research_check(tmp_path, vision="   ", targets="   ")
    assert point(fb, "vision").startswith("vision: not met · There is no career vision yet.")
    assert point(fb, "vision_and_targets").startswith("vision_and_targets: not met · You have not yet said")


def test_targets_that_name_none_of_the_organisations_could_be_stronger(tmp_path: Path) -> None:
    fb = research_check(tmp_path, targets="Places that evaluate programmes.")
    assert point(fb, "vision_and_targets") == (
        "vision_and_targets: could be stronger · You said how your vision relates to your targets, but named "
        "none of the organisations. · your profile, field 'vision_and_targets' · vision_and_targets/unnamed"
    )


def test_targets_are_met_when_there_is_no_organisation_yet_to_name(tmp_path: Path) -> None:
    fb = research_check(tmp_path, targets="Places that evaluate programmes.", organisations=False)
    assert point(fb, "vision_and_targets") == (
        "vision_and_targets: met · You said how your vision relates to your target organisations. ·  · "
    )


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([DATED] * 5, "findings: met · You have 5 findings about Health Lab with a source. ·  · "),
        (
            [DATED] * 4,
            "findings: not met · 4 findings about Health Lab have a source; the exercise asks for 5. · "
            "findings about organisation 1 (Health Lab) · findings",
        ),
        (
            [DATED],
            "findings: not met · 1 finding about Health Lab has a source; the exercise asks for 5. · "
            "findings about organisation 1 (Health Lab) · findings",
        ),
        (
            [{}],
            "findings: not met · 0 of your 1 finding about Health Lab have a source; the exercise asks "
            "for 5. · findings about organisation 1 (Health Lab) · findings · Without a source: finding 1. "
            "{source}",
        ),
        (
            [DATED, {}],
            "findings: not met · 1 of your 2 findings about Health Lab have a source; the exercise asks "
            "for 5. · findings about organisation 1 (Health Lab) · findings · Without a source: finding 2. "
            "{source}",
        ),
        (
            [DATED] * 4 + [{}],
            "findings: not met · 4 of your 5 findings about Health Lab have a source; the exercise asks for "
            "5. · finding 5, field 'source_title' · source · Without a source: finding 5. {source}",
        ),
        (
            [{"source_link": "https://lab.example.org", "source_date": dt.date(2025, 1, 1)}] * 3
            + [{"source_author": "Lab", "source_date": dt.date(2025, 1, 1)}] * 2,
            "findings: met · You have 5 findings about Health Lab with a source. ·  · ",
        ),
        (
            [DATED] * 4 + [{"source_title": "Undated"}, {}],
            "findings: could be stronger · You have 5 findings about Health Lab with a source. · finding 6, "
            "field 'source_title' · source · Without a source: finding 6. {source} · Source without a date: "
            "finding 5. {source_date}",
        ),
        (
            [DATED] * 3 + [{"source_title": "Undated"}] * 2,
            "findings: could be stronger · You have 5 findings about Health Lab with a source. · finding 4, "
            "5, field 'source_date' · source_date · Source without a date: finding 4, 5. {source_date}",
        ),
    ],
    ids=[
        "exactly-five",
        "one-short",
        "one",
        "one-unsourced",
        "one-of-two",
        "five-one-unsourced",
        "link-or-author-is-a-source",
        "five-one-undated-one-unsourced",
        "five-two-undated",
    ],
)
def test_five_sourced_findings_are_met_and_four_are_one_short(
    tmp_path: Path, findings: list[dict[str, object]], expected: str
) -> None:
    fb = research_check(tmp_path, findings=findings)
    assert point(fb, "findings") == expected


def test_findings_naming_no_organisation_are_listed_for_the_student_to_place(tmp_path: Path) -> None:
    path = research(tmp_path / "w.iiv", findings=[DATED])
    with Workbook.open(path) as wb:
        wb.add(Finding(claim="Loose one.", source_title="Post"))
        wb.add(Finding(claim="Loose two.", source_title="Post"))
    with Workbook.read(path) as wb:
        fb = check(wb, 1)
    assert point(fb, "findings").endswith(
        " · 2 findings name no organisation (finding 2, 3): if any is about Health Lab, choose it in its "
        "Organisation field."
    )


# -- exercise 2 at its edges ----------------------------------------------------------------------------


def people(path: Path, *, marked: int = 2) -> Path:
    """A senior generalist and a technology specialist, each with an interview and no plan yet."""
    with Workbook.create(path) as wb, wb.transaction():
        for n in range(1, 4):
            wb.add(Finding(claim=f"Claim {n}.", to_test=n <= marked))
        gen = wb.add(Contact(name="Gen Eral", seniority="very_senior", focus_area="general"))
        tech = wb.add(Contact(name="Tech Lead", seniority="junior", focus_area="technology"))
        for c in (gen, tech):
            wb.add(Interview(contact_id=c.id, status="planned"))
    return path


def ask(wb: Workbook, interview: int, *questions: tuple[str, int | None]) -> None:
    for n, (text, finding) in enumerate(questions):
        wb.add(
            PlannedQuestion(
                interview_id=interview, category="role", text=text, position=n, finding_id=finding
            )
        )


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        (2, "to_test: met · 2 findings marked to test in interviews. ·  · "),
        (
            1,
            "to_test: not met · 1 finding marked to test; pick at least 2. · findings, field 'to_test' · "
            "to_test",
        ),
    ],
    ids=["exactly-two", "one-short"],
)
def test_two_findings_marked_to_test_are_met_and_one_is_one_short(
    tmp_path: Path, marked: int, expected: str
) -> None:
    with Workbook.read(people(tmp_path / "w.iiv", marked=marked)) as wb:
        assert point(check(wb, 2), "to_test") == expected


def test_people_without_a_plan_are_met_and_their_plans_are_not(tmp_path: Path) -> None:
    with Workbook.read(people(tmp_path / "w.iiv")) as wb:
        fb = check(wb, 2)
    assert fb.subject == "Gen Eral and Tech Lead"
    assert lines(fb)[1:] == [
        "generalist: met · Gen Eral is your senior generalist. ·  · ",
        "generalist_plan: not met · No question plan is saved for Gen Eral yet. · contact 1 (Gen Eral) · "
        "plan",
        "specialist: met · Tech Lead is your technology specialist. ·  · ",
        "specialist_plan: not met · No question plan is saved for Tech Lead yet. · contact 2 (Tech Lead) · "
        "plan",
        "springboard: not met · No plan is saved yet, so no question springs from a finding. · interviews, "
        "field 'planned questions' · springboard",
    ]


def test_a_plan_saved_for_one_person_is_not_the_other_s(tmp_path: Path) -> None:
    path = people(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        ask(wb, 2, ("Which technology do juniors learn first?", 1))
    with Workbook.read(path) as wb:
        fb = check(wb, 2)
    assert point(fb, "generalist_plan") == (
        "generalist_plan: not met · No question plan is saved for Gen Eral yet. · contact 1 (Gen Eral) · plan"
    )
    assert point(fb, "springboard") == "springboard: met · 1 question springs from your findings. ·  · "


def test_a_plan_is_fitted_by_its_words_strategy_for_the_generalist_technology_for_the_specialist(
    tmp_path: Path,
) -> None:
    path = people(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        ask(wb, 1, ("Where is the sector's strategy heading?", 1))
        ask(wb, 2, ("Which technology do juniors learn first?", None))
    with Workbook.read(path) as wb:
        fb = check(wb, 2)
    assert {p.part: p.state for p in fb.points} == {
        "to_test": MET,
        "generalist": MET,
        "generalist_plan": STRONGER,
        "specialist": MET,
        "specialist_plan": STRONGER,
        "springboard": NOT_MET,
    }
    assert point(fb, "generalist_plan").startswith(
        "generalist_plan: could be stronger · A plan of 1 question is saved for Gen Eral; it asks about "
        "broad strategy, which fits a senior generalist. · interview 1 with Gen Eral, field 'planned "
        "questions' · plan/gaps · "
    )
    assert point(fb, "springboard") == (
        "springboard: not met · None of the questions for Tech Lead springs from a finding. · interview 2 "
        "with Tech Lead, field 'planned questions' · springboard"
    )


def test_a_plan_without_those_words_is_not_fitted_to_either(tmp_path: Path) -> None:
    path = people(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        ask(wb, 1, ("What does a typical day look like?", None))
        ask(wb, 2, ("What does a typical day look like?", None), ("And the team?", None))
    with Workbook.read(path) as wb:
        fb = check(wb, 2)
    assert point(fb, "generalist_plan").startswith(
        "generalist_plan: not met · A plan of 1 question is saved for Gen Eral, but it is not yet fitted to "
        "a senior generalist. · interview 1 with Gen Eral, field 'planned questions' · tailor/generalist · "
    )
    assert point(fb, "specialist_plan").startswith(
        "specialist_plan: not met · A plan of 2 questions is saved for Tech Lead, but it is not yet fitted "
        "to a technology specialist. · interview 2 with Tech Lead, field 'planned questions' · "
        "tailor/specialist"
    )
    assert point(fb, "springboard") == (
        "springboard: not met · None of the questions for Gen Eral or Tech Lead springs from a finding. · "
        "interview 1 with Gen Eral; interview 2 with Tech Lead, field 'planned questions' · springboard"
    )


def test_springboard_questions_in_both_plans_are_counted_together(tmp_path: Path) -> None:
    path = people(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        ask(wb, 1, ("I read the sector's strategy is changing. True?", 1), ("And hiring?", 2))
        ask(wb, 2, ("I read the technology is new. True?", 1))
    with Workbook.read(path) as wb:
        fb = check(wb, 2)
    assert point(fb, "springboard") == "springboard: met · 3 questions spring from your findings. ·  · "


def test_a_plan_for_someone_who_fits_neither_role_is_not_judged(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "w.iiv") as wb:
        pat = wb.add(Contact(name="Pat Plain", seniority="junior", focus_area="general"))
        wb.add(Interview(contact_id=pat.id, status="planned"))
        ask(wb, 1, ("I read it hires. True?", None))
        fb = check(wb, 2)
    assert [p.state for p in fb.points] == [NOT_MET] * 6


# -- exercise 3 at its edges ----------------------------------------------------------------------------


def test_an_interview_with_keywords_and_no_letters_meets_only_the_keywords(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "w.iiv") as wb:
        pat = wb.add(Contact(name="Pat Plain"))
        wb.add(Interview(contact_id=pat.id, keywords=["tools", "hiring"], invitation_text="  "))
        fb = check(wb, 3)
    where = "interview 1 with Pat Plain"
    assert fb.subject == where
    assert lines(fb) == [
        f"invitation: not met · The introduction letter is not written and saved yet. · {where}, "
        "field 'invitation_text' · letter",
        "invitation_ready: not met · The introduction letter cannot be checked until it is saved. · "
        f"{where}, "
        "field 'invitation_text' · letter",
        "keywords: met · Keywords to cover: tools, hiring. ·  · ",
        f"confirmation: not met · The confirmation email is not written and saved yet. · {where}, "
        "field 'confirmation_text' · letter",
        "confirmation_ready: not met · The confirmation email cannot be checked until it is saved. · "
        f"{where}, "
        "field 'confirmation_text' · letter",
    ]


def test_a_letter_whose_contact_is_damaged_is_saved_but_cannot_be_checked(tmp_path: Path) -> None:
    path = build_complete(tmp_path / "w.iiv")
    conn = sqlite3.connect(path)  # a hand-made workbook, past every check
    conn.execute("UPDATE contacts SET name = name || ? WHERE id = 2", ("\nBcc: evil@x.org",))
    conn.commit()
    conn.close()
    with Workbook.read(path) as wb, pytest.warns(DamagedRecordWarning, match="contact 2 field 'name'"):
        fb = check(wb, 3)
    damaged = "contact 2 field 'name': must be one line: remove the line break ('\\n')"
    where = "interview 2 with contact 2"
    assert lines(fb) == [
        "invitation: met · The introduction letter is written and saved. ·  · ",
        "invitation_ready: not met · The introduction letter cannot be checked, because a record it needs is "
        f"damaged: {damaged}. · {where}, field 'invitation_text' · letter/check",
        "keywords: met · Keywords to cover: data platform, R, junior analysts. ·  · ",
        "confirmation: met · The confirmation email is written and saved. ·  · ",
        "confirmation_ready: not met · The confirmation email cannot be checked, because a record it needs "
        f"is damaged: {damaged}. · {where}, field 'confirmation_text' · letter/check",
    ]


# -- exercise 4 at its edges ----------------------------------------------------------------------------


def held(path: Path, **fields: object) -> Path:
    """One interview held with Bo, three findings, and *fields* on the interview."""
    with Workbook.create(path) as wb, wb.transaction():
        for n in range(1, 4):
            wb.add(Finding(claim=f"Claim {n}.", to_test=True))
        bo = wb.add(Contact(name="Bo"))
        wb.add(Interview(contact_id=bo.id, status="debriefed", next_questions="Ask about tools.", **fields))
    return path


def debrief(path: Path) -> ExerciseFeedback:
    with Workbook.read(path) as wb:
        return check(wb, 4)


WHERE = "interview 1 with Bo"


def test_mixed_and_refuted_outcomes_are_tested_and_each_is_counted(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        for finding, outcome in ((1, "mixed"), (2, "refuted"), (3, "confirmed")):
            wb.add(FindingOutcome(interview_id=1, finding_id=finding, outcome=outcome, note="Said so."))
    assert point(debrief(path), "outcomes") == (
        "outcomes: met · Outcomes recorded for 3 findings: 1 confirmed, 1 refuted, 1 mixed. ·  · "
    )


def test_an_outcome_without_a_note_could_be_stronger_naming_the_finding(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        wb.add(FindingOutcome(interview_id=1, finding_id=1, outcome="refuted", note="No."))
        wb.add(FindingOutcome(interview_id=1, finding_id=2, outcome="mixed", note=" "))
        wb.add(FindingOutcome(interview_id=1, finding_id=3, outcome="not_discussed"))
    assert point(debrief(path), "outcomes") == (
        "outcomes: could be stronger · Outcomes recorded for 3 findings: 1 refuted, 1 mixed, 1 not "
        "discussed. "
        f"· {WHERE}, field 'note' · note · Not discussed, so not tested: finding 3. · Without a note of what "
        "they said: finding 2."
    )


def test_findings_the_plan_tested_without_an_outcome_are_named(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        ask(
            wb,
            1,
            ("I read one. True?", 1),
            ("I read two. True?", 2),
            ("I read three. True?", 3),
            ("Hi?", None),
        )
        wb.add(FindingOutcome(interview_id=1, finding_id=1, outcome="confirmed", note="Yes."))
    assert point(debrief(path), "outcomes") == (
        f"outcomes: not met · No outcome yet for the findings you tested (finding 2, 3). · {WHERE}, "
        "field 'finding outcomes' · outcomes"
    )


def test_an_interview_with_no_plan_and_no_outcome_asks_for_outcomes(tmp_path: Path) -> None:
    fb = debrief(held(tmp_path / "w.iiv"))
    assert point(fb, "outcomes") == (
        f"outcomes: not met · No outcome yet for the findings you tested. · {WHERE}, field 'finding "
        "outcomes' "
        "· outcomes"
    )
    assert point(fb, "open_questions") == (
        f"open_questions: not met · No open questions written down for this interview. · {WHERE}, "
        "field 'open questions' · open_questions"
    )
    assert point(fb, "how_to_answer") == (
        f"how_to_answer: not met · No open questions yet, so none says how to get it answered. · {WHERE}, "
        "field 'open questions' · open_questions"
    )


def test_open_questions_are_routed_by_a_way_to_answer_or_a_person(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        wb.add(OpenQuestion(interview_id=1, text="Who hires?", how_to_answer="Ask HR."))
        wb.add(OpenQuestion(interview_id=1, text="What pays?", suggested_contact_id=1))
    fb = debrief(path)
    assert point(fb, "open_questions") == "open_questions: met · 2 open questions written down. ·  · "
    assert point(fb, "how_to_answer") == (
        "how_to_answer: met · Each open question says how you could get it answered. ·  · "
    )


def test_each_open_question_without_a_way_to_answer_is_named(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        for text in ("Who hires?", "What pays?", "Where next?"):
            wb.add(
                OpenQuestion(interview_id=1, text=text, how_to_answer="  " if text != "What pays?" else "HR")
            )
    assert point(debrief(path), "how_to_answer") == (
        "how_to_answer: not met · 2 open questions without a way to answer it. · open question 1, 3, "
        "field 'how_to_answer' · how_to_answer"
    )


def test_next_questions_of_spaces_only_are_not_noted(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        wb.update(wb.get(Interview, 1).model_copy(update={"next_questions": "  "}))
    assert point(debrief(path), "next_questions") == (
        f"next_questions: not met · What to ask next time is not noted yet. · {WHERE}, field "
        "'next_questions' "
        "· next_questions"
    )


@pytest.mark.parametrize(
    ("fields", "notes"),
    [
        ({"thank_you_sent": dt.date(2026, 3, 3), "salary_info": "R25 000."}, ""),
        ({"thank_you_text": "Thank you, Bo.", "environment_info": "Open plan."}, ""),
        ({"thank_you_sent": dt.date(2026, 3, 3), "chances_feedback": "Good."}, ""),
        ({"salary_info": "R25 000."}, " · No thank-you note yet. {thank_you}"),
        (
            {"thank_you_text": "Thank you, Bo."},
            " · Nothing noted about salary, the work environment or your chances. {career_info}",
        ),
    ],
    ids=["sent-and-salary", "written-and-environment", "sent-and-chances", "no-thanks", "nothing-learnt"],
)
def test_a_debriefed_interview_could_be_stronger_without_thanks_or_what_was_learnt(
    tmp_path: Path, fields: dict[str, object], notes: str
) -> None:
    found = point(debrief(held(tmp_path / "w.iiv", **fields)), "debriefed")
    if notes:
        assert found == (
            "debriefed: could be stronger · The interview is marked debriefed. · interview 1 with Bo · "
            f"debriefed/extras{notes}"
        )
    else:
        assert found == "debriefed: met · The interview is marked debriefed, and you thanked them. ·  · "


# -- what the notebook's parameters choose -----------------------------------------------------------


def test_the_people_given_are_the_ones_judged(tmp_path: Path) -> None:
    path = build_complete(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        wb.add(Contact(name="Sam Second", seniority="senior", focus_area="general"))
        wb.add(Contact(name="Tia Third", focus_area="technology"))
    with Workbook.read(path) as wb:
        fb = check(wb, 2, generalist="Sam Second", specialist="Tia Third")
    assert fb.subject == "Sam Second and Tia Third"
    assert lines(fb)[1:5] == [
        "generalist: met · Sam Second is your senior generalist. ·  · ",
        "generalist_plan: not met · No question plan is saved for Sam Second yet. · contact 3 (Sam Second) · "
        "plan",
        "specialist: met · Tia Third is your technology specialist. ·  · ",
        "specialist_plan: not met · No question plan is saved for Tia Third yet. · contact 4 (Tia Third) · "
        "plan",
    ]


def test_the_interview_given_is_the_one_whose_letters_are_judged(built: dict[str, Path]) -> None:
    with Workbook.read(built["complete"]) as wb:
        fb = check(wb, 3, interview=1)
    assert fb.subject == f"interview 1 with {GENERALIST}"
    assert [p.state for p in fb.points] == [NOT_MET] * 5
    assert point(fb, "keywords") == (
        f"keywords: not met · No keywords listed for the meeting. · interview 1 with {GENERALIST}, "
        "field 'keywords' · keywords"
    )


def test_the_interview_given_is_the_one_debriefed(built: dict[str, Path]) -> None:
    with Workbook.read(built["complete"]) as wb:
        fb = check(wb, 4, interview=2)
    assert fb.subject == f"interview 2 with {SPECIALIST}"
    assert point(fb, "debriefed").startswith(
        f"debriefed: not met · The interview is not marked debriefed yet. · interview 2 with {SPECIALIST}, "
        "field 'status' · debriefed"
    )


def test_a_plan_with_time_for_every_category_and_nothing_missing_is_met(tmp_path: Path) -> None:
    path = build_complete(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        wb.update(wb.get(Interview, 1).model_copy(update={"duration_minutes": 60}))
        save_plan(wb, 1, plan(wb, 1, minutes=60))
        fb = check(wb, 2)
    (found,) = [p for p in fb.points if p.part == "generalist_plan"]
    assert (found.state, found.record, found.field, found.hint, found.notes) == (MET, "", "", "", ())
    assert found.message.startswith("A plan of ")
    assert found.message.endswith(
        f" questions is saved for {GENERALIST}; it asks about broad strategy, which fits a senior generalist."
    )


def test_a_name_with_the_word_with_in_it_is_named_whole(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "w.iiv") as wb:
        jo = wb.add(Contact(name="Jo with Co", seniority="senior", focus_area="general"))
        wb.add(Interview(contact_id=jo.id, status="planned"))
        ask(wb, 1, ("Where is the strategy heading?", None))
        fb = check(wb, 2)
    assert point(fb, "springboard") == (
        "springboard: not met · None of the questions for Jo with Co springs from a finding. · interview 1 "
        "with Jo with Co, field 'planned questions' · springboard"
    )


def test_only_the_debriefed_interview_s_own_records_count(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        other = wb.add(Interview(contact_id=1, status="planned"))
        assert other.id is not None
        ask(wb, other.id, ("I read three. True?", 3))
        wb.add(FindingOutcome(interview_id=other.id, finding_id=2, outcome="confirmed", note="Yes."))
        wb.add(OpenQuestion(interview_id=other.id, text="Who hires?", how_to_answer="Ask HR."))
        wb.add(OpenQuestion(text="What pays?", how_to_answer="A report."))
    fb = debrief(path)
    assert fb.subject == WHERE
    assert [line.split(" · ")[:2] for line in lines(fb)[:3]] == [
        ["outcomes: not met", "No outcome yet for the findings you tested."],
        ["open_questions: not met", "No open questions written down for this interview."],
        ["how_to_answer: not met", "No open questions yet, so none says how to get it answered."],
    ]


def test_outcomes_all_not_discussed_mean_nothing_was_tested(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        ask(wb, 1, ("I read one. True?", 1), ("I read two. True?", 2))
        for finding in (1, 2):
            wb.add(FindingOutcome(interview_id=1, finding_id=finding, outcome="not_discussed"))
    assert point(debrief(path), "outcomes") == (
        "outcomes: not met · Every outcome so far is 'not discussed': no finding was tested in this "
        f"interview. · {WHERE}, field 'finding outcomes' · outcomes/tested · Not discussed, so not tested: "
        "finding 1, 2."
    )


def test_a_finding_not_discussed_is_noted_while_another_still_needs_its_outcome(tmp_path: Path) -> None:
    path = held(tmp_path / "w.iiv")
    with Workbook.open(path) as wb:
        ask(wb, 1, ("I read one. True?", 1), ("I read two. True?", 2))
        wb.add(FindingOutcome(interview_id=1, finding_id=1, outcome="not_discussed"))
    assert point(debrief(path), "outcomes") == (
        f"outcomes: not met · No outcome yet for the findings you tested (finding 2). · {WHERE}, "
        "field 'finding outcomes' · outcomes · Not discussed, so not tested: finding 1."
    )
