"""The debrief report as HTML: tables, headings and charts, every piece of user text escaped.

Everything goes through the shared Jinja2 environment of :mod:`iivkit.ui.presentation`, with
autoescaping on, so a note holding ``<script>`` or ``<img onerror=…>`` shows as text and never
runs. Line breaks in notes are kept (``white-space: pre-wrap``), long text is never cut. The
charts are matplotlib PNGs embedded as ``data:`` URIs with a text alternative: a report loads
nothing from anywhere.
"""

from __future__ import annotations

import base64
import io

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
    '<img class="iiv-chart" alt="{{ alt }}" src="data:image/png;base64,{{ data }}">'
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


def charts_html(report: DebriefReport) -> str:
    """The charts as an embedded PNG image with a text alternative; nothing is loaded from elsewhere."""
    alt = (
        "Two bar charts. "
        + presentation.counted("Findings tested in this interview", "finding", report.outcome_counts)
        + " "
        + presentation.counted("Their evidence across interviews", "finding", report.evidence_counts)
    )
    data = base64.b64encode(charts_png(report)).decode("ascii")
    return _CHART.render(alt=alt, data=data)


def warm_up() -> None:
    """Load what drawing a chart loads on first use (fonts, glyph caches), ahead of any report.

    The fork server calls this once, so that each report kernel it forks starts with it loaded.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1), dpi=50)
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.bar(["warm"], [1])
    ax.set_title("warm")
    fig.savefig(io.BytesIO(), format="png")


def charts_png(report: DebriefReport) -> bytes:
    """Two bar charts as one PNG: this interview's outcomes, and the workbook's evidence status."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 2.8), dpi=90)
    FigureCanvasAgg(fig)
    # Fixed margins: constrained layout would double the cost of drawing for no visible gain.
    left, right = fig.subplots(
        1, 2, gridspec_kw={"left": 0.05, "right": 0.98, "bottom": 0.14, "top": 0.88, "wspace": 0.15}
    )
    for ax, counts, title in (
        (left, report.outcome_counts, "Findings tested in this interview"),
        (right, report.evidence_counts, "Their evidence status across interviews"),
    ):
        labels = [str(k) for k in counts.index]
        ax.bar(
            [label.replace("_", " ") for label in labels],
            [int(v) for v in counts.values],
            color=[presentation.mark(label) for label in labels],
        )
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.spines[["top", "right"]].set_visible(False)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
