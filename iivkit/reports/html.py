"""The debrief report as HTML: tables, headings and charts, every piece of user text escaped.

Everything goes through the shared Jinja2 environment of :mod:`iivkit.ui.presentation`, with
autoescaping on, so a note holding ``<script>`` or ``<img onerror=…>`` shows as text and never
runs. Line breaks in notes are kept (``white-space: pre-wrap``), long text is never cut. The
charts are small SVG images embedded as ``data:`` URIs with a text alternative: a report loads
nothing from anywhere.
"""

from __future__ import annotations

import base64

import pandas as pd
from markupsafe import Markup

from iivkit.reports.data import DebriefReport
from iivkit.ui import presentation

_HEADER = presentation.template(
    """\
<h2>{{ h["Interviewee"] }}{% if h["Organisation"] %}, {{ h["Organisation"] }}{% endif %}</h2>
<table class="iiv-header">
<caption class="iiv-hidden">The interview</caption>
{%- for k, v in h.items() if v %}
<tr><th scope="row">{{ k }}</th><td>{{ v }}</td></tr>
{%- endfor %}
</table>
<p>Report made {{ today }}.</p>
{%- for note in notes %}
<p class="iiv-note">{{ note }}</p>
{%- endfor %}
"""
)

_CHART = presentation.template(
    '<img class="iiv-chart" alt="{{ alt }}" src="data:image/svg+xml;base64,{{ data }}">'
)

_BARS = presentation.template(
    """\
<svg xmlns="http://www.w3.org/2000/svg" width="{{ width }}" height="{{ height }}" \
viewBox="0 0 {{ width }} {{ height }}" font-family="DejaVu Sans, Verdana, Arial, sans-serif" fill="#222">
<rect width="{{ width }}" height="{{ height }}" fill="#fff"/>
{%- for panel in panels %}
<g transform="translate({{ panel.x }} 0)">
<text x="{{ panel.width / 2 }}" y="20" text-anchor="middle" font-size="13">{{ panel.title }}</text>
{%- for bar in panel.bars %}
<rect x="{{ bar.x }}" y="{{ bar.y }}" width="{{ bar.width }}" height="{{ bar.height }}" \
fill="{{ bar.colour }}"/>
<text x="{{ bar.middle }}" y="{{ bar.y - 5 }}" text-anchor="middle" font-size="12">{{ bar.value }}</text>
<text x="{{ bar.middle }}" y="{{ base + 17 }}" text-anchor="middle" font-size="11">{{ bar.label }}</text>
{%- endfor %}
<line x1="0" y1="{{ base }}" x2="{{ panel.width }}" y2="{{ base }}" stroke="#555"/>
</g>
{%- endfor %}
</svg>
"""
)

_GROUPS = presentation.template(
    """\
{%- for name, rows in groups -%}
{{ tables[loop.index0] }}
{%- else -%}
<p class="iiv-empty">{{ empty }}</p>
{%- endfor -%}
"""
)


def table_html(df: pd.DataFrame, *, empty: str = "Nothing recorded.") -> str:
    """A frame as an HTML table, every cell escaped and line breaks kept; *empty* if no rows."""
    return presentation.table_html(df, empty=empty)


_TEXT = presentation.template("<p>{{ text }}</p>")


def text_html(text: str, *, empty: str = "Nothing recorded.") -> str:
    """One paragraph of text (escaped), or *empty* in its place when there is none."""
    return _TEXT.render(text=text or empty)


def header_html(report: DebriefReport) -> str:
    """The report's heading: who, when, where, and the shared table style."""
    return (
        presentation.STYLESHEET
        + "\n"
        + _HEADER.render(h=report.header, today=report.today.isoformat(), notes=report.notes)
    )


def grouped_html(df: pd.DataFrame, by: str, *, empty: str = "Nothing recorded.") -> str:
    """One small table per value of column *by*, in the frame's order, captioned with the value."""
    groups = [(str(k), g.drop(columns=by)) for k, g in df.groupby(by, sort=False)]
    tables = [presentation.table_html(g, caption=name.capitalize()) for name, g in groups]
    return _GROUPS.render(groups=groups, tables=[Markup(t) for t in tables], empty=empty)


_SECTIONS = presentation.template(
    """\
{%- for section in sections %}
<h2 id="{{ section.anchor }}">{{ section.title }}</h2>
{%- for line in section.intro %}
<p>{{ line }}</p>
{%- endfor %}
{{ section.body }}
{%- endfor %}
"""
)

EVIDENCE_WORDS = Markup(
    "The outcome in this interview, and each finding's evidence status across all interviews so far: "
    "<em>confirmed</em> or <em>refuted</em> once two or more interviews agree, <em>mixed</em> when "
    "they disagree, <em>single-source</em> when only one spoke to it."
)


def sections(report: DebriefReport) -> list[tuple[str, list[str | Markup], str]]:
    """The report's sections after its heading, in order: (title, lines of introduction, HTML)."""
    return [
        (
            "The plan and the answers",
            [],
            table_html(report.plan, empty="No questions were planned for this interview."),
        ),
        (
            "Findings tested",
            [EVIDENCE_WORDS],
            table_html(report.findings, empty="No findings were tested in this interview.")
            + "\n"
            + charts_html(report),
        ),
        (
            "Insights and advice",
            ["Grouped by TIARA: trends, insights, advice, resources and assignments."],
            grouped_html(report.insights, "TIARA", empty="No insights were recorded."),
        ),
        (
            "Salary, environment, chances and growth",
            ["What they said about pay, the work and your chances, and what you do well or could develop."],
            table_html(
                report.career,
                empty="Nothing recorded about salary, environment, chances, strengths or areas to develop.",
            ),
        ),
        (
            "Open questions",
            ["What this interview left open, how you could get each answered, and whom to ask next."],
            table_html(report.open_questions, empty="No open questions: well done."),
        ),
        (
            "Referrals",
            ["People this interviewee suggested you talk to."],
            table_html(report.referrals, empty="No referrals from this interview."),
        ),
        (
            "The organisation on your target list",
            [
                "Where the interviewee's organisation stands among the organisations you are "
                "researching, and why."
            ],
            text_html(report.target, empty="The interviewee has no organisation in the workbook."),
        ),
        (
            "Follow-ups due",
            ["Thank-you notes, nudges and check-ins for this interview, as of the day the report was made."],
            table_html(report.follow_ups, empty="Nothing to follow up."),
        ),
    ]


def report_html(report: DebriefReport) -> str:
    """The whole report after the notebook's introduction: the heading, then every section.

    One piece of HTML, shown by one notebook cell: each cell a kernel runs costs a round trip,
    so a report made of one cell is made sooner than one made of ten.
    """
    shown = [
        {"anchor": title.replace(" ", "-"), "title": title, "intro": intro, "body": Markup(body)}
        for title, intro, body in sections(report)
    ]
    return header_html(report) + "\n" + _SECTIONS.render(sections=shown)


def charts_html(report: DebriefReport) -> str:
    """The charts as an embedded SVG image with a text alternative; nothing is loaded from elsewhere."""
    alt = (
        "Two bar charts. "
        + presentation.counted("Findings tested in this interview", "finding", report.outcome_counts)
        + " "
        + presentation.counted("Their evidence across interviews", "finding", report.evidence_counts)
    )
    data = base64.b64encode(charts_svg(report).encode("utf-8")).decode("ascii")
    return _CHART.render(alt=alt, data=data)


def charts_svg(report: DebriefReport, *, width: int = 810, height: int = 250) -> str:
    """Two bar charts side by side as SVG: this interview's outcomes, and the evidence status now.

    Drawn directly rather than through a plotting library: a few rectangles and labels, each
    bar with its number on top, cost a fraction of a millisecond, and stay sharp at any zoom.
    """
    top, base = 48, height - 30
    gap = 30
    panel_width = (width - gap) / 2
    panels = []
    for n, (counts, title) in enumerate(
        (
            (report.outcome_counts, "Findings tested in this interview"),
            (report.evidence_counts, "Their evidence status across interviews"),
        )
    ):
        labels = [str(k) for k in counts.index]
        values = [int(v) for v in counts.values]
        most = max([*values, 1])
        slot = panel_width / max(1, len(values))
        bars = []
        for i, (label, value) in enumerate(zip(labels, values, strict=True)):
            tall = round((base - top) * value / most, 1)
            bars.append(
                {
                    "x": round(i * slot + slot * 0.15, 1),
                    "width": round(slot * 0.7, 1),
                    "middle": round(i * slot + slot / 2, 1),
                    "y": round(base - tall, 1),
                    "height": tall,
                    "colour": presentation.mark(label),
                    "value": value,
                    "label": label.replace("_", " "),
                }
            )
        x = round(n * (panel_width + gap), 1)
        panels.append({"x": x, "width": panel_width, "title": title, "bars": bars})
    return _BARS.render(width=width, height=height, base=base, panels=panels)
