"""Hand-made workbook files that try to hang or break a command: each gets one line, exit 2.

Found by reading the store as an attacker would: a table swapped for a view that never ends, a
write-ahead log that is a link to a device, a time zone that names a folder of zones, and a
meeting in the year 9999.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from iivkit import Contact, Interview, Workbook

ENDLESS_VIEW = (
    "CREATE VIEW open_questions AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) "
    "SELECT x AS id, 1 AS version, 'q' AS text FROM n"
)


def one_line_error(result, path: Path) -> str:
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"iivkit: error: {path}: ")
    return line


def test_a_table_swapped_for_an_endless_view_is_refused(rich_workbook: Path, cli) -> None:
    conn = sqlite3.connect(rich_workbook)
    conn.execute("DROP TABLE open_questions")
    conn.execute(ENDLESS_VIEW)
    conn.commit()
    conn.close()
    for command in (["check"], ["due", "--today", "2026-03-20"]):
        line = one_line_error(cli(*command, rich_workbook), rich_workbook)
        assert "holds a view ('open_questions')" in line


def test_a_trigger_is_refused(rich_workbook: Path, cli) -> None:
    conn = sqlite3.connect(rich_workbook)
    conn.execute("CREATE TRIGGER t AFTER INSERT ON findings BEGIN DELETE FROM contacts; END")
    conn.commit()
    conn.close()
    assert "holds a trigger ('t')" in one_line_error(cli("check", rich_workbook), rich_workbook)


def test_an_endless_view_never_stops_the_class_run(rich_workbook: Path, tmp_path: Path, cli) -> None:
    hostile = tmp_path / "class" / "mallory" / "workbook.iiv"
    honest = tmp_path / "class" / "ann" / "workbook.iiv"
    for target in (hostile, honest):
        target.parent.mkdir(parents=True)
        shutil.copyfile(rich_workbook, target)
    conn = sqlite3.connect(hostile)
    conn.execute("DROP TABLE open_questions")
    conn.execute(ENDLESS_VIEW)
    conn.commit()
    conn.close()
    result = cli("course", "report", tmp_path / "class", "--out", tmp_path / "out")
    # A workbook that cannot be read is reported as such, not as a page that failed.
    assert result.exit_code == 0, result.output
    assert "1 made, 0 failed" in result.output and "1 without a usable workbook" in result.output
    summary = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "mallory" in summary and "holds a view" in summary


def test_a_write_ahead_log_linked_to_a_device_is_refused(rich_workbook: Path, tmp_path: Path, cli) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "w.iiv"
    shutil.copyfile(rich_workbook, path)
    (folder / "w.iiv-wal").symlink_to("/dev/zero")
    folder.chmod(0o555)  # no -shm can be made beside it: the log would be copied
    try:
        line = one_line_error(cli("check", path), path)
    finally:
        folder.chmod(0o755)
    assert "write-ahead log" in line


def test_a_time_zone_naming_a_folder_is_a_clear_error(tmp_path: Path, cli) -> None:
    path = tmp_path / "tz.iiv"
    with Workbook.create(path) as wb:
        ann = wb.add(Contact(name="Ann Lee"))
        wb.add(Interview(contact_id=ann.id or 0))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE interviews SET timezone = 'America'")
    conn.commit()
    conn.close()
    result = cli("check", path)
    assert result.exit_code == 1, result.output
    assert "unknown time zone 'America'" in result.output
    with pytest.raises(Exception, match="unknown time zone 'Europe'"):
        Interview(contact_id=1, timezone="Europe")


def test_a_meeting_in_the_year_9999_is_refused_not_a_crash(tmp_path: Path, cli) -> None:
    path = tmp_path / "far.iiv"
    with Workbook.create(path) as wb:
        ann = wb.add(Contact(name="Ann Lee", email="ann@example.org"))
        wb.add(Interview(contact_id=ann.id or 0))
    conn = sqlite3.connect(path)
    conn.execute("UPDATE interviews SET scheduled_at = '9999-12-31T23:50:00'")
    conn.commit()
    conn.close()
    result = cli("letters", path, "--interview", "1", "--out", tmp_path / "letters")
    line = one_line_error(result, path)
    assert "between 1900 and 2200" in line


def test_check_tries_a_workbook_template_on_a_bounded_number_of_interviews(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A template that takes a second per letter must not make check take hours on 10,000 interviews.
    from iivkit.method import letters
    from iivkit.method.letter_templates import set_template_override

    with Workbook.create(tmp_path / "many.iiv") as wb:
        ann = wb.add(Contact(name="Ann Lee", email="ann@example.org"))
        for _ in range(12):
            wb.add(Interview(contact_id=ann.id or 0))
        set_template_override(wb, "invitation", "Dear {{ contact.name }},")
        batches: list[int] = []
        real = letters.render_untrusted

        def counted(jobs):  # type: ignore[no-untyped-def]
            batches.append(len(jobs))
            return real(jobs)

        monkeypatch.setattr(letters, "render_untrusted", counted)
        assert letters.template_problems(wb) == []
    assert batches == [1 + letters.TEMPLATE_TRIALS]
