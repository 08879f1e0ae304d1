"""A contact's other names (nicknames, handles): a field of its own, and workbook format 3.

Format 2 workbooks are made from the committed format-1 fixture by applying the frozen
format-2 step, exactly as an iivkit of format 2 would have left them.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from iivkit import Contact, Workbook
from iivkit.errors import ValidationFailed
from iivkit.workbook.interchange import parse_document
from iivkit.workbook.migrations import MIGRATIONS
from iivkit.workbook.schema import SCHEMA_VERSION

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "workbook_v1.iiv"


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


@pytest.fixture
def v2_workbook(tmp_path: Path) -> Path:
    """A format-2 workbook: the format-1 fixture with only the format-2 step applied."""
    path = tmp_path / "format2.iiv"
    shutil.copyfile(FIXTURE, path)
    path.chmod(0o600)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        MIGRATIONS[2](conn)
        conn.execute("PRAGMA user_version = 2")
        conn.execute("COMMIT")
    finally:
        conn.close()
    return path


def test_other_names_arrived_with_format_3_and_later_formats_keep_them() -> None:
    # Formats 4 (the target list's organisation fields) and 5 (career stage, letter settings,
    # titles) came after; every step is a migration.
    assert SCHEMA_VERSION == 5
    assert sorted(MIGRATIONS) == [2, 3, 4, 5]


def test_a_format_2_workbook_is_migrated_to_the_current_format_with_a_backup(v2_workbook: Path) -> None:
    assert "other_names" not in columns(v2_workbook, "contacts")
    with Workbook.open(v2_workbook) as wb:
        contacts = wb.all(Contact)
        assert [c.name for c in contacts] == ["Pieter Botha", "Zanele Khumalo"]
        assert all(c.other_names == [] for c in contacts)
    assert user_version(v2_workbook) == SCHEMA_VERSION
    assert "other_names" in columns(v2_workbook, "contacts")
    backup = v2_workbook.with_name(f"{v2_workbook.name}.v2.bak")
    assert user_version(backup) == 2
    assert "other_names" not in columns(backup, "contacts")


def test_a_migrated_contact_takes_other_names(v2_workbook: Path) -> None:
    with Workbook.open(v2_workbook) as wb:
        botha = wb.get(Contact, 1)
        wb.update(botha.model_copy(update={"other_names": ["Piet", "@pbotha"]}))
    with Workbook.open(v2_workbook) as wb:
        assert wb.get(Contact, 1).other_names == ["Piet", "@pbotha"]


def test_a_format_1_workbook_reaches_the_current_format(tmp_path: Path) -> None:
    path = tmp_path / "format1.iiv"
    shutil.copyfile(FIXTURE, path)
    path.chmod(0o600)
    with Workbook.open(path) as wb:
        assert wb.get(Contact, 1).other_names == []
    assert user_version(path) == SCHEMA_VERSION


def test_other_names_go_through_export_and_import(tmp_path: Path, cli) -> None:
    source = tmp_path / "source.iiv"
    with Workbook.create(source) as wb:
        wb.add(Contact(name="Priya Naidoo", other_names=["PJ", "@PriyaN", "Pree"]))
    out = tmp_path / "out.json"
    assert cli("export", source, "--format", "json", "--out", out).exit_code == 0
    copy = tmp_path / "copy.iiv"
    assert cli("import", copy, out).exit_code == 0, out.read_text()
    with Workbook.open(copy) as wb:
        assert wb.get(Contact, 1).other_names == ["PJ", "@PriyaN", "Pree"]


def test_other_names_are_checked_like_any_list_of_tags() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_document('{"contacts": [{"id": 1, "name": "Priya", "other_names": ["x' + "y" * 90 + '"]}]}')
    assert caught.value.field == "other_names.0"
    field = Contact.model_fields["other_names"]
    assert field.title == "Other names"
    assert field.description is not None and "anonymise" in field.description
