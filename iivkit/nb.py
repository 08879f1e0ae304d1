"""The notebook API: the one module the shipped notebooks import from.

``iivkit lab`` copies the notebooks into a user's folder and never overwrites them, so what a
notebook imports is iivkit's public face. Every name below is kept, with its meaning, across
releases; the code behind it may move between subpackages freely. (Release 0.1's notebooks
import flat module paths instead, such as ``iivkit.notebook_support``; :mod:`iivkit._moved`
keeps those working.) A notebook writes::

    from iivkit.nb import Contact, RecordForm, open_workbook, tables

    wb = open_workbook(workbook)
    RecordForm(wb, Contact, picker=True, title="Contact")
    tables.live(tables.pipeline, wb)

What is offered
---------------

Records (:mod:`iivkit.workbook.models`)
    ``Contact``, ``Finding``, ``Interview``, ``OpenQuestion``, ``Organisation``, ``Profile``.

Opening a workbook and reading parameters (:mod:`iivkit.ui.support`)
    ``open_workbook(workbook)``: the workbook a notebook works on (``None``: the folder's, or
    the demo); ``as_date(today)``: a ``today`` parameter as a date.

Forms (:mod:`iivkit.ui.forms`)
    ``RecordForm``, ``FindingsToTest``, ``PlanEditor``, ``LetterPreview``, ``DebriefForm``.

Choosing and following (:mod:`iivkit.ui.choices`, :mod:`iivkit.ui.live`)
    ``ContactChoice`` and ``InterviewChoice`` (the person or interview a notebook is about,
    with sections that follow it); ``Following`` (a section that follows any record).

Views, as modules (``tables.live(tables.pipeline, wb)``)
    ``tables`` (:mod:`iivkit.ui.tables`), ``charts`` (:mod:`iivkit.ui.charts`),
    ``guide`` (:mod:`iivkit.ui.guide`).

The exercises (:mod:`iivkit.course.exercises`, :mod:`iivkit.course.forms`)
    ``exercises``, the module (``exercises.self_check(wb, 1)``), and the exercise forms
    ``plan_editor``, ``meeting_form``, ``letter_preview`` and ``debrief_form``, which show a
    note instead of a form when the record they need is not there yet.

Report and course pages, as modules
    ``report_data`` and ``report_html`` (:mod:`iivkit.reports.data`, :mod:`iivkit.reports.html`)
    for the debrief report; ``course_data`` and ``course_html`` (:mod:`iivkit.course.data`,
    :mod:`iivkit.course.html`) for the class summary and a student's feedback page.

Modules stay namespaces, functions are names
--------------------------------------------

Where a notebook calls many functions of one concept (tables, charts, report and course
pages, exercise checks), that concept is offered as its module, so a cell reads
``tables.live(tables.findings, wb)`` and says where each piece comes from, and a new table is
offered without a new name here. Classes and the few functions a cell calls on their own
(``open_workbook``, ``RecordForm``, ``plan_editor``) are offered by name. Those were the
notebooks' own spellings in release 0.1, so moving them onto this module changed only their
import lines.

Adding to this module is a promise: a name in ``__all__`` stays. ``tests/test_nb_api.py``
checks that the shipped notebooks import iivkit only through here, and only names listed here.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iivkit.course import data as course_data
    from iivkit.course import exercises
    from iivkit.course import html as course_html
    from iivkit.course.forms import debrief_form, letter_preview, meeting_form, plan_editor
    from iivkit.reports import data as report_data
    from iivkit.reports import html as report_html
    from iivkit.ui import charts, guide, tables
    from iivkit.ui.choices import ContactChoice, InterviewChoice
    from iivkit.ui.forms import DebriefForm, FindingsToTest, LetterPreview, PlanEditor, RecordForm
    from iivkit.ui.live import Following
    from iivkit.ui.support import as_date, open_workbook
    from iivkit.workbook.models import Contact, Finding, Interview, OpenQuestion, Organisation, Profile

# Each name is imported on first use, so a report kernel that takes report_data and
# report_html from here does not also load ipywidgets and every form (a fifth of a report's
# cost). The names resolve to the very objects the imports above name.
_WHERE: dict[str, tuple[str, str]] = {
    "as_date": ("iivkit.ui.support", "as_date"),
    "charts": ("iivkit.ui", "charts"),
    "Contact": ("iivkit.workbook.models", "Contact"),
    "ContactChoice": ("iivkit.ui.choices", "ContactChoice"),
    "course_data": ("iivkit.course", "data"),
    "course_html": ("iivkit.course", "html"),
    "debrief_form": ("iivkit.course.forms", "debrief_form"),
    "DebriefForm": ("iivkit.ui.forms", "DebriefForm"),
    "exercises": ("iivkit.course", "exercises"),
    "Finding": ("iivkit.workbook.models", "Finding"),
    "FindingsToTest": ("iivkit.ui.forms", "FindingsToTest"),
    "Following": ("iivkit.ui.live", "Following"),
    "guide": ("iivkit.ui", "guide"),
    "Interview": ("iivkit.workbook.models", "Interview"),
    "InterviewChoice": ("iivkit.ui.choices", "InterviewChoice"),
    "letter_preview": ("iivkit.course.forms", "letter_preview"),
    "LetterPreview": ("iivkit.ui.forms", "LetterPreview"),
    "meeting_form": ("iivkit.course.forms", "meeting_form"),
    "open_workbook": ("iivkit.ui.support", "open_workbook"),
    "OpenQuestion": ("iivkit.workbook.models", "OpenQuestion"),
    "Organisation": ("iivkit.workbook.models", "Organisation"),
    "plan_editor": ("iivkit.course.forms", "plan_editor"),
    "PlanEditor": ("iivkit.ui.forms", "PlanEditor"),
    "Profile": ("iivkit.workbook.models", "Profile"),
    "RecordForm": ("iivkit.ui.forms", "RecordForm"),
    "report_data": ("iivkit.reports", "data"),
    "report_html": ("iivkit.reports", "html"),
    "tables": ("iivkit.ui", "tables"),
}


def __getattr__(name: str) -> Any:
    try:
        package, attribute = _WHERE[name]
    except KeyError:
        raise AttributeError(f"module 'iivkit.nb' has no attribute {name!r}") from None
    module = importlib.import_module(package)
    value = (
        getattr(module, attribute)
        if hasattr(module, attribute)
        else importlib.import_module(f"{package}.{attribute}")
    )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Contact",
    "ContactChoice",
    "DebriefForm",
    "Finding",
    "FindingsToTest",
    "Following",
    "Interview",
    "InterviewChoice",
    "LetterPreview",
    "OpenQuestion",
    "Organisation",
    "PlanEditor",
    "Profile",
    "RecordForm",
    "as_date",
    "charts",
    "course_data",
    "course_html",
    "debrief_form",
    "exercises",
    "guide",
    "letter_preview",
    "meeting_form",
    "open_workbook",
    "plan_editor",
    "report_data",
    "report_html",
    "tables",
]
