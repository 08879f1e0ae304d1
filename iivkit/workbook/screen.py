"""Vouching for stored values a column at a time, so that reading a big table stays quick.

A table view skips the records that no longer fit their model (:meth:`Workbook.frame`).
Validating every row through pydantic costs most of the read on a big workbook, though nearly
every value is plainly sound: short text with no control characters, a status from its list,
a whole number in range. :func:`suspect_rows` checks each column at once for such values and
returns the rows it cannot vouch for; only those go through the model, exactly as before, so
a damaged record is still named and skipped.

Every check here is one-sided: it may send a sound row to the model, never let a row the model
refuses through. A field it does not know (a new validator, a new type) is checked by the model
itself, value by distinct value.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from functools import cache
from typing import Any

import annotated_types
from pydantic import AfterValidator, BeforeValidator, EmailStr, StringConstraints, ValidationError

from iivkit.workbook import models
from iivkit.workbook.models import Record

Check = Callable[[Sequence[Any]], set[int]]
"""A column's values in, the positions of those it cannot vouch for out."""

_SEPARATOR = " "  # joins a column's text for one regex search; matched by no check below


def suspect_rows(model: type[Record], columns: Mapping[str, Sequence[Any]], rows: int) -> set[int]:
    """Positions of the rows that the model must validate itself; the others are sound.

    :param columns: each field's values as the model would see them (list fields parsed); a
        field with no column counts as missing (None) in every row.
    """
    if model.__pydantic_decorators__.model_validators:
        return set(range(rows))  # a rule across fields: the model checks every row
    out: set[int] = set()
    for name, check in _checks(model).items():
        values = columns.get(name)
        out |= check([None] * rows if values is None else values)
    return out


@cache
def _checks(model: type[Record]) -> dict[str, Check]:
    own_rules = {
        field
        for decorator in model.__pydantic_decorators__.field_validators.values()
        for field in decorator.info.fields
    }
    out: dict[str, Check] = {}
    for name, info in model.model_fields.items():
        quick = None if name in own_rules else _quick_check(info.annotation, info.metadata)
        out[name] = quick or _by_the_model(model, name)
    return out


def _by_the_model(model: type[Record], name: str) -> Check:
    """The model's own validation of one field, once per distinct value."""
    blank = model.model_construct()

    def fits(value: Any) -> bool:
        try:
            setattr(blank, name, value)  # validate_assignment: this field's rules only
        except ValidationError:
            return False
        return True

    def check(values: Sequence[Any]) -> set[int]:
        verdict: dict[Any, bool] = {}
        bad: set[int] = set()
        for n, value in enumerate(values):
            key = _key(value) if isinstance(value, (list, dict)) else (type(value), value)
            if key not in verdict:
                verdict[key] = fits(value)
            if not verdict[key]:
                bad.add(n)
        return bad

    return check


def _key(value: Any) -> Any:
    """A hashable stand-in for a value, its type included (1, 1.0 and True are equal keys)."""
    if isinstance(value, list):
        return (list, tuple(_key(v) for v in value))
    if isinstance(value, dict):
        return (dict, tuple((k, _key(v)) for k, v in value.items()))
    return (type(value), value)


def _optional(annotation: Any) -> tuple[Any, bool]:
    """``X | None`` as ``(X, True)``; anything else as ``(annotation, False)``."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(annotation)) == 2:
            return args[0], True
    return annotation, False


def _quick_check(annotation: Any, metadata: list[Any]) -> Check | None:
    """A column check for a field of this type, or None if there is no quick one."""
    base, optional = _optional(annotation)
    if typing.get_origin(base) is typing.Annotated:
        base, *extra = typing.get_args(base)
        metadata = [*metadata, *extra]
    check: Check | None = None
    if base is str:
        check = _text_check(metadata)
    elif base is int:
        check = _int_check(metadata)
    elif base is bool and not metadata:
        check = _bool_check
    elif isinstance(base, type) and issubclass(base, Enum) and not metadata:
        check = _member_check(base)
    elif base is EmailStr and not metadata:
        check = _email_check
    elif typing.get_origin(base) is list and not metadata:
        (item,) = typing.get_args(base)
        inner = _quick_check(item, [])
        check = _list_check(inner) if inner is not None and not _optional(item)[1] else None
    if check is None or not optional:
        return check
    return _allowing_none(check)


def _allowing_none(check: Check) -> Check:
    def allowing(values: Sequence[Any]) -> set[int]:
        present = [n for n, v in enumerate(values) if v is not None]
        if len(present) == len(values):
            return check(values)
        return {present[n] for n in check([values[n] for n in present])}

    return allowing


def _bool_check(values: Sequence[Any]) -> set[int]:
    # The store turns a stored 0, 1 or NULL into a bool before the model sees it.
    return {n for n, v in enumerate(values) if type(v) is not bool}


def _member_check(enum: type[Enum]) -> Check:
    allowed = {m.value for m in enum if type(m.value) is str}

    def check(values: Sequence[Any]) -> set[int]:
        if {type(v) for v in values} <= {str} and set(values) <= allowed:
            return set()
        return {n for n, v in enumerate(values) if type(v) is not str or v not in allowed}

    return check


def _int_check(metadata: list[Any]) -> Check | None:
    low, high = -(2**63), 2**63 - 1
    for rule in metadata:
        if isinstance(rule, annotated_types.Ge) and type(rule.ge) is int:
            low = max(low, rule.ge)
        elif isinstance(rule, annotated_types.Le) and type(rule.le) is int:
            high = min(high, rule.le)
        else:
            return None  # another bound, or one that is not a whole number: the model checks

    def check(values: Sequence[Any]) -> set[int]:
        if {type(v) for v in values} <= {int} and (not values or low <= min(values) <= max(values) <= high):
            return set()
        return {n for n, v in enumerate(values) if type(v) is not int or not low <= v <= high}

    return check


_NO_EFFECT_BEFORE = {models._unix_newlines}
"""Before-validators that cannot turn a sound value into an unsound one (CR LF to LF)."""

_REGEX_AFTER: dict[Callable[[str], str], re.Pattern[str]] = {
    models._one_line: models._NOT_ONE_LINE,
    models._no_nul: models._CONTROL,
}
"""After-validators that refuse exactly the text where their pattern is found."""


def _text_check(metadata: list[Any]) -> Check | None:
    patterns: list[re.Pattern[str]] = []
    calls: list[Callable[[str], str]] = []
    shortest, longest = 0, None
    for rule in metadata:
        if isinstance(rule, StringConstraints):
            plain = (rule.to_upper, rule.to_lower, rule.strict, rule.pattern, rule.ascii_only)
            if any(v is not None for v in plain):
                return None
            shortest = rule.min_length or 0
            longest = rule.max_length
        elif isinstance(rule, BeforeValidator) and rule.func in _NO_EFFECT_BEFORE:
            continue
        elif isinstance(rule, AfterValidator) and rule.func in _REGEX_AFTER:
            patterns.append(_REGEX_AFTER[rule.func])
        elif isinstance(rule, AfterValidator) and callable(rule.func):
            calls.append(rule.func)  # type: ignore[arg-type]
        else:
            return None
    if shortest > 1:
        return None

    def unsound(v: Any) -> bool:
        if type(v) is not str or (longest is not None and len(v) > longest):
            return True
        return any(p.search(v) for p in patterns) or trimmed(v)

    def trimmed(v: str) -> bool:
        # Leading or trailing space, or nothing: let the model strip the text and judge it.
        return bool((shortest or calls) and (v.strip() != v or (shortest and not v)))

    def check(values: Sequence[Any]) -> set[int]:
        plain = (
            {type(v) for v in values} <= {str}
            and (longest is None or max(map(len, values), default=0) <= longest)
            and not any(p.search(_SEPARATOR.join(values)) for p in patterns)
        )
        if plain and not (shortest or calls):
            return set()
        first = trimmed if plain else unsound
        bad = {n for n, v in enumerate(values) if first(v)}
        if calls:
            verdict: dict[str, bool] = {}
            for n, v in enumerate(values):
                if n not in bad:
                    if v not in verdict:
                        verdict[v] = any(_refuses(call, v) for call in calls)
                    if verdict[v]:
                        bad.add(n)
        return bad

    return check


def _refuses(call: Callable[[str], str], value: str) -> bool:
    try:
        return call(value) != value
    except ValueError:
        return True


_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*\.)+[A-Za-z]{2,63}"
)
"""Plain addresses only: ASCII, no quoting, dots between characters, a letters-only top domain."""


def _email_check(values: Sequence[Any]) -> set[int]:
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    def sound(v: Any) -> bool:
        if type(v) is not str or len(v) > 254 or not _EMAIL.fullmatch(v):
            return False
        local, domain = v.rsplit("@", 1)
        domain = domain.lower()
        if len(local) > 64 or any(len(label) > 63 for label in domain.split(".")):
            return False
        return not any(domain == s or domain.endswith("." + s) for s in SPECIAL_USE_DOMAIN_NAMES)

    return {n for n, v in enumerate(values) if not sound(v)}


def _list_check(item: Check) -> Check:
    def check(values: Sequence[Any]) -> set[int]:
        bad = {n for n, v in enumerate(values) if type(v) is not list}
        flat = [(n, x) for n, v in enumerate(values) if n not in bad for x in v]
        flagged = item([x for _, x in flat])
        return bad | {flat[k][0] for k in flagged}

    return check
