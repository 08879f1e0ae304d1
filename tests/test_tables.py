"""The notebook tables escape user text wherever it lands: cells, row and column labels, captions.

JupyterLab renders a table's HTML, so a name holding markup must show as text, never run.
The evidence table is the sharp case: its column headers are built from contact names.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from pandas.io.formats.style import Styler

from iivkit.ui import tables
from iivkit.workbook.models import (
    Category,
    Contact,
    ContactStatus,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Organisation,
    Outcome,
    PlannedQuestion,
)
from iivkit.workbook.store import Workbook

CONTACT = "<img src=x onerror=alert(1)>"
ORGANISATION = "<script>alert(2)</script> Council"
CLAIM = "Pay starts <script>alert(3)</script> low"
QUESTION = "Who decides? <img src=y onerror=alert(4)>"
HOW = "<script>alert(5)</script> ask the board"
PLANNED = "<img src=z onerror=alert(6)> How did you start?"
AREA = "<script>alert(7)</script> statistics"
ADVICE = "<img src=w onerror=alert(8)> take a course"
INTERVIEW_DAY = dt.date(2026, 3, 2)


def escaped(text: str) -> str:
    return html.escape(text, quote=False)


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbook]:
    """A workbook whose every user-written name and text holds markup."""
    with Workbook.create(tmp_path / "markup.iiv") as book:
        org = book.add(Organisation(name=ORGANISATION))
        finding = book.add(Finding(claim=CLAIM, to_test=True, topic="pay", organisation_id=org.id))
        contact = book.add(Contact(name=CONTACT, organisation_id=org.id, status=ContactStatus.interviewed))
        interview = book.add(
            Interview(
                contact_id=contact.id or 0,
                status=InterviewStatus.done,
                scheduled_at=dt.datetime.combine(INTERVIEW_DAY, dt.time(10)),
            )
        )
        book.add(
            FindingOutcome(
                interview_id=interview.id or 0, finding_id=finding.id or 0, outcome=Outcome.confirmed
            )
        )
        book.add(
            OpenQuestion(
                interview_id=interview.id, text=QUESTION, how_to_answer=HOW, suggested_contact_id=contact.id
            )
        )
        book.add(
            PlannedQuestion(
                interview_id=interview.id or 0,
                category=Category.background,
                text=PLANNED,
                finding_id=finding.id,
            )
        )
        book.add(Insight(interview_id=interview.id or 0, kind="development", text=AREA, advice=ADVICE))
        book.add(Insight(interview_id=interview.id or 0, kind="strength", text=AREA))
        yield book


TABLES: dict[str, tuple[Callable[[Workbook], Styler], tuple[str, ...]]] = {
    "findings": (tables.findings, (CLAIM, ORGANISATION)),
    "pipeline": (tables.pipeline, (CONTACT, ORGANISATION)),
    "evidence": (tables.evidence, (f"I1 {CONTACT}", CLAIM)),
    "open_questions": (tables.open_questions, (QUESTION, HOW, CONTACT)),
    "follow_up_queue": (
        lambda wb: tables.follow_up_queue(wb, today=INTERVIEW_DAY + dt.timedelta(days=1)),
        (CONTACT, ORGANISATION),
    ),
    "plan": (lambda wb: tables.plan(wb, 1), (PLANNED, CLAIM)),
    "strengths": (tables.strengths, (AREA, CONTACT)),
    "development_areas": (tables.development_areas, (AREA, ADVICE[:-14], CONTACT)),
}


def assert_no_markup(page: str) -> None:
    assert "<img" not in page and "<script" not in page


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_table_escapes_user_text_in_cells_and_labels(wb: Workbook, name: str) -> None:
    table, texts = TABLES[name]
    page = table(wb).to_html()
    for text in texts:
        assert escaped(text) in page, f"{name} lacks the escaped {text!r}"
    assert_no_markup(page)


def test_labels_names_and_captions_are_escaped_at_every_level(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any frame, MultiIndex rows and columns with named levels, and a caption holding markup."""
    rows = pd.MultiIndex.from_tuples([(CONTACT, 1), ("b", 2)], names=[ORGANISATION, CONTACT])
    cols = pd.MultiIndex.from_tuples([(CLAIM, "x"), ("y", QUESTION)], names=[HOW, PLANNED])
    df = pd.DataFrame([[PLANNED, 1], [2, CLAIM]], index=rows, columns=cols)

    def check() -> None:
        page = tables.styled(df, caption=f"About {CONTACT}").to_html()
        assert_no_markup(page)
        for text in (CONTACT, ORGANISATION, CLAIM, QUESTION, HOW, PLANNED):
            assert escaped(text) in page
        assert "&amp;lt;" not in page  # escaped once, not twice

    check()
    # Older pandas (before 3.0) has no format_index_names; the level names are escaped by hand.
    for klass in Styler.__mro__:
        if "format_index_names" in vars(klass):
            monkeypatch.delattr(klass, "format_index_names")
    assert not hasattr(Styler, "format_index_names")
    check()


def test_an_empty_table_says_so_with_room_for_its_sentence(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "new.iiv") as book:
        page = tables.evidence(book).to_html()
    assert "No findings marked to test yet." in page
    assert "min-width: 32em" in page
    assert "min-width: 32em" not in tables.styled(pd.DataFrame({"Claim": ["one"]})).to_html()


def test_a_long_evidence_table_shows_a_page_with_the_interviews_of_its_findings(tmp_path: Path) -> None:
    with Workbook.create(tmp_path / "long.iiv") as book:
        people = [book.add(Contact(name=f"Person {n}")) for n in range(3)]
        talks = [book.add(Interview(contact_id=p.id or 0, status=InterviewStatus.done)) for p in people]
        for n in range(5):
            finding = book.add(Finding(claim=f"Claim {n}", to_test=True))
            # Findings 1 and 2 came up in the first interview, the others in the third only.
            talk = talks[0] if n < 2 else talks[2]
            book.add(FindingOutcome(interview_id=talk.id or 0, finding_id=finding.id or 0))
        page = tables.evidence(book, limit=2).to_html()
        whole = tables.evidence(book, limit=None).to_html()
    assert "Showing the first 2 of 5 rows" in page
    assert "Claim 1" in page and "Claim 2" not in page
    assert "I1 Person 0" in page and "I3 Person 2" not in page
    assert "I3 Person 2" in whole and "Showing the first" not in whole
