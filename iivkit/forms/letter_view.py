"""The letter preview: a letter as it will be sent, its check, and an ``.eml`` draft to download.

The text is editable; saving it stores it on the interview, where it then wins over the
template (see :mod:`iivkit.letters`).
"""

from __future__ import annotations

import base64
import html

import ipywidgets as w

from ..drafts import letter_email
from ..errors import IivkitError, StaleRecordError
from ..letter_check import check_letter
from ..letters import LETTER_NAMES, LETTER_TITLES, Letter, letters_for, render_letter
from ..models import Interview
from ..store import Workbook
from .fields import save_controls
from .record_form import ERROR_STYLE, OK_STYLE

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
            options=[(LETTER_TITLES[n].capitalize(), n) for n in offered if n in LETTER_NAMES]
        )
        self.text = w.Textarea(rows=14, layout=w.Layout(width="48em"))
        self.check = w.HTML()
        self.download = w.HTML()
        self.save_button, self.reload_button, self.status = save_controls(
            "Save this text", on_save=self.save, on_reload=self.refresh, primary=False
        )
        self.reset_button = w.Button(description="Back to the template", icon="undo")
        self.reset_button.on_click(lambda _: self.save(reset=True))
        self.choice.observe(lambda _: self.refresh(), names="value")
        self.widget = w.VBox(
            [
                self.choice,
                self.text,
                w.HBox([self.save_button, self.reset_button, self.reload_button]),
                self.check,
                self.download,
                self.status,
            ]
        )
        self.widget.add_class("iiv-letter")
        self.refresh()

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
        self.text.value = letter.text
        self.check.value = check_html(letter)
        self.download.value = eml_link(letter)
        self.reload_button.layout.display = "none"
        editable = self.name in SAVED_FIELD
        self.save_button.disabled = self.reset_button.disabled = not editable
        source = {"saved text": "your saved text", "template": "the template"}.get(
            letter.source, letter.source
        )
        self.status.value = f"<span style='color:#555'>From {html.escape(source)}.</span>"

    def save(self, *, reset: bool = False) -> bool:
        """Store the edited text on the interview (or clear it, back to the template)."""
        field = SAVED_FIELD.get(self.name)
        if field is None:
            return False
        try:
            self.wb.update(self.interview.model_copy(update={field: "" if reset else self.text.value}))
        except StaleRecordError:
            self.status.value = (
                f"<span style='{ERROR_STYLE}'>Not saved: the interview was changed elsewhere since this "
                "letter was shown. Copy your text, press <i>Reload</i>, and paste it back.</span>"
            )
            self.reload_button.layout.display = ""
            return False
        except IivkitError as exc:
            self.status.value = f"<span style='{ERROR_STYLE}'>Not saved: {html.escape(exc.message)}</span>"
            return False
        self.refresh()
        self.status.value = f"<span style='{OK_STYLE}'>Saved.</span>"
        return True

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
