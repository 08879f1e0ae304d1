"""One calendar file of a workbook's actions and meetings, to import into or subscribe from.

Every action of ``iivkit due`` (follow-ups and next actions, over the next
:data:`HORIZON_DAYS` days) becomes an all-day event with an alarm at :data:`ACTION_ALARM_AT`
on its day. One that is overdue sits on the day the file is written, so it stays in view.
Every interview with a date becomes the same event as its own ``.ics`` (see
:mod:`iivkit.method.calendar_export`), alarm included; a cancelled one is marked cancelled.

UIDs come from the workbook's own random id and what the event is about (the action's kind
and record ids, or the interview id), never from a date or the time of the run: writing the
file again and importing it updates the events instead of adding copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import icalendar

from iivkit import __version__
from iivkit.errors import IivkitError
from iivkit.method.calendar_export import ALARM_PROPERTIES, EVENT_PROPERTIES, alarm, interview_calendar
from iivkit.method.followups import load_rules
from iivkit.method.header_text import one_line
from iivkit.method.next_actions import Action, action_list
from iivkit.workbook.files import write_private
from iivkit.workbook.models import Interview, InterviewStatus
from iivkit.workbook.opening import open_in_this_process
from iivkit.workbook.store import Workbook

HORIZON_DAYS = 30
"""Actions falling due up to this many days ahead are in the calendar."""

ACTION_ALARM_AT = dt.timedelta(hours=9)
"""An action's alarm goes off at this time of day on its day."""

FEED_PROPERTIES = EVENT_PROPERTIES | {"STATUS"}
"""The only properties an event in the calendar has."""

LABELS = {
    "thank_you": "Thank-you",
    "second_contact": "Invite a second person",
    "nudge": "Nudge",
    "check_in": "Check in",
    "debrief": "Debrief",
    "confirm": "Confirm the meeting",
    "invite": "Invite",
    "find_someone": "Find someone to ask",
    "keep_active": "Keep at most a few employers active",
}
"""What each kind of action is called in an event's title."""


def action_uid(wb: Workbook, action: Action) -> str:
    """The action's UID: the same for the same kind about the same records, whatever its date.

    It mixes in the workbook's private salt, so two students' actions do not collide.
    """
    salt = wb.meta("pseudonym_salt") or str(wb.path)
    ids = ",".join(f"{name}={value}" for name, value in sorted(action.record_ids().items()))
    digest = hashlib.sha256(f"{salt}:{action.kind}:{ids}".encode()).hexdigest()[:20]
    return f"iivkit-{action.kind.replace('_', '-')}-{digest}@iivkit"


def action_event(wb: Workbook, action: Action, today: dt.date) -> icalendar.Event:
    """An all-day event for one action, with its alarm; an overdue one is put on *today*."""
    day = max(action.due_date, today)
    title = one_line(f"{LABELS.get(action.kind, action.kind)}: {action.who}")
    note = action.why
    if action.due_date < today:
        note += f" (Due since {action.due_date.isoformat()}.)"
    event = icalendar.Event()
    event.add("uid", action_uid(wb, action))
    event.add("dtstamp", dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", title)
    event.add("description", one_line(note))
    event.add_component(alarm(title, ACTION_ALARM_AT))
    return event


@dataclass(frozen=True)
class Feed:
    """A calendar of actions and meetings, and how many of each it holds."""

    calendar: icalendar.Calendar
    actions: int
    meetings: int


def feed(wb: Workbook, today: dt.date, *, max_active: int | None = None) -> Feed:
    """The workbook's actions (due, overdue, and coming within :data:`HORIZON_DAYS`) and meetings.

    :param max_active: as for ``iivkit due --max-active``.
    """
    rules = load_rules(wb)
    ahead = rules.model_copy(update={"upcoming_days": max(rules.upcoming_days, HORIZON_DAYS)})
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//iivkit//iivkit {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "iivkit: next actions and meetings")
    actions = action_list(wb, today, ahead, max_active=max_active)
    for action in actions:
        cal.add_component(action_event(wb, action, today))
    meetings = 0
    for interview in wb.all(Interview):
        assert interview.id is not None
        if interview.scheduled_at is None:
            continue
        own = interview_calendar(wb, interview.id)
        if own is None:
            continue
        (event,) = own.walk("VEVENT")
        if interview.status == InterviewStatus.cancelled:
            event.add("status", "CANCELLED")
        cal.add_component(event)
        meetings += 1
    if hasattr(cal, "add_missing_timezones"):  # icalendar >= 6.1; older clients read TZID alone
        cal.add_missing_timezones()
    return Feed(cal, len(actions), meetings)


def feed_ics(wb: Workbook, today: dt.date, *, max_active: int | None = None) -> tuple[bytes, Feed]:
    """The calendar as .ics bytes, read back first: each event and alarm with only the expected properties."""
    made = feed(wb, today, max_active=max_active)
    data = made.calendar.to_ical()
    read_back = icalendar.Calendar.from_ical(data)
    events = read_back.walk("VEVENT")
    fine = len(events) == made.actions + made.meetings and all(
        set(e.keys()) <= FEED_PROPERTIES
        and len(e.subcomponents) == 1
        and set(e.subcomponents[0].keys()) <= ALARM_PROPERTIES
        for e in events
    )
    if not fine:
        raise IivkitError("a value would add to a calendar event; the calendar was not written", file=wb.path)
    return data, made


_OURS = b"PRODID:-//iivkit//"
"""How the calendars this module writes begin (see the PRODID in :func:`feed_ics`)."""


def write_feed(wb: Workbook, out: Path, today: dt.date, *, max_active: int | None = None) -> Feed:
    """Write the calendar to *out*, readable by its owner only.

    An earlier calendar this command wrote at *out* is replaced; any other file (a workbook above
    all, someone's exported calendar, a device or a pipe) is refused.
    """
    if not out.parent.is_dir():
        raise IivkitError("the folder to write into does not exist", file=out.parent)
    if out.is_dir():
        raise IivkitError("is a folder; give the path of the .ics file to write", file=out)
    if out.exists() or out.is_symlink():
        if not out.is_file() or out.is_symlink():
            raise IivkitError(
                "is not a regular file (a device, pipe or link); choose another --out", file=out
            )
        if out.resolve() == wb.path.resolve() or open_in_this_process(out):
            raise IivkitError("is a workbook; a calendar never replaces one. Choose another --out", file=out)
        with out.open("rb") as fh:
            head = fh.read(512)
        if head.startswith(b"SQLite format 3\x00"):
            raise IivkitError("is a workbook; a calendar never replaces one. Choose another --out", file=out)
        # Only a calendar this command wrote is replaced: someone's exported calendar is not.
        if head and not (
            head.lstrip(b"\xef\xbb\xbf").upper().startswith(b"BEGIN:VCALENDAR") and _OURS in head
        ):
            raise IivkitError("exists and is not a calendar iivkit wrote; choose another --out", file=out)
    data, made = feed_ics(wb, today, max_active=max_active)
    write_private(out, data)
    return made
