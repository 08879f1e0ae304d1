"""The JSON interchange document: a whole workbook as one JSON file, and back.

The document is a pydantic model built from the record models, so its JSON Schema
(``iivkit/data/workbook.schema.json``, see ``docs/interchange.md``) is generated, never
hand-written. Export is deterministic: records by id, keys in field order, so exporting,
importing into a fresh workbook and exporting again gives the same bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import InputFileError, ValidationFailed
from .models import (
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
from .store import Workbook

FORMAT = "iivkit-workbook"
FORMAT_VERSION = 1
SCHEMA_RESOURCE = "workbook.schema.json"


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
        record = f"{table}[{index}]"
        try:
            rid = data[table][index].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            rid = None
        if rid is not None:
            record += f" (id {rid})"
        return record, ".".join(map(str, loc[2:])) or None
    return "document", ".".join(map(str, loc))


def parse_document(text: str, *, file: str | Path | None = None) -> Document:
    """Parse and validate interchange JSON; errors name the record and field at fault."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", file=file
        ) from None
    if not isinstance(data, dict):
        raise InputFileError("not an iivkit document: the top level must be a JSON object", file=file)
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


def import_document(wb: Workbook, doc: Document, *, replace_profile: bool = False) -> dict[str, int]:
    """Add every record of *doc* to *wb* in one transaction; return counts by table.

    Records keep their ids, so references inside the document hold. An id already used in
    the workbook is refused and nothing is written.

    :param replace_profile: let the document's profile replace the workbook's; without it, a
        workbook that already has a profile refuses one from the document.
    """
    counts: dict[str, int] = {}
    with wb.transaction():
        for record in doc.records():
            if not record.singleton:
                wb.add(record)
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
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError("no such file", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(f"cannot read: {exc}", file=path) from None
    doc = parse_document(text, file=path)
    return import_document(wb, doc)
