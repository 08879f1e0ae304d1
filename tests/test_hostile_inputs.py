"""Hostile inputs, tried through the command line as a user (or a hostile student) would.

Three classes: a workbook holding values that do not fit the model (written with raw
sqlite3), an import document or file built to break the importer, and output folders that
overlap the inputs or links out of a class folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import iivkit.batch.runner
from iivkit.batch.runner import FakeRunner
from iivkit.errors import DamagedRecordWarning
from iivkit.workbook import views
from iivkit.workbook.demo import build_class
from iivkit.workbook.interchange import MAX_DEPTH, MAX_DOCUMENT_BYTES, export_json
from iivkit.workbook.models import BY_TABLE
from iivkit.workbook.store import Workbook

# -- damaged values --------------------------------------------------------------------------

DAMAGES: dict[str, tuple[str, str, str]] = {
    # case: (table, column, SQL expression written over the first record's value)
    "bad JSON in a list": ("interviews", "keywords", "'[\"pay\", '"),
    "bad JSON in the profile": ("profile", "careers_of_interest", "'{{'"),
    "JSON nested 100,000 deep": ("interviews", "keywords", "'" + "[" * 100_000 + "]" * 100_000 + "'"),
    "a JSON object in a list column": ("interviews", "keywords", "'{\"a\": 1}'"),
    "a number in a list column": ("organisations", "divisions", "5"),
    "an impossible date in a list": ("interviews", "check_ins_sent", "'[\"2026-13-01\"]'"),
    "unknown enum value": ("contacts", "status", "'bogus'"),
    "unknown seniority": ("contacts", "seniority", "'overlord'"),
    "unknown outcome": ("finding_outcomes", "outcome", "'maybe'"),
    "impossible date": ("interviews", "invitation_sent", "'2026-02-30'"),
    "impossible date and time": ("interviews", "scheduled_at", "'yesterday'"),
    "text in a number column": ("interviews", "duration_minutes", "'thirty'"),
    "a fraction in a number column": ("interviews", "duration_minutes", "30.5"),
    "text in a checkbox column": ("findings", "to_test", "'yes'"),
    "bytes in a text column": ("organisations", "name", "X'FF00FE'"),
    "NULL in a required column": ("contacts", "name", "NULL"),
    "text in a reference column": ("interviews", "contact_id", "'x'"),
}


def damage(path: Path, case: str) -> tuple[str, int, str]:
    """Write the case's value over the first record of its table; return (table, id, column)."""
    table, column, value = DAMAGES[case]
    conn = sqlite3.connect(path)
    try:
        (record_id,) = conn.execute(f"SELECT min(id) FROM {table}").fetchone()
        assert record_id is not None, f"the rich workbook has no {table} to damage"
        conn.execute(f"UPDATE {table} SET {column} = {value} WHERE id = ?", (record_id,))
        conn.commit()
    finally:
        conn.close()
    return table, int(record_id), column


@pytest.mark.parametrize("case", sorted(DAMAGES))
def test_check_lists_a_damaged_value_by_file_table_record_and_column(
    case: str, rich_workbook: Path, cli: Callable[..., Any]
) -> None:
    table, record_id, column = damage(rich_workbook, case)
    result = cli("check", rich_workbook)
    assert result.exit_code == 1, result.output
    label = BY_TABLE[table].label
    assert f"{rich_workbook}: {label} {record_id} (table {table}) column '{column}'" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
@pytest.mark.parametrize("case", sorted(DAMAGES))
def test_an_export_skips_a_damaged_record_with_a_one_line_warning(
    case: str, fmt: str, rich_workbook: Path, tmp_path: Path, cli: Callable[..., Any], counts: Any
) -> None:
    table, record_id, _ = damage(rich_workbook, case)
    stored = counts(rich_workbook)[table]
    out = tmp_path / f"export.{'zip' if fmt == 'csv' else fmt}"
    result = cli("export", rich_workbook, "--format", fmt, "--out", out)
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if "skipped this record" in line]
    assert warning and warning[0].startswith(f"iivkit: warning: {rich_workbook}: ")
    assert f"{BY_TABLE[table].label} {record_id}" in warning[0]
    assert out.is_file()
    if fmt == "json":
        document = json.loads(out.read_text(encoding="utf-8"))
        exported = [p for p in [document["profile"]] if p] if table == "profile" else document[table]
        assert record_id not in [r["id"] for r in exported]
        assert len(exported) == stored - 1, "only the damaged record is left out"


@pytest.mark.parametrize("case", sorted(DAMAGES))
def test_due_plan_and_letters_go_on_or_fail_in_one_line(
    case: str, rich_workbook: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    damage(rich_workbook, case)
    conn = sqlite3.connect(rich_workbook)
    interview, contact = conn.execute("SELECT min(id), min(contact_id) FROM interviews").fetchone()
    conn.close()
    runs = {
        "due": cli("due", rich_workbook, "--today", "2026-03-20"),
        "plan": cli("plan", rich_workbook, "--contact", contact),
        "letters": cli("letters", rich_workbook, "--interview", interview, "--out", tmp_path / "letters"),
    }
    for command, result in runs.items():
        # The cli fixture fails the test on any exception; here: a clean exit, one line if refused.
        assert result.exit_code in (0, 1, 2), (command, result.output)
        if result.exit_code == 2:
            errors = result.stderr.strip().splitlines()
            assert len(errors) == 1 and errors[0].startswith(f"iivkit: error: {rich_workbook}: "), command
        assert all(
            line.startswith("iivkit: warning: ") for line in result.stderr.splitlines() if "skipped" in line
        )
    assert runs["due"].exit_code == 0, runs["due"].output


@pytest.mark.parametrize("case", sorted(DAMAGES))
def test_a_table_view_leaves_out_a_damaged_record_and_warns(
    case: str, rich_workbook: Path, counts: Any
) -> None:
    table, record_id, _ = damage(rich_workbook, case)
    stored = counts(rich_workbook)[table]
    with Workbook.open(rich_workbook) as wb, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = views.table(wb, BY_TABLE[table])
        every = [views.pipeline(wb), views.evidence(wb), views.open_questions(wb)]
    assert record_id not in frame.index and len(frame) == stored - 1
    assert any(issubclass(w.category, DamagedRecordWarning) for w in caught)
    assert all(df is not None for df in every)


@pytest.mark.slow
def test_a_damaged_interview_fails_only_its_own_report(
    tmp_path: Path, run_iivkit: Callable[..., subprocess.CompletedProcess[str]], rich_workbook: Path
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    sound = folder / "sound.iiv"
    sound.write_bytes(rich_workbook.read_bytes())
    broken = folder / "broken.iiv"
    broken.write_bytes(rich_workbook.read_bytes())
    _, record_id, _ = damage(broken, "bad JSON in a list")
    conn = sqlite3.connect(sound)
    held = conn.execute("SELECT count(*) FROM interviews WHERE status IN ('done', 'debriefed')").fetchone()[0]
    conn.close()
    result = run_iivkit("report", folder, "--out", tmp_path / "out", "--jobs", "2")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{held * 2 - 1} made, 1 failed" in result.stdout
    failed = [line for line in result.stderr.splitlines() if line.startswith("  failed:")]
    assert len(failed) == 1 and "broken.iiv" in failed[0] and f"interview {record_id}" in failed[0]
    assert "field 'keywords'" in failed[0]


@pytest.mark.slow
def test_damaged_students_never_stop_the_class_summary(
    tmp_path: Path, run_iivkit: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    klass = tmp_path / "class"
    paths = build_class(klass, 3)
    preferred = [
        "bad JSON in the profile",
        "NULL in a required column",
        "bytes in a text column",
        "unknown enum value",
        "bad JSON in a list",
    ]
    for n, path in enumerate(paths):
        # Each student a different damage, to a table their workbook has records in.
        conn = sqlite3.connect(path)
        cases = [
            c
            for c in preferred[n:] + preferred[:n]
            if conn.execute(f"SELECT 1 FROM {DAMAGES[c][0]}").fetchone()
        ]
        conn.close()
        damage(path, cases[0])
    out = tmp_path / "out"
    result = run_iivkit("course", "report", klass, "--out", out, "--today", "2026-03-20", "--jobs", "2")
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert f"{len(paths)} made, 0 failed" in result.stdout, "a damaged record leaves the page to be made"
    index = (out / "index.html").read_text(encoding="utf-8")
    for path in paths:
        assert path.parent.name in index
    assert index.count("damaged record") >= len(paths) - 1
    assert "DamagedRecordWarning" not in index, "pages say what was left out in words, not as a warning"
    for path in paths:
        page = (out / f"{path.parent.name}.html").read_text(encoding="utf-8")
        assert "DamagedRecordWarning" not in page and "Traceback" not in page


# -- import ----------------------------------------------------------------------------------


def _nested(levels: int) -> str:
    return "[" * levels + '"x"' + "]" * levels


HOSTILE_DOCUMENTS: dict[str, tuple[str, str]] = {
    # case: (document text, where the error must point: "" for the whole document)
    "70 levels in a field": (
        '{"organisations": [{"id": 1, "name": "A", "divisions": ' + _nested(70) + "}]}",
        "organisations[0] (id 1) field 'divisions",
    ),
    "1,000 levels in a field": (
        '{"organisations": [{"id": 1, "name": "A", "divisions": ' + _nested(1000) + "}]}",
        "",
    ),
    "100,000 levels": ("[" * 100_000 + "]" * 100_000, ""),
    "100,000 levels of objects": ('{"a": ' * 100_000 + "1" + "}" * 100_000, ""),
    "an id of 2^63": (
        json.dumps({"organisations": [{"id": 1, "name": "A"}, {"id": 2**63, "name": "B"}]}),
        f"organisations[1] (id {2**63}) field 'id'",
    ),
    "an id below -2^63": (
        json.dumps({"organisations": [{"id": -(2**63) - 1, "name": "B"}]}),
        "organisations[0]",
    ),
    "a 5,000-digit number": (
        '{"organisations": [{"id": 1, "name": "A"}], "interviews": [{"id": 3, "contact_id": 1, '
        '"duration_minutes": ' + "9" * 5000 + "}]}",
        "interviews[0] (id 3) field 'duration_minutes'",
    ),
    "a 5,000-digit fraction": (
        '{"organisations": [{"id": 1, "name": "A", "notes": ' + "1" * 5000 + ".5}]}",
        "organisations[0] (id 1) field 'notes'",
    ),
    "1e999": ('{"organisations": [{"id": 1e999, "name": "A"}]}', "organisations[0]"),
    "NaN": ('{"organisations": [{"id": 1, "name": NaN}]}', "organisations[0] (id 1) field 'name'"),
    "Infinity": ('{"organisations": [{"id": -Infinity, "name": "A"}]}', "organisations[0]"),
    "an id used twice": (
        json.dumps({"organisations": [{"id": 4, "name": "A"}, {"id": 4, "name": "B"}]}),
        "organisations[1] (id 4) field 'id'",
    ),
    "a reference to nothing": (
        json.dumps({"contacts": [{"id": 1, "name": "A"}, {"id": 2, "name": "B", "referred_by_id": 9}]}),
        "contacts[1] (id 2) field 'referred_by_id'",
    ),
    "an empty file": ("", ""),
    "a JSON string": ('"iivkit"', ""),
}


def _only(folder: Path, *names: str) -> None:
    """Nothing but *names* in *folder*: no workbook, no temporary file, no journal left behind."""
    assert sorted(p.name for p in folder.iterdir()) == sorted(names)


def _one_error_line(stderr: str, source: Path) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"iivkit: error: {source}: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("case", sorted(HOSTILE_DOCUMENTS))
def test_a_hostile_document_is_refused_in_one_line_and_creates_nothing(
    case: str, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    text, where = HOSTILE_DOCUMENTS[case]
    source = tmp_path / "data.json"
    source.write_text(text, encoding="utf-8")
    result = cli("import", tmp_path / "new.iiv", source)
    assert result.exit_code == 2, result.output
    line = _one_error_line(result.stderr, source)
    assert f"{source}: {where}" in line
    assert len(line) < 400
    _only(tmp_path, "data.json")


def test_nesting_is_refused_past_the_documented_depth(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = tmp_path / "data.json"
    source.write_text('{"organisations": [{"id": 1, "name": "A", "divisions": ' + _nested(MAX_DEPTH) + "}]}")
    result = cli("import", tmp_path / "new.iiv", source)
    assert result.exit_code == 2
    assert f"more than {MAX_DEPTH} levels" in result.stderr


def test_the_largest_whole_number_sqlite_holds_is_accepted(tmp_path: Path, cli: Callable[..., Any]) -> None:
    source = tmp_path / "data.json"
    source.write_text(json.dumps({"organisations": [{"id": 2**63 - 1, "name": "A"}]}))
    result = cli("import", tmp_path / "new.iiv", source)
    assert result.exit_code == 0, result.output
    with Workbook.open(tmp_path / "new.iiv") as wb:
        assert [o["id"] for o in json.loads(export_json(wb))["organisations"]] == [2**63 - 1]


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _device(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _folder(path: Path) -> None:
    path.mkdir()


def _binary(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 16)


def _workbook(path: Path) -> None:
    Workbook.create(path.with_suffix(".iiv")).close()
    os.replace(path.with_suffix(".iiv"), path)


def _oversized(path: Path) -> None:
    with path.open("wb") as fh:
        fh.truncate(MAX_DOCUMENT_BYTES + 1)  # sparse: costs no disk


def _not_utf8(path: Path) -> None:
    path.write_bytes(b'{"organisations": [{"id": 1, "name": "Caf\xe9"}]}')


HOSTILE_FILES: dict[str, tuple[Callable[[Path], None], str]] = {
    "a FIFO": (_fifo, "named pipe"),
    "a device": (_device, "device"),
    "a folder": (_folder, "folder"),
    "a binary file": (_binary, "binary"),
    "a workbook": (_workbook, "binary"),
    "a file over the size limit": (_oversized, f"{MAX_DOCUMENT_BYTES // 2**20} MB"),
    "text that is not UTF-8": (_not_utf8, "save as 'CSV UTF-8'"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_FILES))
def test_a_file_that_is_no_document_is_refused_in_one_line_without_reading_it(
    case: str, tmp_path: Path, run_iivkit: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    make, message = HOSTILE_FILES[case]
    source = tmp_path / "data.json"
    make(source)
    # A separate process with a time limit: an importer that blocks on a FIFO fails the test.
    result = run_iivkit("import", tmp_path / "new.iiv", source)
    assert result.returncode == 2, result.stderr
    assert message in _one_error_line(result.stderr, source)
    _only(tmp_path, "data.json")


def test_a_failed_import_into_an_existing_workbook_keeps_it_whole(
    rich_workbook: Path, tmp_path: Path, cli: Callable[..., Any], counts: Any
) -> None:
    before = counts(rich_workbook)
    source = tmp_path / "data.json"
    source.write_text(json.dumps({"organisations": [{"id": 1, "name": "Taken"}]}))
    result = cli("import", rich_workbook, source)
    assert result.exit_code == 2
    assert f"{source}: organisations[0] (id 1) field 'id'" in _one_error_line(result.stderr, source)
    assert counts(rich_workbook) == before


def _import_together(
    run_iivkit: Callable[..., Any], target: Path, sources: list[Path]
) -> list[subprocess.CompletedProcess[str]]:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(sources)) as pool:
        return list(pool.map(lambda s: run_iivkit("import", target, s), sources))


def test_two_imports_creating_the_same_workbook_both_land(
    tmp_path: Path, run_iivkit: Callable[..., Any], counts: Any
) -> None:
    sources = []
    for n in (1, 2):
        source = tmp_path / f"part{n}.json"
        source.write_text(json.dumps({"organisations": [{"id": n, "name": f"Organisation {n}"}]}))
        sources.append(source)
    for round_ in range(3):
        target = tmp_path / f"shared{round_}.iiv"
        results = _import_together(run_iivkit, target, sources)
        assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
        assert sum("a new workbook" in r.stdout for r in results) == 1
        assert counts(target)["organisations"] == 2, "neither import may undo the other"
    assert not list(tmp_path.glob(".*importing*"))


def test_of_two_imports_of_the_same_records_one_lands_and_the_loser_deletes_nothing(
    tmp_path: Path, run_iivkit: Callable[..., Any], counts: Any
) -> None:
    source = tmp_path / "data.json"
    source.write_text(json.dumps({"organisations": [{"id": 1, "name": "A"}, {"id": 2, "name": "B"}]}))
    for round_ in range(3):
        target = tmp_path / f"shared{round_}.iiv"
        results = _import_together(run_iivkit, target, [source, source])
        assert sorted(r.returncode for r in results) == [0, 2]
        loser = next(r for r in results if r.returncode == 2)
        assert "already taken" in _one_error_line(loser.stderr, source)
        assert counts(target)["organisations"] == 2
    assert not list(tmp_path.glob(".*importing*"))


# -- outputs ---------------------------------------------------------------------------------


@pytest.fixture
def fake_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iivkit.batch.runner, "NotebookRunner", lambda **_: FakeRunner())


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    folder = tmp_path / "class"
    build_class(folder, 2)
    return folder


def _students(klass: Path) -> list[Path]:
    return sorted(p for p in klass.iterdir() if p.is_dir())


@pytest.mark.parametrize(
    "inside", ["a student's folder", "the class folder", "a new folder in it", "via a link"]
)
def test_course_report_refuses_an_out_inside_the_class_folder(
    inside: str, klass: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    student = _students(klass)[0]
    (tmp_path / "link").symlink_to(klass)
    out = {
        "a student's folder": student,
        "the class folder": klass,
        "a new folder in it": klass / "feedback",
        "via a link": tmp_path / "link" / "feedback",
    }[inside]
    before = sorted(p.name for p in student.iterdir())
    result = cli("course", "report", klass, "--out", out)
    assert result.exit_code == 2
    assert "inside the class folder" in _one_error_line(result.stderr, out)
    assert sorted(p.name for p in student.iterdir()) == before
    assert not (klass / "feedback").exists()


def test_report_refuses_an_out_inside_an_input_folder(klass: Path, cli: Callable[..., Any]) -> None:
    out = klass / "reports"
    result = cli("report", klass, "--out", out)
    assert result.exit_code == 2
    assert "inside an input folder" in _one_error_line(result.stderr, out)
    assert not out.exists()


@pytest.mark.usefixtures("fake_kernels")
@pytest.mark.parametrize("command", ["report", "course report"])
def test_output_folders_are_private_whatever_the_umask(
    command: str, klass: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    out = tmp_path / "results" / "spring" / "week-1"
    args = (
        ["report", klass, "--out", out] if command == "report" else ["course", "report", klass, "--out", out]
    )
    old = os.umask(0)
    try:
        result = cli(*args)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    for folder in (tmp_path / "results", tmp_path / "results" / "spring", out):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    for made in out.rglob("*"):
        if made.is_dir():
            assert stat.S_IMODE(made.stat().st_mode) == 0o700, made


@pytest.mark.usefixtures("fake_kernels")
def test_links_out_of_the_class_folder_are_reported_not_followed(
    klass: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    someone = _students(klass)[0] / "workbook.iiv"
    (elsewhere / "eve").mkdir()
    (elsewhere / "eve" / "workbook.iiv").write_bytes(someone.read_bytes())
    (elsewhere / "mallory.iiv").write_bytes(someone.read_bytes())
    (klass / "eve").symlink_to(elsewhere / "eve")  # a student folder that is a link
    (klass / "mallory").mkdir()
    (klass / "mallory" / "workbook.iiv").symlink_to(elsewhere / "mallory.iiv")  # a linked workbook
    (klass / "zed").mkdir()
    (klass / "zed" / "workbook.iiv").symlink_to("/etc/passwd")
    result = cli("course", "report", klass, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for name in ("eve", "mallory", "zed"):
        line = next(x for x in result.stdout.splitlines() if x.startswith(f"  no workbook: {name}:"))
        assert "outside the class folder; not followed" in line
        page = (tmp_path / "out" / f"{name}.html").read_text(encoding="utf-8")
        assert "outside the class folder" in page, "the student's own page says why"


@pytest.mark.parametrize(
    "case", ["unknown enum value", "NULL in a required column", "bad JSON in the profile"]
)
def test_an_anonymised_export_refuses_a_damaged_person_whose_names_would_leak(
    case: str, rich_workbook: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    table, record_id, column = damage(rich_workbook, case)
    out = tmp_path / "anonymised.json"
    result = cli("export", rich_workbook, "--format", "json", "--anonymise", "--out", out)
    assert result.exit_code == 2
    line = _one_error_line(result.stderr, rich_workbook)
    assert f"{BY_TABLE[table].label} {record_id} field '{column}'" in line and "pseudonymised" in line
    assert not out.exists()


def test_an_anonymised_export_leaves_out_a_damaged_record_that_names_no_one(
    rich_workbook: Path, tmp_path: Path, cli: Callable[..., Any]
) -> None:
    _, record_id, _ = damage(rich_workbook, "bad JSON in a list")
    out = tmp_path / "anonymised.json"
    result = cli("export", rich_workbook, "--format", "json", "--anonymise", "--out", out)
    assert result.exit_code == 0, result.output
    assert record_id not in [i["id"] for i in json.loads(out.read_text(encoding="utf-8"))["interviews"]]
