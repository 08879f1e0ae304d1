"""``export --anonymise``: no name, email or phone number of any person leaves the workbook.

The rich workbook (see conftest) mentions its people in letters, notes, answers, insights and
open questions, by full name, first name, surname and possessive, with emails and phone
numbers in several national formats.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from iivkit import Workbook
from iivkit.workbook.exports import document_for_export
from iivkit.workbook.interchange import parse_document


def forbidden(people: dict[str, dict[str, str]]) -> list[str]:
    """Every original identifier that must not appear in an anonymised export."""
    out: list[str] = []
    for person in people.values():
        for key in ("name", "first", "last", "email", "phone"):
            if person[key]:
                out.append(person[key])
    return out


def phone_digits(people: dict[str, dict[str, str]]) -> list[str]:
    """The subscriber part of each phone number, however it is punctuated."""
    return [re.sub(r"\D", "", p["phone"])[-7:] for p in people.values() if p["phone"]]


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    return []


def assert_no_leak(texts: list[str], people: dict[str, dict[str, str]]) -> None:
    for text in texts:
        for original in forbidden(people):
            # As a word: "Johan" must go, "Johannesburg" may stay.
            found = re.search(rf"(?<!\w){re.escape(original)}(?!\w)", text, flags=re.IGNORECASE)
            assert not found, (
                f"{original!r} leaked: ...{text[max(0, found.start() - 60) : found.end() + 60]}..."
            )
        digits = re.sub(r"\D", "", text)
        for number in phone_digits(people):
            assert number not in digits, f"phone {number} leaked in {text[:120]!r}"


def export(cli, workbook: Path, fmt: str, out: Path) -> Path:
    result = cli("export", workbook, "--format", fmt, "--anonymise", "--out", out)
    assert result.exit_code == 0, result.output
    assert "anonymised" in result.stdout
    return out


def test_the_plain_export_does_contain_the_people(rich_workbook: Path, tmp_path: Path, cli, people) -> None:
    # Guards the tests below: the identifiers they look for really are in the workbook.
    out = tmp_path / "plain.json"
    assert cli("export", rich_workbook, "--format", "json", "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    for original in forbidden(people):
        assert original in text, original
    free_text = json.loads(text)["interviews"][0]["notes"]
    assert people["johan"]["email"] in free_text and people["sipho"]["first"] in free_text


def test_anonymised_json_contains_no_name_email_or_phone(
    rich_workbook: Path, tmp_path: Path, cli, people
) -> None:
    out = export(cli, rich_workbook, "json", tmp_path / "anon.json")
    text = out.read_text(encoding="utf-8")
    assert_no_leak([text], people)
    assert_no_leak(strings_in(json.loads(text)), people)


def test_anonymised_csv_contains_no_name_email_or_phone(
    rich_workbook: Path, tmp_path: Path, cli, people
) -> None:
    out = export(cli, rich_workbook, "csv", tmp_path / "anon.zip")
    with zipfile.ZipFile(out) as zf:
        texts = [zf.read(name).decode("utf-8") for name in zf.namelist()]
    assert_no_leak(texts, people)
    cells = [cell for text in texts for row in csv.reader(io.StringIO(text)) for cell in row]
    assert_no_leak(cells, people)


def test_anonymised_xlsx_contains_no_name_email_or_phone(
    rich_workbook: Path, tmp_path: Path, cli, people
) -> None:
    out = export(cli, rich_workbook, "xlsx", tmp_path / "anon.xlsx")
    book = load_workbook(out)
    cells = [
        str(cell.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value
    ]
    assert_no_leak(cells, people)
    with zipfile.ZipFile(out) as zf:
        assert_no_leak([zf.read(name).decode("utf-8", "replace") for name in zf.namelist()], people)


def test_pseudonyms_are_stable_across_exports(rich_workbook: Path, tmp_path: Path, cli) -> None:
    first = export(cli, rich_workbook, "json", tmp_path / "one.json").read_text(encoding="utf-8")
    second = export(cli, rich_workbook, "json", tmp_path / "two.json").read_text(encoding="utf-8")
    assert first == second


def test_pseudonyms_are_the_same_in_every_format(rich_workbook: Path, tmp_path: Path, cli) -> None:
    as_json = json.loads(export(cli, rich_workbook, "json", tmp_path / "a.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(export(cli, rich_workbook, "csv", tmp_path / "a.zip")) as zf:
        csv_contacts = list(csv.DictReader(io.StringIO(zf.read("contacts.csv").decode("utf-8"))))
    sheet = load_workbook(export(cli, rich_workbook, "xlsx", tmp_path / "a.xlsx"))["contacts"]
    header = [c.value for c in sheet[1]]
    xlsx_contacts = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)
    ]
    names = [c["name"] for c in as_json["contacts"]]
    assert [c["name"] for c in csv_contacts] == names
    assert [c["name"] for c in xlsx_contacts] == names
    assert [c["email"] or None for c in csv_contacts] == [c["email"] for c in as_json["contacts"]]


def test_each_person_has_one_pseudonym_wherever_they_are_mentioned(rich_workbook: Path, people) -> None:
    with Workbook.open(rich_workbook) as wb:
        plain = document_for_export(wb)
        anon = document_for_export(wb, anonymised=True)
    pseudonym = {p.name: a.name for p, a in zip(plain.contacts, anon.contacts, strict=True)}
    assert plain.profile is not None and anon.profile is not None
    pseudonym[plain.profile.name] = anon.profile.name
    assert len(set(pseudonym.values())) == len(pseudonym), "two people share a pseudonym"
    sipho, johan = pseudonym[people["sipho"]["name"]], pseudonym[people["johan"]["name"]]
    student = pseudonym[people["student"]["name"]]

    interview = anon.interviews[0]
    assert interview.notes.startswith(f"{sipho} suggested I speak to {johan} (")
    assert f"{sipho}'s team ran the trial" in interview.notes
    assert interview.invitation_text.startswith(f"Dear Dr {sipho},")
    assert student in interview.invitation_text
    by_name = {c.name: c for c in anon.contacts}
    assert by_name[johan].notes == f"Referred by {sipho}."
    assert anon.findings[0].source_author == sipho


def test_references_survive_anonymising(rich_workbook: Path) -> None:
    with Workbook.open(rich_workbook) as wb:
        plain = document_for_export(wb)
        anon = document_for_export(wb, anonymised=True)
    assert [(c.id, c.referred_by_id, c.referred_in_interview_id) for c in anon.contacts] == [
        (c.id, c.referred_by_id, c.referred_in_interview_id) for c in plain.contacts
    ]
    assert [(i.id, i.contact_id) for i in anon.interviews] == [(i.id, i.contact_id) for i in plain.interviews]
    assert [q.suggested_contact_id for q in anon.open_questions] == [
        q.suggested_contact_id for q in plain.open_questions
    ]


def test_each_email_and_phone_number_has_one_stand_in(rich_workbook: Path, people) -> None:
    with Workbook.open(rich_workbook) as wb:
        anon = document_for_export(wb, anonymised=True)
    johan = next(c for c in anon.contacts if c.referred_by_id is not None)
    assert johan.email is not None and johan.phone
    notes = anon.interviews[0].notes
    assert f"({johan.email}, {johan.phone})" in notes
    maria = next(c for c in anon.contacts if c.id == anon.interviews[1].contact_id)
    assert maria.phone in anon.interviews[1].notes
    assert maria.email in anon.interviews[1].notes


def test_a_different_workbook_gives_the_same_person_a_different_pseudonym(tmp_path: Path, build_rich) -> None:
    # Pseudonyms are keyed by each workbook's own secret, so they cannot be matched across
    # workbooks or reversed by hashing a list of likely names.
    names = []
    for n in range(2):
        with build_rich(tmp_path / f"wb{n}.iiv") as wb:
            names.append([c.name for c in document_for_export(wb, anonymised=True).contacts])
    assert names[0] != names[1]


def test_the_anonymised_export_is_itself_a_valid_importable_document(
    rich_workbook: Path, tmp_path: Path, cli, counts
) -> None:
    out = export(cli, rich_workbook, "json", tmp_path / "anon.json")
    parse_document(out.read_text(encoding="utf-8"))
    result = cli("import", tmp_path / "anon.iiv", out)
    assert result.exit_code == 0, result.output
    assert counts(tmp_path / "anon.iiv") == counts(rich_workbook)


@pytest.mark.parametrize(
    "number",
    [
        "+27 82 555 1234",
        "082 555 1234",
        "0825551234",
        "(021) 555-0199",
        "+44 20 7946 0958",
        "+1 (415) 555-0132",
    ],
)
def test_phone_numbers_in_free_text_are_replaced_in_common_formats(tmp_path: Path, number: str) -> None:
    from iivkit import Contact

    with Workbook.create(tmp_path / "wb.iiv") as wb:
        wb.add(Contact(name="Aisha Patel", notes=f"Her cell is {number}, call after five."))
        anon = document_for_export(wb, anonymised=True)
    notes = anon.contacts[0].notes
    assert number not in notes
    assert re.sub(r"\D", "", number)[-7:] not in re.sub(r"\D", "", notes)
    assert notes.startswith("Her cell is ") and notes.endswith(", call after five.")
