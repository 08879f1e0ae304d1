"""What the workflow notebooks need beyond forms and tables: their parameters, checked.

papermill passes parameters as given, or as text it could not translate, and warns only on
unknown names; so every notebook hands its parameters to these functions, which fill in the
defaults (the demo workbook, a sensible contact or interview) and refuse bad values with an
error that names the parameter.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from iivkit.errors import RecordNotFound, ValidationFailed, WorkbookMissingError
from iivkit.ui.error_display import install as install_error_handler
from iivkit.ui.forms.defaults import default_timezone
from iivkit.workbook import changes
from iivkit.workbook.demo import ensure_demo_workbook
from iivkit.workbook.models import Contact, ContactStatus, Interview, InterviewStatus
from iivkit.workbook.store import Workbook

UPCOMING = (InterviewStatus.planned, InterviewStatus.invited, InterviewStatus.confirmed)
TO_DEBRIEF = (InterviewStatus.done,)
ACTIVE_CONTACT = (ContactStatus.identified, ContactStatus.invited, ContactStatus.confirmed)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() in ("", "None"))


def open_workbook(workbook: object = None, *, readonly: bool = False) -> Workbook:
    """Open the notebook's workbook: the path given, else ``$IIVKIT_WORKBOOK`` (which
    ``iivkit lab`` sets to the folder's workbook), else the demo workbook, built on first use.

    :param readonly: for a page that only reads (a report): nothing is written to the file.

    In a notebook it also makes iivkit's errors (a user's mistake) show as one red line.
    """
    install_error_handler()
    changes.follow_notebook_cells()
    if _blank(workbook):
        workbook = os.environ.get("IIVKIT_WORKBOOK") or ensure_demo_workbook()
    if not isinstance(workbook, str | os.PathLike):
        raise ValidationFailed(
            f"must be the path of a workbook, not {type(workbook).__name__}",
            record="parameter",
            field="workbook",
        )
    path = Path(os.fspath(workbook)).expanduser()
    if not path.is_file():
        raise WorkbookMissingError("no such workbook (create one with 'iivkit init')", file=path)
    return Workbook.open(path, readonly=readonly)


def _record_id(value: object, name: str) -> int | None:
    """An id from an int or a string of digits; None for text that is not a number."""
    if isinstance(value, bool):
        raise ValidationFailed(f"must be a {name} id or name, not true/false", record="parameter", field=name)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, str):
        return None
    raise ValidationFailed(f"must be a {name} id or name, not {value!r}", record="parameter", field=name)


def upcoming_interview(wb: Workbook, contact_id: int) -> Interview | None:
    """The contact's interview still to happen (the latest one), or None."""
    upcoming = [i for i in wb.all(Interview, contact_id=contact_id) if i.status in UPCOMING]
    return upcoming[-1] if upcoming else None


def choose_contact(wb: Workbook, contact: object = None) -> Contact:
    """The contact to prepare for: the one given (id or exact name), or by default the first with
    an interview still to happen, else the first still in the pipeline."""
    if _blank(contact):
        interviews = [i for i in wb.all(Interview) if i.status in UPCOMING]
        if interviews:
            return wb.get(Contact, interviews[0].contact_id)
        contacts = wb.all(Contact)
        active = [c for c in contacts if c.status in ACTIVE_CONTACT] or contacts
        if not active:
            raise RecordNotFound(
                "the workbook has no contacts yet: add one in 01_research (People to talk to) or 02_prepare",
                file=wb.path,
                record="parameter",
                field="contact",
            )
        return active[0]
    number = _record_id(contact, "contact")
    if number is not None:
        if not wb.exists(Contact, number):
            raise RecordNotFound(
                f"there is no contact {number}", file=wb.path, record="parameter", field="contact"
            )
        return wb.get(Contact, number)
    named = [c for c in wb.all(Contact) if c.name.casefold() == str(contact).strip().casefold()]
    if len(named) != 1:
        problem = "no contact is" if not named else f"{len(named)} contacts are"
        raise RecordNotFound(
            f"{problem} called {contact!r}; give the contact's id instead",
            file=wb.path,
            record="parameter",
            field="contact",
        )
    return named[0]


def choose_interview(wb: Workbook, interview: object = None) -> Interview:
    """The interview to debrief: the one given (id), or by default the first that is done but not
    yet debriefed, else the latest debriefed one, else the latest one."""
    if _blank(interview):
        interviews = wb.all(Interview)
        for wanted in (TO_DEBRIEF, (InterviewStatus.debriefed,)):
            found = [i for i in interviews if i.status in wanted]
            if found:
                return found[0] if wanted is TO_DEBRIEF else found[-1]
        if not interviews:
            raise RecordNotFound(
                "the workbook has no interviews yet: plan one in 02_prepare",
                file=wb.path,
                record="parameter",
                field="interview",
            )
        return interviews[-1]
    number = _record_id(interview, "interview")
    if number is None:
        raise ValidationFailed(
            f"must be an interview id (a whole number), not {interview!r}",
            record="parameter",
            field="interview",
        )
    if not wb.exists(Interview, number):
        raise RecordNotFound(
            f"there is no interview {number}", file=wb.path, record="parameter", field="interview"
        )
    return wb.get(Interview, number)


def prepare_interview(wb: Workbook, contact: Contact) -> Interview:
    """The contact's interview still to happen; a new planned one if there is none yet."""
    found = upcoming_interview(wb, contact.id or 0)
    if found is not None:
        return found
    return wb.add(
        Interview(
            contact_id=contact.id or 0,
            status=InterviewStatus.planned,
            timezone=default_timezone(wb),
        )
    )


def as_date(value: object, name: str = "today") -> dt.date:
    """A date parameter: a date, an ISO string (``2026-03-01``), or blank for today."""
    if _blank(value):
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationFailed(f"must be a date like 2026-03-01, not {value!r}", record="parameter", field=name)
