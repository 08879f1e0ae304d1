"""The pages iivkit makes read well for everyone: debrief reports, their index, feedback pages
and the class summary, made by the real commands on the demo.

Three checks, on every page:

- the Nu HTML checker (``vnu.jar``, run offline with Java) finds no markup errors, CSS aside
  (nbconvert's own stylesheet uses properties the checker does not know);
- axe-core, injected into each page in headless Chromium, finds nothing serious or critical;
- each page has a human title, one ``h1``, no skipped heading level, alt text with the numbers
  on every chart, and a caption and scoped headers on every table.

The checker and axe-core come from npm (``package.json`` at the project root pins them):
without ``node_modules`` these tests fail, saying to run ``npm install``. Chromium is Debian's,
as for the browser test: a missing browser skips the axe check, except in CI, where it fails.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from lab_driver import CHROMIUM, launch_browser

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}


def npm_tool(path: Path) -> Path:
    """*path* under node_modules; the test fails, saying how to get it, when it is missing."""
    if not path.is_file():
        pytest.fail(
            f"{path.relative_to(ROOT)} is missing: run `npm install` in the project root "
            "(package.json pins vnu-jar and axe-core; .ci/run does this in CI)"
        )
    return path


@dataclass
class Pages:
    reports: list[Path]
    index: Path
    feedback: list[Path]
    summary: Path
    records: list[Path]

    @property
    def all(self) -> list[Path]:
        return [*self.reports, self.index, *self.feedback, self.summary, *self.records]


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory, run_iivkit: Callable[..., Any]) -> Pages:
    """Reports, their index, feedback pages and the class summary, made by the CLI on the demo."""
    root = tmp_path_factory.mktemp("a11y")
    demo = run_iivkit("demo", "--out", root / "demo", "--class", "2")
    assert demo.returncode == 0, demo.stderr
    course = run_iivkit(
        "course", "report", root / "demo" / "class", "--out", root / "course", "--jobs", "2", "--records"
    )
    assert course.returncode == 0, course.stderr
    reports = root / "demo" / "reports"
    found = Pages(
        reports=sorted(reports.glob("*__interview-*.html")),
        index=reports / "index.html",
        feedback=sorted(
            p for p in (root / "course").glob("*.html") if p.name != "index.html" and p.stem[-5:] != "-work"
        ),
        summary=root / "course" / "index.html",
        records=sorted((root / "course").glob("*-work.html")),
    )
    assert found.reports and found.feedback and found.records
    assert found.index.is_file() and found.summary.is_file()
    return found


# -- the Nu HTML checker -------------------------------------------------------------------------


def test_the_nu_html_checker_finds_no_markup_errors(pages: Pages) -> None:
    jar = npm_tool(VNU_JAR)
    java = shutil.which("java")
    if java is None:
        pytest.fail("java is missing: install a Java runtime (Debian: apt-get install default-jre-headless)")
    done = subprocess.run(
        [
            java,
            "-jar",
            str(jar),
            "--errors-only",
            "--skip-non-html",
            "--format",
            "json",
            *map(str, pages.all),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=240,
    )
    messages = json.loads(done.stderr)["messages"]
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message', '')}"
        for m in messages
        if not m.get("message", "").startswith("CSS:")
    ]
    assert not errors, "the Nu HTML checker found markup errors:\n" + "\n".join(errors)


# -- axe-core in Chromium ----------------------------------------------------------------------


def test_axe_finds_nothing_serious_or_critical_in_chromium(pages: Pages) -> None:
    axe = npm_tool(AXE_JS).read_text(encoding="utf-8")
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); the axe check needs it")
    from playwright.sync_api import sync_playwright

    found: list[str] = []
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        try:
            page = browser.new_page()
            for path in pages.all:
                page.goto(path.as_uri())
                page.add_script_tag(content=axe)
                violations = page.evaluate(
                    "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                )
                found += [
                    f"{path.name}: {v['impact']} {v['id']}: {v['help']} "
                    f"(e.g. {v['nodes'][0]['target']}: {v['nodes'][0]['failureSummary']})"
                    for v in violations
                    if v["impact"] in SERIOUS
                ]
        finally:
            browser.close()
    assert not found, "axe-core found serious or critical problems:\n" + "\n".join(found)


# -- titles, headings, charts and tables ---------------------------------------------------------


@dataclass
class Outline(HTMLParser):
    """What a page says about itself: its title, its headings, its images and its tables."""

    title: str = ""
    headings: list[tuple[int, str]] = field(default_factory=list)
    alts: list[str | None] = field(default_factory=list)
    tables: int = 0
    captions: int = 0
    header_cells: int = 0
    unscoped: int = 0
    _in: str = ""
    _text: str = ""

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "title" or re.fullmatch(r"h[1-6]", tag):
            self._in, self._text = tag, ""
        elif tag == "img":
            self.alts.append(attributes.get("alt"))
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.header_cells += 1
            self.unscoped += attributes.get("scope") not in ("col", "row", "colgroup", "rowgroup")

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag != self._in:
            return
        text = self._text.replace("¶", "").strip()
        if tag == "title":
            self.title = text
        else:
            self.headings.append((int(tag[1]), text))
        self._in = ""


def outline(path: Path) -> Outline:
    parsed = Outline()
    parsed.feed(path.read_text(encoding="utf-8"))
    return parsed


def test_every_page_has_a_human_title(pages: Pages) -> None:
    for report in pages.reports:
        assert re.fullmatch(r"Debrief: \S.*, \d{1,2} [A-Z][a-z]{2} \d{4}", outline(report).title), report.name
    assert re.fullmatch(r"Debrief reports: \d+ interviews", outline(pages.index).title)
    for page in pages.feedback:
        title = outline(page).title
        assert title.startswith("Feedback: ") and title != f"Feedback: {page.stem}", title
    assert outline(pages.summary).title == f"Class summary: {len(pages.feedback)} students"
    assert outline(pages.index).headings[0] == (1, outline(pages.index).title)


def test_one_h1_and_no_heading_level_skipped(pages: Pages) -> None:
    for path in pages.all:
        levels = [level for level, _ in outline(path).headings]
        assert levels.count(1) == 1 and levels[0] == 1, (path.name, levels)
        skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert not skips, (path.name, levels)


def test_every_chart_says_what_it_shows_with_the_numbers(pages: Pages) -> None:
    charts = 0
    for path in pages.all:
        for alt in outline(path).alts:
            charts += 1
            assert alt and re.search(r"\d+ findings? \w+", alt), (path.name, alt)
    assert charts >= len(pages.reports)


def test_every_table_has_a_caption_and_scoped_headers(pages: Pages) -> None:
    for path in pages.all:
        page = outline(path)
        assert page.tables and page.captions == page.tables, (path.name, page.tables, page.captions)
        assert page.header_cells and not page.unscoped, (path.name, page.unscoped)
