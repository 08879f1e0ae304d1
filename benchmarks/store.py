"""How the workbook views scale: the same synthetic workbook at two sizes, and the demo.

Builds three workbooks in a temporary folder: the demo (``iivkit.workbook.demo.build_demo``), a big
one (10,000 findings, 2,000 contacts, 1,000 interviews and their satellite records by default),
and a small one a tenth of its size (``--factor``), both built with the public API
(``Workbook.add``) inside one transaction. Then times every view on each, best of ``--repeat``
runs, and prints a table: the times, the rows each view works over, and the time per row on
the big workbook against the small one. That ratio is about 1 for a view whose cost grows with
its rows, and well above 1 for one that grows faster. A benchmark, not a test: it asserts
nothing about timing.

    python benchmarks/store.py [--findings 10000 --contacts 2000 --interviews 1000] [--repeat 5]
    python benchmarks/store.py --findings 100000 --contacts 20000 --interviews 10000 --organisations 2000
    python benchmarks/store.py --profile evidence      # also cProfile one view on the big workbook
    python benchmarks/store.py --whole-evidence        # also the whole findings x interviews matrix

The data come from a seeded ``random.Random``, so two runs build the same workbooks.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

# Run from a checkout without installing: make the repository root importable.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from iivkit.workbook import views  # noqa: E402
from iivkit.workbook.models import (  # noqa: E402
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
)
from iivkit.workbook.store import Workbook  # noqa: E402

SEED = 20240611
SLOW_S = 1.0
"""A view slower than this on the big workbook is flagged."""

# -- word banks ------------------------------------------------------------------------------
# fmt: off
FIRST = (
    "Amara", "Thabo", "Lerato", "Sipho", "Naledi", "Kagiso", "Zanele", "Pieter", "Anika", "Johan",
    "Fatima", "Yusuf", "Priya", "Ravi", "Mei", "Chen", "Hiroshi", "Sofia", "Mateo", "Lucía", "Elena",
    "Marco", "Giulia", "Noah", "Emma", "Liam", "Olivia", "Ava", "Ethan", "Mia", "Chloé", "Louis",
    "Hannah", "Jonas", "Ingrid", "Lars", "Aoife", "Ciarán", "Siobhan", "Kwame", "Ama", "Kofi",
    "Adaeze", "Chidi", "Ngozi",
)
LAST = (
    "Dlamini", "Nkosi", "Mokoena", "van der Merwe", "Botha", "Naidoo", "Pillay", "Khumalo",
    "Mahlangu", "Smith", "Jones", "Brown", "Müller", "Schmidt", "Rossi", "Bianchi", "García", "López",
    "Martin", "Bernard", "Tanaka", "Suzuki", "Wang", "Li", "Zhang", "Patel", "Sharma", "Okafor",
    "Mensah", "Asante", "O'Brien", "Murphy", "Kelly", "Johansson", "Nielsen", "Novak", "Kowalski",
    "Haddad",
)
ORG_STEMS = (
    "Meridian", "Harbour", "Kestrel", "Baobab", "Northwind", "Cedar", "Lumen", "Aurora", "Summit",
    "Riverbend", "Keystone", "Granite", "Bluegum", "Fynbos", "Karoo", "Highveld", "Atlas", "Beacon",
    "Compass", "Crescent", "Delta", "Ember",
)
ORG_KINDS = (
    "Health Trust", "Research Institute", "Consulting", "Foundation", "University Hospital",
    "Analytics", "Public Health Agency", "Policy Centre", "Labs", "NGO",
)
SECTORS = (
    "public health", "NGO", "university", "consulting", "government", "biotech", "market research",
    "education",
)
CITIES = (
    "Cape Town", "Johannesburg", "Durban", "Pretoria", "Nairobi", "Lagos", "Accra", "London",
    "Manchester", "Dublin", "Amsterdam", "Berlin", "Geneva", "Toronto", "Boston", "Melbourne",
    "Singapore",
)
DIVISIONS = ("Research", "Data science", "Policy", "HR", "Finance", "Operations", "Field work", "Comms")
JOBS = ("research assistant", "data analyst", "policy officer", "project coordinator", "M&E officer")
TOPICS = (
    "funding", "hiring", "methods", "salaries", "culture", "training", "remote work", "growth",
    "policy", "careers",
)
ROLES = (
    "Research Assistant", "Senior Researcher", "Data Analyst", "Programme Manager",
    "Head of Research", "Policy Advisor", "HR Business Partner", "Monitoring & Evaluation Officer",
    "Principal Investigator", "Director of Operations", "Clinical Psychologist", "Communications Lead",
)
TIMEZONES = ("Africa/Johannesburg", "Africa/Nairobi", "Europe/London", "Europe/Berlin", "America/Toronto")
SUBJECTS = (
    "the organisation", "the research team", "entry-level analysts", "the policy unit",
    "new graduates", "the field teams", "most applicants", "the hiring managers", "the data group",
    "junior researchers",
)
VERBS = (
    "expects", "is moving towards", "struggles with", "invests heavily in", "rarely considers",
    "is cutting back on", "prefers candidates with", "has doubled its spending on",
    "recruits mostly through", "is piloting",
)
OBJECTS = (
    "mixed-methods evaluations", "R and Python skills", "donor funding from the EU",
    "remote and hybrid contracts", "internships that convert to jobs",
    "a master's degree for research posts", "referrals from current staff",
    "short contracts tied to grants", "community-based participatory research",
    "open-access publishing", "survey work in rural districts",
    "dashboards for provincial health departments",
)
TAILS = (
    "over the next two years", "according to its latest annual report",
    "since the last restructuring", "in its Cape Town office", "for roles below senior level",
    "as a condition of new grants", "",
)
WORDS = (
    "team", "research", "data", "project", "people", "work", "year", "role", "skills", "manager",
    "field", "report", "interview", "funding", "policy", "analysis", "community", "health",
    "students", "training", "contract", "office", "client", "survey", "advice", "network",
    "experience", "hiring", "salary", "growth", "pressure", "travel", "deadline", "mentor",
)
# fmt: on


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(words(rng, rng.randint(8, 18)).capitalize() + "." for _ in range(sentences))


def claim(rng: random.Random) -> str:
    tail = rng.choice(TAILS)
    text = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    return (text[0].upper() + text[1:] + (f" {tail}" if tail else "")) + "."


def question_text(rng: random.Random, category: Category) -> str:
    return f"About {category.value}: what would you say about {words(rng, rng.randint(3, 7))}?"


# -- the big workbook ------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    findings: int
    contacts: int
    interviews: int
    organisations: int


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(sizes: Sizes, seed: int) -> list[Record]:
    """Every record of the big workbook, with explicit ids, in insertion order.

    Ids are given so that records can refer to each other freely (contacts referred in an
    interview, interviews of a contact): the foreign keys are deferred to commit.
    """
    rng = random.Random(seed)
    out: list[Record] = [
        Profile(
            name="Naledi Khumalo",
            email="naledi.khumalo@student.uct.ac.za",
            phone="+27 82 555 0199",
            current_qualification="BSocSci Psychology (Honours, final year)",
            previous_qualifications=["BSocSci Psychology", "Certificate in Research Methods"],
            career_vision=paragraph(rng, 4),
            vision_and_targets=paragraph(rng, 3),
            careers_of_interest=["research assistant", "M&E officer", "policy analyst"],
            timezone="Africa/Johannesburg",
        )
    ]

    # Organisations.
    for oid in range(1, sizes.organisations + 1):
        stem = ORG_STEMS[oid % len(ORG_STEMS)]
        name = f"{stem} {rng.choice(ORG_KINDS)} {oid}"
        out.append(
            Organisation(
                id=oid,
                name=name,
                sector=rng.choice(SECTORS),
                main_business=paragraph(rng, 2),
                divisions=rng.sample(DIVISIONS, rng.randint(1, 4)),
                locations=rng.sample(CITIES, rng.randint(1, 3)),
                job_kinds=rng.sample(JOBS, rng.randint(1, 3)),
                website=f"https://www.{stem.lower()}{oid}.org",
                notes=paragraph(rng, 1) if rng.random() < 0.4 else "",
            )
        )
    org_ids = range(1, sizes.organisations + 1)

    # Findings: a fifth are marked to test in interviews.
    to_test: list[int] = []
    for fid in range(1, sizes.findings + 1):
        testing = rng.random() < 0.2
        if testing:
            to_test.append(fid)
        out.append(
            Finding(
                id=fid,
                claim=claim(rng),
                topic=rng.choice(TOPICS),
                organisation_id=rng.choice(org_ids) if rng.random() < 0.7 else None,
                source_title=f"{words(rng, 4).title()} ({rng.randint(2015, 2024)})",
                source_link=f"https://example.org/reports/{fid}",
                source_author=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                source_date=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3400)),
                confidence=rng.choice(list(Confidence)),
                to_test=testing,
                notes=paragraph(rng, 1) if rng.random() < 0.3 else "",
            )
        )
    to_test = to_test or [1]

    # Which contact each interview is with: most once, some twice or more.
    n_people = max(1, min(sizes.contacts, int(sizes.interviews * 0.85)))
    interviewed = rng.sample(range(1, sizes.contacts + 1), n_people)
    with_contact = [
        interviewed[k % n_people] if k < n_people else rng.choice(interviewed)
        for k in range(sizes.interviews)
    ]
    start = dt.datetime(2023, 2, 1, 9, 0)
    statuses: list[InterviewStatus] = []
    latest: dict[int, InterviewStatus] = {}
    for contact_id in with_contact:
        status = InterviewStatus(
            _pick(
                rng,
                {"planned": 5, "invited": 8, "confirmed": 7, "done": 15, "debriefed": 60, "cancelled": 5},
            )
        )
        statuses.append(status)
        latest[contact_id] = status

    # Contacts, their pipeline status following their latest interview.
    from_interview = {
        InterviewStatus.planned: ContactStatus.identified,
        InterviewStatus.invited: ContactStatus.invited,
        InterviewStatus.confirmed: ContactStatus.confirmed,
        InterviewStatus.done: ContactStatus.interviewed,
        InterviewStatus.debriefed: ContactStatus.thanked,
        InterviewStatus.cancelled: ContactStatus.declined,
    }
    interviews_of: dict[int, list[int]] = {}
    for iid, contact_id in enumerate(with_contact, start=1):
        interviews_of.setdefault(contact_id, []).append(iid)
    for cid in range(1, sizes.contacts + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        org = rng.choice(org_ids) if rng.random() < 0.9 else None
        if cid in latest:
            c_status = from_interview[latest[cid]]
        else:
            c_status = ContactStatus(
                _pick(rng, {"identified": 60, "invited": 15, "declined": 10, "no_reply": 15})
            )
        referred_by = referred_in = None
        if cid > 1 and rng.random() < 0.25:
            referred_by = rng.randint(1, cid - 1)
            if referred_by in interviews_of:
                referred_in = rng.choice(interviews_of[referred_by])
        slug = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
        out.append(
            Contact(
                id=cid,
                name=f"{first} {last}",
                role=rng.choice(ROLES),
                organisation_id=org,
                email=f"{slug}{cid}@{ORG_STEMS[(org or 0) % len(ORG_STEMS)].lower()}.org",
                phone=f"+27 21 555 {cid % 10000:04d}" if rng.random() < 0.5 else "",
                how_found=rng.choice(list(HowFound)),
                referred_by_id=referred_by,
                referred_in_interview_id=referred_in,
                seniority=rng.choice(list(Seniority)),
                focus_area=rng.choice(list(FocusArea)),
                status=c_status,
                notes=paragraph(rng, 1) if rng.random() < 0.5 else "",
            )
        )

    # Interviews, spread over two years.
    held: list[int] = []
    for iid, (contact_id, status) in enumerate(zip(with_contact, statuses, strict=True), start=1):
        when = start + dt.timedelta(days=iid * 730 // max(1, sizes.interviews), hours=rng.randint(0, 8))
        done = status in (InterviewStatus.done, InterviewStatus.debriefed)
        if done:
            held.append(iid)
        sent = when.date() - dt.timedelta(days=rng.randint(7, 21))
        out.append(
            Interview(
                id=iid,
                contact_id=contact_id,
                scheduled_at=when,
                timezone=rng.choice(TIMEZONES),
                duration_minutes=rng.choice((20, 25, 30, 45)),
                medium=rng.choice(list(Medium)),
                place=f"https://meet.example.org/{iid:05d}",
                status=status,
                keywords=rng.sample(TOPICS, 3),
                invitation_text=paragraph(rng, 6),
                invitation_sent=sent if status is not InterviewStatus.planned else None,
                confirmation_text=paragraph(rng, 3) if status is not InterviewStatus.planned else "",
                confirmation_sent=sent + dt.timedelta(days=3) if done else None,
                thank_you_text=paragraph(rng, 3) if status is InterviewStatus.debriefed else "",
                thank_you_sent=when.date() + dt.timedelta(days=1)
                if status is InterviewStatus.debriefed
                else None,
                check_ins_sent=[
                    when.date() + dt.timedelta(days=d) for d in (30, 60, 90) if rng.random() < 0.3
                ],
                salary_info=paragraph(rng, 1) if done else "",
                environment_info=paragraph(rng, 2) if done else "",
                chances_feedback=paragraph(rng, 1) if done else "",
                next_questions=paragraph(rng, 1) if done else "",
                notes=paragraph(rng, 2) if done else "",
            )
        )
    held = held or [1]

    # Question bank.
    for qid in range(1, 61):
        category = list(Category)[qid % len(Category)]
        out.append(
            Question(
                id=qid,
                category=category,
                text=question_text(rng, category),
                seniority=rng.sample(list(Seniority), rng.randint(0, 2)),
                focus_tags=rng.sample([f.value for f in FocusArea], rng.randint(0, 2)),
                tiara=rng.choice([*Tiara, None]),
            )
        )

    # Planned questions: ~8 per interview, answered once the interview is held.
    pid = 0
    held_set = set(held)
    for iid in range(1, sizes.interviews + 1):
        for position in range(rng.randint(6, 10)):
            pid += 1
            category = list(Category)[min(position, len(Category) - 1)]
            out.append(
                PlannedQuestion(
                    id=pid,
                    interview_id=iid,
                    position=position,
                    category=category,
                    text=question_text(rng, category),
                    finding_id=rng.choice(to_test) if rng.random() < 0.25 else None,
                    source_question=f"bank:{category.value}-{rng.randint(1, 6)}",
                    reason=rng.choice(("fits seniority", "tests a finding", "fits focus area", "closing")),
                    answer=paragraph(rng, 2) if iid in held_set else "",
                )
            )

    # Finding outcomes: ~3 per interview, on held interviews, mostly findings marked to test.
    # Each finding leans one way, so that some end confirmed, some refuted, some mixed.
    lean: dict[int, Outcome] = {}
    seen: set[tuple[int, int]] = set()
    fo_id = 0
    hot = to_test[: max(1, len(to_test) // 3)]  # a third of them come up again and again
    for _ in range(3 * sizes.interviews):
        iid = rng.choice(held)
        fid = (
            rng.choice(hot if rng.random() < 0.6 else to_test)
            if rng.random() < 0.9
            else rng.randint(1, sizes.findings)
        )
        if (iid, fid) in seen:
            continue
        seen.add((iid, fid))
        lean.setdefault(
            fid, rng.choice((Outcome.confirmed, Outcome.confirmed, Outcome.refuted, Outcome.mixed))
        )
        outcome = lean[fid] if rng.random() < 0.75 else rng.choice(list(Outcome))
        fo_id += 1
        out.append(
            FindingOutcome(
                id=fo_id, interview_id=iid, finding_id=fid, outcome=outcome, note=paragraph(rng, 1)
            )
        )

    # Insights: ~4 per interview.
    for ins_id in range(1, 4 * sizes.interviews + 1):
        out.append(
            Insight(
                id=ins_id,
                interview_id=rng.choice(held),
                kind=rng.choice(list(InsightKind)),
                tiara=rng.choice([*Tiara, None]),
                text=paragraph(rng, rng.randint(1, 3)),
            )
        )

    # Open questions: ~1 per interview.
    for oq_id in range(1, sizes.interviews + 1):
        oq_status = OpenQuestionStatus(_pick(rng, {"open": 60, "answered": 25, "dropped": 15}))
        out.append(
            OpenQuestion(
                id=oq_id,
                interview_id=rng.choice(held) if rng.random() < 0.9 else None,
                text=question_text(rng, rng.choice(list(Category))),
                how_to_answer=paragraph(rng, 1),
                suggested_contact_id=rng.randint(1, sizes.contacts) if rng.random() < 0.5 else None,
                status=oq_status,
                answer=paragraph(rng, 1) if oq_status is OpenQuestionStatus.answered else "",
            )
        )
    return out


def build_big(path: Path, sizes: Sizes, seed: int) -> tuple[Workbook, float, float, int]:
    """Create the big workbook; return it, generation and insert seconds, and rows added."""
    t0 = time.perf_counter()
    records = generate(sizes, seed)
    t1 = time.perf_counter()
    wb = Workbook.create(path)
    with wb.transaction():
        for record in records:
            wb.add(record)
    t2 = time.perf_counter()
    return wb, t1 - t0, t2 - t1, len(records)


# -- views -----------------------------------------------------------------------------------

View = Callable[[Workbook], pd.DataFrame | pd.Series]


PAGE = 40
"""Rows of the evidence matrix a notebook table shows (``iivkit.ui.tables.DEFAULT_LIMIT``)."""


def all_views(*, whole_evidence: bool = False) -> list[tuple[str, View]]:
    out: list[tuple[str, View]] = [
        (f"table({m.__name__})", partial(views.table, model=m)) for m in RECORD_TYPES
    ]
    out += [
        ("pipeline", views.pipeline),
        ("pipeline_counts", views.pipeline_counts),
        ("evidence_status", views.evidence_status),
        ("evidence_outcomes", views.evidence_outcomes),
        (f"evidence(limit={PAGE})", partial(views.evidence, limit=PAGE)),
        ("evidence_counts", views.evidence_counts),
        ("open_questions", views.open_questions),
    ]
    if whole_evidence:  # findings x interviews: its size, and so its cost, grows as the product
        out.append(("evidence (whole)", views.evidence))
    return out


def best_of(view: View, wb: Workbook, repeat: int) -> tuple[float, pd.DataFrame | pd.Series]:
    """Best wall time over *repeat* runs, in seconds, and the last result."""
    best = float("inf")
    result = view(wb)  # warm-up: SQLite page cache, pandas imports
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = view(wb)
        best = min(best, time.perf_counter() - t0)
    return best, result


def size_of(name: str, result: pd.DataFrame | pd.Series, wb: Workbook) -> int:
    """Rows the view works over: its own rows, those of the view a ``*_counts`` one sums, or
    for a page of the evidence matrix, the outcomes it is built from."""
    if name in ("pipeline_counts", "evidence_counts"):
        return int(result.to_numpy().sum())
    if name.startswith("evidence(limit"):
        return wb.count(FindingOutcome)
    return len(result)


def shape(result: pd.DataFrame | pd.Series) -> str:
    return f"{result.shape[0]}x{result.shape[1]}" if isinstance(result, pd.DataFrame) else f"{len(result)}"


def ratio(a: float, b: float) -> str:
    return f"{a / b:,.1f}" if b else "-"


def profile_view(view: View, wb: Workbook, top: int = 25) -> None:
    prof = cProfile.Profile()
    prof.enable()
    view(wb)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--contacts", type=int, default=2_000)
    parser.add_argument("--interviews", type=int, default=1_000)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="runs per view; the best counts")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--factor", type=int, default=10, help="the small workbook is this many times smaller"
    )
    parser.add_argument("--whole-evidence", action="store_true", help="also the whole evidence matrix")
    parser.add_argument(
        "--profile", action="append", default=[], metavar="VIEW", help="cProfile a view on the big workbook"
    )
    args = parser.parse_args(argv)
    for name in ("findings", "contacts", "interviews", "organisations", "repeat", "factor"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    sizes = Sizes(args.findings, args.contacts, args.interviews, args.organisations)
    f = args.factor
    small_sizes = Sizes(
        *(max(1, n // f) for n in (sizes.findings, sizes.contacts, sizes.interviews, sizes.organisations))
    )

    named = dict(all_views(whole_evidence=args.whole_evidence))
    unknown = [n for n in args.profile if n not in named]
    if unknown:
        parser.error(f"--profile: no view {unknown[0]!r}; choose from {', '.join(named)}")

    from iivkit.workbook.demo import build_demo  # imported late: --help works without it

    with tempfile.TemporaryDirectory(prefix="iivkit-bench-") as tmp, contextlib.ExitStack() as stack:
        t0 = time.perf_counter()
        demo = stack.enter_context(build_demo(Path(tmp) / "demo.iiv"))
        demo_s = time.perf_counter() - t0
        small, *_ = build_big(Path(tmp) / "small.iiv", small_sizes, args.seed)
        stack.enter_context(small)
        big, gen_s, ins_s, rows = build_big(Path(tmp) / "big.iiv", sizes, args.seed)
        stack.enter_context(big)

        version = sys.version.split()[0]
        print(f"python {version}, pandas {pd.__version__}, seed {args.seed}, best of {args.repeat}")
        print(f"demo workbook: {sum(demo.count(m) for m in RECORD_TYPES):,} rows, built in {demo_s:.2f} s")
        for label, wb in (("small", small), ("big", big)):
            print(
                f"{label + ' workbook:':<15} {sum(wb.count(m) for m in RECORD_TYPES):,} rows ("
                + ", ".join(f"{m.table} {wb.count(m):,}" for m in RECORD_TYPES)
                + ")"
            )
        print(
            f"  big: generate records {gen_s:.2f} s; wb.add in one transaction {ins_s:.2f} s "
            f"= {rows / ins_s:,.0f} rows/s; "
            f"total {gen_s + ins_s:.2f} s = {rows / (gen_s + ins_s):,.0f} rows/s; "
            f"file {big.path.stat().st_size / 1e6:.1f} MB"
        )
        print()
        header = (
            f"{'view':<22} {'demo ms':>8} {'small ms':>9} {'big ms':>9} {'time x':>7} "
            f"{'small rows':>10} {'big rows':>9} {'rows x':>7} {'time/row x':>10}  {'big shape':>10}"
        )
        print(header)
        print("-" * len(header))
        results: list[tuple[str, float, float, float]] = []
        for name, view in named.items():
            d_s, _ = best_of(view, demo, args.repeat)
            s_s, s_res = best_of(view, small, args.repeat)
            b_s, b_res = best_of(view, big, args.repeat)
            s_n, b_n = size_of(name, s_res, small), size_of(name, b_res, big)
            per_row = (b_s / s_s) / (b_n / s_n) if s_n and b_n else float("nan")
            results.append((name, s_s, b_s, per_row))
            flag = "  SLOW" if b_s > SLOW_S else ""
            print(
                f"{name:<22} {d_s * 1e3:>8.2f} {s_s * 1e3:>9.2f} {b_s * 1e3:>9.2f} {ratio(b_s, s_s):>7} "
                f"{s_n:>10,} {b_n:>9,} {ratio(b_n, s_n):>7} {per_row:>10.2f}  {shape(b_res):>10}{flag}"
            )
        print("-" * len(header))
        print("time x = big ms / small ms; rows x = big rows / small rows; time/row x = time x / rows x")
        print(
            "(about 1: linear; below 1: fixed costs still count on the small one; well above 1: superlinear)"
        )
        worst = max(results, key=lambda r: r[3] if r[3] == r[3] else 0.0)
        slowest = max(results, key=lambda r: r[2])
        slow = [r[0] for r in results if r[2] > SLOW_S]
        print(
            f"worst time per row: {worst[0]} costs {worst[3]:.2f}x as much per row on the big workbook; "
            f"slowest on big: {slowest[0]} {slowest[2] * 1e3:.0f} ms; "
            f"over {SLOW_S:.0f} s: {', '.join(slow) or 'none'}"
        )
        for name in args.profile:
            print(f"\ncProfile of {name} on the big workbook:")
            profile_view(named[name], big)
    return 0


if __name__ == "__main__":
    sys.exit(main())
