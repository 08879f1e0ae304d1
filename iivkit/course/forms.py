"""The forms the exercise notebooks show, or a note saying what to do first.

An exercise notebook works on whatever the workbook holds. When the record a form needs is not
there yet (no senior generalist to plan for, no interview to write letters for), the cell
shows a short note instead of failing, so every exercise runs top to bottom, also headless.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from iivkit.course.exercises import ROLES, plan_interview
from iivkit.workbook.models import Contact, Interview
from iivkit.workbook.store import Workbook


def _note(text: str) -> Any:
    from IPython.display import Markdown

    return Markdown(f"*{text}*")


def plan_editor(wb: Workbook, contact: Contact | None, role: str) -> Any:
    """The question-plan editor for *contact* as the *role* (``generalist`` or ``specialist``)."""
    if contact is None or contact.id is None:
        return _note(f"No {ROLES[role]} among your contacts yet: add one above, and the plan appears here.")
    from iivkit.ui.forms import PlanEditor

    interview = plan_interview(wb, contact)
    return PlanEditor(wb, contact.id, interview.id if interview else None)


def meeting_form(wb: Workbook, interview: Interview | None, fields: Sequence[str]) -> Any:
    """The interview's form with *fields*; a note when there is no interview yet."""
    if interview is None or interview.id is None:
        return _note(
            "No interview yet: plan one in exercise 2, then open this exercise again "
            "(reload the page in the app, Run All in JupyterLab)."
        )
    from iivkit.ui.forms import RecordForm

    return RecordForm(wb, Interview, interview.id, fields=list(fields), title=f"Interview {interview.id}")


def letter_preview(wb: Workbook, interview: Interview | None, name: str) -> Any:
    """The letter *name* of the interview, to edit, check and save; a note when there is no interview."""
    if interview is None or interview.id is None:
        return _note("No interview yet, so no letter: plan one in exercise 2 first.")
    from iivkit.ui.forms import LetterPreview

    return LetterPreview(wb, interview.id, names=[name])


def debrief_form(wb: Workbook, interview: Interview | None) -> Any:
    """The debrief form of the interview; a note when no interview has taken place yet."""
    if interview is None or interview.id is None:
        return _note("No interview has taken place yet: set an interview's status to 'done' first.")
    from iivkit.ui.forms import DebriefForm

    return DebriefForm(wb, interview.id)
