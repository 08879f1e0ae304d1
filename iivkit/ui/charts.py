"""Small charts for the tracking notebook: the pipeline and the evidence, one bar chart each.

Each function returns a :class:`Chart`: a matplotlib figure built without pyplot's global
state (so charts can be drawn side by side, in any backend), which a notebook shows as a PNG.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.figure import Figure

from iivkit.ui import presentation
from iivkit.ui.live import LiveView
from iivkit.workbook import views
from iivkit.workbook.store import Workbook


@dataclass(frozen=True)
class Chart:
    """A figure that shows itself in a notebook as a PNG, and *alt*: what it shows, in words."""

    figure: Figure
    alt: str = ""

    def png(self) -> bytes:
        """The chart as PNG bytes."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png")
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()

    def html(self) -> str:
        """The chart as an ``<img>`` holding its PNG (no file, no network), with its alt text."""
        title = self.figure.axes[0].get_title(loc="left") if self.figure.axes else "chart"
        data = base64.b64encode(self.png()).decode("ascii")
        return f"<img alt='{html.escape(self.alt or title, quote=True)}' src='data:image/png;base64,{data}'>"


def _bar(labels: list[str], values: list[int], colours: list[str], title: str, alt: str) -> Chart:
    fig = Figure(figsize=(6.4, 2.6), dpi=96, layout="constrained")
    ax = fig.add_subplot()
    bars = ax.barh(labels[::-1], values[::-1], color=colours[::-1], edgecolor="#555", linewidth=0.5)
    ax.bar_label(bars, padding=3)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([*values, 1]) * 1.15)
    ax.xaxis.set_visible(False)
    return Chart(fig, alt)


def pipeline_chart(wb: Workbook) -> Chart:
    """How many contacts are at each pipeline stage."""
    counts = views.pipeline_counts(wb)
    labels = [str(s).replace("_", " ") for s in counts.index]
    colours = [presentation.background(label, "#eeeeee") for label in labels]
    values = [int(v) for v in counts.to_numpy()]
    alt = presentation.counted("Pipeline", "contact", dict(zip(labels, values, strict=True)))
    return _bar(labels, values, colours, "Contacts by pipeline stage", alt)


def evidence_chart(wb: Workbook) -> Chart:
    """How many tested findings are confirmed, refuted, mixed, single-source or untested."""
    counts = views.evidence_counts(wb)
    labels = [str(s) for s in counts.index]
    colours = [presentation.mark(label, "#eeeeee") for label in labels]
    values = [int(v) for v in counts.to_numpy()]
    alt = presentation.counted("Evidence", "finding", dict(zip(labels, values, strict=True)))
    return _bar(labels, values, colours, "Findings by evidence", alt)


READS: dict[str, frozenset[str]] = {
    "pipeline_chart": frozenset({"contacts"}),
    "evidence_chart": frozenset({"findings", "finding_outcomes", "interviews"}),
}
"""The workbook tables each chart reads."""


def live(chart: Callable[[Workbook], Chart], wb: Workbook) -> LiveView:
    """*chart* as a widget that redraws itself after every save that changes what it counts:
    ``charts.live(charts.pipeline_chart, wb)``."""
    name = chart.__name__
    return LiveView(wb, lambda: chart(wb).html(), name=name, tables=READS.get(name))
