"""One form control per model field, chosen from the field's type and hints.

The record models say everything a form needs: the title is the label, the description the
help text, ``json_schema_extra`` a ``widget`` hint or the table a ``references`` field points
at. :func:`control_for` turns one such field into a :class:`FieldControl`: the input widget,
its label and help, and an error line under it that a failed save fills in.

Text boxes send their value when they lose focus (``continuous_update=False``), not on every
key press: the browser holds back a busy widget's later updates but sends a button click at
once, so a Save pressed while the kernel is busy could otherwise read the text without its last
few characters. Clicking Save takes the focus, which sends the whole text first.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import types
import typing
from collections.abc import Callable
from enum import Enum
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import ipywidgets as w
from pydantic.fields import FieldInfo

from iivkit.ui.forms.lists import entries_html, join_entries, split_entries
from iivkit.ui.forms.pickers import reference_options
from iivkit.ui.forms.sync import label_tables, set_options
from iivkit.workbook.models import LONG_MAX, Record
from iivkit.workbook.store import Workbook

BLANK = "—"
"""The option that means 'none chosen' in a dropdown."""

LABEL_WIDTH = "11em"

FIT = {"width": "auto"}
"""Layout for a button or check box: as wide as its label, so the label is never cut."""


def button(description: str, *, css: str = "", **kwargs: Any) -> w.Button:
    """A button whose label always fits, with the CSS class *css* for tests and styling."""
    b = w.Button(description=description, layout=w.Layout(**FIT), **kwargs)
    if css:
        b.add_class(css)
    return b


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The field's stored type without ``Annotated``, and whether ``None`` is allowed."""
    optional = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(annotation))
            annotation = args[0] if len(args) == 1 else str
        else:
            return annotation, optional


def _max_length(info: FieldInfo) -> int | None:
    for meta in info.metadata:
        length = getattr(meta, "max_length", None)
        if length is not None:
            return int(length)
    # Constraints inside Annotated aliases end up on the annotation, not the field.
    args = typing.get_args(info.annotation)
    for meta in args[1:] if typing.get_origin(info.annotation) is typing.Annotated else ():
        length = getattr(meta, "max_length", None)
        if length is not None:
            return int(length)
    return None


def _extra(info: FieldInfo) -> dict[str, Any]:
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def save_controls(
    label: str,
    *,
    on_save: Callable[[], Any],
    on_reload: Callable[[], Any],
    primary: bool = True,
) -> tuple[w.Button, w.Button, w.HTML]:
    """Every form's Save button, its Reload button (hidden until a save is refused as stale)
    and its status line, wired to *on_save* and *on_reload*."""
    save = button(label, css="iiv-save", button_style="primary" if primary else "", icon="check")
    reload = button("Reload", css="iiv-reload", icon="refresh", button_style="warning")
    reload.layout.display = "none"
    status = w.HTML("")
    status.add_class("iiv-status")
    save.on_click(lambda _: on_save())
    reload.on_click(lambda _: on_reload())
    return save, reload, status


def enum_label(value: Enum | str) -> str:
    """An enum value as a person reads it: ``very_senior`` → ``very senior``."""
    raw = value.value if isinstance(value, Enum) else value
    return str(raw).replace("_", " ")


class FieldControl:
    """The widgets for one field: label, input, help text and an inline error line.

    :param get: reads the input widget's value as the plain data the model validates.
    :param set: puts a model value into the input widget.
    :param below: shown under the input, e.g. the entries a list field read from the text.
    :param check: a problem to show before the model sees the value (None when fine).
    :param references: the table a dropdown of records lists, to refresh when it changes.
    """

    def __init__(
        self,
        name: str,
        info: FieldInfo,
        widget: w.Widget,
        *,
        get: Callable[[], Any] | None = None,
        set: Callable[[Any], None] | None = None,
        below: w.Widget | None = None,
        check: Callable[[], str | None] | None = None,
        references: str | None = None,
    ) -> None:
        self.name = name
        self.info = info
        self.widget = widget
        self.references = references
        self._get = get or (lambda: widget.value)
        self._set = set or self._default_set
        self._check = check
        title = info.title or name.replace("_", " ").capitalize()
        self.label = w.HTML(
            f"<div style='line-height:1.3;padding-top:5px'><b>{html.escape(title)}</b></div>",
            layout=w.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH),
        )
        self.help = w.HTML(
            f"<span style='color:#666;font-size:90%'>{html.escape(info.description or '')}</span>"
        )
        self.error = w.HTML("", layout=w.Layout(display="none"))
        self.error.add_class("iiv-field-error")
        self.box = w.VBox(
            [
                w.HBox([self.label, widget]),
                w.HBox(
                    [
                        w.Label(
                            "",
                            layout=w.Layout(width=LABEL_WIDTH, min_width=LABEL_WIDTH),
                        ),
                        w.VBox(
                            [
                                *([below] if below is not None else []),
                                self.help,
                                self.error,
                            ]
                        ),
                    ]
                ),
            ],
            layout=w.Layout(margin="0 0 6px 0"),
        )
        self.box.add_class(f"iiv-field-{name}")

    def _default_set(self, value: Any) -> None:
        self.widget.value = value

    @property
    def value(self) -> Any:
        """The value as the model expects it."""
        return self._get()

    @value.setter
    def value(self, value: Any) -> None:
        self._set(value)

    def problem(self) -> str | None:
        """What is wrong with the value before the model sees it (None when nothing is)."""
        return self._check() if self._check is not None else None

    @property
    def tables(self) -> frozenset[str]:
        """The tables whose records this control lists (empty for a plain input)."""
        return label_tables(self.references) if self.references else frozenset()

    def refresh(self, wb: Workbook) -> None:
        """List the records of the referenced table again, keeping the record chosen."""
        if self.references and isinstance(self.widget, w.Dropdown):
            set_options(self.widget, [(BLANK, None), *reference_options(wb, self.references)])

    def show_error(self, message: str | None) -> None:
        """Show *message* under the field, or clear the error when it is None."""
        if message:
            self.error.value = f"<span style='color:#b00020'>⚠ {html.escape(message)}</span>"
            self.error.layout.display = ""
        else:
            self.error.value = ""
            self.error.layout.display = "none"

    @property
    def error_text(self) -> str:
        """The error shown, as plain text ('' when none)."""
        return html.unescape(_strip_tags(self.error.value)).removeprefix("⚠ ")


def _strip_tags(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text)


def _text_get(widget: w.Widget, *, optional: bool) -> Callable[[], Any]:
    def get() -> Any:
        text = widget.value
        return None if optional and not text.strip() else text

    return get


def _text_set(widget: w.Widget) -> Callable[[Any], None]:
    def set_(value: Any) -> None:
        widget.value = "" if value is None else str(value)

    return set_


def _list_control(name: str, info: FieldInfo, item: Any) -> FieldControl:
    """A list field as a text box taking one entry per line (or commas), with the entries shown.

    ipywidgets' TagsInput needs a key press that JupyterLab does not pass on, and glued
    entries together; a text box works everywhere.
    """
    allowed: dict[str, str] = {}
    if isinstance(item, type) and issubclass(item, Enum):
        for member in item:
            allowed[str(member.value).lower()] = str(member.value)
            allowed[enum_label(member).lower()] = str(member.value)
    hint = ", ".join(enum_label(m) for m in item) if allowed else ""
    area = w.Textarea(
        value="",
        rows=3,
        continuous_update=False,
        placeholder=f"One per line, e.g. {hint}" if hint else "One per line, or separated by commas",
        layout=w.Layout(width="36em"),
    )
    area.add_class("iiv-list")
    shown = w.HTML(entries_html([]))
    shown.add_class("iiv-list-entries")

    def get() -> list[str]:
        entries = split_entries(area.value)
        return [allowed.get(e.lower(), e) for e in entries] if allowed else entries

    def set_(value: Any) -> None:
        area.value = join_entries(
            [
                v.value if isinstance(v, Enum) else v.isoformat() if isinstance(v, dt.date) else str(v)
                for v in (value or [])
            ]
        )

    def check() -> str | None:
        if not allowed:
            return None
        unknown = [e for e in split_entries(area.value) if e.lower() not in allowed]
        if not unknown:
            return None
        return f"{', '.join(repr(u) for u in unknown)}: not one of {hint}"

    control = FieldControl(name, info, area, get=get, set=set_, below=shown, check=check)

    def show(_: Any = None) -> None:
        shown.value = entries_html(split_entries(area.value))
        control.show_error(check())

    area.observe(show, names="value")
    return control


@cache
def _zone_names() -> tuple[str, ...]:
    """Time zone names to suggest as the user types (the list of the IANA database)."""
    return tuple(sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/")))


def _dropdown(options: list[tuple[str, Any]]) -> w.Dropdown:
    return w.Dropdown(options=options, layout=w.Layout(width="24em"))


def _set_choice(widget: w.Dropdown) -> Callable[[Any], None]:
    def set_(value: Any) -> None:
        values = [v for _, v in widget.options]
        if isinstance(value, Enum):
            value = value.value
        if value not in values:
            # A record the picker does not list yet (added elsewhere): list it rather than lose it.
            widget.options = [*widget.options, (f"#{value}", value)]
        widget.value = value

    return set_


def _small_scale(info: FieldInfo) -> range | None:
    """The values of a whole-number field bounded on both sides to at most ten, else None."""
    low = next((m.ge for m in info.metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in info.metadata if getattr(m, "le", None) is not None), None)
    if low is None or high is None or not 0 < high - low + 1 <= 10:
        return None
    return range(int(low), int(high) + 1)


def control_for(wb: Workbook, model: type[Record], name: str) -> FieldControl:
    """The control for field *name* of *model*, with pickers filled from *wb*."""
    info = model.model_fields[name]
    base, optional = _unwrap(info.annotation)
    extra = _extra(info)
    wide = w.Layout(width="36em")

    if "references" in extra:
        table = str(extra["references"])
        dd = _dropdown([(BLANK, None), *reference_options(wb, table)])
        return FieldControl(name, info, dd, set=_set_choice(dd), references=table)

    if isinstance(base, type) and issubclass(base, Enum):
        options = [(enum_label(m), m.value) for m in base]
        if optional or info.is_required():
            options.insert(0, (BLANK, None))
        dd = _dropdown(options)
        return FieldControl(name, info, dd, set=_set_choice(dd))

    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        item, _ = _unwrap(item)
        return _list_control(name, info, item)

    if base is bool:
        box = w.Checkbox(value=False, indent=False, layout=w.Layout(**FIT))
        return FieldControl(name, info, box, set=lambda v: setattr(box, "value", bool(v)))

    scale = _small_scale(info)
    if base is int and scale is not None:
        # A rating such as motivation 1-3: a dropdown of its values, blank when it is optional.
        dd = _dropdown([*([(BLANK, None)] if optional else []), *((str(n), n) for n in scale)])
        return FieldControl(name, info, dd, set=_set_choice(dd))

    if base is int:
        num = w.IntText(value=0, layout=w.Layout(width="8em"))
        return FieldControl(name, info, num, set=lambda v: setattr(num, "value", int(v or 0)))

    if base is float:
        fnum = w.FloatText(value=0.0, layout=w.Layout(width="8em"))
        return FieldControl(name, info, fnum, set=lambda v: setattr(fnum, "value", float(v or 0)))

    if base is dt.datetime:
        when = w.NaiveDatetimePicker(value=None)
        return FieldControl(name, info, when)

    if base is dt.date:
        day = w.DatePicker(value=None)
        return FieldControl(name, info, day)

    if name == "timezone" and base is str:
        zone = w.Combobox(
            value="",
            options=_zone_names(),
            ensure_option=False,
            placeholder="e.g. Africa/Johannesburg",
            continuous_update=False,
        )
        return FieldControl(name, info, zone, get=_text_get(zone, optional=optional), set=_text_set(zone))

    # Everything else is text: names, emails, links, phone numbers, free text.
    length = _max_length(info)
    if extra.get("widget") == "textarea" or (length is not None and length >= LONG_MAX):
        rows = 6 if extra.get("widget") == "textarea" else 3
        area = w.Textarea(value="", rows=rows, continuous_update=False, layout=w.Layout(width="36em"))
        return FieldControl(
            name,
            info,
            area,
            get=_text_get(area, optional=optional),
            set=_text_set(area),
        )
    text = w.Text(value="", continuous_update=False, layout=wide)
    return FieldControl(name, info, text, get=_text_get(text, optional=optional), set=_text_set(text))
