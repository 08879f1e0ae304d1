"""How long the class run takes for a class of 300, against the plain papermill + nbconvert loop.

Builds a class of synthetic students (``iivkit demo --class N --no-reports``) in a temporary
folder, then in one run (so that the machine's load is the same for all):

1. the plain way on a sample of students, as many at once as there are cores (as ``xargs -P``
   would): for each, ``papermill`` on ``student_feedback.ipynb`` then ``jupyter nbconvert --to
   html --no-input``, each its own process; the class summary is left out of it, so the plain
   way is flattered;
2. ``iivkit course report CLASS --out OUT`` on the whole class, as its own process: every
   feedback page and the class summary;
3. the same command again with nothing changed, best of ``--repeat``.

It prints seconds per student for each, the ratio, the whole run against the target (300
students in 60 s or less on 2 cores) and the re-run. With ``--cpu`` it also gives the CPU
seconds of the first run, kernels included, where the system allows it (Linux cgroup v1
``cpuacct``, as root); otherwise it says it cannot. Nothing is asserted: the figures depend on
the machine and on what else it is doing.

    python benchmarks/class_run.py                       # 300 students
    python benchmarks/class_run.py --students 60 --sample 4
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_reports import ROOT, env, plain_pages, tool

NOTEBOOK = ROOT / "notebooks" / "course" / "student_feedback.ipynb"
TARGET_S = 60.0
TARGET_STUDENTS = 300


def build(out: Path, students: int) -> Path:
    """A demo class of *students* in *out*; the class folder."""
    cmd = [*tool("iivkit"), "demo", "--out", str(out), "--class", str(students), "--no-reports"]
    subprocess.run(cmd, env=env(), check=True, capture_output=True)
    return out / "class"


def plain_loop(workbooks: list[Path], work: Path, processes: int) -> float:
    """Seconds for the plain way on every workbook in *workbooks*, *processes* pages at once."""
    runs = [{"workbook": str(wb), "student": wb.parent.name} for wb in workbooks]
    return plain_pages(NOTEBOOK, runs, work, processes)


class CpuMeter:
    """CPU seconds of a command and every process it starts, through a cgroup v1 ``cpuacct``
    group of its own; unavailable (None) where that cannot be made."""

    ROOT = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self) -> None:
        self.group: Path | None = None
        if self.ROOT.is_dir() and os.access(self.ROOT, os.W_OK):
            group = self.ROOT / f"iivkit-bench-{os.getpid()}"
            try:
                group.mkdir(exist_ok=True)
                (group / "cpuacct.usage").write_text("0")
                self.group = group
            except OSError:
                self.group = None

    def prefix(self) -> list[str]:
        """Put the command in the group before it starts."""
        if self.group is None:
            return []
        return ["sh", "-c", f'echo $$ > {self.group / "cgroup.procs"} && exec "$@"', "sh"]

    def seconds(self) -> float | None:
        if self.group is None:
            return None
        return int((self.group / "cpuacct.usage").read_text()) / 1e9

    def close(self) -> None:
        if self.group is not None:
            with contextlib.suppress(OSError):  # a straggler still in it: the group stays
                self.group.rmdir()


def course_report(folder: Path, out: Path, *more: str, prefix: list[str] | None = None) -> tuple[float, str]:
    """Seconds for one ``iivkit course report`` run, and its summary line."""
    cmd = [*(prefix or []), *tool("iivkit"), "course", "report", str(folder), "--out", str(out), *more]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"iivkit course report failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    summary = next((ln for ln in done.stdout.splitlines() if ln.startswith("Feedback pages:")), "")
    return seconds, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=TARGET_STUDENTS, help="students in the class")
    parser.add_argument(
        "--sample", type=int, default=None, help="pages the plain loop makes (default 4 per core)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="no-change re-runs; the best counts")
    parser.add_argument("--keep", type=Path, default=None, help="keep the class and pages in this folder")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    work = args.keep or Path(tempfile.mkdtemp(prefix="iivkit-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    meter = CpuMeter()
    try:
        print(f"cores: {cores}, load average at start: {os.getloadavg()[0]:.2f}")
        t = time.perf_counter()
        folder = build(work / "demo", args.students)
        workbooks = sorted(folder.glob("*/workbook.iiv"))
        print(f"class: {len(workbooks)} students, built in {time.perf_counter() - t:.1f} s")

        n = args.sample or 4 * cores
        step = max(1, len(workbooks) // n)
        sample = workbooks[::step][:n]
        plain = plain_loop(sample, work / "plain", cores) / len(sample)
        print(f"plain loop, {cores} at a time: {len(sample)} pages, {plain:.2f} s/page")

        out = work / "pages"
        first, summary = course_report(folder, out, prefix=meter.prefix())
        cpu = meter.seconds()
        per = first / len(workbooks)
        print(
            f"iivkit course report: {len(workbooks)} students in {first:.1f} s = {per:.3f} s/student"
            f" ({summary})"
        )
        if cpu is not None:
            print(
                f"  CPU, every process of it (kernels included): {cpu:.1f} s"
                f" = {cpu / len(workbooks):.3f} s/student"
            )
        else:
            print("  CPU of its kernels: not measurable here (needs a writable cgroup v1 cpuacct)")
        again = min(course_report(folder, out)[0] for _ in range(max(1, args.repeat)))

        print()
        print(f"load average at the end: {os.getloadavg()[0]:.2f}")
        print(f"ratio to the plain loop, {cores} at a time: {plain / per:.1f}x")
        scaled = per * TARGET_STUDENTS
        print(
            f"class run: {first:.1f} s for {len(workbooks)} students; {scaled:.1f} s for {TARGET_STUDENTS} "
            f"at this rate  (target <= {TARGET_S:.0f} s for {TARGET_STUDENTS} on 2 cores)"
        )
        print(f"no-change re-run: {again:.2f} s, 1/{first / again:.0f} of the first run")
    finally:
        meter.close()
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
