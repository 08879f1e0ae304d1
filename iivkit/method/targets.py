"""The target list: organisations ranked LAMP-style, as in Dalton's *2-Hour Job Search*.

Each organisation is ranked by three things, in this order:

1. **Motivation**, 1 to 3, as the user rates it (an unrated organisation comes after every
   rated one);
2. **Posting**: whether it advertises work that fits (relevant, then some, then none);
3. **Advocacy**, worked out from the workbook, never typed in. Over the contacts at the
   organisation (a contact who declined does not count, except for an interview already held):

   ===================  ======  ==========================================================
   tie                  points  a contact at the organisation who ...
   ===================  ======  ==========================================================
   person met           3       had an interview that took place (done or debriefed)
   referral in          2       was referred: by another contact, in an interview, or found
                                as a referral
   alumni contact       2       was found as an alumnus or alumna
   person you know      1       was found through family and friends or your professional
                                network
   ===================  ======  ==========================================================

   The ties add up: an alumna who was referred and whom you met scores 3 + 2 + 2 = 7.

Ties are broken by name. Each row says in a plain sentence why it sits where it does.

An organisation is **active** while something with it is under way: an interview planned,
invited or confirmed, or a contact invited or not yet replying, whose latest date (meeting,
invitation, confirmation or nudge) falls within the last ``active_weeks`` weeks, or which has
no date yet. Dalton's advice is to keep about five employers active at once; the list warns
when more than ``max_active`` are. Both settings are the workbook's own (the workbook setting
``target_rules``) when saved, else 4 weeks and 5 organisations.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from iivkit.errors import ValidationFailed
from iivkit.method.dates import long_date
from iivkit.workbook import views
from iivkit.workbook.models import (
    UPCOMING_STATUSES,
    ContactStatus,
    HowFound,
    InterviewStatus,
    Posting,
)
from iivkit.workbook.store import Workbook

RULES_KEY = "target_rules"

ADVOCACY_POINTS: dict[str, int] = {"met": 3, "referred": 2, "alumni": 2, "known": 1}
"""Points per contact for each tie with an organisation (see the module's docstring)."""

KNOWN_THROUGH: tuple[HowFound, ...] = (HowFound.family_friends, HowFound.professional_network)
"""How a contact was found when they are someone the user knows."""

WAITING_STATUSES: tuple[ContactStatus, ...] = (ContactStatus.invited, ContactStatus.no_reply)
"""A contact in one of these was asked and has not answered yet: their organisation is active."""

POSTING_ORDER: tuple[Posting, ...] = (Posting.relevant, Posting.some, Posting.none)
"""Postings from the best signal to the weakest."""

COLUMNS = [
    "rank",
    "organisation_id",
    "organisation",
    "motivation",
    "posting",
    "advocacy",
    "met",
    "referred",
    "alumni",
    "known",
    "active",
    "active_because",
    "why",
]


class TargetRules(BaseModel):
    """How many organisations may be active at once, and for how long a step keeps one active."""

    model_config = ConfigDict(extra="forbid")

    max_active: int = Field(default=5, ge=1, le=100, title="Most organisations active at once")
    active_weeks: int = Field(
        default=4, ge=1, le=52, title="A planned meeting or an invitation keeps one active for (weeks)"
    )


def load_rules(wb: Workbook) -> TargetRules:
    """The workbook's target-list rules; the defaults when it has none of its own."""
    text = wb.meta(RULES_KEY)
    if not text:
        return TargetRules()
    try:
        return TargetRules.model_validate(json.loads(text))
    except (ValueError, ValidationError) as exc:
        first = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
        raise ValidationFailed(
            f"cannot be read ({first}); save the rules again",
            file=wb.path,
            record=f"workbook setting '{RULES_KEY}'",
        ) from None


def save_rules(wb: Workbook, rules: TargetRules) -> None:
    """Store *rules* as the workbook's target-list rules."""
    wb.set_meta(RULES_KEY, rules.model_dump_json())


# -- advocacy -------------------------------------------------------------------------------


def advocacy(wb: Workbook) -> pd.DataFrame:
    """Every organisation's ties: people met, referrals in, alumni, people known, and the score.

    Indexed by organisation id; see the module's docstring for the points.
    """
    df = views.organisation_ties(wb, known_through=[h.value for h in KNOWN_THROUGH])
    df = df.astype(int)
    df["advocacy"] = sum(df[tie] * points for tie, points in ADVOCACY_POINTS.items())
    return df


# -- active organisations -------------------------------------------------------------------


def _latest(*days: object) -> dt.date | None:
    """The latest of some ISO dates or date-times stored as text (None when there are none)."""
    found = [dt.date.fromisoformat(str(d)[:10]) for d in days if isinstance(d, str) and d]
    return max(found) if found else None


_UNDER_WAY = {
    InterviewStatus.planned.value: "an interview with {name} is planned",
    InterviewStatus.invited.value: "{name} is invited to an interview",
    InterviewStatus.confirmed.value: "an interview with {name} is confirmed",
}


def active_reasons(wb: Workbook, today: dt.date, *, weeks: int = 4) -> dict[int, list[str]]:
    """What keeps each active organisation active, by organisation id (see the module's docstring)."""
    since = today - dt.timedelta(weeks=weeks)
    upcoming = {s.value for s in UPCOMING_STATUSES}
    waiting = {s.value for s in WAITING_STATUSES}
    rows = views.organisation_steps(wb, sorted(upcoming | waiting))
    reasons: dict[int, list[str]] = {}
    under_way: set[int] = set()
    asked: dict[int, tuple[int, str, str, dt.date | None]] = {}
    for org, contact, name, c_status, interview, i_status, *days in rows:
        if i_status in upcoming:
            last = _latest(*days)
            if last is None or last >= since:
                day = dt.date.fromisoformat(days[0][:10]) if days[0] and i_status != "invited" else None
                when = f" for {long_date(day)}" if day else ""
                reasons.setdefault(org, []).append(
                    _UNDER_WAY[i_status].format(name=name) + f"{when} (interview {interview})"
                )
                under_way.add(contact)
                continue
        if c_status in waiting:
            sent = _latest(*days[1:])
            before = asked[contact][3] if contact in asked else None
            newest = max((d for d in (sent, before) if d is not None), default=None)
            asked[contact] = (org, name, c_status, newest)
    for contact, (org, name, c_status, sent) in asked.items():
        if contact in under_way or (sent is not None and sent < since):
            continue
        if c_status == ContactStatus.no_reply.value:
            reasons.setdefault(org, []).append(f"{name} has not replied yet")
        else:
            on = f" on {long_date(sent)}" if sent is not None else ""
            reasons.setdefault(org, []).append(f"{name} was invited{on} and has not answered")
    return reasons


# -- the ranked list ------------------------------------------------------------------------


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


_MOTIVATION_WORDS = {
    1: "Motivation 1 (a little)",
    2: "Motivation 2 (keen)",
    3: "Motivation 3 (a dream employer)",
}
"""The motivation scale in words, as the organisation form explains it."""

_POSTING_WORDS = {
    Posting.relevant.value: "a relevant posting",
    Posting.some.value: "some postings",
    Posting.none.value: "no posting that fits",
}


def _ties(row: pd.Series) -> str:
    parts = [
        _count(int(row["met"]), "person met", "people met"),
        _count(int(row["referred"]), "referral in", "referrals in"),
        _count(int(row["alumni"]), "alumni contact", "alumni contacts"),
        _count(int(row["known"]), "person you know", "people you know"),
    ]
    parts = [p for p in parts if not p.startswith("0 ")]
    if not parts:
        return "no advocates yet"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _place(row: pd.Series, above: pd.Series | None) -> str:
    """Why *row* comes after *above*: the first of motivation, posting and advocacy that differs."""
    if above is None:
        return "Top of the list"
    other = above["organisation"]
    if row["motivation_key"] != above["motivation_key"]:
        return f"Below {other} on motivation"
    if row["posting_key"] != above["posting_key"]:
        return f"Below {other} on postings"
    if row["advocacy"] != above["advocacy"]:
        return f"Below {other} on advocacy ({row['advocacy']} against {above['advocacy']})"
    return f"Level with {other}, so listed by name"


def targets(
    wb: Workbook,
    *,
    today: dt.date | None = None,
    rules: TargetRules | None = None,
) -> pd.DataFrame:
    """Every organisation, ranked by motivation, then posting, then advocacy, with why.

    One row per organisation, in rank order (``rank`` from 1). ``motivation`` is 1-3 or
    missing, ``posting`` ``none``/``some``/``relevant``, ``advocacy`` the score with its parts
    ``met``, ``referred``, ``alumni`` and ``known``; ``active`` says whether something is under
    way with it, and ``active_because`` what. ``why`` is a sentence, e.g. "Motivation 3 (a dream
    employer), a relevant posting, 2 alumni contacts and 1 person met. Below Ubuntu Health Trust
    on advocacy (4 against 7)."

    :param today: the day the active window counts back from; default today.
    :param rules: the rules to apply; default the workbook's own (or the defaults).
    """
    day = today or dt.date.today()
    rules = rules or load_rules(wb)
    orgs = views.organisations_to_rank(wb)
    if orgs.empty:
        return pd.DataFrame(columns=COLUMNS)
    df = orgs.join(advocacy(wb), on="organisation_id")
    df["posting"] = df["posting"].fillna(Posting.none.value)
    reasons = active_reasons(wb, day, weeks=rules.active_weeks)
    df["active"] = df["organisation_id"].map(lambda o: o in reasons)
    df["active_because"] = df["organisation_id"].map(lambda o: "; ".join(reasons.get(o, [])))
    df["motivation_key"] = -df["motivation"].fillna(0)
    df["posting_key"] = df["posting"].map({p.value: n for n, p in enumerate(POSTING_ORDER)})
    df["name_key"] = df["organisation"].str.casefold()
    df = df.sort_values(
        ["motivation_key", "posting_key", "advocacy", "name_key", "organisation_id"],
        ascending=[True, True, False, True, True],
    ).reset_index(drop=True)
    df.insert(0, "rank", range(1, len(df) + 1))
    whys: list[str] = []
    above: pd.Series | None = None
    for _, row in df.iterrows():
        rated = pd.notna(row["motivation"])
        motivation = _MOTIVATION_WORDS[int(row["motivation"])] if rated else "Motivation not rated"
        sentence = f"{motivation}, {_POSTING_WORDS[row['posting']]}, {_ties(row)}. {_place(row, above)}."
        if row["active"]:
            sentence += f" Active: {row['active_because']}."
        whys.append(sentence)
        above = row
    df["why"] = whys
    df["motivation"] = df["motivation"].astype("Int64")
    return df[COLUMNS]


def active_count(ranked: pd.DataFrame) -> int:
    """How many organisations of a ranked list are active."""
    return int(ranked["active"].sum()) if not ranked.empty else 0


def active_warning(ranked: pd.DataFrame, max_active: int) -> str | None:
    """A warning when more than *max_active* organisations of a ranked list are active, else None."""
    n = active_count(ranked)
    if n <= max_active:
        return None
    return (
        f"{n} organisations are active at once, more than {max_active}: finish or pause some "
        "before you start on another"
    )


# -- for notebooks and reports ---------------------------------------------------------------


@dataclass(frozen=True)
class TargetList:
    """A ranked target list with what a notebook or report shows beside it."""

    table: pd.DataFrame
    today: dt.date
    max_active: int
    active: int
    warning: str | None


@contextmanager
def _opened(workbook: Workbook | str | os.PathLike[str]) -> Iterator[Workbook]:
    if isinstance(workbook, Workbook):
        yield workbook
        return
    with Workbook.read(workbook) as wb:
        yield wb


def target_list(
    workbook: Workbook | str | os.PathLike[str],
    *,
    today: dt.date | None = None,
    max_active: int | None = None,
) -> TargetList:
    """The ranked targets of a workbook (open, or a path read without changing it), and the warning.

    :param max_active: the most organisations active at once; default the workbook's rule.
    """
    with _opened(workbook) as wb:
        rules = load_rules(wb)
        if max_active is not None:
            rules = rules.model_copy(update={"max_active": max_active})
        day = today or dt.date.today()
        ranked = targets(wb, today=day, rules=rules)
    return TargetList(
        ranked, day, rules.max_active, active_count(ranked), active_warning(ranked, rules.max_active)
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def standing(wb: Workbook, organisation_id: int | None) -> str:
    """Where one organisation stands on the target list, in a sentence a report can show, e.g.
    "Acacia Trust is 2nd of 4 on your target list: motivation 3, a relevant posting, 1 person
    met." Empty for no organisation.

    Only the ranking's own facts are said (not whether it is active now, which changes with the
    day), so a debrief report that shows this stays right until the records change.
    """
    if organisation_id is None:
        return ""
    ranked = targets(wb)
    found = ranked[ranked["organisation_id"] == organisation_id]
    if found.empty:
        return ""
    row = found.iloc[0]
    motivation = (
        f"motivation {int(row['motivation'])}" if pd.notna(row["motivation"]) else "motivation not rated"
    )
    return (
        f"{row['organisation']} is {_ordinal(int(row['rank']))} of {len(ranked)} on your target list: "
        f"{motivation}, {_POSTING_WORDS[row['posting']]}, {_ties(row)}."
    )
