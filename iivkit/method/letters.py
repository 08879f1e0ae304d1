"""Letters for one interview: invitation, confirmation, thank-you and nudge.

Each letter is a Jinja2 template whose first line is ``Subject: …``: the one iivkit ships, or
the workbook's own (see :mod:`iivkit.method.letter_templates`, which also fills them in safely: a
workbook's template is untrusted code). Data the letter needs but the workbook lacks is rendered as a
visible marker such as ``[MISSING: interview.scheduled_at]``, so a draft can still be written
and :func:`iivkit.method.letter_check.check_letter` can say what to fill in before it is ready.

Letter text the user saved on the interview (``invitation_text`` and friends) wins over the
template: it is what they edited and mean to send.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from iivkit.errors import IivkitError

# Some names only re-exported: notebooks and forms first found the template functions here.
from iivkit.method.letter_templates import (
    LETTER_NAMES,
    known,
    override_key,
    render_shipped,
    render_untrusted,
    render_workbook_template,
    sample_values,
    shipped_template,
    stored_templates,
    template_override,
)
from iivkit.workbook.models import (
    Contact,
    ContactStatus,
    Finding,
    FindingOutcome,
    Insight,
    InsightKind,
    Interview,
    InterviewStatus,
    Organisation,
)
from iivkit.workbook.store import Workbook

LETTER_TITLES = {
    "invitation": "invitation",
    "confirmation": "confirmation",
    "thank_you": "thank-you note",
    "nudge": "nudge",
}
_SAVED_TEXT = {
    "invitation": "invitation_text",
    "confirmation": "confirmation_text",
    "thank_you": "thank_you_text",
}
_MEDIUM_PHRASE = {"in_person": "in person", "video": "by video call", "phone": "by phone"}
_PLACE_LABEL = {"in_person": "Place", "video": "Video link", "phone": "Phone"}

MARKER = re.compile(r"\[MISSING: ([\w.]+)\]")
"""Marks data a letter needs but the workbook lacks, e.g. ``[MISSING: interview.place]``."""


def _missing(key: str) -> str:
    return f"[MISSING: {key}]"


def is_missing(value: str) -> bool:
    """True for an empty value or a missing-data marker."""
    return not value or bool(MARKER.fullmatch(value))


@dataclass(frozen=True)
class Letter:
    """One rendered letter, ready to check and export."""

    name: str
    interview_id: int
    subject: str
    body: str
    to_name: str
    to_email: str | None
    from_name: str
    from_email: str | None
    facts: Mapping[str, Any] = field(default_factory=dict)
    """The values the template saw; the check reads what the letter must say from them."""
    hints: Mapping[str, str] = field(default_factory=dict)
    """What each missing-data marker means and where to fill it in."""
    template_error: str | None = None
    source: str = "template"
    """``template``, ``workbook template`` (an override) or ``saved text``."""

    @property
    def title(self) -> str:
        """The letter's kind in words: ``thank-you note``."""
        return LETTER_TITLES[self.name]

    @property
    def text(self) -> str:
        """Subject line, blank line, body."""
        return f"Subject: {self.subject}\n\n{self.body}"


# -- what the letters say -------------------------------------------------------------------


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _zone_label(when: dt.datetime, zone: str) -> str:
    if zone == "UTC":
        return "UTC"
    offset = when.replace(tzinfo=ZoneInfo(zone)).strftime("%z")
    return f"{zone} time, UTC{offset[:3]}:{offset[3:]}"


def _findings_for(wb: Workbook, organisation_id: int | None) -> list[Finding]:
    """Findings to test about the organisation; general ones when none are about it."""
    to_test = wb.all(Finding, to_test=True)
    own = [f for f in to_test if organisation_id is not None and f.organisation_id == organisation_id]
    return own or [f for f in to_test if f.organisation_id is None]


def _insights_for(wb: Workbook, interview_id: int | None) -> list[str]:
    """The interview's insights, advice and insight kinds first (the thank-you names the first)."""
    if interview_id is None:
        return []
    insights = wb.all(Insight, interview_id=interview_id)
    first = [i for i in insights if i.kind in (InsightKind.advice, InsightKind.insight)]
    return [i.text for i in first + [i for i in insights if i not in first]]


def _outcome_notes(wb: Workbook, interview_id: int | None) -> list[str]:
    if interview_id is None:
        return []
    return [o.note for o in wb.all(FindingOutcome, interview_id=interview_id) if o.note]


def _source_of(finding: Finding) -> str:
    parts = [finding.source_title, finding.source_author]
    if finding.source_date:
        parts.append(str(finding.source_date.year))
    return ", ".join(p for p in parts if p)


def letter_context(wb: Workbook, interview: Interview) -> tuple[dict[str, Any], dict[str, str]]:
    """The values the templates see, and a hint for every missing-data marker among them."""
    iv = f"interview {interview.id}"
    contact = wb.get(Contact, interview.contact_id)
    ct = f"contact {contact.id} ({contact.name})"
    org = wb.get(Organisation, contact.organisation_id) if contact.organisation_id else None
    profile = wb.profile()
    pf = "your profile, field"
    hints = {
        "profile.name": f"your name ({pf} 'name')",
        "profile.current_qualification": f"your current qualification ({pf} 'current_qualification')",
        "profile.why_interested": f"why you are interested ({pf} 'career_vision' or 'vision_and_targets')",
        "profile.careers_of_interest": f"the careers that interest you ({pf} 'careers_of_interest')",
        "contact.email": f"the contact's email address ({ct}, field 'email')",
        "contact.organisation_id": f"the contact's organisation ({ct}, field 'organisation_id')",
        "organisation.main_business": "what you know of it (the organisation's field 'main_business')",
        "findings": "findings to share (mark findings about the organisation 'Test in interviews')",
        "interview.scheduled_at": f"the date and time ({iv}, field 'scheduled_at')",
        "interview.place": f"the place or meeting link ({iv}, field 'place')",
        "interview.keywords": f"the topics to cover ({iv}, field 'keywords')",
        "interview.invitation_sent": f"the date the invitation went out ({iv}, field 'invitation_sent')",
        "insight": f"an insight from the debrief (add an insight to {iv})",
    }

    def given(value: str, key: str) -> str:
        return value if value.strip() else _missing(key)

    name = given(profile.name if profile else "", "profile.name")
    signature = [name]
    if profile and profile.email:
        signature.append(str(profile.email))
    if profile and profile.phone:
        signature.append(profile.phone)
    why = (profile.career_vision or profile.vision_and_targets) if profile else ""
    careers = profile.careers_of_interest if profile else []
    when = interview.scheduled_at
    findings = _findings_for(wb, contact.organisation_id)
    insights = _insights_for(wb, interview.id)
    medium = interview.medium.value
    values: dict[str, Any] = {
        "profile": {
            "name": name,
            "email": str(profile.email) if profile and profile.email else "",
            "phone": profile.phone if profile else "",
            "current_qualification": given(
                profile.current_qualification if profile else "", "profile.current_qualification"
            ),
            "previous_qualifications": profile.previous_qualifications if profile else [],
            "career_vision": profile.career_vision if profile else "",
            "why_interested": given(why, "profile.why_interested"),
            "careers_of_interest": careers or [_missing("profile.careers_of_interest")],
            "signature": "\n".join(signature),
        },
        "contact": {
            "name": contact.name,
            "role": contact.role,
            "email": str(contact.email) if contact.email else "",
        },
        "organisation": {
            "name": org.name if org else _missing("contact.organisation_id"),
            "main_business": org.main_business if org else "",
            "sector": org.sector if org else "",
        },
        "findings": [{"claim": f.claim, "source": _source_of(f)} for f in findings]
        or [{"claim": _missing("findings"), "source": ""}],
        "insight": {"text": insights[0] if insights else _missing("insight")},
        "debrief": insights + _outcome_notes(wb, interview.id),
        "interview": {
            "id": interview.id,
            "scheduled_at": when,
            "invitation_sent_date": interview.invitation_sent,
            "has_date": when is not None,
            "date": _long_date(when.date()) if when else _missing("interview.scheduled_at"),
            "iso_date": when.date().isoformat() if when else "",
            "time": f"{when:%H:%M}" if when else _missing("interview.scheduled_at"),
            "timezone": interview.timezone,
            "zone_label": _zone_label(when, interview.timezone) if when else interview.timezone,
            "duration_minutes": interview.duration_minutes,
            "medium": medium,
            "medium_phrase": _MEDIUM_PHRASE[medium],
            "place": given(interview.place, "interview.place"),
            "place_label": _PLACE_LABEL[medium],
            "keywords": interview.keywords or [_missing("interview.keywords")],
            "invitation_sent": _long_date(interview.invitation_sent)
            if interview.invitation_sent
            else _missing("interview.invitation_sent"),
        },
    }
    return values, hints


# -- rendering ------------------------------------------------------------------------------


def split_subject(text: str) -> tuple[str, str]:
    """Split ``Subject: …`` off the first line; the subject is empty when there is none."""
    stripped = text.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    if first.lower().startswith("subject:"):
        return first.split(":", 1)[1].strip(), rest.strip("\n") + "\n"
    return "", stripped.strip("\n") + "\n"


def render_letter(wb: Workbook, interview_id: int, name: str, *, use_saved: bool = True) -> Letter:
    """Render letter *name* for an interview.

    :param use_saved: when True (the default), letter text saved on the interview is used
        instead of the template; a saved text without a ``Subject:`` line keeps the template's.
    """
    known(name)
    interview = wb.get(Interview, interview_id)
    values, hints = letter_context(wb, interview)
    saved = str(getattr(interview, _SAVED_TEXT[name])) if use_saved and name in _SAVED_TEXT else ""
    saved_subject, saved_body = split_subject(saved) if saved.strip() else ("", "")
    if saved_subject:  # the saved text is the whole letter: no template is needed
        subject, body, source, error = saved_subject, saved_body, "saved text", None
    else:
        override = template_override(wb, name)
        if override:
            # Another person's workbook may carry it: filled in apart, never run here.
            text, error = render_workbook_template(override, values)
        else:
            text, error = render_shipped(shipped_template(name), values)
        subject, body = split_subject(text)
        source = "workbook template" if override else "template"
        if saved.strip():  # saved text without a subject line keeps the template's subject
            body, source, error = saved_body, "saved text", None
    profile = values["profile"]
    return Letter(
        name=name,
        interview_id=interview_id,
        subject=subject,
        body=body,
        to_name=values["contact"]["name"],
        to_email=values["contact"]["email"] or None,
        from_name="" if is_missing(profile["name"]) else profile["name"],
        from_email=profile["email"] or None,
        facts=values,
        hints=hints,
        template_error=error,
        source=source,
    )


def letters_for(wb: Workbook, interview_id: int) -> list[str]:
    """Which letters an interview needs now: invitation and confirmation always, the
    thank-you once it is done, and a nudge while an invitation waits for a reply."""
    interview = wb.get(Interview, interview_id)
    names = ["invitation", "confirmation"]
    if interview.held:
        names.append("thank_you")
    elif invitation_pending(wb, interview):
        names.append("nudge")
    return names


def invitation_pending(wb: Workbook, interview: Interview) -> bool:
    """True when the invitation went out and neither a reply nor a confirmation is recorded."""
    if interview.invitation_sent is None or interview.confirmation_sent is not None:
        return False
    if interview.status not in (InterviewStatus.planned, InterviewStatus.invited):
        return False
    return wb.get(Contact, interview.contact_id).status == ContactStatus.invited


TEMPLATE_TRIALS = 5
"""How many interviews ``check`` fills each of the workbook's own templates in."""


def template_problems(wb: Workbook) -> list[str]:
    """Each of the workbook's own letter templates that would fail, with why: one line each.

    A template is tried on example data and on the workbook's latest interviews (at most
    :data:`TEMPLATE_TRIALS`, so a slow template cannot make ``check`` take hours on a big
    workbook); a template that fails once is reported once. A setting for a letter iivkit does
    not have is not tried (nothing uses it): :func:`unused_templates` names those.
    """
    stored = stored_templates(wb)
    if not stored:
        return []
    contexts = [sample_values()]
    # A damaged record is the record check's to report; the example data still tries the template.
    with contextlib.suppress(IivkitError):
        for interview in wb.all(Interview)[-TEMPLATE_TRIALS:]:
            with contextlib.suppress(IivkitError):
                contexts.append(letter_context(wb, interview)[0])
    jobs = [
        (name, text, values) for name, text in stored.items() if name in LETTER_NAMES for values in contexts
    ]
    errors: dict[str, str] = {}  # the first failure of each template
    for (name, _, _), result in zip(jobs, render_untrusted(jobs), strict=True):
        if result is not None and result[1]:
            errors.setdefault(name, result[1])
    return [
        f"letter template '{name}' (setting '{override_key(name)}') would fail: {error}"
        for name, error in errors.items()
    ]


def unused_templates(wb: Workbook) -> list[str]:
    """Template settings for letters iivkit does not have (a typo, say): nothing uses them."""
    return [
        f"workbook setting '{override_key(name)}' is a template for no letter ({', '.join(LETTER_NAMES)});"
        " it is not used"
        for name in stored_templates(wb)
        if name not in LETTER_NAMES
    ]
