"""Live views: tables, charts and guides that redraw themselves when the workbook changes.

A :class:`LiveView` is an HTML widget that listens to the workbook's change signal
(:mod:`iivkit.workbook.changes`) and redraws whenever a save touches one of the tables it reads, so a new
finding shows in the findings table the moment its form is saved, with no re-run.
A :class:`LiveSection` is a box whose content is rebuilt by a function, for parts of a notebook
that depend on a choice (the contact to prepare for, the interview to debrief).

Every live widget carries the CSS classes ``iiv-live`` and ``iiv-live-<name>``, so a browser
test (or a style sheet) can find it.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

import ipywidgets as w

from iivkit.errors import IivkitError
from iivkit.ui.error_display import one_line
from iivkit.workbook import changes
from iivkit.workbook.store import Workbook

ALL_TABLES = None
"""Pass as ``tables`` to redraw after every change, whatever it touched."""


def css_name(name: str) -> str:
    """``follow_up_queue`` → ``iiv-live-follow-up-queue``."""
    return "iiv-live-" + name.replace("_", "-")


def as_widget(content: Any) -> w.Widget:
    """A widget for *content*: a widget as it is, a form or view by its ``widget``, text as
    text, and anything else as IPython would display it."""
    if isinstance(content, w.Widget):
        return content
    widget = getattr(content, "widget", None)
    if isinstance(widget, w.Widget):
        return widget
    if isinstance(content, str):
        return w.HTML(html.escape(content))
    out = w.Output()
    out.append_display_data(content)  # anything IPython can show: Markdown, a table, a chart
    return out


def error_html(error: IivkitError) -> str:
    return f"<p style='color:#b00020'>{html.escape(one_line(error))}</p>"


class LiveView:
    """An HTML view of a workbook, redrawn after every save that touches the tables it reads.

    :param render: returns the view as HTML.
    :param name: names the view (CSS class ``iiv-live-<name>``).
    :param tables: the workbook tables the view reads; ``None`` redraws after any change.
    """

    def __init__(
        self,
        wb: Workbook,
        render: Callable[[], str],
        *,
        name: str,
        tables: Iterable[str] | None = ALL_TABLES,
    ) -> None:
        self.wb = wb
        self.name = name
        self.tables = frozenset(tables) if tables is not None else None
        self._render = render
        self.widget = w.HTML(layout=w.Layout(width="100%", overflow="auto"))
        self.widget.add_class("iiv-live")
        self.widget.add_class(css_name(name))
        self.redraws = 0
        self.refresh()
        self._unsubscribe: Callable[[], None] | None = changes.subscribe(wb.path, self._changed)

    def _changed(self, tables: frozenset[str]) -> None:
        if self.widget.comm is None:  # the widget was closed: nothing left to draw
            self.close()
        elif self.tables is None or tables & self.tables:
            self.refresh()

    def refresh(self) -> None:
        """Draw the view again from the workbook."""
        try:
            page = self._render()
        except sqlite3.ProgrammingError:
            # The notebook was run again and this workbook connection closed: this view is gone.
            self.close()
            return
        except IivkitError as exc:
            page = error_html(exc)
        self.widget.value = page
        self.redraws += 1

    @property
    def html(self) -> str:
        """What the view shows now."""
        return str(self.widget.value)

    def close(self) -> None:
        """Stop following the workbook (the widget stays as it was)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class LiveSection:
    """A box whose content *build* makes afresh each time :meth:`rebuild` is called.

    The content built before is closed, so a replaced form or view stops following the workbook.
    """

    def __init__(self, name: str, build: Callable[[], Any]) -> None:
        self.name = name
        self._build = build
        self.content: Any = None
        self.widget = w.VBox(layout=w.Layout(width="100%"))
        self.widget.add_class("iiv-live")
        self.widget.add_class(css_name(name))
        self.rebuild()

    def rebuild(self) -> None:
        """Replace the content with a new one."""
        old, old_children = self.content, self.widget.children
        try:
            self.content = self._build()
            child = as_widget(self.content)
        except IivkitError as exc:
            self.content = None
            child = w.HTML(error_html(exc))
        self.widget.children = (child,)
        closer = getattr(old, "close", None)
        if callable(closer) and not isinstance(old, w.Widget):
            closer()
        for widget in old_children:
            widget.close()  # a closed form stops following the workbook

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)


class Following(LiveSection):
    """A part about one record that *pick* chooses (say, the first senior contact), rebuilt by
    *build* when a save that touches *tables* makes *pick* choose another one (or the first one).

    Saves that leave the choice as it was do not rebuild the part, so nothing typed into it is
    lost.
    """

    def __init__(
        self,
        wb: Workbook,
        name: str,
        pick: Callable[[], Any],
        build: Callable[[Any], Any],
        *,
        tables: Iterable[str],
    ) -> None:
        self._pick = pick
        self.picked: Any = pick()
        self.tables = frozenset(tables)
        super().__init__(name, lambda: build(self.picked))
        self._unsubscribe: Callable[[], None] | None = changes.subscribe(wb.path, self._changed)

    @staticmethod
    def _key(record: Any) -> Any:
        return getattr(record, "id", record)

    def _changed(self, tables: frozenset[str]) -> None:
        if self.widget.comm is None:
            self.close()
            return
        if not tables & self.tables:
            return
        try:
            picked = self._pick()
        except sqlite3.ProgrammingError:
            self.close()
            return
        except IivkitError as exc:  # what it was about is gone: say so, in one line
            self.picked = None
            self.widget.children = (w.HTML(error_html(exc)),)
            return
        if self._key(picked) != self._key(self.picked):
            self.picked = picked
            self.rebuild()

    def close(self) -> None:
        """Stop following the workbook."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
