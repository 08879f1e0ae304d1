"""The question bank: the questions shipped with iivkit, plus the ones a user adds to a workbook.

The shipped questions live in ``data/question_bank.json``; each entry is checked against
:class:`BankQuestion` when the bank is loaded. A user's own questions are
:class:`~iivkit.workbook.models.Question` records; they join the bank with ids ``user-<record id>``.

A text may use the placeholders ``{finding}``, ``{source}``, ``{organisation}``, ``{heard}``
(what earlier interviews said about a finding, as a sentence to say aloud), ``{level}`` (whose
pay a salary finding is about: "people starting out", "people at mid-level"…), ``{target_role}``
(the user's first target role), ``{referrer}`` and ``{work}`` (for personal openers). A text with
``{finding}`` or ``{heard}`` is a *springboard template*: the planner fills it from a research
finding. Topic tags choose among the templates: ``own_work`` for a finding the contact wrote
themselves (the question speaks to them as its author), ``salary`` for a finding about pay (a
career question), ``heard`` for a finding earlier interviews spoke to; the others are for any
finding. ``opener_referral``, ``opener_author``, ``opener_history``, ``opener_alumni`` and
``opener_event`` mark personal openers, used when the workbook knows that about the person. A
question tagged ``goal`` is about the user's own goal in its focus area (it is asked only when
the user aims at that area), and one tagged ``academic`` reads "research" as academic research.
A question tagged ``after_referral`` follows up on "who else should I talk to?"; as that question
always comes last, the planner leaves such questions out.

Questions may name the career stages they fit (``stages``): a question for students and recent
graduates (internships, studentships) is not put to a career changer or an experienced person.

This module also holds the focus vocabulary (:data:`FOCUS_KEYWORDS`) and the word matching
that the planner and the synthesis use to tell what a topic or a question is about.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Collection, Iterable, Sequence
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from iivkit.errors import InputFileError
from iivkit.workbook.models import CareerStage, Category, FocusArea, Question, Seniority, Tiara
from iivkit.workbook.store import Workbook

BANK_FILE = "question_bank.json"
PLACEHOLDERS = ("finding", "source", "organisation", "heard", "level", "target_role", "referrer", "work")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")
_ANY_FIELD = re.compile(r"\{([^{}]*)\}")
USER_PREFIX = "user-"
DEFAULT_USER_MINUTES = 3

CATEGORY_LABELS: dict[Category, str] = {
    Category.background: "Rapport and background",
    Category.industry: "Industry",
    Category.organisation: "Organisation",
    Category.role: "Role and day-to-day",
    Category.requirements: "Requirements",
    Category.career: "Career: salary, environment, chances",
    Category.application: "Application: CV, cover letter, job titles",
    Category.opportunities: "Opportunities: ways in, volunteering, learning",
    Category.closing: "Closing",
}

FOCUS_LABELS: dict[FocusArea, str] = {
    FocusArea.general: "general",
    FocusArea.technology: "technology",
    FocusArea.research: "research",
    FocusArea.hr: "HR",
    FocusArea.finance: "finance",
    FocusArea.operations: "operations",
    FocusArea.public_sector: "public sector",
    FocusArea.policy: "policy",
    FocusArea.clinical: "clinical",
    FocusArea.communications: "communications",
    FocusArea.design: "design and UX",
    FocusArea.product: "product",
    FocusArea.data: "data",
    FocusArea.engineering: "engineering",
    FocusArea.sales: "sales",
}
"""How a focus area reads in a sentence: "an HR specialist", not "a hr specialist"."""

EARLY_STAGES = (CareerStage.student, CareerStage.recent_graduate)
"""The stages a plan assumes when the profile does not say."""

FOCUS_KEYWORDS: dict[FocusArea, tuple[str, ...]] = {
    FocusArea.general: ("general", "strategy", "management", "leadership", "direction", "overall"),
    FocusArea.technology: (
        "technology",
        "tech",
        "digital",
        "software",
        "data",
        "ai",
        "systems",
        "engineering",
        "cloud",
        "cyber",
        "computing",
        "automation",
    ),
    FocusArea.research: ("research", "science", "scientist", "academic", "evidence", "trial", "laboratory"),
    FocusArea.hr: (
        "hr",
        "human resources",
        "recruitment",
        "recruiting",
        "hiring",
        "talent",
        "staffing",
        "labour",
        "workforce",
        "people management",
    ),
    FocusArea.finance: (
        "finance",
        "financial",
        "budget",
        "funding",
        "money",
        "accounting",
        "audit",
        "investment",
        "cost",
        "revenue",
        "tax",
    ),
    FocusArea.operations: ("operations", "logistics", "supply chain", "procurement", "facilities"),
    FocusArea.public_sector: (
        "public sector",
        "government",
        "public service",
        "municipal",
        "municipality",
        "ministry",
    ),
    FocusArea.policy: ("policy", "regulation", "law", "legislation", "compliance", "advocacy"),
    FocusArea.clinical: (
        "clinical",
        "patient",
        "health",
        "hospital",
        "clinic",
        "nursing",
        "healthcare",
        "medical",
    ),
    FocusArea.communications: (
        "communications",
        "communication",
        "media",
        "marketing",
        "press",
        "brand",
        "social media",
        "content",
    ),
    FocusArea.design: (
        "design",
        "designer",
        "ux",
        "user experience",
        "user research",
        "ux research",
        "usability",
        "interaction design",
        "service design",
        "ui",
    ),
    FocusArea.product: ("product", "product management", "product manager", "roadmap", "product owner"),
    FocusArea.data: (
        "data",
        "analytics",
        "analyst",
        "data science",
        "statistics",
        "dashboard",
        "machine learning",
        "informatics",
    ),
    FocusArea.engineering: (
        "engineering",
        "engineer",
        "mechanical",
        "electrical",
        "civil engineering",
        "manufacturing",
        "infrastructure",
    ),
    FocusArea.sales: (
        "sales",
        "selling",
        "business development",
        "account management",
        "account manager",
        "customer success",
        "commercial",
    ),
}
"""Words that signal a focus area in a topic, a role or a question; matched as whole words."""

_SALARY_WORDS = ("salary", "salaries", "pay", "earn", "income", "remuneration", "wage")
_CHANCES_WORDS = ("chances", "chance", "prospects", "my profile")
_REFERRAL_WORDS = ("who else", "anyone else", "someone else", "introduce me")
_AFTER_REFERRAL_WORDS = (
    "mention your name",
    "use your name",
    "if you do suggest",
    "if you suggest",
    "the people you suggest",
    "the person you suggest",
)


class BankQuestion(BaseModel):
    """One question the planner can pick: from the shipped bank or the user's own."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^([a-z]{2}-\d{2}|user-\d+)$")
    category: Category
    text: str = Field(min_length=1)
    seniority: tuple[Seniority, ...] = ()
    stages: tuple[CareerStage, ...] = ()
    focus: tuple[str, ...] = ()
    tiara: Tiara | None = None
    strategy: bool = False
    minutes: int = Field(default=3, ge=1, le=15)
    topics: tuple[str, ...] = ()
    user: bool = False

    @field_validator("text")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        unknown = [name for name in _ANY_FIELD.findall(value) if name not in PLACEHOLDERS]
        if unknown:
            raise ValueError(f"unknown placeholder {{{unknown[0]}}}; use {', '.join(PLACEHOLDERS)}")
        return value

    @property
    def springboard(self) -> bool:
        """True for a template that is filled from a research finding."""
        return "{finding}" in self.text or "{heard}" in self.text

    @property
    def opener(self) -> str:
        """For a personal opener, what it builds on (``referral``, ``author``…); else ""."""
        return next((t.removeprefix("opener_") for t in self.topics if t.startswith("opener_")), "")

    def fits(self, seniority: Seniority) -> bool:
        """True if the question suits a contact of this seniority."""
        return not self.seniority or seniority in self.seniority

    def fits_stage(self, stage: CareerStage | None) -> bool:
        """True if the question suits a user at this career stage (None: not said, read as early)."""
        if not self.stages:
            return True
        return stage in self.stages if stage is not None else bool(set(EARLY_STAGES) & set(self.stages))

    def suits_focus(self, focus: FocusArea) -> bool:
        """True if the question is for anyone, for this focus, or for generalists."""
        return not self.focus or focus.value in self.focus or FocusArea.general.value in self.focus

    def suits(self, focus: Collection[str]) -> bool:
        """True if the question is for anyone, for generalists, or tagged with one of *focus*.

        *focus* holds a contact's focus area and their focus tags (see :func:`focus_tag`).
        """
        return not self.focus or FocusArea.general.value in self.focus or bool(set(self.focus) & set(focus))


class _BankFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    about: str = ""
    version: int
    questions: list[BankQuestion]


@functools.lru_cache(maxsize=1)
def load_bank() -> tuple[BankQuestion, ...]:
    """The shipped questions, in file order; validated once and cached."""
    ref = resources.files("iivkit.data").joinpath(BANK_FILE)
    try:
        doc = _BankFile.model_validate(json.loads(ref.read_text(encoding="utf-8")))
    except (OSError, ValueError, ValidationError) as exc:
        raise InputFileError(f"the question bank cannot be read: {exc}", file=str(ref)) from None
    seen: set[str] = set()
    focus_values = {f.value for f in FocusArea}
    for q in doc.questions:
        if q.id in seen:
            raise InputFileError("question id is used twice", file=str(ref), record=q.id)
        seen.add(q.id)
        unknown = set(q.focus) - focus_values
        if unknown:
            raise InputFileError(f"unknown focus tag {sorted(unknown)[0]!r}", file=str(ref), record=q.id)
    return tuple(doc.questions)


def from_record(record: Question) -> BankQuestion:
    """A user's :class:`Question` record as a bank question with id ``user-<id>``.

    A ``strategy`` focus tag marks a broad-strategy question; topics (salary, chances, referral)
    are recognised from the text.
    """
    focus = tuple(focus_tag(t) for t in record.focus_tags)
    return BankQuestion(
        id=f"{USER_PREFIX}{record.id}",
        category=record.category,
        text=record.text,
        seniority=tuple(record.seniority),
        focus=tuple(t for t in focus if t != "strategy"),
        tiara=record.tiara,
        strategy="strategy" in focus,
        minutes=DEFAULT_USER_MINUTES,
        topics=infer_topics(record.text),
        user=True,
    )


def focus_tag(tag: str) -> str:
    """A focus tag as questions and contacts share it: "UX research" → ``ux_research``."""
    return "_".join(tag.strip().lower().replace("-", " ").split())


def focus_label(focus: FocusArea) -> str:
    """A focus area as it reads in a sentence: ``hr`` → "HR", ``public_sector`` → "public sector"."""
    return FOCUS_LABELS.get(focus, focus.value.replace("_", " "))


def with_article(phrase: str) -> str:
    """*phrase* after "a" or "an", by its sound: "an HR specialist", "a UX researcher"."""
    first = phrase.split()[0] if phrase.split() else ""
    if len(first) > 1 and first[:2].isupper():  # an acronym (HR, MSc): read letter by letter
        vowel = first[0] in "AEFHILMNORSX"
    else:
        low = first.lower()
        vowel = low[:1] in "aeiou" and not low.startswith(("uni", "use", "usu", "eu", "one"))
        vowel = vowel or low.startswith(("hour", "honest", "honour"))
    return f"{'an' if vowel else 'a'} {phrase}"


def user_questions(wb: Workbook) -> list[BankQuestion]:
    """The questions the user added to this workbook, by record id."""
    return [from_record(r) for r in wb.all(Question)]


def all_questions(wb: Workbook | None = None) -> list[BankQuestion]:
    """The shipped bank followed by the workbook's own questions."""
    questions = list(load_bank())
    if wb is not None:
        questions.extend(user_questions(wb))
    return questions


def add_question(
    wb: Workbook,
    text: str,
    category: Category | str,
    *,
    seniority: Iterable[Seniority | str] = (),
    focus_tags: Iterable[str] = (),
    tiara: Tiara | str | None = None,
) -> BankQuestion:
    """Add a question of the user's own to the workbook's bank and return it as a bank question.

    :param focus_tags: e.g. ``["technology"]``; add ``"strategy"`` for a broad-strategy question.
    """
    record = wb.add(
        Question(
            category=Category(category),
            text=text,
            seniority=[Seniority(s) for s in seniority],
            focus_tags=list(focus_tags),
            tiara=Tiara(tiara) if tiara else None,
        )
    )
    return from_record(record)


def fill(text: str, **values: str) -> str:
    """Fill the known placeholders in *text*; other braces are left as they are."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


# -- words --------------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further
    get had has have having he her here hers him his how i if in into is it its itself just
    like me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with
    would you your yours ask asked best could know need think someone anyone thing things""".split()  # noqa: SIM905
)


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, plurals folded (``Salaries`` → ``salary``)."""
    return " ".join(_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower().replace("_", " ")))


def words(text: str) -> set[str]:
    """The significant words of *text*: normalised, without stop words and very short words."""
    return {w for w in normalise(text).split() if w not in STOPWORDS and len(w) > 2}


def mentions(text: str, keywords: Sequence[str]) -> list[str]:
    """The keywords (single words or phrases) that occur in *text* as whole words."""
    padded = f" {normalise(text)} "
    return [k for k in keywords if f" {normalise(k)} " in padded]


def focus_of(text: str) -> list[FocusArea]:
    """The focus areas whose keywords occur in *text*, in enum order."""
    return [f for f in FocusArea if mentions(text, FOCUS_KEYWORDS[f])]


def infer_topics(text: str) -> tuple[str, ...]:
    """Topic tags recognisable from a question's words: salary, chances, referral, after_referral.

    ``after_referral`` marks a follow-up that only makes sense once "who else" has been asked.
    """
    found = []
    if mentions(text, _SALARY_WORDS):
        found.append("salary")
    if mentions(text, _CHANCES_WORDS):
        found.append("chances")
    if mentions(text, _REFERRAL_WORDS):
        found.append("referral")
    if mentions(text, _AFTER_REFERRAL_WORDS):
        found.append("after_referral")
    return tuple(found)
