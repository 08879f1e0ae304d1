"""Drive a real JupyterLab in headless Chromium: for the browser test and the screenshots script.

A :class:`LabServer` runs ``jupyter lab`` on 127.0.0.1 on a free port with a random token and
its own JUPYTER_* and IPython folders, so it neither reads nor writes the user's settings.
:func:`open_notebook` opens a notebook and waits for its kernel before anything runs: the
toolbar says "idle" while there is still no kernel, and Run All in that window opens a
"Select Kernel" dialog that hangs the test; the status bar reads "Python 3 (ipykernel) | Idle"
only once the kernel is really there.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
KERNEL_READY = "Python 3 (ipykernel) | Idle"
ROOT = Path(__file__).resolve().parent.parent


def answers(url: str) -> bool:
    """True when a server started by a test answers *url* with 200."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabServer:
    """``jupyter lab`` serving *root*, isolated in *state*; use as a context manager.

    :param env: extra environment for the server and its kernels.
    """

    def __init__(self, root: Path, state: Path, *, env: dict[str, str] | None = None) -> None:
        self.root = root
        self.state = state
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.extra_env = dict(env or {})
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = state / "jupyter-lab.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        """The address that opens notebook *name* (relative to the root) in Lab."""
        # reset: start from an empty workspace, not with the notebooks of an earlier page open.
        return f"{self.url}/lab/tree/{name}?reset&token={self.token}"

    def _environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for var, sub in (
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("IPYTHONDIR", "ipython"),
        ):
            (self.state / sub).mkdir(parents=True, exist_ok=True)
            env[var] = str(self.state / sub)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        env.update(self.extra_env)
        return env

    def _settings(self) -> Path:
        settings = self.state / "user-settings"
        notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        notification.parent.mkdir(parents=True, exist_ok=True)
        notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        return settings

    def start(self, timeout: float = 60.0) -> None:
        """Start the server and wait until its API answers."""
        (self.state / "workspaces").mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            f"--LabApp.workspaces_dir={self.state / 'workspaces'}",
            f"--LabApp.user_settings_dir={self._settings()}",
            "--LabApp.expose_app_in_browser=True",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(
                cmd, cwd=self.root, env=self._environment(), stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_text()}")
            if answers(f"{self.url}/api/status?token={self.token}"):
                return
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{self.log_text()}")

    def stop(self) -> None:
        """Stop the server (it shuts its kernels down), by its process id."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def __enter__(self) -> LabServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def copy_notebooks(target: Path, names: list[str]) -> None:
    """Copy the named workflow notebooks from the checkout into *target*."""
    target.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copyfile(ROOT / "notebooks" / name, target / name)


def launch_browser(playwright: Any) -> Any:
    """Debian's Chromium, headless, with the flags that keep it off the network."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def open_notebook(page: Any, lab: LabServer, name: str, *, timeout_ms: int = 90_000) -> None:
    """Open notebook *name* and wait until its kernel is really ready."""
    from playwright.sync_api import expect

    page.goto(lab.notebook_url(name))
    expect(page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_READY, timeout=timeout_ms)


def run_all(page: Any, *, timeout_ms: int = 90_000) -> None:
    """Run every cell of the open notebook and wait until the kernel is idle again."""
    from playwright.sync_api import expect

    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    # Busy may come and go before we look; every code cell's execution count says the run
    # finished. Read from the model: the workflow notebooks fold their code, hiding the prompts.
    page.wait_for_function(
        """() => {
            const widget = window.jupyterapp.shell.currentWidget;
            const model = widget && widget.content && widget.content.model;
            if (!model) return false;
            const code = [];
            for (let i = 0; i < model.cells.length; i++) {
                const cell = model.cells.get(i);
                if (cell.type === 'code') code.push(cell);
            }
            return code.length > 0 && code.every(c => c.executionCount !== null);
        }""",
        timeout=timeout_ms,
    )
    expect(page.locator("#jp-main-statusbar")).to_contain_text(KERNEL_READY, timeout=timeout_ms)
