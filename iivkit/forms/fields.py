"""One form control per model field, chosen from the field's type and hints.

The record models say everything a form needs: the title is the label, the description the
help text, ``json_schema_extra`` a ``widget`` hint or the table a ``references`` field points
at. :func:`control_for` turns one such field into a :class:`FieldControl`: the input widget,
its label and help, and an error line under it that a failed save fills in.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import types
import typing
from collections.abc import Callable
from enum import Enum
from typing import Any

import ipywidgets as w
from pydantic.fields import FieldInfo

from ..models import LONG_MAX, Record
from ..store import Workbook
from .pickers import reference_options

BLANK = "—"
"""The option that means 'none chosen' in a dropdown."""

LABEL_WIDTH = "11em"


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
    label: str, *, on_save: Callable[[], Any], on_reload: Callable[[], Any], primary: bool = True
) -> tuple[w.Button, w.Button, w.HTML]:
    """Every form's Save button, its Reload button (hidden until a save is refused as stale)
    and its status line, wired to *on_save* and *on_reload*."""
    save = w.Button(description=label, button_style="primary" if primary else "", icon="check")
    save.add_class("iiv-save")
    reload = w.Button(
        description="Reload", icon="refresh", button_style="warning", layout=w.Layout(display="none")
    )
    reload.add_class("iiv-reload")
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
    """

    def __init__(
        self,
        name: str,
        info: FieldInfo,
        widget: w.Widget,
        *,
        get: Callable[[], Any] | None = None,
        set: Callable[[Any], None] | None = None,
    ) -> None:
        self.name = name
        self.info = info
        self.widget = widget
        self._get = get or (lambda: widget.value)
        self._set = set or self._default_set
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
                w.HBox([w.Label("", layout=w.Layout(width=LABEL_WIDTH)), w.VBox([self.help, self.error])]),
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


def control_for(wb: Workbook, model: type[Record], name: str) -> FieldControl:
    """The control for field *name* of *model*, with pickers filled from *wb*."""
    info = model.model_fields[name]
    base, optional = _unwrap(info.annotation)
    extra = _extra(info)
    wide = w.Layout(width="36em")

    if "references" in extra:
        options = [(BLANK, None), *reference_options(wb, str(extra["references"]))]
        dd = _dropdown(options)
        return FieldControl(name, info, dd, set=_set_choice(dd))

    if isinstance(base, type) and issubclass(base, Enum):
        options = [(enum_label(m), m.value) for m in base]
        if optional or info.is_required():
            options.insert(0, (BLANK, None))
        dd = _dropdown(options)
        return FieldControl(name, info, dd, set=_set_choice(dd))

    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        item, _ = _unwrap(item)
        allowed = [m.value for m in item] if isinstance(item, type) and issubclass(item, Enum) else []
        tags = w.TagsInput(value=[], allowed_tags=allowed, allow_duplicates=False, layout=wide)

        def set_tags(value: Any) -> None:
            tags.value = [
                v.value if isinstance(v, Enum) else v.isoformat() if isinstance(v, dt.date) else str(v)
                for v in (value or [])
            ]

        return FieldControl(name, info, tags, get=lambda: list(tags.value), set=set_tags)

    if base is bool:
        box = w.Checkbox(value=False, indent=False)
        return FieldControl(name, info, box, set=lambda v: setattr(box, "value", bool(v)))

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

    # Everything else is text: names, emails, links, phone numbers, free text.
    length = _max_length(info)
    if extra.get("widget") == "textarea" or (length is not None and length >= LONG_MAX):
        rows = 6 if extra.get("widget") == "textarea" else 3
        area = w.Textarea(value="", rows=rows, layout=w.Layout(width="36em"))
        return FieldControl(name, info, area, get=_text_get(area, optional=optional), set=_text_set(area))
    text = w.Text(value="", layout=wide)
    return FieldControl(name, info, text, get=_text_get(text, optional=optional), set=_text_set(text))
