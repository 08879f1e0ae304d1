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

from iivkit.errors import IivkitError, ValidationFailed
from iivkit.method.dates import long_date
from iivkit.method.language import with_article
from iivkit.method.letter_phrases import (
    careers_phrase,
    current_clause,
    first_name,
    greeting_name,
    is_about_pay,
    join_list,
    organisation_sentences,
    qualification_sentences,
    split_title,
    surname,
    the_name,
    title_of,
)

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
from iivkit.method.template_worker import lower_first
from iivkit.workbook.models import (
    Contact,
    ContactStatus,
    Finding,
    FindingOutcome,
    HowFound,
    Insight,
    InsightKind,
    Interview,
    InterviewStatus,
    LetterStyle,
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
    style: str = "full"
    """``full`` or ``short``: which letter the check holds it to."""

    @property
    def title(self) -> str:
        """The letter's kind in words: ``thank-you note``."""
        return LETTER_TITLES[self.name]

    @property
    def text(self) -> str:
        """Subject line, blank line, body."""
        return f"Subject: {self.subject}\n\n{self.body}"


# -- what the letters say -------------------------------------------------------------------


def _zone_label(when: dt.datetime, zone: str) -> str:
    if zone == "UTC":
        return "UTC"
    offset = when.replace(tzinfo=ZoneInfo(zone)).strftime("%z")
    city = zone.rsplit("/", 1)[-1].replace("_", " ")  # "Johannesburg", not "Africa/Johannesburg"
    return f"{city} time, UTC{offset[:3]}:{offset[3:]}"


_SELF_NOTE = re.compile(
    r"^(?:I\b|I'|My\b|Me\b|Ask\b|Follow\b|Remember\b|Note\b|Check\b|Email\b|Send\b|Look\b|To do\b|Todo\b|"
    r"Must\b|Need to\b|Should\b|Find\b|Read\b|Write\b|Call\b)",
    re.IGNORECASE,
)
"""Insights written as notes to oneself ("Ask Farah about…", "My CV needs…"): not what they said."""

_MONEY_WORDS = re.compile(r"\b(?:salar|pay\b|paid\b|wage)", re.IGNORECASE)
_FOR_THANKS = (
    InsightKind.advice,
    InsightKind.insight,
    InsightKind.hiring_signal,
    InsightKind.environment,
    InsightKind.chances,
)
_ROLE_WITHOUT_ARTICLE = frozenset(
    word
    for line in (
        "head director deputy chief managing dean vice president principal founder co-founder chair",
        "vp svp evp ceo cfo cto coo",
    )
    for word in line.split()
)
_CONNECTION = {
    HowFound.alumni: "I found you through our alumni network.",
    HowFound.event: "I came across your work at an event.",
    HowFound.professional_network: "I found you through my professional network.",
    HowFound.family_friends: "A family friend mentioned your work to me.",
}
_SHORT_CLAIM_WORDS = 25
"""A short letter's one line of research prefers a claim of at most this many words."""
_SHARED_RESEARCH = ("research", "finding", "i have read", "i read", "i found", "reading about")


def _full_stop(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text.endswith((".", "!", "?")) else f"{text}."


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z&]{4,}", text.casefold())}


def wrote(contact: Contact, finding: Finding) -> bool:
    """True when the contact is the author of the finding's source."""
    bare = split_title(contact.name)[1].casefold()
    return bool(bare) and bare in finding.source_author.casefold()


def choose_research(wb: Workbook, contact: Contact, *, limit: int = 3) -> list[Finding]:
    """Research to share with *contact*: findings to test about their organisation, then general
    findings about their line of work, then other general ones. Never pay, never another
    organisation's news."""
    pool = [f for f in wb.all(Finding, to_test=True) if not is_about_pay(f.topic, f.claim)]
    own = [
        f
        for f in pool
        if contact.organisation_id is not None and f.organisation_id == contact.organisation_id
    ]
    general = [f for f in pool if f.organisation_id is None]
    theirs = _words(" ".join([contact.role, contact.focus_area.value, *contact.focus_tags]))
    related = [f for f in general if theirs & _words(f"{f.topic} {f.claim}")]
    by_them = [f for f in pool if wrote(contact, f)]
    chosen = list({f.id: f for f in by_them + own + related}.values()) or general
    return chosen[:limit]


def _thanks_insight(wb: Workbook, interview_id: int | None) -> Insight | None:
    """What the person said that the thank-you can cite: advice or an insight, never pay
    or a note to oneself."""
    if interview_id is None:
        return None
    insights = [
        i
        for i in wb.all(Insight, interview_id=interview_id)
        if i.kind in _FOR_THANKS and not _SELF_NOTE.match(i.text) and not _MONEY_WORDS.search(i.text)
    ]
    insights.sort(key=lambda i: _FOR_THANKS.index(i.kind))
    return insights[0] if insights else None


def _insights_for(wb: Workbook, interview_id: int | None) -> list[str]:
    """The interview's insights, the one the thank-you cites first."""
    if interview_id is None:
        return []
    insights = wb.all(Insight, interview_id=interview_id)
    first = _thanks_insight(wb, interview_id)
    ordered = ([first] if first else []) + [i for i in insights if i != first]
    return [i.text for i in ordered]


def _outcome_notes(wb: Workbook, interview_id: int | None) -> list[str]:
    if interview_id is None:
        return []
    return [o.note for o in wb.all(FindingOutcome, interview_id=interview_id) if o.note]


def _source_of(finding: Finding) -> str:
    parts = [finding.source_title, finding.source_author]
    if finding.source_date:
        parts.append(str(finding.source_date.year))
    return ", ".join(p for p in parts if p)


def _shared(findings: list[Finding], contact: Contact, *, piece_named: bool) -> list[dict[str, str]]:
    """The findings as the letters share them: a list item with a short source, and a sentence
    with its lead-in. Their own work is cited to them in the second person, once.

    :param piece_named: the letter has already thanked them for their piece by its title.
    """
    out = []
    cited_own = False
    for f in findings:
        year = str(f.source_date.year) if f.source_date else ""
        own = wrote(contact, f) and bool(f.source_title)
        if own:
            cite = "also from your piece" if cited_own else "from your piece"
            cited_own = True
        else:
            cite = f.source_title
        cite = ", ".join(p for p in (cite, year) if p)
        out.append(
            {
                "claim": f.claim,
                "sentence": _full_stop(f.claim),
                "line": (
                    "I would love to hear more about one point in "
                    + ("it" if piece_named else f"your piece '{f.source_title}'")
                    + f". {_full_stop(f.claim)}"
                    if own
                    else f"One thing I found in my research: {_full_stop(f.claim)} "
                    "I would love to check it with you."
                ),
                "item": f.claim.rstrip(". ") + (f" ({cite})" if cite else ""),
                "source": _source_of(f),
            }
        )
    return out


def _first_sentence(text: str) -> str:
    """The first sentence of a longer text: the letter says why in a line, not a page."""
    match = re.match(r"(.+?[.!?])(?:\s+[A-Z]|\s*$)", " ".join(text.split()))
    return match.group(1) if match else text


def _role_phrase(role: str) -> str:
    """' as a Research Manager', ' as Head of Epidemiology'; empty when no role is known."""
    role = re.split(r"[;:(]", role)[0].strip().rstrip(",")
    if not role:
        return ""
    first = role.split()[0].casefold().strip(",.")
    return f" as {role}" if first in _ROLE_WITHOUT_ARTICLE else f" as {with_article(role)}"


def _connection(
    contact: Contact, org: Organisation | None, referrer: Contact | None, work: str, *, short: bool = False
) -> str:
    """How you came to write: the referrer first, then their own work, then how you found them.
    A short letter says one of them."""
    out = []
    if referrer is not None:
        out.append(f"{referrer.name} suggested I get in touch.")
    if work and not (short and out):
        more = "." if short else ": reading it made me want to learn more about your work."
        out.append(f"Thank you for your piece '{work}'{more}")
    if not out and contact.how_found == HowFound.organisation_website and org is not None:
        out.append("I found your name on your organisation's website.")
    elif not out and contact.how_found in _CONNECTION:
        out.append(_CONNECTION[contact.how_found])
    return " ".join(out)


def _invitation_shared_research(interview: Interview, findings: list[Finding]) -> bool:
    """Did the invitation share research? Its saved text says so, or the template shared findings."""
    saved = interview.invitation_text.casefold()
    if saved.strip():
        return any(phrase in saved for phrase in _SHARED_RESEARCH)
    return bool(findings)


def letter_context(
    wb: Workbook, interview: Interview, style: LetterStyle | str | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The values the templates see, and a hint for every missing-data marker among them.

    :param style: ``full`` or ``short``; None follows the profile's letter style.
    """
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
        "profile.careers_of_interest": f"the careers that interest you ({pf} 'target_roles' or "
        "'careers_of_interest')",
        "contact.email": f"the contact's email address ({ct}, field 'email')",
        "contact.organisation_id": f"the contact's organisation ({ct}, field 'organisation_id')",
        "organisation.main_business": "what you know of it (the organisation's field 'main_business')",
        "findings": "findings to share (mark findings about their organisation or work 'Test in interviews'; "
        "pay is for the conversation, not the letter)",
        "interview.scheduled_at": f"the date and time ({iv}, field 'scheduled_at')",
        "interview.place": f"the place or meeting link ({iv}, field 'place')",
        "interview.keywords": f"the topics to cover ({iv}, field 'keywords')",
        "interview.invitation_sent": f"the date the invitation went out ({iv}, field 'invitation_sent')",
        "insight": f"an insight from the debrief: what they said or advised (add an insight to {iv})",
    }

    def given(value: str, key: str) -> str:
        return value if value.strip() else _missing(key)

    chosen_style = LetterStyle(style) if style else (profile.letter_style if profile else LetterStyle.full)
    greeting_style = profile.greeting_style.value if profile else "first_name"
    name = given(profile.name if profile else "", "profile.name")
    signature = [name]
    if profile and profile.email:
        signature.append(str(profile.email))
    if profile and profile.phone:
        signature.append(profile.phone)
    why = (profile.career_vision or profile.vision_and_targets) if profile else ""
    careers = list(
        dict.fromkeys(
            [*(profile.target_roles if profile else []), *(profile.careers_of_interest if profile else [])]
        )
    )
    careers_text = careers_phrase(careers, limit=3 if chosen_style == LetterStyle.full else 1)
    when = interview.scheduled_at
    findings = choose_research(wb, contact, limit=3)
    if chosen_style == LetterStyle.short:  # one line: the first that fits in a short letter
        findings = [next((f for f in findings if len(f.claim.split()) <= _SHORT_CLAIM_WORDS), findings[0])][
            : len(findings)
        ]
    insights = _insights_for(wb, interview.id)
    thanks = _thanks_insight(wb, interview.id)
    medium = interview.medium.value
    referrer = wb.get(Contact, contact.referred_by_id) if contact.referred_by_id else None
    own_work = next((f.source_title for f in wb.all(Finding) if wrote(contact, f) and f.source_title), "")
    referred = (
        [c.name for c in wb.all(Contact, referred_in_interview_id=interview.id)] if interview.id else []
    )
    current = profile.current_qualification if profile else ""
    stage = profile.career_stage.value if profile and profile.career_stage else None
    qualifications = qualification_sentences(
        current, profile.previous_qualifications if profile else [], stage
    )
    thanks_text = _full_stop(thanks.text) if thanks else _missing("insight")
    if thanks and thanks.kind == InsightKind.advice:
        thanks_sentence = f"Your advice has stayed with me: {lower_first(thanks_text)}"
    else:
        thanks_sentence = f"One thing you said has stayed with me: {lower_first(thanks_text)}"
    connection = _connection(contact, org, referrer, own_work, short=chosen_style == LetterStyle.short)
    values: dict[str, Any] = {
        "style": chosen_style.value,
        "greeting": f"Dear {greeting_name(contact.name, contact.honorific, greeting_style)}",
        "connection": connection,
        "profile": {
            "name": name,
            "email": str(profile.email) if profile and profile.email else "",
            "phone": profile.phone if profile else "",
            "current_qualification": given(current, "profile.current_qualification"),
            "previous_qualifications": profile.previous_qualifications if profile else [],
            "qualifications": qualifications or _missing("profile.current_qualification"),
            "current_sentence": qualification_sentences(current, [], stage),
            "who": ", ".join(p for p in (name, current_clause(current, stage)) if p),
            "career_vision": profile.career_vision if profile else "",
            "why_interested": _full_stop(given(_first_sentence(why), "profile.why_interested")),
            "careers_of_interest": careers or [_missing("profile.careers_of_interest")],
            "careers": careers_text or _missing("profile.careers_of_interest"),
            "signature": "\n".join(signature),
        },
        "contact": {
            "name": contact.name,
            "first_name": first_name(contact.name),
            "title": title_of(contact.honorific, contact.name),
            "surname": surname(contact.name),
            "role": contact.role,
            "role_phrase": _role_phrase(contact.role),
            "email": str(contact.email) if contact.email else "",
            "own_work": own_work,
        },
        "referral": {
            "by": referrer.name if referrer else "",
            "by_first_name": first_name(referrer.name) if referrer else "",
            "made": join_list(referred),
            "made_first_names": join_list([first_name(n) for n in referred]),
        },
        "organisation": {
            "name": org.name if org else _missing("contact.organisation_id"),
            "in_text": the_name(org.name) if org else _missing("contact.organisation_id"),
            "main_business": org.main_business if org else "",
            "about": organisation_sentences(org.name, org.main_business, start=False) if org else "",
            "sector": org.sector if org else "",
        },
        "findings": _shared(findings, contact, piece_named=bool(own_work) and "your piece" in connection)
        or [
            {
                "claim": _missing("findings"),
                "sentence": _missing("findings"),
                "line": _missing("findings"),
                "item": _missing("findings"),
                "source": "",
            }
        ],
        "insight": {"text": insights[0] if insights else _missing("insight"), "sentence": thanks_sentence},
        "debrief": insights + _outcome_notes(wb, interview.id),
        "interview": {
            "id": interview.id,
            "scheduled_at": when,
            "invitation_sent_date": interview.invitation_sent,
            "has_date": when is not None,
            "date": long_date(when.date()) if when else _missing("interview.scheduled_at"),
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
            "invitation_sent": long_date(interview.invitation_sent)
            if interview.invitation_sent
            else _missing("interview.invitation_sent"),
            "shared_research": _invitation_shared_research(interview, findings),
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


def render_letter(
    wb: Workbook,
    interview_id: int,
    name: str,
    *,
    use_saved: bool = True,
    style: LetterStyle | str | None = None,
) -> Letter:
    """Render letter *name* for an interview.

    :param use_saved: when True (the default), letter text saved on the interview is used
        instead of the template; a saved text without a ``Subject:`` line keeps the template's.
    :param style: ``full`` (the guide's letter) or ``short`` (under 120 words for a first
        contact); None follows the profile's letter style.
    """
    known(name)
    if style is not None:
        style = letter_style(style)
    interview = wb.get(Interview, interview_id)
    values, hints = letter_context(wb, interview, style)
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
        style=values["style"],
    )


def letter_style(value: LetterStyle | str) -> LetterStyle:
    """A letter style from its name; an unknown one is refused, naming the choices."""
    try:
        return LetterStyle(value)
    except ValueError:
        choices = ", ".join(s.value for s in LetterStyle)
        raise ValidationFailed(f"unknown letter style {value!r}; choose {choices}", record="letter") from None


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
