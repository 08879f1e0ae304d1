"""A student's record of work: everything they entered, as one read-only page for an instructor.

Exported notebooks show no forms, so an instructor cannot read a student's work from them. This
page shows it all, section by section: the profile, organisations, findings, contacts, and each
interview with its plan, the letters sent and the debrief (answers, outcomes, insights, open
questions), then every open question. ``iivkit course report --records`` writes it beside each
feedback page as ``<page>-work.html``, in the parent process: it needs no kernel.

It reads through :mod:`iivkit.workbook.views` and renders with :mod:`iivkit.ui.presentation`
(autoescaped, one table template, one stylesheet). With ``anonymise``, every text that could
name a contact (names, emails and phone numbers, free text included) goes through the same
pseudonymiser as the feedback pages; the student keeps their name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Any, cast

import pandas as pd
from markupsafe import Markup

from iivkit.course.data import contact_pseudonymiser
from iivkit.ui import presentation
from iivkit.workbook import views
from iivkit.workbook.models import Contact, Finding, Interview, Organisation, Profile, Record
from iivkit.workbook.store import Workbook

SUFFIX = "-work"
"""What a record's file stem adds to its feedback page's: ``ana.html`` → ``ana-work.html``."""

CHOICES = frozenset(
    [
        "status",
        "medium",
        "how_found",
        "seniority",
        "focus_area",
        "posting",
        "confidence",
        "category",
        "outcome",
        "kind",
        "tiara",
    ]
)
"""Fields holding a choice: shown with spaces for underscores (``in_person`` → ``in person``)."""
NOT_TEXT = frozenset({"motivation", "duration_minutes", "to_test", "timezone"}) | CHOICES
"""Fields that hold no free text, so pseudonymising them is never needed."""

PROFILE_FIELDS = (
    "name",
    "email",
    "phone",
    "current_qualification",
    "previous_qualifications",
    "career_vision",
    "vision_and_targets",
    "careers_of_interest",
    "timezone",
)
ORGANISATION_FIELDS = (
    "name",
    "sector",
    "main_business",
    "divisions",
    "locations",
    "job_kinds",
    "website",
    "motivation",
    "posting",
    "notes",
)
FINDING_FIELDS = (
    "claim",
    "topic",
    "organisation",
    "source_title",
    "source_author",
    "source_date",
    "source_link",
    "confidence",
    "to_test",
    "notes",
)
CONTACT_FIELDS = (
    "name",
    "other_names",
    "role",
    "organisation",
    "email",
    "phone",
    "how_found",
    "referred_by",
    "referred_in",
    "seniority",
    "focus_area",
    "status",
    "notes",
)
ARRANGEMENT_FIELDS = ("status", "scheduled_at", "timezone", "duration_minutes", "medium", "place", "keywords")
DEBRIEF_FIELDS = ("salary_info", "environment_info", "chances_feedback", "next_questions", "notes")
LETTERS = (
    ("Invitation letter", "invitation_sent", "invitation_text"),
    ("Confirmation email", "confirmation_sent", "confirmation_text"),
    ("Thank-you note", "thank_you_sent", "thank_you_text"),
    ("Nudge", "nudge_sent", ""),
)
JOINED = {
    "organisation": "Organisation",
    "referred_by": "Referred by",
    "referred_in": "Suggested in the interview with",
}
"""Titles of the names :func:`~iivkit.workbook.views.work_records` puts beside the ids."""


def record_stem(page: str) -> str:
    """The file stem of the record beside the feedback page *page* (a stem too)."""
    return f"{page}{SUFFIX}"


def _title(model: type[Record], name: str) -> str:
    info = model.model_fields.get(name)
    return JOINED.get(name) or (info.title if info is not None and info.title else name.replace("_", " "))


class _Shown:
    """Turns stored values into the text a cell shows, pseudonymising free text when asked."""

    def __init__(self, text: Callable[[str], str] | None) -> None:
        self.text = text

    def __call__(self, name: str, value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(self(name, v) for v in value)
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return ""
        if name == "to_test":
            return "yes" if value else "no"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        shown = str(value)
        if name in CHOICES:
            return shown.replace("_", " ")
        if name == "scheduled_at":
            return shown.replace("T", " ")[:16]
        return self.text(shown) if self.text is not None and name not in NOT_TEXT else shown


def _fields_table(
    model: type[Record], row: pd.Series, fields: Sequence[str], shown: _Shown, caption: str
) -> str:
    """One record as a table of field and value, the fields in *fields* order."""
    rows = [[_title(model, f), shown(f, row.get(f))] for f in fields]
    return presentation.rows_html(["Field", "Entered"], rows, caption=caption)


def _records_table(
    model: type[Record],
    frame: pd.DataFrame,
    fields: Sequence[str],
    shown: _Shown,
    *,
    caption: str,
    empty: str,
) -> str:
    """Records of one type as one table, a row each, in id order."""
    rows = [[shown(f, row.get(f)) for f in fields] for _, row in frame.iterrows()]
    columns = [_title(model, f) for f in fields]
    return presentation.rows_html(columns, rows, empty=empty, caption=caption)


def _frame_table(
    frame: pd.DataFrame, columns: dict[str, str], shown: _Shown, *, caption: str, empty: str
) -> str:
    """A view's frame as one table: *columns* maps its columns to their headings."""
    rows = [[shown(c, row[c]) for c in columns] for _, row in frame.iterrows()]
    return presentation.rows_html(list(columns.values()), rows, empty=empty, caption=caption)


def _when(scheduled: Any) -> str:
    """``24 Nov 2026`` for a stored date and time; ``no date yet`` without one."""
    if not isinstance(scheduled, str) or not scheduled:
        return "no date yet"
    try:
        day = dt.datetime.fromisoformat(scheduled)
    except ValueError:
        return scheduled
    return f"{day.day} {day:%b %Y}"


_SECTION = presentation.template(
    """\
<section>
<h{{ level }} id="{{ anchor }}">{{ heading }}</h{{ level }}>
{%- for part in parts %}
{{ part }}
{%- endfor %}
</section>"""
)


def _section(level: int, heading: str, parts: Sequence[str], anchor: str = "") -> str:
    return _SECTION.render(
        level=level,
        heading=heading,
        anchor=anchor or re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-"),
        parts=[presentation.markup(p) for p in parts],
    )


def _interview(wb: Workbook, number: int, iid: int, row: pd.Series, shown: _Shown) -> str:
    """One interview: its arrangements, plan, letters and debrief, under an ``h3``."""
    who = shown("contact", row.get("contact")) or "someone not recorded"
    org = shown("organisation", row.get("organisation"))
    heading = f"Interview {number}: {who}{f' ({org})' if org else ''}, {_when(row.get('scheduled_at'))}"
    arrangements = _fields_table(Interview, row, ARRANGEMENT_FIELDS, shown, "Arrangements")
    plan = _frame_table(
        views.interview_plan(wb, iid),
        {
            "category": "Category",
            "question": "Question",
            "finding_shared": "Finding shared",
            "answer": "Answer",
        },
        shown,
        caption=f"Planned questions and answers noted, interview {number}",
        empty="No questions planned.",
    )
    letters = []
    for title, sent, text in LETTERS:
        if row.get(sent) or (text and row.get(text)):
            letters.append(
                [title, shown(sent, row.get(sent)) or "not sent", shown(text, row.get(text)) if text else ""]
            )
    for day in row.get("check_ins_sent") or []:
        letters.append(["Check-in", shown("check_ins_sent", day), ""])
    letters_html = presentation.rows_html(
        ["Letter", "Sent", "Text"],
        letters,
        empty="No letters written.",
        caption=f"Letters, interview {number}",
    )
    notes = _fields_table(Interview, row, DEBRIEF_FIELDS, shown, f"Debrief notes, interview {number}")
    outcomes = _frame_table(
        views.interview_outcomes(wb, iid),
        {"claim": "Finding", "outcome": "Outcome", "note": "What they said"},
        shown,
        caption=f"Findings tested, interview {number}",
        empty="No findings tested.",
    )
    insights = _frame_table(
        views.interview_insights(wb, iid),
        {"kind": "Kind", "tiara": "TIARA", "text": "Insight"},
        shown,
        caption=f"Insights, interview {number}",
        empty="No insights recorded.",
    )
    questions = _frame_table(
        views.interview_open_questions(wb, iid),
        {
            "question": "Question",
            "how_to_answer": "How to answer it",
            "ask_next": "Ask",
            "status": "Status",
            "answer": "Answer",
        },
        shown,
        caption=f"Open questions raised, interview {number}",
        empty="No open questions raised.",
    )
    parts = [
        arrangements,
        _section(4, "Plan", [plan], anchor=f"interview-{number}-plan"),
        _section(4, "Letters", [letters_html], anchor=f"interview-{number}-letters"),
        _section(4, "Debrief", [notes, outcomes, insights, questions], anchor=f"interview-{number}-debrief"),
    ]
    return _section(3, heading, parts, anchor=f"interview-{number}")


_PAGE = presentation.template(
    """\
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title>{{ style }}
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em auto; max-width: 70em; padding: 0 1em; }
caption { text-align: left; font-weight: 600; padding: 0.3em 0; }
@media print { body { max-width: none; margin: 0; } table.iiv-table { font-size: 0.8em; } }
</style></head>
<body>
<main>
<h1>{{ title }}</h1>
<p>Everything {{ student }} entered in their workbook, read-only, as it stood on {{ made }}.
{%- if anonymised %} Contacts' names, emails and phone numbers are pseudonymised.{% endif %}</p>
{%- if links %}
<nav aria-label="Related pages"><ul>
{%- for href, text in links %}
<li><a href="{{ href }}">{{ text }}</a></li>
{%- endfor %}
</ul></nav>
{%- endif %}
{%- for s in sections %}
{{ s }}
{%- endfor %}
</main>
</body></html>
"""
)


def record_html(
    wb: Workbook,
    student: str,
    *,
    anonymise: bool = False,
    feedback: str = "",
    summary: str = "",
    today: dt.date | None = None,
) -> str:
    """The record of everything *student* entered in *wb*, as one HTML page.

    :param anonymise: pseudonymise contacts' names, emails and phone numbers in every text.
    :param feedback: the student's feedback page, to link to (a relative URL); none if empty.
    :param summary: the class summary, to link to; none if empty.
    :param today: the day the page says it was made; default today.
    """
    shown = _Shown(contact_pseudonymiser(wb).text if anonymise else None)
    records = views.work_records(wb)
    profile = records["profile"]
    name = str(profile.iloc[0]["name"]) if len(profile) and profile.iloc[0]["name"] else student
    # The student is no third party: their own name stays, as on the feedback page.
    keep_name = _Shown(None)
    if len(profile):
        row = profile.iloc[0]
        cells = [
            [_title(Profile, f), (keep_name if f == "name" else shown)(f, row.get(f))] for f in PROFILE_FIELDS
        ]
        profile_html = presentation.rows_html(["Field", "Entered"], cells, caption="Profile")
    else:
        profile_html = presentation.rows_html([], [], empty="No profile filled in.")
    interviews = records["interviews"]
    interview_parts = [
        _interview(wb, n, int(cast(int, iid)), row, shown)
        for n, (iid, row) in enumerate(interviews.iterrows(), start=1)
    ] or [presentation.rows_html([], [], empty="No interviews recorded.")]
    sections = [
        _section(2, "Profile", [profile_html]),
        _section(
            2,
            "Organisations",
            [
                _records_table(
                    Organisation,
                    records["organisations"],
                    ORGANISATION_FIELDS,
                    shown,
                    caption=f"Organisations researched ({len(records['organisations'])})",
                    empty="No organisations recorded.",
                )
            ],
        ),
        _section(
            2,
            "Findings",
            [
                _records_table(
                    Finding,
                    records["findings"],
                    FINDING_FIELDS,
                    shown,
                    caption=f"Findings from research ({len(records['findings'])})",
                    empty="No findings recorded.",
                )
            ],
        ),
        _section(
            2,
            "Contacts",
            [
                _records_table(
                    Contact,
                    records["contacts"],
                    CONTACT_FIELDS,
                    shown,
                    caption=f"Contacts ({len(records['contacts'])})",
                    empty="No contacts recorded.",
                )
            ],
        ),
        _section(2, "Interviews", interview_parts),
        _section(
            2,
            "Open questions",
            [
                _frame_table(
                    views.open_questions_entered(wb),
                    {
                        "question": "Question",
                        "raised_with": "Raised with",
                        "how_to_answer": "How to answer it",
                        "ask": "Ask",
                        "status": "Status",
                        "answer": "Answer",
                    },
                    shown,
                    caption="Every open question, whatever its status",
                    empty="No open questions recorded.",
                )
            ],
        ),
    ]
    links = [
        (href, text)
        for href, text in ((feedback, f"Feedback for {name}"), (summary, "Class summary"))
        if href
    ]
    return _PAGE.render(
        title=f"Work of {name}",
        student=name,
        made=(today or dt.date.today()).isoformat(),
        anonymised=anonymise,
        links=links,
        style=presentation.markup(presentation.STYLESHEET),
        sections=[Markup(s) for s in sections],
    )


_LINK = presentation.template('<p class="iiv-record-link"><a href="{{ href }}">{{ text }}</a></p>')
LINK_TEXT = "Record of work: everything entered in this workbook"


def with_link(page: str, href: str) -> str:
    """*page* (a feedback page's HTML) with a link to the record *href* at the top of its content."""
    link = _LINK.render(href=href, text=LINK_TEXT)
    for opening in (r"<main[^>]*>", r"<body[^>]*>"):
        found = re.search(opening, page)
        if found:
            return page[: found.end()] + "\n" + link + page[found.end() :]
    return link + "\n" + page
