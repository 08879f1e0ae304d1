"""Letters: every part the method asks for, a check that names what is missing, and exports
that mail and calendar programs can open (.eml drafts, .ics events)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from iivkit import Contact, Finding, FindingOutcome, Insight, Interview, Organisation, Profile, Workbook
from iivkit.errors import IivkitError
from iivkit.method.calendar_export import interview_calendar, interview_ics
from iivkit.method.drafts import letter_email, letter_markdown, write_drafts
from iivkit.method.letter_check import check_letter
from iivkit.method.letter_templates import clear_template_override, set_template_override
from iivkit.method.letters import letters_for, render_letter, shipped_template, template_override
from iivkit.workbook.models import ContactStatus, InsightKind, InterviewStatus, Medium, Outcome

PLACEHOLDER_SIGNS = ("{{", "{%", "[MISSING", "[TODO")


def build_workbook(path: Path) -> tuple[Workbook, Interview]:
    """A student, one organisation, one contact and one scheduled video interview."""
    wb = Workbook.create(path)
    wb.add(
        Profile(
            name="Lerato Dube",
            email="lerato.dube@example.com",
            current_qualification="BSc Psychology (final year)",
            previous_qualifications=["National Senior Certificate"],
            career_vision="I want to run community mental-health programmes and measure what they achieve.",
            careers_of_interest=["Health research", "programme management"],
        )
    )
    org = wb.add(
        Organisation(name="Ubuntu Health Trust", main_business="Community health programmes in Gauteng.")
    )
    contact = wb.add(
        Contact(
            name="Thandi Mokoena",
            role="Research Manager",
            organisation_id=org.id,
            email="thandi.mokoena@example.org",
            status=ContactStatus.invited,
        )
    )
    wb.add(
        Finding(
            claim="The Trust is expanding its research unit in 2027.",
            organisation_id=org.id,
            to_test=True,
            source_title="Annual report 2025",
        )
    )
    wb.add(Finding(claim="Clinics in Soweto close at 16:00.", organisation_id=org.id, to_test=False))
    interview = wb.add(
        Interview(
            contact_id=contact.id,
            scheduled_at=dt.datetime(2026, 12, 8, 10, 0),
            timezone="Africa/Johannesburg",
            duration_minutes=30,
            medium=Medium.video,
            place="https://meet.example.org/abc-defg",
            keywords=["research careers", "entry-level salaries", "internships"],
            invitation_sent=dt.date(2026, 11, 20),
        )
    )
    return wb, interview


@pytest.fixture
def wb_iv(tmp_path: Path):
    wb, interview = build_workbook(tmp_path / "letters.iiv")
    yield wb, interview
    wb.close()


def debrief(wb: Workbook, interview: Interview) -> Interview:
    """Mark the interview debriefed, with a salary remark and one piece of advice."""
    assert interview.id is not None
    wb.add(Insight(interview_id=interview.id, kind=InsightKind.salary, text="Assistants start near R18,000."))
    wb.add(
        Insight(
            interview_id=interview.id,
            kind=InsightKind.advice,
            text="Volunteer at a clinic open day before applying; managers remember faces.",
        )
    )
    return wb.update(interview.model_copy(update={"status": InterviewStatus.debriefed}))


def assert_no_placeholder(text: str) -> None:
    for sign in PLACEHOLDER_SIGNS:
        assert sign not in text, f"{sign!r} left in:\n{text}"


# -- what the letters say ---------------------------------------------------------------------


def test_invitation_says_who_you_are_why_this_organisation_the_purpose_and_the_research(wb_iv):
    wb, interview = wb_iv
    letter = render_letter(wb, interview.id, "invitation")
    check = check_letter(letter)

    assert check.ready, check.problems
    assert letter.subject
    for part in (
        "Lerato Dube",
        "I am in the final year of a BSc Psychology.",
        "Before that I completed a National Senior Certificate.",
        "Ubuntu Health Trust",
        "community mental-health programmes",
        "I understand that the Ubuntu Health Trust works on community health programmes in Gauteng.",
        "purpose",
        "career development",
        "careers in health research and programme management",
        "research that I would like to share with you and check",
        "- The Trust is expanding its research unit in 2027 (Annual report 2025)",
    ):
        assert part in letter.body
    assert "Soweto" not in letter.body, "only findings marked to test are listed"
    assert_no_placeholder(letter.text)


def test_confirmation_gives_date_time_zone_link_length_and_every_keyword(wb_iv):
    wb, interview = wb_iv
    letter = render_letter(wb, interview.id, "confirmation")

    assert check_letter(letter).ready
    assert "Tuesday 8 December 2026" in letter.subject
    for part in ("Tuesday 8 December 2026", "10:00", "(Johannesburg time, UTC+02:00)", "30 minutes"):
        assert part in letter.body
    assert "Africa/Johannesburg" not in letter.body, "the zone by its city, as people say it"
    assert "https://meet.example.org/abc-defg" in letter.body
    for keyword in interview.keywords:
        assert f"- {keyword}" in letter.body


def test_thank_you_names_a_specific_insight_from_the_debrief(wb_iv):
    wb, interview = wb_iv
    debrief(wb, interview)
    letter = render_letter(wb, interview.id, "thank_you")

    assert check_letter(letter).ready
    assert "Your advice has stayed with me: volunteer at a clinic open day before applying" in letter.body, (
        "advice is preferred to salary"
    )
    assert "Thank you" in letter.body


def test_nudge_recalls_the_unanswered_invitation(wb_iv):
    wb, interview = wb_iv
    letter = render_letter(wb, interview.id, "nudge")

    assert check_letter(letter).ready
    assert "Friday 20 November 2026" in letter.body
    assert letter.subject.startswith("Following up")


def test_which_letters_an_interview_needs_follows_its_progress(wb_iv):
    wb, interview = wb_iv
    assert letters_for(wb, interview.id) == ["invitation", "confirmation", "nudge"]
    debrief(wb, interview)
    assert letters_for(wb, interview.id) == ["invitation", "confirmation", "thank_you"]


# -- the check ----------------------------------------------------------------------------------


def test_check_reports_the_word_count(wb_iv):
    wb, interview = wb_iv
    letter = render_letter(wb, interview.id, "confirmation")
    assert check_letter(letter).words == len(letter.body.split()) > 40


def test_missing_contact_email_fails_the_check_and_names_the_field(wb_iv):
    wb, interview = wb_iv
    contact = wb.get(Contact, interview.contact_id)
    wb.update(contact.model_copy(update={"email": None}))

    check = check_letter(render_letter(wb, interview.id, "invitation"))

    assert not check.ready
    assert any("field 'email'" in p and "Thandi Mokoena" in p for p in check.problems), check.problems


def test_missing_interview_time_leaves_a_named_placeholder_in_the_confirmation(wb_iv):
    wb, interview = wb_iv
    wb.update(interview.model_copy(update={"scheduled_at": None}))

    letter = render_letter(wb, interview.id, "confirmation")
    check = check_letter(letter)

    assert "[MISSING: interview.scheduled_at]" in letter.body
    assert not check.ready
    assert any(
        "[MISSING: interview.scheduled_at]" in p and "field 'scheduled_at'" in p for p in check.problems
    ), check.problems


def test_missing_profile_and_keywords_are_each_named(wb_iv):
    wb, interview = wb_iv
    wb.delete(Profile, 1)
    wb.update(interview.model_copy(update={"keywords": []}))

    letter = render_letter(wb, interview.id, "confirmation")
    check = check_letter(letter)

    assert not check.ready
    text = "\n".join(check.problems)
    assert "[MISSING: profile.name]" in text and "field 'name'" in text
    assert "[MISSING: interview.keywords]" in text and "field 'keywords'" in text
    assert letter_email(letter)["From"] is None, "no From header rather than an empty address"


def test_invitation_without_findings_to_test_is_not_ready(wb_iv):
    wb, interview = wb_iv
    for finding in wb.all(Finding, to_test=True):
        wb.update(finding.model_copy(update={"to_test": False}))

    check = check_letter(render_letter(wb, interview.id, "invitation"))

    assert not check.ready
    assert any("[MISSING: findings]" in p and "Test in interviews" in p for p in check.problems)


def test_thank_you_without_an_insight_is_not_ready(wb_iv):
    wb, interview = wb_iv
    wb.update(interview.model_copy(update={"status": InterviewStatus.done}))

    check = check_letter(render_letter(wb, interview.id, "thank_you"))

    assert not check.ready
    assert any("[MISSING: insight]" in p and f"interview {interview.id}" in p for p in check.problems)


def test_saved_letter_text_is_what_gets_checked_and_sent(wb_iv):
    wb, interview = wb_iv
    saved = "Dear Thandi,\n\nThank you for agreeing to meet on 8 December at 10:00. [TODO: topics]\n\nLerato"
    wb.update(interview.model_copy(update={"confirmation_text": saved}))

    letter = render_letter(wb, interview.id, "confirmation")
    check = check_letter(letter)

    assert letter.source == "saved text"
    assert letter.body.startswith("Dear Thandi,")
    assert letter.subject, "a saved text without a subject line keeps the template's subject"
    assert not check.ready
    assert "unfilled placeholder [TODO: topics]" in check.problems
    assert "does not mention the keyword 'internships'" in check.problems
    assert "does not mention the place or link" in check.problems


def test_saved_letter_that_paraphrases_every_part_is_ready(wb_iv):
    wb, interview = wb_iv
    saved = (
        "Subject: Our call on Tuesday\n\n"
        "Dear Thandi,\n\nThank you! This confirms our video call on Tuesday 8 December at 10:00 "
        "(Johannesburg time) for half an hour, on the link you sent.\n\n"
        "I would like to ask about careers in research, what entry-level salaries look like, and "
        "internships.\n\nLerato"
    )
    wb.update(interview.model_copy(update={"confirmation_text": saved}))

    letter = render_letter(wb, interview.id, "confirmation")

    assert letter.subject == "Our call on Tuesday"
    assert check_letter(letter).ready, check_letter(letter).problems


def test_a_generic_thank_you_does_not_count_as_naming_an_insight(wb_iv):
    wb, interview = wb_iv
    interview = debrief(wb, interview)
    generic = "Dear Thandi,\n\nThank you for your time yesterday. It was very useful.\n\nLerato"
    wb.update(interview.model_copy(update={"thank_you_text": generic}))

    check = check_letter(render_letter(wb, interview.id, "thank_you"))

    assert check.problems == ["does not mention a specific insight from the debrief"]


def test_thank_you_may_name_a_finding_outcome_from_the_debrief(wb_iv):
    wb, interview = wb_iv
    interview = debrief(wb, interview)
    finding = wb.all(Finding, to_test=True)[0]
    wb.add(
        FindingOutcome(
            interview_id=interview.id,
            finding_id=finding.id,
            outcome=Outcome.mixed,
            note="The research unit grows only if the provincial grant is renewed in March.",
        )
    )
    text = (
        "Dear Thandi,\n\nThank you for yesterday. I had not realised the research unit only grows "
        "if the provincial grant is renewed.\n\nLerato"
    )
    wb.update(interview.model_copy(update={"thank_you_text": text}))

    assert check_letter(render_letter(wb, interview.id, "thank_you")).ready


# -- workbook templates ---------------------------------------------------------------------------


def test_a_workbook_template_override_changes_the_letter(wb_iv):
    wb, interview = wb_iv
    before = render_letter(wb, interview.id, "nudge")
    own = (
        "Subject: Checking in about {{ organisation.name }}\n\n"
        "Hello {{ contact.name }},\n\nJust checking you saw my note of {{ interview.invitation_sent }} "
        "about {{ organisation.name }}.\n\n{{ profile.signature }}\n"
    )
    set_template_override(wb, "nudge", own)

    after = render_letter(wb, interview.id, "nudge")

    assert template_override(wb, "nudge") == own
    assert after.subject == "Checking in about Ubuntu Health Trust"
    assert after.body.startswith("Hello Thandi Mokoena,")
    assert after.source == "workbook template"
    assert after.body != before.body
    assert check_letter(after).ready

    clear_template_override(wb, "nudge")
    assert template_override(wb, "nudge") is None
    assert render_letter(wb, interview.id, "nudge").body == before.body


def test_template_override_with_an_unknown_name_is_caught_and_named(wb_iv):
    wb, interview = wb_iv
    set_template_override(wb, "invitation", shipped_template("invitation") + "\nPS {{ contact.nickname }}\n")

    letter = render_letter(wb, interview.id, "invitation")
    check = check_letter(letter)

    assert "{{ nickname }}" in letter.body
    assert not check.ready
    assert any("nickname" in p for p in check.problems), check.problems


def test_template_override_without_a_subject_line_is_not_ready(wb_iv):
    wb, interview = wb_iv
    set_template_override(wb, "nudge", "Dear {{ contact.name }}, any news from {{ organisation.name }}?")

    check = check_letter(render_letter(wb, interview.id, "nudge"))

    assert any(p.startswith("no subject line") for p in check.problems)


def test_template_override_that_drops_a_required_part_is_not_ready(wb_iv):
    wb, interview = wb_iv
    set_template_override(wb, "confirmation", "Subject: See you\n\nDear {{ contact.name }}, see you soon.\n")

    check = check_letter(render_letter(wb, interview.id, "confirmation"))

    for part in ("the date", "the time", "the keyword 'internships'", "the place or link"):
        assert f"does not mention {part}" in check.problems


def test_template_override_with_a_syntax_error_is_refused(wb_iv):
    wb, _ = wb_iv
    with pytest.raises(IivkitError, match=r"letter template 'nudge'.*line 1"):
        set_template_override(wb, "nudge", "Subject: {{ contact.name }\n")
    assert template_override(wb, "nudge") is None


def test_unknown_letter_name_is_refused(wb_iv):
    wb, interview = wb_iv
    with pytest.raises(IivkitError, match="unknown letter 'postcard'"):
        render_letter(wb, interview.id, "postcard")


# -- exports --------------------------------------------------------------------------------------


def test_ics_event_starts_at_the_local_time_in_the_interview_time_zone(wb_iv):
    wb, interview = wb_iv
    data = interview_ics(wb, interview.id)
    assert data is not None

    cal = icalendar.Calendar.from_ical(data)
    (event,) = cal.walk("VEVENT")
    start = event.decoded("dtstart")
    end = event.decoded("dtend")

    assert start == dt.datetime(2026, 12, 8, 10, 0, tzinfo=ZoneInfo("Africa/Johannesburg"))
    assert start.astimezone(dt.timezone.utc) == dt.datetime(2026, 12, 8, 8, 0, tzinfo=dt.timezone.utc)
    assert event["dtstart"].params["TZID"] == "Africa/Johannesburg"
    assert end - start == dt.timedelta(minutes=30)
    assert "Thandi Mokoena" in str(event["summary"])
    assert str(event["location"]) == "https://meet.example.org/abc-defg"
    assert "research careers" in str(event["description"])
    assert "internships" in str(event["description"])


def test_ics_uid_is_stable_across_exports_and_differs_between_interviews(wb_iv):
    wb, interview = wb_iv
    other = wb.add(Interview(contact_id=interview.contact_id, scheduled_at=dt.datetime(2027, 1, 5, 9, 0)))

    def uid(interview_id: int) -> str:
        cal = interview_calendar(wb, interview_id)
        assert cal is not None
        return str(cal.walk("VEVENT")[0]["uid"])

    assert uid(interview.id) == uid(interview.id)
    assert uid(interview.id) != uid(other.id)


def test_an_interview_without_a_date_has_no_calendar_event(wb_iv):
    wb, interview = wb_iv
    wb.update(interview.model_copy(update={"scheduled_at": None}))
    assert interview_ics(wb, interview.id) is None


def test_eml_draft_parses_with_to_subject_and_body_filled(wb_iv):
    wb, interview = wb_iv
    letter = render_letter(wb, interview.id, "invitation")

    msg = email.message_from_bytes(bytes(letter_email(letter)), policy=email.policy.default)

    assert msg["To"].addresses[0].addr_spec == "thandi.mokoena@example.org"
    assert msg["To"].addresses[0].display_name == "Thandi Mokoena"
    assert msg["From"].addresses[0].addr_spec == "lerato.dube@example.com"
    assert msg["Subject"] == letter.subject
    assert msg["X-Unsent"] == "1"
    body = msg.get_content()
    assert "Dear Thandi," in body
    assert_no_placeholder(body)


def test_markdown_copy_shows_the_letter_and_its_check(wb_iv):
    wb, interview = wb_iv
    wb.update(interview.model_copy(update={"place": ""}))
    letter = render_letter(wb, interview.id, "confirmation")

    text = letter_markdown(letter)

    assert text.startswith(f"# {letter.subject}\n")
    assert "**To:** Thandi Mokoena <thandi.mokoena@example.org>" in text
    assert "**Not ready**" in text and "field 'place'" in text


def test_drafts_are_written_privately_with_a_calendar_event(wb_iv, tmp_path: Path):
    wb, interview = wb_iv
    result = write_drafts(wb, interview.id, tmp_path / "out")

    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == [
        "interview-1-confirmation.eml",
        "interview-1-confirmation.md",
        "interview-1-invitation.eml",
        "interview-1-invitation.md",
        "interview-1-nudge.eml",
        "interview-1-nudge.md",
        "interview-1.ics",
    ]
    assert result.ready
    assert all((p.stat().st_mode & 0o777) == 0o600 for p in (tmp_path / "out").iterdir())


# -- command line ----------------------------------------------------------------------------------


def test_letters_command_writes_the_files_and_reports_each_check(wb_iv, tmp_path: Path, cli):
    wb, interview = wb_iv
    out = tmp_path / "letters"

    result = cli("letters", wb.path, "--interview", interview.id, "--out", out)

    assert result.exit_code == 0, result.output
    assert "invitation: ready (" in result.output
    assert "confirmation: ready (" in result.output
    assert str(out / "interview-1-invitation.eml") in result.output
    assert str(out / "interview-1.ics") in result.output
    assert (out / "interview-1.ics").exists()


def test_letters_command_writes_unready_letters_but_exits_1(wb_iv, tmp_path: Path, cli):
    wb, interview = wb_iv
    wb.update(interview.model_copy(update={"keywords": []}))

    result = cli("letters", wb.path, "--interview", interview.id, "--out", tmp_path / "o")

    assert result.exit_code == 1
    assert "confirmation: NOT READY" in result.output
    assert "[MISSING: interview.keywords]" in result.output
    assert (tmp_path / "o" / "interview-1-confirmation.eml").exists()


def test_letters_command_on_an_unknown_interview_is_one_line_and_exit_2(wb_iv, tmp_path: Path, cli):
    wb, _ = wb_iv
    result = cli("letters", wb.path, "--interview", "99", "--out", tmp_path / "o")

    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"iivkit: error: {wb.path}: interview 99 does not exist"]
    assert not (tmp_path / "o").exists()


@pytest.fixture
def demo_workbook(tmp_path: Path) -> Path:
    from iivkit.workbook.demo import build_demo

    path = tmp_path / "demo.iiv"
    build_demo(path).close()
    return path


def test_demo_letters_are_filled_drafts_and_events(demo_workbook: Path, tmp_path: Path, cli):
    with Workbook.open(demo_workbook) as wb:
        interviews = [i for i in wb.all(Interview) if i.scheduled_at is not None]
    assert interviews
    for interview in interviews:
        out = tmp_path / f"out{interview.id}"
        result = cli("letters", demo_workbook, "--interview", interview.id, "--out", out)
        assert result.exit_code in (0, 1), result.output
        emls = sorted(out.glob("*.eml"))
        assert emls
        for path in emls:
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            assert msg["To"].addresses[0].addr_spec
            assert msg["Subject"].strip()
            body = msg.get_content()
            assert len(body.split()) > 30
            assert_no_placeholder(body)
        cal = icalendar.Calendar.from_ical((out / f"interview-{interview.id}.ics").read_bytes())
        assert cal.walk("VEVENT")[0].decoded("dtstart").tzinfo is not None


def test_letters_command_runs_as_a_program(demo_workbook: Path, tmp_path: Path, run_iivkit):
    proc = run_iivkit("letters", demo_workbook, "--interview", "1", "--out", tmp_path / "o")

    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert "invitation:" in proc.stdout
    assert (tmp_path / "o" / "interview-1-invitation.eml").exists()
