"""Opening a workbook file: the checks, the shared connection and the read-only copy.

Everything here uses the standard library and :mod:`iivkit.errors` only, with no pydantic and
no pandas, so a command that only reads rows (``iivkit report`` deciding what is up to date)
starts quickly. :class:`~iivkit.workbook.store.Workbook` opens files through these functions.

The file is only ever opened through SQLite (see :mod:`iivkit.workbook.store` for why).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

from iivkit.errors import NewerWorkbookError, NotAWorkbookError, WorkbookMissingError
from iivkit.workbook import migrations

SCHEMA_VERSION = 5
"""Bump this, and add a migration in ``migrations.py``, whenever a table changes shape."""

APPLICATION_ID = 0x69697631
"""Written into the SQLite header (``PRAGMA application_id``) so a workbook knows itself."""

BUSY_TIMEOUT_S = 30.0
SNAPSHOT_ATTEMPTS = 3
"""How often :meth:`Workbook.read` copies a file again that changed while it was being copied."""


class LockedCursor(sqlite3.Cursor):
    """A cursor that holds its connection's lock for each step, so threads take turns."""

    def _guard(self) -> contextlib.AbstractContextManager[Any]:
        conn = self.connection
        return conn.lock if isinstance(conn, LockedConnection) else contextlib.nullcontext()

    def execute(self, sql: str, parameters: Any = (), /) -> LockedCursor:
        with self._guard():
            return super().execute(sql, parameters)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> LockedCursor:
        with self._guard():
            return super().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        with self._guard():
            return super().executescript(sql_script)

    def fetchone(self) -> Any:
        with self._guard():
            return super().fetchone()

    def fetchmany(self, size: int | None = None) -> list[Any]:
        with self._guard():
            return super().fetchmany(self.arraysize if size is None else size)

    def fetchall(self) -> list[Any]:
        with self._guard():
            return super().fetchall()

    def __next__(self) -> Any:
        with self._guard():
            return super().__next__()


class LockedConnection(sqlite3.Connection):
    """A connection that threads can share: every statement takes :attr:`lock`, and
    :meth:`Workbook.transaction` holds it from ``BEGIN`` to ``COMMIT``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = threading.RLock()

    def cursor(self, factory: Any = None) -> Any:  # pandas reads through cursor()
        return super().cursor(factory or LockedCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        return self.cursor().executescript(sql_script)


_live_lock = threading.Lock()
_live: dict[tuple[int, int], int] = {}
"""Workbook connections open in this process, per file (device, inode)."""


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def register_open(path: Path) -> tuple[int, int] | None:
    key = _file_key(path)
    if key is not None:
        with _live_lock:
            _live[key] = _live.get(key, 0) + 1
    return key


def unregister_open(key: tuple[int, int] | None) -> None:
    if key is None:
        return
    with _live_lock:
        left = _live.get(key, 0) - 1
        if left > 0:
            _live[key] = left
        else:
            _live.pop(key, None)


def open_in_this_process(path: Path) -> bool:
    """True while a :class:`Workbook` in this process has the file at *path* open.

    Such a file must not be opened other than through SQLite (see the module's docstring).
    """
    key = _file_key(path)
    with _live_lock:
        return key is not None and key in _live


def existing_file(path: str | os.PathLike[str]) -> Path:
    """*path* as a Path, if it names a file that could be a workbook (looked at with ``stat`` only)."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise WorkbookMissingError("no such workbook", file=p) from None
    except OSError as exc:
        raise NotAWorkbookError(f"cannot read: {exc.strerror}", file=p) from None
    if p.is_dir():
        raise NotAWorkbookError("is a folder, not a workbook file", file=p)
    if not stat.S_ISREG(st.st_mode):  # a pipe or device: never opened, so it cannot hang
        raise NotAWorkbookError("is not a regular file (a pipe or a device), not a workbook", file=p)
    if st.st_size == 0:
        raise NotAWorkbookError("an empty file, not an iivkit workbook", file=p)
    if not os.access(p, os.R_OK):
        raise NotAWorkbookError("cannot read: permission denied", file=p)
    return p


def unreadable(exc: sqlite3.DatabaseError, path: Path) -> NotAWorkbookError:
    if "not a database" in str(exc):
        return NotAWorkbookError("not an iivkit workbook (not an SQLite file)", file=path)
    return NotAWorkbookError(f"damaged or not a workbook ({exc})", file=path)


def format_of(conn: sqlite3.Connection, path: Path) -> int:
    """The workbook format of the database behind *conn*; refuse a foreign or newer file."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise unreadable(exc, path) from None
    if app_id != APPLICATION_ID:
        raise NotAWorkbookError("an SQLite file, but not an iivkit workbook", file=path)
    if version > SCHEMA_VERSION:
        raise NewerWorkbookError(
            f"written by a newer iivkit (workbook format {version}, this iivkit reads up to "
            f"{SCHEMA_VERSION}); upgrade iivkit to open it",
            file=path,
        )
    _check_schema(conn, path)
    return version


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Refuse a workbook whose tables were swapped for views or given triggers: iivkit never
    makes either, and a view can be a query that never ends (a class run would hang on it)."""
    try:
        conn.execute("PRAGMA trusted_schema = OFF")
        odd = conn.execute(
            "SELECT type, name FROM sqlite_master WHERE type IN ('view', 'trigger') ORDER BY name LIMIT 1"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        raise unreadable(exc, path) from None
    if odd is not None:
        raise NotAWorkbookError(
            f"holds a {odd[0]} ({odd[1]!r}) that no iivkit workbook has; refusing to read it", file=path
        )


def _stamp(path: Path) -> tuple[int, ...]:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _copy_into(source: str, memory: sqlite3.Connection) -> None:
    """Copy the database at the SQLite URI *source* into *memory*, page by page."""
    src = sqlite3.connect(source, uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    try:
        src.backup(memory)
    finally:
        src.close()


def _snapshot(path: Path) -> sqlite3.Connection:
    """A private copy in memory of the workbook at *path*, made without writing to or beside it.

    A workbook nobody has open has no ``-wal`` file and everything is in the file itself: it is
    read ``immutable`` (no locks, no ``-wal``/``-shm`` made), and read again if the file changed
    meanwhile. A workbook in use is read ``mode=ro`` through the log and index its users keep.
    A log left beside a file SQLite may not write there (read-only media, a folder that is not
    ours) is read from a private temporary copy of both.
    """
    memory = sqlite3.connect(
        ":memory:", isolation_level=None, check_same_thread=False, factory=LockedConnection
    )
    memory.row_factory = sqlite3.Row
    real = path.resolve()  # SQLite keeps the log beside the file a link points to
    uri = "file:" + quote(str(real)) + "?mode=ro"
    wal, shm = Path(f"{real}-wal"), Path(f"{real}-shm")
    try:
        for _ in range(SNAPSHOT_ATTEMPTS):
            if wal.exists():
                break
            before = _stamp(path)
            _copy_into(uri + "&immutable=1", memory)
            if not wal.exists() and _stamp(path) == before:
                return memory
        in_use = shm.exists() and os.access(shm, os.W_OK) and os.access(wal, os.W_OK)
        if in_use or open_in_this_process(path):
            _copy_into(uri, memory)
            return memory
        with tempfile.TemporaryDirectory(prefix="iivkit-read-") as tmp:
            copy = Path(tmp) / "workbook.iiv"
            shutil.copyfile(path, copy)  # safe: no connection of this process has the file open
            if wal.is_symlink() or (wal.exists() and not stat.S_ISREG(wal.stat().st_mode)):
                raise NotAWorkbookError(
                    f"its write-ahead log {wal.name} is a link or a device, not a file; refusing to read it",
                    file=path,
                )
            with contextlib.suppress(FileNotFoundError):
                shutil.copyfile(wal, f"{copy}-wal")
            _copy_into("file:" + quote(str(copy)), memory)
        return memory
    except sqlite3.DatabaseError as exc:
        memory.close()
        raise unreadable(exc, path) from None
    except OSError as exc:
        memory.close()
        raise NotAWorkbookError(f"cannot read: {exc.strerror or exc}", file=path) from None
    except BaseException:
        memory.close()
        raise


def read_snapshot(path: str | os.PathLike[str], *, migrate: bool = True) -> tuple[Path, sqlite3.Connection]:
    """The workbook at *path*, checked, and a read-only copy of it in memory (see :func:`_snapshot`).

    An older format is upgraded in the copy, never in the file.

    :param migrate: when False, an older workbook is refused instead of upgraded.
    """
    p = existing_file(path)
    conn = _snapshot(p)
    try:
        version = format_of(conn, p)
        if version < SCHEMA_VERSION:
            if not migrate:
                raise NotAWorkbookError(f"workbook format {version} needs migrating", file=p)
            conn.execute("BEGIN")
            for step in migrations.pending(version, SCHEMA_VERSION):
                migrations.MIGRATIONS[step](conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA query_only = ON")
    except BaseException:
        conn.close()
        raise
    return p, conn
