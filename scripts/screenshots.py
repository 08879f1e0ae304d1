"""Take the README's screenshots from the app (``iivkit app``) and from JupyterLab.

Usage (from the checkout, with the test dependencies and Debian's chromium installed)::

    python scripts/screenshots.py [--out docs/screenshots]

It builds a private demo workbook in a temporary folder, serves that folder with ``iivkit app``
and with an isolated JupyterLab (both on 127.0.0.1, the same way as tests/test_journey.py),
opens each workflow step in headless Chromium, scrolls to the part worth showing and saves a
PNG: ``app-*.png`` from the app (the landing page and one per step) and ``lab-*.png`` from
JupyterLab (a notebook after Run All, code folded). Nothing outside the temporary folder and
the output folder is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from journey_driver import AppServer, Hands, LabSurface, Tally, wait_for_widgets  # noqa: E402
from lab_driver import CHROMIUM, LabServer, launch_browser  # noqa: E402

APP_SHOTS = [
    # the step's notebook, the element to scroll to, the picture
    ("01_research.ipynb", ".iiv-form-profile", "app-01_research.png"),
    ("02_prepare.ipynb", ".iiv-plan-editor", "app-02_prepare.png"),
    ("03_debrief.ipynb", ".iiv-form-debrief .widget-toggle-buttons", "app-03_debrief.png"),
    ("05_track.ipynb", ".iiv-live-pipeline-chart", "app-05_track.png"),
]
LAB_SHOTS = [
    ("02_prepare.ipynb", ".iiv-form-contacts", "lab-02_prepare.png"),
]
LANDING = "app-landing.png"
LEAD_PX = 120
"""Room above the element, so its heading shows too."""
LAB_LEAD_PX = 200
"""In JupyterLab, room for the heading, its prose and the folded code cell above a form."""
VIEWPORT = {"width": 1280, "height": 900}

SCROLL_TO = """(el, lead) => {
    el.scrollIntoView({block: 'start'});
    let box = el.parentElement;
    const scrolls = b => b.scrollHeight > b.clientHeight && /auto|scroll/.test(getComputedStyle(b).overflowY);
    while (box && !scrolls(box)) box = box.parentElement;
    (box || document.scrollingElement).scrollTop -= lead;
}"""


def scroll_to(page: Any, selector: str, lead: int = LEAD_PX) -> None:
    """Bring the first element matching *selector* to the top of its scrolling box, *lead*
    pixels down."""
    target = page.locator(selector).first
    target.wait_for(state="visible")
    target.evaluate(SCROLL_TO, lead)
    page.wait_for_timeout(400)  # let the scroll and any late layout settle


def demo_folder(base: Path) -> Path:
    """A folder holding a copy of the demo workbook, as a user's folder would."""
    os.environ["IIVKIT_CACHE_DIR"] = str(base / "cache")
    from iivkit.workbook.demo import ensure_demo_workbook

    folder = base / "interviews"
    folder.mkdir()
    shutil.copyfile(ensure_demo_workbook(), folder / "workbook.iiv")
    return folder


def app_shots(browser: Any, folder: Path, state: Path, out: Path) -> list[Path]:
    """The landing page and one picture per step, from ``iivkit app``."""
    written = []
    with AppServer(folder, state) as app:
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
        page.goto(app.address)
        scroll_to(page, "ol")  # the steps; the line above them names the temporary workbook
        page.screenshot(path=str(out / LANDING))
        written.append(out / LANDING)
        for notebook, anchor, picture in APP_SHOTS:
            page.goto(app.address)
            page.locator(f"a[href*='{notebook}']").first.click()
            wait_for_widgets(page, 90_000)
            scroll_to(page, anchor)
            page.screenshot(path=str(out / picture))
            written.append(out / picture)
        page.close()
    return written


def lab_shots(browser: Any, folder: Path, state: Path, out: Path) -> list[Path]:
    """Pictures of notebooks in JupyterLab after one Run All: prose, folded code and forms."""
    written = []
    env = {"IIVKIT_WORKBOOK": str(folder / "workbook.iiv")}
    with LabServer(folder, state, env=env) as lab:
        page = browser.new_page(viewport=VIEWPORT, device_scale_factor=1)
        surface = LabSurface(page, lab, Hands(page, Tally()))
        for notebook, anchor, picture in LAB_SHOTS:
            surface.open(notebook)
            scroll_to(page, anchor, LAB_LEAD_PX)
            page.screenshot(path=str(out / picture))
            written.append(out / picture)
        page.close()
    return written


def take(out: Path) -> list[Path]:
    """Take every picture into *out*; return their paths."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="iivkit-shots-") as tmp, sync_playwright() as pw:
        base = Path(tmp)
        folder = demo_folder(base)
        browser = launch_browser(pw)
        try:
            # The app first: it copies the notebooks into the folder, where JupyterLab finds them.
            written = app_shots(browser, folder, base / "app-state", out)
            written += lab_shots(browser, folder, base / "lab-state", out)
        finally:
            browser.close()
    for path in written:
        print(f"wrote {path}")
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to write the PNGs"
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"screenshots: {CHROMIUM} is missing; install Debian's chromium package", file=sys.stderr)
        return 2
    take(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
