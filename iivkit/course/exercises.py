"""Self-check feedback on the four course exercises: a verdict on each part of the rubric.

::

    1  career vision and research   a vision, and five or more sourced findings about one organisation
    2  questions and plans          springboard questions; a plan for a senior generalist and one for
                                    a technology specialist
    3  letters                      the introduction letter; the confirmation email with keywords
    4  debrief                      outcomes of tested findings, open questions with how to answer
                                    them, next steps

Each check reads the workbook and returns an :class:`ExerciseFeedback` with one
:class:`Point` per part of :data:`~iivkit.course.rubric.RUBRIC`, in its order, whatever the
student entered: ``met``, ``could be stronger`` or ``not met``, naming the record and field it
is about and, when something is to do, a hint from :data:`HINTS`. Hints point to what to add
or fill in, never to changing what is true. An exercise is complete when every part is met
(a part that could be stronger is met). There is never a bare score: the text says what to do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

from iivkit.course.feedback import ExerciseFeedback, Point, plural
from iivkit.course.rubric import (
    HINTS,
    MET,
    MIN_FINDINGS,
    MIN_TO_TEST,
    MIN_VISION_WORDS,
    NOT_MET,
    RUBRIC,
    STRONGER,
    TITLES,
    part,
)
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

ROLES = {"generalist": "senior generalist", "specialist": "technology specialist"}
PROFILE = "your profile"


class _Checklist:
    """The verdicts of one exercise as a check finds them; :meth:`feedback` puts them in rubric order."""

    def __init__(self, number: int) -> None:
        self.number = number
        self.points: dict[str, Point] = {}

    def met(self, key: str, message: str, *, notes: Sequence[str] = ()) -> None:
        self._add(Point(key, part(self.number, key).title, MET, message, notes=tuple(notes)))

    def todo(
        self,
        key: str,
        message: str,
        record: str,
        field: str,
        hint: str | None = None,
        *,
        state: str = NOT_MET,
        notes: Sequence[str] = (),
    ) -> None:
        """A part not met (or, with *state*, one that could be stronger); *hint* is a key of HINTS,
        by default the field's."""
        title = part(self.number, key).title
        self._add(Point(key, title, state, message, record, field, HINTS[hint or field], tuple(notes)))

    def _add(self, point: Point) -> None:
        if point.part in self.points:
            raise ValueError(f"exercise {self.number}: part {point.part!r} judged twice")
        self.points[point.part] = point

    def feedback(self, subject: str = "") -> ExerciseFeedback:
        parts = [p.key for p in RUBRIC[self.number]]
        if sorted(parts) != sorted(self.points):
            raise ValueError(f"exercise {self.number}: judged {sorted(self.points)}, the rubric has {parts}")
        points = tuple(self.points[key] for key in parts)
        return ExerciseFeedback(self.number, TITLES[self.number], points, subject)


def _words(text: str) -> int:
    return len(text.split())


def _ids(records: Sequence[Finding | FindingOutcome | OpenQuestion]) -> str:
    return ", ".join(str(getattr(r, "finding_id", None) or r.id) for r in records)


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

ORGANISATION_FIELDS = (
    ("main_business", "its main business"),
    ("divisions", "its divisions"),
    ("locations", "where it is"),
    ("job_kinds", "the kinds of jobs it has"),
)


def check_research(wb: Workbook) -> ExerciseFeedback:
    """Exercise 1: a career vision, and at least five sourced findings about one organisation."""
    parts = _Checklist(1)
    profile = wb.profile()
    vision = profile.career_vision if profile else ""
    words = plural(_words(vision), "word")
    if not vision.strip():
        parts.todo("vision", "There is no career vision yet.", PROFILE, "career_vision")
    elif _words(vision) < MIN_VISION_WORDS:
        message = f"Your career vision is written, but short ({words})."
        parts.todo("vision", message, PROFILE, "career_vision", "career_vision/short", state=STRONGER)
    else:
        parts.met("vision", f"Your career vision is written ({words}).")
    orgs = wb.all(Organisation)
    targets = profile.vision_and_targets if profile else ""
    if not targets.strip():
        message = "You have not yet said how your vision relates to the organisations you target."
        parts.todo("vision_and_targets", message, PROFILE, "vision_and_targets")
    elif orgs and not mentions(targets, [o.name for o in orgs]):
        message = "You said how your vision relates to your targets, but named none of the organisations."
        hint = "vision_and_targets/unnamed"
        parts.todo("vision_and_targets", message, PROFILE, "vision_and_targets", hint, state=STRONGER)
    else:
        parts.met("vision_and_targets", "You said how your vision relates to your target organisations.")
    org = organisation_in_focus(wb)
    if org is None:
        parts.todo(
            "organisation", "No organisation is recorded yet.", "organisations", "name", "organisation"
        )
        for name, label in ORGANISATION_FIELDS:
            message = f"{label[0].upper()}{label[1:]}: not noted, as no organisation is recorded yet."
            parts.todo(name, message, "organisations", name, "organisation")
        message = "No findings about an organisation yet, as none is recorded."
        parts.todo("findings", message, "organisations", "name", "organisation")
        return parts.feedback()
    where = f"organisation {org.id} ({org.name})"
    parts.met("organisation", f"You are researching {org.name}.")
    for name, label in ORGANISATION_FIELDS:
        if getattr(org, name):
            parts.met(name, f"You noted {label}.")
        else:
            parts.todo(name, f"{label[0].upper()}{label[1:]}: not noted yet.", where, name)
    _findings_part(wb, parts, org, where)
    return parts.feedback(where)


def _findings_part(wb: Workbook, parts: _Checklist, org: Organisation, where: str) -> None:
    """Part 8: five findings about the organisation with a source, each source dated."""
    findings = wb.all(Finding, organisation_id=org.id)
    unsourced = [f for f in findings if not (f.source_title or f.source_link or f.source_author)]
    undated = [f for f in findings if f.source_date is None and f not in unsourced]
    sourced = len(findings) - len(unsourced)
    notes = []
    if unsourced:
        notes.append(f"Without a source: finding {_ids(unsourced)}. {HINTS['source']}")
    if undated:
        notes.append(f"Source without a date: finding {_ids(undated)}. {HINTS['source_date']}")
    if sourced >= MIN_FINDINGS:
        message = f"You have {plural(sourced, 'finding')} about {org.name} with a source."
        if notes:
            record = f"finding {_ids(unsourced or undated)}"
            field = "source_title" if unsourced else "source_date"
            hint = "source" if unsourced else "source_date"
            parts.todo("findings", message, record, field, hint, state=STRONGER, notes=notes)
        else:
            parts.met("findings", message)
        return
    # Findings about other organisations count for those: the hint is to add some about this one.
    unplaced = [f for f in wb.all(Finding) if f.organisation_id is None]
    others = wb.count(Finding) - len(findings) - len(unplaced)
    if others:
        notes.append(
            f"{plural(others, 'other finding')} {'is' if others == 1 else 'are'} about other "
            f"organisations: {'it counts' if others == 1 else 'they count'} for those, not for {org.name}."
        )
    if unplaced:
        notes.append(
            f"{plural(len(unplaced), 'finding')} name{'s' if len(unplaced) == 1 else ''} no organisation "
            f"(finding {_ids(unplaced)}): if {'it is' if len(unplaced) == 1 else 'any is'} about {org.name}, "
            "choose it in its Organisation field."
        )
    of = f"{sourced} of your {plural(len(findings), 'finding')}" if unsourced else plural(sourced, "finding")
    message = f"{of} about {org.name} {'has' if sourced == 1 and not unsourced else 'have'} a source; "
    message += f"the exercise asks for {MIN_FINDINGS}."
    if len(findings) >= MIN_FINDINGS:  # enough findings: their sources are what is missing
        parts.todo("findings", message, f"finding {_ids(unsourced)}", "source_title", "source", notes=notes)
    else:
        parts.todo("findings", message, f"findings about {where}", "", "findings", notes=notes)


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


def _plan_parts(wb: Workbook, parts: _Checklist, role: str, contact: Contact | None) -> Interview | None:
    """The parts about one person and their plan; the interview whose plan was judged, if saved."""
    who, key = ROLES[role], f"{role}_plan"
    if contact is None:
        field = "seniority" if role == "generalist" else "focus_area"
        parts.todo(role, f"None of your contacts is a {who} yet.", "contacts", field, role)
        parts.todo(key, f"No plan yet: there is no {who} to plan for.", "contacts", field, role)
        return None
    parts.met(role, f"{contact.name} is your {who}.")
    interview = plan_interview(wb, contact)
    if interview is None or not wb.all(PlannedQuestion, interview_id=interview.id):
        message = f"No question plan is saved for {contact.name} yet."
        parts.todo(key, message, f"contact {contact.id} ({contact.name})", "", "plan")
        return None
    plan = saved_plan(wb, interview)
    where, field = _interview_label(wb, interview), "planned questions"
    saved = f"A plan of {plural(len(plan.items), 'question')} is saved for {contact.name}"
    gaps = coverage(plan, wb, contact.id)
    notes = [
        f"{_sentence(g.message[0].upper() + g.message[1:])} {HINTS[f'gap/{g.kind}']}"
        for g in gaps
        if g.kind != "category"
    ]
    empty = [g.message.removeprefix("no question on ") for g in gaps if g.kind == "category"]
    if empty:
        notes.append(f"No question on: {'; '.join(empty)}. {HINTS['categories']}")
    if not any(_tailored(i, role) for i in plan.items):
        message = f"{saved}, but it is not yet fitted to a {who}."
        parts.todo(key, message, where, field, f"tailor/{role}", notes=notes)
        return interview
    kind = "broad strategy" if role == "generalist" else "their technology work"
    message = f"{saved}; it asks about {kind}, which fits a {who}."
    if notes:
        parts.todo(key, message, where, field, "plan/gaps", state=STRONGER, notes=notes)
    else:
        parts.met(key, message)
    return interview


def check_plans(wb: Workbook, *, generalist: object = None, specialist: object = None) -> ExerciseFeedback:
    """Exercise 2: findings to test, and a saved plan each for a senior generalist and a
    technology specialist (*generalist* and *specialist* pick them by id or name)."""
    parts = _Checklist(2)
    marked = wb.all(Finding, to_test=True)
    if len(marked) >= MIN_TO_TEST:
        parts.met("to_test", f"{plural(len(marked), 'finding')} marked to test in interviews.")
    else:
        message = f"{plural(len(marked), 'finding')} marked to test; pick at least {MIN_TO_TEST}."
        parts.todo("to_test", message, "findings", "to_test")
    chosen, planned = [], {}
    for role, given in (("generalist", generalist), ("specialist", specialist)):
        contact = example_contact(wb, role, given)
        chosen.append(contact.name if contact else f"no {ROLES[role]} yet")
        interview = _plan_parts(wb, parts, role, contact)
        if interview is not None and interview.id is not None:
            planned[interview.id] = interview
    field = "planned questions"
    if not planned:
        message = "No plan is saved yet, so no question springs from a finding."
        parts.todo("springboard", message, "interviews", field, "springboard")
        return parts.feedback(" and ".join(chosen))
    counts = {
        i: sum(q.finding_id is not None for q in wb.all(PlannedQuestion, interview_id=i)) for i in planned
    }
    lacking = [i for i, n in counts.items() if n == 0]
    if lacking:
        names = " or ".join(_interview_label(wb, planned[i]).split(" with ", 1)[1] for i in lacking)
        message = f"None of the questions for {names} springs from a finding."
        where = "; ".join(_interview_label(wb, planned[i]) for i in lacking)
        parts.todo("springboard", message, where, field, "springboard")
    else:
        total = sum(counts.values())
        verb = "springs" if total == 1 else "spring"
        parts.met("springboard", f"{plural(total, 'question')} {verb} from your findings.")
    return parts.feedback(" and ".join(chosen))


# -- exercise 3 ------------------------------------------------------------------------------

LETTERS = (
    ("invitation", "invitation_text", "introduction letter"),
    ("confirmation", "confirmation_text", "confirmation email"),
)


def check_letters(wb: Workbook, *, interview: object = None) -> ExerciseFeedback:
    """Exercise 3: a saved invitation, and a saved confirmation with keywords, both ready to send."""
    parts = _Checklist(3)
    chosen = letters_interview(wb, interview)
    if chosen is None or chosen.id is None:
        for key, what in (
            ("invitation", "introduction letter"),
            ("invitation_ready", "introduction letter to check"),
            ("keywords", "keywords"),
            ("confirmation", "confirmation email"),
            ("confirmation_ready", "confirmation email to check"),
        ):
            message = f"There is no interview yet, so no {what}."
            parts.todo(key, message, "interviews", "", "interview/letters")
        return parts.feedback()
    where = _interview_label(wb, chosen)
    if chosen.keywords:
        parts.met("keywords", f"Keywords to cover: {', '.join(chosen.keywords)}.")
    else:
        parts.todo("keywords", "No keywords listed for the meeting.", where, "keywords")
    for name, field, label in LETTERS:
        ready = f"{name}_ready"
        if not getattr(chosen, field).strip():
            parts.todo(name, f"The {label} is not written and saved yet.", where, field, "letter")
            parts.todo(ready, f"The {label} cannot be checked until it is saved.", where, field, "letter")
            continue
        try:
            result = check_letter(render_letter(wb, chosen.id, name))
        except ValidationFailed as exc:  # a record the letter needs is damaged
            damaged = ValidationFailed(exc.message, record=exc.record, field=exc.field)
            parts.met(name, f"The {label} is written and saved.")
            message = f"The {label} cannot be checked, because a record it needs is damaged: {damaged}."
            parts.todo(ready, message, where, field, "letter/check")
            continue
        parts.met(name, f"The {label} is written ({plural(result.words, 'word')}).")
        if result.ready:
            parts.met(ready, f"The {label} passes the letter check: it is ready to send.")
            continue
        found = plural(len(result.problems), "thing")
        message = f"The {label} is not ready to send yet: the letter check found {found} to fix."
        notes = []
        for problem in result.problems:
            clause = problem if problem.startswith(("does ", "needs ")) else f"has a problem: {problem}"
            hint = f" {HINTS['letter/mention']}" if problem.startswith("does not mention") else ""
            notes.append(_sentence(f"The {label} {clause}") + hint)
        parts.todo(ready, message, where, field, "letter/check", notes=notes)
    return parts.feedback(where)


# -- exercise 4 ------------------------------------------------------------------------------


def check_debrief(wb: Workbook, *, interview: object = None) -> ExerciseFeedback:
    """Exercise 4: outcomes of the tested findings, open questions with how to answer them, next steps."""
    parts = _Checklist(4)
    chosen = debrief_interview(wb, interview)
    if chosen is None or chosen.id is None:
        message = "No interview has taken place yet, so there is nothing to debrief."
        for p in RUBRIC[4]:
            parts.todo(p.key, message, "interviews", "status", "interview/held")
        return parts.feedback()
    where = _interview_label(wb, chosen)
    _outcomes_part(wb, parts, chosen, where)
    questions = wb.all(OpenQuestion, interview_id=chosen.id)
    if questions:
        parts.met("open_questions", f"{plural(len(questions), 'open question')} written down.")
    else:
        message = "No open questions written down for this interview."
        parts.todo("open_questions", message, where, "open questions", "open_questions")
    unrouted = [q for q in questions if not q.how_to_answer.strip() and q.suggested_contact_id is None]
    if not questions:
        message = "No open questions yet, so none says how to get it answered."
        parts.todo("how_to_answer", message, where, "open questions", "open_questions")
    elif unrouted:
        message = f"{plural(len(unrouted), 'open question')} without a way to answer it."
        record = f"open question {', '.join(str(q.id) for q in unrouted)}"
        parts.todo("how_to_answer", message, record, "how_to_answer")
    else:
        parts.met("how_to_answer", "Each open question says how you could get it answered.")
    if chosen.next_questions.strip():
        parts.met("next_questions", "You noted what to ask in your next interviews.")
    else:
        parts.todo("next_questions", "What to ask next time is not noted yet.", where, "next_questions")
    notes = []
    if chosen.thank_you_sent is None and not chosen.thank_you_text.strip():
        notes.append(f"No thank-you note yet. {HINTS['thank_you']}")
    if not (chosen.salary_info + chosen.environment_info + chosen.chances_feedback).strip():
        notes.append(
            f"Nothing noted about salary, the work environment or your chances. {HINTS['career_info']}"
        )
    if chosen.status is not InterviewStatus.debriefed:
        message = "The interview is not marked debriefed yet."
        parts.todo("debriefed", message, where, "status", "debriefed", notes=notes)
    elif notes:
        message = "The interview is marked debriefed."
        parts.todo("debriefed", message, where, "", "debriefed/extras", state=STRONGER, notes=notes)
    else:
        parts.met("debriefed", "The interview is marked debriefed, and you thanked them.")
    return parts.feedback(where)


def _outcomes_part(wb: Workbook, parts: _Checklist, chosen: Interview, where: str) -> None:
    """Part 1: an outcome for every finding the plan tested, and one finding really tested."""
    field = "finding outcomes"
    outcomes = wb.all(FindingOutcome, interview_id=chosen.id)
    planned = {q.finding_id for q in wb.all(PlannedQuestion, interview_id=chosen.id) if q.finding_id}
    unscored = sorted(planned - {o.finding_id for o in outcomes})
    tested = [o for o in outcomes if o.outcome is not Outcome.not_discussed]
    untested = [o for o in outcomes if o.outcome is Outcome.not_discussed]
    notes = []
    if untested:
        notes.append(f"Not discussed, so not tested: finding {_ids(untested)}.")
    if unscored or not outcomes:
        which = f" (finding {', '.join(map(str, unscored))})" if unscored else ""
        message = f"No outcome yet for the findings you tested{which}."
        parts.todo("outcomes", message, where, field, "outcomes", notes=notes)
        return
    if not tested:
        message = "Every outcome so far is 'not discussed': no finding was tested in this interview."
        parts.todo("outcomes", message, where, field, "outcomes/tested", notes=notes)
        return
    said = ", ".join(
        f"{n} {o.value.replace('_', ' ')}" for o in Outcome if (n := sum(r.outcome is o for r in outcomes))
    )
    message = f"Outcomes recorded for {plural(len(outcomes), 'finding')}: {said}."
    bare = [o for o in tested if not o.note.strip()]
    if bare:
        notes.append(f"Without a note of what they said: finding {_ids(bare)}.")
        parts.todo("outcomes", message, where, "note", state=STRONGER, notes=notes)
    else:
        parts.met("outcomes", message, notes=notes)


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
