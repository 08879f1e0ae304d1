"""The letter preview: a letter as it will be sent, its check, and an ``.eml`` draft to download.

The text is editable; saving it stores it on the interview, where it then wins over the
template (see :mod:`iivkit.method.letters`). The preview follows the workbook: a meeting time saved in
another form shows in the letter at once, unless the user is editing the text, which is never
overwritten. Saving the text changes only the letter's own field, so it is never refused
because the meeting changed elsewhere.
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w

from iivkit.errors import IivkitError
from iivkit.method.drafts import letter_email
from iivkit.method.letter_check import check_letter
from iivkit.method.letters import LETTER_NAMES, LETTER_TITLES, Letter, letters_for, render_letter
from iivkit.ui.forms.conflicts import Clash, ConflictPanel
from iivkit.ui.forms.fields import button, save_controls
from iivkit.ui.forms.record_form import ERROR_STYLE, NOTE_STYLE, OK_STYLE
from iivkit.ui.forms.sync import close_tree, follow
from iivkit.workbook.models import Interview
from iivkit.workbook.store import Workbook

FOLLOWS = ("interviews", "contacts", "organisations", "profile", "findings", "planned_questions")
"""The tables a letter is rendered from."""

SAVED_FIELD = {
    "invitation": "invitation_text",
    "confirmation": "confirmation_text",
    "thank_you": "thank_you_text",
}


def eml_link(letter: Letter) -> str:
    """An HTML link that downloads *letter* as an unsent ``.eml`` draft (no server needed)."""
    data = base64.b64encode(bytes(letter_email(letter))).decode("ascii")
    filename = f"interview-{letter.interview_id}-{letter.name}.eml"
    return (
        f"<a class='iiv-eml' download='{filename}' href='data:message/rfc822;base64,{data}' "
        f"style='font-weight:bold'>⬇ Download {html.escape(letter.title)} as .eml</a>"
        " <span style='color:#555'>(opens as a draft in your mail program)</span>"
    )


def check_html(letter: Letter) -> str:
    """The letter's check as HTML: ready, or what to fix."""
    check = check_letter(letter)
    if check.ready:
        return f"<span style='{OK_STYLE}'>✔ Ready to send ({check.words} words).</span>"
    items = "".join(f"<li>{html.escape(p)}</li>" for p in check.problems)
    return f"<div style='{ERROR_STYLE}'><b>Not ready yet</b> ({check.words} words):<ul>{items}</ul></div>"


class LetterPreview:
    """Preview, edit and download the letters of interview *interview_id*.

    :param names: which letters to offer; default the ones the interview needs now.
    """

    def __init__(self, wb: Workbook, interview_id: int, *, names: list[str] | None = None) -> None:
        self.wb = wb
        self.interview_id = interview_id
        offered = names or letters_for(wb, interview_id)
        self.choice = w.ToggleButtons(
            options=[(LETTER_TITLES[n].capitalize(), n) for n in offered if n in LETTER_NAMES],
            style={"button_width": "auto"},
        )
        self._rendered = ""
        self._loaded_text = ""
        self.text = w.Textarea(rows=14, continuous_update=False, layout=w.Layout(width="48em"))
        self.check = w.HTML()
        self.download = w.HTML()
        self.save_button, self.reload_button, self.status = save_controls(
            "Save this text", on_save=self.save, on_reload=self.refresh, primary=False
        )
        self.reset_button = button("Back to the template", css="iiv-reset", icon="undo")
        self.reset_button.on_click(lambda _: self.save(reset=True))
        self.conflicts = ConflictPanel()
        self.choice.observe(lambda _: self.refresh(), names="value")
        self.widget = w.VBox(
            [
                self.choice,
                self.text,
                w.HBox([self.save_button, self.reset_button, self.reload_button]),
                self.conflicts.box,
                self.check,
                self.download,
                self.status,
            ]
        )
        self.widget.add_class("iiv-letter")
        self.refresh()
        self._saving = False
        self.stop_following = follow(wb, FOLLOWS, self._changed, self.widget)

    @property
    def name(self) -> str:
        """The letter shown."""
        return str(self.choice.value)

    def letter(self) -> Letter:
        """The letter shown, rendered from the workbook."""
        return render_letter(self.wb, self.interview_id, self.name)

    def refresh(self) -> None:
        """Render the chosen letter again from the workbook."""
        self.interview = self.wb.get(Interview, self.interview_id)
        letter = self.letter()
        self.text.value = self._rendered = letter.text
        field = SAVED_FIELD.get(self.name)
        self._loaded_text = getattr(self.interview, field) if field else ""
        self.conflicts.clear()
        self.check.value = check_html(letter)
        self.download.value = eml_link(letter)
        self.reload_button.layout.display = "none"
        editable = self.name in SAVED_FIELD
        self.save_button.disabled = self.reset_button.disabled = not editable
        source = {"saved text": "your saved text", "template": "the template"}.get(
            letter.source, letter.source
        )
        self.status.value = f"<span style='color:#555'>From {html.escape(source)}.</span>"

    @property
    def edited(self) -> bool:
        """True when the text differs from the letter as last shown."""
        return bool(self.text.value != self._rendered)

    def _changed(self, tables: frozenset[str]) -> None:
        """Something the letter is made from was saved: show it, unless the user is editing."""
        if self._saving:
            return
        if not self.edited:
            before, status = self.text.value, self.status.value
            self.refresh()
            self.status.value = (
                f"<span style='{NOTE_STYLE}'>Updated from what was just saved elsewhere.</span>"
                if self.text.value != before
                else status
            )
            return
        letter = self.letter()
        self.check.value = check_html(letter)
        self.status.value = (
            f"<span style='{NOTE_STYLE}'>The workbook changed since this letter was shown. Your edits "
            "are kept: save them, or press <i>Reload</i> to see the letter as it now reads.</span>"
        )
        self.reload_button.layout.display = ""

    def save(self, *, reset: bool = False) -> bool:
        """Store the edited text on the interview (or clear it, back to the template).

        Only the letter's own field is written, on top of the interview as it is now; if the
        same letter was saved elsewhere meanwhile, both texts are shown to choose from.
        """
        field = SAVED_FIELD.get(self.name)
        if field is None:
            return False
        mine = "" if reset else self.text.value
        self._saving = True
        try:
            with self.wb.transaction():
                current = self.wb.get(Interview, self.interview_id)
                theirs = getattr(current, field)
                if theirs != self._loaded_text and theirs != mine:
                    self._show_conflict(field, mine, theirs)
                    return False
                self.wb.update(current.model_copy(update={field: mine}))
        except IivkitError as exc:
            self.status.value = f"<span style='{ERROR_STYLE}'>Not saved: {html.escape(exc.message)}</span>"
            return False
        finally:
            self._saving = False
        self.refresh()
        self.status.value = f"<span style='{OK_STYLE}'>Saved.</span>"
        return True

    def _show_conflict(self, field: str, mine: str, theirs: str) -> None:
        title = Interview.model_fields[field].title or field
        self.conflicts.show([Clash(field, title, mine, theirs)], self._keep)
        self.status.value = (
            f"<div style='{ERROR_STYLE}'><b>Not saved: this letter was also saved elsewhere</b> since "
            "it was shown here. Choose which text to keep, above.</div>"
        )

    def _keep(self, clash: Clash, keep_mine: bool) -> None:
        self.conflicts.settle(clash.field)
        self._loaded_text = clash.theirs
        if keep_mine:
            self.text.value = clash.mine
            self.save()
        else:
            self.refresh()
            self.status.value = f"<span style='{OK_STYLE}'>Kept the text saved elsewhere.</span>"

    def close(self) -> None:
        """Stop following the workbook and take the form off the page."""
        self.stop_following()
        close_tree(self.widget)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
