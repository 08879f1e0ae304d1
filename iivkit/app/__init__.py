"""``iivkit app``: the workflow notebooks as forms, tables and guidance, with no code (Voila).

The server binds to 127.0.0.1 only and asks for a token, so nobody else on the network or the
machine can read the workbook through it. Its first page lists the steps of the method in order;
each step is a shipped notebook rendered by Voila, which runs every cell on each visit (so a page
always shows what is saved now) and sends the browser outputs and widgets, never code.

URLs, relative to the printed ``http://127.0.0.1:PORT/``:

- ``/`` the landing page (steps, then exercises);
- ``/voila/render/01_research.ipynb`` and so on: one step, served from ``DIR/notebooks``;
- ``/voila/render/exercises/exercise_1_research.ipynb`` and so on: the exercises.

:func:`launch` is the whole run: check the port and the folder's workbook, copy missing
notebooks, create a workbook if there is none, then serve until stopped. :mod:`.pages` holds the
landing page, :mod:`.server` what Voila is told and changed.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sys
import tempfile
from importlib import resources
from pathlib import Path

from traitlets.config import Config

from iivkit.app.lab import copy_missing_notebooks
from iivkit.app.pages import EXERCISES, INTERVIEW, STEPS, Page, page_links, render_landing
from iivkit.app.server import (
    ERROR_HINT,
    LAB_ONLY,
    LOOPBACK,
    server_class,
    voila_arguments,
    without_lab_only_cells,
)
from iivkit.errors import IivkitError
from iivkit.workbook.store import Workbook

__all__ = [
    "ERROR_HINT",
    "EXERCISES",
    "INTERVIEW",
    "LAB_ONLY",
    "LOOPBACK",
    "STEPS",
    "Page",
    "check_port",
    "create_workbook",
    "folder_workbook",
    "free_port",
    "launch",
    "page_links",
    "render_landing",
]


def folder_workbook(directory: Path) -> Path | None:
    """The workbook the app opens: ``$IIVKIT_WORKBOOK``, else the folder's first ``.iiv`` file;
    None when there is neither. It is checked now, read-only, so a file that is not a workbook
    is one line at the start rather than an error on every page."""
    named = os.environ.get("IIVKIT_WORKBOOK")
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise IivkitError("IIVKIT_WORKBOOK names no workbook (create one with 'iivkit init')", file=path)
    else:
        existing = sorted(directory.glob("*.iiv"))
        if not existing:
            return None
        path = existing[0]
    Workbook.read(path).close()
    return path.resolve()


def create_workbook(directory: Path) -> Path:
    """A new, empty ``directory/workbook.iiv``, for a folder that has no workbook yet."""
    path = directory / "workbook.iiv"
    try:
        Workbook.create(path).close()
    except OSError as exc:
        raise IivkitError(f"cannot create a workbook here ({exc.strerror})", file=path) from None
    return path.resolve()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def check_port(port: int) -> None:
    """Refuse a port that is out of range or taken, with one line the user can act on."""
    if not 0 < port < 65536:
        raise IivkitError(f"--port {port}: choose a port between 1 and 65535")
    with socket.socket() as s:
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            raise IivkitError(f"--port {port}: the port is in use; choose another, or leave it out") from None


def _template_root() -> Path:
    return Path(str(resources.files("iivkit").joinpath("data")))


def _write_kernelspec(root: Path) -> None:
    """A ``python3`` kernel on this interpreter, so the pages run the iivkit that serves them
    even when the user has another Python registered as ``python3``."""
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3 (iivkit)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")


def launch(directory: Path, *, port: int = 0, open_browser: bool = True) -> int:
    """Serve the notebooks in *directory* as forms until stopped; return the exit status."""
    if port:
        check_port(port)
    else:
        port = free_port()
    workbook = folder_workbook(directory)
    try:
        copied = copy_missing_notebooks(directory)
    except OSError as exc:
        raise IivkitError(
            f"cannot copy the notebooks here ({exc.strerror})", file=exc.filename or directory
        ) from None
    if copied:
        print(f"Copied {len(copied)} notebooks into {directory / 'notebooks'} (yours are never replaced).")
    if workbook is None:
        workbook = create_workbook(directory)
        print(f"Created {workbook}: your workbook (readable by you only). Everything you save goes there.")
    token = secrets.token_urlsafe(24)
    url = f"http://{LOOPBACK}:{port}/"
    with tempfile.TemporaryDirectory(prefix="iivkit-app-") as scratch:
        _write_kernelspec(Path(scratch))
        jupyter_path = [scratch, str(_template_root()), os.environ.get("JUPYTER_PATH", "")]
        os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in jupyter_path if p)
        print(f"Workbook: {workbook}", flush=True)
        others = [p for p in sorted(directory.glob("*.iiv")) if p.resolve() != workbook]
        if others and "IIVKIT_WORKBOOK" not in os.environ:
            print(f"(This folder has {len(others) + 1} workbooks; to use another, set IIVKIT_WORKBOOK.)")
        # Each page's kernel inherits this: the notebooks open the folder's workbook.
        os.environ["IIVKIT_WORKBOOK"] = str(workbook)

        def announce() -> None:
            print(f"iivkit app: {url}?token={token}", flush=True)
            print("Open that address in your browser. Press Ctrl+C here to stop.", flush=True)

        config = Config()
        config.VoilaConfiguration.resources = {"iivkit_pages": page_links()}
        server = server_class()(
            config=config,
            landing=render_landing(workbook),
            open_url=f"{url}?token={token}",
            announce=announce,
        )
        server.initialize(
            argv=voila_arguments(
                (directory / "notebooks").resolve(), port=port, token=token, open_browser=open_browser
            )
        )
        server.voila_configuration.prelaunch_hook = without_lab_only_cells
        with contextlib.suppress(KeyboardInterrupt):
            server.start()
    print("iivkit app stopped; everything you saved is in your workbook.")
    return 0
