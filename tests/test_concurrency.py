"""Nothing lost: concurrent writers, stale saves and a process killed mid-write.

The writers are real, separate Python processes sharing one workbook file, as two notebooks
(or a notebook and the CLI) would.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from iivkit import Contact, Interview, Workbook
from iivkit.errors import StaleRecordError

INCREMENTS = 50

INCREMENTER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from iivkit import Interview, Workbook
    from iivkit.errors import StaleRecordError

    path, interview_id, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ready, go = Path(sys.argv[4]), Path(sys.argv[5])
    conflicts = 0
    with Workbook.open(path) as wb:
        ready.touch()
        while not go.exists():
            time.sleep(0.005)
        for _ in range(n):
            while True:
                interview = wb.get(Interview, interview_id)
                try:
                    longer = interview.duration_minutes + 1
                    wb.update(interview.model_copy(update={"duration_minutes": longer}))
                    break
                except StaleRecordError:
                    conflicts += 1
    print(conflicts)
    """
)

WRITER = textwrap.dedent(
    """
    import sys
    from iivkit import Contact, Finding, Workbook

    with Workbook.open(sys.argv[1]) as wb:
        n = 0
        while True:
            with wb.transaction():
                contact = wb.add(Contact(name=f"Contact {n}", notes="n" * 3000))
                wb.add(Finding(claim=f"Finding {n} from contact {contact.id}", notes="f" * 3000))
            n += 1
    """
)


def _wait_for(predicate, what: str, *, limit_s: float = 60.0) -> None:
    """Poll until *predicate* holds; the limit only stops a broken test from hanging."""
    deadline = time.monotonic() + limit_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_two_processes_incrementing_the_same_record_lose_no_update(
    tmp_path: Path, python_env: dict[str, str]
) -> None:
    path = tmp_path / "shared.iiv"
    with Workbook.create(path) as wb:
        contact = wb.add(Contact(name="Sipho Dlamini"))
        interview = wb.add(Interview(contact_id=contact.id, duration_minutes=5))
    go = tmp_path / "go"
    workers = []
    for n in range(2):
        ready = tmp_path / f"ready-{n}"
        workers.append(
            (
                ready,
                subprocess.Popen(
                    [
                        sys.executable,
                        "-c",
                        INCREMENTER,
                        str(path),
                        str(interview.id),
                        str(INCREMENTS),
                        ready,
                        go,
                    ],
                    env=python_env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    try:
        _wait_for(lambda: all(r.exists() for r, _ in workers), "both writers to open the workbook")
        go.touch()  # start both at once, so that their read-modify-write cycles interleave
        results = [proc.communicate(timeout=120) for _, proc in workers]
    finally:
        for _, proc in workers:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for (_, proc), (out, err) in zip(workers, results, strict=True):
        assert proc.returncode == 0, err
        # How often the two collide depends on timing, but each conflict a writer sees needs a
        # fresh write by the other in between: never more conflicts than the other's updates.
        assert 0 <= int(out.strip()) <= INCREMENTS, out
    with Workbook.open(path) as wb:
        final = wb.get(Interview, interview.id)
    assert final.duration_minutes == 5 + 2 * INCREMENTS
    assert final.version == interview.version + 2 * INCREMENTS


def test_a_save_from_a_stale_copy_is_refused_naming_the_record_and_the_first_change_is_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        saved = wb.add(Contact(name="Johan van der Merwe", notes="0"))
    with Workbook.open(path) as notebook_a, Workbook.open(path) as notebook_b:
        copy_a = notebook_a.get(Contact, saved.id)
        copy_b = notebook_b.get(Contact, saved.id)
        notebook_a.update(copy_a.model_copy(update={"notes": "changed in notebook A"}))
        with pytest.raises(StaleRecordError) as caught:
            notebook_b.update(copy_b.model_copy(update={"notes": "changed in notebook B"}))
    assert caught.value.record == f"contact {saved.id}"
    assert f"contact {saved.id}" in str(caught.value)
    assert "reload" in str(caught.value)
    with Workbook.open(path) as wb:
        kept = wb.get(Contact, saved.id)
    assert kept.notes == "changed in notebook A"
    assert kept.version == saved.version + 1


def test_a_stale_copy_saved_again_after_reloading_goes_through(workbook: Workbook) -> None:
    saved = workbook.add(Contact(name="Aisha Patel"))
    workbook.update(saved.model_copy(update={"role": "HR"}))
    with pytest.raises(StaleRecordError):
        workbook.update(saved.model_copy(update={"notes": "stale"}))
    fresh = workbook.get(Contact, saved.id)
    updated = workbook.update(fresh.model_copy(update={"notes": "after reload"}))
    assert workbook.get(Contact, saved.id) == updated
    assert updated.role == "HR"


def test_a_process_killed_in_the_middle_of_a_write_loop_leaves_a_sound_workbook(
    tmp_path: Path, python_env: dict[str, str], run_iivkit
) -> None:
    path = tmp_path / "killed.iiv"
    Workbook.create(path).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        env=python_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    watcher = sqlite3.connect(path, timeout=30)
    try:
        seen = 0

        def enough_written() -> bool:
            nonlocal seen
            assert writer.poll() is None, writer.stderr.read().decode() if writer.stderr else ""
            seen = watcher.execute("SELECT COUNT(*) FROM contacts").fetchone()[0]
            return seen >= 40

        _wait_for(enough_written, "the writer to commit some records")
    finally:
        watcher.close()
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL

    plain = sqlite3.connect(path)
    try:
        assert plain.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert plain.execute("PRAGMA foreign_key_check").fetchall() == []
        contacts, findings = (
            plain.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("contacts", "findings")
        )
    finally:
        plain.close()
    assert contacts >= seen, "a committed record was lost"
    assert contacts == findings, "a transaction was half applied"

    checked = run_iivkit("check", path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Traceback" not in checked.stderr
