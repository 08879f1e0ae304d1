"""People's names as written: the titles that come before a name and are not part of it.

A contact saved as "Dr Ana Ahmed" is still Ana Ahmed when a letter greets her, when the
planner asks whether she wrote an article, and when the anonymiser looks for her name in
free text. The one list of titles is here.
"""

from __future__ import annotations

NAME_TITLES = frozenset(
    "dr doctor prof professor mr mrs ms miss mx sir dame rev revd reverend adv hon judge".split()  # noqa: SIM905
)
"""Titles written before a name, lower case, without a full stop."""


def is_title(word: str) -> bool:
    """True for a title such as "Dr", "dr." or "PROF" (case and a trailing full stop ignored)."""
    return word.lower().rstrip(".") in NAME_TITLES


def without_titles(name: str) -> list[str]:
    """The words of ``name`` that are not titles: "Dr Ana Ahmed" gives ["Ana", "Ahmed"]."""
    return [word for word in name.split() if not is_title(word)]


def split_title(name: str) -> tuple[str, str]:
    """``("Dr", "Dana Whitfield")`` from ``"Dr. Dana Whitfield"``; ``("", name)`` when it has no title.

    A title is taken off only when a name of two or more words follows it, so "Miss" alone, or
    "Dr Whitfield" (a surname only), stays as it is.
    """
    first, _, rest = name.strip().partition(" ")
    if not is_title(first) or len(rest.split()) < 2:
        return "", name
    return tidy_title(first), rest.strip()


def tidy_title(word: str) -> str:
    """A title as a contact's title field keeps it: "Dr" from "dr." or "DR"."""
    return word.strip().rstrip(".").capitalize() if is_title(word.strip()) else word.strip()
