"""Feedback on an exercise, as data: points that are done, missing or weak, each with a hint.

:mod:`iivkit.course.exercises` produces it; the exercise notebooks print it, and the class run turns
it into each student's page and the class summary. Feedback never boils down to a bare score:
it always says what is done and what to do next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

DONE, MISSING, WEAK = "done", "missing", "weak"
"""The state of one point: there, still to do, or there but could be stronger."""
COMPLETE, IN_PROGRESS, NOT_STARTED = "complete", "in progress", "not started"
"""The status of an exercise: nothing missing; something done and something missing; nothing done."""
SECTIONS = ((DONE, "What is complete", "✓"), (MISSING, "Still to do", "•"), (WEAK, "Could be stronger", "◦"))
"""How feedback is laid out: each state's heading and mark, in order."""


def plural(n: int, word: str) -> str:
    """``1 finding``, ``3 findings``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Point:
    """One thing a self-check noticed: done, missing or weak; where; and a hint if there is work."""

    state: str
    message: str
    record: str = ""
    field: str = ""
    hint: str = ""

    @property
    def where(self) -> str:
        """``organisation 2 (Acme), field 'divisions'``; empty when it is about nothing in particular."""
        return ", ".join(x for x in (self.record, f"field '{self.field}'" if self.field else "") if x)


@dataclass(frozen=True)
class ExerciseFeedback:
    """The self-check of one exercise.

    :param subject: what the check looked at, e.g. ``organisation 1 (Acme)``.
    """

    number: int
    title: str
    points: tuple[Point, ...]
    subject: str = ""

    def of(self, state: str) -> list[Point]:
        """The points in one state."""
        return [p for p in self.points if p.state == state]

    @property
    def status(self) -> str:
        """``complete`` (nothing missing), ``not started`` (nothing done yet) or ``in progress``."""
        if not self.of(MISSING):
            return COMPLETE
        return IN_PROGRESS if self.of(DONE) else NOT_STARTED

    @property
    def progress(self) -> str:
        """``3 of 5 parts done``: the parts are the done and the missing points."""
        done, parts = len(self.of(DONE)), len(self.of(DONE)) + len(self.of(MISSING))
        return f"{done} of {plural(parts, 'part')} done"

    def opening(self) -> str:
        """One kind sentence that sums the exercise up."""
        if self.status == COMPLETE:
            extra = " A few ideas to make it even better follow." if self.of(WEAK) else ""
            return f"Well done: everything this exercise asks for is there.{extra}"
        if self.status == NOT_STARTED:
            return "Nothing here yet, and that is fine: the list below says where to start."
        return f"Good progress: {self.progress}. {plural(len(self.of(MISSING)), 'thing')} still to do."

    def text(self) -> str:
        """The feedback as plain text, for the notebook's self-check cell."""
        lines = [f"Exercise {self.number} · {self.title}: {self.status} ({self.progress})"]
        if self.subject:
            lines.append(f"Looked at: {self.subject}")
        lines += ["", self.opening()]
        for state, heading, mark in SECTIONS:
            if self.of(state):
                lines += ["", f"{heading}:"]
            for p in self.of(state):
                lines.append(f"  {mark} {p.message}")
                if p.state != DONE and p.where:
                    lines.append(f"      where: {p.where}")
                if p.hint:
                    lines.append(f"      hint: {p.hint}")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, object]:
        """Plain data: number, title, subject, status, progress and the points."""
        return {
            "number": self.number,
            "title": self.title,
            "subject": self.subject,
            "status": self.status,
            "progress": self.progress,
            "points": [dataclasses.asdict(p) for p in self.points],
        }

    def map_text(self, fn: Callable[[str], str]) -> ExerciseFeedback:
        """The same feedback with *fn* applied to every piece of text (to pseudonymise it)."""
        points = tuple(
            dataclasses.replace(p, message=fn(p.message), record=fn(p.record), hint=fn(p.hint))
            for p in self.points
        )
        return dataclasses.replace(self, points=points, subject=fn(self.subject))
