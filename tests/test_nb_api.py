"""The notebook API: the shipped notebooks import iivkit through ``iivkit.nb`` only.

``iivkit lab`` copies the notebooks into a user's folder and never overwrites them, so every
name a shipped notebook takes from iivkit is a promise kept across releases. Holding all of
them in one module, with its ``__all__``, makes the promise something a test can read.
"""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

import iivkit.nb
from iivkit import _moved
from iivkit.resources import notebooks_root

ROOT = Path(__file__).resolve().parent.parent
NB_SOURCE = ROOT / "iivkit" / "nb.py"

KEPT = frozenset(
    {
        "Contact",
        "ContactChoice",
        "DebriefForm",
        "Finding",
        "FindingsToTest",
        "Following",
        "Interview",
        "InterviewChoice",
        "LetterPreview",
        "OpenQuestion",
        "Organisation",
        "PlanEditor",
        "Profile",
        "RecordForm",
        "as_date",
        "charts",
        "course_data",
        "course_html",
        "debrief_form",
        "exercises",
        "guide",
        "letter_preview",
        "meeting_form",
        "open_workbook",
        "plan_editor",
        "report_data",
        "report_html",
        "tables",
    }
)
"""Every name the notebook API has offered. A name may be added here, never taken away."""


def shipped_notebooks() -> list[Path]:
    """Every notebook under ``notebooks/`` and under the package's ``iivkit/notebooks``."""
    found: list[Path] = []
    for root in (ROOT / "notebooks", ROOT / "iivkit" / "notebooks"):
        found += sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    return found


def code_cells(path: Path) -> list[ast.Module]:
    """The parsed code cells of the notebook at *path*."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [ast.parse("".join(c["source"])) for c in cells if c["cell_type"] == "code"]


def iivkit_imports(path: Path) -> list[tuple[str, list[str]]]:
    """Each import of iivkit in the notebook: the module imported from, and the names taken."""
    found: list[tuple[str, list[str]]] = []
    for tree in code_cells(path):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "iivkit":
                found.append((str(node.module), [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                found += [(a.name, []) for a in node.names if a.name.split(".")[0] == "iivkit"]
    return found


def names_taken_from_nb(path: Path) -> set[str]:
    """The names the notebook takes from ``iivkit.nb``: imported, or read as ``nb.name``."""
    names: set[str] = set()
    aliases: set[str] = set()
    for tree in code_cells(path):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "iivkit.nb":
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module == "iivkit":
                aliases.update(a.asname or a.name for a in node.names if a.name == "nb")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                names.add(node.attr)
    return names


def nb_imports() -> list[tuple[str, str, str]]:
    """What ``iivkit/nb.py`` offers: (module, name, the name it is offered as) for each name.

    The offers are the imports under ``if TYPE_CHECKING:``; at run time each is loaded on first
    use, and :func:`test_nb_imports_from_the_modules_where_the_code_lives` checks that what
    loads is the object the import names.
    """
    found: list[tuple[str, str, str]] = []
    body = ast.parse(NB_SOURCE.read_text(encoding="utf-8")).body
    (checking,) = [n for n in body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    for node in checking.body:
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            found += [(str(node.module), a.name, a.asname or a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, "", a.asname or a.name) for a in node.names]
    return found


def test_the_package_ships_the_notebooks_folder_itself() -> None:
    # iivkit/notebooks is a link to notebooks/, so both name the same notebooks.
    inside, beside = ROOT / "iivkit" / "notebooks", ROOT / "notebooks"
    found = shipped_notebooks()
    assert {p.relative_to(inside) for p in found if p.is_relative_to(inside)} == {
        p.relative_to(beside) for p in found if p.is_relative_to(beside)
    }
    assert len(found) >= 2 * 11 and notebooks_root() is not None


@pytest.mark.parametrize("path", shipped_notebooks(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_shipped_notebook_imports_iivkit_only_through_nb(path: Path) -> None:
    imports = iivkit_imports(path)
    assert imports, f"{path.name} imports nothing from iivkit"
    for module, names in imports:
        through_nb = module == "iivkit.nb" or (module == "iivkit" and names == ["nb"])
        assert through_nb, f"{path.name} imports {names or module} from {module}: use iivkit.nb"


@pytest.mark.parametrize("path", shipped_notebooks(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_name_a_shipped_notebook_takes_from_nb_is_offered(path: Path) -> None:
    missing = names_taken_from_nb(path) - set(iivkit.nb.__all__)
    assert not missing, f"{path.name} takes {sorted(missing)} from iivkit.nb, which are not in its __all__"


def test_every_name_in_all_exists_once() -> None:
    assert len(iivkit.nb.__all__) == len(set(iivkit.nb.__all__))
    for name in iivkit.nb.__all__:
        assert hasattr(iivkit.nb, name), f"iivkit.nb.__all__ names {name}, which it does not have"


def test_no_name_the_api_offered_is_taken_away() -> None:
    assert set(iivkit.nb.__all__) >= KEPT, f"gone from iivkit.nb: {sorted(KEPT - set(iivkit.nb.__all__))}"


def test_every_name_the_notebooks_use_is_kept() -> None:
    used = set().union(*(names_taken_from_nb(p) for p in shipped_notebooks()))
    assert used <= KEPT, f"add {sorted(used - KEPT)} to KEPT: a notebook now relies on them"


def test_nb_offers_what_it_imports_and_only_that() -> None:
    assert {offered for _, _, offered in nb_imports()} == set(iivkit.nb.__all__)


def test_nb_imports_from_the_modules_where_the_code_lives() -> None:
    for module, name, offered in nb_imports():
        assert module.split(".")[0] == "iivkit" and name, f"iivkit.nb imports {module}: not iivkit's"
        assert module not in _moved.MOVED, f"iivkit.nb imports {module}, a release 0.1 alias"
        found = importlib.import_module(module)
        target = getattr(found, name, None) or importlib.import_module(f"{module}.{name}")
        assert getattr(iivkit.nb, offered) is target, f"iivkit.nb.{offered} is not {module}.{name}"


@pytest.mark.parametrize("module", sorted({m for m, _, _ in nb_imports()}))
def test_each_module_nb_imports_from_imports_on_its_own(module: str) -> None:
    # In a fresh interpreter, so a module that imports only after another one ran first fails.
    names = ", ".join(name for m, name, _ in nb_imports() if m == module)
    code = f"from {module} import {names}"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, f"{code}\n{result.stderr}"


def test_a_report_kernel_taking_report_modules_from_nb_loads_no_widgets() -> None:
    """Names load on first use: the debrief report pays for neither ipywidgets nor the forms."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from iivkit.nb import report_data, report_html\n"
        "print(sorted(m for m in sys.modules if m == 'ipywidgets' or m.startswith('iivkit.ui.forms')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_name_nb_offers_is_loaded_from_where_its_import_says() -> None:
    import iivkit.nb as nb

    assert sorted(nb._WHERE) == sorted(nb.__all__)
    assert sorted(dir(nb)) == sorted(nb.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        nb.nothing_here  # noqa: B018
