"""The printable interview guide: who, when, the keywords, the questions in order, and the
findings to share, on one page to take into the meeting.

The guide is one self-contained HTML document (no scripts, no network) with space under each
question for notes; every piece of user text in it is escaped.
"""

from __future__ import annotations

import base64
import html

from iivkit.ui.live import LiveView
from iivkit.workbook.models import Contact, Finding, Interview, Organisation, PlannedQuestion
from iivkit.workbook.store import Workbook

READS = frozenset({"interviews", "contacts", "organisations", "planned_questions", "findings"})
"""The workbook tables the guide reads."""

_CSS = """
.iiv-guide { font-family: Georgia, serif; max-width: 46em; color: #111; }
.iiv-guide h2 { margin-bottom: 0.2em; }
.iiv-guide .meta { color: #444; margin: 0 0 1em; }
.iiv-guide h4 { margin: 1.2em 0 0.3em; border-bottom: 1px solid #ccc; }
.iiv-guide li { margin-bottom: 1.6em; }
.iiv-guide .share { font-size: 90%; color: #333; margin-top: 0.3em; }
@media print { .iiv-guide li { page-break-inside: avoid; } }
"""


def _e(value: object) -> str:
    return html.escape(str(value))


def interview_guide_html(wb: Workbook, interview_id: int) -> str:
    """The guide for interview *interview_id* as an HTML fragment with its own style."""
    interview = wb.get(Interview, interview_id)
    contact = wb.get(Contact, interview.contact_id)
    org = wb.get(Organisation, contact.organisation_id) if contact.organisation_id else None
    planned = sorted(
        wb.all(PlannedQuestion, interview_id=interview_id), key=lambda q: (q.position, q.id or 0)
    )
    findings = {f.id: f for f in wb.all(Finding)}

    when = interview.scheduled_at.strftime("%A %d %B %Y, %H:%M") if interview.scheduled_at else "date not set"
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
    ]
    if not planned:
        parts.append("<p><b>No questions planned yet.</b> Build the plan first.</p>")
    category = None
    for number, q in enumerate(planned):
        if q.category != category:
            if category is not None:
                parts.append("</ol>")
            category = q.category
            parts.append(
                f"<h4>{_e(q.category.value.replace('_', ' ').capitalize())}</h4><ol start='{number + 1}'>"
            )
        share = ""
        finding = findings.get(q.finding_id) if q.finding_id else None
        if finding is not None:
            source = ", ".join(x for x in (finding.source_title, finding.source_author) if x)
            share = (
                f"<div class='share'>Share: “{_e(finding.claim)}”"
                + (f" ({_e(source)})" if source else "")
                + "</div>"
            )
        parts.append(f"<li>{_e(q.text)}{share}</li>")
    if category is not None:
        parts.append("</ol>")
    parts.append(
        "<h4>Before you leave</h4><ul><li>Ask who else you should talk to, and whether you may use "
        "their name.</li><li>Thank them. Send a specific thank-you note within a day or two.</li></ul>"
    )
    parts.append("</div>")
    return "\n".join(parts)


def guide_download_link(wb: Workbook, interview_id: int) -> str:
    """An HTML link that downloads the guide as a standalone page to print."""
    doc = (
        "<!doctype html><html><head><meta charset='utf-8'><title>Interview guide</title></head><body>"
        f"{interview_guide_html(wb, interview_id)}</body></html>"
    )
    data = base64.b64encode(doc.encode("utf-8")).decode("ascii")
    return (
        f"<a download='interview-{interview_id}-guide.html' href='data:text/html;base64,{data}' "
        "style='font-weight:bold'>⬇ Download the guide to print</a>"
    )


def live(wb: Workbook, interview_id: int) -> LiveView:
    """The download link and the guide, redrawn whenever the plan, the meeting or the person
    changes (CSS class ``iiv-live-guide``)."""
    return LiveView(
        wb,
        lambda: guide_download_link(wb, interview_id) + interview_guide_html(wb, interview_id),
        name="guide",
        tables=READS,
    )
