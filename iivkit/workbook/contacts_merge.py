"""Contacts from another tool into a workbook: organisations matched, duplicates kept out, one transaction.

:func:`import_contacts` is the whole run: read the rows (:mod:`iivkit.workbook.contacts_in`),
validate each, match organisations by name, set aside duplicates, then write everything in one
transaction, or nothing when a row is bad and ``skip_bad`` is off, or when it is a dry run.

Two contacts are the same person when they share an email address (case ignored), or a name at
the same organisation (case, spacing and Unicode form ignored); so are two organisations with the same name.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from iivkit.errors import InputFileError
from iivkit.workbook.contacts_in import KINDS, BadRow, Candidate, Source, to_candidate
from iivkit.workbook.interchange import write_into
from iivkit.workbook.models import Contact, Organisation
from iivkit.workbook.store import Workbook


def same_name(name: str) -> str:
    """The form in which two names are compared: spacing, case and Unicode form ignored, so that
    "José" typed as one character or as "e" and a combining accent is the same name."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


@dataclass(frozen=True)
class Duplicate:
    """A row not added because the person is already in the workbook, or earlier in the file."""

    line: int
    name: str
    reason: str

    def text(self, file: str | Path) -> str:
        """``Connections.csv line 9: Ann Lee: already in the workbook as contact 3 (same email)``."""
        return f"{file} line {self.line}: {self.name}: {self.reason}"


@dataclass
class ContactsImport:
    """What an import of contacts did, or would do (:attr:`written` says which)."""

    file: Path
    workbook: Path
    kind: str
    added: list[Candidate] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)
    """The organisations that are new to the workbook, in the order the file names them."""
    duplicates: list[Duplicate] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    created: bool = False
    written: bool = False

    def summary(self) -> str:
        """One line: how many contacts and organisations, into which workbook, from which file."""
        contacts = _count(len(self.added), "contact")
        organisations = _count(len(self.organisations), "new organisation")
        source = f"from {self.file} ({KINDS[self.kind]})"
        if not self.written:
            return f"Dry run: would import {contacts} and {organisations} into {self.workbook} {source}."
        into = f"a new workbook, {self.workbook}," if self.created else str(self.workbook)
        return f"Imported {contacts} and {organisations} into {into} {source}."

    def lines(self) -> list[str]:
        """The report for stdout: the summary, what a dry run would add, and the duplicates."""
        out = [self.summary()]
        if not self.written:
            out += [f"  new organisation: {name}" for name in self.organisations]
            for c in self.added:
                at = ", ".join(x for x in (c.contact.role, c.organisation) if x)
                out.append(f"  line {c.line}: {c.contact.name}" + (f" ({at})" if at else ""))
        if self.duplicates:
            out.append(f"{_count(len(self.duplicates), 'duplicate')} not added:")
            out += [f"  {d.text(self.file)}" for d in self.duplicates]
        return out


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def import_contacts(
    workbook: Path, source: Source, *, file: Path, dry_run: bool = False, skip_bad: bool = False
) -> ContactsImport:
    """Add the contacts of *source* to the workbook at *workbook*, in one transaction.

    The workbook is created if it does not exist yet (and only if the import writes). Nothing is
    written when a row is bad, unless *skip_bad*; nor in a *dry_run*, which reports the same.
    """
    result = ContactsImport(file=file, workbook=workbook, kind=source.kind, bad=list(source.bad))
    candidates: list[Candidate] = []
    for raw in source.rows:
        made = to_candidate(raw, source.how_found)
        if isinstance(made, BadRow):
            result.bad.append(made)
        else:
            candidates.append(made)
    result.bad.sort(key=lambda b: b.line)
    write = not dry_run and (skip_bad or not result.bad)
    if not write:
        if not workbook.exists():
            _plan(None, candidates, result)
            return result
        with Workbook.read(workbook) as wb:
            _plan(wb, candidates, result)
        return result

    def fill(wb: Workbook) -> ContactsImport:
        # Fresh each time: a workbook that appeared while a new one was being made is written
        # to instead, and its contacts decide anew what is a duplicate.
        done = ContactsImport(file=file, workbook=workbook, kind=source.kind, bad=list(result.bad))
        _write(wb, candidates, done)
        return done

    if not workbook.exists():
        probe = ContactsImport(file=file, workbook=workbook, kind=source.kind)
        _plan(None, candidates, probe)
        if not probe.added:  # a new workbook is made only by an import that puts something in it
            raise InputFileError(f"holds no contact to import, so {workbook} was not created", file=file)
    done, created = write_into(workbook, fill)
    done.created = created
    return done


def _write(wb: Workbook, candidates: list[Candidate], result: ContactsImport) -> None:
    with wb.transaction():
        ids = _plan(wb, candidates, result)
        for name in result.organisations:
            ids[same_name(name)] = wb.add(Organisation(name=name)).id
        wb.add_many(
            [
                c.contact.model_copy(
                    update={"organisation_id": ids[same_name(c.organisation)] if c.organisation else None}
                )
                for c in result.added
            ],
            revalidate=False,  # each came from Contact.model_validate in to_candidate
        )
        result.written = True


def _plan(wb: Workbook | None, candidates: list[Candidate], result: ContactsImport) -> dict[str, int | None]:
    """Fill *result* with the contacts and organisations to add and the duplicates; return the
    ids of the organisations already in the workbook, by :func:`same_name`."""
    ids: dict[str, int | None] = {}
    by_email: dict[str, str] = {}
    by_name: dict[tuple[str, str], str] = {}
    if wb is not None:
        orgs = wb.all(Organisation)
        for org in orgs:
            ids.setdefault(same_name(org.name), org.id)
        # Every organisation, also a second one of the same name: its contacts are duplicates too.
        names = {org.id: same_name(org.name) for org in orgs}
        for contact in wb.all(Contact):
            where = f"already in the workbook as contact {contact.id}"
            if contact.email:
                by_email.setdefault(unicodedata.normalize("NFC", contact.email).casefold(), where)
            at = names.get(contact.organisation_id, "") if contact.organisation_id else ""
            by_name.setdefault((same_name(contact.name), at), where)
    new: set[str] = set()
    for c in candidates:
        email = unicodedata.normalize("NFC", c.contact.email).casefold() if c.contact.email else None
        name = (same_name(c.contact.name), same_name(c.organisation))
        if email and email in by_email:
            result.duplicates.append(Duplicate(c.line, c.contact.name, f"{by_email[email]} (same email)"))
            continue
        if name in by_name:
            reason = f"{by_name[name]} (same name at the same organisation)"
            if not name[1]:
                reason = f"{by_name[name]} (same name, no organisation)"
            result.duplicates.append(Duplicate(c.line, c.contact.name, reason))
            continue
        if email:
            by_email[email] = f"same as line {c.line}"
        by_name[name] = f"same as line {c.line}"
        if name[1] and name[1] not in ids and name[1] not in new:
            new.add(name[1])
            result.organisations.append(" ".join(c.organisation.split()))
        result.added.append(c)
    return ids
