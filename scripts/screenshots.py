"""Take the README's screenshots of the workflow notebooks from a real JupyterLab.

Usage (from the checkout, with the test dependencies and Debian's chromium installed)::

    python scripts/screenshots.py [--out docs/screenshots]

It builds a private demo workbook, starts an isolated JupyterLab on 127.0.0.1 (the same way
as tests/test_browser.py), runs each workflow notebook in headless Chromium, scrolls to the
part worth showing and saves a PNG per notebook. Nothing outside a temporary folder and the
output folder is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from lab_driver import (  # noqa: E402
    CHROMIUM,
    LabServer,
    copy_notebooks,
    launch_browser,
    open_notebook,
    run_all,
)

SHOTS = [
    # notebook, the element to scroll to, where to put it in the view, the picture
    ("01_research.ipynb", ".iiv-form-profile", "start", "01_research.png"),
    ("02_prepare.ipynb", ".iiv-plan-editor", "start", "02_prepare.png"),
    ("03_debrief.ipynb", ".iiv-form-debrief .widget-toggle-buttons", "start", "03_debrief.png"),
    ("05_track.ipynb", ".jp-OutputArea-output img", "start", "05_track.png"),
]
LEAD_PX = 120
"""Room above the element, so its heading shows too."""


def take(out: Path) -> list[Path]:
    """Run each workflow notebook in a real JupyterLab and save one screenshot of each."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="iivkit-shots-") as tmp:
        base = Path(tmp)
        os.environ["IIVKIT_CACHE_DIR"] = str(base / "cache")
        from iivkit.report_data import ensure_demo_workbook

        ensure_demo_workbook()
        copy_notebooks(base / "root", [nb for nb, _, _, _ in SHOTS])
        env = {"IIVKIT_CACHE_DIR": os.environ["IIVKIT_CACHE_DIR"]}
        with LabServer(base / "root", base / "state", env=env) as lab, sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
            for notebook, anchor, block, picture in SHOTS:
                open_notebook(page, lab, notebook)
                page.evaluate("window.jupyterapp.shell.collapseLeft()")
                run_all(page)
                target = page.locator(anchor).first
                target.wait_for(state="visible")
                target.evaluate(
                    "(el, [block, lead]) => { el.scrollIntoView({block});"
                    " const box = el.closest('.jp-WindowedPanel-outer') || el.closest('.jp-Notebook');"
                    " if (box) box.scrollTop -= lead; }",
                    [block, LEAD_PX],
                )
                page.wait_for_timeout(400)  # let the scroll and any late layout settle
                path = out / picture
                page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").screenshot(path=str(path))
                written.append(path)
                print(f"wrote {path}")
            browser.close()
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
