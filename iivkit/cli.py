"""The ``iivkit`` command line: a thin layer over the library.

Exit status: 0 ok, 1 the work found problems, 2 bad usage or unreadable input. A user's
mistake is one line on stderr naming the file, record and field, never a traceback.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .errors import IivkitError, WorkbookMissingError
from .store import Workbook

DEMO_MARKER = ".iivkit-demo"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit."""
    click.echo(f"iivkit: error: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """A click group that turns iivkit's errors into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IivkitError as exc:
            fail(str(exc))
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                fail(f"the workbook is busy in another program for too long ({exc}); try again")
            raise
        except KeyboardInterrupt:
            fail("interrupted; nothing half-written was kept", 130)


PathArg = click.Path(path_type=Path, dir_okay=False)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iivkit")
def main() -> None:
    """iivkit: research, prepare and debrief informational interviews.

    Each person's work lives in one workbook file (an SQLite database). Notebooks open it in
    JupyterLab; these commands create, check, import, export and report on it.
    """


@main.command()
@click.argument("workbook", type=PathArg)
def init(workbook: Path) -> None:
    """Create a new, empty WORKBOOK. Refuses to overwrite an existing file."""
    Workbook.create(workbook).close()
    click.echo(f"Created {workbook} (an empty workbook, readable by you only).")


@main.command("import")
@click.argument("workbook", type=PathArg)
@click.argument("file", type=PathArg)
def import_(workbook: Path, file: Path) -> None:
    """Load the records in FILE.json (the interchange format) into WORKBOOK.

    The whole file is validated first and loaded in one transaction: any error and nothing is
    written. WORKBOOK is created if it does not exist yet.
    """
    from .interchange import import_document, parse_document

    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read: {exc}")
    doc = parse_document(text, file=file)
    created = not workbook.exists()
    wb = Workbook.create(workbook) if created else Workbook.open(workbook)
    try:
        with wb:
            counts = import_document(wb, doc)
    except IivkitError as exc:
        if created:
            _remove_workbook(workbook)
        raise exc.located(file) from None
    total = sum(counts.values())
    detail = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in counts.items())
    click.echo(f"Imported {total} records into {workbook}" + (f": {detail}." if detail else "."))


def _remove_workbook(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@main.command()
@click.argument("workbook", type=PathArg)
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), required=True, help="json, csv (a zip of one CSV per table) or xlsx.")
@click.option("--anonymise", is_flag=True, help="Replace people's names, emails and phone numbers with stable pseudonyms, free text included.")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The file to write.")
def export(workbook: Path, fmt: str, anonymise: bool, out: Path) -> None:
    """Export WORKBOOK as JSON, CSV or Excel."""
    from .exports import export as do_export

    with Workbook.open(workbook) as wb:
        do_export(wb, fmt, out, anonymised=anonymise)
    click.echo(f"Wrote {out}" + (" (anonymised)" if anonymise else "") + ".")


@main.command()
@click.argument("workbook", type=PathArg)
def check(workbook: Path) -> None:
    """Check WORKBOOK's integrity and every record; exit 1 if there are problems."""
    from .check import check as do_check

    report = do_check(workbook)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=Path("demo"), show_default=True, help="Folder for the demo.")
@click.option("--class", "class_size", type=click.IntRange(0, 1000), default=0, help="Also create a class of N synthetic students.")
def demo(out: Path, class_size: int) -> None:
    """Build a demo workbook (and a demo class) to explore iivkit with.

    Re-running replaces an earlier demo in the same folder; any other non-empty folder is
    left alone.
    """
    from .demo import build_class, build_demo

    _prepare_demo_folder(out)
    workbook = out / "workbook.iiv"
    build_demo(workbook).close()
    click.echo(f"Demo workbook: {workbook}")
    if class_size:
        paths = build_class(out / "class", class_size)
        click.echo(f"Demo class of {len(paths)} students: {out / 'class'}")


def _prepare_demo_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        fail(f"{out}: is a file; choose a folder for the demo")
    if out.exists() and any(out.iterdir()):
        if not (out / DEMO_MARKER).exists():
            fail(f"{out}: folder is not empty and was not made by 'iivkit demo'; choose another with --out")
        for child in out.iterdir():
            if child.name == DEMO_MARKER:
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)
    (out / DEMO_MARKER).write_text("Made by 'iivkit demo'; re-running it replaces this folder's contents.\n")


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--port", type=int, default=0, help="Port to listen on (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
def lab(directory: Path, port: int, no_browser: bool) -> None:
    """Start JupyterLab on the notebooks in DIRECTORY, listening on 127.0.0.1 only.

    The workflow notebooks are copied into DIRECTORY/notebooks when they are missing.
    """
    from .lab import launch

    if not directory.exists():
        raise WorkbookMissingError("no such folder", file=directory)
    sys.exit(launch(directory, port=port, open_browser=not no_browser))
