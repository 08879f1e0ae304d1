"""Batch debrief reports: ``iivkit report PATH... --out DIR``.

This module plans: it finds the workbooks under each PATH and makes a row per interview to
report on, with the job that makes its report and a fingerprint of the records it reads.
:func:`~iivkit.batch.pipeline.run_batch` does the rest: it skips the rows whose fingerprint
is the one in ``DIR/.iivkit-report-state.json``, runs the others a few at a time, writes each
report, and then ``index.html`` (:func:`write_index`) with one row per report.

A failure belongs to its row: a workbook that will not open, an unknown interview, a notebook
error or a dead kernel marks that row failed, with the reason, and the rest carry on.

By default interviews that took place (``done`` or ``debriefed``) get a report; ``--interview``
picks interviews by id in every workbook, whatever their status.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote

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
from iivkit.batch.runner import NotebookJob, Runner
from iivkit.errors import IivkitError, WorkbookMissingError
from iivkit.reports.inputs import REPORT_NOTEBOOK, WorkbookInputs
from iivkit.workbook import rows as stored
from iivkit.workbook.files import make_private_dir, write_private
from iivkit.workbook.opening import read_snapshot

__all__ = ["FAILED", "OK", "UP_TO_DATE", "Batch", "Row", "find_workbooks", "make_reports", "report_job"]

STATE_FILE = ".iivkit-report-state.json"
INDEX_FILE = "index.html"
WORKBOOK_SUFFIX = ".iiv"


@dataclass(kw_only=True)
class Row(Task):
    """One line of the index: a report made, failed or already up to date."""

    workbook: Path
    interview: int | None
    interviewee: str = ""
    workbook_label: str = ""

    @property
    def html_file(self) -> str:
        return self.file

    @property
    def link(self) -> str:
        return quote(self.html_file) if self.status != FAILED else ""

    @property
    def link_text(self) -> str:
        return self.html_file


@dataclass
class Batch:
    """What a run did: every row, in workbook and interview order, and where the index is."""

    rows: list[Row]
    index: Path
    seconds: float

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def failed(self) -> int:
        return self.count(FAILED)


# -- finding workbooks -------------------------------------------------------------------------


def find_workbooks(paths: Iterable[Path]) -> list[Path]:
    """Every workbook named by *paths*: a file as given, a folder searched for ``*.iiv``.

    Hidden folders (``.ipynb_checkpoints``, ``.git``) are skipped. A missing PATH is a usage error.
    """
    found: dict[Path, Path] = {}
    for path in paths:
        if not path.exists():
            raise WorkbookMissingError("no such file or folder", file=path)
        if path.is_dir():
            candidates = sorted(
                p
                for p in path.rglob(f"*{WORKBOOK_SUFFIX}")
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts[:-1])
            )
        else:
            candidates = [path]
        for candidate in candidates:
            found.setdefault(candidate.resolve(), candidate)
    return list(found.values())


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "workbook"


def report_stems(workbooks: list[Path]) -> dict[Path, str]:
    """A file-name stem per workbook: the student's folder for ``<student>/workbook.iiv``,
    else the file's stem; a short hash of the path tells apart any that clash."""
    stems = {}
    real = {wb: wb.resolve() for wb in workbooks}
    for wb in workbooks:
        folder = real[wb].parent.name
        stems[wb] = _slug(wb.stem if wb.stem.lower() != "workbook" or not folder else folder)
    clashes = {s for s, n in Counter(stems.values()).items() if n > 1}
    for wb, stem in stems.items():
        if stem in clashes:
            stems[wb] = f"{stem}-{hashlib.sha256(str(real[wb]).encode()).hexdigest()[:6]}"
    return stems


# -- planning ----------------------------------------------------------------------------------


def kernel_imports() -> tuple[str, ...]:
    """The modules a report kernel imports, for the fork server to preload.

    Named, not imported: importing them here would load pandas into a run that may find
    nothing to make. ``tests/test_architecture.py`` checks that each name still imports.
    """
    return ("iivkit.reports.data", "iivkit.reports.html")


def report_job(
    notebook: Path,
    workbook: Path,
    interview: int,
    name: str,
    *,
    timeout: float | None = None,
    keep_notebook: bool = False,
    title: str | None = None,
) -> NotebookJob:
    """The job that makes one interview's report: *notebook* run on *workbook* and *interview*."""
    parameters = {"workbook": str(workbook), "interview": interview}
    return NotebookJob(notebook, name, parameters, timeout=timeout, keep_notebook=keep_notebook, title=title)


def report_title(interview: int, interviewee: str, day: str | None) -> str:
    """A report's page title: "Debrief: Kwame Mensah, 24 Nov 2026" (who was met, and the day)."""
    who = interviewee or f"interview {interview}"
    if not day:
        return f"Debrief: {who}"
    try:
        when = dt.date.fromisoformat(day)
    except ValueError:
        return f"Debrief: {who}, {day}"
    return f"Debrief: {who}, {when.day} {when:%b %Y}"


def _interviews(conn: sqlite3.Connection, picked: list[int] | None) -> list[tuple[int, str]]:
    """(id, interviewee) of the interviews to report on; picked ids may not exist (caller checks)."""
    found = stored.interviews_with_interviewees(conn)
    if picked is None:
        return [(interview, name) for interview, status, name in found if status in stored.HELD]
    names = {interview: name for interview, _, name in found}
    return [(i, names.get(i, "")) for i in dict.fromkeys(picked)]


def plan(
    workbooks: list[Path],
    *,
    notebook: Path,
    interviews: list[int] | None = None,
    timeout: float | None = None,
    keep_notebooks: bool = False,
) -> list[Row]:
    """A row per report, with its job and fingerprint; failed rows for workbooks that will not open."""
    rows: list[Row] = []
    digest = notebook_hash(notebook)
    stems = report_stems(workbooks)
    for path in workbooks:
        label = str(path)
        real = path.resolve()
        try:
            _, conn = read_snapshot(path)
            with contextlib.closing(conn):
                days = stored.interview_days(conn)
                reads = WorkbookInputs(conn)
                for interview, who in _interviews(conn, interviews):
                    name = f"{stems[path]}__interview-{interview}"
                    row = Row(
                        name=name, workbook=path, interview=interview, interviewee=who, workbook_label=label
                    )
                    try:
                        inputs = reads.json(interview)
                    except IivkitError as exc:
                        row.status, row.error = FAILED, str(exc.located(path))
                    else:
                        row.fingerprint = fingerprint(digest, str(real), inputs)
                        row.remember = {"workbook": str(real), "interview": interview}
                        row.job = report_job(
                            notebook,
                            real,
                            interview,
                            name,
                            timeout=timeout,
                            keep_notebook=keep_notebooks,
                            title=report_title(interview, who, days.get(interview)),
                        )
                    rows.append(row)
        except (IivkitError, sqlite3.Error, OSError) as exc:
            message = str(exc.located(path)) if isinstance(exc, IivkitError) else f"{path}: {exc}"
            rows.append(
                Row(
                    name=stems[path],
                    workbook=path,
                    interview=None,
                    status=FAILED,
                    error=message,
                    workbook_label=label,
                )
            )
    return rows


# -- the run -----------------------------------------------------------------------------------


def default_notebook() -> Path:
    """The report notebook shipped with iivkit (or beside it, in a source checkout)."""
    from iivkit.resources import notebooks_root

    root = notebooks_root()
    if root is not None and (root / REPORT_NOTEBOOK).is_file():
        return root / REPORT_NOTEBOOK
    raise WorkbookMissingError(
        "the report notebook is missing from this iivkit installation", file=REPORT_NOTEBOOK
    )


def make_reports(
    paths: Iterable[Path],
    out: Path,
    *,
    execute: Execute | None = None,
    runner: Runner | None = None,
    jobs: int | None = None,
    interviews: list[int] | None = None,
    force: bool = False,
    timeout: float | None = None,
    keep_notebooks: bool = False,
    notebook: Path | None = None,
    progress: bool = True,
) -> Batch:
    """Make one HTML report per interview of the workbooks under *paths*, in *out*, and an index.

    :param execute: runs a list of jobs, yielding results (e.g. on a Dask cluster); default
        *runner* (or a new :class:`~iivkit.batch.runner.NotebookRunner`) with *jobs* threads.
    :param jobs: reports run at once; default the number of CPU cores.
    :param interviews: interview ids to report on in each workbook; default every one held.
    """
    started = time.perf_counter()
    notebook = (notebook or default_notebook()).resolve()
    make_private_dir(out)
    workbooks = find_workbooks(paths)
    state = State.load(out / STATE_FILE)
    workers = jobs or default_workers()
    # A first run (or a forced one) will start kernels: start their fork server before planning,
    # so that its imports (a second) overlap the planning. A re-run usually has little to do.
    prestart = execute is None and bool(workbooks) and (force or not state.entries)
    with Runs(
        workers=workers, cwd=out, runner=runner, kernel_imports=kernel_imports(), prestart=prestart
    ) as local:
        rows = plan(
            workbooks,
            notebook=notebook,
            interviews=interviews,
            timeout=timeout,
            keep_notebooks=keep_notebooks,
        )
        batch = Batch(rows, out / INDEX_FILE, 0.0)

        def index(done: Sequence[Row]) -> None:
            batch.rows = sorted(done, key=lambda r: (str(r.workbook), r.interview or 0))
            batch.seconds = time.perf_counter() - started
            write_index(batch)

        run_batch(
            rows,
            out,
            state=state,
            execute=execute or local,
            progress=Progress("report", "Reports", show=progress),
            force=force,
            index=index,
        )
    return batch


def write_index(batch: Batch) -> None:
    """Write ``index.html``: one row per report, user text escaped."""
    from iivkit.ui import presentation

    source = resources.files("iivkit.templates").joinpath("report_index.html.j2").read_text(encoding="utf-8")
    interviews = sum(1 for r in batch.rows if r.interview is not None)
    html = presentation.template(source).render(
        title=f"Debrief reports: {interviews} interview{'' if interviews == 1 else 's'}",
        rows=batch.rows,
        counts={"ok": batch.count(OK), "failed": batch.count(FAILED), "up_to_date": batch.count(UP_TO_DATE)},
        seconds=batch.seconds,
        made=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    write_private(batch.index, html)
