"""Repeating rows for the debrief: one small form per insight, open question or referral.

A row is blank until the user types in it; a blank row is skipped on save. A row builds its
record with the model, so its rules are the model's, and shows its own error inline. A
referral typed in the debrief can be picked at once as the person to ask an open question:
the dropdown lists it as :class:`NewReferral`, resolved to the new contact when it is saved.
"""

from __future__ import annotations

import dataclasses
import html
import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

import ipywidgets as w
from pydantic import ValidationError

from iivkit.ui.forms.fields import BLANK, button, enum_label
from iivkit.ui.forms.pickers import reference_options, shorten
from iivkit.ui.forms.record_form import ERROR_STYLE, friendly
from iivkit.workbook.models import (
    Contact,
    ContactStatus,
    HowFound,
    Insight,
    InsightKind,
    OpenQuestion,
    Record,
)
from iivkit.workbook.store import Workbook

R = TypeVar("R", bound=Record)

_keys = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class NewReferral:
    """In the "ask" dropdown: a referral typed in this debrief, not saved yet."""

    key: int


class Row(Generic[R]):
    """One repeatable record in a list: its inputs, its error line, and how to build the record."""

    model: type[R]
    titles: ClassVar[Mapping[str, str]] = {}
    """A field's name in this row's errors, where the model's title does not fit."""

    def __init__(self, inputs: dict[str, w.Widget], record: R | None) -> None:
        self.inputs = inputs
        self.record = record
        self.error = w.HTML("")
        self.error.add_class("iiv-row-error")
        self.box = w.VBox([w.HBox(list(inputs.values())), self.error])
        self.box.add_class(f"iiv-row-{self.model.table}")
        if record is not None:
            data = record.model_dump(mode="json")
            for name, widget in inputs.items():
                widget.value = data.get(name) if data.get(name) is not None else _blank(widget)
        self._shown = {name: widget.value for name, widget in inputs.items()}

    def touched(self) -> bool:
        """True when the user changed any input since the row was filled."""
        return any(widget.value != self._shown[name] for name, widget in self.inputs.items())

    def values(self) -> dict[str, Any]:
        """The row's inputs as model data; blank text as ''."""
        return {name: widget.value for name, widget in self.inputs.items()}

    def is_blank(self) -> bool:
        """True when the user typed nothing in a new row."""
        return self.record is None and not any(
            str(widget.value).strip()
            for widget in self.inputs.values()
            if isinstance(widget, w.Text | w.Textarea)
        )

    def build(self, fixed: dict[str, Any]) -> R | None:
        """The record this row describes, or None (and an inline error) if it is invalid."""
        self.show_error(None)
        base = self.record.model_dump() if self.record is not None else {}
        try:
            return self.model.model_validate({**base, **fixed, **self.values()})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else ""
            title = self.titles.get(field) or (
                self.model.model_fields[field].title if field in self.model.model_fields else field
            )
            self.show_error(f"{title}: {friendly(first['msg'])}")
            return None

    def changed(self, candidate: R) -> bool:
        """True if saving *candidate* would change the workbook."""
        return self.record is None or candidate.model_dump() != self.record.model_dump()

    def show_error(self, message: str | None) -> None:
        """Show *message* under the row, or clear it."""
        self.error.value = f"<span style='{ERROR_STYLE}'>⚠ {html.escape(message)}</span>" if message else ""


def _blank(widget: w.Widget) -> Any:
    return "" if isinstance(widget, w.Text | w.Textarea) else None


def _text(placeholder: str, width: str, *, area: bool = False) -> w.Widget:
    cls = w.Textarea if area else w.Text
    # Sent on leaving the box, like every form's text (see fields.py): a quick Save loses nothing.
    return cls(value="", placeholder=placeholder, continuous_update=False, layout=w.Layout(width=width))


GROWTH_KINDS = (InsightKind.strength, InsightKind.development)
"""Insight kinds the debrief records in their own list, "Your strengths and areas to develop"."""


class InsightRow(Row[Insight]):
    """Something learned: its kind and the insight in the user's words."""

    model = Insight

    def __init__(self, wb: Workbook, record: Insight | None = None) -> None:
        kind = w.Dropdown(
            options=[(enum_label(k), k.value) for k in InsightKind if k not in GROWTH_KINDS],
            value=InsightKind.insight.value,
            layout=w.Layout(width="10em"),
        )
        super().__init__(
            {"kind": kind, "text": _text("What you learned, in your own words", "40em", area=True)}, record
        )


class GrowthRow(Row[Insight]):
    """A strength the person saw in the user, or an area to develop with the advice given for it.

    The advice box shows only for an area to develop; what it holds is kept either way.
    """

    model = Insight
    titles: ClassVar[Mapping[str, str]] = {"text": "Strength or area to develop"}

    def __init__(self, wb: Workbook, record: Insight | None = None) -> None:
        kind = w.Dropdown(
            options=[("Strength", InsightKind.strength.value), ("To develop", InsightKind.development.value)],
            value=InsightKind.strength.value,
            layout=w.Layout(width="10em"),
        )
        self.advice = _text("Their advice on it", "24em", area=True)
        super().__init__(
            {
                "kind": kind,
                "text": _text("In a few words, the same each time", "20em"),
                "advice": self.advice,
            },
            record,
        )
        kind.observe(lambda _: self._show_advice(), names="value")
        self._show_advice()

    def _show_advice(self) -> None:
        shown = self.inputs["kind"].value == InsightKind.development.value
        self.advice.layout.display = "" if shown else "none"


def ask_options(wb: Workbook, referrals: Iterable[tuple[NewReferral, str]] = ()) -> list[tuple[str, Any]]:
    """Whom to ask: nobody yet, each contact, and each referral typed in this debrief."""
    return [
        (f"Ask: {BLANK}", None),
        *reference_options(wb, "contacts"),
        *((f"New referral: {shorten(name, 40)}", key) for key, name in referrals),
    ]


class OpenQuestionRow(Row[OpenQuestion]):
    """A question still open, how the user could get it answered, and whom to ask."""

    model = OpenQuestion

    def __init__(self, wb: Workbook, record: OpenQuestion | None = None) -> None:
        ask = w.Dropdown(options=ask_options(wb), layout=w.Layout(width="16em"))
        self.ask = ask
        super().__init__(
            {
                "text": _text("The question", "22em"),
                "how_to_answer": _text("How to answer it: which person or source", "22em"),
                "suggested_contact_id": ask,
            },
            record,
        )

    @property
    def pending(self) -> NewReferral | None:
        """The unsaved referral chosen as the person to ask, if one is."""
        value = self.ask.value
        return value if isinstance(value, NewReferral) else None

    def values(self) -> dict[str, Any]:
        data = super().values()
        if isinstance(data["suggested_contact_id"], NewReferral):
            data["suggested_contact_id"] = None  # filled in once the referral is saved
        return data


def org_options(wb: Workbook) -> list[tuple[str, Any]]:
    """Where a referral works: not known yet, or one of the organisations."""
    return [(f"Organisation: {BLANK}", None), *reference_options(wb, "organisations")]


class ReferralRow(Row[Contact]):
    """Someone the interviewee suggested: saved as a new contact, referred by them."""

    model = Contact

    def __init__(self, wb: Workbook, record: Contact | None = None) -> None:
        self.key = NewReferral(next(_keys))
        org = w.Dropdown(options=org_options(wb), layout=w.Layout(width="16em"))
        self.organisation = org
        super().__init__(
            {
                "name": _text("Name", "14em"),
                "role": _text("Role", "12em"),
                "organisation_id": org,
                "email": _text("Email (optional)", "14em"),
            },
            record,
        )

    def values(self) -> dict[str, Any]:
        data = super().values()
        data["email"] = data["email"].strip() or None
        return data

    def build(self, fixed: dict[str, Any]) -> Contact | None:
        if self.record is None:
            fixed = {**fixed, "how_found": HowFound.referral, "status": ContactStatus.identified}
        return super().build(fixed)


class RowList(Generic[R]):
    """A titled list of rows with an "Add another" button; starts with one blank row."""

    def __init__(self, title: str, make: Callable[[R | None], Row[R]], records: list[R], hint: str) -> None:
        self.make = make
        self.rows: list[Row[R]] = [make(r) for r in records]
        self.on_add: list[Callable[[Row[R]], None]] = []
        self.add_button = button("Add another", css="iiv-add-row", icon="plus")
        self.add_button.on_click(lambda _: self.add())
        self.list = w.VBox([r.box for r in self.rows])
        self.box = w.VBox(
            [
                w.HTML(f"<h4>{html.escape(title)}</h4><i style='color:#555'>{html.escape(hint)}</i>"),
                self.list,
                w.HBox([self.add_button]),  # in a column, a button would stretch across the page
            ]
        )
        self.add()

    def add(self) -> Row[R]:
        """Append a blank row and return it."""
        row = self.make(None)
        self.rows.append(row)
        self.list.children = [r.box for r in self.rows]
        for callback in self.on_add:
            callback(row)
        return row
