"""A form for one record, generated from its model: new and edit modes, inline errors, safe saves.

A save validates the whole record with the model first; any problem is shown under the field
at fault and nothing is written. The workbook then writes it in one transaction, refusing a
save made from a stale copy: the form shows what changed meanwhile and offers to reload.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import ipywidgets as w
from pydantic import ValidationError
from pydantic_core import PydanticUndefined

from ..errors import IivkitError, StaleRecordError
from ..models import Record
from ..schema import data_fields
from ..store import Workbook
from .fields import FieldControl, control_for, save_controls
from .pickers import reference_options

R = TypeVar("R", bound=Record)

NEW = 0
"""The record picker's value for "a new record" (ids start at 1)."""

OK_STYLE = "color:#1b5e20"
ERROR_STYLE = "color:#b00020"


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

        self.save_button, self.reload_button, self.status = save_controls(
            f"Save {model.label}", on_save=self.save, on_reload=self.reload
        )

        self.picker: w.Dropdown | None = None
        self._syncing = False
        head: list[w.Widget] = []
        if title:
            head.append(w.HTML(f"<h3>{html.escape(title)}</h3>"))
        if picker and not model.singleton:
            self.picker = w.Dropdown(description="Record", layout=w.Layout(width="36em"))
            self._fill_picker()
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
                self.status,
            ]
        )
        self.widget.add_class(f"iiv-form-{model.table}")

    # -- modes -----------------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """``"new"`` until the record exists in the workbook, then ``"edit"``."""
        return "new" if self.record is None else "edit"

    def _fill_picker(self) -> None:
        assert self.picker is not None
        self._syncing = True
        try:
            self.picker.options = [
                (f"➕ New {self.model.label}", NEW),
                *reference_options(self.wb, self.model.table),
            ]
            self.picker.value = self.record.id if self.record is not None else NEW
        finally:
            self._syncing = False

    def _picked(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        record_id = change["new"] or None
        if record_id != (self.record.id if self.record is not None else None):
            self.load(record_id)

    def load(self, record_id: int | None) -> None:
        """Show the record *record_id* for editing, or a blank new one when it is None."""
        self.record = self.wb.get(self.model, record_id) if record_id is not None else None
        data = (
            self.record.model_dump()
            if self.record is not None
            else {n: _default(self.model.model_fields[n]) for n in self.fields}
        )
        for name, control in self.fields.items():
            control.value = data.get(name)
            control.show_error(None)
        self.reload_button.layout.display = "none"
        if self.picker is not None and self.picker.value != (record_id or NEW):
            self._syncing = True
            try:
                self.picker.value = record_id or NEW
            finally:
                self._syncing = False
        self._say(
            f"Editing {self.record.describe()}."
            if self.record
            else f"New {self.model.label}: fill it in and save.",
            style="color:#555",
        )

    def reload(self) -> None:
        """Read the record again from the workbook, discarding unsaved edits."""
        self.load(self.record.id if self.record is not None else None)

    def on_save(self, callback: Callable[[R], None]) -> None:
        """Call *callback* with the saved record after every successful save."""
        self._on_save.append(callback)

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
        try:
            candidate = self._candidate()
        except ValidationError as exc:
            self._show_validation(exc)
            return None
        try:
            saved = self.wb.update(candidate) if self.record is not None else self.wb.add(candidate)
        except StaleRecordError as exc:
            self._show_conflict(exc)
            return None
        except IivkitError as exc:
            if exc.field in self.fields:
                self.fields[exc.field].show_error(friendly(exc.message))
            self._say(f"Not saved: {exc.message}", style=ERROR_STYLE)
            return None
        self.record = saved
        if self.picker is not None:
            self._fill_picker()
        self._say(f"Saved {saved.describe()} (version {saved.version}).", style=OK_STYLE)
        for callback in self._on_save:
            callback(saved)
        return saved

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

    def _show_conflict(self, exc: StaleRecordError) -> None:
        assert self.record is not None
        rows = []
        try:
            current = self.wb.get(self.model, self.record.id or 0).model_dump()
        except IivkitError:
            current = {}
        mine = self.values
        loaded = self.record.model_dump()
        for name in self.fields:
            if current.get(name) != loaded.get(name):
                rows.append(
                    "<tr>"
                    f"<td>{html.escape(self.fields[name].info.title or name)}</td>"
                    f"<td>{html.escape(str(mine.get(name)))}</td>"
                    f"<td>{html.escape(str(current.get(name)))}</td></tr>"
                )
        changes = (
            "<table class='iiv-conflict'><tr><th>Field</th><th>Yours (not saved)</th>"
            f"<th>In the workbook now</th></tr>{''.join(rows)}</table>"
            if rows
            else ""
        )
        self.status.value = (
            f"<div style='{ERROR_STYLE}'><b>Not saved: this {self.model.label} was changed elsewhere "
            f"since you opened it</b> ({html.escape(exc.message.split(';')[0])}). Press <i>Reload</i> "
            f"to load the current version, then make your change again.</div>{changes}"
        )
        self.reload_button.layout.display = ""

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
