"""Choosing the findings to test: one tick box per finding, saved together."""

from __future__ import annotations

import html

import ipywidgets as w

from ..errors import IivkitError, StaleRecordError
from ..models import Confidence, Finding
from ..store import Workbook
from .fields import save_controls
from .record_form import ERROR_STYLE, OK_STYLE

CONFIDENCE_MARK = {
    Confidence.low: "low confidence",
    Confidence.medium: "",
    Confidence.high: "high confidence",
}


class FindingsToTest:
    """Tick the findings to raise and test in interviews; ``.save()`` writes the changes."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.list = w.VBox([])
        self.save_button, self.reload_button, self.status = save_controls(
            "Save choices", on_save=self.save, on_reload=self.reload
        )
        self.widget = w.VBox([self.list, w.HBox([self.save_button, self.reload_button]), self.status])
        self.reload()

    def reload(self) -> None:
        """Read the findings again from the workbook."""
        self.findings = {f.id: f for f in self.wb.all(Finding)}
        self.boxes: dict[int, w.Checkbox] = {}
        rows: list[w.Widget] = []
        for fid, f in self.findings.items():
            assert fid is not None
            box = w.Checkbox(value=f.to_test, indent=False, layout=w.Layout(width="2em"))
            self.boxes[fid] = box
            note = " · ".join(x for x in (f.topic, CONFIDENCE_MARK[f.confidence]) if x)
            rows.append(
                w.HBox(
                    [
                        box,
                        w.HTML(
                            f"<b>#{fid}</b> {html.escape(f.claim)} "
                            f"<small style='color:#666'>{html.escape(note)}</small>",
                            layout=w.Layout(width="44em"),
                        ),
                    ]
                )
            )
        if not rows:
            rows.append(w.HTML("<i>No findings yet: add some with the form above.</i>"))
        self.list.children = rows
        self.reload_button.layout.display = "none"
        self.status.value = ""

    def save(self) -> int | None:
        """Save the changed ticks in one transaction; return how many changed, or None if refused."""
        changed = [
            f.model_copy(update={"to_test": self.boxes[fid].value})
            for fid, f in self.findings.items()
            if fid is not None and f.to_test != self.boxes[fid].value
        ]
        try:
            with self.wb.transaction():
                saved = [self.wb.update(f) for f in changed]
        except StaleRecordError as exc:
            self.status.value = (
                f"<span style='{ERROR_STYLE}'><b>Not saved:</b> {html.escape(exc.record or 'a finding')} was "
                "changed elsewhere. Press <i>Reload</i> and tick again.</span>"
            )
            self.reload_button.layout.display = ""
            return None
        except IivkitError as exc:
            self.status.value = f"<span style='{ERROR_STYLE}'>Not saved: {html.escape(str(exc))}</span>"
            return None
        for f in saved:
            self.findings[f.id] = f
        ticked = sum(b.value for b in self.boxes.values())
        self.status.value = (
            f"<span style='{OK_STYLE}'>Saved: {ticked} finding(s) to test ({len(saved)} changed).</span>"
        )
        return len(saved)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
