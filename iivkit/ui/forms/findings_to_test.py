"""Choosing the findings to test: one tick box per finding, saved together.

The list follows the workbook: a finding added or edited in another form shows at once, and
the ticks the user has changed but not saved stay as they are.
"""

from __future__ import annotations

import html

import ipywidgets as w

from iivkit.errors import IivkitError, RecordNotFound
from iivkit.ui.forms.fields import save_controls
from iivkit.ui.forms.record_form import ERROR_STYLE, NOTE_STYLE, OK_STYLE
from iivkit.ui.forms.sync import close_tree, follow
from iivkit.workbook.models import Confidence, Finding
from iivkit.workbook.store import Workbook

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
        self.widget.add_class("iiv-findings-to-test")
        self.findings: dict[int, Finding] = {}
        self.boxes: dict[int, w.Checkbox] = {}
        self._saving = False
        self.reload()
        self.stop_following = follow(wb, {"findings"}, self._changed, self.widget)

    def reload(self) -> None:
        """Read the findings again from the workbook, dropping unsaved ticks."""
        self.boxes = {}
        self._show()
        self.reload_button.layout.display = "none"
        self.status.value = ""

    def changed_ticks(self) -> dict[int, bool]:
        """The ticks the user changed and has not saved, by finding id."""
        return {
            fid: bool(box.value)
            for fid, box in self.boxes.items()
            if fid in self.findings and box.value != self.findings[fid].to_test
        }

    def _show(self) -> None:
        """List the findings as the workbook has them, keeping unsaved ticks."""
        kept = self.changed_ticks()
        self.findings = {f.id: f for f in self.wb.all(Finding) if f.id is not None}
        boxes: dict[int, w.Checkbox] = {}
        rows: list[w.Widget] = []
        for fid, f in self.findings.items():
            box = self.boxes.get(fid) or w.Checkbox(indent=False, layout=w.Layout(width="2em"))
            box.add_class(f"iiv-test-{fid}")
            box.value = kept.get(fid, f.to_test)
            boxes[fid] = box
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
        self.boxes = boxes
        if not rows:
            rows.append(w.HTML("<i>No findings yet: add some with the form above.</i>"))
        self.list.children = rows

    def _changed(self, tables: frozenset[str]) -> None:
        if self._saving:
            return
        self._show()
        if self.changed_ticks():
            self.status.value = (
                f"<span style='{NOTE_STYLE}'>The findings changed elsewhere; your unsaved ticks are "
                "kept.</span>"
            )

    def save(self) -> int | None:
        """Save the changed ticks in one transaction; return how many changed, or None if refused.

        Each tick is put on the finding as it is now, so an edit of the finding made in another
        form meanwhile is kept.
        """
        ticks = self.changed_ticks()
        self._saving = True
        try:
            with self.wb.transaction():
                saved = []
                for fid, value in ticks.items():
                    current = self.wb.get(Finding, fid)
                    if current.to_test != value:
                        saved.append(self.wb.update(current.model_copy(update={"to_test": value})))
        except RecordNotFound as exc:
            self.status.value = (
                f"<span style='{ERROR_STYLE}'><b>Not saved:</b> {html.escape(exc.record or 'a finding')} "
                "was deleted elsewhere. Press <i>Reload</i> and tick again.</span>"
            )
            self.reload_button.layout.display = ""
            return None
        except IivkitError as exc:
            self.status.value = f"<span style='{ERROR_STYLE}'>Not saved: {html.escape(str(exc))}</span>"
            return None
        finally:
            self._saving = False
        self._show()
        ticked = sum(f.to_test for f in self.findings.values())
        self.status.value = (
            f"<span style='{OK_STYLE}'>Saved: {ticked} finding(s) to test ({len(saved)} changed).</span>"
        )
        return len(saved)

    def close(self) -> None:
        """Stop following the workbook and take the form off the page."""
        self.stop_following()
        close_tree(self.widget)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
