"""Anonymising at the edges: emails in upper case and with accents, an address's local part as a
name, a person's number however it is written, numbers at the lengths where they start and stop
being phone numbers, names and numbers inside links, codes that stay the same from release to
release, and whole documents: every record type, the profile, other names, a phone field holding
two numbers. Fast tests of :class:`~iivkit.workbook.anonymise.Pseudonymiser`,
:func:`~iivkit.workbook.anonymise.people_pseudonymiser` and
:func:`~iivkit.workbook.anonymise.anonymise`."""

from __future__ import annotations

import re

import pytest

from iivkit.workbook.anonymise import Pseudonymiser, anonymise, people_pseudonymiser
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
    forms = ["+27 82 555 0142", "082 555 0142", "082-555-0142", "(082) 555 0142", "+27825550142", "555 0142"]
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


def test_codes_and_stand_ins_stay_the_same_from_release_to_release() -> None:
    # A class compares exports made months apart: the same secret must give the same codes.
    p = Pseudonymiser("a class secret")
    assert p.code("name", "Priya Naidoo") == "8AF2D3"
    assert p.email("priya.naidoo@health.example.org") == "person-7dda38@anonymised.example"
    assert p.phone("+27 82 555 0142") == "+00 6133500"


def test_a_stranger_s_number_has_one_stand_in_with_country_code_or_trunk_0() -> None:
    p = Pseudonymiser("s")
    assert p.phone("+27 82 555 0142") == p.phone("082 555 0142") == p.phone("27825550142")
    assert p.phone("+27 11 555 0142") != p.phone("+27 82 555 0142")


def test_a_person_s_own_number_is_found_bare_without_a_phone_word(p: Pseudonymiser) -> None:
    stand_in = p.phone("+27 82 555 0142")
    assert p.text("Her number, 5550142, or 825550142.") == f"Her number, {stand_in}, or {stand_in}."
    # A bare number of someone else, not called a phone number, is not one.
    assert p.text("Invoice 20260142 paid") == "Invoice 20260142 paid"


def test_a_short_number_in_a_record_is_matched_with_the_full_number_in_text() -> None:
    p = Pseudonymiser("s")
    p.add_person("Sipho Dlamini", "Contact", phone="555 0142")  # seven digits, no area code
    assert p.phone("+27 21 555 0142") == p.phone("555 0142")
    assert p.text("Ref 5550142.") == f"Ref {p.phone('555 0142')}."


@pytest.mark.parametrize(
    ("text", "replaced"),
    [
        ("Desk 555-0199.", True),  # seven digits: the shortest phone number
        ("Room 012 34 is on the left.", False),  # five digits
        ("Office +123 456789 012345.", True),  # fifteen digits: the longest
        ("Card 0123 4567 8901 2345 expired.", False),  # sixteen digits
    ],
)
def test_a_number_is_a_phone_number_from_seven_to_fifteen_digits(
    p: Pseudonymiser, text: str, replaced: bool
) -> None:
    out = p.text(text)
    if replaced:
        assert re.fullmatch(r"\w+ \+00 \d{7}\.", out), out
    else:
        assert out == text


def test_names_and_numbers_inside_links_become_slugs(p: Pseudonymiser) -> None:
    code = p.code("name", "Priya Naidoo")
    stand_in = p.phone("+27 82 555 0142")
    assert (
        p.text("Profile: linkedin.com/in/priya-naidoo-123")
        == f"Profile: linkedin.com/in/contact-{code.lower()}-123"
    )
    assert p.text("Chat: https://wa.me/27825550142") == f"Chat: https://wa.me/{stand_in.replace(' ', '-')}"
    assert p.text("Priya Naidoo, 082 555 0142") == f"Contact {code}, {stand_in}"


def test_a_name_written_without_umlauts_is_the_same_person(p: Pseudonymiser) -> None:
    zoe = f"Contact {p.code('name', 'Zoë Müller')}"
    assert p.text("Mueller wrote; ZOE MUELLER agreed.") == f"{zoe} wrote; {zoe} agreed."


def test_a_four_letter_local_part_is_a_name_too() -> None:
    p = Pseudonymiser("s")
    sipho = p.add_person("Sipho Dlamini", "Contact", email="zulu@example.org")
    assert p.text("Zulu replied; zulu.") == f"{sipho} replied; {sipho}."


def test_only_the_local_part_of_an_address_is_a_name() -> None:
    p = Pseudonymiser("s")
    priya = p.add_person("Priya Naidoo", "Contact", email="sunflower@health.example.org")
    assert p.text("Sunflower wrote about health.") == f"{priya} wrote about health."


def test_the_people_s_other_names_emails_and_phones_are_all_known() -> None:
    record = {
        "name": "Priya Naidoo",
        "other_names": ["Sunny"],
        "email": "sunflower@x.example",
        "phone": "555 0142",
    }
    p = people_pseudonymiser("s", [("Contact", record)])
    priya, stand_in = f"Contact {p.code('name', 'Priya Naidoo')}", p.phone("555 0142")
    out = p.text("Sunny wrote from the sunflower desk, ref 5550142.")
    assert out == f"{priya} wrote from the {priya} desk, ref {stand_in}."


PRIYA = "Priya Naidoo"
MENTION = "Priya Naidoo (082 555 0142, pnaidoo@health.example.org) said so."


def every_record_type() -> Document:
    """A document with every record type, each mentioning Priya in its free text."""
    return Document.model_validate(
        {
            "profile": {
                "name": "Thandi Mokoena",
                "email": "thandi@student.example.org",
                "phone": "+27 72 555 0100",
                "career_vision": MENTION,
            },
            "organisations": [{"id": 1, "name": "Health Unit", "notes": MENTION, "divisions": [PRIYA]}],
            "findings": [{"id": 1, "claim": MENTION, "source_author": PRIYA}],
            "contacts": [
                {
                    "id": 1,
                    "name": PRIYA,
                    "other_names": ["Sunny"],
                    "email": "pnaidoo@health.example.org",
                    "phone": "0825550142 / 0215550199",
                    "notes": "Sunny to her friends. Thandi Mokoena met her.",
                }
            ],
            "interviews": [{"id": 1, "contact_id": 1, "notes": MENTION, "keywords": [PRIYA]}],
            "questions": [{"id": 1, "category": "role", "text": MENTION}],
            "planned_questions": [
                {"id": 1, "interview_id": 1, "category": "role", "text": "Ask", "answer": MENTION}
            ],
            "finding_outcomes": [{"id": 1, "interview_id": 1, "finding_id": 1, "note": MENTION}],
            "insights": [{"id": 1, "interview_id": 1, "text": MENTION}],
            "open_questions": [{"id": 1, "text": MENTION, "answer": MENTION}],
        }
    )


def test_anonymising_a_document_reaches_every_record_type() -> None:
    doc = anonymise(every_record_type(), "salt")
    dumped = doc.model_dump_json()
    for original in (PRIYA, "Priya", "Naidoo", "pnaidoo", "555 0142", "Sunny", "Thandi", "Mokoena", "0100"):
        assert original not in dumped, original
    contact = doc.contacts[0]
    assert re.fullmatch(r"Contact [0-9A-F]{6}", contact.name)
    assert contact.email is not None and STAND_IN.fullmatch(contact.email)
    mention = f"{contact.name} ({contact.phone}, {contact.email}) said so."
    assert doc.interviews[0].notes == mention
    assert [doc.organisations[0].notes, doc.findings[0].claim, doc.questions[0].text] == [mention] * 3
    assert doc.organisations[0].divisions == doc.interviews[0].keywords == [contact.name]
    assert doc.findings[0].source_author == contact.name
    assert doc.planned_questions[0].answer == doc.finding_outcomes[0].note == doc.insights[0].text == mention
    assert doc.open_questions[0].text == doc.open_questions[0].answer == mention


def test_anonymising_a_document_pseudonymises_the_student_s_own_fields() -> None:
    doc = anonymise(every_record_type(), "salt")
    assert doc.profile is not None
    student = doc.profile.name
    assert re.fullmatch(r"Student [0-9A-F]{6}", student)
    assert doc.profile.email is not None and STAND_IN.fullmatch(doc.profile.email)
    assert re.fullmatch(r"\+00 \d{7}", doc.profile.phone)
    assert doc.profile.career_vision == doc.interviews[0].notes
    assert doc.contacts[0].notes.endswith(f"to her friends. {student} met her.")


def test_a_contact_s_other_names_are_left_out_and_a_phone_field_gets_one_stand_in() -> None:
    (contact,) = anonymise(every_record_type(), "salt").contacts
    assert contact.other_names == []
    assert contact.notes.startswith(f"{contact.name} to her friends.")
    # Two numbers in one field become one stand-in, like any phone field.
    assert re.fullmatch(r"\+00 \d{7}", contact.phone)


def test_each_of_two_numbers_in_a_phone_field_is_the_person_s() -> None:
    p = Pseudonymiser("s")
    p.add_person("Priya Naidoo", "Contact", phone="082 555 0142 / 021 555 0199")
    stand_in = p.phone("082 555 0142 / 021 555 0199")
    assert p.phone("+27 82 555 0142") == p.phone("021 555 0199") == stand_in
    assert p.text("Ref 5550142 or 5550199.") == f"Ref {stand_in} or {stand_in}."


def test_a_name_inside_a_longer_word_of_a_link_is_replaced_too() -> None:
    # Links are not left alone (a profile link names its person), so a link may change where
    # nobody was meant; prose keeps the longer word.
    p = Pseudonymiser("s")
    slug = p.add_person("Johan Botha", "Contact").lower().replace(" ", "-")
    out = p.text("See www.johannesburg.gov.za, in Johannesburg.")
    assert out == f"See www.{slug}nesburg.gov.za, in Johannesburg."
