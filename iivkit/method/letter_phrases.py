"""Phrases the letters are built from: a greeting, who you are, the careers you are exploring,
what you know of an organisation. Each turns workbook fields (a name, a list of
qualifications, an organisation's ``main_business`` notes) into a sentence a person would write.

They are plain functions of text, so the letters, their check and the tests share them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from iivkit.method.language import HONORIFICS, JOB_TITLE_HEADS, with_article

_TITLE_PREFIX = re.compile(rf"^((?:{'|'.join(HONORIFICS)})\.?)\s+(.+)$", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_NAME_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "da", "du", "del", "la", "le", "di", "bin", "al"}
)


# -- names and greetings ------------------------------------------------------------------------


def split_title(name: str) -> tuple[str, str]:
    """``'Dr Ayesha Patel'`` → ``('Dr', 'Ayesha Patel')``; a name without a title keeps ``''``."""
    match = _TITLE_PREFIX.match(name.strip())
    if not match:
        return "", name.strip()
    return match.group(1), match.group(2).strip()


def first_name(name: str) -> str:
    """The first name: ``'Dr Ayesha Patel'`` → ``'Ayesha'``."""
    bare = split_title(name)[1]
    return bare.split()[0] if bare.split() else bare


def surname(name: str) -> str:
    """The family name, with its particles: ``'Pieter van der Merwe'`` → ``'van der Merwe'``."""
    words = split_title(name)[1].split()
    if len(words) <= 1:
        return words[0] if words else ""
    start = len(words) - 1
    while start > 1 and words[start - 1].casefold() in _NAME_PARTICLES:
        start -= 1
    return " ".join(words[start:])


def title_of(honorific: str, name: str) -> str:
    """The person's title: the one recorded, else one written in front of their name."""
    return honorific.strip().rstrip(".") or split_title(name)[0].rstrip(".")


def greeting_name(name: str, honorific: str, style: str) -> str:
    """How the letter addresses them: ``Dr Whitfield`` (formal, title known) or ``Dana``.

    Never the full name: a formal greeting without a known title falls back on the first name.
    """
    title = title_of(honorific, name)
    if style == "formal" and title and surname(name):
        return f"{title} {surname(name)}"
    return first_name(name)


# -- who you are ------------------------------------------------------------------------------

_IN_PROGRESS = ("in progress", "ongoing", "current", "studying", "underway", "under way", "started")
_QUALIFICATION_WORDS = frozenset(
    word
    for line in (
        "bachelor bachelors master masters diploma certificate degree doctorate honours national",
        "higher postgraduate graduate foundation advanced associate professional level",
    )
    for word in line.split()
)


def _bare(text: str) -> tuple[str, list[str]]:
    """Text without its parenthetical notes, and the notes."""
    notes = _PARENTHESIS.findall(text)
    return " ".join(_PARENTHESIS.sub("", text).split()), notes


def _qualification(name: str) -> str:
    """With an article: 'a BSc in Psychology', 'an RN licence', 'the Google UX Design Certificate'."""
    words = name.split()
    if not words:
        return name
    first = words[0]
    if first.casefold() in {"a", "an", "the", "my"}:
        return name
    abbreviation = len(first) > 1 and (first[1].isupper() or first[1] == "&" or first.isupper())
    if abbreviation or first.casefold().rstrip("'’s") in _QUALIFICATION_WORDS:
        return with_article(name)
    return f"the {name}"


def _with_year(name: str, notes: list[str]) -> str:
    years = [n for n in notes if re.fullmatch(r"\d{4}", n.strip())]
    others = [n for n in notes if n not in years]
    text = _qualification(name)
    if others:
        text += f" ({'; '.join(others)})"
    if years:
        text += f" in {years[0]}"
    return text


def current_clause(current: str, stage: str | None) -> str:
    """Your current qualification as a clause that follows your name: 'in the final year of a
    BSc Psychology', 'now studying for the Google UX Design Professional Certificate'."""
    name, notes = _bare(current)
    if not name:
        return ""
    note = "; ".join(notes).casefold()
    if "final year" in note:
        return f"in the final year of {_qualification(name)}"
    if any(word in note for word in _IN_PROGRESS) or stage in ("student", "career_changer"):
        return f"now studying for {_qualification(name)}"
    if re.fullmatch(r"\d{4}", note.strip()):
        return f"with {_qualification(name)} from {note.strip()}"
    return f"with {_qualification(name)}"


def qualification_sentences(current: str, previous: Sequence[str], stage: str | None) -> str:
    """Your qualifications as one or two sentences, e.g. 'I am now studying for the Google UX
    Design Professional Certificate. I also hold a BSN and an RN licence.'"""
    out: list[str] = []
    name, notes = _bare(current)
    if name:
        note = "; ".join(notes).casefold()
        if "final year" in note:
            out.append(f"I am in the final year of {_qualification(name)}.")
        elif any(word in note for word in _IN_PROGRESS) or stage in ("student", "career_changer"):
            out.append(f"I am now studying for {_qualification(name)}.")
        elif re.fullmatch(r"\d{4}", note.strip()):
            out.append(f"I completed {_qualification(name)} in {note.strip()}.")
        else:
            out.append(f"I hold {_qualification(name)}.")
    earlier = [_with_year(*_bare(q)) for q in previous if _bare(q)[0]]
    if earlier:
        verb = "completed" if stage in (None, "student", "recent_graduate") else "hold"
        lead = f"Before that I {verb}" if verb == "completed" else "I also hold"
        if not name:
            lead = "I completed" if verb == "completed" else "I hold"
        out.append(f"{lead} {join_list(earlier)}.")
    return " ".join(out)


def join_list(items: Sequence[str], conjunction: str = "and") -> str:
    """``a, b and c``."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


# -- careers ------------------------------------------------------------------------------------


def _plain(item: str) -> str:
    """'Research psychologist (longer term)' → 'research psychologist'; '(M&E)' stays."""
    kept = _PARENTHESIS.sub(lambda m: m.group(0) if " " not in m.group(1) else "", item)
    text = " ".join(kept.split())
    first = text.split()[0] if text.split() else ""
    if first and first[0].isupper() and first[1:].islower():
        text = text[0].lower() + text[1:]
    return text


_QUALIFIER = re.compile(r"\s+(?:in|at|for|with|within|on)\s+", re.IGNORECASE)


def is_job_title(item: str) -> bool:
    """True for 'UX researcher', 'M&E officer' or 'research assistant in programme evaluation'
    (the title comes before its 'in …'), False for 'programme evaluation'."""
    head = _QUALIFIER.split(_PARENTHESIS.sub("", item), maxsplit=1)[0]
    words = re.findall(r"[\w&'’-]+", head)
    return bool(words) and words[-1].casefold() in JOB_TITLE_HEADS


def careers_phrase(items: Iterable[str], *, limit: int = 4) -> str:
    """What you are exploring: 'careers as a UX researcher or clinical informatics specialist',
    'careers in programme evaluation', or both: 'careers in X, in particular as an M&E officer'.
    Empty when there is nothing to say."""
    seen: dict[str, str] = {}
    for item in items:
        plain = _plain(item)
        key = " ".join(
            _PARENTHESIS.sub("", plain).split()
        ).casefold()  # "M&E officer" once, with or without "(M&E)"
        if plain and key not in seen:
            seen[key] = plain
    chosen = list(seen.values())[:limit]
    roles = [c for c in chosen if is_job_title(c)]
    # A field already named inside a role ("research assistant in programme evaluation") is not repeated.
    fields = [
        c for c in chosen if not is_job_title(c) and not any(c.casefold() in r.casefold() for r in roles)
    ]
    as_roles = f"as {with_article(join_list(roles, 'or'))}" if roles else ""
    if fields and roles:
        return f"careers in {join_list(fields)}, in particular {as_roles}"
    if fields:
        return f"careers in {join_list(fields)}"
    return f"careers {as_roles}" if roles else ""


# -- organisations ------------------------------------------------------------------------------

_THE_FIRST = frozenset(
    word
    for line in (
        "centre center department provincial national institute university ministry office council",
        "federal state royal city municipal regional county district metropolitan school faculty",
    )
    for word in line.split()
)
_THE_LAST = frozenset(
    {
        "department",
        "institute",
        "ministry",
        "authority",
        "agency",
        "council",
        "service",
        "fund",
        "trust",
        "foundation",
    }
)
_PLACE_COUNCIL = frozenset({"city", "county", "borough", "district", "town", "parish"})


def the_name(org: str) -> str:
    """The organisation's name as it reads mid-sentence: 'the Centre for Health Systems Evaluation'."""
    words = org.split()
    if not words or words[0].casefold() == "the":
        return org
    if len(words) > 2 and words[-1].casefold() == "council" and words[-2].casefold() in _PLACE_COUNCIL:
        return org  # "Leeds City Council"
    lower = [w.casefold() for w in words]
    of_phrase = any(w in _THE_FIRST | _THE_LAST and after == "of" for w, after in itertools.pairwise(lower))
    if lower[0] in _THE_FIRST or lower[-1] in _THE_LAST or of_phrase:
        return f"the {org}"
    return org


def capital(text: str) -> str:
    """*text* with a capital first letter."""
    return text[:1].upper() + text[1:]


def _sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", " ".join(text.split()))
    return [p.rstrip(" ;,:") for p in parts if p.strip(" .;,:")]


def _lower_word(sentence: str) -> str:
    first, _, rest = sentence.partition(" ")
    if first != "I" and first[:1].isupper() and (len(first) == 1 or first[1:].islower()):
        first = first.lower()
    return f"{first} {rest}".strip()


def _verb_led(word: str) -> bool:
    lower = word.casefold()
    if lower.endswith("ly"):  # "Mostly hires…"
        return True
    if lower.endswith("ed") and len(lower) > 4:  # "Launched…", "Designed…"
        return True
    return lower.endswith(("s", "es")) and not lower.endswith(("ss", "us", "is")) and len(lower) > 3


def organisation_sentences(org: str, main_business: str, *, start: bool = True) -> str:
    """Notes on what an organisation does, as sentences with it as the subject.

    ``'A university research centre that evaluates…. Designed and ran the evaluation…'`` →
    ``'The Centre … is a university research centre that evaluates…. It designed and ran…'``.

    :param start: False when the text follows other words ("I understand that the Centre…"),
        so a leading "The" stays lower case.
    """
    out: list[str] = []
    for i, sentence in enumerate(_sentences(main_business)):
        subject = ((capital if start else str)(the_name(org))) if i == 0 else "It"
        first = sentence.split()[0]
        lowered = first.casefold()
        if sentence.casefold().startswith((org.casefold(), the_name(org).casefold())) or lowered in {
            "it",
            "its",
            "they",
            "their",
            "we",
            "our",
        }:
            text = sentence
        elif lowered in {"a", "an", "the", "one"}:
            text = f"{subject} is {_lower_word(sentence)}"
        elif _verb_led(first) and first[:1].isupper():
            text = f"{subject} {_lower_word(sentence)}"
        else:
            text = f"{subject} works on {_lower_word(sentence)}" if i == 0 else sentence
        out.append(text if text.endswith((".", "!", "?")) else f"{text}.")
    return " ".join(out)


# -- research ----------------------------------------------------------------------------------

SALARY_TOPIC = re.compile(r"salar|\bpay\b|wage|earning|compensation|remuneration", re.IGNORECASE)
MONEY = re.compile(
    r"(?:[$£€¥₹]\s?\d[\d,.]*\s?[kKmM]?\b"
    r"|\b(?:KSh|NGN|USD|GBP|EUR|ZAR|KES|INR|AUD|CAD)\s?\d[\d,.]*\s?[kKmM]?\b"
    r"|\bR\s?\d{1,3}(?:[, ]?\d{3})+\b)"
)
"""A money figure: R18,000, $85k, KSh 60,000, £30,000."""


def is_about_pay(topic: str, claim: str) -> bool:
    """True for a finding about salaries or one that quotes a money figure."""
    return bool(SALARY_TOPIC.search(topic) or SALARY_TOPIC.search(claim) or MONEY.search(claim))
