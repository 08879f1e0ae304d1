"""The letter check at its edges: each placeholder syntax, in the subject and the body, and text
that only looks like one; each way of writing a date, a time, a zone and a length; how much of a
name, keyword, finding or insight a letter must say; every part a letter needs, named exactly,
and where to fill in the data it lacks; pay figures and word limits in a first letter.

These are fast tests of :func:`~iivkit.method.letter_check.check_letter` on letters rendered
once from a small workbook, each test editing a copy as a user edits a draft. They are the
tests ``make mutants`` runs against the check.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_letters import build_workbook

from iivkit import Insight, Interview, Workbook
from iivkit.method.letter_check import check_letter
from iivkit.method.letters import Letter, render_letter
from iivkit.workbook.models import InsightKind, InterviewStatus

Letters = dict[str, Letter]


def letter(wb: Workbook, interview: Interview, name: str, style: str = "full") -> Letter:
    rendered = render_letter(wb, interview.id or 0, name, style=style)
    assert check_letter(rendered).ready, check_letter(rendered).problems
    return rendered


@pytest.fixture
def wb_iv(tmp_path: Path) -> Iterator[tuple[Workbook, Interview]]:
    wb, interview = build_workbook(tmp_path / "letters.iiv")
    yield wb, interview
    wb.close()


@pytest.fixture(scope="module")
def letters(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Letters]:
    """The letters of one small workbook, each ready to send, rendered once; tests edit copies."""
    wb, interview = build_workbook(tmp_path_factory.mktemp("letters") / "letters.iiv")
    try:
        rendered = {name: letter(wb, interview, name) for name in ("invitation", "confirmation", "nudge")}
        yield rendered | {"short invitation": letter(wb, interview, "invitation", "short")}
    finally:
        wb.close()


def edited(original: Letter, *, subject: str | None = None, body: str | None = None, **facts: Any) -> Letter:
    """*original* with a new subject or body, or with some of the interview's facts changed."""
    new_facts = dict(original.facts)
    if facts:
        new_facts["interview"] = {**original.facts["interview"], **facts}
    return dataclasses.replace(
        original,
        subject=original.subject if subject is None else subject,
        body=original.body if body is None else body,
        facts=new_facts,
    )


def with_added(original: Letter, where: str, text: str) -> Letter:
    """*original* with *text* added to its subject, or as a line of its body (*where*)."""
    if where == "subject":
        return edited(original, subject=f"{original.subject} {text}")
    return edited(original, body=f"{original.body}\n{text}\n")


def missing(checked: Letter) -> list[str]:
    return check_letter(checked).problems


# -- placeholders ---------------------------------------------------------------------------------

PLACEHOLDERS = [
    "{{ name }}",
    "{{contact.name}}",
    "{% if place %}",
    "{date}",
    "{contact.name}",
    "[TODO]",
    "[todo: add the date]",
    "[ TODO ]",
    "[NAME]",
    "[YOUR NAME]",
    "[ORGANISATION_NAME]",
    "[Name]",
    "[your name]",
    "[Recipient's name]",
    "[ Company Name ]",
    "[abc]",
    "[XXX]",
    "<name>",
    "<Your Name>",
    "<date>",
    "XXX",
    "XXXX",
]


@pytest.mark.parametrize("where", ["subject", "body"])
@pytest.mark.parametrize("placeholder", PLACEHOLDERS)
def test_a_placeholder_left_in_the_subject_or_body_stops_the_letter(
    letters: Letters, placeholder: str, where: str
) -> None:
    text = placeholder if where == "subject" else f"See you on {placeholder}."
    check = check_letter(with_added(letters["confirmation"], where, text))
    assert not check.ready
    assert check.problems == [f"unfilled placeholder {placeholder}"]


def test_a_placeholder_found_by_two_patterns_is_named_once(letters: Letters) -> None:
    original = letters["confirmation"]
    spoiled = edited(original, body=original.body + "\n{{date}} and {{date}} and {time}\n")
    assert missing(spoiled) == ["unfilled placeholder {{date}}", "unfilled placeholder {time}"]


@pytest.mark.parametrize(
    "text",
    [
        "[Note: bring a CV]",
        "[1]",
        "{ }",
        "[OK]",
        "{1}",
        "a {{ b",
        "30% {sic",
        "(see below)",
        "[sic]",
        "[ Sic ]",
        "[...]",
        "[our report](https://example.org/report)",
        "<3",
        "<br>",
        "Thandi Mokoena <thandi.mokoena@example.org>",
        "<https://example.org>",
        "if a < b and c > d",
        "xxx",
        "XXXL",
        "AXXX",
    ],
    ids=repr,
)
@pytest.mark.parametrize("where", ["subject", "body"])
def test_brackets_and_marks_that_are_not_placeholders_are_left_alone(
    letters: Letters, text: str, where: str
) -> None:
    assert missing(with_added(letters["confirmation"], where, text)) == []


def test_a_missing_data_marker_is_named_once_with_where_to_fill_it_in(
    letters: Letters,
) -> None:
    original = letters["confirmation"]
    spoiled = dataclasses.replace(
        edited(original, body=original.body + "\n[MISSING: interview.place] [MISSING: interview.place]\n"),
        hints={"interview.place": "the interview's place (interview 1, field 'place')"},
    )
    assert missing(spoiled) == [
        "unfilled placeholder [MISSING: interview.place]: fill in the interview's place "
        "(interview 1, field 'place')"
    ]


# -- every part, named --------------------------------------------------------------------------


def test_a_bare_invitation_names_every_part_it_lacks(letters: Letters) -> None:
    bare = edited(letters["invitation"], subject="Hello", body="Hello.")
    assert missing(bare) == [
        "does not mention who you are (your name)",
        "does not mention your current qualification",
        "does not mention the organisation",
        "does not mention why you are interested",
        "does not mention what you know about the organisation",
        "does not mention the purpose of the interview",
        "does not mention how it helps your career development",
        "does not mention the careers that interest you",
        "does not mention the research you will share and confirm",
    ]


def test_a_bare_confirmation_names_every_part_it_lacks(letters: Letters) -> None:
    bare = edited(letters["confirmation"], subject="Hello", body="Hello.")
    assert missing(bare) == [
        "does not mention the date",
        "does not mention the time",
        "does not mention the place or link",
        "does not mention the length",
        "does not mention the time zone",
        "does not mention the keyword 'research careers'",
        "does not mention the keyword 'entry-level salaries'",
        "does not mention the keyword 'internships'",
    ]


def test_a_bare_nudge_and_thank_you_name_every_part_they_lack(wb_iv: tuple[Workbook, Interview]) -> None:
    wb, interview = wb_iv
    assert missing(edited(letter(wb, interview, "nudge"), subject="Hello", body="Hello.")) == [
        "does not mention when you sent the invitation",
        "does not mention the organisation",
    ]
    wb.add(Insight(interview_id=interview.id or 0, kind=InsightKind.advice, text="Volunteer at open days."))
    wb.update(wb.get(Interview, interview.id or 0).model_copy(update={"status": InterviewStatus.debriefed}))
    assert missing(edited(letter(wb, interview, "thank_you"), subject="Hello", body="Hello.")) == [
        "does not mention your thanks",
        "does not mention a specific insight from the debrief",
    ]


def test_a_letter_without_subject_address_or_template_says_each(letters: Letters) -> None:
    original = letters["confirmation"]
    spoiled = dataclasses.replace(
        original, subject="  ", to_email=None, template_error="unexpected '}'", hints={}
    )
    assert missing(spoiled)[:3] == [
        "the template could not be filled in: unexpected '}'",
        "no subject line: start the letter with 'Subject: …'",
        "no address to send it to: fill in the email",
    ]
    foreign = dataclasses.replace(original, to_email="zoë@example.org", hints={"contact.email": "her email"})
    assert missing(foreign) == [
        "the address zoë@example.org cannot go into a mail draft (only plain ASCII letters before "
        "the '@' can): check her email"
    ]


def test_the_word_count_is_the_body_s_alone(letters: Letters) -> None:
    original = letters["confirmation"]
    check = check_letter(edited(original, subject="one two three four", body="Five six seven."))
    assert check.words == 3


# -- how people write dates, times, zones and lengths --------------------------------------------

CONFIRMATION_REST = (
    "at https://meet.example.org/abc-defg, research careers, entry-level salaries, internships"
)


def confirmation_lacks(letters: Letters, text: str, **facts: Any) -> list[str]:
    """The parts a confirmation saying only *text* (and the link and keywords) lacks."""
    original = letters["confirmation"]
    problems = missing(edited(original, subject="Our interview", body=f"{text} {CONFIRMATION_REST}", **facts))
    return [p.removeprefix("does not mention ") for p in problems]


@pytest.mark.parametrize("date", ["8 December", "December 8", "8 Dec", "2026-12-08", "8/12"])
def test_each_way_of_writing_the_date_counts(letters: Letters, date: str) -> None:
    assert "the date" not in confirmation_lacks(letters, f"On {date}.")
    assert "the date" in confirmation_lacks(letters, "On 9 December, 12/8.")


@pytest.mark.parametrize(
    "time",
    ["10:00", "10h00", "10.00", "10:00 am", "10:00am", "10.00 am", "10.00am", "10 am", "10am", "10 o'clock"],
)
def test_each_way_of_writing_a_morning_hour_counts(letters: Letters, time: str) -> None:
    assert "the time" not in confirmation_lacks(letters, f"At {time}.")


@pytest.mark.parametrize("time", ["14:30", "14h30", "14.30", "2:30 pm", "2:30pm", "2.30 pm", "2.30pm"])
def test_each_way_of_writing_an_afternoon_time_counts(letters: Letters, time: str) -> None:
    at = dt.datetime(2026, 12, 8, 14, 30)
    assert "the time" not in confirmation_lacks(letters, f"At {time}.", scheduled_at=at)


def test_an_hour_alone_counts_only_on_the_hour_and_noon_is_noon(letters: Letters) -> None:
    half_past = dt.datetime(2026, 12, 8, 14, 30)
    assert "the time" in confirmation_lacks(letters, "At 2 pm.", scheduled_at=half_past)
    assert "the time" in confirmation_lacks(letters, "At 2:30 am.", scheduled_at=half_past)
    noon = dt.datetime(2026, 12, 8, 12, 0)
    for said in ("noon", "midday", "12 pm", "12pm", "12:00"):
        assert "the time" not in confirmation_lacks(letters, f"At {said}.", scheduled_at=noon), said
    assert "the time" in confirmation_lacks(letters, "At 12 am.", scheduled_at=noon)
    assert "the time" in confirmation_lacks(letters, "At noon.")
    midnight = dt.datetime(2026, 12, 8, 0, 0)
    assert "the time" not in confirmation_lacks(letters, "At 12 am.", scheduled_at=midnight)


@pytest.mark.parametrize("zone", ["Africa/Johannesburg", "Johannesburg", "UTC", "GMT", "SAST"])
def test_each_way_of_naming_the_time_zone_counts(letters: Letters, zone: str) -> None:
    assert "the time zone" not in confirmation_lacks(letters, f"Times are {zone}.")


def test_a_meeting_in_person_needs_no_time_zone_but_its_place(letters: Letters) -> None:
    in_person = confirmation_lacks(
        letters, "See you.", medium="in_person", place="12 Main Road, Braamfontein"
    )
    assert "the time zone" not in in_person and "the place or link" in in_person
    said = confirmation_lacks(
        letters, "At 12 Main Road.", medium="in_person", place="12 Main Road, Braamfontein"
    )
    assert "the place or link" not in said


@pytest.mark.parametrize(
    ("medium", "words"),
    [
        ("video", ["link", "video call", "Zoom", "Teams", "http"]),
        ("phone", ["phone", "call you", "call me", "ring you", "number"]),
    ],
)
def test_a_call_s_place_may_be_how_to_join(letters: Letters, medium: str, words: list[str]) -> None:
    for said in words:
        lacks = confirmation_lacks(letters, f"I will {said}.", medium=medium, place="")
        assert not [p for p in lacks if "the place or link" in p], said
    assert "the place or link" in confirmation_lacks(letters, "See you.", medium="in_person", place="x")


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (30, "30 min"),
        (30, "30-minute"),
        (30, "30min"),
        (30, "half an hour"),
        (30, "half-hour"),
        (60, "an hour"),
        (60, "one hour"),
        (60, "1 hour"),
        (90, "an hour and a half"),
        (90, "90 minutes"),
        (120, "2 hours"),
    ],
)
def test_each_way_of_writing_the_length_counts(letters: Letters, minutes: int, said: str) -> None:
    assert "the length" not in confirmation_lacks(letters, f"For {said}.", duration_minutes=minutes)


def test_a_length_that_is_not_the_interview_s_does_not_count(letters: Letters) -> None:
    assert "the length" in confirmation_lacks(letters, "For an hour.", duration_minutes=30)
    assert "the length" in confirmation_lacks(letters, "For half an hour.", duration_minutes=90)
    assert "the length" in confirmation_lacks(letters, "For 1 hour.", duration_minutes=90)


# -- words matched loosely, but not too loosely ------------------------------------------------


def test_a_short_keyword_must_stand_alone_and_a_long_one_may_start_a_word(
    letters: Letters,
) -> None:
    short = {"keywords": ["M&E"]}
    assert "the keyword 'M&E'" not in confirmation_lacks(letters, "About M&E.", **short)
    assert "the keyword 'M&E'" in confirmation_lacks(letters, "About M&Every.", **short)
    assert "the keyword 'M&E'" in confirmation_lacks(letters, "About AM&E.", **short)
    long = {"keywords": ["volunteer"]}
    assert "the keyword 'volunteer'" not in confirmation_lacks(letters, "About volunteering.", **long)
    assert "the keyword 'volunteer'" in confirmation_lacks(letters, "About nonvolunteers.", **long)


def test_a_qualification_counts_when_two_of_its_words_are_there(letters: Letters) -> None:
    original = letters["invitation"]
    # The letter words the qualification ("BSc Psychology (final year)") as a sentence of its own.
    sentence = "I am in the final year of a BSc Psychology."
    assert sentence in original.body
    body = original.body.replace(sentence, "I am studying {}.")

    def lacks(said: str) -> bool:
        return "does not mention your current qualification" in missing(
            edited(original, body=body.replace("{}", said))
        )

    assert lacks("a degree")
    assert lacks("psychology"), "one word of four is not enough"
    assert not lacks("psychology (BSc)")
    assert not lacks("final-year psychologist")


def test_a_qualification_needs_two_of_its_words_and_three_tenths_of_them(letters: Letters) -> None:
    def lacks(qualification: str, said: str) -> bool:
        problems = lacking(letters["invitation"], said, profile={"current_qualification": qualification})
        return "does not mention your current qualification" in problems

    assert lacks("BSc Psychology", "I study psychology."), "one word is not enough, even of two"
    assert not lacks("BSc Psychology", "I study psychology (BSc).")
    mph = "Master of Public Health in epidemiology and biostatistics"
    assert not lacks(mph, "I study public health."), "two words of five"


def test_a_zone_s_city_may_be_written_with_spaces(letters: Letters) -> None:
    zone = {"timezone": "America/Argentina/Buenos_Aires"}
    assert "the time zone" not in confirmation_lacks(letters, "Times are Buenos Aires time.", **zone)
    assert "the time zone" not in confirmation_lacks(
        letters, "Times are America/Argentina/Buenos_Aires.", **zone
    )
    assert "the time zone" in confirmation_lacks(letters, "Times are Argentina time.", **zone)


def test_what_you_know_about_the_organisation_counts_from_three_of_its_words(letters: Letters) -> None:
    # "Community health programmes in Gauteng": four words that count.
    def knows(said: str, **tables: Any) -> bool:
        problems = lacking(letters["invitation"], said, **({"findings": []} | tables))
        return "does not mention what you know about the organisation" not in problems

    assert knows("You run health programmes in Gauteng.")
    assert not knows("You run health programmes.")
    assert knows("I read your annual report.")
    wider = "Community health programmes, clinics and training for nurses in Gauteng and Limpopo."
    assert knows("You run health programmes in Gauteng.", organisation={"main_business": wider}), "3 of 8"
    findings = letters["invitation"].facts["findings"]
    assert knows("The Trust is growing its unit in 2027.", findings=findings), "a finding's words count"


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("short invitation", "one line of your research"),
        ("invitation", "the research you will share and confirm"),
    ],
)
def test_research_counts_from_three_of_a_finding_s_words(letters: Letters, name: str, part: str) -> None:
    # "The Trust is expanding its research unit in 2027": five words that count.
    def says(said: str, **findings: Any) -> bool:
        return f"does not mention {part}" not in lacking(letters[name], said, **findings)

    assert says("The Trust is growing its unit in 2027.")
    assert not says("The Trust is growing its unit.")
    assert says("I found that clinics close early.")
    long = [{"claim": "Clinics in Soweto close early on Fridays during the winter holidays."}]
    assert says("Soweto clinics close at four.", findings=long), "three words of eight"


def test_the_careers_count_by_name_or_by_their_words(letters: Letters) -> None:
    def says(careers: list[str], said: str) -> bool:
        problems = lacking(letters["invitation"], said, profile={"careers_of_interest": careers})
        return "does not mention the careers that interest you" not in problems

    assert says(["Health research"], "I want to do research in health.")
    assert not says(["Health research", "Programme management"], "I want to manage.")
    assert says(["IT"], "I want to work in IT."), "a name of common words counts when it is there whole"
    assert not says(["IT"], "I want to work.")


def test_a_thank_you_names_an_insight_from_three_of_its_words(letters: Letters) -> None:
    def thanks(*debrief: str) -> Letter:
        facts = {**letters["nudge"].facts, "debrief": list(debrief)}
        return dataclasses.replace(letters["nudge"], name="thank_you", facts=facts)

    # Seven words that count: three of them are enough.
    advice = thanks("Volunteer at the open days in March before applying for internships.")
    assert missing(edited(advice, body="Thank you. I will volunteer at open days.")) == []
    assert missing(edited(advice, body="Thanks! I will volunteer at open evenings.")) == [
        "does not mention a specific insight from the debrief"
    ]
    assert missing(edited(advice, body="I will volunteer at open days.")) == ["does not mention your thanks"]
    # Two words are not enough, even when they are half of a short insight.
    assert missing(
        edited(thanks("Volunteer at the open days in March."), body="Thanks! Open days, yes.")
    ) == ["does not mention a specific insight from the debrief"]
    # An insight of fewer than three words counts when the letter says it whole.
    assert missing(edited(thanks("Learn SQL."), body="Thank you. I will learn SQL.")) == []


def test_a_marker_does_not_join_the_words_around_it(letters: Letters) -> None:
    original = dataclasses.replace(letters["confirmation"], hints={})
    glued = edited(
        original, body=f"{original.body}\nBring a CV[MISSING: interview.place].\n", keywords=["CV"]
    )
    assert missing(glued) == ["unfilled placeholder [MISSING: interview.place]: fill in interview.place"]


def test_a_zone_without_a_region_is_named_as_it_is(letters: Letters) -> None:
    assert "the time zone" not in confirmation_lacks(letters, "Times are UTC.", timezone="UTC")
    assert "the time zone" in confirmation_lacks(letters, "Times are local.", timezone="UTC")


@pytest.mark.parametrize(
    ("keyword", "said", "counts"),
    [
        ("HR data", "About HR.", True),  # a two-letter word is a word
        ("IT", "About IT.", True),  # a keyword of common words counts when it is there whole
        ("the board", "About the budget.", False),  # a common word alone is not the keyword
        ("data", "About datasets.", True),  # four letters may start a longer word
        ("jobs in health policy", "About policy.", True),  # any one word of it, past the common ones
        ("grant", "About the grand plan.", False),  # five letters are matched whole
        ("salary", "About salaries.", True),  # six letters or more are matched on a stem
        ("writing", "About written reports.", True),
        ("platform", "About the plates.", False),  # the stem keeps enough of a long word
    ],
    ids=repr,
)
def test_a_keyword_counts_when_the_stem_of_one_of_its_words_is_there(
    letters: Letters, keyword: str, said: str, counts: bool
) -> None:
    lacks = confirmation_lacks(letters, said, keywords=[keyword])
    assert (f"the keyword '{keyword}'" not in lacks) is counts


@pytest.mark.parametrize("name", ["invitation", "short invitation", "nudge"])
def test_an_organisation_counts_when_half_of_its_words_are_there(letters: Letters, name: str) -> None:
    def lacks(organisation: str, said: str) -> bool:
        problems = lacking(letters[name], said, organisation={"name": organisation})
        return "does not mention the organisation" in problems

    assert not lacks("Ubuntu Trust", "Your work at the Trust."), "one word of two is half"
    assert lacks("Ubuntu Health Trust", "Your work at the Trust."), "one word of three is not"
    # A name of common words alone counts when the letter says it whole.
    assert not lacks("WHO", "Your work at WHO.")
    assert lacks("WHO", "Your work.")


# -- who suggested you write ----------------------------------------------------------------------


def referred(original: Letter, body: str, **referral: str) -> list[str]:
    """The problems of *original*, saying *body*, as a letter someone suggested you write (or, with
    no *referral*, a letter whose facts say nothing of one)."""
    facts = {k: v for k, v in original.facts.items() if k != "referral"}
    if referral:
        facts["referral"] = referral
    return missing(dataclasses.replace(original, body=body, facts=facts))


@pytest.mark.parametrize("name", ["invitation", "short invitation"])
def test_a_referred_letter_names_who_suggested_it(letters: Letters, name: str) -> None:
    original = letters[name]
    needs = "does not mention who suggested you write (Sipho Nkosi)"
    sipho = {"by": "Sipho Nkosi", "by_first_name": "Sipho"}
    assert needs in referred(original, original.body, **sipho)
    assert referred(original, f"Sipho Nkosi suggested I write.\n{original.body}", **sipho) == []
    assert referred(original, f"Sipho suggested I write.\n{original.body}", **sipho) == []
    # Without a first name only the full name counts.
    alone = f"Sipho suggested I write: none of my lecturers could answer my questions.\n{original.body}"
    assert needs in referred(original, alone, by="Sipho Nkosi")
    assert referred(original, original.body, by="") == []
    assert referred(original, original.body) == []


# -- data the letter needs but the workbook lacks -------------------------------------------------


def lacking(
    original: Letter, body: str = "Hello.", hints: dict[str, str] | None = None, **tables: Any
) -> list[str]:
    """The problems of *original*, saying *body*, with some of the facts it was rendered from emptied
    (and no hints on where to fill them in, unless *hints*)."""
    facts = dict(original.facts)
    for table, changes in tables.items():
        facts[table] = {**facts[table], **changes} if isinstance(facts[table], dict) else changes
    return missing(dataclasses.replace(original, subject="Hello", body=body, facts=facts, hints=hints or {}))


def test_an_invitation_whose_data_is_empty_says_where_to_fill_it_in(letters: Letters) -> None:
    empty = {"name": "", "current_qualification": "", "why_interested": "", "careers_of_interest": []}
    problems = lacking(
        letters["invitation"],
        hints={"profile.name": "your name (your profile)"},
        profile=empty,
        organisation={"name": "[MISSING: contact.organisation_id]", "main_business": ""},
        findings=[],
    )
    assert problems == [
        "needs who you are (your name), but it is empty: fill in your name (your profile)",
        "needs your current qualification, but it is empty: fill in profile.current_qualification",
        "needs the organisation, but it is empty: fill in contact.organisation_id",
        "needs why you are interested, but it is empty: fill in profile.why_interested",
        "does not mention what you know about the organisation",
        "does not mention the purpose of the interview",
        "does not mention how it helps your career development",
        "needs the careers that interest you, but it is empty: fill in profile.careers_of_interest",
        "needs the research you will share and confirm, but it is empty: fill in findings",
    ]


def test_a_short_invitation_whose_data_is_empty_says_where_to_fill_it_in(letters: Letters) -> None:
    problems = lacking(
        letters["short invitation"],
        profile={"name": ""},
        organisation={"name": ""},
        findings=[{"claim": ""}],
    )
    assert problems == [
        "needs who you are (your name), but it is empty: fill in profile.name",
        "needs the organisation, but it is empty: fill in contact.organisation_id",
        "needs one line of your research, but it is empty: fill in findings",
        "does not mention the ask (a short conversation)",
        "does not mention an easy out ('if now is not a good time…')",
    ]


def test_a_confirmation_whose_data_is_empty_names_each_field_once(letters: Letters) -> None:
    problems = lacking(letters["confirmation"], interview={"scheduled_at": None, "place": "", "keywords": []})
    assert problems == [
        "needs the date, but it is empty: fill in interview.scheduled_at",  # and the time: one field
        "needs the place or link, but it is empty: fill in interview.place",
        "does not mention the length",
        "does not mention the time zone",
        "needs the keywords to cover, but it is empty: fill in interview.keywords",
    ]


def test_a_nudge_whose_data_is_empty_says_where_to_fill_it_in(letters: Letters) -> None:
    problems = lacking(letters["nudge"], interview={"invitation_sent_date": None}, organisation={"name": ""})
    assert problems == [
        "needs when you sent the invitation, but it is empty: fill in interview.invitation_sent",
        "needs the organisation, but it is empty: fill in contact.organisation_id",
    ]


def test_a_thank_you_without_a_debrief_names_the_insight_once(wb_iv: tuple[Workbook, Interview]) -> None:
    thanks = dataclasses.replace(render_letter(wb_iv[0], wb_iv[1].id or 0, "thank_you"), hints={})
    assert "[MISSING: insight]" in thanks.body
    assert missing(thanks) == ["unfilled placeholder [MISSING: insight]: fill in insight"]
    assert lacking(thanks, "Thank you.") == [
        "needs a specific insight from the debrief, but it is empty: fill in insight"
    ]


def test_a_missing_data_marker_does_not_say_what_it_names(letters: Letters) -> None:
    original = dataclasses.replace(letters["confirmation"], hints={})
    marked = edited(
        original, body=f"{original.body}\n[MISSING: interview.place]\n", keywords=["interview tips"]
    )
    assert missing(marked) == [
        "unfilled placeholder [MISSING: interview.place]: fill in interview.place",
        "does not mention the keyword 'interview tips'",
    ]


# -- what a first letter must not do ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["invitation", "nudge"])
def test_a_first_letter_quoting_pay_names_each_figure_once(letters: Letters, name: str) -> None:
    original = letters[name]
    body = f"{original.body}\nJuniors earn R15 000. Seniors earn R15 000, or $2,000.Some $2,000 a month.\n"
    assert missing(edited(original, body=body)) == [
        "quotes a pay figure (R15 000, $2,000) to someone you have not met: keep pay for the conversation"
    ]


def test_a_confirmation_may_mention_pay(letters: Letters) -> None:
    original = letters["confirmation"]
    assert missing(edited(original, body=f"{original.body}\nJuniors earn R15 000.\n")) == []


@pytest.mark.parametrize(("name", "limit"), [("short invitation", 120), ("invitation", 400), ("nudge", 400)])
def test_a_first_letter_stays_under_its_word_limit(letters: Letters, name: str, limit: int) -> None:
    original = letters[name]

    def padded(words: int) -> Letter:
        return edited(original, body=original.body + " more" * (words - len(original.body.split())))

    assert missing(padded(limit - 1)) == []
    title = f"{original.style} {original.title}"
    assert missing(padded(limit)) == [f"is {limit} words: keep a {title} under {limit} words"]


def test_a_confirmation_has_no_word_limit(letters: Letters) -> None:
    original = letters["confirmation"]
    check = check_letter(edited(original, body=original.body + " more" * 500))
    assert check.ready and check.words > 500
