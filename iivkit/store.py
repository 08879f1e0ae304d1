"""The workbook: one SQLite file per person, holding every record.

A :class:`Workbook` opens the file with foreign keys on, write-ahead logging and a busy
timeout, so two notebooks or processes can share it. Every write runs in one transaction:
either all of it lands or none. Updates carry the version the caller read; a save from a stale
copy is refused with :class:`~iivkit.errors.StaleRecordError` instead of silently overwriting
someone else's change.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from pydantic import ValidationError

from . import changes, migrations
from .errors import (
    NewerWorkbookError,
    NotAWorkbookError,
    RecordInUseError,
    RecordNotFound,
    StaleRecordError,
    ValidationFailed,
    WorkbookExistsError,
    WorkbookMissingError,
)
from .models import BY_TABLE, RECORD_TYPES, Profile, Record
from .schema import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    current_ddl,
    data_fields,
    from_row,
    is_list_field,
    to_row,
)

R = TypeVar("R", bound=Record)

BUSY_TIMEOUT_S = 30.0
_SQLITE_MAGIC = b"SQLite format 3\x00"


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

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._depth = 0
        self._touched: set[str] = set()

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
    def open(cls, path: str | os.PathLike[str], *, migrate: bool = True) -> Workbook:
        """Open an existing workbook, migrating an older one after backing it up.

        :param migrate: when False, an older workbook is refused instead of migrated.
        """
        p = Path(path)
        if not p.exists():
            raise WorkbookMissingError("no such workbook", file=p)
        if p.is_dir():
            raise NotAWorkbookError("is a folder, not a workbook file", file=p)
        try:
            with p.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise NotAWorkbookError(f"cannot read: {exc.strerror}", file=p) from None
        if head != _SQLITE_MAGIC:
            raise NotAWorkbookError("not an iivkit workbook (not an SQLite file)", file=p)
        # No write-ahead log yet: switching it on rewrites the header of a file that may not be ours.
        conn = cls._connect(p, wal=False)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise NotAWorkbookError(f"damaged or not a workbook ({exc})", file=p) from None
        if app_id != APPLICATION_ID:
            conn.close()
            raise NotAWorkbookError("an SQLite file, but not an iivkit workbook", file=p)
        if version > SCHEMA_VERSION:
            conn.close()
            raise NewerWorkbookError(
                f"written by a newer iivkit (workbook format {version}, this iivkit reads up to "
                f"{SCHEMA_VERSION}); upgrade iivkit to open it",
                file=p,
            )
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise NotAWorkbookError(f"damaged or not a workbook ({exc})", file=p) from None
        wb = cls(p, conn)
        if version < SCHEMA_VERSION:
            if not migrate:
                conn.close()
                raise NotAWorkbookError(f"workbook format {version} needs migrating", file=p)
            migrations.migrate(wb.conn, p, version, SCHEMA_VERSION)
        return wb

    @staticmethod
    def _connect(path: Path, *, wal: bool = True) -> sqlite3.Connection:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if wal:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise NotAWorkbookError(f"damaged or not a workbook ({exc})", file=path) from None
        return conn

    def close(self) -> None:
        """Close the file. The workbook object cannot be used afterwards."""
        self.conn.close()

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

        References are checked before commit, and any error rolls everything back.
        """
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
        changes.notify(self.path, self._touched)

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
        return [self._load(model, dict(r)) for r in self.conn.execute(sql, params)]

    def count(self, model: type[Record]) -> int:
        """How many records of a type there are."""
        return int(self.conn.execute(f"SELECT COUNT(*) FROM {model.table}").fetchone()[0])

    def _load(self, model: type[R], row: dict[str, Any]) -> R:
        try:
            return model.model_validate(from_row(model, row))
        except ValidationError as exc:
            raise validation_error(exc, record=f"{model.label} {row.get('id')}", file=self.path) from None

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
        """All records of a type as a DataFrame indexed by id; list fields hold lists."""
        df = pd.read_sql_query(f"SELECT * FROM {model.table} ORDER BY id", self.conn, index_col="id")
        for name, info in model.model_fields.items():
            if name in df.columns and is_list_field(info):
                df[name] = [json.loads(v) if v else [] for v in df[name]]
        return df

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity and foreign-key checks; empty when the file is sound."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for table, rowid, parent, _ in self.conn.execute("PRAGMA foreign_key_check"):
            problems.append(f"{BY_TABLE[table].label} {rowid} refers to a missing {BY_TABLE[parent].label}")
        return problems
