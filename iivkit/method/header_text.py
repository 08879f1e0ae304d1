"""Text on its way into a mail or calendar header: one line, nothing a reader could decode into more.

The models already refuse line breaks in single-line fields, but a workbook written by an
older iivkit or by hand bypasses them, and a header can also be forged by text that *decodes*
to a line break: an RFC 2047 encoded word such as ``=?utf-8?q?x=0D=0ABcc:_evil@x.org?=``. So
every value is cleaned again here, at the boundary, before a header is built from it.
"""

from __future__ import annotations

import re
import unicodedata
from email.errors import HeaderParseError
from email.headerregistry import Address

HEADER_MAX = 900
"""Longest header value written; RFC 5322 allows 998 characters on a line."""

_BREAKING = {"Cc", "Zl", "Zp", "Cs"}
_SPACES = re.compile(r"\s+")
_ENCODED_WORD_START = re.compile(r"=\?")


def _spaced_controls(text: str) -> str:
    return "".join(" " if unicodedata.category(c) in _BREAKING else c for c in text)


def one_line(text: str | None, *, limit: int = HEADER_MAX) -> str:
    """*text* as one header-safe line.

    Control characters and line or paragraph separators become spaces, runs of spaces one,
    and ``=?`` (which starts an encoded word) becomes ``= ?``, so no reader decodes the value
    into something else. Cut to *limit* characters.
    """
    if not text:
        return ""
    line = _SPACES.sub(" ", _spaced_controls(str(text))).strip()
    line = _ENCODED_WORD_START.sub("= ?", line)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def plain_text(text: str | None) -> str:
    """Multi-line *text* with LF line ends, tabs kept, and no other control characters."""
    if not text:
        return ""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs") else " " for c in text)


def mail_address(email: str | None) -> str | None:
    """*email* as one plain ASCII ``local@domain`` for a header, or None when it cannot be one.

    An international domain is written in its ASCII (IDNA) form; a non-ASCII name before the
    ``@``, or anything that is not a single address, gives None.
    """
    if not email:
        return None
    candidate = str(email).strip()
    local, at, domain = candidate.rpartition("@")
    if not at or not local or not domain or one_line(candidate) != candidate or " " in candidate:
        return None
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    candidate = f"{local}@{domain}"
    if not candidate.isascii() or "=?" in candidate:
        return None
    try:
        parsed = Address(addr_spec=candidate)
    except (ValueError, IndexError, HeaderParseError):
        return None
    return candidate if parsed.addr_spec == candidate and parsed.domain else None
