"""Self-check feedback on the four course exercises: what is done, what is missing, how to fix it.

::

    1  career vision and research   a vision, and five or more sourced findings about one organisation
    2  questions and plans          springboard questions; a plan for a senior generalist and one for
                                    a technology specialist
    3  letters                      the introduction letter; the confirmation email with keywords
    4  debrief                      outcomes of tested findings, open questions with how to answer
                                    them, next steps

Each check reads the workbook and returns an :class:`ExerciseFeedback`: a list of
:class:`Point`, each ``done``, ``missing`` or ``weak``, naming the record and field it is about
and, when something is to do, a hint from :data:`HINTS`. An exercise is complete when nothing
is missing; weak points are suggestions. There is never a bare score: the text says what to do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from iivkit.course.feedback import DONE, MISSING, WEAK, ExerciseFeedback, Point, plural
from iivkit.errors import ValidationFailed
from iivkit.method.bank import all_questions, focus_of, infer_topics, mentions
from iivkit.method.letter_check import check_letter
from iivkit.method.letters import render_letter
from iivkit.method.planner import Plan, PlanItem, coverage
from iivkit.method.synthesis import STRATEGY_WORDS
from iivkit.ui.params import is_blank
from iivkit.workbook import views
from iivkit.workbook.models import (
    Contact,
    Finding,
    FindingOutcome,
    FocusArea,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Organisation,
    Outcome,
    PlannedQuestion,
    Seniority,
)
from iivkit.workbook.store import Workbook

TITLES = {
    1: "Career vision and research",
    2: "Springboard questions and plans fitted to the person",
    3: "The introduction letter and the confirmation email",
    4: "Debriefing one interview",
}
MIN_FINDINGS = 5
MIN_VISION_WORDS = 25
ROLES = {"generalist": "senior generalist", "specialist": "technology specialist"}
PROFILE = "your profile"

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
    "findings": "Add more, each one claim you could say aloud, with its source.",
    "source": "Add where you read it: a title, a link or an author. People will ask.",
    "source_date": "Add when it was published: a two-year-old claim may no longer hold.",
    "to_test": "Tick 'Test in interviews' on the findings that matter most to you, or that you are "
    "least sure of.",
    "generalist": "Add one: senior or very senior, focus area general, e.g. a director or manager.",
    "specialist": "Add one with focus area technology, e.g. a data, systems or IT lead.",
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
    "letter/check": "Fix each thing the check names (listed under 'Could be stronger'), then save again.",
    "letter/mention": "Add a sentence on it, in your own words.",
    "letter": "Edit the draft until its check says it is ready, then press 'Save this text'.",
    "keywords": "List three to five topics you hope to cover; the confirmation sends them so the person "
    "can prepare.",
    "interview/held": "After an interview, set its status to 'done' and come back to debrief it.",
    "outcomes": "For each, record confirmed, refuted, mixed or not discussed, and what they said.",
    "note": "Write what exactly they said; you will want their words later.",
    "open_questions": "What do you still not know? Note each question, and who or what could answer it.",
    "how_to_answer": "Name the person or source that could answer it, e.g. a referral or a report.",
    "next_questions": "Write what this interview made you want to ask the next person.",
    "thank_you": "Send one within a day or two, naming something specific they said.",
    "career_info": "Even a remark in passing is hard to learn anywhere else: note it.",
    "debriefed": "Tick 'Mark the interview debriefed' when you save the debrief.",
}
"""Every hint the self-check gives, in one place, by the field (or situation) it is about."""


def _done(message: str) -> Point:
    return Point(DONE, message)


def _todo(state: str, message: str, record: str, field: str, hint: str | None = None) -> Point:
    return Point(state, message, record, field, HINTS[hint or field])


def _feedback(number: int, points: list[Point], subject: str = "") -> ExerciseFeedback:
    return ExerciseFeedback(number, TITLES[number], tuple(points), subject)


def _words(text: str) -> int:
    return len(text.split())


def _ids(records: list[Finding]) -> str:
    return ", ".join(str(r.id) for r in records)


def _interview_label(wb: Workbook, i: Interview) -> str:
    names = {c.id: c.name for c in wb.all(Contact)}  # a damaged contact is left out, with a warning
    return f"interview {i.id} with {names.get(i.contact_id, f'contact {i.contact_id}')}"


def _sentence(text: str) -> str:
    """*text* ending in a full stop, unless it ends in one already (or a question mark)."""
    return text if text.rstrip("”’\"'").endswith((".", "?", "!")) else f"{text}."


# -- choosing what to look at ----------------------------------------------------------------


def organisation_in_focus(wb: Workbook) -> Organisation | None:
    """The organisation with the most findings (the lowest id on a tie); None without organisations."""
    sound = {o.id: o for o in wb.all(Organisation)}  # a damaged one is skipped, with a warning
    return next((sound[i] for i in views.organisations_by_findings(wb) if i in sound), None)


def _plans(wb: Workbook, contact: Contact) -> list[Interview]:
    return [i for i in wb.all(Interview, contact_id=contact.id) if wb.all(PlannedQuestion, interview_id=i.id)]


def fits_role(contact: Contact, role: str) -> bool:
    """True for a senior generalist (``generalist``) or a technology specialist (``specialist``)."""
    if role == "generalist":
        senior = contact.seniority in (Seniority.senior, Seniority.very_senior)
        return senior and contact.focus_area is FocusArea.general
    return contact.focus_area is FocusArea.technology


def example_contact(wb: Workbook, role: str, given: object = None) -> Contact | None:
    """The contact to plan for as the *role*: the one given (id or name), else the first who fits
    and has a saved plan, else the first who fits; None when nobody fits."""
    if not is_blank(given):
        from iivkit.ui.support import choose_contact

        return choose_contact(wb, given)
    fitting = [c for c in wb.all(Contact) if fits_role(c, role)]
    planned = [c for c in fitting if _plans(wb, c)]
    return (planned or fitting)[0] if fitting else None


def plan_interview(wb: Workbook, contact: Contact) -> Interview | None:
    """The contact's interview whose plan to edit: the latest with a saved plan, else one to come."""
    planned = _plans(wb, contact)
    if planned:
        return planned[-1]
    upcoming = [i for i in wb.all(Interview, contact_id=contact.id) if i.upcoming]
    return upcoming[-1] if upcoming else None


def letters_interview(wb: Workbook, given: object = None) -> Interview | None:
    """The interview whose letters to write: the one given, else the one with most of its letters
    written (saved texts, keywords), an interview still to come first; None without interviews."""
    if not is_blank(given):
        from iivkit.ui.support import choose_interview

        return choose_interview(wb, given)

    def rank(i: Interview) -> tuple[int, bool, int]:
        written = bool(i.invitation_text.strip()) + bool(i.confirmation_text.strip()) + bool(i.keywords)
        return (written, i.upcoming, -(i.id or 0))

    interviews = wb.all(Interview)
    return max(interviews, key=rank) if interviews else None


def debrief_interview(wb: Workbook, given: object = None) -> Interview | None:
    """The interview to debrief: the one given, else the first done but not yet debriefed, else
    the latest debriefed; None when no interview has taken place."""
    if not is_blank(given):
        from iivkit.ui.support import choose_interview

        return choose_interview(wb, given)
    held = [i for i in wb.all(Interview) if i.held]
    waiting = [i for i in held if i.status is InterviewStatus.done]
    return waiting[0] if waiting else (held[-1] if held else None)


# -- exercise 1 ------------------------------------------------------------------------------


def check_research(wb: Workbook) -> ExerciseFeedback:
    """Exercise 1: a career vision, and at least five sourced findings about one organisation."""
    points: list[Point] = []
    profile = wb.profile()
    vision = profile.career_vision if profile else ""
    if vision.strip():
        points.append(_done(f"Your career vision is written ({plural(_words(vision), 'word')})."))
    else:
        points.append(_todo(MISSING, "There is no career vision yet.", PROFILE, "career_vision"))
    if vision.strip() and _words(vision) < MIN_VISION_WORDS:
        points.append(
            _todo(WEAK, "Your career vision is short.", PROFILE, "career_vision", "career_vision/short")
        )
    orgs = wb.all(Organisation)
    targets = profile.vision_and_targets if profile else ""
    if not targets.strip():
        message = "You have not yet said how your vision relates to the organisations you target."
        points.append(_todo(MISSING, message, PROFILE, "vision_and_targets"))
    else:
        points.append(_done("You said how your vision relates to your target organisations."))
        if orgs and not mentions(targets, [o.name for o in orgs]):
            message = "It names none of the organisations you researched."
            hint = "vision_and_targets/unnamed"
            points.append(_todo(WEAK, message, PROFILE, "vision_and_targets", hint))
    org = organisation_in_focus(wb)
    if org is None:
        points.append(
            _todo(MISSING, "No organisation is recorded yet.", "organisations", "name", "organisation")
        )
        return _feedback(1, points)
    where = f"organisation {org.id} ({org.name})"
    points.append(_done(f"You are researching {org.name}."))
    for name, label in (
        ("main_business", "its main business"),
        ("divisions", "its divisions"),
        ("locations", "where it is"),
        ("job_kinds", "the kinds of jobs it has"),
    ):
        if getattr(org, name):
            points.append(_done(f"You noted {label}."))
        else:
            points.append(_todo(MISSING, f"{label[0].upper()}{label[1:]}: not noted yet.", where, name))
    findings = wb.all(Finding, organisation_id=org.id)
    n = len(findings)
    if n >= MIN_FINDINGS:
        points.append(_done(f"You have {plural(n, 'finding')} about {org.name}."))
    else:
        message = f"{plural(n, 'finding')} about {org.name}; the exercise asks for {MIN_FINDINGS}."
        point = _todo(MISSING, message, "findings", "organisation_id", "findings")
        others = wb.count(Finding) - n
        if others:
            extra = f" {plural(others, 'other finding')}: set Organisation on any about {org.name}."
            point = dataclasses.replace(point, hint=point.hint + extra)
        points.append(point)
    unsourced = [f for f in findings if not (f.source_title or f.source_link or f.source_author)]
    undated = [f for f in findings if f.source_date is None and f not in unsourced]
    if unsourced:
        message = f"{plural(len(unsourced), 'finding')} without a source (finding {_ids(unsourced)})."
        points.append(_todo(MISSING, message, f"finding {_ids(unsourced)}", "source_title", "source"))
    elif findings:
        points.append(_done("Every finding about it has a source."))
    if undated:
        message = f"{plural(len(undated), 'source')} without a date (finding {_ids(undated)})."
        points.append(_todo(WEAK, message, f"finding {_ids(undated)}", "source_date"))
    return _feedback(1, points, where)


# -- exercise 2 ------------------------------------------------------------------------------


def saved_plan(wb: Workbook, interview: Interview) -> Plan:
    """An interview's saved questions as a :class:`~iivkit.method.planner.Plan`, bank details restored."""
    bank = {q.id: q for q in all_questions(wb)}
    contact = wb.get(Contact, interview.contact_id)
    saved = sorted(wb.all(PlannedQuestion, interview_id=interview.id), key=lambda q: (q.position, q.id or 0))
    items = []
    for q in saved:
        b = bank.get(q.source_question)
        topics = tuple(dict.fromkeys((*(b.topics if b else ()), *infer_topics(q.text))))
        item = PlanItem(q.category, q.text, q.reason, q.finding_id, q.source_question, topics=topics)
        if b is not None:
            item = dataclasses.replace(item, minutes=b.minutes, strategy=b.strategy, focus=b.focus)
        items.append(item)
    org = wb.get(Organisation, contact.organisation_id).name if contact.organisation_id else ""
    who = (contact.id or 0, contact.name, org, contact.seniority, contact.focus_area)
    return Plan(*who, minutes=interview.duration_minutes, items=tuple(items))


def _tailored(item: PlanItem, role: str) -> bool:
    if role == "generalist":
        return item.strategy or bool(mentions(item.text, STRATEGY_WORDS))
    return "technology" in item.focus or FocusArea.technology in focus_of(item.text)


def _plan_points(wb: Workbook, role: str, contact: Contact | None) -> list[Point]:
    who = ROLES[role]
    if contact is None:
        field = "seniority" if role == "generalist" else "focus_area"
        return [_todo(MISSING, f"None of your contacts is a {who} yet.", "contacts", field, role)]
    points = [_done(f"{contact.name} is your {who}.")]
    interview = plan_interview(wb, contact)
    if interview is None or not wb.all(PlannedQuestion, interview_id=interview.id):
        message = f"No question plan is saved for {contact.name} yet."
        return [*points, _todo(MISSING, message, f"contact {contact.id} ({contact.name})", "", "plan")]
    plan = saved_plan(wb, interview)
    where, field = _interview_label(wb, interview), "planned questions"
    points.append(_done(f"A plan of {plural(len(plan.items), 'question')} is saved for {contact.name}."))
    springboards = [i for i in plan.items if i.finding_id is not None]
    if springboards:
        verb = "springs" if len(springboards) == 1 else "spring"
        points.append(_done(f"{plural(len(springboards), 'question')} {verb} from your findings."))
    else:
        message = f"None of the questions for {contact.name} springs from a finding."
        points.append(_todo(MISSING, message, where, field, "springboard"))
    if any(_tailored(i, role) for i in plan.items):
        kind = "broad strategy" if role == "generalist" else "their technology work"
        points.append(_done(f"The plan asks about {kind}, which fits a {who}."))
    else:
        points.append(
            _todo(MISSING, f"The plan is not yet fitted to a {who}.", where, field, f"tailor/{role}")
        )
    gaps = coverage(plan, wb, contact.id)
    for gap in gaps:
        if gap.kind != "category":
            message = _sentence(gap.message[0].upper() + gap.message[1:])
            points.append(_todo(WEAK, message, where, field, f"gap/{gap.kind}"))
    empty = [g.message.removeprefix("no question on ") for g in gaps if g.kind == "category"]
    if empty:
        points.append(_todo(WEAK, f"No question on: {'; '.join(empty)}.", where, field, "categories"))
    return points


def check_plans(wb: Workbook, *, generalist: object = None, specialist: object = None) -> ExerciseFeedback:
    """Exercise 2: findings to test, and a saved plan each for a senior generalist and a
    technology specialist (*generalist* and *specialist* pick them by id or name)."""
    marked = wb.all(Finding, to_test=True)
    points: list[Point] = []
    if len(marked) >= 2:
        points.append(_done(f"{plural(len(marked), 'finding')} marked to test in interviews."))
    else:
        message = f"{plural(len(marked), 'finding')} marked to test; pick at least two."
        points.append(_todo(MISSING, message, "findings", "to_test"))
    chosen = []
    for role, given in (("generalist", generalist), ("specialist", specialist)):
        contact = example_contact(wb, role, given)
        chosen.append(contact.name if contact else f"no {ROLES[role]} yet")
        points += _plan_points(wb, role, contact)
    return _feedback(2, points, " and ".join(chosen))


# -- exercise 3 ------------------------------------------------------------------------------


def check_letters(wb: Workbook, *, interview: object = None) -> ExerciseFeedback:
    """Exercise 3: a saved invitation, and a saved confirmation with keywords, both ready to send."""
    chosen = letters_interview(wb, interview)
    if chosen is None or chosen.id is None:
        message = "There is no interview to write letters for yet."
        return _feedback(3, [_todo(MISSING, message, "interviews", "", "interview/letters")])
    where = _interview_label(wb, chosen)
    points: list[Point] = []
    for name, field, label in (
        ("invitation", "invitation_text", "introduction letter"),
        ("confirmation", "confirmation_text", "confirmation email"),
    ):
        if name == "confirmation" and chosen.keywords:
            points.append(_done(f"Keywords to cover: {', '.join(chosen.keywords)}."))
        elif name == "confirmation":
            points.append(_todo(MISSING, "No keywords listed for the meeting.", where, "keywords"))
        if not getattr(chosen, field).strip():
            message = f"The {label} is not written and saved yet."
            points.append(_todo(MISSING, message, where, field, "letter"))
            continue
        try:
            result = check_letter(render_letter(wb, chosen.id, name))
        except ValidationFailed as exc:  # a record the letter needs is damaged
            damaged = ValidationFailed(exc.message, record=exc.record, field=exc.field)
            message = f"The {label} cannot be checked, because a record it needs is damaged: {damaged}."
            points.append(_todo(MISSING, message, where, field, "letter/check"))
            continue
        points.append(_done(f"The {label} is written ({plural(result.words, 'word')})."))
        if result.ready:
            points.append(_done(f"The {label} passes the letter check: it is ready to send."))
            continue
        found = plural(len(result.problems), "thing")
        message = f"The {label} is not ready to send yet: the letter check found {found} to fix."
        points.append(_todo(MISSING, message, where, field, "letter/check"))
        for problem in result.problems:
            clause = problem if problem.startswith(("does ", "needs ")) else f"has a problem: {problem}"
            hint = HINTS["letter/mention"] if problem.startswith("does not mention") else ""
            points.append(Point(WEAK, _sentence(f"The {label} {clause}"), where, field, hint))
    return _feedback(3, points, where)


# -- exercise 4 ------------------------------------------------------------------------------


def check_debrief(wb: Workbook, *, interview: object = None) -> ExerciseFeedback:
    """Exercise 4: outcomes of the tested findings, open questions with how to answer them, next steps."""
    chosen = debrief_interview(wb, interview)
    if chosen is None or chosen.id is None:
        message = "No interview has taken place yet."
        return _feedback(4, [_todo(MISSING, message, "interviews", "status", "interview/held")])
    where = _interview_label(wb, chosen)
    points: list[Point] = []
    outcomes = wb.all(FindingOutcome, interview_id=chosen.id)
    planned = {q.finding_id for q in wb.all(PlannedQuestion, interview_id=chosen.id) if q.finding_id}
    unscored = sorted(planned - {o.finding_id for o in outcomes})
    if outcomes:
        said = ", ".join(
            f"{n} {o.value.replace('_', ' ')}"
            for o in Outcome
            if (n := sum(r.outcome is o for r in outcomes))
        )
        points.append(_done(f"Outcomes recorded for {plural(len(outcomes), 'finding')}: {said}."))
    if unscored or not outcomes:
        which = f" (finding {', '.join(map(str, unscored))})" if unscored else ""
        message = f"No outcome yet for the findings you tested{which}."
        points.append(_todo(MISSING, message, where, "finding outcomes", "outcomes"))
    bare = [o for o in outcomes if o.outcome is not Outcome.not_discussed and not o.note.strip()]
    if bare:
        ids = ", ".join(str(o.finding_id) for o in bare)
        message = f"{plural(len(bare), 'outcome')} without a note (finding {ids})."
        points.append(_todo(WEAK, message, where, "note"))
    questions = wb.all(OpenQuestion, interview_id=chosen.id)
    if questions:
        points.append(_done(f"{plural(len(questions), 'open question')} written down."))
    else:
        message = "No open questions written down for this interview."
        points.append(_todo(MISSING, message, where, "open questions", "open_questions"))
    unrouted = [q for q in questions if not q.how_to_answer.strip() and q.suggested_contact_id is None]
    if unrouted:
        message = f"{plural(len(unrouted), 'open question')} without a way to answer it."
        record = f"open question {', '.join(str(q.id) for q in unrouted)}"
        points.append(_todo(MISSING, message, record, "how_to_answer"))
    elif questions:
        points.append(_done("Each open question says how you could get it answered."))
    if chosen.next_questions.strip():
        points.append(_done("Next steps: you noted what to ask in your next interviews."))
    else:
        message = "Next steps: what to ask next time is not noted yet."
        points.append(_todo(MISSING, message, where, "next_questions"))
    if chosen.thank_you_sent is None and not chosen.thank_you_text.strip():
        points.append(_todo(WEAK, "No thank-you note yet.", where, "thank_you_text", "thank_you"))
    if not (chosen.salary_info + chosen.environment_info + chosen.chances_feedback).strip():
        message = "Nothing noted about salary, the work environment or your chances."
        points.append(_todo(WEAK, message, where, "salary_info", "career_info"))
    if chosen.status is not InterviewStatus.debriefed:
        points.append(_todo(WEAK, "The interview is not marked debriefed.", where, "status", "debriefed"))
    return _feedback(4, points, where)


# -- all four --------------------------------------------------------------------------------

CHECKS: dict[int, Callable[..., ExerciseFeedback]] = {
    1: check_research,
    2: check_plans,
    3: check_letters,
    4: check_debrief,
}


def check(wb: Workbook, exercise: int, **choices: object) -> ExerciseFeedback:
    """The feedback on one exercise (1 to 4); *choices* pick the contacts or interview it looks at."""
    if exercise not in CHECKS:
        raise ValueError(f"there are exercises 1 to {len(CHECKS)}, not {exercise}")
    return CHECKS[exercise](wb, **choices)


def check_all(wb: Workbook) -> list[ExerciseFeedback]:
    """The feedback on every exercise, each looking at what it chooses by default."""
    return [fn(wb) for fn in CHECKS.values()]


def self_check(wb: Workbook, exercise: int, **choices: object) -> None:
    """Print the feedback on one exercise: the last cell of each exercise notebook."""
    print(check(wb, exercise, **choices).text(), end="")
