"""How iivkit's HTML looks, in one place: the Jinja2 environment, the table, the stylesheet, the palette.

Notebook tables and charts (:mod:`iivkit.ui.tables`, :mod:`iivkit.ui.charts`), debrief reports
(:mod:`iivkit.reports.html`) and class pages (:mod:`iivkit.course.html`) all draw from here, so
a status has one colour wherever it shows and user text is escaped by the same rules.

Every template is compiled in :func:`environment`, which has autoescaping on: a name or note
holding ``<script>`` shows as text and never runs. Only :class:`markupsafe.Markup` passes
through as markup, so HTML built elsewhere must be marked as such on purpose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, Template, select_autoescape
from markupsafe import Markup

if TYPE_CHECKING:  # pandas is not needed to render a page, only to pass a frame in
    import pandas as pd


@dataclass(frozen=True)
class Shade:
    """How one status is coloured: a light tint behind text, and a full colour for a bar or border."""

    background: str
    mark: str


# Statuses from several vocabularies share one table: the outcome of a tested finding, its
# evidence status across interviews, a contact's place in the pipeline, a follow-up's state, an
# exercise's progress and the verdict on each of its parts. Where a word belongs to two
# (confirmed), one colour suits both.
PALETTE: dict[str, Shade] = {
    # outcomes of a tested finding, and evidence status across interviews
    "confirmed": Shade("#c8e6c9", "#4caf50"),
    "refuted": Shade("#ffcdd2", "#e53935"),
    "mixed": Shade("#ffe0b2", "#fb8c00"),
    "not discussed": Shade("#eeeeee", "#9e9e9e"),
    "single-source": Shade("#fff9c4", "#fdd835"),
    "untested": Shade("#f5f5f5", "#bdbdbd"),
    # a contact's place in the pipeline
    "identified": Shade("#f5f5f5", "#bdbdbd"),
    "invited": Shade("#e3f2fd", "#42a5f5"),
    "interviewed": Shade("#c8e6c9", "#4caf50"),
    "thanked": Shade("#a5d6a7", "#2e7d32"),
    "declined": Shade("#ffcdd2", "#e53935"),
    "no reply": Shade("#ffe0b2", "#fb8c00"),
    # follow-ups
    "overdue": Shade("#ffcdd2", "#e53935"),
    "due": Shade("#fff9c4", "#fdd835"),
    "upcoming": Shade("#f5f5f5", "#bdbdbd"),
    # an exercise's progress, and a student without a readable workbook
    "complete": Shade("#c8e6c9", "#4caf50"),
    "in progress": Shade("#fff9c4", "#fdd835"),
    "not started": Shade("#f5f5f5", "#bdbdbd"),
    "problem": Shade("#ffcdd2", "#e53935"),
    # a part of an exercise's rubric
    "met": Shade("#c8e6c9", "#4caf50"),
    "could be stronger": Shade("#fff9c4", "#fdd835"),
    "not met": Shade("#ffe0b2", "#fb8c00"),
}

NEUTRAL = "#90a4ae"
"""The colour of something without a status: a bar of an unknown kind, an exercise's border."""


def _key(status: object) -> str:
    return str(status).replace("_", " ")


def shade(status: object) -> Shade | None:
    """The palette entry of *status* (``not_discussed`` and ``not discussed`` alike), or None."""
    return PALETTE.get(_key(status))


def background(status: object, default: str = "") -> str:
    """The light tint behind text showing *status*; *default* for a value that is no status."""
    found = shade(status)
    return found.background if found else default


def mark(status: object, default: str = NEUTRAL) -> str:
    """The full colour of a bar or border for *status*; *default* for a value that is no status."""
    found = shade(status)
    return found.mark if found else default


def css_class(status: object) -> str:
    """The stylesheet's class for *status*: ``iiv-`` and the status, spaces as hyphens."""
    return "iiv-" + _key(status).replace(" ", "-")


def _palette_rules() -> str:
    return "\n".join(f".{css_class(name)} {{ background: {s.background}; }}" for name, s in PALETTE.items())


STYLESHEET = f"""\
<style>
/* Prefixed with JupyterLab's own class so these win over its right-aligned, borderless tables. */
.jp-RenderedHTMLCommon table.iiv-table, table.iiv-table {{
  border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.95em; table-layout: auto; }}
.jp-RenderedHTMLCommon table.iiv-table th, .jp-RenderedHTMLCommon table.iiv-table td,
table.iiv-table th, table.iiv-table td {{
  border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top;
  white-space: pre-wrap; max-width: 40em; line-height: 1.4; }}
.jp-RenderedHTMLCommon table.iiv-table th, table.iiv-table th {{ background: #f3f3f3; }}
.jp-RenderedHTMLCommon table.iiv-header th, .jp-RenderedHTMLCommon table.iiv-header td,
table.iiv-header th, table.iiv-header td {{ text-align: left; padding: 2px 1em 2px 0; border: none; }}
.jp-RenderedHTMLCommon table.iiv-header th, table.iiv-header th {{ color: #555; font-weight: normal; }}
.jp-RenderedHTMLCommon table.iiv-table caption, table.iiv-table caption {{
  caption-side: top; text-align: left; font-weight: bold; padding: 0 0 4px; }}
.iiv-hidden {{ position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }}
.iiv-empty {{ color: #666; font-style: italic; }}
{_palette_rules()}
.iiv-exercise {{ border-left: 4px solid {NEUTRAL}; padding: 0 0 0 12px; margin: 1.2em 0; }}
.iiv-exercise.iiv-done {{ border-color: {PALETTE["complete"].mark}; }}
.iiv-points {{ padding-left: 2em; }}
.iiv-points li {{ margin: 0.3em 0; }}
.iiv-where, .iiv-hint {{ color: #555; font-size: 0.92em; display: block; }}
.iiv-notes {{ color: #444; font-size: 0.92em; margin: 0.2em 0; }}
</style>"""
"""The one stylesheet of reports and class pages, as a ``<style>`` element to put before them."""


def environment() -> Environment:
    """A Jinja2 environment with autoescaping on, for every page, string template or file alike."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["status_class"] = css_class
    return env


_ENV = environment()


def template(source: str) -> Template:
    """*source* compiled in the shared environment (autoescaping on)."""
    return _ENV.from_string(source)


_TABLE = template(
    """\
{%- if rows -%}
<table class="iiv-table">
{%- if caption %}
<caption>{{ caption }}</caption>
{%- endif %}
<thead><tr>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for row in rows %}
<tr>{% for v in row %}<td>{{ v }}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
</table>
{%- else -%}
<p class="iiv-empty">{{ empty }}</p>
{%- endif -%}
"""
)


def cell(value: Any) -> Any:
    """A value as a table cell shows it: lists joined, missing values blank, markup kept as markup."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def rows_html(
    columns: list[Any], rows: list[list[Any]], *, empty: str = "Nothing recorded.", caption: str = ""
) -> str:
    """Rows as the one HTML table, every cell escaped and line breaks kept; *empty* if none.

    *caption* names the table for a screen reader's list of tables (and shows above it).
    """
    return _TABLE.render(
        columns=[str(c) for c in columns],
        rows=[[cell(v) for v in row] for row in rows],
        empty=empty,
        caption=caption,
    )


def table_html(df: pd.DataFrame, *, empty: str = "Nothing recorded.", caption: str | None = None) -> str:
    """A frame as the one HTML table (its index left out); *empty* if it has no rows.

    The caption is *caption*, or else the frame's ``attrs["caption"]`` (set where the frame is made).
    """
    shown = df.attrs.get("caption", "") if caption is None else caption
    return rows_html(
        list(df.columns),
        [list(row) for row in df.itertuples(index=False, name=None)],
        empty=empty,
        caption=str(shown),
    )


def counted(title: str, noun: str, counts: Any) -> str:
    """A chart's counts in words, for its alt text: "Evidence: 3 findings confirmed, 1 refuted, 0 untested."

    *counts* maps each bar's label to its number (a dict or a pandas Series), in the chart's order;
    *noun* is what is counted, in the singular, said once with the first number.
    """
    items = [(_key(label), int(n)) for label, n in dict(counts).items()]
    if not items:
        return f"{title}: no {noun}s."
    first, n = items[0]
    words = [f"{n} {noun if n == 1 else noun + 's'} {first}"] + [f"{n} {label}" for label, n in items[1:]]
    return f"{title}: {', '.join(words)}."


def markup(html: str) -> Markup:
    """HTML this package built itself, marked so that a template does not escape it again."""
    return Markup(html)
