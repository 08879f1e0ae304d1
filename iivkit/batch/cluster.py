"""Notebook jobs on a Dask cluster: ``iivkit report --scheduler ADDRESS`` (the extra ``iivkit[distributed]``).

The client side (:class:`DaskExecutor`) sends each :class:`~iivkit.batch.runner.NotebookJob` as one
task and yields results as they finish. The worker side (:func:`run_on_worker`) keeps one
:class:`~iivkit.batch.runner.NotebookRunner`, with its kernel pool, per worker process, sized to the
worker's threads. Workers need this iivkit installed and the workbooks at the same paths (a
shared disk); the HTML travels back in the result and this process writes it.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from iivkit.batch.runner import NotebookJob, NotebookResult, NotebookRunner, error_message

_worker_runner: NotebookRunner | None = None
_worker_lock = threading.Lock()


def run_on_worker(job: NotebookJob, kernel_imports: tuple[str, ...] = ()) -> NotebookResult:
    """Run *job* on this Dask worker, with a runner (and kernel pool) kept per worker process.

    :param kernel_imports: modules the worker's kernels preload (see :class:`NotebookRunner`).
    """
    global _worker_runner
    with _worker_lock:
        if _worker_runner is None:
            import atexit
            import tempfile

            try:
                from distributed import get_worker

                threads = int(get_worker().state.nthreads)
            except (ImportError, ValueError, AttributeError):
                threads = 1
            _worker_runner = NotebookRunner(
                workers=threads, kernel_imports=kernel_imports, cwd=Path(tempfile.gettempdir())
            )
            atexit.register(close_worker_runner)
        runner = _worker_runner
    return runner.run(job)


def close_worker_runner() -> None:
    """Shut down this process's worker runner, if it has one."""
    global _worker_runner
    with _worker_lock:
        runner, _worker_runner = _worker_runner, None
    if runner is not None:
        runner.close()


class DaskUnavailable(RuntimeError):
    """``--scheduler`` was given, but Dask is not installed or its scheduler cannot be reached."""


class DaskExecutor:
    """Runs jobs on the Dask cluster whose scheduler is at *address*; results arrive as they finish.

    Workers need this iivkit installed and the workbooks at the same paths (a shared disk).
    The HTML comes back to this process, which writes it. Use as a context manager.

    :param kernel_imports: modules the workers' kernels preload (see :class:`NotebookRunner`).
    """

    def __init__(
        self, address: str, *, connect_timeout: float = 30.0, kernel_imports: Sequence[str] = ()
    ) -> None:
        self.kernel_imports = tuple(kernel_imports)
        try:
            from distributed import Client
        except ImportError:
            raise DaskUnavailable(
                "--scheduler needs Dask: pip install 'iivkit[distributed]' (dask[distributed])"
            ) from None
        try:
            self.client = Client(address, timeout=f"{connect_timeout:g}s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None

    def __call__(self, jobs: list[NotebookJob]) -> Iterator[NotebookResult]:
        from distributed import as_completed

        keys = [f"iivkit-report-{j.name}-{uuid.uuid4().hex[:8]}" for j in jobs]
        futures = self.client.map(
            run_on_worker, jobs, kernel_imports=self.kernel_imports, pure=False, key=keys
        )
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        for future in as_completed(futures, loop=self.client.loop):
            job = by_key[future.key]
            try:
                yield future.result()
            except Exception as exc:  # a lost worker fails its rows only
                yield NotebookResult(
                    job, ok=False, seconds=0.0, error=f"on the cluster: {error_message(exc, job)}"
                )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
