"""The report runner: the debrief notebook, run for real, makes safe offline HTML, as plain papermill would.

Most tests share one :class:`NotebookRunner` (kernels forked from a warm fork server). The
equality test runs the plain way too: ``papermill`` then ``jupyter nbconvert`` as processes.
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from report_helpers import MARKUP, build_workbook

from iivkit.batch.kernels import KernelPool, KernelStartError, forkable, in_thread_context
from iivkit.batch.runner import FakeRunner, NotebookRunner
from iivkit.errors import RecordNotFound, ValidationFailed, WorkbookMissingError
from iivkit.reports import data as report_data
from iivkit.reports.run import report_job

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "04_debrief_report.ipynb"
BIN = Path(sys.executable).parent


class Tags(HTMLParser):
    """Every start tag of a page with its attributes, and the text of its script elements."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def body(html: str) -> str:
    """The page from ``<body>`` on, with cell ids (new for papermill's injected cell) made equal."""
    return re.sub(r'id="cell-id=[^"]*"', 'id="cell-id=X"', html[html.index("<body") :])


def reserialised(html: str) -> str:
    """*html* parsed and written out again as nbconvert's HTML exporter does at its end."""
    from bs4 import BeautifulSoup

    return str(BeautifulSoup(html, features="html.parser"))


def tiny_notebook(path: Path, *sources: str) -> Path:
    metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources], metadata=metadata), path)
    return path


def process_alive(pid: int) -> bool:
    """True while *pid* is a running process (a zombie, dead but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return True
    return state not in {"Z", "X"}


@pytest.fixture(scope="module")
def runner() -> Iterator[NotebookRunner]:
    with NotebookRunner(workers=2) as r:
        yield r


@pytest.fixture(scope="module")
def markup_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("wb") / "markup.iiv", markup=True)


@pytest.fixture(scope="module")
def report_html(runner: NotebookRunner, markup_workbook: Path) -> str:
    result = runner.run(report_job(NOTEBOOK, markup_workbook, 1, "markup__interview-1"))
    assert result.ok, result.error
    assert result.html is not None
    return result.html


# -- the fake --------------------------------------------------------------------------------


def test_the_fake_runner_makes_escaped_pages_and_fails_on_demand(tmp_path: Path) -> None:
    fake = FakeRunner(failures={"b__interview-2": "boom"})
    ok = fake.run(report_job(NOTEBOOK, tmp_path / "<a>.iiv", 1, "a__interview-1"))
    failed = fake.run(report_job(NOTEBOOK, tmp_path / "b.iiv", 2, "b__interview-2"))
    assert ok.ok and ok.html and "&lt;a&gt;.iiv" in ok.html
    assert not failed.ok and failed.error == "boom"
    assert [j.name for j in fake.calls] == ["a__interview-1", "b__interview-2"]


# -- parameters ------------------------------------------------------------------------------


def test_the_report_notebook_checks_its_parameters(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=2)
    assert report_data.resolve_parameters(str(path), "2") == (path, 2)
    assert report_data.resolve_parameters(path, 1.0) == (path, 1)
    assert report_data.resolve_parameters(str(path), None) == (path, 1)
    with pytest.raises(ValidationFailed, match="interview"):
        report_data.resolve_parameters(str(path), "second")
    with pytest.raises(ValidationFailed, match="interview"):
        report_data.resolve_parameters(str(path), True)
    with pytest.raises(WorkbookMissingError):
        report_data.resolve_parameters(str(tmp_path / "nope.iiv"), 1)
    with pytest.raises(RecordNotFound, match="interview 9"):
        report_data.collect(path, 9)


def test_the_report_notebook_is_committed_clean_with_a_parameters_cell() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert "workbook = None" in tagged[0].source and "interview = None" in tagged[0].source
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    assert "widgets" not in nb.metadata


# -- the report, for real --------------------------------------------------------------------


@pytest.mark.slow
def test_markup_in_notes_appears_as_text(report_html: str) -> None:
    page = Tags(report_html)
    assert not any("alert" in s for s in page.scripts)
    assert not any("onerror" in attrs for _, attrs in page.tags)
    assert not any(tag == "img" and attrs.get("src") == "x" for tag, attrs in page.tags)
    assert "&lt;script&gt;alert(" in report_html
    assert "&lt;img src=x onerror=" in report_html
    assert MARKUP not in report_html


@pytest.mark.slow
def test_the_report_loads_nothing_from_the_network(report_html: str) -> None:
    page = Tags(report_html)
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value), f"<{tag} {name}={value!r}> loads from the network"
    assert not any(re.search(r"import\(|https?://", s) for s in page.scripts)
    assert not re.search(r"@import\s+url\(\s*['\"]?https?:", report_html)


@pytest.mark.slow
def test_the_report_shows_no_code(report_html: str) -> None:
    classes = " ".join(attrs.get("class") or "" for _, attrs in Tags(report_html).tags)
    assert "jp-InputArea-editor" not in classes and "jp-CodeMirrorEditor" not in classes
    assert "hl-ipython" not in classes and "jp-InputPrompt" not in classes
    code = [c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]
    for line in (line for source in code for line in source.splitlines() if line.strip()):
        assert line.strip() not in report_html


@pytest.mark.slow
def test_the_report_has_every_section(report_html: str) -> None:
    for text in (
        "Person 1",  # who
        "Health Lab",  # organisation
        "Friday 1 March 2024, 10:00 (Africa/Johannesburg)",  # when, written as letters and guides write it
        "The plan and the answers",
        "How did you start?",
        "The lab hires two analysts a year.",  # tested finding …
        "Evidence status",  # … with its status now
        "Advice",  # TIARA group
        "Not tagged",
        "R 30 000 a month to start",  # salary
        "Good, with an internship first.",  # chances
        "Which team hires juniors?",  # open question …
        "Person 1 (Analyst)",  # … and whom to ask
        "Referral 1",
        "Follow-ups due",
        'src="data:image/svg+xml;base64,',  # the chart, embedded
    ):
        assert text in report_html, text


@pytest.mark.slow
def test_fast_path_html_equals_plain_papermill_and_nbconvert(
    runner: NotebookRunner, markup_workbook: Path, tmp_path: Path, python_env: dict[str, str]
) -> None:
    executed = tmp_path / "plain.ipynb"
    subprocess.run(
        [str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "workbook", str(markup_workbook),
         "-p", "interview", "2", "--no-progress-bar"],
        check=True, env=python_env, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
        check=True, env=python_env, capture_output=True,
    )  # fmt: skip
    plain = (tmp_path / "plain.html").read_text(encoding="utf-8")
    job = report_job(NOTEBOOK, markup_workbook, 2, "markup__interview-2")
    forked = runner.run(job)
    with NotebookRunner(workers=1, preload=False) as spawning:
        spawned = spawning.run(job)
    assert forked.html and spawned.html
    assert body(forked.html) == body(spawned.html)
    # nbconvert ends by parsing its whole page again with BeautifulSoup, to add tabindex and alt
    # attributes, and writing it back out (double quotes, single spaces in class lists); the
    # runner adds the same attributes without that round trip. The same round trip here must
    # give plain nbconvert's page exactly.
    assert body(reserialised(forked.html)) == body(plain)
    assert "cdnjs" in plain and "cdnjs" not in forked.html  # the one intended difference, in <head>


@pytest.mark.slow
def test_each_report_gets_a_fresh_kernel(runner: NotebookRunner, tmp_path: Path) -> None:
    dirty = tiny_notebook(
        tmp_path / "dirty.ipynb",
        "leak = 1\nimport pandas as pd\npd.set_option('display.max_rows', 3)\nimport iivkit\niivkit.LEAK = 1",
    )
    clean = tiny_notebook(
        tmp_path / "clean.ipynb",
        "assert 'leak' not in globals()\n"
        "import pandas as pd\nassert pd.get_option('display.max_rows') == 60\n"
        "import iivkit\nassert not hasattr(iivkit, 'LEAK')",
    )
    for _ in range(2):  # more reports than the pool holds kernels, so any reuse would show
        assert runner.run(report_job(dirty, tmp_path / "x.iiv", 1, "dirty")).ok
        result = runner.run(report_job(clean, tmp_path / "x.iiv", 1, "clean"))
        assert result.ok, result.error


@pytest.mark.slow
def test_an_error_in_the_report_fails_it_with_one_line(runner: NotebookRunner, markup_workbook: Path) -> None:
    result = runner.run(report_job(NOTEBOOK, markup_workbook, 99, "markup__interview-99", keep_notebook=True))
    assert not result.ok and result.html is None
    assert result.error and "\n" not in result.error
    assert result.error.startswith("RecordNotFound:") and "interview 99" in result.error
    assert result.notebook and "RecordNotFound" in result.notebook


@pytest.mark.slow
def test_a_dead_kernel_fails_its_report_and_the_next_one_runs(runner: NotebookRunner, tmp_path: Path) -> None:
    dies = tiny_notebook(tmp_path / "dies.ipynb", "import os\nos._exit(1)", "print('never')")
    lives = tiny_notebook(tmp_path / "lives.ipynb", "print('fine')")
    dead = runner.run(report_job(dies, tmp_path / "x.iiv", 1, "dies"))
    assert not dead.ok and dead.error == "the kernel died while running the report"
    assert runner.run(report_job(lives, tmp_path / "x.iiv", 1, "lives")).ok


@pytest.mark.slow
def test_a_report_past_its_timeout_is_stopped(runner: NotebookRunner, tmp_path: Path) -> None:
    pid_file, after = tmp_path / "kernel.pid", tmp_path / "after"
    slow = tiny_notebook(
        tmp_path / "slow.ipynb",
        f"import os, pathlib, time\npathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))",
        "time.sleep(600)",
        f"import pathlib\npathlib.Path({str(after)!r}).write_text('ran on')",
    )
    lives = tiny_notebook(tmp_path / "lives.ipynb", "print('fine')")
    result = runner.run(report_job(slow, tmp_path / "x.iiv", 1, "slow", timeout=1.5))
    assert not result.ok and result.html is None
    assert result.error == "timed out after 1.5 s"
    # The kernel that ran the report was killed, not left sleeping: the next cell never ran.
    assert not process_alive(int(pid_file.read_text()))
    assert not after.exists()
    assert runner.run(report_job(lives, tmp_path / "x.iiv", 1, "lives")).ok


def os_threads() -> int:
    """Threads of this process as the system counts them (ZeroMQ's own threads too)."""
    tasks = Path("/proc/self/task")
    return len(list(tasks.iterdir())) if tasks.is_dir() else threading.active_count()


@pytest.mark.slow
def test_reports_leave_no_threads_behind(tmp_path: Path) -> None:
    # Each report's kernel client has a heartbeat thread and a ZeroMQ context (two more
    # threads); if they were left open, the count would grow by about three per report.
    notebook = tiny_notebook(tmp_path / "small.ipynb", "print('fine')")
    counts = {}
    with NotebookRunner(workers=2) as runner:
        for n in range(1, 51):
            result = runner.run(report_job(notebook, tmp_path / "x.iiv", n, f"small-{n}"))
            assert result.ok, result.error
            if n in (5, 50):
                counts[n] = os_threads()
    # The kernel pool starts its next kernels on threads of its own, so a few come and go with
    # timing; a leak would add about 135 over these 45 reports.
    assert counts[50] <= counts[5] + 10, counts


def test_a_kernel_that_fails_to_start_is_retried_once(monkeypatch: pytest.MonkeyPatch) -> None:
    pool = KernelPool(size=0, preload=False)
    attempts: list[int] = []

    def flaky() -> object:
        attempts.append(1)
        if len(attempts) == 1:
            raise KernelStartError("Address already in use")
        return "kernel"

    monkeypatch.setattr(pool, "_start_one", flaky)
    try:
        kernel: object = pool.acquire()
        assert kernel == "kernel" and len(attempts) == 2

        def broken() -> object:
            attempts.append(1)
            raise KernelStartError("no")

        monkeypatch.setattr(pool, "_start_one", broken)
        with pytest.raises(KernelStartError):
            pool.acquire()
        assert len(attempts) == 4
    finally:
        pool.close()


def test_threads_handed_another_threads_context_each_run_jupyter_on_their_own_loop() -> None:
    """A Dask worker thread runs each task in a copy of the context it came from. With a Jupyter
    event loop in that context, two reports at once shared it: "This event loop is already running"."""
    from jupyter_core.utils import ensure_event_loop, run_sync

    def submitter() -> tuple[asyncio.AbstractEventLoop, contextvars.Context]:
        # A thread that has made a blocking Jupyter call, as the test process has before the Dask test.
        return ensure_event_loop(), contextvars.copy_context()

    async def report() -> asyncio.AbstractEventLoop:
        await asyncio.sleep(0.2)  # long enough for the other thread's report to overlap
        return asyncio.get_running_loop()

    both = threading.Barrier(2)

    def worker_task() -> list[asyncio.AbstractEventLoop]:
        both.wait(timeout=10)
        return [in_thread_context(run_sync(report)) for _ in range(2)]

    with ThreadPoolExecutor(1) as one:
        submitters_loop, context = one.submit(submitter).result()
    used: list[asyncio.AbstractEventLoop] = []
    try:
        with ThreadPoolExecutor(2) as workers:
            futures = [workers.submit(context.copy().run, worker_task) for _ in range(2)]
            first, second = (f.result(timeout=30) for f in futures)
        used = [*first, *second]
        assert first[0] is first[1] and second[0] is second[1]  # a thread keeps its loop
        assert first[0] is not second[0] and submitters_loop not in used
    finally:
        for loop in {submitters_loop, *used}:
            loop.close()


def test_kernels_are_forked_only_from_the_python_the_kernelspec_runs() -> None:
    assert forkable(["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    assert forkable([sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    assert not forkable(["/opt/other/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"])
    assert not forkable(["python", "-m", "some_other_kernel", "-f", "{connection_file}"])


@pytest.mark.slow
def test_without_a_working_fork_server_kernels_start_the_ordinary_way(
    monkeypatch: pytest.MonkeyPatch, markup_workbook: Path
) -> None:
    from iivkit.batch import forkserver

    defaults = forkserver.ForkServer.__init__.__kwdefaults__
    assert defaults is not None
    monkeypatch.setitem(defaults, "preload", ("no_such_module",))
    with NotebookRunner(workers=1, preload=True) as fallback:
        result = fallback.run(report_job(NOTEBOOK, markup_workbook, 1, "markup__interview-1"))
        assert result.ok, result.error
        assert fallback.pool.preload is False


@pytest.mark.slow
def test_the_report_notebook_runs_with_its_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    monkeypatch.delenv("IIVKIT_WORKBOOK", raising=False)
    monkeypatch.setenv("IIVKIT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    nb = papermill.execute_notebook(
        str(NOTEBOOK), None, kernel_name="python3", progress_bar=False, cwd=str(tmp_path)
    )
    html = "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    # One cell shows the whole report, its section headings included.
    assert [c.cell_type for c in nb.cells].count("code") == 2
    assert '<h2 id="The-plan-and-the-answers">The plan and the answers</h2>' in html
    assert "Interviewee" in html and "data:image/svg+xml;base64," in html


def test_only_a_finished_event_loops_bad_descriptor_is_kept_quiet() -> None:
    import asyncio
    import errno
    import types

    from iivkit.batch.runner import _quiet_hook

    seen: list[object] = []
    hook = _quiet_hook(seen.append)
    loop_del = asyncio.BaseEventLoop.__del__

    def unraisable(exc: BaseException, obj: object) -> object:
        return types.SimpleNamespace(exc_value=exc, object=obj)

    hook(unraisable(OSError(errno.EBADF, "Bad file descriptor"), loop_del))
    hook(unraisable(ValueError("Invalid file descriptor: -1"), loop_del))
    assert seen == []
    other = [
        unraisable(OSError(errno.EPIPE, "Broken pipe"), loop_del),
        unraisable(
            OSError(errno.EBADF, "Bad file descriptor"),
            test_only_a_finished_event_loops_bad_descriptor_is_kept_quiet,
        ),
    ]
    for u in other:
        hook(u)
    assert seen == other
