"""The parts of the debrief form: tested findings with their outcome rows, and the writes a
save makes, each merged per field onto the record as it is now."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import ipywidgets as w

from iivkit.ui.forms.conflicts import Clash, merge
from iivkit.ui.forms.fields import enum_label
from iivkit.ui.forms.rows import NewReferral, Row
from iivkit.workbook import views
from iivkit.workbook.models import Finding, FindingOutcome, Interview, Outcome, PlannedQuestion, Record
from iivkit.workbook.schema import data_fields
from iivkit.workbook.store import Workbook

OUTCOME_OPTIONS = [(enum_label(o), o.value) for o in Outcome]


def tested_findings(wb: Workbook, interview_id: int) -> list[Finding]:
    """Findings to report on: those marked to test, those the plan uses, and those already scored."""
    return [wb.get(Finding, i) for i in views.debrief_finding_ids(wb, interview_id)]


def still_ahead(interview: Interview, now: dt.datetime | None = None) -> bool:
    """True when the meeting's date and time are still in the future, in its own time zone."""
    if interview.scheduled_at is None:
        return False
    try:
        zone = ZoneInfo(interview.timezone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    here = (now or dt.datetime.now(dt.timezone.utc)).astimezone(zone).replace(tzinfo=None)
    return interview.scheduled_at > here


class OutcomeRow:
    """One tested finding: its claim, the outcome toggle and a note."""

    def __init__(self, finding: Finding, record: FindingOutcome | None) -> None:
        self.finding = finding
        self.record = record
        self.toggle = w.ToggleButtons(
            options=OUTCOME_OPTIONS,
            value=(record.outcome.value if record else Outcome.not_discussed.value),
            style={"button_width": "auto"},
        )
        self.toggle.add_class(f"iiv-outcome-{finding.id}")
        self.note = w.Text(
            value=record.note if record else "",
            placeholder="What exactly they said",
            continuous_update=False,
            layout=w.Layout(width="40em"),
        )
        self.error = w.HTML("")
        self.box = w.VBox(
            [
                w.HTML(f"<b>#{finding.id}</b> {html.escape(finding.claim)}"),
                self.toggle,
                self.note,
                self.error,
            ],
            layout=w.Layout(margin="0 0 8px 0"),
        )
        self._shown = (self.toggle.value, self.note.value)

    def wanted(self) -> bool:
        """True when there is something to record: an outcome, a note, or an earlier record."""
        return (
            self.record is not None
            or self.toggle.value != Outcome.not_discussed.value
            or bool(self.note.value.strip())
        )

    def touched(self) -> bool:
        """True when the user changed the outcome or the note since the row was filled."""
        return (self.toggle.value, self.note.value) != self._shown


def _nothing(*_: Any) -> None:
    return None


def _no_force(_: Record) -> dict[str, Any]:
    return {}


@dataclasses.dataclass
class Write:
    """One record the debrief writes, with what it was when loaded, to merge per field."""

    record: Record
    base: Record | None
    slug: str
    """Names the record in CSS classes: ``answer-3``, ``interview``."""
    what: str
    """Names the record for the user: ``Answer to question 2``."""
    rebase: Callable[[Record], None] = _nothing
    """Makes a record the form's new baseline (what the user's changes are measured from)."""
    put: Callable[[str, Any], None] = _nothing
    """Shows a field's value in its widget."""
    names: list[str] | None = None
    """The fields the user edits here (default: all)."""
    force: Callable[[Record], dict[str, Any]] = _no_force
    """Values set on top of the current record, whatever it holds (the debriefed status)."""
    referral: NewReferral | None = None
    """For an open question: the referral typed here that it should ask."""
    key: NewReferral | None = None
    """For a new referral: the key open questions use to pick it before it is saved."""


def merge_onto_current(
    wb: Workbook, write: Write, record: Record, clashes: list[tuple[Write, Clash]]
) -> Record | None:
    """*record*'s changes on top of the record as it is now; None when nothing would change."""
    assert write.base is not None and write.base.id is not None
    model = type(record)
    current = wb.get(model, write.base.id)
    now, mine = current.model_dump(), record.model_dump()
    names = write.names if write.names is not None else data_fields(model)
    result = merge(write.base.model_dump(), mine, now, names)
    for name in result.clashes:
        title = model.model_fields[name].title or name
        clashes.append(
            (write, Clash(f"{write.slug}-{name}", f"{write.what}: {title}", mine[name], now[name]))
        )
    data = {**result.data, **write.force(current)}
    if data == now:
        return None
    return model.model_validate(data)


def rebase_planned(planned: list[PlannedQuestion]) -> Callable[[Record], None]:
    """Replace the question with *record*'s id in *planned*, wherever it sits by then.

    Found by id when called, not by position: questions added elsewhere meanwhile are sorted
    into *planned* and shift the others.
    """

    def rebase(record: Record) -> None:
        assert isinstance(record, PlannedQuestion)
        for index, question in enumerate(planned):
            if question.id == record.id:
                planned[index] = record
                return

    return rebase


def rebase_on(row: OutcomeRow | Row[Any]) -> Callable[[Record], None]:
    def rebase(record: Record) -> None:
        row.record = record

    return rebase


def put_value(widget: w.Widget) -> Callable[[str, Any], None]:
    def put(_name: str, value: Any) -> None:
        widget.value = value

    return put


def put_outcome(row: OutcomeRow) -> Callable[[str, Any], None]:
    def put(name: str, value: Any) -> None:
        if name == "outcome":
            row.toggle.value = value.value if isinstance(value, Outcome) else value
        elif name == "note":
            row.note.value = value

    return put


def put_row(row: Row[Any]) -> Callable[[str, Any], None]:
    def put(name: str, value: Any) -> None:
        widget = row.inputs.get(name)
        if widget is not None:
            widget.value = value.value if isinstance(value, Enum) else value

    return put
