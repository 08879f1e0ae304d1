"""ipywidgets forms generated from the record models.

::

    fields            one control per model field: label, input, help, inline error
    pickers           dropdowns of existing records, by name
    lists             list fields typed one entry per line (or commas), the entries read shown
    defaults          what a new record starts with (time zones from the profile or the machine)
    sync              follow the workbook's change signal; refresh dropdowns keeping the choice
    conflicts         merge edits per field onto the current record; keep mine / keep theirs
    record_form       RecordForm: add records, or edit a chosen one, merged per field
    rows              repeating rows (insights, open questions, referrals) for the debrief
    debrief_form      DebriefForm: answers, finding outcomes, insights, open questions, referrals
    debrief_parts     the debrief's outcome rows and its writes, merged per field
    plan_editor       PlanEditor: the question plan for one interview, with its coverage check
    letter_view       LetterPreview: a letter as text, its check, and its .eml download
    findings_to_test  FindingsToTest: tick the findings to test in interviews
"""

from __future__ import annotations

from iivkit.ui.forms.debrief_form import DebriefForm
from iivkit.ui.forms.fields import FieldControl, control_for
from iivkit.ui.forms.findings_to_test import FindingsToTest
from iivkit.ui.forms.letter_view import LetterPreview
from iivkit.ui.forms.plan_editor import PlanEditor
from iivkit.ui.forms.record_form import RecordForm

__all__ = [
    "DebriefForm",
    "FieldControl",
    "FindingsToTest",
    "LetterPreview",
    "PlanEditor",
    "RecordForm",
    "control_for",
]
