"""What the class run shows, as data: each student's feedback and numbers, and the class summary.

The course notebooks (``student_feedback``, ``class_summary``) only call these and display what
they return, so a test can reach every number without a kernel. A student whose workbook is
missing or cannot be read is a :class:`StudentReport` too, in state ``missing`` or
``unreadable`` with the reason: one bad workbook never stops the summary.

The numbers, per student:

- interviews done: interviews with status ``done`` or ``debriefed``;
- findings tested: distinct findings some interview confirmed, refuted or found mixed;
- findings confirmed: distinct findings some interview confirmed;
- overdue follow-ups: follow-ups (:mod:`iivkit.method.followups`, the workbook's own rules) due
  before *today*;
- open questions: open questions still ``open``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from iivkit.course.exercises import check_all
from iivkit.course.feedback import ExerciseFeedback, Point
from iivkit.course.roster import DEFAULT_LAYOUT, UNREADABLE, Student, discover
from iivkit.course.rubric import MET, NOT_MET, RUBRIC, STRONGER, TITLES, counts_as_met
from iivkit.errors import IivkitError, ValidationFailed
from iivkit.method.bank import words
from iivkit.method.followups import follow_up_list
from iivkit.method.funnel import funnel_summary, funnel_text
from iivkit.ui.params import as_date, as_flag, is_blank
from iivkit.workbook import views
from iivkit.workbook.anonymise import Pseudonymiser, people_pseudonymiser
from iivkit.workbook.files import write_private
from iivkit.workbook.store import Workbook, collect_damaged

OK_STATE, MISSING = "ok", "missing"
"""A student's workbook: read, not there, or (:data:`~iivkit.course.roster.UNREADABLE`) damaged or foreign."""
SIMILAR = 0.5
"""Open questions whose significant words overlap this much (Jaccard) count as the same question."""
DEMO_CLASS_SIZE = 6


@dataclass
class StudentReport:
    """One student: their feedback and numbers, or why there are none."""

    student: str
    workbook: Path | None
    state: str = OK_STATE
    reason: str = ""
    name: str = ""
    feedback: list[ExerciseFeedback] = field(default_factory=list)
    interviews_done: int | None = None
    findings_tested: int | None = None
    findings_confirmed: int | None = None
    overdue_follow_ups: int | None = None
    open_questions: list[str] = field(default_factory=list)
    funnel: str = ""
    """People invited → replied → met → gave a referral, with each step's rate."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data, JSON-ready; :meth:`from_dict` gives the same report back."""
        data = dataclasses.asdict(self)
        data["workbook"] = None if self.workbook is None else str(self.workbook)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StudentReport:
        """The report :meth:`to_dict` made."""
        values = dict(data)
        values["workbook"] = None if values.get("workbook") is None else Path(values["workbook"])
        values["feedback"] = [
            ExerciseFeedback(
                number=int(f["number"]),
                title=str(f["title"]),
                points=tuple(Point.from_dict(p) for p in f["points"]),
                subject=str(f.get("subject", "")),
            )
            for f in values.get("feedback", [])
        ]
        return cls(**values)


def save_assessment(path: Path, report: StudentReport, *, today: dt.date, anonymise: bool, key: str) -> None:
    """Keep *report* in *path* for the class summary (and the next run, while *key* still matches).

    :param key: what the report was made from (the class run's fingerprint of the student's page).
    """
    data = {"key": key, "today": today.isoformat(), "anonymise": anonymise, "report": report.to_dict()}
    write_private(path, json.dumps(data, indent=1, sort_keys=True))


def load_assessment(
    path: Path, *, student: str, today: dt.date | None, anonymise: bool, key: str | None = None
) -> StudentReport | None:
    """The report :func:`save_assessment` kept in *path*, if it is *student*'s as of *today*
    (and made from *key*, when given); None when there is none such, or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        same = (
            data["report"]["student"] == student
            and data["today"] == (today.isoformat() if today else None)
            and data["anonymise"] is anonymise
            and (key is None or data["key"] == key)
        )
        return StudentReport.from_dict(data["report"]) if same else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def contact_pseudonymiser(wb: Workbook) -> Pseudonymiser:
    """Pseudonyms for the workbook's contacts (not its owner), keyed by the workbook's own salt,
    so a contact gets the same pseudonym here as in ``iivkit export --anonymise``."""
    contacts = [("Contact", dict(row)) for row in views.stored_rows(wb, "contacts")]
    return people_pseudonymiser(wb.meta("pseudonym_salt") or str(wb.path), contacts)


def assess(
    wb: Workbook, student: str, *, today: dt.date | None = None, anonymise: bool = False
) -> StudentReport:
    """The feedback on every exercise and the numbers of one open workbook.

    :param today: count overdue follow-ups as of this day; None leaves them out.
    :param anonymise: pseudonymise contacts' names, emails and phone numbers in every text.
    """
    with collect_damaged() as damaged:
        report = _assess(wb, student, today=today, anonymise=anonymise)
    if damaged:
        # The page still shows what could be read; this says what was left out and why.
        listed = "; ".join(
            str(ValidationFailed(e.message, record=e.record, field=e.field)) for e in damaged[:3]
        )
        more = f"; and {len(damaged) - 3} more" if len(damaged) > 3 else ""
        report.reason = (
            f"left out {len(damaged)} damaged {'record' if len(damaged) == 1 else 'records'} "
            f"('iivkit check' lists them): {listed}{more}"
        )
        if anonymise:
            report.reason = contact_pseudonymiser(wb).text(report.reason)
    return report


def _assess(wb: Workbook, student: str, *, today: dt.date | None, anonymise: bool) -> StudentReport:
    profile = wb.profile()
    report = StudentReport(student, wb.path, name=profile.name if profile else "")
    report.feedback = check_all(wb)
    counts = views.progress_counts(wb)
    report.interviews_done = counts["interviews_held"]
    report.findings_tested = counts["findings_tested"]
    report.findings_confirmed = counts["findings_confirmed"]
    report.open_questions = views.open_question_texts(wb)
    report.funnel = funnel_text(funnel_summary(wb))
    if today is not None:
        report.overdue_follow_ups = sum(f.state == "overdue" for f in follow_up_list(wb, today))
    if anonymise:
        text = contact_pseudonymiser(wb).text
        report.feedback = [f.map_text(text) for f in report.feedback]
        report.open_questions = [text(q) for q in report.open_questions]
    return report


def assess_student(s: Student, *, today: dt.date | None = None, anonymise: bool = False) -> StudentReport:
    """:func:`assess` for one student of a class; a missing or unreadable workbook gives the reason."""
    if s.workbook is None:
        return StudentReport(s.name, None, MISSING, s.problem)
    try:
        with Workbook.read(s.workbook) as wb:
            return assess(wb, s.name, today=today, anonymise=anonymise)
    except (IivkitError, sqlite3.Error, OSError) as exc:
        reason = str(exc.located(s.workbook)) if isinstance(exc, IivkitError) else f"{s.workbook}: {exc}"
        return StudentReport(s.name, s.workbook, UNREADABLE, reason)


def student_page(
    workbook: object = None,
    *,
    student: object = None,
    anonymise: object = False,
    keep: object = None,
    today: object = None,
    key: object = None,
) -> StudentReport:
    """What one student's feedback page shows (the ``student_feedback`` notebook's parameters).

    :param workbook: the workbook's path; blank for the demo workbook.
    :param student: the name to show; blank for the workbook's folder (or file) name.
    :param keep: where the class run wants this assessment kept for its summary
        (:func:`save_assessment`, with overdue follow-ups counted as of *today* and the run's
        *key*), so that it is made once, in the page's kernel; blank to keep nothing.
    """
    from iivkit.ui.support import open_workbook

    flag = as_flag(anonymise, "anonymise")
    with open_workbook(workbook, readonly=True) as wb:
        name = "" if is_blank(student) else str(student).strip()
        if not name:
            name = wb.path.parent.name if wb.path.stem.lower() == "workbook" else wb.path.stem
        if is_blank(keep):
            return assess(wb, name, anonymise=flag)
        day = as_date(today)
        report = assess(wb, name, today=day, anonymise=flag)
    save_assessment(Path(str(keep)), report, today=day, anonymise=flag, key="" if is_blank(key) else str(key))
    return report


# -- the class -------------------------------------------------------------------------------


@dataclass
class ClassSummary:
    """Every student of a class, with what the index shows about each."""

    class_dir: Path
    layout: str
    today: dt.date
    anonymised: bool
    students: list[StudentReport]
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per student, their page from the class run: ``file``, ``status`` and ``reason`` (and the
    ``assessment`` file the run kept for the summary)."""

    def table(self) -> pd.DataFrame:
        """One row per student: state, each exercise's status and parts met (``exercise_1_met``), and
        the numbers (empty when unreadable)."""
        rows = []
        for r in self.students:
            row: dict[str, Any] = {"student": r.student, "name": r.name, "state": r.state, "reason": r.reason}
            statuses = {f.number: f for f in r.feedback}
            for n in TITLES:
                row[f"exercise_{n}"] = statuses[n].status if n in statuses else None
                row[f"exercise_{n}_met"] = statuses[n].met if n in statuses else None
            for key in ("interviews_done", "findings_tested", "findings_confirmed", "overdue_follow_ups"):
                row[key] = getattr(r, key)
            row["open_questions"] = len(r.open_questions) if r.state == OK_STATE else None
            rows.append(row)
        df = pd.DataFrame(rows, columns=list(rows[0]) if rows else ["student"]).set_index("student")
        for key in (
            *(f"exercise_{n}_met" for n in TITLES),
            "interviews_done",
            "findings_tested",
            "findings_confirmed",
            "overdue_follow_ups",
            "open_questions",
        ):
            if key in df.columns:
                df[key] = df[key].astype("Int64")
        return df

    def completion(self) -> pd.DataFrame:
        """Per exercise, how many students have completed it (every part met), are in progress,
        or have not started (no part met)."""
        readable = [r for r in self.students if r.state == OK_STATE]
        rows = []
        for n, title in TITLES.items():
            statuses = [f.status for r in readable for f in r.feedback if f.number == n]
            rows.append(
                {
                    "exercise": f"{n} · {title}",
                    "complete": statuses.count("complete"),
                    "in progress": statuses.count("in progress"),
                    "not started": statuses.count("not started"),
                }
            )
        return pd.DataFrame(rows).set_index("exercise")

    def parts(self, exercise: int) -> pd.DataFrame:
        """One row per student with a readable workbook, one column per part of *exercise*
        (by its title, in the rubric's order): each part's verdict."""
        columns = [p.title for p in RUBRIC[exercise]]
        rows = {}
        for r in self.students:
            fb = next((f for f in r.feedback if f.number == exercise), None)
            if r.state == OK_STATE and fb is not None:
                rows[r.student] = [p.state for p in fb.points]
        df = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
        df.index.name = "student"
        return df

    def part_counts(self) -> pd.DataFrame:
        """Per exercise and part, how many students met it and how many did not.

        ``met`` counts the parts that could be stronger too (they are met); ``could be stronger``
        says how many of those, so ``met + not met`` is every student with a readable workbook.
        """
        rows = []
        for n, parts in RUBRIC.items():
            verdicts = self.parts(n)
            for p in parts:
                column = verdicts[p.title].tolist()
                rows.append(
                    {
                        "exercise": n,
                        "part": p.title,
                        MET: sum(counts_as_met(v) for v in column),
                        STRONGER: column.count(STRONGER),
                        NOT_MET: column.count(NOT_MET),
                    }
                )
        return pd.DataFrame(rows, columns=["exercise", "part", MET, STRONGER, NOT_MET])

    def common_questions(self, top: int = 10) -> pd.DataFrame:
        """The open questions most students share: similar wordings grouped, most students first."""
        return common_questions(((r.student, q) for r in self.students for q in r.open_questions), top=top)


def common_questions(asked: Iterable[tuple[str, str]], *, top: int = 10) -> pd.DataFrame:
    """Group (student, question) pairs by similar wording; columns question, students, times.

    Two questions are similar when their significant words overlap by :data:`SIMILAR` or more,
    names left out (capitalised words after the first), so "How do people at Acme progress?"
    and "How do people at Globex progress?" are one question. Each group shows its most
    frequent wording (the first seen on a tie).
    """
    groups: list[dict[str, Any]] = []
    for student, text in asked:
        tokens = re.findall(r"[\w'’-]+", text)
        common = " ".join(t for n, t in enumerate(tokens) if n == 0 or not t[:1].isupper())
        key = words(common) or words(text) or {text.strip().lower()}
        for g in groups:
            if len(key & g["key"]) / len(key | g["key"]) >= SIMILAR:
                break
        else:
            g = {"key": key, "students": set(), "times": 0, "texts": {}}
            groups.append(g)
        g["students"].add(student)
        g["times"] += 1
        g["texts"][text] = g["texts"].get(text, 0) + 1
    rows = [
        {
            "question": max(g["texts"], key=lambda t: g["texts"][t]),
            "students": len(g["students"]),
            "times": g["times"],
        }
        for g in groups
    ]
    rows.sort(key=lambda r: (-r["students"], -r["times"]))
    return pd.DataFrame(rows[:top], columns=["question", "students", "times"])


def _pages(pages: object) -> dict[str, dict[str, Any]]:
    if is_blank(pages):
        return {}
    if isinstance(pages, Mapping):
        return {str(k): dict(v) for k, v in pages.items()}
    try:
        data = json.loads(Path(str(pages)).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValidationFailed(
            f"cannot read the pages file: {exc}", record="parameter", field="pages"
        ) from None
    return {str(k): dict(v) for k, v in data.items()} if isinstance(data, dict) else {}


def class_summary(
    class_dir: object = None,
    *,
    layout: object = DEFAULT_LAYOUT,
    today: object = None,
    anonymise: object = False,
    pages: object = None,
) -> ClassSummary:
    """Assess every student of the class (the ``class_summary`` notebook's parameters).

    :param class_dir: the class folder; blank for a small demo class, built on first use.
    :param today: the day overdue follow-ups are counted from (a date or ``2026-03-01``); blank for today.
    :param pages: the class run's pages file (JSON), to link each student's page and to reuse
        the assessment the run made of each (its ``assessment`` file), instead of making it again.
    """
    folder = ensure_demo_class() if is_blank(class_dir) else class_dir
    folder = Path(os.fspath(folder)) if isinstance(folder, str | os.PathLike) else folder
    if not isinstance(folder, Path):
        raise ValidationFailed("must be the path of a class folder", record="parameter", field="class_dir")
    pattern = DEFAULT_LAYOUT if is_blank(layout) else str(layout)
    day = as_date(today)
    flag = as_flag(anonymise, "anonymise")
    found = discover(folder, pattern)
    shown = _pages(pages)
    reports = [_assessed(s, shown, day, flag) or assess_student(s, today=day, anonymise=flag) for s in found]
    return ClassSummary(folder, pattern, day, flag, reports, shown)


def _assessed(
    s: Student, pages: Mapping[str, Mapping[str, Any]], today: dt.date, anonymise: bool
) -> StudentReport | None:
    """The assessment the class run made of *s* for this summary (named in its pages file), if any."""
    path = pages.get(s.name, {}).get("assessment")
    if not path or s.workbook is None:
        return None
    report = load_assessment(Path(str(path)), student=s.name, today=today, anonymise=anonymise)
    return dataclasses.replace(report, workbook=s.workbook) if report is not None else None


def ensure_demo_class() -> Path:
    """A small demo class in the user's cache beside the demo workbook, built on first use."""
    from iivkit.workbook.demo import build_class, demo_workbook_path

    path = demo_workbook_path().parent / "class"
    if path.is_dir():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        build_class(Path(tmp) / "class", DEMO_CLASS_SIZE)
        with contextlib.suppress(OSError):  # another process built it first
            os.replace(Path(tmp) / "class", path)
    return path
