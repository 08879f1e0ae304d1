"""The printable interview guide: who, when, the keywords, the questions in order, and what you
know about each finding you will raise, on one page to take into the meeting.

The guide follows the plan as it stands: the plan being edited in the plan editor (saved or
not), else the saved plan, else the planner's suggestion. Each finding appears once, under the
first question that raises it, with its source and what each earlier interview said about it.
The guide is one self-contained HTML document (no scripts, no network) with space under each
question for notes; every piece of user text in it is escaped.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence

from iivkit.method.bank import CATEGORY_LABELS, normalise
from iivkit.method.dates import day_month, long_datetime
from iivkit.method.planner import Plan, PlanItem, plan
from iivkit.method.synthesis import heard_about
from iivkit.ui.forms.plan_editor import current_plan_for, on_plan_change
from iivkit.ui.live import LiveView
from iivkit.workbook.models import Contact, Finding, Interview, Organisation, Outcome, PlannedQuestion
from iivkit.workbook.store import Workbook

READS = frozenset(
    {
        "interviews",
        "contacts",
        "organisations",
        "planned_questions",
        "findings",
        "finding_outcomes",
        "open_questions",
        "questions",
        "profile",
    }
)
"""The workbook tables the guide reads (the planner's suggestion reads the last four too)."""

_CSS = """
.iiv-guide { font-family: Georgia, serif; max-width: 46em; color: #111; }
.iiv-guide h2 { margin-bottom: 0.2em; }
.iiv-guide .meta { color: #444; margin: 0 0 1em; }
.iiv-guide h4 { margin: 1.2em 0 0.3em; border-bottom: 1px solid #ccc; }
.iiv-guide li { margin-bottom: 1.6em; }
.iiv-guide .share { font-size: 90%; color: #333; margin-top: 0.3em; }
.iiv-guide .share ul { margin: 0.2em 0 0 1.2em; padding: 0; }
.iiv-guide .share li { margin-bottom: 0.2em; }
@media print { .iiv-guide li { page-break-inside: avoid; } }
"""

_SAID = {Outcome.confirmed: "agreed", Outcome.refuted: "disagreed", Outcome.mixed: "partly agreed"}


def _e(value: object) -> str:
    return html.escape(str(value))


def _saved_items(wb: Workbook, interview_id: int) -> list[PlanItem]:
    saved = sorted(wb.all(PlannedQuestion, interview_id=interview_id), key=lambda q: (q.position, q.id or 0))
    return [PlanItem(q.category, q.text, q.reason, q.finding_id, q.source_question) for q in saved]


def _finding_notes(wb: Workbook, finding: Finding, question: str, contact_id: int) -> str:
    """The source of a finding and what each earlier interview said about it; the claim itself
    only when the question does not already quote it."""
    parts = []
    if normalise(finding.claim.rstrip(".")) not in normalise(question):
        parts.append(f"Finding: “{_e(finding.claim)}”")
    source = ", ".join(
        x
        for x in (
            finding.source_title,
            finding.source_author,
            str(finding.source_date.year) if finding.source_date else "",
        )
        if x
    )
    if source:
        parts.append(f"Source: {_e(source)}")
    said = []
    for h in heard_about(wb, finding.id or 0):
        if h.contact_id == contact_id:
            continue
        where = ", ".join(x for x in (h.organisation, day_month(h.day) if h.day else "") if x)
        note = f": “{_e(h.note)}”" if h.note else ""
        said.append(
            f"<li>{_e(h.contact)}" + (f" ({_e(where)})" if where else "") + f" {_SAID[h.outcome]}{note}</li>"
        )
    body = "<br>".join(parts)
    if said:
        body += ("<br>" if body else "") + "What earlier interviews said:<ul>" + "".join(said) + "</ul>"
    return f"<div class='share'>{body}</div>" if body else ""


def interview_guide_html(wb: Workbook, interview_id: int, current: Plan | None = None) -> str:
    """The guide for interview *interview_id* as an HTML fragment with its own style.

    :param current: the plan to show, e.g. the one in the plan editor; by default the saved
        plan, or the planner's suggestion when nothing is saved.
    """
    interview = wb.get(Interview, interview_id)
    contact = wb.get(Contact, interview.contact_id)
    org = wb.get(Organisation, contact.organisation_id) if contact.organisation_id else None
    note = ""
    items: Sequence[PlanItem]
    if current is not None:
        items = current.items
    else:
        items = _saved_items(wb, interview_id)
        if not items:
            items = plan(wb, interview.contact_id, interview.duration_minutes).items
            note = (
                "<p><b>The planner's suggestion, not saved yet.</b> Change and save it in the plan "
                "editor; the guide follows.</p>"
            )
    findings = {f.id: f for f in wb.all(Finding)}

    when = long_datetime(interview.scheduled_at) if interview.scheduled_at else "date not set"
    who = ", ".join(x for x in (contact.role, org.name if org else "") if x)
    meta = [
        f"<b>With:</b> {_e(contact.name)}" + (f" ({_e(who)})" if who else ""),
        f"<b>When:</b> {_e(when)} {_e(interview.timezone)} · {interview.duration_minutes} minutes · "
        f"{_e(interview.medium.value.replace('_', ' '))}"
        + (f" · {_e(interview.place)}" if interview.place else ""),
    ]
    if interview.keywords:
        meta.append(f"<b>Keywords sent:</b> {_e(', '.join(interview.keywords))}")

    parts = [
        f"<style>{_CSS}</style><div class='iiv-guide'>",
        f"<h2>Interview guide: {_e(contact.name)}</h2>",
        f"<p class='meta'>{'<br>'.join(meta)}</p>",
        "<p><i>Thank them for their time, say in a sentence who you are and why you asked, and keep "
        "to the time you agreed. Listen more than you talk; note what surprises you.</i></p>",
        note,
    ]
    if not items:
        parts.append("<p><b>No questions planned yet.</b> Tick some in the plan editor.</p>")
    category = None
    shown: set[int] = set()
    for number, item in enumerate(items):
        if item.category != category:
            if category is not None:
                parts.append("</ol>")
            category = item.category
            parts.append(f"<h4>{_e(CATEGORY_LABELS[item.category])}</h4><ol start='{number + 1}'>")
        share = ""
        finding = findings.get(item.finding_id) if item.finding_id else None
        if finding is not None and finding.id not in shown:
            shown.add(finding.id or 0)
            share = _finding_notes(wb, finding, item.text, contact.id or 0)
        parts.append(f"<li>{_e(item.text)}{share}</li>")
    if category is not None:
        parts.append("</ol>")
    parts.append(
        "<h4>Before you leave</h4><ul><li>Ask who else you should talk to, and whether you may use "
        "their name.</li><li>Thank them. Send a specific thank-you note within a day or two.</li></ul>"
    )
    parts.append("</div>")
    return "\n".join(p for p in parts if p)


def guide_download_link(wb: Workbook, interview_id: int, current: Plan | None = None) -> str:
    """An HTML link that downloads the guide as a standalone page to print."""
    doc = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Interview guide</title></head><body>"
        f"{interview_guide_html(wb, interview_id, current)}</body></html>"
    )
    data = base64.b64encode(doc.encode("utf-8")).decode("ascii")
    return (
        f"<a download='interview-{interview_id}-guide.html' href='data:text/html;base64,{data}' "
        "style='font-weight:bold'>⬇ Download the guide to print</a>"
    )


def live(wb: Workbook, interview_id: int) -> LiveView:
    """The download link and the guide, redrawn whenever the plan (in the plan editor too, before
    it is saved), the meeting or the person changes (CSS class ``iiv-live-guide``)."""

    def render() -> str:
        current = current_plan_for(wb, interview_id)
        return guide_download_link(wb, interview_id, current) + interview_guide_html(
            wb, interview_id, current
        )

    view = LiveView(wb, render, name="guide", tables=READS)

    def edited() -> bool:
        if view.widget.comm is None:  # the guide was closed: stop following the editor
            return False
        view.refresh()
        return True

    on_plan_change(wb, interview_id, edited)
    return view
