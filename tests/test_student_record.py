"""A student's record of work: everything they entered, on one read-only page an instructor can
print, written by ``iivkit course report --records`` beside each feedback page and by ``make demo``."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from exercise_helpers import TODAY, build_complete, build_empty, build_partial

import iivkit.batch.runner
from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Profile,
    Workbook,
)
from iivkit.batch.pipeline import FAILED, OK, Progress, State, Task, run_batch
from iivkit.batch.runner import FakeRunner
from iivkit.cli import main
from iivkit.course import html as course_html
from iivkit.course.data import class_summary
from iivkit.course.record import LINK_TEXT, record_html, with_link
from iivkit.course.run import PAGES_FILE, STATE_FILE, UP_TO_DATE, course_report

SCRIPT = "<script>alert(1)</script>"
CONTACT = "Thandiwe Mokoena"
EMAIL = "thandiwe.mokoena@clinic.example.org"
PHONE = "+27 21 555 0147"


def build_every_kind(path: Path, *, script: str = "") -> Path:
    """A workbook holding one record of every kind the record of work shows; *script* is added
    to every free text."""
    with Workbook.create(path) as wb, wb.transaction():
        wb.add(
            Profile(
                name="Ana Ahmed",
                email="ana@students.example.org",
                current_qualification="BSc Nursing",
                careers_of_interest=["Health informatics"],
                career_vision=f"I want to improve clinic records.{script}",
            )
        )
        org = wb.add(
            Organisation(
                name="Coastal Clinic",
                sector="public health",
                main_business=f"Primary care for the Cape Flats.{script}",
                divisions=["Records office"],
                motivation=3,
                posting="relevant",
            )
        )
        finding = wb.add(
            Finding(
                claim=f"The clinic is digitising its paper records.{script}",
                topic="technology",
                organisation_id=org.id,
                source_title="Annual review 2025",
                source_date=dt.date(2025, 8, 1),
                to_test=True,
            )
        )
        contact = wb.add(
            Contact(
                name=CONTACT,
                role="Records Manager",
                organisation_id=org.id,
                email=EMAIL,
                phone=PHONE,
                status="thanked",
                notes=f"Met her at the careers fair; {CONTACT} said to call {PHONE}.{script}",
            )
        )
        interview = wb.add(
            Interview(
                contact_id=contact.id,
                scheduled_at=dt.datetime(2026, 3, 2, 10, 0),
                medium="in_person",
                status="debriefed",
                keywords=["records", "systems"],
                invitation_text=f"Dear {CONTACT}, may I ask you about your work?{script}",
                invitation_sent=dt.date(2026, 2, 20),
                thank_you_text=f"Thank you, {CONTACT}.{script}",
                thank_you_sent=dt.date(2026, 3, 3),
                check_ins_sent=[dt.date(2026, 4, 2)],
                salary_info=f"Clerks start on R18 000 a month.{script}",
                environment_info="Busy mornings.",
                chances_feedback="Good, with the right course.",
            )
        )
        wb.add(
            PlannedQuestion(
                interview_id=interview.id,
                position=1,
                category="industry",
                text="Is the clinic really going paperless?",
                finding_id=finding.id,
                answer=f"Yes, by 2027.{script}",
            )
        )
        wb.add(
            FindingOutcome(
                interview_id=interview.id, finding_id=finding.id, outcome="confirmed", note="By 2027."
            )
        )
        wb.add(
            Insight(
                interview_id=interview.id,
                kind="advice",
                tiara="advice",
                text=f"Learn the records system first; {CONTACT} can show you.{script}",
            )
        )
        wb.add(
            OpenQuestion(
                interview_id=interview.id,
                text=f"Which certificate do records officers need?{script}",
                how_to_answer="Ask the training office.",
                suggested_contact_id=contact.id,
            )
        )
        wb.add(OpenQuestion(text="Do other clinics hire graduates?", status="answered", answer="Some do."))
    return path


def text_of(page: str) -> str:
    body = page.split("</style>")[-1]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def every_kind(tmp_path: Path) -> Iterator[Workbook]:
    with Workbook.read(build_every_kind(tmp_path / "workbook.iiv")) as wb:
        yield wb


def test_the_record_shows_every_kind_of_record(every_kind: Workbook) -> None:
    text = text_of(record_html(every_kind, "ana", today=TODAY))
    for entered in (
        "Work of Ana Ahmed",  # the title: the profile's name
        "I want to improve clinic records.",  # profile
        "Coastal Clinic",  # organisation
        "Primary care for the Cape Flats.",
        "relevant",
        "The clinic is digitising its paper records.",  # finding
        "Annual review 2025",
        CONTACT,  # contact
        "Records Manager",
        EMAIL,
        PHONE,
        f"Interview 1: {CONTACT} (Coastal Clinic), 2 Mar 2026",  # interview
        "in person",
        "records, systems",
        "Is the clinic really going paperless?",  # its plan, and the answer noted
        "Yes, by 2027.",
        f"Dear {CONTACT}, may I ask you about your work?",  # letters sent
        "2026-02-20",
        f"Thank you, {CONTACT}.",
        "2026-04-02",
        "Clerks start on R18 000 a month.",  # debrief
        "Busy mornings.",
        "confirmed",  # outcome
        "By 2027.",
        "Learn the records system first",  # insight
        "Which certificate do records officers need?",  # open questions
        "Ask the training office.",
        "Do other clinics hire graduates?",
        "Some do.",
    ):
        assert entered in text, entered


def test_the_record_reads_well_for_everyone(every_kind: Workbook) -> None:
    page = record_html(every_kind, "ana", feedback="ana.html", summary="index.html")
    assert re.findall(r"<title>([^<]*)</title>", page) == ["Work of Ana Ahmed"]
    levels = [int(n) for n in re.findall(r"<h([1-6])[ >]", page)]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels
    tables = re.findall(r"<table.*?</table>", page, flags=re.S)
    assert tables and all("<caption>" in t for t in tables)
    assert 'href="ana.html"' in page and 'href="index.html"' in page
    assert '<html lang="en">' in page


def test_the_record_of_an_empty_workbook_says_so(tmp_path: Path) -> None:
    with Workbook.read(build_empty(tmp_path / "workbook.iiv")) as wb:
        text = text_of(record_html(wb, "dave"))
    assert "Work of dave" in text
    for empty in ("No organisations recorded.", "No contacts recorded.", "No interviews recorded."):
        assert empty in text


def test_script_in_any_text_is_shown_as_text(tmp_path: Path) -> None:
    with Workbook.read(build_every_kind(tmp_path / "workbook.iiv", script=SCRIPT)) as wb:
        page = record_html(wb, "ana")
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 9


def test_the_anonymised_record_shows_no_contact_but_keeps_the_student(every_kind: Workbook) -> None:
    page = record_html(every_kind, "ana", anonymise=True)
    text = text_of(page)
    for secret in (CONTACT, "Thandiwe", "Mokoena", EMAIL, PHONE, "555 0147"):
        assert secret not in page and secret not in text, secret
    assert "Work of Ana Ahmed" in text
    assert "Contacts' names, emails and phone numbers are pseudonymised." in text
    assert re.search(r"Interview 1: Contact [0-9A-F]{6} \(Coastal Clinic\)", text)
    assert "Learn the records system first; Contact " in text
    assert "2026-02-20" in text, "dates are no phone numbers"


def test_a_feedback_page_gets_the_link_at_the_top_of_its_content() -> None:
    page = "<html><body class='x'><main><h1>Feedback</h1></main></body></html>"
    linked = with_link(page, "ana-work.html")
    assert linked.index('href="ana-work.html"') < linked.index("<h1>")
    assert LINK_TEXT in with_link("<p>no body</p>", "a-work.html")


# -- the class run ------------------------------------------------------------------------------


def make_class(root: Path) -> Path:
    for name in ("alice", "bob", "dave", "hal"):
        (root / name).mkdir(parents=True)
    build_complete(root / "alice" / "workbook.iiv", student="Alice Adams")
    build_partial(root / "bob" / "workbook.iiv", student="Bob Brown")
    build_empty(root / "dave" / "workbook.iiv")
    return root


@pytest.fixture
def klass(tmp_path: Path) -> Path:
    return make_class(tmp_path / "class")


def fake_run(class_dir: Path, out: Path, runner: FakeRunner | None = None, **options: object) -> object:
    return course_report(
        class_dir, out, runner=runner or FakeRunner(), today=TODAY, progress=False, **options
    )


def test_the_course_report_writes_each_record_and_links_it(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    runner = FakeRunner()
    fake_run(klass, out, runner, records=True)
    assert sorted(j.name for j in runner.calls) == ["alice", "bob", "dave", "index"], "no kernel for records"
    for student in ("alice", "bob", "dave"):
        assert "Work of" in (out / f"{student}-work.html").read_text()
        feedback = (out / f"{student}.html").read_text()
        assert f'href="{student}-work.html"' in feedback and LINK_TEXT in feedback
    assert not (out / "hal-work.html").exists(), "no workbook, no record"
    assert "Work of Alice Adams" in (out / "alice-work.html").read_text()
    pages = json.loads((out / PAGES_FILE).read_text())
    assert pages["alice"]["record"] == "alice-work.html" and "record" not in pages["hal"]
    summary = class_summary(klass, today=TODAY, pages=out / PAGES_FILE)
    students = course_html.students_html(summary)
    assert 'href="alice-work.html"' in students and 'href="hal-work.html"' not in students


def test_without_records_nothing_changes(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run(klass, out)
    assert not list(out.glob("*-work.html"))
    assert "record" not in json.loads((out / PAGES_FILE).read_text())["alice"]
    assert "-work.html" not in (out / "alice.html").read_text()


def test_a_run_without_records_removes_the_records_an_earlier_run_wrote(klass: Path, tmp_path: Path) -> None:
    # A record names contacts in full; an anonymised run after it must not leave them beside its pages.
    out = tmp_path / "out"
    fake_run(klass, out, records=True)
    assert {p.name for p in out.glob("*-work.html")} == {"alice-work.html", "bob-work.html", "dave-work.html"}
    fake_run(klass, out, anonymise=True)
    assert not list(out.glob("*-work.html"))
    state = json.loads((out / STATE_FILE).read_text())["outputs"]
    assert not [name for name in state if name.endswith("-work")]


def test_unchanged_workbooks_keep_their_records(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run(klass, out, records=True)
    made = {p.name: p.stat().st_mtime_ns for p in out.glob("*-work.html")}
    assert set(made) == {"alice-work.html", "bob-work.html", "dave-work.html"}
    again = FakeRunner()
    run = fake_run(klass, out, again, records=True)
    assert again.calls == [] and run.summary_status == UP_TO_DATE
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("*-work.html")} == made
    with Workbook.open(klass / "bob" / "workbook.iiv") as wb:
        wb.add(OpenQuestion(text="Is there a night shift?"))
    changed = FakeRunner()
    fake_run(klass, out, changed, records=True)
    assert sorted(j.name for j in changed.calls) == ["bob", "index"]
    now = {p.name: p.stat().st_mtime_ns for p in out.glob("*-work.html")}
    assert [n for n in now if now[n] != made[n]] == ["bob-work.html"]
    assert "Is there a night shift?" in (out / "bob-work.html").read_text()
    state = json.loads((out / STATE_FILE).read_text())["outputs"]
    assert {"alice-work", "bob-work", "dave-work"} <= set(state)


def test_asking_for_records_remakes_the_pages_that_link_them(klass: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fake_run(klass, out)
    later = FakeRunner()
    fake_run(klass, out, later, records=True)
    assert sorted(j.name for j in later.calls) == ["alice", "bob", "dave", "index"]
    assert 'href="alice-work.html"' in (out / "alice.html").read_text()


def test_a_record_never_takes_another_students_page(tmp_path: Path) -> None:
    root = tmp_path / "class"
    for name in ("ana", "ana-work"):
        (root / name).mkdir(parents=True)
        build_empty(root / name / "workbook.iiv")
    out = tmp_path / "out"
    fake_run(root, out, records=True)
    pages = json.loads((out / PAGES_FILE).read_text())
    files = [pages[s]["file"] for s in pages] + [pages[s]["record"] for s in pages]
    assert len(set(files)) == 4, files
    assert "Work of ana-work" in (out / pages["ana-work"]["record"]).read_text()
    assert "Work of ana<" in (out / pages["ana"]["record"]).read_text()


def test_the_anonymised_run_pseudonymises_records(tmp_path: Path) -> None:
    root = tmp_path / "class"
    (root / "ana").mkdir(parents=True)
    build_every_kind(root / "ana" / "workbook.iiv")
    out = tmp_path / "out"
    fake_run(root, out, records=True, anonymise=True)
    page = (out / "ana-work.html").read_text()
    assert "Work of Ana Ahmed" in page
    for secret in (CONTACT, EMAIL, PHONE):
        assert secret not in page


def test_a_task_made_here_fails_alone(tmp_path: Path) -> None:
    def broken() -> str:
        raise ValueError("no such table")

    tasks = [Task(name="good", make=lambda: "<p>made</p>"), Task(name="bad", make=broken)]
    (tmp_path / "bad.html").write_text("<p>an earlier run's page, out of date now</p>")
    failed: list[str] = []
    run_batch(
        tasks,
        tmp_path,
        state=State(tmp_path / "state.json"),
        execute=FakeRunner().run,  # type: ignore[arg-type]  # never called: no task has a job
        progress=Progress("page", "Pages", show=False),
        on_failure=lambda t: failed.append(t.name),
    )
    assert [t.status for t in tasks] == [OK, FAILED] and failed == ["bad"]
    assert tasks[1].error == "ValueError: no such table"
    assert (tmp_path / "good.html").read_text() == "<p>made</p>" and not (tmp_path / "bad.html").exists()


def test_the_command_takes_records(klass: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iivkit.batch.runner, "NotebookRunner", lambda **_: FakeRunner())
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["course", "report", str(klass), "--out", str(out), "--records"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "3 made, 0 failed, 0 up to date, 1 without a usable workbook; 4 students" in result.output
    assert (out / "alice-work.html").is_file()


@pytest.mark.slow
def test_the_demo_makes_the_class_summary_and_says_where(tmp_path: Path, run_iivkit: Any) -> None:
    demo = tmp_path / "demo"
    done = run_iivkit("demo", "--out", demo, "--class", "2")
    assert done.returncode == 0, done.stderr
    summary = demo / "course" / "index.html"
    assert f"Class summary: {summary}" in done.stdout
    assert f"Report index: {demo / 'reports' / 'index.html'}" in done.stdout, "the demo's own lines stay"
    assert summary.is_file() and "Class summary" in summary.read_text()
    assert len(list((demo / "course").glob("*-work.html"))) == 2
