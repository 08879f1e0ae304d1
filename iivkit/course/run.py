"""The class run: ``iivkit course report CLASS_DIR --out DIR``.

The pipeline, top to bottom: find the students by the layout pattern → open each workbook (a
missing or unreadable one becomes a row with the reason) → skip students whose workbook has not
changed since the last run into DIR → run ``student_feedback.ipynb`` for the rest through the
report runner (:mod:`iivkit.batch.runner`, the same one ``iivkit report`` uses: parallel, one fresh
kernel each, failures isolated) → write ``DIR/<student>.html`` → run ``class_summary.ipynb``
into ``DIR/index.html``.

The layout works like nbgrader's ``directory_structure``: a path under CLASS_DIR with one
``{student}`` part, e.g. ``{student}/workbook.iiv`` (the default), ``{student}/*.iiv`` or
``submitted/{student}.iiv``.

With ``anonymise``, third parties (contacts) get stable pseudonyms, names, emails and phone
numbers in free text included, in every page and the summary. The students keep their names:
they are the instructor's own students, and each page is meant to go back to its student.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from iivkit import __version__
from iivkit.batch.runner import ReportJob, ReportResult, Runner
from iivkit.errors import IivkitError, ValidationFailed, WorkbookMissingError
from iivkit.reports.run import Execute, run_local
from iivkit.resources import shipped_notebook
from iivkit.workbook.exports import write_private
from iivkit.workbook.files import make_private_dir
from iivkit.workbook.models import RECORD_TYPES
from iivkit.workbook.store import Workbook

DEFAULT_LAYOUT = "{student}/workbook.iiv"
FEEDBACK_NOTEBOOK = "student_feedback.ipynb"
SUMMARY_NOTEBOOK = "class_summary.ipynb"
STATE_FILE = ".iivkit-course-state.json"
PAGES_FILE = ".iivkit-course-pages.json"
INDEX_FILE = "index.html"
UNREADABLE = "unreadable"
OK, FAILED, UP_TO_DATE, NO_WORKBOOK = "ok", "failed", "up to date", "no workbook"
"""What happened to a student's page: made, failed, already up to date, or a note (no workbook)."""


# -- the layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Student:
    """One student found in the class folder: their workbook, or why there is none to use."""

    name: str
    workbook: Path | None
    problem: str = ""


def check_layout(layout: str) -> str:
    """The layout if it is usable: relative, inside the class folder, with exactly one ``{student}``."""
    path = PurePosixPath(layout)

    def bad(why: str) -> ValidationFailed:
        return ValidationFailed(f"{layout!r} {why} (e.g. {DEFAULT_LAYOUT!r})", field="layout")

    if layout.count("{student}") != 1:
        raise bad("must contain {student} exactly once")
    if re.search(r"[{}]", layout.replace("{student}", "")):
        raise bad("may hold no placeholder but {student}")
    if path.is_absolute() or ".." in path.parts or "\\" in layout or not layout.strip():
        raise bad("must be a path inside the class folder, written with /")
    if path.parts[-1] == "{student}":
        raise bad("must end in the workbook's file name, or a pattern such as *.iiv")
    return layout


def _regex(pattern: str) -> str:
    out = []
    for piece in re.split(r"(\{student\}|\*|\?)", pattern):
        out.append(
            {"{student}": "(?P<student>[^/]+)", "*": "[^/]*", "?": "[^/]"}.get(piece, re.escape(piece))
        )
    return "".join(out)


def discover(
    class_dir: Path, layout: str = DEFAULT_LAYOUT, *, exclude: Iterable[Path] = (), roster: Iterable[str] = ()
) -> list[Student]:
    """Every student of the class, by name, each with their workbook or the problem.

    Students are the names ``{student}`` matches, plus, when ``{student}`` names a folder, every
    folder in its place (a student who handed in nothing), plus the *roster*.

    :param exclude: folders to pass over, such as the output folder when it is inside the class.
    """
    check_layout(layout)
    if not class_dir.is_dir():
        raise WorkbookMissingError("no such class folder", file=class_dir)
    skip = [p.resolve() for p in exclude]
    root = class_dir.resolve()
    regex = re.compile(_regex(layout))
    found: dict[str, list[Path]] = {name: [] for name in roster}
    outside: dict[str, str] = {}
    for path in sorted(class_dir.glob(layout.replace("{student}", "*"))):
        rel = path.relative_to(class_dir).as_posix()
        match = regex.fullmatch(rel)
        if not match or not path.is_file() or any(p.startswith(".") for p in rel.split("/")):
            continue
        if any(path.resolve().is_relative_to(s) for s in skip):
            continue
        if not path.resolve().is_relative_to(root):
            # A link out of the class folder (another student's work, a system file): name it.
            outside[match.group("student")] = (
                f"{rel} is a link to a file outside the class folder; not followed"
            )
            found.setdefault(match.group("student"), [])
            continue
        found.setdefault(match.group("student"), []).append(path)
    parts = PurePosixPath(layout).parts
    depth = next(i for i, p in enumerate(parts) if "{student}" in p)
    if depth < len(parts) - 1:  # {student} names a folder: every such folder is a student
        folders = "/".join((*parts[:depth], parts[depth].replace("{student}", "*")))
        folder_re = re.compile(_regex("/".join(parts[: depth + 1])))
        for folder in sorted(class_dir.glob(folders)):
            rel = folder.relative_to(class_dir).as_posix()
            match = folder_re.fullmatch(rel)
            hidden = any(p.startswith(".") for p in rel.split("/"))
            if match and folder.is_dir() and not hidden and not any(folder.resolve() == s for s in skip):
                found.setdefault(match.group("student"), [])
                if not folder.resolve().is_relative_to(root):
                    outside[match.group("student")] = (
                        f"{rel} is a link to a folder outside the class folder; not followed"
                    )
    students = []
    for name in sorted(found, key=str.casefold):
        paths = found[name]
        expected = layout.replace("{student}", name)
        if name in outside:
            students.append(Student(name, None, outside[name]))
        elif not paths:
            students.append(Student(name, None, f"no workbook at {expected}"))
        elif len(paths) > 1:
            listed = ", ".join(p.relative_to(class_dir).as_posix() for p in paths)
            students.append(Student(name, None, f"{len(paths)} workbooks match {expected}: {listed}"))
        else:
            students.append(Student(name, paths[0]))
    return students


def page_names(students: Iterable[str]) -> dict[str, str]:
    """A file stem per student, safe in a URL and unique; never ``index``."""
    stems: dict[str, str] = {}
    taken: set[str] = {"index"}
    for name in students:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"
        stem = base
        if stem.lower() in taken:
            stem = f"{base}-{hashlib.sha256(name.encode()).hexdigest()[:6]}"
        taken.add(stem.lower())
        stems[name] = stem
    return stems


# -- the notebooks and their jobs ------------------------------------------------------------


def course_notebook(name: str) -> Path:
    """A notebook of ``notebooks/course``: shipped in the package, or beside it in a checkout."""
    try:
        return shipped_notebook(f"course/{name}")
    except WorkbookMissingError:
        raise WorkbookMissingError(
            "the course notebook is missing from this iivkit installation", file=name
        ) from None


@dataclass(frozen=True)
class CourseJob(ReportJob):
    """A report job whose notebook takes the class run's parameters instead of an interview."""

    values: tuple[tuple[str, Any], ...] = ()

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.values)


def workbook_digest(conn: sqlite3.Connection) -> str:
    """Hash of every record and setting of a workbook: equal digests, equal feedback."""
    h = hashlib.sha256()
    for table in [m.table for m in RECORD_TYPES] + ["meta"]:
        h.update(table.encode())
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            h.update(json.dumps(list(row), default=str).encode())
    return h.hexdigest()


def _digest(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()


def _notebook_hash(path: Path) -> str:
    return _digest(hashlib.sha256(path.read_bytes()).hexdigest(), __version__)


# -- the class run ---------------------------------------------------------------------------


@dataclass
class CourseRow:
    """One student in the run: their page, and what happened to it."""

    student: str
    page: str
    workbook: Path | None = None
    status: str = OK
    reason: str = ""
    """Why there is no feedback: no workbook, an unreadable one, or the notebook's error."""
    seconds: float | None = None

    @property
    def page_file(self) -> str:
        return f"{self.page}.html"


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


@dataclass
class _Plan:
    rows: list[CourseRow] = field(default_factory=list)
    jobs: list[tuple[CourseRow, CourseJob, str]] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)


def _load_state(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == 1 else {}


@dataclass(frozen=True)
class _Settings:
    class_dir: Path
    out: Path
    layout: str
    anonymise: bool
    today: dt.date
    force: bool
    timeout: float | None


def _plan(students: list[Student], state: dict[str, Any], cfg: _Settings) -> _Plan:
    planned = _Plan()
    notebook = course_notebook(FEEDBACK_NOTEBOOK)
    nb_hash = _notebook_hash(notebook)
    stems = page_names(s.name for s in students)
    previous = state.get("pages", {})
    for s in students:
        row = CourseRow(s.name, stems[s.name], s.workbook)
        if s.workbook is None:
            row.status, row.reason = NO_WORKBOOK, s.problem
            planned.inputs[s.name] = ["missing", s.problem]
            planned.rows.append(row)
            continue
        try:
            with Workbook.read(s.workbook) as wb:
                problems = [r[0] for r in wb.conn.execute("PRAGMA quick_check") if r[0] != "ok"]
                if problems:
                    raise sqlite3.DatabaseError(f"damaged: {problems[0]}")
                digest = workbook_digest(wb.conn)
        except (IivkitError, sqlite3.Error, OSError) as exc:
            reason = str(exc.located(s.workbook)) if isinstance(exc, IivkitError) else f"{s.workbook}: {exc}"
            row.status, row.reason = NO_WORKBOOK, f"{UNREADABLE}: {reason}"
            planned.inputs[s.name] = [UNREADABLE, reason]
            planned.rows.append(row)
            continue
        fp = _digest(nb_hash, str(s.workbook.resolve()), s.name, cfg.anonymise, digest)
        planned.inputs[s.name] = ["ok", fp]
        before = previous.get(row.page, {})
        if not cfg.force and before.get("fingerprint") == fp and (cfg.out / row.page_file).is_file():
            row.status, row.seconds = UP_TO_DATE, before.get("seconds")
            planned.rows.append(row)
            continue
        values = (("workbook", str(s.workbook.resolve())), ("student", s.name), ("anonymise", cfg.anonymise))
        job = CourseJob(notebook, s.workbook.resolve(), 0, row.page, cfg.timeout, values=values)
        planned.jobs.append((row, job, fp))
    return planned


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
) -> CourseRun:
    """Write a feedback page per student and the class summary (``index.html``) into *out*.

    :param jobs: pages made at once; default the number of CPU cores.
    :param today: the day overdue follow-ups are counted from; default today.
    :param runner: the runner to use (e.g. a :class:`~iivkit.batch.runner.FakeRunner` in tests);
        default a new :class:`~iivkit.batch.runner.NotebookRunner`. *execute* replaces both.
    """
    from tqdm import tqdm

    from iivkit.course import html as course_html

    started = time.perf_counter()
    cfg = _Settings(class_dir, out, layout, anonymise, today or dt.date.today(), force, timeout)
    make_private_dir(out)
    students = discover(class_dir, layout, exclude=[out])
    state = _load_state(out)
    planned = _plan(students, state, cfg)
    pages = dict(state.get("pages", {}))
    rows = list(planned.rows)
    for row in rows:
        if row.status == NO_WORKBOOK:
            write_private(out / row.page_file, course_html.note_page(row.student, row.reason))
            pages.pop(row.page, None)
    workers = jobs or os.cpu_count() or 1
    started_runners: list[Runner] = []

    def run_jobs(batch: list[ReportJob]) -> Iterator[ReportResult]:
        nonlocal runner
        if execute is not None:
            return execute(batch)
        if runner is None:
            from iivkit.batch.runner import NotebookRunner

            # One runner for the pages and the summary: its kernel pool serves both.
            runner = NotebookRunner(workers=min(workers, len(planned.jobs) + 1), cwd=out)
            started_runners.append(runner)
        return run_local(runner, batch, workers)

    by_name = {job.name: (row, fp) for row, job, fp in planned.jobs}
    summary = _Summary(FAILED, "the run was interrupted")
    try:
        if planned.jobs:
            bar = tqdm(
                total=len(planned.jobs),
                unit="page",
                desc="Feedback",
                file=sys.stderr,
                disable=None if progress else True,
            )
            with bar:
                for result in run_jobs([job for _, job, _ in planned.jobs]):
                    row, fp = by_name[result.job.name]
                    _record(result, row, fp, out, pages)
                    rows.append(row)
                    bar.update(1)
                    if row.status == FAILED:
                        bar.write(f"iivkit: {row.student}: feedback failed: {row.reason}", file=sys.stderr)
        rows.sort(key=lambda r: r.student.casefold())
        summary = _summarise(rows, planned.inputs, state, cfg, run_jobs)
    finally:
        for own in started_runners:
            own.close()
        kept = {"fingerprint": summary.fingerprint} if summary.fingerprint else {}
        write_private(out / STATE_FILE, json.dumps({"format": 1, "pages": pages, "summary": kept}, indent=1))
    return CourseRun(rows, out / INDEX_FILE, summary.status, summary.error, time.perf_counter() - started)


def _record(result: ReportResult, row: CourseRow, fp: str, out: Path, pages: dict[str, Any]) -> None:
    """Write one student's page (their feedback, or a note saying why there is none)."""
    from iivkit.course import html as course_html

    row.seconds = result.seconds
    if result.ok and result.html is not None:
        write_private(out / row.page_file, result.html)
        row.status = OK
        pages[row.page] = {"fingerprint": fp, "seconds": round(result.seconds, 3)}
    else:
        row.status, row.reason = FAILED, result.error or "failed"
        write_private(out / row.page_file, course_html.note_page(row.student, row.reason, failed=True))
        pages.pop(row.page, None)


@dataclass(frozen=True)
class _Summary:
    status: str
    error: str = ""
    fingerprint: str = ""


def _summarise(
    rows: list[CourseRow], inputs: dict[str, Any], state: dict[str, Any], cfg: _Settings, run_jobs: Execute
) -> _Summary:
    """Run the class summary into ``index.html``, unless nothing it shows has changed."""
    from iivkit.course import html as course_html

    notebook = course_notebook(SUMMARY_NOTEBOOK)
    pages = {r.student: {"file": r.page_file, "status": r.status, "reason": r.reason} for r in rows}
    # Made or up to date shows the same link: only a failure changes what the index says.
    shown = {s: [p["file"], p["reason"] if p["status"] == FAILED else ""] for s, p in pages.items()}
    fp = _digest(
        _notebook_hash(notebook),
        str(cfg.class_dir.resolve()),
        cfg.layout,
        cfg.anonymise,
        cfg.today,
        inputs,
        shown,
    )
    index = cfg.out / INDEX_FILE
    if not cfg.force and state.get("summary", {}).get("fingerprint") == fp and index.is_file():
        return _Summary(UP_TO_DATE, fingerprint=fp)
    pages_file = cfg.out / PAGES_FILE
    write_private(pages_file, json.dumps(pages, indent=1, sort_keys=True))
    values = (
        ("class_dir", str(cfg.class_dir.resolve())),
        ("layout", cfg.layout),
        ("anonymise", cfg.anonymise),
        ("today", cfg.today.isoformat()),
        ("pages", str(pages_file.resolve())),
    )
    job = CourseJob(notebook, cfg.class_dir.resolve(), 0, "index", cfg.timeout, values=values)
    [result] = list(run_jobs([job]))
    if result.ok and result.html is not None:
        write_private(index, result.html)
        return _Summary(OK, fingerprint=fp)
    error = result.error or "failed"
    write_private(index, course_html.fallback_index(rows, error))
    return _Summary(FAILED, error)
