"""The question planner: a plan for one contact that fits the person and the minutes.

:func:`plan` reads top to bottom as the method: find the research findings to test with this
contact → turn each into a springboard question → pick a rapport opener and the closing "who
else should I talk to?" → add the salary and chances questions → one question in a
specialist's own area → the user's own questions → cover each remaining category once → fill
the time left with the best-scoring questions. The plan is then ordered rapport → industry and
organisation → role, requirements, career, application, opportunities → closing.

Scoring is deliberately simple, so every pick can say why it was made:

* a broad-strategy question: +4 for a very senior contact, +2 for a senior one;
* a question tagged with a specialist's focus area: +3; a ``general`` question for a generalist: +2;
* a question written for a narrow band of seniority that includes this contact: +1;
* a question of the user's own: +2;
* requirements and application detail for a very senior contact: -1.

Questions tagged for another specialism are left out. Ties go to the bank's own order, so the
same workbook always gives the same plan.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import pandas as pd

from iivkit.errors import StaleRecordError, ValidationFailed
from iivkit.method import growth
from iivkit.method.bank import (
    CATEGORY_LABELS,
    FOCUS_KEYWORDS,
    BankQuestion,
    all_questions,
    fill,
    infer_topics,
    mentions,
    normalise,
)
from iivkit.workbook.models import (
    Category,
    Contact,
    Finding,
    FocusArea,
    Interview,
    Organisation,
    PlannedQuestion,
    Seniority,
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
        else" and one springboard per finding to test. Every other question is added only
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
    """Something a plan lacks: ``category``, ``finding``, ``salary``, ``chances``, ``closing`` or ``time``."""

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


# -- which findings, which questions ---------------------------------------------------------


def findings_to_test(wb: Workbook, contact: Contact) -> list[tuple[Finding, str]]:
    """The findings marked to test that concern this contact, each with why.

    A finding concerns the contact when it is about their organisation, when its topic names
    their focus area, or when it is about no organisation in particular. Their organisation's
    findings come first, then by id.
    """
    chosen: list[tuple[int, Finding, str]] = []
    for f in wb.all(Finding, to_test=True):
        if contact.organisation_id is not None and f.organisation_id == contact.organisation_id:
            chosen.append((0, f, f"about {in_sentence(_org_name(wb, f.organisation_id))}"))
        elif f.topic and _topic_fits(f.topic, contact.focus_area):
            chosen.append((1, f, f"on {f.topic}, their focus ({contact.focus_area.value})"))
        elif f.organisation_id is None:
            chosen.append((1, f, f"a general finding on {f.topic}" if f.topic else "a general finding"))
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


def _score(q: BankQuestion, contact: Contact) -> tuple[float, list[str]]:
    found: list[tuple[float, str]] = []
    level, focus = _label(contact.seniority), contact.focus_area
    if q.strategy and contact.seniority in _SENIOR:
        points = 4 if contact.seniority is Seniority.very_senior else 2
        found.append((points, f"fits a {level} contact: strategy"))
    elif contact.seniority is Seniority.very_senior and q.category in _DETAIL:
        found.append((-1, ""))
    if focus.value in q.focus and focus is not FocusArea.general:
        found.append((3, f"focus: {focus.value}"))
    elif focus.value in q.focus:
        found.append((2, "fits a generalist: the organisation as a whole"))
    if 0 < len(q.seniority) <= 2 and not q.strategy and contact.seniority in q.seniority:
        found.append((1, f"suits a {level} contact"))
    if q.user:
        found.append((2, "your own question"))
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


# -- the plan --------------------------------------------------------------------------------


def plan(wb: Workbook, contact_id: int, minutes: int = 30) -> Plan:
    """Plan the questions for an interview with one contact, sized to *minutes*.

    Every finding to test with this contact becomes a springboard question, even when that
    takes the plan over *minutes* (the plan then says so, see :attr:`Plan.over_budget`, and
    holds nothing optional); the plan always opens with rapport and ends with "who else should
    I talk to?", with no follow-up to it.

    :param minutes: the length of the interview; other questions fill the time that is left.
    """
    contact = wb.get(Contact, contact_id)
    org = _org_name(wb, contact.organisation_id)
    values = {"organisation": in_sentence(org) if org else "your organisation"}
    usable = [q for q in all_questions(wb) if q.fits(contact.seniority) and q.suits_focus(contact.focus_area)]
    scored = {q.id: _score(q, contact) for q in usable}
    rank = {q.id: n for n, q in enumerate(usable)}
    ranked = sorted(usable, key=lambda q: (-scored[q.id][0], rank[q.id]))

    picks: list[_Pick] = []
    taken: set[str] = set()

    def take(q: BankQuestion, stage: str, group: int = 1) -> None:
        score, why = scored[q.id]
        item = PlanItem(
            category=q.category,
            text=_capitalised(fill(q.text, **values)),
            reason="; ".join([stage, *why]),
            source_question=q.id,
            minutes=q.minutes,
            strategy=q.strategy,
            focus=q.focus,
            topics=q.topics,
        )
        picks.append(_Pick(item, score, group, len(picks)))
        taken.add(q.id)

    def first(pool: list[BankQuestion], category: Category, topic: str | None = None) -> BankQuestion | None:
        return next(
            (q for q in pool if q.category is category and q.id not in taken and topic in (None, *q.topics)),
            None,
        )

    # 1. Springboards: one per finding to test, whatever the time.
    picks.extend(_Pick(item, 0.0, 0, n) for n, item in enumerate(_springboards(wb, contact, ranked, values)))

    # 2. The opener and the last word (the bank has both for every contact).
    ordinary = [q for q in ranked if not q.springboard]
    opener = first(ordinary, Category.background, "rapport") or first(ordinary, Category.background)
    closer = first(ordinary, Category.closing, "referral")
    if opener is None or closer is None:
        raise RuntimeError("the question bank lacks a rapport or a 'who else' question for this contact")
    take(opener, "rapport: their own path first", group=0)
    take(closer, "closing: who else to talk to, always last", group=2)

    def used() -> int:
        return sum(p.item.minutes for p in picks)

    # A follow-up to "who else" (may I mention your name?) could only come after it, and it is
    # always last: such questions stay out.
    candidates = [
        q for q in ordinary if q.id not in taken and not {"referral", "after_referral"} & set(q.topics)
    ]

    # 3. What the method always asks: salary, then a candid read of the user's chances.
    for topic, stage in (("salary", "career: salary"), ("chances", "career: a candid read of your chances")):
        q = first(candidates, Category.career, topic)
        if q and not any(_asks(p.item, topic) for p in picks) and used() + q.minutes <= minutes:
            take(q, stage)

    # 3b. The top open area to develop that others named (iivkit.method.growth), if it fits.
    picks.extend(
        _Pick(PlanItem(**q), 0.0, 1, len(picks))
        for q in growth.plan_questions(wb, contact, room=minutes - used())
    )

    # 4. A specialist's own area, at least once.
    focus = contact.focus_area
    if focus is not FocusArea.general and not any(focus.value in p.item.focus for p in picks):
        q = next((c for c in candidates if focus.value in c.focus and c.id not in taken), None)
        if q and used() + q.minutes <= minutes:
            take(q, f"a {_label(focus)} specialist")

    # 5. The user's own questions: they wrote them for a reason.
    for q in candidates:
        if q.user and q.id not in taken and used() + q.minutes <= minutes:
            take(q, f"in {CATEGORY_LABELS[q.category].split(':')[0].lower()}")

    # 6. One question for each category still empty, the most fitting categories first.
    present = {p.item.category for p in picks}
    best: dict[Category, BankQuestion] = {}
    for q in candidates:
        if q.id not in taken and q.category not in present and q.category not in best:
            best[q.category] = q
    for cat in sorted(best, key=lambda c: (-scored[best[c].id][0], CATEGORY_ORDER.index(c))):
        q = best[cat]
        if used() + q.minutes <= minutes:
            take(q, f"covers {CATEGORY_LABELS[cat].split(':')[0].lower()}")

    # 7. Fill the time left, spreading over categories.
    while True:
        left = minutes - used()
        per_cat = {c: sum(p.item.category is c for p in picks) for c in CATEGORY_ORDER}
        fitting = [q for q in candidates if q.id not in taken and q.minutes <= left]
        if not fitting:
            break
        q = max(fitting, key=lambda q: (scored[q.id][0] - SPREAD_PENALTY * per_cat[q.category], -rank[q.id]))
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
    wb: Workbook, contact: Contact, ranked: list[BankQuestion], values: dict[str, str]
) -> list[PlanItem]:
    """One question per finding to test, from the best-fitting templates taken in turn.

    The template follows the finding: one the contact wrote is put to them as its author
    (``own_work`` templates); one about pay becomes a career question (``salary`` templates, a
    salary guide's own wording when the source is a guide or survey); any other finding about
    the contact's own organisation uses an organisation template, and the rest an industry one.
    """
    springboards = [q for q in ranked if q.springboard]
    turn: dict[tuple[Category, str], int] = {}
    items = []
    for f, why in findings_to_test(wb, contact):
        own_org = contact.organisation_id is not None and f.organisation_id == contact.organisation_id
        authored, pay = is_author(contact, f), is_about_pay(f)
        cat = Category.organisation if own_org else Category.industry
        if authored:
            kind, note = "own_work", "; they wrote it"
        elif pay:
            cat, note = Category.career, "; it is about pay"
            guide = mentions(f.source_title, ("guide", "survey", "salary", "salaries", "remuneration"))
            kind = "salary_guide" if guide else "salary"
        else:
            kind, note = "", ""
        template = _template(springboards, cat, kind, turn)
        finding = f.claim.strip().rstrip(".")
        reason = f"springboard: tests finding {f.id} {why}{note}"
        if template.strategy and contact.seniority in _SENIOR:
            reason += f"; fits a {_label(contact.seniority)} contact: strategy"
        source = _own_source(f) if authored else _source(f)
        topics = ("springboard", *(("salary",) if pay else ()), *infer_topics(f.claim))
        items.append(
            PlanItem(
                category=template.category,
                text=_capitalised(fill(template.text, finding=finding, source=source, **values)),
                reason=reason,
                finding_id=f.id,
                source_question=template.id,
                minutes=template.minutes,
                strategy=template.strategy,
                focus=template.focus,
                topics=tuple(dict.fromkeys(topics)),
            )
        )
    return items


_KINDS = ("own_work", "salary", "salary_guide")
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
            and (k != "salary" or "salary_guide" not in q.topics)
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


def coverage(plan: Plan, wb: Workbook, contact_id: int | None = None) -> list[Gap]:
    """What the plan is missing: categories, findings to test, salary, chances, the closing question.

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
    for topic in ("salary", "chances"):
        if not any(_asks(i, topic) for i in plan.items):
            gaps.append(Gap(topic, _MISSING[topic], category=Category.career))
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


def _label(value: Seniority | FocusArea) -> str:
    return value.value.replace("_", " ")


def _heading(plan: Plan) -> str:
    who = ", ".join(x for x in (plan.organisation, _label(plan.seniority), _label(plan.focus_area)) if x)
    start = f"Question plan for {plan.contact_name} ({who}): {len(plan.items)} questions, "
    if not plan.over_budget:
        return start + f"about {plan.total_minutes} of {plan.minutes} minutes"
    return start + f"about {plan.total_minutes} minutes — {_overrun(plan)}"


def _overrun(plan: Plan) -> str:
    """Why an over-budget plan is over, and what to do about it, in one plain line."""
    over = f"more than the {plan.minutes} you have"
    n = plan.findings_tested
    base = sum(i.minutes for i in plan.items if i.finding_id is None)
    if base > plan.minutes:
        kept = ", and each finding you marked to test keeps its question" if n else ""
        return (
            f"{over}: the opening question and “who else should I talk to?” alone take about {base}"
            f"{kept}; plan more minutes"
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
