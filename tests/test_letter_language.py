"""Letters that sound like a person: the language check, and the rules of issue 11 on the demo,
the class of 30 and three people unlike the demo (a career changer, a senior professional and a
student, in ``tests/personas.py``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from personas import PERSONAS, changer

from iivkit import Contact, Interview, Profile, Workbook
from iivkit.errors import IivkitError
from iivkit.method.language import problems
from iivkit.method.letter_check import SHORT_WORD_LIMIT, check_letter
from iivkit.method.letter_phrases import MONEY, careers_phrase, greeting_name, qualification_sentences
from iivkit.method.letters import Letter, letters_for, render_letter
from iivkit.workbook.demo import build_class, build_demo
from iivkit.workbook.models import GreetingStyle, LetterStyle

STYLES = ("full", "short")


def every_letter(wb: Workbook) -> Iterator[Letter]:
    """Each letter each interview needs now, from the templates and as it would be sent, in both styles."""
    for interview in wb.all(Interview):
        assert interview.id is not None
        for name in letters_for(wb, interview.id):
            for style in STYLES:
                yield render_letter(wb, interview.id, name, use_saved=False, style=style)
                yield render_letter(wb, interview.id, name, style=style)


def language_problems(wb: Workbook, label: str) -> list[str]:
    """What the language check finds in every letter, and any letter from the templates that the
    letter check finds too long for its style or quoting pay to someone not yet met."""
    found = []
    for letter in every_letter(wb):
        said = problems(letter.text)
        if letter.source == "template":
            said += [p for p in check_letter(letter).problems if "words: keep a" in p or "pay figure" in p]
        found += [
            f"{label} interview {letter.interview_id} {letter.name} ({letter.style}): {p}" for p in said
        ]
    return found


# -- the language check itself -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I met a hr specialist.", "'a hr' should be 'an hr'"),
        ("She is an UX researcher.", "'an UX' should be 'a UX'"),
        ("He works as a M&E officer.", "'a M&E' should be 'an M&E'"),
        ("It took a hour.", "'a hour' should be 'an hour'"),
        ("It is an university.", "'an university' should be 'a university'"),
        ("I read the the report.", "doubled word 'the the'"),
        (
            "I am exploring careers in UX researcher, clinical informatics specialist.",
            "'careers in UX researcher' names a job",
        ),
        ("Dear Dana Whitfield,\n\nThank you.", "greets by full name"),
        (
            "Dear Dana,\n\nThe Centre evaluates health programmes for government\n\nKind regards,\nSam",
            "unfinished",
        ),
        ("Dear Dana,\n\nI would like to ask about the.\n\nKind regards,\nSam", "dangling word"),
    ],
)
def test_the_language_check_names_each_slip(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found


def test_the_language_check_passes_text_that_reads_well() -> None:
    text = (
        "Subject: A short conversation\n\nDear Dr Whitfield,\n\n"
        "Kwame Mensah suggested I get in touch. I am an "
        "HR adviser and a UX researcher with an MSc, exploring careers in health technology, in particular "
        "as an M&E officer. It took an hour at a university, a one-year course and an 18-month placement.\n\n"
        "These are my topics:\n- research with nurses\n- portfolios\n\nKind regards,\nGrace Okafor\n"
        "grace@example.com\n"
    )
    assert problems(text) == []
    assert problems("Dear Mr van der Merwe,\n\nThank you for your time.\n\nKind regards,\nSam") == []


def test_the_language_check_refuses_a_kind_it_does_not_know() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        problems("text", kind="poem")


# -- phrases --------------------------------------------------------------------------------------


def test_qualifications_and_careers_read_as_sentences() -> None:
    assert qualification_sentences(
        "Google UX Design Professional Certificate (in progress)", ["BSN", "RN licence"], "career_changer"
    ) == (
        "I am now studying for the Google UX Design Professional Certificate. "
        "I also hold a BSN and an RN licence."
    )
    assert careers_phrase(["UX researcher", "Clinical informatics specialist"]) == (
        "careers as a UX researcher or clinical informatics specialist"
    )
    assert careers_phrase(["Programme evaluation", "M&E officer"]) == (
        "careers in programme evaluation, in particular as an M&E officer"
    )
    # A title with its field ("… in programme evaluation") is a role, and the field is not repeated;
    # the same role with and without its abbreviation is named once.
    assert (
        careers_phrase(
            [
                "Research assistant in programme evaluation",
                "Programme evaluation",
                "M&E officer",
                "M&E (M&E) officer",
            ]
        )
        == "careers as a research assistant in programme evaluation or M&E officer"
    )


@pytest.mark.parametrize(
    ("name", "honorific", "style", "expected"),
    [
        ("Dana Whitfield", "Dr", "formal", "Dr Whitfield"),
        ("Dana Whitfield", "Dr", "first_name", "Dana"),
        ("Dana Whitfield", "", "formal", "Dana"),
        ("Dr Ayesha Patel", "", "formal", "Dr Patel"),
        ("Dr Ayesha Patel", "", "first_name", "Ayesha"),
        ("Pieter van der Merwe", "Mr", "formal", "Mr van der Merwe"),
    ],
)
def test_the_greeting_follows_the_setting_and_never_uses_the_full_name(
    name: str, honorific: str, style: str, expected: str
) -> None:
    assert greeting_name(name, honorific, style) == expected


# -- the rules of the issue, on the career changer ------------------------------------------------


@pytest.fixture
def grace(tmp_path: Path) -> Iterator[tuple[Workbook, dict[str, int]]]:
    wb, ids = changer(tmp_path / "grace.iiv")
    yield wb, ids
    wb.close()


def body_lines(letter: Letter) -> list[str]:
    return [line for line in letter.body.splitlines() if line.strip()]


@pytest.mark.parametrize("style", STYLES)
def test_the_referrer_is_named_in_the_first_line(grace: tuple[Workbook, dict[str, int]], style: str) -> None:
    wb, ids = grace
    letter = render_letter(wb, ids["interview_dana"], "invitation", style=style)
    greeting, first = body_lines(letter)[:2]
    assert greeting == "Dear Dr Whitfield,"
    assert first.startswith("Kwame Mensah suggested I get in touch."), first
    assert check_letter(letter).ready, check_letter(letter).problems


def test_the_author_is_thanked_for_their_own_work_in_the_second_person(
    grace: tuple[Workbook, dict[str, int]],
) -> None:
    wb, ids = grace
    text = render_letter(wb, ids["interview_dana"], "invitation", style="full").body
    assert "your piece 'Designing with nurses, not for them'" in text
    assert "(from your piece, 2026)" in text
    assert "Dana Whitfield" not in text  # never cited back to herself by name


@pytest.mark.parametrize("style", STYLES)
def test_no_salary_figure_in_a_first_letter(grace: tuple[Workbook, dict[str, int]], style: str) -> None:
    wb, ids = grace
    for key in ("interview_dana", "interview_tom", "interview_kwame"):
        for name in ("invitation", "nudge"):
            letter = render_letter(wb, ids[key], name, style=style)
            assert not MONEY.search(letter.text), letter.text
            assert "salar" not in letter.text.casefold()


def test_the_check_refuses_a_first_letter_that_quotes_pay(grace: tuple[Workbook, dict[str, int]]) -> None:
    wb, ids = grace
    interview = wb.get(Interview, ids["interview_tom"])
    wb.update(
        interview.model_copy(
            update={"invitation_text": "Dear Tom,\n\nMy research says UX researchers earn $95k to $120k.\n"}
        )
    )
    check = check_letter(render_letter(wb, ids["interview_tom"], "invitation"))
    assert not check.ready
    assert any("pay figure ($95k, $120k)" in p for p in check.problems), check.problems


def test_the_short_letter_stays_under_120_words_and_says_what_it_must(
    grace: tuple[Workbook, dict[str, int]],
) -> None:
    wb, ids = grace
    for key in ("interview_kwame", "interview_dana", "interview_tom"):
        letter = render_letter(wb, ids[key], "invitation", style="short")
        check = check_letter(letter)
        assert check.words < SHORT_WORD_LIMIT, letter.body
        assert check.ready, (check.problems, letter.body)
        assert "If now is not a good time" in letter.body
    full = render_letter(wb, ids["interview_dana"], "invitation", style="full")
    assert check_letter(full).words > SHORT_WORD_LIMIT


def test_the_check_holds_a_short_letter_to_its_word_limit(grace: tuple[Workbook, dict[str, int]]) -> None:
    wb, ids = grace
    interview = wb.get(Interview, ids["interview_tom"])
    long_text = render_letter(wb, ids["interview_tom"], "invitation", style="full").text
    wb.update(interview.model_copy(update={"invitation_text": long_text}))
    check = check_letter(render_letter(wb, ids["interview_tom"], "invitation", style="short"))
    assert any("keep a short invitation under 120 words" in p for p in check.problems), check.problems


def test_the_profile_sets_the_default_style_and_greeting(grace: tuple[Workbook, dict[str, int]]) -> None:
    wb, ids = grace
    profile = wb.profile()
    assert profile is not None
    wb.update(
        profile.model_copy(
            update={"letter_style": LetterStyle.short, "greeting_style": GreetingStyle.first_name}
        )
    )
    letter = render_letter(wb, ids["interview_dana"], "invitation")
    assert letter.style == "short"
    assert body_lines(letter)[0] == "Dear Dana,"
    assert render_letter(wb, ids["interview_dana"], "invitation", style="full").style == "full"


def test_an_unknown_style_is_refused(grace: tuple[Workbook, dict[str, int]]) -> None:
    wb, ids = grace
    with pytest.raises(IivkitError, match="unknown letter style 'long'; choose full, short"):
        render_letter(wb, ids["interview_dana"], "invitation", style="long")


def test_the_thank_you_cites_what_they_said_and_the_referral(grace: tuple[Workbook, dict[str, int]]) -> None:
    wb, ids = grace
    text = render_letter(wb, ids["interview_kwame"], "thank_you").body
    assert "Your advice has stayed with me: build a portfolio case study" in text
    assert "Ask Dana" not in text  # a note to herself, not something Kwame said
    assert "$" not in text
    assert "Thank you too for suggesting I speak to Dana Whitfield." in text


def test_the_nudge_mentions_research_only_when_the_invitation_shared_some(
    grace: tuple[Workbook, dict[str, int]],
) -> None:
    wb, ids = grace
    assert "research" in render_letter(wb, ids["interview_dana"], "nudge").body
    interview = wb.get(Interview, ids["interview_dana"])
    wb.update(
        interview.model_copy(
            update={
                "invitation_text": "Dear Dr Whitfield,\n\nCould we talk about your work for 20 minutes?\n"
            }
        )
    )
    nudge = render_letter(wb, ids["interview_dana"], "nudge").body
    assert "research" not in nudge.casefold(), nudge
    assert "Kwame Mensah had suggested I get in touch." in nudge


def test_letters_cli_takes_a_style(grace: tuple[Workbook, dict[str, int]], tmp_path: Path, cli) -> None:
    wb, ids = grace
    path = wb.path
    wb.close()
    out = tmp_path / "out"
    result = cli("letters", path, "--interview", ids["interview_dana"], "--out", out, "--style", "short")
    assert "invitation: ready" in result.output, result.output
    words = int(re.search(r"invitation: ready \((\d+) words\)", result.output).group(1))  # type: ignore[union-attr]
    assert words < SHORT_WORD_LIMIT
    assert "short" in (out / f"interview-{ids['interview_dana']}-invitation.md").read_text(encoding="utf-8")
    bad = cli("letters", path, "--interview", ids["interview_dana"], "--out", out, "--style", "long")
    assert bad.exit_code == 2 and "Traceback" not in bad.output


# -- every letter, everywhere -------------------------------------------------------------------


@pytest.mark.parametrize("persona", sorted(PERSONAS))
def test_every_letter_for_the_personas_reads_well(persona: str, tmp_path: Path) -> None:
    with PERSONAS[persona](tmp_path / f"{persona}.iiv")[0] as wb:
        assert language_problems(wb, persona) == []


def test_every_letter_for_the_demo_reads_well(tmp_path: Path) -> None:
    with build_demo(tmp_path / "demo.iiv") as wb:
        assert language_problems(wb, "demo") == []


def test_every_letter_for_the_class_of_30_reads_well(tmp_path: Path) -> None:
    found: list[str] = []
    for path in build_class(tmp_path / "class", 30):
        with Workbook.read(path) as wb:
            found += language_problems(wb, path.parent.name)
            profile = wb.profile()
            assert isinstance(profile, Profile)
            for contact in wb.all(Contact):
                assert contact.name not in render_greetings(wb, contact)
    assert found == []


def render_greetings(wb: Workbook, contact: Contact) -> str:
    """The greeting lines of every letter to *contact*."""
    return "\n".join(
        body_lines(letter)[0]
        for interview in wb.all(Interview, contact_id=contact.id)
        if interview.id is not None
        for letter in (render_letter(wb, interview.id, name) for name in letters_for(wb, interview.id))
    )
