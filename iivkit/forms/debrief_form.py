"""The debrief form: everything one interview taught, saved in one transaction.

It has an answer box per planned question, an outcome toggle and note per tested finding, the
interview's salary, environment and chances notes, insights, open questions (each with how to
answer it) and referrals, which become contacts referred by the interviewee. Every part is
validated before anything is written; a problem anywhere writes nothing.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
from pydantic import ValidationError

from ..errors import IivkitError, StaleRecordError
from ..models import (
    Contact,
    ContactStatus,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Outcome,
    PlannedQuestion,
    Record,
)
from ..store import Workbook
from .fields import FieldControl, control_for, enum_label, save_controls
from .record_form import ERROR_STYLE, OK_STYLE, friendly
from .rows import InsightRow, OpenQuestionRow, ReferralRow, RowList

INTERVIEW_FIELDS = ("salary_info", "environment_info", "chances_feedback", "next_questions")
BEFORE_INTERVIEW = (ContactStatus.identified, ContactStatus.invited, ContactStatus.confirmed)
OUTCOME_OPTIONS = [(enum_label(o), o.value) for o in Outcome]


def tested_findings(wb: Workbook, interview_id: int) -> list[Finding]:
    """Findings to report on: those marked to test, those the plan uses, and those already scored."""
    ids = {
        r[0]
        for r in wb.conn.execute(
            """
            SELECT id FROM findings WHERE to_test = 1
            UNION SELECT finding_id FROM planned_questions WHERE interview_id = ? AND finding_id IS NOT NULL
            UNION SELECT finding_id FROM finding_outcomes WHERE interview_id = ?
            """,
            (interview_id, interview_id),
        )
    }
    return [wb.get(Finding, i) for i in sorted(ids)]


class OutcomeRow:
    """One tested finding: its claim, the outcome toggle and a note."""

    def __init__(self, finding: Finding, record: FindingOutcome | None) -> None:
        self.finding = finding
        self.record = record
        self.toggle = w.ToggleButtons(
            options=OUTCOME_OPTIONS,
            value=(record.outcome.value if record else Outcome.not_discussed.value),
            style={"button_width": "8.5em"},
        )
        self.toggle.add_class(f"iiv-outcome-{finding.id}")
        self.note = w.Text(
            value=record.note if record else "",
            placeholder="What exactly they said",
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

    def wanted(self) -> bool:
        """True when there is something to record: an outcome, a note, or an earlier record."""
        return (
            self.record is not None
            or self.toggle.value != Outcome.not_discussed.value
            or bool(self.note.value.strip())
        )


class DebriefForm:
    """The debrief of interview *interview_id*; ``.widget`` to show, ``.save()`` to save."""

    def __init__(self, wb: Workbook, interview_id: int) -> None:
        self.wb = wb
        self.interview_id = interview_id
        self.save_button, self.reload_button, self.status = save_controls(
            "Save debrief", on_save=self.save, on_reload=self.reload
        )
        self.body = w.VBox([])
        self.widget = w.VBox([self.body, w.HBox([self.save_button, self.reload_button]), self.status])
        self.widget.add_class("iiv-form-debrief")
        self.reload()

    # -- building ------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the interview and everything recorded about it again from the workbook."""
        wb, iid = self.wb, self.interview_id
        self.interview = wb.get(Interview, iid)
        self.contact = wb.get(Contact, self.interview.contact_id)
        self.planned = sorted(
            wb.all(PlannedQuestion, interview_id=iid), key=lambda q: (q.position, q.id or 0)
        )
        self.answers = {
            q.id: w.Textarea(
                value=q.answer, placeholder="What they said", rows=3, layout=w.Layout(width="40em")
            )
            for q in self.planned
        }
        existing = {o.finding_id: o for o in wb.all(FindingOutcome, interview_id=iid)}
        self.outcomes = {
            f.id: OutcomeRow(f, existing.get(f.id or 0)) for f in tested_findings(wb, iid) if f.id is not None
        }
        self.fields: dict[str, FieldControl] = {n: control_for(wb, Interview, n) for n in INTERVIEW_FIELDS}
        for name, control in self.fields.items():
            control.value = getattr(self.interview, name)
        self.mark_debriefed = w.Checkbox(
            value=True,
            description="Mark the interview debriefed (and the contact interviewed)",
            indent=False,
        )
        self.insights = RowList(
            "Insights and advice",
            lambda r: InsightRow(wb, r),
            wb.all(Insight, interview_id=iid),
            "What you learned: insights, advice, hiring signals, in your own words.",
        )
        self.open_questions = RowList(
            "Open questions",
            lambda r: OpenQuestionRow(wb, r),
            wb.all(OpenQuestion, interview_id=iid),
            "What is still unanswered, and how you think you could get it answered (which person or source).",
        )
        self.referrals = RowList(
            "Referrals",
            lambda r: ReferralRow(wb, r),
            wb.all(Contact, referred_in_interview_id=iid),
            f"People {self.contact.name} suggested you talk to: each becomes a contact referred by them.",
        )
        self.body.children = self._sections()
        self.reload_button.layout.display = "none"
        self._say(f"Debrief of your interview with {self.contact.name}.", style="color:#555")

    def _sections(self) -> list[w.Widget]:
        when = self.interview.scheduled_at.strftime("%d %b %Y") if self.interview.scheduled_at else "no date"
        head = w.HTML(f"<h3>Debrief: {html.escape(self.contact.name)} · {html.escape(when)}</h3>")
        answers: list[w.Widget] = [w.HTML("<h4>Answers</h4>")]
        if not self.planned:
            answers.append(w.HTML("<i>No questions were planned for this interview (see 02_prepare).</i>"))
        for n, q in enumerate(self.planned, 1):
            answers.append(
                w.HTML(
                    f"<b>{n}.</b> <span style='color:#555'>[{enum_label(q.category)}]</span> "
                    f"{html.escape(q.text)}"
                )
            )
            answers.append(self.answers[q.id])
        tested: list[w.Widget] = [w.HTML("<h4>Tested findings</h4>")]
        if not self.outcomes:
            tested.append(w.HTML("<i>No findings are marked to test (see 01_research).</i>"))
        tested.extend(r.box for r in self.outcomes.values())
        notes = [w.HTML("<h4>Salary, environment, your chances</h4>"), *(c.box for c in self.fields.values())]
        return [
            head,
            *answers,
            *tested,
            *notes,
            self.insights.box,
            self.open_questions.box,
            self.referrals.box,
            self.mark_debriefed,
        ]

    # -- saving --------------------------------------------------------------------------

    def _say(self, text: str, *, style: str) -> None:
        self.status.value = f"<span style='{style}'>{html.escape(text)}</span>"

    def _collect(self) -> list[Record] | None:
        """Every record to write, validated; None if anything is invalid (errors shown inline)."""
        ok = True
        writes: list[Record] = []
        iid = self.interview_id
        for q in self.planned:
            if self.answers[q.id].value != q.answer:
                writes.append(q.model_copy(update={"answer": self.answers[q.id].value}))
        for fid, row in self.outcomes.items():
            row.error.value = ""
            if not row.wanted():
                continue
            data: dict[str, Any] = {
                "interview_id": iid,
                "finding_id": fid,
                "outcome": row.toggle.value,
                "note": row.note.value,
            }
            base = row.record.model_dump() if row.record else {}
            try:
                outcome = FindingOutcome.model_validate({**base, **data})
            except ValidationError as exc:
                message = friendly(exc.errors()[0]["msg"])
                row.error.value = f"<span style='{ERROR_STYLE}'>⚠ {html.escape(message)}</span>"
                ok = False
                continue
            if row.record is None or outcome.model_dump() != row.record.model_dump():
                writes.append(outcome)
        interview_data = {**self.interview.model_dump(), **{n: c.value for n, c in self.fields.items()}}
        if self.mark_debriefed.value:
            interview_data["status"] = InterviewStatus.debriefed
        for control in self.fields.values():
            control.show_error(None)
        try:
            interview = Interview.model_validate(interview_data)
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else ""
                if name in self.fields:
                    self.fields[name].show_error(friendly(err["msg"]))
            ok = False
        else:
            if interview.model_dump() != self.interview.model_dump():
                writes.append(interview)
        if self.mark_debriefed.value and self.contact.status in BEFORE_INTERVIEW:
            writes.append(self.contact.model_copy(update={"status": ContactStatus.interviewed}))
        rows: list[tuple[Any, dict[str, Any]]] = [
            *((r, {"interview_id": iid}) for r in self.insights.rows),
            *((r, {"interview_id": iid}) for r in self.open_questions.rows),
            *(
                (r, {"referred_by_id": self.contact.id, "referred_in_interview_id": iid})
                for r in self.referrals.rows
            ),
        ]
        for row, fixed in rows:
            row.show_error(None)
            if row.is_blank():
                continue
            record = row.build(fixed)
            if record is None:
                ok = False
            elif row.changed(record):
                writes.append(record)
        return writes if ok else None

    def save(self) -> bool:
        """Validate everything, then write it in one transaction; return True if saved."""
        self.reload_button.layout.display = "none"
        writes = self._collect()
        if writes is None:
            self._say("Not saved: fix the problems marked ⚠ above. Nothing was written.", style=ERROR_STYLE)
            return False
        try:
            with self.wb.transaction():
                for record in writes:
                    self.wb.save(record)
        except StaleRecordError as exc:
            self.status.value = (
                f"<div style='{ERROR_STYLE}'><b>Not saved: part of this debrief was changed elsewhere since "
                f"you opened it</b> ({html.escape(exc.record or '')}). Nothing was written. "
                "Copy any text you want to keep, press <i>Reload</i>, and make your changes again.</div>"
            )
            self.reload_button.layout.display = ""
            return False
        except IivkitError as exc:
            self._say(f"Not saved: {exc}. Nothing was written.", style=ERROR_STYLE)
            return False
        self.reload()
        self._say(f"Saved the debrief: {len(writes)} record(s) written.", style=OK_STYLE)
        return True

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
