"""Feedback on an exercise, as data: one verdict per part of its rubric, each with a hint.

:mod:`iivkit.course.exercises` produces it; the exercise notebooks print it, and the class run turns
it into each student's page and the class summary. Every student gets the same parts
(:mod:`iivkit.course.rubric`), so "6 of 8 parts met" compares across the class. Feedback never
boils down to a bare score: it always says what is met and what to do next.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from iivkit.course.rubric import MET, NOT_MET, STRONGER, counts_as_met

COMPLETE, IN_PROGRESS, NOT_STARTED = "complete", "in progress", "not started"
"""The status of an exercise: every part met; some met and some not; none met yet."""
MARKS = {MET: "✓", STRONGER: "◦", NOT_MET: "✗"}
"""The mark before each part of the checklist, by verdict."""


def plural(n: int, word: str) -> str:
    """``1 finding``, ``3 findings``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Point:
    """One part of an exercise's rubric for one student: its verdict (``state``), what the check
    found, and, when there is something to do, the record and field it is about and a hint.

    :param part: the part's key in the rubric; ``title`` is its short name.
    :param notes: details under the part, e.g. which findings have no source.
    """

    part: str
    title: str
    state: str
    message: str
    record: str = ""
    field: str = ""
    hint: str = ""
    notes: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        """``organisation 2 (Acme), field 'divisions'``; empty when it is about nothing in particular."""
        return ", ".join(x for x in (self.record, f"field '{self.field}'" if self.field else "") if x)

    @property
    def met(self) -> bool:
        """True when the part is there (``met`` or ``could be stronger``)."""
        return counts_as_met(self.state)

    @property
    def mark(self) -> str:
        return MARKS[self.state]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Point:
        """The point ``dataclasses.asdict`` gave (notes may come back as a list)."""
        return cls(**{**data, "notes": tuple(data.get("notes", ()))})


@dataclass(frozen=True)
class ExerciseFeedback:
    """The self-check of one exercise: a point per part of its rubric, in the rubric's order.

    :param subject: what the check looked at, e.g. ``organisation 1 (Acme)``.
    """

    number: int
    title: str
    points: tuple[Point, ...]
    subject: str = ""

    def of(self, state: str) -> list[Point]:
        """The parts with one verdict."""
        return [p for p in self.points if p.state == state]

    @property
    def met(self) -> int:
        """How many parts are met, those that could be stronger included."""
        return sum(p.met for p in self.points)

    @property
    def status(self) -> str:
        """``complete`` (every part met), ``not started`` (none met yet) or ``in progress``."""
        if self.met == len(self.points):
            return COMPLETE
        return IN_PROGRESS if self.met else NOT_STARTED

    @property
    def progress(self) -> str:
        """``6 of 8 parts met``: the same number of parts for every student."""
        return f"{self.met} of {plural(len(self.points), 'part')} met"

    def opening(self) -> str:
        """One kind sentence that sums the exercise up."""
        stronger = len(self.of(STRONGER))
        if self.status == COMPLETE:
            if not stronger:
                return "Well done: every part of this exercise is met."
            return (
                f"Well done: every part of this exercise is met. {plural(stronger, 'part')} could be "
                "stronger: the exercise is complete all the same, and the hints say how."
            )
        if self.status == NOT_STARTED:
            return "Nothing here yet, and that is fine: the checklist below says where to start."
        todo = plural(len(self.of(NOT_MET)), "part")
        return f"Good progress: {self.progress}. {todo} still to do."

    def text(self) -> str:
        """The feedback as plain text, for the notebook's self-check cell."""
        lines = [f"Exercise {self.number} · {self.title}: {self.status} ({self.progress})"]
        if self.subject:
            lines.append(f"Looked at: {self.subject}")
        lines += ["", self.opening(), ""]
        for n, p in enumerate(self.points, 1):
            lines.append(f"  {p.mark} {n}. {p.title}: {p.state}. {p.message}")
            if p.state != MET and p.where:
                lines.append(f"      where: {p.where}")
            if p.hint:
                lines.append(f"      hint: {p.hint}")
            lines += [f"      note: {note}" for note in p.notes]
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
            dataclasses.replace(
                p,
                message=fn(p.message),
                record=fn(p.record),
                hint=fn(p.hint),
                notes=tuple(fn(n) for n in p.notes),
            )
            for p in self.points
        )
        return dataclasses.replace(self, points=points, subject=fn(self.subject))
