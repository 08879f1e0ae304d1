"""Voila, made into the app: the landing page at ``/``, one line for a user's mistake instead of
a traceback, no cells meant for JupyterLab only, and the settings that keep it local and quiet.

Voila is imported on first use: it is slow to import, and only ``iivkit app`` needs it.
"""

from __future__ import annotations

import os
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iivkit.errors import IivkitError

LOOPBACK = "127.0.0.1"
TEMPLATE = "iivkit"
"""The Voila template under ``iivkit/data/voila/templates``: Voila's lab template, offline."""
LAB_ONLY = "lab-only"
"""Cells with this tag (how to run a notebook, what a parameter means) are left out of the app."""
ERROR_HINT = "The window where 'iivkit app' runs shows why."


def voila_arguments(root: Path, *, port: int, token: str, open_browser: bool) -> list[str]:
    """Voila's settings for the app, as command-line arguments (they win over config files)."""
    # Local sockets, not TCP ports: no clash with other kernels on this machine (POSIX only).
    transport = ["--KernelManager.transport=ipc"] if os.name == "posix" else []
    return [
        *transport,
        f"--Voila.root_dir={root}",
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
        # A page left without closing it (a crashed browser) keeps a kernel; end those
        # after an idle hour. Kernels of open pages are never ended.
        "--MappingKernelManager.cull_idle_timeout=3600",
        "--MappingKernelManager.cull_connected=False",
        # Keep the terminal to what the user needs: the address, and errors.
        "--Voila.log_level=ERROR",
    ]


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


def server_class() -> Any:
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
