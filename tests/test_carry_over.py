"""Each interview shapes the next: plans and the guide read the whole workbook.

The workbook is a career changer's, built through the public API: a nurse of twelve years moving
into UX research, three organisations, four contacts from a VP to a recruiter, one debriefed
interview. Every rule of the carry-over is checked on it: open questions and "ask next time"
notes reach the right person, a finding that an interview answered is put to the next person
with what was said, findings about one organisation go only to people there, the questions
follow the user's stage and goal rather than the contact's focus, openers use what the
workbook knows, plans balance TIARA, and the guide shows each finding once with dates written
one way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from personas import PERSONAS

from iivkit.method import language
from iivkit.method.bank import add_question
from iivkit.method.language import with_article
from iivkit.method.planner import Plan, coverage, plan, render_text, save_plan
from iivkit.ui.guide import interview_guide_html
from iivkit.workbook.models import (
    CareerStage,
    Contact,
    Finding,
    FindingOutcome,
    HowFound,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Organisation,
    Outcome,
    Profile,
    Tiara,
)
from iivkit.workbook.store import Workbook

PAY_NOTE = "Mid-level pay in Chicago start-ups is nearer $85k–$105k"
ROUTED = "How do hospitals staff UX research for their clinical systems?"
NOTE_FOR_DANA = "Ask Dana how Brightway chose its new record system."
NOTE_FOR_ALL = "Ask how research findings reach the engineers."


@dataclasses.dataclass
class Nurse:
    wb: Workbook
    kwame: int  # UX research lead at Pulse, interviewed
    dana: int  # VP at Brightway, referred by Kwame
    priya: int  # recruiter at Pulse
    lena: int  # senior UX researcher at Northstar, wrote an article
    pay: int  # sector-wide salary finding, refuted by Kwame
    pulse: int  # finding about Pulse, confirmed by Kwame
    brightway: int  # finding about Brightway
    article: int  # sector-wide finding from Lena's article
    dana_interview: int


@pytest.fixture
def nurse(tmp_path: Path) -> Iterator[Nurse]:
    built = build_nurse(tmp_path / "nurse.iiv")
    yield built
    built.wb.close()


def build_nurse(path: Path) -> Nurse:
    """The career changer's workbook: one interview debriefed, the next one booked."""
    wb = Workbook.create(path)
    wb.add(
        Profile(
            name="Maya Okafor",
            current_qualification="Google UX Design Professional Certificate (in progress)",
            previous_qualifications=["BSN", "RN licence"],
            career_vision="Twelve years as a nurse; I want to do UX research on clinical software.",
            careers_of_interest=["UX research", "Clinical informatics"],
            career_stage=CareerStage.career_changer,
            target_roles=["UX researcher", "Clinical informatics specialist"],
        )
    )
    pulse = wb.add(Organisation(name="Pulse Health", sector="digital health")).id
    brightway = wb.add(Organisation(name="Brightway Hospital", sector="hospitals")).id
    northstar = wb.add(Organisation(name="Northstar Health Tech", sector="health software")).id

    def person(**fields: object) -> int:
        c = wb.add(Contact.model_validate(fields))
        assert c.id is not None
        return c.id

    kwame = person(
        name="Kwame Mensah",
        role="UX Research Lead",
        organisation_id=pulse,
        seniority="senior",
        focus_area="design",
        how_found="professional_network",
        status="interviewed",
    )
    dana = person(
        name="Dana Whitfield",
        role="VP, Clinical Informatics",
        organisation_id=brightway,
        seniority="very_senior",
        focus_area="clinical",
        focus_tags=["patient safety"],
        how_found="referral",
        referred_by_id=kwame,
    )
    priya = person(
        name="Priya Nair",
        role="Talent Acquisition Partner",
        organisation_id=pulse,
        seniority="mid",
        focus_area="hr",
        how_found="organisation_website",
        notes="Worked as an ICU nurse before moving into recruiting.",
    )
    lena = person(
        name="Dr Lena Ortiz",
        role="Senior UX Researcher",
        organisation_id=northstar,
        seniority="senior",
        focus_area="design",
        how_found=HowFound.article_author,
    )

    def finding(claim: str, org: int | None, topic: str, **source: object) -> int:
        f = wb.add(Finding.model_validate({"claim": claim, "organisation_id": org, "topic": topic, **source}))
        assert f.id is not None
        return f.id

    pay = finding(
        "Mid-level UX researchers in Chicago start-ups earn $70k–$80k.",
        None,
        "salaries",
        to_test=True,
        source_title="UX Salary Survey 2026",
    )
    pulse_finding = finding(
        "Pulse Health tests every release with practising nurses.", pulse, "research", to_test=True
    )
    brightway_finding = finding(
        "Brightway Hospital will replace its patient record system in 2027.",
        brightway,
        "systems",
        to_test=True,
    )
    article = finding(
        "Health-tech teams value clinical experience over a UX degree.",
        None,
        "hiring",
        to_test=True,
        source_title="Why clinicians make great researchers",
        source_author="Lena Ortiz",
        source_date=dt.date(2026, 5, 2),
    )
    met = wb.add(
        Interview(
            contact_id=kwame,
            scheduled_at=dt.datetime(2026, 12, 1, 10, 0),
            timezone="America/Chicago",
            status=InterviewStatus.debriefed,
            next_questions=f"- {NOTE_FOR_DANA}\n- {NOTE_FOR_ALL}",
        )
    ).id
    assert met is not None
    wb.add(FindingOutcome(interview_id=met, finding_id=pay, outcome=Outcome.refuted, note=PAY_NOTE))
    wb.add(
        FindingOutcome(
            interview_id=met,
            finding_id=pulse_finding,
            outcome=Outcome.confirmed,
            note="Every sprint, in fact",
        )
    )
    wb.add(OpenQuestion(interview_id=met, text=ROUTED, suggested_contact_id=dana))
    upcoming = wb.add(
        Interview(
            contact_id=dana,
            scheduled_at=dt.datetime(2026, 12, 8, 9, 30),
            timezone="America/Chicago",
            duration_minutes=45,
            status=InterviewStatus.confirmed,
        )
    ).id
    assert upcoming is not None
    return Nurse(wb, kwame, dana, priya, lena, pay, pulse_finding, brightway_finding, article, upcoming)


def _texts(p: Plan) -> list[str]:
    return [i.text for i in p.items]


def _all_plans(n: Nurse, minutes: int = 45) -> list[Plan]:
    return [plan(n.wb, c, minutes) for c in (n.kwame, n.dana, n.priya, n.lena)]


# -- 1. carry-over ------------------------------------------------------------------------------


def test_an_open_question_routed_to_a_contact_is_in_their_plan_and_guide(nurse: Nurse) -> None:
    for minutes in (10, 45):  # whatever the time
        dana = plan(nurse.wb, nurse.dana, minutes)
        item = next(i for i in dana.items if i.text == ROUTED)
        assert item.carried == "open"
        assert "after talking to Kwame Mensah on 1 December" in item.reason
    assert not any(ROUTED in t for t in _texts(plan(nurse.wb, nurse.priya, 45)))
    # The guide shows it before the plan is saved, and after.
    assert html.escape(ROUTED) in interview_guide_html(nurse.wb, nurse.dana_interview)
    save_plan(nurse.wb, nurse.dana_interview, plan(nurse.wb, nurse.dana, 45))
    page = interview_guide_html(nurse.wb, nurse.dana_interview)
    assert html.escape(ROUTED) in page and "not saved yet" not in page


def test_ask_next_time_notes_reach_the_next_plans_and_only_the_person_they_name(nurse: Nurse) -> None:
    dana, priya = plan(nurse.wb, nurse.dana, 60), plan(nurse.wb, nurse.priya, 60)
    named = "Ask how Brightway chose its new record system."
    assert named in _texts(dana) and named not in _texts(priya)
    assert NOTE_FOR_ALL in _texts(dana) and NOTE_FOR_ALL in _texts(priya)
    # Not to the person whose interview it came from: "next time" is for the next people.
    assert NOTE_FOR_ALL not in _texts(plan(nurse.wb, nurse.kwame, 60))
    # A plan without it says so in the coverage check.
    dropped = dataclasses.replace(priya, items=tuple(i for i in priya.items if i.text != NOTE_FOR_ALL))
    assert any(g.kind == "carried" and NOTE_FOR_ALL in g.message for g in coverage(dropped, nurse.wb))


def test_a_refuted_finding_is_put_to_the_next_person_with_what_was_said(nurse: Nurse) -> None:
    item = next(i for i in plan(nurse.wb, nurse.dana, 45).items if i.finding_id == nurse.pay)
    assert item.text.startswith("I read that mid-level UX researchers in Chicago start-ups earn $70k–$80k")
    assert (
        "someone at Pulse Health told me otherwise: mid-level pay in Chicago start-ups is nearer" in item.text
    )
    assert item.text.endswith("?") and "Kwame" not in item.text  # where, not who
    assert "refuted by Kwame Mensah, Pulse Health on 1 December" in item.reason
    assert "people at mid-level" in item.text and "starting out" not in item.text


def test_a_confirmed_finding_says_so_to_someone_at_the_same_organisation(nurse: Nurse) -> None:
    item = next(i for i in plan(nurse.wb, nurse.priya, 45).items if i.finding_id == nurse.pulse)
    assert "and someone at Pulse Health agreed: every sprint, in fact." in item.text


def test_the_guide_shows_each_finding_once_and_what_each_earlier_person_said(nurse: Nurse) -> None:
    page = interview_guide_html(nurse.wb, nurse.dana_interview)
    claim = html.escape("earn $70k–$80k")
    assert page.count(claim) == 1
    assert "Kwame Mensah (Pulse Health, 1 December) disagreed: “" + html.escape(PAY_NOTE) in page
    assert page.count("Health-tech teams value clinical experience over a UX degree") == 1


def test_a_finding_about_one_organisation_goes_only_to_people_there(nurse: Nurse) -> None:
    dana, priya = plan(nurse.wb, nurse.dana, 60), plan(nurse.wb, nurse.priya, 60)
    assert {i.finding_id for i in dana.items if i.finding_id} == {nurse.pay, nurse.brightway, nurse.article}
    assert {i.finding_id for i in priya.items if i.finding_id} == {nurse.pay, nurse.pulse, nurse.article}
    why = {i.finding_id: i.reason for i in priya.items if i.finding_id}
    assert "about Pulse Health, where they work" in why[nurse.pulse]
    assert "a sector-wide finding on salaries that anyone can speak to" in why[nurse.pay]


# -- 2. whose goal -----------------------------------------------------------------------------


STUDENT_WORDS = re.compile(r"internship|studentship|graduate programme|learnership|\bstudents\b", re.I)
ACADEMIC = re.compile(
    r"funded studentships|postgraduate degree or published work|research projects start", re.I
)


def test_a_career_changer_is_not_asked_about_internships_and_research_is_not_academic(nurse: Nurse) -> None:
    for p in _all_plans(nurse, 90):
        assert not STUDENT_WORDS.search(render_text(p)), p.contact_name
        assert not ACADEMIC.search(render_text(p)), p.contact_name
    assert any("another career" in t or "another field" in t for t in _texts(plan(nurse.wb, nurse.priya, 60)))
    # The same contacts, for a student who aims at academic research, do get those questions.
    profile = nurse.wb.profile()
    assert profile is not None
    student = profile.model_copy(
        update={"career_stage": CareerStage.student, "target_roles": ["Research assistant"]}
    )
    nurse.wb.update(student)
    lena = render_text(plan(nurse.wb, nurse.lena, 90))
    assert STUDENT_WORDS.search(lena) and ACADEMIC.search(lena)


def test_the_contacts_focus_is_not_taken_for_the_users_goal(nurse: Nurse) -> None:
    recruiter = plan(nurse.wb, nurse.priya, 120)
    assert not any("labour law" in t for t in _texts(recruiter))
    # Their expertise still shapes the questions about their own work.
    assert any("hr" in i.focus for i in recruiter.items)
    # Someone who does aim at HR is asked it.
    profile = nurse.wb.profile()
    assert profile is not None
    nurse.wb.update(profile.model_copy(update={"target_roles": ["HR business partner"]}))
    assert any("labour law" in t for t in _texts(plan(nurse.wb, nurse.priya, 120)))


def test_the_users_own_focus_tags_match_the_contacts(nurse: Nurse) -> None:
    add_question(
        nurse.wb,
        "How do near-miss reports shape what your team builds?",
        "role",
        focus_tags=["Patient safety"],
    )
    text = "How do near-miss reports shape what your team builds?"
    assert text in _texts(plan(nurse.wb, nurse.dana, 45))  # tagged "patient safety"
    assert text not in _texts(plan(nurse.wb, nurse.priya, 120))


def test_when_time_is_short_the_least_goal_related_questions_go_first(nurse: Nurse) -> None:
    roomy, short = plan(nurse.wb, nurse.priya, 90), plan(nurse.wb, nurse.priya, 30)
    optional = [
        i
        for i in short.items
        if i.finding_id is None
        and not i.carried
        and i.category.value not in ("background", "closing")
        and "specialist's own area" not in i.reason  # the method keeps one, whatever the goal
    ]
    assert optional and all(i.goal >= 1 for i in optional)
    dropped = [i for i in roomy.items if i.text not in _texts(short)]
    assert any(i.goal == 0 for i in dropped)
    assert min(i.goal for i in optional) >= min(i.goal for i in dropped)


def test_why_lines_read_as_english(nurse: Nurse) -> None:
    assert with_article("HR specialist") == "an HR specialist"
    assert with_article("UX researcher") == "a UX researcher"
    assert with_article("MSc") == "an MSc" and with_article("university") == "a university"
    assert with_article("hour") == "an hour" and with_article("analyst") == "an analyst"
    for p in _all_plans(nurse, 90):
        for i in p.items:
            assert not re.search(r"\ba (hr|ux research|[aeiou]\w*)\b", i.reason, re.I), i.reason
            assert not re.search(r"\b(\w+) \1\b", i.reason, re.I), i.reason


# -- 3. personal openers -----------------------------------------------------------------------


def test_openers_use_what_the_workbook_knows(nurse: Nurse) -> None:
    first = {c: plan(nurse.wb, c, 45).items[0] for c in (nurse.dana, nurse.lena, nurse.priya, nurse.kwame)}
    assert first[nurse.dana].text.startswith("Kwame Mensah suggested I talk to you.")
    assert "Kwame Mensah suggested them" in first[nurse.dana].reason
    assert "your article “Why clinicians make great researchers” (2026)" in first[nurse.lena].text
    assert "came to this work from a different path" in first[nurse.priya].text
    assert "ICU nurse" in first[nurse.priya].reason
    # Nothing known: the plain opener about their path.
    assert first[nurse.kwame].reason.startswith("rapport: their own path first")


# -- 4. TIARA ----------------------------------------------------------------------------------


def test_plans_balance_tiara_and_the_coverage_check_names_what_is_missing(nurse: Nurse) -> None:
    roomy = plan(nurse.wb, nurse.dana, 60)
    assert {i.tiara for i in roomy.items} >= set(Tiara)
    assert not [g for g in coverage(roomy, nurse.wb) if g.kind == "tiara"]
    cut = dataclasses.replace(
        roomy, items=tuple(i for i in roomy.items if i.tiara not in (Tiara.resources, Tiara.assignments))
    )
    gap = next(g for g in coverage(cut, nurse.wb) if g.kind == "tiara")
    assert "resources" in gap.message and "assignments" in gap.message and "trends" not in gap.message


# -- 7. the guide's dates ----------------------------------------------------------------------


def test_the_guide_writes_dates_as_letters_do(nurse: Nurse) -> None:
    page = interview_guide_html(nurse.wb, nurse.dana_interview)
    assert "Tuesday 8 December 2026, 09:30" in page
    assert not re.search(
        r"\b0\d (January|February|March|April|May|June|July|August|September|October|November|December)", page
    )


# -- the forms that feed it --------------------------------------------------------------------


def test_the_profile_and_contact_forms_set_the_stage_target_roles_and_focus_tags(nurse: Nurse) -> None:
    from iivkit.ui.forms import RecordForm

    wb = nurse.wb
    profile = RecordForm(wb, Profile)
    profile.fields["career_stage"].value = "student"
    profile.fields["target_roles"].value = ["Research assistant"]
    profile.save_button.click()
    saved = wb.profile()
    assert saved is not None and saved.career_stage is CareerStage.student
    assert saved.target_roles == ["Research assistant"]
    assert STUDENT_WORDS.search(render_text(plan(wb, nurse.lena, 90)))

    add_question(wb, "What does a good handover look like to you?", "role", focus_tags=["handovers"])
    contact = RecordForm(wb, Contact, nurse.priya)
    contact.fields["focus_tags"].value = ["Handovers"]
    contact.save_button.click()
    assert wb.get(Contact, nurse.priya).focus_tags == ["Handovers"]
    assert "What does a good handover look like to you?" in _texts(plan(wb, nurse.priya, 45))


# -- every plan reads as English: the demo, a class of 30, the career changer -------------------


_DOUBLED = re.compile(r"\b(\w+) \1\b", re.I)
_ARTICLE = re.compile(r"\b(an?) ([A-Za-z][\w-]*)")


def _wrong_article(text: str) -> str:
    """The first "a"/"an" that does not fit the sound of the next word ("a HR", "an UX")."""
    for m in _ARTICLE.finditer(text):
        if with_article(m.group(2)).split()[0] != m.group(1):
            return m.group(0)
    return ""


def _plan_problems(p: Plan) -> list[str]:
    problems = []
    for i in p.items:
        for label, text in (("question", i.text), ("why", i.reason)):
            doubled, article = _DOUBLED.search(text), _wrong_article(text)
            if doubled:
                problems.append(f"{p.contact_name}: doubled word {doubled.group(0)!r} in {label}: {text}")
            if article:
                problems.append(f"{p.contact_name}: wrong article {article!r} in {label}: {text}")
            problems += [
                f"{p.contact_name}: {x} in {label}: {text}" for x in language.problems(text, kind="plan")
            ]
        if "{" in i.text or i.text[-1:] not in "?.":
            problems.append(f"{p.contact_name}: unfinished question: {i.text}")
        if "  " in i.text or " ." in i.text or ".." in i.text.replace("…", ""):
            problems.append(f"{p.contact_name}: stray spacing or stops: {i.text}")
    return problems


def test_every_plan_of_the_demo_the_class_and_the_personas_reads_cleanly(
    nurse: Nurse, tmp_path: Path
) -> None:
    from iivkit.workbook import demo

    workbooks = [nurse.wb, demo.build_demo(tmp_path / "demo.iiv")]
    workbooks += [Workbook.open(path) for path in demo.build_class(tmp_path / "class", 30)]
    # The three personas of the letters' language test: a career changer, a senior professional, a student.
    workbooks += [build(tmp_path / f"{name}.iiv")[0] for name, build in sorted(PERSONAS.items())]
    problems, plans = [], 0
    for wb in workbooks:
        for c in wb.all(Contact):
            for minutes in (20, 45):
                problems += _plan_problems(plan(wb, c.id or 0, minutes))
                plans += 1
        if wb is not nurse.wb:
            wb.close()
    assert plans > 100
    assert not problems, "\n".join(problems[:20])


def test_a_note_naming_an_organisation_by_its_short_name_goes_only_to_people_there(tmp_path: Path) -> None:
    from iivkit.workbook import demo

    # Dr Patel's debrief says "Ask Ubuntu how the data is collected at the sites": Ubuntu Recovery
    # Network's people may be asked; the department's and Khanya's may not.
    note = "how the data is collected at the sites"
    with demo.build_demo(tmp_path / "demo.iiv") as wb:
        assert note in wb.get(Interview, 1).next_questions
        by_org = {c.name: c.id or 0 for c in wb.all(Contact)}
        asked = {name: any(note in i.text for i in plan(wb, cid, 45).items) for name, cid in by_org.items()}
    assert asked["Nomsa Zulu"], "Nomsa Zulu works at Ubuntu Recovery Network"
    assert not any(
        asked[n] for n in ("Lerato Khumalo", "Pieter van der Merwe", "Farah Ismail", "Mandla Mthembu")
    )
