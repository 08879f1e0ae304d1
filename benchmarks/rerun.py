"""What a no-change re-run of ``iivkit report`` costs, and where its time goes.

Builds a class of synthetic students (``iivkit.workbook.demo.build_class``) with at least
``--reports`` interviews held, runs ``iivkit report CLASS --out OUT`` once, then runs it again
``--repeat`` times with nothing changed. Each run is its own process, as a person runs it. It
prints the first run, the best re-run, their ratio, and what the re-run spends before any work:
starting Python, and importing ``iivkit.cli``. Targets: a no-change re-run of 200 reports in
0.5 s or under, or 1/100 of the first run. Nothing is asserted: the figures depend on the
machine and on what else it is doing.

    python benchmarks/rerun.py                          # 200 reports, best of 5 re-runs
    python benchmarks/rerun.py --reports 50 --repeat 3
    python benchmarks/rerun.py --also OTHER_CHECKOUT    # re-run with another checkout too, same class
    python benchmarks/rerun.py --keep DIR --reuse       # re-runs only, on a class and reports kept in DIR

``--also`` times another checkout of iivkit (an older commit, say) on the same class and
reports, alternating with this one, so that a busy machine slows both alike.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELD = ("done", "debriefed")


def env(checkout: Path) -> dict[str, str]:
    """*checkout* importable first by every process (also when iivkit is installed elsewhere)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(checkout), e.get("PYTHONPATH")) if p)
    return e


def held(workbook: Path) -> int:
    with sqlite3.connect(workbook) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM interviews WHERE status IN (?, ?)", HELD).fetchone()[0])


def build(folder: Path, reports: int) -> int:
    """A class with at least *reports* interviews held; how many there are."""
    sys.path.insert(0, str(ROOT))
    from iivkit.workbook.demo import build_class

    students = math.ceil(reports / 1.4) + 5
    while True:
        shutil.rmtree(folder, ignore_errors=True)
        found = sum(held(p) for p in build_class(folder, students))
        if found >= reports:
            return found
        students = math.ceil(students * reports / max(1, found)) + 5


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], checkout: Path) -> tuple[float, str, float]:
    """Wall seconds for one process, its last line of output, and the CPU seconds it used
    (user and system, its children included): on a busy machine the steadier figure."""
    cpu = cpu_of_children()
    started = time.perf_counter()
    # Run from the checkout: `python -c` puts the working folder first on the path.
    done = subprocess.run(cmd, env=env(checkout), cwd=checkout, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    return seconds, lines[-1] if lines else "", cpu_of_children() - cpu


def report(folder: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from iivkit.cli import main; main()",
        "report",
        str(folder),
        "--out",
        str(out),
    ]


def share(first: float, again: float) -> str:
    """*again* as a fraction of *first* (``1/120``); ``-`` when the first run was not timed."""
    return f"1/{first / again:.0f}" if first == first and again else "-"


def best(cmd: list[str], checkout: Path, repeat: int) -> tuple[float, float]:
    """The best wall and the best CPU seconds of *repeat* runs."""
    runs = [timed(cmd, checkout) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[2] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=200, help="interviews held in the class (at least)")
    parser.add_argument("--repeat", type=int, default=5, help="re-runs; the best counts")
    parser.add_argument(
        "--also", type=Path, default=None, help="another checkout to time on the same reports"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the class and reports in this folder")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: time re-runs of the class and reports already there",
    )
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="iivkit-rerun-"))
    work.mkdir(parents=True, exist_ok=True)
    checkouts = {"this checkout": ROOT}
    if args.also:
        checkouts[str(args.also)] = args.also.resolve()
    try:
        print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.2f}")
        out = work / "reports"
        if args.reuse and (out / "index.html").is_file():
            reports = sum(held(p) for p in (work / "class").rglob("*.iiv"))
            timed(report(work / "class", out), ROOT)  # brings the reports up to date, untimed
            first, first_cpu = float("nan"), float("nan")
            print(f"class: {reports} interviews held, reused from {work}; first run not timed")
        else:
            t = time.perf_counter()
            reports = build(work / "class", args.reports)
            print(f"class: {reports} interviews held, built in {time.perf_counter() - t:.1f} s")
            first, summary, first_cpu = timed(report(work / "class", out), ROOT)
            print(f"first run: {first:.1f} s, {first_cpu:.1f} CPU s ({summary})")
        print()
        python = [sys.executable, "-c", "pass"]
        imports = [sys.executable, "-c", "import iivkit.cli"]
        header = (
            f"{'checkout':<28} {'python':>7} {'+import':>8} {'re-run':>7} {'CPU s':>6} "
            f"{'per report':>11} {'vs first':>9} {'CPU vs first':>12}"
        )
        print(header)
        print("-" * len(header))
        # Alternate the checkouts, a round at a time, so that the machine's load falls on each alike.
        found: dict[str, list[tuple[float, float]]] = {name: [] for name in checkouts}
        for _ in range(args.repeat):
            for name, checkout in checkouts.items():
                wall, _, cpu = timed(report(work / "class", out), checkout)
                found[name].append((wall, cpu))
        for name, checkout in checkouts.items():
            again = min(w for w, _ in found[name])
            again_cpu = min(c for _, c in found[name])
            start = best(python, checkout, args.repeat)[0]
            imported = best(imports, checkout, args.repeat)[0]
            print(
                f"{name[-28:]:<28} {start:>7.2f} {imported:>8.2f} {again:>7.2f} {again_cpu:>6.2f} "
                f"{again / reports * 1e3:>8.2f} ms {share(first, again):>9} {share(first_cpu, again_cpu):>12}"
            )
        print("-" * len(header))
        print("python: starting Python alone; +import: Python and `import iivkit.cli`; wall seconds, best")
        print(f"of {args.repeat}. CPU s: user and system seconds of the re-run, best of {args.repeat}.")
        print("Targets: a re-run of 200 reports in 0.5 s or under, or 1/100 of the first run or under.")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
