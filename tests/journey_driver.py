"""Drive the workflow as a person would, in JupyterLab or in ``iivkit app``, counting every action.

The journey test and the screenshots script share this module:

- :class:`AppServer` runs ``iivkit app DIR --port N --no-browser`` isolated from the user's
  Jupyter settings, the way :class:`lab_driver.LabServer` runs JupyterLab.
- :class:`Tally` counts what a person does: every click, and every key press (a typed
  character is one key press). Every action of the journey goes through :class:`Hands`, so the
  totals are the journey's real cost, not an estimate.
- A *surface* (:class:`LabSurface`, :class:`AppSurface`) opens a workflow notebook the way a
  person does there and returns the part of the page that shows it: in JupyterLab a Run All
  (two clicks: *Run*, *Run All Cells*), in the app nothing at all. Neither ever re-runs a
  notebook or reloads a page.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab_driver import KERNEL_READY, ROOT, LabServer, answers, free_port

WIDGET_ERRORS = ("Error displaying widget", "model not found")
ADDRESS = re.compile(r"iivkit app: (http://127\.0\.0\.1:\d+/\S*)")
"""The line ``iivkit app`` prints with the address to open."""


# -- counting what a person does --------------------------------------------------------------


@dataclass
class Tally:
    """Clicks and key presses, in total and per step of the journey."""

    clicks: int = 0
    keys: int = 0
    steps: dict[str, dict[str, int]] = field(default_factory=dict)
    step: str = "start"
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock time per step, for reading only (2 busy cores make it vary a lot)."""
    _since: float = field(default_factory=time.monotonic)

    def begin(self, step: str) -> None:
        """Count what follows towards *step*."""
        now = time.monotonic()
        if self.step in self.steps:
            self.seconds[self.step] = round(self.seconds.get(self.step, 0.0) + now - self._since, 1)
        self.step = step
        self._since = now
        self.steps.setdefault(step, {"clicks": 0, "keys": 0})

    def add(self, *, clicks: int = 0, keys: int = 0) -> None:
        self.clicks += clicks
        self.keys += keys
        part = self.steps.setdefault(self.step, {"clicks": 0, "keys": 0})
        part["clicks"] += clicks
        part["keys"] += keys

    def as_dict(self) -> dict[str, Any]:
        self.begin(self.step)  # close the running step's time
        return {"clicks": self.clicks, "key_presses": self.keys, "steps": self.steps, "seconds": self.seconds}

    def write(self, path: Path) -> None:
        """Save the totals as JSON (the lead reports them)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.as_dict(), indent=2) + "\n")


class Hands:
    """The only way the journey touches the page: each method is one thing a person does."""

    def __init__(self, page: Any, tally: Tally) -> None:
        self.page = page
        self.tally = tally

    def click(self, target: Any) -> None:
        """One click on *target*."""
        target.click()
        self.tally.add(clicks=1)

    def type_into(self, target: Any, text: str) -> None:
        """Click into an empty field and type *text* key by key: one click, a key press per character.

        Typed for real, so a Save clicked straight after typing proves the form reads every key
        (the front end holds back a busy box's updates, but sends a click at once).
        """
        target.click()
        target.press_sequentially(text)
        self.tally.add(clicks=1, keys=len(text))

    def append(self, target: Any, text: str) -> None:
        """Click into a text box, go to its end (Ctrl+End) and type *text* there."""
        target.click()
        target.press("Control+End")
        target.press_sequentially(text)
        self.tally.add(clicks=1, keys=1 + len(text))

    def replace(self, target: Any, text: str) -> None:
        """Click into a field, select what is there (Ctrl+A) and type *text* over it."""
        target.click()
        target.press("Control+a")
        target.press_sequentially(text)
        self.tally.add(clicks=1, keys=1 + len(text))

    def leave(self, target: Any) -> None:
        """Press Tab to move on from *target*, as a person does after filling a field."""
        target.press("Tab")
        self.tally.add(keys=1)

    def choose(self, select: Any, label_part: str, *, timeout_s: float = 10.0) -> str:
        """Open a dropdown and pick the option labelled *label_part*, or else the one whose label
        contains it (two clicks).

        A person looks at the list until the option is there: this waits up to *timeout_s* for
        it (a refreshed list may still be on its way), then fails when no option, or more than
        one, matches. Returns the label picked.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            labels: list[str] = select.locator("option").all_inner_texts()
            # Labels may use no-break spaces so that they are never wrapped or cut.
            plain = {label: label.replace("\xa0", " ").strip() for label in labels}
            found = [label for label in labels if plain[label] == label_part] or [
                label for label in labels if label_part in plain[label]
            ]
            if len(found) == 1 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if len(found) != 1:
            raise AssertionError(f"expected one option containing {label_part!r}, the dropdown has {labels}")
        select.select_option(label=found[0])
        self.tally.add(clicks=2)
        return found[0]

    def type_date(self, target: Any, value: str, *, digits: int) -> None:
        """Click into a date or date-time input and type its *digits*; *value* is its ISO text."""
        target.click()
        target.fill(value)
        self.tally.add(clicks=1, keys=digits)


def wait_for_widgets(page: Any, timeout_ms: int) -> None:
    """Wait until the front end has drawn the widgets: there are some, and no "Loading widget..."."""
    page.wait_for_function(
        "() => document.querySelector('.jupyter-widgets')"
        " && !document.body.textContent.includes('Loading widget')",
        timeout=timeout_ms,
    )


def assert_no_widget_errors(area: Any) -> None:
    """The front end drew every widget (no "Error displaying widget") and shows no traceback."""
    text = area.inner_text()
    for error in WIDGET_ERRORS:
        assert error not in text, f"the front end says {error!r}"
    assert "Traceback" not in text, f"the page shows a traceback:\n{text[text.index('Traceback') :][:2000]}"


# -- the app server ---------------------------------------------------------------------------


def iivkit_command() -> list[str]:
    """The ``iivkit`` program installed beside this Python, as a user runs it."""
    script = Path(sys.executable).with_name("iivkit")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from iivkit.cli import main; main()"]


def isolated_environment(state: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a server that neither reads nor writes the user's Jupyter settings."""
    env = dict(os.environ)
    env.pop("IIVKIT_WORKBOOK", None)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        (state / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(state / sub)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra or {})
    return env


class AppServer:
    """``iivkit app DIR --port N --no-browser``, isolated in *state*; use as a context manager."""

    def __init__(self, directory: Path, state: Path, *, env: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.state = state
        self.port = free_port()
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = state / "iivkit-app.log"
        self.address = ""
        """The address the app prints for the user (with its token), once started."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        """Start the app and wait until it prints its address and the landing page answers."""
        cmd = [*iivkit_command(), "app", str(self.directory), "--port", str(self.port), "--no-browser"]
        self.state.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.directory,
                env=isolated_environment(self.state, self.extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"iivkit app exited with {self.proc.returncode}:\n{self.log_text()}")
            found = ADDRESS.search(self.log.read_text(errors="replace"))
            if found:
                self.address = found.group(1)
                if answers(self.address):
                    return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"iivkit app did not answer within {timeout:.0f} s:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop the app and its kernels: SIGTERM to the process group it leads (started here)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def __enter__(self) -> AppServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- where the journey happens ----------------------------------------------------------------


def new_workbook_folder(directory: Path) -> Path:
    """A folder with a new, empty workbook made by ``iivkit init``, as a new user starts."""
    directory.mkdir(parents=True, exist_ok=True)
    workbook = directory / "workbook.iiv"
    subprocess.run([*iivkit_command(), "init", str(workbook)], check=True, capture_output=True)
    return workbook


def lab_folder(directory: Path) -> None:
    """Put the workflow notebooks into ``directory/notebooks`` as ``iivkit lab`` does."""
    from iivkit.app.lab import copy_missing_notebooks

    copy_missing_notebooks(directory)


class LabSurface:
    """The journey in JupyterLab: open a notebook, wait for its kernel, Run All once."""

    name = "lab"

    def __init__(self, page: Any, server: LabServer, hands: Hands) -> None:
        self.page = page
        self.server = server
        self.hands = hands
        self.problems: list[str] = []
        """What is wrong but does not stop the journey; the test fails on it at the end."""

    def open(self, notebook: str, *, timeout_ms: int = 90_000) -> Any:
        """Open ``notebooks/<notebook>``, run all its cells once, and return its panel."""
        from playwright.sync_api import expect

        self.page.goto(self.server.notebook_url(f"notebooks/{notebook}"))
        expect(self.page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_READY, timeout=timeout_ms)
        # The user's way: the Run menu, then "Run All Cells".
        self.hands.click(self.page.locator("#jp-MainMenu").get_by_text("Run", exact=True))
        self.hands.click(self.page.get_by_role("menuitem", name="Run All Cells", exact=True))
        # Done when every code cell has run, or stopped when one failed (Run All stops there). The
        # notebook model says so even for code cells shown collapsed, which have no visible prompt.
        self.page.wait_for_function(
            """() => {
                const widget = window.jupyterapp.shell.currentWidget;
                const model = widget && widget.content && widget.content.model;
                if (!model) return false;
                const code = [];
                for (let i = 0; i < model.cells.length; i++) {
                    const cell = model.cells.get(i);
                    if (cell.type === 'code') code.push(cell);
                }
                const failed = code.some(c => {
                    for (let i = 0; i < c.outputs.length; i++) {
                        if (c.outputs.get(i).type === 'error') return true;
                    }
                    return false;
                });
                return failed || (code.length > 0 && code.every(c => c.executionCount !== null));
            }""",
            timeout=timeout_ms,
        )
        panel = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        failed = panel.locator('[data-mime-type="application/vnd.jupyter.error"]')
        assert failed.count() == 0, f"{notebook} stopped with an error:\n{failed.first.inner_text()[-2000:]}"
        expect(self.page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_READY, timeout=timeout_ms)
        wait_for_widgets(self.page, timeout_ms)
        assert_no_widget_errors(panel)
        # Code cells open folded: the user sees prose and forms, not code.
        shown = panel.locator(".jp-CodeCell .jp-InputArea-editor:visible").count()
        if shown:
            self.problems.append(f"{notebook} opens with {shown} code cell(s) unfolded in JupyterLab")
        return panel


class AppSurface:
    """The journey in ``iivkit app``: open a step's page; it runs itself, with no code shown."""

    name = "app"

    def __init__(self, page: Any, server: AppServer, hands: Hands) -> None:
        self.page = page
        self.server = server
        self.hands = hands
        self.problems: list[str] = []
        """What is wrong but does not stop the journey; the test fails on it at the end."""

    def open(self, notebook: str, *, timeout_ms: int = 90_000) -> Any:
        """Open the app's page for *notebook* and return the page body.

        As a person does: from a step's page, the "Next" link at the top when it leads there
        (one click), else back to the list of steps and the step's link there (two clicks). The
        first time, the page the app printed (typed or pasted: not counted), then the link.
        """
        on_a_step = "/voila/render/" in self.page.url
        onward = self.page.locator(f".iiv-app-nav a[href*='{notebook}']")
        if on_a_step and onward.count():
            self.hands.click(onward.first)
        else:
            back = self.page.locator(".iiv-app-nav a").first
            if on_a_step and back.count():
                self.hands.click(back)
                self.page.wait_for_url(lambda url: "/voila/render/" not in url, timeout=timeout_ms)
            else:
                if on_a_step:
                    self.hands.tally.add(clicks=1)  # the browser's Back button
                self.page.goto(self.server.address)
            link = self.page.locator(f"a[href*='{notebook}']").first
            link.wait_for(state="visible", timeout=timeout_ms)
            self.hands.click(link)
        self.page.wait_for_url(f"**/{notebook}*", timeout=timeout_ms)
        # Voila shows the page once every cell has run; its spinner goes away then.
        self.page.locator(".iiv-save, .iiv-status, .jp-OutputArea-output").first.wait_for(
            state="attached", timeout=timeout_ms
        )
        self.page.wait_for_function(
            "() => !document.querySelector('#loading') || "
            "getComputedStyle(document.querySelector('#loading')).display === 'none'",
            timeout=timeout_ms,
        )
        wait_for_widgets(self.page, timeout_ms)
        body = self.page.locator("body")
        assert_no_widget_errors(body)
        if "Run All" in body.inner_text():
            self.problems.append(f"the app's {notebook} tells the user to Run All")
        assert self.page.locator(".jp-InputArea-editor, .jp-CodeMirrorEditor").count() == 0, (
            f"the app shows code on {notebook}"
        )
        return body


def new_state_dir(base: Path) -> Path:
    """A fresh folder for a server's private state (its Jupyter config, data and runtime)."""
    state = base / f"state-{secrets.token_hex(4)}"
    state.mkdir(parents=True)
    return state


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
