"""Module paths of release 0.1 that notebooks import, kept working after the move into subpackages.

``iivkit lab`` copies the notebooks into a user's folder and never overwrites them, so the
notebooks a user was given keep importing ``iivkit.notebook_support``, ``iivkit.forms`` and
the other flat paths of release 0.1. A finder on ``sys.meta_path`` answers each of those
names with the module that now holds the code: the very same module object, so state and
``isinstance`` checks are shared. New notebooks import :mod:`iivkit.nb` only.

``tests/test_previous_release.py`` runs release 0.1's notebooks against the package and
imports every name below, so a target that moves again fails there, not in a user's notebook.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

MOVED: dict[str, str] = {
    "iivkit.notebook_support": "iivkit.ui.support",
    "iivkit.forms": "iivkit.ui.forms",
    "iivkit.choices": "iivkit.ui.choices",
    "iivkit.live": "iivkit.ui.live",
    "iivkit.tables": "iivkit.ui.tables",
    "iivkit.charts": "iivkit.ui.charts",
    "iivkit.guide": "iivkit.ui.guide",
    "iivkit.report_data": "iivkit.reports.data",
    "iivkit.report_html": "iivkit.reports.html",
    "iivkit.course_data": "iivkit.course.data",
    "iivkit.course_html": "iivkit.course.html",
    "iivkit.exercises": "iivkit.course.exercises",
    "iivkit.exercise_forms": "iivkit.course.forms",
}
"""Release 0.1's module path → where that code lives now."""


class _Alias(importlib.abc.Loader):
    """Loads an old name as the module now at ``target``: no copy, the same object.

    The import system takes back whatever ``sys.modules`` holds under the old name once
    :meth:`exec_module` returns, so the placeholder it created is replaced by the target
    module, whose own ``__name__`` and ``__spec__`` stay untouched.
    """

    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        """The default placeholder module will do; :meth:`exec_module` swaps it out."""

    def exec_module(self, module: ModuleType) -> None:
        sys.modules[module.__name__] = importlib.import_module(self.target)


class MovedFinder(importlib.abc.MetaPathFinder):
    """Finds release 0.1's module paths (:data:`MOVED`) and nothing else."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Alias(new))


def install() -> None:
    """Puts the finder on ``sys.meta_path`` once."""
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        # First: a leftover folder of an old name (its __pycache__ after an upgrade) would
        # otherwise be found as an empty namespace package before the alias.
        sys.meta_path.insert(0, MovedFinder())
