"""Small charts for the tracking notebook: the pipeline and the evidence, one bar chart each.

Each function returns a :class:`Chart`: a matplotlib figure built without pyplot's global
state (so charts can be drawn side by side, in any backend), which a notebook shows as a PNG.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from matplotlib.figure import Figure

from . import views
from .store import Workbook
from .tables import COLOURS

EVIDENCE_COLOURS = {
    "confirmed": "#4caf50",
    "refuted": "#e53935",
    "mixed": "#fb8c00",
    "single-source": "#fdd835",
    "untested": "#bdbdbd",
}


@dataclass(frozen=True)
class Chart:
    """A figure that shows itself in a notebook as a PNG."""

    figure: Figure

    def png(self) -> bytes:
        """The chart as PNG bytes."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png")
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.png()


def _bar(labels: list[str], values: list[int], colours: list[str], title: str) -> Chart:
    fig = Figure(figsize=(6.4, 2.6), dpi=96, layout="constrained")
    ax = fig.add_subplot()
    bars = ax.barh(labels[::-1], values[::-1], color=colours[::-1], edgecolor="#555", linewidth=0.5)
    ax.bar_label(bars, padding=3)
    ax.set_title(title, loc="left", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xlim(0, max([*values, 1]) * 1.15)
    ax.xaxis.set_visible(False)
    return Chart(fig)


def pipeline_chart(wb: Workbook) -> Chart:
    """How many contacts are at each pipeline stage."""
    counts = views.pipeline_counts(wb)
    labels = [str(s).replace("_", " ") for s in counts.index]
    colours = [COLOURS.get(label, "#eeeeee") for label in labels]
    return _bar(labels, [int(v) for v in counts.to_numpy()], colours, "Contacts by pipeline stage")


def evidence_chart(wb: Workbook) -> Chart:
    """How many tested findings are confirmed, refuted, mixed, single-source or untested."""
    counts = views.evidence_counts(wb)
    labels = [str(s) for s in counts.index]
    colours = [EVIDENCE_COLOURS.get(label, "#eeeeee") for label in labels]
    return _bar(labels, [int(v) for v in counts.to_numpy()], colours, "Findings by evidence")
