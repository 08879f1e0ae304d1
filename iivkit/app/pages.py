"""The app's first page: the steps of the method in order, then the course exercises.

Each entry is one shipped notebook, rendered by Voila at ``/voila/render/<notebook>``; each
rendered page has a header back to this list and on to the next step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from jinja2 import Environment, select_autoescape


@dataclass(frozen=True)
class Page:
    """One notebook the app links to from its first page."""

    notebook: str
    """Path under ``DIR/notebooks``, with ``/`` separators."""
    title: str
    description: str


STEPS: tuple[Page, ...] = (
    Page(
        "01_research.ipynb",
        "Research",
        "Your profile and career vision, the organisations you look at, your findings, and the "
        "people you could talk to.",
    ),
    Page(
        "02_prepare.ipynb",
        "Prepare",
        "For one person: the question plan, the meeting, the invitation and confirmation letters, "
        "and a printable guide.",
    ),
    Page(
        "03_debrief.ipynb",
        "Debrief",
        "Right after the interview: the answers, what each tested finding turned out to be, open "
        "questions and referrals.",
    ),
    Page(
        "05_track.ipynb",
        "Track",
        "Across interviews: what is due, the evidence for your findings, the open questions and "
        "your contacts' progress.",
    ),
)
"""The method's steps, in the order the landing page lists them."""

INTERVIEW = (
    "The conversation itself, with no page here: take the guide printed in Prepare, share your "
    "findings, and ask who else to talk to."
)
"""The step of the method between Prepare and Debrief, listed on the landing page unlinked."""

EXERCISES: tuple[Page, ...] = (
    Page(
        "exercises/exercise_1_research.ipynb",
        "Exercise 1 · Vision and research",
        "Your career vision, and five findings about one organisation.",
    ),
    Page(
        "exercises/exercise_2_questions.ipynb",
        "Exercise 2 · Questions",
        "Springboard questions from your findings, fitted to a senior generalist and a specialist.",
    ),
    Page(
        "exercises/exercise_3_letters.ipynb",
        "Exercise 3 · Letters",
        "The introduction letter and the confirmation email with the topics to cover.",
    ),
    Page(
        "exercises/exercise_4_debrief.ipynb",
        "Exercise 4 · Debrief",
        "The outcome of each tested finding, the open questions and your next steps.",
    ),
)
"""The course exercises, listed after the steps."""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_LANDING = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>iivkit · your informational interviews</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       max-width: 46rem; margin: 2.5rem auto; padding: 0 1.2rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
ol.steps, ul.exercises { padding-left: 0; list-style: none; }
li { margin: .7rem 0; padding: .7rem 1rem; border: 1px solid #d9e2ec; border-radius: 6px; }
li a { font-weight: 600; font-size: 1.05rem; color: #1d4ed8; text-decoration: none; }
li a:hover { text-decoration: underline; }
li p { margin: .2rem 0 0; }
li.offline span { font-weight: 600; font-size: 1.05rem; }
li.offline { background: #f8fafc; }
.note { color: #52606d; font-size: .95rem; }
code { background: #f0f4f8; padding: 0 .25rem; border-radius: 3px; }
</style>
</head>
<body>
<h1>Your informational interviews</h1>
<p class="note">Workbook: <code>{{ workbook }}</code></p>
<p>Work through the steps in order. Each page opens with what you have saved so far; the Save
buttons write to your workbook at once. A page takes a few seconds to start.</p>
<h2>The method, step by step</h2>
<ol class="steps">
{%- for page in steps %}
<li><a href="{{ link(page) }}">{{ page.title }}</a><p>{{ page.description }}</p></li>
{%- if loop.index == 2 %}
<li class="offline"><span>The interview</span><p>{{ interview }}</p></li>
{%- endif %}
{%- endfor %}
</ol>
<h2>Course exercises</h2>
<ul class="exercises">
{%- for page in exercises %}
<li><a href="{{ link(page) }}">{{ page.title }}</a><p>{{ page.description }}</p></li>
{%- endfor %}
</ul>
<p class="note">To stop, press Ctrl+C in the window where you typed <code>iivkit app</code>.
To change the notebooks themselves, use <code>iivkit lab</code> instead.</p>
</body>
</html>
"""
)


def page_links() -> dict[str, dict[str, str]]:
    """What the header of each page links to besides the list of steps: the next step (or the
    next exercise), keyed by the notebook's name as Voila knows it."""
    links = {}
    for pages in (STEPS, EXERCISES):
        for page, following in zip(pages, (*pages[1:], None), strict=True):
            links[PurePosixPath(page.notebook).stem] = {
                "next_href": f"voila/render/{quote(following.notebook)}" if following else "",
                "next_title": following.title if following else "",
            }
    return links


def render_landing(workbook: Path, *, base_url: str = "/") -> str:
    """The first page: the steps of the method in order, then the exercises, each one link."""

    def link(page: Page) -> str:
        return f"{base_url}voila/render/{quote(page.notebook)}"

    return _LANDING.render(
        workbook=str(workbook), steps=STEPS, exercises=EXERCISES, interview=INTERVIEW, link=link
    )
