"""Inputs are read, never written.

The commands that only read (``check``, ``export``, ``plan``, ``letters``, ``due``, ``report``
and ``course report``) open workbooks read-only: they leave no ``-wal``/``-shm`` or backup file
beside them, never upgrade an older workbook in place, and work on a read-only tree, such as a
class share mounted read-only, exactly as on a writable one.

The read-only tree is a read-only bind mount when the tests run as root and may mount (as in
CI), otherwise a tree without write permission, read by the unprivileged user ``nobody``. In CI
(``CI`` set) a run that can do neither fails rather than skipping.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from iivkit import Contact, Interview, Workbook
from iivkit.errors import NewerWorkbookError, NotAWorkbookError, ReadOnlyWorkbookError
from iivkit.workbook.models import Question
from iivkit.workbook.schema import SCHEMA_VERSION

V1_FIXTURE = Path(__file__).resolve().parent / "fixtures" / "workbook_v1.iiv"
NOBODY = 65534
CRASHED_NAME = "saved just before the crash"

CRASH_WRITER = textwrap.dedent(
    """
    import os, signal, sys
    from iivkit import Contact, Workbook

    wb = Workbook.open(sys.argv[1])
    wb.add(Contact(name=sys.argv[2]))
    os.kill(os.getpid(), signal.SIGKILL)  # the record is committed, but only in the write-ahead log
    """
)

NOBODY_PROBE = textwrap.dedent(
    """
    import os, subprocess, sys
    import iivkit
    os.listdir(sys.argv[1])
    subprocess.run([sys.executable, "-c", "import ipykernel"], check=True)
    """
)

Run = Callable[..., subprocess.CompletedProcess[str]]


# -- what a tree holds -----------------------------------------------------------------------


def tree_state(root: Path, *, shm_content: bool = True) -> dict[str, tuple[str, int, int, str]]:
    """Every file and folder under *root*: kind, size, modification time and content hash.

    :param shm_content: False to note only that a ``-shm`` file is there. It is SQLite's shared
        index of a ``-wal`` file, which any reader of a workbook in use (or left by a crash)
        keeps up to date when it may; only the workbook and its log must stay as they were.
    """
    state = {}
    for path in sorted([root, *root.rglob("*")]):
        st = path.lstat()
        if not shm_content and path.name.endswith("-shm"):
            state[str(path.relative_to(root))] = ("file", st.st_size, 0, "")
        elif path.is_dir():
            state[str(path.relative_to(root))] = ("dir", 0, st.st_mtime_ns, "")
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[str(path.relative_to(root))] = ("file", st.st_size, st.st_mtime_ns, digest)
    return state


def crash_after_saving(path: Path, name: str, env: dict[str, str]) -> None:
    """Leave *path* as a writer killed mid-session does: its last save only in the ``-wal`` file."""
    killed = subprocess.run(
        [sys.executable, "-c", CRASH_WRITER, str(path), name], env=env, capture_output=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert Path(f"{path}-wal").exists()


def ids_in(path: Path) -> tuple[int, int]:
    """A contact to plan for and an interview held, read from the workbook itself."""
    with Workbook.read(path) as wb:
        contact = wb.all(Contact)[0].id
        held = [i.id for i in wb.all(Interview) if i.status.value in ("done", "debriefed")]
    assert contact is not None and held and held[0] is not None
    return contact, held[0]


def build_tree(root: Path, build_rich: Callable[[Path], Workbook], env: dict[str, str]) -> None:
    """A person's workbooks and a class folder, as someone might hand them over."""
    root.mkdir(parents=True, exist_ok=True)
    build_rich(root / "mine.iiv").close()
    shutil.copyfile(V1_FIXTURE, root / "old.iiv")
    (root / "old.iiv").chmod(0o600)
    build_rich(root / "crashed.iiv").close()
    crash_after_saving(root / "crashed.iiv", CRASHED_NAME, env)
    for student in ("amara", "bongani"):
        (root / "class" / student).mkdir(parents=True)
        build_rich(root / "class" / student / "workbook.iiv").close()


# -- a read-only tree ------------------------------------------------------------------------


@dataclass
class ReadOnlyTree:
    """A read-only view of a tree, and a way to run ``iivkit`` that cannot write to it."""

    source: Path
    view: Path
    out: Path
    how: str
    run: Run


def _iivkit(prefix: list[str], env: dict[str, str]) -> Run:
    script = shutil.which("iivkit", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-c", "from iivkit.cli import main; main()"]

    def run(*args: str | Path | int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, *command, *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
        )

    return run


def _private_env(home: Path, base_env: dict[str, str]) -> dict[str, str]:
    env = dict(base_env)
    env.update(
        HOME=str(home),
        IPYTHONDIR=str(home / "ipython"),
        JUPYTER_CONFIG_DIR=str(home / "jupyter-config"),
        JUPYTER_RUNTIME_DIR=str(home / "jupyter-runtime"),
        MPLCONFIGDIR=str(home / "matplotlib"),
        IIVKIT_CACHE_DIR=str(home / "cache"),
        TMPDIR=str(home / "tmp"),
    )
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def _bind_mount_read_only(source: Path, view: Path) -> str | None:
    """Mount *source* read-only at *view*; return why not, or None when it worked."""
    if os.environ.get("IIVKIT_TEST_READONLY_TREE") == "user":
        return "not tried (IIVKIT_TEST_READONLY_TREE=user)"
    if os.geteuid() != 0:
        return "not root"
    view.mkdir()
    steps = (["mount", "--bind", str(source), str(view)], ["mount", "-o", "remount,bind,ro", str(view)])
    for n, step in enumerate(steps):
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            if n:
                subprocess.run(["umount", str(view)], capture_output=True)
            view.rmdir()
            return done.stderr.strip() or f"{step[0]} failed"
    try:
        (view / ".write-probe").touch()
    except OSError:
        return None
    (view / ".write-probe").unlink()
    subprocess.run(["umount", str(view)], capture_output=True)
    view.rmdir()
    return "the mount stayed writable"


def _nobody_prefix() -> list[str]:
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def _as_nobody(base: Path, env: dict[str, str]) -> str | None:
    """Check that ``nobody`` can run iivkit here; return why not, or None."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        return "not root, or no setpriv"
    probe = subprocess.run(
        # iivkit itself, and a child Python as a notebook kernel is started
        [*_nobody_prefix(), sys.executable, "-c", NOBODY_PROBE, str(base)],
        env=env,
        capture_output=True,
        text=True,
    )
    return None if probe.returncode == 0 else probe.stderr.strip()[-300:]


def _chown_tree(root: Path, uid: int) -> None:
    for path in [root, *root.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)


def _make_read_only(root: Path) -> None:
    for path in sorted([root, *root.rglob("*")], reverse=True):
        path.chmod(path.stat().st_mode & 0o555)


def _make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        path.chmod((path.stat().st_mode & 0o777) | 0o200)


@pytest.fixture
def readonly_tree(
    build_rich: Callable[[Path], Workbook], python_env: dict[str, str]
) -> Iterator[ReadOnlyTree]:
    """A tree of workbooks, read-only even for root where mounting is allowed."""
    base = Path(tempfile.mkdtemp(prefix="iivkit-readonly-"))
    base.chmod(0o755)  # reachable by 'nobody' too
    source, view, out, home = base / "share", base / "view", base / "out", base / "home"
    build_tree(source, build_rich, python_env)
    out.mkdir()
    env = _private_env(home, python_env)
    why_not_mount = _bind_mount_read_only(source, view)
    try:
        if why_not_mount is None:
            yield ReadOnlyTree(source, view, out, "read-only bind mount", _iivkit([], env))
            return
        why_not_user = _as_nobody(base, python_env)
        if why_not_user is None:
            for folder in (home, out, source):  # the files are theirs, yet nobody may write them
                _chown_tree(folder, NOBODY)
            _make_read_only(source)
            how = "user 'nobody' on a tree without write permission"
            yield ReadOnlyTree(source, source, out, how, _iivkit(_nobody_prefix(), env))
            return
        message = f"no read-only tree possible here: mount: {why_not_mount}; as nobody: {why_not_user}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    finally:
        if why_not_mount is None:
            subprocess.run(["umount", str(view)], capture_output=True)
        if source.exists():
            _make_writable(source)
        shutil.rmtree(base, ignore_errors=True)


def test_every_reading_command_works_on_a_read_only_tree_and_writes_nothing_to_it(
    readonly_tree: ReadOnlyTree,
) -> None:
    tree, view = readonly_tree, readonly_tree.view
    contact, interview = ids_in(tree.source / "mine.iiv")
    before = tree_state(tree.source)
    commands: dict[str, list[str | Path | int]] = {
        "check mine": ["check", view / "mine.iiv"],
        "check old": ["check", view / "old.iiv"],
        "check crashed": ["check", view / "crashed.iiv"],
        "export": ["export", view / "mine.iiv", "--format", "json", "--out", tree.out / "mine.json"],
        "export crashed": [
            "export",
            view / "crashed.iiv",
            "--format",
            "json",
            "--out",
            tree.out / "lost.json",
        ],
        "import": ["import", view / "mine.iiv", tree.out / "mine.json"],  # writes: refused
        "plan": ["plan", view / "mine.iiv", "--contact", contact],
        "letters": ["letters", view / "mine.iiv", "--interview", interview, "--out", tree.out / "letters"],
        "due": ["due", view / "old.iiv", "--today", "2025-03-01"],
        "report": ["report", view / "mine.iiv", "--out", tree.out / "reports", "--interview", interview],
        "course report": ["course", "report", view / "class", "--out", tree.out / "course"],
    }
    outcomes = {name: tree.run(*args) for name, args in commands.items()}
    assert tree_state(tree.source) == before, f"the read-only tree changed ({tree.how})"

    for name, done in outcomes.items():
        said = done.stdout + done.stderr
        assert "Traceback" not in said, f"{name}: {said}"
        assert "damaged" not in said and "unreadable" not in said, f"{name} ({tree.how}): {said}"
    refused = outcomes.pop("import")
    assert refused.returncode == 2 and "read-only" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    for name in set(outcomes) - {"check mine", "letters"}:  # those two may find problems: see below
        assert outcomes[name].returncode == 0, f"{name} ({tree.how}): {outcomes[name].stderr}"
    assert CRASHED_NAME in (tree.out / "lost.json").read_text(encoding="utf-8")
    assert list((tree.out / "reports").glob("*.html"))
    pages = {p.name for p in (tree.out / "course").glob("*.html")}
    assert {"amara.html", "bongani.html", "index.html"} <= pages, pages


def test_reading_commands_answer_the_same_on_a_read_only_tree_as_on_a_writable_copy(
    readonly_tree: ReadOnlyTree,
) -> None:
    tree = readonly_tree
    contact, interview = ids_in(tree.source / "mine.iiv")
    copy = tree.out / "copy"
    shutil.copytree(tree.source, copy)
    _make_writable(copy)
    answers: dict[str, list[tuple[str, int, str]]] = {}
    for where, folder in (("writable", copy), ("read-only", tree.view)):
        out = tree.out / where
        out.mkdir()
        if tree.how.startswith("user"):
            _chown_tree(copy, NOBODY)
            _chown_tree(out, NOBODY)
        before = tree_state(folder, shm_content=False)
        runs: list[list[str | Path | int]] = [
            ["check", folder / "mine.iiv"],
            ["check", folder / "old.iiv"],
            ["check", folder / "crashed.iiv"],
            ["plan", folder / "mine.iiv", "--contact", contact],
            ["letters", folder / "mine.iiv", "--interview", interview, "--out", out / "letters"],
            ["due", folder / "mine.iiv", "--today", "2025-03-01"],
        ]
        answers[where] = []
        for args in runs:
            done = tree.run(*args)
            said = (done.stdout + done.stderr).replace(str(folder), "FOLDER").replace(str(out), "OUT")
            answers[where].append((str(args[0]), done.returncode, said))
        after = tree_state(folder, shm_content=False)
        assert after == before, f"a reading command wrote to or beside a workbook ({where})"
    assert answers["read-only"] == answers["writable"]


# -- the read-only workbook, through the library ----------------------------------------------


def test_a_read_only_workbook_refuses_every_save_and_the_file_stays_as_it_was(
    rich_workbook: Path,
) -> None:
    before = tree_state(rich_workbook.parent)
    with Workbook.read(rich_workbook) as wb:
        contact = wb.all(Contact)[0]
        attempts = [
            lambda: wb.add(Contact(name="Lindiwe Mokoena")),
            lambda: wb.update(contact.model_copy(update={"notes": "changed"})),
            lambda: wb.delete(Contact, contact.id or 0),
            lambda: wb.set_meta("anything", "value"),
        ]
        for attempt in attempts:
            with pytest.raises(ReadOnlyWorkbookError) as caught:
                attempt()
            assert str(rich_workbook) in str(caught.value)
            assert "read-only" in str(caught.value)
        assert wb.get(Contact, contact.id or 0) == contact
    assert tree_state(rich_workbook.parent) == before


def test_workbook_open_with_readonly_is_the_same_as_read(rich_workbook: Path) -> None:
    with Workbook.open(rich_workbook, readonly=True) as wb, Workbook.read(rich_workbook) as other:
        assert wb.readonly and other.readonly
        assert wb.all(Contact) == other.all(Contact)
        with pytest.raises(ReadOnlyWorkbookError):
            wb.add(Contact(name="Lindiwe Mokoena"))


def test_reading_a_workbook_in_use_sees_its_latest_save_and_leaves_its_log_to_it(tmp_path: Path) -> None:
    path = tmp_path / "in-use.iiv"
    with Workbook.create(path) as notebook:
        notebook.add(Contact(name="Sipho Dlamini"))
        beside = sorted(p.name for p in tmp_path.iterdir())
        assert f"{path.name}-wal" in beside  # the notebook's log holds that save
        with Workbook.read(path) as reader:
            assert [c.name for c in reader.all(Contact)] == ["Sipho Dlamini"]
        assert sorted(p.name for p in tmp_path.iterdir()) == beside
        notebook.add(Contact(name="Aisha Patel"))  # the notebook goes on saving after the reader left
        with Workbook.read(path) as reader:
            assert reader.count(Contact) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    with Workbook.read(path) as reader:
        assert reader.count(Contact) == 2


def test_reading_a_workbook_nobody_has_open_leaves_nothing_beside_it(rich_workbook: Path) -> None:
    before = tree_state(rich_workbook.parent)
    with Workbook.read(rich_workbook) as wb:
        assert wb.count(Contact) > 0
        assert wb.integrity_problems() == []
    assert tree_state(rich_workbook.parent) == before


def test_reading_after_a_crash_sees_the_save_that_is_only_in_the_log(
    tmp_path: Path, python_env: dict[str, str]
) -> None:
    path = tmp_path / "crashed.iiv"
    Workbook.create(path).close()
    crash_after_saving(path, CRASHED_NAME, python_env)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir() if not p.name.endswith("-shm")}
    with Workbook.read(path) as wb:
        assert [c.name for c in wb.all(Contact)] == [CRASHED_NAME]
    # The -shm index is SQLite's scratch space; the workbook and its log are untouched.
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if not p.name.endswith("-shm")} == files


def test_an_older_workbook_is_upgraded_in_memory_and_never_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.iiv"
    shutil.copyfile(V1_FIXTURE, path)
    before = tree_state(tmp_path)
    with Workbook.read(path) as wb:
        assert wb.count(Question) == 0  # a table that format 1 did not have
        assert wb.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert wb.count(Contact) > 0
    assert tree_state(tmp_path) == before
    with pytest.raises(NotAWorkbookError, match="format 1"):
        Workbook.read(path, migrate=False)


def test_reading_a_newer_foreign_or_text_file_is_refused_like_opening_it(tmp_path: Path) -> None:
    newer = tmp_path / "newer.iiv"
    Workbook.create(newer).close()
    with Workbook.open(newer) as wb:
        wb.conn.execute("PRAGMA user_version = 99")
    text = tmp_path / "notes.iiv"
    text.write_text("Call Sipho on Tuesday.\n")
    empty = tmp_path / "empty.iiv"
    empty.touch()
    before = tree_state(tmp_path)
    with pytest.raises(NewerWorkbookError, match="newer"):
        Workbook.read(newer)
    for path in (text, empty):
        with pytest.raises(NotAWorkbookError, match="not an iivkit workbook") as caught:
            Workbook.read(path)
        assert str(path) in str(caught.value)
    assert tree_state(tmp_path) == before


def test_the_cli_says_read_only_commands_never_migrate_an_old_workbook(
    tmp_path: Path, run_iivkit: Run
) -> None:
    path = tmp_path / "old.iiv"
    shutil.copyfile(V1_FIXTURE, path)
    before = tree_state(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-out.json"
    for args in (["check", path], ["due", path], ["export", path, "--format", "json", "--out", out]):
        done = run_iivkit(*args)
        assert done.returncode == 0, done.stderr
    out.unlink()
    assert tree_state(tmp_path) == before


def test_a_workbook_with_uri_characters_in_its_name_reads_like_any_other(tmp_path: Path, cli) -> None:
    path = tmp_path / "a?b#c%41&mode=rwc.iiv"
    with Workbook.create(path) as wb:
        wb.add(Contact(name="Sipho Dlamini"))
    before = tree_state(tmp_path)
    with Workbook.read(path) as wb:
        assert [c.name for c in wb.all(Contact)] == ["Sipho Dlamini"]
    assert cli("check", path).exit_code == 0
    assert tree_state(tmp_path) == before


def test_a_link_to_a_workbook_in_use_reads_its_latest_save(tmp_path: Path) -> None:
    real = tmp_path / "real.iiv"
    link = tmp_path / "link.iiv"
    link.symlink_to(real)
    with Workbook.create(real) as notebook:
        notebook.add(Contact(name="Saved a moment ago"))
        beside = sorted(p.name for p in tmp_path.iterdir())
        with Workbook.read(link) as wb:
            assert [c.name for c in wb.all(Contact)] == ["Saved a moment ago"]
        assert sorted(p.name for p in tmp_path.iterdir()) == beside


def test_pipes_and_devices_are_refused_without_being_opened(tmp_path: Path, cli) -> None:
    fifo = tmp_path / "pipe.iiv"
    os.mkfifo(fifo)  # opening it would wait for a writer forever
    for path in (fifo, Path("/dev/zero")):
        for args in (["check", path], ["export", path, "--format", "json", "--out", tmp_path / "x.json"]):
            result = cli(*args)
            assert result.exit_code == 2, result.output
            assert "not a regular file" in result.output
        with pytest.raises(NotAWorkbookError):
            Workbook.open(path)
