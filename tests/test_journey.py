"""The whole method in a real browser, from ``iivkit init`` on an empty workbook, as a person does it.

One journey, two ways in: through ``iivkit app`` (each step a page, no code, no Run All) and
through JupyterLab (each notebook opened once and run once with *Run ▸ Run All Cells*). The
journey only clicks and types: a profile with two careers of interest, an organisation, three
findings of which two are ticked to test, a contact, the question plan, the meeting, the
invitation saved after the meeting, the confirmation showing the meeting's date, the meeting
marked done, a debrief with outcomes, an insight, a referral and an open question routed to
that referral, and finally 05_track showing the result.

No notebook is ever run twice and no page is reloaded within a step, so every step that needs
a re-run to see an earlier save fails. After each step the workbook is read with the public
API: the right records, the right counts, and nothing saved earlier overwritten.

Every click and key press goes through :class:`journey_driver.Hands`; the totals are printed
(``pytest -s``) and written to ``test-results/journey-<way>.json``.

It skips only when Chromium is missing outside CI; in CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from journey_driver import (
    AppServer,
    AppSurface,
    Hands,
    LabSurface,
    Tally,
    assert_no_widget_errors,
    lab_folder,
    new_workbook_folder,
)
from lab_driver import CHROMIUM, ROOT, LabServer, launch_browser

from iivkit.method.letters import render_letter
from iivkit.workbook.models import (
    Contact,
    ContactStatus,
    Finding,
    FindingOutcome,
    HowFound,
    Insight,
    Interview,
    InterviewStatus,
    OpenQuestion,
    Organisation,
    Outcome,
    PlannedQuestion,
    Profile,
    Record,
)
from iivkit.workbook.store import Workbook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Where the click counts (and a failed step's picture) go; elsewhere for a read-only checkout.
RESULTS = Path(os.environ.get("IIVKIT_TEST_RESULTS") or ROOT / "test-results")
STEP_TIMEOUT_MS = 20_000
"""How long a step waits for the page: generous for 2 busy cores, short enough to fail fast."""

# What the person types. Short claims, so tables show them whole.
ME = {"name": "Thandi Mokoena", "email": "thandi@example.org", "qualification": "BSc Environmental Science"}
CAREERS = ["climate adaptation analyst", "sustainability consultant"]
TIMEZONE = "Africa/Johannesburg"
ORGANISATION = "Cape Climate Institute"
FINDINGS = [
    ("Adaptation teams hire analysts with GIS skills.", "hiring"),
    ("Most funding for adaptation comes from donors.", "funding"),
    ("Junior analysts earn about R25 000 a month.", "salaries"),
]
TO_TEST = [0, 1]
CONTACT = {"name": "Sipho Dlamini", "role": "Head of adaptation research", "email": "sipho@example.org"}
KEYWORDS = ["GIS work", "donor funding"]
PLACE = "Video call (link to follow)"
POSTSCRIPT = "\nP.S. I would be glad to share my notes on adaptation funding."
INSIGHT = "Donor calls set the hiring rhythm: apply when a grant starts."
REFERRAL = {"name": "Lindiwe Nkosi", "role": "Grants manager"}
OPEN_QUESTION = "How do donors judge adaptation projects?"
HOW_TO_ANSWER = "Ask the grants manager Sipho suggested."
ANSWER = "Started as a GIS technician, then moved into research."

TABLES: list[type[Record]] = [
    Profile,
    Organisation,
    Finding,
    Contact,
    Interview,
    PlannedQuestion,
    FindingOutcome,
    Insight,
    OpenQuestion,
]
Snapshot = dict[str, dict[int, dict[str, Any]]]
SAVED = re.compile(r"^\s*(Saved|Added)\b")
"""A status line that reports a save ("Not saved: …" does not match)."""


# -- fixtures --------------------------------------------------------------------------------------


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the journey test needs it")


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = launch_browser(pw)
        yield chromium
        chromium.close()


@pytest.fixture
def journey_page(chromium_browser: Any) -> Iterator[Any]:
    """A fresh page in a fresh browser context."""
    context = chromium_browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    yield context.new_page()
    context.close()


# -- reading the workbook --------------------------------------------------------------------------


def snapshot(workbook: Path) -> Snapshot:
    """Every record of the journey's tables, by table and id."""
    with Workbook.open(workbook) as wb:
        return {
            model.table: {r.id or 0: r.model_dump(mode="json") for r in wb.all(model)} for model in TABLES
        }


def records(snap: Snapshot, model: type[Record]) -> list[dict[str, Any]]:
    return list(snap[model.table].values())


def assert_kept(before: Snapshot, after: Snapshot, *, changed: set[str]) -> None:
    """Nothing saved before is lost; outside the tables in *changed* nothing was rewritten at all."""
    for table, rows in before.items():
        for rid, row in rows.items():
            assert rid in after[table], f"{table} #{rid} saved earlier is gone"
            if table not in changed:
                assert after[table][rid] == row, f"{table} #{rid} was overwritten by a later step"


# -- the journey -----------------------------------------------------------------------------------


class Journey:
    """The method, step by step, on one surface; each step ends by checking the workbook."""

    def __init__(self, surface: Any, hands: Hands, workbook: Path) -> None:
        self.surface = surface
        self.hands = hands
        self.page = hands.page
        self.tally = hands.tally
        self.workbook = workbook
        self.seen = snapshot(workbook)
        for model in TABLES:
            assert not self.seen[model.table], f"the new workbook already has {model.table}"

    def soft(self, check: Callable[[], object]) -> None:
        """Run *check*; if it fails, note the failure and go on. The test fails at the end.

        For what is wrong without making the later steps meaningless, so that one run shows
        every problem of the journey rather than only the first.
        """
        try:
            check()
        except AssertionError as exc:
            self.surface.problems.append(f"{self.tally.step}: {str(exc).splitlines()[0]}")

    @staticmethod
    def equal(got: object, wanted: object, what: str) -> None:
        assert got == wanted, f"{what} is {got!r}, not {wanted!r}"

    def check(self, *, changed: set[str]) -> Snapshot:
        """Read the workbook; nothing outside *changed* may differ from the last check."""
        now = snapshot(self.workbook)
        assert_kept(self.seen, now, changed=changed)
        for table in set(now) - changed:
            assert set(now[table]) == set(self.seen[table]), (
                f"{table} changed in a step that does not touch it"
            )
        self.seen = now
        return now

    def field(self, form: Any, name: str, kind: str = "input") -> Any:
        return form.locator(f".iiv-field-{name} {kind}")

    def save(self, form: Any, expect_status: str | re.Pattern[str] = SAVED) -> None:
        """Press the form's save button; wait for its status line to change and say it saved."""
        self.press_and_wait(
            form.locator("button.iiv-save").first, form.locator(".iiv-status").last, expect_status
        )

    def press_and_wait(self, button: Any, status: Any, expect_status: str | re.Pattern[str] = SAVED) -> None:
        """Click *button*, then wait until *status* shows a new message that matches *expect_status*.

        The message before the click may already match (the previous save said "Saved"), so the
        wait is for a different text: every save's message names its record or version.
        """
        from playwright.sync_api import expect

        before = status.inner_text()
        self.hands.click(button)
        # A save goes through the kernel: on a busy machine that can take longer than the
        # default five seconds, and a slow save is not a failed one.
        expect(status).not_to_have_text(before, timeout=30_000)
        expect(status).to_contain_text(expect_status, timeout=30_000)

    # 01_research ---------------------------------------------------------------------------------

    def research(self) -> None:
        from playwright.sync_api import expect

        self.tally.begin("01_research: open")
        nb = self.surface.open("01_research.ipynb")

        self.tally.begin("profile")
        form = nb.locator(".iiv-form-profile")
        self.hands.type_into(self.field(form, "name"), ME["name"])
        self.hands.type_into(self.field(form, "email"), ME["email"])
        self.hands.type_into(self.field(form, "current_qualification"), ME["qualification"])
        # A list field takes one entry per line, and shows what it understood.
        careers = form.locator(".iiv-field-careers_of_interest")
        self.hands.type_into(careers.locator("textarea"), "\n".join(CAREERS))
        self.hands.leave(careers.locator("textarea"))
        for career in CAREERS:
            expect(careers.locator(".iiv-list-entries")).to_contain_text(career)
        self.hands.replace(self.field(form, "timezone"), TIMEZONE)
        self.save(form)
        snap = self.check(changed={"profile"})
        (profile,) = records(snap, Profile)
        assert profile["name"] == ME["name"] and profile["email"] == ME["email"]
        assert profile["careers_of_interest"] == CAREERS, "two careers typed on two lines must stay two"
        assert profile["timezone"] == TIMEZONE

        self.tally.begin("organisation")
        form = nb.locator(".iiv-form-organisations")
        self.hands.type_into(self.field(form, "name"), ORGANISATION)
        self.hands.type_into(self.field(form, "sector"), "research")
        self.save(form)
        snap = self.check(changed={"organisations"})
        (org,) = records(snap, Organisation)
        assert org["name"] == ORGANISATION

        self.tally.begin("three findings")
        form = nb.locator(".iiv-form-findings")
        for n, (claim, topic) in enumerate(FINDINGS, 1):
            # The form is ready for a new finding, and its button says so: no silent overwrite.
            expect(form.locator("button.iiv-save").first).to_contain_text("Add finding")
            expect(self.field(form, "claim", "textarea")).to_have_value("")
            self.hands.type_into(self.field(form, "claim", "textarea"), claim)
            self.hands.type_into(self.field(form, "topic"), topic)
            # The organisation saved above is pickable here without a re-run.
            self.hands.choose(self.field(form, "organisation_id", "select"), ORGANISATION)
            self.save(form)
            snap = self.check(changed={"findings"})
            claims = [f["claim"] for f in records(snap, Finding)]
            assert claims == [c for c, _ in FINDINGS[:n]], f"after finding {n} the workbook has {claims}"
            assert all(f["organisation_id"] == org["id"] for f in records(snap, Finding))

        self.tally.begin("tick two findings to test")
        # The tick list shows the three findings just added, without a re-run.
        for i in TO_TEST:
            row = (
                nb.locator(".widget-hbox")
                .filter(has=self.page.locator("input[type=checkbox]"))
                .filter(has_text=FINDINGS[i][0])
                .last
            )
            self.hands.click(row.locator("input[type=checkbox]"))
        choices = (
            nb.locator(".widget-vbox").filter(has=self.page.get_by_role("button", name="Save choices")).last
        )
        self.press_and_wait(
            choices.get_by_role("button", name="Save choices"), choices.locator(".iiv-status").last
        )
        snap = self.check(changed={"findings"})
        ticked = [f["claim"] for f in records(snap, Finding) if f["to_test"]]
        assert ticked == [FINDINGS[i][0] for i in TO_TEST]
        assert [f["claim"] for f in records(snap, Finding)] == [c for c, _ in FINDINGS]

        self.tally.begin("contact")
        form = nb.locator(".iiv-form-contacts")
        self.hands.type_into(self.field(form, "name"), CONTACT["name"])
        self.hands.type_into(self.field(form, "role"), CONTACT["role"])
        self.hands.choose(self.field(form, "organisation_id", "select"), ORGANISATION)
        self.hands.type_into(self.field(form, "email"), CONTACT["email"])
        self.hands.choose(self.field(form, "seniority", "select"), "senior")
        self.save(form)
        snap = self.check(changed={"contacts"})
        (contact,) = records(snap, Contact)
        assert contact["name"] == CONTACT["name"] and contact["organisation_id"] == org["id"]
        assert contact["seniority"] == "senior"
        assert_no_widget_errors(nb)

    # 02_prepare ----------------------------------------------------------------------------------

    def prepare(self) -> None:
        from playwright.sync_api import expect

        self.tally.begin("02_prepare: open")
        nb = self.surface.open("02_prepare.ipynb")
        snap = self.check(changed={"interviews"})
        (interview,) = records(snap, Interview)
        (contact,) = records(snap, Contact)
        assert interview["contact_id"] == contact["id"]
        iid = int(interview["id"])
        expect(nb.locator(".iiv-form-contacts .iiv-field-name input")).to_have_value(CONTACT["name"])

        self.tally.begin("the plan")
        editor = nb.locator(".iiv-plan-editor")
        ticks = editor.locator(".iiv-plan-tick input:checked")
        expect(ticks.first).to_be_visible()
        planned = ticks.count()
        self.save(editor)
        snap = self.check(changed={"planned_questions", "interviews"})
        plan = [q for q in records(snap, PlannedQuestion) if q["interview_id"] == iid]
        assert len(plan) == planned, f"{planned} questions ticked, {len(plan)} saved"
        tested_ids = {f["id"] for f in records(snap, Finding) if f["to_test"]}
        springboards = {q["finding_id"] for q in plan if q["finding_id"] is not None}
        assert springboards and springboards <= tested_ids, "the plan springs from the findings to test"
        # The printable guide follows the saved plan.
        first = min(plan, key=lambda q: (q["position"], q["id"]))
        expect(nb.locator(".iiv-live-guide")).to_contain_text(first["text"])

        self.tally.begin("the meeting")
        meeting = nb.locator(".iiv-form-interviews")
        # The meeting's time zone comes from the profile.
        self.soft(lambda: expect(self.field(meeting, "timezone")).to_have_value(TIMEZONE))
        when = dt.datetime.combine(dt.date.today() - dt.timedelta(days=2), dt.time(10, 0))
        self.hands.type_date(self.field(meeting, "scheduled_at"), when.strftime("%Y-%m-%dT%H:%M"), digits=12)
        self.hands.type_into(self.field(meeting, "place"), PLACE)
        self.hands.type_into(self.field(meeting, "keywords", "textarea"), ", ".join(KEYWORDS))
        self.save(meeting)
        snap = self.check(changed={"interviews"})
        saved = snap["interviews"][iid]
        assert dt.datetime.fromisoformat(saved["scheduled_at"]) == when
        assert saved["place"] == PLACE
        self.soft(lambda: self.equal(saved["timezone"], TIMEZONE, "the meeting's time zone"))
        assert saved["keywords"] == KEYWORDS, "comma-separated keywords must stay separate"

        self.tally.begin("the invitation, saved after the meeting")
        letters = nb.locator(".iiv-letter")
        invitation = letters.nth(0)
        self.hands.append(invitation.locator("textarea"), POSTSCRIPT)
        self.press_and_wait(
            invitation.get_by_role("button", name="Save this text"), invitation.locator(".iiv-status")
        )
        snap = self.check(changed={"interviews"})
        saved = snap["interviews"][iid]
        assert saved["invitation_text"].rstrip().endswith(POSTSCRIPT.strip())
        assert dt.datetime.fromisoformat(saved["scheduled_at"]) == when, "the letter save lost the meeting"
        assert saved["keywords"] == KEYWORDS and saved["place"] == PLACE

        self.tally.begin("the confirmation shows the meeting")
        with Workbook.open(self.workbook) as wb:
            expected = render_letter(wb, iid, "confirmation").text
        assert "MISSING" not in expected and when.strftime("%H:%M") in expected
        expect(letters.nth(1).locator("textarea")).to_have_value(expected)

        self.tally.begin("the meeting took place")
        self.hands.choose(self.field(meeting, "status", "select"), "done")
        self.save(meeting)
        snap = self.check(changed={"interviews"})
        saved = snap["interviews"][iid]
        assert saved["status"] == InterviewStatus.done.value
        assert saved["invitation_text"].rstrip().endswith(POSTSCRIPT.strip()), (
            "the meeting form lost the letter"
        )
        assert_no_widget_errors(nb)

    # 03_debrief ----------------------------------------------------------------------------------

    def debrief(self) -> None:

        self.tally.begin("03_debrief: open")
        nb = self.surface.open("03_debrief.ipynb")
        self.check(changed=set())
        form = nb.locator(".iiv-form-debrief")
        (interview,) = records(self.seen, Interview)
        iid = int(interview["id"])
        (contact,) = records(self.seen, Contact)
        tested = [f for f in records(self.seen, Finding) if f["to_test"]]

        self.tally.begin("debrief: answers and outcomes")
        self.hands.type_into(form.get_by_placeholder("What they said").first, ANSWER)
        outcomes = [Outcome.confirmed, Outcome.refuted]
        for finding, outcome in zip(tested, outcomes, strict=True):
            toggle = form.locator(f".iiv-outcome-{finding['id']}")
            self.hands.click(toggle.get_by_role("button", name=outcome.value.replace("_", " "), exact=True))

        self.tally.begin("debrief: insight, referral, open question")
        insight = form.locator(".iiv-row-insights").last
        self.hands.type_into(insight.locator("textarea"), INSIGHT)
        referral = form.locator(".iiv-row-contacts").last
        self.hands.type_into(referral.get_by_placeholder("Name"), REFERRAL["name"])
        self.hands.type_into(referral.get_by_placeholder("Role"), REFERRAL["role"])
        self.hands.choose(referral.locator("select"), ORGANISATION)
        question = form.locator(".iiv-row-open_questions").last
        self.hands.type_into(question.get_by_placeholder("The question"), OPEN_QUESTION)
        self.hands.type_into(question.get_by_placeholder("How to answer it", exact=False), HOW_TO_ANSWER)
        # The referral typed a moment ago is already someone to ask.
        self.hands.choose(question.locator("select"), REFERRAL["name"])
        self.save(form, "Saved the debrief")

        snap = self.check(
            changed={
                "finding_outcomes",
                "insights",
                "open_questions",
                "contacts",
                "interviews",
                "planned_questions",
            }
        )
        got = {o["finding_id"]: o["outcome"] for o in records(snap, FindingOutcome)}
        assert got == {f["id"]: o.value for f, o in zip(tested, outcomes, strict=True)}
        assert [i["text"] for i in records(snap, Insight)] == [INSIGHT]
        people = {c["name"]: c for c in records(snap, Contact)}
        assert set(people) == {CONTACT["name"], REFERRAL["name"]}, (
            "the referral is a new contact, no one replaced"
        )
        ref = people[REFERRAL["name"]]
        assert ref["referred_by_id"] == contact["id"] and ref["referred_in_interview_id"] == iid
        assert ref["how_found"] == HowFound.referral.value
        (question_saved,) = records(snap, OpenQuestion)
        assert question_saved["text"] == OPEN_QUESTION and question_saved["interview_id"] == iid
        assert question_saved["suggested_contact_id"] == ref["id"], "the question is routed to the referral"
        assert snap["interviews"][iid]["status"] == InterviewStatus.debriefed.value
        assert people[CONTACT["name"]]["status"] == ContactStatus.interviewed.value
        answers = [q["answer"] for q in records(snap, PlannedQuestion) if q["answer"]]
        assert answers == [ANSWER]
        assert_no_widget_errors(nb)

    # 05_track ------------------------------------------------------------------------------------

    def track(self) -> None:
        from playwright.sync_api import expect

        self.tally.begin("05_track: open")
        nb = self.surface.open("05_track.ipynb")
        self.check(changed=set())
        pipeline = nb.locator(".iiv-live-pipeline")
        for name in (CONTACT["name"], REFERRAL["name"]):
            expect(pipeline).to_contain_text(name)
        questions = nb.locator(".iiv-live-open-questions")
        expect(questions).to_contain_text(OPEN_QUESTION)
        expect(questions).to_contain_text(REFERRAL["name"])
        evidence = nb.locator(".iiv-live-evidence")
        for i in TO_TEST:
            expect(evidence).to_contain_text(FINDINGS[i][0])
        assert_no_widget_errors(nb)

    def run(self) -> None:
        self.research()
        self.prepare()
        self.debrief()
        self.track()
        assert not self.surface.problems, "the journey went through, but:\n" + "\n".join(
            self.surface.problems
        )


def walk(journey: Journey, way: str) -> None:
    """Run *journey*; keep a picture of the page in test-results/ if a step fails."""
    picture = RESULTS / f"journey-{way}-failed.png"
    picture.unlink(missing_ok=True)  # from an earlier run
    try:
        journey.run()
    except BaseException:
        RESULTS.mkdir(exist_ok=True)
        journey.page.screenshot(path=str(picture), full_page=True)
        raise


def report(tally: Tally, way: str) -> None:
    """Print the clicks and key presses and keep them in test-results/journey-<way>.json.

    A journey that stopped early is reported too, with the step it stopped in.
    """
    tally.write(RESULTS / f"journey-{way}.json")
    print(
        f"\njourney through {way}: {tally.clicks} clicks, {tally.keys} key presses (last step: {tally.step})"
    )
    for step, counts in tally.steps.items():
        took = tally.seconds.get(step, 0.0)
        print(f"  {step}: {counts['clicks']} clicks, {counts['keys']} key presses ({took:.0f} s)")


def test_the_whole_method_in_the_app_from_an_empty_workbook(journey_page: Any, tmp_path: Path) -> None:
    folder = tmp_path / "me"
    workbook = new_workbook_folder(folder)
    tally = Tally()
    hands = Hands(journey_page, tally)
    try:
        with AppServer(folder, tmp_path / "state") as app:
            walk(Journey(AppSurface(journey_page, app, hands), hands, workbook), "app")
    finally:
        report(tally, "app")


def test_the_whole_method_in_jupyterlab_from_an_empty_workbook(journey_page: Any, tmp_path: Path) -> None:
    folder = tmp_path / "me"
    workbook = new_workbook_folder(folder)
    lab_folder(folder)
    tally = Tally()
    hands = Hands(journey_page, tally)
    try:
        with LabServer(folder, tmp_path / "state", env={"IIVKIT_WORKBOOK": str(workbook)}) as lab:
            walk(Journey(LabSurface(journey_page, lab, hands), hands, workbook), "lab")
    finally:
        report(tally, "lab")
