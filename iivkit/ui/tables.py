"""pandas views of a workbook, styled for reading in a notebook.

Each function returns a :class:`pandas.io.formats.style.Styler`: the data of a view in
:mod:`iivkit.workbook.views` (or the follow-up rules), with readable column names, outcomes and
statuses in colour, and user text escaped wherever it lands (cells, row and column labels,
captions) so that a name or note holding ``<script>`` shows as text.
Long tables show their first rows with a note saying how many were left out; pass
``limit=None`` to see everything.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import pandas as pd
from pandas.io.formats.style import Styler

from iivkit.ui import presentation
from iivkit.ui.live import LiveView
from iivkit.workbook import views
from iivkit.workbook.store import Workbook

if TYPE_CHECKING:
    from pandas.io.formats.style_render import CSSDict

DEFAULT_LIMIT = 40
"""Rows shown before a table is cut; enough to scan, short enough to scroll past."""

TEXT_LIMIT = 160
"""Characters of free text shown per cell; the full text stays in the workbook."""

COLOURS = {status: shade.background for status, shade in presentation.PALETTE.items()}
"""Status → background colour of its cell: the tints of the shared palette."""

TABLE_STYLES: list[CSSDict] = [
    {"selector": "td", "props": "text-align:left; vertical-align:top; max-width:32em; white-space:normal"},
    {"selector": "th", "props": "text-align:left; vertical-align:top"},
    {"selector": "caption", "props": "caption-side:bottom; text-align:left; color:#555; padding-top:4px"},
]


def _cell_text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str):
        value = value.replace("_", " ") if value.isidentifier() else value
        one_line = " ".join(value.split())
        return one_line if len(one_line) <= TEXT_LIMIT else one_line[: TEXT_LIMIT - 1] + "…"
    return value


def _colour(value: Any) -> str:
    colour = presentation.background(value)
    return f"background-color:{colour}" if colour else ""


def _escaped(df: pd.DataFrame) -> Styler:
    """*df* styled with every piece of user text escaped: cells, row and column labels, level names.

    Labels come from user data too (the evidence table's columns are contact names), and a
    notebook renders the table as HTML, so none of it may reach the page as markup.
    """
    names_formattable = hasattr(Styler, "format_index_names")  # pandas >= 3
    if not names_formattable:  # older pandas renders level names as they are: escape them here
        df = df.copy(deep=False)
        df.index = df.index.set_names([_escape_name(n) for n in df.index.names])
        df.columns = df.columns.set_names([_escape_name(n) for n in df.columns.names])
    styler = df.style.format(escape="html")
    for axis in (0, 1):
        styler = styler.format_index(escape="html", axis=axis)  # every level of a MultiIndex
        if names_formattable:
            styler = styler.format_index_names(escape="html", axis=axis)
    return styler


def _escape_name(name: Any) -> Any:
    return html.escape(name) if isinstance(name, str) else name


def styled(
    df: pd.DataFrame,
    *,
    limit: int | None = DEFAULT_LIMIT,
    caption: str = "",
    coloured: list[str] | None = None,
    empty: str = "Nothing here yet.",
    total: int | None = None,
) -> Styler:
    """Any frame as a display table: cut to *limit* rows, text escaped, *coloured* columns tinted.

    :param coloured: columns whose values (outcomes, statuses) pick a background colour.
    :param empty: what to say when there are no rows.
    :param total: rows in the whole table, when *df* holds only its first ones.
    """
    total = len(df) if total is None else total
    shown = df if limit is None or total <= limit else df.head(limit)
    shown = shown.astype(object).map(_cell_text)
    notes = [caption] if caption else []
    if total == 0:
        notes.append(empty)
    elif len(shown) < total:
        notes.append(f"Showing the first {len(shown)} of {total} rows; pass limit=None to see all.")
    styler = _escaped(shown).set_table_styles(TABLE_STYLES)
    if notes:
        styler = styler.set_caption(html.escape(" ".join(notes)))
    if total == 0:
        # An empty table is as narrow as its headers; give its sentence room to read.
        styler = styler.set_table_styles([{"selector": "", "props": "min-width:32em"}], overwrite=False)
    cols: list[Hashable] = [c for c in (coloured or []) if c in shown.columns]
    if cols:
        styler = styler.map(_colour, subset=cols)
    return styler


def _titled(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    return df[[c for c in names if c in df.columns]].rename(columns=names)


def findings(wb: Workbook, *, limit: int | None = DEFAULT_LIMIT, to_test_only: bool = False) -> Styler:
    """The research findings: claim, topic, organisation, source, confidence, and whether to test it."""
    df = views.findings_with_sources(wb)
    if to_test_only:
        df = df[df["to_test"] == 1]
    df["to_test"] = df["to_test"].map({1: "✔", 0: ""})
    df.index.name = "#"
    names = {
        "claim": "Claim",
        "topic": "Topic",
        "organisation": "Organisation",
        "source": "Source",
        "confidence": "Confidence",
        "to_test": "Test",
    }
    return styled(
        _titled(df, names),
        limit=limit,
        empty="No findings yet: add them with the Finding form in 01_research.",
    )


def pipeline(wb: Workbook, *, limit: int | None = DEFAULT_LIMIT) -> Styler:
    """Every contact, in pipeline order, with their status coloured."""
    df = views.pipeline(wb).set_index("contact_id")
    df.index.name = "#"
    df["status"] = df["status"].astype(str)
    df["last_scheduled"] = df["last_scheduled"].fillna("").astype(str).str.slice(0, 16).str.replace("T", " ")
    names = {
        "status": "Status",
        "name": "Name",
        "role": "Role",
        "organisation": "Organisation",
        "seniority": "Seniority",
        "focus_area": "Focus",
        "interviews_done": "Interviews done",
        "last_scheduled": "Last scheduled",
    }
    return styled(
        _titled(df, names),
        limit=limit,
        coloured=["Status"],
        empty="No contacts yet: add the people to talk to in 01_research.",
    )


def evidence(wb: Workbook, *, limit: int | None = DEFAULT_LIMIT) -> Styler:
    """Findings × interviews: each cell the outcome, coloured; the status column sums them up."""
    status = views.evidence_status(wb)
    # The matrix is findings x interviews: build it for the rows shown only.
    df = views.evidence_grid(wb, status if limit is None else status.head(limit), whole=limit is None)
    df.index.name = "#"
    fixed = ["status", "claim", "n_confirmed", "n_refuted", "n_mixed"]
    interview_cols = [
        c for c in df.columns if c not in {*fixed, "topic", "organisation", "confidence", "to_test"}
    ]
    out = df[[*fixed, *interview_cols]].copy()
    out["status"] = out["status"].astype(str)
    out = out.rename(
        columns={
            "status": "Evidence",
            "claim": "Claim",
            "n_confirmed": "✔",
            "n_refuted": "✘",
            "n_mixed": "±",
        }
    )
    return styled(
        out,
        limit=limit,
        coloured=["Evidence", *interview_cols],
        caption="✔ confirmed, ✘ refuted, ± mixed: how many interviews said so.",
        empty="No findings marked to test yet.",
        total=len(status),
    )


def open_questions(
    wb: Workbook, *, limit: int | None = DEFAULT_LIMIT, include_closed: bool = False
) -> Styler:
    """The open-question backlog, each with how to answer it and whom to ask."""
    df = views.open_questions(wb, include_closed=include_closed)
    df.index.name = "#"
    names = {
        "question": "Question",
        "how_to_answer": "How to answer it",
        "suggested_contact": "Ask",
        "raised_with": "Raised with",
        "status": "Status",
    }
    return styled(_titled(df, names), limit=limit, empty="No open questions: well done.")


def follow_up_queue(
    wb: Workbook, *, today: dt.date | None = None, limit: int | None = DEFAULT_LIMIT
) -> Styler:
    """What to do next, as ``iivkit due`` lists it: the follow-ups (thank-you notes, nudges,
    check-ins) and the next actions (invite, confirm, debrief, find someone to ask, park an
    employer), each with its day and why."""
    from iivkit.method.next_actions import next_actions

    df = next_actions(wb, today or dt.date.today())
    df["kind"] = df["kind"].astype(str).str.replace("_", " ").str.capitalize()
    names = {
        "due_date": "Due",
        "state": "State",
        "kind": "Action",
        "contact": "Contact",
        "organisation": "Organisation",
        "why": "Why",
    }
    return styled(
        _titled(df, names).reset_index(drop=True),
        limit=limit,
        coloured=["State"],
        empty="Nothing to follow up today.",
    )


def plan(wb: Workbook, interview_id: int, *, limit: int | None = None) -> Styler:
    """One interview's question plan in order, as the printable interview guide shows it."""
    names = {"number": "No.", "category": "Category", "question": "Question", "finding": "Finding to share"}
    df = views.plan_with_findings(wb, interview_id).rename(columns=names).set_index("No.")
    return styled(df, limit=limit, empty="No questions planned yet: build the plan above.")


READS: dict[str, frozenset[str]] = {
    "findings": frozenset({"findings", "organisations"}),
    "pipeline": frozenset({"contacts", "organisations", "interviews"}),
    "evidence": frozenset({"findings", "finding_outcomes", "interviews", "contacts"}),
    "open_questions": frozenset({"open_questions", "contacts", "interviews"}),
    "plan": frozenset({"planned_questions", "findings"}),
    "strengths": frozenset({"insights", "interviews", "contacts"}),
    "development_areas": frozenset({"insights", "interviews", "contacts"}),
}
"""The workbook tables each view reads; a view not listed redraws after any change (the
follow-up queue reads contacts, interviews, the profile and the rules)."""


def live(view: Callable[..., Styler], wb: Workbook, *args: Any, **kwargs: Any) -> LiveView:
    """*view* (one of the tables above) as a widget that redraws itself after every save that
    changes what it shows: ``tables.live(tables.findings, wb)``.

    :param args: further arguments of *view* (``tables.live(tables.plan, wb, interview_id)``).
    """
    name = view.__name__
    return LiveView(wb, lambda: view(wb, *args, **kwargs).to_html(), name=name, tables=READS.get(name))


# -- the target list and the funnel --------------------------------------------------------


def targets(
    wb: Workbook,
    *,
    today: dt.date | None = None,
    max_active: int | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> Styler:
    """Organisations ranked LAMP-style (motivation, posting, advocacy), each with why, and a
    warning under the table when too many are active at once."""
    from iivkit.method.targets import target_list

    found = target_list(wb, today=today, max_active=max_active)
    df = found.table.set_index("rank")
    df.index.name = "#"
    df["motivation"] = df["motivation"].map(lambda m: "" if pd.isna(m) else str(m))
    df["active"] = df["active"].map({True: "yes", False: ""})
    names = {
        "organisation": "Organisation",
        "motivation": "Motivation",
        "posting": "Posting",
        "advocacy": "Advocacy",
        "active": "Active",
        "why": "Why",
    }
    caption = f"Warning: {found.warning}." if found.warning else ""
    return styled(
        _titled(df, names),
        limit=limit,
        caption=caption,
        empty="No organisations yet: add the ones you want to work for, then rate your motivation.",
    )


def funnel(wb: Workbook, *, limit: int | None = DEFAULT_LIMIT) -> Styler:
    """People invited, replied, met and giving a referral, overall (the first row) and per
    organisation, with each step's rate."""
    from iivkit.method.funnel import RATES, STAGES, funnel_by_organisation, funnel_summary

    df = funnel_by_organisation(wb).drop(columns="organisation_id")
    if not df.empty:
        overall = funnel_summary(wb)
        total = {"organisation": "All organisations", "contacts": int(df["contacts"].sum())}
        total.update({s: overall[s] for s in STAGES})
        total.update({rate: overall[rate] for rate in RATES.values()})
        df = pd.concat([pd.DataFrame([total]), df], ignore_index=True)
    for stage, rate in RATES.items():
        df[stage] = [
            f"{n} ({'-' if pd.isna(r) else f'{round(float(r) * 100)}%'})"
            for n, r in zip(df[stage], df[rate], strict=True)
        ]
    names = {
        "organisation": "Organisation",
        "contacts": "Contacts",
        "invited": "Invited",
        "replied": "Replied",
        "met": "Met",
        "referral": "Gave a referral",
    }
    return styled(
        _titled(df, names).reset_index(drop=True),
        limit=limit,
        empty="No contacts yet: the funnel starts when you invite someone.",
    )


# -- strengths and areas to develop ---------------------------------------------------------


def strengths(wb: Workbook, *, limit: int | None = DEFAULT_LIMIT) -> Styler:
    """The strengths the people you met saw in you, the one the most people saw first, with who."""
    from iivkit.method.growth import strengths_frame

    names = {"strength": "Strength", "people": "People", "who": "Who saw it"}
    return styled(
        _titled(strengths_frame(wb), names),
        limit=limit,
        empty="No strengths noted yet: record what people say about you in the debrief (03_debrief).",
    )


def development_areas(wb: Workbook, *, limit: int | None = DEFAULT_LIMIT) -> Styler:
    """The areas to develop people named, the one the most people named first, with their advice;
    an area is addressed once someone names it as a strength in a later interview."""
    from iivkit.method.growth import development_frame

    names = {
        "area": "Area to develop",
        "people": "People",
        "who": "Named by",
        "advice": "Advice",
        "status": "Status",
    }
    return styled(
        _titled(development_frame(wb), names),
        limit=limit,
        empty="No areas to develop noted yet: record them in the debrief (03_debrief).",
    )
