"""The workbook store: private files, one transaction per save, references, and faithful storage."""

from __future__ import annotations

import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
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
    Profile,
    Workbook,
)
from iivkit.errors import (
    RecordInUseError,
    RecordNotFound,
    StaleRecordError,
    ValidationFailed,
    WorkbookExistsError,
)
from iivkit.workbook.models import RECORD_TYPES, Outcome

HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- files ---------------------------------------------------------------------------------


def test_new_workbook_and_its_journal_files_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "private.iiv"
    with Workbook.create(path) as wb:
        wb.add(Contact(name="Sipho Dlamini"))
        companions = [Path(f"{path}{s}") for s in ("-wal", "-shm") if Path(f"{path}{s}").exists()]
        assert mode(path) == 0o600
        for companion in companions:
            assert mode(companion) == 0o600, companion.name


def test_create_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.iiv"
    path.write_bytes(b"someone's precious data")
    with pytest.raises(WorkbookExistsError) as caught:
        Workbook.create(path)
    assert str(path) in str(caught.value)
    assert path.read_bytes() == b"someone's precious data"


def test_reopened_workbook_has_what_was_saved(tmp_path: Path) -> None:
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        contact = wb.add(Contact(name="Sipho Dlamini", email="s.dlamini@health.gov.za"))
    with Workbook.open(path) as wb:
        assert wb.get(Contact, contact.id) == contact
        assert wb.all(Contact) == [contact]


# -- versions ------------------------------------------------------------------------------


def test_added_record_gets_an_id_and_version_one_and_each_update_raises_the_version(
    workbook: Workbook,
) -> None:
    contact = workbook.add(Contact(name="Aisha Patel"))
    assert contact.id is not None
    assert contact.version == 1
    contact = workbook.update(contact.model_copy(update={"role": "HR business partner"}))
    assert contact.version == 2
    assert workbook.get(Contact, contact.id) == contact


def test_update_of_a_record_that_does_not_exist_is_refused(workbook: Workbook) -> None:
    with pytest.raises(RecordNotFound, match="contact 42"):
        workbook.update(Contact(id=42, version=1, name="Nobody"))
    assert workbook.count(Contact) == 0


def test_delete_with_a_stale_version_is_refused_and_keeps_the_record(workbook: Workbook) -> None:
    contact = workbook.add(Contact(name="Aisha Patel"))
    workbook.update(contact.model_copy(update={"role": "HR"}))
    with pytest.raises(StaleRecordError, match=f"contact {contact.id}"):
        workbook.delete(Contact, contact.id, version=contact.version)
    assert workbook.get(Contact, contact.id).role == "HR"


# -- references ----------------------------------------------------------------------------


def test_delete_of_a_referenced_record_is_refused_naming_the_referrers_and_deletes_nothing(
    workbook: Workbook,
) -> None:
    org = workbook.add(Organisation(name="Gauteng Department of Health"))
    contact = workbook.add(Contact(name="Sipho Dlamini", organisation_id=org.id))
    finding = workbook.add(Finding(claim="Evaluated with a trial.", organisation_id=org.id))
    with pytest.raises(RecordInUseError) as caught:
        workbook.delete(Organisation, org.id)
    message = str(caught.value)
    assert f"organisation {org.id}" in message
    assert f"contact {contact.id}" in message and "organisation_id" in message
    assert f"finding {finding.id}" in message
    assert workbook.count(Organisation) == 1
    assert workbook.count(Contact) == 1
    assert workbook.count(Finding) == 1


def test_delete_of_an_unreferenced_record_removes_it(workbook: Workbook) -> None:
    keep = workbook.add(Contact(name="Sipho Dlamini"))
    gone = workbook.add(Contact(name="Aisha Patel"))
    workbook.delete(Contact, gone.id, version=gone.version)
    assert workbook.all(Contact) == [keep]


def test_a_contact_who_referred_themselves_can_still_be_deleted(workbook: Workbook) -> None:
    contact = workbook.add(Contact(name="Aisha Patel"))
    contact = workbook.update(contact.model_copy(update={"referred_by_id": contact.id}))
    workbook.delete(Contact, contact.id)
    assert workbook.count(Contact) == 0


def test_reference_to_a_missing_record_is_refused_naming_the_field(workbook: Workbook) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workbook.add(Interview(contact_id=99))
    assert caught.value.field == "contact_id"
    assert "interview" in str(caught.value)
    assert "contact 99" in str(caught.value)
    assert workbook.count(Interview) == 0


def test_changing_a_reference_to_a_missing_record_is_refused_and_keeps_the_old_one(
    workbook: Workbook,
) -> None:
    sipho = workbook.add(Contact(name="Sipho Dlamini"))
    johan = workbook.add(Contact(name="Johan van der Merwe", referred_by_id=sipho.id))
    with pytest.raises(ValidationFailed) as caught:
        workbook.update(johan.model_copy(update={"referred_by_id": 77}))
    assert caught.value.field == "referred_by_id"
    assert workbook.get(Contact, johan.id) == johan


# -- transactions --------------------------------------------------------------------------


def test_an_error_inside_a_transaction_leaves_nothing_of_it(workbook: Workbook) -> None:
    with pytest.raises(RuntimeError), workbook.transaction():
        org = workbook.add(Organisation(name="Human Sciences Research Council"))
        workbook.add(Contact(name="Sipho Dlamini", organisation_id=org.id))
        workbook.add(Finding(claim="Evaluators are hired on contract.", organisation_id=org.id))
        raise RuntimeError("the notebook crashed half-way")
    assert workbook.count(Organisation) == 0
    assert workbook.count(Contact) == 0
    assert workbook.count(Finding) == 0


def test_a_refused_record_inside_a_transaction_rolls_back_the_records_before_it(
    workbook: Workbook,
) -> None:
    with pytest.raises(ValidationFailed), workbook.transaction():
        contact = workbook.add(Contact(name="Sipho Dlamini"))
        workbook.add(Interview(contact_id=contact.id))
        workbook.add(Insight(interview_id=404, text="Never saved."))
    assert workbook.count(Contact) == 0
    assert workbook.count(Interview) == 0
    assert workbook.count(Insight) == 0


def test_records_saved_in_one_transaction_may_refer_to_each_other_in_any_order(
    workbook: Workbook,
) -> None:
    with workbook.transaction():
        workbook.add(Contact(id=2, name="Johan van der Merwe", referred_by_id=1))
        workbook.add(Contact(id=1, name="Sipho Dlamini"))
    assert workbook.get(Contact, 2).referred_by_id == 1


def test_a_second_finding_outcome_for_the_same_interview_and_finding_is_refused(
    workbook: Workbook,
) -> None:
    contact = workbook.add(Contact(name="Sipho Dlamini"))
    interview = workbook.add(Interview(contact_id=contact.id))
    finding = workbook.add(Finding(claim="A claim."))
    workbook.add(FindingOutcome(interview_id=interview.id, finding_id=finding.id, outcome=Outcome.confirmed))
    with pytest.raises(ValidationFailed, match="already exists"):
        workbook.add(
            FindingOutcome(interview_id=interview.id, finding_id=finding.id, outcome=Outcome.refuted)
        )
    assert [o.outcome for o in workbook.all(FindingOutcome)] == [Outcome.confirmed]


def test_the_profile_is_a_single_record(workbook: Workbook) -> None:
    first = workbook.add(Profile(name="Thandiwe Nkosi"))
    assert first.id == 1
    with pytest.raises(ValidationFailed, match="already taken"):
        workbook.add(Profile(name="Someone Else"))
    assert workbook.profile() == first


# -- bad input through the store -----------------------------------------------------------

BAD_CONTACT_VALUES = {
    "wrong type": ("seniority", "overlord"),
    "empty required field": ("name", "   "),
    "bad email": ("email", "sipho-at-health.gov.za"),
    "1 MB text": ("notes", "x" * 1_000_000),
    "NUL byte": ("notes", "before\x00after"),
    "control character": ("role", "bell\x07"),
    "bad phone": ("phone", "call me"),
}


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
@pytest.mark.parametrize("case", sorted(BAD_CONTACT_VALUES))
def test_the_store_refuses_an_invalid_record_naming_record_and_field_and_writes_nothing(
    workbook: Workbook, case: str
) -> None:
    field, value = BAD_CONTACT_VALUES[case]
    # model_copy skips validation, as a form holding a half-typed value might; the store re-checks.
    bad = Contact(name="Sipho Dlamini").model_copy(update={field: value})
    with pytest.raises(ValidationFailed) as caught:
        workbook.add(bad)
    assert caught.value.field == field
    assert caught.value.record == "new contact"
    assert f"field '{field}'" in str(caught.value)
    assert workbook.count(Contact) == 0


def test_the_store_refuses_a_record_missing_a_required_field(workbook: Workbook) -> None:
    # model_construct builds without validating, as code assembling a record by hand might.
    with pytest.raises(ValidationFailed) as caught:
        workbook.add(Contact.model_construct(role="Data analyst"))
    assert caught.value.field == "name"
    assert "required" in str(caught.value).lower()
    assert workbook.count(Contact) == 0


def test_the_store_refuses_an_invalid_update_and_keeps_the_saved_record(workbook: Workbook) -> None:
    saved = workbook.add(Contact(name="Sipho Dlamini", notes="first meeting went well"))
    with pytest.raises(ValidationFailed) as caught:
        workbook.update(saved.model_copy(update={"notes": "oops\x00"}))
    assert caught.value.record == f"contact {saved.id}"
    assert caught.value.field == "notes"
    assert workbook.get(Contact, saved.id) == saved


def test_an_unknown_field_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="nickname"):
        Contact(name="Sipho Dlamini", nickname="Sips")  # type: ignore[call-arg]


EMOJI_RTL_CJK = [
    "Zoë 🙂 👩🏽‍🔬 🇿🇦",
    "שלום עולם — مرحبا بالعالم",
    "\u200fRTL mark then text",
    "公共卫生研究・評価・연구",
    "e\u0301 (decomposed) and é (composed)",
    "𝕋𝕙𝕖 quick brown 🦊",
]


@pytest.mark.parametrize("text", EMOJI_RTL_CJK)
def test_emoji_rtl_and_cjk_text_is_stored_unchanged(workbook: Workbook, text: str) -> None:
    contact = workbook.add(Contact(name=text, notes=f"{text}\nsecond line\t{text}"))
    assert workbook.get(Contact, contact.id).name == text
    raw = workbook.conn.execute("SELECT name, notes FROM contacts WHERE id = ?", (contact.id,)).fetchone()
    assert raw[0] == text
    assert raw[1] == f"{text}\nsecond line\t{text}"


def test_text_at_the_length_limit_is_accepted_and_one_more_character_is_refused(
    workbook: Workbook,
) -> None:
    limit = Contact.model_fields["notes"].metadata[0].max_length
    saved = workbook.add(Contact(name="Aisha Patel", notes="ä" * limit))
    assert len(workbook.get(Contact, saved.id).notes) == limit
    with pytest.raises(ValidationFailed) as caught:
        workbook.update(saved.model_copy(update={"notes": "ä" * (limit + 1)}))
    assert caught.value.field == "notes"


# -- every record type round-trips ---------------------------------------------------------


@pytest.mark.parametrize("model", RECORD_TYPES, ids=lambda m: m.__name__)
@HYPOTHESIS
@given(data=st.data())
def test_every_record_type_reads_back_exactly_as_it_was_added(
    model, data, record_strategy, with_parents
) -> None:
    record = data.draw(record_strategy(model), label=model.__name__)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roundtrip.iiv"
        with Workbook.create(path) as wb:
            with_parents(wb)
            added = wb.add(record)
        with Workbook.open(path) as wb:
            again = wb.get(model, added.id)
            listed = [r for r in wb.all(model) if r.id == added.id]
    assert again == added
    assert listed == [added]
    assert again.model_dump(exclude={"id", "version"}) == record.model_dump(exclude={"id", "version"})


@pytest.mark.parametrize(
    "model", [Contact, Interview, PlannedQuestion, OpenQuestion], ids=lambda m: m.__name__
)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_update_reads_back_exactly_as_it_was_saved(model, data, record_strategy, with_parents) -> None:
    first = data.draw(record_strategy(model), label="first")
    second = data.draw(record_strategy(model), label="second")
    with tempfile.TemporaryDirectory() as folder, Workbook.create(Path(folder) / "u.iiv") as wb:
        with_parents(wb)
        added = wb.add(first)
        changed = wb.update(second.model_copy(update={"id": added.id, "version": added.version}))
        assert wb.get(model, added.id) == changed
        assert changed.version == added.version + 1
