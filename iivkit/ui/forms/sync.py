"""Keeping forms in step: follow a workbook's change signal, and refresh dropdowns in place.

A form that shows records of some tables calls :func:`follow` with those tables; after every
save to the workbook in this kernel it is told which tables changed and refreshes what it
shows, so nobody has to re-run a notebook. Refreshing must never clobber what the user is
typing, so dropdowns get new options with :func:`set_options`, which keeps the choice made.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import ipywidgets as w

from iivkit.errors import RecordNotFound
from iivkit.workbook import changes
from iivkit.workbook.store import Workbook

_quiet: set[int] = set()

LABEL_TABLES = {
    "contacts": frozenset({"contacts", "organisations"}),
    "interviews": frozenset({"interviews", "contacts"}),
}
"""Tables whose records appear in another table's option labels (a contact shows its organisation)."""


def label_tables(table: str) -> frozenset[str]:
    """The tables a dropdown of *table*'s records must follow."""
    return LABEL_TABLES.get(table, frozenset({table}))


def follow(
    wb: Workbook,
    tables: Iterable[str],
    refresh: Callable[[frozenset[str]], None],
    widget: w.Widget,
) -> Callable[[], None]:
    """Call *refresh* with the changed tables after each save to *wb* that touched *tables*.

    The subscription ends by itself once *widget* is closed or the workbook is closed.
    Returns the function that ends it earlier.
    """
    wanted = frozenset(tables)
    unsubscribe: Callable[[], None] = lambda: None  # noqa: E731  (replaced just below)

    def listener(changed: frozenset[str]) -> None:
        if widget.comm is None:  # the view was closed: nothing left to refresh
            unsubscribe()
            return
        hit = changed & wanted
        if not hit:
            return
        try:
            refresh(hit)
        except (sqlite3.ProgrammingError, RecordNotFound):
            # The workbook was closed (the notebook ran again), or the record this view shows was
            # deleted: there is nothing left for this view to show.
            unsubscribe()

    unsubscribe = changes.subscribe(wb.path, listener)
    return unsubscribe


@contextlib.contextmanager
def quietly(widget: w.Widget) -> Iterator[None]:
    """Within this block, changes to *widget* come from the program, not the user."""
    _quiet.add(id(widget))
    try:
        yield
    finally:
        _quiet.discard(id(widget))


def is_quiet(widget: w.Widget) -> bool:
    """True while the program (not the user) is changing *widget*."""
    return id(widget) in _quiet


def set_options(dropdown: w.Dropdown, options: list[tuple[str, Any]]) -> None:
    """Give *dropdown* new options and keep its value if it is still offered.

    While it changes, :func:`is_quiet` is true for *dropdown*, so observers can tell this
    refresh from a choice the user made.
    """
    if list(dropdown.options) == options:
        return
    value = dropdown.value
    with quietly(dropdown):
        dropdown.options = options
        if any(v == value for _, v in options):
            dropdown.value = value


def close_tree(widget: w.Widget) -> None:
    """Close *widget* and every widget inside it, its layout and style too, so none lingers."""
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None)):
        if isinstance(part, w.Widget):
            part.close()
    widget.close()


def replace_children(box: w.Box, children: Iterable[w.Widget]) -> None:
    """Show *children* in *box* and close every widget it showed before and no longer does."""
    new = list(children)
    kept = {id(child) for child in new}
    old = [child for child in box.children if id(child) not in kept]
    box.children = new
    for child in old:
        close_tree(child)
