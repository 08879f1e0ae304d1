"""Change signals: a save in one form tells every view of the same workbook in this process.

The store calls :func:`notify` after each commit with the tables it wrote. Forms, pickers,
tables and letter previews :func:`subscribe` to the workbook's path and refresh themselves, so a
new organisation or meeting time shows everywhere in the notebook without a re-run. Signals stay
inside one process (one notebook kernel); other processes see changes when they next read.

In a notebook, a view belongs to the cell whose run made it. Running that cell again replaces
its output, so the views of its earlier run stop following the workbook
(:func:`follow_notebook_cells`): pressing Run All ten times leaves one set of views listening,
not ten, and a stale view can never act on a save.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Listener = Callable[[frozenset[str]], None]
"""Called with the names of the tables that changed (``{"organisations"}``)."""

_log = logging.getLogger(__name__)
_lock = threading.RLock()


@dataclass(eq=False)
class _Subscription:
    listener: Listener
    cell: str | None


_listeners: dict[str, list[_Subscription]] = {}
_cell: str | None = None
"""The notebook cell whose run (or whose views' refresh) is making views now, if known."""
_hooked: object | None = None
"""The IPython shell whose cell runs are followed."""


def _key(path: str | os.PathLike[str]) -> str:
    return str(Path(path).resolve())


def subscribe(path: str | os.PathLike[str], listener: Listener) -> Callable[[], None]:
    """Call *listener* after every committed change to the workbook at *path*; return an
    unsubscribe function."""
    key = _key(path)
    entry = _Subscription(listener, _cell)
    with _lock:
        _listeners.setdefault(key, []).append(entry)

    def unsubscribe() -> None:
        with _lock:
            found = _listeners.get(key, [])
            if entry in found:
                found.remove(entry)

    return unsubscribe


def listening(path: str | os.PathLike[str]) -> int:
    """How many views follow the workbook at *path* now."""
    with _lock:
        return len(_listeners.get(_key(path), []))


@contextlib.contextmanager
def _in_cell(cell: str | None) -> Iterator[None]:
    global _cell
    before, _cell = _cell, cell
    try:
        yield
    finally:
        _cell = before


def notify(path: str | os.PathLike[str], tables: Iterable[str]) -> None:
    """Tell every listener of *path* that *tables* changed. A failing listener is logged and
    skipped, so one broken view never stops the save or the others."""
    changed = frozenset(tables)
    if not changed:
        return
    with _lock:
        entries = list(_listeners.get(_key(path), []))
    for entry in entries:
        try:
            # Views a refresh builds belong to the same cell as the view that built them.
            with _in_cell(entry.cell):
                entry.listener(changed)
        except Exception:  # a view's refresh must never undo or hide a save
            _log.exception("refreshing a view after a change to %s failed", path)


def forget_cell(cell: str) -> int:
    """Stop every view made by an earlier run of notebook cell *cell*; return how many."""
    dropped = 0
    with _lock:
        for key, entries in _listeners.items():
            kept = [e for e in entries if e.cell != cell]
            dropped += len(entries) - len(kept)
            _listeners[key] = kept
    return dropped


def _cell_id(info: Any) -> str | None:
    cell = getattr(info, "cell_id", None)
    return str(cell) if cell else None


def _pre_run_cell(info: Any) -> None:
    global _cell
    cell = _cell_id(info)
    if cell is not None:
        forget_cell(cell)
    _cell = cell


def _post_run_cell(result: Any) -> None:
    global _cell
    _cell = None


def follow_notebook_cells() -> None:
    """In an IPython kernel, tie each view to the cell whose run made it (see the module's
    docstring). Safe to call more than once; does nothing outside IPython."""
    global _hooked, _cell
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or shell is _hooked:
        return
    _hooked = shell
    shell.events.register("pre_run_cell", _pre_run_cell)
    shell.events.register("post_run_cell", _post_run_cell)
    # The cell running now started before the hooks were there: find it from its request.
    request = getattr(shell, "parent_header", None)
    metadata = request.get("metadata") if isinstance(request, dict) else None
    cell = metadata.get("cellId") if isinstance(metadata, dict) else None
    if cell:
        forget_cell(str(cell))
        _cell = str(cell)
