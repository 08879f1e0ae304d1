"""The class run: ``iivkit course report CLASS_DIR --out DIR``.

This module plans: it finds the students (:mod:`iivkit.course.roster`), opens each workbook (a
missing or unreadable one becomes a row with the reason and a note page), assesses it once for
the class summary, and makes a job per student that runs ``student_feedback.ipynb`` into
``DIR/<student>.html``. :func:`~iivkit.batch.pipeline.run_batch` does the rest, as for
``iivkit report``: it skips students whose workbook has not changed since the last run into
DIR, runs the others (in parallel, one fresh kernel each, failures isolated) and records them.
Then the class summary, ``class_summary.ipynb``, goes through the same pipeline into
``DIR/index.html``, reading the assessments the run kept beside the pages instead of
assessing every workbook again.

With ``records``, each student with a readable workbook also gets a record of their work,
``DIR/<page>-work.html`` (:mod:`iivkit.course.record`): made in this process, in the same
pipeline run, kept while the workbook is unchanged, and linked from their page and the summary.

With ``anonymise``, third parties (contacts) get stable pseudonyms, names, emails and phone
numbers in free text included, in every page and the summary. The students keep their names:
they are the instructor's own students, and each page is meant to go back to its student.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from iivkit import __version__
from iivkit.batch.pipeline import (
    FAILED,
    OK,
    UP_TO_DATE,
    Execute,
    Progress,
    Runs,
    State,
    Task,
    default_workers,
    fingerprint,
    notebook_hash,
    run_batch,
)
from iivkit.batch.runner import NotebookJob, NotebookResult, Runner
from iivkit.course import data as course_data
from iivkit.course import exercises, feedback, rubric
from iivkit.course import html as course_html
from iivkit.course import record as course_record
from iivkit.course.roster import DEFAULT_LAYOUT, NO_WORKBOOK, UNREADABLE, Student, discover
from iivkit.errors import IivkitError, WorkbookMissingError
from iivkit.resources import shipped_notebook
from iivkit.workbook import rows
from iivkit.workbook.files import make_private_dir, write_private
from iivkit.workbook.models import RECORD_TYPES
from iivkit.workbook.store import Workbook

__all__ = ["FAILED", "NO_WORKBOOK", "OK", "UP_TO_DATE", "CourseRow", "CourseRun", "course_report"]

FEEDBACK_NOTEBOOK = "student_feedback.ipynb"
SUMMARY_NOTEBOOK = "class_summary.ipynb"
STATE_FILE = ".iivkit-course-state.json"
PAGES_FILE = ".iivkit-course-pages.json"
INDEX_FILE = "index.html"
SUMMARY = "index"
"""The class summary's name in the run (its page is ``index.html``); no student's page is named so."""


def page_names(students: Iterable[str]) -> dict[str, str]:
    """A file stem per student, safe in a URL and unique; never ``index``."""
    stems: dict[str, str] = {}
    taken: set[str] = {SUMMARY}
    for name in students:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"
        stem = base
        if stem.lower() in taken:
            stem = f"{base}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
        taken.add(stem.lower())
        stems[name] = stem
    return stems


def course_notebook(name: str) -> Path:
    """A notebook of ``notebooks/course``: shipped in the package, or beside it in a checkout."""
    try:
        return shipped_notebook(f"course/{name}")
    except WorkbookMissingError:
        raise WorkbookMissingError(
            "the course notebook is missing from this iivkit installation", file=name
        ) from None


def kernel_imports() -> tuple[str, ...]:
    """The modules a course kernel imports, for the fork server to preload (named from the modules)."""
    return (course_data.__name__, course_html.__name__)


def feedback_digest() -> str:
    """What every page's feedback is made by: iivkit's version, the rubric's, and the source of
    the modules that judge and show it. When any changes, the next run makes every page again."""
    h = hashlib.sha256(f"{__version__} rubric {rubric.RUBRIC_VERSION}".encode())
    for module in (rubric, exercises, feedback, course_data, course_html):
        h.update(Path(str(module.__file__)).read_bytes())
    return h.hexdigest()


def workbook_digest(conn: sqlite3.Connection) -> str:
    """Hash of every record and setting of a workbook: equal digests, equal feedback."""
    h = hashlib.sha256()
    for table in [m.table for m in RECORD_TYPES] + ["meta"]:
        h.update(table.encode())
        for row in rows.raw_rows(conn, table):
            h.update(json.dumps(row, default=str).encode())
    return h.hexdigest()


# -- the class run ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class CourseRow(Task):
    """One student in the run: their page (``name``), and what happened to it."""

    student: str
    workbook: Path | None = None

    @property
    def page(self) -> str:
        return self.name

    @property
    def page_file(self) -> str:
        return self.file

    @property
    def reason(self) -> str:
        """Why there is no feedback: no workbook, an unreadable one, or the notebook's error."""
        return self.error

    @property
    def assessment_file(self) -> str:
        """Where the run keeps the student's assessment for the class summary."""
        return f"{self.name}.assessment.json"

    def failure(self) -> str:
        return f"{self.student}: feedback failed: {self.error}"


@dataclass
class CourseRun:
    """What a class run did: a row per student, and the class summary."""

    rows: list[CourseRow]
    index: Path
    summary_status: str
    summary_error: str = ""
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def failed(self) -> bool:
        """True when a page or the summary could not be made (a missing workbook is no failure)."""
        return self.count(FAILED) > 0 or self.summary_status == FAILED


@dataclass(kw_only=True)
class RecordTask(Task):
    """One student's record of work (``<page>-work.html``), made in this process from their workbook."""

    student: str

    def failure(self) -> str:
        return f"{self.student}: record of work failed: {self.error}"


class _SummaryTask(Task):
    """The class summary, made into ``index.html`` after the pages."""

    def failure(self) -> str:
        return ""  # the command names a failed summary itself


@dataclass(frozen=True)
class _Settings:
    class_dir: Path
    out: Path
    layout: str
    anonymise: bool
    today: dt.date
    timeout: float | None
    records: bool = False


def _plan(students: list[Student], cfg: _Settings) -> tuple[list[CourseRow], dict[str, object]]:
    """A row per student, with the job for their page; and what the summary shows of each."""
    notebook = course_notebook(FEEDBACK_NOTEBOOK)
    nb_hash = fingerprint(notebook_hash(notebook), feedback_digest())
    stems = page_names(s.name for s in students)
    rows: list[CourseRow] = []
    inputs: dict[str, object] = {}
    for s in students:
        row = CourseRow(name=stems[s.name], student=s.name, workbook=s.workbook)
        rows.append(row)
        if s.workbook is None:
            row.status, row.error = NO_WORKBOOK, s.problem
            inputs[s.name] = ["missing", s.problem]
            continue
        try:
            with Workbook.read(s.workbook) as wb:
                problems = [r[0] for r in wb.conn.execute("PRAGMA quick_check") if r[0] != "ok"]
                if problems:
                    raise sqlite3.DatabaseError(f"damaged: {problems[0]}")
                row.fingerprint = fingerprint(
                    nb_hash, str(s.workbook.resolve()), s.name, cfg.anonymise, workbook_digest(wb.conn)
                )
                title = f"Feedback: {_student_name(wb) or s.name}"
        except (IivkitError, sqlite3.Error, OSError) as exc:
            reason = str(exc.located(s.workbook)) if isinstance(exc, IivkitError) else f"{s.workbook}: {exc}"
            row.status, row.error, row.fingerprint = NO_WORKBOOK, f"{UNREADABLE}: {reason}", ""
            inputs[s.name] = [UNREADABLE, reason]
            continue
        inputs[s.name] = ["ok", row.fingerprint]
        # The page's kernel assesses the workbook anyway: it keeps the assessment for the summary.
        parameters = {
            "workbook": str(s.workbook.resolve()),
            "student": s.name,
            "anonymise": cfg.anonymise,
            "keep": str((cfg.out / row.assessment_file).resolve()),
            "today": cfg.today.isoformat(),
            "key": row.fingerprint,
        }
        row.job = NotebookJob(notebook, row.name, parameters, timeout=cfg.timeout, title=title)
    return rows, inputs


def _student_name(wb: Workbook) -> str:
    """The name in the student's profile, as their page shows it; empty if there is none to read."""
    try:
        profile = wb.profile()
    except (IivkitError, sqlite3.Error, ValueError):
        return ""
    return profile.name if profile else ""


def _keep_assessments(rows: Sequence[CourseRow], cfg: _Settings) -> None:
    """Assess, for the summary, each readable workbook whose page kept no assessment of it from
    the same inputs as of today: its page was up to date from an earlier day, or failed."""
    for row in rows:
        if not row.fingerprint or row.workbook is None:
            continue
        path = cfg.out / row.assessment_file
        kept = course_data.load_assessment(
            path, student=row.student, today=cfg.today, anonymise=cfg.anonymise, key=row.fingerprint
        )
        if kept is not None:
            continue
        try:
            with Workbook.read(row.workbook) as wb:
                report = course_data.assess(wb, row.student, today=cfg.today, anonymise=cfg.anonymise)
        except Exception:  # the summary assesses it again itself, and shows or fails as it always did
            path.unlink(missing_ok=True)
            continue
        course_data.save_assessment(
            path, report, today=cfg.today, anonymise=cfg.anonymise, key=row.fingerprint
        )


def course_report(
    class_dir: Path,
    out: Path,
    *,
    layout: str = DEFAULT_LAYOUT,
    anonymise: bool = False,
    jobs: int | None = None,
    force: bool = False,
    timeout: float | None = 600.0,
    today: dt.date | None = None,
    runner: Runner | None = None,
    execute: Execute | None = None,
    progress: bool = True,
    records: bool = False,
) -> CourseRun:
    """Write a feedback page per student and the class summary (``index.html``) into *out*.

    :param jobs: pages made at once; default the number of CPU cores.
    :param today: the day overdue follow-ups are counted from; default today.
    :param runner: the runner to use (e.g. a :class:`~iivkit.batch.runner.FakeRunner` in tests);
        default a new :class:`~iivkit.batch.runner.NotebookRunner`. *execute* replaces both.
    :param records: also write each student's record of work beside their page, and link it.
    """
    started = time.perf_counter()
    cfg = _Settings(class_dir, out, layout, anonymise, today or dt.date.today(), timeout, records)
    make_private_dir(out)
    state = State.load(out / STATE_FILE)
    workers = jobs or default_workers()
    # One runner for the pages and the summary: its kernel pool serves both. A first run (or a
    # forced one) starts the kernels' fork server now, so that its imports overlap the planning.
    prestart = execute is None and (force or not state.entries)
    local = Runs(
        workers=workers,
        cwd=out,
        runner=runner,
        kernel_imports=kernel_imports(),
        reserve=1,
        prestart=prestart,
    )
    with local:
        rows, inputs = _plan(discover(class_dir, layout, exclude=[out]), cfg)
        made = _record_tasks(rows, cfg, state) if records else _drop_records(out, state)
        for row in rows:
            if row.status == NO_WORKBOOK:
                write_private(out / row.page_file, course_html.note_page(row.student, row.reason))
                (out / row.assessment_file).unlink(missing_ok=True)
                state.forget(row.name)
        links = {task.student: task.file for task in made.values()}
        run_batch(
            [*rows, *made.values()],
            out,
            state=state,
            execute=_linking(execute or local, rows, links) if links else execute or local,
            progress=Progress("page", "Feedback", show=progress),
            force=force,
            on_failure=lambda row: (
                write_private(
                    out / row.page_file, course_html.note_page(row.student, row.reason, failed=True)
                )
                if isinstance(row, CourseRow)
                else None
            ),
        )
        rows.sort(key=lambda r: r.student.casefold())
        _keep_assessments(rows, cfg)
        summary = _summary_task(rows, inputs, cfg, made)
        local.reserve = 0
        run_batch(
            [summary],
            out,
            state=state,
            execute=execute or local,
            progress=Progress("page", "Summary", show=False),
            force=force,
            on_failure=lambda task: write_private(
                out / INDEX_FILE, course_html.fallback_index(rows, task.error)
            ),
        )
    return CourseRun(rows, out / INDEX_FILE, summary.status, summary.error, time.perf_counter() - started)


def _summary_task(
    rows: Sequence[CourseRow],
    inputs: dict[str, object],
    cfg: _Settings,
    made: dict[str, RecordTask] | None = None,
) -> _SummaryTask:
    """The class summary's job, with the pages file it reads; its fingerprint covers what it shows."""
    notebook = course_notebook(SUMMARY_NOTEBOOK)
    pages: dict[str, dict[str, str]] = {}
    for r in rows:
        pages[r.student] = {"file": r.page_file, "status": r.status, "reason": r.reason}
        if r.fingerprint and (cfg.out / r.assessment_file).is_file():
            pages[r.student]["assessment"] = str((cfg.out / r.assessment_file).resolve())
        record = (made or {}).get(r.student)
        if record is not None and record.status in (OK, UP_TO_DATE):
            pages[r.student]["record"] = record.file
    # Made or up to date shows the same link: only a failure changes what the index says.
    shown = {
        s: [
            p["file"],
            p["reason"] if p["status"] == FAILED else "",
            *([p["record"]] if "record" in p else []),
        ]
        for s, p in pages.items()
    }
    fp = fingerprint(
        notebook_hash(notebook),
        feedback_digest(),
        str(cfg.class_dir.resolve()),
        cfg.layout,
        cfg.anonymise,
        cfg.today,
        inputs,
        shown,
    )
    pages_file = cfg.out / PAGES_FILE
    write_private(pages_file, json.dumps(pages, indent=1, sort_keys=True))
    parameters = {
        "class_dir": str(cfg.class_dir.resolve()),
        "layout": cfg.layout,
        "anonymise": cfg.anonymise,
        "today": cfg.today.isoformat(),
        "pages": str(pages_file.resolve()),
    }
    title = f"Class summary: {len(rows)} student{'' if len(rows) == 1 else 's'}"
    job = NotebookJob(notebook, SUMMARY, parameters, timeout=cfg.timeout, title=title)
    return _SummaryTask(name=SUMMARY, job=job, fingerprint=fp)


# -- records of work -----------------------------------------------------------------------------


RECORD_KIND = "record of work"
"""How the state marks a record of work, so a run without ``--records`` can remove them."""


def _drop_records(out: Path, state: State) -> dict[str, RecordTask]:
    """A run without records removes those an earlier run wrote: a record shows contacts' names
    in full unless anonymised, and this run may be the anonymised one. Returns no tasks."""
    for name, entry in list(state.entries.items()):
        if entry.get("kind") == RECORD_KIND:
            (out / f"{name}.html").unlink(missing_ok=True)
            state.forget(name)
    return {}


def _record_tasks(rows: Sequence[CourseRow], cfg: _Settings, state: State) -> dict[str, RecordTask]:
    """A record of work per student with a readable workbook, by student, made in this process.

    Each is kept while the student's page is (its fingerprint covers the same inputs), and the
    page's fingerprint now covers the link to it. A student without one loses any earlier record.
    """
    taken = {r.name.casefold() for r in rows} | {SUMMARY}
    tasks: dict[str, RecordTask] = {}
    for row in rows:
        stem = course_record.record_stem(row.name)
        if stem.casefold() in taken:  # another student's page is called so
            stem = course_record.record_stem(
                f"{row.name}-{hashlib.sha256(row.student.encode()).hexdigest()[:6]}"
            )
        taken.add(stem.casefold())
        if row.job is None or row.workbook is None:
            (cfg.out / f"{stem}.html").unlink(missing_ok=True)
            state.forget(stem)
            continue
        row.fingerprint = fingerprint(row.fingerprint, "links to", f"{stem}.html")
        tasks[row.student] = RecordTask(
            name=stem,
            student=row.student,
            fingerprint=fingerprint("record of work", row.fingerprint),
            remember={"kind": RECORD_KIND},
            make=_record_maker(row.workbook, row.student, row.page_file, cfg),
        )
    return tasks


def _record_maker(workbook: Path, student: str, page: str, cfg: _Settings) -> Callable[[], str]:
    def make() -> str:
        with Workbook.read(workbook) as wb:
            return course_record.record_html(
                wb, student, anonymise=cfg.anonymise, feedback=page, summary=INDEX_FILE, today=cfg.today
            )

    return make


def _linking(execute: Execute, rows: Sequence[CourseRow], links: dict[str, str]) -> Execute:
    """*execute*, with each feedback page it makes linking to its student's record of work."""
    students = {r.name: r.student for r in rows}

    def run(jobs: list[NotebookJob]) -> Iterator[NotebookResult]:
        for result in execute(jobs):
            student = students.get(result.job.name, "")
            if result.ok and result.html is not None and student in links:
                result.html = course_record.with_link(result.html, links[student])
            yield result

    return run
