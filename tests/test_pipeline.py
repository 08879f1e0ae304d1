"""The one batch pipeline: skip the unchanged, run the rest, record, index, remember.

Everything here goes through :func:`iivkit.batch.pipeline.run_batch` with the fake runner, so
no kernel starts; ``iivkit report`` and ``iivkit course report`` are tested in their own files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from iivkit.batch.pipeline import (
    FAILED,
    OK,
    UP_TO_DATE,
    Progress,
    Runs,
    State,
    Task,
    fingerprint,
    notebook_hash,
    run_batch,
)
from iivkit.batch.runner import FakeRunner, NotebookJob, NotebookResult

QUIET = Progress("page", "Pages", show=False)


def tasks(notebook: Path, inputs: dict[str, str]) -> list[Task]:
    """A task per name, its fingerprint made from the given input text."""
    return [
        Task(
            name=name,
            job=NotebookJob(notebook, name, {"text": text}),
            fingerprint=fingerprint(notebook_hash(notebook), name, text),
        )
        for name, text in inputs.items()
    ]


def run(
    out: Path,
    planned: list[Task],
    runner: FakeRunner | None = None,
    **options: object,
) -> tuple[Sequence[Task], FakeRunner]:
    runner = runner or FakeRunner()
    with Runs(workers=2, cwd=out, runner=runner) as local:
        done = run_batch(
            planned,
            out,
            state=State.load(out / "state.json"),
            execute=local,
            progress=QUIET,
            **options,
        )
    return done, runner


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    path = tmp_path / "page.ipynb"
    path.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    return path


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def statuses(done: Sequence[Task]) -> dict[str, str]:
    return {t.name: t.status for t in done}


def test_every_task_makes_its_page_and_the_index_sees_them_all(notebook: Path, out: Path) -> None:
    seen: list[list[str]] = []
    planned = tasks(notebook, {"a": "1", "b": "2"})
    planned.append(Task(name="c", status=FAILED, error="will not open"))
    done, runner = run(out, planned, index=lambda ts: seen.append([t.name for t in ts]))
    assert statuses(done) == {"a": OK, "b": OK, "c": FAILED}
    assert sorted(j.name for j in runner.calls) == ["a", "b"], "a task decided in planning is not run"
    assert (out / "a.html").is_file() and (out / "b.html").is_file() and not (out / "c.html").exists()
    assert seen == [["a", "b", "c"]]


def test_unchanged_tasks_are_skipped_and_changed_ones_run_again(notebook: Path, out: Path) -> None:
    run(out, tasks(notebook, {"a": "1", "b": "2"}))
    done, again = run(out, tasks(notebook, {"a": "1", "b": "2"}))
    assert again.calls == [] and statuses(done) == {"a": UP_TO_DATE, "b": UP_TO_DATE}

    done, changed = run(out, tasks(notebook, {"a": "1", "b": "2, edited"}))
    assert [j.name for j in changed.calls] == ["b"]
    assert statuses(done) == {"a": UP_TO_DATE, "b": OK}

    (out / "a.html").unlink()
    _, missing = run(out, tasks(notebook, {"a": "1", "b": "2, edited"}))
    assert [j.name for j in missing.calls] == ["a"], "a page deleted since is made again"

    _, forced = run(out, tasks(notebook, {"a": "1", "b": "2, edited"}), force=True)
    assert sorted(j.name for j in forced.calls) == ["a", "b"]


def test_a_changed_notebook_makes_everything_again(notebook: Path, out: Path) -> None:
    before = notebook_hash(notebook)
    run(out, tasks(notebook, {"a": "1"}))
    notebook.write_text(notebook.read_text().replace('"cells": []', '"cells": [] '))
    assert notebook_hash(notebook) != before
    _, runner = run(out, tasks(notebook, {"a": "1"}))
    assert [j.name for j in runner.calls] == ["a"]


def test_a_failure_is_recorded_alone_and_tried_again_next_time(notebook: Path, out: Path) -> None:
    noted: list[str] = []
    done, _ = run(
        out,
        tasks(notebook, {"a": "1", "b": "2", "c": "3"}),
        FakeRunner(failures={"b": "ZeroDivisionError: division by zero"}),
        on_failure=lambda t: noted.append(t.name),
    )
    assert statuses(done) == {"a": OK, "b": FAILED, "c": OK}
    failed = next(t for t in done if t.name == "b")
    assert failed.error == "ZeroDivisionError: division by zero" and noted == ["b"]
    assert not (out / "b.html").exists()
    kept = json.loads((out / "state.json").read_text())["outputs"]
    assert sorted(kept) == ["a", "c"]

    _, again = run(out, tasks(notebook, {"a": "1", "b": "2", "c": "3"}))
    assert [j.name for j in again.calls] == ["b"]


def test_the_progress_bar_names_each_failure(
    notebook: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(out, tasks(notebook, {"a": "1"}), FakeRunner(failures={"a": "KeyError: 'x'"}))
    assert "iivkit: a: failed: KeyError: 'x'" in capsys.readouterr().err


def test_results_recorded_before_a_killed_run_are_kept(notebook: Path, out: Path) -> None:
    runner = FakeRunner()

    def killed_after_one(jobs: list[NotebookJob]) -> Iterator[NotebookResult]:
        yield runner.run(jobs[0])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_batch(
            tasks(notebook, {"a": "1", "b": "2"}),
            out,
            state=State.load(out / "state.json"),
            execute=killed_after_one,
            progress=QUIET,
        )
    _, after = run(out, tasks(notebook, {"a": "1", "b": "2"}))
    assert [j.name for j in after.calls] == ["b"], "the page made before the kill is not made again"


@pytest.mark.parametrize("damage", ["{ not json", '{"format": 2, "outputs": ["a"]}', "[]"])
def test_a_damaged_state_file_is_ignored_with_a_message(
    notebook: Path, out: Path, damage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(out, tasks(notebook, {"a": "1"}))
    (out / "state.json").write_text(damage)
    done, runner = run(out, tasks(notebook, {"a": "1"}))
    assert [j.name for j in runner.calls] == ["a"] and statuses(done) == {"a": OK}
    assert "state.json" in capsys.readouterr().err
    assert json.loads((out / "state.json").read_text())["format"] == 2, "the next run writes a good one"


def test_runs_keeps_the_executed_notebook_when_a_job_asks(notebook: Path, out: Path) -> None:
    job = NotebookJob(notebook, "a", {"text": "1"}, keep_notebook=True)
    done, _ = run(out, [Task(name="a", job=job, fingerprint="x")])
    assert statuses(done) == {"a": OK}
    assert json.loads((out / "a.ipynb").read_text())["nbformat"] == 4
