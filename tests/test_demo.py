"""The demo workbook and the synthetic class: rich enough to show every view, and reproducible."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Profile,
    Question,
    Workbook,
)
from iivkit.errors import WorkbookExistsError
from iivkit.workbook.demo import build_class, build_demo
from iivkit.workbook.models import RECORD_TYPES, Category, InterviewStatus, Outcome


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Workbook]:
    wb = build_demo(tmp_path / "demo.iiv")
    try:
        yield wb
    finally:
        wb.close()


def _dump(path: Path) -> dict[str, list[dict[str, object]]]:
    with Workbook.open(path) as wb:
        return {m.table: [r.model_dump(mode="json") for r in wb.all(m)] for m in RECORD_TYPES}


def _stage(path: Path) -> str:
    """done, half or barely, judged the way an instructor would."""
    with Workbook.open(path) as wb:
        interviews = wb.all(Interview)
        if len(interviews) == 3 and all(i.status is InterviewStatus.debriefed for i in interviews):
            return "done"
        if interviews and wb.count(Finding) and wb.count(Contact):
            return "half"
        if not interviews and not wb.count(Contact) and wb.count(Finding) <= 1:
            return "barely"
        return "other"


# -- the demo workbook ------------------------------------------------------------------------


def test_demo_profile_has_a_vision_and_targets(demo: Workbook) -> None:
    profile = demo.profile()
    assert profile is not None
    assert profile.name and profile.current_qualification and profile.previous_qualifications
    assert len(profile.career_vision) > 100 and len(profile.vision_and_targets) > 100
    assert profile.timezone == "Africa/Johannesburg"


def test_demo_research_covers_organisations_and_sourced_findings(demo: Workbook) -> None:
    orgs = demo.all(Organisation)
    assert len(orgs) >= 3
    assert all(o.divisions and o.locations and o.main_business and o.job_kinds for o in orgs)

    findings = demo.all(Finding)
    assert len(findings) >= 12
    for f in findings:
        assert f.source_title and f.source_date, f.describe()
        assert f.source_link.startswith("https://") and ".example." in f.source_link, f.source_link
        assert f.source_author
    assert len({f.confidence for f in findings}) == 3
    to_test = [f for f in findings if f.to_test]
    assert len(to_test) >= 5
    assert all(f.organisation_id is not None for f in to_test)


def test_demo_contacts_mix_seniority_focus_and_how_found(demo: Workbook) -> None:
    contacts = demo.all(Contact)
    assert len(contacts) >= 5
    assert len({c.seniority for c in contacts}) >= 3
    assert len({c.focus_area for c in contacts}) >= 3
    assert {"article_author", "alumni", "referral"} <= {c.how_found.value for c in contacts}
    assert len({c.status for c in contacts}) >= 5
    assert all(c.email and c.email.split("@")[1].split(".")[-2] == "example" for c in contacts)

    referred = [c for c in contacts if c.referred_by_id is not None]
    assert referred
    for contact in referred:
        assert contact.referred_in_interview_id is not None
        where = demo.get(Interview, contact.referred_in_interview_id)
        assert where.contact_id == contact.referred_by_id


def test_demo_has_two_debriefed_interviews_and_one_ahead(demo: Workbook) -> None:
    interviews = demo.all(Interview)
    assert len(interviews) == 3
    debriefed = [i for i in interviews if i.status is InterviewStatus.debriefed]
    ahead = [i for i in interviews if i.status is not InterviewStatus.debriefed]
    assert len(debriefed) == 2 and len(ahead) == 1

    for interview in debriefed:
        assert interview.scheduled_at is not None and interview.scheduled_at < dt.datetime(2026, 11, 1)
        assert interview.invitation_text and interview.confirmation_text and interview.thank_you_text
        assert interview.invitation_sent and interview.confirmation_sent and interview.thank_you_sent
        assert interview.keywords and interview.salary_info and interview.environment_info
        assert interview.chances_feedback and interview.next_questions
        plan = demo.all(PlannedQuestion, interview_id=interview.id)
        assert 6 <= len(plan) <= 9
        assert all(q.answer for q in plan)
        assert len({q.category for q in plan}) >= 5
        assert any(q.finding_id is not None for q in plan)
        order = list(Category)
        assert [order.index(q.category) for q in plan] == sorted(order.index(q.category) for q in plan)
        assert demo.all(FindingOutcome, interview_id=interview.id)
        kinds = {i.kind.value for i in demo.all(Insight, interview_id=interview.id)}
        assert {"salary", "environment", "chances", "advice"} <= kinds

    (planned,) = ahead
    assert planned.scheduled_at == dt.datetime(2026, 12, 8, 10, 0)
    assert planned.timezone == "Africa/Johannesburg"
    assert planned.keywords and planned.invitation_text
    assert demo.all(PlannedQuestion, interview_id=planned.id)
    assert not demo.all(FindingOutcome, interview_id=planned.id)
    assert not demo.all(Insight, interview_id=planned.id)


def test_demo_evidence_shows_every_kind_of_verdict(demo: Workbook) -> None:
    verdicts: dict[int, list[Outcome]] = {}
    for o in demo.all(FindingOutcome):
        if o.outcome is not Outcome.not_discussed:
            verdicts.setdefault(o.finding_id, []).append(o.outcome)
    tested = {f.id for f in demo.all(Finding) if f.to_test}
    assert set(verdicts) <= tested
    assert [Outcome.confirmed, Outcome.confirmed] in verdicts.values()  # two interviews agree
    assert [Outcome.refuted, Outcome.refuted] in verdicts.values()
    assert any(len(v) >= 2 and len(set(v)) > 1 for v in verdicts.values())  # they disagree
    assert any(len(v) == 1 for v in verdicts.values())  # one source only
    assert tested - set(verdicts)  # still untested
    assert set(Counter(o.outcome for o in demo.all(FindingOutcome))) == set(Outcome)


def test_demo_evidence_table_shows_every_status(demo: Workbook) -> None:
    from iivkit.workbook import views

    statuses = set(views.evidence(demo)["status"].astype(str))
    assert statuses == set(views.EVIDENCE_STATUSES)


def test_demo_open_questions_and_bank(demo: Workbook) -> None:
    questions = demo.all(OpenQuestion)
    assert len(questions) >= 4
    assert all(q.how_to_answer for q in questions)
    assert any(q.suggested_contact_id is not None for q in questions)
    assert len(demo.all(Question)) == 2
    tiaras = {i.tiara for i in demo.all(Insight)} - {None}
    assert len(tiaras) >= 4


def test_demo_letters_pass_the_letter_check(demo: Workbook) -> None:
    from iivkit.method.letter_check import check_letter
    from iivkit.method.letters import render_letter

    for interview in demo.all(Interview):
        assert interview.id is not None
        for name in ("invitation", "confirmation", "thank_you"):
            if getattr(interview, f"{name}_text"):
                letter = render_letter(demo, interview.id, name)
                assert letter.source == "saved text"
                assert check_letter(letter).problems == [], (interview.id, name)


def test_class_letters_pass_the_letter_check(tmp_path: Path) -> None:
    from iivkit.method.letter_check import check_letter
    from iivkit.method.letters import render_letter

    for path in build_class(tmp_path, 6):
        with Workbook.open(path) as wb:
            for interview in wb.all(Interview):
                assert interview.id is not None
                for name in ("invitation", "confirmation", "thank_you"):
                    if getattr(interview, f"{name}_text"):
                        letter = render_letter(wb, interview.id, name)
                        assert check_letter(letter).problems == [], (path, interview.id, name)


def test_demo_is_sound_and_reopens(demo: Workbook) -> None:
    assert demo.integrity_problems() == []
    counts = {m: demo.count(m) for m in RECORD_TYPES}
    demo.close()
    with Workbook.open(demo.path) as again:
        assert {m: again.count(m) for m in RECORD_TYPES} == counts
        assert again.count(Profile) == 1


def test_demo_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "demo.iiv"
    build_demo(path).close()
    before = _dump(path)
    with pytest.raises(WorkbookExistsError):
        build_demo(path)
    assert _dump(path) == before


# -- the synthetic class ----------------------------------------------------------------------


def test_class_is_deterministic(tmp_path: Path) -> None:
    first = build_class(tmp_path / "a", 5)
    second = build_class(tmp_path / "b", 5)
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    for a, b in zip(first, second, strict=True):
        assert _dump(a) == _dump(b)


def test_class_seed_changes_the_students(tmp_path: Path) -> None:
    one = build_class(tmp_path / "a", 5, seed=1)
    two = build_class(tmp_path / "b", 5, seed=2)
    assert [p.parent.name for p in one] != [p.parent.name for p in two]


def test_class_has_a_student_at_every_stage(tmp_path: Path) -> None:
    paths = build_class(tmp_path / "class", 5)
    assert len(paths) == 5
    for path in paths:
        assert path.name == "workbook.iiv" and path.parent.parent == tmp_path / "class"
    stages = Counter(_stage(p) for p in paths)
    assert stages["done"] >= 1 and stages["half"] >= 1 and stages["barely"] == 1
    assert stages["other"] == 0


@pytest.mark.parametrize("n", [3, 4, 30])
def test_class_of_any_size_is_sound_and_varied(tmp_path: Path, n: int) -> None:
    paths = build_class(tmp_path, n, seed=7)
    assert len({p.parent.name for p in paths}) == n
    stages = Counter(_stage(p) for p in paths)
    assert stages["barely"] == 1 and stages["done"] and stages["half"]
    careers: set[str] = set()
    for path in paths:
        with Workbook.open(path) as wb:
            assert wb.integrity_problems() == []
            profile = wb.profile()
            assert profile is not None and profile.career_vision
            careers.update(profile.careers_of_interest)
            if _stage(path) == "done":
                assert wb.count(FindingOutcome) and wb.count(Insight) and wb.count(OpenQuestion)
                assert any(c.referred_by_id for c in wb.all(Contact))
    assert len(careers) >= 3


def test_class_refuses_to_overwrite(tmp_path: Path) -> None:
    build_class(tmp_path, 3)
    with pytest.raises(WorkbookExistsError):
        build_class(tmp_path, 3)


def test_empty_class(tmp_path: Path) -> None:
    assert build_class(tmp_path, 0) == []
