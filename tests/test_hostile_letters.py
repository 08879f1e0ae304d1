"""Every workbook is untrusted input: letters from a hostile workbook run no code and forge no header.

A workbook may carry its own letter templates, and its names, subjects and places end up in
mail and calendar headers. These tests build hostile workbooks through the public API, or
write them by hand with sqlite3 as someone bypassing iivkit would, and then use them as a user
does: ``iivkit letters`` and ``iivkit check``. Every ``.eml`` written is read back with the
standard library's mail parser and every ``.ics`` with icalendar, and their headers and
properties must be exactly the ones iivkit means to write.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import typing
from collections.abc import Callable
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import icalendar
import pytest
from click.testing import Result
from pydantic import ValidationError

from iivkit import Contact, Finding, Insight, Interview, Organisation, Profile, Workbook
from iivkit.errors import IivkitError
from iivkit.method.letter_check import check_letter
from iivkit.method.letter_templates import set_template_override
from iivkit.method.letters import letter_context, render_letter, sample_values, template_override
from iivkit.workbook.models import (
    RECORD_TYPES,
    Category,
    ContactStatus,
    Medium,
    Record,
    is_multiline,
)

EML_HEADERS = sorted(
    ["content-transfer-encoding", "content-type", "date", "from", "mime-version", "subject", "to", "x-unsent"]
)
"""Every header of a draft, once each: nothing else, whatever the workbook says. (``From`` is
left out when the workbook has no usable profile.)"""

EVENT_PROPERTIES = {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "LOCATION", "DESCRIPTION"}
CALENDAR_PROPERTIES = {"VERSION", "PRODID"}
ALARM_PROPERTIES = {"ACTION", "TRIGGER", "DESCRIPTION"}

STUDENT_EMAIL = "lerato.dube@example.com"
CONTACT_EMAIL = "thandi.mokoena@example.org"


# -- building hostile workbooks ---------------------------------------------------------------------


def build(path: Path, **names: str) -> int:
    """A workbook with one scheduled video interview whose letters come from the templates.

    *names* may replace ``student``, ``contact``, ``organisation``, ``role``, ``place`` and
    ``keyword`` (through the public API, so they pass validation). Returns the interview id.
    """
    with Workbook.create(path) as wb:
        wb.add(
            Profile(
                name=names.get("student", "Lerato Dube"),
                email=STUDENT_EMAIL,
                current_qualification="BSc Psychology (final year)",
                previous_qualifications=["National Senior Certificate"],
                career_vision="I want to run community mental-health programmes.",
                careers_of_interest=["Health research"],
            )
        )
        org = wb.add(
            Organisation(name=names.get("organisation", "Ubuntu Health Trust"), main_business="Clinics.")
        )
        contact = wb.add(
            Contact(
                name=names.get("contact", "Thandi Mokoena"),
                role=names.get("role", "Research Manager"),
                organisation_id=org.id,
                email=CONTACT_EMAIL,
                status=ContactStatus.invited,
            )
        )
        wb.add(
            Finding(claim="The Trust is expanding its research unit.", organisation_id=org.id, to_test=True)
        )
        interview = wb.add(
            Interview(
                contact_id=contact.id,
                scheduled_at=dt.datetime(2026, 12, 8, 10, 0),
                timezone="Africa/Johannesburg",
                medium=Medium.video,
                place=names.get("place", "https://meet.example.org/abc-defg"),
                keywords=[names.get("keyword", "research careers")],
                invitation_sent=dt.date(2026, 11, 20),
            )
        )
        assert interview.id is not None
        return interview.id


def raw(path: Path, sql: str, *params: Any) -> None:
    """Write to the workbook file directly, as a hand-crafted file would, past every check."""
    conn = sqlite3.connect(path)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


def put_template(path: Path, name: str, text: str) -> None:
    raw(path, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", f"template:{name}", text)


# -- reading what was written -------------------------------------------------------------------------


def assert_safe_drafts(out: Path) -> int:
    """Every .eml in *out* has exactly the intended headers and one recipient; every .ics one
    event with exactly the intended properties. Returns how many files were checked."""
    checked = 0
    for eml in sorted(out.glob("*.eml")):
        msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        headers = sorted(k.lower() for k, _ in msg.items())
        assert headers in (EML_HEADERS, [h for h in EML_HEADERS if h != "from"]), (eml.name, msg.items())
        assert [a.addr_spec for a in msg["To"].addresses] == [CONTACT_EMAIL], msg["To"]
        if "from" in headers:
            assert [a.addr_spec for a in msg["From"].addresses] == [STUDENT_EMAIL], msg["From"]
        for _, value in msg.items():
            assert not re.search(r"[\r\n\x00-\x1f\x7f\x85\u2028\u2029]", str(value)), repr(value)
        assert msg.get_content_type() == "text/plain" and not msg.is_multipart()
        checked += 1
    for ics in sorted(out.glob("*.ics")):
        cal = icalendar.Calendar.from_ical(ics.read_bytes())
        assert set(cal.keys()) == CALENDAR_PROPERTIES
        assert {c.name for c in cal.subcomponents} <= {"VEVENT", "VTIMEZONE"}
        events = cal.walk("VEVENT")
        assert len(events) == 1
        assert set(events[0].keys()) == EVENT_PROPERTIES, sorted(events[0].keys())
        # Only the one-hour alarm iivkit adds: no other alarm or component smuggled in.
        (alarm,) = events[0].subcomponents
        assert alarm.name == "VALARM" and not alarm.subcomponents
        assert set(alarm.keys()) == ALARM_PROPERTIES, sorted(alarm.keys())
        assert str(alarm["ACTION"]) == "DISPLAY" and alarm.decoded("TRIGGER") == -dt.timedelta(hours=1)
        assert not re.search(r"[\x00-\x1f\x7f\x85\u2028\u2029]", str(alarm["DESCRIPTION"]))
        for key in ("SUMMARY", "LOCATION"):
            assert not re.search(r"[\x00-\x1f\x7f\x85\u2028\u2029]", str(events[0][key]))
        checked += 1
    return checked


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


# -- templates that reach outside -----------------------------------------------------------------------

OUTSIDE = "reaches outside the letter's data|is undefined"
TOO_BIG = "longer than|too large|too much memory|takes too long|too deeply|not available|No filter named"

CODE = [
    # The classic server-side template injection payloads, each of which would create the file.
    "{{ cycler.__init__.__globals__.os.popen('touch SENTINEL').read() }}",
    "{{ joiner.__init__.__globals__.os.popen('touch SENTINEL').read() }}",
    "{{ namespace.__init__.__globals__.os.popen('touch SENTINEL').read() }}",
    "{{ lipsum.__globals__['os'].popen('touch SENTINEL').read() }}",
    "{{ range.__init__.__globals__['os'].system('touch SENTINEL') }}",
    "{{ self.__init__.__globals__.__builtins__.__import__('os').system('touch SENTINEL') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch SENTINEL') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{% if 'warning' in x.__name__ %}"
    "{{ x()._module.__builtins__['__import__']('os').system('touch SENTINEL') }}{% endif %}{% endfor %}",
    "{{ contact.__class__.__init__.__globals__ }}",
    "{{ contact['__class__'] }}",
    "{{ contact.name.__class__.__base__.__subclasses__() }}",
    "{{ interview.scheduled_at.__class__.__init__ }}",
    "{{ profile.careers_of_interest.__class__ }}",
    "{{ config.__class__.__init__.__globals__['os'].popen('touch SENTINEL').read() }}",
    "{{ request.application.__globals__.__builtins__.__import__('os').popen('touch SENTINEL') }}",
    "{{ url_for.__globals__.os.popen('touch SENTINEL') }}",
    "{{ get_flashed_messages.__globals__.__builtins__.open('SENTINEL', 'w') }}",
    "{{ contact|attr('__class__') }}",
    # Methods are not data: even harmless-looking ones are refused (str.format walks attributes).
    "{{ '{0.__class__.__init__.__globals__}'.format(contact) }}",
    "{{ contact.name.format(contact) }}",
    "{{ contact.items() }}",
    "{{ profile.careers_of_interest.append('x') }}",
    "{{ interview.scheduled_at.strftime('%Y') }}",
    "{% set f = contact.name.upper %}{{ f() }}",
    "{{ contact.get('name') }}",
    "{{ interview.scheduled_at.fromtimestamp(0) }}",
    "{% block b %}x{% endblock %}{{ self.b() }}",
    "{{ contact|sort(attribute='__class__') }}",
    "{% set d = {'a': 1} %}{{ d.update({'b': 2}) }}",
]
HUGE = [
    "{{ 'x' * 10**9 }}",
    "{{ [1] * 10**9 }}",
    "{{ 10 ** (10 ** 9) }}",
    "{{ 9 ** 9 ** 9 ** 9 ** 9 }}",
    "{% for i in range(10**9) %}x{% endfor %}",
    "{{ '%0999999999d' % 1 }}",
    "{{ contact.name|center(999999999) }}",
    "{{ '{:>999999999}'.format(1) }}",
    "{% set s = 'x' * 90000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
    "{% set s = 'x' * 90000 %}{% for a in s %}{{ s }}{% endfor %}",
    "{% set s = 'x' * 90000 %}{{ s|replace('x', s) }}",
    "{% set s = 'x' * 90000 %}{{ s|list|join(s) }}",
    "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
    "{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",
    "{{ lipsum(n=10**9) }}",
    "x" * 60_000,
    "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "{% set l = [[1] * 99999] * 99999 %}{{ l }}",
    "{{ 2 ** 3999 * 2 ** 3999 }}",
]
BROKEN = [
    ("Subject: {{ contact.name }\n", "line 3: unexpected"),
    ("{% include 'secrets.txt' %}", "failed"),
    ("{% extends '/etc/passwd' %}", "failed"),
    ("{% import 'os' as os %}", "failed"),
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{{ contact.nickname }}", "nickname"),
]
TEMPLATE_CASES = (
    [pytest.param(t, OUTSIDE + "|No filter named 'attr'", id=f"code-{i}") for i, t in enumerate(CODE)]
    + [pytest.param(t, TOO_BIG + "|is undefined|reaches outside", id=f"huge-{i}") for i, t in enumerate(HUGE)]
    + [pytest.param(t, m, id=f"broken-{i}") for i, (t, m) in enumerate(BROKEN)]
)


@pytest.mark.parametrize(("body", "message"), TEMPLATE_CASES)
def test_a_hostile_workbook_template_fails_its_letter_and_check_reports_it(
    tmp_path: Path, cli: Callable[..., Result], body: str, message: str
) -> None:
    sentinel = tmp_path / "code-ran"
    wb = tmp_path / "hostile.iiv"
    interview = build(wb)
    put_template(wb, "invitation", "Subject: Hello\n\n" + body.replace("SENTINEL", str(sentinel)))
    out = tmp_path / "letters"

    result = cli("letters", wb, "--interview", interview, "--out", out)

    no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "invitation: NOT READY" in result.output
    problems = [line for line in result.output.splitlines() if "the template could not be filled in" in line]
    assert len(problems) == 1, result.output
    assert re.search(message, problems[0]), problems[0]
    assert "confirmation: ready" in result.output  # the shipped templates are unharmed
    assert assert_safe_drafts(out) == 4  # invitation, confirmation, nudge and the event
    assert not sentinel.exists()

    checked = cli("check", wb)

    no_traceback(checked)
    assert checked.exit_code == 1, checked.output
    assert checked.output.startswith(f"{wb}: PROBLEMS")
    (line,) = [line for line in checked.output.splitlines() if "letter template" in line]
    assert "letter template 'invitation' (setting 'template:invitation') would fail" in line
    assert re.search(message, line), line
    assert not sentinel.exists()


@pytest.mark.parametrize("body", [*CODE[:10], *HUGE[:5]])
def test_a_hostile_template_saved_through_the_api_only_makes_its_letter_not_ready(
    tmp_path: Path, cli: Callable[..., Result], body: str
) -> None:
    sentinel = tmp_path / "code-ran"
    wb = tmp_path / "w.iiv"
    interview = build(wb)
    with Workbook.open(wb) as book:
        set_template_override(book, "nudge", "Subject: Hi\n\n" + body.replace("SENTINEL", str(sentinel)))
        assert template_override(book, "nudge") is not None
        letter = render_letter(book, interview, "nudge")
    assert letter.template_error and not check_letter(letter).ready
    assert any("the template could not be filled in" in p for p in check_letter(letter).problems)

    result = cli("letters", wb, "--interview", interview, "--out", tmp_path / "out")

    no_traceback(result)
    assert result.exit_code == 1 and "nudge: NOT READY" in result.output
    assert assert_safe_drafts(tmp_path / "out") == 4
    assert not sentinel.exists()


def test_saving_a_template_with_a_syntax_error_or_past_the_size_limit_is_refused(tmp_path: Path) -> None:
    build(tmp_path / "w.iiv")
    with Workbook.open(tmp_path / "w.iiv") as wb:
        for text, message in [
            ("Subject: {% for %}", "line 1"),
            ("Subject: " + "{{ (" * 2000 + "1" + ") }}" * 2000, "letter template 'nudge'"),
            ("x" * 60_000, "longer than 50,000 characters"),
        ]:
            with pytest.raises(IivkitError, match=message):
                set_template_override(wb, "nudge", text)
        assert template_override(wb, "nudge") is None


def test_a_sound_workbook_template_still_works_and_passes_check(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    wb = tmp_path / "own.iiv"
    interview = build(wb)
    own = (
        "Subject: Following up about {{ organisation.name | upper }}\n\n"
        "Dear {{ contact.name }},\n\n{% for k in interview.keywords %}{{ loop.index }}. {{ k | title }}\n"
        "{% endfor %}I wrote on {{ interview.invitation_sent }} about {{ organisation.name }}; "
        "{{ interview.scheduled_at.year }}.\n\n{{ profile.signature }}\n"
    )
    with Workbook.open(wb) as book:
        set_template_override(book, "nudge", own)

    result = cli("letters", wb, "--interview", interview, "--out", tmp_path / "out")
    no_traceback(result)
    assert "nudge: ready" in result.output, result.output
    body = (tmp_path / "out" / f"interview-{interview}-nudge.md").read_text(encoding="utf-8")
    assert "# Following up about UBUNTU HEALTH TRUST" in body
    assert "1. Research Careers" in body and "2026." in body
    assert cli("check", wb).exit_code == 0


def test_the_example_data_templates_are_tried_on_has_the_shape_of_a_real_letters_data(tmp_path: Path) -> None:
    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        if isinstance(value, list):
            return [shape(value[0])] if value else []
        return type(value).__name__

    interview = build(tmp_path / "w.iiv")
    with Workbook.open(tmp_path / "w.iiv") as wb:
        wb.add(Insight(interview_id=interview, text="Volunteer first."))
        real, _ = letter_context(wb, wb.get(Interview, interview))
    assert shape(sample_values()) == shape(real)


# -- values that try to add a header ------------------------------------------------------------------

ENCODED = [
    "=?utf-8?q?x=0D=0ABcc:_evil@x.org?=",
    "=?UTF-8?Q?x=0D=0ABcc:_evil@x.org?=",
    "=?utf-8?b?eA0KQmNjOiBldmlsQHgub3Jn?=",
    "=?iso-8859-1?q?x=0ACc:_evil@x.org?=",
    "Ann =?utf-8?q?=0D=0A?=Bcc: evil@x.org",
    "=?utf-8?q?x=0D=0A=0D=0A?=body starts here",
    "=?utf-8*en?q?x=0D=0AReply-To:_evil@x.org?=",
    "=?utf-8?q?=0AX-Unsent:_0?=",
    '"Thandi" <evil@x.org>, other@y.org',
    "Thandi, Bcc: evil@x.org",
    "undisclosed-recipients:;",
    "(comment) evil@x.org",
    "Zoë =?utf-8?q?=E2=80=A8Bcc:_evil@x.org?= Müller",
    "=?utf-8?q?x=0D=0ABEGIN:VALARM=0D=0AACTION:EMAIL?=",
    "x;ATTENDEE=mailto:evil@x.org:y, z\\nATTENDEE:mailto:evil@x.org",
    "=?" * 40,
]


@pytest.mark.parametrize("value", ENCODED)
def test_names_subjects_and_places_add_no_header_or_calendar_property(
    tmp_path: Path, cli: Callable[..., Result], value: str
) -> None:
    wb = tmp_path / "w.iiv"
    interview = build(
        wb, student=value, contact=value, organisation=value, role=value, place=value, keyword=value
    )
    with Workbook.open(wb) as book:
        set_template_override(
            book,
            "nudge",
            f"Subject: {value} {{{{ contact.name }}}} {value}\n\nDear {{{{ contact.name }}}},\n",
        )
    out = tmp_path / "out"

    result = cli("letters", wb, "--interview", interview, "--out", out)

    no_traceback(result)
    # The short nudge template above is not a letter ready to send (exit 1); the others are.
    assert result.exit_code == 1, result.output
    assert "nudge: NOT READY" in result.output and "invitation: ready" in result.output
    assert assert_safe_drafts(out) == 4
    nudge = BytesParser(policy=policy.default).parsebytes(
        (out / f"interview-{interview}-nudge.eml").read_bytes()
    )
    assert nudge["To"].addresses[0].display_name.strip('"')
    assert "Bcc" not in {k for k, _ in nudge.items()}


STORED_BREAKS = [
    "\r\nBcc: evil@x.org",
    "\nBcc: evil@x.org",
    "\rBcc: evil@x.org",
    "\x85Bcc: evil@x.org",
    "\u2028Bcc: evil@x.org",
    "\x0bBcc: evil@x.org",
    "\x00Bcc: evil@x.org",
    "\tBcc: evil@x.org",
]
STORED_FIELDS = [
    ("contacts", "name"),
    ("contacts", "role"),
    ("organisations", "name"),
    ("profile", "name"),
    ("interviews", "place"),
    ("interviews", "timezone"),
]


@pytest.mark.parametrize("breaker", STORED_BREAKS, ids=lambda s: repr(s[0]))
@pytest.mark.parametrize(("table", "column"), STORED_FIELDS, ids=lambda s: s)
def test_a_hand_made_workbook_with_line_breaks_in_names_adds_no_header(
    tmp_path: Path, cli: Callable[..., Result], table: str, column: str, breaker: str
) -> None:
    wb = tmp_path / "hand-made.iiv"
    interview = build(wb)
    raw(wb, f"UPDATE {table} SET {column} = {column} || ?", breaker)
    out = tmp_path / "out"

    result = cli("letters", wb, "--interview", interview, "--out", out)

    no_traceback(result)
    if table != "profile":
        # A letter's own records are refused as they are read: one line naming the field.
        assert result.exit_code == 2, result.output
        assert result.output.count("\n") == 1 and f"field '{column}'" in result.output, result.output
        assert not out.exists() or not list(out.glob("*.eml"))
    else:
        # A damaged profile is left out (as if not filled in): the letters are written without
        # it, as drafts that are not ready to send.
        assert result.exit_code == 1, result.output
        assert list(out.glob("*.eml")), "letters written without the value are drafts to check"
        assert_safe_drafts(out)

    checked = cli("check", wb)
    no_traceback(checked)
    assert checked.exit_code == 1, checked.output
    assert f"'{column}'" in checked.output, checked.output


def test_a_hand_made_keyword_list_with_line_breaks_adds_no_header(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    wb = tmp_path / "hand-made.iiv"
    interview = build(wb)
    raw(wb, "UPDATE interviews SET keywords = ?", json.dumps(["pay\r\nBcc: evil@x.org", "x\nEND:VEVENT"]))

    result = cli("letters", wb, "--interview", interview, "--out", tmp_path / "out")

    no_traceback(result)
    if result.exit_code == 2:
        assert "field 'keywords.0'" in result.output, result.output
    else:
        assert list((tmp_path / "out").glob("*.eml")), result.output
        assert_safe_drafts(tmp_path / "out")
    assert cli("check", wb).exit_code == 1


@pytest.mark.parametrize(
    "subject",
    [
        "Hi\r\nBcc: evil@x.org",
        "Hi\rBcc: evil@x.org",
        "Hi\x0bBcc: evil@x.org",
        "Hi\x85Bcc: evil@x.org",
        "Hi\u2028Bcc: evil@x.org",
        "Hi =?utf-8?q?=0D=0ABcc:_evil@x.org?=",
        "Hi\x00\x1b[31m",
    ],
    ids=repr,
)
def test_a_template_subject_line_adds_no_header(
    tmp_path: Path, cli: Callable[..., Result], subject: str
) -> None:
    wb = tmp_path / "w.iiv"
    interview = build(wb)
    put_template(wb, "nudge", f"Subject: {subject}\nBcc: evil@x.org\n\nDear {{{{ contact.name }}}},\n")
    out = tmp_path / "out"

    result = cli("letters", wb, "--interview", interview, "--out", out)

    no_traceback(result)
    assert assert_safe_drafts(out) == 4
    nudge = BytesParser(policy=policy.default).parsebytes(
        (out / f"interview-{interview}-nudge.eml").read_bytes()
    )
    assert str(nudge["Subject"]).startswith("Hi")


# -- single-line fields refuse line breaks and control characters --------------------------------------

BAD_IN_ONE_LINE = [
    "\n",
    "\r",
    "\r\n",
    "\x85",
    "\u2028",
    "\u2029",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x00",
    "\t",
    "\x7f",
    "\x9b",
    "\u202e",
    "\u2066",
    "\u200b",
    "\ufeff",
]
BAD_IN_TEXT = ["\x00", "\x1b", "\x0b", "\x0c", "\x7f", "\x01"]
BASE: dict[type[Record], dict[str, Any]] = {
    Profile: {"name": "Lerato"},
    Organisation: {"name": "Trust"},
    Finding: {"claim": "A claim."},
    Contact: {"name": "Thandi"},
    Interview: {"contact_id": 1},
}
SPECIAL_VALUES = {"phone": "+27 82 {} 555 0100", "timezone": "Africa/{}Johannesburg"}


def _text_fields(multiline: bool) -> list[tuple[type[Record], str]]:
    out = []
    for model in RECORD_TYPES:
        for name, info in model.model_fields.items():
            annotation = info.annotation
            if typing.get_origin(annotation) is list:
                (item,) = typing.get_args(annotation)
                if typing.get_origin(item) is typing.Annotated and typing.get_args(item)[0] is str:
                    out += [] if multiline else [(model, name)]
            elif annotation is str and is_multiline(info) == multiline:
                out.append((model, name))
    return out


def _base(model: type[Record]) -> dict[str, Any]:
    required = {
        "category": Category.background.value,
        "text": "Question?",
        "interview_id": 1,
        "finding_id": 1,
    }
    base = dict(BASE.get(model, {}))
    for name, info in model.model_fields.items():
        if info.is_required() and name not in base:
            base[name] = required[name]
    return base


def _value(model: type[Record], field: str, bad: str) -> Any:
    if field in ("website", "source_link"):
        return f"https://example.org/a{bad}b"
    text = SPECIAL_VALUES.get(field, "Thandi {}Mokoena").format(bad)
    info = model.model_fields[field]
    return [text] if typing.get_origin(info.annotation) is list else text


@pytest.mark.parametrize("bad", BAD_IN_ONE_LINE, ids=repr)
@pytest.mark.parametrize(
    ("model", "field"), _text_fields(multiline=False), ids=lambda v: getattr(v, "__name__", v)
)
def test_every_single_line_field_refuses_line_breaks_and_control_characters(
    model: type[Record], field: str, bad: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        model.model_validate({**_base(model), field: _value(model, field, bad)})
    (error,) = caught.value.errors()
    assert error["loc"][0] == field
    assert re.search("one line|control character|NUL|invisible character", error["msg"]), error["msg"]


def test_a_right_to_left_override_in_a_name_is_refused_by_its_code_and_name() -> None:
    with pytest.raises(ValidationError) as caught:
        Contact.model_validate({"name": "Ana \u202eevil.exe"})
    (error,) = caught.value.errors()
    assert error["loc"] == ("name",)
    assert error["msg"] == (
        "Value error, contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE), which can make "
        "text show differently from what it says; remove it"
    )


@pytest.mark.parametrize(
    "name",
    ["\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\u0915\u094d\u200d\u0937", "Ali \u200fRezaei"],
    ids=["persian-zwnj", "devanagari-zwj", "rlm"],
)
def test_the_joiners_and_marks_some_scripts_need_are_kept_in_names(name: str) -> None:
    assert Contact.model_validate({"name": name}).name == name


@pytest.mark.parametrize(
    ("model", "field"), _text_fields(multiline=True), ids=lambda v: getattr(v, "__name__", v)
)
def test_multi_line_fields_keep_line_breaks_but_refuse_other_control_characters(
    model: type[Record], field: str
) -> None:
    kept = model.model_validate({**_base(model), field: "First line\r\nsecond\tline\rthird"})
    assert getattr(kept, field) == "First line\nsecond\tline\nthird"
    for bad in BAD_IN_TEXT:
        with pytest.raises(ValidationError, match=field):
            model.model_validate({**_base(model), field: f"Some {bad} text"})


@pytest.mark.parametrize(
    ("table", "field"),
    [("contacts", "name"), ("organisations", "name"), ("interviews", "place"), ("profile", "name")],
)
def test_importing_a_name_with_a_line_break_is_refused_naming_the_field(
    tmp_path: Path,
    cli: Callable[..., Result],
    good_document: Callable[[], dict[str, Any]],
    table: str,
    field: str,
) -> None:
    document = good_document()
    target = document[table] if table == "profile" else document[table][0]
    target[field] = "Sipho\r\nBcc: evil@x.org"
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document), encoding="utf-8")

    result = cli("import", tmp_path / "new.iiv", source)

    no_traceback(result)
    assert result.exit_code == 2, result.output
    assert result.output.count("\n") == 1 and f"field '{field}'" in result.output, result.output
    assert "one line" in result.output


# -- the class run ---------------------------------------------------------------------------------------


def test_a_hostile_students_templates_run_nothing_on_their_feedback_page(tmp_path: Path) -> None:
    """What ``iivkit course report`` runs for each student's page, on a hostile student's workbook."""
    from iivkit.course.data import student_page

    sentinel = tmp_path / "code-ran"
    wb = tmp_path / "mallory" / "workbook.iiv"
    wb.parent.mkdir()
    build(wb)
    # Saved letters without a subject line: the subject comes from the (hostile) templates.
    raw(
        wb,
        "UPDATE interviews SET invitation_text = ?, confirmation_text = ?",
        "Dear Thandi, I am Lerato.",
        "See you.",
    )
    put_template(wb, "invitation", "Subject: {{ cycler.__init__.__globals__.os.popen('touch SENTINEL') }}")
    raw(wb, "UPDATE meta SET value = replace(value, 'SENTINEL', ?)", str(sentinel))
    put_template(wb, "confirmation", "Subject: {{ 'x' * 10**9 }}\n")

    page = student_page(wb, student="mallory")

    assert not sentinel.exists()
    (letters,) = [f for f in page.feedback if f.number == 3]
    problems = [note for p in letters.points for note in p.notes if "no subject line" in note]
    # The saved text is the letter; the template that should have given it a subject gave none.
    assert len(problems) == 2, [p.message for p in letters.points]


# -- no other template is ever made from workbook text ------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "iivkit"
COMPILED_FROM_A_VARIABLE = {
    ("method/template_worker.py", "_compiled"),  # letter templates: the restricted environment, apart
    ("ui/presentation.py", "template"),  # the one page environment; its callers are checked below
}
PAGE_TEMPLATE_FROM_A_VARIABLE = {
    ("reports/run.py", "write_index"),  # iivkit/templates/report_index.html.j2, read from the package
}


def _compiling_calls(names: tuple[str, ...]) -> set[tuple[str, str]]:
    """(module, function) of every call to one of *names* whose arguments are not all string constants."""
    import ast

    found: set[tuple[str, str]] = set()
    for module in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in names:
                continue
            if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args):
                continue
            scope: ast.AST = node
            while scope in parents and not isinstance(scope, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scope = parents[scope]
            found.add((module.relative_to(PACKAGE).as_posix(), getattr(scope, "name", "<module>")))
    return found


def test_every_other_jinja_template_is_a_constant_in_the_package() -> None:
    """Report, course and app pages compile only their own constant templates; workbook text is data."""
    assert _compiling_calls(("from_string", "Template", "compile_expression")) == COMPILED_FROM_A_VARIABLE
    # The shared page environment compiles whatever it is handed, so every caller must hand it
    # a constant, or (one case) a template file shipped in the package.
    assert _compiling_calls(("template",)) == PAGE_TEMPLATE_FROM_A_VARIABLE


def test_an_international_address_is_written_in_ascii_or_named_as_not_sendable(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    wb = tmp_path / "w.iiv"
    interview = build(wb)
    with Workbook.open(wb) as book:
        contact = book.all(Contact)[0]
        book.update(contact.model_copy(update={"email": "thandi@bücher.de"}))

    assert cli("letters", wb, "--interview", interview, "--out", tmp_path / "idn").exit_code == 0
    msg = BytesParser(policy=policy.default).parsebytes(
        (tmp_path / "idn" / "interview-1-nudge.eml").read_bytes()
    )
    assert [a.addr_spec for a in msg["To"].addresses] == ["thandi@xn--bcher-kva.de"]

    with Workbook.open(wb) as book:
        contact = book.all(Contact)[0]
        book.update(contact.model_copy(update={"email": "δοκιμή@παράδειγμα.δοκιμή"}))
    result = cli("letters", wb, "--interview", interview, "--out", tmp_path / "utf8")

    assert result.exit_code == 1
    assert result.output.count("cannot go into a mail draft") == 3, result.output
    msg = BytesParser(policy=policy.default).parsebytes(
        (tmp_path / "utf8" / "interview-1-nudge.eml").read_bytes()
    )
    assert not any(a.username or a.domain for a in msg["To"].addresses), msg["To"]
    assert sorted(k.lower() for k, _ in msg.items()) == EML_HEADERS


def test_as_a_program_a_hostile_workbook_gives_exit_statuses_and_no_traceback(
    tmp_path: Path, run_iivkit: Callable[..., Any]
) -> None:
    sentinel = tmp_path / "code-ran"
    wb = tmp_path / "hostile.iiv"
    interview = build(wb)
    put_template(
        wb, "confirmation", "Subject: x\n\n{{ lipsum.__globals__['os'].popen('touch SENTINEL').read() }}"
    )
    raw(wb, "UPDATE meta SET value = replace(value, 'SENTINEL', ?)", str(sentinel))

    letters = run_iivkit("letters", wb, "--interview", interview, "--out", tmp_path / "out")
    checked = run_iivkit("check", wb)

    assert (letters.returncode, checked.returncode) == (1, 1), (letters.stdout, letters.stderr)
    assert "Traceback" not in letters.stderr + checked.stderr
    assert "confirmation: NOT READY" in letters.stdout
    assert "letter template 'confirmation'" in checked.stdout
    assert not sentinel.exists()
    assert assert_safe_drafts(tmp_path / "out") == 4


def test_template_syntax_in_a_name_is_shown_as_text_never_run(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    wb = tmp_path / "w.iiv"
    interview = build(wb, contact="{{ 7 * 7 }} {% for x in 'ab' %}X{% endfor %}")

    result = cli("letters", wb, "--interview", interview, "--out", tmp_path / "out")

    no_traceback(result)
    text = (tmp_path / "out" / f"interview-{interview}-invitation.md").read_text(encoding="utf-8")
    assert "**To:** {{ 7 * 7 }} {% for x in 'ab' %}X{% endfor %} <" in text
    assert "Dear {{," in text  # the first name, as text
    assert "49" not in text and "XX" not in text
