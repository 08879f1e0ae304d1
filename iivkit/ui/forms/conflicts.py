"""Conflicts per field: merge a form's edits onto the record as it is now, or ask which to keep.

A form remembers each record as it loaded it. On save it reads the record again: the fields
the user changed go on top of the current record, and fields changed elsewhere are kept, so
saving a letter is never refused because the meeting time changed in another form. Only a
field changed on both sides, to different values, is a real conflict. :class:`ConflictPanel`
shows each one with both values and a button to keep either, without retyping.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any

import ipywidgets as w

from iivkit.ui.forms.fields import button, enum_label
from iivkit.ui.forms.pickers import shorten
from iivkit.ui.forms.sync import replace_children

ERROR_STYLE = "color:#b00020"


@dataclasses.dataclass(frozen=True)
class Clash:
    """One field changed both in the form and elsewhere, to different values."""

    field: str
    title: str
    mine: Any
    theirs: Any


@dataclasses.dataclass(frozen=True)
class Merge:
    """The outcome of putting a form's edits on top of the current record."""

    data: dict[str, Any]
    """The current record with the user's changes on top."""
    clashes: list[str]
    """Fields changed on both sides to different values."""
    theirs: list[str]
    """Fields changed elsewhere only, whose new values the merge keeps."""


def merge(
    base: Mapping[str, Any],
    mine: Mapping[str, Any],
    current: Mapping[str, Any],
    names: Iterable[str],
) -> Merge:
    """Put the changes from *base* to *mine* on top of *current*, field by field.

    :param names: the fields the form edits; any other field keeps its current value.
    """
    names = list(names)
    ours = {n for n in names if mine.get(n) != base.get(n)}
    theirs = {n for n in names if current.get(n) != base.get(n)}
    clashes = [n for n in names if n in ours and n in theirs and mine.get(n) != current.get(n)]
    data = {**current, **{n: mine[n] for n in ours}}
    return Merge(data=data, clashes=clashes, theirs=[n for n in names if n in theirs - ours])


def show_value(value: Any) -> str:
    """A stored value as a person reads it, on one short line."""
    if value is None or value == "" or value == []:
        return "(empty)"
    if isinstance(value, Enum):
        return enum_label(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d %b %Y %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return " · ".join(show_value(v) for v in value)
    return shorten(str(value), 200)


class ConflictPanel:
    """Each real conflict with both values and two buttons: keep mine, keep the workbook's."""

    def __init__(self) -> None:
        self.box = w.VBox([])
        self.box.add_class("iiv-conflicts")
        self.keep_mine: dict[str, w.Button] = {}
        self.keep_theirs: dict[str, w.Button] = {}
        self.rows: dict[str, w.Widget] = {}

    def show(self, clashes: list[Clash], on_keep: Callable[[Clash, bool], None]) -> None:
        """Show *clashes*; a button calls ``on_keep(clash, mine)`` with mine True or False."""
        self.clear()
        for clash in clashes:
            mine = button("Keep mine", css="iiv-keep-mine", button_style="info")
            theirs = button("Keep the workbook's", css="iiv-keep-theirs")
            mine.on_click(lambda _, c=clash: on_keep(c, True))
            theirs.on_click(lambda _, c=clash: on_keep(c, False))
            self.keep_mine[clash.field], self.keep_theirs[clash.field] = mine, theirs
            text = w.HTML(
                f"<div style='{ERROR_STYLE}'><b>{html.escape(clash.title)}</b> was also changed "
                "elsewhere.</div>"
                f"<div>Yours (not saved): <b>{html.escape(show_value(clash.mine))}</b></div>"
                f"<div>In the workbook now: <b>{html.escape(show_value(clash.theirs))}</b></div>"
            )
            row = w.VBox([text, w.HBox([mine, theirs])], layout=w.Layout(margin="4px 0 8px 0"))
            row.add_class(f"iiv-conflict-{clash.field}")
            self.rows[clash.field] = row
        self.box.children = list(self.rows.values())

    def settle(self, field: str) -> None:
        """Take away the conflict of *field*: a choice was made."""
        for found in (self.keep_mine, self.keep_theirs, self.rows):
            found.pop(field, None)
        replace_children(self.box, self.rows.values())

    def clear(self) -> None:
        """Hide every conflict (and close the widgets that showed them)."""
        replace_children(self.box, [])
        self.keep_mine, self.keep_theirs, self.rows = {}, {}, {}

    @property
    def open(self) -> list[str]:
        """The fields still waiting for a choice."""
        return list(self.rows)
