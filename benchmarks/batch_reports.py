"""How much faster ``iivkit report`` is than the plain papermill + nbconvert loop.

Builds a class of synthetic students (``iivkit.workbook.demo.build_class``) in a temporary folder, with
at least ``--reports`` interviews held, then in one run:

1. the plain loop on a sample of interviews: for each, ``papermill`` then
   ``jupyter nbconvert --to html --no-input``, each its own process, as one would script it;
2. ``iivkit report CLASS --out OUT`` on the whole class, as its own process;
3. the same command again with nothing changed.

It prints reports per second for each, the ratio, and the no-change re-run's time against the
first run's. Targets on 2 cores at 200 reports: ratio >= 10, re-run under 1/50 of the first
run. Nothing is asserted: the figures depend on the machine and on what else it is doing.

    python benchmarks/batch_reports.py                 # 200 reports, plain loop on 6
    python benchmarks/batch_reports.py --reports 50 --sample 3 --jobs 2
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
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


def plain_loop(sample: list[tuple[Path, int]], work: Path) -> float:
    """Seconds for papermill then nbconvert, as separate processes, per interview in *sample*."""
    started = time.perf_counter()
    for n, (workbook, interview) in enumerate(sample):
        executed = work / f"plain-{n}.ipynb"
        subprocess.run(
            [
                *tool("papermill"),
                str(NOTEBOOK),
                str(executed),
                "-p",
                "workbook",
                str(workbook),
                "-p",
                "interview",
                str(interview),
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
    return time.perf_counter() - started


def iivkit_report(folder: Path, out: Path, jobs: int | None) -> tuple[float, str]:
    """Seconds for one ``iivkit report`` run, and its summary line."""
    cmd = [*tool("iivkit"), "report", str(folder), "--out", str(out)]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"iivkit report failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    summary = next((line for line in done.stdout.splitlines() if line.startswith("Reports:")), "")
    return seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="interviews in the class (at least)")
    parser.add_argument("--sample", type=int, default=6, help="interviews run the plain way")
    parser.add_argument("--jobs", type=int, default=None, help="iivkit report --jobs (default: cores)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the class and reports in this folder")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="iivkit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
        t = time.perf_counter()
        interviews = build(work / "class", args.reports)
        print(f"class: {len(interviews)} interviews held, built in {time.perf_counter() - t:.1f} s")

        step = max(1, len(interviews) // args.sample)
        sample = interviews[::step][: args.sample]
        plain = plain_loop(sample, work)
        plain_rate = len(sample) / plain
        print(
            f"plain loop (papermill + nbconvert processes): {len(sample)} reports in {plain:.1f} s = "
            f"{plain / len(sample):.2f} s/report, {plain_rate:.3f} reports/s"
        )

        out = work / "reports"
        first, summary = iivkit_report(work / "class", out, args.jobs)
        fast_rate = len(interviews) / first
        made = len(list(out.glob("*__interview-*.html")))
        print(
            f"iivkit report: {len(interviews)} reports in {first:.1f} s = {fast_rate:.2f} reports/s "
            f"({made} HTML files; {summary})"
        )

        again, summary = iivkit_report(work / "class", out, args.jobs)
        print(f"no-change re-run: {again:.2f} s ({summary})")

        ratio = fast_rate / plain_rate
        print()
        print(f"ratio (iivkit report / plain loop, reports per second): {ratio:.1f}  (target >= 10)")
        print(f"re-run / first run: 1/{first / again:.0f}  (target: under 1/50)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
