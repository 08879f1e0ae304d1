"""Page titles and chart alt text, without a kernel: each job carries its page's human title,
and each chart says in words what it shows, with the numbers.

The pages themselves, made by real kernels, are checked in ``tests/test_accessibility.py``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from exercise_helpers import build_complete, build_empty
from report_helpers import build_workbook

from iivkit.batch.runner import FakeRunner, NotebookJob
from iivkit.course.html import note_page
from iivkit.course.run import course_report
from iivkit.reports.run import make_reports, report_title
from iivkit.ui import charts, presentation
from iivkit.workbook.store import Workbook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "04_debrief_report.ipynb"


def title_of(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found, html[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("interview", "who", "day", "title"),
    [
        (3, "Kwame Mensah", "2026-11-24", "Debrief: Kwame Mensah, 24 Nov 2026"),
        (3, "Kwame Mensah", "2026-03-05", "Debrief: Kwame Mensah, 5 Mar 2026"),
        (3, "Kwame Mensah", None, "Debrief: Kwame Mensah"),
        (3, "", "2026-11-24", "Debrief: interview 3, 24 Nov 2026"),
        (3, "Kwame Mensah", "soon", "Debrief: Kwame Mensah, soon"),
    ],
)
def test_a_report_is_titled_with_the_interviewee_and_the_day(
    interview: int, who: str, day: str | None, title: str
) -> None:
    assert report_title(interview, who, day) == title


def test_report_jobs_carry_their_title_and_the_index_counts_the_interviews(tmp_path: Path) -> None:
    (tmp_path / "ada").mkdir()
    build_workbook(tmp_path / "ada" / "workbook.iiv", interviews=2, student="Ada")
    runner = FakeRunner()
    out = tmp_path / "out"
    make_reports([tmp_path / "ada"], out, runner=runner, notebook=NOTEBOOK, progress=False)
    assert sorted(job.title or "" for job in runner.calls) == [
        "Debrief: Person 1, 1 Mar 2024",
        "Debrief: Person 2, 2 Mar 2024",
    ]
    report = (out / "ada__interview-1.html").read_text(encoding="utf-8")
    assert title_of(report) == "Debrief: Person 1, 1 Mar 2024"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert title_of(index) == "Debrief reports: 2 interviews"
    assert "<h1>Debrief reports: 2 interviews</h1>" in index and "<main>" in index


def test_feedback_pages_are_titled_with_the_students_name_and_the_summary_counts_students(
    tmp_path: Path,
) -> None:
    root = tmp_path / "class"
    for folder in ("ana", "ben", "cy"):
        (root / folder).mkdir(parents=True)
    build_complete(root / "ana" / "workbook.iiv", student="Ana Ahmed")
    build_empty(root / "ben" / "workbook.iiv")
    runner = FakeRunner()
    course_report(root, tmp_path / "out", runner=runner, progress=False)
    titles = {job.name: job.title for job in runner.calls}
    assert titles["ana"] == "Feedback: Ana Ahmed"
    assert titles["ben"] == "Feedback: ben"  # no profile yet: the folder's name
    assert titles["index"] == "Class summary: 3 students"  # cy has no workbook and is still counted
    assert title_of(note_page("cy", "no workbook")) == "Feedback: cy"


def test_a_job_without_a_title_keeps_its_name() -> None:
    job = NotebookJob(NOTEBOOK, "ada__interview-1")
    assert job.title is None
    assert title_of(FakeRunner().run(job).html or "") == "report"


def test_counts_in_words_name_the_thing_counted_once() -> None:
    counts = pd.Series({"confirmed": 3, "refuted": 1, "not_discussed": 0, "untested": 2})
    assert (
        presentation.counted("Evidence", "finding", counts)
        == "Evidence: 3 findings confirmed, 1 refuted, 0 not discussed, 2 untested."
    )
    assert presentation.counted("Evidence", "finding", {"confirmed": 1}) == "Evidence: 1 finding confirmed."
    assert presentation.counted("Pipeline", "contact", {}) == "Pipeline: no contacts."


def test_notebook_charts_carry_alt_text_with_their_numbers(tmp_path: Path) -> None:
    build_workbook(tmp_path / "wb.iiv", interviews=2)
    with Workbook.read(tmp_path / "wb.iiv") as wb:
        evidence = charts.evidence_chart(wb)
        pipeline = charts.pipeline_chart(wb)
    assert evidence.alt.startswith("Evidence: ") and re.search(r"\d+ findings? \w+", evidence.alt)
    assert pipeline.alt.startswith("Pipeline: ") and re.search(r"\d+ contacts? \w+", pipeline.alt)
    assert f"alt='{evidence.alt}'" in evidence.html()
