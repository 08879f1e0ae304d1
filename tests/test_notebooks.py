"""The workflow notebooks: committed clean, and run top to bottom headless under papermill.

Each notebook runs with its default parameters (the demo workbook, built on demand in a
private cache folder) and with explicit parameters on a fresh workbook. ``pytest --nbval-lax
notebooks/`` runs them once more, as ``make test`` does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import nbformat
import papermill
import pytest
from click.testing import CliRunner

from iivkit.cli import main
from iivkit.workbook.demo import build_demo
from iivkit.workbook.models import Contact, Interview, InterviewStatus
from iivkit.workbook.store import Workbook

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
WORKFLOW = ["01_research", "02_prepare", "03_debrief", "05_track"]


def all_notebooks() -> list[Path]:
    """Every committed notebook: the workflow ones, the exercises and the course notebooks."""
    return sorted(p for p in NOTEBOOKS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


@pytest.fixture
def kernel_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernels import this checkout and build their demo workbook in a private cache."""
    cache = tmp_path_factory.getbasetemp() / "demo-cache"
    monkeypatch.setenv("IIVKIT_CACHE_DIR", str(cache))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )


def run(name: str, out: Path, **parameters: Any) -> nbformat.NotebookNode:
    """Execute notebook *name* with papermill and return the executed notebook."""
    result = papermill.execute_notebook(
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out / f"{name}.out.ipynb"),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        log_output=False,
    )
    return nbformat.from_dict(result)


def printed(nb: nbformat.NotebookNode) -> str:
    """What the notebook printed, and the plain text of what it displayed."""
    return "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") + "\n"
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )


def widget_outputs(nb: nbformat.NotebookNode) -> int:
    return sum(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )


# -- committed clean --------------------------------------------------------------------------


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs_counts_or_widget_state(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for n, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], (
                f"{path.name} cell {n} has outputs: clear them before committing"
            )
            assert cell.get("execution_count") is None, f"{path.name} cell {n} has an execution count"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name} holds widget state"


@pytest.mark.parametrize("name", WORKFLOW)
def test_workflow_notebook_opens_with_guidance_and_a_parameters_cell(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    intro = [c for c in nb.cells[:3] if c.cell_type == "markdown"]
    assert len(intro) == 3 and "How to do it well" in intro[2].source
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "workbook = None" in tagged[0].source


@pytest.mark.parametrize("name", WORKFLOW)
def test_workflow_notebook_says_how_to_run_it_and_keeps_its_code_folded(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    title, how_to = nb.cells[0], nb.cells[1]
    assert title.source.startswith("# ")
    # Right under the title, for JupyterLab only: the app runs the notebook itself.
    assert "Run ▸ Run All Cells" in how_to.source and "iivkit app" in how_to.source
    assert "lab-only" in how_to.metadata.get("tags", [])
    for cell in nb.cells:
        if "`workbook` is the path" in cell.source:
            assert "lab-only" in cell.metadata.get("tags", []), "parameter notes are for JupyterLab"
    for n, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, f"{name} cell {n}"
    # Under `iivkit lab` / `iivkit app` a blank workbook is the folder's, not the demo.
    text = "\n".join(c.source for c in nb.cells)
    assert "None opens the demo workbook" not in text
    assert "your folder's workbook" in text


def test_every_workflow_notebook_is_there() -> None:
    assert {p.stem for p in all_notebooks()} >= set(WORKFLOW)


# -- run headless -----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
@pytest.mark.parametrize("name", WORKFLOW)
def test_workflow_notebook_runs_with_its_defaults(name: str, tmp_path: Path) -> None:
    nb = run(name, tmp_path)
    assert "Workbook:" in printed(nb)
    assert widget_outputs(nb) >= 1 or name == "05_track"


@pytest.fixture
def fresh_demo(tmp_path: Path) -> Path:
    path = tmp_path / "fresh.iiv"
    build_demo(path).close()
    return path


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
def test_prepare_and_debrief_take_explicit_parameters(fresh_demo: Path, tmp_path: Path) -> None:
    with Workbook.open(fresh_demo) as wb:
        contact = wb.all(Contact)[-1]
        interview = wb.all(Interview, status=InterviewStatus.debriefed)[0]

    prepared = run("02_prepare", tmp_path, workbook=str(fresh_demo), contact=contact.id)
    assert f"with {contact.name} (contact {contact.id})" in printed(prepared)
    debriefed = run("03_debrief", tmp_path, workbook=str(fresh_demo), interview=str(interview.id))
    assert f"Debriefing interview {interview.id} " in printed(debriefed)


FIRST_STEP = {
    "01_research": "Workbook:",
    "02_prepare": "No contact yet. Add the person you want to talk to",
    "03_debrief": "No interview to debrief yet. Plan one first",
    "05_track": "Follow-ups as of",
}
"""What each notebook says first on a new workbook, where it cannot do its work yet."""


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
@pytest.mark.parametrize("name", WORKFLOW)
def test_every_workflow_notebook_runs_on_a_fresh_init_workbook(name: str, tmp_path: Path) -> None:
    path = tmp_path / "new.iiv"
    created = CliRunner().invoke(main, ["init", str(path)])
    assert created.exit_code == 0, created.output
    extra = {"today": "2026-03-01"} if name == "05_track" else {}
    nb = run(name, tmp_path, workbook=str(path), **extra)
    assert str(path) in printed(nb)
    assert FIRST_STEP[name] in printed(nb)
    assert widget_outputs(nb) >= 4  # the forms and live views are there, nothing failed on the way
    with Workbook.open(path) as wb:
        assert wb.count(Interview) == 0  # nothing is prepared for nobody


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
def test_a_bad_parameter_stops_the_notebook_with_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.iiv"
    Workbook.create(path).close()
    with pytest.raises(papermill.PapermillExecutionError, match="there is no contact 7"):
        run("02_prepare", tmp_path, workbook=str(path), contact=7)
    nb = nbformat.read(tmp_path / "02_prepare.out.ipynb", as_version=4)
    (error,) = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    (line,) = error.traceback  # one line, not a traceback
    assert "parameter field 'contact': there is no contact 7" in line
    assert str(path) in line


@pytest.mark.slow
@pytest.mark.usefixtures("kernel_env")
def test_prepare_comes_alive_in_the_kernel_when_the_first_contact_is_saved(tmp_path: Path) -> None:
    """In a real kernel: save a contact in 02_prepare's own form, and the plan, meeting, letters and
    guide appear for that person with no re-run."""
    path = tmp_path / "new.iiv"
    Workbook.create(path).close()
    nb = nbformat.read(NOTEBOOKS / "02_prepare.ipynb", as_version=4)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "form = chosen.sections[0].content\n"
            "form.fields['name'].value = 'Ann Lee'\n"
            "form.save()\n"
            "print('NOW:', chosen.summary)\n"
            "print('PARTS:', *[type(s.content).__name__ for s in chosen.sections])"
        )
    )
    copy = tmp_path / "02_prepare.ipynb"
    nbformat.write(nb, copy)
    result = papermill.execute_notebook(
        str(copy),
        str(tmp_path / "out.ipynb"),
        parameters={"workbook": str(path)},
        kernel_name="python3",
        cwd=str(NOTEBOOKS),
        progress_bar=False,
        log_output=False,
    )
    text = printed(nbformat.from_dict(result))
    assert "No contact yet" in text
    with Workbook.open(path) as wb:
        (ann,) = wb.all(Contact)
        (interview,) = wb.all(Interview)
    assert f"NOW: Preparing interview {interview.id} with Ann Lee (contact {ann.id})" in text
    assert "PARTS: RecordForm PlanEditor RecordForm LetterPreview LetterPreview LiveView" in text
