"""How much faster ``iivkit report`` is than the plain papermill + nbconvert loop, run the best plain way.

Builds a class of synthetic students (``iivkit.workbook.demo.build_class``) in a temporary folder, with
at least ``--reports`` interviews held, then in one run (so that the machine's load is the same):

1. the plain loop, one report at a time, on a sample of interviews: for each, ``papermill`` then
   ``jupyter nbconvert --to html --no-input``, each its own process, as one would script it;
2. the same plain loop with as many reports at once as there are cores (as ``xargs -P`` would),
   on a larger sample: the strongest plain way on this machine;
3. ``iivkit report CLASS --out OUT`` on the whole class, as its own process;
4. the same command again with nothing changed;
5. the same command with ``--force --keep-notebooks --jobs CORES``, to read each cell's duration
   inside its kernel (papermill records it), one kernel per core so that a duration is the
   cell's own work: the *cell floor* is their sum per report divided by the cores, what the
   reports would cost if kernels, messages and HTML export were free.

It prints seconds per report for each, the ratios against both plain loops and against the
cell floor, and the no-change re-run against the first run, with the load average before and
after. Targets on 2 cores at 200 reports: >= 20x the parallel plain loop, within 1.5x of the
cell floor, a no-change re-run in <= 0.5 s or <= 1/100 of the first run. Nothing is asserted:
the figures depend on the machine and on what else it is doing.

    python benchmarks/batch_reports.py                        # 30 reports: about a minute
    python benchmarks/batch_reports.py --reports 200 --sample 4 --parallel-sample 8
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "04_debrief_report.ipynb"
HELD = ("done", "debriefed")


def env() -> dict[str, str]:
    """This checkout importable by every process (also when iivkit is not installed)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), e.get("PYTHONPATH")) if p)
    return e


def tool(name: str) -> list[str]:
    """A console script of this Python's environment (papermill, jupyter, iivkit)."""
    script = Path(sys.executable).parent / name
    if script.exists():
        return [str(script)]
    if name == "iivkit":
        return [sys.executable, "-c", "from iivkit.cli import main; main()"]
    return [sys.executable, "-m", name]


def held_interviews(workbook: Path) -> list[int]:
    with sqlite3.connect(workbook) as conn:
        rows = conn.execute("SELECT id FROM interviews WHERE status IN (?, ?) ORDER BY id", HELD).fetchall()
    return [int(r[0]) for r in rows]


def build(folder: Path, reports: int) -> list[tuple[Path, int]]:
    """A class with at least *reports* interviews held; (workbook, interview) for each."""
    sys.path.insert(0, str(ROOT))
    from iivkit.workbook.demo import build_class

    students = math.ceil(reports / 1.4) + 5
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        paths = build_class(folder, students)
        found = [(p, i) for p in paths for i in held_interviews(p)]
        if len(found) >= reports:
            return found
        students = math.ceil(students * reports / max(1, len(found))) + 5


def plain_notebook(notebook: Path, parameters: dict[str, str], executed: Path) -> None:
    """One page the plain way: ``papermill`` with *parameters*, then ``jupyter nbconvert``, each a process."""
    subprocess.run(
        [
            *tool("papermill"),
            str(notebook),
            str(executed),
            *[arg for name, value in parameters.items() for arg in ("-p", name, value)],
            "--no-progress-bar",
        ],
        check=True,
        env=env(),
        capture_output=True,
    )
    subprocess.run(
        [*tool("jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
        check=True,
        env=env(),
        capture_output=True,
    )


def plain_pages(notebook: Path, runs: list[dict[str, str]], work: Path, processes: int) -> float:
    """Seconds for the plain way on *notebook* with each of *runs*' parameters, *processes* at once."""
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=processes) as pool:
        done = [
            pool.submit(plain_notebook, notebook, parameters, work / f"plain-{n}.ipynb")
            for n, parameters in enumerate(runs)
        ]
        for future in done:
            future.result()
    return time.perf_counter() - started


def plain_loop(sample: list[tuple[Path, int]], work: Path, processes: int) -> float:
    """Seconds for the plain way on every interview in *sample*, *processes* reports at once."""
    runs = [{"workbook": str(workbook), "interview": str(interview)} for workbook, interview in sample]
    return plain_pages(NOTEBOOK, runs, work, processes)


def cell_seconds(folder: Path) -> list[float]:
    """Per executed notebook in *folder*: the sum of its cells' durations inside the kernel."""
    sums = []
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        durations = [cell.get("metadata", {}).get("papermill", {}).get("duration") for cell in nb["cells"]]
        sums.append(sum(d for d in durations if d))
    return sums


def iivkit_report(folder: Path, out: Path, jobs: int | None, *more: str) -> tuple[float, str]:
    """Seconds for one ``iivkit report`` run, and its summary line."""
    cmd = [*tool("iivkit"), "report", str(folder), "--out", str(out), *more]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"iivkit report failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    summary = next((line for line in done.stdout.splitlines() if line.startswith("Reports:")), "")
    return seconds, summary


def sample_of(interviews: list[tuple[Path, int]], n: int) -> list[tuple[Path, int]]:
    step = max(1, len(interviews) // max(1, n))
    return interviews[::step][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reports", type=int, default=30, help="interviews in the class, at least (default 30)"
    )
    parser.add_argument("--sample", type=int, default=3, help="interviews run by the sequential plain loop")
    parser.add_argument(
        "--parallel-sample",
        type=int,
        default=None,
        help="interviews run by the parallel plain loop (default 2 per core)",
    )
    parser.add_argument("--jobs", type=int, default=None, help="iivkit report --jobs (default: cores)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the class and reports in this folder")
    args = parser.parse_args()
    cores = os.cpu_count() or 1

    work = args.keep or Path(tempfile.mkdtemp(prefix="iivkit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"cores: {cores}, load average at start: {os.getloadavg()[0]:.2f}")
        t = time.perf_counter()
        interviews = build(work / "class", args.reports)
        print(f"class: {len(interviews)} interviews held, built in {time.perf_counter() - t:.1f} s")

        sample = sample_of(interviews, args.sample)
        plain = plain_loop(sample, work / "plain-1", 1) / len(sample)
        print(f"plain loop, one at a time: {len(sample)} reports, {plain:.2f} s/report")
        wide = sample_of(interviews, args.parallel_sample or 2 * cores)
        parallel = plain_loop(wide, work / f"plain-{cores}", cores) / len(wide)
        print(f"plain loop, {cores} at a time: {len(wide)} reports, {parallel:.2f} s/report")

        out = work / "reports"
        first, summary = iivkit_report(work / "class", out, args.jobs)
        fast = first / len(interviews)
        made = len(list(out.glob("*__interview-*.html")))
        print(
            f"iivkit report: {len(interviews)} reports in {first:.1f} s = {fast:.3f} s/report "
            f"({made} files; {summary})"
        )

        again, summary = iivkit_report(work / "class", out, args.jobs)
        print(f"no-change re-run: {again:.2f} s ({summary})")

        # One kernel per core here, so that a cell's recorded duration is its own work, not time
        # spent waiting for a core that another report's kernel holds (the default runs two).
        forced, _ = iivkit_report(work / "class", out, cores, "--force", "--keep-notebooks")
        cells = cell_seconds(out)
        floor = statistics.fmean(cells) / cores if cells else float("nan")
        print(
            f"iivkit report --force --keep-notebooks --jobs {cores}: "
            f"{forced / len(interviews):.3f} s/report; "
            f"cells in the kernel {statistics.fmean(cells) * 1000:.0f} ms/report, so a floor of "
            f"{floor:.3f} s/report on {cores} cores"
        )

        print()
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
        print(f"ratio to the plain loop, one at a time: {plain / fast:.1f}x")
        print(
            f"ratio to the plain loop, {cores} at a time: {parallel / fast:.1f}x  "
            "(target >= 20x at 200 reports)"
        )
        print(f"iivkit report / cell floor: {fast / floor:.2f}x  (target <= 1.5x)")
        print(
            f"no-change re-run: {again:.2f} s, 1/{first / again:.0f} of the first run  "
            "(target <= 0.5 s or 1/100)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
