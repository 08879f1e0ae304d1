"""A table view leaves out exactly the damaged records, however the damage looks.

``Workbook.frame`` checks whole columns at once and validates one by one only the rows those
checks cannot vouch for. These tests write hostile values straight into the file, field by
field, and compare the rows a table view keeps with the rows the record models accept one by
one (``Workbook.all``): the quick checks may never let through a value the model refuses.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Workbook,
)
from iivkit.errors import DamagedRecordWarning
from iivkit.workbook.models import (
    Category,
    ContactStatus,
    FocusArea,
    HowFound,
    InsightKind,
    InterviewStatus,
    Medium,
    Outcome,
    Question,
    Record,
    Seniority,
    Tiara,
)
from iivkit.workbook.views import table

MODELS: list[type[Record]] = [
    Organisation,
    Finding,
    Contact,
    Interview,
    Question,
    PlannedQuestion,
    FindingOutcome,
    Insight,
    OpenQuestion,
]

ENUM_VALUES = sorted(
    {
        m.value
        for enum in (Category, ContactStatus, FocusArea, HowFound, InsightKind, InterviewStatus, Medium)
        for m in enum
    }
    | {m.value for enum in (Outcome, Seniority, Tiara) for m in enum}
)

# Characters that trip one rule or another: control characters, line and paragraph breaks,
# non-breaking and other spaces, non-ASCII letters, and those of addresses and links.
AWKWARD = [*"ab Z09@.-+/:()_'é", "\x00", "\x01", "\x1c", "\t", "\r", "\n", "\x85", "\xa0", "\u2028"]
TEXT = st.text(alphabet=st.sampled_from(AWKWARD), max_size=12)

VALUES = st.one_of(
    st.none(),
    st.integers(-3, 400),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
    TEXT,
    st.binary(max_size=4),
    st.sampled_from(ENUM_VALUES).flatmap(lambda v: st.sampled_from([v, v.upper(), f" {v}", f"{v} "])),
    st.emails(),
    st.emails().map(str.upper),
    TEXT.map(lambda t: f"{t}@example.org"),
    TEXT.map(lambda t: f"ann{t}@{t}x.org"),
    st.sampled_from(
        [
            "a..b@x.org",
            ".a@x.org",
            "a@-x.org",
            "a@x--y.org",
            "a@x.local",
            "a@x.test",
            "a@x.o",
            "a" * 65 + "@x.org",
        ]
    ),
    st.sampled_from(["Europe/London", "America", "Mars/Base", "UTC", " UTC", "utc"]),
    st.sampled_from(["https://x.org/a", "doi:10.1/x", "http://", "ftp://x", "https://a b", " https://x.org"]),
    st.sampled_from(["+27 82 555 0199", "123", "(021) 555-0199x", "1 2 3 4 5 6 7", "5" * 26]),
    st.sampled_from(
        [
            "2024-02-29",
            "2023-02-29",
            "9999-12-31",
            "0001-01-01",
            "1899-12-31",
            "2024-03-01T10:00:00",
            "2024-03-01T10:00:00+02:00",
            "2024-3-1",
        ]
    ),
    st.lists(st.one_of(TEXT, st.integers(), st.none(), st.sampled_from(ENUM_VALUES)), max_size=3).map(
        json.dumps
    ),
    st.sampled_from(["[", "{}", '"a"', "[[]]", '["x"]', "[1]", '["2024-01-31"]', '["9999-01-01"]']),
    st.integers(min_value=78, max_value=82).map(lambda n: json.dumps(["a" * n])),
    st.integers(min_value=298, max_value=302).map(lambda n: "a" * n),
    st.integers(min_value=298, max_value=302).map(lambda n: " " + "a" * n + " "),
)


def sound_records(wb: Workbook) -> None:
    """One sound record of every type, each the first of its table."""
    org = wb.add(Organisation(name="Harbour Health Trust", website="https://harbour.example.org"))
    finding = wb.add(Finding(claim="Grants fund most posts.", to_test=True, source_date=dt.date(2024, 1, 5)))
    contact = wb.add(
        Contact(
            name="Sipho Dlamini",
            email="sipho@harbour.example.org",
            phone="+27 21 555 0101",
            organisation_id=org.id,
        )
    )
    interview = wb.add(
        Interview(
            contact_id=contact.id or 0,
            scheduled_at=dt.datetime(2024, 3, 1, 10),
            timezone="Africa/Johannesburg",
            keywords=["funding"],
            check_ins_sent=[dt.date(2024, 4, 1)],
        )
    )
    wb.add(Question(category=Category.background, text="How did you start?", seniority=[Seniority.junior]))
    wb.add(
        PlannedQuestion(
            interview_id=interview.id or 0, category=Category.background, text="How did you start?"
        )
    )
    wb.add(FindingOutcome(interview_id=interview.id or 0, finding_id=finding.id or 0))
    wb.add(Insight(interview_id=interview.id or 0, text="Hiring follows the grant cycle."))
    wb.add(OpenQuestion(text="Who sets the budget?"))


def write_copies(path: Path, model: type[Record], writes: list[tuple[str, Any]]) -> None:
    """A copy of the table's first row for each write, with that one field set to the value."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    base = dict(conn.execute(f"SELECT * FROM {model.table} ORDER BY id LIMIT 1").fetchone())
    for n, (field, value) in enumerate(writes, start=100):
        row = {**base, "id": n, field: value}
        for column in model.unique_together:
            if column != field:
                row[column] = n  # keep the copies apart
        names = ", ".join(row)
        marks = ", ".join(f":{k}" for k in row)
        try:
            conn.execute(f"INSERT INTO {model.table} ({names}) VALUES ({marks})", row)
        except sqlite3.IntegrityError:
            continue  # the same pair twice: that copy is simply not written
    conn.commit()
    conn.close()


def damage_named(seen: list[warnings.WarningMessage]) -> list[str]:
    """The damaged records the caught warnings name; other warnings (a ResourceWarning from an
    earlier test's object collected meanwhile) are not the read's to give."""
    return sorted(str(w.message) for w in seen if issubclass(w.category, DamagedRecordWarning))


@pytest.mark.parametrize("model", MODELS, ids=[m.table for m in MODELS])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_table_view_keeps_exactly_the_records_their_model_accepts(
    model: type[Record], data: st.DataObject
) -> None:
    fields = [f for f in model.model_fields if f != "version"]
    writes = data.draw(st.lists(st.tuples(st.sampled_from(fields), VALUES), min_size=20, max_size=40))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hostile.iiv"
        with Workbook.create(path) as wb:
            sound_records(wb)
        write_copies(path, model, writes)
        with Workbook.read(path) as wb, warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            accepted = [r.id for r in wb.all(model)]
            said_by_all = damage_named(seen)
            seen.clear()
            frame = table(wb, model)
            said_by_table = damage_named(seen)
    assert list(frame.index) == accepted, writes
    assert said_by_table == said_by_all, "each damaged record is named, as a record-by-record read names it"


def test_a_big_table_of_sound_records_with_a_few_damaged_ones_leaves_out_only_those(tmp_path: Path) -> None:
    path = tmp_path / "big.iiv"
    with Workbook.create(path) as wb, wb.transaction():
        for n in range(300):
            wb.add(
                Contact(
                    name=f"Person {n}",
                    email=f"person.{n}@harbour.example.org",
                    phone="+27 21 555 0101",
                    other_names=[f"P{n}"],
                )
            )
    conn = sqlite3.connect(path)
    conn.execute("UPDATE contacts SET email = 'not an address' WHERE id = 7")
    conn.execute("UPDATE contacts SET name = 'Two\nlines' WHERE id = 70")
    conn.execute("UPDATE contacts SET other_names = '[\"\"]' WHERE id = 170")
    conn.execute("UPDATE contacts SET status = 'lost' WHERE id = 270")
    conn.commit()
    conn.close()
    with Workbook.read(path) as wb, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        frame = table(wb, Contact)
    assert sorted(set(range(1, 301)) - set(frame.index)) == [7, 70, 170, 270]
    named = " ".join(str(w.message) for w in seen)
    for record, field in [(7, "email"), (70, "name"), (170, "other_names"), (270, "status")]:
        assert f"contact {record}" in named and field in named, (record, field, named)
    assert frame.loc[8, "other_names"] == ["P7"]
