"""The question-plan editor: the planner's suggestions, grouped by category, to tick and order.

The editor starts from the interview's saved plan, or from :func:`iivkit.method.planner.plan` when
there is none, and offers a few more bank questions per category unticked. The user ticks,
moves questions up and down within their category, adds their own, and sees the coverage
check update as they go. Saving writes the ticked questions as the interview's plan. The
editor follows the workbook: a finding, contact or plan saved elsewhere shows at once while the
user has changed nothing here; otherwise their changes are kept and a note says so.

The printable guide shows the plan as it stands in the editor, before it is saved:
:func:`current_plan_for` gives the plan open for an interview, and :func:`on_plan_change` calls
back on every tick, move or addition.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
import weakref
from collections.abc import Callable

import ipywidgets as w

from iivkit.errors import IivkitError, StaleRecordError
from iivkit.method.bank import CATEGORY_LABELS, all_questions, fill, focus_label
from iivkit.method.planner import (
    Plan,
    PlanItem,
    coverage,
    goal_of,
    goal_relevance,
    plan,
    plan_versions,
    save_plan,
    usable,
)
from iivkit.ui.forms.defaults import default_timezone
from iivkit.ui.forms.fields import button, enum_label, save_controls
from iivkit.ui.forms.record_form import ERROR_STYLE, NOTE_STYLE, OK_STYLE
from iivkit.ui.forms.sync import close_tree, follow, replace_children
from iivkit.workbook.models import Category, Contact, Interview, InterviewStatus, PlannedQuestion
from iivkit.workbook.store import Workbook

FOLLOWS = ("contacts", "organisations", "findings", "interviews", "planned_questions", "questions", "profile")
"""The tables the planner's suggestions and the saved plan come from."""

OWN_REASON = "your own question"

_OPEN: dict[tuple[str, int], weakref.ref[PlanEditor]] = {}
_LISTENERS: dict[tuple[str, int], list[Callable[[], bool]]] = {}


def _key(wb: Workbook, interview_id: int) -> tuple[str, int]:
    return (str(wb.path), interview_id)


def current_plan_for(wb: Workbook, interview_id: int) -> Plan | None:
    """The plan open in a plan editor for this interview, as ticked now; None when none is open."""
    ref = _OPEN.get(_key(wb, interview_id))
    editor = ref() if ref is not None else None
    if editor is None or editor.closed:
        return None
    return editor.current_plan()


def on_plan_change(wb: Workbook, interview_id: int, callback: Callable[[], bool]) -> None:
    """Call *callback* whenever the plan open for this interview changes in an editor.

    The callback returns False once it no longer wants to hear (its view was closed).
    """
    _LISTENERS.setdefault(_key(wb, interview_id), []).append(callback)


def _announce(wb: Workbook, interview_id: int) -> None:
    key = _key(wb, interview_id)
    _LISTENERS[key] = [callback for callback in _LISTENERS.get(key, []) if callback()]


class PlanEntry:
    """One question on offer: a tick box, its text and why, and buttons to move it."""

    def __init__(self, item: PlanItem, *, ticked: bool) -> None:
        self.item = item
        self.checkbox = w.Checkbox(value=ticked, indent=False, layout=w.Layout(width="2em"))
        self.checkbox.add_class("iiv-plan-tick")
        # Arrows as text: the app serves no icon font offline, and an icon-only button would be blank.
        self.up = button("↑", css="iiv-move-up", tooltip="Move up")
        self.down = button("↓", css="iiv-move-down", tooltip="Move down")
        why = f"<br><small style='color:#666'>{html.escape(item.reason)} · {item.minutes} min</small>"
        self.text = w.HTML(f"{html.escape(item.text)}{why}", layout=w.Layout(width="40em"))
        self.box = w.HBox([self.checkbox, self.up, self.down, self.text])

    @property
    def ticked(self) -> bool:
        """True when the question is in the plan."""
        return bool(self.checkbox.value)


def _saved_items(wb: Workbook, saved: list[PlannedQuestion]) -> list[PlanItem]:
    bank = {q.id: q for q in all_questions(wb)}
    saved = sorted(saved, key=lambda q: (q.position, q.id or 0))
    items = []
    for q in saved:
        b = bank.get(q.source_question)
        items.append(
            PlanItem(
                category=q.category,
                text=q.text,
                reason=q.reason or "in your saved plan",
                finding_id=q.finding_id,
                source_question=q.source_question,
                minutes=b.minutes if b else 3,
                strategy=b.strategy if b else False,
                focus=b.focus if b else (),
                topics=b.topics if b else (),
                tiara=b.tiara if b else None,
            )
        )
    return items


def alternatives(wb: Workbook, suggestion: Plan, contact: Contact, per_category: int) -> list[PlanItem]:
    """A few more bank questions per category that fit the contact and the user's goal and are not
    in the plan yet."""
    used = {i.source_question for i in suggestion.items} | {i.text for i in suggestion.items}
    counts: dict[Category, int] = {}
    extra: list[PlanItem] = []
    goal = goal_of(wb)
    for q in all_questions(wb):
        if q.springboard or q.opener or q.id in used or not usable(q, contact, goal):
            continue
        text = fill(q.text, organisation=suggestion.organisation or "your organisation")
        if "{" in text or text in used or counts.get(q.category, 0) >= per_category:
            continue
        counts[q.category] = counts.get(q.category, 0) + 1
        extra.append(
            PlanItem(
                category=q.category,
                text=text,
                reason="another question from the bank",
                source_question=q.id,
                minutes=q.minutes,
                strategy=q.strategy,
                focus=q.focus,
                topics=q.topics,
                tiara=q.tiara,
                goal=goal_relevance(q, goal)[0],
            )
        )
    return extra


class PlanEditor:
    """Edit the question plan of one interview with *contact_id*.

    :param interview_id: the interview to save the plan to; when None, saving creates a
        planned interview with the contact.
    :param minutes: the length to plan for; default the interview's length (or 30).
    :param per_category: how many extra bank questions to offer, unticked, per category.
    """

    def __init__(
        self,
        wb: Workbook,
        contact_id: int,
        interview_id: int | None = None,
        *,
        minutes: int | None = None,
        per_category: int = 2,
    ) -> None:
        self.wb = wb
        self.contact_id = contact_id
        self.interview_id = interview_id
        self.per_category = per_category
        self._minutes = minutes
        self.groups = w.VBox([])
        self.summary = w.HTML()
        self.coverage = w.HTML()
        self.coverage.add_class("iiv-coverage")
        self.new_category = w.Dropdown(
            options=[(CATEGORY_LABELS[c], c.value) for c in Category], layout=w.Layout(width="16em")
        )
        self.new_text = w.Text(
            placeholder="Your own question", continuous_update=False, layout=w.Layout(width="32em")
        )
        self.add_button = button("Add question", css="iiv-add-question", icon="plus")
        self.add_button.on_click(lambda _: self.add(self.new_category.value, self.new_text.value))
        self.add_error = w.HTML()
        self.save_button, self.reload_button, self.status = save_controls(
            "Save plan", on_save=self.save, on_reload=self.reload
        )
        # After a refused save: keep this plan (save it over the other) or take the saved one.
        self.keep_mine = button("Keep my plan", css="iiv-keep-mine", button_style="info")
        self.keep_theirs = button("Keep the saved plan", css="iiv-keep-theirs")
        self.keep_mine.on_click(lambda _: self._keep_mine())
        self.keep_theirs.on_click(lambda _: self.reload())
        self.choose = w.HBox([self.keep_mine, self.keep_theirs], layout=w.Layout(display="none"))
        self.choose.add_class("iiv-conflicts")
        self.widget = w.VBox(
            [
                self.summary,
                self.groups,
                w.HTML("<b>Add your own question</b>"),
                w.HBox([self.new_category, self.new_text, self.add_button]),
                self.add_error,
                self.coverage,
                w.HBox([self.save_button, self.reload_button]),
                self.choose,
                self.status,
            ]
        )
        self.widget.add_class("iiv-plan-editor")
        self._saving = False
        self.closed = False
        self.reload()
        self.stop_following = follow(wb, FOLLOWS, self._changed, self.widget)
        self._register()

    def _register(self) -> None:
        if self.interview_id is not None:
            _OPEN[_key(self.wb, self.interview_id)] = weakref.ref(self)
            _announce(self.wb, self.interview_id)

    # -- building --------------------------------------------------------------------------

    def reload(self) -> None:
        """Start again from the saved plan (or the planner's suggestion)."""
        self.contact = self.wb.get(Contact, self.contact_id)
        interview = self.wb.get(Interview, self.interview_id) if self.interview_id is not None else None
        self.minutes = self._minutes or (interview.duration_minutes if interview else 30)
        self.suggestion = plan(self.wb, self.contact_id, self.minutes)
        records = (
            self.wb.all(PlannedQuestion, interview_id=self.interview_id)
            if self.interview_id is not None
            else []
        )
        # What the plan was when opened: a save refuses to overwrite anyone's change since.
        self.loaded_versions = {q.id: q.version for q in records if q.id is not None}
        saved = _saved_items(self.wb, records)
        offered = saved or list(self.suggestion.items)
        texts = {i.text for i in offered}
        unticked = [i for i in self.suggestion.items if i.text not in texts] if saved else []
        unticked += [
            i
            for i in alternatives(self.wb, self.suggestion, self.contact, self.per_category)
            if i.text not in texts
        ]
        self.entries: dict[Category, list[PlanEntry]] = {c: [] for c in Category}
        for item in offered:
            self._append(item, ticked=True)
        for item in unticked:
            self._append(item, ticked=False)
        self.reload_button.layout.display = "none"
        self.choose.layout.display = "none"
        self._opened = self._state()
        source = "your saved plan" if saved else "the planner's suggestion"
        self.status.value = f"<span style='color:#555'>Started from {source}.</span>"
        self._redraw()

    def _append(self, item: PlanItem, *, ticked: bool) -> PlanEntry:
        entry = PlanEntry(item, ticked=ticked)
        entry.checkbox.observe(lambda _: self._refresh(), names="value")
        entry.up.on_click(lambda _: self.move(entry, -1))
        entry.down.on_click(lambda _: self.move(entry, +1))
        self.entries[item.category].append(entry)
        return entry

    def _redraw(self) -> None:
        children: list[w.Widget] = []
        for cat, entries in self.entries.items():
            if entries:
                children.append(
                    w.HTML(f"<h4 style='margin:8px 0 2px'>{html.escape(CATEGORY_LABELS[cat])}</h4>")
                )
                children.extend(e.box for e in entries)
        replace_children(self.groups, children)  # closes the entries a reload replaced
        self._refresh()

    # -- staying in step -------------------------------------------------------------------

    def _state(self) -> list[tuple[str, str, bool]]:
        return [(cat.value, e.item.text, e.ticked) for cat in Category for e in self.entries[cat]]

    def edited(self) -> bool:
        """True when the user ticked, moved or added anything since the plan was opened."""
        return self._state() != self._opened

    def _changed(self, tables: frozenset[str]) -> None:
        if self._saving:
            return
        if not self.edited():
            self.reload()
            self.status.value = f"<span style='{NOTE_STYLE}'>Updated from the workbook.</span>"
            return
        self.status.value = (
            f"<span style='{NOTE_STYLE}'>The workbook changed elsewhere (findings, the contact or the "
            "plan). Your changes here are kept: save them, or press <i>Reload</i> to start again from "
            "what is saved now.</span>"
        )
        self.reload_button.layout.display = ""

    # -- editing ---------------------------------------------------------------------------

    def move(self, entry: PlanEntry, delta: int) -> None:
        """Move *entry* up (-1) or down (+1) within its category."""
        entries = self.entries[entry.item.category]
        i = entries.index(entry)
        j = i + delta
        if 0 <= j < len(entries):
            entries[i], entries[j] = entries[j], entries[i]
            self._redraw()

    def add(self, category: Category | str, text: str) -> PlanEntry | None:
        """Add the user's own question, ticked, at the end of its category."""
        text = " ".join(text.split())
        if not text:
            self.add_error.value = f"<span style='{ERROR_STYLE}'>⚠ Type the question first.</span>"
            return None
        self.add_error.value = ""
        entry = self._append(PlanItem(category=Category(category), text=text, reason=OWN_REASON), ticked=True)
        self.new_text.value = ""
        self._redraw()
        return entry

    def current_plan(self) -> Plan:
        """The ticked questions as a plan, in category order."""
        items = tuple(e.item for cat in Category for e in self.entries[cat] if e.ticked)
        return dataclasses.replace(self.suggestion, items=items)

    def _refresh(self) -> None:
        current = self.current_plan()
        self.summary.value = (
            f"<b>{len(current.items)} questions</b> for {html.escape(self.contact.name)} "
            f"({enum_label(self.contact.seniority)}, {focus_label(self.contact.focus_area)}): "
            + (
                f"about {current.total_minutes} of {current.minutes} minutes."
                if current.total_minutes <= current.minutes
                else f"about {current.total_minutes} minutes, more than the {current.minutes} you have: "
                "untick some or plan more time."
            )
            + " Tick the questions you want to ask."
        )
        gaps = coverage(current, self.wb, self.contact_id)
        if gaps:
            items = "".join(f"<li>{html.escape(g.message)}</li>" for g in gaps)
            self.coverage.value = f"<div style='color:#8a5300'><b>Coverage check:</b><ul>{items}</ul></div>"
        else:
            self.coverage.value = f"<span style='{OK_STYLE}'><b>Coverage check:</b> nothing missing.</span>"
        if self.interview_id is not None and not getattr(self, "closed", True):
            _announce(self.wb, self.interview_id)

    # -- saving ----------------------------------------------------------------------------

    def save(self) -> list[PlannedQuestion] | None:
        """Save the ticked questions as the interview's plan; None if the save was refused."""
        self.reload_button.layout.display = "none"
        self.choose.layout.display = "none"
        current = self.current_plan()
        if not current.items:
            self.status.value = f"<span style='{ERROR_STYLE}'>Not saved: tick at least one question.</span>"
            return None
        self._saving = True
        try:
            with self.wb.transaction():
                if self.interview_id is None:
                    created = self.wb.add(
                        Interview(
                            contact_id=self.contact_id,
                            status=InterviewStatus.planned,
                            duration_minutes=self.minutes,
                            timezone=default_timezone(self.wb),
                        )
                    )
                    interview_id = created.id
                else:
                    interview_id = self.interview_id
                assert interview_id is not None
                saved = save_plan(self.wb, interview_id, current, expected=self.loaded_versions)
                loaded = plan_versions(self.wb, interview_id)  # in the same transaction as the save
        except StaleRecordError as exc:
            self._show_conflict(exc, current)
            return None
        except IivkitError as exc:
            self.status.value = f"<span style='{ERROR_STYLE}'>Not saved: {html.escape(str(exc))}</span>"
            return None
        finally:
            self._saving = False
        self.interview_id = interview_id
        self._register()
        self.loaded_versions = loaded
        self._opened = self._state()
        self.status.value = (
            f"<span style='{OK_STYLE}'>Saved the plan: {len(current.items)} questions "
            f"(interview {interview_id}).</span>"
        )
        return saved

    def _show_conflict(self, exc: StaleRecordError, mine: Plan) -> None:
        """Say the save was refused, show the plan saved meanwhile beside this one, offer Reload."""
        assert self.interview_id is not None
        theirs = _saved_items(self.wb, self.wb.all(PlannedQuestion, interview_id=self.interview_id))
        rows = "".join(
            f"<tr><td>{n}</td>"
            f"<td>{html.escape(a.text) if a else ''}</td>"
            f"<td>{html.escape(b.text) if b else ''}</td></tr>"
            for n, (a, b) in enumerate(itertools.zip_longest(mine.items, theirs), start=1)
        )
        self.status.value = (
            f"<div style='{ERROR_STYLE}'><b>Not saved: {html.escape(exc.message.split(';')[0])}.</b> "
            "Keep yours (it replaces the one saved meanwhile) or the saved one; nothing is retyped.</div>"
            "<table class='iiv-conflict'><tr><th>No.</th><th>Yours (not saved)</th>"
            f"<th>In the workbook now</th></tr>{rows}</table>"
        )
        self.reload_button.layout.display = ""
        self.choose.layout.display = ""

    def _keep_mine(self) -> None:
        """Save this plan over the one saved meanwhile: the user chose it, having seen both."""
        if self.interview_id is not None:
            self.loaded_versions = plan_versions(self.wb, self.interview_id)
        self.save()

    def close(self) -> None:
        """Stop following the workbook and take the form off the page."""
        self.closed = True
        if self.interview_id is not None:
            _announce(self.wb, self.interview_id)
        self.stop_following()
        close_tree(self.widget)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
