"""A notebook's parameters, read one way: blank, a record id, a workbook path, a date, a flag.

papermill passes a parameter as given (``interview=2``) or, when it cannot translate it, as
text (``"2"``, ``"None"``, ``"2026-03-01"``, ``"false"``); and a person editing the parameters
cell may type anything. Every notebook reads its parameters with these functions, so the same
value means the same thing everywhere, and a bad one is refused with a
:class:`~iivkit.errors.ValidationFailed` for ``record="parameter"`` naming the parameter:
``parameter field 'interview': must be an interview id (a whole number), not 'first'``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from iivkit.errors import ValidationFailed, WorkbookMissingError
from iivkit.workbook.demo import ensure_demo_workbook

_NO = ("false", "0", "no")
_YES = ("true", "1", "yes")


def _refuse(message: str, name: str) -> ValidationFailed:
    return ValidationFailed(message, record="parameter", field=name)


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def is_blank(value: object) -> bool:
    """True for a parameter left out: ``None``, empty text, or the text ``"None"``."""
    return value is None or (isinstance(value, str) and value.strip() in ("", "None"))


def _whole_number(value: object) -> int | None:
    """An int, a float with no fraction, or text of digits, as an int; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdecimal():  # not isdigit: "²" is a digit
        return int(value.strip())
    return None


def as_id(value: object, name: str) -> int:
    """A record id: an int, a whole float, or text of digits, 1 or more.

    :param name: the parameter, which is also the kind of record (``interview``).
    """
    if isinstance(value, bool):
        raise _refuse(f"must be {_a(name)} id, not true/false", name)
    number = _whole_number(value)
    if number is None:
        raise _refuse(f"must be {_a(name)} id (a whole number), not {value!r}", name)
    if number < 1:
        raise _refuse(f"must be 1 or more, not {number}", name)
    return number


def as_id_or_name(value: object, name: str) -> int | str:
    """A record id (as :func:`as_id` reads it) or, for other text, that text stripped: a name.

    :param name: the parameter, which is also the kind of record (``contact``).
    """
    if isinstance(value, bool):
        raise _refuse(f"must be {_a(name)} id or name, not true/false", name)
    number = _whole_number(value)
    if number is not None:
        return number
    if isinstance(value, str):
        return value.strip()
    raise _refuse(f"must be {_a(name)} id or name, not {value!r}", name)


def as_path(value: object, name: str, *, what: str | None = None) -> Path | None:
    """A path (``~`` expanded), or None when blank.

    :param what: what the path is of, for the error (``a workbook``); the parameter's name by default.
    """
    if is_blank(value):
        return None
    if not isinstance(value, str | os.PathLike):
        raise _refuse(f"must be the path of {what or _a(name)}, not {type(value).__name__}", name)
    return Path(os.fspath(value)).expanduser()


def workbook_path(value: object, name: str = "workbook") -> Path:
    """The workbook a notebook works on: the path given, else ``$IIVKIT_WORKBOOK`` (which
    ``iivkit lab`` sets to the folder's workbook), else the demo workbook, built on first use.

    The file must exist.
    """
    path = as_path(value, name, what="a workbook")
    if path is None:
        path = Path(os.environ.get("IIVKIT_WORKBOOK") or ensure_demo_workbook())
    if not path.is_file():
        raise WorkbookMissingError("no such workbook (create one with 'iivkit init')", file=path)
    return path


def as_date(value: object, name: str = "today") -> dt.date:
    """A date: a date (or datetime), an ISO string (``2026-03-01``), or blank for today."""
    if is_blank(value):
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _refuse(f"must be a date like 2026-03-01, not {value!r}", name)


def as_flag(value: object, name: str) -> bool:
    """True or False: a bool, or text such as ``true``/``false``, ``1``/``0``, ``yes``/``no``;
    blank is False."""
    if isinstance(value, bool):
        return value
    text = "" if value is None else str(value).strip().lower()
    if text in ("", "none", *_NO):
        return False
    if text in _YES:
        return True
    raise _refuse(f"must be True or False, not {value!r}", name)
