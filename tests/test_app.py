"""`iivkit app DIR`: the workflow as forms with no code, served by Voila on 127.0.0.1 only."""

from __future__ import annotations

import concurrent.futures
import html
import http.cookiejar
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from iivkit.app import ERROR_HINT, EXERCISES, INTERVIEW, STEPS, create_workbook, folder_workbook
from iivkit.app.lab import copy_missing_notebooks, notebook_sources
from iivkit.workbook.store import Workbook

BROKEN = {
    "mistake": 'from iivkit.ui.support import open_workbook\nwb = open_workbook("nowhere/gone.iiv")',
    "bug": "secret_code_line = 1 / 0",
}
LAB_NOTE = "Choose Run, then Run All Cells"
MY_NOTE = "My own note on this exercise, kept by iivkit app"


@dataclass
class Served:
    folder: Path
    url: str
    """The address the app printed, with its token."""
    base: str
    """``http://127.0.0.1:PORT/``"""
    port: int
    output: list[str]
    open: Callable[[str], tuple[int, str]]
    """GET a URL with the session's cookies: (status, body)."""
    rendered: dict[str, tuple[int, str]]
    """Every page the tests look at, fetched side by side while the server warmed up."""

    def page(self, notebook: str) -> tuple[int, str]:
        """The rendered page of *notebook* (a path under ``notebooks/``)."""
        if notebook not in self.rendered:
            self.rendered[notebook] = self.open(self.base + _render_path(notebook))
        return self.rendered[notebook]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _read_lines(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line)


def _opener() -> Callable[[str], tuple[int, str]]:
    """A browser-like client: keeps cookies, does not follow redirects away from a page."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def get(url: str) -> tuple[int, str]:
        try:
            with opener.open(url, timeout=120) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    return get


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, run_iivkit, iivkit_cmd, python_env) -> Iterator[Served]:
    """`iivkit app` on a folder made with `iivkit init`, holding one notebook the user changed."""
    home = tmp_path_factory.mktemp("app")
    folder = home / "work"
    folder.mkdir()
    assert run_iivkit("init", folder / "workbook.iiv").returncode == 0
    # The user's own copy of an exercise, with a note of theirs: the app must serve it as is.
    own = folder / "notebooks" / "exercises" / "exercise_4_debrief.ipynb"
    own.parent.mkdir(parents=True)
    copy_missing_notebooks(home / "pristine")
    nb = json.loads((home / "pristine" / "notebooks" / "exercises" / own.name).read_text("utf-8"))
    nb["cells"].insert(1, {"cell_type": "markdown", "metadata": {}, "source": [MY_NOTE]})
    lab_only = {"tags": ["lab-only"]}
    nb["cells"].insert(2, {"cell_type": "markdown", "metadata": lab_only, "source": [LAB_NOTE]})
    own.write_text(json.dumps(nb), encoding="utf-8")
    # Two notebooks of the user's own: one makes a user's mistake, one has a bug.
    for name, code in BROKEN.items():
        page = nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_markdown_cell(f"# {name}"), nbformat.v4.new_code_cell(code)]
        )
        nbformat.write(page, folder / "notebooks" / f"{name}.ipynb")

    env = dict(python_env)
    env.pop("IIVKIT_WORKBOOK", None)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(home / name.lower())
    port = _free_port()
    proc = subprocess.Popen(
        [*iivkit_cmd, "app", str(folder), "--port", str(port), "--no-browser"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        start_new_session=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        url = None
        deadline = time.monotonic() + 60
        while url is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            output.append(line)
            found = re.match(r"iivkit app: (http://127\.0\.0\.1:(\d+)/\S*)", line)
            if found:
                url = found.group(1)
        assert url is not None, "iivkit app printed no address:\n" + "".join(output)
        base = f"http://127.0.0.1:{port}/"
        assert url.startswith(base)
        get = _opener()
        status = None
        while time.monotonic() < deadline:
            try:
                status, _ = get(url)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        assert status == 200, "iivkit app did not answer on 127.0.0.1:\n" + "".join(output)
        served = Served(folder, url, base, port, output, get, {})
        wanted = [p.notebook for p in (*STEPS, *EXERCISES)] + [f"{name}.ipynb" for name in BROKEN]
        # Each page starts its own kernel; a few at once keep the test short.
        with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(served.page, wanted))
        yield served
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        while not lines.empty():
            output.append(lines.get())


def _links(page: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)"', page)


def _render_path(notebook: str) -> str:
    return "voila/render/" + notebook


def test_landing_page_lists_the_steps_in_order_then_the_exercises(served: Served) -> None:
    status, page = served.open(served.base)
    assert status == 200
    links = _links(page)
    wanted = [_render_path(p.notebook) for p in (*STEPS, *EXERCISES)]
    assert [link.lstrip("/") for link in links if "voila/render/" in link] == wanted
    text = html.unescape(page)
    for shown in (*STEPS, *EXERCISES):
        assert shown.title in text and shown.description in text
    # Voila's own file list is not a second way in: it leads to this page.
    assert served.open(served.base + "voila/tree")[0] == 302
    # The interview itself has no page, but is in its place in the method.
    assert text.index(STEPS[1].description) < text.index(INTERVIEW) < text.index(STEPS[2].description)
    assert str((served.folder / "workbook.iiv").resolve()) in text


def _prose(notebook: Path) -> str:
    """A line of guidance from the notebook's text cells that Markdown leaves as it is."""
    nb = json.loads(notebook.read_text("utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if (
                len(line) > 30
                and not re.search(r"[*_`\[\]#<>&|\\]", line)
                and not line.startswith(("-", " "))
            ):
                return line.strip()
    raise AssertionError(f"{notebook.name} has no plain line of guidance")


def _code_lines(notebook: Path) -> list[str]:
    """The lines of the notebook's code cells that are long enough to mean something."""
    nb = json.loads(notebook.read_text("utf-8"))
    return [
        line.strip()
        for cell in nb["cells"]
        if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if len(line.strip()) >= 12 and not line.strip().startswith("#")
    ]


def _outputs(page: str) -> list[dict[str, object]]:
    found = re.findall(
        r'<script type="application/vnd.voila.cell-output\+json">\s*(.*?)\s*</script>', page, re.S
    )
    return [json.loads(text) for text in found]


@pytest.mark.slow
@pytest.mark.parametrize("shown", [*STEPS, *EXERCISES], ids=lambda p: p.notebook.rsplit("/", 1)[-1])
def test_each_page_renders_as_forms_and_guidance_with_no_code(served: Served, shown) -> None:
    status, page = served.page(shown.notebook)
    assert status == 200
    outputs = _outputs(page)
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert all(w["data"]["application/vnd.jupyter.widget-view+json"]["model_id"] for w in widgets)
    if shown in STEPS:
        # Every step offers a form even on an empty workbook: there is always a first thing to do.
        assert widgets, f"{shown.notebook}: no form on the page"
    else:
        # An exercise may first say which earlier exercise to do; it says something either way.
        assert outputs, f"{shown.notebook}: the page shows nothing"
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors, f"{shown.notebook}: a cell failed: {errors}"
    notebook = served.folder / "notebooks" / shown.notebook
    assert html.escape(_prose(notebook), quote=False) in page
    # A header leads back to the list of steps and on to the next one.
    links = _links(page)
    assert "/" in links
    pages = STEPS if shown in STEPS else EXERCISES
    following = pages[pages.index(shown) + 1] if shown is not pages[-1] else None
    if following is not None:
        assert "/" + _render_path(following.notebook) in links
        assert html.escape(following.title) in page
    else:
        assert not any("voila/render/" in link for link in links)
    assert "open_workbook(" not in page
    for line in _code_lines(notebook):
        assert line not in page and html.escape(line) not in page, f"code shown: {line}"
    # Offline: nothing is loaded from another site.
    assert not re.search(r'(?:href|src)="(?:https?:)?//', page)
    assert "cdn.jsdelivr" not in page and "cdnjs" not in page


@pytest.mark.slow
def test_the_users_own_notebook_is_served_and_never_replaced(served: Served) -> None:
    own = served.folder / "notebooks" / "exercises" / "exercise_4_debrief.ipynb"
    assert MY_NOTE in own.read_text("utf-8")
    status, page = served.page("exercises/exercise_4_debrief.ipynb")
    assert status == 200 and MY_NOTE in page
    assert LAB_NOTE not in page, "a cell meant for JupyterLab only is shown in the app"
    for rel in notebook_sources():  # everything else was copied, the course notebooks too
        assert (served.folder / "notebooks" / rel).is_file(), rel
    assert any(rel.parts[0] == "course" for rel in notebook_sources())
    assert not any("Created" in line for line in served.output), "the folder's workbook was replaced"


def test_pages_need_the_printed_token(served: Served) -> None:
    stranger = _opener()
    for path in ("", _render_path(STEPS[0].notebook)):
        status, page = stranger(served.base + path)
        assert status in (302, 403), (path, status)
        assert "widget-view" not in page and "Your informational interviews" not in page


def _listening_addresses(port: int) -> list[str]:
    """Local addresses of the sockets listening on *port*, from the Linux kernel's tables."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                found.append(address)
    return found


def _other_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 9))  # UDP: picks a route, sends nothing
        except OSError:
            return None
        address = str(s.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_it_listens_on_loopback_only(served: Served) -> None:
    checks = 0
    addresses = _listening_addresses(served.port)
    if os.path.exists("/proc/net/tcp"):
        assert addresses, "no listening socket found"
        # 0100007F is 127.0.0.1 as the kernel writes it; 0.0.0.0 or :: would be every interface.
        assert set(addresses) == {"0100007F"}, addresses
        checks += 1
    other = _other_address()
    if other is not None:
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(3)
            s.connect((other, served.port))
        checks += 1
    assert checks, "this machine offers no way to check the listening address"
    assert not any("0.0.0.0" in line for line in served.output)


def test_help_names_the_folder_and_loopback(cli) -> None:
    result = cli("app", "--help")
    assert result.exit_code == 0
    assert "127.0.0.1" in result.output and "--no-browser" in result.output and "--port" in result.output


def test_a_missing_folder_is_one_line_and_exit_2(tmp_path: Path, cli) -> None:
    result = cli("app", tmp_path / "nowhere", "--no-browser")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert "nowhere" in result.output and "no such folder" in result.output
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("bad_port", ["busy", "70000", "-1"])
def test_a_bad_port_is_refused_before_anything_is_written(tmp_path: Path, cli, bad_port: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1]) if bad_port == "busy" else bad_port
        result = cli("app", tmp_path, "--port", port, "--no-browser")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and port in result.output
    assert list(tmp_path.iterdir()) == [], "a refused start wrote files"


def test_a_folder_without_a_workbook_gets_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IIVKIT_WORKBOOK", raising=False)
    assert folder_workbook(tmp_path) is None
    path = create_workbook(tmp_path)
    assert path == (tmp_path / "workbook.iiv").resolve()
    Workbook.open(path).close()  # a real, empty workbook
    assert folder_workbook(tmp_path) == path  # the next start uses it


def test_notebooks_are_copied_with_the_course_and_never_overwritten(tmp_path: Path) -> None:
    copied = copy_missing_notebooks(tmp_path)
    assert {p.relative_to(tmp_path / "notebooks") for p in copied} == set(notebook_sources())
    assert (tmp_path / "notebooks" / "course").is_dir()
    mine = tmp_path / "notebooks" / "course" / "class_summary.ipynb"
    mine.write_text("{}", encoding="utf-8")
    mine.with_name("student_feedback.ipynb").unlink()
    again = copy_missing_notebooks(tmp_path)
    assert [p.name for p in again] == ["student_feedback.ipynb"]
    assert mine.read_text("utf-8") == "{}"


@pytest.mark.slow
def test_a_users_mistake_shows_one_line_and_a_bug_shows_no_code(served: Served) -> None:
    status, page = served.page("mistake.ipynb")
    assert status == 200
    text = html.unescape(page)
    assert "nowhere/gone.iiv: no such workbook" in text
    assert "open_workbook(" not in page and "Traceback" not in page and "WorkbookMissingError" not in page

    status, page = served.page("bug.ipynb")
    assert status == 200
    text = html.unescape(page)
    assert ERROR_HINT in text  # where to look for the details
    assert "secret_code_line" not in page and "ZeroDivisionError" not in page and "Traceback" not in page


@pytest.mark.parametrize("spoil", ["junk workbook", "notebooks is a file", "IIVKIT_WORKBOOK missing"])
def test_a_folder_the_app_cannot_use_is_one_line_and_exit_2(
    tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch, spoil: str
) -> None:
    monkeypatch.delenv("IIVKIT_WORKBOOK", raising=False)
    if spoil == "junk workbook":
        (tmp_path / "mine.iiv").write_text("not a database", encoding="utf-8")
    elif spoil == "notebooks is a file":
        (tmp_path / "notebooks").write_text("mine", encoding="utf-8")
    else:
        monkeypatch.setenv("IIVKIT_WORKBOOK", str(tmp_path / "gone.iiv"))
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("app", tmp_path, "--port", str(_free_port()), "--no-browser")
    assert result.exit_code == 2, result.output
    message = result.output.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    culprit = {"junk workbook": "mine.iiv", "notebooks is a file": "notebooks"}.get(spoil, "gone.iiv")
    assert str(tmp_path / culprit) in message
    assert sorted(p.name for p in tmp_path.iterdir()) == before, "a refused start wrote files"


@pytest.mark.slow
def test_the_browser_opens_on_the_address_with_its_token(tmp_path: Path, iivkit_cmd, python_env) -> None:
    """Without --no-browser the app opens the printed address, token included: no login form."""
    opened = tmp_path / "opened.txt"
    opener = tmp_path / "browser.py"
    opener.write_text(f"import sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n", encoding="utf-8")
    folder = tmp_path / "work"
    folder.mkdir()
    env = dict(python_env, BROWSER=f"{sys.executable} {opener} %s")
    env.pop("IIVKIT_WORKBOOK", None)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        env[name] = str(tmp_path / name.lower())
    port = _free_port()
    proc = subprocess.Popen(
        [*iivkit_cmd, "app", str(folder), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not opened.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.3)
        assert opened.exists(), "no browser was opened"
        url = opened.read_text("utf-8")
        status, page = _opener()(url)
        assert status == 200 and "voila/render/" in page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    assert f"iivkit app: {url}" in output
    assert "iivkit app stopped" in output  # a clean stop, kernels shut down
    # The folder had no workbook: the app made one and said so.
    assert (folder / "workbook.iiv").is_file()
    assert f"Created {(folder / 'workbook.iiv').resolve()}" in output
