"""The interchange format as documented, tested with generators written from the documentation.

Two kinds of Hypothesis strategy test the interchange format, and they are kept apart on purpose:

- **Model-derived** (``record_strategy`` in ``conftest.py``): built from the record models' own
  fields and limits. It is only used for *round trips* (a record exported and imported again is
  unchanged), where following the models is the point.
- **Documentation-derived** (this file): built from the field tables of ``docs/interchange.md``,
  read as a user reads them ("text (≤ 300 characters)", "one of `a`, `b`", "integer 5–240",
  **required**), never from the models or their validators. A wrong rule in a model, or a
  document that says something the code does not do, then fails here: every value the documentation
  allows must be accepted, and every value it rules out must be refused naming the record and the
  field.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iivkit import Workbook
from iivkit.errors import IivkitError
from iivkit.workbook.interchange import import_document, parse_document

DOC = Path(__file__).resolve().parent.parent / "docs" / "interchange.md"


@dataclass(frozen=True)
class Documented:
    """One field as the documentation's table describes it."""

    table: str
    name: str
    kind: str
    required: bool


def documented_fields() -> list[Documented]:
    """Every field row of the record tables in ``docs/interchange.md``."""
    fields = []
    table = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### \w+: `(\w+)`", line)
        if heading:
            table = heading.group(1)
            continue
        row = re.match(r"\| `(\w+)` \| (.+?) \| (.+?) \| ", line)
        if table and row:
            fields.append(Documented(table, row.group(1), row.group(2), row.group(3) == "**required**"))
    return fields


FIELDS = documented_fields()
TABLES = sorted({f.table for f in FIELDS})

ONE_LINE = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))
MULTI_LINE = st.characters(exclude_categories=("Cc", "Cs"), include_characters="\n\t")
ZONES = ["UTC", "Africa/Johannesburg", "Europe/London", "America/Argentina/Buenos_Aires", "Asia/Kolkata"]


def _choices(kind: str) -> list[str]:
    return re.findall(r"`(\w+)`", kind)


def valid(f: Documented) -> st.SearchStrategy[Any]:
    """Values the documentation says the field accepts."""
    k = f.kind
    nullable = k.endswith(", or null")
    strategy: st.SearchStrategy[Any]
    if m := re.fullmatch(r"text \(≤ ([\d,]+) characters\)", k):
        limit = int(m.group(1).replace(",", ""))
        chars = ONE_LINE if limit <= 300 else MULTI_LINE
        strategy = st.text(chars, max_size=40)
        strategy = st.one_of(strategy, st.just("x" * limit))
        if f.required:
            strategy = strategy.filter(lambda s: s.strip() != "")
    elif k.startswith("list of short texts (≤ 80"):
        strategy = st.lists(
            st.one_of(st.text(ONE_LINE, min_size=1, max_size=20), st.just("y" * 80)), max_size=3
        )
        strategy = strategy.map(lambda items: [i for i in items if i.strip()])
    elif m := re.fullmatch(r"integer ≥ (\d+)", k):
        strategy = st.integers(min_value=int(m.group(1)), max_value=10**6)
    elif m := re.match(r"integer (\d+)–(\d+)", k):
        strategy = st.integers(min_value=int(m.group(1)), max_value=int(m.group(2)))
    elif k.startswith("id of a record in"):
        strategy = st.integers(min_value=1, max_value=10**6)
    elif k.startswith("date, `YYYY-MM-DD`"):
        strategy = st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)).map(dt.date.isoformat)
    elif k == "list of dates":
        strategy = st.lists(
            st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)).map(dt.date.isoformat), max_size=3
        )
    elif k.startswith("local date and time"):
        moments = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2200, 12, 31)).map(
            lambda d: d.replace(microsecond=0)
        )
        strategy = st.one_of(
            moments.map(lambda d: d.isoformat()), moments.map(lambda d: d.strftime("%Y-%m-%dT%H:%M"))
        )
    elif k.startswith("one of"):
        strategy = st.sampled_from(_choices(k))
    elif k.startswith("list of `"):
        strategy = st.lists(st.sampled_from(_choices(k)), unique=True)
    elif k.startswith("email address"):
        strategy = st.from_regex(
            r"[A-Za-z][a-z0-9.]{0,10}[a-z0-9]@[a-z]{2,8}\.(org|com|ac\.za)", fullmatch=True
        )
    elif k.startswith("phone number"):
        strategy = st.sampled_from(["", "+27 82 555 0101", "011 555 0199", "(021) 555-0199"])
    elif k.startswith("link ("):
        strategy = st.sampled_from(
            ["", "https://example.org/a", "http://example.org", "doi:10.1000/182", "urn:isbn:0451450523"]
        )
    elif k == "IANA time-zone name":
        strategy = st.sampled_from(ZONES)
    elif k == "true / false":
        strategy = st.booleans()
    else:
        raise NotImplementedError(f"docs/interchange.md: no generator for {f.table}.{f.name}: {k}")
    return st.one_of(st.none(), strategy) if nullable else strategy


def invalid(f: Documented) -> list[Any]:
    """Values the documentation rules out for the field (none when it rules out nothing)."""
    k = f.kind
    if m := re.fullmatch(r"text \(≤ ([\d,]+) characters\)", k):
        limit = int(m.group(1).replace(",", ""))
        bad: list[Any] = ["z" * (limit + 1), "a\x00b", 7]
        return [*bad, "   "] if f.required else bad
    if k.startswith("list of short texts (≤ 80"):
        return [["z" * 81], "not a list", ["a\x00b"]]
    if m := re.fullmatch(r"integer ≥ (\d+)", k):
        return [int(m.group(1)) - 1, "three", 1.5]
    if m := re.match(r"integer (\d+)–(\d+)", k):
        return [int(m.group(1)) - 1, int(m.group(2)) + 1]
    if k.startswith("id of a record in"):
        return [0, -3, "one"]
    if k.startswith("date, `YYYY-MM-DD`") or k == "list of dates":
        bad = ["2026-02-30", "2026-13-01", "tomorrow"]
        return [[b] for b in bad] if k == "list of dates" else bad
    if k.startswith("local date and time"):
        return ["2024-03-12T10:00:00+02:00", "2024-03-12T10:00:00Z", "2024-02-30T10:00:00", "soon"]
    if k.startswith("one of"):
        first = _choices(k)[0]
        return ["not_a_choice", first.upper(), ""] + ([] if k.endswith("or null") else [None])
    if k.startswith("list of `"):
        return [["not_a_choice"]]
    if k.startswith("email address"):
        return ["not an address", "a@", "@example.org"]
    if k.startswith("link ("):
        return ["www.example.org", "ftp://example.org", "javascript:alert(1)"]
    if k == "IANA time-zone name":
        return ["Mars/Olympus_Mons", ""]
    if k == "true / false":
        return ["maybe", 2]
    return []


def record(table: str, values: dict[str, Any]) -> str:
    """A document holding one record of *table* with *values*."""
    document: dict[str, Any] = {"profile": values} if table == "profile" else {table: [values]}
    return json.dumps(document, ensure_ascii=False)


def required_values(table: str) -> st.SearchStrategy[dict[str, Any]]:
    """The required fields of a record of *table*; references point at record 1 (:data:`PARENTS`)."""
    return st.fixed_dictionaries(
        {
            f.name: st.just(1) if f.kind.startswith("id of") else valid(f)
            for f in FIELDS
            if f.table == table and f.required
        }
    )


PARENTS = {
    "organisations": [{"id": 1, "name": "Parent organisation"}],
    "contacts": [{"id": 1, "name": "Parent contact"}],
    "interviews": [{"id": 1, "contact_id": 1}],
    "findings": [{"id": 1, "claim": "Parent finding"}],
}
"""Record 1 of every type a reference may point at (the records tested refer to these)."""


def imported(text: str) -> None:
    """Import the document *text*, with :data:`PARENTS` after its own records, into a new
    workbook, as ``iivkit import`` does.

    The schema checks a document's shape; some rules (that a reference points at a record that
    is there) only an import can check, so a ruled-out value may be refused at either step.
    """
    data = json.loads(text)
    for table, parents in PARENTS.items():
        data[table] = data.get(table, []) + [
            p for p in parents if p["id"] not in {r.get("id") for r in data.get(table, [])}
        ]
    document = parse_document(json.dumps(data))
    with tempfile.TemporaryDirectory() as folder, Workbook.create(Path(folder) / "w.iiv") as wb:
        import_document(wb, document)


def minimal(table: str) -> dict[str, Any]:
    """The smallest record of *table* the documentation allows: its required fields only."""
    values: dict[str, Any] = {}
    for f in FIELDS:
        if f.table == table and f.required:
            values[f.name] = 1 if f.kind.startswith(("id of", "integer")) else (_choices(f.kind) or ["x"])[0]
    return values


def where(table: str) -> str:
    return "profile" if table == "profile" else f"{table}[0]"


def test_the_documentation_describes_every_record_type() -> None:
    assert (
        sorted(
            [
                "profile",
                "organisations",
                "findings",
                "contacts",
                "interviews",
                "questions",
                "planned_questions",
                "finding_outcomes",
                "insights",
                "open_questions",
            ]
        )
        == TABLES
    )
    assert all(any(f.table == t and f.name == "id" for f in FIELDS) for t in TABLES)
    for f in FIELDS:
        valid(f)  # every documented kind of field has a generator


@pytest.mark.parametrize("table", TABLES)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_value_the_documentation_allows_is_accepted(table: str, data: st.DataObject) -> None:
    fields = {f.name: valid(f) for f in FIELDS if f.table == table}
    chosen = data.draw(st.sets(st.sampled_from(sorted(fields))), label="optional fields given")
    values = data.draw(required_values(table), label="required")
    values |= {name: data.draw(fields[name], label=name) for name in sorted(chosen)}
    parsed = parse_document(record(table, values))
    stored = parsed.profile if table == "profile" else getattr(parsed, table)[0]
    assert stored is not None
    for name, value in values.items():
        if isinstance(value, str) and FIELD_KIND[table, name].startswith("text"):
            assert getattr(stored, name) == value.strip(), name  # text is kept, less surrounding spaces


FIELD_KIND = {(f.table, f.name): f.kind for f in FIELDS}
CASES = [(f, value) for f in FIELDS for value in invalid(f)]


@pytest.mark.parametrize(("field", "value"), CASES, ids=[f"{f.table}.{f.name}={v!r}"[:60] for f, v in CASES])
@settings(max_examples=2, deadline=None)
@given(data=st.data())
def test_every_value_the_documentation_rules_out_is_refused_naming_record_and_field(
    field: Documented, value: Any, data: st.DataObject
) -> None:
    values = data.draw(required_values(field.table), label="required") | {field.name: value}
    with pytest.raises(IivkitError) as caught:
        imported(record(field.table, values))
    message = str(caught.value)
    assert message.startswith(f"{where(field.table)} "), message
    assert re.search(rf"field '{field.name}(\.\d+)?'", message), message  # a list item is named by place


@pytest.mark.parametrize("table", TABLES)
def test_a_missing_required_field_or_an_unknown_one_is_refused(table: str) -> None:
    parse_document(record(table, minimal(table)))
    for f in (f for f in FIELDS if f.table == table and f.required):
        values = {k: v for k, v in minimal(table).items() if k != f.name}
        with pytest.raises(
            IivkitError, match=rf"^{re.escape(where(table))} field '{f.name}': required field is missing$"
        ):
            parse_document(record(table, values))
    with pytest.raises(IivkitError, match="field 'nickname': unknown field"):
        parse_document(record(table, minimal(table) | {"nickname": "x"}))
