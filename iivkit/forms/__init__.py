"""ipywidgets forms generated from the record models.

::

    fields        one control per model field: label, input, help, inline error
    pickers       dropdowns of existing records, by name
    record_form   RecordForm: new / edit a record, validated, stale saves refused
    rows          repeating rows (insights, open questions, referrals) for the debrief
    debrief_form  DebriefForm: answers, finding outcomes, insights, open questions, referrals
    plan_editor   PlanEditor: the question plan for one interview, with its coverage check
    letter_view   LetterPreview: a letter as text, its check, and its .eml download
    test_picker   FindingsToTest: tick the findings to test in interviews
"""

from __future__ import annotations

from .debrief_form import DebriefForm
from .fields import FieldControl, control_for
from .letter_view import LetterPreview
from .plan_editor import PlanEditor
from .record_form import RecordForm
from .test_picker import FindingsToTest

__all__ = [
    "DebriefForm",
    "FieldControl",
    "FindingsToTest",
    "LetterPreview",
    "PlanEditor",
    "RecordForm",
    "control_for",
]
