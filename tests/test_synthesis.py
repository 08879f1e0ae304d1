"""Synthesis across interviews: who should answer each open question, salary remarks, recurring
advice, and the strengths and areas to develop that people saw."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from iivkit.method import growth
from iivkit.method.planner import plan
from iivkit.method.synthesis import (
    advice_groups,
    hiring_signals,
    recurring_advice,
    route_open_questions,
    salary_remarks,
)
from iivkit.workbook.models import (
    Contact,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
)
from iivkit.workbook.store import Workbook


@dataclasses.dataclass
class Team:
    wb: Workbook
    ceo: int  # very senior generalist at Acme, interviewed
    engineer: int  # mid technology specialist at Acme
    recruiter: int  # mid HR specialist at Beta Health
    nurse: int  # junior clinical contact at Beta Health
    declined: int  # technology specialist who declined
    first: int  # interview with the CEO
    second: int  # interview with the recruiter


def _id(record: Contact | Interview | Organisation) -> int:
    assert record.id is not None
    return record.id


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    wb = Workbook.create(tmp_path / "synthesis.iiv")
    acme = _id(wb.add(Organisation(name="Acme Analytics")))
    beta = _id(wb.add(Organisation(name="Beta Health")))

    def contact(
        name: str, org: int, seniority: str, focus: str, role: str, status: str = "identified"
    ) -> int:
        return _id(
            wb.add(
                Contact(
                    name=name,
                    organisation_id=org,
                    seniority=seniority,
                    focus_area=focus,
                    role=role,
                    status=status,
                )
            )
        )

    ceo = contact("Grace Mokoena", acme, "very_senior", "general", "Chief Executive", "thanked")
    engineer = contact("Tariq Byte", acme, "mid", "technology", "Data Engineer")
    recruiter = contact("Lindiwe Dube", beta, "mid", "hr", "Talent Partner", "thanked")
    nurse = contact("Ben Carter", beta, "junior", "clinical", "Staff Nurse")
    declined = contact("Pat Coder", acme, "senior", "technology", "Software Lead", "declined")
    first = _id(
        wb.add(
            Interview(
                contact_id=ceo,
                status="debriefed",
                scheduled_at=dt.datetime(2026, 9, 8, 10, 0),
                salary_info="Graduates start at about R20,000 a month here.",
            )
        )
    )
    second = _id(
        wb.add(Interview(contact_id=recruiter, status="debriefed", scheduled_at=dt.datetime(2026, 9, 1, 9)))
    )
    yield Team(wb, ceo, engineer, recruiter, nurse, declined, first, second)
    wb.close()


def ask(team: Team, text: str, how: str = "", *, raised_in: int | None = None) -> int:
    q = team.wb.add(OpenQuestion(text=text, how_to_answer=how, interview_id=raised_in))
    assert q.id is not None
    return q.id


# -- routing open questions ------------------------------------------------------------------


def test_open_questions_route_to_the_contact_whose_focus_fits(team: Team) -> None:
    tech = ask(team, "Which software and data tools would I need to learn first?", raised_in=team.first)
    hiring = ask(team, "How does recruitment for graduates work, and who screens the applications?")
    clinic = ask(team, "What is a shift on the hospital ward like for patients and staff?")
    routes = route_open_questions(team.wb)
    assert routes.loc[tech, "best_contact_id"] == team.engineer
    assert "focus technology" in routes.loc[tech, "reason"]
    assert routes.loc[hiring, "best_contact_id"] == team.recruiter
    assert routes.loc[clinic, "best_contact_id"] == team.nurse
    assert routes.loc[tech, "raised_with"] == "Grace Mokoena"


def test_a_question_naming_a_contact_or_organisation_routes_there(team: Team) -> None:
    named = ask(team, "Is the analytics team growing?", "Ask Lindiwe when we next speak.")
    org = ask(team, "Does Beta Health take interns?")
    routes = route_open_questions(team.wb)
    assert routes.loc[named, "best_contact_id"] == team.recruiter
    assert "named: Lindiwe Dube" in routes.loc[named, "reason"]
    assert routes.loc[org, "organisation"] == "Beta Health"
    assert "works at Beta Health" in routes.loc[org, "reason"]


def test_strategy_questions_go_to_senior_people_and_entry_questions_to_junior_ones(team: Team) -> None:
    strategic = ask(team, "Where is Acme Analytics heading, and what is its strategy?", raised_in=team.second)
    entry = ask(team, "What is the first year like for a graduate at Beta Health?")
    routes = route_open_questions(team.wb)
    assert routes.loc[strategic, "best_contact_id"] == team.ceo
    assert routes.loc[entry, "best_contact_id"] == team.nurse


def test_routing_skips_the_person_who_raised_it_and_people_who_declined(team: Team) -> None:
    q = ask(team, "How does Acme Analytics decide on new software?", "Ask Grace", raised_in=team.first)
    routes = route_open_questions(team.wb)
    assert (
        routes.loc[q, "best_contact_id"] == team.engineer
    )  # not the CEO who raised it, not Pat who declined


def test_a_question_nobody_fits_gets_no_contact_and_says_so(team: Team) -> None:
    q = ask(team, "Zzz qqq?")
    routes = route_open_questions(team.wb)
    assert routes.loc[q, "best_contact"] is None
    assert "no contact fits" in routes.loc[q, "reason"]


def test_answered_questions_are_not_routed(team: Team) -> None:
    ask(team, "Which software do they use?")
    team.wb.add(OpenQuestion(text="Old question about software", status="answered", answer="Python."))
    assert len(route_open_questions(team.wb)) == 1


# -- salary remarks and advice ---------------------------------------------------------------


def test_salary_remarks_come_from_interview_notes_and_salary_insights(team: Team) -> None:
    team.wb.add(
        Insight(interview_id=team.second, kind="salary", text="Talent partners earn R35,000 after 3 years.")
    )
    team.wb.add(Insight(interview_id=team.second, kind="advice", text="Not a salary remark."))
    df = salary_remarks(team.wb)
    assert list(df["remark"]) == [
        "Talent partners earn R35,000 after 3 years.",
        "Graduates start at about R20,000 a month here.",
    ]
    first = df.iloc[0]
    assert (first["contact"], first["organisation"], first["role"], first["seniority"], first["date"]) == (
        "Lindiwe Dube",
        "Beta Health",
        "Talent Partner",
        "mid",
        "2026-09-01",
    )
    assert list(df["source"]) == ["insight", "salary notes"]


def test_recurring_advice_is_grouped_with_counts_and_who_gave_it(team: Team) -> None:
    for interview, text, tiara in [
        (team.first, "Keep your CV to two pages and lead with projects.", None),
        (team.second, "Rewrite the cover letter for every application.", None),
        (team.second, "Volunteer at a clinic to get experience.", "advice"),
        (team.first, "Be patient with the public service hiring process.", None),
    ]:
        kind = "insight" if tiara else "advice"
        team.wb.add(Insight(interview_id=interview, kind=kind, tiara=tiara, text=text))
    team.wb.add(Insight(interview_id=team.first, kind="insight", text="Not advice: the CV market is busy."))
    df = recurring_advice(team.wb)
    top = df.iloc[0]
    assert top["group"] == "CV and cover letter"
    assert top["count"] == 2
    assert top["contacts"] == "Grace Mokoena, Lindiwe Dube"
    assert len(top["examples"]) == 2
    assert set(df["group"]) == {
        "CV and cover letter",
        "Experience: internships, learnerships, volunteering",
        "Persistence and attitude",
    }
    assert df["count"].sum() == 4


def test_advice_outside_the_themes_is_grouped_by_a_shared_word() -> None:
    groups = advice_groups(["Read the annual report.", "Annual reviews matter.", "Smile."])
    assert groups == ["about 'annual'", "about 'annual'", "Other advice"]


def test_no_advice_gives_an_empty_table(team: Team) -> None:
    assert recurring_advice(team.wb).empty


def test_hiring_signals_are_listed_by_organisation(team: Team) -> None:
    team.wb.add(
        Insight(interview_id=team.first, kind="hiring_signal", text="Acme hires two analysts in March.")
    )
    team.wb.add(
        Insight(interview_id=team.second, kind="hiring_signal", text="Beta Health is freezing posts.")
    )
    df = hiring_signals(team.wb)
    assert list(df["organisation"]) == ["Acme Analytics", "Beta Health"]
    assert list(df["contact"]) == ["Grace Mokoena", "Lindiwe Dube"]


# -- strengths and areas to develop ----------------------------------------------------------


def said(team: Team, interview: int, kind: str, text: str, advice: str = "") -> None:
    team.wb.add(Insight(interview_id=interview, kind=kind, text=text, advice=advice))


def later_interview(team: Team, contact: int, day: int) -> int:
    return _id(
        team.wb.add(
            Interview(contact_id=contact, status="debriefed", scheduled_at=dt.datetime(2026, 9, day, 9))
        )
    )


def test_a_development_area_named_in_two_debriefs_shows_in_the_synthesis_and_the_next_plan(
    team: Team,
) -> None:
    said(team, team.second, "development", "A research portfolio", "Write up two small studies.")
    said(team, team.first, "development", "Research portfolios.", "Volunteer for a usability study")
    said(team, team.first, "development", "Public speaking", "Join a toastmasters club.")

    (top, other) = growth.development_areas(team.wb)
    assert (top.name, top.count, top.open) == ("A research portfolio", 2, True)
    assert top.people == ("Lindiwe Dube", "Grace Mokoena"), "in the order heard: 1 September first"
    assert top.advice == (
        ("Write up two small studies.", "Lindiwe Dube"),
        ("Volunteer for a usability study", "Grace Mokoena"),
    )
    assert (other.name, other.count) == ("Public speaking", 1)
    table = growth.development_frame(team.wb)
    assert table.iloc[0]["advice"] == (
        "Lindiwe Dube's advice: write up two small studies. "
        "Grace Mokoena's advice: volunteer for a usability study."
    )

    items = plan(team.wb, team.nurse, 30).items
    (asked,) = [i for i in items if "development" in i.topics]
    assert asked.text.startswith("Two people I spoke to saw a research portfolio as something I still need")
    assert asked.text.endswith("?")
    assert "named by Lindiwe Dube and Grace Mokoena" in asked.reason


def test_the_plan_for_someone_who_named_the_top_area_asks_about_the_next_one(team: Team) -> None:
    said(team, team.second, "development", "A research portfolio")
    said(team, team.first, "development", "A research portfolio")
    said(team, team.second, "development", "SQL")
    items = plan(team.wb, team.ceo, 30).items
    (asked,) = [i for i in items if "development" in i.topics]
    assert asked.text.startswith("Someone I spoke to saw SQL as"), "an acronym keeps its capitals"
    said(team, team.first, "development", "sql")
    assert not [i for i in plan(team.wb, team.ceo, 30).items if "development" in i.topics]


def test_an_area_named_as_a_strength_in_a_later_interview_is_addressed_and_no_longer_asked(
    team: Team,
) -> None:
    said(team, team.second, "development", "Data analysis")
    said(team, team.first, "development", "Data analysis")
    said(team, team.first, "strength", "Data analysis")  # in the same interview: still open
    assert growth.development_areas(team.wb)[0].open

    said(team, later_interview(team, team.engineer, 15), "strength", "data analysis.")
    (area,) = growth.development_areas(team.wb)
    assert not area.open
    assert list(growth.development_frame(team.wb)["status"]) == ["addressed"]
    assert growth.top_open_area(team.wb) is None
    assert not [i for i in plan(team.wb, team.nurse, 30).items if "development" in i.topics]
    assert not any("Data analysis: an area" in line for line in growth.summary(team.wb))


def test_strengths_several_people_saw_come_first_with_who_saw_them(team: Team) -> None:
    said(team, team.second, "strength", "Calm under pressure")
    said(team, team.first, "strength", "Clear writing")
    said(team, team.first, "strength", "calm, under pressure!")
    said(team, later_interview(team, team.ceo, 20), "strength", "Clear writing")  # the same person again
    df = growth.strengths_frame(team.wb)
    assert df.to_dict("records") == [
        {"strength": "Calm under pressure", "people": 2, "who": "Lindiwe Dube and Grace Mokoena"},
        {"strength": "Clear writing", "people": 1, "who": "Grace Mokoena"},
    ]
    assert growth.summary(team.wb) == [
        "Calm under pressure: a strength two people saw (Lindiwe Dube and Grace Mokoena)."
    ]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("A portfolio", "portfolios"),
        ("My CV's layout.", "CV layout"),
        ("The  Statistics", "statistic"),
        ("Driver's licence", "a driver’s licence"),
    ],
)
def test_names_match_whatever_their_case_punctuation_article_or_plural(one: str, other: str) -> None:
    assert growth.normalise(one) == growth.normalise(other)


@pytest.mark.parametrize(
    ("one", "other"), [("R skills", "programming in R"), ("数据分析", "沟通能力"), ("Excel", "")]
)
def test_names_in_other_words_stay_apart(one: str, other: str) -> None:
    assert growth.normalise(one) != growth.normalise(other)


def test_the_development_question_waits_when_the_plan_has_no_room(team: Team) -> None:
    said(team, team.first, "development", "Public speaking")
    nurse = team.wb.get(Contact, team.nurse)
    assert growth.plan_questions(team.wb, nurse, room=growth.QUESTION_MINUTES - 1) == []
    (item,) = growth.plan_questions(team.wb, nurse, room=growth.QUESTION_MINUTES)
    assert item["text"].startswith("Someone I spoke to saw public speaking as")


def test_no_strengths_or_areas_give_empty_tables(team: Team) -> None:
    assert growth.strengths_frame(team.wb).empty and growth.development_frame(team.wb).empty
    assert growth.summary(team.wb) == [] and growth.top_open_area(team.wb) is None


# -- on the demo -----------------------------------------------------------------------------


def test_demo_open_questions_route_with_reasons(tmp_path: Path) -> None:
    from iivkit.workbook import demo

    with demo.build_demo(tmp_path / "demo.iiv") as wb:
        routes = route_open_questions(wb)
        names = {c.id: c.name for c in wb.all(Contact)}
        assert not salary_remarks(wb).empty
        assert not recurring_advice(wb).empty
        top = growth.top_open_area(wb)
        lerato = next(c for c in wb.all(Contact) if c.name == "Lerato Khumalo")
        lerato_plan = plan(wb, lerato.id or 0, 30)
    assert len(routes) >= 3
    assert routes["best_contact_id"].notna().all()
    assert (routes["reason"].str.len() > 0).all()
    ethics = routes[routes["question"].str.contains("ethics approval")]
    assert names[int(ethics["best_contact_id"].iloc[0])] == "Lerato Khumalo"
    assert top is not None and top.count == 2, "two people in the demo named the same area to develop"
    assert any(top.name.lower() in i.text for i in lerato_plan.items), "her plan asks about it"
