"""Pseudonymise people in a document: names, emails and phone numbers, free text included.

Workbooks hold personal data about third parties. Before a workbook leaves its owner (an
export, a class report) each person gets a stable pseudonym: the same person maps to the same
pseudonym everywhere in the output and across exports of the same workbook, because codes are
keyed HMACs of the original under a secret salt kept in the workbook. The salt keeps the codes
from being reversed by hashing a list of likely names.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from typing import Any

from .interchange import Document

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:\+\d{1,3}[\s.-]?(?:\(0\)\s?)?\(?|\(?0)"  # +country code (area code may be bracketed), or a trunk 0
    r"\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}"
    r"(?!\w)"
)


class Pseudonymiser:
    """Maps people, emails and phone numbers to stable pseudonyms under one secret salt."""

    def __init__(self, salt: str) -> None:
        self._key = salt.encode("utf-8")
        self._names: dict[str, str] = {}
        self._parts: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def code(self, kind: str, value: str) -> str:
        """A short stable code for *value*."""
        digest = hmac.new(self._key, f"{kind}:{value.strip().lower()}".encode(), hashlib.sha256)
        return digest.hexdigest()[:6].upper()

    def add_person(self, name: str, role: str) -> str:
        """Register a person; return their pseudonym, e.g. ``Contact 3FA2C1``."""
        pseudonym = f"{role} {self.code('name', name)}"
        self._names[name.strip().lower()] = pseudonym
        for part in re.findall(r"[^\W\d_][\w'-]{2,}", name):
            # Given names and surnames on their own ("Sipho said …"), matched case-sensitively
            # so common words are spared; the full name is matched in any case.
            if part[0].isupper():
                self._parts.setdefault(part, pseudonym)
        self._pattern = None
        return pseudonym

    def email(self, value: str) -> str:
        """The pseudonymous address for an email."""
        return f"person-{self.code('email', value).lower()}@anonymised.example"

    def phone(self, value: str) -> str:
        """The pseudonymous stand-in for a phone number."""
        # The last nine digits identify a number whether written with +27 or a trunk 0.
        digits = re.sub(r"\D", "", value)[-9:]
        # Still shaped like a phone number, so the record validates; +00 is no real country.
        return f"+00 {int(self.code('phone', digits), 16) % 10**7:07d}"

    def _name_pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            alternatives = sorted(self._names, key=len, reverse=True)
            full = "|".join(re.escape(n) for n in alternatives) or r"(?!x)x"
            parts = "|".join(re.escape(p) for p in sorted(self._parts, key=len, reverse=True)) or r"(?!x)x"
            self._pattern = re.compile(rf"(?i:\b(?:{full})\b)|\b(?:{parts})\b")
        return self._pattern

    def text(self, value: str) -> str:
        """Replace every email, phone number and known name in free text."""
        value = EMAIL.sub(lambda m: self.email(m.group()), value)
        value = PHONE.sub(lambda m: self.phone(m.group()), value)

        def person(m: re.Match[str]) -> str:
            found = m.group()
            return self._names.get(found.lower()) or self._parts.get(found, found)

        return self._name_pattern().sub(person, value)


def _walk(value: Any, fn: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_walk(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v, fn) for k, v in value.items()}
    return value


def anonymise(doc: Document, salt: str) -> Document:
    """A copy of *doc* with every person's name, email and phone replaced by a pseudonym."""
    p = Pseudonymiser(salt)
    data = doc.model_dump(mode="json")
    people: list[tuple[str, dict[str, Any]]] = [("Contact", c) for c in data["contacts"]]
    if data["profile"]:
        people.append(("Student", data["profile"]))
    originals = [(role, dict(person)) for role, person in people]
    for role, person in originals:
        p.add_person(person["name"], role)
    walked = {k: v if k in ("format", "format_version") else _walk(v, p.text) for k, v in data.items()}
    targets = list(walked["contacts"]) + ([walked["profile"]] if walked["profile"] else [])
    for target, (role, original) in zip(targets, originals, strict=True):
        # Set the people's own fields from the originals: the text walk may not recognise
        # every phone format, and a pseudonymous email must not be hashed twice.
        target["name"] = p.add_person(original["name"], role)
        if original.get("email"):
            target["email"] = p.email(original["email"])
        if original.get("phone"):
            target["phone"] = p.phone(original["phone"])
    return Document.model_validate(walked)
