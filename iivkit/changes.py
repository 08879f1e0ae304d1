"""Change signals: a save in one form tells every view of the same workbook in this process.

The store calls :func:`notify` after each commit with the tables it wrote. Forms, pickers,
tables and letter previews :func:`subscribe` to the workbook's path and refresh themselves, so a
new organisation or meeting time shows everywhere in the notebook without a re-run. Signals stay
inside one process (one notebook kernel); other processes see changes when they next read.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

Listener = Callable[[frozenset[str]], None]
"""Called with the names of the tables that changed (``{"organisations"}``)."""

_log = logging.getLogger(__name__)
_lock = threading.Lock()
_listeners: dict[str, list[Listener]] = {}


def _key(path: str | os.PathLike[str]) -> str:
    return str(Path(path).resolve())


def subscribe(path: str | os.PathLike[str], listener: Listener) -> Callable[[], None]:
    """Call *listener* after every committed change to the workbook at *path*; return an
    unsubscribe function."""
    key = _key(path)
    with _lock:
        _listeners.setdefault(key, []).append(listener)

    def unsubscribe() -> None:
        with _lock:
            found = _listeners.get(key, [])
            if listener in found:
                found.remove(listener)

    return unsubscribe


def notify(path: str | os.PathLike[str], tables: Iterable[str]) -> None:
    """Tell every listener of *path* that *tables* changed. A failing listener is logged and
    skipped, so one broken view never stops the save or the others."""
    changed = frozenset(tables)
    if not changed:
        return
    with _lock:
        listeners = list(_listeners.get(_key(path), []))
    for listener in listeners:
        try:
            listener(changed)
        except Exception:  # a view's refresh must never undo or hide a save
            _log.exception("refreshing a view after a change to %s failed", path)
