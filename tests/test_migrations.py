"""Opening older, newer and foreign files.

``fixtures/workbook_v1.iiv`` is a committed workbook in format 1, built by
``fixtures/make_v1_fixture.py`` with that format's DDL written out literally. Every test
copies it first: opening a workbook migrates it in place.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from iivkit import Contact, Interview, Question, Workbook
from iivkit.errors import NewerWorkbookError, NotAWorkbookError, WorkbookMissingError
from iivkit.workbook.models import RECORD_TYPES, CareerStage, Category
from iivkit.workbook.schema import SCHEMA_VERSION

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "workbook_v1.iiv"
BUILDER = FIXTURE.with_name("make_v1_fixture.py")


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    """A private copy of the committed format-1 workbook."""
    path = tmp_path / "old.iiv"
    shutil.copyfile(FIXTURE, path)
    path.chmod(0o600)
    return path


@pytest.fixture
def v1_original(tmp_path: Path) -> Path:
    """Another copy, kept as committed, to compare with: the committed file is never opened,
    so the suite runs from a read-only checkout and leaves no journal beside the fixture."""
    path = tmp_path / "original" / "v1.iiv"
    path.parent.mkdir()
    shutil.copyfile(FIXTURE, path)
    return path


def pragma(path: Path, name: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute(f"PRAGMA {name}").fetchone()[0])
    finally:
        conn.close()


def schema_of(path: Path) -> dict[str, Any]:
    """Tables with their columns (as a set: migrations append columns), foreign keys and indexes."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        shape: dict[str, Any] = {}
        for table in tables:
            columns = {
                (name, col_type.upper(), notnull, default, pk)
                for _, name, col_type, notnull, default, pk in conn.execute(f"PRAGMA table_info({table})")
            }
            keys = {
                (row[3], row[2], row[4], row[5], row[6])  # from, table, to, on update, on delete
                for row in conn.execute(f"PRAGMA foreign_key_list({table})")
            }
            shape[table] = {"columns": columns, "foreign_keys": keys}
        shape["indexes"] = {
            (name, table, tuple(r[2] for r in conn.execute(f"PRAGMA index_info({name})")))
            for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index'")
        }
        return shape
    finally:
        conn.close()


def rows_of(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


# -- the fixture itself --------------------------------------------------------------------


def test_the_committed_fixture_is_a_format_1_workbook(v1_original: Path) -> None:
    assert pragma(v1_original, "user_version") == 1
    assert pragma(v1_original, "application_id") == 0x69697631
    tables = set(schema_of(v1_original))
    assert "questions" not in tables
    assert "contacts" in tables


def test_the_committed_fixture_is_what_its_script_builds(tmp_path: Path, v1_original: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_v1_fixture", BUILDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.build(tmp_path / "rebuilt.iiv")
    assert schema_of(rebuilt) == schema_of(v1_original)
    assert rows_of(rebuilt) == rows_of(v1_original), "rebuild it: python tests/fixtures/make_v1_fixture.py"


# -- migrating -----------------------------------------------------------------------------


def test_an_old_workbook_is_migrated_on_open_after_a_backup(v1_copy: Path) -> None:
    before = rows_of(v1_copy)
    with Workbook.open(v1_copy):
        pass
    backup = v1_copy.with_name(f"{v1_copy.name}.v1.bak")
    assert backup.exists()
    assert pragma(v1_copy, "user_version") == SCHEMA_VERSION
    assert pragma(backup, "user_version") == 1
    assert rows_of(backup) == before
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_a_migrated_workbook_has_the_same_tables_and_columns_as_a_new_one(
    v1_copy: Path, tmp_path: Path
) -> None:
    Workbook.open(v1_copy).close()
    fresh = tmp_path / "fresh.iiv"
    Workbook.create(fresh).close()
    migrated_shape, fresh_shape = schema_of(v1_copy), schema_of(fresh)
    assert set(migrated_shape) == set(fresh_shape)
    for table in fresh_shape:
        assert migrated_shape[table] == fresh_shape[table], table
    assert pragma(v1_copy, "application_id") == pragma(fresh, "application_id")


def test_the_data_of_a_migrated_workbook_survives(v1_copy: Path) -> None:
    with Workbook.open(v1_copy) as wb:
        counts = {model.table: wb.count(model) for model in RECORD_TYPES}
        profile = wb.profile()
        botha = wb.get(Contact, 1)
        zanele = wb.get(Contact, 2)
        interview = wb.get(Interview, 1)
        assert wb.integrity_problems() == []
    assert counts == {
        "profile": 1,
        "organisations": 2,
        "findings": 2,
        "contacts": 2,
        "interviews": 1,
        "questions": 0,
        "planned_questions": 2,
        "finding_outcomes": 1,
        "insights": 1,
        "open_questions": 1,
    }
    assert profile is not None and profile.name == "Naledi Mokoena" and profile.version == 3
    assert profile.careers_of_interest == ["programme evaluation", "public-health research"]
    assert botha.name == "Pieter Botha" and botha.version == 4
    assert zanele.referred_by_id == 1
    assert zanele.referred_in_interview_id is None
    assert interview.scheduled_at == dt.datetime(2024, 3, 12, 10, 0)
    assert interview.keywords == ["evaluation design", "hiring"]
    assert interview.nudge_sent is None
    assert interview.check_ins_sent == []
    assert (profile.career_stage, profile.target_roles) == (None, [])
    assert (profile.greeting_style.value, profile.letter_style.value) == ("first_name", "full")
    assert (botha.honorific, botha.focus_tags) == ("", [])


def test_a_migrated_workbook_takes_the_new_fields(v1_copy: Path) -> None:
    with Workbook.open(v1_copy) as wb:
        interview = wb.get(Interview, 1)
        wb.update(interview.model_copy(update={"check_ins_sent": [dt.date(2024, 4, 12)]}))
        wb.add(Question(category=Category.closing, text="Who else should I talk to?"))
        zanele = wb.get(Contact, 2)
        wb.update(zanele.model_copy(update={"referred_in_interview_id": interview.id}))
    with Workbook.open(v1_copy) as wb:
        assert wb.get(Interview, 1).check_ins_sent == [dt.date(2024, 4, 12)]
        assert wb.count(Question) == 1
        assert wb.get(Contact, 2).referred_in_interview_id == 1


def test_a_migrated_workbook_takes_the_format_5_fields(v1_copy: Path) -> None:
    with Workbook.open(v1_copy) as wb:
        profile = wb.profile()
        assert profile is not None
        wb.update(
            profile.model_copy(
                update={"career_stage": CareerStage.career_changer, "target_roles": ["UX researcher"]}
            )
        )
        botha = wb.get(Contact, 1)
        wb.update(botha.model_copy(update={"honorific": "Dr", "focus_tags": ["evaluation"]}))
    with Workbook.open(v1_copy) as wb:
        profile = wb.profile()
        assert profile is not None and profile.career_stage is not None
        assert (profile.career_stage.value, profile.target_roles) == ("career_changer", ["UX researcher"])
        assert (wb.get(Contact, 1).honorific, wb.get(Contact, 1).focus_tags) == ("Dr", ["evaluation"])


def test_a_migrated_workbook_keeps_its_pseudonym_salt(v1_copy: Path) -> None:
    with Workbook.open(v1_copy) as wb:
        assert wb.meta("pseudonym_salt") == "5f1c0e2a9b7d4c3e8a6f1b2c3d4e5f60"


def test_reopening_a_migrated_workbook_takes_no_second_backup(v1_copy: Path) -> None:
    Workbook.open(v1_copy).close()
    Workbook.open(v1_copy).close()
    backups = sorted(p.name for p in v1_copy.parent.glob("*.bak"))
    assert backups == [f"{v1_copy.name}.v1.bak"]


def test_migrating_again_never_overwrites_an_earlier_backup(v1_copy: Path) -> None:
    earlier = v1_copy.with_name(f"{v1_copy.name}.v1.bak")
    earlier.write_bytes(b"an earlier backup the user kept")
    Workbook.open(v1_copy).close()
    assert earlier.read_bytes() == b"an earlier backup the user kept"
    second = v1_copy.with_name(f"{v1_copy.name}.v1.2.bak")
    assert pragma(second, "user_version") == 1


def test_an_old_workbook_is_refused_rather_than_migrated_when_migration_is_off(
    v1_copy: Path, v1_original: Path
) -> None:
    with pytest.raises(NotAWorkbookError, match="format 1"):
        Workbook.open(v1_copy, migrate=False)
    assert pragma(v1_copy, "user_version") == 1
    assert rows_of(v1_copy) == rows_of(v1_original)
    assert not list(v1_copy.parent.glob("*.bak"))


def test_check_reads_an_old_workbook_upgraded_in_memory_and_leaves_the_file_as_it_was(
    v1_copy: Path, cli
) -> None:
    before = v1_copy.read_bytes()
    result = cli("check", v1_copy)
    assert result.exit_code == 0, result.output
    assert v1_copy.read_bytes() == before
    assert pragma(v1_copy, "user_version") == 1
    assert sorted(p.name for p in v1_copy.parent.iterdir()) == [v1_copy.name]


# -- newer and foreign files ---------------------------------------------------------------


@pytest.fixture
def newer_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "from-the-future.iiv"
    Workbook.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    return path


@pytest.fixture
def foreign_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "browser-history.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE visits (url TEXT, at TEXT)")
    conn.execute("INSERT INTO visits VALUES ('https://example.org', '2024-01-01')")
    conn.commit()
    conn.close()
    return path


def test_a_newer_workbook_is_refused_with_a_clear_error(newer_workbook: Path) -> None:
    with pytest.raises(NewerWorkbookError) as caught:
        Workbook.open(newer_workbook)
    assert "newer" in str(caught.value)
    assert str(newer_workbook) in str(caught.value)
    assert pragma(newer_workbook, "user_version") == 99
    assert not list(newer_workbook.parent.glob("*.bak"))


def test_check_on_a_newer_workbook_exits_2_without_a_traceback(newer_workbook: Path, run_iivkit) -> None:
    result = run_iivkit("check", newer_workbook)
    assert result.returncode == 2
    assert "newer" in result.stderr
    assert str(newer_workbook) in result.stderr
    assert "Traceback" not in result.stderr


def test_a_plain_text_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Call Sipho on Tuesday.\n")
    with pytest.raises(NotAWorkbookError) as caught:
        Workbook.open(path)
    assert str(path) in str(caught.value)
    assert path.read_text() == "Call Sipho on Tuesday.\n"


def test_an_empty_file_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "empty.iiv"
    path.touch()
    with pytest.raises(NotAWorkbookError):
        Workbook.open(path)
    assert path.read_bytes() == b""


def test_another_programs_sqlite_file_is_not_a_workbook_and_is_left_untouched(foreign_sqlite: Path) -> None:
    before = foreign_sqlite.read_bytes()
    with pytest.raises(NotAWorkbookError) as caught:
        Workbook.open(foreign_sqlite)
    assert "not an iivkit workbook" in str(caught.value)
    assert foreign_sqlite.read_bytes() == before
    assert not Path(f"{foreign_sqlite}-wal").exists()


def test_check_on_foreign_and_text_files_exits_2_without_a_traceback(
    foreign_sqlite: Path, tmp_path: Path, run_iivkit
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database")
    for path in (foreign_sqlite, text):
        result = run_iivkit("check", path)
        assert result.returncode == 2, path
        assert str(path) in result.stderr
        assert "not an iivkit workbook" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_missing_workbook_is_reported_as_missing(tmp_path: Path) -> None:
    with pytest.raises(WorkbookMissingError, match="no such workbook"):
        Workbook.open(tmp_path / "nowhere.iiv")
    assert not (tmp_path / "nowhere.iiv").exists()
