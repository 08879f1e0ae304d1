"""Contacts from other tools: LinkedIn's ``Connections.csv``, any CSV with a column map, and vCard.

Each source is read into :class:`RawContact` rows that remember the line they start on and the
column (or vCard property) each value came from, so that a value the models refuse is reported
as ``Connections.csv line 14: Email Address: 'bob@' is not an email address``. Turning a row into
a :class:`~iivkit.workbook.models.Contact` is the models' job (:func:`to_candidate`); matching
organisations, finding duplicates and writing are :mod:`iivkit.workbook.contacts_merge`'s.

The text arrives already read by :func:`iivkit.workbook.interchange.read_text`, with its size limit.
"""

from __future__ import annotations

import csv
import io
import quopri
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from iivkit.errors import InputFileError
from iivkit.workbook.models import Contact, HowFound, Organisation, ShortText
from iivkit.workbook.names import split_title, tidy_title

JSON, LINKEDIN, CSV, VCARD = "json", "linkedin", "csv", "vcard"
KINDS = {
    JSON: "iivkit JSON document",
    LINKEDIN: "LinkedIn connections",
    CSV: "CSV",
    VCARD: "vCard",
}
"""What ``import`` reads, with the words its messages use for each."""

MAP_FIELDS = {
    "name": "the full name",
    "first_name": "the given name (joined with last_name)",
    "last_name": "the family name",
    "organisation": "where they work, matched to the workbook's organisations by name",
    "role": "their job title",
    "email": "their email address",
    "phone": "their phone number",
    "honorific": "their title (Dr, Ms, Prof…), for formal greetings",
    "notes": "anything else; several columns may go here, each kept as 'Column: value'",
}
"""The fields a ``--map`` may send a CSV column to."""

SINGLE_FIELDS = ("organisation", "role", "email", "phone", "honorific")

LINKEDIN_COLUMNS = ("First Name", "Last Name", "Company", "Position")
"""The columns that make a CSV a LinkedIn connections export (URL, Email Address and Connected
On are read when present: older exports lack some of them)."""

HEADER_SEARCH_ROWS = 50
"""How many rows may come before the header (LinkedIn puts a few lines of notes there)."""


@dataclass(frozen=True)
class BadRow:
    """A row that cannot become a contact: its line, the column at fault and why."""

    line: int
    column: str | None
    message: str

    def text(self, file: str | Path) -> str:
        """``Connections.csv line 14: Email Address: 'bob@' is not an email address``."""
        column = f"{self.column}: " if self.column else ""
        return f"{file} line {self.line}: {column}{self.message}"


@dataclass(frozen=True)
class RawContact:
    """One contact as the source gave it, each value with the column it came from.

    :param name: parts of the name with their columns, joined with spaces ("First Name", "Last Name").
    :param values: organisation, role, email and phone, each ``(column, text)``.
    :param notes: lines of the notes, each ``(column, text)``.
    """

    line: int
    name: tuple[tuple[str, str], ...]
    values: dict[str, tuple[str, str]] = field(default_factory=dict)
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Candidate:
    """A valid new contact from line *line*; its organisation is still a name, not an id."""

    line: int
    contact: Contact
    organisation: str


@dataclass
class Source:
    """What was read from one file: its kind, the rows, and rows that could not be read at all."""

    kind: str
    rows: list[RawContact]
    bad: list[BadRow] = field(default_factory=list)

    @property
    def how_found(self) -> HowFound:
        """How the user came across people from this kind of file."""
        return HowFound.professional_network if self.kind == LINKEDIN else HowFound.other


# -- which kind of file ------------------------------------------------------------------------


def detect_kind(path: Path, text: str, *, mapped: bool = False) -> str:
    """The kind of *text*, from its name and content; one of :data:`KINDS`.

    ``.json`` is always the interchange format, ``.vcf`` (or text starting ``BEGIN:VCARD``) a
    vCard file, ``.csv`` (or any file with a *mapped* column map) a CSV, which is LinkedIn's
    when it has LinkedIn's header. Anything else is read as JSON, as before.
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        return JSON
    if suffix in (".vcf", ".vcard") or text.lstrip()[:11].upper() == "BEGIN:VCARD":
        return VCARD
    if mapped:
        return CSV
    if _linkedin_header(text) is not None:
        return LINKEDIN
    return CSV if suffix in (".csv", ".tsv", ".txt") else JSON


def _linkedin_header(text: str) -> int | None:
    """The 0-based row of LinkedIn's header, if one of the first rows is it."""
    try:
        for index, row in enumerate(csv.reader(io.StringIO(text))):
            if index >= HEADER_SEARCH_ROWS:
                return None
            if _has_columns(row, LINKEDIN_COLUMNS):
                return index
    except csv.Error:
        return None
    return None


def _key(column: str) -> str:
    return " ".join(column.split()).casefold()


def _has_columns(row: list[str], wanted: tuple[str, ...]) -> bool:
    present = {_key(c) for c in row}
    return all(_key(w) in present for w in wanted)


# -- the column map ----------------------------------------------------------------------------


def parse_map(spec: str) -> dict[str, list[str]]:
    """Read ``--map "Full name=name,Employer=organisation,Mail=email"``: fields to their columns.

    The pairs are read like one CSV line, so a column whose name holds a comma is quoted:
    ``'"Surname, first=name",Mail=email'``. Each field takes one column, except ``notes``.
    """
    try:
        pairs = next(csv.reader([spec]), [])
    except csv.Error as exc:
        raise InputFileError(f"--map: cannot read {spec!r} ({exc})") from None
    out: dict[str, list[str]] = {}
    for pair in (p.strip() for p in pairs):
        if not pair:
            continue
        column, sep, name = pair.rpartition("=")
        column, name = column.strip(), name.strip().lower()
        if not sep or not column:
            raise InputFileError(f"--map: {pair!r} is not COLUMN=FIELD")
        if name not in MAP_FIELDS:
            raise InputFileError(f"--map: {name!r} is not a field; use one of {', '.join(MAP_FIELDS)}")
        if name in out and name != "notes":
            raise InputFileError(f"--map: {name!r} is given two columns ({out[name][0]!r} and {column!r})")
        out.setdefault(name, []).append(column)
    if "name" not in out and "first_name" not in out and "last_name" not in out:
        raise InputFileError(
            "--map: say which column holds the name (COLUMN=name, or first_name and last_name)"
        )
    if "name" in out and ("first_name" in out or "last_name" in out):
        raise InputFileError("--map: give either name or first_name/last_name, not both")
    return out


# -- reading CSV -------------------------------------------------------------------------------


def read_csv(text: str, mapping: dict[str, list[str]], *, file: str | Path) -> Source:
    """The rows of a CSV whose columns *mapping* names; the header is the first row holding them all."""
    wanted = tuple(c for columns in mapping.values() for c in columns)
    rows = _csv_rows(text, wanted, file=file)
    at = _positions(rows.header, wanted)
    names = [c for f in ("name", "first_name", "last_name") for c in mapping.get(f, [])]
    singles = [(f, mapping[f][0]) for f in SINGLE_FIELDS if f in mapping]
    notes_columns = mapping.get("notes", [])
    out: list[RawContact] = []
    for line, cells in rows.body:
        cell = _reader(cells, at)
        notes = [(c, cell(c)) for c in notes_columns]
        if len(notes) > 1:
            notes = [(c, f"{c}: {text}") for c, text in notes if text]
        out.append(
            RawContact(
                line,
                tuple((c, cell(c)) for c in names),
                {f: (c, cell(c)) for f, c in singles},
                tuple(n for n in notes if n[1]),
            )
        )
    return Source(CSV, out)


def read_linkedin(text: str, *, file: str | Path) -> Source:
    """The rows of LinkedIn's ``Connections.csv``, past the notes LinkedIn puts above the header."""
    rows = _csv_rows(text, LINKEDIN_COLUMNS, file=file)
    at = _positions(rows.header, (*LINKEDIN_COLUMNS, "URL", "Email Address", "Connected On"))
    out: list[RawContact] = []
    for line, cells in rows.body:
        cell = _reader(cells, at)
        notes = []
        if cell("URL"):
            notes.append(("URL", f"LinkedIn: {cell('URL')}"))
        if cell("Connected On"):
            notes.append(("Connected On", f"Connected on LinkedIn: {cell('Connected On')}"))
        values = {
            "organisation": ("Company", cell("Company")),
            "role": ("Position", cell("Position")),
            "email": ("Email Address", cell("Email Address")),
        }
        name = (("First Name", cell("First Name")), ("Last Name", cell("Last Name")))
        out.append(RawContact(line, name, values, tuple(notes)))
    return Source(LINKEDIN, out)


def _positions(header: list[str], columns: tuple[str, ...]) -> dict[str, int]:
    """Where each of *columns* that the header has stands in it (names compared as :func:`_key`)."""
    index = {_key(c): i for i, c in enumerate(header)}
    return {c: index[_key(c)] for c in columns if _key(c) in index}


def _reader(cells: list[str], at: dict[str, int]) -> Callable[[str], str]:
    """The stripped text of a row's cell by column name; "" for a column it lacks."""
    size = len(cells)

    def cell(column: str) -> str:
        i = at.get(column, size)
        return cells[i].strip() if i < size else ""

    return cell


@dataclass
class _Rows:
    header: list[str]
    body: list[tuple[int, list[str]]]


DELIMITERS = (",", ";", "\t", "|")
"""Column separators tried in turn: spreadsheets in many European locales save CSV with ``;``."""


def _csv_rows(text: str, wanted: tuple[str, ...], *, file: str | Path) -> _Rows:
    """The header (the first row holding every *wanted* column) and the non-empty rows after it,
    each with the line it starts on. The separator is the first of :data:`DELIMITERS` that gives
    such a header; the error, when none does, is the one for commas."""
    first_error: InputFileError | None = None
    for delimiter in DELIMITERS:
        try:
            return _csv_rows_split(text, wanted, delimiter, file=file)
        except InputFileError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def _csv_rows_split(text: str, wanted: tuple[str, ...], delimiter: str, *, file: str | Path) -> _Rows:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    first: list[str] | None = None
    body: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if header is not None:
                body.append((start, cells))
                continue
            first = first or cells
            if _has_columns(cells, wanted):
                header = cells
            elif reader.line_num > HEADER_SEARCH_ROWS:
                break
    except csv.Error as exc:
        raise InputFileError(f"line {reader.line_num}: not a readable CSV row ({exc})", file=file) from None
    if header is None:
        missing = [w for w in wanted if first is None or not _has_columns(first, (w,))]
        shown = ", ".join(repr(c) for c in missing)
        has = ", ".join(repr(c) for c in (first or [])[:12]) or "nothing"
        raise InputFileError(f"no header row with the column(s) {shown}; the first row has {has}", file=file)
    return _Rows(header, body)


# -- reading vCard -----------------------------------------------------------------------------

_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)


def read_vcards(text: str, *, file: str | Path) -> Source:
    """The cards of a vCard 3 or 4 file (``.vcf``), each parsed by ``vobject``.

    The file is cut into cards here, so that each card's first line is known and one card that
    ``vobject`` cannot read is a bad row rather than the end of the import.
    """
    import vobject

    rows: list[RawContact] = []
    bad: list[BadRow] = []
    card: list[str] | None = None
    start = 0
    for number, line in enumerate(text.splitlines(), 1):
        if card is None:
            if _BEGIN.match(line):
                card, start = [line], number
            continue
        card.append(line)
        if _END.match(line):
            try:
                parsed = vobject.readOne("\r\n".join(prepare_card(card)) + "\r\n")
                rows.append(_from_vcard(start, parsed))
            except Exception as exc:  # vobject raises many kinds for one malformed card
                bad.append(BadRow(start, None, f"not a readable vCard ({_short(str(exc))})"))
            card = None
    if card is not None:
        bad.append(BadRow(start, None, "the card has no END:VCARD"))
    if not rows and not bad:
        raise InputFileError("holds no vCard (no line BEGIN:VCARD); is it really a .vcf file?", file=file)
    return Source(VCARD, rows, bad)


_TEXT_PROPERTIES = frozenset({"FN", "NOTE", "TITLE", "ROLE"})
"""Single-valued text: a bare comma in them is part of the text, though vCard asks for ``\\,``."""
_PROPERTY = re.compile(
    r"^(?:[A-Za-z0-9-]+\.)?(?P<name>[A-Za-z0-9-]+)(?P<params>(?:;[^:]*)?):(?P<value>.*)$", re.DOTALL
)
_BARE_COMMA = re.compile(r"(?<!\\),")


def prepare_card(lines: list[str]) -> list[str]:
    """One card's lines made safe for ``vobject``, which would lose or refuse what older exports write.

    - Folded lines (a continuation starts with a space or tab) are unfolded.
    - Quoted-printable values (vCard 2.1, as older phones and Outlook write them) are decoded here,
      soft line breaks (a line ending in ``=``) included, in the charset the property names.
    - A bare comma in a single-valued text (``TITLE:Head of Research, Design``) is escaped; ``vobject``
      would otherwise keep only the text before it.
    """
    unfolded: list[str] = []
    for line in lines:
        if unfolded and _soft_break(unfolded[-1]):
            unfolded[-1] = unfolded[-1][:-1] + line  # a quoted-printable soft line break
        elif unfolded and line[:1] in (" ", "\t"):
            unfolded[-1] += line[1:]  # a folded line
        else:
            unfolded.append(line)
    return [_prepare_line(line) for line in unfolded]


def _quoted_printable(line: str) -> bool:
    match = _PROPERTY.match(line)
    return bool(match and "QUOTED-PRINTABLE" in match.group("params").upper())


def _soft_break(line: str) -> bool:
    return line.endswith("=") and _quoted_printable(line)


def _prepare_line(line: str) -> str:
    match = _PROPERTY.match(line)
    if match is None:
        return line
    name, params, value = match.group("name").upper(), match.group("params"), match.group("value")
    if "QUOTED-PRINTABLE" in params.upper():
        kept = [
            p
            for p in params.split(";")
            if p and p.upper() not in ("ENCODING=QUOTED-PRINTABLE", "QUOTED-PRINTABLE")
        ]
        charset = next((p.split("=", 1)[1] for p in kept if p.upper().startswith("CHARSET=")), "utf-8")
        kept = [p for p in kept if not p.upper().startswith("CHARSET=")]
        raw = quopri.decodestring(value.encode("ascii", "replace"))
        try:
            text = raw.decode(charset, "replace")
        except LookupError:
            text = raw.decode("utf-8", "replace")
        escaped = text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\n", "\\n")
        if name in _TEXT_PROPERTIES:
            escaped = escaped.replace(",", "\\,").replace(";", "\\;")
        params = "".join(f";{p}" for p in kept)
        return f"{match.group(0)[: match.start('name')]}{match.group('name')}{params}:{escaped}"
    if name in _TEXT_PROPERTIES:
        return f"{line[: match.start('value')]}{_BARE_COMMA.sub(lambda _: chr(92) + ',', value)}"
    return line


def _from_vcard(line: int, card: Any) -> RawContact:
    def first(name: str) -> Any:
        found = card.contents.get(name)
        return found[0].value if found else None

    fn = first("fn")
    if not fn and first("n") is not None:
        n = first("n")
        fn = " ".join(str(p) for p in (n.prefix, n.given, n.additional, n.family, n.suffix) if p)
    org = first("org")
    organisation = org[0] if isinstance(org, list) and org else str(org or "")
    tel = str(first("tel") or "").strip()
    tel = tel[4:] if tel.lower().startswith("tel:") else tel
    values = {
        "organisation": ("ORG", organisation.strip()),
        "role": ("TITLE", str(first("title") or "").strip()),
        "email": ("EMAIL", str(first("email") or "").strip()),
        "phone": ("TEL", tel),
    }
    notes = [("NOTE", str(first("note") or "").strip())]
    if first("url"):
        notes.append(("URL", f"Web: {str(first('url')).strip()}"))
    # Only one email and phone fit a contact: the others are kept in the notes, not dropped.
    for prop, label in (("email", "Other email"), ("tel", "Other phone")):
        for extra in card.contents.get(prop, [])[1:]:
            text = str(extra.value or "").strip()
            text = text[4:] if text.lower().startswith("tel:") else text
            if text:
                notes.append((prop.upper(), f"{label}: {text}"))
    n = first("n")
    prefix = str(getattr(n, "prefix", "") or "").strip() if n is not None else ""
    if prefix:
        values["honorific"] = ("N", prefix)
    return RawContact(line, (("FN", str(fn or "").strip()),), values, tuple(n for n in notes if n[1]))


# -- from a row to a contact -------------------------------------------------------------------

_ONE_LINE: TypeAdapter[str] = TypeAdapter(ShortText)


def to_candidate(raw: RawContact, how_found: HowFound) -> Candidate | BadRow:
    """The contact in *raw*, validated by the models; or the first value they refuse.

    A title in front of the name ("Dr Dana Whitfield") becomes the contact's title, so that the
    name matches the same person already in the workbook and letters can greet them formally.
    """
    values = {f: text for f, (_, text) in raw.values.items()}
    title, name = split_title(" ".join(text for _, text in raw.name if text))
    data: dict[str, Any] = {
        "name": name,
        "honorific": tidy_title(values.get("honorific", "")) or title,
        "role": values.get("role", ""),
        "email": values.get("email") or None,
        "phone": values.get("phone", ""),
        "notes": "\n".join(text for _, text in raw.notes),
        "how_found": how_found,
    }
    try:
        contact = Contact.model_validate(data)
    except ValidationError as exc:
        return _bad(raw, exc, data)
    organisation, problem = _organisation(values.get("organisation", ""))
    if problem:
        return BadRow(raw.line, raw.values["organisation"][0], problem)
    return Candidate(raw.line, contact, organisation)


@lru_cache(maxsize=4096)
def _organisation(name: str) -> tuple[str, str | None]:
    """An organisation's name as the models keep it, or what is wrong with it (many rows share one)."""
    if not name:
        return "", None
    try:
        return Organisation.model_validate({"name": name}).name, None
    except ValidationError as exc:
        return name, _message(exc, name)


def _bad(raw: RawContact, exc: ValidationError, data: dict[str, Any]) -> BadRow:
    where = str(exc.errors()[0]["loc"][0])
    if where == "name":
        labels = " and ".join(label for label, _ in raw.name)
        if not data["name"]:
            return BadRow(raw.line, labels, "empty; a contact needs a name")
        for label, text in raw.name:  # name the part at fault, not the name they make together
            try:
                _ONE_LINE.validate_python(text)
            except ValidationError as part:
                return BadRow(raw.line, label, _message(part, text))
        return BadRow(raw.line, labels, _message(exc, data["name"]))
    if where == "notes":
        return BadRow(raw.line, ", ".join(label for label, _ in raw.notes), _message(exc, data["notes"]))
    label, text = raw.values[where]
    if where == "email":
        return BadRow(raw.line, label, f"{_short(text)!r} is not an email address")
    return BadRow(raw.line, label, _message(exc, text))


def _message(exc: ValidationError, value: str) -> str:
    first = exc.errors()[0]
    if first["type"] == "string_too_long":
        limit = first.get("ctx", {}).get("max_length")
        return f"{len(value)} characters, more than the {limit} it may have"
    return str(first["msg"]).removeprefix("Value error, ")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
