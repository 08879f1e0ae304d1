"""Calendar events (.ics) for scheduled interviews, in the interview's own time zone, with an alarm."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import icalendar

from iivkit import __version__
from iivkit.errors import IivkitError
from iivkit.method.header_text import one_line
from iivkit.workbook.models import Contact, Interview, Organisation
from iivkit.workbook.store import Workbook


def event_uid(wb: Workbook, interview_id: int) -> str:
    """A UID that stays the same each time the event is exported, so calendars update it.

    It mixes in the workbook's private salt, so two students' interview 1 do not collide.
    """
    salt = wb.meta("pseudonym_salt") or str(wb.path)
    digest = hashlib.sha256(f"{salt}:{interview_id}".encode()).hexdigest()[:20]
    return f"iivkit-interview-{interview_id}-{digest}@iivkit"


MEETING_ALARM_BEFORE = dt.timedelta(hours=1)
"""How long before a meeting its alarm goes off."""

ALARM_PROPERTIES = frozenset({"ACTION", "TRIGGER", "DESCRIPTION"})
"""The only properties an event's alarm has."""


def alarm(description: str, trigger: dt.timedelta) -> icalendar.Alarm:
    """A display alarm *trigger* after the event's start (negative: before it)."""
    valarm = icalendar.Alarm()
    valarm.add("action", "DISPLAY")
    valarm.add("trigger", trigger)
    valarm.add("description", one_line(description))
    return valarm


def interview_calendar(wb: Workbook, interview_id: int) -> icalendar.Calendar | None:
    """A calendar with one event for the interview, or None when it has no date yet.

    DTSTART and DTEND carry the interview's time zone (TZID), with a VTIMEZONE for it.
    """
    interview = wb.get(Interview, interview_id)
    if interview.scheduled_at is None:
        return None
    contact = wb.get(Contact, interview.contact_id)
    org = wb.get(Organisation, contact.organisation_id) if contact.organisation_id else None
    start = interview.scheduled_at.replace(tzinfo=ZoneInfo(interview.timezone))
    # Every value from the workbook is made one clean line: icalendar escapes line breaks, but
    # not every calendar reads other control characters or line separators the same way.
    who = one_line(contact.name) + (f" ({one_line(org.name)})" if org else "")

    description = [f"Informational interview with {who}."]
    if contact.role:
        description.append(f"Role: {one_line(contact.role)}")
    description.append(f"How: {interview.medium.value.replace('_', ' ')}")
    if interview.keywords:
        description.append("Topics: " + ", ".join(one_line(k) for k in interview.keywords))

    event = icalendar.Event()
    event.add("uid", event_uid(wb, interview_id))
    event.add("dtstamp", dt.datetime.now(dt.timezone.utc).replace(microsecond=0))
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=interview.duration_minutes))
    event.add("summary", f"Informational interview: {who}")
    if one_line(interview.place):
        event.add("location", one_line(interview.place))
    event.add("description", "\n".join(description))
    event.add_component(alarm(f"Informational interview with {who} in an hour", -MEETING_ALARM_BEFORE))

    cal = icalendar.Calendar()
    cal.add("prodid", f"-//iivkit//iivkit {__version__}//EN")
    cal.add("version", "2.0")
    cal.add_component(event)
    if hasattr(cal, "add_missing_timezones"):  # icalendar >= 6.1; older clients read TZID alone
        cal.add_missing_timezones()
    return cal


EVENT_PROPERTIES = frozenset({"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION"})
"""The only properties an interview's event has."""


def interview_ics(wb: Workbook, interview_id: int) -> bytes | None:
    """The interview's event as .ics bytes, or None when it has no date yet.

    The bytes are read back first: one event with one alarm, and no property but
    :data:`EVENT_PROPERTIES` (:data:`ALARM_PROPERTIES` in the alarm), whatever the workbook's
    text says.
    """
    cal = interview_calendar(wb, interview_id)
    if cal is None:
        return None
    data = cal.to_ical()
    read_back = icalendar.Calendar.from_ical(data)
    events, alarms = read_back.walk("VEVENT"), read_back.walk("VALARM")
    if (
        len(events) != 1
        or not set(events[0].keys()) <= EVENT_PROPERTIES
        or len(alarms) != 1
        or not set(alarms[0].keys()) <= ALARM_PROPERTIES
    ):
        raise IivkitError(
            "a value would add to the calendar event; the .ics was not written",
            file=wb.path,
            record=f"interview {interview_id}",
        )
    return data
