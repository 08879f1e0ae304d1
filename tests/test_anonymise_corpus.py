"""A corpus of tricky ways to write a person, put everywhere in a workbook: 0 leaks anywhere.

Every string of :data:`CORPUS` goes into notes, letters, insights (strengths and areas to
develop, with their advice, too), open questions, findings, answers and outcome notes of one
workbook. The workbook is exported with ``--anonymise`` as
JSON, CSV (a zip) and xlsx, and a class folder holding it is run through
``iivkit course report --anonymise``. A leak is any name token, other name, email address or
phone number of a person that can still be found in an output, however it is written there
(accents, case, apostrophes and invisible characters are folded before looking).
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
import zipfile
import zoneinfo
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from iivkit import (
    Contact,
    Finding,
    FindingOutcome,
    Insight,
    Interview,
    OpenQuestion,
    Organisation,
    PlannedQuestion,
    Profile,
    Workbook,
)
from iivkit.workbook.anonymise import Pseudonymiser
from iivkit.workbook.models import Category

STUDENT = {
    "name": "Thandiwe Nkosi",
    "email": "thandiwe.nkosi@students.uct.ac.za",
    "phone": "+27 72 555 0147",
}
CONTACTS = [
    {
        "name": "Priya Naidoo",
        "other_names": ["Pree", "@pj_codes"],
        "email": "priya.naidoo@uct.ac.za",
        "phone": "+27 82 555 0101",
    },
    {"name": "José O'Brien", "other_names": [], "email": "jose.obrien@who.int", "phone": "1-800-555-0199"},
    {"name": "Johan van der Merwe", "other_names": [], "email": "jvdm@gmail.com", "phone": "082 555 0177"},
    {"name": "Zoë Ødegård", "other_names": [], "email": "zoë.ødegård@uio.no", "phone": ""},
    {"name": "Wei Li", "other_names": ["Vivian"], "email": "", "phone": ""},
    {"name": "Mary-Jane Smith-Jones", "other_names": ["MJ"], "email": "", "phone": ""},
    {"name": "Renée D’Souza", "other_names": [], "email": "", "phone": "(021) 555 0143"},
    {"name": "Jürgen Müller", "other_names": [], "email": "", "phone": ""},
]
OTHER_PHONES = ["555-1234", "(021) 555 0199", "415.555.0132", "+44 20 7946 0958", "(0)21 555 0166"]
"""Numbers of people who are not in the workbook: still phone numbers, still replaced."""

CORPUS = [
    "P. Naidoo said the unit is hiring.",
    "Naidoo, P. (2023). Evaluation in practice. Cape Town.",
    "P Naidoo runs the team.",
    "Naidoo P. chaired the panel.",
    "Dr P.Naidoo signed it.",
    "pnaidoo on Teams, @pnaidoo on X, PNaidoo on Slack",
    "Her profile: linkedin.com/in/priya-naidoo-123",
    "https://www.linkedin.com/in/priya-naidoo-123/",
    "Follow @PriyaNaidoo for updates",
    "#PriyaNaidoo trended",
    "Write to priya.naidoo@ (the uct address).",
    "priya said yes",
    "PRIYA SAID YES",
    "Priya's advice: take the course.",
    "Ask NAIDOO about it; naidoo's team agrees.",
    "Pree told me later; pree is her nickname.",
    "Her handle is @pj_codes on GitHub: github.com/pj_codes",
    "priya_naidoo, priya-naidoo and PriyaNaidoo92 are her usernames.",
    "Priya\u00a0Naidoo (with a no-break space)",
    "Pri\u200bya Nai\u200bdoo with zero-width spaces",
    "\uff30\uff52\uff49\uff59\uff41 in fullwidth letters",
    "mailto:priya.naidoo@uct.ac.za",
    "P.Naidoo@uct.ac.za wrote back",
    "Meet link https://meet.example.org/priya-naidoo-0312",
    '=HYPERLINK("https://x.example/?n=Priya Naidoo", "Priya")',
    "Jose OBrien agreed.",
    "José O’Brien agreed.",
    "JOSÉ O'BRIEN AGREED",
    "O’Brien said no; OBrien said yes; Obrien was unsure.",
    "Jose\u0301 wrote with a combining accent.",
    "jose.obrien@who.int",
    "jose and JOSE and josé",
    "Call 1-800-555-0199 today.",
    "His desk line is 555-0199.",
    "Reception: (021) 555 0143",
    "Office 555-1234, or (021) 555 0199, or 415.555.0132",
    "London +44 20 7946 0958 and Cape Town (0)21 555 0166",
    "Cell 082 555 0177; cell +27825550101; WhatsApp 27 82 555 0101",
    "Dear Dr van der Merwe,",
    "Van der Merwe, J. wrote the report.",
    "J. van der Merwe and J van der Merwe",
    "johan said; JOHAN said; Johan's view",
    "jvdm on Slack",
    "https://twitter.com/JohanVDM",
    "Zoe Odegard and Zoë Ødegård",
    "ZOE said; zoe agreed; ODEGARD disagreed",
    "zoë.ødegård@uio.no",
    "Wei Li and Li Wei and LI WEI",
    "Li said no. Ask Wei_Li on WeChat.",
    "li said no; ask mj, or wei li, or xu (no relation).",
    "\u0420r\u0456\u0443\u0430 N\u0430\u0456d\u043e\u043e wrote it with Cyrillic look-alikes.",
    "Vivian (Wei's English name) joined.",
    "Mary-Jane Smith-Jones and Smith-Jones, M.-J.",
    "mary jane said; MJ said; Mary Jane agreed",
    "Renee DSouza and Renée D’Souza and D'Souza",
    "Ms Souza called back.",
    "Thandiwe Nkosi (me), +27 72 555 0147",
    "NKOSI, T. and T. Nkosi and thandiwe",
    "thandiwe.nkosi@students.uct.ac.za",
    "Naidoo and O'Brien and van der Merwe met Ødegård, Li and D'Souza.",
    "Priya D. Naidoo, or Naidoo Priya, or Priya N.",
    "Call 5551234 after five; cell: 555 12 34; phone no. 5551234",
    "+27-82-555-0101 / 0027 82 555 0101 / +27 (0) 82 555 0101 / ٠٨٢ ٥٥٥ ٠١٠١",
    "Jurgen Muller, Juergen Mueller, JÜRGEN MÜLLER and Oedegaard",
]
assert len(CORPUS) >= 50


# -- an independent leak finder ------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_LETTERS = {"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "ł": "l"}
# Cyrillic letters a reader takes for Latin ones (listed here apart from the code under test).
_LETTERS |= {"\u0430": "a", "\u0435": "e", "\u043e": "o", "\u0440": "p", "\u0441": "c", "\u0443": "y"}
_LETTERS |= {"\u0445": "x", "\u0456": "i", "\u0420": "P", "\u041e": "O", "\u0410": "A", "\u0421": "C"}


TIME_ZONES = {z.casefold() for z in zoneinfo.available_timezones()}
"""Not people: "Africa/Johannesburg" keeps its "Johan"."""


def plain(text: str) -> str:
    """Lower case, no accents, no apostrophes, no invisible characters: how a reader would match."""
    text = "".join(_LETTERS.get(c, c) for c in text.translate(_INVISIBLE))
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"['\u2019\u2018\u02bc`]", "", text).casefold()


def name_tokens(name: str) -> tuple[list[str], list[str]]:
    """Words of three letters or more (matched in any case), and shorter ones (as Li or LI)."""
    words = [w for w in re.split(r"[^\w'\u2019]+", plain(name)) if w and not w.isdigit()]
    particles = {"van", "der", "de"}
    return [w for w in words if len(w) >= 3 and w not in particles], [w for w in words if len(w) == 2]


def identifiers(people: Iterable[dict[str, object]]) -> tuple[list[str], list[str], list[str], list[str]]:
    """Long name tokens, two-letter tokens, emails and phone numbers of *people*."""
    long_tokens: list[str] = []
    short_tokens: list[str] = []
    emails: list[str] = []
    phones: list[str] = []
    for person in people:
        for alias in [str(person["name"]), *person.get("other_names", [])]:  # type: ignore[misc]
            long, short = name_tokens(alias)
            long_tokens += long
            short_tokens += short
        if person.get("email"):
            emails.append(plain(str(person["email"])))
            long_tokens += [t for t in name_tokens(str(person["email"]).split("@")[0])[0] if len(t) >= 4]
        if person.get("phone"):
            phones.append(str(person["phone"]))
    return sorted(set(long_tokens)), sorted(set(short_tokens)), emails, phones + OTHER_PHONES


def leaks(texts: Iterable[str], people: Iterable[dict[str, object]]) -> list[str]:
    """Every identifier of *people* still found in *texts*, with where it was found."""
    long_tokens, short_tokens, emails, phones = identifiers(people)
    initials = {t[0] for t in long_tokens + short_tokens}
    found: list[str] = []
    for text in texts:
        folded = re.sub(
            r"[a-z]+(?:/[a-z_+\-]+)+", lambda m: " " if m.group() in TIME_ZONES else m.group(), plain(text)
        )
        for token in long_tokens:
            # Glued to one initial, as user names are: "pnaidoo".
            for m in re.finditer(rf"(?<![a-z])[a-z]{re.escape(token)}(?![a-z])", folded):
                if m.group()[0] in initials:
                    found.append(f"{token!r} in {m.group()!r}")
            # As a word (Johan, not Johannesburg), and glued inside addresses and handles.
            for m in re.finditer(rf"(?<![a-z]){re.escape(token)}(?![a-z])", folded):
                found.append(f"{token!r} in ...{folded[max(0, m.start() - 40) : m.end() + 40]!r}")
            for word in re.findall(r"\S*[@/]\S*", folded):
                if token in word:
                    found.append(f"{token!r} inside {word!r}")
        for token in short_tokens:
            for form in (token.title(), token.upper(), token.lower()):
                # Not inside a code such as "Contact 45F7AB" or a tag such as <li>; glued to
                # Chinese text it counts.
                shown = unicodedata.normalize("NFKC", text)
                if re.search(rf"(?<![A-Za-z0-9</]){form}(?![A-Za-z0-9>])", shown):
                    found.append(f"{form!r} in {text[:80]!r}")
        for email in emails:
            if email in folded:
                found.append(f"{email!r}")
        runs = [re.sub(r"\D", "", r) for r in re.findall(r"\+?\d(?:[\s.()\-]{0,3}\d)*", folded)]
        for phone in phones:
            tail = re.sub(r"\D", "", phone)[-7:]
            if any(tail in run for run in runs):
                found.append(f"phone {phone!r} in {text[:80]!r}")
    return found


# -- the workbook --------------------------------------------------------------------------


def one_line(text: str) -> str:
    """*text* as a one-line field takes it: no line breaks, and none of the invisible characters
    one-line fields refuse (the multi-line fields keep them, so the corpus still tests them)."""
    visible = "".join(
        c for c in text if c not in "\u200b\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )
    return " ".join(visible.split())[:300]


def build(path: Path) -> Path:
    """A workbook with every corpus string in every kind of free text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with Workbook.create(path) as wb, wb.transaction():
        wb.add(
            Profile(
                name=STUDENT["name"],
                email=STUDENT["email"],
                phone=STUDENT["phone"],
                career_vision=" ".join(CORPUS[:10]),
            )
        )
        org = wb.add(Organisation(name="Gauteng Department of Health", notes="\n".join(CORPUS)))
        contacts = [
            wb.add(
                Contact(
                    name=c["name"],
                    other_names=c["other_names"],
                    email=c["email"] or None,
                    phone=c["phone"],
                    organisation_id=org.id,
                    notes=CORPUS[n],
                )
            )
            for n, c in enumerate(CONTACTS)
        ]
        interview = wb.add(
            Interview(
                contact_id=contacts[0].id,
                place="https://meet.example.org/priya-naidoo-0312",
                keywords=[one_line(t)[:80] for t in CORPUS[:8]],
                invitation_text="\n\n".join(CORPUS),
                confirmation_text="\n".join(reversed(CORPUS)),
                thank_you_text=" ".join(CORPUS[::2]),
                salary_info=CORPUS[33],
                next_questions=CORPUS[44],
                notes="\n".join(CORPUS),
                status="debriefed",
                timezone="Africa/Johannesburg",
            )
        )
        for n, text in enumerate(CORPUS):
            finding = wb.add(
                Finding(
                    claim=text,
                    source_author=one_line(text),
                    source_title=one_line(text),
                    notes=text,
                    to_test=True,
                )
            )
            wb.add(FindingOutcome(interview_id=interview.id, finding_id=finding.id, note=text))
            wb.add(Insight(interview_id=interview.id, text=text))
            kind = "development" if n % 2 else "strength"
            wb.add(Insight(interview_id=interview.id, kind=kind, text=text, advice=text))
            wb.add(
                OpenQuestion(
                    interview_id=interview.id,
                    text=text,
                    how_to_answer=text,
                    suggested_contact_id=contacts[n % len(contacts)].id,
                )
            )
            wb.add(
                PlannedQuestion(
                    interview_id=interview.id,
                    position=n,
                    category=Category.industry,
                    text=f"Question {n}: {text}",
                    answer=text,
                )
            )
    return path


EVERYONE = [STUDENT, *CONTACTS]


@pytest.fixture(scope="module")
def corpus_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("corpus") / "class" / "thandiwe" / "workbook.iiv")


def test_the_leak_finder_finds_every_person_in_the_plain_export(
    corpus_workbook: Path, tmp_path: Path, cli
) -> None:
    # Guards every test below: without anonymising, each identifier is found.
    out = tmp_path / "plain.json"
    assert cli("export", corpus_workbook, "--format", "json", "--out", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    found = " ".join(leaks([text], EVERYONE))
    long_tokens, short_tokens, emails, phones = identifiers(EVERYONE)
    for identifier in [*long_tokens, *emails]:
        assert repr(identifier) in found, identifier
    for token in short_tokens:
        assert repr(token.title()) in found or repr(token.upper()) in found, token
    for phone in phones:
        assert f"phone {phone!r}" in found, phone
    assert len(leaks(CORPUS, EVERYONE)) > 100


def export(cli, workbook: Path, fmt: str, out: Path) -> Path:
    result = cli("export", workbook, "--format", fmt, "--anonymise", "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_the_anonymised_json_export_leaks_nothing(corpus_workbook: Path, tmp_path: Path, cli) -> None:
    text = export(cli, corpus_workbook, "json", tmp_path / "anon.json").read_text(encoding="utf-8")
    strings: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            strings.append(value)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)

    walk(json.loads(text))
    found = leaks([text, *strings], EVERYONE)
    assert found == [], f"json: {len(found)} leaks:\n" + "\n".join(found[:40])


def test_the_anonymised_csv_export_leaks_nothing(corpus_workbook: Path, tmp_path: Path, cli) -> None:
    out = export(cli, corpus_workbook, "csv", tmp_path / "anon.zip")
    with zipfile.ZipFile(out) as zf:
        texts = [zf.read(name).decode("utf-8") for name in zf.namelist()]
    found = leaks(texts, EVERYONE)
    assert found == [], f"csv: {len(found)} leaks:\n" + "\n".join(found[:40])


def test_the_anonymised_xlsx_export_leaks_nothing(corpus_workbook: Path, tmp_path: Path, cli) -> None:
    out = export(cli, corpus_workbook, "xlsx", tmp_path / "anon.xlsx")
    book = load_workbook(out)
    cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
    with zipfile.ZipFile(out) as zf:
        raw = [zf.read(name).decode("utf-8", "replace") for name in zf.namelist()]
    found = leaks(cells + raw, EVERYONE)
    assert found == [], f"xlsx: {len(found)} leaks:\n" + "\n".join(found[:40])


def test_the_anonymised_export_still_reads_like_the_original(
    corpus_workbook: Path, tmp_path: Path, cli
) -> None:
    doc = json.loads(export(cli, corpus_workbook, "json", tmp_path / "anon.json").read_text(encoding="utf-8"))
    contacts = {c["id"]: c["name"] for c in doc["contacts"]}
    priya = contacts[1]
    assert re.fullmatch(r"Contact [0-9A-F]{6}", priya)
    claims = [f["claim"] for f in doc["findings"]]
    assert claims[0] == f"{priya} said the unit is hiring."
    profile = next(c for c in claims if c.startswith("Her profile:"))
    assert profile == f"Her profile: linkedin.com/in/{priya.lower().replace(' ', '-')}-123"
    jose = contacts[2]
    assert claims.count(f"{jose} agreed.") == 2  # "Jose OBrien" and "José O’Brien"
    assert any(re.fullmatch(r"Call \+00 \d{7} today\.", c) for c in claims)
    assert all(c["other_names"] == [] for c in doc["contacts"])
    assert doc["interviews"][0]["place"].startswith("https://meet.example.org/")
    # Choices and time zones are not free text: "Africa/Johannesburg" keeps its "Johan".
    assert doc["interviews"][0]["timezone"] == "Africa/Johannesburg"


@pytest.mark.slow
def test_the_anonymised_class_pages_leak_nothing_about_contacts(
    corpus_workbook: Path, tmp_path: Path, run_iivkit
) -> None:
    class_dir = corpus_workbook.parent.parent
    out = tmp_path / "pages"
    result = run_iivkit("course", "report", class_dir, "--out", out, "--anonymise", "--today", "2026-03-20")
    assert result.returncode == 0, result.stdout + result.stderr
    # The text of each page (user text is only ever shown as text), without styles and inline
    # images, whose base64 would match any short name by chance.
    pages = {
        p.name: html.unescape(
            re.sub(r"<style.*?</style>|<[^>]+>", " ", p.read_text(encoding="utf-8"), flags=re.S)
        )
        for p in out.glob("*.html")
    }
    assert set(pages) == {"index.html", "thandiwe.html"}
    # The page shows the corpus: the open questions are listed on it.
    assert "said the unit is hiring." in pages["thandiwe.html"]
    # Students are named on their own pages; their contacts, and every email and phone, are not.
    people = [*CONTACTS, {"name": "", "phone": STUDENT["phone"]}]
    for name, page in pages.items():
        found = leaks([page], people)
        found += [STUDENT["email"]] if STUDENT["email"] in page else []
        assert found == [], f"{name}: {len(found)} leaks:\n" + "\n".join(found[:40])


# -- hostile and awkward people ------------------------------------------------------------


def test_an_other_name_gets_the_persons_own_pseudonym(tmp_path: Path, cli) -> None:
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        wb.add(Contact(name="Priya Naidoo", other_names=["Pree", "@pj_codes"], notes="Pree, i.e. @pj_codes."))
    out = export(cli, path, "json", tmp_path / "anon.json")
    contact = json.loads(out.read_text(encoding="utf-8"))["contacts"][0]
    slug = contact["name"].lower().replace(" ", "-")
    assert contact["notes"] == f"{contact['name']}, i.e. @{slug}."
    assert contact["other_names"] == []


def test_pseudonyms_that_make_text_too_long_are_cut_to_fit(tmp_path: Path, cli) -> None:
    # "Li" becomes "Contact 1A2B3C": a list item of 80 characters, or a 300-character title,
    # full of the name would no longer fit its field; the export shortens it rather than fail.
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        contact = wb.add(Contact(name="Wei Li"))
        wb.add(
            Interview(
                contact_id=contact.id, keywords=[" x ".join(["Li"] * 16)], place=" x ".join(["Li"] * 60)
            )
        )
    out = export(cli, path, "json", tmp_path / "anon.json")
    interview = json.loads(out.read_text(encoding="utf-8"))["interviews"][0]
    assert len(interview["keywords"][0]) <= 80 and interview["keywords"][0].endswith("…")
    assert len(interview["place"]) <= 300
    assert leaks([out.read_text(encoding="utf-8")], [{"name": "Wei Li"}]) == []
    copy = tmp_path / "copy.iiv"
    assert cli("import", copy, out).exit_code == 0


@pytest.mark.parametrize(
    "name",
    ["A+B (C) [x]", "Ölçü .* Şahin", "O'Neil-\\d+", "李小龙", "Ana Ng", "Ab", "X Æ A-12 Musk"],
)
def test_names_with_odd_characters_are_replaced_and_break_nothing(tmp_path: Path, cli, name: str) -> None:
    path = tmp_path / "wb.iiv"
    with Workbook.create(path) as wb:
        wb.add(Contact(name=name, notes=f"Met {name} today; {name.upper()} agreed. 我见了{name}先生"))
    out = export(cli, path, "json", tmp_path / "anon.json")
    notes = json.loads(out.read_text(encoding="utf-8"))["contacts"][0]["notes"]
    assert leaks([notes], [{"name": name}]) == []
    if len(name) > 2:  # a two-letter name may turn up inside a pseudonym's code
        assert name not in notes and name.upper() not in notes


def test_the_demo_meeting_links_name_nobody(tmp_path: Path) -> None:
    from iivkit.workbook.demo import build_class, build_demo

    paths = [tmp_path / "demo.iiv"]
    build_demo(paths[0]).close()
    paths += build_class(tmp_path / "class", 8)
    links = 0
    for path in paths:
        with Workbook.open(path) as wb:
            profile = wb.profile()
            people = [{"name": c.name} for c in wb.all(Contact)] + (
                [{"name": profile.name}] if profile else []
            )
            places = [i.place for i in wb.all(Interview) if i.place.startswith("https://")]
        links += len(places)
        assert leaks(places, people) == [], path
    assert links >= 5


# -- anything at all -----------------------------------------------------------------------

TRICKY_CHARS = st.sampled_from(
    [*"PpNn. ,-_'’@/#()+0123456789\u200b\u0301éØ李\n\t", "Naidoo", "Priya", "van der"]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(TRICKY_CHARS, st.text(max_size=5)), max_size=40))
def test_any_text_is_pseudonymised_without_error(pieces: list[str]) -> None:
    p = Pseudonymiser("salt")
    p.add_person(
        "Priya Naidoo", "Contact", other_names=["@pj"], email="priya.naidoo@uct.ac.za", phone="082 555 0101"
    )
    p.add_person("Johan van der Merwe", "Contact")
    text = "".join(pieces)
    out = p.text(text)
    assert isinstance(out, str)
    assert leaks([out], [{"name": "Priya Naidoo", "email": "priya.naidoo@uct.ac.za"}]) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_valid_workbook_can_be_exported_anonymised(
    tmp_path_factory: pytest.TempPathFactory, data, record_strategy, with_parents
) -> None:
    from iivkit.workbook.exports import document_for_export
    from iivkit.workbook.interchange import dump, parse_document

    path = tmp_path_factory.mktemp("any") / "wb.iiv"
    with Workbook.create(path) as wb:
        with_parents(wb)
        for model in (Contact, Interview, Finding, OpenQuestion):
            wb.add(data.draw(record_strategy(model)))
        anonymised = document_for_export(wb, anonymised=True)
    parse_document(dump(anonymised))  # still a valid, importable document
