"""The planner at its edges: which findings, in what order, which template, how questions score
against each other, a question that exactly fits the time, and what coverage reports.

Scores are read through the plan itself: the user's own questions go in best-scoring first, so
their order within a category, or which one gets the last free minutes, shows how they scored.
Ties go to the order the questions were added.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from iivkit.method.bank import add_question
from iivkit.method.planner import (
    Plan,
    PlanItem,
    coverage,
    findings_to_test,
    is_about_pay,
    is_author,
    is_who_else,
    plan,
)
from iivkit.workbook.models import (
    Category,
    Contact,
    Finding,
    FindingOutcome,
    Interview,
    OpenQuestion,
    Organisation,
    Outcome,
    Profile,
    Tiara,
)
from iivkit.workbook.store import Workbook


@dataclasses.dataclass
class Book:
    wb: Workbook
    acme: int
    city: int

    def contact(self, name: str, seniority: str = "mid", focus: str = "general", **fields: object) -> int:
        org = fields.pop("organisation_id", self.acme)
        c = self.wb.add(
            Contact(name=name, organisation_id=org, seniority=seniority, focus_area=focus, **fields)
        )
        assert c.id is not None
        return c.id

    def finding(self, claim: str, org: int | None = None, topic: str = "", **fields: object) -> int:
        f = self.wb.add(Finding(claim=claim, organisation_id=org, topic=topic, to_test=True, **fields))
        assert f.id is not None
        return f.id

    def mine(self, text: str, category: str = "organisation", **fields: object) -> str:
        """Add a question of the user's own; its id in a plan."""
        return add_question(self.wb, text, category, **fields).id  # type: ignore[arg-type]


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    wb = Workbook.create(tmp_path / "edges.iiv")
    acme = wb.add(Organisation(name="Acme Analytics")).id
    city = wb.add(Organisation(name="City of Riverton")).id
    assert acme is not None and city is not None
    yield Book(wb, acme, city)
    wb.close()


def _own(p: Plan, category: Category | None = None) -> list[str]:
    """The user's own questions in the plan, in plan order (in one category if given)."""
    return [
        i.source_question
        for i in p.items
        if i.source_question.startswith("user-") and category in (None, i.category)
    ]


def _item(p: Plan, source: str) -> PlanItem:
    return next(i for i in p.items if i.source_question == source)


# -- which findings, in what order -------------------------------------------------------------


def test_findings_to_test_put_the_contacts_organisation_first_then_go_by_id(book: Book) -> None:
    sector = book.finding("Analytics firms hire fewer graduates.", topic="hiring")
    acme_late = book.finding("Acme Analytics opened a second office.", book.acme)
    book.finding("Riverton cut its budget.", book.city)
    sector_late = book.finding("The sector is growing.")
    acme_later = book.finding("Acme Analytics trains its own staff.", book.acme)
    book.wb.add(Finding(claim="Acme Analytics was founded in 2009.", organisation_id=book.acme))
    contact = book.wb.get(Contact, book.contact("Mia Manager"))
    chosen = findings_to_test(book.wb, contact)
    assert [f.id for f, _ in chosen] == [acme_late, acme_later, sector, sector_late]
    assert [why for _, why in chosen] == [
        "about Acme Analytics, where they work",
        "about Acme Analytics, where they work",
        "a sector-wide finding on hiring that anyone can speak to",
        "a sector-wide finding that anyone can speak to",
    ]


def test_a_finding_about_an_organisation_goes_to_no_one_outside_it(book: Book) -> None:
    book.finding("Riverton cut its budget.", book.city)
    sector = book.finding("The sector is growing.")
    freelancer = book.wb.get(Contact, book.contact("Fay Free", organisation_id=None))
    assert [f.id for f, _ in findings_to_test(book.wb, freelancer)] == [sector]
    outsider = book.wb.get(Contact, book.contact("Otto Acme"))
    assert [f.id for f, _ in findings_to_test(book.wb, outsider)] == [sector]


def test_an_organisation_that_takes_the_reads_so_in_the_reason(book: Book) -> None:
    budget = book.finding("Riverton cut its budget.", book.city)
    clerk = book.wb.get(Contact, book.contact("Cleo Clerk", organisation_id=book.city))
    assert findings_to_test(book.wb, clerk) == [
        (book.wb.get(Finding, budget), "about the City of Riverton, where they work")
    ]


def test_a_sector_wide_finding_on_a_specialists_focus_says_so(book: Book) -> None:
    book.finding("Most firms now run their records in the cloud.", topic="cloud software")
    book.finding("Councils are hiring more planners.", topic="public sector hiring")
    book.finding("Leadership turnover is high.", topic="leadership")
    techie = book.wb.get(Contact, book.contact("Tariq Byte", focus="technology"))
    assert [why for _, why in findings_to_test(book.wb, techie)] == [
        "a sector-wide finding on cloud software, their focus (technology)",
        "a sector-wide finding on public sector hiring that anyone can speak to",
        "a sector-wide finding on leadership that anyone can speak to",
    ]
    official = book.wb.get(Contact, book.contact("Olu Official", focus="public_sector"))
    assert findings_to_test(book.wb, official)[1][1] == (
        "a sector-wide finding on public sector hiring, their focus (public sector)"
    )
    # A generalist's focus is no specialism: a finding on leadership is for anyone.
    manager = book.wb.get(Contact, book.contact("Mia Manager"))
    assert (
        findings_to_test(book.wb, manager)[2][1]
        == "a sector-wide finding on leadership that anyone can speak to"
    )


# -- authors and pay ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "author", "wrote"),
    [
        ("Dr Ayesha Patel", "Ayesha Patel", True),
        ("Ayesha Patel", "Prof. Ayesha Patel", True),
        ("Ayesha Patel", "A. Khan and Ayesha Patel", True),
        ("Ayesha Patel", "Ayesha Naidoo", False),
        ("Ayesha Patel", "Ayesha Patelson", False),
        ("Ayesha", "Ayesha", False),
        ("Dr Ayesha", "Ayesha Patel", False),
        ("Ayesha Patel", "", False),
    ],
)
def test_an_author_is_the_contact_whose_whole_name_is_among_the_sources_authors(
    name: str, author: str, wrote: bool
) -> None:
    contact = Contact(name=name)
    finding = Finding(claim="Peer support cuts relapse.", source_author=author)
    assert is_author(contact, finding) is wrote


@pytest.mark.parametrize(
    ("claim", "topic", "pay"),
    [
        ("Graduates start on about 25,000 a month.", "salaries", True),
        ("Graduates are paid well.", "Salary", True),
        ("The starting salary is R18,000.", "", True),
        ("Salaries are rising fast.", "", False),
        ("The team grew to 40 people.", "hiring", False),
    ],
)
def test_a_finding_is_about_pay_by_its_topic_or_a_claim_that_quotes_an_amount(
    claim: str, topic: str, pay: bool
) -> None:
    assert is_about_pay(Finding(claim=claim, topic=topic)) is pay


# -- springboard templates -----------------------------------------------------------------------


def test_ordinary_findings_take_the_templates_in_turn(book: Book) -> None:
    ids = [book.finding(f"Analytics firms changed in way {n}.") for n in range(4)]
    senior = book.contact("Sue Senior", "senior")
    items = {i.finding_id: i for i in plan(book.wb, senior, minutes=60).items if i.finding_id}
    # The strategy template suits a senior contact best, then the others in the bank's order.
    assert [items[f].source_question for f in ids] == ["in-03", "in-01", "in-02", "in-03"]
    first = items[ids[0]]
    assert first.category is Category.industry
    assert (first.minutes, first.strategy, first.tiara, first.focus) == (3, True, Tiara.trends, ())
    assert first.reason == (
        f"springboard: tests finding {ids[0]}, a sector-wide finding that anyone can speak to; "
        "fits a senior contact: strategy"
    )
    assert items[ids[1]].reason == (
        f"springboard: tests finding {ids[1]}, a sector-wide finding that anyone can speak to"
    )
    assert items[ids[1]].topics == ("springboard",)
    assert items[ids[1]].goal == 0


def test_each_category_takes_its_own_templates_in_turn(book: Book) -> None:
    acme = book.finding("Acme Analytics opened a second office.", book.acme)
    sector = book.finding("Analytics firms hire fewer graduates.")
    junior = book.contact("Sam Junior", "junior")
    items = {i.finding_id: i for i in plan(book.wb, junior, minutes=60).items if i.finding_id}
    assert (items[acme].source_question, items[acme].category) == ("or-01", Category.organisation)
    assert (items[sector].source_question, items[sector].category) == ("in-01", Category.industry)
    assert items[sector].text.endswith(
        "“Analytics firms hire fewer graduates”. Does that match what you see in your work?"
    )


def test_a_springboard_quotes_the_claim_without_its_closing_full_stop(book: Book) -> None:
    claim = book.finding("  ...Acme Analytics moved to Platform X.  ", book.acme, source_title="Acme news")
    item = next(i for i in plan(book.wb, book.contact("Sam Junior", "junior")).items if i.finding_id == claim)
    assert item.text == (
        "I read in “Acme news” that “...Acme Analytics moved to Platform X”. Does that match what you see at "
        "Acme Analytics?"
    )


@pytest.mark.parametrize(
    "title", ["Pay guide", "Graduate survey", "Salary check", "Salaries 2026", "Remuneration"]
)
def test_a_pay_finding_from_a_guide_or_survey_uses_the_salary_guide_template(book: Book, title: str) -> None:
    fid = book.finding("Analysts start on R18,000 a month.", topic="salaries", source_title=title)
    item = next(i for i in plan(book.wb, book.contact("Sam Junior", "junior")).items if i.finding_id == fid)
    assert item.source_question == "ca-16"
    assert item.category is Category.career
    assert item.reason == (
        f"springboard: tests finding {fid}, a sector-wide finding on salaries that anyone can speak to; "
        "it is about pay"
    )
    assert item.topics[:2] == ("springboard", "salary")
    assert item.goal == 2


def test_a_pay_finding_from_elsewhere_uses_the_plain_salary_template(book: Book) -> None:
    fid = book.finding(
        "Acme pays analysts R20,000 a month.", book.acme, topic="pay", source_title="Job advert: Analyst"
    )
    item = next(i for i in plan(book.wb, book.contact("Sam Junior", "junior")).items if i.finding_id == fid)
    assert item.source_question == "ca-17"
    assert item.category is Category.career
    assert item.text.startswith(
        "On pay, “Job advert: Analyst” says that “Acme pays analysts R20,000 a month”."
    )


def test_a_finding_the_contact_wrote_is_put_to_them_as_their_own(book: Book) -> None:
    fid = book.finding(
        "Acme Analytics doubled its team.", book.acme, source_title="Our year", source_author="Sam Junior"
    )
    sector = book.finding("Analytics is growing.", source_title="Trends", source_author="Sam Junior")
    items = {
        i.finding_id: i for i in plan(book.wb, book.contact("Sam Junior", "junior")).items if i.finding_id
    }
    assert items[fid].source_question == "or-14" and items[fid].category is Category.organisation
    assert items[fid].reason.endswith("; they wrote it")
    assert items[sector].source_question == "in-17" and items[sector].category is Category.industry


def test_a_finding_earlier_interviews_spoke_to_says_what_they_said(book: Book) -> None:
    fid = book.finding("Acme Analytics pays graduates R18,000 a month.", book.acme)
    sam = book.contact("Sam Junior", "junior")
    mia = book.contact("Mia Manager")
    talk = book.wb.add(Interview(contact_id=mia, status="done", scheduled_at=dt.datetime(2026, 3, 2, 10)))
    assert talk.id is not None
    book.wb.add(
        FindingOutcome(
            interview_id=talk.id, finding_id=fid, outcome=Outcome.refuted, note="More like R22,000."
        )
    )
    item = next(i for i in plan(book.wb, sam).items if i.finding_id == fid)
    assert item.source_question == "ca-18" and item.category is Category.career
    assert item.text == (
        "I read that Acme Analytics pays graduates R18,000 a month, but someone at Acme Analytics told me "
        "otherwise: more like R22,000. Does that sound like the pay you see for people starting out?"
    )
    assert item.reason.endswith("; refuted by Mia Manager, Acme Analytics on 2 March")
    # The person who said it hears the ordinary template.
    own = next(i for i in plan(book.wb, mia).items if i.finding_id == fid)
    assert own.source_question == "ca-17"


# -- how questions score against each other --------------------------------------------------------


def test_a_very_senior_specialists_questions_tie_as_the_scores_say(book: Book) -> None:
    # Each of the last four scores 6 for a very senior technology specialist: strategy 4, or their
    # focus 3 and a narrow band of seniority 1; with 2 for the user's own. The first two score 5.
    wide = book.mine(
        "How do the data teams split the work?",
        focus_tags=["technology"],
        seniority=["mid", "senior", "very_senior"],
    )
    any_level = book.mine("Which data tools do you rely on?", focus_tags=["technology"])
    pair = book.mine(
        "How do your data leads grow?", focus_tags=["technology"], seniority=["senior", "very_senior"]
    )
    strategy = book.mine("Where is Acme heading over five years?", focus_tags=["strategy"])
    single = book.mine(
        "What does a chief data officer worry about?", focus_tags=["technology"], seniority=["very_senior"]
    )
    strategy_2 = book.mine("Which bets is Acme making?", focus_tags=["strategy"])
    # Their own area is covered by a question in another category first.
    book.mine("Where is the data industry heading?", "industry", focus_tags=["technology", "strategy"])
    cto = book.contact("Cara Chief", "very_senior", "technology")
    p = plan(book.wb, cto, minutes=120)
    assert _own(p, Category.organisation) == [pair, strategy, single, strategy_2, wide, any_level]
    assert _item(p, pair).reason == (
        "in organisation; their focus: technology; suits a very senior contact; your own question"
    )
    assert (
        _item(p, strategy).reason
        == "in organisation; fits a very senior contact: strategy; your own question"
    )
    assert _item(p, wide).reason == "in organisation; their focus: technology; your own question"


def test_a_senior_generalists_strategy_and_organisation_questions_tie(book: Book) -> None:
    # For a senior generalist: strategy 2, a question for generalists 2, a narrow band 1.
    whole = book.mine("How is Acme organised?", focus_tags=["general"])
    strategy = book.mine("Where is Acme heading?", focus_tags=["strategy"])
    whole_2 = book.mine("Who decides what at Acme?", focus_tags=["general"])
    strategy_2 = book.mine("Which markets matter to Acme?", focus_tags=["strategy"])
    narrow = book.mine("What do senior staff at Acme handle?", seniority=["senior"])
    plain = book.mine("What is Acme like to work for?")
    p = plan(book.wb, book.contact("Sue Senior", "senior"), minutes=120)
    assert _own(p, Category.organisation) == [whole, strategy, whole_2, strategy_2, narrow, plain]
    assert _item(p, whole).reason == (
        "in organisation; fits a generalist: the organisation as a whole; your own question"
    )
    assert _item(p, strategy).reason == "in organisation; fits a senior contact: strategy; your own question"
    assert _item(p, narrow).reason == "in organisation; suits a senior contact; your own question"
    assert _item(p, plain).reason == "in organisation; your own question"


def test_a_focus_tag_counts_as_the_contacts_focus(book: Book) -> None:
    plain = book.mine("What is Acme like to work for?")
    tagged = book.mine("How does Acme run its user studies?", focus_tags=["UX research"])
    whole = book.mine("How is Acme run?", focus_tags=["general"], seniority=["mid"])
    tagged_2 = book.mine("Who takes part in Acme's user studies?", focus_tags=["UX research"])
    p = plan(book.wb, book.contact("Uma User", focus_tags=["UX research"]), minutes=120)
    # The first goes in as their own area. The second scores 3 for the tag, as much as a question
    # for a generalist (2) in a narrow band (1) added before it.
    assert _own(p, Category.organisation) == [tagged, whole, tagged_2, plain]
    assert _item(p, tagged).reason == "their own area; their focus: ux research; your own question"
    assert _item(p, tagged_2).reason == "in organisation; their focus: ux research; your own question"


def _room_for_one(book: Book, contact: int) -> int:
    """Minutes that leave room for exactly one of the user's own questions (3 minutes each)."""
    stages = ("rapport: ", "career: salary", "career: a candid read of your chances", "closing: ")
    needed = sum(i.minutes for i in plan(book.wb, contact, minutes=60).items if i.reason.startswith(stages))
    base = plan(book.wb, contact, minutes=needed)
    assert [i.reason.split(";")[0] for i in base.items][1:] == [
        *stages[1:3],
        "closing: who else to talk to, always last",
    ]
    assert base.total_minutes == needed
    return needed + 3


@pytest.mark.parametrize(
    ("requirements", "expected", "reason"),
    [
        # Requirements detail scores 1 less for a very senior contact than a question elsewhere…
        ({}, "organisation", "in organisation; your own question"),
        # … so with a narrow band of seniority (1) it ties, and the first added wins.
        (
            {"seniority": ["very_senior"]},
            "requirements",
            "in requirements; suits a very senior contact; your own question",
        ),
    ],
)
def test_requirements_detail_scores_lower_for_a_very_senior_contact(
    book: Book, requirements: dict[str, list[str]], expected: str, reason: str
) -> None:
    chief = book.contact("Grace Chief", "very_senior")
    minutes = _room_for_one(book, chief)
    ids = {
        "requirements": book.mine("Which certificates does Acme ask for?", "requirements", **requirements),
        "organisation": book.mine("What is Acme like to work for?"),
    }
    p = plan(book.wb, chief, minutes=minutes)
    assert _own(p) == [ids[expected]]
    assert _item(p, ids[expected]).reason == reason
    assert p.total_minutes == minutes


def test_requirements_detail_scores_as_any_other_for_a_junior(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    minutes = _room_for_one(book, junior)
    detail = book.mine("Which certificates does Acme ask for?", "requirements")
    book.mine("What is Acme like to work for?")
    p = plan(book.wb, junior, minutes=minutes)
    assert _own(p) == [detail]
    assert _item(p, detail).reason == "in requirements; your own question"


# -- the time budget -------------------------------------------------------------------------------


def test_the_salary_question_goes_in_when_it_exactly_fits_and_not_a_minute_sooner(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    # The opener (3 minutes) and "who else" (2) are always there; the salary question takes 3.
    exact = plan(book.wb, junior, minutes=8)
    assert [i.reason for i in exact.items] == [
        "rapport: their own path first; suits a junior contact",
        "career: salary",
        "closing: who else to talk to, always last",
    ]
    assert exact.total_minutes == 8
    short = plan(book.wb, junior, minutes=7)
    assert "career: salary" not in [i.reason for i in short.items]
    assert short.total_minutes == 7


def test_the_chances_question_goes_in_when_it_exactly_fits(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    reasons = [i.reason for i in plan(book.wb, junior, minutes=11).items]
    assert reasons[1:3] == ["career: salary", "career: a candid read of your chances"]
    assert "career: a candid read of your chances" not in [
        i.reason for i in plan(book.wb, junior, minutes=10).items
    ]


def test_a_plan_fills_its_time_to_the_minute(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    senior = book.contact("Sue Senior", "senior")
    for contact in (junior, senior):
        for minutes in range(6, 46):
            p = plan(book.wb, contact, minutes=minutes)
            assert p.total_minutes == minutes, (contact, minutes)
            assert not p.over_budget


def test_the_users_own_question_goes_in_when_it_exactly_fits(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    minutes = _room_for_one(book, junior)
    mine = book.mine("What is Acme like to work for?")
    assert _own(plan(book.wb, junior, minutes=minutes)) == [mine]
    assert _own(plan(book.wb, junior, minutes=minutes - 1)) == []


def test_a_specialists_own_area_goes_in_when_it_exactly_fits(book: Book) -> None:
    techie = book.contact("Tariq Byte", "junior", "technology")
    base = plan(book.wb, techie, minutes=11)
    assert not any("technology" in i.focus for i in base.items)
    with_area = plan(book.wb, techie, minutes=14)
    area = [i for i in with_area.items if i.reason.startswith("a technology specialist's own area")]
    assert len(area) == 1 and area[0].minutes == 3 and "technology" in area[0].focus
    assert with_area.total_minutes == 14


def test_a_generalist_with_a_focus_tag_gets_a_question_in_their_own_area(book: Book) -> None:
    uma = book.contact("Uma User", "junior", focus_tags=["data"])
    p = plan(book.wb, uma, minutes=14)
    area = [i for i in p.items if i.reason.startswith("their own area")]
    assert len(area) == 1 and "data" in area[0].focus
    generalist = plan(book.wb, book.contact("Gene Ral", "junior"), minutes=14)
    assert not any("own area" in i.reason for i in generalist.items)


# -- the opener and the last word ------------------------------------------------------------------


def test_the_opener_is_personal_when_the_workbook_knows_who_referred_them(book: Book) -> None:
    mia = book.contact("Mia Manager")
    sam = book.contact("Sam Junior", "junior", referred_by_id=mia)
    p = plan(book.wb, sam, minutes=30)
    assert p.items[0].source_question == "bg-12"
    assert p.items[0].text.startswith("Mia Manager suggested I talk to you.")
    assert p.items[0].reason == "rapport: Mia Manager suggested them"
    assert p.items[-1].reason == "closing: who else to talk to, always last"
    assert p.items[-1].source_question == "cl-01"


def test_an_opener_for_an_organisation_names_it_and_one_without_says_your_organisation(book: Book) -> None:
    add_question(book.wb, "What brought you to {organisation}?", "background")
    at_acme = plan(book.wb, book.contact("Sam Junior", "junior"), minutes=60)
    assert "What brought you to Acme Analytics?" in [i.text for i in at_acme.items]
    free = plan(book.wb, book.contact("Fay Free", "junior", organisation_id=None), minutes=60)
    assert "What brought you to your organisation?" in [i.text for i in free.items]


# -- who else, and what a plan asks ----------------------------------------------------------------


def test_who_else_is_a_closing_question_tagged_or_worded_as_a_referral() -> None:
    tagged = PlanItem(Category.closing, "Anyone you would suggest?", "", topics=("referral",))
    worded = PlanItem(Category.closing, "Who else should I talk to?", "")
    assert is_who_else(tagged) and is_who_else(worded)
    assert not is_who_else(PlanItem(Category.career, "Who else should I talk to?", "", topics=("referral",)))
    assert not is_who_else(PlanItem(Category.closing, "Anything I haven't asked?", "", topics=("wrap_up",)))


# -- coverage ----------------------------------------------------------------------------------------


def _without(
    p: Plan, *, keep: Callable[[PlanItem], bool] | None = None, drop: Callable[[PlanItem], bool] | None = None
) -> Plan:
    items = tuple(i for i in p.items if (keep is None or keep(i)) and (drop is None or not drop(i)))
    return dataclasses.replace(p, items=items)


def test_coverage_names_a_missing_category_in_lower_case(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    full = plan(book.wb, junior, minutes=60)
    assert coverage(full, book.wb) == []
    gaps = coverage(
        _without(full, drop=lambda i: i.category in (Category.role, Category.application)), book.wb
    )
    assert [(g.kind, g.message, g.category) for g in gaps if g.kind == "category"] == [
        ("category", "no question on role and day-to-day", Category.role),
        ("category", "no question on application: CV, cover letter, job titles", Category.application),
    ]


def test_coverage_quotes_a_missing_findings_claim_up_to_eighty_characters(book: Book) -> None:
    exact = "A" * 79 + "."
    long = "B" * 80 + "."
    ids = [book.finding(exact), book.finding(long)]
    junior = book.contact("Sam Junior", "junior")
    bare = _without(plan(book.wb, junior, minutes=60), drop=lambda i: i.finding_id is not None)
    gaps = [g for g in coverage(bare, book.wb) if g.kind == "finding"]
    assert [(g.finding_id, g.message) for g in gaps] == [
        (
            ids[0],
            f"finding {ids[0]} (a sector-wide finding that anyone can speak to) has no question: “{exact}”",
        ),
        (
            ids[1],
            f"finding {ids[1]} (a sector-wide finding that anyone can speak to) has no question: "
            f"“{'B' * 77}…”",
        ),
    ]


def test_coverage_checks_the_findings_of_the_contact_it_is_asked_about(book: Book) -> None:
    acme = book.finding("Acme Analytics opened a second office.", book.acme)
    city = book.finding("Riverton cut its budget.", book.city)
    junior = book.contact("Sam Junior", "junior")
    clerk = book.contact("Cleo Clerk", "junior", organisation_id=book.city)
    p = plan(book.wb, junior, minutes=60)
    assert [g.finding_id for g in coverage(p, book.wb) if g.kind == "finding"] == []
    assert [g.finding_id for g in coverage(p, book.wb, junior) if g.kind == "finding"] == []
    assert [g.finding_id for g in coverage(p, book.wb, clerk) if g.kind == "finding"] == [city]
    assert acme in {i.finding_id for i in p.items}


def test_coverage_reports_salary_chances_and_closing_with_their_categories(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    full = plan(book.wb, junior, minutes=60)
    stripped = _without(full, keep=lambda i: i.category in (Category.background, Category.role))
    gaps = {g.kind: g for g in coverage(stripped, book.wb)}
    assert (gaps["salary"].message, gaps["salary"].category) == (
        "no salary question: offer the salary range you found and ask if it is realistic",
        Category.career,
    )
    assert (gaps["chances"].message, gaps["chances"].category) == (
        "no question asking for a candid read of your chances",
        Category.career,
    )
    assert (gaps["closing"].message, gaps["closing"].category) == (
        "the plan does not end by asking “Who else should I talk to?”",
        Category.closing,
    )


def test_a_full_plan_with_an_empty_category_says_the_time_is_full(book: Book) -> None:
    junior = book.contact("Sam Junior", "junior")
    full = plan(book.wb, junior, minutes=60)
    no_role = _without(full, drop=lambda i: i.category is Category.role)
    exactly_full = dataclasses.replace(no_role, minutes=no_role.total_minutes)
    time = [g for g in coverage(exactly_full, book.wb) if g.kind == "time"]
    assert [g.message for g in time] == [
        "the time is full: to cover more categories, plan more minutes or swap a question"
    ]
    a_minute_spare = dataclasses.replace(no_role, minutes=no_role.total_minutes + 1)
    assert [g for g in coverage(a_minute_spare, book.wb) if g.kind == "time"] == []
    # Full, but nothing missing: no word on the time.
    assert coverage(dataclasses.replace(full, minutes=full.total_minutes), book.wb) == []


def test_an_over_budget_plan_says_how_long_it_needs(book: Book) -> None:
    for n in range(3):
        book.finding(f"Analytics firms changed in way {n}.")
    p = plan(book.wb, book.contact("Sam Junior", "junior"), minutes=10)
    assert p.over_budget
    time = [g.message for g in coverage(p, book.wb) if g.kind == "time"]
    assert time == [
        f"the plan needs about {p.total_minutes} minutes, more than the 10 you have: your 3 findings to "
        "test need the time; plan more minutes or untick some"
    ]


def test_coverage_lists_a_carried_question_the_plan_lacks(book: Book) -> None:
    mia = book.contact("Mia Manager")
    sam = book.contact("Sam Junior", "junior")
    talk = book.wb.add(
        Interview(
            contact_id=mia,
            status="done",
            scheduled_at=dt.datetime(2026, 3, 2, 10),
            next_questions="What does a graduate analyst earn in the first year",
        )
    )
    book.wb.add(OpenQuestion(text="how long do projects run", suggested_contact_id=sam, interview_id=talk.id))
    p = plan(book.wb, sam, minutes=60)
    carried = [i for i in p.items if i.carried]
    assert [(i.carried, i.text) for i in carried] == [
        ("open", "How long do projects run?"),
        ("next", "What does a graduate analyst earn in the first year?"),
    ]
    assert not [g for g in coverage(p, book.wb) if g.kind == "carried"]
    bare = _without(p, drop=lambda i: bool(i.carried))
    assert [g.message for g in coverage(bare, book.wb) if g.kind == "carried"] == [
        "the open question “how long do projects run” is not in the plan",
        "the “ask next time” note “What does a graduate analyst earn in the first year” is not in the plan",
    ]


def test_an_open_question_and_a_note_asking_the_same_go_in_once(book: Book) -> None:
    mia = book.contact("Mia Manager")
    sam = book.contact("Sam Junior", "junior")
    talk = book.wb.add(
        Interview(
            contact_id=mia,
            status="done",
            scheduled_at=dt.datetime(2026, 3, 2, 10),
            next_questions="Ask how long client projects usually run",
        )
    )
    book.wb.add(
        OpenQuestion(
            text="How long do client projects usually run?", suggested_contact_id=sam, interview_id=talk.id
        )
    )
    p = plan(book.wb, sam, minutes=60)
    assert [i.text for i in p.items if i.carried] == ["How long do client projects usually run?"]
    assert not [g for g in coverage(p, book.wb) if g.kind == "carried"]


def test_two_pay_findings_both_take_the_plain_salary_template(book: Book) -> None:
    # The template that tells what earlier interviews said is for a finding they spoke to.
    ids = [
        book.finding(
            f"Acme pays analysts R{n}0,000 a month.", book.acme, topic="pay", source_title="Job advert"
        )
        for n in (2, 3)
    ]
    items = {
        i.finding_id: i for i in plan(book.wb, book.contact("Sam Junior", "junior")).items if i.finding_id
    }
    assert [items[f].source_question for f in ids] == ["ca-17", "ca-17"]


def test_coverage_names_each_tiara_part_the_plan_lacks(book: Book) -> None:
    full = plan(book.wb, book.contact("Sam Junior", "junior"), minutes=60)
    assert not [g for g in coverage(full, book.wb) if g.kind == "tiara"]
    one = _without(full, drop=lambda i: i.tiara is Tiara.resources)
    assert [(g.kind, g.message) for g in coverage(one, book.wb) if g.kind == "tiara"] == [
        ("tiara", "TIARA: nothing yet on resources (people, courses, places to look)")
    ]
    three = _without(full, drop=lambda i: i.tiara in (Tiara.trends, Tiara.advice, Tiara.assignments))
    assert [g.message for g in coverage(three, book.wb) if g.kind == "tiara"] == [
        "TIARA: nothing yet on trends (where the field is going), advice (what they would do in your place) "
        "and assignments (a small task to try)"
    ]


def test_coverage_reads_the_tiara_part_of_a_saved_question_from_the_bank_and_the_users_own(
    book: Book,
) -> None:
    sam = book.contact("Sam Junior", "junior")
    mine = book.mine("What could I try building this month?", "opportunities", tiara="assignments")
    # As a saved plan reads back: text, category and source, no TIARA part of its own.
    items = (
        PlanItem(Category.industry, "Where is the field going?", "", source_question="in-04"),
        PlanItem(Category.opportunities, "What could I try building this month?", "", source_question=mine),
        PlanItem(Category.closing, "Who else should I talk to?", "", source_question="cl-01"),
    )
    saved = dataclasses.replace(plan(book.wb, sam), items=items)
    assert [g.message for g in coverage(saved, book.wb) if g.kind == "tiara"] == [
        "TIARA: nothing yet on insights (how things really work) and advice (what they would do in "
        "your place)"
    ]


def test_the_users_own_springboard_template_ties_with_the_banks_and_comes_second(book: Book) -> None:
    # For a senior contact the bank's strategy template scores 2, as the user's own template does.
    mine = book.mine("At {organisation}, I read “{finding}”. Is that how it is?")
    ids = [book.finding(f"Acme Analytics changed in way {n}.", book.acme) for n in range(2)]
    items = {
        i.finding_id: i for i in plan(book.wb, book.contact("Sue Senior", "senior")).items if i.finding_id
    }
    assert [items[f].source_question for f in ids] == ["or-03", mine]
    assert (
        items[ids[1]].text
        == "At Acme Analytics, I read “Acme Analytics changed in way 1”. Is that how it is?"
    )


@pytest.mark.parametrize(
    ("seniority", "own_area"),
    [
        # The bank's question on the user's goal scores 5 (their focus 3, the goal 2); so does the
        # user's own question on their focus (3 + 2), added later: the bank's goes in first as
        # their own area.
        ((), "bank"),
        # With a narrow band of seniority the user's question scores 6 and goes first.
        (("mid",), "mine"),
    ],
)
def test_a_question_on_the_users_goal_scores_two_more(
    book: Book, seniority: tuple[str, ...], own_area: str
) -> None:
    book.wb.add(
        Profile(name="Lee Learner", target_roles=["Software engineer"], career_stage="career_changer")
    )
    mine = book.mine(
        "Which tools does your team use?", "role", focus_tags=["technology"], seniority=seniority
    )
    p = plan(book.wb, book.contact("Tariq Byte", focus="technology"), minutes=30)
    goal = _item(p, "rq-07")
    area = "a technology specialist's own area"
    narrow = "; suits a mid contact" if seniority else ""
    if own_area == "bank":
        assert goal.reason == f"{area}; their focus: technology; your goal: technology"
        assert _item(p, mine).reason == "in role and day-to-day; their focus: technology; your own question"
    else:
        assert goal.reason == "covers requirements; their focus: technology; your goal: technology"
        assert _item(p, mine).reason == f"{area}; their focus: technology{narrow}; your own question"


def _held(book: Book, contact: int, notes: str) -> int:
    talk = book.wb.add(
        Interview(
            contact_id=contact, status="done", scheduled_at=dt.datetime(2026, 3, 2, 10), next_questions=notes
        )
    )
    assert talk.id is not None
    return talk.id


def test_an_ask_next_time_note_goes_in_when_it_exactly_fits(book: Book) -> None:
    _held(book, book.contact("Mia Manager"), "How long do client projects usually run")
    sam = book.contact("Sam Junior", "junior")
    # The opener (3), salary (3), chances (3) and "who else" (2) come first; the note takes 3.
    exact = plan(book.wb, sam, minutes=14)
    assert [i.text for i in exact.items if i.carried] == ["How long do client projects usually run?"]
    assert exact.total_minutes == 14
    assert not [i for i in plan(book.wb, sam, minutes=13).items if i.carried]


def test_an_open_question_on_the_users_chances_stands_in_for_the_chances_question(book: Book) -> None:
    sam = book.contact("Sam Junior", "junior")
    book.wb.add(OpenQuestion(text="What are my chances of getting hired at Acme?", suggested_contact_id=sam))
    p = plan(book.wb, sam, minutes=30)
    carried = next(i for i in p.items if i.carried)
    assert (carried.text, carried.category) == (
        "What are my chances of getting hired at Acme?",
        Category.career,
    )
    assert not [i for i in p.items if i.reason.startswith("career: a candid read")]
    assert "career: salary" in [i.reason for i in p.items]


def test_a_question_for_the_users_target_role_needs_one(book: Book) -> None:
    sam = book.contact("Sam Junior", "junior")
    assert not any(
        "{target_role}" in i.text or "role like" in i.text for i in plan(book.wb, sam, minutes=90).items
    )
    book.wb.add(Profile(name="Lee Learner", target_roles=["Data analyst"]))
    texts = [i.text for i in plan(book.wb, sam, minutes=90).items]
    assert "What would someone need to show to be taken seriously for a role like Data analyst?" in texts


def test_a_salary_finding_leaves_out_the_question_offering_a_salary_range(book: Book) -> None:
    sam = book.contact("Sam Junior", "junior")
    assert "ca-01" in [i.source_question for i in plan(book.wb, sam, minutes=90).items]
    book.finding("Analysts start on R18,000 a month.", topic="salaries")
    p = plan(book.wb, sam, minutes=90)
    assert not [i for i in p.items if "salary_range" in i.topics]
    assert sum("salary" in i.topics for i in p.items) == 1


def test_the_users_own_springboard_template_keeps_its_focus(book: Book) -> None:
    mine = book.mine("I read “{finding}”. How does your data team see it?{heard}", focus_tags=["technology"])
    fid = book.finding("Acme Analytics moved to one data platform.", book.acme)
    p = plan(book.wb, book.contact("Tariq Byte", "junior", "technology"), minutes=30)
    item = next(i for i in p.items if i.finding_id == fid)
    assert item.source_question == mine and item.focus == ("technology",)
    # No one has spoken to the finding yet: nothing is said of what they said.
    assert item.text == "I read “Acme Analytics moved to one data platform”. How does your data team see it?"
    # It is a question on their own area already: none is added for it.
    assert not [i for i in p.items if "own area" in i.reason]


# -- what each picked question carries, and where it goes -------------------------------------------


def test_a_plan_is_for_thirty_minutes_unless_told(book: Book) -> None:
    p = plan(book.wb, book.contact("Sam Junior", "junior"))
    assert p.minutes == 30 and p.total_minutes == 30


def test_a_picked_question_keeps_its_tiara_part_and_how_close_it_is_to_the_goal(book: Book) -> None:
    mine = book.mine("What is Acme like to work for?")
    p = plan(book.wb, book.contact("Sam Junior", "junior"), minutes=30)
    closer = p.items[-1]
    assert (closer.source_question, closer.tiara, closer.goal) == ("cl-01", Tiara.resources, 0)
    salary = _item(p, "ca-01")
    assert (salary.tiara, salary.goal) == (Tiara.insights, 1)
    assert _item(p, mine).goal == 2


def test_springboards_and_carried_questions_lead_their_category(book: Book) -> None:
    sector = [book.finding(f"Analytics firms changed in way {n}.") for n in range(2)]
    pay = book.finding("Analysts start on R18,000 a month.", topic="salaries")
    sam = book.contact("Sam Junior", "junior")
    book.wb.add(OpenQuestion(text="How does promotion work here?", suggested_contact_id=sam))
    book.wb.add(OpenQuestion(text="How fast is progression for analysts?", suggested_contact_id=sam))
    p = plan(book.wb, sam, minutes=90)
    industry = [i for i in p.items if i.category is Category.industry]
    assert [i.finding_id for i in industry[:2]] == sector and len(industry) > 2
    assert not any(i.finding_id for i in industry[2:])
    career = [i for i in p.items if i.category is Category.career]
    assert [(i.finding_id, i.carried) for i in career[:3]] == [(pay, ""), (None, "open"), (None, "open")]
    assert [i.text for i in career[1:3]] == [
        "How does promotion work here?",
        "How fast is progression for analysts?",
    ]
    assert len(career) > 3 and not any(i.carried or i.finding_id for i in career[3:])


def test_an_open_question_naming_their_organisation_goes_under_organisation(book: Book) -> None:
    sam = book.contact("Sam Junior", "junior")
    book.wb.add(OpenQuestion(text="Why did Acme Analytics move offices?", suggested_contact_id=sam))
    book.wb.add(OpenQuestion(text="Why are firms moving offices?", suggested_contact_id=sam))
    carried = [(i.text, i.category) for i in plan(book.wb, sam).items if i.carried]
    assert carried == [
        ("Why are firms moving offices?", Category.industry),
        ("Why did Acme Analytics move offices?", Category.organisation),
    ]


def test_a_generic_opener_asks_for_rapport_not_just_any_background(book: Book) -> None:
    for seniority in ("senior", "very_senior"):
        p = plan(book.wb, book.contact(f"Sue {seniority}", seniority), minutes=30)
        assert (p.items[0].source_question, p.items[0].reason) == ("bg-01", "rapport: their own path first")


@pytest.mark.parametrize(("how_found", "opener"), [("alumni", "bg-15"), ("event", "bg-16")])
def test_the_opener_follows_how_the_user_found_them(book: Book, how_found: str, opener: str) -> None:
    p = plan(book.wb, book.contact("Al Umni", how_found=how_found), minutes=30)
    assert p.items[0].source_question == opener
    assert p.items[0].reason.startswith("rapport: you ")


def test_personal_openers_never_fill_a_long_plan(book: Book) -> None:
    openers = {"bg-12", "bg-13", "bg-14", "bg-15", "bg-16"}
    for seniority in ("junior", "mid", "senior", "very_senior"):
        p = plan(book.wb, book.contact(f"Pat {seniority}", seniority), minutes=150)
        assert not openers & {i.source_question for i in p.items}, seniority


def test_the_salary_range_question_stays_when_no_finding_is_about_pay(book: Book) -> None:
    # A public-sector specialist's own pay question comes first; the salary range one fills later.
    book.finding("Councils are hiring more planners.", topic="public sector hiring")
    official = book.contact("Olu Official", focus="public_sector")
    p = plan(book.wb, official, minutes=90)
    assert _item(p, "ca-11").reason.startswith("career: salary")
    assert "ca-01" in [i.source_question for i in p.items]
    book.finding("Council planners start on R20,000 a month.", topic="salaries")
    assert "ca-01" not in [i.source_question for i in plan(book.wb, official, minutes=90).items]


def test_a_short_plan_covers_the_categories_closest_to_the_users_way_in_first(book: Book) -> None:
    p = plan(book.wb, book.contact("Sam Junior", "junior"), minutes=20)
    assert [(i.source_question, i.reason) for i in p.items] == [
        ("bg-06", "rapport: their own path first; suits a junior contact"),
        ("ro-01", "covers role and day-to-day"),
        ("rq-01", "covers requirements"),
        ("ca-01", "career: salary"),
        ("ca-05", "career: a candid read of your chances"),
        ("ap-01", "covers application"),
        ("cl-01", "closing: who else to talk to, always last"),
    ]


def test_covering_a_category_takes_its_question_closest_to_the_users_goal(book: Book) -> None:
    book.wb.add(
        Profile(name="Lee Learner", target_roles=["Software engineer"], career_stage="career_changer")
    )
    p = plan(book.wb, book.contact("Tariq Byte", focus="technology"), minutes=30)
    application = [i for i in p.items if i.category is Category.application]
    assert [(i.source_question, i.reason) for i in application] == [
        ("ap-10", "covers application; their focus: technology; your goal: technology")
    ]


def test_an_ask_next_time_note_comes_after_the_salary_and_chances_questions_and_before_the_rest(
    book: Book,
) -> None:
    _held(book, book.contact("Mia Manager"), "How does promotion work for analysts")
    mine = book.mine("Which teams do analysts move to after a few years?", "career")
    p = plan(book.wb, book.contact("Sam Junior", "junior"), minutes=90)
    career = [i for i in p.items if i.category is Category.career]
    assert [i.reason.split(";")[0] for i in career[:4]] == [
        "career: salary",
        "career: a candid read of your chances",
        "carried over: “ask next time”, after talking to Mia Manager on 2 March",
        "in career",
    ]
    assert career[3].source_question == mine and len(career) > 4


def test_a_focus_tag_no_question_shares_adds_nothing(book: Book) -> None:
    p = plan(book.wb, book.contact("Bea Keeper", "junior", focus_tags=["beekeeping"]), minutes=30)
    assert not [i for i in p.items if "own area" in i.reason]
    assert p.total_minutes == 30


def test_the_question_on_the_users_open_area_to_develop_follows_salary_and_chances(tmp_path: Path) -> None:
    from iivkit.workbook import demo

    with demo.build_demo(tmp_path / "demo.iiv") as wb:
        farah = next(c for c in wb.all(Contact) if c.name == "Farah Ismail")
        career = [i for i in plan(wb, farah.id or 0, minutes=60).items if i.category is Category.career]
    assert [i.finding_id is not None for i in career] == [True, False, False, False, False]
    assert [i.carried for i in career] == ["", "open", "", "", ""]
    assert career[2].reason.startswith("career: a candid read of your chances")
    assert (
        career[3].reason.startswith("career: your top open area to develop")
        and "development" in career[3].topics
    )
    assert career[4].reason.startswith("on your goal, in career")


def test_a_senior_generalists_short_plan_covers_the_best_scoring_categories_first(book: Book) -> None:
    p = plan(book.wb, book.contact("Sue Senior", "senior"), minutes=20)
    assert [(i.source_question, i.reason) for i in p.items] == [
        ("bg-01", "rapport: their own path first"),
        ("ro-20", "covers role and day-to-day; fits a generalist: the organisation as a whole"),
        ("rq-12", "covers requirements; fits a senior contact: strategy"),
        ("ca-01", "career: salary"),
        ("ca-05", "career: a candid read of your chances"),
        ("ca-06", "balance: assignments (TIARA)"),
        ("cl-03", "closing: who else to talk to, always last; fits a senior contact: strategy"),
    ]


def test_a_juniors_half_hour_plan_covers_every_category(book: Book) -> None:
    p = plan(book.wb, book.contact("Sam Junior", "junior"), minutes=30)
    assert [(i.source_question, i.reason) for i in p.items] == [
        ("bg-06", "rapport: their own path first; suits a junior contact"),
        ("in-04", "covers industry"),
        ("or-04", "covers organisation"),
        ("ro-01", "covers role and day-to-day"),
        ("rq-01", "covers requirements"),
        ("ca-01", "career: salary"),
        ("ca-05", "career: a candid read of your chances"),
        ("ca-06", "balance: assignments (TIARA)"),
        ("ap-01", "covers application"),
        ("op-01", "covers opportunities"),
        ("cl-01", "closing: who else to talk to, always last"),
    ]


@pytest.mark.parametrize(
    ("minutes", "categories"),
    [
        (31, ["application"]),
        (32, ["application"]),
        (33, ["application", "opportunities"]),
        (36, ["requirements", "application", "opportunities"]),  # in the plan's order
    ],
)
def test_questions_on_the_users_goal_go_in_best_scoring_first(
    book: Book, minutes: int, categories: list[str]
) -> None:
    book.wb.add(
        Profile(name="Lee Learner", target_roles=["Software engineer"], career_stage="career_changer")
    )
    # The user's own questions cover application and opportunities, so the bank's questions there
    # on the goal (their focus 3, the goal 2) wait for the goal step, with those on requirements
    # and career (the career changer's stage 2).
    book.mine("Which of my projects should I show?", "application")
    book.mine("Is there a meetup I could join?", "opportunities")
    p = plan(book.wb, book.contact("Tariq Byte", focus="technology"), minutes=minutes)
    on_goal = [i.reason.split(";")[0] for i in p.items if i.reason.startswith("on your goal")]
    assert on_goal == [f"on your goal, in {c}" for c in categories]


def test_a_chief_executives_plan_fills_the_time_with_strategy_and_spreads_out(book: Book) -> None:
    p = plan(book.wb, book.contact("Grace Chief", "very_senior"), minutes=40)
    strategy = "fits a very senior contact: strategy"
    assert [(i.source_question, i.reason) for i in p.items] == [
        ("bg-01", "rapport: their own path first"),
        ("bg-10", f"adds to rapport and background; {strategy}"),
        ("in-06", f"covers industry; {strategy}"),
        ("or-06", f"covers organisation; {strategy}"),
        ("ro-18", f"covers role and day-to-day; {strategy}"),
        ("ro-06", "balance: assignments (TIARA)"),
        ("rq-12", f"covers requirements; {strategy}"),
        ("ca-01", "career: salary"),
        ("ca-05", "career: a candid read of your chances"),
        ("ca-15", "adds to career; fits a generalist: the organisation as a whole"),
        ("ap-01", "covers application"),
        ("op-08", f"covers opportunities; {strategy}"),
        ("cl-03", f"closing: who else to talk to, always last; {strategy}"),
    ]
