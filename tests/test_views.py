"""The DataFrame views, checked on workbooks whose right answers are known.

Each expectation is computed here independently, in plain Python from the records the test
wrote, and compared with what the view computes in SQL and pandas.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import Counter
from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Workbook,
)
from iivkit.workbook import rows as stored
from iivkit.workbook import views
from iivkit.workbook.models import (
    HELD_STATUSES,
    RECORD_TYPES,
    ContactStatus,
    InsightKind,
    InterviewStatus,
    OpenQuestionStatus,
    Outcome,
)
from iivkit.workbook.views import evidence, evidence_counts, open_questions, pipeline, pipeline_counts, table

PIPELINE = [
    "identified",
    "invited",
    "confirmed",
    "interviewed",
    "thanked",
    "declined",
    "no_reply",
]


def expected_status(outcomes: list[Outcome]) -> str:
    """The evidence status of a finding, by the rule in the method, from its interviews' outcomes."""
    spoken = [o for o in outcomes if o is not Outcome.not_discussed]
    if not spoken:
        return "untested"
    if len(spoken) == 1:
        return "single-source"
    if all(o is Outcome.confirmed for o in spoken):
        return "confirmed"
    if all(o is Outcome.refuted for o in spoken):
        return "refuted"
    return "mixed"


# -- one view per record type --------------------------------------------------------------


def test_there_is_a_table_view_for_every_record_type_with_one_row_per_record(rich_workbook: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        for model in RECORD_TYPES:
            frame = table(wb, model)
            assert list(frame.index) == [r.id for r in wb.all(model)], model.table
            assert set(frame.columns) >= set(model.model_fields) - {"id"}, model.table


def test_list_fields_in_a_table_view_hold_lists(rich_workbook: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        frame = table(wb, Interview)
        first = wb.all(Interview)[0]
    assert frame.loc[first.id, "keywords"] == first.keywords
    assert frame.loc[first.id, "check_ins_sent"] == [d.isoformat() for d in first.check_ins_sent]


# -- pipeline ------------------------------------------------------------------------------


def test_pipeline_orders_contacts_by_stage_then_by_when_they_were_added(workbook: Workbook) -> None:
    statuses = ["declined", "thanked", "identified", "no_reply", "invited", "identified", "interviewed"]
    ids = [
        workbook.add(Contact(name=f"Person {n}", status=ContactStatus(s))).id for n, s in enumerate(statuses)
    ]
    expected = sorted(zip(statuses, ids, strict=True), key=lambda pair: (PIPELINE.index(pair[0]), pair[1]))
    frame = pipeline(workbook)
    assert list(zip(frame["status"].astype(str), frame["contact_id"], strict=True)) == expected


def test_pipeline_counts_list_every_stage_even_when_empty(workbook: Workbook) -> None:
    statuses = ["invited", "invited", "thanked", "declined", "invited"]
    for n, status in enumerate(statuses):
        workbook.add(Contact(name=f"Person {n}", status=ContactStatus(status)))
    counts = pipeline_counts(workbook)
    assert list(counts.index) == PIPELINE
    tally = Counter(statuses)
    assert counts.to_dict() == {stage: tally.get(stage, 0) for stage in PIPELINE}


def test_pipeline_counts_each_contacts_interviews_and_names_their_organisation(workbook: Workbook) -> None:
    org = workbook.add(Organisation(name="Gauteng Department of Health"))
    busy = workbook.add(Contact(name="Sipho Dlamini", organisation_id=org.id, status=ContactStatus.thanked))
    idle = workbook.add(Contact(name="Aisha Patel"))
    for status, day in [("debriefed", 12), ("done", 20), ("planned", 28)]:
        workbook.add(
            Interview(
                contact_id=busy.id,
                status=InterviewStatus(status),
                scheduled_at=dt.datetime(2024, 3, day, 10, 0),
            )
        )
    frame = pipeline(workbook).set_index("contact_id")
    assert frame.loc[busy.id, "organisation"] == "Gauteng Department of Health"
    assert frame.loc[busy.id, "interviews"] == 3
    assert frame.loc[busy.id, "interviews_done"] == 2
    assert frame.loc[busy.id, "last_scheduled"].startswith("2024-03-28")
    assert frame.loc[idle.id, "interviews"] == 0
    assert frame.loc[idle.id, "interviews_done"] == 0
    assert pd.isna(frame.loc[idle.id, "organisation"])


def test_pipeline_of_an_empty_workbook_is_empty(workbook: Workbook) -> None:
    assert len(pipeline(workbook)) == 0
    assert pipeline_counts(workbook).sum() == 0


# -- evidence ------------------------------------------------------------------------------

# finding: (marked to test, outcome in interview 1, 2, 3; None where it was not raised)
EVIDENCE_CASES: dict[str, tuple[bool, list[Outcome | None]]] = {
    "two agree it holds": (True, [Outcome.confirmed, Outcome.confirmed, None]),
    "three agree it is wrong": (True, [Outcome.refuted, Outcome.refuted, Outcome.refuted]),
    "they disagree": (True, [Outcome.confirmed, Outcome.refuted, None]),
    "one person only": (True, [None, Outcome.confirmed, None]),
    "one mixed answer": (False, [Outcome.mixed, None, None]),
    "two mixed answers": (True, [Outcome.mixed, None, Outcome.mixed]),
    "confirmed, but one did not discuss it": (
        True,
        [Outcome.confirmed, Outcome.not_discussed, Outcome.confirmed],
    ),
    "raised but never discussed": (True, [Outcome.not_discussed, Outcome.not_discussed, None]),
    "marked to test, not yet raised": (True, [None, None, None]),
    "not to test, never raised": (False, [None, None, None]),
}


def build_evidence_workbook(
    wb: Workbook, cases: dict[str, tuple[bool, list[Outcome | None]]]
) -> dict[str, int]:
    contacts = [
        wb.add(Contact(name=name)) for name in ("Sipho Dlamini", "Aisha Patel", "Johan van der Merwe")
    ]
    interviews = [wb.add(Interview(contact_id=c.id, status=InterviewStatus.debriefed)) for c in contacts]
    ids = {}
    for claim, (to_test, outcomes) in cases.items():
        finding = wb.add(Finding(claim=claim, to_test=to_test))
        ids[claim] = finding.id
        for interview, outcome in zip(interviews, outcomes, strict=True):
            if outcome is not None:
                wb.add(FindingOutcome(interview_id=interview.id, finding_id=finding.id, outcome=outcome))
    return ids


def test_evidence_status_of_each_finding_follows_the_outcomes(workbook: Workbook) -> None:
    ids = build_evidence_workbook(workbook, EVIDENCE_CASES)
    frame = evidence(workbook)
    got = {claim: frame.loc[fid, "status"] for claim, fid in ids.items() if fid in frame.index}
    want = {
        claim: expected_status([o for o in outcomes if o is not None])
        for claim, (to_test, outcomes) in EVIDENCE_CASES.items()
        if to_test or any(o is not None for o in outcomes)
    }
    assert got == want
    # And the named expectations, so that a wrong rule in expected_status cannot hide a wrong view:
    assert got["two agree it holds"] == "confirmed"
    assert got["three agree it is wrong"] == "refuted"
    assert got["they disagree"] == "mixed"
    assert got["one person only"] == "single-source"
    assert got["one mixed answer"] == "single-source"
    assert got["two mixed answers"] == "mixed"
    assert got["confirmed, but one did not discuss it"] == "confirmed"
    assert got["raised but never discussed"] == "untested"
    assert got["marked to test, not yet raised"] == "untested"


def test_evidence_lists_findings_to_test_and_findings_raised_but_no_others(workbook: Workbook) -> None:
    ids = build_evidence_workbook(workbook, EVIDENCE_CASES)
    frame = evidence(workbook)
    assert ids["not to test, never raised"] not in frame.index
    assert ids["one mixed answer"] in frame.index, "raised in an interview, though not marked to test"
    assert list(frame.index) == sorted(frame.index)


def test_evidence_has_one_column_per_interview_holding_each_outcome(workbook: Workbook) -> None:
    ids = build_evidence_workbook(workbook, EVIDENCE_CASES)
    frame = evidence(workbook)
    columns = ["I1 Sipho Dlamini", "I2 Aisha Patel", "I3 Johan van der Merwe"]
    assert [c for c in frame.columns if c.startswith("I")] == columns
    for claim, (_, outcomes) in EVIDENCE_CASES.items():
        if ids[claim] not in frame.index:
            continue
        for column, outcome in zip(columns, outcomes, strict=True):
            cell = frame.loc[ids[claim], column]
            assert pd.isna(cell) if outcome is None else cell == outcome.value, (claim, column)


def test_evidence_counts_add_up_per_status(workbook: Workbook) -> None:
    build_evidence_workbook(workbook, EVIDENCE_CASES)
    counts = evidence_counts(workbook)
    assert list(counts.index) == ["confirmed", "refuted", "mixed", "single-source", "untested"]
    want = Counter(
        expected_status([o for o in outcomes if o is not None])
        for to_test, outcomes in EVIDENCE_CASES.values()
        if to_test or any(o is not None for o in outcomes)
    )
    assert counts.to_dict() == {status: want.get(status, 0) for status in counts.index}


def test_evidence_of_a_workbook_without_findings_is_empty(workbook: Workbook) -> None:
    assert len(evidence(workbook)) == 0
    assert evidence_counts(workbook).sum() == 0


def test_evidence_in_long_form_has_one_row_per_finding_and_interview_with_an_outcome(
    workbook: Workbook,
) -> None:
    ids = build_evidence_workbook(workbook, EVIDENCE_CASES)
    labels = ["I1 Sipho Dlamini", "I2 Aisha Patel", "I3 Johan van der Merwe"]
    want = sorted(
        (n + 1, ids[claim], labels[n], outcome.value)
        for claim, (_, outcomes) in EVIDENCE_CASES.items()
        for n, outcome in enumerate(outcomes)
        if outcome is not None
    )
    long = views.evidence_outcomes(workbook)
    got = list(long[["interview_id", "finding_id", "label", "outcome"]].itertuples(index=False, name=None))
    assert got == want
    only = [ids["they disagree"], ids["one person only"]]
    picked = views.evidence_outcomes(workbook, only)
    assert sorted(set(picked["finding_id"])) == sorted(only)
    assert len(picked) == 3


def test_evidence_for_some_findings_or_a_page_builds_columns_only_for_their_interviews(
    workbook: Workbook,
) -> None:
    ids = build_evidence_workbook(workbook, EVIDENCE_CASES)
    whole = evidence(workbook)
    one = ids["one person only"]  # raised in interview 2 only
    chosen = evidence(workbook, findings=[one, ids["not to test, never raised"]])
    assert list(chosen.index) == [one], "a finding evidence does not list stays out"
    assert [c for c in chosen.columns if c.startswith("I")] == ["I2 Aisha Patel"]
    assert chosen.loc[one, "status"] == whole.loc[one, "status"] == "single-source"
    page = evidence(workbook, limit=2)
    assert list(page.index) == list(whole.index[:2])
    first_two = [ids["two agree it holds"], ids["three agree it is wrong"]]
    assert list(page.index) == first_two
    pd.testing.assert_frame_equal(page, whole.loc[first_two, list(page.columns)])
    assert [c for c in page.columns if c.startswith("I")] == [
        "I1 Sipho Dlamini",
        "I2 Aisha Patel",
        "I3 Johan van der Merwe",
    ]
    status = views.evidence_status(workbook)
    pd.testing.assert_frame_equal(status, whole[list(status.columns)])


OUTCOME_OR_NOTHING = st.sampled_from([None, *Outcome])


@settings(max_examples=30, deadline=None)
@given(
    grid=st.lists(
        st.tuples(st.booleans(), st.lists(OUTCOME_OR_NOTHING, min_size=3, max_size=3)), min_size=1, max_size=8
    )
)
def test_evidence_status_matches_an_independent_count_for_any_outcomes(grid) -> None:
    cases = {f"Finding {n}": (to_test, outcomes) for n, (to_test, outcomes) in enumerate(grid)}
    with tempfile.TemporaryDirectory() as folder, Workbook.create(Path(folder) / "e.iiv") as wb:
        ids = build_evidence_workbook(wb, cases)
        frame = evidence(wb)
    for claim, (to_test, outcomes) in cases.items():
        raised = [o for o in outcomes if o is not None]
        if not to_test and not raised:
            assert ids[claim] not in frame.index
            continue
        row = frame.loc[ids[claim]]
        assert row["status"] == expected_status(raised), (claim, outcomes)
        assert row["n_confirmed"] == raised.count(Outcome.confirmed)
        assert row["n_refuted"] == raised.count(Outcome.refuted)
        assert row["n_mixed"] == raised.count(Outcome.mixed)


# -- open questions ------------------------------------------------------------------------


def test_open_questions_lists_only_the_open_ones_with_who_could_answer(workbook: Workbook) -> None:
    sipho = workbook.add(Contact(name="Sipho Dlamini"))
    johan = workbook.add(Contact(name="Johan van der Merwe"))
    interview = workbook.add(Interview(contact_id=sipho.id))
    asked = [
        ("Who analysed the trial data?", OpenQuestionStatus.open, johan.id, interview.id),
        ("What does HR screen for?", OpenQuestionStatus.answered, None, interview.id),
        ("Is there a graduate programme?", OpenQuestionStatus.open, None, None),
        ("Old question", OpenQuestionStatus.dropped, johan.id, None),
    ]
    ids = [
        workbook.add(
            OpenQuestion(
                text=text,
                status=status,
                suggested_contact_id=who,
                interview_id=where,
                how_to_answer=f"how: {text}",
            )
        ).id
        for text, status, who, where in asked
    ]
    frame = open_questions(workbook)
    want = [i for i, (_, status, _, _) in zip(ids, asked, strict=True) if status is OpenQuestionStatus.open]
    assert list(frame.index) == want
    first = frame.loc[ids[0]]
    assert first["question"] == "Who analysed the trial data?"
    assert first["how_to_answer"] == "how: Who analysed the trial data?"
    assert first["suggested_contact"] == "Johan van der Merwe"
    assert first["raised_with"] == "Sipho Dlamini"
    third = frame.loc[ids[2]]
    assert pd.isna(third["suggested_contact"]) and pd.isna(third["raised_with"])
    assert set(open_questions(workbook, include_closed=True).index) == set(ids)


# -- one interview, as its debrief report reads it --------------------------------------------


def _one_interview(wb: Workbook) -> tuple[int, int, int]:
    """An organisation, a contact and one debriefed interview with a plan, outcomes, insights,
    open questions and a referral; returns (interview, contact, finding) ids."""
    org = wb.add(Organisation(name="Health Lab"))
    ana = wb.add(Contact(name="Ana", role="Analyst", organisation_id=org.id, seniority="senior"))
    bo = wb.add(Contact(name="Bo", role="", organisation_id=None))
    iv = wb.add(Interview(contact_id=ana.id, status="debriefed", salary_info="R 30 000"))
    wb.add(Interview(contact_id=ana.id, status="planned"))
    found = wb.add(Finding(claim="Most work is in R.", source_title="Survey", to_test=True))
    other = wb.add(Finding(claim="Teams are small.", to_test=True))
    wb.add(
        PlannedQuestion(
            interview_id=iv.id, position=1, category="industry", text="Second?", finding_id=found.id
        )
    )
    wb.add(
        PlannedQuestion(interview_id=iv.id, position=0, category="background", text="First?", answer="Yes.")
    )
    wb.add(FindingOutcome(interview_id=iv.id, finding_id=other.id, outcome="mixed"))
    wb.add(FindingOutcome(interview_id=iv.id, finding_id=found.id, outcome="confirmed", note="So true."))
    wb.add(Insight(interview_id=iv.id, kind="advice", tiara="advice", text="Learn SQL."))
    wb.add(Insight(interview_id=iv.id, kind="salary", text="Bonuses are rare."))
    wb.add(OpenQuestion(interview_id=iv.id, text="Who hires?", suggested_contact_id=ana.id))
    wb.add(OpenQuestion(interview_id=iv.id, text="Which team?", suggested_contact_id=bo.id))
    wb.add(Contact(name="Cleo", referred_in_interview_id=iv.id, how_found="referral", notes="Call her."))
    return iv.id or 0, ana.id or 0, found.id or 0


def test_the_first_held_interview_prefers_a_debriefed_one(workbook: Workbook) -> None:
    assert views.first_held_interview(workbook) is None
    ana = workbook.add(Contact(name="Ana"))
    workbook.add(Interview(contact_id=ana.id, status="planned"))
    assert views.first_held_interview(workbook) is None
    done = workbook.add(Interview(contact_id=ana.id, status="done"))
    assert views.first_held_interview(workbook) == done.id
    debriefed = workbook.add(Interview(contact_id=ana.id, status="debriefed"))
    assert views.first_held_interview(workbook) == debriefed.id


def test_interview_details_name_the_contact_and_organisation(workbook: Workbook) -> None:
    iv, ana, _ = _one_interview(workbook)
    details = views.interview_details(workbook, iv)
    assert details is not None
    assert (details["id"], details["contact_id"], details["contact"]) == (iv, ana, "Ana")
    assert (details["role"], details["seniority"], details["organisation"]) == (
        "Analyst",
        "senior",
        "Health Lab",
    )
    assert details["salary_info"] == "R 30 000"
    assert views.interview_details(workbook, 99) is None


def test_an_interviews_plan_outcomes_insights_and_referrals_in_order(workbook: Workbook) -> None:
    iv, _, found = _one_interview(workbook)
    plan = views.interview_plan(workbook, iv)
    assert list(plan.columns) == ["category", "question", "finding_shared", "answer"]
    assert plan.values.tolist() == [
        ["background", "First?", "", "Yes."],
        ["industry", "Second?", "Most work is in R.", ""],
    ]
    outcomes = views.interview_outcomes(workbook, iv)
    assert list(outcomes.columns) == ["finding_id", "claim", "source_title", "outcome", "note"]
    assert outcomes.iloc[0].tolist() == [found, "Most work is in R.", "Survey", "confirmed", "So true."]
    assert outcomes["outcome"].tolist() == ["confirmed", "mixed"]
    insights = views.interview_insights(workbook, iv)
    assert insights.values.tolist() == [
        ["advice", "advice", "Learn SQL."],
        ["", "salary", "Bonuses are rare."],
    ]
    referred = views.referrals(workbook, iv)
    assert referred.values.tolist() == [["Cleo", "", "", "identified", "Call her."]]


def test_an_interviews_open_questions_say_whom_to_ask(workbook: Workbook) -> None:
    iv, _, _ = _one_interview(workbook)
    asked = views.interview_open_questions(workbook, iv)
    assert asked["ask_next"].tolist() == ["Ana (Analyst)", "Bo"]
    assert asked["status"].tolist() == ["open", "open"]
    assert not stored.has_unrouted_open_questions(workbook.conn, iv)
    workbook.add(OpenQuestion(interview_id=iv, text="Nobody to ask?"))
    assert stored.has_unrouted_open_questions(workbook.conn, iv)


def test_interview_records_hold_every_row_its_report_reads(workbook: Workbook) -> None:
    iv, _, found = _one_interview(workbook)
    records = stored.interview_records(workbook.conn, iv)
    assert records is not None
    assert records["interview"][0] == iv
    assert len(records["same_contact"]) == 2
    assert len(records["planned_questions"]) == 2 and len(records["open_questions"]) == 2
    assert {row[0] for row in records["findings"]} == {found, found + 1}
    assert len(records["contacts"]) == 3 and len(records["organisations"]) == 1
    assert not any("pseudonym_salt" in row for row in records["meta"])
    assert stored.interview_records(workbook.conn, 99) is None
    everything = stored.routing_records(workbook.conn)
    assert set(everything) == set(stored.ROUTING_TABLES)
    assert len(everything["interviews"]) == 2


# -- forms and method reads -------------------------------------------------------------------


def test_record_labels_name_each_record_as_a_person_knows_it(workbook: Workbook) -> None:
    iv, ana, found = _one_interview(workbook)
    contacts = views.record_labels(workbook, "contacts")
    assert contacts[0] == (ana, "Ana (Health Lab)") and (ana + 1, "Bo") in contacts
    assert views.record_labels(workbook, "findings")[0] == (found, "Most work is in R.")
    assert views.record_labels(workbook, "interviews")[0] == (iv, "Ana · no date yet · debriefed")
    assert views.record_labels(workbook, "finding_outcomes") == [(1, None), (2, None)]


def test_a_debrief_reports_on_findings_to_test_planned_or_scored(workbook: Workbook) -> None:
    iv, _, found = _one_interview(workbook)
    untested = workbook.add(Finding(claim="Not to test."))
    assert views.debrief_finding_ids(workbook, iv) == [found, found + 1]
    workbook.add(FindingOutcome(interview_id=iv, finding_id=untested.id, outcome="refuted"))
    assert views.debrief_finding_ids(workbook, iv) == [found, found + 1, untested.id]


def test_organisations_by_findings_puts_the_most_researched_first(workbook: Workbook) -> None:
    a = workbook.add(Organisation(name="A"))
    b = workbook.add(Organisation(name="B"))
    c = workbook.add(Organisation(name="C"))
    workbook.add(Finding(claim="One.", organisation_id=b.id))
    assert views.organisations_by_findings(workbook) == [b.id, a.id, c.id]


def test_findings_and_plan_tables_read_sources_and_shared_claims(workbook: Workbook) -> None:
    iv, _, found = _one_interview(workbook)
    findings = views.findings_with_sources(workbook)
    assert findings.loc[found, "source"] == "Survey" and findings.loc[found, "to_test"] == 1
    plan = views.plan_with_findings(workbook, iv)
    assert plan["number"].tolist() == [1, 2]
    assert plan["question"].tolist() == ["First?", "Second?"]
    assert plan["finding"].tolist() == ["", "Most work is in R."]


def test_salary_hiring_and_advice_rows(workbook: Workbook) -> None:
    _one_interview(workbook)
    salary = views.salary_remark_rows(workbook)
    assert salary["remark"].tolist() == ["R 30 000", "Bonuses are rare."]
    assert salary["source"].tolist() == ["salary notes", "insight"]
    assert views.hiring_signal_rows(workbook).empty
    assert views.advice_rows(workbook)["text"].tolist() == ["Learn SQL."]


def test_stored_rows_and_settings_by_prefix(workbook: Workbook) -> None:
    _one_interview(workbook)
    assert [row["name"] for row in views.stored_rows(workbook, "contacts")] == ["Ana", "Bo", "Cleo"]
    workbook.set_meta("template:nudge", "Subject: hi")
    assert views.meta_with_prefix(workbook, "template:") == [("template:nudge", "Subject: hi")]


# -- the target list, the funnel, and the report and course runs -------------------------------


def _organisations_and_people(wb: Workbook) -> dict[str, int]:
    """Three organisations and six contacts whose ties, steps and stages are worked out by hand
    in the tests below; returns the ids by name (interviews as ``I-<contact>``)."""
    ids: dict[str, int] = {}
    for name, motivation, posting in (("Acme", 3, "relevant"), ("Beta", None, "some"), ("Cala", 1, "none")):
        ids[name] = wb.add(Organisation(name=name, motivation=motivation, posting=posting)).id or 0
    people = (
        ("Ana", "Acme", "interviewed", "alumni"),
        ("Bo", "Acme", "declined", "referral"),
        ("Cy", "Acme", "invited", "family_friends"),
        ("Fay", "Acme", "identified", "referral"),
        ("Dee", "Beta", "identified", "professional_network"),
        ("Eve", None, "no_reply", "cold"),
    )
    for name, org, status, how in people:
        contact = Contact(name=name, organisation_id=ids.get(org or ""), status=status, how_found=how)
        ids[name] = wb.add(contact).id or 0
    ids["I-Ana"] = wb.add(Interview(contact_id=ids["Ana"], status="done")).id or 0
    ids["I-Bo"] = wb.add(Interview(contact_id=ids["Bo"], status="done")).id or 0
    planned = Interview(
        contact_id=ids["Dee"], status="planned", scheduled_at="2026-03-02T10:00", invitation_sent="2026-02-20"
    )
    ids["I-Dee"] = wb.add(planned).id or 0
    # Bo was referred by Ana; Gus was suggested in Bo's interview.
    bo = wb.get(Contact, ids["Bo"])
    wb.update(bo.model_copy(update={"referred_by_id": ids["Ana"]}))
    ids["Gus"] = wb.add(Contact(name="Gus", referred_in_interview_id=ids["I-Bo"])).id or 0
    return ids


def test_organisation_ties_count_each_kind_of_contact_and_a_declined_one_only_as_met(
    workbook: Workbook,
) -> None:
    ids = _organisations_and_people(workbook)
    ties = views.organisation_ties(workbook, known_through=["family_friends", "professional_network"])
    assert ties.index.name == "organisation_id"
    assert ties.reset_index().values.tolist() == [
        # Acme: Ana and Bo met (Bo declined, but was met); Fay a referral (Bo, declined, is not);
        # Ana an alumna; Cy known through family.
        [ids["Acme"], 2, 1, 1, 1],
        [ids["Beta"], 0, 0, 0, 1],
        [ids["Cala"], 0, 0, 0, 0],
    ]
    assert list(ties.columns) == ["met", "referred", "alumni", "known"]
    assert views.organisation_ties(workbook, known_through=[])["known"].tolist() == [0, 0, 0]


DEE_DAYS = ("2026-03-02T10:00:00", "2026-02-20", None, None)


def test_organisation_steps_list_contacts_at_an_organisation_with_a_step_under_way(
    workbook: Workbook,
) -> None:
    ids = _organisations_and_people(workbook)
    steps = views.organisation_steps(workbook, ["confirmed", "invited", "no_reply", "planned"])
    assert steps == [
        (ids["Acme"], ids["Cy"], "Cy", "invited", None, None, None, None, None, None),
        # Dee's planned interview: scheduled_at, invitation_sent, confirmation_sent, nudge_sent.
        (ids["Beta"], ids["Dee"], "Dee", "identified", ids["I-Dee"], "planned", *DEE_DAYS),
    ]
    assert views.organisation_steps(workbook, []) == []


def test_organisations_to_rank_hold_name_motivation_and_posting(workbook: Workbook) -> None:
    ids = _organisations_and_people(workbook)
    orgs = views.organisations_to_rank(workbook)
    assert list(orgs.columns) == ["organisation_id", "organisation", "motivation", "posting"]
    assert orgs.astype(object).where(orgs.notna(), None).values.tolist() == [
        [ids["Acme"], "Acme", 3, "relevant"],
        [ids["Beta"], "Beta", None, "some"],
        [ids["Cala"], "Cala", 1, "none"],
    ]


def test_contact_stages_say_which_stage_each_contact_reached_on_the_records_alone(
    workbook: Workbook,
) -> None:
    ids = _organisations_and_people(workbook)
    stages = views.contact_stages(
        workbook,
        replied=["confirmed", "interviewed", "thanked", "declined"],
        met=["interviewed", "thanked"],
        no_organisation="(none)",
    )
    assert list(stages.columns) == [
        "contact_id",
        "contact",
        "organisation_id",
        "organisation",
        "invited",
        "replied",
        "met",
        "referred",
    ]
    rows = stages.drop(columns="organisation_id").values.tolist()
    assert rows == [
        [ids["Ana"], "Ana", "Acme", 1, 1, 1, 1],  # referred Bo
        [ids["Bo"], "Bo", "Acme", 1, 1, 1, 1],  # declined, met; Gus suggested in the interview
        [ids["Cy"], "Cy", "Acme", 1, 0, 0, 0],
        [ids["Fay"], "Fay", "Acme", 0, 0, 0, 0],
        [ids["Dee"], "Dee", "Beta", 1, 0, 0, 0],  # an interview planned, but an invitation sent
        [ids["Eve"], "Eve", "(none)", 1, 0, 0, 0],
        [ids["Gus"], "Gus", "(none)", 0, 0, 0, 0],
    ]
    assert stages["organisation_id"].isna().tolist() == [False] * 5 + [True] * 2


def test_interviews_with_interviewees_in_id_order(workbook: Workbook) -> None:
    ids = _organisations_and_people(workbook)
    assert stored.interviews_with_interviewees(workbook.conn) == [
        (ids["I-Ana"], "done", "Ana"),
        (ids["I-Bo"], "done", "Bo"),
        (ids["I-Dee"], "planned", "Dee"),
    ]


def test_raw_rows_are_every_stored_row_in_the_order_written(workbook: Workbook) -> None:
    ids = _organisations_and_people(workbook)
    rows = stored.raw_rows(workbook.conn, "organisations")
    assert [row[:3] for row in rows] == [
        [ids["Acme"], 1, "Acme"],
        [ids["Beta"], 1, "Beta"],
        [ids["Cala"], 1, "Cala"],
    ]
    # meta has no id: its rows come in the order written, not by key.
    workbook.set_meta("aaa", "first by key, last written")
    assert stored.raw_rows(workbook.conn, "meta")[-1] == ["aaa", "first by key, last written"]


def test_the_plain_row_reads_name_the_statuses_and_kinds_the_models_define() -> None:
    # iivkit.workbook.rows spells them out so as not to import the models; they must agree.
    assert set(stored.HELD) == {s.value for s in HELD_STATUSES}
    assert InsightKind.strength.value == stored.STRENGTH
    assert InsightKind.development.value == stored.DEVELOPMENT
