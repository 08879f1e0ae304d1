"""The question planner: a plan for one contact that fits the person and the minutes.

:func:`plan` reads top to bottom as the method: find the research findings to test with this
contact (about their organisation, or sector-wide) → turn each into a springboard question,
saying what earlier interviews made of it → add the open questions routed to them → pick a
rapport opener, personal when the workbook knows how you came to them, and the closing "who
else should I talk to?" → add the salary and chances questions → one question in a
specialist's own area → the "ask next time" notes and the user's own questions → cover each
remaining category once, the most goal-related first → more on the user's goal → balance TIARA
(trends, insights, advice, resources, assignments) → fill the time left with the best-scoring
questions.
The plan is then ordered rapport → industry and organisation → role, requirements, career,
application, opportunities → closing.

Whose goal is it? Questions about the user's way in (requirements, career, application,
opportunities) follow the user: their career stage (no internships for a career changer) and
target roles. Questions about the contact's expertise follow the contact's seniority, focus
area and focus tags. When the time is short, the questions least related to the user's goal
are the first to go; only the one question in a specialist's own area is kept before them.

Scoring is deliberately simple, so every pick can say why it was made:

* a broad-strategy question: +4 for a very senior contact, +2 for a senior one;
* a question tagged with a specialist's focus area: +3; a ``general`` question for a generalist: +2;
* a question written for a narrow band of seniority that includes this contact: +1;
* a question of the user's own: +2;
* a question on the user's goal (their target area, their career stage, their target role): +2;
* requirements and application detail for a very senior contact: -1.

Questions tagged for another specialism are left out, and so are questions about a goal in a
specialism the user does not aim at (labour law for someone moving into UX research). Ties go
to the bank's own order, so the same workbook always gives the same plan.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import pandas as pd

from iivkit.errors import StaleRecordError, ValidationFailed
from iivkit.method import growth
from iivkit.method.bank import (
    CATEGORY_LABELS,
    FOCUS_KEYWORDS,
    PLACEHOLDERS,
    BankQuestion,
    all_questions,
    fill,
    focus_label,
    focus_of,
    focus_tag,
    infer_topics,
    mentions,
    normalise,
    with_article,
    words,
)
from iivkit.method.dates import day_month
from iivkit.method.synthesis import Heard, heard_about, routed_questions
from iivkit.workbook.models import (
    CareerStage,
    Category,
    Contact,
    Finding,
    FocusArea,
    HowFound,
    Interview,
    Organisation,
    Outcome,
    PlannedQuestion,
    Profile,
    Seniority,
    Tiara,
)
from iivkit.workbook.names import is_title
from iivkit.workbook.store import Workbook

CATEGORY_ORDER: tuple[Category, ...] = tuple(Category)
SPREAD_PENALTY = 1.5
"""Subtracted per question already in a category while filling, so the plan spreads out."""
NO_SOURCE = "my reading"
WIDTH = 100
"""Line width of the plain-text plan."""
_SENIOR = (Seniority.senior, Seniority.very_senior)
_DETAIL = (Category.requirements, Category.application)
GOAL_CATEGORIES = (Category.requirements, Category.career, Category.application, Category.opportunities)
"""Categories about the user's way in: they follow the user's goal, not the contact's focus."""


@dataclass(frozen=True)
class PlanItem:
    """One question in a plan, with why it was picked."""

    category: Category
    text: str
    reason: str
    finding_id: int | None = None
    source_question: str = ""
    minutes: int = 3
    strategy: bool = False
    focus: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    tiara: Tiara | None = None
    goal: int = 0
    """How closely it bears on the user's goal: 2 on it, 1 about their way in, 0 the contact's field."""
    carried: str = ""
    """``open`` or ``next`` for a question carried over from earlier interviews, else ""."""


@dataclass(frozen=True)
class Plan:
    """An ordered question plan for one contact."""

    contact_id: int
    contact_name: str
    organisation: str
    seniority: Seniority
    focus_area: FocusArea
    minutes: int
    items: tuple[PlanItem, ...] = field(default_factory=tuple)

    @property
    def total_minutes(self) -> int:
        """The estimated length of all questions together."""
        return sum(i.minutes for i in self.items)

    @property
    def over_budget(self) -> bool:
        """True when the plan needs more than the minutes planned.

        Only the questions the plan cannot drop take it over: the opener, the closing "who
        else", one springboard per finding to test and the questions carried over from earlier
        interviews. Every other question is added only
        while it fits.
        """
        return self.total_minutes > self.minutes

    @property
    def findings_tested(self) -> int:
        """How many findings to test the plan raises."""
        return len({i.finding_id for i in self.items if i.finding_id is not None})

    def to_frame(self) -> pd.DataFrame:
        """The plan as a table, one row per question, numbered from 1."""
        rows = [
            {"category": i.category.value, **{k: getattr(i, k) for k in _FRAME_COLUMNS}} for i in self.items
        ]
        df = pd.DataFrame(rows, columns=["category", *_FRAME_COLUMNS])
        df.index = pd.RangeIndex(1, len(df) + 1, name="number")
        return df


_FRAME_COLUMNS = ("text", "reason", "minutes", "finding_id", "source_question")


@dataclass(frozen=True)
class Gap:
    """Something a plan lacks: ``category``, ``finding``, ``carried``, ``salary``, ``chances``, ``tiara``,
    ``closing`` or ``time``."""

    kind: str
    message: str
    category: Category | None = None
    finding_id: int | None = None


@dataclass
class _Pick:
    item: PlanItem
    score: float
    group: int  # orders items within a category: 0 opener or springboard, 1 other, 2 the last word
    seq: int = 0


# -- whose goal, which findings, which questions ---------------------------------------------


@dataclass(frozen=True)
class Goal:
    """What the user aims at, from the profile: it shapes the questions about their way in."""

    stage: CareerStage | None = None
    target_roles: tuple[str, ...] = ()
    areas: frozenset[FocusArea] = frozenset()
    said: bool = False
    """True when the profile names target roles or careers of interest."""
    academic: bool = True
    """False when the user's "research" is user, design or market research, not academic work."""

    @property
    def area_values(self) -> frozenset[str]:
        return frozenset(a.value for a in self.areas)


_NOT_ACADEMIC = (
    "ux",
    "user research",
    "user experience",
    "usability",
    "design",
    "designer",
    "product",
    "market research",
    "customer research",
    "consumer insight",
)


def goal_of(wb: Workbook) -> Goal:
    """The user's goal as the profile states it: career stage, target roles and their focus areas.

    The areas come from the target roles, else the careers of interest. "Research" reads as
    academic research unless the goal speaks of UX, design, product or market research.
    """
    profile: Profile | None = wb.profile()
    if profile is None:
        return Goal()
    aims = list(profile.target_roles) or list(profile.careers_of_interest)
    text = "; ".join(aims)
    areas = frozenset(a for aim in aims for a in focus_of(aim) if a is not FocusArea.general)
    return Goal(
        stage=profile.career_stage,
        target_roles=tuple(profile.target_roles),
        areas=areas,
        said=bool(aims),
        academic=not mentions(text, _NOT_ACADEMIC),
    )


def contact_focus(contact: Contact) -> frozenset[str]:
    """A contact's focus as questions are tagged: their focus area, their own focus tags, and the
    focus areas those tags name ("UX research" → ``ux_research``, ``design``, ``research``)."""
    tags = {focus_tag(t) for t in contact.focus_tags}
    named = {f.value for t in contact.focus_tags for f in focus_of(t)}
    return frozenset({contact.focus_area.value, *tags, *named})


def findings_to_test(wb: Workbook, contact: Contact) -> list[tuple[Finding, str]]:
    """The findings marked to test that this contact can speak to, each with why.

    A finding about one organisation goes only to people who work there; a sector-wide finding,
    about no organisation in particular, goes to anyone. Their organisation's findings come
    first, then by id.
    """
    chosen: list[tuple[int, Finding, str]] = []
    focus = contact.focus_area
    for f in wb.all(Finding, to_test=True):
        if f.organisation_id is not None:
            if contact.organisation_id is not None and f.organisation_id == contact.organisation_id:
                org = in_sentence(_org_name(wb, f.organisation_id))
                chosen.append((0, f, f"about {org}, where they work"))
        elif f.topic and focus is not FocusArea.general and _topic_fits(f.topic, focus):
            chosen.append((1, f, f"a sector-wide finding on {f.topic}, their focus ({focus_label(focus)})"))
        else:
            on = f" on {f.topic}" if f.topic else ""
            chosen.append((1, f, f"a sector-wide finding{on} that anyone can speak to"))
    chosen.sort(key=lambda t: (t[0], t[1].id or 0))
    return [(f, why) for _, f, why in chosen]


def _topic_fits(topic: str, focus: FocusArea) -> bool:
    return bool(mentions(topic, (focus.value.replace("_", " "), *FOCUS_KEYWORDS[focus])))


_TAKES_THE = frozenset(
    """agency association board bureau centre center city college commission council department
    federal foundation institute ministry municipality national office provincial society state
    university""".split()  # noqa: SIM905
)


def in_sentence(name: str) -> str:
    """An organisation's name as it reads mid-sentence: "the Centre for …", but "Acme"."""
    first = name.split()[0].lower() if name.split() else ""
    return f"the {name}" if first in _TAKES_THE else name


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text[:1].isalpha() else text


def _org_name(wb: Workbook, organisation_id: int | None) -> str:
    return wb.get(Organisation, organisation_id).name if organisation_id is not None else ""


def usable(q: BankQuestion, contact: Contact, goal: Goal) -> bool:
    """True if the question may go into a plan for this contact and this user.

    It fits the contact's seniority and focus (area or tags) and the user's career stage; a
    question about a goal in one specialism (tagged ``goal``) needs the user to aim at it; an
    academic research question needs the user's research to be academic.
    """
    if not (q.fits(contact.seniority) and q.fits_stage(goal.stage)):
        return False
    if not goal.academic and "academic" in q.topics:
        return False
    if "goal" in q.topics and goal.said:
        return bool(set(q.focus) & goal.area_values)
    return q.suits(contact_focus(contact))


def goal_relevance(q: BankQuestion, goal: Goal) -> tuple[int, str]:
    """How closely a question bears on the user's goal, and why when it is 2.

    2: on it (their target area, stage or role; their own question); 1: about
    their way in (requirements, career, application, opportunities) or the day-to-day of the
    work; 0: the contact's field and organisation.
    """
    if q.user:
        return 2, ""
    if q.category not in GOAL_CATEGORIES:
        return (1 if q.category is Category.role else 0), ""
    shared = set(q.focus) & goal.area_values
    if shared:
        area = next(a for a in FocusArea if a.value in shared)
        return 2, f"your goal: {focus_label(area)}"
    if q.stages and goal.stage is not None and goal.stage in q.stages:
        return 2, f"fits {with_article(_label(goal.stage))}"
    if "{target_role}" in q.text and goal.target_roles:
        return 2, f"your target role: {goal.target_roles[0]}"
    return 1, ""


def _score(q: BankQuestion, contact: Contact, goal: Goal) -> tuple[float, list[str]]:
    found: list[tuple[float, str]] = []
    level, focus = _label(contact.seniority), contact.focus_area
    if q.strategy and contact.seniority in _SENIOR:
        points = 4 if contact.seniority is Seniority.very_senior else 2
        found.append((points, f"fits {with_article(level)} contact: strategy"))
    elif contact.seniority is Seniority.very_senior and q.category in _DETAIL:
        found.append((-1, ""))
    tags = sorted(set(q.focus) & {focus_tag(t) for t in contact.focus_tags})
    if focus.value in q.focus and focus is not FocusArea.general:
        found.append((3, f"their focus: {focus_label(focus)}"))
    elif tags:
        found.append((3, f"their focus: {tags[0].replace('_', ' ')}"))
    elif focus.value in q.focus:
        found.append((2, "fits a generalist: the organisation as a whole"))
    if 0 < len(q.seniority) <= 2 and not q.strategy and contact.seniority in q.seniority:
        found.append((1, f"suits {with_article(level)} contact"))
    if q.user:
        found.append((2, "your own question"))
    relevance, why = goal_relevance(q, goal)
    if relevance == 2 and why:
        found.append((2, why))
    return float(sum(p for p, _ in found)), [why for _, why in found if why]


def _source(f: Finding) -> str:
    """How a springboard names its source: “Title” (Author, 2024)."""
    extra = ", ".join(x for x in (f.source_author, str(f.source_date.year) if f.source_date else "") if x)
    if f.source_title:
        return f"“{f.source_title}”" + (f" ({extra})" if extra else "")
    return extra or NO_SOURCE


def _own_source(f: Finding) -> str:
    """How a springboard names a source to its own author: your article “Title” (2024)."""
    year = f" ({f.source_date.year})" if f.source_date else ""
    return f"your article “{f.source_title}”{year}" if f.source_title else "your own writing"


def _bare_name(name: str) -> str:
    return " ".join(w for w in normalise(name).split() if not is_title(w))


def is_author(contact: Contact, f: Finding) -> bool:
    """True when the contact wrote the finding's source: their name is among its authors.

    Titles (Dr, Prof, Mr…) are ignored on both sides, and the whole name must match, so
    "Dr Ayesha Patel" wrote a source by "Ayesha Patel" or "A. Khan and Ayesha Patel", but not
    one by "Ayesha Naidoo".
    """
    name = _bare_name(contact.name)
    return len(name.split()) >= 2 and f" {name} " in f" {_bare_name(f.source_author)} "


def is_about_pay(f: Finding) -> bool:
    """True for a finding about salaries: its topic is pay, or its claim quotes an amount of pay."""
    if "salary" in infer_topics(f.topic):
        return True
    return "salary" in infer_topics(f.claim) and any(ch.isdigit() for ch in f.claim)


_STARTING = ("entry level", "entry", "graduate", "junior", "starting", "starting out", "first job", "intern")
_MID = ("mid level", "mid career", "mid", "midlevel", "experienced", "intermediate")
_TOP = ("senior", "lead", "principal", "head", "manager", "director")
_STAGE_LEVEL = {
    CareerStage.career_changer: "someone moving in from another career",
    CareerStage.experienced: "someone with my experience",
}


def pay_level(f: Finding, goal: Goal) -> str:
    """Whose pay a salary finding is about, as a springboard puts it: "people at mid-level"…

    Taken from the claim's own words; when it says nothing, from the user's career stage.
    """
    text = f"{f.claim} {f.topic}"
    if mentions(text, _MID):
        return "people at mid-level"
    if mentions(text, _TOP):
        return "senior people"
    if mentions(text, _STARTING):
        return "people starting out"
    return _STAGE_LEVEL.get(goal.stage, "people starting out") if goal.stage else "people starting out"


# -- what earlier interviews said, in words to say aloud --------------------------------------


def _known_names(wb: Workbook) -> set[str]:
    names = [o.name for o in wb.all(Organisation)] + [c.name for c in wb.all(Contact)]
    names += [f.source_author for f in wb.all(Finding)]
    return {w.lower() for n in names for w in re.findall(r"[A-Za-z]+", n) if w[:1].isupper()}


def in_speech(text: str, names: set[str]) -> str:
    """A claim or a note as it goes mid-sentence: "Mid-level pay…" → "mid-level pay…".

    The first letter stays a capital for a name the workbook knows (an organisation, a person),
    for "I" and for an acronym. A closing full stop goes.
    """
    text = " ".join(text.split()).rstrip(".").strip()
    first = re.match(r"[A-Za-z]+", text)
    if first is None:
        return text
    word = first.group(0)
    keep = word == "I" or (len(word) > 1 and word[1:2].isupper()) or word.lower() in names
    return text if keep else text[:1].lower() + text[1:]


def _someone(h: Heard) -> str:
    if h.organisation:
        return f"someone at {in_sentence(h.organisation)}"
    if h.role:
        role = h.role if h.role[1:2].isupper() else h.role[:1].lower() + h.role[1:]
        return f"{with_article(role)} I spoke to"
    return "someone I spoke to"


def heard_sentence(f: Finding, heard: list[Heard], names: set[str]) -> str:
    """What earlier interviews said about a finding, as the user can say it aloud.

    "I read that mid-level pay is $70k–$80k, but someone at Pulse told me otherwise: mid-level pay
    in Chicago start-ups is nearer $85k–$105k." Names stay out: the user says where, not who. Up
    to two earlier interviews are mentioned.
    """
    claim = in_speech(f.claim, names)
    first, *rest = heard
    who = _someone(first)
    note = in_speech(first.note, names) if len(words(first.note)) >= 2 else ""
    if first.outcome is Outcome.refuted:
        text = f"I read that {claim}, but {who} told me " + (
            f"otherwise: {note}." if note else "that is not what they see."
        )
    elif first.outcome is Outcome.confirmed:
        text = f"I read that {claim}, and {who} agreed" + (f": {note}." if note else ".")
    else:
        text = f"I read that {claim}, but {who} told me it is only partly true" + (
            f": {note}." if note else "."
        )
    if rest:
        second = rest[0]
        same = second.outcome is first.outcome
        text += f" {_capitalised(_someone(second))} " + (
            "said much the same." if same else "saw it differently."
        )
    return text


def _heard_why(heard: list[Heard]) -> str:
    said = {Outcome.refuted: "refuted", Outcome.confirmed: "confirmed", Outcome.mixed: "qualified"}
    parts = []
    for h in heard:
        where = ", ".join(x for x in (h.contact, h.organisation) if x)
        when = f" on {day_month(h.day)}" if h.day else ""
        parts.append(f"{said.get(h.outcome, h.outcome.value)} by {where}{when}")
    return "; ".join(parts)


# -- personal openers --------------------------------------------------------------------------

_HISTORY = (
    "before",
    "previously",
    "formerly",
    "former",
    "used to",
    "moved into",
    "moved from",
    "switched",
    "trained as",
    "career change",
    "changed career",
)


def _history_note(contact: Contact) -> str:
    """The sentence of the contact's notes that tells of an earlier path, if any."""
    for sentence in re.split(r"(?<=[.!?])\s+", contact.notes):
        if mentions(sentence, _HISTORY):
            return sentence.strip()
    return ""


def personal_openers(wb: Workbook, contact: Contact) -> list[tuple[str, dict[str, str], str]]:
    """What the workbook knows to open with, best first: (opener kind, placeholder values, why).

    Who referred them, what they wrote (the author of a finding's source), an earlier path
    their notes tell of, how they were found (alumni, an event).
    """
    found: list[tuple[str, dict[str, str], str]] = []
    if contact.referred_by_id is not None and wb.exists(Contact, contact.referred_by_id):
        referrer = wb.get(Contact, contact.referred_by_id).name
        found.append(("referral", {"referrer": referrer}, f"{referrer} suggested them"))
    written = next((f for f in wb.all(Finding) if f.source_title and is_author(contact, f)), None)
    if written is not None:
        found.append(("author", {"work": _own_source(written)}, f"they wrote “{written.source_title}”"))
    history = _history_note(contact)
    if history:
        short = history if len(history) <= 80 else history[:77] + "…"
        found.append(("history", {}, f"your notes tell of their earlier path (“{short}”)"))
    if contact.how_found is HowFound.alumni:
        found.append(("alumni", {}, "you found them through your alumni network"))
    elif contact.how_found is HowFound.event:
        found.append(("event", {}, "you came across them at an event"))
    return found


# -- the plan --------------------------------------------------------------------------------


_CARRIED_CATEGORY: tuple[tuple[Category, tuple[str, ...]], ...] = (
    (Category.career, ("salary", "salaries", "pay", "chances", "promotion", "progression")),
    (
        Category.application,
        ("cv", "resume", "apply", "application", "portfolio", "cover letter", "interview"),
    ),
    (
        Category.opportunities,
        ("internship", "volunteer", "volunteering", "course", "bootcamp", "programme", "shadow", "placement"),
    ),
    (Category.requirements, ("qualification", "skill", "certificate", "certification", "degree", "licence")),
    (Category.role, ("day to day", "typical day", "typical week", "team", "tools", "workload")),
)


def _carried_category(text: str, org: str) -> Category:
    for cat, keywords in _CARRIED_CATEGORY:
        if mentions(text, keywords):
            return cat
    if org and mentions(text, [org]):
        return Category.organisation
    return Category.industry


def _as_question(text: str) -> str:
    text = _capitalised(" ".join(text.split()))
    return text if text[-1:] in "?.!" else text + "?"


def _carried_items(wb: Workbook, contact: Contact, org: str) -> list[PlanItem]:
    items = []
    for c in routed_questions(wb, contact.id or 0):
        origin = ""
        if c.raised_with:
            talk = (
                "from your talk with them" if c.raised_with == "them" else f"after talking to {c.raised_with}"
            )
            origin = f", {talk}" + (f" on {day_month(c.day)}" if c.day else "")
        if c.kind == "open":
            reason = f"carried over: an open question for them{origin}"
        else:
            reason = f"carried over: “ask next time”{origin}"
        items.append(
            PlanItem(
                category=_carried_category(c.text, org),
                text=_as_question(c.text),
                reason=reason,
                minutes=3,
                topics=infer_topics(c.text),
                goal=2,
                carried=c.kind,
            )
        )
    return items


def plan(wb: Workbook, contact_id: int, minutes: int = 30) -> Plan:
    """Plan the questions for an interview with one contact, sized to *minutes*.

    Every finding to test with this contact becomes a springboard question, and every question
    carried over to them from earlier interviews goes in, even when that takes the plan over
    *minutes* (the plan then says so, see :attr:`Plan.over_budget`, and holds nothing
    optional); the plan always opens with rapport and ends with "who else should I talk to?",
    with no follow-up to it. When the time is short, the questions least related to the user's
    goal are left out first.

    :param minutes: the length of the interview; other questions fill the time that is left.
    """
    contact = wb.get(Contact, contact_id)
    goal = goal_of(wb)
    org = _org_name(wb, contact.organisation_id)
    values = {"organisation": in_sentence(org) if org else "your organisation"}
    if goal.target_roles:
        values["target_role"] = goal.target_roles[0]
    pool = [q for q in all_questions(wb) if usable(q, contact, goal)]
    scored = {q.id: _score(q, contact, goal) for q in pool}
    relevance = {q.id: goal_relevance(q, goal)[0] for q in pool}
    rank = {q.id: n for n, q in enumerate(pool)}
    ranked = sorted(pool, key=lambda q: (-scored[q.id][0], rank[q.id]))

    picks: list[_Pick] = []
    taken: set[str] = set()

    def item_of(q: BankQuestion, stage: str, extra: dict[str, str] | None = None) -> PlanItem:
        _, why = scored[q.id]
        return PlanItem(
            category=q.category,
            text=_capitalised(fill(q.text, **values, **(extra or {}))),
            reason="; ".join([stage, *why]),
            source_question=q.id,
            minutes=q.minutes,
            strategy=q.strategy,
            focus=q.focus,
            topics=q.topics,
            tiara=q.tiara,
            goal=relevance[q.id],
        )

    def take(q: BankQuestion, stage: str, group: int = 1, extra: dict[str, str] | None = None) -> None:
        picks.append(_Pick(item_of(q, stage, extra), scored[q.id][0], group, len(picks)))
        taken.add(q.id)

    def first(pool: list[BankQuestion], category: Category, topic: str | None = None) -> BankQuestion | None:
        return next(
            (q for q in pool if q.category is category and q.id not in taken and topic in (None, *q.topics)),
            None,
        )

    # 1. Springboards, one per finding to test, and the open questions routed to this contact:
    #    whatever the time.
    picks.extend(
        _Pick(item, 0.0, 0, n) for n, item in enumerate(_springboards(wb, contact, ranked, values, goal))
    )
    carried = _carried_items(wb, contact, org)
    start = len(picks)
    picks.extend(_Pick(item, 0.0, 0, start + n) for n, item in enumerate(carried) if item.carried == "open")

    # 2. The opener, personal when the workbook knows how you came to them, and the last word
    #    (the bank has both for every contact).
    def filled(q: BankQuestion, extra: dict[str, str]) -> bool:
        return not any(f"{{{p}}}" in fill(q.text, **values, **extra) for p in PLACEHOLDERS)

    ordinary = [q for q in ranked if not q.springboard and not q.opener]
    openers = [q for q in ranked if q.opener]
    for kind, extra, why in personal_openers(wb, contact):
        opener = next((q for q in openers if q.opener == kind and filled(q, extra)), None)
        if opener is not None:
            take(opener, f"rapport: {why}", group=0, extra=extra)
            break
    else:
        generic = first(ordinary, Category.background, "rapport") or first(ordinary, Category.background)
        if generic is None:
            raise RuntimeError("the question bank lacks a rapport question for this contact")
        take(generic, "rapport: their own path first", group=0)
    closer = first(ordinary, Category.closing, "referral")
    if closer is None:
        raise RuntimeError("the question bank lacks a 'who else' question for this contact")
    take(closer, "closing: who else to talk to, always last", group=2)

    def used() -> int:
        return sum(p.item.minutes for p in picks)

    def fits(q: BankQuestion) -> bool:
        return used() + q.minutes <= minutes

    def redundant(q: BankQuestion) -> bool:
        # "May I share the range I found?" when a salary finding already shares one.
        return "salary_range" in q.topics and any(
            p.item.finding_id and "salary" in p.item.topics for p in picks
        )

    # A follow-up to "who else" (may I mention your name?) could only come after it, and it is
    # always last: such questions stay out; so do texts with a placeholder nothing fills.
    candidates = [
        q
        for q in ordinary
        if q.id not in taken and not {"referral", "after_referral"} & set(q.topics) and filled(q, {})
    ]

    # 3. What the method always asks: salary, then a candid read of the user's chances.
    for topic, stage in (("salary", "career: salary"), ("chances", "career: a candid read of your chances")):
        q = first(candidates, Category.career, topic)
        if q and not any(_asks(p.item, topic) for p in picks) and fits(q):
            take(q, stage)

    # 3b. The top open area to develop that others named (iivkit.method.growth), if it fits.
    picks.extend(
        _Pick(PlanItem(**q), 0.0, 1, len(picks))
        for q in growth.plan_questions(wb, contact, room=minutes - used())
    )

    # 4. A specialist's own area, at least once.
    focus = contact_focus(contact) - {FocusArea.general.value}
    if focus and not any(focus & set(p.item.focus) for p in picks):
        q = next((c for c in candidates if focus & set(c.focus) and c.id not in taken), None)
        if q and fits(q):
            label = (
                focus_label(contact.focus_area) if contact.focus_area is not FocusArea.general else "their"
            )
            take(q, f"{with_article(label)} specialist's own area" if label != "their" else "their own area")

    # 5. The "ask next time" notes, then the user's own questions: they wrote them for a reason.
    for item in carried:
        if item.carried == "next" and used() + item.minutes <= minutes:
            picks.append(_Pick(item, 0.0, 1, len(picks)))
    for q in candidates:
        if q.user and q.id not in taken and fits(q):
            take(q, f"in {CATEGORY_LABELS[q.category].split(':')[0].lower()}")

    # 6. One question for each category still empty, the most goal-related categories first.
    present = {p.item.category for p in picks}
    best: dict[Category, BankQuestion] = {}
    for q in sorted(candidates, key=lambda q: -relevance[q.id]):
        if q.id not in taken and q.category not in present and q.category not in best and not redundant(q):
            best[q.category] = q
    for cat in sorted(
        best, key=lambda c: (-relevance[best[c].id], -scored[best[c].id][0], CATEGORY_ORDER.index(c))
    ):
        if fits(best[cat]):
            take(best[cat], f"covers {CATEGORY_LABELS[cat].split(':')[0].lower()}")

    # 7. The questions on the user's goal, one a category, best first.
    on_goal: dict[Category, BankQuestion] = {}
    for q in candidates:
        if q.id not in taken and relevance[q.id] == 2 and q.category not in on_goal and not redundant(q):
            on_goal[q.category] = q
    for cat in sorted(on_goal, key=lambda c: (-scored[on_goal[c].id][0], CATEGORY_ORDER.index(c))):
        if fits(on_goal[cat]):
            take(on_goal[cat], f"on your goal, in {CATEGORY_LABELS[cat].split(':')[0].lower()}")

    # 8. TIARA: one question for each of trends, insights, advice, resources, assignments missing.
    for tag in Tiara:
        if any(p.item.tiara is tag for p in picks):
            continue
        q = max(
            (c for c in candidates if c.id not in taken and c.tiara is tag and fits(c) and not redundant(c)),
            key=lambda c: (relevance[c.id], scored[c.id][0], -rank[c.id]),
            default=None,
        )
        if q is not None:
            take(q, f"balance: {tag.value} (TIARA)")

    # 9. Fill the time left, spreading over categories, closest to the user's goal first.
    while True:
        left = minutes - used()
        per_cat = {c: sum(p.item.category is c for p in picks) for c in CATEGORY_ORDER}
        fitting = [q for q in candidates if q.id not in taken and q.minutes <= left and not redundant(q)]
        if not fitting:
            break
        q = max(
            fitting,
            key=lambda q: (
                scored[q.id][0] + relevance[q.id] - SPREAD_PENALTY * per_cat[q.category],
                -rank[q.id],
            ),
        )
        take(q, f"adds to {CATEGORY_LABELS[q.category].split(':')[0].lower()}")

    picks.sort(key=lambda p: (CATEGORY_ORDER.index(p.item.category), p.group, p.seq))
    return Plan(
        contact_id=contact_id,
        contact_name=contact.name,
        organisation=org,
        seniority=contact.seniority,
        focus_area=contact.focus_area,
        minutes=minutes,
        items=tuple(p.item for p in picks),
    )


def _springboards(
    wb: Workbook, contact: Contact, ranked: list[BankQuestion], values: dict[str, str], goal: Goal
) -> list[PlanItem]:
    """One question per finding to test, from the best-fitting templates taken in turn.

    The template follows the finding: one the contact wrote is put to them as its author
    (``own_work`` templates); one that earlier interviews confirmed, refuted or qualified says
    what was said (``heard`` templates); one about pay becomes a career question (``salary``
    templates, a salary guide's own wording when the source is a guide or survey); any other
    finding about the contact's own organisation uses an organisation template, and the rest an
    industry one.
    """
    springboards = [q for q in ranked if q.springboard]
    turn: dict[tuple[Category, str], int] = {}
    items = []
    names = _known_names(wb)
    for f, why in findings_to_test(wb, contact):
        own_org = contact.organisation_id is not None and f.organisation_id == contact.organisation_id
        authored, pay = is_author(contact, f), is_about_pay(f)
        heard = [h for h in heard_about(wb, f.id or 0) if h.contact_id != contact.id]
        cat = Category.organisation if own_org else Category.industry
        if authored:
            kind, note = "own_work", "; they wrote it"
        elif heard:
            kind, note = "heard", f"; {_heard_why(heard)}"
            if pay:
                cat = Category.career
        elif pay:
            cat, note = Category.career, "; it is about pay"
            guide = mentions(f.source_title, ("guide", "survey", "salary", "salaries", "remuneration"))
            kind = "salary_guide" if guide else "salary"
        else:
            kind, note = "", ""
        template = _template(springboards, cat, kind, turn)
        finding = f.claim.strip().rstrip(".")
        reason = f"springboard: tests finding {f.id}, {why}{note}"
        if template.strategy and contact.seniority in _SENIOR:
            reason += f"; fits {with_article(_label(contact.seniority))} contact: strategy"
        source = _own_source(f) if authored else _source(f)
        said = heard_sentence(f, heard, names) if kind == "heard" else ""
        topics = ("springboard", *(("salary",) if pay else ()), *infer_topics(f.claim))
        text = fill(
            template.text, finding=finding, source=source, heard=said, level=pay_level(f, goal), **values
        )
        items.append(
            PlanItem(
                category=template.category,
                text=_capitalised(text),
                reason=reason,
                finding_id=f.id,
                source_question=template.id,
                minutes=template.minutes,
                strategy=template.strategy,
                focus=template.focus,
                topics=tuple(dict.fromkeys(topics)),
                tiara=template.tiara,
                goal=2 if pay else 0,
            )
        )
    return items


_KINDS = ("own_work", "salary", "salary_guide", "heard")
"""Springboard topic tags that make a template fit only one kind of finding."""


def _template(
    springboards: list[BankQuestion], cat: Category, kind: str, turn: dict[tuple[Category, str], int]
) -> BankQuestion:
    """The next template, in turn, for a finding of this *kind* ("" for an ordinary finding).

    Falls back to the same kind in any category (a salary guide to any salary template), then to
    an ordinary industry template.
    """

    def fitting(c: Category | None, k: str) -> list[BankQuestion]:
        return [
            q
            for q in springboards
            if (c is None or q.category is c)
            and (k in q.topics if k else not set(_KINDS) & set(q.topics))
            and (k != "salary" or not {"salary_guide", "heard"} & set(q.topics))
        ]

    tries = [(cat, kind), (None, kind)]
    if kind == "salary_guide":
        tries += [(cat, "salary"), (None, "salary")]
    tries.append((Category.industry, ""))
    for c, k in tries:
        choices = fitting(c, k)
        if choices:
            key = (choices[0].category, k)
            n = turn.get(key, 0)
            turn[key] = n + 1
            return choices[n % len(choices)]
    raise RuntimeError("the question bank has no springboard template for an industry finding")


# -- coverage --------------------------------------------------------------------------------


def is_who_else(item: PlanItem) -> bool:
    """True for the closing question that asks who else to talk to."""
    return item.category is Category.closing and (
        "referral" in item.topics or "referral" in infer_topics(item.text)
    )


def _asks(item: PlanItem, topic: str) -> bool:
    return topic in item.topics or topic in infer_topics(item.text)


_MISSING = {
    "salary": "no salary question: offer the salary range you found and ask if it is realistic",
    "chances": "no question asking for a candid read of your chances",
    "closing": "the plan does not end by asking “Who else should I talk to?”",
}

_TIARA_WORDS = {
    Tiara.trends: "trends (where the field is going)",
    Tiara.insights: "insights (how things really work)",
    Tiara.advice: "advice (what they would do in your place)",
    Tiara.resources: "resources (people, courses, places to look)",
    Tiara.assignments: "assignments (a small task to try)",
}


def _and_join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def coverage(plan: Plan, wb: Workbook, contact_id: int | None = None) -> list[Gap]:
    """What the plan is missing: categories, findings to test, questions carried over to this
    contact, salary, chances, the TIARA balance, the closing question.

    :param contact_id: whose findings to check; the plan's own contact by default.
    """
    contact = wb.get(Contact, plan.contact_id if contact_id is None else contact_id)
    gaps: list[Gap] = []
    present = {i.category for i in plan.items}
    for cat in CATEGORY_ORDER:
        if cat not in present:
            label = CATEGORY_LABELS[cat][:1].lower() + CATEGORY_LABELS[cat][1:]
            gaps.append(Gap("category", f"no question on {label}", category=cat))
    asked = {i.finding_id for i in plan.items if i.finding_id is not None}
    for f, why in findings_to_test(wb, contact):
        if f.id not in asked:
            claim = f.claim if len(f.claim) <= 80 else f.claim[:77] + "…"
            gaps.append(Gap("finding", f"finding {f.id} ({why}) has no question: “{claim}”", finding_id=f.id))
    texts = {" ".join(normalise(i.text).split()) for i in plan.items}
    for c in routed_questions(wb, contact.id or 0):
        if " ".join(normalise(_as_question(c.text)).split()) not in texts:
            what = "open question" if c.kind == "open" else "“ask next time” note"
            gaps.append(Gap("carried", f"the {what} “{c.text}” is not in the plan"))
    for topic in ("salary", "chances"):
        if not any(_asks(i, topic) for i in plan.items):
            gaps.append(Gap(topic, _MISSING[topic], category=Category.career))
    bank_tiara = {q.id: q.tiara for q in all_questions(wb)}
    tags = {i.tiara or bank_tiara.get(i.source_question) for i in plan.items}
    missing = [_TIARA_WORDS[t] for t in Tiara if t not in tags]
    if missing:
        gaps.append(Gap("tiara", f"TIARA: nothing yet on {_and_join(missing)}"))
    if not plan.items or not is_who_else(plan.items[-1]):
        gaps.append(Gap("closing", _MISSING["closing"], category=Category.closing))
    if plan.over_budget:
        gaps.append(Gap("time", f"the plan needs about {plan.total_minutes} minutes, {_overrun(plan)}"))
    elif plan.total_minutes >= plan.minutes and any(g.kind == "category" for g in gaps):
        gaps.append(
            Gap("time", "the time is full: to cover more categories, plan more minutes or swap a question")
        )
    return gaps


# -- saving and printing ---------------------------------------------------------------------


def plan_versions(wb: Workbook, interview_id: int) -> dict[int, int]:
    """The interview's planned questions as id → version: what an editor read, for :func:`save_plan`."""
    return {q.id: q.version for q in wb.all(PlannedQuestion, interview_id=interview_id) if q.id is not None}


def save_plan(
    wb: Workbook, interview_id: int, plan: Plan, *, expected: dict[int, int] | None = None
) -> list[PlannedQuestion]:
    """Save *plan* as the interview's planned questions, in one transaction.

    Planned questions that already have answer notes are kept; the unanswered ones are replaced.
    Returns the new records.

    :param expected: the interview's planned questions (id → version, see :func:`plan_versions`)
        as they were when the plan was opened for editing. When given and the saved plan no
        longer matches it (a question changed, added or removed since), the save is refused
        with :class:`~iivkit.errors.StaleRecordError` and nothing is written.
    """
    with wb.transaction():
        interview = wb.get(Interview, interview_id)
        if interview.contact_id != plan.contact_id:
            raise ValidationFailed(
                f"the plan is for contact {plan.contact_id}, but this interview is with contact "
                f"{interview.contact_id}",
                file=wb.path,
                record=interview.describe(),
                field="contact_id",
            )
        saved = wb.all(PlannedQuestion, interview_id=interview_id)
        if expected is not None and {q.id: q.version for q in saved} != expected:
            raise StaleRecordError(
                f"the plan for interview {interview_id} was changed elsewhere since you opened it; reload",
                file=wb.path,
                record=interview.describe(),
            )
        kept = {old.text for old in saved if old.answer.strip()}
        # The new questions go in before the old ones come out, so that they get new ids: SQLite
        # hands the highest deleted id out again, and a replaced plan must not pass for the old.
        added = [
            wb.add(
                PlannedQuestion(
                    interview_id=interview_id,
                    position=n,
                    category=item.category,
                    text=item.text,
                    finding_id=item.finding_id,
                    source_question=item.source_question,
                    reason=item.reason,
                )
            )
            for n, item in enumerate(plan.items)
            if item.text not in kept
        ]
        for old in saved:
            if not old.answer.strip() and old.id is not None:
                wb.delete(PlannedQuestion, old.id, version=old.version)
        return added


def _label(value: Seniority | FocusArea | CareerStage) -> str:
    return value.value.replace("_", " ")


def _heading(plan: Plan) -> str:
    who = ", ".join(x for x in (plan.organisation, _label(plan.seniority), focus_label(plan.focus_area)) if x)
    start = f"Question plan for {plan.contact_name} ({who}): {len(plan.items)} questions, "
    if not plan.over_budget:
        return start + f"about {plan.total_minutes} of {plan.minutes} minutes"
    return start + f"about {plan.total_minutes} minutes — {_overrun(plan)}"


def _overrun(plan: Plan) -> str:
    """Why an over-budget plan is over, and what to do about it, in one plain line."""
    over = f"more than the {plan.minutes} you have"
    n = plan.findings_tested
    carried = sum(1 for i in plan.items if i.carried)
    base = sum(i.minutes for i in plan.items if i.finding_id is None and not i.carried)
    if base > plan.minutes:
        kept = ", and each finding you marked to test keeps its question" if n else ""
        return (
            f"{over}: the opening question and “who else should I talk to?” alone take about {base}"
            f"{kept}; plan more minutes"
        )
    if carried:
        return (
            f"{over}: your findings to test and the questions carried over from earlier interviews need "
            "the time; plan more minutes, or answer or drop some open questions"
        )
    if n == 1:
        return f"{over}: the finding you marked to test needs the time; plan more minutes or untick it"
    if n:
        return f"{over}: your {n} findings to test need the time; plan more minutes or untick some"
    return f"{over}; plan more minutes"


def _grouped(plan: Plan) -> list[tuple[Category, list[tuple[int, PlanItem]]]]:
    groups: list[tuple[Category, list[tuple[int, PlanItem]]]] = []
    for n, item in enumerate(plan.items, start=1):
        if not groups or groups[-1][0] is not item.category:
            groups.append((item.category, []))
        groups[-1][1].append((n, item))
    return groups


def render_text(plan: Plan, gaps: list[Gap] | None = None) -> str:
    """The plan as plain text: numbered, grouped by category, each with why; then the gaps."""
    lines = [_heading(plan)]
    for cat, items in _grouped(plan):
        lines += ["", CATEGORY_LABELS[cat]]
        for n, item in items:
            lines += textwrap.wrap(
                f"{item.text} ({item.minutes}\u00a0min)",
                WIDTH,
                initial_indent=f"  {n:>2}. ",
                subsequent_indent=" " * 6,
            )
            lines += textwrap.wrap(
                f"why: {item.reason}", WIDTH, initial_indent=" " * 6, subsequent_indent=" " * 11
            )
    if gaps is not None:
        lines += ["", "Coverage: nothing missing." if not gaps else "Coverage: missing"]
        for g in gaps:
            lines += textwrap.wrap(g.message, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines) + "\n"


def render_markdown(plan: Plan, gaps: list[Gap] | None = None) -> str:
    """The plan as Markdown, for a notebook or a printable interview guide."""
    lines = [f"# {_heading(plan)}"]
    for cat, items in _grouped(plan):
        lines += ["", f"## {CATEGORY_LABELS[cat]}", ""]
        for n, item in items:
            lines.append(f"{n}. {item.text} *({item.minutes} min)*  ")
            lines.append(f"   *Why: {item.reason}*")
    if gaps is not None:
        lines += ["", "## Coverage", ""]
        lines += [f"- {g.message}" for g in gaps] if gaps else ["Nothing missing."]
    return "\n".join(lines) + "\n"
