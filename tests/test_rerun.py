"""Running a notebook again: the views of the earlier run stop following the workbook.

A notebook user presses Run All again and again. Each run makes new forms and tables; the old
ones are gone from the page, so they must stop listening, or every save would redraw (and a
stale view could act on) every run's views. Driven through IPython, cell by cell, as JupyterLab
runs a notebook: each cell has an id, and a re-run sends the same id again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from iivkit import Finding, Workbook
from iivkit.workbook import changes

SETUP = "from iivkit import Contact, Finding, tables\nfrom iivkit.ui.forms import RecordForm\n"
CELLS = {
    "open": "from iivkit.ui.support import open_workbook\nwb = open_workbook(PATH)",
    "findings": "findings = tables.live(tables.findings, wb)",
    "form": "form = RecordForm(wb, Finding, picker=True)",
    "choice": "from iivkit.ui.choices import ContactChoice\nchosen = ContactChoice(wb)",
}


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[InteractiveShell]:
    ip = InteractiveShell.instance()
    path = tmp_path / "rerun.iiv"
    Workbook.create(path).close()
    ip.user_ns["PATH"] = str(path)
    assert ip.run_cell(SETUP).success
    try:
        yield ip
    finally:
        ip.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def run_all(shell: InteractiveShell) -> None:
    for cell_id, source in CELLS.items():
        assert shell.run_cell(source, cell_id=cell_id).success, cell_id


def test_run_all_again_leaves_one_set_of_views_listening(shell: InteractiveShell) -> None:
    path = shell.user_ns["PATH"]
    run_all(shell)
    once = changes.listening(path)
    assert once >= 3  # the table, the form and the choice follow the workbook
    for _ in range(3):
        run_all(shell)
    assert changes.listening(path) == once


def test_a_view_from_an_earlier_run_no_longer_redraws(shell: InteractiveShell) -> None:
    run_all(shell)
    old = shell.user_ns["findings"]
    assert shell.run_cell(CELLS["findings"], cell_id="findings").success
    new = shell.user_ns["findings"]
    before = old.redraws
    with Workbook.open(shell.user_ns["PATH"]) as wb:
        wb.add(Finding(claim="Graduates start in the evaluation unit"))
    assert new.redraws > 1 and "Graduates start" in new.widget.value
    assert old.redraws == before


def test_a_different_cell_keeps_its_views(shell: InteractiveShell) -> None:
    run_all(shell)
    path = shell.user_ns["PATH"]
    count = changes.listening(path)
    assert shell.run_cell("other = tables.live(tables.findings, wb)", cell_id="another").success
    assert changes.listening(path) == count + 1
