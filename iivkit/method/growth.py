"""Strengths and areas to develop: what the people you met saw in you, added up across interviews.

A debrief records each as an insight of kind ``strength`` or ``development``, named in a few
words ("hands-on data analysis"); an area to develop may carry the advice given for it.

Two records name the same thing when their names match once normalised (:func:`normalise`):
case, punctuation and spacing are ignored, a leading "a", "an", "the" or "my" is dropped, and
each word loses a plural ending ("Portfolios" and "a portfolio" match). Nothing cleverer: "R
skills" and "programming in R" stay apart, so name an area the same way each time.

Areas are ranked by how many people named them (one person counts once, however many times),
then by when they were first heard. An area to develop is *open* until someone names the same
thing as a strength in an interview after the last one that named it to develop: that is how
the workbook learns it was worked on. The next plan asks about the top open area
(:func:`plan_questions`), of someone who has not named it yet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from iivkit.workbook import views
from iivkit.workbook.models import Category, Contact, InsightKind
from iivkit.workbook.store import Workbook

LEADING_WORDS = ("a", "an", "the", "my")
"""Dropped from the start of a name before matching."""
QUESTION_MINUTES = 3
NUMBERS = ("no one", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    """The form two names are matched in: lower case, words only, no leading article, no plurals.

    ``"My CV's layout."`` → ``"cv layout"``; ``"Portfolios"`` → ``"portfolio"``.
    """
    found = re.findall(r"\w+", re.sub(r"['’]s\b", "", text.casefold()))
    while len(found) > 1 and found[0] in LEADING_WORDS:
        found = found[1:]
    return " ".join(_stem(w) for w in found)


@dataclass(frozen=True)
class Area:
    """A strength or an area to develop, as everyone who named it put it together."""

    kind: InsightKind
    name: str
    """The words it was first named in."""
    people: tuple[str, ...]
    """Who named it, each once, in the order heard."""
    contact_ids: tuple[int, ...]
    advice: tuple[tuple[str, str], ...] = ()
    """(advice, who gave it) for each record that carried advice, in the order heard."""
    insight_ids: tuple[int, ...] = ()
    interview_ids: tuple[int, ...] = ()
    """The interviews it was named in."""
    open: bool = True
    """For an area to develop: not yet named as a strength since (see the module's notes)."""

    @property
    def count(self) -> int:
        """How many people named it."""
        return len(self.people)


def _gather(df: pd.DataFrame, kind: InsightKind) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in df[df["kind"] == kind.value].to_dict("records"):
        key = normalise(row["text"])
        if key:
            groups.setdefault(key, []).append(row)
    return groups


def _area(kind: InsightKind, rows: list[dict[str, Any]], *, open_: bool = True) -> Area:
    people = dict.fromkeys((r["contact_id"], r["contact"]) for r in rows)
    return Area(
        kind=kind,
        name=rows[0]["text"].strip(),
        people=tuple(name for _, name in people),
        contact_ids=tuple(cid for cid, _ in people),
        advice=tuple((r["advice"].strip(), r["contact"]) for r in rows if r["advice"].strip()),
        insight_ids=tuple(int(r["insight_id"]) for r in rows),
        interview_ids=tuple(dict.fromkeys(int(r["interview_id"]) for r in rows)),
        open=open_,
    )


def _ranked(areas: list[Area]) -> list[Area]:
    # Rows come in the order heard, so a stable sort keeps the first heard first among equals.
    return sorted(areas, key=lambda a: -a.count)


def strengths(wb: Workbook) -> list[Area]:
    """Every strength someone saw, the one the most people saw first."""
    df = views.growth_rows(wb)
    return _ranked([_area(InsightKind.strength, rows) for rows in _gather(df, InsightKind.strength).values()])


def development_areas(wb: Workbook) -> list[Area]:
    """Every area to develop, with the advice given for it, the one the most people named first."""
    df = views.growth_rows(wb)
    order = {iid: n for n, iid in enumerate(dict.fromkeys(df["interview_id"]))}
    seen_strong = {
        key: max(order[r["interview_id"]] for r in rows)
        for key, rows in _gather(df, InsightKind.strength).items()
    }
    areas = []
    for key, rows in _gather(df, InsightKind.development).items():
        last = max(order[r["interview_id"]] for r in rows)
        areas.append(_area(InsightKind.development, rows, open_=seen_strong.get(key, -1) <= last))
    return _ranked(areas)


def top_open_area(wb: Workbook, *, for_contact: int | None = None) -> Area | None:
    """The open area to develop that the most people named; with *for_contact*, one they did not."""
    return next(
        (a for a in development_areas(wb) if a.open and for_contact not in a.contact_ids),
        None,
    )


# -- in words ---------------------------------------------------------------------------------


def _number(n: int) -> str:
    return NUMBERS[n] if n < len(NUMBERS) else str(n)


def joined(names: list[str] | tuple[str, ...]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def in_sentence(name: str) -> str:
    """*name* inside a sentence: a capital dropped unless the first word is an acronym or a name."""
    name = name.strip().rstrip(".!;:,")
    first = name.split(" ", 1)[0]
    if first.lower() not in LEADING_WORDS and (first.isupper() or first[1:].lower() != first[1:]):
        return name  # an acronym or a name such as "SQL" or "PowerPoint"
    return name[:1].lower() + name[1:]


def question(area: Area) -> str:
    """The question the next plan asks about *area*, in words the user can say aloud."""
    who = "Someone I spoke to" if area.count == 1 else f"{_number(area.count).capitalize()} people I spoke to"
    return (
        f"{who} saw {in_sentence(area.name)} as something I still need to develop. "
        "How would you suggest I work on it?"
    )


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") and not name.endswith("ss") else f"{name}'s"


def advice_text(area: Area) -> str:
    """The advice given for *area*, each with who gave it: ``Dr Patel's advice: take an R course.``"""
    return " ".join(
        f"{_possessive(who)} advice: {in_sentence(text)}." for text, who in area.advice if in_sentence(text)
    )


def plan_questions(wb: Workbook, contact: Contact, *, room: int) -> list[dict[str, Any]]:
    """The planner's question about the top open area to develop, if it fits in *room* minutes.

    Returns the fields of one plan item (none when there is no open area this contact has not
    named already, or no room). The planner calls this in one place.
    """
    area = top_open_area(wb, for_contact=contact.id)
    if area is None or room < QUESTION_MINUTES:
        return []
    reason = f"career: your top open area to develop, named by {joined(area.people)}"
    return [
        {
            "category": Category.career,
            "text": question(area),
            "reason": reason,
            "minutes": QUESTION_MINUTES,
            "topics": ("development",),
        }
    ]


# -- as tables --------------------------------------------------------------------------------


def strengths_frame(wb: Workbook) -> pd.DataFrame:
    """Strengths as a table: strength, people (how many), who."""
    rows = [{"strength": a.name, "people": a.count, "who": joined(a.people)} for a in strengths(wb)]
    return pd.DataFrame(rows, columns=["strength", "people", "who"])


def development_frame(wb: Workbook) -> pd.DataFrame:
    """Areas to develop as a table: area, people (how many), who, advice, status (open or addressed)."""
    rows = [
        {
            "area": a.name,
            "people": a.count,
            "who": joined(a.people),
            "advice": advice_text(a),
            "status": "open" if a.open else "addressed",
        }
        for a in development_areas(wb)
    ]
    return pd.DataFrame(rows, columns=["area", "people", "who", "advice", "status"])


def summary(wb: Workbook, *, interview: int | None = None) -> list[str]:
    """The synthesis as sentences: strengths several people saw, then each open area to develop.

    :param interview: leave out an area to develop that only this interview named (its report
        shows it already).
    """
    lines = [
        f"{a.name.rstrip('.')}: a strength {_number(a.count)} people saw ({joined(a.people)})."
        for a in strengths(wb)
        if a.count >= 2
    ]
    for a in development_areas(wb):
        if not a.open or a.interview_ids == (interview,):
            continue
        named = "one person" if a.count == 1 else f"{_number(a.count)} people"
        line = f"{a.name.rstrip('.')}: an area to develop, named by {named} ({joined(a.people)})."
        lines.append(f"{line} {advice_text(a)}".strip())
    return lines
