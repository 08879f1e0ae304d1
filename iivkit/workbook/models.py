"""The record types of a workbook: the single source of truth for fields, labels, help and rules.

Each record is a pydantic model. A field's ``title`` is its form label and its ``description``
the help text; ``json_schema_extra`` carries what the store and forms need beyond that
(``references`` names the table a foreign key points at, ``widget`` hints the form control).
Tables, the JSON interchange schema, exports and forms are all derived from these classes, so
a field is added here once.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)
from pydantic.fields import FieldInfo

SHORT_MAX = 300
LONG_MAX = 20_000


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_INVISIBLE = {
    "\u200b": "ZERO WIDTH SPACE",
    "\u2060": "WORD JOINER",
    "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
"""Invisible characters a one-line field refuses: they can make a name or an address show as
something other than what it is, or hide a second name inside it. The joiners that some scripts
need (U+200C and U+200D, as in Persian names) and the left-to-right and right-to-left marks
are kept."""
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(_INVISIBLE) + "]")


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("contains a NUL byte (\\x00), which cannot be stored as text")
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(f"contains the control character {bad.group()!r}; remove it")
    return value


def _one_line(value: str) -> str:
    # Names, subjects and places end up in mail and calendar headers, where a line break or
    # another control character could start a header of its own.
    bad = _NOT_ONE_LINE.search(value)
    if bad is None:
        return value
    char = bad.group()
    if char == "\x00":
        raise ValueError("contains a NUL byte (\\x00), which cannot be stored as text")
    if char in _LINE_BREAKS:
        raise ValueError(f"must be one line: remove the line break ({char!r})")
    if char == "\t":
        raise ValueError("must be one line: replace the tab with a space")
    if char in _INVISIBLE:
        raise ValueError(
            f"contains the invisible character U+{ord(char):04X} ({_INVISIBLE[char]}), which can make "
            "text show differently from what it says; remove it"
        )
    raise ValueError(f"contains the control character {char!r}; remove it")


def _unix_newlines(value: Any) -> Any:
    """Windows (CR LF) and old Mac (CR) line ends become LF, so multi-line text keeps them."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=SHORT_MAX), AfterValidator(_one_line)
]
"""One line: a name, a title, a role. No line breaks or other control characters."""

LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=LONG_MAX),
    BeforeValidator(_unix_newlines),
    AfterValidator(_no_nul),
]
"""Free text: notes, letters, answers. Capped so that a pasted file cannot bloat a workbook.
Keeps line breaks and tabs; refuses NUL and other control characters."""

RequiredText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SHORT_MAX),
    AfterValidator(_one_line),
]
RequiredLongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=LONG_MAX),
    BeforeValidator(_unix_newlines),
    AfterValidator(_no_nul),
]
Tag = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=80),
    AfterValidator(_one_line),
]


def is_multiline(info: FieldInfo) -> bool:
    """True for a text field that keeps line breaks (:data:`LongText`); other text is one line."""
    return any(getattr(m, "func", None) is _unix_newlines for m in info.metadata)


_PHONE = re.compile(r"^\+?[\d\s().\-/]{7,25}$")


def _phone(value: str) -> str:
    if value and (not _PHONE.match(value) or sum(c.isdigit() for c in value) < 7):
        raise ValueError("not a phone number: use digits, spaces, + - ( ) and at least 7 digits")
    return value


Phone = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_one_line), AfterValidator(_phone)
]


_URL = re.compile(r"^(https?://|doi:|urn:)\S+$")


def _url(value: str) -> str:
    if value and not _URL.match(value):
        raise ValueError("not a link: start it with http://, https:// or doi:")
    return value


Link = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2_000),
    AfterValidator(_one_line),
    AfterValidator(_url),
]


class Seniority(str, Enum):
    """How far into their career a contact is."""

    junior = "junior"
    mid = "mid"
    senior = "senior"
    very_senior = "very_senior"


class FocusArea(str, Enum):
    """What a contact specialises in; ``general`` for a generalist or manager."""

    general = "general"
    technology = "technology"
    research = "research"
    hr = "hr"
    finance = "finance"
    operations = "operations"
    public_sector = "public_sector"
    policy = "policy"
    clinical = "clinical"
    communications = "communications"
    design = "design"
    product = "product"
    data = "data"
    engineering = "engineering"
    sales = "sales"


class HowFound(str, Enum):
    """How the user came across a contact."""

    article_author = "article_author"
    alumni = "alumni"
    referral = "referral"
    professional_network = "professional_network"
    event = "event"
    organisation_website = "organisation_website"
    family_friends = "family_friends"
    cold = "cold"
    other = "other"


class ContactStatus(str, Enum):
    """Where a contact is in the pipeline."""

    identified = "identified"
    invited = "invited"
    confirmed = "confirmed"
    interviewed = "interviewed"
    thanked = "thanked"
    declined = "declined"
    no_reply = "no_reply"


class Confidence(str, Enum):
    """How sure the user is of a finding before testing it."""

    low = "low"
    medium = "medium"
    high = "high"


class Medium(str, Enum):
    """How an interview takes place."""

    in_person = "in_person"
    video = "video"
    phone = "phone"


class InterviewStatus(str, Enum):
    """The life of one interview, from plan to debrief."""

    planned = "planned"
    invited = "invited"
    confirmed = "confirmed"
    done = "done"
    debriefed = "debriefed"
    cancelled = "cancelled"


HELD_STATUSES: frozenset[InterviewStatus] = frozenset({InterviewStatus.done, InterviewStatus.debriefed})
"""An interview in one of these took place: it can be thanked, debriefed and reported on."""

UPCOMING_STATUSES: frozenset[InterviewStatus] = frozenset(
    {InterviewStatus.planned, InterviewStatus.invited, InterviewStatus.confirmed}
)
"""An interview in one of these is still ahead: it can be prepared for and its letters written."""


def held_sql(column: str = "status") -> str:
    """The SQL test that an interview took place, on ``column``: the same rule as :data:`HELD_STATUSES`."""
    values = ", ".join(f"'{s.value}'" for s in sorted(HELD_STATUSES, key=list(InterviewStatus).index))
    return f"{column} IN ({values})"


class Posting(str, Enum):
    """Whether an organisation advertises work that fits: the P of a LAMP target list."""

    none = "none"
    some = "some"
    relevant = "relevant"


class CareerStage(str, Enum):
    """Where the user is in their working life: it shapes the career and opportunity questions."""

    student = "student"
    recent_graduate = "recent_graduate"
    career_changer = "career_changer"
    experienced = "experienced"


class GreetingStyle(str, Enum):
    """How letters greet people: by first name, or formally ("Dear Dr Whitfield") when a title is known."""

    first_name = "first_name"
    formal = "formal"


class LetterStyle(str, Enum):
    """The usual letter: the guide's full letter, or a short one of under 120 words."""

    full = "full"
    short = "short"


class Category(str, Enum):
    """Question categories, in the order a plan follows."""

    background = "background"
    industry = "industry"
    organisation = "organisation"
    role = "role"
    requirements = "requirements"
    career = "career"
    application = "application"
    opportunities = "opportunities"
    closing = "closing"


class Tiara(str, Enum):
    """The TIARA frame: trends, insights, advice, resources, assignments."""

    trends = "trends"
    insights = "insights"
    advice = "advice"
    resources = "resources"
    assignments = "assignments"


class Outcome(str, Enum):
    """What an interview said about a tested finding."""

    confirmed = "confirmed"
    refuted = "refuted"
    mixed = "mixed"
    not_discussed = "not_discussed"


class InsightKind(str, Enum):
    """What sort of thing the user learned."""

    insight = "insight"
    advice = "advice"
    salary = "salary"
    environment = "environment"
    chances = "chances"
    hiring_signal = "hiring_signal"
    strength = "strength"
    """A strength the person saw in the user, named in a few words."""
    development = "development"
    """An area the user still needs to develop, in a few words; the advice goes in ``advice``."""


class OpenQuestionStatus(str, Enum):
    """Whether an open question still needs an answer."""

    open = "open"
    answered = "answered"
    dropped = "dropped"


def ref(table: str, title: str, description: str) -> Any:
    """A field that points at a record of *table* by id; the store makes it a foreign key."""
    return Field(
        default=None,
        title=title,
        description=description,
        json_schema_extra={"references": table},
    )


EARLIEST_YEAR, LATEST_YEAR = 1900, 2200
"""The years a meeting or a letter's date may fall in."""


def _valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "America" is a folder of zones
        raise ValueError(f"unknown time zone {value!r}; use a name like 'Africa/Johannesburg'") from exc
    return value


TimeZoneName = Annotated[
    str, StringConstraints(strip_whitespace=True), AfterValidator(_one_line), AfterValidator(_valid_timezone)
]


class Record(BaseModel):
    """Common shape of every stored record: an ``id`` and a ``version`` for optimistic locking."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        validate_default=True,
        # Each model builds its validator on first use, not on import: a run that only reads
        # rows (a report re-run) never pays for it.
        defer_build=True,
    )

    table: ClassVar[str]
    label: ClassVar[str]
    singleton: ClassVar[bool] = False
    unique_together: ClassVar[tuple[str, ...]] = ()

    id: int | None = Field(default=None, ge=1, title="Id", description="Assigned by the workbook.")
    version: int = Field(
        default=0,
        ge=0,
        title="Version",
        description="Raised by one on every save; a save from an older version is refused.",
    )

    @classmethod
    def references(cls) -> dict[str, str]:
        """Map each foreign-key field to the table it points at."""
        out: dict[str, str] = {}
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra
            if isinstance(extra, dict) and "references" in extra:
                out[name] = str(extra["references"])
        return out

    def describe(self) -> str:
        """Name this record for messages: ``contact 3``."""
        return f"{self.label} {self.id}" if self.id is not None else f"new {self.label}"


class Profile(Record):
    """The user: who they are and what they are looking for."""

    table: ClassVar[str] = "profile"
    label: ClassVar[str] = "profile"
    singleton: ClassVar[bool] = True

    name: RequiredText = Field(title="Your name", description="As you sign your letters.")
    email: EmailStr | None = Field(default=None, title="Email", description="Where replies go.")
    phone: Phone = Field(default="", title="Phone", description="Optional, for letters.")
    current_qualification: ShortText = Field(
        default="",
        title="Current qualification",
        description="What you are studying or have just finished, e.g. 'BSc Psychology (final year)'.",
    )
    previous_qualifications: list[Tag] = Field(
        default_factory=list,
        title="Previous qualifications",
        description="Earlier degrees, diplomas or certificates.",
    )
    career_vision: LongText = Field(
        default="",
        title="Career vision",
        description="Where you want to be in a few years, and what work you want to be doing.",
        json_schema_extra={"widget": "textarea"},
    )
    vision_and_targets: LongText = Field(
        default="",
        title="How the vision relates to your target organisations",
        description="Why these organisations: what they do that fits your vision.",
        json_schema_extra={"widget": "textarea"},
    )
    careers_of_interest: list[Tag] = Field(
        default_factory=list,
        title="Careers of interest",
        description="Job titles or fields you are exploring.",
    )
    timezone: TimeZoneName = Field(
        default="UTC", title="Time zone", description="Your usual time zone, e.g. 'Europe/London'."
    )
    career_stage: CareerStage | None = Field(
        default=None,
        title="Career stage",
        description="Student, recent graduate, career changer or experienced: it shapes the questions "
        "you are offered.",
    )
    target_roles: list[Tag] = Field(
        default_factory=list,
        title="Target roles",
        description="The jobs you are aiming for, e.g. 'UX researcher'.",
    )
    greeting_style: GreetingStyle = Field(
        default=GreetingStyle.first_name,
        title="Greeting",
        description="How your letters greet people: by first name, or formally ('Dear Dr Whitfield') "
        "when you know their title.",
    )
    letter_style: LetterStyle = Field(
        default=LetterStyle.full,
        title="Letter length",
        description="Full: the guide's six-part letter. Short: under 120 words, for a first contact.",
    )


class Organisation(Record):
    """An organisation the user researches or targets."""

    table: ClassVar[str] = "organisations"
    label: ClassVar[str] = "organisation"

    name: RequiredText = Field(title="Name", description="The organisation's usual name.")
    sector: ShortText = Field(default="", title="Sector", description="e.g. public health, NGO, university.")
    main_business: LongText = Field(
        default="", title="Main business", description="What it does and for whom."
    )
    divisions: list[Tag] = Field(
        default_factory=list, title="Divisions", description="Departments or units you know of."
    )
    locations: list[Tag] = Field(
        default_factory=list, title="Locations", description="Where it works: cities, regions, countries."
    )
    job_kinds: list[Tag] = Field(
        default_factory=list, title="Kinds of jobs", description="Roles it hires for."
    )
    website: Link = Field(default="", title="Website", description="Its main web address.")
    notes: LongText = Field(default="", title="Notes", description="Anything else worth remembering.")
    motivation: int | None = Field(
        default=None,
        ge=1,
        le=3,
        title="Motivation",
        description="How much you want to work there: 1 a little, 2 keen, 3 a dream employer. "
        "Ranks the target list.",
    )
    posting: Posting = Field(
        default=Posting.none,
        title="Job postings",
        description="Does it advertise work that fits you: none, some, or relevant postings.",
    )


class Finding(Record):
    """A claim from research, with its source, to share or test in interviews."""

    table: ClassVar[str] = "findings"
    label: ClassVar[str] = "finding"

    claim: RequiredLongText = Field(
        title="Claim", description="What you found, in one or two sentences you could say aloud."
    )
    topic: ShortText = Field(
        default="", title="Topic", description="e.g. funding, hiring, methods, salaries."
    )
    organisation_id: int | None = ref(
        "organisations", "Organisation", "The organisation it is about, if any."
    )
    source_title: ShortText = Field(default="", title="Source title", description="Article, report or page.")
    source_link: Link = Field(default="", title="Source link", description="Where to find the source again.")
    source_author: ShortText = Field(default="", title="Source author", description="Who wrote or said it.")
    source_date: dt.date | None = Field(
        default=None, title="Source date", description="When it was published."
    )
    confidence: Confidence = Field(
        default=Confidence.medium, title="Confidence", description="How sure you are before testing it."
    )
    to_test: bool = Field(
        default=False,
        title="Test in interviews",
        description="Tick to raise it in interviews and record what people say.",
    )
    notes: LongText = Field(default="", title="Notes", description="Caveats, related findings.")


class Contact(Record):
    """A person to talk to."""

    table: ClassVar[str] = "contacts"
    label: ClassVar[str] = "contact"

    name: RequiredText = Field(title="Name", description="Full name.")
    honorific: ShortText = Field(
        default="",
        title="Title",
        description="Dr, Ms, Mr, Mx, Prof…, for formal greetings; leave empty if you do not know.",
    )
    other_names: list[Tag] = Field(
        default_factory=list,
        title="Other names",
        description="Nicknames, initials or handles they go by (e.g. 'PJ', '@priyan'); "
        "used to anonymise exports and class reports.",
    )
    role: ShortText = Field(default="", title="Role", description="Job title.")
    organisation_id: int | None = ref("organisations", "Organisation", "Where they work.")
    email: EmailStr | None = Field(default=None, title="Email", description="For the invitation.")
    phone: Phone = Field(default="", title="Phone", description="Optional.")
    how_found: HowFound = Field(
        default=HowFound.other, title="How found", description="How you came across them."
    )
    referred_by_id: int | None = ref("contacts", "Referred by", "The contact who suggested them.")
    referred_in_interview_id: int | None = ref(
        "interviews", "Referred in interview", "The interview in which they were suggested."
    )
    seniority: Seniority = Field(
        default=Seniority.mid, title="Seniority", description="Shapes the question plan."
    )
    focus_area: FocusArea = Field(
        default=FocusArea.general, title="Focus area", description="Their specialism, if any."
    )
    focus_tags: list[Tag] = Field(
        default_factory=list,
        title="Focus tags",
        description="Your own words for what they work on, e.g. 'UX research', 'patient safety'.",
    )
    status: ContactStatus = Field(
        default=ContactStatus.identified, title="Status", description="Where they are in your pipeline."
    )
    notes: LongText = Field(default="", title="Notes", description="Anything useful about them.")


class Interview(Record):
    """One informational interview with one contact, from plan to debrief."""

    table: ClassVar[str] = "interviews"
    label: ClassVar[str] = "interview"

    contact_id: int = Field(
        title="Contact",
        description="Who you are interviewing.",
        json_schema_extra={"references": "contacts"},
    )
    scheduled_at: dt.datetime | None = Field(
        default=None, title="Date and time", description="Local time of the meeting, in its time zone."
    )
    timezone: TimeZoneName = Field(
        default="UTC", title="Time zone", description="The time zone of the meeting."
    )
    duration_minutes: int = Field(
        default=30, ge=5, le=240, title="Length (minutes)", description="Usually 20 to 30 minutes."
    )
    medium: Medium = Field(default=Medium.video, title="Medium", description="In person, video or phone.")
    place: ShortText = Field(default="", title="Place or link", description="Address, room or meeting link.")
    status: InterviewStatus = Field(
        default=InterviewStatus.planned, title="Status", description="Where this interview is."
    )
    keywords: list[Tag] = Field(
        default_factory=list,
        title="Keywords",
        description="Topics to cover; sent with the confirmation so they can prepare.",
    )
    invitation_text: LongText = Field(
        default="",
        title="Invitation letter",
        description="The introduction and invitation.",
        json_schema_extra={"widget": "textarea"},
    )
    invitation_sent: dt.date | None = Field(default=None, title="Invitation sent", description="Date sent.")
    confirmation_text: LongText = Field(
        default="",
        title="Confirmation email",
        description="Confirms the appointment and keywords.",
        json_schema_extra={"widget": "textarea"},
    )
    confirmation_sent: dt.date | None = Field(
        default=None, title="Confirmation sent", description="Date sent."
    )
    thank_you_text: LongText = Field(
        default="",
        title="Thank-you note",
        description="Specific, within a day or two.",
        json_schema_extra={"widget": "textarea"},
    )
    thank_you_sent: dt.date | None = Field(default=None, title="Thank-you sent", description="Date sent.")
    nudge_sent: dt.date | None = Field(
        default=None, title="Nudge sent", description="When you followed up an unanswered invitation."
    )
    check_ins_sent: list[dt.date] = Field(
        default_factory=list,
        title="Check-ins sent",
        description="Dates of later check-ins with this person (30, 60, 90 days after).",
    )
    salary_info: LongText = Field(
        default="",
        title="Salary",
        description="What they said about pay, in their words.",
        json_schema_extra={"widget": "textarea"},
    )
    environment_info: LongText = Field(
        default="",
        title="Work environment",
        description="Hours, culture, pressure, travel.",
        json_schema_extra={"widget": "textarea"},
    )
    chances_feedback: LongText = Field(
        default="",
        title="Your chances",
        description="Their candid read of your chances.",
        json_schema_extra={"widget": "textarea"},
    )
    next_questions: LongText = Field(
        default="",
        title="Ask next time",
        description="What to ask in the next interviews.",
        json_schema_extra={"widget": "textarea"},
    )
    notes: LongText = Field(default="", title="Notes", description="Anything else.")

    @field_validator(
        "scheduled_at",
        "invitation_sent",
        "confirmation_sent",
        "thank_you_sent",
        "nudge_sent",
        "check_ins_sent",
    )
    @classmethod
    def _plausible_year(cls, value: Any) -> Any:
        # Follow-up and calendar arithmetic on a date near 9999 would overflow.
        for day in value if isinstance(value, list) else [value]:
            if day is not None and not LATEST_YEAR >= day.year >= EARLIEST_YEAR:
                raise ValueError(f"must be a date between {EARLIEST_YEAR} and {LATEST_YEAR}")
        return value

    @field_validator("scheduled_at")
    @classmethod
    def _naive_local(cls, value: dt.datetime | None) -> dt.datetime | None:
        # Stored as wall-clock time in ``timezone``; an offset would say the same thing twice.
        if value is not None and value.tzinfo is not None:
            raise ValueError("give the local time without an offset; set the time zone separately")
        return value

    @property
    def held(self) -> bool:
        """True once the interview took place (:data:`HELD_STATUSES`)."""
        return self.status in HELD_STATUSES

    @property
    def upcoming(self) -> bool:
        """True while the interview is still ahead (:data:`UPCOMING_STATUSES`)."""
        return self.status in UPCOMING_STATUSES


class Question(Record):
    """A question the user added to their own question bank."""

    table: ClassVar[str] = "questions"
    label: ClassVar[str] = "question"

    category: Category = Field(title="Category", description="Where it goes in a plan.")
    text: RequiredLongText = Field(
        title="Question",
        description="Plain words; may use {finding}, {source} and {organisation} placeholders.",
    )
    seniority: list[Seniority] = Field(
        default_factory=list, title="Fits seniority", description="Leave empty if it fits anyone."
    )
    focus_tags: list[Tag] = Field(
        default_factory=list, title="Focus tags", description="e.g. technology, finance, research."
    )
    tiara: Tiara | None = Field(default=None, title="TIARA", description="Trends, insights, advice…")


class PlannedQuestion(Record):
    """A question in one interview's plan, with the answer noted in the debrief."""

    table: ClassVar[str] = "planned_questions"
    label: ClassVar[str] = "planned question"

    interview_id: int = Field(
        title="Interview",
        description="The interview it belongs to.",
        json_schema_extra={"references": "interviews"},
    )
    position: int = Field(default=0, ge=0, title="Order", description="Position in the plan.")
    category: Category = Field(title="Category", description="Where it sits in the plan.")
    text: RequiredLongText = Field(title="Question", description="As you will ask it.")
    finding_id: int | None = ref("findings", "Finding", "The finding it springs from, if any.")
    source_question: ShortText = Field(
        default="", title="Bank question", description="Which bank question it came from."
    )
    reason: ShortText = Field(default="", title="Why", description="Why it was picked.")
    answer: LongText = Field(
        default="",
        title="Answer notes",
        description="What they said.",
        json_schema_extra={"widget": "textarea"},
    )


class FindingOutcome(Record):
    """What one interview said about one tested finding."""

    table: ClassVar[str] = "finding_outcomes"
    label: ClassVar[str] = "finding outcome"
    unique_together: ClassVar[tuple[str, ...]] = ("interview_id", "finding_id")

    interview_id: int = Field(
        title="Interview",
        description="Where the finding was discussed.",
        json_schema_extra={"references": "interviews"},
    )
    finding_id: int = Field(
        title="Finding",
        description="The finding tested.",
        json_schema_extra={"references": "findings"},
    )
    outcome: Outcome = Field(
        default=Outcome.not_discussed,
        title="Outcome",
        description="Confirmed, refuted, mixed or not discussed.",
    )
    note: LongText = Field(default="", title="Note", description="What exactly they said.")


class Insight(Record):
    """Something learned in an interview: an insight, advice, a salary remark, a hiring signal,
    or what the person saw as the user's strength or area to develop."""

    table: ClassVar[str] = "insights"
    label: ClassVar[str] = "insight"

    interview_id: int = Field(
        title="Interview",
        description="Where you learned it.",
        json_schema_extra={"references": "interviews"},
    )
    kind: InsightKind = Field(default=InsightKind.insight, title="Kind", description="What sort of thing.")
    tiara: Tiara | None = Field(default=None, title="TIARA", description="Trends, insights, advice…")
    text: RequiredLongText = Field(title="Insight", description="In your own words.")
    advice: LongText = Field(
        default="",
        title="Advice",
        description="What they advised you to do about it, e.g. for an area to develop.",
    )


class OpenQuestion(Record):
    """A question still unanswered, and how the user thinks they could answer it."""

    table: ClassVar[str] = "open_questions"
    label: ClassVar[str] = "open question"

    interview_id: int | None = ref("interviews", "Raised in", "The interview that raised it, if any.")
    text: RequiredLongText = Field(title="Question", description="What you still want to know.")
    how_to_answer: LongText = Field(
        default="", title="How to answer it", description="Which person or source could answer it."
    )
    suggested_contact_id: int | None = ref("contacts", "Ask", "The contact best placed to answer.")
    status: OpenQuestionStatus = Field(
        default=OpenQuestionStatus.open, title="Status", description="Open, answered or dropped."
    )
    answer: LongText = Field(default="", title="Answer", description="Once you have one.")


RECORD_TYPES: tuple[type[Record], ...] = (
    Profile,
    Organisation,
    Finding,
    Contact,
    Interview,
    Question,
    PlannedQuestion,
    FindingOutcome,
    Insight,
    OpenQuestion,
)
"""Every record type, in an order where each table's references come before it (save cycles
within a table, e.g. contacts referring to contacts)."""

BY_TABLE: dict[str, type[Record]] = {t.table: t for t in RECORD_TYPES}
