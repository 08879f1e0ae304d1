"""The notebook runner: one ``run(job) -> result`` seam between a batch of notebooks and Jupyter.

A :class:`NotebookJob` is a notebook, the values of its parameters and the name of what it
makes; ``iivkit report`` makes one per interview, ``iivkit course report`` one per student.

::

    Runner                 the interface: run(job) -> NotebookResult, close()
    ├── NotebookRunner     real: papermill in a fresh, pre-started kernel per report, HTML by nbconvert
    └── FakeRunner         for unit tests: no kernel, instant, failures on demand

(:mod:`iivkit.batch.cluster` runs the same jobs on a Dask cluster, a NotebookRunner per worker.)

A runner never writes files: the result carries the HTML (and the executed notebook when the
job asks for it), and the caller decides where they go. That keeps a runner usable on a Dask
worker on another machine. A runner is safe to call from several threads at once.

:class:`NotebookRunner` runs papermill's own steps (parameterise, record metadata, execute with
its nbclient engine, raise on cell errors) on a kernel taken from a :class:`~iivkit.batch.kernels.KernelPool`,
so kernel start-up happens while the previous report runs, and never ``os.chdir``: the kernel
is started in the working directory instead. Each report gets a kernel no report used before.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import math
import re
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from iivkit.batch.kernels import Kernel

_R = TypeVar("_R", bound="Runner")

OFFLINE_TEMPLATE = "iivkit_offline.html.j2"
"""nbconvert's lab template without the blocks that load scripts from a CDN: require.js,
MathJax, Mermaid and the widget manager. Reports have no maths, diagrams or widgets."""

_OFFLINE_TEMPLATE_SOURCE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to run: its path, the values of its parameters, and the name of what it makes.

    :param name: the output's file stem, unique within one batch.
    :param parameters: the values papermill puts in the notebook's ``parameters`` cell.
    :param timeout: seconds the whole run may take; None for no limit.
    :param keep_notebook: also return the executed notebook (as JSON text).
    :param title: the page's title, for the browser's tab and history (the notebook's
        ``metadata.title``, which nbconvert puts in ``<title>``); default *name*.
    """

    notebook: Path
    name: str
    parameters: dict[str, Any] = field(default_factory=dict, hash=False)
    timeout: float | None = None
    keep_notebook: bool = False
    title: str | None = None


@dataclass
class NotebookResult:
    """What running a job gave: the HTML, or an error message naming what failed."""

    job: NotebookJob
    ok: bool
    seconds: float
    html: str | None = None
    notebook: str | None = None
    error: str | None = None
    attempts: int = 1


class Runner(ABC):
    """Runs notebook jobs; use as a context manager so kernels are shut down."""

    @abstractmethod
    def run(self, job: NotebookJob) -> NotebookResult:
        """Run one job. Failures come back as a result with ``ok=False``, never as an exception."""

    def close(self) -> None:  # noqa: B027 - most runners hold nothing to release
        """Release whatever the runner holds (kernels, threads)."""

    def __enter__(self: _R) -> _R:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# -- the fake ----------------------------------------------------------------------------------


@dataclass
class FakeRunner(Runner):
    """A runner without Jupyter, for unit tests of everything around it.

    :param failures: job name → the error message that job fails with.
    :param behaviour: called with each job; may return a result to use instead of the default.
    """

    failures: dict[str, str] = field(default_factory=dict)
    behaviour: Callable[[NotebookJob], NotebookResult | None] | None = None
    calls: list[NotebookJob] = field(default_factory=list)
    closed: bool = False

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def run(self, job: NotebookJob) -> NotebookResult:
        with self._lock:
            self.calls.append(job)
        if self.behaviour is not None:
            result = self.behaviour(job)
            if result is not None:
                return result
        error = self.failures.get(job.name)
        if error is not None:
            return NotebookResult(job, ok=False, seconds=0.0, error=error)
        shown = ", ".join(f"{key} {value}" for key, value in job.parameters.items())
        html = (
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{escape(job.title or 'report')}</title></head><body>"
            f"<p>{escape(job.name)}: {escape(shown)}</p></body></html>"
        )
        notebook = (
            '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}' if job.keep_notebook else None
        )
        return NotebookResult(job, ok=True, seconds=0.0, html=html, notebook=notebook)

    def close(self) -> None:
        self.closed = True


# -- the real one ------------------------------------------------------------------------------


_TABBABLE = re.compile(
    r'<div\b(?=[^>]*\bclass="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b)([^>]*)>'
)
_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)([^>]*?)(/?)>")


def _accessible(html: str) -> str:
    """What nbconvert's HTML exporter adds to a page, with two regular expressions over markup its
    template made, not a parse of the whole page: ``tabindex="0"`` on each cell's input and output
    (so a keyboard can scroll them), and a placeholder ``alt`` on any image with none."""
    html = _TABBABLE.sub(r'<div\1 tabindex="0">', html)
    return _NO_ALT.sub(r'<img\1 alt="No description has been provided for this image"\2>', html)


def html_exporter() -> Any:
    """nbconvert's HTML exporter for reports: no code, no prompts, nothing loaded from the network.

    A page from it shows what ``jupyter nbconvert --to html --no-input`` shows, made with less
    work: the notebook is validated once, after every preprocessor (not after each), and the
    attributes nbconvert adds for accessibility are added without re-parsing the whole page
    (``tests/test_runner.py`` checks that the page, so parsed and written out again, is plain
    nbconvert's). Its templates are compiled on first use: reuse it (see :func:`shared_exporter`).
    """
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class ReportExporter(HTMLExporter):
        def from_notebook_node(  # type: ignore[override]
            self, nb: Any, resources: Any = None, **kw: Any
        ) -> tuple[str, Any]:
            # As HTMLExporter.from_notebook_node, less its BeautifulSoup round trip.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight = self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self))
            resources = self._init_resources(resources)
            data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_type)
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(html), resources

    exporter = ReportExporter(
        template_name="lab",
        template_file=OFFLINE_TEMPLATE,
        extra_loaders=[DictLoader({OFFLINE_TEMPLATE: _OFFLINE_TEMPLATE_SOURCE})],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
    )
    # Cells tagged "notebook-only" say how to run the notebook by hand: noise on a report page.
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags={"notebook-only"}), enabled=True)
    return exporter


def import_jsonschema_without_iri_grammars() -> None:
    """Import jsonschema (for nbformat) without the optional ``rfc3987_syntax``, if not yet imported.

    When ``rfc3987_syntax`` is installed (Jupyter's event schemas pull it in), importing
    jsonschema builds its IRI grammars: about a second of CPU, before the first report, in a
    process that never checks an IRI (nbformat's schema has none). Left out, jsonschema accepts
    values of its "iri" formats unchecked in this process. Any later import of
    ``rfc3987_syntax`` itself works as usual.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # makes its import fail
    try:
        with contextlib.suppress(ImportError):
            import jsonschema  # type: ignore[import-untyped]  # noqa: F401
    finally:
        del sys.modules["rfc3987_syntax"]


_shared: Any = None
_shared_lock = threading.Lock()


def shared_exporter() -> tuple[Any, threading.Lock]:
    """This process's one report exporter, and the lock to hold while using it.

    Compiling nbconvert's templates costs a few hundred milliseconds, once per exporter; one
    exporter serves every report of the process. Python runs one thread at a time anyway, so
    taking turns costs nothing.
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = (html_exporter(), threading.Lock())
        return _shared


def to_html(nb: Any, *, exporter: Any | None = None, title: str | None = None) -> str:
    """An executed notebook as an offline HTML report, titled *title* (by default with
    :func:`shared_exporter`'s exporter)."""
    resources = {"metadata": {"name": title}} if title else None
    if exporter is not None:
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        return str(body)
    shared, lock = shared_exporter()
    with lock:
        body, _ = shared.from_notebook_node(nb, resources=resources)
    return str(body)


def _quiet_hook(previous: Callable[[Any], object]) -> Callable[[Any], object]:
    def hook(unraisable: Any) -> object:
        exc, obj = unraisable.exc_value, getattr(unraisable.object, "__qualname__", "")
        bad_fd = isinstance(exc, OSError) and exc.errno == errno.EBADF
        bad_fd = bad_fd or (isinstance(exc, ValueError) and "file descriptor" in str(exc))
        if bad_fd and obj == "BaseEventLoop.__del__":
            return None  # a worker thread's finished event loop, collected after its selector went
        return previous(unraisable)

    hook.iivkit_quiet = True  # type: ignore[attr-defined]
    return hook


def quiet_closed_loops() -> None:
    """Keep "Exception ignored in BaseEventLoop.__del__ … Bad file descriptor" off the user's screen.

    Each worker thread drives its kernels on an event loop of its own; when the thread ends,
    the loop may be collected after its selector's file descriptor is already closed, and Python
    prints a traceback for a clean-up that did no harm. Only that one case is kept quiet.
    """
    if not getattr(sys.unraisablehook, "iivkit_quiet", False):
        sys.unraisablehook = _quiet_hook(sys.unraisablehook)


def warm_exporter() -> None:
    """Compile the shared exporter's templates now (by exporting an empty notebook).

    A failure here is left for the first real export to report, with its report named.
    """
    from nbformat.v4 import new_notebook

    with contextlib.suppress(Exception):
        to_html(new_notebook())


class ReportTimeout(TimeoutError):
    """A report ran past its ``--timeout``; its kernel was killed."""


def _dumps(nb: Any) -> str:
    import nbformat

    return str(nbformat.writes(nb))


def _failed_to_start(nb: Any, error: BaseException) -> bool:
    """True if the kernel failed before running any cell: dead, silent or unreachable."""
    from nbclient.exceptions import DeadKernelError

    if isinstance(error, ReportTimeout) or not isinstance(error, (DeadKernelError, RuntimeError, OSError)):
        return False
    return not any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def error_message(exc: BaseException, job: NotebookJob) -> str:
    """One line saying why a report failed, naming the failing cell's error when there is one."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    from iivkit.batch.kernels import KernelStartError

    if isinstance(exc, PapermillExecutionError):
        value = str(exc.evalue).strip().splitlines()
        return f"{exc.ename}: {value[0] if value else ''}".strip().rstrip(":")
    if isinstance(exc, ReportTimeout):
        return str(exc)
    if isinstance(exc, CellTimeoutError):
        return f"timed out after {job.timeout:g} s" if job.timeout else "a cell timed out"
    if isinstance(exc, DeadKernelError):
        return "the kernel died while running the report"
    if isinstance(exc, KernelStartError):
        return f"the kernel could not start: {exc}"
    first = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {first[0] if first else ''}".strip().rstrip(":")


class NotebookRunner(Runner):
    """Papermill in a fresh kernel per report, kernels started ahead of need by a pool.

    :param workers: how many reports will run at once; the pool keeps that many kernels ready.
    :param kernel_name: the kernelspec to run; default the notebook's own.
    :param preload: fork kernels from a process that has already imported ipykernel, pandas,
        matplotlib and *kernel_imports* (POSIX only). Each kernel is still a new process no report used.
    :param kernel_imports: the caller's modules its notebooks import, preloaded with the rest
        (``module`` or ``module:function``, see :mod:`iivkit.batch.forkserver`).
    :param cwd: the kernels' working directory.
    :param forkserver: a fork server already started (see :func:`~iivkit.batch.kernels.start_fork_server`).
    """

    def __init__(
        self,
        *,
        workers: int = 1,
        kernel_name: str = "python3",
        preload: bool | None = None,
        kernel_imports: Sequence[str] = (),
        cwd: Path | None = None,
        start_timeout: float = 60.0,
        forkserver: Any = None,
    ) -> None:
        from iivkit.batch.kernels import KernelPool

        import_jsonschema_without_iri_grammars()  # before any thread imports nbformat
        quiet_closed_loops()
        # Import what the threads below use here, on one thread: nbformat's modules import each
        # other, and two threads importing them at once can each get the other's half-made module
        # ("cannot import name … from partially initialized module 'nbformat.reader'").
        import nbclient  # noqa: F401
        import nbconvert  # noqa: F401
        import nbformat.v4  # noqa: F401
        import papermill.iorw  # noqa: F401

        self.kernel_name = kernel_name
        self.pool = KernelPool(
            size=max(1, workers),
            kernel_name=kernel_name,
            preload=preload,
            imports=kernel_imports,
            cwd=cwd,
            start_timeout=start_timeout,
            forkserver=forkserver,
        )
        # Compiled while the first kernels start (in other processes), not on the first report.
        threading.Thread(target=warm_exporter, name="iivkit-exporter-warm", daemon=True).start()
        self._notebooks: dict[Path, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def _notebook(self, path: Path) -> Any:
        """The source notebook, read once per batch (and again if it changes)."""
        from papermill.iorw import load_notebook_node

        mtime = path.stat().st_mtime
        with self._lock:
            cached = self._notebooks.get(path)
            if cached is None or cached[0] != mtime:
                cached = (mtime, load_notebook_node(str(path)))
                self._notebooks[path] = cached
        return copy.deepcopy(cached[1])

    def run(self, job: NotebookJob) -> NotebookResult:
        from iivkit.batch.kernels import KernelStartError

        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                prepared = self._prepare(job)
            except Exception as exc:  # a notebook papermill cannot parameterise fails its row
                return self._failed(job, exc, started, attempt)
            try:
                kernel = self.pool.acquire()
            except KernelStartError as exc:
                if attempt == 1:
                    continue
                return self._failed(job, exc, started, attempt)
            try:
                nb, error = self._execute(job, prepared, kernel)
            finally:
                self.pool.release(kernel)
            if error is not None and attempt == 1 and _failed_to_start(nb, error):
                # The kernel died before running anything (a port taken, a slow start): once more.
                continue
            if error is not None:
                result = self._failed(job, error, started, attempt)
                if job.keep_notebook:
                    result.notebook = _dumps(nb)
                return result
            if job.title:
                nb.metadata["title"] = job.title
            html = to_html(nb, title=job.name)
            notebook = _dumps(nb) if job.keep_notebook else None
            return NotebookResult(
                job,
                ok=True,
                seconds=time.perf_counter() - started,
                html=html,
                notebook=notebook,
                attempts=attempt,
            )
        raise AssertionError("unreachable")  # pragma: no cover

    def _failed(self, job: NotebookJob, exc: BaseException, started: float, attempts: int) -> NotebookResult:
        return NotebookResult(
            job,
            ok=False,
            seconds=time.perf_counter() - started,
            error=error_message(exc, job),
            attempts=attempts,
        )

    def _prepare(self, job: NotebookJob) -> Any:
        """papermill's steps before execution: parameterise, record metadata, clear old errors."""
        from papermill.execute import prepare_notebook_metadata, remove_error_markers
        from papermill.parameterize import parameterize_notebook

        nb = self._notebook(job.notebook)
        nb = parameterize_notebook(nb, job.parameters, kernel_name=self.kernel_name)
        nb = prepare_notebook_metadata(nb, str(job.notebook), None)
        return remove_error_markers(nb)

    def _execute(self, job: NotebookJob, nb: Any, kernel: Kernel) -> tuple[Any, BaseException | None]:
        """papermill's engine and error check on *kernel*: the notebook as far as it got, and the error."""
        from papermill.engines import papermill_engines
        from papermill.execute import raise_for_execution_errors

        from iivkit.batch.kernels import in_thread_context

        expired = threading.Event()

        def expire() -> None:
            expired.set()
            kernel.kill()

        watchdog = threading.Timer(job.timeout, expire) if job.timeout else None
        if watchdog:
            watchdog.daemon = True
            watchdog.start()
        try:
            # nbclient runs the notebook on this thread's own event loop, whatever context
            # the thread was handed (a Dask worker's is a copy of another thread's).
            nb = in_thread_context(
                papermill_engines.execute_notebook_with_engine,
                None,
                nb,
                kernel_name=self.kernel_name,
                input_path=str(job.notebook),
                output_path=None,
                progress_bar=False,
                log_output=False,
                start_timeout=self.pool.start_timeout,
                execution_timeout=math.ceil(job.timeout) if job.timeout else None,
                km=kernel.manager,
            )
            raise_for_execution_errors(nb, None)
        except Exception as exc:  # the caller turns it into the row's message
            if expired.is_set():
                return nb, ReportTimeout(f"timed out after {job.timeout:g} s")
            return nb, exc
        finally:
            if watchdog:
                watchdog.cancel()
            # On this thread, whose event loop the client's sockets belong to.
            kernel.close_clients()
        return nb, None

    def close(self) -> None:
        self.pool.close()
