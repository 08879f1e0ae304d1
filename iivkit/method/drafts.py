"""Letters on disk: ``.eml`` drafts, Markdown copies, and the interview's ``.ics`` event.

Every file is written privately (owner-only), like exports: letters name third parties.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate
from pathlib import Path

from iivkit.errors import IivkitError
from iivkit.method.calendar_export import interview_ics
from iivkit.method.header_text import mail_address, one_line, plain_text
from iivkit.method.letter_check import LetterCheck, check_letter
from iivkit.method.letters import Letter, letter_style, letters_for, render_letter
from iivkit.workbook.files import write_private
from iivkit.workbook.models import LetterStyle
from iivkit.workbook.store import Workbook

# Python folds a long Subject onto a continuation line, which some readers show with a
# leading space; headers and lines up to RFC 5322's hard limit keep the draft as written.
_DRAFT_POLICY = policy.default.clone(max_line_length=998)


def letter_email(letter: Letter) -> EmailMessage:
    """The letter as an unsent email draft (``X-Unsent: 1`` makes mail clients open it to edit).

    Every value from the workbook is made one header-safe line first (see
    :mod:`iivkit.method.header_text`), and the draft is read back to prove it has exactly the headers
    written here: no name, subject or address can add a ``Bcc:`` or any other header.
    """
    msg = EmailMessage(policy=_DRAFT_POLICY)
    from_name, from_email = one_line(letter.from_name), mail_address(letter.from_email)
    if from_name or from_email:
        msg["From"] = _address(from_name, from_email)
    msg["To"] = _address(one_line(letter.to_name), mail_address(letter.to_email))
    msg["Subject"] = one_line(letter.subject)
    msg["Date"] = formatdate(localtime=True)
    msg["X-Unsent"] = "1"
    msg.set_content(plain_text(letter.body))
    _same_headers_when_read(msg, letter)
    return msg


def _address(name: str, email: str | None) -> Address:
    if not email:
        return Address(display_name=name)
    return Address(display_name=name, addr_spec=email)


def _same_headers_when_read(msg: EmailMessage, letter: Letter) -> None:
    """Refuse a draft that a mail reader would see other headers in than were written."""
    written = sorted(k.lower() for k, _ in msg.items())
    read = BytesParser(policy=policy.default).parsebytes(bytes(msg))
    if sorted(k.lower() for k, _ in read.items()) != written:
        raise IivkitError(
            f"a value in the {letter.title} would add a mail header; the draft was not written",
            record=f"interview {letter.interview_id}",
        )


def letter_markdown(letter: Letter, check: LetterCheck | None = None) -> str:
    """A readable Markdown copy of the letter, with its check result at the foot."""
    check = check or check_letter(letter)
    to = f"{letter.to_name} <{letter.to_email}>" if letter.to_email else letter.to_name
    lines = [
        f"# {letter.subject or '(no subject)'}",
        "",
        f"**To:** {to}  ",
        f"**Letter:** {letter.title} for interview {letter.interview_id} ({letter.source}"
        + (", short" if letter.style == "short" else "")
        + ")",
        "",
        letter.body.rstrip(),
        "",
        "---",
        "",
    ]
    if check.ready:
        lines.append(f"Ready to send ({check.words} words).")
    else:
        lines.append(f"**Not ready** ({check.words} words):")
        lines.append("")
        lines += [f"- {p}" for p in check.problems]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class WrittenLetter:
    """One letter written to disk, with its check."""

    letter: Letter
    check: LetterCheck
    files: tuple[Path, ...]


@dataclass(frozen=True)
class WrittenDrafts:
    """What :func:`write_drafts` wrote for one interview."""

    interview_id: int
    letters: tuple[WrittenLetter, ...]
    calendar: Path | None
    """The .ics file, or None when the interview has no date yet."""

    @property
    def ready(self) -> bool:
        """True when every letter passed its check."""
        return all(w.check.ready for w in self.letters)


def write_drafts(
    wb: Workbook,
    interview_id: int,
    out: Path,
    *,
    names: list[str] | None = None,
    style: LetterStyle | str | None = None,
) -> WrittenDrafts:
    """Write the interview's letters (``.eml`` + ``.md``) and its ``.ics`` event into folder *out*.

    Letters that fail their check are written too, so the user can see and fix them.

    :param names: which letters; default :func:`~iivkit.method.letters.letters_for` the interview.
    :param style: ``full`` or ``short``; None follows the profile's letter style.
    """
    if style is not None:
        style = letter_style(style)
    names = names if names is not None else letters_for(wb, interview_id)
    if out.exists() and not out.is_dir():
        raise IivkitError("is a file; choose a folder to write the letters into", file=out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"interview-{interview_id}"
    written: list[WrittenLetter] = []
    for name in names:
        letter = render_letter(wb, interview_id, name, style=style)
        check = check_letter(letter)
        eml = out / f"{stem}-{name}.eml"
        md = out / f"{stem}-{name}.md"
        write_private(eml, bytes(letter_email(letter)))
        write_private(md, letter_markdown(letter, check).encode("utf-8"))
        written.append(WrittenLetter(letter, check, (eml, md)))
    ics = interview_ics(wb, interview_id)
    calendar = None
    if ics is not None:
        calendar = out / f"{stem}.ics"
        write_private(calendar, ics)
    return WrittenDrafts(interview_id, tuple(written), calendar)
