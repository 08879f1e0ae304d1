"""The funnel: how many people were invited, replied, met, and then referred someone.

Each contact reaches the stages in order, worked out from the records:

- **invited**: the contact's status is past ``identified``, or one of their interviews was
  invited (its status is past ``planned``, or it has an invitation date);
- **replied**: they answered, yes or no: status ``confirmed``, ``interviewed``, ``thanked`` or
  ``declined``, or an interview with them confirmed or held;
- **met**: an interview with them took place (done or debriefed), or their status is
  ``interviewed`` or ``thanked``;
- **referral**: they were met and suggested someone else: another contact names them under
  "referred by", or was suggested in an interview with them.

A later stage counts as every earlier one (someone met was invited and replied, even if the
invitation was never recorded), so each stage holds at most as many people as the one before.
The rates are each stage's people over the previous stage's: the reply rate over those
invited, the meeting rate over those who replied, the referral rate over those met.
"""

from __future__ import annotations

import pandas as pd

from iivkit.workbook import views
from iivkit.workbook.models import ContactStatus, InterviewStatus
from iivkit.workbook.store import Workbook

STAGES = ("invited", "replied", "met", "referral")
"""The funnel's stages, in order."""

RATES = {"replied": "reply_rate", "met": "meeting_rate", "referral": "referral_rate"}
"""Each stage's rate column: its people over the previous stage's."""

NO_ORGANISATION = "(no organisation)"
"""The name under which contacts without an organisation are counted."""

_REPLIED = (ContactStatus.confirmed, ContactStatus.interviewed, ContactStatus.thanked, ContactStatus.declined)
_MET = (ContactStatus.interviewed, ContactStatus.thanked)


def _values(items: tuple[ContactStatus, ...] | tuple[InterviewStatus, ...]) -> str:
    return ", ".join(f"'{s.value}'" for s in items)


def funnel_contacts(wb: Workbook) -> pd.DataFrame:
    """One row per contact: their organisation and which stages they reached (True/False)."""
    df = views.contact_stages(
        wb,
        replied=[s.value for s in _REPLIED],
        met=[s.value for s in _MET],
        no_organisation=NO_ORGANISATION,
    )
    for col in ("invited", "replied", "met", "referred"):
        df[col] = df[col].astype(bool)
    # A later stage implies the earlier ones; a referral counts only from someone met.
    df["referral"] = df["referred"] & df["met"]
    df["replied"] = df["replied"] | df["met"]
    df["invited"] = df["invited"] | df["replied"]
    return df.drop(columns="referred")


def _with_rates(counts: pd.DataFrame) -> pd.DataFrame:
    previous = "invited"
    for stage in STAGES[1:]:
        before = counts[previous]
        counts[RATES[stage]] = (counts[stage] / before.where(before > 0)).round(3)
        previous = stage
    return counts


def funnel(wb: Workbook) -> pd.DataFrame:
    """The whole workbook's funnel: one row per stage, with people and the rate from the stage before.

    Columns ``stage``, ``people``, ``rate`` (None for the first stage, and where the stage
    before has nobody) and ``of_invited`` (the share of everyone invited who got this far).
    """
    contacts = funnel_contacts(wb)
    people = [int(contacts[s].sum()) for s in STAGES]
    invited = people[0]
    rows = []
    for n, (stage, count) in enumerate(zip(STAGES, people, strict=True)):
        before = people[n - 1] if n else None
        rows.append(
            {
                "stage": stage,
                "people": count,
                "rate": round(count / before, 3) if before else None,
                "of_invited": round(count / invited, 3) if invited else None,
            }
        )
    return pd.DataFrame(rows, columns=["stage", "people", "rate", "of_invited"])


def funnel_by_organisation(wb: Workbook) -> pd.DataFrame:
    """The funnel per organisation: people at each stage and the three rates.

    One row per organisation with at least one contact, by name, then contacts without an
    organisation as ``(no organisation)``. Columns ``organisation_id``, ``organisation``,
    ``contacts``, ``invited``, ``replied``, ``met``, ``referral``, ``reply_rate``,
    ``meeting_rate`` and ``referral_rate`` (missing where the stage before has nobody).
    """
    contacts = funnel_contacts(wb)
    columns = ["organisation_id", "organisation", "contacts", *STAGES, *RATES.values()]
    if contacts.empty:
        return pd.DataFrame(columns=columns)
    contacts["organisation_id"] = contacts["organisation_id"].astype("Int64")
    grouped = contacts.groupby(["organisation_id", "organisation"], dropna=False, sort=False)
    counts = grouped[list(STAGES)].sum().astype(int)
    counts.insert(0, "contacts", grouped.size())
    counts = _with_rates(counts.reset_index())
    counts["unassigned"] = counts["organisation_id"].isna()
    counts["name_key"] = counts["organisation"].str.casefold()
    counts = counts.sort_values(["unassigned", "name_key", "organisation_id"]).reset_index(drop=True)
    return counts[columns]


def funnel_summary(wb: Workbook) -> dict[str, float | int | None]:
    """The funnel in one line per workbook, for a class summary: people per stage and the rates."""
    overall = funnel(wb).set_index("stage")
    out: dict[str, float | int | None] = {s: int(overall.loc[s, "people"]) for s in STAGES}
    for stage, column in RATES.items():
        rate = overall.loc[stage, "rate"]
        out[column] = None if pd.isna(rate) else float(rate)
    return out


def funnel_text(summary: dict[str, float | int | None]) -> str:
    """:func:`funnel_summary` on one line: "6 → 4 (67%) → 2 (50%) → 2 (100%)"."""
    parts = [str(summary["invited"])]
    for stage, column in RATES.items():
        rate = summary[column]
        parts.append(f"{summary[stage]}" + ("" if rate is None else f" ({round(float(rate) * 100)}%)"))
    return " → ".join(parts)
