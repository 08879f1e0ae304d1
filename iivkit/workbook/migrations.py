"""Schema migrations: a registry of numbered steps, applied in order after a backup.

Each step takes the workbook from format ``n - 1`` to ``n`` inside one transaction. Its SQL is
written out literally, frozen as it was on the day it was written: the models may change
later, but an old workbook must always migrate the same way.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {}


def migration(
    target: int,
) -> Callable[[Callable[[sqlite3.Connection], None]], Callable[[sqlite3.Connection], None]]:
    """Register the step that upgrades a workbook to format *target*."""

    def register(fn: Callable[[sqlite3.Connection], None]) -> Callable[[sqlite3.Connection], None]:
        MIGRATIONS[target] = fn
        return fn

    return register


@migration(2)
def _user_question_bank_and_referrals(conn: sqlite3.Connection) -> None:
    """Format 2: the user's own question bank, nudge and check-in dates, and where a referral came from."""
    conn.execute(
        "CREATE TABLE questions (id INTEGER PRIMARY KEY, version INTEGER NOT NULL DEFAULT 1, "
        "category TEXT, text TEXT, seniority TEXT, focus_tags TEXT, tiara TEXT)"
    )
    conn.execute(
        "ALTER TABLE contacts ADD COLUMN referred_in_interview_id INTEGER "
        "REFERENCES interviews(id) DEFERRABLE INITIALLY DEFERRED"
    )
    conn.execute(
        "CREATE INDEX IF NOT EXISTS ix_contacts_referred_in_interview_id "
        "ON contacts(referred_in_interview_id)"
    )
    conn.execute("ALTER TABLE interviews ADD COLUMN nudge_sent TEXT")
    conn.execute("ALTER TABLE interviews ADD COLUMN check_ins_sent TEXT")


@migration(3)
def _contacts_other_names(conn: sqlite3.Connection) -> None:
    """Format 3: each contact's other names (nicknames, handles), which anonymising also replaces."""
    conn.execute("ALTER TABLE contacts ADD COLUMN other_names TEXT")


@migration(4)
def _organisations_motivation_and_posting(conn: sqlite3.Connection) -> None:
    """Format 4: each organisation's motivation (1-3) and job-posting signal, for the target list."""
    conn.execute("ALTER TABLE organisations ADD COLUMN motivation INTEGER")
    conn.execute("ALTER TABLE organisations ADD COLUMN posting TEXT")
    conn.execute("UPDATE organisations SET posting = 'none'")


@migration(5)
def _profile_stage_and_letters_contacts_titles(conn: sqlite3.Connection) -> None:
    """Format 5: the user's career stage, target roles and letter settings; a contact's title and
    focus tags; the advice that goes with an insight (such as an area to develop)."""
    for column in ("career_stage", "target_roles", "greeting_style", "letter_style"):
        conn.execute(f"ALTER TABLE profile ADD COLUMN {column} TEXT")
    conn.execute(
        "UPDATE profile SET target_roles = '[]', greeting_style = 'first_name', letter_style = 'full'"
    )
    conn.execute("ALTER TABLE contacts ADD COLUMN honorific TEXT")
    conn.execute("ALTER TABLE contacts ADD COLUMN focus_tags TEXT")
    conn.execute("UPDATE contacts SET honorific = '', focus_tags = '[]'")
    conn.execute("ALTER TABLE insights ADD COLUMN advice TEXT")
    conn.execute("UPDATE insights SET advice = ''")


def backup_path(path: Path, version: int) -> Path:
    """Where the copy taken before migrating from *version* goes; never an existing file."""
    candidate = path.with_name(f"{path.name}.v{version}.bak")
    n = 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.v{version}.{n}.bak")
    return candidate


def backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    """Copy the workbook, consistently, to a private backup file and return its path."""
    target = backup_path(path, version)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target


def pending(current: int, target: int) -> list[int]:
    """The steps still to apply to go from *current* to *target*."""
    return [n for n in sorted(MIGRATIONS) if current < n <= target]


def migrate(conn: sqlite3.Connection, path: Path, current: int, target: int) -> Path:
    """Back up, then apply every pending step in one transaction; return the backup's path."""
    saved = backup(conn, path, current)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for n in pending(current, target):
            MIGRATIONS[n](conn)
        conn.execute(f"PRAGMA user_version = {target}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return saved
