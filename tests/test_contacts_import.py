"""Contacts in from LinkedIn, a CSV with --map and vCard, and out as vCard, through the command line."""

from __future__ import annotations

import contextlib
import csv
import io
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import vobject

from iivkit import Contact, Organisation, Workbook
from iivkit.errors import ValidationFailed
from iivkit.workbook.models import ContactStatus, HowFound

LINKEDIN_NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    "missing. You will only see email addresses for connections who have allowed their connections "
    'to see or download it. You can learn more here: https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
"""What LinkedIn writes above the header: data rows start on line 5."""
HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
FIRST_ROW = 5


def linkedin_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return LINKEDIN_NOTES + out.getvalue()


def connection(i: int) -> list[str]:
    """The i-th generated connection: 50 companies written in varying case and spacing."""
    company = f"Company {i % 50}"
    if i % 3 == 1:
        company = f"  COMPANY   {i % 50} "
    email = "" if i % 4 == 3 else f"person{i}@example.org"
    return [
        f"Person{i}",
        "Tester",
        f"https://www.linkedin.com/in/person{i}",
        email,
        company,
        "Analyst",
        "12 Mar 2024",
    ]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def transactions(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The workbooks of every outermost write transaction begun from here on."""
    begun: list[Path] = []
    original = Workbook.transaction

    @contextlib.contextmanager
    def counted(self: Workbook) -> Iterator[Any]:
        if not self._depth:
            begun.append(self.path)
        with original(self) as conn:
            yield conn

    monkeypatch.setattr(Workbook, "transaction", counted)
    return begun


def contacts(path: Path) -> list[Contact]:
    with Workbook.read(path) as wb:
        return wb.all(Contact)


def organisations(path: Path) -> dict[int | None, str]:
    with Workbook.read(path) as wb:
        return {o.id: o.name for o in wb.all(Organisation)}


# -- LinkedIn --------------------------------------------------------------------------------


def test_a_linkedin_export_of_500_connections_imports_in_one_transaction_and_again_adds_none(
    tmp_path: Path, cli: Callable[..., Any], transactions: list[Path]
) -> None:
    source = write(tmp_path / "Connections.csv", linkedin_text([connection(i) for i in range(500)]))
    target = tmp_path / "wb.iiv"

    first = cli("import", target, source)
    assert first.exit_code == 0, first.output
    assert first.stdout == (
        f"Imported 500 contacts and 50 new organisations into a new workbook, {target}, "
        f"from {source} (LinkedIn connections).\n"
    )
    assert first.stderr == ""
    assert len(transactions) == 1
    people = contacts(target)
    assert len(people) == 500
    assert len(organisations(target)) == 50
    ann = people[1]
    assert ann.name == "Person1 Tester"
    assert organisations(target)[ann.organisation_id] == "COMPANY 1"
    assert ann.email == "person1@example.org" and ann.role == "Analyst"
    assert ann.how_found is HowFound.professional_network
    assert ann.status is ContactStatus.identified
    assert ann.notes == "LinkedIn: https://www.linkedin.com/in/person1\nConnected on LinkedIn: 12 Mar 2024"
    assert people[3].email is None

    again = cli("import", target, source)
    assert again.exit_code == 0, again.output
    lines = again.stdout.splitlines()
    assert lines[0] == (
        f"Imported 0 contacts and 0 new organisations into {target} from {source} (LinkedIn connections)."
    )
    assert lines[1] == "500 duplicates not added:"
    assert lines[2] == f"  {source} line 5: Person0 Tester: already in the workbook as contact 1 (same email)"
    assert lines[5] == (
        f"  {source} line 8: Person3 Tester: already in the workbook as contact 4 "
        "(same name at the same organisation)"
    )
    assert len(lines) == 502
    assert len(contacts(target)) == 500
    assert len(organisations(target)) == 50


def test_organisations_are_matched_by_name_whatever_the_case_and_spacing(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    target = tmp_path / "wb.iiv"
    with Workbook.create(target) as wb:
        acme = wb.add(Organisation(name="Acme Health"))
    rows = [
        ["Ann", "Lee", "", "", "acme   HEALTH", "Analyst", ""],
        ["Bo", "Chen", "", "", "Globex", "Nurse", ""],
        ["Cy", "Dube", "", "", "GLOBEX ", "Nurse", ""],
    ]
    result = cli("import", target, write(tmp_path / "Connections.csv", linkedin_text(rows)))
    assert result.exit_code == 0, result.output
    assert "Imported 3 contacts and 1 new organisation into" in result.stdout
    assert organisations(target) == {acme.id: "Acme Health", 2: "Globex"}
    assert [c.organisation_id for c in contacts(target)] == [acme.id, 2, 2]


def test_formula_text_in_a_row_is_kept_as_plain_text(tmp_path: Path, cli: Callable[..., Any]) -> None:
    formula = '=HYPERLINK("https://evil.example", "click")'
    rows = [["Ann", "Lee", "", "", "Acme", formula, ""]]
    result = cli("import", tmp_path / "wb.iiv", write(tmp_path / "Connections.csv", linkedin_text(rows)))
    assert result.exit_code == 0, result.output
    assert contacts(tmp_path / "wb.iiv")[0].role == formula


# -- bad rows ----------------------------------------------------------------------------------

BAD_ROWS = [
    ["Ann", "Lee", "", "ann@acme.org", "Acme", "Analyst", ""],
    ["Bob", "Smith", "", "bob@", "Acme", "Engineer", ""],
    ["Cy", "Dube\nJr", "", "", "Acme", "Nurse", ""],
    ["", "", "https://www.linkedin.com/in/nobody", "", "Acme", "", ""],
    ["Dee", "Moyo", "", "", "Acme", "Head of\tResearch", ""],
]
BAD_LINES = [
    "line 6: Email Address: 'bob@' is not an email address",
    "line 7: Last Name: must be one line: remove the line break ('\\n')",
    "line 9: First Name and Last Name: empty; a contact needs a name",
    "line 10: Position: must be one line: replace the tab with a space",
]


def test_bad_rows_are_listed_by_line_and_field_and_nothing_is_written(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = write(tmp_path / "Connections.csv", linkedin_text(BAD_ROWS))
    existing = tmp_path / "wb.iiv"
    Workbook.create(existing).close()
    before = existing.read_bytes()

    result = cli("import", existing, source)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        *(f"iivkit: error: {source} {line}" for line in BAD_LINES),
        f"iivkit: error: {source}: 4 bad rows; nothing was imported. "
        "Fix them, or pass --skip-bad to import the others",
    ]
    assert "Traceback" not in result.output
    assert contacts(existing) == [] and existing.read_bytes() == before

    new = tmp_path / "new.iiv"
    assert cli("import", new, source).exit_code == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Connections.csv", "wb.iiv"]


def test_skip_bad_writes_the_valid_rows_and_lists_the_bad_ones(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = write(tmp_path / "Connections.csv", linkedin_text(BAD_ROWS))
    target = tmp_path / "wb.iiv"
    result = cli("import", target, source, "--skip-bad")
    assert result.exit_code == 1
    assert result.stdout == (
        f"Imported 1 contact and 1 new organisation into a new workbook, {target}, "
        f"from {source} (LinkedIn connections).\n"
    )
    assert result.stderr.splitlines() == [f"iivkit: skipped: {source} {line}" for line in BAD_LINES]
    assert [c.name for c in contacts(target)] == ["Ann Lee"]


# -- dry run -----------------------------------------------------------------------------------


def test_dry_run_shows_what_would_change_and_writes_nothing(tmp_path: Path, cli: Callable[..., Any]) -> None:
    target = tmp_path / "wb.iiv"
    with Workbook.create(target) as wb:
        acme = wb.add(Organisation(name="Acme"))
        wb.add(Contact(name="Ann Lee", email="ann@acme.org", organisation_id=acme.id))
    with Workbook.open(target) as wb:
        wb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    rows = [
        ["Ann", "Lee", "", "ANN@acme.org", "Acme", "Analyst", ""],
        ["Bo", "Chen", "", "", "Globex", "Nurse", ""],
        ["Cy", "Dube", "", "cy@acme.org", "", "", ""],
    ]
    source = write(tmp_path / "Connections.csv", linkedin_text(rows))
    before[source.name] = source.read_bytes()

    result = cli("import", target, source, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Dry run: would import 2 contacts and 1 new organisation into {target} "
        f"from {source} (LinkedIn connections).",
        "  new organisation: Globex",
        "  line 6: Bo Chen (Nurse, Globex)",
        "  line 7: Cy Dube",
        "1 duplicate not added:",
        f"  {source} line 5: Ann Lee: already in the workbook as contact 1 (same email)",
    ]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before

    missing = tmp_path / "missing.iiv"
    assert cli("import", missing, source, "--dry-run").exit_code == 0
    assert not missing.exists()


def test_dry_run_with_bad_rows_says_nothing_would_be_imported(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = write(tmp_path / "Connections.csv", linkedin_text(BAD_ROWS[:2]))
    result = cli("import", tmp_path / "wb.iiv", source, "--dry-run")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"iivkit: error: {source}: 1 bad row; nothing would be imported. "
        "Fix it, or pass --skip-bad to import the others"
    )
    assert not (tmp_path / "wb.iiv").exists()


# -- duplicates --------------------------------------------------------------------------------


def test_duplicates_by_email_and_by_name_at_the_organisation_are_reported_not_added(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    target = tmp_path / "wb.iiv"
    with Workbook.create(target) as wb:
        acme = wb.add(Organisation(name="Acme"))
        wb.add(Contact(name="Ann Lee", email="Ann.Lee@Acme.org", organisation_id=acme.id))
        wb.add(Contact(name="Bo Chen", organisation_id=acme.id))
    rows = [
        ["Ann", "Lee", "", "ann.lee@acme.ORG", "Elsewhere", "", ""],  # same email, case aside
        ["bo", "CHEN", "", "", " ACME ", "", ""],  # same name at the same organisation
        ["Bo", "Chen", "", "", "Globex", "", ""],  # same name elsewhere: a different person
        ["Cy", "Dube", "", "cy@x.org", "", "", ""],
        ["Cyril", "Dube", "", "CY@x.org", "", "", ""],  # same email as line 8
        ["Bo", "Chen", "", "", "globex", "", ""],  # same as line 7
    ]
    source = write(tmp_path / "Connections.csv", linkedin_text(rows))
    result = cli("import", target, source)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Imported 2 contacts and 1 new organisation into {target} from {source} (LinkedIn connections).",
        "4 duplicates not added:",
        f"  {source} line 5: Ann Lee: already in the workbook as contact 1 (same email)",
        f"  {source} line 6: bo CHEN: already in the workbook as contact 2 "
        "(same name at the same organisation)",
        f"  {source} line 9: Cyril Dube: same as line 8 (same email)",
        f"  {source} line 10: Bo Chen: same as line 7 (same name at the same organisation)",
    ]
    assert [c.name for c in contacts(target)] == ["Ann Lee", "Bo Chen", "Bo Chen", "Cy Dube"]


# -- a CSV with --map --------------------------------------------------------------------------

MAPPED = (
    "Full name,Employer,Mail,Cell,Met at,Remarks\n"
    "Thandiwe Nkosi,Gauteng Health,t.nkosi@health.gov.za,+27 72 555 0147,Careers fair,Ask about PhD\n"
    '"Dr Sipho Dlamini",,sipho@example.org,,,"Two\nlines"\n'
    "Jo Bloggs,Acme,not-an-email,,,\n"
)


def test_a_csv_with_a_column_map_imports_the_mapped_fields(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = write(tmp_path / "people.csv", MAPPED)
    target = tmp_path / "wb.iiv"
    mapping = "Full name=name,Employer=organisation,Mail=email,Cell=phone,Met at=notes,Remarks=notes"
    result = cli("import", target, source, "--map", mapping, "--skip-bad")
    assert result.exit_code == 1
    assert result.stdout == (
        f"Imported 2 contacts and 1 new organisation into a new workbook, {target}, from {source} (CSV).\n"
    )
    assert (
        result.stderr == f"iivkit: skipped: {source} line 5: Mail: 'not-an-email' is not an email address\n"
    )
    thandiwe, sipho = contacts(target)
    assert (thandiwe.name, thandiwe.email, thandiwe.phone) == (
        "Thandiwe Nkosi",
        "t.nkosi@health.gov.za",
        "+27 72 555 0147",
    )
    assert organisations(target)[thandiwe.organisation_id] == "Gauteng Health"
    assert thandiwe.notes == "Met at: Careers fair\nRemarks: Ask about PhD"
    assert thandiwe.how_found is HowFound.other
    assert (sipho.honorific, sipho.name, sipho.organisation_id, sipho.notes) == (
        "Dr",
        "Sipho Dlamini",
        None,
        "Remarks: Two\nlines",
    )


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("Full name=nom", "--map: 'nom' is not a field; use one of name, first_name, last_name, "),
        ("Full name", "--map: 'Full name' is not COLUMN=FIELD"),
        ("Mail=email", "--map: say which column holds the name"),
        ("Full name=name,Mail=name", "--map: 'name' is given two columns ('Full name' and 'Mail')"),
        ("Name=name", "no header row with the column(s) 'Name'; the first row has 'Full name', 'Employer'"),
    ],
)
def test_a_bad_column_map_is_refused_in_one_line(
    mapping: str, message: str, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = write(tmp_path / "people.csv", MAPPED)
    result = cli("import", tmp_path / "wb.iiv", source, "--map", mapping)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert not (tmp_path / "wb.iiv").exists()


def test_a_csv_without_a_map_that_is_not_linkedin_says_to_give_one(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = write(tmp_path / "people.csv", MAPPED)
    result = cli("import", tmp_path / "wb.iiv", source)
    assert result.exit_code == 2
    assert result.stderr == (
        f"iivkit: error: {source}: not a LinkedIn Connections.csv; say which column holds which field "
        "with --map (see 'iivkit import --help')\n"
    )


def test_replace_profile_is_refused_for_a_file_of_contacts(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = write(tmp_path / "people.vcf", VCARDS)
    result = cli("import", tmp_path / "wb.iiv", source, "--replace-profile")
    assert result.exit_code == 2
    assert result.stderr == (
        f"iivkit: error: {source}: --replace-profile is for a JSON document; "
        "a file of contacts has no profile\n"
    )
    assert not (tmp_path / "wb.iiv").exists()


def test_contact_options_are_refused_for_a_json_document(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = write(tmp_path / "doc.json", "{}")
    result = cli("import", tmp_path / "wb.iiv", source, "--dry-run")
    assert result.exit_code == 2
    assert "--map, --dry-run and --skip-bad are for contacts" in result.stderr


def test_a_file_over_the_import_limit_is_refused(
    tmp_path: Path, cli: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("iivkit.workbook.interchange.MAX_DOCUMENT_BYTES", 2**20)
    source = write(tmp_path / "Connections.csv", linkedin_text([connection(i) for i in range(12_000)]))
    assert source.stat().st_size > 2**20
    result = cli("import", tmp_path / "wb.iiv", source)
    assert result.exit_code == 2
    assert f"{source}: is larger than 1 MB, the most import reads" in result.stderr
    assert not (tmp_path / "wb.iiv").exists()


# -- vCard -------------------------------------------------------------------------------------

VCARDS = (
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "N:Fernández;María José;;;\r\n"
    "FN:María José Fernández\r\n"
    "ORG:World Health Organization;Research\r\n"
    "TITLE:Epidemiologist\r\n"
    "EMAIL;TYPE=INTERNET,WORK:mj.fernandez@who.int\r\n"
    "TEL;TYPE=WORK:+1 (415) 555-0132\r\n"
    "NOTE:Met at the conference\\, 2024\\nAsk about fellowships\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "FN:Sipho Dlamini\r\n"
    "ORG:Gauteng Department of Health\r\n"
    "EMAIL;TYPE=work:s.dlamini@health.gov.za\r\n"
    'TEL;VALUE=uri;TYPE="voice,work":tel:+27-12-555-0182\r\n'
    "URL:https://health.gov.za/sipho\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "N:van der Merwe;Johan;;;\r\n"
    "END:VCARD\r\n"
)


def test_a_vcard_file_with_three_contacts_imports_them(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = write(tmp_path / "people.vcf", VCARDS)
    target = tmp_path / "wb.iiv"
    result = cli("import", target, source)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Imported 3 contacts and 2 new organisations into a new workbook, {target}, from {source} (vCard).\n"
    )
    maria, sipho, johan = contacts(target)
    orgs = organisations(target)
    assert (maria.name, orgs[maria.organisation_id], maria.role) == (
        "María José Fernández",
        "World Health Organization",
        "Epidemiologist",
    )
    assert (maria.email, maria.phone) == ("mj.fernandez@who.int", "+1 (415) 555-0132")
    assert maria.notes == "Met at the conference, 2024\nAsk about fellowships"
    assert (sipho.phone, sipho.notes) == ("+27-12-555-0182", "Web: https://health.gov.za/sipho")
    assert (johan.name, johan.organisation_id, johan.email) == ("Johan van der Merwe", None, None)


def test_a_bad_card_is_reported_by_the_line_it_starts_on(tmp_path: Path, cli: Callable[..., Any]) -> None:
    text = VCARDS + "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bad\r\nEMAIL:bad@\r\nEND:VCARD\r\n"
    source = write(tmp_path / "people.vcf", text)
    result = cli("import", tmp_path / "wb.iiv", source)
    assert result.exit_code == 2
    assert (
        result.stderr.splitlines()[0]
        == f"iivkit: error: {source} line 23: EMAIL: 'bad@' is not an email address"
    )


def test_vcf_export_writes_vcard_4_that_reads_back(
    rich_workbook: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "contacts.vcf"
    result = cli("export", rich_workbook, "--format", "vcf", "--out", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Wrote {out}.\n"
    people = contacts(rich_workbook)
    orgs = organisations(rich_workbook)
    cards = list(vobject.readComponents(out.read_text(encoding="utf-8")))
    assert len(cards) == len(people)
    for card, person in zip(cards, people, strict=True):
        assert card.version.value == "4.0"
        assert card.fn.value == person.name
        assert card.n.value.family == person.name.split()[-1]
        assert ("org" in card.contents) == (person.organisation_id is not None)
        if person.organisation_id is not None:
            assert card.org.value == [orgs[person.organisation_id]]
        assert (card.title.value if "title" in card.contents else "") == person.role
        assert (card.email.value if "email" in card.contents else None) == person.email
        assert (card.tel.value if "tel" in card.contents else "") == person.phone
        assert (card.note.value if "note" in card.contents else "") == person.notes

    copy = tmp_path / "copy.iiv"
    again = cli("import", copy, out)
    assert again.exit_code == 0, again.output
    assert [(c.name, c.email, c.role, c.phone, c.notes) for c in contacts(copy)] == [
        (c.name, c.email, c.role, c.phone, c.notes) for c in people
    ]
    assert sorted(organisations(copy).values()) == sorted(
        {orgs[c.organisation_id] for c in people if c.organisation_id is not None}
    )


def test_add_many_checks_each_record_as_add_does_and_writes_nothing_on_a_bad_one(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "wb.iiv") as wb:
        good = Contact(name="Ann Lee")
        bad = Contact.model_construct(name="Bo\nChen")
        with pytest.raises(ValidationFailed) as caught:
            wb.add_many([good, bad])
        assert caught.value.field == "name"
        assert wb.count(Contact) == 0
        assert wb.add_many([good, Contact(name="Bo Chen")]) == 2
        assert [c.name for c in wb.all(Contact)] == ["Ann Lee", "Bo Chen"]


def test_a_csv_saved_in_a_windows_encoding_is_refused_with_how_to_save_it(tmp_path: Path, cli) -> None:
    people = tmp_path / "people.csv"
    people.write_bytes("Full name,Employer\r\nJosé García,Café Ltd\r\n".encode("cp1252"))
    result = cli("import", tmp_path / "w.iiv", people, "--map", "Full name=name,Employer=organisation")
    assert result.exit_code == 2
    assert "text not in UTF-8" in result.output and "save as 'CSV UTF-8'" in result.output
    assert not (tmp_path / "w.iiv").exists()


def test_a_vcf_file_with_no_card_is_refused(tmp_path: Path, cli) -> None:
    empty = tmp_path / "contacts.vcf"
    empty.write_text("hello world\n", encoding="utf-8")
    result = cli("import", tmp_path / "w.iiv", empty)
    assert result.exit_code == 2 and "holds no vCard" in result.output
    assert not (tmp_path / "w.iiv").exists()


def test_skipping_every_row_of_a_file_creates_no_workbook(tmp_path: Path, cli) -> None:
    source = write(tmp_path / "Connections.csv", linkedin_text(BAD_ROWS[1:3]))
    result = cli("import", tmp_path / "new.iiv", source, "--skip-bad")
    assert result.exit_code == 2
    assert "holds no contact to import, so" in result.output and "was not created" in result.output
    assert not (tmp_path / "new.iiv").exists()


def test_a_contact_at_the_second_of_two_same_named_organisations_is_still_a_duplicate(
    tmp_path: Path, cli
) -> None:
    from iivkit import Organisation

    path = tmp_path / "w.iiv"
    with Workbook.create(path) as wb:
        wb.add(Organisation(name="ACME"))
        second = wb.add(Organisation(name="Acme")).id
        wb.add(Contact(name="Ann Lee", organisation_id=second))
    source = write(tmp_path / "Connections.csv", linkedin_text([["Ann", "Lee", "", "", "ACME", "", ""]]))
    result = cli("import", path, source)
    assert result.exit_code == 0, result.output
    assert "1 duplicate not added" in result.output
    assert [c.name for c in contacts(path)] == ["Ann Lee"]


# -- what older and other exports write ---------------------------------------------------------


def test_a_semicolon_separated_csv_is_read_with_its_own_separator(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = write(
        tmp_path / "people.csv",
        "Name;Employer;Mail\nAnna Müller;Pulse Health, Inc.;anna@pulse.example\nLuc Martin;;luc@example.fr\n",
    )
    target = tmp_path / "wb.iiv"
    result = cli("import", target, source, "--map", "Name=name,Employer=organisation,Mail=email")
    assert result.exit_code == 0, result.output
    anna, luc = contacts(target)
    assert (anna.name, organisations(target)[anna.organisation_id], anna.email) == (
        "Anna Müller",
        "Pulse Health, Inc.",
        "anna@pulse.example",
    )
    assert (luc.name, luc.organisation_id, luc.email) == ("Luc Martin", None, "luc@example.fr")


def test_a_tab_separated_file_is_read_too(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = write(tmp_path / "people.tsv", "Name\tMail\nAnna Müller\tanna@pulse.example\n")
    result = cli("import", tmp_path / "wb.iiv", source, "--map", "Name=name,Mail=email")
    assert result.exit_code == 0, result.output
    assert [(c.name, c.email) for c in contacts(tmp_path / "wb.iiv")] == [
        ("Anna Müller", "anna@pulse.example")
    ]


def test_a_csv_with_no_mapped_header_under_any_separator_names_the_missing_columns(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    source = write(tmp_path / "people.csv", "Who;Where\nAnna;Pulse\n")
    result = cli("import", tmp_path / "wb.iiv", source, "--map", "Name=name")
    assert result.exit_code == 2
    assert result.stderr == (
        f"iivkit: error: {source}: no header row with the column(s) 'Name'; the first row has 'Who;Where'\n"
    )
    assert not (tmp_path / "wb.iiv").exists()


OUTLOOK_CARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N:Whitfield;Dana;;Dr.;\r\n"
    "FN:Dr. Dana Whitfield\r\n"
    "ORG:Pulse Health\r\n"
    "TITLE:Head of Research, Design\r\n"
    "NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Met at the UX=20meetup, caf=C3=A9 on Main St.=0D=\r\n"
    "=0ATalk=\r\n"
    "ed about research ops\r\n"
    "EMAIL;PREF;INTERNET:dana@pulse.example\r\n"
    "EMAIL;HOME;INTERNET:dana.w@home.example\r\n"
    "TEL;WORK:+1 312 555 0101\r\n"
    "TEL;CELL:+1 312 555 0199\r\n"
    "END:VCARD\r\n"
)


def test_an_outlook_card_keeps_every_word_address_and_number(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = write(tmp_path / "dana.vcf", OUTLOOK_CARD)
    target = tmp_path / "wb.iiv"
    result = cli("import", target, source)
    assert result.exit_code == 0, result.output
    [dana] = contacts(target)
    assert (dana.honorific, dana.name, dana.role) == ("Dr", "Dana Whitfield", "Head of Research, Design")
    assert (dana.email, dana.phone) == ("dana@pulse.example", "+1 312 555 0101")
    assert dana.notes == (
        "Met at the UX meetup, café on Main St.\nTalked about research ops\n"
        "Other email: dana.w@home.example\nOther phone: +1 312 555 0199"
    )


def test_a_bare_comma_in_a_version_3_title_or_note_is_kept(tmp_path: Path, cli: Callable[..., Any]) -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Kwame Mensah\r\nTITLE:Director, Product and Design\r\n"
        "NOTE:Knows Dana, Ana and Li\\, all three\r\nEND:VCARD\r\n"
    )
    source = write(tmp_path / "kwame.vcf", card)
    result = cli("import", tmp_path / "wb.iiv", source)
    assert result.exit_code == 0, result.output
    [kwame] = contacts(tmp_path / "wb.iiv")
    assert (kwame.role, kwame.notes) == ("Director, Product and Design", "Knows Dana, Ana and Li, all three")


@pytest.mark.parametrize(
    ("given", "title", "name"),
    [
        ("Dr Dana Whitfield", "Dr", "Dana Whitfield"),
        ("prof. Li Wei", "Prof", "Li Wei"),
        ("Ms Ana Ahmed", "Ms", "Ana Ahmed"),
        ("Dr Whitfield", "", "Dr Whitfield"),
        ("Drew Barry", "", "Drew Barry"),
        ("Miss", "", "Miss"),
    ],
)
def test_a_title_before_a_name_becomes_the_contacts_title(
    tmp_path: Path, cli: Callable[..., Any], given: str, title: str, name: str
) -> None:
    source = write(tmp_path / "people.csv", f"Name\n{given}\n")
    result = cli("import", tmp_path / "wb.iiv", source, "--map", "Name=name")
    assert result.exit_code == 0, result.output
    assert [(c.honorific, c.name) for c in contacts(tmp_path / "wb.iiv")] == [(title, name)]


def test_a_titled_name_and_a_decomposed_accent_are_the_same_person(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    target = tmp_path / "wb.iiv"
    with Workbook.create(target) as wb:
        wb.add(Contact(name="Dana Whitfield"))
        wb.add(Contact(name="Jos\u00e9 Garc\u00eda"))
    source = write(tmp_path / "people.csv", "Name\nDr Dana Whitfield\nJose\u0301 Garci\u0301a\nAna Ahmed\n")
    result = cli("import", target, source, "--map", "Name=name")
    assert result.exit_code == 0, result.output
    assert "Dana Whitfield: already in the workbook as contact 1" in result.stdout
    assert "García: already in the workbook as contact 2" in unicodedata.normalize("NFC", result.stdout)
    assert [c.name for c in contacts(target)] == ["Dana Whitfield", "Jos\u00e9 Garc\u00eda", "Ana Ahmed"]


def test_a_contacts_title_goes_out_as_the_vcard_name_prefix(tmp_path: Path, cli: Callable[..., Any]) -> None:
    target = tmp_path / "wb.iiv"
    assert cli("import", target, write(tmp_path / "dana.vcf", OUTLOOK_CARD)).exit_code == 0
    out = tmp_path / "out.vcf"
    assert cli("export", target, "--format", "vcf", "--out", out).exit_code == 0
    [card] = list(vobject.readComponents(out.read_text(encoding="utf-8")))
    assert (card.fn.value, card.n.value.prefix, card.n.value.family) == ("Dana Whitfield", "Dr", "Whitfield")
