"""``iivkit app``: the workflow notebooks as forms, tables and guidance, with no code (Voila).

The server binds to 127.0.0.1 only and asks for a token, so nobody else on the network or the
machine can read the workbook through it. Its first page lists the steps of the method in order;
each step is a shipped notebook rendered by Voila, which runs every cell on each visit (so a page
always shows what is saved now) and sends the browser outputs and widgets, never code.

URLs, relative to the printed ``http://127.0.0.1:PORT/``:

- ``/`` the landing page (steps, then exercises);
- ``/voila/render/01_research.ipynb`` and so on: one step, served from ``DIR/notebooks``;
- ``/voila/render/exercises/exercise_1_research.ipynb`` and so on: the exercises.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, select_autoescape
from traitlets.config import Config

from .errors import IivkitError
from .lab import copy_missing_notebooks
from .store import Workbook

LOOPBACK = "127.0.0.1"
TEMPLATE = "iivkit"
"""The Voila template under ``iivkit/data/voila/templates``: Voila's lab template, offline."""

LAB_ONLY = "lab-only"
"""Cells with this tag (how to run a notebook, what a parameter means) are left out of the app."""
ERROR_HINT = "The window where 'iivkit app' runs shows why."


@dataclass(frozen=True)
class Page:
    """One notebook the app links to from its first page."""

    notebook: str
    """Path under ``DIR/notebooks``, with ``/`` separators."""
    title: str
    description: str


STEPS: tuple[Page, ...] = (
    Page(
        "01_research.ipynb",
        "Research",
        "Your profile and career vision, the organisations you look at, your findings, and the "
        "people you could talk to.",
    ),
    Page(
        "02_prepare.ipynb",
        "Prepare",
        "For one person: the question plan, the meeting, the invitation and confirmation letters, "
        "and a printable guide.",
    ),
    Page(
        "03_debrief.ipynb",
        "Debrief",
        "Right after the interview: the answers, what each tested finding turned out to be, open "
        "questions and referrals.",
    ),
    Page(
        "05_track.ipynb",
        "Track",
        "Across interviews: what is due, the evidence for your findings, the open questions and "
        "your contacts' progress.",
    ),
)
"""The method's steps, in the order the landing page lists them."""

INTERVIEW = (
    "The conversation itself, with no page here: take the guide printed in Prepare, share your "
    "findings, and ask who else to talk to."
)
"""The step of the method between Prepare and Debrief, listed on the landing page unlinked."""

EXERCISES: tuple[Page, ...] = (
    Page(
        "exercises/exercise_1_research.ipynb",
        "Exercise 1 · Vision and research",
        "Your career vision, and five findings about one organisation.",
    ),
    Page(
        "exercises/exercise_2_questions.ipynb",
        "Exercise 2 · Questions",
        "Springboard questions from your findings, fitted to a senior generalist and a specialist.",
    ),
    Page(
        "exercises/exercise_3_letters.ipynb",
        "Exercise 3 · Letters",
        "The introduction letter and the confirmation email with the topics to cover.",
    ),
    Page(
        "exercises/exercise_4_debrief.ipynb",
        "Exercise 4 · Debrief",
        "The outcome of each tested finding, the open questions and your next steps.",
    ),
)
"""The course exercises, listed after the steps."""

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_LANDING = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>iivkit · your informational interviews</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       max-width: 46rem; margin: 2.5rem auto; padding: 0 1.2rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
ol.steps, ul.exercises { padding-left: 0; list-style: none; }
li { margin: .7rem 0; padding: .7rem 1rem; border: 1px solid #d9e2ec; border-radius: 6px; }
li a { font-weight: 600; font-size: 1.05rem; color: #1d4ed8; text-decoration: none; }
li a:hover { text-decoration: underline; }
li p { margin: .2rem 0 0; }
li.offline span { font-weight: 600; font-size: 1.05rem; }
li.offline { background: #f8fafc; }
.note { color: #52606d; font-size: .95rem; }
code { background: #f0f4f8; padding: 0 .25rem; border-radius: 3px; }
</style>
</head>
<body>
<h1>Your informational interviews</h1>
<p class="note">Workbook: <code>{{ workbook }}</code></p>
<p>Work through the steps in order. Each page opens with what you have saved so far; the Save
buttons write to your workbook at once. A page takes a few seconds to start.</p>
<h2>The method, step by step</h2>
<ol class="steps">
{%- for page in steps %}
<li><a href="{{ link(page) }}">{{ page.title }}</a><p>{{ page.description }}</p></li>
{%- if loop.index == 2 %}
<li class="offline"><span>The interview</span><p>{{ interview }}</p></li>
{%- endif %}
{%- endfor %}
</ol>
<h2>Course exercises</h2>
<ul class="exercises">
{%- for page in exercises %}
<li><a href="{{ link(page) }}">{{ page.title }}</a><p>{{ page.description }}</p></li>
{%- endfor %}
</ul>
<p class="note">To stop, press Ctrl+C in the window where you typed <code>iivkit app</code>.
To change the notebooks themselves, use <code>iivkit lab</code> instead.</p>
</body>
</html>
"""
)


def page_links() -> dict[str, dict[str, str]]:
    """What the header of each page links to besides the list of steps: the next step (or the
    next exercise), keyed by the notebook's name as Voila knows it."""
    links = {}
    for pages in (STEPS, EXERCISES):
        for page, following in zip(pages, (*pages[1:], None), strict=True):
            links[PurePosixPath(page.notebook).stem] = {
                "next_href": f"voila/render/{quote(following.notebook)}" if following else "",
                "next_title": following.title if following else "",
            }
    return links


def render_landing(workbook: Path, *, base_url: str = "/") -> str:
    """The first page: the steps of the method in order, then the exercises, each one link."""

    def link(page: Page) -> str:
        return f"{base_url}voila/render/{quote(page.notebook)}"

    return _LANDING.render(
        workbook=str(workbook), steps=STEPS, exercises=EXERCISES, interview=INTERVIEW, link=link
    )


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
        server = _server_class()(
            config=config,
            landing=render_landing(workbook),
            open_url=f"{url}?token={token}",
            announce=announce,
        )
        server.initialize(
            argv=[
                f"--Voila.root_dir={(directory / 'notebooks').resolve()}",
                f"--Voila.ip={LOOPBACK}",
                f"--Voila.port={port}",
                "--Voila.port_retries=0",
                f"--Voila.token={token}",
                f"--Voila.open_browser={open_browser}",
                f"--VoilaConfiguration.template={TEMPLATE}",
                "--VoilaConfiguration.theme=light",
                "--VoilaConfiguration.allow_template_override=NO",
                "--VoilaConfiguration.allow_theme_override=NO",
                "--VoilaConfiguration.show_tracebacks=False",
                "--VoilaConfiguration.strip_sources=True",
                # Shown in place of a traceback, which would show code; the terminal has it.
                f"--VoilaExecutor.cell_error_instruction={ERROR_HINT}",
                # Local sockets, not TCP ports: no clash with other kernels on this machine.
                "--KernelManager.transport=ipc",
                # A page left without closing it (a crashed browser) keeps a kernel; end those
                # after an idle hour. Kernels of open pages are never ended.
                "--MappingKernelManager.cull_idle_timeout=3600",
                "--MappingKernelManager.cull_connected=False",
                # Keep the terminal to what the user needs: the address, and errors.
                "--Voila.log_level=ERROR",
            ]
        )
        server.voila_configuration.prelaunch_hook = without_lab_only_cells
        with contextlib.suppress(KeyboardInterrupt):
            server.start()
    print("iivkit app stopped; everything you saved is in your workbook.")
    return 0


def without_lab_only_cells(handler: object, *, notebook: Any, cwd: str) -> Any:
    """The notebook as the app shows and runs it: without the cells tagged ``lab-only``."""
    notebook.cells = [c for c in notebook.cells if LAB_ONLY not in c.get("metadata", {}).get("tags", [])]
    return notebook


def _error_names() -> frozenset[str]:
    """Class names of iivkit's errors for a user's mistake, as a kernel reports them."""
    found, todo = set(), [IivkitError]
    while todo:
        cls = todo.pop()
        found.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return frozenset(found)


def _server_class() -> Any:
    """Voila with the landing page at ``/`` and the browser opened on the address with its token.

    Built on first use: importing Voila is slow, and only ``iivkit app`` needs it.
    """
    import tornado.ioloop
    import tornado.web
    import voila.notebook_renderer
    from jupyter_server.utils import url_path_join
    from voila.app import Voila
    from voila.execute import VoilaExecutor
    from voila.handler import BaseVoilaHandler

    mistakes = _error_names()

    class Executor(VoilaExecutor):
        def strip_code_cell_errors(self, cell: Any) -> Any:
            """Hide tracebacks (they show code) but keep a user's mistake: iivkit shows those as
            one line naming the file, record and field, which is what the user needs to read."""
            if cell["cell_type"] != "code":
                return cell
            for output in cell["outputs"]:
                if output["output_type"] != "error":
                    continue
                if output.get("ename") in mistakes and len(output.get("traceback", [])) == 1:
                    continue
                output["ename"], output["evalue"] = "ExecutionError", "Execution error"
                output["traceback"] = [
                    f"This part of the page could not be shown. {self.cell_error_instruction}"
                ]
            return cell

    # Voila builds its executor by this name for every page it renders.
    voila.notebook_renderer.VoilaExecutor = Executor

    class LandingHandler(BaseVoilaHandler):
        def initialize(self, **kwargs: Any) -> None:
            self.page: str = kwargs.pop("page")
            super().initialize(**kwargs)

        @tornado.web.authenticated
        def get(self) -> None:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(self.page)

    class AppServer(Voila):
        def __init__(
            self, *, landing: str, open_url: str, announce: Callable[[], None], **kwargs: Any
        ) -> None:
            super().__init__(**kwargs)
            self._landing = landing
            self._open_url = open_url
            self._announce = announce

        def init_handlers(self) -> list[Any]:
            # Tornado takes the first matching route: the landing page replaces Voila's file tree.
            landing = (
                url_path_join(self.server_url, "/?"),
                LandingHandler,
                {"page": self._landing, "voila_configuration": self.voila_configuration},
            )
            # Voila's own file list (which loads fonts from a CDN) leads to the same place.
            tree = (
                url_path_join(self.server_url, "/voila/tree.*"),
                tornado.web.RedirectHandler,
                {"url": self.server_url, "permanent": False},
            )
            return [landing, tree, *super().init_handlers()]

        def launch_browser(self) -> None:
            # Voila would open the address without its token, which shows a login form. A
            # thread, because some browsers' openers wait until the browser is closed.
            threading.Thread(target=webbrowser.open, args=(self._open_url, 2), daemon=True).start()

        def start(self) -> None:
            self.ip = LOOPBACK  # whatever a config file says
            # Runs once the loop turns, that is after the port is bound: the address printed
            # is one that answers.
            tornado.ioloop.IOLoop.current().add_callback(self._announce)
            super().start()

    return AppServer
