"""The command line's output on the demo is byte-for-byte what it was when it was recorded.

Each command below runs as a real program on a fresh demo (with a small class) and its exit
status, standard output, standard error and the text files it writes are compared with the
recording in ``tests/fixtures/cli_golden/``. Only what cannot repeat is masked first: the temp
folder's path, clock times and durations. A move or refactor that changes one byte a user would
see fails here.

To record anew after a deliberate change of output: ``IIVKIT_RECORD_GOLDEN=1 pytest
tests/test_cli_golden.py``, then read the diff of the fixtures before committing it.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import _subprocess_env

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "cli_golden"
RECORD = os.environ.get("IIVKIT_RECORD_GOLDEN") == "1"
TODAY = "2026-12-01"

pytestmark = pytest.mark.slow


def _mask(text: str, root: Path) -> str:
    """Masks what differs between two runs of the same command: paths, clock times, durations."""
    text = text.replace(str(root), "<tmp>")
    text = re.sub(r"(?m)^Date: .*$", "Date: <time>", text)
    text = re.sub(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:?\d\d)?", "<time>", text)
    text = re.sub(r"DTSTAMP:\d{8}T\d{6}Z?", "DTSTAMP:<time>", text)
    text = _renumber(text)
    text = re.sub(r"\b\d+(\.\d+)? ?(s|ms|seconds?)\b", "<duration>", text)
    text = re.sub(r"\d+(\.\d+)?(s|it)/(it|s)\b", "<rate>", text)
    text = re.sub(r"\b\d\d:\d\d(<|\b)", "<clock>", text)
    return text


PSEUDONYMS = (
    re.compile(r"\b(?:Contact|Student|Person) [0-9A-F]{6}\b"),
    re.compile(r"\bperson-[0-9a-f]{6}@anonymised\.example\b"),
    re.compile(r"\+00 \d{7}\b"),
    # Calendar UIDs come from the workbook's own random id, made when the demo is built.
    re.compile(r"UID:\S+@iivkit"),
)


def _renumber(text: str) -> str:
    """Pseudonyms and calendar UIDs come from each workbook's own random salt or id: number them
    by first appearance, so the same one keeps its name within an output and two never share one."""
    for pattern in PSEUDONYMS:
        seen: dict[str, str] = {}

        def name(match: re.Match[str], seen: dict[str, str] = seen) -> str:
            return seen.setdefault(match.group(0), f"<pseudonym {len(seen) + 1}>")

        text = pattern.sub(name, text)
    return text


def _text_files(folder: Path, root: Path) -> str:
    """Every file under ``folder`` (zips opened), in name order, as one masked text."""
    parts: list[str] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in sorted(archive.namelist()):
                    parts.append(f"=== {name}!{member}\n{archive.read(member).decode('utf-8')}")
        elif path.suffix in {".html", ".ipynb", ".json"} and name.startswith(("reports/", "course/")):
            parts.append(f"=== {name} ({(len(data) > 0 and 'written') or 'empty'})")
        elif path.suffix in {".png", ".xlsx", ".iiv", ".iiv-wal", ".iiv-shm"}:
            parts.append(f"=== {name} (binary, {'written' if data else 'empty'})")
        else:
            parts.append(f"=== {name}\n{data.decode('utf-8')}")
    return _mask("\n".join(parts) + "\n", root)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, iivkit_cmd: list[str]) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("golden")
    subprocess.run(
        [*iivkit_cmd, "demo", "--out", str(root / "demo"), "--class", "3", "--no-reports"],
        check=True,
        capture_output=True,
        env=_subprocess_env(),
    )
    yield root


# name: (arguments, folder the command writes whose files are part of its output)
COMMANDS: dict[str, tuple[list[str], str | None]] = {
    "help": (["--help"], None),
    "init": (["init", "{root}/new.iiv"], None),
    "init_again": (["init", "{root}/new.iiv"], None),
    "check": (["check", "{root}/demo/workbook.iiv"], None),
    "check_missing": (["check", "{root}/nothing-here.iiv"], None),
    "due": (["due", "{root}/demo/workbook.iiv", "--today", TODAY], None),
    "due_later": (["due", "{root}/demo/workbook.iiv", "--today", "2027-02-15"], None),
    "plan_1": (["plan", "{root}/demo/workbook.iiv", "--contact", "1"], None),
    "plan_2_short": (["plan", "{root}/demo/workbook.iiv", "--contact", "2", "--minutes", "15"], None),
    "plan_bad_contact": (["plan", "{root}/demo/workbook.iiv", "--contact", "999"], None),
    "export_json": (
        ["export", "{root}/demo/workbook.iiv", "--format", "json", "--out", "{root}/out/json/w.json"],
        "out/json",
    ),
    "export_csv_anonymised": (
        [
            "export",
            "{root}/demo/workbook.iiv",
            "--format",
            "csv",
            "--anonymise",
            "--out",
            "{root}/out/csv/w.zip",
        ],
        "out/csv",
    ),
    "import": (["import", "{root}/imported.iiv", "{root}/out/json/w.json"], None),
    "letters_1": (
        ["letters", "{root}/demo/workbook.iiv", "--interview", "1", "--out", "{root}/out/letters1"],
        "out/letters1",
    ),
    "letters_2": (
        ["letters", "{root}/demo/workbook.iiv", "--interview", "2", "--out", "{root}/out/letters2"],
        "out/letters2",
    ),
    "export_vcf": (
        ["export", "{root}/demo/workbook.iiv", "--format", "vcf", "--out", "{root}/out/vcf/w.vcf"],
        "out/vcf",
    ),
    "targets": (["targets", "{root}/demo/workbook.iiv", "--today", TODAY], None),
    "funnel": (["funnel", "{root}/demo/workbook.iiv"], None),
    "due_json": (["due", "{root}/demo/workbook.iiv", "--today", TODAY, "--json"], None),
    "calendar": (
        ["calendar", "{root}/demo/workbook.iiv", "--today", TODAY, "--out", "{root}/out/cal/all.ics"],
        "out/cal",
    ),
    "report": (
        ["report", "{root}/demo/workbook.iiv", "--out", "{root}/out/reports", "--jobs", "1"],
        None,
    ),
    "report_again": (
        ["report", "{root}/demo/workbook.iiv", "--out", "{root}/out/reports", "--jobs", "1"],
        None,
    ),
    "course_report": (
        [
            "course",
            "report",
            "{root}/demo/class",
            "--out",
            "{root}/out/course",
            "--today",
            TODAY,
        ],
        None,
    ),
}


REFUSED = {"init_again", "check_missing", "plan_bad_contact"}
"""The commands above that are meant to be refused; every other one must succeed."""


def test_cli_output_on_the_demo_is_unchanged(demo: Path, iivkit_cmd: list[str]) -> None:
    env = _subprocess_env()
    env.pop("IIVKIT_WORKBOOK", None)
    env["COLUMNS"] = "80"
    env["NO_COLOR"] = "1"
    differences: list[str] = []
    # Folders that export writes into must exist: export refuses to make them.
    for folder in ("out/json", "out/csv", "out/vcf", "out/cal"):
        (demo / folder).mkdir(parents=True, exist_ok=True)
    for name, (arguments, writes) in COMMANDS.items():
        args = [a.replace("{root}", str(demo)) for a in arguments]
        done = subprocess.run(
            [*iivkit_cmd, *args], capture_output=True, text=True, env=env, cwd=demo, timeout=600
        )
        seen = (
            f"$ iivkit {' '.join(arguments)}\n"
            f"exit {done.returncode}\n"
            f"--- stdout\n{_mask(done.stdout, demo)}"
            f"--- stderr\n{_mask(done.stderr, demo)}"
        )
        if writes is not None:
            seen += f"--- files\n{_text_files(demo / writes, demo)}"
        if name not in REFUSED:
            assert done.returncode == 0, f"iivkit {' '.join(args)} failed:\n{done.stderr}"
        golden = GOLDEN / f"{name}.txt"
        if RECORD:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_bytes(seen.encode("utf-8"))
            continue
        assert golden.exists(), f"no recording for {name}: run with IIVKIT_RECORD_GOLDEN=1"
        expected = golden.read_bytes().decode("utf-8")
        if seen != expected:
            where = _first_difference(expected, seen)
            differences.append(f"{name}: output differs from {golden.name}\n{where}")
    assert not differences, "\n\n".join(differences)


def _first_difference(expected: str, seen: str) -> str:
    for number, (a, b) in enumerate(zip(expected.splitlines(), seen.splitlines(), strict=False), 1):
        if a != b:
            return f"line {number}:\n  recorded: {a!r}\n  now:      {b!r}"
    return f"lengths differ: recorded {len(expected)} characters, now {len(seen)}"
