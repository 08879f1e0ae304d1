"""The JSON interchange document: a whole workbook as one JSON file, and back.

The document is a pydantic model built from the record models, so its JSON Schema
(``iivkit/data/workbook.schema.json``, see ``docs/interchange.md``) is generated, never
hand-written. Export is deterministic: records by id, keys in field order, so exporting,
importing into a fresh workbook and exporting again gives the same bytes.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import stat
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from iivkit.errors import InputFileError, ValidationFailed, WorkbookExistsError, WorkbookMissingError
from iivkit.workbook.models import (
    BY_TABLE,
    RECORD_TYPES,
    Contact,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Profile,
    Question,
    Record,
)
from iivkit.workbook.opening import open_in_this_process
from iivkit.workbook.store import Workbook

FORMAT = "iivkit-workbook"
FORMAT_VERSION = 1
SCHEMA_RESOURCE = "workbook.schema.json"

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""The largest document ``import`` reads: well above any real workbook, far below a full disk."""
MAX_DEPTH = 64
"""How deeply a document may nest lists and objects (a real one nests 4 levels)."""
_INT_LIMIT = 2**63
"""SQLite stores whole numbers in 64 bits: from -2**63 to 2**63 - 1."""


class Document(BaseModel):
    """A whole workbook: the profile and one list per record type."""

    model_config = ConfigDict(
        extra="forbid",
        title="iivkit workbook",
        json_schema_extra={
            "$id": "https://iivkit.invalid/schema/workbook.schema.json",
            "description": "Every record of one iivkit workbook. Ids are the workbook's own; "
            "fields ending in _id refer to records by those ids.",
        },
    )

    format: Literal["iivkit-workbook"] = Field(
        default="iivkit-workbook", description="Always 'iivkit-workbook'."
    )
    format_version: Literal[1] = Field(default=1, description="The document format version.")
    profile: Profile | None = None
    organisations: list[Organisation] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    interviews: list[Interview] = Field(default_factory=list)
    questions: list[Question] = Field(default_factory=list)
    planned_questions: list[PlannedQuestion] = Field(default_factory=list)
    finding_outcomes: list[FindingOutcome] = Field(default_factory=list)
    insights: list[Insight] = Field(default_factory=list)
    open_questions: list[OpenQuestion] = Field(default_factory=list)

    def records(self) -> list[Record]:
        """Every record in the document, profile first."""
        out: list[Record] = [self.profile] if self.profile else []
        for model in RECORD_TYPES:
            if not model.singleton:
                out.extend(getattr(self, model.table))
        return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the interchange document, generated from the models."""
    return Document.model_json_schema()


def shipped_schema() -> dict[str, Any]:
    """The JSON Schema file shipped inside the package."""
    text = resources.files("iivkit.data").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def write_schema(path: Path) -> None:
    """Write the generated schema to *path* (used to refresh the shipped copy)."""
    path.write_text(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def to_document(wb: Workbook) -> Document:
    """Read every record of a workbook into a document."""
    doc = Document(profile=wb.profile())
    for model in RECORD_TYPES:
        if not model.singleton:
            setattr(doc, model.table, wb.all(model))
    return doc


def dump(doc: Document) -> str:
    """The document as JSON text, deterministic and readable."""
    return json.dumps(doc.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def export_json(wb: Workbook) -> str:
    """The workbook as interchange JSON text."""
    return dump(to_document(wb))


def _where(loc: tuple[int | str, ...], data: Any) -> tuple[str, str | None]:
    """Name the record and field of a validation error location in a document."""
    if not loc:
        return "document", None
    if loc[0] == "profile":
        return "profile", ".".join(map(str, loc[1:])) or None
    if len(loc) >= 2 and isinstance(loc[1], int):
        table, index = str(loc[0]), loc[1]
        try:
            rid = data[table][index].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            rid = None
        return _position(table, index, rid), ".".join(map(str, loc[2:])) or None
    return "document", ".".join(map(str, loc))


def _position(table: str, index: int, record_id: object) -> str:
    """``organisations[3] (id 7)``: where a record sits in the document."""
    shown = record_id if isinstance(record_id, (int, _BadNumber)) else None
    return f"{table}[{index}]" + (f" (id {shown})" if shown is not None else "")


# -- reading a document safely -----------------------------------------------------------------


class _BadNumber:
    """A number in the document that no field can hold; reported with where it stands."""

    def __init__(self, text: str, reason: str) -> None:
        self.text, self.reason = text, reason

    def __str__(self) -> str:
        return self.text if len(self.text) <= 24 else f"{self.text[:12]}...({len(self.text)} digits)"


def _parse_int(text: str) -> int | _BadNumber:
    digits = text.lstrip("-")
    if len(digits) > 19 or not -_INT_LIMIT <= int(text) < _INT_LIMIT:
        return _BadNumber(text, "is out of range: whole numbers must lie between -2^63 and 2^63 - 1")
    return int(text)


def _parse_float(text: str) -> float | _BadNumber:
    value = float(text)
    if len(text) > 40 or not math.isfinite(value):
        return _BadNumber(text, "is not a number a field can hold (too long or too large)")
    return value


def _parse_constant(text: str) -> _BadNumber:
    return _BadNumber(text, "is not a number JSON allows")


def _check_values(data: dict[str, Any], *, file: str | Path | None) -> None:
    """Refuse a document nested deeper than :data:`MAX_DEPTH` or holding an impossible number."""
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, _BadNumber):
            record, field = _where(loc, data)
            raise ValidationFailed(f"number {value} {value.reason}", file=file, record=record, field=field)
        if len(loc) > MAX_DEPTH:
            record, field = _where(loc[:3], data)
            raise ValidationFailed(
                f"nested more than {MAX_DEPTH} levels deep", file=file, record=record, field=field
            )
        if isinstance(value, dict):
            stack.extend((v, (*loc, str(k))) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*loc, i)) for i, v in enumerate(value))


_KINDS = {
    stat.S_ISDIR: "a folder",
    stat.S_ISFIFO: "a named pipe (FIFO)",
    stat.S_ISCHR: "a device",
    stat.S_ISBLK: "a device",
    stat.S_ISSOCK: "a socket",
}


def read_text(path: Path) -> str:
    """The text of a document file: a regular file of at most :data:`MAX_DOCUMENT_BYTES` of UTF-8.

    A FIFO, device, socket or folder is refused without reading from it (so a FIFO cannot
    hang the import), and so is a binary file.
    """
    if open_in_this_process(path):  # not opened outside SQLite: that would drop its locks
        raise InputFileError("is a workbook, not a JSON document", file=path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputFileError("no such file", file=path) from None
    except OSError as exc:
        raise InputFileError(f"cannot read: {exc.strerror}", file=path) from None
    mode = os.fstat(fd).st_mode
    for is_kind, kind in _KINDS.items():
        if is_kind(mode):
            os.close(fd)
            raise InputFileError(f"is {kind}, not a file; import reads a JSON, CSV or vCard file", file=path)
    with os.fdopen(fd, "rb") as fh:
        try:
            data = fh.read(MAX_DOCUMENT_BYTES + 1)
        except OSError as exc:
            raise InputFileError(f"cannot read: {exc.strerror}", file=path) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputFileError(
            f"is larger than {MAX_DOCUMENT_BYTES // 2**20} MB, the most import reads; "
            "is it really an iivkit JSON document?",
            file=path,
        )
    if data.startswith(b"PK\x03\x04"):
        raise InputFileError(
            "is a zip file (an Excel workbook, or iivkit's CSV export), which cannot be imported: "
            "import takes iivkit's JSON export (iivkit export --format json), a CSV or a vCard",
            file=path,
        )
    try:
        if b"\x00" in data:
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(
            "cannot read: a binary file, or text not in UTF-8. Import takes an iivkit JSON "
            "document, a CSV (LinkedIn's Connections.csv, or any CSV with --map) or a vCard, as "
            "UTF-8 text: in Excel, save as 'CSV UTF-8'. Excel files and workbooks cannot be imported",
            file=path,
        ) from None


def read_document(path: Path) -> Document:
    """Read, check and validate the interchange document in *path*."""
    return parse_document(read_text(path), file=path)


def parse_document(text: str, *, file: str | Path | None = None) -> Document:
    """Parse and validate interchange JSON; errors name the record and field at fault."""
    try:
        data = json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant
        )
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", file=file
        ) from None
    except RecursionError:
        raise InputFileError(
            f"not an iivkit document: nested more than {MAX_DEPTH} levels deep", file=file
        ) from None
    if not isinstance(data, dict):
        raise InputFileError("not an iivkit document: the top level must be a JSON object", file=file)
    _check_values(data, file=file)
    try:
        return Document.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        record, field = _where(tuple(first["loc"]), data)
        message = (
            "unknown field"
            if first["type"] == "extra_forbidden"
            else first["msg"].removeprefix("Value error, ")
        )
        if first["type"] == "missing":
            message = "required field is missing"
        more = len(exc.errors()) - 1
        if more:
            message += f" (and {more} more {'problem' if more == 1 else 'problems'})"
        raise ValidationFailed(message, file=file, record=record, field=field) from None


def _positions(doc: Document) -> list[tuple[str, Record]]:
    """Every record but the profile, with where it stands in the document."""
    return [
        (_position(model.table, index, record.id), record)
        for model in RECORD_TYPES
        if not model.singleton
        for index, record in enumerate(getattr(doc, model.table))
    ]


def _check_ids(wb: Workbook, placed: list[tuple[str, Record]], file: str | Path | None) -> None:
    """Refuse a repeated id, or a reference to a record in neither the document nor *wb*."""
    seen: dict[tuple[str, int], str] = {}
    for where, record in placed:
        if record.id is None:
            continue
        first = seen.setdefault((record.table, record.id), where)
        if first != where:
            raise ValidationFailed(
                f"id {record.id} is used twice in the document (also at {first})",
                file=file,
                record=where,
                field="id",
            )
    for where, record in placed:
        for field, table in record.references().items():
            value = getattr(record, field)
            if value is None or (table, value) in seen or wb.exists(BY_TABLE[table], value):
                continue
            raise ValidationFailed(
                f"refers to {BY_TABLE[table].label} {value}, which is in neither the document "
                f"nor the workbook",
                file=file,
                record=where,
                field=field,
            )


def import_document(
    wb: Workbook, doc: Document, *, replace_profile: bool = False, file: str | Path | None = None
) -> dict[str, int]:
    """Add every record of *doc* to *wb* in one transaction; return counts by table.

    Records keep their ids, so references inside the document hold. An id already used in
    the workbook is refused and nothing is written.

    :param replace_profile: let the document's profile replace the workbook's; without it, a
        workbook that already has a profile refuses one from the document.
    :param file: the document's file, named in errors with the record's position in it.
    """
    counts: dict[str, int] = {}
    placed = _positions(doc)
    _check_ids(wb, placed, file)
    with wb.transaction():
        for where, record in placed:
            try:
                wb.add(record)
            except ValidationFailed as exc:
                raise ValidationFailed(exc.message, file=file, record=where, field=exc.field) from None
            counts[record.table] = counts.get(record.table, 0) + 1
        if doc.profile is not None:
            current = wb.profile()
            if current is None:
                wb.add(doc.profile)
            elif not replace_profile:
                raise ValidationFailed(
                    f"the workbook already has a profile (for {current.name}); nothing was imported. "
                    "Pass --replace-profile to replace it with the document's",
                    file=wb.path,
                    record="profile",
                )
            else:
                wb.update(doc.profile.model_copy(update={"id": current.id, "version": current.version}))
            counts = {"profile": 1, **counts}
    return counts


def import_file(wb: Workbook, path: Path) -> dict[str, int]:
    """Read, validate and import an interchange JSON file."""
    return import_document(wb, read_document(path), file=path)


T = TypeVar("T")


def import_into(
    workbook: Path, doc: Document, *, replace_profile: bool = False, file: str | Path | None = None
) -> tuple[dict[str, int], bool]:
    """Import *doc* into the workbook at *workbook*, creating it if it is not there (see
    :func:`write_into`). Returns the counts by table and whether the workbook was created."""
    return write_into(
        workbook, lambda wb: import_document(wb, doc, replace_profile=replace_profile, file=file)
    )


def write_into(workbook: Path, fill: Callable[[Workbook], T]) -> tuple[T, bool]:
    """``fill(wb)`` on the workbook at *workbook*, creating it if it is not there; the result,
    and whether the workbook was created.

    A new workbook is built under a temporary name beside it and linked into place only once
    *fill* returned, and never over a file that appeared meanwhile: then *fill* runs again, on
    that one, as for any existing workbook. So a failed *fill* leaves no file behind and never
    deletes one, and two writers racing to create the same workbook cannot undo each other.
    """
    if not workbook.exists():
        temp = workbook.with_name(f".{workbook.name}.{secrets.token_hex(4)}.importing")
        try:
            with _new_workbook(temp, workbook) as wb:
                made = fill(wb)
            if _link_into_place(temp, workbook):
                return made, True
        finally:
            _remove(temp)
    with Workbook.open(workbook) as wb:
        return fill(wb), False


def _new_workbook(temp: Path, workbook: Path) -> Workbook:
    try:
        return Workbook.create(temp)
    except (WorkbookExistsError, WorkbookMissingError) as exc:
        raise WorkbookMissingError(exc.message, file=workbook) from None


def _link_into_place(temp: Path, workbook: Path) -> bool:
    """Give the finished workbook its name; False if a file of that name appeared meanwhile."""
    try:
        os.link(temp, workbook)
    except FileExistsError:
        return False
    except OSError:
        # No hard links here (some shares): claim the name first, so nothing else is replaced.
        try:
            os.close(os.open(workbook, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            return False
        os.replace(temp, workbook)
    return True


def _remove(temp: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{temp}{suffix}")
