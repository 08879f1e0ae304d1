"""The ``iivkit`` command line, as a user runs it: exit statuses, one-line errors, files written.

Most tests drive the CLI in process (``cli``); the ones marked by their use of ``run_iivkit``
run the real program, to prove what reaches a terminal.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from iivkit import Contact, Finding, Organisation, Workbook
from iivkit.workbook.interchange import export_json

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BAD_CASES = sorted(json.loads((FIXTURES / "bad_input.json").read_text(encoding="utf-8"))["cases"])

# -- init ----------------------------------------------------------------------------------


def test_init_creates_an_empty_workbook_readable_by_its_owner_only(tmp_path: Path, cli, counts) -> None:
    path = tmp_path / "x.iiv"
    result = cli("init", path)
    assert result.exit_code == 0, result.output
    assert str(path) in result.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sum(counts(path).values()) == 0


def test_init_refuses_to_overwrite_an_existing_workbook(tmp_path: Path, run_iivkit) -> None:
    path = tmp_path / "x"
    first = run_iivkit("init", path)
    assert first.returncode == 0, first.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with Workbook.open(path) as wb:
        wb.add(Organisation(name="Work that must not be lost"))
    before = path.read_bytes()

    second = run_iivkit("init", path)
    assert second.returncode == 2
    assert str(path) in second.stderr
    assert "refusing to overwrite" in second.stderr
    assert len(second.stderr.strip().splitlines()) == 1
    assert "Traceback" not in second.stderr
    assert path.read_bytes() == before


def test_init_in_a_missing_folder_exits_2_naming_the_file(tmp_path: Path, cli) -> None:
    path = tmp_path / "no" / "such" / "folder" / "x.iiv"
    result = cli("init", path)
    assert result.exit_code == 2
    assert str(path) in result.stderr


# -- check ---------------------------------------------------------------------------------


def test_a_folder_with_one_workbook_stands_for_it(tmp_path: Path, cli) -> None:
    assert cli("init", tmp_path / "mine.iiv").exit_code == 0
    result = cli("due", tmp_path, "--today", "2026-12-01")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Follow-ups in {tmp_path / 'mine.iiv'} on 2026-12-01:")


@pytest.mark.parametrize(
    ("files", "says"),
    [
        ((), "is a folder with no workbook (.iiv file) in it; give the workbook's file, or create one with"),
        (("a.iiv", "b.iiv"), "is a folder with 2 workbooks (a.iiv, b.iiv); give the one you mean"),
    ],
)
def test_a_folder_without_exactly_one_workbook_is_refused_saying_what_to_give(
    tmp_path: Path, cli, files: tuple[str, ...], says: str
) -> None:
    for name in files:
        assert cli("init", tmp_path / name).exit_code == 0
    result = cli("check", tmp_path)
    assert result.exit_code == 2
    assert f"Invalid value for 'WORKBOOK': {tmp_path} {says}" in result.stderr
    assert "Traceback" not in result.output


def test_init_on_a_folder_suggests_a_file_name_and_creates_nothing(tmp_path: Path, cli) -> None:
    result = cli("init", tmp_path)
    assert result.exit_code == 2
    assert (
        f"{tmp_path} is a folder; give the new workbook's file, e.g. {tmp_path / 'workbook.iiv'}"
        in result.stderr
    )
    assert list(tmp_path.iterdir()) == []


def test_check_passes_a_sound_workbook(rich_workbook: Path, run_iivkit) -> None:
    result = run_iivkit("check", rich_workbook)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{rich_workbook}: ok" in result.stdout
    assert "Traceback" not in result.stderr
    assert "error" not in result.stderr


def test_check_passes_the_demo_workbook(tmp_path: Path, cli) -> None:
    from iivkit.workbook.demo import build_demo

    path = tmp_path / "demo.iiv"
    build_demo(path).close()
    result = cli("check", path)
    assert result.exit_code == 0, result.output


def corrupt(path: Path, offset: int, pages: int = 3) -> None:
    """Overwrite a few pages of *path* with junk, as a bad disk or a careless copy might."""
    junk = bytes((i * 37 + 11) % 256 for i in range(4096 * pages))
    with path.open("r+b") as fh:
        fh.seek(offset)
        fh.write(junk)


@pytest.fixture
def big_workbook(tmp_path: Path, build_rich) -> Path:
    """A workbook of some 50 pages, so that junk in its middle hits records and indexes."""
    path = tmp_path / "big.iiv"
    with build_rich(path) as wb, wb.transaction():
        for n in range(200):
            wb.add(Finding(claim=f"Finding number {n}: " + "evidence " * 40, topic=f"topic {n % 7}"))
    return path


@pytest.mark.parametrize("where", ["middle", "after the header", "near the end"])
def test_check_reports_a_corrupt_file_as_a_problem_with_exit_1_and_no_traceback(
    big_workbook: Path, where: str, run_iivkit
) -> None:
    size = big_workbook.stat().st_size
    offset = {"middle": size // 2, "after the header": 4096, "near the end": size - 4 * 4096}[where]
    corrupt(big_workbook, offset)
    result = run_iivkit("check", big_workbook)
    # The first page (the header and the list of tables) is intact, so the file opens and the
    # check finds the damage: a problem (exit 1), not an unreadable input (exit 2).
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith(f"{big_workbook}: PROBLEMS"), result.stdout
    assert "problem: the file is damaged" in result.stdout, result.stdout


def test_check_of_a_missing_file_exits_2_naming_it(tmp_path: Path, run_iivkit) -> None:
    path = tmp_path / "nowhere.iiv"
    result = run_iivkit("check", path)
    assert result.returncode == 2
    assert f"{path}: no such workbook" in result.stderr
    assert "Traceback" not in result.stderr
    assert not path.exists(), "check must not create the file it was asked to check"


def test_check_exits_1_when_a_record_no_longer_passes_validation(rich_workbook: Path, cli) -> None:
    import sqlite3

    conn = sqlite3.connect(rich_workbook)
    conn.execute("UPDATE contacts SET email = 'not an email' WHERE id = 1")
    conn.commit()
    conn.close()
    result = cli("check", rich_workbook)
    assert result.exit_code == 1
    assert "contact 1" in result.stdout
    assert "'email'" in result.stdout


# -- import --------------------------------------------------------------------------------


@pytest.fixture
def document_with_invalid_email(rich_workbook: Path, tmp_path: Path) -> Path:
    with Workbook.open(rich_workbook) as wb:
        data = json.loads(export_json(wb))
    data["contacts"][1]["email"] = "maria.fernandez-at-who.int"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_importing_an_invalid_email_into_a_new_workbook_creates_nothing(
    document_with_invalid_email: Path, tmp_path: Path, run_iivkit
) -> None:
    target = tmp_path / "new.iiv"
    result = run_iivkit("import", target, document_with_invalid_email)
    assert result.returncode != 0
    assert "field 'email'" in result.stderr
    assert "contacts[1] (id 2)" in result.stderr
    assert str(document_with_invalid_email) in result.stderr
    assert "Traceback" not in result.stderr
    assert not target.exists()


def test_importing_an_invalid_email_into_an_existing_workbook_leaves_it_empty(
    document_with_invalid_email: Path, tmp_path: Path, cli, counts
) -> None:
    target = tmp_path / "empty.iiv"
    assert cli("init", target).exit_code == 0
    result = cli("import", target, document_with_invalid_email)
    assert result.exit_code == 2
    assert "field 'email'" in result.stderr
    assert "contacts[1]" in result.stderr
    assert sum(counts(target).values()) == 0


def test_import_error_after_some_records_were_added_leaves_a_new_workbook_uncreated(
    tmp_path: Path, cli
) -> None:
    document = {
        "organisations": [{"id": 1, "name": "Gauteng Department of Health"}],
        "contacts": [{"id": 1, "name": "Sipho Dlamini", "organisation_id": 1, "referred_by_id": 5}],
    }
    source = tmp_path / "dangling.json"
    source.write_text(json.dumps(document))
    target = tmp_path / "new.iiv"
    result = cli("import", target, source)
    assert result.exit_code == 2
    assert "field 'referred_by_id'" in result.stderr
    assert not target.exists()
    assert not list(tmp_path.glob("new.iiv*"))


@pytest.mark.parametrize("case", BAD_CASES)
def test_import_of_a_bad_document_exits_2_naming_record_and_field_and_writes_nothing(
    case: str, tmp_path: Path, cli, counts, bad_document
) -> None:
    document, spec = bad_document(case)
    source = tmp_path / "input.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    target = tmp_path / "wb.iiv"
    assert cli("init", target).exit_code == 0
    result = cli("import", target, source)
    assert result.exit_code == 2
    line = f"{source}: {spec['table']}[{spec['index']}] (id {spec['id']}) field '{spec['field']}'"
    assert line in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sum(counts(target).values()) == 0


def test_import_of_a_missing_file_exits_2(tmp_path: Path, cli) -> None:
    result = cli("import", tmp_path / "wb.iiv", tmp_path / "missing.json")
    assert result.exit_code == 2
    assert "missing.json: no such file" in result.stderr
    assert not (tmp_path / "wb.iiv").exists()


def test_cli_export_import_export_gives_an_identical_document(
    rich_workbook: Path, tmp_path: Path, run_iivkit
) -> None:
    first, second, copy = tmp_path / "first.json", tmp_path / "second.json", tmp_path / "copy.iiv"
    assert run_iivkit("export", rich_workbook, "--format", "json", "--out", first).returncode == 0
    imported = run_iivkit("import", copy, first)
    assert imported.returncode == 0, imported.stderr
    assert "Imported" in imported.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert run_iivkit("export", copy, "--format", "json", "--out", second).returncode == 0
    assert second.read_bytes() == first.read_bytes()


def test_cli_demo_round_trip_gives_an_identical_document(tmp_path: Path, cli) -> None:
    demo = tmp_path / "demo"
    built = cli("demo", "--out", demo)
    assert built.exit_code == 0, built.output
    workbook = demo / "workbook.iiv"
    assert str(workbook) in built.stdout
    # The demo ends with its debrief reports: one per held interview, and an index.
    assert (demo / "reports" / "index.html").is_file()
    assert len(list((demo / "reports").glob("*__interview-*.html"))) == 2
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    assert cli("export", workbook, "--format", "json", "--out", first).exit_code == 0
    assert cli("import", tmp_path / "copy.iiv", first).exit_code == 0
    assert cli("export", tmp_path / "copy.iiv", "--format", "json", "--out", second).exit_code == 0
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    assert cli("check", workbook).exit_code == 0


# -- export --------------------------------------------------------------------------------


def test_export_to_csv_writes_a_zip_with_one_readable_table_per_record_type(
    rich_workbook: Path, tmp_path: Path, cli, counts
) -> None:
    out = tmp_path / "export.zip"
    result = cli("export", rich_workbook, "--format", "csv", "--out", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    want = counts(rich_workbook)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == sorted(f"{t}.csv" for t in want)
        for table, n in want.items():
            rows = list(csv.DictReader(io.StringIO(zf.read(f"{table}.csv").decode("utf-8"))))
            assert len(rows) == n, table
        contacts = list(csv.DictReader(io.StringIO(zf.read("contacts.csv").decode("utf-8"))))
        interviews = {r["id"]: r for r in csv.DictReader(io.StringIO(zf.read("interviews.csv").decode()))}
    assert contacts[1]["name"] == "María José Fernández"
    assert json.loads(interviews["1"]["check_ins_sent"]) == ["2024-04-12", "2024-06-11"]


def test_export_to_xlsx_writes_one_readable_sheet_per_record_type(
    rich_workbook: Path, tmp_path: Path, cli, counts
) -> None:
    out = tmp_path / "export.xlsx"
    result = cli("export", rich_workbook, "--format", "xlsx", "--out", out)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    want = counts(rich_workbook)
    book = load_workbook(out)
    assert sorted(book.sheetnames) == sorted(want)
    for table, n in want.items():
        sheet = book[table]
        assert sheet.max_row - 1 == n, table
        assert [c.value for c in sheet[1]][:2] == ["id", "version"]


def test_an_xlsx_cell_for_a_note_starting_with_equals_is_text_not_a_formula(tmp_path: Path, cli) -> None:
    formula = '=HYPERLINK("https://evil.example","click me")'
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        wb.add(Contact(name="=1+1", notes=formula, role="-2+3"))
    out = tmp_path / "export.xlsx"
    assert cli("export", path, "--format", "xlsx", "--out", out).exit_code == 0
    sheet = load_workbook(out)["contacts"]
    header = [c.value for c in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    # Neutralised as OWASP advises: a leading apostrophe, the text itself kept whole.
    assert row["notes"].value == "'" + formula
    assert row["notes"].data_type == "s"
    assert row["name"].value == "'=1+1"
    assert row["name"].data_type == "s"
    assert row["role"].value == "'-2+3"
    with zipfile.ZipFile(out) as zf:
        sheets = [n for n in zf.namelist() if n.startswith("xl/worksheets/")]
        assert not any("<f>" in zf.read(n).decode() for n in sheets), "a cell was written as a formula"


def test_export_into_a_missing_folder_exits_2(rich_workbook: Path, tmp_path: Path, cli) -> None:
    result = cli("export", rich_workbook, "--format", "json", "--out", tmp_path / "nope" / "x.json")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_export_of_a_missing_workbook_exits_2_without_creating_it(tmp_path: Path, cli) -> None:
    result = cli("export", tmp_path / "nowhere.iiv", "--format", "json", "--out", tmp_path / "x.json")
    assert result.exit_code == 2
    assert "no such workbook" in result.stderr
    assert not (tmp_path / "nowhere.iiv").exists()
    assert not (tmp_path / "x.json").exists()


def test_an_unknown_export_format_is_bad_usage(rich_workbook: Path, tmp_path: Path, cli) -> None:
    result = cli("export", rich_workbook, "--format", "pdf", "--out", tmp_path / "x.pdf")
    assert result.exit_code == 2
    assert not (tmp_path / "x.pdf").exists()


def test_the_installed_program_reports_its_version(run_iivkit) -> None:
    result = run_iivkit("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("iivkit")


# -- protecting what is already there ------------------------------------------------------


def test_export_never_replaces_a_workbook_and_asks_before_replacing_a_file(
    rich_workbook: Path, tmp_path: Path, cli
) -> None:
    before = rich_workbook.read_bytes()
    onto_itself = cli("export", rich_workbook, "--format", "json", "--out", rich_workbook, "--force")
    assert onto_itself.exit_code == 2 and "never replaces" in onto_itself.output
    assert rich_workbook.read_bytes() == before
    existing = tmp_path / "notes.json"
    existing.write_text("my own notes", encoding="utf-8")
    refused = cli("export", rich_workbook, "--format", "json", "--out", existing)
    assert refused.exit_code == 2 and "--force" in refused.output
    assert existing.read_text(encoding="utf-8") == "my own notes"
    assert cli("export", rich_workbook, "--format", "json", "--out", existing, "--force").exit_code == 0
    assert json.loads(existing.read_text(encoding="utf-8"))["format"] == "iivkit-workbook"


def test_rerunning_the_demo_keeps_the_users_files_and_the_previous_workbook(tmp_path: Path, cli) -> None:
    demo = tmp_path / "demo"
    assert cli("demo", "--out", demo, "--no-reports").exit_code == 0
    (demo / "notebooks").mkdir()
    (demo / "notebooks" / "mine.ipynb").write_text("{}", encoding="utf-8")
    (demo / "ideas.txt").write_text("ask about internships", encoding="utf-8")
    with Workbook.open(demo / "workbook.iiv") as wb:
        wb.add(Organisation(name="Added by the user"))
    assert cli("demo", "--out", demo, "--no-reports").exit_code == 0
    assert (demo / "ideas.txt").read_text(encoding="utf-8") == "ask about internships"
    assert (demo / "notebooks" / "mine.ipynb").exists()
    with Workbook.open(demo / "workbook.iiv.previous") as wb:
        assert "Added by the user" in {o.name for o in wb.all(Organisation)}
    with Workbook.open(demo / "workbook.iiv") as wb:
        assert "Added by the user" not in {o.name for o in wb.all(Organisation)}


def test_a_damaged_workbook_gives_one_line_naming_the_file_not_a_traceback(
    rich_workbook: Path, tmp_path: Path, run_iivkit
) -> None:
    with Workbook.open(rich_workbook) as wb:
        for n in range(300):
            wb.add(Organisation(name=f"Organisation {n}", notes="x" * 500))
    data = bytearray(rich_workbook.read_bytes())
    data[8192:24576] = b"\xde\xad" * 8192
    rich_workbook.write_bytes(bytes(data))
    done = run_iivkit("export", rich_workbook, "--format", "json", "--out", tmp_path / "out.json")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1 and str(rich_workbook) in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_report_will_not_write_into_a_folder_of_other_files(rich_workbook: Path, tmp_path: Path, cli) -> None:
    out = tmp_path / "website"
    out.mkdir()
    (out / "index.html").write_text("<h1>my site</h1>", encoding="utf-8")
    result = cli("report", rich_workbook, "--out", out)
    assert result.exit_code == 2 and "not empty" in result.output
    assert (out / "index.html").read_text(encoding="utf-8") == "<h1>my site</h1>"


def test_importing_a_csv_export_by_mistake_says_to_use_the_json_one(
    rich_workbook: Path, tmp_path: Path, cli
) -> None:
    exported = tmp_path / "tables.zip"
    assert cli("export", rich_workbook, "--format", "csv", "--out", exported).exit_code == 0
    result = cli("import", tmp_path / "new.iiv", exported)
    assert result.exit_code == 2 and "is a zip file" in result.output
    assert "iivkit export --format json" in result.output
    assert not (tmp_path / "new.iiv").exists()


def test_a_csv_export_must_be_named_as_the_zip_it_is(rich_workbook: Path, tmp_path: Path, cli) -> None:
    result = cli("export", rich_workbook, "--format", "csv", "--out", tmp_path / "tables.csv")
    assert result.exit_code == 2 and ".zip" in result.output
    assert not (tmp_path / "tables.csv").exists()


def test_report_on_a_folder_without_workbooks_is_a_usage_error(tmp_path: Path, cli) -> None:
    (tmp_path / "empty").mkdir()
    result = cli("report", tmp_path / "empty", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "no workbooks" in result.output
    assert not (tmp_path / "out" / "index.html").exists()


def test_course_report_with_a_layout_that_finds_nobody_is_a_usage_error(tmp_path: Path, cli) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "notes.txt").write_text("not a student", encoding="utf-8")
    result = cli(
        "course",
        "report",
        tmp_path / "class",
        "--out",
        tmp_path / "out",
        "--layout",
        "submitted/{student}.iiv",
    )
    assert result.exit_code == 2 and "no students found" in result.output


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_today_far_outside_any_calendar_is_refused_with_the_range(
    rich_workbook: Path, cli, day: str
) -> None:
    for command in (["due"], ["targets"]):
        result = cli(*command, rich_workbook, "--today", day)
        assert result.exit_code == 2
        assert f"{day} is not a day between 1900 and 2200" in result.output
