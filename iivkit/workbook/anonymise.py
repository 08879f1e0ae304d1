"""Pseudonymise people in a document: names, emails and phone numbers, free text included.

Workbooks hold personal data about third parties. Before a workbook leaves its owner (an
export, a class report) each person gets a stable pseudonym: the same person maps to the same
pseudonym everywhere in the output and across exports of the same workbook, because codes are
keyed HMACs of the original under a secret salt kept in the workbook. The salt keeps the codes
from being reversed by hashing a list of likely names.

A person is found in free text however they are written. Text is first *folded* (accents,
compatibility forms, curly apostrophes and invisible characters removed, with a map back to the
original positions), then searched for runs of the person's name parts in any order and case:
"Priya Naidoo", "NAIDOO, Priya", "P. Naidoo", "Naidoo, P.", "priya", "O’Brien" for "OBrien",
"Jose" for "José", "@PriyaNaidoo", "linkedin.com/in/priya-naidoo-123", "priya.naidoo@", and the
contact's other names (nicknames, handles). Every email address, and every phone number in
international, trunk, bracketed or North-American form, is replaced too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import types
import typing
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from iivkit.errors import IivkitError
from iivkit.workbook.interchange import Document
from iivkit.workbook.models import RECORD_TYPES

_PARTICLE_WORDS = (
    "al bin binti bint da dal das de del della der di do dos du el ibn la le st ten ter van von y"
)
PARTICLES = frozenset(_PARTICLE_WORDS.split())
"""Lower-case surname particles ("van der Merwe"): part of a name, never a name on their own."""

_TWO_LETTER_WORDS = (
    "ad ah am an as at ax be by do eh go ha he hi ho id if in is it la lo ma me mo my no of oh ok on or "
    "ow ox pa pi re so to uh um up us we ya ye yo"
)
TWO_LETTER_WORDS = frozenset(_TWO_LETTER_WORDS.split())
"""English words of two letters: a two-letter name part that is one of them ("An", "Do") is
matched in prose only capitalised; any other ("Li", "Xu", "Ng") in any case."""

_APOSTROPHES = "'\u2019\u2018\u02bc\u02bb`\u00b4\u2032\u02b9\uff07"
_SPECIAL = {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th"}
_SPECIAL |= {k.upper(): v.upper() for k, v in _SPECIAL.items() if k.upper() != k}
_LOOKALIKES = dict(
    zip(
        "аеорсухіјѕһӏԁԝАВЕКМНОРСТХУІЈЅҮοναρυιΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
        "aeopcyxijshldwABEKMHOPCTXYIJSYovapuiABEZHIKMNOPTYX",
        strict=True,
    )
)
"""Cyrillic and Greek letters that look Latin: "Рrіуа" written to slip past is still Priya."""
_SPECIAL |= _LOOKALIKES
_SPELLED_OUT = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ø": "oe", "å": "aa", "æ": "ae", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}
    | {"Ø": "Oe", "Å": "Aa", "Æ": "Ae"}
)
"""How names with umlauts and Nordic letters are written without them."""

EMAIL = re.compile(r"(?<![\w.%+'-])[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\s?\d{1,4}(?:[\s.\-]?\(\d{1,5}\))?(?:[\s.\-]?\d{1,6}){1,6}"  # +country code
    r"|\(\d{2,5}\)[\s.\-]?\d{2,5}(?:[\s.\-]?\d{2,5}){0,3}"  # (area code)
    r"|0\d{1,4}(?:[\s.\-]?\d{2,5}){1,4}"  # trunk 0
    r"|(?:1[\s.\-])?(?:\d{3}[\s.\-])?\d{3}[\s.\-]\d{4}"  # 1-800-555-0199, 415-555-0132, 555-1234
    r")(?!\w)"
)
DIGIT_RUN = re.compile(r"(?<![\w+])\+?\d(?:[\s.()\-]{0,2}\d){6,}(?!\w)")
"""Any run of seven digits or more: matched against the people's own numbers however written."""
PHONE_WORDS = re.compile(
    r"(?i)\b(?:call|phone|tel|cell|cellphone|mobile|whatsapp|fax|sms|landline|ext)\b"
    r"[^\w\n]{0,3}(?:(?:on|at|is|me|him|her|them|no|nr|number)\W{1,3}){0,2}$"
)
"""Words just before a bare number that make it a phone number: "cell 5551234", "call her on …"."""
_DATE = re.compile(r"\d{1,2}[./\-]\d{1,2}[./\-]\d{2,4}|\d{4}[./\-]\d{1,2}[./\-]\d{1,2}")
IDENTIFIER = re.compile(r"(?<!\S)(?=\S*(?:@|/|\\|www\.|#))\S+")
"""Addresses, links and handles: names inside them become slugs, and may be glued to other text."""

_LETTERS = r"[^\W\d_\u0e00-\u0e7f\u2e80-\u9fff\ua000-\ua4cf\uac00-\ud7af\uf900-\ufaff]"
"""Letters that make up words; Thai, Chinese, Japanese and Korean are written without spaces, so a
name glued to them still stands on its own."""
_CAMEL = r"(?<=(?-i:[a-z]))(?=(?-i:[A-Z]))"
# A name also starts where a capitalised word follows an upper-case letter: "ÆNaidoo", "XNaidoo".
_START = (
    rf"(?:(?<!{_LETTERS})|{_CAMEL}|(?<=(?<!{_LETTERS})(?-i:[A-Z]))"
    r"|(?<=(?-i:[^\W\d_a-z]))(?=(?-i:[A-Z])(?-i:[a-z])))"
)
_END = rf"(?:(?!{_LETTERS})|{_CAMEL})"
_SEP = r"(?:[\s._'\-]{0,3}|,\s{0,3})"


def fold(text: str) -> tuple[str, list[int], list[int]]:
    """*text* without accents, compatibility forms, curly apostrophes or invisible characters.

    Returns the folded text and, per folded character, where it starts and ends in *text*.
    Case is kept, so initials can be told from words.
    """
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, char in enumerate(text):
        if char in _APOSTROPHES:
            folded = "'"
        elif char in _SPECIAL:
            folded = _SPECIAL[char]
        elif unicodedata.category(char) == "Nd":
            folded = str(unicodedata.digit(char))  # Arabic-Indic, Devanagari … digits as 0-9
        elif unicodedata.category(char) in ("Mn", "Me", "Cf"):
            folded = ""  # a combining mark or an invisible character belongs to what precedes it
        else:
            folded = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        if not folded:
            if ends:
                ends[-1] = i + 1
            continue
        for c in folded:
            out.append(c)
            starts.append(i)
            ends.append(i + 1)
    return "".join(out), starts, ends


def _tokens(name: str) -> list[str]:
    """Folded, lower-case words of a name, apostrophes dropped: "O’Brien-Smith" -> obrien, smith."""
    words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", fold(name)[0])
    return [w.replace("'", "").lower() for w in words]


def _letters(token: str) -> str:
    """A token that may have an apostrophe between any two letters (O'Brien, OBrien)."""
    return "'?".join(re.escape(c) for c in token)


@dataclass
class _Person:
    pseudonym: str
    slug: str
    parts: set[str] = field(default_factory=set)
    particles: set[str] = field(default_factory=set)
    initials: set[str] = field(default_factory=set)
    phrases: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def add_name(self, name: str) -> None:
        words = re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", fold(name)[0])
        tokens = _tokens(name)
        for n, (word, token) in enumerate(zip(words, tokens, strict=True)):
            # "van" in "Johan van der Merwe" is a particle; "Van" in "Van Morrison" a name.
            if token in PARTICLES and n < len(tokens) - 1 and (n > 0 or word.islower()):
                self.particles.add(token)
                continue
            self.parts.add(token)
            self.initials.add(word[0].upper())
            # The pieces of O'Brien or d'Angelo stand on their own too.
            self.parts.update(p.lower() for p in word.split("'")[1:] if len(p) >= 3)
        phrase = " ".join(fold(name)[0].split()).lower()
        if len(phrase) >= 2:
            self.phrases.add(phrase)

    def pattern(self, *, bounded: bool, identifier: bool) -> str | None:
        """A regex for a run of this person's name parts.

        :param bounded: the run starts and ends at a word boundary (or a camelCase one);
            unbounded runs are for addresses and handles, where names are glued to other text.
        :param identifier: two-letter parts match in any case (in prose too, unless the part is an
            English word such as "an": then only as "An" or "AN").
        """
        alternatives: list[str] = []
        for part in sorted(self.parts, key=len, reverse=True):
            caseless = part.upper() == part.lower()
            if len(part) >= 3 or (caseless and len(part) >= 2):
                alternatives.append(_letters(part))
            elif len(part) == 2 and bounded:
                anycase = identifier or part not in TWO_LETTER_WORDS
                alternatives.append(_letters(part) if anycase else f"(?-i:{part.title()}|{part.upper()})")
        alternatives.extend(re.escape(p) for p in sorted(self.phrases, key=len, reverse=True) if " " in p)
        if not alternatives:
            return None
        particles = "|".join(map(re.escape, sorted(self.particles, key=len, reverse=True)))
        # Bounded repeats keep a hostile text from making the search slow.
        unit = f"(?:{'|'.join(alternatives)})"
        if particles:
            unit = f"(?:(?:{particles})[\\s'\\-]{{0,3}}){{0,3}}{unit}"
        run = f"{unit}(?:{_SEP}{unit}){{0,7}}"
        if not bounded:
            return run
        initial = f"(?-i:[{''.join(sorted(self.initials))}])" if self.initials else None
        if initial:
            lead = f"(?:{initial}(?:\\.\\s{{0,3}}|\\s{{1,3}})){{0,4}}"
            trail = (
                f"(?:,\\s{{0,3}}{initial}\\.?(?:\\s?{initial}\\.?){{0,3}}"
                f"|\\s{{1,3}}{initial}\\.(?:\\s?{initial}\\.){{0,3}})?"
            )
            run = f"{lead}{run}{trail}"
        start = _START
        if self.initials:
            # "pnaidoo": an initial glued to a surname, as in user names.
            # "xPNaidoo": the same, glued camel-case behind other text.
            letters = "".join(sorted(self.initials))
            start = f"(?:{_START}|(?<=(?<!{_LETTERS})[{letters}])|(?<=(?-i:[a-z])(?-i:[{letters}])))"
        return f"{start}{run}{_END}"


def _digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", fold(value)[0])


class Pseudonymiser:
    """Maps people, emails and phone numbers to stable pseudonyms under one secret salt."""

    def __init__(self, salt: str) -> None:
        self._key = salt.encode("utf-8")
        self._people: list[_Person] = []
        self._compiled: dict[str, tuple[re.Pattern[str] | None, list[tuple[re.Pattern[str], _Person]]]] = {}

    def code(self, kind: str, value: str) -> str:
        """A short stable code for *value*."""
        digest = hmac.new(self._key, f"{kind}:{value.strip().lower()}".encode(), hashlib.sha256)
        return digest.hexdigest()[:6].upper()

    def add_person(
        self,
        name: str,
        role: str,
        *,
        other_names: Iterable[str] = (),
        email: str | None = None,
        phone: str | None = None,
    ) -> str:
        """Register a person; return their pseudonym, e.g. ``Contact 3FA2C1``.

        :param other_names: nicknames, initials and handles they are also known by.
        :param email: their address; its local part ("pnaidoo") is one of their names too.
        :param phone: their number, recognised in text however it is punctuated; or two
            numbers separated by "/".
        """
        code = self.code("name", name)
        person = _Person(f"{role} {code}", f"{role.lower()}-{code.lower()}")
        for alias in [name, *other_names]:
            person.add_name(alias)
            if alias.translate(_SPELLED_OUT) != alias:
                person.add_name(alias.translate(_SPELLED_OUT))  # Müller as Mueller, Ødegård as Oedegaard
        if email and "@" in email:
            local = email.split("@", 1)[0]
            if len(re.sub(r"\W", "", local)) >= 4:
                person.phrases.add(fold(local)[0].lower())
                person.parts.update(t for t in _tokens(local) if len(t) >= 4)
        if phone:
            # A field may hold two numbers ("082 555 0142 / 021 555 0199"): each is theirs.
            numbers = {_digits(number) for number in [phone, *phone.split("/")]}
            person.phones.update(number for number in numbers if len(number) >= 7)
        self._people.append(person)
        self._compiled.clear()
        return person.pseudonym

    def email(self, value: str) -> str:
        """The pseudonymous address for an email."""
        return f"person-{self.code('email', fold(value)[0]).lower()}@anonymised.example"

    def phone(self, value: str) -> str:
        """The pseudonymous stand-in for a phone number."""
        digits = _digits(value)
        for person in self._people:
            # A person's own number keeps one stand-in however it is written (+27…, 0…, 555…).
            if any(len(digits) >= 7 and known[-7:] == digits[-7:] for known in person.phones):
                digits = max(person.phones)
                break
        # The last nine digits identify a number whether written with +27 or a trunk 0.
        # Still shaped like a phone number, so the record validates; +00 is no real country.
        return f"+00 {int(self.code('phone', digits[-9:]), 16) % 10**7:07d}"

    def _patterns(self, kind: str) -> tuple[re.Pattern[str] | None, list[tuple[re.Pattern[str], _Person]]]:
        if kind not in self._compiled:
            bounded = kind != "glued"
            each: list[tuple[re.Pattern[str], _Person]] = []
            for person in self._people:
                source = person.pattern(bounded=bounded, identifier=kind != "prose")
                if source:
                    each.append((re.compile(source, re.IGNORECASE), person))
            combined = re.compile("|".join(p.pattern for p, _ in each), re.IGNORECASE) if each else None
            self._compiled[kind] = (combined, each)
        return self._compiled[kind]

    def _names(self, folded: str, kind: str, start: int, end: int) -> list[tuple[int, int, _Person]]:
        """Runs of one person's names between *start* and *end*, longest at each place."""
        combined, each = self._patterns(kind)
        found: list[tuple[int, int, _Person]] = []
        pos = start
        while combined is not None and (m := combined.search(folded, pos, end)):
            best: tuple[int, _Person] | None = None
            for pattern, person in each:
                candidate = pattern.match(folded, m.start(), end)
                if candidate and candidate.end() > m.start() and (best is None or candidate.end() > best[0]):
                    best = (candidate.end(), person)
            if best is None:
                pos = m.start() + 1
                continue
            found.append((m.start(), best[0], best[1]))
            pos = best[0]
        return found

    def _known_phone(self, text: str) -> bool:
        """True when *text* ends in the last seven digits of one of the people's numbers."""
        digits = _digits(text)
        return len(digits) >= 7 and any(k[-7:] == digits[-7:] for p in self._people for k in p.phones)

    @staticmethod
    def _announced_phone(folded: str, m: re.Match[str]) -> bool:
        """True for a bare number that the words before it call a phone number."""
        before = PHONE_WORDS.search(folded, max(0, m.start() - 30), m.start())
        return before is not None and len(_digits(m.group())) <= 15

    def _is_phone(self, text: str) -> bool:
        digits = _digits(text)
        return self._known_phone(text) or (7 <= len(digits) <= 15 and not _DATE.fullmatch(text.strip()))

    def _replacement(self, kind: str, found: str, person: _Person | None, *, in_identifier: bool) -> str:
        if kind == "email":
            return self.email(found)
        if person is not None:
            return person.slug if in_identifier else person.pseudonym
        stand_in = self.phone(found)
        return stand_in.replace(" ", "-") if in_identifier else stand_in

    def text(self, value: str) -> str:
        """Replace every email, phone number and known person's name in free text."""
        folded, starts, ends = fold(value)
        spans: list[tuple[int, int, str, _Person | None]] = []
        spans += [(m.start(), m.end(), "email", None) for m in EMAIL.finditer(folded)]
        identifiers = [(m.start(), m.end()) for m in IDENTIFIER.finditer(folded)]
        # Prose and addresses are searched apart, so that a run of names never spans both.
        found: list[tuple[int, int, _Person]] = []
        gap = 0
        for a, b in [*identifiers, (len(folded), len(folded))]:
            found += self._names(folded, "prose", gap, a)
            found += self._names(folded, "identifier", a, b) + self._names(folded, "glued", a, b)
            gap = b
        spans += [(a, b, "name", person) for a, b, person in found]
        spans += [
            (m.start(), m.end(), "phone", None) for m in PHONE.finditer(folded) if self._is_phone(m.group())
        ]
        spans += [
            (m.start(), m.end(), "phone", None)
            for m in DIGIT_RUN.finditer(folded)
            if self._known_phone(m.group()) or self._announced_phone(folded, m)
        ]
        out: list[str] = []
        done = 0  # in the original text
        last = 0  # in the folded text
        for a, b, kind, person in sorted(spans, key=lambda s: (s[0], -s[1])):
            if b <= last:
                continue  # inside a longer or earlier replacement
            a = max(a, last)  # what sticks out of an earlier replacement is replaced too
            in_identifier = any(x <= a and b <= y for x, y in identifiers)
            out.append(value[done : starts[a]])
            out.append(self._replacement(kind, folded[a:b], person, in_identifier=in_identifier))
            done, last = ends[b - 1], b
        out.append(value[done:])
        return "".join(out)


def _is_text(annotation: Any) -> bool:
    """True for a str field or a list of str (not a choice, date, time zone or number)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_text(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list):
        return any(_is_text(a) for a in typing.get_args(annotation) if a is not type(None))
    return annotation is str


TEXT_FIELDS: dict[str, frozenset[str]] = {
    model.table: frozenset(
        n for n, info in model.model_fields.items() if _is_text(info.annotation) and n != "timezone"
    )
    for model in RECORD_TYPES
}
"""Per table, the fields that hold free text and so may name a person."""


def _walk_records(data: dict[str, Any], fn: Callable[[str], str]) -> dict[str, Any]:
    """*data* with *fn* applied to every text field of every record (lists of text included)."""

    def record(table: str, values: dict[str, Any]) -> dict[str, Any]:
        out = dict(values)
        for name in TEXT_FIELDS[table] & out.keys():
            value = out[name]
            if isinstance(value, str):
                out[name] = fn(value)
            elif isinstance(value, list):
                out[name] = [fn(v) if isinstance(v, str) else v for v in value]
        return out

    walked = dict(data)
    for model in RECORD_TYPES:
        if model.singleton:
            walked[model.table] = record(model.table, data[model.table]) if data[model.table] else None
        else:
            walked[model.table] = [record(model.table, r) for r in data[model.table]]
    return walked


def _fit(data: dict[str, Any]) -> Document:
    """Validate the pseudonymised data, shortening text that pseudonyms made too long."""
    for _ in range(100):
        try:
            return Document.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
        for error in errors:
            *path, leaf = error["loc"]
            holder: Any = data
            for key in path:
                holder = holder[key]
            value = holder[leaf]
            limit = (error.get("ctx") or {}).get("max_length")
            if error["type"] == "string_too_long" and isinstance(value, str) and limit:
                holder[leaf] = value[: int(limit) - 1] + "…"
            elif isinstance(value, str) and leaf in ("website", "source_link"):
                holder[leaf] = ""  # a link that pseudonyms made invalid is left out
            else:
                where = ".".join(map(str, error["loc"]))
                raise IivkitError(f"cannot anonymise {where}: {error['msg']}")
    raise IivkitError("cannot anonymise this workbook: too many values do not fit")


def _other_names(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [str(v) for v in value] if isinstance(value, list) else []


def people_pseudonymiser(salt: str, people: Iterable[tuple[str, dict[str, Any]]]) -> Pseudonymiser:
    """A pseudonymiser knowing each ``(role, record)``: its name, other names, email and phone."""
    p = Pseudonymiser(salt)
    for role, person in people:
        p.add_person(
            str(person["name"]),
            role,
            other_names=_other_names(person.get("other_names")),
            email=person.get("email"),
            phone=person.get("phone"),
        )
    return p


def anonymise(doc: Document, salt: str) -> Document:
    """A copy of *doc* with every person's name, email and phone replaced by a pseudonym."""
    data = doc.model_dump(mode="json")
    people: list[tuple[str, dict[str, Any]]] = [("Contact", c) for c in data["contacts"]]
    if data["profile"]:
        people.append(("Student", data["profile"]))
    originals = [(role, dict(person)) for role, person in people]
    p = people_pseudonymiser(salt, originals)
    walked = _walk_records(data, p.text)
    targets = list(walked["contacts"]) + ([walked["profile"]] if walked["profile"] else [])
    for target, (role, original) in zip(targets, originals, strict=True):
        # Set the people's own fields from the originals: the text walk may not recognise
        # every phone format, and a pseudonymous email must not be hashed twice.
        target["name"] = f"{role} {p.code('name', original['name'])}"
        if "other_names" in target:
            target["other_names"] = []
        if original.get("email"):
            target["email"] = p.email(original["email"])
        if original.get("phone"):
            target["phone"] = p.phone(original["phone"])
    return _fit(walked)
