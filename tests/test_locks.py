"""Nothing lost when a notebook opens its workbook twice while other programs come and go.

SQLite's locks are POSIX advisory locks, and POSIX drops every lock a process holds on a file
when *any* descriptor on that file is closed. Opening the workbook a second time in a notebook
(pressing Run All again) must not silently release the first connection's locks: if it did,
the next program that opens and closes the workbook would delete the write-ahead log under the
notebook, and what the notebook saved afterwards would vanish although it was acknowledged.

The notebook and the other program are real, separate processes, driven step by step through
their standard input so that their opens, saves and closes interleave the same way every run.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from iivkit import Contact, Finding, Interview, Workbook
from iivkit.errors import StaleRecordError

ROUNDS = 6

NOTEBOOK = textwrap.dedent(
    """
    import sys
    from iivkit import Contact, Workbook

    path = sys.argv[1]
    first = Workbook.open(path)   # the notebook's first Run All
    first.count(Contact)
    second = Workbook.open(path)  # Run All again; the first workbook object is still alive
    second.count(Contact)
    extra = []
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        try:
            if command == "save":
                wb = first if int(arg) % 2 else second
                saved = wb.add(Contact(name=f"saved in the notebook {arg}"))
                print(f"ok {saved.id}", flush=True)
            elif command == "count":
                print(f"ok {first.count(Contact)} {second.count(Contact)}", flush=True)
            elif command == "reopen":
                extra.append(Workbook.open(path))  # a third run, keeping the others
                print("ok", flush=True)
            elif command == "export-onto-it":  # a mistaken --out: the workbook, by another name
                from pathlib import Path
                from iivkit.errors import IivkitError
                from iivkit.workbook.exports import export
                try:
                    export(first, "json", Path(arg))
                except IivkitError as exc:
                    refused = "is a workbook" in str(exc)
                    print("ok" if refused else f"error {exc}", flush=True)
                else:
                    print("error the export replaced the workbook", flush=True)
            elif command == "import-it":  # a mistaken document: the workbook itself
                from pathlib import Path
                from iivkit.errors import IivkitError
                from iivkit.workbook.interchange import import_file
                try:
                    import_file(first, Path(path))
                except IivkitError:
                    print("ok", flush=True)
                else:
                    print("error the workbook was imported into itself", flush=True)
            elif command == "readonly":
                with Workbook.read(path) as snapshot:
                    print(f"ok {snapshot.count(Contact)}", flush=True)
            elif command == "quit":
                for wb in (first, second, *extra):
                    wb.close()
                print("ok", flush=True)
                break
        except Exception as exc:
            print(f"error {type(exc).__name__}: {exc}", flush=True)
            sys.exit(1)
    """
)

TERMINAL = textwrap.dedent(
    """
    import sys
    from iivkit import Contact, Workbook

    path = sys.argv[1]
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "quit":
            break
        try:
            with Workbook.open(path) as wb:  # opens, reads, writes and closes, as a CLI command does
                seen = wb.count(Contact)
                saved = wb.add(Contact(name=f"saved from the terminal {arg}"))
            print(f"ok {seen} {saved.id}", flush=True)
        except Exception as exc:
            print(f"error {type(exc).__name__}: {exc}", flush=True)
            sys.exit(1)
    """
)


class Program:
    """A helper process answering one line per command: ``ok ...`` or ``error ...``."""

    def __init__(self, script: str, path: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, str(path)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        assert first == "ready", first + self._stderr()

    def _stderr(self) -> str:
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read() if self.proc.stderr else ""

    def ask(self, command: str) -> list[str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer = self.proc.stdout.readline().strip()
        assert answer.startswith("ok"), f"{command!r} answered {answer!r} {self._stderr()}"
        return answer.split()[1:]

    def finish(self) -> str:
        """Close its input (it then ends by itself) and return what it wrote to stderr."""
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err or ""


def _names_in(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM contacts")}
    finally:
        conn.close()


def _run_rounds(path: Path, env: dict[str, str], *, notebook_step: str | None = None) -> tuple[set[str], int]:
    """Interleave the notebook's saves with the terminal's open-read-write-close cycles.

    Returns the names whose saves were acknowledged and how many contacts the notebook counted last.
    """
    acknowledged: set[str] = set()
    notebook = Program(NOTEBOOK, path, env)
    terminal = Program(TERMINAL, path, env)
    try:
        n = 0
        for round_ in range(ROUNDS):
            for _ in range(2):
                n += 1
                notebook.ask(f"save {n}")
                acknowledged.add(f"saved in the notebook {n}")
            if notebook_step:
                notebook.ask(notebook_step)
            terminal.ask(f"write {round_}")
            acknowledged.add(f"saved from the terminal {round_}")
        counted = notebook.ask("count")
        assert counted[0] == counted[1]
        notebook.ask("quit")
    finally:
        notebook_err = notebook.finish()
        terminal_err = terminal.finish()
    assert notebook.proc.returncode == 0, notebook_err
    assert terminal.proc.returncode == 0, terminal_err
    return acknowledged, int(counted[0])


def test_a_workbook_opened_twice_in_a_notebook_keeps_every_save_while_other_programs_come_and_go(
    tmp_path: Path, python_env: dict[str, str]
) -> None:
    path = tmp_path / "shared.iiv"
    Workbook.create(path).close()
    acknowledged, counted = _run_rounds(path, python_env)
    stored = _names_in(path)
    assert not acknowledged - stored, f"acknowledged saves are missing: {sorted(acknowledged - stored)}"
    assert counted == len(acknowledged)
    with Workbook.open(path) as wb:
        assert wb.integrity_problems() == []
        assert wb.count(Contact) == len(acknowledged)


def test_reopening_a_third_time_and_reading_a_snapshot_in_the_notebook_keeps_every_save(
    tmp_path: Path, python_env: dict[str, str]
) -> None:
    path = tmp_path / "shared.iiv"
    Workbook.create(path).close()
    acknowledged, _ = _run_rounds(path, python_env, notebook_step="reopen")
    stored = _names_in(path)
    assert not acknowledged - stored, f"acknowledged saves are missing: {sorted(acknowledged - stored)}"
    path2 = tmp_path / "read.iiv"
    Workbook.create(path2).close()
    acknowledged, _ = _run_rounds(path2, python_env, notebook_step="readonly")
    stored = _names_in(path2)
    assert not acknowledged - stored, f"acknowledged saves are missing: {sorted(acknowledged - stored)}"


def test_exporting_onto_the_open_workbook_by_another_name_is_refused_and_loses_nothing(
    tmp_path: Path, python_env: dict[str, str]
) -> None:
    path = tmp_path / "shared.iiv"
    Workbook.create(path).close()
    alias = tmp_path / "same-file.json"
    os.link(path, alias)
    acknowledged, _ = _run_rounds(path, python_env, notebook_step=f"export-onto-it {alias}")
    stored = _names_in(path)
    assert not acknowledged - stored, f"acknowledged saves are missing: {sorted(acknowledged - stored)}"


def test_importing_the_open_workbook_as_a_document_is_refused_and_loses_nothing(
    tmp_path: Path, python_env: dict[str, str]
) -> None:
    path = tmp_path / "shared.iiv"
    Workbook.create(path).close()
    acknowledged, _ = _run_rounds(path, python_env, notebook_step="import-it")
    stored = _names_in(path)
    assert not acknowledged - stored, f"acknowledged saves are missing: {sorted(acknowledged - stored)}"


# -- threads ---------------------------------------------------------------------------------

THREADS = 4
INCREMENTS = 25


def test_four_threads_sharing_one_workbook_lose_no_write_and_raise_no_sqlite_error(tmp_path: Path) -> None:
    path = tmp_path / "threads.iiv"
    with Workbook.create(path) as wb:
        contact = wb.add(Contact(name="Sipho Dlamini"))
        interview = wb.add(Interview(contact_id=contact.id, duration_minutes=5))
    failures: list[BaseException] = []
    stale = [0] * THREADS
    start = threading.Barrier(THREADS)

    def work(n: int, shared: Workbook) -> None:
        try:
            start.wait()
            for i in range(INCREMENTS):
                while True:  # read-modify-write, as a form does
                    current = shared.get(Interview, interview.id)
                    try:
                        shared.update(
                            current.model_copy(update={"duration_minutes": current.duration_minutes + 1})
                        )
                        break
                    except StaleRecordError:
                        stale[n] += 1
                with shared.transaction():  # two records that belong together
                    added = shared.add(Contact(name=f"Thread {n} contact {i}"))
                    shared.add(Finding(claim=f"Finding from contact {added.id}"))
        except BaseException as exc:
            failures.append(exc)

    with Workbook.open(path) as shared:
        threads = [threading.Thread(target=work, args=(n, shared)) for n in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not any(t.is_alive() for t in threads), "a thread never finished"
    assert failures == []
    with Workbook.open(path) as wb:
        final = wb.get(Interview, interview.id)
        contacts = wb.all(Contact)
        findings = wb.all(Finding)
    assert final.duration_minutes == 5 + THREADS * INCREMENTS
    assert final.version == interview.version + THREADS * INCREMENTS
    assert len(contacts) == 1 + THREADS * INCREMENTS
    assert {f.claim for f in findings} == {f"Finding from contact {c.id}" for c in contacts[1:]}


def test_a_reader_thread_never_sees_half_of_another_threads_transaction(tmp_path: Path) -> None:
    path = tmp_path / "pairs.iiv"
    Workbook.create(path).close()
    seen: list[tuple[int, int]] = []
    failures: list[BaseException] = []
    done = threading.Event()
    reading = threading.Event()

    with Workbook.open(path) as shared:

        def write() -> None:
            try:
                # On a busy machine the writer could finish before the reader starts: wait for it.
                assert reading.wait(timeout=60), "the reader never started"
                for i in range(60):
                    with shared.transaction():
                        shared.add(Contact(name=f"Pair {i}"))
                        shared.add(Finding(claim=f"Pair {i}"))
            except BaseException as exc:
                failures.append(exc)
            finally:
                done.set()

        def read() -> None:
            try:
                while not done.is_set():
                    both = "SELECT (SELECT COUNT(*) FROM contacts), (SELECT COUNT(*) FROM findings)"
                    seen.append(tuple(shared.conn.execute(both).fetchone()))
                    reading.set()
            except BaseException as exc:
                failures.append(exc)

        threads = [threading.Thread(target=write), threading.Thread(target=read)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    assert failures == []
    assert seen, "the reader never read"
    assert all(contacts == findings for contacts, findings in seen), "a reader saw half a transaction"


def test_reading_commands_run_against_a_notebook_saving_see_its_saves_and_leave_no_files(
    tmp_path: Path, python_env: dict[str, str], run_iivkit
) -> None:
    path = tmp_path / "shared.iiv"
    Workbook.create(path).close()
    notebook = Program(NOTEBOOK, path, python_env)
    saved: list[str] = []
    try:
        for n in range(1, 4):
            notebook.ask(f"save {n}")
            saved.append(f"saved in the notebook {n}")
            out = tmp_path.parent / f"{tmp_path.name}-export-{n}.json"
            exported = run_iivkit("export", path, "--format", "json", "--out", out)
            assert exported.returncode == 0, exported.stderr
            text = out.read_text(encoding="utf-8")
            out.unlink()
            assert all(name in text for name in saved), "an export missed a save the notebook had made"
            checked = run_iivkit("check", path)
            assert "Traceback" not in checked.stderr and checked.returncode in (0, 1), checked.stderr
        notebook.ask("quit")
    finally:
        err = notebook.finish()
    assert notebook.proc.returncode == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    assert set(saved) <= _names_in(path)
