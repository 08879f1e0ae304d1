"""The one family of errors iivkit raises for a user's mistake.

::

    IivkitError                  every user-facing error; the CLI prints it on one line, exit 2
    ├── WorkbookError            a workbook file cannot be used
    │   ├── WorkbookExistsError  ``init`` would overwrite a file
    │   ├── WorkbookMissingError the file is not there
    │   ├── NotAWorkbookError    the file is not an iivkit workbook (or is corrupt)
    │   ├── NewerWorkbookError   written by a newer iivkit than this one
    │   └── ReadOnlyWorkbookError  a save through a workbook opened only for reading
    ├── RecordError              one record is at fault
    │   ├── ValidationFailed     a field's value is rejected
    │   ├── RecordNotFound       no record with that id
    │   ├── StaleRecordError     the record changed since it was read
    │   └── RecordInUseError     deleting it would orphan records that point at it
    └── InputFileError           an input file (JSON, template) is unreadable

Every error carries the file, record and field it is about, where they are known, and its
``str`` names them: ``workbook.iiv: contacts[2] (id 3) field 'email': not a valid email``.
Programming errors are not wrapped: they stay tracebacks.
"""

from __future__ import annotations

from pathlib import Path


class IivkitError(Exception):
    """Root of every user-facing iivkit error."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        record: str | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.record = record
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"{self.file}:")
        if self.record:
            where.append(self.record)
        if self.field:
            where.append(f"field '{self.field}'")
        prefix = " ".join(where)
        if prefix and not prefix.endswith(":"):
            prefix += ":"
        return f"{prefix} {self.message}" if prefix else self.message

    def located(self, file: str | Path) -> IivkitError:
        """Return this error with *file* filled in when it was not known where it arose."""
        if self.file is None:
            self.file = str(file)
            self.args = (self.__str__(),)
        return self


class WorkbookError(IivkitError):
    """A workbook file cannot be used."""


class WorkbookExistsError(WorkbookError):
    """Creating a workbook would overwrite an existing file."""


class WorkbookMissingError(WorkbookError):
    """The workbook file does not exist."""


class NotAWorkbookError(WorkbookError):
    """The file is not an iivkit workbook, or it is damaged beyond opening."""


class NewerWorkbookError(WorkbookError):
    """The workbook was written by a newer iivkit; opening it could lose data."""


class ReadOnlyWorkbookError(WorkbookError):
    """A save was tried through a workbook opened read-only (``Workbook.read``); nothing was written."""


class RecordError(IivkitError):
    """One record is at fault."""


class ValidationFailed(RecordError):
    """A field's value is rejected; nothing was written."""


class RecordNotFound(RecordError):
    """No record has that id."""


class StaleRecordError(RecordError):
    """The record was changed by someone else since it was read; the save was refused."""


class RecordInUseError(RecordError):
    """The record cannot be deleted while other records refer to it."""


class InputFileError(IivkitError):
    """An input file cannot be read or parsed."""


class DamagedRecordWarning(UserWarning):
    """A stored record does not fit its model (written outside iivkit); it was skipped.

    ``iivkit check`` lists every such record as a problem; other commands warn and go on
    without it. :attr:`error` says which file, record and field.
    """

    def __init__(self, error: IivkitError) -> None:
        self.error = error
        super().__init__(f"{error}; skipped this record")
