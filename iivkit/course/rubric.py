"""The rubric of the four course exercises: a fixed, ordered list of parts per exercise.

Every student is judged on the same parts, whatever they entered, so "6 of 8 parts met" means
the same for everyone and the class summary's columns add up. Each part gets one verdict:

- ``met``: the part is there;
- ``could be stronger``: the part is there, and a hint says how to make it better. It counts
  as met: an exercise is complete when no part is ``not met``;
- ``not met``: the part is missing, with where to add it and a hint.

:mod:`iivkit.course.exercises` gives the verdicts; :func:`rubric_text` is the README's
"Exercise rubric" section. Change :data:`RUBRIC_VERSION` with the parts or what they ask, so
the class run makes every page again.
"""

from __future__ import annotations

from dataclasses import dataclass

RUBRIC_VERSION = "1"
"""Changes whenever a part, its order or what it asks changes."""

MET, STRONGER, NOT_MET = "met", "could be stronger", "not met"
"""A part's verdict. A part that could be stronger is met."""
VERDICTS = (MET, STRONGER, NOT_MET)

TITLES = {
    1: "Career vision and research",
    2: "Springboard questions and plans fitted to the person",
    3: "The introduction letter and the confirmation email",
    4: "Debriefing one interview",
}
LOOKS_AT = {
    1: "the organisation with the most findings",
    2: "the first senior generalist and the first technology specialist among your contacts, "
    "those with a saved plan first",
    3: "the interview with most of its letters written, one still to come first",
    4: "the first interview done but not yet debriefed, else the latest one debriefed",
}
"""What each exercise's check looks at when the notebook's parameters choose nothing."""
MIN_FINDINGS = 5
MIN_VISION_WORDS = 25
MIN_TO_TEST = 2


HINTS: dict[str, str] = {
    "career_vision": "Write a few honest sentences: where you want to be in a few years, and what work "
    "you want to be doing.",
    "career_vision/short": "Add the kind of work and the setting you hope for; it gives your letters "
    "something to say.",
    "vision_and_targets": "Say what these organisations do that fits your vision, and why you chose them.",
    "vision_and_targets/unnamed": "Name the organisations, so the link to your vision is plain.",
    "organisation": "Add the organisation you are researching in the Organisation form.",
    "main_business": "What does it do, and for whom? One or two sentences.",
    "divisions": "List its departments or units; its 'About us' page or annual report usually names them.",
    "locations": "List the cities, regions or countries it works in.",
    "job_kinds": "List roles it hires for; its careers page and job adverts show them.",
    "findings": "Add more findings about this organisation, each one claim you could say aloud, "
    "with its source.",
    "source": "Add where you read it: a title, a link or an author. People will ask.",
    "source_date": "Add when it was published: a two-year-old claim may no longer hold.",
    "to_test": "Tick 'Test in interviews' on the findings that matter most to you, or that you are "
    "least sure of.",
    "generalist": "Add one: senior or very senior, focus area general, e.g. a director or manager.",
    "specialist": "Add one with focus area technology, e.g. a data, systems or IT lead.",
    "plan/gaps": "The notes name what the plan leaves out; add the questions that matter to you, "
    "then press 'Save plan' again.",
    "plan": "Tick and order the questions in the plan for them, then press 'Save plan'.",
    "springboard": "Mark findings 'Test in interviews'; the plan turns each into a question such as "
    '"I read that … does that match what you see?"',
    "tailor/generalist": "A senior person sees the whole field: ask about strategy, direction and where "
    "the sector is going.",
    "tailor/specialist": "A specialist knows their area best: ask about the systems, data and tools they "
    "work with.",
    "gap/finding": "Add a springboard question for it, or leave it for someone it suits better.",
    "gap/chances": "Ask for a candid read of your chances, e.g. 'With my background, how would I fare here?'",
    "gap/closing": "End with 'Who else should I talk to?': it is how your network grows.",
    "gap/salary": "Offering the figures you found takes the pressure off asking.",
    "gap/time": "Plan a longer talk, or keep only the questions that matter most to you.",
    "gap/carried": "Tick it again: an earlier interview handed it to this person. Or mark the open "
    "question answered once you know.",
    "gap/tiara": "Ask for trends, insights, advice, resources and an assignment, so you leave with "
    "more than opinions.",
    "categories": "Not every category is needed, but each one you skip is something you will not learn.",
    "interview/letters": "Plan an interview first (exercise 2); the letters belong to it.",
    "letter/check": "Fix each thing the check names (in the notes below), then save the text again.",
    "letter/mention": "Add a sentence on it, in your own words.",
    "letter": "Edit the draft until its check says it is ready, then press 'Save this text'.",
    "keywords": "List three to five topics you hope to cover; the confirmation sends them so the person "
    "can prepare.",
    "interview/held": "After an interview, set its status to 'done' and come back to debrief it.",
    "outcomes/tested": "'Not discussed' is not tested. If you did raise a finding, record what they "
    "said about it; if not, take your findings to your next interview and debrief that one.",
    "outcomes": "For each, record confirmed, refuted, mixed or not discussed, and what they said.",
    "note": "Write what exactly they said; you will want their words later.",
    "open_questions": "What do you still not know? Note each question, and who or what could answer it.",
    "how_to_answer": "Name the person or source that could answer it, e.g. a referral or a report.",
    "next_questions": "Write what this interview made you want to ask the next person.",
    "thank_you": "Send one within a day or two, naming something specific they said.",
    "career_info": "Even a remark in passing is hard to learn anywhere else: note it.",
    "debriefed/extras": "A thank-you note and what you learnt about pay, the work and your chances "
    "make the debrief worth more.",
    "debriefed": "Tick 'Mark the interview debriefed' when you save the debrief.",
}
"""Every hint the self-check gives, in one place, by the field (or situation) it is about."""


@dataclass(frozen=True)
class Part:
    """One part of an exercise: a short title, and what it takes to meet it."""

    key: str
    title: str
    asks: str


RUBRIC: dict[int, tuple[Part, ...]] = {
    1: (
        Part(
            "vision",
            "Career vision",
            f"a career vision in your profile; it could be stronger under {MIN_VISION_WORDS} words",
        ),
        Part(
            "vision_and_targets",
            "Vision and targets",
            "how your vision relates to the organisations you target; it could be stronger if it "
            "names none of them",
        ),
        Part("organisation", "Organisation", "an organisation you research"),
        Part("main_business", "Main business", "what the organisation does, and for whom"),
        Part("divisions", "Divisions", "its departments or units"),
        Part("locations", "Locations", "where it works"),
        Part("job_kinds", "Kinds of jobs", "the roles it hires for"),
        Part(
            "findings",
            "Five sourced findings",
            f"at least {MIN_FINDINGS} findings about it with a source; it could be stronger while "
            "a finding about it has no source or a source has no date",
        ),
    ),
    2: (
        Part("to_test", "Findings to test", f"at least {MIN_TO_TEST} findings marked 'Test in interviews'"),
        Part("generalist", "Senior generalist", "a contact who is senior or very senior, focus area general"),
        Part(
            "generalist_plan",
            "Plan for the generalist",
            "a saved plan for them that asks about strategy or direction; it could be stronger "
            "while the plan check finds gaps",
        ),
        Part("specialist", "Technology specialist", "a contact with focus area technology"),
        Part(
            "specialist_plan",
            "Plan for the specialist",
            "a saved plan for them that asks about systems, data or tools; it could be stronger "
            "while the plan check finds gaps",
        ),
        Part(
            "springboard",
            "Springboard questions",
            "every saved plan has a question that springs from one of your findings",
        ),
    ),
    3: (
        Part("invitation", "Introduction letter", "the introduction letter, written and saved"),
        Part("invitation_ready", "Letter ready to send", "the saved letter passes the letter check"),
        Part("keywords", "Keywords", "the topics you hope to cover, listed for the confirmation"),
        Part("confirmation", "Confirmation email", "the confirmation email, written and saved"),
        Part("confirmation_ready", "Email ready to send", "the saved email passes the letter check"),
    ),
    4: (
        Part(
            "outcomes",
            "Outcomes",
            "an outcome for every finding the plan tested, and at least one finding confirmed, "
            "refuted or mixed ('not discussed' is not tested); it could be stronger while an "
            "outcome has no note",
        ),
        Part("open_questions", "Open questions", "at least one open question written down"),
        Part("how_to_answer", "How to answer them", "each open question says who or what could answer it"),
        Part("next_questions", "Next steps", "what to ask in your next interviews"),
        Part(
            "debriefed",
            "Debrief saved",
            "the interview marked debriefed; it could be stronger without a thank-you note, or "
            "with nothing noted on salary, the work environment or your chances",
        ),
    ),
}
"""Each exercise's parts, in the order the feedback and the class summary show them."""


def part(exercise: int, key: str) -> Part:
    """The part *key* of *exercise*."""
    return next(p for p in RUBRIC[exercise] if p.key == key)


def counts_as_met(verdict: str) -> bool:
    """True for ``met`` and ``could be stronger``: the part is there."""
    return verdict in (MET, STRONGER)


def rubric_text() -> str:
    """The rubric as Markdown: the README's "Exercise rubric" section, heading included."""
    lines = [
        "### Exercise rubric",
        "",
        "Every student is checked on the same parts. Each part is *met*, *not met*, or *could be",
        "stronger*: met, with a hint to make it better. An exercise is complete when every part is",
        "met, so a part that could be stronger does not hold it back.",
    ]
    for number, parts in RUBRIC.items():
        lines += ["", f"**Exercise {number} · {TITLES[number]}** ({len(parts)} parts)", ""]
        lines += [f"It looks at {LOOKS_AT[number]}.", ""]
        lines += [f"{n}. {p.title}: {p.asks}." for n, p in enumerate(parts, 1)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(rubric_text(), end="")
