"""Batch debrief reports: ``iivkit report PATH... --out DIR``.

The pipeline, top to bottom: find the workbooks under each PATH → list the interviews to
report on → skip those whose inputs have not changed since the last run (their fingerprint
is in ``DIR/.iivkit-report-state.json``) → run the rest through a
:class:`~iivkit.batch.runner.Runner`, a few at a time → write each report → write ``index.html``
with one row per report.

A failure belongs to its row: a workbook that will not open, an unknown interview, a notebook
error or a dead kernel marks that row failed, with the reason, and the rest carry on.

By default interviews that took place (``done`` or ``debriefed``) get a report; ``--interview``
picks interviews by id in every workbook, whatever their status.
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
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from iivkit import __version__
from iivkit.batch.runner import ReportJob, ReportResult, Runner
from iivkit.errors import IivkitError, WorkbookMissingError
from iivkit.reports.data import REPORT_NOTEBOOK, report_inputs_json
from iivkit.workbook.exports import write_private
from iivkit.workbook.files import make_private_dir
from iivkit.workbook.store import Workbook

STATE_FILE = ".iivkit-report-state.json"
INDEX_FILE = "index.html"
WORKBOOK_SUFFIX = ".iiv"
HELD = ("done", "debriefed")
"""Interview statuses that get a report unless ``--interview`` picks others."""

OK, FAILED, UP_TO_DATE = "ok", "failed", "up to date"


@dataclass
class Row:
    """One line of the index: a report made, failed or already up to date."""

    workbook: Path
    name: str
    interview: int | None
    status: str = OK
    seconds: float | None = None
    error: str = ""
    interviewee: str = ""
    workbook_label: str = ""

    @property
    def html_file(self) -> str:
        return f"{self.name}.html"

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


@dataclass
class _Planned:
    rows: list[Row] = field(default_factory=list)
    jobs: list[tuple[Row, ReportJob, str]] = field(default_factory=list)


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
    for wb in workbooks:
        stem = (
            wb.stem
            if wb.stem.lower() != "workbook" or not wb.resolve().parent.name
            else wb.resolve().parent.name
        )
        stems[wb] = _slug(stem)
    clashes = {s for s, n in Counter(stems.values()).items() if n > 1}
    for wb, stem in stems.items():
        if stem in clashes:
            stems[wb] = f"{stem}-{hashlib.sha256(str(wb.resolve()).encode()).hexdigest()[:6]}"
    return stems


# -- incremental state -------------------------------------------------------------------------


def notebook_digest(notebook: Path) -> str:
    """Hash of the report notebook and this iivkit's version: a change to either re-runs all."""
    h = hashlib.sha256(notebook.read_bytes())
    h.update(__version__.encode())
    return h.hexdigest()


def fingerprint(conn: sqlite3.Connection, workbook: Path, interview: int, notebook_hash: str) -> str:
    """Hash of everything one report reads: its records, the notebook and the iivkit version."""
    h = hashlib.sha256(notebook_hash.encode())
    h.update(str(workbook.resolve()).encode())
    h.update(report_inputs_json(conn, interview).encode())
    return h.hexdigest()


def load_state(out: Path) -> dict[str, Any]:
    """The fingerprints of earlier runs into *out*; empty when there are none or the file is damaged."""
    try:
        data = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    reports = data.get("reports") if isinstance(data, dict) else None
    return reports if isinstance(reports, dict) else {}


def save_state(out: Path, state: dict[str, Any]) -> None:
    """Store fingerprints for the next run."""
    write_private(out / STATE_FILE, json.dumps({"format": 1, "reports": state}, indent=1, sort_keys=True))


# -- planning ----------------------------------------------------------------------------------


def _interviews(wb: Workbook, picked: list[int] | None) -> list[tuple[int, str]]:
    """(id, interviewee) of the interviews to report on; picked ids may not exist (caller checks)."""
    rows = wb.conn.execute(
        "SELECT i.id, i.status, c.name FROM interviews i "
        "LEFT JOIN contacts c ON c.id = i.contact_id ORDER BY i.id"
    ).fetchall()
    if picked is None:
        return [(int(r[0]), str(r[2] or "")) for r in rows if r[1] in HELD]
    names = {int(r[0]): str(r[2] or "") for r in rows}
    return [(i, names.get(i, "")) for i in dict.fromkeys(picked)]


def plan(
    workbooks: list[Path],
    out: Path,
    *,
    notebook: Path,
    interviews: list[int] | None = None,
    force: bool = False,
    timeout: float | None = None,
    keep_notebooks: bool = False,
    state: dict[str, Any] | None = None,
) -> _Planned:
    """Rows for workbooks that fail to open and reports already up to date; jobs for the rest."""
    planned = _Planned()
    state = state or {}
    digest = notebook_digest(notebook)
    stems = report_stems(workbooks)
    for path in workbooks:
        label = str(path)
        try:
            with Workbook.read(path) as wb:
                for interview, who in _interviews(wb, interviews):
                    name = f"{stems[path]}__interview-{interview}"
                    row = Row(path, name, interview, interviewee=who, workbook_label=label)
                    try:
                        fp = fingerprint(wb.conn, path, interview, digest)
                    except IivkitError as exc:
                        row.status, row.error = FAILED, str(exc.located(path))
                        planned.rows.append(row)
                        continue
                    previous = state.get(name, {})
                    if not force and previous.get("fingerprint") == fp and (out / row.html_file).is_file():
                        row.status, row.seconds = UP_TO_DATE, previous.get("seconds")
                        planned.rows.append(row)
                        continue
                    job = ReportJob(
                        notebook=notebook,
                        workbook=path.resolve(),
                        interview=interview,
                        name=name,
                        timeout=timeout,
                        keep_notebook=keep_notebooks,
                    )
                    planned.jobs.append((row, job, fp))
        except (IivkitError, sqlite3.Error, OSError) as exc:
            message = str(exc.located(path)) if isinstance(exc, IivkitError) else f"{path}: {exc}"
            planned.rows.append(Row(path, stems[path], None, FAILED, error=message, workbook_label=label))
    return planned


# -- running -----------------------------------------------------------------------------------


def run_local(runner: Runner, jobs: list[ReportJob], workers: int) -> Iterator[ReportResult]:
    """Run *jobs* on *runner*, *workers* at a time, yielding results as they finish."""
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="iivkit-report") as pool:
        futures = [pool.submit(runner.run, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


Execute = Callable[[list[ReportJob]], Iterator[ReportResult]]


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
    workers = jobs or os.cpu_count() or 1
    make_private_dir(out)
    state = load_state(out)
    planned = plan(
        find_workbooks(paths),
        out,
        notebook=notebook,
        interviews=interviews,
        force=force,
        timeout=timeout,
        keep_notebooks=keep_notebooks,
        state=state,
    )
    rows = list(planned.rows)
    if planned.jobs:
        by_name = {job.name: (row, fp) for row, job, fp in planned.jobs}
        own_runner = None
        if execute is None:
            if runner is None:
                from iivkit.batch.runner import NotebookRunner

                runner = own_runner = NotebookRunner(workers=min(workers, len(planned.jobs)), cwd=out)
            active = runner

            def execute(batch: list[ReportJob]) -> Iterator[ReportResult]:
                return run_local(active, batch, workers)

        from tqdm import tqdm

        bar = tqdm(
            total=len(planned.jobs),
            unit="report",
            desc="Reports",
            file=sys.stderr,
            disable=None if progress else True,
        )
        try:
            for result in execute([job for _, job, _ in planned.jobs]):
                row, fp = by_name[result.job.name]
                _record(result, row, fp, out, state)
                rows.append(row)
                bar.update(1)
                if row.status == FAILED:
                    bar.write(f"iivkit: {row.name}: failed: {row.error}", file=sys.stderr)
        finally:
            bar.close()
            if own_runner is not None:
                own_runner.close()
            save_state(out, state)
    rows.sort(key=lambda r: (str(r.workbook), r.interview or 0))
    batch = Batch(rows, out / INDEX_FILE, time.perf_counter() - started)
    write_index(batch)
    return batch


def _record(result: ReportResult, row: Row, fp: str, out: Path, state: dict[str, Any]) -> None:
    """Write one result's files and note it in the row and the state."""
    row.seconds = result.seconds
    if result.notebook is not None:
        write_private(out / f"{row.name}.ipynb", result.notebook)
    if result.ok and result.html is not None:
        write_private(out / row.html_file, result.html)
        row.status = OK
        state[row.name] = {
            "fingerprint": fp,
            "workbook": str(row.workbook.resolve()),
            "interview": row.interview,
            "seconds": round(result.seconds, 3),
            "made": dt.datetime.now().isoformat(timespec="seconds"),
        }
    else:
        row.status, row.error = FAILED, result.error or "failed"
        state.pop(row.name, None)


def write_index(batch: Batch) -> None:
    """Write ``index.html``: one row per report, user text escaped."""
    from jinja2 import Environment, select_autoescape

    source = resources.files("iivkit.templates").joinpath("report_index.html.j2").read_text(encoding="utf-8")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = env.from_string(source).render(
        rows=batch.rows,
        counts={"ok": batch.count(OK), "failed": batch.count(FAILED), "up_to_date": batch.count(UP_TO_DATE)},
        seconds=batch.seconds,
        made=dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    )
    write_private(batch.index, html)
