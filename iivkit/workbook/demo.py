"""Demo content: one realistic workbook, and a class of synthetic students.

The demo follows the informational-interview guide's own example: a psychology graduate reads
about a new addiction-treatment programme, wants to know how its evaluation was done, and
explores careers in programme evaluation. Its text lives in ``data/demo.json``; so do the pools
the synthetic class is drawn from.

Both are written as *bundles*: plain dicts keyed by table name, where each record may carry a
``key`` and refers to others by key instead of by id (``"contact": "patel"`` becomes
``contact_id``). An interview may nest its ``plan``, ``outcomes``, ``insights`` and
``open_questions``. A letter (any ``*_text`` field) may be a list of paragraphs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import random
import re
import tempfile
import unicodedata
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from iivkit import __version__
from iivkit.workbook.models import (
    RECORD_TYPES,
    Category,
    FindingOutcome,
    Insight,
    OpenQuestion,
    PlannedQuestion,
    Record,
)
from iivkit.workbook.store import Workbook

Bundle = dict[str, Any]

_CHILDREN: dict[str, type[Record]] = {
    "plan": PlannedQuestion,
    "outcomes": FindingOutcome,
    "insights": Insight,
    "open_questions": OpenQuestion,
}
_CATEGORY_ORDER = {c.value: i for i, c in enumerate(Category)}
_OUTCOMES = ("confirmed", "refuted", "mixed", "not_discussed")
_OUTCOME_WEIGHTS = (4, 1, 2, 2)
_HOW_FOUND = ("alumni", "professional_network", "event", "organisation_website", "family_friends", "cold")
_STAGES = ("done", "barely", "half")
_NOT_YET = ("identified", "invited", "no_reply", "declined")


@cache
def _data() -> dict[str, Any]:
    text = (resources.files("iivkit") / "data" / "demo.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


# -- loading a bundle ------------------------------------------------------------------------


def _flatten(bundle: Bundle) -> dict[str, list[dict[str, Any]]]:
    """One list of records per table, with nested interview children pulled out."""
    tables: dict[str, list[dict[str, Any]]] = {m.table: [] for m in RECORD_TYPES}
    if bundle.get("profile"):
        tables["profile"].append(dict(bundle["profile"]))
    for model in RECORD_TYPES:
        if model.table != "profile":
            tables[model.table].extend(dict(item) for item in bundle.get(model.table, []))
    for n, interview in enumerate(tables["interviews"], 1):
        interview.setdefault("key", f"#interview{n}")
        for name, model in _CHILDREN.items():
            for position, child in enumerate(interview.pop(name, []), 1):
                child = {**child, "interview": interview["key"]}
                if model is PlannedQuestion:
                    child.setdefault("position", position)
                tables[model.table].append(child)
    return tables


def _record_data(
    model: type[Record], item: dict[str, Any], ids: dict[str, dict[str, int]], record_id: int
) -> dict[str, Any]:
    data = {k: v for k, v in item.items() if k != "key"}
    for name, value in data.items():
        if name.endswith("_text") and isinstance(value, list):
            data[name] = "\n\n".join(value)
    for field, table in model.references().items():
        name = field.removesuffix("_id")
        if name not in data:
            continue
        key = data.pop(name)
        if key is not None and key not in ids[table]:
            raise ValueError(f"demo data: {model.label} refers to unknown {table} key {key!r}")
        data[field] = None if key is None else ids[table][key]
    data["id"] = record_id
    return data


def _load(wb: Workbook, bundle: Bundle) -> None:
    """Write a bundle into an empty workbook in one transaction.

    Ids are given up front (1, 2, … in each table), so records may refer to each other in
    any order: the store checks references only at commit.
    """
    tables = _flatten(bundle)
    ids = {
        table: {str(item["key"]): n for n, item in enumerate(items, 1) if "key" in item}
        for table, items in tables.items()
    }
    with wb.transaction():
        for model in RECORD_TYPES:
            for n, item in enumerate(tables[model.table], 1):
                wb.add(model.model_validate(_record_data(model, item, ids, n)))


def _create(path: Path, bundle: Bundle) -> Workbook:
    wb = Workbook.create(path)
    try:
        _load(wb, bundle)
    except BaseException:
        wb.close()
        for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        raise
    return wb


# -- public API ------------------------------------------------------------------------------


def build_demo(path: Path) -> Workbook:
    """Create the demo workbook at *path* and return it open; refuse if the file exists.

    :raises iivkit.errors.WorkbookExistsError: if *path* already exists.
    """
    return _create(Path(path), _data()["demo"])


def build_class(out_dir: Path, n: int, *, seed: int = 2026) -> list[Path]:
    """Create *n* synthetic students' workbooks under *out_dir* and return their paths.

    Each lands at ``out_dir / <student-slug> / "workbook.iiv"``. The same *seed* gives the same
    students with the same records. Students are at different stages: some done (three
    interviews debriefed), some half-way (research, contacts, one interview ahead) and, for
    ``n >= 2``, exactly one who has barely started.

    :raises iivkit.errors.WorkbookExistsError: if a student's workbook already exists.
    """
    if n < 0:
        raise ValueError(f"n must be zero or more, not {n}")
    pools = _data()["class"]
    rng = random.Random(seed)
    stages = list(_STAGES[:n]) + [rng.choice(("done", "half")) for _ in range(n - len(_STAGES))]
    rng.shuffle(stages)
    out_dir = Path(out_dir)
    paths: list[Path] = []
    for (name, slug), stage in zip(_student_names(rng, pools, n), stages, strict=True):
        student_rng = random.Random(f"{seed}:{slug}")
        path = out_dir / slug / "workbook.iiv"
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path, _Student(student_rng, pools, name, slug).bundle(stage)).close()
        paths.append(path)
    return paths


# -- synthetic students ----------------------------------------------------------------------


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")


def _meeting_code(*parts: object) -> str:
    """A meeting-room code like ``kqv-3xrd-pdz``: stable for the same inputs, and naming nobody."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    letters = "".join("abcdefghijkmnpqrstuvwxyz23456789"[b % 32] for b in digest[:10])
    return f"{letters[:3]}-{letters[3:7]}-{letters[7:]}"


def _lc_first(text: str) -> str:
    """'Data analyst' -> 'data analyst', but 'HR generalist' stays as it is."""
    return text if len(text) > 1 and text[1].isupper() else text[:1].lower() + text[1:]


def _student_names(rng: random.Random, pools: dict[str, Any], n: int) -> list[tuple[str, str]]:
    """*n* names with unique slugs; first and last names repeat as little as the pools allow."""
    firsts = rng.sample(pools["first_names"], len(pools["first_names"]))
    lasts = rng.sample(pools["last_names"], len(pools["last_names"]))
    taken: set[str] = set()
    out: list[tuple[str, str]] = []
    for i in range(n):
        name = f"{firsts[i % len(firsts)]} {lasts[(i + i // len(firsts)) % len(lasts)]}"
        slug = base = _slug(name)
        suffix = 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(slug)
        out.append((name, slug))
    return out


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _and_join(items: list[str]) -> str:
    return " and ".join(filter(None, [", ".join(items[:-1]), items[-1] if items else ""]))


def _letter(paragraphs: list[str], **values: Any) -> list[str]:
    return [p.format(**values) for p in paragraphs]


class _Student:
    """Draws one synthetic student's bundle from the pools, with its own random generator."""

    def __init__(self, rng: random.Random, pools: dict[str, Any], name: str, slug: str) -> None:
        self.rng, self.pools, self.texts = rng, pools, pools["texts"]
        self.name, self.slug = name, slug
        self.place = rng.choice(pools["places"])
        self.field = rng.choice(pools["fields"])
        self.careers = rng.sample(self.field["careers"], rng.randint(2, 3))
        city = self.place["city"]
        self.orgs = [{**o, "name": o["name"].format(city=city)} for o in self.field["organisations"]]
        self.fmt = {
            "name": name,
            "city": city,
            "timezone": self.place["timezone"],
            "field": self.field["field"],
            "ambition": self.field["ambition"],
            "career": _lc_first(self.careers[0]),
            "orgs": _and_join([o["name"] for o in self.orgs]),
            "qualification": rng.choice(self.field["qualifications"]),
            "entry_pay": self.place["entry_pay"],
            "later_pay": self.place["later_pay"],
        }

    def phone(self, chance: float) -> str:
        return f"{self.place['phone']} {self.rng.randrange(10_000):04d}" if self.rng.random() < chance else ""

    def bundle(self, stage: str) -> Bundle:
        """The student's records at *stage*: ``done``, ``half`` or ``barely``."""
        rng, field = self.rng, self.field
        bundle: Bundle = {
            "profile": {
                "name": self.name,
                "email": f"{self.slug.replace('-', '.')}@students.example.org",
                "phone": self.phone(0.7),
                "current_qualification": self.fmt["qualification"],
                "previous_qualifications": rng.sample(field["previous"], rng.randint(1, 2)),
                "career_vision": self.texts["vision"].format(**self.fmt),
                "vision_and_targets": "" if stage == "barely" else self.texts["targets"].format(**self.fmt),
                "careers_of_interest": self.careers,
                "timezone": self.place["timezone"],
            }
        }
        if stage == "barely":
            general = [f for f in field["findings"] if f["org"] is None]
            bundle["findings"] = [self.finding(rng.choice(general), 0, False)][: rng.randint(0, 1)]
            return bundle
        bundle["organisations"] = [
            {
                **{k: v for k, v in o.items() if k != "domain"},
                "key": f"o{i}",
                "divisions": rng.sample(o["divisions"], rng.randint(2, len(o["divisions"]))),
                "locations": [self.place["city"]],
                "website": f"https://{o['domain']}.example.org",
            }
            for i, o in enumerate(self.orgs)
        ]
        roles = rng.sample(field["contacts"], len(field["contacts"]))
        met = {r["org"] for r in roles[: 3 if stage == "done" else 1]}
        how_many = 7 if stage == "done" else rng.randint(5, 6)
        picked = sorted(rng.sample(range(len(field["findings"])), how_many))
        # Test what the people met can speak to: their own organisation, or the field at large.
        testable = [i for i in picked if field["findings"][i]["org"] in (None, *met)]
        tested = set(rng.sample(testable, min(len(testable), 3 if stage == "done" else 2)))
        findings = [self.finding(field["findings"][i], i, i in tested) for i in picked]
        to_test = [f for f in findings if f["to_test"]]
        if stage == "half":
            contacts = self.contacts(roles[: rng.randint(3, 4)], interviewed=0)
            status = rng.choice(("planned", "invited", "confirmed"))
            contacts[0]["status"] = "identified" if status == "planned" else status
            # Early December or mid-January: nobody books an informational interview at Christmas.
            start = rng.choice((dt.date(2026, 12, 1), dt.date(2027, 1, 11)))
            day = _weekday(start + dt.timedelta(days=rng.randrange(16)))
            interviews = [self.interview(contacts[0], day, status, to_test)]
        else:
            contacts = self.contacts(roles, interviewed=3)
            contacts[3].update(how_found="referral", referred_by="c0", referred_in_interview="i0")
            day = _weekday(dt.date(2026, 9, 7) + dt.timedelta(days=rng.randrange(14)))
            interviews = []
            for i in range(3):
                thank = i < 2 or rng.random() < 0.5
                if not thank:
                    contacts[i]["status"] = "interviewed"
                interviews.append(
                    self.interview(
                        contacts[i],
                        day,
                        "debriefed",
                        to_test,
                        referral=contacts[3] if i == 0 else None,
                        others=contacts[3:],
                        thank=thank,
                    )
                )
                day = _weekday(day + dt.timedelta(days=rng.randint(10, 21)))
        bundle.update(findings=findings, contacts=contacts, interviews=interviews)
        return bundle

    def finding(self, tpl: dict[str, Any], i: int, to_test: bool) -> dict[str, Any]:
        rng, pools = self.rng, self.pools
        org = self.orgs[tpl["org"]] if tpl["org"] is not None else None
        person = f"{rng.choice(pools['first_names'])} {rng.choice(pools['last_names'])}"
        site = org["domain"] if org else "careers-news"
        return {
            "key": f"f{i}",
            "claim": tpl["claim"].format(org=org["name"] if org else ""),
            "topic": tpl["topic"],
            "organisation": f"o{tpl['org']}" if org else None,
            "source_title": tpl["source"],
            "source_link": f"https://{site}.example.org/{_slug(tpl['source'])}",
            "source_author": org["name"] if org else person,
            "source_date": (dt.date(2025, 1, 6) + dt.timedelta(days=rng.randrange(560))).isoformat(),
            "confidence": rng.choice(("low", "medium", "medium", "high")),
            "to_test": to_test,
        }

    def contacts(self, roles: list[dict[str, Any]], *, interviewed: int) -> list[dict[str, Any]]:
        rng, pools = self.rng, self.pools
        names: list[str] = []
        while len(names) < len(roles):
            candidate = f"{rng.choice(pools['first_names'])} {rng.choice(pools['last_names'])}"
            if candidate != self.name and candidate not in names:
                names.append(candidate)
        return [
            {
                "key": f"c{i}",
                "name": person,
                "role": role["role"],
                "organisation": f"o{role['org']}",
                "email": f"{_slug(person).replace('-', '.')}@{self.orgs[role['org']]['domain']}.example.org",
                "phone": self.phone(0.4),
                "how_found": rng.choice(_HOW_FOUND),
                "seniority": role["seniority"],
                "focus_area": role["focus_area"],
                "status": "thanked" if i < interviewed else rng.choice(_NOT_YET),
            }
            for i, (role, person) in enumerate(zip(roles, names, strict=True))
        ]

    def interview(
        self,
        contact: dict[str, Any],
        day: dt.date,
        status: str,
        to_test: list[dict[str, Any]],
        *,
        referral: dict[str, Any] | None = None,
        others: list[dict[str, Any]] | None = None,
        thank: bool = True,
    ) -> dict[str, Any]:
        """One interview: planned (questions only), or debriefed (answers, outcomes, insights)."""
        rng, texts, done = self.rng, self.texts, status == "debriefed"
        org = self.orgs[int(contact["organisation"][1:])]
        to_test = [f for f in to_test if f["organisation"] in (None, contact["organisation"])]
        at = dt.datetime.combine(day, dt.time(rng.randint(9, 15), rng.choice((0, 30))))
        medium = rng.choice(("video", "video", "in_person", "phone"))
        minutes = rng.choice((20, 30, 30, 45))
        topics = list(dict.fromkeys(f["topic"] for f in to_test))
        extra = [k for k in rng.sample(texts["keywords"], 2) if not any(t in k for t in topics)]
        keywords = topics + extra
        dear = contact["name"].split()[0]  # by first name, as the letters' default greeting
        v = {**self.fmt, "contact": dear, "org": org["name"], "role": _lc_first(contact["role"])}
        place, where = {
            "video": (
                f"https://meet.example.org/{_meeting_code(self.slug, day)}",
                "on a video call at this link: {}",
            ),
            "in_person": (f"{org['name']}, {self.place['city']}", "in person at {}"),
            "phone": ("Phone call", "by phone: I will call you on the number you gave me"),
        }[medium]
        interview: dict[str, Any] = {
            "key": "i" + contact["key"][1:],
            "contact": contact["key"],
            "scheduled_at": at.isoformat(),
            "timezone": self.place["timezone"],
            "duration_minutes": minutes,
            "medium": medium,
            "place": place,
            "status": status,
            "keywords": keywords,
            "invitation_text": _letter(
                texts["invitation"],
                **v,
                business=_lc_first(org["main_business"]),
                topics=_and_join(topics) or "its work",
            ),
        }
        if status != "planned":
            interview["invitation_sent"] = (day - dt.timedelta(days=rng.randint(14, 21))).isoformat()
        if status in ("confirmed", "debriefed"):
            when = f"{at:%A} {at.day} {at:%B} at {at:%H:%M} ({self.place['timezone']} time)"
            interview["confirmation_sent"] = (day - dt.timedelta(days=rng.randint(2, 6))).isoformat()
            interview["confirmation_text"] = _letter(
                texts["confirmation"],
                **v,
                when=when,
                where=where.format(place),
                minutes=minutes,
                keywords="\n".join(f"- {k}" for k in keywords),
            )

        background = rng.choice(texts["background"]).format(**v)
        answer = rng.choice(texts["background_answers"])
        plan = [{"category": "background", "text": background, "answer": answer}]
        outcomes = []
        for finding in to_test:
            key = finding["key"]
            outcome = rng.choices(_OUTCOMES, weights=_OUTCOME_WEIGHTS)[0] if done else ""
            answers = texts["springboard_answers"].get(outcome)
            answer = rng.choice(answers) if answers else ""
            if done:
                note = answer or "Ran out of time before we got to it."
                outcomes.append({"finding": key, "outcome": outcome, "note": note})
            if outcome != "not_discussed":
                text = texts["springboard"].format(source=finding["source_title"], claim=finding["claim"])
                plan.append({"category": "industry", "text": text, "answer": answer, "finding": key})
        salary, salary_answer = texts["salary"].format(**v), texts["salary_answer"].format(**v)
        plan.append({"category": "career", "text": salary, "answer": salary_answer})
        plan.extend(
            {"category": p["category"], "text": p["text"].format(**v), "answer": p["answer"]}
            for p in rng.sample(texts["practical"], 2)
        )
        closing = texts["closing_answer_none"]
        if referral:
            closing = texts["closing_answer"].format(referral=f"{referral['name']} ({referral['role']})")
        plan.append({"category": "closing", "text": texts["closing"], "answer": closing})
        plan.sort(key=lambda q: _CATEGORY_ORDER[q["category"]])
        if not done:
            interview["plan"] = [{**q, "answer": ""} for q in plan]
            return interview

        insights = [{"kind": "salary", "text": texts["salary_insight"].format(**v)}] + [
            {**i, "text": i["text"].format(**v)} for i in rng.sample(texts["insights"], rng.randint(2, 3))
        ]
        questions = []
        for q in rng.sample(texts["open_questions"], rng.randint(1, 2)):
            ask = rng.choice([*(others or []), None])
            who = ask["name"] if ask else f"someone at {org['name']}"
            questions.append(
                {
                    "text": q["text"].format(**v),
                    "how_to_answer": q["how"].format(**{**v, "contact": who}),
                    "suggested_contact": ask["key"] if ask else None,
                }
            )
        interview.update(
            plan=plan,
            outcomes=outcomes,
            insights=insights,
            open_questions=questions,
            salary_info=texts["salary_info"].format(**v),
            environment_info=texts["environment"],
            chances_feedback=texts["chances"],
            next_questions=texts["next_questions"],
        )
        if thank:
            interview["thank_you_sent"] = (day + dt.timedelta(days=1)).isoformat()
            interview["thank_you_text"] = _letter(
                texts["thank_you"], **v, day=f"{at:%A}", insight=_lc_first(insights[1]["text"])
            )
        return interview


# -- the notebooks' default workbook -----------------------------------------------------------


def demo_workbook_path() -> Path:
    """Where the notebook's default workbook lives: a per-version demo in the user's cache."""
    base = os.environ.get("IIVKIT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base else Path.home() / ".cache"
    if not os.environ.get("IIVKIT_CACHE_DIR"):
        root = root / "iivkit"
    return root / f"demo-{__version__}" / "workbook.iiv"


def ensure_demo_workbook() -> Path:
    """The demo workbook, built on first use with :func:`build_demo`.

    It is built beside its final place and moved in, so notebooks run side by side never see
    half a workbook.
    """
    path = demo_workbook_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as tmp:
        staged = Path(tmp) / path.name
        built = build_demo(staged)
        close = getattr(built, "close", None)
        if callable(close):
            close()
        os.replace(staged, path)
    return path
