"""Summarise a py-spy profile of a report batch: samples per process, and where the kernels spend theirs.

Record one first (py-spy samples every process of the batch, the kernels included)::

    py-spy record -r 100 --subprocesses --format raw -o batch.raw -- \\
        python benchmarks/report_profile.py --reports 30
    python benchmarks/spy_summary.py batch.raw            # the top 40 frames in the kernels
    python benchmarks/spy_summary.py batch.raw --top 80 --match iivkit

A kernel is a process started by the fork server (a grandchild of the batch); a frame's share
is of every sample taken in kernels, counted once per sample however deep it recurs.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

_PATHS = re.compile(r" \(.*?/(?:site-packages|lib/python3\.\d+|iivkit)/")


def summarise(raw: Path, top: int, match: str) -> None:
    roles: Counter[str] = Counter()
    frames: Counter[str] = Counter()
    kernels: set[str] = set()
    in_kernels = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        parts = stack.split(";")
        processes = [p for p in parts if p.startswith("process ")]
        role = {1: "the batch (parent)", 2: "the fork server"}.get(len(processes), "kernels")
        roles[role] += n
        if role != "kernels":
            continue
        kernels.add(processes[-1].split(":")[0])
        in_kernels += n
        seen = set()
        for frame in parts:
            if frame.startswith("process "):
                continue
            name = _PATHS.sub(" (", frame)
            if name not in seen and match in name:
                seen.add(name)
                frames[name] += n
    total = sum(roles.values()) or 1
    print(f"samples: {total}")
    for role, n in roles.most_common():
        print(f"  {role:22} {n:7} {100 * n / total:5.1f}%")
    print(f"\nin {len(kernels)} kernels, {in_kernels} samples; inclusive share of the top frames:")
    for name, n in frames.most_common(top):
        print(f"{n:7} {100 * n / max(1, in_kernels):5.1f}%  {name[:140]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw", type=Path, help="a py-spy --format raw file")
    parser.add_argument("--top", type=int, default=40, help="frames to list (default 40)")
    parser.add_argument("--match", default="", help="list only frames whose text holds this")
    args = parser.parse_args()
    summarise(args.raw, args.top, args.match)


if __name__ == "__main__":
    main()
