"""A real JupyterLab in headless Chromium: the forms render in the front end and save.

nbval and papermill never draw a widget; "Error displaying widget" and "model not found" only
show up in a browser. This test opens 02_prepare, runs it, fills and saves the contact form
(once with a bad email, which must show inline, then correctly); then opens 03_debrief, marks a
tested finding confirmed and saves; and reads the workbook after each save.

It skips only when Chromium is missing outside CI; in CI (``CI`` set) a missing browser fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lab_driver import (
    CHROMIUM,
    KERNEL_READY,
    LabServer,
    copy_notebooks,
    launch_browser,
    open_notebook,
    run_all,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOKS = ["02_prepare.ipynb", "03_debrief.ipynb"]
WIDGET_ERRORS = ["Error displaying widget", "model not found"]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the browser test needs it")


@pytest.fixture(scope="module")
def demo_workbook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The demo workbook the notebooks open by default, built in a private cache for this test."""
    require_chromium()
    cache = tmp_path_factory.mktemp("demo-cache")
    old = os.environ.get("IIVKIT_CACHE_DIR")
    os.environ["IIVKIT_CACHE_DIR"] = str(cache)
    try:
        from iivkit.workbook.demo import ensure_demo_workbook

        yield ensure_demo_workbook()
    finally:
        if old is None:
            os.environ.pop("IIVKIT_CACHE_DIR", None)
        else:
            os.environ["IIVKIT_CACHE_DIR"] = old


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, demo_workbook: Path) -> Iterator[LabServer]:
    root = tmp_path_factory.mktemp("lab-root")
    copy_notebooks(root, NOTEBOOKS)
    server = LabServer(
        root, tmp_path_factory.mktemp("lab-state"), env={"IIVKIT_CACHE_DIR": os.environ["IIVKIT_CACHE_DIR"]}
    )
    with server:
        yield server


@pytest.fixture(scope="module")
def lab_page(lab: LabServer) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_browser(pw)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(30_000)
        yield context.new_page()
        context.close()
        browser.close()


@pytest.fixture(autouse=True)
def screenshot_on_failure(request: pytest.FixtureRequest, lab_page: Any) -> Iterator[None]:
    """Keep a picture of the page in test-results/ when the test fails."""
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        out = Path(os.environ.get("IIVKIT_TEST_RESULTS") or "test-results")
        out.mkdir(exist_ok=True)
        lab_page.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)


def assert_no_widget_errors(page: Any) -> None:
    text = page.locator("#main").inner_text()
    for error in WIDGET_ERRORS:
        assert error not in text, f"the front end says {error!r}"


def test_contact_form_renders_and_saves_in_a_real_jupyterlab(
    lab_page: Any, lab: LabServer, demo_workbook: Path
) -> None:
    from playwright.sync_api import expect

    from iivkit.workbook.models import Contact

    page = lab_page
    from iivkit.ui.support import choose_contact
    from iivkit.workbook.store import Workbook

    with Workbook.open(demo_workbook) as wb:
        contact = choose_contact(wb)
    open_notebook(page, lab, "02_prepare.ipynb")
    run_all(page)

    form = page.locator(".iiv-form-contacts")
    expect(form.locator(".iiv-field-name input")).to_have_value(contact.name)
    expect(page.locator(".iiv-plan-editor .iiv-plan-tick").first).to_be_visible()
    assert_no_widget_errors(page)

    form.locator(".iiv-field-email input").fill("not-an-email")
    form.locator(".iiv-field-role input").fill("Evaluation lead (browser test)")
    form.locator("button.iiv-save").click()
    expect(form.locator(".iiv-field-email .iiv-field-error")).to_contain_text("email")
    expect(form.locator(".iiv-status")).to_contain_text("Not saved")
    with Workbook.open(demo_workbook) as wb:
        assert wb.get(Contact, contact.id or 0).role == contact.role, "a rejected save wrote something"

    # A person reads the error before retyping: by then the kernel is idle again. (Typed within
    # milliseconds, the browser may still hold the box's new text back behind its last update.)
    expect(page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_READY, timeout=30_000)
    form.locator(".iiv-field-email input").fill("lead@example.org")
    # and moves on to the next field, as a person does, before reaching for Save; on a busy
    # machine the box's update may still be on its way, so wait for the kernel to take it.
    form.locator(".iiv-field-email input").press("Tab")
    expect(page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_READY, timeout=30_000)
    form.locator("button.iiv-save").click()
    expect(form.locator(".iiv-status")).to_contain_text("Saved contact")
    with Workbook.open(demo_workbook) as wb:
        saved = wb.get(Contact, contact.id or 0)
    assert saved.role == "Evaluation lead (browser test)"
    assert saved.email == "lead@example.org"
    assert_no_widget_errors(page)


def test_debrief_outcome_toggle_saves_in_a_real_jupyterlab(
    lab_page: Any, lab: LabServer, demo_workbook: Path
) -> None:
    from playwright.sync_api import expect

    from iivkit.ui.forms.debrief_form import tested_findings
    from iivkit.ui.support import choose_interview
    from iivkit.workbook.models import FindingOutcome, Outcome
    from iivkit.workbook.store import Workbook

    page = lab_page
    with Workbook.open(demo_workbook) as wb:
        interview = choose_interview(wb)
        known = {o.finding_id: o.outcome for o in wb.all(FindingOutcome, interview_id=interview.id)}
        finding = next(
            f for f in tested_findings(wb, interview.id or 0) if known.get(f.id or 0) != Outcome.confirmed
        )
    open_notebook(page, lab, "03_debrief.ipynb")
    run_all(page)

    debrief = page.locator(".iiv-form-debrief")
    toggle = debrief.locator(f".iiv-outcome-{finding.id}")
    toggle.get_by_role("button", name="confirmed", exact=True).click()
    debrief.locator("button.iiv-save").click()
    expect(debrief.locator(".iiv-status")).to_contain_text("Saved the debrief")
    with Workbook.open(demo_workbook) as wb:
        outcomes = {o.finding_id: o.outcome for o in wb.all(FindingOutcome, interview_id=interview.id)}
    assert outcomes[finding.id or 0] is Outcome.confirmed
    assert_no_widget_errors(page)
