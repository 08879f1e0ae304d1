"""The ``iivkit`` command line: a thin layer over the library.

Exit status: 0 ok, 1 the work found problems, 2 bad usage or unreadable input. A user's
mistake is one line on stderr naming the file, record and field, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from iivkit import __version__
from iivkit.errors import DamagedRecordWarning, IivkitError, WorkbookMissingError

if TYPE_CHECKING:
    from iivkit.workbook.store import Workbook

DEMO_MARKER = ".iivkit-demo"


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one line to stderr and exit."""
    click.echo(f"iivkit: error: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """A click group that turns iivkit's errors into one line and exit status 2."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["iivkit.arguments"] = list(args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        arguments: list[str] = ctx.meta.get("iivkit.arguments", [])
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("default", DamagedRecordWarning)
                warnings.showwarning = _warning_printer(warnings.showwarning)
                return super().invoke(ctx)
        except IivkitError as exc:
            fail(str(exc))
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                fail(f"the workbook is busy in another program for too long ({exc}); try again")
            # A workbook damaged past what opening it checks: say which file, not a traceback.
            fail(f"{_first_file(arguments)}the workbook is damaged ({exc}); 'iivkit check' tells more")
        except KeyboardInterrupt:
            fail("interrupted; nothing half-written was kept", 130)


def _warning_printer(previous: Any) -> Any:
    """Show a skipped damaged record as one line on stderr; other warnings as *previous* does."""

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if issubclass(category, DamagedRecordWarning):
            click.echo(f"iivkit: warning: {message}", err=True)
        else:
            previous(message, category, *args, **kwargs)

    return show


def _first_file(arguments: list[str]) -> str:
    """``"PATH: "`` for the first existing file among the command's arguments, else ``""``."""
    for arg in arguments:
        if Path(arg).is_file():
            return f"{arg}: "
    return ""


class WorkbookPath(click.Path):
    """A workbook's file. A folder holding exactly one workbook (``*.iiv``) stands for it, as in
    ``iivkit due .``; any other folder is refused with what to give instead. With *new*, the
    file is to be created, so a folder is refused with a file name to use."""

    def __init__(self, *, new: bool = False) -> None:
        super().__init__(path_type=Path)
        self.new = new

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        if not path.is_dir():
            return path
        if self.new:
            self.fail(
                f"{path} is a folder; give the new workbook's file, e.g. {path / 'workbook.iiv'}", param, ctx
            )
        found = sorted(p for p in path.glob("*.iiv") if p.is_file())
        if len(found) == 1:
            return found[0]
        if not found:
            self.fail(
                f"{path} is a folder with no workbook (.iiv file) in it; give the workbook's file, "
                f"or create one with 'iivkit init {path / 'workbook.iiv'}'",
                param,
                ctx,
            )
        names = ", ".join(p.name for p in found[:5]) + (", …" if len(found) > 5 else "")
        self.fail(
            f"{path} is a folder with {len(found)} workbooks ({names}); give the one you mean", param, ctx
        )


PathArg = WorkbookPath()


class Day(click.DateTime):
    """A day as YYYY-MM-DD, between 1900 and 2200 like an interview's date: counting business
    days from year 1 or 9999 would run off the calendar."""

    name = "day"

    def __init__(self) -> None:
        super().__init__(formats=["%Y-%m-%d"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        day = super().convert(value, param, ctx)
        if not 1900 <= day.year <= 2200:
            self.fail(f"{day.date().isoformat()} is not a day between 1900 and 2200.", param, ctx)
        return day


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iivkit")
def main() -> None:
    """iivkit: research, prepare and debrief informational interviews.

    Each person's work lives in one workbook file (an SQLite database). Notebooks open it in
    JupyterLab; these commands create, check, import, export and report on it.
    """


@main.command()
@click.argument("workbook", type=WorkbookPath(new=True))
def init(workbook: Path) -> None:
    """Create a new, empty WORKBOOK. Refuses to overwrite an existing file."""
    from iivkit.workbook.store import Workbook

    Workbook.create(workbook).close()
    click.echo(f"Created {workbook} (an empty workbook, readable by you only).")


@main.command("import")
@click.argument("workbook", type=PathArg)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--replace-profile", is_flag=True, help="Let the file's profile replace the one already in WORKBOOK."
)
@click.option(
    "--map",
    "column_map",
    metavar="'COLUMN=FIELD,...'",
    default=None,
    help="Read FILE as a CSV whose COLUMNs hold these FIELDs, e.g. "
    "--map 'Full name=name,Employer=organisation,Mail=email'. Fields: name (or first_name and "
    "last_name), organisation, role, email, phone, notes (several columns may go to notes). "
    "Quote a pair whose column has a comma: '\"Surname, first=name\",Mail=email'.",
)
@click.option("--dry-run", is_flag=True, help="Show what the import would add; write nothing.")
@click.option(
    "--skip-bad", is_flag=True, help="Import the valid contacts and list the bad rows (exit status 1)."
)
def import_(
    workbook: Path, file: Path, replace_profile: bool, column_map: str | None, dry_run: bool, skip_bad: bool
) -> None:
    """Load FILE into WORKBOOK: iivkit's JSON, or contacts from LinkedIn, a CSV or vCard.

    FILE.json is the interchange format (every kind of record).

    The whole file is validated first and loaded in one transaction: any error and nothing is
    written. WORKBOOK is created if it does not exist yet (and only if the import succeeds).

    FILE may also hold contacts: LinkedIn's Connections.csv (found by its header), any other
    CSV with --map, or vCard 3 or 4 (.vcf). Organisations are matched by name or created.
    A contact already in WORKBOOK (same email, or same name at the same organisation), or twice
    in FILE, is listed and not added. A bad row is listed by its line number, and nothing is
    written (exit status 2) unless --skip-bad.
    """
    from iivkit.workbook.contacts_in import JSON, detect_kind
    from iivkit.workbook.interchange import import_into, parse_document, read_text

    text = read_text(file)
    kind = detect_kind(file, text, mapped=column_map is not None)
    if kind != JSON:
        if replace_profile:
            fail(f"{file}: --replace-profile is for a JSON document; a file of contacts has no profile")
        _import_contacts(workbook, file, text, kind, column_map, dry_run=dry_run, skip_bad=skip_bad)
        return
    if column_map is not None or dry_run or skip_bad:
        fail(f"{file}: --map, --dry-run and --skip-bad are for contacts (CSV or vCard), not a JSON document")
    doc = parse_document(text, file=file)
    try:
        counts, created = import_into(workbook, doc, replace_profile=replace_profile, file=file)
    except IivkitError as exc:
        raise exc.located(file) from None
    total = sum(counts.values())
    detail = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in counts.items())
    noun = "record" if total == 1 else "records"
    into = f"a new workbook, {workbook}" if created else str(workbook)
    click.echo(f"Imported {total} {noun} into {into}" + (f": {detail}." if detail else "."))


def _import_contacts(
    workbook: Path, file: Path, text: str, kind: str, column_map: str | None, *, dry_run: bool, skip_bad: bool
) -> None:
    """``import`` of contacts from a LinkedIn or mapped CSV, or a vCard file."""
    from iivkit.workbook import contacts_in
    from iivkit.workbook.contacts_merge import import_contacts

    if kind == contacts_in.VCARD:
        if column_map is not None:
            fail(f"{file}: --map is for a CSV file; this is a vCard file")
        source = contacts_in.read_vcards(text, file=file)
    elif kind == contacts_in.LINKEDIN:
        source = contacts_in.read_linkedin(text, file=file)
    else:
        if column_map is None:
            fail(
                f"{file}: not a LinkedIn Connections.csv; say which column holds which field with "
                "--map (see 'iivkit import --help')"
            )
        source = contacts_in.read_csv(text, contacts_in.parse_map(column_map), file=file)
    try:
        result = import_contacts(workbook, source, file=file, dry_run=dry_run, skip_bad=skip_bad)
    except IivkitError as exc:
        raise exc.located(file) from None
    bad = [row.text(file) for row in result.bad]
    if bad and not skip_bad:
        for line in bad:
            click.echo(f"iivkit: error: {line}", err=True)
        unit = "card" if result.kind == "vcard" else "row"
        rows, them = (f"1 bad {unit}", "it") if len(bad) == 1 else (f"{len(bad)} bad {unit}s", "them")
        nothing = "nothing would be imported" if dry_run else "nothing was imported"
        fail(f"{file}: {rows}; {nothing}. Fix {them}, or pass --skip-bad to import the others")
    for line in result.lines():
        click.echo(line)
    for line in bad:
        click.echo(f"iivkit: {'would skip' if dry_run else 'skipped'}: {line}", err=True)
    if bad:
        sys.exit(1)


@main.command()
@click.argument("workbook", type=PathArg)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "xlsx", "vcf"]),
    required=True,
    help="json, csv (a zip of one CSV per table), xlsx, or vcf (the contacts as vCard 4).",
)
@click.option(
    "--anonymise",
    is_flag=True,
    help="Replace people's names, emails and phone numbers with stable pseudonyms, free text included.",
)
@click.option(
    "--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="The file to write."
)
@click.option("--force", is_flag=True, help="Replace OUT if it exists (never a workbook).")
def export(workbook: Path, fmt: str, anonymise: bool, out: Path, force: bool) -> None:
    """Export WORKBOOK as JSON, CSV, Excel, or its contacts as vCard."""
    from iivkit.workbook.exports import export as do_export
    from iivkit.workbook.store import Workbook

    with Workbook.read(workbook) as wb:
        if anonymise:
            _refuse_damaged_people(wb)
        do_export(wb, fmt, out, anonymised=anonymise, overwrite=force)
    click.echo(f"Wrote {out}" + (" (anonymised)" if anonymise else "") + ".")


def _refuse_damaged_people(wb: Workbook) -> None:
    """Pseudonyms need every person's names: a contact or profile left out as damaged would leak."""
    from iivkit.errors import ValidationFailed
    from iivkit.workbook.models import Contact, Profile
    from iivkit.workbook.store import collect_damaged

    with collect_damaged() as damaged:
        wb.all(Profile)
        wb.all(Contact)
    if damaged:
        first = damaged[0]
        raise ValidationFailed(
            f"{first.message}; its names could not be pseudonymised, so nothing was exported. "
            "Fix it first ('iivkit check' lists every damaged record)",
            file=wb.path,
            record=first.record,
            field=first.field,
        )


@main.command()
@click.argument("workbook", type=PathArg)
def check(workbook: Path) -> None:
    """Check WORKBOOK's integrity and every record; exit 1 if there are problems."""
    from iivkit.method.check import check as do_check

    report = do_check(workbook)
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(1)


@main.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("demo"),
    show_default=True,
    help="Folder for the demo.",
)
@click.option(
    "--class",
    "class_size",
    type=click.IntRange(0, 1000),
    default=0,
    help="Also create a class of N synthetic students.",
)
@click.option("--no-reports", is_flag=True, help="Skip the batch debrief reports at the end.")
def demo(out: Path, class_size: int, no_reports: bool) -> None:
    """Build a demo workbook (and a demo class), then their debrief reports (and the class's
    feedback pages, records of work and summary, OUT/course/index.html).

    Re-running replaces an earlier demo in the same folder; any other non-empty folder is
    left alone.
    """
    from iivkit.workbook.demo import build_class, build_demo

    _prepare_demo_folder(out)
    workbook = out / "workbook.iiv"
    build_demo(workbook).close()
    click.echo(f"Demo workbook: {workbook}")
    if class_size:
        paths = build_class(out / "class", class_size)
        click.echo(f"Demo class of {len(paths)} students: {out / 'class'}")
    if no_reports:
        return
    from iivkit.reports.run import FAILED, OK, make_reports

    batch = make_reports([out], out / "reports")
    click.echo(f"Debrief reports: {batch.count(OK)} made, {batch.count(FAILED)} failed.")
    click.echo(f"Report index: {batch.index}")
    failed = batch.failed
    if class_size:
        from iivkit.course.run import course_report

        run = course_report(out / "class", out / "course", records=True)
        click.echo(f"Feedback pages: {run.count(OK)} made, {run.count(FAILED)} failed.")
        click.echo(f"Class summary: {run.index}")
        failed = failed or run.failed
    if failed:
        sys.exit(1)


DEMO_OWNED = ("workbook.iiv-wal", "workbook.iiv-shm", "class", "reports", "course")
"""What ``iivkit demo`` makes and may replace; the workbook itself is kept as a backup."""


def _prepare_demo_folder(out: Path) -> None:
    """Make *out* ready for a fresh demo, replacing only what an earlier demo made there.

    Anything else in the folder (notebooks copied by ``iivkit lab``, the user's own files) is
    left alone, and the previous demo workbook, which the user may have written in, is kept
    as ``workbook.iiv.previous``.
    """
    if out.exists() and not out.is_dir():
        fail(f"{out}: is a file; choose a folder for the demo")
    if out.exists() and any(out.iterdir()) and not (out / DEMO_MARKER).exists():
        fail(f"{out}: folder is not empty and was not made by 'iivkit demo'; choose another with --out")
    out.mkdir(parents=True, exist_ok=True)
    previous = out / "workbook.iiv"
    if previous.exists():
        # Checkpoint the write-ahead log into the file first, so the kept copy is complete.
        from iivkit.workbook.store import Workbook

        with contextlib.suppress(IivkitError, sqlite3.DatabaseError), Workbook.open(previous) as wb:
            wb.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        os.replace(previous, out / "workbook.iiv.previous")
    from iivkit.course.run import STATE_FILE as COURSE_STATE_FILE

    for name in DEMO_OWNED:
        child = out / name
        if name == "course" and not (child / COURSE_STATE_FILE).exists():
            continue  # a course/ folder that no class run made here (demos before 0.2 made none)
        if child.is_symlink() or child.is_file():
            child.unlink()
        elif child.is_dir():
            shutil.rmtree(child)
    (out / DEMO_MARKER).write_text(
        "Made by 'iivkit demo'. Re-running it replaces workbook.iiv (keeping the old one as "
        "workbook.iiv.previous), class/, reports/ and course/; anything else here is left alone.\n"
    )


@main.command()
@click.argument(
    "directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path(".")
)
@click.option("--port", type=int, default=0, help="Port to listen on (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
def lab(directory: Path, port: int, no_browser: bool) -> None:
    """Start JupyterLab on the notebooks in DIRECTORY, listening on 127.0.0.1 only.

    The workflow notebooks are copied into DIRECTORY/notebooks when they are missing.
    """
    from iivkit.app.lab import launch

    if not directory.exists():
        raise WorkbookMissingError("no such folder", file=directory)
    sys.exit(launch(directory, port=port, open_browser=not no_browser))


@main.command()
@click.argument(
    "directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path(".")
)
@click.option("--port", type=int, default=0, help="Port to listen on (default: a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
def app(directory: Path, port: int, no_browser: bool) -> None:
    """Work through the method as forms, with no code: the notebooks in DIRECTORY, served by Voila.

    Listens on 127.0.0.1 only and prints the address to open. The notebooks are copied into
    DIRECTORY/notebooks when they are missing (yours are never replaced). The pages use the
    folder's workbook; a folder without one gets DIRECTORY/workbook.iiv, and says so.
    """
    from iivkit.app import launch as launch_app

    if not directory.exists():
        raise WorkbookMissingError("no such folder", file=directory)
    sys.exit(launch_app(directory, port=port, open_browser=not no_browser))


@main.command()
@click.argument("workbook", type=PathArg)
@click.option("--interview", "interview_id", type=int, required=True, help="The interview's id.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write into (created if missing).",
)
@click.option(
    "--style",
    type=click.Choice(["full", "short"]),
    default=None,
    help="full: the guide's letter with your research; short: under 120 words for a first "
    "contact. Default: your profile's letter length.",
)
def letters(workbook: Path, interview_id: int, out: Path, style: str | None) -> None:
    """Write an interview's letters to OUT as .eml drafts and Markdown copies, plus an .ics event.

    The invitation and confirmation are always written, the thank-you once the interview is
    done, and a nudge while the invitation waits for a reply; the .ics only when the interview
    has a date. Each letter is checked: no unfilled placeholder, the parts it needs, a
    subject line, and for a first letter no pay figure and a length that suits its style. A
    letter that fails is still written (so you can see what to fix), marked NOT READY, and the
    exit status is 1.
    """
    from iivkit.method.drafts import write_drafts
    from iivkit.workbook.models import Contact, Interview
    from iivkit.workbook.store import Workbook

    with Workbook.read(workbook) as wb:
        if not wb.exists(Interview, interview_id):
            fail(f"{workbook}: interview {interview_id} does not exist")
        interview = wb.get(Interview, interview_id)
        contact = wb.get(Contact, interview.contact_id)
        result = write_drafts(wb, interview_id, out, style=style)
    click.echo(f"Letters for interview {interview_id} with {contact.name}, in {out}:")
    for written in result.letters:
        check = written.check
        status = "ready" if check.ready else "NOT READY"
        click.echo(f"  {written.letter.title}: {status} ({check.words} words)")
        for path in written.files:
            click.echo(f"    {path}")
        for problem in check.problems:
            click.echo(f"    problem: {problem}")
    if result.calendar is not None and interview.scheduled_at is not None:
        when = f"{interview.scheduled_at:%Y-%m-%d %H:%M} {interview.timezone}"
        click.echo(f"  calendar event: {when}\n    {result.calendar}")
    else:
        click.echo("  calendar event: none yet (the interview has no date)")
    not_ready = sum(not w.check.ready for w in result.letters)
    if not_ready:
        click.echo(f"{not_ready} letter(s) not ready: fix the problems above, then write them again.")
        sys.exit(1)


@main.command()
@click.argument("workbook", type=PathArg)
@click.option(
    "--today",
    type=Day(),
    default=None,
    help="Count from this day (YYYY-MM-DD) instead of today.",
)
@click.option(
    "--max-active",
    type=click.IntRange(1, 100),
    default=None,
    help="How many employers may be active at once before you are told to park some "
    "(default: the workbook's target rules, else 5).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print a JSON list instead: one object per action with kind, date (YYYY-MM-DD), state "
    "(overdue, due, upcoming), reason, contact, organisation, and the ids it is about: "
    "contact_id, interview_id, organisation_id, open_question_id (null when not).",
)
def due(workbook: Path, today: Any, max_active: int | None, as_json: bool) -> None:
    """Print WORKBOOK's follow-up queue: what is overdue, due today, or coming up, and why.

    The rules (thank-you after 1 business day, a second contact after 3 and a nudge after 7
    business days without reply, check-ins at 30/60/90 days) are the workbook's own when set.

    Next actions come with them: debrief a meeting whose day has passed, confirm a meeting
    the contact agreed to, invite people identified but never asked (referrals first), find
    someone to ask an open question that has nobody, and keep at most --max-active employers
    active (one with an interview planned, invited or confirmed, or an invitation out).
    """
    import datetime as dt
    import json
    import textwrap

    from iivkit.method.next_actions import action_list
    from iivkit.workbook.store import Workbook

    day: dt.date = today.date() if today is not None else dt.date.today()
    with Workbook.read(workbook) as wb:
        items = action_list(wb, day, max_active=max_active)
    if as_json:
        click.echo(json.dumps([i.as_json() for i in items], indent=1, ensure_ascii=False))
        return
    counts = {s: sum(i.state == s for i in items) for s in ("overdue", "due", "upcoming")}
    click.echo(
        f"Follow-ups in {workbook} on {day.isoformat()}: {counts['overdue']} overdue, "
        f"{counts['due']} due today, {counts['upcoming']} coming up."
    )
    if not items:
        return
    click.echo("")
    click.echo(f"{'due':<11} {'state':<9} {'what':<15} {'interview':<9}  who")
    for item in items:
        kind = item.kind.replace("_", " ").replace("thank you", "thank-you")
        interview = "-" if item.interview_id is None else item.interview_id
        click.echo(f"{item.due_date.isoformat():<11} {item.state:<9} {kind:<15} {interview:<9}  {item.who}")
        for line in textwrap.wrap(item.why, width=88):
            click.echo(f"{'':<11} {line}")


@main.command()
@click.argument("workbook", type=PathArg)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The .ics file to write; an earlier calendar there is replaced, any other file refused.",
)
@click.option(
    "--today",
    type=Day(),
    default=None,
    help="Count from this day (YYYY-MM-DD) instead of today.",
)
@click.option(
    "--max-active",
    type=click.IntRange(1, 100),
    default=None,
    help="As for 'iivkit due'.",
)
def calendar(workbook: Path, out: Path, today: Any, max_active: int | None) -> None:
    """Write one calendar (.ics) of WORKBOOK's actions and meetings, each with an alarm.

    The actions are those of 'iivkit due' and those coming within 30 days, each on its day
    (an overdue one on today); the meetings are the interviews with a date. Each event keeps
    its UID from one run to the next, so importing the file again, or subscribing to it while
    it is rewritten (say, daily), updates the events instead of adding copies.
    """
    import datetime as dt

    from iivkit.method.calendar_feed import write_feed
    from iivkit.workbook.store import Workbook

    day: dt.date = today.date() if today is not None else dt.date.today()
    with Workbook.read(workbook) as wb:
        made = write_feed(wb, out, day, max_active=max_active)
    actions = "action" if made.actions == 1 else "actions"
    meetings = "meeting" if made.meetings == 1 else "meetings"
    click.echo(f"Wrote {out}: {made.actions} {actions} and {made.meetings} {meetings}, each with an alarm.")


@main.command()
@click.argument("workbook", type=PathArg)
@click.option("--contact", "contact_id", type=int, required=True, help="Id of the contact to plan for.")
@click.option(
    "--minutes", type=click.IntRange(5, 240), default=30, show_default=True, help="Length of the interview."
)
def plan(workbook: Path, contact_id: int, minutes: int) -> None:
    """Print a question plan for one contact, grouped by category with why, and its coverage.

    Every finding marked to test that concerns the contact becomes a springboard question; the
    plan opens with rapport and ends by asking who else to talk to.
    """
    from iivkit.method.planner import coverage, render_text
    from iivkit.method.planner import plan as make_plan
    from iivkit.workbook.store import Workbook

    with Workbook.read(workbook) as wb:
        the_plan = make_plan(wb, contact_id, minutes=minutes)
        gaps = coverage(the_plan, wb, contact_id)
    click.echo(render_text(the_plan, gaps), nl=False)


@main.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the reports and index.html (created if missing).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 512),
    default=None,
    help="Reports to run at once (default: twice the number of CPU cores).",
)
@click.option(
    "--interview",
    "interviews",
    type=click.IntRange(min=1),
    multiple=True,
    help="Report on this interview id in each workbook (repeatable); default: those done or debriefed.",
)
@click.option("--force", is_flag=True, help="Re-run reports even when their inputs have not changed.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=600.0,
    show_default=True,
    help="Seconds one report may take before it is stopped and marked failed.",
)
@click.option("--keep-notebooks", is_flag=True, help="Also keep each executed notebook (.ipynb).")
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run the reports on this Dask cluster (e.g. tcp://host:8786); needs iivkit[distributed].",
)
def report(
    paths: tuple[Path, ...],
    out: Path,
    jobs: int | None,
    interviews: tuple[int, ...],
    force: bool,
    timeout: float,
    keep_notebooks: bool,
    scheduler: str | None,
) -> None:
    """Make one HTML debrief report per interview in the workbooks at PATH..., and an index.

    PATH is a workbook or a folder searched for *.iiv files. Reports whose inputs (the
    interview's records, the report notebook, the iivkit version) have not changed since the
    last run into OUT are skipped. Exit status 1 if any report failed; see OUT/index.html.
    """
    from iivkit.reports.run import (
        FAILED,
        OK,
        STATE_FILE,
        UP_TO_DATE,
        find_workbooks,
        kernel_imports,
        make_reports,
    )
    from iivkit.workbook.files import refuse_inside

    if out.exists() and not out.is_dir():
        fail(f"{out}: is a file; choose a folder for the reports")
    if out.is_dir() and any(out.iterdir()) and not (out / STATE_FILE).exists():
        # Its index.html and reports would be overwritten: only reuse a folder of our own.
        fail(f"{out}: folder is not empty and holds no earlier reports; choose another --out")
    refuse_inside(out, paths)
    if not find_workbooks(paths):
        fail(f"no workbooks (*.iiv files) found in {', '.join(map(str, paths))}")
    with contextlib.ExitStack() as stack:
        execute = None
        if scheduler:
            from iivkit.batch.cluster import DaskExecutor, DaskUnavailable

            try:
                execute = stack.enter_context(DaskExecutor(scheduler, kernel_imports=kernel_imports()))
            except DaskUnavailable as exc:
                fail(str(exc))
        batch = make_reports(
            list(paths),
            out,
            execute=execute,
            jobs=jobs,
            interviews=list(interviews) or None,
            force=force,
            timeout=timeout,
            keep_notebooks=keep_notebooks,
        )
    click.echo(
        f"Reports: {batch.count(OK)} made, {batch.count(FAILED)} failed, "
        f"{batch.count(UP_TO_DATE)} up to date, in {batch.seconds:.1f} s."
    )
    for row in batch.rows:
        if row.status == FAILED:
            where = "" if row.error.startswith(str(row.workbook)) else f"{row.workbook}: "
            if row.interview is not None and f"interview {row.interview}" not in row.error:
                where += f"interview {row.interview}: "
            click.echo(f"  failed: {where}{row.error}", err=True)
    click.echo(f"Index: {batch.index}")
    if batch.failed:
        sys.exit(1)


@main.group()
def course() -> None:
    """Run the course with a class: feedback on the exercises for each student, and a class summary."""


@course.command("report")
@click.argument("class_dir", metavar="CLASS_DIR", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder for the feedback pages and index.html (created if missing).",
)
@click.option(
    "--layout",
    default="{student}/workbook.iiv",
    show_default=True,
    metavar="PATTERN",
    help="Where each student's workbook is under CLASS_DIR; {student} is the student's name, "
    "and * or ? match any text (e.g. '{student}/*.iiv', 'submitted/{student}.iiv').",
)
@click.option(
    "--anonymise",
    is_flag=True,
    help="Pseudonymise contacts' names, emails and phone numbers in every page (students keep their names).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 512),
    default=None,
    help="Pages to make at once (default: twice the number of CPU cores).",
)
@click.option("--force", is_flag=True, help="Re-make pages even when the workbooks have not changed.")
@click.option(
    "--records",
    is_flag=True,
    help="Also write each student's record of work (everything they entered, read-only) as "
    "OUT/<page>-work.html, linked from their page and the summary.",
)
@click.option(
    "--today",
    type=Day(),
    default=None,
    help="Count overdue follow-ups as of this day (YYYY-MM-DD) instead of today.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=600.0,
    show_default=True,
    help="Seconds one page may take before it is stopped and marked failed.",
)
def course_report_command(
    class_dir: Path,
    out: Path,
    layout: str,
    anonymise: bool,
    jobs: int | None,
    force: bool,
    today: Any,
    timeout: float,
    records: bool = False,
) -> None:
    """Make a feedback page per student of CLASS_DIR, and the class summary OUT/index.html.

    Each student's page says, per exercise, what is complete and what is missing, with hints.
    The summary lists every student, including those whose workbook is missing or unreadable,
    with the reason. Pages whose workbook has not changed since the last run into OUT are kept.
    Exit status 1 if a page or the summary could not be made.
    """
    from iivkit.course.roster import NO_WORKBOOK, check_layout, discover
    from iivkit.course.run import FAILED, OK, UP_TO_DATE, course_report
    from iivkit.workbook.files import refuse_inside

    if not class_dir.is_dir():
        fail(f"{class_dir}: no such class folder")
    if out.exists() and not out.is_dir():
        fail(f"{out}: is a file; choose a folder for the feedback pages")
    refuse_inside(out, [class_dir], what="the class folder")
    if not discover(class_dir, check_layout(layout)):
        fail(f"{class_dir}: no students found with the layout {layout!r}; check the folder or --layout")
    run = course_report(
        class_dir,
        out,
        layout=layout,
        anonymise=anonymise,
        jobs=jobs,
        force=force,
        timeout=timeout,
        today=today.date() if today else None,
        records=records,
    )
    missing = [r for r in run.rows if r.status == NO_WORKBOOK]
    click.echo(
        f"Feedback pages: {run.count(OK)} made, {run.count(FAILED)} failed, {run.count(UP_TO_DATE)} up to "
        f"date, {len(missing)} without a usable workbook; {len(run.rows)} students, in {run.seconds:.1f} s."
    )
    for row in missing:
        click.echo(f"  no workbook: {row.student}: {row.reason}")
    for row in run.rows:
        if row.status == FAILED:
            click.echo(f"  failed: {row.student}: {row.reason}", err=True)
    if run.summary_status == FAILED:
        click.echo(f"  failed: the class summary: {run.summary_error}", err=True)
    click.echo(f"Class summary: {run.index}" + (" (anonymised)" if anonymise else ""))
    if run.failed:
        sys.exit(1)


def _missing(value: Any) -> bool:
    """True for a missing value in a pandas frame: None, NaN or pandas' NA."""
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _plain(row: dict[Any, Any]) -> dict[str, Any]:
    """A frame's row as plain JSON values: numpy numbers as numbers, missing values as null."""
    return {str(k): None if _missing(v) else v.item() if hasattr(v, "item") else v for k, v in row.items()}


def _cut(text: str, width: int) -> str:
    """*text* in at most *width* characters, ending in '…' when it was cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


@main.command()
@click.argument("workbook", type=PathArg)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON instead of a table.")
@click.option(
    "--max-active",
    type=click.IntRange(1, 100),
    default=None,
    help="Warn when more organisations than this are active at once (default: the workbook's, else 5).",
)
@click.option(
    "--today",
    type=Day(),
    default=None,
    help="Count the active weeks back from this day (YYYY-MM-DD) instead of today.",
)
def targets(workbook: Path, as_json: bool, max_active: int | None, today: Any) -> None:
    """Print WORKBOOK's organisations ranked LAMP-style, each with why it sits where it does.

    The order is motivation (1-3), then job postings (relevant, some, none), then advocacy:
    3 points per person met, 2 per referral in and per alumni contact, 1 per person you know
    there. An organisation is active while a meeting or an invitation with it is under way
    (within the last 4 weeks, unless the workbook says otherwise); a warning follows when too many are.
    """
    import json
    import textwrap

    from iivkit.method.targets import target_list

    day = today.date() if today is not None else None
    found = target_list(workbook, today=day, max_active=max_active)
    table = found.table
    if as_json:
        rows = [_plain(row) for row in table.to_dict("records")]
        document = {
            "workbook": str(workbook),
            "today": found.today.isoformat(),
            "max_active": found.max_active,
            "active": found.active,
            "warning": found.warning,
            "targets": rows,
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    click.echo(
        f"Targets in {workbook} on {found.today.isoformat()}: {len(table)} organisations, "
        f"{found.active} active (at most {found.max_active})."
    )
    if table.empty:
        click.echo("No organisations yet: add the ones you want to work for, then rate them.")
        return
    click.echo("")
    click.echo(f"{'rank':<5} {'organisation':<32} {'motivation':<10} {'posting':<9} {'advocacy':<8}  active")
    for row in table.to_dict("records"):
        motivation = "-" if _missing(row["motivation"]) else str(row["motivation"])
        click.echo(
            f"{row['rank']:<5} {_cut(row['organisation'], 32):<32} {motivation:<10} {row['posting']:<9} "
            f"{row['advocacy']:<8}  {'yes' if row['active'] else 'no'}"
        )
        for line in textwrap.wrap(row["why"], width=88):
            click.echo(f"{'':<5} {line}")
    if found.warning:
        click.echo("")
        click.echo(f"Warning: {found.warning}.")


@main.command()
@click.argument("workbook", type=PathArg)
@click.option("--json", "as_json", is_flag=True, help="Print the funnel as JSON instead of tables.")
def funnel(workbook: Path, as_json: bool) -> None:
    """Print WORKBOOK's funnel: people invited, replied, met and giving a referral, with the rates.

    Overall and per organisation. Each rate is a stage's people over the stage before's.
    """
    import json

    from iivkit.method.funnel import RATES, STAGES, funnel_by_organisation
    from iivkit.method.funnel import funnel as overall_funnel
    from iivkit.workbook.store import Workbook

    with Workbook.read(workbook) as wb:
        overall = overall_funnel(wb)
        per_org = funnel_by_organisation(wb)

    if as_json:
        document = {
            "workbook": str(workbook),
            "overall": [_plain(r) for r in overall.to_dict("records")],
            "organisations": [_plain(r) for r in per_org.to_dict("records")],
        }
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return

    def pct(rate: Any) -> str:
        return "-" if _missing(rate) else f"{round(float(rate) * 100)}%"

    people = dict(zip(overall["stage"], overall["people"], strict=True))
    rates = dict(zip(overall["stage"], overall["rate"], strict=True))
    click.echo(
        f"Funnel in {workbook}: {people['invited']} invited, {people['replied']} replied "
        f"({pct(rates['replied'])}), {people['met']} met ({pct(rates['met'])}), "
        f"{people['referral']} gave a referral ({pct(rates['referral'])})."
    )
    if per_org.empty:
        return
    click.echo("")
    click.echo(
        f"{'organisation':<32} {'contacts':>8} {'invited':>7} {'replied':>12} {'met':>12} {'referral':>12}"
    )
    for row in per_org.to_dict("records"):
        cells = [f"{row['invited']:>7}"]
        for stage in STAGES[1:]:
            cells.append(f"{row[stage]} ({pct(row[RATES[stage]])})".rjust(12))
        click.echo(f"{_cut(str(row['organisation']), 32):<32} {row['contacts']:>8} " + " ".join(cells))


if __name__ == "__main__":  # python -m iivkit.cli
    main()
