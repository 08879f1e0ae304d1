"""One batch of notebooks, as one pipeline: plan → skip the unchanged → run → record → index → remember.

``iivkit report`` (a page per interview) and ``iivkit course report`` (a page per student, then
the class summary) are thin users of :func:`run_batch`. The caller plans: it turns its inputs
into :class:`Task` objects, each the job that makes one HTML file in the output folder and a
fingerprint of everything that file is made from. :func:`run_batch` does the rest:

1. skip each task whose fingerprint is the one remembered for it and whose file is still there;
2. run the others through an :data:`Execute` (:class:`Runs` on a local runner, or a Dask
   cluster's :class:`~iivkit.batch.cluster.DaskExecutor`), or make them in this process when
   they need no kernel (a task's ``make``), a progress bar counting them;
3. record each result as it arrives: write its HTML (and executed notebook), or mark it failed;
4. write the caller's index page over every task;
5. remember the fingerprints in the folder's :class:`State`, even when the run is interrupted.

A failure belongs to its task: the rest carry on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from iivkit import __version__
from iivkit.batch.runner import NotebookJob, NotebookResult, Runner
from iivkit.workbook.files import write_private

OK, FAILED, UP_TO_DATE = "ok", "failed", "up to date"
"""What became of a task: its file made, failed, or already up to date."""

STATE_FORMAT = 2

Execute = Callable[[list[NotebookJob]], Iterator[NotebookResult]]
"""Runs a list of jobs, yielding each result as it finishes (in any order)."""

_T = TypeVar("_T", bound="Task")


def default_workers() -> int:
    """Notebooks run at once when the user does not say: twice the CPU cores.

    A report's kernel waits about as long as it computes (messages to and from the parent,
    the next kernel's start), so with one notebook per core the cores idle half the time. On
    2 cores, 204 reports took 43 s one per core, 24 s two per core, and 25 s three per core
    (``benchmarks/batch_reports.py``; ``docs/performance.md``).
    """
    return 2 * (os.cpu_count() or 1)


def notebook_hash(notebook: Path) -> str:
    """Hash of a notebook and this iivkit's version: a change to either makes everything again."""
    h = hashlib.sha256(notebook.read_bytes())
    h.update(__version__.encode())
    return h.hexdigest()


def fingerprint(*inputs: object) -> str:
    """Hash of everything one file is made from (JSON values; paths and dates count as text)."""
    return hashlib.sha256(json.dumps(inputs, default=str, sort_keys=True).encode()).hexdigest()


@dataclass(kw_only=True)
class Task:
    """One file a batch makes: the job that makes it, and what became of it.

    :param name: the file's stem in the output folder, unique within the batch; the state's key.
    :param job: the notebook run that makes the file; None when planning already decided the
        task (then *status* says what it is, e.g. :data:`FAILED` with the *error*).
    :param fingerprint: hash of the task's inputs (:func:`fingerprint`); equal means unchanged.
    :param remember: more to keep in the state beside the fingerprint (for a reader of the file).
    :param make: for a task with no job, makes its HTML in this process, without a kernel (a page
        built straight from a workbook); an exception it raises fails the task alone.
    """

    name: str
    job: NotebookJob | None = None
    fingerprint: str = ""
    status: str = ""
    error: str = ""
    seconds: float | None = None
    remember: dict[str, Any] = field(default_factory=dict)
    make: Callable[[], str] | None = field(default=None, repr=False, compare=False)

    @property
    def file(self) -> str:
        """The HTML file it makes: ``<name>.html``."""
        return f"{self.name}.html"

    def failure(self) -> str:
        """The line the progress bar prints when the task fails; empty for none."""
        return f"{self.name}: failed: {self.error}"


# -- the state -----------------------------------------------------------------------------------


class State:
    """The fingerprints of what earlier runs made into a folder, kept in one JSON file there.

    A file that cannot be read is ignored, with a message: everything is then made again.
    """

    def __init__(self, path: Path, entries: dict[str, dict[str, Any]] | None = None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = entries if entries is not None else {}

    @classmethod
    def load(cls, path: Path) -> State:
        """The state in *path*; empty when there is none, or none this version can read."""
        if not path.exists():
            return cls(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return cls._ignored(path, f"cannot be read ({type(exc).__name__})")
        if not isinstance(data, dict) or data.get("format") != STATE_FORMAT:
            return cls._ignored(path, "is not in this version's format")
        outputs = data.get("outputs")
        if not isinstance(outputs, dict) or not all(isinstance(v, dict) for v in outputs.values()):
            return cls._ignored(path, "is damaged")
        return cls(path, outputs)

    @classmethod
    def _ignored(cls, path: Path, why: str) -> State:
        print(f"iivkit: {path} {why}; ignored, so everything is made again", file=sys.stderr)
        return cls(path)

    def unchanged(self, task: Task, out: Path) -> dict[str, Any] | None:
        """What was remembered of *task* if its inputs and its file are as the last run left them."""
        entry = self.entries.get(task.name, {})
        fresh = bool(task.fingerprint) and entry.get("fingerprint") == task.fingerprint
        return entry if fresh and (out / task.file).is_file() else None

    def remember(self, task: Task) -> None:
        """Keep *task*'s fingerprint (and its ``remember``) for the next run."""
        self.entries[task.name] = {
            "fingerprint": task.fingerprint,
            "seconds": round(task.seconds or 0.0, 3),
            "made": dt.datetime.now().isoformat(timespec="seconds"),
            **task.remember,
        }

    def forget(self, name: str) -> None:
        """Drop what was kept for *name*: its file is to be made next time."""
        self.entries.pop(name, None)

    def save(self) -> None:
        """Write the state, atomically: an interrupted write leaves the previous one."""
        data = {"format": STATE_FORMAT, "outputs": self.entries}
        write_private(self.path, json.dumps(data, indent=1, sort_keys=True))


# -- where jobs run --------------------------------------------------------------------------------


def run_local(runner: Runner, jobs: list[NotebookJob], workers: int) -> Iterator[NotebookResult]:
    """Run *jobs* on *runner*, *workers* at a time, yielding results as they finish."""
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="iivkit-batch") as pool:
        futures = [pool.submit(runner.run, job) for job in jobs]
        for future in as_completed(futures):
            yield future.result()


class Runs:
    """An :data:`Execute` on this machine: *runner*, or a :class:`~iivkit.batch.runner.NotebookRunner`
    started on first use (and closed with this), *workers* jobs at a time.

    :param kernel_imports: the caller's modules its notebooks import, for the runner it starts.
    :param reserve: jobs that will follow the first call, so its kernel pool is sized for them too.
    :param prestart: start the fork server now, so that its imports overlap the caller's planning
        (killed unused if no job comes); only when no *runner* is given.
    """

    def __init__(
        self,
        *,
        workers: int,
        cwd: Path,
        runner: Runner | None = None,
        kernel_imports: Sequence[str] = (),
        reserve: int = 0,
        prestart: bool = False,
    ) -> None:
        self.workers = max(1, workers)
        self.cwd = cwd
        self.runner = runner
        self.kernel_imports = tuple(kernel_imports)
        self.reserve = reserve
        self._own: Runner | None = None
        self._server: Any = None
        if prestart and runner is None:
            from iivkit.batch.kernels import start_fork_server

            self._server = start_fork_server(self.kernel_imports)

    def __call__(self, jobs: list[NotebookJob]) -> Iterator[NotebookResult]:
        if self.runner is None:
            from iivkit.batch.runner import NotebookRunner

            kernels = min(self.workers, len(jobs) + self.reserve)
            server, self._server = self._server, None  # the runner's pool owns it now
            self.runner = self._own = NotebookRunner(
                workers=kernels, kernel_imports=self.kernel_imports, cwd=self.cwd, forkserver=server
            )
        return run_local(self.runner, jobs, self.workers)

    def close(self) -> None:
        """Close the runner this started, if it started one, and a fork server no runner took."""
        if self._server is not None:
            self._server.close(now=True)
            self._server = None
        if self._own is not None:
            self._own.close()
            self._own = None

    def __enter__(self) -> Runs:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# -- the pipeline ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """The progress bar's words: what a task is (``report``) and what the batch makes (``Reports``)."""

    unit: str
    desc: str
    show: bool = True


def run_batch(
    tasks: Sequence[_T],
    out: Path,
    *,
    state: State,
    execute: Execute,
    progress: Progress,
    force: bool = False,
    on_failure: Callable[[_T], None] | None = None,
    index: Callable[[Sequence[_T]], None] | None = None,
) -> Sequence[_T]:
    """Make the files of *tasks* in *out*: skip the unchanged, run the rest, record, index, remember.

    Every task comes back with its status: as planned, :data:`UP_TO_DATE`, :data:`OK` or
    :data:`FAILED` with the error. The state is saved even when the run is interrupted.

    :param force: run every task with a job, changed or not.
    :param on_failure: writes what a failed task leaves in place of its file, if anything.
    :param index: writes the batch's index page over every task, after the last result.
    """
    todo = {}
    here: list[_T] = []
    for task in tasks:
        if task.status or (task.job is None and task.make is None):
            continue  # decided while planning
        kept = None if force else state.unchanged(task, out)
        if kept is not None:
            task.status, task.seconds = UP_TO_DATE, kept.get("seconds")
        elif task.job is not None:
            todo[task.job.name] = task
        else:
            here.append(task)
    try:
        if todo or here:
            _run(todo, here, out, state, execute, progress, on_failure)
    finally:
        state.save()
    if index is not None:
        index(tasks)
    return tasks


def _run(
    todo: dict[str, _T],
    here: Sequence[_T],
    out: Path,
    state: State,
    execute: Execute,
    progress: Progress,
    on_failure: Callable[[_T], None] | None,
) -> None:
    from tqdm import tqdm

    jobs = [task.job for task in todo.values() if task.job is not None]
    with tqdm(
        total=len(jobs) + len(here),
        unit=progress.unit,
        desc=progress.desc,
        file=sys.stderr,
        disable=None if progress.show else True,
    ) as bar:

        def done(task: _T) -> None:
            bar.update(1)
            if task.status == FAILED:
                if on_failure is not None:
                    on_failure(task)
                if task.failure():
                    bar.write(f"iivkit: {task.failure()}", file=sys.stderr)

        # Asked for first, though most executors are lazy and submit on the first result asked
        # for; the tasks made here overlap only the local pool's kernels starting.
        results = execute(jobs) if jobs else iter(())
        for task in here:
            _make_here(task, out, state)
            done(task)
        for result in results:
            task = todo[result.job.name]
            _record(task, result, out, state)
            done(task)


def _make_here(task: Task, out: Path, state: State) -> None:
    """Make one task's HTML in this process with its ``make``, and note it as :func:`_record` does."""
    assert task.make is not None
    started = time.perf_counter()
    try:
        html = task.make()
    except Exception as exc:  # the task fails alone, as a notebook's error fails only its page
        task.seconds = time.perf_counter() - started
        task.status, task.error = FAILED, f"{type(exc).__name__}: {exc}"
        state.forget(task.name)
        # An earlier file would now be out of date, and nothing says so: it goes.
        (out / task.file).unlink(missing_ok=True)
        return
    write_private(out / task.file, html)
    task.seconds = time.perf_counter() - started
    task.status = OK
    state.remember(task)


def _record(task: Task, result: NotebookResult, out: Path, state: State) -> None:
    """Write one result's files, and note it in the task and the state."""
    task.seconds = result.seconds
    if result.notebook is not None:
        write_private(out / f"{task.name}.ipynb", result.notebook)
    if result.ok and result.html is not None:
        write_private(out / task.file, result.html)
        task.status = OK
        state.remember(task)
    else:
        task.status, task.error = FAILED, result.error or "failed"
        state.forget(task.name)
