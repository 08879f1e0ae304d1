"""The store's write path and delete refusal at their edges: contacts who referred others (or
themselves), several referrers at once, batches that fail half-way, ids given by the caller,
and the exact messages a user reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from iivkit import Contact, Finding, FindingOutcome, Interview, Organisation, Profile, Workbook
from iivkit.errors import (
    ReadOnlyWorkbookError,
    RecordInUseError,
    RecordNotFound,
    StaleRecordError,
    ValidationFailed,
)
from iivkit.workbook.models import Outcome


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbook]:
    with Workbook.create(tmp_path / "s.iiv") as book:
        yield book


def test_deleting_a_contact_who_referred_another_is_refused_with_a_clear_message(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann"))
    wb.add(Contact(name="Bo", referred_by_id=ann.id))
    with pytest.raises(RecordInUseError) as caught:
        wb.delete(Contact, ann.id or 0)
    assert str(caught.value) == (
        f"{wb.path}: contact 1: cannot be deleted: it is referred to by contact 2 (via referred_by_id). "
        "Remove or change those first"
    )
    assert [c.name for c in wb.all(Contact)] == ["Ann", "Bo"]


def test_a_contact_who_referred_themselves_and_another_names_only_the_other(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann"))
    ann = wb.update(ann.model_copy(update={"referred_by_id": ann.id}))
    assert wb.referrers(Contact, ann.id or 0) == {}
    wb.add(Contact(name="Bo", referred_by_id=ann.id))
    wb.add(Contact(name="Cy", referred_by_id=ann.id))
    assert wb.referrers(Contact, ann.id or 0) == {"contact.referred_by_id": [2, 3]}
    with pytest.raises(
        RecordInUseError, match=r"referred to by contact 2, 3 \(via referred_by_id\)\. Remove"
    ):
        wb.delete(Contact, ann.id or 0)
    assert wb.count(Contact) == 3


def test_every_kind_of_referrer_is_named_once(wb: Workbook) -> None:
    org = wb.add(Organisation(name="Lab"))
    ann = wb.add(Contact(name="Ann", organisation_id=org.id))
    interview = wb.add(Interview(contact_id=ann.id or 0))
    wb.add(Contact(name="Bo", referred_by_id=ann.id, referred_in_interview_id=interview.id))
    with pytest.raises(RecordInUseError) as caught:
        wb.delete(Contact, ann.id or 0)
    assert "referred to by contact 2 (via referred_by_id); interview 1 (via contact_id)." in str(caught.value)
    assert wb.referrers(Organisation, org.id or 0) == {"contact.organisation_id": [1]}
    assert wb.referrers(Interview, interview.id or 0) == {"contact.referred_in_interview_id": [2]}


def test_deleting_what_is_not_there_or_changed_since_is_refused(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann"))
    with pytest.raises(RecordNotFound, match="contact 9: does not exist"):
        wb.delete(Contact, 9)
    wb.update(ann.model_copy(update={"role": "Lead"}))
    with pytest.raises(StaleRecordError, match="you have version 1, the workbook has 2"):
        wb.delete(Contact, ann.id or 0, version=1)
    wb.delete(Contact, ann.id or 0, version=2)
    assert wb.count(Contact) == 0


def test_a_batch_with_one_bad_record_writes_none_of_them(wb: Workbook) -> None:
    good = [Contact(name=f"Person {n}") for n in range(3)]
    with pytest.raises(ValidationFailed) as caught:
        wb.add_many([*good, Contact(name="Dangling", referred_by_id=42)])
    assert caught.value.field == "referred_by_id" and "contact 42, which does not exist" in str(caught.value)
    assert wb.count(Contact) == 0
    assert wb.add_many(good) == 3 and wb.add_many([]) == 0
    assert [c.version for c in wb.all(Contact)] == [1, 1, 1]


def test_a_batch_of_mixed_types_or_profiles_is_refused(wb: Workbook) -> None:
    with pytest.raises(TypeError, match="one type"):
        wb.add_many([Contact(name="Ann"), Organisation(name="Lab")])
    with pytest.raises(TypeError, match="one type"):
        wb.add_many([Profile(name="Ada")])
    assert wb.count(Contact) == 0


def test_a_batch_with_a_taken_id_names_it(wb: Workbook) -> None:
    wb.add(Contact(id=5, name="Ann"))
    with pytest.raises(ValidationFailed) as caught:
        wb.add_many([Contact(id=6, name="Bo"), Contact(id=5, name="Cy")])
    assert caught.value.field == "id" and "id 5 is already taken" in str(caught.value)
    assert [c.id for c in wb.all(Contact)] == [5]


def test_a_given_id_is_kept_and_a_taken_one_refused(wb: Workbook) -> None:
    assert wb.add(Contact(id=7, name="Ann")).id == 7
    assert wb.add(Contact(name="Bo")).id == 8
    with pytest.raises(ValidationFailed) as caught:
        wb.add(Contact(id=7, name="Cy"))
    assert str(caught.value) == f"{wb.path}: contact 7 field 'id': id 7 is already taken"


def test_a_duplicate_outcome_names_its_fields(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann"))
    interview = wb.add(Interview(contact_id=ann.id or 0))
    finding = wb.add(Finding(claim="A claim."))
    outcome = FindingOutcome(
        interview_id=interview.id or 0, finding_id=finding.id or 0, outcome=Outcome.mixed
    )
    wb.add(outcome)
    with pytest.raises(ValidationFailed) as caught:
        wb.add(outcome)
    assert caught.value.field == "finding_id"
    assert "a finding outcome with the same interview_id and finding_id already exists" in str(caught.value)


def test_save_adds_a_new_record_and_updates_a_stored_one(wb: Workbook) -> None:
    ann = wb.save(Contact(name="Ann"))
    assert (ann.id, ann.version) == (1, 1)
    ann = wb.save(ann.model_copy(update={"role": "Lead"}))
    assert (ann.version, wb.get(Contact, 1).role) == (2, "Lead")
    imported = wb.save(Contact(id=40, name="Bo"))  # an id from elsewhere, never stored here
    assert (imported.id, imported.version) == (40, 1)
    with pytest.raises(StaleRecordError):
        wb.save(ann.model_copy(update={"version": 1}))


def test_an_update_needs_an_id_and_a_stored_record(wb: Workbook) -> None:
    with pytest.raises(RecordNotFound, match="has no id; add it first"):
        wb.update(Contact(name="Ann"))
    with pytest.raises(RecordNotFound, match="does not exist"):
        wb.update(Contact(id=3, version=1, name="Ann"))


def test_the_profile_is_always_record_one(wb: Workbook) -> None:
    assert wb.add(Profile(id=9, name="Ada")).id == 1
    with pytest.raises(ValidationFailed, match="already taken"):
        wb.add(Profile(name="Bea"))
    assert wb.profile() is not None and wb.profile().name == "Ada"  # type: ignore[union-attr]


def test_a_workbook_read_only_refuses_every_write(tmp_path: Path) -> None:
    path = tmp_path / "r.iiv"
    with Workbook.create(path) as book:
        book.add(Contact(name="Ann"))
    with Workbook.read(path) as book:
        for write in (
            lambda: book.add(Contact(name="Bo")),
            lambda: book.update(book.get(Contact, 1).model_copy(update={"role": "x"})),
            lambda: book.delete(Contact, 1),
        ):
            with pytest.raises(ReadOnlyWorkbookError, match="opened read-only"):
                write()
        assert book.count(Contact) == 1


def test_nested_transactions_commit_once_and_roll_back_together(wb: Workbook) -> None:
    with pytest.raises(ValidationFailed), wb.transaction():
        wb.add(Contact(name="Ann"))
        with wb.transaction():
            wb.add(Contact(name="Bo"))
        wb.add(Contact(name="Dangling", referred_by_id=99))
    assert wb.count(Contact) == 0
    with wb.transaction():
        with wb.transaction():
            wb.add(Contact(name="Ann"))
        assert wb.conn.in_transaction, "the outer transaction is still open"
    assert not wb.conn.in_transaction and wb.count(Contact) == 1


# -- every refusal names the file, the record and the field --------------------------------------


def test_a_dangling_reference_names_the_file_the_record_and_the_field(wb: Workbook) -> None:
    wb.add(Contact(name="Ann"))
    with pytest.raises(ValidationFailed) as caught:
        wb.add(Interview(contact_id=9))
    assert str(caught.value) == (
        f"{wb.path}: interview 1 field 'contact_id': refers to contact 9, which does not exist"
    )
    assert (caught.value.file, caught.value.record) == (str(wb.path), "interview 1")
    assert wb.count(Interview) == 0


def test_a_record_built_past_its_rules_is_refused_by_add_and_by_a_batch(wb: Workbook) -> None:
    blank = Contact.model_construct(name="   ")  # skips the rules, as a careless caller might
    with pytest.raises(ValidationFailed) as caught:
        wb.add(blank)
    assert caught.value.file == str(wb.path)
    assert str(caught.value).startswith(f"{wb.path}: new contact field 'name': ")
    with pytest.raises(ValidationFailed, match="new contact field 'name'"):
        wb.add_many([Contact(name="Ann"), blank])
    assert wb.count(Contact) == 0


def test_an_update_without_an_id_or_a_stored_record_names_the_file_and_record(wb: Workbook) -> None:
    with pytest.raises(RecordNotFound) as caught:
        wb.update(Contact(name="Ann"))
    assert str(caught.value) == f"{wb.path}: new contact: has no id; add it first"
    with pytest.raises(RecordNotFound) as caught:
        wb.update(Contact(id=3, version=1, name="Ann"))
    assert str(caught.value) == f"{wb.path}: contact 3: does not exist"
    assert wb.count(Contact) == 0


def test_a_stale_update_says_both_versions_and_changes_nothing(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann"))
    wb.update(ann.model_copy(update={"role": "Lead"}))
    with pytest.raises(StaleRecordError) as caught:
        wb.update(ann.model_copy(update={"role": "Chair"}))
    assert str(caught.value) == (
        f"{wb.path}: contact 1: was changed elsewhere since you loaded it (you have version 1, "
        "the workbook has version 2); reload it and make your change again"
    )
    assert (wb.get(Contact, 1).role, wb.get(Contact, 1).version) == ("Lead", 2)


def test_an_update_that_duplicates_an_outcome_is_refused_naming_its_fields(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann"))
    interview = wb.add(Interview(contact_id=ann.id or 0))
    first, second = wb.add(Finding(claim="One.")), wb.add(Finding(claim="Two."))
    wb.add(FindingOutcome(interview_id=interview.id or 0, finding_id=first.id or 0, outcome=Outcome.mixed))
    other = wb.add(
        FindingOutcome(interview_id=interview.id or 0, finding_id=second.id or 0, outcome=Outcome.mixed)
    )
    with pytest.raises(ValidationFailed) as caught:
        wb.update(other.model_copy(update={"finding_id": first.id}))
    assert str(caught.value) == (
        f"{wb.path}: finding outcome 2 field 'finding_id': "
        "a finding outcome with the same interview_id and finding_id already exists"
    )
    assert wb.get(FindingOutcome, 2).finding_id == second.id


def test_a_refused_delete_names_the_file_and_the_record(wb: Workbook) -> None:
    ann = wb.add(Contact(name="Ann"))
    with pytest.raises(RecordNotFound) as caught:
        wb.delete(Contact, 9)
    assert str(caught.value) == f"{wb.path}: contact 9: does not exist"
    wb.update(ann.model_copy(update={"role": "Lead"}))
    with pytest.raises(StaleRecordError) as caught:
        wb.delete(Contact, 1, version=1)
    assert str(caught.value) == (
        f"{wb.path}: contact 1: was changed elsewhere (you have version 1, the workbook has 2); "
        "reload before deleting"
    )
    assert wb.count(Contact) == 1


def test_saving_a_loaded_record_deleted_since_is_refused_not_added_again(wb: Workbook) -> None:
    with pytest.raises(RecordNotFound, match="contact 3: does not exist"):
        wb.save(Contact(id=3, version=1, name="Ann"))
    assert wb.count(Contact) == 0


def test_save_does_not_overwrite_a_stored_record_with_a_new_one_of_the_same_id(wb: Workbook) -> None:
    wb.add(Contact(name="Ann"))
    with pytest.raises(StaleRecordError, match="you have version 0, the workbook has version 1"):
        wb.save(Contact(id=1, name="Bo"))
    assert [c.name for c in wb.all(Contact)] == ["Ann"]


def test_a_constraint_other_than_uniqueness_is_reported_in_sqlites_words(wb: Workbook) -> None:
    # A rule the store does not know about (here a trigger added to the file by hand).
    wb.conn.execute(
        "CREATE TRIGGER no_bo BEFORE INSERT ON contacts WHEN NEW.name = 'Bo' "
        "BEGIN SELECT RAISE(ABORT, 'no more contacts called Bo'); END"
    )
    with pytest.raises(ValidationFailed) as caught:
        wb.add(Contact(name="Bo"))
    assert caught.value.field is None
    assert str(caught.value) == f"{wb.path}: new contact: no more contacts called Bo"
    assert wb.count(Contact) == 0
