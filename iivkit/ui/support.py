"""What the workflow notebooks need beyond forms and tables: their parameters, checked.

papermill passes parameters as given, or as text it could not translate, and warns only on
unknown names; so every notebook hands its parameters to these functions, which fill in the
defaults (the demo workbook, a sensible contact or interview) and refuse bad values with an
error that names the parameter. How a value is read (blank, id, path, date) is
:mod:`iivkit.ui.params`.
"""

from __future__ import annotations

from iivkit.errors import RecordNotFound
from iivkit.ui.error_display import install as install_error_handler
from iivkit.ui.forms.defaults import default_timezone
from iivkit.ui.params import as_date, as_id, as_id_or_name, is_blank, workbook_path
from iivkit.workbook import changes
from iivkit.workbook.models import Contact, ContactStatus, Interview, InterviewStatus
from iivkit.workbook.store import Workbook

# as_date is read in ui.params; release 0.1's notebooks import it from here (notebook_support).
__all__ = [
    "as_date",
    "choose_contact",
    "choose_interview",
    "open_workbook",
    "prepare_interview",
    "upcoming_interview",
]

ACTIVE_CONTACT = (ContactStatus.identified, ContactStatus.invited, ContactStatus.confirmed)


def open_workbook(workbook: object = None, *, readonly: bool = False) -> Workbook:
    """Open the notebook's workbook: the path given, else ``$IIVKIT_WORKBOOK`` (which
    ``iivkit lab`` sets to the folder's workbook), else the demo workbook, built on first use.

    :param readonly: for a page that only reads (a report): nothing is written to the file.

    In a notebook it also makes iivkit's errors (a user's mistake) show as one red line.
    """
    install_error_handler()
    changes.follow_notebook_cells()
    return Workbook.open(workbook_path(workbook), readonly=readonly)


def upcoming_interview(wb: Workbook, contact_id: int) -> Interview | None:
    """The contact's interview still to happen (the latest one), or None."""
    upcoming = [i for i in wb.all(Interview, contact_id=contact_id) if i.upcoming]
    return upcoming[-1] if upcoming else None


def choose_contact(wb: Workbook, contact: object = None) -> Contact:
    """The contact to prepare for: the one given (id or exact name), or by default the first with
    an interview still to happen, else the first still in the pipeline."""
    if is_blank(contact):
        interviews = [i for i in wb.all(Interview) if i.upcoming]
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
    given = as_id_or_name(contact, "contact")
    if isinstance(given, int):
        if not wb.exists(Contact, given):
            raise RecordNotFound(
                f"there is no contact {given}", file=wb.path, record="parameter", field="contact"
            )
        return wb.get(Contact, given)
    named = [c for c in wb.all(Contact) if c.name.casefold() == given.casefold()]
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
    if is_blank(interview):
        interviews = wb.all(Interview)
        waiting = [i for i in interviews if i.status is InterviewStatus.done]
        if waiting:
            return waiting[0]
        debriefed = [i for i in interviews if i.status is InterviewStatus.debriefed]
        if debriefed:
            return debriefed[-1]
        if not interviews:
            raise RecordNotFound(
                "the workbook has no interviews yet: plan one in 02_prepare",
                file=wb.path,
                record="parameter",
                field="interview",
            )
        return interviews[-1]
    number = as_id(interview, "interview")
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
