"""The workbook: one SQLite file per person, holding every record.

A :class:`Workbook` opens the file with foreign keys on, write-ahead logging and a busy
timeout, so two notebooks or processes can share it. Every write runs in one transaction:
either all of it lands or none. Updates carry the version the caller read; a save from a stale
copy is refused with :class:`~iivkit.errors.StaleRecordError` instead of silently overwriting
someone else's change.

The file itself is only ever opened through SQLite. SQLite's locks are POSIX locks, which a
process loses on *every* descriptor of a file as soon as it closes *any* one of them, so a plain
``open()`` of the workbook while a connection is live would let another program delete the
write-ahead log under that connection. SQLite keeps the books for several connections to one
file in one process, so opening a workbook twice (Run All pressed again) is harmless.

A :class:`Workbook` may be shared between threads: one re-entrant lock guards every statement,
and a transaction holds it from start to commit.

:meth:`Workbook.read` opens a workbook for reading only, as the commands that only read do: the
file is copied into memory through SQLite, and nothing is written to it or beside it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from iivkit.errors import (
    DamagedRecordWarning,
    IivkitError,
    NotAWorkbookError,
    ReadOnlyWorkbookError,
    RecordInUseError,
    RecordNotFound,
    StaleRecordError,
    ValidationFailed,
    WorkbookExistsError,
    WorkbookMissingError,
)
from iivkit.workbook import changes, migrations
from iivkit.workbook.models import BY_TABLE, RECORD_TYPES, Profile, Record
from iivkit.workbook.opening import (
    APPLICATION_ID,
    BUSY_TIMEOUT_S,
    SCHEMA_VERSION,
    LockedConnection,
    existing_file,
    format_of,
    read_snapshot,
    register_open,
    unreadable,
    unregister_open,
)
from iivkit.workbook.schema import (
    current_ddl,
    data_fields,
    from_columns,
    from_row,
    is_list_field,
    to_row,
)
from iivkit.workbook.screen import suspect_rows

if TYPE_CHECKING:
    import pandas as pd

R = TypeVar("R", bound=Record)


def validation_error(
    exc: ValidationError, *, record: str, file: str | Path | None = None
) -> ValidationFailed:
    """Turn pydantic's error into ours, naming the first field at fault."""
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    if len(exc.errors()) > 1:
        more = len(exc.errors()) - 1
        message += f" (and {more} more {'problem' if more == 1 else 'problems'})"
    return ValidationFailed(message, file=file, record=record, field=field)


def _warn_damaged(exc: ValidationFailed) -> None:
    """Skip a stored record that does not fit its model, saying so on stderr."""
    warnings.warn(DamagedRecordWarning(exc), stacklevel=3)


@contextlib.contextmanager
def collect_damaged() -> Iterator[list[IivkitError]]:
    """Gather the damaged records skipped inside the block, instead of showing them.

    The list is filled, without repeats, when the block ends; other warnings pass through.
    """
    found: list[IivkitError] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DamagedRecordWarning)
        try:
            yield found
        finally:
            others = []
            for seen in caught:
                if isinstance(seen.message, DamagedRecordWarning):
                    if str(seen.message.error) not in map(str, found):
                        found.append(seen.message.error)
                else:
                    others.append(seen)
    for seen in others:
        warnings.warn_explicit(seen.message, seen.category, seen.filename, seen.lineno)


def _create_private_file(path: Path) -> None:
    """Create an empty file readable by its owner only; refuse to overwrite."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WorkbookExistsError("already exists; refusing to overwrite it", file=path) from None
    except OSError as exc:
        raise WorkbookMissingError(f"cannot create: {exc.strerror}", file=path) from None
    os.close(fd)
    os.chmod(path, 0o600)


class Workbook:
    """One person's workbook file. Use :meth:`create` or :meth:`open`, ideally as a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly
        """True for a workbook opened with :meth:`read`: a copy in memory that refuses saves."""
        self._lock = conn.lock if isinstance(conn, LockedConnection) else threading.RLock()
        self._depth = 0
        self._touched: set[str] = set()
        self._key = None if readonly else register_open(path)

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | os.PathLike[str]) -> Workbook:
        """Create a new, empty workbook at *path* (mode 0600); refuse if the file exists."""
        p = Path(path)
        _create_private_file(p)
        try:
            conn = cls._connect(p)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("BEGIN IMMEDIATE")
            for stmt in current_ddl():
                conn.execute(stmt)
            conn.execute(
                "INSERT INTO meta(key, value) VALUES ('pseudonym_salt', ?)", (secrets.token_hex(16),)
            )
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(OSError):
                p.unlink()
            raise
        return cls(p, conn)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, migrate: bool = True, readonly: bool = False) -> Workbook:
        """Open an existing workbook, migrating an older one after backing it up.

        :param migrate: when False, an older workbook is refused instead of migrated.
        :param readonly: open it for reading only, as :meth:`read` does.
        """
        if readonly:
            return cls.read(path, migrate=migrate)
        p = existing_file(path)
        if not (os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)):
            # SQLite keeps its log beside the file: both must be writable to save anything.
            raise ReadOnlyWorkbookError(
                "cannot be changed here: the file or its folder is read-only (read-only media, or "
                "no permission); commands that only read, such as 'iivkit check', still work",
                file=p,
            )
        # The header is read through SQLite, never with open(): see the module's docstring.
        # No write-ahead log yet: switching it on rewrites the header of a file that may not be ours.
        conn = cls._connect(p, wal=False)
        try:
            version = format_of(conn, p)
        except BaseException:
            conn.close()
            raise
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise NotAWorkbookError(f"damaged or not a workbook ({exc})", file=p) from None
        wb = cls(p, conn)
        if version < SCHEMA_VERSION:
            if not migrate:
                wb.close()
                raise NotAWorkbookError(f"workbook format {version} needs migrating", file=p)
            try:
                migrations.migrate(wb.conn, p, version, SCHEMA_VERSION)
            except BaseException:
                wb.close()
                raise
        return wb

    @classmethod
    def read(cls, path: str | os.PathLike[str], *, migrate: bool = True) -> Workbook:
        """Open a workbook for reading only; nothing is ever written to the file or beside it.

        The workbook is copied into memory through SQLite, so no ``-wal``/``-shm`` file is left
        behind and a file on read-only media opens normally. An older format is upgraded in the
        copy, never in the file. Saving through it raises
        :class:`~iivkit.errors.ReadOnlyWorkbookError`.

        :param migrate: when False, an older workbook is refused instead of upgraded.
        """
        p, conn = read_snapshot(path, migrate=migrate)
        return cls(p, conn, readonly=True)

    @staticmethod
    def _connect(path: Path, *, wal: bool = True) -> sqlite3.Connection:
        conn = sqlite3.connect(
            path,
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,
            check_same_thread=False,
            factory=LockedConnection,
        )
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if wal:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise unreadable(exc, path) from None
        return conn

    def close(self) -> None:
        """Close the file. The workbook object cannot be used afterwards."""
        with self._lock:
            self.conn.close()
            key, self._key = self._key, None
        unregister_open(key)

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Workbook({str(self.path)!r})"

    # -- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Group writes into one transaction; nested uses join the outer one.

        References are checked before commit, and any error rolls everything back. Another
        thread sharing this workbook waits until the transaction is over.
        """
        if self.readonly:
            raise ReadOnlyWorkbookError(
                "was opened read-only, so nothing can be saved through it; open it with "
                "Workbook.open to make changes",
                file=self.path,
            )
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            self.conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            self._touched = set()
            try:
                yield self.conn
                self._check_references()
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            touched = set(self._touched)
        changes.notify(self.path, touched)

    def _check_references(self) -> None:
        for table in sorted(self._touched):
            bad = self.conn.execute(f"PRAGMA foreign_key_check({table})").fetchone()
            if bad is None:
                continue
            model = BY_TABLE[table]
            fk_cols = {
                row["id"]: row["from"] for row in self.conn.execute(f"PRAGMA foreign_key_list({table})")
            }
            field = fk_cols.get(bad[3])
            value = self.conn.execute(f"SELECT {field} FROM {table} WHERE rowid = ?", (bad[1],)).fetchone()
            raise ValidationFailed(
                f"refers to {BY_TABLE[bad[2]].label} {value[0] if value else '?'}, which does not exist",
                file=self.path,
                record=f"{model.label} {bad[1]}",
                field=field,
            )

    # -- records -------------------------------------------------------------------------

    def _validated(self, record: R) -> R:
        """Re-validate, so a record built with ``model_construct`` cannot slip past the rules."""
        model = type(record)
        try:
            return model.model_validate(record.model_dump())
        except ValidationError as exc:
            raise validation_error(exc, record=record.describe(), file=self.path) from None

    def add(self, record: R) -> R:
        """Insert a new record and return it with its id and version 1.

        A record that already carries an id keeps it (as when importing), if that id is free.
        """
        record = self._validated(record)
        model = type(record)
        if model.singleton:
            record = record.model_copy(update={"id": 1})
        row = to_row(record)
        if row["id"] is None:
            del row["id"]
        row["version"] = max(1, record.version)
        cols = ", ".join(row)
        marks = ", ".join(f":{c}" for c in row)
        with self.transaction() as conn:
            self._touched.add(model.table)
            try:
                cur = conn.execute(f"INSERT INTO {model.table} ({cols}) VALUES ({marks})", row)
            except sqlite3.IntegrityError as exc:
                raise self._integrity(exc, record) from None
            new_id = cur.lastrowid
        return record.model_copy(update={"id": new_id, "version": row["version"]})

    def add_many(self, records: Sequence[R], *, revalidate: bool = True) -> int:
        """Insert new records of one type in one transaction, as :meth:`add` does, with less
        overhead per record (an import of thousands); return how many were added.

        :param revalidate: check each record again, as :meth:`add` does. Only a caller whose
            records all come straight from ``model_validate`` may pass False (an importer that
            validated every row to report the bad ones), to skip checking them twice.
        """
        if not records:
            return 0
        model = type(records[0])
        sql = ""
        with self.transaction() as conn:
            self._touched.add(model.table)
            for record in records:
                if type(record) is not model or model.singleton:
                    raise TypeError(f"add_many takes records of one type, not a profile: {record!r}")
                if revalidate:
                    record = self._validated(record)
                row = to_row(record)
                row["version"] = max(1, record.version)
                if not sql:
                    marks = ", ".join(f":{c}" for c in row)
                    sql = f"INSERT INTO {model.table} ({', '.join(row)}) VALUES ({marks})"
                try:
                    conn.execute(sql, row)
                except sqlite3.IntegrityError as exc:
                    raise self._integrity(exc, record) from None
        return len(records)

    def update(self, record: R) -> R:
        """Save changes to an existing record; refuse if it changed since *record* was read."""
        record = self._validated(record)
        model = type(record)
        if record.id is None:
            raise RecordNotFound("has no id; add it first", file=self.path, record=record.describe())
        row = to_row(record)
        sets = ", ".join(f"{c} = :{c}" for c in data_fields(model))
        with self.transaction() as conn:
            self._touched.add(model.table)
            try:
                cur = conn.execute(
                    f"UPDATE {model.table} SET {sets}, version = version + 1 "
                    "WHERE id = :id AND version = :version",
                    row,
                )
            except sqlite3.IntegrityError as exc:
                raise self._integrity(exc, record) from None
            if cur.rowcount == 0:
                found = conn.execute(
                    f"SELECT version FROM {model.table} WHERE id = ?", (record.id,)
                ).fetchone()
                if found is None:
                    raise RecordNotFound("does not exist", file=self.path, record=record.describe())
                raise StaleRecordError(
                    f"was changed elsewhere since you loaded it (you have version {record.version}, "
                    f"the workbook has version {found[0]}); reload it and make your change again",
                    file=self.path,
                    record=record.describe(),
                )
        return record.model_copy(update={"version": record.version + 1})

    def save(self, record: R) -> R:
        """Add the record if it is new, otherwise update it."""
        if record.id is None or (record.version == 0 and not self.exists(type(record), record.id)):
            return self.add(record)
        return self.update(record)

    def exists(self, model: type[Record], record_id: int) -> bool:
        """True if a record of this type has this id."""
        return (
            self.conn.execute(f"SELECT 1 FROM {model.table} WHERE id = ?", (record_id,)).fetchone()
            is not None
        )

    def get(self, model: type[R], record_id: int) -> R:
        """Read one record by id."""
        row = self.conn.execute(f"SELECT * FROM {model.table} WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise RecordNotFound("does not exist", file=self.path, record=f"{model.label} {record_id}")
        return self._load(model, dict(row))

    def all(self, model: type[R], **where: Any) -> list[R]:
        """Every record of a type, by id; keyword arguments filter on equal field values."""
        unknown = set(where) - set(model.model_fields)
        if unknown:
            raise TypeError(f"{model.__name__} has no field(s) {sorted(unknown)}")
        clause = " AND ".join(f"{k} = :{k}" for k in where)
        sql = f"SELECT * FROM {model.table}" + (f" WHERE {clause}" if clause else "") + " ORDER BY id"
        params = {k: (v.value if hasattr(v, "value") else v) for k, v in where.items()}
        records = []
        for row in self.conn.execute(sql, params):
            try:
                records.append(self._load(model, dict(row)))
            except ValidationFailed as exc:
                _warn_damaged(exc)
        return records

    def count(self, model: type[Record]) -> int:
        """How many records of a type there are."""
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {model.table}").fetchone()[0])

    def _load(self, model: type[R], row: dict[str, Any]) -> R:
        """One stored row as a record; a value that does not fit raises :class:`ValidationFailed`."""
        record = f"{model.label} {row.get('id')}"
        try:
            return model.model_validate(from_row(model, row))
        except ValidationError as exc:
            raise validation_error(exc, record=record, file=self.path) from None
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, file=self.path, record=record, field=exc.field) from None

    def referrers(self, model: type[Record], record_id: int) -> dict[str, list[int]]:
        """Records that point at this one, as ``{"interview.contact_id": [ids]}``."""
        found: dict[str, list[int]] = {}
        for other in RECORD_TYPES:
            for field, table in other.references().items():
                if table != model.table:
                    continue
                ids = [
                    r[0]
                    for r in self.conn.execute(
                        f"SELECT id FROM {other.table} WHERE {field} = ? ORDER BY id", (record_id,)
                    )
                ]
                if other is model:
                    ids = [i for i in ids if i != record_id]
                if ids:
                    found[f"{other.label}.{field}"] = ids
        return found

    def delete(self, model: type[Record], record_id: int, *, version: int | None = None) -> None:
        """Delete a record; refuse while others refer to it, or if *version* is stale."""
        name = f"{model.label} {record_id}"
        with self.transaction() as conn:
            self._touched.add(model.table)
            row = conn.execute(f"SELECT version FROM {model.table} WHERE id = ?", (record_id,)).fetchone()
            if row is None:
                raise RecordNotFound("does not exist", file=self.path, record=name)
            if version is not None and row[0] != version:
                raise StaleRecordError(
                    f"was changed elsewhere (you have version {version}, the workbook has {row[0]}); "
                    "reload before deleting",
                    file=self.path,
                    record=name,
                )
            refs = self.referrers(model, record_id)
            if refs:
                listed = "; ".join(
                    f"{key.split('.')[0]} {', '.join(map(str, ids))} (via {key.split('.')[1]})"
                    for key, ids in refs.items()
                )
                raise RecordInUseError(
                    f"cannot be deleted: it is referred to by {listed}. Remove or change those first",
                    file=self.path,
                    record=name,
                )
            conn.execute(f"DELETE FROM {model.table} WHERE id = ?", (record_id,))

    def _integrity(self, exc: sqlite3.IntegrityError, record: Record) -> ValidationFailed:
        text = str(exc)
        field = None
        if "UNIQUE" in text:
            cols = [c.split(".")[-1] for c in text.split(":", 1)[-1].split(",")]
            field = cols[-1].strip() if cols else None
            message = f"a {record.label} with the same {' and '.join(c.strip() for c in cols)} already exists"
            if text.endswith(".id"):
                field, message = "id", f"id {record.id} is already taken"
        else:
            message = text
        return ValidationFailed(message, file=self.path, record=record.describe(), field=field)

    # -- profile and metadata ------------------------------------------------------------

    def profile(self) -> Profile | None:
        """The user's profile, or None before it is filled in."""
        rows = self.all(Profile)
        return rows[0] if rows else None

    def meta(self, key: str) -> str | None:
        """A workbook-level setting."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a workbook-level setting."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
            self._touched.add("meta")

    # -- frames --------------------------------------------------------------------------

    def frame(self, model: type[Record]) -> pd.DataFrame:
        """All records of a type as a DataFrame indexed by id; list fields hold lists.

        A record that no longer fits its model is left out with a warning. Whole columns are
        checked at once (:mod:`iivkit.workbook.screen`); only the rows those checks cannot vouch
        for are validated one by one.
        """
        import pandas as pd  # here, not at the top: most commands never make a frame

        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: quicker to turn into columns
        stored = cursor.execute(f"SELECT * FROM {model.table} ORDER BY id").fetchall()
        columns = [d[0] for d in cursor.description]
        if not stored:
            return pd.DataFrame.from_records([], columns=columns, index="id")
        data = dict(zip(columns, map(list, zip(*stored, strict=True)), strict=True))
        seen, suspects = from_columns(model, data, len(stored))
        suspects |= suspect_rows(model, seen, len(stored))
        damaged: set[int] = set()
        for n in sorted(suspects):
            try:
                self._load(model, dict(zip(columns, stored[n], strict=True)))
            except ValidationFailed as exc:
                _warn_damaged(exc)
                damaged.add(n)
        lists = {n for n, info in model.model_fields.items() if n in columns and is_list_field(info)}
        out = {c: seen[c] if c in lists else data.get(c, []) for c in columns}
        if damaged:
            out = {c: [v for n, v in enumerate(values) if n not in damaged] for c, values in out.items()}
        ids = pd.Index(out.pop("id"), name="id")
        return pd.DataFrame(out, columns=[c for c in columns if c != "id"], index=ids)

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks; empty when the file is sound."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{BY_TABLE[table].label} {rowid} refers to a missing {BY_TABLE[parent].label}")
        return problems
