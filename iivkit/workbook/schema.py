"""SQL tables derived from the record models.

Each model becomes one table: ``id`` and ``version`` first, then one column per field. Lists
are stored as JSON text, booleans as 0/1, dates as ISO text. A field with ``references`` becomes
a foreign key, deferred to commit so that records which refer to each other can be loaded in
one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import types
import typing
from enum import Enum
from typing import Any

from pydantic.fields import FieldInfo

from iivkit.errors import ValidationFailed
from iivkit.workbook.models import RECORD_TYPES, Record

# The format's number and the file's mark are defined where files are opened (no pydantic there).
from iivkit.workbook.opening import APPLICATION_ID as APPLICATION_ID
from iivkit.workbook.opening import SCHEMA_VERSION as SCHEMA_VERSION

# The format's number and the file's mark live with the code that opens files (no pydantic).


def _base_type(annotation: Any) -> Any:
    """Strip ``Optional`` and ``Annotated`` down to the stored Python type."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base_type(args[0]) if len(args) == 1 else str
    return annotation


def is_list_field(info: FieldInfo) -> bool:
    """True when the field holds a list, stored as JSON text."""
    return typing.get_origin(_base_type(info.annotation)) is list


def is_bool_field(info: FieldInfo) -> bool:
    """True when the field is a checkbox, stored as 0/1."""
    return _base_type(info.annotation) is bool


def sql_type(info: FieldInfo) -> str:
    """The SQLite column type for a model field."""
    base = _base_type(info.annotation)
    if base is bool or base is int:
        return "INTEGER"
    if isinstance(base, type) and issubclass(base, float):
        return "REAL"
    return "TEXT"


def data_fields(model: type[Record]) -> list[str]:
    """The model's own fields, without ``id`` and ``version``."""
    return [n for n in model.model_fields if n not in ("id", "version")]


def create_table_sql(model: type[Record]) -> str:
    """``CREATE TABLE`` for one record type."""
    refs = model.references()
    cols = ["id INTEGER PRIMARY KEY", "version INTEGER NOT NULL DEFAULT 1"]
    for name in data_fields(model):
        col = f"{name} {sql_type(model.model_fields[name])}"
        if name in refs:
            col += f" REFERENCES {refs[name]}(id) DEFERRABLE INITIALLY DEFERRED"
        cols.append(col)
    if model.singleton:
        cols.append("CHECK (id = 1)")
    if model.unique_together:
        cols.append(f"UNIQUE ({', '.join(model.unique_together)})")
    return f"CREATE TABLE {model.table} (\n  " + ",\n  ".join(cols) + "\n)"


def create_index_sql(model: type[Record]) -> list[str]:
    """Indexes on foreign keys, so that views and reference checks do not scan."""
    return [
        f"CREATE INDEX IF NOT EXISTS ix_{model.table}_{name} ON {model.table}({name})"
        for name in model.references()
    ]


def current_ddl() -> list[str]:
    """Every statement that creates an empty workbook of the current schema version."""
    stmts = [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ]
    for model in RECORD_TYPES:
        stmts.append(create_table_sql(model))
        stmts.extend(create_index_sql(model))
    return stmts


@functools.cache
def _column_kinds(model: type[Record]) -> tuple[tuple[str, bool, bool], ...]:
    """``(name, is_list, is_bool)`` per field, worked out once per model, not once per row."""
    return tuple((n, is_list_field(i), is_bool_field(i)) for n, i in model.model_fields.items())


def to_row(record: Record) -> dict[str, Any]:
    """A record as column values for SQLite."""
    data = record.model_dump(mode="json")
    row: dict[str, Any] = {}
    for name, is_list, is_bool in _column_kinds(type(record)):
        value = data[name]
        if is_list:
            value = json.dumps(value, ensure_ascii=False)
        elif is_bool:
            value = int(bool(value))
        row[name] = value
    return row


def from_row(model: type[Record], row: dict[str, Any]) -> dict[str, Any]:
    """Column values back into the plain data a model validates.

    A list column that is not JSON, or a checkbox column that is not 0 or 1, raises
    :class:`~iivkit.errors.ValidationFailed` naming the column (the caller adds file and record).
    """
    out: dict[str, Any] = {}
    for name, is_list, is_bool in _column_kinds(model):
        value = row.get(name)
        if is_list:
            value = _stored_list(name, value)
        elif is_bool:
            if value not in (None, 0, 1):
                raise ValidationFailed(f"stored {_kind(value)} is not 0 or 1", field=name)
            value = bool(value)
        out[name] = value
    return out


def from_columns(
    model: type[Record], columns: dict[str, list[Any]], rows: int
) -> tuple[dict[str, list[Any]], set[int]]:
    """:func:`from_row` a column at a time: each field's values as the model would see them,
    and the positions of the rows where :func:`from_row` refuses a value (None stands in).

    :param columns: stored values by column name; a field with no column is None in every row.
    """
    out: dict[str, list[Any]] = {}
    refused: set[int] = set()
    for name, is_list, is_bool in _column_kinds(model):
        values = columns.get(name) or [None] * rows
        if is_list:
            parsed: dict[Any, Any] = {}
            as_lists = []
            for n, value in enumerate(values):
                key = (type(value), value)
                if key not in parsed:
                    try:
                        parsed[key] = (_stored_list(name, value),)
                    except ValidationFailed:
                        parsed[key] = None
                hit = parsed[key]
                if hit is None:
                    refused.add(n)
                # A list of its own for each row, as from_row gives: a caller may change one.
                value = None if hit is None else hit[0]
                as_lists.append(list(value) if isinstance(value, list) else value)
            values = as_lists
        elif is_bool:
            refused.update(n for n, v in enumerate(values) if v not in (None, 0, 1))
            values = [bool(v) if v in (None, 0, 1) else None for v in values]
        out[name] = values
    return out, refused


def _stored_list(name: str, value: Any) -> Any:
    """A list column's JSON text, parsed; anything else is a damaged value."""
    if value is None or value == "":
        return []
    if not isinstance(value, (str, bytes)):
        raise ValidationFailed(f"stored {_kind(value)} is not a JSON list", field=name)
    try:
        return json.loads(value)
    except RecursionError:
        raise ValidationFailed("stored value is JSON nested too deeply", field=name) from None
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8 text"
        raise ValidationFailed(f"stored value is not valid JSON ({reason})", field=name) from None


def _kind(value: Any) -> str:
    """What sort of value is stored, for a message; never the value, which may be personal."""
    return {str: "text", bytes: "binary data", int: "number", float: "number"}.get(type(value), "value")


def json_default(value: Any) -> Any:
    """``json.dumps`` fallback for dates and enums found outside a model dump."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot serialise {type(value).__name__}")
