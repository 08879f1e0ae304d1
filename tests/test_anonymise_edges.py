"""Anonymising at the edges: emails in upper case and with accents, an address's local part as a
name, a person's number however it is written, and a whole document whose stored email is written
differently from the one in its notes. Fast tests of :class:`~iivkit.workbook.anonymise.Pseudonymiser`
and :func:`~iivkit.workbook.anonymise.anonymise`."""

from __future__ import annotations

import re

import pytest

from iivkit.workbook.anonymise import Pseudonymiser, anonymise
from iivkit.workbook.interchange import Document

STAND_IN = re.compile(r"person-[0-9a-f]{6}@anonymised\.example")


@pytest.fixture
def p() -> Pseudonymiser:
    p = Pseudonymiser("a class secret")
    p.add_person("Priya Naidoo", "Contact", email="pnaidoo@health.example.org", phone="+27 82 555 0142")
    p.add_person("Zoë Müller", "Contact", email="zoë.müller@example.de")
    return p


@pytest.mark.parametrize(
    "written",
    ["Priya.Naidoo@Health.Example.ORG", "PRIYA.NAIDOO@HEALTH.EXAMPLE.ORG", "priya.naidoo@health.example.org"],
)
def test_an_email_in_any_case_has_one_stand_in(p: Pseudonymiser, written: str) -> None:
    assert p.email(written) == p.email("priya.naidoo@health.example.org")
    assert STAND_IN.fullmatch(p.email(written))
    out = p.text(f"Write to {written} today.")
    assert out == f"Write to {p.email('priya.naidoo@health.example.org')} today."


@pytest.mark.parametrize(
    "written", ["zoë.müller@example.de", "ZOË.MÜLLER@EXAMPLE.DE", "Zoë.Müller@Example.de"]
)
def test_an_email_with_accents_is_replaced_whole_in_any_case(p: Pseudonymiser, written: str) -> None:
    out = p.text(f"Mail: {written}.")
    assert out == f"Mail: {p.email('zoë.müller@example.de')}."
    assert "ü" not in out and "ë" not in out


def test_different_addresses_have_different_stand_ins(p: Pseudonymiser) -> None:
    assert p.email("a.person@example.org") != p.email("b.person@example.org")
    assert p.email(" pnaidoo@health.example.org ") == p.email("pnaidoo@health.example.org")


def test_a_different_secret_gives_different_stand_ins() -> None:
    one, two = Pseudonymiser("one"), Pseudonymiser("two")
    assert one.email("x@example.org") != two.email("x@example.org")
    assert one.code("name", "Priya Naidoo") != two.code("name", "Priya Naidoo")
    assert one.code("name", "Priya Naidoo") == Pseudonymiser("one").code("name", " PRIYA NAIDOO ")
    assert re.fullmatch(r"[0-9A-F]{6}", one.code("name", "Priya Naidoo"))


def test_an_address_s_local_part_is_one_of_the_person_s_names(p: Pseudonymiser) -> None:
    pseudonym = p.add_person("Priya Naidoo", "Contact", email="pnaidoo@health.example.org")
    assert p.text("PNaidoo said yes; pnaidoo too.") == f"{pseudonym} said yes; {pseudonym} too."


def test_a_short_local_part_is_not_taken_for_a_name() -> None:
    p = Pseudonymiser("s")
    p.add_person("Al Bo", "Contact", email="ab@example.org")
    assert p.text("ab testing on the lab") == "ab testing on the lab"


def test_a_person_s_number_has_one_stand_in_however_it_is_written(p: Pseudonymiser) -> None:
    forms = ["+27 82 555 0142", "082 555 0142", "082-555-0142", "(082) 555 0142", "+27825550142"]
    stand_ins = {p.phone(f) for f in forms}
    assert len(stand_ins) == 1
    (stand_in,) = stand_ins
    assert re.fullmatch(r"\+00 \d{7}", stand_in)
    for form in forms:
        assert p.text(f"Call {form} now") == f"Call {stand_in} now", form
    assert p.phone("+27 11 555 0199") != stand_in


def test_a_stranger_s_number_is_replaced_too(p: Pseudonymiser) -> None:
    out = p.text("Reception: 011 555 0199.")
    assert "555" not in out and re.search(r"\+00 \d{7}", out)
    assert p.text("Dated 12/03/2026, room 12.") == "Dated 12/03/2026, room 12."


def document(email: str, notes: str) -> Document:
    return Document.model_validate(
        {"contacts": [{"id": 1, "name": "Priya Naidoo", "email": email, "notes": notes}]}
    )


def test_anonymising_a_document_uses_one_stand_in_for_an_email_however_it_is_written() -> None:
    doc = document("Priya.Naidoo@Health.Example.org", "Her other address: PRIYA.NAIDOO@HEALTH.EXAMPLE.ORG.")
    (contact,) = anonymise(doc, "salt").contacts
    assert contact.email is not None and STAND_IN.fullmatch(contact.email)
    assert contact.notes == f"Her other address: {contact.email}."
    assert contact.name.startswith("Contact ") and "Priya" not in contact.name


def test_each_of_two_numbers_in_a_phone_field_is_the_person_s() -> None:
    p = Pseudonymiser("s")
    p.add_person("Priya Naidoo", "Contact", phone="082 555 0142 / 021 555 0199")
    stand_in = p.phone("082 555 0142 / 021 555 0199")
    assert p.phone("+27 82 555 0142") == p.phone("021 555 0199") == stand_in
    assert p.text("Ref 5550142 or 5550199.") == f"Ref {stand_in} or {stand_in}."
