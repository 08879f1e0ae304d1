"""The "which one" at the top of a notebook: the contact to prepare for, the interview to debrief.

A choice is a dropdown that follows the workbook (a contact added anywhere in the kernel appears
at once) and a set of :class:`~iivkit.ui.live.LiveSection` parts that rebuild for the chosen record.
With nothing to choose yet, each part says what to do first instead of failing, and the first
record saved makes the whole notebook come alive without a re-run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from iivkit.ui.live import LiveSection, css_name
from iivkit.ui.params import is_blank
from iivkit.ui.support import choose_contact, choose_interview, prepare_interview
from iivkit.workbook import changes
from iivkit.workbook.models import Contact, Interview
from iivkit.workbook.store import Workbook

NO_CONTACT = (
    "<p><b>No contact yet.</b> Add the person you want to talk to in the contact form "
    "(here, or in 01_research under <i>People to talk to</i>); this step then prepares for them.</p>"
)
NO_CONTACT_PART = (
    "<p><i>Nothing to prepare yet: add a contact under <b>The person</b> above, and this part "
    "fills in for them.</i></p>"
)
NO_INTERVIEW_PART = "<p><i>Nothing to debrief yet: see above for how to get here.</i></p>"
NO_INTERVIEW = (
    "<p><b>No interview to debrief yet.</b> Plan one first: add a contact and prepare the "
    "meeting in 02_prepare. After the meeting, set its status to <i>done</i> there "
    "(<i>The meeting</i>) and come back here.</p>"
)


class _Choice:
    """A dropdown of records that follows the workbook, and the sections built for the choice."""

    name = "choice"
    label = "Record"
    empty = ""
    reads: frozenset[str] = frozenset()

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.sections: list[LiveSection] = []
        self._quiet = False
        self.dropdown = w.Dropdown(
            description=self.label,
            style={"description_width": "initial"},
            layout=w.Layout(width="min(100%, 40em)"),
        )
        self.note = w.HTML()
        self.widget = w.VBox([self.dropdown, self.note])
        self.widget.add_class("iiv-live")
        self.widget.add_class(css_name(self.name))
        self.dropdown.observe(self._picked, names="value")
        self._unsubscribe = changes.subscribe(wb.path, self._changed)

    # -- what a subclass says ------------------------------------------------------------------

    def options(self) -> list[tuple[str, int]]:
        raise NotImplementedError

    def default(self) -> int | None:
        raise NotImplementedError

    def select(self, record_id: int) -> None:
        raise NotImplementedError

    def reload(self) -> bool:
        """Read the chosen record again (it may have been edited); False when it is gone."""
        raise NotImplementedError

    def clear(self) -> None:
        raise NotImplementedError

    @property
    def chosen(self) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        return ""

    @property
    def summary(self) -> str:
        """What the choice says now, as plain text (for a notebook's printed log)."""
        page = self.describe() if self.chosen else self.empty
        return html.unescape(re.sub(r"<[^>]+>", "", page)).strip()

    # -- the shared machinery -------------------------------------------------------------------

    def _fill(self, value: int | None) -> None:
        self._quiet = True
        try:
            options = self.options()
            self.dropdown.options = options
            ids = [v for _, v in options]
            self.dropdown.value = value if value in ids else None
            self.dropdown.layout.display = None if options else "none"
        finally:
            self._quiet = False
        self.note.value = self.describe() if self.chosen else self.empty

    def _picked(self, change: dict[str, Any]) -> None:
        if self._quiet or change["new"] is None:
            return
        self.select(int(change["new"]))
        self._redraw()

    def _changed(self, tables: frozenset[str]) -> None:
        if not tables & self.reads:
            return
        if self.chosen and self.reload():
            self._fill(self.dropdown.value)
            return
        was_chosen = self.chosen
        self.clear()
        found = self.default()  # the first record arrived: the notebook comes alive
        if found is not None:
            self.select(found)
        self._fill(found)
        if found is not None or was_chosen:
            self._redraw()

    def _redraw(self) -> None:
        self.note.value = self.describe() if self.chosen else self.empty
        for section in self.sections:
            section.rebuild()

    def close(self) -> None:
        """Stop following the workbook."""
        self._unsubscribe()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """The live widget, with :attr:`summary` as the plain text shown where widgets are not
        (a report, a headless run, a static HTML export)."""
        bundle: dict[str, Any] = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.summary
        return bundle


class ContactChoice(_Choice):
    """The contact a notebook prepares for, and that contact's interview still to happen (a new
    planned one is made when the contact has none).

    :param contact: the notebook's ``contact`` parameter: an id or exact name, or None for the
        next person due (see :func:`~iivkit.ui.support.choose_contact`).
    """

    name = "choose_contact"
    label = "Preparing for"
    empty = NO_CONTACT
    reads = frozenset({"contacts"})

    def __init__(self, wb: Workbook, contact: object = None) -> None:
        super().__init__(wb)
        self.person: Contact | None = None
        self.interview: Interview | None = None
        if not is_blank(contact) or wb.count(Contact):
            self.select(choose_contact(wb, contact).id or 0)  # a bad parameter stops here
        self._fill(self.person.id if self.person else None)

    @property
    def chosen(self) -> bool:
        return self.person is not None

    def options(self) -> list[tuple[str, int]]:
        return [(f"{c.name} (contact {c.id})", c.id or 0) for c in self.wb.all(Contact)]

    def default(self) -> int | None:
        return choose_contact(self.wb).id if self.wb.count(Contact) else None

    def select(self, record_id: int) -> None:
        self.person = self.wb.get(Contact, record_id)
        self.interview = prepare_interview(self.wb, self.person)

    def reload(self) -> bool:
        if self.person is None or not self.wb.exists(Contact, self.person.id or 0):
            return False
        self.person = self.wb.get(Contact, self.person.id or 0)
        if self.interview is not None and self.wb.exists(Interview, self.interview.id or 0):
            self.interview = self.wb.get(Interview, self.interview.id or 0)
        return True

    def clear(self) -> None:
        self.person = None
        self.interview = None

    def describe(self) -> str:
        if self.person is None or self.interview is None:
            return ""
        return (
            f"<p>Preparing interview {self.interview.id} with {html.escape(self.person.name)} "
            f"(contact {self.person.id}). Choose another person above to prepare for them.</p>"
        )

    def section(
        self,
        name: str,
        build: Callable[[Contact, Interview], Any],
        *,
        empty: Callable[[], Any] | str = NO_CONTACT_PART,
    ) -> LiveSection:
        """A part of the notebook built for the chosen contact and interview, rebuilt when the
        choice changes; until there is a contact, *empty* (a message, or a builder of a form)."""

        def make() -> Any:
            if self.person is None or self.interview is None:
                return empty() if callable(empty) else w.HTML(empty)
            return build(self.person, self.interview)

        part = LiveSection(name, make)
        self.sections.append(part)
        return part


class InterviewChoice(_Choice):
    """The interview a notebook debriefs.

    :param interview: the notebook's ``interview`` parameter: an id, or None for the first one
        done but not debriefed (see :func:`~iivkit.ui.support.choose_interview`).
    """

    name = "choose_interview"
    label = "Debriefing"
    empty = NO_INTERVIEW
    reads = frozenset({"interviews", "contacts"})

    def __init__(self, wb: Workbook, interview: object = None) -> None:
        super().__init__(wb)
        self.interview: Interview | None = None
        if not is_blank(interview) or wb.count(Interview):
            self.select(choose_interview(wb, interview).id or 0)  # a bad parameter stops here
        self._fill(self.interview.id if self.interview else None)

    @property
    def chosen(self) -> bool:
        return self.interview is not None

    def options(self) -> list[tuple[str, int]]:
        names = {c.id: c.name for c in self.wb.all(Contact)}
        return [
            (
                f"Interview {i.id} with {names.get(i.contact_id, '?')} ({i.status.value})",
                i.id or 0,
            )
            for i in self.wb.all(Interview)
        ]

    def default(self) -> int | None:
        return choose_interview(self.wb).id if self.wb.count(Interview) else None

    def select(self, record_id: int) -> None:
        self.interview = self.wb.get(Interview, record_id)

    def reload(self) -> bool:
        if self.interview is None or not self.wb.exists(Interview, self.interview.id or 0):
            return False
        self.interview = self.wb.get(Interview, self.interview.id or 0)
        return True

    def clear(self) -> None:
        self.interview = None

    def describe(self) -> str:
        if self.interview is None:
            return ""
        if self.interview.held:
            return f"<p>Debriefing interview {self.interview.id} ({self.interview.status.value}).</p>"
        return (
            f"<p>Interview {self.interview.id} is still <i>{self.interview.status.value}</i>. "
            "Debrief it after the meeting: set its status to <i>done</i> in 02_prepare "
            "(<i>The meeting</i>), or choose another interview above.</p>"
        )

    def section(
        self,
        name: str,
        build: Callable[[Interview], Any],
        *,
        empty: Callable[[], Any] | str = NO_INTERVIEW_PART,
    ) -> LiveSection:
        """A part of the notebook built for the chosen interview, rebuilt when the choice changes;
        until there is one, *empty* (a message, or a builder of a form)."""

        def make() -> Any:
            if self.interview is None:
                return empty() if callable(empty) else w.HTML(empty)
            return build(self.interview)

        part = LiveSection(name, make)
        self.sections.append(part)
        return part
