"""A small language check for the text iivkit writes: letters, plans and guides.

It catches the slips that make generated text read as a template: a doubled word ("the the"),
the wrong article before a word or an abbreviation ("a hr specialist", "an UX researcher"), a
sentence left without its full stop, "careers in UX researcher" (a career is not a job title),
and a letter that greets someone by their full name ("Dear Dana Whitfield,").

It is a check on iivkit's own output, run by the tests over every letter and plan; it is not a
grammar checker for what a user writes.
"""

from __future__ import annotations

import re

from iivkit.workbook.names import NAME_TITLES

KINDS = ("letter", "plan", "text")
"""What :func:`problems` may be told the text is."""

HONORIFICS = tuple(sorted((t.capitalize() for t in NAME_TITLES), key=lambda t: (-len(t), t)))
"""Titles a name may start with, with or without a full stop: the one list in ``workbook.names``."""

_HONORIFIC = re.compile(rf"^(?:{'|'.join(HONORIFICS)})\.?\s+", re.IGNORECASE)

# Letters of the alphabet whose names start with a vowel sound: an F, an H, an M, an S...
_VOWEL_LETTERS = frozenset("AEFHILMNORSX")
# Abbreviations said as words, not letter by letter.
_SAID_AS_WORDS = frozenset(
    {"NASA", "NATO", "UNICEF", "UNESCO", "OPEC", "FIFA", "SARS", "AIDS", "NICE", "NHS"}
)
# Lower-case abbreviations people type: "a hr specialist" is still wrong.
_LOWER_ABBREVIATIONS = frozenset({"hr", "ux", "ui", "m&e", "ngo", "msc", "bsc", "mba", "rn"})
# Words spelt with a vowel but said with a "you" or "won" sound take "a".
_A_BEFORE_VOWEL = (
    "uni",
    "use",
    "usu",
    "uti",
    "ura",
    "uri",
    "uro",
    "usa",
    "eu",
    "ewe",
    "one",
    "once",
    "ubiq",
)
_NOT_A_BEFORE = ("unin", "unim", "unid")  # uninformed, unimportant: "an"
# Words spelt with a consonant but said with a vowel sound take "an".
_AN_BEFORE_CONSONANT = ("hour", "honest", "honour", "honor", "heir")

JOB_TITLE_HEADS = frozenset(
    word
    for line in (
        "researcher specialist officer manager analyst assistant designer engineer nurse developer",
        "consultant scientist coordinator director lead worker evaluator psychologist technician",
        "adviser advisor administrator teacher lecturer associate partner executive recruiter",
        "planner writer editor strategist architect counsellor therapist practitioner economist",
        "epidemiologist statistician programmer accountant lawyer doctor pharmacist physiotherapist",
        "librarian intern apprentice journalist producer head owner founder",
    )
    for word in line.split()
)

_ARTICLE = re.compile(r"(?<![\w&'’-])(a|an|A|An|AN)\s+([\w&][\w&'’.-]*)")
_DOUBLED = re.compile(r"(?<![\w&'’-])([\w'’]+)\s+\1(?![\w&'’-])", re.IGNORECASE)
_MAY_DOUBLE = frozenset({"had", "that", "is"})
_CAREERS_IN = re.compile(r"\bcareers?\s+in\s+(?:the\s+)?([^.;:!?]+)", re.IGNORECASE)
_GREETING = re.compile(r"^(?:Dear|Hi|Hello|Hey)\s+(.+?)\s*[,:!]?\s*$")
_ENDS_SENTENCE = re.compile(r"""[.!?:…](?:["'’”)\]]*)$""")
_DANGLING = re.compile(r"\b(?:a|an|the|and|or|but|of)\s*[.!?]$", re.I)
_SIGN_OFF = re.compile(r"^[\w' ,!-]{1,40},$")


def starts_with_vowel_sound(word: str) -> bool | None:
    """Whether *word* is said starting with a vowel sound; None when it cannot tell (a number)."""
    bare = word.strip("'’\".,;:!?()")
    if not bare:
        return None
    if bare[0].isdigit():
        digits = re.match(r"[\d,]+", bare)
        number = digits.group(0).replace(",", "") if digits else ""
        if number.startswith("8"):
            return True
        # eleven, eighteen, eleven thousand, eighteen hundred
        return bool(re.fullmatch(r"1[18](\d{3})*", number)) or bool(re.fullmatch(r"1[18]\d\d", number))
    if _is_abbreviation(bare):
        if bare.upper().replace("&", "") in _SAID_AS_WORDS:
            return bare[0].upper() in "AEIO"
        return bare[0].upper() in _VOWEL_LETTERS
    lower = bare.casefold()
    if lower.startswith(_AN_BEFORE_CONSONANT):
        return True
    if lower[0] in "aeiou":
        return not (lower.startswith(_A_BEFORE_VOWEL) and not lower.startswith(_NOT_A_BEFORE))
    return False


def _is_abbreviation(word: str) -> bool:
    """'HR', 'M&E', 'MSc', 'NGOs', 'ux': said letter by letter."""
    if word.casefold() in _LOWER_ABBREVIATIONS and (word.islower() or word.isupper()):
        return True
    if len(word) < 2 or not word[0].isupper():
        return False
    return word[1].isupper() or word[1] == "&"


def article_for(word: str) -> str:
    """``a`` or ``an`` before *word*: ``an HR officer``, ``a UX researcher``, ``an hour``."""
    return "an" if starts_with_vowel_sound(word) else "a"


def with_article(phrase: str) -> str:
    """*phrase* with ``a`` or ``an`` in front: ``a UX researcher``, ``an M&E officer``."""
    first = phrase.split(maxsplit=1)[0] if phrase.strip() else ""
    return f"{article_for(first)} {phrase}" if first else phrase


def _article_problems(text: str) -> list[str]:
    out: list[str] = []
    for match in _ARTICLE.finditer(text):
        article, word = match.group(1), match.group(2).rstrip(".'’-")
        if article == "A" and match.start() > 0 and not re.search(r"(^|[.!?:\n]\s*)$", text[: match.start()]):
            continue  # a capital A mid-sentence is a letter: "Plan A", "grade A"
        vowel = starts_with_vowel_sound(word)
        if vowel is None:
            continue
        wanted = "an" if vowel else "a"
        if article.casefold() != wanted:
            out.append(f"'{article} {word}' should be '{wanted} {word}'")
    return out


def _doubled_words(text: str) -> list[str]:
    return [
        f"doubled word '{m.group(1)} {m.group(1)}'"
        for m in _DOUBLED.finditer(text)
        if m.group(1).casefold() not in _MAY_DOUBLE and not m.group(1).isdigit()
    ]


def _careers_in_job_titles(text: str) -> list[str]:
    out = []
    for match in _CAREERS_IN.finditer(text):
        first = re.split(
            r",|\s+(?:or|and)\s+|\s+(?:to|because|so|but|that|which|where|at)\s+", match.group(1)
        )[0]
        words = re.findall(r"[\w&'’-]+", first)
        if words and words[-1].casefold().rstrip("'’") in JOB_TITLE_HEADS:
            out.append(
                f"'careers in {first.strip()}' names a job, not a career: say 'careers as …' or 'work as …'"
            )
    return out


def _greeting_problems(text: str) -> list[str]:
    for line in text.splitlines():
        line = line.strip()
        if not line or line.lower().startswith("subject:"):
            continue
        match = _GREETING.match(line)
        if not match:
            return []  # the greeting, if any, is the first line of the body
        name = match.group(1)
        if _HONORIFIC.match(name + " "):
            return []  # formal: "Dear Dr Whitfield", "Dear Mr van der Merwe"
        if len(name.split()) > 1 and all(part[:1].isupper() for part in name.split()[:2]):
            return [f"greets by full name ('{line}'): use the first name, or a title and surname"]
        return []
    return []


def _prose_runs(paragraph: str) -> list[list[str]]:
    """The paragraph's runs of prose lines: no subject, greeting, list item or signature."""
    runs: list[list[str]] = [[]]
    for line in (raw.strip() for raw in paragraph.splitlines()):
        if not line or line.lower().startswith("subject:") or _GREETING.match(line):
            continue
        if _SIGN_OFF.match(line) and len(line.split()) <= 5:
            break  # "Kind regards," and the signature under it
        if line.startswith(("-", "*", "•")) or re.match(r"^\d+[.)]\s", line):
            runs.append([])  # a list item needs no full stop
            continue
        runs[-1].append(line)
    return [run for run in runs if run]


def _unfinished_sentences(text: str) -> list[str]:
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        for run in _prose_runs(paragraph):
            last = run[-1]
            if _DANGLING.search(last):
                out.append(f"sentence ends on a dangling word: '…{last[-60:]}'")
            elif len(" ".join(run).split()) >= 4 and not _ENDS_SENTENCE.search(last):
                out.append(f"unfinished sentence: '…{last[-60:]}'")
    return out


def problems(text: str, *, kind: str = "letter") -> list[str]:
    """What reads wrongly in *text*, one line each; empty when it reads well.

    :param kind: ``letter`` (also checks the greeting and that every paragraph ends its
        sentence), ``plan`` (questions and reasons, one a line) or ``text``.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    found = _doubled_words(text) + _article_problems(text) + _careers_in_job_titles(text)
    if kind == "letter":
        found += _greeting_problems(text) + _unfinished_sentences(text)
    elif kind == "plan":
        for line in text.splitlines():
            line = line.strip()
            if line and _DANGLING.search(line):
                found.append(f"sentence ends on a dangling word: '…{line[-60:]}'")
    return list(dict.fromkeys(found))
