"""Is a letter ready to send? No unfilled placeholder, every part it needs, a subject line.

A letter may come from a shipped template, a workbook's own template, or text the user wrote
and saved. People paraphrase, so a required part counts as present when the letter uses one
of its telltale phrases word for word, or enough of the words of the data behind it (a
keyword, a qualification, an insight from the debrief), matched loosely on word stems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from iivkit.method.header_text import mail_address
from iivkit.method.letter_phrases import MONEY
from iivkit.method.letters import MARKER, Letter, is_missing

_PLACEHOLDERS = (
    re.compile(r"\{\{.*?\}\}"),  # {{ name }}
    re.compile(r"\{%.*?%\}"),  # {% if place %}
    re.compile(r"\{[A-Za-z_][\w.]*\}"),  # {name}, {contact.name}
    re.compile(r"\[\s*TODO[^\]]*\]", re.IGNORECASE),  # [TODO], [todo: add the date]
    # [NAME], [Your name], [Recipient's name]: words alone in square brackets, three letters or
    # more; not [OK], [1], [Note: …], an editor's [sic], nor the text of a link, [our report](https://…)
    re.compile(r"\[\s*(?!(?i:sic)\s*\])[A-Za-z][A-Za-z _'’-]+[A-Za-z_]\s*\](?!\()"),
    # <name>, <Your Name>; not <3, <br>, nor an address, <thandi@example.org>
    re.compile(r"<[A-Za-z][A-Za-z _'’-]+[A-Za-z_]>"),
    re.compile(r"(?<!\w)X{3,}(?!\w)"),  # Dear XXX
)
_STOP_WORDS = (
    "a an the and or of in on at to for with from by as is are was were be been am i my me we our you "
    "your he she her his they them their it its this that these those what which who how not no only "
    "also so than then there here about into out up over more most some any all each other such can "
    "could would should will may might do does did have has had just very too dear thank thanks time "
    "work kind regards"
)
_STOP = frozenset(_STOP_WORDS.split())
_INTEREST = (
    "interest",
    "attention",
    "drawn",
    "attract",
    "curious",
    "fascinat",
    "inspir",
    "excit",
    "keen",
    "exploring",
)
_KNOWLEDGE = ("i read", "i have read", "reading about", "research on", "i understand", "i learned", "i saw")
_RESEARCH = ("research", "finding", "i have read", "i read", "i found", "reading about")
_PURPOSE = ("purpose", "informational interview", "learn", "understand", "hear how", "hear about", "advice")
_EASY_OUT = (
    "not a good time",
    "i understand",
    "no worries",
    "no problem if",
    "if you are too busy",
    "if you're too busy",
    "too busy",
    "no need to reply",
    "another time",
)
_ASK = (
    "minutes",
    "half an hour",
    "a short conversation",
    "a quick call",
    "a coffee",
    "a call",
    "chat",
    "talk",
)
SHORT_WORD_LIMIT = 120
"""A short letter stays under this many words (the body, signature included)."""
FULL_WORD_LIMIT = 400
"""A full invitation or nudge stays under this many words."""
FIRST_LETTERS = ("invitation", "nudge")
"""Letters to someone you have not met yet: no pay figure in them, and a word limit."""
_REMOTE = {
    "video": ("link", "video call", "zoom", "teams", "http"),
    "phone": ("phone", "call you", "call me", "ring you", "number"),
}


@dataclass(frozen=True)
class RequiredPart:
    """Something a letter must say.

    It is present when one of *phrases* starts a word in the letter, or when at least
    *overlap* of the word stems of one of *texts* (and *min_words* of them) appear.
    """

    label: str
    phrases: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    overlap: float = 0.5
    min_words: int = 1
    source: str = ""
    """The missing-data marker key of the data this part comes from."""
    data_missing: bool = False


@dataclass(frozen=True)
class LetterCheck:
    """Whether a letter is ready to send, what stops it, and how long it is."""

    ready: bool
    problems: list[str]
    words: int


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _stems(text: str) -> list[str]:
    out = []
    for token in re.findall(r"[\w&]+", text.casefold()):
        if token in _STOP or len(token) < 2:
            continue
        out.append(token[: max(4, len(token) - 3)] if len(token) >= 6 else token)
    return list(dict.fromkeys(out))


def _starts_word(needle: str, text: str) -> bool:
    if len(needle) <= 3:  # short words (CV, M&E) must stand alone
        return re.search(rf"(?<![\w&]){re.escape(needle)}(?![\w&])", text) is not None
    return re.search(rf"(?<![\w&]){re.escape(needle)}", text) is not None


def present(part: RequiredPart, text: str) -> bool:
    """True when *text* (already normalised) says what *part* asks for."""
    if any(p and _starts_word(_normal(p), text) for p in part.phrases):
        return True
    for source in part.texts:
        stems = _stems(source)
        hits = sum(_starts_word(s, text) for s in stems)
        if stems and hits >= part.min_words and hits / len(stems) >= part.overlap:
            return True
    return False


# -- what each letter must say -------------------------------------------------------------


def _given(*values: str) -> tuple[str, ...]:
    return tuple(v for v in values if not is_missing(v))


def _date_phrases(day: dt.date | None) -> tuple[str, ...]:
    if day is None:
        return ()
    return (
        f"{day.day} {day:%B}",
        f"{day:%B} {day.day}",
        f"{day.day} {day:%b}",
        day.isoformat(),
        f"{day.day}/{day.month}",
    )


def _time_phrases(when: dt.datetime | None) -> tuple[str, ...]:
    if when is None:
        return ()
    h12, ampm = when.hour % 12 or 12, "am" if when.hour < 12 else "pm"
    out = [f"{when:%H:%M}", f"{when:%H}h{when:%M}", f"{when:%H}.{when:%M}", f"{h12}:{when:%M} {ampm}"]
    out += [f"{h12}:{when:%M}{ampm}", f"{h12}.{when:%M} {ampm}", f"{h12}.{when:%M}{ampm}"]
    if when.minute == 0:
        out += [f"{h12} {ampm}", f"{h12}{ampm}", f"{h12} o'clock"] + (
            ["noon", "midday"] if when.hour == 12 else []
        )
    return tuple(out)


def _zone_phrases(zone: str, when: dt.datetime | None) -> tuple[str, ...]:
    out = [zone, zone.rsplit("/", 1)[-1].replace("_", " "), "UTC", "GMT"]
    if when is not None:
        abbrev = when.replace(tzinfo=ZoneInfo(zone)).strftime("%Z")
        if abbrev.isalpha():
            out.append(abbrev)
    return tuple(out)


def _length_phrases(minutes: int) -> tuple[str, ...]:
    out = [f"{minutes} min", f"{minutes}-min", f"{minutes}min"]
    out += {30: ["half an hour", "half-hour"], 60: ["an hour", "one hour"], 90: ["an hour and a half"]}.get(
        minutes, []
    )
    if minutes % 60 == 0:
        out.append(f"{minutes // 60} hour")
    return tuple(out)


def _referral_parts(facts: Mapping[str, Any]) -> tuple[RequiredPart, ...]:
    referral = facts.get("referral") or {}
    by = str(referral.get("by", ""))
    if not by:
        return ()
    return (RequiredPart(f"who suggested you write ({by})", (by, str(referral.get("by_first_name", by)))),)


def required_parts(name: str, facts: Mapping[str, Any], style: str = "full") -> tuple[RequiredPart, ...]:
    """What letter *name* must say in *style* (``full`` or ``short``), given the facts it was
    rendered from."""
    p, o, i = facts["profile"], facts["organisation"], facts["interview"]
    claims = _given(*(f["claim"] for f in facts["findings"]))
    your_name = RequiredPart(
        "who you are (your name)",
        _given(p["name"]),
        source="profile.name",
        data_missing=is_missing(p["name"]),
    )
    organisation = RequiredPart(
        "the organisation",
        _given(o["name"]),
        texts=_given(o["name"]),
        source="contact.organisation_id",
        data_missing=is_missing(o["name"]),
    )
    if name == "invitation" and style == "short":
        return (
            your_name,
            *_referral_parts(facts),
            organisation,
            RequiredPart(
                "one line of your research",
                _RESEARCH,
                texts=claims,
                overlap=0.3,
                min_words=3,
                source="findings",
                data_missing=not claims,
            ),
            RequiredPart("the ask (a short conversation)", _ASK),
            RequiredPart("an easy out ('if now is not a good time…')", _EASY_OUT),
        )
    if name == "invitation":
        careers = _given(*p["careers_of_interest"])
        return (
            your_name,
            RequiredPart(
                "your current qualification",
                texts=_given(p["current_qualification"]),
                overlap=0.3,
                min_words=2,
                source="profile.current_qualification",
                data_missing=is_missing(p["current_qualification"]),
            ),
            organisation,
            RequiredPart(
                "why you are interested",
                _INTEREST,
                source="profile.why_interested",
                data_missing=is_missing(p["why_interested"]),
            ),
            RequiredPart(
                "what you know about the organisation",
                _KNOWLEDGE,
                texts=_given(o["main_business"], *claims),
                overlap=0.3,
                min_words=3,
            ),
            RequiredPart("the purpose of the interview", _PURPOSE),
            RequiredPart("how it helps your career development", ("career",)),
            RequiredPart(
                "the careers that interest you",
                careers,
                texts=careers,
                source="profile.careers_of_interest",
                data_missing=not careers,
            ),
            RequiredPart(
                "the research you will share and confirm",
                _RESEARCH,
                texts=claims,
                overlap=0.3,
                min_words=3,
                source="findings",
                data_missing=not claims,
            ),
            *_referral_parts(facts),
        )
    if name == "confirmation":
        when, missing_when = i["scheduled_at"], i["scheduled_at"] is None
        place = _given(i["place"])
        parts = [
            RequiredPart(
                "the date",
                _date_phrases(when and when.date()),
                source="interview.scheduled_at",
                data_missing=missing_when,
            ),
            RequiredPart(
                "the time", _time_phrases(when), source="interview.scheduled_at", data_missing=missing_when
            ),
            RequiredPart(
                "the place or link",
                place + _REMOTE.get(i["medium"], ()),
                texts=place,
                source="interview.place",
                data_missing=not place,
            ),
            RequiredPart("the length", _length_phrases(i["duration_minutes"])),
        ]
        if i["medium"] != "in_person":  # a call can cross time zones; a meeting in person cannot
            parts.append(RequiredPart("the time zone", _zone_phrases(i["timezone"], when)))
        keywords = _given(*i["keywords"])
        if not keywords:
            parts.append(
                RequiredPart("the keywords to cover", source="interview.keywords", data_missing=True)
            )
        parts += [RequiredPart(f"the keyword '{k}'", (k,), texts=(k,), overlap=0.01) for k in keywords]
        return tuple(parts)
    if name == "thank_you":
        debrief = tuple(facts["debrief"])
        return (
            RequiredPart("your thanks", ("thank",)),
            RequiredPart(
                "a specific insight from the debrief",
                debrief,
                texts=debrief,
                overlap=0.3,
                min_words=3,
                source="insight",
                data_missing=not debrief,
            ),
        )
    return (
        RequiredPart(
            "when you sent the invitation",
            _date_phrases(i["invitation_sent_date"]),
            source="interview.invitation_sent",
            data_missing=i["invitation_sent_date"] is None,
        ),
        RequiredPart(
            "the organisation",
            _given(o["name"]),
            texts=_given(o["name"]),
            source="contact.organisation_id",
            data_missing=is_missing(o["name"]),
        ),
    )


# -- the check ------------------------------------------------------------------------------


def _leftovers(text: str) -> Iterable[str]:
    seen: list[str] = []
    for pattern in _PLACEHOLDERS:
        for found in (m.group(0) for m in pattern.finditer(text)):
            if not MARKER.fullmatch(found) and not any(found in s for s in seen):
                seen.append(found)
    return seen


def check_letter(letter: Letter) -> LetterCheck:
    """Is the letter ready to send? Names every unfilled placeholder, missing part and gap."""
    problems: list[str] = []
    text = f"{letter.subject}\n{letter.body}"
    if letter.template_error:
        problems.append(f"the template could not be filled in: {letter.template_error}")
    if not letter.subject.strip():
        problems.append("no subject line: start the letter with 'Subject: …'")
    where = letter.hints.get("contact.email", "the email")
    if not letter.to_email:
        problems.append(f"no address to send it to: fill in {where}")
    elif mail_address(letter.to_email) is None:
        problems.append(
            f"the address {letter.to_email} cannot go into a mail draft (only plain ASCII letters "
            f"before the '@' can): check {where}"
        )
    reported: set[str] = set()
    for match in MARKER.finditer(text):
        key = match.group(1)
        if key not in reported:
            reported.add(key)
            problems.append(f"unfilled placeholder {match.group(0)}: fill in {letter.hints.get(key, key)}")
    problems += [f"unfilled placeholder {p}" for p in _leftovers(text)]
    words = len(letter.body.split())
    if letter.name in FIRST_LETTERS:
        figures = list(dict.fromkeys(f.strip(" .,") for f in MONEY.findall(text)))
        if figures:
            problems.append(
                f"quotes a pay figure ({', '.join(figures)}) to someone you have not met: keep pay for the "
                "conversation"
            )
        limit = SHORT_WORD_LIMIT if letter.style == "short" else FULL_WORD_LIMIT
        if words >= limit:
            problems.append(f"is {words} words: keep a {letter.style} {letter.title} under {limit} words")
    # Markers name fields ("findings"); they must not count as the letter saying something.
    normal = _normal(MARKER.sub(" ", text))
    for part in required_parts(letter.name, letter.facts, letter.style):
        if present(part, normal):
            continue
        if part.data_missing:
            if part.source not in reported:
                reported.add(part.source)
                hint = letter.hints.get(part.source, part.source)
                problems.append(f"needs {part.label}, but it is empty: fill in {hint}")
        else:
            problems.append(f"does not mention {part.label}")
    return LetterCheck(ready=not problems, problems=problems, words=words)
