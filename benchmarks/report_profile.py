"""Where one debrief report's time goes: kernel start, handshake, each cell, HTML export, the parent.

Builds a small synthetic class in a temporary folder, then runs its reports through
:class:`~iivkit.batch.runner.NotebookRunner` in this process, one at a time (``--workers 1``,
the default) so that each phase can be timed on its own, and prints a table of milliseconds per
report:

- kernel start: from asking the fork server for a kernel to the kernel answering (a pool thread);
- kernel CPU: the kernel process's own CPU time over its life (from ``/proc``, Linux only);
- execute: the whole papermill run on a started kernel (handshake, cells, replies);
- each code cell: its duration inside the kernel, as papermill records it;
- export: the executed notebook to HTML in this process;
- parent CPU: this process's CPU time over the batch (every thread), per report.

It also prints this process's thread count after the first few reports and at the end: a count
that grows with the batch is a leak. Nothing is asserted.

    python benchmarks/report_profile.py                      # 30 reports
    python benchmarks/report_profile.py --reports 60 --workers 2
    python benchmarks/report_profile.py --cprofile parent.prof   # and cProfile this process
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iivkit.batch import kernels, runner  # noqa: E402
from iivkit.reports.run import kernel_imports, report_job  # noqa: E402
from iivkit.workbook.demo import build_class  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "04_debrief_report.ipynb"
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

timings: dict[str, list[float]] = defaultdict(list)
lock = threading.Lock()


def note(name: str, seconds: float) -> None:
    with lock:
        timings[name].append(seconds * 1000)


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of process *pid* so far; None where /proc cannot say."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICKS


def kernel_pid(kernel: Any) -> int | None:
    provisioner = getattr(kernel.manager, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    return int(pid) if pid else None


def instrument() -> None:
    """Wrap the runner's phases with timers (this script only)."""
    start_one = kernels.KernelPool._start_one
    shutdown = kernels.Kernel.shutdown
    execute = runner.NotebookRunner._execute
    to_html = runner.to_html

    def timed_start(self: Any) -> Any:
        started = time.perf_counter()
        kernel = start_one(self)
        note("kernel start (fork to answering)", time.perf_counter() - started)
        return kernel

    def timed_shutdown(self: Any) -> None:
        pid = kernel_pid(self)
        cpu = cpu_seconds(pid) if pid else None
        if cpu is not None:
            note("kernel CPU, whole life", cpu)
        shutdown(self)

    def timed_execute(self: Any, job: Any, nb: Any, kernel: Any) -> Any:
        started = time.perf_counter()
        nb, error = execute(self, job, nb, kernel)
        note("execute (handshake + cells)", time.perf_counter() - started)
        n = 0
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            n += 1
            duration = cell.metadata.get("papermill", {}).get("duration")
            if duration is not None:
                first = cell.source.splitlines()[0] if cell.source else ""
                note(f"  cell {n}: {first[:44]}", float(duration))
        return nb, error

    def timed_to_html(nb: Any, **kwargs: Any) -> str:
        started = time.perf_counter()
        html = to_html(nb, **kwargs)
        note("export to HTML (parent)", time.perf_counter() - started)
        return html

    kernels.KernelPool._start_one = timed_start  # type: ignore[method-assign]
    kernels.Kernel.shutdown = timed_shutdown  # type: ignore[method-assign]
    runner.NotebookRunner._execute = timed_execute  # type: ignore[method-assign]
    runner.to_html = timed_to_html


def held(workbook: Path) -> list[int]:
    with sqlite3.connect(workbook) as conn:
        rows = conn.execute("SELECT id FROM interviews WHERE status IN ('done', 'debriefed') ORDER BY id")
        return [int(r[0]) for r in rows]


def threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=30, help="reports to make (default 30)")
    parser.add_argument("--workers", type=int, default=1, help="reports at once (default 1)")
    parser.add_argument("--cprofile", type=Path, default=None, help="write a cProfile of this process here")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="iivkit-profile-"))
    try:
        students = math.ceil(args.reports / 1.3) + 3
        jobs = [
            report_job(NOTEBOOK, wb, i, f"{wb.parent.name}__interview-{i}")
            for wb in build_class(work / "class", students)
            for i in held(wb)
        ][: args.reports]
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.2f}, reports: {len(jobs)}")
        instrument()
        profile = cProfile.Profile() if args.cprofile else None
        started = time.perf_counter()
        with runner.NotebookRunner(workers=args.workers, kernel_imports=kernel_imports(), cwd=work) as r:
            r.pool.acquire  # noqa: B018 - the pool starts its kernels in the background already
            cpu0 = time.process_time()
            wall0 = time.perf_counter()
            if profile:
                profile.enable()
            early = None
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                # One at a time on this thread, so that cProfile (which sees one thread) sees it all.
                results = map(r.run, jobs) if args.workers == 1 else pool.map(r.run, jobs)
                for n, result in enumerate(results, 1):
                    if not result.ok:
                        print(f"{result.job.name}: failed: {result.error}")
                    if n == min(5, len(jobs)):
                        early = threads()
            if profile:
                profile.disable()
            cpu = time.process_time() - cpu0
            wall = time.perf_counter() - wall0
            r.pool._reaper.submit(lambda: None).result()  # the last kernels' shutdowns are done
            after = threads()
        per = wall / len(jobs) * 1000
        print(f"batch: {wall:.2f} s wall after the first kernel was asked for, {per:.0f} ms/report")
        print(f"parent CPU (every thread): {cpu / len(jobs) * 1000:.0f} ms/report")
        print(f"threads in this process: {early} after 5 reports, {after} after {len(jobs)}")
        print(f"(whole run including fork server start: {time.perf_counter() - started:.2f} s)")
        print()
        print(f"{'phase (ms per report)':50} {'median':>8} {'mean':>8} {'n':>5}")
        for name, values in timings.items():
            median, mean = statistics.median(values), statistics.fmean(values)
            print(f"{name:50} {median:8.1f} {mean:8.1f} {len(values):5}")
        if profile and args.cprofile:
            profile.dump_stats(args.cprofile)
            print(f"\ncProfile of this process: {args.cprofile} (python -m pstats {args.cprofile})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
