"""A form for one record, generated from its model: add new records or edit a chosen one.

A save validates the whole record with the model first; any problem is shown under the field
at fault and nothing is written. After a new record is added the form is ready for the next
one: editing is an explicit choice, made in the record picker. The form follows the
workbook's change signal: dropdowns list records added elsewhere at once, and fields the user
has not touched show changes saved elsewhere. A save puts the user's changes on top of the
record as it is now; only a field changed on both sides is a conflict, and the form then
shows both values with a button to keep either.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import ipywidgets as w
from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from iivkit.errors import IivkitError, RecordNotFound
from iivkit.ui.forms.conflicts import Clash, ConflictPanel, merge, show_value
from iivkit.ui.forms.defaults import form_defaults, suggestions
from iivkit.ui.forms.fields import FieldControl, control_for, save_controls
from iivkit.ui.forms.pickers import reference_options
from iivkit.ui.forms.sync import close_tree, follow, is_quiet, label_tables, quietly, set_options
from iivkit.workbook.models import Record
from iivkit.workbook.schema import data_fields
from iivkit.workbook.store import Workbook

R = TypeVar("R", bound=Record)

NEW = 0
"""The record picker's value for "a new record" (ids start at 1)."""

OK_STYLE = "color:#1b5e20"
ERROR_STYLE = "color:#b00020"
NOTE_STYLE = "color:#555"


def friendly(message: str) -> str:
    """pydantic's message without its machinery: ``Value error, not a link`` → ``not a link``."""
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message[:1].upper() + message[1:]


def _default(info: Any) -> Any:
    if info.default is not PydanticUndefined:
        return info.default
    if info.default_factory is not None:
        return info.default_factory()
    return None


class RecordForm(Generic[R]):
    """An ipywidgets form for one record of *model*.

    :param record_id: the record to edit; ``None`` starts a new one (the profile, a singleton,
        opens the existing one if there is one).
    :param fields: which fields to show, in order; default all of the model's own fields.
    :param fixed: values set by the caller and not shown, e.g. ``{"interview_id": 3}``.
    :param picker: show a dropdown to switch between "new" (value :data:`NEW`) and each
        existing record (its id).
    """

    def __init__(
        self,
        wb: Workbook,
        model: type[R],
        record_id: int | None = None,
        *,
        fields: Iterable[str] | None = None,
        fixed: Mapping[str, Any] | None = None,
        picker: bool = False,
        title: str | None = None,
    ) -> None:
        self.wb = wb
        self.model = model
        self.fixed = dict(fixed or {})
        names = list(fields) if fields is not None else data_fields(model)
        self.fields: dict[str, FieldControl] = {
            n: control_for(wb, model, n) for n in names if n not in self.fixed
        }
        self.record: R | None = None
        self._on_save: list[Callable[[R], None]] = []
        # What each field held when loaded, as the model reads it (to see what the user changed)
        # and as the widget shows it (to see what the user has touched since).
        self._base: dict[str, Any] = {}
        self._shown: dict[str, Any] = {}
        self._saving = False
        self._orphaned = False
        """True while the fields hold the text of a record deleted elsewhere (not defaults)."""

        self.save_button, self.reload_button, self.status = save_controls(
            f"Add {model.label}", on_save=self.save, on_reload=self.reload
        )
        self.conflicts = ConflictPanel()

        self.picker: w.Dropdown | None = None
        head: list[w.Widget] = []
        if title:
            head.append(w.HTML(f"<h3>{html.escape(title)}</h3>"))
        if picker and not model.singleton:
            self.picker = w.Dropdown(
                description="Record",
                options=self._picker_options(),
                value=NEW,
                style={"description_width": "initial"},
                layout=w.Layout(width="36em"),
            )
            self.picker.add_class("iiv-picker")
            self.picker.observe(self._picked, names="value")
            head.append(self.picker)

        if model.singleton and record_id is None and wb.exists(model, 1):
            record_id = 1
        self.load(record_id)
        self.widget = w.VBox(
            [
                *head,
                *(c.box for c in self.fields.values()),
                w.HBox([self.save_button, self.reload_button]),
                self.conflicts.box,
                self.status,
            ]
        )
        self.widget.add_class(f"iiv-form-{model.table}")
        tables = {model.table, "profile"}
        for control in self.fields.values():
            tables |= control.tables
        if self.picker is not None:
            tables |= label_tables(model.table)
        self.stop_following = follow(wb, tables, self._changed, self.widget)

    # -- modes -----------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """``"new"`` until the record exists in the workbook, then ``"edit"``."""
        return "new" if self.record is None else "edit"

    def _picker_options(self) -> list[tuple[str, Any]]:
        return [
            (f"New {self.model.label}…", NEW),
            *reference_options(self.wb, self.model.table),
        ]

    def _picked(self, change: dict[str, Any]) -> None:
        if self.picker is None or is_quiet(self.picker):
            return
        record_id = change["new"] or None
        if record_id != (self.record.id if self.record is not None else None):
            self.load(record_id)

    def _set_picker(self, value: int) -> None:
        if self.picker is None:
            return
        set_options(self.picker, self._picker_options())
        if self.picker.value != value:
            with quietly(self.picker):
                self.picker.value = value

    def _defaults(self) -> dict[str, Any]:
        data = {n: _default(self.model.model_fields[n]) for n in self.fields}
        data.update({k: v for k, v in form_defaults(self.wb, self.model).items() if k in self.fields})
        return data

    def _base_of(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """*data* as the model reads it, field by field (invalid defaults stay as they are)."""
        try:
            return self.model.model_validate({**data, **self.fixed}).model_dump()
        except ValidationError:
            return dict(data)

    def _show(self, record: R | None) -> None:
        """Put *record* (or a blank new one) into the fields; nothing counts as edited after."""
        self.record = record
        self._orphaned = False
        data = record.model_dump() if record is not None else self._defaults()
        if record is not None:
            data.update({k: v for k, v in suggestions(self.wb, record).items() if k in self.fields})
        for name, control in self.fields.items():
            control.value = data.get(name)
            control.show_error(None)
        self._shown = {n: c.value for n, c in self.fields.items()}
        self._base = record.model_dump() if record is not None else self._base_of(data)
        self.conflicts.clear()
        self.reload_button.layout.display = "none"
        self._set_picker((record.id or NEW) if record is not None else NEW)
        self._label_button()

    def _label_button(self) -> None:
        if self.model.singleton:
            self.save_button.description = f"Save your {self.model.label}"
        elif self.record is None:
            self.save_button.description = f"Add {self.model.label}"
        else:
            self.save_button.description = f"Save changes to {self.record.describe()}"

    def load(self, record_id: int | None) -> None:
        """Show the record *record_id* for editing, or a blank new one when it is None."""
        self._show(self.wb.get(self.model, record_id) if record_id is not None else None)
        self._say(
            f"Editing {self.record.describe()}: change it and press “{self.save_button.description}”."
            if self.record
            else f"New {self.model.label}: fill it in and press “{self.save_button.description}”.",
            style=NOTE_STYLE,
        )

    def reload(self) -> None:
        """Read the record again from the workbook, discarding unsaved edits."""
        self.load(self.record.id if self.record is not None else None)

    def on_save(self, callback: Callable[[R], None]) -> None:
        """Call *callback* with the saved record after every successful save."""
        self._on_save.append(callback)

    # -- staying in step -----------------------------------------------------------------------

    def touched(self) -> list[str]:
        """The fields the user has changed since the form was loaded or saved."""
        return [n for n, c in self.fields.items() if c.value != self._shown.get(n)]

    def _changed(self, tables: frozenset[str]) -> None:
        """A save elsewhere in this kernel: list new records, show changes in untouched fields."""
        if self._saving:
            return
        for control in self.fields.values():
            if control.tables & tables:
                control.refresh(self.wb)
        if self.picker is not None and label_tables(self.model.table) & tables:
            set_options(self.picker, self._picker_options())
        if self.record is not None and self.model.table in tables:
            self._follow_record()
        elif self.record is None and self.model.singleton and self.wb.exists(self.model, 1):
            self._follow_record(self.wb.get(self.model, 1))
        elif self.record is None and "profile" in tables and not self._orphaned:
            self._take_new_defaults()

    def _follow_record(self, current: R | None = None) -> None:
        if current is None:
            assert self.record is not None and self.record.id is not None
            try:
                current = self.wb.get(self.model, self.record.id)
            except RecordNotFound:
                gone = self.record.describe()
                self.record = None
                self._orphaned = True
                self._set_picker(NEW)
                self._label_button()
                self._say(
                    f"{gone} was deleted elsewhere; saving adds your text as a new one.",
                    style=ERROR_STYLE,
                )
                return
        if self.record is not None and current.version == self.record.version:
            return
        now = current.model_dump()
        touched = set(self.touched())
        updated, kept = [], []
        for name, control in self.fields.items():
            if now.get(name) == self._base.get(name):
                continue
            if name in touched:
                kept.append(control.info.title or name)
                continue
            control.value = now.get(name)
            self._shown[name] = control.value
            self._base[name] = now.get(name)
            updated.append(control.info.title or name)
        self.record = current
        self._set_picker(current.id or NEW)
        self._label_button()
        if updated or kept:
            text = f"{current.describe().capitalize()} was saved elsewhere."
            if updated:
                text += f" Updated here: {', '.join(updated)}."
            if kept:
                text += f" Your unsaved {', '.join(kept)} is kept; saving asks which to keep if they differ."
            self._say(text, style=NOTE_STYLE)

    def _take_new_defaults(self) -> None:
        touched = set(self.touched())
        for name, value in self._defaults().items():
            if name not in touched and self.fields[name].value != value:
                self.fields[name].value = value
                self._shown[name] = self.fields[name].value
        self._base = self._base_of(self._defaults())

    # -- values and saving -----------------------------------------------------------------

    @property
    def values(self) -> dict[str, Any]:
        """The values in the form, as the model reads them."""
        return {name: control.value for name, control in self.fields.items()}

    def _say(self, text: str, *, style: str) -> None:
        self.status.value = f"<span style='{style}'>{html.escape(text)}</span>"

    def _candidate(self) -> R:
        base = self.record.model_dump() if self.record is not None else {}
        return self.model.model_validate({**base, **self.fixed, **self.values})

    def save(self) -> R | None:
        """Validate and save; return the saved record, or None when the save was refused.

        A refused save writes nothing; the reason is shown next to the field at fault, or under
        the Save button when it concerns the whole record.
        """
        for control in self.fields.values():
            control.show_error(None)
        self.reload_button.layout.display = "none"
        problems = {n: c.problem() for n, c in self.fields.items()}
        for name, problem in problems.items():
            self.fields[name].show_error(problem)
        if any(problems.values()):
            self._say(
                "Not saved: fix the problems marked ⚠ above. Nothing was written.",
                style=ERROR_STYLE,
            )
            return None
        try:
            candidate = self._candidate()
        except ValidationError as exc:
            self._show_validation(exc)
            return None
        self._saving = True
        try:
            saved, theirs = self._write(candidate)
        except IivkitError as exc:
            if exc.field in self.fields:
                self.fields[exc.field].show_error(friendly(exc.message))
            self._say(f"Not saved: {exc.message}", style=ERROR_STYLE)
            return None
        finally:
            self._saving = False
        if saved is None:
            return None
        added = self.record is None
        if added and not self.model.singleton:
            self._show(None)
            text = (
                f"Added {saved.describe()}{self._name_of(saved)}. "
                f"The form is ready for the next new {self.model.label}."
            )
            if self.picker is not None:
                text += f" To change {saved.describe()}, pick it in the list above."
            self._say(text, style=OK_STYLE)
        else:
            self._show(saved)
            text = f"Saved {saved.describe()} (version {saved.version})."
            if theirs:
                text += f" Kept the changes made elsewhere to {', '.join(theirs)}."
            self._say(text, style=OK_STYLE)
        for callback in self._on_save:
            callback(saved)
        return saved

    def _name_of(self, record: R) -> str:
        for name in ("name", "claim", "text"):
            value = getattr(record, name, None)
            if isinstance(value, str) and value.strip():
                return f" ({show_value(value)})"
        return ""

    def _write(self, candidate: R) -> tuple[R | None, list[str]]:
        """Add *candidate*, or put its changes on the record as it is now. None on a conflict."""
        if self.record is None or self.record.id is None:
            return self.wb.add(candidate), []
        mine = candidate.model_dump()
        with self.wb.transaction():
            current = self.wb.get(self.model, self.record.id)
            result = merge(self._base, mine, current.model_dump(), self.fields)
            if result.clashes:
                self._show_conflict(result.clashes, mine, current)
                return None, []
            try:
                merged = self.model.model_validate({**result.data, **self.fixed})
            except ValidationError as exc:
                self._show_validation(exc)
                return None, []
            saved = self.wb.update(merged)
        titles = [self.fields[n].info.title or n for n in result.theirs]
        return saved, titles

    def _show_validation(self, exc: ValidationError) -> None:
        elsewhere = []
        problems = 0
        for err in exc.errors():
            loc = err["loc"]
            name = str(loc[0]) if loc else ""
            message = friendly(err["msg"])
            if len(loc) > 1:
                message = f"item {int(loc[1]) + 1}: {message}" if isinstance(loc[1], int) else message
            problems += 1
            if name in self.fields:
                control = self.fields[name]
                if not control.error_text:  # the first problem per field is the one to fix first
                    control.show_error(message)
            else:
                elsewhere.append(f"{name or 'record'}: {message}")
        summary = f"Not saved: {problems} problem(s) to fix, shown next to the fields."
        if elsewhere:
            summary += " Also: " + "; ".join(elsewhere)
        self._say(summary, style=ERROR_STYLE)

    def _show_conflict(self, clashes: list[str], mine: dict[str, Any], current: R) -> None:
        """Show each field changed both here and elsewhere, with a button to keep either value."""
        now = current.model_dump()
        self.conflicts.show(
            [Clash(n, self.fields[n].info.title or n, mine.get(n), now.get(n)) for n in clashes],
            lambda clash, keep_mine: self._keep(clash, keep_mine, current),
        )
        titles = ", ".join(self.fields[n].info.title or n for n in clashes)
        self.status.value = (
            f"<div style='{ERROR_STYLE}'><b>Not saved: this {self.model.label} was changed elsewhere "
            f"since you opened it</b>, in the same field{'s' if len(clashes) > 1 else ''} as you "
            f"({html.escape(titles)}). Choose which version to keep for each, above; the rest of your "
            "changes are kept. <i>Reload</i> drops all your changes.</div>"
        )
        self.reload_button.layout.display = ""

    def _keep(self, clash: Clash, keep_mine: bool, current: R) -> None:
        """Settle one conflict; once none is left, save."""
        name = clash.field
        self._base[name] = clash.theirs
        if not keep_mine:
            self.fields[name].value = clash.theirs
            self._shown[name] = self.fields[name].value
        self.conflicts.settle(name)
        if not self.conflicts.open:
            self.save()

    def close(self) -> None:
        """Stop following the workbook and take the form off the page."""
        self.stop_following()
        close_tree(self.widget)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
