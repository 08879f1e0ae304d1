"""Contacts out as vCard 4 (RFC 6350): one card per contact, for an address book or a phone.

Each card has FN, N (the contact's title as its prefix), ORG, TITLE, EMAIL, TEL and NOTE, as far
as the contact has them. Text is escaped as the RFC says (backslash, comma, semicolon, line
break), so no value can start a property of its own, and lines are folded at 75 octets without
splitting a character.
"""

from __future__ import annotations

from iivkit.workbook.interchange import Document
from iivkit.workbook.names import without_titles


def escape(text: str) -> str:
    """A text value as vCard writes it: ``\\``, ``,``, ``;`` and line breaks escaped."""
    text = text.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """*line* folded into lines of at most 75 octets, each continuation starting with a space."""
    out: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _family_and_given(name: str) -> tuple[str, str]:
    """A best guess at N's family and given names: the last word, and the words before it."""
    words = without_titles(name) or name.split()
    return (words[-1], " ".join(words[:-1])) if words else ("", "")


def vcards(doc: Document) -> str:
    """Every contact of *doc* as a vCard 4 card, by id, with CRLF line ends."""
    organisations = {o.id: o.name for o in doc.organisations}
    cards: list[str] = []
    for contact in doc.contacts:
        family, given = _family_and_given(contact.name)
        lines = ["BEGIN:VCARD", "VERSION:4.0", f"FN:{escape(contact.name)}"]
        lines.append(f"N:{escape(family)};{escape(given)};;{escape(contact.honorific)};")
        if contact.organisation_id in organisations:
            lines.append(f"ORG:{escape(organisations[contact.organisation_id])}")
        if contact.role:
            lines.append(f"TITLE:{escape(contact.role)}")
        if contact.email:
            lines.append(f"EMAIL:{escape(contact.email)}")
        if contact.phone:
            lines.append(f"TEL;VALUE=text:{escape(contact.phone)}")
        if contact.notes:
            lines.append(f"NOTE:{escape(contact.notes)}")
        lines.append("END:VCARD")
        cards.append("".join(fold(line) + "\r\n" for line in lines))
    return "".join(cards)
