"""The debrief form: everything one interview taught, saved in one transaction.

It has an answer box per planned question, an outcome toggle and note per tested finding, the
interview's salary, environment and chances notes, the strengths and areas to develop the person
saw (with their advice on each area), insights, open questions (each with how to
answer it and whom to ask, a referral typed here included) and referrals, which become contacts
referred by the interviewee. Every part is validated before anything is written; a problem
anywhere writes nothing. A save puts the user's changes on top of the records as they are now;
only a field changed both here and elsewhere is a conflict, shown with a button to keep either.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
from pydantic import ValidationError

from iivkit.errors import IivkitError
from iivkit.method.dates import long_date, long_datetime
from iivkit.ui.forms.conflicts import Clash, ConflictPanel

# tested_findings, OutcomeRow and OUTCOME_OPTIONS stay importable from here, where they were first.
from iivkit.ui.forms.debrief_parts import (
    OutcomeRow,
    Write,
    merge_onto_current,
    put_outcome,
    put_row,
    put_value,
    rebase_on,
    rebase_planned,
    still_ahead,
    tested_findings,
)
from iivkit.ui.forms.fields import FIT, FieldControl, control_for, enum_label, save_controls
from iivkit.ui.forms.record_form import ERROR_STYLE, NOTE_STYLE, OK_STYLE, friendly
from iivkit.ui.forms.rows import (
    GROWTH_KINDS,
    GrowthRow,
    InsightRow,
    NewReferral,
    OpenQuestionRow,
    ReferralRow,
    Row,
    RowList,
    ask_options,
    org_options,
)
from iivkit.ui.forms.sync import close_tree, follow, replace_children, set_options
from iivkit.workbook.models import (
    Contact,
    ContactStatus,
    FindingOutcome,
    Insight,
    Interview,
    InterviewStatus,
    OpenQuestion,
    PlannedQuestion,
)
from iivkit.workbook.store import Workbook

INTERVIEW_FIELDS = ("salary_info", "environment_info", "chances_feedback", "next_questions")
BEFORE_INTERVIEW = (ContactStatus.identified, ContactStatus.invited, ContactStatus.confirmed)
FOLLOWS = (
    "interviews",
    "contacts",
    "organisations",
    "planned_questions",
    "findings",
    "finding_outcomes",
    "insights",
    "open_questions",
)
"""The tables the debrief shows records of."""


class _Conflicted(Exception):
    """Raised inside the save's transaction to write nothing when a field clashes."""


class DebriefForm:
    """The debrief of interview *interview_id*; ``.widget`` to show, ``.save()`` to save."""

    def __init__(self, wb: Workbook, interview_id: int) -> None:
        self.wb = wb
        self.interview_id = interview_id
        self.save_button, self.reload_button, self.status = save_controls(
            "Save debrief", on_save=self.save, on_reload=self.reload
        )
        self.conflicts = ConflictPanel()
        self.warning = w.HTML("")
        self.warning.add_class("iiv-warning")
        self.body = w.VBox([])
        self.widget = w.VBox(
            [
                self.warning,
                self.body,
                w.HBox([self.save_button, self.reload_button]),
                self.conflicts.box,
                self.status,
            ]
        )
        self.widget.add_class("iiv-form-debrief")
        self._saving = False
        self._pending: list[Write] = []
        self.mark_debriefed = w.Checkbox(
            value=True,
            description="Mark the interview debriefed (and the contact interviewed)",
            indent=False,
            style={"description_width": "initial"},
            layout=w.Layout(**FIT),
        )
        self.mark_debriefed.add_class("iiv-mark-debriefed")
        self._mark = True
        """What the *mark debriefed* box held when the debrief was loaded or saved."""
        self._seen: tuple[tuple[str, int | None, int], ...] = ()
        self.reload()
        self.stop_following = follow(wb, FOLLOWS, self._changed, self.widget)

    # -- building ------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the interview and everything recorded about it again from the workbook.

        The widgets shown before are closed; the *mark debriefed* box and its choice are kept.
        """
        wb, iid = self.wb, self.interview_id
        self._mark = bool(self.mark_debriefed.value)
        self.interview = wb.get(Interview, iid)
        self.contact = wb.get(Contact, self.interview.contact_id)
        self.planned = sorted(
            wb.all(PlannedQuestion, interview_id=iid), key=lambda q: (q.position, q.id or 0)
        )
        self.answers = {q.id: self._answer_box(q) for q in self.planned}
        existing = {o.finding_id: o for o in wb.all(FindingOutcome, interview_id=iid)}
        self.outcomes = {
            f.id: OutcomeRow(f, existing.get(f.id or 0)) for f in tested_findings(wb, iid) if f.id is not None
        }
        self.fields: dict[str, FieldControl] = {n: control_for(wb, Interview, n) for n in INTERVIEW_FIELDS}
        for name, control in self.fields.items():
            control.value = getattr(self.interview, name)
        self._shown_fields = {n: c.value for n, c in self.fields.items()}
        insights = wb.all(Insight, interview_id=iid)
        self.growth = RowList(
            "Your strengths and areas to develop",
            lambda r: GrowthRow(wb, r),
            [i for i in insights if i.kind in GROWTH_KINDS],
            "What they saw as your strengths, and what you still need to develop, often said in answer "
            "to the question about your chances. Name each in a few words, the same words each time, "
            "so that 05_track can add them up across interviews; note their advice on each area to "
            "develop.",
        )
        self.insights = RowList(
            "Insights and advice",
            lambda r: InsightRow(wb, r),
            [i for i in insights if i.kind not in GROWTH_KINDS],
            "What you learned: insights, advice, hiring signals, in your own words.",
        )
        self.open_questions = RowList(
            "Open questions",
            lambda r: OpenQuestionRow(wb, r),
            wb.all(OpenQuestion, interview_id=iid),
            "What is still unanswered, and how you think you could get it answered (which person or "
            "source). A referral you add below can be picked as the person to ask straight away.",
        )
        self.referrals = RowList(
            "Referrals",
            lambda r: ReferralRow(wb, r),
            wb.all(Contact, referred_in_interview_id=iid),
            f"People {self.contact.name} suggested you talk to: each becomes a contact referred by them.",
        )
        for row in self.referrals.rows:
            self._watch_referral(row)
        self.referrals.on_add.append(self._watch_referral)
        self.open_questions.on_add.append(lambda _: self._refresh_ask())
        self._refresh_ask()
        self._seen = self._shown_records()
        replace_children(self.body, self._sections())
        self.reload_button.layout.display = "none"
        self.conflicts.clear()
        self._warn_if_ahead()
        self._say(f"Debrief of your interview with {self.contact.name}.", style=NOTE_STYLE)

    def _answer_box(self, q: PlannedQuestion) -> w.Textarea:
        box = w.Textarea(
            value=q.answer,
            placeholder="What they said",
            rows=3,
            continuous_update=False,
            layout=w.Layout(width="40em"),
        )
        box.add_class(f"iiv-answer-{q.id}")
        return box

    def _warn_if_ahead(self) -> None:
        if still_ahead(self.interview):
            assert self.interview.scheduled_at is not None
            when = long_datetime(self.interview.scheduled_at)
            self.warning.value = (
                "<div style='color:#8a5300;border-left:4px solid #e0a000;padding:4px 8px'>"
                f"<b>This meeting is still ahead</b>: it is set for {html.escape(when)} "
                f"({html.escape(self.interview.timezone)}). You can note things down now; a debrief "
                "is usually written just after the meeting. If it already took place, correct its "
                "date in 02_prepare.</div>"
            )
        else:
            self.warning.value = ""

    def _sections(self) -> list[w.Widget]:
        when = long_date(self.interview.scheduled_at.date()) if self.interview.scheduled_at else "no date"
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
            self.growth.box,
            self.insights.box,
            self.open_questions.box,
            self.referrals.box,
            self.mark_debriefed,
        ]

    # -- referrals as people to ask --------------------------------------------------------

    def _watch_referral(self, row: Row[Contact]) -> None:
        row.inputs["name"].observe(lambda _: self._refresh_ask(), names="value")

    def _typed_referrals(self) -> list[tuple[NewReferral, str]]:
        return [
            (row.key, row.inputs["name"].value.strip())
            for row in self.referrals.rows
            if isinstance(row, ReferralRow) and row.record is None and row.inputs["name"].value.strip()
        ]

    def _refresh_ask(self) -> None:
        """List the contacts, and each referral typed so far, as people to ask."""
        options = ask_options(self.wb, self._typed_referrals())
        for row in self.open_questions.rows:
            if isinstance(row, OpenQuestionRow):
                set_options(row.ask, options)

    # -- staying in step -------------------------------------------------------------------

    def edited(self) -> bool:
        """True when the user changed anything since the debrief was loaded or saved."""
        return (
            any(self.answers[q.id].value != q.answer for q in self.planned)
            or any(r.touched() for r in self.outcomes.values())
            or any(c.value != self._shown_fields[n] for n, c in self.fields.items())
            or bool(self.mark_debriefed.value) != self._mark
            or any(
                r.touched()
                for rows in (self.growth, self.insights, self.open_questions, self.referrals)
                for r in rows.rows
            )
        )

    def _shown_records(self) -> tuple[tuple[str, int | None, int], ...]:
        """Each record the debrief shows, with its version: what a rebuild would read again."""
        wb, iid = self.wb, self.interview_id
        interview = wb.get(Interview, iid)
        records: list[Any] = [
            interview,
            wb.get(Contact, interview.contact_id),
            *wb.all(PlannedQuestion, interview_id=iid),
            *wb.all(FindingOutcome, interview_id=iid),
            *tested_findings(wb, iid),
            *wb.all(Insight, interview_id=iid),
            *wb.all(OpenQuestion, interview_id=iid),
            *wb.all(Contact, referred_in_interview_id=iid),
        ]
        return tuple((r.table, r.id, r.version) for r in records)

    def _changed(self, tables: frozenset[str]) -> None:
        """A save elsewhere: show it all again, or, with unsaved edits, add what is new."""
        if self._saving:
            return
        if not self.edited() and self._shown_records() != self._seen:
            status = self.status.value
            self.reload()
            self.status.value = status
            return
        self._refresh_ask()
        orgs = org_options(self.wb)
        for row in self.referrals.rows:
            if isinstance(row, ReferralRow):
                set_options(row.organisation, orgs)
        if not self.edited():
            return  # nothing the debrief shows changed: only the lists of names were refreshed
        added = self._add_new_parts()
        self._say(
            "The workbook changed elsewhere; your unsaved debrief is kept"
            + (f", and {added} new part(s) were added to it." if added else ".")
            + " Save it to keep your notes.",
            style=NOTE_STYLE,
        )

    def _add_new_parts(self) -> int:
        """Add planned questions and tested findings saved elsewhere, keeping every edit."""
        added = 0
        known = {q.id for q in self.planned}
        for q in self.wb.all(PlannedQuestion, interview_id=self.interview_id):
            if q.id not in known:
                self.planned.append(q)
                self.answers[q.id] = self._answer_box(q)
                added += 1
        self.planned.sort(key=lambda q: (q.position, q.id or 0))
        for f in tested_findings(self.wb, self.interview_id):
            if f.id is not None and f.id not in self.outcomes:
                self.outcomes[f.id] = OutcomeRow(f, None)
                added += 1
        if added:
            replace_children(self.body, self._sections())
        return added

    # -- saving --------------------------------------------------------------------------

    def _say(self, text: str, *, style: str) -> None:
        self.status.value = f"<span style='{style}'>{html.escape(text)}</span>"

    def _collect(self) -> list[Write] | None:
        """Every record to write, validated; None if anything is invalid (errors shown inline)."""
        ok = True
        writes: list[Write] = []
        iid = self.interview_id
        for n, q in enumerate(self.planned, 1):
            box = self.answers[q.id]
            if box.value != q.answer:
                writes.append(
                    Write(
                        q.model_copy(update={"answer": box.value}),
                        q,
                        f"answer-{q.id}",
                        f"Answer to question {n}",
                        rebase=rebase_planned(self.planned),
                        put=put_value(box),
                    )
                )
        for fid, orow in self.outcomes.items():
            orow.error.value = ""
            if not orow.wanted():
                continue
            data: dict[str, Any] = {
                "interview_id": iid,
                "finding_id": fid,
                "outcome": orow.toggle.value,
                "note": orow.note.value,
            }
            base = orow.record.model_dump() if orow.record else {}
            try:
                outcome = FindingOutcome.model_validate({**base, **data})
            except ValidationError as exc:
                message = friendly(exc.errors()[0]["msg"])
                orow.error.value = f"<span style='{ERROR_STYLE}'>⚠ {html.escape(message)}</span>"
                ok = False
                continue
            if orow.record is None or outcome.model_dump() != orow.record.model_dump():
                writes.append(
                    Write(
                        outcome,
                        orow.record,
                        f"outcome-{fid}",
                        f"Finding {fid}",
                        rebase=rebase_on(orow),
                        put=put_outcome(orow),
                    )
                )
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
                writes.append(
                    Write(
                        interview,
                        self.interview,
                        "interview",
                        "The interview",
                        rebase=lambda r: setattr(self, "interview", r),
                        put=self._put_interview,
                        names=list(INTERVIEW_FIELDS),
                        force=lambda _current: (
                            {"status": InterviewStatus.debriefed} if self.mark_debriefed.value else {}
                        ),
                    )
                )
        if self.mark_debriefed.value and self.contact.status in BEFORE_INTERVIEW:
            writes.append(
                Write(
                    self.contact.model_copy(update={"status": ContactStatus.interviewed}),
                    self.contact,
                    "contact",
                    self.contact.name,
                    rebase=lambda r: setattr(self, "contact", r),
                    names=[],
                    force=lambda current: (
                        {"status": ContactStatus.interviewed}
                        if getattr(current, "status", None) in BEFORE_INTERVIEW
                        else {}
                    ),
                )
            )
        rows: list[tuple[Row[Any], dict[str, Any]]] = [
            *((r, {"interview_id": iid}) for r in (*self.growth.rows, *self.insights.rows)),
            *(
                (r, {"referred_by_id": self.contact.id, "referred_in_interview_id": iid})
                for r in self.referrals.rows
            ),
            *((r, {"interview_id": iid}) for r in self.open_questions.rows),  # after the referrals
        ]
        for row, fixed in rows:
            row.show_error(None)
            if row.is_blank():
                continue
            record = row.build(fixed)
            if record is None:
                ok = False
            elif row.changed(record) or (isinstance(row, OpenQuestionRow) and row.pending):
                writes.append(
                    Write(
                        record,
                        row.record,
                        f"{row.model.table}-{row.record.id if row.record else 'new'}",
                        f"{row.model.label.capitalize()} {row.record.id}" if row.record else row.model.label,
                        rebase=rebase_on(row),
                        put=put_row(row),
                        referral=row.pending if isinstance(row, OpenQuestionRow) else None,
                        key=row.key if isinstance(row, ReferralRow) and row.record is None else None,
                    )
                )
        return writes if ok else None

    def _put_interview(self, name: str, value: Any) -> None:
        if name in self.fields:
            self.fields[name].value = value
        elif name == "status":
            self.mark_debriefed.value = value == InterviewStatus.debriefed

    def save(self) -> bool:
        """Validate everything, then write it in one transaction; return True if saved."""
        self.reload_button.layout.display = "none"
        self.conflicts.clear()
        writes = self._collect()
        if writes is None:
            self._say("Not saved: fix the problems marked ⚠ above. Nothing was written.", style=ERROR_STYLE)
            return False
        clashes: list[tuple[Write, Clash]] = []
        written = 0
        self._saving = True
        try:
            with self.wb.transaction():
                referral_ids: dict[NewReferral, int | None] = {}
                for write in writes:
                    record = write.record
                    if write.referral is not None:
                        record = record.model_copy(
                            update={"suggested_contact_id": referral_ids.get(write.referral)}
                        )
                    if write.base is not None and write.base.id is not None:
                        merged = merge_onto_current(self.wb, write, record, clashes)
                        if merged is None:
                            continue
                        record = merged
                    saved = self.wb.save(record)
                    written += 1
                    if write.key is not None:
                        referral_ids[write.key] = saved.id
                if clashes:
                    raise _Conflicted
        except _Conflicted:
            self._show_conflicts(clashes)
            return False
        except IivkitError as exc:
            self._say(f"Not saved: {exc}. Nothing was written.", style=ERROR_STYLE)
            return False
        finally:
            self._saving = False
        self.reload()
        self._say(f"Saved the debrief: {written} record(s) written.", style=OK_STYLE)
        return True

    def _show_conflicts(self, clashes: list[tuple[Write, Clash]]) -> None:
        """Show each clash with both values; once each is settled, save again."""
        by_key = {clash.field: (write, clash) for write, clash in clashes}

        def keep(choice: Clash, mine: bool) -> None:
            write, clash = by_key[choice.field]
            name = clash.field.removeprefix(f"{write.slug}-")
            assert write.base is not None
            write.base = write.base.model_copy(update={name: clash.theirs})
            write.rebase(write.base)
            if not mine:
                write.put(name, clash.theirs)
            self.conflicts.settle(choice.field)
            if not self.conflicts.open:
                self.save()

        self.conflicts.show([clash for _, clash in clashes], keep)
        self.status.value = (
            f"<div style='{ERROR_STYLE}'><b>Not saved: part of this debrief was also changed elsewhere"
            "</b>, in the same place as you. Nothing was written. Choose which version to keep for "
            "each, above; the rest of your debrief is kept. <i>Reload</i> drops all your changes.</div>"
        )
        self.reload_button.layout.display = ""

    def close(self) -> None:
        """Stop following the workbook and take the form off the page."""
        self.stop_following()
        close_tree(self.widget)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
