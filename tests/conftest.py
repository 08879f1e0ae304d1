"""Shared fixtures: a rich workbook with every record type, the CLI two ways, and strategies.

The CLI is exercised in process through click's ``CliRunner`` (fast, most tests) and as a
real program through ``iivkit_cmd`` (a few tests, which also prove exit statuses and that no
traceback reaches a user's terminal).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import types
import typing
import zoneinfo
from collections.abc import Callable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import strategies as st
from pydantic import EmailStr
from pydantic.fields import FieldInfo

from iivkit.cli import main
from iivkit.workbook.models import (
    RECORD_TYPES,
    Category,
    Confidence,
    Contact,
    ContactStatus,
    Finding,
    FindingOutcome,
    FocusArea,
    HowFound,
    Insight,
    InsightKind,
    Interview,
    InterviewStatus,
    Medium,
    OpenQuestion,
    OpenQuestionStatus,
    Organisation,
    Outcome,
    PlannedQuestion,
    Profile,
    Question,
    Record,
    Seniority,
    Tiara,
    is_multiline,
)
from iivkit.workbook.store import Workbook

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# -- the command line ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def iivkit_cmd() -> list[str]:
    """The ``iivkit`` program: the installed console script, or the same entry point via Python."""
    script = shutil.which("iivkit", path=str(Path(sys.executable).parent))
    if script:
        return [script]
    return [sys.executable, "-c", "from iivkit.cli import main; main()"]


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    # The checkout under test, also when iivkit is not installed.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


@pytest.fixture(scope="session")
def run_iivkit(iivkit_cmd: list[str]) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``iivkit ARGS...`` as a separate program and return its exit status and output."""

    def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*iivkit_cmd, *map(str, args)],
            cwd=cwd,
            env=_subprocess_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=180,
        )

    return run


@pytest.fixture(scope="session")
def python_env() -> dict[str, str]:
    """Environment for helper Python processes that import iivkit from this checkout."""
    return _subprocess_env()


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Invoke the CLI in process; any exception other than a clean exit fails the test."""
    runner = CliRunner()

    def invoke(*args: str | Path) -> Result:
        result = runner.invoke(main, [str(a) for a in args], catch_exceptions=True)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(
                f"iivkit {' '.join(map(str, args))} raised instead of reporting an error"
            ) from result.exception
        return result

    return invoke


# -- a rich workbook -----------------------------------------------------------------------

PEOPLE: dict[str, dict[str, str]] = {
    # The user and the people they talk to, with every way their details appear in free text.
    "student": {
        "name": "Thandiwe Nkosi",
        "first": "Thandiwe",
        "last": "Nkosi",
        "email": "thandiwe.nkosi@students.uct.ac.za",
        "phone": "+27 72 555 0147",
    },
    "sipho": {
        "name": "Sipho Dlamini",
        "first": "Sipho",
        "last": "Dlamini",
        "email": "s.dlamini@health.gov.za",
        "phone": "+27 12 555 0182",
    },
    "maria": {
        "name": "María José Fernández",
        "first": "María",
        "last": "Fernández",
        "email": "mj.fernandez@who.int",
        "phone": "+1 (415) 555-0132",
    },
    "johan": {
        "name": "Johan van der Merwe",
        "first": "Johan",
        "last": "van der Merwe",
        "email": "johan.vdmerwe@gmail.com",
        "phone": "082 555 0199",
    },
    "aisha": {
        "name": "Aisha Patel",
        "first": "Aisha",
        "last": "Patel",
        "email": "",
        "phone": "",
    },
}

UNICODE_NOTE = (
    "Emoji 🙂👩🏽‍🔬🇿🇦, right-to-left שלום עולם and مرحبا بالعالم, "
    "CJK 公共卫生研究 and 評価, combining e\u0301 and a zero-width joiner \u200d."
)
FORMULA_NOTE = '=HYPERLINK("https://evil.example", "click")'


def build_rich_workbook(path: Path) -> Workbook:
    """A workbook with every record type, lists, dates, references, unicode and people in free text."""
    s, m, j, a, me = (PEOPLE[k] for k in ("sipho", "maria", "johan", "aisha", "student"))
    wb = Workbook.create(path)
    with wb.transaction():
        wb.add(
            Profile(
                name=me["name"],
                email=me["email"],
                phone=me["phone"],
                current_qualification="BSocSci Psychology (final year)",
                previous_qualifications=["National Senior Certificate", "First-aid level 1"],
                career_vision="Evaluate public-health programmes so that what works gets funded.",
                vision_and_targets="Both target organisations evaluate treatment programmes. " + UNICODE_NOTE,
                careers_of_interest=["programme evaluation", "public-health research"],
                timezone="Africa/Johannesburg",
            )
        )
        dept = wb.add(
            Organisation(
                name="Gauteng Department of Health",
                sector="public health",
                main_business="Clinics, hospitals and treatment programmes.",
                divisions=["Substance Abuse Services", "Research & Epidemiology"],
                locations=["Johannesburg", "Pretoria"],
                job_kinds=["M&E officer", "researcher"],
                website="https://www.gauteng.gov.za",
                notes=f"{s['first']} {s['last']} leads research here.",
            )
        )
        who = wb.add(
            Organisation(name="World Health Organization", sector="UN agency", locations=["Genève", "東京"])
        )
        f1 = wb.add(
            Finding(
                claim="The new addiction-treatment programme was evaluated with a stepped-wedge trial.",
                topic="methods",
                organisation_id=dept.id,
                source_title="Programme launch statement",
                source_link="https://www.gauteng.gov.za/news/launch",
                source_author=s["name"],
                source_date=dt.date(2023, 9, 14),
                confidence=Confidence.medium,
                to_test=True,
                notes=UNICODE_NOTE,
            )
        )
        f2 = wb.add(
            Finding(
                claim="Evaluators are mostly hired on fixed-term contracts.",
                topic="hiring",
                organisation_id=who.id,
                source_link="doi:10.1000/182",
                confidence=Confidence.low,
                to_test=True,
            )
        )
        wb.add(Finding(claim="Salaries for researchers rose 6% in 2023.", topic="salaries"))
        sipho = wb.add(
            Contact(
                name=s["name"],
                role="Chief Director: Research",
                organisation_id=dept.id,
                email=s["email"],
                phone=s["phone"],
                how_found=HowFound.article_author,
                seniority=Seniority.very_senior,
                focus_area=FocusArea.research,
                status=ContactStatus.thanked,
                notes=f"Wrote the launch article. Office line {s['phone']}.",
            )
        )
        maria = wb.add(
            Contact(
                name=m["name"],
                role="Technical officer",
                organisation_id=who.id,
                email=m["email"],
                phone=m["phone"],
                how_found=HowFound.alumni,
                seniority=Seniority.senior,
                focus_area=FocusArea.policy,
                status=ContactStatus.interviewed,
            )
        )
        interview1 = wb.add(
            Interview(
                contact_id=sipho.id,
                scheduled_at=dt.datetime(2024, 3, 12, 10, 0),
                timezone="Africa/Johannesburg",
                duration_minutes=30,
                medium=Medium.video,
                place="https://teams.example/meet/123",
                status=InterviewStatus.debriefed,
                keywords=["evaluation design", "hiring", "stepped-wedge"],
                invitation_text=(
                    f"Dear Dr {s['last']},\n\nI am a final-year psychology student…\n\n"
                    f"Kind regards,\n{me['name']}\n{me['email']}\n{me['phone']}"
                ),
                invitation_sent=dt.date(2024, 2, 26),
                confirmation_text=f"Dear {s['first']}, thank you for agreeing to meet on 12 March.",
                confirmation_sent=dt.date(2024, 3, 1),
                thank_you_text=f"Dear Dr {s['last']}, thank you. — {me['first']}",
                thank_you_sent=dt.date(2024, 3, 13),
                nudge_sent=dt.date(2024, 2, 29),
                check_ins_sent=[dt.date(2024, 4, 12), dt.date(2024, 6, 11)],
                salary_info="Entry-level M&E posts start around R25 000 a month.",
                environment_info="Busy before budget season; some travel to clinics.",
                chances_feedback="Good, with a research-methods course.",
                next_questions="Ask how sites were chosen.",
                notes=(
                    f"{s['first']} suggested I speak to {j['name']} ({j['email']}, {j['phone']}). "
                    f"{s['last']}'s team ran the trial. " + FORMULA_NOTE
                ),
            )
        )
        interview2 = wb.add(
            Interview(
                contact_id=maria.id,
                scheduled_at=dt.datetime(2024, 4, 2, 15, 30),
                timezone="Europe/Zurich",
                medium=Medium.phone,
                status=InterviewStatus.done,
                notes=f"{m['first']} gave her US number {m['phone']}; write to {m['email']}.",
            )
        )
        johan = wb.add(
            Contact(
                name=j["name"],
                role="Data analyst",
                organisation_id=dept.id,
                email=j["email"],
                phone=j["phone"],
                how_found=HowFound.referral,
                referred_by_id=sipho.id,
                referred_in_interview_id=interview1.id,
                seniority=Seniority.junior,
                focus_area=FocusArea.technology,
                status=ContactStatus.invited,
                notes=f"Referred by {s['name']}.",
            )
        )
        aisha = wb.add(
            Contact(
                name=a["name"],
                role="HR business partner",
                seniority=Seniority.mid,
                focus_area=FocusArea.hr,
                status=ContactStatus.declined,
            )
        )
        wb.add(
            Interview(
                contact_id=johan.id,
                status=InterviewStatus.planned,
                keywords=["data pipelines"],
                invitation_text=f"Dear {j['first']}, {s['first']} {s['last']} suggested I contact you.",
            )
        )
        wb.add(
            Question(
                category=Category.requirements,
                text="Which departments want a psychology graduate?",
                seniority=[Seniority.mid, Seniority.senior],
                focus_tags=["hr", "research"],
                tiara=Tiara.resources,
            )
        )
        wb.add(Question(category=Category.closing, text="Who else should I talk to?"))
        wb.add(
            PlannedQuestion(
                interview_id=interview1.id,
                position=0,
                category=Category.background,
                text="How did you come to lead research at the department?",
                reason="rapport",
                answer=f"Started as a field researcher under {a['name']}.",
            )
        )
        wb.add(
            PlannedQuestion(
                interview_id=interview1.id,
                position=1,
                category=Category.industry,
                text="I read that the programme used a stepped-wedge trial: does that match what you see?",
                finding_id=f1.id,
                source_question="I read that {finding}…",
                reason="tests a finding",
                answer=f"Yes. Call me on {s['phone']} if you need the protocol.",
            )
        )
        wb.add(FindingOutcome(interview_id=interview1.id, finding_id=f1.id, outcome=Outcome.confirmed))
        wb.add(
            FindingOutcome(
                interview_id=interview1.id,
                finding_id=f2.id,
                outcome=Outcome.mixed,
                note="Depends on funding.",
            )
        )
        wb.add(FindingOutcome(interview_id=interview2.id, finding_id=f1.id, outcome=Outcome.confirmed))
        wb.add(
            Insight(
                interview_id=interview1.id,
                kind=InsightKind.advice,
                tiara=Tiara.advice,
                text=f"Take the short course in impact evaluation, says {s['first']}.",
            )
        )
        wb.add(
            Insight(
                interview_id=interview2.id, kind=InsightKind.salary, text="P2 posts pay well; 薪水不错 🙂"
            )
        )
        wb.add(
            OpenQuestion(
                interview_id=interview1.id,
                text="Who analysed the trial data?",
                how_to_answer=f"Ask {j['first']} or email {j['email']}.",
                suggested_contact_id=johan.id,
            )
        )
        wb.add(
            OpenQuestion(
                text="What does an HR screen look for?",
                how_to_answer=f"{a['name']} in HR",
                suggested_contact_id=aisha.id,
                status=OpenQuestionStatus.answered,
                answer=f"{a['first']} said: a methods course.",
            )
        )
    return wb


@pytest.fixture
def rich_workbook(tmp_path: Path) -> Path:
    """Path of a closed workbook holding every record type (see :func:`build_rich_workbook`)."""
    path = tmp_path / "rich.iiv"
    build_rich_workbook(path).close()
    return path


@pytest.fixture(scope="session")
def people() -> dict[str, dict[str, str]]:
    """The names, emails and phone numbers used in the rich workbook."""
    return PEOPLE


@pytest.fixture(scope="session")
def build_rich() -> Callable[[Path], Workbook]:
    """The rich-workbook builder, for tests that need it somewhere other than tmp_path."""
    return build_rich_workbook


@pytest.fixture
def workbook(tmp_path: Path) -> Iterator[Workbook]:
    """A new, empty, open workbook."""
    with Workbook.create(tmp_path / "empty.iiv") as wb:
        yield wb


def record_counts(path: Path) -> dict[str, int]:
    """How many records of each type a workbook file holds."""
    with Workbook.open(path) as wb:
        return {model.table: wb.count(model) for model in RECORD_TYPES}


@pytest.fixture(scope="session")
def counts() -> Callable[[Path], dict[str, int]]:
    """``counts(path)``: records per table in a workbook file."""
    return record_counts


# -- bad input -----------------------------------------------------------------------------

BAD_INPUT = json.loads((FIXTURES / "bad_input.json").read_text(encoding="utf-8"))
BAD_INPUT_CASES: list[str] = sorted(BAD_INPUT["cases"])
"""Names of the invalid-document cases in ``fixtures/bad_input.json``."""


def make_bad_document(case: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The document of ``fixtures/bad_input.json`` spoiled by *case*, and the case's details."""
    spec = BAD_INPUT["cases"][case]
    document = copy.deepcopy(BAD_INPUT["document"])
    record = document[spec["table"]][spec["index"]]
    if spec.get("delete"):
        del record[spec["field"]]
    else:
        record[spec["field"]] = spec["value"] * spec.get("repeat", 1)
    return document, spec


@pytest.fixture(scope="session")
def good_document() -> Callable[[], dict[str, Any]]:
    """``good_document()``: a fresh copy of the valid document the bad-input cases start from."""
    return lambda: copy.deepcopy(BAD_INPUT["document"])


@pytest.fixture(scope="session")
def bad_document() -> Callable[[str], tuple[dict[str, Any], dict[str, Any]]]:
    """``bad_document(case)``: an invalid document, and where the error must point."""
    return make_bad_document


# -- hypothesis strategies derived from the models -----------------------------------------

TEXT_CHARS = st.characters(exclude_categories=("Cc", "Cs"), include_characters="\n\t\r")
# One-line fields also refuse the invisible characters that can disguise a name (see the models).
INVISIBLE = "\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ONE_LINE_CHARS = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters=INVISIBLE)
"""Names, roles, places: text that ends up in mail and calendar headers has no line breaks."""
EMAILS = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?@[a-z]{2,10}\.(org|com|ac\.za)", fullmatch=True)
PHONES = st.from_regex(r"\+?[1-9][0-9]{1,2} [0-9]{2,3} [0-9]{3} [0-9]{4}", fullmatch=True)
LINKS = st.from_regex(r"https://[a-z]{1,12}\.(org|com|gov\.za)(/[a-z0-9_-]{1,10}){0,3}", fullmatch=True)
TIMEZONES = st.sampled_from(sorted(zoneinfo.available_timezones() - {"localtime", "Factory"}))
DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31))
DATETIMES = st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 12, 31))
PARENT_ID = 1
"""Every strategy refers to record 1 of the table it references; :func:`add_parents` makes them."""


def _text(info: FieldInfo | None, *, cap: int) -> st.SearchStrategy[str]:
    min_len, max_len = 0, cap
    for meta in info.metadata if info else ():
        min_len = max(min_len, getattr(meta, "min_length", None) or 0)
        max_len = min(max_len, getattr(meta, "max_length", None) or max_len)
    chars = TEXT_CHARS if info is not None and is_multiline(info) else ONE_LINE_CHARS
    strategy = st.text(chars, min_size=min_len, max_size=max_len)
    if min_len:
        # The models strip surrounding whitespace before checking that text is not empty.
        strategy = strategy.filter(lambda s: s.strip() != "")
    return strategy


def _optional(inner: st.SearchStrategy[Any], annotation: Any) -> st.SearchStrategy[Any]:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return st.one_of(st.none(), inner)
    return inner


def field_strategy(model: type[Record], name: str, info: FieldInfo) -> st.SearchStrategy[Any]:
    """A strategy for valid values of one model field; fails loudly for a kind of field it does not know."""
    annotation = info.annotation
    base = annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        (base,) = (a for a in typing.get_args(annotation) if a is not type(None))
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "references" in extra:
        return _optional(st.just(PARENT_ID), annotation)
    if base is EmailStr:
        return _optional(EMAILS, annotation)
    if base is bool:
        return st.booleans()
    if base is int:
        low = next((m.ge for m in info.metadata if hasattr(m, "ge")), 0)
        high = next((m.le for m in info.metadata if hasattr(m, "le")), 10**6)
        return st.integers(min_value=low, max_value=high)
    if isinstance(base, type) and issubclass(base, Enum):
        return _optional(st.sampled_from(list(base)), annotation)
    if base is dt.datetime:
        return _optional(DATETIMES, annotation)
    if base is dt.date:
        return _optional(DATES, annotation)
    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base)
        if isinstance(item, type) and issubclass(item, Enum):
            return st.lists(st.sampled_from(list(item)), max_size=len(item))
        if item is dt.date:
            return st.lists(DATES, max_size=4)
        if typing.get_origin(item) is typing.Annotated and typing.get_args(item)[0] is str:
            tag = FieldInfo.from_annotation(item)
            return st.lists(_text(tag, cap=20), max_size=4)
    if base is str:
        if name == "phone":
            return st.one_of(st.just(""), PHONES)
        if name == "timezone":
            return TIMEZONES
        if name in ("website", "source_link"):
            return st.one_of(st.just(""), LINKS)
        return _text(info, cap=60)
    raise NotImplementedError(
        f"tests/conftest.py has no hypothesis strategy for {model.__name__}.{name} ({annotation}); add one"
    )


def records(model: type[Record]) -> st.SearchStrategy[Record]:
    """Valid new records (no id) of *model*, every field drawn from its type and rules."""
    fields = {
        name: field_strategy(model, name, info)
        for name, info in model.model_fields.items()
        if name not in ("id", "version")
    }
    return st.fixed_dictionaries(fields).map(lambda data: model(**data))


def add_parents(wb: Workbook) -> None:
    """Record 1 of every table that some record type refers to, so generated references hold."""
    with wb.transaction():
        org = wb.add(Organisation(name="Parent organisation"))
        contact = wb.add(Contact(name="Parent contact", organisation_id=org.id))
        wb.add(Finding(claim="Parent finding", organisation_id=org.id))
        wb.add(Interview(contact_id=contact.id))


@pytest.fixture(scope="session")
def record_strategy() -> Callable[[type[Record]], st.SearchStrategy[Record]]:
    """``record_strategy(Model)``: a hypothesis strategy of valid new records of that type."""
    return records


@pytest.fixture(scope="session")
def with_parents() -> Callable[[Workbook], None]:
    """``with_parents(wb)``: add record 1 of each referenced table, for generated references."""
    return add_parents


@pytest.fixture(scope="session")
def record_types() -> tuple[type[Record], ...]:
    """Every record type."""
    return RECORD_TYPES


@pytest.fixture(autouse=True)
def _isolated_from_the_users_workbook(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Tests never touch the user's own workbook or demo cache, even when run from ``iivkit lab``."""
    monkeypatch.delenv("IIVKIT_WORKBOOK", raising=False)
    if "IIVKIT_CACHE_DIR" not in os.environ:
        monkeypatch.setenv("IIVKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "iivkit-cache"))
