"""The question bank: shipped questions that cover the whole method, plus the user's own."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from iivkit.errors import ValidationFailed
from iivkit.method.bank import (
    BankQuestion,
    add_question,
    all_questions,
    fill,
    infer_topics,
    load_bank,
    user_questions,
)
from iivkit.workbook.models import Category, FocusArea, Question, Seniority
from iivkit.workbook.store import Workbook


@pytest.fixture
def wb(tmp_path: Path) -> Workbook:
    return Workbook.create(tmp_path / "bank.iiv")


def test_bank_has_at_least_80_questions_covering_every_category() -> None:
    bank = load_bank()
    assert len(bank) >= 80
    per_category = Counter(q.category for q in bank)
    assert set(per_category) == set(Category)
    assert min(per_category.values()) >= 5


def test_question_ids_are_unique_and_stable() -> None:
    ids = [q.id for q in load_bank()]
    assert len(ids) == len(set(ids))
    assert ids[0] == "bg-01"
    prefixes = {
        "bg": "background",
        "in": "industry",
        "or": "organisation",
        "ro": "role",
        "rq": "requirements",
        "ca": "career",
        "ap": "application",
        "op": "opportunities",
        "cl": "closing",
    }
    assert all(prefixes[q.id[:2]] == q.category.value for q in load_bank())


def test_every_question_has_a_time_estimate_and_tags_from_the_models() -> None:
    focus_values = {f.value for f in FocusArea}
    for q in load_bank():
        assert 1 <= q.minutes <= 4, q.id
        assert set(q.focus) <= focus_values, q.id
        assert all(isinstance(s, Seniority) for s in q.seniority), q.id


def test_bank_covers_what_the_method_asks_about() -> None:
    topics = Counter(t for q in load_bank() for t in q.topics)
    for needed in (
        "rapport",
        "trends",
        "salary",
        "environment",
        "chances",
        "skills",
        "licence",
        "physical_health",
        "cv",
        "cover_letter",
        "department",
        "job_titles",
        "internship",
        "learnership",
        "volunteering",
        "referral",
    ):
        assert topics[needed], f"no question about {needed}"
    assert any(q.tiara for q in load_bank())
    assert {q.tiara.value for q in load_bank() if q.tiara} == {
        "trends",
        "insights",
        "advice",
        "resources",
        "assignments",
    }


def test_salary_question_offers_the_users_own_research() -> None:
    salary = [q for q in load_bank() if "salary" in q.topics]
    assert any("I looked at salary" in q.text or "range I found" in q.text for q in salary)


def test_every_contact_can_get_a_rapport_opener_a_springboard_and_a_who_else_question() -> None:
    for seniority in Seniority:
        for focus in FocusArea:
            usable = [q for q in load_bank() if q.fits(seniority) and q.suits_focus(focus)]
            assert any("rapport" in q.topics for q in usable)
            assert any(q.springboard and q.category is Category.organisation for q in usable)
            assert any(q.springboard and q.category is Category.industry for q in usable)
            assert any(
                q.category is Category.closing and "who else should i talk to" in q.text.lower()
                for q in usable
            )


def test_senior_people_get_strategy_questions_and_specialists_their_own() -> None:
    bank = load_bank()
    assert sum(q.strategy for q in bank) >= 8
    assert not any(q.strategy and q.fits(Seniority.junior) for q in bank)
    for focus in FocusArea:
        if focus is not FocusArea.general:
            assert sum(focus.value in q.focus for q in bank) >= 2, focus


def test_springboard_templates_fill_finding_source_and_organisation() -> None:
    templates = [q for q in load_bank() if q.springboard]
    assert len(templates) >= 4
    assert any("{organisation}" in q.text for q in templates)
    text = fill(templates[0].text, finding="X is hiring", source="“The Report”", organisation="Acme")
    assert "{" not in text
    assert "X is hiring" in text and "The Report" in text


def test_fill_leaves_unknown_braces_alone() -> None:
    assert fill("{organisation} {other} {", organisation="Acme") == "Acme {other} {"


def test_a_bank_entry_with_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown placeholder"):
        BankQuestion(id="in-99", category="industry", text="What about {company}?")


def test_a_users_question_joins_the_bank_with_a_user_id(wb: Workbook) -> None:
    added = add_question(
        wb,
        "What would you tell a psychology graduate about data work?",
        "role",
        seniority=["senior"],
        focus_tags=["technology", "strategy"],
        tiara="advice",
    )
    assert added.id.startswith("user-") and added.user
    assert added.strategy and added.focus == ("technology",)
    assert wb.count(Question) == 1
    questions = all_questions(wb)
    assert questions[-1] == added
    assert len(questions) == len(load_bank()) + 1
    assert user_questions(wb) == [added]


def test_a_users_question_with_a_bad_category_writes_nothing(wb: Workbook) -> None:
    with pytest.raises((ValueError, ValidationFailed)):
        add_question(wb, "Anything?", "gossip")
    assert wb.count(Question) == 0


def test_topics_are_recognised_in_a_users_own_words() -> None:
    assert infer_topics("What do graduates earn in their first year?") == ("salary",)
    assert "referral" in infer_topics("Who else could I speak to?")
    assert "chances" in infer_topics("Honestly, what are my chances?")


def test_the_bank_has_springboards_for_a_contacts_own_work_and_for_pay() -> None:
    springboards = [q for q in load_bank() if q.springboard]
    for category in (Category.organisation, Category.industry):
        own = [q for q in springboards if q.category is category and "own_work" in q.topics]
        assert own and all("you wrote" in q.text.lower() for q in own), category
    pay = [q for q in springboards if "salary" in q.topics]
    assert pay and all(q.category is Category.career for q in pay)
    assert any(q.text.startswith("A salary guide I found") for q in pay)


def test_a_follow_up_to_who_else_is_recognised_by_its_words() -> None:
    assert "after_referral" in infer_topics("If you do suggest someone, may I mention your name?")
    assert "after_referral" not in infer_topics("Who else should I talk to?")
    tagged = [q.id for q in load_bank() if "after_referral" in q.topics]
    assert tagged == ["cl-05"]
