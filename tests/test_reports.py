"""``iivkit report``: one HTML per interview, an index, failures kept to their row, and no work twice.

Orchestration is tested with the fake runner (no kernels); a few tests run the real thing:
the command line end to end, and the Dask path on a local cluster.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from report_helpers import MARKUP, build_workbook

import iivkit.batch.cluster
import iivkit.batch.runner
from iivkit import Contact, Insight, Interview, Workbook
from iivkit.batch.runner import FakeRunner, NotebookJob
from iivkit.cli import main
from iivkit.reports.data import collect, report_inputs_json
from iivkit.reports.inputs import WorkbookInputs
from iivkit.reports.run import (
    FAILED,
    OK,
    STATE_FILE,
    UP_TO_DATE,
    Batch,
    find_workbooks,
    make_reports,
    report_stems,
)
from iivkit.workbook.demo import build_class

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "04_debrief_report.ipynb"


@pytest.fixture
def school(tmp_path: Path) -> Path:
    """Two students' workbooks (two interviews each) and a junk file named like a workbook."""
    root = tmp_path / "class"
    for name in ("ada", "grace"):
        (root / name).mkdir(parents=True)
        build_workbook(root / name / "workbook.iiv", interviews=2, student=name.title())
    (root / "junk.iiv").write_text("not a workbook\n")
    return root


def run(paths: list[Path], out: Path, runner: FakeRunner | None = None, **options: Any) -> Batch:
    return make_reports(
        paths, out, runner=runner or FakeRunner(), notebook=NOTEBOOK, progress=False, **options
    )


def statuses(batch: Batch) -> dict[str, str]:
    return {row.name: row.status for row in batch.rows}


# -- finding and naming ------------------------------------------------------------------------


def test_folders_are_searched_for_workbooks_and_hidden_folders_skipped(tmp_path: Path) -> None:
    (tmp_path / "a" / ".ipynb_checkpoints").mkdir(parents=True)
    (tmp_path / "a" / "x.iiv").write_text("")
    (tmp_path / "a" / ".ipynb_checkpoints" / "x.iiv").write_text("")
    (tmp_path / "a" / "notes.txt").write_text("")
    single = tmp_path / "single.iiv"
    single.write_text("")
    found = find_workbooks([tmp_path / "a", single, single])
    assert found == [tmp_path / "a" / "x.iiv", single]


def test_reports_are_named_for_the_student_and_never_clash(tmp_path: Path) -> None:
    paths = [tmp_path / "ada" / "workbook.iiv", tmp_path / "own.iiv", tmp_path / "x" / "own.iiv"]
    stems = report_stems(paths)
    assert stems[paths[0]] == "ada"
    assert stems[paths[1]] != stems[paths[2]] and all(
        s.startswith("own-") for s in (stems[paths[1]], stems[paths[2]])
    )


# -- a batch -----------------------------------------------------------------------------------


def test_one_report_per_interview_held_and_an_index_linking_them(school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch = run([school], out)
    made = sorted(p.name for p in out.glob("*.html") if p.name != "index.html")
    assert made == [
        "ada__interview-1.html",
        "ada__interview-2.html",
        "grace__interview-1.html",
        "grace__interview-2.html",
    ]
    index = (out / "index.html").read_text(encoding="utf-8")
    for name in made:
        assert f'href="{name}"' in index
    assert batch.count(OK) == 4 and "4 made" in index


def test_a_junk_workbook_fails_alone_named_in_the_index_with_exit_status_1(
    school: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(iivkit.batch.runner, "NotebookRunner", lambda **_: FakeRunner())
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", str(school), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "4 made, 1 failed" in result.output
    index = (out / "index.html").read_text(encoding="utf-8")
    row = re.search(r'<tr class="failed">(.*?)</tr>', index, re.S)
    assert row and "junk.iiv" in row.group(1) and "not an iivkit workbook" in row.group(1)
    assert len(list(out.glob("*__interview-*.html"))) == 4


def test_a_failing_report_fails_its_row_alone_and_is_retried_next_time(school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    batch = run(
        [school], out, FakeRunner(failures={"ada__interview-2": "ZeroDivisionError: division by zero"})
    )
    assert statuses(batch)["ada__interview-2"] == FAILED
    assert batch.count(OK) == 3
    assert "ZeroDivisionError: division by zero" in (out / "index.html").read_text(encoding="utf-8")
    again = FakeRunner()
    assert statuses(run([school], out, again))["ada__interview-2"] == OK
    assert [j.name for j in again.calls] == ["ada__interview-2"]


def test_an_unknown_interview_fails_its_row_alone(tmp_path: Path) -> None:
    one = build_workbook(tmp_path / "one.iiv", interviews=1)
    two = build_workbook(tmp_path / "two.iiv", interviews=2)
    batch = run([one, two], tmp_path / "out", interviews=[2])
    assert statuses(batch) == {"one__interview-2": FAILED, "two__interview-2": OK}
    failed = next(r for r in batch.rows if r.status == FAILED)
    assert "interview 2" in failed.error and "does not exist" in failed.error


def test_index_escapes_user_text(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=1)
    with Workbook.open(path) as wb:
        wb.conn.execute("UPDATE contacts SET name = ? WHERE id = 1", (MARKUP,))
    run([path], tmp_path / "out", FakeRunner(failures={"w__interview-1": MARKUP}))
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in index and "<img src=x" not in index
    assert "&lt;script&gt;alert(" in index


def test_keep_notebooks_writes_each_executed_notebook(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=1)
    run([path], tmp_path / "out", keep_notebooks=True)
    assert json.loads((tmp_path / "out" / "w__interview-1.ipynb").read_text())["nbformat"] == 4


# -- incremental -------------------------------------------------------------------------------


def test_unchanged_reports_are_skipped_and_the_index_says_up_to_date(school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([school], out)
    again = FakeRunner()
    batch = run([school], out, again)
    assert again.calls == []
    assert batch.count(UP_TO_DATE) == 4 and batch.count(FAILED) == 1  # the junk file, every time
    assert (out / "index.html").read_text(encoding="utf-8").count("up to date</td>") == 4


def test_changing_one_interview_reruns_only_its_report(school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([school], out)
    with Workbook.open(school / "grace" / "workbook.iiv") as wb:
        insight = wb.all(Insight, interview_id=2)[0]
        wb.update(insight.model_copy(update={"text": "Changed after a second look."}))
    again = FakeRunner()
    batch = run([school], out, again)
    assert [j.name for j in again.calls] == ["grace__interview-2"]
    assert statuses(batch)["grace__interview-1"] == UP_TO_DATE


def test_force_a_new_notebook_or_a_deleted_report_runs_again(school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([school], out)
    forced = FakeRunner()
    run([school], out, forced, force=True)
    assert len(forced.calls) == 4

    (out / "ada__interview-1.html").unlink()
    deleted = FakeRunner()
    run([school], out, deleted)
    assert [j.name for j in deleted.calls] == ["ada__interview-1"]

    edited = tmp_path / "04_debrief_report.ipynb"
    shutil.copy(NOTEBOOK, edited)
    edited.write_text(edited.read_text(encoding="utf-8").replace("Debrief report", "Debrief report (v2)"))
    changed = FakeRunner()
    make_reports([school], out, runner=changed, notebook=edited, progress=False)
    assert len(changed.calls) == 4


def test_a_damaged_state_file_means_running_everything(school: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run([school], out)
    (out / STATE_FILE).write_text("{ not json")
    again = FakeRunner()
    run([school], out, again)
    assert len(again.calls) == 4


def test_a_report_depends_on_its_interview_and_the_findings_it_tested(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=3)
    with Workbook.open(path) as wb:
        before = {i: report_inputs_json(wb.conn, i) for i in (1, 2, 3)}
        wb.conn.execute("UPDATE insights SET text = 'new' WHERE interview_id = 3")
        after_insight = {i: report_inputs_json(wb.conn, i) for i in (1, 2, 3)}
        # Interview 3's outcome changes the evidence status of a finding all three tested.
        wb.conn.execute(
            "UPDATE finding_outcomes SET outcome = 'refuted' WHERE interview_id = 3 AND finding_id = 1"
        )
        after_outcome = {i: report_inputs_json(wb.conn, i) for i in (1, 2, 3)}
    assert [before[i] == after_insight[i] for i in (1, 2, 3)] == [True, True, False]
    assert all(after_insight[i] != after_outcome[i] for i in (1, 2, 3))


def test_reading_a_workbook_once_for_all_its_reports_gives_each_the_same_fingerprint_text(
    tmp_path: Path,
) -> None:
    paths = [
        *build_class(tmp_path / "class", 6),
        build_workbook(tmp_path / "m.iiv", interviews=3, markup=True),
    ]
    checked = 0
    for path in paths:
        with Workbook.read(path) as wb:
            once = WorkbookInputs(wb.conn)
            for (interview,) in wb.conn.execute("SELECT id FROM interviews ORDER BY id").fetchall():
                assert once.json(interview) == report_inputs_json(wb.conn, interview), (path, interview)
                checked += 1
    assert checked >= 10


# Each thing a report of interview 1 shows, changed straight in the file (as another program
# could), and whether the report of interview 2 shows it too.
EDITS = {
    "an answer noted": ("UPDATE planned_questions SET answer = 'Changed.' WHERE interview_id = 1", False),
    "the interviewee": ("UPDATE contacts SET role = 'Head of Data' WHERE id = 1", True),
    "its organisation": ("UPDATE organisations SET name = 'Health Lab Trust'", True),
    "an outcome": (
        "UPDATE finding_outcomes SET outcome = 'mixed' WHERE interview_id = 1 AND finding_id = 1",
        True,
    ),
    "a finding tested": ("UPDATE findings SET claim = 'The lab hires three.' WHERE id = 1", True),
    "an insight": (
        "UPDATE insights SET text = 'Changed.' WHERE interview_id = 1 AND kind = 'insight'",
        False,
    ),
    "an open question": (
        "UPDATE open_questions SET how_to_answer = 'Ask the lead.' WHERE interview_id = 1",
        False,
    ),
    "a referral": ("UPDATE contacts SET notes = 'Met at a talk.' WHERE referred_in_interview_id = 1", True),
    "the debrief notes": ("UPDATE interviews SET salary_info = 'More.' WHERE id = 1", False),
    "the student's name": ("UPDATE profile SET name = 'Ada L.'", True),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_every_input_of_a_report_makes_it_run_again_when_changed(tmp_path: Path, edit: str) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=2)
    out = tmp_path / "out"
    run([path], out)
    sql, shared = EDITS[edit]
    with Workbook.open(path) as wb:
        assert wb.conn.execute(sql).rowcount >= 1, "the edit changes something"
    again = FakeRunner()
    batch = run([path], out, again)
    want = ["w__interview-1", "w__interview-2"] if shared else ["w__interview-1"]
    assert sorted(j.name for j in again.calls) == want
    assert statuses(batch)["w__interview-2"] == (OK if shared else UP_TO_DATE)


def test_a_run_with_nothing_to_make_loads_no_pandas_no_models_and_no_kernel(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=2)
    out = tmp_path / "out"
    run([path], out)
    code = (
        "import sys\n"
        "from iivkit.cli import main\n"
        f"sys.argv = ['iivkit', 'report', {str(path)!r}, '--out', {str(out)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = ('pandas', 'nbclient', 'matplotlib', 'pydantic', 'iivkit.workbook.models')\n"
        "print(sorted(m for m in loaded if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "2 up to date" in done.stdout, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_a_strength_or_area_to_develop_anywhere_changes_every_report(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=3)
    with Workbook.open(path) as wb:
        before = {i: report_inputs_json(wb.conn, i) for i in (1, 2, 3)}
        wb.add(Insight(interview_id=3, kind="development", text="Statistics", advice="Take a course."))
        after = {i: report_inputs_json(wb.conn, i) for i in (1, 2, 3)}
    assert all(before[i] != after[i] for i in (1, 2, 3)), "each report shows them across interviews"


def test_the_report_shows_strengths_and_areas_to_develop_here_and_across_interviews(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=3)
    with Workbook.open(path) as wb:
        wb.add(Insight(interview_id=1, kind="strength", text="Clear writing"))
        wb.add(Insight(interview_id=2, kind="strength", text="clear writing."))
        wb.add(Insight(interview_id=1, kind="development", text="Statistics", advice="Take a short course."))
        wb.add(Insight(interview_id=3, kind="development", text="statistics", advice="Use R at work"))
        wb.add(Insight(interview_id=2, kind="development", text="Public speaking"))
    report = collect(path, 2)
    said = list(report.career.itertuples(index=False, name=None))
    assert ("A strength they saw", "clear writing.") in said
    assert ("To develop", "Public speaking.") in said
    across = [text for topic, text in said if topic == "Across your interviews"]
    assert across == [
        "Clear writing: a strength two people saw (Person 1 and Person 2).",
        "Statistics: an area to develop, named by two people (Person 1 and Person 3). "
        "Person 1's advice: take a short course. Person 3's advice: use R at work.",
    ], "public speaking is shown once, as said here"
    topics = list(dict.fromkeys(topic for topic, _ in said))
    assert topics == [
        "Salary",
        "Work environment",
        "Your chances",
        "A strength they saw",
        "To develop",
        "Across your interviews",
    ]
    assert not {"strength", "development"} & set(report.insights["Kind"]), "not listed twice"
    first = list(collect(path, 1).career.itertuples(index=False, name=None))
    assert ("To develop", "Statistics. Their advice: take a short course.") in first


# -- the command line --------------------------------------------------------------------------


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "nowhere" in result.output and "Traceback" not in result.output


def test_scheduler_without_dask_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    path = build_workbook(tmp_path / "w.iiv", interviews=1)
    result = CliRunner().invoke(
        main, ["report", str(path), "--out", str(tmp_path / "out"), "--scheduler", "tcp://127.0.0.1:1"]
    )
    assert result.exit_code == 2
    assert "iivkit[distributed]" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_report_end_to_end_on_a_demo_class_with_junk_and_markup(
    tmp_path: Path, run_iivkit: Callable[..., Any]
) -> None:
    folder = tmp_path / "demo"
    build_class(folder / "class", 2)
    (folder / "markup").mkdir()
    build_workbook(folder / "markup" / "workbook.iiv", interviews=1, markup=True)
    (folder / "class" / "junk.iiv").write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    out = tmp_path / "reports"
    done = run_iivkit("report", folder, "--out", out, "--jobs", "2")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "junk.iiv" in done.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    reports = sorted(out.glob("*__interview-*.html"))
    assert len(reports) >= 2 and index.count('<tr class="ok">') == len(reports)
    assert index.count('<tr class="failed">') == 1
    for report in reports:
        html = report.read_text(encoding="utf-8")
        assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", html)
        assert "hl-ipython" not in html and "<script>alert" not in html
    assert "&lt;script&gt;alert(" in (out / "markup__interview-1.html").read_text(encoding="utf-8")
    again = run_iivkit("report", folder, "--out", out)
    assert again.returncode == 1 and f"0 made, 1 failed, {len(reports)} up to date" in again.stdout


# -- Dask --------------------------------------------------------------------------------------


@pytest.fixture
def dask_scheduler() -> Iterator[str]:
    import distributed  # the test extra installs it: a missing install must fail, not skip
    from jupyter_core.utils import ensure_event_loop

    # What any earlier blocking Jupyter call in this thread leaves in its context, which the
    # cluster's worker threads are handed copies of: the test does not depend on what ran before.
    ensure_event_loop()
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address
    iivkit.batch.cluster.close_worker_runner()


@pytest.mark.slow
def test_reports_run_on_a_dask_cluster(
    school: Path, tmp_path: Path, dask_scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workers are threads of this process: note every attempt's failure, also one a retry hid.
    attempts_failed: list[str] = []
    execute = iivkit.batch.runner.NotebookRunner._execute

    def noting(self: iivkit.batch.runner.NotebookRunner, job: NotebookJob, *args: Any) -> tuple[Any, Any]:
        nb, error = execute(self, job, *args)
        if error is not None:
            attempts_failed.append(f"{job.name}: {iivkit.batch.runner.error_message(error, job)}")
        return nb, error

    monkeypatch.setattr(iivkit.batch.runner.NotebookRunner, "_execute", noting)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["report", str(school), "--out", str(out), "--scheduler", dask_scheduler]
    )
    failures = "\n".join(line for line in result.output.splitlines() if "failed: " in line)
    assert result.exit_code == 1, result.output  # the junk workbook
    assert "4 made, 1 failed" in result.output, f"failures:\n{failures}\n\noutput:\n{result.output}"
    assert attempts_failed == [], "\n".join(attempts_failed)
    html = (out / "ada__interview-1.html").read_text(encoding="utf-8")
    assert "Person 1" in html and "The plan and the answers" in html


def test_the_chart_is_a_small_svg_showing_each_count_in_bars_and_words(tmp_path: Path) -> None:
    import base64
    import xml.etree.ElementTree as ET

    from iivkit.reports import data as report_data
    from iivkit.reports import html as report_html

    report = report_data.collect(build_workbook(tmp_path / "wb.iiv", interviews=3), 1)
    img = report_html.charts_html(report)
    alt = re.search(r'alt="([^"]*)"', img)
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]*)"', img)
    assert alt and data
    svg = ET.fromstring(base64.b64decode(data.group(1)))
    ns = "{http://www.w3.org/2000/svg}"
    panels = svg.findall(f"{ns}g")
    assert len(panels) == 2
    for panel, counts in zip(panels, (report.outcome_counts, report.evidence_counts), strict=True):
        texts = [t.text for t in panel.findall(f"{ns}text")]
        bars = [float(r.get("height", "0")) for r in panel.findall(f"{ns}rect")]
        # The title, then a number and a label per bar, in the counts' order.
        assert texts[2::2] == [str(k).replace("_", " ") for k in counts.index]
        assert texts[1::2] == [str(int(v)) for v in counts.values]
        assert len(bars) == len(counts)
        tallest = max(range(len(bars)), key=bars.__getitem__)
        assert int(counts.iloc[tallest]) == int(counts.max()) > 0
        assert all(h == 0 for h, v in zip(bars, counts.values, strict=True) if v == 0)
        # The alt text says the same numbers.
        for label, value in counts.items():
            assert f"{int(value)} " in alt.group(1) and str(label).replace("_", " ") in alt.group(1)
    assert len(img) < 8000


def test_a_first_run_starts_the_fork_server_before_planning_and_a_rerun_starts_none(
    school: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import iivkit.batch.kernels
    import iivkit.reports.run

    events: list[str] = []

    class Server:
        def close(self, *, now: bool = False) -> None:
            events.append(f"closed now={now}")

    def start_fork_server(imports: tuple[str, ...] = ()) -> Server:
        events.append("server started")
        return Server()

    def runner(**options: Any) -> FakeRunner:
        events.append("runner got the server" if isinstance(options.get("forkserver"), Server) else "runner")
        return FakeRunner()

    plan = iivkit.reports.run.plan

    def planning(*args: Any, **kwargs: Any) -> Any:
        events.append("planned")
        return plan(*args, **kwargs)

    monkeypatch.setattr(iivkit.batch.kernels, "start_fork_server", start_fork_server)
    monkeypatch.setattr(iivkit.batch.runner, "NotebookRunner", runner)
    monkeypatch.setattr(iivkit.reports.run, "plan", planning)
    out = tmp_path / "out"
    made = make_reports([school], out, notebook=NOTEBOOK, progress=False)
    assert made.count(OK) == 4
    assert events == ["server started", "planned", "runner got the server"]

    events.clear()  # nothing changed: no server, no runner
    again = make_reports([school], out, notebook=NOTEBOOK, progress=False)
    assert again.count(UP_TO_DATE) == 4 and events == ["planned"]

    events.clear()  # a first run with nothing to run: the server is killed unused
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "junk.iiv").write_text("not a workbook\n")
    make_reports([empty], tmp_path / "out2", notebook=NOTEBOOK, progress=False)
    assert events == ["server started", "planned", "closed now=True"]


def test_a_run_reports_on_each_held_interview_under_its_interviewee_and_day(tmp_path: Path) -> None:
    path = build_workbook(tmp_path / "w.iiv", interviews=2)
    with Workbook.open(path) as wb:
        org = wb.all(Contact)[0].organisation_id
        undated = wb.add(Contact(name="Nomsa Dube", organisation_id=org))
        wb.add(Interview(contact_id=undated.id, status="done"))
        later = wb.add(Contact(name="Pieter Botha", organisation_id=org))
        wb.add(Interview(contact_id=later.id, status="planned", scheduled_at=dt.datetime(2024, 4, 9, 14, 0)))
    runner = FakeRunner()
    batch = run([path], tmp_path / "out", runner)
    titles = {job.name: job.title for job in runner.calls}
    assert titles == {
        "w__interview-1": "Debrief: Person 1, 1 Mar 2024",
        "w__interview-2": "Debrief: Person 2, 2 Mar 2024",
        "w__interview-3": "Debrief: Nomsa Dube",
    }, "done and debriefed interviews only; a planned one is left out"
    assert [(r.interview, r.interviewee) for r in batch.rows] == [
        (1, "Person 1"),
        (2, "Person 2"),
        (3, "Nomsa Dube"),
    ]
    picked = FakeRunner()
    run([path], tmp_path / "picked", picked, interviews=[4])
    assert [(job.name, job.title) for job in picked.calls] == [
        ("w__interview-4", "Debrief: Pieter Botha, 9 Apr 2024")
    ]
