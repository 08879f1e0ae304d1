"""Synthesis across interviews: who to ask next, pay, advice that recurs, hiring signals.

Routing an open question scores every contact, except the one who raised it and those who
declined or never replied, on simple, visible evidence in the question and its "how to
answer it" text:

====================================================  ======
evidence                                              points
====================================================  ======
the contact is named (full, surname, unique first)     +5
their organisation is named                            +3
a word of their focus area occurs (see FOCUS_KEYWORDS)  +3
a significant word of their job title occurs           +1 each, at most 2
strategy words and a senior or very senior contact     +1
entry-level words and a junior or mid contact          +1
====================================================  ======

A contact with some evidence who has not been interviewed yet gets +0.5, a fresh voice. The
best score wins; ties go to the lower contact id. With no evidence at all, no one is suggested.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

import pandas as pd

from iivkit.method.bank import FOCUS_KEYWORDS, mentions, words
from iivkit.workbook import views
from iivkit.workbook.models import (
    Contact,
    ContactStatus,
    FindingOutcome,
    Interview,
    OpenQuestion,
    OpenQuestionStatus,
    Organisation,
    Outcome,
    PlannedQuestion,
    Seniority,
)
from iivkit.workbook.names import without_titles
from iivkit.workbook.store import Workbook

STRATEGY_WORDS = (
    "strategy",
    "strategic",
    "future",
    "direction",
    "long term",
    "trend",
    "budget",
    "leadership",
    "sector",
    "priorities",
    "vision",
    "board",
)
ENTRY_WORDS = (
    "entry",
    "entry level",
    "graduate",
    "junior",
    "first job",
    "internship",
    "intern",
    "starting",
    "newcomer",
    "learnership",
    "day to day",
    "first year",
)
FRESH_VOICE = 0.5
_UNREACHABLE = (ContactStatus.declined, ContactStatus.no_reply)

ADVICE_THEMES: dict[str, tuple[str, ...]] = {
    "CV and cover letter": ("cv", "resume", "cover letter", "curriculum vitae"),
    "Networking and contacts": (
        "network",
        "networking",
        "linkedin",
        "introduce",
        "introduction",
        "connection",
        "mentor",
        "referral",
    ),
    "Experience: internships, learnerships, volunteering": (
        "internship",
        "intern",
        "volunteer",
        "volunteering",
        "learnership",
        "shadow",
        "shadowing",
        "experience",
        "project",
    ),
    "Skills and qualifications": (
        "skill",
        "course",
        "certificate",
        "certification",
        "qualification",
        "degree",
        "postgraduate",
        "learn",
        "learning",
        "excel",
        "python",
        "statistic",
    ),
    "Applications and job interviews": ("apply", "application", "vacancy", "portfolio", "job interview"),
    "Persistence and attitude": (
        "persistent",
        "persist",
        "patient",
        "patience",
        "curious",
        "attitude",
        "confidence",
        "follow up",
        "keep trying",
    ),
}
"""Advice groups recognised by their words, in the order ties are broken."""
OTHER_ADVICE = "Other advice"


@dataclass(frozen=True)
class Route:
    """The best contact for one open question, with the evidence."""

    contact_id: int | None
    score: float
    reason: str


def _names(contact: Contact, first_names: Counter[str]) -> list[str]:
    """How a note may name a contact: full name, surname, or a first name no one else has."""
    parts = without_titles(contact.name)
    names = [contact.name]
    if len(parts) >= 2 and len(parts[-1]) >= 3:
        names.append(parts[-1])
    if parts and len(parts[0]) >= 3 and first_names[parts[0].lower()] == 1:
        names.append(parts[0])
    return names


def _first_names(contacts: list[Contact]) -> Counter[str]:
    return Counter(parts[0].lower() for c in contacts if (parts := without_titles(c.name)))


def _contact_score(
    text: str, contact: Contact, names: list[str], org: str, interviewed: bool
) -> tuple[float, list[str]]:
    score, why = 0.0, list[str]()
    if any(mentions(text, [n]) for n in names):
        score, why = score + 5, [*why, f"named: {contact.name}"]
    if org and mentions(text, [org]):
        score, why = score + 3, [*why, f"works at {org}"]
    keywords = dict.fromkeys(
        (contact.focus_area.value.replace("_", " "), *FOCUS_KEYWORDS[contact.focus_area])
    )
    hits = mentions(text, list(keywords))
    if hits:
        score, why = score + 3, [*why, f"focus {contact.focus_area.value} ({', '.join(hits[:3])})"]
    shared = sorted(words(contact.role) & words(text))[:2]
    if shared:
        score, why = score + len(shared), [*why, f"role {contact.role!r} ({', '.join(shared)})"]
    senior = contact.seniority in (Seniority.senior, Seniority.very_senior)
    if senior and mentions(text, STRATEGY_WORDS):
        score, why = score + 1, [*why, f"a {contact.seniority.value.replace('_', ' ')} view on strategy"]
    if not senior and mentions(text, ENTRY_WORDS):
        score, why = score + 1, [*why, f"a {contact.seniority.value} view on starting out"]
    if score and not interviewed:
        score, why = score + FRESH_VOICE, [*why, "not interviewed yet"]
    return score, why


def route(wb: Workbook, question: OpenQuestion) -> Route:
    """The contact best placed to answer one open question (see the module's scoring table)."""
    text = f"{question.text}\n{question.how_to_answer}"
    interviews = wb.all(Interview)  # a damaged one is skipped, with a warning
    raised_by = next((i.contact_id for i in interviews if i.id == question.interview_id), None)
    done = {i.contact_id for i in interviews if i.held}
    orgs = {o.id: o.name for o in wb.all(Organisation)}
    contacts = wb.all(Contact)
    first_names = _first_names(contacts)
    best: tuple[float, int, list[str]] | None = None
    for c in contacts:
        if c.id is None or c.id == raised_by or c.status in _UNREACHABLE:
            continue
        interviewed = c.id in done or c.status in (ContactStatus.interviewed, ContactStatus.thanked)
        org = orgs.get(c.organisation_id or 0, "")
        score, why = _contact_score(text, c, _names(c, first_names), org, interviewed)
        if score > 0 and (best is None or score > best[0]):
            best = (score, c.id, why)
    if best is None:
        return Route(None, 0.0, "no contact fits: look for a source, or a new contact, in this field")
    return Route(best[1], best[0], "; ".join(best[2]))


def route_open_questions(wb: Workbook) -> pd.DataFrame:
    """Each open question with the contact best placed to answer it, the score and the reason.

    Columns: question, how_to_answer, raised_with, best_contact_id, best_contact, organisation,
    score, reason, suggested_contact (the user's own choice, if any). Indexed by open question id.
    """
    contacts = {c.id: c for c in wb.all(Contact)}
    orgs = {o.id: o.name for o in wb.all(Organisation)}
    contact_of = {i.id: i.contact_id for i in wb.all(Interview)}
    rows = []
    for q in wb.all(OpenQuestion, status=OpenQuestionStatus.open):
        r = route(wb, q)
        best = contacts.get(r.contact_id) if r.contact_id is not None else None
        raised = contact_of.get(q.interview_id) if q.interview_id else None
        suggested = contacts.get(q.suggested_contact_id) if q.suggested_contact_id else None
        rows.append(
            {
                "open_question_id": q.id,
                "question": q.text,
                "how_to_answer": q.how_to_answer,
                "raised_with": contacts[raised].name if raised in contacts else None,
                "best_contact_id": r.contact_id,
                "best_contact": best.name if best else None,
                "organisation": orgs.get(best.organisation_id) if best and best.organisation_id else None,
                "score": r.score,
                "reason": r.reason,
                "suggested_contact": suggested.name if suggested else None,
            }
        )
    columns = [
        "open_question_id",
        "question",
        "how_to_answer",
        "raised_with",
        "best_contact_id",
        "best_contact",
        "organisation",
        "score",
        "reason",
        "suggested_contact",
    ]
    df = pd.DataFrame(rows, columns=columns).set_index("open_question_id")
    df["best_contact_id"] = df["best_contact_id"].astype("Int64")
    return df


def salary_remarks(wb: Workbook) -> pd.DataFrame:
    """Every salary remark: an interview's salary notes and each salary insight, oldest first.

    Columns: date, interview_id, contact, organisation, role, seniority, source, remark.
    """
    return views.salary_remark_rows(wb)


def hiring_signals(wb: Workbook) -> pd.DataFrame:
    """Hiring signals heard in interviews, by organisation, then date.

    Columns: organisation, date, contact, role, signal. A signal is an insight of kind
    ``hiring_signal``; its organisation is that of the contact who gave it.
    """
    return views.hiring_signal_rows(wb)


def _theme(text: str) -> str | None:
    hits = {name: len(mentions(text, kw)) for name, kw in ADVICE_THEMES.items()}
    best = max(hits.values())
    return next(name for name, n in hits.items() if n == best) if best else None


def advice_groups(texts: list[str]) -> list[str]:
    """A group name for each advice text: a theme of :data:`ADVICE_THEMES`, else a shared word.

    Texts that fit no theme are grouped by their most common significant word shared with
    another such text ("about 'patience'"); the rest are "Other advice".
    """
    groups: list[str | None] = [_theme(t) for t in texts]
    loose = [i for i, g in enumerate(groups) if g is None]
    freq = Counter(w for i in loose for w in words(texts[i]))
    for i in loose:
        shared = sorted((w for w in words(texts[i]) if freq[w] >= 2), key=lambda w: (-freq[w], w))
        groups[i] = f"about '{shared[0]}'" if shared else OTHER_ADVICE
    return [g or OTHER_ADVICE for g in groups]


def recurring_advice(wb: Workbook) -> pd.DataFrame:
    """Advice from all interviews, grouped simply, the most repeated first.

    Takes insights of kind ``advice`` and any insight tagged TIARA ``advice``. Columns: group,
    count, contacts (who gave it, comma-separated), examples (up to three texts), insight_ids.
    """
    df = views.advice_rows(wb)
    columns = ["group", "count", "contacts", "examples", "insight_ids"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    # Read with SQL, not the models: a damaged value (NULL, bytes, a number) counts as no text.
    df["text"] = [t if isinstance(t, str) else "" for t in df["text"]]
    df["contact"] = [c if isinstance(c, str) else "" for c in df["contact"]]
    df["group"] = advice_groups(df["text"].tolist())
    rows = [
        {
            "group": name,
            "count": len(g),
            "contacts": ", ".join(dict.fromkeys(c for c in g["contact"] if c)),
            "examples": list(g["text"][:3]),
            "insight_ids": [int(i) for i in g["insight_id"]],
        }
        for name, g in df.groupby("group", sort=False)
    ]
    out = pd.DataFrame(rows, columns=columns)
    out["_other"] = out["group"] == OTHER_ADVICE
    out = out.sort_values(["_other", "count", "group"], ascending=[True, False, True]).drop(columns="_other")
    return out.reset_index(drop=True)


# -- carry-over: what earlier interviews hand on to the next ------------------------------------


@dataclass(frozen=True)
class CarriedQuestion:
    """A question an earlier interview hands on to a contact's plan.

    ``kind`` is ``open`` (an open question routed to them) or ``next`` (an "ask next time"
    note). ``raised_with`` (a name, or "them" for the contact's own earlier talk) and ``day`` say
    where it came from, when known.
    """

    kind: str
    text: str
    raised_with: str = ""
    day: dt.date | None = None
    open_question_id: int | None = None
    interview_id: int | None = None


@dataclass(frozen=True)
class Heard:
    """What one earlier interview said about a finding."""

    outcome: Outcome
    note: str
    contact_id: int
    contact: str
    organisation: str
    role: str
    day: dt.date | None
    interview_id: int


_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s*")


def note_lines(text: str) -> list[str]:
    """The separate questions of an "ask next time" note: one a line or a sentence, bullets and
    numbers gone."""
    lines = (_BULLET.sub("", line).strip() for line in text.splitlines())
    sentences = (s.strip() for line in lines for s in re.split(r"(?<=[.?!])\s+(?=[A-Z])", line))
    return [s for s in sentences if len(words(s)) >= 2]


_ASK = re.compile(r"^ask\s+(?:.*?\s)??(?=(?:how|whether|what|which|who|why|when|where|if|about)\b)", re.I)


def _as_reminder(line: str) -> str:
    """A note to self as the user will ask it: "Ask Nomsa how counsellors…" → "Ask how counsellors…"."""
    return _ASK.sub("Ask ", line, count=1)


def _alike(a: set[str], b: set[str]) -> bool:
    """Two questions that share most of their words say the same thing."""
    return bool(a and b) and len(a & b) >= 0.6 * min(len(a), len(b))


def _day(interview: Interview | None) -> dt.date | None:
    return interview.scheduled_at.date() if interview and interview.scheduled_at else None


_GENERIC_ORG_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "provincial",
        "national",
        "city",
        "county",
        "state",
        "federal",
        "department",
        "ministry",
        "centre",
        "center",
        "university",
        "college",
        "institute",
        "school",
        "hospital",
        "clinic",
        "health",
        "medical",
        "network",
        "trust",
        "foundation",
        "group",
        "company",
        "bank",
        "council",
        "agency",
        "office",
        "research",
        "evaluation",
        "services",
        "global",
        "international",
    ]
)


def _short_form(name: str) -> str:
    """How people shorten an organisation's name in a note: its first word, when that word is its
    own ("Ubuntu" for Ubuntu Recovery Network), not a generic one ("Provincial", "Centre")."""
    first = name.split()[0] if name.split() else ""
    if len(first) < 3 or first.casefold() in _GENERIC_ORG_WORDS or not first[:1].isupper():
        return ""
    return first


def routed_questions(wb: Workbook, contact_id: int) -> list[CarriedQuestion]:
    """What earlier interviews hand on to this contact, open questions first.

    * An open question whose chosen contact (``suggested_contact_id``) is this person, or, when
      the user chose no one, that :func:`route` sends to them.
    * Each line or sentence of the "ask next time" notes of interviews that took place, unless
      it names another contact or another organisation than theirs, or a later interview's
      saved plan asked it already. Notes from their own interviews are for other people, and
      notes written before their own latest interview were theirs to hear then.
    """
    interviews = {i.id: i for i in wb.all(Interview)}
    contacts = {c.id: c for c in wb.all(Contact)}
    carried: list[CarriedQuestion] = []
    for q in wb.all(OpenQuestion, status=OpenQuestionStatus.open):
        chosen = q.suggested_contact_id
        if chosen is None:
            chosen = route(wb, q).contact_id
        if chosen != contact_id:
            continue
        raised = interviews.get(q.interview_id) if q.interview_id else None
        who = contacts.get(raised.contact_id) if raised else None
        carried.append(
            CarriedQuestion(
                "open",
                q.text,
                "them" if who is not None and who.id == contact_id else (who.name if who else ""),
                _day(raised),
                open_question_id=q.id,
            )
        )
    first_names = _first_names(list(contacts.values()))
    others = [_names(c, first_names) for c in contacts.values() if c.id != contact_id]
    own_org = contacts[contact_id].organisation_id if contact_id in contacts else None
    other_orgs = [o.name for o in wb.all(Organisation) if o.id != own_org]
    others += [[name] for name in other_orgs]
    short_forms = [short for short in map(_short_form, other_orgs) if short]
    held = sorted(
        (i for i in interviews.values() if i.held), key=lambda i: (_day(i) or dt.date.min, i.id or 0)
    )
    asked: dict[str, dt.date] = {}
    for i in held:
        for pq in wb.all(PlannedQuestion, interview_id=i.id):
            asked[" ".join(words(pq.text))] = _day(i) or dt.date.max
    seen = [words(c.text) for c in carried]
    # "Next time" is for the next people: not the person it came from, nor anyone talked to since.
    last_talk = max((_day(i) or dt.date.min for i in held if i.contact_id == contact_id), default=None)
    for i in held:
        if i.contact_id == contact_id or (last_talk is not None and last_talk >= (_day(i) or dt.date.min)):
            continue
        who = contacts.get(i.contact_id)
        for line in note_lines(i.next_questions):
            key, ws = " ".join(words(line)), words(line)
            if any(_alike(ws, other) for other in seen) or any(mentions(line, names) for names in others):
                continue
            if any(re.search(rf"\b{re.escape(short)}\b", line) for short in short_forms):
                continue  # "Ask Ubuntu how…": for someone at Ubuntu Recovery Network, not here
            if key in asked and asked[key] > (_day(i) or dt.date.min):
                continue
            seen.append(ws)
            carried.append(
                CarriedQuestion(
                    "next", _as_reminder(line), who.name if who else "", _day(i), interview_id=i.id
                )
            )
    return carried


def heard_about(wb: Workbook, finding_id: int) -> list[Heard]:
    """What each interview that took place said about a finding, oldest first.

    A finding "not discussed" in an interview is left out.
    """
    interviews = {i.id: i for i in wb.all(Interview) if i.held}
    contacts = {c.id: c for c in wb.all(Contact)}
    orgs = {o.id: o.name for o in wb.all(Organisation)}
    heard = []
    for fo in wb.all(FindingOutcome, finding_id=finding_id):
        i = interviews.get(fo.interview_id)
        if i is None or fo.outcome is Outcome.not_discussed:
            continue
        c = contacts.get(i.contact_id)
        if c is None or c.id is None or i.id is None:
            continue
        heard.append(
            Heard(
                outcome=fo.outcome,
                note=fo.note.strip(),
                contact_id=c.id,
                contact=c.name,
                organisation=orgs.get(c.organisation_id, "") if c.organisation_id else "",
                role=c.role,
                day=_day(i),
                interview_id=i.id,
            )
        )
    heard.sort(key=lambda h: (h.day or dt.date.min, h.interview_id))
    return heard
