"""The question planner: plans that fit the person and the minutes, test the user's findings, and say why."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from iivkit.errors import RecordNotFound, ValidationFailed
from iivkit.method.bank import add_question, infer_topics, load_bank
from iivkit.method.planner import (
    PlanItem,
    coverage,
    is_who_else,
    plan,
    render_markdown,
    render_text,
    save_plan,
)
from iivkit.workbook.models import (
    Category,
    Contact,
    Finding,
    FindingOutcome,
    FocusArea,
    Interview,
    Organisation,
    PlannedQuestion,
    Seniority,
)
from iivkit.workbook.store import Workbook

CATEGORY_RANK = {c: n for n, c in enumerate(Category)}


@dataclasses.dataclass
class People:
    wb: Workbook
    path: Path
    chief: int  # very senior generalist at Acme
    junior: int  # junior generalist at Acme
    techie: int  # mid technology specialist at Acme
    manager: int  # mid generalist at Acme
    treasurer: int  # senior finance specialist at the city
    acme_findings: list[int]
    city_finding: int
    general_finding: int
    cloud_finding: int
    untested: int


@pytest.fixture
def people(tmp_path: Path) -> Iterator[People]:
    path = tmp_path / "plan.iiv"
    wb = Workbook.create(path)
    acme = wb.add(Organisation(name="Acme Analytics", sector="data services")).id
    city = wb.add(Organisation(name="City of Riverton", sector="local government")).id

    def contact(name: str, org: int | None, seniority: str, focus: str, role: str = "") -> int:
        c = wb.add(Contact(name=name, organisation_id=org, seniority=seniority, focus_area=focus, role=role))
        assert c.id is not None
        return c.id

    def finding(claim: str, org: int | None, topic: str, *, to_test: bool = True) -> int:
        f = wb.add(
            Finding(
                claim=claim,
                organisation_id=org,
                topic=topic,
                to_test=to_test,
                source_title="Sector Review 2026",
                source_author="Jo Reporter",
                source_date=dt.date(2026, 3, 1),
            )
        )
        assert f.id is not None
        return f.id

    people = People(
        wb=wb,
        path=path,
        chief=contact("Grace Chief", acme, "very_senior", "general", "Chief Executive"),
        junior=contact("Sam Junior", acme, "junior", "general", "Graduate Analyst"),
        techie=contact("Tariq Byte", acme, "mid", "technology", "Data Engineer"),
        manager=contact("Mia Manager", acme, "mid", "general", "Programme Manager"),
        treasurer=contact("Ravi Ledger", city, "senior", "finance", "City Treasurer"),
        acme_findings=[
            finding("Acme Analytics plans to double its data team by 2027.", acme, "hiring"),
            finding(
                "Acme Analytics moved all its client work to one platform last year.", acme, "operations"
            ),
        ],
        city_finding=finding("Riverton will cut its consulting budget by a fifth.", city, "budget"),
        general_finding=finding("Entry-level analysts earn about 25,000 a month.", None, "salaries"),
        cloud_finding=finding("Riverton is moving its records to cloud software.", city, "cloud technology"),
        untested=finding("Acme Analytics was founded in 2009.", acme, "history", to_test=False),
    )
    yield people
    wb.close()


# -- fitting the person ----------------------------------------------------------------------


def test_a_senior_contacts_plan_has_more_strategy_questions_than_a_juniors(people: People) -> None:
    chief = plan(people.wb, people.chief, minutes=30)
    junior = plan(people.wb, people.junior, minutes=30)
    strategic = sum(i.strategy for i in chief.items)
    assert strategic > sum(i.strategy for i in junior.items)
    assert strategic >= 3
    assert any("fits a very senior contact: strategy" in i.reason for i in chief.items)


def test_a_technology_specialists_plan_has_more_technology_questions_than_a_generalists(
    people: People,
) -> None:
    techie = plan(people.wb, people.techie, minutes=30)
    manager = plan(people.wb, people.manager, minutes=30)
    tech = sum("technology" in i.focus for i in techie.items)
    assert tech > sum("technology" in i.focus for i in manager.items)
    assert tech >= 3
    assert any("focus: technology" in i.reason for i in techie.items)


def test_a_specialist_gets_no_questions_meant_for_another_specialism(people: People) -> None:
    treasurer = plan(people.wb, people.treasurer, minutes=60)
    assert all(not i.focus or "finance" in i.focus or "general" in i.focus for i in treasurer.items)
    assert any("finance" in i.focus for i in treasurer.items)


def test_different_contacts_get_different_plans(people: People) -> None:
    ids = [people.chief, people.junior, people.techie, people.manager, people.treasurer]
    texts = {tuple(i.text for i in plan(people.wb, c).items) for c in ids}
    assert len(texts) == len(ids)


# -- findings as springboards ----------------------------------------------------------------


def test_every_finding_to_test_about_the_contacts_organisation_or_the_sector_appears(people: People) -> None:
    techie = plan(people.wb, people.techie)
    tested = {i.finding_id for i in techie.items if i.finding_id}
    # Acme's findings (their organisation) and the sector-wide one (no organisation) — not the
    # city's findings, even the one on their focus (cloud technology), nor the untested finding.
    assert tested == {*people.acme_findings, people.general_finding}

    treasurer = plan(people.wb, people.treasurer)
    assert {i.finding_id for i in treasurer.items if i.finding_id} == {
        people.city_finding,
        people.cloud_finding,
        people.general_finding,
    }


def test_a_springboard_quotes_the_finding_names_the_source_and_says_why(people: People) -> None:
    items = [i for i in plan(people.wb, people.manager).items if i.finding_id == people.acme_findings[0]]
    assert len(items) == 1
    item = items[0]
    assert item.category is Category.organisation
    assert "Acme Analytics plans to double its data team by 2027" in item.text
    assert "Sector Review 2026" in item.text and "Jo Reporter" in item.text
    assert "{" not in item.text
    assert item.reason.startswith(
        f"springboard: tests finding {people.acme_findings[0]}, about Acme Analytics, where they work"
    )


def test_findings_to_test_stay_in_the_plan_even_over_time(people: People) -> None:
    short = plan(people.wb, people.techie, minutes=5)
    assert {i.finding_id for i in short.items if i.finding_id} == {
        *people.acme_findings,
        people.general_finding,
    }
    assert short.items[0].category is Category.background
    assert is_who_else(short.items[-1])
    assert short.over_budget
    assert "time" in {g.kind for g in coverage(short, people.wb, people.techie)}


# -- shape, time and determinism -------------------------------------------------------------


@pytest.mark.parametrize("minutes", [20, 30, 45, 60])
def test_a_plan_fits_the_minutes_and_follows_the_method_order(people: People, minutes: int) -> None:
    for contact in (people.chief, people.junior, people.manager):
        p = plan(people.wb, contact, minutes=minutes)
        assert p.total_minutes <= minutes
        assert p.total_minutes >= minutes - 4, "the time left should be used"
        ranks = [CATEGORY_RANK[i.category] for i in p.items]
        assert ranks == sorted(ranks)
        assert p.items[0].category is Category.background
        assert all(i.reason for i in p.items)


def test_every_plan_ends_with_who_else_should_i_talk_to(people: People) -> None:
    for contact in (people.chief, people.junior, people.techie, people.manager, people.treasurer):
        for minutes in (10, 30, 90):
            last = plan(people.wb, contact, minutes=minutes).items[-1]
            assert last.category is Category.closing
            assert "who else should i talk to" in last.text.lower()


def test_plans_are_deterministic(people: People) -> None:
    first = plan(people.wb, people.techie, minutes=40)
    assert plan(people.wb, people.techie, minutes=40) == first
    people.wb.close()
    with Workbook.open(people.path) as again:
        assert plan(again, people.techie, minutes=40) == first


def test_a_thirty_minute_plan_asks_about_salary_and_chances(people: People) -> None:
    for contact in (people.junior, people.chief, people.techie):
        p = plan(people.wb, contact, minutes=30)
        assert any("salary" in i.topics for i in p.items)
        assert any("chances" in i.topics for i in p.items)
        assert not {"salary", "chances"} & {g.kind for g in coverage(p, people.wb, contact)}


def test_a_finding_that_quotes_a_salary_stands_in_for_the_salary_question(people: People) -> None:
    p = plan(people.wb, people.junior, minutes=30)
    salary = [i for i in p.items if "salary" in i.topics]
    assert [i.finding_id for i in salary] == [people.general_finding]


def test_the_users_own_question_is_picked_and_says_so(people: People) -> None:
    add_question(people.wb, "How did {organisation} cope when the data team doubled?", "organisation")
    p = plan(people.wb, people.manager, minutes=30)
    mine = [i for i in p.items if i.source_question.startswith("user-")]
    assert [i.text for i in mine] == ["How did Acme Analytics cope when the data team doubled?"]
    assert "your own question" in mine[0].reason


def test_planning_for_an_unknown_contact_names_it(people: People) -> None:
    with pytest.raises(RecordNotFound, match="contact 999"):
        plan(people.wb, 999)


# -- coverage --------------------------------------------------------------------------------


def test_a_roomy_plan_misses_nothing(people: People) -> None:
    p = plan(people.wb, people.junior, minutes=60)
    assert coverage(p, people.wb, people.junior) == []


def test_coverage_reports_a_missing_finding_closing_and_salary(people: People) -> None:
    full = plan(people.wb, people.junior, minutes=60)
    target = people.acme_findings[1]
    stripped = dataclasses.replace(
        full,
        items=tuple(
            i
            for i in full.items
            if i.finding_id != target and not is_who_else(i) and "salary" not in i.topics
        ),
    )
    gaps = coverage(stripped, people.wb, people.junior)
    kinds = {g.kind for g in gaps}
    assert {"finding", "closing", "salary"} <= kinds
    # The general finding quotes a salary, so it went out with the salary questions.
    assert [g.finding_id for g in gaps if g.kind == "finding"] == [target, people.general_finding]
    assert "Who else should I talk to?" in next(g.message for g in gaps if g.kind == "closing")


def test_coverage_reads_a_saved_plan_from_its_words(people: People) -> None:
    interview = people.wb.add(Interview(contact_id=people.chief))
    assert interview.id is not None
    save_plan(people.wb, interview.id, plan(people.wb, people.chief, minutes=60))
    saved = people.wb.all(PlannedQuestion, interview_id=interview.id)
    # Saved questions keep their text, category and finding, not the bank's topic tags.
    items = tuple(PlanItem(q.category, q.text, q.reason, q.finding_id, q.source_question) for q in saved)
    rebuilt = dataclasses.replace(plan(people.wb, people.chief, minutes=60), items=items)
    assert coverage(rebuilt, people.wb, people.chief) == []


def test_every_salary_chances_and_who_else_question_in_the_bank_is_recognised_by_its_words() -> None:
    for q in load_bank():
        for topic in ("salary", "chances", "referral", "after_referral"):
            if topic in q.topics:
                assert topic in infer_topics(q.text), (q.id, topic)


def test_coverage_reports_an_empty_category(people: People) -> None:
    full = plan(people.wb, people.junior, minutes=60)
    no_role = dataclasses.replace(full, items=tuple(i for i in full.items if i.category is not Category.role))
    gaps = coverage(no_role, people.wb, people.junior)
    assert [g.category for g in gaps if g.kind == "category"] == [Category.role]


# -- saving and printing ---------------------------------------------------------------------


def test_saving_a_plan_replaces_unanswered_questions_and_keeps_answered_ones(people: People) -> None:
    wb = people.wb
    interview = wb.add(Interview(contact_id=people.manager))
    assert interview.id is not None
    answered = wb.add(
        PlannedQuestion(interview_id=interview.id, category="role", text="Old question", answer="Long days.")
    )
    wb.add(PlannedQuestion(interview_id=interview.id, category="role", text="Unanswered old question"))
    p = plan(wb, people.manager)
    saved = save_plan(wb, interview.id, p)
    assert [q.text for q in saved] == [i.text for i in p.items]
    assert [q.position for q in saved] == list(range(len(p.items)))
    assert saved[0].reason == p.items[0].reason
    stored = wb.all(PlannedQuestion, interview_id=interview.id)
    assert {q.text for q in stored} == {answered.text, *(i.text for i in p.items)}
    springboards = [q for q in stored if q.finding_id]
    assert {q.finding_id for q in springboards} == {i.finding_id for i in p.items if i.finding_id}


def test_saving_a_plan_into_another_contacts_interview_writes_nothing(people: People) -> None:
    interview = people.wb.add(Interview(contact_id=people.chief))
    assert interview.id is not None
    people.wb.add(PlannedQuestion(interview_id=interview.id, category="role", text="Keep me"))
    with pytest.raises(ValidationFailed, match="contact_id"):
        save_plan(people.wb, interview.id, plan(people.wb, people.manager))
    assert [q.text for q in people.wb.all(PlannedQuestion)] == ["Keep me"]


def test_a_plan_renders_as_text_and_markdown_grouped_by_category(people: People) -> None:
    p = plan(people.wb, people.techie)
    gaps = coverage(p, people.wb, people.techie)
    text = render_text(p, gaps)
    assert text.startswith("Question plan for Tariq Byte (Acme Analytics, mid, technology)")
    assert "Rapport and background" in text and "   1. " in text and "why: " in text
    assert "Coverage:" in text
    md = render_markdown(p, gaps)
    assert "## Rapport and background" in md and "## Closing" in md and "*Why: " in md


# -- the command line ------------------------------------------------------------------------


def test_cli_plan_prints_the_numbered_plan_and_its_coverage(
    people: People, cli: Callable[..., Result]
) -> None:
    people.wb.close()
    result = cli("plan", people.path, "--contact", str(people.techie), "--minutes", "30")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("Question plan for Tariq Byte")
    assert "   1. " in out and "why: rapport" in out
    assert "springboard: tests finding" in out
    assert out.index("Rapport and background") < out.index("Closing") < out.index("Coverage:")


def test_cli_plan_for_an_unknown_contact_is_a_one_line_error(
    people: People, cli: Callable[..., Result]
) -> None:
    people.wb.close()
    result = cli("plan", people.path, "--contact", "999")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"iivkit: error: {people.path}: contact 999: does not exist"
    ]


def test_cli_plan_on_the_demo_gives_each_contact_a_different_plan(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    from iivkit.workbook import demo

    path = tmp_path / "demo.iiv"
    with demo.build_demo(path) as wb:
        contacts = [c.id for c in wb.all(Contact)]
        kinds = {(c.seniority, c.focus_area) for c in wb.all(Contact)}
    assert len(contacts) >= 5 and len(kinds) >= 4
    plans = []
    for contact in contacts:
        result = cli("plan", path, "--contact", str(contact))
        assert result.exit_code == 0, result.output
        numbered = [line for line in result.output.splitlines() if line[:5].strip().rstrip(".").isdigit()]
        assert "who else should i talk to" in numbered[-1].lower()
        plans.append(result.output.split("\n", 1)[1])
    assert len(set(plans)) == len(contacts)


def test_demo_plans_fit_seniority_and_focus(tmp_path: Path) -> None:
    from iivkit.workbook import demo

    with demo.build_demo(tmp_path / "demo.iiv") as wb:
        contacts = wb.all(Contact)
        plans = {c.id: plan(wb, c.id or 0, minutes=45) for c in contacts}
    for c in contacts:
        p = plans[c.id]
        if c.seniority is Seniority.very_senior:
            assert sum(i.strategy for i in p.items) >= 3, c.name
        if c.seniority is Seniority.junior:
            assert not any(i.strategy for i in p.items), c.name
        if c.focus_area not in (FocusArea.general,):
            assert any(c.focus_area.value in i.focus for i in p.items), c.name


# -- the closing order, springboards that fit the finding, honest minutes ---------------------


@pytest.fixture
def demo_wb(tmp_path: Path) -> Iterator[Workbook]:
    from iivkit.workbook import demo

    wb = demo.build_demo(tmp_path / "demo.iiv")
    yield wb
    wb.close()


def _follows_who_else(item: PlanItem) -> bool:
    return "after_referral" in item.topics or "after_referral" in infer_topics(item.text)


def test_demo_plans_end_with_who_else_and_no_follow_up_comes_before_it(demo_wb: Workbook) -> None:
    for c in demo_wb.all(Contact):
        for minutes in (15, 30, 60, 90):
            items = plan(demo_wb, c.id or 0, minutes=minutes).items
            assert is_who_else(items[-1]), (c.name, minutes)
            assert "who else should i talk to" in items[-1].text.lower()
            assert not any(is_who_else(i) for i in items[:-1]), (c.name, minutes)
            assert not any(_follows_who_else(i) for i in items), (c.name, minutes)
            assert not any("if you do suggest someone" in i.text.lower() for i in items)


def test_a_users_follow_up_to_who_else_stays_out_of_the_plan(people: People) -> None:
    add_question(people.wb, "If you suggest someone, may I use your name when I write to them?", "closing")
    add_question(people.wb, "May I send you a short thank-you note afterwards?", "closing")
    p = plan(people.wb, people.junior, minutes=90)
    assert is_who_else(p.items[-1])
    assert not any("use your name" in i.text for i in p.items)
    assert any("thank-you note" in i.text for i in p.items[:-1])


def test_the_contacts_own_article_is_put_to_them_directly(demo_wb: Workbook) -> None:
    patel = demo_wb.get(Contact, 1)
    assert patel.name == "Dr Ayesha Patel"
    for minutes in (15, 60):
        item = next(i for i in plan(demo_wb, 1, minutes=minutes).items if i.finding_id == 1)
        assert item.text.startswith("In your article “New community programme cuts relapse")
        assert "you wrote that" in item.text
        assert "Ayesha Patel" not in item.text and "heading" not in item.text
        assert "they wrote it" in item.reason
    # Someone else hears the same source in the third person (once no interview has spoken to it).
    for outcome in demo_wb.all(FindingOutcome, finding_id=2):
        demo_wb.delete(FindingOutcome, outcome.id or 0)
    other = next(i for i in plan(demo_wb, 5, minutes=60).items if i.finding_id == 2)
    assert "(Ayesha Patel, 2026)" in other.text and "you wrote" not in other.text


def test_a_salary_finding_becomes_a_career_question_on_pay(demo_wb: Workbook) -> None:
    for outcome in demo_wb.all(FindingOutcome, finding_id=7):  # as before any interview spoke to it
        demo_wb.delete(FindingOutcome, outcome.id or 0)
    for minutes in (15, 30, 60):
        items = plan(demo_wb, 7, minutes=minutes).items
        item = next(i for i in items if i.finding_id == 7)
        assert item.category is Category.career
        assert item.text.startswith("A salary guide I found, “2026 Salary Guide")
        assert "R18,000 to R25,000" in item.text and "does that match" in item.text.lower()
        assert "heading" not in item.text and "salary" in item.topics
        # It is the plan's salary question: no second one.
        assert sum("salary" in i.topics for i in items) == 1


def test_springboard_templates_follow_the_topic_and_the_author(people: People) -> None:
    wb = people.wb
    acme = wb.get(Contact, people.chief).organisation_id
    reporter = wb.add(Contact(name="Prof. Jo Reporter", organisation_id=acme, seniority="very_senior")).id
    namesake = wb.add(Contact(name="Jo Reportersson", organisation_id=acme, seniority="very_senior")).id
    paid = wb.add(
        Finding(
            claim="Acme pays new analysts R20,000 a month.",
            organisation_id=acme,
            topic="teams",
            to_test=True,
            source_title="Job advert: Analyst",
            source_author="Acme Analytics",
        )
    ).id
    assert reporter is not None and namesake is not None
    mine = {i.finding_id: i for i in plan(wb, reporter, minutes=60).items if i.finding_id}
    # Every finding in the fixture is by Jo Reporter: all are put to them as their own.
    for fid in (*people.acme_findings, people.general_finding):
        assert mine[fid].text.startswith(("In your article “Sector Review 2026” (2026)", "You wrote in your"))
        assert "Jo Reporter" not in mine[fid].text
    assert mine[paid].category is Category.career
    assert mine[paid].text.startswith("On pay, “Job advert: Analyst” (Acme Analytics) says")
    theirs = {i.finding_id: i for i in plan(wb, namesake, minutes=60).items if i.finding_id}
    assert "(Jo Reporter, 2026)" in theirs[people.acme_findings[0]].text
    assert theirs[people.acme_findings[0]].category is Category.organisation
    assert "heading" in theirs[people.acme_findings[0]].text  # a strategy template for a chief
    assert theirs[people.general_finding].category is Category.career
    assert "you wrote" not in " ".join(i.text for i in theirs.values())


def test_an_over_budget_plan_says_so_and_holds_only_what_it_cannot_drop(demo_wb: Workbook) -> None:
    p = plan(demo_wb, 5, minutes=15)
    assert p.over_budget and p.total_minutes > 15
    heading = render_text(p).splitlines()[0]
    assert f"about {p.total_minutes} minutes — more than the 15 you have" in heading
    assert "findings to test need the time" in heading and "untick" in heading
    assert " of 15 minutes" not in heading
    assert "more than the 15 you have" in render_markdown(p).splitlines()[0]
    for item in p.items:
        assert item.finding_id or item is p.items[0] or is_who_else(item), item.text
    assert [g.kind for g in coverage(p, demo_wb, 5)].count("time") == 1


def test_a_plan_within_budget_says_how_much_of_the_time_it_uses(demo_wb: Workbook) -> None:
    p = plan(demo_wb, 5, minutes=60)
    assert not p.over_budget
    heading = render_text(p).splitlines()[0]
    assert heading.endswith(f"about {p.total_minutes} of 60 minutes")
    assert "more than" not in heading
