"""How fast ``iivkit import`` takes in a LinkedIn connections export, against the plain ways.

Writes a ``Connections.csv`` of ``--rows`` generated connections (10,000 by default; 200
companies, a quarter of the people without an email address, LinkedIn's notes above the header)
in a temporary folder, then times, in the same run:

- **iivkit**: what ``iivkit import WORKBOOK Connections.csv`` does: read and check the file,
  validate every row with the models, match organisations, look for duplicates, and write
  everything in one transaction into a new workbook;
- **plain sqlite3**: ``pandas.read_csv`` and one ``INSERT`` per row into a bare SQLite table,
  with no validation, no organisations and no duplicate check: a floor, not a rival;
- **Workbook.add per row**: ``csv.DictReader`` and ``Workbook.add`` per row, each in its own
  transaction, as a script written against the library without the importer would do.

It prints rows per second for each, the ratios, and whether iivkit meets the target of
5,000 rows per second (set for a 2-core machine). A benchmark, not a test: it asserts nothing.

    python benchmarks/import_contacts.py [--rows 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# Run from a checkout without installing: make the repository root importable.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from iivkit.workbook.contacts_in import detect_kind, read_linkedin  # noqa: E402
from iivkit.workbook.contacts_merge import import_contacts  # noqa: E402
from iivkit.workbook.interchange import read_text  # noqa: E402
from iivkit.workbook.models import Contact, HowFound, Organisation  # noqa: E402
from iivkit.workbook.store import Workbook  # noqa: E402

TARGET = 5_000
"""Rows per second that ``iivkit import`` should reach on 2 cores."""

NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are '
    'missing."\n'
    "\n"
)
HEADER = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
FIRST = ["Ann", "Bo", "Cy", "Dee", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kemi", "Lebo", "Mia", "Nia"]
LAST = ["Lee", "Chen", "Dube", "Moyo", "Naidoo", "Smith", "Khumalo", "Patel", "Botha", "Mokoena"]
POSITIONS = ["Analyst", "Research Fellow", "Engineer", "Head of Policy", "Nurse", "Data Scientist"]


def connections_csv(rows: int, seed: int = 12) -> str:
    """A LinkedIn-shaped export of *rows* distinct connections."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for i in range(rows):
        first, last = rng.choice(FIRST), f"{rng.choice(LAST)}-{i}"
        email = "" if rng.random() < 0.25 else f"{first.lower()}.{i}@example.org"
        writer.writerow(
            [
                first,
                last,
                f"https://www.linkedin.com/in/{first.lower()}-{i}",
                email,
                f"Company {rng.randrange(200)}",
                rng.choice(POSITIONS),
                f"{rng.randrange(1, 29):02d} Mar 2024",
            ]
        )
    return NOTES + out.getvalue()


def run_iivkit(source: Path, workbook: Path) -> int:
    """``iivkit import`` of a LinkedIn file, as the command runs it."""
    text = read_text(source)
    assert detect_kind(source, text) == "linkedin"
    result = import_contacts(workbook, read_linkedin(text, file=source), file=source)
    return len(result.added)


def run_plain_sqlite(source: Path, workbook: Path) -> int:
    """``pandas.read_csv`` and one INSERT per row into a bare table: no checks at all."""
    frame = pd.read_csv(source, skiprows=3, dtype=str, keep_default_na=False)
    conn = sqlite3.connect(workbook)
    conn.execute(
        "CREATE TABLE contacts (id INTEGER PRIMARY KEY, first TEXT, last TEXT, url TEXT, "
        "email TEXT, company TEXT, position TEXT, connected TEXT)"
    )
    with conn:
        for row in frame.itertuples(index=False):
            conn.execute("INSERT INTO contacts VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)", tuple(row))
    conn.close()
    return len(frame)


def run_add_per_row(source: Path, workbook: Path) -> int:
    """``csv.DictReader`` and ``Workbook.add`` per row, each its own transaction."""
    with source.open(encoding="utf-8", newline="") as fh:
        for _ in range(3):  # LinkedIn's notes
            fh.readline()
        rows = list(csv.DictReader(fh))
    with Workbook.create(workbook) as wb:
        organisations: dict[str, int | None] = {}
        for row in rows:
            company = row["Company"]
            if company not in organisations:
                organisations[company] = wb.add(Organisation(name=company)).id
            wb.add(
                Contact(
                    name=f"{row['First Name']} {row['Last Name']}",
                    email=row["Email Address"] or None,
                    role=row["Position"],
                    organisation_id=organisations[company],
                    how_found=HowFound.professional_network,
                    notes=f"LinkedIn: {row['URL']}\nConnected on LinkedIn: {row['Connected On']}",
                )
            )
    return len(rows)


def best_rate(run: Callable[[Path, Path], int], source: Path, folder: Path, repeat: int) -> float:
    """The best rows per second of *repeat* runs, each into a new workbook."""
    best = 0.0
    for attempt in range(repeat):
        workbook = folder / f"{run.__name__}-{attempt}.iiv"
        start = time.perf_counter()
        rows = run(source, workbook)
        best = max(best, rows / (time.perf_counter() - start))
    return best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="connections to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each way; the best counts")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="iivkit-bench-") as tmp:
        folder = Path(tmp)
        source = folder / "Connections.csv"
        source.write_text(connections_csv(args.rows), encoding="utf-8")
        print(f"{args.rows:,} LinkedIn connections, best of {args.repeat} runs each:")
        rates = {
            "iivkit import": best_rate(run_iivkit, source, folder, args.repeat),
            "plain sqlite3 (pandas.read_csv + INSERT per row)": best_rate(
                run_plain_sqlite, source, folder, args.repeat
            ),
            "Workbook.add per row (csv.DictReader)": best_rate(run_add_per_row, source, folder, args.repeat),
        }
    ours = rates["iivkit import"]
    for name, rate in rates.items():
        ratio = "" if name == "iivkit import" else f"   iivkit is {ours / rate:.2f}x this"
        print(f"  {name:<50} {rate:>10,.0f} rows/s{ratio}")
    verdict = "met" if ours >= TARGET else "NOT met"
    print(f"Target {TARGET:,} rows/s: {verdict} ({ours / TARGET:.2f}x the target).")


if __name__ == "__main__":
    main()
